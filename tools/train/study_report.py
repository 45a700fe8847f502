#!/usr/bin/env python3
"""Tables of docs/STUDY.md from the logs of tools/train/study.sh.

Each study run ends with the trainer's dev-eval of every dev-small group (bits per byte,
each 64 KiB frame from a cold start, as the codec codes it). This script collects them,
adds the model's own size the way the paper counts it (the weights file's bytes added to
the compressed size, amortised over 1 GB of data, and over the dev-small group itself),
measures the reference codecs (flac -8, cjxl -d 0 -e 7, xz -9e) on the same raw files,
and writes the tables between the study markers of docs/STUDY.md.

usage: tools/train/study_report.py [--runs DIR] [--doc docs/STUDY.md] [--no-refs]
"""
import argparse
import collections
import csv
import os
import re
import subprocess
import sys
import tempfile

GROUPS = ["audio-speech", "audio-music", "image", "text", "mixed"]
MODALITY_RUNS = ["audio", "image", "text", "all"]
SWEEP = ["audio-xs", "audio-s", "audio", "audio-l"]
GB = 1e9
BEGIN, END = "<!-- study tables: begin -->", "<!-- study tables: end -->"


def parse_log(path):
    r = {"dev": {}, "params": None, "tok_s": None, "tokens": None, "eval_bps": None}
    for line in open(path, errors="replace"):
        m = re.match(r"model: .*?, (\d+) parameters", line)
        if m:
            r["params"] = int(m.group(1))
        m = re.match(r"trained (\d+) tokens in ([\d.]+) s: (\d+) tokens/s", line)
        if m:
            r["tokens"] = int(m.group(1)) + (r["tokens"] or 0)
            r["tok_s"] = int(m.group(3))
        m = re.match(r"dev step +(\d+) +(\S+) +(\d+) bytes +([\d.]+) bits/byte +predicted (\d+)", line)
        if m:
            r["dev"][m.group(2)] = (int(m.group(3)), float(m.group(4)), int(m.group(5)))
            r["step"] = int(m.group(1))
        m = re.match(r"dev step +\d+ +[\d.]+ s, (\d+) bytes/s", line)
        if m:
            r["eval_bps"] = int(m.group(1))
    return r


def raw_files(dev_list, corpus):
    """dev-small token file -> (group, manifest row of the raw corpus file)."""
    rows = {}
    with open(os.path.join(corpus, "dev", "manifest.tsv")) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            stem = os.path.splitext(os.path.basename(row["out_file"]))[0]
            rows[(row["out_file"].split("/")[1], stem)] = row
    out = []
    for line in open(dev_list):
        path, _period, group = line.split()[:3]
        stem = os.path.splitext(os.path.basename(path))[0]
        if (group, stem) in rows:
            out.append((group, rows[(group, stem)]))
        else:  # the mixed set is made by the corpus builder, not listed per source
            cands = [p for p in os.listdir(os.path.join(corpus, "dev", group))
                     if os.path.splitext(p)[0] == stem]
            out.append((group, {"out_file": "dev/%s/%s" % (group, cands[0]), "kind": "bytes"}))
    return out


def coded_size(argv, stdin_path=None):
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as fin:
        return len(subprocess.run(argv, stdin=fin, stdout=subprocess.PIPE, check=True).stdout)


