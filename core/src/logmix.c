/*
 * The residual coder of a mixture of logistics, docs/MODEL.md §14 (the pixel network)
 * and §15 (the audio network): every decision on the residual's path from the
 * mixture's interval masses, float32 in the written order, exp as docs/MODEL.md §2.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "logmix.h"

#include "mathfn.h"

#define MIX BLM_LOGMIX_K
#define END_Z 1e30f /* the z of a boundary beyond the range's end */

void blm_logmix_from_outputs(const float *o, float base, float scale, float limit, int32_t lo, int32_t hi,
                             BlmLogisticMix *d)
{
    const float top = o[0] > o[1] ? (o[0] > o[2] ? o[0] : o[2]) : (o[1] > o[2] ? o[1] : o[2]);
    float e[MIX];
    for (int k = 0; k < MIX; k++)
        e[k] = blm_exp(o[k] - top);
    const float sum = (e[0] + e[1]) + e[2];
    for (int k = 0; k < MIX; k++) {
        float ls = o[2 * MIX + k];
        ls = ls < -limit ? -limit : ls > limit ? limit : ls;
        d->w[k] = e[k] / sum;
        d->centre[k] = base + o[MIX + k] * scale;
        d->inv_scale[k] = 1.0f / (blm_exp(ls) * scale);
    }
    d->w[MIX] = d->centre[MIX] = d->inv_scale[MIX] = 0.0f;
    d->lo = lo;
    d->hi = hi;
}

/* A boundary between two residual values: per logistic, its z and the masses below
 * (F) and above (S) it, each computed directly so that tails keep their precision.
 * The fourth lane is padding (BlmLogisticMix). */
typedef struct Bound {
    float z[MIX + 1], F[MIX + 1], S[MIX + 1];
} Bound;

static const Bound low_end = {{-END_Z, -END_Z, -END_Z, 0}, {0, 0, 0, 0}, {1, 1, 1, 0}};
static const Bound high_end = {{END_Z, END_Z, END_Z, 0}, {1, 1, 1, 0}, {0, 0, 0, 0}};

#if defined(__SSE2__)
/* the boundary at t + 1/2 between the values t and t + 1: the C below, the three
 * logistics side by side (element-wise operations give the same bits in any width;
 * blm_exp_sse2 is blm_exp's sequence, max and min being its two ifs) */
static void bound_at(const BlmLogisticMix *d, int32_t t, Bound *b)
{
    const __m128 x = _mm_set1_ps((float)t + 0.5f);
    const __m128 z = _mm_mul_ps(_mm_sub_ps(x, _mm_loadu_ps(d->centre)), _mm_loadu_ps(d->inv_scale));
    const __m128 neg = _mm_cmplt_ps(z, _mm_setzero_ps());
    const __m128 minus_z = _mm_xor_ps(z, _mm_set1_ps(-0.0f));
    const __m128 a = blm_exp_sse2(_mm_or_ps(_mm_and_ps(neg, z), _mm_andnot_ps(neg, minus_z)));   /* exp(-|z|) */
    const __m128 one_a = _mm_add_ps(_mm_set1_ps(1.0f), a);
    const __m128 hi = _mm_div_ps(_mm_set1_ps(1.0f), one_a), lo = _mm_div_ps(a, one_a);
    _mm_storeu_ps(b->z, z);
    _mm_storeu_ps(b->F, _mm_or_ps(_mm_and_ps(neg, lo), _mm_andnot_ps(neg, hi)));
    _mm_storeu_ps(b->S, _mm_or_ps(_mm_and_ps(neg, hi), _mm_andnot_ps(neg, lo)));
}
#else
/* the boundary at t + 1/2 between the values t and t + 1 */
static void bound_at(const BlmLogisticMix *d, int32_t t, Bound *b)
{
    const float x = (float)t + 0.5f;
    for (int k = 0; k < MIX; k++) {
        const float z = (x - d->centre[k]) * d->inv_scale[k];
        const float a = blm_exp(z < 0 ? z : -z);   /* exp(-|z|) */
        const float hi = 1.0f / (1.0f + a), lo = a / (1.0f + a);
        b->z[k] = z;
        b->F[k] = z < 0 ? lo : hi;
        b->S[k] = z < 0 ? hi : lo;
    }
}
#endif

