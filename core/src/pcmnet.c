/*
 * The audio network of frame mode 6; docs/MODEL.md §15 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pcmnet.h"

#include "mlp.h"
#include "pcmnet_weights.h"
#include "pcmnet2_weights.h"

#define OUTPUTS (3 * BLM_LOGMIX_K)
#define LOG_SCALE_LIMIT 7.0f

static const BlmMlpWeights networks[2] = {
    {pcn_w1, pcn_b1, pcn_w2, pcn_b2, pcn_w3, pcn_b3, BLM_PCN_INPUTS},
    {pcn2_w1, pcn2_b1, pcn2_w2, pcn2_b2, pcn2_w3, pcn2_b3, BLM_PCN2_INPUTS},
};

_Static_assert(BLM_PCN_HIDDEN == BLM_MLP_HIDDEN && BLM_PCN2_HIDDEN == BLM_MLP_HIDDEN &&
               OUTPUTS == BLM_MLP_OUTPUTS && BLM_PCN_MAX_INPUTS <= BLM_MLP_MAX_INPUTS,
               "the audio networks' shape is mlpadapt.h's");
_Static_assert(sizeof pcn_w1 == BLM_PCN_INPUTS * BLM_MLP_HIDDEN * sizeof(float) &&
               sizeof pcn2_w1 == BLM_PCN2_INPUTS * BLM_MLP_HIDDEN * sizeof(float),
               "the weights read the inputs pcmnet.h says");

static const BlmMlpWeights *network(int which)
{
    return &networks[which == 2];
}

/* Every layer learns as the pixel networks' do: on the dev-eval music, halving or
 * doubling any step moved the size by under 0.1 % (docs/STUDY.md finding 23). */
void blm_pcmnet_adapt_init(BlmPcmNetAdapt *a, int which)
{
    blm_mlp_adapt_init(&a->net, network(which), &blm_mlp_every_layer);
}

void blm_pcmnet_eval(int which, const float *x, float sc, int32_t pred, BlmLogisticMix *d, BlmPcmNetAdapt *a)
{
    float o[OUTPUTS];
    if (a) {
        blm_mlp_adapt_eval(&a->net, x, o);
        a->scale = sc;
    } else {
        blm_mlp_eval(network(which), x, o);
    }
    /* x[5]: the unrounded prediction less pred */
    blm_logmix_from_outputs(o, x[5], sc, LOG_SCALE_LIMIT, -32768 - pred, 32767 - pred, d);
}

void blm_pcmnet_learn(BlmPcmNetAdapt *a, const BlmLogisticMix *d, int32_t e)
{
    float g[OUTPUTS];
    const int ok = blm_logmix_gradient(d, e, a->net.o, a->scale, LOG_SCALE_LIMIT, g);
    blm_mlp_adapt_learn(&a->net, ok ? g : NULL);
}

uint32_t blm_pcmnet_hash(int which)
{
    return blm_mlp_weights_hash(network(which));
}
