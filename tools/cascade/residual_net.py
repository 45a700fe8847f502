#!/usr/bin/env python3
"""Could a small pre-trained network, fed the mode-6 predictor's state, code the residual
in fewer bits than today's adaptive residual coder? (docs/STUDY.md finding 10.) A feasibility measurement, not part of the codec.

usage: residual_net.py dump  [--dir /tmp/h17/data] [--dev-budget 4000000] [--train-budget 6000000]
                             [--music-train-budget B] [--exact]
       residual_net.py train [--dir ...] [--hidden 32] [--mix 3] [--steps 3000] [--joint]
       residual_net.py eval  [--dir ...] [--quick]
       residual_net.py export [--dir ...];  residual_net.py online [--dir ...]
       residual_net.py warmdev [--dir ...] [--exact];  residual_net.py choice [--dir ...] [--out NET] [-v]
       residual_net.py header [--out NET] [--header core/src/pcmnet_weights.h]

dump   runs build-h17/tools/cascade/state_dump (--tool) on the files that
       tools/bench/sac_files.py picks from the dev-eval music and speech (the benchmark's
       picks, --dev-budget) and on files spread over the training set's music and speech
       (the same picking rule on corpus/train/manifest.tsv, --train-budget each): one
       float32 record per coded sample (state_dump.c says what is in it).
train  fits an MLP (features -> hidden -> hidden -> a mixture of --mix logistics over the
       integer residual, its locations and scales relative to the unrounded prediction
       and the coder's running scale) on the training records, by the residual's
       cross-entropy; then a per-decision logistic mix of its bit probabilities with
       the coder's (two weights and a bias per decision slot) on the same records. With
       --joint the network is then trained further through the mix (what it adds to the
       coder, not what it knows alone; not measured in finding 10). --features keeps
       only the inputs listed (indices into state_dump's record). torch, one CPU thread.
eval   prints, per dev-eval group, bits/sample of today's coder, of the network alone,
       of the two averaged in the logistic domain, and of the fitted mix.
warmdev writes the dev-eval records again with the coder warm (--warm, as the codec's
       learned states); choice then prints the network alone against that coder and,
       per frame, the smaller of the two (what an encoder choosing per frame codes).
header writes a ReLU network of --exact records as the codec's (docs/MODEL.md §15): the
       first audio network if trained with --inputs 25 (the record's first 25 features),
       the second with all 41 (the default).
export writes the network's log-odds of each decision on each dev-eval record's path;
online then runs state_dump --net: today's coder with them as one more input of each
       decision's online mixer (what the codec would do); --warm-count K also starts it
       from its state after the training records (state_dump --warm), --no-net that alone.

The record's P(1) of each decision the coder made lets the mix be measured exactly on
the coder's own path: the network's distribution gives the same decisions' probabilities
(ratios of interval masses), so "network alone" is -log2 P(e), and each mixed decision is
squash(a * stretch(p_coder) + b * stretch(p_net) + c), clamped as the coder clamps.

The second audio network (core/src/pcmnet2_weights.h, docs/STUDY.md finding 24), from a
build of state_dump (about ten minutes on one core):

    R="/usr/bin/python3 tools/cascade/residual_net.py"; A="--exact --dir /tmp/h24 --tool build/tools/cascade/state_dump"
    $R dump $A --train-budget 10000000 --music-train-budget 80000000
    $R train $A --act relu --hidden 64 --steps 10000 --limit 4000000 --mix-steps 0 --out /tmp/h24/net2.pt
    $R eval $A --quick --out /tmp/h24/net2.pt && $R header --exact --out /tmp/h24/net2.pt

Run twice on one machine it writes the same bits; on another machine it wrote other weights
(hash 0bdd35f7 for ebd9f35d) that code the picks within 0.22 % (docs/STUDY.md finding 25).
"""
import argparse
import csv
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "bench"))

