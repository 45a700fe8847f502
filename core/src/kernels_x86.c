/*
 * x86 SIMD kernels: SSE2, AVX2 and AVX-512F, without FMA (docs/MODEL.md §2 forbids
 * fused multiply-add). Each level is compiled with a target attribute, so the build
 * needs no -m flags and the library runs on any x86-64; kernels.c calls a level
 * only when the CPU has it.
 *
 * The three levels share one body: this file includes itself once per level with
 * the vector type and intrinsics bound to macros (the KX_BODY half below).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#if !defined(KX_BODY)

#include "kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <math.h>

#include "mathfn.h"

#define KX_BODY

/* ---- The float64 kernels in AVX2 (kernels.h), shared by the AVX-512 table: a dot
 * product's four lanes are one 256-bit vector, so a wider one could not keep its
 * order, and the element-wise ones gain nothing more at the predictors' lengths. ---- */

__attribute__((target("avx2"))) static double dot4_power_avx2(const double *a, const double *x,
                                                              const double *t, int n,
                                                              double *power)
{
    __m256d l = _mm256_setzero_pd(), p = _mm256_setzero_pd();
    for (int i = 0; i < n; i += 4) {
        const __m256d xv = _mm256_loadu_pd(x + i);
        l = _mm256_add_pd(l, _mm256_mul_pd(_mm256_loadu_pd(a + i), xv));
        p = _mm256_add_pd(p, _mm256_mul_pd(_mm256_loadu_pd(t + i), _mm256_mul_pd(xv, xv)));
    }
    double lv[4], pv[4];
    _mm256_storeu_pd(lv, l);
    _mm256_storeu_pd(pv, p);
    *power = (pv[0] + pv[1]) + (pv[2] + pv[3]);
    return (lv[0] + lv[1]) + (lv[2] + lv[3]);
}

__attribute__((target("avx2"))) static void axpy_f64_avx2(double *y, double a, const double *x,
                                                          int n)
{
    const __m256d av = _mm256_set1_pd(a);
    int i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(y + i, _mm256_add_pd(_mm256_loadu_pd(y + i),
                                              _mm256_mul_pd(av, _mm256_loadu_pd(x + i))));
    for (; i < n; i++)
        y[i] = y[i] + a * x[i];
}

__attribute__((target("avx2"))) static void ols_accumulate_avx2(double *r, int ld, double *b,
                                                                const double *x, int n,
                                                                double lambda, double ff,
                                                                double val)
{
    const __m256d lv = _mm256_set1_pd(lambda);
    for (int j = 0; j < n; j++) {
        const double f = ff * x[j];
        const __m256d fv = _mm256_set1_pd(f);
        double *row = r + (size_t)j * (size_t)ld;
        int i = 0;
        for (; i + 4 <= j + 1; i += 4)
            _mm256_storeu_pd(row + i, _mm256_add_pd(_mm256_mul_pd(lv, _mm256_loadu_pd(row + i)),
                                                    _mm256_mul_pd(fv, _mm256_loadu_pd(x + i))));
        for (; i <= j; i++)
            row[i] = lambda * row[i] + f * x[i];
        b[j] = lambda * b[j] + f * val;
    }
}

/* ---- SSE2: 4 lanes, part of x86-64 itself ---- */
#define TGT                         /* baseline */
#define SUF(f) f##_sse2
#define VW 4
#define VEC __m128
#define LOADU _mm_loadu_ps
#define STOREU _mm_storeu_ps
#define SET1 _mm_set1_ps
#define ZERO _mm_setzero_ps
#define ADD _mm_add_ps
#define SUB _mm_sub_ps
#define MUL _mm_mul_ps
#define DIV _mm_div_ps
#define MAX _mm_max_ps
#define MIN _mm_min_ps
#define VPOW2(n) _mm_castsi128_ps(_mm_slli_epi32( \
        _mm_add_epi32(_mm_cvttps_epi32(n), _mm_set1_epi32(127)), 23))
#define MM_C1 8                     /* vectors per tile, one row */
#define MM_C4 2                     /* vectors per tile, four rows */
#include "kernels_x86.c"
#undef TGT
#undef SUF
#undef VW
#undef VEC
#undef LOADU
#undef STOREU
#undef SET1
#undef ZERO
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef MAX
#undef MIN
#undef VPOW2
#undef MM_C1
#undef MM_C4

