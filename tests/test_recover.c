/*
 * Recovery mode (bytelm_decoder_set_recover, the tool's --recover): every frame that
 * survived comes back in its place, lost units are zeros and reported, and nothing
 * outside a reported loss differs from the original. Checked on chosen damage (one
 * frame's CRC, a frame desynchronised with a repaired CRC, frames cut out, repeated,
 * reordered, junk between frames, truncation at each frame, a damaged trailer, a
 * missing model) and on random damage pushed in random pieces.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "bytelm/bytelm.h"
#include "testutil.h"

/* Frame modes that need the model: 0 model, 3 match model, 4 mixer (docs/FORMAT.md §2). */
static int frame_uses_model(uint8_t mode)
{
    return mode == 0 || mode == 3 || mode == 4;
}

#define HEADER_SIZE 76
#define MAX_FRAMES 64
#define MAX_LOSSES 256

static int n_pass, n_fail;

static void check(int ok, const char *what)
{
    if (ok) {
        n_pass++;
    } else {
        n_fail++;
        fprintf(stderr, "FAIL: %s\n", what);
    }
}

typedef struct Result {
    int ret;
    TestBuf out;
    BytelmLoss loss[MAX_LOSSES];
    int n_loss;
} Result;

static void drain(BytelmDecoder *d, TestBuf *out)
{
    uint8_t buf[777]; /* odd, so that gaps end inside a pull */
    size_t n;
    while (bytelm_decoder_pull(d, buf, sizeof buf, &n) == 0 && n)
        test_buf_append(out, buf, n);
}

static void decode(const BytelmSettings *s, const uint8_t *st, size_t len, uint64_t *rng, Result *r)
{
    memset(r, 0, sizeof *r);
    BytelmDecoder *d;
    if ((r->ret = bytelm_decoder_open(&d, s)) < 0)
        return;
    r->ret = bytelm_decoder_set_recover(d, 1);
    for (size_t off = 0; off < len && r->ret == 0;) {
        size_t n = rng ? 1 + test_rand(rng) % 300 : len;
        n = n < len - off ? n : len - off;
        r->ret = bytelm_decoder_push(d, st + off, n);
        off += n;
        drain(d, &r->out);
    }
    if (r->ret == 0)
        r->ret = bytelm_decoder_finish(d);
    drain(d, &r->out);
    BytelmLoss l;
    while (bytelm_decoder_next_loss(d, &l) == 0)
        if (r->n_loss < MAX_LOSSES)
            r->loss[r->n_loss++] = l;
    bytelm_decoder_close(&d);
}

/* Every byte outside the zero-filled losses equals the original; a short output
 * has a loss that says its end is missing. */
static int consistent(const Result *r, const uint8_t *orig, size_t len, size_t unit)
{
    if (r->ret < 0 || r->out.len > len)
        return 0;
    for (int k = 0; k < r->n_loss; k++)
        if (r->loss[k].error == BYTELM_EMD5)
            return r->out.len == len; /* wrong somewhere; where is not known */
    int end_lost = 0;
    for (size_t i = 0; i < r->out.len;) {
        const BytelmLoss *in = NULL;
        for (int k = 0; k < r->n_loss; k++) {
            const BytelmLoss *l = &r->loss[k];
            if (l->filled && i >= l->first_unit * unit && i < (l->first_unit + l->n_units) * unit)
                in = l;
        }
        if (in) {
            size_t end = (size_t)((in->first_unit + in->n_units) * unit);
            for (; i < end && i < r->out.len; i++)
                if (r->out.data[i])
                    return 0;
        } else if (r->out.data[i] != orig[i]) {
            return 0;
        } else {
            i++;
        }
    }
    for (int k = 0; k < r->n_loss; k++)
        end_lost |= !r->loss[k].filled && r->loss[k].first_unit * unit == r->out.len;
    return r->out.len == len || end_lost;
}

/* Offsets of the frames and of the trailer. */
static int frames(const uint8_t *st, size_t len, size_t *off)
{
    int n = 0;
    size_t pos = HEADER_SIZE;
    while (pos + 30 <= len && !memcmp(st + pos, "BLMF", 4) && n < MAX_FRAMES) {
        size_t np = st[pos + 21];
        size_t p = st[pos + 26 + np] | (size_t)st[pos + 27 + np] << 8 |
                   (size_t)st[pos + 28 + np] << 16 | (size_t)st[pos + 29 + np] << 24;
        off[n++] = pos;
        pos += 34 + np + p;
    }
    off[n] = pos;
    return n;
}

static void fix_crc(uint8_t *frame)
{
    size_t np = frame[21];
    size_t p = frame[26 + np] | (size_t)frame[27 + np] << 8 | (size_t)frame[28 + np] << 16 |
               (size_t)frame[29 + np] << 24;
    uint32_t crc = (uint32_t)crc32(0, frame, (uInt)(30 + np + p));
    for (int i = 0; i < 4; i++)
        frame[30 + np + p + i] = (uint8_t)(crc >> (8 * i));
}

