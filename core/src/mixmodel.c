/*
 * Context mixer (docs/MODEL.md §7): integer only, so encoder and decoder agree on
 * every machine. `>>` of a negative value is an arithmetic shift (floor), as on
 * every compiler this builds with (GCC and Clang document it).
 *
 * Probabilities are of a 1 bit. Inside the mixer they are 12-bit (0..4095) and move
 * to the logistic domain with stretch(p) = ln(p / (1 - p)), scaled by 256 and
 * clamped to ±2047; squash is its inverse, interpolated from 33 fixed points. The
 * secondary estimators keep 16 bits, which is also what the range coder takes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "mixmodel.h"

#include <pthread.h>
#include <string.h>

#define COUNT_LIMIT 15       /* a counter's rate stops falling at 1 / (15 + 1.5) */
#define MIX_SHIFT 11         /* mixer learning rate: 2^-11 of input x error */
#define WEIGHT_MAX (1 << 22) /* |weight| <= 64: no overflow whatever the input */
#define WEIGHT_ONE 65536
#define WEIGHT_CONTEXT 8000  /* a context counter's starting weight, about 1/8 */
#define SSE_SHIFT 5          /* secondary estimators move 1/32 of the way */
#define P16_MIN 16           /* the coded probability stays within [16, 65520] / 65536 */

enum { IN_MODEL, IN_MATCH, IN_CONTEXT, IN_ORDER0 = IN_CONTEXT + BLM_MIX_ORDERS, IN_BIAS };
_Static_assert(IN_BIAS + 1 == BLM_MIX_INPUTS, "inputs");

/* Orders of the hashed contexts; the last one is the word. */
static const int context_order[BLM_MIX_ORDERS - 1] = {1, 2, 3, 4, 5, 6, 8, 11, 16, 24, 32};

/* 4096 / (1 + e^(-x / 256)) at x = -2048, -1920, ..., 2048, rounded. */
static const int16_t squash_points[33] = {
    1,    2,    4,    6,    10,   17,   27,   45,   74,   120,  194,
    311,  488,  747,  1102, 1546, 2048, 2550, 2994, 3349, 3608, 3785,
    3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090, 4092, 4094, 4095};

static int16_t stretch_table[4096];
static uint32_t rate_table[COUNT_LIMIT + 1]; /* 2^17 / (2n + 3) = 2^16 / (n + 1.5) */

static int squash(int x)
{
    if (x > 2047)
        x = 2047;
    if (x < -2047)
        x = -2047;
    const int i = (x + 2048) >> 7, w = (x + 2048) & 127;
    return (squash_points[i] * (128 - w) + squash_points[i + 1] * w + 64) >> 7;
}

/* stretch(p): the smallest x whose squash reaches p, built from squash alone so it
 * is the same everywhere. */
static void init_tables(void)
{
    int p = 0;
    for (int x = -2047; x <= 2047; x++)
        for (const int v = squash(x); p <= v; p++)
            stretch_table[p] = (int16_t)x;
    for (; p < 4096; p++)
        stretch_table[p] = 2047;
    for (uint32_t n = 0; n <= COUNT_LIMIT; n++)
        rate_table[n] = (1u << 17) / (2 * n + 3);
}

static int stretch(int p12)
{
    return stretch_table[p12];
}

/* A counter: P(1) in 12 bits over the number of updates (0..COUNT_LIMIT) in 4. */
#define COUNTER_HALF (2048u << 4)

static int counter_p12(uint16_t c)
{
    return c >> 4;
}

static void counter_update(uint16_t *c, int bit)
{
    const uint32_t n = *c & 15, r = rate_table[n];
    uint32_t p = *c >> 4;
    if (bit)
        p += ((4095 - p) * r) >> 16;
    else
        p -= (p * r) >> 16;
    *c = (uint16_t)(p << 4 | (n < COUNT_LIMIT ? n + 1 : n));
}

