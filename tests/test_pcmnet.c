/*
 * The audio networks of frame mode 6 (docs/MODEL.md §15): their weights are the
 * documented ones; frames coded by either round-trip every kind of signal, mono and
 * stereo, at any length, as built and learning within the frame; damage, a missing
 * network or learning bit, the other network or another sample rate is found; the
 * host's floating-point mode does not matter; on the bundled speech the network is
 * smaller than the warm residual coder and the frame coder chooses the second,
 * learning; on the bundled music learning makes it smaller, and the second network
 * is smaller than the first.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h>

#include "bytelm/bytelm.h"
#include "format.h"
#include "framecoder.h"
#include "pcmcascade.h"
#include "pcmnet.h"
#include "testutil.h"

/* docs/MODEL.md §15: FNV-1a of the built-in weights, the first and second network */
#define BLM_PCN_DOCUMENTED_HASH 0xc810fe93u
#define BLM_PCN2_DOCUMENTED_HASH 0xebd9f35du

static int failures, passes;

static int16_t *as_samples(uint8_t *bytes, size_t n)
{
    int16_t *s = malloc(n * sizeof(int16_t) + 1);
    for (size_t i = 0; i < n; i++)
        s[i] = (int16_t)(uint16_t)(bytes[2 * i] | bytes[2 * i + 1] << 8);
    free(bytes);
    return s;
}

/* Encodes n sample frames with param at the rate into out; decodes them back and
 * compares. Returns the payload size, 0 after a failed check. */
static size_t round_trip(const int16_t *pcm, uint32_t n, int ch, int param, uint32_t rate, const char *what,
                         BlmBuf *keep, uint32_t *keep_state)
{
    BlmCascadeCoder *cc = blm_cascade_new(ch);
    cc->rate = rate;
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state = 0;
    int ret = blm_cascade_encode(cc, pcm, n, param, &out, &state);
    int16_t *back = malloc((size_t)n * ch * sizeof(int16_t) + 1);
    if (ret == 0)
        ret = blm_cascade_decode(cc, out.data, out.len, n, param, state, back);
    const int same = ret == 0 && !memcmp(back, pcm, (size_t)n * ch * sizeof(int16_t));
    CHECK(same, "%s: %u samples, %d channels, param %d: %s", what, n, ch, param,
          ret ? bytelm_strerror(ret) : "decoded samples differ");
    const size_t size = same ? out.len : 0;
    if (keep) {
        *keep = out;
        *keep_state = state;
    } else {
        blm_buf_free(&out);
    }
    free(back);
    blm_cascade_free(cc);
    return size;
}

static void test_weights(void)
{
    CHECK(blm_pcmnet_hash(1) == BLM_PCN_DOCUMENTED_HASH, "the first audio network's hash is %08x",
          blm_pcmnet_hash(1));
    CHECK(blm_pcmnet_hash(2) == BLM_PCN2_DOCUMENTED_HASH, "the second audio network's hash is %08x",
          blm_pcmnet_hash(2));
}

/* Tones, full-scale noise, a full-scale square (predictions at the range's ends,
 * where one sign is impossible), silence; every length around the channel lag. */
static void test_round_trips(void)
{
    enum { N = 4000 };
    uint64_t st = 5;
    int16_t *noise = malloc(N * 2 * sizeof(int16_t));
    int16_t *square = malloc(N * 2 * sizeof(int16_t));
    int16_t *silence = calloc(N * 2, sizeof(int16_t));
    for (int i = 0; i < N * 2; i++) {
        noise[i] = (int16_t)(uint16_t)test_rand(&st);
        square[i] = (i / 2 / (1 + (i / 150) % 7)) % 2 ? 32767 : -32768;
    }
    const int profiles[] = {0, BLM_PP_PROFILE_FAST | 2, BLM_PP_PROFILE_FAST | BLM_PP_PROFILE_WIDE | 3};
    for (int ch = 1; ch <= 2; ch++) {
        int16_t *tones = as_samples(test_pcm_integer(N, (uint32_t)ch, 9), (size_t)N * ch);
        const int nets[] = {BLM_PP_NET, BLM_PP_NET_ADAPT, BLM_PP_NET2, BLM_PP_NET_ADAPT | BLM_PP_NET2};
        for (int k = 0; k < 4; k++) {
            const int net = nets[k];
            for (int i = 0; i < 3; i++) {
                const int p = profiles[i] | net;
                round_trip(tones, N, ch, p, 44100, "tones", NULL, NULL);
                round_trip(noise, N, ch, p, 8000, "noise", NULL, NULL);
                round_trip(square, N, ch, p, 16000, "full-scale square", NULL, NULL);
                round_trip(silence, N, ch, p, 48000, "silence", NULL, NULL);
            }
            for (uint32_t n = 1; n <= 2 * BLM_PP_LAG + 1; n++)
                round_trip(tones, n, ch, net, 44100, "short frame", NULL, NULL);
        }
        free(tones);
    }
    free(noise);
    free(square);
    free(silence);
}

