#!/usr/bin/env bash
# The command-line round trip under valgrind (memcheck): compress a small WAV and a
# small PGM with a tiny model, decompress them, decode a damaged copy with --recover,
# and compare. Any memcheck error or definite leak fails the test (exit status 99
# from valgrind, told apart from bytelm's own 1 for the damaged stream).
# usage: valgrind_cli.sh VALGRIND BYTELM MODEL.blmm
set -u
valgrind=$1 bytelm=$2 model=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
vg() {
  "$valgrind" -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
    --show-leak-kinds=definite "$bytelm" -q -j 2 --model="$model" "$@"
}
fail=0
check() { # check WHAT EXPECTED_RC ACTUAL_RC
  if [ "$2" != "$3" ]; then echo "FAIL: $1 (exit $3, want $2)"; fail=1; else echo "ok: $1"; fi
}

python3 - "$tmp" <<'PY'
import math, struct, sys, wave
d = sys.argv[1]
with wave.open(d + "/a.wav", "wb") as w:
    w.setnchannels(2); w.setsampwidth(2); w.setframerate(16000)
    w.writeframes(b"".join(struct.pack("<hh", int(6000 * math.sin(i / 9)), int(3000 * math.sin(i / 5)))
                           for i in range(3000)))
open(d + "/b.pgm", "wb").write(b"P5 32 24 255\n" + bytes((x * 5 + y * 3) & 255 for y in range(24) for x in range(32)))
PY

vg --frame=700 "$tmp/a.wav"; check "compress WAV" 0 $?
vg --frame=5 "$tmp/b.pgm"; check "compress PGM" 0 $?
mkdir "$tmp/out"
vg -d -o "$tmp/out/a.wav" "$tmp/a.blm"; check "decompress WAV" 0 $?
vg -d -o "$tmp/out/b.pgm" "$tmp/b.blm"; check "decompress PGM" 0 $?
python3 -c "
import sys
a, b = (open(p, 'rb').read() for p in sys.argv[1:3])
sys.exit(not b.endswith(a[-32 * 24:]) or len(b) > len(a))" "$tmp/b.pgm" "$tmp/out/b.pgm"
check "PGM pixels back exactly" 0 $?
python3 -c "
import sys, wave
a, b = (wave.open(p) for p in sys.argv[1:3])
sys.exit(a.getparams() != b.getparams() or a.readframes(10**6) != b.readframes(10**6))" \
  "$tmp/a.wav" "$tmp/out/a.wav"; check "WAV samples back exactly" 0 $?
vg -t "$tmp/a.blm"; check "test" 0 $?
python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[len(b) // 2] ^= 0x20
open(sys.argv[2], 'wb').write(b[:-9])" "$tmp/a.blm" "$tmp/bad.blm"
vg -d -F -o "$tmp/out/bad.wav" "$tmp/bad.blm" 2>/dev/null; check "recover a damaged stream (exit 1, no memcheck error)" 1 $?
vg -d -o "$tmp/out/bad2.wav" "$tmp/bad.blm" 2>/dev/null; check "damaged stream without -F (exit 1, no memcheck error)" 1 $?
exit $fail