void blm_mix_reset(BlmMix *m)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_tables);
    blm_match_reset(&m->match);
    for (int k = 0; k < BLM_MIX_ORDERS; k++)
        for (size_t i = 0; i < ((size_t)1 << BLM_MIX_HASH_BITS); i++)
            m->counter[k][i] = COUNTER_HALF;
    for (int i = 0; i < 256; i++)
        m->order0[i] = COUNTER_HALF;
    /* Start as mode 3 codes, the match-shaped table alone, and a little of each context. */
    for (int s = 0; s < BLM_MIX_SETS; s++)
        for (int i = 0; i < BLM_MIX_INPUTS; i++)
            m->weight[s][i] = i == IN_MATCH                        ? WEIGHT_ONE
                              : i >= IN_CONTEXT && i <= IN_ORDER0 ? WEIGHT_CONTEXT
                                                                  : 0;
    uint16_t row[33]; /* every SSE row starts as the identity */
    for (int j = 0; j < 33; j++)
        row[j] = (uint16_t)(squash((j - 16) * 128) * 16);
    for (int c = 0; c < 7 * 256; c++)
        memcpy(&m->sse_match[c * 33], row, sizeof(row));
    for (int c = 0; c < 65536; c++)
        memcpy(&m->sse_order1[c * 33], row, sizeof(row));
    m->word = 0;
    m->last = 0;
}

static uint32_t hash_order(const uint8_t *hist, size_t t, int order, uint32_t salt)
{
    uint32_t h = salt * 0x3C6EF372u;
    for (int i = 1; i <= order; i++)
        h = (h + (t >= (size_t)i ? hist[t - (size_t)i] : 0) + 1) * 0x9E3779B1u;
    return h;
}

static void prefix_sums(const uint32_t f[256], uint32_t cum[257])
{
    cum[0] = 0;
    for (int c = 0; c < 256; c++)
        cum[c + 1] = cum[c] + f[c];
}

static int is_word_byte(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 128;
}

static void begin_token(BlmMix *m, const uint32_t freqs[256], const uint8_t *hist, size_t t)
{
    m->last = t ? hist[t - 1] : 0;
    uint32_t shaped[256];
    memcpy(shaped, freqs, sizeof(shaped));
    blm_match_apply(&m->match, hist, shaped);
    prefix_sums(freqs, m->cum_model);
    prefix_sums(shaped, m->cum_match);

    for (int k = 0; k < BLM_MIX_ORDERS - 1; k++)
        m->ctx_hash[k] = hash_order(hist, t, context_order[k], (uint32_t)k + 1);
    m->ctx_hash[BLM_MIX_ORDERS - 1] = ((m->word + m->last + 1) * 0x9E3779B1u) ^ 0x5BD1E995u;

    const uint32_t len = m->match.len;
    m->match_state = !len ? 0 : len < 16 ? 1 : len < 32 ? 2 : 3;
    m->predicted = len ? hist[m->match.ptr] : -1;
}

/* P(1) of the next bit under a table, from its prefix sums: the tokens under node
 * c0 (the bits so far behind a leading 1) whose next bit is 1, against all of them. */
static int table_p12(const uint32_t cum[257], uint32_t c0, int depth)
{
    const uint32_t width = 256u >> depth;
    const uint32_t lo = (c0 - (1u << depth)) * width;
    const uint32_t all = cum[lo + width] - cum[lo];
    const uint32_t ones = cum[lo + width] - cum[lo + width / 2];
    const uint32_t p = (ones * 4096 + all / 2) / all;
    return p < 1 ? 1 : p > 4095 ? 4095 : (int)p;
}

/* A secondary estimate from the row of 33 cells at table[row]: the two around
 * stretch st interpolated; *at is the index of the nearer one, the one that learns. */
static uint32_t sse_p16(const uint16_t *table, uint32_t row, int st, uint32_t *at)
{
    const uint16_t *cells = table + row;
    const int s = st + 2048, j = s >> 7, w = s & 127;
    *at = row + (uint32_t)(j + (w >> 6));
    return (cells[j] * (uint32_t)(128 - w) + cells[j + 1] * (uint32_t)w) >> 7;
}

