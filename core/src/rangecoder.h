/*
 * Byte-oriented range coder over 16-bit integer frequency tables, and the
 * small growable byte buffer it (and the FLAC fallback) writes into.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The coder is the carry-propagating kind of LZMA / Subbotin: a 32-bit range,
 * a 33-bit low whose carry is pushed into the bytes already produced through a
 * one-byte cache plus a count of pending 0xFF bytes. Every symbol is coded
 * against a total of BLM_RC_TOTAL = 65536 (docs/MODEL.md section 4); the last
 * symbol of a table (the one with cum + freq == BLM_RC_TOTAL) also receives the
 * rounding remainder of the range, as in Opus, so no code space is wasted.
 *
 * Stream layout: the coder's bytes, most significant first, without the always-
 * zero leading byte of LZMA, and with a 1-byte flush: the encoder ends on the
 * value in [low, low + range) that is a multiple of 2^24, so only its top byte
 * is written and the decoder reads the 3 missing bytes as zeros. A valid stream
 * therefore makes the decoder read exactly BLM_RC_TAIL_ZEROS bytes past its end;
 * blm_rc_dec_check() uses that as a truncation / trailing-garbage check.
 *
 * Final state: encoder and decoder both track range, low mod 2^32 and an
 * FNV-1a hash of the coded (cum, freq) pairs; blm_rc_*_final_state() folds
 * them into one 32-bit value that the frame header stores. A decoder that gets
 * a different value decoded different symbols (BYTELM_EDESYNC). Opus uses the
 * final range alone, which works because a wrong symbol changes the model's
 * next tables; the hash also catches a desync under fixed tables (e.g. uniform
 * ones, where a flipped byte changes one symbol and the range not at all), for
 * one multiply per symbol. Any single wrong symbol always changes the hash.
 */
#ifndef BYTELM_RANGECODER_H
#define BYTELM_RANGECODER_H

#include <stddef.h>
#include <stdint.h>

#define BLM_RC_TOTAL_BITS 16
#define BLM_RC_TOTAL (1u << BLM_RC_TOTAL_BITS)
#define BLM_RC_TAIL_ZEROS 3

/* ---- BlmBuf: a byte buffer with a size limit ---------------------------- */

/* A write that would make len exceed limit is dropped and sets full (sticky),
 * so a frame coder can give up as soon as the coded size passes the stored
 * size. cap never exceeds limit, which keeps the per-byte check to one
 * comparison. Either owned (grown with realloc) or wrapping caller memory
 * (fixed capacity, limit = its size). */
typedef struct BlmBuf {
    uint8_t *data;
    size_t len;    /* bytes written */
    size_t cap;    /* bytes usable now: min(alloc, limit) */
    size_t alloc;  /* bytes of memory at data */
    size_t limit;  /* len never exceeds this */
    int err;       /* sticky: 0 or BYTELM_ENOMEM (allocation failed) */
    int full;      /* sticky: a write was dropped because of limit */
    int owned;     /* data is ours to realloc and free */
} BlmBuf;

#define BLM_BUF_NO_LIMIT SIZE_MAX

/* An empty owned buffer; nothing is allocated until the first write. */
void blm_buf_init(BlmBuf *b, size_t limit);
/* A fixed buffer over caller memory: at most cap bytes, never reallocated. */
void blm_buf_wrap(BlmBuf *b, uint8_t *data, size_t cap);
/* len = 0, flags cleared, new limit (an owned buffer keeps its memory; a
 * wrapped one keeps limit <= its capacity). */
void blm_buf_reset(BlmBuf *b, size_t limit);
/* Frees owned memory; b is then empty (as after blm_buf_init). */
void blm_buf_free(BlmBuf *b);
/* Makes room for n more bytes: 0, BYTELM_ENOMEM, or 1 if limit forbids it
 * (full is then set). */
int blm_buf_reserve(BlmBuf *b, size_t n);
/* Appends n bytes: 0, or non-zero with err or full set (nothing written). */
int blm_buf_write(BlmBuf *b, const void *p, size_t n);
/* Slow path of blm_buf_put, not for direct use. */
void blm_buf_put_slow(BlmBuf *b, uint8_t c);

/* Appends one byte (dropped, with err or full set, if it does not fit). */
static inline void blm_buf_put(BlmBuf *b, uint8_t c)
{
    if (b->len < b->cap)
        b->data[b->len++] = c;
    else
        blm_buf_put_slow(b, c);
}

/* 0, or the sticky error: BYTELM_ENOMEM, else 1 if the limit was reached. */
static inline int blm_buf_status(const BlmBuf *b)
{
    return b->err ? b->err : b->full;
}

