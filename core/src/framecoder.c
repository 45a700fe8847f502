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
#include "matchmodel.h"
#include "fpenv.h"
#include "mixmodel.h"
#include "pcmcascade.h"
#include "pixelcascade.h"
#include "rangecoder.h"
#include "scaleprior.h"

#define MODEL_ROWS 64   /* positions per model call while encoding */

_Static_assert(BLM_DECODE_LANES <= MODEL_ROWS, "one lockstep step fits tok_in and freqs");

/* What sits between the model's table and the range coder in one frame's mode:
 * nothing (BLM_MODE_MODEL), the match model, the context mixer or the scale prior. */
typedef struct TokenCoder {
    BlmMatch *match;
    BlmMix *mix;
    BlmScalePrior *scale;
} TokenCoder;

/* The state a TokenCoder points into, made on first use. */
typedef struct CoderState {
    BlmMatch *match;
    BlmMix *mix;
    BlmScalePrior *scale;
} CoderState;

/* A model frame being decoded by blm_frame_decode_many. */
typedef struct DecodeLane {
    BlmRunner *runner;      /* max_rows BLM_DECODE_LANES: any lane can lend the scratch */
    uint8_t *tokens;
    size_t tokens_cap;
    BlmFrameTask *task;     /* NULL while the lane is free */
    BlmRcDecoder rc;
    CoderState state;
    TokenCoder coder;
    size_t t, n;            /* next position, tokens in the frame */
} DecodeLane;

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
    float (*logits)[256];
    CoderState state;
    BlmBuf model_out, plain_out, flac_out, cascade_out;
    BlmCascadeCoder *cascade; /* PCM of 1 or 2 channels: mode 6, made on first use */
    BlmPixelCoder *pixels;    /* gray and RGB images: mode 7, made on first use */
    int forced_mode;        /* -1, or the mode a test asked for */
    DecodeLane lane[BLM_DECODE_LANES];  /* runners made on first use (decoders only) */
};

BlmFrameCoder *blm_frame_coder_new(const BlmHeader *h, const BlmModel *model)
{
    BlmFrameCoder *fc = calloc(1, sizeof(*fc));
    if (!fc)
        return NULL;
    fc->h = *h;
    fc->lay = blm_header_layout(h);
    fc->period = blm_transform_period(&fc->lay);
    fc->model = model;
    fc->forced_mode = -1;
    blm_buf_init(&fc->model_out, BLM_BUF_NO_LIMIT);
    blm_buf_init(&fc->plain_out, BLM_BUF_NO_LIMIT);
    blm_buf_init(&fc->flac_out, BLM_BUF_NO_LIMIT);
    blm_buf_init(&fc->cascade_out, BLM_BUF_NO_LIMIT);
    if (model) {
        fc->runner = blm_runner_new(model, MODEL_ROWS);
        fc->freqs = malloc(sizeof(*fc->freqs) * MODEL_ROWS);
        fc->logits = malloc(sizeof(*fc->logits) * MODEL_ROWS);
        if (!fc->runner || !fc->freqs || !fc->logits) {
            blm_frame_coder_free(fc);
            return NULL;
        }
    }
    return fc;
}

static void free_state(CoderState *st)
{
    free(st->match);
    free(st->mix);
    free(st->scale);
}

