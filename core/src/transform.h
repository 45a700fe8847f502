/*
 * Lossless pre-transforms (docs/FORMAT.md §4): what the model actually sees.
 * Each data kind maps a frame of raw units to a token byte string of the same
 * length and back, with a few per-frame parameters chosen by the encoder.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRANSFORM_H
#define BYTELM_TRANSFORM_H

#include <stddef.h>
#include <stdint.h>

#include "bytelm/bytelm.h"

#define BLM_MAX_FRAME_PARAMS 8

typedef struct BlmLayout {
    BytelmKind kind;
    uint32_t channels;   /* PCM channels, or 1 (gray) / 3 (RGB) components */
    uint32_t width;      /* images: pixels per row */
    uint32_t unit_bytes; /* raw bytes per unit: sample frame, image row, or byte */
} BlmLayout;

/* Phase period of the token stream (docs/MODEL.md §1): 2*channels, 3, or 1. */
uint32_t blm_transform_period(const BlmLayout *lay);
/* Number of per-frame parameter bytes the transform stores. */
uint32_t blm_transform_n_params(const BlmLayout *lay);

/* Chooses the parameters for a frame and writes its tokens (n_units * unit_bytes).
 * Returns 0 or BYTELM_ENOMEM. */
int blm_transform_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t n_units,
                          uint8_t *params, uint8_t *tokens);
/* Returns BYTELM_EFORMAT if the parameters are not valid. */
int blm_transform_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t n_units,
                          const uint8_t *params, uint8_t *raw);

#endif
