/*
 * Tests of the trainer (tools/train/), built with real = double (-DBLM_TRAIN_DOUBLE):
 *  - every parameter tensor's analytic gradient against central finite differences on a tiny
 *    model (d=16, L=2, H=2, F=32, W=8, T=20), each element within
 *    1e-7 + 1e-5 * max(|analytic|, |numeric|);
 *  - the dev-eval path (frames from a cold start, chunks of 256 positions through a sliding
 *    KV cache) against the training forward pass on the same sequences, within 1e-9 relative.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "eval.h"
#include "gradcheck.h"
#include "model.h"

/* Sum of -log2 p over `len` bytes cut into frames of `frame`, by the training forward pass
 * (one sequence per frame, BOS first, phase t mod period from the frame start). */
static double train_path_bits(TrainModel *m, const uint8_t *x, int len, int frame, int period)
{
    double bits = 0;
    for (int f0 = 0; f0 < len; f0 += frame) {
        int n = len - f0 < frame ? len - f0 : frame;
        int32_t *tok = malloc((size_t)n * sizeof(int32_t)), *ph = malloc((size_t)n * sizeof(int32_t));
        int32_t *tgt = malloc((size_t)n * sizeof(int32_t));
        for (int t = 0; t < n; t++) {
            tok[t] = t == 0 ? TM_BOS : x[f0 + t - 1];
            ph[t] = t % period;
            tgt[t] = x[f0 + t];
        }
        bits += tm_forward(m, tok, ph, tgt, 1, n) * n / log(2.0);
        free(tok);
        free(ph);
        free(tgt);
    }
    return bits;
}

static int check_eval(int *passed, int *failed)
{
    const TrainModelConfig cfg = { .n_layer = 2, .d_model = 16, .n_head = 2, .d_ff = 32,
                                   .window = 8, .norm_eps = 1e-5f };
    TrainModel m;
    if (tm_init(&m, &cfg)) return -1;
    uint64_t rng = 12345;
    tm_init_params(&m, &rng);
    for (size_t i = 0; i < m.n_params; i++) m.params_mem[i] *= 4; /* sharper predictions */

    enum { LEN = 700 };
    static uint8_t bytes[LEN];
    for (int i = 0; i < LEN; i++) bytes[i] = (uint8_t)((i * 37 + (i / 5) * 11) & 0xff);
    DataFile file = { .path = "synthetic", .bytes = bytes, .len = LEN, .period = 3, .group = 0 };
    DataSet ds;
    memset(&ds, 0, sizeof ds);
    ds.files = &file;
    ds.n_files = 1;
    ds.n_groups = 1;
    snprintf(ds.groups[0].name, sizeof ds.groups[0].name, "synthetic");

    const int frames[2] = { 600, 20 }; /* 600: chunk boundaries at 256 and 512 */
    for (int i = 0; i < 2; i++) {
        EvalResult res;
        if (eval_dataset(&m, &ds, (size_t)frames[i], 0, &res)) return -1;
        double ref = train_path_bits(&m, bytes, LEN, frames[i], 3);
        double rel = fabs(res.total_bits - ref) / ref;
        int ok = rel < 1e-9 && res.total_bytes == LEN;
        printf("eval frame %-4d  %.9f bits/byte (eval path)  %.9f (training path)  rel %.2e  %s\n",
               frames[i], res.total_bits / LEN, ref / LEN, rel, ok ? "ok" : "FAIL");
        if (ok) ++*passed;
        else ++*failed;
    }
    tm_free(&m);
    return 0;
}

int main(void)
{
    int passed = 0;
    int failed = tm_gradcheck(1, &passed);
    if (failed < 0 || check_eval(&passed, &failed)) {
        printf("train_grad: out of memory\n");
        return 1;
    }
    printf("train_grad: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
