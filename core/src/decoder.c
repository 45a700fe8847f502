/*
 * The decoder context: parses the stream as bytes arrive, decodes batches of
 * frames on the worker threads, and checks the trailer (frame count, length,
 * seek table, MD5) at the end. In recovery mode damage becomes a list of losses
 * instead of an error (see bytelm_decoder_set_recover).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "format.h"
#include "framecoder.h"
#include "log.h"
#include "modelstore.h"
#include "parallel.h"
#include "tags.h"

/* A batch gives each thread one group of this many frames, which its frame coder
 * decodes in lockstep (blm_frame_decode_many): the lanes are only full when the
 * group is. */
#define FRAMES_PER_THREAD BLM_DECODE_LANES

enum DecState { WANT_HEADER, WANT_TAGS, WANT_FRAME, DONE };

typedef struct DecodeJob {
    BlmFrameHeader fh;
    uint64_t offset;     /* in the stream, for loss reports */
    size_t len;
    uint8_t *frame;      /* the whole frame, copied from the input */
    size_t frame_cap;
    uint8_t *raw;
    size_t raw_cap;
} DecodeJob;

struct BytelmDecoder {
    BytelmSettings s;
    BlmLog log;
    enum DecState state;
    BlmHeader h;
    int have_header;
    BlmModel *model;
    int model_ret;           /* why the model could not be loaded, or 0 */
    int threads, batch;
    BlmFrameCoder **coders;
    DecodeJob *jobs;
    BlmFrameTask *tasks;     /* [batch]: jobs[i] as handed to the frame coders, with ret */
    int n_jobs, n_groups;

    BlmBuf in;               /* stream bytes not yet parsed */
    size_t in_read;
    uint64_t stream_pos;     /* stream offset of in.data[in_read] */

    BlmBuf out;              /* decoded bytes not yet pulled */
    size_t out_read;

    BlmTags tags;
    uint64_t tags_bytes;     /* the tags chunk's size: seek offsets do not count it */

    BlmSeekEntry *seek;      /* where frames were found, to compare with the trailer */
    uint32_t n_frames, seek_cap;
    uint64_t units_out;
    BlmMd5 md5;
    int error;

    uint8_t *single;         /* packet-level decoding output */
    size_t single_cap;

    int finishing;           /* finish() was called: no more input will come */
    uint32_t next_index;     /* index of the next frame in the output */

    /* recovery */
    int recover;
    int resync;              /* skipping damaged bytes, looking for the next frame */
    uint64_t skip_from;      /* stream offset where the damage began */
    int skip_err;            /* what was wrong there */
    uint64_t gap_zeros;      /* zero bytes pull() owes after d->out, before parsing on */
    BytelmLoss *losses;
    size_t n_losses, losses_read, losses_cap;
};

int bytelm_decoder_open(BytelmDecoder **out, const BytelmSettings *s)
{
    *out = NULL;
    if (s && blm_settings_check(s) < 0)
        return BYTELM_EINVAL;
    BytelmDecoder *d = calloc(1, sizeof(*d));
    if (!d)
        return BYTELM_ENOMEM;
    if (s)
        d->s = *s;
    else
        bytelm_default_settings(&d->s);
    d->log = (BlmLog){d->s.log_callback, d->s.log_opaque, d->s.log_level};
    d->threads = d->s.threads > 0 ? d->s.threads : blm_cpu_count();
    if (d->threads > 64)
        d->threads = 64;
    d->batch = d->threads * FRAMES_PER_THREAD;
    d->coders = calloc((size_t)d->threads, sizeof(*d->coders));
    d->jobs = calloc((size_t)d->batch, sizeof(*d->jobs));
    d->tasks = calloc((size_t)d->batch, sizeof(*d->tasks));
    blm_buf_init(&d->in, BLM_BUF_NO_LIMIT);
    blm_buf_init(&d->out, BLM_BUF_NO_LIMIT);
    blm_md5_init(&d->md5);
    blm_tags_init(&d->tags);
    if (!d->coders || !d->jobs || !d->tasks) {
        bytelm_decoder_close(&d);
        return BYTELM_ENOMEM;
    }
    *out = d;
    return 0;
}

