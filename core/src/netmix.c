/*
 * The bit-wise mix of a network's distribution with §10's coder; docs/MODEL.md §14
 * ("Mixed with the coder") is normative.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netmix.h"

#define ST_MAX BLM_RES_ST_MAX   /* the logistic domain in 1/256 units, clamped to +-8 */
#define W_NET 49152      /* the starting weights, 16.16: 3/4 the network, */
#define W_CODER 16384    /* 1/4 the coder */
#define RATE_SHIFT 12    /* slower than §10's own mixer (10): two inputs that are both good */

void blm_netmix_init(BlmNetMixer *mx)
{
    for (int c = 0; c < BLM_RES_MAX_CHANNELS; c++)
        for (int s = 0; s < BLM_NETMIX_SLOTS; s++)
            for (int q = 0; q < BLM_RES_SCALES; q++) {
                mx->w[c][s][q][0] = W_NET;
                mx->w[c][s][q][1] = W_CODER;
                mx->w[c][s][q][2] = 0;
            }
}

/* what a walk through one residual's decisions needs */
typedef struct Walk {
    BlmNetMixer *mx;
    BlmResChannel *ch;
    int c, hint;
    BlmResContext q;
} Walk;

static int slot_of(BlmResDecision kind, int len, int b, int prev)
{
    switch (kind) {
    case BLM_RES_ZERO:
        return 0;
    case BLM_RES_LENGTH:
        return len;
    case BLM_RES_BIT:
        return len - 2 - b == 0 ? 16 : len - 2 - b == 1 ? 17 + (prev & 1) : 19;
    case BLM_RES_SIGN:
        break;
    }
    return 20;
}

static int mixed_decision(void *opaque, const BlmBitIo *io, BlmResDecision kind, int len, int b, int prev,
                          uint32_t p_net, int bit)
{
    const Walk *wk = opaque;
    BlmResPeek pk;
    blm_residual_peek(wk->ch, wk->q, kind, len, b, prev, wk->hint, &pk);
    int32_t *w = wk->mx->w[wk->c][slot_of(kind, len, b, prev)][wk->q.a];
    const int32_t s0 = blm_res_stretch(p_net), s1 = blm_res_stretch(pk.p), s2 = 256;
    const int64_t dot = (int64_t)w[0] * s0 + (int64_t)w[1] * s1 + (int64_t)w[2] * s2;
    int32_t st = (int32_t)(dot >> 16);
    st = st > ST_MAX ? ST_MAX : st < -ST_MAX ? -ST_MAX : st;
    const int32_t p = blm_res_squash(st);
    bit = blm_bitio_code(io, (uint32_t)p, bit);
    const int32_t err = ((bit ? 65536 : 0) - p) >> 4;
    w[0] += (s0 * err) >> RATE_SHIFT;
    w[1] += (s1 * err) >> RATE_SHIFT;
    w[2] += (s2 * err) >> RATE_SHIFT;
    blm_residual_learn(&pk, bit);
    return bit;
}

int32_t blm_netmix_code(BlmNetMixer *mx, BlmResidualCoder *rc, int c, BlmResContext q, int hint,
                        const BlmLogisticMix *d, const BlmBitIo *io, int32_t e)
{
    Walk wk = {mx, &rc->ch[c], c, hint, q};
    const BlmDecisionRefiner r = {mixed_decision, &wk};
    e = blm_logmix_code_refined(d, io, e, &r);
    blm_residual_coded(&rc->ch[c], e);
    return e;
}
