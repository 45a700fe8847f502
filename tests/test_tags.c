/*
 * Tags (docs/FORMAT.md §1.1): what the encoder is given comes back from the decoder in
 * order, whatever the pieces the stream arrives in; frames and trailer are the same
 * bytes with and without tags, so a stream with its tags chunk cut out (and the flag
 * cleared) still passes every check; a damaged or malformed chunk is an error, or in
 * recovery a loss of the tags alone; bad keys and late tags are refused.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "bytes_io.h"
#include "checksum.h"
#include "testutil.h"

#define HEADER_SIZE 76

static int passes, failures;

static const char *const keys[] = {"TITLE", "ARTIST", "ARTIST", "REPLAYGAIN_TRACK_GAIN", "comment", "EMPTY"};
static const char *const values[] = {"Chanson d'\xc3\xa9t\xc3\xa9", "One", "Two", "-3.20 dB", "a=b=c", ""};
#define N_TAGS 6

static void pcm_settings(BytelmSettings *s, uint64_t n)
{
    bytelm_default_settings(s);
    s->kind = BYTELM_KIND_PCM_S16LE;
    s->sample_rate = 44100;
    s->channels = 2;
    s->frame_units = 4096;
    s->total_units = n;
    s->threads = 2;
}

typedef struct Decoded {
    int ret, tags_ret, n_losses;
    size_t n_tags;
    char keys[N_TAGS][64], values[N_TAGS][64];
    TestBuf out;
} Decoded;

/* Pushes the stream in pieces of `chunk` bytes and keeps the tags it reports. */
static void decode(const uint8_t *st, size_t len, size_t chunk, int recover, Decoded *r)
{
    memset(r, 0, sizeof *r);
    BytelmDecoder *d;
    BytelmSettings s;
    bytelm_default_settings(&s);
    s.threads = 2;
    if ((r->ret = bytelm_decoder_open(&d, &s)) < 0)
        return;
    if (recover)
        bytelm_decoder_set_recover(d, 1);
    const char *const *k, *const *v;
    size_t n;
    CHECK(bytelm_decoder_get_tags(d, &k, &v, &n) == BYTELM_EAGAIN, "tags before the header");
    uint8_t buf[8192];
    size_t got;
    for (size_t off = 0; off < len && r->ret == 0; off += chunk) {
        r->ret = bytelm_decoder_push(d, st + off, len - off < chunk ? len - off : chunk);
        while (r->ret == 0 && bytelm_decoder_pull(d, buf, sizeof buf, &got) == 0 && got)
            test_buf_append(&r->out, buf, got);
    }
    if (r->ret == 0)
        r->ret = bytelm_decoder_finish(d);
    while (bytelm_decoder_pull(d, buf, sizeof buf, &got) == 0 && got)
        test_buf_append(&r->out, buf, got);
    r->tags_ret = bytelm_decoder_get_tags(d, &k, &v, &n);
    if (r->tags_ret == 0) {
        r->n_tags = n;
        for (size_t i = 0; i < n && i < N_TAGS; i++) {
            snprintf(r->keys[i], sizeof r->keys[i], "%s", k[i]);
            snprintf(r->values[i], sizeof r->values[i], "%s", v[i]);
        }
    }
    BytelmLoss loss;
    while (bytelm_decoder_next_loss(d, &loss) == 0)
        r->n_losses++;
    bytelm_decoder_close(&d);
}

static int same_tags(const Decoded *r)
{
    if (r->n_tags != N_TAGS)
        return 0;
    for (int i = 0; i < N_TAGS; i++)
        if (strcmp(r->keys[i], keys[i]) || strcmp(r->values[i], values[i]))
            return 0;
    return 1;
}

static size_t tags_chunk_size(const uint8_t *st)
{
    return 12 + (size_t)blm_get_u32(st + HEADER_SIZE + 4);
}

/* The stream without its tags chunk, the header's flag cleared and its CRC redone. */
static void strip_tags(const TestBuf *in, TestBuf *out)
{
    size_t cut = tags_chunk_size(in->data);
    test_buf_append(out, in->data, HEADER_SIZE);
    test_buf_append(out, in->data + HEADER_SIZE + cut, in->len - HEADER_SIZE - cut);
    blm_put_u16(out->data + 10, 0);
    blm_put_u32(out->data + 72, blm_crc32(0, out->data, 72));
}

