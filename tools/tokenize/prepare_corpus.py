#!/usr/bin/env python3
"""Turns the corpus (tools/corpus/build.sh) into the token files the trainer reads.

Each corpus file goes through bytelm-tokenize, the codec's own pre-transform, so that
training and dev-eval see exactly the bytes the codec codes. Writes, under
<cache>/tokens/: <set>/<group>/<name>.tok and one list per set, <set>.list, with lines
'<path> <period> <group> <frame bytes>' (the trainer's input format, docs/TRAINING.md).

It also writes dev-small.list: for each group of the dev set, files spread evenly over
the sorted list up to about --dev-small bytes, for quick dev-eval during training.

usage: prepare_corpus.py [--cache DIR] [--tokenize PATH] [--sets train,dev] [--dev-small BYTES]
"""
import argparse
import collections
import csv
import os
import subprocess
import sys


def group_of(out_file):
    # out_file looks like 'dev/audio-speech/name.s16': the folder is the group.
    parts = out_file.split("/")
    return parts[1] if len(parts) > 2 else "misc"


def frame_bytes(row):
    """Raw bytes per frame at the codec's default frame size (core/src/format.c)."""
    kind = row["kind"]
    if kind == "pcm":
        unit = 2 * int(row["channels"])
    elif kind in ("gray", "rgb"):
        unit = int(row["width"]) * (3 if kind == "rgb" else 1)
    else:
        return 65536
    units = max(1, 65536 // unit)
    if kind in ("gray", "rgb"):
        units = min(units, int(row["height"]))
    return units * unit


def write_dev_small(tokens, budget):
    """Picks evenly spread dev files per group until each group holds ~budget bytes."""
    rows = [line.split() for line in open(os.path.join(tokens, "dev.list"))]
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r[2]].append(r)
    out = []
    for group in sorted(groups):
        rs = sorted(groups[group])
        total = sum(os.path.getsize(r[0]) for r in rs)
        k = max(1, len(rs) * budget // max(total, 1))
        idx = [i * len(rs) // k for i in range(k)] if k < len(rs) else range(len(rs))
        size = 0
        for i in idx:
            out.append(rs[i])
            size += os.path.getsize(rs[i][0])
            if size >= budget:
                break
        print("dev-small: %s %d bytes" % (group, size))
    with open(os.path.join(tokens, "dev-small.list"), "w") as f:
        f.writelines(" ".join(r) + "\n" for r in out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.path.join(os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm"))))
    ap.add_argument("--tokenize", default="build/tools/tokenize/bytelm-tokenize")
    ap.add_argument("--sets", default="train,dev")
    ap.add_argument("--dev-small", type=int, default=1500000)
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
                lines.append("%s %s %s %d\n" % (dst, period, group, frame_bytes(row)))
        with open(os.path.join(tokens, set_name + ".list"), "w") as f:
            f.writelines(lines)
        print("%s: %d files -> %s" % (set_name, len(lines), os.path.join(tokens, set_name + ".list")))
        if set_name == "dev":
            write_dev_small(tokens, args.dev_small)


if __name__ == "__main__":
    main()
