#!/bin/bash
# The paper's study at our scale (docs/STUDY.md): models of one shape trained on audio only,
# images only, text only and on all of them (plus raw, untransformed PCM and pixels, so that
# the multimodal model also knows the bytes of files it is handed whole), and an audio
# model-size sweep. Every run trains the same number of positions and ends with a dev-eval
# of every dev-small group, which tools/train/study_report.py turns into docs/STUDY.md.
#
# usage: tools/train/study.sh [--steps N] [--runs NAME,NAME,...] [--out DIR]
# A run whose .blmm exists is skipped; one with a checkpoint resumes from it (a killed
# study continues where it stopped). Needs the token cache of tools/tokenize/prepare_corpus.py.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -euo pipefail
cd "$(dirname "$0")/../.."

cache=${BYTELM_CACHE:-$HOME/.cache/bytelm}
tokens=$cache/tokens
corpus=$cache/corpus
out=$cache/runs/study
steps=2500
runs=text,image,all,audio,audio-s,audio-xs,audio-l
while [ $# -gt 0 ]; do
    case $1 in
    --steps) steps=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "study.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
trainer=${BYTELM_TRAIN:-build/tools/train/bytelm-train}
[ -x "$trainer" ] || { echo "study.sh: $trainer not built (meson compile -C build)" >&2; exit 1; }
mkdir -p "$out"

# One training list for every run; the mixture weights choose what each run sees. Lines
# whose token file is missing are dropped (token sets are regenerated per group).
list=$out/train.list
if [ ! -s "$list" ]; then
    {
        cat "$tokens/train-audio.list"
        grep -E ' (image|text) ' "$tokens/train.list"
    } | while read -r path rest; do [ -f "$path" ] && echo "$path $rest"; done >"$list.tmp"
    # Raw bytes, as the codec's "bytes" kind codes them (transform 0, period 1): every
    # 8th file of each group, sorted, so the set is the same on every machine.
    for g in audio-speech audio-music image; do
        raw=raw-${g%%-*}
        find "$corpus/train/$g" -type f ! -name manifest.tsv | LC_ALL=C sort |
            awk -v g="$raw" 'NR % 8 == 1 { print $0 " 1 " g " 65536" }'
    done >>"$list.tmp"
    mv "$list.tmp" "$list"
fi
dev=$tokens/dev-small.list

run() { # name, mixture, shape options...
    local name=$1 mix=$2
    shift 2
    [ -f "$out/$name.blmm" ] && { echo "study: $name done"; return; }
    echo "study: $name ($(date -u +%H:%M))"
    local args=(--train "$list" --dev "$dev" --dev-every 0 --log-every 50 --steps "$steps"
        --checkpoint "$out/$name.ckpt" --checkpoint-every 250 --export "$out/$name.blmm.tmp"
        --name "study-$name" --description "docs/STUDY.md run $name, $steps steps")
    if [ -f "$out/$name.ckpt" ]; then
        "$trainer" --resume "$out/$name.ckpt" --mix "$mix" "${args[@]}" >>"$out/$name.log" 2>&1
    else
        "$trainer" --mix "$mix" "$@" --seq-len 256 --batch 16 --lr 2e-3 --warmup 200 --seed 1 \
            "${args[@]}" >"$out/$name.log" 2>&1
    fi
    mv "$out/$name.blmm.tmp" "$out/$name.blmm"
}

M=(--layers 3 --d-model 96 --heads 4 --d-ff 384 --window 128)
for r in ${runs//,/ }; do
    case $r in
    text) run text text=1 "${M[@]}" --modality text ;;
    image) run image image=1 "${M[@]}" --modality image ;;
    audio) run audio audio-speech=1,audio-music=1 "${M[@]}" --modality audio ;;
    all) run all audio-speech=2,audio-music=2,image=2,text=2,raw-audio=1,raw-image=1 "${M[@]}" \
        --modality multimodal ;;
    audio-xs) run audio-xs audio-speech=1,audio-music=1 --layers 2 --d-model 32 --heads 2 \
        --d-ff 128 --window 128 --modality audio ;;
    audio-s) run audio-s audio-speech=1,audio-music=1 --layers 2 --d-model 64 --heads 4 \
        --d-ff 256 --window 128 --modality audio ;;
    audio-l) run audio-l audio-speech=1,audio-music=1 --layers 4 --d-model 128 --heads 4 \
        --d-ff 512 --window 128 --modality audio ;;
    *) echo "study.sh: unknown run $r" >&2; exit 2 ;;
    esac
done
echo "study: finished ($(date -u +%H:%M))"
