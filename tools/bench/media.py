"""Reading and writing the containers the benchmark meets: WAV (16-bit PCM), PNG (8-bit
gray/RGB) and PGM/PPM, so that every codec can be fed the same samples or pixels and
every decoded output can be compared with them. Standard library only.

Each reader returns None for a file it does not take as samples or pixels (24-bit WAV,
PNG with alpha or a palette, ...): the benchmark then codes that file as plain bytes,
as bytelm itself would refuse it as audio or image (docs/CLI.md).
"""
import struct
import zlib


def read_wav(data):
    """(rate, channels, pcm s16le bytes) of a 16-bit PCM WAV, else None."""
    if len(data) < 12 or data[:4] not in (b"RIFF", b"RF64") or data[8:12] != b"WAVE":
        return None
    pos, fmt = 12, None
    while pos + 8 <= len(data):
        cid, n = data[pos:pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8:pos + 8 + n]
        if cid == b"fmt " and len(body) >= 16:
            tag, ch, rate, _, _, bits = struct.unpack_from("<HHIIHH", body)
            if tag == 0xFFFE and len(body) >= 26:  # WAVE_FORMAT_EXTENSIBLE: sub-format GUID
                tag = struct.unpack_from("<H", body, 24)[0]
            fmt = (tag, ch, rate, bits)
        elif cid == b"data" and fmt:
            tag, ch, rate, bits = fmt
            if tag != 1 or bits != 16 or not 1 <= ch <= 8:
                return None
            pcm = data[pos + 8:pos + 8 + n]  # RF64 writes 0xFFFFFFFF here: take the rest
            return rate, ch, pcm[:len(pcm) - len(pcm) % (2 * ch)]
        pos += 8 + n + (n & 1)
    return None


def write_wav(path, rate, channels, pcm):
    hdr = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, 1,
                      channels, rate, rate * channels * 2, channels * 2, 16, b"data", len(pcm))
    with open(path, "wb") as f:
        f.write(hdr)
        f.write(pcm)


def _add_bytes(a, b):
    """Byte-wise (a + b) mod 256 over whole rows at once (SIMD within a Python int)."""
    n = len(a)
    x, y = int.from_bytes(a, "little"), int.from_bytes(b, "little")
    lo = int.from_bytes(b"\x7f" * n, "little")
    return bytearray((((x & lo) + (y & lo)) ^ ((x ^ y) & ~lo & ((1 << 8 * n) - 1))).to_bytes(n, "little"))


def read_png(data):
    """(width, height, channels, pixels) of an 8-bit gray or RGB PNG, else None."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    pos, idat, hdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"tRNS":
            return None  # transparency: bytelm refuses it, so do we
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not hdr:
        return None
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or interlace or ctype not in (0, 2):
        return None
    ch = 1 if ctype == 0 else 3
    raw, stride = zlib.decompress(b"".join(idat)), w * ch
    out, prev = bytearray(), bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if f == 1:
            for i in range(ch, stride):
                line[i] = (line[i] + line[i - ch]) & 255
        elif f == 2:
            line = _add_bytes(line, prev)
        elif f == 3:
            for i in range(stride):
                line[i] = (line[i] + ((line[i - ch] if i >= ch else 0) + prev[i]) // 2) & 255
        elif f == 4:
            for i in range(stride):
                a = line[i - ch] if i >= ch else 0
                b, c = prev[i], (prev[i - ch] if i >= ch else 0)
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += line
        prev = line
    return w, h, ch, bytes(out)


def read_pnm(data):
    """(width, height, channels, pixels) of a binary PGM/PPM with maxval 255 holding one
    image, else None."""
    if data[:2] not in (b"P5", b"P6"):
        return None
    fields, pos = [], 2
    while len(fields) < 3:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.find(b"\n", pos)
            if pos < 0:
                return None
            continue
        start = pos
        while pos < len(data) and not data[pos:pos + 1].isspace():
            pos += 1
        if not data[start:pos].isdigit():
            return None
        fields.append(int(data[start:pos]))
    w, h, maxval = fields
    ch = 3 if data[:2] == b"P6" else 1
    px = data[pos + 1:]
    if maxval != 255 or len(px) != w * h * ch:
        return None
    return w, h, ch, px


def write_pnm(path, width, height, channels, pixels):
    with open(path, "wb") as f:
        f.write(b"%s\n%d %d\n255\n" % (b"P6" if channels == 3 else b"P5", width, height))
        f.write(pixels)


def read_image(data):
    return read_png(data) if data[:4] == b"\x89PNG" else read_pnm(data)


def same_pixels(decoded, channels, pixels):
    """Whether a decoded image holds these pixels. Some decoders (dwebp, djxl) write a gray
    image as RGB with R = G = B; that counts as the same pixels."""
    if decoded is None:
        return False
    _, _, ch, px = decoded
    if ch == channels:
        return px == pixels
    if ch == 3 and channels == 1:
        return px[0::3] == pixels and px[1::3] == pixels and px[2::3] == pixels
    return False
