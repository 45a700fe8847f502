/*
 * Range coder tests: seeded round trips over many kinds of frequency tables,
 * final-state agreement, coded size against the entropy, buffer limits, and
 * decoding of garbage, truncated and corrupted input.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "rangecoder.h"

/* test_golden's stream: its length, FNV-1a hash and final state. */
#define GOLDEN_LEN 2640
#define GOLDEN_HASH 0x6ca733322a672759ull
#define GOLDEN_STATE 0x97846312u

static int n_pass, n_fail;

#define CHECK(cond, ...)                                                    \
    do {                                                                    \
        if (cond) {                                                         \
            n_pass++;                                                       \
        } else {                                                            \
            n_fail++;                                                       \
            if (n_fail <= 20) {                                             \
                fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond); \
                fprintf(stderr, __VA_ARGS__);                               \
                fputc('\n', stderr);                                        \
            }                                                               \
        }                                                                   \
    } while (0)

/* splitmix64: seeded, identical on every platform. */
static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

enum { T_UNIFORM, T_PEAK, T_SKEWED, T_SPARSE, T_SINGLE, T_TWO, T_RANDOM, T_KINDS };

/* Fills f with a table of the given kind: every entry >= 0, sum 65536. */
static void make_table(uint32_t f[256], int kind)
{
    uint32_t sum = 0;
    memset(f, 0, 256 * sizeof(f[0]));
    switch (kind) {
    case T_UNIFORM:
        for (int i = 0; i < 256; i++)
            f[i] = 256;
        return;
    case T_PEAK: /* the extreme table of MODEL.md: one symbol at 65281, the rest at 1 */
        for (int i = 0; i < 256; i++)
            f[i] = 1;
        f[rnd_below(256)] = 65281;
        return;
    case T_SINGLE: /* only one codable symbol: costs no bits at all */
        f[rnd_below(256)] = 65536;
        return;
    case T_TWO: { /* 65535 : 1, often at the table's ends to exercise the remainder */
        int a = rnd_below(2) ? 255 : (int)rnd_below(256);
        int b = rnd_below(2) ? 0 : (int)rnd_below(256);
        if (a == b)
            b = (a + 1) & 255;
        f[a] = 1;
        f[b] = 65535;
        return;
    }
    case T_SPARSE: { /* a few symbols, the rest zero */
        int k = 1 + (int)rnd_below(8);
        for (int i = 0; i < k; i++)
            f[rnd_below(256)] += 1 + rnd_below(1000);
        break;
    }
    case T_SKEWED: { /* like the model's softmax: a few large, many at 1 */
        /* x^sharp by repeated products, not libm, so the golden test below
         * sees the same tables everywhere. */
        double w[256], s = 0;
        int sharp = 1 + (int)rnd_below(40);
        for (int i = 0; i < 256; i++) {
            double x = (double)(1 + rnd_below(1000)) / 1000.0;
            w[i] = 1.0;
            for (int j = 0; j < sharp; j++)
                w[i] *= x;
            s += w[i];
        }
        for (int i = 0; i < 256; i++)
            f[i] = 1 + (uint32_t)(w[i] / s * 65280.0);
        break;
    }
    case T_RANDOM:
    default:
        for (int i = 0; i < 256; i++)
            f[i] = rnd_below(4) ? 1 + rnd_below(500) : 0;
        f[rnd_below(256)] += 1;
        break;
    }
    /* Scale to sum 65536 exactly, keeping non-zero entries >= 1; the remainder
     * goes to the largest entry as in MODEL.md section 4. */
    for (int i = 0; i < 256; i++)
        sum += f[i];
    uint32_t s2 = 0, nz = 0;
    for (int i = 0; i < 256; i++)
        nz += f[i] != 0;
    for (int i = 0; i < 256; i++) {
        if (f[i])
            f[i] = 1 + (uint32_t)((uint64_t)f[i] * (65536 - nz) / sum);
        s2 += f[i];
    }
    int a = 0;
    for (int i = 1; i < 256; i++)
        if (f[i] > f[a])
            a = i;
    f[a] += 65536 - s2;
}

/* A symbol drawn from the table's own distribution (so the entropy means something). */
static int draw(const uint32_t f[256])
{
    uint32_t u = rnd_below(65536), c = 0;
    for (int i = 0; i < 256; i++) {
        c += f[i];
        if (u < c)
            return i;
    }
    return 255;
}

/* A symbol with f > 0, uniformly: hits the improbable ones far more often. */
static int draw_any(const uint32_t f[256])
{
    for (;;) {
        int s = (int)rnd_below(256);
        if (f[s])
            return s;
    }
}

