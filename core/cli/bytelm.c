/*
 * bytelm: command-line front end of libbytelm.
 *
 *   bytelm [OPTIONS] [FILE...]        compress (WAV, PNG, PGM/PPM, any bytes)
 *   bytelm -d [OPTIONS] [FILE...]     decompress
 *   bytelm -t [OPTIONS] [FILE...]     test integrity
 *   bytelm info FILE.blm...           describe a stream
 *
 * Conventions follow xz/zstd/flac: the input is kept, outputs appear only when
 * complete, existing files are never overwritten without -f. See docs/CLI.md.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bytelm/bytelm.h>

#include "image_io.h"
#include "input_file.h"
#include "output_file.h"
#include "progress.h"
#include "wav_io.h"

#ifndef BYTELM_CLI_VERSION
#define BYTELM_CLI_VERSION "unknown"
#endif

/* Input is fed to the library, and output taken from it, in pieces of this
 * size, so memory stays bounded whatever the file size. */
#define CHUNK ((size_t)1 << 20)

#define EXIT_ERROR 1
#define EXIT_USAGE 2

typedef enum Mode { MODE_ENCODE, MODE_DECODE, MODE_TEST, MODE_INFO } Mode;
typedef enum RawKind { RAW_NONE, RAW_PCM, RAW_GRAY, RAW_RGB, RAW_BYTES } RawKind;

typedef struct Options {
    Mode mode;
    int to_stdout, force, rm_input, verify, recover, verbose, quiet, progress;
    const char *output;
    int threads;
    int preset;                 /* -1 = library default */
    const char *model_path, *model_dir;
    uint32_t frame_units;
    RawKind raw;
    uint32_t rate, channels, width, height;
    size_t max_memory;          /* for what an input file claims (PNG) */
} Options;

static const char usage_text[] =
"Usage: bytelm [OPTION]... [FILE]...\n"
"       bytelm info FILE.blm...\n"
"Compress or decompress FILEs with bytelm (lossless; 16-bit PCM WAV, 8-bit\n"
"gray/RGB PNG, PGM/PPM, or any bytes). With no FILE, or when FILE is -,\n"
"read standard input and write standard output.\n"
"\n"
"Operation:\n"
"  -z, --compress        compress (the default)\n"
"  -d, --decompress      decompress FILE.blm to the format it came from\n"
"  -t, --test            decompress and check integrity, write nothing\n"
"      info              print what a stream holds (first argument)\n"
"\n"
"Files:\n"
"  -o, --output=FILE     write to FILE (one input only; - is stdout)\n"
"  -c, --stdout          write to standard output\n"
"  -f, --force           overwrite existing output files; compress .blm files\n"
"  -k, --keep            keep input files (the default)\n"
"      --rm              delete each input file after it was coded successfully\n"
"\n"
"Coding:\n"
"      --preset=NAME     fast, default or max\n"
"      --model=FILE      use the model in FILE (.blmm)\n"
"      --model-dir=DIR   also look for models in DIR\n"
"      --frame=N         samples per channel, rows or bytes per frame\n"
"  -j, --threads=N       worker threads (default 0: one per CPU)\n"
"      --max-memory=SIZE the most memory reading one PNG may take: libpng's\n"
"                        buffers, and the whole image of an interlaced PNG\n"
"                        (default 256M; K, M, G suffixes)\n"
"      --verify          decode the new stream and compare it with the input\n"
"                        before keeping it\n"
"  -F, --recover         decompress a damaged stream as far as possible: keep\n"
"                        every intact frame, zeros in place of lost ones, list\n"
"                        the lost spans; exit status 1 if anything was lost\n"
"\n"
"Raw input (instead of detecting WAV/PNG/PNM/bytes from the content):\n"
"      --raw=pcm --rate=R --channels=C     signed 16-bit little-endian PCM\n"
"      --raw=gray|rgb --width=W --height=H 8-bit pixels, row-major\n"
"      --raw=bytes                         any bytes\n"
"\n"
"Other:\n"
"  -v, --verbose         print model, sizes, ratio and speed\n"
"  -q, --quiet           print errors only, no progress\n"
"  -h, --help            print this help and exit\n"
"  -V, --version         print the version and exit\n"
"\n"
"Exit status: 0 success, 1 an error with some FILE, 2 usage error.\n";

/* ---- messages ------------------------------------------------------------ */

static Progress *active_progress;

static void vmessage(const char *name, const char *prefix, const char *fmt, va_list ap)
{
    if (active_progress)
        progress_end(active_progress);
    fputs("bytelm: ", stderr);
    if (name)
        fprintf(stderr, "%s: ", name);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

static void error_msg(const char *name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void error_msg(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(name, "", fmt, ap);
    va_end(ap);
}

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(NULL, "", fmt, ap);
    va_end(ap);
    fputs("Try 'bytelm --help' for more information.\n", stderr);
    exit(EXIT_USAGE);
}

/* Library errors, with a hint where the user can do something about them. */
static void lib_error(const char *name, const char *what, int rc)
{
    const char *hint = "";
    if (rc == BYTELM_ENOMODEL)
        hint = " (use --model=FILE or --model-dir=DIR)";
    else if (rc == BYTELM_EFORMAT && !strcmp(what, "reading stream"))
        hint = " (not a bytelm stream?)";
    error_msg(name, "%s: %s%s", what, bytelm_strerror(rc), hint);
}

static void log_callback(void *opaque, int level, const char *msg)
{
    const char *name = opaque;
    if (active_progress)
        progress_end(active_progress);
    fprintf(stderr, "bytelm: %s: %s%s\n", name, level == BYTELM_LOG_WARNING ? "warning: " : "", msg);
}

/* ---- names --------------------------------------------------------------- */

static int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcasecmp(s + n - m, suffix);
}

static char *concat(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    char *s = malloc(alen + blen + 1);
    if (s) {
        memcpy(s, a, alen);
        memcpy(s + alen, b, blen + 1);
    }
    return s;
}

/* "song.wav" -> "song.blm" when the name's extension matches what the content
 * is; any other name gets ".blm" appended, so that decoding restores it. */
static char *encode_output_name(const char *in, InputFormat fmt, int raw)
{
    static const char *const ext[] = {
        [INPUT_WAV] = ".wav", [INPUT_PNG] = ".png", [INPUT_PNM] = NULL,
    };
    size_t n = strlen(in);
    const char *strip = NULL;
    if (!raw) {
        if (fmt == INPUT_WAV || fmt == INPUT_PNG)
            strip = has_suffix_ci(in, ext[fmt]) ? ext[fmt] : NULL;
        else if (fmt == INPUT_PNM)
            strip = has_suffix_ci(in, ".pgm") || has_suffix_ci(in, ".ppm") ||
                    has_suffix_ci(in, ".pnm") ? ".pnm" : NULL;
    }
    if (strip)
        n -= strlen(strip);
    return concat(in, n, ".blm");
}

/* The file the stream came from, as far as the header tells. A source hint
 * that does not fit the kind is treated as raw. */
static BytelmSource effective_source(const BytelmStreamInfo *info)
{
    switch (info->source) {
    case BYTELM_SOURCE_WAV:
        return info->kind == BYTELM_KIND_PCM_S16LE ? BYTELM_SOURCE_WAV : BYTELM_SOURCE_RAW;
    case BYTELM_SOURCE_PNG:
    case BYTELM_SOURCE_PNM:
        return info->kind == BYTELM_KIND_GRAY8 || info->kind == BYTELM_KIND_RGB24
               ? info->source : BYTELM_SOURCE_RAW;
    default:
        return BYTELM_SOURCE_RAW;
    }
}

