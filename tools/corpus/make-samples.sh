#!/bin/bash
# Regenerates samples/ (small real test files, see samples/README.md) from the Debian
# packages cached by tools/corpus/build.sh; fetches/extracts them itself when missing.
# Deterministic: sox -R -D (no dither), ImageMagick with -strip and no time chunks,
# byte copies. Usage: tools/corpus/make-samples.sh [OUTDIR]   (default: samples/)
set -euo pipefail
export LC_ALL=C TZ=UTC
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../samples}
root=${BYTELM_CACHE:-$HOME/.cache/bytelm}/corpus
mkdir -p "$out" "$root/debs" "$root/src"
command -v sox >/dev/null && [ -x /usr/bin/convert ] || {
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends sox imagemagick; }

pkg() {  # pkg NAME -> prints the extracted root of the package
    local name=$1 d=$root/src/$1
    if [ ! -d "$d" ]; then
        ls "$root/debs/${name}"_*.deb >/dev/null 2>&1 || (cd "$root/debs" && apt-get download -q "$name" >/dev/null)
        rm -rf "$d.tmp" && dpkg-deb -x "$(ls "$root/debs/${name}"_*.deb | sort | tail -n 1)" "$d.tmp" && mv "$d.tmp" "$d"
    fi
    echo "$d"
}

# 1. Speech: the first 5 s of festvox-ru utterance ru_0774 (dev-eval part), 16 kHz mono 16-bit.
f=$(pkg festvox-ru)/usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav/ru_0774.wav
sox -R -D -V1 "$f" -t wav -e signed-integer -b 16 "$out/speech-ru-16k-mono.wav" trim 0 5

# 2. Music: the first 5 s of sonic-pi-samples loop_tabla.flac, 44.1 kHz stereo 16-bit.
f=$(pkg sonic-pi-samples)/usr/share/sonic-pi/samples/loop_tabla.flac
sox -R -D -V1 "$f" -t wav -e signed-integer -b 16 "$out/music-tabla-44k-stereo.wav" trim 0 5

# 3. Photo: a 256x256 crop of libjxl-testdata's flower.png (yellow heart and petals), 8-bit RGB PNG.
f=$(pkg libjxl-testdata)/usr/share/libjxl-testdata/jxl/flower/flower.png
/usr/bin/convert "$f" -crop 256x256+1200+700 +repage -alpha off -depth 8 -strip \
    -define png:exclude-chunks=date,time -define png:color-type=2 -define png:bit-depth=8 \
    "PNG24:$out/photo-flower-256.png"

# 4. Gray camera frame: visp-images-data cube/image.0040.pgm, 384x288 8-bit, copied as is.
cp "$(pkg visp-images-data)/usr/share/visp-images-data/ViSP-images/cube/image.0040.pgm" "$out/gray-cube-384x288.pgm"

(cd "$out" && sha256sum speech-ru-16k-mono.wav music-tabla-44k-stereo.wav photo-flower-256.png gray-cube-384x288.pgm)
