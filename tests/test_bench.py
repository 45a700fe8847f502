#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmark harness (tools/bench/bench.py) on a tiny directory: a WAV, a PNG and a
text file, a few KB in all, one round, with the test model. Checks that every codec that
fits each kind has a CSV row with verified=yes, that the Markdown and (with gnuplot) the
chart are written, and that a decoder whose output differs makes the run fail.

usage: test_bench.py BYTELM MODEL_DIR
"""
import csv
import math
import os
import struct
import subprocess
import sys
import tempfile
import wave
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "tools", "bench", "bench.py")
BYTELM, MODELS = (os.path.abspath(a) for a in sys.argv[1:3])
TINY = os.path.join(MODELS, "test-tiny.blmm")

EXPECTED = {  # set -> codecs (the bytelm rows: the default preset and the test model)
    "tiny/audio": ["gzip -9", "xz -9e", "zstd -19", "flac -5", "flac -8", "wavpack -hhx3",
                   "bytelm", "bytelm test-tiny"],
    "tiny/image": ["gzip -9", "xz -9e", "zstd -19", "optipng -o5", "cwebp -lossless -z 9",
                   "cjxl -d 0 -e 7", "cjxl -d 0 -e 9", "bytelm", "bytelm test-tiny"],
    "tiny/bytes": ["gzip -9", "xz -9e", "zstd -19", "bytelm", "bytelm test-tiny"],
}
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def png(path, w, h, px):
    """An 8-bit RGB PNG, filter 0 on every row."""
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    rows = b"".join(b"\0" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def make_inputs(d):
    with wave.open(os.path.join(d, "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 7.0)) + (i * 7919) % 61 - 30)
                               for i in range(1500)))
    png(os.path.join(d, "grad.png"), 24, 16,
        bytes((x * 10 + y * 3 + c * 40 + (x * y) % 7) & 255 for y in range(16) for x in range(24) for c in range(3)))
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("".join("line %d: the quick brown fox jumps over the lazy dog\n" % i for i in range(40)))


def bench(d, out, bytelm):
    return subprocess.run([sys.executable, BENCH, os.path.join(d, "tiny"), "--runs", "1", "-q",
                           "--bytelm", bytelm, "--models-dir", MODELS, "--presets", "default",
                           "--models", TINY, "--out", out], capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, "tiny"))
        make_inputs(os.path.join(tmp, "tiny"))
        out = os.path.join(tmp, "out")
        p = bench(tmp, out, BYTELM)
        check(p.returncode == 0, "bench exit status %d: %s" % (p.returncode, p.stderr[-3000:]))
        rows = list(csv.DictReader(open(os.path.join(out, "bench.csv")))) if p.returncode == 0 else []
        for s, codecs in EXPECTED.items():
            got = {r["codec"]: r for r in rows if r["set"] == s}
            for c in codecs:
                r = got.get(c)
                check(r is not None, "%s: no row for %s" % (s, c))
                if r:
                    check(r["verified"] == "yes", "%s %s: verified=%s" % (s, c, r["verified"]))
                    check(int(r["bytes"]) > 0 and float(r["ratio"]) > 0, "%s %s: no size" % (s, c))
                    check(r["enc_bytes_per_s"] != "", "%s %s: no encode speed" % (s, c))
            tiny_row = got.get("bytelm test-tiny")
            if tiny_row:
                check(int(tiny_row["model_bytes"]) == os.path.getsize(TINY), "model bytes not counted")
        if p.returncode == 0:
            md = open(os.path.join(out, "bench.md")).read()
            check("Command: `python3 tools/bench/bench.py" in md, "Markdown lacks the command")
            check("| flac -8 " in md and "| cjxl -d 0 -e 7 |" in md, "Markdown lacks rows")
            if subprocess.run(["sh", "-c", "command -v gnuplot"], capture_output=True).returncode == 0:
                check(os.path.getsize(os.path.join(out, "bench.png")) > 0, "no chart")

        # A bytelm whose decoded output gains a byte: the harness must fail, not report.
        bad = os.path.join(tmp, "bad-bytelm")
        with open(bad, "w") as f:
            f.write('#!/bin/sh\n"%s" "$@" || exit $?\ncase " $* " in *" -d "*) '
                    'for a; do o=$a; done; printf x >> "$o";; esac\n' % BYTELM)
        os.chmod(bad, 0o755)
        p = bench(tmp, os.path.join(tmp, "out-bad"), bad)
        check(p.returncode == 1 and "differs" in p.stderr,
              "a wrong decode was not caught (exit %d): %s" % (p.returncode, p.stderr[-1000:]))
    n = sum(len(v) for v in EXPECTED.values())
    print("bench harness: %d sets, %d codecs checked, %d failures" % (len(EXPECTED), n, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
