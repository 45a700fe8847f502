/*
 * Match model (docs/MODEL.md §6): integer only, so encoder and decoder agree on
 * every machine.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "matchmodel.h"

#include <string.h>

#define VERIFY_MAX 32       /* tokens compared backwards to confirm a hash hit */
#define Q_MAX (65536 - 320) /* the other 255 tokens always keep some probability */

void blm_match_reset(BlmMatch *m)
{
    memset(m->table_short, 0, sizeof(m->table_short));
    memset(m->table_long, 0, sizeof(m->table_long));
    m->ptr = m->len = 0;
    m->ctx = -1;
    for (int i = 0; i < BLM_MATCH_LEN_BUCKETS * BLM_MATCH_CONF_BUCKETS; i++)
        m->hit[i] = 1u << 15;
}

static uint32_t hash_context(const uint8_t *p, int n)
{
    uint32_t h = 0;
    for (int i = 0; i < n; i++)
        h = (h + p[i] + 1) * 0x9E3779B1u;
    return h >> (32 - BLM_MATCH_HASH_BITS);
}

/* Short matches one by one, long ones by octave: a match of 500 tokens is about as
 * reliable as one of 300. */
static int len_bucket(uint32_t len)
{
    if (len < BLM_MATCH_MIN + 10)
        return (int)(len - BLM_MATCH_MIN);
    if (len < 24)
        return 10;
    if (len < 32)
        return 11;
    if (len < 64)
        return 12;
    if (len < 128)
        return 13;
    return len < 512 ? 14 : 15;
}

static int conf_bucket(uint32_t f)
{
    return f < 4096 ? 0 : f < 16384 ? 1 : f < 49152 ? 2 : 3;
}

void blm_match_apply(BlmMatch *m, const uint8_t *hist, uint32_t freqs[256])
{
    m->ctx = -1;
    if (!m->len)
        return;
    const int pred = hist[m->ptr];
    const uint32_t f = freqs[pred];
    m->ctx = len_bucket(m->len) * BLM_MATCH_CONF_BUCKETS + conf_bucket(f);
    uint32_t q = m->hit[m->ctx];
    if (q > Q_MAX)
        q = Q_MAX;
    if (q <= f + 256)
        return; /* the transformer is already at least this sure */
    /* The other tokens share 65536 - q in the model's proportions; the predicted one
     * takes the rest, which is >= q - 255 since each rounding adds at most 1. */
    const uint64_t mult = ((uint64_t)(65536 - q) << 16) / (65536 - f);
    uint32_t others = 0;
    for (int c = 0; c < 256; c++) {
        if (c == pred)
            continue;
        uint32_t v = (uint32_t)(((uint64_t)freqs[c] * mult) >> 16);
        freqs[c] = v ? v : 1;
        others += freqs[c];
    }
    freqs[pred] = 65536 - others;
}

/* Takes the candidate at cand if at least min_len tokens before it (checked, since
 * hashes collide) equal the last ones, and more of them than the current match has. */
static void follow(BlmMatch *m, const uint8_t *hist, size_t n, uint32_t cand, uint32_t min_len)
{
    if (!cand)
        return;
    uint32_t l = 0;
    while (l < VERIFY_MAX && l < cand && hist[cand - 1 - l] == hist[n - 1 - l])
        l++;
    if (l >= min_len && l > m->len) {
        m->len = l;
        m->ptr = cand;
    }
}

void blm_match_update(BlmMatch *m, const uint8_t *hist, size_t t)
{
    if (m->len) {
        const int right = hist[m->ptr] == hist[t];
        if (m->ctx >= 0) {
            uint16_t *p = &m->hit[m->ctx];
            *p = right ? (uint16_t)(*p + ((65535u - *p) >> 5)) : (uint16_t)(*p - (*p >> 5));
        }
        if (right) {
            m->ptr++;
            if (m->len < (1u << 30))
                m->len++;
        } else {
            m->len = 0;
        }
    }
    m->ctx = -1;
    const size_t n = t + 1;
    if (n >= BLM_MATCH_LONG) {
        const uint32_t h = hash_context(hist + n - BLM_MATCH_LONG, BLM_MATCH_LONG);
        if (m->len < BLM_MATCH_LONG)
            follow(m, hist, n, m->table_long[h], BLM_MATCH_LONG);
        m->table_long[h] = (uint32_t)n;
    }
    if (n >= BLM_MATCH_MIN) {
        const uint32_t h = hash_context(hist + n - BLM_MATCH_MIN, BLM_MATCH_MIN);
        if (!m->len)
            follow(m, hist, n, m->table_short[h], BLM_MATCH_MIN);
        m->table_short[h] = (uint32_t)n;
    }
}
