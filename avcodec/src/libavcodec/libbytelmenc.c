/*
 * bytelm lossless encoder (audio and images) through libbytelm
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

/*
 * Audio: one libbytelm stream for the whole track. The 76-byte stream header
 * is the extradata; each bytelm frame is a packet (pts = its first sample),
 * and the stream's trailer (seek table, MD5) is a last packet of duration 0
 * that decoders skip and the .blm muxer writes.
 * Images: each AVFrame is a stream of its own; the header (the same for every
 * frame of a given size) is the extradata and the packet holds the frames and
 * the trailer.
 */

#include <string.h>

#include "config.h"
#include "libavutil/internal.h"
#include "libavutil/mem.h"
#include "libavutil/opt.h"
#include "avcodec.h"
#include "codec_internal.h"
#include "encode.h"
#include "libbytelm.h"

#if HAVE_BIGENDIAN
#error "libbytelm takes little-endian samples"
#endif

typedef struct LibBytelmEncContext {
    const AVClass *class;
    BytelmEncoder *enc;
    BytelmSettings settings;
    AVFrame *frame;
    int64_t first_pts;
    int eof;
    uint8_t *buf;            /* interleaved samples / packed rows */
    unsigned buf_size;
    uint8_t *out;            /* an image's coded frames and trailer */
    unsigned out_size;
    /* options */
    int preset;
    int frame_units;
    char *model;
    char *model_dir;
} LibBytelmEncContext;

static int set_extradata(AVCodecContext *avctx, const BytelmPacket *pkt)
{
    av_freep(&avctx->extradata);
    avctx->extradata = av_mallocz(pkt->size + AV_INPUT_BUFFER_PADDING_SIZE);
    if (!avctx->extradata)
        return AVERROR(ENOMEM);
    memcpy(avctx->extradata, pkt->data, pkt->size);
    avctx->extradata_size = pkt->size;
    return 0;
}

/* Opens the library encoder; takes the header packet as extradata. */
static int open_encoder(AVCodecContext *avctx)
{
    LibBytelmEncContext *s = avctx->priv_data;
    BytelmPacket pkt;
    int ret;

    ret = bytelm_encoder_open(&s->enc, &s->settings);
    if (ret < 0)
        return ff_bytelm_error(avctx, ret, "cannot open the encoder");
    ret = bytelm_encoder_pull_packet(s->enc, &pkt);
    if (ret < 0 || pkt.type != BYTELM_PACKET_HEADER)
        return ff_bytelm_error(avctx, ret < 0 ? ret : BYTELM_ESTATE, "no stream header");
    return set_extradata(avctx, &pkt);
}

static void common_settings(AVCodecContext *avctx)
{
    LibBytelmEncContext *s = avctx->priv_data;

    ff_bytelm_settings(avctx, &s->settings, s->model, s->model_dir);
    s->settings.preset      = s->preset;
    s->settings.frame_units = s->frame_units;
}

static av_cold int libbytelm_audio_init(AVCodecContext *avctx)
{
    LibBytelmEncContext *s = avctx->priv_data;
    int channels = avctx->ch_layout.nb_channels;

    if (channels < 1 || channels > BYTELM_MAX_CHANNELS) {
        av_log(avctx, AV_LOG_ERROR, "%d channels: bytelm codes 1 to %d\n",
               channels, BYTELM_MAX_CHANNELS);
        return AVERROR(EINVAL);
    }
    common_settings(avctx);
    s->settings.kind         = BYTELM_KIND_PCM_S16LE;
    s->settings.source       = BYTELM_SOURCE_WAV;
    s->settings.sample_rate  = avctx->sample_rate;
    s->settings.channels     = channels;
    s->settings.channel_mask = ff_bytelm_layout_to_mask(&avctx->ch_layout);
    s->settings.total_units  = BYTELM_UNKNOWN_LENGTH;
    s->first_pts             = AV_NOPTS_VALUE;
    avctx->frame_size        = 0;
    avctx->bits_per_raw_sample = 16;

    if (!(s->frame = av_frame_alloc()))
        return AVERROR(ENOMEM);
    return open_encoder(avctx);
}

