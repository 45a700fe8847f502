#!/usr/bin/env python3
"""Writes the small seed corpora of tests/fuzz/corpus/ (checked in; run again only to
change them). Deterministic. Usage: make_seeds.py [path/to/bytelm]  (the decoder seeds
need the command-line tool and models/test-tiny.blmm)."""
import os, struct, subprocess, sys, tempfile, zlib

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def put(target, name, data):
    d = os.path.join(here, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def wav(channels, rate, samples, bits=16, fmt_tag=1, mask=None):
    block = channels * bits // 8
    if mask is None:
        fmt = struct.pack('<HHIIHH', fmt_tag, channels, rate, rate * block, block, bits)
    else:
        guid = struct.pack('<H', fmt_tag) + bytes.fromhex('000000001000800000aa00389b71')
        fmt = struct.pack('<HHIIHHHHI', 0xFFFE, channels, rate, rate * block, block, bits,
                          22, bits, mask) + guid
    data = bytes((i * 37 + 11) & 255 for i in range(samples * block))
    body = b'WAVE' + b'fmt ' + struct.pack('<I', len(fmt)) + fmt
    body += b'data' + struct.pack('<I', len(data)) + data
    return b'RIFF' + struct.pack('<I', len(body)) + body


def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))


def png(w, h, ctype, depth=8, interlace=0, extra=b''):
    comps = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    row = (w * comps * depth + 7) // 8
    raw = b''.join(bytes([y % 5]) + bytes((x * 7 + y * 13) & 255 for x in range(row))
                   for y in range(h))
    if interlace:  # Adam7 of a tiny image: just let libpng complain or not
        raw = raw * 2
    ihdr = struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, interlace)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + extra +
            chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


put('wav', 'mono.wav', wav(1, 8000, 16))
put('wav', 'stereo.wav', wav(2, 44100, 8))
put('wav', 'ext51.wav', wav(6, 48000, 4, mask=0x3F))
put('wav', 'pcm24.wav', wav(2, 48000, 4, bits=24))
put('wav', 'float.wav', wav(1, 48000, 4, bits=32, fmt_tag=3))

put('image', 'gray.png', png(4, 3, 0))
put('image', 'rgb.png', png(5, 4, 2))
put('image', 'interlaced.png', png(9, 9, 2, interlace=1))
put('image', 'palette.png', png(4, 4, 3, extra=b'\x00\x00\x00\x06PLTE' + bytes(6) + b'\x00\x00\x00\x00'))
put('image', 'gray.pgm', b'P5\n# c\n3 2\n255\n' + bytes(range(6)))
put('image', 'rgb.ppm', b'P6 2 2 255\n' + bytes(range(12)))
put('image', 'graya.png', png(4, 3, 4))
put('image', 'rgba16.png', png(3, 2, 6, depth=16))
put('image', 'gray_trns.png', png(4, 3, 0, extra=chunk(b'tRNS', b'\x00\x07')))
put('image', 'palette_trns.png', png(4, 4, 3, extra=chunk(b'PLTE', bytes(range(6))) +
                                     chunk(b'tRNS', b'\x80')))
put('image', 'gray16.pgm', b'P5 3 2 65535\n' + bytes(range(12)))
put('image', 'rgba.pam', b'P7\nWIDTH 2\nHEIGHT 2\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\n'
                         b'ENDHDR\n' + bytes(range(16)))

# Encoder seeds: 4 setting bytes (fuzz_encoder.c: kind, channels or width, frame size,
# threads / length known / push size), then the data.
enc_text = b'the quick brown fox jumps over the lazy dog. ' * 4
put('encoder', 'bytes', b'\x00\x00\x03\x05' + enc_text)
put('encoder', 'bytes-pipe', b'\x00\x00\x00\x80' + enc_text[:100])
put('encoder', 'pcm', b'\x01\x81\x05\x00' +
    b''.join(struct.pack('<h', (i * 311) % 2000 - 1000) for i in range(400)))
