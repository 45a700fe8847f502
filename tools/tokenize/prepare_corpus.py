#!/usr/bin/env python3
"""Turns the corpus (tools/corpus/build.sh) into the token files the trainer reads.

Each corpus file goes through bytelm-tokenize, the codec's own pre-transform, so that
training and dev-eval see exactly the bytes the codec codes. Writes, under
<cache>/tokens/: <set>/<group>/<name>.tok and one list per set, <set>.list, with lines
'<path> <period> <group>' (the trainer's input format, docs/TRAINING.md).

usage: prepare_corpus.py [--cache DIR] [--tokenize PATH] [--sets train,dev]
"""
import argparse
import csv
import os
import subprocess
import sys


def group_of(out_file):
    # out_file looks like 'dev/audio-speech/name.s16': the folder is the group.
    parts = out_file.split("/")
    return parts[1] if len(parts) > 2 else "misc"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.path.join(os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm"))))
    ap.add_argument("--tokenize", default="build/tools/tokenize/bytelm-tokenize")
    ap.add_argument("--sets", default="train,dev")
    args = ap.parse_args()
    corpus = os.path.join(args.cache, "corpus")
    tokens = os.path.join(args.cache, "tokens")
    for set_name in args.sets.split(","):
        manifest = os.path.join(corpus, set_name, "manifest.tsv")
        if not os.path.exists(manifest):
            sys.exit("no manifest %s: run tools/corpus/build.sh first" % manifest)
        lines = []
        with open(manifest) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                src = os.path.join(corpus, row["out_file"])
                group = group_of(row["out_file"])
                name = os.path.splitext(os.path.basename(row["out_file"]))[0]
                dst = os.path.join(tokens, set_name, group, name + ".tok")
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                cmd = [args.tokenize, "--kind", row["kind"]]
                if row["kind"] == "pcm":
                    cmd += ["--channels", row["channels"]]
                elif row["kind"] in ("gray", "rgb"):
                    cmd += ["--width", row["width"]]
                period_file = dst + ".period"
                if os.path.exists(dst) and os.path.exists(period_file):
                    period = open(period_file).read().strip()
                else:
                    period = subprocess.run(cmd + [src, dst + ".tmp"], check=True,
                                            capture_output=True, text=True).stdout.strip()
                    os.replace(dst + ".tmp", dst)
                    with open(period_file, "w") as pf:
                        pf.write(period + "\n")
                lines.append("%s %s %s\n" % (dst, period, group))
        with open(os.path.join(tokens, set_name + ".list"), "w") as f:
            f.writelines(lines)
        print("%s: %d files -> %s" % (set_name, len(lines), os.path.join(tokens, set_name + ".list")))


if __name__ == "__main__":
    main()
