/*
 * Frame mode 7; docs/MODEL.md §12 is normative, this follows it operation for
 * operation (float64 in the written order for the prediction, integers for the
 * rest; the caller's coder holds blm_fp_enter for the frame).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelcascade.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bitio.h"
#include "bytelm/bytelm.h"
#include "fpenv.h"
#include "netmix.h"
#include "pixelnet.h"

#define OLS_LAMBDA 0.9995
#define OLS_NU 0.005
#define OLS_ESUM_ADD 0.1
#define OLS_SOLVE_INTERVAL 4
/* with every layer of the network learning (parameter byte 61), whose gradients take
 * the time: 16 costs 0.04 % on the photos and saves 15 % of the coding time */
#define OLS_SOLVE_INTERVAL_ADAPT_ALL 16
#define OWN_INPUTS 16
#define CROSS_INPUTS 6
#define BIAS_HALVE_AT 256.0

/* The source sample of each coded plane, by planes: colour before alpha, and of RGB
 * green first, so that red and blue see it. */
static const int plane_source[BLM_PX_MAX_PLANES + 1][BLM_PX_MAX_PLANES] = {
    {0}, {0}, {0, 1}, {1, 0, 2}, {1, 0, 2, 3},
};

BlmPixelCoder *blm_pixel_coder_new(int planes, int sample_bytes, uint32_t width)
{
    if (planes < 1 || planes > BLM_PX_MAX_PLANES || sample_bytes < 1 || sample_bytes > 2 || width < 1 ||
        width > 65535)
        return NULL;
    BlmPixelCoder *pc = calloc(1, sizeof(*pc));
    if (!pc)
        return NULL;
    pc->planes = planes;
    pc->colours = planes >= 3 ? 3 : 1;
    pc->sample_bytes = sample_bytes;
    pc->max_value = sample_bytes == 1 ? 255 : 65535;
    pc->light_shift = sample_bytes == 1 ? 3 : 11;
    pc->bias_shift = sample_bytes == 1 ? 0 : 8;
    pc->width = width;
    for (int c = 0; c < planes; c++) {
        pc->pix[c] = malloc((size_t)BLM_PX_ROWS * width * sizeof(int32_t));
        pc->err[c] = malloc((size_t)BLM_PX_ROWS * width * sizeof(int32_t));
        if (!pc->pix[c] || !pc->err[c] || (sample_bytes == 2 && blm_vmap_alloc(&pc->map[c]) < 0)) {
            blm_pixel_coder_free(pc);
            return NULL;
        }
    }
    return pc;
}

void blm_pixel_coder_free(BlmPixelCoder *pc)
{
    if (!pc)
        return;
    for (int c = 0; c < BLM_PX_MAX_PLANES; c++) {
        free(pc->pix[c]);
        free(pc->err[c]);
        blm_vmap_free(&pc->map[c]);
    }
    free(pc);
}

int blm_pixel_net_applies(int planes, int sample_bytes)
{
    /* 8-bit gray and RGB: no network was trained on alpha or on 16-bit samples */
    return sample_bytes == 1 && (planes == 1 || planes == 3);
}

/* the built-in network of this coder's planes (gray or RGB) */
static inline BlmPixelNetKind net_kind(const BlmPixelCoder *pc)
{
    return pc->planes == 1 ? BLM_PIXNET_GRAY : BLM_PIXNET_RGB;
}

int blm_pixel_check_params(const uint8_t *params, uint32_t n_params, int planes, int sample_bytes)
{
    if (n_params == 0)
        return 0;
    if (n_params != 1)
        return BYTELM_EFORMAT;
    if (sample_bytes == 2)
        return params[0] == BLM_PX_MAPS ? 0 : BYTELM_EFORMAT;
    if (params[0] == BLM_PX_WARM)
        return 0;
    const int net = params[0] == (BLM_PX_WARM | BLM_PX_NET) || params[0] == (BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX) ||
                    params[0] == BLM_PX_NET_ADAPTED || params[0] == BLM_PX_NET_ADAPTED_DEEP;
    return net && blm_pixel_net_applies(planes, 1) ? 0 : BYTELM_EFORMAT;
}

/* The planes before plane c that it sees: every colour plane sees those before it,
 * alpha the first (gray or green: docs/STUDY.md finding 12). */
static inline int seen_planes(const BlmPixelCoder *pc, int c)
{
    return c < pc->colours ? c : 1;
}

