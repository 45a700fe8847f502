/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "testutil.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

void test_buf_append(TestBuf *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            abort();
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void drain_encoder(BytelmEncoder *e, TestBuf *out)
{
    uint8_t buf[4096];
    size_t n;
    while (bytelm_encoder_pull(e, buf, sizeof(buf), &n) == 0 && n)
        test_buf_append(out, buf, n);
}

int test_encode(const BytelmSettings *s, const uint8_t *data, size_t len, size_t chunk, TestBuf *out)
{
    return test_encode_tagged(s, NULL, NULL, 0, data, len, chunk, out);
}

int test_encode_tagged(const BytelmSettings *s, const char *const *keys, const char *const *values,
                       size_t n_tags, const uint8_t *data, size_t len, size_t chunk, TestBuf *out)
{
    BytelmEncoder *e;
    int ret = bytelm_encoder_open(&e, s);
    if (ret < 0)
        return ret;
    for (size_t i = 0; i < n_tags && ret == 0; i++)
        ret = bytelm_encoder_add_tag(e, keys[i], values[i]);
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && ret == 0; off += chunk) {
        ret = bytelm_encoder_push(e, data + off, len - off < chunk ? len - off : chunk);
        drain_encoder(e, out);
    }
    if (ret == 0)
        ret = bytelm_encoder_finish(e);
    drain_encoder(e, out);
    bytelm_encoder_close(&e);
    return ret;
}

static void drain_decoder(BytelmDecoder *d, TestBuf *out)
{
    uint8_t buf[4096];
    size_t n;
    while (bytelm_decoder_pull(d, buf, sizeof(buf), &n) == 0 && n)
        test_buf_append(out, buf, n);
}

int test_decode(const BytelmSettings *s, const uint8_t *stream, size_t len, size_t chunk, TestBuf *out)
{
    BytelmDecoder *d;
    int ret = bytelm_decoder_open(&d, s);
    if (ret < 0)
        return ret;
    if (!chunk)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len && ret == 0; off += chunk) {
        ret = bytelm_decoder_push(d, stream + off, len - off < chunk ? len - off : chunk);
        drain_decoder(d, out);
    }
    if (ret == 0)
        ret = bytelm_decoder_finish(d);
    drain_decoder(d, out);
    bytelm_decoder_close(&d);
    return ret;
}

uint32_t test_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

uint8_t *test_noise(size_t n, unsigned seed)
{
    uint64_t st = seed;
    uint8_t *p = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)test_rand(&st);
    return p;
}

uint8_t *test_pcm_signal(uint32_t n, uint32_t channels, uint32_t rate, unsigned seed)
{
    uint64_t st = seed;
    uint8_t *p = malloc((size_t)n * channels * 2 + 1);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t c = 0; c < channels; c++) {
            double t = (double)i / rate;
            double v = 8000 * sin(2 * M_PI * (220.0 + 110 * c) * t) +
                       3000 * sin(2 * M_PI * (40.0 + 3000 * t) * t) +
                       (double)(test_rand(&st) % 512) - 256;
            int16_t s = (int16_t)v;
            p[2 * ((size_t)i * channels + c)] = (uint8_t)s;
            p[2 * ((size_t)i * channels + c) + 1] = (uint8_t)((uint16_t)s >> 8);
        }
    return p;
}

uint8_t *test_pcm_shared_tone(uint32_t n, unsigned seed)
{
    uint64_t st = seed;
    uint8_t *p = malloc((size_t)n * 4 + 1);
    for (uint32_t i = 0; i < n; i++) {
        double t = (double)i / 44100;
        double tone = 6000 * sin(2 * M_PI * 440 * t) + 3000 * sin(2 * M_PI * 881 * t) +
                      2000 * sin(2 * M_PI * 1763 * t) + 1500 * sin(2 * M_PI * 3527 * t);
        for (int c = 0; c < 2; c++) {
            int16_t v = (int16_t)(tone + (double)(test_rand(&st) % 64) - 32);
            p[4 * i + 2 * c] = (uint8_t)v;
            p[4 * i + 2 * c + 1] = (uint8_t)((uint16_t)v >> 8);
        }
    }
    return p;
}

uint8_t *test_pcm_repeating(uint32_t n, uint32_t period, int amplitude, int noise, unsigned seed)
{
    uint64_t st = seed;
    uint8_t *p = malloc((size_t)n * 2 + 1);
    int16_t *pattern = malloc(sizeof(*pattern) * period);
    for (uint32_t i = 0; i < period; i++)
        pattern[i] = (int16_t)((int32_t)(test_rand(&st) % (uint64_t)(2 * amplitude + 1)) - amplitude);
    for (uint32_t i = 0; i < n; i++) {
        int16_t v = (int16_t)(pattern[i % period] + (int32_t)(test_rand(&st) % (uint64_t)(2 * noise + 1)) - noise);
        p[2 * i] = (uint8_t)(uint16_t)v;
        p[2 * i + 1] = (uint8_t)((uint16_t)v >> 8);
    }
    free(pattern);
    return p;
}

uint8_t *test_image(uint32_t w, uint32_t h, uint32_t comps, unsigned seed)
{
    uint64_t st = seed;
    uint8_t *p = malloc((size_t)w * h * comps + 1);
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t k = 0; k < comps; k++) {
                unsigned v = (x * (2 + k) + y * 3) / 2 + ((x / 7 + y / 5) % 2) * 60 + test_rand(&st) % 6;
                p[((size_t)y * w + x) * comps + k] = (uint8_t)v;
            }
    return p;
}

