#!/usr/bin/env python3
"""bytelm against gzip, xz (LZMA2), zstd, FLAC, WavPack, PNG, WebP and JPEG-XL, and sac
(--normal, --high) where a `sac` program is on PATH (docs/BENCHMARKS.md says how to build
it; without one its rows are left out with a note).

usage: bench.py [options] [DIR ...]

With no DIR it measures the dev-eval sets of the corpus (docs/CORPUS.md; files spread
evenly over each set up to --budget raw bytes). Each DIR is searched recursively and its
files are grouped by content into DIR/audio (16-bit PCM WAV), DIR/image (8-bit gray/RGB
PNG, PGM, PPM) and DIR/bytes (everything else, including WAV/PNG that bytelm would not
take as samples or pixels).

Every codec sees the same samples, pixels or bytes (PCM as raw s16le or a WAV made from
it, pixels as raw or PGM/PPM), and every output is decoded and compared with them byte for
byte; a mismatch stops the run with exit status 1. Timings are wall-clock seconds of the
codec's own process; every codec runs on every file in each of --runs rounds, interleaved
file by file, so each comparison comes from the same run, and the median round is shown.
Peak memory is the largest resident set of a codec's process (GNU time's %M).

Writes bench.md (Markdown: one table per set, with the command), summary.md (one line per
set, for the README), bench.csv and bench.png (ratio against decode speed; needs gnuplot)
into --out, and prints the Markdown on standard output.
"""
import argparse
import collections
import csv
import math
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import codecs_list  # noqa: E402
import media  # noqa: E402
from ratio import pick  # noqa: E402  (the dev-eval file choice, shared with ratio.py)

DEV_SETS = ["audio-speech", "audio-music", "image", "text", "mixed"]
GB = 1e9


class Item:
    """One input: its raw samples/pixels/bytes in a file, and how to read them."""

    def __init__(self, name, raw, kind, size, rate=0, channels=0, width=0, height=0):
        self.name, self.raw, self.kind, self.size = name, raw, kind, size
        self.rate, self.channels, self.width, self.height = rate, channels, width, height
        self.feeds = {"raw": raw}  # input files per codec feed, made once

    @property
    def units(self):
        """Samples (per channel) for audio, pixels for images, bytes otherwise."""
        if self.kind == "pcm":
            return self.size // 2
        if self.kind in ("gray", "rgb"):
            return self.width * self.height
        return self.size

    @property
    def seconds(self):
        return self.size / (2 * self.channels * self.rate) if self.kind == "pcm" else 0.0

    def feed(self, how, work):
        """The input file for a codec that reads WAV or PNM, written before any timing."""
        if how not in self.feeds:
            path = os.path.join(work, "in-%d.%s" % (id(self), how))
            with open(self.raw, "rb") as f:
                data = f.read()
            if how == "wav":
                media.write_wav(path, self.rate, self.channels, data)
            else:
                media.write_pnm(path, self.width, self.height, 3 if self.kind == "rgb" else 1, data)
            self.feeds[how] = path
        return self.feeds[how]


# --- inputs -------------------------------------------------------------------------------

def dev_sets(cache, budget, wanted):
    corpus = os.path.join(cache, "corpus")
    manifest = os.path.join(corpus, "dev", "manifest.tsv")
    if not os.path.exists(manifest):
        sys.exit("bench: no dev-eval corpus at %s (build it with tools/corpus/build.sh, "
                 "or give directories to measure)" % manifest)
    with open(manifest) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    groups = collections.defaultdict(list)
    for r in rows:
        groups[r["out_file"].split("/")[1]].append(r)
    sets = collections.OrderedDict()
    for g in wanted:
        items = []
        for r in pick(groups.get(g, []), budget):
            num = lambda k: int(r[k]) if r[k] else 0
            items.append(Item(r["out_file"], os.path.join(corpus, r["out_file"]), r["kind"],
                              int(r["bytes"]), num("rate"), num("channels"), num("width"), num("height")))
        if items:
            sets[g] = items
    return sets


