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
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmparse.h"

#include <string.h>
#include <zlib.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

#define FRAME_FIXED 30          /* frame bytes before the payload, without np */
#define TRAILER_FIXED 44
#define MAX_TRAILER_FRAMES (1u << 26)

struct _GstBytelmParse {
  GstBaseParse parent;

  gboolean have_header;
  guint8 header[GST_BYTELM_HEADER_SIZE];
  BytelmStreamInfo info;
  guint64 unit_bytes;
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

static gboolean
crc_ok (const guint8 * data, gsize len)
{
  /* the CRC-32 of bytes 0 .. len-5 is in the last four */
  guint32 crc = (guint32) crc32 (0L, data, (uInt) (len - 4));
  return crc == gst_bytelm_rd32 (data + len - 4);
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
  gint64 len = 0;
  guint32 tsize;

  self->read_end = TRUE;
  if (GST_PAD_MODE (sinkpad) != GST_PAD_MODE_PULL
      || !gst_pad_peer_query_duration (sinkpad, GST_FORMAT_BYTES, &len)
      || len < GST_BYTELM_HEADER_SIZE + TRAILER_FIXED)
    return;
  if (gst_pad_pull_range (sinkpad, (guint64) len - 8, 8, &buf) != GST_FLOW_OK)
    return;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ) || map.size != 8) {
    gst_buffer_unref (buf);
    return;
  }
  tsize = gst_bytelm_rd32 (map.data);
  gboolean magic = !memcmp (map.data + 4, "BLME", 4);
  gst_buffer_unmap (buf, &map);
  gst_buffer_unref (buf);
  buf = NULL;
  if (!magic || tsize < TRAILER_FIXED
      || (guint64) tsize > (guint64) len - GST_BYTELM_HEADER_SIZE
      || (tsize - TRAILER_FIXED) % 16 != 0) {
    GST_WARNING_OBJECT (self, "no trailer at the end of the file");
    return;
  }
  if (gst_pad_pull_range (sinkpad, (guint64) len - tsize, tsize, &buf)
      != GST_FLOW_OK)
    return;
  if (!gst_buffer_map (buf, &map, GST_MAP_READ)) {
    gst_buffer_unref (buf);
    return;
  }
  guint32 n = (tsize - TRAILER_FIXED) / 16;
  if (map.size == tsize && !memcmp (map.data, "BLMT", 4)
      && gst_bytelm_rd32 (map.data + 12) == n
      && crc_ok (map.data, 36 + 16 * (gsize) n)) {
    guint64 total = gst_bytelm_rd64 (map.data + 4);
    GST_INFO_OBJECT (self, "trailer: %" G_GUINT64_FORMAT " units in %u frames",
        total, n);
    gst_base_parse_set_duration (parse, GST_FORMAT_TIME,
        (gint64) units_to_time (self, total), 0);
    for (guint32 i = 0; i < n; i++) {
      const guint8 *e = map.data + 16 + 16 * (gsize) i;
      gst_base_parse_add_index_entry (parse, gst_bytelm_rd64 (e),
          units_to_time (self, gst_bytelm_rd64 (e + 8)), TRUE, TRUE);
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

  if (ret == BYTELM_EAGAIN) {
    gst_base_parse_set_min_frame_size (parse, GST_BYTELM_HEADER_SIZE);
    return GST_FLOW_OK;
  }
  if (ret < 0) {
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
  self->unit_bytes = self->info.unit_bytes;
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
  gst_base_parse_set_min_frame_size (parse, 22);
  *consume = (gint) hlen;
  return GST_FLOW_OK;
}

/* Looks for the next "BLMF"/"BLMT"/"BYLM" after the first byte. */
static gint
find_sync (const guint8 * data, gsize size)
{
  for (gsize i = 1; i + 4 <= size; i++)
    if (data[i] == 'B' && (!memcmp (data + i, "BLMF", 4)
            || !memcmp (data + i, "BLMT", 4) || !memcmp (data + i, "BYLM", 4)))
      return (gint) i;
  return size > 3 ? (gint) (size - 3) : 1;
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
  *skipsize = find_sync (data, size);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_bytelm_parse_handle_frame (GstBaseParse * parse, GstBaseParseFrame * frame,
    gint * skipsize)
{
  GstBytelmParse *self = GST_BYTELM_PARSE (parse);
  GstFlowReturn flow = GST_FLOW_OK;
  gboolean draining = GST_BASE_PARSE_DRAINING (parse);
  GstMapInfo map;
  const guint8 *d;
  gsize size;
  gint consume = 0;

  if (!gst_buffer_map (frame->buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  d = map.data;
  size = map.size;
  *skipsize = 0;

  if (size < 4)
    goto need_more;

  if (!self->have_header) {
    if (memcmp (d, "BYLM", 4)) {
      if (!GST_BASE_PARSE_LOST_SYNC (parse) || frame->offset == 0) {
        GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
            ("Not a bytelm stream (no BYLM header)"), (NULL));
        flow = GST_FLOW_ERROR;
      } else {
        *skipsize = find_sync (d, size);
      }
      goto done;
    }
    if (size < GST_BYTELM_HEADER_SIZE) {
      gst_base_parse_set_min_frame_size (parse, GST_BYTELM_HEADER_SIZE);
      goto need_more;
    }
    flow = gst_bytelm_parse_header (self, frame, d, size, &consume);
    goto done;
  }

  if (!memcmp (d, "BYLM", 4)) {
    /* the same header again (a concatenation, or a restart after a flush) */
    if (size >= GST_BYTELM_HEADER_SIZE && !memcmp (d, self->header,
            GST_BYTELM_HEADER_SIZE)) {
      frame->flags |= GST_BASE_PARSE_FRAME_FLAG_DROP;
      consume = GST_BYTELM_HEADER_SIZE;
      goto done;
    }
    if (size < GST_BYTELM_HEADER_SIZE)
      goto need_more;
    self->have_header = FALSE;  /* a new stream */
    flow = gst_bytelm_parse_header (self, frame, d, size, &consume);
    goto done;
  }

  if (!memcmp (d, "BLMF", 4)) {
    if (size < 22) {
      gst_base_parse_set_min_frame_size (parse, 22);
      goto need_more;
    }
    guint32 index = gst_bytelm_rd32 (d + 4);
    guint64 first = gst_bytelm_rd64 (d + 8);
    guint32 n_units = gst_bytelm_rd32 (d + 16);
    guint np = d[21];
    if (n_units < 1 || n_units > self->info.frame_units
        || first != (guint64) index * self->info.frame_units) {
      flow = gst_bytelm_parse_lost (self, d, size, skipsize,
          "bad frame header");
      goto done;
    }
    if (size < FRAME_FIXED + np) {
      gst_base_parse_set_min_frame_size (parse, FRAME_FIXED + np);
      goto need_more;
    }
    guint64 payload = gst_bytelm_rd32 (d + 26 + np);
    if (payload > (guint64) n_units * self->unit_bytes) {
      flow = gst_bytelm_parse_lost (self, d, size, skipsize,
          "bad frame payload size");
      goto done;
    }
    gsize total = FRAME_FIXED + np + payload + 4;
    if (size < total) {
      gst_base_parse_set_min_frame_size (parse, (guint) total);
      goto need_more;
    }
    if (!crc_ok (d, total)) {
      gchar *what = g_strdup_printf ("frame %u fails its CRC", index);
      flow = gst_bytelm_parse_lost (self, d, size, skipsize, what);
      g_free (what);
      goto done;
    }
    GstClockTime pts = units_to_time (self, first);
    GST_BUFFER_PTS (frame->buffer) = pts;
    GST_BUFFER_DTS (frame->buffer) = pts;
    GST_BUFFER_DURATION (frame->buffer) =
        units_to_time (self, first + n_units) - pts;
    GST_BUFFER_OFFSET (frame->buffer) = first;
    GST_BUFFER_OFFSET_END (frame->buffer) = first + n_units;
    gst_base_parse_set_min_frame_size (parse, 22);
    consume = (gint) total;
    goto done;
  }

  if (!memcmp (d, "BLMT", 4)) {
    if (size < 16) {
      gst_base_parse_set_min_frame_size (parse, 16);
      goto need_more;
    }
    guint32 n = gst_bytelm_rd32 (d + 12);
    if (n > MAX_TRAILER_FRAMES) {
      flow = gst_bytelm_parse_lost (self, d, size, skipsize, "bad trailer");
      goto done;
    }
    gsize total = TRAILER_FIXED + 16 * (gsize) n;
    if (size < total) {
      gst_base_parse_set_min_frame_size (parse, (guint) total);
      goto need_more;
    }
    if (!crc_ok (d, total - 8) || memcmp (d + total - 4, "BLME", 4)) {
      flow = gst_bytelm_parse_lost (self, d, size, skipsize,
          "the trailer fails its CRC");
      goto done;
    }
    guint64 units = gst_bytelm_rd64 (d + 4);
    GST_BUFFER_PTS (frame->buffer) = units_to_time (self, units);
    GST_BUFFER_DTS (frame->buffer) = GST_BUFFER_PTS (frame->buffer);
    GST_BUFFER_DURATION (frame->buffer) = 0;
    frame->flags |= GST_BASE_PARSE_FRAME_FLAG_NO_FRAME;
    gst_base_parse_set_min_frame_size (parse, 22);
    consume = (gint) total;
    goto done;
  }

  flow = gst_bytelm_parse_lost (self, d, size, skipsize,
      "unexpected bytes between packets");
  goto done;

need_more:
  if (draining) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Truncated bytelm stream: it ends inside a packet"),
        ("%" G_GSIZE_FORMAT " bytes left at the end", size));
    flow = GST_FLOW_ERROR;
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
