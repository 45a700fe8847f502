/*
 * The learned starting states of the residual coder: the built-in file parsed once,
 * on first use. docs/MODEL.md §13 gives the layout; every field little-endian.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "coderstates.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"

/* tools/embed_states.py: the bytes of models/bytelm-coder-states-v1.bin */
extern const unsigned char blm_builtin_coder_states[];
extern const size_t blm_builtin_coder_states_size;

#define HEADER_BYTES 16
#define COUNTERS (3 * BLM_RES_DECISIONS * BLM_RES_SCALES + BLM_RES_BITS * BLM_RES_BITS + 3 * 4)
#define STATE_BYTES                                                                             \
    (4 * COUNTERS + 4 * BLM_RES_DECISIONS * BLM_RES_SCALES * BLM_RES_INPUTS +                   \
     2 * BLM_RES_DECISIONS * BLM_RES_SCALES * BLM_RES_SSE)

#define BIAS_BYTES (2 * 8 * BLM_STATES_BIAS_CONTEXTS)

static const int set_first[BLM_STATES_SETS + 1] = {0, 1, 3, 4, 7};

size_t blm_coder_states_file_size(void)
{
    return HEADER_BYTES + (size_t)BLM_STATES_COUNT * STATE_BYTES +
           (size_t)BLM_STATES_BIAS_PLANES * BIAS_BYTES + 32;
}

/* One walk over a state's fields, in the file's order, reading or writing. */
typedef struct Cursor {
    const uint8_t *in;
    uint8_t *out;
    int bad;
} Cursor;

static void u32(Cursor *cur, uint32_t *v)
{
    if (cur->in) {
        *v = (uint32_t)cur->in[0] | (uint32_t)cur->in[1] << 8 | (uint32_t)cur->in[2] << 16 |
             (uint32_t)cur->in[3] << 24;
        cur->in += 4;
    } else {
        for (int k = 0; k < 4; k++)
            *cur->out++ = (uint8_t)(*v >> 8 * k);
    }
}

/* A counter: its count indexes blm_counter_rate, so it must stay below 256. */
static void counter(Cursor *cur, uint32_t *c)
{
    u32(cur, c);
    if ((*c & 0xffff) > 255)
        cur->bad = 1;
}

static void u16(Cursor *cur, uint16_t *v)
{
    if (cur->in) {
        *v = (uint16_t)(cur->in[0] | cur->in[1] << 8);
        cur->in += 2;
    } else {
        *cur->out++ = (uint8_t)*v;
        *cur->out++ = (uint8_t)(*v >> 8);
    }
}

static void walk_state(Cursor *cur, BlmResChannel *ch)
{
    uint32_t(*const sets[3])[BLM_RES_SCALES] = {ch->by_fast, ch->by_slow, ch->by_last};
    for (int k = 0; k < 3; k++)
        for (int d = 0; d < BLM_RES_DECISIONS; d++)
            for (int q = 0; q < BLM_RES_SCALES; q++)
                counter(cur, &sets[k][d][q]);
    for (int b = 0; b < BLM_RES_BITS; b++)
        for (int j = 0; j < BLM_RES_BITS; j++)
            counter(cur, &ch->low[b][j]);
    for (int s = 0; s < 3; s++)
        for (int h = 0; h < 4; h++)
            counter(cur, &ch->sign[s][h]);
    for (int d = 0; d < BLM_RES_DECISIONS; d++)
        for (int q = 0; q < BLM_RES_SCALES; q++)
            for (int i = 0; i < BLM_RES_INPUTS; i++)
                u32(cur, (uint32_t *)&ch->mix_w[d][q][i]);
    for (int d = 0; d < BLM_RES_DECISIONS; d++)
        for (int q = 0; q < BLM_RES_SCALES; q++)
            for (int k = 0; k < BLM_RES_SSE; k++)
                u16(cur, &ch->sse[d][q][k]);
}

/* A binary64, as its bits; a bias table's values must be finite, its counts in
 * [0, 256) as mode 7 keeps them. */
static void f64(Cursor *cur, double *v)
{
    uint64_t bits = 0;
    if (cur->in) {
        for (int k = 0; k < 8; k++)
            bits |= (uint64_t)cur->in[k] << 8 * k;
        cur->in += 8;
        memcpy(v, &bits, 8);
    } else {
        memcpy(&bits, v, 8);
        for (int k = 0; k < 8; k++)
            *cur->out++ = (uint8_t)(bits >> 8 * k);
    }
}

