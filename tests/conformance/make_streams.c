/*
 * Writes the conformance streams of tests/conformance (README there): small .blm
 * streams of every frame mode, data kind and shipped model, and MANIFEST with the
 * MD5 of each one's decoded output. Run it only for a deliberate format change
 * (regenerate.sh): the point of the checked-in streams is that the streams of an
 * older encoder still decode.
 *
 * usage: make_streams OUT_DIR MODELS_DIR
 *
 * Inputs come from integer generators only (no libm), so the same inputs are made
 * on every machine. A case whose frame modes are all 'n' goes through the public
 * encoder as it is; the others force each frame's mode through the frame coder
 * the encoder uses, with the header the public encoder writes for the same
 * settings. '0'..'7' force that mode, 'n' leaves the choice to the encoder, and
 * 'p' codes mode 6 with profile (frame index mod 8), which no preset tries alone,
 * 'm' the same with value maps (parameter bit 3), 'w' the wide short cascade's
 * profiles (20..23, frame index mod 4), and 'a' profile (frame index mod 12) with the
 * audio network (parameter bit 6), 'l' the same with the network learning (bits 5 and
 * 6), 'A' and 'L' the same two with the second audio network (bit 3 as well); 'x' codes mode 7 with the pixel network (8-bit gray
 * or RGB, parameter byte 5), 'y' with the network mixed with the coder (byte 13), 'z'
 * mixed with its output layer learning (byte 29), 'd' with every layer
 * learning (byte 61).
 * Frames with parameter bit 7 (a long-term lag, stereo as two monos) come from the
 * encoder ('n': IN_LOOP, IN_TONES).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "format.h"
#include "framecoder.h"
#include "modelstore.h"
#include "pcmcascade.h"
#include "pixelcascade.h"
#include "tags.h"
#include "testutil.h"

typedef enum Input {
    IN_NONE,      /* empty */
    IN_NOISE,     /* uniform random bytes */
    IN_RECORDS,   /* binary records: counters, tags, small numbers */
    IN_TEXT,      /* words, punctuation and line breaks */
    IN_TONES,     /* tones from integer rotations and noise (test_pcm_integer) */
    IN_QUIET,     /* the same, divided by 8 */
    IN_REPEAT,    /* a 700-sample pattern under fresh noise (test_pcm_repeating) */
    IN_SPARSE,    /* tones of 8 bits at a gain of 1.37: a third of the values used */
    IN_IMAGE,     /* gradients, edges and noise (test_image, test_image_kind) */
    IN_IMAGE_FEW, /* the same, 16-bit samples with their low 6 bits zero */
    IN_LOOP,      /* 600 samples of noise repeated, each repeat with ±1 of dither */
} Input;

typedef struct Case {
    const char *name;
    BytelmKind kind;
    uint32_t rate, channels, channel_mask, width, height;
    uint32_t units;        /* samples per channel or bytes; images: height */
    uint32_t frame_units;
    int fast;              /* the fast preset, else the default one */
    const char *model;     /* a file of MODELS_DIR, or NULL for the preset's */
    int text, known_length;
    Input input;
    const char *modes;     /* one letter per frame, repeated */
    const char *tags;      /* "KEY=value" fields, separated by '\n', or NULL */
} Case;

