/*
 * bytelm command-line tool: output files written to a temporary name in the
 * target directory and renamed into place only when the job succeeded.
 *
 * Writing beside the target keeps the final rename(2) atomic (same file
 * system), so a reader never sees half a file and an interrupted job never
 * leaves one behind under the real name.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The temporary file of the job in progress, for the signal handler. */
static char *volatile current_tmp;

static void on_fatal_signal(int sig)
{
    char *t = current_tmp;
    if (t)
        unlink(t);  /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

void outfile_install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

int outfile_check(const char *path, int force, const struct stat *in_st, char *err, size_t errlen)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return 0;   /* does not exist: fine */
    if (in_st && S_ISREG(in_st->st_mode) && stat(path, &st) == 0 &&
        st.st_dev == in_st->st_dev && st.st_ino == in_st->st_ino) {
        snprintf(err, errlen, "output file is the input file");
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "output %s is a directory", path);
        return -1;
    }
    /* The output is written beside the target and renamed over it: over a device or a
     * FIFO (say -o /dev/null as root) that would replace it with a plain file. */
    if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode)) {
        snprintf(err, errlen, "output %s is not a regular file (write to stdout with -c instead)", path);
        return -1;
    }
    if (!force) {
        snprintf(err, errlen, "output file %s already exists (use -f to overwrite)", path);
        return -1;
    }
    return 0;
}

int outfile_open(OutFile *o, const char *path, int force, int need_seek, mode_t mode,
                 char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->force = force;
    o->mode = mode;
    if (!path) {
        struct stat st;
        int seekable = fstat(1, &st) == 0 && S_ISREG(st.st_mode) && lseek(1, 0, SEEK_CUR) >= 0;
        if (need_seek && !seekable) {
            FILE *t = tmpfile();
            if (!t) {
                snprintf(err, errlen, "cannot create a temporary file: %s", strerror(errno));
                return -1;
            }
            o->fp = t;
            o->fd = fileno(t);
            o->spool = 1;
        } else {
            o->fd = 1;
            o->fp = stdout;
        }
        return 0;
    }
    o->path = strdup(path);
    size_t n = strlen(path);
    o->tmp = malloc(n + 16);
    if (!o->path || !o->tmp) {
        snprintf(err, errlen, "out of memory");
        outfile_abort(o);
        return -1;
    }
    /* "dir/name" -> "dir/.name.XXXXXX": hidden, same directory. */
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    snprintf(o->tmp, n + 16, "%.*s.%s.XXXXXX", (int)dirlen, path, path + dirlen);
    o->fd = mkostemp(o->tmp, O_CLOEXEC);
    if (o->fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file for %s: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        outfile_abort(o);
        return -1;
    }
    current_tmp = o->tmp;
    o->fp = fdopen(o->fd, "wb");
    if (!o->fp) {
        snprintf(err, errlen, "%s", strerror(errno));
        outfile_abort(o);
        return -1;
    }
    return 0;
}

/* Copies the spooled output to stdout. */
static int copy_spool(OutFile *o, char *err, size_t errlen)
{
    if (fflush(o->fp) != 0 || fseeko(o->fp, 0, SEEK_SET) != 0)
        goto fail;
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, o->fp)) > 0)
        if (fwrite(buf, 1, n, stdout) != n)
            goto fail;
    if (ferror(o->fp))
        goto fail;
    return 0;
fail:
    snprintf(err, errlen, "writing to stdout: %s", strerror(errno));
    return -1;
}

int outfile_commit(OutFile *o, int sync, char *err, size_t errlen)
{
    if (!o->path) {
        int ret = 0;
        if (o->spool) {
            ret = copy_spool(o, err, errlen);
            fclose(o->fp);
        }
        if (!ret && fflush(stdout) != 0) {
            snprintf(err, errlen, "writing to stdout: %s", strerror(errno));
            ret = -1;
        }
        memset(o, 0, sizeof *o);
        o->fd = -1;
        return ret;
    }
    if (fflush(o->fp) != 0 || (sync && fsync(o->fd) != 0) || fchmod(o->fd, o->mode) != 0) {
        snprintf(err, errlen, "writing %s: %s", o->path, strerror(errno));
        outfile_abort(o);
        return -1;
    }
    int rc = fclose(o->fp);
    o->fp = NULL;
    o->fd = -1;
    if (rc != 0) {
        snprintf(err, errlen, "writing %s: %s", o->path, strerror(errno));
        outfile_abort(o);
        return -1;
    }
    if (o->force) {
        rc = rename(o->tmp, o->path);
    } else {
        /* The target may have appeared since outfile_check(): never replace it. */
        rc = renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->path, RENAME_NOREPLACE);
        if (rc < 0 && (errno == EINVAL || errno == ENOSYS)) {
            /* File system without RENAME_NOREPLACE: link() also refuses to replace. */
            rc = link(o->tmp, o->path);
            if (rc == 0)
                unlink(o->tmp);
        }
    }
    if (rc < 0) {
        if (errno == EEXIST)
            snprintf(err, errlen, "output file %s already exists (use -f to overwrite)", o->path);
        else
            snprintf(err, errlen, "cannot rename to %s: %s", o->path, strerror(errno));
        outfile_abort(o);
        return -1;
    }
    current_tmp = NULL;
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
    return 0;
}

void outfile_abort(OutFile *o)
{
    if (o->fp && o->fp != stdout)
        fclose(o->fp);
    else if (o->fd > 2)
        close(o->fd);
    if (o->tmp) {
        unlink(o->tmp);
        current_tmp = NULL;
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    o->fd = -1;
}
