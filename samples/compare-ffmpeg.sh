#!/usr/bin/env bash
# bytelm against FLAC in FFmpeg: one ffmpeg run encodes the same input with
# -c:a flac and -c:a bytelm (and keeps its raw samples), one run decodes both,
# both decodes are compared with the input, and the sizes are printed side by side.
#
#   samples/compare-ffmpeg.sh [FILE]     (any audio FFmpeg reads; default
#                                         samples/speech-ru-16k-mono.wav)
#
# Uses build/ffmpeg/ffmpeg from avcodec/build-ffmpeg.sh (BUILD=dir for another
# build directory). Exit status 1 if a decode differs from the input.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
ffmpeg=$build/ffmpeg/ffmpeg
[ -x "$ffmpeg" ] || { echo "compare-ffmpeg: no $ffmpeg (run avcodec/build-ffmpeg.sh)" >&2; exit 1; }
in=${1:-$here/samples/speech-ru-16k-mono.wav}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
ff() { "$ffmpeg" -nostdin -hide_banner -v error -y "$@"; }
now() { date +%s.%N; }

t0=$(now)
ff -i "$in" -map 0:a:0 -c:a pcm_s16le -f s16le "$dir/input.raw" \
            -map 0:a:0 -c:a flac "$dir/out.flac" \
            -map 0:a:0 -c:a bytelm "$dir/out.blm"
t1=$(now)
ff -i "$dir/out.flac" -i "$dir/out.blm" \
   -map 0:a -f s16le "$dir/flac.raw" -map 1:a -f s16le "$dir/bytelm.raw"
t2=$(now)

status=0
verdict() { if cmp -s "$dir/input.raw" "$dir/$1.raw"; then echo identical; else echo DIFFERENT; fi; }
cmp -s "$dir/input.raw" "$dir/flac.raw" && cmp -s "$dir/input.raw" "$dir/bytelm.raw" || status=1
raw=$(stat -c %s "$dir/input.raw")
flac=$(stat -c %s "$dir/out.flac")
blm=$(stat -c %s "$dir/out.blm")
ratio() { awk -v a="$1" -v b="$raw" 'BEGIN { printf "%.4f", a / b }'; }

echo "input: $in ($raw bytes of s16le PCM)"
printf '%-8s %10s %8s  %s\n' codec bytes ratio "decoded vs input"
printf '%-8s %10s %8s  %s\n' raw "$raw" 1.0000 -
printf '%-8s %10s %8s  %s\n' flac "$flac" "$(ratio "$flac")" "$(verdict flac)"
printf '%-8s %10s %8s  %s\n' bytelm "$blm" "$(ratio "$blm")" "$(verdict bytelm)"
awk -v e="$(echo "$t1 - $t0" | bc)" -v d="$(echo "$t2 - $t1" | bc)" \
  'BEGIN { printf "encode both: %.2f s, decode both: %.2f s\n", e, d }'
exit $status
