#!/usr/bin/env python3
"""bytelm corpus builder: Debian packages -> raw PCM / raw pixels / bytes + manifests.

Run through tools/corpus/build.sh, which installs the Debian tools first and sets
LC_ALL=C. Rules come from /work/shared/CORPUS.md (mirrored in docs/CORPUS.md).

Layout under $BYTELM_CACHE/corpus (default ~/.cache/bytelm/corpus):
  debs/<pkg>_<ver>_all.deb        apt-get download cache
  src/<pkg>/                      dpkg-deb -x of each package
  <set>/<dir>/<name>.<ext>        outputs; set = dev | train | speed
  <set>/manifest.tsv              one row per output file (sorted by out_file)
  <set>/.journal/<job>.tsv        per-job rows (resume state), <job>.done when complete
"""

import argparse
import fnmatch
import glob
import gzip
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sf2  # noqa: E402

CACHE = os.environ.get('BYTELM_CACHE') or os.path.join(os.path.expanduser('~'), '.cache', 'bytelm')
ROOT = os.path.join(CACHE, 'corpus')
DEBS = os.path.join(ROOT, 'debs')
SRC = os.path.join(ROOT, 'src')

COLUMNS = ['set', 'modality', 'package', 'version', 'source_file', 'out_file', 'kind',
           'rate', 'channels', 'width', 'height', 'bytes', 'sha256', 'license']

CONVERT = '/usr/bin/convert' if os.path.exists('/usr/bin/convert') else 'convert'

# Short licence names for packages whose copyright file is not machine-readable
# (DEP-5), or where the DEP-5 patterns do not name the installed paths.
LICENSE_OVERRIDE = {
    'asterisk-core-sounds-ru-wav': 'CC-BY-3.0',          # "Files: ru-*" (Maxim Topal)
    'musescore-general-soundfont-lossless': 'Expat',     # MIT; parts PD / CC0
    'dict-foldoc': 'GFDL-1.1+',
    'dict-gcide': 'GPL-2+',
    'fortunes': 'BSD-4-clause',                          # "falls under the BSD copyright"
    'fortunes-it': 'public-domain',
    'fretsonfire-songs-muldjord': 'CC-BY-SA-3.0',
    'fretsonfire-songs-sectoid': 'Expat',
    'singularity-music': 'CC-BY-SA-3.0',
    'wesnoth-1.16-music': 'GPL-2+',
    'plasma-workspace-wallpapers': 'GPL-2+',             # copyright file lacks Format: line
}

log_file = None


