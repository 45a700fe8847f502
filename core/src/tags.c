/*
 * The tags chunk (docs/FORMAT.md §1.1). Every length read from a stream is checked
 * against what is left of the body before it is trusted, and the body against its
 * 1 MiB limit, so a hostile chunk costs at most that much memory.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tags.h"

#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "bytes_io.h"
#include "checksum.h"
#include "format.h"

static const uint8_t tags_magic[4] = {'B', 'L', 'M', 'C'};

void blm_tags_init(BlmTags *t)
{
    memset(t, 0, sizeof(*t));
    t->body_size = 8; /* vendor length and field count */
}

void blm_tags_clear(BlmTags *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->keys[i]);
        free(t->values[i]);
    }
    free(t->keys);
    free(t->values);
    free(t->vendor);
    blm_tags_init(t);
}

static int key_valid(const char *key, size_t len)
{
    if (!len)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (key[i] < 0x20 || key[i] > 0x7D || key[i] == '=')
            return 0;
    return 1;
}

int blm_tags_key_valid(const char *key)
{
    return key && key_valid(key, strlen(key));
}

static char *copy_string(const char *s, size_t len)
{
    char *c = malloc(len + 1);
    if (c) {
        memcpy(c, s, len);
        c[len] = 0;
    }
    return c;
}

static int append(BlmTags *t, const char *key, size_t key_len, const char *value, size_t value_len)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        char **k = realloc(t->keys, cap * sizeof(*k));
        if (k)
            t->keys = k;
        char **v = realloc(t->values, cap * sizeof(*v));
        if (v)
            t->values = v;
        if (!k || !v)
            return BYTELM_ENOMEM;
        t->cap = cap;
    }
    char *k = copy_string(key, key_len), *v = copy_string(value, value_len);
    if (!k || !v) {
        free(k);
        free(v);
        return BYTELM_ENOMEM;
    }
    t->keys[t->n] = k;
    t->values[t->n] = v;
    t->n++;
    t->body_size += 4 + key_len + 1 + value_len;
    return 0;
}

int blm_tags_add(BlmTags *t, const char *key, const char *value)
{
    if (!blm_tags_key_valid(key) || !value)
        return BYTELM_EINVAL;
    size_t key_len = strlen(key), value_len = strlen(value);
    size_t vendor_len = t->vendor ? strlen(t->vendor) : 0;
    if (value_len > BLM_TAGS_MAX_BODY ||
        t->body_size + vendor_len + 4 + key_len + 1 + value_len > BLM_TAGS_MAX_BODY)
        return BYTELM_EINVAL;
    return append(t, key, key_len, value, value_len);
}

size_t blm_tags_chunk_size(const BlmTags *t)
{
    return BLM_TAGS_FIXED_SIZE + t->body_size + (t->vendor ? strlen(t->vendor) : 0);
}

static uint8_t *put_string(uint8_t *p, const char *s, size_t len)
{
    blm_put_u32(p, (uint32_t)len);
    memcpy(p + 4, s, len);
    return p + 4 + len;
}

void blm_tags_chunk_write(const BlmTags *t, uint8_t *out)
{
    size_t size = blm_tags_chunk_size(t);
    memcpy(out, tags_magic, 4);
    blm_put_u32(out + 4, (uint32_t)(size - BLM_TAGS_FIXED_SIZE));
    uint8_t *p = put_string(out + 8, t->vendor ? t->vendor : "", t->vendor ? strlen(t->vendor) : 0);
    blm_put_u32(p, (uint32_t)t->n);
    p += 4;
    for (size_t i = 0; i < t->n; i++) {
        size_t kl = strlen(t->keys[i]), vl = strlen(t->values[i]);
        blm_put_u32(p, (uint32_t)(kl + 1 + vl));
        memcpy(p + 4, t->keys[i], kl);
        p[4 + kl] = '=';
        memcpy(p + 5 + kl, t->values[i], vl);
        p += 4 + kl + 1 + vl;
    }
    blm_put_u32(p, blm_crc32(0, out, (size_t)(p - out)));
}

int blm_is_tags_sync(const uint8_t *buf, size_t len)
{
    return len >= 4 && !memcmp(buf, tags_magic, 4);
}

/* One length-prefixed string of the body at *pos, which it passes. */
static const char *take_string(const uint8_t *body, size_t size, size_t *pos, size_t *len)
{
    if (size - *pos < 4)
        return NULL;
    uint32_t n = blm_get_u32(body + *pos);
    if (n > size - *pos - 4)
        return NULL;
    const char *s = (const char *)body + *pos + 4;
    if (memchr(s, 0, n))
        return NULL;
    *pos += 4 + (size_t)n;
    *len = n;
    return s;
}

static int parse_body(const uint8_t *body, size_t size, BlmTags *t)
{
    size_t pos = 0, len;
    const char *vendor = take_string(body, size, &pos, &len);
    if (!vendor || size - pos < 4)
        return BYTELM_EFORMAT;
    if (!(t->vendor = copy_string(vendor, len)))
        return BYTELM_ENOMEM;
    uint32_t n = blm_get_u32(body + pos);
    pos += 4;
    if (n > (size - pos) / 4)
        return BYTELM_EFORMAT;
    for (uint32_t i = 0; i < n; i++) {
        const char *field = take_string(body, size, &pos, &len);
        const char *eq = field ? memchr(field, '=', len) : NULL;
        if (!eq || !key_valid(field, (size_t)(eq - field)))
            return BYTELM_EFORMAT;
        size_t key_len = (size_t)(eq - field);
        int ret = append(t, field, key_len, eq + 1, len - key_len - 1);
        if (ret < 0)
            return ret;
    }
    return pos == size ? 0 : BYTELM_EFORMAT;
}

int blm_tags_chunk_parse(const uint8_t *buf, size_t len, BlmTags *t, size_t *chunk_len)
{
    blm_tags_init(t);
    *chunk_len = 0;
    if (len < 8)
        return len >= 4 && !blm_is_tags_sync(buf, len) ? BYTELM_EFORMAT : BYTELM_EAGAIN;
    if (!blm_is_tags_sync(buf, len))
        return BYTELM_EFORMAT;
    uint32_t body = blm_get_u32(buf + 4);
    if (body < 8 || body > BLM_TAGS_MAX_BODY)
        return BYTELM_EFORMAT;
    size_t total = BLM_TAGS_FIXED_SIZE + (size_t)body;
    *chunk_len = total;
    if (len < total)
        return BYTELM_EAGAIN;
    if (!blm_crc_matches(blm_get_u32(buf + total - 4), blm_crc32(0, buf, total - 4)))
        return BYTELM_ECRC;
    int ret = parse_body(buf + 8, body, t);
    if (ret < 0)
        blm_tags_clear(t);
    return ret;
}
