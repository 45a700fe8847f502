/*
 * Thread safety: many encoder and decoder contexts at once in one process (as in a
 * GStreamer pipeline with several streams) give the same bytes as one at a time.
 * The jobs differ in kind, model and thread count; every worker runs all of them,
 * each from a different one, after a barrier so that they overlap.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

#define N_JOBS 6
#define N_WORKERS 8

typedef struct Job {
    BytelmSettings s;
    uint8_t *data;
    size_t len;
    TestBuf ref;          /* the stream made alone */
} Job;

static Job jobs[N_JOBS];
static pthread_barrier_t start;

typedef struct Worker {
    int id, rounds;
    int mismatches, errors;
} Worker;

/* Encodes and decodes job j; 0 if both match the reference, 1 if not, -1 on error. */
static int run_job(const Job *j)
{
    TestBuf st = {0}, back = {0};
    int ret = test_encode(&j->s, j->data, j->len, 1000, &st);
    if (ret == 0)
        ret = test_decode(&j->s, st.data, st.len, 777, &back);
    int res = ret < 0 ? -1
              : st.len != j->ref.len || memcmp(st.data, j->ref.data, st.len) ||
                        back.len != j->len || memcmp(back.data, j->data, j->len)
                  ? 1
                  : 0;
    free(st.data);
    free(back.data);
    return res;
}

static void *worker(void *arg)
{
    Worker *w = arg;
    pthread_barrier_wait(&start);
    for (int r = 0; r < w->rounds; r++)
        for (int k = 0; k < N_JOBS; k++) {
            int res = run_job(&jobs[(w->id + k) % N_JOBS]);
            w->errors += res < 0;
            w->mismatches += res > 0;
        }
    return NULL;
}

int main(void)
{
    const char *scale = getenv("BYTELM_TEST_SCALE");
    const int rounds = scale && atoi(scale) > 0 ? atoi(scale) : 1;
    for (int i = 0; i < N_JOBS; i++) {
        Job *j = &jobs[i];
        BytelmSettings *s = &j->s;
        bytelm_default_settings(s);
        s->threads = 1 + i % 2;
        s->model_path = i % 3 == 0 ? NULL : i % 3 == 1 ? MODELS_DIR "/test-tiny.blmm"
                                                        : MODELS_DIR "/test-small.blmm";
        switch (i % 4) {
        case 0:
            s->kind = BYTELM_KIND_PCM_S16LE, s->sample_rate = 16000, s->channels = 2, s->frame_units = 700;
            j->len = 3000 * 4;
            j->data = test_pcm_signal(3000, 2, 16000, (unsigned)i);
            break;
        case 1:
            s->kind = BYTELM_KIND_GRAY8, s->width = 60, s->height = 40, s->frame_units = 9;
            j->len = 60 * 40;
            j->data = test_image(60, 40, 1, (unsigned)i);
            break;
        case 2:
            s->kind = BYTELM_KIND_RGB24, s->width = 30, s->height = 30, s->frame_units = 7;
            j->len = 30 * 30 * 3;
            j->data = test_image(30, 30, 3, (unsigned)i);
            break;
        default:
            s->kind = BYTELM_KIND_BYTES, s->frame_units = 500;
            j->len = 2500;
            j->data = malloc(j->len);
            for (size_t k = 0; k < j->len; k++)
                j->data[k] = (uint8_t)"many contexts, one process; "[k % 28];
        }
        if (test_encode(s, j->data, j->len, 0, &j->ref) < 0) {
            fprintf(stderr, "FAIL: job %d does not encode alone\n", i);
            return 1;
        }
    }

    /* BYTELM_TEST_QUICK=1 (the sanitizer build): half the workers. */
    const char *q = getenv("BYTELM_TEST_QUICK");
    const int n_workers = q && *q && strcmp(q, "0") ? N_WORKERS / 2 : N_WORKERS;
    pthread_t t[N_WORKERS];
    Worker w[N_WORKERS];
    pthread_barrier_init(&start, NULL, (unsigned)n_workers);
    for (int i = 0; i < n_workers; i++) {
        w[i] = (Worker){i, rounds, 0, 0};
        if (pthread_create(&t[i], NULL, worker, &w[i])) {
            fprintf(stderr, "FAIL: pthread_create\n");
            return 1;
        }
    }
    int mismatches = 0, errors = 0;
    for (int i = 0; i < n_workers; i++) {
        pthread_join(t[i], NULL);
        mismatches += w[i].mismatches;
        errors += w[i].errors;
    }
    pthread_barrier_destroy(&start);
    const int runs = n_workers * rounds * N_JOBS;
    printf("%d encode+decode runs on %d threads at once: %d differ from the run alone, %d errors\n",
           runs, n_workers, mismatches, errors);
    for (int i = 0; i < N_JOBS; i++) {
        free(jobs[i].data);
        free(jobs[i].ref.data);
    }
    printf("threads: %d passed, %d failed\n", runs - mismatches - errors, mismatches + errors);
    return mismatches || errors;
}
