"""The codecs the benchmark runs: each knows which data kinds it takes, the input file it
reads (raw samples, WAV or PNM, written by the harness before the clock starts), its
encode and decode command lines, and how to get the raw samples/pixels back out of its
decoded output for the byte-for-byte comparison.

Kinds (as in the corpus manifest): pcm (s16le), gray, rgb (8-bit pixels) and bytes.
"""
import os
import shutil

import media

AUDIO, IMAGE, ALL = ("pcm",), ("gray", "rgb"), ("pcm", "gray", "rgb", "bytes")

# The codec every other one is compared with, per kind (the "reference" column).
REFERENCE = {"pcm": "flac -8", "gray": "cjxl -d 0 -e 7", "rgb": "cjxl -d 0 -e 7", "bytes": "xz -9e"}


class Codec:
    """name: shown in tables; kinds: what it applies to; feed: 'raw', 'wav' or 'pnm';
    enc/dec: functions (item, input path, output path, threads) -> (argv, stdout path or
    None); back: 'raw' (decoded file is the raw samples), 'wav' (a WAV whose samples are
    compared) or 'pnm' (a PGM/PPM to parse). models: the .blmm files whose sizes count
    against the codec (bytelm only). accepts: item -> bool, for codecs that take only
    some inputs of a kind (sac: mono and stereo); a set with an input it refuses is
    measured without it."""

    def __init__(self, name, kinds, feed, enc, dec, back="raw", ext="out", models=(),
                 threaded=False, note="", accepts=None):
        self.name, self.kinds, self.feed, self.enc, self.dec = name, kinds, feed, enc, dec
        self.back, self.ext, self.models, self.threaded, self.note = back, ext, models, threaded, note
        self.accepts = accepts or (lambda it: True)


def _stdout(tool, *flags):
    """A codec that writes to standard output (gzip, xz, zstd)."""
    enc = lambda it, i, o, j: ([tool] + list(flags) + ["-c", i], o)
    dec = lambda it, i, o, j: ([tool, "-d", "-c", i], o)
    return enc, dec


def _flac(level):
    def enc(it, i, o, j):
        return (["flac", "-s", "-f", "-" + level, "--no-padding", "--force-raw-format",
                 "--endian=little", "--sign=signed", "--bps=16", "--channels=%d" % it.channels,
                 "--sample-rate=%d" % it.rate, i, "-o", o], None)

    def dec(it, i, o, j):
        return (["flac", "-s", "-f", "-d", "--force-raw-format", "--endian=little",
                 "--sign=signed", i, "-o", o], None)
    return enc, dec


def _sac(mode):
    """sac (github.com/slmdev/sac; docs/BENCHMARKS.md says how to build it) reads and
    writes WAV. Its --mt-mode=0 codes the channels one after the other; by default (2) it
    runs one thread per channel. The stream is the same either way."""
    mt = lambda j: ["--mt-mode=0"] if j <= 1 else []
    enc = lambda it, i, o, j: (["sac", "--encode", "--" + mode] + mt(j) + [i, o], None)
    dec = lambda it, i, o, j: (["sac", "--decode"] + mt(j) + [i, o], None)
    return enc, dec


SAC_MODES = ("normal", "high")


def optional_baselines():
    """Baselines used only when their program is on PATH, and a note for each one that
    is not: (codecs, notes)."""
    if not shutil.which("sac"):
        return [], ["sac not on PATH: the sac rows are left out (docs/BENCHMARKS.md says how to build it)"]
    note = sac_version()
    return [Codec("sac --" + m, AUDIO, "wav", *_sac(m), back="wav", ext="sac", threaded=True,
                  note=note, accepts=lambda it: it.channels in (1, 2)) for m in SAC_MODES], []


