/*
 * checkasm-style test of the SIMD kernels: every kernel of every level this CPU has
 * against the C reference, outputs compared bit for bit, on random inputs that
 * include denormals, signed zeros, huge values, inf and NaN, and awkward sizes.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"
#include "mathfn.h"
#include "ols.h"
#include "pcmnet_weights.h"
#include "pixelnet_rgb_weights.h"
#include "pixelnet_weights.h"

static int n_pass, n_fail;
static uint64_t rng_state = 0x243F6A8885A308D3ull;

static uint32_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state >> 16);
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* Mostly ordinary values of a given scale, sometimes the nasty ones. `nan_ok`
 * allows NaN and inf. */
static float rnd_float(float scale, int nan_ok)
{
    uint32_t k = rnd() % 64;
    switch (k) {
    case 0: return 0.0f;
    case 1: return -0.0f;
    case 2: return bits_float(rnd() & 0x807fffffu);            /* denormal */
    case 3: return bits_float((rnd() & 0x800fffffu) | 1);      /* tiny denormal */
    case 4: return (rnd() & 1 ? 1 : -1) * 1e30f;
    case 5: return bits_float(rnd() & 0x80ffffffu);            /* near FLT_MIN */
    case 6: return nan_ok ? NAN : 1.0f;
    case 7: return nan_ok ? (rnd() & 1 ? INFINITY : -INFINITY) : -1.0f;
    case 8: return (rnd() & 1 ? 1 : -1) * (86.0f + (float)(rnd() % 4096) / 1024.0f);
    default:
        return scale * ((float)(int32_t)(rnd() & 0xffffff) / 8388608.0f - 1.0f);
    }
}

static void fill(float *x, size_t n, float scale, int nan_ok)
{
    for (size_t i = 0; i < n; i++)
        x[i] = rnd_float(scale, nan_ok);
}

/* Bitwise equal, or both NaN (NaN payloads are not part of the contract). */
static int same(const float *a, const float *b, size_t n, size_t *where)
{
    for (size_t i = 0; i < n; i++)
        if (float_bits(a[i]) != float_bits(b[i]) && !(isnan(a[i]) && isnan(b[i]))) {
            *where = i;
            return 0;
        }
    return 1;
}

static void report(const char *kernel, const BlmKernels *k, int ok, const char *detail)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s %s: %s\n", kernel, k->name, detail);
    }
}

/* Random buffers with guard space, so over-reads hit initialised memory and
 * over-writes are caught. */
#define GUARD 64
static float *buf(size_t n)
{
    float *p = malloc((n + 2 * GUARD) * sizeof(float));
    if (!p)
        abort();
    for (size_t i = 0; i < n + 2 * GUARD; i++)
        p[i] = bits_float(0x7fc0dead);
    return p + GUARD;
}

static void unbuf(float *p)
{
    free(p - GUARD);
}

static int guards_intact(const float *p, size_t n)
{
    for (size_t i = 0; i < GUARD; i++)
        if (float_bits(p[-1 - (long)i]) != 0x7fc0dead || float_bits(p[n + i]) != 0x7fc0dead)
            return 0;
    return 1;
}

