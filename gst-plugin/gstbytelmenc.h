/* bytelmenc: 16-bit PCM to a .blm stream. SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_ENC_H
#define GST_BYTELM_ENC_H

#include <gst/audio/gstaudioencoder.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_ENC (gst_bytelm_enc_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmEnc, gst_bytelm_enc, GST, BYTELM_ENC, GstAudioEncoder)

GST_ELEMENT_REGISTER_DECLARE (bytelmenc);

G_END_DECLS

#endif
