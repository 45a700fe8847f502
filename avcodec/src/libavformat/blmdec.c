/*
 * .blm (bytelm stream) demuxer
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
 * A .blm file (docs/FORMAT.md of bytelm) is a 76-byte header, frames and a
 * trailer with a seek table. The header becomes the extradata; for audio each
 * frame is a packet and the trailer a last packet of duration 0, for an image
 * the frames and the trailer are one packet. The seek table, read when the
 * input can seek, gives the duration and the index. A file of several images
 * (the GStreamer plugin's video) is one stream per image, end to end; they
 * must share the first one's header (size and format). The file has no frame
 * rate: the framerate option gives one (default 25). A stream's tags chunk
 * becomes the file's metadata, as a FLAC file's Vorbis comment does.
 *
 * It reads the stream itself rather than through libbytelm's chunk parser:
 * libavformat does not link libbytelm (only the codec wrappers do), so that the
 * container can be read, probed and remuxed on a build without the library.
 */

#include "libavutil/channel_layout.h"
#include "libavutil/crc.h"
#include "libavutil/intreadwrite.h"
#include "libavutil/opt.h"
#include "avformat.h"
#include "avio_internal.h"
#include "internal.h"
#include "oggdec.h"

#define HEADER_SIZE 76
#define MAX_FRAME_PAYLOAD (1 << 24)
#define MAX_FRAMES (1 << 26)
#define MAX_TAGS_BODY (1 << 20)
#define FLAG_TAGS 1

enum {
    KIND_PCM = 1, KIND_GRAY8, KIND_RGB24, KIND_GRAYA8, KIND_RGBA32,
    KIND_GRAY16LE, KIND_GRAYA16LE, KIND_RGB48LE, KIND_RGBA64LE,
};

/* The image kinds as pixel formats of the same layout, and their bits per
 * sample: the libavcodec wrapper maps them the same way. */
static const struct {
    enum AVPixelFormat pix_fmt;
    int bits;
} image_kinds[] = {
    [KIND_GRAY8]     = { AV_PIX_FMT_GRAY8,    8  },
    [KIND_RGB24]     = { AV_PIX_FMT_RGB24,    8  },
    [KIND_GRAYA8]    = { AV_PIX_FMT_YA8,      8  },
    [KIND_RGBA32]    = { AV_PIX_FMT_RGBA,     8  },
    [KIND_GRAY16LE]  = { AV_PIX_FMT_GRAY16LE, 16 },
    [KIND_GRAYA16LE] = { AV_PIX_FMT_YA16LE,   16 },
    [KIND_RGB48LE]   = { AV_PIX_FMT_RGB48LE,  16 },
    [KIND_RGBA64LE]  = { AV_PIX_FMT_RGBA64LE, 16 },
};

typedef struct BlmDemuxContext {
    const AVClass *class;
    AVRational framerate;
    int64_t images;
} BlmDemuxContext;

static uint32_t blm_crc(const uint8_t *buf, size_t len)
{
    return av_crc(av_crc_get_table(AV_CRC_32_IEEE_LE), UINT32_MAX, buf, len) ^ UINT32_MAX;
}

static int blm_probe(const AVProbeData *p)
{
    if (p->buf_size < 5 || memcmp(p->buf, "BYLM", 4) || p->buf[4] != 1)
        return 0;
    if (p->buf_size >= HEADER_SIZE)
        return blm_crc(p->buf, 72) == AV_RL32(p->buf + 72) ? AVPROBE_SCORE_MAX : 0;
    return AVPROBE_SCORE_EXTENSION;
}

/* Reads the tags chunk that a header with flag bit 0 announces (docs/FORMAT.md
 * §1.1) and checks its CRC; its Vorbis comment goes into *m, or nowhere when m is
 * NULL (the same tags before each image). */
