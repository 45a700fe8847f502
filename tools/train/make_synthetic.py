#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write a small synthetic training/dev set for smoke-testing bytelm-train.

    make_synthetic.py OUTDIR

OUTDIR/train.list and OUTDIR/dev.list (format '<path> <period> <group>') over:
  sine_*.raw  16-bit little-endian mono PCM: two sines with a slow vibrato and a little
              Gaussian noise (period 2, group 'audio'; train at 220 Hz, dev at 310 Hz)
  text_*.txt  the licence texts of /usr/share/common-licenses (period 1, group 'text'),
              the last 60000 bytes held out for dev
Deterministic (fixed seed).
"""
import glob
import math
import os
import random
import struct
import sys


def pcm(path, n, f0, rng):
    out = bytearray()
    ph = 0.0
    for i in range(n):
        ph += 2 * math.pi * f0 * (1 + 0.3 * math.sin(i / 5000.0)) / 16000
        s = int(8000 * math.sin(ph) + 3000 * math.sin(2.7 * ph) + rng.gauss(0, 30))
        out += struct.pack("<h", max(-32768, min(32767, s)))
    with open(path, "wb") as f:
        f.write(out)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(1)
    pcm(os.path.join(out, "sine_train.raw"), 400000, 220, rng)
    pcm(os.path.join(out, "sine_dev.raw"), 60000, 310, rng)
    text = b""
    for p in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                text += f.read()
    with open(os.path.join(out, "text_train.txt"), "wb") as f:
        f.write(text[:-60000])
    with open(os.path.join(out, "text_dev.txt"), "wb") as f:
        f.write(text[-60000:])
    with open(os.path.join(out, "train.list"), "w") as f:
        f.write("sine_train.raw 2 audio\ntext_train.txt 1 text\n")
    with open(os.path.join(out, "dev.list"), "w") as f:
        f.write("sine_dev.raw 2 audio\ntext_dev.txt 1 text\n")


if __name__ == "__main__":
    main()
