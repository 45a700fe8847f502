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

static int load_memory(const BlmEmbeddedModel *e, BlmModel **out)
{
    if (e->size >= 32 && (*out = cache_get(e->data + e->size - 32)))
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

int blm_model_for_encoding(const BytelmSettings *s, BlmModel **out)
{
    *out = NULL;
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
    for (int t = 0; t < n; t++)
        for (const BlmModelRole *r = blm_model_roles; r->kind >= 0; r++)
            if (r->kind == tries[t][0] && r->preset == tries[t][1]) {
                return load_memory(&blm_embedded_models[r->model], out);
            }
    return 0;
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

int blm_model_find(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out)
{
    *out = NULL;
    for (const BlmEmbeddedModel *e = blm_embedded_models; e->name; e++)
        if (e->size >= 32 && !memcmp(e->data + e->size - 32, hash, 32))
            return load_memory(e, out);
    if (s->model_path && file_has_hash(s->model_path, hash))
        return load_file(s->model_path, out);
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
