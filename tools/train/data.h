/*
 * bytelm-train: data lists, mixture sampling and the training RNG.
 *
 * A list file has one line per file: `<path> <period> <group> [<frame_bytes>]`; '#' starts a
 * comment and relative paths are relative to the list file. The optional frame_bytes is the
 * codec's frame size for that file (dev-eval; 0 or absent: the --frame option). The file holds token bytes (already
 * pre-transformed by the codec's transform tool), period (1..16) sets the phase, group names a
 * modality for the mixture weights.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TRAIN_DATA_H
#define BYTELM_TRAIN_DATA_H

#include <stddef.h>
#include <stdint.h>

#define DATA_MAX_GROUPS 32

typedef struct DataFile {
    char *path;
    const uint8_t *bytes;  /* mmap()ed */
    size_t len;
    int period;
    int group;
    size_t frame;          /* dev-eval frame bytes, 0 = the default */
} DataFile;

typedef struct DataGroup {
    char name[64];
    double weight;         /* normalised mixture weight (0 = not sampled) */
    uint64_t bytes;
    int *files;            /* indices of its files */
    uint64_t *cum;         /* cumulative lengths, for sampling a file by its size */
    int n_files;
} DataGroup;

typedef struct DataSet {
    DataFile *files;
    int n_files;
    DataGroup groups[DATA_MAX_GROUPS];
    int n_groups;
    uint64_t total_bytes;
} DataSet;

/* Reads the list and maps its files; 0, or -1 with a message on stderr. */
int data_open(DataSet *ds, const char *list_path);
void data_close(DataSet *ds);
/* Sets the mixture weights from "g1=w1,g2=w2" (NULL or "": each group by its size).
 * Groups not named get weight 0. 0, or -1 with a message. */
int data_set_mix(DataSet *ds, const char *mix);
/* Bytes of the groups that are sampled. */
uint64_t data_sampled_bytes(const DataSet *ds);

/* The training RNG (xoshiro256**); its state goes into checkpoints. */
typedef struct TrainRng {
    uint64_t s[4];
} TrainRng;
void rng_seed(TrainRng *r, uint64_t seed);
uint64_t rng_u64(TrainRng *r);
uint64_t rng_below(TrainRng *r, uint64_t n);   /* uniform in 0..n-1 (n >= 1) */
double rng_double(TrainRng *r);                /* [0, 1) */

/* Fills B sequences of length T: tokens (BOS first), phases (t mod period), targets
 * (-1 past the end of a file shorter than T). */
void data_sample_batch(const DataSet *ds, TrainRng *r, int B, int T, int32_t *tokens,
                       int32_t *phases, int32_t *targets);

#endif
