/*
 * bytelm: command-line front end of libbytelm.
 *
 *   bytelm [OPTIONS] [FILE...]        compress (WAV, PNG, PGM/PPM/PAM, any bytes)
 *   bytelm -d [OPTIONS] [FILE...]     decompress
 *   bytelm -t [OPTIONS] [FILE...]     test integrity
 *   bytelm info FILE.blm...           describe a stream
 *
 * Conventions follow xz/zstd/flac: the input is kept, outputs appear only when
 * complete, existing files are never overwritten without -f. See docs/CLI.md.
 *
 * This file parses the options; the commands are compress.c, decompress.c and
 * info.c, and cli.h says what else is where.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "image_io.h"
#include "output_file.h"

#ifndef BYTELM_CLI_VERSION
#define BYTELM_CLI_VERSION "unknown"
#endif

static const char usage_text[] =
"Usage: bytelm [OPTION]... [FILE]...\n"
"       bytelm info FILE.blm...\n"
"Compress or decompress FILEs with bytelm (lossless; 16-bit PCM WAV; gray,\n"
"RGB, with or without alpha, 8 or 16 bits: PNG, PGM/PPM, PAM; or any bytes).\n"
"With no FILE, or when FILE is -, read standard input and write standard\n"
"output.\n"
"\n"
"Operation:\n"
"  -z, --compress        compress (the default)\n"
"  -d, --decompress      decompress FILE.blm to the format it came from\n"
"  -t, --test            decompress and check integrity, write nothing\n"
"      info              print what a stream holds (first argument)\n"
"\n"
"Files:\n"
"  -o, --output=FILE     write to FILE (one input only; - is stdout)\n"
"  -c, --stdout          write to standard output\n"
"  -f, --force           overwrite existing output files; compress .blm files\n"
"  -k, --keep            keep input files (the default)\n"
"      --rm              delete each input file after it was coded successfully\n"
"\n"
"Coding:\n"
"      --preset=NAME     fast, default or max\n"
"      --model=FILE      use the model in FILE (.blmm)\n"
"      --model-dir=DIR   also look for models in DIR\n"
"      --frame=N         samples per channel, rows or bytes per frame\n"
"  -j, --threads=N       worker threads (default 0: one per CPU)\n"
"      --max-memory=SIZE the most memory reading one PNG may take: libpng's\n"
"                        buffers, and the whole image of an interlaced PNG\n"
"                        (default 256M; K, M, G suffixes)\n"
"  -T, --tag=KEY=VALUE   add a tag (Vorbis comment field, as flac -T: TITLE,\n"
"                        ARTIST, ALBUM, TRACKNUMBER, DATE, GENRE, COMMENT,\n"
"                        REPLAYGAIN_TRACK_GAIN, ...); may be repeated. A WAV's\n"
"                        LIST/INFO tags are kept without it\n"
"      --verify          decode the new stream and compare it with the input\n"
"                        before keeping it\n"
"  -F, --recover         decompress a damaged stream as far as possible: keep\n"
"                        every intact frame, zeros in place of lost ones, list\n"
"                        the lost spans; exit status 1 if anything was lost\n"
"      --skip=POS        decompress from POS on: a count of samples (per\n"
"                        channel), rows or bytes, or for audio a time\n"
"                        [[h:]m:]s[.frac]; only the frames that hold the range\n"
"                        are decoded (the stream's MD5 is then not checked)\n"
"      --until=POS       decompress up to POS (not included)\n"
"\n"
"Raw input (instead of detecting WAV/PNG/PNM/bytes from the content):\n"
"      --raw=pcm --rate=R --channels=C     signed 16-bit little-endian PCM\n"
"      --raw=KIND --width=W --height=H     pixels, row-major, channels\n"
"                        interleaved; KIND gray8 (or gray), rgb24 (or rgb),\n"
"                        graya8, rgba32, or 16-bit little-endian gray16le,\n"
"                        graya16le, rgb48le, rgba64le\n"
"      --raw=bytes                         any bytes\n"
"\n"
"Other:\n"
"  -v, --verbose         print model, sizes, ratio and speed\n"
"  -q, --quiet           print errors only, no progress\n"
"  -h, --help            print this help and exit\n"
"  -V, --version         print the version and exit\n"
"\n"
"Exit status: 0 success, 1 an error with some FILE, 2 usage error.\n";

static uint32_t parse_u32(const char *opt, const char *arg, uint32_t min, uint32_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
        usage_error("invalid value for %s: '%s' (expected %u to %u)", opt, arg, min, max);
    return (uint32_t)v;
}

/* "256M", "1G", "1048576", "64MiB": binary multiples. */
static size_t parse_size(const char *opt, const char *arg, size_t min)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    int shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; break;
    case 'm': case 'M': shift = 20; break;
    case 'g': case 'G': shift = 30; break;
    case 't': case 'T': shift = 40; break;
    default: break;
    }
    if (shift) {
        end++;
        if (!strcmp(end, "iB") || !strcmp(end, "B"))
            end += strlen(end);
    }
    if (errno || end == arg || *end || arg[0] == '-' || v > (SIZE_MAX >> shift) ||
        (v << shift) < min) {
        char m[32];
        image_format_size(min, m, sizeof m);
        usage_error("invalid value for %s: '%s' (expected a size of at least %s, "
                    "such as 64M or 1G)", opt, arg, m);
    }
    return (size_t)(v << shift);
}