/* ---- AVX2: 8 lanes ---- */
#define TGT __attribute__((target("avx2")))
#define SUF(f) f##_avx2
#define VW 8
#define VEC __m256
#define LOADU _mm256_loadu_ps
#define STOREU _mm256_storeu_ps
#define SET1 _mm256_set1_ps
#define ZERO _mm256_setzero_ps
#define ADD _mm256_add_ps
#define SUB _mm256_sub_ps
#define MUL _mm256_mul_ps
#define DIV _mm256_div_ps
#define MAX _mm256_max_ps
#define MIN _mm256_min_ps
#define VPOW2(n) _mm256_castsi256_ps(_mm256_slli_epi32( \
        _mm256_add_epi32(_mm256_cvttps_epi32(n), _mm256_set1_epi32(127)), 23))
#define MM_C1 8
#define MM_C4 2
#include "kernels_x86.c"
#undef TGT
#undef SUF
#undef VW
#undef VEC
#undef LOADU
#undef STOREU
#undef SET1
#undef ZERO
#undef ADD
#undef SUB
#undef MUL
#undef DIV
#undef MAX
#undef MIN
#undef VPOW2
#undef MM_C1
#undef MM_C4

/* ---- AVX-512F: 16 lanes, 32 registers ---- */
#define TGT __attribute__((target("avx512f")))
#define SUF(f) f##_avx512
#define VW 16
#define VEC __m512
#define LOADU _mm512_loadu_ps
#define STOREU _mm512_storeu_ps
#define SET1 _mm512_set1_ps
#define ZERO _mm512_setzero_ps
#define ADD _mm512_add_ps
#define SUB _mm512_sub_ps
#define MUL _mm512_mul_ps
#define DIV _mm512_div_ps
#define MAX _mm512_max_ps
#define MIN _mm512_min_ps
#define VPOW2(n) _mm512_castsi512_ps(_mm512_slli_epi32( \
        _mm512_add_epi32(_mm512_cvttps_epi32(n), _mm512_set1_epi32(127)), 23))
#define MM_C1 4
#define MM_C4 4
#include "kernels_x86.c"

#endif /* __x86_64__ */

#else /* KX_BODY: the kernels of one level */

#define INL static inline __attribute__((always_inline)) TGT

/* max_ps(a, b) is (a > b ? a : b), so these are exactly the two ifs of blm_exp. */
INL VEC SUF(vexp)(VEC x)
{
    x = MAX(x, SET1(-87.0f));
    x = MIN(x, SET1(88.0f));
    VEC n = SUB(ADD(MUL(x, SET1(1.44269504f)), SET1(12582912.0f)), SET1(12582912.0f));
    VEC r = SUB(SUB(x, MUL(n, SET1(0.693145752f))), MUL(n, SET1(1.42860677e-6f)));
    VEC p = SET1(1.0f / 720);
    p = ADD(MUL(p, r), SET1(1.0f / 120));
    p = ADD(MUL(p, r), SET1(1.0f / 24));
    p = ADD(MUL(p, r), SET1(1.0f / 6));
    p = ADD(MUL(p, r), SET1(0.5f));
    p = ADD(MUL(p, r), SET1(1.0f));
    p = ADD(MUL(p, r), SET1(1.0f));
    return MUL(p, VPOW2(n));
}

TGT static void SUF(exp_shift)(float *y, const float *x, float m, int n)
{
    VEC vm = SET1(m);
    int i = 0;
    for (; i + VW <= n; i += VW)
        STOREU(y + i, SUF(vexp)(SUB(LOADU(x + i), vm)));
    for (; i < n; i++)
        y[i] = blm_exp(x[i] - m);
}

TGT static void SUF(gelu)(float *y, const float *x, int n)
{
    int i = 0;
    for (; i + VW <= n; i += VW) {
        VEC v = LOADU(x + i);
        VEC u = MUL(SET1(0.7978845608f), ADD(v, MUL(SET1(0.044715f), MUL(MUL(v, v), v))));
        VEC e = SUF(vexp)(MUL(SET1(2.0f), u));
        VEC t = SUB(SET1(1.0f), DIV(SET1(2.0f), ADD(e, SET1(1.0f))));
        STOREU(y + i, MUL(MUL(SET1(0.5f), v), ADD(SET1(1.0f), t)));
    }
    for (; i < n; i++)
        y[i] = blm_gelu(x[i]);
}

