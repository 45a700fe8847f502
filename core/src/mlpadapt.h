/*
 * A small network of docs/MODEL.md §14's shape (inputs -> 64 -> 64 -> 9, ReLU) whose
 * layers learn within a frame from each coded residual: the copy of the built-in
 * weights that it evaluates, the gradients gathered over a block of samples, and the
 * step that ends a block (docs/MODEL.md §14, "Adapting"). The pixel networks and the
 * audio network (§15) use it alike; float32 in the written order, so every machine
 * gets the same bits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MLPADAPT_H
#define BYTELM_MLPADAPT_H

#include <stdint.h>

#define BLM_MLP_MAX_INPUTS 44
#define BLM_MLP_HIDDEN 64
#define BLM_MLP_OUTPUTS 9
#define BLM_MLP_GRAD_LIMIT 4.0f   /* each output's gradient is clamped to +-this */

/* A built-in network: W1 (inputs x 64), b1, W2 (64 x 64), b2, W3 (64 x 9), b3,
 * input-major */
typedef struct BlmMlpWeights {
    const float *w1, *b1, *w2, *b2, *w3, *b3;
    int inputs;
} BlmMlpWeights;

/* How a network learns: every layer or the output layer alone, the samples in a
 * block, and each layer's step per sample's gradient (the hidden ones unused unless
 * every layer learns) */
typedef struct BlmMlpSchedule {
    int all, block;
    float step_output, step_hidden2, step_hidden1;
} BlmMlpSchedule;

/* Every layer learning, in blocks of 32 samples: 0.06 / 512 for the output layer,
 * 0.96 / 512 for the second hidden layer, 0.24 / 512 for the first (docs/MODEL.md §14,
 * docs/STUDY.md findings 22 and 23) */
extern const BlmMlpSchedule blm_mlp_every_layer;

typedef struct BlmMlpAdapt {
    BlmMlpSchedule schedule;
    int inputs, seen;   /* seen: samples in the current block */
    float w1[BLM_MLP_MAX_INPUTS * BLM_MLP_HIDDEN], b1[BLM_MLP_HIDDEN];
    float gw1[BLM_MLP_MAX_INPUTS * BLM_MLP_HIDDEN], gb1[BLM_MLP_HIDDEN];
    float w2[BLM_MLP_HIDDEN * BLM_MLP_HIDDEN], b2[BLM_MLP_HIDDEN];
    float gw2[BLM_MLP_HIDDEN * BLM_MLP_HIDDEN], gb2[BLM_MLP_HIDDEN];
    float w3[BLM_MLP_HIDDEN * BLM_MLP_OUTPUTS], b3[BLM_MLP_OUTPUTS];
    float gw3[BLM_MLP_HIDDEN * BLM_MLP_OUTPUTS], gb3[BLM_MLP_OUTPUTS];
    /* w2 and w3 transposed, as the gradient goes back through them */
    float w2t[BLM_MLP_HIDDEN * BLM_MLP_HIDDEN], w3t[BLM_MLP_OUTPUTS * BLM_MLP_HIDDEN];
    /* the last evaluation's input and activations, which its gradient needs */
    float x[BLM_MLP_MAX_INPUTS], h1[BLM_MLP_HIDDEN], h2[BLM_MLP_HIDDEN], o[BLM_MLP_OUTPUTS];
} BlmMlpAdapt;

/* FNV-1a of a built-in network's float32 bytes (little-endian), W1, b1, W2, b2, W3, b3
 * in order: the hash that docs/MODEL.md documents for each. */
uint32_t blm_mlp_weights_hash(const BlmMlpWeights *w);

/* The built-in network's outputs o for the input x. */
void blm_mlp_eval(const BlmMlpWeights *w, const float *x, float o[BLM_MLP_OUTPUTS]);

/* Starts a frame from the built-in weights. */
void blm_mlp_adapt_init(BlmMlpAdapt *a, const BlmMlpWeights *w, const BlmMlpSchedule *schedule);

/* The adapting network's outputs o for the input x, kept for blm_mlp_adapt_learn. */
void blm_mlp_adapt_eval(BlmMlpAdapt *a, const float *x, float o[BLM_MLP_OUTPUTS]);

/* Learns from the gradient g of the last evaluation's outputs (clamped here), or only
 * counts the sample where g is NULL; a step ends each block. */
void blm_mlp_adapt_learn(BlmMlpAdapt *a, const float *g);

#endif
