/*
 * The pixel networks of frame mode 7; docs/MODEL.md §14 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelnet.h"

#include <math.h>

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

void blm_pixnet_eval(BlmPixelNetKind kind, const BlmPixelNetInput *in, int32_t pred, int32_t max_value,
                     BlmLogisticMix *d)
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
    blm_mlp_layer(net->w3, net->b3, h2, HIDDEN, OUTPUTS, o, 0);

    blm_logmix_from_outputs(o, v[19], s, 6.0f, -pred, max_value - pred, d);
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
