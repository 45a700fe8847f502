/*
 * FLAC fallback tests: round trips over channels, rates, sizes and signals;
 * parameter mismatches; corrupt, truncated and garbage input; the size limit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "flacframe.h"

static int n_pass, n_fail;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (cond) {                                                         \
            n_pass++;                                                       \
        } else {                                                            \
            n_fail++;                                                       \
            if (n_fail <= 20) {                                             \
                fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
                fprintf(stderr, __VA_ARGS__);                               \
                fputc('\n', stderr);                                        \
            }                                                               \
        }                                                                   \
    } while (0)

static uint64_t rng_state = 7;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

enum { SIG_SILENCE, SIG_NOISE, SIG_WAVE, SIG_EXTREMES, SIG_KINDS };

static void make_signal(int16_t *x, uint32_t n, uint32_t ch, int kind)
{
    int32_t acc[BLM_FLAC_MAX_CHANNELS] = { 0 };
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t c = 0; c < ch; c++) {
            int16_t v;
            switch (kind) {
            case SIG_SILENCE: v = 0; break;
            case SIG_NOISE: v = (int16_t)(uint16_t)rnd(); break; /* full scale */
            case SIG_EXTREMES: v = rnd_below(2) ? 32767 : -32768; break;
            default: /* a bounded random walk: predictable, so LPC gets used */
                acc[c] += (int32_t)rnd_below(2001) - 1000;
                if (acc[c] > 32767)
                    acc[c] = 32767;
                if (acc[c] < -32768)
                    acc[c] = -32768;
                v = (int16_t)acc[c];
                break;
            }
            x[(size_t)i * ch + c] = v;
        }
    }
}

/* Decodes into an exact-size buffer so that ASan sees any write past it. */
static int decode_exact(const uint8_t *in, size_t len, uint32_t ch, uint32_t rate, uint32_t n,
                        int16_t **out)
{
    *out = xmalloc((size_t)n * ch * sizeof(int16_t));
    return blm_flac_decode(in, len, ch, rate, n, *out);
}

static void test_round_trips(void)
{
    static const uint32_t rates[] = { 8000, 11025, 16000, 22050, 32000, 44100, 48000, 88200,
                                      96000, 12345, 655350 };
    static const uint32_t sizes[] = { 1, 2, 15, 16, 4095, 4096, 4097, 20000 };
    const int nrates = (int)(sizeof(rates) / sizeof(rates[0]));
    int k = 0;
    for (uint32_t ch = 1; ch <= BLM_FLAC_MAX_CHANNELS; ch++) {
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
            for (int sig = 0; sig < SIG_KINDS; sig++, k++) {
                uint32_t n = sizes[si], rate = rates[k % nrates];
                int16_t *x = xmalloc((size_t)n * ch * sizeof(int16_t)), *y;
                make_signal(x, n, ch, sig);
                BlmBuf out;
                blm_buf_init(&out, BLM_BUF_NO_LIMIT);
                int ret = blm_flac_encode(x, n, ch, rate, &out);
                int dret = ret ? -100 : decode_exact(out.data, out.len, ch, rate, n, &y);
                CHECK(ret == 0 && dret == 0 && !memcmp(x, y, (size_t)n * ch * 2),
                      "ch %u rate %u n %u signal %d: enc %d dec %d", ch, rate, n, sig, ret, dret);
                if (ret == 0)
                    free(y);
                blm_buf_free(&out);
                free(x);
            }
        }
    }
    /* Every rate with stereo over several FLAC frames. */
    for (int r = 0; r < nrates; r++) {
        uint32_t n = 9000, ch = 2;
        int16_t *x = xmalloc((size_t)n * ch * 2), *y;
        make_signal(x, n, ch, SIG_WAVE);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        int ret = blm_flac_encode(x, n, ch, rates[r], &out);
        int dret = decode_exact(out.data, out.len, ch, rates[r], n, &y);
        CHECK(ret == 0 && dret == 0 && !memcmp(x, y, (size_t)n * ch * 2), "rate %u", rates[r]);
        free(y);
        blm_buf_free(&out);
        free(x);
    }
}

