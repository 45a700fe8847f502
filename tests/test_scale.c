/*
 * The scale prior of frame mode 5 (core/src/scaleprior.c, docs/MODEL.md §8):
 *  - under a model that knows nothing (flat logits) it learns each channel's residual
 *    scale and codes Laplace residuals near their entropy; encoder and decoder agree;
 *  - it codes under any logits, including huge, infinite and NaN ones;
 *  - a mode-5 frame gives the same bytes when the host has set flush-to-zero,
 *    denormals-are-zero and rounding up, and decodes there;
 *  - blm_frame_decode_many, with mode-5 and mode-0 frames side by side, gives what
 *    decoding each frame alone gives;
 *  - on pixels it takes the scale from the row above: an image whose left half is
 *    flat and right half noisy codes smaller with the prior than in mode 0, and
 *    decodes exactly, also in frames of a few rows and at one pixel wide;
 *  - mode 5 is not for plain bytes: an encoder refuses it, a parser rejects it.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "format.h"
#include "framecoder.h"
#include "model.h"
#include "scaleprior.h"
#include "testutil.h"

static int failures, passes;

static void check(int ok, const char *what)
{
    ok ? passes++ : failures++;
    if (!ok)
        fprintf(stderr, "FAIL: %s\n", what);
}

/* A Laplace residual of mean magnitude `scale`, zig-zag mapped (docs/FORMAT.md §4). */
static uint16_t laplace_zigzag(uint64_t *seed, double scale)
{
    double u = (test_rand(seed) + 0.5) / 2147483648.0; /* test_rand gives 31 bits */
    int mag = (int)floor(-scale * log(u));
    if (mag > 32767)
        mag = 32767;
    int e = test_rand(seed) & 1 ? -mag : mag;
    return (uint16_t)(e < 0 ? -2 * e - 1 : 2 * e);
}

/* Codes tokens[0..n) under the rows of logits (row t % rows) and decodes them: the
 * coded size, or 0 if the decoder disagreed. *prior gets the encoder's final state. */
static size_t code_tokens(const uint8_t *tokens, size_t n, const float (*logits)[256], size_t rows,
                          BytelmKind kind, uint32_t channels, uint32_t width, BlmScalePrior *prior)
{
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, &out);
    blm_scale_reset(prior, kind, channels, width);
    for (size_t t = 0; t < n; t++)
        blm_scale_encode(prior, &enc, logits[t % rows], tokens, t);
    const uint32_t state = blm_rc_enc_final_state(&enc);
    int ok = blm_rc_finish(&enc) == 0 && enc.err == 0;

    BlmScalePrior *back = malloc(sizeof(*back));
    uint8_t *got = malloc(n);
    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, out.data, out.len);
    blm_scale_reset(back, kind, channels, width);
    for (size_t t = 0; t < n && ok; t++)
        ok = blm_scale_decode(back, &dec, logits[t % rows], got, t) == tokens[t] && got[t] == tokens[t];
    ok = ok && blm_rc_dec_final_state(&dec) == state && blm_rc_dec_check(&dec) == 0;
    const size_t size = ok ? out.len : 0;
    free(got);
    free(back);
    blm_buf_free(&out);
    return size;
}