static const Case cases[] = {
    /* the empty stream: header and trailer */
    {"empty", BYTELM_KIND_BYTES, .input = IN_NONE, .modes = "n"},
    /* plain bytes: the mixer (mode 4) with each bytes model, stored noise, and the
     * modes encoders no longer choose for bytes (0 and 3) */
    {"bytes-noise-stored", BYTELM_KIND_BYTES, .units = 3000, .frame_units = 1024,
     .known_length = 1, .input = IN_NOISE, .modes = "n"},
    {"bytes-mm-mix", BYTELM_KIND_BYTES, .units = 6000, .frame_units = 4096, .input = IN_RECORDS,
     .modes = "n"},
    {"bytes-text-mix", BYTELM_KIND_BYTES, .units = 6000, .frame_units = 4096, .text = 1,
     .known_length = 1, .input = IN_TEXT, .modes = "n"},
    {"bytes-mm-modes", BYTELM_KIND_BYTES, .units = 4000, .frame_units = 1000,
     .model = "bytelm-mm-v1.blmm", .input = IN_RECORDS, .modes = "0341"},
    {"bytes-text-modes", BYTELM_KIND_BYTES, .units = 2000, .frame_units = 1000, .text = 1,
     .input = IN_TEXT, .modes = "03"},
    /* PCM of one and two channels: mode 6 as each preset chooses it, every profile,
     * FLAC and stored */
    {"pcm-mono-16k-cascade", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 1, .units = 6000,
     .frame_units = 2048, .known_length = 1, .input = IN_TONES, .modes = "n"},
    {"pcm-stereo-44k-cascade", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 4000,
     .frame_units = 2048, .input = IN_TONES, .modes = "n"},
    {"pcm-stereo-44k-fast", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 3000,
     .frame_units = 1500, .fast = 1, .input = IN_TONES, .modes = "n"},
    {"pcm-mono-profiles", BYTELM_KIND_PCM_S16LE, .rate = 22050, .channels = 1, .units = 8 * 512,
     .frame_units = 512, .input = IN_QUIET, .modes = "p"},
    {"pcm-stereo-profiles", BYTELM_KIND_PCM_S16LE, .rate = 48000, .channels = 2, .units = 8 * 384,
     .frame_units = 384, .channel_mask = 3, .input = IN_QUIET, .modes = "p"},
    {"pcm-mono-maps", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 1, .units = 8 * 512,
     .frame_units = 512, .input = IN_SPARSE, .modes = "m"},
    {"pcm-stereo-maps", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 3 * 2000,
     .frame_units = 2000, .known_length = 1, .input = IN_SPARSE, .modes = "n"},
    {"pcm-stereo-wide", BYTELM_KIND_PCM_S16LE, .rate = 32000, .channels = 2, .units = 4 * 700,
     .frame_units = 700, .input = IN_TONES, .modes = "w"},
    /* tags after the header (docs/FORMAT.md §1.1), UTF-8 and a repeated key */
    {"pcm-stereo-tags", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 2 * 1500,
     .frame_units = 1500, .input = IN_TONES, .modes = "n",
     .tags = "TITLE=Conformance \xc3\xa9t\xc3\xa9\nARTIST=One\nARTIST=Two\n"
             "REPLAYGAIN_TRACK_GAIN=-3.20 dB"},
    {"pcm-mono-flac-stored", BYTELM_KIND_PCM_S16LE, .rate = 8000, .channels = 1, .units = 3000,
     .frame_units = 1024, .input = IN_TONES, .modes = "21"},
    {"pcm-stereo-flac", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 2000,
     .frame_units = 1000, .known_length = 1, .input = IN_TONES, .modes = "2"},
    /* PCM through the audio models: below 32 kHz, at 32 kHz and more, the fast preset's,
     * and the retired fast model that only decodes */
    {"pcm-6ch-16k-audio", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 6, .units = 4 * 200,
     .frame_units = 200, .channel_mask = 0x3f, .input = IN_QUIET, .modes = "0521"},
    {"pcm-3ch-48k-wide", BYTELM_KIND_PCM_S16LE, .rate = 48000, .channels = 3, .units = 900,
     .frame_units = 300, .input = IN_QUIET, .modes = "n50"},
    {"pcm-4ch-fast-v2", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 4, .units = 600,
     .frame_units = 300, .fast = 1, .input = IN_QUIET, .modes = "05"},
    {"pcm-stereo-fast-v1", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 1200,
     .frame_units = 600, .model = "bytelm-audio-fast-v1.blmm", .input = IN_QUIET, .modes = "05"},
    {"pcm-mono-long-lms", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 1, .units = 6000,
     .frame_units = 6000, .input = IN_REPEAT, .modes = "0"},
    /* images */
    {"gray-image", BYTELM_KIND_GRAY8, .width = 48, .height = 40, .units = 40, .frame_units = 20,
     .input = IN_IMAGE, .modes = "n"},
    {"gray-image-modes", BYTELM_KIND_GRAY8, .width = 40, .height = 30, .units = 30,
     .frame_units = 10, .input = IN_IMAGE, .modes = "051"},
    {"rgb-image", BYTELM_KIND_RGB24, .width = 32, .height = 24, .units = 24, .frame_units = 12,
     .input = IN_IMAGE, .modes = "n"},
    {"gray-image-pixels", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 20, .input = IN_IMAGE, .modes = "7"},
    {"rgb-image-pixels", BYTELM_KIND_RGB24, .width = 37, .height = 29, .units = 29,
     .frame_units = 29, .known_length = 1, .input = IN_IMAGE, .modes = "n"},
    {"rgb-image-modes", BYTELM_KIND_RGB24, .width = 24, .height = 24, .units = 24,
     .frame_units = 8, .input = IN_IMAGE, .modes = "051"},
    /* modes 6 and 7 with the coder starting from the learned states (docs/MODEL.md
     * §13), as the encoder has coded them since; the streams above start cold */
    {"pcm-mono-warm", BYTELM_KIND_PCM_S16LE, .rate = 8000, .channels = 1, .units = 2 * 3000,
     .frame_units = 3000, .input = IN_TONES, .modes = "n"},
    {"pcm-stereo-warm", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 2 * 2000,
     .frame_units = 2000, .known_length = 1, .input = IN_TONES, .modes = "n"},
    {"gray-image-warm", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 23, .input = IN_IMAGE, .modes = "n"},
    {"rgb-image-warm", BYTELM_KIND_RGB24, .width = 37, .height = 29, .units = 29,
     .frame_units = 29, .input = IN_IMAGE, .modes = "n"},
    /* images with alpha and 16-bit samples (mode 7: alpha a plane of its own, 16-bit
     * samples cold, with value maps where they pay) */
    /* gray frames coded by the pixel network (docs/MODEL.md §14) where the encoder
     * chose it (since late 2026-12-04), beside frames coded without it */
    {"gray-image-net", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 15, .input = IN_IMAGE, .modes = "n"},
    /* RGB frames coded by the RGB pixel network (docs/MODEL.md §14, since 2026-12-05),
     * beside frames the encoder chose */
    {"rgb-image-net", BYTELM_KIND_RGB24, .width = 37, .height = 33, .units = 33,
     .frame_units = 11, .input = IN_IMAGE, .modes = "xxn"},
    /* gray and RGB frames coded by the pixel networks mixed with the coder (docs/MODEL.md
     * §14, parameter byte 13, since 2026-12-05), beside frames the encoder chose */
    {"gray-image-mix", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 15, .input = IN_IMAGE, .modes = "yyn"},
    {"rgb-image-mix", BYTELM_KIND_RGB24, .width = 37, .height = 33, .units = 33,
     .frame_units = 11, .input = IN_IMAGE, .modes = "yyn"},
    /* the same with the networks' output layer learning within the frame (parameter
     * byte 29, since 2026-12-05), beside frames the encoder chose */
    {"gray-image-adapt", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 15, .input = IN_IMAGE, .modes = "zzn"},
    {"rgb-image-adapt", BYTELM_KIND_RGB24, .width = 37, .height = 33, .units = 33,
     .frame_units = 11, .input = IN_IMAGE, .modes = "zzn"},
    /* the same with every layer learning (parameter byte 61, since
     * 2026-12-05) */
    {"gray-image-deep", BYTELM_KIND_GRAY8, .width = 61, .height = 45, .units = 45,
     .frame_units = 15, .input = IN_IMAGE, .modes = "ddn"},
    {"rgb-image-deep", BYTELM_KIND_RGB24, .width = 37, .height = 33, .units = 33,
     .frame_units = 11, .input = IN_IMAGE, .modes = "ddn"},
    /* mode 6 coded by the audio network (docs/MODEL.md §15), as the encoder chooses it
     * for mono speech (since late 2026-12-04), with several profiles and beside frames
     * the encoder chose */
    {"pcm-mono-net", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 1, .units = 3 * 1000 + 300,
     .frame_units = 1000, .known_length = 1, .input = IN_TONES, .modes = "aana"},
    {"pcm-stereo-net", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 3 * 900,
     .frame_units = 900, .input = IN_TONES, .modes = "ana"},
    /* the same with the audio network learning within the frame (parameter bits 5 and
     * 6, since 2026-12-05), as the encoder chooses it for mono and stereo, beside frames
     * the encoder chose */
    {"pcm-mono-net-adapt", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 1, .units = 3 * 1000 + 300,
     .frame_units = 1000, .known_length = 1, .input = IN_TONES, .modes = "llnl"},
    {"pcm-stereo-net-adapt", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 3 * 900,
     .frame_units = 900, .input = IN_TONES, .modes = "lnl"},
    /* the second audio network (parameter bits 6 and 3, since 2026-12-06), as built and
     * learning, the latter as the encoder chooses it, beside frames the encoder chose */
    {"pcm-mono-net2", BYTELM_KIND_PCM_S16LE, .rate = 16000, .channels = 1, .units = 3 * 1000 + 300,
     .frame_units = 1000, .known_length = 1, .input = IN_TONES, .modes = "ALnL"},
    {"pcm-stereo-net2", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 3 * 900,
     .frame_units = 900, .input = IN_TONES, .modes = "LnA"},
    /* mode 6 with a long-term lag (parameter bit 7, docs/MODEL.md §9), as the encoder
     * chooses it for loops (since 2026-12-05) */
    {"pcm-stereo-loop", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 2 * 2400,
     .frame_units = 2400, .input = IN_LOOP, .modes = "n"},
    {"pcm-mono-loop", BYTELM_KIND_PCM_S16LE, .rate = 8000, .channels = 1, .units = 3000,
     .frame_units = 3000, .known_length = 1, .input = IN_LOOP, .modes = "n"},
    /* and stereo predicted as two monos (the same bits), as the encoder chooses it for
     * these tones */
    {"pcm-stereo-indep", BYTELM_KIND_PCM_S16LE, .rate = 44100, .channels = 2, .units = 2 * 2500,
     .frame_units = 2500, .input = IN_TONES, .modes = "n"},
    {"graya8-image", BYTELM_KIND_GRAYA8, .width = 33, .height = 27, .units = 27,
     .frame_units = 14, .input = IN_IMAGE, .modes = "n"},
    {"rgba32-image", BYTELM_KIND_RGBA32, .width = 29, .height = 23, .units = 23,
     .frame_units = 23, .known_length = 1, .input = IN_IMAGE, .modes = "n"},
    {"gray16-image", BYTELM_KIND_GRAY16LE, .width = 41, .height = 31, .units = 31,
     .frame_units = 16, .input = IN_IMAGE, .modes = "n"},
    {"gray16-image-maps", BYTELM_KIND_GRAY16LE, .width = 41, .height = 31, .units = 31,
     .frame_units = 31, .input = IN_IMAGE_FEW, .modes = "n"},
    {"graya16-image", BYTELM_KIND_GRAYA16LE, .width = 19, .height = 17, .units = 17,
     .frame_units = 17, .input = IN_IMAGE_FEW, .modes = "n"},
    {"rgb48-image", BYTELM_KIND_RGB48LE, .width = 23, .height = 19, .units = 19,
     .frame_units = 10, .input = IN_IMAGE_FEW, .modes = "n"},
    {"rgba64-image", BYTELM_KIND_RGBA64LE, .width = 21, .height = 18, .units = 18,
     .frame_units = 18, .known_length = 1, .input = IN_IMAGE, .modes = "n"},
};

