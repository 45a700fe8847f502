/*
 * Frame mode 7 (docs/FORMAT.md §2, docs/MODEL.md §12): the pixel predictor round-trips
 * gray and RGB bands of every small shape (the neighbourhood's fallbacks at every
 * edge) and full-range noise, codes a smooth image far below its raw size, finds
 * damage, ignores the host's floating-point mode, and the frame coder chooses it for
 * images and refuses it elsewhere; images with alpha and 16-bit samples too.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xmmintrin.h>

#include "bytelm/bytelm.h"
#include "format.h"
#include "framecoder.h"
#include "pixelcascade.h"
#include "pixelnet.h"
#include "testutil.h"

#include <png.h>

static int failures, passes;

/* The built-in pixel networks' hashes, as docs/MODEL.md §14 gives them */
#define BLM_PXN_DOCUMENTED_HASH 0x1fe49c39u
#define BLM_PXR_DOCUMENTED_HASH 0x727cd4d3u

/* Encodes and decodes samples of sample_bytes bytes with the frame parameter param;
 * returns the payload size (0 when it failed). */
static size_t round_trip_param(const uint8_t *img, uint32_t w, uint32_t rows, int planes, int sample_bytes,
                               int param, const char *what)
{
    BlmPixelCoder *pc = blm_pixel_coder_new(planes, sample_bytes, w);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state = 0;
    const size_t n = (size_t)w * rows * (size_t)(planes * sample_bytes);
    uint8_t *back = malloc(n + 1);
    int ret = pc ? blm_pixel_encode(pc, img, rows, param, &out, &state) : BYTELM_ENOMEM;
    if (ret == 0)
        ret = blm_pixel_decode(pc, out.data, out.len, rows, param, state, back);
    const int same = ret == 0 && !memcmp(back, img, n);
    CHECK(same, "%s: %ux%u, %d planes: %s", what, w, rows, planes, ret ? bytelm_strerror(ret) : "differs");
    const size_t len = same ? out.len : 0;
    free(back);
    blm_buf_free(&out);
    blm_pixel_coder_free(pc);
    return len;
}

/* The same, 8-bit samples from the learned states, 16-bit ones without maps. */
static size_t round_trip_samples(const uint8_t *img, uint32_t w, uint32_t rows, int planes, int sample_bytes,
                                 const char *what)
{
    return round_trip_param(img, w, rows, planes, sample_bytes, sample_bytes == 1 ? BLM_PX_WARM : 0, what);
}

static size_t round_trip(const uint8_t *img, uint32_t w, uint32_t rows, int planes, const char *what)
{
    return round_trip_samples(img, w, rows, planes, 1, what);
}

static void test_shapes(void)
{
    for (int planes = 1; planes <= 3; planes += 2)
        for (uint32_t w = 1; w <= 6; w++)
            for (uint32_t rows = 1; rows <= 5; rows++) {
                uint8_t *img = test_image(w, rows, (uint32_t)planes, w * 7 + rows);
                round_trip(img, w, rows, planes, "small");
                free(img);
            }
    uint64_t st = 5;
    enum { W = 61, H = 23 };
    uint8_t noise[W * H * 3], flat[W * H * 3], extremes[W * H * 3];
    for (int i = 0; i < W * H * 3; i++) {
        noise[i] = (uint8_t)test_rand(&st);
        flat[i] = 77;
        extremes[i] = (i / 3 + i / (3 * W)) % 2 ? 255 : 0; /* a checkerboard of 0 and 255 */
    }
    for (int planes = 1; planes <= 3; planes += 2) {
        round_trip(noise, W, H, planes, "noise");
        round_trip(flat, W, H, planes, "flat");
        round_trip(extremes, W, H, planes, "checkerboard");
    }
    CHECK(!blm_pixel_coder_new(5, 1, 10) && !blm_pixel_coder_new(1, 3, 10) && !blm_pixel_coder_new(1, 1, 0) &&
              !blm_pixel_coder_new(3, 1, 65536),
          "planes 5, 3-byte samples, width 0 or 65536 accepted");
}

