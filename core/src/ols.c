/*
 * The weighted least-squares stage; docs/MODEL.md §9 is normative. The caller holds
 * blm_fp_enter; every operation is float64 in the order written.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ols.h"

#include <math.h>
#include <string.h>

#define ESUM_RATE 0.4

void blm_ols_init(BlmOls *o, int n, double lambda, double nu, double esum_add, int weighting)
{
    memset(o, 0, sizeof *o);
    o->n = n;
    o->lambda = lambda;
    o->nu = nu;
    o->esum_add = esum_add;
    o->weighting = weighting;
    o->k = blm_kernels();
}

double blm_ols_predict(BlmOls *o)
{
    return o->pred = blm_dot4(o->w, o->x, o->n);
}

/* Cholesky factor of r + nu I, then w = (r + nu I)^-1 b. Keeps the old weights
 * when the matrix is not positive definite (as at a silent start).
 *
 * Every entry of the factor is one chain of subtractions in k order, the same
 * operations in the same order as the plain row by row loop of docs/MODEL.md §9;
 * only the order in which independent chains advance differs. Rows come in blocks
 * of four. Their entries left of the block depend on earlier blocks alone, and so
 * do the first i0 steps of their entries inside the block and of their diagonal:
 * those chains run side by side (four, then ten at once), which a single chain's
 * latency would otherwise leave idle; the few steps inside the block follow in
 * order. A factor abandoned at a non-positive pivot is never read. */
static void solve(BlmOls *o)
{
    const int n = o->n; /* a multiple of 4 */
    double *g = o->chol;
    for (int i0 = 0; i0 < n; i0 += 4) {
        double *g0 = g + i0 * BLM_OLS_MAX, *g1 = g0 + BLM_OLS_MAX, *g2 = g1 + BLM_OLS_MAX,
               *g3 = g2 + BLM_OLS_MAX;
        const double *r0 = o->r + i0 * BLM_OLS_MAX, *r1 = r0 + BLM_OLS_MAX,
                     *r2 = r1 + BLM_OLS_MAX, *r3 = r2 + BLM_OLS_MAX;
        for (int j = 0; j < i0; j++) {
            const double *gj = g + j * BLM_OLS_MAX;
            double s0 = r0[j], s1 = r1[j], s2 = r2[j], s3 = r3[j];
            for (int k = 0; k < j; k++) {
                s0 -= g0[k] * gj[k];
                s1 -= g1[k] * gj[k];
                s2 -= g2[k] * gj[k];
                s3 -= g3[k] * gj[k];
            }
            g0[j] = s0 / gj[j];
            g1[j] = s1 / gj[j];
            g2[j] = s2 / gj[j];
            g3[j] = s3 / gj[j];
        }
        /* the block's lower triangle and diagonal, their steps k < i0 */
        const int a = i0, b = i0 + 1, c = i0 + 2;
        double t10 = r1[a], t20 = r2[a], t21 = r2[b], t30 = r3[a], t31 = r3[b], t32 = r3[c];
        double d0 = r0[a] + o->nu, d1 = r1[b] + o->nu, d2 = r2[c] + o->nu,
               d3 = r3[i0 + 3] + o->nu;
        for (int k = 0; k < i0; k++) {
            t10 -= g1[k] * g0[k];
            t20 -= g2[k] * g0[k];
            t21 -= g2[k] * g1[k];
            t30 -= g3[k] * g0[k];
            t31 -= g3[k] * g1[k];
            t32 -= g3[k] * g2[k];
            d0 -= g0[k] * g0[k];
            d1 -= g1[k] * g1[k];
            d2 -= g2[k] * g2[k];
            d3 -= g3[k] * g3[k];
        }
        /* then the steps k >= i0, in order */
        if (!(d0 > 1e-8))
            return;
        g0[a] = sqrt(d0);
        g1[a] = t10 / g0[a];
        d1 -= g1[a] * g1[a];
        if (!(d1 > 1e-8))
            return;
        g1[b] = sqrt(d1);
        g2[a] = t20 / g0[a];
        t21 -= g2[a] * g1[a];
        g2[b] = t21 / g1[b];
        d2 -= g2[a] * g2[a];
        d2 -= g2[b] * g2[b];
        if (!(d2 > 1e-8))
            return;
        g2[c] = sqrt(d2);
        g3[a] = t30 / g0[a];
        t31 -= g3[a] * g1[a];
        g3[b] = t31 / g1[b];
        t32 -= g3[a] * g2[a];
        t32 -= g3[b] * g2[b];
        g3[c] = t32 / g2[c];
        d3 -= g3[a] * g3[a];
        d3 -= g3[b] * g3[b];
        d3 -= g3[c] * g3[c];
        if (!(d3 > 1e-8))
            return;
        g3[i0 + 3] = sqrt(d3);
    }
    for (int i = 0; i < n; i++) {
        double sum = o->b[i];
        for (int k = 0; k < i; k++)
            sum -= g[i * BLM_OLS_MAX + k] * o->y[k];
        o->y[i] = sum / g[i * BLM_OLS_MAX + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double sum = o->y[i];
        for (int k = i + 1; k < n; k++)
            sum -= g[k * BLM_OLS_MAX + i] * o->w[k];
        o->w[i] = sum / g[i * BLM_OLS_MAX + i];
    }
}

void blm_ols_update(BlmOls *o, double val, int solve_interval)
{
    const double e = val - o->pred;
    o->esum = o->esum + ESUM_RATE * (fabs(e) - o->esum);
    const double v = o->esum + o->esum_add;
    double ff;
    if (o->weighting == BLM_OLS_WEIGHT_POW2) {
        ff = (1.0 - o->lambda) / (v * v);
    } else {
        /* (esum + add)^-3/4, as 1 / (sqrt(v) * sqrt(sqrt(v))) */
        const double sv = sqrt(v);
        ff = (1.0 - o->lambda) / (sv * sqrt(sv));
    }
    o->k->ols_accumulate(o->r, BLM_OLS_MAX, o->b, o->x, o->n, o->lambda, ff, val);
    if (++o->since_solve >= solve_interval) {
        o->since_solve = 0;
        solve(o);
    }
}
