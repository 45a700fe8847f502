/*
 * bytelm command-line tool: gray and RGB images, with or without alpha, of 8
 * or 16 bits a sample: PNG (libpng), binary PGM/PPM and PAM (our own reader
 * and writer).
 *
 * bytelm keeps pixels, not files: a decoded image is written back as a plain
 * PNG or PNM with the same pixels. A palette PNG is coded as the RGB pixels
 * it shows, and a tRNS chunk as the alpha channel it means; inputs whose
 * pixels we could not give back exactly (1/2/4-bit gray, PNM maxvals other
 * than 255 and 65535) are refused.
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

size_t image_row_bytes(const ImageInfo *info)
{
    return (size_t)info->width * info->channels * (info->bits16 ? 2 : 1);
}

void image_swap16(uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint8_t t = p[i];
        p[i] = p[i + 1];
        p[i + 1] = t;
    }
}

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
    /* Pixels are all we keep: skip every ancillary chunk but tRNS unread, in
     * small pieces, so that a chunk's length never sizes a buffer; store no
     * text or unknown chunk; sides as the codec's. */
    png_set_keep_unknown_chunks(r->png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_chunk_cache_max(r->png, 1);
    png_set_chunk_malloc_max(r->png, 1u << 20);
    png_set_user_limits(r->png, MAX_SIDE, MAX_SIDE);
    png_read_info(r->png, r->info);

    png_uint_32 w, h;
    int depth, ctype, interlace;
    png_get_IHDR(r->png, r->info, &w, &h, &depth, &ctype, &interlace, NULL, NULL);
    const int trns = png_get_valid(r->png, r->info, PNG_INFO_tRNS) != 0;
    if (depth < 8 && ctype != PNG_COLOR_TYPE_PALETTE) {
        /* Widening would change the sample values the file holds. */
        snprintf(err, errlen, "%d-bit gray PNG is not supported; bytelm codes 8- and "
                 "16-bit samples only", depth);
        png_reader_close(&r);
        return -1;
    }
    if (ctype == PNG_COLOR_TYPE_PALETTE) {
        /* coded as the 8-bit RGB(A) pixels it shows; the palette itself is not kept */
        png_set_palette_to_rgb(r->png);
        ctype = PNG_COLOR_TYPE_RGB;
        depth = 8;
    }
    if (trns) {
        /* A transparent colour (or palette entries) becomes the alpha
         * channel it stands for, so that transparency is kept. */
        png_set_tRNS_to_alpha(r->png);
        ctype |= PNG_COLOR_MASK_ALPHA;
    }
    if (depth == 16)
        png_set_swap(r->png);   /* PNG is big-endian, our rows little-endian */
    const char *cname = png_color_name(ctype);
    static const uint32_t channels[7] = {
        [PNG_COLOR_TYPE_GRAY] = 1, [PNG_COLOR_TYPE_GRAY_ALPHA] = 2,
        [PNG_COLOR_TYPE_RGB] = 3, [PNG_COLOR_TYPE_RGBA] = 4,
    };
    ImageInfo info = {w, h, channels[ctype], depth == 16, 0};
    if (image_check_size(&info, "PNG", err, errlen) < 0) {
        png_reader_close(&r);
        return -1;
    }
    r->rowbytes = image_row_bytes(&info);
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
            snprintf(err, errlen, "interlaced PNG (%ux%u %s%s) must be decoded whole, in %s, "
                     "more than the memory limit of %s; raise it with --max-memory or "
                     "save the image without interlacing", w, h, depth == 16 ? "16-bit " : "",
                     cname, want, limit);
            png_reader_close(&r);
            return -1;
        }
    } else {
        png_read_update_info(r->png, r->info);
    }
    /* The transforms above must give exactly the rows we announce. */
    if (png_get_rowbytes(r->png, r->info) != r->rowbytes) {
        snprintf(err, errlen, "internal error: %d-bit %s PNG rows of %zu bytes, expected %zu",
                 depth, cname, (size_t)png_get_rowbytes(r->png, r->info), r->rowbytes);
        png_reader_close(&r);
        return -1;
    }
    if (interlace != PNG_INTERLACE_NONE) {
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
    }
    *out = info;
    *rp = r;
    return 0;
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
    if (info->channels < 1 || info->channels > 4) {
        snprintf(err, errlen, "internal error: PNG of %u channels", info->channels);
        png_destroy_write_struct(&w->png, &w->info);
        free(w);
        return -1;
    }
    png_init_io(w->png, fp);
    static const int ctype[5] = {
        [1] = PNG_COLOR_TYPE_GRAY, [2] = PNG_COLOR_TYPE_GRAY_ALPHA,
        [3] = PNG_COLOR_TYPE_RGB, [4] = PNG_COLOR_TYPE_RGBA,
    };
    png_set_IHDR(w->png, w->info, info->width, info->height, info->bits16 ? 16 : 8,
                 ctype[info->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(w->png, w->info);
    if (info->bits16)
        png_set_swap(w->png);   /* our rows are little-endian, PNG big-endian */
    w->rowbytes = image_row_bytes(info);
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

/* maxval 255 is 8-bit, 65535 16-bit; other maxvals would need rescaling. */
static int pnm_check_maxval(uint32_t maxval, const char *what, ImageInfo *info, char *err,
                            size_t errlen)
{
    if (maxval == 0 || maxval > 65535) {
        snprintf(err, errlen, "invalid %s header: maxval %u", what, maxval);
        return -1;
    }
    if (maxval != 255 && maxval != 65535) {
        snprintf(err, errlen, "%s with maxval %u is not supported; bytelm codes maxval 255 "
                 "and 65535 only", what, maxval);
        return -1;
    }
    info->bits16 = maxval == 65535;
    return 0;
}

/* One PAM header line, without its newline and cut to len - 1 characters;
 * 1 if it was cut, -1 at the end of the file. */
static int pam_read_line(InFile *in, char *line, size_t len)
{
    size_t n = 0;
    int cut = 0;
    for (;;) {
        int c = pnm_getc(in);
        if (c < 0)
            return -1;
        if (c == '\n')
            break;
        if (n + 1 < len)
            line[n++] = (char)c;
        else
            cut = 1;
    }
    while (n && pnm_is_space((unsigned char)line[n - 1]))
        n--;
    line[n] = 0;
    /* It may end up in a message: no control characters on the terminal. */
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)line[i] < 0x20 && line[i] != '\t') || (unsigned char)line[i] > 0x7e)
            line[i] = '?';
    return cut;
}