put('encoder', 'pcm-loud', b'\x01\x02\x00\x04' +
    b''.join(struct.pack('<h', 32767 if (i // 7) % 2 else -32768) for i in range(300)))
put('encoder', 'gray', b'\x02\x0b\x02\x01' + bytes((x * 3 + y * 5) & 255 for y in range(8) for x in range(12)))
put('encoder', 'rgb', b'\x03\x05\x00\x82' + bytes((i * 7) & 255 for i in range(6 * 5 * 3)))
# bits 2-3 of the first byte: the kinds with alpha and 16-bit samples (rgba32, gray16le)
put('encoder', 'rgba', b'\x07\x05\x00\x01' + bytes((i * 5 + i // 24) & 255 for i in range(6 * 5 * 4)))
put('encoder', 'gray16', b'\x0a\x07\x02\x00' + bytes((i * 3) & 255 if i % 2 else 0 for i in range(8 * 6 * 2)))

if len(sys.argv) > 1:
    cli, model = sys.argv[1], os.path.join(root, 'models', 'test-tiny.blmm')
    with tempfile.TemporaryDirectory() as tmp:
        def blm(name, data, *args):
            src = os.path.join(tmp, 'in')
            with open(src, 'wb') as f:
                f.write(data)
            out = subprocess.run([cli, '-q', '-c', '--model=' + model, *args, src],
                                 check=True, stdout=subprocess.PIPE).stdout
            # The decoder target's first byte says how to feed the rest (fuzz_decoder.c).
            put('decoder', name, b'\x00' + out)
        text = b'the quick brown fox jumps over the lazy dog. ' * 3
        blm('bytes.blm', text, '--raw=bytes', '--frame=40')
        # Repeats that even the tiny model's random tables code smaller than stored:
        # frame mode 4, the mixer (the frames above are stored).
        blm('bytes-mix.blm', b'<td>ab</td>' * 30, '--raw=bytes', '--frame=200')
        pcm = b''.join(struct.pack('<h', (i * 311) % 2000 - 1000) for i in range(240))
        blm('pcm.blm', pcm, '--raw=pcm', '--rate=8000', '--channels=2', '--frame=50')
        blm('gray.blm', bytes((x * 3 + y * 5) & 255 for y in range(8) for x in range(12)),
            '--raw=gray', '--width=12', '--height=8', '--frame=3')
        blm('rgb.blm', bytes((i * 7) & 255 for i in range(6 * 5 * 3)),
            '--raw=rgb', '--width=6', '--height=5', '--frame=2')
        # Quiet PCM that the golden model (found through the target's model directory)
        # codes in frame mode 5, the scale prior, which FLAC does not beat.
        vals, st = [], 12345
        for i in range(1200):
            st = (st * 1103515245 + 12345) % 2**31
            vals.append((st >> 16) % 9 - 4)
        quiet = b''.join(struct.pack('<h', v) for v in vals)
        src = os.path.join(tmp, 'in')
        with open(src, 'wb') as f:
            f.write(quiet)
        out = subprocess.run([cli, '-q', '-c', '--model=' + os.path.join(root, 'models', 'test-golden.blmm'),
                              '--raw=pcm', '--rate=8000', '--channels=2', '--frame=300', src],
                             check=True, stdout=subprocess.PIPE).stdout
        put('decoder', 'pcm-scale.blm', b'\x00' + out)
        # A tone under a little noise, stereo: frame mode 6, the cascade predictor
        # (the default preset's mode for PCM of one or two channels; no model needed).
        vals, st = [], 4242
        for i in range(900):
            st = (st * 1103515245 + 12345) % 2**31
            tone = ((i * 37) % 200) * 40 - 4000
            vals += [tone + (st >> 16) % 7, tone // 2 + (st >> 20) % 5]
        with open(src, 'wb') as f:
            f.write(b''.join(struct.pack('<h', v) for v in vals))
        out = subprocess.run([cli, '-q', '-c', '--model=' + model, '--raw=pcm', '--rate=44100',
                              '--channels=2', '--frame=300', src], check=True, stdout=subprocess.PIPE).stdout
        put('decoder', 'pcm-cascade.blm', b'\x00' + out)
        # A gray image, left half flat, right half noisy: mode 5 takes the scale from
        # the row above.
        pix, st = [], 777
        for y in range(24):
            for x in range(32):
                st = (st * 1103515245 + 12345) % 2**31
                pix.append(100 + (st >> 16) % 3 if x < 16 else 108 + (st >> 16) % 41)
        with open(src, 'wb') as f:
            f.write(bytes(pix))
        out = subprocess.run([cli, '-q', '-c', '--model=' + os.path.join(root, 'models', 'test-golden.blmm'),
                              '--raw=gray', '--width=32', '--height=24', '--frame=12', src],
                             check=True, stdout=subprocess.PIPE).stdout
        put('decoder', 'gray-scale.blm', b'\x00' + out)
        # A stream written from a pipe: no total length in the header.
        p = subprocess.run([cli, '-q', '-c', '--model=' + model, '--raw=bytes', '--frame=30', '-'],
                           input=text[:70], check=True, stdout=subprocess.PIPE).stdout
        put('decoder', 'pipe.blm', b'\x00' + p)
        # Recovery with 7-byte pushes, and the packet calls.
        with open(os.path.join(here, 'corpus', 'decoder', 'pcm.blm'), 'rb') as f:
            pcm_stream = f.read()[1:]
        put('decoder', 'pcm-recover.blm', b'\x0a' + pcm_stream)
        put('decoder', 'pcm-packets.blm', b'\x80' + pcm_stream)
        # Mode 7 with alpha, 16-bit samples with value maps (packet calls), gray frames
        # of the pixel network and PCM frames of the audio network: the conformance
        # streams of those kinds.
        conf = os.path.join(root, 'tests', 'conformance')
        for src, name, lead in (('rgba32-image.blm', 'rgba-pixels.blm', b'\x00'),
                                ('gray16-image-maps.blm', 'gray16-maps.blm', b'\x80'),
                                ('gray-image-net.blm', 'gray-net.blm', b'\x00'),
                                ('pcm-stereo-net.blm', 'pcm-net.blm', b'\x00'),
                                ('pcm-stereo-net-adapt.blm', 'pcm-net-adapt.blm', b'\x00'),
                                ('pcm-stereo-net2.blm', 'pcm-net2.blm', b'\x00')):
            with open(os.path.join(conf, src), 'rb') as f:
                put('decoder', name, lead + f.read())
