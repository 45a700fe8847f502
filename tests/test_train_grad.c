/*
 * Gradient check of the trainer (tools/train/): every parameter tensor's analytic gradient
 * against central finite differences, in double precision (model.c built with
 * -DBLM_TRAIN_DOUBLE), on a tiny model (d=16, L=2, H=2, F=32, W=8, T=20).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>

#include "gradcheck.h"

int main(void)
{
    int passed = 0;
    int failed = tm_gradcheck(1, &passed);
    if (failed < 0) {
        printf("train_grad: out of memory\n");
        return 1;
    }
    printf("train_grad: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
