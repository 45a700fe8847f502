/*
 * The mode-6 residual coder; docs/MODEL.md §10 is normative. Each decision's
 * probability mixes three adaptive counters (contexts of the fast and the slow
 * running scale and of the last error) in the logistic domain, as paq-class coders
 * do, then an SSE table refines it; integer arithmetic throughout. The logistic
 * tables are those of the bytes path's mixer (mixmodel.c) at 16 bits instead of 12:
 * the length decisions are often certain to 1/10000, which 12 bits cannot say, and
 * mode 4's bits fix that mixer's tables.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "residualcoder.h"

#include <pthread.h>
#include <string.h>

#include "bitio.h"

#define ST_MAX BLM_RES_ST_MAX
#define COUNT_LIMIT 255
#define MIX_SHIFT 10
#define MIX_INIT 21845 /* 1/3 in 16.16 */
#define SSE_SHIFT 6

/* 65536 / (1 + e^-(i - 16) / 2), i = 0..32: the logistic function every 1/2 */
const int32_t blm_res_squash_knots[33] = {
    22,    36,    60,    98,    162,   267,   439,   720,   1179,  1921,  3108,
    4971,  7812,  11955, 17625, 24743, 32768, 40793, 47911, 53581, 57724, 60565,
    62428, 63615, 64357, 64816, 65097, 65269, 65374, 65438, 65476, 65500, 65514};

int16_t blm_res_stretch_table[4096];

/* The inverse of squash on p >> 4, built by integers alone so that every machine
 * builds the same table. */
static void init_tables(void)
{
    int32_t pi = 0;
    for (int32_t d = -ST_MAX; d <= ST_MAX; d++) {
        const int32_t v = blm_res_squash(d) >> 4;
        for (int32_t j = pi; j <= v && j < 4096; j++)
            blm_res_stretch_table[j] = (int16_t)d;
        if (v + 1 > pi)
            pi = v + 1;
    }
    for (int32_t j = pi; j < 4096; j++)
        blm_res_stretch_table[j] = ST_MAX;
}


/* One decision: three counters mixed in the logistic domain with a weight set
 * of this decision and scale, then refined by an SSE table on the mixed
 * probability (interpolated between its two nearest knots). All learn. */
static void peek_decision(BlmResChannel *ch, int d, int qf, int qs, int ql, BlmResPeek *pk)
{
    pk->c[0] = &ch->by_fast[d][qf];
    pk->c[1] = &ch->by_slow[d][qs];
    pk->c[2] = &ch->by_last[d][ql];
    pk->w = ch->mix_w[d][qf];
    pk->s[0] = blm_res_stretch(blm_counter_p(*pk->c[0]));
    pk->s[1] = blm_res_stretch(blm_counter_p(*pk->c[1]));
    pk->s[2] = blm_res_stretch(blm_counter_p(*pk->c[2]));
    pk->s[3] = 256;
    const int32_t *w = pk->w;
    const int64_t dot = (int64_t)w[0] * pk->s[0] + (int64_t)w[1] * pk->s[1] + (int64_t)w[2] * pk->s[2] +
                        (int64_t)w[3] * pk->s[3];
    int32_t st = (int32_t)(dot >> 16);
    if (st > ST_MAX) st = ST_MAX;
    if (st < -ST_MAX) st = -ST_MAX;
    pk->pm = blm_res_squash(st);
    /* SSE: knots every 128 units of the logistic domain */
    pk->sse = ch->sse[d][qf];
    const int32_t pos = st + ST_MAX + 1;         /* 1..4095 */
    pk->j = pos >> 7;
    pk->frac = pos & 127;
    const uint16_t *t = pk->sse;
    const int32_t ps = (t[pk->j] * (128 - pk->frac) + t[pk->j + 1] * pk->frac) >> 7;
    pk->p = (uint32_t)((pk->pm + 3 * ps) >> 2);
}

