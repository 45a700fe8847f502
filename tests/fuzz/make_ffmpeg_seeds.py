#!/usr/bin/env python3
"""Writes the seeds of FFmpeg's decoder fuzzer for the bytelm decoders (tools/fuzz-ffmpeg.sh):
tests/fuzz/corpus/ffmpeg-libbytelm/ and ffmpeg-libbytelm_video/ (checked in; run again only
to change them). Deterministic. Usage: make_ffmpeg_seeds.py [path/to/bytelm]
(default build/core/cli/bytelm).

The streams are short pieces of samples/, coded by the CLI and then laid out as FFmpeg
5.1's tools/target_dec_fuzzer.c reads its input:
  packet FUZZ-TAG packet FUZZ-TAG ... packet FUZZ-TAG extradata settings(1024 bytes)
The last 1024 bytes are the codec context's settings (size, flags, extradata size, ...)
and the extradata comes just before them; they are what the .blm demuxer
(avcodec/src/libavformat/blmdec.c) gives the decoder: the 76-byte stream header as
extradata, and for audio one packet per frame and then the trailer, for images one
packet per image (its frames and its trailer). The fuzzer feeds the extradata and the
settings as a last packet too (its end pointer is taken before it cuts them off): the
tag before them keeps that packet apart from the real ones.
"""
import os, struct, subprocess, sys, tempfile, wave, zlib

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
cli = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, 'build', 'core', 'cli', 'bytelm')
tiny = os.path.join(root, 'models', 'test-tiny.blmm')
FUZZ_TAG = b'FUZZ-TAG'  # 0x4741542D5A5A5546 little-endian


def settings(header, channels):
    """The fuzzer's 1024 trailing bytes, in its reading order (target_dec_fuzzer.c)."""
    s = struct.pack('<IIqI', 0, 0, 0, 0)        # width, height, bit_rate, bits_per_coded_sample
    s += struct.pack('<B', 0)                   # flags: no parser, no extra checks, CPU flags kept
    s += struct.pack('<I', len(header))         # extradata size
    # Sample rate and channels as the demuxers set them from the header (the decoder
    # sets them again): FFmpeg 5.1 refuses to open an audio decoder without a channel
    # count unless it has AV_CODEC_CAP_CHANNEL_CONF, which libbytelm's does not set.
    # Then block_align, codec_tag.
    s += struct.pack('<IIII', struct.unpack_from('<I', header, 24)[0], channels, 0, 0)
    s += struct.pack('<Q', 0xAAAAAAAAAAAAAAAA)  # 2 bits per packet: key frame, not discarded
    s += struct.pack('<Q', 0)                   # request_channel_layout
    s += struct.pack('<B', 0)                   # idct_algo
    s += struct.pack('<Q', 0xFFFFFFFFFFFFFFFF)  # flush pattern: 3 bits per packet, 0 = flush first
    s += struct.pack('<B', 254 - 48)            # skip_frame = byte - 254 + AVDISCARD_ALL = DEFAULT
    s += struct.pack('<Q', 0)                   # debug flags
    return s + bytes(1024 - len(s))


def chunks(stream):
    """The 76-byte header, then each frame and the trailer (docs/FORMAT.md §1-3)."""
    assert stream[:4] == b'BYLM'
    out, o = [], 76
    while o < len(stream):
        if stream[o:o + 4] == b'BLMF':
            np_ = stream[o + 21]
            n = 30 + np_ + struct.unpack_from('<I', stream, o + 26 + np_)[0] + 4
        else:
            assert stream[o:o + 4] == b'BLMT'
            n = 44 + 16 * struct.unpack_from('<I', stream, o + 12)[0]
        out.append(stream[o:o + n])
        o += n
    return stream[:76], out


def seed(target, name, header, packets):
    assert all(FUZZ_TAG not in p for p in packets)
    # channels: the header's, or 1 (Matroska's default) where it has none, so that
    # an audio decoder opens and sees that the stream holds no audio
    channels = header[9] or (1 if target == 'libbytelm' else 0)
    data = b''.join(p + FUZZ_TAG for p in packets) + header + settings(header, channels)
    d = os.path.join(here, 'corpus', 'ffmpeg-' + target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)
    print(f'{target}/{name}: {len(packets)} packets, {len(data)} bytes')


def encode(tmp, data, *args):
    src = os.path.join(tmp, 'in')
    with open(src, 'wb') as f:
        f.write(data)
    return subprocess.run([cli, '-q', '-c', '-j', '1', *args, src], check=True,
                          stdout=subprocess.PIPE).stdout


def wav_samples(name, start, count):
    with wave.open(os.path.join(root, 'samples', name)) as w:
        w.setpos(start)
        return w.getnchannels(), w.getframerate(), w.readframes(count)


def wav_ext(channels, rate, mask, data):
    """A WAVE_FORMAT_EXTENSIBLE file: the CLI's only way to a channel mask."""
    guid = struct.pack('<H', 1) + bytes.fromhex('000000001000800000aa00389b71')
    fmt = struct.pack('<HHIIHHHHI', 0xFFFE, channels, rate, rate * 2 * channels, 2 * channels,
                      16, 22, 16, mask) + guid
    body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt
    body += b'data' + struct.pack('<I', len(data)) + data
    return b'RIFF' + struct.pack('<I', len(body)) + body