typedef struct Case {
    int n;
    int *sym;
    uint32_t (*tab)[256];
} Case;

static void case_alloc(Case *c, int n)
{
    c->n = n;
    c->sym = malloc(sizeof(int) * (size_t)(n ? n : 1));
    c->tab = malloc(sizeof(*c->tab) * (size_t)(n ? n : 1));
    if (!c->sym || !c->tab) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
}

static void case_free(Case *c)
{
    free(c->sym);
    free(c->tab);
}

/* Encodes the case into out; returns the final state. */
static uint32_t encode_case(const Case *c, BlmBuf *out, int *ret, uint64_t *tell)
{
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, out);
    for (int i = 0; i < c->n; i++)
        blm_rc_encode_symbol(&enc, c->tab[i], c->sym[i]);
    uint32_t st = blm_rc_enc_final_state(&enc);
    *tell = blm_rc_enc_tell(&enc);
    *ret = blm_rc_finish(&enc);
    return st;
}

/* Decodes n symbols; counts mismatches against c (if given) and checks that every
 * returned symbol is in range with a non-zero frequency. */
static int decode_case(const Case *c, const uint8_t *buf, size_t len, uint32_t *state,
                       int *check, int *bad_symbol)
{
    BlmRcDecoder dec;
    int wrong = 0;
    *bad_symbol = 0;
    blm_rc_dec_init(&dec, buf, len);
    for (int i = 0; i < c->n; i++) {
        int s = blm_rc_decode_symbol(&dec, c->tab[i]);
        if (s < 0 || s > 255 || c->tab[i][s] == 0)
            (*bad_symbol)++;
        else if (s != c->sym[i])
            wrong++;
    }
    *state = blm_rc_dec_final_state(&dec);
    *check = blm_rc_dec_check(&dec);
    return wrong;
}

static void random_case(Case *c, int n, int mode)
{
    case_alloc(c, n);
    int kind = (int)rnd_below(T_KINDS);
    for (int i = 0; i < n; i++) {
        /* mode 0: one table kind per case, a new table now and then;
         * mode 1: a new table of a new kind for every symbol; mode 2: one table. */
        if (mode == 1)
            kind = (int)rnd_below(T_KINDS);
        if (i > 0 && (mode == 2 || (mode == 0 && rnd_below(8))))
            memcpy(c->tab[i], c->tab[i - 1], sizeof(c->tab[0]));
        else
            make_table(c->tab[i], kind);
        c->sym[i] = rnd_below(4) ? draw(c->tab[i]) : draw_any(c->tab[i]);
    }
}

static void test_round_trips(void)
{
    int trials = 1500;
    int all_ok = 0;
    for (int t = 0; t < trials; t++) {
        Case c;
        int n = t < 10 ? t : (int)rnd_below(t % 10 == 0 ? 20000 : 2000);
        random_case(&c, n, t % 3);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        int ret, check, bad;
        uint64_t tell;
        uint32_t est = encode_case(&c, &out, &ret, &tell), dst;
        int wrong = decode_case(&c, out.data, out.len, &dst, &check, &bad);
        int ok = ret == 0 && tell == out.len && wrong == 0 && bad == 0 && est == dst && check == 0;
        CHECK(ok, "trial %d n %d: ret %d tell %llu len %zu wrong %d bad %d state %08x/%08x check %d",
              t, n, ret, (unsigned long long)tell, out.len, wrong, bad, est, dst, check);
        all_ok += ok;
        blm_buf_free(&out);
        case_free(&c);
    }
    printf("  round trips: %d/%d\n", all_ok, trials);
}

/* Carries: the highest interval over and over makes long runs of 0xFF that a
 * carry later turns into 0x00; alternate with the lowest to resolve them. */
static void test_carry_runs(void)
{
    for (int t = 0; t < 200; t++) {
        Case c;
        int n = 1 + (int)rnd_below(5000);
        case_alloc(&c, n);
        int hi_run = 1 + (int)rnd_below(400);
        for (int i = 0; i < n; i++) {
            make_table(c.tab[i], T_TWO);
            int lo = -1, hi = -1;
            for (int s = 0; s < 256; s++)
                if (c.tab[i][s]) {
                    if (lo < 0)
                        lo = s;
                    hi = s;
                }
            c.sym[i] = (i % (hi_run + 1)) == hi_run ? lo : hi;
        }
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        int ret, check, bad;
        uint64_t tell;
        uint32_t est = encode_case(&c, &out, &ret, &tell), dst;
        int wrong = decode_case(&c, out.data, out.len, &dst, &check, &bad);
        CHECK(ret == 0 && wrong == 0 && bad == 0 && est == dst && check == 0 && tell == out.len,
              "carry trial %d", t);
        blm_buf_free(&out);
        case_free(&c);
    }
}

