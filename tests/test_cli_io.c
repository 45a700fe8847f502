/*
 * Unit tests of the bytelm command-line tool's file readers and writers
 * (core/cli): WAV via libsndfile, PNG via libpng, PGM/PPM, content sniffing,
 * temporary output files. They need no libbytelm. Fixtures are written to a
 * fresh temporary directory, removed at the end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <png.h>
#include <sndfile.h>

#include "image_io.h"
#include "input_file.h"
#include "output_file.h"
#include "wav_io.h"

static int passed, failed;
static char dir[256];

#define CHECK(cond, ...) check_impl(!!(cond), #cond, __LINE__, __VA_ARGS__)

static int check_impl(int ok, const char *expr, int line, const char *fmt, ...)
{
    if (ok) {
        passed++;
        return 1;
    }
    failed++;
    fprintf(stderr, "FAIL line %d: %s: ", line, expr);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 0;
}

static const char *fixture(const char *name)
{
    static char path[4][512];
    static int next;
    char *p = path[next++ & 3];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Deterministic test signal. */
static uint32_t rng = 12345;
static uint8_t rnd8(void)
{
    rng = rng * 1103515245u + 12345u;
    return (uint8_t)(rng >> 16);
}

/* ---- WAV ---------------------------------------------------------------- */

/* Writes with our writer, reads with our reader, compares everything. */
static void wav_roundtrip(uint32_t channels, uint32_t mask, uint64_t frames)
{
    char name[64], err[256] = "";
    snprintf(name, sizeof name, "rt_%uch_%x.wav", channels, mask);
    const char *path = fixture(name);
    size_t bytes = (size_t)frames * 2 * channels;
    uint8_t *in = malloc(bytes), *out = malloc(bytes + 64);
    for (size_t i = 0; i < bytes; i++)
        in[i] = rnd8();

    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    WavInfo wi = {44100 + channels, channels, mask, frames};
    WavWriter *w;
    int ok = fd >= 0 && wav_writer_open(&w, fd, &wi, err, sizeof err) == 0;
    /* Uneven pieces, as the decoder hands them over. */
    size_t done = 0, step = 1;
    while (ok && done < frames) {
        size_t n = frames - done < step ? frames - done : step;
        ok = wav_writer_write(w, in + done * 2 * channels, n, err, sizeof err) == 0;
        done += n;
        step = step * 3 + 1;
    }
    ok = ok && wav_writer_close(&w, err, sizeof err) == 0;
    if (fd >= 0)
        close(fd);
    if (!CHECK(ok, "%u channels mask 0x%x: write: %s", channels, mask, err))
        goto out;

    fd = open(path, O_RDONLY);
    WavReader *r;
    WavInfo ri;
    if (!CHECK(fd >= 0 && wav_reader_open(&r, fd, &ri, err, sizeof err) == 0,
               "%u channels: open: %s", channels, err))
        goto out;
    CHECK(ri.channels == channels && ri.sample_rate == 44100 + channels && ri.frames == frames,
          "%u channels: got %u ch, %u Hz, %llu frames", channels, ri.channels, ri.sample_rate,
          (unsigned long long)ri.frames);
    CHECK(ri.channel_mask == mask, "%u channels: mask 0x%x read back as 0x%x", channels, mask,
          ri.channel_mask);
    size_t got = 0;
    long n;
    while ((n = wav_reader_read(r, out + got, 1000, err, sizeof err)) > 0)
        got += (size_t)n * 2 * channels;
    CHECK(n == 0 && got == bytes && !memcmp(in, out, bytes), "%u channels: samples differ", channels);
    wav_reader_close(&r);
    close(fd);
out:
    free(in);
    free(out);
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* A WAVE_FORMAT_EXTENSIBLE file built byte by byte, so the reader is checked
 * against the format rather than against our own writer. */
static void test_wav_extensible_fixture(void)
{
    const unsigned ch = 6;
    const uint32_t mask = 0x60F;   /* FL FR FC LFE SL SR: 5.1 (side) */
    const unsigned frames = 10;
    uint8_t f[68 + 6 * 2 * 10];
    memcpy(f, "RIFF", 4);
    put32(f + 4, sizeof f - 8);
    memcpy(f + 8, "WAVEfmt ", 8);
    put32(f + 16, 40);
    put16(f + 20, 0xFFFE);
    put16(f + 22, ch);
    put32(f + 24, 48000);
    put32(f + 28, 48000 * ch * 2);
    put16(f + 32, ch * 2);
    put16(f + 34, 16);
    put16(f + 36, 22);
    put16(f + 38, 16);
    put32(f + 40, mask);
    /* KSDATAFORMAT_SUBTYPE_PCM */
    static const uint8_t guid[16] = {1, 0, 0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71};
    memcpy(f + 44, guid, 16);
    memcpy(f + 60, "data", 4);
    put32(f + 64, ch * 2 * frames);
    for (unsigned i = 0; i < ch * frames; i++)
        put16(f + 68 + 2 * i, (unsigned)(i * 1000 - 30000) & 0xffff);
    const char *path = fixture("ext51.wav");
    write_file(path, f, sizeof f);

    char err[256] = "";
    int fd = open(path, O_RDONLY);
    WavReader *r;
    WavInfo wi;
    if (!CHECK(wav_reader_open(&r, fd, &wi, err, sizeof err) == 0, "extensible 5.1: %s", err)) {
        close(fd);
        return;
    }
    CHECK(wi.channels == 6 && wi.channel_mask == mask && wi.frames == frames,
          "extensible 5.1: %u ch, mask 0x%x, %llu frames", wi.channels, wi.channel_mask,
          (unsigned long long)wi.frames);
    uint8_t buf[6 * 2 * 10];
    CHECK(wav_reader_read(r, buf, 100, err, sizeof err) == (long)frames &&
          !memcmp(buf, f + 68, sizeof buf), "extensible 5.1: samples differ");
    wav_reader_close(&r);
    close(fd);

    /* Our writer must put the same mask into the fmt chunk, byte for byte. */
    const char *out = fixture("ext51_out.wav");
    fd = open(out, O_RDWR | O_CREAT | O_TRUNC, 0644);
    WavWriter *w;
    int ok = wav_writer_open(&w, fd, &wi, err, sizeof err) == 0 &&
             wav_writer_write(w, buf, frames, err, sizeof err) == 0 &&
             wav_writer_close(&w, err, sizeof err) == 0;
    uint8_t hdr[256];
    ssize_t n = pread(fd, hdr, sizeof hdr, 0);
    close(fd);
    CHECK(ok && n >= 44, "extensible write: %s", err);
    int found = 0;
    for (ssize_t i = 12; i + 8 + 24 <= n; i++)
        if (!memcmp(hdr + i, "fmt ", 4)) {
            found = 1;
            CHECK(hdr[i + 8] == 0xFE && hdr[i + 9] == 0xFF, "written fmt is not EXTENSIBLE");
            uint32_t m = hdr[i + 28] | hdr[i + 29] << 8 | (uint32_t)hdr[i + 30] << 16 |
                         (uint32_t)hdr[i + 31] << 24;
            CHECK(m == mask, "written mask 0x%x, expected 0x%x", m, mask);
            break;
        }
    CHECK(found, "no fmt chunk in written file");
}

static void test_mask_map(void)
{
    int map[8];
    CHECK(wav_channel_map_from_mask(0x3F, map, 6) == 6 && map[0] == SF_CHANNEL_MAP_LEFT &&
          map[3] == SF_CHANNEL_MAP_LFE && map[5] == SF_CHANNEL_MAP_REAR_RIGHT, "map of 0x3F");
    CHECK(wav_mask_from_channel_map(map, 6) == 0x3F, "mask of 5.1 map");
    CHECK(wav_channel_map_from_mask(0x3, map, 4) == 2 && map[2] == SF_CHANNEL_MAP_INVALID,
          "mask with fewer bits than channels");
    int front[2] = {SF_CHANNEL_MAP_FRONT_LEFT, SF_CHANNEL_MAP_FRONT_RIGHT};
    CHECK(wav_mask_from_channel_map(front, 2) == 0x3, "FRONT_LEFT/RIGHT map to FL/FR");
}

/* Files libsndfile writes in formats we must refuse, and the words the
 * message must contain. */
static void wav_reject(int format, int channels, const char *name, const char *expect)
{
    const char *path = fixture(name);
    SF_INFO si = {.samplerate = 44100, .channels = channels, .format = format};
    SNDFILE *sf = sf_open(path, SFM_WRITE, &si);
    if (!CHECK(sf != NULL, "cannot write fixture %s: %s", name, sf_strerror(NULL)))
        return;
    short zero[64] = {0};
    sf_writef_short(sf, zero, 64 / channels);
    sf_close(sf);
    char err[256] = "";
    int fd = open(path, O_RDONLY);
    WavReader *r = NULL;
    WavInfo wi;
    int rc = wav_reader_open(&r, fd, &wi, err, sizeof err);
    CHECK(rc < 0 && strstr(err, expect), "%s: got '%s', expected '%s'", name, err, expect);
    wav_reader_close(&r);
    close(fd);
}

static void test_wav(void)
{
    static const uint32_t masks[9] = {0, 0x4, 0x3, 0x7, 0x33, 0x37, 0x3F, 0x13F, 0x63F};
    for (uint32_t ch = 1; ch <= 8; ch++) {
        wav_roundtrip(ch, 0, 1000 + ch);
        wav_roundtrip(ch, masks[ch], 777);
    }
    wav_roundtrip(4, 0x3, 100);      /* fewer mask bits than channels */
    wav_roundtrip(2, 0x600, 100);    /* SL SR only */
    wav_roundtrip(1, 0, 0);          /* empty */
    test_wav_extensible_fixture();
    test_mask_map();
    wav_reject(SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, "pcm24.wav", "24-bit PCM WAV is not supported");
    wav_reject(SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, "pcm8.wav", "8-bit PCM WAV is not supported");
    wav_reject(SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, "float.wav", "32-bit float WAV is not supported");
    wav_reject(SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, 2, "pcm24x.wav", "24-bit PCM WAV");
    wav_reject(SF_FORMAT_WAV | SF_FORMAT_ULAW, 1, "ulaw.wav", "u-law WAV is not supported");
}

/* ---- PNG ---------------------------------------------------------------- */

static int png_read_all(const char *path, ImageInfo *info, uint8_t **pix, size_t max_memory,
                        char *err, size_t errlen)
{
    InFile in;
    PngReader *r;
    *pix = NULL;
    if (infile_open(&in, path, err, errlen) < 0)
        return -1;
    int rc = png_reader_open(&r, &in, info, max_memory, err, errlen);
    if (rc == 0) {
        size_t row = image_row_bytes(info);
        *pix = malloc(row * info->height);
        /* Rows in uneven groups, as the compressor asks for them. */
        for (uint32_t y = 0, step = 1; rc == 0 && y < info->height; y += step, step++) {
            if (step > info->height - y)
                step = info->height - y;
            rc = png_reader_read_rows(r, *pix + row * y, step, err, errlen);
        }
        png_reader_close(&r);
    }
    infile_close(&in);
    return rc;
}

static void png_roundtrip(uint32_t w, uint32_t h, uint32_t channels)
{
    char name[64], err[256] = "";
    snprintf(name, sizeof name, "rt_%ux%ux%u.png", w, h, channels);
    const char *path = fixture(name);
    size_t n = (size_t)w * h * channels;
    uint8_t *pix = malloc(n);
    for (size_t i = 0; i < n; i++)
        pix[i] = rnd8();
    ImageInfo info = {.width = w, .height = h, .channels = channels};
    FILE *f = fopen(path, "wb");
    PngWriter *pw;
    int ok = f && png_writer_open(&pw, f, &info, err, sizeof err) == 0 &&
             png_writer_write_rows(pw, pix, h / 2, err, sizeof err) == 0 &&
             png_writer_write_rows(pw, pix + (size_t)w * channels * (h / 2), h - h / 2, err, sizeof err) == 0 &&
             png_writer_close(&pw, err, sizeof err) == 0;
    if (f)
        fclose(f);
    if (CHECK(ok, "PNG %s write: %s", name, err)) {
        ImageInfo ri;
        uint8_t *back;
        int rc = png_read_all(path, &ri, &back, IMAGE_DEFAULT_MAX_MEMORY, err, sizeof err);
        CHECK(rc == 0 && ri.width == w && ri.height == h && ri.channels == channels &&
              !memcmp(back, pix, n), "PNG %s round trip: %s", name, err);
        free(back);
    }
    free(pix);
}

/* Writes a PNG with libpng directly: types our writer never produces. */
static void write_png_raw(const char *path, uint32_t w, uint32_t h, int depth, int ctype,
                          int interlace, int trns)
{
    FILE *f = fopen(path, "wb");
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) {
        fprintf(stderr, "libpng failed writing %s\n", path);
        exit(1);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, w, h, depth, ctype, interlace, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[4] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
        png_set_PLTE(png, info, pal, 4);
    }
    if (trns) {
        png_color_16 t = {0};
        png_byte alpha[1] = {0};
        if (ctype == PNG_COLOR_TYPE_PALETTE)
            png_set_tRNS(png, info, alpha, 1, NULL);
        else
            png_set_tRNS(png, info, NULL, 0, &t);
    }
    png_write_info(png, info);
    int ch = png_get_channels(png, info);
    size_t row = ((size_t)w * ch * depth + 7) / 8;
    uint8_t *buf = malloc(row * h);
    for (size_t i = 0; i < row * h; i++)
        buf[i] = ctype == PNG_COLOR_TYPE_PALETTE ? (uint8_t)(i & 3) : (uint8_t)(i * 7);
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++)
        for (uint32_t y = 0; y < h; y++)
            png_write_row(png, buf + row * y);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    fclose(f);
    free(buf);
}

