/*
 * Library round trips through the public API: every data kind, edge sizes, channel
 * counts and rates, thread counts, push chunking, and damaged streams.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

#include <zlib.h>

static int failures, passes;


static BytelmSettings pcm_settings(uint32_t rate, uint32_t channels)
{
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.kind = BYTELM_KIND_PCM_S16LE;
    s.sample_rate = rate;
    s.channels = channels;
    s.frame_units = 700; /* several frames even for short signals */
    s.threads = 2;
    return s;
}

static BytelmSettings image_settings(BytelmKind kind, uint32_t w, uint32_t h)
{
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.kind = kind;
    s.width = w;
    s.height = h;
    s.threads = 2;
    return s;
}

static void roundtrip(const char *what, const BytelmSettings *s, const uint8_t *data, size_t len)
{
    TestBuf st = {0}, back = {0};
    int ret = test_encode(s, data, len, 0, &st);
    CHECK(ret == 0, "%s: encode: %s", what, bytelm_strerror(ret));
    if (ret == 0) {
        ret = test_decode(s, st.data, st.len, 0, &back);
        CHECK(ret == 0, "%s: decode: %s", what, bytelm_strerror(ret));
        CHECK(ret || (back.len == len && (!len || !memcmp(back.data, data, len))),
              "%s: decoded %zu bytes differ from the %zu input bytes", what, back.len, len);
    }
    free(st.data);
    free(back.data);
}

static void test_bytes(void)
{
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.frame_units = 1000;
    s.threads = 2;
    roundtrip("empty", &s, (const uint8_t *)"", 0);
    roundtrip("one byte", &s, (const uint8_t *)"x", 1);
    uint8_t *noise = test_noise(5000, 7);
    roundtrip("noise", &s, noise, 5000);
    free(noise);
    const char *text = "It was the best of times, it was the worst of times, it was the age of "
                       "wisdom, it was the age of foolishness, it was the epoch of belief...";
    roundtrip("text", &s, (const uint8_t *)text, strlen(text));
}

/* BYTELM_TEST_QUICK=1 (the sanitizer build): fewer rates and thread counts. */
static int quick(void)
{
    const char *q = getenv("BYTELM_TEST_QUICK");
    return q && *q && strcmp(q, "0");
}

static void test_pcm(void)
{
    static const uint32_t rates[] = {8000, 11025, 16000, 22050, 44100, 48000, 96000};
    for (uint32_t ch = 1; ch <= 8; ch++)
        for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
            if (quick() && (r + ch) % 3)
                continue;
            uint32_t n = ch <= 2 ? 1501 : 301; /* odd counts, a short last frame */
            uint8_t *pcm = test_pcm_signal(n, ch, rates[r], (unsigned)(ch * 100 + r));
            BytelmSettings s = pcm_settings(rates[r], ch);
            char what[64];
            snprintf(what, sizeof(what), "pcm %u ch %u Hz", ch, rates[r]);
            roundtrip(what, &s, pcm, (size_t)n * 2 * ch);
            free(pcm);
        }
    for (uint32_t n = 0; n < 4; n++) {
        uint8_t *pcm = test_pcm_signal(n, 2, 44100, n);
        BytelmSettings s = pcm_settings(44100, 2);
        roundtrip("pcm tiny", &s, pcm, (size_t)n * 4);
        free(pcm);
    }
    /* Full-scale extremes exercise the 16-bit wrap-around of the predictor. */
    int16_t ext[64];
    for (int i = 0; i < 64; i++)
        ext[i] = (i & 1) ? 32767 : -32768;
    BytelmSettings s = pcm_settings(48000, 2);
    roundtrip("pcm extremes", &s, (const uint8_t *)ext, sizeof(ext));
}

static void test_images(void)
{
    static const uint32_t sizes[][2] = {{1, 1}, {3, 5}, {17, 1}, {1, 40}, {2000, 3}, {64, 48}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        for (int rgb = 0; rgb < 2; rgb++) {
            uint32_t w = sizes[i][0], h = sizes[i][1];
            size_t len = (size_t)w * h * (rgb ? 3 : 1);
            uint8_t *px = test_image(w, h, rgb ? 3 : 1, (unsigned)i);
            BytelmSettings s = image_settings(rgb ? BYTELM_KIND_RGB24 : BYTELM_KIND_GRAY8, w, h);
            s.frame_units = 16;
            char what[64];
            snprintf(what, sizeof(what), "%s %ux%u", rgb ? "rgb" : "gray", w, h);
            roundtrip(what, &s, px, len);
            free(px);
        }
    /* images with alpha and 16-bit samples, over several frames */
    for (BytelmKind k = BYTELM_KIND_GRAYA8; k <= BYTELM_KIND_LAST; k++)
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
            const uint32_t w = sizes[i][0], h = sizes[i][1];
            uint8_t *px = test_image_kind(k, w, h, (unsigned)i);
            BytelmSettings s = image_settings(k, w, h);
            s.frame_units = 16;
            char what[64];
            snprintf(what, sizeof(what), "kind %d %ux%u", (int)k, w, h);
            roundtrip(what, &s, px, (size_t)w * h * (size_t)(bytelm_kind_planes(k) * bytelm_kind_sample_bytes(k)));
            free(px);
        }
}

