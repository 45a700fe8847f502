/*
 * The mode-6 residual coder (docs/MODEL.md §10): a prediction error of 16-bit PCM
 * as a zero flag, a unary bit length, mantissa bits and a sign, each a binary
 * decision whose probability comes from adaptive counters in contexts of the
 * channel's recent error scale, mixed in the logistic domain. Integer arithmetic
 * only, so encoder and decoder agree on every machine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_RESIDUALCODER_H
#define BYTELM_RESIDUALCODER_H

#include <stdint.h>

#include "rangecoder.h"

#define BLM_RES_MAX_CHANNELS 4   /* audio channels, or pixel planes */
#define BLM_RES_SCALES 48      /* quantised scale contexts */
#define BLM_RES_BITS 17        /* bit lengths 0..16 */

/* Decisions of one residual: 0 the zero flag, 1..15 "longer than j bits",
 * 16..18 the two mantissa bits below the top one. */
#define BLM_RES_DECISIONS 19
#define BLM_RES_INPUTS 4     /* three counters and a bias */
#define BLM_RES_SSE 33

typedef struct BlmResChannel {
    uint32_t fast, slow;       /* running means of |e|: 16 and 128 times the mean */
    uint32_t last;             /* |e| of the sample before */
    /* counters: 16-bit probability of a 1 in the high half, bits seen in the low */
    uint32_t by_fast[BLM_RES_DECISIONS][BLM_RES_SCALES];
    uint32_t by_slow[BLM_RES_DECISIONS][BLM_RES_SCALES];
    uint32_t by_last[BLM_RES_DECISIONS][BLM_RES_SCALES];
    int32_t mix_w[BLM_RES_DECISIONS][BLM_RES_SCALES][BLM_RES_INPUTS]; /* 16.16 */
    uint16_t sse[BLM_RES_DECISIONS][BLM_RES_SCALES][BLM_RES_SSE];
    uint32_t low[BLM_RES_BITS][BLM_RES_BITS];
    uint32_t sign[3][4];         /* by the previous sign and the rounding hint */
    int last_sign;
} BlmResChannel;

typedef struct BlmResidualCoder {
    int channels;
    BlmResChannel ch[BLM_RES_MAX_CHANNELS];
} BlmResidualCoder;

void blm_residual_coder_init(BlmResidualCoder *rc, int channels);
/* Channel c starts from start[c] instead (a learned starting state,
 * blm_residual_channel_settle'd): counters, mixer weights and SSE tables copied,
 * running scales from start[c] too (zero in a settled state). A NULL start[c]
 * leaves channel c as blm_residual_coder_init made it. */
void blm_residual_coder_start_from(BlmResidualCoder *rc, const BlmResChannel *const *start);
/* Makes ch, the state after coding some signal, a starting state: running scales
 * and the last sign as at init, every counter's count capped at cap, so that what
 * it learnt weighs as cap bits seen. */
void blm_residual_channel_settle(BlmResChannel *ch, uint32_t cap);
/* hint (0..3): where the unrounded prediction fell between pred - 1/2 and pred + 1/2,
 * in quarters (blm_pcm_rounding_hint); it tells the sign of a small error. */
void blm_residual_encode(BlmResidualCoder *rc, BlmRcEncoder *enc, int c, int32_t e, int hint);
int32_t blm_residual_decode(BlmResidualCoder *rc, BlmRcDecoder *dec, int c, int hint);

/* The same with the three contexts given by the caller (each 0..BLM_RES_SCALES - 1,
 * usually blm_residual_scale_ctx of some measure of scale) in place of the channel's
 * running scales: the pixel coder's contexts come from the neighbourhood. */
typedef struct BlmResContext {
    int a, b, l;
} BlmResContext;
void blm_residual_encode_ctx(BlmResidualCoder *rc, BlmRcEncoder *enc, int c, int32_t e, int hint,
                             BlmResContext q);
int32_t blm_residual_decode_ctx(BlmResidualCoder *rc, BlmRcDecoder *dec, int c, int hint,
                                BlmResContext q);
/* The running state after the error e of channel ch was coded (its scales and sign),
 * for a coder that codes e through blm_residual_peek and blm_residual_learn. */
void blm_residual_coded(BlmResChannel *ch, int32_t e);

/* One of the decisions above, read before it is coded and learnt after, for a coder
 * that mixes its probability with another's (netmix.c): the zero flag, "longer than
 * len bits", the bit b of a magnitude of len bits (prev the bit above it), the sign. */
typedef enum BlmResDecision {
    BLM_RES_ZERO,
    BLM_RES_LENGTH,
    BLM_RES_BIT,
    BLM_RES_SIGN,
} BlmResDecision;
typedef struct BlmResPeek {
    uint32_t p;            /* the probability of a 1, 1/65536 units */
    uint32_t *c[3];        /* what learns: the counters, */
    int32_t *w;            /* the mixer's weights (NULL for a counter alone), */
    uint16_t *sse;         /* the SSE row, and where p fell on it */
    int32_t s[4], pm, j, frac;
} BlmResPeek;
void blm_residual_peek(BlmResChannel *ch, BlmResContext q, BlmResDecision kind, int len, int b, int prev,
                       int hint, BlmResPeek *pk);
void blm_residual_learn(const BlmResPeek *pk, int bit);

/* §10's logistic function and its inverse: p (1/65536 units) of d (1/256 units),
 * interpolated, d clamped to +-2047; d of p, from a table that
 * blm_residual_coder_init builds. */
#define BLM_RES_ST_MAX 2047
extern const int32_t blm_res_squash_knots[33];
extern int16_t blm_res_stretch_table[4096];

static inline int32_t blm_res_squash(int32_t d)
{
    if (d > BLM_RES_ST_MAX) d = BLM_RES_ST_MAX;
    if (d < -BLM_RES_ST_MAX) d = -BLM_RES_ST_MAX;
    const int32_t w = d & 127;
    const int32_t i = (d >> 7) + 16;
    return (blm_res_squash_knots[i] * (128 - w) + blm_res_squash_knots[i + 1] * w + 64) >> 7;
}

static inline int32_t blm_res_stretch(uint32_t p16)
{
    return blm_res_stretch_table[p16 >> 4];
}

/* Twice the bit length of v plus the bit below its top one, at most BLM_RES_SCALES - 1. */
int blm_residual_scale_ctx(uint32_t v);

#endif
