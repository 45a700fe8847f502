/*
 * The model runner against docs/MODEL.md: valid frequencies; the same bits for any
 * split into calls and at every SIMD level; agreement with a naive implementation
 * written straight from the spec (below, sharing no code with core/src); and
 * malformed weights files refused with the right code.
 *
 * usage: test_model [MODELS_DIR]
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "bytelm/bytelm.h"
#include "kernels.h"
#include "model.h"

#ifndef MODELS_DIR
#define MODELS_DIR "models"
#endif

static int n_pass, n_fail;

static void check(int ok, const char *what)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        printf("FAIL %s\n", what);
    }
}

static uint8_t *read_all(const char *path, size_t *len)
{
    gchar *data;
    gsize n;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return NULL;
    *len = n;
    return (uint8_t *)data;
}

/* ------------------------------------------------------------------------- */
/* The naive model: plain loops, full-length K/V arrays, spec order.         */

static float nv_exp(float x)
{
    if (!(x > -87.0f)) x = -87.0f;
    if (x > 88.0f) x = 88.0f;
    float n = (x * 1.44269504f + 12582912.0f) - 12582912.0f;
    float r = (x - n * 0.693145752f) - n * 1.42860677e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float two_n;
    memcpy(&two_n, &bits, 4);
    return p * two_n;
}

static float nv_gelu(float x)
{
    float u = 0.7978845608f * (x + 0.044715f * ((x * x) * x));
    float t = 1.0f - 2.0f / (nv_exp(2.0f * u) + 1.0f);
    return (0.5f * x) * (1.0f + t);
}

typedef struct Naive {
    int L, d, H, F, W, P;
    float eps;
    const uint8_t *file;
    size_t data_start;
    const uint8_t *table;    /* first tensor entry */
    int n_tensors;
    float *K, *V;            /* [L][max_t][d] */
    int max_t;
} Naive;

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Element i of the tensor called name (trusting the file: it was loaded fine). */
static float nv_w(const Naive *nv, const char *name, size_t i)
{
    const uint8_t *p = nv->table;
    for (int t = 0; t < nv->n_tensors; t++) {
        int nlen = p[0] | p[1] << 8;
        int ndim = p[2 + nlen + 1];
        const uint8_t *offp = p + 2 + nlen + 2 + 4 * ndim;
        uint64_t off = rd32(offp) | (uint64_t)rd32(offp + 4) << 32;
        if ((size_t)nlen == strlen(name) && !memcmp(p + 2, name, (size_t)nlen)) {
            uint32_t u = rd32(nv->file + nv->data_start + off + 4 * i);
            float f;
            memcpy(&f, &u, 4);
            return f;
        }
        p = offp + 8;
    }
    fprintf(stderr, "naive: no tensor %s\n", name);
    abort();
}

static float lw(const Naive *nv, int l, const char *kind, size_t i)
{
    char name[32];
    snprintf(name, sizeof name, "l%d.%s", l, kind);
    return nv_w(nv, name, i);
}

static void nv_init(Naive *nv, const uint8_t *file, const BlmModelParams *p, int max_t)
{
    memset(nv, 0, sizeof *nv);
    nv->L = p->n_layer; nv->d = p->d_model; nv->H = p->n_head; nv->F = p->d_ff;
    nv->W = p->window; nv->P = p->n_phase; nv->eps = p->norm_eps;
    nv->file = file;
    nv->max_t = max_t;
    const uint8_t *q = file + 16;
    int n_meta = (int)rd32(file + 8);
    nv->n_tensors = (int)rd32(file + 12);
    for (int i = 0; i < n_meta; i++) {
        int klen = q[0] | q[1] << 8;
        q += 2 + klen;
        int type = *q++;
        q += type == 2 ? 4 + rd32(q) : 4;
    }
    nv->table = q;
    for (int t = 0; t < nv->n_tensors; t++) {
        int nlen = q[0] | q[1] << 8;
        q += 2 + nlen + 2 + 4 * q[2 + nlen + 1] + 8;
    }
    nv->data_start = ((size_t)(q - file) + 31) / 32 * 32;
    nv->K = calloc((size_t)nv->L * max_t * nv->d, sizeof(float));
    nv->V = calloc((size_t)nv->L * max_t * nv->d, sizeof(float));
}

