/*
 * Lossless pre-transforms, normative in docs/FORMAT.md §4.
 *
 * PCM: per channel, optionally minus channel 0, then a fixed polynomial predictor
 * (FLAC's orders 0..4) in wrap-around 16-bit arithmetic; the residual is zig-zag
 * mapped and sent high byte first, so the model sees the magnitude before the noise.
 * PCM LPC (transform 2): the same, with a quantized LPC filter chosen per channel and
 * frame (lpc.c) in place of the fixed polynomial.
 * Images: optional subtract-green for RGB, then the MED (LOCO-I) predictor per plane,
 * residual modulo 256, zig-zag mapped. Bytes: identity.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "transform.h"

#include "lpc.h"

#include <stdlib.h>
#include <string.h>

#define PCM_MAX_ORDER 4
#define PCM_SIDE_FLAG 0x10
#define PCM_LMS_FLAG 0x20     /* transform 2: an LMS stage follows the LPC filter */
#define PCM_CASCADE_FLAG 0x40 /* transform 2, with LMS: three LMS stages */
#define PCM_LONG_FLAG 0x08    /* transform 2, with the cascade: its first stage 1024 taps */
#define PCM_MID_FLAG 0x80     /* transform 2, channel 0: the mid signal (channel 1: side) */
#define IMAGE_SUBTRACT_GREEN 0x01

int blm_transform_allowed(BytelmKind kind, uint32_t transform)
{
    if (transform == BLM_TRANSFORM_LPC)
        return kind == BYTELM_KIND_PCM_S16LE;
    if (transform == BLM_TRANSFORM_PREDICT)
        return kind <= BYTELM_KIND_RGB24; /* images with alpha or 16 bits: mode 7 only */
    return transform == BLM_TRANSFORM_IDENTITY;
}

uint32_t blm_transform_period(const BlmLayout *lay)
{
    if (lay->transform == BLM_TRANSFORM_IDENTITY)
        return 1;
    switch (lay->kind) {
    case BYTELM_KIND_PCM_S16LE: return 2 * lay->channels;
    case BYTELM_KIND_RGB24: return 3;
    default: return 1;
    }
}

/* Parameter bytes of the fixed-predictor transform: one per channel, or the RGB flag. */
static uint32_t predict_n_params(const BlmLayout *lay)
{
    switch (lay->kind) {
    case BYTELM_KIND_PCM_S16LE: return lay->channels;
    case BYTELM_KIND_RGB24: return 1;
    default: return 0;
    }
}

/* ---- PCM ---- */

static inline int16_t read_s16(const uint8_t *p)
{
    return (int16_t)(uint16_t)(p[0] | (p[1] << 8));
}

static inline uint16_t zigzag16(int16_t e)
{
    return (uint16_t)(((uint16_t)e << 1) ^ (e < 0 ? 0xFFFFu : 0u));
}

static inline int16_t unzigzag16(uint16_t z)
{
    return (int16_t)(uint16_t)((z >> 1) ^ (uint16_t)-(z & 1));
}

/* Prediction of sample i from the previous ones, with the order reduced at the start
 * of the frame where fewer samples exist. */
static inline int32_t pcm_predict(const int16_t *y, uint32_t i, int order)
{
    if ((uint32_t)order > i)
        order = (int)i;
    switch (order) {
    case 0: return 0;
    case 1: return y[i - 1];
    case 2: return 2 * y[i - 1] - y[i - 2];
    case 3: return 3 * y[i - 1] - 3 * y[i - 2] + y[i - 3];
    default: return 4 * y[i - 1] - 6 * y[i - 2] + 4 * y[i - 3] - y[i - 4];
    }
}

static inline int16_t wrap16(int32_t v)
{
    return (int16_t)(uint16_t)(uint32_t)v;
}

/* floor(v / 2), without relying on >> of a negative value */
static inline int32_t half_floor(int32_t v)
{
    return v >= 0 ? v >> 1 : ~(~v >> 1);
}