static void test_round_trip(const uint8_t *pcm, size_t bytes, uint64_t n)
{
    BytelmSettings s;
    pcm_settings(&s, n);
    TestBuf plain = {0}, tagged = {0}, stripped = {0};
    int ret = test_encode(&s, pcm, bytes, 0, &plain);
    CHECK(ret == 0, "encode without tags: %s", bytelm_strerror(ret));
    if (ret == 0)
        CHECK((ret = test_encode_tagged(&s, keys, values, N_TAGS, pcm, bytes, 0, &tagged)) == 0, "encode with tags: %s",
              bytelm_strerror(ret));
    if (ret < 0) {
        free(plain.data);
        free(tagged.data);
        return;
    }
    CHECK(tagged.len > plain.len + 12 && !memcmp(tagged.data + HEADER_SIZE, "BLMC", 4) &&
              (blm_get_u16(tagged.data + 10) & 1) && !(blm_get_u16(plain.data + 10) & 1),
          "the flag is set and the chunk follows the header");
    size_t cut = tags_chunk_size(tagged.data);
    CHECK(tagged.len == plain.len + cut &&
              !memcmp(tagged.data + HEADER_SIZE + cut, plain.data + HEADER_SIZE, plain.len - HEADER_SIZE),
          "frames and trailer are the same bytes with and without tags");

    static const size_t chunks[] = {1, 7, 100, 1 << 20};
    for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
        Decoded r;
        decode(tagged.data, tagged.len, chunks[i], 0, &r);
        CHECK(r.ret == 0 && r.out.len == bytes && !memcmp(r.out.data, pcm, bytes),
              "tagged stream decodes (pieces of %zu): %s", chunks[i], bytelm_strerror(r.ret));
        CHECK(r.tags_ret == 0 && same_tags(&r), "tags come back in order (pieces of %zu)", chunks[i]);
        free(r.out.data);
    }
    Decoded r;
    decode(plain.data, plain.len, 1000, 0, &r);
    CHECK(r.ret == 0 && r.tags_ret == 0 && r.n_tags == 0, "a stream without tags has none");
    free(r.out.data);

    strip_tags(&tagged, &stripped);
    CHECK(stripped.len == plain.len && !memcmp(stripped.data, plain.data, plain.len),
          "cutting the tags out gives the untagged stream");
    decode(stripped.data, stripped.len, 1 << 20, 0, &r);
    CHECK(r.ret == 0 && r.out.len == bytes, "the stripped stream passes its checks");
    free(r.out.data);

    /* Damage inside the body: the CRC finds it; recovery keeps every sample. */
    TestBuf bad = {0};
    test_buf_append(&bad, tagged.data, tagged.len);
    bad.data[HEADER_SIZE + 20] ^= 0x40;
    decode(bad.data, bad.len, 4096, 0, &r);
    CHECK(r.ret == BYTELM_ECRC && r.tags_ret == BYTELM_EAGAIN,
          "a damaged tags chunk is a CRC error, and no tags come (ret %s, get_tags %d)",
          bytelm_strerror(r.ret), r.tags_ret);
    free(r.out.data);
    decode(bad.data, bad.len, 4096, 1, &r);
    CHECK(r.ret == 0 && r.out.len == bytes && !memcmp(r.out.data, pcm, bytes) && r.n_losses == 1 &&
              r.tags_ret == 0 && r.n_tags == 0,
          "recovery loses the tags, not the data (ret %d, %d losses)", r.ret, r.n_losses);
    free(r.out.data);

    /* A body size past the limit is malformed before any allocation. */
    memcpy(bad.data, tagged.data, tagged.len);
    blm_put_u32(bad.data + HEADER_SIZE + 4, (1u << 20) + 1);
    decode(bad.data, bad.len, 4096, 0, &r);
    CHECK(r.ret == BYTELM_EFORMAT, "body size over 1 MiB: %s", bytelm_strerror(r.ret));
    free(r.out.data);

    /* A field without '=' under a right CRC is malformed. */
    memcpy(bad.data, tagged.data, tagged.len);
    uint8_t *eq = memchr(bad.data + HEADER_SIZE + 8, '=', cut - 12);
    *eq = '_';
    blm_put_u32(bad.data + HEADER_SIZE + cut - 4, blm_crc32(0, bad.data + HEADER_SIZE, cut - 4));
    decode(bad.data, bad.len, 4096, 0, &r);
    CHECK(r.ret == BYTELM_EFORMAT, "field without '=': %s", bytelm_strerror(r.ret));
    free(r.out.data);

    /* The flag without its chunk, and a stream cut inside the chunk. */
    memcpy(bad.data, plain.data, plain.len);
    blm_put_u16(bad.data + 10, 1);
    blm_put_u32(bad.data + 72, blm_crc32(0, bad.data, 72));
    decode(bad.data, plain.len, 4096, 0, &r);
    CHECK(r.ret == BYTELM_EFORMAT, "flag set, a frame where the tags should be: %s", bytelm_strerror(r.ret));
    free(r.out.data);
    decode(tagged.data, HEADER_SIZE + cut / 2, 4096, 0, &r);
    CHECK(r.ret == BYTELM_ETRUNCATED && r.tags_ret == BYTELM_EAGAIN, "cut inside the tags: %s",
          bytelm_strerror(r.ret));
    free(r.out.data);

    /* Unknown header flags are malformed. */
    memcpy(bad.data, plain.data, plain.len);
    blm_put_u16(bad.data + 10, 2);
    blm_put_u32(bad.data + 72, blm_crc32(0, bad.data, 72));
    decode(bad.data, plain.len, 4096, 0, &r);
    CHECK(r.ret == BYTELM_EFORMAT, "header flag bit 1: %s", bytelm_strerror(r.ret));
    free(r.out.data);

    free(bad.data);
    free(plain.data);
    free(tagged.data);
    free(stripped.data);
}

