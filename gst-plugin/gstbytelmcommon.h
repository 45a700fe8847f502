/*
 * Shared helpers of the bytelm GStreamer elements: caps names, channel layouts,
 * the preset enum and the library's log routed to GStreamer's debug log.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GST_BYTELM_COMMON_H
#define GST_BYTELM_COMMON_H

#include <gst/gst.h>
#include <gst/audio/audio.h>
#include <gst/video/video.h>

#include <bytelm/bytelm.h>

G_BEGIN_DECLS

GST_DEBUG_CATEGORY_EXTERN (gst_bytelm_debug);

/* Media type of a .blm stream holding 16-bit PCM (docs/GSTREAMER.md). */
#define GST_BYTELM_AUDIO_CAPS "audio/x-bytelm"
/* Media type of .blm streams holding images (any image kind, its format field
 * from gst_bytelm_kind_caps_format), one complete stream per video frame
 * (bytelmvideoenc, bytelmvideoparse, bytelmvideodec). */
#define GST_BYTELM_VIDEO_CAPS "video/x-bytelm"
/* A .blm stream of bytes: typefinding only, no element takes it. */
#define GST_BYTELM_OTHER_CAPS "application/x-bytelm"

#define GST_BYTELM_HEADER_SIZE 76

/* What GStreamer 1.22's matroskademux gives for a bytelm track of a Matroska file
 * (FFmpeg writes them, docs/FFMPEG.md): it knows neither CodecID, so the caps hold
 * the CodecID only, not the CodecPrivate (the stream header). The blocks are the
 * packets: for audio a frame each and then the trailer, for video one image each,
 * its frames and trailer without the header. */
#define GST_BYTELM_MKV_AUDIO_CAPS "audio/x-unknown, codec-id = (string) A_BYTELM"
#define GST_BYTELM_MKV_VIDEO_CAPS "video/x-unknown, codec-id = (string) V_BYTELM"

/* The type of the chunk (BytelmChunkType) that buf starts with, told by its first
 * bytes, or -1 when none does. Whether the chunk is whole and sound is for
 * bytelm_chunk_parse on all of it to say. */
gint gst_bytelm_buffer_chunk_type (GstBuffer * buf);

/* TRUE for caps of a Matroska track (either of the above). */
gboolean gst_bytelm_caps_are_matroska (const GstCaps * caps);

/* The stream header (GST_BYTELM_HEADER_SIZE bytes) of a Matroska track: the caps'
 * codec_data when the demuxer gives it, else the track's CodecPrivate read from the
 * file upstream (a URI query; local files only), which must hold exactly one valid
 * header of an audio (audio TRUE) or image kind. NULL after an error message. */
GstBuffer *gst_bytelm_matroska_header (GstElement * element, GstPad * sinkpad,
    const GstCaps * caps, gboolean audio);

#define GST_TYPE_BYTELM_PRESET (gst_bytelm_preset_get_type ())
GType gst_bytelm_preset_get_type (void);

/* What the library last logged at error level, kept for error messages. */
typedef struct {
  GstObject *obj;
  gchar last_error[256];
} GstBytelmLog;

void gst_bytelm_log_init (GstBytelmLog * log, gpointer element);
void gst_bytelm_log_callback (void *opaque, int level, const char *msg);
/* What the library logged at error level since the settings were made, else the
 * text of ret. */
const gchar *gst_bytelm_log_error (const GstBytelmLog * log, int ret);

/* The properties of the encoders and decoders. Each element keeps a GstBytelmProps
 * in its instance and installs those it has (a mask of GST_BYTELM_PROP_BIT), which
 * also makes the common set_property and get_property its class's. */
