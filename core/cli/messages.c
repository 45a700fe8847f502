/*
 * bytelm command-line tool: messages on stderr, and the library's log.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

Progress *active_progress;

static void vmessage(const char *name, const char *prefix, const char *fmt, va_list ap)
{
    if (active_progress)
        progress_end(active_progress);
    fputs("bytelm: ", stderr);
    if (name)
        fprintf(stderr, "%s: ", name);
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_msg(const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(name, "", fmt, ap);
    va_end(ap);
}

void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(NULL, "", fmt, ap);
    va_end(ap);
    fputs("Try 'bytelm --help' for more information.\n", stderr);
    exit(EXIT_USAGE);
}

void lib_error(const char *name, const char *what, int rc)
{
    const char *hint = "";
    if (rc == BYTELM_ENOMODEL)
        hint = " (use --model=FILE or --model-dir=DIR)";
    else if (rc == BYTELM_EFORMAT && !strcmp(what, "reading stream"))
        hint = " (not a bytelm stream?)";
    error_msg(name, "%s: %s%s", what, bytelm_strerror(rc), hint);
}

void log_callback(void *opaque, int level, const char *msg)
{
    const char *name = opaque;
    if (active_progress)
        progress_end(active_progress);
    fprintf(stderr, "bytelm: %s: %s%s\n", name, level == BYTELM_LOG_WARNING ? "warning: " : "", msg);
}
