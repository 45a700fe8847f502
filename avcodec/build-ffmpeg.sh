#!/usr/bin/env bash
# Builds build/ffmpeg/ffmpeg and build/ffmpeg/ffprobe: FFmpeg 5.1 as Debian 12 ships
# it (apt-get source ffmpeg), with avcodec/patches/*.patch applied, configured with
# --enable-libbytelm against the libbytelm that meson built in ./build, and only the
# components the tests and samples use (docs/FFMPEG.md).
#
# Run from anywhere, after `meson setup build && ninja -C build`. Needs root or sudo
# the first time (a deb-src line and the build packages). Does nothing when the stamp
# build/ffmpeg/.stamp matches: it holds a hash of the FFmpeg version, the patches,
# this script and core/include/bytelm/bytelm.h.
#
# Environment: BUILDDIR (default build), JOBS (default: the CPU count),
# FFMPEG_SRC=dir to build an already patched tree instead (development).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
builddir=${BUILDDIR:-build}
case $builddir in /*) ;; *) builddir=$root/$builddir;; esac
out=$builddir/ffmpeg
srcroot=$builddir/ffmpeg-src
jobs=${JOBS:-$(nproc)}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { echo "build-ffmpeg: $*" >&2; }

[ -f "$builddir/meson-uninstalled/bytelm-uninstalled.pc" ] ||
  { log "no $builddir/meson-uninstalled/bytelm-uninstalled.pc: run meson setup first"; exit 1; }

# The packages: a compiler, make, pkg-config, zlib (PNG), dpkg-dev (dpkg-source).
packages=(build-essential pkg-config zlib1g-dev dpkg-dev xz-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

# Source lines for apt-get source, next to the binary ones.
srclist=/etc/apt/sources.list.d/bytelm-deb-src.sources
need_update=0
if ! grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding $srclist"
  $SUDO tee "$srclist" >/dev/null <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  need_update=1
fi
# Source lines without a source index (an earlier update failed): fetch it now.
if ! apt-cache showsrc ffmpeg 2>/dev/null | grep -q '^Version:'; then
  need_update=1
fi
if ((${#missing[@]})) || ((need_update)); then
  $SUDO apt-get update -qq
fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Which FFmpeg: the source version apt offers (Debian 12: 7:5.1.x-0+deb12u*).
if [ -n "${FFMPEG_SRC:-}" ]; then
  version="dev:$FFMPEG_SRC"
else
  version=$(apt-cache showsrc ffmpeg | awk '/^Version:/ {print $2}' | sort -V | tail -1)
  [ -n "$version" ] || { log "apt-cache showsrc ffmpeg gives no version (apt-get update?)"; exit 1; }
  case $version in *:5.1.*) ;; *) log "FFmpeg $version is not 5.1: the patches are for 5.1"; exit 1;; esac
fi
# The library's header is in it too: the binaries link libbytelm.so from ./build,
# so a changed API or ABI must recompile the wrappers.
stamp=$( { echo "$version"; cat "$root"/avcodec/patches/*.patch "$0" \
             "$root/core/include/bytelm/bytelm.h" 2>/dev/null || true; } | sha256sum | cut -c1-64)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] &&
   [ -x "$out/ffmpeg" ] && [ -x "$out/ffprobe" ]; then
  log "up to date ($out/ffmpeg)"
  exit 0
fi

start=$(date +%s)
if [ -n "${FFMPEG_SRC:-}" ]; then
  src=$(cd "$FFMPEG_SRC" && pwd)  # configure runs from the build directory
else
  upstream=${version#*:}; upstream=${upstream%%-*}
  src=$srcroot/ffmpeg-$upstream
  rm -rf "$srcroot"
  mkdir -p "$srcroot"
  log "fetching ffmpeg $version"
  # dpkg-source applies Debian's own patches: the tree is FFmpeg as Debian ships it.
  (cd "$srcroot" && apt-get source -qq --download-only "ffmpeg=$version" >/dev/null 2>&1 &&
     dpkg-source -x --no-check ./*.dsc "$src" >/dev/null)
  for p in "$root"/avcodec/patches/*.patch; do
    log "applying $(basename "$p")"
    patch -d "$src" -p1 -s --no-backup-if-mismatch < "$p"
  done
fi

rm -rf "$out"
mkdir -p "$out"
components=(
  --enable-encoder=libbytelm,libbytelm_video,flac,pcm_s16le,pcm_s16be,rawvideo,png,pgm,ppm,wrapped_avframe
  --enable-decoder=libbytelm,libbytelm_video,flac,pcm_s16le,pcm_s16be,pcm_s16le_planar,rawvideo,png,pgm,ppm
  --enable-muxer=bytelm,matroska,nut,wav,flac,pcm_s16le,rawvideo,image2,md5,framemd5,null
  --enable-demuxer=bytelm,matroska,nut,wav,flac,pcm_s16le,rawvideo,image2,png_pipe,pgm_pipe,ppm_pipe
  --enable-parser=flac,png,pnm
  --enable-protocol=file,pipe
  --enable-filter=aresample,aformat,anull,format,null,scale,atrim,trim
)
log "configuring in $out"
(cd "$out" && PKG_CONFIG_PATH="$builddir/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
  "$src/configure" \
    --disable-everything --disable-autodetect --disable-doc --disable-debug \
    --disable-x86asm --disable-network --disable-avdevice --disable-postproc \
    --disable-ffplay --enable-zlib --enable-libbytelm "${components[@]}" \
    --extra-cflags="-I$root/core/include" \
    --extra-ldflags="-Wl,-rpath,$builddir/core/src" >configure.log 2>&1) ||
  { tail -n 30 "$out/configure.log" "$out/ffbuild/config.log" >&2; exit 1; }
log "building with $jobs jobs"
make -C "$out" -j"$jobs" ffmpeg ffprobe >"$out/make.log" 2>&1 ||
  { tail -n 40 "$out/make.log" >&2; exit 1; }
echo "$stamp" >"$out/.stamp"
log "built $out/ffmpeg and $out/ffprobe in $(( $(date +%s) - start )) s"
