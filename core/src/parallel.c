/*
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct Pool {
    atomic_int next;
    int n_jobs;
    void (*fn)(void *ctx, int job, int worker);
    void *ctx;
} Pool;

typedef struct Worker {
    Pool *pool;
    int id;
} Worker;

static void *worker_main(void *arg)
{
    Worker *w = arg;
    for (int job; (job = atomic_fetch_add(&w->pool->next, 1)) < w->pool->n_jobs;)
        w->pool->fn(w->pool->ctx, job, w->id);
    return NULL;
}

void blm_parallel_for(int n_jobs, int threads, void (*fn)(void *ctx, int job, int worker),
                      void *ctx)
{
    Pool pool = {.n_jobs = n_jobs, .fn = fn, .ctx = ctx};
    atomic_init(&pool.next, 0);
    if (threads > n_jobs)
        threads = n_jobs;
    pthread_t tid[64];
    Worker workers[64];
    int started = 0;
    if (threads > 64)
        threads = 64;
    /* Worker 0 is the calling thread; if a thread cannot start, the others take its jobs. */
    for (int i = 1; i < threads; i++) {
        workers[started + 1] = (Worker){&pool, started + 1};
        if (pthread_create(&tid[started], NULL, worker_main, &workers[started + 1]) == 0)
            started++;
    }
    workers[0] = (Worker){&pool, 0};
    worker_main(&workers[0]);
    for (int i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
}

int blm_cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
