/*
 * bytelmvideodec: a GstVideoDecoder for .blm image streams, one complete stream
 * per input buffer (from bytelmvideoenc or bytelmvideoparse). Each buffer is
 * decoded on its own with the library's stream decoder, which checks every
 * frame's CRC and range coder state, the trailer and the MD5 of the pixels, so
 * a frame goes out only when it is exactly what was coded. The output format
 * (GRAY8, RGB, RGBA, GRAY16_LE or RGBA64_LE, width, height) comes from each
 * stream's header; images of gray and alpha or of 16-bit RGB without alpha,
 * which GStreamer has no raw format for, are refused with an error. Framerate
 * and pixel aspect ratio come from the input caps, timestamps from the input
 * buffers.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmvideodec.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

struct _GstBytelmVideoDec {
  GstVideoDecoder parent;

  GstBytelmProps props;

  GstVideoCodecState *input_state;
  /* from Matroska the images come without their stream header, which is in
   * the caps' codec_data or, from matroskademux 1.22, in the file (found at the
   * first image, see gstbytelmdec.c) */
  gboolean headerless;
  GstBuffer *header;
  GstBytelmLog log;
};

G_DEFINE_TYPE (GstBytelmVideoDec, gst_bytelm_video_dec, GST_TYPE_VIDEO_DECODER);
GST_ELEMENT_REGISTER_DEFINE (bytelmvideodec, "bytelmvideodec",
    GST_RANK_PRIMARY, GST_TYPE_BYTELM_VIDEO_DEC);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_VIDEO_CAPS ", parsed = (boolean) true; "
        GST_BYTELM_MKV_VIDEO_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw, "
        "format = (string) " GST_BYTELM_RAW_FORMATS ", "
        "width = (int) [ 1, 65535 ], height = (int) [ 1, 65535 ], "
        "framerate = (fraction) [ 0/1, MAX ]"));

static gboolean
gst_bytelm_video_dec_set_format (GstVideoDecoder * dec,
    GstVideoCodecState * state)
{
  GstBytelmVideoDec *self = GST_BYTELM_VIDEO_DEC (dec);

  GST_DEBUG_OBJECT (self, "sink caps %" GST_PTR_FORMAT, state->caps);
  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  self->input_state = gst_video_codec_state_ref (state);
  gst_clear_buffer (&self->header);
  self->headerless = gst_bytelm_caps_are_matroska (state->caps)
      || gst_structure_has_field (gst_caps_get_structure (state->caps, 0),
      "codec_data");
  return TRUE;
}

/* Sets the output format for a stream header when it differs from the current. */
static gboolean
gst_bytelm_video_dec_update_format (GstBytelmVideoDec * self,
    const BytelmStreamInfo * info)
{
  GstVideoDecoder *dec = GST_VIDEO_DECODER (self);
  GstVideoFormat format = gst_bytelm_kind_to_video_format (info->kind);
  GstVideoCodecState *out = gst_video_decoder_get_output_state (dec);
  gboolean same = out && GST_VIDEO_INFO_FORMAT (&out->info) == format
      && GST_VIDEO_INFO_WIDTH (&out->info) == (gint) info->width
      && GST_VIDEO_INFO_HEIGHT (&out->info) == (gint) info->height;

  if (out)
    gst_video_codec_state_unref (out);
  if (same)
    return TRUE;
  GST_INFO_OBJECT (self, "stream: %s %u x %u",
      gst_video_format_to_string (format), info->width, info->height);
  out = gst_video_decoder_set_output_state (dec, format, info->width,
      info->height, self->input_state);
  gst_video_codec_state_unref (out);
  if (!gst_video_decoder_negotiate (dec)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("downstream refused %s %u x %u", gst_video_format_to_string (format),
            info->width, info->height));
    return FALSE;
  }
  return TRUE;
}

/* Decodes the whole stream in data into a new decoder; on success *dec holds
 * all the pixels, ready to pull. */
static int
gst_bytelm_video_dec_run (GstBytelmVideoDec * self, const guint8 * data,
    gsize size, BytelmDecoder ** dec)
{
  BytelmSettings s;
  int ret;

  GST_OBJECT_LOCK (self);
  gst_bytelm_settings_init (&s, &self->props, &self->log);
  ret = bytelm_decoder_open (dec, &s);
  GST_OBJECT_UNLOCK (self);
  if (ret == 0)
    ret = bytelm_decoder_push (*dec, data, size);
  /* finish checks the trailer and the MD5 of all the pixels */
  if (ret == 0)
    ret = bytelm_decoder_finish (*dec);
  return ret;
}

