#!/usr/bin/env python3
"""Frame mode 6 alone on the benchmark's dev-eval audio (docs/STUDY.md finding 8).

usage: study.py [--budget BYTES] [--groups audio-speech,audio-music] [--frame N]
                [--profiles 0,6] [--verify] [--net] [--args "--cold --no-maps ..."]
                [--tool build/tools/cascade/cascade_size]

Codes the files that tools/bench/sac_files.py picks (the benchmark's choice at that
budget) with cascade_size: each frame with each profile, the smallest kept, 32 bytes of
frame header counted per frame. Prints per group the raw and coded bytes and the
encode (and with --verify decode) seconds on one thread.
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=int, default=4000000)
    ap.add_argument("--groups", default="audio-speech,audio-music")
    ap.add_argument("--frame", type=int, default=131072)
    ap.add_argument("--profiles", default="0,6")
    ap.add_argument("--verify", action="store_true")
    ap.add_argument("--net", action="store_true",
                    help="also try the second audio network per frame, learning within it (docs/MODEL.md §15)")
    ap.add_argument("--args", default="", help="more of cascade_size's options, e.g. \"--cold --no-maps\" or "
                    "\"--net1\" (with --net's --rate)")
    ap.add_argument("--tool", default=os.path.join(ROOT, "build", "tools", "cascade", "cascade_size"))
    a = ap.parse_args()
    for group in a.groups.split(","):
        listing = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "bench", "sac_files.py"), group,
                                  "--budget", str(a.budget)], check=True, capture_output=True, text=True).stdout
        by_ch = {}
        for line in listing.splitlines():
            path, rate, ch, size = line.split("\t")
            by_ch.setdefault((ch, rate), []).append(path)
        raw = coded = 0
        t_enc = t_dec = 0.0
        for (ch, rate), paths in sorted(by_ch.items()):
            cmd = [a.tool, "--frame", str(a.frame), "--profiles", a.profiles] + (["--verify"] if a.verify else [])
            cmd += ["--net", "--rate", rate] if a.net else []
            cmd += a.args.split()
            cmd += ["--rate", rate] if "--net" in a.args and not a.net else []
            out = subprocess.run(cmd + [ch] + paths, check=True, capture_output=True, text=True).stdout
            total = out.strip().splitlines()[-1].split("\t")
            raw += int(total[1])
            coded += int(total[2])
            t_enc += float(total[3])
            t_dec += float(total[4])
        n = sum(len(p) for p in by_ch.values())
        print("%s: %d files, %d raw bytes -> %d (%.4f), encode %.2f s, decode %.2f s"
              % (group, n, raw, coded, coded / max(raw, 1), t_enc, t_dec))
    return 0


if __name__ == "__main__":
    sys.exit(main())