N_FEAT, N_SLOTS = 41, 32
REC = N_FEAT + 2 + N_SLOTS
INPUTS = 41  # --inputs: the first 25 (docs/MODEL.md §15's first network) or all 41 (its second)
AMPL = [6, 7, 8, 9, 13, 14, 15, 16, 17, 18, 23] + list(range(25, 37))  # amplitudes in units of the scale: asinh
GROUPS = ("music", "speech")
P_MIN, P_MAX = 32 / 65536, 65504 / 65536
BIG = 1e6  # "no upper end" of an interval of |e| (finite, so that no gradient is inf * 0)
EXACT = False  # --exact: state_dump --exact's records, squashed already; the fast scale in f[2] as (sqrt(sc) - 1) / 16
ACT = "silu"


def dev_files(a, group):
    """The benchmark's dev-eval picks of the group (sac_files.py): (path, rate, channels)."""
    listing = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench", "sac_files.py"),
                              "audio-" + group, "--budget", str(a.dev_budget)],
                             check=True, capture_output=True, text=True).stdout
    return [tuple(l.split("\t")[:3]) for l in listing.splitlines()]


def by_format(files):
    """The files grouped by (rate, channels), in a fixed order: the order records are dumped in."""
    by = {}
    for path, rate, ch in files:
        by.setdefault((rate, ch), []).append(path)
    return sorted(by.items())


# ---------------------------------------------------------------------------- dump

def dump(a):
    from ratio import pick
    os.makedirs(a.dir, exist_ok=True)
    corpus = os.path.join(a.cache, "corpus")
    with open(os.path.join(corpus, "train", "manifest.tsv")) as f:
        train_rows = [r for r in csv.DictReader(f, delimiter="\t") if r["kind"] == "pcm"]
    for group in GROUPS:
        dev = [dict(zip(("path", "rate", "channels"), f)) for f in dev_files(a, group)]
        rows = [r for r in train_rows if r["out_file"].split("/")[1] == "audio-" + group]
        train = [{"path": os.path.join(corpus, r["out_file"]), "rate": r["rate"], "channels": r["channels"]}
                 for r in pick(rows, a.music_train_budget if group == "music" and a.music_train_budget
                               else a.train_budget)]
        for split, files in (("dev", dev), ("train", train)):
            out = os.path.join(a.dir, "%s_%s.f32" % (split, group))
            if os.path.exists(out):
                os.remove(out)
            t0 = time.time()
            bits = lib = n = 0
            for (rate, ch), paths in by_format((r["path"], r["rate"], r["channels"]) for r in files):
                res = subprocess.run([a.tool, "--profiles", a.profiles, "--rate", rate]
                                     + (["--exact"] if EXACT else []) + [ch, out] + paths,
                                     check=True, capture_output=True, text=True).stdout
                tot = res.strip().splitlines()[-1].split("\t")
                n += int(tot[1]); bits += float(tot[2]); lib += float(tot[3])
            print("%s %s: %d files, %d samples, coder %.4f bits/sample (library's payload %.4f), %.0f s"
                  % (split, group, len(files), n, bits / n, lib / n, time.time() - t0), flush=True)


# ---------------------------------------------------------------------------- model

def load(path, limit=None, seed=0):
    r = np.fromfile(path, dtype=np.float32).reshape(-1, REC)
    if limit and len(r) > limit:
        r = r[np.sort(np.random.default_rng(seed).choice(len(r), limit, replace=False))]
    return r


def ck_inputs(ck):
    """Sets INPUTS to a saved network's (older ones did not record it)."""
    global INPUTS
    INPUTS = ck.get("inputs", ck["net"]["l1.weight"].shape[1])


def features(r):
    x = r[:, :INPUTS].astype(np.float32).copy()
    if not EXACT:
        amp = [i for i in AMPL if i < INPUTS]
        x[:, amp] = np.arcsinh(x[:, amp])
    return x


