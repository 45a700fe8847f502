#!/usr/bin/env python3
"""Print the lines of a token list whose source was sampled at 32 kHz or more.

usage: wide_list.py [--list LIST] [--manifest TSV] [--min-rate HZ] > train-wide.list

The training list of bytelm-audio-wide-v1 (docs/models.md): the files of
~/.cache/bytelm/tokens/train-audio.list (prepare_corpus.py) whose corpus manifest entry
(tools/corpus/build.sh) has a rate of at least --min-rate. A token file is matched to its
manifest entry by name (train/GROUP/NAME.s16 -> .../train/GROUP/NAME.tok).
"""
import argparse
import csv
import os
import sys

CACHE = os.path.expanduser("~/.cache/bytelm")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", default=os.path.join(CACHE, "tokens", "train-audio.list"))
    ap.add_argument("--manifest", default=os.path.join(CACHE, "corpus", "train", "manifest.tsv"))
    ap.add_argument("--min-rate", type=int, default=32000)
    a = ap.parse_args()
    rate = {}
    with open(a.manifest) as f:
        for r in csv.DictReader(f, delimiter="\t"):
            if r["kind"] == "pcm":
                rate[os.path.splitext(os.path.basename(r["out_file"]))[0]] = int(r["rate"])
    kept = 0
    with open(a.list) as f:
        for line in f:
            name = os.path.splitext(os.path.basename(line.split()[0]))[0]
            if rate.get(name, 0) >= a.min_rate:
                sys.stdout.write(line)
                kept += 1
    print("wide_list: %d files at %d Hz or more" % (kept, a.min_rate), file=sys.stderr)


if __name__ == "__main__":
    main()
