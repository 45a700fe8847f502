/*
 * bytelm-train: checkpoints (parameters, AdamW moments, step, RNG state) for --resume.
 *
 * Layout, little-endian: "BLMTRAIN", u32 version (1), the model shape, the training
 * hyper-parameters, the step counters, the RNG state, u64 n_params, f32 params[n],
 * f32 m[n], f32 v[n], then the SHA-256 of everything before it. Written to PATH.tmp and
 * renamed over PATH, so a killed run leaves the previous checkpoint intact.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_CHECKPOINT_H
#define BYTELM_TRAIN_CHECKPOINT_H

#include <stdint.h>

#include "data.h"
#include "model.h"

#define CKPT_VERSION 1

/* Everything that determines the rest of a run besides the parameters and moments. */
typedef struct TrainHyper {
    int batch, seq_len;
    double lr, min_lr_frac, weight_decay, beta1, beta2, adam_eps, clip;
    int64_t warmup, steps;  /* steps: total of the schedule */
    uint64_t seed;
} TrainHyper;

typedef struct TrainProgress {
    int64_t step;           /* optimiser steps done */
    uint64_t tokens_seen;   /* scored bytes trained on */
    uint64_t train_bytes;   /* size of the sampled training data */
    TrainRng rng;
} TrainProgress;

int checkpoint_save(const char *path, const TrainModel *m, const TrainHyper *h,
                    const TrainProgress *p);
/* Reads the shape first (cfg), then initialises m (tm_init) and fills everything.
 * 0, or -1 with a message. */
int checkpoint_load(const char *path, TrainModel *m, TrainHyper *h, TrainProgress *p);

#endif