/* The stream must not depend on the thread count or on how input is pushed. */
static void test_invariance(void)
{
    uint32_t n = 3000;
    uint8_t *pcm = test_pcm_signal(n, 2, 44100, 99);
    BytelmSettings s = pcm_settings(44100, 2);
    TestBuf ref = {0};
    s.threads = 1;
    CHECK(test_encode(&s, pcm, (size_t)n * 4, 0, &ref) == 0, "reference encode");
    for (int t = 2; t <= 8; t++) {
        if (quick() && t % 3 != 2)
            continue; /* 2, 5, 8 */
        TestBuf st = {0};
        s.threads = t;
        CHECK(test_encode(&s, pcm, (size_t)n * 4, 0, &st) == 0, "encode threads %d", t);
        CHECK(st.len == ref.len && !memcmp(st.data, ref.data, ref.len),
              "stream with %d threads differs from 1 thread", t);
        free(st.data);
    }
    static const size_t chunks[] = {1, 3, 4096};
    for (size_t c = 0; c < 3; c++) {
        TestBuf st = {0}, back = {0};
        s.threads = 3;
        CHECK(test_encode(&s, pcm, (size_t)n * 4, chunks[c], &st) == 0, "chunked encode");
        CHECK(st.len == ref.len && !memcmp(st.data, ref.data, ref.len),
              "stream pushed in %zu-byte chunks differs", chunks[c]);
        CHECK(test_decode(&s, ref.data, ref.len, chunks[c], &back) == 0 &&
                  back.len == (size_t)n * 4 && !memcmp(back.data, pcm, back.len),
              "decode in %zu-byte chunks", chunks[c]);
        free(st.data);
        free(back.data);
    }
    free(ref.data);
    free(pcm);
}

/* The same with frames that go through the model, so worker threads really share the
 * model and the kernels: an image's bytes as plain bytes (images themselves go to mode
 * 7, which needs no model), which the golden model and its context mixer code. */
static void test_invariance_model(void)
{
    uint8_t *px = test_image(120, 90, 3, 11);
    BytelmSettings s = image_settings(BYTELM_KIND_BYTES, 0, 0);
    s.model_path = MODELS_DIR "/test-golden.blmm";
    s.frame_units = 7 * 120 * 3;
    TestBuf ref = {0};
    s.threads = 1;
    CHECK(test_encode(&s, px, sizeof(uint8_t) * 120 * 90 * 3, 0, &ref) == 0, "reference encode");
    CHECK(ref.len < 120 * 90 * 3, "model frames expected (%zu bytes)", ref.len);

    /* A changed payload byte under a recomputed frame CRC: the range decoder's final
     * state (or, failing that, the MD5) must notice. */
    uint8_t *bad = malloc(ref.len);
    memcpy(bad, ref.data, ref.len);
    const size_t frame0 = 76, hsize = 30 + (size_t)bad[frame0 + 21]; /* 22 + params + 8 */
    const size_t payload_size = (size_t)bad[frame0 + hsize - 4] | (size_t)bad[frame0 + hsize - 3] << 8;
    CHECK(bad[frame0 + 20] == 4, "frame 0: mode %d, expected the mixer's 4", bad[frame0 + 20]);
    bad[frame0 + hsize + payload_size / 2] ^= 0x04;
    uint32_t crc = (uint32_t)crc32(0, bad + frame0, hsize + payload_size);
    for (int i = 0; i < 4; i++)
        bad[frame0 + hsize + payload_size + i] = (uint8_t)(crc >> (8 * i));
    TestBuf back0 = {0};
    s.threads = 2;
    int ret = test_decode(&s, bad, ref.len, 0, &back0);
    CHECK(ret == BYTELM_EDESYNC || ret == BYTELM_EMD5, "damaged model payload: got %s", bytelm_strerror(ret));
    free(back0.data);
    free(bad);
    for (int t = 2; t <= 8; t++) {
        if (quick() && t % 3 != 2)
            continue; /* 2, 5, 8 */
        TestBuf st = {0}, back = {0};
        s.threads = t;
        CHECK(test_encode(&s, px, 120 * 90 * 3, t == 5 ? 1 : 0, &st) == 0, "encode threads %d", t);
        CHECK(st.len == ref.len && !memcmp(st.data, ref.data, ref.len),
              "model stream with %d threads differs from 1 thread", t);
        CHECK(test_decode(&s, st.data, st.len, t == 6 ? 7 : 0, &back) == 0 &&
                  back.len == 120 * 90 * 3 && !memcmp(back.data, px, back.len),
              "model decode with %d threads", t);
        free(st.data);
        free(back.data);
    }
    free(ref.data);
    free(px);
}