/* Long runs from fixed tables: the coded size must be within 1% + a few bytes
 * of the information content -sum log2(f/65536) of the symbols coded. */
static void test_entropy(void)
{
    static const int kinds[] = { T_UNIFORM, T_PEAK, T_SKEWED, T_SKEWED, T_RANDOM, T_TWO };
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        int n = 400000;
        uint32_t f[256];
        make_table(f, kinds[k]);
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        BlmRcEncoder enc;
        blm_rc_enc_init(&enc, &out);
        double bits = 0;
        uint64_t seed = rng_state;
        for (int i = 0; i < n; i++) {
            int s = draw(f);
            bits -= log2((double)f[s] / 65536.0);
            blm_rc_encode_symbol(&enc, f, s);
        }
        int ret = blm_rc_finish(&enc);
        double ideal = bits / 8.0;
        /* The few bytes: the 1-byte flush, and with near-certain symbols that
         * are not last in the table the truncation r = range >> 16 (about
         * 1e-5 bit a symbol, 10 bytes over a million). */
        CHECK(ret == 0 && (double)out.len <= ideal * 1.01 + 16,
              "kind %d: %zu bytes for %.1f ideal", kinds[k], out.len, ideal);
        printf("  entropy kind %d: %zu bytes, ideal %.1f (+%.3f%%)\n", kinds[k], out.len, ideal,
               ideal > 0 ? 100.0 * ((double)out.len - ideal) / ideal : 0.0);

        /* And decode it back with the same draws. */
        rng_state = seed;
        BlmRcDecoder dec;
        blm_rc_dec_init(&dec, out.data, out.len);
        int wrong = 0;
        for (int i = 0; i < n; i++)
            wrong += blm_rc_decode_symbol(&dec, f) != draw(f);
        CHECK(wrong == 0 && blm_rc_dec_check(&dec) == 0 &&
                  blm_rc_dec_final_state(&dec) == blm_rc_enc_final_state(&enc),
              "entropy kind %d decode: %d wrong", kinds[k], wrong);
        blm_buf_free(&out);
    }
}

/* Garbage input of any length decodes to valid symbols and stops. */
static void test_garbage(void)
{
    for (int t = 0; t < 2000; t++) {
        size_t len = rnd_below(t % 2 ? 8 : 300);
        uint8_t *buf = malloc(len ? len : 1);
        int fill = (int)rnd_below(4);
        for (size_t i = 0; i < len; i++)
            buf[i] = fill == 0 ? 0xFF : fill == 1 ? 0x00 : (uint8_t)rnd();
        Case c;
        random_case(&c, (int)rnd_below(3000), (int)rnd_below(3));
        BlmRcDecoder dec;
        blm_rc_dec_init(&dec, len ? buf : NULL, len);
        int bad = 0;
        for (int i = 0; i < c.n; i++) {
            int s = blm_rc_decode_symbol(&dec, c.tab[i]);
            bad += s < 0 || s > 255 || c.tab[i][s] == 0;
        }
        CHECK(bad == 0 && dec.pos <= len, "garbage trial %d: %d bad symbols", t, bad);
        (void)blm_rc_dec_check(&dec);
        free(buf);
        case_free(&c);
    }
}

/* Every truncation of a valid stream is reported; a flipped byte either decodes
 * to the same symbols or changes the final state. */
