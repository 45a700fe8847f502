/*
 * One frame, encoded and decoded. The encoder tries every mode that applies and
 * keeps the smallest, so incompressible input costs only the frame header and no
 * PCM frame is larger than FLAC's.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "framecoder.h"

#include <stdlib.h>
#include <string.h>

#include "flacframe.h"
#include "rangecoder.h"

#define MODEL_ROWS 64   /* positions per model call while encoding */

struct BlmFrameCoder {
    BlmHeader h;
    BlmLayout lay;
    uint32_t period;
    const BlmModel *model;
    BlmRunner *runner;
    uint8_t *tokens;
    size_t tokens_cap;
    int16_t *pcm;           /* host-order samples for libFLAC */
    size_t pcm_cap;
    uint16_t tok_in[MODEL_ROWS];
    uint8_t phases[MODEL_ROWS];
    uint32_t (*freqs)[256];
    BlmBuf model_out, flac_out;
    int forced_mode;        /* -1, or the mode a test asked for */
};

BlmFrameCoder *blm_frame_coder_new(const BlmHeader *h, const BlmModel *model)
{
    BlmFrameCoder *fc = calloc(1, sizeof(*fc));
    if (!fc)
        return NULL;
    fc->h = *h;
    fc->lay = blm_header_layout(h);
    fc->period = h->transform ? blm_transform_period(&fc->lay) : 1;
    fc->model = model;
    fc->forced_mode = -1;
    blm_buf_init(&fc->model_out, BLM_BUF_NO_LIMIT);
    blm_buf_init(&fc->flac_out, BLM_BUF_NO_LIMIT);
    if (model) {
        fc->runner = blm_runner_new(model, MODEL_ROWS);
        fc->freqs = malloc(sizeof(*fc->freqs) * MODEL_ROWS);
        if (!fc->runner || !fc->freqs) {
            blm_frame_coder_free(fc);
            return NULL;
        }
    }
    return fc;
}

void blm_frame_coder_free(BlmFrameCoder *fc)
{
    if (!fc)
        return;
    blm_runner_free(fc->runner);
    free(fc->freqs);
    free(fc->tokens);
    free(fc->pcm);
    blm_buf_free(&fc->model_out);
    blm_buf_free(&fc->flac_out);
    free(fc);
}

void blm_frame_coder_force_mode(BlmFrameCoder *fc, int mode)
{
    fc->forced_mode = mode;
}

static int ensure_pcm(BlmFrameCoder *fc, size_t n)
{
    if (n <= fc->pcm_cap)
        return 0;
    int16_t *p = realloc(fc->pcm, n * sizeof(*p));
    if (!p)
        return BYTELM_ENOMEM;
    fc->pcm = p;
    fc->pcm_cap = n;
    return 0;
}

static int ensure_tokens(BlmFrameCoder *fc, size_t n)
{
    if (n <= fc->tokens_cap)
        return 0;
    uint8_t *t = realloc(fc->tokens, n);
    if (!t)
        return BYTELM_ENOMEM;
    fc->tokens = t;
    fc->tokens_cap = n;
    return 0;
}

/* Range-codes tokens[0..n) with the model into fc->model_out, giving up once the
 * output reaches `limit` bytes (another mode is then smaller anyway). */
static int model_encode(BlmFrameCoder *fc, size_t n, size_t limit, uint32_t *final_state)
{
    BlmRcEncoder rc;
    blm_buf_reset(&fc->model_out, limit);
    blm_rc_enc_init(&rc, &fc->model_out);
    blm_runner_reset(fc->runner);
    for (size_t t0 = 0; t0 < n; t0 += MODEL_ROWS) {
        int rows = n - t0 < MODEL_ROWS ? (int)(n - t0) : MODEL_ROWS;
        for (int i = 0; i < rows; i++) {
            size_t t = t0 + (size_t)i;
            fc->tok_in[i] = t ? fc->tokens[t - 1] : 256;
            fc->phases[i] = (uint8_t)(t % fc->period);
        }
        blm_runner_forward(fc->runner, fc->tok_in, fc->phases, rows, fc->freqs);
        for (int i = 0; i < rows; i++)
            blm_rc_encode_symbol(&rc, fc->freqs[i], fc->tokens[t0 + (size_t)i]);
        if (blm_rc_enc_overflow(&rc))
            return BYTELM_ENOMEM; /* over the limit (or out of memory): not this mode */
    }
    *final_state = blm_rc_enc_final_state(&rc);
    return blm_rc_finish(&rc) ? BYTELM_ENOMEM : 0;
}

static int model_decode(BlmFrameCoder *fc, const uint8_t *payload, size_t len, size_t n,
                        uint32_t final_state)
{
    BlmRcDecoder rc;
    blm_rc_dec_init(&rc, payload, len);
    blm_runner_reset(fc->runner);
    uint8_t prev_tok = 0;
    for (size_t t = 0; t < n; t++) {
        fc->tok_in[0] = t ? prev_tok : 256;
        fc->phases[0] = (uint8_t)(t % fc->period);
        blm_runner_forward(fc->runner, fc->tok_in, fc->phases, 1, fc->freqs);
        prev_tok = (uint8_t)blm_rc_decode_symbol(&rc, fc->freqs[0]);
        fc->tokens[t] = prev_tok;
    }
    if (blm_rc_dec_final_state(&rc) != final_state || blm_rc_dec_check(&rc))
        return BYTELM_EDESYNC;
    return 0;
}

