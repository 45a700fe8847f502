# Sourced by tools/bench/speed.sh and seek.sh: their audio inputs from the dev-eval
# corpus. Needs $work (a scratch folder), $seconds and $corpus set by the caller.

# make_input NAME RATE CHANNELS GLOB FALLBACK: the files of GLOB (sorted, so the input
# is the same every time) concatenated to $seconds of audio as $work/NAME.raw and
# $work/NAME.wav; FALLBACK (a WAV in samples/) when the corpus is not there.
make_input() {
  local name=$1 rate=$2 ch=$3 glob=$4 fallback=$5 need=$(( $2 * $3 * 2 * seconds ))
  : > "$work/$name.raw"
  for f in $(ls $glob 2>/dev/null | sort); do
    cat "$f" >> "$work/$name.raw"
    [ "$(stat -c %s "$work/$name.raw")" -ge "$need" ] && break
  done
  if [ ! -s "$work/$name.raw" ]; then
    sox "$fallback" -t raw "$work/$name.raw"
  fi
  head -c "$need" "$work/$name.raw" > "$work/$name.cut" && mv "$work/$name.cut" "$work/$name.raw"
  sox -t raw -r "$rate" -e signed -b 16 -c "$ch" -L "$work/$name.raw" "$work/$name.wav"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
