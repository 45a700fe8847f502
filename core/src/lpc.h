/*
 * Linear prediction for 16-bit PCM (docs/FORMAT.md §4, "PCM: LPC residuals"): quantized integer filters
 * that the decoder runs exactly, and the encoder's search for a good one per channel
 * and frame. The search uses double precision but only + - * /, so with
 * -ffp-contract=off every machine picks the same filter.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_LPC_H
#define BYTELM_LPC_H

#include <stdint.h>
#include <string.h>

#define BLM_LPC_MAX_ORDER 32
#define BLM_LPC_MAX_SHIFT 15

typedef struct BlmLpcFilter {
    int order; /* 0..BLM_LPC_MAX_ORDER */
    int shift; /* 0..BLM_LPC_MAX_SHIFT */
    int16_t coef[BLM_LPC_MAX_ORDER];
} BlmLpcFilter;

/* Prediction of y[i] from y[i-1..i-order]: floor(sum coef[j] * y[i-1-j] / 2^shift).
 * The first `order` samples of a frame use y[i-1] (0 for the very first). */
static inline int64_t blm_lpc_predict(const int16_t *y, uint32_t i, const BlmLpcFilter *f)
{
    if ((uint32_t)f->order > i)
        return i ? y[i - 1] : 0;
    int64_t acc = 0;
    for (int j = 0; j < f->order; j++)
        acc += (int64_t)f->coef[j] * y[i - 1 - j];
    /* floor division by 2^shift, without relying on >> of a negative value */
    return acc >= 0 ? acc >> f->shift : ~(~acc >> f->shift);
}

/* The optional LMS stages (docs/FORMAT.md §4, "PCM: LPC residuals"): a sign-sign LMS filter over the last
 * `order` inputs predicts the next one, adapting as it goes, so it follows what a
 * per-frame LPC filter cannot. One stage (32 taps) or a cascade of three, a long slow
 * one for tonal music (256 taps, or 1024 in the long cascade), then two short fast ones
 * (as in Monkey's Audio and OptimFROG). Integer arithmetic only. */
#define BLM_LMS_MAX_ORDER 1024
#define BLM_LMS_STEP 4
#define BLM_LMS_WEIGHT_MAX (1 << 20)

typedef struct BlmLms {
    int order, shift;
    int32_t w[BLM_LMS_MAX_ORDER];
    int32_t h[BLM_LMS_MAX_ORDER]; /* h[0] is the most recent input */
} BlmLms;

/* The stages, first to last. Which of them a channel runs (docs/FORMAT.md §4, "PCM: LPC residuals"): */
#define BLM_LMS_STAGES 4
static const struct { int order, shift; } blm_lms_stage[BLM_LMS_STAGES] = {
    {1024, 15}, {256, 16}, {32, 13}, {32, 12}};

enum BlmLmsSet {
    BLM_LMS_NONE = 0,
    BLM_LMS_SINGLE = 1 << 3,                        /* the last stage alone */
    BLM_LMS_CASCADE = 1 << 1 | 1 << 2 | 1 << 3,     /* 256, 32, 32 taps */
    BLM_LMS_LONG = 1 << 0 | 1 << 2 | 1 << 3,        /* 1024, 32, 32 taps */
};

/* A stage at the start of a frame: zero weights, zero history. */
static inline void blm_lms_init(BlmLms *s, int stage)
{
    memset(s, 0, sizeof(*s));
    s->order = blm_lms_stage[stage].order;
    s->shift = blm_lms_stage[stage].shift;
}

static inline int64_t blm_lms_predict(const BlmLms *s)
{
    int64_t acc = 0;
    for (int k = 0; k < s->order; k++)
        acc += (int64_t)s->w[k] * s->h[k];
    return acc >= 0 ? acc >> s->shift : ~(~acc >> s->shift);
}

/* After each sample: err = input - prediction (exact), then the input joins the
 * history. */
static inline void blm_lms_update(BlmLms *s, int64_t err, int32_t input)
{
    if (err) {
        int32_t step = err > 0 ? BLM_LMS_STEP : -BLM_LMS_STEP;
        for (int k = 0; k < s->order; k++) {
            int32_t w = s->w[k] + (s->h[k] > 0 ? step : s->h[k] < 0 ? -step : 0);
            s->w[k] = w > BLM_LMS_WEIGHT_MAX ? BLM_LMS_WEIGHT_MAX
                      : w < -BLM_LMS_WEIGHT_MAX ? -BLM_LMS_WEIGHT_MAX : w;
        }
    }
    memmove(s->h + 1, s->h, sizeof(s->h[0]) * (size_t)(s->order - 1));
    s->h[0] = input;
}

/* Chooses the filter (order up to max_order) that minimises an estimate of the
 * residual's coded size plus the filter's own bytes. Returns the estimate in bits. */
double blm_lpc_search(const int16_t *y, uint32_t n, int max_order, BlmLpcFilter *best);

#endif
