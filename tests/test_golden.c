/*
 * Golden vectors: a fixed small model (models/test-golden.blmm) and fixed inputs must
 * give streams with these SHA-256 sums, on every machine and SIMD level (meson runs
 * this test once per level with BYTELM_SIMD set). A change here is a format change.
 * Run with --print to show the current sums.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "format.h"
#include "framecoder.h"
#include "kernels.h"
#include "model.h"
#include "pcmcascade.h"
#include "pixelcascade.h"
#include "testutil.h"

typedef struct Golden {
    const char *name;
    const char *sha256;
} Golden;

static const Golden golden[] = {
    {"rgb 64x48",
     "0a8be45581cc986d1843536b9ad00ad5421eecc86e64b50b085f08a154f7e923"},
    {"gray 100x30",
     "bff48b759f982e6cc13ff6d7a9bbf0abbb544efd91532e8dac35e3865f2729f0"},
    {"pcm stereo 44100",
     "e40de600fed2bd6f4afe75f2a360ee984ce7522e57704dcfd482949f2bf18117"},
    {"bytes, repeats",
     "8b5874b269204235b750114f7c43ca3310f4497c547faab9a314d885a1aae20a"},
    {"pcm frame, model mode",
     "cfd6f91d36e80b92599d949a7cccf531bc564b686d583c6eb2506a2aab67b899"},
    {"pcm frame, LPC",
     "9d22ae2c38f7a774241a07502db388d829e8ef4496668ece5e418ac1df0e4a7a"},
    {"pcm frame, mid, LMS",
     "cd2d7963b6071bf173b371c85e4152e8f116a6c1e3b40d908f38f84ae2a22851"},
    {"bytes frame, match",
     "ee210a3728af377b8c08fdf2c1e0936d9f06f04a43a354f0dca5949ba33ef9f7"},
    {"pcm frame, long LMS",
     "6af6d45abd184686024ef1650b8c2d6d9524605b2c765836a386a3ad546bd322"},
    {"pcm frame, scale",
     "ce075d364598d5a58511ef697b88dcd1d8b5d3b9a08eea2796bfbb056841c923"},
    {"rgb frame, scale",
     "c8740ad593205f182aaf084be24f3905caa0d5cfef425b0bad00d7b07223d75e"},
    {"pcm frame, cascade",
     "601dd58965a20acd5edd8f361f527aa5792c87b39041a7b9ffccc20939f28fa9"},
    {"pcm frame, fast cascade",
     "9841814384c782f4a59d4b6c74c3a056e3d937352cac171204d4152ede0aaa6f"},
    {"cascade profile 2",
     "64ead88b385373383ed90bbbc70e8da2ec713ede638958a6827b0e1750e0cf19"},
    {"cascade profile 7",
     "d027612820ac05a87b2d5f30c51742a8465d896f71a9c7b0c5bae4e0931bcf49"},
    {"cascade value maps",
     "0f1d5e01357f15ba4df1a94dc7345c6eca40f4270269264dbd4ec90fce5a3908"},
    {"gray frame, pixels",
     "4a0797f750a9ecd6871024d2980d4e57be43b10b54cc71a5182d6c2b3fb566ac"},
    {"rgb frame, pixels",
     "c6d6570667ae30a4ebd8ee1d6cfe0c6a7ab6361734cd86c9b970875d79c3db96"},
    {"gray pixels, cold",
     "8f18a8ed12eb15353ad92c290041510bb8832712117352c151414d141ad7a434"},
    {"gray pixels, network",
     "03354db709b7450df0669a289c0bbfb00acaec691fa674610cfa5b12bea5a809"},
    {"pcm mono, network",
     "9479ade20d2dcf298af851c4d71b1a0200b85aa4539469715be97a4b177d7c97"},
    {"pcm stereo, network",
     "8603fe0e92307de7eca17403b7169f3bcb98421dc83856ddaaaa857dcc24a238"},
    {"pcm stereo, long-term lag",
     "f60f9c78c27c39554b688773eb0b407ec9e8956389f34a30a9d60393cbe9825f"},
    {"pcm stereo, independent",
     "3f0702e2f9c7c038a30c838cfe255d6316c0a161653589e8763b422ffcc900c8"},
    {"rgb pixels, network",
     "1a830e406e52cfdf99e6b244cc693da306494c64d813595a77abac34a8208045"},
    {"gray pixels, mixed",
     "baba3ff968c73260361b9927068ad0347205ab252e03dd455c310b8836c69e03"},
    {"rgb pixels, mixed",
     "540d91fd93f0e37fd7b2a5b5866ce0eab18b73072ed4fe6d39c823f07aa40cb3"},
    {"gray pixels, adapting",
     "5b3b8b341e9132ed41756192466f08b614b688abc45224f7f386282248c94413"},
    {"rgb pixels, adapting",
     "c658f7987c19ae9c3f1e140dffb3a27a681e5b6489fb5b83707c02bb648a6c6b"},
    {"gray pixels, every layer adapting",
     "39d164dabdf797bd039674db2fba8e4a6662772393950a83a0ebb361b2cdd38d"},
    {"rgb pixels, every layer adapting",
     "86cf01716eb9c375128afd010372bb49af6adfbe15a6aece28b0a2646b7d8e6a"},
    {"pcm mono, network adapting",
     "d6cc6eb2b4a86e5fa14463cd82d2ab1e7d898f4c290355b82e55f5e176f5abc4"},
    {"pcm stereo, network adapting",
     "04150090af4e19ca775dcb2ca72f2a02f148a26e7e15c4f4c06df0c9728ee701"},
    {"pcm mono, network 2",
     "30035c5af96d0f2a5e2ad66c8dd1d292f85ebcbec5b56a4e79b67837d24803e6"},
    {"pcm stereo, network 2",
     "d218ddd08a0a7ab0c2372e99b24618200898eda20a62eed3d6e34c9c45dcf1e6"},
    {"pcm mono, network 2 adapting",
     "c5e3e62ee996a4039c92279c03552aa135a5e8f70c3fc036c055f7117724fc72"},
    {"pcm stereo, network 2 adapting",
     "85505299a1a87a7ea65693d83f6342824e98b0a7e655043ce9b2d31486d8191e"},
};

/* Counts the frames of a stream coded in each mode. */
static void count_modes(const uint8_t *st, size_t len, int counts[8])
{
    BlmHeader h;
    memset(counts, 0, 8 * sizeof(int));
    if (blm_header_read(st, len, &h) < 0)
        return;
    size_t pos = BLM_HEADER_SIZE, n;
    BlmFrameHeader fh;
    while (pos < len && blm_frame_parse(st + pos, len - pos, &h, &fh, &n) == 0) {
        counts[fh.mode]++;
        pos += n;
    }
}

