/*
 * The API's promises that no other test pins: its version, the reserved room of
 * BytelmSettings, and how each call says "nothing ready" (bytelm.h).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

static int passes, failures;

int main(void)
{
    CHECK(bytelm_api_version() == BYTELM_API_VERSION, "bytelm_api_version() 0x%x, header 0x%x",
          (unsigned)bytelm_api_version(), (unsigned)BYTELM_API_VERSION);
    CHECK(BYTELM_API_VERSION >> 16 == BYTELM_API_VERSION_MAJOR, "major number");

    /* default settings leave the reserved room zero; a library that does not know
     * a field there refuses it */
    BytelmSettings s;
    memset(&s, 0xa5, sizeof(s));
    bytelm_default_settings(&s);
    int zero = 1;
    for (size_t i = 0; i < sizeof(s.reserved) / sizeof(s.reserved[0]); i++)
        zero = zero && s.reserved[i] == 0;
    CHECK(zero, "bytelm_default_settings leaves reserved room set");
    BytelmEncoder *enc = NULL;
    BytelmDecoder *dec = NULL;
    s.reserved[5] = 1;
    CHECK(bytelm_encoder_open(&enc, &s) == BYTELM_EINVAL && !enc, "encoder takes a reserved field");
    CHECK(bytelm_decoder_open(&dec, &s) == BYTELM_EINVAL && !dec, "decoder takes a reserved field");
    s.reserved[5] = 0;
    s.threads = 1;

    /* nothing ready: byte pulls give 0 with *len == 0, item calls BYTELM_EAGAIN */
    uint8_t buf[256];
    size_t n = 1;
    BytelmPacket pkt;
    BytelmStreamInfo info;
    BytelmLoss loss;
    CHECK(bytelm_encoder_open(&enc, &s) == 0, "encoder open");
    CHECK(bytelm_encoder_pull_packet(enc, &pkt) == 0 && pkt.type == BYTELM_PACKET_HEADER,
          "the header is ready at once");
    CHECK(bytelm_encoder_pull_packet(enc, &pkt) == BYTELM_EAGAIN, "encoder packet: EAGAIN");
    bytelm_encoder_close(&enc);
    CHECK(bytelm_encoder_open(&enc, &s) == 0, "encoder open");
    size_t total = 0;
    CHECK(bytelm_encoder_pull(enc, buf, sizeof(buf), &total) == 0 && total > 0, "encoder: header bytes");
    CHECK(bytelm_encoder_pull(enc, buf + total, sizeof(buf) - total, &n) == 0 && n == 0,
          "encoder: 0, *len 0");
    CHECK(bytelm_encoder_push(enc, "abc", 3) == 0, "push");
    CHECK(bytelm_encoder_pull(enc, buf + total, sizeof(buf) - total, &n) == 0 && n == 0,
          "encoder: a frame not ready");
    CHECK(bytelm_encoder_finish(enc) == 0, "finish");
    while (bytelm_encoder_pull(enc, buf + total, sizeof(buf) - total, &n) == 0 && n)
        total += n;
    CHECK(total > 0 && bytelm_encoder_pull(enc, buf, sizeof(buf), &n) == 0 && n == 0,
          "encoder: the end after finish");
    bytelm_encoder_close(&enc);

    CHECK(bytelm_decoder_open(&dec, &s) == 0, "decoder open");
    uint8_t out[16];
    n = 1;
    CHECK(bytelm_decoder_pull(dec, out, sizeof(out), &n) == 0 && n == 0, "decoder: 0, *len 0");
    CHECK(bytelm_decoder_get_info(dec, &info) == BYTELM_EAGAIN, "get_info: EAGAIN");
    CHECK(bytelm_decoder_next_loss(dec, &loss) == BYTELM_EAGAIN, "next_loss: EAGAIN");
    size_t header_len;
    CHECK(bytelm_probe_header(buf, 10, &info, &header_len) == BYTELM_EAGAIN, "probe_header: EAGAIN");
    CHECK(bytelm_decoder_push(dec, buf, total) == 0 && bytelm_decoder_finish(dec) == 0, "decode");
    size_t got = 0;
    while (bytelm_decoder_pull(dec, out + got, sizeof(out) - got, &n) == 0 && n)
        got += n;
    CHECK(got == 3 && !memcmp(out, "abc", 3), "decoded %zu bytes", got);
    bytelm_decoder_close(&dec);

    printf("api: %d passed, %d failed\n", passes, failures);
    return failures != 0;
}
