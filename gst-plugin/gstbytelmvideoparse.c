/*
 * bytelmvideoparse: a GstBaseParse for .blm image streams (docs/FORMAT.md). A
 * video coded by bytelmvideoenc is a sequence of complete streams, one per
 * frame, one after the other; a single image is one such stream. The parser
 * outputs one buffer per complete stream (header, frames, trailer), each a key
 * frame, after checking every frame's and the trailer's CRC-32 and that the
 * frames and trailer agree with the header. Caps: format, width and height from
 * each header; the frame rate from the framerate property, else from the
 * upstream caps (a .blm file does not store one), else 0/1; with a frame rate
 * the images get timestamps and durations. Pixel aspect ratio from the upstream
 * caps, else 1/1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmvideoparse.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

enum {
  PROP_0,
  PROP_FRAMERATE,
};

struct _GstBytelmVideoParse {
  GstBaseParse parent;

  /* property, under the object lock */
  gint prop_fps_n, prop_fps_d;
  /* from the upstream caps */
  gint caps_fps_n, caps_fps_d;
  /* what is used */
  gint fps_n, fps_d, par_n, par_d;
  /* what the src caps say */
  gboolean have_caps;
  BytelmKind kind;
  guint width, height;
  guint64 images;
};

G_DEFINE_TYPE (GstBytelmVideoParse, gst_bytelm_video_parse,
    GST_TYPE_BASE_PARSE);
GST_ELEMENT_REGISTER_DEFINE (bytelmvideoparse, "bytelmvideoparse",
    GST_RANK_PRIMARY + 1, GST_TYPE_BYTELM_VIDEO_PARSE);

/* the byte stream of files (the typefinder's caps have no parsed field); not
 * images that are parsed already, e.g. from Matroska, which decodebin must not
 * send through here */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_VIDEO_CAPS ", parsed = (boolean) false"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_VIDEO_CAPS ", parsed = (boolean) true, "
        "format = (string) " GST_BYTELM_CODED_FORMATS ", "
        "width = (int) [ 1, 65535 ], height = (int) [ 1, 65535 ], "
        "framerate = (fraction) [ 0/1, MAX ]"));

/* The frame rate: the property's, else the upstream caps', else none. */
static void
gst_bytelm_video_parse_update_rate (GstBytelmVideoParse * self)
{
  GST_OBJECT_LOCK (self);
  if (self->prop_fps_n > 0) {
    self->fps_n = self->prop_fps_n;
    self->fps_d = self->prop_fps_d;
  } else {
    self->fps_n = self->caps_fps_n;
    self->fps_d = self->caps_fps_d;
  }
  GST_OBJECT_UNLOCK (self);
  /* with a rate, the base class gives each image 1 / framerate as duration
   * and counts timestamps on from the first */
  gst_base_parse_set_frame_rate (GST_BASE_PARSE (self), self->fps_n,
      self->fps_d, 0, 0);
}

static gboolean
gst_bytelm_video_parse_start (GstBaseParse * parse)
{
  GstBytelmVideoParse *self = GST_BYTELM_VIDEO_PARSE (parse);

  self->caps_fps_n = 0;
  self->caps_fps_d = 1;
  self->par_n = self->par_d = 1;
  gst_bytelm_video_parse_update_rate (self);
  self->have_caps = FALSE;
  self->images = 0;
  gst_base_parse_set_min_frame_size (parse, GST_BYTELM_HEADER_SIZE);
  return TRUE;
}

static gboolean
gst_bytelm_video_parse_set_sink_caps (GstBaseParse * parse, GstCaps * caps)
{
  GstBytelmVideoParse *self = GST_BYTELM_VIDEO_PARSE (parse);
  GstStructure *st = gst_caps_get_structure (caps, 0);
  gint n, d;

  GST_DEBUG_OBJECT (self, "sink caps %" GST_PTR_FORMAT, caps);
  if (gst_structure_get_fraction (st, "framerate", &n, &d) && n >= 0 && d > 0) {
    self->caps_fps_n = n;
    self->caps_fps_d = d;
  }
  if (gst_structure_get_fraction (st, "pixel-aspect-ratio", &n, &d) && n > 0
      && d > 0) {
    self->par_n = n;
    self->par_d = d;
  }
  gst_bytelm_video_parse_update_rate (self);
  self->have_caps = FALSE;      /* resend with the new fields */
  return TRUE;
}

