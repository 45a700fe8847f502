#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write a bytelm weights file (.blmm, docs/MODEL.md section 5).

    mkmodel.py OUT.blmm [--d 64 --layers 2 --heads 4 --ff 256 --window 128
                         --phases 16 --seed 2 --logit-gain 3]

writes a model with deterministic pseudo-random weights (splitmix64, integer-only,
so the file is byte-identical on every machine and Python version). The trainer
writes its real weights with the same write_blmm():

    from mkmodel import write_blmm
    write_blmm(path, meta, tensors)

meta:    list of (key, value); int -> u32, float -> f32, str -> string.
tensors: list of (name, shape, data); data is a flat sequence of floats, bytes
         already packed as little-endian float32, or a numpy array (any float
         dtype; converted to little-endian float32, row-major).
"""
import argparse
import hashlib
import struct
import sys

ARCH = "bytelm-transformer-v1"


def _pad32(n):
    return (-n) % 32


def _tensor_bytes(shape, data):
    count = 1
    for s in shape:
        count *= s
    if isinstance(data, (bytes, bytearray)):
        raw = bytes(data)
    elif hasattr(data, "dtype") and hasattr(data, "astype"):      # numpy
        raw = data.astype("<f4").tobytes(order="C")
    else:
        raw = struct.pack("<%df" % len(data), *data)
    if len(raw) != 4 * count:
        raise ValueError("tensor data has %d bytes, shape %r needs %d"
                         % (len(raw), shape, 4 * count))
    return raw


def write_blmm(path, meta, tensors):
    """Write a .blmm file; returns its model hash (SHA-256 of all bytes before it)."""
    head = bytearray(b"BLMM")
    head += struct.pack("<III", 1, len(meta), len(tensors))
    for key, value in meta:
        k = key.encode("ascii")
        head += struct.pack("<H", len(k)) + k
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise TypeError("metadata %s: int, float or str" % key)
        if isinstance(value, int):
            head += struct.pack("<BI", 0, value)
        elif isinstance(value, float):
            head += struct.pack("<Bf", 1, value)
        else:
            v = value.encode("utf-8")
            head += struct.pack("<BI", 2, len(v)) + v
    data = bytearray()
    for name, shape, values in tensors:
        raw = _tensor_bytes(shape, values)
        n = name.encode("ascii")
        head += struct.pack("<H", len(n)) + n
        head += struct.pack("<BB", 0, len(shape))
        head += struct.pack("<%dI" % len(shape), *shape)
        head += struct.pack("<Q", len(data))
        data += raw + bytes(_pad32(len(raw)))
    head += bytes(_pad32(len(head)))
    body = bytes(head) + bytes(data)
    digest = hashlib.sha256(body).digest()
    with open(path, "wb") as f:
        f.write(body + digest)
    return digest


class SplitMix64:
    """Integer PRNG: the same stream everywhere."""

    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFFFFFFFFFF

    def next(self):
        self.s = (self.s + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def uniform(self):
        """In [-1, 1), a multiple of 2^-23: exact in float32 and in double."""
        return ((self.next() >> 40) - (1 << 23)) / float(1 << 23)


def random_model(d, layers, heads, ff, window, phases, seed, logit_gain=3.0, eps=1e-5,
                 name=None, modality="bytes", prefer_small=0.0):
    """(meta, tensors) of a model with uniform random weights of roughly unit-variance
    activations; logit_gain scales the output head (higher = sharper distributions).
    prefer_small > 0 replaces the output bias by -prefer_small * c, so that small byte
    values (the zig-zag residuals of the pre-transforms) are likely: a random model
    that still compresses, for tests that must exercise the model coding path."""
    if d % 8 or ff % 8 or d % heads:
        raise ValueError("d and ff must be multiples of 8, d a multiple of heads")
    rng = SplitMix64(seed)

    def rand(shape, scale, offset=0.0):
        n = 1
        for s in shape:
            n *= s
        # offset + u * scale in double, rounded once to float32 by struct.pack
        return (shape, [offset + rng.uniform() * scale for _ in range(n)])

    def fan(n):   # uniform(-a, a) with variance 1/n
        return (3.0 / n) ** 0.5

    tensors = []

    def add(tname, t):
        tensors.append((tname, t[0], t[1]))

    add("tok_emb", rand([257, d], 1.0))
    add("phase_emb", rand([phases, d], 0.5))
    for i in range(layers):
        add("l%d.attn_norm" % i, rand([d], 0.2, 1.0))
        for w in ("wq", "wk", "wv", "wo"):
            add("l%d.%s" % (i, w), rand([d, d], fan(d)))
        add("l%d.rel_bias" % i, rand([heads, window], 1.0))
        add("l%d.ffn_norm" % i, rand([d], 0.2, 1.0))
        add("l%d.w1" % i, rand([d, ff], fan(d)))
        add("l%d.w2" % i, rand([ff, d], fan(ff)))
    add("out_norm", rand([d], 0.2, 1.0))
    add("out_w", rand([d, 256], fan(d) * logit_gain))
    if prefer_small > 0:
        tensors.append(("out_b", [256], [-prefer_small * c for c in range(256)]))
    else:
        add("out_b", rand([256], 1.0))

    meta = [
        ("arch", ARCH),
        ("n_layer", layers), ("d_model", d), ("n_head", heads), ("d_ff", ff),
        ("window", window), ("n_phase", phases), ("norm_eps", float(eps)),
        ("norm", "rmsnorm"), ("pos", "relbias"), ("act", "gelu_tanh"),
        ("name", name or "random-d%d-l%d-s%d" % (d, layers, seed)),
        ("modality", modality),
        ("description", "untrained: deterministic random weights from tools/mkmodel.py"),
        ("train_bytes", 0),
        ("license", "LGPL-2.1-or-later"),
    ]
    return meta, tensors


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--d", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ff", type=int, default=256)
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--phases", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--logit-gain", type=float, default=3.0)
    ap.add_argument("--eps", type=float, default=1e-5)
    ap.add_argument("--prefer-small", type=float, default=0.0)
    ap.add_argument("--name")
    ap.add_argument("--modality", default="bytes")
    a = ap.parse_args(argv)
    meta, tensors = random_model(a.d, a.layers, a.heads, a.ff, a.window, a.phases, a.seed,
                                 a.logit_gain, a.eps, a.name, a.modality, a.prefer_small)
    digest = write_blmm(a.out, meta, tensors)
    print("%s: %s" % (a.out, digest.hex()))


if __name__ == "__main__":
    sys.exit(main())
