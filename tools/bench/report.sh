#!/usr/bin/env bash
# Writes docs/BENCHMARKS.md: every codec against bytelm on the dev-eval sets (sizes,
# speed, memory: tools/bench/bench.py, which also writes docs/benchmarks.csv and the
# chart docs/benchmarks.png, and the summary in README.md's Benchmarks section), speed
# against flac -8 on longer audio, every file of the dev-eval audio sets against flac -8
# and sac (tools/bench/sac_files.py; --no-whole-sets leaves it out), seek latency
# (tools/bench/seek.sh), images with alpha and 16-bit samples (tools/bench/kinds.py),
# camera frames and photos (tools/bench/images.py), and the pre-transform measurements,
# each table with the command that produced it. Needs the corpus (tools/corpus/build.sh).
# sac, the optional audio baseline, is measured when a `sac` program is on PATH; the
# report says how to build it (section "Building sac").
#
# usage: tools/bench/report.sh [--budget BYTES] [--seconds S] [--runs N] [--threads N]
#                               [--no-whole-sets]
set -euo pipefail
cd "$(dirname "$0")/../.."
budget=2000000 seconds=30 runs=3 threads=1 whole=1
usage="usage: $0 [--budget BYTES] [--seconds S] [--runs N] [--threads N] [--no-whole-sets]"
while [ $# -gt 0 ]; do
  case "$1" in
    --budget) budget=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --no-whole-sets) whole=0; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
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
sac_section() {
  cat <<'EOF'
## Building sac

sac (https://github.com/slmdev/sac, MIT licence) is the open-source state of the art in
lossless audio and the bar bytelm's audio is measured against. When a `sac` program is on PATH,
tools/bench/bench.py and ratio.py add `sac --normal` and `sac --high` to the audio rows,
and speed.sh `sac --normal` (`--sac-modes normal,high` for both); without one they leave
sac out with a note. `sac --high` encodes some 30 times slower than real time on one
core (44.1 kHz stereo, 2026-12-04), so it adds a few minutes per set to a report.sh run.
Neither sac's code nor a build script for it is kept in this repository: build it
outside, as follows (done here at its commit 50fc621, v0.7.25 with two later fixes, with
Debian 12's g++ 12.2).

Its makefile compiles `src/**/*.cpp` with `-O3 -std=c++20 -march=native -fno-math-errno`
and links them statically (`-static -s`). g++ 12's libstdc++ has no `<format>`, which five
of sac's files include for `std::format` calls, each with one argument and a printf-like
spec (`"{:.3f}"`, `"{:5}"`, `"{:#x}"`, `"{:.1f}%"`). So put a header file named `format`
(no extension) in a directory of its own, say `shim/`, that defines in namespace `std`
a template `string format(const char *fmt, T value)`: it copies `fmt`, doubling any
literal `%`, turns the `{:spec}` into printf's `%spec`, adding the conversion that `T`
needs (`g` for a floating-point value whose spec names none, `lld` for an integer, `llx`
where the spec ends in `x`), and returns the `snprintf` of the value (cast to `double`,
`long long` or `unsigned long long`) into a small buffer. Also, `src/common/md5.h` uses
`size_t` without including `<cstddef>`, which g++ 12's headers do not bring in. Then, in
sac's source directory, run `make CXXFLAGS="-O3 -std=c++20 -march=native -fno-math-errno
-Ishim -include cstddef"` (the makefile's own flags plus those two) and copy the `sac` it
builds to a directory on PATH, e.g. `install -m 755 sac /usr/local/bin/sac`.
`-march=native` makes a binary for the building CPU only (the banner says `AVX2` where it
is used). Check it with `sac --encode --normal x.wav x.sac && sac --decode x.sac y.wav &&
cmp x.wav y.wav`; the build at 50fc621 also prints a few ` mse:` lines at start-up, a
leftover debug message that does not change its output.

sac reads and writes WAV (1 to 16 bits, mono or stereo): the harness wraps each raw
dev-eval file in a 44-byte WAV header (tools/bench/media.py) before the clock starts, and
compares the samples of the decoded WAV with the input. By default sac codes the two
channels of stereo on two threads (`--mt-mode=2`); the harness passes `--mt-mode=0` (one
thread) when run with one thread (`-j 1`, and always in speed.sh), which leaves the
stream unchanged. `tools/bench/sac_files.py GROUP --budget N` prints the files a budget
picks (path, rate, channels, bytes), and with `--sizes` their flac -8, sac --normal and
sac --high sizes one by one.
EOF
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
  echo "WavPack, optipng, WebP and JPEG-XL where they fit, and by sac (\`--normal\`, \`--high\`) on"
  echo "audio when a \`sac\` program is on PATH (see [Building sac](#building-sac)); every output"
  echo "decoded and compared."
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
  if [ "$whole" = 1 ]; then
    codecs="flac -8,sac --normal,bytelm,bytelm --preset=fast"
    have_sac=1
    command -v sac >/dev/null || { have_sac=0; codecs="flac -8,bytelm,bytelm --preset=fast"; }
    echo "## Every file of the dev-eval audio sets"
    echo
    echo "Every file of the dev-eval speech and music (not the picks above), each coded, decoded"
    echo "and compared on its own: bytelm through the command-line tool (\`--raw=pcm -j 1\`, the"
    echo "whole .blm counted), flac -8 (\`--no-padding\`) and sac --normal (WAV in, WAV out). The"
    echo "audio goal is measured here: each set on its own against sac --normal."
    [ "$have_sac" = 1 ] || echo "No \`sac\` on PATH when this ran: sac is left out."
    echo "Command: \`python3 tools/bench/sac_files.py audio-speech,audio-music --budget 0 --sizes"
    echo "--codecs \"$codecs\" --workers 2 --table\` (per-file sizes in /tmp/sac_sizes_*_0.tsv)"
    echo
    python3 tools/bench/sac_files.py audio-speech,audio-music --budget 0 --sizes --codecs "$codecs" \
      --build "$builddir" --workers 2 --table >"$benchdir/whole.txt" 2>"$benchdir/whole.log" ||
      { cat "$benchdir/whole.log" >&2; exit 1; }
    grep '^|' "$benchdir/whole.txt"
    echo
  fi
  echo "## Seek latency"
  echo
  echo "How long \`bytelm -d --skip=T --until=T+0.1\` takes, in a fresh process, to write 0.1 s"
  echo "of audio from T: the tool reads the seek table and decodes the frame that holds T (and"
  echo "the next when the range crosses into it), so the latency is about one frame's decode."
  echo "FLAC's \`flac -d --skip --until\` on the same WAV for comparison. sac has no seeking."
  echo "Command: \`bash tools/bench/seek.sh --seconds 60\`"
  echo
  bash tools/bench/seek.sh --seconds 60
  echo
  echo "## Images with alpha and 16-bit samples"
  echo
  echo "Every 8-bit PNG with alpha and every 16-bit PNG of the dev-eval package libjxl-testdata,"
  echo "coded by the command-line tool as a user runs it (\`bytelm --verify -j 2\`, then"
  echo "\`bytelm -d\` to PNG timed on 1 and on 2 threads) and by \`cjxl -d 0 -e 7\` / \`djxl\`."
  echo "Command: \`python3 tools/bench/kinds.py\`"
  python3 tools/bench/kinds.py
  echo
  echo "## Camera frames and photos"
  echo
  echo "The dev-eval images of the images-v2 goal, each group on its own: the 80 gray camera"
  echo "frames and the four RGB photos, as PGM/PPM through the command-line tool (\`bytelm -j 2\`,"
  echo "\`bytelm -d\` timed on 1 and on 2 threads) and through \`cjxl -d 0 -e 7\` and \`-e 9\` / \`djxl\`."
  echo "Command: \`python3 tools/bench/images.py --e9\`"
  python3 tools/bench/images.py --e9
  echo
  echo "## Pre-transforms"
  echo
  echo "The pre-transforms of docs/FORMAT.md §4 against the raw bytes, measured with model-free"
  echo "proxies (adaptive order-0 and order-1 code lengths, context = phase and previous token)."
  echo "Command: \`python3 tools/bench/transforms.py\`"
  echo
  python3 tools/bench/transforms.py
  echo
  sac_section
} > "$tmp"
mv "$tmp" "$out"
echo "wrote $out, docs/benchmarks.csv, docs/benchmarks.png and README.md's Benchmarks table"