/* Builds a damaged copy: the stream with [a, b) replaced by the bytes ins[0..n). */
static uint8_t *splice(const TestBuf *st, size_t a, size_t b, const uint8_t *ins, size_t n, size_t *len)
{
    *len = st->len - (b - a) + n;
    uint8_t *p = malloc(*len + 1);
    memcpy(p, st->data, a);
    if (n)
        memcpy(p + a, ins, n);
    memcpy(p + a + n, st->data + b, st->len - b);
    return p;
}

static int has_loss(const Result *r, uint64_t first, uint64_t n, int filled, int err)
{
    for (int k = 0; k < r->n_loss; k++)
        if (r->loss[k].first_unit == first && r->loss[k].n_units == n && r->loss[k].filled == filled &&
            (!err || r->loss[k].error == err))
            return 1;
    return 0;
}

static void dump(const Result *r)
{
    fprintf(stderr, "  ret %d, out %zu, %d losses\n", r->ret, r->out.len, r->n_loss);
    for (int k = 0; k < r->n_loss; k++)
        fprintf(stderr, "  loss unit %llu +%llu filled %d bytes %llu +%llu err %d\n",
                (unsigned long long)r->loss[k].first_unit, (unsigned long long)r->loss[k].n_units,
                r->loss[k].filled, (unsigned long long)r->loss[k].offset,
                (unsigned long long)r->loss[k].size, r->loss[k].error);
}

