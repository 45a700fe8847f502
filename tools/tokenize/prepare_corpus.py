#!/usr/bin/env python3
"""Turns the corpus (tools/corpus/build.sh) into the token files the trainer reads.

Each corpus file goes through bytelm-tokenize, the codec's own pre-transform, so that
training and dev-eval see exactly the bytes the codec codes. Writes, under
<cache>/tokens/: <set>/<group>/<name>.tok and one list per set, <set>.list, with lines
'<path> <period> <group> <frame bytes>' (the trainer's input format, docs/TRAINING.md).

It also writes dev-small.list: for each group of the dev set, files spread evenly over
the sorted list up to about --dev-small bytes, for quick dev-eval during training.

--groups limits the work to some groups (e.g. audio-speech,audio-music), and --max-group-bytes
takes, per group, files spread evenly over the sorted list up to about that many bytes:
training runs on this machine see far less than the whole corpus, and tokenizing PCM
(an LPC search per frame and channel) runs at about 5 MB/s per core. --jobs runs several
tokenizers at once. Token files already present are kept: delete a group's folder after
the codec's transform changes.

usage: prepare_corpus.py [--cache DIR] [--tokenize PATH] [--sets train,dev] [--dev-small BYTES]
                         [--groups G,G] [--max-group-bytes N] [--jobs N] [--list-suffix S]
"""
import argparse
import collections
import concurrent.futures
import csv
import os
import subprocess
import sys


def group_of(out_file):
    # out_file looks like 'dev/audio-speech/name.s16': the folder is the group.
    parts = out_file.split("/")
    return parts[1] if len(parts) > 2 else "misc"


DEFAULT_FRAME_BYTES = 131072  # BLM_DEFAULT_FRAME_BYTES, core/src/format.h (PCM, pixels)


def frame_bytes(row):
    """Raw bytes per frame at the codec's default frame size (core/src/format.c); plain
    bytes are measured in 64 KiB frames."""
    kind = row["kind"]
    if kind == "pcm":
        unit = 2 * int(row["channels"])
    elif kind in ("gray", "rgb"):
        unit = int(row["width"]) * (3 if kind == "rgb" else 1)
    else:
        return 65536
    units = max(1, DEFAULT_FRAME_BYTES // unit)
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


def subset(rows, budget):
    """Per group, files spread evenly over the sorted list up to about budget bytes."""
    groups = collections.defaultdict(list)
    for r in rows:
        groups[group_of(r["out_file"])].append(r)
    out = []
    for g in sorted(groups):
        rs = sorted(groups[g], key=lambda r: r["out_file"])
        total = sum(int(r["bytes"]) for r in rs)
        k = max(1, min(len(rs), len(rs) * budget // max(total, 1)))
        size = 0
        for i in range(k):
            r = rs[i * len(rs) // k]
            out.append(r)
            size += int(r["bytes"])
            if size >= budget:
                break
    return out


def tokenize(args, corpus, tokens, set_name, row):
    """Tokenizes one corpus file (unless done before); returns its list line."""
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
    return "%s %s %s %d\n" % (dst, period, group, frame_bytes(row))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.path.join(os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm"))))
    ap.add_argument("--tokenize", default="build/tools/tokenize/bytelm-tokenize")
    ap.add_argument("--sets", default="train,dev")
    ap.add_argument("--dev-small", type=int, default=1500000)
    ap.add_argument("--groups", default="", help="only these groups (comma separated)")
    ap.add_argument("--max-group-bytes", type=int, default=0, help="per group, about this many raw bytes")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--list-suffix", default="", help="write <set><suffix>.list")
    args = ap.parse_args()
    groups_wanted = set(g for g in args.groups.split(",") if g)
    corpus = os.path.join(args.cache, "corpus")
    tokens = os.path.join(args.cache, "tokens")
    for set_name in args.sets.split(","):
        manifest = os.path.join(corpus, set_name, "manifest.tsv")
        if not os.path.exists(manifest):
            sys.exit("no manifest %s: run tools/corpus/build.sh first" % manifest)
        rows = []
        with open(manifest) as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if not groups_wanted or group_of(row["out_file"]) in groups_wanted:
                    rows.append(row)
        if args.max_group_bytes:
            rows = subset(rows, args.max_group_bytes)
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            lines = list(pool.map(lambda row: tokenize(args, corpus, tokens, set_name, row), rows))
        list_path = os.path.join(tokens, set_name + args.list_suffix + ".list")
        with open(list_path, "w") as f:
            f.writelines(lines)
        print("%s: %d files -> %s" % (set_name, len(lines), list_path))
        if set_name == "dev" and not args.list_suffix:
            write_dev_small(tokens, args.dev_small)


if __name__ == "__main__":
    main()
