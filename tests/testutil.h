/*
 * Helpers shared by the tests: deterministic test signals and whole-buffer
 * encode/decode through the public push/pull API.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TESTUTIL_H
#define BYTELM_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bytelm/bytelm.h"

/* models/test-golden.blmm, its hash written into h (tests/testmodel.c; link the
 * library), or NULL with a message. */
struct BlmHeader;
struct BlmModel;
struct BlmModel *test_golden_model(struct BlmHeader *h);

/* One check of a test that defines `static int passes, failures;`: counts it, and
 * prints a failed one with its place and the printf-style message. */
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            passes++;                                                        \
        } else {                                                             \
            failures++;                                                      \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);             \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

typedef struct TestBuf {
    uint8_t *data;
    size_t len, cap;
} TestBuf;

void test_buf_append(TestBuf *b, const void *p, size_t n);
/* Encodes data pushed in chunks of `chunk` bytes (0 = all at once). */
int test_encode(const BytelmSettings *s, const uint8_t *data, size_t len, size_t chunk, TestBuf *out);
/* The same with n_tags tags (keys[i], values[i]) added before the first push. */
int test_encode_tagged(const BytelmSettings *s, const char *const *keys, const char *const *values,
                       size_t n_tags, const uint8_t *data, size_t len, size_t chunk, TestBuf *out);
int test_decode(const BytelmSettings *s, const uint8_t *stream, size_t len, size_t chunk, TestBuf *out);

uint32_t test_rand(uint64_t *state);
uint8_t *test_noise(size_t n, unsigned seed);
/* A mix of tones, a slow sweep and a little noise, different in each channel. */
uint8_t *test_pcm_signal(uint32_t n, uint32_t channels, uint32_t rate, unsigned seed);
/* Stereo, n samples at 44.1 kHz: one chord in both channels, independent noise in each
 * (what mid and side, and the LMS cascade, are for). */
uint8_t *test_pcm_shared_tone(uint32_t n, unsigned seed);
/* n mono samples: a random pattern of `period` samples in ±amplitude, repeated, plus
 * fresh noise in ±noise at every sample (what only a long LMS stage can follow). */
uint8_t *test_pcm_repeating(uint32_t n, uint32_t period, int amplitude, int noise, unsigned seed);
/* n samples of `channels`: four tones from integer rotations (no libm) in other
 * proportions per channel, and noise in +-128. */
uint8_t *test_pcm_integer(uint32_t n, uint32_t channels, unsigned seed);
/* Smooth gradients with edges and noise. */
uint8_t *test_image(uint32_t w, uint32_t h, uint32_t comps, unsigned seed);
/* The same as raw rows of any image kind (bytelm_kind_planes, _sample_bytes): the
 * colour planes of test_image, widened to 16 bits with noise in the low byte, and an
 * alpha plane opaque but for a transparent disc with a soft edge. */
uint8_t *test_image_kind(BytelmKind kind, uint32_t w, uint32_t h, unsigned seed);
/* Recomputes the trailer CRC after a test changed trailer bytes. */
void test_fix_trailer_crc(uint8_t *stream, size_t len);
/* A whole file (NULL if unreadable or empty), and the samples of a WAV's data chunk
 * (16-bit), both malloc'ed. */
uint8_t *test_read_file(const char *path, size_t *len);
int16_t *test_wav_samples(const char *path, size_t *n);

#endif
