#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Train a bytelm model with PyTorch on one or many machines and export a .blmm.

For models and corpora that outgrow bytelm-train on one CPU (docs/TRAINING.md, "Training
larger models with PyTorch"). The data lists, the sampling, the schedule and the exported
file are those of bytelm-train; the model is tools/train/torch/bytelm_torch.py.

    torchrun --nproc_per_node 8 tools/train/torch/train_ddp.py --train train.list \\
        --dev dev.list --layers 8 --d-model 512 --heads 8 --d-ff 2048 --window 1024 \\
        --seq-len 2048 --batch 16 --steps 100000 --checkpoint run.pt --export big.blmm

Each process draws its own sequences (a different random stream per rank) and
DistributedDataParallel averages the gradients, so the global batch is batch x processes.
GPUs use NCCL, CPUs gloo. Runs without torchrun too (one process).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytelm_torch as bt  # noqa: E402

DECAY = ("wq", "wk", "wv", "wo", "w1", "w2", "out_w")   # weight decay on matrices only


# ------------------------------------------------------------------------------------------
# data: the list format of docs/TRAINING.md, sampled as tools/train/data.c samples

class DataSet:
    def __init__(self, list_path):
        self.files = []       # (name, bytes as a uint8 memmap, period, group, frame)
        self.groups = []
        base = os.path.dirname(os.path.abspath(list_path))
        with open(list_path) as f:
            for lineno, line in enumerate(f, 1):
                fields = line.split("#", 1)[0].split()
                if not fields:
                    continue
                if len(fields) not in (3, 4) or not 1 <= int(fields[1]) <= 16:
                    sys.exit("%s:%d: expected '<path> <period 1..16> <group> [<frame_bytes>]'"
                             % (list_path, lineno))
                path = os.path.join(base, fields[0])
                data = (np.memmap(path, dtype=np.uint8, mode="r") if os.path.getsize(path)
                        else np.zeros(0, np.uint8))
                if fields[2] not in self.groups:
                    self.groups.append(fields[2])
                frame = int(fields[3]) if len(fields) == 4 else 0
                self.files.append((path, data, int(fields[1]), fields[2], frame))
        if not self.files:
            sys.exit("%s lists no files" % list_path)
        self.group_bytes = {g: sum(len(f[1]) for f in self.files if f[3] == g)
                            for g in self.groups}
        # per group: its files and the probability of each (by size)
        self.by_group = []
        for g in self.groups:
            idx = [i for i, f in enumerate(self.files) if f[3] == g]
            sizes = np.array([len(self.files[i][1]) for i in idx], np.float64)
            self.by_group.append((idx, sizes / max(sizes.sum(), 1.0)))
        self.set_mix(None)

    def set_mix(self, mix):
        """'g1=w1,g2=w2' (groups not named: 0) or None (each group by its size)."""
        w = dict(self.group_bytes) if not mix else {g: 0.0 for g in self.groups}
        for item in (mix.split(",") if mix else []):
            g, _, v = item.partition("=")
            if g not in self.groups:
                sys.exit("--mix: no group '%s' in the training list" % g)
            w[g] = float(v)
        w = {g: (v if self.group_bytes[g] else 0.0) for g, v in w.items()}
        total = sum(w.values())
        if not total > 0:
            sys.exit("the mixture weights select no data")
        self.weights = [w[g] / total for g in self.groups]
        self.sampled_bytes = sum(self.group_bytes[g] for g, v in w.items() if v > 0)

    def batch(self, rng, B, T):
        """B sequences: a group by the mixture, a file by size, an offset among the
        multiples of its period; inputs BOS, x[o] .. x[o+T-2]; targets x[o] .. x[o+T-1]
        (-1 past the end of a file shorter than T); phases t mod period."""
        tok = np.zeros((B, T), np.int64)
        ph = np.zeros((B, T), np.int64)
        tgt = np.full((B, T), -1, np.int64)
        for b in range(B):
            idx, prob = self.by_group[rng.choice(len(self.groups), p=self.weights)]
            _, data, period, _, _ = self.files[idx[rng.choice(len(idx), p=prob)]]
            n, off = len(data), 0
            if n >= T:
                off = period * int(rng.integers(0, (n - T) // period + 1))
                n = T
            x = np.asarray(data[off:off + n], np.int64)
            tgt[b, :n] = x
            tok[b, 0] = bt.BOS
            k = min(n, T - 1)
            tok[b, 1:k + 1] = x[:k]
            ph[b] = np.arange(T) % period
        return torch.from_numpy(tok), torch.from_numpy(ph), torch.from_numpy(tgt)


# ------------------------------------------------------------------------------------------

def lr_at(a, step):
    """Linear warm-up, then cosine decay to lr * min_lr_frac (bytelm-train's schedule)."""
    if a.warmup > 0 and step <= a.warmup:
        return a.lr * step / a.warmup
    span = a.steps - a.warmup
    frac = min(1.0, (step - a.warmup) / span) if span > 0 else 1.0
    lo = a.lr * a.min_lr_frac
    return lo + 0.5 * (a.lr - lo) * (1 + math.cos(math.pi * frac))


def dev_eval(model, ds, a, rank, world, device):
    """bits/byte per group, coded as the codec codes (frames from a cold start); the files
    are shared out among the processes."""
    sums = torch.zeros(len(ds.groups), 2, dtype=torch.float64, device=device)
    with torch.no_grad():
        for i, (_, data, period, group, frame) in enumerate(ds.files):
            if i % world != rank:
                continue
            x = bytes(data[:a.dev_max_bytes] if a.dev_max_bytes else data)
            g = ds.groups.index(group)
            sums[g, 0] += model.frame_bits(x, period, frame or a.frame)
            sums[g, 1] += len(x)
    if world > 1:
        dist.all_reduce(sums)
    return [(g, sums[i, 0].item(), int(sums[i, 1].item())) for i, g in enumerate(ds.groups)]


def print_dev(results, step):
    tb = tn = 0
    for g, bits, n in results + [("total", None, None)]:
        if g == "total":
            bits, n = tb, tn
        else:
            tb, tn = tb + bits, tn + n
        if n:
            print("dev step %d  %-14s %10d bytes  %.4f bits/byte  predicted %d bytes (%.2f%%)"
                  % (step, g, n, bits / n, bits / 8, 100 * bits / 8 / n), flush=True)


def save_state(path, model, opt, a, step):
    tmp = path + ".tmp"
    torch.save({"config": model.c.__dict__, "model": model.state_dict(),
                "optim": opt.state_dict(), "step": step, "args": vars(a)}, tmp)
    os.replace(tmp, path)    # a run killed while saving keeps the previous checkpoint


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True, help="training list")
    ap.add_argument("--dev", help="dev-eval list")
    ap.add_argument("--mix", help="mixture weights per group, g1=w1,g2=w2")
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-ff", type=int, default=256)
    ap.add_argument("--window", type=int, default=128)
    ap.add_argument("--norm-eps", type=float, default=1e-5)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16, help="sequences per process and step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--minutes", type=float, default=0, help="set --steps from the speed of "
                    "the first warm-up steps so that training takes about this long (for a "
                    "time-limited lease; the step count is printed, to reproduce with --steps)")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log-every", type=int, default=50)
    ap.add_argument("--dev-every", type=int, default=0, help="0: at the end only")
    ap.add_argument("--frame", type=int, default=65536, help="dev frame bytes if the list "
                    "gives none")
    ap.add_argument("--dev-max-bytes", type=int, default=0)
    ap.add_argument("--checkpoint", help="PyTorch checkpoint to write (and resume from)")
    ap.add_argument("--checkpoint-every", type=int, default=1000)
    ap.add_argument("--stop-at", type=int, default=0, help="end this run (with a checkpoint) "
                    "at this step; the schedule still runs to --steps (for job time limits)")
    ap.add_argument("--export", help="write the model as .blmm at the end")
    ap.add_argument("--name", default="")
    ap.add_argument("--modality", default="")
    ap.add_argument("--description", default="")
    ap.add_argument("--bf16", action="store_true", help="bfloat16 autocast on CUDA")
    a = ap.parse_args()

    distributed = "RANK" in os.environ
    if distributed:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    if torch.cuda.is_available():
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    log = print if rank == 0 else (lambda *x, **k: None)

    train = DataSet(a.train)
    train.set_mix(a.mix)
    dev = DataSet(a.dev) if a.dev else None

    c = bt.Config(a.layers, a.d_model, a.heads, a.d_ff, a.window, a.norm_eps)
    step = 0
    state = None
    if a.checkpoint and os.path.exists(a.checkpoint):
        state = torch.load(a.checkpoint, map_location="cpu")
        c = bt.Config(**state["config"])       # the shape comes from the checkpoint
        step = state["step"]
        log("resuming %s at step %d" % (a.checkpoint, step))
    model = bt.ByteLM(c)
    model.init_weights(torch.Generator().manual_seed(a.seed))   # the same on every rank
    if state:
        model.load_state_dict(state["model"])
    model.to(device)
    decay = [p for n, p in model.named_parameters() if n.split(".")[-1] in DECAY]
    other = [p for n, p in model.named_parameters() if n.split(".")[-1] not in DECAY]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": a.weight_decay},
                             {"params": other, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    if state:
        opt.load_state_dict(state["optim"])
    ddp = DDP(model, device_ids=[device.index] if device.type == "cuda" else None) \
        if distributed else model
    n_params = sum(p.numel() for p in model.parameters())
    log("model L=%d d=%d H=%d F=%d W=%d: %d parameters; %d process(es) x batch %d x %d, "
        "%s" % (c.n_layer, c.d_model, c.n_head, c.d_ff, c.window, n_params, world, a.batch,
                a.seq_len, device.type), flush=True)

    t0, tokens = time.time(), 0
    end = min(a.steps, a.stop_at) if a.stop_at > 0 else a.steps
    step0 = step
    probe = step + 1 + min(50, max(1, a.warmup // 2)) if a.minutes > 0 else -1
    while step < end:
        step += 1
        if step == probe:
            # from step 1 this is still the warm-up, which --steps does not change (a resumed
            # run's probe steps used the old --steps); every rank takes rank 0's figure
            spent = max(time.time() - t0, 1e-9)
            left = torch.tensor([(a.minutes * 60 - spent) / spent * (probe - 1 - step0)],
                                device=device)
            if distributed:
                dist.broadcast(left, 0)
            a.steps = max(probe, probe + int(left.item()))
            end = min(a.steps, a.stop_at) if a.stop_at > 0 else a.steps
            log("--minutes %g: %d steps" % (a.minutes, a.steps), flush=True)
        # the sequences of a step depend only on (seed, rank, step): resuming draws the same
        rng = np.random.default_rng([a.seed, rank, step])
        tok, ph, tgt = (t.to(device) for t in train.batch(rng, a.batch, a.seq_len))
        lr = lr_at(a, step)
        for gr in opt.param_groups:
            gr["lr"] = lr
        with torch.autocast(device.type, torch.bfloat16, enabled=a.bf16 and device.type == "cuda"):
            logits = ddp(tok, ph)         # through the DDP wrapper, which syncs gradients
        loss = F.cross_entropy(logits.float().reshape(-1, bt.VOCAB_OUT), tgt.reshape(-1),
                               ignore_index=-1)
        opt.zero_grad(set_to_none=True)
        loss.backward()                   # DDP averages the gradients across processes
        gnorm = torch.nn.utils.clip_grad_norm_(model.parameters(), a.clip)
        opt.step()
        tokens += int((tgt >= 0).sum()) * world
        if step % a.log_every == 0 or step == end:
            l = loss.detach().float()
            if distributed:
                dist.all_reduce(l)
                l /= world
            dt = time.time() - t0
            log("step %7d/%d  loss %.4f bits/byte  lr %.3e  |g| %.3f  %.0f tok/s  %.0f s"
                % (step, a.steps, l.item() / math.log(2), lr, gnorm.item(), tokens / dt, dt),
                flush=True)
        if dev and a.dev_every and step % a.dev_every == 0 and step < end:
            res = dev_eval(model, dev, a, rank, world, device)
            if rank == 0:
                print_dev(res, step)
        if a.checkpoint and rank == 0 and (step % a.checkpoint_every == 0 or step == end):
            save_state(a.checkpoint, model, opt, a, step)

    if step < a.steps:
        log("stopped at step %d of %d: run again with a later --stop-at, or none, to go on"
            % (step, a.steps))
        if distributed:
            dist.destroy_process_group()
        return
    if dev:
        res = dev_eval(model, dev, a, rank, world, device)
        if rank == 0:
            print_dev(res, step)
    if a.export and rank == 0:
        desc = ("L=%d d=%d H=%d F=%d W=%d, %d steps of %dx%dx%d, lr %g, seed %d, "
                "tools/train/torch/train_ddp.py. %s" % (c.n_layer, c.d_model, c.n_head,
                                                        c.d_ff, c.window, step, world,
                                                        a.batch, a.seq_len, a.lr, a.seed,
                                                        a.description)).strip()
        digest = bt.save_blmm(model.float().cpu(), a.export, name=a.name or
                              os.path.splitext(os.path.basename(a.export))[0],
                              modality=a.modality or "+".join(
                                  g for g, w in zip(train.groups, train.weights) if w > 0),
                              description=desc, train_bytes=train.sampled_bytes)
        print("exported %s: model hash %s" % (a.export, digest.hex()), flush=True)
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
