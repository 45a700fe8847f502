/*
 * A recursive weighted least-squares predictor (docs/MODEL.md §9): a covariance
 * matrix and cross-correlation vector that forget by lambda per sample, each sample
 * weighted down by its recent error (iteratively reweighted least squares), solved
 * by Cholesky every few samples. Shared by the sample predictor of mode 6 and the
 * pixel predictor of mode 7; float64 in the written order, no FMA.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_OLS_H
#define BYTELM_OLS_H

#include "kernels.h"

#define BLM_OLS_MAX 36

/* How a sample's weight follows its running mean error esum:
 * (esum + add)^-3/4 (audio) or (esum + add)^-2 (pixels). */
enum { BLM_OLS_WEIGHT_POW34, BLM_OLS_WEIGHT_POW2 };

typedef struct BlmOls {
    int n;               /* inputs, a multiple of 4, at most BLM_OLS_MAX */
    int weighting;
    double lambda, nu, esum_add;
    double x[BLM_OLS_MAX];
    double w[BLM_OLS_MAX];
    double b[BLM_OLS_MAX];
    double r[BLM_OLS_MAX * BLM_OLS_MAX];   /* lower triangle, row major */
    double chol[BLM_OLS_MAX * BLM_OLS_MAX];
    double y[BLM_OLS_MAX];
    double esum;        /* running mean of |error|, for the IRLS weight */
    double pred;
    int since_solve;
    const BlmKernels *k;  /* this machine's kernels: the same bits at every level */
} BlmOls;

/* Zeroes the state and sets the parameters. */
void blm_ols_init(BlmOls *o, int n, double lambda, double nu, double esum_add, int weighting);
/* The prediction of x[0..n) (set by the caller), kept in pred. */
double blm_ols_predict(BlmOls *o);
/* Learns val for the inputs of the last prediction; solves every solve_interval. */
void blm_ols_update(BlmOls *o, double val, int solve_interval);

/* The float64 dot product of the normative order: four lanes over i mod 4, then
 * (l0 + l1) + (l2 + l3). n a multiple of 4. */
static inline double blm_dot4(const double *a, const double *b, int n)
{
    double l0 = 0, l1 = 0, l2 = 0, l3 = 0;
    for (int i = 0; i < n; i += 4) {
        l0 += a[i] * b[i];
        l1 += a[i + 1] * b[i + 1];
        l2 += a[i + 2] * b[i + 2];
        l3 += a[i + 3] * b[i + 3];
    }
    return (l0 + l1) + (l2 + l3);
}

#endif
