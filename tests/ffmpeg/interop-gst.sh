#!/usr/bin/env bash
# The GStreamer plugin (build/gst-plugin) and FFmpeg read each other's .blm files:
# audio, and video (one image stream per frame, end to end).
# Skipped (77) when gst-launch-1.0 or the plugin is missing.
. "$(dirname "$0")/lib.sh"
export GST_PLUGIN_PATH=$builddir/gst-plugin
export GST_REGISTRY=$tmp/registry.bin
command -v gst-launch-1.0 >/dev/null && gst-inspect-1.0 bytelmenc >/dev/null 2>&1 || {
  echo "skip: no gst-launch-1.0 or no bytelm plugin"; exit 77; }

gen_pcm in.raw 10000 2 6
ff -f s16le -ar 44100 -ac 2 -i in.raw in.wav
want=$(md5 <in.raw)

gst-launch-1.0 -q filesrc location=in.wav ! wavparse ! bytelmenc ! filesink location=gst.blm
expect_eq "$(pcm_md5 gst.blm)" "$want" "GStreamer .blm decoded by ffmpeg"
ok "GStreamer -> ffmpeg"

ff -i in.wav -c:a bytelm ff.blm
gst-launch-1.0 -q filesrc location=ff.blm ! bytelmparse ! bytelmdec ! \
  audio/x-raw,format=S16LE ! filesink location=gst.raw
expect_eq "$(md5 <gst.raw)" "$want" "ffmpeg .blm decoded by GStreamer"
ok "ffmpeg -> GStreamer"

# Video: three 40x30 RGB frames (row stride 120, no padding in GStreamer buffers).
gst-launch-1.0 -q videotestsrc num-buffers=3 pattern=ball ! \
  video/x-raw,format=RGB,width=40,height=30,framerate=5/1 ! tee name=t \
  t. ! queue ! filesink location=video.rgb t. ! queue ! bytelmvideoenc ! filesink location=gstv.blm
expect_eq "$(stat -c %s video.rgb)" 10800 "raw video size"
expect_eq "$(pix_md5 gstv.blm rgb24)" "$(md5 <video.rgb)" "GStreamer video .blm decoded by ffmpeg"
ok "GStreamer -> ffmpeg, video"

ff -f rawvideo -pix_fmt rgb24 -s 40x30 -i video.rgb -c:v bytelm ffv.blm
gst-launch-1.0 -q filesrc location=ffv.blm ! bytelmvideoparse ! bytelmvideodec ! \
  video/x-raw,format=RGB ! filesink location=gstv.rgb
expect_eq "$(md5 <gstv.rgb)" "$(md5 <video.rgb)" "ffmpeg video .blm decoded by GStreamer"
ok "ffmpeg -> GStreamer, video"
