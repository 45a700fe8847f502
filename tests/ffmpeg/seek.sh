#!/usr/bin/env bash
# -ss on input: .blm (seek table) and .nut land on the sample that a WAV gives;
# Matroska (millisecond timestamps) gives an exact tail of the input within 1 ms.
. "$(dirname "$0")/lib.sh"

rate=8000
gen_pcm in.raw 20000 2 3          # 2.5 s, 10 bytelm frames of 2000 samples
ff -f s16le -ar $rate -ac 2 -i in.raw in.wav
ff -i in.wav -c:a bytelm -frame_units 2000 s.blm -c:a bytelm -frame_units 2000 s.nut \
   -c:a bytelm -frame_units 2000 s.mkv
size=$(stat -c %s in.raw)
for t in 0.3 1.3 2.45; do
  want=$(ff -ss $t -i in.wav -f s16le - | md5)
  for f in s.blm s.nut; do
    expect_eq "$(ff -ss $t -i $f -f s16le - | md5)" "$want" "$f -ss $t"
  done
  ff -ss $t -i s.mkv -f s16le tail.raw
  n=$(stat -c %s tail.raw)
  expected=$(python3 -c "print($size - round($t * $rate) * 4)")
  [ $((n - expected)) -le $((rate / 1000 * 4)) ] && [ $((expected - n)) -le $((rate / 1000 * 4)) ] ||
    fail "s.mkv -ss $t: $n bytes, want $expected (+-1 ms)"
  expect_eq "$(md5 <tail.raw)" "$(tail -c "$n" in.raw | md5)" "s.mkv -ss $t is not the input's tail"
  ok "-ss $t: blm nut exact, mkv the input's last $n bytes"
done

# The seek really uses the index: from the .blm's seek table, reading starts at
# the frame holding the target, not at the start of the file.
"$FP" -v error -read_intervals 1.3%+0.1 -show_packets -of csv=p=0 \
   -show_entries packet=pts,pos s.blm >packets.txt
first_pts=$(head -1 packets.txt | cut -d, -f1)
expect_eq "$first_pts" 10000 "first packet after seeking to 1.3 s (pts,pos: $(head -1 packets.txt))"
ok "seek lands on frame 5 (pts 10000) through the seek table"