static void test_matmul(const BlmKernels *k)
{
    static const int rows_[] = { 1, 2, 3, 4, 5, 7, 8, 13, 64 };
    static const int ks[] = { 1, 3, 8, 16, 64, 67, 256 };
    static const int ns[] = { 1, 5, 8, 16, 24, 40, 64, 72, 192, 256, 259 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[128] = "";
    for (size_t a = 0; a < sizeof rows_ / sizeof *rows_ && ok; a++)
        for (size_t b = 0; b < sizeof ks / sizeof *ks && ok; b++)
            for (size_t e = 0; e < sizeof ns / sizeof *ns && ok; e++) {
                int R = rows_[a], K = ks[b], N = ns[e];
                if ((size_t)R * K * N > 64 * 64 * 256)
                    continue;
                int nan_ok = (a + b + e) % 3 == 0;
                float *x = buf((size_t)R * K), *w = buf((size_t)K * N);
                float *y0 = buf((size_t)R * N), *y1 = buf((size_t)R * N);
                fill(x, (size_t)R * K, 2.0f, nan_ok);
                fill(w, (size_t)K * N, 0.5f, nan_ok);
                c->matmul(y0, x, R, K, w, N);
                k->matmul(y1, x, R, K, w, N);
                size_t at = 0;
                if (!same(y0, y1, (size_t)R * N, &at) || !guards_intact(y1, (size_t)R * N)) {
                    ok = 0;
                    snprintf(detail, sizeof detail, "rows %d K %d N %d", R, K, N);
                }
                unbuf(x); unbuf(w); unbuf(y0); unbuf(y1);
            }
    report("matmul", k, ok, detail);
}

/* Inputs with runs of zeros of either sign, as after ReLU, so that the skipping of
 * zero inputs meets every position in a SIMD block. */
static void fill_sparse(float *x, int n, int nan_ok)
{
    for (int i = 0; i < n; i++)
        x[i] = rnd() % 3 == 0 ? rnd_float(2.0f, nan_ok) : (rnd() & 1 ? 0.0f : -0.0f);
}

static void test_affine(const BlmKernels *k)
{
    static const int ks[] = { 1, 7, 25, 28, 64, 65, 256 };
    static const int ns[] = { 1, 5, 8, 9, 16, 33, 64, 72, 130 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[128] = "";
    for (size_t b = 0; b < sizeof ks / sizeof *ks && ok; b++)
        for (size_t e = 0; e < sizeof ns / sizeof *ns && ok; e++)
            for (int relu = 0; relu < 2 && ok; relu++) {
                int K = ks[b], N = ns[e];
                int nan_ok = (b + e) % 3 == 0;
                float *x = buf((size_t)K), *w = buf((size_t)K * N), *bias = buf((size_t)N);
                float *y0 = buf((size_t)N), *y1 = buf((size_t)N);
                if ((b + e) % 2)
                    fill(x, (size_t)K, 2.0f, nan_ok);
                else
                    fill_sparse(x, K, nan_ok);
                fill(w, (size_t)K * N, 0.5f, nan_ok);
                fill(bias, (size_t)N, 0.5f, nan_ok);
                c->affine(y0, bias, x, K, w, N, relu);
                k->affine(y1, bias, x, K, w, N, relu);
                size_t at = 0;
                if (!same(y0, y1, (size_t)N, &at) || !guards_intact(y1, (size_t)N)) {
                    ok = 0;
                    snprintf(detail, sizeof detail, "K %d N %d relu %d", K, N, relu);
                }
                unbuf(x); unbuf(w); unbuf(bias); unbuf(y0); unbuf(y1);
            }
    report("affine", k, ok, detail);
}

static void test_outer_acc(const BlmKernels *k)
{
    static const int ks[] = { 1, 9, 28, 64 };
    static const int ns[] = { 1, 7, 9, 16, 64, 67 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[128] = "";
    for (size_t b = 0; b < sizeof ks / sizeof *ks && ok; b++)
        for (size_t e = 0; e < sizeof ns / sizeof *ns && ok; e++) {
            int K = ks[b], N = ns[e];
            int nan_ok = (b + e) % 3 == 0;
            float *a = buf((size_t)K), *v = buf((size_t)N);
            float *g0 = buf((size_t)K * N), *g1 = buf((size_t)K * N);
            fill(g0, (size_t)K * N, 1.0f, nan_ok);
            memcpy(g1, g0, (size_t)K * N * sizeof(float));
            for (int step = 0; step < 3; step++) {
                fill_sparse(a, K, nan_ok);
                fill(v, (size_t)N, 2.0f, nan_ok);
                c->outer_acc(g0, a, K, v, N);
                k->outer_acc(g1, a, K, v, N);
            }
            size_t at = 0;
            if (!same(g0, g1, (size_t)K * N, &at) || !guards_intact(g1, (size_t)K * N)) {
                ok = 0;
                snprintf(detail, sizeof detail, "K %d N %d", K, N);
            }
            unbuf(a); unbuf(v); unbuf(g0); unbuf(g1);
        }
    report("outer_acc", k, ok, detail);
}

/* The reference affine, which skips zero inputs, against the sum of every term as
 * docs/MODEL.md §14 writes it: equal bits whenever the weights are finite and no bias
 * is -0 (kernels.h). A -0 bias is where they part, which the test also pins down. */
static int affine_matches_every_term(void)
{
    const BlmKernels *c = &blm_kernels_c;
    enum { K = 64, N = 9 };
    static float x[K], w[K * N], bias[N], y[N];
    int ok = 1;
    for (int trial = 0; trial < 2000; trial++) {
        fill_sparse(x, K, trial % 2);
        fill(w, (size_t)K * N, 0.5f, 0);
        fill(bias, N, 0.5f, 0);
        for (int n = 0; n < N; n++)
            if (float_bits(bias[n]) == 0x80000000u)
                bias[n] = 0.0f;
        if (trial % 3 == 0)
            for (int n = 0; n < N; n++)
                bias[n] = 0.0f;
        const int relu = trial % 4 == 1;
        c->affine(y, bias, x, K, w, N, relu);
        for (int n = 0; n < N; n++) {
            float acc = bias[n];
            for (int i = 0; i < K; i++)
                acc = acc + x[i] * w[i * N + n];
            if (relu)
                acc = acc > 0.0f ? acc : 0.0f;
            ok &= float_bits(acc) == float_bits(y[n]) || (isnan(acc) && isnan(y[n]));
        }
    }
    /* -0 + (+0) is +0: every term gives +0 here, a skipped one leaves the -0 */
    float one_x = 0.0f, one_w = 1.0f, minus_zero = -0.0f, out;
    c->affine(&out, &minus_zero, &one_x, 1, &one_w, 1, 0);
    ok &= float_bits(out) == 0x80000000u;
    return ok;
}

static int finite_and_no_minus_zero(const float *v, size_t n, int biases)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]) || (biases && float_bits(v[i]) == 0x80000000u))
            return 0;
    return 1;
}