static int set_header(BytelmDecoder *d, const BlmHeader *h)
{
    d->h = *h;
    d->have_header = 1;
    static const uint8_t zero[32];
    if (!memcmp(h->model_hash, zero, 32))
        return 0;
    d->model_ret = blm_model_find(h->model_hash, &d->s, &d->model);
    if (d->model_ret < 0) {
        char hex[65];
        blm_hash_to_hex(h->model_hash, hex);
        /* Only an error once a frame needs it: stored and FLAC frames decode without. */
        blm_log(&d->log, BYTELM_LOG_INFO, "model %s: %s", hex, bytelm_strerror(d->model_ret));
    }
    return 0;
}

int bytelm_decoder_set_recover(BytelmDecoder *d, int on)
{
    if (!d)
        return BYTELM_EINVAL;
    if (d->have_header)
        return BYTELM_ESTATE;
    d->recover = !!on;
    return 0;
}

static int add_loss(BytelmDecoder *d, uint64_t first_unit, uint64_t n_units, int filled,
                    uint64_t offset, uint64_t size, int err)
{
    if (d->n_losses == d->losses_cap) {
        size_t cap = d->losses_cap ? 2 * d->losses_cap : 16;
        BytelmLoss *p = realloc(d->losses, cap * sizeof(*p));
        if (!p)
            return BYTELM_ENOMEM;
        d->losses = p;
        d->losses_cap = cap;
    }
    d->losses[d->n_losses++] = (BytelmLoss){first_unit, n_units, filled, offset, size, err};
    blm_log(&d->log, BYTELM_LOG_INFO, "lost %llu units from unit %llu (stream bytes %llu..%llu): %s",
            (unsigned long long)n_units, (unsigned long long)first_unit, (unsigned long long)offset,
            (unsigned long long)(offset + size), bytelm_strerror(err));
    return 0;
}

int bytelm_decoder_next_loss(BytelmDecoder *d, BytelmLoss *loss)
{
    if (!d || !loss)
        return BYTELM_EINVAL;
    if (d->losses_read == d->n_losses)
        return BYTELM_EAGAIN;
    *loss = d->losses[d->losses_read++];
    return 0;
}

static BlmFrameCoder *coder(BytelmDecoder *d, int worker)
{
    if (!d->coders[worker])
        d->coders[worker] = blm_frame_coder_new(&d->h, d->model);
    return d->coders[worker];
}

/* Group g of the batch: a contiguous run of frames, the groups as even as can be. */
static void decode_group(void *ctx, int group, int worker)
{
    BytelmDecoder *d = ctx;
    int first = group * d->n_jobs / d->n_groups, end = (group + 1) * d->n_jobs / d->n_groups;
    BlmFrameCoder *fc = coder(d, worker);
    if (!fc) {
        for (int i = first; i < end; i++)
            d->tasks[i].ret = BYTELM_ENOMEM;
        return;
    }
    blm_frame_decode_many(fc, d->tasks + first, end - first);
}

static int grow(uint8_t **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    uint8_t *q = realloc(*p, need);
    if (!q)
        return BYTELM_ENOMEM;
    *p = q;
    *cap = need;
    return 0;
}

