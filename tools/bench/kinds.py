#!/usr/bin/env python3
"""Images with alpha and with 16-bit samples: bytelm against JPEG-XL on the dev-eval
package's PNGs of those kinds (docs/BENCHMARKS.md, docs/STUDY.md finding 12).

    python3 tools/bench/kinds.py [--dir DIR] [--builddir build]

DIR holds the PNGs (default: libjxl-testdata as tools/corpus/build.py extracts it, a
dev-eval package of docs/CORPUS.md); every 8-bit PNG with alpha and every 16-bit PNG
under it is coded. Each file goes through the command-line tool as a user runs it
(`bytelm --verify`, which decodes and compares, then `bytelm -d` timed on its own) and
through `cjxl -d 0 -e 7` / `djxl`; decodes are timed on 1 and on 2 threads. Prints a
Markdown table per group and the totals; sizes in bytes, times in seconds of wall time,
one process each.
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_DIR = os.path.join(os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")),
                           "corpus", "src", "libjxl-testdata", "usr", "share", "libjxl-testdata")
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
NAMES = {0: "gray", 2: "RGB", 3: "palette", 4: "gray+alpha", 6: "RGBA"}


def png_header(path):
    """(width, height, bit depth, colour type, has tRNS) of a PNG, or None."""
    with open(path, "rb") as f:
        data = f.read(1 << 16)
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        return None
    w, h, depth, ctype = struct.unpack(">IIBB", data[16:26])
    return w, h, depth, ctype, b"tRNS" in data[:data.find(b"IDAT")]


def group_of(hdr):
    w, h, depth, ctype, trns = hdr
    if depth == 16:
        return "16-bit"
    if depth == 8 and (ctype in (4, 6) or trns):
        return "8-bit with alpha"
    return None


def timed(cmd):
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode:
        sys.exit("%s failed: %s" % (" ".join(cmd), r.stderr.decode(errors="replace")))
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--builddir", default=os.environ.get("BUILDDIR", "build"))
    args = ap.parse_args()
    bytelm = os.path.join(ROOT, args.builddir, "core", "cli", "bytelm")
    if not os.path.exists(bytelm):
        sys.exit("no %s: build first (ninja -C %s)" % (bytelm, args.builddir))
    have_jxl = shutil.which("cjxl") and shutil.which("djxl")
    files = []
    for base, _, names in os.walk(args.dir):
        for n in sorted(names):
            if n.lower().endswith(".png"):
                p = os.path.join(base, n)
                hdr = png_header(p)
                if hdr and group_of(hdr):
                    files.append((group_of(hdr), os.path.relpath(p, args.dir), p, hdr))
    if not files:
        sys.exit("no PNG with alpha or 16-bit samples under %s (tools/corpus/build.py extracts it)" % args.dir)
    files.sort()
    work = tempfile.mkdtemp()
    try:
        rows = []
        for group, rel, path, (w, h, depth, ctype, trns) in files:
            planes = CHANNELS[ctype] + (1 if trns and ctype in (0, 2) else 0)
            if ctype == 3:
                planes = 4 if trns else 3
            raw = w * h * planes * depth // 8
            blm = os.path.join(work, "x.blm")
            enc = timed([bytelm, "-f", "-q", "--verify", "-j", "2", "-o", blm, path])
            dec = timed([bytelm, "-d", "-f", "-q", "-j", "2", "-o", os.path.join(work, "x.png"), blm])
            dec1 = timed([bytelm, "-d", "-f", "-q", "-j", "1", "-o", os.path.join(work, "x.png"), blm])
            row = {"group": group, "file": rel, "kind": "%d-bit %s" % (depth, NAMES[ctype] + ("+tRNS" if trns else "")),
                   "size": "%dx%d" % (w, h), "raw": raw, "png": os.path.getsize(path),
                   "blm": os.path.getsize(blm), "enc": enc, "dec": dec, "dec1": dec1}
            if have_jxl:
                jxl = os.path.join(work, "x.jxl")
                row["jenc"] = timed(["cjxl", "-d", "0", "-e", "7", "--num_threads=2", path, jxl])
                row["jxl"] = os.path.getsize(jxl)
                row["jdec"] = timed(["djxl", "--num_threads=2", jxl, os.path.join(work, "y.png")])
                row["jdec1"] = timed(["djxl", "--num_threads=1", jxl, os.path.join(work, "y.png")])
            rows.append(row)
    finally:
        shutil.rmtree(work)

    for group in sorted({r["group"] for r in rows}):
        sel = [r for r in rows if r["group"] == group]
        print("\n**%s** (%d files)\n" % (group, len(sel)))
        print("| file | kind | size | raw | PNG | bytelm | cjxl -e 7 | bytelm / cjxl |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in sel:
            j = r.get("jxl")
            print("| %s | %s | %s | %d | %d | %d | %s | %s |" % (
                r["file"], r["kind"], r["size"], r["raw"], r["png"], r["blm"],
                j if j else "-", "%.3f" % (r["blm"] / j) if j else "-"))
        raw = sum(r["raw"] for r in sel)
        blm = sum(r["blm"] for r in sel)
        dec = sum(r["dec"] for r in sel)
        dec1 = sum(r["dec1"] for r in sel)
        line = "| total | | | %d | %d | %d |" % (raw, sum(r["png"] for r in sel), blm)
        if have_jxl:
            jxl = sum(r["jxl"] for r in sel)
            jdec = sum(r["jdec"] for r in sel)
            jdec1 = sum(r["jdec1"] for r in sel)
            line += " %d | **%.3f** |" % (jxl, blm / jxl)
        else:
            line += " - | - |"
        print(line)
        speed = "\nDecode, MB/s of raw samples on 1 / 2 threads: bytelm %.2f / %.2f" % (
            raw / dec1 / 1e6, raw / dec / 1e6)
        if have_jxl:
            speed += ", djxl %.2f / %.2f" % (raw / jdec1 / 1e6, raw / jdec / 1e6)
        print(speed + " (each a fresh process, PNG writing included).")


if __name__ == "__main__":
    main()
