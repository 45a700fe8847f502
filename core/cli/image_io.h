/*
 * bytelm command-line tool: gray and RGB images, with or without alpha, of 8
 * or 16 bits a sample: PNG (libpng), binary PGM/PPM and PAM (our own reader
 * and writer).
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
    uint32_t channels;      /* 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA */
    int bits16;             /* 16-bit samples, little-endian in rows; else 8-bit */
    int pam;                /* read from a PAM (P7) file */
} ImageInfo;

/* width * channels * bytes per sample */
size_t image_row_bytes(const ImageInfo *info);

typedef struct PngReader PngReader;
typedef struct PngWriter PngWriter;

/* The most memory the PNG reader holds for one file unless told otherwise
 * (--max-memory): libpng's buffers and, for an interlaced file, the whole
 * image. At least IMAGE_MIN_MEMORY, enough for any non-interlaced PNG. */
#define IMAGE_DEFAULT_MAX_MEMORY ((size_t)256 << 20)
#define IMAGE_MIN_MEMORY ((size_t)2 << 20)

/* Reads the PNG header. Gray, gray+alpha, RGB and RGBA of 8 or 16 bits are
 * read as they are (16-bit samples swapped to little-endian); a palette is
 * expanded to the RGB it shows, and a tRNS chunk to an alpha channel, so that
 * transparency is kept. 1/2/4-bit gray is refused with a message naming it.
 * Every allocation for the file, libpng's included, comes out of max_memory
 * bytes; ancillary chunks are skipped unread. */
int png_reader_open(PngReader **r, InFile *in, ImageInfo *info, size_t max_memory,
                    char *err, size_t errlen);
/* Reads the next n rows (image_row_bytes() each) into buf. */
int png_reader_read_rows(PngReader *r, uint8_t *buf, uint32_t n, char *err, size_t errlen);
void png_reader_close(PngReader **r);

int png_writer_open(PngWriter **w, FILE *fp, const ImageInfo *info, char *err, size_t errlen);
int png_writer_write_rows(PngWriter *w, const uint8_t *rows, uint32_t n, char *err, size_t errlen);
/* Writes the end of the image; frees *w either way. */
int png_writer_close(PngWriter **w, char *err, size_t errlen);

/* Binary PGM (P5) / PPM (P6) with maxval 255 or 65535, comments allowed in
 * the header, and PAM (P7) of TUPLTYPE GRAYSCALE, RGB, GRAYSCALE_ALPHA or
 * RGB_ALPHA with the same maxvals. Leaves `in` at the first raster byte; a
 * 16-bit raster is big-endian in the file, the caller swaps it. */
int pnm_read_header(InFile *in, ImageInfo *info, char *err, size_t errlen);
/* After the raster: fails if the file goes on (a second image would be lost). */
int pnm_check_end(InFile *in, const ImageInfo *info, char *err, size_t errlen);
/* P5 or P6 (maxval 255 or 65535); -1 for an image with alpha, which they cannot hold. */
int pnm_write_header(FILE *fp, const ImageInfo *info);
/* P7 with the TUPLTYPE of the channels. */
int pam_write_header(FILE *fp, const ImageInfo *info);
/* Swaps the bytes of each 16-bit sample in place (n rounded down to even). */
void image_swap16(uint8_t *p, size_t n);

/* Checks width/height against what the library codes; fills err if not. */
int image_check_size(const ImageInfo *info, const char *what, char *err, size_t errlen);
/* "768.0 MiB", for messages. */
void image_format_size(uint64_t n, char *buf, size_t len);

#endif
