/*
 * Decodes every conformance stream of MANIFEST (tests/conformance/README.md) with the
 * library, twice: pushed in small chunks through the stream API (frames decoded
 * side by side on threads), and frame by frame through the packet API. Both outputs
 * must have the MD5 the manifest gives, and the stream must still hold the frame
 * modes and name the model the manifest says, so that no stream quietly stops
 * covering what it was made for.
 *
 * usage: test_conformance DIR
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "checksum.h"
#include "format.h"
#include "testutil.h"

static int passes, failures;

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *data = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap = cap ? 2 * cap : 65536;
            uint8_t *p = realloc(data, cap);
            if (!p)
                break;
            data = p;
        }
        const size_t n = fread(data + *len, 1, cap - *len, f);
        if (n == 0)
            break;
        *len += n;
    }
    fclose(f);
    return data;
}

static void md5_hex(const uint8_t *data, size_t len, char hex[33])
{
    BlmMd5 ctx;
    uint8_t md5[16] = {0};
    if (blm_md5_init(&ctx) == 0) {
        blm_md5_update(&ctx, data, len);
        blm_md5_final(&ctx, md5);
    }
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", md5[i]);
}

/* Stream API, 997 bytes per push; *model gets the model's name ("-" for none). */
static int decode_stream(const uint8_t *st, size_t len, TestBuf *out, char model[64])
{
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.threads = 2;
    BytelmDecoder *d;
    int ret = bytelm_decoder_open(&d, &s);
    if (ret < 0)
        return ret;
    uint8_t buf[4096];
    size_t n;
    snprintf(model, 64, "-");
    for (size_t off = 0; ret == 0 && off < len; off += 997) {
        ret = bytelm_decoder_push(d, st + off, len - off < 997 ? len - off : 997);
        while (ret == 0 && (ret = bytelm_decoder_pull(d, buf, sizeof(buf), &n)) == 0 && n)
            test_buf_append(out, buf, n);
    }
    ret = ret ? ret : bytelm_decoder_finish(d);
    while (ret == 0 && (ret = bytelm_decoder_pull(d, buf, sizeof(buf), &n)) == 0 && n)
        test_buf_append(out, buf, n);
    BytelmStreamInfo info;
    if (bytelm_decoder_get_info(d, &info) == 0 && info.model_name[0])
        snprintf(model, 64, "%s", info.model_name);
    /* a header that announces tags (flag bit 0) is followed by at least one field */
    const char *const *keys, *const *values;
    size_t n_tags = 0;
    if (ret == 0 && len > 10 && (st[10] & 1) &&
        (bytelm_decoder_get_tags(d, &keys, &values, &n_tags) < 0 || n_tags == 0))
        ret = BYTELM_EFORMAT;
    bytelm_decoder_close(&d);
    return ret;
}

/* Packet API: the header, then each frame on its own; modes gets "0,5,2" (or "-"). */
static int decode_frames(const uint8_t *st, size_t len, TestBuf *out, char *modes, size_t cap)
{
    BytelmSettings s;
    bytelm_default_settings(&s);
    BytelmDecoder *d;
    BlmHeader h;
    int ret = bytelm_decoder_open(&d, &s);
    if (ret < 0)
        return ret;
    ret = bytelm_decoder_open_header(d, st, len);
    ret = ret ? ret : blm_header_read(st, len, &h);
    size_t pos = BLM_HEADER_SIZE, used = 0;
    /* the packet API takes frames only: a tags chunk is the container's business */
    BytelmChunk c;
    if (ret == 0 && bytelm_chunk_parse(st + pos, len - pos, NULL, &c) == 0 &&
        c.type == BYTELM_CHUNK_TAGS)
        pos += c.size;
    snprintf(modes, cap, "-");
    while (ret == 0 && pos < len && blm_is_frame_sync(st + pos, len - pos)) {
        BlmFrameHeader fh;
        size_t n, out_len;
        const uint8_t *raw;
        uint64_t first;
        if ((ret = blm_frame_parse(st + pos, len - pos, &h, &fh, &n)) < 0 ||
            (ret = bytelm_decoder_decode_frame(d, st + pos, n, &raw, &out_len, &first)) < 0)
            break;
        if (first * blm_header_unit_bytes(&h) != out->len)
            ret = BYTELM_EFORMAT;
        test_buf_append(out, raw, out_len);
        used += (size_t)snprintf(modes + used, cap - used, "%s%d", used ? "," : "", fh.mode);
        if (used >= cap)
            ret = BYTELM_ENOMEM;
        pos += n;
    }
    if (ret == 0 && !blm_is_trailer_sync(st + pos, len - pos))
        ret = BYTELM_EFORMAT;
    bytelm_decoder_close(&d);
    return ret;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    char path[4096], line[1024];
    snprintf(path, sizeof(path), "%s/MANIFEST", argv[1]);
    FILE *manifest = fopen(path, "r");
    if (!manifest) {
        perror(path);
        return 1;
    }
    int streams = 0;
    while (fgets(line, sizeof(line), manifest)) {
        char name[256], want_md5[64], want_modes[256], want_model[64];
        unsigned long long want_len;
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (sscanf(line, "%255s %63s %llu %255s %63s", name, want_md5, &want_len, want_modes,
                   want_model) != 5) {
            CHECK(0, "MANIFEST: cannot read line '%s'", line);
            continue;
        }
        streams++;
        snprintf(path, sizeof(path), "%s/%s", argv[1], name);
        size_t len;
        uint8_t *st = read_file(path, &len);
        CHECK(st != NULL, "%s: cannot read", path);
        if (!st)
            continue;
        TestBuf a = {0}, b = {0};
        char md5_a[33], md5_b[33], modes[256], model[64];
        int ret = decode_stream(st, len, &a, model);
        md5_hex(a.data, a.len, md5_a);
        CHECK(ret == 0, "%s: stream API: %s", name, bytelm_strerror(ret));
        CHECK(a.len == want_len && !strcmp(md5_a, want_md5), "%s: stream API gave %zu bytes, MD5 %s",
              name, a.len, md5_a);
        CHECK(!strcmp(model, want_model), "%s: model %s, not %s", name, model, want_model);
        ret = decode_frames(st, len, &b, modes, sizeof(modes));
        md5_hex(b.data, b.len, md5_b);
        CHECK(ret == 0, "%s: packet API: %s", name, bytelm_strerror(ret));
        CHECK(b.len == want_len && !strcmp(md5_b, want_md5), "%s: packet API gave %zu bytes, MD5 %s",
              name, b.len, md5_b);
        CHECK(!strcmp(modes, want_modes), "%s: frame modes %s, not %s", name, modes, want_modes);
        printf("%-28s %6zu -> %6zu bytes, modes %s, %s: %s\n", name, len, a.len, modes, model,
               !strcmp(md5_a, want_md5) && !strcmp(md5_b, want_md5) ? "ok" : "FAIL");
        free(a.data);
        free(b.data);
        free(st);
    }
    fclose(manifest);
    CHECK(streams > 0, "no streams in %s/MANIFEST", argv[1]);
    printf("conformance: %d streams, %d checks passed, %d failed\n", streams, passes, failures);
    return failures != 0;
}
