/*
 * bytelm command-line tool: --skip and --until, decoding part of a stream. As flac
 * does, the tool seeks: it reads the header and the trailer's seek table, decodes
 * only the frames that hold the range (each checked by its CRC and final state) and
 * keeps the range's units, and the stream's tags. The stream's MD5 covers all of it,
 * so it is not checked.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "range.h"

/* A position: a unit count ("44100"), or for audio a time, "[[h:]m:]s[.frac]". */
static int parse_position(const char *arg, const BytelmStreamInfo *info, uint64_t *units, char *err,
                          size_t errlen)
{
    char *end;
    if (!strpbrk(arg, ":.")) {
        errno = 0;
        const unsigned long long v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || arg[0] == '-') {
            snprintf(err, errlen, "'%s' is not a position (a unit count, or for audio [[h:]m:]s[.frac])",
                     arg);
            return -1;
        }
        *units = v;
        return 0;
    }
    if (info->kind != BYTELM_KIND_PCM_S16LE) {
        snprintf(err, errlen, "'%s': a time applies to audio; give a count of %s", arg,
                 info->kind == BYTELM_KIND_BYTES ? "bytes" : "rows");
        return -1;
    }
    double seconds = 0;
    const char *p = arg;
    for (int field = 0;; field++) {
        errno = 0;
        const double v = strtod(p, &end);
        if (errno || end == p || *p == '-' || *p == '+' || field > 2 || !isfinite(v)) {
            snprintf(err, errlen, "'%s' is not a time ([[h:]m:]s[.frac])", arg);
            return -1;
        }
        seconds = seconds * 60 + v;
        if (*end != ':')
            break;
        if (strchr(p, '.') && strchr(p, '.') < end) { /* only the seconds have a fraction */
            snprintf(err, errlen, "'%s' is not a time ([[h:]m:]s[.frac])", arg);
            return -1;
        }
        p = end + 1;
    }
    if (*end) {
        snprintf(err, errlen, "'%s' is not a time ([[h:]m:]s[.frac])", arg);
        return -1;
    }
    const double u = floor(seconds * info->sample_rate + 1e-6);
    *units = u >= 1.8e19 ? UINT64_MAX : (uint64_t)u;
    return 0;
}

static int read_at(FILE *f, uint64_t pos, void *buf, size_t n)
{
    return fseeko(f, (off_t)pos, SEEK_SET) == 0 && fread(buf, 1, n, f) == n ? 0 : -1;
}

/* Reads the header, the tags chunk's size and the trailer. */
static int read_layout(Range *r, const char *name)
{
    const char *why = NULL;
    uint8_t end[8];
    uint64_t trailer_size;
    BytelmChunk ch;
    int rc = 0;
    if (fseeko(r->f, 0, SEEK_END) != 0 || (r->file_size = (uint64_t)ftello(r->f)) < 8 ||
        read_at(r->f, r->file_size - 8, end, 8) < 0) {
        error_msg(name, "cannot read the end of the stream: %s", strerror(errno));
        return -1;
    }
    if ((rc = bytelm_chunk_trailer_size(end, 8, &trailer_size)) < 0 || trailer_size > r->file_size)
        why = "the stream does not end with its trailer (cut short, or still being written)";
    else if (!(r->trailer = malloc(trailer_size)) || !(r->header = malloc(r->header_len)))
        why = "out of memory";
    else if (read_at(r->f, r->file_size - trailer_size, r->trailer, trailer_size) < 0 ||
             read_at(r->f, 0, r->header, r->header_len) < 0)
        why = "read error";
    else if ((rc = bytelm_chunk_parse(r->trailer, trailer_size, &r->info, &ch)) < 0 ||
             ch.type != BYTELM_CHUNK_TRAILER || ch.size != trailer_size)
        why = "its trailer is damaged";
    if (why) {
        error_msg(name, "cannot seek: %s; decode it whole (without --skip and --until)%s", why,
                  rc == BYTELM_ECRC || rc == BYTELM_EFORMAT ? ", with --recover if it is damaged" : "");
        return -1;
    }
    r->trailer_len = trailer_size;
    r->trailer_pos = r->file_size - trailer_size;
    r->n_frames = ch.n_frames;
    r->total_units = ch.total_units;
    /* a tags chunk between the header and frame 0 shifts every frame (docs/FORMAT.md
     * §3): its size from its first bytes */
    uint8_t head[16];
    BytelmChunk tags;
    const size_t n = r->trailer_pos - r->header_len < sizeof head ? (size_t)(r->trailer_pos - r->header_len)
                                                                  : sizeof head;
    if (read_at(r->f, r->header_len, head, n) < 0) {
        error_msg(name, "read error: %s", strerror(errno));
        return -1;
    }
    rc = bytelm_chunk_parse(head, n, &r->info, &tags);
    if ((rc == 0 || rc == BYTELM_EAGAIN) && tags.type == BYTELM_CHUNK_TAGS)
        r->tags_size = tags.size;
    return 0;
}

