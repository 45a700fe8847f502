/*
 * Frame mode 7 for images of 8- or 16-bit samples, gray or RGB, with or without
 * alpha (docs/FORMAT.md §2, mode 7; docs/MODEL.md §12): each pixel's planes
 * predicted in raster order by a weighted least-squares stage over the causal
 * neighbourhood (and, for red and blue, over the earlier planes' pixel, neighbours
 * and error), corrected by a bias per local texture, the errors coded by mode 6's
 * residual coder in contexts of the neighbours' errors and the brightness. No model
 * is involved. A frame is a band of rows, coded as if it were a whole image.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PIXELCASCADE_H
#define BYTELM_PIXELCASCADE_H

#include <stdint.h>

#include "coderstates.h"
#include "netmix.h"
#include "ols.h"
#include "pixelnet.h"
#include "rangecoder.h"
#include "residualcoder.h"
#include "valuemap.h"

#define BLM_PX_MAX_PLANES 4
#define BLM_PX_ROWS 4          /* rows kept: the current one and three above */
#define BLM_PX_BIAS_CONTEXTS BLM_STATES_BIAS_CONTEXTS

typedef struct BlmPixelCoder {
    int planes;                /* 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA */
    int colours;               /* planes without alpha: 1 or 3 (coded green, red, blue) */
    int sample_bytes;          /* 1 or 2 (little-endian) */
    int32_t max_value;         /* 255 or 65535 */
    int light_shift;           /* the brightness context: pred >> 3 or 11 */
    int bias_shift;            /* the bias's error context: e >> 0 or 8 */
    uint32_t width;
    int32_t *pix[BLM_PX_MAX_PLANES];    /* BLM_PX_ROWS rows of each plane, a ring */
    int32_t *err[BLM_PX_MAX_PLANES];    /* the prediction errors, the same way */
    BlmOls ols[BLM_PX_MAX_PLANES];
    double bias_sum[BLM_PX_MAX_PLANES][BLM_PX_BIAS_CONTEXTS];
    double bias_count[BLM_PX_MAX_PLANES][BLM_PX_BIAS_CONTEXTS];
    BlmResidualCoder res;
    BlmValueMap map[BLM_PX_MAX_PLANES]; /* 16-bit samples: allocated, used when mapped */
    int mapped[BLM_PX_MAX_PLANES];
    int net;                   /* BLM_PX_NET: residuals coded by the pixel network */
    int mix;                   /* BLM_PX_MIX: its decisions mixed with the coder's */
    BlmNetMixer netmix;
    int solve_interval;        /* pixels between two OLS solves */
    int adapt;                 /* BLM_PX_ADAPT: its output layer (and with BLM_PX_ADAPT_HIDDEN
                                  the hidden layers too) learns in the frame */
    BlmPixelNetAdapt net_adapt;
    /* the coder's starting states and bias tables with BLM_PX_WARM: NULL for the
     * built-in ones (coderstates.h); others only to train or measure them */
    const BlmResChannel *const *start_states;
    const BlmPixelBias *const *start_bias;
} BlmPixelCoder;

/* planes 1..4 (bytelm_kind_planes), sample_bytes 1 or 2, width 1..65535; NULL when
 * out of memory or out of range. */
BlmPixelCoder *blm_pixel_coder_new(int planes, int sample_bytes, uint32_t width);
void blm_pixel_coder_free(BlmPixelCoder *pc);

/* The frame parameter of mode 7: none (a frame of the first version: the coder
 * starts cold), or one byte: for 8-bit samples BLM_PX_WARM (it starts from the
 * learned states), for 16-bit ones BLM_PX_MAPS (value maps, docs/MODEL.md §11, may
 * precede the pixels); for 8-bit gray and RGB also BLM_PX_WARM | BLM_PX_NET (the residuals
 * are coded from the pixel network's distribution, docs/MODEL.md §14), with BLM_PX_MIX
 * as well (its decisions mixed with the coder's), BLM_PX_NET_ADAPTED (mixed, and
 * the network's output layer learning within the frame) and BLM_PX_NET_ADAPTED_DEEP
 * (every layer learning). */
#define BLM_PX_WARM 1
#define BLM_PX_MAPS 2
#define BLM_PX_NET 4
#define BLM_PX_MIX 8
#define BLM_PX_ADAPT 16
#define BLM_PX_ADAPT_HIDDEN 32
/* the network mixed, its output layer learning within the frame */
#define BLM_PX_NET_ADAPTED (BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX | BLM_PX_ADAPT)
/* the network mixed, every layer learning within the frame */
#define BLM_PX_NET_ADAPTED_DEEP (BLM_PX_NET_ADAPTED | BLM_PX_ADAPT_HIDDEN)

/* Whether images of these planes and sample bytes may take BLM_PX_NET. */
int blm_pixel_net_applies(int planes, int sample_bytes);
int blm_pixel_check_params(const uint8_t *params, uint32_t n_params, int planes, int sample_bytes);

/* Codes rows rows of interleaved pixels (width * planes * sample_bytes bytes each) with the
 * parameter param (as above) into out (a range coder stream, flushed) and
 * gives the frame's final state: the range coder's, XOR a hash of the pixels. 0,
 * BYTELM_ENOMEM, or 1 when out's limit was reached. */
int blm_pixel_encode(BlmPixelCoder *pc, const uint8_t *raw, uint32_t rows, int param, BlmBuf *out,
                     uint32_t *final_state);
/* Decodes rows rows into raw. BYTELM_EDESYNC when the stream is damaged. */
int blm_pixel_decode(BlmPixelCoder *pc, const uint8_t *payload, size_t len, uint32_t rows, int param,
                     uint32_t final_state, uint8_t *raw);

#endif
