/*
 * bytelm-tokenize: writes the token bytes the model sees for a raw file, frame by
 * frame exactly as the encoder's pre-transform makes them (docs/FORMAT.md §4), so
 * that training and dev-eval measure what the codec codes.
 *
 * usage: bytelm-tokenize --kind pcm|gray|rgb|bytes [--channels C] [--width W]
 *                        [--frame-units N] [--transform 0|1|2] IN OUT
 * Prints the phase period on stdout.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "transform.h"

static int usage(void)
{
    fprintf(stderr, "usage: bytelm-tokenize --kind pcm|gray|rgb|bytes [--channels C] [--width W] "
                    "[--frame-units N] [--transform 0|1|2] IN OUT\n");
    return 2;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"kind", required_argument, 0, 'k'},
                                         {"channels", required_argument, 0, 'c'},
                                         {"width", required_argument, 0, 'w'},
                                         {"frame-units", required_argument, 0, 'f'},
                                         {"transform", required_argument, 0, 't'},
                                         {0, 0, 0, 0}};
    BlmHeader h = {.kind = BYTELM_KIND_BYTES, .total_units = BYTELM_UNKNOWN_LENGTH};
    uint32_t frame_units = 0;
    int transform = -1; /* the encoder's choice for the kind */
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        switch (c) {
        case 'k':
            h.kind = !strcmp(optarg, "pcm")    ? BYTELM_KIND_PCM_S16LE
                     : !strcmp(optarg, "gray") ? BYTELM_KIND_GRAY8
                     : !strcmp(optarg, "rgb")  ? BYTELM_KIND_RGB24
                                               : BYTELM_KIND_BYTES;
            break;
        case 'c': h.channels = (uint32_t)atoi(optarg); break;
        case 'w': h.width = (uint32_t)atoi(optarg); break;
        case 'f': frame_units = (uint32_t)atoi(optarg); break;
        case 't': transform = atoi(optarg); break;
        default: return usage();
        }
    }
    if (argc - optind != 2)
        return usage();
    FILE *in = fopen(argv[optind], "rb");
    if (!in) {
        perror(argv[optind]);
        return 1;
    }
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    uint8_t *raw = malloc((size_t)size + 1), *tok = malloc((size_t)size + 1);
    if (!raw || !tok || fread(raw, 1, (size_t)size, in) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", argv[optind]);
        return 1;
    }
    fclose(in);

    if (transform < 0)
        transform = h.kind == BYTELM_KIND_PCM_S16LE ? BLM_TRANSFORM_LPC
                    : h.kind == BYTELM_KIND_BYTES   ? BLM_TRANSFORM_IDENTITY
                                                    : BLM_TRANSFORM_PREDICT;
    h.transform = (uint8_t)transform;
    if (h.kind == BYTELM_KIND_PCM_S16LE)
        h.sample_rate = 8000;
    uint64_t unit = blm_header_unit_bytes(&h);
    if (h.kind == BYTELM_KIND_GRAY8 || h.kind == BYTELM_KIND_RGB24) {
        h.height = h.width ? (uint32_t)((uint64_t)size / unit) : 0;
        h.total_units = h.height;
    }
    h.frame_units = 1;
    if (!unit || size % (long)unit || blm_header_validate(&h) < 0) {
        fprintf(stderr, "%s: %ld bytes do not fit these parameters\n", argv[optind], size);
        return 1;
    }
    h.frame_units = frame_units ? frame_units : blm_default_frame_units(&h);
    BlmLayout lay = blm_header_layout(&h);
    uint64_t units = (uint64_t)size / unit;
    for (uint64_t u = 0; u < units; u += h.frame_units) {
        uint32_t n = units - u < h.frame_units ? (uint32_t)(units - u) : h.frame_units;
        uint8_t params[BLM_MAX_FRAME_PARAMS];
        uint32_t n_params;
        size_t off = (size_t)(u * unit);
        if (blm_transform_forward(&lay, raw + off, n, params, &n_params, tok + off) < 0) {
            fprintf(stderr, "out of memory\n");
            return 1;
        }
    }
    FILE *out = fopen(argv[optind + 1], "wb");
    if (!out || fwrite(tok, 1, (size_t)size, out) != (size_t)size || fclose(out)) {
        perror(argv[optind + 1]);
        return 1;
    }
    printf("%u\n", blm_transform_period(&lay));
    free(raw);
    free(tok);
    return 0;
}