static int push_audio(AVCodecContext *avctx, const AVFrame *frame)
{
    LibBytelmEncContext *s = avctx->priv_data;
    int channels = frame->ch_layout.nb_channels;
    size_t size = (size_t)frame->nb_samples * channels * 2;
    const uint8_t *data = frame->extended_data[0];
    int ret;

    if (frame->format == AV_SAMPLE_FMT_S16P && channels > 1) {
        av_fast_malloc(&s->buf, &s->buf_size, size);
        if (!s->buf)
            return AVERROR(ENOMEM);
        for (int c = 0; c < channels; c++) {
            const int16_t *src = (const int16_t *)frame->extended_data[c];
            int16_t *dst = (int16_t *)s->buf + c;
            for (int i = 0; i < frame->nb_samples; i++)
                dst[i * channels] = src[i];
        }
        data = s->buf;
    }
    ret = bytelm_encoder_push(s->enc, data, size);
    return ret < 0 ? ff_bytelm_error(avctx, ret, "encoding failed") : 0;
}

static int libbytelm_audio_receive_packet(AVCodecContext *avctx, AVPacket *avpkt)
{
    LibBytelmEncContext *s = avctx->priv_data;
    AVRational unit_tb = { 1, avctx->sample_rate };
    BytelmPacket pkt;
    int ret;

    for (;;) {
        ret = bytelm_encoder_pull_packet(s->enc, &pkt);
        if (ret == 0)
            break;
        if (ret != BYTELM_EAGAIN)
            return ff_bytelm_error(avctx, ret, "encoding failed");
        if (s->eof)
            return AVERROR_EOF;
        ret = ff_encode_get_frame(avctx, s->frame);
        if (ret == AVERROR_EOF) {
            s->eof = 1;
            ret = bytelm_encoder_finish(s->enc);
            if (ret < 0)
                return ff_bytelm_error(avctx, ret, "encoding failed");
            continue;
        }
        if (ret < 0)
            return ret;
        if (s->first_pts == AV_NOPTS_VALUE)
            s->first_pts = s->frame->pts != AV_NOPTS_VALUE ? s->frame->pts : 0;
        ret = push_audio(avctx, s->frame);
        av_frame_unref(s->frame);
        if (ret < 0)
            return ret;
    }

    if ((ret = ff_get_encode_buffer(avctx, avpkt, pkt.size, 0)) < 0)
        return ret;
    memcpy(avpkt->data, pkt.data, pkt.size);
    avpkt->flags |= AV_PKT_FLAG_KEY;
    if (s->first_pts == AV_NOPTS_VALUE)
        s->first_pts = 0;
    if (pkt.type == BYTELM_PACKET_FRAME) {
        avpkt->pts      = s->first_pts + av_rescale_q(pkt.first_unit, unit_tb, avctx->time_base);
        avpkt->duration = av_rescale_q(pkt.n_units, unit_tb, avctx->time_base);
    } else { /* trailer: after the last sample */
        uint64_t in_bytes;
        bytelm_encoder_stats(s->enc, &in_bytes, NULL);
        avpkt->pts      = s->first_pts + av_rescale_q(in_bytes / (2 * s->settings.channels),
                                                      unit_tb, avctx->time_base);
        avpkt->duration = 0;
    }
    avpkt->dts = avpkt->pts;
    return 0;
}

static av_cold int libbytelm_video_init(AVCodecContext *avctx)
{
    LibBytelmEncContext *s = avctx->priv_data;
    int ret;

    common_settings(avctx);
    s->settings.kind   = ff_bytelm_pix_fmt_to_kind(avctx->pix_fmt);
    s->settings.source = BYTELM_SOURCE_PNG;
    s->settings.width  = avctx->width;
    s->settings.height = avctx->height;
    if (avctx->width > BYTELM_MAX_IMAGE_SIDE || avctx->height > BYTELM_MAX_IMAGE_SIDE) {
        av_log(avctx, AV_LOG_ERROR, "%dx%d: bytelm codes images up to %dx%d\n",
               avctx->width, avctx->height, BYTELM_MAX_IMAGE_SIDE, BYTELM_MAX_IMAGE_SIDE);
        return AVERROR(EINVAL);
    }
    avctx->bits_per_raw_sample = 8 * bytelm_kind_sample_bytes(s->settings.kind);

    /* The header of every frame's stream is the same: keep it as extradata. */
    ret = open_encoder(avctx);
    bytelm_encoder_close(&s->enc);
    return ret;
}