/* Channel c of n samples, optionally minus channel 0, into y. */
static void pcm_channel(const uint8_t *raw, uint32_t n, uint32_t ch, uint32_t c, int side,
                        int16_t *y)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t v = read_s16(raw + 2 * ((size_t)i * ch + c));
        if (side)
            v -= read_s16(raw + 2 * ((size_t)i * ch));
        y[i] = wrap16(v);
    }
}

/* Sum of residual magnitudes for each order; returns the cheapest order. */
static int pcm_best_order(const int16_t *y, uint32_t n, uint64_t *cost)
{
    uint64_t sum[PCM_MAX_ORDER + 1] = {0};
    for (uint32_t i = 0; i < n; i++)
        for (int o = 0; o <= PCM_MAX_ORDER; o++)
            sum[o] += (uint64_t)abs(wrap16((int32_t)y[i] - pcm_predict(y, i, o)));
    int best = 0;
    for (int o = 1; o <= PCM_MAX_ORDER; o++)
        if (sum[o] < sum[best])
            best = o;
    *cost = sum[best];
    return best;
}

static int pcm_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t n, uint8_t *params,
                       uint8_t *tokens)
{
    const uint32_t ch = lay->channels;
    int16_t *y = malloc(sizeof(*y) * (n ? n : 1));
    int16_t *alt = calloc(n ? n : 1, sizeof(*alt)); /* calloc: GCC cannot see pcm_channel fill it */
    if (!y || !alt) {
        free(y);
        free(alt);
        return BYTELM_ENOMEM;
    }
    for (uint32_t c = 0; c < ch; c++) {
        uint64_t cost, cost_side;
        pcm_channel(raw, n, ch, c, 0, y);
        int order = pcm_best_order(y, n, &cost);
        int side = 0;
        if (c > 0) {
            pcm_channel(raw, n, ch, c, 1, alt);
            int order_side = pcm_best_order(alt, n, &cost_side);
            if (cost_side < cost) {
                int16_t *t = y; y = alt; alt = t;
                order = order_side;
                side = 1;
            }
        }
        params[c] = (uint8_t)(order | (side ? PCM_SIDE_FLAG : 0));
        for (uint32_t i = 0; i < n; i++) {
            uint16_t z = zigzag16(wrap16((int32_t)y[i] - pcm_predict(y, i, order)));
            size_t at = 2 * ((size_t)i * ch + c);
            tokens[at] = (uint8_t)(z >> 8);
            tokens[at + 1] = (uint8_t)z;
        }
    }
    free(y);
    free(alt);
    return 0;
}

static int pcm_check_params(const BlmLayout *lay, const uint8_t *params)
{
    for (uint32_t c = 0; c < lay->channels; c++) {
        int order = params[c] & 0x0F;
        if (order > PCM_MAX_ORDER || (params[c] & ~(0x0F | PCM_SIDE_FLAG)) ||
            (c == 0 && (params[c] & PCM_SIDE_FLAG)))
            return BYTELM_EFORMAT;
    }
    return 0;
}

static int pcm_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t n,
                       const uint8_t *params, uint8_t *raw)
{
    const uint32_t ch = lay->channels;
    if (pcm_check_params(lay, params) < 0)
        return BYTELM_EFORMAT;
    int16_t *y = malloc(sizeof(*y) * (n ? n : 1));
    if (!y)
        return BYTELM_ENOMEM;
    /* Channel 0 first: side channels add it back. */
    for (uint32_t c = 0; c < ch; c++) {
        int order = params[c] & 0x0F, side = params[c] & PCM_SIDE_FLAG;
        for (uint32_t i = 0; i < n; i++) {
            size_t at = 2 * ((size_t)i * ch + c);
            int16_t e = unzigzag16((uint16_t)(tokens[at] << 8 | tokens[at + 1]));
            y[i] = wrap16((int32_t)e + pcm_predict(y, i, order));
            int32_t v = y[i];
            if (side)
                v += read_s16(raw + 2 * ((size_t)i * ch));
            uint16_t u = (uint16_t)wrap16(v);
            raw[at] = (uint8_t)u;
            raw[at + 1] = (uint8_t)(u >> 8);
        }
    }
    free(y);
    return 0;
}

