#!/usr/bin/env python3
"""The dev-eval images of docs/CORPUS.md, each group on its own: bytelm against JPEG-XL
(docs/BENCHMARKS.md "Camera frames and photos", docs/STUDY.md findings 9 and 13).

    python3 tools/bench/images.py [--builddir build] [--e9] [--groups camera,photos]

Groups: the 80 gray camera frames of visp-images-data, and the four RGB photos of
libjxl-testdata (the three 500 px ones and the flower). Each image is written as a
PGM/PPM and goes through the command-line tool as a user runs it (`bytelm -j 2`, then
`bytelm -d` timed on 1 and on 2 threads, its output compared with the input)
and through `cjxl -d 0 -e 7` (and `-e 9` with --e9) and `djxl`, timed the same way.
Prints a Markdown table per group: bytes, the ratio to cjxl -e 7, and decode and encode
speed in MB/s of raw pixels (sums over the group's files, one process each, so a small
file's process start counts against its codec).
"""
import argparse
import csv
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kinds import timed  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")), "corpus")
GROUPS = {
    "camera": ("camera frames: visp-images-data, gray 384x288",
               lambda r: r["package"] == "visp-images-data" and r["kind"] == "gray"),
    "photos": ("photos: libjxl-testdata, RGB (three of 500x500 and the flower, 2268x1512)",
               lambda r: r["package"] == "libjxl-testdata" and r["kind"] == "rgb"),
}


def write_pnm(row, path):
    gray = row["kind"] == "gray"
    with open(os.path.join(CORPUS, row["out_file"]), "rb") as f:
        pixels = f.read()
    with open(path, "wb") as f:
        f.write(b"P%d\n%s %s\n255\n" % (5 if gray else 6, row["width"].encode(), row["height"].encode()))
        f.write(pixels)
    return len(pixels)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--builddir", default=os.environ.get("BUILDDIR", "build"))
    ap.add_argument("--groups", default="camera,photos")
    ap.add_argument("--e9", action="store_true", help="also cjxl -d 0 -e 9 (slow)")
    args = ap.parse_args()
    bytelm = os.path.join(ROOT, args.builddir, "core", "cli", "bytelm")
    if not os.path.exists(bytelm):
        sys.exit("no %s: build first (ninja -C %s)" % (bytelm, args.builddir))
    manifest = os.path.join(CORPUS, "dev", "manifest.tsv")
    if not os.path.exists(manifest):
        sys.exit("no %s: build the corpus first (tools/corpus/build.sh)" % manifest)
    rows = list(csv.DictReader(open(manifest), delimiter="\t"))
    have_jxl = shutil.which("cjxl") and shutil.which("djxl")
    efforts = ["7", "9"] if args.e9 else ["7"]
    work = tempfile.mkdtemp()
    try:
        for g in args.groups.split(","):
            title, which = GROUPS[g]
            files = sorted((r for r in rows if r["modality"] == "image" and which(r)), key=lambda r: r["out_file"])
            if not files:
                sys.exit("no %s in %s" % (g, manifest))
            tot = {}

            def add(key, v):
                tot[key] = tot.get(key, 0) + v

            for r in files:
                ext = ".pgm" if r["kind"] == "gray" else ".ppm"
                src = os.path.join(work, "x" + ext)
                out = os.path.join(work, "y" + ext)
                add("raw", write_pnm(r, src))
                blm = os.path.join(work, "x.blm")
                add("enc", timed([bytelm, "-f", "-q", "-j", "2", "-o", blm, src]))
                add("dec2", timed([bytelm, "-d", "-f", "-q", "-j", "2", "-o", out, blm]))
                add("dec1", timed([bytelm, "-d", "-f", "-q", "-j", "1", "-o", out, blm]))
                with open(src, "rb") as a, open(out, "rb") as b:
                    if a.read() != b.read():
                        sys.exit("%s: bytelm's output differs from the input" % r["out_file"])
                add("blm", os.path.getsize(blm))
                if have_jxl:
                    for e in efforts:
                        jxl = os.path.join(work, "x.jxl")
                        add("jenc" + e, timed(["cjxl", "-d", "0", "-e", e, "--num_threads=2", src, jxl]))
                        add("jxl" + e, os.path.getsize(jxl))
                        add("jdec2" + e, timed(["djxl", "--num_threads=2", jxl, os.path.join(work, "z" + ext)]))
                        add("jdec1" + e, timed(["djxl", "--num_threads=1", jxl, os.path.join(work, "z" + ext)]))
            raw = tot["raw"]
            print("\n**%s** (%d files, %d raw bytes)\n" % (title, len(files), raw))
            print("| codec | bytes | / cjxl -e 7 | decode MB/s, 1 / 2 threads | encode MB/s, 2 threads |")
            print("| --- | --- | --- | --- | --- |")
            ref = tot.get("jxl7")

            def line(name, size, d1, d2, enc):
                ratio = "%.3f" % (size / ref) if ref else "-"
                print("| %s | %d | %s | %.2f / %.2f | %.2f |" % (name, size, ratio, raw / d1 / 1e6, raw / d2 / 1e6,
                                                                 raw / enc / 1e6))

            if have_jxl:
                for e in efforts:
                    line("cjxl -d 0 -e %s" % e, tot["jxl" + e], tot["jdec1" + e], tot["jdec2" + e], tot["jenc" + e])
            line("bytelm (default preset)", tot["blm"], tot["dec1"], tot["dec2"], tot["enc"])
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