def references(dev_list, corpus):
    """{group: {codec: bytes}} for the raw files behind the dev-small token files. The
    reference codecs see each whole file (not 64 KiB frames), which only favours them."""
    sizes = collections.defaultdict(lambda: collections.defaultdict(int))
    with tempfile.TemporaryDirectory() as tmp:
        for group, row in raw_files(dev_list, corpus):
            path = os.path.join(corpus, row["out_file"])
            sizes[group]["raw"] += os.path.getsize(path)
            sizes[group]["xz -9e"] += coded_size(["xz", "-9e", "-T1", "-c", path])
            if row["kind"] == "pcm":
                flac = os.path.join(tmp, "out.flac")
                subprocess.run(["flac", "-s", "-f", "-8", "--no-padding", "--force-raw-format",
                                "--endian=little", "--sign=signed", "--bps=16",
                                "--channels=" + row["channels"], "--sample-rate=" + row["rate"],
                                path, "-o", flac], check=True)
                sizes[group]["flac -8"] += os.path.getsize(flac)
            elif row["kind"] in ("gray", "rgb"):
                pnm = os.path.join(tmp, "in.pnm")
                with open(pnm, "wb") as f:
                    f.write(b"%s\n%s %s\n255\n" % (b"P5" if row["kind"] == "gray" else b"P6",
                                                  row["width"].encode(), row["height"].encode()))
                    f.write(open(path, "rb").read())
                jxl = os.path.join(tmp, "out.jxl")
                subprocess.run(["cjxl", pnm, jxl, "-d", "0", "-e", "7", "--quiet"], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                sizes[group]["cjxl -d 0 -e 7"] += os.path.getsize(jxl)
    return sizes


def ratio(bits, model_bytes=0, data_bytes=GB):
    return bits / 8 + model_bytes / data_bytes


def tables(runs, refs, command):
    out = []
    have = [n for n in MODALITY_RUNS if n in runs]
    hdr = "| trained on | " + " | ".join(GROUPS) + " |"
    sep = "| --- |" + " ---: |" * len(GROUPS)
    best = {g: min((runs[n]["dev"][g][1] for n in have if g in runs[n]["dev"]), default=None)
            for g in GROUPS}

    def cell(n, g, f):
        if g not in runs[n]["dev"]:
            return "—"
        s = f(n, g)
        return "**%s**" % s if runs[n]["dev"][g][1] == best[g] and len(have) > 1 else s

    out += ["### Bits per byte, every model on every dev-small group", "",
            "`%s`; best per column in bold." % command, "", hdr, sep]
    for n in have:
        out.append("| %s | " % n + " | ".join(cell(n, g, lambda n, g: "%.3f" % runs[n]["dev"][g][1])
                                              for g in GROUPS) + " |")
    out += ["", "### Compression ratio, the model counted in", "",
            "Compressed size over raw size. *Without*: the model is free. *Per 1 GB*: the "
            "weights file's bytes added once to 1 GB of such data, as the paper counts it. "
            "*Per set*: added once to the dev-small group itself (the sizes in the last row).",
            "", "| trained on | model bytes | " + " | ".join(GROUPS) + " |",
            "| --- | ---: |" + " ---: |" * len(GROUPS)]
    for n in have:
        mb = runs[n]["model_bytes"]
        cells = []
        for g in GROUPS:
            if g not in runs[n]["dev"]:
                cells.append("—")
                continue
            size, bits, _ = runs[n]["dev"][g]
            cells.append("%.3f / %.3f / %.2f" % (ratio(bits), ratio(bits, mb), ratio(bits, mb, size)))
        out.append("| %s | %d | " % (n, mb) + " | ".join(cells) + " |")
    if have:
        any_run = runs[have[0]]
        out.append("| *dev-small bytes* | | " + " | ".join(
            "%d" % any_run["dev"][g][0] if g in any_run["dev"] else "—" for g in GROUPS) + " |")
    out += ["", "Cells: without / per 1 GB / per set.", ""]
    if refs:
        out += ["### Reference codecs on the same raw files", "",
                "Each codec sees each whole file (bytelm codes 64 KiB frames, each from a cold "
                "start). Ratios; `%s`." % command, "",
                "| codec | " + " | ".join(GROUPS) + " |", "| --- |" + " ---: |" * len(GROUPS)]
        codecs = ["flac -8", "cjxl -d 0 -e 7", "xz -9e"]
        for c in codecs:
            out.append("| %s | " % c + " | ".join(
                "%.3f" % (refs[g][c] / refs[g]["raw"]) if refs.get(g, {}).get(c) else "—"
                for g in GROUPS) + " |")
        out.append("")
    sweep = [n for n in SWEEP if n in runs]
    if sweep:
        out += ["### Audio model-size sweep", "",
                "Same data, mixture and number of positions (%s) for every size. The "
                "trainer's dev-eval speed is the float forward pass on 2 cores, a guide to "
                "relative cost only; `%s`." % (
                    "%.1f M" % (runs[sweep[0]]["tokens"] / 1e6) if runs[sweep[0]]["tokens"] else "—",
                    command), "",
                "| model | shape | parameters | file bytes | speech | music | speech, per 1 GB | "
                "music, per 1 GB | eval bytes/s |",
                "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for n in sweep:
            r = runs[n]
            sp, mu = r["dev"].get("audio-speech"), r["dev"].get("audio-music")
            out.append("| %s | %s | %d | %d | %s | %s | %s | %s | %s |" % (
                n, r["shape"], r["params"], r["model_bytes"],
                "%.3f" % sp[1] if sp else "—", "%.3f" % mu[1] if mu else "—",
                "%.4f" % ratio(sp[1], r["model_bytes"]) if sp else "—",
                "%.4f" % ratio(mu[1], r["model_bytes"]) if mu else "—", r["eval_bps"] or "—"))
        out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cache = os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm"))
    ap.add_argument("--runs", default=os.path.join(cache, "runs", "study"))
    ap.add_argument("--doc", default="docs/STUDY.md")
    ap.add_argument("--dev", default=os.path.join(cache, "tokens", "dev-small.list"))
    ap.add_argument("--corpus", default=os.path.join(cache, "corpus"))
    ap.add_argument("--no-refs", action="store_true", help="skip the reference codecs")
    a = ap.parse_args()
    runs = {}
    for name in MODALITY_RUNS + SWEEP:
        log, blmm = os.path.join(a.runs, name + ".log"), os.path.join(a.runs, name + ".blmm")
        if not (os.path.exists(log) and os.path.exists(blmm)):
            continue
        r = parse_log(log)
        if not r["dev"]:
            continue
        r["model_bytes"] = os.path.getsize(blmm)
        m = re.search(r"model: L=(\d+) d=(\d+) H=(\d+) F=(\d+) W=(\d+)", open(log).read())
        r["shape"] = "d%s L%s F%s W%s" % (m.group(2), m.group(1), m.group(4), m.group(5))
        runs[name] = r
    if not runs:
        sys.exit("study_report: no finished runs in %s" % a.runs)
    refs = None if a.no_refs else references(a.dev, a.corpus)
    text = tables(runs, refs, "python3 tools/train/study_report.py")
    doc = open(a.doc).read() if os.path.exists(a.doc) else "%s\n%s\n" % (BEGIN, END)
    if BEGIN not in doc:
        sys.exit("study_report: %s has no '%s' marker" % (a.doc, BEGIN))
    head, rest = doc.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(a.doc, "w") as f:
        f.write(head + BEGIN + "\n" + text + "\n" + END + tail)
    print(text)


if __name__ == "__main__":
    main()
