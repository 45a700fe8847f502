#!/usr/bin/env bash
# Gray and RGB images through -c:v bytelm into .mkv, .nut and .blm, for several
# sizes (one row, one column, several bytelm frames): decoded pixels identical.
# A short video (each frame intra) through .mkv and .nut.
. "$(dirname "$0")/lib.sh"

cases=("1 1 gray" "37 23 rgb" "64 40 gray" "300 7 rgb" "1 150 gray" "160 90 rgb")
for c in "${cases[@]}"; do
  read -r w h kind <<<"$c"
  gen_image img "$w" "$h" "$kind"
  if [ "$kind" = rgb ]; then in=img.ppm pix=rgb24; else in=img.pgm pix=gray; fi
  want=$(md5 <img.raw)
  ff -i "$in" -c:v bytelm out.mkv -c:v bytelm out.nut -c:v bytelm -frame_units 16 out.blm
  for f in out.mkv out.nut out.blm; do
    expect_eq "$(pix_md5 $f $pix)" "$want" "$f (${w}x$h $kind)"
    expect_eq "$(probe $f stream width)x$(probe $f stream height)" "${w}x$h" "$f size"
    expect_eq "$(probe $f stream pix_fmt)" "$pix" "$f pix_fmt"
  done
  ok "${w}x$h $kind: mkv nut blm identical to input"
done

# Five 48x32 RGB frames as a video; in .blm, one image stream after the other.
for i in 1 2 3 4 5; do gen_image f$i 48 32 rgb; done
cat f1.raw f2.raw f3.raw f4.raw f5.raw >video.raw
ff -f rawvideo -pix_fmt rgb24 -s 48x32 -r 5 -i video.raw \
   -c:v bytelm video.mkv -c:v bytelm video.nut -c:v bytelm video.blm
for f in video.mkv video.nut video.blm; do
  expect_eq "$(pix_md5 $f rgb24)" "$(md5 <video.raw)" "$f"
  expect_eq "$("$FP" -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 $f)" 5 "$f frames"
done
expect_eq "$(grep -c BYLM video.blm)" 5 "stream headers in video.blm"
# The .blm demuxer's frame rate (the file has none): default 25, or -framerate.
expect_eq "$(probe video.blm stream r_frame_rate)" 25/1 "video.blm default rate"
expect_eq "$("$FP" -v error -framerate 5 -show_entries stream=r_frame_rate -of csv=p=0 video.blm)" 5/1 \
  "video.blm -framerate 5"
ok "5-frame video: mkv nut blm identical"

# Images of another size cannot follow in the same .blm: an error, not garbage.
gen_image other 20 10 rgb
ff -i other.ppm -c:v bytelm other.blm
cat video.blm other.blm >mixed.blm
ff -i mixed.blm -f rawvideo -pix_fmt rgb24 mixed.raw 2>err.txt
grep -q "different sizes or formats" err.txt || fail "no message for a change of size: $(cat err.txt)"
if ff -xerror -i mixed.blm -f null - 2>/dev/null; then
  fail "images of two sizes in one .blm: no error with -xerror"
fi
expect_eq "$(head -c $((48 * 32 * 3 * 5)) mixed.raw | md5)" "$(md5 <video.raw)" "images before the change"
ok "a change of size inside a .blm: error after the first 5 images"
