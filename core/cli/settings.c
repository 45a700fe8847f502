/*
 * bytelm command-line tool: what the options mean for the library, and for new
 * files.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <sys/stat.h>

#include "cli.h"

void base_settings(const Options *o, BytelmSettings *s, const char *name)
{
    bytelm_default_settings(s);
    if (o->preset >= 0)
        s->preset = (BytelmPreset)o->preset;
    s->frame_units = o->frame_units;
    s->threads = o->threads;
    s->model_path = o->model_path;
    s->model_dir = o->model_dir;
    /* The library's own error messages say more than its error codes, so
     * they are shown even with -q. */
    s->log_callback = log_callback;
    s->log_opaque = (void *)name;
    s->log_level = o->verbose ? BYTELM_LOG_INFO : o->quiet ? BYTELM_LOG_ERROR : BYTELM_LOG_WARNING;
}

mode_t default_mode(void)
{
    mode_t um = umask(0);
    umask(um);
    return 0666 & ~um;
}
