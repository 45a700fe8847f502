/*
 * Frame mode 6's predictor state and residual coder, sample by sample, as float32
 * records for training and measuring a network that codes the residual from the
 * predictor's state (issue 17, item 3; docs/STUDY.md finding 10). For measuring, not
 * a codec: no stream is written and core/ is not changed.
 *
 *   state_dump [--frame N] [--profiles 0,6,7] [--rate HZ] [--every K] [--exact]
 *              [--net NET.f32 [--net-offset R] [--net-init W] [--coder-init V]]
 *              [--warm REC.f32 [--warm-count K]] CHANNELS OUT.f32 FILE.s16...
 *
 * Each frame is coded as the encoder codes it without value maps: every profile given
 * is tried with blm_cascade_encode and the smallest kept; the frame is then run again
 * with that profile through the library's predictor and a copy of the residual coder
 * (docs/MODEL.md §10, operation for operation) that also returns the probability of
 * each binary decision it codes, so the cost of every sample is known exactly
 * (-log2 of the probabilities used; the sum is printed beside the library's payload,
 * which it matches to within 0.01 %).
 *
 * One record of STATE_DUMP_FLOATS float32 per sample (every K-th with --every K; the
 * state is always run on every sample), appended to OUT.f32:
 *   [0..40]  features, known to a decoder before the sample (see feature() below;
 *            with --exact, feature_exact(): squashed, from IEEE operations alone):
 *            0..24 the first audio network's inputs, all 41 the second's
 *   [41]     the residual e = s - pred that was coded
 *   [42]     its cost in bits in today's coder
 *   [43..74] the coder's P(1) of each decision on e's path, -1 where there is none:
 *            43 the zero flag; 44..58 "bit length > j", j = 1..15; 59..73 the bits
 *            below the top one, highest first; 74 the sign (1 = negative)
 * Prints per file: name, samples, the coder's bits, the library's payload bits.
 *
 * --net: NET.f32 holds, from record R on, a network's log-odds (natural) of each of
 * the 32 decision slots of each sample, in this run's order (residual_net.py export);
 * the coder copy then takes them as one more input of each decision's online mixer
 * (starting weight W in 16.16, default 0; each counter's V, default 21845 as today's),
 * and the decisions today's coder takes from one counter (the low bits, the sign)
 * become a mix of that counter, the network and a bias; the bits printed are those of this coder, the record's [42..74] too.
 *
 * --warm: every frame's coder starts, instead of from §10's state, from the state it
 * has after coding the residuals of REC.f32 (a record file of other files, e.g. of
 * training files) with its running scales zeroed and its counters' counts capped to K
 * (default 255, no cap): what learned starting states would give.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fpenv.h"
#include "pcmcascade.h"

#define N_FEAT 41
#define N_SLOTS 32
#define STATE_DUMP_FLOATS (N_FEAT + 2 + N_SLOTS)

/* ---- a copy of the residual coder of docs/MODEL.md §10, probabilities out ---- */

static const int32_t K[33] = {
    22,    36,    60,    98,    162,   267,   439,   720,   1179,  1921,  3108,
    4971,  7812,  11955, 17625, 24743, 32768, 40793, 47911, 53581, 57724, 60565,
    62428, 63615, 64357, 64816, 65097, 65269, 65374, 65438, 65476, 65500, 65514};
static int16_t T[4096];
static uint32_t rate[256];

static int32_t squash(int32_t d)
{
    if (d > 2047) d = 2047;
    if (d < -2047) d = -2047;
    const int32_t w = d & 127, i = (d >> 7) + 16;
    return (K[i] * (128 - w) + K[i + 1] * w + 64) >> 7;
}

static void tables(void)
{
    int32_t pi = 0;
    for (int32_t d = -2047; d <= 2047; d++) {
        const int32_t v = squash(d) >> 4;
        for (int32_t j = pi; j <= v && j < 4096; j++)
            T[j] = (int16_t)d;
        if (v + 1 > pi)
            pi = v + 1;
    }
    for (int32_t j = pi; j < 4096; j++)
        T[j] = 2047;
    for (uint32_t n = 0; n < 256; n++)
        rate[n] = 131072u / (2 * n + 3);
}

