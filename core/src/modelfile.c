/*
 * The .blmm weights file (docs/MODEL.md §5): bounds-checked parsing of untrusted
 * bytes. Nothing here allocates from a size read in the file; every read goes
 * through a cursor that fails instead of running past the end.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "bytelm/bytelm.h"
#include "modelfile.h"

typedef struct Cursor {
    const uint8_t *p, *end;
    int bad;               /* set by any read past the end; reads then give 0 */
} Cursor;

static const uint8_t *take(Cursor *c, size_t n)
{
    if (c->bad || (size_t)(c->end - c->p) < n) {
        c->bad = 1;
        return NULL;
    }
    const uint8_t *p = c->p;
    c->p += n;
    return p;
}

static uint32_t rd_u8(Cursor *c)
{
    const uint8_t *p = take(c, 1);
    return p ? p[0] : 0;
}

static uint32_t rd_u16(Cursor *c)
{
    const uint8_t *p = take(c, 2);
    return p ? (uint32_t)p[0] | (uint32_t)p[1] << 8 : 0;
}

static uint32_t load_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t rd_u32(Cursor *c)
{
    const uint8_t *p = take(c, 4);
    return p ? load_u32(p) : 0;
}

static uint64_t rd_u64(Cursor *c)
{
    uint64_t lo = rd_u32(c);
    return lo | (uint64_t)rd_u32(c) << 32;
}

/* A length-prefixed byte string; NULL (and c->bad) if it does not fit. */
static const uint8_t *rd_bytes(Cursor *c, size_t n)
{
    return take(c, n);
}

static int str_is(const uint8_t *s, size_t n, const char *lit)
{
    return s && n == strlen(lit) && !memcmp(s, lit, n);
}

static void copy_str(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = 0;
}

/* ---- metadata ---- */

enum { M_ARCH, M_NLAYER, M_DMODEL, M_NHEAD, M_DFF, M_WINDOW, M_NPHASE, M_EPS,
       M_NORM, M_POS, M_ACT, M_NAME, M_MODALITY, M_COUNT };

static const struct { const char *key; int type; int required; } meta_keys[M_COUNT] = {
    [M_ARCH] = { "arch", 2, 1 },
    [M_NLAYER] = { "n_layer", 0, 1 },
    [M_DMODEL] = { "d_model", 0, 1 },
    [M_NHEAD] = { "n_head", 0, 1 },
    [M_DFF] = { "d_ff", 0, 1 },
    [M_WINDOW] = { "window", 0, 1 },
    [M_NPHASE] = { "n_phase", 0, 1 },
    [M_EPS] = { "norm_eps", 1, 1 },
    [M_NORM] = { "norm", 2, 1 },
    [M_POS] = { "pos", 2, 1 },
    [M_ACT] = { "act", 2, 1 },
    [M_NAME] = { "name", 2, 0 },
    [M_MODALITY] = { "modality", 2, 0 },
};

