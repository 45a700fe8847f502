/*
 * IEEE default floating point around the normative float code (docs/MODEL.md §2).
 * A host may have set flush-to-zero, denormals-are-zero or another rounding mode
 * (audio software often does); the model, the scale prior and everything else that
 * makes a decoder's tables need round-to-nearest with denormals.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_FPENV_H
#define BYTELM_FPENV_H

#include <float.h>

/* The normative arithmetic is IEEE single and double precision, each operation
 * rounded to its type: x87 excess precision (FLT_EVAL_METHOD 1 or 2, e.g. -m32
 * -mfpmath=387) or -ffast-math's reordering would give other bits. meson.build
 * likewise requires -ffp-contract=off (no FMA contraction). */
#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "bytelm's coding arithmetic needs FLT_EVAL_METHOD == 0 (SSE2 math, not x87)"
#endif
#if defined(__FAST_MATH__)
#error "bytelm must not be compiled with -ffast-math (docs/MODEL.md section 2)"
#endif

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

/* Sets the IEEE defaults and returns the host's MXCSR for blm_fp_restore. Calls may
 * nest. */
static inline unsigned blm_fp_enter(void)
{
#if defined(__x86_64__)
    unsigned csr = _mm_getcsr();
    unsigned want = 0x1f80 | (csr & 0x3f);      /* keep only the sticky flags */
    if (csr != want)
        _mm_setcsr(want);
    return csr;
#else
    return 0;
#endif
}

static inline void blm_fp_restore(unsigned csr)
{
#if defined(__x86_64__)
    if (csr != (0x1f80 | (csr & 0x3f)))
        _mm_setcsr(csr);
#else
    (void)csr;
#endif
}

#endif