/* Plane c's OLS inputs: its own neighbours, then six of each plane it sees. */
static int plane_inputs(const BlmPixelCoder *pc, int c)
{
    return OWN_INPUTS + CROSS_INPUTS * seen_planes(pc, c);
}

static int start(BlmPixelCoder *pc, int param)
{
    if ((param & BLM_PX_MAPS) && pc->sample_bytes != 2)
        return BYTELM_EINVAL;
    if ((param & BLM_PX_NET) && !blm_pixel_net_applies(pc->planes, pc->sample_bytes))
        return BYTELM_EINVAL;
    if (((param & BLM_PX_MIX) && !(param & BLM_PX_NET)) ||
        ((param & (BLM_PX_ADAPT | BLM_PX_ADAPT_HIDDEN)) && param != BLM_PX_NET_ADAPTED &&
         param != BLM_PX_NET_ADAPTED_DEEP))
        return BYTELM_EINVAL;
    pc->net = (param & BLM_PX_NET) != 0;
    pc->mix = (param & BLM_PX_MIX) != 0;
    pc->adapt = (param & BLM_PX_ADAPT) != 0;
    pc->solve_interval = (param & BLM_PX_ADAPT_HIDDEN) ? OLS_SOLVE_INTERVAL_ADAPT_ALL : OLS_SOLVE_INTERVAL;
    if (pc->mix)
        blm_netmix_init(&pc->netmix);
    if (pc->adapt)
        blm_pixnet_adapt_init(net_kind(pc), &pc->net_adapt, (param & BLM_PX_ADAPT_HIDDEN) != 0);
    const BlmCoderStateSet set = pc->colours == 1 ? BLM_STATES_GRAY : BLM_STATES_RGB;
    const BlmResChannel *states[BLM_PX_MAX_PLANES] = {NULL};
    const BlmPixelBias *bias[BLM_PX_MAX_PLANES] = {NULL};
    if (param & BLM_PX_WARM) {
        /* the colour planes start learnt; alpha, which no state was trained on, cold */
        const BlmResChannel *const *s = pc->start_states ? pc->start_states : blm_coder_states(set);
        const BlmPixelBias *const *b = pc->start_bias ? pc->start_bias : blm_coder_bias(set);
        if (!s || !b)
            return BYTELM_EFORMAT;
        for (int c = 0; c < pc->colours; c++) {
            states[c] = s[c];
            bias[c] = b[c];
        }
    }
    for (int c = 0; c < pc->planes; c++) {
        const int n = plane_inputs(pc, c);
        blm_ols_init(&pc->ols[c], (n + 3) & ~3, OLS_LAMBDA, OLS_NU, OLS_ESUM_ADD, BLM_OLS_WEIGHT_POW2);
        for (int k = 0; k < BLM_PX_BIAS_CONTEXTS; k++) {
            pc->bias_sum[c][k] = bias[c] ? bias[c]->sum[k] : 0.0;
            pc->bias_count[c][k] = bias[c] ? bias[c]->count[k] : 0.0;
        }
    }
    blm_residual_coder_init(&pc->res, pc->planes);
    if (param & BLM_PX_WARM)
        blm_residual_coder_start_from(&pc->res, states);
    for (int c = 0; c < BLM_PX_MAX_PLANES; c++)
        pc->mapped[c] = 0;
    return 0;
}

/* 16-bit samples as value maps see them: signed, as mode 6's PCM. */
#define MAP_OFFSET 32768

static inline int32_t sample_at(const uint8_t *raw, size_t i, int sb)
{
    return sb == 1 ? raw[i] : raw[i] | raw[i + 1] << 8;
}

/* The value maps (BLM_PX_MAPS) at the start of the payload, as mode 6 codes them
 * (docs/MODEL.md §11): per plane a flat flag, then the map of the plane's samples
 * less 32768 when the flag is set. The encoder sets it where the map's guessed gain
 * is positive: 16-bit images made from fewer bits use few of the values. */
static int code_maps(BlmPixelCoder *pc, BlmRcEncoder *enc, BlmRcDecoder *dec, const uint8_t *raw,
                     uint32_t rows)
{
    const size_t n = (size_t)rows * pc->width;
    int32_t *s = enc ? malloc(n * sizeof(int32_t)) : NULL;
    if (enc && !s)
        return BYTELM_ENOMEM;
    int ret = 0;
    for (int c = 0; c < pc->planes && ret >= 0; c++) {
        if (enc) {
            const int src = plane_source[pc->planes][c];
            for (size_t i = 0; i < n; i++)
                s[i] = sample_at(raw, (i * (size_t)pc->planes + (size_t)src) * 2, 2) - MAP_OFFSET;
        }
        ret = blm_vmap_code_channel(&pc->map[c], enc, dec, s, (int)n);
        pc->mapped[c] = ret > 0;
    }
    free(s);
    return ret < 0 ? ret : 0;
}

