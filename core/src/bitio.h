/*
 * Binary decisions on the range coder, shared by the coders that model bits with
 * adaptive counters (residualcoder.c, valuemap.c, pixelcascade.c): one walk of code
 * serves encoder and decoder, and the counter is the one docs/MODEL.md §10 defines.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_BITIO_H
#define BYTELM_BITIO_H

#include <stdint.h>

#include "rangecoder.h"

/* The encoder or the decoder, the other NULL: code_bit-style helpers return the bit
 * the encoder was given, or the one the decoder read. */
typedef struct BlmBitIo {
    BlmRcEncoder *enc;
    BlmRcDecoder *dec;
} BlmBitIo;

/* A bit with P(1) = p1 / 65536, kept within 32/65536 of 0 and 1. */
static inline int blm_bitio_code(const BlmBitIo *io, uint32_t p1, int bit)
{
    if (p1 < 32) p1 = 32;
    if (p1 > 65536 - 32) p1 = 65536 - 32;
    if (io->enc) {
        blm_rc_encode_bit(io->enc, p1, bit);
        return bit;
    }
    return blm_rc_decode_bit(io->dec, p1);
}

/* An adaptive counter: P(1) in the top 16 bits, the updates seen (up to a limit of
 * at most 255) in the low ones; each update moves P by 1 / (n + 1.5) of the way
 * to the bit, the step 2^17 / (2n + 3) in 1/65536 units. */
#define BLM_COUNTER_INIT (32768u << 16)
extern const uint32_t blm_counter_rate[256];

static inline uint32_t blm_counter_p(uint32_t c)
{
    return c >> 16;
}

static inline void blm_counter_update(uint32_t *c, int bit, uint32_t limit)
{
    const uint32_t n = *c & 0xffff;
    const int32_t p = (int32_t)(*c >> 16);
    const int32_t target = bit ? 65535 : 0;
    const int32_t np = p + (int32_t)(((int64_t)(target - p) * blm_counter_rate[n]) >> 16);
    *c = (uint32_t)np << 16 | (n < limit ? n + 1 : n);
}

/* A bit coded with counter *c, which then learns it. */
static inline int blm_bitio_code_counted(const BlmBitIo *io, uint32_t *c, int bit, uint32_t limit)
{
    bit = blm_bitio_code(io, blm_counter_p(*c), bit);
    blm_counter_update(c, bit, limit);
    return bit;
}

#endif
