/*
 * Compute kernels of the normative inference path, with a plain C reference and
 * SIMD versions picked at run time. Every version gives the same bits (docs/MODEL.md §2).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_KERNELS_H
#define BYTELM_KERNELS_H

/* Filled in by the helper owning the kernels; see kernels.c. */

#endif