static void learn(uint32_t *c, int bit, uint32_t limit)
{
    const uint32_t n = *c & 0xffff;
    const int32_t p = (int32_t)(*c >> 16), target = bit ? 65535 : 0;
    const int32_t np = p + (int32_t)(((int64_t)(target - p) * rate[n]) >> 16);
    *c = (uint32_t)np << 16 | (n < limit ? n + 1 : n);
}

typedef struct {
    uint32_t fast, slow, last;
    uint32_t c1[19][48], c2[19][48], c3[19][48];
    int32_t w[19][48][4];
    uint16_t sse[19][48][33];
    uint32_t low[17][17], sign[3][4];
    int last_sign;
    /* with --net: the network's weight in each mixer, and mixers of two inputs and a
     * bias for the decisions today's coder takes from one counter */
    int32_t wn[19][48], wlow[17][17][3], wsign[3][4][3];
} Rc;

static FILE *net_in;       /* --net: the network's log-odds, N_SLOTS float32 a sample */
static int32_t net_init;   /* --net-init: the network's starting weight, 16.16 */
static int32_t coder_init = 21845; /* --coder-init: each counter's, with --net */
static Rc *warm;           /* --warm: the coder's starting state per channel, learnt */
static uint32_t warm_count = 255; /* --warm-count: the counters' counts capped to this */

static void rc_init(Rc *r)
{
    memset(r, 0, sizeof *r);
    for (int d = 0; d < 19; d++)
        for (int q = 0; q < 48; q++) {
            r->c1[d][q] = r->c2[d][q] = r->c3[d][q] = 32768u << 16;
            r->w[d][q][0] = r->w[d][q][1] = r->w[d][q][2] = 21845;
            for (int k = 0; k < 33; k++) {
                const int32_t v = squash((k - 16) * 128);
                r->sse[d][q][k] = (uint16_t)(v > 65535 ? 65535 : v);
            }
        }
    for (int b = 0; b < 17; b++)
        for (int k = 0; k < 17; k++)
            r->low[b][k] = 32768u << 16;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 4; j++)
            r->sign[k][j] = 32768u << 16;
    r->last_sign = 1;
    for (int d = 0; d < 19; d++)
        for (int q = 0; q < 48; q++)
            r->wn[d][q] = net_init, r->w[d][q][0] = r->w[d][q][1] = r->w[d][q][2] = coder_init;
    for (int b = 0; b < 17; b++)
        for (int k = 0; k < 17; k++)
            r->wlow[b][k][0] = 65536, r->wlow[b][k][1] = net_init, r->wlow[b][k][2] = 0;
    for (int k = 0; k < 3; k++)
        for (int j = 0; j < 4; j++)
            r->wsign[k][j][0] = 65536, r->wsign[k][j][1] = net_init, r->wsign[k][j][2] = 0;
}

/* The network's log-odds in the coder's logistic domain (256 units a nat), clamped. */
static int32_t net_st(float lo)
{
    const double d = lo * 256.0;
    return d > 2047 ? 2047 : d < -2047 ? -2047 : (int32_t)lrint(d);
}

static double cost(uint32_t p, int bit, float *slot)
{
    if (p < 32) p = 32;
    if (p > 65504) p = 65504;
    *slot = (float)p / 65536.0f;
    return -log2(bit ? p / 65536.0 : 1.0 - p / 65536.0);
}

static int bitlen(uint32_t v)
{
    return v ? 32 - __builtin_clz(v) : 0;
}

static int qctx(uint32_t v)
{
    const int n = bitlen(v);
    const int q = n < 2 ? n : 2 * n - 2 + (int)((v >> (n - 2)) & 1);
    return q < 48 ? q : 47;
}

