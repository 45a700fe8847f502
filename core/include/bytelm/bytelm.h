/*
 * bytelm — lossless coding of PCM audio, images and bytes with a pre-trained
 * byte-level transformer driving a range coder.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * docs/API.md is the guide, with examples; this header is the reference.
 *
 * Usage, encoding:
 *     BytelmSettings s;
 *     bytelm_default_settings(&s);
 *     s.kind = BYTELM_KIND_PCM_S16LE; s.sample_rate = 44100; s.channels = 2;
 *     BytelmEncoder *enc;
 *     if (bytelm_encoder_open(&enc, &s) < 0) ...
 *     bytelm_encoder_push(enc, pcm, len);         any number of times, any chunking
 *     bytelm_encoder_finish(enc);                 no more input
 *     while (bytelm_encoder_pull(enc, buf, sizeof buf, &n) == 0 && n) write(buf, n);
 *     bytelm_encoder_close(&enc);
 * Pulling is allowed between pushes; output appears as frames complete.
 *
 * Decoding is the mirror: bytelm_decoder_push() stream bytes, bytelm_decoder_pull()
 * raw bytes, and at the end of the input bytelm_decoder_finish(), then pull until
 * *len == 0. The decoder checks every frame's CRC and the stream's MD5: a push or
 * finish that returns an error means the output is not the original.
 *
 * Packet-level calls (bytelm_encoder_pull_packet, bytelm_decoder_open_header,
 * bytelm_decoder_decode_frame) serve containers that carry the header and each
 * frame separately (Matroska, NUT, GStreamer buffers).
 *
 * Every function returning int returns 0 (or a non-negative count where said) on
 * success and a negative BYTELM_E* code on failure; bytelm_strerror() names it.
 *
 * "Nothing ready" is not an error. The calls that copy stream or raw bytes
 * (bytelm_encoder_pull, bytelm_decoder_pull) say it as read() does: 0 with *len == 0.
 * The calls that hand out one whole item (bytelm_encoder_pull_packet,
 * bytelm_decoder_get_info, bytelm_decoder_next_loss, bytelm_probe_header) return
 * BYTELM_EAGAIN and leave their output alone. Either way: push more input, or finish.
 * After finish, the same answer means the end: nothing more will come.
 * Contexts are independent: any number may be used at once from different threads;
 * one context must not be used by two threads at once.
 */
#ifndef BYTELM_BYTELM_H
#define BYTELM_BYTELM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(BYTELM_BUILDING) && defined(__GNUC__)
#define BYTELM_API __attribute__((visibility("default")))
#else
#define BYTELM_API
#endif

/* The API's version. The major number changes when the ABI breaks (and with it the
 * shared library's soversion); the minor one when calls, constants or BytelmSettings
 * fields (taken from its reserved room) are added. A program built with this header
 * runs with a library whose bytelm_api_version() has the same major number and a minor
 * one at least BYTELM_API_VERSION_MINOR. */
#define BYTELM_API_VERSION_MAJOR 1
#define BYTELM_API_VERSION_MINOR 2
#define BYTELM_API_VERSION ((BYTELM_API_VERSION_MAJOR << 16) | BYTELM_API_VERSION_MINOR)

/* Error codes. */
#define BYTELM_OK 0
#define BYTELM_EINVAL -1       /* invalid argument or settings */
#define BYTELM_ENOMEM -2       /* out of memory, or a size over a documented limit */
#define BYTELM_EFORMAT -3      /* not a bytelm stream, or a malformed header or frame */
#define BYTELM_EVERSION -4     /* stream or model file of an unsupported version */
#define BYTELM_ENOMODEL -5     /* the model the stream names cannot be found */
#define BYTELM_EMODEL -6       /* a model file is malformed or its hash does not match */
#define BYTELM_ECRC -7         /* a header or frame CRC does not match */
#define BYTELM_EMD5 -8         /* decoded data does not match the stream's MD5 */
#define BYTELM_ETRUNCATED -9   /* the stream ended before its end marker */
#define BYTELM_ESTATE -10      /* call not allowed in the context's current state */
#define BYTELM_EIO -11         /* reading or writing a file failed */
#define BYTELM_EUNSUPPORTED -12 /* valid input that bytelm does not code (e.g. 24-bit) */
#define BYTELM_EDESYNC -13     /* range coder final state mismatch (corrupt frame) */
#define BYTELM_EAGAIN -14      /* no output now: push more input (or finish) first */