uint8_t *test_image_kind(BytelmKind kind, uint32_t w, uint32_t h, unsigned seed)
{
    const uint32_t planes = (uint32_t)bytelm_kind_planes(kind), sb = (uint32_t)bytelm_kind_sample_bytes(kind);
    const uint32_t colours = planes >= 3 ? 3 : 1;
    uint8_t *base = test_image(w, h, colours, seed);
    uint8_t *p = malloc((size_t)w * h * planes * sb + 1);
    uint64_t st = seed + 1;
    const int32_t cx = (int32_t)w / 2, cy = (int32_t)h / 2, r = (int32_t)(w < h ? w : h) / 3 + 1;
    for (uint32_t y = 0; y < h; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t k = 0; k < planes; k++) {
                uint32_t v;
                if (k < colours) {
                    v = base[((size_t)y * w + x) * colours + k];
                    if (sb == 2)
                        v = v * 256 + test_rand(&st) % 256;
                } else {
                    const int32_t dx = (int32_t)x - cx, dy = (int32_t)y - cy;
                    const int32_t d = dx * dx + dy * dy - r * r; /* < 0 inside the disc */
                    const int32_t a = d < -2 * r ? 0 : d > 2 * r ? 255 : (d + 2 * r) * 255 / (4 * r);
                    v = sb == 2 ? (uint32_t)a * 257 : (uint32_t)a;
                }
                const size_t at = (((size_t)y * w + x) * planes + k) * sb;
                p[at] = (uint8_t)v;
                if (sb == 2)
                    p[at + 1] = (uint8_t)(v >> 8);
            }
    free(base);
    return p;
}

void test_fix_trailer_crc(uint8_t *stream, size_t len)
{
    uint32_t size = stream[len - 8] | stream[len - 7] << 8 | stream[len - 6] << 16 |
                    (uint32_t)stream[len - 5] << 24;
    uint8_t *t = stream + len - size;
    uint32_t crc = (uint32_t)crc32(0, t, size - 12);
    for (int i = 0; i < 4; i++)
        t[size - 12 + i] = (uint8_t)(crc >> (8 * i));
}

/* A rotation by a fixed angle in Q30 integers: a tone computed without libm, so
 * that every machine and libc makes the same samples. */
typedef struct IntTone {
    int64_t x, y, c, s;
} IntTone;

static int32_t int_tone_next(IntTone *t)
{
    const int64_t x = (t->x * t->c - t->y * t->s) >> 30;
    const int64_t y = (t->x * t->s + t->y * t->c) >> 30;
    t->x = x;
    t->y = y;
    return (int32_t)(x >> 16);
}

uint8_t *test_pcm_integer(uint32_t n, uint32_t channels, unsigned seed)
{
    /* cos and sin * 2^30 of 220, 331, 1250 and 2900 Hz at 44.1 kHz */
    static const int64_t cs[4][2] = {{1073214397, 33650592}, {1072548034, 50618369},
                                     {1056758439, 190218574}, {983384963, 431132832}};
    static const int64_t amp[4] = {9000, 5000, 2500, 1200};
    IntTone tone[4];
    for (int k = 0; k < 4; k++)
        tone[k] = (IntTone){amp[k] << 16, 0, cs[k][0], cs[k][1]};
    uint64_t st = seed;
    uint8_t *p = malloc((size_t)n * channels * 2 + 1);
    for (uint32_t i = 0; i < n; i++) {
        int32_t v[4];
        for (int k = 0; k < 4; k++)
            v[k] = int_tone_next(&tone[k]);
        for (uint32_t c = 0; c < channels; c++) {
            /* channel c: the tones in other proportions, and its own noise */
            int32_t s = v[0] + v[1] * (int32_t)(2 - (c & 1)) / 2 + v[2] * (int32_t)(1 + (c & 1)) / 2 +
                        v[3] + (int32_t)(test_rand(&st) % 256) - 128;
            s = s > 32767 ? 32767 : s < -32768 ? -32768 : s;
            p[2 * ((size_t)i * channels + c)] = (uint8_t)s;
            p[2 * ((size_t)i * channels + c) + 1] = (uint8_t)((uint16_t)s >> 8);
        }
    }
    return p;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *b = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0) {
        const long size = ftell(f);
        rewind(f);
        b = size > 0 ? malloc((size_t)size) : NULL;
        if (b && fread(b, 1, (size_t)size, f) != (size_t)size) {
            free(b);
            b = NULL;
        }
        *len = b ? (size_t)size : 0;
    }
    if (f)
        fclose(f);
    return b;
}

int16_t *test_wav_samples(const char *path, size_t *n)
{
    size_t len;
    uint8_t *b = test_read_file(path, &len);
    for (size_t i = 12; b && i + 8 <= len;) {
        const size_t size = b[i + 4] | b[i + 5] << 8 | (size_t)b[i + 6] << 16 | (size_t)b[i + 7] << 24;
        if (!memcmp(b + i, "data", 4)) {
            *n = (size_t)(size < len - i - 8 ? size : len - i - 8) / 2;
            int16_t *s = malloc(*n * sizeof *s + 1);
            for (size_t k = 0; k < *n; k++)
                s[k] = (int16_t)(uint16_t)(b[i + 8 + 2 * k] | b[i + 9 + 2 * k] << 8);
            free(b);
            return s;
        }
        i += 8 + size + (size & 1);
    }
    free(b);
    return NULL;
}
