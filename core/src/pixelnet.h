/*
 * The pixel networks of frame mode 7 (docs/MODEL.md §14): small pre-trained MLPs, one
 * for gray and one for RGB, that read a pixel plane's causal neighbourhood, the
 * predictor's state, its neighbours' errors and (RGB) green's error at the pixel, and
 * give the residual's distribution as a mixture of three logistics,
 * from which every binary decision of the residual is coded. float32 in the written
 * order with the exp of docs/MODEL.md §2, so that every machine gets the same bits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PIXELNET_H
#define BYTELM_PIXELNET_H

#include <stdint.h>

#include "logmix.h"
#include "mlpadapt.h"

#define BLM_PXN_INPUTS 28

/* What the predictor knows of a pixel before coding it, in the order of §14's table:
 * neighbours less the unrounded prediction, the neighbours' signed errors, the
 * bias, the rounding, the activity, gradient and texture, the rounded prediction,
 * the plane, plane 0's error, the bias context's count, whether every neighbour is
 * inside. */
typedef struct BlmPixelNetInput {
    float v[BLM_PXN_INPUTS];
} BlmPixelNetInput;

/* The built-in networks: one trained on gray camera frames, one on colour photos. */
typedef enum BlmPixelNetKind {
    BLM_PIXNET_GRAY,
    BLM_PIXNET_RGB,
} BlmPixelNetKind;

#define BLM_PXN_ADAPT_BLOCK 512    /* plane samples between two steps, the output layer alone */
#define BLM_PXN_ADAPT_ALL_BLOCK 32 /* the same, every layer learning */

typedef struct BlmPixelNetAdapt {
    BlmMlpAdapt net;
    float scale;   /* the last evaluation's base scale */
} BlmPixelNetAdapt;

/* a's weights as the built-in network kind's, the gradient zero; all: whether every
 * layer learns (parameter byte 61) or the output layer alone (29) */
void blm_pixnet_adapt_init(BlmPixelNetKind kind, BlmPixelNetAdapt *a, int all);

/* The network's distribution for one pixel plane whose prediction is pred (a sample
 * in 0..max_value); with a, from a's weights, and a keeps what learning needs. */
void blm_pixnet_eval(BlmPixelNetKind kind, const BlmPixelNetInput *in, int32_t pred, int32_t max_value,
                     BlmLogisticMix *d, BlmPixelNetAdapt *a);

/* After the error e was coded from d (blm_pixnet_eval's, with a): a adds the gradient
 * of -ln P(e) and, every BLM_PXN_ADAPT_BLOCK samples, steps its learning layers. */
void blm_pixnet_learn(BlmPixelNetAdapt *a, const BlmLogisticMix *d, int32_t e);

/* FNV-1a of a built-in network's float32 bytes (little-endian), as §14 documents. */
uint32_t blm_pixnet_hash(BlmPixelNetKind kind);

#endif
