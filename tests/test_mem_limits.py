#!/usr/bin/env python3
"""Hostile inputs that claim much and hold little: the tool must
refuse them with a clear message, in bounded time and memory.

usage: test_mem_limits.py BYTELM MODEL_DIR [--sanitized]

Every file is made here, a few bytes to 800 KB. Each case runs the tool under a
memory limit: RLIMIT_AS (as `ulimit -v`) in a plain build; under ASan, which
reserves terabytes of address space, ASAN_OPTIONS' hard_rss_limit_mb and
max_allocation_size_mb instead. Then it checks the exit status, the message,
the time and the peak RSS of that one process (wait4; it starts from this
script's own RSS at the fork, about 12 MiB).
"""
import os
import resource
import signal
import struct
import sys
import tempfile
import time
import zlib

BYTELM, MODEL_DIR = sys.argv[1], sys.argv[2]
SANITIZED = "--sanitized" in sys.argv[3:]
TINY = os.path.join(MODEL_DIR, "test-tiny.blmm")

MiB = 1 << 20
# Address space of the tool (plain build): low enough to protect the machine,
# high enough that a reader allocating 1 GiB from a claim shows in its RSS.
AS_LIMIT = 1536 * MiB
RSS_BOUND = (128 if SANITIZED else 64) * MiB
TIME_BOUND = 60 if SANITIZED else 20  # seconds; the cases take milliseconds


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width, height, ctype, interlace, body):
    """ctype 0 gray, 2 RGB; body: the chunks after IHDR."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, ctype, 0, 0, interlace)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + body


def zlib_zeros(n):
    """A zlib stream of n zero bytes, made fast: one compressed MiB, made
    self-contained by a full flush, repeated; the Adler-32 of n zeros is
    (n mod 65521) << 16 | 1."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(MiB)) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = c.compress(bytes(n % MiB)) + c.flush()
    return b"\x78\xda" + block * (n // MiB) + tail + struct.pack(">I", (n % 65521) << 16 | 1)


def adam7_bytes(width, height, channels):
    """Filtered bytes of an interlaced image: each pass's rows, each with its filter byte."""
    n = 0
    for x0, y0, dx, dy in ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4),
                           (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)):
        pw, ph = (width - x0 + dx - 1) // dx, (height - y0 + dy - 1) // dy
        if pw and ph:
            n += ph * (1 + pw * channels)
    return n


def interlaced_zeros(width, height, channels):
    data = zlib_zeros(adam7_bytes(width, height, channels))
    return png(width, height, 0 if channels == 1 else 2, 1,
               chunk(b"IDAT", data) + chunk(b"IEND", b""))


