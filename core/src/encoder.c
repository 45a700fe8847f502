/*
 * The encoder context: buffers input into frames, codes a batch of frames on the
 * worker threads, and queues header, frames and trailer as packets in order.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "format.h"
#include "framecoder.h"
#include "kernels.h"
#include "log.h"
#include "modelstore.h"
#include "parallel.h"
#include "tags.h"

#define FRAMES_PER_THREAD 2

typedef struct OutPacket {
    BytelmPacketType type;
    size_t off, size;
    uint64_t first_unit;
    uint32_t n_units;
} OutPacket;

typedef struct FrameJob {
    size_t raw_off;
    uint32_t n_units, index;
    BlmBuf out;
    int ret;
} FrameJob;

struct BytelmEncoder {
    BytelmSettings s;
    BlmLog log;
    BlmHeader h;
    BlmModel *model;
    int threads, batch;
    size_t frame_bytes, unit_bytes;
    BlmFrameCoder **coders;   /* one per worker */
    int forced_mode;          /* BYTELM_FRAME_MODE (tests only), else -1 */
    FrameJob *jobs;

    uint8_t *raw;             /* input of the batch being filled */
    size_t raw_len, raw_cap;

    BlmBuf out;               /* stream bytes not yet pulled */
    size_t out_read;
    OutPacket *pk;
    size_t n_pk, pk_cap, pk_head;
    int pk_returned;

    BlmTags tags;
    int tags_sealed;          /* the tags chunk (if any) is queued: no more tags */
    uint64_t tags_bytes;      /* its size; seek offsets do not count it */

    BlmSeekEntry *seek;
    uint32_t n_frames, seek_cap;
    uint64_t stream_pos, bytes_in, units_in;
    BlmMd5 md5;
    int finished, error;
};

static int queue_packet(BytelmEncoder *e, BytelmPacketType type, const uint8_t *data, size_t size,
                        uint64_t first_unit, uint32_t n_units)
{
    if (e->n_pk == e->pk_cap) {
        size_t cap = e->pk_cap ? 2 * e->pk_cap : 16;
        OutPacket *p = realloc(e->pk, cap * sizeof(*p));
        if (!p)
            return BYTELM_ENOMEM;
        e->pk = p;
        e->pk_cap = cap;
    }
    size_t off = e->out.len;
    if (blm_buf_write(&e->out, data, size))
        return BYTELM_ENOMEM;
    e->pk[e->n_pk++] = (OutPacket){type, off, size, first_unit, n_units};
    e->stream_pos += size;
    return 0;
}

static int setup_header(BlmHeader *h, const BytelmSettings *s)
{
    memset(h, 0, sizeof(*h));
    h->kind = s->kind;
    h->source = s->source;
    h->preset = (uint8_t)s->preset;
    h->total_units = s->total_units;
    switch (s->kind) {
    case BYTELM_KIND_PCM_S16LE:
        h->sample_rate = s->sample_rate;
        h->channels = s->channels;
        h->channel_mask = s->channel_mask;
        h->transform = BLM_TRANSFORM_LPC;
        break;
    default:
        if (blm_kind_is_image(s->kind)) {
            h->width = s->width;
            h->height = s->height;
            h->total_units = s->height;
            /* the model's transform exists for the first image kinds only */
            h->transform = blm_kind_is_v1_image(s->kind) ? BLM_TRANSFORM_PREDICT : BLM_TRANSFORM_IDENTITY;
        }
        break;
    }
    if ((unsigned)s->kind > BYTELM_KIND_LAST || (unsigned)s->preset > BYTELM_PRESET_MAX)
        return BYTELM_EINVAL;
    h->frame_units = s->frame_units ? s->frame_units : 1;
    if (blm_header_validate(h) < 0)
        return BYTELM_EINVAL;
    if (!s->frame_units)
        h->frame_units = blm_default_frame_units(h);
    return blm_header_validate(h);
}

