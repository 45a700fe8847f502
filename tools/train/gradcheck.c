/*
 * bytelm-train: analytic gradients against central finite differences on a tiny model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#ifdef BLM_TRAIN_DOUBLE
#define GC_STEP 1e-5
#define GC_TYPE "double"
#else
#define GC_STEP 1e-2
#define GC_TYPE "float"
#endif

static uint64_t gc_rng(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double gc_uniform(uint64_t *s) /* [-1, 1) */
{
    return (double)(gc_rng(s) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

int tm_gradcheck(int verbose, int *n_passed)
{
    const TrainModelConfig cfg = { .n_layer = 2, .d_model = 16, .n_head = 2, .d_ff = 32,
                                   .window = 8, .norm_eps = 1e-5f };
    const int B = 2, T = 20;
    TrainModel m;
    if (tm_init(&m, &cfg)) return -1;

    /* parameters: larger than a fresh init so every path carries gradient */
    uint64_t s = 0x9E3779B97F4A7C15ull;
    ParamInfo info[TP_COUNT];
    tm_param_info(&cfg, info);
    size_t off = 0;
    for (int t = 0; t < TP_COUNT; t++) {
        int fan_in = info[t].ndim == 2 ? info[t].dims[0] : 1;
        double scale = info[t].decay ? 1.5 / sqrt((double)fan_in) : 0.5;
        for (size_t i = 0; i < m.param_sizes[t]; i++) {
            double u = gc_uniform(&s);
            if (t == TP_ATTN_NORM || t == TP_FFN_NORM || t == TP_OUT_NORM)
                m.params_mem[off + i] = (real)(1.0 + 0.3 * u);
            else
                m.params_mem[off + i] = (real)(scale * u);
        }
        off += m.param_sizes[t];
    }

    /* a batch: sequence 0 has period 3, sequence 1 period 1; two targets masked */
    int32_t tok[2 * 20], ph[2 * 20], tgt[2 * 20];
    for (int b = 0; b < B; b++) {
        int period = b == 0 ? 3 : 1;
        for (int t = 0; t < T; t++) {
            int x = (int)(gc_rng(&s) % 256);
            tgt[b * T + t] = x;
            ph[b * T + t] = t % period;
            tok[b * T + t] = t == 0 ? TM_BOS : tgt[b * T + t - 1];
        }
    }
    tgt[7] = -1;
    tgt[T + 19] = -1;

    tm_forward(&m, tok, ph, tgt, B, T);
    tm_zero_grad(&m);
    tm_backward(&m, tok, ph);
    real *analytic = malloc(m.n_params * sizeof(real));
    if (!analytic) return -1;
    memcpy(analytic, m.grads_mem, m.n_params * sizeof(real));

    int passed = 0, failed = 0;
    off = 0;
    for (int t = 0; t < TP_COUNT; t++) {
        int nl = info[t].per_layer ? cfg.n_layer : 1;
        size_t per = m.param_sizes[t] / (size_t)nl;
        for (int l = 0; l < nl; l++, off += per) {
            double max_err = 0, dd = 0, aa = 0, nn = 0;
            size_t bad = 0;
            for (size_t i = off; i < off + per; i++) {
                real keep = m.params_mem[i];
                m.params_mem[i] = keep + (real)GC_STEP;
                double lp = tm_forward(&m, tok, ph, tgt, B, T);
                m.params_mem[i] = keep - (real)GC_STEP;
                double lm = tm_forward(&m, tok, ph, tgt, B, T);
                m.params_mem[i] = keep;
                /* the actual step after rounding to real */
                double h2 = (double)(real)(keep + (real)GC_STEP) - (double)(real)(keep - (real)GC_STEP);
                double num = (lp - lm) / h2, an = analytic[i];
                double err = fabs(an - num);
                if (err > max_err) max_err = err;
                if (err > 1e-7 + 1e-5 * fmax(fabs(an), fabs(num))) bad++;
                dd += err * err;
                aa += an * an;
                nn += num * num;
            }
            double rel = sqrt(dd) / fmax(fmax(sqrt(aa), sqrt(nn)), 1e-30);
#ifdef BLM_TRAIN_DOUBLE
            int ok = bad == 0 && aa > 0;
#else
            int ok = rel <= 1e-2 && aa > 0;
#endif
            char name[64];
            if (info[t].per_layer) snprintf(name, sizeof name, "l%d.%s", l, info[t].name);
            else snprintf(name, sizeof name, "%s", info[t].name);
            if (verbose || !ok)
                printf("%-14s %6zu elems  |grad| %.3e  max abs err %.3e  rel err %.3e  %s\n",
                       name, per, sqrt(aa), max_err, rel, ok ? "ok" : "FAIL");
            if (ok) passed++;
            else failed++;
        }
    }
    printf("gradcheck (%s, step %g): %d tensors passed, %d failed\n", GC_TYPE, GC_STEP, passed,
           failed);
    free(analytic);
    tm_free(&m);
    if (n_passed) *n_passed = passed;
    return failed;
}
