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
echo "tests: ${ok:-0} passed, ${bad} failed"
exit $status
