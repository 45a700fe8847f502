/*
 * bytelm-train: writing the weights file (.blmm) of docs/MODEL.md section 5.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU parts of libc (mmap, strdup, clock_gettime, M_PI) */
#endif
#include "export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

/* ---- little-endian byte buffer ---- */

void bb_bytes(ByteBuf *b, const void *data, size_t n)
{
    if (b->oom) return;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n) cap *= 2;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    if (data) memcpy(b->p + b->len, data, n);
    else memset(b->p + b->len, 0, n);
    b->len += n;
}

void bb_u8(ByteBuf *b, uint8_t v) { bb_bytes(b, &v, 1); }

void bb_u16(ByteBuf *b, uint16_t v)
{
    uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    bb_bytes(b, x, 2);
}

void bb_u32(ByteBuf *b, uint32_t v)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++) x[i] = (uint8_t)(v >> (8 * i));
    bb_bytes(b, x, 4);
}

void bb_u64(ByteBuf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++) x[i] = (uint8_t)(v >> (8 * i));
    bb_bytes(b, x, 8);
}

void bb_f32(ByteBuf *b, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    bb_u32(b, u);
}

void bb_zeros(ByteBuf *b, size_t n) { bb_bytes(b, NULL, n); }

int bb_write_atomic(const ByteBuf *b, const char *path)
{
    if (b->oom) {
        fprintf(stderr, "bytelm-train: out of memory writing %s\n", path);
        return -1;
    }
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 5);
    if (!tmp) return -1;
    memcpy(tmp, path, pl);
    memcpy(tmp + pl, ".tmp", 5);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) goto fail;
    size_t off = 0;
    while (off < b->len) {
        ssize_t w = write(fd, b->p + off, b->len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            close(fd);
            goto fail;
        }
        off += (size_t)w;
    }
    if (fsync(fd) || close(fd)) goto fail;
    if (rename(tmp, path)) goto fail;
    free(tmp);
    return 0;
fail:
    fprintf(stderr, "bytelm-train: cannot write %s: %s\n", path, strerror(errno));
    unlink(tmp);
    free(tmp);
    return -1;
}

/* ---- .blmm ---- */

static void meta_key(ByteBuf *b, const char *key, uint8_t type)
{
    bb_u16(b, (uint16_t)strlen(key));
    bb_bytes(b, key, strlen(key));
    bb_u8(b, type);
}

static void meta_u32(ByteBuf *b, const char *key, uint32_t v)
{
    meta_key(b, key, 0);
    bb_u32(b, v);
}

static void meta_f32(ByteBuf *b, const char *key, float v)
{
    meta_key(b, key, 1);
    bb_f32(b, v);
}

static void meta_str(ByteBuf *b, const char *key, const char *v)
{
    meta_key(b, key, 2);
    bb_u32(b, (uint32_t)strlen(v));
    bb_bytes(b, v, strlen(v));
}

typedef struct ExportTensor {
    char name[32];
    int ndim;
    uint32_t dims[2];
    const real *data;
    size_t n;
    uint64_t offset;
} ExportTensor;