/* Codes one frame with the golden model in `mode` (forced) and decodes it: 1 if it
 * round-trips in that mode with the golden SHA-256 (any sum when print). *fh gets the
 * frame's header. */
static int one_frame(BlmHeader *h, const uint8_t *raw, uint32_t n_units, size_t raw_len, int mode,
                     const Golden *want, int print, BlmFrameHeader *fh)
{
    BlmModel *m = NULL;
    int ret = blm_model_load_file(MODELS_DIR "/test-golden.blmm", &m);
    if (ret < 0)
        return 0;
    memcpy(h->model_hash, blm_model_hash(m), 32);
    BlmFrameCoder *fc = blm_frame_coder_new(h, m);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    blm_frame_coder_force_mode(fc, mode);
    ret = blm_frame_encode(fc, raw, n_units, 0, &out);
    uint8_t sum[32], *back = malloc(raw_len);
    char hex[65];
    blm_sha256(out.data, out.len, sum);
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", sum[k]);
    size_t n;
    memset(fh, 0, sizeof(*fh));
    ret = ret ? ret : blm_frame_parse(out.data, out.len, h, fh, &n);
    ret = ret ? ret : blm_frame_decode(fc, fh, out.data + blm_frame_header_size(fh), back);
    const int ok = ret == 0 && fh->mode == mode && !memcmp(back, raw, raw_len) &&
                   (print || !strcmp(hex, want->sha256));
    printf("%-20s %zu -> %zu bytes, %s %s\n", want->name, raw_len, out.len, hex, ok ? "ok" : "FAIL");
    free(back);
    blm_buf_free(&out);
    blm_frame_coder_free(fc);
    blm_model_free(m);
    return ok;
}