static void learn_decision(const BlmResPeek *pk, int bit)
{
    const int32_t err = ((bit ? 65536 : 0) - pk->pm) >> 4;
    int32_t *w = pk->w;
    w[0] += (pk->s[0] * err) >> MIX_SHIFT;
    w[1] += (pk->s[1] * err) >> MIX_SHIFT;
    w[2] += (pk->s[2] * err) >> MIX_SHIFT;
    w[3] += (pk->s[3] * err) >> MIX_SHIFT;
    const int32_t target = bit ? 65535 : 0;
    uint16_t *t = pk->sse;
    const int32_t j = pk->j;
    if (pk->frac < 96)
        t[j] = (uint16_t)(t[j] + ((target - t[j]) >> SSE_SHIFT));
    if (pk->frac > 32)
        t[j + 1] = (uint16_t)(t[j + 1] + ((target - t[j + 1]) >> SSE_SHIFT));
    blm_counter_update(pk->c[0], bit, 60);
    blm_counter_update(pk->c[1], bit, COUNT_LIMIT);
    blm_counter_update(pk->c[2], bit, 60);
}

static int code_decision(const BlmBitIo *io, BlmResChannel *ch, int d, int qf, int qs, int ql, int bit)
{
    BlmResPeek pk;
    peek_decision(ch, d, qf, qs, ql, &pk);
    bit = blm_bitio_code(io, pk.p, bit);
    learn_decision(&pk, bit);
    return bit;
}

static inline int bit_length(uint32_t v)
{
    return v ? 32 - __builtin_clz(v) : 0;
}

/* Scale context: twice the bit length of v plus the bit below its top one. */
static inline int scale_ctx(uint32_t v)
{
    const int n = bit_length(v);
    int q = n < 2 ? n : 2 * n - 2 + (int)((v >> (n - 2)) & 1);
    return q < BLM_RES_SCALES ? q : BLM_RES_SCALES - 1;
}

void blm_residual_coder_init(BlmResidualCoder *rc, int channels)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_tables);
    memset(rc, 0, sizeof *rc);
    rc->channels = channels;
    for (int c = 0; c < channels; c++) {
        BlmResChannel *ch = &rc->ch[c];
        for (int d = 0; d < BLM_RES_DECISIONS; d++)
            for (int q = 0; q < BLM_RES_SCALES; q++) {
                ch->by_fast[d][q] = ch->by_slow[d][q] = ch->by_last[d][q] = BLM_COUNTER_INIT;
                ch->mix_w[d][q][0] = ch->mix_w[d][q][1] = ch->mix_w[d][q][2] = MIX_INIT;
                for (int k = 0; k < BLM_RES_SSE; k++) {
                    const int32_t v = blm_res_squash((k - 16) * 128);
                    ch->sse[d][q][k] = (uint16_t)(v > 65535 ? 65535 : v);
                }
            }
        for (int b = 0; b < BLM_RES_BITS; b++)
            for (int k = 0; k < BLM_RES_BITS; k++)
                ch->low[b][k] = BLM_COUNTER_INIT;
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 4; j++)
                ch->sign[k][j] = BLM_COUNTER_INIT;
        ch->last_sign = 1;
    }
}

void blm_residual_coder_start_from(BlmResidualCoder *rc, const BlmResChannel *const *start)
{
    for (int c = 0; c < rc->channels; c++)
        if (start[c])
            rc->ch[c] = *start[c];
}

static void cap_count(uint32_t *c, uint32_t cap)
{
    if ((*c & 0xffff) > cap)
        *c = (*c & 0xffff0000u) | cap;
}

void blm_residual_channel_settle(BlmResChannel *ch, uint32_t cap)
{
    for (int d = 0; d < BLM_RES_DECISIONS; d++)
        for (int q = 0; q < BLM_RES_SCALES; q++) {
            cap_count(&ch->by_fast[d][q], cap);
            cap_count(&ch->by_slow[d][q], cap);
            cap_count(&ch->by_last[d][q], cap);
        }
    for (int b = 0; b < BLM_RES_BITS; b++)
        for (int k = 0; k < BLM_RES_BITS; k++)
            cap_count(&ch->low[b][k], cap);
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 4; j++)
            cap_count(&ch->sign[k][j], cap);
    ch->fast = ch->slow = ch->last = 0;
    ch->last_sign = 1;
}

int blm_residual_scale_ctx(uint32_t v)
{
    return scale_ctx(v);
}