def dir_sets(dirs, budget, work):
    """Groups each directory's files by what they hold; WAV and PNG are unpacked to raw
    samples/pixels in the work directory."""
    sets = collections.OrderedDict()
    for d in dirs:
        base = os.path.basename(os.path.normpath(d)) or d
        groups = collections.OrderedDict((g, []) for g in ("audio", "image", "bytes"))
        files = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs)
        if os.path.isfile(d):
            files = [d]
        for path in files:
            with open(path, "rb") as f:
                data = f.read()
            rel = os.path.relpath(path, d) if not os.path.isfile(d) else os.path.basename(d)
            wav, img = media.read_wav(data), media.read_image(data)
            if wav and wav[2]:
                raw = os.path.join(work, "raw-%d.s16" % len(os.listdir(work)))
                with open(raw, "wb") as f:
                    f.write(wav[2])
                groups["audio"].append(Item(rel, raw, "pcm", len(wav[2]), rate=wav[0], channels=wav[1]))
            elif img and img[3]:
                w, h, ch, px = img
                raw = os.path.join(work, "raw-%d.px" % len(os.listdir(work)))
                with open(raw, "wb") as f:
                    f.write(px)
                groups["image"].append(Item(rel, raw, "rgb" if ch == 3 else "gray", len(px), width=w, height=h))
            elif data:
                if data[:4] in (b"RIFF", b"\x89PNG") or data[:2] in (b"P5", b"P6"):
                    print("bench: %s: not 16-bit PCM / 8-bit gray or RGB, coded as bytes" % path, file=sys.stderr)
                groups["bytes"].append(Item(rel, path, "bytes", len(data)))
        for g, items in groups.items():
            if items:
                if budget > 0:  # same choice as for the dev sets: spread over the sorted list
                    rows = pick([{"out_file": it.name, "bytes": it.size, "it": it} for it in items], budget)
                    items = [r["it"] for r in rows]
                sets["%s/%s" % (base, g)] = items
    return sets


# --- running ------------------------------------------------------------------------------

class Failure(Exception):
    pass


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(argv, stdout=None):
    """Runs one codec process; returns (wall seconds, cpu seconds, peak RSS in KiB).
    The peak comes from GNU time: a child forked by Python starts with Python's resident
    set as its high-water mark (Linux keeps it across exec), GNU time's is a few hundred KiB."""
    err = tempfile.TemporaryFile()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    rss = tempfile.NamedTemporaryFile(prefix="rss-", delete=False)
    rss.close()
    try:
        t0 = time.perf_counter()
        cmd = [TIME, "-q", "-f", "%M", "-o", rss.name] + argv if TIME else argv
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        peak = ru.ru_maxrss
        if TIME:
            with open(rss.name) as f:
                words = f.read().split()
            peak = int(words[-1]) if words and words[-1].isdigit() else 0
    finally:
        if stdout:
            out.close()
        os.remove(rss.name)
    if p.returncode != 0:
        err.seek(0)
        raise Failure("%s: exit status %d: %s" % (shlex.join(argv), p.returncode,
                                                   err.read().decode(errors="replace").strip()[-2000:]))
    return wall, ru.ru_utime + ru.ru_stime, peak


def code_one(codec, item, work, threads):
    """Encodes and decodes one item; returns (bytes, enc, dec) with enc/dec as run()'s
    triples (dec None where the codec has no separate decoder to time). Raises Failure
    when the decoded output differs from the input."""
    src = item.feed(codec.feed, work)
    enc_out = os.path.join(work, "x." + codec.ext)
    for p in (enc_out,):
        if os.path.exists(p):
            os.remove(p)
    argv, stdout = codec.enc(item, src, enc_out, threads)
    enc = run(argv, stdout and enc_out)
    if not os.path.exists(enc_out):  # sac, for one, exits with 0 when it cannot write
        raise Failure("%s: wrote no output for %s" % (codec.name, item.name))
    size = os.path.getsize(enc_out)
    dec = None
    back = enc_out
    if codec.dec:
        back = os.path.join(work, "back." + {"pnm": "ppm", "wav": "wav"}.get(codec.back, "raw"))
        if os.path.exists(back):
            os.remove(back)
        argv, stdout = codec.dec(item, enc_out, back, threads)
        dec = run(argv, stdout and back)
        if not os.path.exists(back):
            raise Failure("%s: decoded nothing for %s" % (codec.name, item.name))
    got = codecs_list.decoded_samples(codec, back)
    with open(item.raw, "rb") as f:
        want = f.read()
    ok = got == want if codec.back in ("raw", "wav") else media.same_pixels(got, 3 if item.kind == "rgb" else 1, want)
    if not ok:
        raise Failure("%s: decoded output differs from the input %s" % (codec.name, item.name))
    return size, enc, dec