int blm_frame_encode(BlmFrameCoder *fc, const uint8_t *raw, uint32_t n_units, uint32_t index,
                     BlmBuf *out)
{
    const size_t raw_len = (size_t)n_units * fc->lay.unit_bytes;
    BlmFrameHeader fh = {.index = index,
                         .first_unit = (uint64_t)index * fc->h.frame_units,
                         .n_units = n_units,
                         .mode = BLM_MODE_STORED,
                         .payload_size = (uint32_t)raw_len};
    const uint8_t *payload = raw;
    const int forced = fc->forced_mode;
    /* Normally a mode must beat the best so far; a forced mode only has to work. */
    const size_t no_limit = BLM_BUF_NO_LIMIT;
    int ret;

    if (fc->h.kind == BYTELM_KIND_PCM_S16LE && (forced < 0 || forced == BLM_MODE_FLAC)) {
        const size_t n = (size_t)n_units * fc->h.channels;
        if ((ret = ensure_pcm(fc, n)) < 0)
            return ret;
        for (size_t i = 0; i < n; i++)
            fc->pcm[i] = (int16_t)(uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
        blm_buf_reset(&fc->flac_out, forced < 0 ? raw_len : no_limit);
        if (blm_flac_encode(fc->pcm, n_units, fc->h.channels, fc->h.sample_rate, &fc->flac_out) == 0 &&
            !blm_buf_status(&fc->flac_out) && (fc->flac_out.len < fh.payload_size || forced >= 0)) {
            fh.mode = BLM_MODE_FLAC;
            fh.payload_size = (uint32_t)fc->flac_out.len;
            payload = fc->flac_out.data;
        }
    }
    if (fc->model && (forced < 0 || forced == BLM_MODE_MODEL)) {
        uint8_t params[BLM_MAX_FRAME_PARAMS] = {0};
        uint32_t n_params = fc->h.transform ? blm_transform_n_params(&fc->lay) : 0;
        if ((ret = ensure_tokens(fc, raw_len)) < 0)
            return ret;
        if (fc->h.transform) {
            if ((ret = blm_transform_forward(&fc->lay, raw, n_units, params, fc->tokens)) < 0)
                return ret;
        } else {
            memcpy(fc->tokens, raw, raw_len);
        }
        uint32_t final_state = 0;
        if (model_encode(fc, raw_len, forced < 0 ? fh.payload_size : no_limit, &final_state) == 0 &&
            (fc->model_out.len < fh.payload_size || forced >= 0)) {
            fh.mode = BLM_MODE_MODEL;
            fh.n_params = (uint8_t)n_params;
            memcpy(fh.params, params, n_params);
            fh.final_state = final_state;
            fh.payload_size = (uint32_t)fc->model_out.len;
            payload = fc->model_out.data;
        }
    }
    if (forced >= 0 && fh.mode != forced)
        return BYTELM_EINVAL;
    size_t size = blm_frame_header_size(&fh) + fh.payload_size + BLM_FRAME_CRC_SIZE;
    if (blm_buf_reserve(out, size))
        return BYTELM_ENOMEM;
    out->len += blm_frame_write(&fh, payload, out->data + out->len);
    return 0;
}

int blm_frame_decode(BlmFrameCoder *fc, const BlmFrameHeader *fh, const uint8_t *payload,
                     uint8_t *raw)
{
    const size_t raw_len = (size_t)fh->n_units * fc->lay.unit_bytes;
    int ret;
    switch (fh->mode) {
    case BLM_MODE_STORED:
        memcpy(raw, payload, raw_len);
        return 0;
    case BLM_MODE_FLAC: {
        const size_t n = (size_t)fh->n_units * fc->h.channels;
        if ((ret = ensure_pcm(fc, n)) < 0 ||
            (ret = blm_flac_decode(payload, fh->payload_size, fc->h.channels, fc->h.sample_rate,
                                   fh->n_units, fc->pcm)) < 0)
            return ret;
        for (size_t i = 0; i < n; i++) {
            raw[2 * i] = (uint8_t)fc->pcm[i];
            raw[2 * i + 1] = (uint8_t)((uint16_t)fc->pcm[i] >> 8);
        }
        return 0;
    }
    case BLM_MODE_MODEL:
        if (!fc->model)
            return BYTELM_ENOMODEL;
        if ((ret = ensure_tokens(fc, raw_len)) < 0)
            return ret;
        if ((ret = model_decode(fc, payload, fh->payload_size, raw_len, fh->final_state)) < 0)
            return ret;
        if (!fc->h.transform) {
            memcpy(raw, fc->tokens, raw_len);
            return 0;
        }
        return blm_transform_inverse(&fc->lay, fc->tokens, fh->n_units, fh->params, raw);
    default:
        return BYTELM_EFORMAT;
    }
}
