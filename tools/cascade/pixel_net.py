#!/usr/bin/env python3
"""Could a small pre-trained network on the 2-D neighbourhood code mode 7's residual in
fewer bits than its adaptive residual coder? (docs/STUDY.md finding 13.) A feasibility
measurement, not part of the codec.

usage: git worktree add /tmp/px HEAD && cd /tmp/px && git apply tools/cascade/pixel_dump.patch
       meson setup b && ninja -C b tools/cascade/pixel_size
       pixel_net.py lists [--kind rgb]   (writes /tmp/px_train.txt and /tmp/px_dev.txt, pixel_size's LISTs)
       EXP_PXDUMP=/tmp/px_train.f32 b/tools/cascade/pixel_size /tmp/px_train.txt
       EXP_PXDUMP=/tmp/px_dev.f32 b/tools/cascade/pixel_size /tmp/px_dev.txt
       pixel_net.py train --train TRAIN.f32 [--hidden 32] [--act silu|relu] [--steps 4000] [--limit N]
                          [--drop I,J-K] [--out net.pt]
       pixel_net.py eval  --dev DEV.f32 [--hidden 32] [--act ...] [--drop I,J-K] [--out net.pt] [--quick]
       pixel_net.py export [--kind rgb] --hidden 64 --act relu --out net.pt
                          (writes core/src/pixelnet_weights.h, or pixelnet_rgb_weights.h)

The shipped gray network: train --act relu --hidden 64 --steps 12000 --limit 13100000 (all
the records), then export with the same --act and --hidden.
The shipped RGB network (docs/MODEL.md §14, docs/STUDY.md finding 19): lists --kind rgb
(two 1 MiB bands of each training wallpaper, cut into /tmp/px_bands; the dev-eval photos),
the two pixel_size runs above, then train --act relu --hidden 64 --steps 60000 --limit
50000000 and export --kind rgb --act relu --hidden 64 (writes core/src/pixelnet_rgb_weights.h).

The records come from a build of mode 7 with tools/cascade/pixel_dump.patch applied,
which appends, while pixel_size encodes, 32 float32 per coded pixel plane to the file
named by $EXP_PXDUMP: 0-11 the neighbours W N NW NE WW NN NWW NNW NNE
NEE NNWW NNEE less the unrounded prediction p; 12-17 the signed errors of W N NW NE WW
NN; 18 the OLS output less p (the bias taken off); 19 p - pred (pred = p rounded and
clamped); 20-22 the coder's activity, gradient and texture contexts' inputs; 23 pred;
24 the plane; 25 plane 0's error at the pixel; 26 the bias context's count; 27 whether
every neighbour is inside the frame; 28 the residual v - pred; 29 the bits today's coder paid for it
(every decision's -log2 P, exact).

The network (features -> hidden -> hidden -> 3 logistics over the integer residual, their
locations and scales relative to p - pred and a base scale from the activity) is trained
by the residual's cross-entropy. eval prints bits per pixel of today's coder, of the
network alone, and of the two mixed per symbol, P = w P_net + (1 - w) P_coder, with a
fixed w and with w learnt per frame (Bayes with forgetting): a code a decoder can
reproduce, if it computes the coder's whole distribution.
"""
import argparse
import math
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N_FEAT = 28
MAXV = 255.0
ACT = "silu"  # --act
SQUASH = 1  # --squash
DROP = []  # --drop: feature indices held at zero (the ablations)


def load(path, limit=None, seed=0):
    d = np.memmap(path, dtype=np.float32, mode="r").reshape(-1, 32)  # sampled, not read whole
    if limit and len(d) > limit:
        idx = np.random.default_rng(seed).choice(len(d), limit, replace=False)
        return np.array(d[np.sort(idx)])
    return np.array(d)


def base_scale(d):
    return 0.5 + (d[:, 20] + d[:, 21]) / 16.0


def ssqrt(x):
    """sign(x) (sqrt(1 + |x|) - 1): a squashing a decoder computes exactly (IEEE sqrt);
    twice with --squash 2."""
    y = np.sign(x) * (np.sqrt(1.0 + np.abs(x)) - 1.0)
    return np.sign(y) * (np.sqrt(1.0 + np.abs(y)) - 1.0) if SQUASH == 2 else y