def measure(sets, codecs_for, runs, threads, work, log):
    """For every set and codec: total bytes, and per round the summed encode/decode wall
    and cpu seconds; the peak RSS over everything."""
    res = collections.OrderedDict()
    for sname, items in sets.items():
        kinds = sorted({it.kind for it in items})
        codecs = codecs_for(kinds, sorted({it.rate for it in items if it.kind == "pcm"}))
        refused = [c for c in codecs if not all(c.accepts(it) for it in items if it.kind in c.kinds)]
        for c in refused:
            log("%s: %s left out: it does not take every file of the set\n" % (sname, c.name))
        codecs = [c for c in codecs if c not in refused]
        for c in codecs:
            res[(sname, c.name)] = {"codec": c, "bytes": 0, "enc": [], "dec": [], "enc_cpu": [],
                                    "dec_cpu": [], "enc_rss": 0, "dec_rss": 0, "timed_dec": True}
        for r in range(runs):
            for c in codecs:
                for k in ("enc", "dec", "enc_cpu", "dec_cpu"):
                    res[(sname, c.name)][k].append(0.0)
            for n, it in enumerate(items):
                log("\r%s: round %d/%d, file %d/%d   " % (sname, r + 1, runs, n + 1, len(items)))
                for c in codecs:
                    if it.kind not in c.kinds:
                        continue
                    size, enc, dec = code_one(c, it, work, threads)
                    e = res[(sname, c.name)]
                    if r == 0:
                        e["bytes"] += size
                    e["enc"][-1] += enc[0]
                    e["enc_cpu"][-1] += enc[1]
                    e["enc_rss"] = max(e["enc_rss"], enc[2])
                    if dec:
                        e["dec"][-1] += dec[0]
                        e["dec_cpu"][-1] += dec[1]
                        e["dec_rss"] = max(e["dec_rss"], dec[2])
                    else:
                        e["timed_dec"] = False
        log("\r%s: done%s\n" % (sname, " " * 30))
    return res


# --- reporting ----------------------------------------------------------------------------

def rows_of(sets, res, threads, runs):
    """One dict per (set, codec) with every reported figure."""
    out = []
    for sname, items in sets.items():
        raw = sum(it.size for it in items)
        units = sum(it.units for it in items)
        secs = sum(it.seconds for it in items)
        kinds = sorted({it.kind for it in items})
        unit = "sample" if kinds == ["pcm"] else "pixel" if set(kinds) <= {"gray", "rgb"} else "byte"
        ref_name = codecs_list.REFERENCE[kinds[0]]
        ref = res.get((sname, ref_name))
        for (s, cname), e in res.items():
            if s != sname:
                continue
            c = e["codec"]
            model = sum(os.path.getsize(m) for m in c.models)
            enc, dec = statistics.median(e["enc"]), statistics.median(e["dec"])
            timed_dec = e["timed_dec"] and dec > 0
            out.append({
                "set": sname, "kinds": "+".join(kinds), "files": len(items), "raw_bytes": raw,
                "seconds_of_audio": "%.2f" % secs if secs else "",
                "codec": cname, "threads": threads if c.threaded else 1, "bytes": e["bytes"],
                "ratio": e["bytes"] / raw,
                "reference": ref_name, "vs_reference": e["bytes"] / ref["bytes"] if ref else "",
                "unit": unit, "bits_per_unit": 8 * e["bytes"] / units,
                "model": "+".join(os.path.basename(m) for m in c.models), "model_bytes": model,
                "ratio_with_model_set": (e["bytes"] + model) / raw,
                "ratio_with_model_1gb": e["bytes"] / raw + model / GB,
                "runs": runs, "enc_s": enc, "dec_s": dec if timed_dec else "",
                "enc_cpu_s": statistics.median(e["enc_cpu"]),
                "dec_cpu_s": statistics.median(e["dec_cpu"]) if timed_dec else "",
                "enc_bytes_per_s": raw / enc if enc > 0 else "",
                "dec_bytes_per_s": raw / dec if timed_dec else "",
                "enc_x_realtime": secs / enc if secs and enc > 0 else "",
                "dec_x_realtime": secs / dec if secs and timed_dec else "",
                "enc_peak_kib": e["enc_rss"], "dec_peak_kib": e["dec_rss"] if timed_dec else "",
                "verified": "yes", "note": c.note,
            })
    return out


