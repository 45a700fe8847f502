/*
 * Damaged streams. Targeted cases first, each with the error it must give: bit flips
 * in every header byte, the seek table and every frame; wrong magic and version;
 * header fields at and beyond their limits (zero and huge sizes, 0 to 255 channels);
 * frame fields out of range; truncation at every frame boundary; frames reordered,
 * repeated or missing; an unknown model hash; data after the end. Then random bit
 * flips (with and without repaired CRCs), truncations, cut-outs and duplicated
 * spans. Every case must end in a clean error or, rarely, in the exact original
 * data — never a crash, a hang or wrong data reported as good — and within
 * CASE_SECONDS. Run it under ASan/UBSan or valgrind for the memory side.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <zlib.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

/* Frame modes that need the model: 0 model, 3 match model, 4 mixer, 5 scale prior
 * (docs/FORMAT.md §2). */
static int frame_uses_model(uint8_t mode)
{
    return mode == 0 || mode == 3 || mode == 4 || mode == 5;
}

#define HEADER_SIZE 76
#define MAX_FRAMES 64
/* No damaged case may take longer (generous: ASan and a loaded machine). */
#define CASE_SECONDS 10.0

static int t_pass, t_fail;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_header_crc(uint8_t *st)
{
    put32(st + 72, (uint32_t)crc32(0, st, 72));
}

static size_t frame_size(const uint8_t *f)
{
    size_t np = f[21];
    return 34 + np + (f[26 + np] | (size_t)f[27 + np] << 8 | (size_t)f[28 + np] << 16 |
                      (size_t)f[29 + np] << 24);
}

/* The CRC of a frame of `size` bytes, whatever its fields now say. */
static void fix_frame_crc(uint8_t *f, size_t size)
{
    put32(f + size - 4, (uint32_t)crc32(0, f, (uInt)(size - 4)));
}

/* Offsets of the frames, then of the trailer. */
static int find_frames(const uint8_t *st, size_t len, size_t *off)
{
    int n = 0;
    size_t pos = HEADER_SIZE;
    while (pos + 30 <= len && !memcmp(st + pos, "BLMF", 4) && n < MAX_FRAMES) {
        off[n++] = pos;
        pos += frame_size(st + pos);
    }
    off[n] = pos;
    return n;
}

/* Decodes bad[0..n) and checks it fails with `want` (0: any error) in bounded time. */
static void expect(const BytelmSettings *s, const uint8_t *bad, size_t n, int want, const char *what)
{
    TestBuf back = {0};
    double t0 = now();
    int ret = test_decode(s, bad, n, 0, &back);
    double dt = now() - t0;
    free(back.data);
    if ((want ? ret == want : ret < 0) && dt < CASE_SECONDS) {
        t_pass++;
    } else {
        t_fail++;
        fprintf(stderr, "FAIL: %s: got %d (%s) in %.1f s, want %d\n", what, ret, bytelm_strerror(ret), dt, want);
    }
}

/* A header field changed (and the CRC repaired): probe and decode must agree on it. */
static void header_field(const BytelmSettings *s, const TestBuf *st, int off, int size, uint64_t v,
                         int valid, const char *what)
{
    uint8_t *bad = malloc(st->len);
    memcpy(bad, st->data, st->len);
    const int same = size == 1 ? bad[off] == v : 0;
    if (size == 1)
        bad[off] = (uint8_t)v;
    else if (size == 4)
        put32(bad + off, (uint32_t)v);
    else
        put64(bad + off, v);
    fix_header_crc(bad);
    BytelmStreamInfo info;
    size_t hlen;
    int ret = bytelm_probe_header(bad, st->len, &info, &hlen);
    char name[160];
    snprintf(name, sizeof name, "header %s = %llu", what, (unsigned long long)v);
    if ((ret == 0) == valid) {
        t_pass++;
    } else {
        t_fail++;
        fprintf(stderr, "FAIL: %s: probe gives %d, want %s\n", name, ret, valid ? "valid" : "an error");
    }
    /* Valid or not, the frames no longer fit it (unless it is the original value). */
    if (!same)
        expect(s, bad, st->len, valid ? 0 : BYTELM_EFORMAT, name);
    free(bad);
}

