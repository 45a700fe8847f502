# SPDX-License-Identifier: LGPL-2.1-or-later
"""The bytelm transformer (docs/MODEL.md, arch "bytelm-transformer-v1") in PyTorch.

A twin of the C trainer (tools/train/model.c): the same function, parameters named and
shaped as in the weights file, matrices stored [in][out] (y = x @ w). It reads and writes
the weights file (.blmm, docs/MODEL.md section 5) and the C trainer's checkpoints
(BLMTRAIN, tools/train/checkpoint.h), so a model moves freely between the two.

    import bytelm_torch as bt
    model = bt.ByteLM(bt.Config(n_layer=2, d_model=64, n_head=4, d_ff=256, window=128))
    loss = model.loss(tokens, phases, targets)          # mean nats over scored bytes
    bt.save_blmm(model, "m.blmm", name="mine", modality="text")
    model = bt.load_blmm("m.blmm")

Only the codec's own inference is bit-exact (float32, fixed order, its own exp); this module
computes the same function in whatever order PyTorch chooses, like the C trainer does.
Needs PyTorch >= 1.13 (on Debian 12: python3-torch, which is for /usr/bin/python3).
"""
import dataclasses
import hashlib
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from mkmodel import write_blmm  # noqa: E402  the one Python writer of .blmm files

ARCH = "bytelm-transformer-v1"
BOS = 256           # input token at t = 0 (row 256 of tok_emb)
VOCAB_IN = 257
VOCAB_OUT = 256
GELU_C = 0.7978845608028654   # sqrt(2 / pi)


@dataclasses.dataclass
class Config:
    n_layer: int
    d_model: int
    n_head: int
    d_ff: int
    window: int
    norm_eps: float = 1e-5
    n_phase: int = 16

    def __post_init__(self):
        # the file, the trainer and the codec hold eps as a float32
        self.norm_eps = struct.unpack("<f", struct.pack("<f", self.norm_eps))[0]

    def check(self):
        # the limits of docs/MODEL.md section 5 (and tools/train/model.c)
        if not (1 <= self.n_layer <= 32):
            raise ValueError("n_layer must be 1..32")
        if not (8 <= self.d_model <= 1024) or self.d_model % 8:
            raise ValueError("d_model must be a multiple of 8 in 8..1024")
        if self.n_head < 1 or self.d_model % self.n_head:
            raise ValueError("n_head must divide d_model")
        if not (8 <= self.d_ff <= 4096) or self.d_ff % 8:
            raise ValueError("d_ff must be a multiple of 8 in 8..4096")
        if not (1 <= self.window <= 4096):
            raise ValueError("window must be 1..4096")
        if not (1 <= self.n_phase <= 16):
            raise ValueError("n_phase must be 1..16")


# ------------------------------------------------------------------------------------------
# the layers

def rmsnorm(x, g, eps):
    """y = x / sqrt(mean(x^2) + eps) * g."""
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * g


def gelu_tanh(x):
    """GELU, tanh approximation (act = "gelu_tanh")."""
    return 0.5 * x * (1.0 + torch.tanh(GELU_C * (x + 0.044715 * x * x * x)))


def windowed_attention(q, k, v, rel_bias, window, chunk=256):
    """Causal attention over the last `window` positions (the current one included) with a
    learned per-head bias by distance (pos = "relbias").

    q, k, v: [B, H, T, hd]; rel_bias: [H, W], rel_bias[j][t - s]. Queries go in chunks so
    that memory grows with T * (chunk + W), not T^2: a whole 64 KiB codec frame fits."""
    B, H, T, hd = q.shape
    scale = 1.0 / math.sqrt(hd)
    out = []
    for c0 in range(0, T, chunk):
        c1 = min(T, c0 + chunk)
        s0 = max(0, c0 - window + 1)            # first key any query of the chunk sees
        t_idx = torch.arange(c0, c1, device=q.device)
        s_idx = torch.arange(s0, c1, device=q.device)
        dist = t_idx[:, None] - s_idx[None, :]  # t - s, [C, S]
        seen = (dist >= 0) & (dist < window)
        bias = rel_bias[:, dist.clamp(0, window - 1)]          # [H, C, S]
        e = q[:, :, c0:c1] @ k[:, :, s0:c1].transpose(-1, -2) * scale + bias
        e = e.masked_fill(~seen, float("-inf"))
        out.append(torch.softmax(e, dim=-1) @ v[:, :, s0:c1])
    return torch.cat(out, dim=2)


