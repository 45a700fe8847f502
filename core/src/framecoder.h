/*
 * Coding of one frame: pre-transform, model + range coder, and the fallback
 * modes (stored, FLAC), keeping the smallest. One BlmFrameCoder per thread.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_FRAMECODER_H
#define BYTELM_FRAMECODER_H

#include "rangecoder.h"
#include "format.h"
#include "model.h"

typedef struct BlmFrameCoder BlmFrameCoder;

/* model may be NULL: frames are then stored or FLAC-coded. */
BlmFrameCoder *blm_frame_coder_new(const BlmHeader *h, const BlmModel *model);
void blm_frame_coder_free(BlmFrameCoder *fc);

/* Tests only: code frames in this mode (BLM_MODE_*) even when another is smaller, so
 * that every mode's path can be pinned by golden vectors; -1 restores the normal
 * choice. blm_frame_encode then fails with BYTELM_EINVAL if the mode cannot apply. */
void blm_frame_coder_force_mode(BlmFrameCoder *fc, int mode);

/* Appends the whole coded frame (header, payload, CRC) to out. */
int blm_frame_encode(BlmFrameCoder *fc, const uint8_t *raw, uint32_t n_units, uint32_t index,
                     BlmBuf *out);
/* Decodes a parsed frame into raw (fh->n_units units). EDESYNC, EFORMAT, ENOMODEL. */
int blm_frame_decode(BlmFrameCoder *fc, const BlmFrameHeader *fh, const uint8_t *payload,
                     uint8_t *raw);

/* Model frames decoded side by side by blm_frame_decode_many: each step runs the
 * model once for one position of each (blm_runner_forward_multi), an 8-row matrix
 * product instead of 8 matrix-vector products. Each lane holds its own KV cache
 * (n_layer * 2 * d_model * (2 * window + 8) floats), made on first use; with a long
 * window those caches, not the weights, become the memory traffic that limits the
 * gain. */
#define BLM_DECODE_LANES 8
/* Of which at most this many hold frames of BLM_MODE_MIX, whose mixer state (about
 * 29 MiB, mixmodel.h) would otherwise make 8 lanes cost 230 MiB per thread. */
#define BLM_MIX_LANES 2

/* One frame for blm_frame_decode_many: fh, payload and raw as for blm_frame_decode,
 * ret receives what blm_frame_decode would have returned. */
typedef struct BlmFrameTask {
    const BlmFrameHeader *fh;
    const uint8_t *payload;
    uint8_t *raw;
    int ret;
} BlmFrameTask;

/* Decodes n frames with the same results, bit for bit and code for code, as
 * blm_frame_decode on each in turn. Model frames take a lane as one frees up
 * (frames of different lengths leave when done); other frames are decoded when
 * their turn comes. A failing frame does not stop the others. */
void blm_frame_decode_many(BlmFrameCoder *fc, BlmFrameTask *tasks, int n);

#endif
