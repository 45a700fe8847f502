/*
 * bytelmvideoenc: a GstVideoEncoder that codes each raw GRAY8, RGB, RGBA,
 * GRAY16_LE or RGBA64_LE video frame as its own complete .blm image stream
 * (header, frames of rows, trailer with the MD5 of the pixels; docs/FORMAT.md).
 * Every output buffer is one whole stream and a key frame; timestamps and
 * durations are the input frame's.
 * Written one after the other into a file, the buffers make a sequence of
 * concatenated streams: with one frame, a normal .blm image file.
 *
 * The stream header names a PGM/PPM source for GRAY8 and RGB, so `bytelm -d`
 * writes a PGM (gray) or PPM (RGB) file from a single-frame file; a PNG source
 * for the others, which need alpha or 16-bit samples.
 *
 * At EOS the element posts an element message "bytelmvideoenc-stats" with
 * frames, bytes-in, bytes-out (guint64) and ratio (gdouble, bytes-out / bytes-in).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmvideoenc.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

struct _GstBytelmVideoEnc {
  GstVideoEncoder parent;

  GstBytelmProps props;

  /* streaming state */
  GstVideoCodecState *input_state;
  BytelmKind kind;
  /* the stream header of the images, in the output caps as codec_data */
  GstBuffer *header;
  guint64 frames, bytes_in, bytes_out;
  GstBytelmLog log;
};

G_DEFINE_TYPE (GstBytelmVideoEnc, gst_bytelm_video_enc, GST_TYPE_VIDEO_ENCODER);
GST_ELEMENT_REGISTER_DEFINE (bytelmvideoenc, "bytelmvideoenc",
    GST_RANK_PRIMARY, GST_TYPE_BYTELM_VIDEO_ENC);

/* Width and height are limited to 65535 by the format; width x height to 2^28
 * pixels, which set_format checks. */
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, "
        "format = (string) " GST_BYTELM_RAW_FORMATS ", "
        "width = (int) [ 1, 65535 ], height = (int) [ 1, 65535 ], "
        "framerate = (fraction) [ 0/1, MAX ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_VIDEO_CAPS ", parsed = (boolean) true, "
        "format = (string) " GST_BYTELM_RAW_FORMATS ", "
        "width = (int) [ 1, 65535 ], height = (int) [ 1, 65535 ], "
        "framerate = (fraction) [ 0/1, MAX ]"));

static gboolean
gst_bytelm_video_enc_set_format (GstVideoEncoder * enc,
    GstVideoCodecState * state)
{
  GstBytelmVideoEnc *self = GST_BYTELM_VIDEO_ENC (enc);
  GstVideoInfo *info = &state->info;
  GstVideoCodecState *out;
  BytelmKind kind = gst_bytelm_video_format_to_kind (GST_VIDEO_INFO_FORMAT
      (info));
  guint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);

  if (kind == BYTELM_KIND_BYTES || w < 1 || h < 1
      || w > BYTELM_MAX_IMAGE_SIDE || h > BYTELM_MAX_IMAGE_SIDE) {
    GST_WARNING_OBJECT (self, "refusing %" GST_PTR_FORMAT, state->caps);
    return FALSE;
  }
  if ((guint64) w * h > BYTELM_MAX_IMAGE_PIXELS) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("A %u x %u image is over bytelm's limit of 2^28 pixels", w, h),
        (NULL));
    return FALSE;
  }
  if (GST_VIDEO_INFO_IS_INTERLACED (info)) {
    GST_WARNING_OBJECT (self, "interlaced video is coded as progressive "
        "frames");
  }

  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  self->input_state = gst_video_codec_state_ref (state);
  self->kind = kind;
  gst_clear_buffer (&self->header);

  GstCaps *caps = gst_caps_new_simple (GST_BYTELM_VIDEO_CAPS,
      "parsed", G_TYPE_BOOLEAN, TRUE,
      "format", G_TYPE_STRING, gst_bytelm_kind_caps_format (kind), NULL);
  /* width, height, framerate and pixel-aspect-ratio come from the input */
  out = gst_video_encoder_set_output_state (enc, caps, state);
  gst_video_codec_state_unref (out);
  GST_DEBUG_OBJECT (self, "%s %u x %u", gst_video_format_to_string
      (GST_VIDEO_INFO_FORMAT (info)), w, h);
  /* each frame is coded at once: no latency */
  gst_video_encoder_set_latency (enc, 0, 0);
  return gst_video_encoder_negotiate (enc);
}

/* Puts the image stream's header into the output caps as codec_data when it is
 * not there yet (the first image, or a new size): what a container keeps once
 * (Matroska's CodecPrivate, docs/FORMAT.md §6). */
