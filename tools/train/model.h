/*
 * bytelm-train: the transformer of docs/MODEL.md, forward and backward.
 *
 * The code is written once over the type `real`: float for training (OpenBLAS sgemm), double
 * when compiled with -DBLM_TRAIN_DOUBLE for the finite-difference gradient check
 * (tests/test_train_grad.c). Training may use libm and any float order; only the codec's
 * inference (core/) is bit-exact.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_MODEL_H
#define BYTELM_TRAIN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef BLM_TRAIN_DOUBLE
typedef double real;
#else
typedef float real;
#endif

#define TM_VOCAB_IN 257   /* 256 bytes + BOS */
#define TM_VOCAB_OUT 256
#define TM_BOS 256
#define TM_N_PHASE 16

typedef struct TrainModelConfig {
    int n_layer;    /* L */
    int d_model;    /* d, a multiple of 8 */
    int n_head;     /* H, divides d */
    int d_ff;       /* F, a multiple of 8 */
    int window;     /* W: positions attended, the current one included */
    float norm_eps;
} TrainModelConfig;

/* Returns NULL when valid, else a message. */
const char *tm_config_check(const TrainModelConfig *c);

/* ---- parameters: one allocation, a pointer table (in the manner of llm.c) ---- */
enum {
    TP_TOK_EMB,     /* [257][d] */
    TP_PHASE_EMB,   /* [16][d] */
    TP_ATTN_NORM,   /* [L][d] */
    TP_WQ,          /* [L][d][d] */
    TP_WK,          /* [L][d][d] */
    TP_WV,          /* [L][d][d] */
    TP_WO,          /* [L][d][d] */
    TP_REL_BIAS,    /* [L][H][W] */
    TP_FFN_NORM,    /* [L][d] */
    TP_W1,          /* [L][d][F] */
    TP_W2,          /* [L][F][d] */
    TP_OUT_NORM,    /* [d] */
    TP_OUT_W,       /* [d][256] */
    TP_OUT_B,       /* [256] */
    TP_COUNT
};

typedef struct ParamTensors {
    real *tok_emb, *phase_emb, *attn_norm, *wq, *wk, *wv, *wo, *rel_bias, *ffn_norm, *w1, *w2,
        *out_norm, *out_w, *out_b;
} ParamTensors;

/* Per tensor kind: its name in docs/MODEL.md ("l%d." prefixed for layer tensors), whether it
 * is per layer, its per-layer shape and whether weight decay applies. */
typedef struct ParamInfo {
    const char *name;
    int per_layer;
    int ndim;
    int dims[2];
    int decay;
} ParamInfo;

void tm_param_info(const TrainModelConfig *c, ParamInfo info[TP_COUNT]);
/* Sizes (elements, all layers together) of the TP_COUNT tensors; returns the total. */
size_t tm_param_sizes(const TrainModelConfig *c, size_t sizes[TP_COUNT]);
/* Points the table into `mem` (tm_param_sizes() elements). */
void tm_param_point(ParamTensors *p, real *mem, const size_t sizes[TP_COUNT]);

/* ---- activations: one allocation, a pointer table ---- */
typedef struct ActTensors {
    real *encoded;   /* [B][T][d]  tok_emb + phase_emb */
    real *ln1;       /* [L][B][T][d] */
    real *ln1_rstd;  /* [L][B][T] */
    real *q, *k, *v; /* [L][B][T][d] */
    real *att;       /* [L][B][H][T][W]  softmax weights by u = s - max(0, t-W+1) */
    real *atty;      /* [L][B][T][d]  attention output before wo */
    real *res2;      /* [L][B][T][d]  residual after attention */
    real *ln2;       /* [L][B][T][d] */
    real *ln2_rstd;  /* [L][B][T] */
    real *fch;       /* [L][B][T][F]  before GELU */
    real *fch_gelu;  /* [L][B][T][F] */
    real *res3;      /* [L][B][T][d]  residual after the MLP (the layer's output) */
    real *lnf;       /* [B][T][d] */
    real *lnf_rstd;  /* [B][T] */
    real *logits;    /* [B][T][256]  (probabilities after the forward pass) */
    real *losses;    /* [B][T]  -ln p(target), 0 where masked */
} ActTensors;
#define TA_COUNT 18