/* A smooth gradient with a little noise: the predictor must find the gradient. */
static void test_learns(void)
{
    enum { W = 160, H = 120 };
    uint8_t *img = malloc(W * H * 3);
    uint64_t st = 9;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int c = 0; c < 3; c++)
                img[(y * W + x) * 3 + c] = (uint8_t)((x + 2 * y + 30 * c) / 2 + (int)(test_rand(&st) % 3));
    const size_t rgb = round_trip(img, W, H, 3, "gradient");
    CHECK(rgb && rgb < W * H * 3 / 4, "gradient: %zu bytes of %d, expected under a quarter", rgb, W * H * 3);
    free(img);
}

/* Any changed byte or a short payload is found, in bounded time; the host's MXCSR
 * (flush-to-zero, round down) does not change the stream. */
static void test_damage(void)
{
    enum { W = 50, H = 40 };
    uint8_t *img = test_image(W, H, 3, 31);
    BlmPixelCoder *pc = blm_pixel_coder_new(3, 1, W);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state;
    CHECK(blm_pixel_encode(pc, img, H, BLM_PX_WARM, &out, &state) == 0, "encode");
    uint8_t *back = malloc(W * H * 3);
    for (size_t pos = 0; pos < out.len; pos += out.len / 9 + 1) {
        out.data[pos] ^= 0x08;
        CHECK(blm_pixel_decode(pc, out.data, out.len, H, BLM_PX_WARM, state, back) == BYTELM_EDESYNC,
              "byte %zu flipped: not found", pos);
        out.data[pos] ^= 0x08;
    }
    CHECK(blm_pixel_decode(pc, out.data, out.len / 3, H, BLM_PX_WARM, state, back) == BYTELM_EDESYNC,
          "truncated payload: not found");
    CHECK(blm_pixel_decode(pc, out.data, out.len, H, BLM_PX_WARM, state ^ 1, back) == BYTELM_EDESYNC,
          "wrong final state: not found");
    CHECK(blm_pixel_decode(pc, out.data, out.len, H, BLM_PX_WARM, state, back) == 0 && !memcmp(back, img, W * H * 3),
          "intact payload");

    BlmBuf again;
    blm_buf_init(&again, BLM_BUF_NO_LIMIT);
    uint32_t state2;
    const unsigned csr = _mm_getcsr();
    _mm_setcsr((csr & ~0x6000u) | 0x8040u | 0x2000u); /* FTZ, DAZ, round down */
    blm_pixel_encode(pc, img, H, BLM_PX_WARM, &again, &state2);
    _mm_setcsr(csr);
    CHECK(again.len == out.len && state2 == state && !memcmp(again.data, out.data, out.len),
          "the host's MXCSR changed the stream");
    blm_buf_free(&again);
    blm_buf_free(&out);
    blm_pixel_coder_free(pc);
    free(back);
    free(img);
}

/* The frame coder picks mode 7 for gray and RGB images with the default preset, and
 * a mode-7 frame header in a PCM stream is refused. */
/* The default image band: the fewest of equal rows within 8 MiB, at least two. */
static void test_default_bands(void)
{
    static const struct {
        BytelmKind kind;
        uint32_t width, height, rows;
    } cases[] = {
        {BYTELM_KIND_GRAY8, 384, 288, 144},     /* a camera frame: halves */
        {BYTELM_KIND_GRAY8, 9, 1, 1},
        {BYTELM_KIND_GRAY8, 5, 3, 2},
        {BYTELM_KIND_RGB24, 2268, 1512, 756},   /* 10.3 MB: halves of 5.1 MB */
        {BYTELM_KIND_RGB24, 4096, 1364, 682},   /* 16 760 832 bytes: two bands */
        {BYTELM_KIND_RGB24, 4096, 1365, 455},   /* 16 773 120: 683-row halves would pass 8 MiB */
        {BYTELM_KIND_RGBA64LE, 4000, 3000, 250}, /* 96 MB: twelve of 8 000 000 */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        BlmHeader h = {.kind = cases[i].kind, .width = cases[i].width, .height = cases[i].height};
        const uint32_t rows = blm_default_frame_units(&h);
        CHECK(rows == cases[i].rows, "%ux%u kind %d: default band %u rows, expected %u", cases[i].width,
              cases[i].height, (int)cases[i].kind, rows, cases[i].rows);
        CHECK((uint64_t)rows * blm_header_unit_bytes(&h) <= BLM_MAX_IMAGE_FRAME_BYTES || rows == 1,
              "%ux%u: a band of more than 8 MiB", cases[i].width, cases[i].height);
    }
}

