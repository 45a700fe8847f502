/*
 * Frame mode 6 (docs/FORMAT.md §2, docs/MODEL.md §9-10): the cascade predictor and
 * the residual coder round-trip every profile on every kind of signal, learn what
 * they are for (tones, the second channel from the first), find damage, ignore the
 * host's floating-point mode, and the frame coder chooses the mode where it applies.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h>

#include "bytelm/bytelm.h"
#include "flacframe.h"
#include "format.h"
#include "framecoder.h"
#include "pcmcascade.h"
#include "residualcoder.h"
#include "testutil.h"

static int failures, passes;


static int16_t *as_samples(uint8_t *bytes, size_t n)
{
    int16_t *s = malloc(n * sizeof(int16_t) + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (int16_t)(uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
    free(bytes);
    return s;
}

/* A PCM header of one frame of n samples at 44.1 kHz. */
static BlmHeader pcm_header(int ch, uint32_t n, int preset)
{
    return (BlmHeader){.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = n,
                       .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 44100,
                       .channels = (uint32_t)ch, .preset = preset};
}

/* The frame coder's encoding of n sample frames into out, parsed into fh and decoded
 * into back: 0 or the first error. */
static int frame_round_trip(BlmFrameCoder *fc, const BlmHeader *h, const void *pcm, uint32_t n,
                            BlmBuf *out, BlmFrameHeader *fh, void *back)
{
    size_t len = 0;
    blm_buf_reset(out, BLM_BUF_NO_LIMIT);
    int ret = blm_frame_encode(fc, pcm, n, 0, out);
    ret = ret ? ret : blm_frame_parse(out->data, out->len, h, fh, &len);
    return ret ? ret : blm_frame_decode(fc, fh, out->data + blm_frame_header_size(fh), back);
}

/* Encodes and decodes n sample frames with the profile; returns the payload size,
 * or 0 after a failed check. */
static size_t round_trip(const int16_t *pcm, uint32_t n, int ch, int profile, const char *what)
{
    BlmCascadeCoder *cc = blm_cascade_new(ch);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state = 0;
    int ret = blm_cascade_encode(cc, pcm, n, profile, &out, &state);
    int16_t *back = malloc((size_t)n * ch * sizeof(int16_t) + 1);
    if (ret == 0)
        ret = blm_cascade_decode(cc, out.data, out.len, n, profile, state, back);
    const int same = ret == 0 && !memcmp(back, pcm, (size_t)n * ch * sizeof(int16_t));
    CHECK(same, "%s: %u samples, %d channels, profile %d: %s", what, n, ch, profile,
          ret ? bytelm_strerror(ret) : "decoded samples differ");
    size_t size = same ? out.len : 0;
    free(back);
    blm_buf_free(&out);
    blm_cascade_free(cc);
    return size;
}

/* Every profile, mono and stereo, on tones, silence, full-scale noise, the largest
 * errors a 16-bit sample can have, and lengths around the channel lag. */
static void test_round_trips(void)
{
    enum { N = 6000 };
    uint64_t st = 7;
    int16_t *noise = malloc(N * 2 * sizeof(int16_t));
    int16_t *square = malloc(N * 2 * sizeof(int16_t));
    int16_t *silence = calloc(N * 2, sizeof(int16_t));
    for (int i = 0; i < N * 2; i++) {
        noise[i] = (int16_t)(uint16_t)test_rand(&st);
        /* +-full scale, switching every few samples: errors of up to 65535 */
        square[i] = (i / 2 / (1 + (i / 200) % 5)) % 2 ? 32767 : -32768;
    }
    for (int ch = 1; ch <= 2; ch++) {
        int16_t *tones = as_samples(test_pcm_integer(N, (uint32_t)ch, 3), (size_t)N * ch);
        for (int i = 0; i < BLM_PP_PROFILES; i++) {
            const int p = blm_pcm_profile(i);
            round_trip(tones, N, ch, p, "tones");
            round_trip(noise, N, ch, p, "noise");
            round_trip(square, N, ch, p, "full-scale square");
            round_trip(silence, N, ch, p, "silence");
        }
        for (uint32_t n = 1; n <= 2 * BLM_PP_LAG + 1; n++)
            round_trip(tones, n, ch, 0, "short frame");
        free(tones);
    }
    free(noise);
    free(square);
    free(silence);
}