def log(msg):
    line = time.strftime('%H:%M:%S ') + msg
    print(line, flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def sanitize(s):
    return re.sub(r'[^A-Za-z0-9._+-]+', '_', s).strip('_') or 'x'


# --------------------------------------------------------------------------- packages

class Package:
    _cache = {}

    def __init__(self, name):
        self.name = name
        self.deb = self._fetch()
        self.version = subprocess.run(['dpkg-deb', '-f', self.deb, 'Version'], check=True,
                                      capture_output=True, text=True).stdout.strip()
        self.root = os.path.join(SRC, name)
        if not os.path.isdir(self.root):
            tmp = self.root + '.tmp'
            shutil.rmtree(tmp, ignore_errors=True)
            os.makedirs(tmp)
            log('extract %s %s' % (name, self.version))
            run(['dpkg-deb', '-x', self.deb, tmp])
            os.rename(tmp, self.root)
        self._dep5 = None

    @classmethod
    def get(cls, name):
        if name not in cls._cache:
            cls._cache[name] = Package(name)
        return cls._cache[name]

    def _fetch(self):
        os.makedirs(DEBS, exist_ok=True)
        found = sorted(glob.glob(os.path.join(DEBS, self.name + '_*.deb')))
        if not found:
            log('apt-get download %s' % self.name)
            run(['apt-get', 'download', '-q', self.name], cwd=DEBS,
                stdout=subprocess.DEVNULL)
            found = sorted(glob.glob(os.path.join(DEBS, self.name + '_*.deb')))
        if not found:
            raise RuntimeError('could not download ' + self.name)
        if len(found) > 1:
            # Several cached versions: use the newest by dpkg ordering.
            best = found[0]
            for p in found[1:]:
                vb = best.split('_')[1]
                vp = p.split('_')[1]
                if subprocess.run(['dpkg', '--compare-versions', vp, 'gt', vb]).returncode == 0:
                    best = p
            return best
        return found[0]

    def files(self, pattern):
        """Sorted regular files (no symlinks) under root matching a glob (relative)."""
        out = []
        for p in glob.glob(os.path.join(self.root, pattern), recursive=True):
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(os.path.relpath(p, self.root))
        return sorted(out)

    def license(self, rel):
        if self.name in LICENSE_OVERRIDE:
            return LICENSE_OVERRIDE[self.name]
        if self._dep5 is None:
            self._dep5 = parse_dep5(os.path.join(self.root, 'usr/share/doc', self.name, 'copyright'))
        lic = None
        rels = (rel, rel[:-3]) if rel.endswith('.gz') else (rel,)  # man2/x.2 names x.2.gz
        for patterns, l in self._dep5:
            if any(dep5_match(r, p) for p in patterns for r in rels):
                lic = l
        return lic or 'see-copyright'


def parse_dep5(path):
    """[(file patterns, short licence)] of a DEP-5 copyright file, debian/* left out."""
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
    except OSError:
        return []
    if not text.startswith('Format:'):
        return []
    paras = []
    for para in re.split(r'\n\s*\n', text):
        m_files = re.search(r'^Files:(.*(?:\n[ \t].*)*)', para, re.M)
        m_lic = re.search(r'^License:[ \t]*(.*)', para, re.M)
        if not m_files or not m_lic:
            continue
        pats = [p for p in m_files.group(1).split() if not p.startswith('debian/')]
        if pats:
            paras.append((pats, m_lic.group(1).strip()))
    return paras


def dep5_match(rel, pat):
    """DEP-5 patterns name upstream paths; ours are install paths. A pattern matches
    when its trailing components match the trailing components of the install path,
    provided those include something other than a bare wildcard."""
    if pat == '*':
        return True
    pat = re.sub(r'\.h2drumkit$', '*/*', pat)  # hydrogen kits: X.h2drumkit -> folder 'X v4/'
    parts = pat.split('/')
    for m in range(len(parts), 0, -1):
        tail = parts[-m:]
        if all(c in ('*', '?', '') for c in tail):
            break
        if fnmatch.fnmatchcase(rel, '*/' + '/'.join(tail)) or fnmatch.fnmatchcase(rel, '/'.join(tail)):
            return True
    return False


# --------------------------------------------------------------------------- decoders
# Each decoder writes the output to `dst` and returns a dict with the manifest's
# kind, rate, channels, width, height.

def probe_sox(src):
    rate = subprocess.run(['soxi', '-r', src], check=True, capture_output=True, text=True).stdout.strip()
    ch = subprocess.run(['soxi', '-c', src], check=True, capture_output=True, text=True).stdout.strip()
    return int(round(float(rate))), int(ch)


def _sox(src, dst):
    """-R: repeatable, -D: no dither (24-bit and float are rounded, not dithered);
    sources above 48 kHz are resampled to 44.1 kHz (sox rate -v)."""
    rate, ch = probe_sox(src)
    cmd = ['sox', '-R', '-D', '-V1', src, '-t', 'raw', '-e', 'signed-integer', '-b', '16', '-L', dst]
    if rate > 48000:
        cmd += ['rate', '-v', '44100']
        rate = 44100
    run(cmd, stderr=subprocess.PIPE)
    return dict(kind='pcm', rate=rate, channels=ch)


def _ffmpeg(src, dst):
    out = subprocess.run(['ffprobe', '-v', 'error', '-select_streams', 'a:0', '-show_entries',
                          'stream=sample_rate,channels', '-of', 'default=nw=1', src],
                         check=True, capture_output=True, text=True).stdout
    info = dict(l.split('=', 1) for l in out.split())
    rate, ch = int(info['sample_rate']), int(info['channels'])
    cmd = ['ffmpeg', '-nostdin', '-v', 'error', '-threads', '1', '-bitexact', '-i', src,
           '-map', '0:a:0', '-fflags', '+bitexact', '-flags:a', '+bitexact',
           '-c:a', 'pcm_s16le', '-f', 's16le', '-y', dst]
    if rate > 48000:
        cmd[cmd.index('-c:a'):cmd.index('-c:a')] = ['-ar', '44100']
        rate = 44100
    run(cmd, stderr=subprocess.PIPE)
    return dict(kind='pcm', rate=rate, channels=ch)


def dec_sox(src, dst):
    """Lossless WAV/FLAC/AIFF -> s16le at its own rate/channels with sox; ffmpeg for the
    few files sox cannot read."""
    try:
        return _sox(src, dst)
    except subprocess.CalledProcessError:
        return _ffmpeg(src, dst)


def dec_ffmpeg(src, dst):
    """Lossy OGG/Opus -> s16le with ffmpeg -bitexact at its own rate/channels; sox
    (libvorbis) for the few files whose headers ffmpeg rejects."""
    try:
        return _ffmpeg(src, dst)
    except subprocess.CalledProcessError:
        return _sox(src, dst)


def parse_pnm(data):
    """(kind, width, height, pixels) of a binary P4/P5/P6 with maxval 255."""
    toks = []
    pos = 0
    need = 3 if data[:2] == b'P4' else 4
    while len(toks) < need:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b'#':
            pos = data.index(b'\n', pos) + 1
            continue
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        toks.append(data[start:pos])
    pos += 1  # the single whitespace after the header
    magic, w, h = toks[0], int(toks[1]), int(toks[2])
    if magic == b'P4':
        rowb = (w + 7) // 8
        out = bytearray(w * h)
        for y in range(h):
            row = data[pos + y * rowb: pos + (y + 1) * rowb]
            for x in range(w):
                out[y * w + x] = 0 if (row[x >> 3] >> (7 - (x & 7))) & 1 else 255
        return 'gray', w, h, bytes(out)
    if int(toks[3]) != 255:
        raise ValueError('maxval %s' % toks[3])
    n = w * h * (1 if magic == b'P5' else 3)
    pix = data[pos:pos + n]
    if len(pix) != n or magic not in (b'P5', b'P6'):
        raise ValueError('bad PNM')
    return ('gray' if magic == b'P5' else 'rgb'), w, h, pix


def write_pixels(dst, kind, w, h, pix):
    with open(dst, 'wb') as f:
        f.write(pix)
    return dict(kind=kind, width=w, height=h)


def dec_pgm(src, dst):
    """8-bit binary PGM (visp) -> raw gray, parsed in Python."""
    return write_pixels(dst, *parse_pnm(open(src, 'rb').read()))


def dec_magick(src, dst, half=False):
    """PNG/JPEG -> raw 8-bit via ImageMagick: alpha flattened on white; gray when the
    flattened picture is gray (ImageMagick's PNM writer decides), else RGB.
    half=True: the 2x box downscale of CORPUS.md for lossy JPEG."""
    cmd = [CONVERT, src + '[0]', '-background', 'white', '-alpha', 'remove', '-alpha', 'off', '+repage']
    if half:
        cmd += ['-filter', 'Box', '-resize', '50%']
    cmd += ['-depth', '8', 'pnm:-']
    data = subprocess.run(cmd, check=True, capture_output=True).stdout
    return write_pixels(dst, *parse_pnm(data))


def dec_jpeg_half(src, dst):
    return dec_magick(src, dst, half=True)


def dec_copy(src, dst):
    shutil.copyfile(src, dst)
    return dict(kind='bytes')


def dec_gunzip(src, dst):
    """.gz / .dict.dz (dictzip is gzip-compatible) -> bytes, like zcat."""
    with gzip.open(src, 'rb') as f, open(dst, 'wb') as g:
        shutil.copyfileobj(f, g)
    return dict(kind='bytes')


def dec_text(src, dst):
    return dec_gunzip(src, dst) if src.endswith(('.gz', '.dz')) else dec_copy(src, dst)


# --------------------------------------------------------------------------- jobs

class Item:
    def __init__(self, source_file, name, fn):
        self.source_file = source_file  # relative to the package root (or a description)
        self.name = name                # output basename without extension
        self.fn = fn                    # fn(dst) -> meta dict


EXT = {'pcm': '.s16', 'gray': '.gray', 'rgb': '.rgb', 'bytes': '.txt'}


class Job:
    def __init__(self, set_, subdir, package, items_fn, note=''):
        self.set = set_
        self.subdir = subdir              # audio-speech | audio-music | image | text | mixed
        self.modality = subdir.split('-')[0]
        self.package = package
        self.items_fn = items_fn          # items_fn(pkg) -> [Item]
        self.note = note

    @property
    def id(self):
        return '%s__%s' % (self.subdir, self.package)


def simple(pattern, dec, strip=None, exclude=None, select=None):
    """Items for all files under a glob; the name is the path below `strip` (a glob
    prefix), '/' -> '__'. exclude: regex on the relative path. select: list -> list."""
    def items(pkg):
        files = pkg.files(pattern)
        if exclude:
            files = [f for f in files if not re.search(exclude, f)]
        if select:
            files = select(files)
        out = []
        for f in files:
            rel = f
            if strip:
                m = re.match(strip, f)
                rel = f[m.end():] if m else f
            base = re.sub(r'\.(gz|dict\.dz|wav|flac|aiff?|ogg|opus|png|jpe?g|pgm)$', '', rel, flags=re.I)
            name = sanitize(pkg.name + '__' + base.replace('/', '__'))
            out.append(Item(f, name, lambda dst, src=os.path.join(pkg.root, f): dec(src, dst)))
        return out
    return items


def sf2_items(pattern):
    def items(pkg):
        out = []
        for f in pkg.files(pattern):
            path = os.path.join(pkg.root, f)
            headers, off, size = sf2.read_headers(path)
            stem = os.path.basename(f)[:-4]
            for s in sf2.usable(headers, size):
                name = sanitize('%s__%s__%04d_%s' % (pkg.name, stem, s['index'], s['name']))

                def fn(dst, s=s, path=path, off=off):
                    with open(dst, 'wb') as g:
                        g.write(sf2.sample_bytes(path, off, s))
                    return dict(kind='pcm', rate=s['rate'], channels=1)
                out.append(Item('%s#shdr[%d]:%s' % (f, s['index'], s['name']), name, fn))
        return out
    return items


def sword_items(module):
    def items(pkg):
        sw = os.path.join(pkg.root, 'usr/share/sword')

        def fn(dst):
            env = dict(os.environ, SWORD_PATH=sw, LC_ALL='C', HOME='/nonexistent')
            with open(dst, 'wb') as g:
                run(['diatheke', '-b', module, '-f', 'plain', '-k', 'Gen 1:1-Rev 22:21'],
                    stdout=g, env=env, stdin=subprocess.DEVNULL)
            return dict(kind='bytes')
        conf = 'usr/share/sword/mods.d/%s.conf' % module.lower()
        return [Item(conf + ' (diatheke -b %s -f plain -k "Gen 1:1-Rev 22:21")' % module,
                     sanitize('%s__%s' % (pkg.name, module)), fn)]
    return items


FESTVOX = 'usr/share/festival/voices/russian/msu_ru_nsh_clunits/wav/*.wav'
VISP = 'usr/share/visp-images-data/ViSP-images/'
JXL = 'usr/share/libjxl-testdata/'
AUDIO_EXT = r'\.(wav|flac|aiff?)$'


def wallpaper_select(files):
    """Lossy JPEG wallpapers: drop screenshots, keep the largest of several sizes of the
    same picture; md5 duplicates are removed later (dedupe_md5)."""
    # Heuristic for screenshots: the file name says so (Plasma's contents/screenshot.jpg
    # previews, 400x250 thumbnails of the wallpaper beside them).
    files = [f for f in files if re.search(r'\.jpe?g$', f, re.I)
             and 'screenshot' not in os.path.basename(f).lower()]
    groups = {}
    for f in files:
        d, b = os.path.split(f)
        stem = re.sub(r'(^|_)\d+x\d+$', '', os.path.splitext(b)[0])
        groups.setdefault((d, stem), []).append(f)
    keep = []
    for key in sorted(groups):
        fs = groups[key]
        if len(fs) == 1:
            keep.append(fs[0])
            continue
        def pixels(f):
            m = re.search(r'(\d+)x(\d+)', os.path.basename(f))
            return int(m.group(1)) * int(m.group(2)) if m else 0
        keep.append(sorted(fs, key=lambda f: (-pixels(f), f))[0])
    return sorted(keep)


def jobs():
    J = []
    S = lambda *a, **k: J.append(Job(*a, **k))
    # ---- dev-eval (first: they are what everyone measures on) ----
    S('dev', 'audio-speech', 'festvox-ru', simple(FESTVOX, dec_sox, strip=r'.*/wav/', select=lambda f: f[-124:]))
    S('dev', 'audio-speech', 'asterisk-core-sounds-ru-wav',
      simple('usr/share/asterisk/sounds/**/*.wav', dec_sox, strip=r'usr/share/asterisk/sounds/'))
    S('dev', 'audio-music', 'sonic-pi-samples',
      simple('usr/share/sonic-pi/samples/*.flac', dec_sox, strip=r'usr/share/sonic-pi/samples/'))
    S('dev', 'image', 'visp-images-data', simple(VISP + 'cube/*.pgm', dec_pgm, strip=re.escape(VISP)))
    S('dev', 'image', 'libjxl-testdata',
      simple(JXL + '**/*.png', dec_magick, strip=re.escape(JXL),
             select=lambda fs: [f for f in fs if f.endswith('jxl/flower/flower.png')
                                or re.search(r'external/wesaturate/500px/[^/]*_srgb8\.png$', f)]))
    S('dev', 'text', 'debian-reference-en',
      simple('usr/share/debian-reference/*', dec_text, strip=r'usr/share/debian-reference/',
             exclude=r'\.pdf$'))
    S('dev', 'mixed', 'dev-mixed', None)
    # ---- speed: dev-eval for speed only (lossy) ----
    S('speed', 'audio-music', 'hyperrogue-music',
      simple('usr/share/hyperrogue/music/*.ogg', dec_ffmpeg, strip=r'usr/share/hyperrogue/music/'))
    # ---- train: audio ----
    S('train', 'audio-speech', 'festvox-ru', simple(FESTVOX, dec_sox, strip=r'.*/wav/', select=lambda f: f[:-124]))
    for p in ('asterisk-core-sounds-en-wav', 'asterisk-core-sounds-es-wav', 'asterisk-prompt-it-menardi-wav'):
        S('train', 'audio-speech', p, simple('usr/share/asterisk/sounds/**/*.wav', dec_sox,
                                             strip=r'usr/share/asterisk/sounds/'))
    S('train', 'audio-speech', 'ktuberling-data',
      simple('usr/share/ktuberling/sounds/**/*.wav', dec_sox, strip=r'usr/share/ktuberling/sounds/'))
    S('train', 'audio-music', 'musescore-general-soundfont-lossless', sf2_items('usr/share/sounds/sf2/*.sf2'))
    S('train', 'audio-music', 'avldrums.lv2-soundfont', sf2_items('usr/share/sounds/sf2/*.sf2'))
    for p in ('hydrogen-drumkits', 'hydrogen-data'):
        S('train', 'audio-music', p, simple('usr/share/hydrogen/data/**/*', dec_sox,
                                            strip=r'usr/share/hydrogen/data/',
                                            select=lambda fs: [f for f in fs if re.search(AUDIO_EXT, f, re.I)]))
    S('train', 'audio-music', 'emacspeak', simple('usr/share/emacs/site-lisp/emacspeak/**/*.wav', dec_sox,
                                                  strip=r'usr/share/emacs/site-lisp/emacspeak/'))
    S('train', 'audio-music', 'bucklespring-data', simple('usr/share/buckle/wav/*.wav', dec_sox,
                                                          strip=r'usr/share/buckle/wav/'))
    for p, pat, strip in (
            ('wesnoth-1.16-music', 'usr/share/games/wesnoth/1.16/data/core/music/*.ogg', r'.*/music/'),
            ('warzone2100-music', 'usr/share/games/warzone2100/music/**/*.opus', r'.*/music/'),
            ('planetblupi-music-ogg', 'usr/share/planetblupi/music/*.ogg', r'.*/music/'),
            ('singularity-music', 'usr/share/games/singularity/music/**/*.ogg', r'.*/singularity/music/'),
            ('fretsonfire-songs-muldjord', 'usr/share/games/fretsonfire/data/songs/**/*.ogg', r'.*/songs/'),
            ('fretsonfire-songs-sectoid', 'usr/share/games/fretsonfire/data/songs/**/*.ogg', r'.*/songs/')):
        S('train', 'audio-music', p, simple(pat, dec_ffmpeg, strip=strip))
    # ---- train: images ----
    S('train', 'image', 'visp-images-data',
      simple(VISP + '**/*.pgm', dec_pgm, strip=re.escape(VISP),
             exclude=r'/ViSP-images/(cube|mbt|mbt-depth)/|Castle-simu'))
    for p in ('plasma-workspace-wallpapers', 'mate-backgrounds', 'ukui-wallpapers', 'lomiri-wallpapers-20.04'):
        S('train', 'image', p, simple('usr/share/**/*', dec_jpeg_half, strip=r'usr/share/(wallpapers|backgrounds)/',
                                      select=wallpaper_select))
    S('train', 'image', 'tuxpaint-stamps-default',
      simple('usr/share/tuxpaint/stamps/**/*.png', dec_magick, strip=r'usr/share/tuxpaint/stamps/'))
    # ---- train: text ----
    for p in ('dict-gcide', 'dict-wn', 'dict-foldoc', 'dict-jargon'):
        S('train', 'text', p, simple('usr/share/dictd/*.dict.dz', dec_gunzip, strip=r'usr/share/dictd/'))
    S('train', 'text', 'linux-doc-6.1',
      simple('usr/share/doc/linux-doc-6.1/Documentation/**/*', dec_text,
             strip=r'usr/share/doc/linux-doc-6.1/Documentation/',
             exclude=r'\.(gif|png|jpe?g|ico|ttf|woff2?|pdf)(\.gz)?$'))  # text only
    for p in ('fortunes', 'fortunes-it', 'fortunes-es', 'fortunes-pl', 'fortunes-cs'):
        S('train', 'text', p, simple('usr/share/games/fortunes/**/*', dec_text,
                                     strip=r'usr/share/games/fortunes/', exclude=r'\.(dat|u8)$'))
    S('train', 'text', 'miscfiles', simple('usr/share/**/*', dec_text, strip=r'usr/share/',
                                           exclude=r'^usr/share/(doc|lintian)/'))
    S('train', 'text', 'manpages', simple('usr/share/man/**/*', dec_text, strip=r'usr/share/man/'))
    for p, m in (('sword-text-web', 'engWEB2015eb'), ('sword-text-kjv', 'engKJV2006eb'),
                 ('sword-text-sparv', 'spaRV1909eb')):
        S('train', 'text', p, sword_items(m))
    return J


# --------------------------------------------------------------------------- running

def sha256_file(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for b in iter(lambda: f.read(1 << 20), b''):
            h.update(b)
    return h.hexdigest()


def journal_paths(job):
    d = os.path.join(ROOT, job.set, '.journal')
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, job.id + '.tsv'), os.path.join(d, job.id + '.done')


def read_journal(path):
    rows = {}
    if os.path.exists(path):
        for line in open(path, encoding='utf-8'):
            f = line.rstrip('\n').split('\t')
            if len(f) == len(COLUMNS):
                rows[f[5]] = f
    return rows


def run_job(job):
    jpath, done = journal_paths(job)
    if os.path.exists(done):
        log('[%s] %s: done before, skipped' % (job.set, job.id))
        return
    if job.items_fn is None:
        return build_mixed(job)
    pkg = Package.get(job.package)
    items = job.items_fn(pkg)
    names = {}
    for it in items:  # make names unique deterministically
        if it.name in names:
            it.name += '~' + hashlib.sha1(it.source_file.encode()).hexdigest()[:8]
        names[it.name] = it
    by_src = {r[4]: r for r in read_journal(jpath).values()}
    outdir = os.path.join(ROOT, job.set, job.subdir)
    os.makedirs(outdir, exist_ok=True)
    dedupe = job.package in ('plasma-workspace-wallpapers', 'mate-backgrounds', 'ukui-wallpapers',
                             'lomiri-wallpapers-20.04')
    seen_md5 = set()
    t0 = time.time()
    n_new = n_skip = n_fail = 0
    with open(jpath, 'a', encoding='utf-8') as jf:
        for i, it in enumerate(items):
            if dedupe:
                md5 = hashlib.md5(open(os.path.join(pkg.root, it.source_file), 'rb').read()).hexdigest()
                if md5 in seen_md5:
                    log('  duplicate (md5) skipped: %s' % it.source_file)
                    continue
                seen_md5.add(md5)
            prev = by_src.get(it.source_file)
            if prev and os.path.exists(os.path.join(ROOT, prev[5])):
                n_skip += 1
                continue
            tmp = os.path.join(outdir, '.tmp-' + it.name)
            try:
                meta = it.fn(tmp)
            except Exception as e:  # noqa: BLE001 - log, skip the item, go on
                n_fail += 1
                log('  FAILED %s: %s' % (it.source_file, e))
                if os.path.exists(tmp):
                    os.remove(tmp)
                continue
            size = os.path.getsize(tmp)
            if size == 0:
                os.remove(tmp)
                log('  empty output skipped: %s' % it.source_file)
                continue
            rel = os.path.join(job.set, job.subdir, it.name + EXT[meta['kind']])
            os.replace(tmp, os.path.join(ROOT, rel))
            row = [job.set, job.modality, pkg.name, pkg.version, it.source_file, rel, meta['kind'],
                   str(meta.get('rate', '')), str(meta.get('channels', '')), str(meta.get('width', '')),
                   str(meta.get('height', '')), str(size), sha256_file(os.path.join(ROOT, rel)),
                   pkg.license(it.source_file)]
            row = [c.replace('\t', ' ').replace('\n', ' ') for c in row]
            jf.write('\t'.join(row) + '\n')
            jf.flush()
            n_new += 1
            if (i + 1) % 200 == 0:
                log('  %s: %d/%d' % (job.id, i + 1, len(items)))
    log('[%s] %s: %d new, %d already there, %d failed (%.0f s)' % (job.set, job.id, n_new, n_skip,
                                                                 n_fail, time.time() - t0))
    if n_fail == 0:
        open(done, 'w').close()


def build_mixed(job):
    """dev/mixed: real mixed-content files built only from dev-eval packages."""
    jpath, done = journal_paths(job)
    dev = os.path.join(ROOT, 'dev')
    need = ['audio-speech__festvox-ru', 'audio-speech__asterisk-core-sounds-ru-wav',
            'image__visp-images-data', 'image__libjxl-testdata', 'text__debian-reference-en']
    missing = [n for n in need if not os.path.exists(os.path.join(dev, '.journal', n + '.done'))]
    if missing:
        log('[dev] mixed: waits for %s' % ', '.join(missing))
        return
    fest = Package.get('festvox-ru')
    ast = Package.get('asterisk-core-sounds-ru-wav')
    visp = Package.get('visp-images-data')
    jxl = Package.get('libjxl-testdata')
    ref = Package.get('debian-reference-en')
    fest_dev = fest.files(FESTVOX)[-124:]
    outdir = os.path.join(dev, 'mixed')
    os.makedirs(outdir, exist_ok=True)
    rows = []

    def emit(name, data, package, version, source, lic):
        rel = os.path.join('dev', 'mixed', name)
        with open(os.path.join(ROOT, rel) + '.tmp', 'wb') as f:
            f.write(data)
        os.replace(os.path.join(ROOT, rel) + '.tmp', os.path.join(ROOT, rel))
        rows.append(['dev', 'mixed', package, version, source, rel, 'bytes', '', '', '', '',
                     str(len(data)), hashlib.sha256(data).hexdigest(), lic])

    # 1. A tar (ustar, fixed owner/mtime/mode, fixed order) of original dev-eval files:
    #    two festvox WAVs, two asterisk WAVs, two visp PGMs, one HTML chapter, one PNG.
    members = [(fest, fest_dev[0]), (fest, fest_dev[1]),
               (ast, ast.files('usr/share/asterisk/sounds/**/*.wav')[0]),
               (ast, ast.files('usr/share/asterisk/sounds/**/*.wav')[1]),
               (visp, visp.files(VISP + 'cube/*.pgm')[0]), (visp, visp.files(VISP + 'cube/*.pgm')[1]),
               (ref, 'usr/share/debian-reference/ch05.en.html'),
               (jxl, JXL + 'external/wesaturate/500px/cvo9xd_keong_macan_srgb8.png')]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for pkg, rel in members:
            data = open(os.path.join(pkg.root, rel), 'rb').read()
            ti = tarfile.TarInfo(pkg.name + '/' + rel)
            ti.size, ti.mtime, ti.mode, ti.uid, ti.gid, ti.uname, ti.gname = len(data), 0, 0o644, 0, 0, '', ''
            tar.addfile(ti, io.BytesIO(data))
    emit('dev-files.tar', buf.getvalue(), 'dev-mixed', '-',
         ' + '.join('%s:%s' % (p.name, r) for p, r in members), 'various (see members)')
    # 2. Concatenation of decoded modalities: text, 16-bit PCM, 8-bit gray, text.
    def out_of(pkgname, source):
        for r in read_journal(os.path.join(dev, '.journal', '%s.tsv' % pkgname)).values():
            if r[4] == source:
                return open(os.path.join(ROOT, r[5]), 'rb').read()
        raise KeyError(source)
    parts = [('text__debian-reference-en', 'usr/share/debian-reference/pr01.en.html'),
             ('audio-speech__festvox-ru', fest_dev[2]),
             ('image__visp-images-data', visp.files(VISP + 'cube/*.pgm')[2]),
             ('text__debian-reference-en', 'usr/share/debian-reference/apa.en.html')]
    emit('concat-text-pcm-gray-text.bin', b''.join(out_of(j, s) for j, s in parts), 'dev-mixed', '-',
         ' + '.join('%s(decoded)' % s for _, s in parts), 'various (see parts)')
    # 3. Real mixed files as shipped: the Debian Reference PDF (text, fonts, deflate
    #    streams), one WAV with its header, one PNG (already deflate-compressed).
    for pkg, rel, name in ((ref, 'usr/share/debian-reference/debian-reference.en.pdf', 'debian-reference.en.pdf'),
                           (fest, fest_dev[3], 'festvox-ru__' + os.path.basename(fest_dev[3])),
                           (jxl, JXL + 'external/wesaturate/500px/u76c0g_bliznaca_srgb8.png',
                            'libjxl-testdata__u76c0g_bliznaca_srgb8.png')):
        emit(name, open(os.path.join(pkg.root, rel), 'rb').read(), pkg.name, pkg.version, rel,
             pkg.license(rel))
    with open(jpath, 'w', encoding='utf-8') as jf:
        for r in rows:
            jf.write('\t'.join(r) + '\n')
    open(done, 'w').close()
    log('[dev] mixed: %d files' % len(rows))


def write_manifest(set_):
    d = os.path.join(ROOT, set_)
    jdir = os.path.join(d, '.journal')
    if not os.path.isdir(jdir):
        return None
    rows = []
    for p in sorted(glob.glob(os.path.join(jdir, '*.tsv'))):
        for r in read_journal(p).values():
            if os.path.exists(os.path.join(ROOT, r[5])):
                rows.append(r)
    rows.sort(key=lambda r: r[5])
    tmp = os.path.join(d, 'manifest.tsv.tmp')
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('\t'.join(COLUMNS) + '\n')
        for r in rows:
            f.write('\t'.join(r) + '\n')
    os.replace(tmp, os.path.join(d, 'manifest.tsv'))
    return rows


def summary(set_, rows):
    agg = {}
    for r in rows:
        key = r[5].split('/')[1]
        a = agg.setdefault(key, [0, 0, 0.0])
        a[0] += 1
        a[1] += int(r[11])
        if r[6] == 'pcm':
            a[2] += int(r[11]) / (2 * int(r[8]) * int(r[7])) / 3600
    print('== %s  (%s/manifest.tsv)' % (set_, os.path.join(ROOT, set_)))
    tot = [0, 0, 0.0]
    for k in sorted(agg):
        a = agg[k]
        print('   %-13s %6d files %10.1f MB%s' % (k, a[0], a[1] / 1e6, '   %.2f h audio' % a[2] if a[2] else ''))
        tot = [tot[0] + a[0], tot[1] + a[1], tot[2] + a[2]]
    print('   %-13s %6d files %10.1f MB%s' % ('total', tot[0], tot[1] / 1e6, '   %.2f h audio' % tot[2] if tot[2] else ''))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--only', choices=['audio', 'image', 'text', 'mixed'])
    ap.add_argument('--sets', default='dev,speed,train', help='comma list of dev,speed,train')
    ap.add_argument('--summary', action='store_true', help='only rewrite manifests and print the summary')
    args = ap.parse_args()
    sets = [s.strip() for s in args.sets.split(',') if s.strip()]
    for s in sets:
        if s not in ('dev', 'speed', 'train'):
            ap.error('unknown set %r' % s)
    log('corpus root: %s' % ROOT)
    if not args.summary:
        for job in jobs():
            if job.set not in sets or (args.only and job.modality != args.only):
                continue
            run_job(job)
            write_manifest(job.set)
    for s in ('dev', 'speed', 'train'):
        if s in sets:
            rows = write_manifest(s)
            if rows is not None:
                summary(s, rows)


if __name__ == '__main__':
    main()