/* What the bytes are. Multi-byte samples are little-endian, interleaved. */
typedef enum BytelmKind {
    BYTELM_KIND_BYTES = 0,     /* any bytes */
    BYTELM_KIND_PCM_S16LE = 1, /* signed 16-bit PCM, 1..8 channels, any rate */
    BYTELM_KIND_GRAY8 = 2,     /* 8-bit gray pixels, row-major */
    BYTELM_KIND_RGB24 = 3,     /* 8-bit R, G, B pixels, row-major */
    /* API 1.2: images with alpha and with 16-bit samples (little-endian) */
    BYTELM_KIND_GRAYA8 = 4,    /* 8-bit gray, alpha */
    BYTELM_KIND_RGBA32 = 5,    /* 8-bit R, G, B, alpha */
    BYTELM_KIND_GRAY16LE = 6,  /* 16-bit gray */
    BYTELM_KIND_GRAYA16LE = 7, /* 16-bit gray, alpha */
    BYTELM_KIND_RGB48LE = 8,   /* 16-bit R, G, B */
    BYTELM_KIND_RGBA64LE = 9,  /* 16-bit R, G, B, alpha */
} BytelmKind;
#define BYTELM_KIND_LAST BYTELM_KIND_RGBA64LE

/* Speed against size. For PCM of one or two channels it chooses the cascade predictor's
 * profiles the encoder tries on each frame (max also tries the model); for other data it
 * chooses the model (docs/CLI.md, --preset). Decoding speed follows from what was chosen. */
typedef enum BytelmPreset {
    BYTELM_PRESET_FAST = 0,
    BYTELM_PRESET_DEFAULT = 1,
    BYTELM_PRESET_MAX = 2,
} BytelmPreset;

enum BytelmLogLevel { BYTELM_LOG_ERROR = 0, BYTELM_LOG_WARNING, BYTELM_LOG_INFO, BYTELM_LOG_DEBUG };

typedef void (*BytelmLogCallback)(void *opaque, int level, const char *msg);

#define BYTELM_MAX_CHANNELS 8
#define BYTELM_MAX_SAMPLE_RATE 768000
#define BYTELM_MAX_IMAGE_SIDE 65535      /* width and height each */
#define BYTELM_MAX_IMAGE_PIXELS (1u << 28)
#define BYTELM_MAX_FRAME_BYTES (1u << 24) /* raw bytes in one frame */
#define BYTELM_UNKNOWN_LENGTH UINT64_MAX

/* The file format the data came from, kept in the stream so that a decoder can
 * write the same kind of file back. A hint only: it does not change the coding. */
typedef enum BytelmSource {
    BYTELM_SOURCE_RAW = 0,
    BYTELM_SOURCE_WAV = 1,
    BYTELM_SOURCE_PNG = 2,
    BYTELM_SOURCE_PNM = 3,  /* PGM (gray) or PPM (RGB) */
} BytelmSource;

/* Fill it with bytelm_default_settings(), then set fields: later API versions add
 * fields only in the reserved room at the end, whose zero keeps the earlier behaviour. */
typedef struct BytelmSettings {
    BytelmKind kind;
    BytelmSource source;     /* written to the stream header, see BytelmSource */
    /* PCM */
    uint32_t sample_rate;    /* Hz, 1..BYTELM_MAX_SAMPLE_RATE */
    uint32_t channels;       /* 1..BYTELM_MAX_CHANNELS */
    uint32_t channel_mask;   /* WAVE_FORMAT_EXTENSIBLE speaker mask, 0 = unspecified */
    /* images */
    uint32_t width, height;
    /* all kinds */
    BytelmPreset preset;
    uint32_t frame_units;    /* samples per channel, rows, or bytes per frame; 0 = default */
    uint64_t total_units;    /* total samples per channel / bytes, if known; else BYTELM_UNKNOWN_LENGTH.
                                Images always know theirs (height rows). */
    int threads;             /* worker threads; 0 = one per CPU. Output never depends on it. */
    const char *model_path;  /* a .blmm file to use instead of the preset's model, or NULL */
    const char *model_dir;   /* extra directory searched for models by hash, or NULL */
    BytelmLogCallback log_callback; /* NULL = quiet */
    void *log_opaque;
    int log_level;           /* messages up to this level reach the callback */
    /* plain bytes */
    int text;                /* the data is text (bytelm_looks_like_text): without model_path,
                                the text model codes it (docs/models.md) */
    /* Room for the fields of later minor versions, so that the struct keeps its size
     * and layout. Leave it zero (bytelm_default_settings does): a library that finds
     * a non-zero byte here, set by a program built with a newer header through a
     * field this library lacks, fails the open with BYTELM_EINVAL rather than
     * ignore the setting. */
    uint64_t reserved[16];
} BytelmSettings;

