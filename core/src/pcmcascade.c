/*
 * Frame mode 6: the order of coding (docs/FORMAT.md §2, mode 6). Channel 1 runs
 * LAG - 1 samples behind channel 0, so that its prediction sees channel 0's
 * current sample and the LAG - 1 after it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pcmcascade.h"

#include <math.h>
#include <stdlib.h>

#include "bytelm/bytelm.h"
#include "coderstates.h"
#include "fpenv.h"
#include "mlp.h"
#include "pcmnet.h"

BlmCascadeCoder *blm_cascade_new(int channels)
{
    if (channels < 1 || channels > BLM_PP_MAX_CHANNELS)
        return NULL;
    BlmCascadeCoder *cc = calloc(1, sizeof(*cc));
    if (cc) {
        cc->channels = channels;
        cc->trace_param[0] = cc->trace_param[1] = -1;
    }
    return cc;
}

void blm_cascade_free(BlmCascadeCoder *cc)
{
    if (!cc)
        return;
    blm_pcm_predictor_free(&cc->pred);
    for (int c = 0; c < BLM_PP_MAX_CHANNELS; c++) {
        free(cc->s[c]);
        free(cc->e[c]);
        blm_vmap_free(&cc->map[c]);
    }
    free(cc->net_adapt);
    free(cc->trace[0]);
    free(cc->trace[1]);
    free(cc);
}

int blm_cascade_param(const uint8_t *params, uint32_t n_params)
{
    if (n_params == 0 || n_params != ((params[0] & BLM_PP_EXT) ? 4u : 1u))
        return BYTELM_EFORMAT;
    const int b = params[0];
    if (!blm_pcm_profile_valid(b & ~(BLM_PP_VALUE_MAPS | BLM_PP_WARM | BLM_PP_NET | BLM_PP_EXT)))
        return BYTELM_EFORMAT;
    if (!(b & BLM_PP_EXT))
        return b;
    const int32_t ext = params[1] | params[2] << 8 | params[3] << 16;
    const int32_t lag = ext & BLM_PP_LAG_MASK;
    if (ext == 0 || (ext >> 23) || (lag && lag < BLM_PP_LTP_MIN))
        return BYTELM_EFORMAT;
    return b | ext << BLM_PP_LAG_SHIFT;
}

int blm_cascade_check_params(const uint8_t *params, uint32_t n_params)
{
    return blm_cascade_param(params, n_params) < 0 ? BYTELM_EFORMAT : 0;
}

uint32_t blm_cascade_param_bytes(int param, uint8_t *params)
{
    params[0] = (uint8_t)param;
    if (!(param & BLM_PP_EXT))
        return 1;
    params[1] = (uint8_t)(param >> 8);
    params[2] = (uint8_t)(param >> 16);
    params[3] = (uint8_t)(param >> 24);
    return 4;
}

/* Bit 3 is the value maps' (docs/MODEL.md §11) unless the audio network codes the
 * frame, where it picks the second network (§15). */
static int with_maps(int param)
{
    return (param & BLM_PP_VALUE_MAPS) && !(param & BLM_PP_NET);
}

static int ensure_maps(BlmCascadeCoder *cc)
{
    for (int c = 0; c < cc->channels; c++)
        if (!cc->map[c].below && blm_vmap_alloc(&cc->map[c]) < 0)
            return BYTELM_ENOMEM;
    return 0;
}

