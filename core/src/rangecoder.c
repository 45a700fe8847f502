/*
 * Range coder and byte buffer; see rangecoder.h for the stream layout.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "rangecoder.h"

#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"

#define TOP (1u << 24) /* range is renormalised to stay >= TOP */
#define HASH_INIT 0x811C9DC5u
#define HASH_PRIME 0x01000193u /* odd, so each step is a bijection of the hash */

static inline uint32_t hash_step(uint32_t h, uint32_t cum, uint32_t freq)
{
    /* cum < 2^16; freq <= 2^16 wraps its top bit away, which cum still tells. */
    return (h ^ (cum | freq << 16)) * HASH_PRIME;
}

static inline uint32_t fold_state(uint32_t range, uint32_t low, uint32_t hash)
{
    return range ^ low ^ hash;
}

/* ---- BlmBuf ------------------------------------------------------------- */

void blm_buf_init(BlmBuf *b, size_t limit)
{
    memset(b, 0, sizeof(*b));
    b->limit = limit;
    b->owned = 1;
}

void blm_buf_wrap(BlmBuf *b, uint8_t *data, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->data = data;
    b->alloc = b->cap = b->limit = data ? cap : 0;
}

void blm_buf_reset(BlmBuf *b, size_t limit)
{
    b->len = 0;
    b->err = 0;
    b->full = 0;
    /* A wrapped buffer cannot grow: its limit is its memory at most. */
    b->limit = b->owned || limit < b->alloc ? limit : b->alloc;
    b->cap = b->alloc < b->limit ? b->alloc : b->limit;
}

void blm_buf_free(BlmBuf *b)
{
    size_t limit = b->limit;
    if (b->owned)
        free(b->data);
    blm_buf_init(b, limit);
}

int blm_buf_reserve(BlmBuf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (n > b->limit - b->len) {
        b->full = 1;
        return 1;
    }
    if (n <= b->cap - b->len)
        return 0;
    size_t want = b->len + n; /* <= limit */
    if (want > b->alloc) {
        /* Only owned buffers get here: a wrapped one has limit <= alloc. */
        size_t size = b->alloc > 256 ? b->alloc : 256;
        while (size < want)
            size = size > SIZE_MAX / 2 ? SIZE_MAX : size * 2;
        if (size > b->limit)
            size = b->limit;
        uint8_t *p = realloc(b->data, size);
        if (!p) {
            b->err = BYTELM_ENOMEM;
            return b->err;
        }
        b->data = p;
        b->alloc = size;
    }
    b->cap = b->alloc < b->limit ? b->alloc : b->limit;
    return 0;
}

