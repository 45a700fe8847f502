/*
 * bytelm lossless decoder (audio and images) through libbytelm
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
 * The extradata is the 76-byte stream header. An audio packet is one bytelm
 * frame, or the stream's tags or trailer, which are skipped. An image packet is
 * all the frames of one image followed by its trailer (the tags, if any, first).
 * Packets are cut and checked with libbytelm's chunk parser. Every frame is decoded on
 * its own (bytelm_decoder_decode_frame), so any packet can come first, and
 * FFmpeg's frame threads decode several packets at once, each with its own
 * library decoder.
 */

#include <string.h>

#include "config.h"
#include "libavutil/internal.h"
#include "libavutil/opt.h"
#include "avcodec.h"
#include "codec_internal.h"
#include "decode.h"
#include "internal.h"
#include "libbytelm.h"
#include "thread.h"

#if HAVE_BIGENDIAN
#error "libbytelm gives little-endian samples"
#endif

typedef struct LibBytelmDecContext {
    const AVClass *class;
    BytelmDecoder *dec;
    BytelmStreamInfo info;
    char *model;
    char *model_dir;
} LibBytelmDecContext;

static av_cold int libbytelm_decode_init(AVCodecContext *avctx)
{
    LibBytelmDecContext *s = avctx->priv_data;
    BytelmSettings settings;
    BytelmChunk c;
    int ret;

    if (!avctx->extradata ||
        bytelm_chunk_parse(avctx->extradata, avctx->extradata_size, NULL, &c) < 0 ||
        c.type != BYTELM_CHUNK_HEADER) {
        av_log(avctx, AV_LOG_ERROR, "the bytelm stream header (extradata) is missing\n");
        return AVERROR_INVALIDDATA;
    }
    ff_bytelm_settings(avctx, &settings, s->model, s->model_dir);
    settings.threads = 1; /* one frame at a time: the threads are FFmpeg's */
    if ((ret = bytelm_decoder_open(&s->dec, &settings)) < 0)
        return ff_bytelm_error(avctx, ret, "cannot open the decoder");
    if ((ret = bytelm_decoder_open_header(s->dec, avctx->extradata, avctx->extradata_size)) < 0 ||
        (ret = bytelm_decoder_get_info(s->dec, &s->info)) < 0)
        return ff_bytelm_error(avctx, ret, "invalid stream header");

    if (avctx->codec_type == AVMEDIA_TYPE_AUDIO) {
        if (s->info.kind != BYTELM_KIND_PCM_S16LE) {
            av_log(avctx, AV_LOG_ERROR, "the stream holds no audio\n");
            return AVERROR_INVALIDDATA;
        }
        avctx->sample_rate = s->info.sample_rate;
        avctx->sample_fmt  = AV_SAMPLE_FMT_S16;
        avctx->bits_per_raw_sample = 16;
        return ff_bytelm_mask_to_layout(&avctx->ch_layout, s->info.channels,
                                        s->info.channel_mask);
    }

    avctx->pix_fmt = ff_bytelm_kind_to_pix_fmt(s->info.kind);
    if (avctx->pix_fmt == AV_PIX_FMT_NONE) {
        av_log(avctx, AV_LOG_ERROR, "the stream holds no image\n");
        return AVERROR_INVALIDDATA;
    }
    avctx->bits_per_raw_sample = 8 * bytelm_kind_sample_bytes(s->info.kind);
    return ff_set_dimensions(avctx, s->info.width, s->info.height);
}

static int decode_chunk(AVCodecContext *avctx, const uint8_t *data, size_t size,
                        const uint8_t **out, size_t *out_len, uint64_t *first_unit)
{
    LibBytelmDecContext *s = avctx->priv_data;
    int ret = bytelm_decoder_decode_frame(s->dec, data, size, out, out_len, first_unit);

    if (ret < 0)
        return ff_bytelm_error(avctx, ret, "damaged frame");
    if (*out_len % s->info.unit_bytes) /* cannot happen with a valid header */
        return AVERROR_BUG;
    return 0;
}

/* The chunk at data (bytelm_chunk_parse), which must be whole. */
static int parse_chunk(AVCodecContext *avctx, const uint8_t *data, size_t size, BytelmChunk *c)
{
    LibBytelmDecContext *s = avctx->priv_data;
    int ret = bytelm_chunk_parse(data, size, &s->info, c);

    if (ret == BYTELM_EAGAIN)
        ret = BYTELM_ETRUNCATED;
    return ret < 0 ? ff_bytelm_error(avctx, ret, "damaged packet") : 0;
}

static int libbytelm_audio_decode(AVCodecContext *avctx, AVFrame *frame,
                                  int *got_frame, AVPacket *avpkt)
{
    const uint8_t *out;
    size_t out_len;
    uint64_t first;
    BytelmChunk c;
    int ret;

    if ((ret = parse_chunk(avctx, avpkt->data, avpkt->size, &c)) < 0)
        return ret;
    if (c.size != avpkt->size) {
        av_log(avctx, AV_LOG_ERROR, "packet of %d bytes is not one bytelm frame\n", avpkt->size);
        return AVERROR_INVALIDDATA;
    }
    if (c.type != BYTELM_CHUNK_FRAME) /* the tags or the trailer: nothing to output */
        return avpkt->size;

    if ((ret = decode_chunk(avctx, avpkt->data, c.size, &out, &out_len, &first)) < 0)
        return ret;
    frame->nb_samples = out_len / (2 * avctx->ch_layout.nb_channels);
    if ((ret = ff_thread_get_buffer(avctx, frame, 0)) < 0)
        return ret;
    memcpy(frame->data[0], out, out_len);
    *got_frame = 1;
    return avpkt->size;
}