/* Writes a 5x4 PNG of that type as fixture name and reads it back. */
static int read_png_type(const char *name, int depth, int ctype, int trns, ImageInfo *info, uint8_t **pix,
                         char *err, size_t errlen)
{
    const char *path = fixture(name);
    write_png_raw(path, 5, 4, depth, ctype, PNG_INTERLACE_NONE, trns);
    return png_read_all(path, info, pix, IMAGE_DEFAULT_MAX_MEMORY, err, errlen);
}

static void png_reject(const char *name, int depth, int ctype, int trns, const char *expect)
{
    ImageInfo info;
    uint8_t *pix;
    char err[256] = "";
    int rc = read_png_type(name, depth, ctype, trns, &info, &pix, err, sizeof err);
    CHECK(rc < 0 && strstr(err, expect), "%s: got '%s', expected '%s'", name, err, expect);
    free(pix);
}

/* PNG types read as they are (tRNS as alpha): channels and depth. */
static void png_type(const char *name, int depth, int ctype, int trns, uint32_t channels, int bits16)
{
    ImageInfo info;
    uint8_t *pix;
    char err[256] = "";
    int rc = read_png_type(name, depth, ctype, trns, &info, &pix, err, sizeof err);
    CHECK(rc == 0 && info.width == 5 && info.height == 4 && info.channels == channels &&
          info.bits16 == bits16, "%s: %s (%u channels, bits16 %d)", name, err, info.channels, info.bits16);
    free(pix);
}

