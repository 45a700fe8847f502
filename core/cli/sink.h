/*
 * bytelm command-line tool: the output of decompression: raw bytes, WAV, PNG,
 * PGM/PPM or PAM, or nothing (-t, info).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_SINK_H
#define BYTELM_CLI_SINK_H

#include "cli.h"
#include "image_io.h"
#include "output_file.h"
#include "wav_io.h"

typedef enum SinkType { SINK_NONE, SINK_RAW, SINK_WAV, SINK_PNG, SINK_PNM, SINK_PAM } SinkType;

/* The format an output name asks for, where it fits the stream's kind: -o back.wav
 * writes a WAV even for PCM coded from raw samples, -o x.png a PNG for pixels from
 * a PGM, -o x.pam a PAM for any image, -o x.raw (or x.pcm for PCM) the bare samples
 * or pixels. Other names keep the format of the stream's source hint (fallback). */
SinkType sink_for_name(const char *path, BytelmKind kind, SinkType fallback);
/* The PNM sink for an image kind: PAM where there is alpha, else PGM/PPM. */
SinkType sink_pnm_type(BytelmKind kind);
/* Why an output name cannot hold the stream's kind (alpha in .pgm/.ppm), or NULL. */
const char *sink_name_refused(const char *path, BytelmKind kind);

/* Where decoded bytes go. WAV, PNG and PNM writers take whole sample frames
 * and rows, so a partial one is carried over to the next piece. */
typedef struct Sink {
    SinkType type;
    OutFile *out;
    WavWriter *wav;
    PngWriter *png;
    ImageInfo img;          /* PNG, PNM: the image */
    size_t unit;
    uint8_t *carry;
    uint8_t *swapped;       /* 16-bit PNM: one row in the file's byte order */
    size_t carry_len;
    uint64_t written;
    uint64_t expect;        /* raw bytes expected, UINT64_MAX if unknown */
    char **tag_keys, **tag_values; /* the stream's tags (sink_set_tags) */
    size_t n_tags;
} Sink;

/* Writes the file's header (WAV, PNG, PGM/PPM, PAM) for the stream of info. -1 with err. */
int sink_open(Sink *k, SinkType type, OutFile *out, const BytelmStreamInfo *info,
              char *err, size_t errlen);
/* Decoded bytes in any pieces. -1 with err, also when they pass the expected size. */
int sink_write(Sink *k, const uint8_t *p, size_t n, char *err, size_t errlen);
/* Zeros up to the expected size (images after --recover). */
int sink_pad(Sink *k, char *err, size_t errlen);
/* Keeps a copy of the stream's tags and puts those the file format has a field for
 * into the file (WAV LIST/INFO). Returns how many the file cannot hold, or -1. */
long sink_set_tags(Sink *k, const char *const *keys, const char *const *values, size_t n);
/* Completes the file; -1 if the data did not fill it exactly. */
int sink_finish(Sink *k, char *err, size_t errlen);
void sink_close(Sink *k);

#endif