static int parse_meta(Cursor *c, uint32_t n_meta, BlmModelParams *p)
{
    int seen[M_COUNT] = { 0 };
    uint32_t u[M_COUNT] = { 0 };
    float f_eps = 0;
    const uint8_t *s[M_COUNT] = { 0 };
    uint32_t slen[M_COUNT] = { 0 };

    for (uint32_t i = 0; i < n_meta; i++) {
        uint32_t klen = rd_u16(c);
        const uint8_t *key = rd_bytes(c, klen);
        uint32_t type = rd_u8(c);
        uint32_t v = 0;
        const uint8_t *str = NULL;
        if (type == 0 || type == 1) {
            v = rd_u32(c);
        } else if (type == 2) {
            v = rd_u32(c);
            str = rd_bytes(c, v);
        } else {
            return BYTELM_EMODEL;
        }
        if (c->bad)
            return BYTELM_EMODEL;
        for (int k = 0; k < M_COUNT; k++) {
            if (!str_is(key, klen, meta_keys[k].key))
                continue;
            if (seen[k] || (int)type != meta_keys[k].type)
                return BYTELM_EMODEL;       /* duplicate key or wrong type */
            seen[k] = 1;
            u[k] = v;
            s[k] = str;
            slen[k] = v;
            if (k == M_EPS)
                memcpy(&f_eps, &v, 4);
        }
    }
    for (int k = 0; k < M_COUNT; k++)
        if (meta_keys[k].required && !seen[k])
            return BYTELM_EMODEL;
    if (!str_is(s[M_ARCH], slen[M_ARCH], "bytelm-transformer-v1") ||
        !str_is(s[M_NORM], slen[M_NORM], "rmsnorm") ||
        !str_is(s[M_POS], slen[M_POS], "relbias") ||
        !str_is(s[M_ACT], slen[M_ACT], "gelu_tanh"))
        return BYTELM_EMODEL;

    uint32_t L = u[M_NLAYER], d = u[M_DMODEL], H = u[M_NHEAD], F = u[M_DFF];
    uint32_t W = u[M_WINDOW], P = u[M_NPHASE];
    if (L < 1 || L > BLM_MAX_LAYERS || d < 8 || d > BLM_MAX_D || d % 8 ||
        H < 1 || H > d || d % H || F < 8 || F > BLM_MAX_F || F % 8 ||
        W < 1 || W > BLM_MAX_WINDOW || P < 1 || P > BLM_MAX_PHASES ||
        !isfinite(f_eps) || f_eps < 0.0f)
        return BYTELM_EMODEL;

    memset(p, 0, sizeof *p);
    p->n_layer = (int)L;
    p->d_model = (int)d;
    p->n_head = (int)H;
    p->d_ff = (int)F;
    p->window = (int)W;
    p->n_phase = (int)P;
    p->norm_eps = f_eps;
    if (seen[M_NAME])
        copy_str(p->name, sizeof p->name, s[M_NAME], slen[M_NAME]);
    if (seen[M_MODALITY])
        copy_str(p->modality, sizeof p->modality, s[M_MODALITY], slen[M_MODALITY]);
    return 0;
}

/* ---- tensors ---- */

static const char *const global_names[BLM_T_GLOBAL] = {
    "tok_emb", "phase_emb", "out_norm", "out_w", "out_b",
};
static const char *const layer_names[BLM_TL_COUNT] = {
    "attn_norm", "wq", "wk", "wv", "wo", "rel_bias", "ffn_norm", "w1", "w2",
};

/* Tensor id of a name, or -1: "l<i>.<kind>" with i in decimal, no leading zero. */
static int tensor_id(const uint8_t *name, size_t n, int n_layer)
{
    for (int i = 0; i < BLM_T_GLOBAL; i++)
        if (str_is(name, n, global_names[i]))
            return i;
    if (n < 3 || name[0] != 'l')
        return -1;
    size_t j = 1;
    int layer = 0;
    while (j < n && name[j] >= '0' && name[j] <= '9') {
        if ((j > 1 && layer == 0) || layer >= BLM_MAX_LAYERS)
            return -1;              /* leading zero, or too many digits */
        layer = layer * 10 + (name[j] - '0');
        j++;
    }
    if (j == 1 || j >= n || name[j] != '.' || layer >= n_layer)
        return -1;
    j++;
    for (int k = 0; k < BLM_TL_COUNT; k++)
        if (str_is(name + j, n - j, layer_names[k]))
            return BLM_TENSOR_ID(layer, k);
    return -1;
}

/* The shape a tensor must have: its ndim, dims filled. */
static int expected_shape(const BlmModelParams *p, int id, uint32_t dims[4])
{
    uint32_t d = (uint32_t)p->d_model, F = (uint32_t)p->d_ff;
    switch (id) {
    case BLM_T_TOK_EMB: dims[0] = 257; dims[1] = d; return 2;
    case BLM_T_PHASE_EMB: dims[0] = (uint32_t)p->n_phase; dims[1] = d; return 2;
    case BLM_T_OUT_NORM: dims[0] = d; return 1;
    case BLM_T_OUT_W: dims[0] = d; dims[1] = 256; return 2;
    case BLM_T_OUT_B: dims[0] = 256; return 1;
    }
    switch ((id - BLM_T_GLOBAL) % BLM_TL_COUNT) {
    case BLM_TL_ATTN_NORM:
    case BLM_TL_FFN_NORM: dims[0] = d; return 1;
    case BLM_TL_REL_BIAS: dims[0] = (uint32_t)p->n_head; dims[1] = (uint32_t)p->window; return 2;
    case BLM_TL_W1: dims[0] = d; dims[1] = F; return 2;
    case BLM_TL_W2: dims[0] = F; dims[1] = d; return 2;
    default: dims[0] = d; dims[1] = d; return 2;     /* wq wk wv wo */
    }
}

