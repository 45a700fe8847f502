/*
 * bytelm command-line tool: 16-bit PCM WAV reading and writing via libsndfile.
 *
 * libsndfile parses every RIFF variant we meet (WAVE_FORMAT_PCM, EXTENSIBLE,
 * RF64) and exposes the EXTENSIBLE speaker mask only as a channel map, so the
 * mask is converted here in both directions.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "wav_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sndfile.h>

#define MAX_CHANNELS 8
#define MAX_RATE 768000

/* libsndfile channel map entries in WAVE speaker-mask bit order (bit 0 first),
 * the order libsndfile's own wavlike.c uses. */
static const int mask_bit_to_map[18] = {
    SF_CHANNEL_MAP_LEFT, SF_CHANNEL_MAP_RIGHT, SF_CHANNEL_MAP_CENTER, SF_CHANNEL_MAP_LFE,
    SF_CHANNEL_MAP_REAR_LEFT, SF_CHANNEL_MAP_REAR_RIGHT,
    SF_CHANNEL_MAP_FRONT_LEFT_OF_CENTER, SF_CHANNEL_MAP_FRONT_RIGHT_OF_CENTER,
    SF_CHANNEL_MAP_REAR_CENTER, SF_CHANNEL_MAP_SIDE_LEFT, SF_CHANNEL_MAP_SIDE_RIGHT,
    SF_CHANNEL_MAP_TOP_CENTER, SF_CHANNEL_MAP_TOP_FRONT_LEFT, SF_CHANNEL_MAP_TOP_FRONT_CENTER,
    SF_CHANNEL_MAP_TOP_FRONT_RIGHT, SF_CHANNEL_MAP_TOP_REAR_LEFT,
    SF_CHANNEL_MAP_TOP_REAR_CENTER, SF_CHANNEL_MAP_TOP_REAR_RIGHT,
};

static int map_to_mask_bit(int id)
{
    /* Other formats distinguish FRONT_LEFT from LEFT; WAVE does not. */
    switch (id) {
    case SF_CHANNEL_MAP_FRONT_LEFT: id = SF_CHANNEL_MAP_LEFT; break;
    case SF_CHANNEL_MAP_FRONT_RIGHT: id = SF_CHANNEL_MAP_RIGHT; break;
    case SF_CHANNEL_MAP_FRONT_CENTER: id = SF_CHANNEL_MAP_CENTER; break;
    default: break;
    }
    for (int bit = 0; bit < 18; bit++)
        if (mask_bit_to_map[bit] == id)
            return bit;
    return -1;
}

uint32_t wav_mask_from_channel_map(const int *map, int channels)
{
    uint32_t mask = 0;
    for (int c = 0; c < channels; c++) {
        int bit = map_to_mask_bit(map[c]);
        if (bit >= 0)
            mask |= 1u << bit;
    }
    return mask;
}

int wav_channel_map_from_mask(uint32_t mask, int *map, int channels)
{
    int n = 0;
    for (int bit = 0; bit < 18 && n < channels; bit++)
        if (mask & (1u << bit))
            map[n++] = mask_bit_to_map[bit];
    for (int c = n; c < channels; c++)
        map[c] = SF_CHANNEL_MAP_INVALID;
    return n;
}

/* Names the sample encoding of a file we refuse, so the message says what
 * was found rather than just "unsupported". */
static const char *subformat_name(int sub)
{
    switch (sub) {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8: return "8-bit PCM";
    case SF_FORMAT_PCM_24: return "24-bit PCM";
    case SF_FORMAT_PCM_32: return "32-bit integer PCM";
    case SF_FORMAT_FLOAT: return "32-bit float";
    case SF_FORMAT_DOUBLE: return "64-bit float";
    case SF_FORMAT_ULAW: return "u-law";
    case SF_FORMAT_ALAW: return "A-law";
    case SF_FORMAT_IMA_ADPCM: return "IMA ADPCM";
    case SF_FORMAT_MS_ADPCM: return "Microsoft ADPCM";
    case SF_FORMAT_GSM610: return "GSM 6.10";
    case SF_FORMAT_G721_32: return "G.721 ADPCM";
    case SF_FORMAT_G723_24:
    case SF_FORMAT_G723_40: return "G.723 ADPCM";
    default: return NULL;
    }
}

/* The INFO fields libsndfile reads and writes in WAV. Not SOFTWARE: it names the
 * program that wrote the file (libsndfile appends itself), not the recording. */
static const struct {
    int sf;
    const char *key;
} wav_tags[] = {
    {SF_STR_TITLE, "TITLE"},   {SF_STR_ARTIST, "ARTIST"},   {SF_STR_ALBUM, "ALBUM"},
    {SF_STR_TRACKNUMBER, "TRACKNUMBER"}, {SF_STR_DATE, "DATE"}, {SF_STR_GENRE, "GENRE"},
    {SF_STR_COMMENT, "COMMENT"}, {SF_STR_COPYRIGHT, "COPYRIGHT"},
};
#define N_WAV_TAGS (sizeof wav_tags / sizeof wav_tags[0])