static int libbytelm_video_encode(AVCodecContext *avctx, AVPacket *avpkt,
                                  const AVFrame *frame, int *got_packet)
{
    LibBytelmEncContext *s = avctx->priv_data;
    /* The rows packed: linesize may pad them. */
    size_t row = (size_t)avctx->width * bytelm_kind_planes(s->settings.kind) *
                 bytelm_kind_sample_bytes(s->settings.kind);
    size_t size = row * avctx->height, out_size = 0;
    BytelmPacket pkt;
    int ret;

    av_fast_malloc(&s->buf, &s->buf_size, size);
    if (!s->buf)
        return AVERROR(ENOMEM);
    for (int y = 0; y < avctx->height; y++)
        memcpy(s->buf + y * row, frame->data[0] + y * frame->linesize[0], row);

    ret = bytelm_encoder_open(&s->enc, &s->settings);
    if (ret >= 0)
        ret = bytelm_encoder_push(s->enc, s->buf, size);
    if (ret >= 0)
        ret = bytelm_encoder_finish(s->enc);
    if (ret < 0)
        goto fail;

    /* Everything after the header, the trailer included, is the packet. */
    while ((ret = bytelm_encoder_pull_packet(s->enc, &pkt)) == 0) {
        uint8_t *out;
        if (pkt.type == BYTELM_PACKET_HEADER)
            continue;
        out = av_fast_realloc(s->out, &s->out_size, out_size + pkt.size);
        if (!out) {
            ret = AVERROR(ENOMEM);
            goto end;
        }
        s->out = out;
        memcpy(s->out + out_size, pkt.data, pkt.size);
        out_size += pkt.size;
    }
    if (ret != BYTELM_EAGAIN)
        goto fail;
    if ((ret = ff_get_encode_buffer(avctx, avpkt, out_size, 0)) < 0)
        goto end;
    memcpy(avpkt->data, s->out, out_size);
    avpkt->flags |= AV_PKT_FLAG_KEY;
    *got_packet = 1;
    ret = 0;
    goto end;
fail:
    ret = ff_bytelm_error(avctx, ret, "encoding failed");
end:
    bytelm_encoder_close(&s->enc);
    return ret;
}

static av_cold int libbytelm_encode_close(AVCodecContext *avctx)
{
    LibBytelmEncContext *s = avctx->priv_data;

    bytelm_encoder_close(&s->enc);
    av_frame_free(&s->frame);
    av_freep(&s->buf);
    av_freep(&s->out);
    return 0;
}

#define OFFSET(x) offsetof(LibBytelmEncContext, x)
#define AFLAGS (AV_OPT_FLAG_ENCODING_PARAM | AV_OPT_FLAG_AUDIO_PARAM)
#define VFLAGS (AV_OPT_FLAG_ENCODING_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
/* The options of both encoders but frame_units, whose unit differs. */
#define COMMON_OPTIONS(flags)                                                              \
    { "preset", "model and effort", OFFSET(preset), AV_OPT_TYPE_INT,                        \
      { .i64 = BYTELM_PRESET_DEFAULT }, BYTELM_PRESET_FAST, BYTELM_PRESET_MAX, flags, "preset" }, \
        { "fast",    NULL, 0, AV_OPT_TYPE_CONST, { .i64 = BYTELM_PRESET_FAST },    0, 0, flags, "preset" }, \
        { "default", NULL, 0, AV_OPT_TYPE_CONST, { .i64 = BYTELM_PRESET_DEFAULT }, 0, 0, flags, "preset" }, \
        { "max",     NULL, 0, AV_OPT_TYPE_CONST, { .i64 = BYTELM_PRESET_MAX },     0, 0, flags, "preset" }, \
    { "model", "a .blmm model file to use instead of the preset's", OFFSET(model),          \
      AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, flags },                                   \
    { "model_dir", "extra directory searched for models", OFFSET(model_dir),                \
      AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, flags }