static void nv_rmsnorm(const Naive *nv, float *y, const float *x, const char *gname, int l)
{
    float ss = 0.0f;
    for (int i = 0; i < nv->d; i++)
        ss = ss + x[i] * x[i];
    float r = 1.0f / sqrtf(ss / (float)nv->d + nv->eps);
    for (int i = 0; i < nv->d; i++)
        y[i] = (x[i] * r) * (l < 0 ? nv_w(nv, gname, (size_t)i) : lw(nv, l, gname, (size_t)i));
}

/* One step t with input tok, phase ph: freqs of §4. */
/* §4: the table from logits whose largest is m. */
static void nv_table(const float logit[256], float m, uint32_t f[256])
{
    float e[256], S = 0.0f;
    for (int c = 0; c < 256; c++) {
        e[c] = nv_exp(logit[c] - m);
        S = S + e[c];
    }
    float scale = 65280.0f / S;
    uint32_t sum = 0;
    int amax = 0;
    for (int c = 0; c < 256; c++) {
        f[c] = 1 + (uint32_t)(e[c] * scale);
        sum += f[c];
        if (f[c] > f[amax])
            amax = c;
    }
    f[amax] += 65536 - sum;
}

static void nv_step(Naive *nv, int t, int tok, int ph, uint32_t f[256])
{
    const int d = nv->d, H = nv->H, F = nv->F, W = nv->W, hd = d / H;
    float h[1024], a[1024], q[1024], o[1024], b[4096], z[1024], logit[256];
    for (int i = 0; i < d; i++)
        h[i] = nv_w(nv, "tok_emb", (size_t)tok * d + i) + nv_w(nv, "phase_emb", (size_t)ph * d + i);
    for (int l = 0; l < nv->L; l++) {
        float *Kl = nv->K + (size_t)l * nv->max_t * d, *Vl = nv->V + (size_t)l * nv->max_t * d;
        nv_rmsnorm(nv, a, h, "attn_norm", l);
        for (int n = 0; n < d; n++) {
            float sq = 0.0f, sk = 0.0f, sv = 0.0f;
            for (int k = 0; k < d; k++) {
                sq = sq + a[k] * lw(nv, l, "wq", (size_t)k * d + n);
                sk = sk + a[k] * lw(nv, l, "wk", (size_t)k * d + n);
                sv = sv + a[k] * lw(nv, l, "wv", (size_t)k * d + n);
            }
            q[n] = sq;
            Kl[(size_t)t * d + n] = sk;
            Vl[(size_t)t * d + n] = sv;
        }
        int s_first = t - W + 1 > 0 ? t - W + 1 : 0;
        float inv = 1.0f / sqrtf((float)hd);
        for (int j = 0; j < H; j++) {
            float es[4096], m = -INFINITY;
            for (int s = s_first; s <= t; s++) {
                float dot = 0.0f;
                for (int i = 0; i < hd; i++)
                    dot = dot + q[j * hd + i] * Kl[(size_t)s * d + j * hd + i];
                es[s - s_first] = dot * inv + lw(nv, l, "rel_bias", (size_t)j * W + (t - s));
                if (es[s - s_first] > m)
                    m = es[s - s_first];
            }
            float S = 0.0f;
            for (int s = s_first; s <= t; s++) {
                es[s - s_first] = nv_exp(es[s - s_first] - m);
                S = S + es[s - s_first];
            }
            for (int i = 0; i < hd; i++) {
                float acc = 0.0f;
                for (int s = s_first; s <= t; s++)
                    acc = acc + es[s - s_first] * Vl[(size_t)s * d + j * hd + i];
                o[j * hd + i] = acc / S;
            }
        }
        for (int n = 0; n < d; n++) {
            float acc = 0.0f;
            for (int k = 0; k < d; k++)
                acc = acc + o[k] * lw(nv, l, "wo", (size_t)k * d + n);
            h[n] = h[n] + acc;
        }
        nv_rmsnorm(nv, a, h, "ffn_norm", l);
        for (int n = 0; n < F; n++) {
            float acc = 0.0f;
            for (int k = 0; k < d; k++)
                acc = acc + a[k] * lw(nv, l, "w1", (size_t)k * F + n);
            b[n] = nv_gelu(acc);
        }
        for (int n = 0; n < d; n++) {
            float acc = 0.0f;
            for (int k = 0; k < F; k++)
                acc = acc + b[k] * lw(nv, l, "w2", (size_t)k * d + n);
            h[n] = h[n] + acc;
        }
    }
    nv_rmsnorm(nv, z, h, "out_norm", -1);
    float m = -INFINITY;
    for (int c = 0; c < 256; c++) {
        float acc = 0.0f;
        for (int k = 0; k < d; k++)
            acc = acc + z[k] * nv_w(nv, "out_w", (size_t)k * 256 + c);
        logit[c] = acc + nv_w(nv, "out_b", (size_t)c);
        if (logit[c] > m)
            m = logit[c];
    }
    nv_table(logit, m, f);
}