static void test_params(void)
{
    int16_t x[64] = { 0 }, y[64];
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    CHECK(blm_flac_encode(x, 8, 0, 44100, &out) == BYTELM_EINVAL, "0 channels");
    CHECK(blm_flac_encode(x, 8, 9, 44100, &out) == BYTELM_EINVAL, "9 channels");
    CHECK(blm_flac_encode(x, 8, 2, 0, &out) == BYTELM_EINVAL, "rate 0");
    CHECK(blm_flac_encode(x, 8, 2, 655351, &out) == BYTELM_EINVAL, "rate 655351");
    CHECK(blm_flac_encode(NULL, 8, 2, 44100, &out) == BYTELM_EINVAL, "NULL samples");
    CHECK(blm_flac_encode(x, 0, 2, 44100, &out) == 0 && out.len == 0, "0 samples");
    CHECK(blm_flac_decode(NULL, 0, 2, 44100, 0, y) == 0, "0 samples decode");
    CHECK(blm_flac_decode(NULL, 0, 2, 44100, 5, y) == BYTELM_EFORMAT, "empty input");
    CHECK(blm_flac_decode((const uint8_t *)x, 0, 9, 44100, 5, y) == BYTELM_EINVAL, "9 channels decode");

    /* A decoder told other parameters than the encoder used must refuse. */
    uint32_t n = 5000, ch = 3;
    int16_t *s = xmalloc((size_t)n * ch * 2), *d;
    make_signal(s, n, ch, SIG_WAVE);
    CHECK(blm_flac_encode(s, n, ch, 44100, &out) == 0, "encode");
    CHECK(decode_exact(out.data, out.len, ch, 44100, n - 1, &d) == BYTELM_EFORMAT, "n - 1");
    free(d);
    CHECK(decode_exact(out.data, out.len, ch, 44100, n + 1, &d) == BYTELM_EFORMAT, "n + 1");
    free(d);
    CHECK(decode_exact(out.data, out.len, ch, 44100, 10, &d) == BYTELM_EFORMAT, "n = 10");
    free(d);
    CHECK(decode_exact(out.data, out.len, 2, 44100, n, &d) == BYTELM_EFORMAT, "2 channels");
    free(d);
    CHECK(decode_exact(out.data, out.len, 4, 44100, n, &d) == BYTELM_EFORMAT, "4 channels");
    free(d);
    CHECK(decode_exact(out.data, out.len, ch, 48000, n, &d) == BYTELM_EFORMAT, "48000 Hz");
    free(d);
    free(s);
    blm_buf_free(&out);
}

/* Damaged input: an error (never a crash or a write out of bounds), or, if
 * libFLAC's CRCs miss it, at worst other samples. */
static void test_damage(void)
{
    int flips = 0, flip_errors = 0, flip_same = 0;
    for (int t = 0; t < 60; t++) {
        uint32_t ch = 1 + rnd_below(BLM_FLAC_MAX_CHANNELS);
        uint32_t n = 1 + rnd_below(t % 2 ? 300 : 12000);
        uint32_t rate = t % 3 ? 44100 : 12345;
        int16_t *x = xmalloc((size_t)n * ch * 2), *y;
        make_signal(x, n, ch, (int)rnd_below(SIG_KINDS));
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        CHECK(blm_flac_encode(x, n, ch, rate, &out) == 0, "encode");

        /* Truncations, into exact-size copies. */
        size_t step = out.len > 40 ? out.len / 40 : 1;
        for (size_t cut = 0; cut < out.len; cut += step) {
            uint8_t *in = xmalloc(cut);
            memcpy(in, out.data, cut);
            int ret = decode_exact(in, cut, ch, rate, n, &y);
            CHECK(ret == BYTELM_EFORMAT, "cut %zu of %zu: %d", cut, out.len, ret);
            free(y);
            free(in);
        }
        /* Trailing bytes. */
        uint8_t *in = xmalloc(out.len + 3);
        memcpy(in, out.data, out.len);
        memcpy(in + out.len, "\xff\xf8\x00", 3);
        int ret = decode_exact(in, out.len + 3, ch, rate, n, &y);
        CHECK(ret == BYTELM_EFORMAT, "trailing bytes: %d", ret);
        free(y);
        free(in);

        /* Flipped bytes. */
        for (int k = 0; k < 30; k++) {
            in = xmalloc(out.len);
            memcpy(in, out.data, out.len);
            int nflip = 1 + (int)rnd_below(4);
            for (int j = 0; j < nflip; j++)
                in[rnd_below((uint32_t)out.len)] ^= (uint8_t)(1 + rnd_below(255));
            ret = decode_exact(in, out.len, ch, rate, n, &y);
            flips++;
            if (ret == BYTELM_EFORMAT)
                flip_errors++;
            else if (ret == 0 && !memcmp(x, y, (size_t)n * ch * 2))
                flip_same++;
            CHECK(ret == BYTELM_EFORMAT || ret == 0, "flip: %d", ret);
            free(y);
            free(in);
        }
        blm_buf_free(&out);
        free(x);
    }
    printf("  damage: %d flipped copies, %d errors, %d decoded right anyway, %d decoded wrong\n",
           flips, flip_errors, flip_same, flips - flip_errors - flip_same);
    CHECK(flips - flip_errors - flip_same <= flips / 1000, "too many undetected corruptions");

    /* Garbage, including bytes that look like frame syncs. */
    for (int t = 0; t < 300; t++) {
        size_t len = rnd_below(t % 2 ? 16 : 3000);
        uint8_t *in = xmalloc(len);
        for (size_t i = 0; i < len; i++)
            in[i] = (uint8_t)rnd();
        if (len >= 2 && t % 3 == 0) {
            in[0] = 0xFF;
            in[1] = 0xF8;
        }
        uint32_t ch = 1 + rnd_below(BLM_FLAC_MAX_CHANNELS), n = 1 + rnd_below(5000);
        int16_t *y;
        int ret = decode_exact(in, len, ch, 44100, n, &y);
        CHECK(ret == BYTELM_EFORMAT, "garbage of %zu bytes: %d", len, ret);
        free(y);
        free(in);
    }
}

