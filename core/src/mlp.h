/*
 * What the small float32 networks of docs/MODEL.md §14 and §15 share besides their
 * layers (which are the kernels' affine, kernels.h): the input squash and the hash.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MLP_H
#define BYTELM_MLP_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* sign(x) (sqrt(1 + |x|) - 1): large inputs squashed, with IEEE sqrt only. The sign is
 * set by flipping r's sign bit, which is -r exactly, without the branch that half the
 * inputs would mispredict. */
static inline float blm_ssqrt(float x)
{
    float r = sqrtf(1.0f + (x < 0 ? -x : x)) - 1.0f;
    uint32_t u;
    memcpy(&u, &r, sizeof u);
    u ^= (uint32_t)(x < 0) << 31;
    memcpy(&r, &u, sizeof r);
    return r;
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
