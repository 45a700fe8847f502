/*
 * The transformer of docs/MODEL.md: loading a weights file and running it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MODEL_H
#define BYTELM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define BLM_FREQ_BITS 16
#define BLM_FREQ_TOTAL (1u << BLM_FREQ_BITS)

typedef struct BlmModelParams {
    int n_layer, d_model, n_head, d_ff, window, n_phase;
    float norm_eps;
    char name[64];
    char modality[32];
} BlmModelParams;

typedef struct BlmModel BlmModel;

/* Both return 0 or a negative BYTELM_E* code (EMODEL, EVERSION, ENOMEM, EIO). */
int blm_model_load_file(const char *path, BlmModel **out);
/* The buffer is copied. */
int blm_model_load_memory(const void *data, size_t len, BlmModel **out);
/* A model is read-only once loaded and may be shared by threads: ref takes one more
 * reference, free drops one and frees the model with the last. */
BlmModel *blm_model_ref(BlmModel *m);
void blm_model_free(BlmModel *m);
const uint8_t *blm_model_hash(const BlmModel *m);          /* 32 bytes, SHA-256 */
const BlmModelParams *blm_model_params(const BlmModel *m);

/* State of one sequence (one frame) being coded: the ring-buffer KV cache of the
 * last `window` positions and scratch space for up to max_rows positions per call. */
typedef struct BlmRunner BlmRunner;

BlmRunner *blm_runner_new(const BlmModel *m, int max_rows);
void blm_runner_free(BlmRunner *r);
/* Starts a new sequence at t = 0 (empty cache). */
void blm_runner_reset(BlmRunner *r);
/* Runs n (1..max_rows) consecutive positions t .. t+n-1 of the current sequence.
 * tokens[i] is the input at that position (256 = BOS, else the previous byte),
 * phases[i] its phase. freqs[i][c] receives the 16-bit frequencies of docs/MODEL.md §4
 * (each >= 1, summing to BLM_FREQ_TOTAL) and, unless logits is NULL, logits[i][c]
 * the logits they come from (§3); one of the two may be NULL. The result for a position does not depend on n, on
 * how calls were split, on the SIMD level or on the thread. */
void blm_runner_forward(BlmRunner *r, const uint16_t *tokens, const uint8_t *phases, int n,
                        uint32_t (*freqs)[256], float (*logits)[256]);

/* Lockstep: advances each of n (>= 1) distinct runners of the same model by one
 * position, as if blm_runner_forward(runners[i], &tokens[i], &phases[i], 1, &freqs[i])
 * were called for each i, and with the same bits. The linear layers run as one
 * n-row matrix product (the weights are read once per step for all sequences
 * instead of once per sequence); attention reads each runner's own cache.
 * runners[0] lends its scratch and kernels to the whole call, which is split into
 * products of at most runners[0]'s max_rows rows, so give it max_rows >= n. */
void blm_runner_forward_multi(BlmRunner *const *runners, int n, const uint16_t *tokens,
                              const uint8_t *phases, uint32_t (*freqs)[256],
                              float (*logits)[256]);


/* Makes a runner use the kernels of one SIMD level instead of the best one
 * (tests and benchmarks; every level gives the same bits). */
struct BlmKernels;
void blm_runner_set_kernels(BlmRunner *r, const struct BlmKernels *k);

#endif