def slot_intervals(e):
    """For each sample and decision slot on e's path, the two sets whose masses give the
    decision: O (the bit is 1) and Z (the bit is 0), each as (lo, hi, kind) with kind 0
    an interval of |e| (hi BIG: no upper end), 1 a single value of e. mask: the slot is used."""
    e = e.astype(np.int64)
    n = len(e)
    m = np.abs(e)
    L = np.where(m > 0, np.floor(np.log2(np.maximum(m, 1))).astype(np.int64) + 1, 0)
    olo = np.zeros((n, N_SLOTS)); ohi = np.zeros((n, N_SLOTS))
    zlo = np.zeros((n, N_SLOTS)); zhi = np.zeros((n, N_SLOTS))
    kind = np.zeros((n, N_SLOTS), dtype=np.int64)
    mask = np.zeros((n, N_SLOTS), dtype=bool)
    bit = np.zeros((n, N_SLOTS))
    # zero flag: O = |e| >= 1, Z = e = 0
    olo[:, 0], ohi[:, 0], zlo[:, 0], zhi[:, 0] = 1, BIG, 0, 0
    mask[:, 0] = True; bit[:, 0] = m > 0
    for j in range(1, 16):   # "bit length > j" given >= j: O = [2^j, inf), Z = [2^(j-1), 2^j - 1]
        use = L >= j
        olo[:, j], ohi[:, j], zlo[:, j], zhi[:, j] = 2 ** j, BIG, 2 ** (j - 1), 2 ** j - 1
        mask[:, j] = use; bit[:, j] = L > j
    for k in range(15):      # the bits below the top one, highest first
        b = L - 2 - k        # bit position
        use = b >= 0
        bb = np.maximum(b, 0)
        v = np.where(use, m >> (bb + 1), 0)          # the prefix, top bit included
        step = 2.0 ** bb
        olo[:, 16 + k] = (2 * v + 1) * step; ohi[:, 16 + k] = (2 * v + 2) * step - 1
        zlo[:, 16 + k] = 2 * v * step; zhi[:, 16 + k] = (2 * v + 1) * step - 1
        mask[:, 16 + k] = use; bit[:, 16 + k] = np.where(use, (m >> bb) & 1, 0)
    # sign: O = e = -M, Z = e = M
    olo[:, 31] = -m; ohi[:, 31] = -m; zlo[:, 31] = m; zhi[:, 31] = m
    kind[:, 31] = 1; mask[:, 31] = m > 0; bit[:, 31] = e < 0
    return olo, ohi, zlo, zhi, kind, mask, bit


def make_torch():
    import torch
    torch.set_num_threads(1)
    F = torch.nn.functional

    class Net(torch.nn.Module):
        def __init__(self, hidden, k):
            super().__init__()
            self.k = k
            self.l1 = torch.nn.Linear(INPUTS, hidden)
            self.l2 = torch.nn.Linear(hidden, hidden)
            self.l3 = torch.nn.Linear(hidden, 3 * k)
            self.mu = torch.nn.Parameter(torch.zeros(INPUTS), requires_grad=False)
            self.sd = torch.nn.Parameter(torch.ones(INPUTS), requires_grad=False)
            self.use = torch.nn.Parameter(torch.ones(INPUTS), requires_grad=False)  # 0: feature left out
            with torch.no_grad():
                self.l3.weight.mul_(0.1)
                self.l3.bias.zero_()
                self.l3.bias[2 * k:] = torch.linspace(-1.5, 0.5, k)   # log scales

        def forward(self, x):
            raw = x
            act = F.relu if ACT == "relu" else F.silu
            h = act(self.l1((x - self.mu) / self.sd * self.use))
            h = act(self.l2(h))
            o = self.l3(h)
            k = self.k
            logw = F.log_softmax(o[:, :k], 1)
            if EXACT:
                sc = (16 * raw[:, 2:3].double() + 1) ** 2              # the coder's fast scale
            else:
                sc = torch.exp2(raw[:, 2:3].double())
            loc = raw[:, 5:6].double() + o[:, k:2 * k].double() * sc    # e of the unrounded prediction + a shift
            lsc = o[:, 2 * k:].double().clamp(-7, 7) + torch.log(sc)   # log of each logistic's scale
            return logw.double(), loc, lsc

        def macs(self):
            return sum(l.in_features * l.out_features for l in (self.l1, self.l2, self.l3))

    def log_mass(params, lo, hi):
        """log P(lo - 1/2 <= e < hi + 1/2) (e-values, hi may be inf), per sample, under the
        mixture; lo, hi: (n, s) tensors."""
        logw, loc, lsc = params
        inv = torch.exp(-lsc)[:, None, :]
        a = (lo[..., None] - 0.5 - loc[:, None, :]) * inv
        b = (hi[..., None] + 0.5 - loc[:, None, :]) * inv
        # log(sigmoid(b) - sigmoid(a)) = logsig(b) + logsig(-a) + log(1 - e^(a - b))
        d = (a - b).clamp(max=-1e-12)
        lm = F.logsigmoid(b) + F.logsigmoid(-a) + torch.log(-torch.expm1(d))
        lm = torch.where(torch.isinf(b), F.logsigmoid(-a), lm)
        return torch.logsumexp(lm + logw[:, None, :], 2)

    def log_abs(params, lo, hi, kind):
        """log P(|e| in [lo, hi]) for kind 0, log P(e = lo) for kind 1."""
        single = log_mass(params, lo, hi)
        pos = log_mass(params, lo.clamp(min=1), hi)
        neg = log_mass(params, -hi, -lo.clamp(min=1))
        both = torch.where(lo < 1, log_mass(params, -hi, hi), torch.logaddexp(pos, neg))
        return torch.where(kind == 1, single, both)

    def net_logp1(params, iv):
        """log P(1), log P(0) of every slot's decision under the network."""
        olo, ohi, zlo, zhi, kind = iv
        lo_ = log_abs(params, olo, ohi, kind)
        lz = log_abs(params, zlo, zhi, kind)
        tot = torch.logaddexp(lo_, lz)
        return lo_ - tot, lz - tot

    return torch, Net, log_mass, net_logp1


