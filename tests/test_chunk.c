/*
 * The public chunk parser (bytelm_chunk_parse and its helpers) on streams of the
 * encoder: every chunk found whole with its fields, every prefix asks for more,
 * damage is found, the seek table and the trailer's size read back; and the
 * encoder's delay.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

static int passes, failures;

/* Walks a whole stream chunk by chunk; returns the frames seen. */
static uint32_t walk(const uint8_t *s, size_t len, uint32_t frame_units, uint64_t units)
{
    BytelmStreamInfo info;
    BytelmChunk c;
    size_t pos = 0, hlen;
    uint32_t frames = 0;
    uint64_t offsets[64];

    CHECK(bytelm_chunk_parse(s, len, NULL, &c) == 0 && c.type == BYTELM_CHUNK_HEADER &&
              c.size == 76, "header chunk");
    CHECK(bytelm_probe_header(s, len, &info, &hlen) == 0 && hlen == c.size, "probe");
    CHECK(info.frame_units == frame_units, "frame units %u", info.frame_units);
    pos = c.size;
    CHECK(bytelm_chunk_parse(s + pos, len - pos, NULL, &c) == BYTELM_EINVAL,
          "a frame needs the header's info");
    for (;;) {
        int ret = bytelm_chunk_parse(s + pos, len - pos, &info, &c);
        CHECK(ret == 0, "chunk at %zu: %s", pos, bytelm_strerror(ret));
        if (ret < 0)
            return frames;
        /* every shorter prefix asks for more, and never for more than the chunk */
        for (size_t n = 0; n < c.size; n += 1 + n / 3) {
            BytelmChunk p;
            ret = bytelm_chunk_parse(s + pos, n, &info, &p);
            CHECK(ret == BYTELM_EAGAIN && p.size > n && p.size <= c.size,
                  "prefix %zu of %zu: %d, asks %zu", n, c.size, ret, p.size);
        }
        if (c.type == BYTELM_CHUNK_TRAILER)
            break;
        CHECK(c.type == BYTELM_CHUNK_FRAME, "type %d at %zu", (int)c.type, pos);
        CHECK(c.index == frames && c.first_unit == (uint64_t)frames * frame_units,
              "frame %u: index %u, first unit %llu", frames, c.index,
              (unsigned long long)c.first_unit);
        CHECK(c.n_units >= 1 && c.n_units <= frame_units && c.mode >= 0 && c.mode <= 7,
              "frame %u: %u units, mode %d", frames, c.n_units, c.mode);
        if (frames < 64)
            offsets[frames] = pos;
        frames++;
        pos += c.size;
    }
    CHECK(pos + c.size == len, "the trailer ends the stream");
    CHECK(c.n_frames == frames && c.total_units == units, "trailer: %u frames, %llu units",
          c.n_frames, (unsigned long long)c.total_units);
    for (uint32_t i = 0; i < frames && i < 64; i++) {
        uint64_t off, first;
        CHECK(bytelm_chunk_seek_entry(s + pos, c.size, i, &off, &first) == 0 &&
                  off == offsets[i] && first == (uint64_t)i * frame_units, "seek entry %u", i);
    }
    CHECK(bytelm_chunk_seek_entry(s + pos, c.size, frames, NULL, NULL) == BYTELM_EINVAL,
          "no entry past the last frame");
    uint64_t tsize;
    CHECK(bytelm_chunk_trailer_size(s, len, &tsize) == 0 && tsize == c.size,
          "trailer size from the end");
    CHECK(bytelm_chunk_trailer_size(s + len - 7, 7, &tsize) == BYTELM_EAGAIN, "7 bytes");
    CHECK(bytelm_chunk_trailer_size(s, len - 1, &tsize) == BYTELM_EFORMAT, "no trailer at the end");
    return frames;
}

/* A stream of n units (PCM mono samples or rows), frame_units each frame. */
static TestBuf encode(BytelmKind kind, uint32_t n, uint32_t frame_units, uint64_t *delay)
{
    BytelmSettings s;
    BytelmEncoder *enc = NULL;
    TestBuf out = {0};
    uint8_t *raw;
    size_t raw_len;

    bytelm_default_settings(&s);
    s.kind = kind;
    s.threads = 2;
    s.frame_units = frame_units;
    if (kind == BYTELM_KIND_PCM_S16LE) {
        s.sample_rate = 8000;
        s.channels = 1;
        raw = test_pcm_signal(n, 1, 8000, 3);
        raw_len = 2 * (size_t)n;
    } else {
        s.width = 17;
        s.height = n;
        raw = test_image(17, n, 3, 5);
        raw_len = 51 * (size_t)n;
    }
    CHECK(bytelm_encoder_open(&enc, &s) == 0, "encoder open");
    *delay = bytelm_encoder_delay(enc);
    bytelm_encoder_close(&enc);
    int ret = test_encode(&s, raw, raw_len, 0, &out);
    if (ret < 0) {
        /* nothing below can be checked without the stream */
        fprintf(stderr, "FAIL: encode: %s\n", bytelm_strerror(ret));
        exit(1);
    }
    free(raw);
    return out;
}