TGT static float SUF(max)(const float *x, int n)
{
    /* Lane-wise "if (x > m) m = x" keeps the NaN-skipping of the reference. */
    VEC vm = SET1(-INFINITY);
    int i = 0;
    for (; i + VW <= n; i += VW)
        vm = MAX(LOADU(x + i), vm);
    float lanes[VW], m = -INFINITY;
    STOREU(lanes, vm);
    for (int l = 0; l < VW; l++)
        if (lanes[l] > m)
            m = lanes[l];
    for (; i < n; i++)
        if (x[i] > m)
            m = x[i];
    return m;
}

/* The sum of squares is one sequential chain per row; four rows interleaved give
 * the CPU four independent chains. The scaling is element-wise. */
TGT static void SUF(rmsnorm)(float *y, const float *x, const float *g, int rows, int d,
                             float eps)
{
    float rs[4];
    for (int r0 = 0; r0 < rows; r0 += 4) {
        int nr = rows - r0 < 4 ? rows - r0 : 4;
        const float *xr = x + (size_t)r0 * d;
        if (nr == 4) {
            float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
            for (int i = 0; i < d; i++) {
                s0 = s0 + xr[i] * xr[i];
                s1 = s1 + xr[d + i] * xr[d + i];
                s2 = s2 + xr[2 * d + i] * xr[2 * d + i];
                s3 = s3 + xr[3 * d + i] * xr[3 * d + i];
            }
            rs[0] = s0; rs[1] = s1; rs[2] = s2; rs[3] = s3;
        } else {
            for (int r = 0; r < nr; r++) {
                float ss = 0.0f;
                for (int i = 0; i < d; i++)
                    ss = ss + xr[(size_t)r * d + i] * xr[(size_t)r * d + i];
                rs[r] = ss;
            }
        }
        for (int r = 0; r < nr; r++) {
            float f = 1.0f / sqrtf(rs[r] / (float)d + eps);
            const float *xi = xr + (size_t)r * d;
            float *yi = y + (size_t)(r0 + r) * d;
            VEC vf = SET1(f);
            int i = 0;
            for (; i + VW <= d; i += VW)
                STOREU(yi + i, MUL(MUL(LOADU(xi + i), vf), LOADU(g + i)));
            for (; i < d; i++)
                yi[i] = (xi[i] * f) * g[i];
        }
    }
}

/* y[r][n0 .. n0 + C*VW) for R rows: R*C accumulators, one k at a time. */
INL void SUF(mm_tile)(float *y, const float *x, int K, const float *w, int N, int n0,
                      const int R, const int C)
{
    VEC acc[4][8];
    _Pragma("GCC unroll 8")
    for (int r = 0; r < R; r++)
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            acc[r][c] = ZERO();
    const float *wk = w + n0;
    for (int k = 0; k < K; k++, wk += N) {
        VEC wv[8];
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            wv[c] = LOADU(wk + c * VW);
        _Pragma("GCC unroll 8")
        for (int r = 0; r < R; r++) {
            VEC xb = SET1(x[(size_t)r * K + k]);
            _Pragma("GCC unroll 8")
            for (int c = 0; c < C; c++)
                acc[r][c] = ADD(acc[r][c], MUL(xb, wv[c]));
        }
    }
    _Pragma("GCC unroll 8")
    for (int r = 0; r < R; r++)
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            STOREU(y + (size_t)r * N + n0 + c * VW, acc[r][c]);
}

/* Columns n0 .. N-1 of `rows` rows, one vector, then one column at a time. */
INL void SUF(mm_cols_tail)(float *y, const float *x, int rows, int K, const float *w, int N,
                           int n0)
{
    for (; n0 + VW <= N; n0 += VW)
        for (int r = 0; r < rows; r++)
            SUF(mm_tile)(y + (size_t)r * N, x + (size_t)r * K, K, w, N, n0, 1, 1);
    for (; n0 < N; n0++)
        for (int r = 0; r < rows; r++) {
            float acc = 0.0f;
            for (int k = 0; k < K; k++)
                acc = acc + x[(size_t)r * K + k] * w[(size_t)k * N + n0];
            y[(size_t)r * N + n0] = acc;
        }
}

