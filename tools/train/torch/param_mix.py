#!/usr/bin/env python3
"""Is the model more than an adaptive Laplacian? (docs/STUDY.md, "What the audio model adds")

For PCM token files of the dev-eval list, compares three codes of the same tokens (the
LPC + LMS residual, high byte then low byte, docs/FORMAT.md §4):
  - the model (PyTorch twin, frames from a cold start as the codec codes them);
  - a parametric code: per channel, a geometric distribution over the zig-zag residual
    whose mean follows |e| with an exponential average (rate 1/16), giving the high byte
    and then the low byte given the high byte exactly;
  - their mixtures: fixed weights, and an online Bayesian mixture with fixed share
    (one weight pair for high bytes, one for low bytes).
Ideal code lengths (-log2 p), no range coder. Prints bits per token.

usage: /usr/bin/python3 param_mix.py MODEL.blmm GROUP STEP [MAX_TOKENS]
       (GROUP audio-music or audio-speech; every STEP-th file of ~/.cache/bytelm/tokens/dev.list)
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytelm_torch as bt  # noqa: E402

FRAME = 65536


def model_probs(net, x, period):
    out = []
    for f0 in range(0, len(x), FRAME):
        tok, ph, _ = bt.frame_batch(torch.tensor(x[f0:f0 + FRAME], dtype=torch.long), period)
        with torch.no_grad():
            out.append(torch.softmax(net(tok, ph)[0].double(), -1).numpy())
    return np.concatenate(out)


def param_probs(x, period, rate=16):
    """p(x_t) under the adaptive geometric code, for the actual tokens only."""
    p = np.zeros(len(x))
    ch = period // 2
    for f0 in range(0, len(x), FRAME):
        mean, hi = [16.0] * ch, 0
        for t in range(f0, min(len(x), f0 + FRAME)):
            ph = (t - f0) % period
            c = ph // 2
            mz = 2 * mean[c] + 0.5          # mean of the zig-zag value
            q = mz / (mz + 1)
            q256 = q ** 256
            if ph % 2 == 0:
                hi = x[t]
                p[t] = q256 ** hi * (1 - q256)
            else:
                p[t] = q ** x[t] * (1 - q) / (1 - q256)
                mag = ((hi * 256 + x[t]) + 1) >> 1
                mean[c] += (mag - mean[c]) / rate
    return np.maximum(p, 1e-12)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    torch.set_num_threads(1)
    net = bt.load_blmm(sys.argv[1])
    net.eval()
    group, step = sys.argv[2], int(sys.argv[3])
    max_tokens = int(sys.argv[4]) if len(sys.argv) > 4 else 400000
    listing = os.path.expanduser("~/.cache/bytelm/tokens/dev.list")
    files = [l.split() for l in open(listing) if l.split()[2] == group][::step]
    weights = [0.1, 0.3, 0.5, 0.7, 0.9]
    n = bits_model = bits_param = bits_bayes = 0.0
    bits_fixed = np.zeros(len(weights))
    for path, period, _, _ in files:
        x = list(open(path, "rb").read())[:max_tokens]
        period = int(period)
        pm = model_probs(net, x, period)[np.arange(len(x)), x]
        pp = param_probs(x, period)
        n += len(x)
        bits_model += -np.log2(pm).sum()
        bits_param += -np.log2(pp).sum()
        for i, w in enumerate(weights):
            bits_fixed[i] += -np.log2(w * pm + (1 - w) * pp).sum()
        mix_w = np.full((2, 2), 0.5)
        for t in range(len(x)):
            w = mix_w[t % 2]
            p = w[0] * pm[t] + w[1] * pp[t]
            bits_bayes -= math.log2(p)
            w = w * np.array([pm[t], pp[t]]) / p
            mix_w[t % 2] = 0.98 * w + 0.01       # fixed share: the better code may change
    print("%s: %d files, %d tokens, model %s" % (group, len(files), n, os.path.basename(sys.argv[1])))
    print("| code | bits/token | against the model |")
    print("| --- | --- | --- |")
    row = lambda name, b: print("| %s | %.4f | %+.2f %% |" % (name, b / n, 100 * (b / bits_model - 1)))
    row("model", bits_model)
    row("adaptive geometric", bits_param)
    for w, b in zip(weights, bits_fixed):
        row("mixture, model weight %.1f" % w, b)
    row("Bayesian mixture, fixed share", bits_bayes)


if __name__ == "__main__":
    main()