def features(d):
    """The network's inputs, as docs/MODEL.md §14 computes them (here in float32)."""
    s = base_scale(d)[:, None]
    f = np.empty((len(d), N_FEAT), dtype=np.float32)
    f[:, 0:12] = ssqrt(d[:, 0:12] / s)
    f[:, 12:18] = ssqrt(d[:, 12:18] / s)
    f[:, 18] = ssqrt(d[:, 18] / s[:, 0])
    f[:, 19] = d[:, 19]
    f[:, 20:23] = (np.sqrt(1.0 + d[:, 20:23]) - 1.0) / 8.0
    f[:, 23] = d[:, 23] / MAXV
    f[:, 24] = d[:, 24]
    f[:, 25] = ssqrt(d[:, 25] / s[:, 0])
    f[:, 26] = (np.sqrt(1.0 + d[:, 26]) - 1.0) / 8.0
    f[:, 27] = d[:, 27]
    if DROP:
        f[:, DROP] = 0.0
    return f


def make(torch, hidden, k=3):
    nn = torch.nn
    act = nn.ReLU if ACT == "relu" else nn.SiLU

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(N_FEAT, hidden), act(), nn.Linear(hidden, hidden), act(),
                                      nn.Linear(hidden, 3 * k))
            self.k = k

        def forward(self, x):
            o = self.body(x)
            return o[:, :self.k], o[:, self.k:2 * self.k], o[:, 2 * self.k:]

    return Net()


def log_prob(torch, net, f, d):
    """log P(e) of each record's residual, the ends of the value range taking the tails."""
    x = torch.from_numpy(features(d)) if isinstance(f, type(None)) else f
    logit_w, loc, lscale = net(x)
    dd = torch.from_numpy(d) if not torch.is_tensor(d) else d
    s = 0.5 + (dd[:, 20] + dd[:, 21]) / 16.0
    e = dd[:, 28]
    centre = dd[:, 19][:, None] + loc * s[:, None]
    scale = torch.exp(lscale.clamp(-6, 6)) * s[:, None]
    lo_end = e <= -dd[:, 23]               # v = 0
    hi_end = e >= MAXV - dd[:, 23]         # v = max
    hi = (e[:, None] + 0.5 - centre) / scale
    lo = (e[:, None] - 0.5 - centre) / scale
    cdf_hi = torch.where(hi_end[:, None], torch.ones_like(hi), torch.sigmoid(hi))
    cdf_lo = torch.where(lo_end[:, None], torch.zeros_like(lo), torch.sigmoid(lo))
    mass = (cdf_hi - cdf_lo).clamp_min(1e-9)
    lw = torch.log_softmax(logit_w, dim=1)
    return torch.logsumexp(lw + torch.log(mass), dim=1)


def train(a):
    import torch
    torch.set_num_threads(2)
    torch.manual_seed(0)
    d = load(a.train, a.limit)
    f = torch.from_numpy(features(d))
    dt = torch.from_numpy(d)
    net = make(torch, a.hidden)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, a.steps)
    g = torch.Generator().manual_seed(1)
    for step in range(a.steps):
        idx = torch.randint(0, len(d), (a.batch,), generator=g)
        loss = -log_prob(torch, net, f[idx], dt[idx]).mean() / math.log(2)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == a.steps - 1:
            print("step %d: %.4f bits/pixel (coder on the same batch %.4f)"
                  % (step, loss.item(), dt[idx, 29].mean().item()), flush=True)
    torch.save(net.state_dict(), a.out)


