/*
 * Trains the residual coder's starting states (docs/MODEL.md §13): for each set, one
 * coder codes the set's training files one after the other, as the encoder would
 * (mode 6 at profile 0 in frames of 131072 samples, mode 7 in bands of 1 MiB), each
 * frame starting where the last one left off; its state at the end, settled
 * (blm_residual_channel_settle: counts capped at --cap), is the set's starting
 * state, and for images mode 7's bias tables at the end, as they are, the set's
 * starting tables. A set without a list keeps the cold state of
 * blm_residual_coder_init (and zero tables).
 * tools/cascade/coder_states.py picks the files and runs this.
 *
 *   coder_states [--cap 16] [--mono LIST] [--stereo LIST] [--gray LIST] [--rgb LIST] OUT.bin
 *
 * PCM lists: one raw s16le file a line, of the set's channel count. Image lists: path,
 * gray or rgb, width, height.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coderstates.h"
#include "pcmcascade.h"
#include "pixelcascade.h"

#define FRAME 131072
#define BAND (1u << 20)

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = size >= 0 ? malloc((size_t)size + 1) : NULL;
    if (b && fread(b, 1, (size_t)size, f) != (size_t)size) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return b;
}

/* The states after the coder has coded every file of list; state[c] is channel c's. */
static int train_pcm(const char *list, int channels, BlmResChannel *state)
{
    FILE *lf = fopen(list, "r");
    BlmCascadeCoder *cc = blm_cascade_new(channels);
    const BlmResChannel *start[BLM_PP_MAX_CHANNELS] = {&state[0], &state[channels - 1]};
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    char path[4096];
    size_t files = 0, samples = 0;
    if (!lf || !cc)
        return -1;
    cc->start_states = start;
    while (fscanf(lf, "%4095s%*[^\n]", path) == 1) {
        size_t len;
        uint8_t *b = read_all(path, &len);
        if (!b) {
            fprintf(stderr, "coder_states: cannot read %s\n", path);
            return -1;
        }
        const size_t units = len / 2 / (size_t)channels;
        int16_t *pcm = malloc(units * (size_t)channels * sizeof(int16_t) + 1);
        for (size_t i = 0; pcm && i < units * (size_t)channels; i++)
            pcm[i] = (int16_t)(uint16_t)(b[2 * i] | b[2 * i + 1] << 8);
        for (size_t i = 0; pcm && i < units; i += FRAME) {
            const uint32_t n = (uint32_t)(units - i < FRAME ? units - i : FRAME);
            uint32_t final_state;
            blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
            if (blm_cascade_encode(cc, pcm + i * (size_t)channels, n, BLM_PP_WARM, &out, &final_state) != 0)
                return -1;
            for (int c = 0; c < channels; c++)
                state[c] = cc->res.ch[c];
        }
        samples += units;
        files++;
        free(pcm);
        free(b);
    }
    fprintf(stderr, "coder_states: %s: %zu files, %zu samples a channel\n", list, files, samples);
    fclose(lf);
    blm_buf_free(&out);
    blm_cascade_free(cc);
    return 0;
}

