/*
 * bytelm command-line tool: --skip and --until, decoding a range of a stream through
 * its seek table (range.c).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_RANGE_H
#define BYTELM_CLI_RANGE_H

#include <stdint.h>
#include <stdio.h>

#include "bytelm/bytelm.h"
#include "cli.h"
#include "progress.h"
#include "sink.h"

typedef struct Range {
    FILE *f;
    BytelmStreamInfo info;
    uint8_t *header, *trailer;
    size_t header_len, trailer_len;
    uint64_t file_size, trailer_pos, tags_size;
    uint32_t n_frames;
    uint64_t total_units;
    uint64_t from, to;          /* the units to decode: [from, to) */
} Range;

/* Opens path (a file the tool can seek in), reads its header (header_len bytes, as
 * probed into info), tags chunk size and trailer, and resolves --skip and --until
 * into [from, to). 0, or -1 after a message. */
int range_open(Range *r, const Options *o, const char *path, const char *name,
               const BytelmStreamInfo *info, size_t header_len);
/* Decodes the frames that hold [from, to) and writes those units to k. 0 or -1. */
int range_decode(const Options *o, const char *name, Range *r, Sink *k, Progress *prog,
                 uint64_t *in_bytes);
void range_close(Range *r);

#endif