static double decision(Rc *r, int d, int qf, int qs, int ql, int bit, float *slot, const float *net)
{
    const int32_t sn = net ? net_st(*net) : 0;
    int32_t *wn = &r->wn[d][qf];
    uint32_t *c0 = &r->c1[d][qf], *c1 = &r->c2[d][qs], *c2 = &r->c3[d][ql];
    int32_t *w = r->w[d][qf];
    const int32_t s0 = T[(*c0 >> 16) >> 4], s1 = T[(*c1 >> 16) >> 4], s2 = T[(*c2 >> 16) >> 4];
    const int64_t dot = (int64_t)w[0] * s0 + (int64_t)w[1] * s1 + (int64_t)w[2] * s2 + (int64_t)w[3] * 256 +
                        (int64_t)*wn * sn;
    int32_t st = (int32_t)(dot >> 16);
    st = st > 2047 ? 2047 : st < -2047 ? -2047 : st;
    const int32_t pm = squash(st);
    uint16_t *t = r->sse[d][qf];
    const int32_t pos = st + 2048, j = pos >> 7, f = pos & 127;
    const int32_t ps = (t[j] * (128 - f) + t[j + 1] * f) >> 7;
    const double bits = cost((uint32_t)((pm + 3 * ps) >> 2), bit, slot);
    const int32_t err = ((bit ? 65536 : 0) - pm) >> 4;
    w[0] += (s0 * err) >> 10;
    w[1] += (s1 * err) >> 10;
    w[2] += (s2 * err) >> 10;
    w[3] += (256 * err) >> 10;
    *wn += (sn * err) >> 10;
    const int32_t target = bit ? 65535 : 0;
    if (f < 96)
        t[j] = (uint16_t)(t[j] + ((target - t[j]) >> 6));
    if (f > 32)
        t[j + 1] = (uint16_t)(t[j + 1] + ((target - t[j + 1]) >> 6));
    learn(c0, bit, 60);
    learn(c1, bit, 255);
    learn(c2, bit, 60);
    return bits;
}

static double counted(uint32_t *c, int bit, float *slot, const float *net, int32_t *w)
{
    double bits;
    if (net) {  /* the counter and the network mixed, no SSE */
        const int32_t s0 = T[(*c >> 16) >> 4], sn = net_st(*net);
        int32_t st = (int32_t)(((int64_t)w[0] * s0 + (int64_t)w[1] * sn + (int64_t)w[2] * 256) >> 16);
        st = st > 2047 ? 2047 : st < -2047 ? -2047 : st;
        const int32_t p = squash(st);
        bits = cost((uint32_t)p, bit, slot);
        const int32_t err = ((bit ? 65536 : 0) - p) >> 4;
        w[0] += (s0 * err) >> 10;
        w[1] += (sn * err) >> 10;
        w[2] += (256 * err) >> 10;
    } else {
        bits = cost(*c >> 16, bit, slot);
    }
    learn(c, bit, 255);
    return bits;
}

/* The bits of e; slots[N_SLOTS] get the probabilities of its path. */
static double rc_code(Rc *r, int32_t e, int hint, float *slots, const float *net)
{
#define NET(i) (net ? net + (i) : NULL)
    for (int i = 0; i < N_SLOTS; i++)
        slots[i] = -1.0f;
    const int qf = qctx(r->fast), qs = qctx(r->slow >> 3), ql = qctx(r->last << 4);
    const uint32_t m = (uint32_t)(e < 0 ? -e : e);
    double bits = decision(r, 0, qf, qs, ql, m != 0, &slots[0], NET(0));
    if (m) {
        const int nb = bitlen(m);
        int len = 1;
        for (; len < 16; len++)
            if (bits += decision(r, len, qf, qs, ql, nb > len, &slots[len], NET(len)), !(nb > len))
                break;
        uint32_t v = 1;
        for (int b = len - 2, k = 0; b >= 0; b--, k++) {
            const int want = (int)((m >> b) & 1), top = len - 2 - b;
            if (top < 2)
                bits += decision(r, 16 + (top == 0 ? 0 : 1 + (int)(v & 1)), qf, qs, len, want, &slots[16 + k], NET(16 + k));
            else
                bits += counted(&r->low[len][b], want, &slots[16 + k], NET(16 + k), r->wlow[len][b]);
            v = v << 1 | (uint32_t)want;
        }
        bits += counted(&r->sign[r->last_sign][hint & 3], e < 0, &slots[31], NET(31), r->wsign[r->last_sign][hint & 3]);
        r->last_sign = e < 0 ? 0 : 2;
    } else {
        r->last_sign = 1;
    }
    r->fast = r->fast - (r->fast >> 4) + m;
    r->slow = r->slow - (r->slow >> 7) + m;
    r->last = m;
    return bits;
}

