/*
 * The match model of frame mode BLM_MODE_MATCH (docs/MODEL.md §6).
 *
 * The transformer sees only its window (128 bytes for the shipped models), so the
 * long repeats that LZ77 lives on (HTML boilerplate, tables, a file embedded twice)
 * are invisible to it. The match model finds the last occurrence of the frame's most
 * recent BLM_MATCH_LONG tokens, or failing that of the last BLM_MATCH_MIN, and
 * predicts the token that followed it; how much that
 * prediction is trusted is learned as the frame goes, per match length and per how
 * sure the transformer already was. The table it yields replaces the model's before
 * the range coder, so everything here is integer arithmetic and normative.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MATCHMODEL_H
#define BYTELM_MATCHMODEL_H

#include <stddef.h>
#include <stdint.h>

#define BLM_MATCH_MIN 3          /* tokens that must repeat before a match is followed */
#define BLM_MATCH_LONG 8         /* a repeat this long replaces a shorter current match */
#define BLM_MATCH_HASH_BITS 16
#define BLM_MATCH_LEN_BUCKETS 16
#define BLM_MATCH_CONF_BUCKETS 4

typedef struct BlmMatch {
    /* The position after the last occurrence of each hashed context of BLM_MATCH_MIN
     * (short) and BLM_MATCH_LONG (long) tokens; 0: none. */
    uint32_t table_short[1u << BLM_MATCH_HASH_BITS];
    uint32_t table_long[1u << BLM_MATCH_HASH_BITS];
    uint32_t ptr;                /* position of the predicted token, if len > 0 */
    uint32_t len;                /* tokens matched so far, 0 = no match */
    int ctx;                     /* counter used by the last blm_match_apply, -1: none */
    uint16_t hit[BLM_MATCH_LEN_BUCKETS * BLM_MATCH_CONF_BUCKETS]; /* P(prediction right), /65536 */
} BlmMatch;

/* State at the start of a frame. */
void blm_match_reset(BlmMatch *m);

/* Reshapes the model's table freqs (16-bit, summing to 65536) for position t, given the
 * frame's tokens hist[0..t); the result still sums to 65536 with every entry >= 1. */
void blm_match_apply(BlmMatch *m, const uint8_t *hist, uint32_t freqs[256]);

/* Learns from hist[t], the token just coded at position t, and looks for a new match. */
void blm_match_update(BlmMatch *m, const uint8_t *hist, size_t t);

#endif