static void test_frames(void)
{
    enum { W = 48, H = 32 };
    for (int rgb = 0; rgb <= 1; rgb++) {
        BlmHeader h = {.kind = rgb ? BYTELM_KIND_RGB24 : BYTELM_KIND_GRAY8, .transform = BLM_TRANSFORM_PREDICT,
                       .frame_units = H, .total_units = H, .width = W, .height = H,
                       .preset = BYTELM_PRESET_DEFAULT};
        uint8_t *img = test_image(W, H, rgb ? 3 : 1, 41);
        BlmFrameCoder *fc = blm_frame_coder_new(&h, NULL);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        int ret = blm_frame_encode(fc, img, H, 0, &out);
        BlmFrameHeader fh;
        size_t n = 0;
        ret = ret ? ret : blm_frame_parse(out.data, out.len, &h, &fh, &n);
        uint8_t *back = malloc((size_t)W * H * 3);
        ret = ret ? ret : blm_frame_decode(fc, &fh, out.data + blm_frame_header_size(&fh), back);
        CHECK(ret == 0 && fh.mode == BLM_MODE_PIXELS && !memcmp(back, img, (size_t)W * H * (rgb ? 3 : 1)),
              "%s: mode %d: %s", rgb ? "rgb" : "gray", fh.mode, bytelm_strerror(ret));
        BlmHeader pcm = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = 100000,
                         .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 8000, .channels = 1};
        BlmFrameHeader f2;
        CHECK(blm_frame_parse(out.data, out.len, &pcm, &f2, &n) == BYTELM_EFORMAT,
              "mode 7 accepted in a PCM stream");
        free(back);
        free(img);
        blm_buf_free(&out);
        blm_frame_coder_free(fc);
    }
}

/* One frame of kind k through the frame coder: mode 7, the warm byte for 8-bit
 * samples (or the network's for gray and RGB), the maps byte for 16-bit ones, the pixels back
 * exactly; returns the frame's size (0 when it failed), its parameter byte in
 * *param_out when given. */
static size_t frame_round_trip(BytelmKind k, const uint8_t *img, uint32_t w, uint32_t h, int *param_out)
{
    BlmHeader hd = {.kind = k, .transform = blm_kind_is_v1_image(k) ? BLM_TRANSFORM_PREDICT : BLM_TRANSFORM_IDENTITY, .frame_units = h, .total_units = h,
                    .width = w, .height = h, .preset = BYTELM_PRESET_DEFAULT};
    const size_t raw = (size_t)w * h * (size_t)(bytelm_kind_planes(k) * bytelm_kind_sample_bytes(k));
    CHECK(blm_header_validate(&hd) == 0, "kind %d: header refused", (int)k);
    BlmFrameCoder *fc = blm_frame_coder_new(&hd, NULL);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    int ret = fc ? blm_frame_encode(fc, img, h, 0, &out) : BYTELM_ENOMEM;
    BlmFrameHeader fh;
    size_t n = 0;
    ret = ret ? ret : blm_frame_parse(out.data, out.len, &hd, &fh, &n);
    uint8_t *back = malloc(raw);
    ret = ret ? ret : blm_frame_decode(fc, &fh, out.data + blm_frame_header_size(&fh), back);
    const int param = bytelm_kind_sample_bytes(k) == 1 ? BLM_PX_WARM : BLM_PX_MAPS;
    /* 8-bit gray and RGB may also take the pixel network mixed with the coder (RGB's
     * adapting), where it codes smaller */
    const int net_ok = fh.n_params == 1 &&
                       ((k == BYTELM_KIND_GRAY8 && fh.params[0] == (BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX)) ||
                        (k == BYTELM_KIND_RGB24 && fh.params[0] == BLM_PX_NET_ADAPTED_DEEP));
    const int ok = ret == 0 && fh.mode == BLM_MODE_PIXELS && fh.n_params == 1 &&
                   (fh.params[0] == param || net_ok) && !memcmp(back, img, raw);
    CHECK(ok, "kind %d %ux%u: mode %d, %u parameter bytes: %s", (int)k, w, h, fh.mode, fh.n_params,
          ret ? bytelm_strerror(ret) : "pixels differ");
    if (param_out)
        *param_out = ok ? fh.params[0] : -1;
    const size_t len = ok ? out.len : 0;
    free(back);
    blm_buf_free(&out);
    blm_frame_coder_free(fc);
    return len;
}