static void chosen_damage(const char *name, const BytelmSettings *s, const TestBuf *st,
                          const uint8_t *data, size_t len, size_t unit)
{
    char what[256];
    size_t off[MAX_FRAMES + 1];
    int nf = frames(st->data, st->len, off);
    const uint64_t fu = s->frame_units, total = len / unit;
    /* the PCM stream is coded without its length, as from a pipe */
    const int unknown = s->total_units == BYTELM_UNKNOWN_LENGTH && s->kind == BYTELM_KIND_PCM_S16LE;
    Result r;
    uint8_t *bad;
    size_t n;
#undef CHECK /* testutil.h's counts passes; this one also dumps the result */
#define CHECK(cond, ...) (snprintf(what, sizeof what, __VA_ARGS__), check(cond, what), (cond) ? (void)0 : dump(&r))

    decode(s, st->data, st->len, NULL, &r);
    CHECK(r.ret == 0 && r.n_loss == 0 && r.out.len == len && !memcmp(r.out.data, data, len),
          "%s: intact stream, nothing lost", name);
    free(r.out.data);

    /* One frame's payload damaged: that frame is zeros, the rest is exact. */
    for (int f = 0; f < nf; f += 3) {
        bad = splice(st, 0, 0, NULL, 0, &n);
        /* the middle of the payload (docs/FORMAT.md §2: it starts at 30 + np) */
        const size_t payload = 30 + st->data[off[f] + 21];
        bad[off[f] + payload + (off[f + 1] - off[f] - payload - 4) / 2] ^= 0x10;
        decode(s, bad, n, NULL, &r);
        CHECK(consistent(&r, data, len, unit) && r.out.len == len && r.n_loss == 1 &&
              has_loss(&r, f * fu, f + 1 < nf ? fu : total - f * fu, 1, BYTELM_ECRC),
              "%s: frame %d CRC: one loss, the rest exact", name, f);
        TestBuf plain = {0};
        CHECK(test_decode(s, bad, n, 0, &plain) == BYTELM_ECRC, "%s: frame %d CRC without recovery", name, f);
        free(plain.data);
        free(r.out.data);
        /* Same damage with the CRC repaired: the frame decodes to garbage, which the
         * range coder's final state (model), libFLAC or the MD5 catches. */
        fix_crc(bad + off[f]);
        decode(s, bad, n, NULL, &r);
        CHECK(consistent(&r, data, len, unit) && r.n_loss >= 1 && r.out.len == len,
              "%s: frame %d repaired CRC", name, f);
        free(r.out.data);
        free(bad);
    }

    /* Frames 1..2 cut out exactly, then a cut inside frames 1..3. */
    bad = splice(st, off[1], off[3], NULL, 0, &n);
    decode(s, bad, n, NULL, &r);
    CHECK(consistent(&r, data, len, unit) && r.out.len == len && r.n_loss == 1 &&
          has_loss(&r, fu, 2 * fu, 1, BYTELM_EFORMAT), "%s: two frames cut out", name);
    free(r.out.data);
    free(bad);
    bad = splice(st, off[1] + 9, off[3] + 20, NULL, 0, &n);
    decode(s, bad, n, NULL, &r);
    CHECK(consistent(&r, data, len, unit) && r.out.len == len && r.n_loss == 1 &&
          has_loss(&r, fu, 3 * fu, 1, 0), "%s: a cut across frames 1..3", name);
    free(r.out.data);
    free(bad);

    /* Frame 2 repeated: skipped, nothing lost but reported. */
    bad = splice(st, off[3], off[3], st->data + off[2], off[3] - off[2], &n);
    decode(s, bad, n, NULL, &r);
    CHECK(consistent(&r, data, len, unit) && r.out.len == len && !memcmp(r.out.data, data, len) &&
          r.n_loss == 1 && r.loss[0].n_units == 0 && r.loss[0].offset == off[3] &&
          r.loss[0].size == off[3] - off[2], "%s: a repeated frame is skipped", name);
    free(r.out.data);
    free(bad);

    /* Frames 1 and 2 swapped: 1 is lost (zeros), the late copy skipped. */
    {
        size_t l1 = off[2] - off[1], l2 = off[3] - off[2];
        bad = splice(st, 0, 0, NULL, 0, &n);
        memcpy(bad + off[1], st->data + off[2], l2);
        memcpy(bad + off[1] + l2, st->data + off[1], l1);
        decode(s, bad, n, NULL, &r);
        CHECK(consistent(&r, data, len, unit) && r.out.len == len && has_loss(&r, fu, fu, 1, BYTELM_EFORMAT),
              "%s: swapped frames", name);
        free(r.out.data);
        free(bad);
    }

    /* Junk (with a false sync) between frames 0 and 1. */
    static const uint8_t junk[] = "xxBLMFxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxBLMTzzz";
    bad = splice(st, off[1], off[1], junk, sizeof junk - 1, &n);
    decode(s, bad, n, NULL, &r);
    CHECK(consistent(&r, data, len, unit) && r.out.len == len && !memcmp(r.out.data, data, len) &&
          r.n_loss == 1 && r.loss[0].n_units == 0 && r.loss[0].offset == off[1] &&
          r.loss[0].size == sizeof junk - 1, "%s: junk between frames", name);
    free(r.out.data);
    free(bad);

    /* Truncated at each frame boundary and inside each frame: the output is what the
     * complete frames hold, and the lost end is reported, not filled. */
    for (int f = 1; f <= nf; f++)
        for (int inside = 0; inside < 2; inside++) {
            size_t cut = off[f] + (inside ? (off[f + 1 < nf ? f + 1 : f] - off[f]) / 2 + 1 : 0);
            if (f == nf && inside)
                cut = st->len - 1;
            decode(s, st->data, cut, NULL, &r);
            uint64_t got = f * fu < total ? f * fu : total;
            uint64_t lost = unknown ? BYTELM_UNKNOWN_LENGTH : total - got;
            CHECK(consistent(&r, data, len, unit) && r.out.len == got * unit && r.n_loss == 1 &&
                  has_loss(&r, got, lost, 0, f == nf && !inside ? BYTELM_ETRUNCATED : 0),
                  "%s: truncated at byte %zu (frame %d)", name, cut, f);
            free(r.out.data);
        }

    /* The trailer's CRC damaged: all data, one report. */
    bad = splice(st, 0, 0, NULL, 0, &n);
    bad[off[nf] + 5] ^= 1;
    decode(s, bad, n, NULL, &r);
    CHECK(r.ret == 0 && r.out.len == len && !memcmp(r.out.data, data, len) && r.n_loss == 1 &&
          r.loss[0].n_units == (unknown ? BYTELM_UNKNOWN_LENGTH : 0) && r.loss[0].error == BYTELM_ECRC,
          "%s: damaged trailer", name);
    free(r.out.data);
    free(bad);

    /* The last two frames cut out before an intact trailer: it gives the length. */
    bad = splice(st, off[nf - 2], off[nf], NULL, 0, &n);
    decode(s, bad, n, NULL, &r);
    CHECK(consistent(&r, data, len, unit) && r.out.len == len &&
          has_loss(&r, (nf - 2) * fu, total - (nf - 2) * fu, 1, BYTELM_ETRUNCATED),
          "%s: last frames cut out, trailer intact", name);
    free(r.out.data);
    free(bad);
#undef CHECK
}

