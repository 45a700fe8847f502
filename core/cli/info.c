/*
 * bytelm command-line tool: info, what a stream holds.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "sink.h"

static void print_duration(uint64_t samples, uint32_t rate)
{
    uint64_t whole = samples / rate;
    double frac = (double)(samples % rate) / rate;
    printf("%" PRIu64 ":%02u:%06.3f", whole / 3600, (unsigned)(whole / 60 % 60), (double)(whole % 60) + frac);
}

/* The size of the tags chunk after the header, peeked into in->pre; 0 if none. */
static size_t peek_tags(InFile *in, const BytelmStreamInfo *info, size_t header_len)
{
    size_t want = header_len + 64;
    for (;;) {
        long n = infile_peek(in, want);
        if (n < (long)header_len)
            return 0;
        BytelmChunk c;
        int rc = bytelm_chunk_parse(in->pre + in->pre_pos + header_len, (size_t)n - header_len, info, &c);
        if (rc == 0)
            return c.type == BYTELM_CHUNK_TAGS ? c.size : 0;
        if (rc != BYTELM_EAGAIN || c.type != BYTELM_CHUNK_TAGS || (size_t)n < want ||
            header_len + c.size <= want)
            return 0;
        want = header_len + c.size;
    }
}

static void print_tags(BytelmDecoder *dec)
{
    const char *const *keys, *const *values;
    size_t n;
    if (bytelm_decoder_get_tags(dec, &keys, &values, &n) == BYTELM_EAGAIN) {
        printf("  tags:           (damaged)\n");
        return;
    }
    for (size_t i = 0; i < n; i++)
        printf("  %s%s=%s\n", i ? "                " : "tags:           ", keys[i], values[i]);
}

int info_file(const Options *o, const char *path)
{
    char err[512] = "";
    const char *name = strcmp(path, "-") ? path : "(stdin)";
    InFile in;
    BytelmStreamInfo info;
    BytelmDecoder *dec = NULL;
    int ret = EXIT_ERROR;
    if (infile_open(&in, path, err, sizeof err) < 0) {
        error_msg(name, "%s", err);
        return EXIT_ERROR;
    }
    size_t header_len;
    if (probe_input(&in, &info, &header_len, name) < 0)
        goto done;
    /* bytelm_probe_header() does not search for models; a decoder given the
     * header and our --model/--model-dir says whether the model is at hand, and
     * given the tags chunk that may follow, what the tags are. */
    BytelmSettings s;
    base_settings(o, &s, name);
    s.log_callback = NULL;
    if (bytelm_decoder_open(&dec, &s) == 0 &&
        bytelm_decoder_push(dec, in.pre + in.pre_pos, header_len) == 0) {
        BytelmStreamInfo dinfo;
        if (bytelm_decoder_get_info(dec, &dinfo) == 0) {
            memcpy(info.model_name, dinfo.model_name, sizeof info.model_name);
            info.model_available = dinfo.model_available;
        }
        size_t tags_len = peek_tags(&in, &info, header_len);
        if (tags_len)
            bytelm_decoder_push(dec, in.pre + in.pre_pos + header_len, tags_len);
    }
    uint64_t total = info.total_units;
    uint64_t comp = in.size;
    if (total == BYTELM_UNKNOWN_LENGTH || comp == UINT64_MAX) {
        /* The header did not say (written from a pipe): count by decoding. */
        Sink sink;
        Progress prog;
        memset(&sink, 0, sizeof sink);
        sink.expect = UINT64_MAX;
        progress_start(&prog, name, in.size, o->progress);
        active_progress = &prog;
        uint64_t in_bytes;
        int losses;
        int rc = run_decoder(o, name, &in, &sink, &prog, &in_bytes, &losses);
        progress_end(&prog);
        active_progress = NULL;
        if (rc < 0)
            goto done;
        comp = in_bytes;
        if (info.unit_bytes)
            total = sink.written / info.unit_bytes;
    }

    char hash[65], mask[128];
    format_hash(info.model_hash, hash);
    printf("%s:\n", name);
    printf("  format version: %d\n", info.format_version);
    printf("  kind:           %s", kind_name(info.kind));
    if (info.kind == BYTELM_KIND_PCM_S16LE) {
        format_mask(info.channel_mask, mask, sizeof mask);
        printf(", %u Hz, %u channel%s, channel mask %s", info.sample_rate, info.channels,
               info.channels == 1 ? "" : "s", info.channel_mask ? mask : "none");
    } else if (kind_is_image(info.kind)) {
        printf(", %u x %u", info.width, info.height);
    }
    printf("\n  source:         %s\n", source_name(info.source));
    static const uint8_t no_model[32];
    if (!memcmp(info.model_hash, no_model, sizeof no_model))
        printf("  model:          none (no frame uses one)\n");
    else
        printf("  model:          %s%s\n", info.model_name[0] ? info.model_name : "(unknown)",
               info.model_available ? "" : " (not available here)");
    printf("  model hash:     %s\n", hash);
    printf("  preset:         %s\n", preset_name(info.preset));
    printf("  frame size:     %u %s\n", info.frame_units, unit_name(info.kind));
    if (total != BYTELM_UNKNOWN_LENGTH && info.frame_units)
        printf("  frames:         %" PRIu64 "\n", (total + info.frame_units - 1) / info.frame_units);
    if (total != BYTELM_UNKNOWN_LENGTH) {
        uint64_t raw = total * info.unit_bytes;
        printf("  length:         %" PRIu64 " %s", total, unit_name(info.kind));
        if (info.kind == BYTELM_KIND_PCM_S16LE && info.sample_rate) {
            printf(" (");
            print_duration(total, info.sample_rate);
            printf(")");
        }
        printf("\n  raw size:       %" PRIu64 " bytes\n", raw);
        printf("  compressed:     %" PRIu64 " bytes", comp);
        if (raw)
            printf(" (%.2f%%, %.3f bits per byte)", 100.0 * (double)comp / (double)raw,
                   8.0 * (double)comp / (double)raw);
        printf("\n");
    } else {
        printf("  length:         unknown (the model is needed to count it)\n");
        printf("  compressed:     %" PRIu64 " bytes\n", comp);
    }
    if (dec)
        print_tags(dec);
    ret = 0;
done:
    bytelm_decoder_close(&dec);
    infile_close(&in);
    return ret;
}
