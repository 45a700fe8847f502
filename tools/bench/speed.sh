#!/usr/bin/env bash
# Encode and decode speed of bytelm against flac -8, and sac when a `sac` program is on
# PATH (docs/BENCHMARKS.md says how to build it), measured in the same run, on 16 kHz
# mono speech and 44.1 kHz stereo music (docs/BENCHMARKS.md).
#
# usage: tools/bench/speed.sh [--runs N] [--seconds S] [--presets default,fast,...]
#                             [--sac-modes normal,high]
# sac runs on one thread (--mt-mode=0); --sac-modes defaults to normal (--high encodes
# some 40 times slower than real time on 44.1 kHz stereo; its decoder is --normal's class).
# Input: the dev-eval corpus (tools/corpus/build.sh) when present, else samples/.
# Prints a Markdown table; each timing is the median of N runs (default 3).
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=3 seconds=60 presets=default,fast sac_modes=normal
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --presets) presets=$2; shift 2 ;;
    --sac-modes) sac_modes=$2; shift 2 ;;
    *) echo "usage: $0 [--runs N] [--seconds S] [--presets LIST] [--sac-modes LIST]" >&2; exit 2 ;;
  esac
done
builddir=${BUILDDIR:-build}
ninja -C "$builddir" >/dev/null
bytelm=$(realpath "$builddir/core/cli/bytelm")
corpus=${BYTELM_CACHE:-$HOME/.cache/bytelm}/corpus/dev
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

. tools/bench/inputs.sh
make_input speech 16000 1 "$corpus/audio-speech/festvox-ru__*.s16" samples/speech-ru-16k-mono.wav
make_input music 44100 2 "$corpus/audio-music/*.s16" samples/music-tabla-44k-stereo.wav

time_cmd() { # runs the command N times, prints the median wall time in seconds
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
  done | median
}

kernels=$("$bytelm" -v -f "$work/speech.wav" -o "$work/k.blm" 2>&1 | sed -n 's/.*kernels \([a-z0-9]*\).*/\1/p' | head -1)
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; kernels: ${kernels:-?}; median of $runs runs"
echo
echo "| input | codec | threads | size / raw | encode MB/s | encode x real-time | decode MB/s | decode x real-time | decode MB/s per core |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
for name in speech music; do
  wav="$work/$name.wav"
  raw=$(stat -c %s "$work/$name.raw")
  dur=$(soxi -D "$wav")
  label=$([ $name = speech ] && echo "16 kHz mono speech, ${dur%.*} s" || echo "44.1 kHz stereo music, ${dur%.*} s")
  row() { # codec threads size enc_s dec_s
    awk -v l="$label" -v c="$1" -v j="$2" -v sz="$3" -v raw="$raw" -v d="$dur" -v e="$4" -v dd="$5" 'BEGIN {
      printf "| %s | %s | %s | %.4f | %.2f | %.1fx | %.2f | %.1fx | %.2f |\n",
        l, c, j, sz / raw, raw / e / 1e6, d / e, raw / dd / 1e6, d / dd, raw / dd / 1e6 / j }'
  }
  for p in ${presets//,/ }; do
    for j in 1 2; do
      enc=$(time_cmd "$bytelm" -q -f -j "$j" --preset="$p" "$wav" -o "$work/$name.blm")
      dec=$(time_cmd "$bytelm" -q -f -d -j "$j" "$work/$name.blm" -o "$work/$name.back.wav")
      cmp -s <(sox "$wav" -t raw -) <(sox "$work/$name.back.wav" -t raw -) || { echo "bytelm round trip differs" >&2; exit 1; }
      row "bytelm --preset=$p" "$j" "$(stat -c %s "$work/$name.blm")" "$enc" "$dec"
    done
  done
  enc=$(time_cmd flac -s -8 --no-padding -f "$wav" -o "$work/$name.flac")
  dec=$(time_cmd flac -s -d -f "$work/$name.flac" -o "$work/$name.flac.wav")
  row "flac -8" 1 "$(stat -c %s "$work/$name.flac")" "$enc" "$dec"
  if command -v sac >/dev/null; then
    for m in ${sac_modes//,/ }; do
      enc=$(time_cmd sac --encode "--$m" --mt-mode=0 "$wav" "$work/$name.sac")
      dec=$(time_cmd sac --decode --mt-mode=0 "$work/$name.sac" "$work/$name.sac.wav")
      cmp -s <(sox "$wav" -t raw -) <(sox "$work/$name.sac.wav" -t raw -) || { echo "sac round trip differs" >&2; exit 1; }
      row "sac --$m" 1 "$(stat -c %s "$work/$name.sac")" "$enc" "$dec"
    done
  fi
done
if ! command -v sac >/dev/null; then
  echo
  echo "sac was not on PATH: no sac rows (docs/BENCHMARKS.md says how to build it)."
fi
