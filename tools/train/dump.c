/*
 * bytelm-train-dump: the trainer's forward and backward pass on one given batch, written to a
 * file, so that another implementation (the PyTorch twin, tools/train/torch/) can be checked
 * against it (tests/test_torch_twin.py).
 *
 *   bytelm-train-dump CKPT BATCH OUT [EXPORT.blmm]
 *
 * CKPT: a bytelm-train checkpoint (only the shape and the parameters are used).
 * BATCH: little-endian "BLMB", u32 B, u32 T, then int32 tokens[B][T], phases[B][T],
 *        targets[B][T] (-1 = not scored).
 * OUT: little-endian "BLMD", u32 B, u32 T, u64 n_params, f64 mean loss (nats),
 *      f64 losses[B][T] (0 where not scored), f64 probabilities[B][T][256],
 *      f64 gradients[n_params] in the checkpoint's parameter order.
 * EXPORT: also writes the parameters as a .blmm with the trainer's exporter.
 *
 * Built with real = double (-DBLM_TRAIN_DOUBLE) so that a comparison can be tight; the float
 * trainer runs the same code.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "export.h"
#include "model.h"

static int read_u32(FILE *f, uint32_t *v)
{
    uint8_t b[4];
    if (fread(b, 1, 4, f) != 4) return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

static void bb_f64(ByteBuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    bb_u64(b, u);
}

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: bytelm-train-dump CKPT BATCH OUT [EXPORT.blmm]\n");
        return 2;
    }
    TrainModel m;
    TrainHyper h;
    TrainProgress p;
    if (checkpoint_load(argv[1], &m, &h, &p)) return 1;

    FILE *f = fopen(argv[2], "rb");
    char magic[4];
    uint32_t B = 0, T = 0;
    if (!f || fread(magic, 1, 4, f) != 4 || memcmp(magic, "BLMB", 4) || read_u32(f, &B) ||
        read_u32(f, &T) || B < 1 || T < 1 || (uint64_t)B * T > (1u << 24)) {
        fprintf(stderr, "bytelm-train-dump: %s: not a batch file\n", argv[2]);
        return 1;
    }
    size_t n = (size_t)B * T;
    int32_t *tok = malloc(3 * n * sizeof(int32_t)), *ph = tok + n, *tgt = ph + n;
    for (size_t i = 0; tok && i < 3 * n; i++) {
        uint32_t v;
        if (read_u32(f, &v)) {
            fprintf(stderr, "bytelm-train-dump: %s: truncated\n", argv[2]);
            return 1;
        }
        tok[i] = (int32_t)v;
    }
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        if (tok[i] < 0 || tok[i] > TM_BOS || ph[i] < 0 || ph[i] >= TM_N_PHASE || tgt[i] < -1 ||
            tgt[i] > 255) {
            fprintf(stderr, "bytelm-train-dump: %s: value out of range at %zu\n", argv[2], i);
            return 1;
        }
    }

    double loss = tm_forward(&m, tok, ph, tgt, (int)B, (int)T);
    tm_zero_grad(&m);
    tm_backward(&m, tok, ph);

    ByteBuf b = { 0 };
    bb_bytes(&b, "BLMD", 4);
    bb_u32(&b, B);
    bb_u32(&b, T);
    bb_u64(&b, m.n_params);
    bb_f64(&b, loss);
    for (size_t i = 0; i < n; i++) bb_f64(&b, m.acts.losses[i]);
    for (size_t i = 0; i < n * TM_VOCAB_OUT; i++) bb_f64(&b, m.acts.logits[i]); /* probabilities */
    for (size_t i = 0; i < m.n_params; i++) bb_f64(&b, m.grads_mem[i]);
    int r = bb_write_atomic(&b, argv[3]);
    free(b.p);
    if (!r && argc == 5) {
        ExportMeta meta = { "dump", "test", "exported by bytelm-train-dump", 0 };
        r = export_blmm(&m, &meta, argv[4], NULL);
    }
    free(tok);
    tm_free(&m);
    return r ? 1 : 0;
}