/* Words a text generator strings together: English-like, repetitive enough for a
 * text model to find its footing within a few KB. */
static uint8_t *make_text(size_t n, unsigned seed)
{
    static const char *const words[] = {
        "the", "stream", "frame", "decoder", "of", "a", "and", "is", "to", "each", "model",
        "sample", "in", "every", "with", "range", "coder", "bytes", "that", "which", "not",
        "header", "channel", "for", "it", "on", "from", "by", "as", "the", "the", "of"};
    const size_t nw = sizeof(words) / sizeof(words[0]);
    uint64_t st = seed;
    uint8_t *p = malloc(n + 64);
    size_t len = 0, in_sentence = 0;
    while (len < n) {
        const char *w = words[test_rand(&st) % nw];
        size_t k = strlen(w);
        memcpy(p + len, w, k);
        if (in_sentence == 0 && p[len] >= 'a')
            p[len] = (uint8_t)(p[len] - 'a' + 'A');
        len += k;
        in_sentence++;
        const uint32_t r = test_rand(&st) % 16;
        if (in_sentence > 4 && r < 3) {
            p[len++] = '.';
            p[len++] = r == 0 ? '\n' : ' ';
            in_sentence = 0;
        } else {
            if (r == 3)
                p[len++] = ',';
            p[len++] = ' ';
        }
    }
    return p;
}