static gboolean
gst_bytelm_video_enc_update_header (GstBytelmVideoEnc * self, GstBuffer * image)
{
  GstVideoEncoder *enc = GST_VIDEO_ENCODER (self);
  GstVideoCodecState *out;
  GstCaps *caps;
  GstMapInfo map;
  gboolean same = FALSE;

  if (self->header && gst_buffer_map (self->header, &map, GST_MAP_READ)) {
    same = !gst_buffer_memcmp (image, 0, map.data, map.size);
    gst_buffer_unmap (self->header, &map);
  }
  if (same)
    return TRUE;
  gst_clear_buffer (&self->header);
  self->header = gst_buffer_copy_region (image, GST_BUFFER_COPY_MEMORY, 0,
      GST_BYTELM_HEADER_SIZE);
  out = gst_video_encoder_get_output_state (enc);
  caps = gst_caps_copy (out->caps);
  gst_video_codec_state_unref (out);
  out = gst_video_encoder_set_output_state (enc, caps, self->input_state);
  out->codec_data = gst_buffer_ref (self->header);
  gst_video_codec_state_unref (out);
  return gst_video_encoder_negotiate (enc);
}

/* Codes one frame into a complete .blm stream. */
static GstFlowReturn
gst_bytelm_video_enc_code (GstBytelmVideoEnc * self, GstVideoFrame * vframe,
    GstBuffer ** outbuf)
{
  BytelmSettings s;
  BytelmEncoder *e = NULL;
  guint w = GST_VIDEO_FRAME_WIDTH (vframe), h = GST_VIDEO_FRAME_HEIGHT (vframe);
  /* tight rows: the formats are packed, one plane of samples in the kind's
   * order and byte order */
  gsize row = (gsize) w * bytelm_kind_planes (self->kind)
      * bytelm_kind_sample_bytes (self->kind);
  gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (vframe, 0);
  const guint8 *pixels = GST_VIDEO_FRAME_PLANE_DATA (vframe, 0);
  GByteArray *stream;
  guint8 chunk[65536];
  size_t n;
  int ret;

  GST_OBJECT_LOCK (self);
  gst_bytelm_settings_init (&s, &self->props, &self->log);
  s.kind = self->kind;
  /* PGM and PPM hold 8-bit gray and RGB; PNG holds every image kind */
  s.source = self->kind == BYTELM_KIND_GRAY8
      || self->kind == BYTELM_KIND_RGB24 ? BYTELM_SOURCE_PNM : BYTELM_SOURCE_PNG;
  s.width = w;
  s.height = h;
  s.total_units = h;
  s.frame_units = MIN (s.frame_units, h);
  ret = bytelm_encoder_open (&e, &s);
  GST_OBJECT_UNLOCK (self);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Could not start the bytelm encoder: %s",
            gst_bytelm_log_error (&self->log, ret)),
        ("bytelm_encoder_open: %s (%d)", bytelm_strerror (ret), ret));
    return GST_FLOW_ERROR;
  }

  /* rows one by one: the library takes any chunking, and the frame's
   * stride may pad them */
  for (guint y = 0; y < h && ret == 0; y++)
    ret = bytelm_encoder_push (e, pixels + (gsize) y * stride, row);
  if (ret == 0)
    ret = bytelm_encoder_finish (e);
  stream = g_byte_array_sized_new ((guint) MIN ((guint64) row * h + 1024,
          G_MAXUINT));
  while (ret == 0 && (ret = bytelm_encoder_pull (e, chunk, sizeof (chunk),
              &n)) == 0 && n)
    g_byte_array_append (stream, chunk, (guint) n);
  bytelm_encoder_close (&e);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, ENCODE,
        ("bytelm encoding failed: %s", self->log.last_error[0] ?
            self->log.last_error : bytelm_strerror (ret)),
        ("bytelm_encoder_push/finish/pull: %s (%d)", bytelm_strerror (ret),
            ret));
    g_byte_array_unref (stream);
    return GST_FLOW_ERROR;
  }
  self->frames++;
  self->bytes_in += (guint64) row * h;
  self->bytes_out += stream->len;
  GST_LOG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": %" G_GSIZE_FORMAT
      " bytes -> %u", self->frames - 1, row * h, stream->len);
  n = stream->len;
  *outbuf = gst_buffer_new_wrapped (g_byte_array_free (stream, FALSE), n);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_bytelm_video_enc_handle_frame (GstVideoEncoder * enc,
    GstVideoCodecFrame * frame)
{
  GstBytelmVideoEnc *self = GST_BYTELM_VIDEO_ENC (enc);
  GstVideoFrame vframe;
  GstBuffer *outbuf = NULL;
  GstFlowReturn flow;

  if (!self->input_state) {
    gst_video_encoder_finish_frame (enc, frame);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!gst_video_frame_map (&vframe, &self->input_state->info,
          frame->input_buffer, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("could not map the input frame (%" G_GSIZE_FORMAT " bytes)",
            gst_buffer_get_size (frame->input_buffer)));
    gst_video_encoder_finish_frame (enc, frame);
    return GST_FLOW_ERROR;
  }
  flow = gst_bytelm_video_enc_code (self, &vframe, &outbuf);
  gst_video_frame_unmap (&vframe);
  if (flow != GST_FLOW_OK) {
    gst_video_encoder_finish_frame (enc, frame);
    return flow;
  }
  if (!gst_bytelm_video_enc_update_header (self, outbuf)) {
    gst_buffer_unref (outbuf);
    gst_video_encoder_finish_frame (enc, frame);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  /* every frame is a whole stream: a key frame */
  GST_VIDEO_CODEC_FRAME_SET_SYNC_POINT (frame);
  frame->output_buffer = outbuf;
  return gst_video_encoder_finish_frame (enc, frame);
}

static GstFlowReturn
gst_bytelm_video_enc_finish (GstVideoEncoder * enc)
{
  GstBytelmVideoEnc *self = GST_BYTELM_VIDEO_ENC (enc);
  GstStructure *st = gst_structure_new ("bytelmvideoenc-stats",
      "frames", G_TYPE_UINT64, self->frames,
      "bytes-in", G_TYPE_UINT64, self->bytes_in,
      "bytes-out", G_TYPE_UINT64, self->bytes_out,
      "ratio", G_TYPE_DOUBLE, self->bytes_in ?
      (gdouble) self->bytes_out / (gdouble) self->bytes_in : 0.0, NULL);

  GST_INFO_OBJECT (self, "stream done: %" GST_PTR_FORMAT, st);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
  return GST_FLOW_OK;
}

static gboolean
gst_bytelm_video_enc_start (GstVideoEncoder * enc)
{
  GstBytelmVideoEnc *self = GST_BYTELM_VIDEO_ENC (enc);

  self->frames = self->bytes_in = self->bytes_out = 0;
  return TRUE;
}

/* What a stream leaves: the input state, the images' header. */
static void
gst_bytelm_video_enc_clear (GstBytelmVideoEnc * self)
{
  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  gst_clear_buffer (&self->header);
}

static gboolean
gst_bytelm_video_enc_stop (GstVideoEncoder * enc)
{
  gst_bytelm_video_enc_clear (GST_BYTELM_VIDEO_ENC (enc));
  return TRUE;
}

static void
gst_bytelm_video_enc_finalize (GObject * object)
{
  GstBytelmVideoEnc *self = GST_BYTELM_VIDEO_ENC (object);

  gst_bytelm_video_enc_clear (self);
  gst_bytelm_props_clear (&self->props);
  G_OBJECT_CLASS (gst_bytelm_video_enc_parent_class)->finalize (object);
}

static void
gst_bytelm_video_enc_init (GstBytelmVideoEnc * self)
{
  gst_bytelm_props_init (&self->props);
  gst_bytelm_log_init (&self->log, self);
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_VIDEO_ENCODER_SINK_PAD (self));
}

