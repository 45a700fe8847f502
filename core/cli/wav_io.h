/*
 * bytelm command-line tool: 16-bit PCM WAV reading and writing via libsndfile.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_WAV_IO_H
#define BYTELM_CLI_WAV_IO_H

#include <stddef.h>
#include <stdint.h>

typedef struct WavInfo {
    uint32_t sample_rate;
    uint32_t channels;
    uint32_t channel_mask;  /* WAVE_FORMAT_EXTENSIBLE speaker mask; 0 = none */
    uint64_t frames;        /* samples per channel */
} WavInfo;

typedef struct WavReader WavReader;
typedef struct WavWriter WavWriter;

/* fd must be seekable and positioned at the start of the file; it is not
 * closed by the reader. Anything but 16-bit integer PCM is refused with a
 * message that names what was found. */
int wav_reader_open(WavReader **r, int fd, WavInfo *info, char *err, size_t errlen);
/* Reads up to max_frames frames as interleaved s16le bytes. Returns the number
 * of frames read (0 at the end) or -1. */
long wav_reader_read(WavReader *r, uint8_t *buf, size_t max_frames, char *err, size_t errlen);
void wav_reader_close(WavReader **r);

/* Tags of the LIST/INFO chunk that libsndfile reads, under their Vorbis comment
 * keys (TITLE, ARTIST, ALBUM, TRACKNUMBER, DATE, GENRE, COMMENT, COPYRIGHT), in
 * that order; add() returns -1 to stop. Returns 0, or -1 if add() did. */
int wav_reader_tags(WavReader *r, int (*add)(void *opaque, const char *key, const char *value),
                    void *opaque);

/* Writes a 16-bit PCM WAV to fd (seekable; not closed by the writer).
 * A non-zero channel mask gives a WAVE_FORMAT_EXTENSIBLE file carrying it. */
int wav_writer_open(WavWriter **w, int fd, const WavInfo *info, char *err, size_t errlen);
/* Writes whole frames of interleaved s16le bytes. */
int wav_writer_write(WavWriter *w, const uint8_t *buf, size_t frames, char *err, size_t errlen);
/* Keeps a tag for the file's LIST/INFO chunk: 1 if WAV has a field for the key
 * (case-insensitive; the keys wav_reader_tags gives), 0 if not, -1 on error. The
 * first value given for a key is kept. Any time before wav_writer_close. */
int wav_writer_set_tag(WavWriter *w, const char *key, const char *value);
/* Completes the header. Returns 0 or -1; frees *w either way. */
int wav_writer_close(WavWriter **w, char *err, size_t errlen);

/* Speaker mask <-> libsndfile channel map, exposed for tests.
 * Channels whose map entry has no mask bit are skipped (libsndfile leaves them
 * SF_CHANNEL_MAP_INVALID when the mask has fewer bits than channels). */
uint32_t wav_mask_from_channel_map(const int *map, int channels);
/* Returns the number of map entries filled (the mask's bits, lowest first). */
int wav_channel_map_from_mask(uint32_t mask, int *map, int channels);

#endif
