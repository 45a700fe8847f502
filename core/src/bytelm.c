/*
 * Library-wide calls: version, error strings, default settings, logging.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bytelm/bytelm.h"
#include "format.h"
#include "log.h"

#ifndef BYTELM_VERSION_STRING
#define BYTELM_VERSION_STRING "unknown"
#endif

const char *bytelm_version(void)
{
    return BYTELM_VERSION_STRING;
}

int bytelm_api_version(void)
{
    return BYTELM_API_VERSION;
}

int blm_settings_check(const BytelmSettings *s)
{
    for (size_t i = 0; i < sizeof(s->reserved) / sizeof(s->reserved[0]); i++)
        if (s->reserved[i])
            return BYTELM_EINVAL;
    return 0;
}

const char *bytelm_strerror(int err)
{
    switch (err) {
    case BYTELM_OK: return "success";
    case BYTELM_EINVAL: return "invalid argument or settings";
    case BYTELM_ENOMEM: return "out of memory or over a size limit";
    case BYTELM_EFORMAT: return "not a bytelm stream, or a malformed header or frame";
    case BYTELM_EVERSION: return "unsupported stream or model format version";
    case BYTELM_ENOMODEL: return "the model this stream needs is not available";
    case BYTELM_EMODEL: return "malformed model file, or its hash does not match";
    case BYTELM_ECRC: return "CRC mismatch: the stream is damaged";
    case BYTELM_EMD5: return "MD5 mismatch: decoded data differs from the original";
    case BYTELM_ETRUNCATED: return "the stream is truncated";
    case BYTELM_ESTATE: return "call not allowed in the current state";
    case BYTELM_EIO: return "input/output error";
    case BYTELM_EUNSUPPORTED: return "unsupported input format";
    case BYTELM_EDESYNC: return "range decoder out of sync: the frame is damaged";
    case BYTELM_EAGAIN: return "more input needed";
    default: return "unknown error";
    }
}

void bytelm_default_settings(BytelmSettings *s)
{
    memset(s, 0, sizeof(*s));
    s->kind = BYTELM_KIND_BYTES;
    s->source = BYTELM_SOURCE_RAW;
    s->preset = BYTELM_PRESET_DEFAULT;
    s->total_units = BYTELM_UNKNOWN_LENGTH;
    s->threads = 0;
    s->log_level = BYTELM_LOG_WARNING;
}

int bytelm_probe_header(const void *buf, size_t len, BytelmStreamInfo *info, size_t *header_len)
{
    BlmHeader h;
    int ret = blm_header_read(buf, len, &h);
    if (ret < 0)
        return ret;
    blm_header_to_info(&h, info);
    if (header_len)
        *header_len = BLM_HEADER_SIZE;
    return 0;
}

void blm_log(const BlmLog *log, int level, const char *fmt, ...)
{
    if (!log || !log->cb || level > log->level)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log->cb(log->opaque, level, msg);
}