/* ---- the walk of pcmcascade.c's code_frame, with the state dumped ---- */

typedef struct {
    Rc rc[2];
    int32_t *e[2];      /* the frame's coded residuals per channel */
    double last_fe[2], last_oe[2]; /* v - y and v - q of the sample before */
    float rate_feat;
    int every;
    size_t count;
    FILE *out;
    double bits;
} Dump;

/* The 41 features of sample t of channel c, in units of the coder's fast scale where
 * they are amplitudes (the network then learns one shape for every loudness). */
static void feature(const Dump *dp, const BlmCascadeCoder *cc, int c, int t, float *f)
{
    const BlmChannelPredictor *cp = &cc->pred.ch[c];
    const Rc *r = &dp->rc[c];
    const double sc = r->fast / 16.0 + 1.0;
    const double y = cp->sum, q = cp->mix_in[0];
    const int32_t *s = cc->s[c], *e = dp->e[c];
    f[0] = (float)c;
    f[1] = (float)(cc->channels - 1);
    f[2] = (float)log2(sc);
    f[3] = (float)log2(r->slow / 128.0 + 1.0);
    f[4] = (float)log2(r->last + 1.0);
    f[5] = (float)(y - cp->pred);                     /* where y fell in [pred - 1/2, pred + 1/2) */
    double part = q;                                   /* each stage's running prediction against y */
    f[6] = (float)((part - y) / sc);
    for (int k = 0; k < 3; k++) {
        part += cp->mix_in[k + 1];
        f[7 + k] = (float)((part - y) / sc);
    }
    for (int k = 0; k < 3; k++)
        f[10 + k] = (float)cp->mix_w[k + 1];
    for (int k = 0; k < 4; k++)                        /* the last residuals */
        f[13 + k] = t - 1 - k >= 0 ? (float)(e[t - 1 - k] / sc) : 0.0f;
    f[17] = (float)(dp->last_fe[c] / sc);
    f[18] = (float)(dp->last_oe[c] / sc);
    f[19] = (float)log2(cp->ols.esum + 1.0);
    f[20] = t >= 1 ? s[t - 1] / 32768.0f : 0.0f;
    f[21] = t >= 2 ? s[t - 2] / 32768.0f : 0.0f;
    f[22] = cp->pred / 32768.0f;
    f[23] = 0.0f;                                      /* the other channel's newest residual */
    if (cc->channels == 2) {
        const int u = c == 1 ? t : t - BLM_PP_LAG;     /* channel 0 is coded LAG - 1 ahead */
        if (u >= 0)
            f[23] = (float)(dp->e[1 - c][u] / sc);
    }
    f[24] = dp->rate_feat > 0 ? (float)log2(dp->rate_feat / 8000.0) : 0.0f;
    for (int k = 0; k < 12; k++)                       /* the residuals before f[13..16]'s */
        f[25 + k] = t - 5 - k >= 0 ? (float)(e[t - 5 - k] / sc) : 0.0f;
    for (int k = 0; k < 4; k++)                        /* the samples before f[20..21]'s */
        f[37 + k] = t - 3 - k >= 0 ? s[t - 3 - k] / 32768.0f : 0.0f;
}

/* sign(x) (sqrt(1 + |x|) - 1): amplitudes squashed with IEEE sqrt alone, as a decoder
 * can reproduce them (docs/MODEL.md §14 squashes the pixel network's inputs so) */