static void targeted(const BytelmSettings *s, const TestBuf *st, const uint8_t *data, size_t len)
{
    size_t off[MAX_FRAMES + 1];
    const int nf = find_frames(st->data, st->len, off);
    const size_t tr = off[nf];
    uint8_t *bad = malloc(2 * st->len);
    char what[160];
#define FRESH() memcpy(bad, st->data, st->len)

    /* Every header byte: magic, version, CRC. */
    for (int i = 0; i < HEADER_SIZE; i++) {
        FRESH();
        bad[i] ^= 0x04;
        snprintf(what, sizeof what, "bit flip in header byte %d", i);
        expect(s, bad, st->len, i < 4 ? BYTELM_EFORMAT : i == 4 ? BYTELM_EVERSION : BYTELM_ECRC, what);
    }
    FRESH();
    memcpy(bad, "BLMF", 4);
    expect(s, bad, st->len, BYTELM_EFORMAT, "frame sync as magic");
    for (int v = 0; v < 256; v += 255) {
        FRESH();
        bad[4] = (uint8_t)(v ? v : 2);
        fix_header_crc(bad);
        expect(s, bad, st->len, BYTELM_EVERSION, "unknown version, CRC repaired");
    }
    expect(s, st->data, 0, BYTELM_EFORMAT, "empty stream");
    expect(s, st->data, 40, BYTELM_ETRUNCATED, "half a header");

    /* Header fields at and beyond their limits (docs/FORMAT.md section 1). */
    const int pcm = s->kind == BYTELM_KIND_PCM_S16LE;
    header_field(s, st, 5, 1, 4, 0, "kind");
    header_field(s, st, 5, 1, 255, 0, "kind");
    header_field(s, st, 6, 1, 4, 0, "source");
    header_field(s, st, 7, 1, 3, 0, "preset");
    header_field(s, st, 8, 1, 255, 0, "transform");
    /* flag bit 0 (tags follow) is test_tags' business; the other flags are reserved */
    header_field(s, st, 10, 1, 2, 0, "flags bit 1");
    header_field(s, st, 11, 1, 0x80, 0, "flags bit 15");
    header_field(s, st, 12, 4, 0, 0, "frame size");
    header_field(s, st, 12, 4, 0xFFFFFFFF, 0, "frame size");
    const uint32_t unit = pcm ? 2 * s->channels : 3 * s->width;
    header_field(s, st, 12, 4, (1u << 24) / unit, 1, "frame size (largest)");
    header_field(s, st, 12, 4, (1u << 24) / unit + 1, 0, "frame size");
    if (pcm) {
        for (int c = 0; c < 256; c += c < 9 ? 1 : 123)
            header_field(s, st, 9, 1, (uint64_t)c, c >= 1 && c <= 8, "channels");
        header_field(s, st, 24, 4, 0, 0, "sample rate");
        header_field(s, st, 24, 4, 768000, 1, "sample rate");
        header_field(s, st, 24, 4, 768001, 0, "sample rate");
        header_field(s, st, 24, 4, 0xFFFFFFFF, 0, "sample rate");
        header_field(s, st, 32, 4, 1, 0, "width (PCM)");
        /* at most 2^26 frames */
        header_field(s, st, 16, 8, ((uint64_t)1 << 26) * s->frame_units - 1, 1, "total units");
        header_field(s, st, 16, 8, ((uint64_t)1 << 26) * s->frame_units, 0, "total units");
        header_field(s, st, 16, 8, UINT64_MAX - 1, 0, "total units");
        header_field(s, st, 16, 8, 0, 1, "total units");
    } else {
        header_field(s, st, 9, 1, 1, 0, "channels (image)");
        header_field(s, st, 32, 4, 0, 0, "width");
        header_field(s, st, 32, 4, 65535, 1, "width (largest)");
        header_field(s, st, 32, 4, 65536, 0, "width");
        header_field(s, st, 36, 4, 0, 0, "height");
        header_field(s, st, 36, 4, 65536, 0, "height");
        header_field(s, st, 16, 8, s->height + 1, 0, "total units (not the height)");
    }

    /* Frame fields, CRC repaired: each must be refused before any decoding. */
    static const struct { int off, size; uint32_t v; const char *name; } ff[] = {
        {0, 1, 'X', "sync"}, {4, 4, 1, "index"}, {4, 4, 0xFFFFFFFF, "index"},
        {8, 4, 1, "first unit"}, {16, 4, 0, "units"}, {16, 4, 0xFFFFFFFF, "units"},
        {20, 1, 6, "mode"}, {20, 1, 255, "mode"}, {21, 1, 255, "parameter count"},
    };
    for (size_t k = 0; k < sizeof ff / sizeof ff[0]; k++) {
        FRESH();
        uint8_t *f = bad + off[0];
        if (ff[k].size == 1)
            f[ff[k].off] = (uint8_t)ff[k].v;
        else
            put32(f + ff[k].off, ff[k].v);
        if (ff[k].off)
            fix_frame_crc(f, off[1] - off[0]);
        snprintf(what, sizeof what, "frame 0 %s = %u", ff[k].name, ff[k].v);
        expect(s, bad, st->len, BYTELM_EFORMAT, what);
    }
    FRESH();
    put32(bad + off[0] + 26 + bad[off[0] + 21], 0xFFFFFFFF);
    expect(s, bad, st->len, BYTELM_EFORMAT, "frame 0 payload size 2^32-1");
    FRESH();
    put32(bad + off[0] + 26 + bad[off[0] + 21], 0);
    expect(s, bad, st->len, 0, "frame 0 payload size 0");

    /* A bit flip in every frame (its CRC), and truncation at each frame boundary. */
    for (int f = 0; f < nf; f++) {
        FRESH();
        bad[off[f] + frame_size(st->data + off[f]) / 2] ^= 0x80;
        snprintf(what, sizeof what, "bit flip in frame %d", f);
        expect(s, bad, st->len, BYTELM_ECRC, what);
        for (int d = -1; d <= 1; d++) {
            snprintf(what, sizeof what, "truncated at frame %d boundary %+d", f, d);
            expect(s, st->data, off[f] + (size_t)d, BYTELM_ETRUNCATED, what);
        }
    }
    expect(s, st->data, tr, BYTELM_ETRUNCATED, "truncated before the trailer");
    expect(s, st->data, st->len - 1, BYTELM_ETRUNCATED, "last byte missing");

    /* Frames reordered, repeated, missing. */
    {
        size_t l1 = off[2] - off[1], l2 = off[3] - off[2];
        FRESH();
        memcpy(bad + off[1], st->data + off[2], l2);
        memcpy(bad + off[1] + l2, st->data + off[1], l1);
        expect(s, bad, st->len, BYTELM_EFORMAT, "frames 1 and 2 swapped");
        memcpy(bad, st->data, off[2]);
        memcpy(bad + off[2], st->data + off[1], st->len - off[1]);
        expect(s, bad, st->len + l1, BYTELM_EFORMAT, "frame 1 repeated");
        memcpy(bad, st->data, off[1]);
        memcpy(bad + off[1], st->data + off[2], st->len - off[2]);
        expect(s, bad, st->len - l1, BYTELM_EFORMAT, "frame 1 missing");
    }

    /* Trailer: its CRC, and with the CRC repaired each field that must match. */
    for (size_t i = tr; i < st->len; i += 7) {
        FRESH();
        bad[i] ^= 0x01;
        snprintf(what, sizeof what, "bit flip in trailer byte %zu", i - tr);
        expect(s, bad, st->len, 0, what);
    }
    static const struct { size_t off; const char *name; int want; } tf[] = {
        {4, "total units", BYTELM_EFORMAT}, {12, "frame count (moves the CRC)", 0},
        {16, "seek entry 0 offset", BYTELM_EFORMAT}, {24 + 16, "seek entry 1 first unit", BYTELM_EFORMAT},
    };
    for (size_t k = 0; k < sizeof tf / sizeof tf[0]; k++) {
        FRESH();
        bad[tr + tf[k].off] ^= 0x01;
        test_fix_trailer_crc(bad, st->len);
        snprintf(what, sizeof what, "trailer %s changed, CRC repaired", tf[k].name);
        expect(s, bad, st->len, tf[k].want, what);
    }
    FRESH();
    bad[tr + 16 + 16 * (size_t)nf + 3] ^= 0x01;
    test_fix_trailer_crc(bad, st->len);
    expect(s, bad, st->len, BYTELM_EMD5, "trailer MD5 changed, CRC repaired");
    FRESH();
    memcpy(bad + st->len, "x", 1);
    expect(s, bad, st->len + 1, BYTELM_EFORMAT, "data after the end");

    /* A model or pixel-predictor frame of a few hundred bytes that claims 16 MiB (the
     * largest frame): the range decoder runs past its payload after a few thousand
     * symbols and must stop there, not predict all 16 M positions (once minutes, now
     * milliseconds). */
    if (s->kind == BYTELM_KIND_RGB24) {
        int f = 0;
        while (f < nf && st->data[off[f] + 20] != 0 && st->data[off[f] + 20] != 7)
            f++;
        if (f < nf) {
            const uint32_t rows = (1u << 24) / (3 * 65535);
            size_t fl = off[f + 1] - off[f];
            memcpy(bad, st->data, HEADER_SIZE);
            put32(bad + 12, rows);
            put64(bad + 16, rows);
            put32(bad + 32, 65535);
            put32(bad + 36, rows);
            fix_header_crc(bad);
            memcpy(bad + HEADER_SIZE, st->data + off[f], fl);
            put32(bad + HEADER_SIZE + 4, 0);
            put64(bad + HEADER_SIZE + 8, 0);
            put32(bad + HEADER_SIZE + 16, rows);
            fix_frame_crc(bad + HEADER_SIZE, fl);
            expect(s, bad, HEADER_SIZE + fl, 0, "a small model or pixel frame that claims 16 MiB");
        } else {
            t_fail++;
            fprintf(stderr, "FAIL: the RGB stream has no model or pixel frame\n");
        }
    }

    /* An unknown model hash: an error only if a frame needs the model. */
    {
        int model_frames = 0;
        for (int f = 0; f < nf; f++)
            model_frames += frame_uses_model(st->data[off[f] + 20]);
        FRESH();
        bad[40] ^= 0xFF;
        fix_header_crc(bad);
        TestBuf back = {0};
        int ret = test_decode(s, bad, st->len, 0, &back);
        int ok = model_frames ? ret == BYTELM_ENOMODEL
                              : ret == 0 && back.len == len && !memcmp(back.data, data, len);
        t_pass += ok;
        t_fail += !ok;
        if (!ok)
            fprintf(stderr, "FAIL: unknown model hash (%d model frames): %d\n", model_frames, ret);
        free(back.data);
    }
#undef FRESH
    free(bad);
}

