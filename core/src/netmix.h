/*
 * A network's decisions mixed with §10's adaptive coder, bit by bit (docs/MODEL.md
 * §14, "Mixed with the coder"): each decision of the residual's path takes the
 * network's probability and the one §10's coder gives the same decision in its
 * contexts, mixes the two in the logistic domain with weights that learn per
 * decision and activity, and both learn the bit. The pre-trained network brings
 * what the training images knew; the counters, what this image is like.
 * Integer arithmetic, so that every machine gets the same bits.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_NETMIX_H
#define BYTELM_NETMIX_H

#include <stdint.h>

#include "logmix.h"
#include "residualcoder.h"

/* the decision slots: the zero flag, "longer than j bits" (j = 1..15), the first and
 * the second bit below the top one (the second by the first), the lower bits, the sign */
#define BLM_NETMIX_SLOTS 21
#define BLM_NETMIX_INPUTS 3    /* the network, the coder, a bias */

typedef struct BlmNetMixer {
    int32_t w[BLM_RES_MAX_CHANNELS][BLM_NETMIX_SLOTS][BLM_RES_SCALES][BLM_NETMIX_INPUTS]; /* 16.16 */
} BlmNetMixer;

void blm_netmix_init(BlmNetMixer *mx);

/* Codes (or decodes) the residual e of channel c, lo <= e <= hi as d says, mixing d's
 * decisions with those of rc's channel c in contexts q (hint as §10); both learn. */
int32_t blm_netmix_code(BlmNetMixer *mx, BlmResidualCoder *rc, int c, BlmResContext q, int hint,
                        const BlmLogisticMix *d, const BlmBitIo *io, int32_t e);

#endif