/* A palette PNG reads as the RGB it shows: write_png_raw's palette, its indices the
 * low two bits of each byte of the packed rows. */
static void png_palette(int depth)
{
    static const uint8_t pal[4][3] = {{0, 0, 0}, {255, 0, 0}, {0, 255, 0}, {0, 0, 255}};
    const uint32_t w = 11, h = 5, per_byte = 8u / (uint32_t)depth;
    const size_t row = (w * (uint32_t)depth + 7) / 8;
    const char *path = fixture("palette.png");
    write_png_raw(path, w, h, depth, PNG_COLOR_TYPE_PALETTE, PNG_INTERLACE_NONE, 0);
    ImageInfo info;
    uint8_t *pix;
    char err[256] = "";
    int rc = png_read_all(path, &info, &pix, IMAGE_DEFAULT_MAX_MEMORY, err, sizeof err);
    int same = rc == 0 && info.channels == 3 && info.width == w && info.height == h;
    for (uint32_t y = 0; same && y < h; y++)
        for (uint32_t x = 0; same && x < w; x++) {
            const uint32_t byte = (uint32_t)((y * row + x / per_byte) & 3);
            const uint32_t shift = (per_byte - 1 - x % per_byte) * (uint32_t)depth;
            const uint32_t idx = (byte >> shift) & ((1u << depth) - 1);
            same = idx < 4 && !memcmp(pix + ((size_t)y * w + x) * 3, pal[idx], 3);
        }
    CHECK(same, "%d-bit palette PNG reads as its RGB pixels: %s", depth, err);
    free(pix);
}

