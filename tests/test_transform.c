/*
 * Pre-transforms (docs/FORMAT.md §4) on their own: every transform and kind inverts
 * exactly, including signals that overflow 16 bits in the predictor, and malformed
 * parameter bytes are refused instead of read past.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lpc.h"
#include "testutil.h"
#include "transform.h"

static int passes, failures;


/* Channels whose LPC parameters have a flag (bit 3 long cascade, 5 LMS, 6 cascade,
 * 7 mid). */
static int flagged_channels(const uint8_t *params, uint32_t np, uint8_t flag)
{
    int count = 0;
    for (uint32_t at = 0; at + 3 <= np; at += 3 + 2u * params[at + 1])
        count += (params[at] & flag) != 0;
    return count;
}

static int lms_used, lms_unused, cascade_used, mid_used, mid_unused;

/* Forward, check, inverse; returns the parameter count. */
static uint32_t roundtrip(const BlmLayout *lay, const uint8_t *raw, uint32_t n, const char *what)
{
    size_t len = (size_t)n * lay->unit_bytes;
    uint8_t params[BLM_MAX_FRAME_PARAMS], *tok = malloc(len + 1), *back = malloc(len + 1);
    uint32_t np = 0;
    int ret = blm_transform_forward(lay, raw, n, params, &np, tok);
    if (lay->transform == BLM_TRANSFORM_LPC) {
        int k = flagged_channels(params, np, 0x20);
        lms_used += k;
        lms_unused += (int)lay->channels - k;
        cascade_used += flagged_channels(params, np, 0x40);
        if (lay->channels >= 2) {
            mid_used += flagged_channels(params, np, 0x80);
            mid_unused += !flagged_channels(params, np, 0x80);
        }
    }
    CHECK(ret == 0 && np <= BLM_MAX_FRAME_PARAMS, "%s: forward %d", what, ret);
    CHECK(blm_transform_check_params(lay, params, np) == 0, "%s: own parameters refused", what);
    ret = blm_transform_inverse(lay, tok, n, params, np, back);
    CHECK(ret == 0 && !memcmp(back, raw, len), "%s: inverse differs", what);
    free(tok);
    free(back);
    return np;
}

static uint8_t *pcm_pattern(uint32_t n, uint32_t ch, int kind)
{
    uint8_t *p = malloc((size_t)n * ch * 2 + 1);
    uint64_t rng = 7 + (uint64_t)kind;
    for (uint32_t i = 0; i < n * ch; i++) {
        int32_t v;
        switch (kind) {
        case 0: v = (i / ch) & 1 ? 32767 : -32768; break;      /* full-scale square */
        case 1: v = (int32_t)(test_rand(&rng) & 0xFFFF) - 32768; break; /* white noise */
        case 2: v = 0; break;                                  /* digital silence */
        default: v = (int32_t)((i / ch) * 37 % 65536) - 32768; /* saw wrapping around */
        }
        p[2 * i] = (uint8_t)v;
        p[2 * i + 1] = (uint8_t)((uint32_t)v >> 8);
    }
    return p;
}

static void test_pcm(void)
{
    static const uint32_t lengths[] = {1, 2, 5, 33, 40, 4096};
    for (uint32_t tr = BLM_TRANSFORM_IDENTITY; tr <= BLM_TRANSFORM_LPC; tr++)
        for (uint32_t ch = 1; ch <= 8; ch++)
            for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
                uint32_t n = lengths[k];
                BlmLayout lay = {BYTELM_KIND_PCM_S16LE, tr, ch, 0, 2 * ch};
                char what[64];
                uint8_t *sig = test_pcm_signal(n, ch, 44100, (unsigned)(ch + k));
                snprintf(what, sizeof(what), "pcm t%u %uch n%u signal", tr, ch, n);
                uint32_t np = roundtrip(&lay, sig, n, what);
                if (tr == BLM_TRANSFORM_LPC)
                    CHECK(np >= 3 * ch && np <= BLM_MAX_FRAME_PARAMS, "%s: %u params", what, np);
                free(sig);
                for (int kind = 0; kind < 4; kind++) {
                    uint8_t *p = pcm_pattern(n, ch, kind);
                    snprintf(what, sizeof(what), "pcm t%u %uch n%u pattern %d", tr, ch, n, kind);
                    roundtrip(&lay, p, n, what);
                    free(p);
                }
            }
}

