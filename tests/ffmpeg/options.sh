#!/usr/bin/env bash
# The encoder's AVOptions reach the stream: -preset (header byte 7), -frame_units,
# -model (the model's hash in the header); -threads never changes the output, and
# frame-threaded decoding gives the same data. Errors are FFmpeg errors.
. "$(dirname "$0")/lib.sh"
models=$root/models

gen_image img 64 48 gray
gen_pcm in.raw 6000 2 9
header_byte() { python3 -c "import sys; print(open(sys.argv[1], 'rb').read()[int(sys.argv[2])])" "$@"; }

for p in fast:0 default:1 max:2; do
  ff -i img.pgm -c:v bytelm -preset ${p%:*} p.blm
  expect_eq "$(header_byte p.blm 7)" "${p#*:}" "-preset ${p%:*}: header byte 7"
done
ok "-preset fast, default, max in the header"

ff -i img.pgm -c:v bytelm -threads 1 t1.blm -c:v bytelm -threads 2 t2.blm -c:v bytelm -threads 0 t0.blm
cmp -s t1.blm t2.blm && cmp -s t1.blm t0.blm || fail "-threads changed the stream"
ff -f s16le -ar 8000 -ac 2 -i in.raw -c:a bytelm -threads 1 a1.mkv -c:a bytelm -threads 2 a2.mkv
expect_eq "$(ff -i a1.mkv -c copy -f bytelm - | md5)" "$(ff -i a2.mkv -c copy -f bytelm - | md5)" "-threads, audio"
ok "-threads 0, 1, 2: identical streams"

# Decoding with FFmpeg's frame threads: the same samples and pixels as with one.
ff -f s16le -ar 8000 -ac 2 -i in.raw -c:a bytelm -frame_units 500 small.nut
for f in 1.pgm 2.pgm 3.pgm 4.pgm; do cp img.pgm $f; done
ff -i %d.pgm -c:v bytelm four.mkv
expect_eq "$(ff -threads 4 -i small.nut -f s16le - | md5)" "$(md5 <in.raw)" "audio, 4 decoding threads"
expect_eq "$(ff -threads 1 -i small.nut -f s16le - | md5)" "$(md5 <in.raw)" "audio, 1 decoding thread"
expect_eq "$(ff -threads 3 -i four.mkv -f rawvideo - | md5)" "$(cat img.raw img.raw img.raw img.raw | md5)" \
  "video, 3 decoding threads"
ok "frame-threaded decoding (audio 12 frames, video 4 images)"

ff -f s16le -ar 8000 -ac 2 -i in.raw -c:a bytelm -frame_units 1500 f.blm
"$BL" info f.blm | grep -q 'frames: *4$' || fail "-frame_units 1500: $("$BL" info f.blm | grep frames)"
ok "-frame_units 1500: 4 frames"

# A model file: the stream names it by the same hash as the CLI's --model does.
mkdir m && cp "$models/test-small.blmm" m/
ff -i img.pgm -c:v bytelm -model m/test-small.blmm model.mkv
# The decoder finds a model that is not built in with -model_dir (the frames need it:
# with the scale prior even the test model beats storing them).
expect_eq "$(ff -model_dir m -i model.mkv -f rawvideo -pix_fmt gray - | md5)" "$(md5 <img.raw)" \
  "-model round trip, decoded with -model_dir"
ff -i model.mkv -c copy model.blm
"$BL" --model=m/test-small.blmm -c img.pgm >cli-model.blm
hash() { "$BL" info "$1" | awk '/model hash/ {print $3}'; }
expect_eq "$(hash model.blm)" "$(hash cli-model.blm)" "model hash"
[ "$(hash model.blm)" != "$(hash t1.blm)" ] || fail "-model did not change the model"
ok "-model FILE: the stream names it, decodes"

if ff -i img.pgm -c:v bytelm -model nonexistent.blmm x.mkv 2>err.txt; then
  fail "a missing model file was accepted"
fi
grep -q "cannot open the encoder" err.txt || fail "no error for a missing model: $(cat err.txt)"
ok "missing model file: an FFmpeg error"

# 9 channels: refused with a message.
gen_pcm nine.raw 100 9
if ff -f s16le -ar 8000 -ac 9 -i nine.raw -c:a bytelm x.mkv 2>err.txt; then
  fail "9 channels accepted"
fi
grep -q "bytelm codes 1 to 8" err.txt || fail "no message for 9 channels: $(cat err.txt)"
ok "9 channels refused"

# -h encoder=bytelm (the name -c:a and -c:v take) documents both encoders, each under
# its own name, with its own frame_units; -h encoder=libbytelm the audio one only.
help() { "$FF" -hide_banner -h "$1" 2>&1; }
help encoder=bytelm >h.txt
grep -q '^Encoder libbytelm \[libbytelm lossless audio\]' h.txt || fail "-h encoder=bytelm: no audio encoder: $(cat h.txt)"
grep -q '^Encoder libbytelm_video \[libbytelm lossless image\]' h.txt || fail "-h encoder=bytelm: no image encoder"
grep -q 'frame_units .*samples per channel per bytelm frame' h.txt || fail "-h encoder=bytelm: audio frame_units"
grep -q 'frame_units .*image rows per bytelm frame' h.txt || fail "-h encoder=bytelm: image frame_units"
help encoder=libbytelm >a.txt
grep -q '^Encoder libbytelm ' a.txt && ! grep -q 'libbytelm_video\|image rows' a.txt ||
  fail "-h encoder=libbytelm: $(cat a.txt)"
help decoder=bytelm >d.txt
grep -q '^Decoder libbytelm ' d.txt && grep -q '^Decoder libbytelm_video ' d.txt ||
  fail "-h decoder=bytelm: $(cat d.txt)"
ok "-h encoder=bytelm shows libbytelm (audio) and libbytelm_video (images); decoder too"
