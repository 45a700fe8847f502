/*
 * The public chunk parser: which chunk of docs/FORMAT.md starts at a position, its
 * length and CRC, for front ends that cut a stream into packets (GStreamer's
 * parsers, FFmpeg's decoder) without knowing the layout themselves. The checks
 * are the decoder's own (format.c), so a chunk accepted here is one the decoder
 * accepts.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "bytelm/bytelm.h"
#include "bytes_io.h"
#include "format.h"
#include "tags.h"

/* A frame's bytes up to and with its parameter count; its parameters and the two
 * fields after them follow (BLM_FRAME_FIXED_SIZE counts those fields). */
#define FRAME_PARAMS_AT 22
/* The trailer's seek table starts after its magic, total and frame count; the
 * trailer ends with its CRC, its own size and "BLME", so that size sits 8 bytes
 * from the end of the stream, where a reader that can seek finds it. */
#define TRAILER_SEEK_AT 16
#define TRAILER_TAIL_SIZE 8

static const uint8_t magics[4][4] = {
    [BYTELM_CHUNK_HEADER] = {'B', 'Y', 'L', 'M'},
    [BYTELM_CHUNK_TAGS] = {'B', 'L', 'M', 'C'},
    [BYTELM_CHUNK_FRAME] = {'B', 'L', 'M', 'F'},
    [BYTELM_CHUNK_TRAILER] = {'B', 'L', 'M', 'T'},
};

/* The chunk type whose magic starts buf, -1 if none; with fewer than 4 bytes, the
 * first type whose magic they begin. */
static int chunk_type(const uint8_t *buf, size_t len)
{
    size_t n = len < 4 ? len : 4;
    for (int t = 0; t < 4; t++)
        if (!memcmp(buf, magics[t], n))
            return t;
    return -1;
}

/* The header fields a frame is checked against, back from the public info. */
static void info_to_header(const BytelmStreamInfo *info, BlmHeader *h)
{
    memset(h, 0, sizeof(*h));
    h->kind = info->kind;
    h->channels = info->kind == BYTELM_KIND_PCM_S16LE ? info->channels : 0;
    h->width = info->width;
    h->height = info->height;
    h->frame_units = info->frame_units;
    h->total_units = info->total_units;
}

static int parse_frame(const uint8_t *buf, size_t len, const BytelmStreamInfo *info,
                       BytelmChunk *c)
{
    BlmHeader h;
    BlmFrameHeader fh;
    size_t size;

    if (!info || !info->frame_units)
        return BYTELM_EINVAL;
    info_to_header(info, &h);
    int ret = blm_frame_parse(buf, len, &h, &fh, &size);
    if (ret == BYTELM_EAGAIN && !size) {
        /* The frame's header is not whole yet: its fixed part up to the parameter
         * count, then the parameters. Parse again once that many bytes are here. */
        size = len < FRAME_PARAMS_AT ? FRAME_PARAMS_AT
                                     : BLM_FRAME_FIXED_SIZE + buf[FRAME_PARAMS_AT - 1];
    }
    c->size = size;
    if (ret < 0 && ret != BYTELM_ECRC)
        return ret;
    /* A frame that fails its CRC still says which it claims to be, for messages. */
    c->index = fh.index;
    c->first_unit = fh.first_unit;
    c->n_units = fh.n_units;
    c->mode = fh.mode;
    return ret;
}

static int parse_tags(const uint8_t *buf, size_t len, BytelmChunk *c)
{
    BlmTags t;
    size_t size;
    int ret = blm_tags_chunk_parse(buf, len, &t, &size);

    blm_tags_clear(&t);
    c->size = size ? size : 8; /* the part that gives the body's size */
    return ret;
}

static int parse_trailer(const uint8_t *buf, size_t len, BytelmChunk *c)
{
    uint64_t total;
    uint32_t n;
    size_t size;
    int ret = blm_trailer_parse(buf, len, &total, &n, NULL, c->md5, &size);

    c->size = size ? size : TRAILER_SEEK_AT; /* the part that gives the table's length */
    if (ret < 0)
        return ret;
    c->total_units = total;
    c->n_frames = n;
    return 0;
}

int bytelm_chunk_parse(const void *data, size_t len, const BytelmStreamInfo *info,
                       BytelmChunk *c)
{
    const uint8_t *buf = data;

    if (!c || (!buf && len))
        return BYTELM_EINVAL;
    memset(c, 0, sizeof(*c));
    int type = chunk_type(buf, len);
    if (type < 0)
        return BYTELM_EFORMAT;
    c->type = (BytelmChunkType)type;
    c->size = 4;
    if (len < 4)
        return BYTELM_EAGAIN;
    switch (c->type) {
    case BYTELM_CHUNK_HEADER: {
        BlmHeader h;
        c->size = BLM_HEADER_SIZE;
        return blm_header_read(buf, len, &h);
    }
    case BYTELM_CHUNK_TAGS:
        return parse_tags(buf, len, c);
    case BYTELM_CHUNK_FRAME:
        return parse_frame(buf, len, info, c);
    default:
        return parse_trailer(buf, len, c);
    }
}

int bytelm_chunk_seek_entry(const void *trailer, size_t len, uint32_t i, uint64_t *offset,
                            uint64_t *first_unit)
{
    const uint8_t *buf = trailer;

    if (!buf || len < TRAILER_SEEK_AT || !blm_is_trailer_sync(buf, len))
        return BYTELM_EINVAL;
    uint32_t n = blm_get_u32(buf + 12);
    if (i >= n || len < blm_trailer_size(n))
        return BYTELM_EINVAL;
    const uint8_t *e = buf + TRAILER_SEEK_AT + (size_t)i * BLM_SEEK_ENTRY_SIZE;
    if (offset)
        *offset = blm_get_u64(e);
    if (first_unit)
        *first_unit = blm_get_u64(e + 8);
    return 0;
}

int bytelm_chunk_trailer_size(const void *end, size_t len, uint64_t *size)
{
    const uint8_t *buf = end;

    if (!size || (!buf && len))
        return BYTELM_EINVAL;
    *size = 0;
    if (len < TRAILER_TAIL_SIZE)
        return BYTELM_EAGAIN;
    const uint8_t *tail = buf + len - TRAILER_TAIL_SIZE;
    uint32_t n = blm_get_u32(tail);
    if (memcmp(tail + 4, "BLME", 4) || n < BLM_TRAILER_FIXED_SIZE ||
        (n - BLM_TRAILER_FIXED_SIZE) % BLM_SEEK_ENTRY_SIZE ||
        (n - BLM_TRAILER_FIXED_SIZE) / BLM_SEEK_ENTRY_SIZE > BLM_MAX_FRAMES)
        return BYTELM_EFORMAT;
    *size = n;
    return 0;
}

size_t bytelm_chunk_find(const void *data, size_t len, unsigned types)
{
    const uint8_t *buf = data;

    for (size_t i = 1; i + 4 <= len; i++) {
        if (buf[i] != 'B')
            continue;
        int t = chunk_type(buf + i, 4);
        if (t >= 0 && (types & (1u << t)))
            return i;
    }
    return len > 3 ? len - 3 : 1;
}