static void learns_the_scale(void)
{
    enum { SAMPLES = 20000, N = SAMPLES * 4 };
    static float flat[1][256];
    uint8_t *tok = malloc(N);
    uint64_t seed = 1;
    double bits = 0; /* the source's entropy, estimated from the draws */
    for (int j = 0; j < SAMPLES; j++)
        for (int c = 0; c < 2; c++) {
            const double scale = c ? 200.0 : 3.0;
            uint16_t z = laplace_zigzag(&seed, scale);
            tok[4 * j + 2 * c] = (uint8_t)(z >> 8);
            tok[4 * j + 2 * c + 1] = (uint8_t)z;
            int mag = (z + 1) >> 1;
            double p = (1 - exp(-1 / scale)) * exp(-mag / scale) * (mag ? 0.5 : 1);
            bits -= log2(p);
        }
    BlmScalePrior *sp = malloc(sizeof(*sp));
    size_t size = code_tokens(tok, N, flat, 1, BYTELM_KIND_PCM_S16LE, 2, 0, sp);
    printf("Laplace residuals, scales 3 and 200, flat logits: %d tokens -> %zu bytes "
           "(entropy %.0f bytes; v = %.3f / %.3f, %.3f / %.3f)\n",
           N, size, bits / 8, sp->weight[0][0], sp->weight[0][1], sp->weight[1][0], sp->weight[1][1]);
    check(size > 0, "Laplace: decodes exactly");
    check(size > 0 && size < bits / 8 * 1.05, "Laplace: within 5 % of the entropy");
    /* the scale shows in the low byte of the quiet channel, the high byte of the loud one */
    check(sp->weight[0][1] > 0.5f && sp->weight[1][0] > 0.5f, "Laplace: the prior's weight grew");

    /* The same tokens with channels swapped by declaring 1 channel: still exact. */
    check(code_tokens(tok, N, flat, 1, BYTELM_KIND_PCM_S16LE, 1, 0, sp) > 0, "one channel: decodes exactly");
    free(sp);
    free(tok);
}

static void codes_under_any_logits(void)
{
    enum { ROWS = 64, N = 20000 };
    float (*logits)[256] = malloc(sizeof(*logits) * ROWS);
    uint64_t seed = 2;
    for (int r = 0; r < ROWS; r++)
        for (int c = 0; c < 256; c++) {
            const float v = (float)((int)(test_rand(&seed) % 20001) - 10000) / 100.0f;
            switch (r % 8) {
            case 0: logits[r][c] = v; break;                         /* -100..100 */
            case 1: logits[r][c] = c == r ? 1e30f : -1e30f; break;   /* one-hot, huge */
            case 2: logits[r][c] = NAN; break;
            case 3: logits[r][c] = c % 3 ? INFINITY : -INFINITY; break;
            case 4: logits[r][c] = c % 5 ? v : NAN; break;
            case 5: logits[r][c] = 0.0f; break;
            case 6: logits[r][c] = v * 1e-30f; break;                /* denormal range */
            default: logits[r][c] = c == 0 ? 200.0f : -200.0f; break; /* sure of 0 */
            }
        }
    uint8_t *tok = test_noise(N, 3);
    BlmScalePrior *sp = malloc(sizeof(*sp));
    size_t size = code_tokens(tok, N, (const float (*)[256])logits, ROWS, BYTELM_KIND_PCM_S16LE, 3, 0, sp);
    printf("random tokens under wild logits: %d -> %zu bytes\n", N, size);
    check(size > 0, "wild logits: decodes exactly");
    free(sp);
    free(tok);
    free(logits);
}

static BlmModel *golden_model(BlmHeader *h)
{
    BlmModel *model = test_golden_model(h);
    check(model != NULL, "load test-golden.blmm");
    return model;
}

/* A quiet stereo signal, which the golden model codes better than FLAC would. */
static uint8_t *quiet_pcm(uint32_t n, unsigned seed)
{
    uint8_t *pcm = test_pcm_signal(n, 2, 44100, seed);
    for (uint32_t i = 0; i < 4 * n; i += 2) {
        int16_t v = (int16_t)((int16_t)(uint16_t)(pcm[i] | pcm[i + 1] << 8) / 64);
        pcm[i] = (uint8_t)v;
        pcm[i + 1] = (uint8_t)((uint16_t)v >> 8);
    }
    return pcm;
}

/* Encodes a frame in `mode`, forced; 0 or the error. */
static int encode_frame(BlmFrameCoder *fc, int mode, const uint8_t *raw, uint32_t n, uint32_t index,
                        BlmBuf *out)
{
    blm_frame_coder_force_mode(fc, mode);
    return blm_frame_encode(fc, raw, n, index, out);
}