int bytelm_encoder_open(BytelmEncoder **out, const BytelmSettings *s)
{
    *out = NULL;
    if (!s || blm_settings_check(s) < 0)
        return BYTELM_EINVAL;
    BytelmEncoder *e = calloc(1, sizeof(*e));
    if (!e)
        return BYTELM_ENOMEM;
    e->s = *s;
    e->log = (BlmLog){s->log_callback, s->log_opaque, s->log_level};
    blm_buf_init(&e->out, BLM_BUF_NO_LIMIT);
    blm_md5_init(&e->md5);
    blm_tags_init(&e->tags);
    int ret = setup_header(&e->h, s);
    if (ret < 0) {
        blm_log(&e->log, BYTELM_LOG_ERROR, "invalid encoder settings (kind %d, %u Hz, %u channels, %ux%u, frame %u)",
                (int)s->kind, s->sample_rate, s->channels, s->width, s->height, s->frame_units);
        goto fail;
    }
    uint8_t wanted[32];
    /* images with alpha or 16-bit samples have no model path: mode 7 or stored */
    const int wants_model = !blm_kind_is_image(s->kind) || blm_kind_is_v1_image(s->kind);
    if (wants_model && (ret = blm_model_for_encoding(s, &e->model, wanted)) < 0) {
        if (ret == BYTELM_ENOMODEL && !s->model_path) {
            char why[1024];
            blm_model_describe_missing(wanted, s, why, sizeof(why));
            blm_log(&e->log, BYTELM_LOG_ERROR, "%s", why);
        } else {
            blm_log(&e->log, BYTELM_LOG_ERROR, "cannot load model %s: %s",
                    s->model_path ? s->model_path : "(built in)", bytelm_strerror(ret));
        }
        goto fail;
    }
    if (e->model) {
        memcpy(e->h.model_hash, blm_model_hash(e->model), 32);
        char hex[65];
        blm_hash_to_hex(e->h.model_hash, hex);
        blm_log(&e->log, BYTELM_LOG_INFO, "model %s (%s), kernels %s",
                blm_model_params(e->model)->name, hex, blm_kernels_name());
    } else if (wants_model) {
        blm_log(&e->log, BYTELM_LOG_WARNING, "no model built in: frames are stored or FLAC-coded");
    }
    e->threads = s->threads > 0 ? s->threads : blm_cpu_count();
    /* For tests that need a frame mode the encoder would not choose (docs/CLI.md,
     * ENVIRONMENT): every frame in that mode, or the encoding fails. */
    const char *mode = getenv("BYTELM_FRAME_MODE");
    e->forced_mode = mode && *mode >= '0' && *mode <= '7' && !mode[1] ? *mode - '0' : -1;
    if (e->threads > 64)
        e->threads = 64;
    e->unit_bytes = (size_t)blm_header_unit_bytes(&e->h);
    e->frame_bytes = (size_t)e->h.frame_units * e->unit_bytes;
    e->batch = e->threads * FRAMES_PER_THREAD;
    e->coders = calloc((size_t)e->threads, sizeof(*e->coders));
    e->jobs = calloc((size_t)e->batch, sizeof(*e->jobs));
    if (!e->coders || !e->jobs) {
        ret = BYTELM_ENOMEM;
        goto fail;
    }
    for (int i = 0; i < e->batch; i++)
        blm_buf_init(&e->jobs[i].out, BLM_BUF_NO_LIMIT);

    uint8_t header[BLM_HEADER_SIZE];
    blm_header_write(&e->h, header);
    if ((ret = queue_packet(e, BYTELM_PACKET_HEADER, header, sizeof(header), 0, 0)) < 0)
        goto fail;
    *out = e;
    return 0;
fail:
    bytelm_encoder_close(&e);
    return ret;
}

int bytelm_encoder_add_tag(BytelmEncoder *e, const char *key, const char *value)
{
    if (!e || !key || !value)
        return BYTELM_EINVAL;
    if (e->tags_sealed)
        return BYTELM_ESTATE;
    if (!e->tags.vendor) {
        char vendor[64];
        int n = snprintf(vendor, sizeof(vendor), "bytelm %s", bytelm_version());
        if (!(e->tags.vendor = malloc((size_t)n + 1)))
            return BYTELM_ENOMEM;
        memcpy(e->tags.vendor, vendor, (size_t)n + 1);
    }
    int ret = blm_tags_add(&e->tags, key, value);
    if (ret == BYTELM_EINVAL)
        blm_log(&e->log, BYTELM_LOG_ERROR, "tag %s: %s", key,
                blm_tags_key_valid(key) ? "the tags would pass their 1 MiB limit"
                                        : "a key is ASCII 0x20..0x7D without '='");
    return ret;
}

/* Called before the first input or output: the header (queued at open, nothing has
 * been pulled yet) gets its tags flag and the tags chunk follows it. */
