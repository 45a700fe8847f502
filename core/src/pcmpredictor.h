/*
 * The sample predictor of frame mode 6 (docs/MODEL.md §9): per channel, a weighted
 * least-squares (OLS) stage over the channel's past and, for the second channel,
 * the first channel's neighbourhood; a cascade of three NLMS stages on its
 * residual; a final stage that weighs the cascade's predictions. float64 in a
 * written order, no FMA, no libm beyond sqrt and floor (both exact in IEEE 754),
 * so every x86-64 gives the same predictions.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PCMPREDICTOR_H
#define BYTELM_PCMPREDICTOR_H

#include <stddef.h>
#include <stdint.h>

#include "ols.h"

#define BLM_PP_MAX_CHANNELS 2
#define BLM_PP_LAG 8          /* channel 1 runs LAG - 1 samples behind channel 0 */
#define BLM_PP_OLS_OWN 16     /* own past samples in the OLS stage, stereo */
#define BLM_PP_OLS_MONO 32    /* the same, mono */
#define BLM_PP_OLS_CROSS 16   /* channel 0 around the sample, for channel 1 */
#define BLM_PP_LTP_TAPS 4     /* with a long-term lag P: the samples P - 1 .. P + 2 back */
#define BLM_PP_LTP_MIN 64     /* the shortest lag, beyond the OLS stage's own taps */
#define BLM_PP_LTP_MAX 4194303  /* 2^22 - 1 */
#define BLM_PP_STAGES 3       /* NLMS stages */
#define BLM_PP_MAX_TAPS 1024  /* the longest stage */
#define BLM_PP_MIX (BLM_PP_STAGES + 1)

/* The frame parameter byte of mode 6: bits 0-1 choose the OLS forgetting factor,
 * bit 2 the short (fast) cascade, bit 4 (with bit 2 only) a short cascade whose first
 * stage is twice as long: together the predictor's profile. Bit 3 says that value
 * maps are coded (valuemap.h), bit 5 that the residual coder starts from the learned
 * states (coderstates.h), bit 6 (never with bits 3 and 5) that the audio network codes the
 * residuals instead (pcmnet.h), bit 7 that three more bytes follow: a long-term lag
 * (blm_pcm_predictor_set_ltp) and whether stereo is predicted as two monos
 * (blm_pcm_predictor_set_independent). */
#define BLM_PP_PROFILE_LAMBDA_MASK 3
#define BLM_PP_PROFILE_FAST 4
#define BLM_PP_VALUE_MAPS 8
#define BLM_PP_PROFILE_WIDE 16
#define BLM_PP_WARM 32
#define BLM_PP_NET 64        /* the residuals coded by the audio network (pcmnet.h) */
#define BLM_PP_NET_ADAPT (BLM_PP_NET | BLM_PP_WARM)   /* the same, the network learning */
#define BLM_PP_NET2 (BLM_PP_NET | BLM_PP_VALUE_MAPS) /* with the network, bit 3 picks the second */
#define BLM_PP_EXT 128       /* three more bytes follow, little-endian: */
/* the extension's fields, as they sit in mode 6's parameter (pcmcascade.h) */
#define BLM_PP_LAG_SHIFT 8              /* bits 0-21: the long-term lag, or 0 */
#define BLM_PP_LAG_MASK 0x3fffff
#define BLM_PP_INDEPENDENT (1 << 30)    /* bit 22: stereo predicted as two monos */
#define BLM_PP_LTP_LAG(param) (((param) >> BLM_PP_LAG_SHIFT) & BLM_PP_LAG_MASK)
#define BLM_PP_PROFILE_BITS (BLM_PP_PROFILE_LAMBDA_MASK | BLM_PP_PROFILE_FAST | BLM_PP_PROFILE_WIDE)
#define BLM_PP_PROFILES 12    /* 0..7 and 20..23 */

/* Whether p is a profile; the i-th profile (i < BLM_PP_PROFILES), ascending. */
int blm_pcm_profile_valid(int p);
int blm_pcm_profile(int i);

typedef struct BlmNlms {
    int n;               /* taps, a multiple of 4 */
    double mu;
    double *w;           /* n weights */
    double *hist;        /* 2n: the last n inputs, newest first, mirrored */
    int pos;             /* where the newest input sits in hist[0..n) */
    double pred;
    double power;        /* the inputs' weighted power, found with pred */
} BlmNlms;


typedef struct BlmChannelPredictor {
    BlmOls ols;
    BlmNlms stage[BLM_PP_STAGES];
    double mix_w[BLM_PP_MIX];
    double mix_in[BLM_PP_MIX];
    double mix_eg[BLM_PP_MIX];
    double sum;         /* the mixed prediction */
    int32_t pred;       /* rounded and clamped */
} BlmChannelPredictor;

typedef struct BlmPcmPredictor {
    int channels;
    int solve_interval;
    int32_t ltp;        /* the long-term lag, or 0 */
    int independent;    /* stereo predicted as two monos */
    const BlmKernels *k; /* this machine's kernels: the same bits at every level */
    BlmChannelPredictor ch[BLM_PP_MAX_CHANNELS];
    double *mem;
    size_t mem_size;
} BlmPcmPredictor;

/* A predictor in its starting state (every frame starts from it), for 1 or 2
 * channels and a profile (blm_pcm_profile_valid). 0, BYTELM_EINVAL or
 * BYTELM_ENOMEM. The state can be re-initialised with another profile without
 * freeing; blm_pcm_predictor_free releases it. Zero the struct before first use. */
int blm_pcm_predictor_init(BlmPcmPredictor *p, int channels, int profile);
/* With a long-term lag P (BLM_PP_LTP_MIN..BLM_PP_LTP_MAX, or 0 for none): every
 * channel's OLS stage also sees its own samples P - 1, P, P + 1 and P + 2 back
 * (docs/MODEL.md §9). Call after blm_pcm_predictor_init. */
void blm_pcm_predictor_set_ltp(BlmPcmPredictor *p, int32_t lag);
/* Stereo predicted as two monos: each channel's OLS stage sees its own 32 past samples
 * and not the other channel. Call after blm_pcm_predictor_init, before _set_ltp. */
void blm_pcm_predictor_set_independent(BlmPcmPredictor *p);
void blm_pcm_predictor_free(BlmPcmPredictor *p);

/* The prediction of sample t of channel c. s[c] points at channel c's samples of
 * the frame (n of them); channel 1's prediction reads channel 0 up to t + LAG - 1,
 * which must already be known (zeros past the frame's end). */
int32_t blm_pcm_predict(BlmPcmPredictor *p, int c, const int32_t *const *s, int t, int n);
/* Where the last prediction of c fell before rounding: 0..3 for the quarters of
 * [pred - 1/2, pred + 1/2) (docs/MODEL.md §9). */
int blm_pcm_rounding_hint(const BlmPcmPredictor *p, int c);
/* Tells the predictor the true value of the sample it predicted last for c. */
void blm_pcm_update(BlmPcmPredictor *p, int c, int32_t value);

#endif
