#!/usr/bin/env python3
"""Compressed size of bytelm against the reference codecs on the dev-eval sets.

For each dev-eval group (docs/CORPUS.md) it takes files spread evenly over the sorted
manifest up to --budget raw bytes (all files with --budget 0), codes each with bytelm and
the fitting baselines, decodes every output and compares it with the input (a mismatch
aborts), and prints a Markdown table of summed sizes.

  audio:  bytelm, flac -8 (--no-padding, so headers are not counted against FLAC)
  images: bytelm, optipng -o5, cjxl -d 0 -e 7
  text, mixed: bytelm, xz -9e

usage: ratio.py [--cache DIR] [--bytelm PATH] [--budget BYTES] [--groups a,b] [-j N]
                [--bytelm-args='--preset=fast --model=M.blmm']

tools/bench/bench.py measures these and more codecs with speed and memory (report.sh uses
it); this script stays as the quick sizes-only check, and bench.py shares its file choice.
"""
import argparse
import collections
import csv
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

BASELINES = {
    "audio-speech": ["flac -8"],
    "audio-music": ["flac -8"],
    "image": ["optipng -o5", "cjxl -d 0 -e 7"],
    "text": ["xz -9e"],
    "mixed": ["xz -9e"],
}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def pick(rows, budget):
    rows = sorted(rows, key=lambda r: r["out_file"])
    if budget <= 0:
        return rows
    total = sum(int(r["bytes"]) for r in rows)
    k = max(1, len(rows) * budget // max(total, 1))
    idx = [i * len(rows) // k for i in range(k)] if k < len(rows) else range(len(rows))
    out, size = [], 0
    for i in idx:
        out.append(rows[i])
        size += int(rows[i]["bytes"])
        if size >= budget:
            break
    return out


def pnm(row, src, dst):
    """Writes the raw pixels as PGM/PPM (what optipng and cjxl read)."""
    magic = b"P6" if row["kind"] == "rgb" else b"P5"
    with open(dst, "wb") as f:
        f.write(b"%s\n%s %s\n255\n" % (magic, row["width"].encode(), row["height"].encode()))
        f.write(open(src, "rb").read())


def pixels_of(path, tmp):
    """sha256 of the pixels of a PNG/PNM file, via the repository's own reader."""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, ".."))
    from pixels import png_pixels, pnm_pixels  # noqa: E402
    data = open(path, "rb").read()
    px = png_pixels(data)[3] if data[:4] == b"\x89PNG" else pnm_pixels(data)[3]
    return hashlib.sha256(px).hexdigest()


def code_bytelm(exe, row, src, tmp, threads, extra=()):
    args = [exe, "-q", "-f", "-j", str(threads)] + list(extra)
    kind = row["kind"]
    if kind == "pcm":
        args += ["--raw=pcm", "--rate=" + row["rate"], "--channels=" + row["channels"]]
    elif kind in ("gray", "rgb"):
        args += ["--raw=" + kind, "--width=" + row["width"], "--height=" + row["height"]]
    else:
        args += ["--raw=bytes"]
    out = os.path.join(tmp, "x.blm")
    t0 = time.time()
    run(args + [src, "-o", out])
    t1 = time.time()
    back = os.path.join(tmp, "x.back")
    models = [x for x in extra if x.startswith("--model")]  # what the decoder needs of them
    run([exe, "-q", "-f", "-d", "-j", str(threads)] + models + [out, "-o", back])
    t2 = time.time()
    if open(back, "rb").read() != open(src, "rb").read():
        sys.exit("bytelm round trip differs: " + src)
    return os.path.getsize(out), t1 - t0, t2 - t1


def code_baseline(name, row, src, tmp):
    raw = open(src, "rb").read()
    t0 = time.time()
    if name == "flac -8":
        fmt = ["--force-raw-format", "--endian=little", "--sign=signed", "--bps=16",
               "--channels=" + row["channels"], "--sample-rate=" + row["rate"]]
        out = os.path.join(tmp, "x.flac")
        run(["flac", "-s", "-8", "--no-padding", "-f"] + fmt + [src, "-o", out])
        t1 = time.time()
        run(["flac", "-s", "-d", "-f", "--force-raw-format", "--endian=little", "--sign=signed",
             out, "-o", os.path.join(tmp, "x.raw")])
        ok = open(os.path.join(tmp, "x.raw"), "rb").read() == raw
    elif name == "xz -9e":
        out = os.path.join(tmp, "x.xz")
        with open(out, "wb") as f:
            subprocess.run(["xz", "-9e", "-c", src], check=True, stdout=f)
        t1 = time.time()
        ok = subprocess.run(["xz", "-dc", out], check=True, capture_output=True).stdout == raw
    else:
        img = os.path.join(tmp, "x.pnm")
        pnm(row, src, img)
        ref = hashlib.sha256(raw).hexdigest()
        if name == "optipng -o5":
            out = os.path.join(tmp, "x.png")
            run(["optipng", "-quiet", "-o5", "-strip", "all", "-clobber", "-out", out, img])
            t1 = time.time()
            ok = pixels_of(out, tmp) == ref
        else:
            out = os.path.join(tmp, "x.jxl")
            run(["cjxl", img, out, "-d", "0", "-e", "7", "--quiet"])
            t1 = time.time()
            back = os.path.join(tmp, "xj.png")
            run(["djxl", out, back, "--quiet"])
            ok = pixels_of(back, tmp) == ref
    t2 = time.time()
    if not ok:
        sys.exit("%s round trip differs: %s" % (name, src))
    return os.path.getsize(out), t1 - t0, t2 - t1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--bytelm", default="build/core/cli/bytelm")
    ap.add_argument("--budget", type=int, default=2000000, help="raw bytes per group (0: all)")
    ap.add_argument("--groups", default="audio-speech,audio-music,image,text,mixed")
    ap.add_argument("-j", type=int, default=2, help="bytelm threads")
    ap.add_argument("--bytelm-args", default="", help="more options for the encoder, e.g. a preset or a model")
    args = ap.parse_args()
    corpus = os.path.join(args.cache, "corpus")
    rows = list(csv.DictReader(open(os.path.join(corpus, "dev", "manifest.tsv")), delimiter="\t"))
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["out_file"].split("/")[1]].append(r)
    tmp = tempfile.mkdtemp()
    print("| dev-eval set | files | raw bytes | codec | bytes | size / raw | bytelm / it |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    try:
        for group in args.groups.split(","):
            files = pick(groups[group], args.budget)
            raw = sum(int(r["bytes"]) for r in files)
            sizes = collections.OrderedDict((c, 0) for c in ["bytelm"] + BASELINES[group])
            for r in files:
                src = os.path.join(corpus, r["out_file"])
                sizes["bytelm"] += code_bytelm(args.bytelm, r, src, tmp, args.j, shlex.split(args.bytelm_args))[0]
                for c in BASELINES[group]:
                    sizes[c] += code_baseline(c, r, src, tmp)[0]
            for c, n in sizes.items():
                rel = "" if c == "bytelm" else "%.3f" % (sizes["bytelm"] / n)
                print("| %s | %d | %d | %s | %d | %.4f | %s |" % (group, len(files), raw, c, n, n / raw, rel))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