/* A plane's rows as the neighbourhood sees them: row y's pixel x, or the fallback
 * when the position is outside the frame (docs/MODEL.md §12). */
typedef struct Plane {
    const int32_t *p;
    int32_t y;
    uint32_t w;
} Plane;

static inline int32_t at(const Plane *q, int32_t x, int32_t dy)
{
    return q->p[(size_t)((q->y - dy) & (BLM_PX_ROWS - 1)) * q->w + (uint32_t)x];
}

static inline int32_t iabs(int32_t v)
{
    return v < 0 ? -v : v;
}

/* One plane c of pixel (x, y): predicted, then coded (encoder: v is the pixel) or
 * decoded; returns the pixel's value. */
static int32_t code_plane(BlmPixelCoder *pc, const BlmBitIo *io, int c, int32_t x, int32_t y, int32_t v)
{
    const int32_t w = (int32_t)pc->width;
    const Plane P = {pc->pix[c], y, pc->width}, E = {pc->err[c], y, pc->width};
    const int x1 = x > 0, y1 = y > 0, x2 = x > 1, y2 = y > 1;
    const int r1 = x + 1 < w, r2 = x + 2 < w;
    const int32_t W = x1 ? at(&P, x - 1, 0) : y1 ? at(&P, x, 1) : (pc->max_value + 1) / 2;
    const int32_t N = y1 ? at(&P, x, 1) : W;
    const int32_t NW = x1 && y1 ? at(&P, x - 1, 1) : N;
    const int32_t NE = y1 && r1 ? at(&P, x + 1, 1) : N;
    const int32_t WW = x2 ? at(&P, x - 2, 0) : W;
    const int32_t NN = y2 ? at(&P, x, 2) : N;
    const int32_t NWW = x2 && y1 ? at(&P, x - 2, 1) : NW;
    const int32_t NNW = x1 && y2 ? at(&P, x - 1, 2) : NW;
    const int32_t NNE = y2 && r1 ? at(&P, x + 1, 2) : NE;
    const int32_t NEE = y1 && r2 ? at(&P, x + 2, 1) : NE;
    const int32_t NNWW = x2 && y2 ? at(&P, x - 2, 2) : NWW;
    const int32_t NNEE = y2 && r2 ? at(&P, x + 2, 2) : NEE;
    const int32_t WWW = x > 2 ? at(&P, x - 3, 0) : WW;
    const int32_t NNN = y > 2 ? at(&P, x, 3) : NN;
    const int32_t NWWW = y1 && x > 2 ? at(&P, x - 3, 1) : NWW;
    const int32_t NEEE = y1 && x + 3 < w ? at(&P, x + 3, 1) : NEE;

    BlmOls *o = &pc->ols[c];
    const int32_t own[OWN_INPUTS] = {W, N, NW, NE, WW, NN, NWW, NNW,
                                     NNE, NEE, NNWW, NNEE, WWW, NNN, NWWW, NEEE};
    int n = 0;
    for (; n < OWN_INPUTS; n++)
        o->x[n] = (double)own[n];
    for (int k = 0; k < seen_planes(pc, c); k++) {
        const Plane Q = {pc->pix[k], y, pc->width}, EK = {pc->err[k], y, pc->width};
        const int32_t X = at(&Q, x, 0);
        const int32_t QW = x1 ? at(&Q, x - 1, 0) : X;
        const int32_t QN = y1 ? at(&Q, x, 1) : X;
        const int32_t QNW = x1 && y1 ? at(&Q, x - 1, 1) : QN;
        const int32_t QNE = y1 && r1 ? at(&Q, x + 1, 1) : QN;
        o->x[n++] = (double)X;
        o->x[n++] = (double)QW;
        o->x[n++] = (double)QN;
        o->x[n++] = (double)QNW;
        o->x[n++] = (double)QNE;
        o->x[n++] = (double)at(&EK, x, 0);
    }
    for (; n < o->n; n++)
        o->x[n] = 0.0;

    /* the neighbours' errors (signed, for the pixel network) and their magnitudes, for
     * the bias's and the coder's contexts */
    const int32_t sW = x1 ? at(&E, x - 1, 0) : 0, sN = y1 ? at(&E, x, 1) : sW;
    const int32_t sNW = x1 && y1 ? at(&E, x - 1, 1) : sN, sNE = y1 && r1 ? at(&E, x + 1, 1) : sN;
    const int32_t sWW = x2 ? at(&E, x - 2, 0) : sW, sNN = y2 ? at(&E, x, 2) : sN;
    const int32_t eW = iabs(sW), eN = iabs(sN), eNW = iabs(sNW), eNE = iabs(sNE), eWW = iabs(sWW),
                  eNN = iabs(sNN);

    double p = blm_ols_predict(o);
    /* bias: the mean error in the context of where the neighbours lie against the
     * prediction, and of the neighbours' error */
    const int en = eW + eN;
    const int bits = (N > p) | (W > p) << 1 | (NW > p) << 2 | (NE > p) << 3 | (NN > p) << 4 |
                     (WW > p) << 5 | ((2 * N - NN) > p) << 6 | ((2 * W - WW) > p) << 7;
    const int eq = en >> pc->bias_shift;
    const int bctx = bits << 2 | (eq < 2 ? 0 : eq < 6 ? 1 : eq < 16 ? 2 : 3);
    p = p + pc->bias_sum[c][bctx] / (pc->bias_count[c][bctx] + 1.0);

    double r = floor(p + 0.5);
    if (!(r >= 0.0))
        r = 0.0;
    if (r > (double)pc->max_value)
        r = (double)pc->max_value;
    const int32_t pred = (int32_t)r;
    const double q = floor(((p - r) + 0.5) * 4.0);
    const int hint = !(q >= 0) ? 0 : q > 3 ? 3 : (int)q;

    const uint32_t act = (uint32_t)(2 * eW + 2 * eN + eNW + eNE + eWW + eNN);
    const uint32_t grad = (uint32_t)(iabs(W - NW) + iabs(N - NW) + iabs(N - NE) + iabs(W - WW) + iabs(N - NN));
    uint32_t texture = 2 * grad;
    int32_t e0 = 0; /* plane 0's error at this pixel, which planes after it know */
    if (c > 0) {
        const Plane E0 = {pc->err[0], y, pc->width};
        e0 = at(&E0, x, 0);
        texture = 8 * (uint32_t)iabs(e0) + grad;
    }
    /* the third context is the prediction's brightness: a sensor's noise grows with
     * the light it caught (docs/STUDY.md finding 9) */
    const BlmResContext ctx = {blm_residual_scale_ctx(4 * act), blm_residual_scale_ctx(texture),
                               pred >> pc->light_shift};
    if (pc->net) {
        /* the pre-trained network on the neighbourhood (docs/MODEL.md §14) */
        const float fp = (float)p;
        const BlmPixelNetInput in = {{
            (float)W - fp, (float)N - fp, (float)NW - fp, (float)NE - fp, (float)WW - fp, (float)NN - fp,
            (float)NWW - fp, (float)NNW - fp, (float)NNE - fp, (float)NEE - fp, (float)NNWW - fp,
            (float)NNEE - fp, (float)sW, (float)sN, (float)sNW, (float)sNE, (float)sWW, (float)sNN,
            (float)(o->pred - p), (float)(p - r), (float)act, (float)grad, (float)texture, (float)pred,
            (float)c, (float)e0, (float)pc->bias_count[c][bctx], (float)(x1 && y1 && r1)}};
        BlmLogisticMix dist;
        BlmPixelNetAdapt *adapt = pc->adapt ? &pc->net_adapt : NULL;
        blm_pixnet_eval(net_kind(pc), &in, pred, pc->max_value, &dist, adapt);
        const int32_t e = pc->mix ? blm_netmix_code(&pc->netmix, &pc->res, c, ctx, hint, &dist, io, v - pred)
                                  : blm_logmix_code(&dist, io, v - pred);
        if (adapt)
            blm_pixnet_learn(adapt, &dist, e);
        v = pred + e;
    } else if (pc->mapped[c]) {
        /* the rank distance among the plane's used values (docs/MODEL.md §11) */
        const BlmValueMap *m = &pc->map[c];
        if (io->enc)
            blm_residual_encode_ctx(&pc->res, io->enc, c, blm_vmap_map(m, pred - MAP_OFFSET, v - MAP_OFFSET),
                                    hint, ctx);
        else
            v = MAP_OFFSET + blm_vmap_unmap(m, pred - MAP_OFFSET,
                                            blm_residual_decode_ctx(&pc->res, io->dec, c, hint, ctx));
    } else if (io->enc) {
        blm_residual_encode_ctx(&pc->res, io->enc, c, v - pred, hint, ctx);
    } else {
        v = pred + blm_residual_decode_ctx(&pc->res, io->dec, c, hint, ctx);
        v = v < 0 ? 0 : v > pc->max_value ? pc->max_value : v; /* damaged: the frame's check fails */
    }
    const size_t i = (size_t)(y & (BLM_PX_ROWS - 1)) * pc->width + (uint32_t)x;
    pc->pix[c][i] = v;
    pc->err[c][i] = v - pred;
    blm_ols_update(o, (double)v, pc->solve_interval);
    const double be = (double)v - p;
    pc->bias_sum[c][bctx] += be;
    pc->bias_count[c][bctx] += 1.0;
    if (pc->bias_count[c][bctx] >= BIAS_HALVE_AT) {
        pc->bias_sum[c][bctx] *= 0.5;
        pc->bias_count[c][bctx] *= 0.5;
    }
    return v;
}

