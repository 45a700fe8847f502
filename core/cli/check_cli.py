#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end checks of the bytelm command-line tool.

usage: check_cli.py BYTELM docs/CLI.md MODEL_DIR

Fixtures are made here (Python's wave module, hand-built headers) in a
temporary directory. Inputs are tiny so the run stays short with any model.
"""
import os
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import wave

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
