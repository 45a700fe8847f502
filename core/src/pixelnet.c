/*
 * The pixel networks of frame mode 7; docs/MODEL.md §14 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelnet.h"

#include <math.h>
#include <string.h>

#include "mathfn.h"
#include "mlp.h"
#include "pixelnet_rgb_weights.h"
#include "pixelnet_weights.h"

#define HIDDEN BLM_PXN_HIDDEN
#define OUTPUTS (3 * BLM_LOGMIX_K)

_Static_assert(BLM_PXN_HIDDEN == BLM_PXR_HIDDEN, "the two pixel networks share their shape");

typedef struct Weights {
    const float *w1, *b1, *w2, *b2, *w3, *b3;
} Weights;

static const Weights networks[2] = {
    [BLM_PIXNET_GRAY] = {pxn_w1, pxn_b1, pxn_w2, pxn_b2, pxn_w3, pxn_b3},
    [BLM_PIXNET_RGB] = {pxr_w1, pxr_b1, pxr_w2, pxr_b2, pxr_w3, pxr_b3},
};

_Static_assert(HIDDEN == BLM_PXN_ADAPT_HIDDEN && OUTPUTS == BLM_PXN_ADAPT_OUTPUTS, "the adapting layer's shape");

#define LOG_SCALE_LIMIT 6.0f
#define ADAPT_STEP 1.171875e-04f   /* 0.06 / 512: the step per sample's gradient (0.12 / 512 gains a little more, 0.24 / 512 loses, 0.48 / 512 diverges) */
#define GRAD_LIMIT 4.0f            /* each output's gradient clamped: outliers do not throw the layer off */

void blm_pixnet_adapt_init(BlmPixelNetKind kind, BlmPixelNetAdapt *a)
{
    const Weights *net = &networks[kind];
    memcpy(a->w3, net->w3, sizeof a->w3);
    memcpy(a->b3, net->b3, sizeof a->b3);
    memset(a->gw, 0, sizeof a->gw);
    memset(a->gb, 0, sizeof a->gb);
    a->seen = 0;
}

void blm_pixnet_eval(BlmPixelNetKind kind, const BlmPixelNetInput *in, int32_t pred, int32_t max_value,
                     BlmLogisticMix *d, BlmPixelNetAdapt *a)
{
    const Weights *net = &networks[kind];
    const float *v = in->v;
    const float s = 0.5f + (v[20] + v[21]) / 16.0f;   /* the base scale */
    float x[BLM_PXN_INPUTS];
    for (int i = 0; i < 19; i++)
        x[i] = blm_ssqrt(v[i] / s);
    x[19] = v[19];
    for (int i = 20; i < 23; i++)
        x[i] = (sqrtf(1.0f + v[i]) - 1.0f) / 8.0f;
    x[23] = v[23] / 255.0f;
    x[24] = v[24];
    x[25] = blm_ssqrt(v[25] / s);
    x[26] = (sqrtf(1.0f + v[26]) - 1.0f) / 8.0f;
    x[27] = v[27];

    float h1[HIDDEN], h2[HIDDEN], o[OUTPUTS];
    blm_mlp_layer(net->w1, net->b1, x, BLM_PXN_INPUTS, HIDDEN, h1, 1);
    blm_mlp_layer(net->w2, net->b2, h1, HIDDEN, HIDDEN, h2, 1);
    blm_mlp_layer(a ? a->w3 : net->w3, a ? a->b3 : net->b3, h2, HIDDEN, OUTPUTS, o, 0);
    if (a) {
        memcpy(a->h2, h2, sizeof h2);
        memcpy(a->o, o, sizeof o);
        a->scale = s;
    }
    blm_logmix_from_outputs(o, v[19], s, LOG_SCALE_LIMIT, -pred, max_value - pred, d);
}

/* A logistic's value at z: its cdf (from the tail it lies in, as §14's masses) and
 * its density; a boundary beyond the range's end has the cdf 0 or 1 and density 0. */
