/*
 * The plain C reference kernels: the definition every SIMD version must match bit
 * for bit (tests/test_kernels.c). Written for clarity, not speed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>

#include "kernels.h"
#include "mathfn.h"

static void matmul_c(float *y, const float *x, int rows, int K, const float *w, int N)
{
    for (int r = 0; r < rows; r++)
        for (int n = 0; n < N; n++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++)
                acc = acc + x[(size_t)r * K + k] * w[(size_t)k * N + n];
            y[(size_t)r * N + n] = acc;
        }
}

static void exp_shift_c(float *y, const float *x, float m, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = blm_exp(x[i] - m);
}

static void gelu_c(float *y, const float *x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = blm_gelu(x[i]);
}

static float max_c(const float *x, int n)
{
    float m = -INFINITY;
    for (int i = 0; i < n; i++)
        if (x[i] > m)
            m = x[i];
    return m;
}

static void rmsnorm_c(float *y, const float *x, const float *g, int rows, int d, float eps)
{
    for (int r = 0; r < rows; r++, x += d, y += d) {
        float ss = 0.0f;
        for (int i = 0; i < d; i++)
            ss = ss + x[i] * x[i];
        float rs = 1.0f / sqrtf(ss / (float)d + eps);
        for (int i = 0; i < d; i++)
            y[i] = (x[i] * rs) * g[i];
    }
}

static void attn_scores_c(float *e, const float *q, const float *kT, ptrdiff_t ldk, int n,
                          int hd, float scale, const float *bias)
{
    for (int s = 0; s < n; s++) {
        float acc = 0.0f;
        for (int i = 0; i < hd; i++)
            acc = acc + q[i] * kT[i * ldk + s];
        e[s] = acc * scale + bias[s];
    }
}

static void attn_wsum_c(float *o, const float *w, int ldw, const float *v, ptrdiff_t ldv,
                        int n, int H, int hd)
{
    for (int h = 0; h < H; h++)
        for (int i = 0; i < hd; i++) {
            float acc = 0.0f;
            for (int s = 0; s < n; s++)
                acc = acc + w[h * ldw + s] * v[s * ldv + h * hd + i];
            o[h * hd + i] = acc;
        }
}

static void affine_c(float *y, const float *b, const float *x, int K, const float *w, int N, int relu)
{
    int nonzero[BLM_AFFINE_MAX_K];
    const int m = blm_nonzero_indices(x, K, nonzero);
    for (int n = 0; n < N; n++)
        y[n] = b[n];
    for (int i = 0; i < m; i++) {
        const int k = nonzero[i];
        const float xk = x[k];
        for (int n = 0; n < N; n++)
            y[n] = y[n] + xk * w[(size_t)k * N + n];
    }
    if (relu)
        for (int n = 0; n < N; n++)
            y[n] = y[n] > 0.0f ? y[n] : 0.0f;
}

static void outer_acc_c(float *g, const float *a, int K, const float *b, int N)
{
    int nonzero[BLM_AFFINE_MAX_K];
    const int m = blm_nonzero_indices(a, K, nonzero);
    for (int i = 0; i < m; i++) {
        const int k = nonzero[i];
        for (int n = 0; n < N; n++)
            g[(size_t)k * N + n] = g[(size_t)k * N + n] + a[k] * b[n];
    }
}

double blm_dot4_power_c(const double *a, const double *x, const double *t, int n, double *power)
{
    double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
    double p0 = 0, p1 = 0, p2 = 0, p3 = 0;
    for (int i = 0; i < n; i += 4) {
        l0 += a[i] * x[i];
        l1 += a[i + 1] * x[i + 1];
        l2 += a[i + 2] * x[i + 2];
        l3 += a[i + 3] * x[i + 3];
        p0 += t[i] * (x[i] * x[i]);
        p1 += t[i + 1] * (x[i + 1] * x[i + 1]);
        p2 += t[i + 2] * (x[i + 2] * x[i + 2]);
        p3 += t[i + 3] * (x[i + 3] * x[i + 3]);
    }
    *power = (p0 + p1) + (p2 + p3);
    return (l0 + l1) + (l2 + l3);
}

void blm_axpy_f64_c(double *restrict y, double a, const double *restrict x, int n)
{
    for (int i = 0; i < n; i++)
        y[i] = y[i] + a * x[i];
}

void blm_ols_accumulate_c(double *restrict r, int ld, double *restrict b,
                          const double *restrict x, int n, double lambda, double ff, double val)
{
    for (int j = 0; j < n; j++) {
        const double f = ff * x[j];
        double *restrict row = r + (size_t)j * (size_t)ld;
        for (int i = 0; i <= j; i++)
            row[i] = lambda * row[i] + f * x[i];
        b[j] = lambda * b[j] + f * val;
    }
}

const BlmKernels blm_kernels_c = {
    .name = "c",
    .level = BLM_SIMD_C,
    .matmul = matmul_c,
    .exp_shift = exp_shift_c,
    .gelu = gelu_c,
    .max = max_c,
    .rmsnorm = rmsnorm_c,
    .attn_scores = attn_scores_c,
    .attn_wsum = attn_wsum_c,
    .affine = affine_c,
    .outer_acc = outer_acc_c,
    .dot4_power = blm_dot4_power_c,
    .axpy_f64 = blm_axpy_f64_c,
    .ols_accumulate = blm_ols_accumulate_c,
};