static void test_damage(void)
{
    uint32_t n = 2000;
    uint8_t *pcm = test_pcm_signal(n, 1, 16000, 5);
    BytelmSettings s = pcm_settings(16000, 1);
    TestBuf st = {0}, back = {0};
    CHECK(test_encode(&s, pcm, (size_t)n * 2, 0, &st) == 0, "encode for damage tests");

    /* A flipped bit in a frame: its CRC catches it. */
    uint8_t *bad = malloc(st.len);
    memcpy(bad, st.data, st.len);
    bad[100] ^= 0x10;
    int ret = test_decode(&s, bad, st.len, 0, &back);
    CHECK(ret == BYTELM_ECRC, "bit flip in frame 0: got %s", bytelm_strerror(ret));
    free(back.data);
    back = (TestBuf){0};

    /* A wrong MD5 with a consistent trailer CRC: the MD5 check catches it. */
    memcpy(bad, st.data, st.len);
    size_t md5_at = st.len - 28;
    bad[md5_at] ^= 1;
    test_fix_trailer_crc(bad, st.len);
    ret = test_decode(&s, bad, st.len, 0, &back);
    CHECK(ret == BYTELM_EMD5, "changed MD5: got %s", bytelm_strerror(ret));
    free(back.data);
    back = (TestBuf){0};

    /* Truncation anywhere is reported, never silent. */
    for (size_t cut = 0; cut < st.len; cut += st.len / 13 + 1) {
        ret = test_decode(&s, st.data, cut, 0, &back);
        CHECK(ret < 0, "stream cut at %zu of %zu decoded without error", cut, st.len);
        free(back.data);
        back = (TestBuf){0};
    }
    /* Bytes after the end of the stream are an error too. */
    uint8_t *longer = malloc(st.len + 1);
    memcpy(longer, st.data, st.len);
    longer[st.len] = 0;
    ret = test_decode(&s, longer, st.len + 1, 0, &back);
    CHECK(ret == BYTELM_EFORMAT, "trailing garbage: got %s", bytelm_strerror(ret));
    free(back.data);
    free(longer);
    free(bad);
    free(st.data);
    free(pcm);
}

/* A stream names its model by hash; a decoder finds it in a directory or says it is
 * missing (an image's bytes as plain bytes, so that its frames need the model). */
static void test_model_lookup(void)
{
    uint8_t *px = test_image(40, 30, 1, 12);
    BytelmSettings s = image_settings(BYTELM_KIND_BYTES, 0, 0);
    s.model_path = MODELS_DIR "/test-golden.blmm"; /* not one of the built-in models */
    TestBuf st = {0}, back = {0};
    CHECK(test_encode(&s, px, 40 * 30, 0, &st) == 0, "encode with a model file");
    BytelmSettings plain = image_settings(BYTELM_KIND_BYTES, 0, 0);
    int ret = test_decode(&plain, st.data, st.len, 0, &back);
    CHECK(ret == BYTELM_ENOMODEL, "decode without the model: got %s", bytelm_strerror(ret));
    free(back.data);
    back = (TestBuf){0};
    plain.model_dir = MODELS_DIR;
    ret = test_decode(&plain, st.data, st.len, 0, &back);
    CHECK(ret == 0 && back.len == 40 * 30 && !memcmp(back.data, px, back.len),
          "decode with the model found by hash in a directory: %s", bytelm_strerror(ret));
    free(back.data);
    free(st.data);
    free(px);
}

