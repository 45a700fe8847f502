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

/* Cholesky factor of r + nu I, then w = (r + nu I)^-1 b. Keeps the old weights
 * when the matrix is not positive definite (as at a silent start). */
static void solve(BlmOls *o)
{
    const int n = o->n;
    double *g = o->chol;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
            double sum = o->r[i * BLM_OLS_MAX + j];
            for (int k = 0; k < j; k++)
                sum -= g[i * BLM_OLS_MAX + k] * g[j * BLM_OLS_MAX + k];
            g[i * BLM_OLS_MAX + j] = sum / g[j * BLM_OLS_MAX + j];
        }
        double sum = o->r[i * BLM_OLS_MAX + i] + o->nu;
        for (int k = 0; k < i; k++)
            sum -= g[i * BLM_OLS_MAX + k] * g[i * BLM_OLS_MAX + k];
        if (!(sum > 1e-8))
            return;
        g[i * BLM_OLS_MAX + i] = sqrt(sum);
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
