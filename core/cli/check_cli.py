#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end checks of the bytelm command-line tool.

usage: check_cli.py BYTELM docs/CLI.md MODEL_DIR

Fixtures are made here (Python's wave module, hand-built headers, PNG written
and read with zlib) in a temporary directory. Inputs are tiny so the run stays
short with any model.
"""
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import wave
import zlib

BYTELM, DOC, MODELS = (os.path.abspath(a) for a in sys.argv[1:4])
failures = []
passes = 0


def check(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(*args, stdin=None, cwd=None):
    cmd = [BYTELM] + list(args)
    if args and args[0] != "info":
        cmd += ["--model-dir", MODELS, "-q"]
    p = subprocess.run(cmd, input=stdin, capture_output=True, cwd=cwd)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def write_wav(path, channels, rate, frames, width=2):
    with wave.open(path, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes((i * 37 + (i >> 7)) & 0xFF for i in range(frames * channels * width)))


def wav_extensible(channels, mask, frames):
    data = bytes((i * 11) & 0xFF for i in range(frames * channels * 2))
    guid = bytes([1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71])
    fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, 48000, 48000 * channels * 2,
                      channels * 2, 16, 22, 16, mask) + guid
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body, data


def read_mask(path):
    b = open(path, "rb").read()
    i = b.find(b"fmt ")
    if i < 0 or struct.unpack_from("<H", b, i + 8)[0] != 0xFFFE:
        return 0
    return struct.unpack_from("<I", b, i + 28)[0]


def wav_with_info(tags, frames):
    """A mono 16-bit WAV whose LIST/INFO chunk holds tags {fourcc: bytes}."""
    data = bytes((i * 13) & 0xFF for i in range(frames * 2))
    fmt = struct.pack("<HHIIHH", 1, 1, 16000, 32000, 2, 16)
    info = b"INFO"
    for k, v in tags.items():
        v += b"\0"
        info += k + struct.pack("<I", len(v)) + v + (b"\0" if len(v) & 1 else b"")
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" +
            struct.pack("<I", len(data)) + data + b"LIST" + struct.pack("<I", len(info)) + info)
    return b"RIFF" + struct.pack("<I", len(body)) + body, data


def read_info(path):
    """The LIST/INFO fields of a WAV file, {fourcc: bytes}."""
    b = open(path, "rb").read()
    out, pos = {}, 12
    while pos + 8 <= len(b):
        cid, size = b[pos:pos + 4], struct.unpack_from("<I", b, pos + 4)[0]
        if cid == b"LIST" and b[pos + 8:pos + 12] == b"INFO":
            q = pos + 12
            while q + 8 <= pos + 8 + size:
                k, n = b[q:q + 4], struct.unpack_from("<I", b, q + 4)[0]
                out[k] = b[q + 8:q + 8 + n].rstrip(b"\0")
                q += 8 + n + (n & 1)
        pos += 8 + size + (size & 1)
    return out


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}   # by colour type


def make_png(w, h, ctype, depth, raster, plte=b"", trns=b""):
    """A PNG of the given rows (packed samples, big-endian), filter 0 on every row."""
    row = (w * PNG_CHANNELS[ctype] * depth + 7) // 8
    data = b"".join(b"\0" + raster[y * row:(y + 1) * row] for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            (png_chunk(b"PLTE", plte) if plte else b"") +
            (png_chunk(b"tRNS", trns) if trns else b"") +
            png_chunk(b"IDAT", zlib.compress(data)) + png_chunk(b"IEND", b""))


def read_png(path):
    """(width, height, colour type, depth, raster) of a non-interlaced PNG, unfiltered."""
    b = open(path, "rb").read()
    assert b[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(b):
        n, kind = struct.unpack_from(">I4s", b, pos)
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack_from(">IIBBBBB", b, pos + 8)
            assert interlace == 0
        elif kind == b"IDAT":
            idat += b[pos + 8:pos + 8 + n]
        pos += 12 + n
    data = zlib.decompress(idat)
    bpp = max(1, PNG_CHANNELS[ctype] * depth // 8)
    row = (w * PNG_CHANNELS[ctype] * depth + 7) // 8
    out, prev = bytearray(), bytearray(row)
    for y in range(h):
        f, cur = data[y * (row + 1)], bytearray(data[y * (row + 1) + 1:(y + 1) * (row + 1)])
        for i in range(row):
            a = cur[i - bpp] if i >= bpp else 0
            c = prev[i - bpp] if i >= bpp else 0
            up = prev[i]
            if f == 1:
                cur[i] = (cur[i] + a) & 0xFF
            elif f == 2:
                cur[i] = (cur[i] + up) & 0xFF
            elif f == 3:
                cur[i] = (cur[i] + (a + up) // 2) & 0xFF
            elif f == 4:
                pa, pb, pc = abs(up - c), abs(a - c), abs(a + up - 2 * c)
                cur[i] = (cur[i] + (a if pa <= pb and pa <= pc else up if pb <= pc else c)) & 0xFF
        out += cur
        prev = cur
    return w, h, ctype, depth, bytes(out)


def pam_header(w, h, depth, maxval, tupltype):
    return b"P7\nWIDTH %d\nHEIGHT %d\nDEPTH %d\nMAXVAL %d\nTUPLTYPE %s\nENDHDR\n" % (
        w, h, depth, maxval, tupltype)


def pixels(n, seed):
    """n bytes of a smooth-ish pattern with some noise."""
    return bytes((i * seed + (i * i >> 5) + (i >> 3) * 7) & 0xFF for i in range(n))


def help_block():
    """The text between the first pair of ``` after the '## --help' heading."""
    text = open(DOC).read()
    start = text.index("```", text.index("## --help")) + 3
    start = text.index("\n", start) + 1
    return text[start:text.index("```", start)]