static void test_settings(void)
{
    BytelmEncoder *e = NULL;
    BytelmSettings s = pcm_settings(44100, 9);
    CHECK(bytelm_encoder_open(&e, &s) == BYTELM_EINVAL && !e, "9 channels refused");
    s = pcm_settings(0, 2);
    CHECK(bytelm_encoder_open(&e, &s) == BYTELM_EINVAL, "rate 0 refused");
    s = image_settings(BYTELM_KIND_RGB24, 0, 10);
    CHECK(bytelm_encoder_open(&e, &s) == BYTELM_EINVAL, "width 0 refused");
    s = image_settings(BYTELM_KIND_GRAY8, 70000, 10);
    CHECK(bytelm_encoder_open(&e, &s) == BYTELM_EINVAL, "width over the limit refused");
    /* Input that ends inside a sample frame. */
    s = pcm_settings(44100, 2);
    CHECK(bytelm_encoder_open(&e, &s) == 0, "open");
    CHECK(bytelm_encoder_push(e, "abc", 3) == 0, "push");
    CHECK(bytelm_encoder_finish(e) == BYTELM_EINVAL, "partial sample refused at finish");
    bytelm_encoder_close(&e);
    CHECK(e == NULL, "close clears the pointer");
    CHECK(strcmp(bytelm_strerror(BYTELM_EMD5), "unknown error") != 0, "strerror names codes");
}

/* Frame length when the settings leave it open: 128 KiB of raw data, plain bytes
 * 256 KiB, and 1 MiB with preset max (the match model sees more of the file); PCM
 * of one or two channels 131072 samples (mode 6's adaptive stages pay for it), and
 * 524288 with preset max (a long-term lag reaches further);
 * images about 1 MiB of rows but at most half the rows (two threads share any). */
static void test_default_frames(void)
{
    static const struct {
        BytelmKind kind;
        BytelmPreset preset;
        uint32_t units;
        uint32_t width, height; /* images */
    } cases[] = {
        {BYTELM_KIND_BYTES, BYTELM_PRESET_FAST, 262144, 0, 0},
        {BYTELM_KIND_BYTES, BYTELM_PRESET_DEFAULT, 262144, 0, 0},
        {BYTELM_KIND_BYTES, BYTELM_PRESET_MAX, 1048576, 0, 0},
        {BYTELM_KIND_PCM_S16LE, BYTELM_PRESET_MAX, 524288, 0, 0},
        {BYTELM_KIND_PCM_S16LE, BYTELM_PRESET_DEFAULT, 131072, 0, 0},
        {BYTELM_KIND_PCM_S16LE, BYTELM_PRESET_FAST, 131072, 0, 0},
        {BYTELM_KIND_PCM_S16LE, BYTELM_PRESET_DEFAULT, 16384, 0, 0}, /* 4 channels: 8 bytes a unit */
        {BYTELM_KIND_GRAY8, BYTELM_PRESET_DEFAULT, 144, 384, 288},
        {BYTELM_KIND_RGB24, BYTELM_PRESET_DEFAULT, 3, 7, 5},
        {BYTELM_KIND_GRAY8, BYTELM_PRESET_DEFAULT, 1, 9, 1},
        {BYTELM_KIND_GRAY8, BYTELM_PRESET_DEFAULT, 300, 4000, 600}, /* two bands within 8 MiB */
    };
    static uint8_t data[4000 * 600];
    memcpy(data, "bytelm!", 8);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        BytelmSettings s = pcm_settings(44100, i == 6 ? 4 : 2);
        size_t len = 8;
        if (cases[i].width) {
            s = image_settings(cases[i].kind, cases[i].width, cases[i].height);
            len = (size_t)cases[i].width * cases[i].height * bytelm_kind_planes(cases[i].kind);
        }
        s.kind = cases[i].kind;
        s.preset = cases[i].preset;
        s.frame_units = 0;
        TestBuf st = {0};
        BytelmStreamInfo info;
        size_t hlen = 0;
        int ret = test_encode(&s, data, len, 0, &st);
        if (ret == 0)
            ret = bytelm_probe_header(st.data, st.len, &info, &hlen);
        CHECK(ret == 0 && info.frame_units == cases[i].units,
              "case %zu: default frame %u units, expected %u (%s)", i, ret ? 0 : info.frame_units,
              cases[i].units, bytelm_strerror(ret));
        free(st.data);
    }
}

int main(void)
{
    test_bytes();
    test_pcm();
    test_images();
    test_invariance();
    test_invariance_model();
    test_damage();
    test_model_lookup();
    test_settings();
    test_default_frames();
    printf("roundtrip: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