class Block(nn.Module):
    """One layer: h += attention(rmsnorm(h)) @ wo; h += gelu(rmsnorm(h) @ w1) @ w2."""

    def __init__(self, c):
        super().__init__()
        d, F_, H, W = c.d_model, c.d_ff, c.n_head, c.window
        self.c = c
        self.attn_norm = nn.Parameter(torch.ones(d))
        self.wq = nn.Parameter(torch.zeros(d, d))
        self.wk = nn.Parameter(torch.zeros(d, d))
        self.wv = nn.Parameter(torch.zeros(d, d))
        self.wo = nn.Parameter(torch.zeros(d, d))
        self.rel_bias = nn.Parameter(torch.zeros(H, W))
        self.ffn_norm = nn.Parameter(torch.ones(d))
        self.w1 = nn.Parameter(torch.zeros(d, F_))
        self.w2 = nn.Parameter(torch.zeros(F_, d))

    def forward(self, h):
        c = self.c
        B, T, d = h.shape
        H, hd = c.n_head, d // c.n_head
        a = rmsnorm(h, self.attn_norm, c.norm_eps)

        def heads(x):                      # [B, T, d] -> [B, H, T, hd]
            return x.view(B, T, H, hd).transpose(1, 2)
        o = windowed_attention(heads(a @ self.wq), heads(a @ self.wk), heads(a @ self.wv),
                               self.rel_bias, c.window)
        h = h + o.transpose(1, 2).reshape(B, T, d) @ self.wo
        b = rmsnorm(h, self.ffn_norm, c.norm_eps)
        return h + gelu_tanh(b @ self.w1) @ self.w2


class ByteLM(nn.Module):
    """logits[b, t] = the model's prediction of x_t from tokens[b, :t+1] and phases."""

    def __init__(self, c):
        super().__init__()
        c.check()
        self.c = c
        d = c.d_model
        self.tok_emb = nn.Parameter(torch.zeros(VOCAB_IN, d))
        self.phase_emb = nn.Parameter(torch.zeros(c.n_phase, d))
        self.layers = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.out_norm = nn.Parameter(torch.ones(d))
        self.out_w = nn.Parameter(torch.zeros(d, VOCAB_OUT))
        self.out_b = nn.Parameter(torch.zeros(VOCAB_OUT))

    def init_weights(self, generator=None):
        """The C trainer's scheme (docs/TRAINING.md): normal(0, 0.02) embeddings and matrices,
        wo and w2 0.02/sqrt(2L), gains 1, biases 0 (not its random stream)."""
        std, proj_std = 0.02, 0.02 / math.sqrt(2 * self.c.n_layer)
        with torch.no_grad():
            for name, p in self.named_parameters():
                kind = name.split(".")[-1]
                if kind in ("attn_norm", "ffn_norm", "out_norm"):
                    p.fill_(1.0)
                elif kind in ("rel_bias", "out_b"):
                    p.zero_()
                else:
                    p.normal_(0.0, proj_std if kind in ("wo", "w2") else std,
                              generator=generator)
        return self

    def forward(self, tokens, phases):
        """tokens, phases: int64 [B, T] (BOS = 256 at t = 0); returns logits [B, T, 256]."""
        # F.embedding, not indexing: its backward sums by row instead of by atomic adds,
        # which on a GPU serialise on the few rows text uses (one phase, common bytes)
        h = F.embedding(tokens, self.tok_emb) + F.embedding(phases % self.c.n_phase,
                                                            self.phase_emb)
        for layer in self.layers:
            h = layer(h)
        return rmsnorm(h, self.out_norm, self.c.norm_eps) @ self.out_w + self.out_b

    def loss(self, tokens, phases, targets):
        """Mean cross-entropy in nats over the scored positions (targets >= 0), as the C
        trainer's tm_forward returns it."""
        logits = self(tokens, phases)
        return F.cross_entropy(logits.reshape(-1, VOCAB_OUT), targets.reshape(-1),
                               ignore_index=-1)

    @torch.no_grad()
    def frame_bits(self, data, period=1, frame=65536):
        """Sum of -log2 p(x_t) over `data` (bytes) coded the way the codec codes it: cut into
        frames of `frame` bytes, each from a cold start (BOS, phase t mod period from the
        frame start). The codec's payload is this / 8 plus a small cost for the integer CDF."""
        x = torch.frombuffer(bytearray(data), dtype=torch.uint8).long()
        dev = self.out_b.device
        bits = 0.0
        for f0 in range(0, len(x), frame):
            tok, ph, tgt = frame_batch(x[f0:f0 + frame], period)
            logits = self(tok.to(dev), ph.to(dev))
            bits += F.cross_entropy(logits[0].double(), tgt[0].to(dev),
                                    reduction="sum").item() / math.log(2)
        return bits

    def match_bits(self, data, frame=65536, mode=3):
        """As frame_bits, for plain bytes in frame mode 3 (the model's tables reshaped by
        the match model, match_frame_bits) or 4 (the context mixer, mix_frame_bits)."""
        x = torch.frombuffer(bytearray(data), dtype=torch.uint8).long()
        dev = self.out_b.device
        bits = 0.0
        with torch.no_grad():
            for f0 in range(0, len(x), frame):
                tok, ph, tgt = frame_batch(x[f0:f0 + frame], 1)
                probs = torch.softmax(self(tok.to(dev), ph.to(dev))[0].double(), -1)
                code = mix_frame_bits if mode == 4 else match_frame_bits
                bits += code(probs, tgt[0].tolist())
        return bits