static void test_png(void)
{
    png_roundtrip(1, 1, 1);
    png_roundtrip(37, 23, 1);
    png_roundtrip(64, 17, 3);
    png_roundtrip(1000, 3, 3);

    /* Adam7 interlaced: same pixels as the plain rows written. */
    const char *path = fixture("interlaced.png");
    write_png_raw(path, 13, 11, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_ADAM7, 0);
    ImageInfo info;
    uint8_t *pix;
    char err[256] = "";
    int rc = png_read_all(path, &info, &pix, IMAGE_DEFAULT_MAX_MEMORY, err, sizeof err);
    int same = rc == 0;
    for (size_t i = 0; same && i < 13 * 11 * 3; i++)
        same = pix[i] == (uint8_t)(i * 7);
    CHECK(same && info.width == 13 && info.height == 11 && info.channels == 3,
          "interlaced PNG: %s", err);
    free(pix);

    png_type("rgba.png", 8, PNG_COLOR_TYPE_RGBA, 0, 4, 0);
    png_type("graya.png", 8, PNG_COLOR_TYPE_GRAY_ALPHA, 0, 2, 0);
    png_type("rgb16.png", 16, PNG_COLOR_TYPE_RGB, 0, 3, 1);
    png_type("rgba16.png", 16, PNG_COLOR_TYPE_RGBA, 0, 4, 1);
    png_reject("gray4.png", 4, PNG_COLOR_TYPE_GRAY, 0, "4-bit gray PNG is not supported");
    /* tRNS becomes an alpha channel */
    png_type("palette_trns.png", 8, PNG_COLOR_TYPE_PALETTE, 1, 4, 0);
    png_palette(8);
    png_palette(2);
    png_type("trns.png", 8, PNG_COLOR_TYPE_GRAY, 1, 2, 0);
    png_type("trns16.png", 16, PNG_COLOR_TYPE_RGB, 1, 4, 1);

    /* A truncated PNG fails with libpng's reason, not silently short. */
    path = fixture("rt_64x17x3.png");
    struct stat st;
    stat(path, &st);
    uint8_t *b = malloc((size_t)st.st_size);
    FILE *f = fopen(path, "rb");
    size_t got = fread(b, 1, (size_t)st.st_size, f);
    fclose(f);
    write_file(fixture("trunc.png"), b, got / 2);
    free(b);
    rc = png_read_all(fixture("trunc.png"), &info, &pix, IMAGE_DEFAULT_MAX_MEMORY, err, sizeof err);
    CHECK(rc < 0 && strstr(err, "invalid PNG"), "truncated PNG: got '%s'", err);
    free(pix);

    /* libpng's own allocations count against the reader's limit (zlib alone
     * needs more than 4 KiB), and the message names the limit. */
    rc = png_read_all(fixture("rt_64x17x3.png"), &info, &pix, 4096, err, sizeof err);
    CHECK(rc < 0 && strstr(err, "more than the memory limit of 4.0 KiB (--max-memory)"),
          "PNG under a 4 KiB limit: got '%s'", err);
    free(pix);
}