static int read_tags(AVFormatContext *s, AVDictionary **m)
{
    uint8_t *buf;
    uint32_t body;
    int ret;

    if (avio_rl32(s->pb) != MKTAG('B', 'L', 'M', 'C'))
        return AVERROR_INVALIDDATA;
    body = avio_rl32(s->pb);
    if (body < 8 || body > MAX_TAGS_BODY || !(buf = av_malloc(body + 12)))
        return body > MAX_TAGS_BODY ? AVERROR_INVALIDDATA : AVERROR(ENOMEM);
    AV_WL32(buf, MKTAG('B', 'L', 'M', 'C'));
    AV_WL32(buf + 4, body);
    ret = ffio_read_size(s->pb, buf + 8, body + 4);
    if (ret >= 0 && blm_crc(buf, body + 8) != AV_RL32(buf + body + 8))
        ret = AVERROR_INVALIDDATA;
    /* the CRC after the body is the byte of padding ff_vorbis_comment wants */
    if (ret >= 0 && m && (ret = ff_vorbis_comment(s, m, buf + 8, body, 0)) < 0)
        av_log(s, AV_LOG_ERROR, "malformed tags\n");
    av_free(buf);
    return ret < 0 ? ret : 0;
}

/* Reads the trailer at the end of a seekable input: duration and index. */
static void read_seek_table(AVFormatContext *s, AVStream *st)
{
    AVIOContext *pb = s->pb;
    /* the seek table does not count the tags chunk: the frames start here */
    int64_t start = avio_tell(pb);
    int64_t size = avio_size(pb);
    uint8_t *buf = NULL;
    uint32_t tsize, n;

    if (size < HEADER_SIZE + 44 || avio_seek(pb, size - 8, SEEK_SET) < 0)
        goto end;
    tsize = avio_rl32(pb);
    if (avio_rl32(pb) != MKTAG('B', 'L', 'M', 'E') || tsize < 44 ||
        tsize > size - HEADER_SIZE || (tsize - 44) % 16 ||
        avio_seek(pb, size - tsize, SEEK_SET) < 0 ||
        !(buf = av_malloc(tsize)) || ffio_read_size(pb, buf, tsize) < 0)
        goto end;
    n = AV_RL32(buf + 12);
    if (memcmp(buf, "BLMT", 4) || n != (tsize - 44) / 16 ||
        blm_crc(buf, tsize - 12) != AV_RL32(buf + tsize - 12)) {
        av_log(s, AV_LOG_WARNING, "damaged trailer: no seek table\n");
        goto end;
    }
    st->duration = AV_RL64(buf + 4);
    for (uint32_t i = 0; i < n; i++)
        av_add_index_entry(st, start - HEADER_SIZE + AV_RL64(buf + 16 + 16 * i),
                           AV_RL64(buf + 24 + 16 * i),
                           0, 0, AVINDEX_KEYFRAME);
end:
    av_free(buf);
    avio_seek(pb, start, SEEK_SET);
}

