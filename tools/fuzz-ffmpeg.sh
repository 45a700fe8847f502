#!/usr/bin/env bash
# Builds FFmpeg's own decoder fuzzer (tools/target_dec_fuzzer.c of FFmpeg 5.1) for the
# libbytelm and libbytelm_video decoders (avcodec/src/libavcodec/libbytelmdec.c) with
# clang 14, ASan, UBSan and libFuzzer, linked with an ASan build of libbytelm, and runs
# each for a bounded time (docs/ROBUSTNESS.md, "FFmpeg wrappers").
#   tools/fuzz-ffmpeg.sh [SECONDS] [TARGET...]   default: 60 s each; libbytelm libbytelm_video
#   (SECONDS 0: build only)
#
# Precondition: `meson setup build && ninja -C build` and `bash avcodec/build-ffmpeg.sh`
# (this script reuses the patched source tree that script leaves in build/ffmpeg-src/,
# and its stamp). Everything else goes to build-fuzz-ffmpeg/: bytelm/ (libbytelm, meson,
# same flags as tools/fuzz.sh), ffmpeg/ (FFmpeg configured out of tree), fuzz/TARGET/
# (corpus, artifacts/, log.txt, kept between runs). Nothing is rebuilt when the stamp
# build-fuzz-ffmpeg/ffmpeg/.stamp matches and libbytelm.a has not changed.
#
# A crash, leak, UB report or per-input timeout (30 s) stops the target and fails the
# script; the input is left in build-fuzz-ffmpeg/fuzz/TARGET/artifacts/ (keep it in
# tests/fuzz/regress/ffmpeg-TARGET/). Environment: JOBS (default: the CPU count),
# BUILDDIR (default build), FFMPEG_SRC=dir (an already patched tree, as for
# build-ffmpeg.sh), FUZZ_CC (default clang-14).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
. tools/fuzz-lib.sh
secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(libbytelm libbytelm_video)
for t in "${targets[@]}"; do
  case $t in libbytelm|libbytelm_video) ;; *) echo "unknown target $t" >&2; exit 2;; esac
done
builddir=${BUILDDIR:-build}
case $builddir in /*) ;; *) builddir=$root/$builddir;; esac
out=$root/build-fuzz-ffmpeg
jobs=${JOBS:-$(nproc)}
cc=${FUZZ_CC:-clang-14}
log() { echo "fuzz-ffmpeg: $*" >&2; }

src=${FFMPEG_SRC:-}
[ -n "$src" ] || for d in "$builddir"/ffmpeg-src/ffmpeg-*/; do src=${d%/}; done
if [ ! -x "$src/configure" ] || [ ! -f "$builddir/ffmpeg/.stamp" ]; then
  log "no patched FFmpeg source in $builddir/ffmpeg-src/: run bash avcodec/build-ffmpeg.sh first"
  exit 1
fi

# libbytelm with the sanitizers and coverage, and -Dfuzzing=true so that it takes any
# CRC (docs/ROBUSTNESS.md); its own build dir, so that a running tools/fuzz.sh
# (build-fuzz/) is never rebuilt under its feet. Only the static library is built: the
# fuzzer links it, so its code is instrumented like FFmpeg's.
lib=$out/bytelm/core/src/libbytelm.a
if [ ! -f "$out/bytelm/build.ninja" ]; then
  CC=$cc meson setup "$out/bytelm" --buildtype=debugoptimized -Dtests=false -Dfuzzing=true \
    -Dgst=disabled -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined' >/dev/null
fi
ninja -C "$out/bytelm" -j"$jobs" core/src/libbytelm.a >/dev/null