static int start(BlmCascadeCoder *cc, uint32_t n, int param)
{
    if (n > cc->cap) {
        for (int c = 0; c < cc->channels; c++) {
            int32_t *p = realloc(cc->s[c], (size_t)n * sizeof(int32_t));
            if (!p)
                return BYTELM_ENOMEM;
            cc->s[c] = p;
            if (!(p = realloc(cc->e[c], (size_t)n * sizeof(int32_t))))
                return BYTELM_ENOMEM;
            cc->e[c] = p;
        }
        cc->cap = n;
    }
    int ret = blm_pcm_predictor_init(&cc->pred, cc->channels, param & BLM_PP_PROFILE_BITS);
    if (ret < 0)
        return ret;
    if (param & BLM_PP_EXT) {
        const int32_t lag = BLM_PP_LTP_LAG(param);
        if ((lag && lag < BLM_PP_LTP_MIN) || ((param & BLM_PP_INDEPENDENT) && cc->channels != 2))
            return BYTELM_EINVAL;
        if (param & BLM_PP_INDEPENDENT)
            blm_pcm_predictor_set_independent(&cc->pred);
        if (lag)
            blm_pcm_predictor_set_ltp(&cc->pred, lag);
    }
    if (with_maps(param) && (ret = ensure_maps(cc)) < 0)
        return ret;
    cc->net = !(param & BLM_PP_NET) ? 0 : (param & BLM_PP_NET2) == BLM_PP_NET2 ? 2 : 1;
    /* with the network, which leaves the residual coder unused, bit 5 has it learn */
    cc->net_adapting = (param & BLM_PP_NET_ADAPT) == BLM_PP_NET_ADAPT;
    if (cc->net_adapting) {
        if (!cc->net_adapt && !(cc->net_adapt = malloc(sizeof *cc->net_adapt)))
            return BYTELM_ENOMEM;
        blm_pcmnet_adapt_init(cc->net_adapt, cc->net);
    }
    blm_residual_coder_init(&cc->res, cc->channels);
    if ((param & BLM_PP_WARM) && !cc->net) {
        const BlmResChannel *const *states = cc->start_states;
        if (!states && !(states = blm_coder_states(cc->channels == 1 ? BLM_STATES_PCM_MONO
                                                                     : BLM_STATES_PCM_STEREO)))
            return BYTELM_EFORMAT;
        blm_residual_coder_start_from(&cc->res, states);
    }
    for (int c = 0; c < BLM_PP_MAX_CHANNELS; c++) {
        cc->mapped[c] = 0;
        cc->net_fast[c] = cc->net_slow[c] = cc->net_last[c] = 0;
        cc->last_err_y[c] = cc->last_err_q[c] = 0.0f;
    }
    return 0;
}

/* The value maps (param bit BLM_PP_VALUE_MAPS) at the start of the payload: per
 * channel a flat flag, then the channel's map when the flag is set. */
static int code_maps(BlmCascadeCoder *cc, BlmRcEncoder *enc, BlmRcDecoder *dec, int n)
{
    for (int c = 0; c < cc->channels; c++) {
        const int flag = blm_vmap_code_channel(&cc->map[c], enc, dec, cc->s[c], n);
        if (flag < 0)
            return flag;
        cc->mapped[c] = flag;
    }
    return 0;
}

/* The view of channel c's predictor after it predicted pred; the errors are filled
 * once the sample is known (view_errors). */
static inline void predictor_view(const BlmCascadeCoder *cc, int c, int32_t pred, BlmNetView *v)
{
    const BlmChannelPredictor *cp = &cc->pred.ch[c];
    v->y = (float)cp->sum;
    v->centre = (float)(cp->sum - cp->pred);
    double part = cp->mix_in[0];
    v->part[0] = (float)part;
    for (int k = 0; k < 3; k++) {
        part += cp->mix_in[k + 1];
        v->part[k + 1] = (float)part;
    }
    for (int k = 0; k < 3; k++)
        v->m[k] = (float)cp->mix_w[k + 1];
    v->esum = (float)cp->ols.esum;
    v->pred = pred;
}

static inline void view_errors(const BlmCascadeCoder *cc, int c, int32_t value, BlmNetView *v)
{
    const BlmChannelPredictor *cp = &cc->pred.ch[c];
    v->err_y = (float)((double)value - cp->sum);
    v->err_q = (float)((double)value - cp->mix_in[0]);
}

/* The audio network's inputs for sample t of channel c, from the view v of its
 * predictor (docs/MODEL.md §15's table, in its order): amplitudes against the
 * running scale sc, squashed; the scales as square roots. */