class Mixer:
    """squash(a * stretch(p_coder) + b * stretch(p_net) + c) per slot, clamped."""

    def __init__(self, torch, a=1.0, b=0.0):
        self.t = torch
        self.a = torch.full((N_SLOTS,), a, dtype=torch.float64, requires_grad=True)
        self.b = torch.full((N_SLOTS,), b, dtype=torch.float64, requires_grad=True)
        self.c = torch.zeros(N_SLOTS, dtype=torch.float64, requires_grad=True)

    def bits(self, pc, lp1, lp0, bit, mask):
        t = self.t
        stc = t.log(pc) - t.log1p(-pc)
        stn = (lp1 - lp0).clamp(-12, 12)
        p = t.sigmoid(self.a * stc + self.b * stn + self.c).clamp(P_MIN, P_MAX)
        q = t.where(bit > 0, p, 1 - p)
        return -(t.log2(q) * mask).sum(1)


def batch(torch, r, idx):
    x = torch.from_numpy(features(r[idx]))
    e = r[idx, N_FEAT]
    olo, ohi, zlo, zhi, kind, mask, bit = slot_intervals(e)
    T = lambda v: torch.from_numpy(np.ascontiguousarray(v))
    iv = (T(olo), T(ohi), T(zlo), T(zhi), T(kind))
    pc = T(np.clip(r[idx, N_FEAT + 2:].astype(np.float64), P_MIN, P_MAX))
    return x, T(e.astype(np.float64)), iv, pc, T(bit), T(mask.astype(np.float64)), T(r[idx, N_FEAT + 1].astype(np.float64))


def nll_bits(torch, log_mass, params, e):
    return -log_mass(params, e[:, None], e[:, None])[:, 0] / np.log(2)