/* What affine's skipping of zero inputs needs of the built-in networks (kernels.h):
 * finite weights and no bias of -0. The adapting layer of §14 keeps it, because a
 * difference b - s is -0 only when b is. */
static void test_network_weights(void)
{
#define LAYER(w, b) (finite_and_no_minus_zero(w, sizeof w / sizeof *w, 0) && \
                     finite_and_no_minus_zero(b, sizeof b / sizeof *b, 1))
    int ok = LAYER(pxn_w1, pxn_b1) && LAYER(pxn_w2, pxn_b2) && LAYER(pxn_w3, pxn_b3) &&
             LAYER(pxr_w1, pxr_b1) && LAYER(pxr_w2, pxr_b2) && LAYER(pxr_w3, pxr_b3) &&
             LAYER(pcn_w1, pcn_b1) && LAYER(pcn_w2, pcn_b2) && LAYER(pcn_w3, pcn_b3);
#undef LAYER
    report("network weights", &blm_kernels_c, ok, "a weight not finite or a bias of -0");
}

static void test_elementwise(const BlmKernels *k)
{
    const BlmKernels *c = &blm_kernels_c;
    int ok_exp = 1, ok_gelu = 1, ok_max = 1;
    char d1[64] = "", d2[64] = "", d3[64] = "";
    for (int n = 0; n <= 300; n += 1 + n / 16) {
        for (int rep = 0; rep < 4; rep++) {
            float scale = rep == 0 ? 1.0f : rep == 1 ? 10.0f : rep == 2 ? 100.0f : 1e-38f;
            float *x = buf((size_t)n), *y0 = buf((size_t)n), *y1 = buf((size_t)n);
            fill(x, (size_t)n, scale, rep & 1);
            size_t at = 0;
            float m = rnd_float(4.0f, rep == 3);
            c->exp_shift(y0, x, m, n);
            k->exp_shift(y1, x, m, n);
            if (!same(y0, y1, (size_t)n, &at) || !guards_intact(y1, (size_t)n)) {
                ok_exp = 0;
                snprintf(d1, sizeof d1, "n %d x %a m %a", n, (double)x[at], (double)m);
            }
            memcpy(y1, x, (size_t)n * sizeof *x);
            k->exp_shift(y1, y1, m, n);                     /* in place */
            if (!same(y0, y1, (size_t)n, &at))
                ok_exp = 0;

            c->gelu(y0, x, n);
            k->gelu(y1, x, n);
            if (!same(y0, y1, (size_t)n, &at) || !guards_intact(y1, (size_t)n)) {
                ok_gelu = 0;
                snprintf(d2, sizeof d2, "n %d x %a", n, (double)x[at]);
            }

            float m0 = c->max(x, n), m1 = k->max(x, n);
            if (!(m0 == m1 || (isnan(m0) && isnan(m1)))) {
                ok_max = 0;
                snprintf(d3, sizeof d3, "n %d: %a vs %a", n, (double)m0, (double)m1);
            }
            unbuf(x); unbuf(y0); unbuf(y1);
        }
    }
    report("exp_shift", k, ok_exp, d1);
    report("gelu", k, ok_gelu, d2);
    report("max", k, ok_max, d3);
}

