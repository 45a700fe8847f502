#!/usr/bin/env bash
# Images with alpha and 16-bit samples through -c:v bytelm: PNGs (RGBA, gray16,
# gray+alpha, RGB48, RGBA64 and gray+alpha 8) into .mkv, .nut and .blm. FFmpeg
# picks the little-endian format of the same samples (the PNG decoder gives
# big-endian ones); the decoded pixels are the generated ones, stream pix_fmt and
# bits per sample as expected. A short RGBA64 video through the three as well.
. "$(dirname "$0")/lib.sh"

# Deterministic samples of a pixel format: gen_deep FILE WIDTH HEIGHT SAMPLES BYTES [SEED]
# (gradients over the whole range, an edge, noise, alpha that varies).
gen_deep() {
  python3 - "$@" <<'PY'
import random, struct, sys
path, w, h, n, b = sys.argv[1], *map(int, sys.argv[2:6])
rnd = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else w * 65536 + h)
top = (1 << (8 * b)) - 1
out = bytearray()
for y in range(h):
    for x in range(w):
        for k in range(n):
            v = (x * 997 * (k + 1) + y * 1499) * top // (w * 997 * 4 + h * 1499)
            v += rnd.randint(0, top // 64) + (top // 3 if x > w // 2 and y > h // 3 else 0)
            out += (min(v, top)).to_bytes(b, 'little')
open(path, 'wb').write(out)
PY
}

# pix_fmt samples bytes-per-sample
formats=("ya8 2 1" "rgba 4 1" "gray16le 1 2" "ya16le 2 2" "rgb48le 3 2" "rgba64le 4 2")
sizes=("1 1" "37 23" "160 9")
for f in "${formats[@]}"; do
  read -r pix n b <<<"$f"
  for s in "${sizes[@]}"; do
    read -r w h <<<"$s"
    gen_deep img.raw "$w" "$h" "$n" "$b"
    ff -f rawvideo -pix_fmt "$pix" -s "${w}x$h" -i img.raw -c:v png img.png
    want=$(md5 <img.raw)
    expect_eq "$(pix_md5 img.png "$pix")" "$want" "img.png ($pix ${w}x$h)"
    ff -i img.png -c:v bytelm out.mkv -c:v bytelm out.nut -c:v bytelm -frame_units 4 out.blm
    for o in out.mkv out.nut out.blm; do
      expect_eq "$(pix_md5 $o "$pix")" "$want" "$o ($pix ${w}x$h)"
      expect_eq "$(probe $o stream pix_fmt)" "$pix" "$o pix_fmt"
      expect_eq "$(probe $o stream width)x$(probe $o stream height)" "${w}x$h" "$o size"
    done
    expect_eq "$(probe out.blm stream bits_per_raw_sample)" $((8 * b)) "out.blm bits"
  done
  ok "$pix from PNG: mkv nut blm identical to input (${sizes[*]})"
done

# Three 48x32 RGBA64 frames as a video; frame by frame the same MD5s.
for i in 1 2 3; do gen_deep f$i.raw 48 32 4 2 $i; done
cat f1.raw f2.raw f3.raw >video.raw
ff -f rawvideo -pix_fmt rgba64le -s 48x32 -r 5 -i video.raw \
   -c:v bytelm video.mkv -c:v bytelm video.nut -c:v bytelm video.blm
frames() { ff -i "$1" -pix_fmt rgba64le -f framemd5 - | grep -v '^#' | awk -F', *' '{print $NF}'; }
want=$(frames "video.nut")
expect_eq "$(echo "$want" | wc -l)" 3 "frames of video.nut"
expect_eq "$(md5 <video.raw)" "$(pix_md5 video.nut rgba64le)" "video.nut"
for f in video.mkv video.blm; do
  expect_eq "$(frames $f)" "$want" "$f frame MD5s"
done
ok "3-frame RGBA64 video: mkv nut blm identical"
