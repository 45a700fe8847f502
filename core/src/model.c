/*
 * The transformer of docs/MODEL.md §3-§4: weights repacked at load into one
 * aligned block, and a runner holding the KV cache of one sequence.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * KV cache: keys are stored transposed, kT[channel][slot], so that the scores of
 * one query against all cached positions vectorise across positions; values as
 * v[slot][channel], so that the weighted sum vectorises across channels. Slots
 * hold consecutive positions starting at `base`; when a call would run past the
 * end, the last W-1 positions move to the front. With room for 2W + max_rows
 * positions that happens at most once every W+1 positions, and every query sees its
 * window as one contiguous run of slots (no wrap-around to split the loops).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "bytelm/bytelm.h"
#include "fpenv.h"
#include "kernels.h"
#include "model.h"
#include "modelfile.h"

typedef struct BlmLayer {
    const float *attn_norm;  /* [d] */
    const float *wqkv;       /* [d][3d]: wq | wk | wv side by side, one product */
    const float *wo;         /* [d][d] */
    const float *rel_bias;   /* [H][W], reversed: rel_bias[j][W-1-dist] */
    const float *ffn_norm;   /* [d] */
    const float *w1;         /* [d][F] */
    const float *w2;         /* [F][d] */
} BlmLayer;

struct BlmModel {
    int refs;                /* atomic: contexts and the model cache share a model */
    BlmModelParams p;
    uint8_t hash[32];
    const float *tok_emb;    /* [257][d] */
    const float *phase_emb;  /* [P][d] */
    const float *out_norm;   /* [d] */
    const float *out_w;      /* [d][256] */
    const float *out_b;      /* [256] */
    BlmLayer layer[BLM_MAX_LAYERS];
    float *mem;
};

struct BlmRunner {
    const BlmModel *m;
    const BlmKernels *k;
    int max_rows;
    int cap;                 /* positions the cache holds */
    int64_t t;               /* next position */
    int64_t base;            /* position in slot 0 */
    float *kT;               /* per layer [d][cap] */
    float *v;                /* per layer [cap][d] */
    float *h, *a, *att, *tmp;  /* [max_rows][d] */
    float *qkv;              /* [max_rows][3d] */
    float *ff;               /* [max_rows][F] */
    float *logits;           /* [max_rows][256] */
    float *e;                /* [H][W] attention weights of one row; [4][256] for §4 */
    float *mem;
};

/* ---- loading ---- */

static size_t pad16(size_t n)
{
    return (n + 15) & ~(size_t)15;
}

static void *alloc_floats(size_t n)
{
    /* 64-byte aligned: whole cache lines for the vector loads. */
    void *p = NULL;
    if (n > SIZE_MAX / sizeof(float) - 16 || posix_memalign(&p, 64, n * sizeof(float) + 64))
        return NULL;
    return p;
}

static float load_f32(const uint8_t *p)
{
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* dst[r][col0 + c] = src[r][c] for a [rows][cols] tensor into a matrix ld wide. */
static void copy_tensor(float *dst, size_t ld, size_t col0, const uint8_t *src, size_t rows,
                        size_t cols)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            dst[r * ld + col0 + c] = load_f32(src + 4 * (r * cols + c));
}

