/* bytelmvideoenc: raw gray/RGB(A) video frames to .blm image streams.
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_VIDEO_ENC_H
#define GST_BYTELM_VIDEO_ENC_H

#include <gst/video/gstvideoencoder.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_VIDEO_ENC (gst_bytelm_video_enc_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmVideoEnc, gst_bytelm_video_enc, GST, BYTELM_VIDEO_ENC, GstVideoEncoder)

GST_ELEMENT_REGISTER_DECLARE (bytelmvideoenc);

G_END_DECLS

#endif