/* ---- PCM, LPC (transform 2) ---- */

/* Per channel: flags, order, shift, then order coefficients as int16 little-endian.
 * The order is capped so that all channels fit 255 bytes. */
static int lpc_max_order(uint32_t channels)
{
    int o = ((int)(BLM_MAX_FRAME_PARAMS / channels) - 3) / 2;
    return o < BLM_LPC_MAX_ORDER ? o : BLM_LPC_MAX_ORDER;
}

/* How one channel is coded: the signal (plain, side or mid), the LPC filter and how
 * LMS stages follow it (a BlmLmsSet). */
typedef struct LpcChannel {
    int side, mid, lms;
    BlmLpcFilter f;
} LpcChannel;

static uint32_t lpc_put_params(const LpcChannel *cc, uint8_t *p)
{
    p[0] = (uint8_t)((cc->side ? PCM_SIDE_FLAG : 0) | (cc->mid ? PCM_MID_FLAG : 0) |
                     (cc->lms ? PCM_LMS_FLAG : 0) |
                     (cc->lms == BLM_LMS_CASCADE || cc->lms == BLM_LMS_LONG ? PCM_CASCADE_FLAG : 0) |
                     (cc->lms == BLM_LMS_LONG ? PCM_LONG_FLAG : 0));
    p[1] = (uint8_t)cc->f.order;
    p[2] = (uint8_t)cc->f.shift;
    for (int j = 0; j < cc->f.order; j++) {
        p[3 + 2 * j] = (uint8_t)(uint16_t)cc->f.coef[j];
        p[4 + 2 * j] = (uint8_t)((uint16_t)cc->f.coef[j] >> 8);
    }
    return 3 + 2 * (uint32_t)cc->f.order;
}

/* Reads channel c's parameters at *at; mid0 is channel 0's mid flag (channel 1 must
 * then be side). 0 or BYTELM_EFORMAT. */
static int lpc_get_params(const uint8_t *p, uint32_t n_params, uint32_t *at, uint32_t c,
                          uint32_t channels, int mid0, LpcChannel *cc)
{
    if (n_params - *at < 3)
        return BYTELM_EFORMAT;
    const uint8_t *q = p + *at;
    const uint8_t flags = q[0];
    if ((flags & 0x07) || (c == 0 && (flags & PCM_SIDE_FLAG)) ||
        ((flags & PCM_MID_FLAG) && (c != 0 || channels < 2)) ||
        ((flags & PCM_CASCADE_FLAG) && !(flags & PCM_LMS_FLAG)) ||
        ((flags & PCM_LONG_FLAG) && !(flags & PCM_CASCADE_FLAG)) ||
        (c == 1 && mid0 && !(flags & PCM_SIDE_FLAG)) ||
        q[1] > BLM_LPC_MAX_ORDER || q[2] > BLM_LPC_MAX_SHIFT || n_params - *at - 3 < 2u * q[1])
        return BYTELM_EFORMAT;
    cc->side = (flags & PCM_SIDE_FLAG) != 0;
    cc->mid = (flags & PCM_MID_FLAG) != 0;
    cc->lms = !(flags & PCM_LMS_FLAG)       ? BLM_LMS_NONE
              : !(flags & PCM_CASCADE_FLAG) ? BLM_LMS_SINGLE
              : (flags & PCM_LONG_FLAG)     ? BLM_LMS_LONG
                                            : BLM_LMS_CASCADE;
    cc->f.order = q[1];
    cc->f.shift = q[2];
    for (int j = 0; j < cc->f.order; j++)
        cc->f.coef[j] = (int16_t)(uint16_t)(q[3 + 2 * j] | q[4 + 2 * j] << 8);
    *at += 3 + 2 * (uint32_t)cc->f.order;
    return 0;
}