def main():
    tmp = tempfile.mkdtemp(prefix="bytelm_cli_")
    os.chdir(tmp)
    os.mkdir("out")

    p = subprocess.run([BYTELM, "--help"], capture_output=True)
    check(p.returncode == 0 and p.stdout.decode() == help_block(), "--help matches docs/CLI.md")
    check(subprocess.run([BYTELM, "-V"], capture_output=True).returncode == 0, "-V")

    # WAV stereo: in.wav -> in.blm -> out/in.wav, same samples and parameters.
    write_wav("in.wav", 2, 22050, 3000)
    rc, _, err = run("in.wav")
    check(rc == 0 and os.path.exists("in.blm") and os.path.exists("in.wav"), "encode WAV: " + err)
    shutil.copy("in.blm", "out/in.blm")
    rc, _, err = run("-d", "out/in.blm")
    ok = rc == 0 and os.path.exists("out/in.wav")
    if ok:
        with wave.open("in.wav") as a, wave.open("out/in.wav") as b:
            ok = a.getparams() == b.getparams() and a.readframes(10**6) == b.readframes(10**6)
    check(ok, "decode WAV round trip: " + err)

    # Tags: a WAV's LIST/INFO and -T go into the stream, the WAV's come back out, and
    # info lists them all; bad keys and -T with -d are usage errors.
    wav, data = wav_with_info({b"INAM": b"Song", b"IART": "Bj\u00f6rk".encode(), b"ITRK": b"7"}, 800)
    open("tagged.wav", "wb").write(wav)
    rc, _, err = run("-T", "REPLAYGAIN_TRACK_GAIN=-3.20 dB", "-T", "comment=a=b", "tagged.wav")
    check(rc == 0, "encode with tags: " + err)
    rc, _, err = run("-d", "-o", "out/tagged.wav", "tagged.blm")
    got = read_info("out/tagged.wav") if rc == 0 else {}
    with wave.open("out/tagged.wav") as w:
        same = w.readframes(10**6) == data
    check(rc == 0 and same and got.get(b"INAM") == b"Song" and got.get(b"IART") == "Bj\u00f6rk".encode() and
          got.get(b"ITRK") == b"7" and got.get(b"ICMT") == b"a=b",
          "tags come back in the WAV's LIST/INFO: %r %s" % (got, err))
    p = subprocess.run([BYTELM, "-d", "-v", "-f", "-o", "out/tagged.wav", "tagged.blm"], capture_output=True)
    check(p.returncode == 0 and "1 of 5 tags not written" in p.stderr.decode(errors="replace"),
          "-v says which tags the WAV cannot hold: " + p.stderr.decode(errors="replace"))
    rc, out, err = run("info", "tagged.blm")
    text = out.decode(errors="replace")
    check(rc == 0 and "TITLE=Song" in text and "ARTIST=Bj\u00f6rk" in text and "TRACKNUMBER=7" in text and
          "REPLAYGAIN_TRACK_GAIN=-3.20 dB" in text and "comment=a=b" in text,
          "info lists the tags: " + text + err)
    for bad in ("=x", "K\u00e9Y=x", "NOEQUALS"):
        rc, _, err = run("-f", "-T", bad, "tagged.wav")
        check(rc == 2 and "invalid tag" in err, "-T %r is a usage error: %s" % (bad, err))
    rc, _, err = run("-d", "-o", "out/tagged.raw", "tagged.blm")
    check(rc == 0 and open("out/tagged.raw", "rb").read() == data,
          "-o x.raw gives the bare samples of a stream coded from a WAV: " + err)
    rc, _, err = run("-d", "-T", "A=b", "tagged.blm")
    check(rc == 2, "-T with -d is a usage error: " + err)

    # Every model of models.list is built in, those kept only to decode ('decode' lines)
    # too: a stream made with any of them decodes with no model directory or path.
    env = {k: v for k, v in os.environ.items() if k != "BYTELM_MODEL_PATH"}
    for line in open(os.path.join(MODELS, "models.list")):
        fields = line.split("#")[0].split()
        if not fields:
            continue
        model = os.path.join(MODELS, fields[2])
        rc, _, err = run("-f", "--model=" + model, "-o", "m.blm", "in.wav")
        p = subprocess.run([BYTELM, "-q", "-d", "-f", "-o", "m.wav", "m.blm"], capture_output=True, env=env)
        with wave.open("in.wav") as a:
            ok = rc == 0 and p.returncode == 0 and a.readframes(10**6) == wave.open("m.wav").readframes(10**6)
        check(ok, "built-in model %s decodes its stream: %s %s" % (fields[2], err, p.stderr.decode(errors="replace")))

    # An output path that is a device or a FIFO is refused, even with -f, and left as it
    # is: the output is renamed into place, which would replace /dev/null with a file.
    os.mkfifo("fifo")
    rc, _, err = run("-d", "-f", "-o", "fifo", "in.blm")
    check(rc != 0 and "not a regular file" in err and stat.S_ISFIFO(os.lstat("fifo").st_mode),
          "-o FIFO refused and kept: rc %d %s" % (rc, err))
    os.unlink("fifo")

    # Overwrite policy.
    before = open("in.blm", "rb").read()
    rc, _, err = run("in.wav")
    check(rc == 1 and "in.blm" in err and "exists" in err and open("in.blm", "rb").read() == before,
          "no overwrite without -f: " + err)
    rc, _, err = run("-f", "in.wav")
    check(rc == 0, "-f overwrites: " + err)

    # WAVE_FORMAT_EXTENSIBLE 5.1 keeps its channel mask.
    blob, pcm = wav_extensible(6, 0x60F, 500)
    open("surround.wav", "wb").write(blob)
    rc, _, err = run("--verify", "surround.wav")
    rc2, _, err2 = run("-d", "surround.blm", "-o", "out/surround.wav")
    check(rc == 0 and rc2 == 0 and read_mask("out/surround.wav") == 0x60F,
          "extensible mask round trip: " + err + err2)

    # PGM with comments -> .blm -> .pgm with the same pixels.
    open("pic.pgm", "wb").write(b"P5\n# comment\n16 8\n255\n" + bytes(range(128)))
    rc, _, err = run("pic.pgm")
    shutil.move("pic.blm", "out/pic.blm")
    rc2, _, err2 = run("-d", "out/pic.blm")
    check(rc == 0 and rc2 == 0 and open("out/pic.pgm", "rb").read().endswith(bytes(range(128))),
          "PGM round trip: " + err + err2)

    # PNG of every type bytelm codes: gray, gray+alpha, RGB, RGBA, 8 and 16 bits, come back
    # as a PNG of the same type with the same samples; info names the kind.
    w, h = 13, 7
    kinds = {(0, 8): "gray8", (4, 8): "graya8", (2, 8): "rgb24", (6, 8): "rgba32",
             (0, 16): "gray16le", (4, 16): "graya16le", (2, 16): "rgb48le", (6, 16): "rgba64le"}
    rasters = {}
    for (ctype, depth), kind in kinds.items():
        n = w * h * PNG_CHANNELS[ctype] * depth // 8
        raster = rasters[kind] = pixels(n, 29 + ctype * 2 + depth)
        stem = "img_" + kind
        open(stem + ".png", "wb").write(make_png(w, h, ctype, depth, raster))
        rc, _, err = run("--verify", stem + ".png")
        rc2, out, err2 = run("info", stem + ".blm")
        rc3, _, err3 = run("-d", "-o", "out/" + stem + ".png", stem + ".blm")
        got = read_png("out/" + stem + ".png") if rc3 == 0 else None
        # kinds 2 and 3 name the image model; the others have no model path
        model_ok = kind in ("gray8", "rgb24") or "model:          none" in out.decode()
        check(rc == 0 and rc2 == 0 and "kind:           %s, %d x %d\n" % (kind, w, h) in out.decode() and
              model_ok and got == (w, h, ctype, depth, raster),
              "%d-bit PNG of colour type %d round trip as %s: %s%s%s" %
              (depth, ctype, kind, err, err2, err3))
    # 16-bit samples are little-endian in the stream's rows (-o x.raw), big-endian in a PNG.
    raster = rasters["rgba64le"]
    rc, _, err = run("-d", "-o", "out/rgba64.raw", "img_rgba64le.blm")
    raw = open("out/rgba64.raw", "rb").read() if rc == 0 else b""
    check(raw == bytes(raster[i ^ 1] for i in range(len(raster))),
          "RGBA64 rows are little-endian: " + err)
    # ... and raw 16-bit pixels code and decode as they are.
    rc, _, err = run("--raw=rgba64le", "--width=%d" % w, "--height=%d" % h, "-o", "rgba64.blm",
                     "out/rgba64.raw")
    rc2, out, err2 = run("info", "rgba64.blm")
    rc3, _, err3 = run("-d", "-o", "out/rgba64.png", "rgba64.blm")
    check(rc == 0 and "rgba64le, %d x %d" % (w, h) in out.decode() and rc3 == 0 and
          read_png("out/rgba64.png") == (w, h, 6, 16, raster),
          "--raw=rgba64le round trip: " + err + err2 + err3)
    rc, _, err = run("--raw=rgba64le", "--width=%d" % (w + 1), "--height=%d" % h, "-o", "bad.blm",
                     "out/rgba64.raw")
    check(rc == 1 and "expected 14 x 7 x 8" in err, "--raw=rgba64le of the wrong size refused: " + err)
    rc, _, err = run("--raw=rgba16", "--width=2", "--height=2", "out/rgba64.raw")
    check(rc == 2 and "rgba64le" in err, "--raw with an unknown kind is a usage error: " + err)

    # Transparency in a tRNS chunk becomes an alpha channel: palette -> RGBA, gray ->
    # gray+alpha, RGB -> RGBA.
    plte = bytes([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    idx = bytes((i * 7 + i // 5) % 4 for i in range(w * h))
    open("pal.png", "wb").write(make_png(w, h, 3, 8, idx, plte=plte, trns=bytes([0, 128])))
    want = b"".join(plte[3 * i:3 * i + 3] + bytes([(0, 128, 255, 255)[i]]) for i in idx)
    rc, _, err = run("pal.png")
    rc2, _, err2 = run("-d", "-o", "out/pal.png", "pal.blm")
    check(rc == 0 and rc2 == 0 and read_png("out/pal.png") == (w, h, 6, 8, want),
          "palette PNG with tRNS comes back as RGBA: " + err + err2)
    gray = bytes((i * 3) % 11 for i in range(w * h))
    open("gtrns.png", "wb").write(make_png(w, h, 0, 8, gray, trns=struct.pack(">H", 7)))
    want = b"".join(bytes([g, 0 if g == 7 else 255]) for g in gray)
    rc, _, err = run("gtrns.png")
    rc2, _, err2 = run("-d", "-o", "out/gtrns.png", "gtrns.blm")
    check(rc == 0 and rc2 == 0 and read_png("out/gtrns.png") == (w, h, 4, 8, want),
          "gray PNG with tRNS comes back as gray+alpha: " + err + err2)
    rgb = bytes((i // 3 * 5 % 4) * 60 for i in range(w * h * 3))
    open("rtrns.png", "wb").write(make_png(w, h, 2, 16, bytes(v for b in rgb for v in (b, b)),
                                           trns=struct.pack(">HHH", 0x3c3c, 0x3c3c, 0x3c3c)))
    want = b"".join(bytes(rgb[i:i + 3][k // 2] for k in range(6)) +
                    (b"\0\0" if rgb[i:i + 3] == b"<<<" else b"\xff\xff") for i in range(0, len(rgb), 3))
    rc, _, err = run("rtrns.png")
    rc2, out, err2 = run("info", "rtrns.blm")
    rc3, _, err3 = run("-d", "-o", "out/rtrns.png", "rtrns.blm")
    check(rc == 0 and "rgba64le" in out.decode() and rc3 == 0 and
          read_png("out/rtrns.png") == (w, h, 6, 16, want),
          "16-bit RGB PNG with tRNS comes back as RGBA: " + err + err2 + err3)

    # 16-bit PGM/PPM (maxval 65535, big-endian) and PAM with alpha come back byte for byte,
    # under their own names; the same stream decodes to a PNG with the same samples.
    for name, header, ctype, depth, n in (
            ("deep.pgm", b"P5\n%d %d\n65535\n" % (w, h), 0, 16, w * h * 2),
            ("deepc.ppm", b"P6\n%d %d\n65535\n" % (w, h), 2, 16, w * h * 6),
            ("ga.pam", pam_header(w, h, 2, 255, b"GRAYSCALE_ALPHA"), 4, 8, w * h * 2),
            ("rgba16.pam", pam_header(w, h, 4, 65535, b"RGB_ALPHA"), 6, 16, w * h * 8)):
        raster = pixels(n, 17 + n % 9)
        open(name, "wb").write(header + raster)
        stem = name[:-4]
        rc, _, err = run(name)
        shutil.move(stem + ".blm", "out/" + stem + ".blm")
        rc2, _, err2 = run("-d", "out/" + stem + ".blm")
        rc3, _, err3 = run("-d", "-o", "out/" + stem + ".png", "out/" + stem + ".blm")
        back = open("out/" + name, "rb").read() if rc2 == 0 else b""
        check(rc == 0 and back == header + raster and rc3 == 0 and
              read_png("out/" + stem + ".png") == (w, h, ctype, depth, raster),
              "%s round trip, and to PNG: %s%s%s" % (name, err, err2, err3))
    # A PNG with alpha decodes to a PAM, not to a PGM or PPM, which cannot hold it.
    rc, _, err = run("-d", "-o", "out/from_png.pam", "img_rgba64le.blm")
    pam = open("out/from_png.pam", "rb").read() if rc == 0 else b""
    check(pam == pam_header(w, h, 4, 65535, b"RGB_ALPHA") + rasters["rgba64le"],
          "RGBA64 PNG stream to PAM: " + err)
    rc, _, err = run("-d", "-o", "out/alpha.ppm", "img_rgba32.blm")
    check(rc == 1 and "cannot hold an alpha channel" in err and ".pam" in err and
          not os.path.exists("out/alpha.ppm"), "alpha to .ppm refused: " + err)

    # What still cannot come back exactly is refused, naming it.
    open("gray4.png", "wb").write(make_png(4, 2, 0, 4, bytes([0x12, 0x34, 0x56, 0x78])))
    open("m4095.pgm", "wb").write(b"P5 2 2 4095\n" + bytes(8))
    open("bw.pam", "wb").write(pam_header(8, 1, 1, 1, b"BLACKANDWHITE") + bytes(8))
    for name, msg in (("gray4.png", "4-bit gray PNG is not supported"),
                      ("m4095.pgm", "PGM with maxval 4095 is not supported"),
                      ("bw.pam", "PAM of TUPLTYPE 'BLACKANDWHITE' and DEPTH 1 is not supported")):
        rc, _, err = run(name)
        check(rc == 1 and msg in err and not os.path.exists(name[:-4] + ".blm"),
              "%s refused: %s" % (name, err))

    # Plain bytes keep their name; stdin/stdout pipes.
    text = b"bytelm keeps every byte.\n" * 40
    open("notes.txt", "wb").write(text)
    rc, _, err = run("notes.txt")
    shutil.move("notes.txt.blm", "out/notes.txt.blm")
    rc2, _, err2 = run("-d", "out/notes.txt.blm")
    check(rc == 0 and rc2 == 0 and open("out/notes.txt", "rb").read() == text,
          "bytes round trip: " + err + err2)
    rc, blm, err = run("-c", stdin=text)
    rc2, back, err2 = run("-d", "-c", stdin=blm)
    check(rc == 0 and rc2 == 0 and back == text, "pipe round trip: " + err + err2)
    # Text gets the text model, from a file or a pipe (the first chunk is read ahead);
    # other bytes the multimodal one.
    open("piped.blm", "wb").write(blm)
    open("blob.bin", "wb").write(bytes(range(256)) * 8)
    rc3, _, err3 = run("blob.bin")
    models = [run("info", f)[1].decode() for f in ("out/notes.txt.blm", "piped.blm", "blob.bin.blm")]
    check(rc3 == 0 and "bytelm-text-v1" in models[0] and "bytelm-text-v1" in models[1] and
          "bytelm-mm-v1" in models[2], "text model for text only: " + err3 + "".join(models))
    # PCM at 32 kHz or more gets the wideband audio model, below it bytelm-audio-v1; a
    # preset's own model (the small fast one) serves every rate.
    write_wav("wide.wav", 2, 44100, 3000)
    rc, _, err = run("-f", "wide.wav")
    rc2, _, err2 = run("-f", "--preset=fast", "-o", "wide-fast.blm", "wide.wav")
    models = [run("info", f)[1].decode() for f in ("in.blm", "wide.blm", "wide-fast.blm")]
    check(rc == 0 and rc2 == 0 and "bytelm-audio-v1\n" in models[0] and
          "bytelm-audio-wide-v1\n" in models[1] and "bytelm-audio-fast-v2\n" in models[2],
          "audio model by rate and preset: " + err + err2 + "".join(models))

    # Raw PCM keeps the user's extension.
    open("x.pcm", "wb").write(bytes(range(256)) * 4)
    rc, _, err = run("--raw=pcm", "--rate=8000", "--channels=2", "x.pcm")
    shutil.move("x.pcm.blm", "out/x.pcm.blm")
    rc2, _, err2 = run("-d", "out/x.pcm.blm")
    check(rc == 0 and rc2 == 0 and open("out/x.pcm", "rb").read() == bytes(range(256)) * 4,
          "raw PCM round trip: " + err + err2)
    # -o NAME.wav writes a WAV whatever the stream's source hint (here raw).
    rc, _, err = run("-d", "-o", "out/x.wav", "out/x.pcm.blm")
    wav = open("out/x.wav", "rb").read() if os.path.exists("out/x.wav") else b""
    check(rc == 0 and wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and wav.endswith(bytes(range(256)) * 4),
          "-o x.wav from a raw-PCM stream writes a WAV: " + err)

    # -t, and a damaged stream: error, no output, no temporary left.
    rc, _, err = run("-t", "in.blm")
    check(rc == 0 and err == "", "-q -t on a good stream is silent: " + err)
    p = subprocess.run([BYTELM, "-t", "--model-dir", MODELS, "in.blm"], capture_output=True)
    err = p.stderr.decode(errors="replace")
    check(p.returncode == 0 and err.strip() == "in.blm: ok", "-t on a good stream says ok: " + err)
    bad = bytearray(open("in.blm", "rb").read())
    bad[len(bad) // 2] ^= 0x55
    os.mkdir("bad")
    open("bad/bad.blm", "wb").write(bad)
    rc, _, err = run("-t", "bad/bad.blm")
    rc2, _, err2 = run("-d", "bad/bad.blm")
    check(rc == 1 and rc2 == 1 and os.listdir("bad") == ["bad.blm"],
          "damaged stream fails and leaves nothing: " + err + err2)

    # Damage of every kind: exit 1, a message, and nothing left behind.
    good = open("in.blm", "rb").read()
    os.mkdir("dmg")
    cases = {"empty": b"", "magic": b"XYLM" + good[4:], "version": good[:4] + b"\x09" + good[5:],
             "header-cut": good[:50], "frame-cut": good[:len(good) // 2], "no-trailer-end": good[:-1],
             "junk": bytes(range(256)) * 4, "tail-junk": good + b"junk"}
    for name, blob in cases.items():
        open("dmg/" + name + ".blm", "wb").write(blob)
        rc, _, err = run("-d", "dmg/" + name + ".blm")
        check(rc == 1 and "bytelm: dmg/" + name + ".blm: " in err and
              sorted(os.listdir("dmg")) == sorted(n + ".blm" for n in list(cases)[:list(cases).index(name) + 1]),
              "damaged stream '" + name + "': exit 1, message, no output: " + err)

    # --recover: a damaged frame becomes silence in place, the rest is exact, the
    # span is named, the output is kept and the exit status is 1.
    write_wav("long.wav", 1, 8000, 4000)
    rc, _, err = run("--frame=500", "long.wav")
    good = open("long.blm", "rb").read()
    frames = [i for i in range(len(good)) if good[i:i + 4] == b"BLMF"]
    bad = bytearray(good)
    bad[(frames[3] + frames[4]) // 2] ^= 0x55          # inside frame 3: samples 1500..1999
    os.mkdir("rec")
    open("rec/long.blm", "wb").write(bad)
    rc1, _, err1 = run("-d", "rec/long.blm")
    rc2, _, err2 = run("-d", "-F", "rec/long.blm")
    ok = rc1 == 1 and rc2 == 1 and os.path.exists("rec/long.wav") and len(frames) == 8
    if ok:
        with wave.open("long.wav") as a, wave.open("rec/long.wav") as b:
            pa, pb = a.readframes(10**6), b.readframes(10**6)
            ok = (a.getparams() == b.getparams() and pb[:3000] == pa[:3000] and
                  pb[3000:4000] == bytes(1000) and pb[4000:] == pa[4000:])
    check(ok and "lost samples 1500 to 1999 (0.188 s to 0.250 s)" in err2 and "CRC" in err2,
          "-d -F: damaged frame silenced in place, rest exact, exit 1: " + err1 + err2)
    rc, _, err = run("-t", "-F", "rec/long.blm")
    check(rc == 1 and "lost samples 1500 to 1999" in err and
          sorted(os.listdir("rec")) == ["long.blm", "long.wav"], "-t -F lists, writes nothing: " + err)
    rc, out, err = run("-d", "-F", "-c", "long.blm")
    with wave.open("long.wav") as a:
        pa = a.readframes(10**6)
    check(rc == 0 and not err and out.endswith(pa), "-F on an intact stream: same output, exit 0: " + err)
    rc, _, err = run("-F", "long.wav")
    check(rc == 2, "-F when compressing is a usage error: " + err)
    # A truncated image comes back with its full height, the lost rows black.
    open("rows.pgm", "wb").write(b"P5 16 40 255\n" + bytes(range(256)) * 2 + bytes(128))
    rc, _, err = run("--frame=8", "rows.pgm")
    blob = open("rows.blm", "rb").read()
    cut = [i for i in range(len(blob)) if blob[i:i + 4] == b"BLMF"][3]
    open("rec/rows.blm", "wb").write(blob[:cut + 10])
    rc, _, err = run("-d", "-F", "rec/rows.blm")
    img = open("rec/rows.pgm", "rb").read() if os.path.exists("rec/rows.pgm") else b""
    check(rc == 1 and img.endswith((bytes(range(256)) * 2)[:24 * 16] + bytes(16 * 16)) and
          "lost rows 24 to 39" in err, "-d -F on a truncated image: " + err)

    # --skip and --until: only the frames that hold the range are decoded, through the
    # seek table (the tags chunk in front of frame 0 counted); samples, times and rows.
    write_wav("seek.wav", 2, 8000, 9000)
    rc, _, err = run("--frame=1000", "-T", "TITLE=x", "seek.wav")
    with wave.open("seek.wav") as w:
        pcm = w.readframes(10**6)
    rc, _, err = run("-d", "-f", "--skip=2500", "--until=0:0.75", "-o", "out/part.wav", "seek.blm")
    ok = rc == 0 and os.path.exists("out/part.wav")
    if ok:
        with wave.open("out/part.wav") as w:
            ok = w.getnframes() == 3500 and w.readframes(10**6) == pcm[2500 * 4:6000 * 4]
    check(ok and read_info("out/part.wav").get(b"INAM") == b"x",
          "--skip=2500 --until=0:0.75 gives samples 2500 to 5999 and the tags: " + err)
    rc, _, err = run("-d", "-f", "--skip=8999", "-o", "out/tail.raw", "seek.blm")
    check(rc == 0 and open("out/tail.raw", "rb").read() == pcm[-4:], "--skip to the last sample: " + err)
    rc, _, err = run("-d", "-f", "--until=1.2", "-o", "out/none.wav", "seek.blm")
    check(rc == 1 and "past the end" in err and not os.path.exists("out/none.wav"), "--until past the end: " + err)
    rc, _, err = run("-d", "-f", "--skip=7", "--until=7", "-o", "out/x.wav", "seek.blm")
    check(rc == 1 and "nothing to decode" in err, "empty range refused: " + err)
    rc, _, err = run("-d", "-f", "--skip=1:x", "-o", "out/x.wav", "seek.blm")
    check(rc == 1 and "not a time" in err, "bad time refused: " + err)
    rc, out, err = run("-d", "-c", "--skip=5", stdin=open("seek.blm", "rb").read())
    check(rc == 1 and not out and "seek" in err, "--skip on a pipe refused: " + err)
    rc, _, err = run("-t", "--skip=5", "seek.blm")
    check(rc == 2, "--skip with -t is a usage error: " + err)
    open("band.pgm", "wb").write(b"P5 16 40 255\n" + bytes(range(256)) * 2 + bytes(128))
    rc, _, err = run("--frame=8", "band.pgm")
    rc, _, err = run("-d", "-f", "--skip=10", "--until=20", "-o", "out/band.pgm", "band.blm")
    img = open("out/band.pgm", "rb").read() if rc == 0 else b""
    check(img == b"P5\n16 10\n255\n" + ((bytes(range(256)) * 2 + bytes(128))[160:320]),
          "--skip=10 --until=20 on an image gives rows 10 to 19: %r %s" % (img[:16], err))

    # Unsupported input among good ones: others still done, exit 1.
    write_wav("deep.wav", 1, 8000, 100, width=3)
    rc, _, err = run("deep.wav", "pic.pgm")
    check(rc == 1 and "deep.wav: 24-bit PCM WAV is not supported" in err and os.path.exists("pic.blm"),
          "24-bit WAV refused, next file coded: " + err)

    rc, out, err = run("info", "in.blm")
    out = out.decode()
    check(rc == 0 and "PCM s16le" in out and "22050 Hz" in out and "frames:" in out,
          "info: " + out + err)

    rc, _, err = run("--raw=pcm", "x.pcm")
    check(rc == 2, "usage error exits 2: " + err)

    # Streams do not concatenate: -c with several inputs would write an undecodable file.
    rc, out, err = run("-c", "in.wav", "in.wav")
    check(rc == 2 and not out and "one input" in err, "-c with two inputs refused: " + err)

    print(f"cli: {passes} passed, {len(failures)} failed")
    if not failures:
        shutil.rmtree(tmp)
    else:
        print("files kept in", tmp, file=sys.stderr)
    return 1 if failures else 0


sys.exit(main())
