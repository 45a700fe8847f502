/*
 * The match model (core/src/matchmodel.c, docs/MODEL.md §6):
 *  - every table it makes is a valid range-coder table (sum 65536, no zero), for random
 *    model tables (flat, peaked, one-hot) and random histories with and without repeats;
 *  - it follows a repeat: the prediction is the token after the earlier occurrence;
 *  - a frame whose second half repeats its first codes much smaller in BLM_MODE_MATCH
 *    than in BLM_MODE_MODEL with the same model, and both decode exactly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecoder.h"
#include "matchmodel.h"
#include "model.h"
#include "testutil.h"

static int failures, passes;

static void check(int ok, const char *what)
{
    ok ? passes++ : failures++;
    if (!ok)
        fprintf(stderr, "FAIL: %s\n", what);
}

static uint32_t rnd(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* A valid model table: every entry >= 1, sum 65536, of one of three shapes. */
static void model_table(uint32_t f[256], uint64_t *s)
{
    int shape = rnd(s) % 3, top = rnd(s) % 256;
    uint32_t sum = 0;
    for (int c = 0; c < 256; c++) {
        f[c] = shape == 0 ? 256 : shape == 1 ? 1 + rnd(s) % 255 : 1;
        sum += f[c];
    }
    f[top] += 65536 - sum;
}

static void tables_are_valid(void)
{
    uint64_t s = 1;
    enum { N = 20000 };
    uint8_t *hist = malloc(N);
    BlmMatch *m = malloc(sizeof(*m));
    int bad = 0, reshaped = 0;
    for (int round = 0; round < 4; round++) {
        blm_match_reset(m);
        for (size_t t = 0; t < N; t++) {
            uint32_t f[256], before[256];
            model_table(f, &s);
            memcpy(before, f, sizeof f);
            blm_match_apply(m, hist, f);
            uint32_t sum = 0;
            for (int c = 0; c < 256; c++) {
                sum += f[c];
                bad += f[c] < 1;
            }
            bad += sum != 65536;
            reshaped += memcmp(before, f, sizeof f) != 0;
            /* rounds 0-1: repeats of random length at random distances; 2-3: noise */
            if (round < 2 && t > 300 && rnd(&s) % 4)
                hist[t] = hist[t - 1 - (rnd(&s) % 3 == 0 ? 37 : 250)];
            else
                hist[t] = (uint8_t)rnd(&s);
            blm_match_update(m, hist, t);
        }
    }
    check(!bad, "every reshaped table sums to 65536 with no zero entry");
    check(reshaped > 1000, "the match model reshapes tables on data with repeats");
    free(hist);
    free(m);
}

static void follows_a_repeat(void)
{
    const char *text = "abcdefghij0123456789 abcdefghij01";
    BlmMatch *m = malloc(sizeof(*m));
    blm_match_reset(m);
    size_t n = strlen(text);
    for (size_t t = 0; t < n; t++)
        blm_match_update(m, (const uint8_t *)text, t);
    /* "abcdefghij01" repeats; the next token predicted is '2' (after "...01" the first time) */
    check(m->len >= BLM_MATCH_MIN && text[m->ptr] == '2', "predicts the token after the repeat");
    uint32_t f[256];
    for (int c = 0; c < 256; c++)
        f[c] = 256;
    /* teach it that predictions are right, then check it trusts the next one */
    for (int i = 0; i < 64; i++)
        m->hit[i] = 60000;
    blm_match_apply(m, (const uint8_t *)text, f);
    check(f['2'] >= 59000 && f['2'] < 65536 - 255, "a trusted prediction gets most of the range");
    free(m);
}

static size_t code_frame(const BlmHeader *h, const BlmModel *model, int mode, const uint8_t *data,
                         uint32_t n)
{
    BlmFrameCoder *fc = blm_frame_coder_new(h, model);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    blm_frame_coder_force_mode(fc, mode);
    int ret = blm_frame_encode(fc, data, n, 0, &out);
    BlmFrameHeader fh;
    size_t used, size = 0;
    uint8_t *back = malloc(n);
    ret = ret ? ret : blm_frame_parse(out.data, out.len, h, &fh, &used);
    ret = ret ? ret : blm_frame_decode(fc, &fh, out.data + blm_frame_header_size(&fh), back);
    if (!ret && fh.mode == mode && !memcmp(back, data, n))
        size = out.len;
    else
        fprintf(stderr, "mode %d: error %d, frame mode %d\n", mode, ret, fh.mode);
    free(back);
    blm_buf_free(&out);
    blm_frame_coder_free(fc);
    return size;
}

static void codes_repeats_smaller(void)
{
    enum { N = 6000 };
    BlmModel *model = NULL;
    if (blm_model_load_file(MODELS_DIR "/test-golden.blmm", &model) < 0) {
        check(0, "load test-golden.blmm");
        return;
    }
    BlmHeader h = {.kind = BYTELM_KIND_BYTES, .frame_units = N, .total_units = BYTELM_UNKNOWN_LENGTH};
    memcpy(h.model_hash, blm_model_hash(model), 32);
    uint8_t *data = test_noise(N, 9);
    for (int i = 0; i < N; i++) /* small values (the golden model's prior), then the same again */
        data[i] = i < N / 2 ? data[i] % 5 : data[i - N / 2];
    size_t plain = code_frame(&h, model, BLM_MODE_MODEL, data, N);
    size_t match = code_frame(&h, model, BLM_MODE_MATCH, data, N);
    printf("%d bytes, half a repeat: model mode %zu bytes, match mode %zu bytes\n", N, plain, match);
    check(plain && match, "both modes decode exactly");
    check(match && match < plain * 6 / 10, "the repeat costs little in match mode");
    free(data);
    blm_model_free(model);
}

int main(void)
{
    tables_are_valid();
    follows_a_repeat();
    codes_repeats_smaller();
    printf("match: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
