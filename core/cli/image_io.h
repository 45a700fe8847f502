/*
 * bytelm command-line tool: 8-bit gray and RGB images, PNG (libpng) and
 * binary PGM/PPM (our own reader and writer).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_IMAGE_IO_H
#define BYTELM_CLI_IMAGE_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "input_file.h"

typedef struct ImageInfo {
    uint32_t width, height;
    uint32_t channels;      /* 1 = gray, 3 = RGB; 8 bits each */
} ImageInfo;

typedef struct PngReader PngReader;
typedef struct PngWriter PngWriter;

/* The most memory the PNG reader holds for one file unless told otherwise
 * (--max-memory): libpng's buffers and, for an interlaced file, the whole
 * image. At least IMAGE_MIN_MEMORY, enough for any non-interlaced PNG. */
#define IMAGE_DEFAULT_MAX_MEMORY ((size_t)256 << 20)
#define IMAGE_MIN_MEMORY ((size_t)1 << 20)

/* Reads the PNG header. Only 8-bit gray and 8-bit RGB without transparency
 * are accepted; anything else is refused with a message naming what was
 * found, never converted. Every allocation for the file, libpng's included,
 * comes out of max_memory bytes; ancillary chunks are skipped unread. */
int png_reader_open(PngReader **r, InFile *in, ImageInfo *info, size_t max_memory,
                    char *err, size_t errlen);
/* Reads the next n rows (width * channels bytes each) into buf. */
int png_reader_read_rows(PngReader *r, uint8_t *buf, uint32_t n, char *err, size_t errlen);
void png_reader_close(PngReader **r);

int png_writer_open(PngWriter **w, FILE *fp, const ImageInfo *info, char *err, size_t errlen);
int png_writer_write_rows(PngWriter *w, const uint8_t *rows, uint32_t n, char *err, size_t errlen);
/* Writes the end of the image; frees *w either way. */
int png_writer_close(PngWriter **w, char *err, size_t errlen);

/* Binary PGM (P5) / PPM (P6) with maxval 255; comments allowed in the header.
 * Leaves `in` at the first raster byte. */
int pnm_read_header(InFile *in, ImageInfo *info, char *err, size_t errlen);
/* After the raster: fails if the file goes on (a second image would be lost). */
int pnm_check_end(InFile *in, const ImageInfo *info, char *err, size_t errlen);
int pnm_write_header(FILE *fp, const ImageInfo *info);

/* Checks width/height against what the library codes; fills err if not. */
int image_check_size(const ImageInfo *info, const char *what, char *err, size_t errlen);
/* "768.0 MiB", for messages. */
void image_format_size(uint64_t n, char *buf, size_t len);

#endif