class MatchModel:
    """The match model of frame mode 3 (docs/MODEL.md §6), written from the spec, not the
    C code, over the frame's tokens x (a list of ints)."""
    MIN, LONG, QMAX = 3, 8, 65536 - 320

    def __init__(self, x):
        self.x = x
        self.short, self.long, self.hit = {}, {}, [32768] * 64
        self.length = self.ptr = 0
        self.ctx = None

    @staticmethod
    def _lenb(l):
        if l < MatchModel.MIN + 10:
            return l - MatchModel.MIN
        for lim, b in ((24, 10), (32, 11), (64, 12), (128, 13), (512, 14)):
            if l < lim:
                return b
        return 15

    def _hash(self, n, k):
        v = 0
        for i in range(k):
            v = ((v + self.x[n - k + i] + 1) * 0x9E3779B1) & 0xFFFFFFFF
        return v >> 16

    def _follow(self, n, c, k):
        x = self.x
        if not c:
            return
        l = 0
        while l < 32 and l < c and x[c - 1 - l] == x[n - 1 - l]:
            l += 1
        if l >= k and l > self.length:
            self.length, self.ptr = l, c

    def apply(self, f):
        """The table f (numpy int64 [256]) reshaped for the next token."""
        import numpy as np
        self.ctx = None
        if not self.length:
            return f
        p = self.x[self.ptr]
        fp = int(f[p])
        self.ctx = 4 * self._lenb(self.length) + (0 if fp < 4096 else 1 if fp < 16384 else
                                                   2 if fp < 49152 else 3)
        q = min(self.hit[self.ctx], self.QMAX)
        if q <= fp + 256:
            return f
        mult = ((65536 - q) << 16) // (65536 - fp)
        g = np.maximum(1, (f * mult) >> 16)
        g[p] = 0
        g[p] = 65536 - int(g.sum())
        return g

    def update(self, t):
        x, hit = self.x, self.hit
        if self.length:
            right = x[self.ptr] == x[t]
            if self.ctx is not None:
                c = self.ctx
                hit[c] = hit[c] + ((65535 - hit[c]) >> 5) if right else hit[c] - (hit[c] >> 5)
            if right:
                self.ptr, self.length = self.ptr + 1, min(self.length + 1, 1 << 30)
            else:
                self.length = 0
        self.ctx = None
        n = t + 1
        if n >= self.LONG:
            k = self._hash(n, self.LONG)
            if self.length < self.LONG:
                self._follow(n, self.long.get(k, 0), self.LONG)
            self.long[k] = n
        if n >= self.MIN:
            k = self._hash(n, self.MIN)
            if not self.length:
                self._follow(n, self.short.get(k, 0), self.MIN)
            self.short[k] = n