def train(a):
    torch, Net, log_mass, net_logp1 = make_torch()
    torch.manual_seed(0)
    rs = [load(os.path.join(a.dir, "train_%s.f32" % g), a.limit, seed=i) for i, g in enumerate(a.groups.split(","))]
    r = np.concatenate(rs)
    print("training records: %s" % " + ".join(str(len(x)) for x in rs), flush=True)
    net = Net(a.hidden, a.mix)
    xs = features(r)
    with torch.no_grad():
        net.mu.copy_(torch.from_numpy(xs.mean(0)))
        net.sd.copy_(torch.from_numpy(xs.std(0) + 1e-3))
        if a.features:
            net.use.zero_()
            net.use[[int(i) for i in a.features.split(",")]] = 1
    rng = np.random.default_rng(1)
    opt = torch.optim.Adam(net.parameters(), lr=3e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=a.steps, pct_start=0.1)
    t0 = time.time()
    for step in range(a.steps):
        idx = rng.integers(0, len(r), a.batch)
        x, e, iv, pc, bit, mask, cb = batch(torch, r, idx)
        loss = nll_bits(torch, log_mass, net(x), e).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 500 == 0 or step == a.steps - 1:
            print("step %d: net %.4f bits/sample, coder %.4f on the batch (%.0f s)"
                  % (step, loss.item(), cb.mean().item(), time.time() - t0), flush=True)
    mixer = Mixer(torch, 0.7, 0.3)
    fit_mixer(a, torch, net, net_logp1, mixer, r, rng, net_too=False, steps=a.mix_steps)
    if a.joint:
        fit_mixer(a, torch, net, net_logp1, mixer, r, rng, net_too=True, steps=a.joint_steps)
    torch.save({"net": net.state_dict(), "hidden": a.hidden, "inputs": INPUTS, "mix": a.mix, "act": ACT, "exact": EXACT,
                "a": mixer.a.detach(), "b": mixer.b.detach(), "c": mixer.c.detach()}, a.out)
    print("saved %s: %d parameters, %d multiply-adds a sample in the MLP"
          % (a.out, sum(p.numel() for p in net.parameters() if p.requires_grad), net.macs()))


def fit_mixer(a, torch, net, net_logp1, mixer, r, rng, net_too, steps):
    params = [mixer.a, mixer.b, mixer.c]
    opt = torch.optim.Adam(params, lr=0.02)
    if net_too:
        opt = torch.optim.Adam([{"params": params, "lr": 0.005},
                                {"params": [p for p in net.parameters() if p.requires_grad], "lr": 5e-4}])
    t0 = time.time()
    for step in range(steps):
        idx = rng.integers(0, len(r), a.batch)
        x, e, iv, pc, bit, mask, cb = batch(torch, r, idx)
        if net_too:
            lp1, lp0 = net_logp1(net(x), iv)
        else:
            with torch.no_grad():
                lp1, lp0 = net_logp1(net(x), iv)
        loss = mixer.bits(pc, lp1, lp0, bit, mask).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 250 == 0 or step == steps - 1:
            print("%s step %d: mixed %.4f bits/sample, coder %.4f (%.0f s)"
                  % ("joint" if net_too else "mixer", step, loss.item(), cb.mean().item(), time.time() - t0),
                  flush=True)


def evaluate(a):
    torch, Net, log_mass, net_logp1 = make_torch()
    ck = torch.load(a.out)
    ck_inputs(ck)
    global ACT
    ACT = ck.get("act", "silu")
    net = Net(ck["hidden"], ck["mix"])
    net.load_state_dict(ck["net"], strict=False)
    fitted = Mixer(torch)
    fitted.a, fitted.b, fitted.c = ck["a"], ck["b"], ck["c"]
    avg = Mixer(torch, 0.5, 0.5)
    print("network: %d parameters, %d multiply-adds a sample in the MLP; mix weights a (coder) %s, b (net) %s"
          % (sum(p.numel() for p in net.parameters() if p.requires_grad), net.macs(),
             np.round(fitted.a.numpy()[[0, 1, 2, 3, 16, 17, 18, 31]], 2),
             np.round(fitted.b.numpy()[[0, 1, 2, 3, 16, 17, 18, 31]], 2)))
    for g in GROUPS:
        r = load(os.path.join(a.dir, "dev_%s.f32" % g))
        if a.quick:
            with torch.no_grad():
                nb = sum(nll_bits(torch, log_mass, net(torch.from_numpy(features(r[s:s + 65536]))),
                                  torch.from_numpy(r[s:s + 65536, N_FEAT].astype(np.float64))).sum().item()
                         for s in range(0, len(r), 65536))
            c = r[:, N_FEAT + 1].astype(np.float64).mean()
            print("dev %s: %d samples; bits/sample: coder %.4f, network %.4f (%+.2f %%)"
                  % (g, len(r), c, nb / len(r), 100 * (nb / len(r) / c - 1)), flush=True)
            continue
        tot = np.zeros(5)
        with torch.no_grad():
            for s in range(0, len(r), a.batch):
                idx = np.arange(s, min(s + a.batch, len(r)))
                x, e, iv, pc, bit, mask, cb = batch(torch, r, idx)
                params = net(x)
                lp1, lp0 = net_logp1(params, iv)
                tot += [cb.sum().item(), nll_bits(torch, log_mass, params, e).sum().item(),
                        -((torch.where(bit > 0, lp1, lp0) / np.log(2)) * mask).sum().item(),
                        avg.bits(pc, lp1, lp0, bit, mask).sum().item(),
                        fitted.bits(pc, lp1, lp0, bit, mask).sum().item()]
        n = len(r)
        c = tot[0] / n
        print("dev %s: %d samples; bits/sample: coder %.4f, network %.4f (%+.2f %%; path check %.4f), "
              "average %.4f (%+.2f %%), fitted mix %.4f (%+.2f %%)"
              % (g, n, c, tot[1] / n, 100 * (tot[1] / n / c - 1), tot[2] / n, tot[3] / n,
                 100 * (tot[3] / n / c - 1), tot[4] / n, 100 * (tot[4] / n / c - 1)), flush=True)