typedef struct Edge {
    float z, F, S, f;
} Edge;

static Edge edge(float z, int end)
{
    if (end)
        return (Edge){end < 0 ? -1e30f : 1e30f, end < 0 ? 0.0f : 1.0f, end < 0 ? 1.0f : 0.0f, 0.0f};
    const float e = blm_exp(z < 0 ? z : -z), one = 1.0f + e;
    const float lo = e / one, hi = 1.0f / one;
    return (Edge){z, z < 0 ? lo : hi, z < 0 ? hi : lo, lo * hi};
}

static inline float clamp_grad(float g)
{
    return g > GRAD_LIMIT ? GRAD_LIMIT : g < -GRAD_LIMIT ? -GRAD_LIMIT : g;
}

void blm_pixnet_learn(BlmPixelNetAdapt *a, const BlmLogisticMix *d, int32_t e)
{
    Edge lo[BLM_LOGMIX_K], hi[BLM_LOGMIX_K];
    float m[BLM_LOGMIX_K], p = 0.0f;
    for (int k = 0; k < BLM_LOGMIX_K; k++) {
        lo[k] = edge(((float)e - 0.5f - d->centre[k]) * d->inv_scale[k], e == d->lo ? -1 : 0);
        hi[k] = edge(((float)e + 0.5f - d->centre[k]) * d->inv_scale[k], e == d->hi ? 1 : 0);
        m[k] = lo[k].z + hi[k].z < 0 ? hi[k].F - lo[k].F : lo[k].S - hi[k].S;
        p += d->w[k] * m[k];
    }
    if (p > 1e-30f) {
        /* the gradient of -ln P(e) by each output (docs/MODEL.md §14, "Adapting") */
        float g[OUTPUTS];
        for (int k = 0; k < BLM_LOGMIX_K; k++) {
            const float r = d->w[k] / p;
            const float fz_hi = e == d->hi ? 0.0f : hi[k].f * hi[k].z;
            const float fz_lo = e == d->lo ? 0.0f : lo[k].f * lo[k].z;
            const float ls = a->o[2 * BLM_LOGMIX_K + k];
            g[k] = clamp_grad(d->w[k] - r * m[k]);
            g[BLM_LOGMIX_K + k] = clamp_grad(r * d->inv_scale[k] * a->scale * (hi[k].f - lo[k].f));
            g[2 * BLM_LOGMIX_K + k] =
                ls >= -LOG_SCALE_LIMIT && ls <= LOG_SCALE_LIMIT ? clamp_grad(r * (fz_hi - fz_lo)) : 0.0f;
        }
        for (int j = 0; j < OUTPUTS; j++)
            a->gb[j] += g[j];
        for (int i = 0; i < HIDDEN; i++) {
            const float h = a->h2[i];
            for (int j = 0; j < OUTPUTS; j++)
                a->gw[i * OUTPUTS + j] += h * g[j];
        }
    }
    if (++a->seen == BLM_PXN_ADAPT_BLOCK) {
        for (int j = 0; j < HIDDEN * OUTPUTS; j++) {
            a->w3[j] -= ADAPT_STEP * a->gw[j];
            a->gw[j] = 0.0f;
        }
        for (int j = 0; j < OUTPUTS; j++) {
            a->b3[j] -= ADAPT_STEP * a->gb[j];
            a->gb[j] = 0.0f;
        }
        a->seen = 0;
    }
}

uint32_t blm_pixnet_hash(BlmPixelNetKind kind)
{
    const Weights *net = &networks[kind];
    const float *parts[6] = {net->w1, net->b1, net->w2, net->b2, net->w3, net->b3};
    const size_t in = BLM_PXN_INPUTS, h = HIDDEN, out = OUTPUTS;
    const size_t sizes[6] = {in * h * sizeof(float), h * sizeof(float), h * h * sizeof(float),
                             h * sizeof(float), h * out * sizeof(float), out * sizeof(float)};
    return blm_mlp_hash(parts, sizes, 6);
}
