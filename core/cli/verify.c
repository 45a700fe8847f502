/*
 * bytelm command-line tool: --verify (verify.h).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "verify.h"

int verify_open(Verify *v, const Options *o, const char *name)
{
    memset(v, 0, sizeof *v);
    BytelmSettings s;
    base_settings(o, &s, name);
    v->buf = malloc(CHUNK);
    if (!v->buf)
        return BYTELM_ENOMEM;
    return bytelm_decoder_open(&v->dec, &s);
}

int verify_input(Verify *v, const uint8_t *data, size_t n)
{
    if (v->head + v->len + n > v->cap) {
        if (v->len) /* fifo is NULL before the first call */
            memmove(v->fifo, v->fifo + v->head, v->len);
        v->head = 0;
        if (v->len + n > v->cap) {
            size_t cap = v->cap ? v->cap : CHUNK;
            while (cap < v->len + n)
                cap *= 2;
            uint8_t *f = realloc(v->fifo, cap);
            if (!f)
                return -1;
            v->fifo = f;
            v->cap = cap;
        }
    }
    memcpy(v->fifo + v->head + v->len, data, n);
    v->len += n;
    return 0;
}

static int verify_drain(Verify *v)
{
    for (;;) {
        size_t n = 0;
        int rc = bytelm_decoder_pull(v->dec, v->buf, CHUNK, &n);
        if (rc == BYTELM_EAGAIN)
            return 0;
        if (rc < 0)
            return rc;
        if (!n)
            return 0;
        if (n > v->len || memcmp(v->buf, v->fifo + v->head, n)) {
            v->mismatch = 1;
            return 0;
        }
        v->head += n;
        v->len -= n;
        v->matched += n;
    }
}

int verify_stream(Verify *v, const uint8_t *data, size_t n)
{
    if (v->mismatch)
        return 0;
    int rc = bytelm_decoder_push(v->dec, data, n);
    return rc < 0 ? rc : verify_drain(v);
}

int verify_finish(Verify *v)
{
    int rc = bytelm_decoder_finish(v->dec);
    int rc2 = verify_drain(v);
    return rc < 0 ? rc : rc2;
}

void verify_close(Verify *v)
{
    bytelm_decoder_close(&v->dec);
    free(v->fifo);
    free(v->buf);
}