/* Every flipped byte is found; so are a decoder without the network bit, one with
 * the learning bit or the network's flipped and one told another sample rate (the
 * rate is one of the network's inputs). */
static void test_damage(int param)
{
    enum { N = 3000 };
    int16_t *pcm = as_samples(test_pcm_integer(N, 2, 21), 2 * N);
    int16_t *back = malloc(2 * N * sizeof(int16_t));
    BlmBuf out;
    uint32_t state = 0;
    if (!round_trip(pcm, N, 2, param, 44100, "damage test", &out, &state))
        return;
    BlmCascadeCoder *cc = blm_cascade_new(2);
    cc->rate = 44100;
    int found = 0, tried = 0;
    for (size_t pos = 0; pos < out.len; pos += 1 + out.len / 97, tried++) {
        out.data[pos] ^= 0x04;
        found += blm_cascade_decode(cc, out.data, out.len, N, param, state, back) == BYTELM_EDESYNC;
        out.data[pos] ^= 0x04;
    }
    CHECK(found == tried, "flipped bytes: %d of %d found", found, tried);
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, param & ~BLM_PP_NET, state, back) == BYTELM_EDESYNC,
          "decoded without the network: not found");
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, param ^ BLM_PP_WARM, state, back) == BYTELM_EDESYNC,
          "decoded with the learning bit flipped: not found");
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, param ^ BLM_PP_VALUE_MAPS, state, back) == BYTELM_EDESYNC,
          "decoded by the other network: not found");
    cc->rate = 48000;
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, param, state, back) == BYTELM_EDESYNC,
          "decoded at another rate: not found");
    cc->rate = 44100;
    CHECK(blm_cascade_decode(cc, out.data, out.len, N, param, state, back) == 0, "intact payload");
    /* with the network, the value maps' bit picks the second one and the warm bit has
     * it learn; a wide cascade without the short one is no profile with either */
    CHECK(blm_cascade_check_params((const uint8_t[]){BLM_PP_NET2}, 1) == 0 &&
              blm_cascade_check_params((const uint8_t[]){BLM_PP_NET_ADAPT | BLM_PP_NET2}, 1) == 0 &&
              blm_cascade_check_params((const uint8_t[]){BLM_PP_NET | BLM_PP_WARM}, 1) == 0 &&
              blm_cascade_check_params((const uint8_t[]){BLM_PP_NET | 6}, 1) == 0 &&
              blm_cascade_check_params((const uint8_t[]){BLM_PP_NET2 | BLM_PP_PROFILE_WIDE}, 1) == BYTELM_EFORMAT &&
              blm_cascade_check_params((const uint8_t[]){BLM_PP_NET | BLM_PP_PROFILE_WIDE}, 1) == BYTELM_EFORMAT,
          "parameter rules");
    blm_buf_free(&out);
    blm_cascade_free(cc);
    free(back);
    free(pcm);
}

/* The encoder's network try on a recorded predictor (blm_cascade_set_tracing) gives
 * the stream that running the predictor gives, mono and stereo, with a lag and as two
 * monos; a try on another predictor, or after the record was dropped, runs it. */
