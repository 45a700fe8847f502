/*
 * libFuzzer target: the encoder, through the public API, and the round trip.
 * The first 4 bytes pick the settings (kind, channels or width, frame size, push size,
 * whether the length is announced); the rest is the data. Every transform, the LPC
 * search, the match model and the mode choice (model, match, stored, FLAC) see
 * arbitrary input, and so does the text test of plain bytes; the stream must then decode
 * to exactly that input.
 * Models: models/test-tiny (fast, so that libFuzzer gets many runs per second).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "fuzz.h"

typedef struct Buf {
    uint8_t *data;
    size_t len, cap;
} Buf;

static void append(Buf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = 2 * (b->len + n);
        uint8_t *d = realloc(b->data, cap);
        FUZZ_ASSERT(d);
        b->data = d, b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void drain_encoder(BytelmEncoder *e, Buf *out)
{
    uint8_t tmp[4096];
    size_t n;
    while (bytelm_encoder_pull(e, tmp, sizeof tmp, &n) == 0 && n)
        append(out, tmp, n);
}

static void drain_decoder(BytelmDecoder *d, Buf *out)
{
    uint8_t tmp[4096];
    size_t n;
    while (bytelm_decoder_pull(d, tmp, sizeof tmp, &n) == 0 && n)
        append(out, tmp, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.threads = 1 + data[3] % 3;
    s.model_path = MODELS_DIR "/test-tiny.blmm";
    const uint8_t *raw = data + 4;
    size_t len = size - 4, unit = 1;
    switch (data[0] % 4) {
    case 0:
        s.kind = BYTELM_KIND_BYTES;
        /* the CLI's question, on any bytes (with model_path set, the answer picks nothing) */
        s.text = bytelm_looks_like_text(raw, len);
        break;
    case 1:
        s.kind = BYTELM_KIND_PCM_S16LE;
        s.channels = 1 + data[1] % 8;
        s.sample_rate = data[1] & 0x80 ? 44100 : 8000;
        unit = 2 * s.channels;
        break;
    case 2:
    case 3: {
        /* 2 and 3 are gray8 and rgb24, as the first seeds were made; bits 2-3 of the
         * byte pick the kinds with alpha and 16-bit samples */
        static const BytelmKind images[8] = {BYTELM_KIND_GRAY8,    BYTELM_KIND_RGB24,
                                             BYTELM_KIND_GRAYA8,   BYTELM_KIND_RGBA32,
                                             BYTELM_KIND_GRAY16LE, BYTELM_KIND_GRAYA16LE,
                                             BYTELM_KIND_RGB48LE,  BYTELM_KIND_RGBA64LE};
        s.kind = images[data[0] % 4 - 2 + 2 * (data[0] >> 2 & 3)];
        s.width = 1 + data[1] % 64;
        unit = s.width * (size_t)(bytelm_kind_planes(s.kind) * bytelm_kind_sample_bytes(s.kind));
        s.height = (uint32_t)(len / unit);
        if (!s.height)
            return 0;
        break;
    }
    }
    len -= len % unit;
    s.frame_units = data[2] % 16 ? data[2] % 16 * (s.kind == BYTELM_KIND_BYTES ? 97 : 7) : 0;
    if (!bytelm_kind_planes(s.kind))
        s.total_units = data[3] & 0x80 ? BYTELM_UNKNOWN_LENGTH : len / unit;
    const size_t chunk = 1 + (size_t)(data[3] >> 2) % 32 * 61;

    Buf st = {0}, back = {0};
    BytelmEncoder *e = NULL;
    FUZZ_ASSERT(bytelm_encoder_open(&e, &s) == 0);
    int ret = 0;
    for (size_t off = 0; off < len && ret == 0; off += chunk) {
        ret = bytelm_encoder_push(e, raw + off, len - off < chunk ? len - off : chunk);
        drain_encoder(e, &st);
    }
    FUZZ_ASSERT(ret == 0 && bytelm_encoder_finish(e) == 0);
    drain_encoder(e, &st);
    bytelm_encoder_close(&e);

    BytelmDecoder *d = NULL;
    FUZZ_ASSERT(bytelm_decoder_open(&d, &s) == 0);
    FUZZ_ASSERT(bytelm_decoder_push(d, st.data, st.len) == 0);
    drain_decoder(d, &back);
    FUZZ_ASSERT(bytelm_decoder_finish(d) == 0);
    drain_decoder(d, &back);
    bytelm_decoder_close(&d);
    FUZZ_ASSERT(back.len == len && (!len || !memcmp(back.data, raw, len)));
    free(st.data);
    free(back.data);
    return 0;
}
