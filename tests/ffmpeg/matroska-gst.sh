#!/usr/bin/env bash
# GStreamer's Matroska plugin patched by gst-plugin/matroska/ (built by
# build-matroska.sh into BUILDDIR/gst-matroska, never over the system's plugin):
# matroskamux writes bytelm, which FFmpeg and decodebin decode bit-exactly (without
# the patch the pipelines fail to link), and matroskademux gives the decoders their
# caps with the header, so FFmpeg's files play from a pipe too and seek exactly.
# Skipped (77) when gst-launch-1.0 or the bytelm plugin is missing.
. "$(dirname "$0")/lib.sh"
export GST_REGISTRY=$tmp/registry.bin
export GST_PLUGIN_PATH=$builddir/gst-plugin
command -v gst-launch-1.0 >/dev/null && gst-inspect-1.0 bytelmenc >/dev/null 2>&1 || {
  echo "skip: no gst-launch-1.0 or no bytelm plugin"; exit 77; }

# Unpatched: the system's matroskamux has no caps for bytelm.
gen_pcm in.raw 30000 2 11
ff -f s16le -ar 44100 -ac 2 -i in.raw in.wav
want=$(md5 <in.raw)
if gst-launch-1.0 -q filesrc location=in.wav ! wavparse ! bytelmenc ! matroskamux ! \
    fakesink >err.txt 2>&1; then
  fail "the system's matroskamux took bytelm: is the patch upstream now?"
fi
grep -q "could not link bytelmenc0 to matroskamux0" err.txt || fail "unpatched: $(cat err.txt)"
ok "the system's matroskamux refuses bytelm (could not link)"

BUILDDIR=$builddir bash "$root/gst-plugin/matroska/build-matroska.sh" >build.log 2>&1 ||
  fail "build-matroska.sh: $(tail -20 build.log)"
export GST_PLUGIN_PATH=$builddir/gst-matroska/plugin:$builddir/gst-plugin
rm -f "$GST_REGISTRY"
gst-inspect-1.0 matroskamux >inspect.txt
grep -q "gst-matroska/plugin/libgstmatroska.so" inspect.txt ||
  fail "the patched plugin is not the one loaded: $(grep Filename inspect.txt)"

# Audio: the header is CodecPrivate, one block per frame, the trailer last.
gst-launch-1.0 -q filesrc location=in.wav ! wavparse ! bytelmenc frame-size=8000 ! \
  matroskamux ! filesink location=gst.mkv
expect_eq "$(pcm_md5 gst.mkv)" "$want" "GStreamer .mkv decoded by ffmpeg"
expect_eq "$(probe gst.mkv stream codec_name),$(probe gst.mkv stream sample_rate),$(probe gst.mkv stream channels)" \
  bytelm,44100,2 "ffprobe"
ff -i in.wav -c:a bytelm ff.mkv
ff -i gst.mkv -c copy gst.blm
ff -i ff.mkv -c copy ff.blm
# the header FFmpeg writes for the same input, but for the source hint (byte 6: raw
# here, WAV there), the frame size (12..15) and so the CRC (72..75)
python3 - gst.blm ff.blm <<'PY' || fail "CodecPrivate differs from FFmpeg's"
import sys
a, b = (open(f, 'rb').read()[:76] for f in sys.argv[1:])
same = lambda r: all(a[i] == b[i] for i in r)
assert same(range(0, 6)) and same(range(7, 12)) and same(range(16, 72)), (a.hex(), b.hex())
PY
"$BL" -t gst.blm >/dev/null || fail "bytelm -t on the stream copied out of GStreamer's .mkv"
ok "bytelmenc ! matroskamux -> ffmpeg: the same samples; A_BYTELM, rate, channels; .mkv -> .blm passes bytelm -t"

gst-launch-1.0 -q filesrc location=gst.mkv ! decodebin ! audioconvert ! \
  audio/x-raw,format=S16LE ! filesink location=back.raw
expect_eq "$(md5 <back.raw)" "$want" "GStreamer .mkv decoded by GStreamer"
ok "bytelmenc ! matroskamux -> filesrc ! decodebin: the same samples"

# Tags (docs/FORMAT.md §1.1): bytelmenc's two header buffers (header, tags chunk) are
# dropped and the tags become Matroska tags; a .blm copied out of it keeps them and
# passes bytelm -t. A tagged .blm through bytelmparse ! matroskamux: the same.
gst-launch-1.0 -q filesrc location=in.wav ! wavparse ! taginject tags="title=GstTitle,artist=GstArtist" ! \
  bytelmenc frame-size=8000 ! matroskamux ! filesink location=tagged.mkv
