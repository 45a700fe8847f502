/*
 * The .blm stream layout, normative in docs/FORMAT.md. Every length read from a
 * stream is checked against a bound derived from the header before it is trusted.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "format.h"

#include <stdlib.h>
#include <string.h>

#include "bytes_io.h"
#include "checksum.h"

static const uint8_t header_magic[4] = {'B', 'Y', 'L', 'M'};
/* Fuzzing builds (meson -Dfuzzing=true defines FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION,
 * the name OSS-Fuzz and libpng use) take any CRC, so that mutated streams reach the
 * frame decoders behind the checks instead of stopping at them; a stream that an
 * attacker writes carries right CRCs anyway. */
int blm_crc_matches(uint32_t stored, uint32_t computed)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    (void)stored;
    (void)computed;
    return 1;
#else
    return stored == computed;
#endif
}

static const uint8_t frame_magic[4] = {'B', 'L', 'M', 'F'};
static const uint8_t trailer_magic[4] = {'B', 'L', 'M', 'T'};
static const uint8_t end_magic[4] = {'B', 'L', 'M', 'E'};

int bytelm_kind_planes(BytelmKind kind)
{
    switch (kind) {
    case BYTELM_KIND_GRAY8:
    case BYTELM_KIND_GRAY16LE: return 1;
    case BYTELM_KIND_GRAYA8:
    case BYTELM_KIND_GRAYA16LE: return 2;
    case BYTELM_KIND_RGB24:
    case BYTELM_KIND_RGB48LE: return 3;
    case BYTELM_KIND_RGBA32:
    case BYTELM_KIND_RGBA64LE: return 4;
    default: return 0;
    }
}

int bytelm_kind_sample_bytes(BytelmKind kind)
{
    if (!bytelm_kind_planes(kind))
        return 0;
    return kind >= BYTELM_KIND_GRAY16LE ? 2 : 1;
}

uint64_t blm_header_unit_bytes(const BlmHeader *h)
{
    if (h->kind == BYTELM_KIND_PCM_S16LE)
        return 2ull * h->channels;
    if (blm_kind_is_image(h->kind))
        return (uint64_t)h->width * (uint64_t)bytelm_kind_planes(h->kind) *
               (uint64_t)bytelm_kind_sample_bytes(h->kind);
    return 1;
}

uint32_t blm_default_frame_units(const BlmHeader *h)
{
    uint64_t n = BLM_DEFAULT_FRAME_BYTES / blm_header_unit_bytes(h);
    if (h->kind == BYTELM_KIND_PCM_S16LE && h->channels <= 2)
        n = h->preset == BYTELM_PRESET_MAX ? BLM_MAX_PRESET_CASCADE_FRAME_UNITS : BLM_DEFAULT_CASCADE_FRAME_UNITS;
    if (h->kind == BYTELM_KIND_BYTES)
        n = h->preset == BYTELM_PRESET_MAX ? BLM_MAX_PRESET_BYTES_FRAME : BLM_DEFAULT_BYTES_FRAME;
    if (blm_kind_is_image(h->kind)) {
        /* The fewest bands of equal rows within 8 MiB, and at least two so that two
         * threads share even a small image (on camera frames the second half's cold
         * start costs 0.3 % and decoding is 1.6x as fast, docs/STUDY.md finding 14).
         * Long bands pay: the coder and the network learn the image (finding 22). */
        uint64_t most = BLM_MAX_IMAGE_FRAME_BYTES / blm_header_unit_bytes(h);
        if (most < 1)
            most = 1;
        uint64_t bands = (h->height + most - 1) / most;
        if (bands < 2)
            bands = 2;
        n = (h->height + bands - 1) / bands;
    }
    if (n < 1)
        n = 1;
    return (uint32_t)n;
}

BlmLayout blm_header_layout(const BlmHeader *h)
{
    BlmLayout lay = {.kind = h->kind, .transform = h->transform, .channels = 1, .width = h->width,
                     .unit_bytes = (uint32_t)blm_header_unit_bytes(h)};
    if (h->kind == BYTELM_KIND_PCM_S16LE)
        lay.channels = h->channels;
    else if (blm_kind_is_image(h->kind))
        lay.channels = (uint32_t)bytelm_kind_planes(h->kind);
    return lay;
}