static int libbytelm_video_decode(AVCodecContext *avctx, AVFrame *frame,
                                  int *got_frame, AVPacket *avpkt)
{
    LibBytelmDecContext *s = avctx->priv_data;
    const uint8_t *data = avpkt->data;
    size_t left = avpkt->size, row = s->info.unit_bytes;
    uint64_t rows = 0;
    BytelmChunk c = { 0 };
    int ret;

    if ((ret = ff_thread_get_buffer(avctx, frame, 0)) < 0)
        return ret;
    while (left) {
        const uint8_t *out;
        size_t out_len;
        uint64_t first;

        if ((ret = parse_chunk(avctx, data, left, &c)) < 0)
            return ret;
        if (c.type == BYTELM_CHUNK_TRAILER)
            break;
        if (c.type == BYTELM_CHUNK_TAGS && data == avpkt->data) {
            data += c.size;
            left -= c.size;
            continue;
        }
        if (c.type != BYTELM_CHUNK_FRAME)
            goto invalid;
        if ((ret = decode_chunk(avctx, data, c.size, &out, &out_len, &first)) < 0)
            return ret;
        if (first != rows || first + out_len / row > avctx->height)
            goto invalid;
        for (size_t y = 0; y < out_len / row; y++)
            memcpy(frame->data[0] + (first + y) * frame->linesize[0], out + y * row, row);
        rows += out_len / row;
        data += c.size;
        left -= c.size;
    }
    if (rows != avctx->height || c.type != BYTELM_CHUNK_TRAILER || c.size != left)
        goto invalid;

    frame->key_frame = 1;
    frame->pict_type = AV_PICTURE_TYPE_I;
    *got_frame = 1;
    return avpkt->size;
invalid:
    av_log(avctx, AV_LOG_ERROR, "damaged image packet (%"PRIu64" of %d rows)\n",
           rows, avctx->height);
    return AVERROR_INVALIDDATA;
}

static av_cold int libbytelm_decode_close(AVCodecContext *avctx)
{
    LibBytelmDecContext *s = avctx->priv_data;

    bytelm_decoder_close(&s->dec);
    return 0;
}

#define OFFSET(x) offsetof(LibBytelmDecContext, x)
#define FLAGS (AV_OPT_FLAG_DECODING_PARAM | AV_OPT_FLAG_AUDIO_PARAM | AV_OPT_FLAG_VIDEO_PARAM)
static const AVOption options[] = {
    { "model", "a .blmm model file to use", OFFSET(model),
      AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGS },
    { "model_dir", "extra directory searched for models", OFFSET(model_dir),
      AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGS },
    { NULL },
};

static const AVClass libbytelm_audio_dec_class = {
    .class_name = "libbytelm decoder",
    .item_name  = av_default_item_name,
    .option     = options,
    .version    = LIBAVUTIL_VERSION_INT,
};

static const AVClass libbytelm_video_dec_class = {
    .class_name = "libbytelm_video decoder",
    .item_name  = av_default_item_name,
    .option     = options,
    .version    = LIBAVUTIL_VERSION_INT,
};

const FFCodec ff_libbytelm_decoder = {
    .p.name          = "libbytelm",
    .p.long_name     = NULL_IF_CONFIG_SMALL("libbytelm lossless audio"),
    .p.type          = AVMEDIA_TYPE_AUDIO,
    .p.id            = AV_CODEC_ID_BYTELM,
    .priv_data_size  = sizeof(LibBytelmDecContext),
    .init            = libbytelm_decode_init,
    FF_CODEC_DECODE_CB(libbytelm_audio_decode),
    .close           = libbytelm_decode_close,
    .p.capabilities  = AV_CODEC_CAP_DR1 | AV_CODEC_CAP_FRAME_THREADS,
    .caps_internal   = FF_CODEC_CAP_INIT_CLEANUP,
    .p.priv_class    = &libbytelm_audio_dec_class,
    .p.wrapper_name  = "libbytelm",
};

const FFCodec ff_libbytelm_video_decoder = {
    .p.name          = "libbytelm_video",
    .p.long_name     = NULL_IF_CONFIG_SMALL("libbytelm lossless image"),
    .p.type          = AVMEDIA_TYPE_VIDEO,
    .p.id            = AV_CODEC_ID_BYTELM_VIDEO,
    .priv_data_size  = sizeof(LibBytelmDecContext),
    .init            = libbytelm_decode_init,
    FF_CODEC_DECODE_CB(libbytelm_video_decode),
    .close           = libbytelm_decode_close,
    .p.capabilities  = AV_CODEC_CAP_DR1 | AV_CODEC_CAP_FRAME_THREADS,
    .caps_internal   = FF_CODEC_CAP_INIT_CLEANUP,
    .p.priv_class    = &libbytelm_video_dec_class,
    .p.wrapper_name  = "libbytelm",
};