/* Codes e (encoder) or returns it (decoder); the same walk for both. */
static int32_t code_residual(BlmResidualCoder *rc, const BlmBitIo *io, int c, int32_t e, int hint,
                             int qf, int qs, int ql)
{
    BlmResChannel *ch = &rc->ch[c];
    uint32_t m = (uint32_t)(e < 0 ? -e : e);

    if (code_decision(io, ch, 0, qf, qs, ql, m != 0)) {
        const int nb = bit_length(m);
        int len = 1;
        for (; len < 16; len++)
            if (!code_decision(io, ch, len, qf, qs, ql, nb > len))
                break;
        /* m has len bits, its top one set */
        uint32_t v = 1;
        for (int b = len - 2; b >= 0; b--) {
            const int want = (int)((m >> b) & 1);
            const int top = len - 2 - b; /* 0 for the first bit below the top */
            int bit;
            if (top < 2) {
                const int d = 16 + (top == 0 ? 0 : 1 + (int)(v & 1));
                bit = code_decision(io, ch, d, qf, qs, len, want);
            } else {
                bit = blm_bitio_code_counted(io, &ch->low[len][b], want, COUNT_LIMIT);
            }
            v = v << 1 | (uint32_t)bit;
        }
        m = v;
        const int neg = blm_bitio_code_counted(io, &ch->sign[ch->last_sign][hint & 3], e < 0, COUNT_LIMIT);
        e = neg ? -(int32_t)m : (int32_t)m;
    } else {
        e = 0;
    }
    blm_residual_coded(ch, e);
    return e;
}

void blm_residual_coded(BlmResChannel *ch, int32_t e)
{
    const uint32_t m = (uint32_t)(e < 0 ? -e : e);
    ch->last_sign = e < 0 ? 0 : e > 0 ? 2 : 1;
    ch->fast = ch->fast - (ch->fast >> 4) + m;
    ch->slow = ch->slow - (ch->slow >> 7) + m;
    ch->last = m;
}

void blm_residual_peek(BlmResChannel *ch, BlmResContext q, BlmResDecision kind, int len, int b, int prev,
                       int hint, BlmResPeek *pk)
{
    switch (kind) {
    case BLM_RES_ZERO:
        peek_decision(ch, 0, q.a, q.b, q.l, pk);
        return;
    case BLM_RES_LENGTH:
        peek_decision(ch, len, q.a, q.b, q.l, pk);
        return;
    case BLM_RES_BIT:
        if (len - 2 - b < 2) {
            peek_decision(ch, 16 + (len - 2 - b == 0 ? 0 : 1 + (prev & 1)), q.a, q.b, len, pk);
            return;
        }
        pk->c[0] = &ch->low[len][b];
        break;
    case BLM_RES_SIGN:
        pk->c[0] = &ch->sign[ch->last_sign][hint & 3];
        break;
    }
    pk->w = NULL; /* a counter alone */
    pk->p = blm_counter_p(*pk->c[0]);
}

void blm_residual_learn(const BlmResPeek *pk, int bit)
{
    if (pk->w)
        learn_decision(pk, bit);
    else
        blm_counter_update(pk->c[0], bit, COUNT_LIMIT);
}
/* The contexts of mode 6: the channel's fast and slow running scale, its last error. */
static BlmResContext own_context(const BlmResChannel *ch)
{
    return (BlmResContext){scale_ctx(ch->fast), scale_ctx(ch->slow >> 3), scale_ctx(ch->last << 4)};
}

void blm_residual_encode(BlmResidualCoder *rc, BlmRcEncoder *enc, int c, int32_t e, int hint)
{
    blm_residual_encode_ctx(rc, enc, c, e, hint, own_context(&rc->ch[c]));
}

int32_t blm_residual_decode(BlmResidualCoder *rc, BlmRcDecoder *dec, int c, int hint)
{
    return blm_residual_decode_ctx(rc, dec, c, hint, own_context(&rc->ch[c]));
}

void blm_residual_encode_ctx(BlmResidualCoder *rc, BlmRcEncoder *enc, int c, int32_t e, int hint,
                             BlmResContext q)
{
    const BlmBitIo io = {enc, NULL};
    code_residual(rc, &io, c, e, hint, q.a, q.b, q.l);
}

int32_t blm_residual_decode_ctx(BlmResidualCoder *rc, BlmRcDecoder *dec, int c, int hint,
                                BlmResContext q)
{
    const BlmBitIo io = {NULL, dec};
    return code_residual(rc, &io, c, 0, hint, q.a, q.b, q.l);
}
