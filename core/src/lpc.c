/*
 * The encoder's LPC search: windowed autocorrelation, Levinson-Durbin, coefficient
 * quantization with error feedback, then the order whose quantized filter gives the
 * smallest estimated cost, with FLAC's fixed polynomial predictors as candidates too.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "lpc.h"

#include <stdlib.h>
#include <string.h>

/* log2(x) for x > 0, to a few 1e-4: exponent by halving, then a short series.
 * Only + - * / so every machine gets the same value. */
static double log2_approx(double x)
{
    double e = 0;
    while (x >= 2) {
        x *= 0.5;
        e += 1;
    }
    while (x < 1) {
        x *= 2;
        e -= 1;
    }
    /* ln(x) = 2 atanh((x-1)/(x+1)), x in [1,2): t <= 1/3 */
    double t = (x - 1) / (x + 1), t2 = t * t, s = 0, p = t;
    for (int k = 1; k <= 15; k += 2) {
        s += p / k;
        p *= t2;
    }
    return e + 2 * s * 1.4426950408889634;
}

/* Coded size estimate of a residual: a Laplacian-like coder spends about
 * log2(mean |e|) + 1.5 bits per sample (never less than ~1). */
static double residual_bits(const int16_t *y, uint32_t n, const BlmLpcFilter *f)
{
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        int64_t e = (int64_t)y[i] - blm_lpc_predict(y, i, f);
        int16_t w = (int16_t)(uint16_t)(uint64_t)e; /* the transform wraps to 16 bits */
        sum += (uint64_t)(w < 0 ? -(int32_t)w : w);
    }
    double mean = (double)sum / (n ? n : 1);
    return n * log2_approx(1.5 + mean) + 16.0 * f->order + 24;
}

static void levinson(const double *r, int max_order, double lpc[][BLM_LPC_MAX_ORDER], int *got)
{
    double a[BLM_LPC_MAX_ORDER + 1] = {0}, tmp[BLM_LPC_MAX_ORDER + 1];
    double err = r[0];
    *got = 0;
    for (int o = 1; o <= max_order; o++) {
        if (err <= r[0] * 1e-10)
            break;
        double acc = r[o];
        for (int j = 1; j < o; j++)
            acc -= a[j] * r[o - j];
        double k = acc / err;
        memcpy(tmp, a, sizeof(a));
        a[o] = k;
        for (int j = 1; j < o; j++)
            a[j] = tmp[j] - k * tmp[o - j];
        err *= 1 - k * k;
        for (int j = 0; j < o; j++)
            lpc[o - 1][j] = a[j + 1];
        *got = o;
    }
}

/* Quantizes coefficients to int16 with the largest shift that fits. */
static void quantize(const double *c, int order, BlmLpcFilter *f)
{
    double cmax = 0;
    for (int j = 0; j < order; j++) {
        double m = c[j] < 0 ? -c[j] : c[j];
        if (m > cmax)
            cmax = m;
    }
    int shift = BLM_LPC_MAX_SHIFT;
    while (shift > 0 && cmax * (double)(1 << shift) > 32767.0)
        shift--;
    f->order = order;
    f->shift = shift;
    double carry = 0;
    for (int j = 0; j < order; j++) {
        double x = c[j] * (double)(1 << shift) + carry;
        double r = x >= 0 ? x + 0.5 : x - 0.5;
        int64_t q = r > 32767 ? 32767 : r < -32768 ? -32768 : (int64_t)r;
        carry = x - (double)q;
        f->coef[j] = (int16_t)q;
    }
}

static void fixed_filter(int order, BlmLpcFilter *f)
{
    static const int16_t poly[5][4] = {{0}, {1}, {2, -1}, {3, -3, 1}, {4, -6, 4, -1}};
    memset(f, 0, sizeof(*f));
    f->order = order;
    memcpy(f->coef, poly[order], sizeof(poly[order]));
}

double blm_lpc_search(const int16_t *y, uint32_t n, int max_order, BlmLpcFilter *best)
{
    BlmLpcFilter cand;
    fixed_filter(0, best);
    double best_bits = residual_bits(y, n, best);
    for (int o = 1; o <= 4 && o <= max_order; o++) {
        fixed_filter(o, &cand);
        double bits = residual_bits(y, n, &cand);
        if (bits < best_bits) {
            best_bits = bits;
            *best = cand;
        }
    }
    if (max_order > BLM_LPC_MAX_ORDER)
        max_order = BLM_LPC_MAX_ORDER;
    if (n <= (uint32_t)max_order * 2 || max_order < 1)
        return best_bits;

    /* Welch-windowed autocorrelation */
    double *x = malloc(sizeof(*x) * n);
    if (!x)
        return best_bits;
    double half = (n - 1) / 2.0, span = (n + 1) / 2.0;
    for (uint32_t i = 0; i < n; i++) {
        double t = (i - half) / span;
        x[i] = y[i] * (1 - t * t);
    }
    double r[BLM_LPC_MAX_ORDER + 1];
    for (int l = 0; l <= max_order; l++) {
        double acc = 0;
        for (uint32_t i = (uint32_t)l; i < n; i++)
            acc += x[i] * x[i - l];
        r[l] = acc;
    }
    free(x);
    if (r[0] <= 0)
        return best_bits;
    r[0] *= 1 + 1e-9; /* a little white noise keeps the recursion well conditioned */

    double lpc[BLM_LPC_MAX_ORDER][BLM_LPC_MAX_ORDER];
    int got;
    levinson(r, max_order, lpc, &got);
    static const int orders[] = {2, 4, 6, 8, 10, 12, 16, 20, 24, 32};
    for (size_t k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
        int o = orders[k];
        if (o > got)
            break;
        quantize(lpc[o - 1], o, &cand);
        double bits = residual_bits(y, n, &cand);
        if (bits < best_bits) {
            best_bits = bits;
            *best = cand;
        }
    }
    return best_bits;
}