int export_blmm(const TrainModel *m, const ExportMeta *meta, const char *path,
                uint8_t hash_out[32])
{
    const TrainModelConfig *c = &m->cfg;
    ParamInfo info[TP_COUNT];
    tm_param_info(c, info);

    /* the tensor list in the order of docs/MODEL.md: globals, then each layer, then the head */
    int order_pre[] = { TP_TOK_EMB, TP_PHASE_EMB };
    int order_layer[] = { TP_ATTN_NORM, TP_WQ, TP_WK, TP_WV, TP_WO, TP_REL_BIAS, TP_FFN_NORM,
                          TP_W1, TP_W2 };
    int order_post[] = { TP_OUT_NORM, TP_OUT_W, TP_OUT_B };
    int nt = 2 + 9 * c->n_layer + 3, k = 0;
    ExportTensor *ts = calloc((size_t)nt, sizeof(*ts));
    if (!ts) return -1;
    const real *base[TP_COUNT];
    {
        const real *p = m->params_mem;
        for (int t = 0; t < TP_COUNT; t++) {
            base[t] = p;
            p += m->param_sizes[t];
        }
    }
#define ADD_TENSOR(t, layer)                                                                  \
    do {                                                                                      \
        ExportTensor *e = &ts[k++];                                                           \
        size_t per = m->param_sizes[t] / (info[t].per_layer ? (size_t)c->n_layer : 1);        \
        if (info[t].per_layer) snprintf(e->name, sizeof e->name, "l%d.%s", layer, info[t].name); \
        else snprintf(e->name, sizeof e->name, "%s", info[t].name);                           \
        e->ndim = info[t].ndim;                                                               \
        e->dims[0] = (uint32_t)info[t].dims[0];                                               \
        e->dims[1] = (uint32_t)info[t].dims[1];                                               \
        e->data = base[t] + (info[t].per_layer ? per * (size_t)(layer) : 0);                  \
        e->n = per;                                                                           \
    } while (0)
    for (size_t i = 0; i < sizeof order_pre / sizeof *order_pre; i++) ADD_TENSOR(order_pre[i], 0);
    for (int l = 0; l < c->n_layer; l++)
        for (size_t i = 0; i < sizeof order_layer / sizeof *order_layer; i++)
            ADD_TENSOR(order_layer[i], l);
    for (size_t i = 0; i < sizeof order_post / sizeof *order_post; i++)
        ADD_TENSOR(order_post[i], 0);
#undef ADD_TENSOR

    uint64_t off = 0;
    for (int i = 0; i < nt; i++) {
        ts[i].offset = off;
        off += ((uint64_t)ts[i].n * 4 + 31) / 32 * 32;
    }

    ByteBuf b = { 0 };
    bb_bytes(&b, "BLMM", 4);
    bb_u32(&b, 1);
    bb_u32(&b, 15); /* n_meta */
    bb_u32(&b, (uint32_t)nt);
    meta_str(&b, "arch", "bytelm-transformer-v1");
    meta_u32(&b, "n_layer", (uint32_t)c->n_layer);
    meta_u32(&b, "d_model", (uint32_t)c->d_model);
    meta_u32(&b, "n_head", (uint32_t)c->n_head);
    meta_u32(&b, "d_ff", (uint32_t)c->d_ff);
    meta_u32(&b, "window", (uint32_t)c->window);
    meta_u32(&b, "n_phase", TM_N_PHASE);
    meta_f32(&b, "norm_eps", c->norm_eps);
    meta_str(&b, "norm", "rmsnorm");
    meta_str(&b, "pos", "relbias");
    meta_str(&b, "act", "gelu_tanh");
    meta_str(&b, "name", meta->name ? meta->name : "");
    meta_str(&b, "modality", meta->modality ? meta->modality : "");
    meta_u32(&b, "train_bytes",
             meta->train_bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)meta->train_bytes);
    meta_str(&b, "description", meta->description ? meta->description : "");
    for (int i = 0; i < nt; i++) {
        bb_u16(&b, (uint16_t)strlen(ts[i].name));
        bb_bytes(&b, ts[i].name, strlen(ts[i].name));
        bb_u8(&b, 0); /* f32 */
        bb_u8(&b, (uint8_t)ts[i].ndim);
        for (int j = 0; j < ts[i].ndim; j++) bb_u32(&b, ts[i].dims[j]);
        bb_u64(&b, ts[i].offset);
    }
    bb_zeros(&b, (32 - b.len % 32) % 32);
    size_t data_start = b.len;
    for (int i = 0; i < nt; i++) {
        for (size_t j = 0; j < ts[i].n; j++) bb_f32(&b, (float)ts[i].data[j]);
        bb_zeros(&b, (32 - (b.len - data_start) % 32) % 32);
    }
    free(ts);
    uint8_t hash[32];
    Sha256 s;
    sha256_init(&s);
    sha256_update(&s, b.p, b.oom ? 0 : b.len);
    sha256_final(&s, hash);
    bb_bytes(&b, hash, 32);
    int r = bb_write_atomic(&b, path);
    free(b.p);
    if (!r && hash_out) memcpy(hash_out, hash, 32);
    return r;
}
