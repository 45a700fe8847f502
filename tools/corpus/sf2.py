"""Minimal SoundFont 2 reader: the 16-bit sample data of each sample header.

An SF2 file is RIFF 'sfbk' with LIST 'sdta' (chunk 'smpl': all samples as
signed 16-bit little-endian words, optional 'sm24' with 8 extra low bits) and
LIST 'pdta' whose 'shdr' chunk holds 46-byte sample headers:

    char  name[20]; u32 start, end, startloop, endloop, sampleRate;
    u8 originalPitch; s8 pitchCorrection; u16 sampleLink, sampleType;

start/end are sample points into 'smpl' (end exclusive); the last header is
the terminal 'EOS' record. sampleType bit 0x8000 marks ROM samples (no data in
the file). Stereo instruments are two mono samples linked by sampleLink; we
emit every sample as its own mono stream, as the corpus wants.
"""

import mmap
import struct

SHDR_SIZE = 46


def _chunks(buf, pos, end):
    """Yields (fourcc, data_offset, size) of the RIFF sub-chunks in buf[pos:end]."""
    while pos + 8 <= end:
        cid, size = struct.unpack_from('<4sI', buf, pos)
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


def read_headers(path):
    """Returns (samples, smpl_offset, smpl_size); samples: list of dicts in file order."""
    with open(path, 'rb') as f:
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    try:
        riff, size, form = struct.unpack_from('<4sI4s', buf, 0)
        if riff != b'RIFF' or form != b'sfbk':
            raise ValueError('%s: not a SoundFont 2 file' % path)
        end = min(len(buf), 8 + size)
        smpl = None
        shdr = None
        for cid, off, sz in _chunks(buf, 12, end):
            if cid != b'LIST':
                continue
            kind = buf[off:off + 4]
            for sub, soff, ssz in _chunks(buf, off + 4, off + sz):
                if kind == b'sdta' and sub == b'smpl':
                    smpl = (soff, ssz)
                elif kind == b'pdta' and sub == b'shdr':
                    shdr = bytes(buf[soff:soff + ssz])
        if smpl is None or shdr is None:
            raise ValueError('%s: no smpl or shdr chunk' % path)
        samples = []
        for i in range(len(shdr) // SHDR_SIZE):
            (name, start, stop, sloop, eloop, rate, pitch, corr, link,
             stype) = struct.unpack_from('<20sIIIIIBbHH', shdr, i * SHDR_SIZE)
            name = name.split(b'\0', 1)[0].decode('latin-1').strip()
            samples.append(dict(index=i, name=name, start=start, end=stop,
                                rate=rate, link=link, type=stype))
        if samples and samples[-1]['name'] == 'EOS':
            samples.pop()
        return samples, smpl[0], smpl[1]
    finally:
        buf.close()


def usable(samples, smpl_size):
    """Filters the headers to those with data in the file: not ROM, non-empty,
    inside 'smpl', a sane rate; a data range shared by several headers is kept once
    (first header wins)."""
    seen = set()
    out = []
    npoints = smpl_size // 2
    for s in samples:
        if s['type'] & 0x8000 or s['end'] <= s['start'] or s['end'] > npoints:
            continue
        if not 1000 <= s['rate'] <= 192000:
            continue
        key = (s['start'], s['end'])
        if key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out


def sample_bytes(path, smpl_offset, s):
    """The sample's 16-bit little-endian PCM bytes."""
    with open(path, 'rb') as f:
        f.seek(smpl_offset + 2 * s['start'])
        return f.read(2 * (s['end'] - s['start']))