/* What the stages are for: tones under noise cost less than FLAC makes of them, and
 * a second channel that follows the first (the current sample of channel 0 is in
 * its predictor) costs far less than the first. */
static void test_learns(void)
{
    enum { N = 44100 };
    int16_t *tones = as_samples(test_pcm_integer(N, 1, 5), N);
    const size_t mono = round_trip(tones, N, 1, 0, "tones, mono");
    BlmBuf flac;
    blm_buf_init(&flac, BLM_BUF_NO_LIMIT);
    CHECK(blm_flac_encode(tones, N, 1, 44100, &flac) == 0, "flac");
    CHECK(mono && mono < flac.len * 0.97, "tones: %zu bytes, FLAC %zu", mono, flac.len);
    blm_buf_free(&flac);

    /* channel 1 = channel 0 + noise in +-8 (4 bits): far below channel 0's 8 */
    int16_t *stereo = malloc(2 * N * sizeof(int16_t));
    uint64_t st = 11;
    for (int i = 0; i < N; i++) {
        stereo[2 * i] = tones[i];
        int v = tones[i] + (int)(test_rand(&st) % 16) - 8;
        stereo[2 * i + 1] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
    }
    const size_t both = round_trip(stereo, N, 2, 0, "tones, stereo");
    const double second = 8.0 * ((double)both - (double)mono) / N;
    CHECK(both && second < 4.6, "second channel: %.3f bits a sample, expected under 4.6", second);
    free(tones);
    free(stereo);
}

/* Any changed or missing byte is found (the final state covers every decision),
 * in bounded time, and a decoder never writes outside the frame. */
static void test_damage(void)
{
    enum { N = 8000 };
    int16_t *pcm = as_samples(test_pcm_integer(N, 2, 9), 2 * N);
    BlmCascadeCoder *cc = blm_cascade_new(2);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state;
    CHECK(blm_cascade_encode(cc, pcm, N, 0, &out, &state) == 0, "encode");
    int16_t *back = malloc(2 * N * sizeof(int16_t));
    for (size_t pos = 0; pos < out.len; pos += out.len / 7 + 1) {
        out.data[pos] ^= 0x10;
        CHECK(blm_cascade_decode(cc, out.data, out.len, N, 0, state, back) == BYTELM_EDESYNC,
              "byte %zu flipped: not found", pos);
        out.data[pos] ^= 0x10;
    }
    CHECK(blm_cascade_decode(cc, out.data, out.len / 2, N, 0, state, back) == BYTELM_EDESYNC,
          "truncated payload: not found");
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, 1, state, back) == BYTELM_EDESYNC,
          "wrong profile: not found");
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, 0, state, back) == 0, "intact payload");
    /* the parameter bytes a decoder takes: 0..15, 20..23 and 28..31, each also with
     * bit 5 (the learned starting states); not wide without the short cascade
     * (16..19, 24..27), not 128 and up (the extension), not two bytes; with bit 6
     * (the audio network) a profile alone, with bit 5 (the network learning), bit 3
     * (the second network) or both */
    int takes = 0, wrong = 0;
    for (int v = 0; v < 256; v++) {
        const int ok = blm_cascade_check_params((const uint8_t[]){(uint8_t)v}, 1) == 0;
        const int net = v >= 64 && v < 128;
        const int p = net ? v & ~(BLM_PP_NET2 | BLM_PP_WARM) : v & ~BLM_PP_WARM;
        takes += ok;
        wrong += ok != (v < 128 && (net ? blm_pcm_profile_valid(p) : p < 16 || ((p & ~8) >= 20 && (p & ~8) <= 23)));
    }
    CHECK(takes == 96 && !wrong &&
              blm_cascade_check_params((const uint8_t[]){0, 0}, 2) == BYTELM_EFORMAT,
          "parameter check");
    free(back);
    free(pcm);
    blm_buf_free(&out);
    blm_cascade_free(cc);
}

/* A host that set flush-to-zero and rounding down (audio software does) gets the
 * same stream: the predictor runs under IEEE defaults whatever the caller's mode. */
