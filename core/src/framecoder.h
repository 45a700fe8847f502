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

#endif