/* Images with alpha and with 16-bit samples: every kind round-trips at every small
 * shape and compresses a smooth image; an opaque alpha plane costs next to nothing;
 * 16-bit damage is found; what the format leaves to 8-bit kinds is refused. */
static void test_kinds(void)
{
    for (BytelmKind k = BYTELM_KIND_GRAYA8; k <= BYTELM_KIND_LAST; k++) {
        for (uint32_t w = 1; w <= 5; w++)
            for (uint32_t h = 1; h <= 4; h++) {
                uint8_t *img = test_image_kind(k, w, h, w * 5 + h);
                round_trip_samples(img, w, h, bytelm_kind_planes(k), bytelm_kind_sample_bytes(k), "small");
                free(img);
            }
        enum { W = 64, H = 48 };
        uint8_t *img = test_image_kind(k, W, H, 3);
        const size_t raw = (size_t)W * H * (size_t)(bytelm_kind_planes(k) * bytelm_kind_sample_bytes(k));
        const size_t len = frame_round_trip(k, img, W, H, NULL);
        /* 16-bit samples carry a random low byte: 8 bits of their 16 stay */
        const size_t bound = bytelm_kind_sample_bytes(k) == 1 ? raw * 3 / 5 : raw * 15 / 16;
        CHECK(len && len < bound, "kind %d: %zu bytes of %zu raw, expected under %zu", (int)k, len, raw, bound);
        BlmHeader predict = {.kind = k, .transform = BLM_TRANSFORM_PREDICT, .frame_units = H,
                             .total_units = H, .width = W, .height = H};
        CHECK(blm_header_validate(&predict) < 0, "kind %d: transform 1 accepted", (int)k);
        free(img);
    }

    /* RGBA with every pixel opaque against the same RGB, both without the network
     * (which RGB may take and RGBA may not) */
    enum { W = 80, H = 60 };
    uint8_t *rgb = test_image(W, H, 3, 8), *rgba = malloc(W * H * 4);
    for (int i = 0; i < W * H; i++) {
        memcpy(rgba + 4 * i, rgb + 3 * i, 3);
        rgba[4 * i + 3] = 255;
    }
    const size_t with_alpha = round_trip_param(rgba, W, H, 4, 1, BLM_PX_WARM, "opaque RGBA");
    const size_t without = round_trip_param(rgb, W, H, 3, 1, BLM_PX_WARM, "RGB");
    CHECK(with_alpha && without && with_alpha < without + 64, "opaque alpha: RGBA %zu bytes, RGB %zu",
          with_alpha, without);
    free(rgba);

    /* 8-bit gray in the high byte of 16-bit samples: the zero low byte costs little */
    uint8_t *wide = malloc(W * H * 2);
    for (int i = 0; i < W * H; i++) {
        wide[2 * i] = 0;
        wide[2 * i + 1] = rgb[3 * i];
    }
    uint8_t *gray = malloc(W * H);
    for (int i = 0; i < W * H; i++)
        gray[i] = rgb[3 * i];
    /* against the same adaptive coder on 8 bits (the frame coder would take the pixel
     * network there), its payload and 64 bytes for a frame header */
    const size_t narrow = round_trip(gray, W, H, 1, "gray 8-bit") + 64;
    const size_t wide_len = frame_round_trip(BYTELM_KIND_GRAY16LE, wide, W, H, NULL);
    CHECK(narrow > 64 && wide_len && wide_len < narrow + narrow / 8, "gray 8-bit %zu bytes, shifted to 16 bits %zu",
          narrow, wide_len);
    free(wide);
    free(gray);
    free(rgb);

    uint8_t *g16 = test_image_kind(BYTELM_KIND_GRAY16LE, 40, 30, 12);
    BlmPixelCoder *pc = blm_pixel_coder_new(1, 2, 40);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    uint32_t state;
    uint8_t *back = malloc(40 * 30 * 2);
    CHECK(blm_pixel_encode(pc, g16, 30, 0, &out, &state) == 0, "gray16 encode");
    for (size_t pos = 0; pos < out.len; pos += out.len / 7 + 1) {
        out.data[pos] ^= 0x10;
        CHECK(blm_pixel_decode(pc, out.data, out.len, 30, 0, state, back) == BYTELM_EDESYNC,
              "gray16: byte %zu flipped: not found", pos);
        out.data[pos] ^= 0x10;
    }
    CHECK(blm_pixel_decode(pc, out.data, out.len, 30, 0, state, back) == 0 && !memcmp(back, g16, 40 * 30 * 2),
          "gray16: intact payload");
    /* the same with value maps, of samples that use one value in 64: damage in the
     * maps at the payload's start is found too */
    for (int i = 0; i < 40 * 30; i++)
        g16[2 * i] &= 0xc0;
    blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
    CHECK(blm_pixel_encode(pc, g16, 30, BLM_PX_MAPS, &out, &state) == 0 && pc->mapped[0], "gray16 maps encode");
    for (size_t pos = 0; pos < 12 && pos < out.len; pos++) {
        out.data[pos] ^= 0x01;
        CHECK(blm_pixel_decode(pc, out.data, out.len, 30, BLM_PX_MAPS, state, back) == BYTELM_EDESYNC,
              "gray16 maps: byte %zu flipped: not found", pos);
        out.data[pos] ^= 0x01;
    }
    CHECK(blm_pixel_decode(pc, out.data, out.len, 30, BLM_PX_MAPS, state, back) == 0 &&
              !memcmp(back, g16, 40 * 30 * 2),
          "gray16 maps: intact payload");
    const uint8_t warm = BLM_PX_WARM, maps = BLM_PX_MAPS;
    CHECK(blm_pixel_check_params(&warm, 1, 1, 2) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&maps, 1, 1, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&maps, 1, 1, 2) == 0,
          "the warm byte for 16-bit samples or the maps byte for 8-bit ones accepted");
    free(back);
    free(g16);
    blm_buf_free(&out);
    blm_pixel_coder_free(pc);
}