/* -T KEY=VALUE: the key is checked here, so that a typo is a usage error before
 * any file is touched. */
static void add_tag_option(Options *o, char *arg)
{
    char *eq = strchr(arg, '=');
    int key_ok = eq && eq > arg;
    for (const char *k = arg; key_ok && k < eq; k++)
        key_ok = *k >= 0x20 && *k <= 0x7D;
    if (!key_ok)
        usage_error("invalid tag '%s' (expected KEY=VALUE, KEY in ASCII without '=')", arg);
    char **t = realloc(o->tags, (o->n_tags + 1) * sizeof *t);
    if (!t) {
        fputs("bytelm: out of memory\n", stderr);
        exit(EXIT_ERROR);
    }
    o->tags = t;
    o->tags[o->n_tags++] = arg;
}

enum {
    OPT_RM = 256, OPT_PRESET, OPT_MODEL, OPT_MODEL_DIR, OPT_FRAME, OPT_VERIFY,
    OPT_RAW, OPT_RATE, OPT_CHANNELS, OPT_WIDTH, OPT_HEIGHT, OPT_MAX_MEMORY, OPT_SKIP, OPT_UNTIL,
};

static const struct option long_options[] = {
    {"compress", no_argument, NULL, 'z'},
    {"decompress", no_argument, NULL, 'd'},
    {"uncompress", no_argument, NULL, 'd'},
    {"test", no_argument, NULL, 't'},
    {"output", required_argument, NULL, 'o'},
    {"stdout", no_argument, NULL, 'c'},
    {"to-stdout", no_argument, NULL, 'c'},
    {"force", no_argument, NULL, 'f'},
    {"keep", no_argument, NULL, 'k'},
    {"rm", no_argument, NULL, OPT_RM},
    {"threads", required_argument, NULL, 'j'},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"model", required_argument, NULL, OPT_MODEL},
    {"model-dir", required_argument, NULL, OPT_MODEL_DIR},
    {"frame", required_argument, NULL, OPT_FRAME},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"tag", required_argument, NULL, 'T'},
    {"recover", no_argument, NULL, 'F'},
    {"skip", required_argument, NULL, OPT_SKIP},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"raw", required_argument, NULL, OPT_RAW},
    {"rate", required_argument, NULL, OPT_RATE},
    {"channels", required_argument, NULL, OPT_CHANNELS},
    {"width", required_argument, NULL, OPT_WIDTH},
    {"height", required_argument, NULL, OPT_HEIGHT},
    {"max-memory", required_argument, NULL, OPT_MAX_MEMORY},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