def fmt(v, spec):
    return "" if v == "" else spec % v


def markdown(rows, command, header):
    lines = [header, ""]
    for sname in dict.fromkeys(r["set"] for r in rows):
        rs = [r for r in rows if r["set"] == sname]
        r0 = rs[0]
        audio = r0["unit"] == "sample"
        what = "%d files, %.2f MB raw" % (r0["files"], r0["raw_bytes"] / 1e6)
        if audio:
            what += ", %.1f s of audio" % float(r0["seconds_of_audio"])
        lines += ["### %s (%s, %s)" % (sname, r0["kinds"], what), "",
                  "Command: `%s`" % command, ""]
        cols = ["codec", "bytes", "size / raw", "/ " + r0["reference"], "bits / " + r0["unit"],
                "with model: this set", "with model: 1 GB", "enc MB/s", "dec MB/s"]
        if audio:
            cols += ["enc x real-time", "dec x real-time"]
        cols += ["peak MiB enc / dec", "threads"]
        lines += ["| " + " | ".join(cols) + " |", "|" + " --- |" * len(cols)]
        for r in rs:
            name = r["codec"] + (" (%s)" % r["note"] if r["note"] else "")
            cells = [name, str(r["bytes"]), "%.4f" % r["ratio"], fmt(r["vs_reference"], "%.3f"),
                     "%.3f" % r["bits_per_unit"], "%.4f" % r["ratio_with_model_set"],
                     "%.4f" % r["ratio_with_model_1gb"],
                     fmt(r["enc_bytes_per_s"] and r["enc_bytes_per_s"] / 1e6, "%.3g"),
                     fmt(r["dec_bytes_per_s"] and r["dec_bytes_per_s"] / 1e6, "%.3g")]
            if audio:
                cells += [fmt(r["enc_x_realtime"], "%.3gx"), fmt(r["dec_x_realtime"], "%.3gx")]
            cells += ["%.0f / %s" % (r["enc_peak_kib"] / 1024, fmt(r["dec_peak_kib"] and r["dec_peak_kib"] / 1024, "%.0f")),
                      str(r["threads"])]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def summary(rows, command, note=""):
    """One line per set: bytelm (default preset) against its reference and the best other
    codec, for the README."""
    lines = ["| set | MB raw | bytelm size / raw | reference | reference size / raw | best other | "
             "bytelm dec MB/s | reference dec MB/s |", "|" + " --- |" * 8]
    for sname in dict.fromkeys(r["set"] for r in rows):
        rs = {r["codec"]: r for r in rows if r["set"] == sname}
        b, ref = rs.get("bytelm"), rs.get(next(iter(rs.values()))["reference"])
        others = [r for n, r in rs.items() if not n.startswith("bytelm")]
        best = min(others, key=lambda r: r["bytes"]) if others else None
        mbs = lambda r: fmt(r and r["dec_bytes_per_s"] and r["dec_bytes_per_s"] / 1e6, "%.3g") if r else ""
        lines.append("| %s | %.2f | %s | %s | %s | %s | %s | %s |" % (
            sname, next(iter(rs.values()))["raw_bytes"] / 1e6, "%.4f" % b["ratio"] if b else "",
            ref["codec"] if ref else "", "%.4f" % ref["ratio"] if ref else "",
            "%s %.4f" % (best["codec"], best["ratio"]) if best else "", mbs(b), mbs(ref)))
    return "\n".join(lines) + "\n\n%sCommand: `%s`\n" % (note, command)