typedef struct TrainModel {
    TrainModelConfig cfg;
    /* parameters, their gradients and the AdamW moments */
    size_t param_sizes[TP_COUNT];
    size_t n_params;
    real *params_mem, *grads_mem;
    real *m_mem, *v_mem;   /* AdamW first and second moments */
    ParamTensors params, grads;
    /* activations for batch B, sequence T; allocated by the first forward */
    int B, T;
    size_t act_sizes[TA_COUNT];
    size_t n_acts;
    real *acts_mem, *grads_acts_mem;
    ActTensors acts, grads_acts;
    real *scratch;         /* attention_scratch_size(T, d, H, W) */
    /* last batch */
    const int32_t *targets; /* [B][T], -1 = not scored */
    double mean_loss;       /* nats per scored byte */
    long n_scored;
} TrainModel;

/* Allocates parameters (and gradients, moments) for cfg; 0 or -1 on memory error. */
int tm_init(TrainModel *m, const TrainModelConfig *cfg);
void tm_free(TrainModel *m);
/* Random initialisation from a 64-bit RNG state (advanced). */
void tm_init_params(TrainModel *m, uint64_t *rng);

/* inputs: tokens [B][T] (256 = BOS), phases [B][T], targets [B][T] (-1 = masked) or NULL
 * (no loss). Returns the mean loss in nats over the scored positions (0 if none). */
double tm_forward(TrainModel *m, const int32_t *tokens, const int32_t *phases,
                  const int32_t *targets, int B, int T);
void tm_zero_grad(TrainModel *m);
/* Gradients of the mean loss of the last forward, accumulated into m->grads. */
void tm_backward(TrainModel *m, const int32_t *tokens, const int32_t *phases);

/* ---- AdamW ---- */
typedef struct AdamWParams {
    double beta1, beta2, eps, weight_decay;
} AdamWParams;

double tm_grad_norm(const TrainModel *m);
/* One AdamW step (step counts from 1) on grads * grad_scale (for clipping). */
void tm_adamw_update(TrainModel *m, const AdamWParams *o, double lr, double grad_scale,
                     long step);

/* ---- the layers (also used by the dev-eval inference in eval.c) ---- */
void encoder_forward(real *out, const int32_t *tok, const int32_t *ph, const real *tok_emb,
                     const real *phase_emb, int N, int d);
void rmsnorm_forward(real *out, real *rstd, const real *inp, const real *g, int N, int d,
                     float eps);
/* out[N][OC] = inp[N][IC] . w[IC][OC] (+ bias); accumulate: out += instead of = */
void matmul_forward(real *out, const real *inp, const real *w, const real *bias, int N, int IC,
                    int OC, int accumulate);
/* One sequence: queries i = 0..N-1 sit at cache rows P+i of k, v ([P+N][d]) and attend rows
 * s = s0 .. P+i, s0 = max(0, P+i-W+1). att: [H][N][W] softmax weights by u = s - s0.
 * scratch: attention_scratch_size(P+N, d, H, W) elements. */
size_t attention_scratch_size(int rows, int d, int H, int W);
void attention_forward(real *out, real *att, const real *q, const real *k, const real *v,
                       const real *rel_bias, int N, int P, int d, int H, int W, real *scratch);
void gelu_forward(real *out, const real *inp, size_t n);
/* logits [N][256] -> probabilities in place; losses[i] = -ln p(targets[i]) (0 if < 0). */
void softmax_xent_forward(real *losses, real *logits, const int32_t *targets, int N);

#endif