int blm_header_validate(const BlmHeader *h)
{
    if ((unsigned)h->kind > BYTELM_KIND_LAST || (unsigned)h->source > BYTELM_SOURCE_PNM ||
        h->preset > BYTELM_PRESET_MAX || !blm_transform_allowed(h->kind, h->transform))
        return BYTELM_EINVAL;
    switch (h->kind) {
    case BYTELM_KIND_PCM_S16LE:
        if (h->channels < 1 || h->channels > BYTELM_MAX_CHANNELS || h->sample_rate < 1 ||
            h->sample_rate > BYTELM_MAX_SAMPLE_RATE || h->width || h->height)
            return BYTELM_EINVAL;
        break;
    default:
        if (blm_kind_is_image(h->kind)) {
            if (h->width < 1 || h->height < 1 || h->width > BYTELM_MAX_IMAGE_SIDE ||
                h->height > BYTELM_MAX_IMAGE_SIDE ||
                (uint64_t)h->width * h->height > BYTELM_MAX_IMAGE_PIXELS ||
                h->total_units != h->height || h->channels || h->sample_rate || h->channel_mask)
                return BYTELM_EINVAL;
        } else if (h->channels || h->sample_rate || h->channel_mask || h->width || h->height) {
            return BYTELM_EINVAL;
        }
    }
    if (h->frame_units < 1 ||
        (uint64_t)h->frame_units * blm_header_unit_bytes(h) > BYTELM_MAX_FRAME_BYTES)
        return BYTELM_EINVAL;
    if (h->total_units != BYTELM_UNKNOWN_LENGTH &&
        h->total_units / h->frame_units >= BLM_MAX_FRAMES)
        return BYTELM_EINVAL;
    return 0;
}

void blm_header_write(const BlmHeader *h, uint8_t out[BLM_HEADER_SIZE])
{
    memset(out, 0, BLM_HEADER_SIZE);
    memcpy(out, header_magic, 4);
    out[4] = BLM_FORMAT_VERSION;
    out[5] = (uint8_t)h->kind;
    out[6] = (uint8_t)h->source;
    out[7] = h->preset;
    out[8] = h->transform;
    out[9] = (uint8_t)h->channels;
    blm_put_u16(out + 10, h->flags);
    blm_put_u32(out + 12, h->frame_units);
    blm_put_u64(out + 16, h->total_units);
    blm_put_u32(out + 24, h->sample_rate);
    blm_put_u32(out + 28, h->channel_mask);
    blm_put_u32(out + 32, h->width);
    blm_put_u32(out + 36, h->height);
    memcpy(out + 40, h->model_hash, 32);
    blm_put_u32(out + 72, blm_crc32(0, out, 72));
}

int blm_header_read(const uint8_t *buf, size_t len, BlmHeader *h)
{
    if (len < 4 ? memcmp(buf, header_magic, len) : memcmp(buf, header_magic, 4))
        return BYTELM_EFORMAT;
    if (len < BLM_HEADER_SIZE)
        return BYTELM_EAGAIN;
    if (buf[4] != BLM_FORMAT_VERSION)
        return BYTELM_EVERSION;
    if (!blm_crc_matches(blm_get_u32(buf + 72), blm_crc32(0, buf, 72)))
        return BYTELM_ECRC;
    memset(h, 0, sizeof(*h));
    h->kind = (BytelmKind)buf[5];
    h->source = (BytelmSource)buf[6];
    h->preset = buf[7];
    h->transform = buf[8];
    h->channels = buf[9];
    h->flags = blm_get_u16(buf + 10);
    h->frame_units = blm_get_u32(buf + 12);
    h->total_units = blm_get_u64(buf + 16);
    h->sample_rate = blm_get_u32(buf + 24);
    h->channel_mask = blm_get_u32(buf + 28);
    h->width = blm_get_u32(buf + 32);
    h->height = blm_get_u32(buf + 36);
    memcpy(h->model_hash, buf + 40, 32);
    if ((h->flags & ~BLM_HEADER_HAS_TAGS) || blm_header_validate(h) < 0)
        return BYTELM_EFORMAT;
    return 0;
}

