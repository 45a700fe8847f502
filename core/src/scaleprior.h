/*
 * The scale prior of frame mode BLM_MODE_SCALE (docs/MODEL.md §8), for PCM.
 *
 * The transformer sees its last 128 tokens: 32 samples of a stereo signal, too few
 * to know how loud the residual is. The scale prior keeps, per channel, the mean
 * magnitude of the residual over about the last 256 samples, and moves the model's
 * logits toward a Laplace distribution of that scale (a product of experts):
 *     x[c] = logit[c] - u * logit[c] - v * mag(c) / mean
 * where mag(c) is the magnitude token c stands for. u (a temperature) and v (the
 * prior's weight) are learned per channel and byte by one gradient step on the code
 * length after each token: speech, whose loudness changes faster than the mean
 * follows, keeps v small, steady music makes it larger. All of it is float
 * arithmetic under the rules of docs/MODEL.md §2, so every machine gets the same
 * tables; the state resets at the start of every frame.
 *
 * Each token is coded as 8 binary decisions with 16-bit probabilities rather than
 * as one symbol of a 16-bit table: a table must give each of the 256 symbols at
 * least 1 / 65536, which costs 0.0056 bits on every token, 0.2 % of a music file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_SCALEPRIOR_H
#define BYTELM_SCALEPRIOR_H

#include <stddef.h>
#include <stdint.h>

#include "bytelm/bytelm.h"
#include "rangecoder.h"

struct BlmKernels;

typedef struct BlmScalePrior {
    const struct BlmKernels *kernels;
    int channels;
    float mean[BYTELM_MAX_CHANNELS];       /* running mean of |e|, started at 0 */
    float seen[BYTELM_MAX_CHANNELS];       /* 1 - (1 - rate)^samples: undoes that start */
    float temper[BYTELM_MAX_CHANNELS][2];  /* u, per channel and byte (0 high, 1 low) */
    float weight[BYTELM_MAX_CHANNELS][2];  /* v */
    uint8_t high[BYTELM_MAX_CHANNELS];     /* the current sample's high byte */

    /* the token being coded */
    int channel, byte;
    float g[256], h[256];                  /* d x / d u and d x / d v */
    float node[512];                       /* exp(x - max x) at 256 + c, sums above */
} BlmScalePrior;

/* State at the start of a frame of `channels` (1..BYTELM_MAX_CHANNELS) channels. */
void blm_scale_reset(BlmScalePrior *sp, int channels);

/* Codes token t of the frame (t counts tokens, 2 per sample and channel in the
 * order of docs/FORMAT.md §4) given the model's logits for it, as 8 binary
 * decisions, most significant bit first, and learns from it. The caller keeps IEEE
 * default floating point (fpenv.h) around the call. */
void blm_scale_encode(BlmScalePrior *sp, BlmRcEncoder *rc, const float logits[256], size_t t,
                      uint8_t token);

/* The mirror of blm_scale_encode: returns token t. */
int blm_scale_decode(BlmScalePrior *sp, BlmRcDecoder *rc, const float logits[256], size_t t);

#endif