/* Walks the stream whose valid header is at d[0]. Returns its size when it is
 * complete and sound; 0 with *need set to the bytes needed to go on; -1 with
 * *what set when it is damaged. */
static gssize
stream_size (const BytelmStreamInfo * info, const guint8 * d, gsize size,
    gsize * need, const gchar ** what)
{
  gsize pos = GST_BYTELM_HEADER_SIZE;
  guint32 frames = 0;
  guint64 units = 0;
  BytelmChunk c;

  for (;;) {
    int ret = bytelm_chunk_parse (d + pos, size - pos, info, &c);
    if (ret == BYTELM_EAGAIN) {
      *need = pos + c.size;
      return 0;
    }
    if (ret < 0) {
      *what = bytelm_strerror (ret);
      return -1;
    }
    if (c.type == BYTELM_CHUNK_TAGS && pos == GST_BYTELM_HEADER_SIZE) {
      pos += c.size;
    } else if (c.type == BYTELM_CHUNK_FRAME && c.index == frames) {
      pos += c.size;
      frames++;
      units = c.first_unit + c.n_units;
    } else if (c.type == BYTELM_CHUNK_TRAILER && c.n_frames == frames
        && c.total_units == info->height && units == info->height) {
      return (gssize) (pos + c.size);
    } else {
      *what = "a packet out of place";
      return -1;
    }
  }
}

static GstFlowReturn
gst_bytelm_video_parse_lost (GstBytelmVideoParse * self, guint64 frame_offset,
    const guint8 * data, gsize size, gint * skipsize, const gchar * what)
{
  if (!GST_BASE_PARSE_LOST_SYNC (self) || frame_offset == 0) {
    /* the previous image ended here, or this is the start: damaged */
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm image stream: %s", what), (NULL));
    return GST_FLOW_ERROR;
  }
  GST_DEBUG_OBJECT (self, "resync: %s", what);
  *skipsize = (gint) bytelm_chunk_find (data, size, 1u << BYTELM_CHUNK_HEADER);
  return GST_FLOW_OK;
}

static void
gst_bytelm_video_parse_update_caps (GstBytelmVideoParse * self,
    const BytelmStreamInfo * info)
{
  if (self->have_caps && self->kind == info->kind && self->width == info->width
      && self->height == info->height)
    return;
  GstCaps *caps = gst_caps_new_simple (GST_BYTELM_VIDEO_CAPS,
      "parsed", G_TYPE_BOOLEAN, TRUE,
      "format", G_TYPE_STRING, gst_bytelm_kind_caps_format (info->kind),
      "width", G_TYPE_INT, (gint) info->width,
      "height", G_TYPE_INT, (gint) info->height,
      "framerate", GST_TYPE_FRACTION, self->fps_n, self->fps_d,
      "pixel-aspect-ratio", GST_TYPE_FRACTION, self->par_n, self->par_d, NULL);
  GST_DEBUG_OBJECT (self, "src caps %" GST_PTR_FORMAT, caps);
  gst_pad_set_caps (GST_BASE_PARSE_SRC_PAD (self), caps);
  gst_caps_unref (caps);
  self->have_caps = TRUE;
  self->kind = info->kind;
  self->width = info->width;
  self->height = info->height;
}

