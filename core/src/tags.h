/*
 * The optional tags chunk (docs/FORMAT.md §1.1): Vorbis comment fields "KEY=value"
 * after the header, as a FLAC file's VORBIS_COMMENT block holds them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TAGS_H
#define BYTELM_TAGS_H

#include <stddef.h>
#include <stdint.h>

#define BLM_TAGS_FIXED_SIZE 12          /* magic, body size, CRC */
#define BLM_TAGS_MAX_BODY (1u << 20)

typedef struct BlmTags {
    char *vendor;
    char **keys, **values;   /* n of each, zero-terminated */
    size_t n, cap;
    size_t body_size;        /* of the chunk's body, less the vendor string */
} BlmTags;

void blm_tags_init(BlmTags *t);
void blm_tags_clear(BlmTags *t);
/* 1 if key is a valid Vorbis comment key (ASCII 0x20..0x7D except '='). */
int blm_tags_key_valid(const char *key);
/* Appends one field: 0, BYTELM_EINVAL (bad key, or the body would pass its limit)
 * or BYTELM_ENOMEM. */
int blm_tags_add(BlmTags *t, const char *key, const char *value);
size_t blm_tags_chunk_size(const BlmTags *t);
/* Writes the whole chunk; out holds blm_tags_chunk_size(t) bytes. */
void blm_tags_chunk_write(const BlmTags *t, uint8_t *out);
int blm_is_tags_sync(const uint8_t *buf, size_t len);
/* Parses the chunk at buf into *t (which it initialises): 0 with *chunk_len set,
 * BYTELM_EAGAIN (*chunk_len says how many bytes, once known), EFORMAT, ECRC, ENOMEM. */
int blm_tags_chunk_parse(const uint8_t *buf, size_t len, BlmTags *t, size_t *chunk_len);

#endif
