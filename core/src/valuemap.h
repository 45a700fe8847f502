/*
 * The value map of a mode-6 frame (docs/FORMAT.md §2, mode 6; docs/MODEL.md §11):
 * the set of sample values one channel of the frame uses. Audio that went through
 * gain, resampling or synthesis, or loud audio in a short frame, leaves many of the
 * 65536 values unused; coding a sample as its rank among the used values, counted
 * from the prediction, takes the unused ones out of every residual.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_VALUEMAP_H
#define BYTELM_VALUEMAP_H

#include <stdint.h>

#include "rangecoder.h"

#define BLM_VMAP_VALUES 65536

typedef struct BlmValueMap {
    int32_t lo, hi;          /* the smallest and the largest value used */
    int32_t count;           /* values used */
    int32_t *below;          /* [v - lo] for v in lo..hi + 1: values used below v */
    int16_t *value;          /* the used values, ascending */
    uint32_t ctx[9][17];     /* the map coder's counters (docs/MODEL.md §11) */
} BlmValueMap;

/* Allocates the tables; 0 or BYTELM_ENOMEM. blm_vmap_free releases them. */
int blm_vmap_alloc(BlmValueMap *m);
void blm_vmap_free(BlmValueMap *m);

/* The map of n samples s (16-bit values); n >= 1. */
void blm_vmap_build(BlmValueMap *m, const int32_t *s, int n);
/* A rough guess, for the encoder only, of the bits the map saves on the n samples s
 * it was built from, less the bits it costs; in 1/16 bits, negative when it loses. */
int64_t blm_vmap_net_gain(const BlmValueMap *m, const int32_t *s, int n);

/* Codes the map (encoder) or reads it (decoder); the same walk for both. A decoder
 * returns BYTELM_EDESYNC when the map read is not a valid one. */
void blm_vmap_encode(BlmValueMap *m, BlmRcEncoder *enc);
int blm_vmap_decode(BlmValueMap *m, BlmRcDecoder *dec);

/* One channel's part of the maps at a payload's start (docs/MODEL.md §11): a flat
 * flag, then the map when the flag is 1. The encoder (enc set) builds the map of its n
 * samples s and sets the flag where blm_vmap_net_gain is positive; the decoder (dec
 * set, s unused) reads both. Returns the flag, or BYTELM_EDESYNC for a map that is not
 * a valid one. */
int blm_vmap_code_channel(BlmValueMap *m, BlmRcEncoder *enc, BlmRcDecoder *dec, const int32_t *s, int n);

/* The number of used values below v, for any v. */
static inline int32_t blm_vmap_rank(const BlmValueMap *m, int32_t v)
{
    return v <= m->lo ? 0 : v > m->hi ? m->count : m->below[v - m->lo];
}

/* A used value's distance from the prediction in ranks, and back: value v (used)
 * gives r = rank(v) - rank(pred), and r gives the used value of rank rank(pred) + r.
 * blm_vmap_unmap clamps a rank outside the map (a damaged stream). */
static inline int32_t blm_vmap_map(const BlmValueMap *m, int32_t pred, int32_t v)
{
    return blm_vmap_rank(m, v) - blm_vmap_rank(m, pred);
}

static inline int32_t blm_vmap_unmap(const BlmValueMap *m, int32_t pred, int32_t r)
{
    int32_t i = blm_vmap_rank(m, pred) + r;
    i = i < 0 ? 0 : i >= m->count ? m->count - 1 : i;
    return m->value[i];
}

#endif