static GstFlowReturn
gst_bytelm_video_parse_handle_frame (GstBaseParse * parse,
    GstBaseParseFrame * frame, gint * skipsize)
{
  GstBytelmVideoParse *self = GST_BYTELM_VIDEO_PARSE (parse);
  GstFlowReturn flow = GST_FLOW_OK;
  gboolean draining = GST_BASE_PARSE_DRAINING (parse);
  BytelmStreamInfo info;
  BytelmChunk c;
  const gchar *what = NULL;
  GstMapInfo map;
  gsize need = 0;
  gssize total = 0;
  size_t hlen;
  int ret;

  if (!gst_buffer_map (frame->buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  *skipsize = 0;

  ret = bytelm_chunk_parse (map.data, map.size, NULL, &c);
  if (ret == BYTELM_EAGAIN && (map.size < 4 || c.type == BYTELM_CHUNK_HEADER)) {
    need = c.size;
    goto need_more;
  }
  if (ret < 0 || c.type != BYTELM_CHUNK_HEADER) {
    gboolean header = c.size && c.type == BYTELM_CHUNK_HEADER;
    if (frame->offset == 0 && !header) {
      GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
          ("Not a bytelm stream (no BYLM header)"), (NULL));
      flow = GST_FLOW_ERROR;
    } else {
      flow = gst_bytelm_video_parse_lost (self, frame->offset, map.data,
          map.size, skipsize, header ? "a damaged stream header" :
          "unexpected bytes between images");
    }
    goto done;
  }
  bytelm_probe_header (map.data, map.size, &info, &hlen);
  /* every image kind: the decoder says which it cannot output */
  if (!gst_bytelm_kind_caps_format (info.kind)) {
    GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
        ("This bytelm stream holds %s, not images",
            info.kind == BYTELM_KIND_PCM_S16LE ? "audio" : "bytes"), (NULL));
    flow = GST_FLOW_NOT_NEGOTIATED;
    goto done;
  }
  total = stream_size (&info, map.data, map.size, &need, &what);
  if (total < 0) {
    flow = gst_bytelm_video_parse_lost (self, frame->offset, map.data, map.size, skipsize,
        what);
    goto done;
  }
  if (total == 0)
    goto need_more;

  gst_bytelm_video_parse_update_caps (self, &info);
  GST_BUFFER_FLAG_UNSET (frame->buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  GST_LOG_OBJECT (self, "image %" G_GUINT64_FORMAT ": %u x %u, %"
      G_GSSIZE_FORMAT " bytes", self->images, info.width, info.height, total);
  self->images++;
  gst_base_parse_set_min_frame_size (parse, GST_BYTELM_HEADER_SIZE);
  goto done;

need_more:
  if (draining) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Truncated bytelm stream: it ends inside an image"),
        ("%" G_GSIZE_FORMAT " bytes left at the end", map.size));
    flow = GST_FLOW_ERROR;
  } else {
    gst_base_parse_set_min_frame_size (parse, (guint) MIN (need, G_MAXUINT));
  }
done:
  /* finish_frame may replace frame->buffer: unmap first */
  gst_buffer_unmap (frame->buffer, &map);
  if (flow == GST_FLOW_OK && total > 0)
    flow = gst_base_parse_finish_frame (parse, frame, (gint) total);
  return flow;
}

static void
gst_bytelm_video_parse_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstBytelmVideoParse *self = GST_BYTELM_VIDEO_PARSE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAMERATE:
      self->prop_fps_n = gst_value_get_fraction_numerator (value);
      self->prop_fps_d = gst_value_get_fraction_denominator (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_bytelm_video_parse_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstBytelmVideoParse *self = GST_BYTELM_VIDEO_PARSE (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_FRAMERATE:
      gst_value_set_fraction (value, self->prop_fps_n, self->prop_fps_d);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_bytelm_video_parse_init (GstBytelmVideoParse * self)
{
  self->prop_fps_n = 0;
  self->prop_fps_d = 1;
  GST_PAD_SET_ACCEPT_INTERSECT (GST_BASE_PARSE_SINK_PAD (self));
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_BASE_PARSE_SINK_PAD (self));
}

static void
gst_bytelm_video_parse_class_init (GstBytelmVideoParseClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseParseClass *parse_class = GST_BASE_PARSE_CLASS (klass);

  gobject_class->set_property = gst_bytelm_video_parse_set_property;
  gobject_class->get_property = gst_bytelm_video_parse_get_property;
  g_object_class_install_property (gobject_class, PROP_FRAMERATE,
      gst_param_spec_fraction ("framerate", "Frame rate",
          "Frame rate of the images (a .blm file does not store one); 0/1 = "
          "the upstream caps' framerate, if any (set before starting)",
          0, 1, G_MAXINT, 1, 0, 1,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm image stream parser", "Codec/Parser/Video",
      "Splits concatenated bytelm (.blm) image streams into one buffer per "
      "image (video frame), checking their CRCs", "bytelm developers");

  parse_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_video_parse_start);
  parse_class->set_sink_caps =
      GST_DEBUG_FUNCPTR (gst_bytelm_video_parse_set_sink_caps);
  parse_class->handle_frame =
      GST_DEBUG_FUNCPTR (gst_bytelm_video_parse_handle_frame);
}
