/*
 * bytelm command-line tool: the input of compression (source.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "source.h"

int source_open(Source *src, const Options *o, InFile *in, BytelmSettings *s,
                       char *err, size_t errlen)
{
    memset(src, 0, sizeof *src);
    src->in = in;
    src->raw = o->raw;
    src->total_bytes = UINT64_MAX;
    src->unit_bytes = 1;
    if (o->raw == RAW_NONE) {
        long n = infile_peek(in, 4096);
        if (n < 0) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            return -1;
        }
        src->fmt = detect_format(in->pre + in->pre_pos, (size_t)n);
    } else {
        src->fmt = INPUT_BYTES;
    }

    if (o->raw == RAW_PCM) {
        s->kind = BYTELM_KIND_PCM_S16LE;
        s->source = BYTELM_SOURCE_RAW;
        s->sample_rate = o->rate;
        s->channels = o->channels;
        src->unit_bytes = 2 * o->channels;
        if (in->seekable) {
            if (in->size % src->unit_bytes) {
                snprintf(err, errlen, "raw PCM size %" PRIu64 " is not a multiple of %u bytes "
                         "(2 bytes x %u channels)", in->size, src->unit_bytes, o->channels);
                return -1;
            }
            src->total_bytes = in->size;
            s->total_units = in->size / src->unit_bytes;
        }
        return 0;
    }
    if (o->raw == RAW_IMAGE) {
        src->img.width = o->width;
        src->img.height = o->height;
        src->img.channels = (uint32_t)bytelm_kind_planes(o->raw_image);
        src->img.bits16 = bytelm_kind_sample_bytes(o->raw_image) == 2;
        if (image_check_size(&src->img, "raw image", err, errlen) < 0)
            return -1;
        src->total_bytes = (uint64_t)image_row_bytes(&src->img) * o->height;
        if (in->seekable && in->size != src->total_bytes) {
            snprintf(err, errlen, "raw %s image has %" PRIu64 " bytes, expected %u x %u x %zu = %"
                     PRIu64, kind_name(o->raw_image), in->size, o->width, o->height,
                     image_row_bytes(&src->img) / o->width, src->total_bytes);
            return -1;
        }
        goto image;
    }
    switch (src->fmt) {
    case INPUT_WAV: {
        int fd = infile_seekable_fd(in, err, errlen);
        if (fd < 0)
            return -1;
        WavInfo wi;
        if (wav_reader_open(&src->wav, fd, &wi, err, errlen) < 0)
            return -1;
        s->kind = BYTELM_KIND_PCM_S16LE;
        s->source = BYTELM_SOURCE_WAV;
        s->sample_rate = wi.sample_rate;
        s->channels = wi.channels;
        s->channel_mask = wi.channel_mask;
        s->total_units = wi.frames;
        src->unit_bytes = 2 * wi.channels;
        src->total_bytes = wi.frames * src->unit_bytes;
        return 0;
    }
    case INPUT_PNG:
        if (png_reader_open(&src->png, in, &src->img, o->max_memory, err, errlen) < 0)
            return -1;
        s->source = BYTELM_SOURCE_PNG;
        src->total_bytes = (uint64_t)image_row_bytes(&src->img) * src->img.height;
        goto image;
    case INPUT_PNM:
        if (pnm_read_header(in, &src->img, err, errlen) < 0)
            return -1;
        s->source = BYTELM_SOURCE_PNM;
        src->total_bytes = (uint64_t)image_row_bytes(&src->img) * src->img.height;
        goto image;
    default:
        s->kind = BYTELM_KIND_BYTES;
        s->source = BYTELM_SOURCE_RAW;
        if (in->seekable) {
            src->total_bytes = in->size;
            s->total_units = in->size;
        }
        return 0;
    }
image:
    s->kind = image_kind(src->img.channels, src->img.bits16);
    s->width = src->img.width;
    s->height = src->img.height;
    s->total_units = src->img.height;
    src->unit_bytes = (uint32_t)image_row_bytes(&src->img);
    return 0;
}

long source_read(Source *src, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
    if (src->ended)
        return 0;
    long n;
    if (src->wav) {
        n = wav_reader_read(src->wav, buf, cap / src->unit_bytes, err, errlen);
        if (n < 0)
            return -1;
        n *= (long)src->unit_bytes;
        if (n == 0 && src->done_bytes != src->total_bytes) {
            snprintf(err, errlen, "WAV ended after %" PRIu64 " of %" PRIu64 " bytes of samples",
                     src->done_bytes, src->total_bytes);
            return -1;
        }
    } else if (src->png) {
        uint64_t rows_left = (src->total_bytes - src->done_bytes) / src->unit_bytes;
        size_t rows = cap / src->unit_bytes;
        if (rows > rows_left)
            rows = (size_t)rows_left;
        if (rows && png_reader_read_rows(src->png, buf, (uint32_t)rows, err, errlen) < 0)
            return -1;
        n = (long)(rows * src->unit_bytes);
    } else {
        /* Whole samples, so that a 16-bit PNM raster can be swapped in place. */
        size_t want = src->fmt == INPUT_PNM && src->img.bits16 ? cap & ~(size_t)1 : cap;
        if (src->total_bytes != UINT64_MAX && src->total_bytes - src->done_bytes < want)
            want = (size_t)(src->total_bytes - src->done_bytes);
        n = want ? infile_read(src->in, buf, want) : 0;
        if (n < 0) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            return -1;
        }
        /* PNM is big-endian, the codec's 16-bit kinds little-endian. */
        if (src->fmt == INPUT_PNM && src->img.bits16)
            image_swap16(buf, (size_t)n);
        int image = src->fmt == INPUT_PNM || src->raw == RAW_IMAGE;
        if (n == 0 && image) {
            if (src->done_bytes != src->total_bytes) {
                snprintf(err, errlen, "image data ends after %" PRIu64 " of %" PRIu64 " bytes",
                         src->done_bytes, src->total_bytes);
                return -1;
            }
            if (src->fmt == INPUT_PNM) {
                if (pnm_check_end(src->in, &src->img, err, errlen) < 0)
                    return -1;
            } else {
                unsigned char c;
                if (infile_read(src->in, &c, 1) > 0) {
                    snprintf(err, errlen, "raw image is longer than %u x %u x %zu bytes",
                             src->img.width, src->img.height,
                             image_row_bytes(&src->img) / src->img.width);
                    return -1;
                }
            }
        }
        if (n == 0 && src->raw == RAW_PCM && src->done_bytes % src->unit_bytes) {
            snprintf(err, errlen, "raw PCM size %" PRIu64 " is not a multiple of %u bytes",
                     src->done_bytes, src->unit_bytes);
            return -1;
        }
    }
    if (n == 0)
        src->ended = 1;
    src->done_bytes += (uint64_t)n;
    return n;
}

void source_close(Source *src)
{
    wav_reader_close(&src->wav);
    png_reader_close(&src->png);
}
