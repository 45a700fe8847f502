#!/bin/sh
# gst-launch-1.0 end to end (tests/meson.build runs it with an isolated registry):
# a live source through bytelmenc into a file that cannot be sought back into,
# checked and decoded by the command-line tool; and a file written by the tool,
# played back through decodebin; videotestsrc through bytelmvideoenc, played back
# through decodebin and decoded frame by frame by the tool; one RGB frame to the
# tool and back; four encoders, then four decoders, in one pipeline give the streams
# and samples that one pipeline per stream gives. Usage: gst_launch_test.sh GST_LAUNCH BYTELM_CLI
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
echo "gst_launch_test: audio ok ($(wc -c < "$dir/live.blm") bytes from $(wc -c < "$dir/ref.raw"))"

# video: three GRAY8 frames (64 wide: no row padding in the raw file) into a
# file of three concatenated .blm image streams
vcaps=video/x-raw,format=GRAY8,width=64,height=48
"$launch" -q videotestsrc num-buffers=3 pattern=ball ! $vcaps,framerate=10/1 ! tee name=v \
  v. ! queue ! filesink location="$dir/vref.raw" \
  v. ! queue ! bytelmvideoenc threads=1 ! filesink location="$dir/video.blm"
# played back through decodebin (typefinder, bytelmvideoparse, bytelmvideodec)
"$launch" -q filesrc location="$dir/video.blm" ! decodebin ! $vcaps \
  ! filesink location="$dir/vback.raw"
cmp "$dir/vref.raw" "$dir/vback.raw"
# the tool reads one image per file: bytelmvideoparse splits the file
"$launch" -q filesrc location="$dir/video.blm" ! bytelmvideoparse \
  ! multifilesink location="$dir/img%d.blm"
: > "$dir/vcli.raw"
printf 'P5\n64 48\n255\n' > "$dir/pgmhdr"
for i in 0 1 2; do
  "$cli" -q -f -d -o "$dir/img$i.pgm" "$dir/img$i.blm"
  head -c "$(wc -c < "$dir/pgmhdr")" "$dir/img$i.pgm" | cmp - "$dir/pgmhdr"
  tail -c $((64 * 48)) "$dir/img$i.pgm" >> "$dir/vcli.raw"
done
test ! -e "$dir/img3.blm"
cmp "$dir/vref.raw" "$dir/vcli.raw"

# one RGB frame is a plain .blm image: the tool decodes it to a PPM ...
"$launch" -q videotestsrc num-buffers=1 ! video/x-raw,format=RGB,width=40,height=30 ! tee name=r \
  r. ! queue ! filesink location="$dir/rgb.raw" \
  r. ! queue ! bytelmvideoenc threads=1 ! filesink location="$dir/one.blm"
"$cli" -q -t "$dir/one.blm"
"$cli" -q -f -d -o "$dir/one.ppm" "$dir/one.blm"
tail -c $((40 * 30 * 3)) "$dir/one.ppm" | cmp - "$dir/rgb.raw"
# ... and the tool's stream of that PPM plays through decodebin
"$cli" -q -f -o "$dir/cli-img.blm" "$dir/one.ppm"
"$launch" -q filesrc location="$dir/cli-img.blm" ! decodebin ! video/x-raw,format=RGB \
  ! filesink location="$dir/rgb-back.raw"
cmp "$dir/rgb.raw" "$dir/rgb-back.raw"
echo "gst_launch_test: video ok ($(wc -c < "$dir/video.blm") bytes from $(wc -c < "$dir/vref.raw"))"

# several streams in one process (thread safety): four bytelmenc with two
# worker threads each in one pipeline make the same bytes as one pipeline per stream,
# and four bytelmdec in one pipeline give back every input
acaps=audio/x-raw,format=S16LE,layout=interleaved,rate=16000,channels=1
parse="rawaudioparse use-sink-caps=false format=pcm pcm-format=s16le sample-rate=16000 num-channels=1"
enc="bytelmenc threads=2 frame-size=2000"
all_enc="" all_dec=""
for i in 0 1 2 3; do
  "$launch" -q audiotestsrc num-buffers=5 samplesperbuffer=1600 wave=$i freq=$((300 + 170 * i)) \
    ! $acaps ! filesink location="$dir/m$i.raw"
  "$launch" -q filesrc location="$dir/m$i.raw" ! $parse ! $enc ! filesink location="$dir/one$i.blm"
  all_enc="$all_enc filesrc location=$dir/m$i.raw ! $parse ! $enc ! filesink location=$dir/all$i.blm"
  all_dec="$all_dec filesrc location=$dir/all$i.blm ! bytelmparse ! bytelmdec ! filesink location=$dir/back$i.raw"
done
# shellcheck disable=SC2086 # each is a pipeline description of several words
"$launch" -q $all_enc
# shellcheck disable=SC2086
"$launch" -q $all_dec
for i in 0 1 2 3; do
  cmp "$dir/one$i.blm" "$dir/all$i.blm"
  cmp "$dir/m$i.raw" "$dir/back$i.raw"
done
echo "gst_launch_test: 4 streams in one pipeline ok ($(cat "$dir"/all?.blm | wc -c) bytes from $(cat "$dir"/m?.raw | wc -c))"
