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

/* GELU, tanh approximation, with tanh(u) = 1 - 2 / (exp(2u) + 1). */
static inline float blm_gelu(float x)
{
    float u = 0.7978845608f * (x + 0.044715f * ((x * x) * x));
    float t = 1.0f - 2.0f / (blm_exp(2.0f * u) + 1.0f);
    return (0.5f * x) * (1.0f + t);
}

#endif