static int decode_pending(BytelmDecoder *d)
{
    for (int i = 0; i < d->n_jobs; i++) {
        DecodeJob *j = &d->jobs[i];
        d->tasks[i] = (BlmFrameTask){&j->fh, j->frame + blm_frame_header_size(&j->fh), j->raw, 0};
    }
    /* One group per thread, so that each thread's lanes fill from one group; a batch
     * smaller than threads x FRAMES_PER_THREAD (the stream's end) is still spread
     * over all threads. Which thread decodes a frame never changes its bytes. */
    d->n_groups = d->n_jobs < d->threads ? d->n_jobs : d->threads;
    blm_parallel_for(d->n_groups, d->threads, decode_group, d);
    const size_t unit = (size_t)blm_header_unit_bytes(&d->h);
    for (int i = 0; i < d->n_jobs; i++) {
        DecodeJob *j = &d->jobs[i];
        int ret = d->tasks[i].ret;
        size_t len = (size_t)j->fh.n_units * unit;
        if (ret < 0 && ret != BYTELM_ENOMEM && d->recover) {
            memset(j->raw, 0, len);
            ret = add_loss(d, j->fh.first_unit, j->fh.n_units, 1, j->offset, j->len, ret);
        }
        if (ret < 0) {
            blm_log(&d->log, BYTELM_LOG_ERROR, "frame %u: %s", j->fh.index, bytelm_strerror(ret));
            d->n_jobs = 0;
            return ret;
        }
        blm_md5_update(&d->md5, j->raw, len);
        if (blm_buf_write(&d->out, j->raw, len))
            return BYTELM_ENOMEM;
        d->units_out += j->fh.n_units;
    }
    d->n_jobs = 0;
    return 0;
}

static int queue_frame(BytelmDecoder *d, const BlmFrameHeader *fh, const uint8_t *frame, size_t len)
{
    if (fh->index != d->next_index) {
        blm_log(&d->log, BYTELM_LOG_ERROR, "frame %u found where frame %u was expected", fh->index, d->next_index);
        return BYTELM_EFORMAT;
    }
    if (blm_mode_uses_model(fh->mode) && !d->model && !d->recover) {
        if (d->model_ret < 0 && d->model_ret != BYTELM_ENOMODEL) {
            char hex[65];
            blm_hash_to_hex(d->h.model_hash, hex);
            blm_log(&d->log, BYTELM_LOG_ERROR, "this stream needs model %s, which did not load: %s", hex,
                    bytelm_strerror(d->model_ret));
        } else {
            char why[1024];
            blm_model_describe_missing(d->h.model_hash, &d->s, why, sizeof(why));
            blm_log(&d->log, BYTELM_LOG_ERROR, "this stream needs %s", why);
        }
        return d->model_ret < 0 && d->model_ret != BYTELM_ENOMODEL ? d->model_ret : BYTELM_ENOMODEL;
    }
    if (d->n_frames == d->seek_cap) {
        uint32_t cap = d->seek_cap ? 2 * d->seek_cap : 64;
        BlmSeekEntry *p = realloc(d->seek, cap * sizeof(*p));
        if (!p)
            return BYTELM_ENOMEM;
        d->seek = p;
        d->seek_cap = cap;
    }
    d->seek[d->n_frames++] = (BlmSeekEntry){d->stream_pos - d->tags_bytes, fh->first_unit};
    d->next_index++;
    DecodeJob *j = &d->jobs[d->n_jobs];
    j->offset = d->stream_pos;
    j->len = len;
    size_t raw_len = (size_t)fh->n_units * blm_header_unit_bytes(&d->h);
    if (grow(&j->frame, &j->frame_cap, len) < 0 || grow(&j->raw, &j->raw_cap, raw_len) < 0)
        return BYTELM_ENOMEM;
    memcpy(j->frame, frame, len);
    j->fh = *fh;
    if (++d->n_jobs == d->batch)
        return decode_pending(d);
    return 0;
}

/* Recovery: the damage since d->skip_from (if any) ends here, at a good frame or the
 * trailer; gap_units before it are lost (for reason err if no damage was seen), and
 * pull() will produce their zeros before anything that follows. Pending frames must
 * have been decoded. */
static int close_gap(BytelmDecoder *d, uint64_t gap_units, int err)
{
    uint64_t from = d->resync ? d->skip_from : d->stream_pos;
    err = d->resync ? d->skip_err : err;
    d->resync = 0;
    if (!gap_units && from == d->stream_pos)
        return 0;
    d->gap_zeros = gap_units * blm_header_unit_bytes(&d->h);
    int ret = add_loss(d, d->units_out, gap_units, 1, from, d->stream_pos - from, err);
    d->units_out += gap_units;
    return ret;
}

/* Recovery: units the trailer says exist beyond the last frame read are lost at the
 * end; the seek table and the MD5 are only checked while nothing was lost. */
