/*
 * bytelm command-line tool: the output of decompression (sink.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sink.h"

static const char *extension(const char *path)
{
    const size_t n = strlen(path);
    return n >= 4 ? path + n - 4 : "";
}

SinkType sink_pnm_type(BytelmKind kind)
{
    return bytelm_kind_planes(kind) % 2 ? SINK_PNM : SINK_PAM;
}

SinkType sink_for_name(const char *path, BytelmKind kind, SinkType fallback)
{
    const char *ext = extension(path);
    const int pixels = kind_is_image(kind), planes = bytelm_kind_planes(kind);
    if (!strcasecmp(ext, ".wav") && kind == BYTELM_KIND_PCM_S16LE)
        return SINK_WAV;
    if (!strcasecmp(ext, ".png") && pixels)
        return SINK_PNG;
    if ((!strcasecmp(ext, ".pgm") && planes == 1) || (!strcasecmp(ext, ".ppm") && planes == 3))
        return SINK_PNM;
    if (!strcasecmp(ext, ".pnm") && pixels)
        return sink_pnm_type(kind);
    if (!strcasecmp(ext, ".pam") && pixels)
        return SINK_PAM;
    /* the bare samples or pixels, as --raw reads them */
    if (!strcasecmp(ext, ".raw") || (!strcasecmp(ext, ".pcm") && kind == BYTELM_KIND_PCM_S16LE))
        return SINK_RAW;
    return fallback;
}

const char *sink_name_refused(const char *path, BytelmKind kind)
{
    const char *ext = extension(path);
    const int planes = bytelm_kind_planes(kind);
    if ((planes == 2 || planes == 4) && (!strcasecmp(ext, ".pgm") || !strcasecmp(ext, ".ppm")))
        return "PGM and PPM cannot hold an alpha channel; use a name ending in .png or .pam";
    return NULL;
}

/* PNM rows: 16-bit samples are big-endian in the file. */
static int pnm_write_rows(Sink *k, const uint8_t *p, size_t units, char *err, size_t errlen)
{
    if (!k->img.bits16) {
        if (fwrite(p, k->unit, units, k->out->fp) != units)
            goto fail;
        return 0;
    }
    for (size_t i = 0; i < units; i++) {
        memcpy(k->swapped, p + k->unit * i, k->unit);
        image_swap16(k->swapped, k->unit);
        if (fwrite(k->swapped, 1, k->unit, k->out->fp) != k->unit)
            goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "write error: %s", strerror(errno));
    return -1;
}

static int sink_units(Sink *k, const uint8_t *p, size_t units, char *err, size_t errlen)
{
    if (k->type == SINK_WAV)
        return wav_writer_write(k->wav, p, units, err, errlen);
    if (k->type == SINK_PNM || k->type == SINK_PAM)
        return pnm_write_rows(k, p, units, err, errlen);
    return png_writer_write_rows(k->png, p, (uint32_t)units, err, errlen);
}

int sink_write(Sink *k, const uint8_t *p, size_t n, char *err, size_t errlen)
{
    if (k->expect != UINT64_MAX && n > k->expect - k->written) {
        snprintf(err, errlen, "stream holds more data than its header says");
        return -1;
    }
    k->written += n;
    switch (k->type) {
    case SINK_NONE:
        return 0;
    case SINK_RAW:
        if (fwrite(p, 1, n, k->out->fp) != n) {
            snprintf(err, errlen, "write error: %s", strerror(errno));
            return -1;
        }
        return 0;
    default:
        break;
    }
    if (k->carry_len) {
        size_t take = k->unit - k->carry_len < n ? k->unit - k->carry_len : n;
        memcpy(k->carry + k->carry_len, p, take);
        k->carry_len += take;
        p += take;
        n -= take;
        if (k->carry_len < k->unit)
            return 0;
        k->carry_len = 0;
        if (sink_units(k, k->carry, 1, err, errlen) < 0)
            return -1;
    }
    size_t units = n / k->unit;
    if (units && sink_units(k, p, units, err, errlen) < 0)
        return -1;
    memcpy(k->carry, p + units * k->unit, n - units * k->unit);
    k->carry_len = n - units * k->unit;
    return 0;
}