int main(int argc, char **argv)
{
    Options o;
    memset(&o, 0, sizeof o);
    o.preset = -1;
    o.max_memory = IMAGE_DEFAULT_MAX_MEMORY;
    int explicit_mode = 0, max_memory_given = 0;

    /* "bytelm info FILE..." is a subcommand, like "git log". */
    if (argc > 1 && !strcmp(argv[1], "info")) {
        o.mode = MODE_INFO;
        argv[1] = argv[0];
        argv++;
        argc--;
    }

    int c;
    while ((c = getopt_long(argc, argv, "zdto:cfkj:vqhVFT:", long_options, NULL)) != -1) {
        switch (c) {
        case 'z':
        case 'd':
        case 't': {
            Mode m = c == 'z' ? MODE_ENCODE : c == 'd' ? MODE_DECODE : MODE_TEST;
            if (o.mode == MODE_INFO || (explicit_mode && o.mode != m))
                usage_error("only one of -z, -d, -t and info may be given");
            o.mode = m;
            explicit_mode = 1;
            break;
        }
        case 'o': o.output = optarg; break;
        case 'c': o.to_stdout = 1; break;
        case 'f': o.force = 1; break;
        case 'k': o.rm_input = 0; break;
        case OPT_RM: o.rm_input = 1; break;
        case 'j': o.threads = (int)parse_u32("--threads", optarg, 0, 1024); break;
        case OPT_PRESET:
            if (!strcmp(optarg, "fast"))
                o.preset = BYTELM_PRESET_FAST;
            else if (!strcmp(optarg, "default"))
                o.preset = BYTELM_PRESET_DEFAULT;
            else if (!strcmp(optarg, "max"))
                o.preset = BYTELM_PRESET_MAX;
            else
                usage_error("invalid preset '%s' (expected fast, default or max)", optarg);
            break;
        case OPT_MODEL: o.model_path = optarg; break;
        case OPT_MODEL_DIR: o.model_dir = optarg; break;
        case OPT_FRAME: o.frame_units = parse_u32("--frame", optarg, 1, BYTELM_MAX_FRAME_BYTES); break;
        case OPT_VERIFY: o.verify = 1; break;
        case 'T': add_tag_option(&o, optarg); break;
        case 'F': o.recover = 1; break;
        case OPT_SKIP: o.skip = optarg; break;
        case OPT_UNTIL: o.until = optarg; break;
        case OPT_RAW:
            if (!strcmp(optarg, "pcm"))
                o.raw = RAW_PCM;
            else if (!strcmp(optarg, "bytes"))
                o.raw = RAW_BYTES;
            else if (image_kind_by_name(optarg, &o.raw_image) == 0)
                o.raw = RAW_IMAGE;
            else
                usage_error("invalid --raw '%s' (expected pcm, bytes or an image kind: gray8, "
                            "rgb24, graya8, rgba32, gray16le, graya16le, rgb48le, rgba64le)",
                            optarg);
            break;
        case OPT_RATE: o.rate = parse_u32("--rate", optarg, 1, BYTELM_MAX_SAMPLE_RATE); break;
        case OPT_CHANNELS: o.channels = parse_u32("--channels", optarg, 1, BYTELM_MAX_CHANNELS); break;
        case OPT_WIDTH: o.width = parse_u32("--width", optarg, 1, BYTELM_MAX_IMAGE_SIDE); break;
        case OPT_HEIGHT: o.height = parse_u32("--height", optarg, 1, BYTELM_MAX_IMAGE_SIDE); break;
        case OPT_MAX_MEMORY:
            o.max_memory = parse_size("--max-memory", optarg, IMAGE_MIN_MEMORY);
            max_memory_given = 1;
            break;
        case 'v': o.verbose = 1; o.quiet = 0; break;
        case 'q': o.quiet = 1; o.verbose = 0; break;
        case 'h': fputs(usage_text, stdout); return 0;
        case 'V':
            printf("bytelm %s (libbytelm %s)\n", BYTELM_CLI_VERSION, bytelm_version());
            return 0;
        default:
            fputs("Try 'bytelm --help' for more information.\n", stderr);
            return EXIT_USAGE;
        }
    }

    /* Combinations that cannot mean anything are usage errors, not guesses. */
    int nfiles = argc - optind;
    if (o.output && o.to_stdout)
        usage_error("-o and -c cannot be used together");
    if (o.output && nfiles > 1)
        usage_error("-o FILE takes one input file, %d given", nfiles);
    /* Streams do not concatenate (each ends with its own trailer and MD5). */
    if (o.to_stdout && nfiles > 1 && o.mode == MODE_ENCODE)
        usage_error("-c takes one input file when compressing, %d given", nfiles);
    if (o.mode != MODE_ENCODE) {
        if (o.raw || o.rate || o.channels || o.width || o.height)
            usage_error("--raw, --rate, --channels, --width and --height apply to compression");
        if (o.verify)
            usage_error("--verify applies to compression (decoding always checks the MD5)");
        if (o.n_tags)
            usage_error("-T applies to compression (decoding keeps the stream's tags)");
        if (o.preset >= 0 || o.frame_units)
            usage_error("--preset and --frame apply to compression");
        /* Silently ignoring a limit would be worse than refusing it. */
        if (max_memory_given)
            usage_error("--max-memory applies to compression (reading PNG files)");
    }
    if (o.recover && o.mode != MODE_DECODE && o.mode != MODE_TEST)
        usage_error("--recover applies to decompression (-d) and testing (-t)");
    if (o.recover && o.rm_input)
        usage_error("--recover keeps the damaged input; --rm does not apply");
    if ((o.skip || o.until) && o.mode != MODE_DECODE)
        usage_error("--skip and --until apply to decompression (-d)");
    if ((o.skip || o.until) && (o.recover || o.rm_input))
        usage_error("--skip and --until decode part of a stream; --recover and --rm do not apply");
    if ((o.mode == MODE_TEST || o.mode == MODE_INFO) && (o.output || o.to_stdout))
        usage_error("-t and info write nothing; -o and -c do not apply");
    if (o.mode == MODE_INFO && nfiles == 0)
        usage_error("info needs at least one FILE.blm");
    if (o.raw == RAW_PCM && (!o.rate || !o.channels))
        usage_error("--raw=pcm needs --rate and --channels");
    if (o.raw == RAW_IMAGE && (!o.width || !o.height))
        usage_error("--raw=%s needs --width and --height", kind_name(o.raw_image));
    if ((o.rate || o.channels) && o.raw != RAW_PCM)
        usage_error("--rate and --channels need --raw=pcm");
    if ((o.width || o.height) && o.raw != RAW_IMAGE)
        usage_error("--width and --height need --raw with an image kind (gray8, rgb24, ...)");

    o.progress = !o.quiet && isatty(2);
    outfile_install_signal_handlers();

    static char *const stdin_only[] = {"-", NULL};
    char *const *files = nfiles ? argv + optind : stdin_only;
    if (!nfiles)
        nfiles = 1;
    int status = 0;
    for (int i = 0; i < nfiles; i++) {
        int rc;
        switch (o.mode) {
        case MODE_ENCODE: rc = compress_file(&o, files[i]); break;
        case MODE_INFO: rc = info_file(&o, files[i]); break;
        default: rc = decompress_file(&o, files[i]); break;
        }
        if (rc)
            status = EXIT_ERROR;
    }
    free(o.tags);
    return status;
}