static void test_rmsnorm(const BlmKernels *k)
{
    static const int ds[] = { 8, 16, 24, 40, 64, 72, 256 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[64] = "";
    for (int rows = 1; rows <= 11; rows++)
        for (size_t j = 0; j < sizeof ds / sizeof *ds; j++) {
            int d = ds[j];
            float *x = buf((size_t)rows * d), *g = buf((size_t)d);
            float *y0 = buf((size_t)rows * d), *y1 = buf((size_t)rows * d);
            fill(x, (size_t)rows * d, rows % 3 ? 3.0f : 1e-20f, rows == 7);
            fill(g, (size_t)d, 1.0f, 0);
            float eps = rows % 2 ? 1e-5f : 0.0f;
            c->rmsnorm(y0, x, g, rows, d, eps);
            k->rmsnorm(y1, x, g, rows, d, eps);
            size_t at = 0;
            if (!same(y0, y1, (size_t)rows * d, &at) || !guards_intact(y1, (size_t)rows * d)) {
                ok = 0;
                snprintf(detail, sizeof detail, "rows %d d %d", rows, d);
            }
            unbuf(x); unbuf(g); unbuf(y0); unbuf(y1);
        }
    report("rmsnorm", k, ok, detail);
}

static void test_attn_scores(const BlmKernels *k)
{
    static const int hds[] = { 1, 3, 4, 8, 12, 16, 32, 64 };
    static const int ns[] = { 1, 2, 7, 8, 15, 16, 17, 33, 63, 64, 65, 127, 128, 129, 200, 300 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[64] = "";
    for (size_t a = 0; a < sizeof hds / sizeof *hds; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++) {
            int hd = hds[a], n = ns[b];
            ptrdiff_t ldk = n + (ptrdiff_t)(rnd() % 40);
            float *q = buf((size_t)hd), *kT = buf((size_t)hd * ldk), *bias = buf((size_t)n);
            float *e0 = buf((size_t)n), *e1 = buf((size_t)n);
            int nan_ok = (a + b) % 4 == 0;
            fill(q, (size_t)hd, 2.0f, nan_ok);
            fill(kT, (size_t)hd * ldk, 2.0f, nan_ok);
            fill(bias, (size_t)n, 1.0f, 0);
            float scale = 1.0f / sqrtf((float)hd);
            c->attn_scores(e0, q, kT, ldk, n, hd, scale, bias);
            k->attn_scores(e1, q, kT, ldk, n, hd, scale, bias);
            size_t at = 0;
            if (!same(e0, e1, (size_t)n, &at) || !guards_intact(e1, (size_t)n)) {
                ok = 0;
                snprintf(detail, sizeof detail, "hd %d n %d", hd, n);
            }
            unbuf(q); unbuf(kT); unbuf(bias); unbuf(e0); unbuf(e1);
        }
    report("attn_scores", k, ok, detail);
}

static void test_attn_wsum(const BlmKernels *k)
{
    static const int shapes[][2] = { { 4, 16 }, { 2, 8 }, { 1, 64 }, { 8, 8 }, { 3, 12 },
                                     { 2, 4 }, { 16, 16 }, { 2, 32 }, { 5, 3 }, { 1, 8 },
                                     { 6, 16 }, { 32, 32 } };
    static const int ns[] = { 1, 2, 5, 16, 17, 64, 128, 129 };
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    char detail[64] = "";
    for (size_t a = 0; a < sizeof shapes / sizeof *shapes; a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns; b++) {
            int H = shapes[a][0], hd = shapes[a][1], n = ns[b], d = H * hd;
            int ldw = n + (int)(rnd() % 9);
            ptrdiff_t ldv = d + (ptrdiff_t)(rnd() % 3) * 8;
            float *w = buf((size_t)H * ldw), *v = buf((size_t)n * ldv);
            float *o0 = buf((size_t)d), *o1 = buf((size_t)d);
            int nan_ok = (a + b) % 5 == 0;
            fill(w, (size_t)H * ldw, 1.0f, nan_ok);
            fill(v, (size_t)n * ldv, 3.0f, nan_ok);
            c->attn_wsum(o0, w, ldw, v, ldv, n, H, hd);
            k->attn_wsum(o1, w, ldw, v, ldv, n, H, hd);
            size_t at = 0;
            if (!same(o0, o1, (size_t)d, &at) || !guards_intact(o1, (size_t)d)) {
                ok = 0;
                snprintf(detail, sizeof detail, "H %d hd %d n %d", H, hd, n);
            }
            unbuf(w); unbuf(v); unbuf(o0); unbuf(o1);
        }
    report("attn_wsum", k, ok, detail);
}

/* The reference itself against known values of exp and GELU. */
static void test_reference(void)
{
    const BlmKernels *c = &blm_kernels_c;
    int ok = blm_exp(0.0f) == 1.0f && blm_exp(-0.0f) == 1.0f &&
             blm_exp(NAN) == blm_exp(-87.0f) && blm_exp(1000.0f) == blm_exp(88.0f) &&
             blm_exp(-INFINITY) == blm_exp(-87.0f) && blm_gelu(0.0f) == 0.0f;
    for (float x = -80.0f; x < 80.0f; x += 0.37f) {
        double rel = fabs(blm_exp(x) / exp((double)x) - 1.0);
        if (rel > 4e-7)
            ok = 0;
    }
    for (float x = -6.0f; x < 6.0f; x += 0.01f) {
        double g = 0.5 * x * (1.0 + tanh(0.7978845608 * (x + 0.044715 * x * x * x)));
        if (fabs(blm_gelu(x) - g) > 2e-6)
            ok = 0;
    }
    float xs[3] = { 1.0f, 2.0f, 3.0f }, ws[3] = { 4.0f, 5.0f, 6.0f }, y;
    c->matmul(&y, xs, 1, 3, ws, 1);
    ok &= y == 32.0f;
    ok &= affine_matches_every_term();
#if defined(__SSE2__)
    /* logmix.c's four-lane exp against blm_exp, specials and a sweep */
    for (int i = 0; i < 200000 && ok; i++) {
        float v[4], e4[4];
        for (int l = 0; l < 4; l++)
            v[l] = i < 1000 ? rnd_float(100.0f, 1) : rnd_float(20.0f, 0);
        _mm_storeu_ps(e4, blm_exp_sse2(_mm_loadu_ps(v)));
        for (int l = 0; l < 4; l++)
            ok &= float_bits(e4[l]) == float_bits(blm_exp(v[l]));
    }
#endif
    float mx[4] = { NAN, -1.0f, NAN, -2.0f };
    ok &= c->max(mx, 4) == -1.0f && c->max(mx, 1) == -INFINITY;
    report("reference", c, ok, "known values");
}

/* ---- the float64 kernels of the predictors ---- */

static double rnd_double(double scale)
{
    switch (rnd() % 32) {
    case 0: return 0.0;
    case 1: return -0.0;
    case 2: return (rnd() & 1 ? 1 : -1) * 1e300;
    case 3: return (rnd() & 1 ? 1 : -1) * 1e-310;                 /* denormal */
    case 4: return (double)(int32_t)(rnd() % 65536) - 32768.0;     /* a sample */
    default:
        return scale * ((double)(int32_t)(rnd() & 0xffffff) / 8388608.0 - 1.0);
    }
}

static void fill_f64(double *x, int n, double scale)
{
    for (int i = 0; i < n; i++)
        x[i] = rnd_double(scale);
}

static int same_f64(const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(double)) && !(isnan(a[i]) && isnan(b[i])))
            return 0;
    return 1;
}

