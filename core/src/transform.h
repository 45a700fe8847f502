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

#define BLM_MAX_FRAME_PARAMS 255

enum {
    BLM_TRANSFORM_IDENTITY = 0,
    BLM_TRANSFORM_PREDICT = 1, /* fixed predictors: PCM polynomial, image MED */
    BLM_TRANSFORM_LPC = 2,     /* PCM only: quantized LPC per channel and frame */
    BLM_TRANSFORM_MAX = 2,
};

typedef struct BlmLayout {
    BytelmKind kind;
    uint32_t transform;  /* BLM_TRANSFORM_* */
    uint32_t channels;   /* PCM channels, or 1 (gray) / 3 (RGB) components */
    uint32_t width;      /* images: pixels per row */
    uint32_t unit_bytes; /* raw bytes per unit: sample frame, image row, or byte */
} BlmLayout;

/* Whether a header may use this transform with this kind. */
int blm_transform_allowed(BytelmKind kind, uint32_t transform);
/* Phase period of the token stream (docs/MODEL.md §1): 2*channels, 3, or 1. */
uint32_t blm_transform_period(const BlmLayout *lay);

/* Chooses the parameters for a frame (at most BLM_MAX_FRAME_PARAMS bytes, their
 * count in *n_params) and writes its tokens (n_units * unit_bytes).
 * Returns 0 or BYTELM_ENOMEM. */
int blm_transform_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t n_units,
                          uint8_t *params, uint32_t *n_params, uint8_t *tokens);
/* 0 if the parameter bytes are well formed for this layout, else BYTELM_EFORMAT. */
int blm_transform_check_params(const BlmLayout *lay, const uint8_t *params, uint32_t n_params);
/* Undoes the transform; the parameters must have passed blm_transform_check_params. */
int blm_transform_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t n_units,
                          const uint8_t *params, uint32_t n_params, uint8_t *raw);

#endif