static inline int stop(const BlmRcEncoder *enc, const BlmRcDecoder *dec)
{
    return enc ? blm_rc_enc_overflow(enc) : dec->overread > BLM_RC_TAIL_ZEROS;
}

static void code_frame(BlmPixelCoder *pc, const BlmBitIo *io, const uint8_t *in, uint8_t *out, uint32_t rows)
{
    const uint32_t w = pc->width;
    const int planes = pc->planes, sb = pc->sample_bytes;
    for (uint32_t y = 0; y < rows; y++) {
        for (uint32_t x = 0; x < w; x++) {
            const size_t px = ((size_t)y * w + x) * (size_t)planes;
            for (int c = 0; c < planes; c++) {
                const size_t at = (px + (size_t)plane_source[planes][c]) * (size_t)sb;
                const int32_t in_v = in ? sample_at(in, at, sb) : 0;
                const int32_t v = code_plane(pc, io, c, (int32_t)x, (int32_t)y, in_v);
                if (out) {
                    out[at] = (uint8_t)v;
                    if (sb == 2)
                        out[at + 1] = (uint8_t)(v >> 8);
                }
            }
            /* a damaged frame of wide rows stops within a row, not at its end: the
             * networks decode garbage slowly */
            if ((x & 1023) == 1023 && stop(io->enc, io->dec))
                return;
        }
        if (stop(io->enc, io->dec))
            return;
    }
}

