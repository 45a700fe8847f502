/*
 * A residual's distribution as a mixture of logistics over the integers lo..hi, and
 * its coder: the zero flag, the sign, the bit length and the bits below the top one,
 * each decision from the mixture's interval masses (docs/MODEL.md §14, "Coding").
 * float32 in the written order with the exp of docs/MODEL.md §2, so that every
 * machine gets the same bits. The pixel and audio networks give such mixtures.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_LOGMIX_H
#define BYTELM_LOGMIX_H

#include <stdint.h>

#include "bitio.h"
#include "residualcoder.h"

#define BLM_LOGMIX_K 3

/* weights summing to about 1, centres and 1 / scale, in units of the residual; the
 * residual e is one of lo..hi, lo <= 0 <= hi */
/* Each array has a fourth, unused lane (w 0, centre 0, inv_scale 0) so that the three
 * logistics fill one SSE2 vector. */
typedef struct BlmLogisticMix {
    float w[BLM_LOGMIX_K + 1];
    float centre[BLM_LOGMIX_K + 1];
    float inv_scale[BLM_LOGMIX_K + 1];
    int32_t lo, hi;
} BlmLogisticMix;

/* The mixture from a network's 3K outputs o (K weights' logits, K centre shifts and K
 * log-scales, docs/MODEL.md §14 "Distribution"): centre k = base + o[K + k] * scale,
 * 1 / (exp(o[2K + k] clamped to +-limit) * scale); over lo..hi. */
void blm_logmix_from_outputs(const float *o, float base, float scale, float limit, int32_t lo, int32_t hi,
                             BlmLogisticMix *d);

/* The gradient g (3K values) of -ln P(e) by the outputs o that made d with this scale
 * and log-scale limit (blm_logmix_from_outputs), in the order docs/MODEL.md §14
 * ("Adapting") writes it; 0, g untouched, when P(e) is not above 1e-30, else 1. */
int blm_logmix_gradient(const BlmLogisticMix *d, int32_t e, const float *o, float scale, float limit, float *g);

/* Codes the residual e (lo <= e <= hi) with the encoder, or decodes it (io->dec;
 * e ignored); returns e. */
int32_t blm_logmix_code(const BlmLogisticMix *d, const BlmBitIo *io, int32_t e);

/* The same with each decision's probability (P(1) in 1/65536 units, 32..65504) handed
 * to r, which codes the bit and returns it: the decisions are named as §10's coder
 * names its own (residualcoder.h), so that r can mix in that coder's opinion. */
typedef struct BlmDecisionRefiner {
    int (*code)(void *opaque, const BlmBitIo *io, BlmResDecision kind, int len, int b, int prev, uint32_t p_net,
                int bit);
    void *opaque;
} BlmDecisionRefiner;
int32_t blm_logmix_code_refined(const BlmLogisticMix *d, const BlmBitIo *io, int32_t e,
                                const BlmDecisionRefiner *r);

#endif
