/*
 * The context mixer (core/src/mixmodel.c, docs/MODEL.md §7):
 *  - on text made of a small vocabulary in random order (contexts repeat, long
 *    repeats do not), BLM_MODE_MIX codes much smaller than BLM_MODE_MATCH, and on a
 *    long repeat it loses little to it; every frame decodes exactly;
 *  - it codes under any table, including one-hot tables that contradict the data;
 *  - blm_frame_decode_many, which decodes at most BLM_MIX_LANES mixer frames at a
 *    time, gives the same bytes and results as decoding each frame alone, also when
 *    frames fail as they start (which once left the frames after them undecoded).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framecoder.h"
#include "mixmodel.h"
#include "model.h"
#include "testutil.h"

static int failures, passes;

static void check(int ok, const char *what)
{
    ok ? passes++ : failures++;
    if (!ok)
        fprintf(stderr, "FAIL: %s\n", what);
}

/* n bytes of words from a 40-word vocabulary, in random order. */
static uint8_t *word_salad(size_t n, uint64_t seed)
{
    static const char *words[] = {
        "the ",   "codec ", "frame ",  "model ",  "<td>",   "</td>",  "<tr>\n", "bytes ",
        "mixer ", "of ",    "a ",      "stream ", "header ", "and ",   "to ",    "in ",
        "audio ", "image ", "text ",   "window ", "token ",  "range ", "coder ", "match ",
        "is ",    "with ",  "every ",  "decoder ", "CRC ",   "MD5 ",   "lossless ", "bits ",
        "per ",   "byte ",  "sample ", "pixel ",  "<p>",    "</p>\n", "width ",  "height "};
    uint8_t *d = malloc(n);
    size_t i = 0;
    while (i < n) {
        const char *w = words[test_rand(&seed) % 40];
        for (size_t k = 0; w[k] && i < n; k++)
            d[i++] = (uint8_t)w[k];
    }
    return d;
}

/* Codes one frame in `mode` and decodes it: its size, or 0 if anything failed. */
static size_t code_frame(BlmFrameCoder *fc, const BlmHeader *h, int mode, const uint8_t *data,
                         uint32_t n, BlmBuf *out)
{
    blm_buf_reset(out, BLM_BUF_NO_LIMIT);
    blm_frame_coder_force_mode(fc, mode);
    int ret = blm_frame_encode(fc, data, n, 0, out);
    BlmFrameHeader fh;
    size_t used;
    uint8_t *back = malloc(n);
    ret = ret ? ret : blm_frame_parse(out->data, out->len, h, &fh, &used);
    ret = ret ? ret : blm_frame_decode(fc, &fh, out->data + blm_frame_header_size(&fh), back);
    size_t size = !ret && fh.mode == mode && !memcmp(back, data, n) ? out->len : 0;
    if (!size)
        fprintf(stderr, "mode %d: error %d\n", mode, ret);
    free(back);
    return size;
}

static BlmModel *golden_model(BlmHeader *h)
{
    BlmModel *model = test_golden_model(h);
    check(model != NULL, "load test-golden.blmm");
    return model;
}

static void codes_contexts_smaller(void)
{
    enum { N = 12000 };
    BlmHeader h = {.kind = BYTELM_KIND_BYTES, .frame_units = N, .total_units = BYTELM_UNKNOWN_LENGTH};
    BlmModel *model = golden_model(&h);
    if (!model)
        return;
    BlmFrameCoder *fc = blm_frame_coder_new(&h, model);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);

    uint8_t *salad = word_salad(N, 1);
    size_t match = code_frame(fc, &h, BLM_MODE_MATCH, salad, N, &out);
    size_t mix = code_frame(fc, &h, BLM_MODE_MIX, salad, N, &out);
    printf("%d bytes of word salad: match mode %zu bytes, mix mode %zu bytes\n", N, match, mix);
    check(match && mix, "word salad: both modes decode exactly");
    check(mix && mix < match * 7 / 10, "word salad: the mixer learns the words");

    uint8_t *rep = test_noise(N, 2);
    for (int i = N / 2; i < N; i++)
        rep[i] = rep[i - N / 2];
    match = code_frame(fc, &h, BLM_MODE_MATCH, rep, N, &out);
    mix = code_frame(fc, &h, BLM_MODE_MIX, rep, N, &out);
    printf("%d bytes of noise, repeated: match mode %zu bytes, mix mode %zu bytes\n", N, match, mix);
    check(match && mix, "repeat: both modes decode exactly");
    check(mix && mix < match * 105 / 100, "repeat: the mixer keeps the match model's gain");

    free(salad);
    free(rep);
    blm_buf_free(&out);
    blm_frame_coder_free(fc);
    blm_model_free(model);
}

