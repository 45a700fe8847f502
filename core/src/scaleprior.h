/*
 * The scale prior of frame mode BLM_MODE_SCALE (docs/MODEL.md §8), for PCM and pixels.
 *
 * The transformer sees its last 128 tokens: 32 samples of a stereo signal, too few
 * to know how loud the residual is, and never the row above a pixel. The scale prior
 * estimates the residual's scale from what the model does not see, the mean magnitude
 * over about the last 256 samples of the channel (PCM) or that of the three residuals
 * above (pixels, same plane), and moves the model's logits toward a Laplace
 * distribution of that scale (a product of experts):
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
    int pixels;                            /* 0: PCM, 1: gray or RGB pixels */
    int channels;                          /* PCM channels, or planes of a pixel */
    size_t row;                            /* pixels: tokens per row */
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

/* State at the start of a frame of a stream with this kind (PCM, gray or RGB; not
 * plain bytes), channel count (PCM, 1..BYTELM_MAX_CHANNELS) and width (pixels). */
void blm_scale_reset(BlmScalePrior *sp, BytelmKind kind, uint32_t channels, uint32_t width);

/* Codes tokens[t], token t of the frame (in the order of docs/FORMAT.md §4) given the
 * model's logits for it and the frame's tokens before it, as 8 binary decisions, most
 * significant bit first, and learns from it. The caller keeps IEEE default floating
 * point (fpenv.h) around the call. */
void blm_scale_encode(BlmScalePrior *sp, BlmRcEncoder *rc, const float logits[256],
                      const uint8_t *tokens, size_t t);

/* The mirror of blm_scale_encode: decodes token t into tokens[t] and returns it. */
int blm_scale_decode(BlmScalePrior *sp, BlmRcDecoder *rc, const float logits[256], uint8_t *tokens,
                     size_t t);

#endif
