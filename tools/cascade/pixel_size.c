/*
 * Mode 7 (the pixel predictor, docs/MODEL.md §12) alone on raw images: the coded size of each image in bands of at most BYTES raw bytes (whole
 * rows), as the encoder's frames would be, with 32 bytes of frame header counted per
 * band; with --verify every band is decoded and compared. For measuring
 * (docs/STUDY.md finding 9), not a codec: no stream is written.
 *
 *   pixel_size [--band BYTES] [--verify] [--cold | --states FILE] LIST
 *
 * With --net, 8-bit gray and RGB images are coded by the pixel network mixed with the
 * residual coder as the encoder tries it (docs/MODEL.md §14): RGB with the network's
 * output layer learning within the band (BLM_PX_NET_ADAPTED), gray without (BLM_PX_NET |
 * BLM_PX_MIX); with --net-adapt both learning, with --net-mixed neither, with --net-alone
 * by the network alone (BLM_PX_NET); with --choose, as --net and without the network, the
 * smaller kept per band, as the encoder does.
 *
 * The residual coder starts from the built-in learned states (BLM_PX_WARM,
 * docs/MODEL.md §13), from those of a states file with --states, or cold with --cold.
 *
 * LIST has one image a line: path, kind, width, height (tab or space separated);
 * kind gray, graya, rgb or rgba, with 16 after it (gray16, rgba16) for 16-bit
 * little-endian samples, which always start cold, with value maps where they pay. Prints per image: path, raw bytes, coded bytes, encode seconds, decode
 * seconds; the last line sums them.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coderstates.h"
#include "states_file.h"
#include "pixelcascade.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint8_t *read_file(const char *path, size_t want)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *b = malloc(want + 1);
    const size_t got = b ? fread(b, 1, want, f) : 0;
    fclose(f);
    if (got != want) {
        free(b);
        return NULL;
    }
    return b;
}

int main(int argc, char **argv)
{
    size_t band = 1 << 20;
    int verify = 0, a = 1, param = BLM_PX_WARM, net = 0, net_choice = -1;
    const char *states_file = NULL;
    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "--band") && a + 1 < argc)
            band = strtoul(argv[++a], NULL, 10);
        else if (!strcmp(argv[a], "--cold"))
            param = 0;
        else if (!strcmp(argv[a], "--states") && a + 1 < argc)
            states_file = argv[++a];
        else if (!strcmp(argv[a], "--verify"))
            verify = 1;
        else if (!strcmp(argv[a], "--net"))
            net = 1;
        else if (!strcmp(argv[a], "--net-adapt")) {
            net = 1;
            net_choice = BLM_PX_NET_ADAPTED;
        } else if (!strcmp(argv[a], "--net-deep")) {
            net = 1;
            net_choice = BLM_PX_NET_ADAPTED_DEEP;
        } else if (!strcmp(argv[a], "--net-mixed")) {
            net = 1;
            net_choice = BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX;
        } else if (!strcmp(argv[a], "--net-alone")) {
            net = 1;
            net_choice = BLM_PX_WARM | BLM_PX_NET;
        }
        else if (!strcmp(argv[a], "--choose"))
            net = 2;
        else
            break;
    }
    FILE *list = a + 1 == argc ? fopen(argv[a], "r") : NULL;
    if (!list || band < 1) {
        fprintf(stderr, "usage: pixel_size [--band BYTES] [--verify] [--net | --net-adapt | --net-deep | --net-mixed | --net-alone | --choose] [--cold | --states FILE] LIST\n");
        return 2;
    }
    char path[4096], kind[16];
    unsigned w, h;
    size_t raw_total = 0, coded_total = 0;
    double enc_total = 0, dec_total = 0;
    static BlmResChannel states[BLM_STATES_COUNT];
    static BlmPixelBias bias[BLM_STATES_BIAS_PLANES];
    const BlmResChannel *gray[1] = {&states[3]}, *rgb[3] = {&states[4], &states[5], &states[6]};
    const BlmPixelBias *gray_bias[1] = {&bias[0]}, *rgb_bias[3] = {&bias[1], &bias[2], &bias[3]};
    if (states_file) {
        if (states_file_read(states_file, states, bias) < 0) {
            fprintf(stderr, "pixel_size: %s is not a states file\n", states_file);
            return 1;
        }
    }
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    while (fscanf(list, "%4095s %15s %u %u%*[^\n]", path, kind, &w, &h) == 4) {
        const int sb = strstr(kind, "16") ? 2 : 1;
        const int planes = !strncmp(kind, "rgba", 4) ? 4 : !strncmp(kind, "rgb", 3) ? 3
                           : !strncmp(kind, "graya", 5) ? 2 : 1;
        const size_t row = (size_t)w * planes * sb, size = row * h;
        uint8_t *img = read_file(path, size), *back = malloc(size + 1);
        BlmPixelCoder *pc = blm_pixel_coder_new(planes, sb, w);
        if (!img || !back || !pc) {
            fprintf(stderr, "pixel_size: %s: cannot read %ux%u %s\n", path, w, h, kind);
            return 1;
        }
        if (states_file) {
            pc->start_states = planes < 3 ? gray : rgb;
            pc->start_bias = planes < 3 ? gray_bias : rgb_bias;
        }
        const int with_net = net && blm_pixel_net_applies(planes, sb) && param == BLM_PX_WARM;
        const int net_param = net_choice >= 0 ? net_choice
                              : planes == 3 ? BLM_PX_NET_ADAPTED_DEEP : BLM_PX_WARM | BLM_PX_NET | BLM_PX_MIX;
        int p = sb == 1 ? param : BLM_PX_MAPS;
        const uint32_t rows = (uint32_t)(band / row ? band / row : 1);
        size_t coded = 0;
        double t_enc = 0, t_dec = 0;
        for (uint32_t y = 0; y < h; y += rows) {
            const uint32_t n = h - y < rows ? h - y : rows;
            uint32_t state;
            blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
            double t0 = now();
            p = with_net == 1 ? net_param : sb == 1 ? param : BLM_PX_MAPS;
            if (blm_pixel_encode(pc, img + y * row, n, p, &out, &state) != 0) {
                fprintf(stderr, "pixel_size: %s: cannot encode\n", path);
                return 1;
            }
            if (with_net == 2) { /* as the encoder: both, the smaller kept */
                BlmBuf alt = {0};
                uint32_t alt_state;
                blm_buf_reset(&alt, out.len);
                if (blm_pixel_encode(pc, img + y * row, n, net_param, &alt, &alt_state) == 0 &&
                    alt.len < out.len) {
                    BlmBuf tmp = out;
                    out = alt;
                    alt = tmp;
                    state = alt_state;
                    p = net_param;
                }
                blm_buf_free(&alt);
            }
            t_enc += now() - t0;
            coded += out.len + 32;
            if (verify) {
                t0 = now();
                const int ret = blm_pixel_decode(pc, out.data, out.len, n, p, state, back + y * row);
                t_dec += now() - t0;
                if (ret || memcmp(back + y * row, img + y * row, n * row)) {
                    fprintf(stderr, "pixel_size: %s: band at row %u does not decode\n", path, y);
                    return 1;
                }
            }
        }
        printf("%s\t%zu\t%zu\t%.3f\t%.3f\n", path, size, coded, t_enc, t_dec);
        raw_total += size;
        coded_total += coded;
        enc_total += t_enc;
        dec_total += t_dec;
        blm_pixel_coder_free(pc);
        free(img);
        free(back);
    }
    printf("total\t%zu\t%zu\t%.3f\t%.3f\n", raw_total, coded_total, enc_total, dec_total);
    blm_buf_free(&out);
    fclose(list);
    return 0;
}
