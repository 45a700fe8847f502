/*
 * bytelm-train: dev-eval the way the codec codes (frames from a cold start, windowed
 * attention through a KV cache), in float with the trainer's kernels.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU parts of libc (mmap, strdup, clock_gettime, M_PI) */
#endif
#include "eval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EVAL_CHUNK 256 /* positions per forward call */

typedef struct EvalState {
    int N, P;            /* chunk capacity, rows of history in the caches */
    real *kc, *vc;       /* [L][W-1+N][d] */
    real *h, *ln, *q, *atty, *ff, *ffg, *att, *logits, *losses, *scratch;
    int32_t *tok, *ph, *tgt;
} EvalState;

static void eval_state_free(EvalState *e)
{
    free(e->kc); free(e->vc); free(e->h); free(e->ln); free(e->q); free(e->atty);
    free(e->ff); free(e->ffg); free(e->att); free(e->logits); free(e->losses); free(e->scratch);
    free(e->tok); free(e->ph); free(e->tgt);
}

static int eval_state_init(EvalState *e, const TrainModelConfig *c, int N)
{
    size_t d = c->d_model, L = c->n_layer, W = c->window, F = c->d_ff, H = c->n_head;
    memset(e, 0, sizeof(*e));
    e->N = N;
    e->kc = malloc(L * (W - 1 + N) * d * sizeof(real));
    e->vc = malloc(L * (W - 1 + N) * d * sizeof(real));
    e->h = malloc(N * d * sizeof(real));
    e->ln = malloc(N * d * sizeof(real));
    e->q = malloc(N * d * sizeof(real));
    e->atty = malloc(N * d * sizeof(real));
    e->ff = malloc(N * F * sizeof(real));
    e->ffg = malloc(N * F * sizeof(real));
    e->att = malloc(H * N * W * sizeof(real));
    e->logits = malloc(N * (size_t)TM_VOCAB_OUT * sizeof(real));
    e->losses = malloc(N * sizeof(real));
    e->tok = malloc(N * sizeof(int32_t));
    e->ph = malloc(N * sizeof(int32_t));
    e->tgt = malloc(N * sizeof(int32_t));
    e->scratch = malloc(attention_scratch_size((int)(W - 1) + N, (int)d, (int)H, (int)W) *
                        sizeof(real));
    if (!e->scratch || !e->kc || !e->vc || !e->h || !e->ln || !e->q || !e->atty || !e->ff || !e->ffg ||
        !e->att || !e->logits || !e->losses || !e->tok || !e->ph || !e->tgt) {
        eval_state_free(e);
        return -1;
    }
    return 0;
}

/* Runs positions t0 .. t0+n-1 of the current frame (tokens in e->tok etc.); returns the sum
 * of -ln p over them. */