static void test_truncation_and_corruption(void)
{
    int undetected = 0, flips = 0, harmless = 0;
    for (int t = 0; t < 300; t++) {
        Case c;
        random_case(&c, 1 + (int)rnd_below(1500), (int)rnd_below(3));
        BlmBuf out;
        blm_buf_init(&out, BLM_BUF_NO_LIMIT);
        int ret, check, bad;
        uint64_t tell;
        uint32_t est = encode_case(&c, &out, &ret, &tell), dst;
        CHECK(ret == 0, "encode");

        size_t step = out.len > 64 ? out.len / 32 : 1;
        for (size_t cut = 0; cut < out.len; cut += step) {
            uint8_t *copy = malloc(cut ? cut : 1); /* exact size, so ASan sees overreads */
            memcpy(copy, out.data, cut);
            /* Truncation changes either the symbols (and so the final state)
             * or, when it does not, the byte count that check verifies. */
            int wrong = decode_case(&c, copy, cut, &dst, &check, &bad);
            CHECK(bad == 0 && (wrong ? dst != est : check == BYTELM_ETRUNCATED),
                  "trial %d cut %zu/%zu: wrong %d check %d", t, cut, out.len, wrong, check);
            free(copy);
        }
        /* Trailing bytes are noticed too. */
        uint8_t *longer = malloc(out.len + 1);
        memcpy(longer, out.data, out.len);
        longer[out.len] = 0x5A;
        int changed = decode_case(&c, longer, out.len + 1, &dst, &check, &bad);
        CHECK(changed ? dst != est : check == BYTELM_EFORMAT, "trailing byte: check %d", check);
        free(longer);

        for (int k = 0; k < 8 && out.len; k++) {
            uint8_t *copy = malloc(out.len);
            memcpy(copy, out.data, out.len);
            copy[rnd_below((uint32_t)out.len)] ^= (uint8_t)(1 + rnd_below(255));
            int wrong = decode_case(&c, copy, out.len, &dst, &check, &bad);
            flips++;
            CHECK(bad == 0, "flip: bad symbol");
            if (wrong == 0)
                harmless++;
            else if (dst == est)
                undetected++;
            free(copy);
        }
        blm_buf_free(&out);
        case_free(&c);
    }
    CHECK(undetected == 0, "%d of %d corruptions that changed symbols kept the final state",
          undetected, flips);
    printf("  corruption: %d flips, %d decoded the same symbols, %d undetected\n", flips,
           harmless, undetected);
}

/* The limit: output stops at it, full is set exactly when the stream is longer. */
static void test_limits(void)
{
    for (int t = 0; t < 300; t++) {
        Case c;
        random_case(&c, (int)rnd_below(3000), 0);
        BlmBuf ref;
        blm_buf_init(&ref, BLM_BUF_NO_LIMIT);
        int ret, r2;
        uint64_t tell;
        encode_case(&c, &ref, &ret, &tell);
        size_t limit = rnd_below((uint32_t)ref.len + 2);

        BlmBuf lim;
        blm_buf_init(&lim, limit);
        encode_case(&c, &lim, &r2, &tell);
        int should_fit = ref.len <= limit;
        CHECK(should_fit ? (r2 == 0 && lim.len == ref.len && !memcmp(lim.data, ref.data, ref.len))
                         : (r2 == 1 && lim.full && lim.len <= limit),
              "limit %zu len %zu: ret %d", limit, ref.len, r2);

        /* Same with caller memory, reusing the buffer through reset. */
        uint8_t *mem = malloc(limit + 1);
        BlmBuf fixed;
        blm_buf_wrap(&fixed, mem, limit + 1);
        fixed.full = 1;
        blm_buf_reset(&fixed, limit);
        encode_case(&c, &fixed, &r2, &tell);
        CHECK(should_fit ? (r2 == 0 && fixed.len == ref.len && !memcmp(mem, ref.data, ref.len))
                         : (r2 == 1 && fixed.full && fixed.len <= limit),
              "wrapped limit %zu len %zu: ret %d", limit, ref.len, r2);
        free(mem);
        blm_buf_free(&lim);
        blm_buf_free(&ref);
        case_free(&c);
    }
}

/* Bad calls are reported, never crash or hang. */
static void test_misuse(void)
{
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, &out);
    blm_rc_encode(&enc, 0, 0);
    CHECK(enc.err == BYTELM_EINVAL, "freq 0 accepted");
    blm_rc_enc_init(&enc, &out);
    blm_rc_encode(&enc, 65535, 2);
    CHECK(enc.err == BYTELM_EINVAL, "cum + freq > total accepted");
    CHECK(blm_rc_finish(&enc) == BYTELM_EINVAL, "finish hides the error");
    blm_buf_free(&out);

    /* A second finish writes nothing more; coding after finish is refused. */
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    blm_rc_enc_init(&enc, &out);
    blm_rc_encode(&enc, 100, 200);
    uint32_t st = blm_rc_enc_final_state(&enc);
    CHECK(blm_rc_finish(&enc) == 0, "finish");
    size_t len = out.len;
    CHECK(blm_rc_finish(&enc) == 0 && out.len == len && blm_rc_enc_final_state(&enc) == st,
          "second finish changed the stream");
    blm_rc_encode(&enc, 100, 200);
    CHECK(enc.err == BYTELM_EINVAL && out.len == len, "encode after finish");
    blm_buf_free(&out);

    uint32_t zero[256] = { 0 }, half[256] = { 0 };
    half[7] = 100;
    half[9] = 100; /* sums to 200, not 65536 */
    uint8_t bytes[16];
    memset(bytes, 0xEE, sizeof(bytes));
    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, bytes, sizeof(bytes));
    int s = 0, bad = 0;
    for (int i = 0; i < 1000; i++) {
        s = blm_rc_decode_symbol(&dec, half);
        bad += s != 7 && s != 9;
    }
    CHECK(bad == 0 && dec.err == BYTELM_EINVAL, "short table: %d bad", bad);
    s = blm_rc_decode_symbol(&dec, zero);
    CHECK(s >= 0 && s <= 255, "all-zero table returned %d", s);
}

