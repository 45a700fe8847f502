/*
 * bytelmparse: a GstBaseParse that cuts a .blm byte stream (docs/FORMAT.md) into
 * a header buffer, one buffer per frame (timestamp first_unit / rate, duration
 * n_units / rate) and the trailer. Frames are checked against their CRC-32 before
 * they go out, so a damaged or truncated stream is reported here, and so a
 * resync (after a seek or garbage) only locks on real frames.
 *
 * When it reads a file (pull mode) it also reads the trailer from the end: its
 * total gives the duration when the header did not know it (a stream written
 * from a live source), and its seek table becomes the base class's index, so
 * seeks land on the right frame at once.
 *
 * A tags chunk after the header (docs/FORMAT.md §1.1) becomes a stream tag list,
 * so that decodebin, gst-discoverer and wavenc see title, artist and the rest;
 * the chunk itself goes on as a header buffer, so the stream written downstream
 * stays whole.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmparse.h"

#include <string.h>

#include <gst/tag/tag.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

struct _GstBytelmParse {
  GstBaseParse parent;

  gboolean have_header;
  guint8 header[GST_BYTELM_HEADER_SIZE];
  BytelmStreamInfo info;
  gboolean read_end;            /* tried reading the trailer from the end */
};

G_DEFINE_TYPE (GstBytelmParse, gst_bytelm_parse, GST_TYPE_BASE_PARSE);
GST_ELEMENT_REGISTER_DEFINE (bytelmparse, "bytelmparse", GST_RANK_PRIMARY + 1,
    GST_TYPE_BYTELM_PARSE);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_AUDIO_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_AUDIO_CAPS ", framed = (boolean) true, "
        "rate = (int) [ 1, 768000 ], channels = (int) [ 1, 8 ]"));

static gboolean
gst_bytelm_parse_start (GstBaseParse * parse)
{
  GstBytelmParse *self = GST_BYTELM_PARSE (parse);

  self->have_header = FALSE;
  self->read_end = FALSE;
  memset (&self->info, 0, sizeof (self->info));
  gst_base_parse_set_min_frame_size (parse, GST_BYTELM_HEADER_SIZE);
  gst_base_parse_set_has_timing_info (parse, TRUE);
  return TRUE;
}

static GstClockTime
units_to_time (GstBytelmParse * self, guint64 units)
{
  return gst_util_uint64_scale (units, GST_SECOND, self->info.sample_rate);
}

/* Pull mode only: reads the trailer at the end of the file for the duration and
 * the seek table. A missing or damaged trailer is not an error here. */
static void
gst_bytelm_parse_read_end (GstBytelmParse * self)
{
  GstBaseParse *parse = GST_BASE_PARSE (self);
  GstPad *sinkpad = GST_BASE_PARSE_SINK_PAD (parse);
  GstBuffer *buf = NULL;
  GstMapInfo map;
  BytelmChunk c;
  gint64 len = 0;
  guint64 tsize = 0, tags = 0;
  const guint tail = 8;         /* the trailer's last bytes tell its size */
  int ret;

  self->read_end = TRUE;
  if (GST_PAD_MODE (sinkpad) != GST_PAD_MODE_PULL
      || !gst_pad_peer_query_duration (sinkpad, GST_FORMAT_BYTES, &len)
      || len < GST_BYTELM_HEADER_SIZE + tail)
    return;
  if (gst_pad_pull_range (sinkpad, (guint64) len - tail, tail, &buf)
      != GST_FLOW_OK)
    return;
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    ret = bytelm_chunk_trailer_size (map.data, map.size, &tsize);
    gst_buffer_unmap (buf, &map);
  } else {
    ret = BYTELM_EAGAIN;
  }
  gst_clear_buffer (&buf);
  if (ret < 0 || tsize > (guint64) len - GST_BYTELM_HEADER_SIZE) {
    GST_WARNING_OBJECT (self, "no trailer at the end of the file");
    return;
  }
  /* the seek table does not count a tags chunk after the header */
  if (gst_pad_pull_range (sinkpad, GST_BYTELM_HEADER_SIZE, tail, &buf)
      != GST_FLOW_OK)
    return;
  if (gst_buffer_map (buf, &map, GST_MAP_READ)) {
    if (bytelm_chunk_parse (map.data, map.size, NULL, &c) == BYTELM_EAGAIN
        && c.type == BYTELM_CHUNK_TAGS)
      tags = c.size;
    gst_buffer_unmap (buf, &map);
  }
  gst_clear_buffer (&buf);
  if (gst_pad_pull_range (sinkpad, (guint64) len - tsize, (guint) tsize, &buf)
      != GST_FLOW_OK)
    return;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return;
  }
  if (bytelm_chunk_parse (map.data, map.size, &self->info, &c) == 0
      && c.type == BYTELM_CHUNK_TRAILER && c.size == map.size) {
    GST_INFO_OBJECT (self, "trailer: %" G_GUINT64_FORMAT " units in %u frames",
        c.total_units, c.n_frames);
    gst_base_parse_set_duration (parse, GST_FORMAT_TIME,
        (gint64) units_to_time (self, c.total_units), 0);
    for (guint32 i = 0; i < c.n_frames; i++) {
      guint64 offset, first;
      bytelm_chunk_seek_entry (map.data, map.size, i, &offset, &first);
      gst_base_parse_add_index_entry (parse, tags + offset,
          units_to_time (self, first), TRUE, TRUE);
    }
  } else {
    GST_WARNING_OBJECT (self, "damaged trailer at the end of the file");
  }
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
}

