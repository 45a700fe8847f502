/*
 * bytelm command-line tool: names of output files, and names of kinds, sources and presets for
 * messages.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* ---- output file names (docs/CLI.md, OUTPUT FILE NAMES) */

int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcasecmp(s + n - m, suffix);
}

static char *concat(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    char *s = malloc(alen + blen + 1);
    if (s) {
        memcpy(s, a, alen);
        memcpy(s + alen, b, blen + 1);
    }
    return s;
}

char *encode_output_name(const char *in, InputFormat fmt, int raw)
{
    static const char *const ext[] = {
        [INPUT_WAV] = ".wav", [INPUT_PNG] = ".png", [INPUT_PNM] = NULL,
    };
    size_t n = strlen(in);
    const char *strip = NULL;
    if (!raw) {
        if (fmt == INPUT_WAV || fmt == INPUT_PNG)
            strip = has_suffix_ci(in, ext[fmt]) ? ext[fmt] : NULL;
        else if (fmt == INPUT_PNM)
            strip = has_suffix_ci(in, ".pgm") || has_suffix_ci(in, ".ppm") ||
                    has_suffix_ci(in, ".pnm") || has_suffix_ci(in, ".pam") ? ".pnm" : NULL;
    }
    if (strip)
        n -= strlen(strip);
    return concat(in, n, ".blm");
}

BytelmSource effective_source(const BytelmStreamInfo *info)
{
    switch (info->source) {
    case BYTELM_SOURCE_WAV:
        return info->kind == BYTELM_KIND_PCM_S16LE ? BYTELM_SOURCE_WAV : BYTELM_SOURCE_RAW;
    case BYTELM_SOURCE_PNG:
    case BYTELM_SOURCE_PNM:
        return kind_is_image(info->kind) ? info->source : BYTELM_SOURCE_RAW;
    default:
        return BYTELM_SOURCE_RAW;
    }
}

const char *pnm_extension(BytelmKind k)
{
    switch (bytelm_kind_planes(k)) {
    case 1: return ".pgm";
    case 3: return ".ppm";
    default: return ".pam";     /* alpha: PGM and PPM have no place for it */
    }
}

static const char *decoded_extension(const BytelmStreamInfo *info)
{
    switch (effective_source(info)) {
    case BYTELM_SOURCE_WAV: return ".wav";
    case BYTELM_SOURCE_PNG: return ".png";
    case BYTELM_SOURCE_PNM: return pnm_extension(info->kind);
    default: return info->kind == BYTELM_KIND_BYTES ? "" : ".raw";
    }
}

char *decode_output_name(const char *in, const BytelmStreamInfo *info)
{
    if (!has_suffix_ci(in, ".blm"))
        return NULL;
    size_t n = strlen(in) - 4;
    char *stem = concat(in, n, "");
    if (!stem)
        return NULL;
    const char *ext = decoded_extension(info);
    const char *base = strrchr(stem, '/') ? strrchr(stem, '/') + 1 : stem;
    if (effective_source(info) == BYTELM_SOURCE_RAW) {
        /* Raw PCM or pixels: keep an extension the user had ("x.pcm.blm"). */
        if (strchr(base + (*base == '.'), '.'))
            ext = "";
    } else if (has_suffix_ci(stem, ext) ||
               (effective_source(info) == BYTELM_SOURCE_PNM && has_suffix_ci(stem, ".pnm"))) {
        /* "song.wav.blm" came from a WAV named song.wav: no second ".wav". */
        ext = "";
    }
    char *out = concat(stem, n, ext);
    free(stem);
    return out;
}

/* ---- names for humans */

const char *kind_name(BytelmKind k)
{
    switch (k) {
    case BYTELM_KIND_BYTES: return "bytes";
    case BYTELM_KIND_PCM_S16LE: return "PCM s16le";
    case BYTELM_KIND_GRAY8: return "gray8";
    case BYTELM_KIND_RGB24: return "rgb24";
    case BYTELM_KIND_GRAYA8: return "graya8";
    case BYTELM_KIND_RGBA32: return "rgba32";
    case BYTELM_KIND_GRAY16LE: return "gray16le";
    case BYTELM_KIND_GRAYA16LE: return "graya16le";
    case BYTELM_KIND_RGB48LE: return "rgb48le";
    case BYTELM_KIND_RGBA64LE: return "rgba64le";
    default: return "unknown";
    }
}

int kind_is_image(BytelmKind k)
{
    return bytelm_kind_planes(k) > 0;
}

BytelmKind image_kind(uint32_t channels, int bits16)
{
    static const BytelmKind kinds[2][4] = {
        {BYTELM_KIND_GRAY8, BYTELM_KIND_GRAYA8, BYTELM_KIND_RGB24, BYTELM_KIND_RGBA32},
        {BYTELM_KIND_GRAY16LE, BYTELM_KIND_GRAYA16LE, BYTELM_KIND_RGB48LE, BYTELM_KIND_RGBA64LE},
    };
    return kinds[!!bits16][channels - 1];
}

int image_kind_by_name(const char *name, BytelmKind *k)
{
    /* "gray" and "rgb" are the names --raw had before 16-bit and alpha. */
    if (!strcmp(name, "gray") || !strcmp(name, "rgb")) {
        *k = name[0] == 'g' ? BYTELM_KIND_GRAY8 : BYTELM_KIND_RGB24;
        return 0;
    }
    for (int i = 0; i <= BYTELM_KIND_LAST; i++) {
        if (kind_is_image((BytelmKind)i) && !strcmp(name, kind_name((BytelmKind)i))) {
            *k = (BytelmKind)i;
            return 0;
        }
    }
    return -1;
}

const char *source_name(BytelmSource s)
{
    switch (s) {
    case BYTELM_SOURCE_RAW: return "raw";
    case BYTELM_SOURCE_WAV: return "WAV";
    case BYTELM_SOURCE_PNG: return "PNG";
    case BYTELM_SOURCE_PNM: return "PGM/PPM";
    default: return "unknown";
    }
}

const char *preset_name(int p)
{
    switch (p) {
    case BYTELM_PRESET_FAST: return "fast";
    case BYTELM_PRESET_DEFAULT: return "default";
    case BYTELM_PRESET_MAX: return "max";
    default: return "unknown";
    }
}

const char *unit_name(BytelmKind k)
{
    switch (k) {
    case BYTELM_KIND_PCM_S16LE: return "samples per channel";
    case BYTELM_KIND_BYTES: return "bytes";
    default: return kind_is_image(k) ? "rows" : "bytes";
    }
}

void format_mask(uint32_t mask, char *buf, size_t len)
{
    static const char *const names[18] = {"FL", "FR", "FC", "LFE", "BL", "BR", "FLC", "FRC", "BC",
                                           "SL", "SR", "TC", "TFL", "TFC", "TFR", "TBL", "TBC", "TBR"};
    size_t pos = (size_t)snprintf(buf, len, "0x%x (", (unsigned)mask);
    for (int b = 0; b < 32 && pos < len; b++)
        if (mask & (1u << b))
            pos += (size_t)snprintf(buf + pos, len - pos, "%s%s", buf[pos - 1] == '(' ? "" : " ",
                                    b < 18 ? names[b] : "?");
    if (pos < len)
        snprintf(buf + pos, len - pos, ")");
}

void format_hash(const uint8_t *h, char *buf)
{
    for (int i = 0; i < 32; i++)
        sprintf(buf + 2 * i, "%02x", h[i]);
}