static int model_from_file(const uint8_t *buf, size_t len, BlmModel **out)
{
    *out = NULL;
    BlmModelFile *mf = g_try_new(BlmModelFile, 1);
    if (!mf)
        return BYTELM_ENOMEM;
    int err = blm_modelfile_parse(buf, len, mf);
    if (err < 0) {
        g_free(mf);
        return err;
    }
    const BlmModelParams *p = &mf->p;
    size_t d = (size_t)p->d_model, F = (size_t)p->d_ff, H = (size_t)p->n_head;
    size_t W = (size_t)p->window, P = (size_t)p->n_phase, L = (size_t)p->n_layer;

    /* Sizes are bounded by the limits and the tensors were found inside buf. */
    size_t per_layer = pad16(d) * 2 + pad16(3 * d * d) + pad16(d * d) + pad16(H * W) +
                       pad16(d * F) * 2;
    size_t total = pad16(257 * d) + pad16(P * d) + pad16(d) + pad16(d * 256) + pad16(256) +
                   L * per_layer;
    BlmModel *m = g_try_new0(BlmModel, 1);
    float *mem = m ? alloc_floats(total) : NULL;
    if (!mem) {
        g_free(m);
        g_free(mf);
        return BYTELM_ENOMEM;
    }
    m->refs = 1;
    m->p = *p;
    memcpy(m->hash, mf->hash, 32);
    m->mem = mem;

    float *q = mem;
#define TAKE(ptr, n) (ptr = q, q += pad16(n))
    float *t;
    TAKE(t, 257 * d); copy_tensor(t, d, 0, mf->tensor[BLM_T_TOK_EMB], 257, d); m->tok_emb = t;
    TAKE(t, P * d); copy_tensor(t, d, 0, mf->tensor[BLM_T_PHASE_EMB], P, d); m->phase_emb = t;
    TAKE(t, d); copy_tensor(t, d, 0, mf->tensor[BLM_T_OUT_NORM], 1, d); m->out_norm = t;
    TAKE(t, d * 256); copy_tensor(t, 256, 0, mf->tensor[BLM_T_OUT_W], d, 256); m->out_w = t;
    TAKE(t, 256); copy_tensor(t, 256, 0, mf->tensor[BLM_T_OUT_B], 1, 256); m->out_b = t;
    for (size_t l = 0; l < L; l++) {
        BlmLayer *ly = &m->layer[l];
        const uint8_t *const *src = &mf->tensor[BLM_TENSOR_ID(l, 0)];
        TAKE(t, d); copy_tensor(t, d, 0, src[BLM_TL_ATTN_NORM], 1, d); ly->attn_norm = t;
        TAKE(t, 3 * d * d);
        copy_tensor(t, 3 * d, 0, src[BLM_TL_WQ], d, d);
        copy_tensor(t, 3 * d, d, src[BLM_TL_WK], d, d);
        copy_tensor(t, 3 * d, 2 * d, src[BLM_TL_WV], d, d);
        ly->wqkv = t;
        TAKE(t, d * d); copy_tensor(t, d, 0, src[BLM_TL_WO], d, d); ly->wo = t;
        TAKE(t, H * W);
        for (size_t j = 0; j < H; j++)
            for (size_t dist = 0; dist < W; dist++)
                t[j * W + W - 1 - dist] = load_f32(src[BLM_TL_REL_BIAS] + 4 * (j * W + dist));
        ly->rel_bias = t;
        TAKE(t, d); copy_tensor(t, d, 0, src[BLM_TL_FFN_NORM], 1, d); ly->ffn_norm = t;
        TAKE(t, d * F); copy_tensor(t, F, 0, src[BLM_TL_W1], d, F); ly->w1 = t;
        TAKE(t, F * d); copy_tensor(t, d, 0, src[BLM_TL_W2], F, d); ly->w2 = t;
    }
#undef TAKE
    g_free(mf);
    *out = m;
    return 0;
}

int blm_model_load_memory(const void *data, size_t len, BlmModel **out)
{
    if (!out)
        return BYTELM_EINVAL;
    *out = NULL;
    if (!data)
        return BYTELM_EINVAL;
    /* The weights are repacked into the model's own block: the caller's buffer is
     * not kept, which is what "copied" promises. */
    return model_from_file(data, len, out);
}

int blm_model_load_file(const char *path, BlmModel **out)
{
    if (!out)
        return BYTELM_EINVAL;
    *out = NULL;
    if (!path)
        return BYTELM_EINVAL;
    uint8_t *buf;
    size_t len;
    int err = blm_modelfile_read(path, &buf, &len);
    if (err < 0)
        return err;
    err = model_from_file(buf, len, out);
    g_free(buf);
    return err;
}

BlmModel *blm_model_ref(BlmModel *m)
{
    g_atomic_int_inc(&m->refs);
    return m;
}

void blm_model_free(BlmModel *m)
{
    if (!m || !g_atomic_int_dec_and_test(&m->refs))
        return;
    free(m->mem);
    g_free(m);
}

