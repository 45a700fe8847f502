/*
 * The value map of a mode-6 frame; docs/MODEL.md §11 is normative. The map is coded
 * as one decision per value between the lowest and the highest used (those two are
 * used by definition), each with an adaptive counter chosen by how many of the
 * eight values below were used and by the value's magnitude: used values crowd
 * around zero and thin out towards the extremes, where a map saves most.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "valuemap.h"

#include <stdlib.h>
#include <string.h>

#include "bitio.h"
#include "bytelm/bytelm.h"

#define COUNTER_LIMIT 30

int blm_vmap_alloc(BlmValueMap *m)
{
    memset(m, 0, sizeof *m);
    m->below = malloc((BLM_VMAP_VALUES + 1) * sizeof *m->below);
    m->value = malloc(BLM_VMAP_VALUES * sizeof *m->value);
    if (!m->below || !m->value) {
        blm_vmap_free(m);
        return BYTELM_ENOMEM;
    }
    return 0;
}

void blm_vmap_free(BlmValueMap *m)
{
    free(m->below);
    free(m->value);
    m->below = NULL;
    m->value = NULL;
}

/* Fills below[] and value[] from used[v - lo] (0 or 1) in place of below[]. */
static void index_values(BlmValueMap *m)
{
    int32_t count = 0;
    for (int32_t v = m->lo; v <= m->hi; v++) {
        const int32_t used = m->below[v - m->lo];
        m->below[v - m->lo] = count;
        if (used)
            m->value[count++] = (int16_t)v;
    }
    m->below[m->hi - m->lo + 1] = count;
    m->count = count;
}

void blm_vmap_build(BlmValueMap *m, const int32_t *s, int n)
{
    int32_t lo = s[0], hi = s[0];
    for (int t = 1; t < n; t++) {
        lo = s[t] < lo ? s[t] : lo;
        hi = s[t] > hi ? s[t] : hi;
    }
    m->lo = lo;
    m->hi = hi;
    memset(m->below, 0, (size_t)(hi - lo + 1) * sizeof *m->below);
    for (int t = 0; t < n; t++)
        m->below[s[t] - lo] = 1;
    index_values(m);
}

/* log2(v) in 1/16 units for v >= 1, from the bit length and the next four bits */
static int32_t log2_16(uint32_t v)
{
    static const uint8_t frac[16] = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 14, 15};
    const int n = 32 - __builtin_clz(v);
    const uint32_t top = n > 5 ? v >> (n - 5) : v << (5 - n);
    return 16 * (n - 1) + frac[top & 15];
}

#define GAIN_REACH 16   /* values either side of a sample that its residual spans */
#define COST_BLOCK 64   /* values over which the map's cost is counted */

/* Each sample saves about log2 of how much of its neighbourhood the map removes;
 * the map costs about the entropy of its decisions, block by block. */
int64_t blm_vmap_net_gain(const BlmValueMap *m, const int32_t *s, int n)
{
    int64_t gain = 0, cost = 0;
    for (int t = 0; t < n; t++) {
        const int32_t a = s[t] - GAIN_REACH < m->lo ? m->lo : s[t] - GAIN_REACH;
        const int32_t b = s[t] + GAIN_REACH > m->hi ? m->hi : s[t] + GAIN_REACH;
        const int32_t used = blm_vmap_rank(m, b + 1) - blm_vmap_rank(m, a);
        gain += log2_16((uint32_t)(b - a + 1)) - log2_16((uint32_t)used);
    }
    for (int32_t a = m->lo; a <= m->hi; a += COST_BLOCK) {
        const int32_t b = a + COST_BLOCK - 1 > m->hi ? m->hi : a + COST_BLOCK - 1;
        const uint32_t len = (uint32_t)(b - a + 1);
        const uint32_t used = (uint32_t)(blm_vmap_rank(m, b + 1) - blm_vmap_rank(m, a));
        const int32_t l = log2_16(len);
        if (used > 0 && used < len)
            cost += (int64_t)used * (l - log2_16(used)) + (int64_t)(len - used) * (l - log2_16(len - used));
    }
    return gain - cost;
}

/* ---- coding ------------------------------------------------------------------ */

static int code_flat(const BlmBitIo *io, int bit)
{
    return blm_bitio_code(io, BLM_RC_TOTAL / 2, bit);
}

static int32_t code_bits16(const BlmBitIo *io, int32_t v)
{
    int32_t r = 0;
    for (int b = 15; b >= 0; b--)
        r = r << 1 | code_flat(io, (int)((v >> b) & 1));
    return r;
}

static inline int bit_length(uint32_t v)
{
    return v ? 32 - __builtin_clz(v) : 0;
}

static int code_map(BlmValueMap *m, const BlmBitIo *io)
{
    for (int u = 0; u < 9; u++)
        for (int b = 0; b < 17; b++)
            m->ctx[u][b] = BLM_COUNTER_INIT;
    /* lo as a 16-bit two's complement value, then hi - lo */
    const int32_t lo16 = code_bits16(io, m->lo & 0xffff);
    const int32_t lo = lo16 >= 32768 ? lo16 - 65536 : lo16;
    const int32_t hi = lo + code_bits16(io, m->hi - m->lo);
    if (hi > 32767)
        return BYTELM_EDESYNC;
    if (io->dec) {
        m->lo = lo;
        m->hi = hi;
        m->below[0] = 1;
        m->below[hi - lo] = 1;
    }
    uint32_t recent = 1; /* lo is used; the bit of v - 1 - i is bit i */
    for (int32_t v = lo + 1; v < hi; v++) {
        const int u = __builtin_popcount(recent & 0xff);
        const int b = bit_length((uint32_t)(v < 0 ? -v : v));
        uint32_t *c = &m->ctx[u][b];
        const int used = blm_bitio_code_counted(io, c, io->enc ? m->below[v - lo + 1] != m->below[v - lo] : 0,
                                                COUNTER_LIMIT);
        if (io->dec)
            m->below[v - lo] = used;
        recent = recent << 1 | (uint32_t)used;
    }
    if (io->dec)
        index_values(m);
    return 0;
}

void blm_vmap_encode(BlmValueMap *m, BlmRcEncoder *enc)
{
    const BlmBitIo io = {enc, NULL};
    code_map(m, &io);
}

int blm_vmap_decode(BlmValueMap *m, BlmRcDecoder *dec)
{
    const BlmBitIo io = {NULL, dec};
    return code_map(m, &io);
}

int blm_vmap_code_channel(BlmValueMap *m, BlmRcEncoder *enc, BlmRcDecoder *dec, const int32_t *s, int n)
{
    if (enc) {
        blm_vmap_build(m, s, n);
        const int flag = blm_vmap_net_gain(m, s, n) > 0;
        blm_rc_encode_bit(enc, BLM_RC_TOTAL / 2, flag);
        if (flag)
            blm_vmap_encode(m, enc);
        return flag;
    }
    const int flag = blm_rc_decode_bit(dec, BLM_RC_TOTAL / 2);
    return flag && blm_vmap_decode(m, dec) < 0 ? BYTELM_EDESYNC : flag;
}