static int blm_read_header(AVFormatContext *s)
{
    BlmDemuxContext *b = s->priv_data;
    AVIOContext *pb = s->pb;
    uint8_t h[HEADER_SIZE];
    uint64_t total;
    AVStream *st;
    int ret;

    if ((ret = ffio_read_size(pb, h, HEADER_SIZE)) < 0)
        return ret;
    if (memcmp(h, "BYLM", 4) || blm_crc(h, 72) != AV_RL32(h + 72))
        return AVERROR_INVALIDDATA;
    if (h[4] != 1) {
        avpriv_request_sample(s, "format version %d", h[4]);
        return AVERROR_PATCHWELCOME;
    }
    if (AV_RL16(h + 10) & FLAG_TAGS && (ret = read_tags(s, &s->metadata)) < 0) {
        av_log(s, AV_LOG_ERROR, "damaged tags chunk after the header\n");
        return ret;
    }
    if (!(st = avformat_new_stream(s, NULL)))
        return AVERROR(ENOMEM);
    if ((ret = ff_alloc_extradata(st->codecpar, HEADER_SIZE)) < 0)
        return ret;
    memcpy(st->codecpar->extradata, h, HEADER_SIZE);
    total = AV_RL64(h + 16);

    switch (h[5]) {
    case KIND_PCM: {
        int channels = h[9];
        uint32_t mask = AV_RL32(h + 28), rate = AV_RL32(h + 24);
        if (!channels || channels > 8 || !rate)
            return AVERROR_INVALIDDATA;
        st->codecpar->codec_type  = AVMEDIA_TYPE_AUDIO;
        st->codecpar->codec_id    = AV_CODEC_ID_BYTELM;
        st->codecpar->sample_rate = rate;
        st->codecpar->format      = AV_SAMPLE_FMT_S16;
        st->codecpar->bits_per_raw_sample = 16;
        if (mask && av_popcount(mask) == channels)
            ret = av_channel_layout_from_mask(&st->codecpar->ch_layout, mask);
        else if (channels <= 2)
            av_channel_layout_default(&st->codecpar->ch_layout, channels);
        else
            st->codecpar->ch_layout = (AVChannelLayout){ .order = AV_CHANNEL_ORDER_UNSPEC,
                                                         .nb_channels = channels };
        if (ret < 0)
            return ret;
        avpriv_set_pts_info(st, 64, 1, rate);
        if (total != UINT64_MAX)
            st->duration = total;
        if (pb->seekable & AVIO_SEEKABLE_NORMAL)
            read_seek_table(s, st);
        break;
    }
    case KIND_GRAY8:    case KIND_RGB24:     case KIND_GRAYA8:  case KIND_RGBA32:
    case KIND_GRAY16LE: case KIND_GRAYA16LE: case KIND_RGB48LE: case KIND_RGBA64LE:
        st->codecpar->codec_type = AVMEDIA_TYPE_VIDEO;
        st->codecpar->codec_id   = AV_CODEC_ID_BYTELM_VIDEO;
        st->codecpar->width      = AV_RL32(h + 32);
        st->codecpar->height     = AV_RL32(h + 36);
        st->codecpar->format     = image_kinds[h[5]].pix_fmt;
        st->codecpar->bits_per_raw_sample = image_kinds[h[5]].bits;
        st->avg_frame_rate = st->r_frame_rate = b->framerate;
        avpriv_set_pts_info(st, 64, b->framerate.den, b->framerate.num);
        break;
    default:
        av_log(s, AV_LOG_ERROR, "a stream of kind %d (%s) has no FFmpeg codec: use the "
               "bytelm tool\n", h[5], h[5] ? "unknown" : "bytes");
        return AVERROR_PATCHWELCOME;
    }
    return 0;
}

/* Appends exactly size bytes to pkt. */
static int append(AVIOContext *pb, AVPacket *pkt, int size)
{
    int ret = av_append_packet(pb, pkt, size);
    if (ret < 0)
        return ret;
    return ret == size ? 0 : AVERROR_INVALIDDATA;
}

/* Appends the next frame or trailer to pkt; *trailer tells which it was. */
static int read_chunk(AVFormatContext *s, AVPacket *pkt, int *trailer)
{
    AVIOContext *pb = s->pb;
    int off = pkt->size, ret;
    const uint8_t *d;

    if ((ret = av_append_packet(pb, pkt, 16)) < 0)
        return ret;
    if (ret == 0)
        return AVERROR_EOF;
    if (ret != 16)
        return AVERROR_INVALIDDATA;
    d = pkt->data + off;
    if (!memcmp(d, "BLMF", 4)) {
        unsigned np, payload;
        *trailer = 0;
        if ((ret = append(pb, pkt, 6)) < 0)
            return ret;
        np = pkt->data[off + 21];
        if ((ret = append(pb, pkt, np + 8)) < 0)
            return ret;
        payload = AV_RL32(pkt->data + off + 26 + np);
        if (payload > MAX_FRAME_PAYLOAD)
            return AVERROR_INVALIDDATA;
        return append(pb, pkt, payload + 4);
    }
    if (!memcmp(d, "BLMT", 4)) {
        uint32_t n = AV_RL32(d + 12);
        *trailer = 1;
        if (n > MAX_FRAMES)
            return AVERROR_INVALIDDATA;
        return append(pb, pkt, 16 * n + 28);
    }
    av_log(s, AV_LOG_ERROR, "no frame at offset %"PRId64"\n", avio_tell(pb) - 16);
    return AVERROR_INVALIDDATA;
}

