#!/usr/bin/env python3
"""Which mode coded each frame of .blm streams (docs/FORMAT.md §2): model, stored, FLAC, model
with match model, context mixer, scale prior, cascade predictor (PCM).

Prints, per file and in total, the frame count and the payload bytes of each mode, so a
benchmark can say how much of a set the transformer actually codes.

usage: frames.py FILE.blm...
"""
import struct
import sys

HEADER_SIZE = 76
MODES = ("model", "stored", "flac", "match", "mix", "scale", "cascade")


def frames(data):
    """Yields (mode, payload bytes) for each frame; stops at the trailer."""
    pos = HEADER_SIZE
    while data[pos:pos + 4] == b"BLMF":
        mode, np_ = data[pos + 20], data[pos + 21]
        payload = struct.unpack_from("<I", data, pos + 26 + np_)[0]
        yield MODES[mode] if mode < len(MODES) else "mode %d" % mode, payload
        pos += 30 + np_ + payload + 4


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    total = {m: [0, 0] for m in MODES}
    for path in sys.argv[1:]:
        data = open(path, "rb").read()
        if data[:4] != b"BYLM":
            sys.exit("%s: not a bytelm stream" % path)
        per = {m: [0, 0] for m in MODES}
        for mode, payload in frames(data):
            per.setdefault(mode, [0, 0])
            total.setdefault(mode, [0, 0])
            per[mode][0] += 1
            per[mode][1] += payload
            total[mode][0] += 1
            total[mode][1] += payload
        print("%s: %s" % (path, ", ".join("%s %d frames %d bytes" % (m, *per[m]) for m in MODES)))
    if len(sys.argv) > 2:
        print("total: %s" % ", ".join("%s %d frames %d bytes" % (m, *total[m]) for m in MODES))


if __name__ == "__main__":
    main()