static int lpc_check_params(const BlmLayout *lay, const uint8_t *params, uint32_t n_params)
{
    uint32_t at = 0;
    int mid0 = 0;
    for (uint32_t c = 0; c < lay->channels; c++) {
        LpcChannel cc;
        if (lpc_get_params(params, n_params, &at, c, lay->channels, mid0, &cc) < 0)
            return BYTELM_EFORMAT;
        if (c == 0)
            mid0 = cc.mid;
    }
    return at == n_params ? 0 : BYTELM_EFORMAT;
}

/* The LMS stages of a channel that runs the set `lms` of blm_lms_stage. */
static void lms_start(BlmLms st[BLM_LMS_STAGES], int lms)
{
    for (int s = 0; s < BLM_LMS_STAGES; s++)
        if (lms >> s & 1)
            blm_lms_init(&st[s], s);
}

/* Codes channel c's residuals (tokens may be NULL: cost only); returns the sum of
 * their magnitudes. */
static uint64_t lpc_residual_tokens(const int16_t *y, uint32_t n, const LpcChannel *cc,
                                    int lms, uint32_t ch, uint32_t c, uint8_t *tokens)
{
    BlmLms st[BLM_LMS_STAGES];
    lms_start(st, lms);
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        int16_t e = (int16_t)(uint16_t)(uint64_t)((int64_t)y[i] - blm_lpc_predict(y, i, &cc->f));
        for (int s = 0; s < BLM_LMS_STAGES; s++) {
            if (!(lms >> s & 1))
                continue;
            int64_t err = (int64_t)e - blm_lms_predict(&st[s]);
            blm_lms_update(&st[s], err, e);
            e = (int16_t)(uint16_t)(uint64_t)err;
        }
        sum += (uint64_t)(e < 0 ? -(int32_t)e : e);
        if (!tokens)
            continue;
        uint16_t z = zigzag16(e);
        size_t at = 2 * ((size_t)i * ch + c);
        tokens[at] = (uint8_t)(z >> 8);
        tokens[at + 1] = (uint8_t)z;
    }
    return sum;
}

/* The mid signal floor((x0 + x1) / 2) of the first two channels into y, if their side
 * signal x1 - x0 fits 16 bits everywhere (then mid and side give back x0 and x1);
 * otherwise returns 0. */
static int pcm_mid(const uint8_t *raw, uint32_t n, uint32_t ch, int16_t *y)
{
    for (uint32_t i = 0; i < n; i++) {
        int32_t l = read_s16(raw + 2 * ((size_t)i * ch)), r = read_s16(raw + 2 * ((size_t)i * ch + 1));
        if (r - l < -32768 || r - l > 32767)
            return 0;
        y[i] = (int16_t)half_floor(l + r);
    }
    return 1;
}

/* Channel 1's filters as itself and as side, searched once for both the mid decision
 * and channel 1's own choice. */
typedef struct Channel1Search {
    BlmLpcFilter plain, side;
    double plain_bits, side_bits;
} Channel1Search;

static void search_channel1(const uint8_t *raw, uint32_t n, uint32_t ch, int max_order,
                            int16_t *buf, Channel1Search *s)
{
    pcm_channel(raw, n, ch, 1, 0, buf);
    s->plain_bits = blm_lpc_search(buf, n, max_order, &s->plain);
    pcm_channel(raw, n, ch, 1, 1, buf);
    s->side_bits = blm_lpc_search(buf, n, max_order, &s->side);
}

