/* bytelmvideodec: .blm image streams back to gray/RGB(A) video frames.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_VIDEO_DEC_H
#define GST_BYTELM_VIDEO_DEC_H

#include <gst/video/gstvideodecoder.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_VIDEO_DEC (gst_bytelm_video_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmVideoDec, gst_bytelm_video_dec, GST, BYTELM_VIDEO_DEC, GstVideoDecoder)

GST_ELEMENT_REGISTER_DECLARE (bytelmvideodec);

G_END_DECLS

#endif