/* ------------------------------------------------------------------------- */

typedef struct Seq {
    int n;
    uint16_t *tok;
    uint8_t *ph;
} Seq;

static Seq make_seq(int n, int period, uint32_t seed)
{
    Seq s = { n, malloc((size_t)n * 2), malloc((size_t)n) };
    uint32_t x = seed, prev = 0;
    for (int t = 0; t < n; t++) {
        x = x * 1664525u + 1013904223u;
        /* Some structure (slow ramp + noise), so the model is not just uniform. */
        uint32_t byte = (t % 5 == 0) ? (x >> 24) : (prev + (x >> 29)) & 255;
        s.tok[t] = t == 0 ? 256 : (uint16_t)prev;
        s.ph[t] = (uint8_t)(t % period);
        prev = byte;
    }
    return s;
}

static int freqs_valid(uint32_t (*f)[256], int n)
{
    for (int i = 0; i < n; i++) {
        uint32_t sum = 0;
        for (int c = 0; c < 256; c++) {
            if (f[i][c] < 1 || f[i][c] > BLM_FREQ_TOTAL)
                return 0;
            sum += f[i][c];
        }
        if (sum != BLM_FREQ_TOTAL)
            return 0;
    }
    return 1;
}

/* Runs the whole sequence in calls of `chunk` positions (the last may be short). */
static void run_chunks(BlmRunner *r, const Seq *s, int chunk, uint32_t (*f)[256])
{
    blm_runner_reset(r);
    for (int t = 0; t < s->n; t += chunk) {
        int n = s->n - t < chunk ? s->n - t : chunk;
        blm_runner_forward(r, s->tok + t, s->ph + t, n, f + t, NULL);
    }
}

/* Lockstep (blm_runner_forward_multi) against each sequence run alone: NSEQ
 * sequences of different lengths start at different steps, so a call mixes
 * positions inside and past the window; each step takes 1..NSEQ of them in a
 * rotating order, so every runner (max_rows 3, 5 or NSEQ) is sometimes the one
 * that lends its scratch, and calls larger than its max_rows are split. */