static void frames(void)
{
    enum { N = 3000, FRAMES = 4 };
    BlmHeader h = {.kind = BYTELM_KIND_PCM_S16LE, .transform = 2, .frame_units = N,
                   .total_units = BYTELM_UNKNOWN_LENGTH, .sample_rate = 44100, .channels = 2};
    BlmModel *model = golden_model(&h);
    if (!model)
        return;
    BlmFrameCoder *fc = blm_frame_coder_new(&h, model);
    uint8_t *raw[FRAMES];
    BlmBuf out[FRAMES];
    for (int f = 0; f < FRAMES; f++) {
        raw[f] = quiet_pcm(N, 10 + (unsigned)f);
        blm_buf_init(&out[f], BLM_BUF_NO_LIMIT);
        /* frames 0 and 2 in mode 5, 1 and 3 in mode 0 */
        check(encode_frame(fc, f % 2 ? BLM_MODE_MODEL : BLM_MODE_SCALE, raw[f], N, (uint32_t)f,
                           &out[f]) == 0, "frame encodes");
    }

    /* the host's floating-point mode does not reach the coded bits */
#if defined(__x86_64__)
    {
        BlmBuf again;
        blm_buf_init(&again, BLM_BUF_NO_LIMIT);
        const unsigned csr = _mm_getcsr();
        _mm_setcsr((csr & ~0x6000u) | 0x8040u | 0x4000u); /* FTZ, DAZ, round up */
        int ret = encode_frame(fc, BLM_MODE_SCALE, raw[0], N, 0, &again);
        BlmFrameHeader fh;
        size_t used;
        uint8_t *back = malloc(4 * N);
        ret = ret ? ret : blm_frame_parse(again.data, again.len, &h, &fh, &used);
        ret = ret ? ret : blm_frame_decode(fc, &fh, again.data + blm_frame_header_size(&fh), back);
        const unsigned after = _mm_getcsr();
        _mm_setcsr(csr);
        check(ret == 0 && again.len == out[0].len && !memcmp(again.data, out[0].data, again.len),
              "FTZ/DAZ/round-up: same bytes");
        check(ret == 0 && !memcmp(back, raw[0], 4 * N), "FTZ/DAZ/round-up: decodes exactly");
        if ((after & ~0x3fu) != (((csr & ~0x6000u) | 0xc040u) & ~0x3fu))
            printf("MXCSR before 0x%x, set 0x%x, after 0x%x\n", csr, (csr & ~0x6000u) | 0xc040u, after);
        check((after & ~0x3fu) == (((csr & ~0x6000u) | 0xc040u) & ~0x3fu), "host MXCSR restored");
        free(back);
        blm_buf_free(&again);
    }
#endif

    /* lockstep lanes against each frame alone */
    BlmFrameHeader fh[FRAMES];
    BlmFrameTask task[FRAMES];
    uint8_t *alone[FRAMES], *many[FRAMES];
    int ok = 1;
    for (int f = 0; f < FRAMES; f++) {
        size_t used;
        alone[f] = malloc(4 * N);
        many[f] = malloc(4 * N);
        ok = ok && blm_frame_parse(out[f].data, out[f].len, &h, &fh[f], &used) == 0;
        const uint8_t *payload = out[f].data + blm_frame_header_size(&fh[f]);
        ok = ok && fh[f].mode == (f % 2 ? BLM_MODE_MODEL : BLM_MODE_SCALE) &&
             blm_frame_decode(fc, &fh[f], payload, alone[f]) == 0 && !memcmp(alone[f], raw[f], 4 * N);
        task[f] = (BlmFrameTask){.fh = &fh[f], .payload = payload, .raw = many[f], .ret = -1};
    }
    check(ok, "frames decode alone");
    blm_frame_decode_many(fc, task, FRAMES);
    for (int f = 0; f < FRAMES; f++)
        ok = ok && task[f].ret == 0 && !memcmp(many[f], raw[f], 4 * N);
    check(ok, "lockstep lanes: mode-5 and mode-0 frames decode exactly");
    printf("mode 5 frame %zu bytes, mode 0 frame %zu bytes\n", out[0].len, out[1].len);

    /* mode 5 is not for plain bytes */
    BlmHeader hb = {.kind = BYTELM_KIND_BYTES, .frame_units = 4 * N, .total_units = BYTELM_UNKNOWN_LENGTH};
    memcpy(hb.model_hash, h.model_hash, 32);
    size_t used;
    BlmFrameHeader bad;
    hb.frame_units = 4 * N;
    check(blm_frame_parse(out[0].data, out[0].len, &hb, &bad, &used) == BYTELM_EFORMAT,
          "a mode-5 frame in a plain-bytes stream is malformed");
    BlmFrameCoder *fb = blm_frame_coder_new(&hb, model);
    BlmBuf tmp;
    blm_buf_init(&tmp, BLM_BUF_NO_LIMIT);
    check(encode_frame(fb, BLM_MODE_SCALE, raw[0], 4 * N, 0, &tmp) == BYTELM_EINVAL,
          "mode 5 is refused for plain bytes");
    blm_buf_free(&tmp);
    blm_frame_coder_free(fb);

    for (int f = 0; f < FRAMES; f++) {
        free(raw[f]);
        free(alone[f]);
        free(many[f]);
        blm_buf_free(&out[f]);
    }
    blm_frame_coder_free(fc);
    blm_model_free(model);
}