static float ssqrt(float x)
{
    const float r = sqrtf(1.0f + (x < 0 ? -x : x)) - 1.0f;
    return x < 0 ? -r : r;
}

/* --exact: the same 41 features in float32 from IEEE operations only (no log2, no
 * asinh), squashed as the network will take them, so that a codec can compute them to
 * the bit: scales as sqrt, amplitudes as ssqrt of their ratio to the fast scale. */
static void feature_exact(const Dump *dp, const BlmCascadeCoder *cc, int c, int t, float *f)
{
    feature(dp, cc, c, t, f);
    const BlmChannelPredictor *cp = &cc->pred.ch[c];
    const Rc *r = &dp->rc[c];
    const float sc = (float)r->fast / 16.0f + 1.0f;
    f[2] = (sqrtf(sc) - 1.0f) / 16.0f;
    f[3] = (sqrtf((float)r->slow / 128.0f + 1.0f) - 1.0f) / 16.0f;
    f[4] = (sqrtf((float)r->last + 1.0f) - 1.0f) / 16.0f;
    const float y = (float)cp->sum;
    f[5] = (float)(cp->sum - cp->pred);
    double part = cp->mix_in[0];
    f[6] = ssqrt(((float)part - y) / sc);
    for (int k = 0; k < 3; k++) {
        part += cp->mix_in[k + 1];
        f[7 + k] = ssqrt(((float)part - y) / sc);
    }
    const int32_t *e = dp->e[c];
    for (int k = 0; k < 4; k++)
        f[13 + k] = t - 1 - k >= 0 ? ssqrt((float)e[t - 1 - k] / sc) : 0.0f;
    f[17] = ssqrt((float)dp->last_fe[c] / sc);
    f[18] = ssqrt((float)dp->last_oe[c] / sc);
    f[19] = (sqrtf(sqrtf((float)cp->ols.esum + 1.0f)) - 1.0f) / 16.0f;
    f[23] = 0.0f;
    if (cc->channels == 2) {
        const int u = c == 1 ? t : t - BLM_PP_LAG;
        if (u >= 0)
            f[23] = ssqrt((float)dp->e[1 - c][u] / sc);
    }
    f[24] = dp->rate_feat / 48000.0f;
    for (int k = 0; k < 12; k++)
        f[25 + k] = t - 5 - k >= 0 ? ssqrt((float)e[t - 5 - k] / sc) : 0.0f;
}

static int exact_features;

static void sample(Dump *dp, BlmCascadeCoder *cc, int c, int t, int n)
{
    const int32_t *const s[2] = {cc->s[0], cc->s[cc->channels - 1]};
    const int32_t pred = blm_pcm_predict(&cc->pred, c, s, t, n);
    const int hint = blm_pcm_rounding_hint(&cc->pred, c);
    float rec[STATE_DUMP_FLOATS];
    if (exact_features)
        feature_exact(dp, cc, c, t, rec);
    else
        feature(dp, cc, c, t, rec);
    const int32_t v = cc->s[c][t], e = v - pred;
    float net[N_SLOTS];
    if (net_in && fread(net, sizeof net, 1, net_in) != 1) {
        fprintf(stderr, "state_dump: --net is short\n");
        exit(1);
    }
    const double bits = rc_code(&dp->rc[c], e, hint, rec + N_FEAT + 2, net_in ? net : NULL);
    rec[N_FEAT] = (float)e;
    rec[N_FEAT + 1] = (float)bits;
    dp->bits += bits;
    if (dp->count++ % (size_t)dp->every == 0)
        fwrite(rec, sizeof rec, 1, dp->out);
    const BlmChannelPredictor *cp = &cc->pred.ch[c];
    dp->last_fe[c] = v - cp->sum;
    dp->last_oe[c] = v - cp->mix_in[0];
    dp->e[c][t] = e;
    blm_pcm_update(&cc->pred, c, v);
}