/* Before each image but the first: its stream header, the same as the first. */
static int next_image_header(AVFormatContext *s, int64_t images)
{
    AVCodecParameters *par = s->streams[0]->codecpar;
    uint8_t h[HEADER_SIZE];
    int ret = avio_read(s->pb, h, HEADER_SIZE);

    if (ret == 0 || ret == AVERROR_EOF)
        return AVERROR_EOF;
    if (ret < 0)
        return ret;
    if (ret == HEADER_SIZE && !memcmp(h, "BYLM", 4) && memcmp(h, par->extradata, HEADER_SIZE)) {
        av_log(s, AV_LOG_ERROR, "image %"PRId64" has another header than the first: "
               "images of different sizes or formats in one file are not supported\n", images);
        return AVERROR_PATCHWELCOME;
    }
    if (ret != HEADER_SIZE || memcmp(h, par->extradata, HEADER_SIZE)) {
        av_log(s, AV_LOG_ERROR, "no stream header before image %"PRId64"\n", images);
        return AVERROR_INVALIDDATA;
    }
    return AV_RL16(h + 10) & FLAG_TAGS ? read_tags(s, NULL) : 0;
}

static int blm_read_packet(AVFormatContext *s, AVPacket *pkt)
{
    BlmDemuxContext *b = s->priv_data;
    AVStream *st = s->streams[0];
    int64_t pos = avio_tell(s->pb);
    int trailer = 0, ret;

    pkt->size = 0;
    if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
        /* One image: its frames and its trailer. */
        if (b->images && (ret = next_image_header(s, b->images)) < 0)
            return ret;
        while (!trailer)
            if ((ret = read_chunk(s, pkt, &trailer)) < 0)
                return pkt->size && ret == AVERROR_EOF ? AVERROR_INVALIDDATA : ret;
        pkt->pts      = b->images++;
        pkt->duration = 1;
    } else {
        if ((ret = read_chunk(s, pkt, &trailer)) < 0)
            return ret;
        if (trailer) {
            pkt->pts      = AV_RL64(pkt->data + 4);
            pkt->duration = 0;
        } else {
            pkt->pts      = AV_RL64(pkt->data + 8);
            pkt->duration = AV_RL32(pkt->data + 16);
        }
    }
    pkt->dts          = pkt->pts;
    pkt->pos          = pos;
    pkt->flags       |= AV_PKT_FLAG_KEY;
    pkt->stream_index = 0;
    return 0;
}

static const AVOption blm_options[] = {
    { "framerate", "images per second of a .blm video (the file does not say)",
      offsetof(BlmDemuxContext, framerate), AV_OPT_TYPE_VIDEO_RATE, { .str = "25" },
      0, INT_MAX, AV_OPT_FLAG_DECODING_PARAM },
    { NULL },
};

static const AVClass blm_demuxer_class = {
    .class_name = "bytelm demuxer",
    .item_name  = av_default_item_name,
    .option     = blm_options,
    .version    = LIBAVUTIL_VERSION_INT,
};

const AVInputFormat ff_bytelm_demuxer = {
    .name           = "bytelm",
    .long_name      = NULL_IF_CONFIG_SMALL("bytelm lossless stream"),
    .read_probe     = blm_probe,
    .read_header    = blm_read_header,
    .read_packet    = blm_read_packet,
    .flags          = AVFMT_GENERIC_INDEX,
    .extensions     = "blm",
    .priv_data_size = sizeof(BlmDemuxContext),
    .priv_class     = &blm_demuxer_class,
};