/* Binary decisions, interleaved with symbols as a mixer frame never does but a
 * decoder must survive: extreme probabilities (1 and 65535 of 65536), a run of sure
 * bits whose carries must propagate, and both agree on the final state. */
static void test_bits(void)
{
    enum { N = 200000 };
    uint8_t *bits = malloc(N);
    uint32_t *p1 = malloc(N * sizeof(*p1));
    for (int i = 0; i < N; i++) {
        const uint32_t k = rnd_below(8);
        p1[i] = k == 0 ? 1 : k == 1 ? 65535 : k == 2 ? 32768 : 1 + rnd_below(65535);
        /* mostly the likely value, sometimes the unlikely one */
        bits[i] = (uint8_t)(rnd_below(65536) < p1[i] ? rnd_below(1000) != 0 : rnd_below(1000) == 0);
        if (i > N / 2 && i < N / 2 + 5000) /* a long run of sure, right bits */
            p1[i] = 65535, bits[i] = 1;
    }
    uint32_t uniform[256];
    for (int c = 0; c < 256; c++)
        uniform[c] = 256;
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    BlmRcEncoder enc;
    blm_rc_enc_init(&enc, &out);
    for (int i = 0; i < N; i++) {
        blm_rc_encode_bit(&enc, p1[i], bits[i]);
        if (i % 1000 == 0)
            blm_rc_encode_symbol(&enc, uniform, i % 256);
    }
    const uint32_t st = blm_rc_enc_final_state(&enc);
    CHECK(blm_rc_finish(&enc) == 0, "bits: finish");
    BlmRcDecoder dec;
    blm_rc_dec_init(&dec, out.data, out.len);
    int wrong = 0;
    for (int i = 0; i < N; i++) {
        wrong += blm_rc_decode_bit(&dec, p1[i]) != bits[i];
        if (i % 1000 == 0)
            wrong += blm_rc_decode_symbol(&dec, uniform) != i % 256;
    }
    CHECK(wrong == 0, "bits: %d wrong", wrong);
    CHECK(blm_rc_dec_final_state(&dec) == st && blm_rc_dec_check(&dec) == 0, "bits: final state");
    printf("  bits: %d decisions in %zu bytes\n", N, out.len);

    blm_rc_enc_init(&enc, &out);
    blm_rc_encode_bit(&enc, 0, 1);
    CHECK(enc.err == BYTELM_EINVAL, "bits: p1 = 0 accepted");
    blm_rc_enc_init(&enc, &out);
    blm_rc_encode_bit(&enc, 65536, 0);
    CHECK(enc.err == BYTELM_EINVAL, "bits: p1 = 65536 accepted");
    blm_rc_dec_init(&dec, out.data, out.len);
    const int b = blm_rc_decode_bit(&dec, 0);
    CHECK((b == 0 || b == 1) && dec.err == BYTELM_EINVAL, "bits: decoder took p1 = 0");
    blm_buf_free(&out);
    free(bits);
    free(p1);
}

/* Pins the bitstream: a change here is a format change (docs/FORMAT.md). */
static void test_golden(void)
{
    rng_state = 12345;
    Case c;
    random_case(&c, 5000, 1);
    BlmBuf out;
    blm_buf_init(&out, BLM_BUF_NO_LIMIT);
    int ret;
    uint64_t tell;
    uint32_t st = encode_case(&c, &out, &ret, &tell);
    uint64_t h = 0xCBF29CE484222325ull; /* FNV-1a */
    for (size_t i = 0; i < out.len; i++)
        h = (h ^ out.data[i]) * 0x100000001B3ull;
    printf("  golden: %zu bytes, hash %016llx, final state %08x\n", out.len,
           (unsigned long long)h, st);
    CHECK(out.len == GOLDEN_LEN && h == GOLDEN_HASH && st == GOLDEN_STATE,
          "golden stream changed: %zu %016llx %08x", out.len, (unsigned long long)h, st);
    blm_buf_free(&out);
    case_free(&c);
}

int main(void)
{
    rng_state = 1;
    test_round_trips();
    test_carry_runs();
    test_entropy();
    test_garbage();
    test_truncation_and_corruption();
    test_limits();
    test_misuse();
    test_bits();
    test_golden();
    printf("rangecoder: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
