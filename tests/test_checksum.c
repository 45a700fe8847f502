/*
 * Checksum tests: the standard check values.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "checksum.h"

static int n_pass, n_fail;

static void check(int ok, const char *what)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        fprintf(stderr, "FAIL %s\n", what);
    }
}

static int hex_eq(const uint8_t *d, size_t n, const char *hex)
{
    char buf[65];
    for (size_t i = 0; i < n; i++)
        snprintf(buf + 2 * i, 3, "%02x", d[i]);
    return strcmp(buf, hex) == 0;
}

int main(void)
{
    const char *s = "123456789";
    check(blm_crc32(0, s, 9) == 0xCBF43926u, "crc32(\"123456789\")");
    check(blm_crc32(0, "", 0) == 0, "crc32(\"\")");
    /* Incremental, in any split. */
    int split_ok = 1;
    for (size_t k = 0; k <= 9; k++)
        split_ok &= blm_crc32(blm_crc32(0, s, k), s + k, 9 - k) == 0xCBF43926u;
    check(split_ok, "crc32 split");

    uint8_t md[16], sha[32];
    BlmMd5 m;
    check(blm_md5_init(&m) == 0, "md5 init");
    blm_md5_update(&m, "a", 1);
    blm_md5_update(&m, "", 0);
    blm_md5_update(&m, "bc", 2);
    blm_md5_final(&m, md);
    check(hex_eq(md, 16, "900150983cd24fb0d6963f7d28e17f72"), "md5(\"abc\")");
    blm_md5_clear(&m); /* no-op after final */

    check(blm_md5_init(&m) == 0, "md5 init");
    blm_md5_final(&m, md);
    check(hex_eq(md, 16, "d41d8cd98f00b204e9800998ecf8427e"), "md5(\"\")");

    check(blm_md5_init(&m) == 0, "md5 init");
    blm_md5_update(&m, "x", 1);
    blm_md5_clear(&m); /* abandoned context */

    check(blm_sha256("abc", 3, sha) == 0 &&
              hex_eq(sha, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
          "sha256(\"abc\")");
    check(blm_sha256("", 0, sha) == 0 &&
              hex_eq(sha, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
          "sha256(\"\")");

    printf("checksum: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