/* ---- PGM / PPM ---------------------------------------------------------- */

static int pnm_read_all(const char *path, ImageInfo *info, uint8_t *pix, size_t cap,
                        char *err, size_t errlen)
{
    InFile in;
    if (infile_open(&in, path, err, errlen) < 0)
        return -1;
    int rc = pnm_read_header(&in, info, err, errlen);
    if (rc == 0) {
        size_t n = image_row_bytes(info) * info->height;
        rc = n <= cap && infile_read(&in, pix, n) == (long)n ? 0 : -1;
        if (rc < 0)
            snprintf(err, errlen, "short raster");
        else
            rc = pnm_check_end(&in, info, err, errlen);
    }
    infile_close(&in);
    return rc;
}

static void pnm_case(const char *name, const char *header, size_t raster, uint32_t w, uint32_t h,
                     uint32_t ch, const char *expect_err)
{
    uint8_t buf[512];
    size_t hl = strlen(header);
    memcpy(buf, header, hl);
    for (size_t i = 0; i < raster; i++)
        buf[hl + i] = (uint8_t)(i * 13 + 1);
    const char *path = fixture(name);
    write_file(path, buf, hl + raster);
    ImageInfo info = {0};
    uint8_t pix[512];
    char err[256] = "";
    int rc = pnm_read_all(path, &info, pix, sizeof pix, err, sizeof err);
    if (expect_err) {
        CHECK(rc < 0 && strstr(err, expect_err), "%s: got '%s', expected '%s'", name, err, expect_err);
        return;
    }
    CHECK(rc == 0 && info.width == w && info.height == h && info.channels == ch &&
          !memcmp(pix, buf + hl, raster), "%s: %s (%ux%ux%u)", name, err, info.width, info.height,
          info.channels);
}

