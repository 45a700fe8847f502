/*
 * The mode-6 sample predictor; docs/MODEL.md §9 is normative, this follows it
 * operation for operation. Everything is float64 with round-to-nearest (the
 * caller holds blm_fp_enter), evaluated in the order written: the build forbids
 * contraction into FMA, and no expression here relies on reassociation.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "pcmpredictor.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"

/* The constants of docs/MODEL.md §9 (measured in docs/STUDY.md finding 8). */
static const double ols_lambda[4] = {0.998, 0.996, 0.993, 0.99};
#define OLS_NU 0.05          /* added to the diagonal before factoring */
#define OLS_ESUM_ADD 2.0
#define NLMS_EPS 100.0
#define MIX_MU 0.004
#define MIX_BETA 0.95
#define MIX_EPS 1e-3

typedef struct StageSet {
    int taps[BLM_PP_STAGES];
    double mu[BLM_PP_STAGES];
    int solve_interval;      /* samples between OLS solves */
} StageSet;

static const StageSet stage_sets[3] = { /* the first stage has BLM_PP_MAX_TAPS */
    {{1024, 256, 16}, {0.0002, 0.0008, 0.012}, 4},
    {{256, 32, 16}, {0.0008, 0.004, 0.012}, 8},  /* BLM_PP_PROFILE_FAST */
    {{512, 32, 16}, {0.0005, 0.004, 0.012}, 8},  /* BLM_PP_PROFILE_FAST | WIDE */
};

int blm_pcm_profile_valid(int p)
{
    return p >= 0 && (p & ~BLM_PP_PROFILE_BITS) == 0 &&
           (!(p & BLM_PP_PROFILE_WIDE) || (p & BLM_PP_PROFILE_FAST));
}

int blm_pcm_profile(int i)
{
    return i < 8 ? i : (i - 8) | BLM_PP_PROFILE_FAST | BLM_PP_PROFILE_WIDE;
}

/* Tap i's weight in an NLMS stage's power, (1 + i)^-3/4, and the sum of the first
 * n of them (sequential in i, so pow_sum[n] is the normative sum for n taps). The
 * longest stage has BLM_PP_MAX_TAPS. */
static double pow_weight[BLM_PP_MAX_TAPS];
static double pow_sum[BLM_PP_MAX_TAPS + 1];

static void init_pow_tables(void)
{
    pow_sum[0] = 0;
    for (int i = 0; i < BLM_PP_MAX_TAPS; i++) {
        const double v = 1.0 + i, sv = sqrt(v);
        pow_weight[i] = 1.0 / (sv * sqrt(sv));
        pow_sum[i + 1] = pow_sum[i] + pow_weight[i];
    }
}

/* ---- NLMS stage ----------------------------------------------------------- */

/* The prediction, and beside it (an independent chain, which the CPU runs at the
 * same time) the inputs' power that the update needs: sum of t[i] * (x[i] * x[i])
 * in the lanes of blm_dot4, tap i weighted by (1 + i)^-3/4 towards the newest. */
static double nlms_predict(const BlmKernels *k, BlmNlms *s)
{
    return s->pred = k->dot4_power(s->w, s->hist + s->pos, pow_weight, s->n, &s->power);
}

/* Learns target, with a step normalised by the inputs' weighted power. */
static void nlms_update(const BlmKernels *k, BlmNlms *s, double target)
{
    const int n = s->n;
    const double *x = s->hist + s->pos;
    const double g = s->mu * (target - s->pred) * pow_sum[n] / (s->power + NLMS_EPS);
    k->axpy_f64(s->w, g, x, n);
    s->pos = s->pos == 0 ? n - 1 : s->pos - 1;
    s->hist[s->pos] = s->hist[s->pos + n] = target;
}

/* ---- the channel predictor ---------------------------------------------------- */

int blm_pcm_predictor_init(BlmPcmPredictor *p, int channels, int profile)
{
    if (channels < 1 || channels > BLM_PP_MAX_CHANNELS || !blm_pcm_profile_valid(profile))
        return BYTELM_EINVAL;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_pow_tables);
    const StageSet *set = &stage_sets[!(profile & BLM_PP_PROFILE_FAST) ? 0
                                      : (profile & BLM_PP_PROFILE_WIDE) ? 2 : 1];
    size_t need = 0;
    for (int k = 0; k < BLM_PP_STAGES; k++)
        need += 3 * (size_t)set->taps[k];
    need *= (size_t)channels;
    if (need > p->mem_size) {
        double *m = realloc(p->mem, need * sizeof(double));
        if (!m)
            return BYTELM_ENOMEM;
        p->mem = m;
        p->mem_size = need;
    }
    memset(p->mem, 0, need * sizeof(double));
    p->channels = channels;
    p->solve_interval = set->solve_interval;
    p->ltp = 0;
    p->independent = 0;
    p->k = blm_kernels();
    double *m = p->mem;
    for (int c = 0; c < channels; c++) {
        BlmChannelPredictor *cp = &p->ch[c];
        blm_ols_init(&cp->ols,
                     channels == 1 ? BLM_PP_OLS_MONO
                     : c == 0      ? BLM_PP_OLS_OWN
                                   : BLM_PP_OLS_OWN + BLM_PP_OLS_CROSS,
                     ols_lambda[profile & BLM_PP_PROFILE_LAMBDA_MASK], OLS_NU, OLS_ESUM_ADD,
                     BLM_OLS_WEIGHT_POW34);
        for (int k = 0; k < BLM_PP_STAGES; k++) {
            BlmNlms *s = &cp->stage[k];
            s->n = set->taps[k];
            s->mu = set->mu[k];
            s->w = m;
            s->hist = m + s->n;
            s->pos = 0;
            s->pred = 0;
            s->power = 0;
            m += 3 * (size_t)s->n;
        }
        for (int k = 0; k < BLM_PP_MIX; k++) {
            cp->mix_w[k] = 1.0;
            cp->mix_in[k] = 0.0;
            cp->mix_eg[k] = 0.0;
        }
        cp->sum = 0;
        cp->pred = 0;
    }
    return 0;
}