int range_open(Range *r, const Options *o, const char *path, const char *name,
               const BytelmStreamInfo *info, size_t header_len)
{
    char err[256];
    memset(r, 0, sizeof *r);
    r->info = *info;
    r->header_len = header_len;
    if (!(r->f = fopen(path, "rb"))) {
        error_msg(name, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (read_layout(r, name) < 0)
        return -1;
    r->from = 0;
    r->to = r->total_units;
    if ((o->skip && parse_position(o->skip, info, &r->from, err, sizeof err) < 0) ||
        (o->until && parse_position(o->until, info, &r->to, err, sizeof err) < 0)) {
        error_msg(name, "%s", err);
        return -1;
    }
    const char *what = info->kind == BYTELM_KIND_PCM_S16LE ? "samples"
                       : info->kind == BYTELM_KIND_BYTES   ? "bytes"
                                                           : "rows";
    if (r->to > r->total_units) {
        error_msg(name, "--until %s is past the end of the stream (%" PRIu64 " %s)", o->until,
                  r->total_units, what);
        return -1;
    }
    if (r->from >= r->to) {
        error_msg(name, "nothing to decode: --skip %s is at or past %s (%" PRIu64 " of %" PRIu64 " %s)",
                  o->skip, o->until ? "--until" : "the end", r->from, r->to, what);
        return -1;
    }
    return 0;
}

/* The stream's tags, as a whole decode would give them: the header and the tags chunk
 * pushed into a decoder of their own. */
static int copy_tags(const Options *o, const char *name, Range *r, Sink *k)
{
    BytelmSettings s;
    BytelmDecoder *dec = NULL;
    const char *const *keys, *const *values;
    size_t n_tags;
    uint8_t *tags = malloc(r->tags_size ? r->tags_size : 1);
    int ret = 0;
    base_settings(o, &s, name);
    int rc = !tags || bytelm_decoder_open(&dec, &s) < 0 || read_at(r->f, r->header_len, tags, r->tags_size) < 0
                 ? -1 : bytelm_decoder_push(dec, r->header, r->header_len);
    if (rc == 0 || rc == BYTELM_EAGAIN)
        rc = bytelm_decoder_push(dec, tags, r->tags_size);
    if (rc < 0 && rc != BYTELM_EAGAIN) {
        error_msg(name, "cannot read the stream's tags");
        ret = -1;
    } else if (bytelm_decoder_get_tags(dec, &keys, &values, &n_tags) == 0 && n_tags &&
               sink_set_tags(k, keys, values, n_tags) < 0) {
        error_msg(name, "cannot keep the stream's tags: out of memory");
        ret = -1;
    }
    bytelm_decoder_close(&dec);
    free(tags);
    return ret;
}

int range_decode(const Options *o, const char *name, Range *r, Sink *k, Progress *prog,
                 uint64_t *in_bytes)
{
    char err[512] = "";
    BytelmSettings s;
    BytelmDecoder *dec = NULL;
    uint8_t *frame = NULL;
    int ret = -1, rc;
    base_settings(o, &s, name);
    if ((rc = bytelm_decoder_open(&dec, &s)) < 0 ||
        (rc = bytelm_decoder_open_header(dec, r->header, r->header_len)) < 0) {
        lib_error(name, "cannot start decoder", rc);
        goto done;
    }
    *in_bytes = r->header_len;
    const uint32_t first = (uint32_t)(r->from / r->info.frame_units);
    const uint64_t last = (r->to - 1) / r->info.frame_units;
    for (uint64_t i = first; i <= last; i++) {
        uint64_t start, next = r->trailer_pos - r->tags_size, unit;
        if (i >= r->n_frames ||
            bytelm_chunk_seek_entry(r->trailer, r->trailer_len, (uint32_t)i, &start, &unit) < 0 ||
            (i + 1 < r->n_frames &&
             bytelm_chunk_seek_entry(r->trailer, r->trailer_len, (uint32_t)i + 1, &next, &unit) < 0) ||
            next <= start || next - start > ((uint64_t)1 << 31)) {
            error_msg(name, "cannot seek: the seek table is damaged at frame %" PRIu64, i);
            goto done;
        }
        const size_t len = (size_t)(next - start);
        uint8_t *bigger = realloc(frame, len);
        if (!bigger) {
            error_msg(name, "out of memory");
            goto done;
        }
        frame = bigger;
        if (read_at(r->f, start + r->tags_size, frame, len) < 0) {
            error_msg(name, "read error: %s", strerror(errno));
            goto done;
        }
        const uint8_t *raw;
        size_t raw_len;
        uint64_t at;
        if ((rc = bytelm_decoder_decode_frame(dec, frame, len, &raw, &raw_len, &at)) < 0) {
            lib_error(name, "reading stream", rc);
            goto done;
        }
        *in_bytes += len;
        /* the part of this frame inside [from, to), in bytes */
        const uint64_t units = raw_len / r->info.unit_bytes;
        const uint64_t lo = r->from > at ? r->from - at : 0;
        const uint64_t hi = r->to < at + units ? r->to - at : units;
        if (lo < hi && sink_write(k, raw + lo * r->info.unit_bytes, (size_t)((hi - lo) * r->info.unit_bytes),
                                  err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        progress_update(prog, *in_bytes, k->written);
    }
    if (r->tags_size && copy_tags(o, name, r, k) < 0)
        goto done;
    ret = 0;
done:
    free(frame);
    bytelm_decoder_close(&dec);
    return ret;
}

void range_close(Range *r)
{
    if (r->f)
        fclose(r->f);
    free(r->header);
    free(r->trailer);
    memset(r, 0, sizeof *r);
}
