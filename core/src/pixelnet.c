/*
 * The pixel networks of frame mode 7; docs/MODEL.md §14 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelnet.h"

#include <math.h>
#include <string.h>

#include "kernels.h"
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
#define ADAPT_STEP_HIDDEN 4.6875e-04f   /* 0.24 / 512 for the second hidden layer (0.12 / 512 and 0.06 / 512 gain less, 0.48 / 512 a little more, 0.96 / 512 less again) */
#define GRAD_LIMIT 4.0f

static void transpose_w3(BlmPixelNetAdapt *a)
{
    for (int i = 0; i < HIDDEN; i++)
        for (int j = 0; j < OUTPUTS; j++)
            a->w3t[j * HIDDEN + i] = a->w3[i * OUTPUTS + j];
}

void blm_pixnet_adapt_init(BlmPixelNetKind kind, BlmPixelNetAdapt *a, int hidden)
{
    const Weights *net = &networks[kind];
    a->hidden = hidden;
    memcpy(a->w3, net->w3, sizeof a->w3);
    memcpy(a->b3, net->b3, sizeof a->b3);
    memset(a->gw3, 0, sizeof a->gw3);
    memset(a->gb3, 0, sizeof a->gb3);
    memcpy(a->w2, net->w2, sizeof a->w2);
    memcpy(a->b2, net->b2, sizeof a->b2);
    memset(a->gw2, 0, sizeof a->gw2);
    memset(a->gb2, 0, sizeof a->gb2);
    transpose_w3(a);
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

    const BlmKernels *k = blm_kernels();
    float h1[HIDDEN], h2[HIDDEN], o[OUTPUTS];
    k->affine(h1, net->b1, x, BLM_PXN_INPUTS, net->w1, HIDDEN, 1);
    const int hidden = a && a->hidden;
    k->affine(h2, hidden ? a->b2 : net->b2, h1, HIDDEN, hidden ? a->w2 : net->w2, HIDDEN, 1);
    k->affine(o, a ? a->b3 : net->b3, h2, HIDDEN, a ? a->w3 : net->w3, OUTPUTS, 0);
    if (a) {
        memcpy(a->h1, h1, sizeof h1);
        memcpy(a->h2, h2, sizeof h2);
        memcpy(a->o, o, sizeof o);
        a->scale = s;
    }
    blm_logmix_from_outputs(o, v[19], s, LOG_SCALE_LIMIT, -pred, max_value - pred, d);
}

/* w -= eta * g, then g = 0 */
static void step(float *w, float *g, int n, float eta)
{
    for (int j = 0; j < n; j++) {
        w[j] -= eta * g[j];
        g[j] = 0.0f;
    }
}

void blm_pixnet_learn(BlmPixelNetAdapt *a, const BlmLogisticMix *d, int32_t e)
{
    float g[OUTPUTS];
    if (blm_logmix_gradient(d, e, a->o, a->scale, LOG_SCALE_LIMIT, g)) {
        /* each output's gradient clamped: outliers do not throw the layer off */
        for (int j = 0; j < OUTPUTS; j++)
            g[j] = g[j] > GRAD_LIMIT ? GRAD_LIMIT : g[j] < -GRAD_LIMIT ? -GRAD_LIMIT : g[j];
        const BlmKernels *k = blm_kernels();
        if (a->hidden) {
            /* back through the output layer (as it stands in this block) and the ReLU:
             * gh[i] = sum over j of w3[i][j] g[j], from +0 in increasing j. Products of
             * zero inputs are left out (kernels.h): the sums start from +0 and are
             * never -0. */
            static const float zero[HIDDEN];
            float gh[HIDDEN];
            k->affine(gh, zero, g, OUTPUTS, a->w3t, HIDDEN, 0);
            for (int i = 0; i < HIDDEN; i++) {
                gh[i] = a->h2[i] > 0.0f ? gh[i] : 0.0f;
                a->gb2[i] += gh[i];
            }
            k->outer_acc(a->gw2, a->h1, HIDDEN, gh, HIDDEN);
        }
        for (int j = 0; j < OUTPUTS; j++)
            a->gb3[j] += g[j];
        k->outer_acc(a->gw3, a->h2, HIDDEN, g, OUTPUTS);
    }
    if (++a->seen == BLM_PXN_ADAPT_BLOCK) {
        step(a->w3, a->gw3, HIDDEN * OUTPUTS, ADAPT_STEP);
        step(a->b3, a->gb3, OUTPUTS, ADAPT_STEP);
        if (a->hidden) {
            step(a->w2, a->gw2, HIDDEN * HIDDEN, ADAPT_STEP_HIDDEN);
            step(a->b2, a->gb2, HIDDEN, ADAPT_STEP_HIDDEN);
            transpose_w3(a);
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
