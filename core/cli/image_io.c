/*
 * bytelm command-line tool: 8-bit gray and RGB images, PNG (libpng) and
 * binary PGM/PPM (our own reader and writer).
 *
 * bytelm keeps pixels, not files: a decoded image is written back as a plain
 * PNG or PNM with the same pixels. Inputs whose pixels we could not give back
 * exactly (alpha, transparency, other depths) are refused; a palette PNG is
 * coded as the RGB pixels it shows.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "image_io.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

#define MAX_SIDE 65535u
#define MAX_PIXELS (1u << 28)

int image_check_size(const ImageInfo *info, const char *what, char *err, size_t errlen)
{
    if (!info->width || !info->height) {
        snprintf(err, errlen, "%s has no pixels (%ux%u)", what, info->width, info->height);
        return -1;
    }
    if (info->width > MAX_SIDE || info->height > MAX_SIDE ||
        (uint64_t)info->width * info->height > MAX_PIXELS) {
        snprintf(err, errlen, "%s is %ux%u; bytelm codes images up to %ux%u and %u pixels",
                 what, info->width, info->height, MAX_SIDE, MAX_SIDE, MAX_PIXELS);
        return -1;
    }
    return 0;
}

/* Rounded up, so that a size just over a round limit does not print as it. */
void image_format_size(uint64_t n, char *buf, size_t len)
{
    int shift = n >= (uint64_t)1 << 30 ? 30 : n >= (uint64_t)1 << 20 ? 20 : 10;
    uint64_t unit = (uint64_t)1 << shift;
    uint64_t tenths = (n * 10 + unit - 1) >> shift;
    snprintf(buf, len, "%" PRIu64 ".%u %ciB", tenths / 10, (unsigned)(tenths % 10),
             shift == 30 ? 'G' : shift == 20 ? 'M' : 'K');
}

/* ---- PNG ---------------------------------------------------------------- */

/* Everything the PNG reader holds for one file, libpng's own allocations
 * included, comes from this budget: no chunk length or image size read from
 * the file can make it take more than the limit. */
typedef struct Budget {
    size_t limit, used;
    size_t refused;         /* the size of an allocation refused, or 0 */
} Budget;

/* Each block starts with its size, padded to keep the payload aligned. */
typedef union BlockHead {
    size_t size;
    max_align_t align;
} BlockHead;

static void *budget_alloc(Budget *b, size_t n)
{
    if (n > b->limit - b->used || n > SIZE_MAX - sizeof(BlockHead)) {
        b->refused = n;
        return NULL;
    }
    BlockHead *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    b->used += n;
    return h + 1;
}

static void budget_free(Budget *b, void *p)
{
    if (!p)
        return;
    BlockHead *h = (BlockHead *)p - 1;
    b->used -= h->size;
    free(h);
}

static png_voidp png_malloc_cb(png_structp png, png_alloc_size_t n)
{
    return budget_alloc(png_get_mem_ptr(png), n);
}

static void png_free_cb(png_structp png, png_voidp p)
{
    budget_free(png_get_mem_ptr(png), p);
}

/* libpng's last error and warning, for our own error line. */
typedef struct PngMsg {
    char error[160], warning[160];
} PngMsg;

struct PngReader {
    png_structp png;
    png_infop info;
    InFile *in;
    Budget budget;
    PngMsg msg;
    ImageInfo ihdr;         /* the size the IHDR claims, for messages */
    size_t rowbytes;
    uint32_t height, next_row;
    uint8_t *image;         /* whole image, only for interlaced files */
    png_bytep *rows;        /* row pointers into image */
};

struct PngWriter {
    png_structp png;
    png_infop info;
    PngMsg msg;
    size_t rowbytes;
};

/* libpng reports errors by calling this and expecting it not to return. The
 * message is kept for our own error line; the error pointer is a PngMsg. */
static void png_error_cb(png_structp png, png_const_charp msg)
{
    PngMsg *m = png_get_error_ptr(png);
    if (m)
        snprintf(m->error, sizeof m->error, "%s", msg);
    png_longjmp(png, 1);
}

/* Benign oddities must not fail a job; the last one is kept because libpng
 * gives the reason for some errors only as a warning before them. */
static void png_warning_cb(png_structp png, png_const_charp msg)
{
    PngMsg *m = png_get_error_ptr(png);
    if (m)
        snprintf(m->warning, sizeof m->warning, "%s", msg);
}

