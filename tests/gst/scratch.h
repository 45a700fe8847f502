/*
 * A scratch folder for the GStreamer tests' files: one per test process (check forks
 * one per test), emptied and removed when the process exits, so that the suites
 * leave nothing in /tmp. Included by one test program each, hence static.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef BYTELM_TESTS_GST_SCRATCH_H
#define BYTELM_TESTS_GST_SCRATCH_H

#include <gst/check/gstcheck.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static gchar *scratch_dir;

static void
scratch_remove (void)
{
  GDir *d = g_dir_open (scratch_dir, 0, NULL);
  if (d) {
    const gchar *name;
    while ((name = g_dir_read_name (d))) {
      gchar *path = g_build_filename (scratch_dir, name, NULL);
      g_remove (path);
      g_free (path);
    }
    g_dir_close (d);
  }
  g_rmdir (scratch_dir);
}

/* NAME's path in the folder, made on the first call (prefix as g_dir_make_tmp's). */
static gchar *
scratch_path (const gchar * prefix, const gchar * name)
{
  if (!scratch_dir) {
    scratch_dir = g_dir_make_tmp (prefix, NULL);
    fail_unless (scratch_dir != NULL);
    atexit (scratch_remove);
  }
  return g_build_filename (scratch_dir, name, NULL);
}

#endif
