#!/usr/bin/env bash
# Builds GStreamer's Matroska plugin (matroskamux, matroskademux) with bytelm:
# gst-plugins-good 1.22 as Debian 12 ships it (apt-get source gst-plugins-good1.0),
# with gst-plugin/matroska/patches/*.patch applied, only the matroska plugin, into
# build/gst-matroska/plugin/libgstmatroska.so. Use it with
#   GST_PLUGIN_PATH=build/gst-matroska/plugin:build/gst-plugin
# (a plugin found there is taken before the system's plugin of the same file name);
# the system's plugin is never touched. docs/GSTREAMER.md, Matroska.
#
# Needs root or sudo the first time (a deb-src line, the build packages). Does
# nothing when the stamp build/gst-matroska/.stamp matches: a hash of the source
# version, the patches and this script.
# Environment: BUILDDIR (default build), GST_GOOD_SRC=dir to build an already
# patched tree instead (development).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${BUILDDIR:-build}
case $builddir in /*) ;; *) builddir=$root/$builddir;; esac
out=$builddir/gst-matroska
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

log() { echo "build-matroska: $*" >&2; }

packages=(meson ninja-build pkg-config dpkg-dev xz-utils libgstreamer1.0-dev
          libgstreamer-plugins-base1.0-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
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
apt-cache showsrc gst-plugins-good1.0 2>/dev/null | grep -q '^Version:' || need_update=1
if ((need_update)) || ((${#missing[@]})); then
  $SUDO apt-get update -qq
fi
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The plugin must match the GStreamer it is loaded into: 1.22 (Debian 12).
gst_version=$(pkg-config --modversion gstreamer-1.0)
case $gst_version in 1.22.*) ;; *) log "GStreamer $gst_version is not 1.22: the patches are for 1.22"; exit 1;; esac

if [ -n "${GST_GOOD_SRC:-}" ]; then
  versions="dev:$GST_GOOD_SRC"
else
  # newest first; a version the mirror no longer holds is skipped below
  versions=$(apt-cache showsrc gst-plugins-good1.0 | awk '/^Version:/ {print $2}' | sort -Vr | grep '^1\.22\.' || true)
  [ -n "$versions" ] || { log "apt-cache showsrc gst-plugins-good1.0 gives no 1.22 version"; exit 1; }
fi
stamp=$( { echo "$versions" | head -1; cat "$root"/gst-plugin/matroska/patches/*.patch "$0"; } |
           sha256sum | cut -c1-64)
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] &&
   [ -f "$out/plugin/libgstmatroska.so" ]; then
  log "up to date ($out/plugin/libgstmatroska.so)"
  exit 0
fi

start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
if [ -n "${GST_GOOD_SRC:-}" ]; then
  src=$GST_GOOD_SRC
else
  src=$out/src/tree
  mkdir -p "$out/src"
  for version in $versions; do
    log "fetching gst-plugins-good1.0 $version"
    if (cd "$out/src" && apt-get source -qq --download-only "gst-plugins-good1.0=$version" >/dev/null 2>&1); then
      break
    fi
    rm -f "$out/src"/*
  done
  ls "$out/src"/*.dsc >/dev/null 2>&1 || { log "no gst-plugins-good1.0 source could be fetched"; exit 1; }
  # dpkg-source applies Debian's own patches: the tree is the plugin as Debian ships it
  (cd "$out/src" && dpkg-source -x --no-check ./*.dsc "$src" >/dev/null)
  for p in "$root"/gst-plugin/matroska/patches/*.patch; do
    log "applying $(basename "$p")"
    patch -d "$src" -p1 -s --no-backup-if-mismatch < "$p"
  done
fi

log "configuring in $out/build"
meson setup "$out/build" "$src" --buildtype=release --auto-features=disabled \
  -Dmatroska=enabled -Dexamples=disabled -Dtests=disabled -Dnls=disabled \
  -Ddoc=disabled -Dorc=disabled >"$out/configure.log" 2>&1 ||
  { tail -30 "$out/configure.log" >&2; exit 1; }
log "building"
ninja -C "$out/build" gst/matroska/libgstmatroska.so >"$out/build.log" 2>&1 ||
  { tail -30 "$out/build.log" >&2; exit 1; }
mkdir -p "$out/plugin"
cp "$out/build/gst/matroska/libgstmatroska.so" "$out/plugin/"
echo "$stamp" >"$out/.stamp"
log "built $out/plugin/libgstmatroska.so in $(( $(date +%s) - start )) s"