static void check_damage(TestBuf *b)
{
    BytelmStreamInfo info;
    BytelmChunk c;
    size_t hlen;
    uint8_t *s = b->data;

    bytelm_probe_header(s, b->len, &info, &hlen);
    /* a flipped payload byte fails the frame's CRC */
    s[hlen + 40] ^= 1;
    CHECK(bytelm_chunk_parse(s + hlen, b->len - hlen, &info, &c) == BYTELM_ECRC, "frame CRC");
    s[hlen + 40] ^= 1;
    /* a frame that claims more units than a frame holds breaks the rules */
    s[hlen + 19] ^= 0x80;
    CHECK(bytelm_chunk_parse(s + hlen, b->len - hlen, &info, &c) == BYTELM_EFORMAT, "n_units");
    s[hlen + 19] ^= 0x80;
    s[0] = 'X';
    CHECK(bytelm_chunk_parse(s, b->len, &info, &c) == BYTELM_EFORMAT, "no magic");
    CHECK(bytelm_chunk_parse(s, 3, &info, &c) == BYTELM_EFORMAT, "no magic, 3 bytes");
    s[0] = 'B';
    CHECK(bytelm_chunk_parse(s, 2, &info, &c) == BYTELM_EAGAIN && c.size == 4, "2 bytes");
    s[10] ^= 0x80;
    CHECK(bytelm_chunk_parse(s, b->len, &info, &c) == BYTELM_ECRC, "header CRC");
    s[10] ^= 0x80;
    /* resynchronising finds the next frame or trailer after the first byte */
    size_t at = bytelm_chunk_find(s, b->len, 1u << BYTELM_CHUNK_FRAME | 1u << BYTELM_CHUNK_TRAILER);
    CHECK(at == hlen, "find: %zu", at);
    CHECK(bytelm_chunk_find(s, b->len, 1u << BYTELM_CHUNK_HEADER) == b->len - 3,
          "find: no other header");
    CHECK(bytelm_chunk_find("xxBL", 4, ~0u) == 1, "find in 4 bytes");
    CHECK(bytelm_chunk_find("xxxxxBL", 7, ~0u) == 4, "find: a magic may begin at the end");
}

/* A tags chunk as docs/FORMAT.md §1.1 lays it out: vendor "t", one field. */
static void check_tags(void)
{
    static const char body[] = "\1\0\0\0t\1\0\0\0\7\0\0\0TITLE=x";
    const size_t b = sizeof(body) - 1;
    uint8_t chunk[12 + sizeof(body)];
    BytelmChunk c;

    memcpy(chunk, "BLMC", 4);
    chunk[4] = (uint8_t)b;
    chunk[5] = chunk[6] = chunk[7] = 0;
    memcpy(chunk + 8, body, b);
    uint32_t crc = (uint32_t)crc32(0, chunk, (uInt)(8 + b));
    for (int i = 0; i < 4; i++)
        chunk[8 + b + i] = (uint8_t)(crc >> 8 * i);
    CHECK(bytelm_chunk_parse(chunk, 12 + b, NULL, &c) == 0 && c.type == BYTELM_CHUNK_TAGS &&
              c.size == 12 + b, "tags chunk");
    CHECK(bytelm_chunk_parse(chunk, 6, NULL, &c) == BYTELM_EAGAIN && c.size == 8, "tags, 6 bytes");
    CHECK(bytelm_chunk_parse(chunk, 11 + b, NULL, &c) == BYTELM_EAGAIN && c.size == 12 + b,
          "tags, all but a byte");
    chunk[10] ^= 1;
    CHECK(bytelm_chunk_parse(chunk, 12 + b, NULL, &c) == BYTELM_ECRC, "tags CRC");
    chunk[10] ^= 1;
    chunk[7] = 1; /* 16 MiB: over the limit */
    CHECK(bytelm_chunk_parse(chunk, 12 + b, NULL, &c) == BYTELM_EFORMAT, "tags size");
}

/* The encoder's tags chunk sits between the header and the first frame. */
static void check_stream_tags(void)
{
    BytelmSettings s;
    BytelmEncoder *enc = NULL;
    BytelmStreamInfo info;
    BytelmPacket pkt;
    BytelmChunk c;
    TestBuf out = {0};
    size_t hlen;

    bytelm_default_settings(&s);
    s.kind = BYTELM_KIND_BYTES;
    s.threads = 1;
    if (bytelm_encoder_open(&enc, &s) < 0) {
        fprintf(stderr, "FAIL: encoder open\n");
        exit(1);
    }
    CHECK(bytelm_encoder_add_tag(enc, "TITLE", "chunks") == 0, "add a tag");
    CHECK(bytelm_encoder_push(enc, "abcabcabc", 9) == 0 && bytelm_encoder_finish(enc) == 0,
          "encode");
    while (bytelm_encoder_pull_packet(enc, &pkt) == 0)
        test_buf_append(&out, pkt.data, pkt.size);
    bytelm_encoder_close(&enc);
    CHECK(bytelm_probe_header(out.data, out.len, &info, &hlen) == 0, "probe");
    CHECK(bytelm_chunk_parse(out.data + hlen, out.len - hlen, &info, &c) == 0 &&
              c.type == BYTELM_CHUNK_TAGS, "tags after the header");
    size_t pos = hlen + c.size;
    CHECK(bytelm_chunk_parse(out.data + pos, out.len - pos, &info, &c) == 0 &&
              c.type == BYTELM_CHUNK_FRAME && c.index == 0, "then the first frame");
    free(out.data);
}

int main(void)
{
    uint64_t delay;
    TestBuf pcm = encode(BYTELM_KIND_PCM_S16LE, 10000, 1000, &delay);
    CHECK(walk(pcm.data, pcm.len, 1000, 10000) == 10, "ten PCM frames");
    /* two threads, two frames each, before the first packet */
    CHECK(delay == 4000, "PCM delay %llu", (unsigned long long)delay);
    check_damage(&pcm);

    TestBuf img = encode(BYTELM_KIND_RGB24, 40, 7, &delay);
    CHECK(walk(img.data, img.len, 7, 40) == 6, "six image frames");
    CHECK(delay == 28, "image delay %llu", (unsigned long long)delay);
    check_tags();
    check_stream_tags();
    free(pcm.data);
    free(img.data);

    printf("chunk: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
