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

# the tool's tagged stream through decodebin: bytelmparse posts the tags ...
"$cli" -q -f -d -o "$dir/pcm.raw" "$dir/tagged.blm"
"$cli" -q -f --raw=pcm --rate=44100 --channels=2 -T TITLE=FromTool -T ARTIST=Cli \
  -T REPLAYGAIN_TRACK_GAIN=-4.50 -o "$dir/cli.blm" "$dir/pcm.raw"
"$launch" -t filesrc location="$dir/cli.blm" ! decodebin ! fakesink > "$dir/tags.txt"
for want in "title: FromTool" "artist: Cli" "replaygain track gain: -4.5"; do
  grep -q "$want" "$dir/tags.txt" || fail "decodebin did not post $want: $(cat "$dir/tags.txt")"
done
# ... and wavenc writes them into LIST/INFO, which the tool reads back in
"$launch" -q filesrc location="$dir/cli.blm" ! decodebin ! audioconvert ! audio/x-raw,format=S16LE \
  ! wavenc ! filesink location="$dir/back.wav"
"$cli" -q -f -o "$dir/back.blm" "$dir/back.wav"
"$cli" info "$dir/back.blm" > "$dir/info2.txt"
for want in TITLE=FromTool ARTIST=Cli; do
  grep -q "$want" "$dir/info2.txt" || fail "the WAV from wavenc lost $want: $(cat "$dir/info2.txt")"
done
"$cli" -q -f -d -o "$dir/back.raw" "$dir/back.blm"
cmp "$dir/pcm.raw" "$dir/back.raw"
echo "gst_tags_test: a tagged .blm plays through decodebin with its tags, wavenc keeps them"
