/* bytelmvideoparse: splits concatenated .blm image streams, one per frame.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_VIDEO_PARSE_H
#define GST_BYTELM_VIDEO_PARSE_H

#include <gst/base/gstbaseparse.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_VIDEO_PARSE (gst_bytelm_video_parse_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmVideoParse, gst_bytelm_video_parse, GST, BYTELM_VIDEO_PARSE, GstBaseParse)

GST_ELEMENT_REGISTER_DECLARE (bytelmvideoparse);

G_END_DECLS

#endif
