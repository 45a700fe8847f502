#!/usr/bin/env bash
# A damaged bytelm packet gives an FFmpeg error (and a non-zero exit with -xerror),
# never a crash; the other packets still decode.
. "$(dirname "$0")/lib.sh"

gen_pcm in.raw 8000 1 8
ff -f s16le -ar 8000 -ac 1 -i in.raw -c:a bytelm -frame_units 2000 a.blm \
   -c:a bytelm -frame_units 2000 a.mkv -c:a bytelm -frame_units 2000 a.nut
gen_image img 40 40 rgb
ff -i img.ppm -c:v bytelm v.mkv

# Flips one byte in the middle of the second bytelm frame's payload.
flip() {
  python3 - "$1" "$2" <<'PY'
import sys
path, nth = sys.argv[1], int(sys.argv[2])
d = bytearray(open(path, 'rb').read())
pos = -1
for _ in range(nth):
    pos = d.index(b'BLMF', pos + 1)
np = d[pos + 21]
size = int.from_bytes(d[pos + 26 + np:pos + 30 + np], 'little')
d[pos + 30 + np + size // 2] ^= 0x40
open(path, 'wb').write(d)
PY
}

for f in a.blm a.mkv a.nut v.mkv; do
  cp $f bad-$f
  if [ $f = v.mkv ]; then flip bad-$f 1; else flip bad-$f 2; fi
  set +e
  "$FF" -nostdin -v error -xerror -i bad-$f -f null - 2>err.txt
  rc=$?
  set -e
  [ $rc -ne 0 ] || fail "bad-$f decoded without error"
  [ $rc -lt 128 ] || fail "bad-$f: ffmpeg died with signal $((rc - 128))"
  grep -Eq "damaged|Invalid data" err.txt || fail "bad-$f: no error message: $(cat err.txt)"
done
ok "flipped byte: error, no crash (blm mkv nut, audio and image)"

# Without -xerror the damaged frame is dropped and the rest decodes: 3 of 4 frames.
n=$(ff -i bad-a.blm -f s16le - 2>/dev/null | wc -c)
expect_eq "$n" 12000 "bytes decoded around a damaged frame"
ok "other frames decode"

# Truncated file, and a header with a bad CRC.
head -c 3000 a.blm >cut.blm
set +e; "$FF" -nostdin -v error -xerror -i cut.blm -f null - 2>err.txt; rc=$?; set -e
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "truncated .blm: rc $rc"
python3 -c "
d = bytearray(open('a.blm', 'rb').read()); d[30] ^= 1; open('hdr.blm', 'wb').write(d)"
set +e; "$FF" -nostdin -v error -f bytelm -i hdr.blm -f null - 2>err.txt; rc=$?; set -e
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "bad header CRC: rc $rc"
ok "truncated file and bad header CRC: errors"

# A .blm of plain bytes (kind 0) has no FFmpeg codec: a clear error.
head -c 2000 "$root/README.md" >notes.txt
"$BL" -c notes.txt >notes.blm
set +e; "$FF" -nostdin -v error -i notes.blm -f null - 2>err.txt; rc=$?; set -e
[ $rc -ne 0 ] && [ $rc -lt 128 ] || fail "bytes .blm: rc $rc"
grep -q "has no FFmpeg codec" err.txt || fail "bytes .blm: $(cat err.txt)"
ok "a .blm of bytes: refused with a message"
