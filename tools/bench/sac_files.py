#!/usr/bin/env python3
"""The dev-eval files that the benchmark picks for one group and budget, so that another
coder can be measured on exactly those files.

usage: sac_files.py GROUP[,GROUP...] [--budget BYTES] [--cache DIR] [--sizes [TSV]] [--codecs LIST]
                    [-j N] [--workers N] [--table]

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

--workers N codes N files at a time (sizes only are measured here, so this changes no
number). --table prints, after the totals, a Markdown table: per group its files, raw
bytes, each codec's total and, when sac --normal is among the codecs, each total over
sac --normal's. tools/bench/report.sh writes docs/BENCHMARKS.md's whole-set section so.
"""
import argparse
import concurrent.futures
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


def code_file(job):
    """One file through every codec: [raw bytes, size per codec] (its own temp directory)."""
    r, src, codecs, build, threads = job
    tmp = tempfile.mkdtemp()
    try:
        return [int(r["bytes"])] + [(code_bytelm(c, r, src, tmp, build) if c in BYTELM else
                                     code_baseline(c, r, src, tmp, threads))[0] for c in codecs]
    finally:
        shutil.rmtree(tmp)


def sizes(group, files, corpus, codecs, a):
    """Codes the group's files, writes the TSV, prints and returns the totals."""
    out = a.sizes or "/tmp/sac_sizes_%s_%d.tsv" % (group, a.budget)
    totals = [0] * (1 + len(codecs))
    jobs = [(r, os.path.join(corpus, r["out_file"]), codecs, a.build, a.j) for r in files]
    with open(out, "w") as f, concurrent.futures.ProcessPoolExecutor(max(1, a.workers)) as pool:
        f.write("\t".join(["file", "raw bytes"] + ["%s bytes" % c for c in codecs]) + "\n")
        for n, (r, got) in enumerate(zip(files, pool.map(code_file, jobs))):
            totals = [t + s for t, s in zip(totals, got)]
            f.write("\t".join([r["out_file"]] + [str(s) for s in got]) + "\n")
            f.flush()
            print("\r%s: %d/%d" % (group, n + 1, len(files)), end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    print("%s, budget %d: %d files, raw %d; %s (sizes per file: %s)" % (
        group, a.budget, len(files), totals[0],
        ", ".join("%s %d (%.4f)" % (c, t, t / max(totals[0], 1)) for c, t in zip(codecs, totals[1:])), out))
    return totals


def table(rows, codecs):
    """Markdown: a row per group, each codec's total bytes and its ratio to sac --normal."""
    ref = codecs.index("sac --normal") if "sac --normal" in codecs else None
    head = ["set", "files", "raw bytes"] + codecs
    if ref is not None:
        head += ["%s / sac --normal" % c for c in codecs if c != "sac --normal"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for group, n, totals in rows:
        cells = [group, str(n)] + ["{:,}".format(t).replace(",", " ") for t in totals]
        if ref is not None:
            cells += ["%.3f" % (t / max(totals[1 + ref], 1)) for c, t in zip(codecs, totals[1:])
                      if c != "sac --normal"]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("group", help="dev-eval group(s), comma-separated: audio-speech, audio-music, ...")
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--budget", type=int, default=1000000, help="raw bytes (0: all files; default 1000000)")
    ap.add_argument("--sizes", nargs="?", const="", default=None, metavar="TSV",
                    help="also code each file with flac -8 and sac; write the sizes here")
    ap.add_argument("--codecs", default=",".join(CODECS), help="comma-separated: %s" % ", ".join(CODECS + BYTELM))
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="bytelm's build directory")
    ap.add_argument("-j", type=int, default=1, help="sac threads: 1 (default), or one per channel when above 1")
    ap.add_argument("--workers", type=int, default=1, help="files coded at a time (default 1)")
    ap.add_argument("--table", action="store_true", help="with --sizes: also print a Markdown table of the totals")
    a = ap.parse_args()
    groups = dev_groups(a.cache)
    wanted = a.group.split(",")
    for g in wanted:
        if g not in groups:
            sys.exit("sac_files: no group %s in the corpus (it has %s)" % (g, ", ".join(sorted(groups))))
    picks = {g: pick(groups[g], a.budget) for g in wanted}
    if len(wanted) > 1 and a.sizes:
        sys.exit("sac_files: one TSV name (--sizes TSV) for several groups; give --sizes alone")
    corpus = os.path.join(a.cache, "corpus")
    if a.sizes is None:
        for g in wanted:
            for r in picks[g]:
                print("\t".join([os.path.join(corpus, r["out_file"]), r["rate"], r["channels"], r["bytes"]]))
        return 0
    for g in wanted:  # every group checked before the first is coded (a set takes minutes)
        if picks[g] and picks[g][0]["kind"] != "pcm":
            sys.exit("sac_files: %s is not audio" % g)
    codecs = a.codecs.split(",")
    for c in codecs:
        if c not in CODECS + BYTELM:
            sys.exit("sac_files: unknown codec %r (choose among %s)" % (c, ", ".join(CODECS + BYTELM)))
    if any(c.startswith("sac") for c in codecs) and not shutil.which("sac"):
        sys.exit("sac_files: no sac on PATH (docs/BENCHMARKS.md says how to build it)")
    if any(c in BYTELM for c in codecs) and not os.access(os.path.join(a.build, "core", "cli", "bytelm"), os.X_OK):
        sys.exit("sac_files: no bytelm in %s (--build)" % a.build)
    rows = [(g, len(picks[g]), sizes(g, picks[g], corpus, codecs, a)) for g in wanted]
    if a.table:
        table(rows, codecs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