static const char *decoded_extension(const BytelmStreamInfo *info)
{
    switch (effective_source(info)) {
    case BYTELM_SOURCE_WAV: return ".wav";
    case BYTELM_SOURCE_PNG: return ".png";
    case BYTELM_SOURCE_PNM: return info->kind == BYTELM_KIND_GRAY8 ? ".pgm" : ".ppm";
    default: return info->kind == BYTELM_KIND_BYTES ? "" : ".raw";
    }
}

/* "x.blm" -> "x.wav"/"x.png"/...; "notes.txt.blm" -> "notes.txt" (raw bytes);
 * "x.pcm.blm" -> "x.pcm" and "x.blm" -> "x.raw" (other raw kinds). NULL when
 * the name does not end in .blm (like xz: "unknown suffix"). */
static char *decode_output_name(const char *in, const BytelmStreamInfo *info)
{
    if (!has_suffix_ci(in, ".blm"))
        return NULL;
    size_t n = strlen(in) - 4;
    char *stem = concat(in, n, "");
    if (!stem)
        return NULL;
    const char *ext = decoded_extension(info);
    const char *base = strrchr(stem, '/') ? strrchr(stem, '/') + 1 : stem;
    if (effective_source(info) == BYTELM_SOURCE_RAW) {
        /* Raw PCM or pixels: keep an extension the user had ("x.pcm.blm"). */
        if (strchr(base + (*base == '.'), '.'))
            ext = "";
    } else if (has_suffix_ci(stem, ext) ||
               (effective_source(info) == BYTELM_SOURCE_PNM && has_suffix_ci(stem, ".pnm"))) {
        /* "song.wav.blm" came from a WAV named song.wav: no second ".wav". */
        ext = "";
    }
    char *out = concat(stem, n, ext);
    free(stem);
    return out;
}

/* ---- names for humans ---------------------------------------------------- */

static const char *kind_name(BytelmKind k)
{
    switch (k) {
    case BYTELM_KIND_BYTES: return "bytes";
    case BYTELM_KIND_PCM_S16LE: return "PCM s16le";
    case BYTELM_KIND_GRAY8: return "gray8";
    case BYTELM_KIND_RGB24: return "rgb24";
    default: return "unknown";
    }
}

static const char *source_name(BytelmSource s)
{
    switch (s) {
    case BYTELM_SOURCE_RAW: return "raw";
    case BYTELM_SOURCE_WAV: return "WAV";
    case BYTELM_SOURCE_PNG: return "PNG";
    case BYTELM_SOURCE_PNM: return "PGM/PPM";
    default: return "unknown";
    }
}

static const char *preset_name(int p)
{
    switch (p) {
    case BYTELM_PRESET_FAST: return "fast";
    case BYTELM_PRESET_DEFAULT: return "default";
    case BYTELM_PRESET_MAX: return "max";
    default: return "unknown";
    }
}

static const char *unit_name(BytelmKind k)
{
    switch (k) {
    case BYTELM_KIND_PCM_S16LE: return "samples per channel";
    case BYTELM_KIND_GRAY8:
    case BYTELM_KIND_RGB24: return "rows";
    default: return "bytes";
    }
}

/* "0x3f (FL FR FC LFE BL BR)" */
static void format_mask(uint32_t mask, char *buf, size_t len)
{
    static const char *const names[18] = {"FL", "FR", "FC", "LFE", "BL", "BR", "FLC", "FRC", "BC",
                                           "SL", "SR", "TC", "TFL", "TFC", "TFR", "TBL", "TBC", "TBR"};
    size_t pos = (size_t)snprintf(buf, len, "0x%x (", (unsigned)mask);
    for (int b = 0; b < 32 && pos < len; b++)
        if (mask & (1u << b))
            pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", buf[pos - 1] == '(' ? "" : " ",
                                    b < 18 ? names[b] : "?");
    if (pos < len)
        snprintf(buf + pos, len - pos, ")");
}

static void format_hash(const uint8_t *h, char *buf)
{
    for (int i = 0; i < 32; i++)
        sprintf(buf + 2 * i, "%02x", h[i]);
}

/* ---- settings ------------------------------------------------------------ */

static void base_settings(const Options *o, BytelmSettings *s, const char *name)
{
    bytelm_default_settings(s);
    if (o->preset >= 0)
        s->preset = (BytelmPreset)o->preset;
    s->frame_units = o->frame_units;
    s->threads = o->threads;
    s->model_path = o->model_path;
    s->model_dir = o->model_dir;
    /* The library's own error messages say more than its error codes, so
     * they are shown even with -q. */
    s->log_callback = log_callback;
    s->log_opaque = (void *)name;
    s->log_level = o->verbose ? BYTELM_LOG_INFO : o->quiet ? BYTELM_LOG_ERROR : BYTELM_LOG_WARNING;
}

/* ---- encoding input ------------------------------------------------------ */

/* Where the raw units come from, whatever the file format. */
typedef struct Source {
    InputFormat fmt;
    RawKind raw;
    InFile *in;
    WavReader *wav;
    PngReader *png;
    ImageInfo img;
    uint32_t unit_bytes;      /* bytes per PCM frame, per image row, or 1 */
    uint64_t total_bytes;     /* raw bytes expected, UINT64_MAX if unknown */
    uint64_t done_bytes;
    int ended;
} Source;

static int source_open(Source *src, const Options *o, InFile *in, BytelmSettings *s,
                       char *err, size_t errlen)
{
    memset(src, 0, sizeof *src);
    src->in = in;
    src->raw = o->raw;
    src->total_bytes = UINT64_MAX;
    src->unit_bytes = 1;
    if (o->raw == RAW_NONE) {
        long n = infile_peek(in, 4096);
        if (n < 0) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            return -1;
        }
        src->fmt = detect_format(in->pre + in->pre_pos, (size_t)n);
    } else {
        src->fmt = INPUT_BYTES;
    }

    if (o->raw == RAW_PCM) {
        s->kind = BYTELM_KIND_PCM_S16LE;
        s->source = BYTELM_SOURCE_RAW;
        s->sample_rate = o->rate;
        s->channels = o->channels;
        src->unit_bytes = 2 * o->channels;
        if (in->seekable) {
            if (in->size % src->unit_bytes) {
                snprintf(err, errlen, "raw PCM size %" PRIu64 " is not a multiple of %u bytes "
                         "(2 bytes x %u channels)", in->size, src->unit_bytes, o->channels);
                return -1;
            }
            src->total_bytes = in->size;
            s->total_units = in->size / src->unit_bytes;
        }
        return 0;
    }
    if (o->raw == RAW_GRAY || o->raw == RAW_RGB) {
        src->img.width = o->width;
        src->img.height = o->height;
        src->img.channels = o->raw == RAW_GRAY ? 1 : 3;
        if (image_check_size(&src->img, "raw image", err, errlen) < 0)
            return -1;
        src->total_bytes = (uint64_t)o->width * o->height * src->img.channels;
        if (in->seekable && in->size != src->total_bytes) {
            snprintf(err, errlen, "raw image has %" PRIu64 " bytes, expected %u x %u x %u = %" PRIu64,
                     in->size, o->width, o->height, src->img.channels, src->total_bytes);
            return -1;
        }
        goto image;
    }
    switch (src->fmt) {
    case INPUT_WAV: {
        int fd = infile_seekable_fd(in, err, errlen);
        if (fd < 0)
            return -1;
        WavInfo wi;
        if (wav_reader_open(&src->wav, fd, &wi, err, errlen) < 0)
            return -1;
        s->kind = BYTELM_KIND_PCM_S16LE;
        s->source = BYTELM_SOURCE_WAV;
        s->sample_rate = wi.sample_rate;
        s->channels = wi.channels;
        s->channel_mask = wi.channel_mask;
        s->total_units = wi.frames;
        src->unit_bytes = 2 * wi.channels;
        src->total_bytes = wi.frames * src->unit_bytes;
        return 0;
    }
    case INPUT_PNG:
        if (png_reader_open(&src->png, in, &src->img, o->max_memory, err, errlen) < 0)
            return -1;
        s->source = BYTELM_SOURCE_PNG;
        src->total_bytes = (uint64_t)src->img.width * src->img.height * src->img.channels;
        goto image;
    case INPUT_PNM:
        if (pnm_read_header(in, &src->img, err, errlen) < 0)
            return -1;
        s->source = BYTELM_SOURCE_PNM;
        src->total_bytes = (uint64_t)src->img.width * src->img.height * src->img.channels;
        goto image;
    default:
        s->kind = BYTELM_KIND_BYTES;
        s->source = BYTELM_SOURCE_RAW;
        if (in->seekable) {
            src->total_bytes = in->size;
            s->total_units = in->size;
        }
        return 0;
    }