/* A smooth signal must get a real LPC filter, and it must beat the fixed predictors. */
static void test_lpc_choice(void)
{
    uint32_t n = 8192;
    uint8_t *sig = test_pcm_signal(n, 1, 44100, 3);
    int16_t *y = malloc(sizeof(*y) * n);
    for (uint32_t i = 0; i < n; i++)
        y[i] = (int16_t)(uint16_t)(sig[2 * i] | sig[2 * i + 1] << 8);
    BlmLpcFilter f;
    double bits = blm_lpc_search(y, n, 32, &f);
    CHECK(f.order >= 2 && bits > 0, "smooth signal: order %d, %.0f bits", f.order, bits);
    BlmLpcFilter g;
    double bits8 = blm_lpc_search(y, n, 8, &g);
    CHECK(g.order <= 8 && bits8 >= bits, "order cap 8: order %d", g.order);
    free(y);
    free(sig);
}

/* Stereo whose channels share most of their signal (mid and side pay), and stereo
 * whose side signal does not fit 16 bits (mid is impossible: left and right at
 * opposite full scale). */
static void test_stereo(void)
{
    const uint32_t n = 4096;
    uint8_t *sig = malloc(4 * n), *wide = malloc(4 * n);
    uint64_t rng = 5;
    for (uint32_t i = 0; i < n; i++) {
        /* one tone in both channels, independent noise in each: the mid halves the
         * noise, the side has no tone */
        int32_t tone = (int32_t)(8000 * sin(0.0313 * i));
        for (int c = 0; c < 2; c++) {
            int16_t v = (int16_t)(tone + (int32_t)(test_rand(&rng) % 512) - 256);
            sig[4 * i + 2 * c] = (uint8_t)(uint16_t)v;
            sig[4 * i + 2 * c + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        int16_t a = i % 3 ? 32767 : -32768, b = (int16_t)(-1 - a);
        wide[4 * i] = (uint8_t)(uint16_t)a;
        wide[4 * i + 1] = (uint8_t)((uint16_t)a >> 8);
        wide[4 * i + 2] = (uint8_t)(uint16_t)b;
        wide[4 * i + 3] = (uint8_t)((uint16_t)b >> 8);
    }
    BlmLayout lay = {BYTELM_KIND_PCM_S16LE, BLM_TRANSFORM_LPC, 2, 0, 4};
    int before = mid_used;
    roundtrip(&lay, sig, n, "stereo, close channels");
    CHECK(mid_used == before + 1, "close channels: mid and side expected");
    roundtrip(&lay, wide, n, "stereo, side over 16 bits");
    CHECK(mid_used == before + 1, "side over 16 bits: mid must not be used");
    free(sig);
    free(wide);
}

/* A pattern that repeats every 700 samples under fresh noise: only the long cascade's
 * 1024-tap stage reaches back a whole period, so the encoder must pick it. */
static void test_long_cascade(void)
{
    const uint32_t n = 16384;
    uint8_t *sig = test_pcm_repeating(n, 700, 8000, 32, 11);
    BlmLayout lay = {BYTELM_KIND_PCM_S16LE, BLM_TRANSFORM_LPC, 1, 0, 2};
    uint8_t params[BLM_MAX_FRAME_PARAMS], *tok = malloc(2 * n);
    uint32_t np = 0;
    CHECK(blm_transform_forward(&lay, sig, n, params, &np, tok) == 0 && np >= 3, "long: forward");
    CHECK((params[0] & 0x68) == 0x68, "a 700-sample period: long cascade expected, flags 0x%02x",
          params[0]);
    roundtrip(&lay, sig, n, "long cascade");
    free(tok);
    free(sig);
}

static void test_lms_coverage(void)
{
    CHECK(lms_used > 0 && lms_unused > 0, "LMS stage used on %d channels, not on %d", lms_used,
          lms_unused);
    CHECK(cascade_used > 0, "the LMS cascade never used");
    CHECK(mid_used > 0 && mid_unused > 0, "mid used in %d frames, not in %d", mid_used, mid_unused);
}

static void test_bad_params(void)
{
    BlmLayout mono = {BYTELM_KIND_PCM_S16LE, BLM_TRANSFORM_LPC, 1, 0, 2};
    BlmLayout stereo = {BYTELM_KIND_PCM_S16LE, BLM_TRANSFORM_LPC, 2, 0, 4};
    const uint8_t ok[] = {0, 2, 14, 0x00, 0x40, 0x00, 0xE0};
    CHECK(blm_transform_check_params(&mono, ok, sizeof(ok)) == 0, "valid order-2 filter");
    CHECK(blm_transform_check_params(&mono, ok, sizeof(ok) - 1) < 0, "coefficients cut short");
    CHECK(blm_transform_check_params(&mono, ok, 2) < 0, "filter header cut short");
    CHECK(blm_transform_check_params(&mono, ok, 0) < 0, "no parameters");
    const uint8_t extra[] = {0, 0, 0, 9};
    CHECK(blm_transform_check_params(&mono, extra, sizeof(extra)) < 0, "trailing byte");
    const uint8_t side0[] = {0x10, 0, 0};
    CHECK(blm_transform_check_params(&mono, side0, 3) < 0, "side flag on channel 0");
    const uint8_t order33[] = {0, 33, 0};
    CHECK(blm_transform_check_params(&mono, order33, 3) < 0, "order 33");
    const uint8_t shift16[] = {0, 0, 16};
    CHECK(blm_transform_check_params(&mono, shift16, 3) < 0, "shift 16");
    const uint8_t lms0[] = {0x20, 0, 0};
    CHECK(blm_transform_check_params(&mono, lms0, 3) == 0, "LMS flag on channel 0");
    const uint8_t bit6[] = {0x40, 0, 0};
    CHECK(blm_transform_check_params(&mono, bit6, 3) < 0, "cascade flag without LMS");
    const uint8_t cascade[] = {0x60, 0, 0};
    CHECK(blm_transform_check_params(&mono, cascade, 3) == 0, "LMS cascade");
    const uint8_t long_alone[] = {0x28, 0, 0};
    CHECK(blm_transform_check_params(&mono, long_alone, 3) < 0, "long flag without the cascade");
    const uint8_t long_ok[] = {0x68, 0, 0};
    CHECK(blm_transform_check_params(&mono, long_ok, 3) == 0, "long cascade");
    const uint8_t mid_mono[] = {0x80, 0, 0};
    CHECK(blm_transform_check_params(&mono, mid_mono, 3) < 0, "mid flag in mono");
    const uint8_t mid_ok[] = {0x80, 0, 0, 0x10, 0, 0};
    CHECK(blm_transform_check_params(&stereo, mid_ok, 6) == 0, "mid, then side");
    const uint8_t mid_no_side[] = {0x80, 0, 0, 0x00, 0, 0};
    CHECK(blm_transform_check_params(&stereo, mid_no_side, 6) < 0, "mid without side on channel 1");
    const uint8_t mid1[] = {0, 0, 0, 0x90, 0, 0};
    CHECK(blm_transform_check_params(&stereo, mid1, 6) < 0, "mid flag on channel 1");
    const uint8_t flags[] = {0, 0, 0, 0x01, 0, 0};
    CHECK(blm_transform_check_params(&stereo, flags, 6) < 0, "unknown flag bit");
    const uint8_t side1[] = {0, 0, 0, 0x10, 0, 0};
    CHECK(blm_transform_check_params(&stereo, side1, 6) == 0, "side flag on channel 1");
    BlmLayout fixed = {BYTELM_KIND_PCM_S16LE, BLM_TRANSFORM_PREDICT, 1, 0, 2};
    const uint8_t order5[] = {5};
    CHECK(blm_transform_check_params(&fixed, order5, 1) < 0, "fixed order 5");
    CHECK(blm_transform_check_params(&fixed, ok, 2) < 0, "fixed: wrong count");
    BlmLayout rgb = {BYTELM_KIND_RGB24, BLM_TRANSFORM_PREDICT, 3, 4, 12};
    const uint8_t sg[] = {2};
    CHECK(blm_transform_check_params(&rgb, sg, 1) < 0, "rgb: unknown flag");
    CHECK(!blm_transform_allowed(BYTELM_KIND_RGB24, BLM_TRANSFORM_LPC), "LPC is PCM only");
    CHECK(!blm_transform_allowed(BYTELM_KIND_PCM_S16LE, 3), "transform 3");
}

static void test_images(void)
{
    for (uint32_t comps = 1; comps <= 3; comps += 2)
        for (uint32_t w = 1; w <= 33; w += 16) {
            BlmLayout lay = {comps == 1 ? BYTELM_KIND_GRAY8 : BYTELM_KIND_RGB24,
                             BLM_TRANSFORM_PREDICT, comps, w, w * comps};
            uint8_t *px = test_image(w, 7, comps, w);
            char what[64];
            snprintf(what, sizeof(what), "image %ux7x%u", w, comps);
            roundtrip(&lay, px, 7, what);
            free(px);
        }
}

int main(void)
{
    test_pcm();
    test_stereo();
    test_long_cascade();
    test_lms_coverage();
    test_lpc_choice();
    test_bad_params();
    test_images();
    printf("transform: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
