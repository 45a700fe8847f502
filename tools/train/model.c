/*
 * bytelm-train: the transformer of docs/MODEL.md, forward and backward side by side per layer
 * (in the manner of llm.c: outputs first, shapes in a comment).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "model.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The hot loops are compiled for AVX-512, AVX2 and baseline x86-64, chosen at run time
 * (never -march=native). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(TM_NO_CLONES)
#define TM_HOT __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define TM_HOT
#endif

#ifdef BLM_TRAIN_DOUBLE
#define GEMM cblas_dgemm
#define R_EXPV exp
#define R_LOG log
#define R_SQRT sqrt
#else
#define GEMM cblas_sgemm
#define R_EXPV fast_expf
#define R_LOG logf
#define R_SQRT sqrtf
#endif

#ifndef BLM_TRAIN_DOUBLE
/* exp(x) for float as in docs/MODEL.md (blm_exp): written so that the compiler vectorises it.
 * Relative error about 1e-7 over the clamped range -87..88. */
static inline float fast_expf(float x)
{
    x = x > -87.0f ? x : -87.0f; /* also maps NaN */
    x = x < 88.0f ? x : 88.0f;
    float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float sc;
    memcpy(&sc, &bits, sizeof sc);
    return p * sc;
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* configuration and parameter table */

const char *tm_config_check(const TrainModelConfig *c)
{
    if (c->n_layer < 1 || c->n_layer > 32) return "n_layer must be 1..32";
    if (c->d_model < 8 || c->d_model > 1024 || c->d_model % 8) return "d_model must be a multiple of 8 in 8..1024";
    if (c->n_head < 1 || c->d_model % c->n_head) return "n_head must divide d_model";
    if (c->d_ff < 8 || c->d_ff > 4096 || c->d_ff % 8) return "d_ff must be a multiple of 8 in 8..4096";
    if (c->window < 1 || c->window > 4096) return "window must be 1..4096";
    if (!(c->norm_eps > 0.0f)) return "norm_eps must be positive";
    return NULL;
}

void tm_param_info(const TrainModelConfig *c, ParamInfo info[TP_COUNT])
{
    int d = c->d_model, F = c->d_ff, H = c->n_head, W = c->window;
    const ParamInfo t[TP_COUNT] = {
        [TP_TOK_EMB]   = { "tok_emb",   0, 2, { TM_VOCAB_IN, d }, 0 },
        [TP_PHASE_EMB] = { "phase_emb", 0, 2, { TM_N_PHASE, d }, 0 },
        [TP_ATTN_NORM] = { "attn_norm", 1, 1, { d, 0 }, 0 },
        [TP_WQ]        = { "wq",        1, 2, { d, d }, 1 },
        [TP_WK]        = { "wk",        1, 2, { d, d }, 1 },
        [TP_WV]        = { "wv",        1, 2, { d, d }, 1 },
        [TP_WO]        = { "wo",        1, 2, { d, d }, 1 },
        [TP_REL_BIAS]  = { "rel_bias",  1, 2, { H, W }, 0 },
        [TP_FFN_NORM]  = { "ffn_norm",  1, 1, { d, 0 }, 0 },
        [TP_W1]        = { "w1",        1, 2, { d, F }, 1 },
        [TP_W2]        = { "w2",        1, 2, { F, d }, 1 },
        [TP_OUT_NORM]  = { "out_norm",  0, 1, { d, 0 }, 0 },
        [TP_OUT_W]     = { "out_w",     0, 2, { d, TM_VOCAB_OUT }, 1 },
        [TP_OUT_B]     = { "out_b",     0, 1, { TM_VOCAB_OUT, 0 }, 0 },
    };
    memcpy(info, t, sizeof(t));
}

size_t tm_param_sizes(const TrainModelConfig *c, size_t sizes[TP_COUNT])
{
    ParamInfo info[TP_COUNT];
    tm_param_info(c, info);
    size_t total = 0;
    for (int i = 0; i < TP_COUNT; i++) {
        size_t n = (size_t)info[i].dims[0] * (info[i].ndim == 2 ? (size_t)info[i].dims[1] : 1);
        sizes[i] = n * (info[i].per_layer ? (size_t)c->n_layer : 1);
        total += sizes[i];
    }
    return total;
}

void tm_param_point(ParamTensors *p, real *mem, const size_t sizes[TP_COUNT])
{
    real **ptrs[TP_COUNT] = {
        &p->tok_emb, &p->phase_emb, &p->attn_norm, &p->wq, &p->wk, &p->wv, &p->wo,
        &p->rel_bias, &p->ffn_norm, &p->w1, &p->w2, &p->out_norm, &p->out_w, &p->out_b,
    };
    for (int i = 0; i < TP_COUNT; i++) {
        *ptrs[i] = mem;
        mem += sizes[i];
    }
}

int tm_init(TrainModel *m, const TrainModelConfig *cfg)
{
    memset(m, 0, sizeof(*m));
    m->cfg = *cfg;
    m->n_params = tm_param_sizes(cfg, m->param_sizes);
    m->params_mem = calloc(m->n_params, sizeof(real));
    m->grads_mem = calloc(m->n_params, sizeof(real));
    m->m_mem = calloc(m->n_params, sizeof(real));
    m->v_mem = calloc(m->n_params, sizeof(real));
    if (!m->params_mem || !m->grads_mem || !m->m_mem || !m->v_mem) {
        tm_free(m);
        return -1;
    }
    tm_param_point(&m->params, m->params_mem, m->param_sizes);
    tm_param_point(&m->grads, m->grads_mem, m->param_sizes);
    return 0;
}

void tm_free(TrainModel *m)
{
    free(m->params_mem);
    free(m->grads_mem);
    free(m->m_mem);
    free(m->v_mem);
    free(m->acts_mem);
    free(m->grads_acts_mem);
    free(m->scratch);
    memset(m, 0, sizeof(*m));
}

/* splitmix64 / Box-Muller, enough for initialisation */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_normal(uint64_t *s)
{
    double u1 = ((rng_next(s) >> 11) + 1.0) * (1.0 / 9007199254740993.0); /* (0, 1] */
    double u2 = (rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static void fill_normal(real *p, size_t n, double std, uint64_t *rng)
{
    for (size_t i = 0; i < n; i++) p[i] = (real)(std * rng_normal(rng));
}

static void fill_const(real *p, size_t n, real v)
{
    for (size_t i = 0; i < n; i++) p[i] = v;
}

void tm_init_params(TrainModel *m, uint64_t *rng)
{
    const TrainModelConfig *c = &m->cfg;
    const size_t *sz = m->param_sizes;
    ParamTensors *p = &m->params;
    double std = 0.02, proj_std = 0.02 / sqrt(2.0 * c->n_layer);
    fill_normal(p->tok_emb, sz[TP_TOK_EMB], std, rng);
    fill_normal(p->phase_emb, sz[TP_PHASE_EMB], std, rng);
    fill_const(p->attn_norm, sz[TP_ATTN_NORM], 1);
    fill_normal(p->wq, sz[TP_WQ], std, rng);
    fill_normal(p->wk, sz[TP_WK], std, rng);
    fill_normal(p->wv, sz[TP_WV], std, rng);
    fill_normal(p->wo, sz[TP_WO], proj_std, rng);
    fill_const(p->rel_bias, sz[TP_REL_BIAS], 0);
    fill_const(p->ffn_norm, sz[TP_FFN_NORM], 1);
    fill_normal(p->w1, sz[TP_W1], std, rng);
    fill_normal(p->w2, sz[TP_W2], proj_std, rng);
    fill_const(p->out_norm, sz[TP_OUT_NORM], 1);
    fill_normal(p->out_w, sz[TP_OUT_W], std, rng);
    fill_const(p->out_b, sz[TP_OUT_B], 0);
}

/* ------------------------------------------------------------------------------------------ */
/* encoder: token embedding + phase embedding */

void encoder_forward(real *out, const int32_t *tok, const int32_t *ph, const real *tok_emb,
                     const real *phase_emb, int N, int d)
{
    /* out [N][d], tok [N] (0..256), ph [N] (0..15), tok_emb [257][d], phase_emb [16][d] */
    for (int i = 0; i < N; i++) {
        const real *te = tok_emb + (size_t)tok[i] * d, *pe = phase_emb + (size_t)ph[i] * d;
        real *o = out + (size_t)i * d;
        for (int j = 0; j < d; j++) o[j] = te[j] + pe[j];
    }
}

static void encoder_backward(real *dtok_emb, real *dphase_emb, const real *dout,
                             const int32_t *tok, const int32_t *ph, int N, int d)
{
    for (int i = 0; i < N; i++) {
        real *dte = dtok_emb + (size_t)tok[i] * d, *dpe = dphase_emb + (size_t)ph[i] * d;
        const real *g = dout + (size_t)i * d;
        for (int j = 0; j < d; j++) {
            dte[j] += g[j];
            dpe[j] += g[j];
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* RMSNorm: y = x * r * g, r = 1 / sqrt(mean(x^2) + eps) */

void rmsnorm_forward(real *out, real *rstd, const real *inp, const real *g, int N, int d,
                     float eps)
{
    /* out [N][d], rstd [N] (may be NULL), inp [N][d], g [d] */
    for (int i = 0; i < N; i++) {
        const real *x = inp + (size_t)i * d;
        real *y = out + (size_t)i * d;
        real ss = 0;
        for (int j = 0; j < d; j++) ss += x[j] * x[j];
        real r = 1 / R_SQRT(ss / d + (real)eps);
        for (int j = 0; j < d; j++) y[j] = x[j] * r * g[j];
        if (rstd) rstd[i] = r;
    }
}

static void rmsnorm_backward(real *dinp, real *dg, const real *dout, const real *inp,
                             const real *g, const real *rstd, int N, int d)
{
    /* dinp [N][d] +=, dg [d] +=;  dx_j = r g_j dy_j - x_j r^3 / d * sum_k dy_k g_k x_k */
    for (int i = 0; i < N; i++) {
        const real *x = inp + (size_t)i * d, *dy = dout + (size_t)i * d;
        real *dx = dinp + (size_t)i * d;
        real r = rstd[i], dot = 0;
        for (int j = 0; j < d; j++) {
            dot += dy[j] * g[j] * x[j];
            dg[j] += dy[j] * x[j] * r;
        }
        real c = dot * r * r * r / d;
        for (int j = 0; j < d; j++) dx[j] += r * g[j] * dy[j] - x[j] * c;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* matmul: weights stored [in][out] as in the weights file */

void matmul_forward(real *out, const real *inp, const real *w, const real *bias, int N, int IC,
                    int OC, int accumulate)
{
    /* out [N][OC] (=, or += when accumulate), inp [N][IC], w [IC][OC], bias [OC] or NULL */
    if (bias && !accumulate) {
        for (int i = 0; i < N; i++) memcpy(out + (size_t)i * OC, bias, (size_t)OC * sizeof(real));
        accumulate = 1;
    } else if (bias) {
        for (int i = 0; i < N; i++)
            for (int o = 0; o < OC; o++) out[(size_t)i * OC + o] += bias[o];
    }
    GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, OC, IC, 1, inp, IC, w, OC,
         accumulate ? 1 : 0, out, OC);
}

static void matmul_backward(real *dinp, real *dw, real *dbias, const real *dout,
                            const real *inp, const real *w, int N, int IC, int OC)
{
    /* dinp [N][IC] += dout . w^T;  dw [IC][OC] += inp^T . dout;  dbias [OC] += sum dout */
    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, N, IC, OC, 1, dout, OC, w, OC, 1, dinp, IC);
    GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, IC, OC, N, 1, inp, IC, dout, OC, 1, dw, OC);
    if (dbias)
        for (int i = 0; i < N; i++)
            for (int o = 0; o < OC; o++) dbias[o] += dout[(size_t)i * OC + o];
}

/* ------------------------------------------------------------------------------------------ */
/* attention over a sliding window with a learned per-head relative bias
 *
 * Position t attends s = s0 .. t, s0 = max(0, t-W+1), n = t - s0 + 1 positions; the weights
 * are stored by u = s - s0 (u = 0..n-1, the relative offset is r = t - s = n-1-u). Per head,
 * k and v are transposed to [hd][rows] so that every inner loop runs along s: long, unit
 * stride, no reduction across the head dimension (which would not vectorise without
 * reassociation). */

size_t attention_scratch_size(int rows, int d, int H, int W)
{
    return 4 * (size_t)(d / H) * (size_t)rows + 4 * (size_t)W;
}

static void transpose_head(real *dst, const real *src, int rows, int d, int hd, int h)
{
    /* dst [hd][rows] <- src[s][h*hd + j] */
    for (int s = 0; s < rows; s++)
        for (int j = 0; j < hd; j++) dst[(size_t)j * rows + s] = src[(size_t)s * d + h * hd + j];
}

TM_HOT
void attention_forward(real *out, real *att, const real *q, const real *k, const real *v,
                       const real *rel_bias, int N, int P, int d, int H, int W, real *scratch)
{
    /* out [N][d], att [H][N][W] (by u), q [N][d], k, v [P+N][d], rel_bias [H][W],
     * scratch: attention_scratch_size(P+N, d, H, W) */
    int hd = d / H, rows = P + N;
    real scale = 1 / R_SQRT((real)hd);
    real *kt = scratch, *rbrev = kt + (size_t)hd * rows;
    for (int h = 0; h < H; h++) {
        transpose_head(kt, k, rows, d, hd, h);
        for (int r = 0; r < W; r++) rbrev[W - 1 - r] = rel_bias[(size_t)h * W + r];
        for (int i = 0; i < N; i++) {
            int t = P + i, s0 = t - W + 1 > 0 ? t - W + 1 : 0, n = t - s0 + 1;
            const real *qi = q + (size_t)i * d + h * hd;
            real *e = att + ((size_t)h * N + i) * W;
            const real *rb = rbrev + (W - n); /* rb[u] = rel_bias[h][n-1-u] */
            for (int u = 0; u < n; u++) e[u] = rb[u];
            for (int j = 0; j < hd; j++) {
                real qj = qi[j] * scale;
                const real *kr = kt + (size_t)j * rows + s0;
                for (int u = 0; u < n; u++) e[u] += qj * kr[u];
            }
            real mx = e[0];
#pragma omp simd reduction(max : mx)
            for (int u = 1; u < n; u++) mx = e[u] > mx ? e[u] : mx;
            real sum = 0;
            for (int u = 0; u < n; u++) e[u] = R_EXPV(e[u] - mx);
#pragma omp simd reduction(+ : sum)
            for (int u = 0; u < n; u++) sum += e[u];
            real inv = 1 / sum;
            for (int u = 0; u < n; u++) e[u] *= inv;
            for (int u = n; u < W; u++) e[u] = 0;
            real *o = out + (size_t)i * d + h * hd;
            for (int j = 0; j < hd; j++) o[j] = 0;
            for (int u = 0; u < n; u++) {
                const real *vs = v + (size_t)(s0 + u) * d + h * hd;
                real pu = e[u];
                for (int j = 0; j < hd; j++) o[j] += pu * vs[j];
            }
        }
    }
}

TM_HOT
static void attention_backward(real *dq, real *dk, real *dv, real *drel_bias, real *scratch,
                               const real *dout, const real *q, const real *k, const real *v,
                               const real *att, int N, int d, int H, int W)
{
    /* one sequence from t = 0 (P = 0). dq, dk, dv [N][d] +=, drel_bias [H][W] +=,
     * dout [N][d], att [H][N][W], scratch: attention_scratch_size(N, d, H, W) */
    int hd = d / H;
    real scale = 1 / R_SQRT((real)hd);
    real *kt = scratch, *vt = kt + (size_t)hd * N, *dkt = vt + (size_t)hd * N;
    real *dvt = dkt + (size_t)hd * N, *dp = dvt + (size_t)hd * N, *de = dp + W;
    real *drbrev = de + W;
    for (int h = 0; h < H; h++) {
        transpose_head(kt, k, N, d, hd, h);
        transpose_head(vt, v, N, d, hd, h);
        memset(dkt, 0, 2 * (size_t)hd * N * sizeof(real));
        memset(drbrev, 0, (size_t)W * sizeof(real));
        for (int t = 0; t < N; t++) {
            int s0 = t - W + 1 > 0 ? t - W + 1 : 0, n = t - s0 + 1;
            const real *a = att + ((size_t)h * N + t) * W;
            const real *go = dout + (size_t)t * d + h * hd;
            const real *qt = q + (size_t)t * d + h * hd;
            real *dqt = dq + (size_t)t * d + h * hd;
            /* o = sum_u a_u v_s:  dp_u = go . v_s;  dv_s += a_u go */
            for (int u = 0; u < n; u++) dp[u] = 0;
            for (int j = 0; j < hd; j++) {
                real gj = go[j];
                const real *vr = vt + (size_t)j * N + s0;
                real *dvr = dvt + (size_t)j * N + s0;
                for (int u = 0; u < n; u++) {
                    dp[u] += gj * vr[u];
                    dvr[u] += gj * a[u];
                }
            }
            /* softmax: de_u = a_u (dp_u - sum_u' a_u' dp_u');  e_u = scale q.k_s + rb[n-1-u] */
            real sum = 0;
#pragma omp simd reduction(+ : sum)
            for (int u = 0; u < n; u++) sum += a[u] * dp[u];
            real *drb = drbrev + (W - n);
            for (int u = 0; u < n; u++) {
                de[u] = a[u] * (dp[u] - sum);
                drb[u] += de[u];
            }
            for (int j = 0; j < hd; j++) {
                const real *kr = kt + (size_t)j * N + s0;
                real *dkr = dkt + (size_t)j * N + s0;
                real qj = qt[j] * scale, acc = 0;
#pragma omp simd reduction(+ : acc)
                for (int u = 0; u < n; u++) {
                    acc += de[u] * kr[u];
                    dkr[u] += qj * de[u];
                }
                dqt[j] += acc * scale;
            }
        }
        for (int s = 0; s < N; s++)
            for (int j = 0; j < hd; j++) {
                dk[(size_t)s * d + h * hd + j] += dkt[(size_t)j * N + s];
                dv[(size_t)s * d + h * hd + j] += dvt[(size_t)j * N + s];
            }
        for (int r = 0; r < W; r++) drel_bias[(size_t)h * W + r] += drbrev[W - 1 - r];
    }
}

/* ------------------------------------------------------------------------------------------ */
/* GELU, tanh approximation: 0.5 x (1 + tanh(c (x + 0.044715 x^3))) */

#define GELU_C 0.7978845608028654

/* tanh(u) = 1 - 2 / (exp(2u) + 1), the form of docs/MODEL.md (much faster than libm tanh) */
static inline real tanh_via_exp(real u)
{
    return 1 - 2 / (R_EXPV(2 * u) + 1);
}

TM_HOT
void gelu_forward(real *out, const real *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        real x = inp[i];
        real u = (real)GELU_C * (x + (real)0.044715 * x * x * x);
        out[i] = (real)0.5 * x * (1 + tanh_via_exp(u));
    }
}

TM_HOT
static void gelu_backward(real *dinp, const real *inp, const real *dout, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        real x = inp[i];
        real u = (real)GELU_C * (x + (real)0.044715 * x * x * x);
        real th = tanh_via_exp(u);
        real du = (real)GELU_C * (1 + (real)(3 * 0.044715) * x * x);
        real g = (real)0.5 * (1 + th) + (real)0.5 * x * (1 - th * th) * du;
        dinp[i] += g * dout[i];
    }
}

/* ------------------------------------------------------------------------------------------ */
/* softmax + cross-entropy */

TM_HOT
void softmax_xent_forward(real *losses, real *logits, const int32_t *targets, int N)
{
    /* losses [N], logits [N][256] -> probabilities, targets [N] (-1 = not scored) or NULL */
    for (int i = 0; i < N; i++) {
        real *z = logits + (size_t)i * TM_VOCAB_OUT;
        int tg = targets ? targets[i] : -1;
        real mx = z[0];
        for (int c = 1; c < TM_VOCAB_OUT; c++) if (z[c] > mx) mx = z[c];
        real zt = tg >= 0 ? z[tg] - mx : 0;
        real sum = 0;
        for (int c = 0; c < TM_VOCAB_OUT; c++) {
            z[c] = R_EXPV(z[c] - mx);
            sum += z[c];
        }
        real inv = 1 / sum;
        for (int c = 0; c < TM_VOCAB_OUT; c++) z[c] *= inv;
        /* -ln p from the logits, accurate for tiny p */
        if (losses) losses[i] = tg >= 0 ? R_LOG(sum) - zt : 0;
    }
}

static void softmax_xent_backward(real *dlogits, const real *probs, const int32_t *targets,
                                  real dloss, int N)
{
    /* dlogits [N][256] +=, d(loss)/d(logit_c) = dloss (p_c - [c == target]) */
    for (int i = 0; i < N; i++) {
        if (targets[i] < 0) continue;
        const real *p = probs + (size_t)i * TM_VOCAB_OUT;
        real *dz = dlogits + (size_t)i * TM_VOCAB_OUT;
        for (int c = 0; c < TM_VOCAB_OUT; c++) dz[c] += dloss * p[c];
        dz[targets[i]] -= dloss;
    }
}

/* ------------------------------------------------------------------------------------------ */
/* the whole model */

static void residual_add(real *out, const real *a, size_t n)
{
    for (size_t i = 0; i < n; i++) out[i] += a[i];
}

static size_t act_sizes(const TrainModelConfig *c, int B, int T, size_t s[TA_COUNT])
{
    size_t L = c->n_layer, BT = (size_t)B * T, d = c->d_model, F = c->d_ff;
    size_t H = c->n_head, W = c->window;
    size_t v[TA_COUNT] = {
        BT * d,                      /* encoded */
        L * BT * d, L * BT,          /* ln1, ln1_rstd */
        L * BT * d, L * BT * d, L * BT * d,   /* q, k, v */
        L * BT * H * W,              /* att */
        L * BT * d, L * BT * d,      /* atty, res2 */
        L * BT * d, L * BT,          /* ln2, ln2_rstd */
        L * BT * F, L * BT * F,      /* fch, fch_gelu */
        L * BT * d,                  /* res3 */
        BT * d, BT,                  /* lnf, lnf_rstd */
        BT * TM_VOCAB_OUT, BT,       /* logits, losses */
    };
    size_t total = 0;
    for (int i = 0; i < TA_COUNT; i++) total += (s[i] = v[i]);
    return total;
}

static void act_point(ActTensors *a, real *mem, const size_t s[TA_COUNT])
{
    real **ptrs[TA_COUNT] = {
        &a->encoded, &a->ln1, &a->ln1_rstd, &a->q, &a->k, &a->v, &a->att, &a->atty,
        &a->res2, &a->ln2, &a->ln2_rstd, &a->fch, &a->fch_gelu, &a->res3, &a->lnf,
        &a->lnf_rstd, &a->logits, &a->losses,
    };
    for (int i = 0; i < TA_COUNT; i++) {
        *ptrs[i] = mem;
        mem += s[i];
    }
}

static int ensure_acts(TrainModel *m, int B, int T)
{
    if (m->acts_mem && m->B == B && m->T == T) return 0;
    free(m->acts_mem);
    free(m->grads_acts_mem);
    free(m->scratch);
    m->n_acts = act_sizes(&m->cfg, B, T, m->act_sizes);
    m->acts_mem = malloc(m->n_acts * sizeof(real));
    m->grads_acts_mem = malloc(m->n_acts * sizeof(real));
    m->scratch = malloc(attention_scratch_size(T, m->cfg.d_model, m->cfg.n_head, m->cfg.window) *
                        sizeof(real));
    if (!m->acts_mem || !m->grads_acts_mem || !m->scratch) {
        free(m->acts_mem);
        free(m->grads_acts_mem);
        free(m->scratch);
        m->acts_mem = m->grads_acts_mem = m->scratch = NULL;
        return -1;
    }
    act_point(&m->acts, m->acts_mem, m->act_sizes);
    act_point(&m->grads_acts, m->grads_acts_mem, m->act_sizes);
    m->B = B;
    m->T = T;
    return 0;
}

double tm_forward(TrainModel *m, const int32_t *tokens, const int32_t *phases,
                  const int32_t *targets, int B, int T)
{
    const TrainModelConfig *c = &m->cfg;
    int L = c->n_layer, d = c->d_model, H = c->n_head, F = c->d_ff, W = c->window;
    int BT = B * T;
    float eps = c->norm_eps;
    if (ensure_acts(m, B, T)) abort();
    ParamTensors *p = &m->params;
    ActTensors *a = &m->acts;

    encoder_forward(a->encoded, tokens, phases, p->tok_emb, p->phase_emb, BT, d);
    for (int l = 0; l < L; l++) {
        const real *h_in = l == 0 ? a->encoded : a->res3 + (size_t)(l - 1) * BT * d;
        size_t od = (size_t)l * BT * d, of = (size_t)l * BT * F, on = (size_t)l * BT;
        size_t dd = (size_t)d * d;
        real *ln1 = a->ln1 + od, *q = a->q + od, *k = a->k + od, *v = a->v + od;
        real *att = a->att + (size_t)l * BT * H * W, *atty = a->atty + od, *res2 = a->res2 + od;
        real *ln2 = a->ln2 + od, *fch = a->fch + of, *fcg = a->fch_gelu + of;
        real *res3 = a->res3 + od;

        rmsnorm_forward(ln1, a->ln1_rstd + on, h_in, p->attn_norm + (size_t)l * d, BT, d, eps);
        matmul_forward(q, ln1, p->wq + l * dd, NULL, BT, d, d, 0);
        matmul_forward(k, ln1, p->wk + l * dd, NULL, BT, d, d, 0);
        matmul_forward(v, ln1, p->wv + l * dd, NULL, BT, d, d, 0);
        for (int b = 0; b < B; b++) {
            size_t ob = (size_t)b * T * d;
            attention_forward(atty + ob, att + (size_t)b * H * T * W, q + ob, k + ob, v + ob,
                              p->rel_bias + (size_t)l * H * W, T, 0, d, H, W, m->scratch);
        }
        memcpy(res2, h_in, (size_t)BT * d * sizeof(real));
        matmul_forward(res2, atty, p->wo + l * dd, NULL, BT, d, d, 1);
        rmsnorm_forward(ln2, a->ln2_rstd + on, res2, p->ffn_norm + (size_t)l * d, BT, d, eps);
        matmul_forward(fch, ln2, p->w1 + (size_t)l * d * F, NULL, BT, d, F, 0);
        gelu_forward(fcg, fch, (size_t)BT * F);
        memcpy(res3, res2, (size_t)BT * d * sizeof(real));
        matmul_forward(res3, fcg, p->w2 + (size_t)l * F * d, NULL, BT, F, d, 1);
    }
    const real *h_last = a->res3 + (size_t)(L - 1) * BT * d;
    rmsnorm_forward(a->lnf, a->lnf_rstd, h_last, p->out_norm, BT, d, eps);
    matmul_forward(a->logits, a->lnf, p->out_w, p->out_b, BT, d, TM_VOCAB_OUT, 0);
    softmax_xent_forward(a->losses, a->logits, targets, BT);

    m->targets = targets;
    m->n_scored = 0;
    double sum = 0;
    if (targets) {
        for (int i = 0; i < BT; i++) {
            if (targets[i] >= 0) {
                sum += a->losses[i];
                m->n_scored++;
            }
        }
    }
    m->mean_loss = m->n_scored ? sum / m->n_scored : 0;
    return m->mean_loss;
}

void tm_zero_grad(TrainModel *m)
{
    memset(m->grads_mem, 0, m->n_params * sizeof(real));
}

void tm_backward(TrainModel *m, const int32_t *tokens, const int32_t *phases)
{
    const TrainModelConfig *c = &m->cfg;
    int L = c->n_layer, d = c->d_model, H = c->n_head, F = c->d_ff, W = c->window;
    int B = m->B, T = m->T, BT = B * T;
    ParamTensors *p = &m->params, *g = &m->grads;
    ActTensors *a = &m->acts, *ga = &m->grads_acts;
    if (!m->targets || !m->n_scored) return;
    memset(m->grads_acts_mem, 0, m->n_acts * sizeof(real));

    softmax_xent_backward(ga->logits, a->logits, m->targets, (real)(1.0 / m->n_scored), BT);
    matmul_backward(ga->lnf, g->out_w, g->out_b, ga->logits, a->lnf, p->out_w, BT, d,
                    TM_VOCAB_OUT);
    const real *h_last = a->res3 + (size_t)(L - 1) * BT * d;
    real *dh_last = ga->res3 + (size_t)(L - 1) * BT * d;
    rmsnorm_backward(dh_last, g->out_norm, ga->lnf, h_last, p->out_norm, a->lnf_rstd, BT, d);

    for (int l = L - 1; l >= 0; l--) {
        const real *h_in = l == 0 ? a->encoded : a->res3 + (size_t)(l - 1) * BT * d;
        real *dh_in = l == 0 ? ga->encoded : ga->res3 + (size_t)(l - 1) * BT * d;
        size_t od = (size_t)l * BT * d, of = (size_t)l * BT * F, on = (size_t)l * BT;
        size_t dd = (size_t)d * d, oatt = (size_t)l * BT * H * W;
        real *dres3 = ga->res3 + od, *dres2 = ga->res2 + od;

        /* res3 = res2 + gelu(ln2 . w1) . w2 */
        residual_add(dres2, dres3, (size_t)BT * d);
        matmul_backward(ga->fch_gelu + of, g->w2 + (size_t)l * F * d, NULL, dres3,
                        a->fch_gelu + of, p->w2 + (size_t)l * F * d, BT, F, d);
        gelu_backward(ga->fch + of, a->fch + of, ga->fch_gelu + of, (size_t)BT * F);
        matmul_backward(ga->ln2 + od, g->w1 + (size_t)l * d * F, NULL, ga->fch + of,
                        a->ln2 + od, p->w1 + (size_t)l * d * F, BT, d, F);
        rmsnorm_backward(dres2, g->ffn_norm + (size_t)l * d, ga->ln2 + od, a->res2 + od,
                         p->ffn_norm + (size_t)l * d, a->ln2_rstd + on, BT, d);
        /* res2 = h_in + attention(ln1) . wo */
        residual_add(dh_in, dres2, (size_t)BT * d);
        matmul_backward(ga->atty + od, g->wo + l * dd, NULL, dres2, a->atty + od,
                        p->wo + l * dd, BT, d, d);
        for (int b = 0; b < B; b++) {
            size_t ob = od + (size_t)b * T * d, oa = oatt + (size_t)b * H * T * W;
            attention_backward(ga->q + ob, ga->k + ob, ga->v + ob,
                               g->rel_bias + (size_t)l * H * W, m->scratch, ga->atty + ob,
                               a->q + ob, a->k + ob, a->v + ob, a->att + oa, T, d, H, W);
        }
        matmul_backward(ga->ln1 + od, g->wq + l * dd, NULL, ga->q + od, a->ln1 + od,
                        p->wq + l * dd, BT, d, d);
        matmul_backward(ga->ln1 + od, g->wk + l * dd, NULL, ga->k + od, a->ln1 + od,
                        p->wk + l * dd, BT, d, d);
        matmul_backward(ga->ln1 + od, g->wv + l * dd, NULL, ga->v + od, a->ln1 + od,
                        p->wv + l * dd, BT, d, d);
        rmsnorm_backward(dh_in, g->attn_norm + (size_t)l * d, ga->ln1 + od, h_in,
                         p->attn_norm + (size_t)l * d, a->ln1_rstd + on, BT, d);
    }
    encoder_backward(g->tok_emb, g->phase_emb, ga->encoded, tokens, phases, BT, d);
}

/* ------------------------------------------------------------------------------------------ */
/* optimiser */

double tm_grad_norm(const TrainModel *m)
{
    double ss = 0;
    for (size_t i = 0; i < m->n_params; i++) ss += (double)m->grads_mem[i] * m->grads_mem[i];
    return sqrt(ss);
}

void tm_adamw_update(TrainModel *m, const AdamWParams *o, double lr, double grad_scale,
                     long step)
{
    /* step counts from 1; weight decay only on the matrices (ParamInfo.decay) */
    ParamInfo info[TP_COUNT];
    tm_param_info(&m->cfg, info);
    double bc1 = 1 - pow(o->beta1, (double)step), bc2 = 1 - pow(o->beta2, (double)step);
    real b1 = (real)o->beta1, b2 = (real)o->beta2, gs = (real)grad_scale;
    real *p = m->params_mem, *g = m->grads_mem, *mm = m->m_mem, *vv = m->v_mem;
    size_t off = 0;
    for (int t = 0; t < TP_COUNT; t++) {
        real wd = info[t].decay ? (real)o->weight_decay : 0;
        real lr_r = (real)lr, ibc1 = (real)(1 / bc1), ibc2 = (real)(1 / bc2);
        real eps = (real)o->eps;
        for (size_t i = off; i < off + m->param_sizes[t]; i++) {
            real gi = g[i] * gs;
            mm[i] = b1 * mm[i] + (1 - b1) * gi;
            vv[i] = b2 * vv[i] + (1 - b2) * gi * gi;
            real mh = mm[i] * ibc1, vh = vv[i] * ibc2;
            p[i] -= lr_r * (mh / (R_SQRT(vh) + eps) + wd * p[i]);
        }
        off += m->param_sizes[t];
    }
}