/* The ways of the pixel networks: alone (BLM_PX_NET), mixed with the coder (BLM_PX_MIX
 * too), as the encoder writes for gray since 2026-12-05, and mixed with the output
 * layer learning (BLM_PX_NET_ADAPTED), and with every layer learning
 * (BLM_PX_NET_ADAPTED_DEEP), as it writes for RGB since the same day. */
#define NET_WAYS 4
static const int net_params[NET_WAYS] = {BLM_PX_WARM | BLM_PX_NET, BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX,
                                         BLM_PX_NET_ADAPTED, BLM_PX_NET_ADAPTED_DEEP};

/* One gray (planes 1) or RGB (3) band coded by the pixel network, with parameter
 * param, and decoded; the payload size, 0 when it failed. */
static size_t net_round_trip_planes(const uint8_t *img, uint32_t w, uint32_t rows, int planes, int param,
                                    const char *what)
{
    return round_trip_param(img, w, rows, planes, 1, param, what);
}

static size_t net_round_trip(const uint8_t *img, uint32_t w, uint32_t rows, int param, const char *what)
{
    return net_round_trip_planes(img, w, rows, 1, param, what);
}

/* The pixel networks (docs/MODEL.md §14), alone and mixed with the coder: every small
 * shape, the ends of the range (where one sign or the whole tail is impossible) and
 * noise round-trip; damage is found; the host's MXCSR does not matter. */
