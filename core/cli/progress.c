/*
 * bytelm command-line tool: one-line progress indicator on stderr.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(Progress *p, const char *name, uint64_t total, int enabled)
{
    memset(p, 0, sizeof *p);
    p->enabled = enabled;
    p->name = name;
    p->total = total == UINT64_MAX ? 0 : total;
    p->start = p->last = now_seconds();
}

void progress_update(Progress *p, uint64_t in, uint64_t out)
{
    if (!p->enabled)
        return;
    double t = now_seconds();
    /* Terminals are slow and the line is for humans: 4 Hz is plenty. */
    if (t - p->last < 0.25)
        return;
    p->last = t;
    double el = t - p->start;
    double mbps = el > 0 ? (double)in / el / 1e6 : 0;
    char pct[16] = "";
    if (p->total)
        snprintf(pct, sizeof pct, "%5.1f%% ", 100.0 * (double)in / (double)p->total);
    char ratio[32] = "";
    if (in)
        snprintf(ratio, sizeof ratio, ", ratio %.3f", (double)out / (double)in);
    /* \r and erase-to-end-of-line: redraw in place. */
    fprintf(stderr, "\r\033[K%s: %s%.1f MB, %.2f MB/s%s", p->name, pct, (double)in / 1e6, mbps, ratio);
    fflush(stderr);
    p->shown = 1;
}

void progress_end(Progress *p)
{
    if (p->enabled && p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->shown = 0;
}