static void random_damage(const char *name, const BytelmSettings *s, const TestBuf *st,
                          const uint8_t *data, size_t len, size_t unit, uint64_t *rng)
{
    int bad_cases = 0;
    /* BYTELM_TEST_QUICK=1 (the sanitizer build): a third of the cases. */
    const char *q = getenv("BYTELM_TEST_QUICK");
    const int cases = q && *q && strcmp(q, "0") ? 100 : 300;
    uint8_t *bad = malloc(2 * st->len);
    for (int it = 0; it < cases; it++) {
        size_t n = st->len;
        memcpy(bad, st->data, n);
        size_t a = HEADER_SIZE + test_rand(rng) % (n - HEADER_SIZE);
        size_t b = a + test_rand(rng) % (n - a < 200 ? n - a : 200);
        switch (it % 4) {
        case 0:
            for (int k = 0; k < 1 + (int)(test_rand(rng) % 4); k++)
                bad[HEADER_SIZE + test_rand(rng) % (n - HEADER_SIZE)] ^= (uint8_t)(1u << (test_rand(rng) % 8));
            break;
        case 1: /* cut */
            memmove(bad + a, bad + b, n - b);
            n -= b - a;
            break;
        case 2: /* repeat */
            memmove(bad + b + (b - a), bad + b, n - b);
            n += b - a;
            break;
        default:
            n = a;
        }
        Result r;
        decode(s, bad, n, rng, &r);
        if (!consistent(&r, data, len, unit)) {
            if (!bad_cases++)
                fprintf(stderr, "%s: random case %d: ret %d, %zu of %zu bytes, %d losses\n", name, it,
                        r.ret, r.out.len, len, r.n_loss);
        }
        free(r.out.data);
    }
    free(bad);
    char what[128];
    snprintf(what, sizeof what, "%s: %d random damages, all consistent (%d not)", name, cases, bad_cases);
    check(!bad_cases, what);
}

int main(void)
{
    uint64_t rng = 777;
    for (int kind = 0; kind < 3; kind++) {
        BytelmSettings s;
        bytelm_default_settings(&s);
        s.model_path = MODELS_DIR "/test-tiny.blmm";
        s.threads = 2;
        uint8_t *data;
        size_t len, unit = 1;
        const char *name;
        if (kind == 0) {
            name = "bytes";
            s.kind = BYTELM_KIND_BYTES, s.frame_units = 300, s.total_units = 3100;
            s.model_path = NULL; /* the built-in model codes text in model frames */
            len = 3100;
            data = malloc(len);
            for (size_t i = 0; i < len; i++)
                data[i] = (uint8_t)"the quick brown fox jumps over the lazy dog "[i % 44] ^ (uint8_t)(i / 701);
        } else if (kind == 1) {
            name = "pcm";
            s.kind = BYTELM_KIND_PCM_S16LE, s.sample_rate = 8000, s.channels = 2, s.frame_units = 200;
            unit = 4;
            len = 1900 * unit;
            data = test_pcm_signal(1900, 2, 8000, 5);
        } else {
            name = "gray";
            s.kind = BYTELM_KIND_GRAY8, s.width = 40, s.height = 37, s.frame_units = 4;
            unit = 40;
            len = 40 * 37;
            data = test_image(40, 37, 1, 6);
        }
        TestBuf st = {0};
        if (test_encode(&s, data, len, 0, &st) < 0) {
            fprintf(stderr, "FAIL: encode %s\n", name);
            return 1;
        }
        size_t off[MAX_FRAMES + 1];
        int nf = frames(st.data, st.len, off), model_frames = 0;
        for (int f = 0; f < nf; f++)
            model_frames += frame_uses_model(st.data[off[f] + 20]);
        printf("%s: %d frames, %d coded with the model\n", name, nf, model_frames);
        check(kind != 0 || model_frames > 0, "the bytes stream has model frames");
        chosen_damage(name, &s, &st, data, len, unit);
        random_damage(name, &s, &st, data, len, unit, &rng);

        /* A model that cannot be found (its hash changed, the header CRC repaired):
         * the model frames are lost, the others decode. */
        if (model_frames) {
            uint8_t *bad = malloc(st.len);
            memcpy(bad, st.data, st.len);
            bad[40] ^= 0xff;
            uint32_t crc = (uint32_t)crc32(0, bad, 72);
            for (int i = 0; i < 4; i++)
                bad[72 + i] = (uint8_t)(crc >> (8 * i));
            Result r;
            decode(&s, bad, st.len, NULL, &r);
            int lost = 0;
            for (int k = 0; k < r.n_loss; k++)
                lost += r.loss[k].error == BYTELM_ENOMODEL && r.loss[k].n_units > 0;
            check(consistent(&r, data, len, unit) && r.out.len == len && lost == model_frames,
                  "unknown model hash: its frames lost, the rest decoded");
            TestBuf plain = {0};
            check(test_decode(&s, bad, st.len, 0, &plain) == BYTELM_ENOMODEL,
                  "unknown model hash without recovery: BYTELM_ENOMODEL");
            free(plain.data);
            free(r.out.data);
            free(bad);
        }
        free(st.data);
        free(data);
    }
    printf("recover: %d passed, %d failed\n", n_pass, n_fail);
    return n_fail != 0;
}
