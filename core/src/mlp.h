/*
 * One layer of the small float32 networks of docs/MODEL.md §14 and §15, in the order
 * the spec writes: each output's sum starts from its bias and adds the inputs in
 * increasing order, each product and sum rounded to float32 (the build forbids
 * contraction into FMA).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MLP_H
#define BYTELM_MLP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* sign(x) (sqrt(1 + |x|) - 1): large inputs squashed, with IEEE sqrt only */
static inline float blm_ssqrt(float x)
{
    const float r = sqrtf(1.0f + (x < 0 ? -x : x)) - 1.0f;
    return x < 0 ? -r : r;
}

/* out[j] = b[j] + sum_i w[i][j] x[i] (w input-major), the sum from b[j] in
 * increasing i; the loops run i outside so that the compiler can put several j side
 * by side without changing any j's order. */
static inline void blm_mlp_layer(const float *w, const float *b, const float *x, int n_in, int n_out, float *out, int relu)
{
    for (int j = 0; j < n_out; j++)
        out[j] = b[j];
    for (int i = 0; i < n_in; i++) {
        const float xi = x[i];
        for (int j = 0; j < n_out; j++)
            out[j] += w[i * n_out + j] * xi;
    }
    if (relu)
        for (int j = 0; j < n_out; j++)
            out[j] = out[j] > 0.0f ? out[j] : 0.0f;
}

/* FNV-1a over the float32 bytes (little-endian) of n arrays of weights, in order: the
 * documented hash of a built-in network */
static inline uint32_t blm_mlp_hash(const float *const *parts, const size_t *sizes, int n)
{
    uint32_t h = 2166136261u;
    for (int p = 0; p < n; p++) {
        for (size_t i = 0; i < sizes[p] / sizeof(float); i++) {
            uint32_t u;
            memcpy(&u, &parts[p][i], sizeof u);
            for (int byte = 0; byte < 4; byte++)
                h = (h ^ ((u >> (8 * byte)) & 0xff)) * 16777619u;
        }
    }
    return h;
}

#endif
