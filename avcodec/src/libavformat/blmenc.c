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
 *
 * The file's metadata (-metadata, or what the input's container held) goes into
 * an audio stream's tags chunk after the header, Vorbis comment fields as the
 * FLAC muxer writes them; the header's tags flag says whether there is one,
 * whatever the extradata said. The seek table does not count the chunk, so the
 * encoder's trailer stays right (docs/FORMAT.md §1.1).
 */

#include "libavutil/avstring.h"
#include "libavutil/crc.h"
#include "libavutil/dict.h"
#include "libavutil/intreadwrite.h"
#include "avformat.h"
#include "avio_internal.h"
#include "internal.h"
#include "metadata.h"
#include "version.h"
#include "vorbiscomment.h"

#define HEADER_SIZE   76
#define FLAG_TAGS     1
#define MAX_TAGS_BODY (1 << 20)

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
    if (par->extradata_size != HEADER_SIZE || memcmp(par->extradata, "BYLM", 4)) {
        av_log(s, AV_LOG_ERROR, "the bytelm stream header (extradata) is missing\n");
        return AVERROR(EINVAL);
    }
    return 0;
}

static uint32_t blm_crc(const uint8_t *buf, size_t len)
{
    return av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), UINT32_MAX, buf, len) ^ UINT32_MAX;
}

/* The stream header with its tags flag set or cleared. */
static void write_stream_header(AVFormatContext *s, int tags)
{
    uint8_t h[HEADER_SIZE];

    memcpy(h, s->streams[0]->codecpar->extradata, HEADER_SIZE);
    AV_WL16(h + 10, (AV_RL16(h + 10) & ~FLAG_TAGS) | (tags ? FLAG_TAGS : 0));
    AV_WL32(h + 72, blm_crc(h, 72));
    avio_write(s->pb, h, HEADER_SIZE);
}

/* The tags chunk: magic, body size, the Vorbis comment, CRC-32. */
static int write_tags(AVFormatContext *s, const AVDictionary *m)
{
    const char *vendor = s->flags & AVFMT_FLAG_BITEXACT ? "ffmpeg" : LIBAVFORMAT_IDENT;
    int64_t body = ff_vorbiscomment_length(m, vendor, NULL, 0);
    AVIOContext *dyn;
    uint8_t *buf;
    int size, ret;

    if (body > MAX_TAGS_BODY) {
        av_log(s, AV_LOG_ERROR, "metadata of %"PRId64" bytes: a .blm holds at most %d\n",
               body, MAX_TAGS_BODY);
        return AVERROR(EINVAL);
    }
    if ((ret = avio_open_dyn_buf(&dyn)) < 0)
        return ret;
    ffio_wfourcc(dyn, "BLMC");
    avio_wl32(dyn, (uint32_t)body);
    ff_vorbiscomment_write(dyn, m, vendor, NULL, 0);
    size = avio_get_dyn_buf(dyn, &buf);
    avio_write(s->pb, buf, size);
    avio_wl32(s->pb, blm_crc(buf, size));
    ffio_free_dyn_buf(&dyn);
    return 0;
}

static int blm_write_header(AVFormatContext *s)
{
    AVCodecParameters *par = s->streams[0]->codecpar;
    AVDictionary *m = NULL;
    const AVDictionaryEntry *e = NULL;
    int ret;

    /* Keys in capitals, as FLAC files carry them; "encoder" names the writer,
     * which the vendor string already does. */
    if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
        ff_metadata_conv(&s->metadata, ff_vorbiscomment_metadata_conv, NULL);
        while ((e = av_dict_get(s->metadata, "", e, AV_DICT_IGNORE_SUFFIX))) {
            char *key;
            if (!av_strcasecmp(e->key, "encoder"))
                continue;
            if (!(key = av_strdup(e->key))) {
                ret = AVERROR(ENOMEM);
                goto end;
            }
            for (char *k = key; *k; k++)
                *k = av_toupper(*k);
            if ((ret = av_dict_set(&m, key, e->value, AV_DICT_DONT_STRDUP_KEY | AV_DICT_MULTIKEY)) < 0)
                goto end;
        }
    }
    write_stream_header(s, m != NULL);
    ret = m ? write_tags(s, m) : 0;
end:
    av_dict_free(&m);
    return ret;
}

static int blm_write_packet(AVFormatContext *s, AVPacket *pkt)
{
    BlmMuxContext *b = s->priv_data;
    AVCodecParameters *par = s->streams[0]->codecpar;

    if (pkt->size < 8)
        return AVERROR_INVALIDDATA;
    if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
        if (b->packets)
            write_stream_header(s, 0);
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
