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
/* Steps per sample's gradient (docs/STUDY.md findings 21 and 22). The output layer
 * alone: 0.06 / 512 (0.12 / 512 gains a little more, 0.24 / 512 loses, 0.48 / 512
 * diverges). Every layer, in blocks of 32: the same for the output layer, 0.96 / 512 for
 * the second hidden layer and 0.24 / 512 for the first (twice either loses on the photos
 * or the flower, half of either gains less). */
#define STEP_OUTPUT 1.171875e-04f
#define STEP_HIDDEN2 1.875e-03f
#define STEP_HIDDEN1 4.6875e-04f
#define GRAD_LIMIT 4.0f

static void transpose(float *t, const float *w, int rows, int cols)
{
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            t[j * rows + i] = w[i * cols + j];
}

void blm_pixnet_adapt_init(BlmPixelNetKind kind, BlmPixelNetAdapt *a, int all)
{
    const Weights *net = &networks[kind];
    a->all = all;
    a->block = all ? BLM_PXN_ADAPT_ALL_BLOCK : BLM_PXN_ADAPT_BLOCK;
    a->seen = 0;
    memcpy(a->w1, net->w1, sizeof a->w1);
    memcpy(a->b1, net->b1, sizeof a->b1);
    memcpy(a->w2, net->w2, sizeof a->w2);
    memcpy(a->b2, net->b2, sizeof a->b2);
    memcpy(a->w3, net->w3, sizeof a->w3);
    memcpy(a->b3, net->b3, sizeof a->b3);
    memset(a->gw1, 0, sizeof a->gw1);
    memset(a->gb1, 0, sizeof a->gb1);
    memset(a->gw2, 0, sizeof a->gw2);
    memset(a->gb2, 0, sizeof a->gb2);
    memset(a->gw3, 0, sizeof a->gw3);
    memset(a->gb3, 0, sizeof a->gb3);
    transpose(a->w2t, a->w2, HIDDEN, HIDDEN);
    transpose(a->w3t, a->w3, HIDDEN, OUTPUTS);
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
    const int all = a && a->all;
    float h1[HIDDEN], h2[HIDDEN], o[OUTPUTS];
    k->affine(h1, all ? a->b1 : net->b1, x, BLM_PXN_INPUTS, all ? a->w1 : net->w1, HIDDEN, 1);
    k->affine(h2, all ? a->b2 : net->b2, h1, HIDDEN, all ? a->w2 : net->w2, HIDDEN, 1);
    k->affine(o, a ? a->b3 : net->b3, h2, HIDDEN, a ? a->w3 : net->w3, OUTPUTS, 0);
    if (a) {
        memcpy(a->x, x, sizeof x);
        memcpy(a->h1, h1, sizeof h1);
        memcpy(a->h2, h2, sizeof h2);
        memcpy(a->o, o, sizeof o);
        a->scale = s;
    }
    blm_logmix_from_outputs(o, v[19], s, LOG_SCALE_LIMIT, -pred, max_value - pred, d);
}

/* The gradient g by a layer's outputs, taken back to the layer's input h: into the
 * layer's gradients gw (+= h outer g) and gb (+= g), and, with back (h then being a
 * ReLU's output), g's image at the input, back[i] = sum over j of w[i][j] g[j] where
 * h[i] > 0, else 0 (wt: w transposed). Products of zero inputs are left out (kernels.h): every sum here
 * starts from +0, so none is -0 and the bits are those of every term. */
static void layer_back(const BlmKernels *k, const float *g, int n_out, const float *h, int n_in, float *gw,
                       float *gb, const float *wt, float *back)
{
    static const float zero[HIDDEN];
    if (back) {
        k->affine(back, zero, g, n_out, wt, n_in, 0);
        for (int i = 0; i < n_in; i++)
            back[i] = h[i] > 0.0f ? back[i] : 0.0f;
    }
    for (int j = 0; j < n_out; j++)
        gb[j] += g[j];
    k->outer_acc(gw, h, n_in, g, n_out);
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
        if (a->all) {
            /* through the layers as they stand in this block, the first's input x
             * taken as it is (it has no ReLU, and its gradient is not needed) */
            float g2[HIDDEN], g1[HIDDEN];
            layer_back(k, g, OUTPUTS, a->h2, HIDDEN, a->gw3, a->gb3, a->w3t, g2);
            layer_back(k, g2, HIDDEN, a->h1, HIDDEN, a->gw2, a->gb2, a->w2t, g1);
            layer_back(k, g1, HIDDEN, a->x, BLM_PXN_INPUTS, a->gw1, a->gb1, NULL, NULL);
        } else {
            layer_back(k, g, OUTPUTS, a->h2, HIDDEN, a->gw3, a->gb3, NULL, NULL);
        }
    }
    if (++a->seen == a->block) {
        step(a->w3, a->gw3, HIDDEN * OUTPUTS, STEP_OUTPUT);
        step(a->b3, a->gb3, OUTPUTS, STEP_OUTPUT);
        if (a->all) {
            step(a->w2, a->gw2, HIDDEN * HIDDEN, STEP_HIDDEN2);
            step(a->b2, a->gb2, HIDDEN, STEP_HIDDEN2);
            step(a->w1, a->gw1, BLM_PXN_INPUTS * HIDDEN, STEP_HIDDEN1);
            step(a->b1, a->gb1, HIDDEN, STEP_HIDDEN1);
            transpose(a->w2t, a->w2, HIDDEN, HIDDEN);
            transpose(a->w3t, a->w3, HIDDEN, OUTPUTS);
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
