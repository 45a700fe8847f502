#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Convert bytelm weights between PyTorch, bytelm-train and the codec.

    export_blmm.py IN OUT.blmm [--name N] [--modality M] [--description D] [--train-bytes N]
    export_blmm.py IN OUT.ckpt --c-checkpoint

IN is a train_ddp.py checkpoint (PyTorch), a bytelm-train checkpoint (BLMTRAIN) or a .blmm.
OUT is a .blmm the codec loads (docs/MODEL.md section 5), or with --c-checkpoint a
bytelm-train checkpoint (zero AdamW moments, step 0 of 0) that `bytelm-train --resume
OUT.ckpt` exports or evaluates (--dev), or trains further with --train LIST --steps N.
Prints the model hash of a .blmm.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bytelm_torch as bt  # noqa: E402


def load_any(path):
    """(model, metadata defaults) from any of the three formats, by the file's magic."""
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic == b"BLMTRAIN":
        model, info = bt.load_checkpoint(path)
        return model, {"train_bytes": info["train_bytes"]}
    if magic[:4] == b"BLMM":
        meta, _ = bt.read_blmm(path)
        keep = ("name", "modality", "description", "train_bytes", "license")
        return bt.load_blmm(path), {k: meta[k] for k in keep if k in meta}
    state = torch.load(path, map_location="cpu")       # train_ddp.py
    model = bt.ByteLM(bt.Config(**state["config"]))
    model.load_state_dict(state["model"])
    a = state.get("args", {})
    return model, {"name": a.get("name", ""), "modality": a.get("modality", ""),
                   "description": a.get("description", "")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("input")
    ap.add_argument("output")
    ap.add_argument("--c-checkpoint", action="store_true",
                    help="write a bytelm-train checkpoint instead of a .blmm")
    ap.add_argument("--name")
    ap.add_argument("--modality")
    ap.add_argument("--description")
    ap.add_argument("--train-bytes", type=int)
    a = ap.parse_args()
    model, meta = load_any(a.input)
    model = model.float()
    if a.c_checkpoint:
        bt.save_checkpoint(model, a.output)
        print("%s: bytelm-train checkpoint, %d parameters"
              % (a.output, sum(p.numel() for p in model.parameters())))
        return 0
    for key in ("name", "modality", "description", "train_bytes"):
        if getattr(a, key) is not None:
            meta[key] = getattr(a, key)
    if not meta.get("name"):
        meta["name"] = os.path.splitext(os.path.basename(a.output))[0]
    digest = bt.save_blmm(model, a.output, **meta)
    print("%s: %s" % (a.output, digest.hex()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