/* ---- Encoder ------------------------------------------------------------ */

typedef struct BlmRcEncoder {
    uint64_t low;       /* 32 bits plus the carry in bit 32 */
    uint32_t range;     /* >= 2^24 between symbols */
    uint32_t pending;   /* 0xFF bytes waiting behind cache for a possible carry */
    uint8_t cache;      /* the last byte not yet written (a carry may still hit it) */
    uint8_t have_cache; /* 0 until the first byte is cached: LZMA's always-zero lead byte is not sent */
    uint8_t finished;   /* blm_rc_finish was called; final_state holds the value */
    uint32_t final_state;
    int err;            /* sticky: 0 or BYTELM_EINVAL (a bad cum/freq was passed) */
    uint32_t hash;      /* FNV-1a over the coded (cum, freq) pairs */
    uint64_t shifts;    /* bytes shifted out of low so far */
    BlmBuf *out;
} BlmRcEncoder;

/* Starts a stream appending to out (which the caller owns and checks). */
void blm_rc_enc_init(BlmRcEncoder *enc, BlmBuf *out);
/* Codes the interval [cum, cum + freq) of BLM_RC_TOTAL; needs freq >= 1,
 * cum + freq <= BLM_RC_TOTAL and no finish yet (else err is set, nothing coded). */
void blm_rc_encode(BlmRcEncoder *enc, uint32_t cum, uint32_t freq);
/* Codes sym (0..255) with the table freqs (sum BLM_RC_TOTAL, freqs[sym] >= 1). */
void blm_rc_encode_symbol(BlmRcEncoder *enc, const uint32_t freqs[256], int sym);
/* Codes one binary decision: bit 1 takes [0, p1), bit 0 [p1, BLM_RC_TOTAL); p1, the
 * probability of a 1 in units of 1 / BLM_RC_TOTAL, must be 1..BLM_RC_TOTAL - 1. */
void blm_rc_encode_bit(BlmRcEncoder *enc, uint32_t p1, int bit);
/* The state to store in the frame header: after the last symbol, before or
 * after blm_rc_finish. */
uint32_t blm_rc_enc_final_state(const BlmRcEncoder *enc);
/* Flushes (once; later calls only report): 0, enc->err, or blm_buf_status(out)
 * (BYTELM_ENOMEM, or 1 when the limit cut the stream short). */
int blm_rc_finish(BlmRcEncoder *enc);

/* Exact size in bytes that blm_rc_finish would leave the stream at now. */
static inline uint64_t blm_rc_enc_tell(const BlmRcEncoder *enc)
{
    return enc->shifts + 1;
}

/* Non-zero once output was lost to the buffer's limit (or allocation). */
static inline int blm_rc_enc_overflow(const BlmRcEncoder *enc)
{
    return enc->out->full | (enc->out->err != 0);
}

/* ---- Decoder ------------------------------------------------------------ */

typedef struct BlmRcDecoder {
    const uint8_t *buf;
    size_t len, pos;
    uint32_t range;
    uint32_t code;      /* coded value minus low, in the current window */
    uint32_t low;       /* the encoder's low mod 2^32, for the final state */
    uint32_t hash;      /* as the encoder's */
    uint64_t overread;  /* zero bytes supplied past the end of buf */
    int err;            /* sticky: 0 or BYTELM_EINVAL (a table without a valid symbol) */
} BlmRcDecoder;

/* Starts decoding buf[0..len) (any bytes: garbage decodes to some symbols). */
void blm_rc_dec_init(BlmRcDecoder *dec, const uint8_t *buf, size_t len);
/* Decodes one symbol with the table freqs (as for blm_rc_encode_symbol).
 * Always returns 0..255 with freqs[ret] >= 1 when the table has such a symbol. */
int blm_rc_decode_symbol(BlmRcDecoder *dec, const uint32_t freqs[256]);
/* Decodes a decision coded by blm_rc_encode_bit with the same p1. */
int blm_rc_decode_bit(BlmRcDecoder *dec, uint32_t p1);
/* The decoder side of blm_rc_enc_final_state(). */
uint32_t blm_rc_dec_final_state(const BlmRcDecoder *dec);
/* After the last symbol: 0 if the decoder consumed exactly the encoder's
 * output, BYTELM_ETRUNCATED if it needed bytes past the end, BYTELM_EFORMAT if
 * bytes were left over, BYTELM_EINVAL if a bad table was seen. */
int blm_rc_dec_check(const BlmRcDecoder *dec);

#endif
