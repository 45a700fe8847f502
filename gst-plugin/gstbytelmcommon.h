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
/* Media type of .blm streams holding images (gray8 or rgb24), one complete stream
 * per video frame (bytelmvideoenc, bytelmvideoparse, bytelmvideodec). */
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

/* The raw video format of an image kind (GRAY8, RGB), or UNKNOWN for other kinds;
 * and the inverse (BYTELM_KIND_BYTES for formats bytelm does not code). */
GstVideoFormat gst_bytelm_kind_to_video_format (BytelmKind kind);
BytelmKind gst_bytelm_video_format_to_kind (GstVideoFormat format);

/* Little-endian readers for the stream's fields. */
static inline guint32
gst_bytelm_rd32 (const guint8 * p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) |
      ((guint32) p[3] << 24);
}

static inline guint64
gst_bytelm_rd64 (const guint8 * p)
{
  return (guint64) gst_bytelm_rd32 (p) | ((guint64) gst_bytelm_rd32 (p + 4) << 32);
}

G_END_DECLS

#endif
