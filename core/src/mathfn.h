/*
 * The two transcendental functions of docs/MODEL.md §2, written from + - * / only
 * so that every machine computes the same bits (no libm: its exp differs between
 * libcs and versions).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MATHFN_H
#define BYTELM_MATHFN_H

#include <stdint.h>
#include <string.h>

static inline float blm_bits_as_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* exp(x) for x in [-87, 88] (clamped; NaN maps to -87). */
static inline float blm_exp(float x)
{
    if (!(x > -87.0f)) x = -87.0f;
    if (x > 88.0f) x = 88.0f;
    /* n = round-to-nearest-even(x / ln 2) by the 1.5 * 2^23 trick */
    float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    /* Cody-Waite: ln 2 split into a short high part and a low part */
    float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    /* n is in [-126, 127]: 2^n is a normal float */
    return p * blm_bits_as_float((uint32_t)((int32_t)n + 127) << 23);
}

#if defined(__SSE2__)
#include <emmintrin.h>

/* blm_exp on four lanes, the same operations in the same order: max(x, -87) is the
 * first if (NaN gives -87), min(x, 88) the second. */
static inline __m128 blm_exp_sse2(__m128 x)
{
    x = _mm_max_ps(x, _mm_set1_ps(-87.0f));
    x = _mm_min_ps(x, _mm_set1_ps(88.0f));
    const __m128 n = _mm_sub_ps(_mm_add_ps(_mm_mul_ps(x, _mm_set1_ps(1.44269504f)), _mm_set1_ps(12582912.0f)),
                                _mm_set1_ps(12582912.0f));
    const __m128 r = _mm_sub_ps(_mm_sub_ps(x, _mm_mul_ps(n, _mm_set1_ps(0.693145752f))),
                                _mm_mul_ps(n, _mm_set1_ps(1.42860677e-6f)));
    __m128 p = _mm_set1_ps(1.0f / 720);
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f / 120));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f / 24));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f / 6));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(0.5f));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f));
    p = _mm_add_ps(_mm_mul_ps(p, r), _mm_set1_ps(1.0f));
    const __m128i pow2 = _mm_slli_epi32(_mm_add_epi32(_mm_cvttps_epi32(n), _mm_set1_epi32(127)), 23);
    return _mm_mul_ps(p, _mm_castsi128_ps(pow2));
}
#endif

/* GELU, tanh approximation, with tanh(u) = 1 - 2 / (exp(2u) + 1). */
static inline float blm_gelu(float x)
{
    float u = 0.7978845608f * (x + 0.044715f * ((x * x) * x));
    float t = 1.0f - 2.0f / (blm_exp(2.0f * u) + 1.0f);
    return (0.5f * x) * (1.0f + t);
}

#endif
