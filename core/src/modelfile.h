/*
 * Parsing the .blmm weights file of docs/MODEL.md §5 (modelfile.c); model.c turns
 * the result into a runnable model.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MODELFILE_H
#define BYTELM_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Limits of docs/MODEL.md §5 (and the u8 phase of model.h). */
#define BLM_MAX_D 1024
#define BLM_MAX_F 4096
#define BLM_MAX_LAYERS 32
#define BLM_MAX_WINDOW 4096
#define BLM_MAX_PHASES 256
/* The largest file the limits allow is about 2.2 GB; anything longer is refused
 * before it is read. */
#define BLM_MAX_FILE_BYTES ((uint64_t)5 << 29)

/* Tensor ids: the global ones, then BLM_TL_COUNT per layer. */
enum { BLM_T_TOK_EMB, BLM_T_PHASE_EMB, BLM_T_OUT_NORM, BLM_T_OUT_W, BLM_T_OUT_B, BLM_T_GLOBAL };
enum {
    BLM_TL_ATTN_NORM, BLM_TL_WQ, BLM_TL_WK, BLM_TL_WV, BLM_TL_WO, BLM_TL_REL_BIAS,
    BLM_TL_FFN_NORM, BLM_TL_W1, BLM_TL_W2, BLM_TL_COUNT
};
#define BLM_TENSOR_ID(layer, kind) (BLM_T_GLOBAL + (layer) * BLM_TL_COUNT + (kind))
#define BLM_MAX_TENSORS BLM_TENSOR_ID(BLM_MAX_LAYERS, 0)

typedef struct BlmModelFile {
    BlmModelParams p;
    uint8_t hash[32];
    /* Start of each tensor's data inside the parsed buffer: little-endian float32,
     * not necessarily aligned, shape already checked. */
    const uint8_t *tensor[BLM_MAX_TENSORS];
    size_t n_floats[BLM_MAX_TENSORS];
} BlmModelFile;

/* Checks everything (hash, metadata, tensor table, shapes, bounds) without
 * allocating. 0, BYTELM_EMODEL or BYTELM_EVERSION. */
int blm_modelfile_parse(const uint8_t *buf, size_t len, BlmModelFile *mf);

/* Reads a whole file into a g_malloc'ed buffer (freed with g_free).
 * 0, BYTELM_EIO, BYTELM_ENOMEM or BYTELM_EMODEL (over the size limit). */
int blm_modelfile_read(const char *path, uint8_t **buf, size_t *len);

#endif