static int seal_tags(BytelmEncoder *e)
{
    if (e->tags_sealed)
        return 0;
    e->tags_sealed = 1;
    if (!e->tags.n)
        return 0;
    e->h.flags |= BLM_HEADER_HAS_TAGS;
    blm_header_write(&e->h, e->out.data + e->pk[0].off);
    size_t size = blm_tags_chunk_size(&e->tags);
    uint8_t *chunk = malloc(size);
    if (!chunk)
        return BYTELM_ENOMEM;
    blm_tags_chunk_write(&e->tags, chunk);
    int ret = queue_packet(e, BYTELM_PACKET_TAGS, chunk, size, 0, 0);
    free(chunk);
    e->tags_bytes = size;
    return ret;
}

static void encode_job(void *ctx, int job, int worker)
{
    BytelmEncoder *e = ctx;
    FrameJob *j = &e->jobs[job];
    if (!e->coders[worker]) {
        if (!(e->coders[worker] = blm_frame_coder_new(&e->h, e->model))) {
            j->ret = BYTELM_ENOMEM;
            return;
        }
        if (e->forced_mode >= 0)
            blm_frame_coder_force_mode(e->coders[worker], e->forced_mode);
    }
    blm_buf_reset(&j->out, BLM_BUF_NO_LIMIT);
    j->ret = blm_frame_encode(e->coders[worker], e->raw + j->raw_off, j->n_units, j->index, &j->out);
}

static int add_seek_entry(BytelmEncoder *e, uint64_t first_unit)
{
    if (e->n_frames == e->seek_cap) {
        uint32_t cap = e->seek_cap ? 2 * e->seek_cap : 64;
        BlmSeekEntry *p = realloc(e->seek, cap * sizeof(*p));
        if (!p)
            return BYTELM_ENOMEM;
        e->seek = p;
        e->seek_cap = cap;
    }
    e->seek[e->n_frames++] = (BlmSeekEntry){e->stream_pos - e->tags_bytes, first_unit};
    return 0;
}

/* Codes every complete frame in e->raw (and the partial last one when finishing). */
static int encode_batch(BytelmEncoder *e, int final)
{
    int n = 0;
    for (size_t off = 0; off < e->raw_len && n < e->batch; off += e->frame_bytes) {
        size_t len = e->raw_len - off < e->frame_bytes ? e->raw_len - off : e->frame_bytes;
        if (len < e->frame_bytes && !final)
            break;
        if (e->n_frames + (uint32_t)n >= BLM_MAX_FRAMES)
            return BYTELM_ENOMEM;
        e->jobs[n] = (FrameJob){.raw_off = off, .n_units = (uint32_t)(len / e->unit_bytes),
                                .index = e->n_frames + (uint32_t)n, .out = e->jobs[n].out};
        n++;
    }
    blm_parallel_for(n, e->threads, encode_job, e);
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        FrameJob *j = &e->jobs[i];
        int ret = j->ret;
        uint64_t first = (uint64_t)j->index * e->h.frame_units;
        if (ret < 0 || (ret = add_seek_entry(e, first)) < 0 ||
            (ret = queue_packet(e, BYTELM_PACKET_FRAME, j->out.data, j->out.len, first, j->n_units)) < 0)
            return ret;
        used += (size_t)j->n_units * e->unit_bytes;
    }
    memmove(e->raw, e->raw + used, e->raw_len - used);
    e->raw_len -= used;
    return 0;
}

int bytelm_encoder_push(BytelmEncoder *e, const void *data, size_t len)
{
    if (!e || (!data && len))
        return BYTELM_EINVAL;
    if (e->error)
        return e->error;
    if (e->finished)
        return BYTELM_ESTATE;
    int ret = seal_tags(e);
    if (ret < 0)
        return e->error = ret;
    const uint8_t *p = data;
    const size_t batch_bytes = e->frame_bytes * (size_t)e->batch;
    blm_md5_update(&e->md5, p, len);
    e->bytes_in += len;
    while (len) {
        if (!e->raw) {
            if (!(e->raw = malloc(batch_bytes)))
                return e->error = BYTELM_ENOMEM;
            e->raw_cap = batch_bytes;
        }
        size_t n = e->raw_cap - e->raw_len < len ? e->raw_cap - e->raw_len : len;
        memcpy(e->raw + e->raw_len, p, n);
        e->raw_len += n;
        p += n;
        len -= n;
        if (e->raw_len == e->raw_cap) {
            ret = encode_batch(e, 0);
            if (ret < 0)
                return e->error = ret;
        }
    }
    return 0;
}

