#!/usr/bin/env bash
# Writes docs/BENCHMARKS.md: ratio against the reference codecs on the dev-eval sets,
# speed against flac -8, and the pre-transform measurements, each table with the
# command that produced it. Needs the corpus (tools/corpus/build.sh).
#
# usage: tools/bench/report.sh [--budget BYTES] [--seconds S] [--runs N]
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=2000000 seconds=30 runs=3
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "usage: $0 [--budget BYTES] [--seconds S] [--runs N]" >&2; exit 2 ;;
  esac
done
builddir=${BUILDDIR:-build}
ninja -C "$builddir" >/dev/null
out=docs/BENCHMARKS.md
tmp=$(mktemp)
model=$("$builddir/core/cli/bytelm" -v -f -o /dev/null samples/speech-ru-16k-mono.wav 2>&1 |
        sed -n 's/.*: model \([^ ]*\) (\([0-9a-f]\{12\}\).*/\1 (\2…)/p' | head -1)
{
  echo "# Benchmarks"
  echo
  echo "Produced by \`tools/bench/report.sh --budget $budget --seconds $seconds --runs $runs\` on"
  echo "$(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with local changes)'),"
  echo "default model ${model:-?}. Every output below was decoded and compared with its input."
  echo
  echo "## Compression on the dev-eval sets"
  echo
  echo "Files spread evenly over each dev-eval set (docs/CORPUS.md), up to $budget raw bytes per"
  echo "set; sizes summed over files. \`flac -8\` runs with \`--no-padding\` (its default 8 KiB"
  echo "padding block would count against FLAC). Command:"
  echo "\`python3 tools/bench/ratio.py --budget $budget\`"
  echo
  python3 tools/bench/ratio.py --budget "$budget"
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
echo "wrote $out"
