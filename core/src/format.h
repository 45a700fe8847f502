/*
 * The .blm stream: header, frames and trailer (docs/FORMAT.md, normative).
 * Serialisation and bounds-checked parsing only; no coding happens here.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_FORMAT_H
#define BYTELM_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "bytelm/bytelm.h"
#include "transform.h"

#define BLM_FORMAT_VERSION 1
#define BLM_HEADER_SIZE 76
#define BLM_FRAME_SYNC_SIZE 4
#define BLM_FRAME_FIXED_SIZE 30   /* frame header without its parameter bytes */
#define BLM_FRAME_CRC_SIZE 4
#define BLM_TRAILER_FIXED_SIZE 44 /* trailer without its seek entries */
#define BLM_SEEK_ENTRY_SIZE 16
#define BLM_MAX_FRAMES (1u << 26)
#define BLM_HEADER_HAS_TAGS 1u     /* header flag: a tags chunk follows (tags.h) */
#define BLM_DEFAULT_FRAME_BYTES 131072 /* raw bytes per frame unless the user asks otherwise */
/* PCM of 1 or 2 channels (frame mode 6): samples per channel per frame, 3.0 s at
 * 44.1 kHz; the adaptive stages pay for longer frames (docs/STUDY.md finding 8).
 * Preset max: 11.9 s, where a long-term lag reaches loops of more than 3 s (music
 * 1.3 % smaller, each seek decoding four times as much; finding 17). */
#define BLM_DEFAULT_CASCADE_FRAME_UNITS 131072
#define BLM_MAX_PRESET_CASCADE_FRAME_UNITS 524288
/* Plain bytes get longer frames: the match model (docs/MODEL.md §6) finds more repeats;
 * with --preset=max, longer still, at the cost of parallelism within a file. */
#define BLM_DEFAULT_BYTES_FRAME 262144
/* Images (frame mode 7): the most raw bytes of a default frame (whole rows; an image
 * is cut into the fewest equal bands within it, at least two). The pixel predictor and
 * network learn each frame afresh: 128 KiB bands cost 2 to 4 % against 1 MiB (docs/STUDY.md
 * finding 9), 1 MiB bands 1.4 % against halves on the flower (finding 22). */
#define BLM_MAX_IMAGE_FRAME_BYTES 8388608
#define BLM_MAX_PRESET_BYTES_FRAME 1048576

enum BlmFrameMode {
    BLM_MODE_MODEL = 0,   /* transform + model + range coder */
    BLM_MODE_STORED = 1,  /* raw bytes verbatim */
    BLM_MODE_FLAC = 2,    /* PCM only: libFLAC */
    BLM_MODE_MATCH = 3,   /* as MODEL, the model's tables reshaped by the match model */
    BLM_MODE_MIX = 4,     /* as MATCH, bit by bit, mixed with context counters */
    BLM_MODE_SCALE = 5,   /* PCM, pixels: as MODEL, bit by bit, reshaped by the scale prior */
    BLM_MODE_CASCADE = 6, /* PCM of 1 or 2 channels: cascade predictor + residual coder, no model */
    BLM_MODE_PIXELS = 7,  /* gray and RGB images: pixel predictor + residual coder, no model */
};

/* Modes whose payload the transformer (and range coder) decode. */
static inline int blm_mode_uses_model(int mode)
{
    return mode == BLM_MODE_MODEL || mode == BLM_MODE_MATCH || mode == BLM_MODE_MIX ||
           mode == BLM_MODE_SCALE;
}

/* Modes whose frame header may carry parameter bytes (all others have none). */
static inline int blm_mode_has_params(int mode)
{
    return blm_mode_uses_model(mode) || mode == BLM_MODE_CASCADE || mode == BLM_MODE_PIXELS;
}

/* Every image kind: 8- and 16-bit, with and without alpha. */
static inline int blm_kind_is_image(BytelmKind kind)
{
    return bytelm_kind_planes(kind) > 0;
}

/* The kinds of the first image path (gray8 and rgb24), which the model's modes and
 * transform 1 also code; the others have mode 7 and stored frames only. */