static void test_host_fp_mode(void)
{
    enum { N = 3000 };
    int16_t *pcm = as_samples(test_pcm_integer(N, 2, 13), 2 * N);
    BlmCascadeCoder *cc = blm_cascade_new(2);
    BlmBuf a, b;
    blm_buf_init(&a, BLM_BUF_NO_LIMIT);
    blm_buf_init(&b, BLM_BUF_NO_LIMIT);
    uint32_t sa, sb;
    blm_cascade_encode(cc, pcm, N, 0, &a, &sa);
    const unsigned csr = _mm_getcsr();
    _mm_setcsr((csr & ~0x6000u) | 0x8040u | 0x2000u); /* FTZ, DAZ, round down */
    blm_cascade_encode(cc, pcm, N, 0, &b, &sb);
    _mm_setcsr(csr);
    CHECK(a.len == b.len && sa == sb && !memcmp(a.data, b.data, a.len),
          "the host's MXCSR changed the stream");
    free(pcm);
    blm_buf_free(&a);
    blm_buf_free(&b);
    blm_cascade_free(cc);
}

/* The residual coder alone: every magnitude from 0 to 65535, both signs, in runs
 * of changing scale. */
static void test_residuals(void)
{
    enum { N = 20000 };
    int32_t *e = malloc(N * sizeof(int32_t));
    uint64_t st = 3;
    for (int i = 0; i < N; i++) {
        const int bits = (i / 500) % 17; /* scale changes every 500 */
        int32_t m = bits ? (int32_t)(test_rand(&st) & ((1u << bits) - 1)) : 0;
        if (i % 997 == 0)
            m = 65535;
        e[i] = test_rand(&st) & 1 ? -m : m;
    }
    for (int ch = 1; ch <= 2; ch++) {
        BlmResidualCoder *rc = malloc(sizeof(*rc));
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        BlmRcEncoder enc;
        blm_rc_enc_init(&enc, &out);
        blm_residual_coder_init(rc, ch);
        for (int i = 0; i < N; i++)
            blm_residual_encode(rc, &enc, i % ch, e[i], i % 4);
        blm_rc_finish(&enc);
        BlmRcDecoder dec;
        blm_rc_dec_init(&dec, out.data, out.len);
        blm_residual_coder_init(rc, ch);
        int bad = -1;
        for (int i = 0; i < N && bad < 0; i++)
            if (blm_residual_decode(rc, &dec, i % ch, i % 4) != e[i])
                bad = i;
        CHECK(bad < 0 && blm_rc_dec_check(&dec) == 0, "%d channels: residual %d decoded wrong", ch, bad);
        blm_buf_free(&out);
        free(rc);
    }
    free(e);
}

/* Value maps (docs/MODEL.md §11): audio that uses a third of the values (8-bit
 * samples at a gain of 1.37, and one sample at each extreme so that the range is
 * full) round-trips with maps in every profile, costs far less with them than
 * without, and the encoder guesses that they pay; dense audio does not get them;
 * a damaged map is found; the frame coder chooses them by itself. */