static void
gst_bytelm_video_enc_class_init (GstBytelmVideoEncClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstVideoEncoderClass *enc_class = GST_VIDEO_ENCODER_CLASS (klass);

  gobject_class->finalize = gst_bytelm_video_enc_finalize;

  gst_bytelm_props_install (gobject_class,
      G_STRUCT_OFFSET (GstBytelmVideoEnc, props), GST_BYTELM_ENCODER_PROPS,
      FALSE, "Image rows in a bytelm frame (0 = the library's default, about "
      "1 MiB of pixels); frames of one image are coded in parallel",
      BYTELM_MAX_IMAGE_SIDE);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm video encoder", "Codec/Encoder/Video",
      "Lossless coding of 8- and 16-bit gray, RGB and RGBA frames, each frame "
      "a complete bytelm (.blm) image stream", "bytelm developers");

  enc_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_video_enc_start);
  enc_class->stop = GST_DEBUG_FUNCPTR (gst_bytelm_video_enc_stop);
  enc_class->set_format = GST_DEBUG_FUNCPTR (gst_bytelm_video_enc_set_format);
  enc_class->handle_frame =
      GST_DEBUG_FUNCPTR (gst_bytelm_video_enc_handle_frame);
  enc_class->finish = GST_DEBUG_FUNCPTR (gst_bytelm_video_enc_finish);
}
