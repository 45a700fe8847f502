/*
 * bytelm command-line tool: compress a file. One Job per file: open the input,
 * choose the output, start the encoder (and --verify's decoder), run the data
 * through, check, commit.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "output_file.h"
#include "source.h"
#include "verify.h"

/* Keeps the first bytes of a new stream until its header can be parsed, so
 * that -v can say which model was used. */
typedef struct HeaderProbe {
    uint8_t buf[1 << 16];
    size_t len;
    int done;
    BytelmStreamInfo info;
} HeaderProbe;

static void probe_feed(HeaderProbe *h, const uint8_t *data, size_t n)
{
    if (h->done)
        return;
    size_t take = sizeof h->buf - h->len < n ? sizeof h->buf - h->len : n;
    memcpy(h->buf + h->len, data, take);
    h->len += take;
    size_t hl;
    int rc = bytelm_probe_header(h->buf, h->len, &h->info, &hl);
    if (rc == 0)
        h->done = 1;
    else if (rc != BYTELM_EAGAIN || h->len == sizeof h->buf)
        h->done = -1;
}

/* One file being compressed, and what must be undone if it fails. */
typedef struct Job {
    const Options *o;
    const char *path, *name;
    InFile in;
    Source src;
    Verify ver;
    OutFile out;
    Progress prog;
    HeaderProbe *hp;
    BytelmSettings s;
    BytelmEncoder *enc;
    uint8_t *ibuf, *obuf;
    long ahead;               /* bytes already read into ibuf, or -1 */
    char *out_name;
    const char *out_path;     /* NULL = stdout */
    int have_in, have_src, have_ver, have_out;
    uint64_t in_bytes, out_bytes;
    char err[512];
} Job;

/* Opens the input and reads what it is; -1 (reported) to skip the file. */
static int job_open_input(Job *j)
{
    const Options *o = j->o;
    if (infile_open(&j->in, j->path, j->err, sizeof j->err) < 0) {
        error_msg(j->name, "%s", j->err);
        return -1;
    }
    j->have_in = 1;
    if (!j->in.is_stdin && has_suffix_ci(j->path, ".blm") && !o->force) {
        error_msg(j->name, "already has .blm suffix, skipping "
                  "(use -d to decompress, -f to compress anyway)");
        return -1;
    }
    if (!j->in.is_stdin && !S_ISREG(j->in.st.st_mode) && !o->force) {
        error_msg(j->name, "not a regular file, skipping (use -f to read it anyway)");
        return -1;
    }
    base_settings(o, &j->s, j->name);
    if (source_open(&j->src, o, &j->in, &j->s, j->err, sizeof j->err) < 0) {
        error_msg(j->name, "%s", j->err);
        return -1;
    }
    j->have_src = 1;
    return 0;
}

/* Names the output and checks that it may be written. */
static int job_choose_output(Job *j)
{
    const Options *o = j->o;
    if (o->output) {
        j->out_path = strcmp(o->output, "-") ? o->output : NULL;
    } else if (!o->to_stdout && !j->in.is_stdin) {
        j->out_name = encode_output_name(j->path, j->src.fmt, o->raw != RAW_NONE);
        j->out_path = j->out_name;
    }
    if (!j->out_path && isatty(1) && !o->force) {
        error_msg(j->name, "compressed data not written to a terminal (use -f to force)");
        return -1;
    }
    if (j->out_path && outfile_check(j->out_path, o->force, j->in.is_stdin ? NULL : &j->in.st,
                                     j->err, sizeof j->err) < 0) {
        error_msg(j->name, "%s", j->err);
        return -1;
    }
    return 0;
}

static int add_tag(void *opaque, const char *key, const char *value)
{
    Job *j = opaque;
    int rc = bytelm_encoder_add_tag(j->enc, key, value);
    if (rc < 0) {
        lib_error(j->name, "cannot keep tag", rc);
        return -1;
    }
    return 0;
}

