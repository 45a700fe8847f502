#!/usr/bin/env bash
# The main job: build bytelm, code the bundled samples with bytelm and with FLAC,
# optimised PNG and JPEG-XL (and a text, this project's docs/FORMAT.md, with xz), decode
# everything, verify it is lossless, and print the comparison.
# Usage: tools/demo.sh [FILE...]   (default: samples/* and docs/FORMAT.md)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-deps.sh
builddir=${BUILDDIR:-build}
[ -f "$builddir/build.ninja" ] || meson setup "$builddir" --buildtype=release >/dev/null
ninja -C "$builddir" >/dev/null
bytelm="$builddir/core/cli/bytelm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=("$@")
[ ${#files[@]} -gt 0 ] || files=(samples/*.wav samples/*.png samples/*.pgm samples/*.ppm docs/FORMAT.md)

now() { date +%s.%N; }
fail() { echo "demo: $*" >&2; exit 1; }
pixels() { python3 tools/pixels.py "$1" | cut -d' ' -f1,2; }

printf '%-28s %-9s %10s | %-18s %10s %7s %8s %8s\n' file kind "raw bytes" codec bytes ratio "enc s" "dec s"
row() { printf '%-28s %-9s %10s | %-18s %10s %7s %8.3f %8.3f\n' "$@"; }

for f in "${files[@]}"; do
  [ -e "$f" ] || continue
  base=$(basename "$f")
  case "$f" in
    *.wav) kind=audio; raw=$(( $(soxi -s "$f") * $(soxi -c "$f") * 2 )) ;;
    *.png|*.pgm|*.ppm) kind=image; read -r dims _ < <(python3 tools/pixels.py "$f")
       IFS=x read -r w h c <<<"$dims"; raw=$((w * h * c)) ;;
    *) kind=bytes; raw=$(stat -c %s "$f") ;;
  esac

  t0=$(now); "$bytelm" -q -f "$f" -o "$work/$base.blm"; t1=$(now)
  ext=${base##*.}
  "$bytelm" -q -f -d "$work/$base.blm" -o "$work/back.$ext"; t2=$(now)
  if [ $kind = audio ]; then
    cmp -s <(sox "$f" -t raw -) <(sox "$work/back.$ext" -t raw -) || fail "$base: bytelm round trip differs"
  elif [ $kind = bytes ]; then
    cmp -s "$f" "$work/back.$ext" || fail "$base: bytelm round trip differs"
  else
    [ "$(pixels "$f" | cut -d' ' -f2)" = "$(pixels "$work/back.$ext" | cut -d' ' -f2)" ] || fail "$base: bytelm round trip differs"
  fi
  size=$(stat -c %s "$work/$base.blm")
  row "$base" $kind $raw bytelm $size "$(awk "BEGIN{printf \"%.3f\", $size/$raw}")" \
      "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"

  if [ $kind = audio ]; then
    t0=$(now); flac -s -8 --no-padding -f "$f" -o "$work/x.flac"; t1=$(now)
    flac -s -d -f "$work/x.flac" -o "$work/x.wav"; t2=$(now)
    cmp -s <(sox "$f" -t raw -) <(sox "$work/x.wav" -t raw -) || fail "$base: flac round trip differs"
    size=$(stat -c %s "$work/x.flac")
    row "" "" "" "flac -8" $size "$(awk "BEGIN{printf \"%.3f\", $size/$raw}")" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  elif [ $kind = bytes ]; then
    t0=$(now); xz -9e -k -c "$f" > "$work/x.xz"; t1=$(now)
    xz -d -c "$work/x.xz" | cmp -s - "$f" || fail "$base: xz round trip differs"; t2=$(now)
    size=$(stat -c %s "$work/x.xz")
    row "" "" "" "xz -9e" $size "$(awk "BEGIN{printf \"%.3f\", $size/$raw}")" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  else
    ref=$(pixels "$f" | cut -d' ' -f2)
    src="$f"   # optipng and cjxl read PNG, PGM and PPM
    t0=$(now); optipng -quiet -o5 -strip all -out "$work/x.png" -clobber "$src"; t1=$(now)
    [ "$(pixels "$work/x.png" | cut -d' ' -f2)" = "$ref" ] || fail "$base: optipng round trip differs"
    size=$(stat -c %s "$work/x.png")
    row "" "" "" "optipng -o5" $size "$(awk "BEGIN{printf \"%.3f\", $size/$raw}")" "$(echo "$t1 - $t0" | bc)" 0
    t0=$(now); cjxl "$src" "$work/x.jxl" -d 0 -e 7 --quiet 2>/dev/null; t1=$(now)
    djxl "$work/x.jxl" "$work/xj.png" --quiet 2>/dev/null; t2=$(now)
    [ "$(pixels "$work/xj.png" | cut -d' ' -f2)" = "$ref" ] || fail "$base: JPEG-XL round trip differs"
    size=$(stat -c %s "$work/x.jxl")
    row "" "" "" "cjxl -d 0 -e 7" $size "$(awk "BEGIN{printf \"%.3f\", $size/$raw}")" \
        "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  fi
done
echo "every file decoded identical to its input (ratio = coded bytes / raw PCM, pixel or file bytes)"
