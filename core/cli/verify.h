/*
 * bytelm command-line tool: --verify, a decoder run on the new stream as it
 * is written, its output compared with the input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_VERIFY_H
#define BYTELM_CLI_VERIFY_H

#include "cli.h"

/* Decodes the stream as it is produced and compares with the input, which is
 * held only until its decoded copy comes back (a few frames). */
typedef struct Verify {
    BytelmDecoder *dec;
    uint8_t *fifo;
    size_t head, len, cap;
    uint8_t *buf;
    uint64_t matched;
    int mismatch;
} Verify;

int verify_open(Verify *v, const Options *o, const char *name);
/* Input bytes, kept until their decoded copy comes back. -1 when out of memory. */
int verify_input(Verify *v, const uint8_t *data, size_t n);
/* Stream bytes: decoded and compared at once. A library error, else 0 (a
 * difference only sets mismatch). */
int verify_stream(Verify *v, const uint8_t *data, size_t n);
/* The end of the stream: then mismatch or input left over (len) means a difference. */
int verify_finish(Verify *v);
void verify_close(Verify *v);

#endif
