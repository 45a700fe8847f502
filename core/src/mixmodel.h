/*
 * The context mixer of frame mode BLM_MODE_MIX (docs/MODEL.md §7).
 *
 * The transformer knows language in general but sees 128 tokens; the match model
 * (matchmodel.h) adds the last long repeat. Text that is mostly markup, tables or
 * code also repeats at every scale in between: a tag name after "<", an attribute
 * after a tag, the rest of a word seen a hundred bytes before the window. Mode
 * BLM_MODE_MIX codes each token as 8 binary decisions, most significant bit first,
 * and for each one mixes, in the logistic domain, the transformer's probability, the
 * match-shaped one and adaptive counters under hashed contexts of the last 1 to 32
 * tokens and of the current word, in three mixers; two secondary estimators refine
 * their average.
 * Every step is integer arithmetic on fixed tables, so encoder and decoder agree on
 * every machine; all state is reset at the start of a frame.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MIXMODEL_H
#define BYTELM_MIXMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "matchmodel.h"
#include "rangecoder.h"

#define BLM_MIX_ORDERS 12       /* hashed contexts: 1-6, 8, 11, 16, 24, 32 tokens, the word */
#define BLM_MIX_HASH_BITS 20    /* counters per hashed context (2 MiB each) */
#define BLM_MIX_INPUTS (BLM_MIX_ORDERS + 4) /* + transformer, match-shaped, order 0, bias */
/* Weight sets of the three mixers: match length class x bit position, partial token,
 * last token. */
#define BLM_MIX_SETS (32 + 256 + 256)

/* About 29 MiB, most of it the counters; one per frame being coded. */
typedef struct BlmMix {
    BlmMatch match;
    uint16_t counter[BLM_MIX_ORDERS][1u << BLM_MIX_HASH_BITS]; /* P(1) << 4 | count */
    uint16_t order0[256];
    int32_t weight[BLM_MIX_SETS][BLM_MIX_INPUTS];              /* 16.16 fixed point */
    uint16_t sse_match[7 * 256 * 33];   /* by the match model's next bit, partial token */
    uint16_t sse_order1[65536 * 33];    /* by the last token, partial token */

    /* the token being coded */
    uint32_t cum_model[257], cum_match[257]; /* prefix sums of the two tables */
    uint32_t ctx_hash[BLM_MIX_ORDERS];
    uint32_t word;                           /* hash of the current word, 0 between words */
    uint8_t last;                            /* the previous token */
    int match_state;                         /* 0: no match, 1..3: match length class */
    int predicted;                           /* the match model's token, or -1 */

    /* the bit being coded */
    uint16_t *slot[BLM_MIX_ORDERS + 1];
    int32_t in[BLM_MIX_INPUTS];
    int set[3];                              /* each mixer's weight set */
    int p_set[3];                            /* each mixer's P(1), 12-bit */
    int p_mix;                               /* their average, 12-bit */
    uint32_t sse_match_at, sse_order1_at;    /* the cells that learn */
} BlmMix;

/* State at the start of a frame. */
void blm_mix_reset(BlmMix *m);

/* Codes hist[t] under the model's table freqs (16-bit, summing to 65536), given the
 * frame's tokens hist[0..t), and learns from it. */
void blm_mix_encode(BlmMix *m, BlmRcEncoder *rc, const uint32_t freqs[256], const uint8_t *hist,
                    size_t t);

/* Decodes the token at position t into hist[t]; the mirror of blm_mix_encode. */
int blm_mix_decode(BlmMix *m, BlmRcDecoder *rc, const uint32_t freqs[256], uint8_t *hist, size_t t);

#endif
