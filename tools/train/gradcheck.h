/*
 * bytelm-train: analytic gradients against central finite differences on a tiny model.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_GRADCHECK_H
#define BYTELM_TRAIN_GRADCHECK_H

/* Checks every parameter tensor (each layer's separately) of a model with d=16, L=2, H=2,
 * F=32, W=8, T=20, B=2 and prints one line per tensor.
 * Built with real = double (-DBLM_TRAIN_DOUBLE), every element must satisfy
 * |analytic - numeric| <= 1e-7 + 1e-5 * max(|analytic|, |numeric|) (step 1e-5).
 * Built with real = float the test is per tensor:
 * ||analytic - numeric|| <= 1e-2 * max(||analytic||, ||numeric||) (step 1e-2).
 * Returns the number of tensors that failed; *n_passed receives the number that passed. */
int tm_gradcheck(int verbose, int *n_passed);

#endif
