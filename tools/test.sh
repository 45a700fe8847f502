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
echo "tests: ${ok:-0} passed, ${bad} failed"
exit $status