def pgm_crop(name, x0, y0, w, h):
    with open(os.path.join(root, 'samples', name), 'rb') as f:
        magic, width, height, maxval, pix = f.read().split(maxsplit=4)
    assert magic == b'P5' and maxval == b'255'
    width = int(width)
    return b''.join(pix[(y0 + y) * width + x0:(y0 + y) * width + x0 + w] for y in range(h))


def png_rgb_crop(name, x0, y0, w, h):
    """Rows of an 8-bit RGB, non-interlaced PNG (all samples/ has), unfiltered, cropped."""
    with open(os.path.join(root, 'samples', name), 'rb') as f:
        d = f.read()
    o, idat = 8, b''
    while o < len(d):
        n, t = struct.unpack_from('>I4s', d, o)
        if t == b'IHDR':
            width, height, depth, ctype, _, _, lace = struct.unpack_from('>IIBBBBB', d, o + 8)
            assert (depth, ctype, lace) == (8, 2, 0)
        elif t == b'IDAT':
            idat += d[o + 8:o + 8 + n]
        o += 12 + n
    raw, stride, rows, prev = zlib.decompress(idat), 3 * width, [], bytearray(3 * width)
    for y in range(y0 + h):
        ft, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b, c = prev[i], prev[i - 3] if i >= 3 else 0
            if ft == 1: line[i] = (line[i] + a) & 255
            elif ft == 2: line[i] = (line[i] + b) & 255
            elif ft == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return b''.join(r[3 * x0:3 * (x0 + w)] for r in rows[y0:])


with tempfile.TemporaryDirectory() as tmp:
    # Audio: one packet per frame, then the trailer.
    ch, rate, pcm = wav_samples('speech-ru-16k-mono.wav', 40000, 1200)
    # models/test-tiny never wins against FLAC: FLAC frames (the fuzz script puts
    # test-tiny on BYTELM_MODEL_PATH, as the header names it)
    s = encode(tmp, pcm, '--model=' + tiny, '--raw=pcm', '--rate=%d' % rate,
               '--channels=%d' % ch, '--frame=400')
    seed('libbytelm', 'speech-flac', *chunks(s))
    ch, rate, pcm = wav_samples('music-tabla-44k-stereo.wav', 100000, 128)
    # the built-in fast audio model: model frames (mode 0) with LPC parameters
    s = encode(tmp, pcm, '--preset=fast', '--raw=pcm', '--rate=%d' % rate,
               '--channels=%d' % ch, '--frame=64')
    seed('libbytelm', 'music-model', *chunks(s))
    # 5.1 with its channel mask, the same music on every channel pair, three frames
    pcm51 = b''.join(pcm[i:i + 4] * 3 for i in range(0, 4 * 40, 4))
    s = encode(tmp, wav_ext(6, rate, 0x3F, pcm51), '--preset=fast', '--frame=16')
    seed('libbytelm', 'music-51', *chunks(s))
    # a stream of unknown length (from a pipe): stored frames of noise
    p = subprocess.run([cli, '-q', '-c', '-j', '1', '--model=' + tiny, '--raw=pcm', '--rate=8000',
                        '--channels=2', '--frame=20', '-'],
                       input=bytes((i * 7919 + (i >> 3) * 31) & 255 for i in range(200)),
                       check=True, stdout=subprocess.PIPE).stdout
    seed('libbytelm', 'pipe-stored', *chunks(p))

    # Images: one packet per image (its frames and its trailer).
    gray = pgm_crop('gray-cube-384x288.pgm', 150, 120, 16, 12)
    h, c = chunks(encode(tmp, gray, '--raw=gray', '--width=16', '--height=12', '--frame=4'))
    seed('libbytelm_video', 'gray-model', h, [b''.join(c)])
    rgb = png_rgb_crop('photo-flower-256.png', 120, 100, 8, 6)
    h, c = chunks(encode(tmp, rgb, '--raw=rgb', '--width=8', '--height=6', '--frame=2'))
    seed('libbytelm_video', 'rgb-model', h, [b''.join(c)])
    # a video: two images of one size, each its own stream with the same header
    h, c = chunks(encode(tmp, gray, '--model=' + tiny, '--raw=gray', '--width=16',
                         '--height=12', '--frame=5'))
    gray2 = pgm_crop('gray-cube-384x288.pgm', 40, 200, 16, 12)
    h2, c2 = chunks(encode(tmp, gray2, '--model=' + tiny, '--raw=gray', '--width=16',
                           '--height=12', '--frame=5'))
    assert h == h2
    seed('libbytelm_video', 'gray-video-stored', h, [b''.join(c), b''.join(c2)])

    # Each decoder given the other's stream: refused at init ("holds no audio/image").
    seed('libbytelm', 'wrong-kind-gray', h, c)
    seed('libbytelm_video', 'wrong-kind-pcm', *chunks(p))