def evaluate(a):
    import torch
    torch.set_num_threads(2)
    d = load(a.dev)
    net = make(torch, a.hidden)
    net.load_state_dict(torch.load(a.out))
    with torch.no_grad():
        lp = np.concatenate([log_prob(torch, net, torch.from_numpy(features(d[i:i + (1 << 20)])),
                                      torch.from_numpy(d[i:i + (1 << 20)])).numpy()
                             for i in range(0, len(d), 1 << 20)])
    net_bits = -lp / math.log(2)
    coder_bits = d[:, 29].astype(np.float64)
    n = len(d)
    print("%d pixels: coder %.4f bits/pixel (%.0f bytes)" % (n, coder_bits.mean(), coder_bits.sum() / 8))
    print("network alone %.4f (%+.2f %%)" % (net_bits.mean(), 100 * (net_bits.sum() / coder_bits.sum() - 1)))
    if a.quick:
        return
    pn, pc = np.exp2(-net_bits), np.exp2(-coder_bits)
    for w in (0.25, 0.5, 0.75):
        mb = -np.log2(w * pn + (1 - w) * pc)
        print("fixed w %.2f: %.4f (%+.2f %%)" % (w, mb.mean(), 100 * (mb.sum() / coder_bits.sum() - 1)))
    # w learnt online per frame: Bayes over the two codes with forgetting, restarted each frame
    total = 0.0
    for beta in (0.98, 0.995):
        total = 0.0
        for s in range(0, n, a.frame_pixels):
            a_n = np.log2(np.maximum(pn[s:s + a.frame_pixels], 1e-300))
            a_c = np.log2(np.maximum(pc[s:s + a.frame_pixels], 1e-300))
            ln, lc = 0.0, 0.0
            for i in range(len(a_n)):
                m = max(ln, lc)
                wn = 2 ** (ln - m)
                wc = 2 ** (lc - m)
                w = wn / (wn + wc)
                p = w * 2 ** a_n[i] + (1 - w) * 2 ** a_c[i]
                total -= math.log2(p)
                ln = beta * ln + a_n[i]
                lc = beta * lc + a_c[i]
        print("online w (forgetting %.3f): %.4f (%+.2f %%)" % (beta, total / n, 100 * (total / coder_bits.sum() - 1)))


def export(a):
    """Writes the network as core/src/pixelnet_weights.h: float32 values as exact hex
    literals, and its hidden size."""
    import torch
    if a.act != "relu" or a.squash != 1:
        sys.exit("export: the codec's network (docs/MODEL.md §14) is --act relu --squash 1")
    sd = torch.load(a.out)
    pre = "pxr" if a.kind == "rgb" else "pxn"
    names = [(pre + "_w1", "body.0.weight"), (pre + "_b1", "body.0.bias"), (pre + "_w2", "body.2.weight"),
             (pre + "_b2", "body.2.bias"), (pre + "_w3", "body.4.weight"), (pre + "_b3", "body.4.bias")]
    h = 2166136261
    body = []
    for cname, key in names:
        v = sd[key].detach().numpy().astype("<f4")
        v = (v.T if v.ndim == 2 else v).ravel()   # weights input-major: w[i][j]
        for byte in v.tobytes():
            h = ((h ^ byte) * 16777619) & 0xffffffff
        vals = [float(x).hex() + "f" for x in v]
        lines = ["    " + ", ".join(vals[i:i + 6]) + "," for i in range(0, len(vals), 6)]
        body.append("static const float %s[%d] = {\n%s\n};\n" % (cname, len(v), "\n".join(lines)))
    macro = pre.upper()
    text = ("/* Generated by tools/cascade/pixel_net.py export from %s: do not edit.\n"
            " * The %s pixel network of docs/MODEL.md §14; FNV-1a of its float32 bytes: %08x. */\n"
            "#define BLM_%s_HIDDEN %d\n#define BLM_%s_WEIGHTS_HASH 0x%08xu\n"
            % (os.path.basename(a.out), a.kind, h, macro, a.hidden, macro, h))
    header = a.header or os.path.join(ROOT, "core", "src", "pixelnet_rgb_weights.h" if a.kind == "rgb"
                                      else "pixelnet_weights.h")
    with open(header, "w") as f:
        f.write(text + "".join(body))
    print("%s: hidden %d, %s, squash %d, hash %08x" % (header, a.hidden, a.act, a.squash, h))