def codec_table(p):
    """The 16-bit table of docs/MODEL.md §4 from a distribution p (numpy [256]), up to
    float rounding."""
    import numpy as np
    f = 1 + np.floor(p * 65280.0).astype(np.int64)
    f[int(np.argmax(f))] += 65536 - int(f.sum())
    return f


def match_frame_bits(probs, x):
    """Bits of one frame in frame mode 3 (docs/MODEL.md §6): probs [n, 256] (the model's
    distributions), x the frame's tokens. The 16-bit tables are made as §4 makes them, up
    to float rounding, so the sum is within a hair of the codec's payload."""
    x = [int(v) for v in x]
    P = probs.detach().double().cpu().numpy()
    mm = MatchModel(x)
    bits = 0.0
    for t in range(len(x)):
        f = mm.apply(codec_table(P[t]))
        bits -= math.log2(int(f[x[t]]) / 65536)
        mm.update(t)
    return bits


_SQUASH_POINTS = (1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
                  2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086,
                  4090, 4092, 4094, 4095)


def _squash(x):
    x = max(-2047, min(2047, x))
    i, w = (x + 2048) >> 7, (x + 2048) & 127
    return (_SQUASH_POINTS[i] * (128 - w) + _SQUASH_POINTS[i + 1] * w + 64) >> 7


def _stretch_table():
    st, p = [2047] * 4096, 0
    for x in range(-2047, 2048):
        v = _squash(x)
        while p <= v:
            st[p] = x
            p += 1
    return st