static void png_read_cb(png_structp png, png_bytep data, size_t len)
{
    InFile *in = png_get_io_ptr(png);
    long n = infile_read(in, data, len);
    if (n < 0)
        png_error(png, "read error");
    if ((size_t)n != len) {
        /* Name the chunk: a length that claims more than the file holds is
         * the usual way to get here. */
        uint32_t t = png_get_io_chunk_type(png);
        char msg[64];
        if ((png_get_io_state(png) & PNG_IO_MASK_LOC) == PNG_IO_CHUNK_DATA)
            snprintf(msg, sizeof msg, "the file ends inside its %c%c%c%c chunk",
                     (int)(t >> 24 & 0x7f), (int)(t >> 16 & 0x7f), (int)(t >> 8 & 0x7f),
                     (int)(t & 0x7f));
        else
            snprintf(msg, sizeof msg, "unexpected end of file");
        png_error(png, msg);
    }
}

/* The message for a libpng error: libpng says "out of memory" where our
 * budget said no, which is the limit, not the machine. */
static void png_reader_error(const PngReader *r, char *err, size_t errlen)
{
    if (r->budget.refused) {
        char want[32], limit[32];
        image_format_size(r->budget.refused, want, sizeof want);
        image_format_size(r->budget.limit, limit, sizeof limit);
        snprintf(err, errlen, "PNG needs a buffer of %s, more than the memory limit of %s "
                 "(--max-memory)", want, limit);
    } else if (strstr(r->msg.warning, "exceeds user limit") &&
               image_check_size(&r->ihdr, "PNG", err, errlen) < 0) {
        /* png_set_user_limits() refused the IHDR: the message is ours. */
    } else {
        snprintf(err, errlen, "invalid PNG: %s", r->msg.error);
    }
}

static const char *png_color_name(int ctype)
{
    switch (ctype) {
    case PNG_COLOR_TYPE_GRAY: return "gray";
    case PNG_COLOR_TYPE_RGB: return "RGB";
    case PNG_COLOR_TYPE_GRAY_ALPHA: return "gray+alpha";
    case PNG_COLOR_TYPE_RGBA: return "RGBA";
    case PNG_COLOR_TYPE_PALETTE: return "palette";
    default: return "unknown color type";
    }
}

void png_reader_close(PngReader **rp)
{
    PngReader *r = *rp;
    if (!r)
        return;
    png_destroy_read_struct(&r->png, &r->info, NULL);
    budget_free(&r->budget, r->image);
    budget_free(&r->budget, r->rows);
    free(r);
    *rp = NULL;
}