static void test_net_param(int param)
{
    for (uint32_t w = 1; w <= 6; w++)
        for (uint32_t rows = 1; rows <= 5; rows++)
            for (int planes = 1; planes <= 3; planes += 2) {
                uint8_t *img = test_image(w, rows, (uint32_t)planes, w * 5 + rows);
                net_round_trip_planes(img, w, rows, planes, param, "small");
                free(img);
            }
    enum { W = 61, H = 23 };
    uint8_t noise[W * H], black[W * H], white[W * H], extremes[W * H];
    uint64_t st = 11;
    for (int i = 0; i < W * H; i++) {
        noise[i] = (uint8_t)test_rand(&st);
        black[i] = 0;
        white[i] = 255;
        extremes[i] = (i + i / W) % 2 ? 255 : 0;
    }
    net_round_trip(noise, W, H, param, "noise");
    const size_t b = net_round_trip(black, W, H, param, "black"), wh = net_round_trip(white, W, H, param, "white");
    net_round_trip(extremes, W, H, param, "checkerboard");
    CHECK(b && wh && b < 64 && wh < 64, "parameter %d: flat black %zu and white %zu bytes, expected under 64",
          param, b, wh);
    /* the same as RGB: each plane noise, flat at either end, or a checkerboard */
    uint8_t noise3[3 * W * H], black3[3 * W * H], white3[3 * W * H], extremes3[3 * W * H];
    for (int i = 0; i < 3 * W * H; i++) {
        noise3[i] = (uint8_t)test_rand(&st);
        black3[i] = 0;
        white3[i] = 255;
        extremes3[i] = extremes[i / 3];
    }
    net_round_trip_planes(noise3, W, H, 3, param, "RGB noise");
    const size_t b3 = net_round_trip_planes(black3, W, H, 3, param, "RGB black");
    const size_t w3 = net_round_trip_planes(white3, W, H, 3, param, "RGB white");
    net_round_trip_planes(extremes3, W, H, 3, param, "RGB checkerboard");
    CHECK(b3 && w3 && b3 < 96 && w3 < 96, "parameter %d: flat RGB black %zu and white %zu bytes, expected under 96",
          param, b3, w3);

    uint8_t *img = test_image(W, H, 1, 3);
    BlmPixelCoder *pc = blm_pixel_coder_new(1, 1, W);
    BlmBuf out, again;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    blm_buf_init(&again, BLM_BUF_NO_LIMIT);
    uint32_t state, state2;
    uint8_t back[W * H];
    CHECK(blm_pixel_encode(pc, img, H, param, &out, &state) == 0, "network: encode");
    for (size_t pos = 0; pos < out.len; pos += out.len / 7 + 1) {
        out.data[pos] ^= 0x10;
        CHECK(blm_pixel_decode(pc, out.data, out.len, H, param, state, back) == BYTELM_EDESYNC,
              "network, parameter %d: byte %zu flipped: not found", param, pos);
        out.data[pos] ^= 0x10;
    }
    CHECK(blm_pixel_decode(pc, out.data, out.len, H, BLM_PX_WARM, state, back) == BYTELM_EDESYNC,
          "network frame decoded without the network: not found");
    const int other = param == BLM_PX_NET_ADAPTED        ? param ^ BLM_PX_ADAPT
                      : param == BLM_PX_NET_ADAPTED_DEEP ? param ^ BLM_PX_ADAPT_HIDDEN
                                                         : param ^ BLM_PX_MIX;
    CHECK(blm_pixel_decode(pc, out.data, out.len, H, other, state, back) == BYTELM_EDESYNC,
          "parameter %d decoded as %d: not found", param, other);
    const unsigned csr = _mm_getcsr();
    _mm_setcsr((csr & ~0x6000u) | 0x8040u | 0x4000u); /* FTZ, DAZ, round up */
    blm_pixel_encode(pc, img, H, param, &again, &state2);
    _mm_setcsr(csr);
    CHECK(again.len == out.len && state2 == state && !memcmp(again.data, out.data, out.len),
          "network, parameter %d: the host's MXCSR changed the stream", param);
    blm_buf_free(&again);
    blm_buf_free(&out);
    blm_pixel_coder_free(pc);
    free(img);
}

/* The built-in weights are the documented ones; both ways round-trip; only 8-bit gray
 * and RGB take the network, and the mix only with it. */