/* The level BYTELM_SIMD names must be the one that runs: 0 if it does (or none is
 * named), 77 (skipped, for meson) if this CPU or build lacks it, 1 for an unknown
 * name. Without this, a missing level would quietly test a lower one. */
/* A payload that a coder wrote into out (ret its result), its final state appended:
 * its SHA-256 must be the golden one. */
static int payload_golden(BlmBuf *out, int ret, uint32_t state, size_t raw_len, const Golden *g, int print)
{
    const uint8_t st4[4] = {(uint8_t)state, (uint8_t)(state >> 8), (uint8_t)(state >> 16),
                            (uint8_t)(state >> 24)};
    blm_buf_write(out, st4, 4);
    uint8_t sum[32];
    char hex[65];
    blm_sha256(out->data, out->len, sum);
    for (int k = 0; k < 32; k++)
        snprintf(hex + 2 * k, 3, "%02x", sum[k]);
    const int ok = ret == 0 && (print || !strcmp(hex, g->sha256));
    printf("%-20s %zu -> %zu bytes, %s %s\n", g->name, raw_len, out->len, hex, ok ? "ok" : "FAIL");
    return ok;
}

static int check_simd_level(void)
{
    static const char *const names[BLM_SIMD_COUNT] = {"c", "sse2", "avx2", "avx512"};
    const char *env = getenv("BYTELM_SIMD");
    if (!env || !*env)
        return 0;
    for (int level = 0; level < BLM_SIMD_COUNT; level++)
        if (!strcmp(env, names[level])) {
            if (!blm_kernels_get(level)) {
                printf("BYTELM_SIMD=%s: not on this CPU or in this build, skipped\n", env);
                return 77;
            }
            if (strcmp(blm_kernels_name(), env)) {
                printf("BYTELM_SIMD=%s, but the kernels are %s\n", env, blm_kernels_name());
                return 1;
            }
            return 0;
        }
    printf("BYTELM_SIMD=%s: unknown level\n", env);
    return 1;
}