static int recover_trailer(BytelmDecoder *d, uint64_t total, uint32_t n, const BlmSeekEntry *seek,
                           const uint8_t md5[16])
{
    uint8_t got[16];
    int plausible = total <= (uint64_t)BLM_MAX_FRAMES * d->h.frame_units &&
                    (d->h.total_units == BYTELM_UNKNOWN_LENGTH || total == d->h.total_units);
    if (total > d->units_out && plausible)
        return close_gap(d, total - d->units_out, BYTELM_ETRUNCATED);
    int ret = close_gap(d, 0, 0);
    if (ret < 0)
        return ret;
    if (total != d->units_out || n != d->next_index)
        return add_loss(d, d->units_out, 0, 1, d->stream_pos, 0, BYTELM_EFORMAT);
    if (d->n_losses)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        if (seek[i].offset != d->seek[i].offset || seek[i].first_unit != d->seek[i].first_unit)
            return add_loss(d, 0, 0, 1, d->stream_pos, 0, BYTELM_EFORMAT);
    blm_md5_final(&d->md5, got);
    if (memcmp(got, md5, 16))
        return add_loss(d, 0, d->units_out, 0, 0, d->stream_pos, BYTELM_EMD5);
    return 0;
}

static int check_trailer(BytelmDecoder *d, const uint8_t *buf, size_t len, size_t *used)
{
    uint64_t total;
    uint32_t n;
    uint8_t md5[16], got[16];
    BlmSeekEntry *seek = NULL;
    int ret = blm_trailer_parse(buf, len, &total, &n, &seek, md5, used);
    if (ret < 0)
        return ret;
    if ((ret = decode_pending(d)) < 0)
        goto out;
    if (d->recover) {
        ret = recover_trailer(d, total, n, seek, md5);
        goto out;
    }
    ret = BYTELM_EFORMAT;
    if (n != d->n_frames || total != d->units_out ||
        (d->h.total_units != BYTELM_UNKNOWN_LENGTH && total != d->h.total_units)) {
        blm_log(&d->log, BYTELM_LOG_ERROR, "trailer says %u frames and %llu units, the stream had %u and %llu",
                n, (unsigned long long)total, d->n_frames, (unsigned long long)d->units_out);
        goto out;
    }
    for (uint32_t i = 0; i < n; i++)
        if (seek[i].offset != d->seek[i].offset || seek[i].first_unit != d->seek[i].first_unit) {
            blm_log(&d->log, BYTELM_LOG_ERROR, "seek table entry %u does not match the stream", i);
            goto out;
        }
    blm_md5_final(&d->md5, got);
    if (memcmp(got, md5, 16)) {
        blm_log(&d->log, BYTELM_LOG_ERROR, "MD5 of the decoded data does not match the stream's");
        ret = BYTELM_EMD5;
        goto out;
    }
    ret = 0;
out:
    free(seek);
    return ret;
}

/* No more input will come. Without recovery an unfinished stream is an error (after
 * handing out what its complete frames hold); with it, the lost end is noted. */
static int input_ended(BytelmDecoder *d)
{
    if (d->state == DONE)
        return 0;
    int ret = decode_pending(d);
    if (ret == 0 && d->recover && (d->state == WANT_TAGS || d->state == WANT_FRAME)) {
        uint64_t from = d->resync ? d->skip_from : d->stream_pos;
        int err = d->resync ? d->skip_err : BYTELM_ETRUNCATED;
        uint64_t lost = d->h.total_units == BYTELM_UNKNOWN_LENGTH ? BYTELM_UNKNOWN_LENGTH
                        : d->h.total_units > d->units_out        ? d->h.total_units - d->units_out
                                                                 : 0;
        d->state = DONE;
        d->resync = 0;
        return add_loss(d, d->units_out, lost, 0, from, d->stream_pos - from, err);
    }
    blm_log(&d->log, BYTELM_LOG_ERROR, "the stream is truncated %s",
            d->state == WANT_HEADER ? "in its header"
            : d->state == WANT_TAGS ? "in its tags"
                                    : "before its trailer");
    int err = d->state == WANT_HEADER && d->in.len == 0 ? BYTELM_EFORMAT : BYTELM_ETRUNCATED;
    return ret < 0 ? ret : err;
}

