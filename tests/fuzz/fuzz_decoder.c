/*
 * libFuzzer target: the stream parser and frame decoder, through the public API.
 * The first byte picks how the rest is fed: the chunk size of the pushes, whether
 * recovery is on, and whether the packet-level calls (header, then each frame on
 * its own, as a container would) are used instead. Streams name models/test-tiny
 * (most seeds were coded with it) or another model of models/ (test-golden codes
 * the quiet PCM of pcm-scale.blm in frame mode 5), so model frames are decoded too.
 * Checks: no crash, leak or hang; output never longer than the stream allows; in
 * recovery, decoding never fails once the header is good.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "fuzz.h"

/* Output pulled per input, at most: a forged gap can ask for terabytes of zeros,
 * which the decoder makes only as they are pulled. */
#define MAX_OUT ((uint64_t)64 << 20)

static uint8_t out[1 << 16];

static void settings(BytelmSettings *s)
{
    bytelm_default_settings(s);
    s->threads = 1;
    s->model_path = MODELS_DIR "/test-tiny.blmm";
    s->model_dir = MODELS_DIR;
}

/* Containers: the header, then every frame the packet API accepts, each alone. */
static void packets(const uint8_t *data, size_t size)
{
    BytelmSettings s;
    BytelmStreamInfo info;
    size_t hlen;
    settings(&s);
    if (bytelm_probe_header(data, size, &info, &hlen) < 0)
        return;
    FUZZ_ASSERT(hlen <= size);
    BytelmDecoder *dec = NULL;
    if (bytelm_decoder_open(&dec, &s) < 0)
        return;
    if (bytelm_decoder_open_header(dec, data, hlen) == 0) {
        /* Try a frame at every sync. */
        for (size_t i = hlen; i + 4 <= size; i++) {
            if (memcmp(data + i, "BLMF", 4))
                continue;
            const uint8_t *raw;
            size_t raw_len;
            uint64_t first;
            if (bytelm_decoder_decode_frame(dec, data + i, size - i, &raw, &raw_len, &first) == 0)
                FUZZ_ASSERT(raw_len <= (1u << 24) && raw_len % info.unit_bytes == 0);
        }
    }
    bytelm_decoder_close(&dec);
}

static void stream(const uint8_t *data, size_t size, size_t chunk, int recover)
{
    BytelmSettings s;
    settings(&s);
    BytelmDecoder *dec = NULL;
    if (bytelm_decoder_open(&dec, &s) < 0)
        return;
    if (recover)
        FUZZ_ASSERT(bytelm_decoder_set_recover(dec, 1) == 0);
    uint64_t total = 0;
    size_t pos = 0;
    int ret = 0;
    while (ret == 0 && total < MAX_OUT) {
        const int last = pos == size;
        if (!last) {
            size_t n = size - pos < chunk ? size - pos : chunk;
            ret = bytelm_decoder_push(dec, data + pos, n);
            pos += n;
        } else {
            ret = bytelm_decoder_finish(dec);
        }
        BytelmStreamInfo info;
        if (recover && bytelm_decoder_get_info(dec, &info) == 0)
            FUZZ_ASSERT(ret == 0 || ret == BYTELM_ENOMEM);
        size_t got;
        do {
            FUZZ_ASSERT(bytelm_decoder_pull(dec, out, sizeof out, &got) == 0);
            total += got;
        } while (got && total < MAX_OUT);
        if (last)
            break;
    }
    BytelmLoss loss;
    while (bytelm_decoder_next_loss(dec, &loss) == 0)
        FUZZ_ASSERT(recover && loss.error < 0);
    bytelm_decoder_close(&dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size || size > (1u << 20))
        return 0;
    const unsigned mode = data[0];
    data++, size--;
    if (mode & 0x80) {
        packets(data, size);
        return 0;
    }
    static const size_t chunks[8] = {1u << 20, 1, 7, 64, 76, 100, 1000, 4096};
    stream(data, size, chunks[mode & 7], !!(mode & 8));
    return 0;
}