static void test_pnm(void)
{
    pnm_case("plain.pgm", "P5\n4 3\n255\n", 12, 4, 3, 1, NULL);
    pnm_case("comments.pgm", "P5 # magic\n# full line comment\n4 # width\n3\n#x\n255\n", 12, 4, 3, 1, NULL);
    pnm_case("comment_after_maxval.ppm", "P6\n2 2\n255# comment ends the header\n", 12, 2, 2, 3, NULL);
    pnm_case("spaces.ppm", "P6\t2\r\n2 255 ", 12, 2, 2, 3, NULL);
    /* The raster may start with bytes that look like white space or '#'. */
    pnm_case("rasterws.pgm", "P5 1 1 255\n", 1, 1, 1, 1, NULL);
    pnm_case("maxval15.pgm", "P5\n4 3\n15\n", 12, 0, 0, 0, "PGM with maxval 15 is not supported");
    pnm_case("maxval65535.ppm", "P6\n2 1\n65535\n", 12, 2, 1, 3, NULL);
    pnm_case("maxval4095.pgm", "P5\n2 1\n4095\n", 4, 0, 0, 0, "PGM with maxval 4095 is not supported");
    pnm_case("graya.pam", "P7\nWIDTH 2\nHEIGHT 1\nDEPTH 2\nMAXVAL 255\nTUPLTYPE GRAYSCALE_ALPHA\nENDHDR\n",
             4, 2, 1, 2, NULL);
    pnm_case("nodepth.pam", "P7\nWIDTH 2\nHEIGHT 1\nMAXVAL 255\nENDHDR\n", 4, 0, 0, 0, "invalid PAM header");
    pnm_case("trailing.pgm", "P5\n2 2\n255\n", 8, 0, 0, 0, "data after the image");
    pnm_case("badheader.pgm", "P5\nx 2\n255\n", 4, 0, 0, 0, "invalid PGM header");
    pnm_case("zero.pgm", "P5\n0 2\n255\n", 0, 0, 0, 0, "no pixels");

    /* Our header is what we read back. */
    const char *path = fixture("written.ppm");
    FILE *f = fopen(path, "wb");
    ImageInfo info = {.width = 3, .height = 2, .channels = 3};
    uint8_t pix[18];
    for (int i = 0; i < 18; i++)
        pix[i] = (uint8_t)(255 - i);
    pnm_write_header(f, &info);
    fwrite(pix, 1, sizeof pix, f);
    fclose(f);
    ImageInfo ri;
    uint8_t back[64];
    char err[256] = "";
    CHECK(pnm_read_all(path, &ri, back, sizeof back, err, sizeof err) == 0 && ri.width == 3 &&
          ri.height == 2 && ri.channels == 3 && !memcmp(back, pix, 18), "PPM write/read: %s", err);
}

/* ---- sniffing, pipes, output files -------------------------------------- */

static void test_detect(void)
{
    CHECK(detect_format((const uint8_t *)"RIFF\0\0\0\0WAVEfmt ", 16) == INPUT_WAV, "RIFF WAVE");
    CHECK(detect_format((const uint8_t *)"RF64\xff\xff\xff\xffWAVE", 12) == INPUT_WAV, "RF64");
    CHECK(detect_format((const uint8_t *)"RIFF\0\0\0\0AVI ", 12) == INPUT_BYTES, "RIFF AVI is bytes");
    CHECK(detect_format((const uint8_t *)"\x89PNG\r\n\x1a\n", 8) == INPUT_PNG, "PNG");
    CHECK(detect_format((const uint8_t *)"P5\n", 3) == INPUT_PNM, "P5");
    CHECK(detect_format((const uint8_t *)"P6 ", 3) == INPUT_PNM, "P6");
    CHECK(detect_format((const uint8_t *)"P2\n", 3) == INPUT_BYTES, "plain PGM is bytes");
    CHECK(detect_format((const uint8_t *)"P7\n", 3) == INPUT_PNM, "P7 (PAM)");
    CHECK(detect_format((const uint8_t *)"P5x", 3) == INPUT_BYTES, "P5 without white space");
    CHECK(detect_format((const uint8_t *)"hello", 5) == INPUT_BYTES, "text");
}