int blm_buf_write(BlmBuf *b, const void *p, size_t n)
{
    int ret = blm_buf_reserve(b, n);
    if (ret)
        return ret;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

void blm_buf_put_slow(BlmBuf *b, uint8_t c)
{
    if (blm_buf_reserve(b, 1) == 0)
        b->data[b->len++] = c;
}

/* ---- Encoder ------------------------------------------------------------ */

void blm_rc_enc_init(BlmRcEncoder *enc, BlmBuf *out)
{
    memset(enc, 0, sizeof(*enc));
    enc->range = 0xFFFFFFFFu;
    enc->hash = HASH_INIT;
    enc->out = out;
}

/* Moves the top byte of low out. A byte is only written once we know no
 * carry can reach it: a top byte of 0xFF may still become 0x00 with a carry,
 * so those wait in pending behind cache. */
static void shift_low(BlmRcEncoder *enc)
{
    if ((uint32_t)enc->low < 0xFF000000u || (enc->low >> 32) != 0) {
        uint8_t carry = (uint8_t)(enc->low >> 32);
        if (enc->have_cache)
            blm_buf_put(enc->out, (uint8_t)(enc->cache + carry));
        for (; enc->pending; enc->pending--)
            blm_buf_put(enc->out, (uint8_t)(0xFF + carry));
        enc->cache = (uint8_t)(enc->low >> 24);
        enc->have_cache = 1;
    } else {
        enc->pending++;
    }
    enc->low = (enc->low & 0x00FFFFFFu) << 8;
}

void blm_rc_encode(BlmRcEncoder *enc, uint32_t cum, uint32_t freq)
{
    if (freq == 0 || cum >= BLM_RC_TOTAL || freq > BLM_RC_TOTAL - cum || enc->finished) {
        enc->err = BYTELM_EINVAL;
        return;
    }
    uint32_t r = enc->range >> BLM_RC_TOTAL_BITS;
    enc->hash = hash_step(enc->hash, cum, freq);
    enc->low += (uint64_t)r * cum;
    /* The last symbol also takes range - r * TOTAL, the truncation remainder. */
    if (cum + freq < BLM_RC_TOTAL)
        enc->range = r * freq;
    else
        enc->range -= r * cum;
    while (enc->range < TOP) {
        enc->range <<= 8;
        shift_low(enc);
        enc->shifts++;
    }
}

void blm_rc_encode_symbol(BlmRcEncoder *enc, const uint32_t freqs[256], int sym)
{
    if (sym < 0 || sym > 255) {
        enc->err = BYTELM_EINVAL;
        return;
    }
    uint32_t cum = 0;
    for (int i = 0; i < sym; i++)
        cum += freqs[i];
    blm_rc_encode(enc, cum, freqs[sym]);
}

uint32_t blm_rc_enc_final_state(const BlmRcEncoder *enc)
{
    if (enc->finished)
        return enc->final_state;
    return fold_state(enc->range, (uint32_t)enc->low, enc->hash);
}

int blm_rc_finish(BlmRcEncoder *enc)
{
    if (!enc->finished) {
        enc->final_state = blm_rc_enc_final_state(enc);
        enc->finished = 1;
        /* The value in [low, low + range) with the low 24 bits clear exists
         * since range >= 2^24; only its top byte needs to be sent. */
        enc->low = (enc->low + (TOP - 1)) & ~(uint64_t)(TOP - 1);
        shift_low(enc); /* writes what was cached, caches the top byte */
        shift_low(enc); /* low is now 0, so this writes it */
    }
    if (enc->err)
        return enc->err;
    return blm_buf_status(enc->out);
}

/* ---- Decoder ------------------------------------------------------------ */

static inline uint8_t next_byte(BlmRcDecoder *dec)
{
    if (dec->pos < dec->len)
        return dec->buf[dec->pos++];
    dec->overread++;
    return 0;
}

void blm_rc_dec_init(BlmRcDecoder *dec, const uint8_t *buf, size_t len)
{
    memset(dec, 0, sizeof(*dec));
    dec->buf = buf;
    dec->len = buf ? len : 0;
    dec->range = 0xFFFFFFFFu;
    dec->hash = HASH_INIT;
    for (int i = 0; i < 4; i++)
        dec->code = (dec->code << 8) | next_byte(dec);
}

static void dec_normalize(BlmRcDecoder *dec)
{
    while (dec->range < TOP) {
        dec->range <<= 8;
        dec->low <<= 8;
        dec->code = (dec->code << 8) | next_byte(dec);
    }
}

/* Narrows to the interval [cum, cum + freq) of the r-sized steps, as the encoder did. */
static void dec_take(BlmRcDecoder *dec, uint32_t r, uint32_t cum, uint32_t freq)
{
    dec->hash = hash_step(dec->hash, cum, freq);
    dec->code -= r * cum;
    dec->low += r * cum;
    if (cum + freq < BLM_RC_TOTAL)
        dec->range = r * freq;
    else
        dec->range -= r * cum;
    dec_normalize(dec);
}

int blm_rc_decode_symbol(BlmRcDecoder *dec, const uint32_t freqs[256])
{
    /* range >= 2^24 always (it only depends on the tables, not the input),
     * so r >= 256: no division by zero whatever the bytes are. */
    uint32_t r = dec->range >> BLM_RC_TOTAL_BITS;
    uint32_t v = dec->code / r;
    /* code >= range happens only with corrupt input (or in the remainder
     * that belongs to the last symbol): clamp into the table. */
    if (v > BLM_RC_TOTAL - 1)
        v = BLM_RC_TOTAL - 1;

    /* One pass that accumulates and compares; zero frequencies never match. */
    uint64_t cum = 0; /* 64 bits: even a garbage table cannot wrap it */
    int sym = 0;
    while (sym < 256 && v >= cum + freqs[sym]) {
        cum += freqs[sym];
        sym++;
    }

    if (sym == 256 || cum + freqs[sym] > BLM_RC_TOTAL) {
        /* The table does not sum to TOTAL (a caller bug): report it, return
         * some symbol with freq >= 1, and keep range valid so we still end. */
        dec->err = BYTELM_EINVAL;
        dec->hash = ~dec->hash;
        for (sym = 0; sym < 255 && freqs[sym] == 0; sym++)
            ;
        dec->range = r;
        dec_normalize(dec);
    } else {
        dec_take(dec, r, (uint32_t)cum, freqs[sym]);
    }
    return sym;
}

void blm_rc_encode_bit(BlmRcEncoder *enc, uint32_t p1, int bit)
{
    if (p1 == 0 || p1 >= BLM_RC_TOTAL) {
        enc->err = BYTELM_EINVAL;
        return;
    }
    if (bit)
        blm_rc_encode(enc, 0, p1);
    else
        blm_rc_encode(enc, p1, BLM_RC_TOTAL - p1);
}

int blm_rc_decode_bit(BlmRcDecoder *dec, uint32_t p1)
{
    if (p1 == 0 || p1 >= BLM_RC_TOTAL) {
        dec->err = BYTELM_EINVAL;
        dec->hash = ~dec->hash;
        p1 = BLM_RC_TOTAL / 2; /* keep going, as decode_symbol does on a bad table */
    }
    const uint32_t r = dec->range >> BLM_RC_TOTAL_BITS;
    const int bit = dec->code / r < p1;
    if (bit)
        dec_take(dec, r, 0, p1);
    else
        dec_take(dec, r, p1, BLM_RC_TOTAL - p1);
    return bit;
}

uint32_t blm_rc_dec_final_state(const BlmRcDecoder *dec)
{
    return fold_state(dec->range, dec->low, dec->hash);
}

int blm_rc_dec_check(const BlmRcDecoder *dec)
{
    if (dec->err)
        return dec->err;
    if (dec->overread > BLM_RC_TAIL_ZEROS)
        return BYTELM_ETRUNCATED;
    if (dec->overread < BLM_RC_TAIL_ZEROS || dec->pos != dec->len)
        return BYTELM_EFORMAT;
    return 0;
}