image:
    s->kind = src->img.channels == 1 ? BYTELM_KIND_GRAY8 : BYTELM_KIND_RGB24;
    s->width = src->img.width;
    s->height = src->img.height;
    s->total_units = src->img.height;
    src->unit_bytes = src->img.width * src->img.channels;
    return 0;
}

/* Reads up to cap bytes of raw units. 0 at the end, -1 on error. */
static long source_read(Source *src, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
    if (src->ended)
        return 0;
    long n;
    if (src->wav) {
        n = wav_reader_read(src->wav, buf, cap / src->unit_bytes, err, errlen);
        if (n < 0)
            return -1;
        n *= (long)src->unit_bytes;
        if (n == 0 && src->done_bytes != src->total_bytes) {
            snprintf(err, errlen, "WAV ended after %" PRIu64 " of %" PRIu64 " bytes of samples",
                     src->done_bytes, src->total_bytes);
            return -1;
        }
    } else if (src->png) {
        uint64_t rows_left = (src->total_bytes - src->done_bytes) / src->unit_bytes;
        size_t rows = cap / src->unit_bytes;
        if (rows > rows_left)
            rows = (size_t)rows_left;
        if (rows && png_reader_read_rows(src->png, buf, (uint32_t)rows, err, errlen) < 0)
            return -1;
        n = (long)(rows * src->unit_bytes);
    } else {
        size_t want = cap;
        if (src->total_bytes != UINT64_MAX && src->total_bytes - src->done_bytes < want)
            want = (size_t)(src->total_bytes - src->done_bytes);
        n = want ? infile_read(src->in, buf, want) : 0;
        if (n < 0) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            return -1;
        }
        int image = src->fmt == INPUT_PNM || src->raw == RAW_GRAY || src->raw == RAW_RGB;
        if (n == 0 && image) {
            if (src->done_bytes != src->total_bytes) {
                snprintf(err, errlen, "image data ends after %" PRIu64 " of %" PRIu64 " bytes",
                         src->done_bytes, src->total_bytes);
                return -1;
            }
            if (src->fmt == INPUT_PNM) {
                if (pnm_check_end(src->in, &src->img, err, errlen) < 0)
                    return -1;
            } else {
                unsigned char c;
                if (infile_read(src->in, &c, 1) > 0) {
                    snprintf(err, errlen, "raw image is longer than %u x %u x %u bytes",
                             src->img.width, src->img.height, src->img.channels);
                    return -1;
                }
            }
        }
        if (n == 0 && src->raw == RAW_PCM && src->done_bytes % src->unit_bytes) {
            snprintf(err, errlen, "raw PCM size %" PRIu64 " is not a multiple of %u bytes",
                     src->done_bytes, src->unit_bytes);
            return -1;
        }
    }
    if (n == 0)
        src->ended = 1;
    src->done_bytes += (uint64_t)n;
    return n;
}

static void source_close(Source *src)
{
    wav_reader_close(&src->wav);
    png_reader_close(&src->png);
}

/* ---- --verify ------------------------------------------------------------ */

/* Decodes the stream as it is produced and compares with the input, which is
 * held only until its decoded copy comes back (a few frames). */
typedef struct Verify {
    BytelmDecoder *dec;
    uint8_t *fifo;
    size_t head, len, cap;
    uint8_t *buf;
    uint64_t matched;
    int mismatch;
} Verify;

static int verify_open(Verify *v, const Options *o, const char *name)
{
    memset(v, 0, sizeof *v);
    BytelmSettings s;
    base_settings(o, &s, name);
    v->buf = malloc(CHUNK);
    if (!v->buf)
        return BYTELM_ENOMEM;
    return bytelm_decoder_open(&v->dec, &s);
}

static int verify_input(Verify *v, const uint8_t *data, size_t n)
{
    if (v->head + v->len + n > v->cap) {
        if (v->len) /* fifo is NULL before the first call */
            memmove(v->fifo, v->fifo + v->head, v->len);
        v->head = 0;
        if (v->len + n > v->cap) {
            size_t cap = v->cap ? v->cap : CHUNK;
            while (cap < v->len + n)
                cap *= 2;
            uint8_t *f = realloc(v->fifo, cap);
            if (!f)
                return -1;
            v->fifo = f;
            v->cap = cap;
        }
    }
    memcpy(v->fifo + v->head + v->len, data, n);
    v->len += n;
    return 0;
}