/* out's limit stops the encoder; under it the bytes are the same. */
static void test_limit(void)
{
    uint32_t n = 20000, ch = 2;
    int16_t *x = xmalloc((size_t)n * ch * 2);
    make_signal(x, n, ch, SIG_NOISE);
    BlmBuf ref, lim;
    blm_buf_init(&ref, BLM_BUF_NO_LIMIT);
    CHECK(blm_flac_encode(x, n, ch, 44100, &ref) == 0, "encode");
    blm_buf_init(&lim, (size_t)n * ch * 2); /* the stored size: noise does not fit */
    int ret = blm_flac_encode(x, n, ch, 44100, &lim);
    CHECK(ref.len > (size_t)n * ch * 2 ? (ret == 1 && lim.full) : ret == 0,
          "noise against the stored size: %d (%zu bytes)", ret, ref.len);
    blm_buf_reset(&lim, ref.len / 2);
    CHECK(blm_flac_encode(x, n, ch, 44100, &lim) == 1 && lim.full && lim.len <= ref.len / 2,
          "half the size");
    blm_buf_reset(&lim, ref.len);
    CHECK(blm_flac_encode(x, n, ch, 44100, &lim) == 0 && lim.len == ref.len &&
              !memcmp(lim.data, ref.data, ref.len),
          "exact size");
    blm_buf_free(&lim);
    blm_buf_free(&ref);
    free(x);
}

/* The bytes a stored frame costs beyond its audio: the FLAC frame headers
 * and CRCs (no stream metadata is kept). Digital silence codes to nearly
 * nothing else, so its size is the per-frame overhead. */
static void report_overhead(void)
{
    static const uint32_t chans[] = { 1, 2, 8 };
    static const uint32_t sizes[] = { 1, 4096, 8192, 65536 };
    for (size_t c = 0; c < 3; c++) {
        for (size_t s = 0; s < 4; s++) {
            uint32_t n = sizes[s], ch = chans[c];
            int16_t *x = xmalloc((size_t)n * ch * 2);
            make_signal(x, n, ch, SIG_SILENCE);
            BlmBuf out;
            blm_buf_init(&out, BLM_BUF_NO_LIMIT);
            CHECK(blm_flac_encode(x, n, ch, 44100, &out) == 0, "encode silence");
            printf("  silence, %u ch, %5u samples: %4zu bytes (%u FLAC frames)\n", ch, n, out.len,
                   (n + BLM_FLAC_BLOCKSIZE - 1) / BLM_FLAC_BLOCKSIZE);
            blm_buf_free(&out);
            free(x);
        }
    }
}

int main(void)
{
    test_round_trips();
    test_params();
    test_damage();
    test_limit();
    report_overhead();
    printf("flacframe: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