/* The WAV's LIST/INFO tags, then those of -T. */
static int job_add_tags(Job *j)
{
    if (j->src.wav && wav_reader_tags(j->src.wav, add_tag, j) < 0)
        return -1;
    for (size_t i = 0; i < j->o->n_tags; i++) {
        const char *field = j->o->tags[i], *eq = strchr(field, '=');
        char key[256];
        if ((size_t)(eq - field) >= sizeof key) {
            error_msg(j->name, "tag key longer than %zu bytes", sizeof key - 1);
            return -1;
        }
        memcpy(key, field, (size_t)(eq - field));
        key[eq - field] = 0;
        if (add_tag(j, key, eq + 1) < 0)
            return -1;
    }
    return 0;
}

/* Buffers, the encoder, --verify's decoder and the (temporary) output file. */
static int job_start(Job *j)
{
    const Options *o = j->o;
    j->ibuf = malloc(CHUNK);
    j->obuf = malloc(CHUNK);
    j->hp = calloc(1, sizeof *j->hp);
    if (!j->ibuf || !j->obuf || !j->hp) {
        error_msg(j->name, "out of memory");
        return -1;
    }
    /* Plain bytes: the first chunk, read ahead, says whether the text model codes them. */
    if (j->s.kind == BYTELM_KIND_BYTES) {
        if ((j->ahead = source_read(&j->src, j->ibuf, CHUNK, j->err, sizeof j->err)) < 0) {
            error_msg(j->name, "%s", j->err);
            return -1;
        }
        j->s.text = bytelm_looks_like_text(j->ibuf, (size_t)j->ahead);
    }
    int rc = bytelm_encoder_open(&j->enc, &j->s);
    if (rc < 0) {
        lib_error(j->name, "cannot start encoder", rc);
        return -1;
    }
    if (job_add_tags(j) < 0)
        return -1;
    if (o->verify) {
        j->have_ver = 1;
        if ((rc = verify_open(&j->ver, o, j->name)) < 0) {
            lib_error(j->name, "cannot start verification decoder", rc);
            return -1;
        }
    }
    const int from_file = !j->in.is_stdin && S_ISREG(j->in.st.st_mode);
    mode_t mode = from_file ? (j->in.st.st_mode & 0777) : default_mode();
    if (outfile_open(&j->out, j->out_path, o->force, 0, mode, j->err, sizeof j->err) < 0) {
        error_msg(j->name, "%s", j->err);
        return -1;
    }
    j->have_out = 1;
    return 0;
}

/* Takes whatever the encoder has ready to the output (and --verify). */
static int job_drain(Job *j)
{
    for (;;) {
        size_t got = 0;
        int rc = bytelm_encoder_pull(j->enc, j->obuf, CHUNK, &got);
        if (rc < 0) {
            lib_error(j->name, "encoding", rc);
            return -1;
        }
        if (!got)
            return 0;
        if (fwrite(j->obuf, 1, got, j->out.fp) != got) {
            error_msg(j->name, "writing %s: %s", j->out_path ? j->out_path : "stdout", strerror(errno));
            return -1;
        }
        j->out_bytes += got;
        probe_feed(j->hp, j->obuf, got);
        if (j->have_ver && (rc = verify_stream(&j->ver, j->obuf, got)) < 0) {
            lib_error(j->name, "verification failed", rc);
            return -1;
        }
    }
}

/* Feeds the whole input to the encoder, and its stream to the output. */
static int job_encode(Job *j)
{
    for (;;) {
        long n = j->ahead >= 0 ? j->ahead : source_read(&j->src, j->ibuf, CHUNK, j->err, sizeof j->err);
        int rc;
        j->ahead = -1;
        if (n < 0) {
            error_msg(j->name, "%s", j->err);
            return -1;
        }
        if (n > 0) {
            j->in_bytes += (uint64_t)n;
            if (j->have_ver && verify_input(&j->ver, j->ibuf, (size_t)n) < 0) {
                error_msg(j->name, "out of memory for --verify");
                return -1;
            }
            rc = bytelm_encoder_push(j->enc, j->ibuf, (size_t)n);
        } else {
            rc = bytelm_encoder_finish(j->enc);
        }
        if (rc < 0) {
            lib_error(j->name, "encoding", rc);
            return -1;
        }
        if (job_drain(j) < 0)
            return -1;
        progress_update(&j->prog, j->in_bytes, j->out_bytes);
        if (n == 0)
            return 0;
    }
}

