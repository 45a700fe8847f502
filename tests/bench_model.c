/*
 * Model speed: positions per second through blm_runner_forward, calls of 1 (the
 * decoder) and of 64 (the encoder), at every SIMD level this CPU has.
 *
 * usage: bench_model [MODEL.blmm] [SECONDS_PER_CASE] [LEVEL: c|sse2|avx2|avx512]
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bytelm/bytelm.h"
#include "kernels.h"
#include "model.h"

#ifndef MODELS_DIR
#define MODELS_DIR "models"
#endif

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define SEQ 4096

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : MODELS_DIR "/test-small.blmm";
    double secs = argc > 2 ? atof(argv[2]) : 1.0;
    BlmModel *m;
    int err = blm_model_load_file(path, &m);
    if (err < 0) {
        fprintf(stderr, "%s: %s (%d)\n", path, bytelm_strerror(err), err);
        return 1;
    }
    const BlmModelParams *p = blm_model_params(m);
    printf("%s: d %d L %d H %d F %d W %d; default level %s\n", path, p->d_model, p->n_layer,
           p->n_head, p->d_ff, p->window, blm_kernels_name());

    static uint16_t tok[SEQ];
    static uint8_t ph[SEQ];
    static uint32_t freqs[64][256];
    uint32_t x = 1;
    for (int t = 0; t < SEQ; t++) {
        x = x * 1664525u + 1013904223u;
        tok[t] = t ? (uint16_t)(x >> 24) : 256;
        ph[t] = (uint8_t)(t % 2);
    }

    for (int level = 0; level < BLM_SIMD_COUNT; level++) {
        const BlmKernels *k = blm_kernels_get(level);
        if (!k || (argc > 3 && strcmp(argv[3], k->name)))
            continue;
        for (int n = 1; n <= 64; n *= 64) {
            BlmRunner *r = blm_runner_new(m, 64);
            blm_runner_set_kernels(r, k);
            long steps = 0;
            int t = 0;
            double t0 = now(), t1;
            do {
                for (int rep = 0; rep < 256 / n + 1; rep++) {
                    if (t + n > SEQ) {
                        blm_runner_reset(r);
                        t = 0;
                    }
                    blm_runner_forward(r, tok + t, ph + t, n, freqs, NULL);
                    t += n;
                    steps += n;
                }
                t1 = now();
            } while (t1 - t0 < secs);
            printf("%-7s n=%-3d %9.0f steps/s  (%.2f us/step)\n", k->name, n,
                   (double)steps / (t1 - t0), 1e6 * (t1 - t0) / (double)steps);
            blm_runner_free(r);
        }
    }
    blm_model_free(m);
    return 0;
}