static int lpc_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t n, uint8_t *params,
                       uint32_t *n_params, uint8_t *tokens)
{
    const uint32_t ch = lay->channels;
    const int max_order = lpc_max_order(ch);
    int16_t *y = malloc(sizeof(*y) * (n ? n : 1));
    int16_t *alt = calloc(n ? n : 1, sizeof(*alt)); /* calloc: GCC cannot see pcm_channel fill it */
    if (!y || !alt) {
        free(y);
        free(alt);
        return BYTELM_ENOMEM;
    }
    uint32_t at = 0;
    int mid = 0;
    Channel1Search c1 = {0};
    if (ch >= 2)
        search_channel1(raw, n, ch, max_order, alt, &c1);
    for (uint32_t c = 0; c < ch; c++) {
        LpcChannel cc = {0};
        pcm_channel(raw, n, ch, c, 0, y);
        double bits = c == 1 ? c1.plain_bits : blm_lpc_search(y, n, max_order, &cc.f);
        if (c == 1)
            cc.f = c1.plain;
        if (c == 0 && ch >= 2 && pcm_mid(raw, n, ch, alt)) {
            /* mid and side against channel 0 and the better of channel 1 and side */
            BlmLpcFilter f_mid;
            double mid_bits = blm_lpc_search(alt, n, max_order, &f_mid);
            double best1 = c1.plain_bits < c1.side_bits ? c1.plain_bits : c1.side_bits;
            if (mid_bits + c1.side_bits < bits + best1) {
                int16_t *t = y; y = alt; alt = t;
                cc.f = f_mid;
                mid = cc.mid = 1;
            }
        }
        if (c > 0) {
            BlmLpcFilter f_side;
            double side_bits = c == 1 ? c1.side_bits : 0;
            if (c == 1)
                f_side = c1.side;
            pcm_channel(raw, n, ch, c, 1, alt);
            if (c > 1)
                side_bits = blm_lpc_search(alt, n, max_order, &f_side);
            if ((c == 1 && mid) || side_bits < bits) {
                int16_t *t = y; y = alt; alt = t;
                cc.f = f_side;
                cc.side = 1;
            }
        }
        /* LMS stages only where they measurably help: each set must beat the best so far
         * by 1/64 of its sum */
        static const int sets[] = {BLM_LMS_SINGLE, BLM_LMS_CASCADE, BLM_LMS_LONG};
        uint64_t best = lpc_residual_tokens(y, n, &cc, BLM_LMS_NONE, ch, c, NULL);
        for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
            uint64_t sum = lpc_residual_tokens(y, n, &cc, sets[k], ch, c, NULL);
            if (sum < best - best / 64) {
                cc.lms = sets[k];
                best = sum;
            }
        }
        at += lpc_put_params(&cc, params + at);
        lpc_residual_tokens(y, n, &cc, cc.lms, ch, c, tokens);
    }
    *n_params = at;
    free(y);
    free(alt);
    return 0;
}

static int lpc_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t n,
                       const uint8_t *params, uint32_t n_params, uint8_t *raw)
{
    const uint32_t ch = lay->channels;
    int16_t *y = malloc(sizeof(*y) * (n ? n : 1));
    if (!y)
        return BYTELM_ENOMEM;
    uint32_t at = 0;
    int mid0 = 0;
    for (uint32_t c = 0; c < ch; c++) {
        LpcChannel cc;
        BlmLms st[BLM_LMS_STAGES];
        if (lpc_get_params(params, n_params, &at, c, ch, mid0, &cc) < 0) {
            free(y);
            return BYTELM_EFORMAT;
        }
        if (c == 0)
            mid0 = cc.mid;
        lms_start(st, cc.lms);
        for (uint32_t i = 0; i < n; i++) {
            size_t k = 2 * ((size_t)i * ch + c);
            int16_t e = unzigzag16((uint16_t)(tokens[k] << 8 | tokens[k + 1]));
            for (int s = BLM_LMS_STAGES - 1; s >= 0; s--) {
                if (!(cc.lms >> s & 1))
                    continue;
                int64_t pred = blm_lms_predict(&st[s]);
                int16_t e1 = (int16_t)(uint16_t)(uint64_t)((int64_t)e + pred);
                blm_lms_update(&st[s], (int64_t)e1 - pred, e1);
                e = e1;
            }
            y[i] = (int16_t)(uint16_t)(uint64_t)((int64_t)e + blm_lpc_predict(y, i, &cc.f));
            int32_t v = y[i];
            uint8_t *x0 = raw + 2 * ((size_t)i * ch);
            if (c == 1 && mid0) {
                /* channel 0 holds the mid signal so far: x0 = mid - floor(side / 2) */
                int16_t l = wrap16(read_s16(x0) - half_floor(v));
                x0[0] = (uint8_t)(uint16_t)l;
                x0[1] = (uint8_t)((uint16_t)l >> 8);
            }
            if (cc.side)
                v += read_s16(x0);
            uint16_t u = (uint16_t)wrap16(v);
            raw[k] = (uint8_t)u;
            raw[k + 1] = (uint8_t)(u >> 8);
        }
    }
    free(y);
    return 0;
}

