#!/usr/bin/env bash
# PCM through -c:a bytelm into .mkv, .nut and .blm in one run, for several rates,
# channel counts and layouts, from interleaved and planar input: every decoded
# stream has the input's MD5, rate and layout.
. "$(dirname "$0")/lib.sh"

# rate channels layout samples
cases=(
  "8000 1 mono 6000"
  "44100 2 stereo 12000"
  "22050 3 3.0 5000"
  "48000 6 5.1(side) 3000"
  "96000 8 7.1 1500"
  "11025 4 quad 4000"
)
for c in "${cases[@]}"; do
  read -r rate ch layout n <<<"$c"
  gen_pcm in.raw "$n" "$ch" "$rate"
  want=$(md5 <in.raw)
  # Interleaved input into the three containers in one run; planar into one.
  ff -f s16le -ar "$rate" -ch_layout "$layout" -i in.raw \
     -c:a bytelm out.mkv -c:a bytelm out.nut -c:a bytelm out.blm \
     -c:a bytelm -sample_fmt s16p planar.mkv
  for f in out.mkv out.nut out.blm planar.mkv; do
    expect_eq "$(pcm_md5 $f)" "$want" "$f ($rate Hz, $layout)"
    expect_eq "$(probe $f stream sample_rate)" "$rate" "$f rate"
    expect_eq "$(probe $f stream channels)" "$ch" "$f channels"
    expect_eq "$(probe $f stream channel_layout)" "$layout" "$f layout"
  done
  ok "$rate Hz, $ch channels ($layout): mkv nut blm (s16) and mkv (s16p) identical to input"
done

# A 1-sample stream and one that spans several bytelm frames.
gen_pcm one.raw 1 2
ff -f s16le -ar 44100 -ac 2 -i one.raw -c:a bytelm one.blm
expect_eq "$(pcm_md5 one.blm)" "$(md5 <one.raw)" "1 sample"
gen_pcm long.raw 9000 1 7
ff -f s16le -ar 16000 -ac 1 -i long.raw -c:a bytelm -frame_units 1000 long.mkv
ff -i long.mkv -c copy long.blm
"$BL" info long.blm | grep -q 'frames: *9$' || fail "long.blm does not have 9 frames"
expect_eq "$(pcm_md5 long.mkv)" "$(md5 <long.raw)" "9 frames"
ok "1 sample and 9 frames"