static GstFlowReturn
gst_bytelm_video_dec_handle_frame (GstVideoDecoder * dec,
    GstVideoCodecFrame * frame)
{
  GstBytelmVideoDec *self = GST_BYTELM_VIDEO_DEC (dec);
  GstFlowReturn flow = GST_FLOW_OK;
  BytelmDecoder *bdec = NULL;
  BytelmStreamInfo info;
  GstVideoCodecState *out_state;
  GstVideoFrame vframe;
  GstMapInfo map;
  size_t hlen;
  GstBuffer *in;
  gboolean headerless = self->headerless
      && gst_bytelm_buffer_chunk_type (frame->input_buffer) !=
      BYTELM_CHUNK_HEADER;
  int ret;

  if (headerless && !self->header) {
    self->header = gst_bytelm_matroska_header (GST_ELEMENT (self),
        GST_VIDEO_DECODER_SINK_PAD (dec), self->input_state->caps, FALSE);
    if (!self->header) {
      gst_video_decoder_drop_frame (dec, frame);
      return GST_FLOW_ERROR;
    }
  }
  /* the whole stream: from Matroska, the header and then the image */
  in = headerless ? gst_buffer_append (gst_buffer_ref (self->header),
      gst_buffer_ref (frame->input_buffer)) : gst_buffer_ref (frame->input_buffer);
  if (!gst_buffer_map (in, &map, GST_MAP_READ)) {
    gst_buffer_unref (in);
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_ERROR;
  }
  ret = bytelm_probe_header (map.data, map.size, &info, &hlen);
  if (ret < 0) {
    gst_buffer_unmap (in, &map);
    gst_buffer_unref (in);
    GST_VIDEO_DECODER_ERROR (self, 1, STREAM, DECODE,
        ("Damaged bytelm image: %s", ret == BYTELM_EAGAIN ?
            "shorter than a stream header" : "its header is not valid"),
        ("bytelm_probe_header on %" G_GSIZE_FORMAT " bytes: %s", map.size,
            bytelm_strerror (ret)), flow);
    gst_video_decoder_drop_frame (dec, frame);
    return flow;
  }
  if (gst_bytelm_kind_to_video_format (info.kind) == GST_VIDEO_FORMAT_UNKNOWN) {
    gst_buffer_unmap (in, &map);
    gst_buffer_unref (in);
    if (gst_bytelm_kind_caps_format (info.kind))
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("This bytelm image (%s) has no GStreamer raw video format: "
              "decode it with the bytelm tool",
              gst_bytelm_kind_caps_format (info.kind)),
          ("kind %d, %u x %u", info.kind, info.width, info.height));
    else
      GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
          ("This bytelm stream holds %s, not images",
              info.kind == BYTELM_KIND_PCM_S16LE ? "audio" : "bytes"), (NULL));
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!gst_bytelm_video_dec_update_format (self, &info)) {
    gst_buffer_unmap (in, &map);
    gst_buffer_unref (in);
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_NOT_NEGOTIATED;
  }

  ret = gst_bytelm_video_dec_run (self, map.data, map.size, &bdec);
  gst_buffer_unmap (in, &map);
  gst_buffer_unref (in);
  if (ret == BYTELM_ENOMODEL) {
    gst_bytelm_post_missing_model (GST_ELEMENT (self), info.model_hash, ret);
    bytelm_decoder_close (&bdec);
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_ERROR;
  }
  if (ret < 0) {
    GST_VIDEO_DECODER_ERROR (self, 1, STREAM, DECODE,
        ("Damaged bytelm image (frame %u): %s", frame->system_frame_number,
            gst_bytelm_log_error (&self->log, ret)),
        ("bytelm decoder: %s (%d)", bytelm_strerror (ret), ret), flow);
    bytelm_decoder_close (&bdec);
    /* dropped when max-errors allows it */
    gst_video_decoder_drop_frame (dec, frame);
    return flow;
  }

  flow = gst_video_decoder_allocate_output_frame (dec, frame);
  if (flow != GST_FLOW_OK) {
    bytelm_decoder_close (&bdec);
    gst_video_decoder_drop_frame (dec, frame);
    return flow;
  }
  out_state = gst_video_decoder_get_output_state (dec);
  if (!gst_video_frame_map (&vframe, &out_state->info, frame->output_buffer,
          GST_MAP_WRITE)) {
    gst_video_codec_state_unref (out_state);
    bytelm_decoder_close (&bdec);
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_ERROR;
  }
  gst_video_codec_state_unref (out_state);

  /* pixels row by row into the frame, whose stride may pad them */
  {
    /* tight rows, the frame's format having the stream's layout */
    gsize row = info.unit_bytes;
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (&vframe, 0);
    guint8 *pixels = GST_VIDEO_FRAME_PLANE_DATA (&vframe, 0);
    guint8 extra;
    size_t n = 0;

    for (guint y = 0; y < info.height && ret == 0; y++) {
      gsize got = 0;
      while (got < row && (ret = bytelm_decoder_pull (bdec,
                  pixels + (gsize) y * stride + got, row - got, &n)) == 0 && n)
        got += n;
      if (ret == 0 && got < row)
        ret = BYTELM_ETRUNCATED;
    }
    /* and nothing after the last row */
    if (ret == 0 && bytelm_decoder_pull (bdec, &extra, 1, &n) == 0 && n)
      ret = BYTELM_EFORMAT;
  }
  gst_video_frame_unmap (&vframe);
  bytelm_decoder_close (&bdec);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm image: %s", bytelm_strerror (ret)),
        ("the decoded pixels do not fill a %u x %u frame", info.width,
            info.height));
    gst_video_decoder_drop_frame (dec, frame);
    return GST_FLOW_ERROR;
  }
  GST_LOG_OBJECT (self, "decoded frame %u", frame->system_frame_number);
  return gst_video_decoder_finish_frame (dec, frame);
}