def chart(rows, path, work):
    """Size / raw against decode MB/s, one panel per set, one labelled point per codec
    (bytelm in red, sac in green). Codecs without a timed decoder are left out."""
    if not shutil.which("gnuplot"):
        print("bench: gnuplot not found, no chart (tools/setup-deps.sh installs it)", file=sys.stderr)
        return False
    sets = list(dict.fromkeys(r["set"] for r in rows))
    cols = 2 if len(sets) > 1 else 1
    nrows = math.ceil(len(sets) / cols)
    script = ["set terminal pngcairo size %d,%d font ',9'" % (560 * cols, 400 * nrows),
              "set output '%s'" % path, "set multiplot layout %d,%d" % (nrows, cols),
              "set logscale x", "set xlabel 'decode MB/s (median, log scale)'",
              "set ylabel 'compressed / raw'", "set grid", "unset key", "set offsets graph 0.1, graph 0.3, graph 0.08, graph 0.08"]
    for i, s in enumerate(sets):
        dat = os.path.join(work, "chart-%d.dat" % i)
        with open(dat, "w") as f:
            for r in rows:
                if r["set"] == s and r["dec_bytes_per_s"]:
                    colour = (0xC00000 if r["codec"].startswith("bytelm") else
                              0x208020 if r["codec"].startswith("sac") else 0x2050A0)
                    f.write('%g %g "%s" %d\n' % (r["dec_bytes_per_s"] / 1e6, r["ratio"], r["codec"], colour))
        script += ["set title '%s'" % s.replace("'", ""),
                   # labels alternate above and below their point: neighbours (flac -5,
                   # flac -8, wavpack) often sit close together
                   "plot '%s' using 1:2:4 with points pt 7 ps 1.2 lc rgb variable, "
                   "'' using 1:(int($0) %% 2 ? 1/0 : $2):3 with labels offset 0.8,0.6 left font ',8', "
                   "'' using 1:(int($0) %% 2 ? $2 : 1/0):3 with labels offset 0.8,-0.6 left font ',8'" % dat]
    script.append("unset multiplot")
    gp = os.path.join(work, "chart.gp")
    with open(gp, "w") as f:
        f.write("\n".join(script) + "\n")
    p = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if p.returncode != 0:
        print("bench: gnuplot failed: " + p.stderr.strip(), file=sys.stderr)
        return False
    return True


BEGIN, END = "<!-- bench:begin", "<!-- bench:end -->"


