/*
 * bytelm-train: dev-eval the way the codec codes: frames of F bytes, each from a cold start
 * (BOS, empty cache, phase t mod period counted from the frame start), attention over the
 * sliding window, summed over whole files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_EVAL_H
#define BYTELM_TRAIN_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "data.h"
#include "model.h"

typedef struct EvalResult {
    uint64_t bytes[DATA_MAX_GROUPS];  /* bytes coded per group */
    double bits[DATA_MAX_GROUPS];     /* sum of -log2 p per group */
    uint64_t total_bytes;
    double total_bits;
} EvalResult;

/* frame: bytes per frame (> 0) for files whose list line gives none; max_file_bytes: 0 = whole files, else each file's first
 * max_file_bytes bytes only. 0, or -1 on memory error. */
int eval_dataset(const TrainModel *m, const DataSet *ds, size_t frame, size_t max_file_bytes,
                 EvalResult *res);
/* One line per group and a total: bytes, bits/byte, predicted compressed size. */
void eval_print(const DataSet *ds, const EvalResult *res, long step);

#endif
