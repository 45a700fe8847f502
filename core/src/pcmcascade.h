/*
 * Frame mode 6 for 16-bit PCM of one or two channels (docs/FORMAT.md §2, mode 6):
 * the samples through the cascade predictor (pcmpredictor.h), the prediction
 * errors through the residual coder (residualcoder.h), one range-coded stream.
 * No model is involved: such a frame decodes without one.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PCMCASCADE_H
#define BYTELM_PCMCASCADE_H

#include <stdint.h>

#include "pcmpredictor.h"
#include "pcmnet.h"
#include "rangecoder.h"
#include "residualcoder.h"
#include "valuemap.h"

/* What the audio network reads of the predictor for one sample, as docs/MODEL.md §15
 * rounds it to float (y, y - pred, the partial sums Q_k, the final weights m[1..3], the
 * OLS running error), and the errors against y and q once the sample is known */
typedef struct BlmNetView {
    float y, centre, part[4], m[3], esum, err_y, err_q;
    int32_t pred;
} BlmNetView;

typedef struct BlmCascadeCoder {
    int channels;
    BlmPcmPredictor pred;
    BlmResidualCoder res;
    int32_t *s[BLM_PP_MAX_CHANNELS];   /* the frame, one array per channel */
    uint32_t cap;
    BlmValueMap map[BLM_PP_MAX_CHANNELS];
    int mapped[BLM_PP_MAX_CHANNELS];   /* this frame codes channel c by its map */
    int net;                           /* 1 or 2: the audio network that codes this frame, or 0 */
    /* the coder's starting states when the param has BLM_PP_WARM: NULL for the
     * built-in ones (coderstates.h); others only to train or measure them */
    const BlmResChannel *const *start_states;
    /* the stream's sample rate, an input of the audio network (BLM_PP_NET) */
    uint32_t rate;
    /* with BLM_PP_NET: the frame's residuals and the network's running scales and
     * last errors per channel (docs/MODEL.md §15) */
    int32_t *e[BLM_PP_MAX_CHANNELS];
    uint32_t net_fast[BLM_PP_MAX_CHANNELS], net_slow[BLM_PP_MAX_CHANNELS], net_last[BLM_PP_MAX_CHANNELS];
    float last_err_y[BLM_PP_MAX_CHANNELS], last_err_q[BLM_PP_MAX_CHANNELS];
    /* with BLM_PP_NET_ADAPT: the learning network (allocated on first use) */
    int net_adapting;
    BlmPcmNetAdapt *net_adapt;
    /* The encoder's record of its tries (blm_cascade_set_tracing): the views of the
     * last try and of the kept one, per sample frame and channel, each with its
     * predictor's parameter bits (-1: none, or cut short); and during a try, where to
     * record the views, or where to read them instead of running the predictor. */
    int tracing;
    BlmNetView *trace[2];
    size_t trace_cap;
    int trace_param[2];
    uint32_t trace_n[2];
    BlmNetView *record;
    const BlmNetView *replay;
    int replayed;   /* the last try read a record (for tests) */
} BlmCascadeCoder;

/* channels 1 or 2; NULL when out of memory or channels is out of range. */
BlmCascadeCoder *blm_cascade_new(int channels);
void blm_cascade_free(BlmCascadeCoder *cc);

/* Whether the frame parameters are those of a mode-6 frame: one parameter byte, a
 * profile with the value-map and warm bits, or with the network bit and perhaps the
 * warm bit (the network learning); with
 * BLM_PP_EXT, three more bytes: a long-term lag (0, or BLM_PP_LTP_MIN..BLM_PP_LTP_MAX)
 * and the independent-channels bit, not both zero. */
int blm_cascade_check_params(const uint8_t *params, uint32_t n_params);
/* The parameter as blm_cascade_encode and _decode take it (the first byte, and with
 * BLM_PP_EXT the three more from bit BLM_PP_LAG_SHIFT on), or BYTELM_EFORMAT where the
 * check fails. */
int blm_cascade_param(const uint8_t *params, uint32_t n_params);
/* The bytes of such a parameter (1 or 4 of them, returned). */
uint32_t blm_cascade_param_bytes(int param, uint8_t *params);

/* A long-term lag worth trying on these n interleaved sample frames, or 0: the
 * distance at which most stretches of four samples of channel 0 recur, roughly
 * (blm_pcm_predictor_set_ltp). For the encoder alone; BYTELM_ENOMEM. */
int32_t blm_cascade_find_lag(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n);

/* For an encoder that will try the audio network on the best of a frame's tries,
 * called before the frame's first: from then on each try records what the network
 * reads of its predictor, and a network try on the predictor of the try last kept
 * (blm_cascade_keep_trace) reads that record instead of running the predictor again;
 * the stream is the same either way. Up to
 * BLM_CASCADE_TRACE_MAX sample frames times channels (beyond that the predictor runs
 * again), about 56 bytes each, twice. */
#define BLM_CASCADE_TRACE_MAX 262144
void blm_cascade_set_tracing(BlmCascadeCoder *cc, int on);
/* The last try is the best so far: keep its record. */
void blm_cascade_keep_trace(BlmCascadeCoder *cc);

/* Whether value maps might make these n interleaved sample frames smaller (a guess
 * from the values used, blm_vmap_net_gain). 0, 1 or BYTELM_ENOMEM. */
int blm_cascade_maps_worth_trying(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n);

/* Codes n interleaved sample frames with the parameter byte (a profile, with
 * BLM_PP_VALUE_MAPS to code by its value map each channel whose map is guessed to
 * pay, BLM_PP_WARM to start the residual coder learnt, or BLM_PP_NET alone to code
 * the errors by the audio network, whose inputs include cc->rate (BLM_PP_NET_ADAPT:
 * the network learning within the frame); with BLM_PP_EXT a
 * lag and BLM_PP_INDEPENDENT, stereo only) into out
 * (a range coder stream, flushed) and gives the frame's final state: the range
 * coder's, XOR a hash of the samples (docs/FORMAT.md §2, mode 6). 0, or
 * BYTELM_ENOMEM, or 1 when out's limit was reached (the frame is larger). */
int blm_cascade_encode(BlmCascadeCoder *cc, const int16_t *pcm, uint32_t n, int param,
                       BlmBuf *out, uint32_t *final_state);
/* Decodes n sample frames into pcm. BYTELM_EDESYNC when the stream is damaged
 * (its final state or length disagrees), else 0 or BYTELM_ENOMEM. */
int blm_cascade_decode(BlmCascadeCoder *cc, const uint8_t *payload, size_t len, uint32_t n,
                       int param, uint32_t final_state, int16_t *pcm);

#endif
