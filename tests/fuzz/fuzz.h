/*
 * Shared by the libFuzzer targets. Built with -fsanitize=fuzzer they are fuzzers;
 * built without it (the normal test build) standalone.c gives them a main() that
 * runs every file of the given corpus directories once: the regression tests.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_FUZZ_H
#define BYTELM_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a crash, so that libFuzzer keeps the input. */
#define FUZZ_ASSERT(c)                                                              \
    do {                                                                            \
        if (!(c)) {                                                                 \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #c); \
            abort();                                                                \
        }                                                                           \
    } while (0)

#endif