static int train_pixels(const char *list, int planes, BlmResChannel *state, BlmPixelBias *bias)
{
    FILE *lf = fopen(list, "r");
    const BlmResChannel *start[BLM_PX_MAX_PLANES] = {&state[0], &state[planes > 1], &state[2 * (planes > 1)]};
    const BlmPixelBias *start_bias[BLM_PX_MAX_PLANES] = {&bias[0], &bias[planes > 1], &bias[2 * (planes > 1)]};
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    char path[4096], kind[16];
    unsigned w, h;
    size_t files = 0, pixels = 0;
    if (!lf)
        return -1;
    while (fscanf(lf, "%4095s %15s %u %u%*[^\n]", path, kind, &w, &h) == 4) {
        size_t len;
        uint8_t *img = read_all(path, &len);
        const size_t row = (size_t)w * (size_t)planes;
        BlmPixelCoder *pc = blm_pixel_coder_new(planes, 1, w);
        if (!img || !pc || len < row * h || (planes == 3) != !strcmp(kind, "rgb")) {
            fprintf(stderr, "coder_states: cannot read %s as %ux%u %s\n", path, w, h, kind);
            return -1;
        }
        pc->start_states = start;
        pc->start_bias = start_bias;
        const uint32_t rows = (uint32_t)(BAND / row ? BAND / row : 1);
        for (uint32_t y = 0; y < h; y += rows) {
            const uint32_t n = h - y < rows ? h - y : rows;
            uint32_t final_state;
            blm_buf_reset(&out, BLM_BUF_NO_LIMIT);
            if (blm_pixel_encode(pc, img + y * row, n, BLM_PX_WARM, &out, &final_state) != 0)
                return -1;
            for (int c = 0; c < planes; c++) {
                state[c] = pc->res.ch[c];
                memcpy(bias[c].sum, pc->bias_sum[c], sizeof bias[c].sum);
                memcpy(bias[c].count, pc->bias_count[c], sizeof bias[c].count);
            }
        }
        pixels += (size_t)w * h;
        files++;
        blm_pixel_coder_free(pc);
        free(img);
    }
    fprintf(stderr, "coder_states: %s: %zu images, %zu pixels\n", list, files, pixels);
    fclose(lf);
    blm_buf_free(&out);
    return 0;
}

int main(int argc, char **argv)
{
    const char *lists[BLM_STATES_SETS] = {NULL};
    static const char *const names[BLM_STATES_SETS] = {"--mono", "--stereo", "--gray", "--rgb"};
    static const int first[BLM_STATES_SETS] = {0, 1, 3, 4}, count[BLM_STATES_SETS] = {1, 2, 1, 3};
    uint32_t cap = 16;
    int a = 1;
    for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
        int known = !strcmp(argv[a], "--cap");
        if (known)
            cap = (uint32_t)strtoul(argv[a + 1], NULL, 10);
        for (int s = 0; s < BLM_STATES_SETS; s++)
            if (!strcmp(argv[a], names[s]))
                lists[s] = argv[a + 1], known = 1;
        if (!known)
            break;
    }
    if (a + 1 != argc || cap > 255) {
        fprintf(stderr, "usage: coder_states [--cap 16] [--mono LIST] [--stereo LIST] [--gray LIST] [--rgb LIST] OUT.bin\n");
        return 2;
    }
    static BlmResChannel states[BLM_STATES_COUNT];
    static BlmPixelBias bias[BLM_STATES_BIAS_PLANES]; /* zero, as a cold frame's */
    static BlmResidualCoder cold;
    blm_residual_coder_init(&cold, 1);
    for (int s = 0; s < BLM_STATES_COUNT; s++)
        states[s] = cold.ch[0];
    for (int s = 0; s < BLM_STATES_SETS; s++) {
        if (!lists[s])
            continue;
        BlmResChannel *st = &states[first[s]];
        const int ret = s < BLM_STATES_GRAY ? train_pcm(lists[s], count[s], st)
                                            : train_pixels(lists[s], count[s], st,
                                                           &bias[s == BLM_STATES_GRAY ? 0 : 1]);
        if (ret < 0) {
            fprintf(stderr, "coder_states: %s %s failed\n", names[s], lists[s]);
            return 1;
        }
        for (int c = 0; c < count[s]; c++)
            blm_residual_channel_settle(&st[c], cap);
    }
    const size_t size = blm_coder_states_file_size();
    uint8_t *file = malloc(size);
    FILE *f = fopen(argv[a], "wb");
    if (!file || !f)
        return 1;
    blm_coder_states_write(states, bias, file);
    const int ok = fwrite(file, 1, size, f) == size;
    if (fclose(f) != 0 || !ok) {
        fprintf(stderr, "coder_states: cannot write %s\n", argv[a]);
        return 1;
    }
    free(file);
    return 0;
}
