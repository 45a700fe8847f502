/*
 * The scale prior (scaleprior.h, docs/MODEL.md §8).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "scaleprior.h"

#include <string.h>

#include "kernels.h"

#define MEAN_RATE (1.0f / 256) /* the running mean spans about 256 samples */
#define MEAN_FLOOR 0.5f        /* a silent channel still gets a finite scale */
#define LEARN_RATE 0.002f      /* of u and v */
#define GRAD_CLIP 4.0f         /* one transient must not throw the weights away */
#define TEMPER_MAX 0.5f        /* u in [-0.5, 0.5] */
#define WEIGHT_MAX 1.0f        /* v in [0, 1] */

void blm_scale_reset(BlmScalePrior *sp, BytelmKind kind, uint32_t channels, uint32_t width)
{
    memset(sp, 0, sizeof(*sp));
    sp->pixels = kind != BYTELM_KIND_PCM_S16LE;
    sp->channels = kind == BYTELM_KIND_RGB24 ? 3 : sp->pixels ? 1 : (int)channels;
    sp->row = (size_t)width * (size_t)sp->channels;
    sp->kernels = blm_kernels(); /* every level gives the same bits (docs/MODEL.md §2) */
}

/* One clipped gradient step on p, kept in [lo, hi]. */
static void learn(float *p, float grad, float lo, float hi)
{
    if (!(grad == grad)) /* NaN: a broken model; learn nothing */
        grad = 0.0f;
    else if (grad > GRAD_CLIP)
        grad = GRAD_CLIP;
    else if (grad < -GRAD_CLIP)
        grad = -GRAD_CLIP;
    const float q = *p - LEARN_RATE * grad;
    *p = q < lo ? lo : q > hi ? hi : q;
}

static void learn_token(BlmScalePrior *sp, uint8_t token)
{
    const int ch = sp->channel, byte = sp->byte;
    /* d(-log2 q(token)) / du is, up to the factor 1/ln 2 that the rate absorbs,
     * E_q[g] - g[token]; likewise for v with h. */
    float eg = 0.0f, eh = 0.0f;
    for (int c = 0; c < 256; c++) {
        eg = eg + sp->node[256 + c] * sp->g[c];
        eh = eh + sp->node[256 + c] * sp->h[c];
    }
    learn(&sp->temper[ch][byte], eg / sp->node[1] - sp->g[token], -TEMPER_MAX, TEMPER_MAX);
    learn(&sp->weight[ch][byte], eh / sp->node[1] - sp->h[token], 0.0f, WEIGHT_MAX);
    if (sp->pixels)
        return;
    if (byte == 0) {
        sp->high[ch] = token;
        return;
    }
    const uint32_t z = (uint32_t)sp->high[ch] << 8 | token;
    const float mag = (float)((z + 1) >> 1);
    sp->mean[ch] = sp->mean[ch] + (mag - sp->mean[ch]) * MEAN_RATE;
    sp->seen[ch] = sp->seen[ch] + (1.0f - sp->seen[ch]) * MEAN_RATE;
}

/* The magnitude |e| of an 8-bit zig-zag residual token. */
static int pixel_mag(uint8_t token)
{
    return (token + 1) >> 1;
}

/* 1 / the scale token t is expected to have, or 0 where there is none yet. */
static float inverse_scale(const BlmScalePrior *sp, const uint8_t *tokens, size_t t, int ch)
{
    float mean;
    if (!sp->pixels) {
        if (!(sp->seen[ch] > 0.0f))
            return 0.0f;
        mean = sp->mean[ch] / sp->seen[ch];
    } else {
        /* the residuals above-left, above and above-right in the same plane, those
         * inside the frame and the image */
        if (t < sp->row)
            return 0.0f;
        const size_t up = t - sp->row, x = (t % sp->row) / (size_t)sp->channels;
        const size_t width = sp->row / (size_t)sp->channels;
        int sum = pixel_mag(tokens[up]), count = 1;
        if (x > 0) {
            sum += pixel_mag(tokens[up - (size_t)sp->channels]);
            count++;
        }
        if (x + 1 < width) {
            sum += pixel_mag(tokens[up + (size_t)sp->channels]);
            count++;
        }
        mean = (float)sum / (float)count;
    }
    return 1.0f / (mean > MEAN_FLOOR ? mean : MEAN_FLOOR);
}