static void net_inputs(const BlmCascadeCoder *cc, int c, int t, float sc, const BlmNetView *v, float *x)
{
    const int32_t *s = cc->s[c], *e = cc->e[c];
    const float y = v->y;
    x[0] = (float)c;
    x[1] = (float)(cc->channels - 1);
    x[2] = (sqrtf(sc) - 1.0f) / 16.0f;
    x[3] = (sqrtf((float)cc->net_slow[c] / 128.0f + 1.0f) - 1.0f) / 16.0f;
    x[4] = (sqrtf((float)cc->net_last[c] + 1.0f) - 1.0f) / 16.0f;
    x[5] = v->centre;
    for (int k = 0; k < 4; k++)
        x[6 + k] = blm_ssqrt((v->part[k] - y) / sc);
    for (int k = 0; k < 3; k++)
        x[10 + k] = v->m[k];
    for (int k = 0; k < 4; k++)
        x[13 + k] = t - 1 - k >= 0 ? blm_ssqrt((float)e[t - 1 - k] / sc) : 0.0f;
    x[17] = blm_ssqrt(cc->last_err_y[c] / sc);
    x[18] = blm_ssqrt(cc->last_err_q[c] / sc);
    x[19] = (sqrtf(sqrtf(v->esum + 1.0f)) - 1.0f) / 16.0f;
    x[20] = t >= 1 ? (float)s[t - 1] / 32768.0f : 0.0f;
    x[21] = t >= 2 ? (float)s[t - 2] / 32768.0f : 0.0f;
    x[22] = (float)v->pred / 32768.0f;
    x[23] = 0.0f;   /* the other channel's newest coded residual */
    if (cc->channels == 2) {
        const int u = c == 1 ? t : t - BLM_PP_LAG;
        if (u >= 0)
            x[23] = blm_ssqrt((float)cc->e[1 - c][u] / sc);
    }
    x[24] = (float)cc->rate / 48000.0f;
    if (cc->net != 2)
        return;
    for (int k = 0; k < 12; k++)   /* the second network: the errors before x[13..16]'s */
        x[25 + k] = t - 5 - k >= 0 ? blm_ssqrt((float)e[t - 5 - k] / sc) : 0.0f;
    for (int k = 0; k < 4; k++)    /* and the samples before x[20..21]'s */
        x[37 + k] = t - 3 - k >= 0 ? (float)s[t - 3 - k] / 32768.0f : 0.0f;
}

/* Sample t of channel c by the audio network, from the predictor's view (recorded,
 * errors included, or else its own now): encoded when enc is set, else decoded into s;
 * then the network's own state learns it. */
static inline void net_sample(BlmCascadeCoder *cc, BlmRcEncoder *enc, BlmRcDecoder *dec, int c, int t,
                              const BlmNetView *recorded, int32_t pred)
{
    BlmNetView now;
    const BlmNetView *view = recorded;
    if (!view) {
        predictor_view(cc, c, pred, &now);
        view = &now;
    }
    pred = view->pred;
    const float sc = (float)cc->net_fast[c] / 16.0f + 1.0f;
    float x[BLM_PCN_MAX_INPUTS];
    net_inputs(cc, c, t, sc, view, x);
    BlmLogisticMix dist;
    BlmPcmNetAdapt *adapt = cc->net_adapting ? cc->net_adapt : NULL;
    blm_pcmnet_eval(cc->net, x, sc, pred, &dist, adapt);
    const BlmBitIo io = {enc, dec};
    const int32_t e = blm_logmix_code(&dist, &io, enc ? cc->s[c][t] - pred : 0);
    const int32_t v = pred + e;   /* in range: the coder keeps e in lo..hi */
    if (adapt)
        blm_pcmnet_learn(adapt, &dist, e);
    cc->s[c][t] = v;
    cc->e[c][t] = e;
    if (!recorded)
        view_errors(cc, c, v, &now);
    cc->last_err_y[c] = view->err_y;
    cc->last_err_q[c] = view->err_q;
    const uint32_t m = (uint32_t)(e < 0 ? -e : e);
    cc->net_fast[c] = cc->net_fast[c] - (cc->net_fast[c] >> 4) + m;
    cc->net_slow[c] = cc->net_slow[c] - (cc->net_slow[c] >> 7) + m;
    cc->net_last[c] = m;
}

/* One sample of channel c at t: encoded when enc is set, else decoded into s. */
static inline void code_sample(BlmCascadeCoder *cc, BlmRcEncoder *enc, BlmRcDecoder *dec, int c,
                               int t, int n)
{
    const size_t at = (size_t)t * (size_t)cc->channels + (size_t)c;
    if (cc->replay) {
        /* the encoder's network try on a recorded predictor: not run again */
        net_sample(cc, enc, dec, c, t, &cc->replay[at], 0);
        return;
    }
    const int32_t *const s[2] = {cc->s[0], cc->s[cc->channels - 1]};
    const int32_t pred = blm_pcm_predict(&cc->pred, c, s, t, n);
    if (cc->record) {
        /* an encoder's try: the sample is known */
        predictor_view(cc, c, pred, &cc->record[at]);
        view_errors(cc, c, cc->s[c][t], &cc->record[at]);
    }
    const int hint = blm_pcm_rounding_hint(&cc->pred, c);
    if (cc->net) {
        net_sample(cc, enc, dec, c, t, NULL, pred);
    } else if (cc->mapped[c]) {
        const BlmValueMap *m = &cc->map[c];
        if (enc)
            blm_residual_encode(&cc->res, enc, c, blm_vmap_map(m, pred, cc->s[c][t]), hint);
        else
            cc->s[c][t] = blm_vmap_unmap(m, pred, blm_residual_decode(&cc->res, dec, c, hint));
    } else if (enc) {
        blm_residual_encode(&cc->res, enc, c, cc->s[c][t] - pred, hint);
    } else {
        int32_t v = pred + blm_residual_decode(&cc->res, dec, c, hint);
        /* a damaged stream may decode a value out of range: keep it 16-bit (the
         * final-state check then reports the damage) */
        cc->s[c][t] = v < -32768 ? -32768 : v > 32767 ? 32767 : v;
    }
    blm_pcm_update(&cc->pred, c, cc->s[c][t]);
}

