# Shared by the tests in tests/ffmpeg/ (sourced). They need build/ffmpeg/ffmpeg and
# ffprobe from avcodec/build-ffmpeg.sh and the CLI from meson; run.sh runs them all.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
builddir=${BUILDDIR:-build}
case $builddir in /*) ;; *) builddir=$root/$builddir;; esac
FF=$builddir/ffmpeg/ffmpeg
FP=$builddir/ffmpeg/ffprobe
BL=$builddir/core/cli/bytelm
for f in "$FF" "$FP" "$BL"; do
  [ -x "$f" ] || { echo "missing $f (avcodec/build-ffmpeg.sh, ninja -C build)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
ff() { "$FF" -nostdin -hide_banner -v error -y "$@"; }
md5() { md5sum | cut -d' ' -f1; }
# The decoded samples (s16le, interleaved) or pixels of a file, as an MD5.
pcm_md5() { ff -i "$1" "${@:2}" -f s16le - | md5; }
pix_md5() { ff -i "$1" -f rawvideo -pix_fmt "$2" - | md5; }
expect_eq() { [ "$1" = "$2" ] || fail "$3: '$1' != '$2'"; }
# One field of ffprobe's stream or format section: probe FILE stream|format KEY
probe() { "$FP" -v error -show_entries "$2=$3" -of default=nw=1:nk=1 "$1" | head -1; }

# Deterministic s16le test signal: gen_pcm FILE SAMPLES CHANNELS [SEED]
# (tones and noise, different in each channel: neither silent nor white noise).
gen_pcm() {
  python3 - "$@" <<'PY'
import math, random, struct, sys
path, n, ch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
out = bytearray()
for i in range(n):
    for c in range(ch):
        v = 9000 * math.sin(i * 0.013 * (c + 1)) + 3000 * math.sin(i * 0.21) + rnd.randint(-300, 300)
        out += struct.pack('<h', max(-32768, min(32767, int(v))))
open(path, 'wb').write(out)
PY
}

# Deterministic image, raw and as PGM/PPM: gen_image BASE WIDTH HEIGHT gray|rgb
gen_image() {
  python3 - "$@" <<'PY'
import random, sys
base, w, h, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rnd = random.Random(w * 65536 + h)
c = 3 if kind == 'rgb' else 1
data = bytes((x * 3 + y * 5 + k * 40 + rnd.randint(0, 12)) & 255
             for y in range(h) for x in range(w) for k in range(c))
open(base + '.raw', 'wb').write(data)
ext, magic = ('ppm', b'P6') if c == 3 else ('pgm', b'P5')
open(base + '.' + ext, 'wb').write(magic + b'\n%d %d\n255\n' % (w, h) + data)
PY
}