static void test_multi(const BlmModel *m, const char *file, int seq_len)
{
    enum { NSEQ = 8 };
    char what[256];
    Seq s[NSEQ];
    uint32_t (*ref[NSEQ])[256], (*got[NSEQ])[256];
    int len[NSEQ], start[NSEQ];
    BlmRunner *alone = blm_runner_new(m, 1);
    for (int i = 0; i < NSEQ; i++) {
        len[i] = seq_len - 5 * i;
        start[i] = 3 * i;
        s[i] = make_seq(len[i], 1 + i % 4, 777u + (uint32_t)i);
        ref[i] = malloc((size_t)len[i] * sizeof(uint32_t[256]));
        got[i] = malloc((size_t)len[i] * sizeof(uint32_t[256]));
        run_chunks(alone, &s[i], 1, ref[i]);
    }
    blm_runner_free(alone);

    for (int level = 0; level < BLM_SIMD_COUNT; level++) {
        const BlmKernels *k = blm_kernels_get(level);
        if (!k)
            continue;
        BlmRunner *r[NSEQ];
        int pos[NSEQ] = { 0 }, max_n = 0, split = 0;
        for (int i = 0; i < NSEQ; i++) {
            r[i] = blm_runner_new(m, i % 3 == 0 ? 3 : i % 3 == 1 ? 5 : NSEQ);
            blm_runner_set_kernels(r[i], k);
            memset(got[i], 0, (size_t)len[i] * sizeof(uint32_t[256]));
        }
        for (int step = 0;; step++) {
            BlmRunner *batch[NSEQ];
            int who[NSEQ], n = 0, want = 1 + step % NSEQ, left = 0;
            uint16_t tok[NSEQ];
            uint8_t ph[NSEQ];
            uint32_t f[NSEQ][256];
            for (int c = 0; c < NSEQ; c++) {
                int i = (c + step) % NSEQ;
                if (pos[i] >= len[i])
                    continue;
                left++;
                if (step < start[i] || n == want)
                    continue;
                who[n] = i;
                batch[n] = r[i];
                tok[n] = s[i].tok[pos[i]];
                ph[n] = s[i].ph[pos[i]];
                n++;
            }
            if (!left)
                break;
            if (!n)
                continue;
            max_n = n > max_n ? n : max_n;
            split += n > (who[0] % 3 == 0 ? 3 : who[0] % 3 == 1 ? 5 : NSEQ);
            blm_runner_forward_multi(batch, n, tok, ph, f, NULL);
            for (int b = 0; b < n; b++)
                memcpy(got[who[b]][pos[who[b]]++], f[b], sizeof f[b]);
        }
        int bad = -1, first_t = -1;
        for (int i = 0; i < NSEQ && bad < 0; i++)
            for (int t = 0; t < len[i] && bad < 0; t++)
                if (memcmp(got[i][t], ref[i][t], sizeof got[i][t]))
                    bad = i, first_t = t;
        int at = snprintf(what, sizeof what,
                          "%s: %s, lockstep of %d sequences (calls up to %d, %d split) = alone",
                          file, k->name, NSEQ, max_n, split);
        if (bad >= 0)
            snprintf(what + at, sizeof what - (size_t)at, ", first diff in sequence %d at t=%d",
                     bad, first_t);
        check(bad < 0 && max_n == NSEQ && split > 0, what);
        if (level == 0)
            printf("%s\n", what);
        for (int i = 0; i < NSEQ; i++)
            blm_runner_free(r[i]);
    }
    for (int i = 0; i < NSEQ; i++) {
        free(ref[i]);
        free(got[i]);
        free(s[i].tok);
        free(s[i].ph);
    }
}