expect_eq "$(pcm_md5 tagged.mkv)" "$want" "tagged GStreamer .mkv decoded by ffmpeg"
expect_eq "$("$FP" -v error -show_entries stream_tags=title -of default=nw=1:nk=1 tagged.mkv)" \
  GstTitle "Matroska title from bytelmenc's tags"
ff -i tagged.mkv -c copy tagged.blm
"$BL" -t tagged.blm >/dev/null 2>&1 || fail "bytelm -t on the .blm copied out of a tagged .mkv"
"$BL" -q -f --raw=pcm --rate=44100 --channels=2 -T TITLE=CliTitle -o cli.blm in.raw
gst-launch-1.0 -q filesrc location=cli.blm ! bytelmparse ! matroskamux ! filesink location=remux.mkv
expect_eq "$(pcm_md5 remux.mkv)" "$want" ".blm -> bytelmparse ! matroskamux, decoded by ffmpeg"
expect_eq "$("$FP" -v error -show_entries stream_tags=title -of default=nw=1:nk=1 remux.mkv)" \
  CliTitle "Matroska title from the .blm's tags chunk"
ok "tags: bytelmenc ! matroskamux and bytelmparse ! matroskamux write Matroska tags, no tags block"

# Images: each block an image stream without its header, which is CodecPrivate.
for fmt in RGB:rgb24 GRAY8:gray; do
  gst-launch-1.0 -q videotestsrc num-buffers=3 pattern=ball ! \
    video/x-raw,format=${fmt%:*},width=40,height=30,framerate=5/1 ! tee name=t \
    t. ! queue ! filesink location=v.raw t. ! queue ! bytelmvideoenc ! matroskamux ! \
    filesink location=v.mkv
  expect_eq "$(pix_md5 v.mkv ${fmt#*:})" "$(md5 <v.raw)" "${fmt%:*} GStreamer .mkv decoded by ffmpeg"
  expect_eq "$(probe v.mkv stream width)x$(probe v.mkv stream height)" 40x30 "size"
  gst-launch-1.0 -q filesrc location=v.mkv ! decodebin ! video/x-raw,format=${fmt%:*} ! \
    filesink location=v.back
  expect_eq "$(md5 <v.back)" "$(md5 <v.raw)" "${fmt%:*} GStreamer .mkv decoded by GStreamer"
done
ok "bytelmvideoenc ! matroskamux (RGB, GRAY8, 3 frames) -> ffmpeg and decodebin: the same pixels"

# matroskademux patched: audio/x-bytelm with the header in streamheader, so a pipe works
# (unpatched it cannot: interop-gst.sh), and decodebin plugs the decoder, not the parser.
gst-discoverer-1.0 ff.mkv >disc.txt 2>&1 || fail "gst-discoverer-1.0: $(cat disc.txt)"
grep -q "audio/x-bytelm" disc.txt || fail "matroskademux does not map A_BYTELM: $(cat disc.txt)"
gst-launch-1.0 -q fdsrc fd=0 ! matroskademux ! bytelmdec ! audio/x-raw,format=S16LE ! \
  filesink location=pipe.raw <ff.mkv
expect_eq "$(md5 <pipe.raw)" "$want" "ffmpeg .mkv from a pipe through the patched matroskademux"
ok "ffmpeg .mkv -> fdsrc ! matroskademux ! bytelmdec (a pipe): the same samples"

gen_pcm long.raw 264600 1 7
ff -f s16le -ar 22050 -ac 1 -i long.raw -c:a bytelm -frame_units 10000 long.mkv
"$builddir/tests/gst_seek" long.mkv 7 seek.raw || fail "gst_seek failed"
expect_eq "$(md5 <seek.raw)" "$(tail -c +$((154350 * 2 + 1)) long.raw | md5)" "samples from the seek point"
ok "ffmpeg .mkv, patched matroskademux, seek to 7 s: the samples from sample 154350 on"

# v.raw: the three GRAY8 frames of the loop's last round
ff -f rawvideo -pix_fmt gray -s 40x30 -r 5 -i v.raw -c:v bytelm ffv.mkv
gst-launch-1.0 -q filesrc location=ffv.mkv ! decodebin ! video/x-raw,format=GRAY8 ! filesink location=ffv.back
expect_eq "$(md5 <ffv.back)" "$(md5 <v.raw)" "ffmpeg gray .mkv through the patched matroskademux"
ok "ffmpeg image .mkv -> patched matroskademux ! decodebin: the same pixels"
