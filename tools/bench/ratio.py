#!/usr/bin/env python3
"""Compressed size of bytelm against the reference codecs on the dev-eval sets.

For each dev-eval group (docs/CORPUS.md) it takes files spread evenly over the sorted
manifest up to --budget raw bytes (all files with --budget 0), codes each with bytelm and
the fitting baselines, decodes every output and compares it with the input (a mismatch
aborts), and prints a Markdown table of summed sizes.

  audio:  bytelm, flac -8 (--no-padding, so headers are not counted against FLAC), and
          sac --normal and sac --high when a `sac` program is on PATH (docs/BENCHMARKS.md
          says how to build it; otherwise they are left out with a note)
  images: bytelm, optipng -o5, cjxl -d 0 -e 7
  text, mixed: bytelm, xz -9e

usage: ratio.py [--cache DIR] [--bytelm PATH] [--budget BYTES] [--groups a,b] [-j N]
                [--bytelm-args='--preset=fast --model=M.blmm'] [--codecs 'flac -8,sac --normal']

--codecs keeps only the named codecs (bytelm among them or not), e.g. to measure the
baselines on a large budget without running bytelm. tools/bench/sac_files.py lists the
files a group and budget pick, and their sizes file by file.

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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import media  # noqa: E402

SAC = ["sac --normal", "sac --high"] if shutil.which("sac") else []
BASELINES = {
    "audio-speech": ["flac -8"] + SAC,
    "audio-music": ["flac -8"] + SAC,
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


def dev_groups(cache):
    """{dev-eval group: manifest rows} of the corpus under cache (docs/CORPUS.md)."""
    corpus = os.path.join(cache, "corpus")
    with open(os.path.join(corpus, "dev", "manifest.tsv")) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["out_file"].split("/")[1]].append(r)
    return groups


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


def code_baseline(name, row, src, tmp, threads=1):
    raw = open(src, "rb").read()
    t0 = time.time()
    if name.startswith("sac --"):
        # sac reads and writes WAV; --mt-mode=0: one thread (the stream is the same)
        wav, out, back = (os.path.join(tmp, n) for n in ("x.wav", "x.sac", "x.back.wav"))
        media.write_wav(wav, int(row["rate"]), int(row["channels"]), raw)
        t0 = time.time()
        mt = ["--mt-mode=0"] if threads <= 1 else []
        for p in (out, back):
            if os.path.exists(p):
                os.remove(p)
        run(["sac", "--encode", name.split()[1]] + mt + [wav, out])
        t1 = time.time()
        if not os.path.exists(out):  # sac exits with 0 when it cannot write
            sys.exit("%s wrote nothing for %s" % (name, src))
        run(["sac", "--decode"] + mt + [out, back])
        got = media.read_wav(open(back, "rb").read()) if os.path.exists(back) else None
        ok = got is not None and got[2] == raw
    elif name == "flac -8":
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
    ap.add_argument("-j", type=int, default=2, help="bytelm threads (and sac's: one per channel when above 1)")
    ap.add_argument("--bytelm-args", default="", help="more options for the encoder, e.g. a preset or a model")
    ap.add_argument("--codecs", default="",
                    help="comma-separated codecs to run (default: bytelm and every baseline of the group)")
    args = ap.parse_args()
    corpus = os.path.join(args.cache, "corpus")
    groups = dev_groups(args.cache)
    keep = [c.strip() for c in args.codecs.split(",") if c.strip()]
    known = {"bytelm"} | {c for cs in BASELINES.values() for c in cs}
    if any(c.startswith("sac") for c in keep) and not SAC:
        print("ratio: sac not on PATH, its rows are left out (docs/BENCHMARKS.md says how to build it)",
              file=sys.stderr)
        keep = [c for c in keep if not c.startswith("sac")]
    elif not SAC and any(g.startswith("audio") for g in args.groups.split(",")):
        print("ratio: sac not on PATH, no sac rows (docs/BENCHMARKS.md says how to build it)", file=sys.stderr)
    unknown = [c for c in keep if c not in known and not c.startswith("sac")]
    if unknown:
        sys.exit("ratio: unknown codec %s (known: %s)" % (", ".join(unknown), ", ".join(sorted(known))))
    with_bytelm = not keep or "bytelm" in keep
    tmp = tempfile.mkdtemp()
    last = "bytelm / it" if with_bytelm else "it / first row"
    print("| dev-eval set | files | raw bytes | codec | bytes | size / raw | %s |" % last)
    print("| --- | --- | --- | --- | --- | --- | --- |")
    try:
        for group in args.groups.split(","):
            files = pick(groups[group], args.budget)
            raw = sum(int(r["bytes"]) for r in files)
            codecs = [c for c in ["bytelm"] + BASELINES[group] if not keep or c in keep]
            if not codecs:
                continue
            sizes = collections.OrderedDict((c, 0) for c in codecs)
            for r in files:
                src = os.path.join(corpus, r["out_file"])
                if with_bytelm:
                    sizes["bytelm"] += code_bytelm(args.bytelm, r, src, tmp, args.j, shlex.split(args.bytelm_args))[0]
                for c in codecs:
                    if c != "bytelm":
                        sizes[c] += code_baseline(c, r, src, tmp, args.j)[0]
            first = codecs[0]
            for c, n in sizes.items():
                if with_bytelm:
                    rel = "" if c == "bytelm" else "%.3f" % (sizes["bytelm"] / n)
                else:
                    rel = "%.3f" % (n / sizes[first])
                print("| %s | %d | %d | %s | %d | %.4f | %s |" % (group, len(files), raw, c, n, n / raw, rel))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