/* logistic k's mass between the boundaries a < b: below its centre as F(b) - F(a),
 * above it as S(a) - S(b) */
static inline float part(const Bound *a, const Bound *b, int k)
{
    return a->z[k] + b->z[k] < 0 ? b->F[k] - a->F[k] : a->S[k] - b->S[k];
}

/* the mixture's mass between the boundaries a < b */
static float mass(const BlmLogisticMix *d, const Bound *a, const Bound *b)
{
    float m = 0.0f;
    for (int k = 0; k < MIX; k++)
        m += d->w[k] * part(a, b, k);
    return m;
}

int blm_logmix_gradient(const BlmLogisticMix *d, int32_t e, const float *o, float scale, float limit, float *g)
{
    Bound lo, hi;
    if (e > d->lo)
        bound_at(d, e - 1, &lo);
    else
        lo = low_end;
    if (e < d->hi)
        bound_at(d, e, &hi);
    else
        hi = high_end;
    float m[MIX], p = 0.0f;
    for (int k = 0; k < MIX; k++) {
        m[k] = part(&lo, &hi, k);
        p += d->w[k] * m[k];
    }
    if (!(p > 1e-30f))
        return 0;
    for (int k = 0; k < MIX; k++) {
        /* the densities F S at the two boundaries, and z F S (0 at a range's end) */
        const float f_lo = lo.F[k] * lo.S[k], f_hi = hi.F[k] * hi.S[k];
        const float fz_lo = e > d->lo ? f_lo * lo.z[k] : 0.0f, fz_hi = e < d->hi ? f_hi * hi.z[k] : 0.0f;
        const float r = d->w[k] / p, ls = o[2 * MIX + k];
        g[k] = d->w[k] - r * m[k];
        g[MIX + k] = r * d->inv_scale[k] * scale * (f_hi - f_lo);
        g[2 * MIX + k] = ls >= -limit && ls <= limit ? r * (fz_hi - fz_lo) : 0.0f;
    }
    return 1;
}

/* one decision with P(1) = one / (zero + one), or that probability refined by r */
static int decide(const BlmBitIo *io, float zero, float one, int bit, const BlmDecisionRefiner *r,
                  BlmResDecision kind, int len, int b, int prev)
{
    float q = one / (zero + one);
    if (!(q >= 0.0f))
        q = 0.5f;   /* NaN, or masses a hair below zero from rounding */
    else if (q > 1.0f)
        q = 1.0f;   /* so that the conversion is always defined */
    const uint32_t p = (uint32_t)(q * 65536.0f);
    if (r)
        return r->code(r->opaque, io, kind, len, b, prev, p < 32 ? 32 : p > 65504 ? 65504 : p, bit);
    return blm_bitio_code(io, p, bit);
}

int32_t blm_logmix_code(const BlmLogisticMix *d, const BlmBitIo *io, int32_t e)
{
    return blm_logmix_code_refined(d, io, e, NULL);
}

int32_t blm_logmix_code_refined(const BlmLogisticMix *d, const BlmBitIo *io, int32_t e,
                                const BlmDecisionRefiner *r)
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
    if (!decide(io, m_zero, m_neg + m_pos, enc && e != 0, r, BLM_RES_ZERO, 0, 0, 0))
        return 0;
    int neg = d->hi == 0;
    if (d->lo < 0 && d->hi > 0)
        neg = decide(io, m_pos, m_neg, enc && e < 0, r, BLM_RES_SIGN, 0, 0, 0);

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
        if (!decide(io, m_low, m_high, enc && m >= next, r, BLM_RES_LENGTH, len, 0, 0)) {
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
        if (decide(io, m_low, m_high, enc && m >= mid, r, BLM_RES_BIT, len, b, (int)(u >> (b + 1)) & 1)) {
            u = mid;
            bu = bmid;
        } else {
            v = mid - 1;
            bv = bmid;
        }
    }
    return neg ? -u : u;
}