static int run_frame(Dump *dp, BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n, int profile)
{
    if (blm_pcm_predictor_init(&cc->pred, cc->channels, profile) < 0)
        return -1;
    for (int c = 0; c < cc->channels; c++) {
        for (uint32_t t = 0; t < n; t++)
            cc->s[c][t] = pcm[(size_t)t * cc->channels + c];
        if (warm) {
            Rc *r = &dp->rc[c];
            *r = warm[c];
            r->fast = r->slow = r->last = 0;
            r->last_sign = 1;
            uint32_t *cnt[] = {&r->c1[0][0], &r->c2[0][0], &r->c3[0][0], &r->low[0][0], &r->sign[0][0]};
            const int len[] = {19 * 48, 19 * 48, 19 * 48, 17 * 17, 3 * 4};
            for (int k = 0; k < 5; k++)
                for (int i = 0; i < len[k]; i++)
                    if ((cnt[k][i] & 0xffff) > warm_count)
                        cnt[k][i] = (cnt[k][i] & 0xffff0000u) | warm_count;
        } else {
            rc_init(&dp->rc[c]);
        }
        dp->last_fe[c] = dp->last_oe[c] = 0;
    }
    const unsigned csr = blm_fp_enter();
    if (cc->channels == 1) {
        for (int t = 0; t < (int)n; t++)
            sample(dp, cc, 0, t, (int)n);
    } else {
        for (int t = 0; t < (int)n + BLM_PP_LAG - 1; t++) {
            if (t < (int)n)
                sample(dp, cc, 0, t, (int)n);
            if (t >= BLM_PP_LAG - 1)
                sample(dp, cc, 1, t - (BLM_PP_LAG - 1), (int)n);
        }
    }
    blm_fp_restore(csr);
    return 0;
}

/* The coder's state after the residuals of a record file (OUT.f32 of another run,
 * e.g. of training files) in their order, channel by channel; channel 1 takes channel
 * 0's when the file has none of its own. */
static Rc *learn_warm(const char *path)
{
    FILE *f = fopen(path, "rb");
    Rc *w = calloc(2, sizeof(Rc));
    if (!f || !w) {
        fprintf(stderr, "state_dump: cannot read %s\n", path);
        return NULL;
    }
    rc_init(&w[0]);
    rc_init(&w[1]);
    float rec[STATE_DUMP_FLOATS], slots[N_SLOTS];
    size_t seen[2] = {0, 0};
    while (fread(rec, sizeof rec, 1, f) == 1) {
        const int c = rec[0] > 0.5f;
        const double h = floor((rec[5] + 0.5) * 4.0);
        rc_code(&w[c], (int32_t)rec[N_FEAT], h < 0 ? 0 : h > 3 ? 3 : (int)h, slots, NULL);
        seen[c]++;
    }
    fclose(f);
    if (!seen[1])
        w[1] = w[0];
    return w;
}