/* Stream information, available from the decoder once the header is read. */
typedef struct BytelmStreamInfo {
    int format_version;
    BytelmKind kind;
    BytelmSource source;
    uint32_t sample_rate, channels, channel_mask; /* images: channels = planes */
    uint32_t width, height;
    uint32_t frame_units;
    uint64_t total_units;      /* BYTELM_UNKNOWN_LENGTH when the writer did not know it */
    uint32_t unit_bytes;       /* raw bytes per unit: 2*channels, width*planes*sample bytes, or 1 */
    uint8_t model_hash[32];
    char model_name[64];       /* "" if the model is not available */
    int preset;
    int model_available;
    uint64_t reserved[8];      /* zero; room for the fields of later minor versions */
} BytelmStreamInfo;

typedef enum BytelmPacketType {
    BYTELM_PACKET_HEADER = 0,
    BYTELM_PACKET_FRAME = 1,
    BYTELM_PACKET_TRAILER = 2,
    BYTELM_PACKET_TAGS = 3,   /* right after the header, when tags were added */
} BytelmPacketType;

typedef struct BytelmPacket {
    BytelmPacketType type;
    const uint8_t *data;      /* valid until the next call on the context */
    size_t size;
    uint64_t first_unit;      /* frames: index of the first unit (sample, row, byte) */
    uint32_t n_units;         /* frames: units in this frame */
} BytelmPacket;

typedef struct BytelmEncoder BytelmEncoder;
typedef struct BytelmDecoder BytelmDecoder;

/* The library's version, e.g. "0.1.0", and its API version (BYTELM_API_VERSION of the
 * header it was built with). */
BYTELM_API const char *bytelm_version(void);
BYTELM_API int bytelm_api_version(void);
BYTELM_API const char *bytelm_strerror(int err);
BYTELM_API void bytelm_default_settings(BytelmSettings *s);
/* 1 if the first 64 KiB of data are UTF-8 text with few control characters (then set
 * BytelmSettings.text for plain bytes), else 0. */
BYTELM_API int bytelm_looks_like_text(const void *data, size_t len);
/* Image kinds (API 1.2): samples per pixel (1 gray, 2 gray and alpha, 3 RGB, 4 RGBA)
 * and bytes per sample (1 or 2); both 0 for PCM, bytes and unknown kinds. A unit (row)
 * is width * planes * sample bytes bytes. */
BYTELM_API int bytelm_kind_planes(BytelmKind kind);
BYTELM_API int bytelm_kind_sample_bytes(BytelmKind kind);

/* Encoder. */
BYTELM_API int bytelm_encoder_open(BytelmEncoder **enc, const BytelmSettings *s);
BYTELM_API int bytelm_encoder_push(BytelmEncoder *enc, const void *data, size_t len);
BYTELM_API int bytelm_encoder_finish(BytelmEncoder *enc);
/* Copies up to cap bytes of the stream to buf; *len = 0 means nothing ready now
 * (or, after finish, the end of the stream). Returns 0 then, not BYTELM_EAGAIN. */
BYTELM_API int bytelm_encoder_pull(BytelmEncoder *enc, void *buf, size_t cap, size_t *len);
/* Alternative to bytelm_encoder_pull (do not mix): the next whole packet, or
 * BYTELM_EAGAIN. After finish the last packet is the trailer; then BYTELM_EAGAIN. */
BYTELM_API int bytelm_encoder_pull_packet(BytelmEncoder *enc, BytelmPacket *pkt);
/* Bytes of raw input and of stream output so far. */
BYTELM_API void bytelm_encoder_stats(const BytelmEncoder *enc, uint64_t *in_bytes, uint64_t *out_bytes);
BYTELM_API void bytelm_encoder_close(BytelmEncoder **enc);

/* Tags, as a FLAC file keeps them in its VORBIS_COMMENT block (docs/FORMAT.md §1.1):
 * fields KEY=value with a Vorbis comment key (ASCII 0x20..0x7D without '=', any case:
 * TITLE, ARTIST, ALBUM, TRACKNUMBER, DATE, GENRE, COMMENT, REPLAYGAIN_TRACK_GAIN, ...)
 * and a UTF-8 value. They take no part in coding. Add them after open and before the
 * first push, pull or finish (else BYTELM_ESTATE); BYTELM_EINVAL for a bad key or when
 * all tags together would pass 1 MiB. A key may be added more than once. */
