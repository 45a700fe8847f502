/* Typefinder for .blm streams. SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef GST_BYTELM_TYPEFIND_H
#define GST_BYTELM_TYPEFIND_H

#include "gstbytelmcommon.h"

G_BEGIN_DECLS

GST_TYPE_FIND_REGISTER_DECLARE (bytelm);

G_END_DECLS

#endif
