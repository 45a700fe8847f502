/* bytelmparse: splits a .blm byte stream into packets. SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_PARSE_H
#define GST_BYTELM_PARSE_H

#include <gst/base/gstbaseparse.h>

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

#define GST_TYPE_BYTELM_PARSE (gst_bytelm_parse_get_type ())
G_DECLARE_FINAL_TYPE (GstBytelmParse, gst_bytelm_parse, GST, BYTELM_PARSE, GstBaseParse)

GST_ELEMENT_REGISTER_DECLARE (bytelmparse);

G_END_DECLS

#endif