static void walk_bias(Cursor *cur, BlmPixelBias *b)
{
    for (int k = 0; k < BLM_STATES_BIAS_CONTEXTS; k++) {
        f64(cur, &b->sum[k]);
        if (!isfinite(b->sum[k]))
            cur->bad = 1;
    }
    for (int k = 0; k < BLM_STATES_BIAS_CONTEXTS; k++) {
        f64(cur, &b->count[k]);
        if (!(b->count[k] >= 0.0 && b->count[k] < 256.0))
            cur->bad = 1;
    }
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int k = 0; k < 4; k++)
        p[k] = (uint8_t)(v >> 8 * k);
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void blm_coder_states_write(const BlmResChannel *states, const BlmPixelBias *bias, uint8_t *out)
{
    memcpy(out, BLM_STATES_MAGIC, 4);
    put_u32(out + 4, BLM_STATES_VERSION);
    put_u32(out + 8, BLM_STATES_COUNT);
    put_u32(out + 12, STATE_BYTES);
    Cursor cur = {NULL, out + HEADER_BYTES, 0};
    for (int s = 0; s < BLM_STATES_COUNT; s++) {
        BlmResChannel copy = states[s];   /* walk_state takes a writable state */
        walk_state(&cur, &copy);
    }
    for (int p = 0; p < BLM_STATES_BIAS_PLANES; p++) {
        BlmPixelBias copy = bias[p];
        walk_bias(&cur, &copy);
    }
    blm_sha256(out, (size_t)(cur.out - out), cur.out);
}

int blm_coder_states_parse(const uint8_t *data, size_t len, BlmResChannel *states, BlmPixelBias *bias)
{
    uint8_t hash[32];
    if (len != blm_coder_states_file_size() || memcmp(data, BLM_STATES_MAGIC, 4) ||
        get_u32(data + 4) != BLM_STATES_VERSION || get_u32(data + 8) != BLM_STATES_COUNT ||
        get_u32(data + 12) != STATE_BYTES || blm_sha256(data, len - 32, hash) < 0 ||
        memcmp(hash, data + len - 32, 32))
        return BYTELM_EFORMAT;
    Cursor cur = {data + HEADER_BYTES, NULL, 0};
    for (int s = 0; s < BLM_STATES_COUNT; s++) {
        memset(&states[s], 0, sizeof states[s]);
        walk_state(&cur, &states[s]);
        states[s].last_sign = 1;   /* as blm_residual_coder_init; scales stay 0 */
    }
    for (int p = 0; p < BLM_STATES_BIAS_PLANES; p++)
        walk_bias(&cur, &bias[p]);
    return cur.bad ? BYTELM_EFORMAT : 0;
}

static BlmResChannel builtin[BLM_STATES_COUNT];
static const BlmResChannel *builtin_ptr[BLM_STATES_COUNT];
static BlmPixelBias builtin_bias[BLM_STATES_BIAS_PLANES];
static const BlmPixelBias *builtin_bias_ptr[BLM_STATES_BIAS_PLANES];
static int builtin_ok;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void load_builtin(void)
{
    if (blm_coder_states_parse(blm_builtin_coder_states, blm_builtin_coder_states_size, builtin,
                               builtin_bias) < 0)
        return;
    for (int s = 0; s < BLM_STATES_COUNT; s++)
        builtin_ptr[s] = &builtin[s];
    for (int p = 0; p < BLM_STATES_BIAS_PLANES; p++)
        builtin_bias_ptr[p] = &builtin_bias[p];
    builtin_ok = 1;
}

const BlmResChannel *const *blm_coder_states(BlmCoderStateSet set)
{
    pthread_once(&builtin_once, load_builtin);
    if (!builtin_ok || set < 0 || set >= BLM_STATES_SETS)
        return NULL;
    return &builtin_ptr[set_first[set]];
}

const BlmPixelBias *const *blm_coder_bias(BlmCoderStateSet set)
{
    pthread_once(&builtin_once, load_builtin);
    if (!builtin_ok || (set != BLM_STATES_GRAY && set != BLM_STATES_RGB))
        return NULL;
    return &builtin_bias_ptr[set == BLM_STATES_GRAY ? 0 : 1];
}