/* Offset of the first possible frame or trailer sync in p[0..n), counting one cut
 * off by the end; n if there is none. */
static size_t next_sync(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = n - i < 4 ? n - i : 4;
        if (p[i] == 'B' && (!memcmp(p + i, "BLMF", m) || !memcmp(p + i, "BLMT", m)))
            return i;
    }
    return n;
}

/* Recovery: the bytes at the current position are damaged; step over one and look
 * for the next sync from there. */
static size_t damaged(BytelmDecoder *d, int err)
{
    if (!d->resync) {
        d->resync = 1;
        d->skip_from = d->stream_pos;
        d->skip_err = err;
    }
    return 1;
}

/* One frame that parsed and passed its CRC, in recovery mode: a frame from further
 * on ends a gap, one from before (repeated, or out of order) is skipped. Returns the
 * bytes used: 0 to stop for the gap's zeros, which pull() produces first. */
static int recover_frame(BytelmDecoder *d, const BlmFrameHeader *fh, const uint8_t *p, size_t len,
                         size_t *used)
{
    int ret;
    *used = len;
    if (fh->index < d->next_index) {
        damaged(d, BYTELM_EFORMAT);
        return 0;
    }
    if (fh->index > d->next_index) {
        if ((ret = decode_pending(d)) < 0)
            return ret;
        d->next_index = fh->index;
        *used = 0;
        return close_gap(d, fh->first_unit - d->units_out, BYTELM_EFORMAT);
    }
    if (d->resync && ((ret = decode_pending(d)) < 0 || (ret = close_gap(d, 0, 0)) < 0))
        return ret;
    return queue_frame(d, fh, p, len);
}

/* How parse() goes on after a chunk parser's answer ret at the current position. */
enum ChunkOutcome {
    CHUNK_TAKE,   /* ret is 0: the chunk is whole and sound */
    CHUNK_SKIP,   /* recovery: *used steps over damaged bytes */
    CHUNK_STOP,   /* parse() returns *stop: 0 to wait for more input, or the error */
};

static enum ChunkOutcome chunk_outcome(BytelmDecoder *d, int ret, size_t *used, int *stop)
{
    if (ret == BYTELM_EAGAIN && !d->finishing) {
        *stop = 0;
        return CHUNK_STOP;
    }
    if (ret == BYTELM_EAGAIN && !d->recover) {
        *stop = input_ended(d);
        return CHUNK_STOP;
    }
    if (ret < 0 && d->recover && ret != BYTELM_ENOMEM) {
        *used = damaged(d, ret == BYTELM_EAGAIN ? BYTELM_ETRUNCATED : ret);
        return CHUNK_SKIP;
    }
    *stop = ret;
    return ret < 0 ? CHUNK_STOP : CHUNK_TAKE;
}

