/*
 * Text detection for plain bytes (core/src/textsniff.c) and the model it picks:
 *  - ASCII, UTF-8 (also cut mid-sequence at the 64 KiB sample's end) and ANSI colour codes
 *    are text; NUL bytes, invalid UTF-8, Latin-1 and binary noise are not;
 *  - an encoder told the bytes are text names the text model in the stream, one not told
 *    names the bytes model, and both decode exactly.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "format.h"
#include "testutil.h"

static int failures, passes;

static void check(int ok, const char *what)
{
    ok ? passes++ : failures++;
    if (!ok)
        fprintf(stderr, "FAIL: %s\n", what);
}

static int is_text(const char *s)
{
    return bytelm_looks_like_text(s, strlen(s));
}

static void detection(void)
{
    check(is_text("bytelm keeps every byte.\n\tIndented line\r\n"), "ASCII is text");
    check(is_text("na\xc3\xafve caf\xc3\xa9, \xe2\x82\xac 5, \xf0\x9f\x8e\xb5\n"), "UTF-8 is text");
    check(is_text("\x1b[1mbold\x1b[0m and \x1b[31mred\x1b[0m\n"), "ANSI colours are text");
    check(!is_text("caf\xe9 cr\xe8me\n"), "Latin-1 is not UTF-8 text");
    check(!is_text("\xc3\x28 invalid continuation"), "invalid UTF-8 is not text");
    check(!bytelm_looks_like_text("abc\0def", 7), "a NUL byte is not text");
    check(!bytelm_looks_like_text("", 0), "nothing is not text");

    uint8_t *noise = test_noise(65536, 7);
    check(!bytelm_looks_like_text(noise, 65536), "noise is not text");
    free(noise);

    /* Text past the 64 KiB sample does not count, and a sequence cut by the sample's end
     * is still text. */
    size_t n = 65536 + 100;
    char *big = malloc(n);
    memset(big, 'a', n);
    memcpy(big + 65535, "\xe2\x82\xac", 3);
    check(bytelm_looks_like_text(big, n), "a UTF-8 sequence cut by the sample's end");
    memset(big + 65536, 0, 100);
    check(bytelm_looks_like_text(big, n), "bytes after the sample are not read");
    memset(big, 1, 600);   /* 600 control bytes in 64 KiB: under 1 % */
    check(bytelm_looks_like_text(big, n), "a few control bytes are still text");
    memset(big, 1, 700);   /* over 1 % */
    check(!bytelm_looks_like_text(big, n), "many control bytes are not text");
    free(big);
}

/* The stream's model name, read back by a decoder that also checks the round trip. */
static void model_choice(int text, const char *want)
{
    static const char line[] = "The decoder finds the model by its hash; the encoder chose it.\n";
    size_t len = 40 * (sizeof line - 1);
    uint8_t *data = malloc(len);
    for (size_t i = 0; i < len; i += sizeof line - 1)
        memcpy(data + i, line, sizeof line - 1);

    BytelmSettings s;
    bytelm_default_settings(&s);
    s.threads = 1;
    s.text = text;
    TestBuf enc = {0}, dec = {0};
    int ok = test_encode(&s, data, len, 1000, &enc) == 0 &&
             test_decode(&s, enc.data, enc.len, 1000, &dec) == 0 && dec.len == len &&
             !memcmp(dec.data, data, len);
    BytelmDecoder *d = NULL;
    BytelmStreamInfo info;
    ok = ok && bytelm_decoder_open(&d, &s) == 0 &&
         bytelm_decoder_push(d, enc.data, BLM_HEADER_SIZE) == 0 &&
         bytelm_decoder_get_info(d, &info) == 0 && !strcmp(info.model_name, want);
    bytelm_decoder_close(&d);
    char what[128];
    snprintf(what, sizeof what, "text = %d: coded by %s and decoded", text, want);
    check(ok, what);
    free(enc.data);
    free(dec.data);
    free(data);
}

int main(void)
{
    detection();
    model_choice(1, "bytelm-text-v1");
    model_choice(0, "bytelm-mm-v1");
    printf("textsniff: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
