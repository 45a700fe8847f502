#!/usr/bin/env python3
"""Train the residual coder's starting states: models/bytelm-coder-states-v1.bin.

usage: coder_states.py [--out models/bytelm-coder-states-v1.bin]
                       [--tool build/tools/cascade/coder_states] [--cap 16]

Picks training files from the corpus's train set (tools/corpus/build.py --sets train;
docs/CORPUS.md says which packages those are) with a fixed seed, writes one list per
set and runs coder_states (docs/MODEL.md section 13). Each set's files are shuffled
together, so that the state the coder ends in has seen every source recently:
  mono    speech (asterisk-core-sounds-en-wav, festvox-ru) and mono music
          (musescore-general-soundfont-lossless, hydrogen-drumkits, avldrums.lv2-soundfont)
  stereo  stereo music (hydrogen-drumkits)
  gray    camera frames (visp-images-data's training folders)
  rgb     photos (the wallpaper packages), the first 1 MiB band of each
About two minutes on one core.
"""
import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(os.environ.get("BYTELM_CACHE") or os.path.expanduser("~/.cache/bytelm"), "corpus")

WALLPAPERS = ("plasma-workspace-wallpapers", "mate-backgrounds", "ukui-wallpapers", "lomiri-wallpapers-20.04")
DRUMS = ("hydrogen-drumkits", "avldrums.lv2-soundfont")

# set: [(which rows, byte budget)], each pick its own seeded shuffle of the rows, in
# manifest order first so that the picks do not depend on how the manifest was built
SETS = {
    "mono": [(lambda r: r["package"] == "asterisk-core-sounds-en-wav", 8_000_000),
             (lambda r: r["package"] == "festvox-ru", 8_000_000),
             (lambda r: r["package"] == "musescore-general-soundfont-lossless" and r["channels"] == "1", 6_000_000),
             (lambda r: r["package"] in DRUMS and r["channels"] == "1", 4_000_000)],
    "stereo": [(lambda r: r["kind"] == "pcm" and r["channels"] == "2", 16_000_000)],
    "gray": [(lambda r: r["package"] == "visp-images-data" and r["kind"] == "gray", 13_000_000)],
    "rgb": [(lambda r: r["package"] in WALLPAPERS and r["kind"] == "rgb", 16_000_000)],
}


def pick(rows, which, budget, rng):
    chosen = sorted((r for r in rows if which(r)), key=lambda r: r["out_file"])
    rng.shuffle(chosen)
    out, total = [], 0
    for r in chosen:
        if total >= budget:
            break
        out.append(r)
        total += size(r)
    return out


def line(r):
    path = os.path.join(CORPUS, r["out_file"])
    if r["kind"] == "pcm":
        return path
    return "%s\t%s\t%s\t%d" % (path, r["kind"], r["width"], rows(r))


def rows(r):
    """An image's rows the coder sees: at most one 1 MiB band of a large one (the
    wallpapers are 4 to 12 MB each), so that a budget spans many images."""
    row = int(r["width"]) * (3 if r["kind"] == "rgb" else 1)
    return min(int(r["height"]), max(1, (1 << 20) // row))


def size(r):
    return int(r["bytes"]) if r["kind"] == "pcm" else rows(r) * int(r["width"]) * (3 if r["kind"] == "rgb" else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "bytelm-coder-states-v1.bin"))
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "tools", "cascade", "coder_states"))
    ap.add_argument("--cap", type=int, default=16)
    a = ap.parse_args()
    manifest = os.path.join(CORPUS, "train", "manifest.tsv")
    if not os.path.exists(manifest):
        sys.exit("coder_states.py: no %s; build it with tools/corpus/build.sh --sets train" % manifest)
    rows = list(csv.DictReader(open(manifest), delimiter="\t"))
    cmd = [a.tool, "--cap", str(a.cap)]
    with tempfile.TemporaryDirectory() as tmp:
        for name, picks in SETS.items():
            rng = random.Random(name)
            chosen = []
            for which, budget in picks:
                chosen += pick(rows, which, budget, rng)
            rng.shuffle(chosen)
            if not chosen:
                sys.exit("coder_states.py: no training files for %s in %s" % (name, manifest))
            listing = os.path.join(tmp, name + ".list")
            with open(listing, "w") as f:
                f.write("".join(line(r) + "\n" for r in chosen))
            print("%s: %d files, %d bytes" % (name, len(chosen), sum(size(r) for r in chosen)))
            cmd += ["--" + name, listing]
        subprocess.run(cmd + [a.out], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