/* ---- images ---- */

static inline uint8_t med_predict(uint8_t a, uint8_t b, uint8_t c)
{
    uint8_t mx = a > b ? a : b, mn = a > b ? b : a;
    if (c >= mx)
        return mn;
    if (c <= mn)
        return mx;
    return (uint8_t)(a + b - c);
}

static inline uint8_t zigzag8(uint8_t r)
{
    int8_t e = (int8_t)r;
    return (uint8_t)(((uint8_t)e << 1) ^ (e < 0 ? 0xFF : 0));
}

static inline uint8_t unzigzag8(uint8_t z)
{
    return (uint8_t)((z >> 1) ^ (uint8_t)-(z & 1));
}

/* Plane value k of pixel p (after the optional subtract-green colour transform). */
static inline uint8_t plane_value(const uint8_t *px, uint32_t comps, int sg, uint32_t k)
{
    if (comps == 1)
        return px[0];
    if (!sg)
        return px[k];
    /* planes: G, R-G, B-G */
    return k == 0 ? px[1] : (uint8_t)(px[k == 1 ? 0 : 2] - px[1]);
}

/* MED prediction of plane k at (x, y) from already known plane values. */
static inline uint8_t image_predict(const uint8_t *planes, uint32_t w, uint32_t comps,
                                    uint32_t x, uint32_t y, uint32_t k)
{
    const size_t stride = (size_t)w * comps;
    const uint8_t *cur = planes + (size_t)y * stride + k;
    if (y == 0)
        return x ? cur[(size_t)(x - 1) * comps] : 0;
    const uint8_t *up = cur - stride;
    if (x == 0)
        return up[0];
    return med_predict(cur[(size_t)(x - 1) * comps], up[(size_t)x * comps],
                       up[(size_t)(x - 1) * comps]);
}

static uint64_t image_residuals(const uint8_t *raw, uint32_t w, uint32_t rows, uint32_t comps,
                                int sg, uint8_t *planes, uint8_t *tokens)
{
    const size_t n = (size_t)w * rows * comps;
    for (size_t i = 0; i < n; i += comps)
        for (uint32_t k = 0; k < comps; k++)
            planes[i + k] = plane_value(raw + i, comps, sg, k);
    uint64_t cost = 0;
    for (uint32_t y = 0; y < rows; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t k = 0; k < comps; k++) {
                size_t at = ((size_t)y * w + x) * comps + k;
                uint8_t r = (uint8_t)(planes[at] - image_predict(planes, w, comps, x, y, k));
                cost += (uint64_t)abs((int8_t)r);
                if (tokens)
                    tokens[at] = zigzag8(r);
            }
    return cost;
}

static int image_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t rows,
                         uint8_t *params, uint8_t *tokens)
{
    const uint32_t comps = lay->channels, w = lay->width;
    uint8_t *planes = malloc((size_t)w * rows * comps + 1);
    if (!planes)
        return BYTELM_ENOMEM;
    int sg = 0;
    if (comps == 3) {
        uint64_t plain = image_residuals(raw, w, rows, comps, 0, planes, NULL);
        uint64_t green = image_residuals(raw, w, rows, comps, 1, planes, NULL);
        sg = green < plain;
        params[0] = sg ? IMAGE_SUBTRACT_GREEN : 0;
    }
    image_residuals(raw, w, rows, comps, sg, planes, tokens);
    free(planes);
    return 0;
}

