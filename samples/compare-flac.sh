#!/usr/bin/env bash
# bytelm against FLAC in one GStreamer pipeline: a WAV is teed into flacenc and
# bytelmenc, each stream is written to a file and decoded again in the same
# pipeline, and both decodes are compared with the input samples.
# Then each codec is timed alone (encode to a file, decode to fakesink).
#
#   samples/compare-flac.sh [FILE.wav]      (16-bit PCM; without FILE: 10 s of test tones)
#
# Uses the uninstalled plugin in build/gst-plugin when there is one (BUILD=dir to
# choose another build directory), else the installed one.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$here/build}
if [ -e "$build/gst-plugin/libgstbytelm.so" ]; then
  export GST_PLUGIN_PATH="$build/gst-plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
  export GST_REGISTRY="${GST_REGISTRY:-$build/gst-registry-samples.bin}"
fi
gst-inspect-1.0 bytelmenc >/dev/null 2>&1 || { echo "compare-flac: bytelmenc not found (build the plugin first)" >&2; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
wav=${1:-}
if [ -z "$wav" ]; then
  wav=$dir/test.wav
  gst-launch-1.0 -q audiotestsrc num-buffers=431 samplesperbuffer=1024 wave=ticks \
    ! audio/x-raw,format=S16LE,rate=44100,channels=2 ! wavenc ! filesink location="$wav"
fi

now() { date +%s.%N; }

# 1. one pipeline: tee into both encoders, keep each stream and decode it again.
# The sinks do not preroll (async=false): bytelmenc holds about a second and a half
# of audio before its first frame, so prerolling sinks on the other branches
# would fill the queues and stall the tee.
start=$(now)
gst-launch-1.0 -m filesrc location="$wav" ! wavparse ! audio/x-raw,format=S16LE ! tee name=t \
  t. ! queue ! filesink location="$dir/input.raw" async=false \
  t. ! queue ! flacenc ! tee name=f \
     f. ! queue ! filesink location="$dir/out.flac" async=false \
     f. ! queue ! flacparse ! flacdec ! audio/x-raw,format=S16LE ! filesink location="$dir/flac.raw" async=false \
  t. ! queue ! bytelmenc ! tee name=b \
     b. ! queue ! filesink location="$dir/out.blm" async=false \
     b. ! queue ! bytelmdec ! filesink location="$dir/bytelm.raw" async=false \
  > "$dir/messages.txt"
both=$(echo "$(now) - $start" | bc)
grep -o 'bytelmenc-stats.*' "$dir/messages.txt" | sed 's/^/bytelmenc message: /' || true

status=0
for c in flac bytelm; do
  if cmp -s "$dir/input.raw" "$dir/$c.raw"; then
    echo "$c: decoded samples identical to the input"
  else
    echo "$c: DECODED SAMPLES DIFFER FROM THE INPUT" >&2
    status=1
  fi
done

# 2. each codec alone, for its times
time_of() { local s; s=$(now); "$@"; echo "$(now) - $s" | bc; }
t_flac_enc=$(time_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! flacenc ! filesink location="$dir/solo.flac")
t_flac_dec=$(time_of gst-launch-1.0 -q filesrc location="$dir/solo.flac" ! flacparse ! flacdec ! fakesink)
t_blm_enc=$(time_of gst-launch-1.0 -q filesrc location="$wav" ! wavparse ! bytelmenc ! filesink location="$dir/solo.blm")
t_blm_dec=$(time_of gst-launch-1.0 -q filesrc location="$dir/solo.blm" ! bytelmparse ! bytelmdec ! fakesink)

raw=$(stat -c %s "$dir/input.raw")
flac=$(stat -c %s "$dir/out.flac")
blm=$(stat -c %s "$dir/out.blm")
echo
printf '%-8s %12s %8s %10s %10s\n' codec bytes ratio "encode s" "decode s"
printf '%-8s %12d %8s %10s %10s\n' input "$raw" 100.00% - -
printf '%-8s %12d %7.2f%% %10.3f %10.3f\n' flac "$flac" "$(echo "100 * $flac / $raw" | bc -l)" "$t_flac_enc" "$t_flac_dec"
printf '%-8s %12d %7.2f%% %10.3f %10.3f\n' bytelm "$blm" "$(echo "100 * $blm / $raw" | bc -l)" "$t_blm_enc" "$t_blm_dec"
printf '(the tee pipeline, both codecs and both decodes: %.3f s; times include gst-launch start-up)\n' "$both"
exit $status