struct WavReader {
    SNDFILE *sf;
    int channels;
    short *buf;
    size_t buf_frames;
};

int wav_reader_open(WavReader **rp, int fd, WavInfo *info, char *err, size_t errlen)
{
    *rp = NULL;
    SF_INFO si;
    memset(&si, 0, sizeof si);
    SNDFILE *sf = sf_open_fd(fd, SFM_READ, &si, 0);
    if (!sf) {
        snprintf(err, errlen, "cannot read WAV file: %s", sf_strerror(NULL));
        return -1;
    }
    int major = si.format & SF_FORMAT_TYPEMASK;
    int sub = si.format & SF_FORMAT_SUBMASK;
    if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX && major != SF_FORMAT_RF64) {
        snprintf(err, errlen, "not a WAV file (libsndfile format 0x%x)", (unsigned)major);
        goto fail;
    }
    if (sub != SF_FORMAT_PCM_16) {
        const char *name = subformat_name(sub);
        if (name)
            snprintf(err, errlen, "%s WAV is not supported; bytelm codes 16-bit PCM only", name);
        else
            snprintf(err, errlen, "WAV with sample encoding 0x%x is not supported; "
                     "bytelm codes 16-bit PCM only", (unsigned)sub);
        goto fail;
    }
    if (si.channels < 1 || si.channels > MAX_CHANNELS) {
        snprintf(err, errlen, "WAV with %d channels is not supported; bytelm codes 1 to %d",
                 si.channels, MAX_CHANNELS);
        goto fail;
    }
    if (si.samplerate < 1 || si.samplerate > MAX_RATE) {
        snprintf(err, errlen, "WAV sample rate %d Hz is not supported (1 to %d)",
                 si.samplerate, MAX_RATE);
        goto fail;
    }
    /* B-format channels are not speakers; coding them as plain PCM would
     * silently drop that meaning on the way back. */
    if (sf_command(sf, SFC_WAVEX_GET_AMBISONIC, NULL, 0) == SF_AMBISONIC_B_FORMAT) {
        snprintf(err, errlen, "Ambisonic B-format WAV is not supported");
        goto fail;
    }

    int map[MAX_CHANNELS];
    uint32_t mask = 0;
    if (sf_command(sf, SFC_GET_CHANNEL_MAP_INFO, map, (int)(sizeof map[0] * (size_t)si.channels))
        == SF_TRUE)
        mask = wav_mask_from_channel_map(map, si.channels);

    WavReader *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    r->sf = sf;
    r->channels = si.channels;
    info->sample_rate = (uint32_t)si.samplerate;
    info->channels = (uint32_t)si.channels;
    info->channel_mask = mask;
    info->frames = si.frames > 0 ? (uint64_t)si.frames : 0;
    *rp = r;
    return 0;
fail:
    sf_close(sf);
    return -1;
}

long wav_reader_read(WavReader *r, uint8_t *out, size_t max_frames, char *err, size_t errlen)
{
    if (max_frames > r->buf_frames) {
        short *b = realloc(r->buf, max_frames * (size_t)r->channels * sizeof *b);
        if (!b) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        r->buf = b;
        r->buf_frames = max_frames;
    }
    sf_count_t n = sf_readf_short(r->sf, r->buf, (sf_count_t)max_frames);
    if (n < 0 || (n == 0 && sf_error(r->sf))) {
        snprintf(err, errlen, "read error: %s", sf_strerror(r->sf));
        return -1;
    }
    /* The library takes little-endian bytes whatever the host order. */
    size_t samples = (size_t)n * (size_t)r->channels;
    for (size_t i = 0; i < samples; i++) {
        uint16_t v = (uint16_t)r->buf[i];
        out[2 * i] = (uint8_t)(v & 0xff);
        out[2 * i + 1] = (uint8_t)(v >> 8);
    }
    return (long)n;
}

void wav_reader_close(WavReader **rp)
{
    WavReader *r = *rp;
    if (!r)
        return;
    sf_close(r->sf);
    free(r->buf);
    free(r);
    *rp = NULL;
}

int wav_reader_tags(WavReader *r, int (*add)(void *opaque, const char *key, const char *value),
                    void *opaque)
{
    for (size_t i = 0; i < N_WAV_TAGS; i++) {
        const char *v = sf_get_string(r->sf, wav_tags[i].sf);
        if (v && *v && add(opaque, wav_tags[i].key, v) < 0)
            return -1;
    }
    return 0;
}

struct WavWriter {
    SNDFILE *sf;
    unsigned tags_set;       /* bit i: wav_tags[i] has its value */
    int fd;
    int channels;
    uint32_t mask;
    short *buf;
    size_t buf_frames;
};