/* A decoder past its payload (damaged: stop in bounded time), or an encoder past its
 * buffer's limit (this try already loses to a smaller mode), has nothing to gain. */
static inline int stop(const BlmRcEncoder *enc, const BlmRcDecoder *dec)
{
    return enc ? blm_rc_enc_overflow(enc) : dec->overread > BLM_RC_TAIL_ZEROS;
}

static void code_frame(BlmCascadeCoder *cc, BlmRcEncoder *enc, BlmRcDecoder *dec, int n)
{
    if (cc->channels == 1) {
        for (int t = 0; t < n; t++) {
            code_sample(cc, enc, dec, 0, t, n);
            if (stop(enc, dec))
                return;
        }
        return;
    }
    for (int t = 0; t < n + BLM_PP_LAG - 1; t++) {
        if (t < n)
            code_sample(cc, enc, dec, 0, t, n);
        if (t >= BLM_PP_LAG - 1)
            code_sample(cc, enc, dec, 1, t - (BLM_PP_LAG - 1), n);
        if (stop(enc, dec))
            return;
    }
}

/* FNV-1a over the frame's samples, channel by channel, each as 2 bytes little-endian:
 * folded into the final state, it makes a decoder whose predictor went astray (the
 * residuals alone would still decode) fail the frame's check. */
static uint32_t samples_hash(const BlmCascadeCoder *cc, uint32_t n)
{
    uint32_t h = 2166136261u;
    for (int c = 0; c < cc->channels; c++)
        for (uint32_t t = 0; t < n; t++) {
            const uint16_t v = (uint16_t)cc->s[c][t];
            h = (h ^ (v & 0xff)) * 16777619u;
            h = (h ^ (v >> 8)) * 16777619u;
        }
    return h;
}

static void deinterleave(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n)
{
    for (uint32_t t = 0; t < n; t++)
        for (int c = 0; c < cc->channels; c++)
            cc->s[c][t] = pcm[(size_t)t * cc->channels + c];
}

int blm_cascade_maps_worth_trying(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n)
{
    int ret = start(cc, n, BLM_PP_VALUE_MAPS);
    if (ret < 0 || n == 0)
        return ret;
    deinterleave(cc, pcm, n);
    for (int c = 0; c < cc->channels; c++) {
        blm_vmap_build(&cc->map[c], cc->s[c], (int)n);
        if (blm_vmap_net_gain(&cc->map[c], cc->s[c], (int)n) > 0)
            return 1;
    }
    return 0;
}

void blm_cascade_set_tracing(BlmCascadeCoder *cc, int on)
{
    cc->tracing = on;
    cc->trace_param[0] = cc->trace_param[1] = -1;
}

void blm_cascade_keep_trace(BlmCascadeCoder *cc)
{
    BlmNetView *t = cc->trace[0];
    cc->trace[0] = cc->trace[1];
    cc->trace[1] = t;
    const int p = cc->trace_param[0];
    cc->trace_param[0] = cc->trace_param[1];
    cc->trace_param[1] = p;
    const uint32_t n = cc->trace_n[0];
    cc->trace_n[0] = cc->trace_n[1];
    cc->trace_n[1] = n;
}

/* Where this try records its predictor's views or reads them (blm_cascade_set_tracing);
 * neither when the record would be too large or cannot be had. */
static void plan_trace(BlmCascadeCoder *cc, uint32_t n, int predictor, int net)
{
    cc->record = NULL;
    cc->replay = NULL;
    cc->replayed = 0;
    const size_t need = (size_t)n * (size_t)cc->channels;
    if (!cc->tracing || need > BLM_CASCADE_TRACE_MAX)
        return;
    if (net) {
        if (cc->trace_param[1] == predictor && cc->trace_n[1] == n)
            cc->replay = cc->trace[1];
        cc->replayed = cc->replay != NULL;
        return;
    }
    cc->trace_param[0] = -1;
    if (need > cc->trace_cap) {
        for (int k = 0; k < 2; k++) {
            BlmNetView *p = realloc(cc->trace[k], need * sizeof *p);
            if (!p) {
                cc->trace_param[1] = -1;
                return;
            }
            cc->trace[k] = p;
        }
        cc->trace_cap = need;
    }
    cc->record = cc->trace[0];
}