const uint8_t *blm_model_hash(const BlmModel *m)
{
    return m->hash;
}

const BlmModelParams *blm_model_params(const BlmModel *m)
{
    return &m->p;
}

/* ---- running ---- */

BlmRunner *blm_runner_new(const BlmModel *m, int max_rows)
{
    if (!m || max_rows < 1 || max_rows > 4096)
        return NULL;
    const BlmModelParams *p = &m->p;
    size_t d = (size_t)p->d_model, F = (size_t)p->d_ff, L = (size_t)p->n_layer;
    size_t H = (size_t)p->n_head, W = (size_t)p->window, R = (size_t)max_rows;
    size_t cap = pad16(2 * W + R);

    size_t sizes[] = {
        L * d * cap,         /* kT */
        L * cap * d,         /* v */
        R * d, R * d, R * d, R * d,
        R * 3 * d, R * F, R * 256,
        H * W > 4 * 256 ? H * W : 4 * 256,
    };
    size_t total = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        total += pad16(sizes[i]);
    BlmRunner *r = g_try_new0(BlmRunner, 1);
    float *mem = r ? alloc_floats(total) : NULL;
    if (!mem) {
        g_free(r);
        return NULL;
    }
    /* Zeroed once so that no uninitialised float ever enters a kernel, even in
     * the lanes past the end of a row. */
    memset(mem, 0, total * sizeof(float));
    r->m = m;
    r->k = blm_kernels();
    r->max_rows = max_rows;
    r->cap = (int)cap;
    r->mem = mem;
    float *q = mem;
    float **ptrs[] = { &r->kT, &r->v, &r->h, &r->a, &r->att, &r->tmp, &r->qkv, &r->ff,
                       &r->logits, &r->e };
    for (size_t i = 0; i < sizeof ptrs / sizeof *ptrs; i++) {
        *ptrs[i] = q;
        q += pad16(sizes[i]);
    }
    blm_runner_reset(r);
    return r;
}

void blm_runner_free(BlmRunner *r)
{
    if (!r)
        return;
    free(r->mem);
    g_free(r);
}

void blm_runner_reset(BlmRunner *r)
{
    r->t = 0;
    r->base = 0;
}

void blm_runner_set_kernels(BlmRunner *r, const BlmKernels *k)
{
    r->k = k ? k : blm_kernels();
}

/* Sums of §2: sequential from +0.0f, each a chain of dependent adds. Doing
 * several independent sums side by side lets the CPU overlap their chains. */
static void sum_seq(float *out, const float *x, ptrdiff_t ld, int count, int n)
{
    int j = 0;
    for (; j + 4 <= count; j += 4) {
        const float *x0 = x + j * ld, *x1 = x0 + ld, *x2 = x1 + ld, *x3 = x2 + ld;
        float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
        for (int i = 0; i < n; i++) {
            s0 = s0 + x0[i];
            s1 = s1 + x1[i];
            s2 = s2 + x2[i];
            s3 = s3 + x3[i];
        }
        out[j] = s0; out[j + 1] = s1; out[j + 2] = s2; out[j + 3] = s3;
    }
    for (; j < count; j++) {
        float s0 = 0.0f;
        for (int i = 0; i < n; i++)
            s0 = s0 + x[j * ld + i];
        out[j] = s0;
    }
}

/* §4 after the exponentials: e[c] = exp(logit[c] - max), S their sequential sum. */
static void freqs_from_exp(const float *e, float S, uint32_t *f)
{
    float scale = 65280.0f / S;
    uint32_t sum = 0;
    for (int c = 0; c < 256; c++) {
        float v = e[c] * scale;
        /* Never above 65280 (+ rounding) for finite logits; the clamp only keeps the
         * conversion defined when a broken model made NaN or inf. */
        if (!(v <= 65280.0f))
            v = 65280.0f;
        f[c] = 1 + (uint32_t)v;
        sum += f[c];
    }
    int a = 0;
    for (int c = 1; c < 256; c++)
        if (f[c] > f[a])
            a = c;
    uint32_t fa = f[a] + BLM_FREQ_TOTAL - sum;
    if (fa < 1 || fa > BLM_FREQ_TOTAL) {
        /* Impossible with finite logits (the sum is within a few counts of TOTAL); a
         * broken model gets a flat distribution, not an invalid one. */
        for (int c = 0; c < 256; c++)
            f[c] = BLM_FREQ_TOTAL / 256;
        return;
    }
    f[a] = fa;
}

