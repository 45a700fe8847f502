/*
 * What a player gets after a seek: decodes FILE with `filesrc ! decodebin !
 * audioconvert` from SECONDS on (a flushing, accurate seek made in PAUSED) and
 * writes the samples, S16LE interleaved, to OUT. Used by tests/ffmpeg/interop-gst.sh
 * (bytelm in FFmpeg's Matroska files); gst-launch-1.0 cannot seek.
 *   usage: gst_seek FILE SECONDS OUT
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer out)
{
  GstMapInfo map;

  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    fwrite (map.data, 1, map.size, out);
    gst_buffer_unmap (buf, &map);
  }
}

/* Waits for a message of that type; FALSE on an error message or a timeout. */
static gboolean
wait_for (GstElement * pipeline, GstMessageType type)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      type | GST_MESSAGE_ERROR);
  gboolean ok = msg && GST_MESSAGE_TYPE (msg) == type;

  if (!msg) {
    fprintf (stderr, "gst_seek: timeout\n");
  } else if (!ok) {
    GError *err = NULL;
    gchar *debug = NULL;

    gst_message_parse_error (msg, &err, &debug);
    fprintf (stderr, "gst_seek: error: %s (%s)\n", err->message,
        GST_STR_NULL (debug));
    g_clear_error (&err);
    g_free (debug);
  }
  if (msg)
    gst_message_unref (msg);
  gst_object_unref (bus);
  return ok;
}

int
main (int argc, char **argv)
{
  GstElement *pipeline, *src, *sink;
  GError *err = NULL;
  FILE *out;
  gboolean ok;

  gst_init (&argc, &argv);
  if (argc != 4) {
    fprintf (stderr, "usage: gst_seek FILE SECONDS OUT\n");
    return 2;
  }
  out = fopen (argv[3], "wb");
  if (!out) {
    perror (argv[3]);
    return 1;
  }
  pipeline = gst_parse_launch ("filesrc name=src ! decodebin ! audioconvert ! "
      "audio/x-raw,format=S16LE ! fakesink name=sink sync=false "
      "signal-handoffs=true", &err);
  if (!pipeline) {
    fprintf (stderr, "gst_seek: %s\n", err->message);
    return 1;
  }
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (src, "location", argv[1], NULL);
  /* render only: a prerolled buffer of PAUSED is not written */
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), out);

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  ok = wait_for (pipeline, GST_MESSAGE_ASYNC_DONE);
  if (ok && !gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE,
          (GstClockTime) (atof (argv[2]) * GST_SECOND + 0.5))) {
    fprintf (stderr, "gst_seek: the seek failed\n");
    ok = FALSE;
  }
  if (ok)
    ok = wait_for (pipeline, GST_MESSAGE_ASYNC_DONE);
  if (ok) {
    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    ok = wait_for (pipeline, GST_MESSAGE_EOS);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return fclose (out) == 0 && ok ? 0 : 1;
}