static uint32_t predict_bit(BlmMix *m, uint32_t c0, int depth)
{
    const uint32_t node = c0 * 0x2545F491u;
    for (int k = 0; k < BLM_MIX_ORDERS; k++)
        m->slot[k] = &m->counter[k][(m->ctx_hash[k] ^ node) >> (32 - BLM_MIX_HASH_BITS)];
    m->slot[BLM_MIX_ORDERS] = &m->order0[c0];

    int32_t *in = m->in;
    in[IN_MODEL] = stretch(table_p12(m->cum_model, c0, depth));
    in[IN_MATCH] = stretch(table_p12(m->cum_match, c0, depth));
    for (int k = 0; k <= BLM_MIX_ORDERS; k++)
        in[IN_CONTEXT + k] = stretch(counter_p12(*m->slot[k]));
    in[IN_BIAS] = 256;

    /* Three mixers, by match length and bit position, by the bits so far and by the
     * last token, averaged in the logistic domain. */
    m->set[0] = m->match_state * 8 + depth;
    m->set[1] = 32 + (int)c0;
    m->set[2] = 32 + 256 + m->last;
    int sum = 0;
    for (int k = 0; k < 3; k++) {
        const int32_t *w = m->weight[m->set[k]];
        int64_t dot = 0;
        for (int i = 0; i < BLM_MIX_INPUTS; i++)
            dot += (int64_t)w[i] * in[i];
        dot >>= 16;
        const int st = dot > 2047 ? 2047 : dot < -2047 ? -2047 : (int)dot;
        m->p_set[k] = squash(st);
        sum += st;
    }
    const int st = (sum * 21) >> 6; /* about a third */
    m->p_mix = squash(st);

    /* While the bits so far agree with the match model's token: its next bit and
     * how long the match is; else 0. */
    uint32_t mctx = 0;
    if (m->predicted >= 0 && (uint32_t)(m->predicted + 256) >> (8 - depth) == c0)
        mctx = (uint32_t)m->match_state + 3 * (uint32_t)((m->predicted >> (7 - depth)) & 1);
    const uint32_t row0 = (mctx << 8 | c0) * 33, row1 = ((uint32_t)m->last << 8 | c0) * 33;
    const uint32_t a = sse_p16(m->sse_match, row0, st, &m->sse_match_at);
    const uint32_t b = sse_p16(m->sse_order1, row1, st, &m->sse_order1_at);
    const uint32_t p = ((uint32_t)m->p_mix * 16 + a + 2 * b) >> 2;
    return p < P16_MIN ? P16_MIN : p > 65536 - P16_MIN ? 65536 - P16_MIN : p;
}

static void update_bit(BlmMix *m, int bit)
{
    for (int k = 0; k < 3; k++) { /* each mixer learns from its own error */
        const int err = (bit << 12) - m->p_set[k];
        int32_t *w = m->weight[m->set[k]];
        for (int i = 0; i < BLM_MIX_INPUTS; i++) {
            const int32_t v = w[i] + ((m->in[i] * err) >> MIX_SHIFT);
            w[i] = v > WEIGHT_MAX ? WEIGHT_MAX : v < -WEIGHT_MAX ? -WEIGHT_MAX : v;
        }
    }
    for (int k = 0; k <= BLM_MIX_ORDERS; k++)
        counter_update(m->slot[k], bit);
    uint16_t *cells[2] = {&m->sse_match[m->sse_match_at], &m->sse_order1[m->sse_order1_at]};
    for (int i = 0; i < 2; i++) {
        const int v = *cells[i];
        *cells[i] = (uint16_t)(v + (((bit ? 65535 : 0) - v) >> SSE_SHIFT));
    }
}

static void end_token(BlmMix *m, const uint8_t *hist, size_t t)
{
    const int c = hist[t];
    if (is_word_byte(c))
        m->word = (m->word + (uint32_t)(c >= 'A' && c <= 'Z' ? c + 32 : c) + 1) * 0x2F0B4A13u;
    else
        m->word = 0;
    blm_match_update(&m->match, hist, t);
}

void blm_mix_encode(BlmMix *m, BlmRcEncoder *rc, const uint32_t freqs[256], const uint8_t *hist,
                    size_t t)
{
    begin_token(m, freqs, hist, t);
    const int tok = hist[t];
    uint32_t c0 = 1;
    for (int depth = 0; depth < 8; depth++) {
        const int bit = (tok >> (7 - depth)) & 1;
        blm_rc_encode_bit(rc, predict_bit(m, c0, depth), bit);
        update_bit(m, bit);
        c0 = c0 << 1 | (uint32_t)bit;
    }
    end_token(m, hist, t);
}

int blm_mix_decode(BlmMix *m, BlmRcDecoder *rc, const uint32_t freqs[256], uint8_t *hist, size_t t)
{
    begin_token(m, freqs, hist, t);
    uint32_t c0 = 1;
    for (int depth = 0; depth < 8; depth++) {
        const int bit = blm_rc_decode_bit(rc, predict_bit(m, c0, depth));
        update_bit(m, bit);
        c0 = c0 << 1 | (uint32_t)bit;
    }
    hist[t] = (uint8_t)(c0 & 255);
    end_token(m, hist, t);
    return hist[t];
}