/* Parses and decodes as much of the buffered input as possible. */
static int parse(BytelmDecoder *d)
{
    for (;;) {
        if (d->gap_zeros)
            return 0; /* pull() resumes once it has handed them out */
        size_t avail = d->in.len - d->in_read, used = 0;
        const uint8_t *p = avail ? d->in.data + d->in_read : NULL;
        int ret, stop;
        if (d->state == DONE) {
            if (avail && d->recover) {
                if ((ret = add_loss(d, d->units_out, 0, 1, d->stream_pos, avail, BYTELM_EFORMAT)) < 0)
                    return ret;
                d->in_read = d->in.len = 0;
                d->stream_pos += avail;
            } else if (avail) {
                blm_log(&d->log, BYTELM_LOG_ERROR, "%zu bytes of data after the end of the stream", avail);
                return BYTELM_EFORMAT;
            }
            return 0;
        }
        if (!avail)
            return d->finishing ? input_ended(d) : 0;
        if (d->state == WANT_HEADER) {
            BlmHeader h;
            ret = blm_header_read(p, avail, &h);
            if (ret == BYTELM_EAGAIN)
                return d->finishing ? input_ended(d) : 0;
            if (ret < 0) {
                blm_log(&d->log, BYTELM_LOG_ERROR, "stream header: %s", bytelm_strerror(ret));
                return ret;
            }
            set_header(d, &h);
            used = BLM_HEADER_SIZE;
            d->state = h.flags & BLM_HEADER_HAS_TAGS ? WANT_TAGS : WANT_FRAME;
        } else if (d->state == WANT_TAGS) {
            /* Damaged tags are lost in recovery, not the data after them; without
             * it, the state stays and get_tags keeps answering EAGAIN. */
            ret = blm_tags_chunk_parse(p, avail, &d->tags, &used);
            const enum ChunkOutcome how = chunk_outcome(d, ret, &used, &stop);
            if (how == CHUNK_STOP) {
                if (stop < 0 && ret != BYTELM_EAGAIN)
                    blm_log(&d->log, BYTELM_LOG_ERROR, "tags after the header: %s", bytelm_strerror(ret));
                return stop;
            }
            if (how == CHUNK_TAKE)
                d->tags_bytes = used;
            d->state = WANT_FRAME;
        } else if (d->resync && (used = next_sync(p, avail)) > 0) {
            /* damaged bytes up to the next sync */
        } else if (d->resync && avail < 4) {
            if (!d->finishing)
                return 0;
            used = avail;
        } else if (avail >= 4 && blm_is_trailer_sync(p, avail)) {
            ret = check_trailer(d, p, avail, &used);
            const enum ChunkOutcome how = chunk_outcome(d, ret, &used, &stop);
            if (how == CHUNK_STOP)
                return stop;
            if (how == CHUNK_TAKE)
                d->state = DONE;
        } else {
            BlmFrameHeader fh;
            ret = blm_frame_parse(p, avail, &d->h, &fh, &used);
            const enum ChunkOutcome how = chunk_outcome(d, ret, &used, &stop);
            if (how == CHUNK_STOP) {
                if (stop < 0 && ret != BYTELM_EAGAIN)
                    blm_log(&d->log, BYTELM_LOG_ERROR, "frame %u at byte %llu: %s", d->n_frames,
                            (unsigned long long)d->stream_pos, bytelm_strerror(ret));
                return stop;
            }
            if (how == CHUNK_SKIP) {
                /* damaged bytes, stepped over */
            } else if (d->recover) {
                if ((ret = recover_frame(d, &fh, p, used, &used)) < 0)
                    return ret;
            } else if ((ret = queue_frame(d, &fh, p, used)) < 0) {
                return ret;
            }
        }
        d->in_read += used;
        d->stream_pos += used;
        if (d->in_read == d->in.len)
            d->in_read = d->in.len = 0;
    }
}

int bytelm_decoder_push(BytelmDecoder *d, const void *data, size_t len)
{
    if (!d || (!data && len))
        return BYTELM_EINVAL;
    if (d->error)
        return d->error;
    /* Keep the unparsed tail at the front so the buffer holds at most one frame. */
    if (d->in_read) {
        memmove(d->in.data, d->in.data + d->in_read, d->in.len - d->in_read);
        d->in.len -= d->in_read;
        d->in_read = 0;
    }
    if (blm_buf_write(&d->in, data, len))
        return d->error = BYTELM_ENOMEM;
    int ret = parse(d);
    return ret < 0 ? (d->error = ret) : 0;
}

int bytelm_decoder_finish(BytelmDecoder *d)
{
    if (!d)
        return BYTELM_EINVAL;
    if (d->error)
        return d->error;
    d->finishing = 1;
    int ret = parse(d);
    return ret < 0 ? (d->error = ret) : 0;
}

int bytelm_decoder_pull(BytelmDecoder *d, void *buf, size_t cap, size_t *len)
{
    if (!d || !len || (!buf && cap))
        return BYTELM_EINVAL;
    *len = 0;
    while (cap) {
        size_t n = d->out.len - d->out_read;
        if (n) {
            n = n < cap ? n : cap;
            memcpy(buf, d->out.data + d->out_read, n);
            d->out_read += n;
            if (d->out_read == d->out.len)
                d->out_read = d->out.len = 0;
            *len = n;
            return 0;
        }
        if (!d->gap_zeros)
            return 0;
        n = d->gap_zeros < cap ? (size_t)d->gap_zeros : cap;
        memset(buf, 0, n);
        *len = n;
        if ((d->gap_zeros -= n) > 0 || d->error)
            return 0;
        /* The gap is out: go on with the frame after it. */
        int ret = parse(d);
        return ret < 0 ? (d->error = ret) : 0;
    }
    return 0;
}