TGT static void SUF(matmul)(float *y, const float *x, int rows, int K, const float *w, int N)
{
    if (rows < 4) {
        /* The decoder's case: a row at a time with wide tiles so that enough
         * independent sums hide the latency of the add. */
        const int TW = MM_C1 * VW;
        int n0 = 0;
        for (; n0 + TW <= N; n0 += TW)
            for (int r = 0; r < rows; r++)
                SUF(mm_tile)(y + (size_t)r * N, x + (size_t)r * K, K, w, N, n0, 1, MM_C1);
        SUF(mm_cols_tail)(y, x, rows, K, w, N, n0);
        return;
    }
    /* Four rows share each load of w; a column strip of w stays in L1 while
     * all row groups pass over it. */
    const int TW = MM_C4 * VW;
    int n0 = 0;
    for (; n0 + TW <= N; n0 += TW) {
        int r = 0;
        for (; r + 4 <= rows; r += 4)
            SUF(mm_tile)(y + (size_t)r * N, x + (size_t)r * K, K, w, N, n0, 4, MM_C4);
        for (; r < rows; r++)
            SUF(mm_tile)(y + (size_t)r * N, x + (size_t)r * K, K, w, N, n0, 1, MM_C4);
    }
    SUF(mm_cols_tail)(y, x, rows, K, w, N, n0);
}

/* Positions s0 .. s0 + C*VW) of one head. */
INL void SUF(scores_tile)(float *e, const float *q, const float *kT, ptrdiff_t ldk, int s0,
                          int hd, float scale, const float *bias, const int C)
{
    VEC acc[8];
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++)
        acc[c] = ZERO();
    for (int i = 0; i < hd; i++) {
        VEC qb = SET1(q[i]);
        const float *kr = kT + i * ldk + s0;
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            acc[c] = ADD(acc[c], MUL(qb, LOADU(kr + c * VW)));
    }
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++)
        STOREU(e + s0 + c * VW, ADD(MUL(acc[c], SET1(scale)), LOADU(bias + s0 + c * VW)));
}

TGT static void SUF(attn_scores)(float *e, const float *q, const float *kT, ptrdiff_t ldk,
                                 int n, int hd, float scale, const float *bias)
{
    int s = 0;
    for (; s + 8 * VW <= n; s += 8 * VW)
        SUF(scores_tile)(e, q, kT, ldk, s, hd, scale, bias, 8);
    for (; s + VW <= n; s += VW)
        SUF(scores_tile)(e, q, kT, ldk, s, hd, scale, bias, 1);
    for (; s < n; s++) {
        float acc = 0.0f;
        for (int i = 0; i < hd; i++)
            acc = acc + q[i] * kT[i * ldk + s];
        e[s] = acc * scale + bias[s];
    }
}

/* Outputs c0 .. c0 + C*VW) of the weighted sum; each vector lies in one head. */
INL void SUF(wsum_tile)(float *o, const float *w, int ldw, const float *v, ptrdiff_t ldv,
                        int n, int hd, int c0, const int C)
{
    VEC acc[8];
    const float *wh[8];
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++) {
        acc[c] = ZERO();
        wh[c] = w + (c0 + c * VW) / hd * ldw;
    }
    for (int s = 0; s < n; s++) {
        const float *vs = v + s * ldv + c0;
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            acc[c] = ADD(acc[c], MUL(SET1(wh[c][s]), LOADU(vs + c * VW)));
    }
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++)
        STOREU(o + c0 + c * VW, acc[c]);
}