static GstFlowReturn
gst_bytelm_parse_header (GstBytelmParse * self, GstBaseParseFrame * frame,
    const guint8 * data, gsize size, gint * consume)
{
  GstBaseParse *parse = GST_BASE_PARSE (self);
  size_t hlen;
  int ret = bytelm_probe_header (data, size, &self->info, &hlen);

  if (ret < 0) {                /* bytelm_chunk_parse checked it */
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm stream header: %s", bytelm_strerror (ret)), (NULL));
    return GST_FLOW_ERROR;
  }
  if (self->info.kind != BYTELM_KIND_PCM_S16LE) {
    GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
        ("This bytelm stream holds images or bytes, not audio"), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  self->have_header = TRUE;
  memcpy (self->header, data, GST_BYTELM_HEADER_SIZE);

  GstBuffer *hdr = gst_buffer_new_memdup (data, hlen);
  GST_BUFFER_FLAG_SET (hdr, GST_BUFFER_FLAG_HEADER);
  GstCaps *caps = gst_caps_new_simple (GST_BYTELM_AUDIO_CAPS,
      "framed", G_TYPE_BOOLEAN, TRUE,
      "rate", G_TYPE_INT, (gint) self->info.sample_rate,
      "channels", G_TYPE_INT, (gint) self->info.channels, NULL);
  {
    GValue array = G_VALUE_INIT, value = G_VALUE_INIT;
    g_value_init (&array, GST_TYPE_ARRAY);
    g_value_init (&value, GST_TYPE_BUFFER);
    gst_value_set_buffer (&value, hdr);
    gst_value_array_append_and_take_value (&array, &value);
    gst_structure_take_value (gst_caps_get_structure (caps, 0),
        "streamheader", &array);
  }
  gst_buffer_unref (hdr);
  gst_pad_set_caps (GST_BASE_PARSE_SRC_PAD (parse), caps);
  gst_caps_unref (caps);

  if (self->info.total_units != BYTELM_UNKNOWN_LENGTH)
    gst_base_parse_set_duration (parse, GST_FORMAT_TIME,
        (gint64) units_to_time (self, self->info.total_units), 0);
  if (!self->read_end)
    gst_bytelm_parse_read_end (self);

  GST_BUFFER_FLAG_SET (frame->buffer, GST_BUFFER_FLAG_HEADER);
  GST_BUFFER_PTS (frame->buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (frame->buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (frame->buffer) = GST_CLOCK_TIME_NONE;
  frame->flags |= GST_BASE_PARSE_FRAME_FLAG_NO_FRAME;
  *consume = (gint) hlen;
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_bytelm_parse_lost (GstBytelmParse * self, const guint8 * data, gsize size,
    gint * skipsize, const gchar * what)
{
  if (!GST_BASE_PARSE_LOST_SYNC (self)) {
    /* the previous packet ended here: the stream is damaged */
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm stream: %s", what), (NULL));
    return GST_FLOW_ERROR;
  }
  GST_DEBUG_OBJECT (self, "resync: %s", what);
  *skipsize = (gint) bytelm_chunk_find (data, size,
      1u << BYTELM_CHUNK_HEADER | 1u << BYTELM_CHUNK_FRAME
      | 1u << BYTELM_CHUNK_TRAILER);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_bytelm_parse_handle_frame (GstBaseParse * parse, GstBaseParseFrame * frame,
    gint * skipsize)
{
  GstBytelmParse *self = GST_BYTELM_PARSE (parse);
  GstFlowReturn flow = GST_FLOW_OK;
  GstMapInfo map;
  BytelmChunk c;
  gint consume = 0;
  int ret;

  if (!gst_buffer_map (frame->buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  *skipsize = 0;

  ret = bytelm_chunk_parse (map.data, map.size,
      self->have_header ? &self->info : NULL, &c);
  if (!self->have_header && ret != BYTELM_EAGAIN
      && (ret < 0 || c.type != BYTELM_CHUNK_HEADER)) {
    if (!GST_BASE_PARSE_LOST_SYNC (parse) || frame->offset == 0) {
      GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
          ("Not a bytelm stream (no valid header): %s",
              bytelm_strerror (ret < 0 ? ret : BYTELM_EFORMAT)), (NULL));
      flow = GST_FLOW_ERROR;
    } else {
      *skipsize = (gint) bytelm_chunk_find (map.data, map.size,
          1u << BYTELM_CHUNK_HEADER);
    }
    goto done;
  }
  if (ret == BYTELM_EAGAIN) {
    if (GST_BASE_PARSE_DRAINING (parse)) {
      GST_ELEMENT_ERROR (self, STREAM, DECODE,
          ("Truncated bytelm stream: it ends inside a packet"),
          ("%" G_GSIZE_FORMAT " bytes left at the end", map.size));
      flow = GST_FLOW_ERROR;
    } else {
      gst_base_parse_set_min_frame_size (parse, (guint) MIN (c.size, G_MAXUINT));
    }
    goto done;
  }
  if (ret < 0) {
    gchar *what = c.type == BYTELM_CHUNK_FRAME ?
        g_strdup_printf ("a frame: %s", bytelm_strerror (ret)) :
        g_strdup_printf ("%s", bytelm_strerror (ret));
    flow = gst_bytelm_parse_lost (self, map.data, map.size, skipsize, what);
    g_free (what);
    goto done;
  }
  gst_base_parse_set_min_frame_size (parse, 4);
  consume = (gint) c.size;

  switch (c.type) {
    case BYTELM_CHUNK_HEADER:
      if (self->have_header && !memcmp (map.data, self->header, c.size)) {
        /* the same header again (a concatenation, or a restart after a flush) */
        frame->flags |= GST_BASE_PARSE_FRAME_FLAG_DROP;
      } else {
        self->have_header = FALSE;      /* a new stream */
        flow = gst_bytelm_parse_header (self, frame, map.data, map.size,
            &consume);
      }
      break;
    case BYTELM_CHUNK_TAGS:{
      /* the Vorbis comment between the chunk's size and its CRC */
      GstTagList *tags = gst_tag_list_from_vorbiscomment (map.data + 8,
          c.size - 12, NULL, 0, NULL);

      if (tags) {
        gst_tag_list_set_scope (tags, GST_TAG_SCOPE_STREAM);
        gst_base_parse_merge_tags (parse, tags, GST_TAG_MERGE_REPLACE);
        gst_tag_list_unref (tags);
      } else {
        GST_WARNING_OBJECT (self, "tags chunk without a readable Vorbis comment");
      }
      /* goes downstream with the stream, like the header: no samples */
      GST_BUFFER_FLAG_SET (frame->buffer, GST_BUFFER_FLAG_HEADER);
      GST_BUFFER_PTS (frame->buffer) = GST_CLOCK_TIME_NONE;
      GST_BUFFER_DTS (frame->buffer) = GST_CLOCK_TIME_NONE;
      frame->flags |= GST_BASE_PARSE_FRAME_FLAG_NO_FRAME;
      break;
    }
    case BYTELM_CHUNK_FRAME:{
      GstClockTime pts = units_to_time (self, c.first_unit);
      GST_BUFFER_PTS (frame->buffer) = pts;
      GST_BUFFER_DTS (frame->buffer) = pts;
      GST_BUFFER_DURATION (frame->buffer) =
          units_to_time (self, c.first_unit + c.n_units) - pts;
      GST_BUFFER_OFFSET (frame->buffer) = c.first_unit;
      GST_BUFFER_OFFSET_END (frame->buffer) = c.first_unit + c.n_units;
      break;
    }
    case BYTELM_CHUNK_TRAILER:
      GST_BUFFER_PTS (frame->buffer) = units_to_time (self, c.total_units);
      GST_BUFFER_DTS (frame->buffer) = GST_BUFFER_PTS (frame->buffer);
      GST_BUFFER_DURATION (frame->buffer) = 0;
      frame->flags |= GST_BASE_PARSE_FRAME_FLAG_NO_FRAME;
      break;
  }

done:
  /* finish_frame may replace frame->buffer: unmap first */
  gst_buffer_unmap (frame->buffer, &map);
  if (flow == GST_FLOW_OK && consume > 0)
    flow = gst_base_parse_finish_frame (parse, frame, consume);
  return flow;
}

static void
gst_bytelm_parse_init (GstBytelmParse * self)
{
  GST_PAD_SET_ACCEPT_INTERSECT (GST_BASE_PARSE_SINK_PAD (self));
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_BASE_PARSE_SINK_PAD (self));
}

static void
gst_bytelm_parse_class_init (GstBytelmParseClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseParseClass *parse_class = GST_BASE_PARSE_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm audio stream parser", "Codec/Parser/Audio",
      "Splits a bytelm (.blm) stream into header, frames and trailer, "
      "with timestamps, duration and seeking", "bytelm developers");

  parse_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_parse_start);
  parse_class->handle_frame = GST_DEBUG_FUNCPTR (gst_bytelm_parse_handle_frame);
}