int main(int argc, char **argv)
{
    int print = argc > 1 && !strcmp(argv[1], "--print");
    const int simd = check_simd_level();
    if (simd)
        return simd;
    int passes = 0, failures = 0;
    BytelmSettings s[4];
    uint8_t *data[4];
    size_t len[4];
    for (int i = 0; i < 4; i++) {
        bytelm_default_settings(&s[i]);
        s[i].model_path = MODELS_DIR "/test-golden.blmm";
        s[i].threads = 3;
    }
    /* images with preset max, which tries the model beside the pixel predictor */
    s[0].kind = BYTELM_KIND_RGB24, s[0].width = 64, s[0].height = 48, s[0].frame_units = 20;
    s[0].preset = s[1].preset = BYTELM_PRESET_MAX;
    data[0] = test_image(64, 48, 3, 1), len[0] = 64 * 48 * 3;
    s[1].kind = BYTELM_KIND_GRAY8, s[1].width = 100, s[1].height = 30, s[1].frame_units = 30;
    data[1] = test_image(100, 30, 1, 2), len[1] = 100 * 30;
    s[2].kind = BYTELM_KIND_PCM_S16LE, s[2].sample_rate = 44100, s[2].channels = 2, s[2].frame_units = 1000;
    data[2] = test_pcm_signal(2500, 2, 44100, 3), len[2] = 2500 * 4;
    s[3].frame_units = 700;
    data[3] = test_noise(2000, 4), len[3] = 2000;
    for (size_t i = 0; i < len[3]; i++) /* small values: the golden model's prior likes them; */
        data[3][i] = i % 700 < 350 ? data[3][i] % 5 : data[3][i - 350]; /* repeats: the match model */
    uint8_t *match_bytes = malloc(len[3]); /* for the frame coded in match mode below */
    memcpy(match_bytes, data[3], len[3]);

    printf("kernels: %s\n", blm_kernels_name());
    for (int i = 0; i < 4; i++) {
        TestBuf st = {0}, back = {0};
        int ret = test_encode(&s[i], data[i], len[i], 0, &st);
        uint8_t sum[32];
        char hex[65];
        blm_sha256(st.data, st.len, sum);
        for (int k = 0; k < 32; k++)
            snprintf(hex + 2 * k, 3, "%02x", sum[k]);
        int modes[8];
        count_modes(st.data, st.len, modes);
        /* PCM frames may go to FLAC; the other kinds must exercise the model path, and
         * plain bytes the mixer's. */
        int ok = ret == 0 && (print || !strcmp(hex, golden[i].sha256)) &&
                 (modes[BLM_MODE_MODEL] > 0 || s[i].kind == BYTELM_KIND_PCM_S16LE ||
                  (s[i].kind == BYTELM_KIND_BYTES && modes[BLM_MODE_MIX] == 3));
        ret = ret ? ret : test_decode(&s[i], st.data, st.len, 0, &back);
        ok = ok && ret == 0 && back.len == len[i] && !memcmp(back.data, data[i], len[i]);
        printf("%-20s %zu -> %zu bytes, frames: %d model %d stored %d flac %d match %d mix %d scale "
               "%d cascade %d pixels, %s %s\n",
               golden[i].name, len[i], st.len, modes[0], modes[1], modes[2], modes[3], modes[4], modes[5],
               modes[6], modes[7], hex, ok ? "ok" : "FAIL");
        ok ? passes++ : failures++;
        free(st.data);
        free(back.data);
        free(data[i]);
    }
    /* PCM through the model path, which a random model never wins on its own, with
     * each of the PCM transforms, and with transform 2's mid signal and LMS cascade. */
    for (int g = 4; g <= 6; g++) {
        BlmHeader h = {.kind = BYTELM_KIND_PCM_S16LE, .transform = g == 4 ? 1 : 2, .frame_units = 1500,
                       .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 44100, .channels = 2};
        uint8_t *pcm = g < 6 ? test_pcm_signal(1500, 2, 44100, 5) : test_pcm_shared_tone(1500, 6);
        for (int i = 0; g < 6 && i < 6000; i += 2) { /* quiet: residuals the golden model's prior likes */
            int16_t v = (int16_t)(uint16_t)(pcm[i] | pcm[i + 1] << 8);
            v = (int16_t)(v / 64);
            pcm[i] = (uint8_t)v;
            pcm[i + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        BlmFrameHeader fh;
        int ok = one_frame(&h, pcm, 1500, 6000, BLM_MODE_MODEL, &golden[g], print, &fh);
        if (g == 6 && fh.params[0] != 0xE0) { /* channel 0: mid and the three LMS stages (docs/FORMAT.md §4) */
            printf("channel 0 flags 0x%02x, channel 1 0x%02x\n", fh.params[0], fh.params[3 + 2 * fh.params[1]]);
            ok = 0;
        }
        ok ? passes++ : failures++;
        free(pcm);
    }
    /* Match mode (3), which encoders no longer choose but decoders still read: the
     * first 700 bytes of the plain-bytes input, one frame. */
    BlmHeader h = {.kind = BYTELM_KIND_BYTES, .frame_units = 700, .total_units = BYTELM_UNKNOWN_LENGTH};
    BlmFrameHeader fh;
    one_frame(&h, match_bytes, 700, 700, BLM_MODE_MATCH, &golden[7], print, &fh) ? passes++ : failures++;
    free(match_bytes);
    /* The long LMS cascade (1024, 32 and 32 taps): mono, a quiet pattern that repeats
     * every 700 samples under fresh noise, beyond the reach of the 256-tap stage. */
    {
        enum { N = 8192 };
        BlmHeader hl = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = N,
                        .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 16000, .channels = 1};
        uint8_t *pcm = test_pcm_repeating(N, 700, 100, 2, 17);
        int ok = one_frame(&hl, pcm, N, 2 * N, BLM_MODE_MODEL, &golden[8], print, &fh);
        if (fh.params[0] != 0x68) { /* LMS, cascade, long (docs/FORMAT.md §4) */
            printf("long LMS: flags 0x%02x\n", fh.params[0]);
            ok = 0;
        }
        ok ? passes++ : failures++;
        free(pcm);
    }
    /* The scale prior (mode 5): the quiet stereo signal of "pcm frame, LPC". */
    {
        BlmHeader hs = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = 1500,
                        .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 44100, .channels = 2};
        uint8_t *pcm = test_pcm_signal(1500, 2, 44100, 5);
        for (int i = 0; i < 6000; i += 2) {
            int16_t v = (int16_t)((int16_t)(uint16_t)(pcm[i] | pcm[i + 1] << 8) / 64);
            pcm[i] = (uint8_t)v;
            pcm[i + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        one_frame(&hs, pcm, 1500, 6000, BLM_MODE_SCALE, &golden[9], print, &fh) ? passes++ : failures++;
        free(pcm);
    }
    /* The scale prior on pixels: the scale from the row above. */
    {
        BlmHeader hs = {.kind = BYTELM_KIND_RGB24, .transform = BLM_TRANSFORM_PREDICT, .frame_units = 48,
                        .total_units = 48, .width = 64, .height = 48};
        uint8_t *img = test_image(64, 48, 3, 1);
        one_frame(&hs, img, 48, 64 * 48 * 3, BLM_MODE_SCALE, &golden[10], print, &fh) ? passes++ : failures++;
        free(img);
    }
    /* Mode 7, the pixel predictor (no model): a gray and an RGB band, the coder
     * starting from the learned states as the encoder codes them. */
    for (int g = 16; g <= 17; g++) {
        const int rgb = g == 17;
        const uint32_t w = rgb ? 40 : 72, rows = rgb ? 30 : 50;
        BlmHeader hp = {.kind = rgb ? BYTELM_KIND_RGB24 : BYTELM_KIND_GRAY8,
                        .transform = BLM_TRANSFORM_PREDICT, .frame_units = rows, .total_units = rows,
                        .width = w, .height = rows};
        uint8_t *img = test_image(w, rows, rgb ? 3 : 1, 5 + g);
        one_frame(&hp, img, rows, (size_t)w * rows * (rgb ? 3 : 1), BLM_MODE_PIXELS, &golden[g], print, &fh)
            ? passes++ : failures++;
        free(img);
    }
    /* Mode 6, the cascade predictor (no model): stereo tones with the default
     * preset's profiles, mono with the fast preset's; each must pick the profile
     * named (the long cascade at lambda 0.998, its channels predicted as two monos,
     * coded by the second audio network learning; the short one at 0.998, with the coder
     * starting from the learned states). */
    for (int g = 11; g <= 12; g++) {
        const uint32_t ch = g == 11 ? 2 : 1, n = 6000;
        BlmHeader hc = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = n,
                        .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 44100, .channels = ch,
                        .preset = g == 11 ? BYTELM_PRESET_DEFAULT : BYTELM_PRESET_FAST};
        uint8_t *pcm = test_pcm_integer(n, ch, 19);
        int ok = one_frame(&hc, pcm, n, (size_t)n * ch * 2, BLM_MODE_CASCADE, &golden[g], print, &fh);
        const int param = blm_cascade_param(fh.params, fh.n_params);
        if (param != (g == 11 ? BLM_PP_EXT | BLM_PP_INDEPENDENT | BLM_PP_NET_ADAPT | BLM_PP_NET2
                              : BLM_PP_PROFILE_FAST | BLM_PP_WARM)) {
            printf("  parameter %d\n", param);
            ok = 0;
        }
        ok ? passes++ : failures++;
        free(pcm);
    }
    /* Profiles the encoder does not choose above, and value maps (on 8-bit samples
     * at a gain of 1.37): their payloads and final states, the coder starting cold
     * (as frames before the learned states, which decoders still read). */
    for (int g = 13; g <= 15; g++) {
        const int profile = g == 13 ? 2 : g == 14 ? 7 : BLM_PP_VALUE_MAPS, n = 4000;
        uint8_t *raw = test_pcm_integer(n, 2, 23);
        int16_t *pcm = malloc((size_t)n * 2 * sizeof(int16_t));
        for (int i = 0; i < 2 * n; i++) {
            pcm[i] = (int16_t)(uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
            if (g == 15)
                pcm[i] = (int16_t)((pcm[i] >> 8) * 351);
        }
        BlmCascadeCoder *cc = blm_cascade_new(2);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state = 0;
        const int ret = blm_cascade_encode(cc, pcm, (uint32_t)n, profile, &out, &state);
        payload_golden(&out, ret, state, 4 * (size_t)n, &golden[g], print) ? passes++ : failures++;
        blm_buf_free(&out);
        blm_cascade_free(cc);
        free(pcm);
        free(raw);
    }
    /* Mode 7 with the coder starting cold, as frames before the learned states:
     * the gray band above. */
    {
        uint8_t *img = test_image(72, 50, 1, 21);
        BlmPixelCoder *pc = blm_pixel_coder_new(1, 1, 72);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state = 0;
        const int ret = pc ? blm_pixel_encode(pc, img, 50, 0, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret, state, 72 * 50, &golden[18], print) ? passes++ : failures++;
        /* and coded by the pixel network (docs/MODEL.md §14) */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_net = pc ? blm_pixel_encode(pc, img, 50, BLM_PX_WARM | BLM_PX_NET, &out, &state)
                               : BYTELM_ENOMEM;
        payload_golden(&out, ret_net, state, 72 * 50, &golden[19], print) ? passes++ : failures++;
        /* and by the network mixed with the coder */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_mix = pc ? blm_pixel_encode(pc, img, 50, BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX, &out, &state)
                               : BYTELM_ENOMEM;
        payload_golden(&out, ret_mix, state, 72 * 50, &golden[25], print) ? passes++ : failures++;
        /* and mixed with the output layer learning */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_adapt = pc ? blm_pixel_encode(pc, img, 50, BLM_PX_NET_ADAPTED, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret_adapt, state, 72 * 50, &golden[27], print) ? passes++ : failures++;
        /* and with every layer learning */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_deep = pc ? blm_pixel_encode(pc, img, 50, BLM_PX_NET_ADAPTED_DEEP, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret_deep, state, 72 * 50, &golden[29], print) ? passes++ : failures++;
        blm_buf_free(&out);
        blm_pixel_coder_free(pc);
        free(img);
    }
    /* Mode 6 coded by the audio networks (docs/MODEL.md §15): mono at 16 kHz, stereo
     * at 44.1 kHz (channel 1 sees channel 0's errors); the first network as built,
     * then learning, then the second network the same two ways */
    for (int g = 20; g <= 21; g++) {
        const int ch = g == 20 ? 1 : 2, n = 3000;
        int16_t *pcm = (int16_t *)(void *)test_pcm_integer((uint32_t)n, (uint32_t)ch, 29);
        for (int i = 0; i < n * ch; i++) /* the bytes as little-endian samples, on any host */
            pcm[i] = (int16_t)(uint16_t)(((uint8_t *)pcm)[2 * i] | ((uint8_t *)pcm)[2 * i + 1] << 8);
        BlmCascadeCoder *cc = blm_cascade_new(ch);
        cc->rate = g == 20 ? 16000 : 44100;
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state = 0;
        const int param = (g == 20 ? BLM_PP_PROFILE_FAST | 2 : 0) | BLM_PP_NET;
        int ret = blm_cascade_encode(cc, pcm, (uint32_t)n, param, &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[g], print) ? passes++ : failures++;
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        ret = blm_cascade_encode(cc, pcm, (uint32_t)n, param | BLM_PP_NET_ADAPT, &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[g + 11], print) ? passes++ : failures++;
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        ret = blm_cascade_encode(cc, pcm, (uint32_t)n, param | BLM_PP_NET2, &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[g + 13], print) ? passes++ : failures++;
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        ret = blm_cascade_encode(cc, pcm, (uint32_t)n, param | BLM_PP_NET_ADAPT | BLM_PP_NET2, &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[g + 15], print) ? passes++ : failures++;
        blm_buf_free(&out);
        blm_cascade_free(cc);
        free(pcm);
    }
    /* Mode 6 with a long-term lag (docs/MODEL.md §9): the tones above made a loop of
     * 500 samples, each repeat with a little dither */
    {
        const int ch = 2, n = 3000, lag = 500;
        int16_t *pcm = (int16_t *)(void *)test_pcm_integer((uint32_t)n, (uint32_t)ch, 31);
        for (int i = 0; i < n * ch; i++)
            pcm[i] = i < lag * ch ? (int16_t)(uint16_t)(((uint8_t *)pcm)[2 * i] | ((uint8_t *)pcm)[2 * i + 1] << 8)
                                  : (int16_t)(pcm[i - lag * ch] + (i * 7) % 3 - 1);
        BlmCascadeCoder *cc = blm_cascade_new(ch);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state = 0;
        int ret = blm_cascade_encode(cc, pcm, (uint32_t)n, BLM_PP_WARM | BLM_PP_EXT | lag << BLM_PP_LAG_SHIFT,
                                     &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[22], print) ? passes++ : failures++;
        /* and as two monos with the same lag: both fields of the extension */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        ret = blm_cascade_encode(cc, pcm, (uint32_t)n,
                                 BLM_PP_WARM | BLM_PP_EXT | BLM_PP_INDEPENDENT | lag << BLM_PP_LAG_SHIFT, &out, &state);
        payload_golden(&out, ret, state, 2 * (size_t)n * ch, &golden[23], print) ? passes++ : failures++;
        blm_buf_free(&out);
        blm_cascade_free(cc);
        free(pcm);
    }
    /* Mode 7 coded by the RGB pixel network (docs/MODEL.md §14): an RGB band, each
     * plane seeing green's error; alone, then mixed with the coder */
    {
        uint8_t *img = test_image(40, 30, 3, 22);
        BlmPixelCoder *pc = blm_pixel_coder_new(3, 1, 40);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        uint32_t state = 0;
        const int ret = pc ? blm_pixel_encode(pc, img, 30, BLM_PX_WARM | BLM_PX_NET, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret, state, 40 * 30 * 3, &golden[24], print) ? passes++ : failures++;
        /* and mixed with the coder */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_mix = pc ? blm_pixel_encode(pc, img, 30, BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX, &out, &state)
                               : BYTELM_ENOMEM;
        payload_golden(&out, ret_mix, state, 40 * 30 * 3, &golden[26], print) ? passes++ : failures++;
        /* and mixed with the output layer learning */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_adapt = pc ? blm_pixel_encode(pc, img, 30, BLM_PX_NET_ADAPTED, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret_adapt, state, 40 * 30 * 3, &golden[28], print) ? passes++ : failures++;
        /* and with every layer learning */
        blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
        const int ret_deep = pc ? blm_pixel_encode(pc, img, 30, BLM_PX_NET_ADAPTED_DEEP, &out, &state) : BYTELM_ENOMEM;
        payload_golden(&out, ret_deep, state, 40 * 30 * 3, &golden[30], print) ? passes++ : failures++;
        blm_buf_free(&out);
        blm_pixel_coder_free(pc);
        free(img);
    }
    printf("golden: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
