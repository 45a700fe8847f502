/*
 * Typefinder for .blm streams: the 76-byte header starts with "BYLM" and ends
 * with its CRC-32, so a valid header is a sure match. Audio streams are
 * audio/x-bytelm, image streams (also a video coded by bytelmvideoenc: one
 * image stream per frame) video/x-bytelm, byte streams application/x-bytelm.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmtypefind.h"

#include <string.h>

static void
bytelm_type_find (GstTypeFind * tf, gpointer user_data)
{
  const guint8 *data = gst_type_find_peek (tf, 0, GST_BYTELM_HEADER_SIZE);
  BytelmStreamInfo info;
  size_t hlen;

  if (!data) {
    data = gst_type_find_peek (tf, 0, 4);
    if (data && !memcmp (data, "BYLM", 4))
      gst_type_find_suggest_empty_simple (tf, GST_TYPE_FIND_POSSIBLE,
          GST_BYTELM_AUDIO_CAPS);
    return;
  }
  if (memcmp (data, "BYLM", 4))
    return;
  if (bytelm_probe_header (data, GST_BYTELM_HEADER_SIZE, &info, &hlen) < 0) {
    gst_type_find_suggest_empty_simple (tf, GST_TYPE_FIND_POSSIBLE,
        GST_BYTELM_AUDIO_CAPS);
    return;
  }
  if (info.kind == BYTELM_KIND_PCM_S16LE)
    gst_type_find_suggest_simple (tf, GST_TYPE_FIND_MAXIMUM,
        GST_BYTELM_AUDIO_CAPS, "rate", G_TYPE_INT, (gint) info.sample_rate,
        "channels", G_TYPE_INT, (gint) info.channels, NULL);
  else if (gst_bytelm_kind_caps_format (info.kind))
    gst_type_find_suggest_simple (tf, GST_TYPE_FIND_MAXIMUM,
        GST_BYTELM_VIDEO_CAPS, "parsed", G_TYPE_BOOLEAN, FALSE,
        "format", G_TYPE_STRING, gst_bytelm_kind_caps_format (info.kind),
        "width", G_TYPE_INT, (gint) info.width,
        "height", G_TYPE_INT, (gint) info.height, NULL);
  else
    gst_type_find_suggest_empty_simple (tf, GST_TYPE_FIND_MAXIMUM,
        GST_BYTELM_OTHER_CAPS);
}

static gboolean
bytelm_type_find_register (GstPlugin * plugin)
{
  GstCaps *caps = gst_caps_from_string (GST_BYTELM_AUDIO_CAPS "; "
      GST_BYTELM_VIDEO_CAPS "; " GST_BYTELM_OTHER_CAPS);
  gboolean ok = gst_type_find_register (plugin, "audio/x-bytelm",
      GST_RANK_PRIMARY, bytelm_type_find, "blm", caps, NULL, NULL);

  gst_caps_unref (caps);
  return ok;
}

GST_TYPE_FIND_REGISTER_DEFINE_CUSTOM (bytelm, bytelm_type_find_register);
