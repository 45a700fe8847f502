/*
 * bytelm-train: writing the weights file (.blmm) of docs/MODEL.md section 5, and small
 * helpers for little-endian files written atomically (shared with the checkpoints).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_EXPORT_H
#define BYTELM_TRAIN_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

typedef struct ByteBuf {
    uint8_t *p;
    size_t len, cap;
    int oom;
} ByteBuf;

void bb_bytes(ByteBuf *b, const void *data, size_t n);
void bb_u8(ByteBuf *b, uint8_t v);
void bb_u16(ByteBuf *b, uint16_t v);
void bb_u32(ByteBuf *b, uint32_t v);
void bb_u64(ByteBuf *b, uint64_t v);
void bb_f32(ByteBuf *b, float v);
void bb_zeros(ByteBuf *b, size_t n);
/* Writes the buffer to path.tmp, fsyncs, renames over path. 0, or -1 with a message. */
int bb_write_atomic(const ByteBuf *b, const char *path);

typedef struct ExportMeta {
    const char *name;
    const char *modality;
    const char *description;
    uint64_t train_bytes;
} ExportMeta;

/* Writes the model; hash_out (32 bytes, may be NULL) receives the model hash. 0 or -1. */
int export_blmm(const TrainModel *m, const ExportMeta *meta, const char *path,
                uint8_t hash_out[32]);

#endif
