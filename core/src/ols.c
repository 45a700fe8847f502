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
}

double blm_ols_predict(BlmOls *o)
{
    return o->pred = blm_dot4(o->w, o->x, o->n);
}

/* Row i of the Cholesky factor at columns [j0, i): each entry its own chain of
 * subtractions in k order, as docs/MODEL.md §9 writes it. */
static void chol_row(const BlmOls *o, double *g, int i, int j0)
{
    for (int j = j0; j < i; j++) {
        double sum = o->r[i * BLM_OLS_MAX + j];
        for (int k = 0; k < j; k++)
            sum -= g[i * BLM_OLS_MAX + k] * g[j * BLM_OLS_MAX + k];
        g[i * BLM_OLS_MAX + j] = sum / g[j * BLM_OLS_MAX + j];
    }
}

/* Cholesky factor of r + nu I, then w = (r + nu I)^-1 b. Keeps the old weights
 * when the matrix is not positive definite (as at a silent start).
 *
 * Each entry is the same chain of operations in the same order as the plain row by
 * row loop; only the order in which independent entries are computed differs. The
 * entries of four rows in the columns left of those rows depend on earlier rows
 * alone, so their four chains run side by side, which a chain's latency would
 * otherwise leave idle. A factor abandoned at a non-positive pivot is never read. */
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
        for (int i = i0; i < i0 + 4; i++) {
            chol_row(o, g, i, i0);
            double sum = o->r[i * BLM_OLS_MAX + i] + o->nu;
            for (int k = 0; k < i; k++)
                sum -= g[i * BLM_OLS_MAX + k] * g[i * BLM_OLS_MAX + k];
            if (!(sum > 1e-8))
                return;
            g[i * BLM_OLS_MAX + i] = sqrt(sum);
        }
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
    const int n = o->n;
    for (int j = 0; j < n; j++) {
        const double fx = ff * o->x[j];
        double *row = o->r + j * BLM_OLS_MAX;
        for (int i = 0; i <= j; i++)
            row[i] = o->lambda * row[i] + fx * o->x[i];
        o->b[j] = o->lambda * o->b[j] + fx * val;
    }
    if (++o->since_solve >= solve_interval) {
        o->since_solve = 0;
        solve(o);
    }
}
