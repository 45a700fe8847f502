/*
 * Picking the kernel table at run time (dav1d style): the best level the CPU has,
 * capped by BYTELM_SIMD. All levels give the same bits, so the choice only changes
 * speed.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static int cpu_has(int level)
{
    switch (level) {
    case BLM_SIMD_C:
        return 1;
#if defined(__x86_64__)
    case BLM_SIMD_SSE2:
        return 1;   /* part of x86-64 */
    case BLM_SIMD_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
    case BLM_SIMD_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f");
#endif
    default:
        return 0;
    }
}

static const BlmKernels *table_of(int level)
{
    switch (level) {
    case BLM_SIMD_C:
        return &blm_kernels_c;
#if defined(__x86_64__)
    case BLM_SIMD_SSE2:
        return &blm_kernels_sse2;
    case BLM_SIMD_AVX2:
        return &blm_kernels_avx2;
    case BLM_SIMD_AVX512:
        return &blm_kernels_avx512;
#endif
    default:
        return NULL;
    }
}

const BlmKernels *blm_kernels_get(int level)
{
    if (level < 0 || level >= BLM_SIMD_COUNT || !cpu_has(level))
        return NULL;
    return table_of(level);
}

static const BlmKernels *select_kernels(void)
{
    static const char *const names[BLM_SIMD_COUNT] = { "c", "sse2", "avx2", "avx512" };
    /* AVX-512 only on request: for the shipped model widths (d = 96, F = 384) its
     * 64-column tiles leave a slow tail, and tests/bench_model measured it below AVX2
     * (18k against 29k steps/s at n = 1). Both give the same bits. */
    int cap = BLM_SIMD_AVX2;
    const char *env = getenv("BYTELM_SIMD");
    if (env && *env)
        for (int i = 0; i < BLM_SIMD_COUNT; i++)
            if (!strcmp(env, names[i]))
                cap = i;
    for (int level = cap; level > BLM_SIMD_C; level--)
        if (blm_kernels_get(level))
            return blm_kernels_get(level);
    return &blm_kernels_c;
}

const BlmKernels *blm_kernels(void)
{
    /* Racing threads compute the same pointer; the atomics make that well-defined. */
    static const BlmKernels *chosen;
    const BlmKernels *k = __atomic_load_n(&chosen, __ATOMIC_ACQUIRE);
    if (!k) {
        k = select_kernels();
        __atomic_store_n(&chosen, k, __ATOMIC_RELEASE);
    }
    return k;
}

const char *blm_kernels_name(void)
{
    return blm_kernels()->name;
}
