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

typedef struct BlmEmbeddedModel {
    const char *name;
    const unsigned char *data;
    size_t size;
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

/* The model an encoder uses: settings->model_path if set, else the built-in model for
 * the kind (the text role for text) and preset. *out stays NULL (and 0 is returned) when
 * no model is built in. */
int blm_model_for_encoding(const BytelmSettings *s, BlmModel **out);
/* The model with this hash, from the built-in ones, settings->model_path,
 * settings->model_dir, $BYTELM_MODEL_PATH (':'-separated) and the installed model
 * directory. BYTELM_ENOMODEL if none has it. */
int blm_model_find(const uint8_t hash[32], const BytelmSettings *s, BlmModel **out);
void blm_hash_to_hex(const uint8_t hash[32], char out[65]);

#endif