static void test_model_file(const char *dir, const char *file, int seq_len, int period)
{
    char path[1024], what[256];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    size_t len;
    uint8_t *bytes = read_all(path, &len);
    check(bytes != NULL, path);
    if (!bytes)
        return;
    BlmModel *m = NULL;
    int err = blm_model_load_file(path, &m);
    snprintf(what, sizeof what, "%s: load_file (%d)", file, err);
    check(err == 0 && m, what);
    if (!m)
        return;
    BlmModel *m2 = NULL;
    err = blm_model_load_memory(bytes, len, &m2);
    check(err == 0 && m2 && !memcmp(blm_model_hash(m2), bytes + len - 32, 32), "load_memory + hash");
    check(!memcmp(blm_model_hash(m), bytes + len - 32, 32), "model hash = file tail");
    const BlmModelParams *p = blm_model_params(m);
    printf("%s: d %d L %d H %d F %d W %d P %d eps %g name '%s'\n", file, p->d_model,
           p->n_layer, p->n_head, p->d_ff, p->window, p->n_phase, (double)p->norm_eps,
           p->name);
    check(seq_len > p->window, "sequence longer than the window");

    Seq s = make_seq(seq_len, period, 12345u);
    size_t fbytes = (size_t)seq_len * sizeof(uint32_t[256]);
    uint32_t (*ref)[256] = malloc(fbytes), (*got)[256] = malloc(fbytes);

    /* The naive model, straight from the spec. */
    Naive nv;
    nv_init(&nv, bytes, p, seq_len);
    for (int t = 0; t < seq_len; t++)
        nv_step(&nv, t, s.tok[t], s.ph[t], ref[t]);
    snprintf(what, sizeof what, "%s: naive freqs valid", file);
    check(freqs_valid(ref, seq_len), what);
    /* Non-trivial distributions: the top symbol must vary and not be near-certain
     * everywhere, else this test would prove little. */
    int far_from_flat = 0;
    for (int t = 0; t < seq_len; t++) {
        uint32_t mx = 0;
        for (int c = 0; c < 256; c++)
            mx = ref[t][c] > mx ? ref[t][c] : mx;
        far_from_flat += mx > 4 * 256 && mx < 60000;
    }
    snprintf(what, sizeof what, "%s: non-trivial distributions (%d of %d)", file, far_from_flat,
             seq_len);
    check(far_from_flat > seq_len / 2, what);
    printf("%s\n", what);

    static const int chunks[] = { 1, 7, 64, 3, 64 };
    for (int level = 0; level < BLM_SIMD_COUNT; level++) {
        const BlmKernels *k = blm_kernels_get(level);
        if (!k)
            continue;
        for (size_t c = 0; c < sizeof chunks / sizeof *chunks; c++) {
            /* The last case: max_rows 5, so one call of 64 is split inside. */
            int max_rows = c == 4 ? 5 : 64;
            BlmRunner *r = blm_runner_new(m2, max_rows);
            blm_runner_set_kernels(r, k);
            memset(got, 0, fbytes);
            run_chunks(r, &s, chunks[c], got);
            int first_bad = -1;
            for (int t = 0; t < seq_len && first_bad < 0; t++)
                if (memcmp(got[t], ref[t], sizeof got[t]))
                    first_bad = t;
            snprintf(what, sizeof what, "%s: %s, calls of %d (max_rows %d) = naive%s%d",
                     file, k->name, chunks[c], max_rows, first_bad < 0 ? "" : ", first diff at t=",
                     first_bad);
            check(first_bad < 0 && freqs_valid(got, seq_len), what);
            if (c == 0) {
                /* reset gives a cold start again */
                run_chunks(r, &s, 1, got);
                check(!memcmp(got, ref, fbytes), "reset restarts the sequence");
            }
            blm_runner_free(r);
        }
    }

    /* The logits a runner hands out (for the scale prior) are the same bits at every
     * SIMD level, and §4 (nv_table) turns them into the runner's own table. */
    {
        float (*lg)[256] = malloc(sizeof(*lg) * (size_t)seq_len);
        float (*lg0)[256] = malloc(sizeof(*lg0) * (size_t)seq_len);
        uint32_t f[256];
        for (int level = 0; level < BLM_SIMD_COUNT; level++) {
            const BlmKernels *k = blm_kernels_get(level);
            if (!k)
                continue;
            BlmRunner *r = blm_runner_new(m2, 64);
            blm_runner_set_kernels(r, k);
            blm_runner_reset(r);
            for (int t = 0; t < seq_len; t += 7) {
                int n = seq_len - t < 7 ? seq_len - t : 7;
                blm_runner_forward(r, s.tok + t, s.ph + t, n, got + t, lg + t);
            }
            int same = 1;
            for (int t = 0; t < seq_len; t++) {
                float top = -INFINITY;
                for (int c = 0; c < 256; c++)
                    top = lg[t][c] > top ? lg[t][c] : top;
                nv_table(lg[t], top, f);
                same = same && !memcmp(f, ref[t], sizeof f) && !memcmp(got[t], ref[t], sizeof f);
            }
            if (level == 0)
                memcpy(lg0, lg, sizeof(*lg) * (size_t)seq_len);
            snprintf(what, sizeof what, "%s: %s, logits give the table; same logits as %s", file,
                     k->name, blm_kernels_get(0)->name);
            check(same && !memcmp(lg, lg0, sizeof(*lg) * (size_t)seq_len), what);
            blm_runner_free(r);
        }
        free(lg);
        free(lg0);
    }

    check(seq_len - 5 * 7 > p->window, "lockstep sequences longer than the window");
    test_multi(m2, file, seq_len);

#if defined(__x86_64__)
    {
        /* A host that set flush-to-zero, denormals-are-zero and round-up (as some
         * audio software does) must get the same bits, and its setting back. */
        unsigned csr = _mm_getcsr(), host = (csr | 0x8040 | 0x4000) & ~0x2000u;
        BlmRunner *r = blm_runner_new(m, 64);
        _mm_setcsr(host);
        run_chunks(r, &s, 7, got);
        unsigned after = _mm_getcsr();
        _mm_setcsr(csr);
        check(!memcmp(got, ref, fbytes), "same bits under FTZ/DAZ/round-up");
        check((after & ~0x3fu) == (host & ~0x3fu), "host MXCSR restored");
        blm_runner_free(r);
    }
#endif

    free(ref);
    free(got);
    free(s.tok);
    free(s.ph);
    free(nv.K);
    free(nv.V);
    blm_model_free(m);
    blm_model_free(m2);
    g_free(bytes);
}