/* A WAV arriving through a pipe is spooled so libsndfile can seek. */
static void test_wav_pipe(void)
{
    const char *path = fixture("rt_2ch_3.wav");
    int p[2];
    if (pipe(p) < 0)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        int fd = open(path, O_RDONLY);
        char b[4096];
        ssize_t n;
        while ((n = read(fd, b, sizeof b)) > 0)
            if (write(p[1], b, (size_t)n) != n)
                _exit(1);
        _exit(0);
    }
    close(p[1]);
    int saved = dup(0);
    dup2(p[0], 0);
    close(p[0]);
    InFile in;
    char err[256] = "";
    int ok = infile_open(&in, "-", err, sizeof err) == 0 && !in.seekable;
    long n = ok ? infile_peek(&in, 4096) : -1;
    ok = ok && n > 12 && detect_format(in.pre + in.pre_pos, (size_t)n) == INPUT_WAV;
    int fd = ok ? infile_seekable_fd(&in, err, sizeof err) : -1;
    WavReader *r = NULL;
    WavInfo wi = {0};
    ok = ok && fd >= 0 && wav_reader_open(&r, fd, &wi, err, sizeof err) == 0;
    CHECK(ok && wi.channels == 2 && wi.channel_mask == 0x3 && wi.frames == 777,
          "WAV through a pipe: %s", err);
    wav_reader_close(&r);
    infile_close(&in);
    dup2(saved, 0);
    close(saved);
    waitpid(pid, NULL, 0);
}

static int count_dir_entries(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s/out' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void test_output_file(void)
{
    char sub[512], target[600], err[256] = "";
    snprintf(sub, sizeof sub, "%s/out", dir);
    mkdir(sub, 0755);
    snprintf(target, sizeof target, "%s/result.blm", sub);

    OutFile o;
    CHECK(outfile_check(target, 0, NULL, err, sizeof err) == 0, "check of a new file: %s", err);
    CHECK(outfile_open(&o, target, 0, 0, 0640, err, sizeof err) == 0, "open: %s", err);
    fputs("first", o.fp);
    CHECK(access(target, F_OK) != 0, "final name must not exist before commit");
    CHECK(count_dir_entries() == 1, "one temporary file while writing");
    CHECK(outfile_commit(&o, 1, err, sizeof err) == 0, "commit: %s", err);
    struct stat st;
    CHECK(stat(target, &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0640,
          "committed file size/mode");

    CHECK(outfile_check(target, 0, NULL, err, sizeof err) < 0 && strstr(err, "already exists") &&
          strstr(err, "-f"), "existing file refused without -f: '%s'", err);
    CHECK(outfile_check(target, 1, NULL, err, sizeof err) == 0, "existing file allowed with -f");

    /* Appeared between check and commit: still never replaced without -f. */
    CHECK(outfile_open(&o, target, 0, 0, 0644, err, sizeof err) == 0, "open 2: %s", err);
    fputs("second", o.fp);
    CHECK(outfile_commit(&o, 0, err, sizeof err) < 0 && strstr(err, "already exists"),
          "commit must not replace: '%s'", err);
    CHECK(stat(target, &st) == 0 && st.st_size == 5, "original untouched");
    CHECK(count_dir_entries() == 1, "temporary removed after failed commit");

    CHECK(outfile_open(&o, target, 1, 0, 0644, err, sizeof err) == 0, "open 3: %s", err);
    fputs("third!!", o.fp);
    outfile_abort(&o);
    CHECK(stat(target, &st) == 0 && st.st_size == 5 && count_dir_entries() == 1,
          "abort leaves the target alone and removes the temporary");

    CHECK(outfile_open(&o, target, 1, 0, 0644, err, sizeof err) == 0 &&
          fputs("forced", o.fp) >= 0 && outfile_commit(&o, 0, err, sizeof err) == 0 &&
          stat(target, &st) == 0 && st.st_size == 6, "-f replaces: %s", err);

    /* Output path naming the input itself. */
    struct stat in_st;
    stat(target, &in_st);
    CHECK(outfile_check(target, 1, &in_st, err, sizeof err) < 0 && strstr(err, "is the input"),
          "output == input refused even with -f: '%s'", err);
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/bytelm_cli_io_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_detect();
    test_wav();
    test_wav_pipe();
    test_png();
    test_pnm();
    test_output_file();

    printf("cli_io: %d passed, %d failed\n", passed, failed);
    if (!failed) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", dir);
    } else {
        fprintf(stderr, "fixtures kept in %s\n", dir);
    }
    return failed ? 1 : 0;
}