int blm_modelfile_parse(const uint8_t *buf, size_t len, BlmModelFile *mf)
{
    memset(mf, 0, sizeof *mf);
    if (len < 16 || memcmp(buf, "BLMM", 4))
        return BYTELM_EMODEL;
    if (load_u32(buf + 4) != 1)
        return BYTELM_EVERSION;
    /* Header and data are each padded to 32 bytes, then the 32-byte hash. */
    if (len < 64 || len % 32)
        return BYTELM_EMODEL;

    size_t body = len - 32;
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    if (!ck)
        return BYTELM_ENOMEM;
    for (size_t off = 0; off < body;) {
        size_t n = body - off < ((size_t)1 << 30) ? body - off : ((size_t)1 << 30);
        g_checksum_update(ck, buf + off, (gssize)n);
        off += n;
    }
    gsize hlen = 32;
    g_checksum_get_digest(ck, mf->hash, &hlen);
    g_checksum_free(ck);
    if (hlen != 32 || memcmp(mf->hash, buf + body, 32))
        return BYTELM_EMODEL;

    Cursor c = { buf + 8, buf + body, 0 };
    uint32_t n_meta = rd_u32(&c), n_tensors = rd_u32(&c);
    int err = parse_meta(&c, n_meta, &mf->p);
    if (err < 0)
        return err;
    const BlmModelParams *p = &mf->p;
    int n_ids = BLM_TENSOR_ID(p->n_layer, 0);
    if (n_tensors != (uint32_t)n_ids)
        return BYTELM_EMODEL;       /* missing or extra tensors */

    uint64_t offset[BLM_MAX_TENSORS];
    for (uint32_t t = 0; t < n_tensors; t++) {
        uint32_t nlen = rd_u16(&c);
        const uint8_t *name = rd_bytes(&c, nlen);
        uint32_t dtype = rd_u8(&c), ndim = rd_u8(&c);
        if (c.bad || dtype != 0 || ndim < 1 || ndim > 4)
            return BYTELM_EMODEL;
        uint32_t dims[4];
        for (uint32_t i = 0; i < ndim; i++)
            dims[i] = rd_u32(&c);
        uint64_t off = rd_u64(&c);
        if (c.bad)
            return BYTELM_EMODEL;
        int id = tensor_id(name, nlen, p->n_layer);
        if (id < 0 || mf->tensor[id])
            return BYTELM_EMODEL;       /* unknown or duplicate tensor */
        uint32_t want[4];
        int wnd = expected_shape(p, id, want);
        if ((int)ndim != wnd || memcmp(dims, want, ndim * sizeof *dims) || off % 32)
            return BYTELM_EMODEL;
        size_t nf = 1;
        for (int i = 0; i < wnd; i++)
            nf *= want[i];               /* bounded by the limits: no overflow */
        mf->n_floats[id] = nf;
        mf->tensor[id] = buf;           /* marks it seen; set properly below */
        offset[id] = off;
    }

    /* Zero padding, then the data section up to the hash. */
    size_t hdr = (size_t)(c.p - buf);
    size_t data_start = (hdr + 31) / 32 * 32;
    if (data_start > body)
        return BYTELM_EMODEL;
    for (size_t i = hdr; i < data_start; i++)
        if (buf[i])
            return BYTELM_EMODEL;
    uint64_t data_len = body - data_start;
    for (int id = 0; id < n_ids; id++) {
        uint64_t bytes = (uint64_t)mf->n_floats[id] * 4;
        if (offset[id] > data_len || bytes > data_len - offset[id])
            return BYTELM_EMODEL;
        mf->tensor[id] = buf + data_start + offset[id];
    }
    return 0;
}

int blm_modelfile_read(const char *path, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return BYTELM_EIO;
    struct stat st;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
        fclose(f);
        return BYTELM_EIO;
    }
    if ((uint64_t)st.st_size > BLM_MAX_FILE_BYTES || (uint64_t)st.st_size > SIZE_MAX) {
        fclose(f);
        return BYTELM_EMODEL;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *b = g_try_malloc(n ? n : 1);
    if (!b) {
        fclose(f);
        return BYTELM_ENOMEM;
    }
    size_t got = fread(b, 1, n, f);
    int short_read = got != n || ferror(f);
    fclose(f);
    if (short_read) {
        g_free(b);
        return BYTELM_EIO;
    }
    *buf = b;
    *len = n;
    return 0;
}
