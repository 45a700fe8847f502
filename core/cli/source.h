/*
 * bytelm command-line tool: the input of compression: raw units from WAV,
 * PNG, PGM/PPM, raw PCM or pixels, or plain bytes.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_SOURCE_H
#define BYTELM_CLI_SOURCE_H

#include "cli.h"
#include "image_io.h"
#include "input_file.h"
#include "wav_io.h"

/* Where the raw units come from, whatever the file format. */
typedef struct Source {
    InputFormat fmt;
    RawKind raw;
    InFile *in;
    WavReader *wav;
    PngReader *png;
    ImageInfo img;
    uint32_t unit_bytes;      /* bytes per PCM frame, per image row, or 1 */
    uint64_t total_bytes;     /* raw bytes expected, UINT64_MAX if unknown */
    uint64_t done_bytes;
    int ended;
} Source;

/* Detects the format (or takes --raw), reads its header and fills the kind, its
 * parameters, the source hint and the length into s. -1 with err on failure. */
int source_open(Source *src, const Options *o, InFile *in, BytelmSettings *s, char *err,
                size_t errlen);
/* Reads up to cap bytes of raw units. 0 at the end, -1 on error. */
long source_read(Source *src, uint8_t *buf, size_t cap, char *err, size_t errlen);
void source_close(Source *src);

#endif
