/*
 * The bytelm GStreamer plugin: bytelmenc, bytelmdec, bytelmparse (audio),
 * bytelmvideoenc, bytelmvideodec, bytelmvideoparse (gray/RGB(A) frames) and a
 * typefinder for .blm files. See docs/GSTREAMER.md.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmcommon.h"
#include "gstbytelmdec.h"
#include "gstbytelmenc.h"
#include "gstbytelmparse.h"
#include "gstbytelmtypefind.h"
#include "gstbytelmvideodec.h"
#include "gstbytelmvideoenc.h"
#include "gstbytelmvideoparse.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = FALSE;

  GST_DEBUG_CATEGORY_INIT (gst_bytelm_debug, "bytelm", 0,
      "bytelm lossless codec");
  ok |= GST_ELEMENT_REGISTER (bytelmenc, plugin);
  ok |= GST_ELEMENT_REGISTER (bytelmdec, plugin);
  ok |= GST_ELEMENT_REGISTER (bytelmparse, plugin);
  ok |= GST_ELEMENT_REGISTER (bytelmvideoenc, plugin);
  ok |= GST_ELEMENT_REGISTER (bytelmvideodec, plugin);
  ok |= GST_ELEMENT_REGISTER (bytelmvideoparse, plugin);
  ok |= GST_TYPE_FIND_REGISTER (bytelm, plugin);
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, bytelm,
    "bytelm lossless codec: audio and video encoders, decoders, parsers "
    "and a typefinder",
    plugin_init, BYTELM_PLUGIN_VERSION, "LGPL", "bytelm",
    "https://github.com/bytelm/bytelm")
