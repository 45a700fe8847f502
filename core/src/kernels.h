/*
 * Compute kernels of the normative inference path, with a plain C reference and
 * SIMD versions picked at run time. Every version gives the same bits (docs/MODEL.md §2).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How they stay exact: SIMD lanes only ever hold independent outputs (columns of a
 * matrix product, attention positions, rows); every sum runs over its index in the
 * written order inside one lane, with a separate multiply and add (no FMA).
 * Element-wise operations (x + y, x * y, x / y) are exact in any width, so model.c
 * leaves them to plain C loops.
 */
#ifndef BYTELM_KERNELS_H
#define BYTELM_KERNELS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fpenv.h"

enum {
    BLM_SIMD_C = 0,
    BLM_SIMD_SSE2 = 1,
    BLM_SIMD_AVX2 = 2,       /* AVX2 without FMA */
    BLM_SIMD_AVX512 = 3,     /* AVX-512F without FMA */
    BLM_SIMD_COUNT
};

typedef struct BlmKernels {
    const char *name;        /* "c", "sse2", "avx2", "avx512" */
    int level;

    /* y[r][n] = sum over k of x[r][k] * w[k][n]  (sequential in k from +0.0f)
     * x: [rows][K], w: [K][N], y: [rows][N], all row-major and dense. */
    void (*matmul)(float *y, const float *x, int rows, int K, const float *w, int N);

    /* y[i] = blm_exp(x[i] - m); y may equal x. */
    void (*exp_shift)(float *y, const float *x, float m, int n);

    /* y[i] = blm_gelu(x[i]); y may equal x. */
    void (*gelu)(float *y, const float *x, int n);

    /* Largest of x[0..n-1], NaNs skipped: m = -inf; if (x[i] > m) m = x[i].
     * (Which zero comes back for a +0/-0 tie may vary; no caller can tell.) */
    float (*max)(const float *x, int n);

    /* y[r] = rmsnorm(x[r], g) of §2 for r < rows; rows of d floats. */
    void (*rmsnorm)(float *y, const float *x, const float *g, int rows, int d, float eps);

    /* Attention scores of one head over n consecutive cached positions:
     * e[s] = (sum over i < hd of q[i] * kT[i * ldk + s]) * scale + bias[s]. */
    void (*attn_scores)(float *e, const float *q, const float *kT, ptrdiff_t ldk, int n,
                        int hd, float scale, const float *bias);

    /* Weighted sum of the cached values, all heads at once:
     * o[h*hd + i] = sum over s < n of w[h*ldw + s] * v[s*ldv + h*hd + i]
     * (sequential in s from +0.0f), h < H, i < hd. */
    void (*attn_wsum)(float *o, const float *w, int ldw, const float *v, ptrdiff_t ldv,
                      int n, int H, int hd);

    /* One layer of the small networks (docs/MODEL.md §14, §15), w input-major [K][N]:
     * y[n] = b[n] + sum over k of x[k] * w[k][n], from b[n] in increasing k; then
     * y[n] = y[n] > 0 ? y[n] : 0 where relu. K <= BLM_AFFINE_MAX_K; y may not alias x.
     * Inputs equal to zero are skipped (after ReLU about half are): that leaves every
     * sum's bits as written provided no b[n] is -0.0f, since a float32 sum is -0 only
     * when both its terms are, and x + (+-0) == x for every other x. */
    void (*affine)(float *y, const float *b, const float *x, int K, const float *w, int N,
                   int relu);

    /* g[k][n] = g[k][n] + a[k] * b[n] for every k with a[k] != 0: a gradient summed
     * outer product by outer product. Element-wise, so every width gives the same bits;
     * the left-out k change nothing where no g is -0 (affine's argument). K <=
     * BLM_AFFINE_MAX_K. */
    void (*outer_acc)(float *g, const float *a, int K, const float *b, int N);

    /* Float64, for the sample and pixel predictors (docs/MODEL.md §9). */

    /* The dot product of the normative order: a[i] * x[i] summed in four lanes over
     * i mod 4, each from +0.0 in increasing i, then (l0 + l1) + (l2 + l3); and into
     * *power, in the same order, the sum of t[i] * (x[i] * x[i]). Two independent
     * chains, run side by side. n a multiple of 4. */
    double (*dot4_power)(const double *a, const double *x, const double *t, int n,
                         double *power);

    /* y[i] = y[i] + a * x[i]; y and x do not overlap. Element-wise. */
    void (*axpy_f64)(double *y, double a, const double *x, int n);

    /* The least-squares stage's forgetting update (ols.c) for rows j < n: with
     * f = ff * x[j], r[j * ld + i] = lambda * r[j * ld + i] + f * x[i] for i <= j,
     * and b[j] = lambda * b[j] + f * val. Element-wise; r, b and x do not overlap. */
    void (*ols_accumulate)(double *r, int ld, double *b, const double *x, int n,
                           double lambda, double ff, double val);
} BlmKernels;

#define BLM_AFFINE_MAX_K 256

/* The indices k < n with x[k] != +-0, in increasing order, into idx; their count.
 * An integer test with no branch (after ReLU, half the inputs are zero, in no pattern
 * a predictor could follow) and no NaN case: affine and outer_acc skip these inputs. */
static inline int blm_nonzero_indices(const float *x, int n, int *idx)
{
    int m = 0;
    for (int k = 0; k < n; k++) {
        uint32_t bits;
        memcpy(&bits, &x[k], sizeof bits);
        idx[m] = k;
        m += (bits << 1) != 0;
    }
    return m;
}

/* The table in use: the best level this CPU has, capped by the environment
 * variable BYTELM_SIMD=c|sse2|avx2|avx512 (read once; AVX-512 runs only when named,
 * see kernels.c). Thread-safe. */
const BlmKernels *blm_kernels(void);
/* Name of that level, e.g. "avx2". */
const char *blm_kernels_name(void);
/* The table of one level, or NULL if this build or CPU lacks it (for tests). */
const BlmKernels *blm_kernels_get(int level);

/* The float64 kernels' C versions, which the SSE2 table shares (compiled for
 * x86-64's baseline, the compiler vectorises them with SSE2 as written). */
double blm_dot4_power_c(const double *a, const double *x, const double *t, int n, double *power);
void blm_axpy_f64_c(double *y, double a, const double *x, int n);
void blm_ols_accumulate_c(double *r, int ld, double *b, const double *x, int n, double lambda,
                          double ff, double val);

/* The per-level tables (kernels_c.c, kernels_x86.c). */
extern const BlmKernels blm_kernels_c;
#if defined(__x86_64__)
extern const BlmKernels blm_kernels_sse2;
extern const BlmKernels blm_kernels_avx2;
extern const BlmKernels blm_kernels_avx512;
#endif

#endif
