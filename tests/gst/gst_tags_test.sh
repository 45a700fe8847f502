#!/bin/sh
# Tags through GStreamer (docs/FORMAT.md §1.1, docs/GSTREAMER.md): stream tags reaching
# bytelmenc (taginject here, wavparse's LIST/INFO) go into the .blm as its tags chunk,
# which the tool lists; a .blm with tags plays through decodebin, which posts them, and
# wavenc writes them back into LIST/INFO. Usage: gst_tags_test.sh GST_LAUNCH BYTELM_CLI
set -eu
launch=$1
cli=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "gst_tags_test: FAIL: $*" >&2; exit 1; }

caps=audio/x-raw,format=S16LE,layout=interleaved,rate=44100,channels=2
"$launch" -q audiotestsrc num-buffers=20 wave=pink-noise ! $caps \
  ! taginject tags="title=Tagged,artist=Someone,album=Collected" \
  ! bytelmenc ! filesink location="$dir/tagged.blm"
"$cli" info "$dir/tagged.blm" > "$dir/info.txt"
for want in TITLE=Tagged ARTIST=Someone ALBUM=Collected; do
  grep -q "$want" "$dir/info.txt" || fail "bytelm info lacks $want: $(cat "$dir/info.txt")"
done
"$cli" -q -t "$dir/tagged.blm"
echo "gst_tags_test: bytelmenc keeps stream tags"
