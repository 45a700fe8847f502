#!/usr/bin/env bash
# Seek latency: how long `bytelm -d --skip=T --until=T+0.1` takes to write 0.1 s of
# audio from T, at positions spread over a minute of 44.1 kHz stereo music, against
# `flac -d --skip --until` on the same WAV (docs/BENCHMARKS.md). bytelm decodes the
# frames that hold the range (found through the seek table), so the latency is about
# one frame's decode; FLAC's frames are 4096 samples.
#
# usage: tools/bench/seek.sh [--positions N] [--seconds S] [--presets default,fast,max]
# Input: the dev-eval corpus (tools/corpus/build.sh) when present, else samples/.
# Prints a Markdown table: per codec, the frame length and the median and the longest
# wall time over the N positions (one thread, each a fresh process, so a process
# start and the model-free setup are included).
set -euo pipefail
cd "$(dirname "$0")/../.."
positions=10 seconds=60 presets=default,fast,max
while [ $# -gt 0 ]; do
  case "$1" in
    --positions) positions=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --presets) presets=$2; shift 2 ;;
    *) echo "usage: $0 [--positions N] [--seconds S] [--presets LIST]" >&2; exit 2 ;;
  esac
done
builddir=${BUILDDIR:-build}
ninja -C "$builddir" >/dev/null
bytelm=$(realpath "$builddir/core/cli/bytelm")
corpus=${BYTELM_CACHE:-$HOME/.cache/bytelm}/corpus/dev
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. tools/bench/inputs.sh
make_input music 44100 2 "$corpus/audio-music/*.s16" samples/music-tabla-44k-stereo.wav
length=$(soxi -D "$work/music.wav")

longest() { sort -g | tail -1; }
# the wall time of one command, in milliseconds
ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
# positions: N points spread over the input, each 0.1 s short of a whole second
points=$(awk -v n="$positions" -v len="$length" 'BEGIN { for (i = 0; i < n; i++) printf "%.3f\n", (i + 0.5) * (len - 0.2) / n }')

echo "Input: $(printf '%.1f' "$length") s of 44.1 kHz stereo music; $positions positions; one thread; wall time of the whole command"
echo
echo "| codec | frame | median ms | longest ms |"
echo "| --- | --- | --- | --- |"
for preset in ${presets//,/ }; do
  "$bytelm" -q -f -j 1 --preset="$preset" -o "$work/m.blm" "$work/music.wav"
  frame=$("$bytelm" info "$work/m.blm" | sed -n 's/.*frame size: *\([0-9]*\).*/\1/p')
  times=$(for p in $points; do
    until=$(awk -v p="$p" 'BEGIN { printf "%.3f", p + 0.1 }')
    ms "$bytelm" -q -f -j 1 -d --skip="$p" --until="$until" -o "$work/part.wav" "$work/m.blm"
  done)
  printf '| bytelm --preset=%s | %s samples (%.2f s) | %s | %s |\n' "$preset" "$frame" \
    "$(awk -v f="$frame" 'BEGIN { print f / 44100 }')" "$(echo "$times" | median)" "$(echo "$times" | longest)"
done
flac -s -f -8 --no-padding -o "$work/m.flac" "$work/music.wav"
mmss() { awk -v t="$1" 'BEGIN { m = int(t / 60); printf "%d:%06.3f", m, t - 60 * m }'; }
times=$(for p in $points; do
  until=$(awk -v p="$p" 'BEGIN { printf "%.3f", p + 0.1 }')
  ms flac -s -f -d --skip="$(mmss "$p")" --until="$(mmss "$until")" -o "$work/part.wav" "$work/m.flac"
done)
printf '| flac -8 | 4096 samples (0.09 s) | %s | %s |\n' "$(echo "$times" | median)" "$(echo "$times" | longest)"