static void test_value_maps(void)
{
    enum { N = 20000 };
    for (int ch = 1; ch <= 2; ch++) {
        uint8_t *raw = test_pcm_integer(N, (uint32_t)ch, 23);
        int16_t *dense = as_samples(raw, (size_t)N * ch);
        int16_t *sparse = malloc((size_t)N * ch * sizeof(int16_t));
        for (size_t i = 0; i < (size_t)N * ch; i++)
            sparse[i] = (int16_t)((dense[i] >> 8) * 351); /* 1.37 * 256, rounded */
        sparse[0] = -32768;
        sparse[1] = 32767;
        for (int i = 0; i < BLM_PP_PROFILES; i++)
            round_trip(sparse, N, ch, blm_pcm_profile(i) | BLM_PP_VALUE_MAPS, "sparse, maps");
        round_trip(dense, N, ch, BLM_PP_VALUE_MAPS, "dense, maps");
        const size_t with = round_trip(sparse, N, ch, BLM_PP_VALUE_MAPS, "sparse, maps");
        const size_t without = round_trip(sparse, N, ch, 0, "sparse, no maps");
        CHECK(with && with * 2 < without, "%d channels: %zu bytes with maps, %zu without", ch, with,
              without);
        BlmCascadeCoder *cc = blm_cascade_new(ch);
        CHECK(blm_cascade_maps_worth_trying(cc, sparse, N) == 1, "%d channels: sparse: maps not tried", ch);
        CHECK(blm_cascade_maps_worth_trying(cc, dense, N) == 0, "%d channels: dense: maps tried", ch);

        /* a flipped byte in the map (the payload's start) is found */
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state;
        CHECK(blm_cascade_encode(cc, sparse, N, BLM_PP_VALUE_MAPS, &out, &state) == 0, "encode");
        int16_t *back = malloc((size_t)N * ch * sizeof(int16_t));
        for (size_t pos = 0; pos < 64 && pos < out.len; pos += 5) {
            out.data[pos] ^= 0x21;
            CHECK(blm_cascade_decode(cc, out.data, out.len, N, BLM_PP_VALUE_MAPS, state, back) ==
                      BYTELM_EDESYNC,
                  "%d channels: map byte %zu flipped: not found", ch, pos);
            out.data[pos] ^= 0x21;
        }
        CHECK(blm_cascade_decode(cc, out.data, out.len, N, 0, state, back) == BYTELM_EDESYNC,
              "%d channels: maps ignored: not found", ch);

        /* the frame coder's default preset chooses maps for the sparse frame */
        const BlmHeader h = pcm_header(ch, N, BYTELM_PRESET_DEFAULT);
        BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
        BlmFrameHeader fh;
        const int ret = frame_round_trip(fc, &h, sparse, N, &out, &fh, back);
        CHECK(ret == 0 && !memcmp(back, sparse, (size_t)N * ch * 2) && fh.mode == BLM_MODE_CASCADE &&
                  (fh.params[0] & BLM_PP_VALUE_MAPS),
              "%d channels: frame coder: %s, mode %d, parameter %d", ch, bytelm_strerror(ret), fh.mode,
              fh.params[0]);
        blm_frame_coder_free(fc);
        blm_buf_free(&out);
        blm_cascade_free(cc);
        free(back);
        free(sparse);
        free(dense);
    }
}

/* The frame coder: with the default preset, stereo tones go to mode 6 with a valid
 * profile and decode; three channels never use it; a frame header of mode 6 with
 * the wrong parameters, or in a 3-channel stream, is refused. */
static void test_frames(void)
{
    enum { N = 5000 };
    for (uint32_t ch = 1; ch <= 3; ch++) {
        const BlmHeader h = pcm_header((int)ch, N, BYTELM_PRESET_DEFAULT);
        uint8_t *raw = test_pcm_integer(N, ch, 17);
        BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        BlmFrameHeader fh;
        size_t n = 0;
        uint8_t *back = malloc((size_t)N * ch * 2);
        const int ret = frame_round_trip(fc, &h, raw, N, &out, &fh, back);
        CHECK(ret == 0 && !memcmp(back, raw, (size_t)N * ch * 2), "%u channels: frame round trip: %s",
              ch, bytelm_strerror(ret));
        if (ch <= 2)
            CHECK(fh.mode == BLM_MODE_CASCADE && blm_cascade_param(fh.params, fh.n_params) >= 0 &&
                      (fh.params[0] & (BLM_PP_WARM | BLM_PP_NET)) &&
                      blm_pcm_profile_valid(fh.params[0] & ~(BLM_PP_WARM | BLM_PP_NET2 | BLM_PP_EXT)),
                  "%u channels: mode %d, %d parameters", ch, fh.mode, fh.n_params);
        else
            CHECK(fh.mode != BLM_MODE_CASCADE, "3 channels: mode 6 used");
        if (ch == 2) {
            /* the same frame read against a 3-channel header, or with 2 parameters */
            BlmHeader h3 = h;
            h3.channels = 3;
            h3.frame_units = 2 * N;
            BlmFrameHeader f2;
            CHECK(blm_frame_parse(out.data, out.len, &h3, &f2, &n) == BYTELM_EFORMAT,
                  "mode 6 accepted in a 3-channel stream");
            uint8_t *copy = malloc(out.len);
            memcpy(copy, out.data, out.len);
            copy[21] = 2; /* n_params */
            CHECK(blm_frame_parse(copy, out.len, &h, &f2, &n) < 0, "mode 6 with 2 parameters accepted");
            free(copy);
        }
        free(back);
        free(raw);
        blm_buf_free(&out);
        blm_frame_coder_free(fc);
    }
}

