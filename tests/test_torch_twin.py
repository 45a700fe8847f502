#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The PyTorch twin (tools/train/torch/bytelm_torch.py) against the C trainer and the codec.

usage: test_torch_twin.py BYTELM_TRAIN_DUMP [BYTELM_CLI [BYTELM_TRAIN]]

1. A small model with random weights (L=2, d=16, H=2, F=32, W=8) and a fixed batch
   (3 sequences of 24, periods 3, 1 and 2, masked targets and a short sequence) go through
   the C trainer in double (bytelm-train-dump, via a checkpoint written by the twin) and
   through the twin in float64: the loss, every position's loss and probabilities, and the
   gradient of every parameter tensor of every layer must agree to ~1e-10 relative.
   Two deliberately wrong twins (window one shorter, relative bias reversed) must not.
2. The C exporter's .blmm of those weights loads into the twin bit for bit, and the twin's
   writer (and tools/train/torch/export_blmm.py from the checkpoint) writes the same file,
   byte for byte, given the same metadata.
3. With BYTELM_CLI: a twin trained for a few steps on text, exported with the twin's
   writer, compresses and decompresses a file with `bytelm --model`, and the codec's
   payload is within 1% of the twin's predicted cross-entropy, the match model and the
   context mixer of frame mode 4 (docs/MODEL.md §6, §7) included; and a gray image, coded
   in frame mode 5, within 1 % of the twin's scale prior (docs/MODEL.md §8, written again
   from the spec in scale_frame_bits), which must beat the model alone there.
4. tools/train/torch/train_ddp.py as a one-process DistributedDataParallel job (gloo):
   6 steps in one go and 3 + 3 with a resume end with the same weights, exported as .blmm;
   export_blmm.py converts its PyTorch checkpoint to the same weights. With BYTELM_TRAIN:
   converted to a bytelm-train checkpoint, the C trainer exports the same weights and
   trains it two steps further.

