/*
 * bytelm-train: data lists, mixture sampling and the training RNG.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POSIX and GNU parts of libc (mmap, strdup, clock_gettime, M_PI) */
#endif
#include "data.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model.h"

static char *join_path(const char *list_path, const char *p)
{
    if (p[0] == '/') return strdup(p);
    const char *slash = strrchr(list_path, '/');
    size_t dl = slash ? (size_t)(slash - list_path + 1) : 0;
    char *out = malloc(dl + strlen(p) + 1);
    if (!out) return NULL;
    memcpy(out, list_path, dl);
    strcpy(out + dl, p);
    return out;
}

static int map_file(DataFile *f)
{
    int fd = open(f->path, O_RDONLY);
    if (fd < 0) return -1;
    struct stat st;
    if (fstat(fd, &st)) {
        close(fd);
        return -1;
    }
    f->len = (size_t)st.st_size;
    f->bytes = NULL;
    if (f->len) {
        void *p = mmap(NULL, f->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return -1;
        }
        madvise(p, f->len, MADV_RANDOM);
        f->bytes = p;
    }
    close(fd);
    return 0;
}

int data_open(DataSet *ds, const char *list_path)
{
    memset(ds, 0, sizeof(*ds));
    FILE *fp = fopen(list_path, "r");
    if (!fp) {
        fprintf(stderr, "bytelm-train: cannot open list %s: %s\n", list_path, strerror(errno));
        return -1;
    }
    char line[4096];
    int cap = 0, lineno = 0;
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char path[4096], group[64], extra[2];
        int period;
        long long frame = 0;
        int n = sscanf(line, "%4095s %d %63s %lld %1s", path, &period, group, &frame, extra);
        if (n <= 0) continue;
        if (n < 3 || n > 4 || period < 1 || period > TM_N_PHASE || frame < 0) {
            fprintf(stderr, "bytelm-train: %s:%d: expected '<path> <period 1..16> <group> "
                    "[<frame_bytes>]'\n", list_path, lineno);
            goto fail;
        }
        int g;
        for (g = 0; g < ds->n_groups; g++)
            if (!strcmp(ds->groups[g].name, group)) break;
        if (g == ds->n_groups) {
            if (g == DATA_MAX_GROUPS) {
                fprintf(stderr, "bytelm-train: %s: more than %d groups\n", list_path, g);
                goto fail;
            }
            snprintf(ds->groups[g].name, sizeof ds->groups[g].name, "%s", group);
            ds->n_groups++;
        }
        if (ds->n_files == cap) {
            cap = cap ? 2 * cap : 64;
            DataFile *nf = realloc(ds->files, (size_t)cap * sizeof(*nf));
            if (!nf) goto fail;
            ds->files = nf;
        }
        DataFile *f = &ds->files[ds->n_files];
        memset(f, 0, sizeof(*f));
        f->path = join_path(list_path, path);
        f->period = period;
        f->group = g;
        f->frame = (size_t)frame;
        if (!f->path || map_file(f)) {
            fprintf(stderr, "bytelm-train: cannot read %s: %s\n", f->path ? f->path : path,
                    strerror(errno));
            free(f->path);
            goto fail;
        }
        ds->n_files++;
        ds->groups[g].bytes += f->len;
        ds->total_bytes += f->len;
    }
    fclose(fp);
    fp = NULL;
    if (!ds->n_files) {
        fprintf(stderr, "bytelm-train: %s lists no files\n", list_path);
        goto fail;
    }
    for (int g = 0; g < ds->n_groups; g++) {
        DataGroup *gr = &ds->groups[g];
        for (int i = 0; i < ds->n_files; i++) gr->n_files += ds->files[i].group == g;
        gr->files = malloc((size_t)gr->n_files * sizeof(int));
        gr->cum = malloc((size_t)gr->n_files * sizeof(uint64_t));
        if (!gr->files || !gr->cum) goto fail;
        uint64_t c = 0;
        int k = 0;
        for (int i = 0; i < ds->n_files; i++) {
            if (ds->files[i].group != g) continue;
            c += ds->files[i].len;
            gr->files[k] = i;
            gr->cum[k++] = c;
        }
    }
    if (data_set_mix(ds, NULL)) goto fail;
    return 0;
fail:
    if (fp) fclose(fp);
    data_close(ds);
    return -1;
}

