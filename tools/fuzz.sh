#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ into build-fuzz/ (clang, ASan, UBSan) and
# runs each for a bounded time, starting from its seeds and whatever earlier runs kept.
#   tools/fuzz.sh [SECONDS] [TARGET...]    default: 60 s each; decoder encoder model wav image
# A crash, leak, UB report or per-input timeout (30 s) stops the target and fails the
# script; the input is left in WORK/TARGET/artifacts/ (make it a regression test:
# tests/fuzz/regress/TARGET/, see docs/ROBUSTNESS.md). WORK is $FUZZ_WORK, by default
# build-fuzz/fuzz; it keeps each target's corpus and log.txt between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/fuzz-lib.sh
secs=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(decoder encoder model wav image)
dir=${FUZZ_BUILDDIR:-build-fuzz}
if [ ! -f "$dir/build.ninja" ]; then
  CC=${FUZZ_CC:-clang-14} meson setup "$dir" --buildtype=debugoptimized -Dfuzzing=true \
    -Dgst=disabled -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=undefined' >/dev/null
fi
ninja -C "$dir" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for t in "${targets[@]}"; do
  work=${FUZZ_WORK:-$dir/fuzz}/$t
  mkdir -p "$work/corpus" "$work/artifacts"
  seeds=()
  for s in tests/fuzz/corpus/$t tests/fuzz/regress/$t; do [ -d "$s" ] && seeds+=("$s"); done
  max_len=8192
  limits=()
  if [ "$t" = model ]; then
    # its seed is a model file; the run's own corpus is kept in $work
    cp -n models/test-tiny.blmm "$work/corpus/"
    max_len=65536
  elif [ "$t" = image ]; then
    # The PNG reader gets 64 MiB here (FUZZ_PNG_MEMORY) and PGM/PPM needs none: one
    # malloc over 128 MiB, or 512 MiB resident, is memory sized by a claim in the file
    # (a 44-byte PNG once made libpng allocate 2 GiB, under the 2.5 GiB default).
    limits=(-rss_limit_mb=512 -malloc_limit_mb=128)
  fi
  fuzz_run "fuzz $t" "$dir/tests/fuzz/fuzz_$t" "$work" "$secs" -max_len=$max_len \
    ${limits[@]+"${limits[@]}"} "$work/corpus" ${seeds[@]+"${seeds[@]}"} || status=1
done
exit $status