def net_file(a, g):
    """Where header writes a ReLU network of --exact records as the codec's (docs/MODEL.md §15).
export writes the network's log-odds (dev_GROUP.NAME.f32, NAME that of --out)."""
    return os.path.join(a.dir, "dev_%s.%s.f32" % (g, os.path.splitext(os.path.basename(a.out))[0]))


def export(a):
    """The network's log-odds of each decision on the path of each dev-eval record, float32
    (n, 32), for state_dump --net (the online mix in the coder itself)."""
    torch, Net, log_mass, net_logp1 = make_torch()
    ck = torch.load(a.out)
    ck_inputs(ck)
    net = Net(ck["hidden"], ck["mix"])
    net.load_state_dict(ck["net"], strict=False)
    for g in a.groups.split(","):
        r = load(os.path.join(a.dir, "dev_%s.f32" % g))
        with open(net_file(a, g), "wb") as f, torch.no_grad():
            for s in range(0, len(r), a.batch):
                idx = np.arange(s, min(s + a.batch, len(r)))
                x, e, iv, pc, bit, mask, cb = batch(torch, r, idx)
                lp1, lp0 = net_logp1(net(x), iv)
                f.write((lp1 - lp0).clamp(-30, 30).numpy().astype(np.float32).tobytes())
        print("dev %s: %d records" % (g, len(r)), flush=True)


def online(a):
    """state_dump --net on the dev-eval files, in dump's order: the coder with the
    network's log-odds as one more input of each decision's online mixer."""
    for g in a.groups.split(","):
        bits = n = 0
        off = 0
        for (rate, ch), paths in by_format(dev_files(a, g)):
            net = [] if a.no_net else ["--net", net_file(a, g), "--net-offset", str(off), "--net-init",
                                       str(a.net_init), "--coder-init", str(a.coder_init)]
            warm = ["--warm", os.path.join(a.dir, "train_%s.f32" % g), "--warm-count", str(a.warm_count)] \
                if a.warm_count else []
            res = subprocess.run([a.tool, "--profiles", a.profiles, "--rate", rate] + net + warm + [ch, "/dev/null"]
                                 + paths, check=True, capture_output=True, text=True).stdout
            tot = res.strip().splitlines()[-1].split("\t")
            n += int(tot[1]); bits += float(tot[2])
            off += int(tot[1])
        what = "coder" if a.no_net else "coder with the network in its mixers (starting weights %d, %d)" % (
            a.net_init, a.coder_init)
        if a.warm_count:
            what += ", started from its state after the training records (counts capped to %d)" % a.warm_count
        print("dev %s: %d samples, %s: %.4f bits/sample" % (g, n, what, bits / n), flush=True)


