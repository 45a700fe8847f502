/*
 * The pixel network of frame mode 7; docs/MODEL.md §14 is normative, this follows it
 * operation for operation: float32, each operation rounded to float32 in the order
 * written (no FMA: the build forbids contraction), exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pixelnet.h"

#include <math.h>
#include <string.h>

#include "mathfn.h"
#include "pixelnet_weights.h"

#define HIDDEN BLM_PXN_HIDDEN
#define OUTPUTS (3 * BLM_PXN_MIX)
#define END_Z 1e30f /* the z of a boundary beyond the range's end */

/* sign(x) (sqrt(1 + |x|) - 1): large inputs squashed, with IEEE sqrt only */
static inline float ssqrt(float x)
{
    const float r = sqrtf(1.0f + (x < 0 ? -x : x)) - 1.0f;
    return x < 0 ? -r : r;
}

/* out[j] = b[j] + sum_i w[i][j] x[i] (w input-major), the sum from b[j] in
 * increasing i; the loops run i outside so that the compiler can put several j side
 * by side without changing any j's order. */
static void layer(const float *w, const float *b, const float *x, int n_in, int n_out, float *out, int relu)
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

void blm_pixnet_eval(const BlmPixelNetInput *in, int32_t pred, int32_t max_value, BlmPixelNetDist *d)
{
    const float *v = in->v;
    const float s = 0.5f + (v[20] + v[21]) / 16.0f;   /* the base scale */
    float x[BLM_PXN_INPUTS];
    for (int i = 0; i < 19; i++)
        x[i] = ssqrt(v[i] / s);
    x[19] = v[19];
    for (int i = 20; i < 23; i++)
        x[i] = (sqrtf(1.0f + v[i]) - 1.0f) / 8.0f;
    x[23] = v[23] / 255.0f;
    x[24] = v[24];
    x[25] = ssqrt(v[25] / s);
    x[26] = (sqrtf(1.0f + v[26]) - 1.0f) / 8.0f;
    x[27] = v[27];

    float h1[HIDDEN], h2[HIDDEN], o[OUTPUTS];
    layer(pxn_w1, pxn_b1, x, BLM_PXN_INPUTS, HIDDEN, h1, 1);
    layer(pxn_w2, pxn_b2, h1, HIDDEN, HIDDEN, h2, 1);
    layer(pxn_w3, pxn_b3, h2, HIDDEN, OUTPUTS, o, 0);

    const float top = o[0] > o[1] ? (o[0] > o[2] ? o[0] : o[2]) : (o[1] > o[2] ? o[1] : o[2]);
    float e[BLM_PXN_MIX];
    for (int k = 0; k < BLM_PXN_MIX; k++)
        e[k] = blm_exp(o[k] - top);
    const float sum = (e[0] + e[1]) + e[2];
    for (int k = 0; k < BLM_PXN_MIX; k++) {
        float ls = o[2 * BLM_PXN_MIX + k];
        ls = ls < -6.0f ? -6.0f : ls > 6.0f ? 6.0f : ls;
        d->w[k] = e[k] / sum;
        d->centre[k] = v[19] + o[BLM_PXN_MIX + k] * s;
        d->inv_scale[k] = 1.0f / (blm_exp(ls) * s);
    }
    d->lo = -pred;
    d->hi = max_value - pred;
}

/* A boundary between two residual values: per logistic, its z and the masses below
 * (F) and above (S) it, each computed directly so that tails keep their precision. */
typedef struct Bound {
    float z[BLM_PXN_MIX], F[BLM_PXN_MIX], S[BLM_PXN_MIX];
} Bound;

static const Bound low_end = {{-END_Z, -END_Z, -END_Z}, {0, 0, 0}, {1, 1, 1}};
static const Bound high_end = {{END_Z, END_Z, END_Z}, {1, 1, 1}, {0, 0, 0}};

/* the boundary at t + 1/2 between the values t and t + 1 */
static void bound_at(const BlmPixelNetDist *d, int32_t t, Bound *b)
{
    const float x = (float)t + 0.5f;
    for (int k = 0; k < BLM_PXN_MIX; k++) {
        const float z = (x - d->centre[k]) * d->inv_scale[k];
        const float a = blm_exp(z < 0 ? z : -z);   /* exp(-|z|) */
        const float hi = 1.0f / (1.0f + a), lo = a / (1.0f + a);
        b->z[k] = z;
        b->F[k] = z < 0 ? lo : hi;
        b->S[k] = z < 0 ? hi : lo;
    }
}

/* the mass between the boundaries a < b: below the centre as F(b) - F(a), above it
 * as S(a) - S(b) */