BYTELM_API int bytelm_encoder_add_tag(BytelmEncoder *enc, const char *key, const char *value);

/* Decoder. Settings used: threads, model_path, model_dir, log_*. */
BYTELM_API int bytelm_decoder_open(BytelmDecoder **dec, const BytelmSettings *s);
BYTELM_API int bytelm_decoder_push(BytelmDecoder *dec, const void *data, size_t len);
/* The stream has ended: flush, check the trailer and the MD5. */
BYTELM_API int bytelm_decoder_finish(BytelmDecoder *dec);
/* Copies up to cap decoded bytes to buf; as bytelm_encoder_pull, *len = 0 (and 0
 * returned) means nothing ready now, or, after finish, the end of the data. */
BYTELM_API int bytelm_decoder_pull(BytelmDecoder *dec, void *buf, size_t cap, size_t *len);
/* 0 with *info filled once the header has been read, else BYTELM_EAGAIN. */
BYTELM_API int bytelm_decoder_get_info(const BytelmDecoder *dec, BytelmStreamInfo *info);

/* The stream's tags in stream order: 0 with *n set and keys[i], values[i] valid until
 * close (n is 0 for a stream without tags), or BYTELM_EAGAIN until the decoder has read
 * past the header and the tags chunk. */
BYTELM_API int bytelm_decoder_get_tags(const BytelmDecoder *dec, const char *const **keys,
                                       const char *const **values, size_t *n);

/* Packet level: the header alone, then any frame on its own (for seeking). */
BYTELM_API int bytelm_decoder_open_header(BytelmDecoder *dec, const void *header, size_t len);
/* Decodes one frame packet; *out points at its raw bytes (valid until the next call),
 * *first_unit is where it goes. */
BYTELM_API int bytelm_decoder_decode_frame(BytelmDecoder *dec, const void *frame, size_t len,
                                           const uint8_t **out, size_t *out_len,
                                           uint64_t *first_unit);
BYTELM_API void bytelm_decoder_close(BytelmDecoder **dec);

/* Recovery (the tool's --recover, like flac -F). Turned on before the first push, a
 * damaged frame no longer stops decoding: the decoder skips to the next frame that
 * parses and passes its CRC (resynchronising on the frame sync "BLMF"), writes zero
 * bytes for the units it lost so that everything after keeps its place, and notes
 * each loss (bytelm_decoder_next_loss). Frames that do not fit where they are found
 * (repeated, or earlier than expected) are skipped. Nothing is invented after the
 * last good frame unless an intact trailer gives the length. The header must be
 * intact. Push, finish and pull then fail only on errors that stop decoding
 * (a bad header, out of memory); the data came back whole if and only if, after
 * finish and the last pull (*len == 0), no loss is waiting. Zeros for a gap are
 * produced by pull as it is called, not held in memory. */
BYTELM_API int bytelm_decoder_set_recover(BytelmDecoder *dec, int on);

typedef struct BytelmLoss {
    uint64_t first_unit;   /* the lost units start here ... */
    uint64_t n_units;      /* ... and are this many, zero-filled in the output; 0 when
                              only stream bytes were skipped; BYTELM_UNKNOWN_LENGTH when
                              the end of a stream of unknown length is lost */
    int filled;            /* 1 if the output holds zeros for them, 0 if it ends early */
    uint64_t offset, size; /* stream bytes skipped or not decodable */
    int error;             /* why: BYTELM_ECRC, EFORMAT, EDESYNC, ENOMODEL, ETRUNCATED;
                              BYTELM_EMD5 when every frame decoded but the data's MD5 does
                              not match: some of it is wrong, where is not known (the loss
                              then spans all units, filled 0) */
} BytelmLoss;

/* The oldest loss not taken yet: 0 with *loss filled, or BYTELM_EAGAIN if none. */
BYTELM_API int bytelm_decoder_next_loss(BytelmDecoder *dec, BytelmLoss *loss);

/* Reads a stream header from the front of buf: 0 and *info filled (and *header_len
 * set), BYTELM_EAGAIN if more bytes are needed, or an error. It does not look for the
 * model: model_name is "" and model_available 0 (a decoder's get_info fills them). */
BYTELM_API int bytelm_probe_header(const void *buf, size_t len, BytelmStreamInfo *info,
                                   size_t *header_len);