def small_gray_png(before_idat=b""):
    """A valid 64x48 gray image with extra chunks before its pixels."""
    rows = b"".join(b"\0" + bytes((x * 4 + y) & 255 for x in range(64)) for y in range(48))
    return png(64, 48, 0, 0, before_idat + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def wav(extra, data_len, data):
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + extra +
            b"data" + struct.pack("<I", data_len) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# A 44-byte file that once made libpng allocate 2 GiB: a valid IHDR (64x48 gray), then a tEXt chunk
# whose length says 0x7fffffff (or 1 GiB) and 3 bytes of it.
def text_claim(n):
    return png(64, 48, 0, 0, struct.pack(">I", n) + b"tEXt" + b"abc")


def run(args, timeout):
    """Runs the tool under the memory limit; (exit status, stderr, seconds, peak RSS bytes)."""
    err = tempfile.TemporaryFile()
    env = dict(os.environ)
    if SANITIZED:
        env["ASAN_OPTIONS"] = ":".join(filter(None, [
            env.get("ASAN_OPTIONS", ""), "hard_rss_limit_mb=%d" % (AS_LIMIT // MiB),
            "max_allocation_size_mb=%d" % (AS_LIMIT // MiB), "allocator_may_return_null=1"]))
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            if not SANITIZED:
                resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.dup2(err.fileno(), 2)
            os.execve(BYTELM, [BYTELM] + args, env)
        finally:
            os._exit(127)
    killed = False
    while True:
        wpid, status, usage = os.wait4(pid, os.WNOHANG)
        if wpid:
            break
        if time.monotonic() - t0 > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            killed = True
            break
        time.sleep(0.01)
    secs = time.monotonic() - t0
    err.seek(0)
    msg = err.read().decode(errors="replace").strip()
    rc = -1 if killed else os.waitstatus_to_exitcode(status)
    return rc, msg, secs, usage.ru_maxrss * 1024


failures = 0


def case(name, data, expect_rc, expect_msg, opts=()):
    global failures
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "in")
        with open(path, "wb") as f:
            f.write(data)
        rc, msg, secs, rss = run(["-q", "-j", "1", "--model=" + TINY, *opts, "-c", path], TIME_BOUND)
    problems = []
    if rc != expect_rc:
        problems.append("exit %d, expected %d" % (rc, expect_rc))
    if expect_msg not in msg:
        problems.append("message lacks %r" % expect_msg)
    if secs > TIME_BOUND:
        problems.append("took %.1f s (killed)" % secs)
    if rss > RSS_BOUND:
        problems.append("peak RSS %.0f MiB > %d MiB" % (rss / MiB, RSS_BOUND // MiB))
    status = "FAIL" if problems else "ok"
    print("%s: %s (%d bytes): exit %d, %.2f s, %.1f MiB; %s%s" % (
        status, name, len(data), rc, secs, rss / MiB, msg.splitlines()[-1] if msg else "no message",
        "\n    " + "; ".join(problems) if problems else ""))
    failures += bool(problems)


def usage(name, args, expect_msg):
    """Options that are refused before any file is read: exit status 2."""
    global failures
    rc, msg, _, _ = run(args, TIME_BOUND)
    ok = rc == 2 and expect_msg in msg
    print("%s: %s: exit %d; %s" % ("ok" if ok else "FAIL", name, rc, msg.splitlines()[0] if msg else ""))
    failures += not ok


# PNG chunks and interlaced images that claim gigabytes.
case("tEXt chunk claiming 2^31-1 bytes", text_claim(0x7FFFFFFF), 1,
     "invalid PNG: the file ends inside its tEXt chunk")
case("tEXt chunk claiming 1 GiB", text_claim(1 << 30), 1,
     "invalid PNG: the file ends inside its tEXt chunk")
case("interlaced 16384x16384 RGB bomb", interlaced_zeros(16384, 16384, 3), 1,
     "interlaced PNG (16384x16384 RGB) must be decoded whole, in 768.2 MiB, more than the "
     "memory limit of 256.0 MiB; raise it with --max-memory")
case("interlaced 16384x16384 gray bomb", interlaced_zeros(16384, 16384, 1), 1,
     "interlaced PNG (16384x16384 gray) must be decoded whole, in 256.2 MiB, more than the "
     "memory limit of 256.0 MiB; raise it with --max-memory")

# --max-memory is the limit applied, both ways (2048x1024 gray needs 2 MiB + 8 KiB).
small_il = interlaced_zeros(2048, 1024, 1)
case("interlaced 2048x1024 gray, --max-memory=2M", small_il, 1,
     "in 2.1 MiB, more than the memory limit of 2.0 MiB", ["--max-memory=2M"])
case("interlaced 2048x1024 gray, --max-memory=3MiB", small_il, 0, "", ["--max-memory=3MiB"])
usage("--max-memory below 2 MiB", ["--max-memory=1M", "x"], "expected a size of at least 2.0 MiB")
# The least limit admits any non-interlaced PNG: the widest rows there are, 65535 pixels
# of 16-bit RGBA (512 KiB a row; libpng holds two).
wide16 = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 65535, 2, 16, 6, 0, 0, 0)) + \
    chunk(b"IDAT", zlib.compress(bytes(2 * (1 + 65535 * 8)), 9)) + chunk(b"IEND", b"")
case("65535x2 16-bit RGBA, --max-memory=2M", wide16, 0, "", ["--max-memory=2M"])
usage("--max-memory not a size", ["--max-memory=64Q", "x"], "invalid value for --max-memory")
usage("--max-memory when decoding", ["-d", "--max-memory=64M", "x.blm"],
      "--max-memory applies to compression")

# Other ancillary chunks: skipped unread, so the image codes whatever they claim.
case("zTXt inflating to 256 MiB before the pixels",
     small_gray_png(chunk(b"zTXt", b"Comment\0\0" + zlib_zeros(256 * MiB))), 0, "")
case("iCCP inflating to 256 MiB before the pixels",
     small_gray_png(chunk(b"iCCP", b"icc\0\0" + zlib_zeros(256 * MiB))), 0, "")
case("unknown chunk claiming 2^31-1 bytes after IDAT",
     small_gray_png()[:-12] + struct.pack(">I", 0x7FFFFFFF) + b"quUX" + b"abc", 1,
     "invalid PNG: the file ends inside its quUX chunk")
# No IDAT: libpng must refuse the IHDR itself (png_set_user_limits), before any chunk after it.
case("PNG wider than 65535", png(70000, 16, 0, 0, chunk(b"IEND", b"")), 1,
     "PNG is 70000x16; bytelm codes images up to 65535x65535")

# The other readers allocate nothing a file claims.
case("PGM header claiming 16384x16384, 10 bytes of pixels", b"P5 16384 16384 255\n" + bytes(10), 1,
     "image data ends after 10 of 268435456 bytes")
case("WAV with a LIST chunk claiming 2 GiB",
     wav(b"LIST" + struct.pack("<I", 0x7FFFFFF0) + b"INFO", 64, bytes(64)), 1,
     "cannot read WAV file")
case("WAV whose data chunk claims 2 GiB and holds 64 bytes", wav(b"", 0x7FFFFFF0, bytes(64)), 0, "")

print("%d case(s) failed" % failures if failures else "all cases passed")
sys.exit(1 if failures else 0)