void blm_frame_coder_free(BlmFrameCoder *fc)
{
    if (!fc)
        return;
    blm_runner_free(fc->runner);
    for (int l = 0; l < BLM_DECODE_LANES; l++) {
        blm_runner_free(fc->lane[l].runner);
        free(fc->lane[l].tokens);
        free_state(&fc->lane[l].state);
    }
    free_state(&fc->state);
    free(fc->freqs);
    free(fc->logits);
    free(fc->tokens);
    free(fc->pcm);
    blm_buf_free(&fc->model_out);
    blm_buf_free(&fc->plain_out);
    blm_buf_free(&fc->flac_out);
    blm_buf_free(&fc->cascade_out);
    blm_cascade_free(fc->cascade);
    blm_pixel_coder_free(fc->pixels);
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

/* The frame's little-endian samples into fc->pcm (host order, for libFLAC and mode 6). */
static int raw_to_pcm(BlmFrameCoder *fc, const uint8_t *raw, uint32_t n_units)
{
    const size_t n = (size_t)n_units * fc->h.channels;
    int ret = ensure_pcm(fc, n);
    for (size_t i = 0; ret == 0 && i < n; i++)
        fc->pcm[i] = (int16_t)(uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
    return ret;
}

static void pcm_to_raw(const int16_t *pcm, size_t n, uint8_t *raw)
{
    for (size_t i = 0; i < n; i++) {
        raw[2 * i] = (uint8_t)pcm[i];
        raw[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
    }
}

static int grow_tokens(uint8_t **tokens, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    uint8_t *t = realloc(*tokens, n);
    if (!t)
        return BYTELM_ENOMEM;
    *tokens = t;
    *cap = n;
    return 0;
}

/* The token coder of a frame about to be coded in `mode`, its state reset (and
 * allocated into *st on first use). */
static int start_coder(CoderState *st, int mode, const BlmHeader *h, TokenCoder *out)
{
    *out = (TokenCoder){0};
    if (mode == BLM_MODE_MATCH) {
        if (!st->match && !(st->match = malloc(sizeof(*st->match))))
            return BYTELM_ENOMEM;
        blm_match_reset(st->match);
        out->match = st->match;
    } else if (mode == BLM_MODE_MIX) {
        if (!st->mix && !(st->mix = malloc(sizeof(*st->mix))))
            return BYTELM_ENOMEM;
        blm_mix_reset(st->mix);
        out->mix = st->mix;
    } else if (mode == BLM_MODE_SCALE) {
        if (!st->scale && !(st->scale = malloc(sizeof(*st->scale))))
            return BYTELM_ENOMEM;
        blm_scale_reset(st->scale, h->kind, h->channels, h->width);
        out->scale = st->scale;
    }
    return 0;
}

/* freqs is the model's table, logits its logits (used by the scale prior only). */
static void encode_token(const TokenCoder *tc, BlmRcEncoder *rc, uint32_t freqs[256],
                         const float logits[256], const uint8_t *tokens, size_t t)
{
    if (tc->mix) {
        blm_mix_encode(tc->mix, rc, freqs, tokens, t);
        return;
    }
    if (tc->scale) {
        blm_scale_encode(tc->scale, rc, logits, tokens, t);
        return;
    }
    if (tc->match)
        blm_match_apply(tc->match, tokens, freqs);
    blm_rc_encode_symbol(rc, freqs, tokens[t]);
    if (tc->match)
        blm_match_update(tc->match, tokens, t);
}

static uint8_t decode_token(const TokenCoder *tc, BlmRcDecoder *rc, uint32_t freqs[256],
                            const float logits[256], uint8_t *tokens, size_t t)
{
    if (tc->mix)
        return (uint8_t)blm_mix_decode(tc->mix, rc, freqs, tokens, t);
    if (tc->scale)
        return (uint8_t)blm_scale_decode(tc->scale, rc, logits, tokens, t);
    if (tc->match)
        blm_match_apply(tc->match, tokens, freqs);
    tokens[t] = (uint8_t)blm_rc_decode_symbol(rc, freqs);
    if (tc->match)
        blm_match_update(tc->match, tokens, t);
    return tokens[t];
}

static int ensure_tokens(BlmFrameCoder *fc, size_t n)
{
    return grow_tokens(&fc->tokens, &fc->tokens_cap, n);
}

/* Range-codes tokens[0..n) with the model into fc->model_out in tc's mode and, with
 * also_plain, in mode 0 into fc->plain_out as well, from the same run of the model.
 * A coder gives up once its output reaches its buffer's limit (another mode is then
 * smaller anyway); ok[k] says which finished, state[k] their final states. */
static void model_encode_frame(BlmFrameCoder *fc, const TokenCoder *tc, int also_plain, size_t n,
                               int ok[2], uint32_t state[2])
{
    static const TokenCoder plain = {0};
    BlmRcEncoder rc[2];
    blm_rc_enc_init(&rc[0], &fc->model_out);
    blm_rc_enc_init(&rc[1], &fc->plain_out);
    ok[0] = 1;
    ok[1] = also_plain;
    const int tables = !tc->scale || also_plain; /* the scale prior needs only logits */
    blm_runner_reset(fc->runner);
    for (size_t t0 = 0; t0 < n && (ok[0] || ok[1]); t0 += MODEL_ROWS) {
        int rows = n - t0 < MODEL_ROWS ? (int)(n - t0) : MODEL_ROWS;
        for (int i = 0; i < rows; i++) {
            size_t t = t0 + (size_t)i;
            fc->tok_in[i] = t ? fc->tokens[t - 1] : 256;
            fc->phases[i] = (uint8_t)(t % fc->period);
        }
        blm_runner_forward(fc->runner, fc->tok_in, fc->phases, rows, tables ? fc->freqs : NULL,
                           tc->scale ? fc->logits : NULL);
        for (int i = 0; i < rows; i++) {
            /* mode 0 first: the match model and the mixer may reshape the table */
            if (ok[1])
                encode_token(&plain, &rc[1], fc->freqs[i], NULL, fc->tokens, t0 + (size_t)i);
            if (ok[0])
                encode_token(tc, &rc[0], fc->freqs[i], fc->logits[i], fc->tokens, t0 + (size_t)i);
        }
        for (int k = 0; k < 2; k++)
            if (ok[k] && blm_rc_enc_overflow(&rc[k]))
                ok[k] = 0; /* over the limit (or out of memory): not this mode */
    }
    for (int k = 0; k < 2; k++)
        if (ok[k]) {
            state[k] = blm_rc_enc_final_state(&rc[k]);
            ok[k] = blm_rc_finish(&rc[k]) == 0;
        }
}

static int model_encode(BlmFrameCoder *fc, int mode, int also_plain, size_t n, size_t limit,
                        int ok[2], uint32_t state[2])
{
    TokenCoder tc;
    if (start_coder(&fc->state, mode, &fc->h, &tc) < 0)
        return BYTELM_ENOMEM;
    blm_buf_reset(&fc->model_out, limit);
    blm_buf_reset(&fc->plain_out, limit);
    const unsigned csr = blm_fp_enter(); /* the scale prior computes in float */
    model_encode_frame(fc, &tc, also_plain, n, ok, state);
    blm_fp_restore(csr);
    return 0;
}

/* The end of a model frame, after its last symbol: the range decoder must agree
 * with the encoder's final state, then the tokens go back through the transform. */
static int model_decode_end(BlmFrameCoder *fc, const BlmFrameHeader *fh, const BlmRcDecoder *rc,
                            const uint8_t *tokens, uint8_t *raw)
{
    if (blm_rc_dec_final_state(rc) != fh->final_state || blm_rc_dec_check(rc))
        return BYTELM_EDESYNC;
    return blm_transform_inverse(&fc->lay, tokens, fh->n_units, fh->params, fh->n_params, raw);
}

static int model_decode_tokens(BlmFrameCoder *fc, const TokenCoder *tc, BlmRcDecoder *rc,
                               size_t n)
{
    blm_runner_reset(fc->runner);
    uint8_t prev_tok = 0;
    for (size_t t = 0; t < n; t++) {
        fc->tok_in[0] = t ? prev_tok : 256;
        fc->phases[0] = (uint8_t)(t % fc->period);
        blm_runner_forward(fc->runner, fc->tok_in, fc->phases, 1, tc->scale ? NULL : fc->freqs,
                           tc->scale ? fc->logits : NULL);
        prev_tok = decode_token(tc, rc, fc->freqs[0], fc->logits[0], fc->tokens, t);
        if (rc->overread > BLM_RC_TAIL_ZEROS)
            return BYTELM_EDESYNC; /* past the payload: damaged, stop now (bounded time) */
    }
    return 0;
}

static int model_decode(BlmFrameCoder *fc, const BlmFrameHeader *fh, const uint8_t *payload,
                        size_t n, uint8_t *raw)
{
    BlmRcDecoder rc;
    TokenCoder tc;
    if (start_coder(&fc->state, fh->mode, &fc->h, &tc) < 0)
        return BYTELM_ENOMEM;
    blm_rc_dec_init(&rc, payload, fh->payload_size);
    const unsigned csr = blm_fp_enter();
    const int ret = model_decode_tokens(fc, &tc, &rc, n);
    blm_fp_restore(csr);
    return ret < 0 ? ret : model_decode_end(fc, fh, &rc, fc->tokens, raw);
}

/* Whether mode 6 applies to this stream: PCM of one or two channels. */
static int cascade_applies(const BlmFrameCoder *fc)
{
    return fc->h.kind == BYTELM_KIND_PCM_S16LE && fc->h.channels <= BLM_PP_MAX_CHANNELS;
}

static int ensure_cascade(BlmFrameCoder *fc)
{
    if (!fc->cascade && !(fc->cascade = blm_cascade_new((int)fc->h.channels)))
        return BYTELM_ENOMEM;
    fc->cascade->rate = fc->h.sample_rate;
    return 0;
}

/* Whether mode 7 applies to this stream: images of every kind. */
static int pixels_apply(const BlmFrameCoder *fc)
{
    return blm_kind_is_image(fc->h.kind);
}

static int ensure_pixels(BlmFrameCoder *fc)
{
    if (!fc->pixels && !(fc->pixels = blm_pixel_coder_new(bytelm_kind_planes(fc->h.kind),
                                                          bytelm_kind_sample_bytes(fc->h.kind),
                                                          fc->h.width)))
        return BYTELM_ENOMEM;
    return 0;
}

/* The mode-6 profiles the encoder tries, by preset (docs/STUDY.md finding 8): the
 * long cascade at the slow forgetting factor for music, the short one at fast
 * factors for speech; the fast preset never runs the long cascade (it adds the wide
 * short one at the slow factor, for music), max runs all. The
 * choice costs encoding time only: a decoder runs the one profile a frame names. */
static int cascade_profiles(int preset, int out[BLM_PP_PROFILES])
{
    enum { F = BLM_PP_PROFILE_FAST, W = BLM_PP_PROFILE_WIDE };
    static const int fast[] = {F, F | W, F | 2, F | 3};
    static const int normal[] = {0, F | 2, F | 3};
    if (preset == BYTELM_PRESET_MAX) {
        for (int i = 0; i < BLM_PP_PROFILES; i++)
            out[i] = blm_pcm_profile(i);
        return BLM_PP_PROFILES;
    }
    if (preset == BYTELM_PRESET_FAST) {
        memcpy(out, fast, sizeof(fast));
        return (int)(sizeof(fast) / sizeof(fast[0]));
    }
    memcpy(out, normal, sizeof(normal));
    return (int)(sizeof(normal) / sizeof(normal[0]));
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

    if (fc->h.kind == BYTELM_KIND_PCM_S16LE && (ret = raw_to_pcm(fc, raw, n_units)) < 0)
        return ret;
    if (fc->h.kind == BYTELM_KIND_PCM_S16LE && (forced < 0 || forced == BLM_MODE_FLAC)) {
        blm_buf_reset(&fc->flac_out, forced < 0 ? raw_len : no_limit);
        if (blm_flac_encode(fc->pcm, n_units, fc->h.channels, fc->h.sample_rate, &fc->flac_out) == 0 &&
            !blm_buf_status(&fc->flac_out) && (fc->flac_out.len < fh.payload_size || forced >= 0)) {
            fh.mode = BLM_MODE_FLAC;
            fh.payload_size = (uint32_t)fc->flac_out.len;
            payload = fc->flac_out.data;
        }
    }
    /* PCM of one or two channels: the cascade predictor (mode 6), with each of the
     * preset's profiles; each try stops once it is no smaller than the best. */
    if (cascade_applies(fc) && (forced < 0 || forced == BLM_MODE_CASCADE)) {
        if ((ret = ensure_cascade(fc)) < 0)
            return ret;
        int profiles[BLM_PP_PROFILES];
        const int n_profiles = cascade_profiles(fc->h.preset, profiles);
        int best = -1;
        /* the network's try reads the best try's predictor instead of running it */
        blm_cascade_set_tracing(fc->cascade, fc->h.preset != BYTELM_PRESET_FAST);
        for (int k = 0; k <= n_profiles + 3; k++) {
            const int best_is_cascade = fh.mode == BLM_MODE_CASCADE;
            /* every frame starts from the learned states (docs/MODEL.md §13) */
            int param = k < n_profiles ? profiles[k] | BLM_PP_WARM : -1;
            if (k == n_profiles) {
                /* then the best profile with value maps, where they might pay */
                if (!best_is_cascade ||
                    (ret = blm_cascade_maps_worth_trying(fc->cascade, fc->pcm, n_units)) == 0)
                    continue;
                if (ret < 0)
                    return ret;
                param = best | BLM_PP_VALUE_MAPS;
            } else if (k == n_profiles + 1) {
                /* then with a long-term lag, where the signal seems to repeat (loops) */
                if (!best_is_cascade || fc->h.preset == BYTELM_PRESET_FAST)
                    continue;
                const int32_t lag = blm_cascade_find_lag(fc->cascade, fc->pcm, n_units);
                if (lag < 0)
                    return lag;
                if (lag == 0)
                    continue;
                param = best | BLM_PP_EXT | lag << BLM_PP_LAG_SHIFT;
            } else if (k == n_profiles + 2) {
                /* then stereo as two monos, which pays where the channels have little
                 * in common (docs/STUDY.md finding 16) */
                if (!best_is_cascade || fc->h.channels != 2 || fc->h.preset == BYTELM_PRESET_FAST)
                    continue;
                param = best | BLM_PP_EXT | BLM_PP_INDEPENDENT;
            } else if (k > n_profiles + 2) {
                /* last, the best profile's predictor with the second audio network
                 * coding the residuals and learning within the frame (docs/MODEL.md
                 * §15): on speech and music alike (docs/STUDY.md findings 23, 24);
                 * fast does not */
                if (!best_is_cascade || fc->h.preset == BYTELM_PRESET_FAST)
                    break;
                param = (best & (BLM_PP_PROFILE_BITS | BLM_PP_EXT | ~0xff)) | BLM_PP_NET_ADAPT | BLM_PP_NET2;
            }
            BlmBuf *buf = best_is_cascade ? &fc->model_out : &fc->cascade_out;
            uint32_t state;
            blm_buf_reset(buf, forced < 0 || best_is_cascade ? fh.payload_size : no_limit);
            if ((ret = blm_cascade_encode(fc->cascade, fc->pcm, n_units, param, buf,
                                          &state)) < 0)
                return ret;
            if (ret == 0 && (buf->len < fh.payload_size || (forced >= 0 && !best_is_cascade))) {
                /* the new best lives in buf; the other buffer is free for the next try */
                if (buf == &fc->model_out) {
                    BlmBuf tmp = fc->cascade_out;
                    fc->cascade_out = fc->model_out;
                    fc->model_out = tmp;
                }
                if (!(param & BLM_PP_NET))
                    blm_cascade_keep_trace(fc->cascade);
                fh.mode = BLM_MODE_CASCADE;
                fh.n_params = (uint8_t)blm_cascade_param_bytes(param, fh.params);
                best = param;
                fh.final_state = state;
                fh.payload_size = (uint32_t)fc->cascade_out.len;
                payload = fc->cascade_out.data;
            }
        }
    }
    /* Images: the pixel predictor (mode 7). */
    if (pixels_apply(fc) && (forced < 0 || forced == BLM_MODE_PIXELS)) {
        uint32_t state;
        if ((ret = ensure_pixels(fc)) < 0)
            return ret;
        /* learned states exist for 8-bit samples; 16-bit ones may use few values. 8-bit
         * gray and RGB also try their pixel network mixed with the coder (RGB's layers
         * learning within the frame), kept where it codes the frame smaller
         * (gray's was trained on camera frames, RGB's on photos; docs/STUDY.md findings
         * 13, 19, 20 and 21); not with the fast preset, since it doubles the decoding
         * time. */
        const int base = bytelm_kind_sample_bytes(fc->h.kind) == 1 ? BLM_PX_WARM : BLM_PX_MAPS;
        const int tries = blm_pixel_net_applies(bytelm_kind_planes(fc->h.kind), bytelm_kind_sample_bytes(fc->h.kind)) &&
                                  fc->h.preset != BYTELM_PRESET_FAST ? 2 : 1;
        for (int k = 0; k < tries; k++) {
            /* a forced mode 7 keeps its first try whatever its size */
            const int must = forced >= 0 && k == 0;
            /* RGB with every layer learning (photos unlike the training set's), gray
             * without (camera frames like it: learning costs there) */
            const int net = bytelm_kind_planes(fc->h.kind) == 3 ? BLM_PX_NET_ADAPTED_DEEP : base | BLM_PX_NET | BLM_PX_MIX;
            const int param = k ? net : base;
            blm_buf_reset(&fc->model_out, must ? no_limit : fh.payload_size);
            if ((ret = blm_pixel_encode(fc->pixels, raw, n_units, param, &fc->model_out, &state)) < 0)
                return ret;
            if (ret == 0 && (fc->model_out.len < fh.payload_size || must)) {
                /* the new best lives in cascade_out; the other buffer is free */
                BlmBuf tmp = fc->cascade_out;
                fc->cascade_out = fc->model_out;
                fc->model_out = tmp;
                fh.mode = BLM_MODE_PIXELS;
                fh.n_params = 1;
                fh.params[0] = (uint8_t)param;
                fh.final_state = state;
                fh.payload_size = (uint32_t)fc->cascade_out.len;
                payload = fc->cascade_out.data;
            }
        }
    }
    /* Plain bytes (text, documents, archives) repeat beyond the model's window, at
     * every scale; PCM residuals and pixels hardly ever do, and the mixer would only
     * cost time. PCM residuals have a loudness that lasts longer than the window, and
     * a pixel's residual one that the row above shows: the scale prior. */
    int model_mode = BLM_MODE_MODEL;
    if (forced == BLM_MODE_MATCH || forced == BLM_MODE_MIX || forced == BLM_MODE_SCALE)
        model_mode = forced;
    else if (forced < 0 && fc->h.kind == BYTELM_KIND_BYTES)
        model_mode = BLM_MODE_MIX;
    else if (forced < 0)
        model_mode = BLM_MODE_SCALE;
    if (model_mode == BLM_MODE_SCALE && fc->h.kind == BYTELM_KIND_BYTES)
        return BYTELM_EINVAL;
    /* Where mode 6 or 7 applies the model runs only for the max preset: they are
     * smaller on nearly every frame and ten times faster to decode (docs/STUDY.md
     * findings 8 and 9). */
    const int model_wanted =
        (!cascade_applies(fc) && !pixels_apply(fc)) || fc->h.preset == BYTELM_PRESET_MAX;
    if (fc->model && ((forced < 0 && model_wanted) || forced == model_mode)) {
        uint8_t params[BLM_MAX_FRAME_PARAMS] = {0};
        uint32_t n_params = 0;
        if ((ret = ensure_tokens(fc, raw_len)) < 0)
            return ret;
        if ((ret = blm_transform_forward(&fc->lay, raw, n_units, params, &n_params, fc->tokens)) < 0)
            return ret;
        /* The scale prior is coded beside plain mode 0 (one model run for both) and
         * the smaller kept: it pays on music and photos, and can lose a little where
         * the model already knows the scale. */
        const int also_plain = forced < 0 && model_mode == BLM_MODE_SCALE;
        int ok[2];
        uint32_t state[2];
        if ((ret = model_encode(fc, model_mode, also_plain, raw_len,
                                forced < 0 ? fh.payload_size : no_limit, ok, state)) < 0)
            return ret;
        const BlmBuf *coded[2] = {&fc->model_out, &fc->plain_out};
        const int modes[2] = {model_mode, BLM_MODE_MODEL};
        for (int k = 0; k < 2; k++)
            if (ok[k] && (coded[k]->len < fh.payload_size || forced >= 0)) {
                fh.mode = (uint8_t)modes[k];
                fh.n_params = (uint8_t)n_params;
                memcpy(fh.params, params, n_params);
                fh.final_state = state[k];
                fh.payload_size = (uint32_t)coded[k]->len;
                payload = coded[k]->data;
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
        pcm_to_raw(fc->pcm, n, raw);
        return 0;
    }
    case BLM_MODE_CASCADE: {
        const size_t n = (size_t)fh->n_units * fc->h.channels;
        const int param = blm_cascade_param(fh->params, fh->n_params);
        if (!cascade_applies(fc) || param < 0 || ((param & BLM_PP_INDEPENDENT) && fc->h.channels != 2))
            return BYTELM_EFORMAT;
        if ((ret = ensure_pcm(fc, n)) < 0 || (ret = ensure_cascade(fc)) < 0 ||
            (ret = blm_cascade_decode(fc->cascade, payload, fh->payload_size, fh->n_units,
                                      param, fh->final_state, fc->pcm)) < 0)
            return ret;
        pcm_to_raw(fc->pcm, n, raw);
        return 0;
    }
    case BLM_MODE_PIXELS:
        if (!pixels_apply(fc) ||
            blm_pixel_check_params(fh->params, fh->n_params, bytelm_kind_planes(fc->h.kind),
                                   bytelm_kind_sample_bytes(fc->h.kind)) < 0)
            return BYTELM_EFORMAT;
        if ((ret = ensure_pixels(fc)) < 0)
            return ret;
        return blm_pixel_decode(fc->pixels, payload, fh->payload_size, fh->n_units,
                                fh->n_params ? fh->params[0] : 0, fh->final_state, raw);
    case BLM_MODE_MODEL:
    case BLM_MODE_MATCH:
    case BLM_MODE_MIX:
    case BLM_MODE_SCALE:
        if (!fc->model)
            return BYTELM_ENOMODEL;
        /* checked here, after the frame CRC, so a damaged header reads as a CRC error */
        if ((ret = blm_transform_check_params(&fc->lay, fh->params, fh->n_params)) < 0 ||
            (ret = ensure_tokens(fc, raw_len)) < 0)
            return ret;
        return model_decode(fc, fh, payload, raw_len, raw);
    default:
        return BYTELM_EFORMAT;
    }
}

static void lane_end(BlmFrameCoder *fc, DecodeLane *ln)
{
    BlmFrameTask *task = ln->task;
    task->ret = model_decode_end(fc, task->fh, &ln->rc, ln->tokens, task->raw);
    ln->task = NULL;
}

/* Puts the next frame into a free lane, or decodes it at once if the model does not
 * code it (or it cannot start: its error is then the frame's result). */
static void lane_start(BlmFrameCoder *fc, DecodeLane *ln, BlmFrameTask *task)
{
    const BlmFrameHeader *fh = task->fh;
    if (!blm_mode_uses_model(fh->mode) || !fc->model) {
        task->ret = blm_frame_decode(fc, fh, task->payload, task->raw);
        return;
    }
    const size_t raw_len = (size_t)fh->n_units * fc->lay.unit_bytes;
    if ((task->ret = blm_transform_check_params(&fc->lay, fh->params, fh->n_params)) < 0)
        return;
    if (!ln->runner && !(ln->runner = blm_runner_new(fc->model, BLM_DECODE_LANES))) {
        task->ret = BYTELM_ENOMEM;
        return;
    }
    if ((task->ret = grow_tokens(&ln->tokens, &ln->tokens_cap, raw_len)) < 0)
        return;
    if ((task->ret = start_coder(&ln->state, fh->mode, &fc->h, &ln->coder)) < 0)
        return;
    blm_rc_dec_init(&ln->rc, task->payload, fh->payload_size);
    blm_runner_reset(ln->runner);
    ln->t = 0;
    ln->n = raw_len;
    ln->task = task;
    if (raw_len == 0)
        lane_end(fc, ln);
}

static void decode_many(BlmFrameCoder *fc, BlmFrameTask *tasks, int n)
{
    int next = 0;
    for (;;) {
        /* Frames start in order; a mixer frame waits while BLM_MIX_LANES others run. */
        int mixing = 0;
        for (int l = 0; l < BLM_DECODE_LANES; l++)
            mixing += fc->lane[l].task && fc->lane[l].task->fh->mode == BLM_MODE_MIX;
        for (int l = 0; l < BLM_DECODE_LANES; l++)
            while (!fc->lane[l].task && next < n) {
                const int mix = tasks[next].fh->mode == BLM_MODE_MIX && fc->model;
                if (mix && mixing == BLM_MIX_LANES)
                    break;
                lane_start(fc, &fc->lane[l], &tasks[next++]);
                mixing += mix && fc->lane[l].task; /* it may have ended at once */
            }

        /* One position of every busy lane; which lane is which row does not
         * change any result (rows are independent). */
        BlmRunner *runners[BLM_DECODE_LANES];
        DecodeLane *busy[BLM_DECODE_LANES];
        int rows = 0, scaled = 0, tabled = 0;
        for (int l = 0; l < BLM_DECODE_LANES; l++) {
            DecodeLane *ln = &fc->lane[l];
            if (!ln->task)
                continue;
            fc->tok_in[rows] = ln->t ? ln->tokens[ln->t - 1] : 256;
            fc->phases[rows] = (uint8_t)(ln->t % fc->period);
            runners[rows] = ln->runner;
            scaled |= ln->coder.scale != NULL;
            tabled |= ln->coder.scale == NULL;
            busy[rows++] = ln;
        }
        if (!rows)
            return;
        blm_runner_forward_multi(runners, rows, fc->tok_in, fc->phases, tabled ? fc->freqs : NULL,
                                 scaled ? fc->logits : NULL);
        for (int i = 0; i < rows; i++) {
            DecodeLane *ln = busy[i];
            decode_token(&ln->coder, &ln->rc, fc->freqs[i], fc->logits[i], ln->tokens, ln->t);
            ln->t++;
            if (ln->rc.overread > BLM_RC_TAIL_ZEROS) { /* damaged: stop now, see model_decode */
                ln->task->ret = BYTELM_EDESYNC;
                ln->task = NULL;
            } else if (ln->t == ln->n) {
                lane_end(fc, ln);
            }
        }
    }
}

void blm_frame_decode_many(BlmFrameCoder *fc, BlmFrameTask *tasks, int n)
{
    const unsigned csr = blm_fp_enter(); /* the scale prior computes in float */
    decode_many(fc, tasks, n);
    blm_fp_restore(csr);
}