TGT static void SUF(attn_wsum)(float *o, const float *w, int ldw, const float *v, ptrdiff_t ldv,
                               int n, int H, int hd)
{
    if (hd % VW) {
        /* A vector would straddle two heads; rare shapes take the reference. */
        blm_kernels_c.attn_wsum(o, w, ldw, v, ldv, n, H, hd);
        return;
    }
    int d = H * hd, c0 = 0;
    for (; c0 + 8 * VW <= d; c0 += 8 * VW)
        SUF(wsum_tile)(o, w, ldw, v, ldv, n, hd, c0, 8);
    for (; c0 + 4 * VW <= d; c0 += 4 * VW)
        SUF(wsum_tile)(o, w, ldw, v, ldv, n, hd, c0, 4);
    for (; c0 < d; c0 += VW)
        SUF(wsum_tile)(o, w, ldw, v, ldv, n, hd, c0, 1);
}

/* y[n0 .. n0 + C*VW) of one layer: C accumulators from the biases, one nonzero input
 * at a time; relu as max(y, +0), which is (y > 0 ? y : +0). */
INL void SUF(affine_tile)(float *y, const float *b, const float *x, const int *nonzero, int m,
                          const float *w, int N, int n0, const int C, int relu)
{
    VEC acc[8];
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++)
        acc[c] = LOADU(b + n0 + c * VW);
    for (int i = 0; i < m; i++) {
        const int k = nonzero[i];
        const VEC xb = SET1(x[k]);
        const float *wk = w + (size_t)k * N + n0;
        _Pragma("GCC unroll 8")
        for (int c = 0; c < C; c++)
            acc[c] = ADD(acc[c], MUL(xb, LOADU(wk + c * VW)));
    }
    _Pragma("GCC unroll 8")
    for (int c = 0; c < C; c++)
        STOREU(y + n0 + c * VW, relu ? MAX(acc[c], ZERO()) : acc[c]);
}

TGT static void SUF(affine)(float *y, const float *b, const float *x, int K, const float *w, int N,
                            int relu)
{
    int nonzero[BLM_AFFINE_MAX_K];
    const int m = blm_nonzero_indices(x, K, nonzero);
    int n0 = 0;
    for (; n0 + MM_C1 * VW <= N; n0 += MM_C1 * VW)
        SUF(affine_tile)(y, b, x, nonzero, m, w, N, n0, MM_C1, relu);
    for (; n0 + VW <= N; n0 += VW)
        SUF(affine_tile)(y, b, x, nonzero, m, w, N, n0, 1, relu);
    for (; n0 < N; n0++) {
        float acc = b[n0];
        for (int i = 0; i < m; i++)
            acc = acc + x[nonzero[i]] * w[(size_t)nonzero[i] * N + n0];
        y[n0] = relu ? (acc > 0.0f ? acc : 0.0f) : acc;
    }
}

TGT static void SUF(outer_acc)(float *g, const float *a, int K, const float *b, int N)
{
    int nonzero[BLM_AFFINE_MAX_K];
    const int m = blm_nonzero_indices(a, K, nonzero);
    for (int i = 0; i < m; i++) {
        const int k = nonzero[i];
        const VEC ak = SET1(a[k]);
        float *gk = g + (size_t)k * N;
        int n = 0;
        for (; n + VW <= N; n += VW)
            STOREU(gk + n, ADD(LOADU(gk + n), MUL(ak, LOADU(b + n))));
        for (; n < N; n++)
            gk[n] = gk[n] + a[k] * b[n];
    }
}

const BlmKernels SUF(blm_kernels) = {
    .name = VW == 4 ? "sse2" : VW == 8 ? "avx2" : "avx512",
    .level = VW == 4 ? BLM_SIMD_SSE2 : VW == 8 ? BLM_SIMD_AVX2 : BLM_SIMD_AVX512,
    .matmul = SUF(matmul),
    .exp_shift = SUF(exp_shift),
    .gelu = SUF(gelu),
    .max = SUF(max),
    .rmsnorm = SUF(rmsnorm),
    .attn_scores = SUF(attn_scores),
    .attn_wsum = SUF(attn_wsum),
    .affine = SUF(affine),
    .outer_acc = SUF(outer_acc),
    .dot4_power = VW == 4 ? blm_dot4_power_c : dot4_power_avx2,
    .axpy_f64 = VW == 4 ? blm_axpy_f64_c : axpy_f64_avx2,
    .ols_accumulate = VW == 4 ? blm_ols_accumulate_c : ols_accumulate_avx2,
};

#undef INL
#endif /* KX_BODY */
