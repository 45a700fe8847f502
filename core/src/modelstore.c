/*
 * Model lookup by hash. A model file ends with the SHA-256 of everything before it
 * (docs/MODEL.md §5), so a candidate is matched by reading its last 32 bytes; the
 * loader then verifies the hash over the whole file.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "modelstore.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#ifndef BYTELM_MODELDIR
#define BYTELM_MODELDIR "/usr/local/share/bytelm/models"
#endif

/* Loading a model hashes and repacks megabytes of weights, which costs more than the
 * rest of opening a context; a program that opens one per image (GStreamer's and
 * FFmpeg's video paths) would do it each time. So the last models loaded stay here,
 * most recent first, shared with the contexts that use them. A model is named by the
 * SHA-256 of its file, checked when it was loaded, so the hash is the key; but the
 * cache is asked only once a file or built-in model with that hash has been found
 * where the settings say to look, so that it changes what an open costs, never
 * whether it finds a model. */
#define CACHE_SIZE 4

static GMutex cache_lock;
static BlmModel *cache[CACHE_SIZE];

/* The cached model with this hash, with a reference for the caller, or NULL. */
static BlmModel *cache_get(const uint8_t hash[32])
{
    BlmModel *m = NULL;
    g_mutex_lock(&cache_lock);
    for (int i = 0; i < CACHE_SIZE && cache[i] && !m; i++)
        if (!memcmp(blm_model_hash(cache[i]), hash, 32)) {
            m = blm_model_ref(cache[i]);
            memmove(cache + 1, cache, (size_t)i * sizeof(*cache));
            cache[0] = m;
        }
    g_mutex_unlock(&cache_lock);
    return m;
}

/* Keeps a reference to a model just loaded, dropping the least recent one when full. */
static void cache_put(BlmModel *m)
{
    g_mutex_lock(&cache_lock);
    BlmModel *old = cache[CACHE_SIZE - 1];
    memmove(cache + 1, cache, (CACHE_SIZE - 1) * sizeof(*cache));
    cache[0] = blm_model_ref(m);
    g_mutex_unlock(&cache_lock);
    blm_model_free(old);
}

void bytelm_model_cache_clear(void)
{
    BlmModel *old[CACHE_SIZE];
    g_mutex_lock(&cache_lock);
    memcpy(old, cache, sizeof(cache));
    memset(cache, 0, sizeof(cache));
    g_mutex_unlock(&cache_lock);
    for (int i = 0; i < CACHE_SIZE; i++)
        blm_model_free(old[i]);
}

const BlmModelTable blm_builtin_models = {blm_embedded_models, blm_model_roles};

static int load_memory(const BlmEmbeddedModel *e, BlmModel **out)
{
    if ((*out = cache_get(e->hash)))
        return 0;
    int ret = blm_model_load_memory(e->data, e->size, out);
    if (ret == 0)
        cache_put(*out);
    return ret;
}

/* The last 32 bytes of a file: the hash of the model it holds, if it holds one. */
static int file_tail(const char *path, uint8_t tail[32])
{
    FILE *f = fopen(path, "rb");
    int ok = f && !fseek(f, -32, SEEK_END) && fread(tail, 1, 32, f) == 32;
    if (f)
        fclose(f);
    return ok;
}

static int load_file(const char *path, BlmModel **out)
{
    uint8_t hash[32];
    if (file_tail(path, hash) && (*out = cache_get(hash)))
        return 0;
    int ret = blm_model_load_file(path, out);
    if (ret == 0)
        cache_put(*out);
    return ret;
}

void blm_hash_to_hex(const uint8_t hash[32], char out[65])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[hash[i] >> 4];
        out[2 * i + 1] = hex[hash[i] & 15];
    }
    out[64] = 0;
}

static int find_in_search_path(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out);

int blm_model_for_encoding_in(const BlmModelTable *t, const BytelmSettings *s, BlmModel **out,
                              uint8_t wanted[32])
{
    *out = NULL;
    if (wanted)
        memset(wanted, 0, 32);
    if (s->model_path)
        return load_file(s->model_path, out);
    /* Exact role first, then the kind's default preset, then the bytes model; text
     * tries the text role before those of plain bytes, wideband PCM the wide role
     * before PCM's for each preset (a preset's own model, such as the small fast one,
     * beats the wide default). */
    int tries[6][2], n = 0;
    const int special = s->kind == BYTELM_KIND_BYTES && s->text ? BLM_ROLE_TEXT
                        : s->kind == BYTELM_KIND_PCM_S16LE && s->sample_rate >= BLM_WIDE_RATE
                            ? BLM_ROLE_PCM_WIDE
                            : -1;
    const int presets[2] = {s->preset, BYTELM_PRESET_DEFAULT};
    for (int p = 0; p < 2; p++) {
        if (special >= 0) {
            tries[n][0] = special;
            tries[n++][1] = presets[p];
        }
        tries[n][0] = s->kind;
        tries[n++][1] = presets[p];
    }
    tries[n][0] = BYTELM_KIND_BYTES;
    tries[n++][1] = BYTELM_PRESET_DEFAULT;
    for (int i = 0; i < n; i++)
        for (const BlmModelRole *r = t->roles; r->kind >= 0; r++)
            if (r->kind == tries[i][0] && r->preset == tries[i][1]) {
                const BlmEmbeddedModel *e = &t->models[r->model];
                if (wanted)
                    memcpy(wanted, e->hash, 32);
                /* The role's model and no other: a file found by its name alone could
                 * hold other weights, and the stream would not be the one this
                 * library's presets promise. */
                return e->data ? load_memory(e, out) : find_in_search_path(e->hash, s, out);
            }
    return 0;
}

