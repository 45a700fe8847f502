/*
 * libFuzzer target: the .blmm model loader (core/src/modelfile.c, model.c).
 * An input that ends with the SHA-256 of the rest is loaded as it is (the seeds
 * are the .blmm files of models/); any other is padded to 32 bytes and given its SHA-256, so
 * mutations reach the parser instead of stopping at the hash check. A model that loads must also run: a few positions through the
 * runner must give valid frequency tables (each >= 1, summing to 2^16), whatever
 * the weights are (NaN and infinities included).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "checksum.h"
#include "fuzz.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    uint8_t hash[32];
    size_t len = size;
    if (size < 32 || blm_sha256(data, size - 32, hash) < 0 || memcmp(hash, data + size - 32, 32))
        len = (size + 31) / 32 * 32 + 32;
    uint8_t *file = calloc(1, len);
    if (!file)
        return 0;
    if (size)
        memcpy(file, data, size);
    if (len != size)
        blm_sha256(file, len - 32, file + len - 32);
    BlmModel *m = NULL;
    if (blm_model_load_memory(file, len, &m) == 0) {
        const BlmModelParams *p = blm_model_params(m);
        BlmRunner *r = blm_runner_new(m, 4);
        if (r) {
            uint16_t tok[4] = {256, 0, 255, 17};
            uint8_t ph[4];
            uint32_t freqs[4][256];
            for (int i = 0; i < 4; i++)
                ph[i] = (uint8_t)(i % p->n_phase);
            blm_runner_forward(r, tok, ph, 4, freqs, NULL);
            for (int i = 0; i < 4; i++) {
                uint32_t sum = 0;
                for (int c = 0; c < 256; c++) {
                    FUZZ_ASSERT(freqs[i][c] >= 1);
                    sum += freqs[i][c];
                }
                FUZZ_ASSERT(sum == BLM_FREQ_TOTAL);
            }
            blm_runner_free(r);
        }
        blm_model_free(m);
    }
    free(file);
    return 0;
}