def rgb_lists():
    """The RGB network's data: two bands of 1 MiB (at a third and two thirds of the
    height) of each of the 40 training wallpapers, cut into /tmp/px_bands, and the four
    dev-eval photos whole, as pixel_size LISTs."""
    import csv
    sys.path.insert(0, os.path.join(ROOT, "tools", "cascade"))
    import coder_states as cs
    rows = [r for r in csv.DictReader(open(os.path.join(cs.CORPUS, "train", "manifest.tsv")), delimiter="\t")
            if r["package"] in cs.WALLPAPERS and r["kind"] == "rgb"]
    os.makedirs("/tmp/px_bands", exist_ok=True)
    with open("/tmp/px_train.txt", "w") as out:
        for r in sorted(rows, key=lambda r: r["out_file"]):
            w, h = int(r["width"]), int(r["height"])
            row = 3 * w
            n = min(h, max(1, (1 << 20) // row))
            data = open(os.path.join(cs.CORPUS, r["out_file"]), "rb").read()
            for k, frac in enumerate((1 / 3, 2 / 3)):
                y0 = min(max(0, int(h * frac) - n // 2), h - n)
                path = "/tmp/px_bands/%s_%d.rgb" % (os.path.basename(r["out_file"])[:-4], k)
                open(path, "wb").write(data[y0 * row:(y0 + n) * row])
                out.write("%s\trgb\t%d\t%d\n" % (path, w, n))
    dev = [r for r in csv.DictReader(open(os.path.join(cs.CORPUS, "dev", "manifest.tsv")), delimiter="\t")
           if r["package"] == "libjxl-testdata" and r["kind"] == "rgb"]
    with open("/tmp/px_dev.txt", "w") as f:
        f.write("".join(cs.line(r).rsplit("\t", 1)[0] + "\t%s\n" % r["height"]
                        for r in sorted(dev, key=lambda r: r["out_file"])))
    print("/tmp/px_train.txt: %d bands; /tmp/px_dev.txt: %d photos" % (2 * len(rows), len(dev)))


def lists(a):
    """The training frames §13's gray state was trained on (tools/cascade/coder_states.py's
    pick, the same seed and budget) and the dev-eval camera frames, as pixel_size LISTs;
    with --kind rgb, rgb_lists()."""
    if a.kind == "rgb":
        return rgb_lists()
    import csv
    import random
    sys.path.insert(0, os.path.join(ROOT, "tools", "cascade"))
    import coder_states as cs
    rows = list(csv.DictReader(open(os.path.join(cs.CORPUS, "train", "manifest.tsv")), delimiter="\t"))
    which, budget = cs.SETS["gray"][0]
    train = cs.pick(rows, which, budget, random.Random("gray"))
    with open("/tmp/px_train.txt", "w") as f:
        f.write("".join(cs.line(r) + "\n" for r in train))
    dev = [r for r in csv.DictReader(open(os.path.join(cs.CORPUS, "dev", "manifest.tsv")), delimiter="\t")
           if r["package"] == "visp-images-data" and r["kind"] == "gray"]
    with open("/tmp/px_dev.txt", "w") as f:
        f.write("".join(cs.line(r) + "\n" for r in sorted(dev, key=lambda r: r["out_file"])))
    print("/tmp/px_train.txt: %d frames; /tmp/px_dev.txt: %d frames" % (len(train), len(dev)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["lists", "train", "eval", "export"])
    ap.add_argument("--header", default=None, help="export: the header written (default core/src/pixelnet[_rgb]_weights.h)")
    ap.add_argument("--kind", default="gray", choices=["gray", "rgb"], help="lists and export: which network")
    ap.add_argument("--train", default="/tmp/px_train.f32")
    ap.add_argument("--dev", default="/tmp/px_dev.f32")
    ap.add_argument("--out", default="/tmp/px_net.pt")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--steps", type=int, default=4000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--limit", type=int, default=4000000)
    ap.add_argument("--quick", action="store_true", help="eval: the network alone only")
    ap.add_argument("--frame-pixels", type=int, default=384 * 288)
    ap.add_argument("--drop", default="", help="feature indices held at zero, e.g. 12-17,25")
    ap.add_argument("--squash", type=int, default=1, choices=[1, 2], help="ssqrt applied once or twice")
    ap.add_argument("--act", default="silu", choices=["silu", "relu"], help="the hidden layers' activation")
    a = ap.parse_args()
    global ACT, SQUASH
    ACT = a.act
    SQUASH = a.squash
    for part in filter(None, a.drop.split(",")):
        lo, _, hi = part.partition("-")
        DROP.extend(range(int(lo), int(hi or lo) + 1))
    {"lists": lists, "train": train, "eval": evaluate, "export": export}[a.cmd](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