def update_readme(path, text):
    """Puts the summary between the markers of the README's Benchmarks section, keeping
    everything else in the file as it is."""
    with open(path) as f:
        doc = f.read()
    i, j = doc.find(BEGIN), doc.find(END)
    if i < 0 or j < i:
        sys.exit("bench: %s has no '%s ... %s' block" % (path, BEGIN, END))
    i = doc.index("\n", i) + 1
    with open(path, "w") as f:
        f.write(doc[:i] + "\n" + text + "\n" + doc[j:])


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0]
    return "%s, %d cores, load average %.1f at the start" % (cpu, os.cpu_count(), load)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="*", metavar="DIR", help="directories (or files) to measure; default: dev-eval sets")
    ap.add_argument("--cache", default=os.environ.get("BYTELM_CACHE", os.path.expanduser("~/.cache/bytelm")))
    ap.add_argument("--sets", default=",".join(DEV_SETS), help="dev-eval sets to measure")
    ap.add_argument("--budget", type=int, default=None,
                    help="raw bytes per set (0: all files; default 2000000 for dev-eval, 0 for DIRs)")
    ap.add_argument("--runs", type=int, default=3, help="timing rounds; the median is shown")
    ap.add_argument("-j", "--threads", type=int, default=1,
                    help="threads for bytelm and cjxl/djxl (the other codecs use one)")
    ap.add_argument("--bytelm", default=os.path.join(ROOT, "build", "core", "cli", "bytelm"))
    ap.add_argument("--models-dir", default=os.path.join(ROOT, "models"))
    ap.add_argument("--presets", default="fast,default,max", help="bytelm presets to run")
    ap.add_argument("--models", default="auto",
                    help="comma-separated .blmm files to run besides the presets' models "
                         "(auto: models/*.blmm whose modality fits, except test-*; none)")
    ap.add_argument("--codecs", default="", help="comma-separated name prefixes to keep (e.g. flac,bytelm)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench"), help="output directory")
    ap.add_argument("--command", default=None, help="the command to print beside the tables")
    ap.add_argument("--readme", default=None,
                    help="replace the block between the bench markers in this file (README.md) with the summary")
    ap.add_argument("-q", "--quiet", action="store_true", help="no progress on standard error")
    a = ap.parse_args()
    command = a.command or "python3 tools/bench/bench.py " + shlex.join(sys.argv[1:])
    command = command.strip()
    if not os.access(a.bytelm, os.X_OK):
        sys.exit("bench: %s not found (build with ninja -C build, or give --bytelm)" % a.bytelm)
    missing = [t for t in ("gzip", "xz", "zstd", "flac", "wavpack", "wvunpack", "optipng", "cwebp",
                           "dwebp", "cjxl", "djxl") if not shutil.which(t)]
    if missing:
        sys.exit("bench: missing %s (bash tools/setup-deps.sh installs them)" % " ".join(missing))
    keep = [p.strip() for p in a.codecs.split(",") if p.strip()]
    optional, skipped = codecs_list.optional_baselines()
    for n in skipped:
        print("bench: " + n, file=sys.stderr)
    presets = [p for p in a.presets.split(",") if p]
    log = (lambda s: None) if a.quiet else (lambda s: (sys.stderr.write(s), sys.stderr.flush()))

    def codecs_for(kinds, rates=()):
        """Baselines that take every kind in the set, then the bytelm variants (for PCM,
        the models of the set's sample rates)."""
        cs = [c for c in codecs_list.baselines() + optional if all(k in c.kinds for k in kinds)]
        for kind in kinds:  # an image set may hold gray and RGB: one bytelm row per variant
            models = (codecs_list.default_models(a.models_dir, kind) if a.models == "auto" else
                      [] if a.models == "none" else [m for m in a.models.split(",") if m])
            for c in codecs_list.bytelm_codecs(a.bytelm, a.models_dir, presets, models, kind, rates):
                old = next((o for o in cs if o.name == c.name), None)
                if old:
                    old.kinds += c.kinds
                else:
                    cs.append(c)
        return [c for c in cs if not keep or any(c.name.startswith(k) for k in keep)]

    os.makedirs(a.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="bytelm-bench-")
    try:
        if a.dirs:
            sets = dir_sets(a.dirs, a.budget or 0, work)
        else:
            sets = dev_sets(a.cache, 2000000 if a.budget is None else a.budget, a.sets.split(","))
        if not sets:
            sys.exit("bench: nothing to measure")
        host = machine()
        res = measure(sets, codecs_for, a.runs, a.threads, work, log)
        rows = rows_of(sets, res, a.threads, a.runs)
        header = ("Sizes summed over each set's files; every output was decoded and compared with its "
                  "input. Speeds: raw bytes / wall seconds of the codec's process, median of %d "
                  "round(s), all codecs interleaved in the same run. \"with model\": the model files' "
                  "bytes added to the compressed size (for plain bytes both the multimodal and the "
                  "text model), over this set and over 1 GB of such data "
                  "(as in Del\u00e9tang et al. / Heurtel-Depeiges et al.). Machine: %s.%s"
                  % (a.runs, host, "".join(" Not run: %s." % n for n in skipped
                                           if any(it.kind == "pcm" for its in sets.values() for it in its))))
        md = markdown(rows, command, header)
        note = ("Size / raw: compressed bytes over raw bytes, summed over the set (lower is better); "
                "decode speed: median of %d round(s), %d thread(s) for bytelm; %s; %s.\n\n"
                % (a.runs, a.threads, host, time.strftime("%Y-%m-%d", time.gmtime())))
        with open(os.path.join(a.out, "bench.md"), "w") as f:
            f.write(md)
        with open(os.path.join(a.out, "summary.md"), "w") as f:
            f.write(summary(rows, command, note))
        with open(os.path.join(a.out, "bench.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            for r in rows:
                w.writerow({k: ("%.6g" % v if isinstance(v, float) else v) for k, v in r.items()})
        chart(rows, os.path.join(a.out, "bench.png"), work)
        if a.readme:
            update_readme(a.readme, summary(rows, command, note))
        print(md)
    except Failure as e:
        print("\nbench: FAILED: %s" % e, file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