/* FNV-1a over the frame's bytes, as mode 6 hashes its samples. */
static uint32_t bytes_hash(const uint8_t *b, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 16777619u;
    return h;
}

int blm_pixel_encode(BlmPixelCoder *pc, const uint8_t *raw, uint32_t rows, int param, BlmBuf *out,
                     uint32_t *final_state)
{
    const int ret = start(pc, param);
    if (ret < 0)
        return ret;
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, out);
    if ((param & BLM_PX_MAPS) && code_maps(pc, &enc, NULL, raw, rows) < 0)
        return BYTELM_ENOMEM;
    const BlmBitIo io = {&enc, NULL};
    const unsigned csr = blm_fp_enter();
    code_frame(pc, &io, raw, NULL, rows);
    blm_fp_restore(csr);
    const size_t n = (size_t)rows * pc->width * (size_t)(pc->planes * pc->sample_bytes);
    *final_state = blm_rc_enc_final_state(&enc) ^ bytes_hash(raw, n);
    return blm_rc_finish(&enc);
}

int blm_pixel_decode(BlmPixelCoder *pc, const uint8_t *payload, size_t len, uint32_t rows, int param,
                     uint32_t final_state, uint8_t *raw)
{
    const int ret = start(pc, param);
    if (ret < 0)
        return ret;
    const size_t n = (size_t)rows * pc->width * (size_t)(pc->planes * pc->sample_bytes);
    memset(raw, 0, n); /* a damaged frame stops early: what it leaves is defined */
    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, payload, len);
    if ((param & BLM_PX_MAPS) && code_maps(pc, NULL, &dec, NULL, rows) < 0)
        return BYTELM_EDESYNC;
    const BlmBitIo io = {NULL, &dec};
    const unsigned csr = blm_fp_enter();
    code_frame(pc, &io, NULL, raw, rows);
    blm_fp_restore(csr);
    if (dec.overread > BLM_RC_TAIL_ZEROS ||
        (blm_rc_dec_final_state(&dec) ^ bytes_hash(raw, n)) != final_state || blm_rc_dec_check(&dec))
        return BYTELM_EDESYNC;
    return 0;
}
