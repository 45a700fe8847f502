/*
 * bytelm command-line tool: reading an input file or stdin, with look-ahead
 * for content sniffing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_INPUT_FILE_H
#define BYTELM_CLI_INPUT_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What an input file holds, judged from its first bytes. */
typedef enum InputFormat {
    INPUT_BYTES = 0,
    INPUT_WAV,      /* RIFF/RF64/BW64 ... WAVE */
    INPUT_PNG,      /* \x89PNG\r\n\x1a\n */
    INPUT_PNM,      /* P5 or P6 followed by white space, or P7 (PAM) */
} InputFormat;

/* An open input. Bytes read ahead for sniffing are kept in pre[] and served
 * before the descriptor, so that pipes work without seeking. */
typedef struct InFile {
    const char *name;      /* for messages: the path, or "(stdin)" */
    int fd;
    int is_stdin;
    int own_fd;            /* fd is ours to close */
    int seekable;          /* a regular file read from its start */
    uint64_t size;         /* file size when seekable, else UINT64_MAX */
    struct stat st;
    unsigned char *pre;    /* look-ahead buffer */
    size_t pre_len, pre_pos, pre_cap;
    uint64_t consumed;     /* bytes handed to the caller so far */
    int eof;
} InFile;

/* path "-" is stdin. 0 or -1 with err filled. */
int infile_open(InFile *f, const char *path, char *err, size_t errlen);
/* Makes at least want bytes (fewer at end of file) available for peeking;
 * returns the number available at f->pre + f->pre_pos, or -1 on a read error. */
long infile_peek(InFile *f, size_t want);
/* Reads up to len bytes; fewer only at end of file. Returns the count or -1. */
long infile_read(InFile *f, void *buf, size_t len);
/* A seekable descriptor positioned at the start of the input, for libraries
 * that seek (libsndfile). A pipe is first copied into an unlinked temporary
 * file, so memory stays bounded. Only valid before any infile_read(). */
int infile_seekable_fd(InFile *f, char *err, size_t errlen);
void infile_close(InFile *f);

InputFormat detect_format(const unsigned char *buf, size_t len);

#endif