/* ------------------------------------------------------------------------- */
/* Malformed files.                                                          */

static uint8_t *copy_bytes(const uint8_t *p, size_t n)
{
    uint8_t *b = g_malloc(n);
    memcpy(b, p, n);
    return b;
}

static void rehash(uint8_t *b, size_t len)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(ck, b, (gssize)(len - 32));
    gsize n = 32;
    g_checksum_get_digest(ck, b + len - 32, &n);
    g_checksum_free(ck);
}

static int load_bytes(const uint8_t *b, size_t len)
{
    BlmModel *m = NULL;
    int err = blm_model_load_memory(b, len, &m);
    if (err == 0) {
        /* Whatever loaded must also run. */
        BlmRunner *r = blm_runner_new(m, 4);
        uint16_t tok[4] = { 256, 1, 2, 3 };
        uint8_t ph[4] = { 0, 1, 2, 3 };
        uint32_t f[4][256];
        if (r)
            blm_runner_forward(r, tok, ph, 4, f, NULL);
        blm_runner_free(r);
        blm_model_free(m);
    } else if (m) {
        return 99;      /* an error must leave *out NULL */
    }
    return err;
}

/* Offset of the u32 value of metadata key `key`, or 0. */
static size_t meta_value_at(const uint8_t *b, const char *key)
{
    size_t k = strlen(key);
    uint32_t n_meta = rd32(b + 8);
    size_t q = 16;
    for (uint32_t i = 0; i < n_meta; i++) {
        size_t klen = b[q] | (size_t)b[q + 1] << 8;
        int hit = klen == k && !memcmp(b + q + 2, key, k);
        q += 2 + klen;
        int type = b[q++];
        if (hit)
            return q;
        q += type == 2 ? 4 + rd32(b + q) : 4;
    }
    return 0;
}

static int with_meta(const uint8_t *orig, size_t len, const char *key, uint32_t value)
{
    uint8_t *b = copy_bytes(orig, len);
    size_t at = meta_value_at(b, key);
    if (!at) {
        g_free(b);
        return 98;
    }
    b[at] = value & 255; b[at + 1] = value >> 8 & 255;
    b[at + 2] = value >> 16 & 255; b[at + 3] = value >> 24;
    rehash(b, len);
    int err = load_bytes(b, len);
    g_free(b);
    return err;
}