/* --verify's verdict once the stream is complete. */
static int job_check(Job *j)
{
    if (!j->have_ver)
        return 0;
    int rc = verify_finish(&j->ver);
    if (rc < 0) {
        lib_error(j->name, "verification failed", rc);
        return -1;
    }
    if (j->ver.mismatch || j->ver.len) {
        error_msg(j->name, "verification failed: decoded data differs from the input after %" PRIu64
                  " bytes; output not kept", j->ver.matched);
        return -1;
    }
    return 0;
}

/* -v: sizes, speed, and the model and frame size the stream's header names. */
static void job_report(const Job *j, double dt)
{
    fprintf(stderr, "bytelm: %s -> %s: %s %s, %" PRIu64 " -> %" PRIu64 " bytes (%.2f%%), "
            "%.2f s, %.2f MB/s%s\n",
            j->name, j->out_path ? j->out_path : "(stdout)", kind_name(j->s.kind),
            source_name(j->s.source), j->in_bytes, j->out_bytes,
            j->in_bytes ? 100.0 * (double)j->out_bytes / (double)j->in_bytes : 0.0,
            dt, dt > 0 ? (double)j->in_bytes / dt / 1e6 : 0.0, j->have_ver ? ", verified" : "");
    if (j->hp->done == 1) {
        const BytelmStreamInfo *info = &j->hp->info;
        char hash[65];
        format_hash(info->model_hash, hash);
        fprintf(stderr, "bytelm: %s: model %s%s%s, preset %s, %u %s per frame\n", j->name,
                info->model_name, info->model_name[0] ? " " : "", hash, preset_name(info->preset),
                info->frame_units, unit_name(info->kind));
    }
}

static void job_close(Job *j)
{
    if (active_progress) {
        progress_end(active_progress);
        active_progress = NULL;
    }
    if (j->have_out)
        outfile_abort(&j->out);
    if (j->have_ver)
        verify_close(&j->ver);
    bytelm_encoder_close(&j->enc);
    if (j->have_src)
        source_close(&j->src);
    if (j->have_in)
        infile_close(&j->in);
    free(j->ibuf);
    free(j->obuf);
    free(j->hp);
    free(j->out_name);
}

int compress_file(const Options *o, const char *path)
{
    Job *j = calloc(1, sizeof *j);
    if (!j) {
        error_msg(path, "out of memory");
        return EXIT_ERROR;
    }
    j->o = o;
    j->path = path;
    j->name = strcmp(path, "-") ? path : "(stdin)";
    j->ahead = -1;
    int ret = EXIT_ERROR;
    if (job_open_input(j) < 0 || job_choose_output(j) < 0 || job_start(j) < 0)
        goto done;
    double t0 = now_seconds();
    progress_start(&j->prog, j->name, j->src.total_bytes, o->progress);
    active_progress = &j->prog;
    if (job_encode(j) < 0 || job_check(j) < 0)
        goto done;
    progress_end(&j->prog);
    active_progress = NULL;
    j->have_out = 0;
    if (outfile_commit(&j->out, o->rm_input, j->err, sizeof j->err) < 0) {
        error_msg(j->name, "%s", j->err);
        goto done;
    }
    if (o->verbose)
        job_report(j, now_seconds() - t0);
    ret = 0;
    if (o->rm_input && !j->in.is_stdin && j->out_path && S_ISREG(j->in.st.st_mode) && unlink(path) < 0) {
        error_msg(j->name, "cannot remove input: %s", strerror(errno));
        ret = EXIT_ERROR;
    }
done:
    job_close(j);
    free(j);
    return ret;
}
