#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
builddir=${BUILDDIR:-build}
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" --buildtype=release
ninja -C "$builddir"
status=0
meson test -C "$builddir" --print-errorlogs "$@" | tee "$builddir/test-summary.txt" || status=$?
ok=$(awk '/^Ok:/ {print $2}' "$builddir/test-summary.txt")
bad=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {n += $NF} END {print n + 0}' "$builddir/test-summary.txt")
# FFmpeg with the bytelm codec (docs/FFMPEG.md): built (once; a stamp keeps it) and
# tested after meson's tests, unless arguments select meson tests or BYTELM_FFMPEG=0.
if [ $# -eq 0 ] && [ "${BYTELM_FFMPEG:-1}" != 0 ]; then
  BUILDDIR=$builddir bash tests/ffmpeg/run.sh | tee "$builddir/ffmpeg-test-summary.txt" || status=1
  fok=$(awk '/^ffmpeg: [0-9]+ passed/ {print $2}' "$builddir/ffmpeg-test-summary.txt")
  fbad=$(awk '/^ffmpeg: [0-9]+ passed/ {print $4}' "$builddir/ffmpeg-test-summary.txt")
  ok=$(( ${ok:-0} + ${fok:-0} ))
  bad=$(( bad + ${fbad:-1} ))
fi
# The same tests under AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/),
# then each libFuzzer target for FUZZ_SECONDS (default 60; tools/fuzz.sh), unless
# arguments select meson tests, BYTELM_ASAN=0 or FUZZ_SECONDS=0 (docs/ROBUSTNESS.md).
# BYTELM_TEST_QUICK=1 gives the slowest tests a smaller workload under the sanitizers.
if [ $# -eq 0 ] && [ "${BYTELM_ASAN:-1}" != 0 ]; then
  [ -f build-asan/build.ninja ] || meson setup build-asan --buildtype=debugoptimized -Dgst=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fno-sanitize-recover=undefined >/dev/null
  ninja -C build-asan >/dev/null
  BYTELM_TEST_QUICK=1 meson test -C build-asan --print-errorlogs --timeout-multiplier 3 \
    | tee build-asan/test-summary.txt || status=1
  aok=$(awk '/^Ok:/ {print $2}' build-asan/test-summary.txt)
  abad=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {n += $NF} END {print n + 0}' build-asan/test-summary.txt)
  ok=$(( ${ok:-0} + ${aok:-0} ))
  bad=$(( bad + ${abad:-1} ))
fi
if [ $# -eq 0 ] && [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  FUZZ_WORK=build-fuzz/fuzz-test bash tools/fuzz.sh "${FUZZ_SECONDS:-60}" | tee "$builddir/fuzz-summary.txt" || status=1
  ok=$(( ${ok:-0} + $(grep -c 'no crash' "$builddir/fuzz-summary.txt" || true) ))
  bad=$(( bad + $(grep -c 'FAILED' "$builddir/fuzz-summary.txt" || true) ))
fi
# FFmpeg's own decoder fuzzer on the bytelm decoders (tools/fuzz-ffmpeg.sh), after the
# FFmpeg tests above built the patched source.
if [ $# -eq 0 ] && [ "${FUZZ_SECONDS:-60}" != 0 ] && [ "${BYTELM_FFMPEG:-1}" != 0 ]; then
  BUILDDIR=$builddir bash tools/fuzz-ffmpeg.sh "${FUZZ_SECONDS:-60}" \
    | tee "$builddir/fuzz-ffmpeg-summary.txt" || status=1
  ok=$(( ${ok:-0} + $(grep -c 'no crash' "$builddir/fuzz-ffmpeg-summary.txt" || true) ))
  bad=$(( bad + $(grep -c 'FAILED' "$builddir/fuzz-ffmpeg-summary.txt" || true) ))
fi
echo "tests: ${ok:-0} passed, ${bad} failed"
exit $status