static int image_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t rows,
                         const uint8_t *params, uint8_t *raw)
{
    const uint32_t comps = lay->channels, w = lay->width;
    int sg = 0;
    if (comps == 3) {
        if (params[0] & ~IMAGE_SUBTRACT_GREEN)
            return BYTELM_EFORMAT;
        sg = params[0] & IMAGE_SUBTRACT_GREEN;
    }
    /* Plane values are rebuilt in place in raw, then the colour transform is undone. */
    for (uint32_t y = 0; y < rows; y++)
        for (uint32_t x = 0; x < w; x++)
            for (uint32_t k = 0; k < comps; k++) {
                size_t at = ((size_t)y * w + x) * comps + k;
                raw[at] = (uint8_t)(unzigzag8(tokens[at]) + image_predict(raw, w, comps, x, y, k));
            }
    if (sg)
        for (size_t i = 0; i < (size_t)w * rows * 3; i += 3) {
            uint8_t g = raw[i], r = (uint8_t)(raw[i + 1] + g), b = (uint8_t)(raw[i + 2] + g);
            raw[i] = r;
            raw[i + 1] = g;
            raw[i + 2] = b;
        }
    return 0;
}

int blm_transform_forward(const BlmLayout *lay, const uint8_t *raw, uint32_t n_units,
                          uint8_t *params, uint32_t *n_params, uint8_t *tokens)
{
    *n_params = 0;
    if (lay->transform == BLM_TRANSFORM_IDENTITY) {
        memcpy(tokens, raw, (size_t)n_units * lay->unit_bytes);
        return 0;
    }
    if (lay->transform == BLM_TRANSFORM_LPC)
        return lpc_forward(lay, raw, n_units, params, n_params, tokens);
    *n_params = predict_n_params(lay);
    switch (lay->kind) {
    case BYTELM_KIND_PCM_S16LE: return pcm_forward(lay, raw, n_units, params, tokens);
    case BYTELM_KIND_GRAY8:
    case BYTELM_KIND_RGB24: return image_forward(lay, raw, n_units, params, tokens);
    default: memcpy(tokens, raw, n_units); return 0;
    }
}

int blm_transform_check_params(const BlmLayout *lay, const uint8_t *params, uint32_t n_params)
{
    if (lay->transform == BLM_TRANSFORM_IDENTITY)
        return n_params ? BYTELM_EFORMAT : 0;
    if (lay->transform == BLM_TRANSFORM_LPC)
        return lpc_check_params(lay, params, n_params);
    if (n_params != predict_n_params(lay))
        return BYTELM_EFORMAT;
    switch (lay->kind) {
    case BYTELM_KIND_PCM_S16LE: return pcm_check_params(lay, params);
    case BYTELM_KIND_RGB24: return params[0] & ~IMAGE_SUBTRACT_GREEN ? BYTELM_EFORMAT : 0;
    default: return 0;
    }
}

int blm_transform_inverse(const BlmLayout *lay, const uint8_t *tokens, uint32_t n_units,
                          const uint8_t *params, uint32_t n_params, uint8_t *raw)
{
    if (lay->transform == BLM_TRANSFORM_IDENTITY) {
        memcpy(raw, tokens, (size_t)n_units * lay->unit_bytes);
        return 0;
    }
    if (lay->transform == BLM_TRANSFORM_LPC)
        return lpc_inverse(lay, tokens, n_units, params, n_params, raw);
    switch (lay->kind) {
    case BYTELM_KIND_PCM_S16LE: return pcm_inverse(lay, tokens, n_units, params, raw);
    case BYTELM_KIND_GRAY8:
    case BYTELM_KIND_RGB24: return image_inverse(lay, tokens, n_units, params, raw);
    default: memcpy(raw, tokens, n_units); return 0;
    }
}