static gboolean
gst_bytelm_video_dec_start (GstVideoDecoder * dec)
{
  return TRUE;
}

/* What a stream leaves: the input state, the images' header. */
static void
gst_bytelm_video_dec_clear (GstBytelmVideoDec * self)
{
  g_clear_pointer (&self->input_state, gst_video_codec_state_unref);
  gst_clear_buffer (&self->header);
}

static gboolean
gst_bytelm_video_dec_stop (GstVideoDecoder * dec)
{
  gst_bytelm_video_dec_clear (GST_BYTELM_VIDEO_DEC (dec));
  return TRUE;
}

static void
gst_bytelm_video_dec_finalize (GObject * object)
{
  GstBytelmVideoDec *self = GST_BYTELM_VIDEO_DEC (object);

  gst_bytelm_video_dec_clear (self);
  gst_bytelm_props_clear (&self->props);
  G_OBJECT_CLASS (gst_bytelm_video_dec_parent_class)->finalize (object);
}

static void
gst_bytelm_video_dec_init (GstBytelmVideoDec * self)
{
  GstVideoDecoder *dec = GST_VIDEO_DECODER (self);

  gst_bytelm_props_init (&self->props);
  gst_bytelm_log_init (&self->log, self);
  /* one buffer is one whole stream, one frame */
  gst_video_decoder_set_packetized (dec, TRUE);
  /* lossless: a damaged image is an error unless max-errors says otherwise */
  gst_video_decoder_set_max_errors (dec, 0);
  gst_video_decoder_set_needs_format (dec, TRUE);
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_VIDEO_DECODER_SINK_PAD (self));
}

static void
gst_bytelm_video_dec_class_init (GstBytelmVideoDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstVideoDecoderClass *dec_class = GST_VIDEO_DECODER_CLASS (klass);

  gobject_class->finalize = gst_bytelm_video_dec_finalize;

  gst_bytelm_props_install (gobject_class,
      G_STRUCT_OFFSET (GstBytelmVideoDec, props), GST_BYTELM_DECODER_PROPS
      | GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_THREADS), TRUE, NULL, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm video decoder", "Codec/Decoder/Video",
      "Decodes bytelm (.blm) lossless images to 8- and 16-bit gray, RGB and "
      "RGBA frames, checking each image's MD5", "bytelm developers");

  dec_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_video_dec_start);
  dec_class->stop = GST_DEBUG_FUNCPTR (gst_bytelm_video_dec_stop);
  dec_class->set_format = GST_DEBUG_FUNCPTR (gst_bytelm_video_dec_set_format);
  dec_class->handle_frame =
      GST_DEBUG_FUNCPTR (gst_bytelm_video_dec_handle_frame);
}