def warmdev(a):
    """The dev-eval records again, each frame's coder starting warm (from its state after
    the group's training records, counts capped at --warm-count, 16 if not given: as the
    codec's learned states, docs/MODEL.md §13), to DIR/devwarm_GROUP.f32, the per-file
    lines to DIR/devwarm_GROUP.tsv."""
    for g in a.groups.split(","):
        out = os.path.join(a.dir, "devwarm_%s.f32" % g)
        if os.path.exists(out):
            os.remove(out)
        with open(os.path.join(a.dir, "devwarm_%s.tsv" % g), "w") as f:
            for (rate, ch), paths in by_format(dev_files(a, g)):
                f.write(subprocess.run([a.tool, "--profiles", a.profiles, "--rate", rate]
                                       + (["--exact"] if EXACT else [])
                                       + ["--warm", os.path.join(a.dir, "train_%s.f32" % g),
                                          "--warm-count", str(a.warm_count or 16), ch, out] + paths,
                                       check=True, capture_output=True, text=True).stdout)


def choice(a):
    """The network alone against the warm coder (warmdev's records), and per frame of
    --frame samples a channel the smaller of the two, as an encoder choosing per frame
    would code; -v per file."""
    torch, Net, log_mass, net_logp1 = make_torch()
    ck = torch.load(a.out)
    ck_inputs(ck)
    global ACT
    ACT = ck.get("act", "silu")
    net = Net(ck["hidden"], ck["mix"])
    net.load_state_dict(ck["net"], strict=False)
    for g in a.groups.split(","):
        chans = {path: int(ch) for path, rate, ch in dev_files(a, g)}
        r = load(os.path.join(a.dir, "devwarm_%s.f32" % g))
        nb = np.zeros(len(r))
        with torch.no_grad():
            for s in range(0, len(r), 65536):
                nb[s:s + 65536] = nll_bits(torch, log_mass, net(torch.from_numpy(features(r[s:s + 65536]))),
                                           torch.from_numpy(r[s:s + 65536, N_FEAT].astype(np.float64))).numpy()
        cb = r[:, N_FEAT + 1].astype(np.float64)
        files = [l.split("\t") for l in open(os.path.join(a.dir, "devwarm_%s.tsv" % g)) if not l.startswith("total")]
        off, best, n_frames, n_net = 0, 0.0, 0, 0
        for f in files:
            n, step = int(f[1]), a.frame * chans[f[0]]
            if a.v:
                print("   %-60s %8d samples, network %+.2f %%"
                      % (os.path.basename(f[0])[:60], n, 100 * (nb[off:off + n].sum() / cb[off:off + n].sum() - 1)))
            for s in range(off, off + n, step):
                c, m = cb[s:min(off + n, s + step)].sum(), nb[s:min(off + n, s + step)].sum()
                best += min(c, m)
                n_frames += 1
                n_net += m < c
            off += n
        C, N = cb.sum(), nb.sum()
        print("dev %s: %d samples; warm coder %.0f bytes, network alone %.0f (%+.2f %%), the smaller per frame "
              "%.0f (%+.2f %%; the network in %d of %d frames)"
              % (g, len(r), C / 8, N / 8, 100 * (N / C - 1), best / 8, 100 * (best / C - 1), n_net, n_frames), flush=True)


