/*
 * bytelm command-line tool: output files written to a temporary name in the
 * target directory and renamed into place only when the job succeeded.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_OUTPUT_FILE_H
#define BYTELM_CLI_OUTPUT_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

typedef struct OutFile {
    char *path;     /* final name; NULL for stdout */
    char *tmp;      /* temporary name beside it, while open */
    int fd;         /* what the writers write to */
    FILE *fp;       /* stdio on fd */
    int spool;      /* stdout needs seeking but is a pipe: fd is an unlinked temp file */
    int force;
    mode_t mode;
} OutFile;

/* Before any work: refuses an existing path unless force, and a path that is
 * the input file itself (in_st may be NULL). */
int outfile_check(const char *path, int force, const struct stat *in_st, char *err, size_t errlen);

/* path NULL = stdout. need_seek: the writer seeks (libsndfile), so a piped
 * stdout is spooled through a temporary file. mode: permissions of the result. */
int outfile_open(OutFile *o, const char *path, int force, int need_seek, mode_t mode,
                 char *err, size_t errlen);
/* Flushes, syncs if asked, and renames into place (never replacing an existing
 * file unless force). On failure the temporary file is removed. */
int outfile_commit(OutFile *o, int sync, char *err, size_t errlen);
/* Removes the temporary file; the final path is never touched. */
void outfile_abort(OutFile *o);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that remove the current temporary
 * file before the process dies. */
void outfile_install_signal_handlers(void);

#endif