int bytelm_encoder_finish(BytelmEncoder *e)
{
    if (!e)
        return BYTELM_EINVAL;
    if (e->error)
        return e->error;
    if (e->finished)
        return BYTELM_ESTATE;
    e->finished = 1;
    int ret = seal_tags(e);
    if (ret < 0)
        return e->error = ret;
    if (e->bytes_in % e->unit_bytes) {
        blm_log(&e->log, BYTELM_LOG_ERROR, "input ends inside a %s (%llu bytes is not a multiple of %zu)",
                e->h.kind == BYTELM_KIND_PCM_S16LE ? "sample frame" : "row",
                (unsigned long long)e->bytes_in, e->unit_bytes);
        return e->error = BYTELM_EINVAL;
    }
    uint64_t units = e->bytes_in / e->unit_bytes;
    if (e->h.total_units != BYTELM_UNKNOWN_LENGTH && units != e->h.total_units) {
        blm_log(&e->log, BYTELM_LOG_ERROR, "got %llu units of input, the settings announced %llu",
                (unsigned long long)units, (unsigned long long)e->h.total_units);
        return e->error = BYTELM_EINVAL;
    }
    while (e->raw_len) {
        ret = encode_batch(e, 1);
        if (ret < 0)
            return e->error = ret;
    }
    uint8_t md5[16];
    blm_md5_final(&e->md5, md5);
    size_t size = blm_trailer_size(e->n_frames);
    uint8_t *t = malloc(size);
    if (!t)
        return e->error = BYTELM_ENOMEM;
    blm_trailer_write(units, e->n_frames, e->seek, md5, t);
    ret = queue_packet(e, BYTELM_PACKET_TRAILER, t, size, 0, 0);
    free(t);
    return ret < 0 ? (e->error = ret) : 0;
}

/* Forgets the bytes already handed out once nothing else is pending. */
static void compact_output(BytelmEncoder *e)
{
    if (e->out_read == e->out.len) {
        e->out_read = 0;
        e->out.len = 0;
        e->n_pk = e->pk_head = 0;
    }
}

int bytelm_encoder_pull(BytelmEncoder *e, void *buf, size_t cap, size_t *len)
{
    if (!e || !len || (!buf && cap))
        return BYTELM_EINVAL;
    int ret = e->error ? 0 : seal_tags(e);
    if (ret < 0)
        return e->error = ret;
    size_t n = e->out.len - e->out_read;
    if (n > cap)
        n = cap;
    if (n)
        memcpy(buf, e->out.data + e->out_read, n);
    e->out_read += n;
    *len = n;
    compact_output(e);
    return 0;
}

int bytelm_encoder_pull_packet(BytelmEncoder *e, BytelmPacket *pkt)
{
    if (!e || !pkt)
        return BYTELM_EINVAL;
    int ret = e->error ? 0 : seal_tags(e);
    if (ret < 0)
        return e->error = ret;
    if (e->pk_returned) {
        e->out_read = e->pk[e->pk_head].off + e->pk[e->pk_head].size;
        e->pk_head++;
        e->pk_returned = 0;
        compact_output(e);
    }
    if (e->pk_head == e->n_pk)
        return BYTELM_EAGAIN;
    const OutPacket *p = &e->pk[e->pk_head];
    *pkt = (BytelmPacket){p->type, e->out.data + p->off, p->size, p->first_unit, p->n_units};
    e->pk_returned = 1;
    return 0;
}

void bytelm_encoder_stats(const BytelmEncoder *e, uint64_t *in_bytes, uint64_t *out_bytes)
{
    if (in_bytes)
        *in_bytes = e ? e->bytes_in : 0;
    if (out_bytes)
        *out_bytes = e ? e->stream_pos : 0;
}

void bytelm_encoder_close(BytelmEncoder **pe)
{
    BytelmEncoder *e = pe ? *pe : NULL;
    if (!e)
        return;
    if (e->coders)
        for (int i = 0; i < e->threads; i++)
            blm_frame_coder_free(e->coders[i]);
    if (e->jobs)
        for (int i = 0; i < e->batch; i++)
            blm_buf_free(&e->jobs[i].out);
    free(e->coders);
    free(e->jobs);
    blm_model_free(e->model);
    blm_md5_clear(&e->md5);
    blm_tags_clear(&e->tags);
    blm_buf_free(&e->out);
    free(e->raw);
    free(e->pk);
    free(e->seek);
    free(e);
    *pe = NULL;
}

uint64_t bytelm_encoder_delay(const BytelmEncoder *e)
{
    /* Frames are coded a batch at a time, once the whole batch's input is in. */
    return e ? (uint64_t)e->h.frame_units * (uint64_t)e->batch : 0;
}