int png_reader_open(PngReader **rp, InFile *in, ImageInfo *out, size_t max_memory,
                    char *err, size_t errlen)
{
    *rp = NULL;
    PngReader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r->in = in;
    r->budget.limit = max_memory;
    r->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, &r->msg, png_error_cb, png_warning_cb,
                                      &r->budget, png_malloc_cb, png_free_cb);
    if (!r->png || !(r->info = png_create_info_struct(r->png))) {
        if (r->budget.refused)
            png_reader_error(r, err, errlen);
        else
            snprintf(err, errlen, "out of memory");
        png_reader_close(&r);
        return -1;
    }
    if (setjmp(png_jmpbuf(r->png))) {
        png_reader_error(r, err, errlen);
        png_reader_close(&r);
        return -1;
    }
    png_set_read_fn(r->png, in, png_read_cb);
    long ahead = infile_peek(in, 24);
    const unsigned char *p = in->pre + in->pre_pos;
    if (ahead >= 24 && !memcmp(p + 12, "IHDR", 4)) {
        r->ihdr.width = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
        r->ihdr.height = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
    }
    /* Pixels are all we keep: skip every ancillary chunk but tRNS (which we
     * refuse) unread, in small pieces, so that a chunk's length never sizes
     * a buffer; store no text or unknown chunk; sides as the codec's. */
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_chunk_cache_max(r->png, 1);
    png_set_chunk_malloc_max(r->png, 1u << 20);
    png_set_user_limits(r->png, MAX_SIDE, MAX_SIDE);
    png_read_info(r->png, r->info);

    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(r->png, r->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    const char *cname = png_color_name(ctype);
    if (ctype == PNG_COLOR_TYPE_PALETTE && !png_get_valid(r->png, r->info, PNG_INFO_tRNS)) {
        /* coded as the 8-bit RGB pixels it shows; the palette itself is not kept */
        png_set_palette_to_rgb(r->png);
        ctype = PNG_COLOR_TYPE_RGB;
        depth = 8;
    }
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        snprintf(err, errlen, "palette PNG with transparency (tRNS chunk) is not supported; "
                 "flatten it first");
    } else if (ctype & PNG_COLOR_MASK_ALPHA) {
        snprintf(err, errlen, "PNG with alpha channel (%d-bit %s) is not supported; flatten it first",
                 depth, cname);
    } else if (depth != 8) {
        snprintf(err, errlen, "%d-bit %s PNG is not supported; bytelm codes 8-bit gray and RGB only",
                 depth, cname);
    } else if (png_get_valid(r->png, r->info, PNG_INFO_tRNS)) {
        snprintf(err, errlen, "PNG with transparency (tRNS chunk) is not supported; flatten it first");
    } else {
        ImageInfo info = {w, h, ctype == PNG_COLOR_TYPE_GRAY ? 1u : 3u};
        if (image_check_size(&info, "PNG", err, errlen) < 0) {
            png_reader_close(&r);
            return -1;
        }
        r->rowbytes = (size_t)w * info.channels;
        r->height = h;
        if (interlace != PNG_INTERLACE_NONE) {
            /* Adam7 rows arrive in passes: decode the whole image up front,
             * if the limit allows (it is checked before any pixel is read). */
            png_set_interlace_handling(r->png);
            png_read_update_info(r->png, r->info);
            uint64_t need = ((uint64_t)r->rowbytes + sizeof *r->rows) * h;
            if (need > r->budget.limit - r->budget.used) {
                char want[32], limit[32];
                image_format_size(need, want, sizeof want);
                image_format_size(r->budget.limit, limit, sizeof limit);
                snprintf(err, errlen, "interlaced PNG (%ux%u %s) must be decoded whole, in %s, "
                         "more than the memory limit of %s; raise it with --max-memory or "
                         "save the image without interlacing", w, h, cname, want, limit);
                png_reader_close(&r);
                return -1;
            }
            r->image = budget_alloc(&r->budget, r->rowbytes * h);
            r->rows = budget_alloc(&r->budget, sizeof *r->rows * h);
            if (!r->image || !r->rows) {
                snprintf(err, errlen, "out of memory for a %ux%u interlaced PNG", w, h);
                png_reader_close(&r);
                return -1;
            }
            for (uint32_t y = 0; y < h; y++)
                r->rows[y] = r->image + r->rowbytes * y;
            png_read_image(r->png, r->rows);
        } else {
            png_read_update_info(r->png, r->info);
        }
        *out = info;
        *rp = r;
        return 0;
    }
    png_reader_close(&r);
    return -1;
}

int png_reader_read_rows(PngReader *r, uint8_t *buf, uint32_t n, char *err, size_t errlen)
{
    if (n > r->height - r->next_row) {
        snprintf(err, errlen, "internal error: reading past the last PNG row");
        return -1;
    }
    if (setjmp(png_jmpbuf(r->png))) {
        png_reader_error(r, err, errlen);
        return -1;
    }
    if (r->image) {
        memcpy(buf, r->image + r->rowbytes * r->next_row, r->rowbytes * n);
    } else {
        for (uint32_t i = 0; i < n; i++)
            png_read_row(r->png, buf + r->rowbytes * i, NULL);
    }
    r->next_row += n;
    /* Read to IEND so that a file damaged after the pixel data still fails. */
    if (r->next_row == r->height)
        png_read_end(r->png, NULL);
    return 0;
}

int png_writer_open(PngWriter **wp, FILE *fp, const ImageInfo *info, char *err, size_t errlen)
{
    *wp = NULL;
    PngWriter *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w->msg, png_error_cb, png_warning_cb);
    if (!w->png || !(w->info = png_create_info_struct(w->png))) {
        png_destroy_write_struct(&w->png, NULL);
        free(w);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(w->png))) {
        snprintf(err, errlen, "cannot write PNG: %s", w->msg.error);
        png_destroy_write_struct(&w->png, &w->info);
        free(w);
        return -1;
    }
    png_init_io(w->png, fp);
    png_set_IHDR(w->png, w->info, info->width, info->height, 8,
                 info->channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(w->png, w->info);
    w->rowbytes = (size_t)info->width * info->channels;
    *wp = w;
    return 0;
}

