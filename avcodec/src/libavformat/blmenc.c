/*
 * .blm (bytelm stream) muxer
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
 * Writes the stream header (the extradata), then the packets as they come:
 * for audio the frames and the trailer that the encoder sends last. An image
 * packet is a whole stream less its header: each image after the first gets
 * the header again, so that a video is one complete stream per image, end to
 * end, as the GStreamer plugin writes it (the bytelm CLI reads the first).
 * The trailer holds the MD5 of the raw data, which only the encoder knows: a
 * stream without it (a cut stream copy) is refused.
 */

#include "libavutil/intreadwrite.h"
#include "avformat.h"
#include "internal.h"

typedef struct BlmMuxContext {
    int64_t packets;
    int have_trailer;
} BlmMuxContext;

static int blm_init(AVFormatContext *s)
{
    AVCodecParameters *par;

    if (s->nb_streams != 1) {
        av_log(s, AV_LOG_ERROR, "a .blm file holds one stream\n");
        return AVERROR(EINVAL);
    }
    par = s->streams[0]->codecpar;
    if (par->codec_id != AV_CODEC_ID_BYTELM && par->codec_id != AV_CODEC_ID_BYTELM_VIDEO) {
        av_log(s, AV_LOG_ERROR, "a .blm file holds only the bytelm codec\n");
        return AVERROR(EINVAL);
    }
    if (par->extradata_size != 76 || memcmp(par->extradata, "BYLM", 4)) {
        av_log(s, AV_LOG_ERROR, "the bytelm stream header (extradata) is missing\n");
        return AVERROR(EINVAL);
    }
    return 0;
}

static int blm_write_header(AVFormatContext *s)
{
    AVCodecParameters *par = s->streams[0]->codecpar;

    avio_write(s->pb, par->extradata, par->extradata_size);
    return 0;
}

static int blm_write_packet(AVFormatContext *s, AVPacket *pkt)
{
    BlmMuxContext *b = s->priv_data;
    AVCodecParameters *par = s->streams[0]->codecpar;

    if (pkt->size < 8)
        return AVERROR_INVALIDDATA;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
        if (b->packets)
            avio_write(s->pb, par->extradata, par->extradata_size);
        b->have_trailer = !memcmp(pkt->data + pkt->size - 4, "BLME", 4);
        if (!b->have_trailer) {
            av_log(s, AV_LOG_ERROR, "image packet without its trailer\n");
            return AVERROR_INVALIDDATA;
        }
    } else {
        if (b->have_trailer) {
            av_log(s, AV_LOG_ERROR, "packet after the end of the stream\n");
            return AVERROR(EINVAL);
        }
        b->have_trailer = !memcmp(pkt->data, "BLMT", 4);
    }
    b->packets++;
    avio_write(s->pb, pkt->data, pkt->size);
    return 0;
}

static int blm_write_trailer(AVFormatContext *s)
{
    BlmMuxContext *b = s->priv_data;

    if (!b->have_trailer) {
        av_log(s, AV_LOG_ERROR, "the stream ended without its trailer (seek table "
               "and MD5): only a whole stream from the encoder can be written\n");
        return AVERROR(EINVAL);
    }
    return 0;
}

const AVOutputFormat ff_bytelm_muxer = {
    .name              = "bytelm",
    .long_name         = NULL_IF_CONFIG_SMALL("bytelm lossless stream"),
    .extensions        = "blm",
    .priv_data_size    = sizeof(BlmMuxContext),
    .audio_codec       = AV_CODEC_ID_BYTELM,
    .video_codec       = AV_CODEC_ID_BYTELM_VIDEO,
    .init              = blm_init,
    .write_header      = blm_write_header,
    .write_packet      = blm_write_packet,
    .write_trailer     = blm_write_trailer,
    .flags             = AVFMT_NOTIMESTAMPS,
};
