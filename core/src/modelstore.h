/*
 * Where models come from: the ones compiled into the library, an explicit file,
 * and search directories, all found by their hash (docs/MODEL.md §5).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_MODELSTORE_H
#define BYTELM_MODELSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "bytelm/bytelm.h"
#include "model.h"

/* A model the library knows by name: its weights, or only its hash when the library
 * was built without them (-Dembed_models=false), to be found in a file at run time. */
typedef struct BlmEmbeddedModel {
    const char *name;
    const unsigned char *data; /* NULL when not compiled in */
    size_t size;
    uint8_t hash[32];          /* SHA-256 of the model file, its last 32 bytes */
} BlmEmbeddedModel;

typedef struct BlmModelRole {
    int kind, preset, model; /* model indexes blm_embedded_models */
} BlmModelRole;

/* A role's kind besides the BytelmKind values: plain bytes that are text
 * (BytelmSettings.text). Only models.list and the encoder's choice know it. */
#define BLM_ROLE_TEXT 4
/* And PCM sampled at BLM_WIDE_RATE or more: music and wideband audio, whose residuals
 * differ from those of telephone and 16 kHz speech (docs/models.md). */
#define BLM_ROLE_PCM_WIDE 5
#define BLM_WIDE_RATE 32000

/* Generated from models/models.list by tools/embed_models.py. */
extern const BlmEmbeddedModel blm_embedded_models[];
extern const BlmModelRole blm_model_roles[];

typedef void (*BlmLogFn)(void *ctx, int level, const char *fmt, ...);

/* The models a library knows: the generated tables above, or a test's. */
typedef struct BlmModelTable {
    const BlmEmbeddedModel *models; /* ends with a NULL name */
    const BlmModelRole *roles;      /* ends with kind -1 */
} BlmModelTable;
extern const BlmModelTable blm_builtin_models;

/* The model an encoder uses: settings->model_path if set, else the table's model for
 * the kind (the text role for text) and preset, from memory or, when the table holds
 * only its hash, from the first file with that hash in the search path (as
 * blm_model_find). *out stays NULL (and 0 is returned) when the table has no model for
 * it; BYTELM_ENOMODEL when its file is not found. wanted (may be NULL) gets the hash of
 * the model looked for, zero for model_path. */
int blm_model_for_encoding_in(const BlmModelTable *t, const BytelmSettings *s, BlmModel **out,
                              uint8_t wanted[32]);
int blm_model_for_encoding(const BytelmSettings *s, BlmModel **out, uint8_t wanted[32]);
/* The model with this hash, from the table's compiled-in ones, settings->model_path,
 * settings->model_dir, $BYTELM_MODEL_PATH (':'-separated) and the installed model
 * directory. BYTELM_ENOMODEL if none has it. */
int blm_model_find_in(const BlmModelTable *t, const uint8_t hash[32], const BytelmSettings *s,
                      BlmModel **out);
int blm_model_find(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out);
/* A message for a model that was not found: its name when the table knows it, its
 * hash, and every place that was searched, in order. */
void blm_model_describe_missing_in(const BlmModelTable *t, const uint8_t hash[32],
                                   const BytelmSettings *s, char *buf, size_t cap);
void blm_model_describe_missing(const uint8_t hash[32], const BytelmSettings *s, char *buf,
                                size_t cap);
void blm_hash_to_hex(const uint8_t hash[32], char out[65]);

#endif