/* §4: logits to 16-bit frequencies for n rows. e is scratch of n*256 floats. */
static void logits_to_freqs(const BlmKernels *k, const float *logits, float *e, int n,
                            uint32_t (*freqs)[256])
{
    float S[4];
    for (int r0 = 0; r0 < n; r0 += 4) {
        int nr = n - r0 < 4 ? n - r0 : 4;
        for (int r = 0; r < nr; r++) {
            const float *lg = logits + (size_t)(r0 + r) * 256;
            k->exp_shift(e + r * 256, lg, k->max(lg, 256), 256);
        }
        sum_seq(S, e, 256, nr, 256);
        for (int r = 0; r < nr; r++)
            freqs_from_exp(e + r * 256, S[r], freqs[r0 + r]);
    }
}

/* Makes room for n more positions, keeping the last W-1 before r->t. */
static void cache_make_room(BlmRunner *r, int n)
{
    if (r->t + n - r->base <= r->cap)
        return;
    const BlmModelParams *p = &r->m->p;
    int64_t have = r->t - r->base;
    int keep = (int)(have < p->window - 1 ? have : p->window - 1);
    size_t src = (size_t)(have - keep), d = (size_t)p->d_model, cap = (size_t)r->cap;
    for (int l = 0; l < p->n_layer; l++) {
        float *kT = r->kT + (size_t)l * d * cap, *v = r->v + (size_t)l * cap * d;
        for (size_t c = 0; c < d; c++)
            memmove(kT + c * cap, kT + c * cap + src, (size_t)keep * sizeof(float));
        memmove(v, v + src * d, (size_t)keep * d * sizeof(float));
    }
    r->base = r->t - keep;
}

/* Runs `per` consecutive positions of each of n_seq sequences: row i of the
 * scratch belongs to seq[i / per] at its position t + i % per. The single-sequence
 * call is n_seq = 1, the lockstep call per = 1; one code path for both keeps their
 * arithmetic identical by construction. The scratch (and the kernels) are those of
 * `s`, which needs max_rows >= n_seq * per; each sequence keeps its own cache. */