int png_writer_write_rows(PngWriter *w, const uint8_t *rows, uint32_t n, char *err, size_t errlen)
{
    if (setjmp(png_jmpbuf(w->png))) {
        snprintf(err, errlen, "cannot write PNG: %s", w->msg.error);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++)
        png_write_row(w->png, rows + w->rowbytes * i);
    return 0;
}

int png_writer_close(PngWriter **wp, char *err, size_t errlen)
{
    PngWriter *w = *wp;
    if (!w)
        return 0;
    *wp = NULL;
    if (setjmp(png_jmpbuf(w->png))) {
        snprintf(err, errlen, "cannot write PNG: %s", w->msg.error);
        png_destroy_write_struct(&w->png, &w->info);
        free(w);
        return -1;
    }
    png_write_end(w->png, NULL);
    png_destroy_write_struct(&w->png, &w->info);
    free(w);
    return 0;
}

/* ---- PGM / PPM ---------------------------------------------------------- */

static int pnm_getc(InFile *in)
{
    unsigned char c;
    return infile_read(in, &c, 1) == 1 ? c : -1;
}

static int pnm_is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Like netpbm's pm_getc(): a comment runs from '#' to the end of the line and
 * counts as the newline that ends it. */
static int pnm_getc_nocomment(InFile *in)
{
    int c = pnm_getc(in);
    if (c == '#') {
        do
            c = pnm_getc(in);
        while (c != -1 && c != '\n' && c != '\r');
    }
    return c;
}

/* Reads one unsigned decimal header field and the character ending it. */
static int pnm_read_uint(InFile *in, uint32_t *v, int *after)
{
    int c;
    do
        c = pnm_getc_nocomment(in);
    while (pnm_is_space(c));
    if (c < '0' || c > '9')
        return -1;
    uint64_t x = 0;
    while (c >= '0' && c <= '9') {
        x = x * 10 + (uint64_t)(c - '0');
        if (x > UINT32_MAX)
            return -1;
        c = pnm_getc_nocomment(in);
    }
    *v = (uint32_t)x;
    *after = c;
    return 0;
}

int pnm_read_header(InFile *in, ImageInfo *info, char *err, size_t errlen)
{
    int c0 = pnm_getc(in), c1 = pnm_getc(in);
    if (c0 != 'P' || (c1 != '5' && c1 != '6')) {
        snprintf(err, errlen, "not a binary PGM/PPM file (P5/P6)");
        return -1;
    }
    const char *what = c1 == '5' ? "PGM" : "PPM";
    uint32_t w, h, maxval;
    int after;
    if (pnm_read_uint(in, &w, &after) < 0 || !pnm_is_space(after) ||
        pnm_read_uint(in, &h, &after) < 0 || !pnm_is_space(after) ||
        pnm_read_uint(in, &maxval, &after) < 0) {
        snprintf(err, errlen, "invalid %s header", what);
        return -1;
    }
    /* Exactly one white space character separates maxval from the raster. */
    if (!pnm_is_space(after)) {
        snprintf(err, errlen, "invalid %s header: no white space after maxval", what);
        return -1;
    }
    if (maxval == 0 || maxval > 65535) {
        snprintf(err, errlen, "invalid %s header: maxval %u", what, maxval);
        return -1;
    }
    if (maxval > 255) {
        snprintf(err, errlen, "16-bit %s (maxval %u) is not supported; bytelm codes maxval 255 only",
                 what, maxval);
        return -1;
    }
    if (maxval != 255) {
        snprintf(err, errlen, "%s with maxval %u is not supported; bytelm codes maxval 255 only",
                 what, maxval);
        return -1;
    }
    info->width = w;
    info->height = h;
    info->channels = c1 == '5' ? 1 : 3;
    return image_check_size(info, what, err, errlen);
}

int pnm_check_end(InFile *in, const ImageInfo *info, char *err, size_t errlen)
{
    unsigned char c;
    long n = infile_read(in, &c, 1);
    if (n < 0) {
        snprintf(err, errlen, "read error");
        return -1;
    }
    if (n > 0) {
        /* A second image or junk would be lost on the way back. */
        snprintf(err, errlen, "%s has data after the image; multi-image files are not "
                 "supported (use --raw bytes)", info->channels == 1 ? "PGM" : "PPM");
        return -1;
    }
    return 0;
}

int pnm_write_header(FILE *fp, const ImageInfo *info)
{
    return fprintf(fp, "P%c\n%u %u\n255\n", info->channels == 1 ? '5' : '6',
                   info->width, info->height) < 0 ? -1 : 0;
}