Exits 77 (skipped) when torch is not installed (Debian: python3-torch).
"""
import math
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile

try:
    import torch
except ImportError:
    print("torch not installed (apt-get install python3-torch): skipped")
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools", "train", "torch"))
import bytelm_torch as bt  # noqa: E402

# Both sides compute in double in different orders (BLAS vs PyTorch, libm exp vs torch.exp):
# observed differences are ~2e-15 relative; 1e-4 off in the GELU constant gives 2.5e-9.
REL_TOL = 1e-12
EXPORT = os.path.join(ROOT, "tools", "train", "torch", "export_blmm.py")
failures = []


def check(ok, what):
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    if not ok:
        failures.append(what)


def random_model(c, seed):
    """Weights larger than a fresh init so every path carries gradient (as gradcheck.c),
    drawn in float32 so that the checkpoint holds them exactly."""
    g = torch.Generator().manual_seed(seed)
    m = bt.ByteLM(c)
    with torch.no_grad():
        for name, p in m.named_parameters():
            kind = name.split(".")[-1]
            u = torch.rand(p.shape, generator=g) * 2 - 1
            if kind.endswith("norm"):
                p.copy_(1 + 0.3 * u)
            elif kind in ("wq", "wk", "wv", "wo", "w1", "w2", "out_w"):
                p.copy_(1.5 / math.sqrt(p.shape[0]) * u)      # by fan-in
            else:   # embeddings, rel_bias, out_b
                p.copy_(0.5 * u)
    return m


def fixed_batch(seed, B=3, T=24):
    g = torch.Generator().manual_seed(seed)
    periods, lengths = (3, 1, 2), (T, T, 17)     # the third: a file shorter than T
    tok = torch.zeros(B, T, dtype=torch.long)
    ph = torch.zeros(B, T, dtype=torch.long)
    tgt = torch.full((B, T), -1, dtype=torch.long)
    for b in range(B):
        x = torch.randint(0, 256, (lengths[b],), generator=g)
        n = lengths[b]
        tgt[b, :n] = x
        tok[b, 0] = bt.BOS
        k = min(n, T - 1)               # inputs BOS, x_0 .. (as data_sample_batch)
        tok[b, 1:k + 1] = x[:k]
        ph[b] = torch.arange(T) % periods[b]
    tgt[0, 7] = -1          # a masked position inside a sequence
    return tok, ph, tgt


def write_batch(path, tok, ph, tgt):
    B, T = tok.shape
    with open(path, "wb") as f:
        f.write(b"BLMB" + struct.pack("<II", B, T))
        for t in (tok, ph, tgt):
            f.write(t.to(torch.int32).numpy().astype("<i4").tobytes())


def read_dump(path, n_params):
    buf = open(path, "rb").read()
    assert buf[:4] == b"BLMD", "not a dump file"
    B, T, n = struct.unpack_from("<IIQ", buf, 4)
    assert n == n_params, "C has %d parameters, the twin %d" % (n, n_params)
    v = torch.frombuffer(bytearray(buf[20:]), dtype=torch.float64)
    BT = B * T
    assert len(v) == 1 + BT + BT * 256 + n
    return (v[0].item(), v[1:1 + BT].view(B, T), v[1 + BT:1 + BT + BT * 256].view(B, T, 256),
            v[1 + BT + BT * 256:])


def twin_pass(m, tok, ph, tgt):
    """loss, per-position losses, probabilities and {name: gradient} in float64."""
    m.zero_grad()
    logits = m(tok, ph)
    per = torch.nn.functional.cross_entropy(logits.reshape(-1, 256), tgt.reshape(-1),
                                            ignore_index=-1, reduction="none").view(tgt.shape)
    loss = per.sum() / (tgt >= 0).sum()
    loss.backward()
    grads = {n: bt.param_by_name(m, n).grad.detach().clone() for n in bt.c_param_order(m.c.n_layer)}
    return loss.item(), per.detach(), torch.softmax(logits, -1).detach(), grads


def rel_err(a, b):
    """max |a - b| / max |b| (elementwise difference, scaled by the tensor's size)."""
    return ((a - b).abs().max() / b.abs().max().clamp_min(1e-300)).item()


def compare_with_c(dump_exe, tmp):
    c = bt.Config(n_layer=2, d_model=16, n_head=2, d_ff=32, window=8)
    m = random_model(c, seed=7)
    tok, ph, tgt = fixed_batch(seed=11)
    ckpt, batch, out, exp = (os.path.join(tmp, n) for n in ("m.ckpt", "b.bin", "d.bin", "c.blmm"))
    bt.save_checkpoint(m, ckpt)
    write_batch(batch, tok, ph, tgt)
    subprocess.run([dump_exe, ckpt, batch, out, exp], check=True,
                   env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    m64 = random_model(c, seed=7).double()
    n_params = sum(p.numel() for p in m64.parameters())
    c_loss, c_per, c_prob, c_grad = read_dump(out, n_params)

    t_loss, t_per, t_prob, t_grad = twin_pass(m64, tok, ph, tgt)
    d = abs(c_loss - t_loss) / abs(t_loss)
    check(d <= REL_TOL, "loss C %.15f twin %.15f (rel diff %.1e)" % (c_loss, t_loss, d))
    d = rel_err(c_per, t_per)
    check(d <= REL_TOL and bool((c_per[tgt < 0] == 0).all()),
          "per-position losses (max rel diff %.1e), 0 where not scored" % d)
    d = (c_prob - t_prob).abs().max().item()
    check(d <= REL_TOL, "probabilities, %d positions (max abs diff %.1e)" % (tgt.numel(), d))

    off, worst = 0, 0.0
    for name in bt.c_param_order(c.n_layer):
        t = t_grad[name]
        g = c_grad[off:off + t.numel()].view_as(t)
        off += t.numel()
        d = rel_err(g, t)
        worst = max(worst, d)
        check(d <= REL_TOL and t.abs().max() > 0,
              "gradient %-12s |g|max %.3e  max diff %.1e relative" % (name, t.abs().max(), d))
    print("largest relative gradient difference: %.2e" % worst)

    # the comparison must be able to fail: two near-misses of the architecture
    wrong = random_model(bt.Config(n_layer=2, d_model=16, n_head=2, d_ff=32, window=7), 7)
    with torch.no_grad():
        for i in range(2):
            wrong.layers[i].rel_bias.copy_(m64.layers[i].rel_bias[:, :7])
    w_loss = twin_pass(wrong.double(), tok, ph, tgt)[0]
    check(abs(w_loss - c_loss) / c_loss > 1e3 * REL_TOL,
          "a twin with window 7 instead of 8 differs (rel %.1e)" % (abs(w_loss - c_loss) / c_loss))
    flipped = random_model(c, 7).double()
    with torch.no_grad():
        for layer in flipped.layers:
            layer.rel_bias.copy_(layer.rel_bias.flip(-1))
    w_loss = twin_pass(flipped, tok, ph, tgt)[0]
    check(abs(w_loss - c_loss) / c_loss > 1e3 * REL_TOL,
          "a twin with rel_bias reversed differs (rel %.1e)" % (abs(w_loss - c_loss) / c_loss))

    # the C exporter's file, read by the twin: the same float32 weights
    m_c = bt.load_blmm(exp)
    same = all(torch.equal(bt.param_by_name(m_c, n), bt.param_by_name(m, n))
               for n in bt.blmm_names(c.n_layer))
    check(same, "the C exporter's .blmm loads into the twin bit for bit")
    mine = os.path.join(tmp, "twin.blmm")
    meta = dict(name="dump", modality="test", description="exported by bytelm-train-dump")
    bt.save_blmm(m, mine, **meta)
    c_bytes = open(exp, "rb").read()
    check(open(mine, "rb").read() == c_bytes,
          "the twin's .blmm is the C exporter's, byte for byte (%d bytes)" % len(c_bytes))
    conv = os.path.join(tmp, "conv.blmm")
    r = subprocess.run([sys.executable, EXPORT, ckpt, conv] +
                       ["--%s=%s" % kv for kv in meta.items()], capture_output=True, text=True)
    check(r.returncode == 0 and open(conv, "rb").read() == c_bytes,
          "export_blmm.py CKPT gives the same file " + r.stderr.strip()[-300:])
    # and the twin's checkpoint reader gives back what its writer wrote
    m_ck, info = bt.load_checkpoint(ckpt)
    check(torch.equal(bt.flat_c_order(m_ck), bt.flat_c_order(m)) and info["step"] == 0,
          "the twin reads its checkpoint back")


def compare_with_codec(cli, tmp):
    """Train a little, export with the twin, code a file with the codec."""
    torch.manual_seed(3)
    text = open(os.path.join(ROOT, "docs", "MODEL.md"), "rb").read()
    sample = open(os.path.join(ROOT, "docs", "TRAINING.md"), "rb").read()[:6000]
    c = bt.Config(n_layer=1, d_model=32, n_head=2, d_ff=64, window=32)
    m = bt.ByteLM(c).init_weights()
    opt = torch.optim.AdamW(m.parameters(), lr=1e-2, betas=(0.9, 0.95), weight_decay=0.0)
    data = torch.tensor(list(text), dtype=torch.long)
    T = 128
    for step in range(80):
        offs = torch.randint(0, len(data) - T, (8,))
        x = torch.stack([data[o:o + T] for o in offs.tolist()])
        tok = torch.cat([torch.full((8, 1), bt.BOS), x[:, :-1]], 1)
        ph = torch.zeros_like(tok)
        loss = m.loss(tok, ph, x)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print("twin trained 80 steps: loss %.3f bits/byte" % (loss.item() / math.log(2)))

    blmm = os.path.join(tmp, "twin.blmm")
    digest = bt.save_blmm(m, blmm, name="twin-test", modality="text")
    src = os.path.join(tmp, "sample.txt")
    with open(src, "wb") as f:
        f.write(sample)
    frame = 4096
    r = subprocess.run([cli, "-q", "-f", "--model=" + blmm, "--frame=%d" % frame, src],
                       capture_output=True, text=True)
    check(r.returncode == 0, "bytelm --model twin.blmm compresses " + r.stderr.strip())
    if r.returncode:
        return
    info = subprocess.run([cli, "info", "--model=" + blmm, src + ".blm"], capture_output=True,
                          text=True).stdout
    check(digest.hex() in info, "the stream names the twin's model hash")
    out = os.path.join(tmp, "back.txt")
    r = subprocess.run([cli, "-d", "-q", "-f", "--model=" + blmm, "-o", out, src + ".blm"],
                       capture_output=True, text=True)
    check(r.returncode == 0 and open(out, "rb").read() == sample,
          "decompresses to the same bytes " + r.stderr.strip())

    # Plain bytes are coded in frame mode 4: the model's tables go through the match
    # model and the context mixer, which match_bits implements again from docs/MODEL.md
    # §6 and §7.
    plain_bits = m.double().frame_bits(sample, period=1, frame=frame)
    bits = m.match_bits(sample, frame=frame, mode=4)
    n_frames = -(-len(sample) // frame)
    payload = os.path.getsize(src + ".blm") - 120 - 50 * n_frames   # docs/FORMAT.md overhead
    d = payload / (bits / 8) - 1
    check(bits / len(sample) < 6.5, "the twin predicts %.3f bits/byte (< 6.5: the codec codes "
          "with the model, not stored)" % (bits / len(sample)))
    check(bits < plain_bits, "the mixer helps on this text: %.1f against %.1f bytes"
          % (bits / 8, plain_bits / 8))
    check(abs(d) < 0.01, "codec payload %d bytes, twin + mixer predict %.1f (%+.3f%%)"
          % (payload, bits / 8, 100 * d))
    compare_scale_prior(cli, m, blmm, tmp)


def med_tokens(img, w, h):
    """The tokens of a gray frame (docs/FORMAT.md §4, Images: MED predictor)."""
    out = []
    for y in range(h):
        for x in range(w):
            a = img[y * w + x - 1] if x else 0
            b = img[(y - 1) * w + x] if y else 0
            c = img[(y - 1) * w + x - 1] if x and y else 0
            if x == 0 and y == 0:
                pred = 0
            elif y == 0:
                pred = a
            elif x == 0:
                pred = b
            elif c >= max(a, b):
                pred = min(a, b)
            elif c <= min(a, b):
                pred = max(a, b)
            else:
                pred = a + b - c
            e = (img[y * w + x] - pred) % 256
            e = e - 256 if e >= 128 else e
            out.append(((e << 1) ^ (e >> 7)) & 255)
    return out


def compare_scale_prior(cli, m, blmm, tmp):
    """A gray image, left half flat, right half noisy: one frame in mode 5, whose payload
    the twin's scale prior predicts."""
    w, h = 48, 40
    st, img = 99, []
    for y in range(h):
        for x in range(w):
            st = (st * 1103515245 + 12345) % 2 ** 31
            img.append(100 + (st >> 16) % 3 if x < w // 2 else 108 + (st >> 16) % 41)
    src = os.path.join(tmp, "half.gray")
    with open(src, "wb") as f:
        f.write(bytes(img))
    # images go to the pixel predictor (mode 7) unless a test asks for another mode
    env = dict(os.environ, BYTELM_FRAME_MODE="5")
    r = subprocess.run([cli, "-q", "-f", "--model=" + blmm, "--raw=gray", "--width=%d" % w,
                        "--height=%d" % h, "--frame=%d" % h, src], capture_output=True, text=True, env=env)
    check(r.returncode == 0, "bytelm codes the gray image " + r.stderr.strip())
    if r.returncode:
        return
    data = open(src + ".blm", "rb").read()
    mode, np_ = data[76 + 20], data[76 + 21]
    payload = struct.unpack_from("<I", data, 76 + 26 + np_)[0]
    x = med_tokens(img, w, h)
    tok, ph, _ = bt.frame_batch(torch.tensor(x), 1)
    with torch.no_grad():
        logits = m.double()(tok, ph)[0]
    plain = m.double().frame_bits(bytes(x), period=1, frame=len(x))
    bits = bt.scale_frame_bits(logits, x, True, 1, w)
    d = payload / (bits / 8) - 1
    check(mode == 5, "the gray image is coded in frame mode 5 (got %d)" % mode)
    check(bits < plain * 0.97, "the scale prior pays here: %.1f against %.1f bytes"
          % (bits / 8, plain / 8))
    check(abs(d) < 0.01, "mode-5 payload %d bytes, twin + scale prior predict %.1f (%+.3f%%)"
          % (payload, bits / 8, 100 * d))


def train_ddp_job(tmp, name, steps, stop_at=0):
    """One run of train_ddp.py as rank 0 of a world of 1 (what torchrun would set up)."""
    with socket.socket() as s:          # a free port for the gloo rendezvous
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, RANK="0", LOCAL_RANK="0", WORLD_SIZE="1",
               MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), OMP_NUM_THREADS="1")
    cmd = [sys.executable, os.path.join(ROOT, "tools", "train", "torch", "train_ddp.py"),
           "--train", os.path.join(tmp, "ddp.list"), "--dev", os.path.join(tmp, "ddp.list"),
           "--layers", "1", "--d-model", "16", "--heads", "2", "--d-ff", "32",
           "--window", "16", "--seq-len", "64", "--batch", "4", "--warmup", "2",
           "--steps", str(steps), "--log-every", "3", "--dev-max-bytes", "2000",
           "--checkpoint", os.path.join(tmp, name + ".pt"),
           "--export", os.path.join(tmp, name + ".blmm")]
    if stop_at:
        cmd += ["--stop-at", str(stop_at)]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    print(r.stdout, end="")
    check(r.returncode == 0, "train_ddp.py %s %d steps%s %s"
          % (name, steps, " stop at %d" % stop_at if stop_at else "",
             r.stderr.strip()[-300:] if r.returncode else ""))
    return r.stdout


def check_train_ddp(tmp, c_trainer):
    # copies: the runs below must see the same bytes while others edit docs/
    for doc in ("MODEL.md", "FORMAT.md"):
        with open(os.path.join(ROOT, "docs", doc), "rb") as src:
            with open(os.path.join(tmp, doc), "wb") as dst:
                dst.write(src.read())
    with open(os.path.join(tmp, "ddp.list"), "w") as f:
        f.write("# a training list as bytelm-train reads it\n")
        f.write("MODEL.md 1 text\n")
        f.write("%s 3 other\n" % os.path.join(tmp, "FORMAT.md"))   # relative and absolute
    train_ddp_job(tmp, "split", 6, stop_at=3)
    out = train_ddp_job(tmp, "split", 6)
    check("resuming" in out and "dev step 6" in out, "the second run resumed and ran dev-eval")
    train_ddp_job(tmp, "whole", 6)
    try:
        a = bt.read_blmm(os.path.join(tmp, "split.blmm"))[1]
        b = bt.read_blmm(os.path.join(tmp, "whole.blmm"))[1]
        m = bt.load_blmm(os.path.join(tmp, "whole.blmm"))
    except (OSError, ValueError) as e:
        check(False, "train_ddp.py's exports load (%s)" % e)
        return
    same_keys = a.keys() == b.keys()
    diff = max((a[k] - b[k]).abs().max().item() for k in a) if same_keys else math.inf
    check(m.c.n_layer == 1 and m.c.window == 16 and diff == 0,
          "3 + 3 steps with a resume give the weights of 6 steps in one go (max diff %g)" % diff)
    conv = os.path.join(tmp, "whole-conv.blmm")
    r = subprocess.run([sys.executable, EXPORT, os.path.join(tmp, "whole.pt"), conv],
                       capture_output=True, text=True)
    ok = r.returncode == 0
    if ok:
        c = bt.read_blmm(conv)[1]
        ok = c.keys() == b.keys() and all(torch.equal(c[k], b[k]) for k in b)
    check(ok, "export_blmm.py converts train_ddp.py's checkpoint " + r.stderr.strip()[-300:])
    if not c_trainer:
        return
    # PyTorch -> bytelm-train: export as it is, then train on
    ck, back = os.path.join(tmp, "to-c.ckpt"), os.path.join(tmp, "back.blmm")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    r1 = subprocess.run([sys.executable, EXPORT, conv, ck, "--c-checkpoint"],
                        capture_output=True, text=True)
    r2 = subprocess.run([c_trainer, "--resume", ck, "--export", back], env=env,
                        capture_output=True, text=True)
    ok = r1.returncode == 0 and r2.returncode == 0
    if ok:
        c = bt.read_blmm(back)[1]
        ok = c.keys() == b.keys() and all(torch.equal(c[k], b[k]) for k in b)
    check(ok, "bytelm-train --resume (a checkpoint from export_blmm.py) --export: the same "
          "weights " + (r1.stderr + r2.stderr).strip()[-300:])
    r = subprocess.run([c_trainer, "--resume", ck, "--train", os.path.join(tmp, "ddp.list"),
                        "--steps", "2", "--log-every", "1"], env=env, capture_output=True,
                       text=True)
    check(r.returncode == 0 and re.search(r"^step +2/2 ", r.stdout, re.M) is not None,
          "bytelm-train trains it further " + r.stderr.strip()[-300:])


def main():
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        compare_with_c(os.path.abspath(sys.argv[1]), tmp)
        if len(sys.argv) > 2:
            compare_with_codec(os.path.abspath(sys.argv[2]), tmp)
        check_train_ddp(tmp, os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None)
    print("torch_twin: %d failed" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