# FFmpeg's configure finds libbytelm with pkg-config: this file names the static
# library (-l:libbytelm.a: the meson-uninstalled file says -lbytelm, which picks a .so;
# configure moves -l options after the objects, but not a bare path) and its
# dependencies as public, so that they are linked too.
mkdir -p "$out/pkgconfig"
cat >"$out/pkgconfig/bytelm.pc" <<EOF
Name: bytelm
Description: libbytelm, ASan build for the FFmpeg fuzzer
$(grep '^Version:' "$out/bytelm/meson-uninstalled/bytelm-uninstalled.pc")
Requires: glib-2.0 zlib flac
Libs: -L${lib%/*} -l:libbytelm.a -pthread -lm
Cflags: -I$root/core/include
EOF

# The stamp: the FFmpeg build's stamp (source version, patches, bytelm.h) and this script.
ff=$out/ffmpeg
stamp=$( { cat "$builddir/ffmpeg/.stamp"; echo "$src"; cat "$root/tools/fuzz-ffmpeg.sh"; } |
         sha256sum | cut -c1-64)
bins=("${targets[@]/#/$ff/tools/target_dec_}")
bins=("${bins[@]/%/_fuzzer}")
uptodate=1
[ -f "$ff/.stamp" ] && [ "$(cat "$ff/.stamp")" = "$stamp" ] || uptodate=0
for b in "${bins[@]}"; do
  [ -x "$b" ] && [ "$b" -nt "$lib" ] || uptodate=0
done
if ((!uptodate)); then
  start=$(date +%s)
  if [ ! -f "$ff/.stamp" ] || [ "$(cat "$ff/.stamp")" != "$stamp" ]; then
    rm -rf "$ff"
    mkdir -p "$ff"
    san='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
    # --enable-ossfuzz: codec_list[] becomes the writable array the fuzzer fills in.
    # The compiler flags go in CFLAGS from the environment, which configure starts
    # from, as OSS-Fuzz does: with -fsanitize= there it adds no coverage flags of its
    # own (trace-pc-guard, where we want libFuzzer's -fsanitize=fuzzer-no-link).
    # libFuzzer's main comes from -fsanitize=fuzzer at the end of the link (LIBFUZZER_PATH).
    # The mjpeg decoder is enabled only because target_dec_fuzzer.c refers to it for
    # every decoder: its `#if FFMPEG_DECODER == tiff` compares two undefined names (0 == 0).
    # -O1 and line tables only, as OSS-Fuzz builds FFmpeg: faster to build, exact stacks.
    log "configuring FFmpeg in $ff"
    (cd "$ff" && CFLAGS="$san -fsanitize=fuzzer-no-link -gline-tables-only" \
       PKG_CONFIG_PATH="$out/pkgconfig" "$src/configure" \
       --cc="$cc" --ld="$cc" --disable-everything --disable-autodetect --disable-programs \
       --disable-doc --disable-debug --disable-x86asm --disable-network --disable-avdevice \
       --disable-avformat --disable-avfilter --disable-swscale --disable-swresample \
       --disable-postproc --enable-libbytelm --enable-decoder=libbytelm,libbytelm_video,mjpeg \
       --enable-ossfuzz --libfuzzer=-fsanitize=fuzzer --optflags=-O1 \
       --extra-ldflags="$san" >configure.log 2>&1) ||
      { tail -n 30 "$ff/configure.log" "$ff/ffbuild/config.log" >&2; exit 1; }
  fi
  rm -f "${bins[@]}" # relinked with the current libbytelm.a
  mkdir -p "$ff/tools" # configure makes the output dirs of the libraries only
  # FFmpeg 5.1.9's target_dec_fuzzer.c has a line backported from 6.x that names
  # AV_CODEC_ID_RTV1, which 5.1 lacks: for that object only, a case that never matches.
  echo 'tools/target_dec_%_fuzzer.o: CPPFLAGS += -DAV_CODEC_ID_RTV1=AV_CODEC_ID_NONE' >"$ff/fuzzer.mk"
  log "building ${bins[*]#"$ff/"} with $jobs jobs"
  make -C "$ff" -f Makefile -f fuzzer.mk -j"$jobs" "${bins[@]#"$ff/"}" >"$ff/make.log" 2>&1 ||
    { tail -n 40 "$ff/make.log" >&2; exit 1; }
  echo "$stamp" >"$ff/.stamp"
  log "built in $(( $(date +%s) - start )) s"
fi

[ "$secs" != 0 ] || exit 0

# The seeds name models/test-tiny.blmm (FLAC and stored frames) or built-in models
# (model frames); the decoder finds test-tiny through BYTELM_MODEL_PATH. A directory
# that holds only it keeps the per-input search short.
mkdir -p "$out/models"
ln -sf "$root/models/test-tiny.blmm" "$out/models/"
export BYTELM_MODEL_PATH=$out/models
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  work=$out/fuzz/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  for s in tests/fuzz/corpus/ffmpeg-$t tests/fuzz/regress/ffmpeg-$t; do [ -d "$s" ] && seeds+=("$s"); done
  # -close_fd_mask=2: the fuzzer prints a line per input on stderr; libFuzzer and the
  # sanitizers keep writing their reports to the log (a copy of stderr).
  fuzz_run "fuzz-ffmpeg $t" "$ff/tools/target_dec_${t}_fuzzer" "$work" "$secs" -max_len=8192 \
    -close_fd_mask=2 "$work/corpus" ${seeds[@]+"${seeds[@]}"} || status=1
done
exit $status