void data_close(DataSet *ds)
{
    for (int i = 0; i < ds->n_files; i++) {
        if (ds->files[i].bytes) munmap((void *)ds->files[i].bytes, ds->files[i].len);
        free(ds->files[i].path);
    }
    free(ds->files);
    for (int g = 0; g < ds->n_groups; g++) {
        free(ds->groups[g].files);
        free(ds->groups[g].cum);
    }
    memset(ds, 0, sizeof(*ds));
}

int data_set_mix(DataSet *ds, const char *mix)
{
    double w[DATA_MAX_GROUPS] = { 0 };
    if (!mix || !*mix) {
        for (int g = 0; g < ds->n_groups; g++) w[g] = (double)ds->groups[g].bytes;
    } else {
        char *copy = strdup(mix), *save = NULL;
        if (!copy) return -1;
        for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            char *eq = strchr(tok, '=');
            char *end = NULL;
            double v = eq ? strtod(eq + 1, &end) : -1;
            if (!eq || end == eq + 1 || *end || !(v >= 0)) {
                fprintf(stderr, "bytelm-train: --mix: expected group=weight, got '%s'\n", tok);
                free(copy);
                return -1;
            }
            *eq = 0;
            int g;
            for (g = 0; g < ds->n_groups; g++)
                if (!strcmp(ds->groups[g].name, tok)) break;
            if (g == ds->n_groups) {
                fprintf(stderr, "bytelm-train: --mix: no group '%s' in the training list\n", tok);
                free(copy);
                return -1;
            }
            w[g] = v;
        }
        free(copy);
    }
    double sum = 0;
    for (int g = 0; g < ds->n_groups; g++) {
        if (ds->groups[g].bytes == 0) w[g] = 0;
        sum += w[g];
    }
    if (!(sum > 0)) {
        fprintf(stderr, "bytelm-train: the mixture weights select no data\n");
        return -1;
    }
    for (int g = 0; g < ds->n_groups; g++) ds->groups[g].weight = w[g] / sum;
    return 0;
}

uint64_t data_sampled_bytes(const DataSet *ds)
{
    uint64_t n = 0;
    for (int g = 0; g < ds->n_groups; g++)
        if (ds->groups[g].weight > 0) n += ds->groups[g].bytes;
    return n;
}

/* ---- xoshiro256** (Blackman, Vigna), seeded through splitmix64 ---- */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void rng_seed(TrainRng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        r->s[i] = z ^ (z >> 31);
    }
}

uint64_t rng_u64(TrainRng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint64_t rng_below(TrainRng *r, uint64_t n)
{
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x; /* rejection: no modulo bias */
    do x = rng_u64(r);
    while (x >= lim);
    return x % n;
}

double rng_double(TrainRng *r)
{
    return (double)(rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- sampling ---- */

static const DataFile *pick_file(const DataSet *ds, TrainRng *r)
{
    double u = rng_double(r), c = 0;
    int g, last = -1;
    for (g = 0; g < ds->n_groups; g++) {
        if (ds->groups[g].weight <= 0) continue;
        last = g;
        c += ds->groups[g].weight;
        if (u < c) break;
    }
    if (g == ds->n_groups) g = last; /* rounding */
    const DataGroup *gr = &ds->groups[g];
    uint64_t x = rng_below(r, gr->bytes); /* a byte of the group, uniformly */
    int lo = 0, hi = gr->n_files - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x < gr->cum[mid]) hi = mid;
        else lo = mid + 1;
    }
    return &ds->files[gr->files[lo]];
}

void data_sample_batch(const DataSet *ds, TrainRng *r, int B, int T, int32_t *tokens,
                       int32_t *phases, int32_t *targets)
{
    for (int b = 0; b < B; b++) {
        const DataFile *f = pick_file(ds, r);
        size_t p = (size_t)f->period, off = 0, n = f->len;
        if (n >= (size_t)T) {
            off = p * (size_t)rng_below(r, (n - (size_t)T) / p + 1);
            n = (size_t)T;
        }
        int32_t *tk = tokens + (size_t)b * T, *ph = phases + (size_t)b * T;
        int32_t *tg = targets + (size_t)b * T;
        for (int t = 0; t < T; t++) {
            ph[t] = (int32_t)(t % f->period);
            tg[t] = (size_t)t < n ? f->bytes[off + t] : -1;
            tk[t] = t == 0 ? TM_BOS : (size_t)t <= n ? f->bytes[off + t - 1] : 0;
        }
    }
}