#define F64_GUARD 8
#define F64_MAX (BLM_OLS_MAX * BLM_OLS_MAX + 1024)

/* A level's float64 kernels against the C versions, several steps running so that
 * state carried from step to step (the weights, the matrix) must stay equal. */
static void test_f64(const BlmKernels *k)
{
    static double y0[F64_MAX + F64_GUARD], y1[F64_MAX + F64_GUARD], b0[64], b1[64];
    static double x[F64_MAX], t[F64_MAX];
    const BlmKernels *c = &blm_kernels_c;
    char detail[128] = "";
    int ok = 1;
    static const int dot_ns[] = { 4, 8, 16, 32, 36, 256, 512, 1024 };
    for (size_t e = 0; e < sizeof dot_ns / sizeof *dot_ns && ok; e++)
        for (int rep = 0; rep < 20 && ok; rep++) {
            const int n = dot_ns[e];
            fill_f64(y0, n, 1.0);
            fill_f64(x, n, rep % 2 ? 32768.0 : 1.0);
            fill_f64(t, n, 1.0);
            double p0 = 1, p1 = 2;
            const double d0 = c->dot4_power(y0, x, t, n, &p0);
            const double d1 = k->dot4_power(y0, x, t, n, &p1);
            if (!same_f64(&d0, &d1, 1) || !same_f64(&p0, &p1, 1)) {
                ok = 0;
                snprintf(detail, sizeof detail, "dot4_power n %d", n);
            }
        }
    static const int axpy_ns[] = { 1, 3, 4, 7, 16, 33, 256, 1024 };
    for (size_t e = 0; e < sizeof axpy_ns / sizeof *axpy_ns && ok; e++) {
        const int n = axpy_ns[e];
        fill_f64(y0, n + F64_GUARD, 1.0);
        memcpy(y1, y0, (size_t)(n + F64_GUARD) * sizeof(double));
        for (int step = 0; step < 10; step++) {
            fill_f64(x, n, 100.0);
            const double a = rnd_double(1e-3);
            c->axpy_f64(y0, a, x, n);
            k->axpy_f64(y1, a, x, n);
        }
        if (!same_f64(y0, y1, n + F64_GUARD)) {
            ok = 0;
            snprintf(detail, sizeof detail, "axpy_f64 n %d", n);
        }
    }
    for (int n = 1; n <= BLM_OLS_MAX && ok; n++) {
        const int ld = BLM_OLS_MAX, size = n * ld;
        fill_f64(y0, size, 1e6);
        memcpy(y1, y0, (size_t)size * sizeof(double));
        fill_f64(b0, n, 1e6);
        memcpy(b1, b0, (size_t)n * sizeof(double));
        for (int step = 0; step < 10; step++) {
            fill_f64(x, n, 32768.0);
            const double lambda = 0.99 + 0.001 * (rnd() % 9), ff = rnd_double(1e-3),
                         val = rnd_double(32768.0);
            c->ols_accumulate(y0, ld, b0, x, n, lambda, ff, val);
            k->ols_accumulate(y1, ld, b1, x, n, lambda, ff, val);
        }
        if (!same_f64(y0, y1, size) || !same_f64(b0, b1, n)) {
            ok = 0;
            snprintf(detail, sizeof detail, "ols_accumulate n %d", n);
        }
    }
    report("float64", k, ok, detail);
}

