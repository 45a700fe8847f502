/*
 * Time to open (and close) contexts, with the model cache and without it (the cache
 * cleared before each open): what a video path pays per image.
 * usage: bench_open [N]   (N opens of each kind, default 100)
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bytelm/bytelm.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* Seconds for n encoder opens of s (the model loaded as the preset says). */
static double time_opens(const BytelmSettings *s, int n, int cached)
{
    double t0 = now();
    for (int i = 0; i < n; i++) {
        BytelmEncoder *enc;
        if (!cached)
            bytelm_model_cache_clear();
        if (bytelm_encoder_open(&enc, s) < 0) {
            fprintf(stderr, "open failed\n");
            exit(1);
        }
        bytelm_encoder_close(&enc);
    }
    return now() - t0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 100;
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.kind = BYTELM_KIND_RGB24;
    s.width = 640;
    s.height = 480;
    s.threads = 1;
    s.preset = BYTELM_PRESET_MAX; /* the image model */
    double cold = time_opens(&s, n, 0), warm = time_opens(&s, n, 1);
    printf("%d RGB encoder opens (image model): %.1f ms without the cache, %.2f ms with it\n", n,
           cold * 1e3, warm * 1e3);
    s.kind = BYTELM_KIND_PCM_S16LE;
    s.width = s.height = 0;
    s.sample_rate = 44100;
    s.channels = 2;
    s.preset = BYTELM_PRESET_DEFAULT;
    cold = time_opens(&s, n, 0);
    warm = time_opens(&s, n, 1);
    printf("%d PCM encoder opens (audio model): %.1f ms without the cache, %.2f ms with it\n", n,
           cold * 1e3, warm * 1e3);
    bytelm_model_cache_clear();
    return 0;
}