int sink_open(Sink *k, SinkType type, OutFile *out, const BytelmStreamInfo *info,
                     char *err, size_t errlen)
{
    memset(k, 0, sizeof *k);
    k->type = type;
    k->out = out;
    k->expect = UINT64_MAX;
    if (info->total_units != BYTELM_UNKNOWN_LENGTH && info->unit_bytes)
        k->expect = info->total_units * info->unit_bytes;
    if (type == SINK_PNG || type == SINK_PNM || type == SINK_PAM) {
        ImageInfo img = {info->width, info->height, (uint32_t)bytelm_kind_planes(info->kind),
                         bytelm_kind_sample_bytes(info->kind) == 2, type == SINK_PAM};
        k->img = img;
        k->unit = image_row_bytes(&img);
        k->expect = (uint64_t)k->unit * img.height;
    }
    switch (type) {
    case SINK_WAV: {
        WavInfo wi = {info->sample_rate, info->channels, info->channel_mask,
                      info->total_units == BYTELM_UNKNOWN_LENGTH ? UINT64_MAX : info->total_units};
        k->unit = 2u * info->channels;
        if (wav_writer_open(&k->wav, out->fd, &wi, err, errlen) < 0)
            return -1;
        break;
    }
    case SINK_PNG:
        if (png_writer_open(&k->png, out->fp, &k->img, err, errlen) < 0)
            return -1;
        break;
    case SINK_PNM:
    case SINK_PAM:
        if (type == SINK_PNM && k->img.channels % 2 == 0) {
            snprintf(err, errlen, "internal error: PGM/PPM of %u channels", k->img.channels);
            return -1;
        }
        if ((type == SINK_PAM ? pam_write_header : pnm_write_header)(out->fp, &k->img) < 0) {
            snprintf(err, errlen, "write error: %s", strerror(errno));
            return -1;
        }
        break;
    default:
        break;
    }
    if (k->unit) {
        const int swap = k->img.bits16 && type != SINK_PNG;
        k->carry = malloc(k->unit);
        k->swapped = swap ? malloc(k->unit) : NULL;
        if (!k->carry || (swap && !k->swapped)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    return 0;
}

static char *copy(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    return c ? memcpy(c, s, n) : NULL;
}

static void free_tags(Sink *k)
{
    for (size_t i = 0; i < k->n_tags; i++) {
        free(k->tag_keys[i]);
        free(k->tag_values[i]);
    }
    free(k->tag_keys);
    free(k->tag_values);
    k->tag_keys = k->tag_values = NULL;
    k->n_tags = 0;
}

long sink_set_tags(Sink *k, const char *const *keys, const char *const *values, size_t n)
{
    free_tags(k);
    if (!n)
        return 0;
    if (!(k->tag_keys = calloc(n, sizeof *k->tag_keys)) ||
        !(k->tag_values = calloc(n, sizeof *k->tag_values)))
        return -1;
    long not_kept = 0;
    for (size_t i = 0; i < n; i++) {
        k->n_tags = i + 1;
        if (!(k->tag_keys[i] = copy(keys[i])) || !(k->tag_values[i] = copy(values[i])))
            return -1;
        int kept = k->wav ? wav_writer_set_tag(k->wav, keys[i], values[i]) : 0;
        if (kept < 0)
            return -1;
        not_kept += !kept;
    }
    return not_kept;
}

int sink_finish(Sink *k, char *err, size_t errlen)
{
    int ret = 0;
    if (k->carry_len) {
        snprintf(err, errlen, "stream ends inside a %s", k->type == SINK_WAV ? "sample frame" : "row");
        ret = -1;
    } else if (k->expect != UINT64_MAX && k->written != k->expect) {
        snprintf(err, errlen, "stream ended after %" PRIu64 " of %" PRIu64 " bytes", k->written, k->expect);
        ret = -1;
    }
    /* Close the writers either way; report their error only if none came first. */
    char scratch[256];
    char *e = ret ? scratch : err;
    size_t elen = ret ? sizeof scratch : errlen;
    if (k->wav && wav_writer_close(&k->wav, e, elen) < 0)
        ret = -1;
    e = ret ? scratch : err;
    elen = ret ? sizeof scratch : errlen;
    if (k->png && png_writer_close(&k->png, e, elen) < 0)
        ret = -1;
    return ret;
}

int sink_pad(Sink *k, char *err, size_t errlen)
{
    static const uint8_t zeros[4096];
    while (k->expect != UINT64_MAX && k->written < k->expect) {
        size_t n = k->expect - k->written < sizeof zeros ? (size_t)(k->expect - k->written) : sizeof zeros;
        if (sink_write(k, zeros, n, err, errlen) < 0)
            return -1;
    }
    return 0;
}

void sink_close(Sink *k)
{
    char dummy[128];
    wav_writer_close(&k->wav, dummy, sizeof dummy);
    png_writer_close(&k->png, dummy, sizeof dummy);
    free(k->carry);
    free(k->swapped);
    k->carry = k->swapped = NULL;
    free_tags(k);
}
