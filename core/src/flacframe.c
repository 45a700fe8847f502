/*
 * FLAC fallback for PCM frames; see flacframe.h for the stored bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "flacframe.h"

#include <string.h>

#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#include "bytelm/bytelm.h"

#define STREAMINFO_PREFIX 42 /* "fLaC", block header, 34-byte STREAMINFO */

static int params_ok(uint32_t channels, uint32_t sample_rate)
{
    return channels >= 1 && channels <= BLM_FLAC_MAX_CHANNELS && sample_rate >= 1 &&
           sample_rate <= BLM_FLAC_MAX_SAMPLE_RATE;
}

/* ---- Encoder ------------------------------------------------------------ */

static FLAC__StreamEncoderWriteStatus enc_write(const FLAC__StreamEncoder *fe,
                                                const FLAC__byte buffer[], size_t bytes,
                                                uint32_t samples, uint32_t current_frame,
                                                void *opaque)
{
    BlmBuf *out = opaque;
    (void)fe;
    (void)current_frame;
    /* samples == 0 marks metadata ("fLaC", STREAMINFO, VORBIS_COMMENT), which
     * the decoder rebuilds; keep only the audio frames. */
    if (samples == 0)
        return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
    /* Past the limit, stop libFLAC at once: the caller will not use this. */
    if (blm_buf_write(out, buffer, bytes))
        return FLAC__STREAM_ENCODER_WRITE_STATUS_FATAL_ERROR;
    return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

int blm_flac_encode(const int16_t *interleaved, uint32_t n_samples, uint32_t channels,
                    uint32_t sample_rate, BlmBuf *out)
{
    if (!params_ok(channels, sample_rate) || !out || (n_samples && !interleaved))
        return BYTELM_EINVAL;
    if (n_samples == 0)
        return 0;

    FLAC__StreamEncoder *fe = FLAC__stream_encoder_new();
    if (!fe)
        return BYTELM_ENOMEM;
    FLAC__bool ok = true;
    ok &= FLAC__stream_encoder_set_verify(fe, false);
    ok &= FLAC__stream_encoder_set_streamable_subset(fe, false);
    ok &= FLAC__stream_encoder_set_channels(fe, channels);
    ok &= FLAC__stream_encoder_set_bits_per_sample(fe, 16);
    ok &= FLAC__stream_encoder_set_sample_rate(fe, sample_rate);
    /* The level first: it sets the blocksize too, which we then pin. */
    ok &= FLAC__stream_encoder_set_compression_level(fe, 8);
    ok &= FLAC__stream_encoder_set_blocksize(fe, BLM_FLAC_BLOCKSIZE);
    if (!ok || FLAC__stream_encoder_init_stream(fe, enc_write, NULL, NULL, NULL, out) !=
                   FLAC__STREAM_ENCODER_INIT_STATUS_OK) {
        FLAC__stream_encoder_delete(fe);
        return BYTELM_EUNSUPPORTED;
    }

    /* libFLAC wants 32-bit samples: widen a slice at a time. */
    FLAC__int32 wide[4096];
    const uint32_t per_slice = (uint32_t)(sizeof(wide) / sizeof(wide[0])) / channels;
    size_t base = 0;
    for (uint32_t done = 0; ok && done < n_samples;) {
        uint32_t n = n_samples - done < per_slice ? n_samples - done : per_slice;
        size_t count = (size_t)n * channels;
        for (size_t i = 0; i < count; i++)
            wide[i] = interleaved[base + i];
        ok = FLAC__stream_encoder_process_interleaved(fe, wide, n);
        done += n;
        base += count;
    }
    /* finish also flushes the last partial block; call it even after an error
     * so that libFLAC frees its state. */
    FLAC__bool fin = FLAC__stream_encoder_finish(fe);
    FLAC__StreamEncoderState state = FLAC__stream_encoder_get_state(fe);
    FLAC__stream_encoder_delete(fe);

    if (out->err)
        return out->err;
    if (out->full)
        return 1;
    if (!ok || !fin) {
        return state == FLAC__STREAM_ENCODER_MEMORY_ALLOCATION_ERROR ? BYTELM_ENOMEM
                                                                     : BYTELM_EUNSUPPORTED;
    }
    return 0;
}

/* ---- Decoder ------------------------------------------------------------ */

typedef struct DecCtx {
    uint8_t head[STREAMINFO_PREFIX];
    size_t head_pos;
    const uint8_t *in;
    size_t len, pos;
    uint32_t channels, sample_rate, n_samples;
    uint32_t done;     /* samples per channel written to out */
    int16_t *out;
    int failed;        /* libFLAC reported an error, or a frame did not fit */
} DecCtx;

static void put_bits(uint8_t *p, int *bitpos, uint64_t v, int nbits)
{
    for (int i = nbits - 1; i >= 0; i--, (*bitpos)++) {
        if ((v >> i) & 1)
            p[*bitpos >> 3] |= (uint8_t)(0x80 >> (*bitpos & 7));
    }
}

static void build_streaminfo(DecCtx *c)
{
    uint8_t *p = c->head;
    int bit = 0;
    memset(p, 0, STREAMINFO_PREFIX);
    memcpy(p, "fLaC", 4);
    p[4] = 0x80; /* last metadata block, type 0 = STREAMINFO */
    p[7] = 34;   /* its length, 24 bits */
    p += 8;
    put_bits(p, &bit, BLM_FLAC_BLOCKSIZE, 16);
    put_bits(p, &bit, BLM_FLAC_BLOCKSIZE, 16);
    put_bits(p, &bit, 0, 24); /* min frame size unknown */
    put_bits(p, &bit, 0, 24); /* max frame size unknown */
    put_bits(p, &bit, c->sample_rate, 20);
    put_bits(p, &bit, c->channels - 1, 3);
    put_bits(p, &bit, 16 - 1, 5);
    put_bits(p, &bit, c->n_samples, 36);
    /* 128 bits of MD5 stay zero: "not computed". */
}

static FLAC__StreamDecoderReadStatus dec_read(const FLAC__StreamDecoder *fd, FLAC__byte buffer[],
                                              size_t *bytes, void *opaque)
{
    DecCtx *c = opaque;
    size_t want = *bytes, n = 0;
    (void)fd;
    /* Once anything went wrong the result is an error anyway: stop libFLAC's
     * search for the next sync instead of letting it scan the rest. */
    if (c->failed) {
        *bytes = 0;
        return FLAC__STREAM_DECODER_READ_STATUS_ABORT;
    }
    if (c->head_pos < STREAMINFO_PREFIX) {
        n = STREAMINFO_PREFIX - c->head_pos;
        if (n > want)
            n = want;
        memcpy(buffer, c->head + c->head_pos, n);
        c->head_pos += n;
    }
    if (n < want && c->pos < c->len) {
        size_t m = c->len - c->pos;
        if (m > want - n)
            m = want - n;
        memcpy(buffer + n, c->in + c->pos, m);
        c->pos += m;
        n += m;
    }
    *bytes = n;
    return n ? FLAC__STREAM_DECODER_READ_STATUS_CONTINUE
             : FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM;
}

static FLAC__StreamDecoderWriteStatus dec_write(const FLAC__StreamDecoder *fd,
                                                const FLAC__Frame *frame,
                                                const FLAC__int32 *const buffer[], void *opaque)
{
    DecCtx *c = opaque;
    const FLAC__FrameHeader *h = &frame->header;
    (void)fd;
    if (c->failed || h->channels != c->channels || h->bits_per_sample != 16 ||
        h->sample_rate != c->sample_rate || h->blocksize > c->n_samples - c->done) {
        c->failed = 1;
        return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
    }
    int16_t *o = c->out + (size_t)c->done * c->channels;
    for (uint32_t i = 0; i < h->blocksize; i++) {
        for (uint32_t ch = 0; ch < c->channels; ch++) {
            FLAC__int32 v = buffer[ch][i];
            /* A damaged residual can decode to values no 16-bit input had. */
            if (v < -32768 || v > 32767) {
                c->failed = 1;
                return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
            }
            *o++ = (int16_t)v;
        }
    }
    c->done += h->blocksize;
    return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void dec_error(const FLAC__StreamDecoder *fd, FLAC__StreamDecoderErrorStatus status,
                      void *opaque)
{
    DecCtx *c = opaque;
    (void)fd;
    (void)status;
    c->failed = 1;
}

int blm_flac_decode(const uint8_t *in, size_t len, uint32_t channels, uint32_t sample_rate,
                    uint32_t n_samples, int16_t *out)
{
    if (!params_ok(channels, sample_rate) || (len && !in) || (n_samples && !out))
        return BYTELM_EINVAL;
    if (n_samples == 0)
        return len == 0 ? 0 : BYTELM_EFORMAT;

    DecCtx c;
    memset(&c, 0, sizeof(c));
    c.in = in;
    c.len = len;
    c.channels = channels;
    c.sample_rate = sample_rate;
    c.n_samples = n_samples;
    c.out = out;
    build_streaminfo(&c);

    FLAC__StreamDecoder *fd = FLAC__stream_decoder_new();
    if (!fd)
        return BYTELM_ENOMEM;
    FLAC__stream_decoder_set_md5_checking(fd, false);
    if (FLAC__stream_decoder_init_stream(fd, dec_read, NULL, NULL, NULL, NULL, dec_write, NULL,
                                         dec_error, &c) != FLAC__STREAM_DECODER_INIT_STATUS_OK) {
        FLAC__stream_decoder_delete(fd);
        return BYTELM_ENOMEM; /* with valid callbacks only allocation can fail */
    }
    FLAC__bool ok = FLAC__stream_decoder_process_until_end_of_stream(fd);
    FLAC__StreamDecoderState state = FLAC__stream_decoder_get_state(fd);
    FLAC__stream_decoder_finish(fd);
    FLAC__stream_decoder_delete(fd);

    if (state == FLAC__STREAM_DECODER_MEMORY_ALLOCATION_ERROR)
        return BYTELM_ENOMEM;
    if (!ok || c.failed || state != FLAC__STREAM_DECODER_END_OF_STREAM || c.done != n_samples ||
        c.pos != c.len)
        return BYTELM_EFORMAT;
    return 0;
}