/* A fresh OLS stage of n inputs with the same constants. */
static void ols_resize(BlmOls *o, int n)
{
    blm_ols_init(o, n, o->lambda, o->nu, o->esum_add, o->weighting);
}

void blm_pcm_predictor_set_independent(BlmPcmPredictor *p)
{
    if (p->independent || p->ltp)
        return;
    p->independent = 1;
    for (int c = 0; c < p->channels; c++)
        ols_resize(&p->ch[c].ols, BLM_PP_OLS_MONO);
}

void blm_pcm_predictor_set_ltp(BlmPcmPredictor *p, int32_t lag)
{
    if (lag == 0 || p->ltp != 0)
        return;
    p->ltp = lag;
    for (int c = 0; c < p->channels; c++)
        ols_resize(&p->ch[c].ols, p->ch[c].ols.n + BLM_PP_LTP_TAPS);
}

void blm_pcm_predictor_free(BlmPcmPredictor *p)
{
    free(p->mem);
    p->mem = NULL;
    p->mem_size = 0;
}

int32_t blm_pcm_predict(BlmPcmPredictor *p, int c, const int32_t *const *s, int t, int n)
{
    BlmChannelPredictor *cp = &p->ch[c];
    BlmOls *o = &cp->ols;
    const int32_t *own = s[c];
    const int n_own = c == 0 || p->independent ? o->n - (p->ltp ? BLM_PP_LTP_TAPS : 0) : BLM_PP_OLS_OWN;
    for (int i = 0; i < n_own; i++)
        o->x[i] = t - 1 - i >= 0 ? (double)own[t - 1 - i] : 0.0;
    if (c == 1 && !p->independent) {
        const int32_t *ref = s[0];
        for (int i = 0; i < BLM_PP_OLS_CROSS; i++) {
            const int u = t + BLM_PP_LAG - 1 - i;
            o->x[BLM_PP_OLS_OWN + i] = u >= 0 && u < n ? (double)ref[u] : 0.0;
        }
    }
    if (p->ltp) {
        const int base = o->n - BLM_PP_LTP_TAPS;
        for (int i = 0; i < BLM_PP_LTP_TAPS; i++) {
            const int u = t - p->ltp + 1 - i;
            o->x[base + i] = u >= 0 ? (double)own[u] : 0.0;
        }
    }
    cp->mix_in[0] = blm_ols_predict(o);
    for (int k = 0; k < BLM_PP_STAGES; k++)
        cp->mix_in[k + 1] = nlms_predict(p->k, &cp->stage[k]);
    cp->sum = blm_dot4(cp->mix_w, cp->mix_in, BLM_PP_MIX);
    /* clamped, NaN to the low end, so that the conversion is always defined */
    double r = floor(cp->sum + 0.5);
    if (!(r >= -32768.0))
        r = -32768.0;
    if (r > 32767.0)
        r = 32767.0;
    return cp->pred = (int32_t)r;
}

int blm_pcm_rounding_hint(const BlmPcmPredictor *p, int c)
{
    const BlmChannelPredictor *cp = &p->ch[c];
    const double q = floor(((cp->sum - (double)cp->pred) + 0.5) * 4.0);
    return !(q >= 0) ? 0 : q > 3 ? 3 : (int)q;
}

void blm_pcm_update(BlmPcmPredictor *p, int c, int32_t value)
{
    BlmChannelPredictor *cp = &p->ch[c];
    const double val = (double)value;

    /* the final stage: the cascade's weights (the OLS one stays 1), each with its
     * own step normalised by its recent gradient (the stages' outputs differ in
     * scale by orders of magnitude); the sign of the error, not its size */
    const double e = val - cp->sum;
    const double se = e > 0 ? 1.0 : e < 0 ? -1.0 : 0.0;
    for (int k = 1; k < BLM_PP_MIX; k++) {
        const double grad = se * cp->mix_in[k];
        cp->mix_eg[k] = MIX_BETA * cp->mix_eg[k] + (1.0 - MIX_BETA) * (grad * grad);
        cp->mix_w[k] += MIX_MU * grad / (sqrt(cp->mix_eg[k]) + MIX_EPS);
    }

    /* the cascade: each stage learns what the ones before it left */
    double target = val - cp->ols.pred;
    for (int k = 0; k < BLM_PP_STAGES; k++) {
        const double next = target - cp->stage[k].pred;
        nlms_update(p->k, &cp->stage[k], target);
        target = next;
    }
    blm_ols_update(&cp->ols, val, p->solve_interval);
}