static void test_add_tag_rules(const uint8_t *pcm, size_t bytes, uint64_t n)
{
    BytelmSettings s;
    pcm_settings(&s, n);
    BytelmEncoder *e;
    int ret = bytelm_encoder_open(&e, &s);
    CHECK(ret == 0, "open: %s", bytelm_strerror(ret));
    if (ret < 0)
        return;
    CHECK(bytelm_encoder_add_tag(e, "", "x") == BYTELM_EINVAL, "empty key");
    CHECK(bytelm_encoder_add_tag(e, "A=B", "x") == BYTELM_EINVAL, "key with '='");
    CHECK(bytelm_encoder_add_tag(e, "TIT\xc3\x89", "x") == BYTELM_EINVAL, "key not ASCII");
    CHECK(bytelm_encoder_add_tag(e, "TAB\t", "x") == BYTELM_EINVAL, "key with a control character");
    CHECK(bytelm_encoder_add_tag(e, "~", "x") == BYTELM_EINVAL, "key with 0x7E");
    char *big = malloc(600000);
    memset(big, 'x', 599999);
    big[599999] = 0;
    CHECK(bytelm_encoder_add_tag(e, "BIG", big) == 0, "a 600 kB value fits");
    CHECK(bytelm_encoder_add_tag(e, "BIG", big) == BYTELM_EINVAL, "tags past 1 MiB are refused");
    free(big);
    CHECK(bytelm_encoder_add_tag(e, "TITLE", "ok") == 0, "a good tag after a refused one");
    CHECK(bytelm_encoder_push(e, pcm, bytes) == 0, "push");
    CHECK(bytelm_encoder_add_tag(e, "LATE", "x") == BYTELM_ESTATE, "a tag after the first push");
    CHECK(bytelm_encoder_finish(e) == 0, "finish");
    BytelmPacket p;
    CHECK(bytelm_encoder_pull_packet(e, &p) == 0 && p.type == BYTELM_PACKET_HEADER, "header packet");
    CHECK(bytelm_encoder_pull_packet(e, &p) == 0 && p.type == BYTELM_PACKET_TAGS &&
              p.size == 12 + (size_t)blm_get_u32(p.data + 4),
          "then the tags packet");
    CHECK(bytelm_encoder_pull_packet(e, &p) == 0 && p.type == BYTELM_PACKET_FRAME, "then frames");
    bytelm_encoder_close(&e);

    /* Tags must be given before the header is taken. */
    CHECK(bytelm_encoder_open(&e, &s) == 0, "open");
    CHECK(bytelm_encoder_pull_packet(e, &p) == 0 && p.type == BYTELM_PACKET_HEADER, "header first");
    CHECK(bytelm_encoder_add_tag(e, "TITLE", "x") == BYTELM_ESTATE, "a tag after the header was pulled");
    bytelm_encoder_close(&e);
}

int main(void)
{
    const uint32_t n = 20000;
    uint8_t *pcm = test_pcm_integer(n, 2, 5);
    test_round_trip(pcm, (size_t)n * 4, n);
    test_add_tag_rules(pcm, (size_t)n * 4, n);
    free(pcm);
    printf("tags: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