/* A signal that repeats every `period` samples, as a loop does: a pattern of noise
 * that no short predictor can follow, each repeat with ±1 of dither. */
static int16_t *looped(uint32_t n, int ch, uint32_t period, uint64_t seed)
{
    int16_t *s = malloc((size_t)n * ch * sizeof(int16_t));
    for (uint32_t t = 0; t < n; t++)
        for (int c = 0; c < ch; c++) {
            const size_t i = (size_t)t * ch + c;
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            const int dither = (int)(seed >> 62) % 3 - 1;
            s[i] = t < period ? (int16_t)((int32_t)(seed >> 33) % 16000)
                              : (int16_t)(s[i - (size_t)period * ch] + dither);
        }
    return s;
}

/* The long-term lag (param bit 7, docs/MODEL.md §9): its parameter bytes, its round
 * trips with every other bit, what it buys on a loop, the lag finder, and the frame
 * coder choosing it. */
static void test_long_term(void)
{
    enum { N = 12000, PERIOD = 3000 };
    const int with_lag = BLM_PP_EXT | PERIOD << BLM_PP_LAG_SHIFT;
    uint8_t b[4];
    CHECK(blm_cascade_param_bytes(with_lag | 6, b) == 4 && blm_cascade_param(b, 4) == (with_lag | 6) &&
              b[0] == (BLM_PP_EXT | 6) && b[1] == (PERIOD & 0xff) && b[2] == PERIOD >> 8 && b[3] == 0,
          "parameter bytes of lag %d", PERIOD);
    CHECK(blm_cascade_param_bytes(6, b) == 1 && blm_cascade_param(b, 1) == 6, "parameter without a lag");
    static const struct { uint8_t p[4]; uint32_t n; int ok; } cases[] = {
        {{BLM_PP_EXT, 64, 0, 0}, 4, 1},          {{BLM_PP_EXT, 63, 0, 0}, 4, 0},
        {{BLM_PP_EXT, 0xff, 0xff, 0x3f}, 4, 1},  {{BLM_PP_EXT, 0, 0, 0x80}, 4, 0},
        {{BLM_PP_EXT, 0, 0, 0}, 4, 0},           {{BLM_PP_EXT, 0, 0, 0x40}, 4, 1},
        {{BLM_PP_EXT, 64, 0, 0x40}, 4, 1},       {{BLM_PP_EXT, 1, 0, 0x40}, 4, 0},
        {{BLM_PP_EXT, 0, 1, 0}, 1, 0},           {{0, 0, 1, 0}, 4, 0},
        {{BLM_PP_EXT, 0, 1, 0}, 3, 0},           {{BLM_PP_EXT | BLM_PP_NET | 7, 0, 1, 0}, 4, 1},
        {{BLM_PP_EXT | BLM_PP_NET | BLM_PP_WARM, 0, 1, 0}, 4, 1},
        {{BLM_PP_EXT | BLM_PP_NET | BLM_PP_VALUE_MAPS, 0, 1, 0}, 4, 1},  /* the second network */
        {{BLM_PP_EXT | BLM_PP_NET | BLM_PP_VALUE_MAPS | 16, 0, 1, 0}, 4, 0},
        {{BLM_PP_EXT | BLM_PP_VALUE_MAPS | BLM_PP_WARM | 20, 0, 1, 0}, 4, 1},
        {{BLM_PP_EXT | 8 | 16, 0, 1, 0}, 4, 0},  /* wide without fast: no profile */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK((blm_cascade_check_params(cases[i].p, cases[i].n) == 0) == cases[i].ok,
              "parameters %zu (%02x, %u bytes): %s", i, cases[i].p[0], cases[i].n,
              cases[i].ok ? "refused" : "accepted");

    for (int ch = 1; ch <= 2; ch++) {
        int16_t *loop = looped(N, ch, PERIOD, 11 + (uint64_t)ch);
        const int params[] = {0, 6, 7, BLM_PP_WARM | 20, BLM_PP_VALUE_MAPS | BLM_PP_WARM, BLM_PP_NET | 6};
        for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
            round_trip(loop, N, ch, params[i] | with_lag, "loop, lag");
        round_trip(loop, N, ch, BLM_PP_EXT | BLM_PP_LTP_MIN << BLM_PP_LAG_SHIFT, "loop, shortest lag");
        round_trip(loop, N, ch, BLM_PP_EXT | BLM_PP_LTP_MAX << BLM_PP_LAG_SHIFT, "loop, lag past the frame");
        round_trip(loop, 100, ch, with_lag, "100 samples, lag");
        const size_t with = round_trip(loop, N, ch, BLM_PP_WARM | with_lag, "loop, lag");
        const size_t without = round_trip(loop, N, ch, BLM_PP_WARM, "loop, no lag");
        /* the first period costs what it did; the three repeats nearly nothing */
        CHECK(with && with * 2 < without, "%d channels: %zu bytes with the lag, %zu without", ch, with,
              without);

        BlmCascadeCoder *cc = blm_cascade_new(ch);
        const int32_t found = blm_cascade_find_lag(cc, loop, N);
        CHECK(found == PERIOD, "%d channels: lag %d found, %d expected", ch, found, PERIOD);
        CHECK(blm_cascade_find_lag(cc, loop, PERIOD) == 0, "%d channels: a lag found in one period", ch);
        int16_t *quiet = calloc((size_t)N * ch, sizeof(int16_t));
        CHECK(blm_cascade_find_lag(cc, quiet, N) == 0, "%d channels: a lag found in silence", ch);
        uint8_t *raw = test_pcm_integer(N, (uint32_t)ch, 29);
        int16_t *music = as_samples(raw, (size_t)N * ch);
        CHECK(blm_cascade_find_lag(cc, music, N) == 0, "%d channels: a lag found in tones", ch);

        /* a decoder given another lag does not decode the frame */
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state;
        int16_t *back = malloc((size_t)N * ch * sizeof(int16_t));
        CHECK(blm_cascade_encode(cc, loop, N, with_lag, &out, &state) == 0, "encode");
        CHECK(blm_cascade_decode(cc, out.data, out.len, N, BLM_PP_EXT | (PERIOD + 1) << BLM_PP_LAG_SHIFT, state, back) ==
                  BYTELM_EDESYNC,
              "%d channels: the wrong lag not found", ch);
        CHECK(blm_cascade_decode(cc, out.data, out.len, N, 0, state, back) == BYTELM_EDESYNC,
              "%d channels: the lag ignored: not found", ch);

        /* the frame coder tries the lag (not with the fast preset) and writes 4 bytes */
        for (int preset = BYTELM_PRESET_FAST; preset <= BYTELM_PRESET_DEFAULT; preset++) {
            const BlmHeader h = pcm_header(ch, N, preset);
            BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
            BlmFrameHeader fh;
            size_t n = 0;
            const int ret = frame_round_trip(fc, &h, loop, N, &out, &fh, back);
            const int lag = preset == BYTELM_PRESET_DEFAULT;
            CHECK(ret == 0 && !memcmp(back, loop, (size_t)N * ch * 2) && fh.mode == BLM_MODE_CASCADE &&
                      (fh.n_params == 4) == lag && (fh.params[0] & BLM_PP_EXT) == (lag ? BLM_PP_EXT : 0) &&
                      (!lag || BLM_PP_LTP_LAG(blm_cascade_param(fh.params, fh.n_params)) == PERIOD),
                  "%d channels, preset %d: frame coder: %s, mode %d, %d parameters", ch, preset,
                  bytelm_strerror(ret), fh.mode, fh.n_params);
            if (lag) {
                /* the header's parameter count must match the lag bit */
                out.data[21] = 3;
                CHECK(blm_frame_parse(out.data, out.len, &h, &fh, &n) < 0, "mode 6 with 3 parameters accepted");
            }
            blm_frame_coder_free(fc);
        }
        blm_buf_free(&out);
        blm_cascade_free(cc);
        free(back);
        free(music);
        free(quiet);
        free(loop);
    }
}

/* Stereo as two monos (BLM_PP_INDEPENDENT, docs/MODEL.md §9): round trips with every
 * other bit, smaller where the channels have nothing in common, refused for mono, and
 * the frame coder choosing it there. */
static void test_independent(void)
{
    enum { N = 12000 };
    const int indep = BLM_PP_EXT | BLM_PP_INDEPENDENT;
    /* each channel 12 tones of its own and a little noise: more than the 16 own
     * samples of stereo's first channel can predict, nothing for the other to add */
    int16_t *left = malloc(N * sizeof(int16_t)), *right = malloc(N * sizeof(int16_t));
    int16_t *pcm = malloc((size_t)N * 2 * sizeof(int16_t));
    uint64_t st = 5;
    for (int t = 0; t < N; t++) {
        double l = 0, r = 0;
        for (int k = 1; k <= 12; k++) {
            l += 1200.0 * sin(t * (0.031 * k + 0.0021 * k * k));
            r += 1100.0 * sin(t * (0.027 * k + 0.0033 * k * k) + k);
        }
        left[t] = (int16_t)(l + (int)(test_rand(&st) % 9) - 4);
        right[t] = (int16_t)(r + (int)(test_rand(&st) % 9) - 4);
        pcm[2 * t] = left[t];
        pcm[2 * t + 1] = right[t];
    }
    const int params[] = {0, 6, 7, BLM_PP_WARM | 20, BLM_PP_VALUE_MAPS | BLM_PP_WARM, BLM_PP_NET | 6,
                          BLM_PP_WARM | 128 << BLM_PP_LAG_SHIFT};
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        round_trip(pcm, N, 2, params[i] | indep, "unrelated channels, independent");
    round_trip(pcm, 1, 2, indep, "1 sample, independent");
    const size_t two = round_trip(pcm, N, 2, BLM_PP_WARM | indep, "unrelated channels, independent");
    const size_t one = round_trip(pcm, N, 2, BLM_PP_WARM, "unrelated channels");
    CHECK(two && two < one, "unrelated channels: %zu bytes as two monos, %zu as stereo", two, one);

    BlmCascadeCoder *mono = blm_cascade_new(1), *cc = blm_cascade_new(2);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state;
    int16_t *back = malloc((size_t)N * 2 * sizeof(int16_t));
    CHECK(blm_cascade_encode(mono, left, N, indep, &out, &state) < 0, "mono coded as independent");
    CHECK(blm_cascade_decode(mono, out.data, out.len, N, indep, state, back) < 0,
          "mono decoded as independent");
    CHECK(blm_cascade_encode(cc, pcm, N, BLM_PP_WARM | indep, &out, &state) == 0, "encode");
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, BLM_PP_WARM, state, back) == BYTELM_EDESYNC,
          "independent decoded as stereo: not found");

    BlmHeader h = pcm_header(2, N, BYTELM_PRESET_DEFAULT);
    BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
    BlmFrameHeader fh;
    const int ret = frame_round_trip(fc, &h, pcm, N, &out, &fh, back);
    const int param = ret ? ret : blm_cascade_param(fh.params, fh.n_params);
    CHECK(ret == 0 && !memcmp(back, pcm, (size_t)N * 4) && fh.mode == BLM_MODE_CASCADE && param >= 0 &&
              (param & BLM_PP_INDEPENDENT),
          "frame coder: %s, mode %d, parameter %d", bytelm_strerror(ret), fh.mode, param);
    blm_frame_coder_free(fc);

    /* a mono frame whose parameter says independent channels is malformed */
    h.channels = 1;
    fc = blm_frame_coder_new(&h, NULL);
    BlmFrameHeader bad = {.n_units = N, .mode = BLM_MODE_CASCADE, .n_params = 4,
                          .params = {BLM_PP_WARM | BLM_PP_EXT, 0, 0, 0x40}, .payload_size = 16};
    const uint8_t junk[16] = {1, 2, 3};
    CHECK(blm_frame_decode(fc, &bad, junk, (uint8_t *)back) == BYTELM_EFORMAT,
          "mono frame with independent channels: not refused");
    blm_frame_coder_free(fc);
    blm_buf_free(&out);
    blm_cascade_free(mono);
    blm_cascade_free(cc);
    free(back);
    free(pcm);
    free(left);
    free(right);
}

int main(void)
{
    test_round_trips();
    test_value_maps();
    test_learns();
    test_damage();
    test_host_fp_mode();
    test_residuals();
    test_frames();
    test_long_term();
    test_independent();
    printf("cascade: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