/* The C versions against the formulas of docs/MODEL.md §9 written out: blm_dot4's
 * order, the NLMS power in the same lanes, the OLS update row by row. */
static void test_reference_f64(void)
{
    static double w[1024], x[1024], t[1024], r0[BLM_OLS_MAX * BLM_OLS_MAX],
        r1[BLM_OLS_MAX * BLM_OLS_MAX], b0[BLM_OLS_MAX], b1[BLM_OLS_MAX];
    const BlmKernels *c = &blm_kernels_c;
    int ok = 1;
    for (int n = 4; n <= 1024 && ok; n *= 2) {
        fill_f64(w, n, 1.0);
        fill_f64(x, n, 32768.0);
        fill_f64(t, n, 1.0);
        double l[4] = { 0, 0, 0, 0 }, power = 0;
        for (int i = 0; i < n; i++)
            l[i % 4] += t[i] * (x[i] * x[i]);
        const double want_power = (l[0] + l[1]) + (l[2] + l[3]);
        const double want = blm_dot4(w, x, n);
        const double got = c->dot4_power(w, x, t, n, &power);
        ok &= same_f64(&got, &want, 1) && same_f64(&power, &want_power, 1);
    }
    const int n = BLM_OLS_MAX;
    fill_f64(r0, n * n, 1e6);
    memcpy(r1, r0, sizeof r0);
    fill_f64(b0, n, 1e6);
    memcpy(b1, b0, sizeof b0);
    fill_f64(x, n, 32768.0);
    const double lambda = 0.998, ff = 1e-4, val = 1234.0;
    for (int j = 0; j < n; j++) {
        const double f = ff * x[j];
        for (int i = 0; i <= j; i++)
            r0[j * n + i] = lambda * r0[j * n + i] + f * x[i];
        b0[j] = lambda * b0[j] + f * val;
    }
    c->ols_accumulate(r1, n, b1, x, n, lambda, ff, val);
    ok &= same_f64(r0, r1, n * n) && same_f64(b0, b1, n);
    report("reference float64", c, ok, "against the written formulas");
}

int main(void)
{
    test_reference_f64();
    test_reference();
    test_network_weights();
    for (int level = BLM_SIMD_C + 1; level < BLM_SIMD_COUNT; level++) {
        const BlmKernels *k = blm_kernels_get(level);
        if (!k) {
            printf("level %d: not on this CPU, skipped\n", level);
            continue;
        }
        test_matmul(k);
        test_affine(k);
        test_outer_acc(k);
        test_elementwise(k);
        test_rmsnorm(k);
        test_attn_scores(k);
        test_attn_wsum(k);
        test_f64(k);
    }
    printf("selected: %s\n", blm_kernels_name());
    printf("kernels: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