static double eval_chunk(const TrainModel *m, EvalState *e, int n)
{
    const TrainModelConfig *c = &m->cfg;
    const ParamTensors *p = &m->params;
    int d = c->d_model, F = c->d_ff, H = c->n_head, W = c->window, L = c->n_layer;
    size_t dd = (size_t)d * d, crow = (size_t)(W - 1 + e->N) * d;
    int P = e->P;

    encoder_forward(e->h, e->tok, e->ph, p->tok_emb, p->phase_emb, n, d);
    for (int l = 0; l < L; l++) {
        real *kc = e->kc + l * crow, *vc = e->vc + l * crow;
        rmsnorm_forward(e->ln, NULL, e->h, p->attn_norm + (size_t)l * d, n, d, c->norm_eps);
        matmul_forward(e->q, e->ln, p->wq + l * dd, NULL, n, d, d, 0);
        matmul_forward(kc + (size_t)P * d, e->ln, p->wk + l * dd, NULL, n, d, d, 0);
        matmul_forward(vc + (size_t)P * d, e->ln, p->wv + l * dd, NULL, n, d, d, 0);
        attention_forward(e->atty, e->att, e->q, kc, vc, p->rel_bias + (size_t)l * H * W, n,
                          P, d, H, W, e->scratch);
        matmul_forward(e->h, e->atty, p->wo + l * dd, NULL, n, d, d, 1);
        rmsnorm_forward(e->ln, NULL, e->h, p->ffn_norm + (size_t)l * d, n, d, c->norm_eps);
        matmul_forward(e->ff, e->ln, p->w1 + (size_t)l * d * F, NULL, n, d, F, 0);
        gelu_forward(e->ffg, e->ff, (size_t)n * F);
        matmul_forward(e->h, e->ffg, p->w2 + (size_t)l * F * d, NULL, n, F, d, 1);
        /* keep the last W-1 positions as history */
        int keep = P + n < W - 1 ? P + n : W - 1;
        memmove(kc, kc + (size_t)(P + n - keep) * d, (size_t)keep * d * sizeof(real));
        memmove(vc, vc + (size_t)(P + n - keep) * d, (size_t)keep * d * sizeof(real));
    }
    e->P = P + n < W - 1 ? P + n : W - 1;
    rmsnorm_forward(e->ln, NULL, e->h, p->out_norm, n, d, c->norm_eps);
    matmul_forward(e->logits, e->ln, p->out_w, p->out_b, n, d, TM_VOCAB_OUT, 0);
    softmax_xent_forward(e->losses, e->logits, e->tgt, n);
    double s = 0;
    for (int i = 0; i < n; i++) s += e->losses[i];
    return s;
}

int eval_dataset(const TrainModel *m, const DataSet *ds, size_t frame, size_t max_file_bytes,
                 EvalResult *res)
{
    EvalState e;
    memset(res, 0, sizeof(*res));
    if (eval_state_init(&e, &m->cfg, EVAL_CHUNK)) return -1;
    for (int fi = 0; fi < ds->n_files; fi++) {
        const DataFile *f = &ds->files[fi];
        size_t len = f->len;
        if (max_file_bytes && len > max_file_bytes) len = max_file_bytes;
        size_t fsize = f->frame ? f->frame : frame;
        double nats = 0;
        for (size_t f0 = 0; f0 < len; f0 += fsize) {
            size_t fl = len - f0 < fsize ? len - f0 : fsize;
            const uint8_t *x = f->bytes + f0;
            e.P = 0; /* cold start */
            for (size_t t0 = 0; t0 < fl; t0 += (size_t)e.N) {
                int n = fl - t0 < (size_t)e.N ? (int)(fl - t0) : e.N;
                for (int i = 0; i < n; i++) {
                    size_t t = t0 + (size_t)i;
                    e.tok[i] = t == 0 ? TM_BOS : x[t - 1];
                    e.ph[i] = (int32_t)(t % (size_t)f->period);
                    e.tgt[i] = x[t];
                }
                nats += eval_chunk(m, &e, n);
            }
        }
        res->bytes[f->group] += len;
        res->bits[f->group] += nats / 0.69314718055994530942;
        res->total_bytes += len;
        res->total_bits += nats / 0.69314718055994530942;
    }
    eval_state_free(&e);
    return 0;
}

void eval_print(const DataSet *ds, const EvalResult *res, long step)
{
    for (int g = 0; g < ds->n_groups; g++) {
        if (!res->bytes[g]) continue;
        printf("dev step %ld  %-10s %12llu bytes  %.4f bits/byte  predicted %.0f bytes (%.2f%%)\n",
               step, ds->groups[g].name, (unsigned long long)res->bytes[g],
               res->bits[g] / (double)res->bytes[g], res->bits[g] / 8,
               100.0 * res->bits[g] / 8 / (double)res->bytes[g]);
    }
    if (res->total_bytes)
        printf("dev step %ld  %-10s %12llu bytes  %.4f bits/byte  predicted %.0f bytes (%.2f%%)\n",
               step, "total", (unsigned long long)res->total_bytes,
               res->total_bits / (double)res->total_bytes, res->total_bits / 8,
               100.0 * res->total_bits / 8 / (double)res->total_bytes);
    fflush(stdout);
}