/* Tables that are sure and wrong, or flat, through the bit-level coder directly. */
static void codes_under_any_table(void)
{
    enum { N = 5000 };
    BlmMix *m = malloc(sizeof(*m));
    uint32_t (*tables)[256] = malloc(sizeof(*tables) * N);
    uint8_t *data = test_noise(N, 3), *back = calloc(N, 1);
    uint64_t seed = 4;
    for (int t = 0; t < N; t++) {
        const int kind = (int)(test_rand(&seed) % 3);
        for (int c = 0; c < 256; c++)
            tables[t][c] = kind == 0 ? 256 : 1;
        if (kind) /* one-hot: right (kind 1) or wrong (kind 2) */
            tables[t][kind == 1 ? data[t] : (uint8_t)(data[t] + 1)] += 65536 - 256;
    }
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, &out);
    blm_mix_reset(m);
    for (int t = 0; t < N; t++)
        blm_mix_encode(m, &enc, tables[t], data, (size_t)t);
    const uint32_t state = blm_rc_enc_final_state(&enc);
    check(blm_rc_finish(&enc) == 0, "any table: encoder ends cleanly");

    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, out.data, out.len);
    blm_mix_reset(m);
    for (int t = 0; t < N; t++)
        blm_mix_decode(m, &dec, tables[t], back, (size_t)t);
    check(!memcmp(back, data, N), "any table: decodes exactly");
    check(blm_rc_dec_final_state(&dec) == state && blm_rc_dec_check(&dec) == 0,
          "any table: decoder ends in the encoder's state");
    printf("%d noise bytes under random tables: %zu bytes\n", N, out.len);
    blm_buf_free(&out);
    free(m);
    free(tables);
    free(data);
    free(back);
}

static void lanes_match_single_decodes(void)
{
    enum { FRAMES = 11, N = 3000 };
    BlmHeader h = {.kind = BYTELM_KIND_BYTES, .frame_units = N, .total_units = BYTELM_UNKNOWN_LENGTH};
    BlmModel *model = golden_model(&h);
    if (!model)
        return;
    BlmFrameCoder *fc = blm_frame_coder_new(&h, model);
    blm_frame_coder_force_mode(fc, BLM_MODE_MIX);
    BlmBuf out[FRAMES];
    BlmFrameHeader fh[FRAMES];
    uint8_t *data[FRAMES], *single[FRAMES], *many[FRAMES];
    const uint8_t *payload[FRAMES];
    BlmFrameTask tasks[FRAMES];
    int ok = 1, rets[FRAMES];
    for (int f = 0; f < FRAMES; f++) {
        const uint32_t n = N - 200 * (uint32_t)f; /* lanes end at different times */
        data[f] = word_salad(n, 10 + (uint64_t)f);
        single[f] = calloc(N, 1);
        many[f] = calloc(N, 1);
        blm_buf_init(&out[f], BLM_BUF_NO_LIMIT);
        size_t used;
        ok &= blm_frame_encode(fc, data[f], n, (uint32_t)f, &out[f]) == 0 &&
              blm_frame_parse(out[f].data, out[f].len, &h, &fh[f], &used) == 0 &&
              fh[f].mode == BLM_MODE_MIX;
        payload[f] = out[f].data + blm_frame_header_size(&fh[f]);
        /* The first five fail as they start (plain bytes take no transform
         * parameters), more than BLM_MIX_LANES in a row. */
        if (f < 5)
            fh[f].n_params = 1;
    }
    check(ok, "lanes: frames encode in mix mode");
    for (int f = 0; f < FRAMES; f++) {
        rets[f] = blm_frame_decode(fc, &fh[f], payload[f], single[f]);
        tasks[f] = (BlmFrameTask){.fh = &fh[f], .payload = payload[f], .raw = many[f], .ret = 12345};
    }
    blm_frame_decode_many(fc, tasks, FRAMES);
    int same = 1, right = 1;
    for (int f = 0; f < FRAMES; f++) {
        same &= tasks[f].ret == rets[f] && !memcmp(many[f], single[f], N);
        right &= f < 5 ? rets[f] < 0 : rets[f] == 0 && !memcmp(single[f], data[f], fh[f].n_units);
    }
    check(right, "lanes: failing frames fail, the others decode exactly");
    check(same, "lanes: decode_many gives what decode gives, frame by frame");
    for (int f = 0; f < FRAMES; f++) {
        free(data[f]);
        free(single[f]);
        free(many[f]);
        blm_buf_free(&out[f]);
    }
    blm_frame_coder_free(fc);
    blm_model_free(model);
}

int main(void)
{
    codes_contexts_smaller();
    codes_under_any_table();
    lanes_match_single_decodes();
    printf("mix: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
