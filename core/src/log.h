/*
 * Messages to the application's log callback.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_LOG_H
#define BYTELM_LOG_H

#include "bytelm/bytelm.h"

typedef struct BlmLog {
    BytelmLogCallback cb;
    void *opaque;
    int level;
} BlmLog;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void blm_log(const BlmLog *log, int level, const char *fmt, ...);

#endif
