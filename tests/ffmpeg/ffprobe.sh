#!/usr/bin/env bash
# ffprobe shows codec, type, rate, channels, layout, size, pixel format and
# duration for bytelm in .blm, .mkv and .nut, and the codec's long name.
. "$(dirname "$0")/lib.sh"

gen_pcm in.raw 33075 2 4            # 0.75 s at 44.1 kHz
ff -f s16le -ar 44100 -ac 2 -i in.raw -c:a bytelm a.blm -c:a bytelm a.mkv -c:a bytelm a.nut
for f in a.blm a.mkv a.nut; do
  expect_eq "$(probe $f stream codec_name)" bytelm "$f codec"
  expect_eq "$(probe $f stream codec_type)" audio "$f type"
  expect_eq "$(probe $f stream sample_rate)" 44100 "$f rate"
  expect_eq "$(probe $f stream channels)" 2 "$f channels"
  expect_eq "$(probe $f stream channel_layout)" stereo "$f layout"
  expect_eq "$(probe $f format duration)" 0.750000 "$f duration"
done
expect_eq "$(probe a.blm format format_name)" bytelm "a.blm format"
"$FP" -v error -show_streams a.mkv | grep -q '^codec_long_name=bytelm lossless audio' ||
  fail "long name: $("$FP" -v error -show_streams a.mkv | grep long_name)"
ok "audio: codec, rate, channels, layout, duration in blm mkv nut"

gen_image img 120 45 gray
ff -i img.pgm -c:v bytelm v.blm -c:v bytelm v.mkv -c:v bytelm v.nut
for f in v.blm v.mkv v.nut; do
  expect_eq "$(probe $f stream codec_name)" bytelm "$f codec"
  expect_eq "$(probe $f stream codec_type)" video "$f type"
  expect_eq "$(probe $f stream width)x$(probe $f stream height)" 120x45 "$f size"
  expect_eq "$(probe $f stream pix_fmt)" gray "$f pix_fmt"
done
ok "image: codec, size, pixel format in blm mkv nut"

# Matroska names the codec A_BYTELM / V_BYTELM and keeps the 76-byte header.
grep -q A_BYTELM a.mkv || fail "no A_BYTELM CodecID in a.mkv"
grep -q V_BYTELM v.mkv || fail "no V_BYTELM CodecID in v.mkv"
expect_eq "$("$FP" -v error -show_entries stream=extradata_size -of csv=p=0 a.mkv)" 76 "CodecPrivate size"
ok "Matroska CodecID and CodecPrivate"
