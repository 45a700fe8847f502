/*
 * bytelm-train: checkpoints for --resume.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU parts of libc (mmap, strdup, clock_gettime, M_PI) */
#endif
#include "checkpoint.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "sha256.h"

static void bb_f64(ByteBuf *b, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    bb_u64(b, u);
}

static void bb_floats(ByteBuf *b, const real *x, size_t n)
{
    for (size_t i = 0; i < n; i++) bb_f32(b, (float)x[i]);
}

int checkpoint_save(const char *path, const TrainModel *m, const TrainHyper *h,
                    const TrainProgress *p)
{
    const TrainModelConfig *c = &m->cfg;
    ByteBuf b = { 0 };
    bb_bytes(&b, "BLMTRAIN", 8);
    bb_u32(&b, CKPT_VERSION);
    bb_u32(&b, (uint32_t)c->n_layer);
    bb_u32(&b, (uint32_t)c->d_model);
    bb_u32(&b, (uint32_t)c->n_head);
    bb_u32(&b, (uint32_t)c->d_ff);
    bb_u32(&b, (uint32_t)c->window);
    bb_f32(&b, c->norm_eps);
    bb_u32(&b, (uint32_t)h->batch);
    bb_u32(&b, (uint32_t)h->seq_len);
    bb_f64(&b, h->lr);
    bb_f64(&b, h->min_lr_frac);
    bb_f64(&b, h->weight_decay);
    bb_f64(&b, h->beta1);
    bb_f64(&b, h->beta2);
    bb_f64(&b, h->adam_eps);
    bb_f64(&b, h->clip);
    bb_u64(&b, (uint64_t)h->warmup);
    bb_u64(&b, (uint64_t)h->steps);
    bb_u64(&b, h->seed);
    bb_u64(&b, (uint64_t)p->step);
    bb_u64(&b, p->tokens_seen);
    bb_u64(&b, p->train_bytes);
    for (int i = 0; i < 4; i++) bb_u64(&b, p->rng.s[i]);
    bb_u64(&b, m->n_params);
    bb_floats(&b, m->params_mem, m->n_params);
    bb_floats(&b, m->m_mem, m->n_params);
    bb_floats(&b, m->v_mem, m->n_params);
    uint8_t hash[32];
    Sha256 s;
    sha256_init(&s);
    sha256_update(&s, b.p, b.oom ? 0 : b.len);
    sha256_final(&s, hash);
    bb_bytes(&b, hash, 32);
    int r = bb_write_atomic(&b, path);
    free(b.p);
    return r;
}

/* ---- reading ---- */

typedef struct Reader {
    const uint8_t *p;
    size_t len, pos;
} Reader;

static uint64_t rd(Reader *r, int n)
{
    uint64_t v = 0;
    if (r->pos + (size_t)n > r->len) {
        r->pos = r->len + 1; /* marks truncation */
        return 0;
    }
    for (int i = 0; i < n; i++) v |= (uint64_t)r->p[r->pos + (size_t)i] << (8 * i);
    r->pos += (size_t)n;
    return v;
}

static float rd_f32(Reader *r)
{
    uint32_t u = (uint32_t)rd(r, 4);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static double rd_f64(Reader *r)
{
    uint64_t u = rd(r, 8);
    double f;
    memcpy(&f, &u, 8);
    return f;
}

int checkpoint_load(const char *path, TrainModel *m, TrainHyper *h, TrainProgress *p)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "bytelm-train: cannot open checkpoint %s: %s\n", path, strerror(errno));
        return -1;
    }
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = len > 0 ? malloc((size_t)len) : NULL;
    if (!buf || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
        fprintf(stderr, "bytelm-train: cannot read checkpoint %s\n", path);
        fclose(fp);
        free(buf);
        return -1;
    }
    fclose(fp);
    const char *err = NULL;
    uint8_t hash[32];
    Sha256 s;
    Reader r = { buf, (size_t)len, 0 };
    if (len < 8 + 4 + 32 || memcmp(buf, "BLMTRAIN", 8)) {
        err = "not a bytelm-train checkpoint";
        goto fail;
    }
    sha256_init(&s);
    sha256_update(&s, buf, (size_t)len - 32);
    sha256_final(&s, hash);
    if (memcmp(hash, buf + len - 32, 32)) {
        err = "checksum mismatch (damaged file)";
        goto fail;
    }
    r.len = (size_t)len - 32;
    r.pos = 8;
    if (rd(&r, 4) != CKPT_VERSION) {
        err = "unsupported checkpoint version";
        goto fail;
    }
    TrainModelConfig cfg;
    cfg.n_layer = (int)rd(&r, 4);
    cfg.d_model = (int)rd(&r, 4);
    cfg.n_head = (int)rd(&r, 4);
    cfg.d_ff = (int)rd(&r, 4);
    cfg.window = (int)rd(&r, 4);
    cfg.norm_eps = rd_f32(&r);
    h->batch = (int)rd(&r, 4);
    h->seq_len = (int)rd(&r, 4);
    h->lr = rd_f64(&r);
    h->min_lr_frac = rd_f64(&r);
    h->weight_decay = rd_f64(&r);
    h->beta1 = rd_f64(&r);
    h->beta2 = rd_f64(&r);
    h->adam_eps = rd_f64(&r);
    h->clip = rd_f64(&r);
    h->warmup = (int64_t)rd(&r, 8);
    h->steps = (int64_t)rd(&r, 8);
    h->seed = rd(&r, 8);
    p->step = (int64_t)rd(&r, 8);
    p->tokens_seen = rd(&r, 8);
    p->train_bytes = rd(&r, 8);
    for (int i = 0; i < 4; i++) p->rng.s[i] = rd(&r, 8);
    uint64_t n = rd(&r, 8);
    if (r.pos > r.len || tm_config_check(&cfg)) {
        err = "bad header";
        goto fail;
    }
    if (tm_init(m, &cfg)) {
        err = "out of memory";
        goto fail;
    }
    if (n != m->n_params || r.len - r.pos != 3 * 4 * n) {
        tm_free(m);
        err = "parameter count does not match the shape";
        goto fail;
    }
    for (size_t i = 0; i < n; i++) m->params_mem[i] = rd_f32(&r);
    for (size_t i = 0; i < n; i++) m->m_mem[i] = rd_f32(&r);
    for (size_t i = 0; i < n; i++) m->v_mem[i] = rd_f32(&r);
    free(buf);
    return 0;
fail:
    fprintf(stderr, "bytelm-train: %s: %s\n", path, err);
    free(buf);
    return -1;
}
