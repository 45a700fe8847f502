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

# Five 48x32 RGB frames as a video.
for i in 1 2 3 4 5; do gen_image f$i 48 32 rgb; done
cat f1.raw f2.raw f3.raw f4.raw f5.raw >video.raw
ff -f rawvideo -pix_fmt rgb24 -s 48x32 -r 5 -i video.raw -c:v bytelm video.mkv -c:v bytelm video.nut
for f in video.mkv video.nut; do
  expect_eq "$(pix_md5 $f rgb24)" "$(md5 <video.raw)" "$f"
  expect_eq "$("$FP" -v error -count_frames -show_entries stream=nb_read_frames -of csv=p=0 $f)" 5 "$f frames"
done
ok "5-frame video: mkv nut identical"

# A .blm file holds one image: a second one is refused.
if ff -f rawvideo -pix_fmt rgb24 -s 48x32 -i video.raw -c:v bytelm video.blm 2>err.txt; then
  fail "5 frames written to one .blm"
fi
grep -q "holds one image" err.txt || fail "no message for several images: $(cat err.txt)"
ok "several images into .blm refused"
