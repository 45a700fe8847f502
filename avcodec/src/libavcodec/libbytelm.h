/*
 * bytelm (libbytelm) common code for the encoder and decoder wrappers
 *
 * This file is part of FFmpeg.
 *
 * FFmpeg is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * FFmpeg is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with FFmpeg; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA
 */

#ifndef AVCODEC_LIBBYTELM_H
#define AVCODEC_LIBBYTELM_H

#include <stdint.h>

#include <bytelm/bytelm.h>

#include "libavutil/channel_layout.h"
#include "libavutil/pixfmt.h"
#include "avcodec.h"

/* Speaker bits shared by WAVE_FORMAT_EXTENSIBLE and AV_CH_*: FL .. TBR. */
#define FF_BYTELM_WAVE_MASK 0x3FFFFULL

/* Maps a BYTELM_E* code to an AVERROR, logging it with what failed. */
int ff_bytelm_error(void *log_ctx, int err, const char *what);

/* Log callback for BytelmSettings.log_callback; opaque is the AVCodecContext. */
void ff_bytelm_log(void *opaque, int level, const char *msg);

/* Fills the settings every wrapper shares: log, threads, model. */
void ff_bytelm_settings(AVCodecContext *avctx, BytelmSettings *s,
                        const char *model, const char *model_dir);

/* The WAVE channel mask for a layout, 0 if it has none (mono, unordered,
 * or speakers that WAVE cannot name). */
uint32_t ff_bytelm_layout_to_mask(const AVChannelLayout *layout);

/* The layout for a stream's channel count and WAVE mask. */
int ff_bytelm_mask_to_layout(AVChannelLayout *layout, int channels, uint32_t mask);

/* The pixel format with an image kind's samples in the same order and byte order,
 * AV_PIX_FMT_NONE for other kinds; and the inverse, BYTELM_KIND_BYTES for formats
 * that bytelm does not code. */
enum AVPixelFormat ff_bytelm_kind_to_pix_fmt(BytelmKind kind);
BytelmKind ff_bytelm_pix_fmt_to_kind(enum AVPixelFormat pix_fmt);

#endif /* AVCODEC_LIBBYTELM_H */
