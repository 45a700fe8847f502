/* bytelmdec: .blm packets back to 16-bit PCM. SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_DEC_H
#define GST_BYTELM_DEC_H

#include <gst/audio/gstaudiodecoder.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_DEC (gst_bytelm_dec_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmDec, gst_bytelm_dec, GST, BYTELM_DEC, GstAudioDecoder)

GST_ELEMENT_REGISTER_DECLARE (bytelmdec);

G_END_DECLS

#endif