/* Reshapes the logits of token t and sums their exponentials into the tree. */
static void prepare(BlmScalePrior *sp, const float logits[256], const uint8_t *tokens, size_t t)
{
    /* PCM: byte b of channel c's 16-bit residual; pixels: plane c's 8-bit one */
    const int ch = sp->pixels ? (int)(t % (size_t)sp->channels)
                              : (int)(t / 2 % (size_t)sp->channels);
    const int byte = sp->pixels ? 1 : (int)(t % 2);
    sp->channel = ch;
    sp->byte = byte;
    const float inv = inverse_scale(sp, tokens, t, ch);
    const float u = sp->temper[ch][byte], v = sp->weight[ch][byte];
    float x[256];
    for (int c = 0; c < 256; c++) {
        /* the residual magnitude |e| token c stands for: z / 2 for the zig-zag value
         * z = high * 256 + low, its high byte's part alone for the high byte; a
         * pixel's 8-bit residual is a low byte */
        const float mag = byte == 0 ? (float)(c * 128) : (float)((c + 1) >> 1);
        sp->g[c] = -logits[c];
        sp->h[c] = -(mag * inv);
        x[c] = (logits[c] + u * sp->g[c]) + v * sp->h[c];
    }
    /* Leaves 256 + c, node i the sum of nodes 2i and 2i + 1. Every e is at least
     * exp(-87), a normal float, so no node is 0 or denormal. The max skips NaN entries
     * (a broken model). */
    const BlmKernels *k = sp->kernels;
    k->exp_shift(sp->node + 256, x, k->max(x, 256), 256);
    for (int i = 255; i >= 1; i--)
        sp->node[i] = sp->node[2 * i] + sp->node[2 * i + 1];
}

/* P(the next bit is 1) at node i, in units of 1 / 65536, within 1..65535. */
static uint32_t p_one(const BlmScalePrior *sp, int i)
{
    const float p = sp->node[2 * i + 1] / sp->node[i];
    const float q = p * 65536.0f + 0.5f;
    if (!(q >= 1.0f)) /* also NaN */
        return 1;
    return q >= 65535.0f ? 65535 : (uint32_t)q;
}

void blm_scale_encode(BlmScalePrior *sp, BlmRcEncoder *rc, const float logits[256],
                      const uint8_t *tokens, size_t t)
{
    const uint8_t token = tokens[t];
    prepare(sp, logits, tokens, t);
    int i = 1;
    for (int depth = 7; depth >= 0; depth--) {
        const int bit = token >> depth & 1;
        const uint32_t p1 = p_one(sp, i);
        /* The less likely branch takes the low interval: the coder gives the
         * truncation remainder to the high one. */
        if (p1 <= BLM_RC_TOTAL / 2)
            blm_rc_encode_bit(rc, p1, bit);
        else
            blm_rc_encode_bit(rc, BLM_RC_TOTAL - p1, !bit);
        i = 2 * i + bit;
    }
    learn_token(sp, token);
}

int blm_scale_decode(BlmScalePrior *sp, BlmRcDecoder *rc, const float logits[256], uint8_t *tokens,
                     size_t t)
{
    prepare(sp, logits, tokens, t);
    int i = 1;
    for (int depth = 7; depth >= 0; depth--) {
        const uint32_t p1 = p_one(sp, i);
        const int bit = p1 <= BLM_RC_TOTAL / 2 ? blm_rc_decode_bit(rc, p1)
                                               : !blm_rc_decode_bit(rc, BLM_RC_TOTAL - p1);
        i = 2 * i + bit;
    }
    const uint8_t token = (uint8_t)(i - 256);
    learn_token(sp, token);
    tokens[t] = token;
    return token;
}