def sac_version():
    """'v0.7.25' from the banner sac prints when run without arguments, else ''."""
    import re
    import subprocess
    try:
        out = subprocess.run(["sac"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    m = re.search(r"^Sac (v\S+)", out, re.M)
    return m.group(1) if m else ""


def baselines():
    gz, xz, zs = _stdout("gzip", "-9", "-n"), _stdout("xz", "-9e", "-T1"), _stdout("zstd", "-19", "-q")
    f8, f5 = _flac("8"), _flac("5")
    png_back = "pnm" if shutil.which("pngtopnm") else "png"
    return [
        Codec("gzip -9", ALL, "raw", *gz, ext="gz"),
        Codec("xz -9e", ALL, "raw", *xz, ext="xz"),
        Codec("zstd -19", ALL, "raw", *zs, ext="zst"),
        Codec("flac -5", AUDIO, "raw", *f5, ext="flac", note="--no-padding"),
        Codec("flac -8", AUDIO, "raw", *f8, ext="flac", note="--no-padding"),
        Codec("wavpack -hhx3", AUDIO, "raw",
              lambda it, i, o, j: (["wavpack", "-q", "-y", "-hhx3",
                                    "--raw-pcm=%d,16s,%d,le" % (it.rate, it.channels), i, "-o", o], None),
              lambda it, i, o, j: (["wvunpack", "-q", "-y", "--raw", i, "-o", o], None), ext="wv"),
        # Decoded with netpbm's pngtopnm (libpng) when present, so PNG gets a real decode
        # time; otherwise the harness's own Python reader checks it and no time is shown.
        Codec("optipng -o5", IMAGE, "pnm",
              lambda it, i, o, j: (["optipng", "-quiet", "-o5", "-strip", "all", "-clobber",
                                    "-out", o, i], None),
              (lambda it, i, o, j: (["pngtopnm", i], o)) if png_back == "pnm" else None,
              back="pnm" if png_back == "pnm" else "png", ext="png"),
        Codec("cwebp -lossless -z 9", IMAGE, "pnm",
              lambda it, i, o, j: (["cwebp", "-quiet", "-lossless", "-z", "9", i, "-o", o], None),
              lambda it, i, o, j: (["dwebp", "-quiet", "-ppm", i, "-o", o], None), back="pnm", ext="webp"),
        Codec("cjxl -d 0 -e 7", IMAGE, "pnm",
              lambda it, i, o, j: (["cjxl", i, o, "-d", "0", "-e", "7", "--quiet",
                                    "--num_threads=%d" % j], None),
              lambda it, i, o, j: (["djxl", i, o, "--quiet", "--num_threads=%d" % j], None),
              back="pnm", ext="jxl", threaded=True),
        # JPEG-XL's slowest lossless effort, the strongest JPEG-XL to compare with
        Codec("cjxl -d 0 -e 9", IMAGE, "pnm",
              lambda it, i, o, j: (["cjxl", i, o, "-d", "0", "-e", "9", "--quiet",
                                    "--num_threads=%d" % j], None),
              lambda it, i, o, j: (["djxl", i, o, "--quiet", "--num_threads=%d" % j], None),
              back="pnm", ext="jxl", threaded=True),
    ]


def bytelm_codec(exe, name, kinds, option, model_files, model_dirs):
    """bytelm on the raw samples/pixels/bytes (--raw=...), with a preset or a model file."""
    def raw_args(it):
        if it.kind == "pcm":
            return ["--raw=pcm", "--rate=%d" % it.rate, "--channels=%d" % it.channels]
        if it.kind in ("gray", "rgb"):
            return ["--raw=" + it.kind, "--width=%d" % it.width, "--height=%d" % it.height]
        return ["--raw=bytes"]

    def enc(it, i, o, j):
        return ([exe, "-q", "-f", "-j", str(j), option] + raw_args(it) + [i, "-o", o], None)

    def dec(it, i, o, j):
        dirs = sum((["--model-dir", d] for d in model_dirs), [])
        return ([exe, "-q", "-f", "-d", "-j", str(j)] + dirs + [i, "-o", o], None)
    return Codec(name, kinds, "raw", enc, dec, ext="blm", models=model_files, threaded=True)


# --- models -----------------------------------------------------------------------------

MODALITY_KINDS = {"multimodal": ALL, "any": ALL, "audio": AUDIO, "pcm": AUDIO, "speech": AUDIO,
                  "music": AUDIO, "image": IMAGE, "gray": ("gray",), "rgb": ("rgb",),
                  "text": ("bytes",), "bytes": ("bytes",)}


def model_meta(path):
    """The string metadata of a .blmm file (docs/MODEL.md section 5)."""
    import struct
    with open(path, "rb") as f:
        head = f.read(1 << 16)
    if head[:4] != b"BLMM":
        raise SystemExit("%s: not a bytelm model" % path)
    n_meta = struct.unpack_from("<I", head, 8)[0]
    pos, meta = 16, {}
    for _ in range(n_meta):
        klen = struct.unpack_from("<H", head, pos)[0]
        key = head[pos + 2:pos + 2 + klen].decode()
        typ = head[pos + 2 + klen]
        pos += 3 + klen
        if typ == 2:
            vlen = struct.unpack_from("<I", head, pos)[0]
            meta[key] = head[pos + 4:pos + 4 + vlen].decode(errors="replace")
            pos += 4 + vlen
        else:
            meta[key] = struct.unpack_from("<f" if typ == 1 else "<I", head, pos)[0]
            pos += 4
    return meta


def model_kinds(path):
    return MODALITY_KINDS.get(str(model_meta(path).get("modality", "multimodal")).lower(), ALL)


def preset_models(models_dir):
    """{(kind, preset): model file} from models/models.list, with the library's fallbacks
    (core/src/modelstore.c: exact role, then the kind's default, then the bytes default;
    the role 'text', plain bytes that look like text, falls back to its default only;
    'pcm-wide', PCM at 32 kHz or more, tries for each preset its own role, then PCM's)."""
    roles = {}
    with open(os.path.join(models_dir, "models.list")) as f:
        for line in f:
            w = line.split("#")[0].split()
            if len(w) == 3:
                roles[(w[0], w[1])] = os.path.join(models_dir, w[2])
    out = {}
    for kind in ALL:
        for preset in ("fast", "default", "max"):
            for k in ((kind, preset), (kind, "default"), ("bytes", "default")):
                if k in roles:
                    out[(kind, preset)] = roles[k]
                    break
    for preset in ("fast", "default", "max"):
        for k in (("text", preset), ("text", "default")):
            if k in roles:
                out[("text", preset)] = roles[k]
                break
        for k in (("pcm-wide", preset), ("pcm", preset), ("pcm-wide", "default"), ("pcm", "default"),
                  ("bytes", "default")):
            if k in roles:
                out[("pcm-wide", preset)] = roles[k]
                break
    return out


WIDE_RATE = 32000  # core/src/modelstore.h, BLM_WIDE_RATE


def bytelm_codecs(exe, models_dir, presets, models, kind, rates=()):
    """The bytelm variants that apply to one kind: each preset (without --model, the CLI
    picks the model), then each extra model file. Presets that would make identical
    streams are run once: a preset selects the model (core/src/modelstore.c) and, for
    plain bytes, max also the frame length (core/src/format.c). Plain bytes count the text
    model too: the CLI codes text with it (core/src/textsniff.c); PCM the models of the
    set's sample rates (`rates`: below 32 kHz and at or above it)."""
    out, seen = [], {}
    roles = preset_models(models_dir)
    narrow = kind != "pcm" or not rates or any(r < WIDE_RATE for r in rates)
    wide = kind == "pcm" and any(r >= WIDE_RATE for r in rates)
    for p in sorted(presets, key=lambda p: p != "default"):  # default first: the plain "bytelm" row
        ms = tuple(dict.fromkeys(m for m in (roles.get((kind, p)) if narrow else None,
                                             roles.get(("pcm-wide", p)) if wide else None,
                                             roles.get(("text", p)) if kind == "bytes" else None)
                                 if m))
        label = " + ".join(os.path.basename(m) for m in ms)
        key = (ms, kind == "bytes" and p == "max")
        if key in seen:
            seen[key].also.append(p)
            seen[key].note = "%s; also --preset=%s" % (label, ", ".join(seen[key].also))
            continue
        name = "bytelm" if p == "default" else "bytelm --preset=" + p
        c = bytelm_codec(exe, name, (kind,), "--preset=" + p, ms, [models_dir])
        c.also, c.note = [], label
        out.append(c)
        seen[key] = c
    for m in models:
        real = os.path.realpath(m)
        if any(tuple(map(os.path.realpath, ms)) == (real,) for ms, _ in seen):
            continue
        stem = os.path.basename(m)[:-5] if m.endswith(".blmm") else os.path.basename(m)
        out.append(bytelm_codec(exe, "bytelm " + stem, (kind,), "--model=" + m, (m,),
                                [models_dir, os.path.dirname(os.path.abspath(m))]))
    return out


def default_models(models_dir, kind):
    """The model files in models/ that apply to a kind by their 'modality', except the
    test fixtures (test-*.blmm)."""
    out = []
    for f in sorted(os.listdir(models_dir)):
        if f.endswith(".blmm") and not f.startswith("test-"):
            path = os.path.join(models_dir, f)
            if kind in model_kinds(path):
                out.append(path)
    return out


def decoded_samples(codec, path):
    """The raw samples/pixels of a decoded output, as (width, height, channels, bytes) for
    images or bytes for the rest; None where it does not parse."""
    with open(path, "rb") as f:
        data = f.read()
    if codec.back == "raw":
        return data
    if codec.back == "wav":
        wav = media.read_wav(data)
        return wav[2] if wav else None
    return media.read_png(data) if codec.back == "png" else media.read_pnm(data)