static int verify_drain(Verify *v)
{
    for (;;) {
        size_t n = 0;
        int rc = bytelm_decoder_pull(v->dec, v->buf, CHUNK, &n);
        if (rc == BYTELM_EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        if (!n)
            return 0;
        if (n > v->len || memcmp(v->buf, v->fifo + v->head, n)) {
            v->mismatch = 1;
            return 0;
        }
        v->head += n;
        v->len -= n;
        v->matched += n;
    }
}

static int verify_stream(Verify *v, const uint8_t *data, size_t n)
{
    if (v->mismatch)
        return 0;
    int rc = bytelm_decoder_push(v->dec, data, n);
    return rc < 0 ? rc : verify_drain(v);
}

static int verify_finish(Verify *v)
{
    int rc = bytelm_decoder_finish(v->dec);
    int rc2 = verify_drain(v);
    return rc < 0 ? rc : rc2;
}

static void verify_close(Verify *v)
{
    bytelm_decoder_close(&v->dec);
    free(v->fifo);
    free(v->buf);
}

/* ---- compress ------------------------------------------------------------ */

/* Keeps the first bytes of a new stream until its header can be parsed, so
 * that -v can say which model was used. */
typedef struct HeaderProbe {
    uint8_t buf[1 << 16];
    size_t len;
    int done;
    BytelmStreamInfo info;
} HeaderProbe;

static void probe_feed(HeaderProbe *h, const uint8_t *data, size_t n)
{
    if (h->done)
        return;
    size_t take = sizeof h->buf - h->len < n ? sizeof h->buf - h->len : n;
    memcpy(h->buf + h->len, data, take);
    h->len += take;
    size_t hl;
    int rc = bytelm_probe_header(h->buf, h->len, &h->info, &hl);
    if (rc == 0)
        h->done = 1;
    else if (rc != BYTELM_EAGAIN || h->len == sizeof h->buf)
        h->done = -1;
}

static mode_t default_mode(void)
{
    mode_t um = umask(0);
    umask(um);
    return 0666 & ~um;
}

static int compress_file(const Options *o, const char *path)
{
    char err[512] = "";
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    InFile in;
    Source src;
    Verify ver;
    OutFile out;
    HeaderProbe *hp = NULL;
    BytelmEncoder *enc = NULL;
    uint8_t *ibuf = NULL, *obuf = NULL;
    char *out_name = NULL;
    const char *out_path = NULL;   /* NULL = stdout */
    int ret = EXIT_ERROR, have_out = 0, have_src = 0, have_ver = 0;
    Progress prog;

    memset(&out, 0, sizeof out);
    memset(&ver, 0, sizeof ver);
    if (infile_open(&in, path, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        return EXIT_ERROR;
    }
    if (!in.is_stdin && has_suffix_ci(path, ".blm") && !o->force) {
        error_msg(name, "already has .blm suffix, skipping (use -d to decompress, -f to compress anyway)");
        goto done;
    }
    if (!in.is_stdin && !S_ISREG(in.st.st_mode) && !o->force) {
        error_msg(name, "not a regular file, skipping (use -f to read it anyway)");
        goto done;
    }

    BytelmSettings s;
    base_settings(o, &s, name);
    if (source_open(&src, o, &in, &s, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    have_src = 1;

    if (o->output) {
        out_path = strcmp(o->output, "-") ? o->output : NULL;
    } else if (!o->to_stdout && !in.is_stdin) {
        out_name = encode_output_name(path, src.fmt, o->raw != RAW_NONE);
        out_path = out_name;
    }
    if (!out_path && isatty(1) && !o->force) {
        error_msg(name, "compressed data not written to a terminal (use -f to force)");
        goto done;
    }
    if (out_path && outfile_check(out_path, o->force, in.is_stdin ? NULL : &in.st, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }

    ibuf = malloc(CHUNK);
    obuf = malloc(CHUNK);
    hp = calloc(1, sizeof *hp);
    if (!ibuf || !obuf || !hp) {
        error_msg(name, "out of memory");
        goto done;
    }
    /* Plain bytes: the first chunk, read ahead, says whether the text model codes them. */
    long ahead = -1;
    if (s.kind == BYTELM_KIND_BYTES) {
        if ((ahead = source_read(&src, ibuf, CHUNK, err, sizeof err)) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        s.text = bytelm_looks_like_text(ibuf, (size_t)ahead);
    }
    int rc = bytelm_encoder_open(&enc, &s);
    if (rc < 0) {
        lib_error(name, "cannot start encoder", rc);
        goto done;
    }
    if (o->verify) {
        have_ver = 1;
        rc = verify_open(&ver, o, name);
        if (rc < 0) {
            lib_error(name, "cannot start verification decoder", rc);
            goto done;
        }
    }
    mode_t mode = !in.is_stdin && S_ISREG(in.st.st_mode) ? (in.st.st_mode & 0777) : default_mode();
    if (outfile_open(&out, out_path, o->force, 0, mode, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    have_out = 1;

    double t0 = now_seconds();
    progress_start(&prog, name, src.total_bytes, o->progress);
    active_progress = &prog;
    uint64_t in_bytes = 0, out_bytes = 0;
    int finished = 0;
    for (;;) {
        if (!finished) {
            long n = ahead >= 0 ? ahead : source_read(&src, ibuf, CHUNK, err, sizeof err);
            ahead = -1;
            if (n < 0) {
                error_msg(name, "%s", err);
                goto done;
            }
            if (n > 0) {
                in_bytes += (uint64_t)n;
                if (have_ver && verify_input(&ver, ibuf, (size_t)n) < 0) {
                    error_msg(name, "out of memory for --verify");
                    goto done;
                }
                rc = bytelm_encoder_push(enc, ibuf, (size_t)n);
            } else {
                rc = bytelm_encoder_finish(enc);
                finished = 1;
            }
            if (rc < 0) {
                lib_error(name, "encoding", rc);
                goto done;
            }
        }
        /* Take whatever the encoder has ready; after finish, until it is empty. */
        size_t got;
        do {
            got = 0;
            rc = bytelm_encoder_pull(enc, obuf, CHUNK, &got);
            if (rc == BYTELM_EAGAIN)
                rc = 0;
            if (rc < 0) {
                lib_error(name, "encoding", rc);
                goto done;
            }
            if (got) {
                if (fwrite(obuf, 1, got, out.fp) != got) {
                    error_msg(name, "writing %s: %s", out_path ? out_path : "stdout", strerror(errno));
                    goto done;
                }
                out_bytes += got;
                probe_feed(hp, obuf, got);
                if (have_ver && (rc = verify_stream(&ver, obuf, got)) < 0) {
                    lib_error(name, "verification failed", rc);
                    goto done;
                }
            }
        } while (got);
        progress_update(&prog, in_bytes, out_bytes);
        if (finished)
            break;
    }
    if (have_ver) {
        rc = verify_finish(&ver);
        if (rc < 0) {
            lib_error(name, "verification failed", rc);
            goto done;
        }
        if (ver.mismatch || ver.len) {
            error_msg(name, "verification failed: decoded data differs from the input after %" PRIu64
                      " bytes; output not kept", ver.matched);
            goto done;
        }
    }
    progress_end(&prog);
    active_progress = NULL;
    have_out = 0;
    if (outfile_commit(&out, o->rm_input, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    double dt = now_seconds() - t0;
    if (o->verbose) {
        fprintf(stderr, "bytelm: %s -> %s: %s %s, %" PRIu64 " -> %" PRIu64 " bytes (%.2f%%), "
                "%.2f s, %.2f MB/s%s\n",
                name, out_path ? out_path : "(stdout)", kind_name(s.kind), source_name(s.source),
                in_bytes, out_bytes, in_bytes ? 100.0 * (double)out_bytes / (double)in_bytes : 0.0,
                dt, dt > 0 ? (double)in_bytes / dt / 1e6 : 0.0, have_ver ? ", verified" : "");
        if (hp->done == 1) {
            char hash[65];
            format_hash(hp->info.model_hash, hash);
            fprintf(stderr, "bytelm: %s: model %s%s%s, preset %s, %u %s per frame\n", name,
                    hp->info.model_name, hp->info.model_name[0] ? " " : "", hash,
                    preset_name(hp->info.preset), hp->info.frame_units, unit_name(hp->info.kind));
        }
    }
    ret = 0;
    if (o->rm_input && !in.is_stdin && out_path && S_ISREG(in.st.st_mode) && unlink(path) < 0) {
        error_msg(name, "cannot remove input: %s", strerror(errno));
        ret = EXIT_ERROR;
    }
done:
    if (active_progress) {
        progress_end(active_progress);
        active_progress = NULL;
    }
    if (have_out)
        outfile_abort(&out);
    if (have_ver)
        verify_close(&ver);
    bytelm_encoder_close(&enc);
    if (have_src)
        source_close(&src);
    infile_close(&in);
    free(ibuf);
    free(obuf);
    free(hp);
    free(out_name);
    return ret;
}

/* ---- decompress ---------------------------------------------------------- */

typedef enum SinkType { SINK_NONE, SINK_RAW, SINK_WAV, SINK_PNG, SINK_PNM } SinkType;

/* The format an output name asks for, where it fits the stream's kind: -o back.wav
 * writes a WAV even for PCM coded from raw samples, -o x.png a PNG for pixels from
 * a PGM. Other names keep the format of the stream's source hint (fallback). */
static SinkType sink_for_name(const char *path, BytelmKind kind, SinkType fallback)
{
    const size_t n = strlen(path);
    const char *ext = n >= 4 ? path + n - 4 : "";
    const int pixels = kind == BYTELM_KIND_GRAY8 || kind == BYTELM_KIND_RGB24;
    if (!strcasecmp(ext, ".wav") && kind == BYTELM_KIND_PCM_S16LE)
        return SINK_WAV;
    if (!strcasecmp(ext, ".png") && pixels)
        return SINK_PNG;
    if ((!strcasecmp(ext, ".pgm") && kind == BYTELM_KIND_GRAY8) ||
        (!strcasecmp(ext, ".ppm") && kind == BYTELM_KIND_RGB24) || (!strcasecmp(ext, ".pnm") && pixels))
        return SINK_PNM;
    return fallback;
}

/* Where decoded bytes go. WAV and PNG writers take whole sample frames and
 * rows, so a partial one is carried over to the next piece. */
typedef struct Sink {
    SinkType type;
    OutFile *out;
    WavWriter *wav;
    PngWriter *png;
    size_t unit;
    uint8_t *carry;
    size_t carry_len;
    uint64_t written;
    uint64_t expect;        /* raw bytes expected, UINT64_MAX if unknown */
} Sink;

static int sink_units(Sink *k, const uint8_t *p, size_t units, char *err, size_t errlen)
{
    if (k->type == SINK_WAV)
        return wav_writer_write(k->wav, p, units, err, errlen);
    return png_writer_write_rows(k->png, p, (uint32_t)units, err, errlen);
}

static int sink_write(Sink *k, const uint8_t *p, size_t n, char *err, size_t errlen)
{
    if (k->expect != UINT64_MAX && n > k->expect - k->written) {
        snprintf(err, errlen, "stream holds more data than its header says");
        return -1;
    }
    k->written += n;
    switch (k->type) {
    case SINK_NONE:
        return 0;
    case SINK_RAW:
    case SINK_PNM:
        if (fwrite(p, 1, n, k->out->fp) != n) {
            snprintf(err, errlen, "write error: %s", strerror(errno));
            return -1;
        }
        return 0;
    default:
        break;
    }
    if (k->carry_len) {
        size_t take = k->unit - k->carry_len < n ? k->unit - k->carry_len : n;
        memcpy(k->carry + k->carry_len, p, take);
        k->carry_len += take;
        p += take;
        n -= take;
        if (k->carry_len < k->unit)
            return 0;
        k->carry_len = 0;
        if (sink_units(k, k->carry, 1, err, errlen) < 0)
            return -1;
    }
    size_t units = n / k->unit;
    if (units && sink_units(k, p, units, err, errlen) < 0)
        return -1;
    memcpy(k->carry, p + units * k->unit, n - units * k->unit);
    k->carry_len = n - units * k->unit;
    return 0;
}

static int sink_open(Sink *k, SinkType type, OutFile *out, const BytelmStreamInfo *info,
                     char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->type = type;
    k->out = out;
    k->expect = UINT64_MAX;
    if (info->total_units != BYTELM_UNKNOWN_LENGTH && info->unit_bytes)
        k->expect = info->total_units * info->unit_bytes;
    ImageInfo img = {info->width, info->height, info->kind == BYTELM_KIND_GRAY8 ? 1u : 3u};
    switch (type) {
    case SINK_WAV: {
        WavInfo wi = {info->sample_rate, info->channels, info->channel_mask,
                      info->total_units == BYTELM_UNKNOWN_LENGTH ? UINT64_MAX : info->total_units};
        k->unit = 2u * info->channels;
        if (wav_writer_open(&k->wav, out->fd, &wi, err, errlen) < 0)
            return -1;
        break;
    }
    case SINK_PNG:
        k->unit = (size_t)img.width * img.channels;
        k->expect = (uint64_t)k->unit * img.height;
        if (png_writer_open(&k->png, out->fp, &img, err, errlen) < 0)
            return -1;
        break;
    case SINK_PNM:
        k->expect = (uint64_t)img.width * img.channels * img.height;
        if (pnm_write_header(out->fp, &img) < 0) {
            snprintf(err, errlen, "write error: %s", strerror(errno));
            return -1;
        }
        break;
    default:
        break;
    }
    if (k->unit) {
        k->carry = malloc(k->unit);
        if (!k->carry) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

/* Completes the file; -1 if the data did not fill it exactly. */
static int sink_finish(Sink *k, char *err, size_t errlen)
{
    int ret = 0;
    if (k->carry_len) {
        snprintf(err, errlen, "stream ends inside a %s", k->type == SINK_WAV ? "sample frame" : "row");
        ret = -1;
    } else if (k->expect != UINT64_MAX && k->written != k->expect) {
        snprintf(err, errlen, "stream ended after %" PRIu64 " of %" PRIu64 " bytes", k->written, k->expect);
        ret = -1;
    }
    /* Close the writers either way; report their error only if none came first. */
    char scratch[256];
    char *e = ret ? scratch : err;
    size_t elen = ret ? sizeof scratch : errlen;
    if (k->wav && wav_writer_close(&k->wav, e, elen) < 0)
        ret = -1;
    e = ret ? scratch : err;
    elen = ret ? sizeof scratch : errlen;
    if (k->png && png_writer_close(&k->png, e, elen) < 0)
        ret = -1;
    return ret;
}

/* Zeros up to the expected size (images after --recover). */
static int sink_pad(Sink *k, char *err, size_t errlen)
{
    static const uint8_t zeros[4096];
    while (k->expect != UINT64_MAX && k->written < k->expect) {
        size_t n = k->expect - k->written < sizeof zeros ? (size_t)(k->expect - k->written) : sizeof zeros;
        if (sink_write(k, zeros, n, err, errlen) < 0)
            return -1;
    }
    return 0;
}

static void sink_close(Sink *k)
{
    char dummy[128];
    wav_writer_close(&k->wav, dummy, sizeof dummy);
    png_writer_close(&k->png, dummy, sizeof dummy);
    free(k->carry);
    k->carry = NULL;
}

/* Reads the stream header from the front of the input without consuming it. */
static int probe_input(InFile *in, BytelmStreamInfo *info, size_t *header_len, const char *name)
{
    size_t want = 256;
    for (;;) {
        long n = infile_peek(in, want);
        if (n < 0) {
            error_msg(name, "read error: %s", strerror(errno));
            return -1;
        }
        int rc = bytelm_probe_header(in->pre + in->pre_pos, (size_t)n, info, header_len);
        if (rc == 0)
            return 0;
        if (rc != BYTELM_EAGAIN) {
            lib_error(name, "reading stream", rc);
            return -1;
        }
        if ((size_t)n < want || want >= (1u << 20)) {
            error_msg(name, (size_t)n < want ? "file ends inside the stream header"
                                             : "stream header is too large");
            return -1;
        }
        want *= 2;
    }
}

/* --recover: one line per loss, in the units of the stream's kind. */
static void report_loss(const char *name, const BytelmStreamInfo *info, const BytelmLoss *l)
{
    const char *what = info->kind == BYTELM_KIND_PCM_S16LE ? "samples"
                       : info->kind == BYTELM_KIND_BYTES   ? "bytes"
                                                           : "rows";
    const char *why = l->error == BYTELM_EFORMAT ? "damaged or missing frames" : bytelm_strerror(l->error);
    char span[160] = "";
    uint64_t end = l->first_unit + l->n_units;
    if (info->kind == BYTELM_KIND_PCM_S16LE && l->n_units != BYTELM_UNKNOWN_LENGTH)
        snprintf(span, sizeof span, " (%.3f s to %.3f s)", (double)l->first_unit / info->sample_rate,
                 (double)end / info->sample_rate);
    if (l->error == BYTELM_EMD5)
        error_msg(name, "recover: all frames decoded, but the data does not match the stream's MD5: "
                  "some of it is wrong, where is not known");
    else if (l->n_units == 0)
        error_msg(name, "recover: stream bytes %" PRIu64 " to %" PRIu64 " skipped (%s); no %s lost",
                  l->offset, l->offset + l->size, why, what);
    else if (l->n_units == BYTELM_UNKNOWN_LENGTH)
        error_msg(name, "recover: the end of the stream is lost after %s %" PRIu64
                  " (stream bytes from %" PRIu64 ", %s); its length is not known",
                  what, l->first_unit, l->offset, why);
    else
        error_msg(name, "recover: lost %s %" PRIu64 " to %" PRIu64 "%s, stream bytes %" PRIu64
                  " to %" PRIu64 " (%s); %s", what, l->first_unit, end - 1, span, l->offset,
                  l->offset + l->size, why,
                  l->filled ? "filled with zeros" : "not written (the output ends before them)");
}

/* Runs the decoder over the whole input into the sink. With --recover, *losses
 * counts what was lost (each is reported). */
static int run_decoder(const Options *o, const char *name, InFile *in, Sink *k, Progress *prog,
                       uint64_t *in_bytes, int *losses)
{
    char err[512] = "";
    BytelmSettings s;
    BytelmDecoder *dec = NULL;
    base_settings(o, &s, name);
    uint8_t *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
    int ret = -1, rc;
    if (!ibuf || !obuf) {
        error_msg(name, "out of memory");
        goto done;
    }
    if ((rc = bytelm_decoder_open(&dec, &s)) < 0) {
        lib_error(name, "cannot start decoder", rc);
        goto done;
    }
    if (o->recover && (rc = bytelm_decoder_set_recover(dec, 1)) < 0) {
        lib_error(name, "cannot start decoder", rc);
        goto done;
    }
    *in_bytes = 0;
    *losses = 0;
    int finished = 0;
    for (;;) {
        if (!finished) {
            long n = infile_read(in, ibuf, CHUNK);
            if (n < 0) {
                error_msg(name, "read error: %s", strerror(errno));
                goto done;
            }
            if (n > 0) {
                *in_bytes += (uint64_t)n;
                rc = bytelm_decoder_push(dec, ibuf, (size_t)n);
            } else {
                rc = bytelm_decoder_finish(dec);
                finished = 1;
            }
            if (rc < 0 && rc != BYTELM_EAGAIN) {
                lib_error(name, "reading stream", rc);
                goto done;
            }
        }
        size_t got;
        do {
            got = 0;
            rc = bytelm_decoder_pull(dec, obuf, CHUNK, &got);
            if (rc == BYTELM_EAGAIN)
                rc = 0;
            if (rc < 0) {
                lib_error(name, "reading stream", rc);
                goto done;
            }
            if (got && sink_write(k, obuf, got, err, sizeof err) < 0) {
                error_msg(name, "%s", err);
                goto done;
            }
        } while (got);
        progress_update(prog, *in_bytes, k->written);
        if (finished)
            break;
    }
    ret = 0;
    BytelmStreamInfo info;
    BytelmLoss loss;
    if (bytelm_decoder_get_info(dec, &info) == 0)
        while (bytelm_decoder_next_loss(dec, &loss) == 0) {
            report_loss(name, &info, &loss);
            ++*losses;
        }
done:
    bytelm_decoder_close(&dec);
    free(ibuf);
    free(obuf);
    return ret;
}

static int decompress_file(const Options *o, const char *path)
{
    char err[512] = "";
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    InFile in;
    OutFile out;
    Sink sink;
    BytelmStreamInfo info;
    char *out_name = NULL;
    const char *out_path = NULL;
    int ret = EXIT_ERROR, have_out = 0, have_sink = 0;
    Progress prog;
    int test = o->mode == MODE_TEST;

    memset(&out, 0, sizeof out);
    memset(&sink, 0, sizeof sink);
    if (infile_open(&in, path, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        return EXIT_ERROR;
    }
    size_t header_len;
    if (probe_input(&in, &info, &header_len, name) < 0)
        goto done;

    SinkType type = SINK_NONE;
    if (!test) {
        switch (effective_source(&info)) {
        case BYTELM_SOURCE_WAV: type = SINK_WAV; break;
        case BYTELM_SOURCE_PNG: type = SINK_PNG; break;
        case BYTELM_SOURCE_PNM: type = SINK_PNM; break;
        default: type = SINK_RAW; break;
        }
        if (o->output) {
            out_path = strcmp(o->output, "-") ? o->output : NULL;
            if (out_path)
                type = sink_for_name(out_path, info.kind, type);
        } else if (!o->to_stdout && !in.is_stdin) {
            out_name = decode_output_name(path, &info);
            if (!out_name) {
                error_msg(name, "unknown suffix (expected .blm), skipping (use -o FILE or -c)");
                goto done;
            }
            out_path = out_name;
        }
        if (out_path && outfile_check(out_path, o->force, in.is_stdin ? NULL : &in.st, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        mode_t mode = !in.is_stdin && S_ISREG(in.st.st_mode) ? (in.st.st_mode & 0777) : default_mode();
        if (outfile_open(&out, out_path, o->force, type == SINK_WAV, mode, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        have_out = 1;
    }
    have_sink = 1;
    if (sink_open(&sink, type, &out, &info, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }

    double t0 = now_seconds();
    progress_start(&prog, name, in.size, o->progress);
    active_progress = &prog;
    uint64_t in_bytes;
    int losses = 0;
    if (run_decoder(o, name, &in, &sink, &prog, &in_bytes, &losses) < 0)
        goto done;
    /* A recovered image whose end was lost is completed with zero rows (a
     * shorter image file cannot be written); audio and bytes just end early. */
    if (losses && (type == SINK_PNG || type == SINK_PNM) && sink_pad(&sink, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    if (losses && (type == SINK_RAW || type == SINK_WAV || type == SINK_NONE))
        sink.expect = UINT64_MAX;
    if (sink_finish(&sink, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    progress_end(&prog);
    active_progress = NULL;
    if (have_out) {
        have_out = 0;
        if (outfile_commit(&out, o->rm_input, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
    }
    double dt = now_seconds() - t0;
    if (o->verbose)
        fprintf(stderr, "bytelm: %s%s%s: %s, %" PRIu64 " -> %" PRIu64 " bytes, %.2f s, %.2f MB/s\n",
                name, test ? "" : " -> ", test ? "" : out_path ? out_path : "(stdout)",
                test ? "OK" : kind_name(info.kind), in_bytes, sink.written, dt,
                dt > 0 ? (double)sink.written / dt / 1e6 : 0.0);
    else if (test && !o->quiet && !losses)
        fprintf(stderr, "%s: ok\n", name); /* as flac -t and xz -tv report each file */
    ret = 0;
    if (losses) {
        error_msg(name, "recover: %d damaged span%s; %s", losses, losses == 1 ? "" : "s",
                  test ? "the stream is damaged" : "the rest of the data was written");
        ret = EXIT_ERROR;
    }
    if (!test && o->rm_input && !in.is_stdin && out_path && S_ISREG(in.st.st_mode) &&
        unlink(path) < 0) {
        error_msg(name, "cannot remove input: %s", strerror(errno));
        ret = EXIT_ERROR;
    }
done:
    if (active_progress) {
        progress_end(active_progress);
        active_progress = NULL;
    }
    if (have_sink)
        sink_close(&sink);
    if (have_out)
        outfile_abort(&out);
    infile_close(&in);
    free(out_name);
    return ret;
}

/* ---- info ---------------------------------------------------------------- */

static void print_duration(uint64_t samples, uint32_t rate)
{
    uint64_t whole = samples / rate;
    double frac = (double)(samples % rate) / rate;
    printf("%" PRIu64 ":%02u:%06.3f", whole / 3600, (unsigned)(whole / 60 % 60), (double)(whole % 60) + frac);
}

static int info_file(const Options *o, const char *path)
{
    char err[512] = "";
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    InFile in;
    BytelmStreamInfo info;
    int ret = EXIT_ERROR;
    if (infile_open(&in, path, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        return EXIT_ERROR;
    }
    size_t header_len;
    if (probe_input(&in, &info, &header_len, name) < 0)
        goto done;
    /* bytelm_probe_header() does not search for models; a decoder given the
     * header and our --model/--model-dir says whether the model is at hand. */
    {
        BytelmSettings s;
        BytelmDecoder *dec = NULL;
        BytelmStreamInfo dinfo;
        base_settings(o, &s, name);
        s.log_callback = NULL;
        if (bytelm_decoder_open(&dec, &s) == 0 &&
            bytelm_decoder_push(dec, in.pre + in.pre_pos, header_len) == 0 &&
            bytelm_decoder_get_info(dec, &dinfo) == 0) {
            memcpy(info.model_name, dinfo.model_name, sizeof info.model_name);
            info.model_available = dinfo.model_available;
        }
        bytelm_decoder_close(&dec);
    }

    uint64_t total = info.total_units;
    uint64_t comp = in.size;
    if (total == BYTELM_UNKNOWN_LENGTH || comp == UINT64_MAX) {
        /* The header did not say (written from a pipe): count by decoding. */
        Sink sink;
        Progress prog;
        memset(&sink, 0, sizeof sink);
        sink.expect = UINT64_MAX;
        progress_start(&prog, name, in.size, o->progress);
        active_progress = &prog;
        uint64_t in_bytes;
        int losses;
        int rc = run_decoder(o, name, &in, &sink, &prog, &in_bytes, &losses);
        progress_end(&prog);
        active_progress = NULL;
        if (rc < 0)
            goto done;
        comp = in_bytes;
        if (info.unit_bytes)
            total = sink.written / info.unit_bytes;
    }

    char hash[65], mask[128];
    format_hash(info.model_hash, hash);
    printf("%s:\n", name);
    printf("  format version: %d\n", info.format_version);
    printf("  kind:           %s", kind_name(info.kind));
    if (info.kind == BYTELM_KIND_PCM_S16LE) {
        format_mask(info.channel_mask, mask, sizeof mask);
        printf(", %u Hz, %u channel%s, channel mask %s", info.sample_rate, info.channels,
               info.channels == 1 ? "" : "s", info.channel_mask ? mask : "none");
    } else if (info.kind == BYTELM_KIND_GRAY8 || info.kind == BYTELM_KIND_RGB24) {
        printf(", %u x %u", info.width, info.height);
    }
    printf("\n  source:         %s\n", source_name(info.source));
    printf("  model:          %s%s\n", info.model_name[0] ? info.model_name : "(unknown)",
           info.model_available ? "" : " (not available here)");
    printf("  model hash:     %s\n", hash);
    printf("  preset:         %s\n", preset_name(info.preset));
    printf("  frame size:     %u %s\n", info.frame_units, unit_name(info.kind));
    if (total != BYTELM_UNKNOWN_LENGTH && info.frame_units)
        printf("  frames:         %" PRIu64 "\n", (total + info.frame_units - 1) / info.frame_units);
    if (total != BYTELM_UNKNOWN_LENGTH) {
        uint64_t raw = total * info.unit_bytes;
        printf("  length:         %" PRIu64 " %s", total, unit_name(info.kind));
        if (info.kind == BYTELM_KIND_PCM_S16LE && info.sample_rate) {
            printf(" (");
            print_duration(total, info.sample_rate);
            printf(")");
        }
        printf("\n  raw size:       %" PRIu64 " bytes\n", raw);
        printf("  compressed:     %" PRIu64 " bytes", comp);
        if (raw)
            printf(" (%.2f%%, %.3f bits per byte)", 100.0 * (double)comp / (double)raw,
                   8.0 * (double)comp / (double)raw);
        printf("\n");
    } else {
        printf("  length:         unknown (the model is needed to count it)\n");
        printf("  compressed:     %" PRIu64 " bytes\n", comp);
    }
    ret = 0;
done:
    infile_close(&in);
    return ret;
}

/* ---- options ------------------------------------------------------------- */

static uint32_t parse_u32(const char *opt, const char *arg, uint32_t min, uint32_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
        usage_error("invalid value for %s: '%s' (expected %u to %u)", opt, arg, min, max);
    return (uint32_t)v;
}

/* "256M", "1G", "1048576", "64MiB": binary multiples. */
static size_t parse_size(const char *opt, const char *arg, size_t min)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
    }
    if (shift) {
        end++;
        if (!strcmp(end, "iB") || !strcmp(end, "B"))
            end += strlen(end);
    }
    if (errno || end == arg || *end || arg[0] == '-' || v > (SIZE_MAX >> shift) ||
        (v << shift) < min) {
        char m[32];
        image_format_size(min, m, sizeof m);
        usage_error("invalid value for %s: '%s' (expected a size of at least %s, "
                    "such as 64M or 1G)", opt, arg, m);
    }
    return (size_t)(v << shift);
}

enum {
    OPT_RM = 256, OPT_PRESET, OPT_MODEL, OPT_MODEL_DIR, OPT_FRAME, OPT_VERIFY,
    OPT_RAW, OPT_RATE, OPT_CHANNELS, OPT_WIDTH, OPT_HEIGHT, OPT_MAX_MEMORY,
};

static const struct option long_options[] = {
    {"compress", no_argument, NULL, 'z'},
    {"decompress", no_argument, NULL, 'd'},
    {"uncompress", no_argument, NULL, 'd'},
    {"test", no_argument, NULL, 't'},
    {"output", required_argument, NULL, 'o'},
    {"stdout", no_argument, NULL, 'c'},
    {"to-stdout", no_argument, NULL, 'c'},
    {"force", no_argument, NULL, 'f'},
    {"keep", no_argument, NULL, 'k'},
    {"rm", no_argument, NULL, OPT_RM},
    {"threads", required_argument, NULL, 'j'},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-dir", required_argument, NULL, OPT_MODEL_DIR},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"recover", no_argument, NULL, 'F'},
    {"raw", required_argument, NULL, OPT_RAW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    Options o;
    memset(&o, 0, sizeof o);
    o.preset = -1;
    o.max_memory = IMAGE_DEFAULT_MAX_MEMORY;
    int explicit_mode = 0, max_memory_given = 0;

    /* "bytelm info FILE..." is a subcommand, like "git log". */
    if (argc > 1 && !strcmp(argv[1], "info")) {
        o.mode = MODE_INFO;
        argv[1] = argv[0];
        argv++;
        argc--;
    }

    int c;
    while ((c = getopt_long(argc, argv, "zdto:cfkj:vqhVF", long_options, NULL)) != -1) {
        switch (c) {
        case 'z':
        case 'd':
        case 't': {
            Mode m = c == 'z' ? MODE_ENCODE : c == 'd' ? MODE_DECODE : MODE_TEST;
            if (o.mode == MODE_INFO || (explicit_mode && o.mode != m))
                usage_error("only one of -z, -d, -t and info may be given");
            o.mode = m;
            explicit_mode = 1;
            break;
        }
        case 'o': o.output = optarg; break;
        case 'c': o.to_stdout = 1; break;
        case 'f': o.force = 1; break;
        case 'k': o.rm_input = 0; break;
        case OPT_RM: o.rm_input = 1; break;
        case 'j': o.threads = (int)parse_u32("--threads", optarg, 0, 1024); break;
        case OPT_PRESET:
            if (!strcmp(optarg, "fast"))
                o.preset = BYTELM_PRESET_FAST;
            else if (!strcmp(optarg, "default"))
                o.preset = BYTELM_PRESET_DEFAULT;
            else if (!strcmp(optarg, "max"))
                o.preset = BYTELM_PRESET_MAX;
            else
                usage_error("invalid preset '%s' (expected fast, default or max)", optarg);
            break;
        case OPT_MODEL: o.model_path = optarg; break;
        case OPT_MODEL_DIR: o.model_dir = optarg; break;
        case OPT_FRAME: o.frame_units = parse_u32("--frame", optarg, 1, BYTELM_MAX_FRAME_BYTES); break;
        case OPT_VERIFY: o.verify = 1; break;
        case 'F': o.recover = 1; break;
        case OPT_RAW:
            if (!strcmp(optarg, "pcm"))
                o.raw = RAW_PCM;
            else if (!strcmp(optarg, "gray"))
                o.raw = RAW_GRAY;
            else if (!strcmp(optarg, "rgb"))
                o.raw = RAW_RGB;
            else if (!strcmp(optarg, "bytes"))
                o.raw = RAW_BYTES;
            else
                usage_error("invalid --raw '%s' (expected pcm, gray, rgb or bytes)", optarg);
            break;
        case OPT_RATE: o.rate = parse_u32("--rate", optarg, 1, BYTELM_MAX_SAMPLE_RATE); break;
        case OPT_CHANNELS: o.channels = parse_u32("--channels", optarg, 1, BYTELM_MAX_CHANNELS); break;
        case OPT_WIDTH: o.width = parse_u32("--width", optarg, 1, BYTELM_MAX_IMAGE_SIDE); break;
        case OPT_HEIGHT: o.height = parse_u32("--height", optarg, 1, BYTELM_MAX_IMAGE_SIDE); break;
        case OPT_MAX_MEMORY:
            o.max_memory = parse_size("--max-memory", optarg, IMAGE_MIN_MEMORY);
            max_memory_given = 1;
            break;
        case 'v': o.verbose = 1; o.quiet = 0; break;
        case 'q': o.quiet = 1; o.verbose = 0; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case 'V':
            printf("bytelm %s (libbytelm %s)\n", BYTELM_CLI_VERSION, bytelm_version());
            return 0;
        default:
            fputs("Try 'bytelm --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    }

    /* Combinations that cannot mean anything are usage errors, not guesses. */
    int nfiles = argc - optind;
    if (o.output && o.to_stdout)
        usage_error("-o and -c cannot be used together");
    if (o.output && nfiles > 1)
        usage_error("-o FILE takes one input file, %d given", nfiles);
    /* Streams do not concatenate (each ends with its own trailer and MD5). */
    if (o.to_stdout && nfiles > 1 && o.mode == MODE_ENCODE)
        usage_error("-c takes one input file when compressing, %d given", nfiles);
    if (o.mode != MODE_ENCODE) {
        if (o.raw || o.rate || o.channels || o.width || o.height)
            usage_error("--raw, --rate, --channels, --width and --height apply to compression");
        if (o.verify)
            usage_error("--verify applies to compression (decoding always checks the MD5)");
        if (o.preset >= 0 || o.frame_units)
            usage_error("--preset and --frame apply to compression");
        /* Silently ignoring a limit would be worse than refusing it. */
        if (max_memory_given)
            usage_error("--max-memory applies to compression (reading PNG files)");
    }
    if (o.recover && o.mode != MODE_DECODE && o.mode != MODE_TEST)
        usage_error("--recover applies to decompression (-d) and testing (-t)");
    if (o.recover && o.rm_input)
        usage_error("--recover keeps the damaged input; --rm does not apply");
    if ((o.mode == MODE_TEST || o.mode == MODE_INFO) && (o.output || o.to_stdout))
        usage_error("-t and info write nothing; -o and -c do not apply");
    if (o.mode == MODE_INFO && nfiles == 0)
        usage_error("info needs at least one FILE.blm");
    if (o.raw == RAW_PCM && (!o.rate || !o.channels))
        usage_error("--raw=pcm needs --rate and --channels");
    if ((o.raw == RAW_GRAY || o.raw == RAW_RGB) && (!o.width || !o.height))
        usage_error("--raw=%s needs --width and --height", o.raw == RAW_GRAY ? "gray" : "rgb");
    if ((o.rate || o.channels) && o.raw != RAW_PCM)
        usage_error("--rate and --channels need --raw=pcm");
    if ((o.width || o.height) && o.raw != RAW_GRAY && o.raw != RAW_RGB)
        usage_error("--width and --height need --raw=gray or --raw=rgb");

    o.progress = !o.quiet && isatty(2);
    outfile_install_signal_handlers();

    static char *const stdin_only[] = {"-", NULL};
    char *const *files = nfiles ? argv + optind : stdin_only;
    if (!nfiles)
        nfiles = 1;
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        int rc;
        switch (o.mode) {
        case MODE_ENCODE: rc = compress_file(&o, files[i]); break;
        case MODE_INFO: rc = info_file(&o, files[i]); break;
        default: rc = decompress_file(&o, files[i]); break;
        }
        if (rc)
            status = EXIT_ERROR;
    }
    return status;
}