static void test_trace(void)
{
    enum { N = 3000 };
    for (int ch = 1; ch <= 2; ch++) {
        int16_t *pcm = as_samples(test_pcm_integer(N, (uint32_t)ch, 27), (size_t)N * ch);
        const int predictors[] = {0, BLM_PP_PROFILE_FAST | 2, BLM_PP_EXT | 64 << BLM_PP_LAG_SHIFT | 7,
                                  BLM_PP_EXT | BLM_PP_INDEPENDENT | 6};
        for (int i = 0; i < 4; i++) {
            const int p = predictors[i];
            if ((p & BLM_PP_INDEPENDENT) && ch == 1)
                continue;
            BlmCascadeCoder *plain = blm_cascade_new(ch), *traced = blm_cascade_new(ch);
            plain->rate = traced->rate = 44100;
            BlmBuf a, b;
            blm_buf_init(&a, BLM_BUF_NO_LIMIT);
            blm_buf_init(&b, BLM_BUF_NO_LIMIT);
            uint32_t sa = 0, sb = 0;
            int ret = blm_cascade_encode(plain, pcm, N, p | BLM_PP_NET_ADAPT | BLM_PP_NET2, &a, &sa);
            blm_cascade_set_tracing(traced, 1);
            ret |= blm_cascade_encode(traced, pcm, N, p | BLM_PP_WARM, &b, &sb);
            blm_cascade_keep_trace(traced);
            /* a try of another predictor, not kept, leaves the record */
            ret |= blm_cascade_encode(traced, pcm, N, (p ^ 1) | BLM_PP_WARM, &b, &sb);
            blm_buf_reset(&b, BLM_BUF_NO_LIMIT);
            ret |= blm_cascade_encode(traced, pcm, N, p | BLM_PP_NET_ADAPT | BLM_PP_NET2, &b, &sb);
            CHECK(ret == 0 && traced->replayed && a.len == b.len && sa == sb && !memcmp(a.data, b.data, a.len),
                  "%d channels, predictor %d: the try on the record (%s) differs", ch, p,
                  traced->replayed ? "read" : "not read");
            blm_buf_reset(&b, BLM_BUF_NO_LIMIT);
            ret = blm_cascade_encode(traced, pcm, N, (p ^ 1) | BLM_PP_NET_ADAPT, &b, &sb);
            CHECK(ret == 0 && !traced->replayed, "%d channels: a try on another predictor read the record", ch);
            blm_cascade_set_tracing(traced, 1);
            ret = blm_cascade_encode(traced, pcm, N, p | BLM_PP_NET_ADAPT, &b, &sb);
            CHECK(ret == 0 && !traced->replayed, "%d channels: a new frame's try read the last frame's record", ch);
            blm_buf_free(&a);
            blm_buf_free(&b);
            blm_cascade_free(plain);
            blm_cascade_free(traced);
        }
        free(pcm);
    }
}

static void test_host_fp_mode(int param)
{
    enum { N = 2500 };
    int16_t *pcm = as_samples(test_pcm_integer(N, 2, 23), 2 * N);
    BlmBuf a, b;
    uint32_t sa = 0, sb = 0;
    round_trip(pcm, N, 2, param, 44100, "fp mode", &a, &sa);
    const unsigned csr = _mm_getcsr();
    _mm_setcsr((csr & ~0x6000u) | 0x8040u | 0x2000u); /* FTZ, DAZ, round down */
    round_trip(pcm, N, 2, param, 44100, "fp mode, FTZ and rounding down", &b, &sb);
    _mm_setcsr(csr);
    CHECK(a.len == b.len && sa == sb && !memcmp(a.data, b.data, a.len), "the host's MXCSR changed the stream");
    free(pcm);
    blm_buf_free(&a);
    blm_buf_free(&b);
}

/* The bundled speech (not in the training set): smaller with the network than with
 * the warm residual coder, and the frame coder (mono, default preset) chooses it. */