/* Gray and RGB images, left half flat (small residuals), right half noisy: the model
 * (the golden one, which knows nothing of images) cannot tell the halves apart within
 * its window, the row above can. One pixel wide, flat: no row above has neighbours. */
static void pixels(void)
{
    static const struct { BytelmKind kind; uint32_t w, h, rows; } cases[] = {
        {BYTELM_KIND_GRAY8, 64, 40, 40}, {BYTELM_KIND_RGB24, 32, 30, 7},
        {BYTELM_KIND_GRAY8, 1, 90, 45},  {BYTELM_KIND_RGB24, 1, 40, 40},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const uint32_t w = cases[c].w, hgt = cases[c].h, comps = cases[c].kind == BYTELM_KIND_RGB24 ? 3 : 1;
        BlmHeader h = {.kind = cases[c].kind, .transform = BLM_TRANSFORM_PREDICT,
                       .frame_units = cases[c].rows, .width = w, .height = hgt,
                       .total_units = hgt};
        BlmModel *model = golden_model(&h);
        if (!model)
            return;
        BlmFrameCoder *fc = blm_frame_coder_new(&h, model);
        const size_t len = (size_t)w * hgt * comps;
        uint8_t *img = malloc(len), *back = malloc(len);
        uint64_t seed = 20 + c;
        for (size_t i = 0; i < len; i++) {
            const uint32_t x = (uint32_t)(i / comps % w);
            img[i] = (uint8_t)(x < w / 2 || w == 1 ? 100 + test_rand(&seed) % 3
                                                   : 108 + test_rand(&seed) % 41);
        }
        size_t size[2] = {0, 0};
        int ok = 1;
        for (int m = 0; m < 2; m++) {
            const int mode = m ? BLM_MODE_SCALE : BLM_MODE_MODEL;
            for (uint32_t row = 0; row < hgt && ok; row += cases[c].rows) {
                const uint32_t n = hgt - row < cases[c].rows ? hgt - row : cases[c].rows;
                const size_t off = (size_t)row * w * comps, bytes = (size_t)n * w * comps;
                BlmBuf out;
                BlmFrameHeader fh;
                size_t used;
                blm_buf_init(&out, BLM_BUF_NO_LIMIT);
                int ret = encode_frame(fc, mode, img + off, n, row / cases[c].rows, &out);
                ret = ret ? ret : blm_frame_parse(out.data, out.len, &h, &fh, &used);
                ret = ret ? ret : blm_frame_decode(fc, &fh, out.data + blm_frame_header_size(&fh), back + off);
                ok = ret == 0 && fh.mode == mode && !memcmp(back + off, img + off, bytes);
                if (!ok)
                    printf("mode %d, row %u: error %d, frame mode %d\n", mode, row, ret, fh.mode);
                size[m] += out.len;
                blm_buf_free(&out);
            }
        }
        printf("%s %ux%u, frames of %u rows: mode 0 %zu bytes, mode 5 %zu bytes\n",
               comps == 3 ? "rgb" : "gray", w, hgt, cases[c].rows, size[0], size[1]);
        check(ok, "pixels: both modes decode exactly");
        if (w > 1)
            check(size[1] < size[0] * 97 / 100, "pixels: the row above pays");
        free(img);
        free(back);
        blm_frame_coder_free(fc);
        blm_model_free(model);
    }
}

int main(void)
{
    learns_the_scale();
    codes_under_any_logits();
    frames();
    pixels();
    printf("scale: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
