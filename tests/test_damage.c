/*
 * Damaged streams: random bit flips (with and without repaired CRCs), truncations,
 * cut-outs and duplicated spans. Every case must end in a clean error or, rarely, in
 * the exact original data — never a crash, a hang or wrong data reported as good.
 * Run it under ASan/UBSan or valgrind for the memory side.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

#define HEADER_SIZE 76

/* Recomputes the CRC of every frame whose length field still fits the buffer, so a
 * damaged payload reaches the range decoder instead of stopping at the CRC. */
static void repair_frame_crcs(uint8_t *st, size_t len)
{
    size_t pos = HEADER_SIZE;
    while (pos + 30 <= len && !memcmp(st + pos, "BLMF", 4)) {
        size_t np = st[pos + 21];
        if (pos + 30 + np > len)
            return;
        size_t payload = st[pos + 26 + np] | (size_t)st[pos + 27 + np] << 8 |
                         (size_t)st[pos + 28 + np] << 16 | (size_t)st[pos + 29 + np] << 24;
        size_t body = 30 + np + payload;
        if (payload > len || pos + body + 4 > len)
            return;
        uint32_t crc = (uint32_t)crc32(0, st + pos, (uInt)body);
        for (int i = 0; i < 4; i++)
            st[pos + body + i] = (uint8_t)(crc >> (8 * i));
        pos += body + 4;
    }
}

int main(void)
{
    int cases = 0, errors = 0, intact = 0, failures = 0;
    uint64_t rng = 12345;
    for (int stream = 0; stream < 2; stream++) {
        BytelmSettings s;
        bytelm_default_settings(&s);
        s.model_path = MODELS_DIR "/test-golden.blmm";
        s.threads = 2;
        uint8_t *data;
        size_t len;
        if (stream == 0) {
            s.kind = BYTELM_KIND_RGB24, s.width = 50, s.height = 40, s.frame_units = 9;
            len = 50 * 40 * 3;
            data = test_image(50, 40, 3, 21);
        } else {
            s.kind = BYTELM_KIND_PCM_S16LE, s.sample_rate = 8000, s.channels = 1, s.frame_units = 500;
            len = 1700 * 2;
            data = test_pcm_signal(1700, 1, 8000, 22);
        }
        TestBuf st = {0};
        if (test_encode(&s, data, len, 0, &st) < 0) {
            fprintf(stderr, "FAIL: encode\n");
            return 1;
        }
        uint8_t *bad = malloc(2 * st.len);
        for (int it = 0; it < 400; it++) {
            size_t n = st.len;
            memcpy(bad, st.data, st.len);
            switch (it % 4) {
            case 0: /* a few bit flips anywhere */
                for (int k = 0; k < 1 + (int)(test_rand(&rng) % 3); k++)
                    bad[test_rand(&rng) % n] ^= (uint8_t)(1u << (test_rand(&rng) % 8));
                break;
            case 1: /* bit flips after the header, CRCs repaired */
                for (int k = 0; k < 1 + (int)(test_rand(&rng) % 2); k++)
                    bad[HEADER_SIZE + test_rand(&rng) % (n - HEADER_SIZE)] ^= (uint8_t)(1u << (test_rand(&rng) % 8));
                repair_frame_crcs(bad, n);
                break;
            case 2: /* truncated */
                n = test_rand(&rng) % n;
                break;
            default: { /* a span cut out or repeated */
                size_t a = test_rand(&rng) % n, b = a + test_rand(&rng) % (n - a);
                if (test_rand(&rng) & 1) {
                    memmove(bad + a, bad + b, n - b);
                    n -= b - a;
                } else {
                    memmove(bad + b + (b - a), bad + b, n - b);
                    n += b - a;
                }
            }
            }
            TestBuf back = {0};
            int ret = test_decode(&s, bad, n, 1 + test_rand(&rng) % 5000, &back);
            cases++;
            if (ret < 0) {
                errors++;
            } else if (back.len == len && !memcmp(back.data, data, len)) {
                intact++; /* the damage missed everything that matters (or was undone) */
            } else {
                failures++;
                fprintf(stderr, "FAIL: stream %d case %d: wrong data reported as good\n", stream, it);
            }
            free(back.data);
        }
        free(bad);
        free(st.data);
        free(data);
    }
    printf("%d damaged streams: %d errors, %d decoded intact\n", cases, errors, intact);
    printf("damage: %d passed, %d failed\n", cases - failures, failures);
    return failures != 0;
}