size_t blm_frame_header_size(const BlmFrameHeader *fh)
{
    return BLM_FRAME_FIXED_SIZE + fh->n_params;
}

uint64_t blm_frame_max_payload(const BlmHeader *h, uint32_t n_units)
{
    /* The encoder keeps the smallest mode and stored is always available, so no
     * valid payload exceeds the raw size. */
    return (uint64_t)n_units * blm_header_unit_bytes(h);
}

size_t blm_frame_write(const BlmFrameHeader *fh, const uint8_t *payload, uint8_t *out)
{
    memcpy(out, frame_magic, 4);
    blm_put_u32(out + 4, fh->index);
    blm_put_u64(out + 8, fh->first_unit);
    blm_put_u32(out + 16, fh->n_units);
    out[20] = fh->mode;
    out[21] = fh->n_params;
    memcpy(out + 22, fh->params, fh->n_params);
    uint8_t *p = out + 22 + fh->n_params;
    blm_put_u32(p, fh->final_state);
    blm_put_u32(p + 4, fh->payload_size);
    memcpy(p + 8, payload, fh->payload_size);
    size_t n = blm_frame_header_size(fh) + fh->payload_size;
    blm_put_u32(out + n, blm_crc32(0, out, n));
    return n + BLM_FRAME_CRC_SIZE;
}

int blm_is_frame_sync(const uint8_t *buf, size_t len)
{
    return len >= 4 && !memcmp(buf, frame_magic, 4);
}

int blm_is_trailer_sync(const uint8_t *buf, size_t len)
{
    return len >= 4 && !memcmp(buf, trailer_magic, 4);
}

int blm_frame_parse(const uint8_t *buf, size_t len, const BlmHeader *h, BlmFrameHeader *fh,
                    size_t *frame_len)
{
    *frame_len = 0;
    if (len < 22)
        return len >= 4 && !blm_is_frame_sync(buf, len) ? BYTELM_EFORMAT : BYTELM_EAGAIN;
    if (!blm_is_frame_sync(buf, len))
        return BYTELM_EFORMAT;
    memset(fh, 0, sizeof(*fh));
    fh->index = blm_get_u32(buf + 4);
    fh->first_unit = blm_get_u64(buf + 8);
    fh->n_units = blm_get_u32(buf + 16);
    fh->mode = buf[20];
    fh->n_params = buf[21];
    if (fh->n_units < 1 || fh->n_units > h->frame_units || fh->mode > BLM_MODE_PIXELS ||
        (fh->mode == BLM_MODE_PIXELS &&
         (!blm_kind_is_image(h->kind) || fh->n_params > 1)) ||
        (fh->mode == BLM_MODE_FLAC && h->kind != BYTELM_KIND_PCM_S16LE) ||
        (fh->mode == BLM_MODE_SCALE && h->kind != BYTELM_KIND_PCM_S16LE && !blm_kind_is_v1_image(h->kind)) ||
        (fh->mode == BLM_MODE_CASCADE &&
         (h->kind != BYTELM_KIND_PCM_S16LE || h->channels > 2 || (fh->n_params != 1 && fh->n_params != 4))) ||
        (!blm_mode_has_params(fh->mode) && fh->n_params) ||
        fh->first_unit != (uint64_t)fh->index * h->frame_units ||
        (h->total_units != BYTELM_UNKNOWN_LENGTH &&
         fh->first_unit + fh->n_units > h->total_units))
        return BYTELM_EFORMAT;
    size_t hsize = blm_frame_header_size(fh);
    if (len < hsize)
        return BYTELM_EAGAIN;
    memcpy(fh->params, buf + 22, fh->n_params);
    fh->final_state = blm_get_u32(buf + hsize - 8);
    fh->payload_size = blm_get_u32(buf + hsize - 4);
    uint64_t raw = blm_frame_max_payload(h, fh->n_units);
    if (fh->payload_size > raw || (fh->mode == BLM_MODE_STORED && fh->payload_size != raw))
        return BYTELM_EFORMAT;
    size_t total = hsize + fh->payload_size + BLM_FRAME_CRC_SIZE;
    *frame_len = total;
    if (len < total)
        return BYTELM_EAGAIN;
    if (!blm_crc_matches(blm_get_u32(buf + total - 4), blm_crc32(0, buf, total - 4)))
        return BYTELM_ECRC;
    return 0;
}

