/*
 * bytelm command-line tool: what its parts share. The options as parsed
 * (bytelm.c), messages (messages.c), names (names.c), the library settings the
 * options make (settings.c), and the three commands: compress.c, decompress.c
 * (also -t) and info.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_CLI_CLI_H
#define BYTELM_CLI_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bytelm/bytelm.h>

#include "input_file.h"
#include "progress.h"

/* Input is fed to the library, and output taken from it, in pieces of this
 * size, so memory stays bounded whatever the file size. */
#define CHUNK ((size_t)1 << 20)

#define EXIT_ERROR 1
#define EXIT_USAGE 2

typedef enum Mode { MODE_ENCODE, MODE_DECODE, MODE_TEST, MODE_INFO } Mode;
typedef enum RawKind { RAW_NONE, RAW_PCM, RAW_IMAGE, RAW_BYTES } RawKind;

typedef struct Options {
    Mode mode;
    int to_stdout, force, rm_input, verify, recover, verbose, quiet, progress;
    const char *output;
    int threads;
    int preset;                 /* -1 = library default */
    const char *model_path, *model_dir;
    uint32_t frame_units;
    RawKind raw;
    BytelmKind raw_image;       /* the kind of --raw=KIND pixels */
    uint32_t rate, channels, width, height;
    size_t max_memory;          /* for what an input file claims (PNG) */
    char **tags;                /* -T KEY=VALUE, in the order given */
    size_t n_tags;
    const char *skip, *until;   /* --skip, --until: positions, resolved per stream */
} Options;

/* ---- messages.c: all go to stderr, "bytelm: NAME: ..." */

/* The progress line on screen, if any: cleared before a message is printed. */
extern Progress *active_progress;

void error_msg(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints the message and the --help hint, and exits with EXIT_USAGE. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Library errors, with a hint where the user can do something about them. */
void lib_error(const char *name, const char *what, int rc);
/* BytelmSettings.log_callback; opaque is the file's name. */
void log_callback(void *opaque, int level, const char *msg);

/* ---- names.c */

int has_suffix_ci(const char *s, const char *suffix);
/* "song.wav" -> "song.blm" when the name's extension matches what the content
 * is; any other name gets ".blm" appended, so that decoding restores it. */
char *encode_output_name(const char *in, InputFormat fmt, int raw);
/* The file the stream came from, as far as the header tells. A source hint
 * that does not fit the kind is treated as raw. */
BytelmSource effective_source(const BytelmStreamInfo *info);
/* "x.blm" -> "x.wav"/"x.png"/...; "notes.txt.blm" -> "notes.txt" (raw bytes);
 * "x.pcm.blm" -> "x.pcm" and "x.blm" -> "x.raw" (other raw kinds). NULL when
 * the name does not end in .blm (like xz: "unknown suffix"). */
char *decode_output_name(const char *in, const BytelmStreamInfo *info);
const char *kind_name(BytelmKind k);   /* "gray8", "rgba64le", ... */
/* Gray or RGB pixels, with or without alpha (bytelm_kind_planes() > 0). */
int kind_is_image(BytelmKind k);
/* The kind of 1 to 4 channels (gray, gray+alpha, RGB, RGBA) of 8 or 16 bits. */
BytelmKind image_kind(uint32_t channels, int bits16);
/* An image kind from kind_name()'s name (or "gray", "rgb"); -1 if none. */
int image_kind_by_name(const char *name, BytelmKind *k);
/* ".pgm", ".ppm", or ".pam" for an image with alpha. */
const char *pnm_extension(BytelmKind k);
const char *source_name(BytelmSource s);
const char *preset_name(int p);
const char *unit_name(BytelmKind k);
/* "0x3f (FL FR FC LFE BL BR)" */
void format_mask(uint32_t mask, char *buf, size_t len);
/* 64 hex digits and a NUL. */
void format_hash(const uint8_t *h, char *buf);

/* ---- settings.c */

/* The library settings the options make, messages tagged with name. */
void base_settings(const Options *o, BytelmSettings *s, const char *name);
/* The mode of a new file that has no input file to copy it from (0666 less umask). */
mode_t default_mode(void);

/* ---- decompress.c, for info.c too */

struct Sink;
/* Reads the stream header from the front of the input without consuming it. */
int probe_input(InFile *in, BytelmStreamInfo *info, size_t *header_len, const char *name);
/* Runs the decoder over the whole input into the sink. With --recover, *losses
 * counts what was lost (each is reported). 0, or -1 with the error reported. */
int run_decoder(const Options *o, const char *name, InFile *in, struct Sink *k, Progress *prog,
                uint64_t *in_bytes, int *losses);

/* ---- the commands: 0 or EXIT_ERROR, with the error reported */

int compress_file(const Options *o, const char *path);
int decompress_file(const Options *o, const char *path);   /* -d and -t */
int info_file(const Options *o, const char *path);

#endif
