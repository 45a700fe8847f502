/*
 * bytelm command-line tool: reading an input file or stdin, with look-ahead
 * for content sniffing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "input_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int infile_open(InFile *f, const char *path, char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->size = UINT64_MAX;
    if (!strcmp(path, "-")) {
        f->name = "(stdin)";
        f->fd = 0;
        f->is_stdin = 1;
    } else {
        f->name = path;
        f->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (f->fd < 0) {
            snprintf(err, errlen, "%s", strerror(errno));
            return -1;
        }
        f->own_fd = 1;
    }
    if (fstat(f->fd, &f->st) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        infile_close(f);
        return -1;
    }
    if (S_ISDIR(f->st.st_mode)) {
        snprintf(err, errlen, "is a directory");
        infile_close(f);
        return -1;
    }
    /* stdin redirected from a file may start past offset 0; treat that like a
     * pipe rather than hand libsndfile a descriptor it would rewind. */
    if (S_ISREG(f->st.st_mode) && lseek(f->fd, 0, SEEK_CUR) == 0) {
        f->seekable = 1;
        f->size = (uint64_t)f->st.st_size;
    }
    return 0;
}

/* read(2) until len bytes or end of file, retrying on EINTR. */
static long read_full(int fd, void *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (long)got;
}

long infile_peek(InFile *f, size_t want)
{
    size_t avail = f->pre_len - f->pre_pos;
    if (avail >= want || f->eof)
        return (long)avail;
    if (f->pre_pos) {
        memmove(f->pre, f->pre + f->pre_pos, avail);
        f->pre_len = avail;
        f->pre_pos = 0;
    }
    if (want > f->pre_cap) {
        unsigned char *p = realloc(f->pre, want);
        if (!p) {
            errno = ENOMEM;
            return -1;
        }
        f->pre = p;
        f->pre_cap = want;
    }
    long n = read_full(f->fd, f->pre + f->pre_len, want - f->pre_len);
    if (n < 0)
        return -1;
    if ((size_t)n < want - f->pre_len)
        f->eof = 1;
    f->pre_len += (size_t)n;
    return (long)f->pre_len;
}

long infile_read(InFile *f, void *buf, size_t len)
{
    size_t got = 0;
    size_t avail = f->pre_len - f->pre_pos;
    if (avail) {
        got = avail < len ? avail : len;
        memcpy(buf, f->pre + f->pre_pos, got);
        f->pre_pos += got;
    }
    if (got < len && !f->eof) {
        long n = read_full(f->fd, (char *)buf + got, len - got);
        if (n < 0)
            return -1;
        if ((size_t)n < len - got)
            f->eof = 1;
        got += (size_t)n;
    }
    f->consumed += got;
    return (long)got;
}

int infile_seekable_fd(InFile *f, char *err, size_t errlen)
{
    if (f->seekable) {
        if (lseek(f->fd, 0, SEEK_SET) < 0) {
            snprintf(err, errlen, "cannot seek: %s", strerror(errno));
            return -1;
        }
        f->pre_len = f->pre_pos = 0;
        f->eof = 0;
        return f->fd;
    }
    /* A pipe: spool everything (look-ahead first) into an unlinked file. */
    FILE *tmp = tmpfile();
    if (!tmp) {
        snprintf(err, errlen, "cannot create a temporary file for piped input: %s",
                 strerror(errno));
        return -1;
    }
    unsigned char buf[1 << 16];
    long n;
    while ((n = infile_read(f, buf, sizeof buf)) > 0) {
        if (fwrite(buf, 1, (size_t)n, tmp) != (size_t)n) {
            snprintf(err, errlen, "cannot spool piped input: %s", strerror(errno));
            fclose(tmp);
            return -1;
        }
    }
    if (n < 0 || fflush(tmp) != 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        fclose(tmp);
        return -1;
    }
    /* Keep our own descriptor and let the FILE go. */
    int fd = dup(fileno(tmp));
    fclose(tmp);
    if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0) {
        snprintf(err, errlen, "%s", strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    if (f->own_fd)
        close(f->fd);
    f->fd = fd;
    f->own_fd = 1;
    f->seekable = 1;
    f->pre_len = f->pre_pos = 0;
    f->eof = 0;
    return fd;
}

void infile_close(InFile *f)
{
    if (f->own_fd && f->fd >= 0)
        close(f->fd);
    f->own_fd = 0;
    f->fd = -1;
    free(f->pre);
    f->pre = NULL;
    f->pre_len = f->pre_pos = f->pre_cap = 0;
}

InputFormat detect_format(const unsigned char *b, size_t len)
{
    if (len >= 12 && (!memcmp(b, "RIFF", 4) || !memcmp(b, "RF64", 4) || !memcmp(b, "BW64", 4)) &&
        !memcmp(b + 8, "WAVE", 4))
        return INPUT_WAV;
    if (len >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
        return INPUT_PNG;
    /* "P5"/"P6" alone is common at the start of text; require the white space
     * the format puts after the magic number (PAM's "P7" a newline). */
    if (len >= 3 && b[0] == 'P' && (b[1] == '5' || b[1] == '6') &&
        (b[2] == ' ' || b[2] == '\t' || b[2] == '\n' || b[2] == '\r' || b[2] == '#'))
        return INPUT_PNM;
    if (len >= 3 && !memcmp(b, "P7\n", 3))
        return INPUT_PNM;
    return INPUT_BYTES;
}
