/*
 * Does a buffer hold text? Plain bytes that do are coded with the text model
 * (models/models.list, docs/models.md). The choice is the encoder's alone: the
 * stream names its model by hash, so decoding never asks this question.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib.h>

#include "bytelm/bytelm.h"

/* Enough to tell, little enough to be cheap on any input. */
#define SNIFF_BYTES 65536

/* A multi-byte UTF-8 sequence cut short by the end of the sample: a lead byte and
 * fewer continuation bytes than it announces. */
static int is_cut_sequence(const unsigned char *p, size_t n)
{
    if (n == 0 || n > 3 || p[0] < 0xC2 || p[0] > 0xF4)
        return 0;
    size_t need = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : 2;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    return n < need;
}

int bytelm_looks_like_text(const void *data, size_t len)
{
    const unsigned char *p = data;
    if (len > SNIFF_BYTES)
        len = SNIFF_BYTES;
    if (len == 0)
        return 0;
    /* Valid UTF-8 (ASCII included); g_utf8_validate also stops at a NUL. */
    const gchar *end;
    if (!g_utf8_validate((const gchar *)p, (gssize)len, &end) &&
        !is_cut_sequence((const unsigned char *)end, len - (size_t)(end - (const gchar *)p)))
        return 0;
    /* Few control characters besides the layout ones (\t \n \v \f \r) and ESC (SGR
     * colours in logs and man pages). */
    size_t controls = 0;
    for (size_t i = 0; i < len; i++)
        if ((p[i] < 0x20 && !(p[i] >= '\t' && p[i] <= '\r') && p[i] != 0x1B) || p[i] == 0x7F)
            controls++;
    return controls * 100 <= len;
}