int blm_cascade_encode(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n, int param,
                       BlmBuf *out, uint32_t *final_state)
{
    int ret = start(cc, n, param);
    if (ret < 0)
        return ret;
    deinterleave(cc, pcm, n);
    const int predictor = param & (BLM_PP_PROFILE_BITS | BLM_PP_EXT | ~0xff);
    plan_trace(cc, n, predictor, (param & BLM_PP_NET) != 0);
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, out);
    if (with_maps(param) && n > 0)
        code_maps(cc, &enc, NULL, (int)n);
    const unsigned csr = blm_fp_enter();
    code_frame(cc, &enc, NULL, (int)n);
    blm_fp_restore(csr);
    if (cc->record && !blm_rc_enc_overflow(&enc)) {
        cc->trace_param[0] = predictor;
        cc->trace_n[0] = n;
    }
    cc->record = NULL;
    cc->replay = NULL;
    *final_state = blm_rc_enc_final_state(&enc) ^ samples_hash(cc, n);
    return blm_rc_finish(&enc);
}

int blm_cascade_decode(BlmCascadeCoder *cc, const uint8_t *payload, size_t len, uint32_t n,
                       int param, uint32_t final_state, int16_t *pcm)
{
    int ret = start(cc, n, param);
    if (ret < 0)
        return ret;
    cc->record = NULL;
    cc->replay = NULL;
    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, payload, len);
    if (with_maps(param) && n > 0 && code_maps(cc, NULL, &dec, (int)n) < 0)
        return BYTELM_EDESYNC;
    const unsigned csr = blm_fp_enter();
    code_frame(cc, NULL, &dec, (int)n);
    blm_fp_restore(csr);
    if (dec.overread > BLM_RC_TAIL_ZEROS ||
        (blm_rc_dec_final_state(&dec) ^ samples_hash(cc, n)) != final_state ||
        blm_rc_dec_check(&dec))
        return BYTELM_EDESYNC;
    for (uint32_t t = 0; t < n; t++)
        for (int c = 0; c < cc->channels; c++)
            pcm[(size_t)t * cc->channels + c] = (int16_t)cc->s[c][t];
    return 0;
}

/* Stretches of four samples of channel 0, each quantised to a quarter (so that
 * a copy with ±1 of dither still mostly matches), vote for the distance to the
 * last stretch like them; flat ones (silence, DC) do not vote. A lag is worth a
 * try when it got a vote per 256 samples: frames without a loop got at most 34
 * (docs/STUDY.md finding 16). */
#define LAG_HASH_BITS 16
#define LAG_FLAT 16
#define LAG_VOTES_SHIFT 8

int32_t blm_cascade_find_lag(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n)
{
    if (n < 2 * BLM_PP_LTP_MIN)
        return 0;
    const size_t ch = (size_t)cc->channels;
    const uint32_t limit = n - 1 < BLM_PP_LTP_MAX ? n - 1 : BLM_PP_LTP_MAX;
    int32_t *last = malloc(((size_t)1 << LAG_HASH_BITS) * sizeof *last);
    uint32_t *votes = calloc((size_t)limit + 1, sizeof *votes);
    if (!last || !votes) {
        free(last);
        free(votes);
        return BYTELM_ENOMEM;
    }
    for (size_t i = 0; i < (size_t)1 << LAG_HASH_BITS; i++)
        last[i] = -1;
    for (uint32_t t = 0; t + 4 <= n; t++) {
        int32_t lo = 32767, hi = -32768;
        uint32_t h = 0;
        for (int k = 0; k < 4; k++) {
            const int32_t v = pcm[(t + (uint32_t)k) * ch];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            h = (h + (uint32_t)(v + 32768) / 4) * 2654435761u;
        }
        if (hi - lo < LAG_FLAT)
            continue;
        h >>= 32 - LAG_HASH_BITS;
        if (last[h] >= 0) {
            const uint32_t lag = t - (uint32_t)last[h];
            if (lag >= BLM_PP_LTP_MIN && lag <= limit)
                votes[lag]++;
        }
        last[h] = (int32_t)t;
    }
    uint32_t best = 0;
    for (uint32_t lag = BLM_PP_LTP_MIN; lag <= limit; lag++)
        if (votes[lag] > votes[best])
            best = lag;
    const int32_t found = best && (uint64_t)votes[best] << LAG_VOTES_SHIFT >= n ? (int32_t)best : 0;
    free(last);
    free(votes);
    return found;
}
