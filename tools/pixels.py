#!/usr/bin/env python3
"""Prints the SHA-256 of the pixels of an 8-bit PNG, PGM or PPM file (with its width,
height and channel count), so that lossless round trips through different codecs
can be checked on pixels rather than on file bytes. Standard library only.

usage: pixels.py FILE...
"""
import hashlib
import struct
import sys
import zlib


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def png_pixels(data):
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace or ctype not in (0, 2, 4, 6):
        raise SystemExit("unsupported PNG (depth %d, colour type %d, interlace %d)" % (depth, ctype, interlace))
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw, stride = zlib.decompress(idat), w * ch
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], (prev[i - ch] if i >= ch else 0)
            line[i] = (line[i] + (0, a, b, (a + b) // 2, paeth(a, b, c))[f]) & 255
        out += line
        prev = line
    return w, h, ch, bytes(out)


def pnm_pixels(data):
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(int(data[start:pos]))
    w, h, _ = fields
    ch = 3 if data[:2] == b"P6" else 1
    return w, h, ch, data[pos + 1:pos + 1 + w * h * ch]


def main():
    for name in sys.argv[1:]:
        data = open(name, "rb").read()
        w, h, ch, px = png_pixels(data) if data[:4] == b"\x89PNG" else pnm_pixels(data)
        print("%dx%dx%d %s %s" % (w, h, ch, hashlib.sha256(px).hexdigest(), name))


if __name__ == "__main__":
    main()
