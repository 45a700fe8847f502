#!/usr/bin/env bash
# samples/compare-ffmpeg.sh on a short input: both codecs decode identical to the
# input, and the printed sizes are those of the files it made.
. "$(dirname "$0")/lib.sh"

gen_pcm in.raw 4000 2 11
ff -f s16le -ar 22050 -ac 2 -i in.raw in.wav
BUILD=$builddir bash "$root/samples/compare-ffmpeg.sh" in.wav >out.txt || fail "compare-ffmpeg.sh: $(cat out.txt)"
cat out.txt
expect_eq "$(awk '$1 == "raw" {print $2}' out.txt)" 16000 "raw size"
expect_eq "$(grep -c ' identical$' out.txt)" 2 "identical decodes"
ff -i in.wav -c:a bytelm ref.blm
expect_eq "$(awk '$1 == "bytelm" {print $2}' out.txt)" "$(stat -c %s ref.blm)" "bytelm size"
ok "compare-ffmpeg.sh"