static int pam_parse_uint(const char *s, uint32_t *v)
{
    char *end;
    while (pnm_is_space((unsigned char)*s))
        s++;
    if (*s < '0' || *s > '9')
        return -1;
    unsigned long long x = strtoull(s, &end, 10);
    if (*end || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

/* PAM's TUPLTYPE by channel count. */
static const char *const pam_tupltypes[5] = {
    NULL, "GRAYSCALE", "GRAYSCALE_ALPHA", "RGB", "RGB_ALPHA",
};

/* PAM (P7): "FIELD value" lines up to ENDHDR, the magic number's line read. */
static int pam_read_header(InFile *in, ImageInfo *info, char *err, size_t errlen)
{
    uint32_t w = 0, h = 0, depth = 0, maxval = 0;
    unsigned seen = 0;
    char line[128], tuple[64] = "";   /* a line longer than a field is only a comment */
    for (;;) {
        int cut = pam_read_line(in, line, sizeof line);
        const char *key = line;
        while (pnm_is_space((unsigned char)*key))
            key++;
        if (cut == 0 && !*key)
            continue;
        if (cut >= 0 && *key == '#')
            continue;           /* a comment, of any length */
        if (cut != 0) {
            snprintf(err, errlen, "invalid PAM header");
            return -1;
        }
        if (!strcmp(key, "ENDHDR"))
            break;
        size_t klen = strcspn(key, " \t");
        const char *val = key + klen;
        uint32_t *field = NULL;
        unsigned bit = 0;
        if (klen == 5 && !memcmp(key, "WIDTH", 5))
            field = &w, bit = 1;
        else if (klen == 6 && !memcmp(key, "HEIGHT", 6))
            field = &h, bit = 2;
        else if (klen == 5 && !memcmp(key, "DEPTH", 5))
            field = &depth, bit = 4;
        else if (klen == 6 && !memcmp(key, "MAXVAL", 6))
            field = &maxval, bit = 8;
        if (field) {
            if (pam_parse_uint(val, field) < 0) {
                snprintf(err, errlen, "invalid PAM header: %.*s", (int)klen, key);
                return -1;
            }
            seen |= bit;
        } else if (klen == 8 && !memcmp(key, "TUPLTYPE", 8)) {
            while (pnm_is_space((unsigned char)*val))
                val++;
            snprintf(tuple, sizeof tuple, "%s", val);
        } else {
            snprintf(err, errlen, "invalid PAM header: unknown field '%.*s'",
                     (int)(klen > 16 ? 16 : klen), key);
            return -1;
        }
    }
    if (seen != 15) {
        snprintf(err, errlen, "invalid PAM header: WIDTH, HEIGHT, DEPTH or MAXVAL missing");
        return -1;
    }
    if (depth < 1 || depth > 4 || strcmp(tuple, pam_tupltypes[depth])) {
        snprintf(err, errlen, "PAM of TUPLTYPE '%s' and DEPTH %u is not supported; bytelm codes "
                 "GRAYSCALE, GRAYSCALE_ALPHA, RGB and RGB_ALPHA (DEPTH 1 to 4)",
                 tuple[0] ? tuple : "(none)", depth);
        return -1;
    }
    if (pnm_check_maxval(maxval, "PAM", info, err, errlen) < 0)
        return -1;
    info->width = w;
    info->height = h;
    info->channels = depth;
    info->pam = 1;
    return image_check_size(info, "PAM", err, errlen);
}

int pnm_read_header(InFile *in, ImageInfo *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof *info);
    int c0 = pnm_getc(in), c1 = pnm_getc(in);
    if (c0 == 'P' && c1 == '7') {
        if (pnm_getc(in) != '\n') {
            snprintf(err, errlen, "invalid PAM header");
            return -1;
        }
        return pam_read_header(in, info, err, errlen);
    }
    if (c0 != 'P' || (c1 != '5' && c1 != '6')) {
        snprintf(err, errlen, "not a binary PGM/PPM/PAM file (P5/P6/P7)");
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
    if (pnm_check_maxval(maxval, what, info, err, errlen) < 0)
        return -1;
    info->width = w;
    info->height = h;
    info->channels = c1 == '5' ? 1 : 3;
    return image_check_size(info, what, err, errlen);
}

static const char *pnm_name(const ImageInfo *info)
{
    return info->pam ? "PAM" : info->channels == 1 ? "PGM" : "PPM";
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
                 "supported (use --raw bytes)", pnm_name(info));
        return -1;
    }
    return 0;
}

int pnm_write_header(FILE *fp, const ImageInfo *info)
{
    if (info->channels != 1 && info->channels != 3)
        return -1;
    return fprintf(fp, "P%c\n%u %u\n%u\n", info->channels == 1 ? '5' : '6',
                   info->width, info->height, info->bits16 ? 65535u : 255u) < 0 ? -1 : 0;
}

int pam_write_header(FILE *fp, const ImageInfo *info)
{
    if (info->channels < 1 || info->channels > 4)
        return -1;
    return fprintf(fp, "P7\nWIDTH %u\nHEIGHT %u\nDEPTH %u\nMAXVAL %u\nTUPLTYPE %s\nENDHDR\n",
                   info->width, info->height, info->channels, info->bits16 ? 65535u : 255u,
                   pam_tupltypes[info->channels]) < 0 ? -1 : 0;
}