/* Chunk parsing. A stream is a sequence of chunks (docs/FORMAT.md): the header, an
 * optional tags chunk, frames and the trailer. These calls let a container or parser
 * cut a stream at chunk boundaries, with the decoder's own checks, without knowing
 * the layout. */
typedef enum BytelmChunkType {
    BYTELM_CHUNK_HEADER = 0,  /* the stream header: read it with bytelm_probe_header */
    BYTELM_CHUNK_TAGS = 1,    /* the tags, right after a header that announces them */
    BYTELM_CHUNK_FRAME = 2,
    BYTELM_CHUNK_TRAILER = 3, /* seek table and MD5; the stream ends with it */
} BytelmChunkType;

typedef struct BytelmChunk {
    BytelmChunkType type;
    size_t size;              /* bytes of the whole chunk; with BYTELM_EAGAIN, how many
                                 bytes from its start are needed to go on (more may be
                                 asked for after those) */
    /* frames */
    uint32_t index;           /* 0, 1, 2 ... in stream order */
    int mode;                 /* frame mode (docs/FORMAT.md §3) */
    uint64_t first_unit;      /* = index * frame_units */
    uint32_t n_units;
    /* the trailer */
    uint32_t n_frames;        /* frames in the stream, entries in the seek table */
    uint64_t total_units;     /* units in the stream */
    uint8_t md5[16];          /* MD5 of the stream's raw bytes */
    uint64_t reserved[4];
} BytelmChunk;

/* Says which chunk starts at data: 0 with *chunk filled when the whole chunk is there
 * and sound (its CRC checked); BYTELM_EAGAIN with chunk->type and chunk->size set when
 * more bytes are needed (with fewer than 4, the type is a guess); BYTELM_EFORMAT with
 * chunk->size 0 when no chunk starts there, with the type and size when the chunk
 * breaks the format's rules; BYTELM_ECRC when its CRC does not match (a frame's
 * fields are filled then, as it claims them, for messages);
 * BYTELM_EVERSION for a header of another format version. Frames are checked against
 * info, the stream's header as bytelm_probe_header or bytelm_decoder_get_info give it
 * (BYTELM_EINVAL without one); other chunks ignore it. Ordering (tags only after a
 * header, indexes counting up) is the caller's to check. */
BYTELM_API int bytelm_chunk_parse(const void *data, size_t len, const BytelmStreamInfo *info,
                                  BytelmChunk *chunk);
/* Entry i of the seek table of a trailer that bytelm_chunk_parse accepted: where frame
 * i starts, in bytes from the start of the stream not counting a tags chunk (add its
 * size when the stream has one), and its first unit. BYTELM_EINVAL when there is no
 * entry i. */
BYTELM_API int bytelm_chunk_seek_entry(const void *trailer, size_t len, uint32_t i,
                                       uint64_t *offset, uint64_t *first_unit);
/* Given the last len (>= 8) bytes of a stream, the size of its trailer, which ends
 * there: 0 with *size set (check the trailer found there with bytelm_chunk_parse),
 * BYTELM_EAGAIN with fewer than 8 bytes, BYTELM_EFORMAT when the stream does not end
 * with a trailer. For readers that can seek: the seek table, the length. */
BYTELM_API int bytelm_chunk_trailer_size(const void *end, size_t len, uint64_t *size);
/* Resynchronising: the offset, 1 or more, of the first place in data where a chunk of
 * one of the types in the mask (1u << BYTELM_CHUNK_*) may start; when there is none,
 * the offset from which data's last bytes could still begin one (so skipping that
 * many bytes loses nothing). */
BYTELM_API size_t bytelm_chunk_find(const void *data, size_t len, unsigned types);

/* Models. Opening a context loads the model it needs and checks its SHA-256; the
 * library keeps the last few models loaded in the process, shared by every context
 * that uses one (they are read-only), so that opening another context for the same
 * model, as a video path does for each image, costs no reload. The cache is keyed
 * by the model's hash and asked once the model has been found where the settings say
 * to look, so it never finds a model that the settings would not. This call frees
 * the cached models that no context holds (for leak checkers, or to give back their
 * memory); it is safe at any time, from any thread. */
BYTELM_API void bytelm_model_cache_clear(void);

/* The encoder's delay: the units (samples per channel, rows, bytes) it takes in before
 * the first frame packet can come out, and so before each later batch of frames. A
 * live source's latency is that many units; finish flushes what is held. */
BYTELM_API uint64_t bytelm_encoder_delay(const BytelmEncoder *enc);

#ifdef __cplusplus
}
#endif
#endif
