/*
 * Where the library finds its models (core/src/modelstore.c), through a table like the
 * generated one: a model compiled in, and one known only by name and hash, as every
 * model is in a library built with -Dembed_models=false. The latter must come from a
 * file with its hash in model_dir, $BYTELM_MODEL_PATH or the installed directory,
 * never from a file that merely has its name; when none has it, BYTELM_ENOMODEL and a
 * message naming the model and the places searched. So the run-time loading path is
 * tested in the default build too.
 *
 * usage: test_modelstore [MODELS_DIR]
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "modelstore.h"
#include "testutil.h"

#ifndef MODELS_DIR
#define MODELS_DIR "models"
#endif

static int passes, failures;

static const char *models_dir = MODELS_DIR;

static uint8_t *read_model(const char *name, size_t *len)
{
    char *path = g_build_filename(models_dir, name, NULL);
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL) || n < 32) {
        fprintf(stderr, "cannot read %s\n", path);
        exit(1);
    }
    g_free(path);
    *len = n;
    return (uint8_t *)data;
}

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
    char *path = g_build_filename(dir, name, NULL);
    if (!g_file_set_contents(path, data, (gssize)len, NULL)) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    g_free(path);
}

static void remove_file(const char *dir, const char *name)
{
    char *path = g_build_filename(dir, name, NULL);
    g_unlink(path);
    g_free(path);
}

static int has_hash(const BlmModel *m, const uint8_t hash[32])
{
    return m && !memcmp(blm_model_hash(m), hash, 32);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        models_dir = argv[1];
    /* The environment's directories would answer for the test's own. */
    g_unsetenv("BYTELM_MODEL_PATH");

    size_t tiny_len, small_len, golden_len;
    uint8_t *tiny = read_model("test-tiny.blmm", &tiny_len);
    uint8_t *small = read_model("test-small.blmm", &small_len);
    uint8_t *golden = read_model("test-golden.blmm", &golden_len);
    const uint8_t *tiny_hash = tiny + tiny_len - 32, *golden_hash = golden + golden_len - 32;

    /* Plain bytes by a model known only by its hash, gray pixels by one compiled in;
     * no role for RGB. None of them is installed. */
    BlmEmbeddedModel models[3] = {
        {"test-tiny.blmm", NULL, 0, {0}},
        {"test-small.blmm", small, small_len, {0}},
        {NULL, NULL, 0, {0}},
    };
    memcpy(models[0].hash, tiny_hash, 32);
    memcpy(models[1].hash, small + small_len - 32, 32);
    const BlmModelRole roles[] = {
        {BYTELM_KIND_BYTES, BYTELM_PRESET_DEFAULT, 0},
        {BYTELM_KIND_GRAY8, BYTELM_PRESET_DEFAULT, 1},
        {-1, -1, -1},
    };
    const BlmModelTable table = {models, roles};

    char *empty = g_dir_make_tmp("bytelm-modelstore-XXXXXX", NULL);
    CHECK(empty != NULL, "temporary directory");
    if (!empty)
        return 1;

    BytelmSettings s;
    BlmModel *m;
    uint8_t wanted[32];
    char why[1024];
    int ret;

    /* Nowhere to be found: the error names the model and every place searched. */
    bytelm_default_settings(&s);
    s.model_dir = empty;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == BYTELM_ENOMODEL && !m, "missing model: %d", ret);
    CHECK(!memcmp(wanted, tiny_hash, 32), "the hash of the model looked for");
    blm_model_describe_missing_in(&table, wanted, &s, why, sizeof(why));
    CHECK(strstr(why, "test-tiny.blmm") && strstr(why, empty) && strstr(why, "BYTELM_MODEL_PATH")
              && strstr(why, "embed_models"),
          "message: %s", why);

    /* model_dir. */
    s.model_dir = models_dir;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "from model_dir: %d", ret);
    blm_model_free(m);

    /* $BYTELM_MODEL_PATH, its directories in order, one of them missing. */
    s.model_dir = NULL;
    char *path = g_strdup_printf("/nonexistent/bytelm:%s:%s", empty, models_dir);
    g_setenv("BYTELM_MODEL_PATH", path, TRUE);
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "from BYTELM_MODEL_PATH: %d", ret);
    blm_model_free(m);
    blm_model_describe_missing_in(&table, golden_hash, &s, why, sizeof(why));
    CHECK(strstr(why, path) && strstr(why, "sha256") && !strstr(why, "embed_models"),
          "message for a model the table does not know: %s", why);
    g_unsetenv("BYTELM_MODEL_PATH");
    g_free(path);

    /* A file with the model's name holds another model: not taken, even once the right
     * model is in the cache (the cache follows the search, it does not replace it). */
    write_file(empty, "test-tiny.blmm", golden, golden_len);
    s.model_dir = empty;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == BYTELM_ENOMODEL && !m, "a file with the name and another hash: %d", ret);
    bytelm_model_cache_clear();
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == BYTELM_ENOMODEL && !m, "the same with an empty cache: %d", ret);

    /* A damaged file that ends with the right hash: an error, not a crash, and not
     * the model. */
    uint8_t *bad = g_malloc(tiny_len);
    memcpy(bad, tiny, tiny_len);
    bad[tiny_len / 2] ^= 0x40;
    write_file(empty, "damaged.blmm", bad, tiny_len);
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret < 0 && !m, "a damaged file: %d", ret);
    remove_file(empty, "damaged.blmm");
    g_free(bad);

    /* Renamed: found by its hash whatever the file is called. */
    write_file(empty, "renamed.blmm", tiny, tiny_len);
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "a renamed file: %d", ret);
    blm_model_free(m);
    remove_file(empty, "renamed.blmm");

    /* The compiled-in model needs no directory. */
    s.model_dir = NULL;
    s.kind = BYTELM_KIND_GRAY8;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == 0 && has_hash(m, models[1].hash), "compiled in: %d", ret);
    blm_model_free(m);

    /* RGB falls back to the bytes model, which is not found here ... */
    s.kind = BYTELM_KIND_RGB24;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == BYTELM_ENOMODEL && !m, "fallback to the bytes model: %d", ret);
    /* ... and without one, no model and no error (frames are stored or FLAC-coded). */
    const BlmModelTable gray_only = {models, roles + 1};
    ret = blm_model_for_encoding_in(&gray_only, &s, &m, wanted);
    CHECK(ret == 0 && !m, "no role: %d", ret);

    /* model_path wins and is not searched for by hash. */
    char *tiny_path = g_build_filename(models_dir, "test-tiny.blmm", NULL);
    s.kind = BYTELM_KIND_GRAY8;
    s.model_path = tiny_path;
    ret = blm_model_for_encoding_in(&table, &s, &m, wanted);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "model_path: %d", ret);
    blm_model_free(m);
    s.model_path = NULL;

    /* Decoding: by hash, from the same places. */
    bytelm_default_settings(&s);
    ret = blm_model_find_in(&table, tiny_hash, &s, &m);
    CHECK(ret == BYTELM_ENOMODEL && !m, "decoding, nowhere to be found: %d", ret);
    s.model_path = tiny_path;
    ret = blm_model_find_in(&table, tiny_hash, &s, &m);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "decoding, model_path: %d", ret);
    blm_model_free(m);
    s.model_path = NULL;
    s.model_dir = models_dir;
    ret = blm_model_find_in(&table, tiny_hash, &s, &m);
    CHECK(ret == 0 && has_hash(m, tiny_hash), "decoding, model_dir: %d", ret);
    blm_model_free(m);
    ret = blm_model_find_in(&table, golden_hash, &s, &m);
    CHECK(ret == 0 && has_hash(m, golden_hash), "decoding a model the table does not know: %d", ret);
    blm_model_free(m);
    s.model_dir = NULL;
    ret = blm_model_find_in(&table, models[1].hash, &s, &m);
    CHECK(ret == 0 && has_hash(m, models[1].hash), "decoding, compiled in: %d", ret);
    blm_model_free(m);
    g_free(tiny_path);

    remove_file(empty, "test-tiny.blmm");
    g_rmdir(empty);
    g_free(empty);
    bytelm_model_cache_clear();
    g_free(tiny);
    g_free(small);
    g_free(golden);
    printf("%d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
