#!/usr/bin/env python3
"""Does the codec code what the model predicts? (docs/TRAINING.md: within 1 %)

For each file of a dev list (tokens from tools/tokenize/prepare_corpus.py, next to the
raw corpus files they came from), encodes the raw file with the bytelm CLI and a given
model, finds the frames coded in model mode or in mode 5, the model with the scale prior
(tools/bench/frames.py; FLAC or stored frames say nothing about the model), and compares
their payload with the PyTorch twin's predicted size of the same frames (sum of -log2 p /
8). Prints totals per group. The encoder codes PCM and pixels in mode 5
wherever that is smaller, so those come out below the model's own prediction by what the
prior adds (docs/MODEL.md §8: about 0.4 % on music, 1 % on photos).

usage: /usr/bin/python3 check_codec_size.py --model M.blmm --list DEV.list [--bytelm PATH]
                                            [--cache DIR] [--max-files N]
"""
import argparse
import collections
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))
import bytelm_torch  # noqa: E402
import frames as blm_frames  # noqa: E402


def raw_args(row):
    kind = row["kind"]
    if kind == "pcm":
        return ["--raw=pcm", "--rate=" + row["rate"], "--channels=" + row["channels"]]
    if kind in ("gray", "rgb"):
        return ["--raw=" + kind, "--width=" + row["width"], "--height=" + row["height"]]
    return []


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--list", required=True)
    ap.add_argument("--bytelm", default=os.path.join(ROOT, "build", "core", "cli", "bytelm"))
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/bytelm"))
    ap.add_argument("--max-files", type=int, default=0)
    args = ap.parse_args()
    net = bytelm_torch.load_blmm(args.model)
    net.eval()
    manifest = {}
    for set_name in ("dev", "train"):
        path = os.path.join(args.cache, "corpus", set_name, "manifest.tsv")
        if os.path.exists(path):
            for row in csv.DictReader(open(path), delimiter="\t"):
                manifest[os.path.splitext(row["out_file"])[0]] = row
    total = collections.defaultdict(lambda: [0, 0.0, 0, 0])  # payload, predicted, model frames, others
    lines = [l.split() for l in open(args.list) if l.strip() and not l.startswith("#")]
    if args.max_files:
        lines = lines[:args.max_files]
    with tempfile.TemporaryDirectory() as tmp:
        for tok_path, period, group, frame_bytes in lines:
            rel = os.path.relpath(tok_path, os.path.join(args.cache, "tokens"))
            row = manifest[os.path.splitext(rel)[0]]
            src = os.path.join(args.cache, "corpus", row["out_file"])
            out = os.path.join(tmp, "x.blm")
            subprocess.run([args.bytelm, "-q", "-f", "-j", "2", "--model", args.model] + raw_args(row)
                           + ["-o", out, src], check=True)
            data = open(out, "rb").read()
            tokens = open(tok_path, "rb").read()
            fb = int(frame_bytes)
            for i, (mode, payload) in enumerate(blm_frames.frames(data)):
                t = total[group]
                if mode not in ("model", "scale"):
                    t[3] += 1
                    continue
                bits = net.frame_bits(tokens[i * fb:(i + 1) * fb], int(period), fb)
                t[0] += payload
                t[1] += bits / 8
                t[2] += 1
    print("| group | model frames | other frames | codec payload | predicted | codec / predicted |")
    print("| --- | --- | --- | --- | --- | --- |")
    for g in sorted(total):
        pay, pred, nm, no = total[g]
        print("| %s | %d | %d | %d | %.0f | %.4f |" % (g, nm, no, pay, pred, pay / pred if pred else 0))


if __name__ == "__main__":
    main()