int blm_model_for_encoding(const BytelmSettings *s, BlmModel **out, uint8_t wanted[32])
{
    return blm_model_for_encoding_in(&blm_builtin_models, s, out, wanted);
}

/* Does the file at path end with this hash? */
static int file_has_hash(const char *path, const uint8_t hash[32])
{
    uint8_t tail[32];
    return file_tail(path, tail) && !memcmp(tail, hash, 32);
}

static int find_in_dir(const char *dir, const uint8_t hash[32], BlmModel **out)
{
    DIR *d = opendir(dir);
    if (!d)
        return BYTELM_ENOMODEL;
    int ret = BYTELM_ENOMODEL;
    struct dirent *e;
    while (ret == BYTELM_ENOMODEL && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".blmm"))
            continue;
        char path[4096];
        if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
            continue;
        if (file_has_hash(path, hash))
            ret = load_file(path, out);
    }
    closedir(d);
    return ret;
}

/* settings->model_dir, $BYTELM_MODEL_PATH, the installed model directory: the places
 * searched by hash, in order (blm_model_describe_missing lists the same). */
static int find_in_search_path(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out)
{
    if (s->model_dir && find_in_dir(s->model_dir, hash, out) == 0)
        return 0;
    const char *env = getenv("BYTELM_MODEL_PATH");
    if (env) {
        char *dirs = strdup(env), *save = NULL;
        int ret = BYTELM_ENOMODEL;
        for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && ret; d = strtok_r(NULL, ":", &save))
            ret = find_in_dir(d, hash, out);
        free(dirs);
        if (ret == 0)
            return 0;
    }
    return find_in_dir(BYTELM_MODELDIR, hash, out);
}

int blm_model_find_in(const BlmModelTable *t, const uint8_t hash[32], const BytelmSettings *s,
                      BlmModel **out)
{
    *out = NULL;
    for (const BlmEmbeddedModel *e = t->models; e->name; e++)
        if (e->data && !memcmp(e->hash, hash, 32))
            return load_memory(e, out);
    if (s->model_path && file_has_hash(s->model_path, hash))
        return load_file(s->model_path, out);
    return find_in_search_path(hash, s, out);
}

int blm_model_find(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out)
{
    return blm_model_find_in(&blm_builtin_models, hash, s, out);
}

void blm_model_describe_missing_in(const BlmModelTable *t, const uint8_t hash[32],
                                   const BytelmSettings *s, char *buf, size_t cap)
{
    const BlmEmbeddedModel *known = NULL;
    for (const BlmEmbeddedModel *e = t->models; e->name && !known; e++)
        if (!memcmp(e->hash, hash, 32))
            known = e;
    char hex[65];
    blm_hash_to_hex(hash, hex);
    GString *m = g_string_new(NULL);
    if (known)
        g_string_append_printf(m, "model %s (sha256 %s)", known->name, hex);
    else
        g_string_append_printf(m, "model sha256 %s", hex);
    if (known && !known->data)
        g_string_append(m, ", which this library was built without (-Dembed_models=false),");
    g_string_append(m, " not found in");
    if (s->model_path)
        g_string_append_printf(m, " %s (model_path),", s->model_path);
    if (s->model_dir)
        g_string_append_printf(m, " %s (model_dir),", s->model_dir);
    const char *env = getenv("BYTELM_MODEL_PATH");
    if (env && *env)
        g_string_append_printf(m, " %s ($BYTELM_MODEL_PATH),", env);
    else
        g_string_append(m, " $BYTELM_MODEL_PATH (unset),");
    g_string_append(m, " " BYTELM_MODELDIR " (installed models)");
    g_strlcpy(buf, m->str, cap);
    g_string_free(m, TRUE);
}

void blm_model_describe_missing(const uint8_t hash[32], const BytelmSettings *s, char *buf,
                                size_t cap)
{
    blm_model_describe_missing_in(&blm_builtin_models, hash, s, buf, cap);
}