/* Recomputes the CRC of every frame whose length field still fits the buffer, so a
 * damaged payload reaches the range decoder instead of stopping at the CRC. */
static void repair_frame_crcs(uint8_t *st, size_t len)
{
    size_t pos = HEADER_SIZE;
    while (pos + 30 <= len && !memcmp(st + pos, "BLMF", 4)) {
        size_t np = st[pos + 21];
        if (pos + 30 + np > len)
            return;
        size_t payload = st[pos + 26 + np] | (size_t)st[pos + 27 + np] << 8 |
                         (size_t)st[pos + 28 + np] << 16 | (size_t)st[pos + 29 + np] << 24;
        size_t body = 30 + np + payload;
        if (payload > len || pos + body + 4 > len)
            return;
        uint32_t crc = (uint32_t)crc32(0, st + pos, (uInt)body);
        for (int i = 0; i < 4; i++)
            st[pos + body + i] = (uint8_t)(crc >> (8 * i));
        pos += body + 4;
    }
}

int main(void)
{
    int cases = 0, errors = 0, intact = 0, failures = 0;
    uint64_t rng = 12345;
    for (int stream = 0; stream < 2; stream++) {
        BytelmSettings s;
        bytelm_default_settings(&s);
        s.model_path = MODELS_DIR "/test-golden.blmm";
        s.threads = 2;
        uint8_t *data;
        size_t len;
        if (stream == 0) {
            s.kind = BYTELM_KIND_RGB24, s.width = 50, s.height = 40, s.frame_units = 9;
            len = 50 * 40 * 3;
            data = test_image(50, 40, 3, 21);
        } else {
            s.kind = BYTELM_KIND_PCM_S16LE, s.sample_rate = 8000, s.channels = 1, s.frame_units = 500;
            len = 1700 * 2;
            data = test_pcm_signal(1700, 1, 8000, 22);
        }
        TestBuf st = {0};
        if (test_encode(&s, data, len, 0, &st) < 0) {
            fprintf(stderr, "FAIL: encode\n");
            return 1;
        }
        targeted(&s, &st, data, len);
        uint8_t *bad = malloc(2 * st.len);
        for (int it = 0; it < 400; it++) {
            size_t n = st.len;
            memcpy(bad, st.data, st.len);
            switch (it % 4) {
            case 0: /* a few bit flips anywhere */
                for (int k = 0; k < 1 + (int)(test_rand(&rng) % 3); k++)
                    bad[test_rand(&rng) % n] ^= (uint8_t)(1u << (test_rand(&rng) % 8));
                break;
            case 1: /* bit flips after the header, CRCs repaired */
                for (int k = 0; k < 1 + (int)(test_rand(&rng) % 2); k++)
                    bad[HEADER_SIZE + test_rand(&rng) % (n - HEADER_SIZE)] ^= (uint8_t)(1u << (test_rand(&rng) % 8));
                repair_frame_crcs(bad, n);
                break;
            case 2: /* truncated */
                n = test_rand(&rng) % n;
                break;
            default: { /* a span cut out or repeated */
                size_t a = test_rand(&rng) % n, b = a + test_rand(&rng) % (n - a);
                if (test_rand(&rng) & 1) {
                    memmove(bad + a, bad + b, n - b);
                    n -= b - a;
                } else {
                    memmove(bad + b + (b - a), bad + b, n - b);
                    n += b - a;
                }
            }
            }
            TestBuf back = {0};
            int ret = test_decode(&s, bad, n, 1 + test_rand(&rng) % 5000, &back);
            cases++;
            if (ret < 0) {
                errors++;
            } else if (back.len == len && !memcmp(back.data, data, len)) {
                intact++; /* the damage missed everything that matters (or was undone) */
            } else {
                failures++;
                fprintf(stderr, "FAIL: stream %d case %d: wrong data reported as good\n", stream, it);
            }
            free(back.data);
        }
        free(bad);
        free(st.data);
        free(data);
    }
    /* Memory: the largest frame is 16 MiB; nothing here may need much more than a few
     * of them (sanitizers change the numbers, so only the plain build checks). */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory %ld MiB\n", ru.ru_maxrss / 1024);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    if (ru.ru_maxrss / 1024 > 256) {
        t_fail++;
        fprintf(stderr, "FAIL: peak resident memory %ld MiB, over 256 MiB\n", ru.ru_maxrss / 1024);
    }
#endif
    printf("%d targeted cases: %d as expected, %d not\n", t_pass + t_fail, t_pass, t_fail);
    printf("%d damaged streams: %d errors, %d decoded intact\n", cases, errors, intact);
    printf("damage: %d passed, %d failed\n", cases - failures + t_pass, failures + t_fail);
    return failures != 0 || t_fail != 0;
}
