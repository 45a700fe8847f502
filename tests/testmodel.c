/*
 * The golden test model (models/test-golden.blmm) for tests that drive the frame
 * coder directly. Apart from testutil.c so that tests without the library's internals
 * can still link testutil.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "model.h"
#include "testutil.h"

struct BlmModel *test_golden_model(struct BlmHeader *h)
{
    BlmModel *model = NULL;
    if (blm_model_load_file(MODELS_DIR "/test-golden.blmm", &model) < 0) {
        fprintf(stderr, "cannot load %s\n", MODELS_DIR "/test-golden.blmm");
        return NULL;
    }
    memcpy(h->model_hash, blm_model_hash(model), 32);
    return model;
}
