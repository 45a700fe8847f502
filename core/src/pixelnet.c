/*
 * The pixel networks of frame mode 7; docs/MODEL.md §14 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelnet.h"

#include <math.h>

#include "mlp.h"
#include "mlpadapt.h"
#include "pixelnet_rgb_weights.h"
#include "pixelnet_weights.h"

#define HIDDEN BLM_PXN_HIDDEN
#define OUTPUTS (3 * BLM_LOGMIX_K)

_Static_assert(BLM_PXN_HIDDEN == BLM_PXR_HIDDEN, "the two pixel networks share their shape");

static const BlmMlpWeights networks[2] = {
    [BLM_PIXNET_GRAY] = {pxn_w1, pxn_b1, pxn_w2, pxn_b2, pxn_w3, pxn_b3, BLM_PXN_INPUTS},
    [BLM_PIXNET_RGB] = {pxr_w1, pxr_b1, pxr_w2, pxr_b2, pxr_w3, pxr_b3, BLM_PXN_INPUTS},
};

_Static_assert(HIDDEN == BLM_MLP_HIDDEN && OUTPUTS == BLM_MLP_OUTPUTS && BLM_PXN_INPUTS <= BLM_MLP_MAX_INPUTS,
               "the pixel networks' shape is mlpadapt.h's");

#define LOG_SCALE_LIMIT 6.0f
/* The output layer alone learning, per sample's gradient: 0.06 / 512 (docs/STUDY.md
 * finding 21: 0.12 / 512 gains a little more, 0.24 / 512 loses, 0.48 / 512 diverges).
 * Every layer learning: mlpadapt.h's schedule (finding 22: twice any step loses on the
 * photos or the flower, half of any gains less). */
static const BlmMlpSchedule output_alone = {0, BLM_PXN_ADAPT_BLOCK, 1.171875e-04f, 0.0f, 0.0f};
_Static_assert(BLM_PXN_ADAPT_ALL_BLOCK == 32, "every layer learns in mlpadapt.h's blocks");

void blm_pixnet_adapt_init(BlmPixelNetKind kind, BlmPixelNetAdapt *a, int all)
{
    blm_mlp_adapt_init(&a->net, &networks[kind], all ? &blm_mlp_every_layer : &output_alone);
}

void blm_pixnet_eval(BlmPixelNetKind kind, const BlmPixelNetInput *in, int32_t pred, int32_t max_value,
                     BlmLogisticMix *d, BlmPixelNetAdapt *a)
{
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

    float o[OUTPUTS];
    if (a) {
        blm_mlp_adapt_eval(&a->net, x, o);
        a->scale = s;
    } else {
        blm_mlp_eval(&networks[kind], x, o);
    }
    blm_logmix_from_outputs(o, v[19], s, LOG_SCALE_LIMIT, -pred, max_value - pred, d);
}

void blm_pixnet_learn(BlmPixelNetAdapt *a, const BlmLogisticMix *d, int32_t e)
{
    float g[OUTPUTS];
    const int ok = blm_logmix_gradient(d, e, a->net.o, a->scale, LOG_SCALE_LIMIT, g);
    blm_mlp_adapt_learn(&a->net, ok ? g : NULL);
}

uint32_t blm_pixnet_hash(BlmPixelNetKind kind)
{
    return blm_mlp_weights_hash(&networks[kind]);
}
