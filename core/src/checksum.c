/*
 * Checksums over zlib and GLib.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "checksum.h"

#include <limits.h>
#include <string.h>

#include <glib.h>
#include <zlib.h>

#include "bytelm/bytelm.h"

/* zlib and GLib take lengths as uInt and gssize: feed big inputs in pieces. */
#define CHUNK ((size_t)1 << 30)

uint32_t blm_crc32(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    uLong c = crc;
    while (len) {
        size_t n = len < CHUNK ? len : CHUNK;
        c = crc32(c, p, (uInt)n);
        p += n;
        len -= n;
    }
    return (uint32_t)c;
}

static void checksum_update(GChecksum *cs, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        size_t n = len < CHUNK ? len : CHUNK;
        g_checksum_update(cs, p, (gssize)n);
        p += n;
        len -= n;
    }
}

int blm_md5_init(BlmMd5 *md5)
{
    md5->gcs = g_checksum_new(G_CHECKSUM_MD5);
    return md5->gcs ? 0 : BYTELM_ENOMEM;
}

void blm_md5_update(BlmMd5 *md5, const void *data, size_t len)
{
    if (md5->gcs)
        checksum_update(md5->gcs, data, len);
}

void blm_md5_final(BlmMd5 *md5, uint8_t out[16])
{
    gsize n = 16;
    memset(out, 0, 16);
    if (!md5->gcs)
        return;
    g_checksum_get_digest(md5->gcs, out, &n);
    blm_md5_clear(md5);
}

void blm_md5_clear(BlmMd5 *md5)
{
    if (md5->gcs)
        g_checksum_free(md5->gcs);
    md5->gcs = NULL;
}

int blm_sha256(const void *data, size_t len, uint8_t out[32])
{
    gsize n = 32;
    GChecksum *cs = g_checksum_new(G_CHECKSUM_SHA256);
    if (!cs)
        return BYTELM_ENOMEM;
    checksum_update(cs, data, len);
    g_checksum_get_digest(cs, out, &n);
    g_checksum_free(cs);
    return 0;
}