static float mass(const BlmPixelNetDist *d, const Bound *a, const Bound *b)
{
    float m = 0.0f;
    for (int k = 0; k < BLM_PXN_MIX; k++) {
        const float part = a->z[k] + b->z[k] < 0 ? b->F[k] - a->F[k] : a->S[k] - b->S[k];
        m += d->w[k] * part;
    }
    return m;
}

/* one decision with P(1) = one / (zero + one) */
static int decide(const BlmBitIo *io, float zero, float one, int bit)
{
    float q = one / (zero + one);
    if (!(q >= 0.0f))
        q = 0.5f;   /* NaN, or masses a hair below zero from rounding */
    else if (q > 1.0f)
        q = 1.0f;   /* so that the conversion is always defined */
    return blm_bitio_code(io, (uint32_t)(q * 65536.0f), bit);
}

int32_t blm_pixnet_code(const BlmPixelNetDist *d, const BlmBitIo *io, int32_t e)
{
    const int enc = io->enc != NULL;
    Bound below, above; /* around 0 */
    if (d->lo < 0)
        bound_at(d, -1, &below);
    else
        below = low_end;
    if (d->hi > 0)
        bound_at(d, 0, &above);
    else
        above = high_end;
    const float m_neg = d->lo < 0 ? mass(d, &low_end, &below) : 0.0f;
    const float m_pos = d->hi > 0 ? mass(d, &above, &high_end) : 0.0f;
    const float m_zero = mass(d, &below, &above);
    if (!decide(io, m_zero, m_neg + m_pos, enc && e != 0))
        return 0;
    int neg = d->hi == 0;
    if (d->lo < 0 && d->hi > 0)
        neg = decide(io, m_pos, m_neg, enc && e < 0);

    /* the magnitude m in 1..M on that side: B(k) is the boundary between magnitudes
     * k - 1 and k; (lower, upper) in magnitudes is (upper, lower) in e when negative */
    const int32_t M = neg ? -d->lo : d->hi;
    const int32_t m = enc ? (e < 0 ? -e : e) : 0;
    const Bound *end = neg ? &low_end : &high_end;
    Bound bu = neg ? below : above, bv, bmid;
    int32_t u = 1, len = 1;
    /* its bit length: is m >= 2^len, while 2^len <= M */
    for (;; len++) {
        const int32_t next = (int32_t)1 << len;
        if (next > M) {
            bv = *end;
            break;
        }
        bound_at(d, neg ? -next : next - 1, &bmid);
        const float m_low = neg ? mass(d, &bmid, &bu) : mass(d, &bu, &bmid);
        const float m_high = neg ? mass(d, end, &bmid) : mass(d, &bmid, end);
        if (!decide(io, m_low, m_high, enc && m >= next)) {
            bv = bmid;
            break;
        }
        u = next;
        bu = bmid;
    }
    int32_t v = neg ? -d->lo : d->hi;
    if (((int32_t)1 << len) - 1 < v)
        v = ((int32_t)1 << len) - 1;
    /* the bits below the top one, highest first; an empty upper half codes nothing */
    for (int b = len - 2; b >= 0; b--) {
        const int32_t mid = u + ((int32_t)1 << b);
        if (mid > v)
            continue;
        bound_at(d, neg ? -mid : mid - 1, &bmid);
        const float m_low = neg ? mass(d, &bmid, &bu) : mass(d, &bu, &bmid);
        const float m_high = neg ? mass(d, &bv, &bmid) : mass(d, &bmid, &bv);
        if (decide(io, m_low, m_high, enc && m >= mid)) {
            u = mid;
            bu = bmid;
        } else {
            v = mid - 1;
            bv = bmid;
        }
    }
    return neg ? -u : u;
}

uint32_t blm_pixnet_hash(void)
{
    const float *parts[6] = {pxn_w1, pxn_b1, pxn_w2, pxn_b2, pxn_w3, pxn_b3};
    const size_t sizes[6] = {sizeof pxn_w1, sizeof pxn_b1, sizeof pxn_w2,
                             sizeof pxn_b2, sizeof pxn_w3, sizeof pxn_b3};
    uint32_t h = 2166136261u;
    for (int p = 0; p < 6; p++) {
        for (size_t i = 0; i < sizes[p] / sizeof(float); i++) {
            uint32_t u;
            memcpy(&u, &parts[p][i], sizeof u);
            for (int byte = 0; byte < 4; byte++)
                h = (h ^ ((u >> (8 * byte)) & 0xff)) * 16777619u;
        }
    }
    return h;
}