enum {
  GST_BYTELM_PROP_PRESET = 1,
  GST_BYTELM_PROP_MODEL,
  GST_BYTELM_PROP_MODEL_DIR,
  GST_BYTELM_PROP_THREADS,
  GST_BYTELM_PROP_FRAME_SIZE,
};
#define GST_BYTELM_PROP_BIT(id) (1u << (id))
#define GST_BYTELM_DECODER_PROPS (GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_MODEL) \
    | GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_MODEL_DIR))
#define GST_BYTELM_ENCODER_PROPS (GST_BYTELM_DECODER_PROPS \
    | GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_PRESET) \
    | GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_THREADS) \
    | GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_FRAME_SIZE))

/* Their values, under the element's object lock. */
typedef struct {
  gint preset;
  gchar *model;
  gchar *model_dir;
  gint threads;
  guint frame_size;
} GstBytelmProps;

void gst_bytelm_props_init (GstBytelmProps * props);
void gst_bytelm_props_clear (GstBytelmProps * props);
/* offset: where the instance keeps its GstBytelmProps (G_STRUCT_OFFSET);
 * decoder: the model properties speak of the stream's model; frame-size (when in
 * mask) counts units of the element's kind, blurb and maximum given. */
void gst_bytelm_props_install (GObjectClass * klass, gsize offset, guint mask,
    gboolean decoder, const gchar * frame_size_blurb, guint frame_size_max);

/* Library settings: the defaults, then the element's log (its last error cleared)
 * and its properties. Call with the object lock held and keep it until the
 * encoder or decoder is open: the settings point at the property strings. */
void gst_bytelm_settings_init (BytelmSettings * s, const GstBytelmProps * props,
    GstBytelmLog * log);

/* Posts the error for a stream whose model (hash) was not found. */
void gst_bytelm_post_missing_model (GstElement * element,
    const guint8 hash[32], int ret);

/* WAVE_FORMAT_EXTENSIBLE channel mask of a GstAudioInfo. Fills wav_order with the
 * positions in WAVE order (the order bytelm stores channels in) and returns the mask;
 * 0 (unspecified) when the layout is mono, unpositioned, or has a position WAVE
 * cannot express; then wav_order is a copy of the info's positions. */
guint32 gst_bytelm_info_to_mask (const GstAudioInfo * info,
    GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS]);

/* The inverse: positions in WAVE order (the stream's) and in GStreamer's valid order
 * (the caps'). Returns FALSE when the stream has no usable layout: for 1 and 2
 * channels the default mono/stereo layout is filled in, for more both arrays are
 * GST_AUDIO_CHANNEL_POSITION_NONE. */
gboolean gst_bytelm_mask_to_positions (guint32 mask, guint channels,
    GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS],
    GstAudioChannelPosition gst_order[BYTELM_MAX_CHANNELS]);

/* The raw video format of an image kind (GRAY8, RGB, RGBA, GRAY16_LE,
 * RGBA64_LE: the same bytes in the same order), or UNKNOWN for the other kinds,
 * gray+alpha and RGB48 among them, which GStreamer 1.22 has no format for; and
 * the inverse (BYTELM_KIND_BYTES for formats bytelm does not code). */
GstVideoFormat gst_bytelm_kind_to_video_format (BytelmKind kind);
BytelmKind gst_bytelm_video_format_to_kind (GstVideoFormat format);

/* The format field of video/x-bytelm caps for an image kind: the raw format's
 * name, else GRAYA8, GRAYA16_LE or RGB48_LE; NULL for audio and bytes. */
const gchar *gst_bytelm_kind_caps_format (BytelmKind kind);

/* The formats of video/x-raw that the video elements take and give, and the
 * format field of their video/x-bytelm caps. */
#define GST_BYTELM_RAW_FORMATS "{ GRAY8, RGB, RGBA, GRAY16_LE, RGBA64_LE }"
#define GST_BYTELM_CODED_FORMATS "{ GRAY8, RGB, RGBA, GRAY16_LE, RGBA64_LE, " \
    "GRAYA8, GRAYA16_LE, RGB48_LE }"

G_END_DECLS

#endif
