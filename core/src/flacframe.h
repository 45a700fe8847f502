/*
 * Lossless fallback for PCM frames: the frame's samples as FLAC frames, made
 * and read by libFLAC in memory.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Stored bytes: exactly the FLAC frames libFLAC writes for the samples
 * (RFC 9639 section 9: each starts with the fixed-blocksize sync code 0xFFF8,
 * ends with its CRC-16, frame numbers count from 0), concatenated, nothing
 * else. The "fLaC" marker, STREAMINFO and the VORBIS_COMMENT that libFLAC adds
 * (86 bytes with libFLAC 1.4.2) are dropped: the bytelm header already knows the channels,
 * rate and sample count, and the decoder rebuilds this 42-byte prefix from them:
 *
 *   "fLaC"
 *   0x80 0x00 0x00 0x22          last metadata block, type STREAMINFO, 34 bytes
 *   min = max blocksize          16 bits each, BLM_FLAC_BLOCKSIZE
 *   min = max framesize          24 bits each, 0 (unknown)
 *   sample rate                  20 bits
 *   channels - 1, 15             3 + 5 bits (16 bits per sample)
 *   total samples                36 bits, n_samples (per channel)
 *   MD5                          16 zero bytes (unknown: libFLAC then skips it)
 *
 * Encoder settings: compression level 8, blocksize BLM_FLAC_BLOCKSIZE (the
 * last FLAC frame holds the rest), no streamable-subset limit (so any rate up
 * to BLM_FLAC_MAX_SAMPLE_RATE is accepted), no verify: the frame CRC and the
 * stream MD5 of bytelm cover the data. The decoder does not check MD5 either
 * (the rebuilt STREAMINFO says "none"). The encoder still computes its MD5:
 * the only switch, FLAC__stream_encoder_set_do_md5, is exported but declared
 * only in libFLAC's private headers, and it costs little: measured 0.1-0.3 ms
 * of 2.5-3 ms (0-10%, noisy) for 16384 stereo samples at level 8 (libFLAC 1.4.2).
 */
#ifndef BYTELM_FLACFRAME_H
#define BYTELM_FLACFRAME_H

#include <stddef.h>
#include <stdint.h>

#include "rangecoder.h" /* BlmBuf */

#define BLM_FLAC_BLOCKSIZE 4096
/* The FLAC format's limit before libFLAC 1.4 raised it; streams above it would
 * not decode with the libFLAC 1.3 we still build against. */
#define BLM_FLAC_MAX_SAMPLE_RATE 655350
#define BLM_FLAC_MAX_CHANNELS 8

/* Appends the FLAC frames for n_samples samples per channel of interleaved
 * 16-bit PCM to out. Returns 0; 1 when out reached its limit (out->full is
 * set: the caller stores the frame another way); BYTELM_EINVAL for channels
 * outside 1..8, a rate outside 1..BLM_FLAC_MAX_SAMPLE_RATE or a NULL pointer
 * with n_samples > 0; BYTELM_ENOMEM; BYTELM_EUNSUPPORTED if libFLAC fails.
 * n_samples == 0 writes nothing. */
int blm_flac_encode(const int16_t *interleaved, uint32_t n_samples, uint32_t channels,
                    uint32_t sample_rate, BlmBuf *out);

/* Decodes in[0..len), the output of blm_flac_encode for these parameters, into
 * out (n_samples * channels interleaved samples). Returns 0, BYTELM_EINVAL for
 * bad parameters, BYTELM_ENOMEM, or BYTELM_EFORMAT when libFLAC reports any
 * error or the frames do not hold exactly n_samples samples of these channels,
 * rate and 16 bits. Never writes past out[n_samples * channels]; on error the
 * contents of out are unspecified. */
int blm_flac_decode(const uint8_t *in, size_t len, uint32_t channels, uint32_t sample_rate,
                    uint32_t n_samples, int16_t *out);

#endif
