#!/usr/bin/env bash
# Tags (docs/FORMAT.md §1.1) through FFmpeg: -metadata goes into a .blm's tags chunk
# (as Vorbis comment fields, the way the FLAC muxer writes them) that the tool lists
# and bytelm -t accepts; the tool's -T tags show up in ffprobe; .blm -> .mkv -> .blm
# keeps them (Matroska tags in between) and the samples; a stream without tags gets
# none, and "encoder" is not one.
. "$(dirname "$0")/lib.sh"

gen_pcm in.raw 20000 2 5
want=$(md5 <in.raw)
ff -f s16le -ar 44100 -ac 2 -i in.raw in.wav

# ffmpeg -metadata -> .blm: the tool sees the tags, the stream passes its checks
ff -i in.wav -metadata title="Première" -metadata artist=Someone -metadata track=3 \
  -c:a bytelm tagged.blm
"$BL" info tagged.blm >info.txt
for f in "TITLE=Première" ARTIST=Someone TRACKNUMBER=3; do
  grep -q "$f" info.txt || fail "bytelm info lacks $f: $(cat info.txt)"
done
grep -qi "ENCODER=" info.txt && fail "the encoder key became a tag: $(cat info.txt)"
"$BL" -t tagged.blm >/dev/null || fail "bytelm -t on FFmpeg's tagged .blm"
expect_eq "$(pcm_md5 tagged.blm)" "$want" "samples of FFmpeg's tagged .blm"
expect_eq "$("$FP" -v error -show_entries format_tags=title -of default=nw=1:nk=1 tagged.blm)" \
  "Première" "ffprobe reads the .blm's title"
ok "ffmpeg -metadata -> .blm tags chunk: bytelm info lists them, -t passes, ffprobe reads them"

# without metadata (ffmpeg's own "encoder" key aside): no tags chunk, as before
ff -f s16le -ar 44100 -ac 2 -i in.raw -c:a bytelm plain.blm
grep -q "tags:" <("$BL" info plain.blm) && fail "a stream without metadata got tags: $("$BL" info plain.blm)"
ok "no metadata, no tags chunk"

# the tool's tags -> ffprobe; .blm -> .mkv -> .blm keeps tags and samples
"$BL" -q -f --raw=pcm --rate=44100 --channels=2 -T TITLE=FromTool -T REPLAYGAIN_TRACK_GAIN=-3.5 \
  -o cli.blm in.raw
expect_eq "$("$FP" -v error -show_entries format_tags=TITLE -of default=nw=1:nk=1 cli.blm)" \
  FromTool "ffprobe reads the tool's tags"
ff -i cli.blm -c copy cli.mkv
expect_eq "$("$FP" -v error -show_entries format_tags=TITLE -of default=nw=1:nk=1 cli.mkv)" \
  FromTool "Matroska tags of the remuxed .blm"
ff -i cli.mkv -c copy back.blm
"$BL" info back.blm >info2.txt
grep -q "TITLE=FromTool" info2.txt && grep -q "REPLAYGAIN_TRACK_GAIN=-3.5" info2.txt ||
  fail "tags lost on .blm -> .mkv -> .blm: $(cat info2.txt)"
"$BL" -t back.blm >/dev/null || fail "bytelm -t on the .blm remuxed from .mkv"
expect_eq "$(pcm_md5 back.blm)" "$want" "samples after .blm -> .mkv -> .blm"
ok "tool tags -> ffprobe; .blm -> .mkv -> .blm keeps tags, samples and the checks"
