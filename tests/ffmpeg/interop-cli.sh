#!/usr/bin/env bash
# The CLI and FFmpeg read each other's .blm files: CLI -> ffmpeg (decode, and stream
# copy into Matroska and back, byte for byte) and ffmpeg -> CLI (test, decode).
. "$(dirname "$0")/lib.sh"

gen_pcm in.raw 12000 2 5
ff -f s16le -ar 32000 -ac 2 -i in.raw in.wav
want=$(md5 <in.raw)

"$BL" -c in.wav >cli.blm
expect_eq "$(pcm_md5 cli.blm)" "$want" "CLI .blm decoded by ffmpeg"
ff -i cli.blm -c copy cli.mkv
expect_eq "$(pcm_md5 cli.mkv)" "$want" "CLI .blm copied into .mkv"
ff -i cli.mkv -c copy back.blm
cmp -s cli.blm back.blm || fail "blm -> mkv -> blm stream copy changed the file"
ok "CLI -> ffmpeg: decoded identical, .blm -> .mkv -> .blm byte for byte"

ff -i in.wav -c:a bytelm ff.blm
"$BL" -t ff.blm || fail "bytelm -t rejects ffmpeg's .blm"
"$BL" -d ff.blm                      # writes ff.wav (the stream's source hint is WAV)
expect_eq "$(pcm_md5 ff.wav)" "$want" "ffmpeg .blm decoded by the CLI"
ff -i in.wav -c:a bytelm ff.mkv
ff -i ff.mkv -c copy ff2.blm
"$BL" -t ff2.blm || fail "bytelm -t rejects a .blm copied out of .mkv"
ok "ffmpeg -> CLI: bytelm -t passes, decoded identical (also through .mkv)"

gen_image img 50 30 rgb
"$BL" -c img.ppm >img-cli.blm
expect_eq "$(pix_md5 img-cli.blm rgb24)" "$(md5 <img.raw)" "CLI image decoded by ffmpeg"
ff -i img.ppm -c:v bytelm img-ff.blm
"$BL" -d img-ff.blm                  # writes img-ff.png
expect_eq "$(pix_md5 img-ff.png rgb24)" "$(md5 <img.raw)" "ffmpeg image decoded by the CLI"
ok "images both ways"