static void test_speech(void)
{
    size_t n = 0;
    int16_t *speech = test_wav_samples(SAMPLES_DIR "/speech-ru-16k-mono.wav", &n);
    CHECK(speech && n > 32000, "bundled speech read");
    if (!speech)
        return;
    n = 32000; /* its first two seconds */
    const size_t warm = round_trip(speech, (uint32_t)n, 1, BLM_PP_PROFILE_FAST | 2 | BLM_PP_WARM, 16000,
                                   "speech, warm coder", NULL, NULL);
    const size_t net = round_trip(speech, (uint32_t)n, 1, BLM_PP_PROFILE_FAST | 2 | BLM_PP_NET, 16000,
                                  "speech, network", NULL, NULL);
    CHECK(net && warm && net < warm * 0.995, "speech: network %zu bytes, warm coder %zu", net, warm);

    BlmHeader h = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = (uint32_t)n,
                   .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 16000, .channels = 1,
                   .preset = BYTELM_PRESET_DEFAULT};
    BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint8_t *raw = malloc(2 * n);
    for (size_t i = 0; i < n; i++)
        raw[2 * i] = (uint8_t)speech[i], raw[2 * i + 1] = (uint8_t)((uint16_t)speech[i] >> 8);
    int ret = blm_frame_encode(fc, raw, (uint32_t)n, 0, &out);
    BlmFrameHeader fh;
    size_t hn = 0;
    ret = ret ? ret : blm_frame_parse(out.data, out.len, &h, &fh, &hn);
    uint8_t *back = malloc(2 * n);
    ret = ret ? ret : blm_frame_decode(fc, &fh, out.data + blm_frame_header_size(&fh), back);
    CHECK(ret == 0 && !memcmp(back, raw, 2 * n), "speech frame round trip: %s", bytelm_strerror(ret));
    CHECK(ret == 0 && fh.mode == BLM_MODE_CASCADE &&
              (fh.params[0] & (BLM_PP_NET_ADAPT | BLM_PP_NET2)) == (BLM_PP_NET_ADAPT | BLM_PP_NET2),
          "speech: the frame coder chose mode %d, parameter %d", fh.mode, fh.params[0]);
    free(back);
    free(raw);
    blm_buf_free(&out);
    blm_frame_coder_free(fc);
    free(speech);
}

/* The bundled music (44.1 kHz stereo, not in the training set): each network
 * learning within the frame codes it smaller than as built, and the second,
 * learning, smaller than the first. */
static void test_music_learning(void)
{
    size_t n = 0;
    int16_t *music = test_wav_samples(SAMPLES_DIR "/music-tabla-44k-stereo.wav", &n);
    CHECK(music && n > 2 * 88200, "bundled music read");
    if (!music)
        return;
    n = 88200; /* its first two seconds */
    const size_t built = round_trip(music, (uint32_t)n, 2, BLM_PP_NET, 44100, "music, network", NULL, NULL);
    const size_t learning = round_trip(music, (uint32_t)n, 2, BLM_PP_NET_ADAPT, 44100, "music, network learning",
                                       NULL, NULL);
    const size_t built2 = round_trip(music, (uint32_t)n, 2, BLM_PP_NET2, 44100, "music, second network", NULL, NULL);
    const size_t learning2 = round_trip(music, (uint32_t)n, 2, BLM_PP_NET_ADAPT | BLM_PP_NET2, 44100,
                                        "music, second network learning", NULL, NULL);
    printf("music: first network as built %zu bytes, learning %zu; second %zu, learning %zu\n", built, learning,
           built2, learning2);
    CHECK(learning && built && learning < built, "music: network learning %zu bytes, as built %zu", learning, built);
    CHECK(learning2 && built2 && learning2 < built2, "music: second network learning %zu bytes, as built %zu",
          learning2, built2);
    CHECK(learning2 && learning2 < learning, "music: second network learning %zu bytes, first %zu", learning2,
          learning);
    free(music);
}

int main(void)
{
    test_weights();
    test_round_trips();
    test_damage(BLM_PP_NET | 1);
    test_damage(BLM_PP_NET_ADAPT | 1);
    test_damage(BLM_PP_NET2 | 1);
    test_damage(BLM_PP_NET_ADAPT | BLM_PP_NET2 | 1);
    test_trace();
    test_host_fp_mode(BLM_PP_NET);
    test_host_fp_mode(BLM_PP_NET_ADAPT);
    test_host_fp_mode(BLM_PP_NET2);
    test_host_fp_mode(BLM_PP_NET_ADAPT | BLM_PP_NET2);
    test_speech();
    test_music_learning();
    printf("pcmnet: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
