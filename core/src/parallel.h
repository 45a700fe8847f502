/*
 * A parallel for-loop over frames. Each job writes only its own output, and the
 * caller consumes the outputs in job order, so results never depend on the
 * number of threads or on scheduling.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_PARALLEL_H
#define BYTELM_PARALLEL_H

/* Calls fn(ctx, job, worker) for job = 0..n_jobs-1 on up to `threads` workers
 * (worker in 0..threads-1 names the scratch a call may use). Returns when all ran. */
void blm_parallel_for(int n_jobs, int threads, void (*fn)(void *ctx, int job, int worker),
                      void *ctx);
int blm_cpu_count(void);

#endif