size_t blm_trailer_size(uint32_t n_frames)
{
    return BLM_TRAILER_FIXED_SIZE + (size_t)n_frames * BLM_SEEK_ENTRY_SIZE;
}

void blm_trailer_write(uint64_t total_units, uint32_t n_frames, const BlmSeekEntry *seek,
                       const uint8_t md5[16], uint8_t *out)
{
    memcpy(out, trailer_magic, 4);
    blm_put_u64(out + 4, total_units);
    blm_put_u32(out + 12, n_frames);
    uint8_t *p = out + 16;
    for (uint32_t i = 0; i < n_frames; i++, p += BLM_SEEK_ENTRY_SIZE) {
        blm_put_u64(p, seek[i].offset);
        blm_put_u64(p + 8, seek[i].first_unit);
    }
    memcpy(p, md5, 16);
    p += 16;
    blm_put_u32(p, blm_crc32(0, out, (size_t)(p - out)));
    blm_put_u32(p + 4, (uint32_t)blm_trailer_size(n_frames));
    memcpy(p + 8, end_magic, 4);
}

int blm_trailer_parse(const uint8_t *buf, size_t len, uint64_t *total_units, uint32_t *n_frames,
                      BlmSeekEntry **seek, uint8_t md5[16], size_t *trailer_len)
{
    *trailer_len = 0;
    if (len < 16)
        return len >= 4 && !blm_is_trailer_sync(buf, len) ? BYTELM_EFORMAT : BYTELM_EAGAIN;
    if (!blm_is_trailer_sync(buf, len))
        return BYTELM_EFORMAT;
    uint32_t n = blm_get_u32(buf + 12);
    if (n > BLM_MAX_FRAMES)
        return BYTELM_EFORMAT;
    size_t size = blm_trailer_size(n);
    *trailer_len = size;
    if (len < size)
        return BYTELM_EAGAIN;
    const uint8_t *p = buf + 16 + (size_t)n * BLM_SEEK_ENTRY_SIZE;
    if (!blm_crc_matches(blm_get_u32(p + 16), blm_crc32(0, buf, (size_t)(p + 16 - buf))))
        return BYTELM_ECRC;
    if (blm_get_u32(p + 20) != size || memcmp(p + 24, end_magic, 4))
        return BYTELM_EFORMAT;
    *total_units = blm_get_u64(buf + 4);
    *n_frames = n;
    memcpy(md5, p, 16);
    if (seek) {
        *seek = NULL;
        if (n) {
            *seek = malloc((size_t)n * sizeof(**seek));
            if (!*seek)
                return BYTELM_ENOMEM;
            for (uint32_t i = 0; i < n; i++) {
                (*seek)[i].offset = blm_get_u64(buf + 16 + (size_t)i * BLM_SEEK_ENTRY_SIZE);
                (*seek)[i].first_unit = blm_get_u64(buf + 24 + (size_t)i * BLM_SEEK_ENTRY_SIZE);
            }
        }
    }
    return 0;
}

void blm_header_to_info(const BlmHeader *h, BytelmStreamInfo *info)
{
    memset(info, 0, sizeof(*info));
    info->format_version = BLM_FORMAT_VERSION;
    info->kind = h->kind;
    info->source = h->source;
    info->sample_rate = h->sample_rate;
    info->channels = h->kind == BYTELM_KIND_PCM_S16LE ? h->channels
                     : blm_kind_is_image(h->kind)      ? (uint32_t)bytelm_kind_planes(h->kind)
                                                       : 1;
    info->channel_mask = h->channel_mask;
    info->width = h->width;
    info->height = h->height;
    info->frame_units = h->frame_units;
    info->total_units = h->total_units;
    info->unit_bytes = (uint32_t)blm_header_unit_bytes(h);
    memcpy(info->model_hash, h->model_hash, 32);
    info->preset = h->preset;
}
