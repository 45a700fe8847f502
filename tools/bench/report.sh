#!/usr/bin/env bash
# Writes docs/BENCHMARKS.md: every codec against bytelm on the dev-eval sets (sizes,
# speed, memory: tools/bench/bench.py, which also writes docs/benchmarks.csv and the
# chart docs/benchmarks.png, and the summary in README.md's Benchmarks section), speed
# against flac -8 on longer audio, and the pre-transform measurements, each table with
# the command that produced it. Needs the corpus (tools/corpus/build.sh).
#
# usage: tools/bench/report.sh [--budget BYTES] [--seconds S] [--runs N] [--threads N]
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=2000000 seconds=30 runs=3 threads=1
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    *) echo "usage: $0 [--budget BYTES] [--seconds S] [--runs N] [--threads N]" >&2; exit 2 ;;
  esac
done
builddir=${BUILDDIR:-build}
ninja -C "$builddir" >/dev/null
out=docs/BENCHMARKS.md
tmp=$(mktemp)
benchdir=$(mktemp -d)
trap 'rm -rf "$benchdir"' EXIT
model_of() {
  "$builddir/core/cli/bytelm" -v -c "$1" 2>&1 >/dev/null |
    sed -n 's/.*: model \([^ ]*\) (\([0-9a-f]\{12\}\).*/\1 (\2…)/p' | head -1
}
model="$(model_of samples/speech-ru-16k-mono.wav) below 32 kHz, $(model_of samples/music-tabla-44k-stereo.wav) at 32 kHz and above"
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`tools/bench/report.sh --budget $budget --seconds $seconds --runs $runs\` on"
  echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)'),"
  echo "default PCM models ${model:-?}. Every output below was decoded and compared with its input."
  echo
  echo "## Compression and speed on the dev-eval sets"
  echo
  echo "Files spread evenly over each dev-eval set (docs/CORPUS.md), up to $budget raw bytes per"
  echo "set, coded by bytelm (each preset and model that applies) and by gzip, xz, zstd, FLAC,"
  echo "WavPack, optipng, WebP and JPEG-XL where they fit; every output decoded and compared."
  echo "\`flac\` runs with \`--no-padding\` (its default 8 KiB padding block would count against"
  echo "FLAC). All numbers: [benchmarks.csv](benchmarks.csv). Size against decode speed:"
  echo
  echo "![compressed size against decode speed per codec](benchmarks.png)"
  echo
  python3 tools/bench/bench.py --budget "$budget" --runs "$runs" --threads "$threads" -q \
    --out "$benchdir" --readme README.md \
    --command "python3 tools/bench/bench.py --budget $budget --runs $runs --threads $threads"
  cp "$benchdir/bench.csv" docs/benchmarks.csv
  if [ -f "$benchdir/bench.png" ]; then cp "$benchdir/bench.png" docs/benchmarks.png; fi
  echo
  echo "## Speed"
  echo
  echo "Command: \`bash tools/bench/speed.sh --runs $runs --seconds $seconds\`"
  echo
  bash tools/bench/speed.sh --runs "$runs" --seconds "$seconds"
  echo
  echo "## Pre-transforms"
  echo
  echo "The pre-transforms of docs/FORMAT.md §4 against the raw bytes, measured with model-free"
  echo "proxies (adaptive order-0 and order-1 code lengths, context = phase and previous token)."
  echo "Command: \`python3 tools/bench/transforms.py\`"
  echo
  python3 tools/bench/transforms.py
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out, docs/benchmarks.csv, docs/benchmarks.png and README.md's Benchmarks table"
