/*
 * libFuzzer target: the WAV reader of the command-line tool (core/cli/wav_io.c,
 * over libsndfile). The input is the file; it is read to the end as the tool
 * reads it, and the reader must either refuse it or give whole sample frames of
 * a format the library codes.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "wav_io.h"

#define MAX_FRAMES_READ (1 << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz.wav", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0) {
        close(fd);
        return 0;
    }
    char err[256];
    WavInfo info;
    WavReader *r = NULL;
    if (wav_reader_open(&r, fd, &info, err, sizeof err) == 0) {
        FUZZ_ASSERT(info.channels >= 1 && info.channels <= 8);
        FUZZ_ASSERT(info.sample_rate >= 1 && info.sample_rate <= 768000);
        uint8_t buf[4096 * 16];
        const size_t max = sizeof buf / (2 * info.channels);
        long total = 0, n;
        while (total < MAX_FRAMES_READ && (n = wav_reader_read(r, buf, max, err, sizeof err)) > 0) {
            FUZZ_ASSERT((size_t)n <= max);
            total += n;
        }
        wav_reader_close(&r);
    }
    FUZZ_ASSERT(!r);
    close(fd);
    return 0;
}
