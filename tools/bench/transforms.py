#!/usr/bin/env python3
"""Measures candidate pre-transforms on the dev-eval set (docs/FORMAT.md §4) with model-free
proxies: the adaptive code length of an order-0 and an order-1 context model over the token
bytes (context: the previous token and the phase), in bits per raw byte, summed over
files. A small transformer sees more than two tokens, but what helps these proxies — less
entropy to model, structure at short range — is what the choice is about.

usage: transforms.py [--cache DIR] [--tokenize PATH] [--max-bytes N]
"""
import argparse
import collections
import csv
import math
import os
import subprocess
import tempfile


def adaptive_bits(tokens, period, order):
    """Code length in bits of tokens under an adaptive (count + 1/2) model per context."""
    counts = collections.defaultdict(lambda: [0.5] * 256)
    totals = collections.defaultdict(lambda: 128.0)
    bits = 0.0
    h1 = h2 = 0
    for t, x in enumerate(tokens):
        ctx = (t % period, h1) if order == 1 else (t % period,)
        c = counts[ctx]
        bits -= math.log2(c[x] / totals[ctx])
        c[x] += 1
        totals[ctx] += 1
        h2, h1 = h1, x
    return bits


def tokenize(tool, args, src):
    with tempfile.NamedTemporaryFile() as out:
        period = int(subprocess.run([tool] + args + [src, out.name], check=True,
                                    capture_output=True, text=True).stdout)
        return open(out.name, "rb").read(), period


def swap16(data):
    b = bytearray(data)
    b[0::2], b[1::2] = data[1::2], data[0::2]
    return bytes(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--tokenize", default="build/tools/tokenize/bytelm-tokenize")
    ap.add_argument("--max-bytes", type=int, default=400000, help="per modality")
    args = ap.parse_args()
    corpus = os.path.join(args.cache, "corpus")
    rows = list(csv.DictReader(open(os.path.join(corpus, "dev", "manifest.tsv")), delimiter="\t"))
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["out_file"].split("/")[1]].append(r)

    print("| dev-eval set | bytes | variant | order-0 bits/byte | order-1 bits/byte |")
    print("| --- | --- | --- | --- | --- |")
    for group in ("audio-speech", "audio-music", "image"):
        rs = sorted(groups[group], key=lambda r: r["out_file"])
        # files spread over the set, up to max-bytes
        picked, size = [], 0
        for r in rs[:: max(1, len(rs) // 20)]:
            picked.append(r)
            size += int(r["bytes"])
            if size >= args.max_bytes:
                break
        variants = collections.OrderedDict()
        for r in picked:
            src = os.path.join(corpus, r["out_file"])
            raw = open(src, "rb").read()
            if r["kind"] == "pcm":
                ch = int(r["channels"])
                pcm = ["--kind", "pcm", "--channels", str(ch)]
                res, p = tokenize(args.tokenize, pcm + ["--transform", "1"], src)
                lpc, p = tokenize(args.tokenize, pcm + ["--transform", "2"], src)
                cand = {"raw s16le (low byte first)": (raw, 2 * ch),
                        "raw, high byte first": (swap16(raw), 2 * ch),
                        "fixed-predictor residual, high byte first (transform 1)": (res, p),
                        "fixed-predictor residual, low byte first": (swap16(res), p),
                        "LPC + LMS residual, high byte first (transform 2, shipped)": (lpc, p),
                        "LPC + LMS residual, low byte first": (swap16(lpc), p)}
            else:
                comps = 3 if r["kind"] == "rgb" else 1
                med, p = tokenize(args.tokenize, ["--kind", r["kind"], "--width", r["width"]], src)
                cand = {"raw pixels": (raw, comps),
                        "MED residual (+ subtract-green when smaller) (shipped)": (med, p)}
            for name, (data, period) in cand.items():
                v = variants.setdefault(name, [0, 0.0, 0.0])
                v[0] += len(data)
                v[1] += adaptive_bits(data, period, 0)
                v[2] += adaptive_bits(data, period, 1)
        for name, (n, b0, b2) in variants.items():
            print("| %s | %d | %s | %.3f | %.3f |" % (group, n, name, b0 / n, b2 / n))


if __name__ == "__main__":
    main()