static inline int blm_kind_is_v1_image(BytelmKind kind)
{
    return kind == BYTELM_KIND_GRAY8 || kind == BYTELM_KIND_RGB24;
}

typedef struct BlmHeader {
    BytelmKind kind;
    BytelmSource source;
    uint8_t preset;
    uint8_t transform;        /* BLM_TRANSFORM_*: identity, fixed predictor, or LPC (PCM) */
    uint16_t flags;           /* BLM_HEADER_HAS_TAGS */
    uint32_t frame_units;
    uint64_t total_units;
    uint32_t sample_rate, channels, channel_mask;
    uint32_t width, height;
    uint8_t model_hash[32];
} BlmHeader;

typedef struct BlmFrameHeader {
    uint32_t index;
    uint64_t first_unit;
    uint32_t n_units;
    uint8_t mode;
    uint8_t n_params;
    uint8_t params[BLM_MAX_FRAME_PARAMS];
    uint32_t final_state;
    uint32_t payload_size;
} BlmFrameHeader;

typedef struct BlmSeekEntry {
    uint64_t offset;      /* of the frame's first byte, from the start of the stream */
    uint64_t first_unit;
} BlmSeekEntry;

/* stored == computed, except in fuzzing builds, which take any CRC (format.c). */
int blm_crc_matches(uint32_t stored, uint32_t computed);

/* Checks settings-derived header fields against the documented limits. */
int blm_header_validate(const BlmHeader *h);
void blm_header_write(const BlmHeader *h, uint8_t out[BLM_HEADER_SIZE]);
/* 0, BYTELM_EAGAIN (need BLM_HEADER_SIZE bytes), EFORMAT, EVERSION or ECRC. */
int blm_header_read(const uint8_t *buf, size_t len, BlmHeader *h);
BlmLayout blm_header_layout(const BlmHeader *h);
/* Raw bytes in one unit (sample frame, row, byte). */
uint64_t blm_header_unit_bytes(const BlmHeader *h);
/* Units per frame when the settings leave it open: about BLM_DEFAULT_FRAME_BYTES, or
 * for plain bytes BLM_DEFAULT_BYTES_FRAME (BLM_MAX_PRESET_BYTES_FRAME with preset max). */
uint32_t blm_default_frame_units(const BlmHeader *h);

size_t blm_frame_header_size(const BlmFrameHeader *fh);
/* Largest payload a valid frame of n_units may carry (stored size plus slack). */
uint64_t blm_frame_max_payload(const BlmHeader *h, uint32_t n_units);
/* Writes header, payload and CRC; out must hold blm_frame_header_size + payload + 4. */
size_t blm_frame_write(const BlmFrameHeader *fh, const uint8_t *payload, uint8_t *out);
/* Parses the frame at buf: 0 with *fh and *frame_len (whole frame) set, BYTELM_EAGAIN if
 * more bytes are needed (*frame_len then says how many, when known), EFORMAT or ECRC. */
int blm_frame_parse(const uint8_t *buf, size_t len, const BlmHeader *h, BlmFrameHeader *fh,
                    size_t *frame_len);
int blm_is_frame_sync(const uint8_t *buf, size_t len);
int blm_is_trailer_sync(const uint8_t *buf, size_t len);

size_t blm_trailer_size(uint32_t n_frames);
void blm_trailer_write(uint64_t total_units, uint32_t n_frames, const BlmSeekEntry *seek,
                       const uint8_t md5[16], uint8_t *out);
/* Parses a trailer; the seek entries are returned in *seek (malloc'd, may be NULL when
 * the caller passes seek == NULL). 0, EAGAIN (with *trailer_len when known), EFORMAT, ECRC. */
int blm_trailer_parse(const uint8_t *buf, size_t len, uint64_t *total_units, uint32_t *n_frames,
                      BlmSeekEntry **seek, uint8_t md5[16], size_t *trailer_len);

void blm_header_to_info(const BlmHeader *h, BytelmStreamInfo *info);

/* BYTELM_EINVAL if settings use the reserved room (a field of a newer API), else 0. */
int blm_settings_check(const BytelmSettings *s);

#endif
