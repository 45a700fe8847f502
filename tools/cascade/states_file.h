/*
 * The measuring tools' --states FILE: a states file as tools/cascade/coder_states
 * writes it (docs/MODEL.md §13), read and parsed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TOOLS_STATES_FILE_H
#define BYTELM_TOOLS_STATES_FILE_H

#include <stdio.h>
#include <stdlib.h>

#include "coderstates.h"

/* 0, or -1 when path cannot be read or is not a states file. */
static inline int states_file_read(const char *path, BlmResChannel *states, BlmPixelBias *bias)
{
    const size_t size = blm_coder_states_file_size();
    uint8_t *file = malloc(size + 1);
    FILE *f = fopen(path, "rb");
    /* one byte more than a states file has, so that a longer file is refused */
    const size_t len = f && file ? fread(file, 1, size + 1, f) : 0;
    const int ret = f && file && blm_coder_states_parse(file, len, states, bias) == 0 ? 0 : -1;
    if (f)
        fclose(f);
    free(file);
    return ret;
}

#endif
