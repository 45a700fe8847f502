/*
 * bytelm command-line tool: decompress (-d) and test (-t) a stream.
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
#include "range.h"
#include "sink.h"

int probe_input(InFile *in, BytelmStreamInfo *info, size_t *header_len, const char *name)
{
    size_t want = 256;
    for (;;) {
        long n = infile_peek(in, want);
        if (n < 0) {
            error_msg(name, "read error: %s", strerror(errno));
            return -1;
        }
        int rc = bytelm_probe_header(in->pre + in->pre_pos, (size_t)n, info, header_len);
        if (rc == 0)
            return 0;
        if (rc != BYTELM_EAGAIN) {
            lib_error(name, "reading stream", rc);
            return -1;
        }
        if ((size_t)n < want || want >= (1u << 20)) {
            error_msg(name, (size_t)n < want ? "file ends inside the stream header"
                                             : "stream header is too large");
            return -1;
        }
        want *= 2;
    }
}

/* --recover: one line per loss, in the units of the stream's kind. */
static void report_loss(const char *name, const BytelmStreamInfo *info, const BytelmLoss *l)
{
    const char *what = info->kind == BYTELM_KIND_PCM_S16LE ? "samples"
                       : info->kind == BYTELM_KIND_BYTES   ? "bytes"
                                                           : "rows";
    const char *why = l->error == BYTELM_EFORMAT ? "damaged or missing frames" : bytelm_strerror(l->error);
    char span[160] = "";
    uint64_t end = l->first_unit + l->n_units;
    if (info->kind == BYTELM_KIND_PCM_S16LE && l->n_units != BYTELM_UNKNOWN_LENGTH)
        snprintf(span, sizeof span, " (%.3f s to %.3f s)", (double)l->first_unit / info->sample_rate,
                 (double)end / info->sample_rate);
    if (l->error == BYTELM_EMD5)
        error_msg(name, "recover: all frames decoded, but the data does not match the stream's MD5: "
                  "some of it is wrong, where is not known");
    else if (l->n_units == 0)
        error_msg(name, "recover: stream bytes %" PRIu64 " to %" PRIu64 " skipped (%s); no %s lost",
                  l->offset, l->offset + l->size, why, what);
    else if (l->n_units == BYTELM_UNKNOWN_LENGTH)
        error_msg(name, "recover: the end of the stream is lost after %s %" PRIu64
                  " (stream bytes from %" PRIu64 ", %s); its length is not known",
                  what, l->first_unit, l->offset, why);
    else
        error_msg(name, "recover: lost %s %" PRIu64 " to %" PRIu64 "%s, stream bytes %" PRIu64
                  " to %" PRIu64 " (%s); %s", what, l->first_unit, end - 1, span, l->offset,
                  l->offset + l->size, why,
                  l->filled ? "filled with zeros" : "not written (the output ends before them)");
}

int run_decoder(const Options *o, const char *name, InFile *in, Sink *k, Progress *prog,
                       uint64_t *in_bytes, int *losses)
{
    char err[512] = "";
    BytelmSettings s;
    BytelmDecoder *dec = NULL;
    base_settings(o, &s, name);
    uint8_t *ibuf = malloc(CHUNK), *obuf = malloc(CHUNK);
    int ret = -1, rc;
    if (!ibuf || !obuf) {
        error_msg(name, "out of memory");
        goto done;
    }
    if ((rc = bytelm_decoder_open(&dec, &s)) < 0) {
        lib_error(name, "cannot start decoder", rc);
        goto done;
    }
    if (o->recover && (rc = bytelm_decoder_set_recover(dec, 1)) < 0) {
        lib_error(name, "cannot start decoder", rc);
        goto done;
    }
    *in_bytes = 0;
    *losses = 0;
    int finished = 0;
    for (;;) {
        if (!finished) {
            long n = infile_read(in, ibuf, CHUNK);
            if (n < 0) {
                error_msg(name, "read error: %s", strerror(errno));
                goto done;
            }
            if (n > 0) {
                *in_bytes += (uint64_t)n;
                rc = bytelm_decoder_push(dec, ibuf, (size_t)n);
            } else {
                rc = bytelm_decoder_finish(dec);
                finished = 1;
            }
            if (rc < 0 && rc != BYTELM_EAGAIN) {
                lib_error(name, "reading stream", rc);
                goto done;
            }
        }
        size_t got;
        do {
            got = 0;
            rc = bytelm_decoder_pull(dec, obuf, CHUNK, &got);
            if (rc == BYTELM_EAGAIN)
                rc = 0;
            if (rc < 0) {
                lib_error(name, "reading stream", rc);
                goto done;
            }
            if (got && sink_write(k, obuf, got, err, sizeof err) < 0) {
                error_msg(name, "%s", err);
                goto done;
            }
        } while (got);
        progress_update(prog, *in_bytes, k->written);
        if (finished)
            break;
    }
    const char *const *keys, *const *values;
    size_t n_tags;
    if (bytelm_decoder_get_tags(dec, &keys, &values, &n_tags) == 0 && n_tags) {
        long not_kept = sink_set_tags(k, keys, values, n_tags);
        if (not_kept < 0) {
            error_msg(name, "cannot keep the stream's tags: out of memory");
            goto done;
        }
        if (not_kept && k->type != SINK_NONE && o->verbose)
            error_msg(name, "%ld of %zu tags not written: the output format has no field "
                      "for them (bytelm info lists them)", not_kept, n_tags);
    }
    ret = 0;
    BytelmStreamInfo info;
    BytelmLoss loss;
    if (bytelm_decoder_get_info(dec, &info) == 0)
        while (bytelm_decoder_next_loss(dec, &loss) == 0) {
            report_loss(name, &info, &loss);
            ++*losses;
        }
done:
    bytelm_decoder_close(&dec);
    free(ibuf);
    free(obuf);
    return ret;
}

