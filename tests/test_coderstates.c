/*
 * The residual coder's learned starting states (docs/MODEL.md §13): the built-in file
 * is the documented one and parses to settled states; a damaged or malformed states
 * file is refused; frames of modes 6 and 7 that start warm decode only as warm; and
 * on the bundled speech and camera frame, which the states were not trained on, a warm
 * start codes smaller than a cold one.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "bitio.h"
#include "coderstates.h"
#include "pcmcascade.h"
#include "pixelcascade.h"
#include "testutil.h"

static int failures, passes;

/* docs/MODEL.md §13: the SHA-256 that ends models/bytelm-coder-states-v1.bin */
static const char builtin_hash[] = "47cc4ecb7e6136010aa5d64dd7851a56ebc402c4984332d716722c8d3cb8e186";

extern const unsigned char blm_builtin_coder_states[];
extern const size_t blm_builtin_coder_states_size;

static int counter_ok(uint32_t c, uint32_t cap)
{
    return (c & 0xffff) <= cap;
}

static void test_builtin(void)
{
    const size_t len = blm_builtin_coder_states_size;
    char hex[65] = "";
    for (int k = 0; len >= 32 && k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", blm_builtin_coder_states[len - 32 + k]);
    CHECK(len == blm_coder_states_file_size() && !strcmp(hex, builtin_hash),
          "built-in states: %zu bytes, hash %s", len, hex);
    static const int counts[BLM_STATES_SETS] = {1, 2, 1, 3};
    for (int s = 0; s < BLM_STATES_SETS; s++) {
        const BlmResChannel *const *st = blm_coder_states((BlmCoderStateSet)s);
        CHECK(st != NULL, "set %d: parsed", s);
        if (!st)
            continue;
        for (int c = 0; c < counts[s]; c++) {
            const BlmResChannel *ch = st[c];
            /* settled: scales reset, counts capped at 16; and learnt: the zero flag at
             * a middling scale is no longer at even odds */
            int settled = ch->fast == 0 && ch->slow == 0 && ch->last == 0 && ch->last_sign == 1;
            for (int d = 0; d < BLM_RES_DECISIONS; d++)
                for (int q = 0; q < BLM_RES_SCALES; q++)
                    settled &= counter_ok(ch->by_fast[d][q], 16) && counter_ok(ch->by_slow[d][q], 16) &&
                               counter_ok(ch->by_last[d][q], 16);
            CHECK(settled && blm_counter_p(ch->by_fast[0][10]) != 32768,
                  "set %d, state %d: settled and learnt", s, c);
        }
    }
    CHECK(blm_coder_states(BLM_STATES_SETS) == NULL, "no set past the last");
    /* mode 7's bias tables: learnt (some context has a count), counts below 256 */
    for (int s = BLM_STATES_GRAY; s <= BLM_STATES_RGB; s++) {
        const BlmPixelBias *const *b = blm_coder_bias((BlmCoderStateSet)s);
        int ok = b != NULL, learnt = 0;
        for (int c = 0; ok && c < (s == BLM_STATES_GRAY ? 1 : 3); c++)
            for (int k = 0; k < BLM_STATES_BIAS_CONTEXTS; k++) {
                ok &= b[c]->count[k] >= 0 && b[c]->count[k] < 256;
                learnt += b[c]->count[k] > 0;
            }
        CHECK(ok && learnt > 100, "set %d: bias tables (%d contexts learnt)", s, learnt);
    }
    CHECK(blm_coder_bias(BLM_STATES_PCM_MONO) == NULL, "no bias tables for PCM");
}

static void rehash(uint8_t *file, size_t len)
{
    blm_sha256(file, len - 32, file + len - 32);
}

static void test_file(void)
{
    const size_t len = blm_coder_states_file_size();
    BlmResChannel *states = malloc(BLM_STATES_COUNT * sizeof *states);
    BlmPixelBias *bias = malloc(BLM_STATES_BIAS_PLANES * sizeof *bias);
    uint8_t *file = malloc(len), *again = malloc(len);
    CHECK(blm_coder_states_parse(blm_builtin_coder_states, len, states, bias) == 0, "parse");
    blm_coder_states_write(states, bias, again);
    CHECK(!memcmp(again, blm_builtin_coder_states, len), "write gives back the same bytes");

    memcpy(file, again, len);
    file[len / 2] ^= 1;
    CHECK(blm_coder_states_parse(file, len, states, bias) == BYTELM_EFORMAT, "a flipped bit: refused");
    CHECK(blm_coder_states_parse(again, len - 1, states, bias) == BYTELM_EFORMAT, "one byte short: refused");
    memcpy(file, again, len);
    file[4] = 2;
    rehash(file, len);
    CHECK(blm_coder_states_parse(file, len, states, bias) == BYTELM_EFORMAT, "version 2: refused");
    /* a counter whose count would index past the rate table, its hash made right */
    memcpy(file, again, len);
    file[16] = 0x00, file[17] = 0x01; /* the first counter's count: 256 */
    rehash(file, len);
    CHECK(blm_coder_states_parse(file, len, states, bias) == BYTELM_EFORMAT, "count 256: refused");
    file[16] = 0xff, file[17] = 0x00;
    rehash(file, len);
    CHECK(blm_coder_states_parse(file, len, states, bias) == 0, "count 255: taken");
    /* a bias table's count of 256 (mode 7 halves at 256) or a NaN sum, hash made right */
    const size_t table = len - 32 - BLM_STATES_BIAS_PLANES * sizeof(BlmPixelBias);
    memcpy(file, again, len);
    memcpy(file + table + 8 * BLM_STATES_BIAS_CONTEXTS, (const uint8_t[8]){0, 0, 0, 0, 0, 0, 0x70, 0x40}, 8);
    rehash(file, len);
    CHECK(blm_coder_states_parse(file, len, states, bias) == BYTELM_EFORMAT, "bias count 256: refused");
    memcpy(file, again, len);
    memcpy(file + table, (const uint8_t[8]){0, 0, 0, 0, 0, 0, 0xf8, 0x7f}, 8);
    rehash(file, len);
    CHECK(blm_coder_states_parse(file, len, states, bias) == BYTELM_EFORMAT, "bias sum NaN: refused");
    free(bias);
    free(states);
    free(file);
    free(again);
}

static void test_pcm(void)
{
    size_t n = 0;
    int16_t *speech = test_wav_samples(SAMPLES_DIR "/speech-ru-16k-mono.wav", &n);
    CHECK(speech && n > 16000, "bundled speech read");
    if (!speech)
        return;
    n = 16000; /* its first second */
    BlmCascadeCoder *cc = blm_cascade_new(1);
    int16_t *back = malloc(n * sizeof *back);
    size_t size[2];
    for (int warm = 0; warm < 2; warm++) {
        const int param = BLM_PP_PROFILE_FAST | 2 | (warm ? BLM_PP_WARM : 0);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state;
        CHECK(blm_cascade_encode(cc, speech, (uint32_t)n, param, &out, &state) == 0, "encode, warm %d", warm);
        size[warm] = out.len;
        CHECK(blm_cascade_decode(cc, out.data, out.len, (uint32_t)n, param, state, back) == 0 &&
                  !memcmp(back, speech, n * sizeof *back),
              "decode, warm %d", warm);
        CHECK(blm_cascade_decode(cc, out.data, out.len, (uint32_t)n, param ^ BLM_PP_WARM, state, back) ==
                  BYTELM_EDESYNC,
              "decoded with the other start, warm %d: damaged", warm);
        blm_buf_free(&out);
    }
    CHECK(size[1] < size[0], "speech, first second: warm %zu bytes, cold %zu", size[1], size[0]);
    free(back);
    free(speech);
    blm_cascade_free(cc);
}

static void test_pixels(void)
{
    size_t len;
    uint8_t *pgm = test_read_file(SAMPLES_DIR "/gray-cube-384x288.pgm", &len);
    enum { W = 384, H = 288 };
    CHECK(pgm && len >= (size_t)W * H, "bundled camera frame read");
    if (!pgm || len < (size_t)W * H)
        return;
    const uint8_t *img = pgm + len - (size_t)W * H; /* the pixels end the file */
    BlmPixelCoder *pc = blm_pixel_coder_new(1, 1, W);
    uint8_t *back = malloc((size_t)W * H);
    size_t size[2];
    for (int warm = 0; warm < 2; warm++) {
        const int param = warm ? BLM_PX_WARM : 0;
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state;
        CHECK(blm_pixel_encode(pc, img, H, param, &out, &state) == 0, "encode, warm %d", warm);
        size[warm] = out.len;
        CHECK(blm_pixel_decode(pc, out.data, out.len, H, param, state, back) == 0 &&
                  !memcmp(back, img, (size_t)W * H),
              "decode, warm %d", warm);
        CHECK(blm_pixel_decode(pc, out.data, out.len, H, param ^ BLM_PX_WARM, state, back) == BYTELM_EDESYNC,
              "decoded with the other start, warm %d: damaged", warm);
        blm_buf_free(&out);
    }
    CHECK(size[1] < size[0], "camera frame: warm %zu bytes, cold %zu", size[1], size[0]);
    const uint8_t none = 0, warm = BLM_PX_WARM, two[2] = {BLM_PX_WARM, 0}, other = 2;
    CHECK(blm_pixel_check_params(&none, 0, 1, 1) == 0 && blm_pixel_check_params(&warm, 1, 1, 1) == 0 &&
              blm_pixel_check_params(two, 2, 1, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&other, 1, 1, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&none, 1, 1, 1) == BYTELM_EFORMAT,
          "mode 7 parameters: none or the warm byte");
    free(back);
    free(pgm);
    blm_pixel_coder_free(pc);
}

int main(void)
{
    test_builtin();
    test_file();
    test_pcm();
    test_pixels();
    printf("coderstates: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