static void forward_rows(BlmRunner *s, BlmRunner *const *seq, int n_seq, int per,
                         const uint16_t *tokens, const uint8_t *phases,
                         uint32_t (*freqs)[256], float (*logits)[256])
{
    const BlmModel *m = s->m;
    const BlmKernels *k = s->k;
    const BlmModelParams *p = &m->p;
    const int d = p->d_model, F = p->d_ff, H = p->n_head, hd = d / H, W = p->window;
    const int n = n_seq * per;
    const float eps = p->norm_eps;
    const float scale = 1.0f / sqrtf((float)hd);

    for (int j = 0; j < n_seq; j++)
        cache_make_room(seq[j], per);

    for (int i = 0; i < n; i++) {
        /* Out-of-range inputs are a caller bug; they must still not read outside. */
        int tok = tokens[i] > 256 ? 256 : tokens[i];
        int ph = phases[i] % p->n_phase;
        const float *te = m->tok_emb + (size_t)tok * d, *pe = m->phase_emb + (size_t)ph * d;
        float *h = s->h + (size_t)i * d;
        for (int c = 0; c < d; c++)
            h[c] = te[c] + pe[c];
    }

    for (int l = 0; l < p->n_layer; l++) {
        const BlmLayer *ly = &m->layer[l];

        k->rmsnorm(s->a, s->h, ly->attn_norm, n, d, eps);
        k->matmul(s->qkv, s->a, n, d, ly->wqkv, 3 * d);
        for (int i = 0; i < n; i++) {
            const BlmRunner *r = seq[i / per];
            const size_t cap = (size_t)r->cap;
            float *kT = r->kT + (size_t)l * d * cap, *vc = r->v + (size_t)l * cap * d;
            size_t slot = (size_t)(r->t + i % per - r->base);
            const float *kv = s->qkv + (size_t)i * 3 * d;
            for (int c = 0; c < d; c++)
                kT[(size_t)c * cap + slot] = kv[d + c];
            memcpy(vc + slot * d, kv + 2 * d, (size_t)d * sizeof(float));
        }

        for (int i = 0; i < n; i++) {
            const BlmRunner *r = seq[i / per];
            const size_t cap = (size_t)r->cap;
            const float *kT = r->kT + (size_t)l * d * cap, *vc = r->v + (size_t)l * cap * d;
            int64_t pos = r->t + i % per;
            int na = pos + 1 < W ? (int)pos + 1 : W;          /* positions attended */
            size_t s0 = (size_t)(pos - na + 1 - r->base);     /* slot of the first */
            const float *qv = s->qkv + (size_t)i * 3 * d;
            float *o = s->att + (size_t)i * d;
            float S[BLM_MAX_D];
            for (int j = 0; j < H; j++) {
                float *e = s->e + (size_t)j * W;
                k->attn_scores(e, qv + j * hd, kT + (size_t)j * hd * cap + s0, (ptrdiff_t)cap,
                               na, hd, scale, ly->rel_bias + (size_t)j * W + (W - na));
                k->exp_shift(e, e, k->max(e, na), na);
            }
            sum_seq(S, s->e, W, H, na);
            k->attn_wsum(o, s->e, W, vc + s0 * d, d, na, H, hd);
            for (int j = 0; j < H; j++)
                for (int c = j * hd; c < (j + 1) * hd; c++)
                    o[c] = o[c] / S[j];
        }

        k->matmul(s->tmp, s->att, n, d, ly->wo, d);
        for (size_t c = 0; c < (size_t)n * d; c++)
            s->h[c] = s->h[c] + s->tmp[c];

        k->rmsnorm(s->a, s->h, ly->ffn_norm, n, d, eps);
        k->matmul(s->ff, s->a, n, d, ly->w1, F);
        k->gelu(s->ff, s->ff, n * F);
        k->matmul(s->tmp, s->ff, n, F, ly->w2, d);
        for (size_t c = 0; c < (size_t)n * d; c++)
            s->h[c] = s->h[c] + s->tmp[c];
    }

    k->rmsnorm(s->a, s->h, m->out_norm, n, d, eps);
    k->matmul(s->logits, s->a, n, d, m->out_w, 256);
    for (int i = 0; i < n; i++) {
        float *lg = s->logits + (size_t)i * 256;
        for (int c = 0; c < 256; c++)
            lg[c] = lg[c] + m->out_b[c];
    }
    if (freqs)
        logits_to_freqs(k, s->logits, s->e, n, freqs);
    if (logits)
        memcpy(logits, s->logits, sizeof(*logits) * (size_t)n);
    for (int j = 0; j < n_seq; j++)
        seq[j]->t += per;
}

void blm_runner_forward(BlmRunner *r, const uint16_t *tokens, const uint8_t *phases, int n,
                        uint32_t (*freqs)[256], float (*logits)[256])
{
    unsigned csr = blm_fp_enter();
    for (int done = 0; done < n;) {
        int rows = n - done < r->max_rows ? n - done : r->max_rows;
        forward_rows(r, &r, 1, rows, tokens + done, phases + done, freqs ? freqs + done : NULL,
                     logits ? logits + done : NULL);
        done += rows;
    }
    blm_fp_restore(csr);
}

void blm_runner_forward_multi(BlmRunner *const *runners, int n, const uint16_t *tokens,
                              const uint8_t *phases, uint32_t (*freqs)[256],
                              float (*logits)[256])
{
    if (n < 1)
        return;
    unsigned csr = blm_fp_enter();
    BlmRunner *s = runners[0];
    for (int done = 0; done < n;) {
        int rows = n - done < s->max_rows ? n - done : s->max_rows;
        forward_rows(s, runners + done, rows, 1, tokens + done, phases + done,
                     freqs ? freqs + done : NULL,
                     logits ? logits + done : NULL);
        done += rows;
    }
    blm_fp_restore(csr);
}
