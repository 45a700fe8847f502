/*
 * The audio network of frame mode 6; docs/MODEL.md §15 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pcmnet.h"

#include "kernels.h"
#include "mlp.h"
#include "pcmnet_weights.h"

#define HIDDEN BLM_PCN_HIDDEN
#define OUTPUTS (3 * BLM_LOGMIX_K)
#define LOG_SCALE_LIMIT 7.0f

void blm_pcmnet_eval(const float x[BLM_PCN_INPUTS], float sc, int32_t pred, BlmLogisticMix *d)
{
    const BlmKernels *k = blm_kernels();
    float h1[HIDDEN], h2[HIDDEN], o[OUTPUTS];
    k->affine(h1, pcn_b1, x, BLM_PCN_INPUTS, pcn_w1, HIDDEN, 1);
    k->affine(h2, pcn_b2, h1, HIDDEN, pcn_w2, HIDDEN, 1);
    k->affine(o, pcn_b3, h2, HIDDEN, pcn_w3, OUTPUTS, 0);

    /* x[5]: the unrounded prediction less pred */
    blm_logmix_from_outputs(o, x[5], sc, LOG_SCALE_LIMIT, -32768 - pred, 32767 - pred, d);
}

uint32_t blm_pcmnet_hash(void)
{
    const float *parts[6] = {pcn_w1, pcn_b1, pcn_w2, pcn_b2, pcn_w3, pcn_b3};
    const size_t sizes[6] = {sizeof pcn_w1, sizeof pcn_b1, sizeof pcn_w2,
                             sizeof pcn_b2, sizeof pcn_w3, sizeof pcn_b3};
    return blm_mlp_hash(parts, sizes, 6);
}