def header(a):
    """Writes a ReLU network trained on --exact records as core/src/pcmnet_weights.h, or
    of 41 inputs as core/src/pcmnet2_weights.h (the first and second audio networks of
    docs/MODEL.md §15): the input normalisation folded into the first layer in float64,
    then every value rounded to float32, as exact hex literals, weights input-major
    (w[i][j])."""
    import torch
    ck = torch.load(a.out)
    ck_inputs(ck)
    if ck.get("act") != "relu" or not ck.get("exact"):
        sys.exit("header: the codec's network is trained with --exact --act relu")
    sd = {k: v.detach().double().numpy() for k, v in ck["net"].items()}
    if not np.all(sd["use"] == 1):
        sys.exit("header: every feature must be used")
    w1 = sd["l1.weight"] / sd["sd"][None, :]                   # (hidden, in)
    b1 = sd["l1.bias"] - w1 @ sd["mu"]
    second = INPUTS == 41
    pre, macro = ("pcn2", "BLM_PCN2") if second else ("pcn", "BLM_PCN")
    out = a.header or os.path.join(ROOT, "core", "src", "pcmnet2_weights.h" if second else "pcmnet_weights.h")
    parts = [(pre + "_w1", w1), (pre + "_b1", b1), (pre + "_w2", sd["l2.weight"]), (pre + "_b2", sd["l2.bias"]),
             (pre + "_w3", sd["l3.weight"]), (pre + "_b3", sd["l3.bias"])]
    h = 2166136261
    body = []
    for cname, v in parts:
        v = (v.T if v.ndim == 2 else v).ravel().astype("<f4")
        for byte in v.tobytes():
            h = ((h ^ byte) * 16777619) & 0xffffffff
        vals = [float(x).hex() + "f" for x in v]
        lines = ["    " + ", ".join(vals[i:i + 6]) + "," for i in range(0, len(vals), 6)]
        body.append("static const float %s[%d] = {\n%s\n};\n" % (cname, len(v), "\n".join(lines)))
    text = ("/* Generated by tools/cascade/residual_net.py header from %s: do not edit.\n"
            " * The %s audio network of docs/MODEL.md §15; FNV-1a of its float32 bytes: %08x. */\n"
            "#define %s_HIDDEN %d\n#define %s_WEIGHTS_HASH 0x%08xu\n"
            % (os.path.basename(a.out), "second" if second else "first", h, macro, ck["hidden"], macro, h))
    with open(out, "w") as f:
        f.write(text + "".join(body))
    print("%s: %d inputs, hidden %d, hash %08x" % (out, INPUTS, ck["hidden"], h))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["dump", "train", "eval", "export", "online", "warmdev", "choice", "header"])
    ap.add_argument("--dir", default="/tmp/h17/data")
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--tool", default=os.path.join(ROOT, "build-h17", "tools", "cascade", "state_dump"))
    ap.add_argument("--profiles", default="0,6,7")
    ap.add_argument("--dev-budget", type=int, default=4000000)
    ap.add_argument("--train-budget", type=int, default=6000000)
    ap.add_argument("--music-train-budget", type=int, default=0,
                    help="dump: the training music's budget, if not --train-budget (its files are long)")
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--mix", type=int, default=3)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--mix-steps", type=int, default=500)
    ap.add_argument("--joint", action="store_true")
    ap.add_argument("--joint-steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=4096)
    ap.add_argument("--limit", type=int, default=3000000, help="training records per group, at most")
    ap.add_argument("--groups", default="music,speech", help="train: the training groups")
    ap.add_argument("--features", default="", help="train: the feature indices used (default all)")
    ap.add_argument("--net-init", type=int, default=0, help="online: the network's starting weight, 16.16")
    ap.add_argument("--coder-init", type=int, default=21845, help="online: each counter's starting weight")
    ap.add_argument("--warm-count", type=int, default=0,
                    help="online: start the coder from its state after train_GROUP.f32, counts capped to this")
    ap.add_argument("--no-net", action="store_true", help="online: without the network (with --warm-count)")
    ap.add_argument("--quick", action="store_true", help="eval: the network alone only")
    ap.add_argument("--out", default=None, help="the network (default DIR/net.pt)")
    ap.add_argument("--exact", action="store_true",
                    help="dump: state_dump --exact (decoder-exact, squashed features); train/eval: such records")
    ap.add_argument("--act", choices=["silu", "relu"], default="silu")
    ap.add_argument("--frame", type=int, default=131072, help="choice: samples a channel per frame")
    ap.add_argument("-v", action="store_true", help="choice: per file")
    ap.add_argument("--header", default=None, help="header: where (default core/src/pcmnet_weights.h, "
                    "or pcmnet2_weights.h for a network of 41 inputs)")
    ap.add_argument("--inputs", type=int, choices=[25, 41], default=41,
                    help="train: the first 25 of the record's inputs (the first network) or all 41")
    a = ap.parse_args()
    global EXACT, ACT
    EXACT, ACT = a.exact, a.act
    global INPUTS
    INPUTS = a.inputs
    a.out = a.out or os.path.join(a.dir, "net.pt")
    return {"dump": dump, "train": train, "eval": evaluate, "export": export, "online": online,
            "warmdev": warmdev, "choice": choice, "header": header}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
