/*
 * The OLS stage's solve (core/src/ols.c) against the plain row-by-row Cholesky of
 * docs/MODEL.md §9, written out here as the reference: the library computes the
 * entries in another order, for speed, and must give the same weights to the bit,
 * for every size, on data that exercises both well- and ill-conditioned systems and
 * the kept weights of a matrix that is not positive definite.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fpenv.h"
#include "ols.h"
#include "testutil.h"

static int passes, failures;

/* The normative order: row by row, each entry's sum over k ascending. */
static void reference_solve(const BlmOls *o, double *w)
{
    const int n = o->n;
    double g[BLM_OLS_MAX * BLM_OLS_MAX], y[BLM_OLS_MAX];
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
            return; /* w keeps its old values */
        g[i * BLM_OLS_MAX + i] = sqrt(sum);
    }
    for (int i = 0; i < n; i++) {
        double sum = o->b[i];
        for (int k = 0; k < i; k++)
            sum -= g[i * BLM_OLS_MAX + k] * y[k];
        y[i] = sum / g[i * BLM_OLS_MAX + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double sum = y[i];
        for (int k = i + 1; k < n; k++)
            sum -= g[k * BLM_OLS_MAX + i] * w[k];
        w[i] = sum / g[i * BLM_OLS_MAX + i];
    }
}

/* n inputs of a signal with some structure (so that the system is far from
 * diagonal), `steps` updates solving each time; every solve checked. */
static void run(int n, double nu, int steps, int zeros, unsigned seed)
{
    const unsigned csr = blm_fp_enter();
    static BlmOls o;
    blm_ols_init(&o, n, 0.998, nu, 0.5, BLM_OLS_WEIGHT_POW34);
    uint64_t rng = seed;
    double hist[BLM_OLS_MAX + 1] = {0};
    int same = 1, solved = 0;
    for (int t = 0; t < steps && same; t++) {
        for (int i = n; i > 0; i--)
            hist[i] = hist[i - 1];
        hist[0] = zeros ? 0 : 0.9 * hist[1] - 0.3 * hist[2] + (double)(int)(test_rand(&rng) % 2001) - 1000.0;
        memcpy(o.x, hist + 1, sizeof(double) * (size_t)n);
        blm_ols_predict(&o);
        double before[BLM_OLS_MAX], want[BLM_OLS_MAX];
        memcpy(before, o.w, sizeof before);
        blm_ols_update(&o, hist[0], 1);
        /* the reference, from the same r and b, starting from the same old weights */
        memcpy(want, before, sizeof want);
        reference_solve(&o, want);
        same = !memcmp(want, o.w, sizeof(double) * (size_t)n);
        solved += memcmp(before, o.w, sizeof(double) * (size_t)n) != 0;
    }
    blm_fp_restore(csr);
    CHECK(same, "n %d, nu %g%s: the weights differ from the reference", n, nu, zeros ? ", silence" : "");
    CHECK(zeros ? solved == 0 : solved > 0, "n %d%s: %d solves changed the weights", n,
          zeros ? ", silence" : "", solved);
}

int main(void)
{
    for (int n = 4; n <= BLM_OLS_MAX; n += 4) {
        run(n, 0.05, 300, 0, 11u + (unsigned)n);
        run(n, 0.005, 300, 0, 29u + (unsigned)n);
        run(n, 1e-9, 100, 1, 5u); /* silence: not positive definite, old weights kept */
    }
    printf("ols: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
