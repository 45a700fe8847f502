/*
 * Checksums: CRC-32 (zlib's), MD5 (incremental) and SHA-256, the latter two
 * from GLib so that we carry no hash code of our own.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CHECKSUM_H
#define BYTELM_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* zlib's CRC-32 (reflected 0xEDB88320, as in PNG and gzip): start with crc = 0
 * and feed the previous return value back to continue. */
uint32_t blm_crc32(uint32_t crc, const void *data, size_t len);

typedef struct BlmMd5 {
    void *gcs; /* GChecksum; void * keeps glib.h out of our headers */
} BlmMd5;

/* 0, or BYTELM_ENOMEM. */
int blm_md5_init(BlmMd5 *md5);
void blm_md5_update(BlmMd5 *md5, const void *data, size_t len);
/* Writes the digest and frees the context (blm_md5_clear is then a no-op). */
void blm_md5_final(BlmMd5 *md5, uint8_t out[16]);
/* Frees a context that will not be finished; safe to call twice. */
void blm_md5_clear(BlmMd5 *md5);

/* 0, or BYTELM_ENOMEM. */
int blm_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