static void test_net(void)
{
    CHECK(blm_pixnet_hash(BLM_PIXNET_GRAY) == BLM_PXN_DOCUMENTED_HASH, "the built-in gray pixel network's hash is %08x",
          blm_pixnet_hash(BLM_PIXNET_GRAY));
    CHECK(blm_pixnet_hash(BLM_PIXNET_RGB) == BLM_PXR_DOCUMENTED_HASH, "the built-in RGB pixel network's hash is %08x",
          blm_pixnet_hash(BLM_PIXNET_RGB));
    for (int k = 0; k < NET_WAYS; k++)
        test_net_param(net_params[k]);
    const int param = BLM_PX_WARM | BLM_PX_NET;
    uint32_t state;
    BlmBuf out;
    BlmPixelCoder *rgba = blm_pixel_coder_new(4, 1, 8), *graya = blm_pixel_coder_new(2, 1, 8);
    BlmPixelCoder *deep = blm_pixel_coder_new(1, 2, 8);
    uint8_t px[8 * 4 * 2] = {0};
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    CHECK(blm_pixel_encode(rgba, px, 1, param, &out, &state) == BYTELM_EINVAL &&
              blm_pixel_encode(graya, px, 1, param, &out, &state) == BYTELM_EINVAL &&
              blm_pixel_encode(deep, px, 1, BLM_PX_NET, &out, &state) == BYTELM_EINVAL &&
              blm_pixel_encode(rgba, px, 1, param | BLM_PX_MIX, &out, &state) == BYTELM_EINVAL,
          "the network accepted for alpha or 16-bit samples");
    BlmPixelCoder *gray = blm_pixel_coder_new(1, 1, 8);
    CHECK(blm_pixel_encode(gray, px, 1, BLM_PX_WARM | BLM_PX_MIX, &out, &state) == BYTELM_EINVAL,
          "the mix bit accepted without the network");
    blm_pixel_coder_free(gray);
    for (int k = 0; k < NET_WAYS; k++) {
        const uint8_t net = (uint8_t)net_params[k];
        CHECK(blm_pixel_check_params(&net, 1, 1, 1) == 0 && blm_pixel_check_params(&net, 1, 3, 1) == 0 &&
                  blm_pixel_check_params(&net, 1, 2, 1) == BYTELM_EFORMAT &&
                  blm_pixel_check_params(&net, 1, 4, 1) == BYTELM_EFORMAT &&
                  blm_pixel_check_params(&net, 1, 1, 2) == BYTELM_EFORMAT &&
                  blm_pixel_check_params(&net, 1, 3, 2) == BYTELM_EFORMAT,
              "mode 7's network byte %d: 8-bit gray and RGB only", net);
    }
    const uint8_t alone = BLM_PX_NET, mix_cold = BLM_PX_NET | BLM_PX_MIX, mix_only = BLM_PX_WARM | BLM_PX_MIX;
    const uint8_t adapt_unmixed = BLM_PX_WARM | BLM_PX_NET | BLM_PX_ADAPT, adapt_cold = BLM_PX_NET_ADAPTED & ~BLM_PX_WARM;
    const uint8_t hidden_only = BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX | BLM_PX_ADAPT_HIDDEN;
    CHECK(blm_pixel_check_params(&alone, 1, 1, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&mix_cold, 1, 3, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&mix_only, 1, 3, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&adapt_unmixed, 1, 3, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&adapt_cold, 1, 1, 1) == BYTELM_EFORMAT &&
              blm_pixel_check_params(&hidden_only, 1, 3, 1) == BYTELM_EFORMAT,
          "mode 7's network byte: only with the learned start, the mix only with the network, "
          "learning only mixed");
    BlmPixelCoder *rgb = blm_pixel_coder_new(3, 1, 8);
    CHECK(blm_pixel_encode(rgb, px, 1, adapt_unmixed, &out, &state) == BYTELM_EINVAL,
          "the output layer's learning accepted without the mix");
    CHECK(blm_pixel_encode(rgb, px, 1, hidden_only, &out, &state) == BYTELM_EINVAL,
          "the hidden layers' learning accepted without the output layer's");
    blm_pixel_coder_free(rgb);
    blm_buf_free(&out);
    blm_pixel_coder_free(rgba);
    blm_pixel_coder_free(graya);
    blm_pixel_coder_free(deep);
}

/* On the bundled photo (a crop of a dev-eval photo, not trained on) the RGB network
 * codes smaller than the adaptive coder, and the frame coder picks it. */