static int16_t *read_pcm(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *s = malloc((size_t)len + 2);
    uint8_t *b = (uint8_t *)s;
    if (s && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(s);
        s = NULL;
    }
    fclose(f);
    for (long i = 0; s && i < len / 2; i++)
        s[i] = (int16_t)(uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
    *n = (size_t)len / 2;
    return s;
}

int main(int argc, char **argv)
{
    uint32_t frame = 131072;
    int profiles[BLM_PP_PROFILES] = {0, 6, 7}, n_profiles = 3, a = 1;
    Dump dp = {.every = 1};
    long net_offset = 0;
    const char *warm_path = NULL;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "--frame") && a + 1 < argc) {
            frame = (uint32_t)strtoul(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "--profiles") && a + 1 < argc) {
            n_profiles = 0;
            for (char *p = argv[++a]; *p && n_profiles < BLM_PP_PROFILES;) {
                profiles[n_profiles++] = (int)strtol(p, &p, 10);
                p += *p == ',';
            }
        } else if (!strcmp(argv[a], "--rate") && a + 1 < argc) {
            dp.rate_feat = (float)atof(argv[++a]);
        } else if (!strcmp(argv[a], "--net") && a + 1 < argc) {
            if (!(net_in = fopen(argv[++a], "rb"))) {
                fprintf(stderr, "state_dump: cannot read %s\n", argv[a]);
                return 1;
            }
        } else if (!strcmp(argv[a], "--net-offset") && a + 1 < argc) {
            net_offset = atol(argv[++a]);
        } else if (!strcmp(argv[a], "--net-init") && a + 1 < argc) {
            net_init = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--coder-init") && a + 1 < argc) {
            coder_init = atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--warm") && a + 1 < argc) {
            warm_path = argv[++a];
        } else if (!strcmp(argv[a], "--warm-count") && a + 1 < argc) {
            warm_count = (uint32_t)atoi(argv[++a]);
        } else if (!strcmp(argv[a], "--exact")) {
            exact_features = 1;
        } else if (!strcmp(argv[a], "--every") && a + 1 < argc) {
            dp.every = atoi(argv[++a]);
        } else {
            break;
        }
    }
    if (a + 3 > argc || frame < 1 || dp.every < 1) {
        fprintf(stderr, "usage: state_dump [--frame N] [--profiles 0,6,7] [--rate HZ] [--every K] [--exact] "
                        "[--net NET.f32 [--net-offset R] [--net-init W] [--coder-init V]] [--warm REC.f32 [--warm-count K]] CHANNELS OUT.f32 FILE.s16...\n");
        return 2;
    }
    const int ch = atoi(argv[a++]);
    BlmCascadeCoder *cc = blm_cascade_new(ch);
    if (!cc || !(dp.out = fopen(argv[a++], "ab"))) {
        fprintf(stderr, "state_dump: 1 or 2 channels, and a writable OUT\n");
        return 2;
    }
    tables();
    if (warm_path && !(warm = learn_warm(warm_path)))
        return 1;
    if (net_in && fseek(net_in, net_offset * (long)(N_SLOTS * sizeof(float)), SEEK_SET) != 0)
        return 1;
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    double sum_bits = 0, sum_lib = 0;
    size_t sum_n = 0;
    for (; a < argc; a++) {
        size_t n_samples;
        int16_t *pcm = read_pcm(argv[a], &n_samples);
        if (!pcm) {
            fprintf(stderr, "state_dump: cannot read %s\n", argv[a]);
            return 1;
        }
        const size_t units = n_samples / (size_t)ch;
        dp.bits = 0;
        double lib = 0;
        for (size_t i = 0; i < units; i += frame) {
            const uint32_t n = (uint32_t)(units - i < frame ? units - i : frame);
            size_t best = SIZE_MAX;
            int best_profile = 0;
            for (int k = 0; k < n_profiles; k++) {
                uint32_t state;
                blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
                if (blm_cascade_encode(cc, pcm + i * (size_t)ch, n, profiles[k], &out, &state) != 0)
                    return 1;
                if (out.len < best)
                    best = out.len, best_profile = profiles[k];
            }
            lib += 8.0 * (double)best;
            if (n > cc->cap) { /* the library's start() has grown cc->s for n already */
                fprintf(stderr, "state_dump: no room\n");
                return 1;
            }
            for (int c = 0; c < ch; c++) {
                int32_t *p = realloc(dp.e[c], (size_t)n * sizeof(int32_t) + 4);
                if (!p)
                    return 1;
                dp.e[c] = p;
            }
            if (run_frame(&dp, cc, pcm + i * (size_t)ch, n, best_profile) < 0)
                return 1;
        }
        printf("%s\t%zu\t%.0f\t%.0f\n", argv[a], units * (size_t)ch, dp.bits, lib);
        sum_bits += dp.bits, sum_lib += lib, sum_n += units * (size_t)ch;
        free(pcm);
    }
    printf("total\t%zu\t%.0f\t%.0f\n", sum_n, sum_bits, sum_lib);
    fclose(dp.out);
    blm_buf_free(&out);
    blm_cascade_free(cc);
    return 0;
}
