/*
 * bytelm command-line tool: one-line progress indicator on stderr.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_PROGRESS_H
#define BYTELM_CLI_PROGRESS_H

#include <stdint.h>

typedef struct Progress {
    int enabled;
    const char *name;
    uint64_t total;     /* bytes of input expected, 0 = unknown */
    double start, last;
    int shown;          /* a line is on screen and must be cleared */
} Progress;

double now_seconds(void);

/* enabled only makes sense when stderr is a terminal and not -q. */
void progress_start(Progress *p, const char *name, uint64_t total, int enabled);
/* in: input bytes consumed so far; out: output bytes produced so far.
 * Redraws at most four times a second. */
void progress_update(Progress *p, uint64_t in, uint64_t out);
/* Clears the line (so the next message starts on a clean line). */
void progress_end(Progress *p);

#endif
