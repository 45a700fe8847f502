#!/usr/bin/env bash
# Builds FFmpeg with bytelm (avcodec/build-ffmpeg.sh, a no-op when up to date) and
# runs every test here; tools/test.sh calls it after meson's tests. A test passes
# with exit 0, is skipped with 77; logs go to build/ffmpeg-tests/NAME.log.
# Last line: "ffmpeg: N passed, N failed, N skipped".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
builddir=${BUILDDIR:-build}
case $builddir in /*) ;; *) builddir=$root/$builddir;; esac
logdir=$builddir/ffmpeg-tests
mkdir -p "$logdir"
pass=0 failed=0 skipped=0

start=$(date +%s)
if ! bash "$root/avcodec/build-ffmpeg.sh" >"$logdir/build.log" 2>&1; then
  tail -30 "$logdir/build.log"
  echo "FAIL ffmpeg-build (log: $logdir/build.log)"
  echo "ffmpeg: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
echo "ok   ffmpeg-build $(( $(date +%s) - start )) s: $(tail -1 "$logdir/build.log")"

for t in "$here"/*.sh; do
  name=$(basename "$t" .sh)
  case $name in lib|run) continue;; esac
  start=$(date +%s)
  timeout 900 bash "$t" >"$logdir/$name.log" 2>&1
  rc=$?
  took="$(( $(date +%s) - start )) s"
  case $rc in
    0)  pass=$((pass + 1)); echo "ok   $name $took";;
    77) skipped=$((skipped + 1)); echo "skip $name: $(tail -1 "$logdir/$name.log")";;
    *)  failed=$((failed + 1)); sed 's/^/    /' "$logdir/$name.log" | tail -15
        echo "FAIL $name $took (exit $rc, log: $logdir/$name.log)";;
  esac
done
echo "ffmpeg: $pass passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