def mix_frame_bits(probs, x):
    """Bits of one frame in frame mode 4, the context mixer of docs/MODEL.md §7, written
    from the spec: probs [n, 256] the model's distributions, x the frame's tokens. Slow
    (pure Python): for tests on a few kB."""
    M32 = 0xFFFFFFFF
    x = [int(v) for v in x]
    P = probs.detach().double().cpu().numpy()
    stretch = _stretch_table()
    rate = [(1 << 17) // (2 * n + 3) for n in range(16)]
    orders = (1, 2, 3, 4, 5, 6, 8, 11, 16, 24, 32)
    NC = len(orders) + 1                            # hashed contexts, the word included
    NI = NC + 4                                     # inputs
    mm = MatchModel(x)
    counter = [dict() for _ in range(NC)]           # sparse: absent = 2048 << 4
    order0 = [2048 << 4] * 256
    weight = [[65536 if i == 1 else 8000 if 2 <= i <= NC + 2 else 0 for i in range(NI)]
              for _ in range(32 + 256 + 256)]
    sse_init = [_squash((j - 16) * 128) * 16 for j in range(33)]
    sse_m, sse_1 = {}, {}                           # row -> 33 cells, made on first use
    word = 0

    def sse(table, row, s):
        cells = table.setdefault(row, list(sse_init))
        j, w = (s + 2048) >> 7, (s + 2048) & 127
        return (cells[j] * (128 - w) + cells[j + 1] * w) >> 7, cells, j + (w >> 6)

    def cumsum(f):
        c = [0]
        for v in f:
            c.append(c[-1] + int(v))
        return c

    bits = 0.0
    for t in range(len(x)):
        f = codec_table(P[t])
        g = mm.apply(f.copy())
        F, G = cumsum(f), cumsum(g)
        last = x[t - 1] if t else 0
        ctx = []
        for i, k in enumerate(orders):
            h = ((i + 1) * 0x3C6EF372) & M32
            for j in range(1, k + 1):
                h = ((h + (x[t - j] if t >= j else 0) + 1) * 0x9E3779B1) & M32
            ctx.append(h)
        ctx.append((((word + last + 1) * 0x9E3779B1) & M32) ^ 0x5BD1E995)
        ln = mm.length
        ms = 0 if not ln else 1 if ln < 16 else 2 if ln < 32 else 3
        pred = x[mm.ptr] if ln else None
        c0 = 1
        for d in range(8):
            node = (c0 * 0x2545F491) & M32
            keys = [(ctx[i] ^ node) >> 12 for i in range(NC)]
            cs = [counter[i].get(keys[i], 2048 << 4) for i in range(NC)] + [order0[c0]]

            def tp(T):
                lo, w = (c0 - (1 << d)) << (8 - d), 1 << (8 - d)
                a, o = T[lo + w] - T[lo], T[lo + w] - T[lo + w // 2]
                return max(1, min(4095, (o * 4096 + a // 2) // a))

            inp = [stretch[tp(F)], stretch[tp(G)]] + [stretch[c >> 4] for c in cs] + [256]
            wsets = [weight[ms * 8 + d], weight[32 + c0], weight[288 + last]]
            sk = [max(-2047, min(2047, sum(w * v for w, v in zip(ws, inp)) >> 16)) for ws in wsets]
            pk = [_squash(v) for v in sk]
            s = (sum(sk) * 21) >> 6
            pm = _squash(s)
            m = 0
            if pred is not None and (pred + 256) >> (8 - d) == c0:
                m = ms + 3 * ((pred >> (7 - d)) & 1)
            a, cells_a, ja = sse(sse_m, m * 256 + c0, s)
            b, cells_b, jb = sse(sse_1, last * 256 + c0, s)
            p = max(16, min(65520, (pm * 16 + a + 2 * b) >> 2))
            y = (x[t] >> (7 - d)) & 1
            bits -= math.log2((p if y else 65536 - p) / 65536)
            for ws, pkk in zip(wsets, pk):
                e = (y << 12) - pkk
                for i in range(NI):
                    ws[i] = max(-(1 << 22), min(1 << 22, ws[i] + ((inp[i] * e) >> 11)))
            for i, c in enumerate(cs):
                n, q = c & 15, c >> 4
                q = q + (((4095 - q) * rate[n]) >> 16) if y else q - ((q * rate[n]) >> 16)
                c = q << 4 | min(n + 1, 15)
                if i < NC:
                    counter[i][keys[i]] = c
                else:
                    order0[c0] = c
            for cells, j in ((cells_a, ja), (cells_b, jb)):
                cells[j] += ((65535 if y else 0) - cells[j]) >> 5
            c0 = 2 * c0 + y
        c = x[t]
        if 65 <= c <= 90 or 97 <= c <= 122 or c >= 128:
            word = ((word + (c + 32 if 65 <= c <= 90 else c) + 1) * 0x2F0B4A13) & M32
        else:
            word = 0
        mm.update(t)
    return bits


def scale_frame_bits(logits, x, pixels, channels, width=0):
    """Bits of one frame in frame mode 5, the scale prior of docs/MODEL.md §8, written from
    the spec in float64: logits [n, 256] the model's logits, x the frame's tokens; PCM
    (pixels false) with `channels` channels, or pixels with `channels` planes per pixel and
    `width` pixels per row. The 8 binary decisions are counted at the prior's exact
    probabilities (the codec's 16-bit ones differ by a hair)."""
    x = [int(v) for v in x]
    L = logits.detach().double().cpu()
    k = torch.arange(256, dtype=torch.float64)
    mags = (k * 128, torch.div(k + 1, 2, rounding_mode="floor"))
    mean, seen, high = [0.0] * channels, [0.0] * channels, [0] * channels
    u = [[0.0, 0.0] for _ in range(channels)]
    v = [[0.0, 0.0] for _ in range(channels)]
    row = width * channels

    def learn(p, d, lo, hi):
        d = 0.0 if d != d else max(-4.0, min(4.0, d))
        return max(lo, min(hi, p - 0.002 * d))

    bits = 0.0
    for t, tok in enumerate(x):
        c, b = (t % channels, 1) if pixels else ((t // 2) % channels, t % 2)
        inv = 0.0
        if pixels and t >= row:
            up, col = t - row, (t % row) // channels
            near = [x[up]] + ([x[up - channels]] if col > 0 else []) + \
                   ([x[up + channels]] if col + 1 < width else [])
            inv = 1.0 / max(sum((n + 1) >> 1 for n in near) / len(near), 0.5)
        elif not pixels and seen[c] > 0:
            inv = 1.0 / max(mean[c] / seen[c], 0.5)
        g, h = -L[t], -(mags[b] * inv)
        q = torch.softmax(L[t] + u[c][b] * g + v[c][b] * h, 0)
        bits -= math.log2(float(q[tok]))
        u[c][b] = learn(u[c][b], float((q * g).sum() - g[tok]), -0.5, 0.5)
        v[c][b] = learn(v[c][b], float((q * h).sum() - h[tok]), 0.0, 1.0)
        if not pixels:
            if b == 0:
                high[c] = tok
            else:
                a = ((high[c] << 8 | tok) + 1) >> 1
                mean[c] += (a - mean[c]) / 256
                seen[c] += (1 - seen[c]) / 256
    return bits


def frame_batch(x, period):
    """One sequence from a cold start: inputs BOS, x_0 .. x_{n-2}; phases t mod period;
    targets x_0 .. x_{n-1}. x: int64 [n]. Returns three [1, n] tensors."""
    n = len(x)
    tok = torch.cat([torch.tensor([BOS]), x[:-1]])
    ph = torch.arange(n) % period
    return tok[None], ph[None], x[None].clone()


# ------------------------------------------------------------------------------------------
# parameters by their weights-file names

LAYER_TENSORS = ("attn_norm", "wq", "wk", "wv", "wo", "rel_bias", "ffn_norm", "w1", "w2")


def blmm_names(n_layer):
    """Tensor names in the order of docs/MODEL.md and the C exporter."""
    names = ["tok_emb", "phase_emb"]
    for i in range(n_layer):
        names += ["l%d.%s" % (i, t) for t in LAYER_TENSORS]
    return names + ["out_norm", "out_w", "out_b"]


def param_by_name(model, name):
    """'l1.wq' -> model.layers[1].wq; 'out_w' -> model.out_w."""
    if name.startswith("l") and "." in name:
        layer, kind = name.split(".", 1)
        return getattr(model.layers[int(layer[1:])], kind)
    return getattr(model, name)


def c_param_order(n_layer):
    """Names in the order of the C trainer's single parameter allocation (ParamTensors):
    by kind, all layers of a kind together. Checkpoints and bytelm-train-dump use it."""
    names = ["tok_emb", "phase_emb"]
    for kind in LAYER_TENSORS:
        names += ["l%d.%s" % (i, kind) for i in range(n_layer)]
    return names + ["out_norm", "out_w", "out_b"]


def flat_c_order(model, tensors=None):
    """The parameters (or `tensors`, a name -> tensor dict, e.g. gradients) flattened in the
    C trainer's order."""
    get = (lambda n: tensors[n]) if tensors is not None else (lambda n: param_by_name(model, n))
    return torch.cat([get(n).detach().reshape(-1) for n in c_param_order(model.c.n_layer)])


def assign_c_order(model, flat):
    """Sets the parameters from a flat vector in the C trainer's order."""
    off = 0
    with torch.no_grad():
        for n in c_param_order(model.c.n_layer):
            p = param_by_name(model, n)
            p.copy_(flat[off:off + p.numel()].view_as(p))
            off += p.numel()
    if off != len(flat):
        raise ValueError("%d values for %d parameters" % (len(flat), off))


def _f32_bytes(t):
    return t.detach().to("cpu", torch.float32).contiguous().numpy().astype("<f4").tobytes()


# ------------------------------------------------------------------------------------------
# .blmm (docs/MODEL.md section 5)

def save_blmm(model, path, name="", modality="", description="", train_bytes=0, license=None):
    """Writes the model as a .blmm; returns the model hash (bytes). Metadata as the C
    exporter writes it."""
    c = model.c
    meta = [("arch", ARCH), ("n_layer", c.n_layer), ("d_model", c.d_model),
            ("n_head", c.n_head), ("d_ff", c.d_ff), ("window", c.window),
            ("n_phase", c.n_phase), ("norm_eps", float(c.norm_eps)), ("norm", "rmsnorm"),
            ("pos", "relbias"), ("act", "gelu_tanh"), ("name", name), ("modality", modality),
            ("train_bytes", min(int(train_bytes), 0xFFFFFFFF)), ("description", description)]
    if license:
        meta.append(("license", license))
    tensors = []
    for n in blmm_names(c.n_layer):
        p = param_by_name(model, n)
        tensors.append((n, list(p.shape), _f32_bytes(p)))
    return write_blmm(path, meta, tensors)


def read_blmm(path):
    """Returns (meta dict, {name: float32 tensor}); checks the trailing SHA-256."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 48 or buf[:4] != b"BLMM":
        raise ValueError("%s: not a .blmm file" % path)
    if hashlib.sha256(buf[:-32]).digest() != buf[-32:]:
        raise ValueError("%s: model hash does not match the contents" % path)
    version, n_meta, n_tensors = struct.unpack_from("<III", buf, 4)
    if version != 1:
        raise ValueError("%s: version %d" % (path, version))
    pos = 16
    meta = {}
    for _ in range(n_meta):
        (kl,) = struct.unpack_from("<H", buf, pos)
        key = buf[pos + 2:pos + 2 + kl].decode("ascii")
        typ = buf[pos + 2 + kl]
        pos += 3 + kl
        if typ == 0:
            (meta[key],) = struct.unpack_from("<I", buf, pos)
            pos += 4
        elif typ == 1:
            (meta[key],) = struct.unpack_from("<f", buf, pos)
            pos += 4
        elif typ == 2:
            (sl,) = struct.unpack_from("<I", buf, pos)
            meta[key] = buf[pos + 4:pos + 4 + sl].decode("utf-8")
            pos += 4 + sl
        else:
            raise ValueError("%s: metadata %s has type %d" % (path, key, typ))
    table = []
    for _ in range(n_tensors):
        (nl,) = struct.unpack_from("<H", buf, pos)
        name = buf[pos + 2:pos + 2 + nl].decode("ascii")
        dtype, ndim = struct.unpack_from("<BB", buf, pos + 2 + nl)
        pos += 4 + nl
        dims = struct.unpack_from("<%dI" % ndim, buf, pos)
        (off,) = struct.unpack_from("<Q", buf, pos + 4 * ndim)
        pos += 4 * ndim + 8
        if dtype != 0:
            raise ValueError("%s: tensor %s has dtype %d" % (path, name, dtype))
        table.append((name, dims, off))
    data_start = pos + (-pos) % 32
    tensors = {}
    for name, dims, off in table:
        count = math.prod(dims)
        start = data_start + off
        if start + 4 * count > len(buf) - 32:
            raise ValueError("%s: tensor %s runs past the end" % (path, name))
        raw = bytearray(buf[start:start + 4 * count])   # frombuffer wants a writable buffer
        tensors[name] = torch.frombuffer(raw, dtype=torch.float32).reshape(dims)
    return meta, tensors


def load_blmm(path, dtype=torch.float32):
    """A ByteLM with the weights of a .blmm file (checks the architecture and shapes)."""
    meta, tensors = read_blmm(path)
    for key, want in (("arch", ARCH), ("norm", "rmsnorm"), ("pos", "relbias"),
                      ("act", "gelu_tanh")):
        if meta.get(key) != want:
            raise ValueError("%s: %s is %r, this module implements %r"
                             % (path, key, meta.get(key), want))
    c = Config(n_layer=meta["n_layer"], d_model=meta["d_model"], n_head=meta["n_head"],
               d_ff=meta["d_ff"], window=meta["window"], norm_eps=meta["norm_eps"],
               n_phase=meta["n_phase"])
    model = ByteLM(c).to(dtype)
    with torch.no_grad():
        for n in blmm_names(c.n_layer):
            p = param_by_name(model, n)
            if n not in tensors or tuple(tensors[n].shape) != tuple(p.shape):
                raise ValueError("%s: tensor %s missing or not %s" % (path, n, tuple(p.shape)))
            p.copy_(tensors[n])
    return model


# ------------------------------------------------------------------------------------------
# C trainer checkpoints (tools/train/checkpoint.c)

_CKPT_HEAD = "<8sI5If2I7d3Q"  # magic, version, L d H F W, eps, batch, seq, 7 doubles, 3 u64
_CKPT_PROG = "<3Q4QQ"         # step, tokens_seen, train_bytes, rng[4], n_params


def _splitmix_seed(seed):
    """xoshiro256** state seeded as the C trainer's rng_seed() does."""
    s, out = seed & 0xFFFFFFFFFFFFFFFF, []
    for _ in range(4):
        s = (s + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        out.append(z ^ (z >> 31))
    return out


def load_checkpoint(path, dtype=torch.float32):
    """A ByteLM with the parameters of a bytelm-train checkpoint; also returns a dict of the
    run's hyper-parameters and progress."""
    with open(path, "rb") as f:
        buf = f.read()
    if len(buf) < 44 or buf[:8] != b"BLMTRAIN":
        raise ValueError("%s: not a bytelm-train checkpoint" % path)
    if hashlib.sha256(buf[:-32]).digest() != buf[-32:]:
        raise ValueError("%s: checksum mismatch (damaged file)" % path)
    h = struct.unpack_from(_CKPT_HEAD, buf, 0)
    if h[1] != 1:
        raise ValueError("%s: checkpoint version %d" % (path, h[1]))
    c = Config(n_layer=h[2], d_model=h[3], n_head=h[4], d_ff=h[5], window=h[6], norm_eps=h[7])
    keys = ("batch", "seq_len", "lr", "min_lr_frac", "weight_decay", "beta1", "beta2",
            "adam_eps", "clip", "warmup", "steps", "seed")
    info = dict(zip(keys, h[8:]))
    pos = struct.calcsize(_CKPT_HEAD)
    p = struct.unpack_from(_CKPT_PROG, buf, pos)
    info.update(step=p[0], tokens_seen=p[1], train_bytes=p[2])
    n = p[7]
    pos += struct.calcsize(_CKPT_PROG)
    if len(buf) - 32 - pos != 12 * n:
        raise ValueError("%s: parameter count does not match the shape" % path)
    model = ByteLM(c).to(dtype)
    flat = torch.frombuffer(bytearray(buf[pos:pos + 4 * n]), dtype=torch.float32)
    assign_c_order(model, flat)
    return model, info


def save_checkpoint(model, path, batch=16, seq_len=256, lr=2e-3, min_lr_frac=0.1,
                    weight_decay=0.1, beta1=0.9, beta2=0.95, adam_eps=1e-8, clip=1.0,
                    warmup=200, steps=0, seed=1, step=0):
    """Writes a bytelm-train checkpoint holding the model's parameters (float32) and zero
    AdamW moments. With steps = step = 0, `bytelm-train --resume CKPT --export` or `--dev`
    use it as it is, and `--resume CKPT --train LIST --steps N` trains it N steps further
    (warm-up and cosine decay from step 0, the other hyper-parameters as given here)."""
    c = model.c
    if c.n_phase != 16:
        raise ValueError("the C trainer has 16 phase embeddings")
    params = flat_c_order(model)
    n = len(params)
    body = struct.pack(_CKPT_HEAD, b"BLMTRAIN", 1, c.n_layer, c.d_model, c.n_head, c.d_ff,
                       c.window, c.norm_eps, batch, seq_len, lr, min_lr_frac, weight_decay,
                       beta1, beta2, adam_eps, clip, warmup, steps, seed)
    body += struct.pack(_CKPT_PROG, step, 0, 0, *_splitmix_seed(seed), n)
    body += _f32_bytes(params) + bytes(8 * n)
    with open(path, "wb") as f:
        f.write(body + hashlib.sha256(body).digest())
