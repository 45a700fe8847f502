/*
 * Mode 6 (the cascade predictor, docs/MODEL.md §9-10) alone on raw PCM files: the
 * coded size of each frame with each profile given, the smallest kept, as the
 * encoder does; with --verify every frame is decoded and compared. For measuring
 * (docs/STUDY.md finding 8), not a codec: no stream is written.
 *
 *   cascade_size [--frame N] [--profiles 0,6] [--verify] [--no-maps] [--no-ltp] [--no-independent]
 *                [--cold | --states FILE]
 *                CHANNELS FILE.s16...
 *
 * Every profile starts the residual coder from the built-in learned states
 * (BLM_PP_WARM, docs/MODEL.md §13), from those of a states file with --states (as
 * tools/cascade/coder_states writes), or cold with --cold.
 *
 * Like the encoder, it then tries the best profile with value maps (docs/MODEL.md
 * §11) where a channel leaves a quarter of its range unused, unless --no-maps, and
 * with a long-term lag where blm_cascade_find_lag finds one, unless --no-ltp, and
 * (stereo) as two monos, unless --no-independent; with --net (and the stream's
 * --rate) the best profile's predictor with the second audio network learning within
 * the frame (docs/MODEL.md §15), as the encoder tries it, with --net-static that
 * network as built, with --net1 the first network learning.
 *
 * Prints per file: name, raw bytes, payload bytes plus 32 per frame (the frame
 * header), encode seconds, decode seconds. The last line sums them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coderstates.h"
#include "states_file.h"
#include "pcmcascade.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int16_t *read_pcm(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, len = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            uint8_t *bigger = realloc(b, cap *= 2);
            if (!bigger)
                free(b);
            b = bigger;
        }
    }
    fclose(f);
    if (!b)
        return NULL;
    int16_t *s = malloc(len / 2 * sizeof(int16_t) + 1);
    for (size_t i = 0; s && i < len / 2; i++)
        s[i] = (int16_t)(uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
    free(b);
    *n = len / 2;
    return s;
}

int main(int argc, char **argv)
{
    uint32_t frame = 131072;
    int profiles[BLM_PP_PROFILES] = {0, BLM_PP_PROFILE_FAST | 2}, n_profiles = 2, verify = 0, maps = 1, a = 1;
    int warm = BLM_PP_WARM, net = 0, ltp = 1, independent = 1;
    uint32_t rate = 0;
    const char *states_file = NULL;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "--frame") && a + 1 < argc) {
            frame = (uint32_t)strtoul(argv[++a], NULL, 10);
        } else if (!strcmp(argv[a], "--profiles") && a + 1 < argc) {
            n_profiles = 0;
            for (char *p = argv[++a]; *p && n_profiles < BLM_PP_PROFILES;) {
                profiles[n_profiles++] = (int)strtol(p, &p, 10);
                p += *p == ',';
            }
        } else if (!strcmp(argv[a], "--verify")) {
            verify = 1;
        } else if (!strcmp(argv[a], "--cold")) {
            warm = 0;
        } else if (!strcmp(argv[a], "--states") && a + 1 < argc) {
            states_file = argv[++a];
        } else if (!strcmp(argv[a], "--no-maps")) {
            maps = 0;
        } else if (!strcmp(argv[a], "--no-ltp")) {
            ltp = 0;
        } else if (!strcmp(argv[a], "--no-independent")) {
            independent = 0;
        } else if (!strcmp(argv[a], "--net")) {
            net = BLM_PP_NET_ADAPT | BLM_PP_NET2;
        } else if (!strcmp(argv[a], "--net-static")) {
            net = BLM_PP_NET2;
        } else if (!strcmp(argv[a], "--net1")) {
            net = BLM_PP_NET_ADAPT;
        } else if (!strcmp(argv[a], "--rate") && a + 1 < argc) {
            rate = (uint32_t)strtoul(argv[++a], NULL, 10);
        } else {
            break;
        }
    }
    if (a + 2 > argc || frame < 1) {
        fprintf(stderr, "usage: cascade_size [--frame N] [--profiles 0,6] [--verify] [--no-maps] [--no-ltp] [--no-independent] "
                        "[--cold | --states FILE] [--net | --net-static | --net1 --rate HZ] CHANNELS FILE.s16...\n");
        return 2;
    }
    const int ch = atoi(argv[a++]);
    BlmCascadeCoder *cc = blm_cascade_new(ch);
    if (!cc) {
        fprintf(stderr, "cascade_size: 1 or 2 channels\n");
        return 2;
    }
    cc->rate = rate;
    static BlmResChannel states[BLM_STATES_COUNT];
    static BlmPixelBias bias[BLM_STATES_BIAS_PLANES];
    const BlmResChannel *start[BLM_PP_MAX_CHANNELS];
    if (states_file) {
        if (states_file_read(states_file, states, bias) < 0) {
            fprintf(stderr, "cascade_size: %s is not a states file\n", states_file);
            return 1;
        }
        start[0] = &states[ch == 1 ? 0 : 1];
        start[1] = &states[2];
        cc->start_states = start;
    }
    for (int k = 0; k < n_profiles; k++)
        profiles[k] |= warm;
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    size_t sum_raw = 0, sum_coded = 0;
    double sum_enc = 0, sum_dec = 0;
    for (; a < argc; a++) {
        size_t n_samples;
        int16_t *pcm = read_pcm(argv[a], &n_samples);
        if (!pcm) {
            fprintf(stderr, "cascade_size: cannot read %s\n", argv[a]);
            return 1;
        }
        const size_t units = n_samples / (size_t)ch;
        int16_t *back = malloc(units * (size_t)ch * sizeof(int16_t) + 1);
        size_t coded = 0;
        double t_enc = 0, t_dec = 0;
        for (size_t i = 0; i < units; i += frame) {
            const uint32_t n = (uint32_t)(units - i < frame ? units - i : frame);
            size_t best = SIZE_MAX;
            int best_profile = 0;
            for (int k = 0; k <= n_profiles + 3; k++) {
                uint32_t state;
                int param = k < n_profiles ? profiles[k] : best_profile | BLM_PP_VALUE_MAPS;
                const double t0 = now();
                /* then, as the encoder does, the best profile with value maps, with a
                 * long-term lag, stereo as two monos, and with --net the best profile's
                 * predictor with the audio network */
                if (k == n_profiles &&
                    (!maps || blm_cascade_maps_worth_trying(cc, pcm + i * (size_t)ch, n) != 1))
                    continue;
                if (k == n_profiles + 1) {
                    const int32_t lag = ltp ? blm_cascade_find_lag(cc, pcm + i * (size_t)ch, n) : 0;
                    if (lag <= 0)
                        continue;
                    param = best_profile | BLM_PP_EXT | lag << BLM_PP_LAG_SHIFT;
                }
                if (k == n_profiles + 2) {
                    if (ch != 2 || !independent)
                        continue;
                    param = best_profile | BLM_PP_EXT | BLM_PP_INDEPENDENT;
                }
                if (k == n_profiles + 3) {
                    if (!net)
                        break;
                    param = (best_profile & (BLM_PP_PROFILE_BITS | BLM_PP_EXT | ~0xff)) | net;
                }
                blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
                if (blm_cascade_encode(cc, pcm + i * (size_t)ch, n, param, &out, &state) != 0) {
                    fprintf(stderr, "cascade_size: profile %d: cannot encode\n", param);
                    return 1;
                }
                t_enc += now() - t0;
                if (out.len < best)
                    best = out.len, best_profile = param;
            }
            coded += best + 32 + (best_profile & BLM_PP_EXT ? 3 : 0);
            if (verify) {
                uint32_t state;
                blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
                blm_cascade_encode(cc, pcm + i * (size_t)ch, n, best_profile, &out, &state);
                const double t0 = now();
                const int ret = blm_cascade_decode(cc, out.data, out.len, n, best_profile, state,
                                                   back + i * (size_t)ch);
                t_dec += now() - t0;
                if (ret || memcmp(back + i * (size_t)ch, pcm + i * (size_t)ch, (size_t)n * ch * 2)) {
                    fprintf(stderr, "cascade_size: %s: frame at %zu does not decode\n", argv[a], i);
                    return 1;
                }
            }
        }
        printf("%s\t%zu\t%zu\t%.3f\t%.3f\n", argv[a], n_samples * 2, coded, t_enc, t_dec);
        sum_raw += n_samples * 2, sum_coded += coded, sum_enc += t_enc, sum_dec += t_dec;
        free(pcm);
        free(back);
    }
    printf("total\t%zu\t%zu\t%.3f\t%.3f\n", sum_raw, sum_coded, sum_enc, sum_dec);
    blm_buf_free(&out);
    blm_cascade_free(cc);
    return 0;
}