static void test_malformed(const char *dir)
{
    char path[1024], what[128];
    snprintf(path, sizeof path, "%s/test-tiny.blmm", dir);
    size_t len;
    uint8_t *orig = read_all(path, &len);
    if (!orig) {
        check(0, "read test-tiny.blmm");
        return;
    }
    check(load_bytes(orig, len) == 0, "tiny loads");

    /* truncated anywhere */
    int bad = 0;
    for (size_t n = 0; n < len; n += n < 300 ? 1 : 97)
        if (load_bytes(orig, n) != BYTELM_EMODEL)
            bad++;
    if (load_bytes(orig, len - 1) != BYTELM_EMODEL || load_bytes(orig, len - 32) != BYTELM_EMODEL)
        bad++;
    check(!bad, "truncated files -> EMODEL");

    /* one flipped bit anywhere: the hash no longer matches (the version is read
     * before the hash, so a flip there is a version error) */
    uint8_t *b = copy_bytes(orig, len);
    bad = 0;
    for (size_t i = 0; i < len; i += i < 400 ? 1 : 53) {
        b[i] ^= 1u << (i % 8);
        int want = i >= 4 && i < 8 ? BYTELM_EVERSION : BYTELM_EMODEL;
        if (load_bytes(b, len) != want)
            bad++;
        b[i] ^= 1u << (i % 8);
    }
    check(!bad, "flipped bits -> EMODEL (hash)");

    memcpy(b, "BLMX", 4);
    rehash(b, len);
    check(load_bytes(b, len) == BYTELM_EMODEL, "wrong magic -> EMODEL");
    memcpy(b, orig, len);
    b[4] = 2;
    check(load_bytes(b, len) == BYTELM_EVERSION, "version 2 -> EVERSION");
    rehash(b, len);
    check(load_bytes(b, len) == BYTELM_EVERSION, "version 2, rehashed -> EVERSION");
    g_free(b);

    /* Over the limits or inconsistent, with a valid hash. */
    static const struct { const char *key; uint32_t v; } dims[] = {
        { "d_model", 1u << 20 }, { "d_model", 0xffffffffu }, { "d_model", 2048 },
        { "d_model", 0 }, { "d_model", 20 }, { "d_model", 32 }, { "window", 5000 },
        { "window", 0 }, { "window", 17 }, { "n_layer", 33 }, { "n_layer", 0 },
        { "n_layer", 2 }, { "d_ff", 8192 }, { "d_ff", 64 }, { "n_head", 3 },
        { "n_head", 0 }, { "n_head", 1u << 31 }, { "n_phase", 0 }, { "n_phase", 1000 },
        { "n_phase", 8 },
    };
    for (size_t i = 0; i < sizeof dims / sizeof *dims; i++) {
        int err = with_meta(orig, len, dims[i].key, dims[i].v);
        snprintf(what, sizeof what, "%s = %u -> EMODEL (got %d)", dims[i].key, dims[i].v, err);
        check(err == BYTELM_EMODEL, what);
    }

    /* A renamed tensor (unknown + missing), a renamed metadata key (missing). */
    b = copy_bytes(orig, len);
    uint8_t *hit = memmem(b, len, "out_b", 5);
    hit[4] = 'c';
    rehash(b, len);
    check(load_bytes(b, len) == BYTELM_EMODEL, "unknown tensor -> EMODEL");
    memcpy(b, orig, len);
    hit = memmem(b, len, "arch", 4);
    hit[0] = 'A';
    rehash(b, len);
    check(load_bytes(b, len) == BYTELM_EMODEL, "missing arch -> EMODEL");
    memcpy(b, orig, len);
    hit = memmem(b, len, "gelu_tanh", 9);
    hit[0] = 'r';
    rehash(b, len);
    check(load_bytes(b, len) == BYTELM_EMODEL, "wrong act -> EMODEL");

    /* Random damage to the header with a valid hash: refused or loaded, never a
     * crash (run under ASan/valgrind to see the difference). */
    uint32_t x = 1;
    size_t hdr = 1024 < len - 32 ? 1024 : len - 32;
    int codes_ok = 1, loaded = 0;
    for (int it = 0; it < 3000; it++) {
        memcpy(b, orig, len);
        int flips = 1 + it % 3;
        for (int f = 0; f < flips; f++) {
            x = x * 1103515245u + 12345u;
            size_t at = 8 + (x >> 8) % (hdr - 8);
            x = x * 1103515245u + 12345u;
            b[at] = (uint8_t)(it % 2 ? b[at] ^ (1u << (x >> 29)) : x >> 24);
        }
        rehash(b, len);
        int err = load_bytes(b, len);
        loaded += err == 0;
        if (err != 0 && err != BYTELM_EMODEL && err != BYTELM_EVERSION)
            codes_ok = 0;
    }
    snprintf(what, sizeof what, "damaged headers: only EMODEL/EVERSION or a model (%d loaded)",
             loaded);
    check(codes_ok, what);
    printf("%s\n", what);
    g_free(b);

    BlmModel *m = (BlmModel *)1;
    check(blm_model_load_file("/nonexistent/x.blmm", &m) == BYTELM_EIO && !m, "missing file -> EIO");
    check(blm_model_load_file("/", &m) == BYTELM_EIO, "directory -> EIO");
    g_free(orig);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : MODELS_DIR;
    test_model_file(dir, "test-tiny.blmm", 60, 3);
    test_model_file(dir, "test-small.blmm", 300, 4);
    test_malformed(dir);
    printf("model: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
