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

#include <string.h>

#include "libavutil/common.h"
#include "libavutil/error.h"
#include "libavutil/log.h"
#include "libbytelm.h"

int ff_bytelm_error(void *log_ctx, int err, const char *what)
{
    int ret;

    switch (err) {
    case BYTELM_OK:           return 0;
    case BYTELM_EAGAIN:       return AVERROR(EAGAIN);
    case BYTELM_ENOMEM:       ret = AVERROR(ENOMEM);        break;
    case BYTELM_EINVAL:
    case BYTELM_ESTATE:       ret = AVERROR(EINVAL);        break;
    case BYTELM_EIO:          ret = AVERROR(EIO);           break;
    case BYTELM_ENOMODEL:     ret = AVERROR(ENOENT);        break;
    case BYTELM_EVERSION:
    case BYTELM_EUNSUPPORTED: ret = AVERROR_PATCHWELCOME;   break;
    default:                  ret = AVERROR_INVALIDDATA;    break;
    }
    av_log(log_ctx, AV_LOG_ERROR, "%s: %s\n", what, bytelm_strerror(err));
    return ret;
}

void ff_bytelm_log(void *opaque, int level, const char *msg)
{
    static const int levels[] = {
        [BYTELM_LOG_ERROR]   = AV_LOG_ERROR,
        [BYTELM_LOG_WARNING] = AV_LOG_WARNING,
        [BYTELM_LOG_INFO]    = AV_LOG_VERBOSE,
        [BYTELM_LOG_DEBUG]   = AV_LOG_DEBUG,
    };
    int av_level = level >= 0 && level <= BYTELM_LOG_DEBUG ? levels[level] : AV_LOG_DEBUG;

    av_log(opaque, av_level, "%s\n", msg);
}

void ff_bytelm_settings(AVCodecContext *avctx, BytelmSettings *s,
                        const char *model, const char *model_dir)
{
    bytelm_default_settings(s);
    s->threads      = avctx->thread_count;
    s->model_path   = model;
    s->model_dir    = model_dir;
    s->log_callback = ff_bytelm_log;
    s->log_opaque   = avctx;
    s->log_level    = BYTELM_LOG_DEBUG;
}

uint32_t ff_bytelm_layout_to_mask(const AVChannelLayout *layout)
{
    if (layout->order != AV_CHANNEL_ORDER_NATIVE || layout->nb_channels < 2 ||
        layout->u.mask & ~FF_BYTELM_WAVE_MASK)
        return 0;
    return (uint32_t)layout->u.mask;
}

int ff_bytelm_mask_to_layout(AVChannelLayout *layout, int channels, uint32_t mask)
{
    av_channel_layout_uninit(layout);
    if (mask && av_popcount(mask) == channels)
        return av_channel_layout_from_mask(layout, mask);
    if (channels <= 2) {
        av_channel_layout_default(layout, channels);
        return 0;
    }
    layout->order       = AV_CHANNEL_ORDER_UNSPEC;
    layout->nb_channels = channels;
    return 0;
}

/* Packed formats only: a row of the frame is a unit of the stream. */
static const struct {
    BytelmKind kind;
    enum AVPixelFormat pix_fmt;
} image_kinds[] = {
    { BYTELM_KIND_GRAY8,     AV_PIX_FMT_GRAY8    },
    { BYTELM_KIND_RGB24,     AV_PIX_FMT_RGB24    },
    { BYTELM_KIND_GRAYA8,    AV_PIX_FMT_YA8      },
    { BYTELM_KIND_RGBA32,    AV_PIX_FMT_RGBA     },
    { BYTELM_KIND_GRAY16LE,  AV_PIX_FMT_GRAY16LE },
    { BYTELM_KIND_GRAYA16LE, AV_PIX_FMT_YA16LE   },
    { BYTELM_KIND_RGB48LE,   AV_PIX_FMT_RGB48LE  },
    { BYTELM_KIND_RGBA64LE,  AV_PIX_FMT_RGBA64LE },
};

enum AVPixelFormat ff_bytelm_kind_to_pix_fmt(BytelmKind kind)
{
    for (int i = 0; i < FF_ARRAY_ELEMS(image_kinds); i++)
        if (image_kinds[i].kind == kind)
            return image_kinds[i].pix_fmt;
    return AV_PIX_FMT_NONE;
}

BytelmKind ff_bytelm_pix_fmt_to_kind(enum AVPixelFormat pix_fmt)
{
    for (int i = 0; i < FF_ARRAY_ELEMS(image_kinds); i++)
        if (image_kinds[i].pix_fmt == pix_fmt)
            return image_kinds[i].kind;
    return BYTELM_KIND_BYTES;
}
