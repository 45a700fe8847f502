/*
 * libFuzzer target: the PNG and PGM/PPM readers of the command-line tool
 * (core/cli/image_io.c, over libpng). The input is the file, detected from its
 * first bytes as the tool does, then read row by row to the end.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "image_io.h"
#include "input_file.h"

/* Rows are read in pieces of this many bytes at most, as the tool's buffer. */
#define PIECE (1 << 16)
/* The PNG reader's memory limit here: below the tool's default so that no
 * allocation it allows comes near tools/fuzz.sh's -malloc_limit_mb for this
 * target, which then catches any allocation sized by a claim in the file. */
#define FUZZ_PNG_MEMORY ((size_t)64 << 20)

static void read_rows(PngReader *png, InFile *in, const ImageInfo *info)
{
    char err[256];
    size_t row = image_row_bytes(info);
    uint8_t *buf = malloc(row > PIECE ? row : PIECE);
    if (!buf)
        return;
    uint32_t per = row > PIECE ? 1 : (uint32_t)(PIECE / row);
    for (uint32_t y = 0; y < info->height;) {
        uint32_t n = info->height - y < per ? info->height - y : per;
        if (png) {
            if (png_reader_read_rows(png, buf, n, err, sizeof err) < 0)
                break;
        } else if (infile_read(in, buf, n * row) != (long)(n * row)) {
            break;
        }
        y += n;
        if (!png && y == info->height)
            pnm_check_end(in, info, err, sizeof err);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.img", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64], err[256];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    InFile in;
    if (infile_open(&in, path, err, sizeof err) < 0) {
        close(fd);
        return 0;
    }
    ImageInfo info;
    long n = infile_peek(&in, 16);
    InputFormat fmt = n > 0 ? detect_format(in.pre + in.pre_pos, (size_t)n) : INPUT_BYTES;
    if (fmt == INPUT_PNG) {
        PngReader *png = NULL;
        if (png_reader_open(&png, &in, &info, FUZZ_PNG_MEMORY, err, sizeof err) == 0) {
            FUZZ_ASSERT(info.channels >= 1 && info.channels <= 4);
            FUZZ_ASSERT(info.width >= 1 && info.height >= 1);
            read_rows(png, &in, &info);
            png_reader_close(&png);
        }
    } else if (fmt == INPUT_PNM) {
        if (pnm_read_header(&in, &info, err, sizeof err) == 0) {
            FUZZ_ASSERT(info.channels >= 1 && info.channels <= 4);
            read_rows(NULL, &in, &info);
        }
    }
    infile_close(&in);
    close(fd);
    return 0;
}
