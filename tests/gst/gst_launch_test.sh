#!/bin/sh
# gst-launch-1.0 end to end (tests/meson.build runs it with an isolated registry):
# a live source through bytelmenc into a file that cannot be sought back into,
# checked and decoded by the command-line tool; and a file written by the tool,
# played back through decodebin. Usage: gst_launch_test.sh GST_LAUNCH BYTELM_CLI
set -eu
launch=$1
cli=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

caps=audio/x-raw,format=S16LE,layout=interleaved,rate=48000,channels=2

# the same samples twice: once raw, once through bytelmenc from a live source
# into fdsink (a pipe: no seeking back to the header)
"$launch" -q audiotestsrc is-live=true num-buffers=40 samplesperbuffer=1200 wave=pink-noise \
  ! $caps ! tee name=t \
  t. ! queue ! filesink location="$dir/ref.raw" \
  t. ! queue ! bytelmenc frame-size=10000 ! fdsink fd=1 > "$dir/live.blm"
"$cli" -q -t "$dir/live.blm"
"$cli" -q -f -d -o "$dir/live.raw" "$dir/live.blm"
cmp "$dir/ref.raw" "$dir/live.raw"

# the tool's stream through filesrc ! decodebin
"$cli" -q -f --raw=pcm --rate=48000 --channels=2 -o "$dir/cli.blm" "$dir/ref.raw"
"$launch" -q filesrc location="$dir/cli.blm" ! decodebin ! $caps \
  ! filesink location="$dir/back.raw"
cmp "$dir/ref.raw" "$dir/back.raw"
echo "gst_launch_test: ok ($(wc -c < "$dir/live.blm") bytes from $(wc -c < "$dir/ref.raw"))"