/* 16-byte records: a counter, a tag from a short list, a small value and padding. */
static uint8_t *make_records(size_t n, unsigned seed)
{
    static const char tags[4][4] = {"WAVE", "fmt ", "data", "LIST"};
    uint64_t st = seed;
    uint8_t *p = calloc(n + 16, 1);
    for (size_t off = 0, i = 0; off < n; off += 16, i++) {
        const uint32_t r = test_rand(&st);
        for (int k = 0; k < 4; k++)
            p[off + k] = (uint8_t)((i * 3) >> (8 * k));
        memcpy(p + off + 4, tags[r % 4], 4);
        p[off + 8] = (uint8_t)(r >> 8 & 15);
        p[off + 9] = (uint8_t)(i & 1);
        p[off + 12] = 0xff;
    }
    return p;
}

static uint8_t *make_input(const Case *c, size_t len)
{
    switch (c->input) {
    case IN_NOISE:
        return test_noise(len, 11);
    case IN_RECORDS:
        return make_records(len, 12);
    case IN_TEXT:
        return make_text(len, 13);
    case IN_TONES:
        return test_pcm_integer(c->units, c->channels, 14);
    case IN_QUIET: {
        uint8_t *p = test_pcm_integer(c->units, c->channels, 15);
        for (size_t i = 0; i + 1 < len; i += 2) {
            const int16_t v = (int16_t)((int16_t)(uint16_t)(p[i] | p[i + 1] << 8) / 8);
            p[i] = (uint8_t)v;
            p[i + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        return p;
    }
    case IN_REPEAT:
        return test_pcm_repeating(c->units, 700, 300, 2, 16);
    case IN_SPARSE: {
        uint8_t *p = test_pcm_integer(c->units, c->channels, 18);
        for (size_t i = 0; i + 1 < len; i += 2) {
            const int16_t v = (int16_t)(((int16_t)(uint16_t)(p[i] | p[i + 1] << 8) >> 8) * 351);
            p[i] = (uint8_t)v;
            p[i + 1] = (uint8_t)((uint16_t)v >> 8);
        }
        return p;
    }
    case IN_LOOP: {
        uint64_t st = 20;
        uint8_t *p = malloc(len + 1);
        const size_t period = 600 * 2 * (size_t)c->channels;
        for (size_t i = 0; i + 1 < len; i += 2) {
            const uint32_t r = test_rand(&st);
            const int32_t v = i < period ? (int32_t)(r % 20001) - 10000
                                         : (int16_t)(uint16_t)(p[i - period] | p[i - period + 1] << 8) +
                                               (int32_t)(r % 3) - 1;
            p[i] = (uint8_t)v;
            p[i + 1] = (uint8_t)((uint32_t)v >> 8);
        }
        return p;
    }
    case IN_IMAGE:
        if (c->kind == BYTELM_KIND_GRAY8 || c->kind == BYTELM_KIND_RGB24)
            return test_image(c->width, c->height, c->kind == BYTELM_KIND_RGB24 ? 3 : 1, 17);
        return test_image_kind(c->kind, c->width, c->height, 17);
    case IN_IMAGE_FEW: {
        uint8_t *p = test_image_kind(c->kind, c->width, c->height, 19);
        for (size_t i = 0; i + 1 < len; i += 2)
            p[i] &= 0xc0;
        return p;
    }
    default:
        return malloc(1);
    }
}

static void settings_of(const Case *c, const char *models, BytelmSettings *s, char *path,
                        size_t path_size)
{
    bytelm_default_settings(s);
    s->kind = c->kind;
    s->sample_rate = c->rate;
    s->channels = c->channels;
    s->channel_mask = c->channel_mask;
    s->width = c->width;
    s->height = c->height;
    s->preset = c->fast ? BYTELM_PRESET_FAST : BYTELM_PRESET_DEFAULT;
    s->frame_units = c->frame_units;
    s->total_units = c->known_length ? c->units : BYTELM_UNKNOWN_LENGTH;
    s->text = c->text;
    s->threads = 2;
    if (c->model) {
        snprintf(path, path_size, "%s/%s", models, c->model);
        s->model_path = path;
    }
}

/* The header the public encoder writes for s. */
static int encoder_header(const BytelmSettings *s, BlmHeader *h)
{
    BytelmEncoder *enc;
    BytelmPacket pkt;
    int ret = bytelm_encoder_open(&enc, s);
    if (ret == 0) {
        ret = bytelm_encoder_pull_packet(enc, &pkt);
        if (ret == 0)
            ret = blm_header_read(pkt.data, pkt.size, h);
        bytelm_encoder_close(&enc);
    }
    return ret;
}

/* Appends a frame of header fh and payload to out, as the frame coder writes it. */
static int append_frame(BlmFrameHeader *fh, const BlmBuf *payload, BlmBuf *out)
{
    fh->payload_size = (uint32_t)payload->len;
    const size_t size = blm_frame_header_size(fh) + payload->len + BLM_FRAME_CRC_SIZE;
    const int ret = blm_buf_reserve(out, size);
    if (ret == 0)
        out->len += blm_frame_write(fh, payload->data, out->data + out->len);
    return ret;
}

/* Mode 6 with one profile, as the frame coder would write it had it tried only that. */
static int cascade_frame(const BlmHeader *h, const uint8_t *raw, uint32_t n_units, uint32_t index,
                         int profile, BlmBuf *out)
{
    const size_t n = (size_t)n_units * h->channels;
    int16_t *pcm = malloc(n * sizeof(*pcm));
    BlmCascadeCoder *cc = blm_cascade_new((int)h->channels);
    if (cc)
        cc->rate = h->sample_rate;
    BlmBuf payload;
    blm_buf_init(&payload, BLM_BUF_NO_LIMIT);
    int ret = pcm && cc ? 0 : BYTELM_ENOMEM;
    for (size_t i = 0; ret == 0 && i < n; i++)
        pcm[i] = (int16_t)(uint16_t)(raw[2 * i] | raw[2 * i + 1] << 8);
    BlmFrameHeader fh = {.index = index, .first_unit = (uint64_t)index * h->frame_units,
                         .n_units = n_units, .mode = BLM_MODE_CASCADE, .n_params = 1,
                         .params = {(uint8_t)profile}};
    if (ret == 0)
        ret = blm_cascade_encode(cc, pcm, n_units, profile, &payload, &fh.final_state);
    if (ret == 0)
        ret = append_frame(&fh, &payload, out);
    blm_buf_free(&payload);
    blm_cascade_free(cc);
    free(pcm);
    return ret;
}

/* One mode-7 frame of 8-bit pixels with the parameter byte param, as the frame coder
 * writes it. */
static int pixel_frame(const BlmHeader *h, const uint8_t *raw, uint32_t n_units, uint32_t index, int param,
                       BlmBuf *out)
{
    BlmPixelCoder *pc = blm_pixel_coder_new(bytelm_kind_planes(h->kind), 1, h->width);
    BlmBuf payload;
    blm_buf_init(&payload, BLM_BUF_NO_LIMIT);
    BlmFrameHeader fh = {.index = index, .first_unit = (uint64_t)index * h->frame_units,
                         .n_units = n_units, .mode = BLM_MODE_PIXELS, .n_params = 1,
                         .params = {(uint8_t)param}};
    int ret = pc ? blm_pixel_encode(pc, raw, n_units, param, &payload, &fh.final_state) : BYTELM_ENOMEM;
    if (ret == 0)
        ret = append_frame(&fh, &payload, out);
    blm_buf_free(&payload);
    blm_pixel_coder_free(pc);
    return ret;
}

/* A stream of the case with its frame modes forced (see the top of the file). */
static int forced_stream(const Case *c, const BytelmSettings *s, const uint8_t *raw, size_t len,
                         BlmBuf *out)
{
    BlmHeader h;
    BlmModel *model = NULL;
    int ret = encoder_header(s, &h);
    if (ret == 0)
        ret = blm_model_for_encoding(s, &model, NULL);
    if (ret < 0)
        return ret;
    uint8_t header[BLM_HEADER_SIZE];
    blm_header_write(&h, header);
    if (blm_buf_write(out, header, sizeof(header)))
        ret = BYTELM_ENOMEM;
    const size_t unit_bytes = (size_t)blm_header_unit_bytes(&h);
    const uint32_t n_frames = (uint32_t)((len / unit_bytes + h.frame_units - 1) / h.frame_units);
    BlmSeekEntry *seek = calloc(n_frames + 1, sizeof(*seek));
    BlmFrameCoder *fc = blm_frame_coder_new(&h, model);
    if (!seek || !fc)
        ret = BYTELM_ENOMEM;
    for (uint32_t i = 0; ret == 0 && i < n_frames; i++) {
        const uint64_t first = (uint64_t)i * h.frame_units;
        const uint64_t left = len / unit_bytes - first;
        const uint32_t n_units = left < h.frame_units ? (uint32_t)left : h.frame_units;
        const char m = c->modes[i % strlen(c->modes)];
        const uint8_t *frame_raw = raw + first * unit_bytes;
        seek[i] = (BlmSeekEntry){out->len, first};
        if (m == 'p' || m == 'm' || m == 'w' || m == 'a' || m == 'l' || m == 'A' || m == 'L') {
            const int net = m == 'a' || m == 'l' || m == 'A' || m == 'L';
            const int profile = m == 'w' ? blm_pcm_profile(8 + (int)(i % 4))
                                : net    ? blm_pcm_profile((int)(i % BLM_PP_PROFILES))
                                         : blm_pcm_profile((int)(i % 8));
            const int flag = m == 'm'   ? BLM_PP_VALUE_MAPS
                             : m == 'a' ? BLM_PP_NET
                             : m == 'l' ? BLM_PP_NET_ADAPT
                             : m == 'A' ? BLM_PP_NET2
                             : m == 'L' ? BLM_PP_NET_ADAPT | BLM_PP_NET2
                                        : 0;
            ret = cascade_frame(&h, frame_raw, n_units, i, profile | flag, out);
        } else if (m == 'x') {
            ret = pixel_frame(&h, frame_raw, n_units, i, BLM_PX_WARM | BLM_PX_NET, out);
        } else if (m == 'y') {
            ret = pixel_frame(&h, frame_raw, n_units, i, BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX, out);
        } else if (m == 'z') {
            ret = pixel_frame(&h, frame_raw, n_units, i, BLM_PX_NET_ADAPTED, out);
        } else if (m == 'd') {
            ret = pixel_frame(&h, frame_raw, n_units, i, BLM_PX_NET_ADAPTED_DEEP, out);
        } else {
            blm_frame_coder_force_mode(fc, m == 'n' ? -1 : m - '0');
            ret = blm_frame_encode(fc, frame_raw, n_units, i, out);
        }
    }
    if (ret == 0) {
        uint8_t md5[16], *t = malloc(blm_trailer_size(n_frames));
        BlmMd5 ctx;
        if (!t || blm_md5_init(&ctx) < 0) {
            ret = BYTELM_ENOMEM;
        } else {
            blm_md5_update(&ctx, raw, len);
            blm_md5_final(&ctx, md5);
            blm_trailer_write(len / unit_bytes, n_frames, seek, md5, t);
            if (blm_buf_write(out, t, blm_trailer_size(n_frames)))
                ret = BYTELM_ENOMEM;
        }
        free(t);
    }
    blm_frame_coder_free(fc);
    blm_model_free(model);
    free(seek);
    return ret;
}

static int public_stream(const BytelmSettings *s, const char *tags, const uint8_t *raw, size_t len,
                         BlmBuf *out)
{
    /* tags: "KEY=value" fields separated by '\n' */
    char keys[8][64], values[8][256];
    const char *kp[8], *vp[8];
    size_t n = 0;
    for (const char *t = tags; t && *t && n < 8; n++) {
        const char *eq = strchr(t, '='), *end = strchr(t, '\n');
        end = end ? end : t + strlen(t);
        snprintf(keys[n], sizeof(keys[n]), "%.*s", (int)(eq - t), t);
        snprintf(values[n], sizeof(values[n]), "%.*s", (int)(end - eq - 1), eq + 1);
        kp[n] = keys[n];
        vp[n] = values[n];
        t = *end ? end + 1 : end;
    }
    TestBuf st = {0};
    int ret = test_encode_tagged(s, kp, vp, n, raw, len, 0, &st);
    if (ret == 0 && blm_buf_write(out, st.data, st.len))
        ret = BYTELM_ENOMEM;
    free(st.data);
    return ret;
}

/* Past the header and the tags chunk, if the header announces one. */
static size_t first_frame(const uint8_t *st, size_t len, const BlmHeader *h)
{
    BlmTags t;
    size_t n = 0;
    if ((h->flags & BLM_HEADER_HAS_TAGS) &&
        blm_tags_chunk_parse(st + BLM_HEADER_SIZE, len - BLM_HEADER_SIZE, &t, &n) == 0)
        blm_tags_clear(&t);
    return BLM_HEADER_SIZE + n;
}

/* The frame modes of a stream, "0,5,2", into modes; marks each in seen[]. */
static int list_modes(const uint8_t *st, size_t len, char *modes, size_t cap, int seen[8])
{
    BlmHeader h;
    if (blm_header_read(st, len, &h) < 0)
        return -1;
    size_t pos = first_frame(st, len, &h), n, used = 0;
    BlmFrameHeader fh;
    snprintf(modes, cap, "-");
    while (pos < len && blm_frame_parse(st + pos, len - pos, &h, &fh, &n) == 0) {
        used += (size_t)snprintf(modes + used, cap - used, "%s%d", used ? "," : "", fh.mode);
        if (used >= cap)
            return -1;
        seen[fh.mode] = 1;
        pos += n;
    }
    return 0;
}

/* 1 if every model of MODELS_DIR/models.list names one of the streams' models. */
static int all_models_used(const char *models, char names[][64], size_t n)
{
    char path[4096], line[512], file[256];
    snprintf(path, sizeof(path), "%s/models.list", models);
    FILE *f = fopen(path, "r");
    int ok = f != NULL;
    while (f && fgets(line, sizeof(line), f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        if (sscanf(line, "%*s %*s %255s", file) != 1)
            continue;
        char *ext = strstr(file, ".blmm");
        if (ext)
            *ext = 0;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = !strcmp(names[i], file);
        if (!found)
            printf("no stream uses %s\n", file);
        ok = ok && found;
    }
    if (f)
        fclose(f);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s OUT_DIR MODELS_DIR\n", argv[0]);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/MANIFEST", argv[1]);
    FILE *manifest = fopen(path, "w");
    if (!manifest) {
        perror(path);
        return 1;
    }
    fprintf(manifest,
            "# Conformance streams (tests/conformance/README.md), written by make_streams.c.\n"
            "# file  MD5-of-decoded-output  raw-bytes  frame-modes  model\n");
    enum { N_CASES = sizeof(cases) / sizeof(cases[0]) };
    char model_of[N_CASES][64];
    int seen_mode[8] = {0}, failures = 0;
    size_t total = 0;
    for (size_t k = 0; k < N_CASES; k++) {
        const Case *c = &cases[k];
        const uint64_t unit_bytes = c->kind == BYTELM_KIND_PCM_S16LE ? 2 * c->channels
                                    : bytelm_kind_planes(c->kind)
                                        ? (uint64_t)c->width * (uint64_t)bytelm_kind_planes(c->kind) *
                                              (uint64_t)bytelm_kind_sample_bytes(c->kind)
                                        : 1;
        const size_t len = (size_t)(c->units * unit_bytes);
        uint8_t *raw = make_input(c, len);
        BytelmSettings s;
        char model_path[4096];
        settings_of(c, argv[2], &s, model_path, sizeof(model_path));
        BlmBuf st;
        blm_buf_init(&st, BLM_BUF_NO_LIMIT);
        int ret = strspn(c->modes, "n") == strlen(c->modes) ? public_stream(&s, c->tags, raw, len, &st)
                                                            : forced_stream(c, &s, raw, len, &st);
        /* it must decode through the public decoder to what went in */
        TestBuf back = {0};
        if (ret == 0)
            ret = test_decode(&s, st.data, st.len, 0, &back);
        if (ret == 0 && (back.len != len || (len && memcmp(back.data, raw, len))))
            ret = BYTELM_EMD5;
        char modes[256] = "-", model[64] = "-", md5hex[33];
        uint8_t md5[16];
        BlmMd5 ctx;
        if (ret == 0 && (ret = blm_md5_init(&ctx)) == 0) {
            blm_md5_update(&ctx, raw, len);
            blm_md5_final(&ctx, md5);
        }
        for (int i = 0; i < 16; i++)
            snprintf(md5hex + 2 * i, 3, "%02x", md5[i]);
        if (ret == 0 && list_modes(st.data, st.len, modes, sizeof(modes), seen_mode) < 0)
            ret = BYTELM_EFORMAT;
        BytelmDecoder *dec;
        BytelmStreamInfo info;
        if (ret == 0 && bytelm_decoder_open(&dec, &s) == 0) {
            bytelm_decoder_push(dec, st.data, BLM_HEADER_SIZE);
            if (bytelm_decoder_get_info(dec, &info) == 0 && info.model_name[0])
                snprintf(model, sizeof(model), "%s", info.model_name);
            bytelm_decoder_close(&dec);
        }
        snprintf(path, sizeof(path), "%s/%s.blm", argv[1], c->name);
        FILE *f = ret == 0 ? fopen(path, "wb") : NULL;
        if (f && (fwrite(st.data, 1, st.len, f) != st.len || fclose(f) != 0))
            ret = BYTELM_EIO;
        else if (!f && ret == 0)
            ret = BYTELM_EIO;
        if (ret == 0)
            fprintf(manifest, "%s.blm %s %zu %s %s\n", c->name, md5hex, len, modes, model);
        printf("%-24s %6zu -> %6zu bytes, modes %s, model %s%s%s\n", c->name, len, st.len, modes,
               model, ret ? ": " : "", ret ? bytelm_strerror(ret) : "");
        failures += ret != 0;
        total += st.len;
        snprintf(model_of[k], sizeof(model_of[k]), "%s", model);
        blm_buf_free(&st);
        free(back.data);
        free(raw);
    }
    for (int m = 0; m <= BLM_MODE_CASCADE; m++)
        if (!seen_mode[m]) {
            printf("no frame in mode %d\n", m);
            failures++;
        }
    failures += !all_models_used(argv[2], model_of, N_CASES);
    printf("%zu bytes of streams\n", total);
    return fclose(manifest) != 0 || failures != 0;
}