static const AVOption audio_options[] = {
    COMMON_OPTIONS(AFLAGS),
    { "frame_units", "samples per channel per bytelm frame, 0 = the library's default "
      "(131072 for mono and stereo, 524288 with preset max, else 128 KiB of PCM)",
      OFFSET(frame_units), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, INT_MAX, AFLAGS },
    { NULL },
};

static const AVOption video_options[] = {
    COMMON_OPTIONS(VFLAGS),
    { "frame_units", "image rows per bytelm frame, 0 = the library's default (about 1 MiB of pixels)",
      OFFSET(frame_units), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, INT_MAX, VFLAGS },
    { NULL },
};

static const AVClass libbytelm_audio_class = {
    .class_name = "libbytelm",
    .item_name  = av_default_item_name,
    .option     = audio_options,
    .version    = LIBAVUTIL_VERSION_INT,
};

static const AVClass libbytelm_video_class = {
    .class_name = "libbytelm_video",
    .item_name  = av_default_item_name,
    .option     = video_options,
    .version    = LIBAVUTIL_VERSION_INT,
};

const FFCodec ff_libbytelm_encoder = {
    .p.name          = "libbytelm",
    .p.long_name     = NULL_IF_CONFIG_SMALL("libbytelm lossless audio"),
    .p.type          = AVMEDIA_TYPE_AUDIO,
    .p.id            = AV_CODEC_ID_BYTELM,
    .priv_data_size  = sizeof(LibBytelmEncContext),
    .init            = libbytelm_audio_init,
    FF_CODEC_RECEIVE_PACKET_CB(libbytelm_audio_receive_packet),
    .close           = libbytelm_encode_close,
    .p.capabilities  = AV_CODEC_CAP_DELAY | AV_CODEC_CAP_VARIABLE_FRAME_SIZE |
                       AV_CODEC_CAP_OTHER_THREADS | AV_CODEC_CAP_DR1,
    .caps_internal   = FF_CODEC_CAP_INIT_CLEANUP | FF_CODEC_CAP_AUTO_THREADS,
    .p.sample_fmts   = (const enum AVSampleFormat[]){ AV_SAMPLE_FMT_S16, AV_SAMPLE_FMT_S16P,
                                                      AV_SAMPLE_FMT_NONE },
    .p.priv_class    = &libbytelm_audio_class,
    .p.wrapper_name  = "libbytelm",
};

const FFCodec ff_libbytelm_video_encoder = {
    .p.name          = "libbytelm_video",
    .p.long_name     = NULL_IF_CONFIG_SMALL("libbytelm lossless image"),
    .p.type          = AVMEDIA_TYPE_VIDEO,
    .p.id            = AV_CODEC_ID_BYTELM_VIDEO,
    .priv_data_size  = sizeof(LibBytelmEncContext),
    .init            = libbytelm_video_init,
    FF_CODEC_ENCODE_CB(libbytelm_video_encode),
    .close           = libbytelm_encode_close,
    .p.capabilities  = AV_CODEC_CAP_OTHER_THREADS | AV_CODEC_CAP_DR1,
    .caps_internal   = FF_CODEC_CAP_INIT_CLEANUP | FF_CODEC_CAP_AUTO_THREADS,
    .p.pix_fmts      = (const enum AVPixelFormat[]){ AV_PIX_FMT_GRAY8, AV_PIX_FMT_RGB24,
                                                     AV_PIX_FMT_YA8, AV_PIX_FMT_RGBA,
                                                     AV_PIX_FMT_GRAY16LE, AV_PIX_FMT_YA16LE,
                                                     AV_PIX_FMT_RGB48LE, AV_PIX_FMT_RGBA64LE,
                                                     AV_PIX_FMT_NONE },
    .p.priv_class    = &libbytelm_video_class,
    .p.wrapper_name  = "libbytelm",
};