int decompress_file(const Options *o, const char *path)
{
    char err[512] = "";
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    InFile in;
    OutFile out;
    Sink sink;
    BytelmStreamInfo info;
    char *out_name = NULL;
    const char *out_path = NULL;
    int ret = EXIT_ERROR, have_out = 0, have_sink = 0;
    Progress prog;
    int test = o->mode == MODE_TEST;

    Range range;
    const int ranged = o->skip || o->until;
    memset(&out, 0, sizeof out);
    memset(&sink, 0, sizeof sink);
    memset(&range, 0, sizeof range);
    if (infile_open(&in, path, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        return EXIT_ERROR;
    }
    size_t header_len;
    if (probe_input(&in, &info, &header_len, name) < 0)
        goto done;
    /* --skip, --until: the sink is told the range's length (and an image's rows) */
    if (ranged) {
        if (in.is_stdin || !S_ISREG(in.st.st_mode)) {
            error_msg(name, "--skip and --until need a file the tool can seek in, not a pipe");
            goto done;
        }
        if (range_open(&range, o, path, name, &info, header_len) < 0)
            goto done;
        info.total_units = range.to - range.from;
        if (kind_is_image(info.kind))
            info.height = (uint32_t)info.total_units;
    }

    SinkType type = SINK_NONE;
    if (!test) {
        switch (effective_source(&info)) {
        case BYTELM_SOURCE_WAV: type = SINK_WAV; break;
        case BYTELM_SOURCE_PNG: type = SINK_PNG; break;
        case BYTELM_SOURCE_PNM: type = sink_pnm_type(info.kind); break;
        default: type = SINK_RAW; break;
        }
        if (o->output) {
            out_path = strcmp(o->output, "-") ? o->output : NULL;
            const char *why = out_path ? sink_name_refused(out_path, info.kind) : NULL;
            if (why) {
                error_msg(name, "%s: %s", out_path, why);
                goto done;
            }
            if (out_path)
                type = sink_for_name(out_path, info.kind, type);
        } else if (!o->to_stdout && !in.is_stdin) {
            out_name = decode_output_name(path, &info);
            if (!out_name) {
                error_msg(name, "unknown suffix (expected .blm), skipping (use -o FILE or -c)");
                goto done;
            }
            out_path = out_name;
        }
        if (out_path && outfile_check(out_path, o->force, in.is_stdin ? NULL : &in.st, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        mode_t mode = !in.is_stdin && S_ISREG(in.st.st_mode) ? (in.st.st_mode & 0777) : default_mode();
        if (outfile_open(&out, out_path, o->force, type == SINK_WAV, mode, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
        have_out = 1;
    }
    have_sink = 1;
    if (sink_open(&sink, type, &out, &info, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }

    double t0 = now_seconds();
    progress_start(&prog, name, in.size, o->progress);
    active_progress = &prog;
    uint64_t in_bytes;
    int losses = 0;
    if (ranged ? range_decode(o, name, &range, &sink, &prog, &in_bytes)
               : run_decoder(o, name, &in, &sink, &prog, &in_bytes, &losses))
        goto done;
    /* A recovered image whose end was lost is completed with zero rows (a
     * shorter image file cannot be written); audio and bytes just end early. */
    const int image_out = type == SINK_PNG || type == SINK_PNM || type == SINK_PAM;
    if (losses && image_out && sink_pad(&sink, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    if (losses && (type == SINK_RAW || type == SINK_WAV || type == SINK_NONE))
        sink.expect = UINT64_MAX;
    if (sink_finish(&sink, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        goto done;
    }
    progress_end(&prog);
    active_progress = NULL;
    if (have_out) {
        have_out = 0;
        if (outfile_commit(&out, o->rm_input, err, sizeof err) < 0) {
            error_msg(name, "%s", err);
            goto done;
        }
    }
    double dt = now_seconds() - t0;
    if (o->verbose)
        fprintf(stderr, "bytelm: %s%s%s: %s, %" PRIu64 " -> %" PRIu64 " bytes, %.2f s, %.2f MB/s\n",
                name, test ? "" : " -> ", test ? "" : out_path ? out_path : "(stdout)",
                test ? "OK" : kind_name(info.kind), in_bytes, sink.written, dt,
                dt > 0 ? (double)sink.written / dt / 1e6 : 0.0);
    else if (test && !o->quiet && !losses)
        fprintf(stderr, "%s: ok\n", name); /* as flac -t and xz -tv report each file */
    ret = 0;
    if (losses) {
        error_msg(name, "recover: %d damaged span%s; %s", losses, losses == 1 ? "" : "s",
                  test ? "the stream is damaged" : "the rest of the data was written");
        ret = EXIT_ERROR;
    }
    if (!test && o->rm_input && !in.is_stdin && out_path && S_ISREG(in.st.st_mode) &&
        unlink(path) < 0) {
        error_msg(name, "cannot remove input: %s", strerror(errno));
        ret = EXIT_ERROR;
    }
done:
    if (active_progress) {
        progress_end(active_progress);
        active_progress = NULL;
    }
    if (have_sink)
        sink_close(&sink);
    if (have_out)
        outfile_abort(&out);
    infile_close(&in);
    range_close(&range);
    free(out_name);
    return ret;
}