int bytelm_decoder_get_info(const BytelmDecoder *d, BytelmStreamInfo *info)
{
    if (!d || !info)
        return BYTELM_EINVAL;
    if (!d->have_header)
        return BYTELM_EAGAIN;
    blm_header_to_info(&d->h, info);
    info->model_available = d->model != NULL;
    if (d->model) {
        const BlmModelParams *mp = blm_model_params(d->model);
        snprintf(info->model_name, sizeof(info->model_name), "%s", mp->name);
    }
    return 0;
}

int bytelm_decoder_get_tags(const BytelmDecoder *d, const char *const **keys,
                            const char *const **values, size_t *n)
{
    if (!d || !keys || !values || !n)
        return BYTELM_EINVAL;
    if (d->state == WANT_HEADER || d->state == WANT_TAGS)
        return BYTELM_EAGAIN;
    *keys = (const char *const *)d->tags.keys;
    *values = (const char *const *)d->tags.values;
    *n = d->tags.n;
    return 0;
}

int bytelm_decoder_open_header(BytelmDecoder *d, const void *header, size_t len)
{
    if (!d || !header)
        return BYTELM_EINVAL;
    if (d->have_header)
        return BYTELM_ESTATE;
    BlmHeader h;
    int ret = blm_header_read(header, len, &h);
    if (ret == BYTELM_EAGAIN)
        ret = BYTELM_ETRUNCATED;
    if (ret < 0)
        return ret;
    set_header(d, &h);
    d->state = WANT_FRAME;
    return 0;
}

int bytelm_decoder_decode_frame(BytelmDecoder *d, const void *frame, size_t len,
                                const uint8_t **out, size_t *out_len, uint64_t *first_unit)
{
    if (!d || !frame || !out || !out_len)
        return BYTELM_EINVAL;
    if (!d->have_header)
        return BYTELM_ESTATE;
    BlmFrameHeader fh;
    size_t used;
    int ret = blm_frame_parse(frame, len, &d->h, &fh, &used);
    if (ret == BYTELM_EAGAIN)
        return BYTELM_ETRUNCATED;
    if (ret < 0)
        return ret;
    if (blm_mode_uses_model(fh.mode) && !d->model)
        return BYTELM_ENOMODEL;
    size_t raw_len = (size_t)fh.n_units * blm_header_unit_bytes(&d->h);
    BlmFrameCoder *fc = coder(d, 0);
    if (!fc || grow(&d->single, &d->single_cap, raw_len) < 0)
        return BYTELM_ENOMEM;
    if ((ret = blm_frame_decode(fc, &fh, (const uint8_t *)frame + blm_frame_header_size(&fh), d->single)) < 0)
        return ret;
    *out = d->single;
    *out_len = raw_len;
    if (first_unit)
        *first_unit = fh.first_unit;
    return 0;
}

void bytelm_decoder_close(BytelmDecoder **pd)
{
    BytelmDecoder *d = pd ? *pd : NULL;
    if (!d)
        return;
    if (d->coders)
        for (int i = 0; i < d->threads; i++)
            blm_frame_coder_free(d->coders[i]);
    if (d->jobs)
        for (int i = 0; i < d->batch; i++) {
            free(d->jobs[i].frame);
            free(d->jobs[i].raw);
        }
    free(d->coders);
    free(d->jobs);
    free(d->tasks);
    blm_model_free(d->model);
    blm_md5_clear(&d->md5);
    blm_tags_clear(&d->tags);
    blm_buf_free(&d->in);
    blm_buf_free(&d->out);
    free(d->seek);
    free(d->single);
    free(d->losses);
    free(d);
    *pd = NULL;
}
