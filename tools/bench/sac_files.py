#!/usr/bin/env python3
"""The dev-eval files that the benchmark picks for one group and budget, so that another
coder can be measured on exactly those files.

usage: sac_files.py GROUP [--budget BYTES] [--cache DIR] [--sizes [TSV]] [--codecs LIST] [-j N]

Prints one line per file, tab-separated: the file's path, its sample rate and channels
(raw s16le, as in the corpus manifest, docs/CORPUS.md) and its raw bytes. The choice is
that of tools/bench/ratio.py and bench.py with the same --budget (files spread evenly over
the sorted manifest; --budget 0: all files); report.sh and the README's table use 1000000.

--sizes codes each file with flac -8 (--no-padding), sac --normal and sac --high (sac must
be on PATH: docs/BENCHMARKS.md says how to build it), decodes every output and compares it
with the input, and writes file, raw bytes and the three sizes to TSV (default
/tmp/sac_sizes_GROUP_BUDGET.tsv), then prints the totals. --codecs chooses among those
three and "bytelm" and "bytelm --preset=fast" (the command-line tool of --build, coding
the raw file with --raw=pcm, the whole .blm counted), comma-separated; with --budget 0
(every file of the set) leave out sac --high, which would take hours.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ratio import code_baseline, dev_groups, pick  # noqa: E402

CODECS = ["flac -8", "sac --normal", "sac --high"]
BYTELM = ["bytelm", "bytelm --preset=fast"]
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def code_bytelm(name, row, src, tmp, build):
    """bytelm's CLI on the raw file: (coded bytes,), the output decoded and compared."""
    cli = os.path.join(build, "core", "cli", "bytelm")
    out, back = os.path.join(tmp, "x.blm"), os.path.join(tmp, "x.back")
    subprocess.run([cli, "-q", "-f", "-j", "1", "--raw=pcm", "--rate=" + row["rate"],
                    "--channels=" + row["channels"]] + name.split()[1:] + [src, "-o", out], check=True)
    subprocess.run([cli, "-q", "-f", "-d", "-j", "1", out, "-o", back], check=True)
    with open(src, "rb") as a, open(back, "rb") as b:
        if a.read() != b.read():
            sys.exit("%s: %s does not decode to its input" % (name, src))
    return (os.path.getsize(out),)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("group", help="dev-eval group: audio-speech, audio-music, ...")
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--budget", type=int, default=1000000, help="raw bytes (0: all files; default 1000000)")
    ap.add_argument("--sizes", nargs="?", const="", default=None, metavar="TSV",
                    help="also code each file with flac -8 and sac; write the sizes here")
    ap.add_argument("--codecs", default=",".join(CODECS), help="comma-separated: %s" % ", ".join(CODECS + BYTELM))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="bytelm's build directory")
    ap.add_argument("-j", type=int, default=1, help="sac threads: 1 (default), or one per channel when above 1")
    a = ap.parse_args()
    groups = dev_groups(a.cache)
    if a.group not in groups:
        sys.exit("sac_files: no group %s in the corpus (it has %s)" % (a.group, ", ".join(sorted(groups))))
    files = pick(groups[a.group], a.budget)
    corpus = os.path.join(a.cache, "corpus")
    if a.sizes is None:
        for r in files:
            print("\t".join([os.path.join(corpus, r["out_file"]), r["rate"], r["channels"], r["bytes"]]))
        return 0
    if files and files[0]["kind"] != "pcm":
        sys.exit("sac_files: %s is not audio" % a.group)
    codecs = a.codecs.split(",")
    for c in codecs:
        if c not in CODECS + BYTELM:
            sys.exit("sac_files: unknown codec %r (choose among %s)" % (c, ", ".join(CODECS + BYTELM)))
    if any(c.startswith("sac") for c in codecs) and not shutil.which("sac"):
        sys.exit("sac_files: no sac on PATH (docs/BENCHMARKS.md says how to build it)")
    out = a.sizes or "/tmp/sac_sizes_%s_%d.tsv" % (a.group, a.budget)
    totals = [0] * (1 + len(codecs))
    tmp = tempfile.mkdtemp()
    try:
        with open(out, "w") as f:
            f.write("\t".join(["file", "raw bytes"] + ["%s bytes" % c for c in codecs]) + "\n")
            for n, r in enumerate(files):
                src = os.path.join(corpus, r["out_file"])
                sizes = [int(r["bytes"])] + [(code_bytelm(c, r, src, tmp, a.build) if c in BYTELM else
                                              code_baseline(c, r, src, tmp, a.j))[0] for c in codecs]
                totals = [t + s for t, s in zip(totals, sizes)]
                f.write("\t".join([r["out_file"]] + [str(s) for s in sizes]) + "\n")
                f.flush()
                print("\r%s: %d/%d" % (a.group, n + 1, len(files)), end="", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp)
    print(file=sys.stderr)
    print("%s, budget %d: %d files, raw %d; %s (sizes per file: %s)" % (
        a.group, a.budget, len(files), totals[0],
        ", ".join("%s %d (%.4f)" % (c, t, t / max(totals[0], 1)) for c, t in zip(codecs, totals[1:])), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
