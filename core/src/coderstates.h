/*
 * The residual coder's learned starting states (docs/MODEL.md §13): what the coder of
 * frame modes 6 and 7 had learnt after coding the training set, so that a frame
 * starts warm instead of from even odds. Normative data, built into the library
 * (models/bytelm-coder-states-v1.bin, its layout and hash in docs/MODEL.md).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CODERSTATES_H
#define BYTELM_CODERSTATES_H

#include <stddef.h>
#include <stdint.h>

#include "residualcoder.h"

/* The sets of states, one state per channel or plane in coding order. */
typedef enum BlmCoderStateSet {
    BLM_STATES_PCM_MONO,     /* 1 state */
    BLM_STATES_PCM_STEREO,   /* 2: channel 0, channel 1 */
    BLM_STATES_GRAY,         /* 1 */
    BLM_STATES_RGB,          /* 3: green, red, blue */
    BLM_STATES_SETS
} BlmCoderStateSet;

#define BLM_STATES_COUNT 7       /* states in the file, the sets' in this order */
#define BLM_STATES_BIAS_PLANES 4 /* mode 7's bias tables: gray, then RGB's three planes */
#define BLM_STATES_BIAS_CONTEXTS 1024

/* Mode 7's bias per texture of one plane (docs/MODEL.md §12: B and C) to start from. */
typedef struct BlmPixelBias {
    double sum[BLM_STATES_BIAS_CONTEXTS];
    double count[BLM_STATES_BIAS_CONTEXTS];
} BlmPixelBias;
#define BLM_STATES_MAGIC "BLMS"
#define BLM_STATES_VERSION 1

/* The states of a set, one pointer per channel or plane; NULL only if the built-in
 * table is damaged (its hash disagrees), which the tests rule out. */
const BlmResChannel *const *blm_coder_states(BlmCoderStateSet set);

/* Mode 7's bias tables of a set (BLM_STATES_GRAY or BLM_STATES_RGB), one pointer per
 * plane; NULL for the PCM sets or a damaged built-in table. */
const BlmPixelBias *const *blm_coder_bias(BlmCoderStateSet set);

/* The file's bytes: a header, BLM_STATES_COUNT states, BLM_STATES_BIAS_PLANES bias
 * tables, the SHA-256 of the rest. */
size_t blm_coder_states_file_size(void);
/* Parses a states file into states[BLM_STATES_COUNT] and bias[BLM_STATES_BIAS_PLANES]:
 * 0, or BYTELM_EFORMAT when its size, header, hash or a value is wrong. */
int blm_coder_states_parse(const uint8_t *data, size_t len, BlmResChannel *states, BlmPixelBias *bias);
/* Writes them as a file into out (blm_coder_states_file_size bytes). For the tool
 * that trains them. */
void blm_coder_states_write(const BlmResChannel *states, const BlmPixelBias *bias, uint8_t *out);

#endif