static void test_net_photo(void)
{
    png_image png;
    memset(&png, 0, sizeof png);
    png.version = PNG_IMAGE_VERSION;
    uint8_t *img = NULL;
    if (png_image_begin_read_from_file(&png, SAMPLES_DIR "/photo-flower-256.png")) {
        png.format = PNG_FORMAT_RGB;
        img = malloc(PNG_IMAGE_SIZE(png));
        if (img && !png_image_finish_read(&png, NULL, img, 0, NULL)) {
            free(img);
            img = NULL;
        }
    }
    CHECK(img != NULL, "bundled photo read");
    if (!img)
        return;
    const uint32_t w = png.width, h = png.height;
    const size_t adaptive = round_trip_param(img, w, h, 3, 1, BLM_PX_WARM, "photo");
    const size_t net = net_round_trip_planes(img, w, h, 3, net_params[0], "photo");
    const size_t mixed = net_round_trip_planes(img, w, h, 3, net_params[1], "photo");
    const size_t adapted = net_round_trip_planes(img, w, h, 3, net_params[2], "photo");
    const size_t deep = net_round_trip_planes(img, w, h, 3, net_params[3], "photo");
    CHECK(net && net < adaptive - adaptive / 100, "photo: network %zu bytes, adaptive coder %zu, "
          "expected 1 %% smaller", net, adaptive);
    CHECK(mixed && mixed < net - net / 100, "photo: network mixed with the coder %zu bytes, alone %zu, "
          "expected 1 %% smaller", mixed, net);
    CHECK(adapted && adapted < mixed, "photo: mixed with the output layer learning %zu bytes, without %zu, "
          "expected smaller", adapted, mixed);
    CHECK(deep && deep < adapted, "photo: with every layer learning %zu bytes, without %zu, "
          "expected smaller", deep, adapted);
    printf("photo: adaptive %zu, network %zu, mixed %zu, learning %zu, deeper %zu bytes\n", adaptive, net, mixed,
           adapted, deep);
    int param = -1;
    CHECK(frame_round_trip(BYTELM_KIND_RGB24, img, w, h, &param) && param == net_params[3],
          "photo through the frame coder: parameter %d, not the deeper adapting network's", param);
    png_image_free(&png);
    free(img);
}

/* On the bundled camera frame (the dev-eval's kind of image, not trained on) the
 * network codes smaller than the adaptive coder, and the frame coder picks it. */
static void test_net_camera(void)
{
    FILE *f = fopen(SAMPLES_DIR "/gray-cube-384x288.pgm", "rb");
    enum { W = 384, H = 288 };
    uint8_t *pgm = malloc(W * H + 64);
    size_t len = f ? fread(pgm, 1, W * H + 64, f) : 0;
    if (f)
        fclose(f);
    CHECK(len >= (size_t)W * H, "bundled camera frame read");
    if (len < (size_t)W * H) {
        free(pgm);
        return;
    }
    const uint8_t *img = pgm + len - (size_t)W * H; /* the pixels end the file */
    const size_t adaptive = round_trip_param(img, W, H, 1, 1, BLM_PX_WARM, "camera frame");
    const size_t net = net_round_trip(img, W, H, net_params[0], "camera frame");
    const size_t mixed = net_round_trip(img, W, H, net_params[1], "camera frame");
    CHECK(net && net < adaptive - adaptive / 50, "camera frame: network %zu bytes, adaptive coder %zu, "
          "expected 2 %% smaller", net, adaptive);
    CHECK(mixed && mixed < net, "camera frame: network mixed with the coder %zu bytes, alone %zu, "
          "expected smaller", mixed, net);
    printf("camera frame: adaptive %zu, network %zu, mixed %zu bytes\n", adaptive, net, mixed);
    int param = -1;
    CHECK(frame_round_trip(BYTELM_KIND_GRAY8, img, W, H, &param) && param == net_params[1],
          "camera frame through the frame coder: parameter %d, not the mixed network's", param);
    free(pgm);
}

int main(void)
{
    test_default_bands();
    test_shapes();
    test_learns();
    test_damage();
    test_frames();
    test_kinds();
    test_net();
    test_net_camera();
    test_net_photo();
    printf("pixels: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