int wav_writer_open(WavWriter **wp, int fd, const WavInfo *info, char *err, size_t errlen)
{
    *wp = NULL;
    SF_INFO si;
    memset(&si, 0, sizeof si);
    si.samplerate = (int)info->sample_rate;
    si.channels = (int)info->channels;
    /* A plain RIFF header stops at 4 GiB. When the length is unknown or too
     * big, write RF64 and let libsndfile fall back to WAV if it fits. */
    uint64_t data_bytes = info->frames * 2u * info->channels;
    int big = info->frames == UINT64_MAX || data_bytes > 0xFFFFFFFFu - 4096u;
    int major = big ? SF_FORMAT_RF64 : info->channel_mask ? SF_FORMAT_WAVEX : SF_FORMAT_WAV;
    si.format = major | SF_FORMAT_PCM_16;
    SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &si, 0);
    if (!sf) {
        snprintf(err, errlen, "cannot write WAV file: %s", sf_strerror(NULL));
        return -1;
    }
    if (big)
        sf_command(sf, SFC_RF64_AUTO_DOWNGRADE, NULL, SF_TRUE);
    if (info->channel_mask) {
        int map[MAX_CHANNELS];
        /* libsndfile can only express masks with one bit per channel; others
         * are written by wav_writer_close() patching the header. */
        if (wav_channel_map_from_mask(info->channel_mask, map, si.channels) == si.channels)
            sf_command(sf, SFC_SET_CHANNEL_MAP_INFO, map,
                       (int)(sizeof map[0] * (size_t)si.channels));
    }
    WavWriter *w = calloc(1, sizeof *w);
    if (!w) {
        sf_close(sf);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    w->sf = sf;
    w->fd = fd;
    w->channels = si.channels;
    w->mask = info->channel_mask;
    *wp = w;
    return 0;
}

int wav_writer_write(WavWriter *w, const uint8_t *in, size_t frames, char *err, size_t errlen)
{
    if (frames > w->buf_frames) {
        short *b = realloc(w->buf, frames * (size_t)w->channels * sizeof *b);
        if (!b) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        w->buf = b;
        w->buf_frames = frames;
    }
    size_t samples = frames * (size_t)w->channels;
    for (size_t i = 0; i < samples; i++)
        w->buf[i] = (short)(int16_t)(uint16_t)(in[2 * i] | (in[2 * i + 1] << 8));
    if (sf_writef_short(w->sf, w->buf, (sf_count_t)frames) != (sf_count_t)frames) {
        snprintf(err, errlen, "write error: %s", sf_strerror(w->sf));
        return -1;
    }
    return 0;
}

int wav_writer_set_tag(WavWriter *w, const char *key, const char *value)
{
    for (size_t i = 0; i < N_WAV_TAGS; i++) {
        if (strcasecmp(key, wav_tags[i].key))
            continue;
        if (w->tags_set & 1u << i)
            return 1;
        w->tags_set |= 1u << i;
        return sf_set_string(w->sf, wav_tags[i].sf, value) ? -1 : 1;
    }
    return 0;
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Puts the exact speaker mask into the EXTENSIBLE 'fmt ' chunk of a finished
 * file. Needed when the mask has fewer bits than channels, which a libsndfile
 * channel map cannot say (it would write 0 or a default). */
static int patch_channel_mask(int fd, uint32_t mask, char *err, size_t errlen)
{
    uint8_t hdr[4096];
    ssize_t n = pread(fd, hdr, sizeof hdr, 0);
    if (n < 12) {
        snprintf(err, errlen, "cannot re-read WAV header: %s", n < 0 ? strerror(errno) : "short file");
        return -1;
    }
    size_t pos = 12;
    while (pos + 8 <= (size_t)n) {
        uint32_t size = rd32(hdr + pos + 4);
        if (!memcmp(hdr + pos, "fmt ", 4)) {
            const uint8_t *fmt = hdr + pos + 8;
            if (size < 40 || pos + 8 + 24 > (size_t)n || (fmt[0] | fmt[1] << 8) != 0xFFFE) {
                snprintf(err, errlen, "cannot store channel mask 0x%x: no EXTENSIBLE format chunk",
                         (unsigned)mask);
                return -1;
            }
            if (rd32(fmt + 20) == mask)
                return 0;
            uint8_t m[4] = {(uint8_t)mask, (uint8_t)(mask >> 8), (uint8_t)(mask >> 16),
                            (uint8_t)(mask >> 24)};
            if (pwrite(fd, m, 4, (off_t)(pos + 8 + 20)) != 4) {
                snprintf(err, errlen, "cannot write channel mask: %s", strerror(errno));
                return -1;
            }
            return 0;
        }
        pos += 8 + (size_t)size + (size & 1);
    }
    snprintf(err, errlen, "cannot store channel mask: no format chunk found");
    return -1;
}

int wav_writer_close(WavWriter **wp, char *err, size_t errlen)
{
    WavWriter *w = *wp;
    if (!w)
        return 0;
    int ret = 0;
    /* sf_close() rewrites the header with the final sizes; only then is the
     * format chunk in its final place. */
    if (sf_close(w->sf) != 0) {
        snprintf(err, errlen, "cannot finish WAV file: %s", sf_strerror(NULL));
        ret = -1;
    }
    if (!ret && w->mask)
        ret = patch_channel_mask(w->fd, w->mask, err, errlen);
    free(w->buf);
    free(w);
    *wp = NULL;
    return ret;
}
