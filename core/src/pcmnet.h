/*
 * The audio network of frame mode 6 (docs/MODEL.md §15): a small pre-trained MLP that
 * reads the cascade predictor's state before a sample (its stages' partial sums, its
 * final weights, the recent errors, the running scales, the signal) and gives the
 * residual's distribution as a mixture of three logistics, coded by logmix.h.
 * float32 in the written order with the exp of docs/MODEL.md §2, so that every machine
 * gets the same bits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PCMNET_H
#define BYTELM_PCMNET_H

#include <stdint.h>

#include "logmix.h"
#include "mlpadapt.h"

/* Two networks, chosen by the frame's parameter byte: the first reads §15's inputs
 * x[0..24], the second x[0..40] (more of the recent errors and samples) */
#define BLM_PCN_INPUTS 25
#define BLM_PCN2_INPUTS 41
#define BLM_PCN_MAX_INPUTS BLM_PCN2_INPUTS

/* The network learning within a frame (parameter bits 5 and 6, §15 "Adapting"): one
 * for the frame's channels together, started from the built-in weights. */
typedef struct BlmPcmNetAdapt {
    BlmMlpAdapt net;
    float scale;   /* the last evaluation's running scale */
} BlmPcmNetAdapt;

/* which: 1 for the first network, 2 for the second */
void blm_pcmnet_adapt_init(BlmPcmNetAdapt *a, int which);

/* The network's distribution of the residual of a sample predicted as pred (in
 * -32768..32767), from its inputs x (§15's table, squashed already; the first
 * BLM_PCN_INPUTS or BLM_PCN2_INPUTS of them are read) and the running scale sc (>= 1)
 * that the amplitudes among them were divided by: built-in network which's, or with a
 * the adapting one's (started as which). */
void blm_pcmnet_eval(int which, const float *x, float sc, int32_t pred, BlmLogisticMix *d, BlmPcmNetAdapt *a);

/* The adapting network learns the residual e that d (its last evaluation) coded. */
void blm_pcmnet_learn(BlmPcmNetAdapt *a, const BlmLogisticMix *d, int32_t e);

/* FNV-1a of built-in network which's float32 bytes (little-endian), as §15 documents. */
uint32_t blm_pcmnet_hash(int which);

#endif
