/*
 * bytelmdec: a GstAudioDecoder for framed .blm streams (from bytelmenc or
 * bytelmparse). The stream header comes from the caps' streamheader or from a
 * header buffer; each frame buffer is decoded on its own with
 * bytelm_decoder_decode_frame(), so decoding can start at any frame (seeking).
 * Every frame has its CRC and range coder check. The trailer's MD5 of all the
 * samples is checked when the decoder saw the whole stream, every frame in order
 * from the first (not after a seek or a dropped frame): a mismatch is an error.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmdec.h"

#include <string.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

struct _GstBytelmDec {
  GstAudioDecoder parent;

  GstBytelmProps props;

  BytelmDecoder *dec;
  guint8 header[GST_BYTELM_HEADER_SIZE];
  BytelmStreamInfo sinfo;
  gboolean reorder;
  GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS];
  GstAudioChannelPosition gst_order[BYTELM_MAX_CHANNELS];
  guint64 frames;
  gboolean seen_trailer;
  /* MD5 of the samples (in the stream's order) while every frame from the
   * first has been decoded in order */
  GChecksum *md5;
  gboolean md5_valid;
  guint64 next_unit;
  /* the input comes from matroskademux 1.22: the header is found at the
   * first frame */
  gboolean matroska;
  GstBytelmLog log;
};

G_DEFINE_TYPE (GstBytelmDec, gst_bytelm_dec, GST_TYPE_AUDIO_DECODER);
GST_ELEMENT_REGISTER_DEFINE (bytelmdec, "bytelmdec", GST_RANK_PRIMARY,
    GST_TYPE_BYTELM_DEC);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_AUDIO_CAPS ", framed = (boolean) true; "
        GST_BYTELM_MKV_AUDIO_CAPS));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) S16LE, "
        "layout = (string) interleaved, rate = (int) [ 1, 768000 ], "
        "channels = (int) [ 1, 8 ]"));

static void
gst_bytelm_dec_md5_restart (GstBytelmDec * self)
{
  if (self->md5)
    g_checksum_reset (self->md5);
  else
    self->md5 = g_checksum_new (G_CHECKSUM_MD5);
  self->md5_valid = TRUE;
  self->next_unit = 0;
}

static void
gst_bytelm_dec_reset (GstBytelmDec * self)
{
  bytelm_decoder_close (&self->dec);
  memset (self->header, 0, sizeof (self->header));
  self->frames = 0;
  self->seen_trailer = FALSE;
  gst_bytelm_dec_md5_restart (self);
}

/* Opens a decoder for a stream header and sets the output format. */
static gboolean
gst_bytelm_dec_open_header (GstBytelmDec * self, const guint8 * data,
    gsize size)
{
  BytelmSettings s;
  BytelmStreamInfo info;
  size_t hlen;
  int ret;

  if (size >= GST_BYTELM_HEADER_SIZE && self->dec
      && !memcmp (self->header, data, GST_BYTELM_HEADER_SIZE))
    return TRUE;                /* the same stream, e.g. caps and buffer */

  ret = bytelm_probe_header (data, size, &info, &hlen);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Not a valid bytelm stream header: %s", bytelm_strerror (ret)),
        ("bytelm_probe_header on %" G_GSIZE_FORMAT " bytes: %d", size, ret));
    return FALSE;
  }
  if (info.kind != BYTELM_KIND_PCM_S16LE) {
    GST_ELEMENT_ERROR (self, STREAM, WRONG_TYPE,
        ("This bytelm stream holds images or bytes, not audio"), (NULL));
    return FALSE;
  }

  gst_bytelm_dec_reset (self);
  GST_OBJECT_LOCK (self);
  gst_bytelm_settings_init (&s, &self->props, &self->log);
  s.threads = 1;
  ret = bytelm_decoder_open (&self->dec, &s);
  if (ret == 0)
    ret = bytelm_decoder_open_header (self->dec, data, hlen);
  GST_OBJECT_UNLOCK (self);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT,
        ("Could not start the bytelm decoder: %s",
            gst_bytelm_log_error (&self->log, ret)),
        ("bytelm_decoder_open/open_header: %d", ret));
    bytelm_decoder_close (&self->dec);
    return FALSE;
  }
  memcpy (self->header, data, GST_BYTELM_HEADER_SIZE);
  bytelm_decoder_get_info (self->dec, &self->sinfo);
  GST_INFO_OBJECT (self, "stream: %u Hz, %u channels, mask 0x%x, frame %u, "
      "model %s", self->sinfo.sample_rate, self->sinfo.channels,
      self->sinfo.channel_mask, self->sinfo.frame_units,
      self->sinfo.model_available ? self->sinfo.model_name : "(not found)");

  GstAudioInfo ainfo;
  gboolean positioned = gst_bytelm_mask_to_positions (self->sinfo.channel_mask,
      self->sinfo.channels, self->wav_order, self->gst_order);
  gst_audio_info_init (&ainfo);
  gst_audio_info_set_format (&ainfo, GST_AUDIO_FORMAT_S16LE,
      (gint) self->sinfo.sample_rate, (gint) self->sinfo.channels,
      positioned || self->sinfo.channels <= 2 ? self->gst_order : NULL);
  self->reorder = positioned && memcmp (self->wav_order, self->gst_order,
      self->sinfo.channels * sizeof (self->gst_order[0])) != 0;
  if (!gst_audio_decoder_set_output_format (GST_AUDIO_DECODER (self), &ainfo)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("downstream refused %u Hz %u channels S16LE", self->sinfo.sample_rate,
            self->sinfo.channels));
    return FALSE;
  }
  return TRUE;
}

static gboolean
gst_bytelm_dec_set_format (GstAudioDecoder * dec, GstCaps * caps)
{
  GstBytelmDec *self = GST_BYTELM_DEC (dec);
  GstStructure *st = gst_caps_get_structure (caps, 0);
  const GValue *headers = gst_structure_get_value (st, "streamheader");

  GST_DEBUG_OBJECT (self, "sink caps %" GST_PTR_FORMAT, caps);
  self->matroska = gst_bytelm_caps_are_matroska (caps);
  if (self->matroska)
    return TRUE;                /* the header is found at the first frame */
  if (headers && GST_VALUE_HOLDS_ARRAY (headers)
      && gst_value_array_get_size (headers) > 0) {
    const GValue *v = gst_value_array_get_value (headers, 0);
    GstBuffer *buf = G_VALUE_HOLDS (v, GST_TYPE_BUFFER) ?
        gst_value_get_buffer (v) : NULL;
    GstMapInfo map;
    gboolean ok;

    if (!buf || !gst_buffer_map (buf, &map, GST_MAP_READ))
      return FALSE;
    ok = gst_bytelm_dec_open_header (self, map.data, map.size);
    gst_buffer_unmap (buf, &map);
    return ok;
  }
  /* no streamheader: the header comes as the first buffer */
  return TRUE;
}

/* Decodes one frame packet into *outbuf (NULL: the frame is dropped). */
static GstFlowReturn
gst_bytelm_dec_decode (GstBytelmDec * self, const guint8 * data, gsize size,
    guint32 index, GstBuffer ** outbuf)
{
  const uint8_t *out;
  size_t out_len;
  uint64_t first_unit;
  GstFlowReturn flow = GST_FLOW_OK;
  int ret;

  if (!self->dec) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("bytelm frame before the stream header"), (NULL));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  self->log.last_error[0] = '\0';
  ret = bytelm_decoder_decode_frame (self->dec, data, size, &out, &out_len,
      &first_unit);
  if (ret == BYTELM_ENOMODEL) {
    gst_bytelm_post_missing_model (GST_ELEMENT (self), self->sinfo.model_hash,
        ret);
    return GST_FLOW_ERROR;
  }
  if (ret < 0) {
    GST_AUDIO_DECODER_ERROR (self, 1, STREAM, DECODE,
        ("Damaged bytelm frame %u: %s", index,
            gst_bytelm_log_error (&self->log, ret)),
        ("bytelm_decoder_decode_frame: %s (%d), %" G_GSIZE_FORMAT " bytes",
            bytelm_strerror (ret), ret, size), flow);
    /* dropped when max-errors allows it */
    return flow;
  }

  if (first_unit != self->next_unit) {
    if (self->md5_valid)
      GST_DEBUG_OBJECT (self, "frame at unit %" G_GUINT64_FORMAT ", expected %"
          G_GUINT64_FORMAT ": no MD5 check for this stream",
          (guint64) first_unit, self->next_unit);
    self->md5_valid = FALSE;
  }
  if (self->md5_valid) {
    g_checksum_update (self->md5, out, out_len);
    self->next_unit = first_unit + out_len / self->sinfo.unit_bytes;
  }

  *outbuf = gst_buffer_new_memdup (out, out_len);
  if (self->reorder) {
    GstMapInfo map;
    gst_buffer_map (*outbuf, &map, GST_MAP_READWRITE);
    gst_audio_reorder_channels (map.data, map.size, GST_AUDIO_FORMAT_S16LE,
        (gint) self->sinfo.channels, self->wav_order, self->gst_order);
    gst_buffer_unmap (*outbuf, &map);
  }
  GST_LOG_OBJECT (self, "frame at unit %" G_GUINT64_FORMAT ", %" G_GSIZE_FORMAT
      " bytes", (guint64) first_unit, out_len);
  self->frames++;
  return GST_FLOW_OK;
}

/* Opens the decoder with the header of a Matroska track. It is looked for at the
 * first frame, not in set_format: failing there, the caps would be sent and refused
 * again with every buffer, and gst-launch-1.0 can hang on such a pipeline. */
static gboolean
gst_bytelm_dec_open_matroska (GstBytelmDec * self)
{
  GstPad *sinkpad = GST_AUDIO_DECODER_SINK_PAD (self);
  GstCaps *caps = gst_pad_get_current_caps (sinkpad);
  GstBuffer *buf = caps ? gst_bytelm_matroska_header (GST_ELEMENT (self),
      sinkpad, caps, TRUE) : NULL;
  GstMapInfo map;
  gboolean ok = FALSE;

  if (buf && gst_buffer_map (buf, &map, GST_MAP_READ)) {
    ok = gst_bytelm_dec_open_header (self, map.data, map.size);
    gst_buffer_unmap (buf, &map);
  }
  gst_clear_buffer (&buf);
  gst_clear_caps (&caps);
  return ok;
}

/* Matroska keeps timestamps in milliseconds: a frame whose time is within 1 ms of
 * its own, first unit / rate, gets that time back, so that the output (whose times
 * the base class takes from the input buffers) and a seek into the file are exact
 * to the sample. Other sources give the exact time already. */
static void
gst_bytelm_dec_exact_pts (GstBytelmDec * self, GstBuffer * buffer,
    guint64 first_unit)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime exact = gst_util_uint64_scale (first_unit, GST_SECOND,
      self->sinfo.sample_rate);

  if (GST_CLOCK_TIME_IS_VALID (pts) && pts != exact
      && pts + GST_MSECOND >= exact && exact + GST_MSECOND >= pts) {
    if (gst_buffer_is_writable (buffer))
      GST_BUFFER_PTS (buffer) = exact;
    else
      GST_DEBUG_OBJECT (self, "cannot set the input's exact time");
  }
}

/* Checks the trailer's total and MD5 against what was decoded, when every
 * frame of the stream was decoded in order. */
static GstFlowReturn
gst_bytelm_dec_check_trailer (GstBytelmDec * self, const BytelmChunk * trailer)
{
  guint64 total = trailer->total_units;
  guint8 digest[16];
  gsize digest_len = sizeof (digest);

  GST_DEBUG_OBJECT (self, "trailer: %" G_GUINT64_FORMAT " units, %u frames",
      total, trailer->n_frames);
  if (!self->dec || !self->md5_valid) {
    GST_INFO_OBJECT (self, "not every frame was decoded: no MD5 check");
    return GST_FLOW_OK;
  }
  if (total != self->next_unit) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm stream: the trailer counts %" G_GUINT64_FORMAT
            " samples, the frames held %" G_GUINT64_FORMAT, total,
            self->next_unit), (NULL));
    return GST_FLOW_ERROR;
  }
  g_checksum_get_digest (self->md5, digest, &digest_len);
  if (memcmp (digest, trailer->md5, 16)) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Damaged bytelm stream: the MD5 of the decoded samples does not "
            "match the stream's"), (NULL));
    return GST_FLOW_ERROR;
  }
  GST_INFO_OBJECT (self, "MD5 of %" G_GUINT64_FORMAT " samples checked", total);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_bytelm_dec_handle_frame (GstAudioDecoder * dec, GstBuffer * buffer)
{
  GstBytelmDec *self = GST_BYTELM_DEC (dec);
  GstFlowReturn flow = GST_FLOW_OK;
  GstBuffer *outbuf = NULL;
  GstMapInfo map;
  BytelmChunk c;
  int ret;

  if (!buffer)
    return GST_FLOW_OK;         /* nothing held back: every frame decodes alone */
  if (self->matroska && !self->dec && !gst_bytelm_dec_open_matroska (self))
    return GST_FLOW_ERROR;
  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;

  ret = bytelm_chunk_parse (map.data, map.size, self->dec ? &self->sinfo : NULL,
      &c);
  if (c.size && c.type == BYTELM_CHUNK_HEADER) {
    if (!gst_bytelm_dec_open_header (self, map.data, map.size))
      flow = GST_FLOW_NOT_NEGOTIATED;
  } else if (c.size && c.type == BYTELM_CHUNK_FRAME) {
    /* the decoder says what is wrong with a damaged frame */
    flow = gst_bytelm_dec_decode (self, map.data, map.size, c.index, &outbuf);
    if (outbuf && ret == 0)
      gst_bytelm_dec_exact_pts (self, buffer, c.first_unit);
  } else if (ret == 0 && c.type == BYTELM_CHUNK_TAGS) {
    /* no samples */
  } else if (ret == 0 && c.type == BYTELM_CHUNK_TRAILER && c.size == map.size) {
    flow = gst_bytelm_dec_check_trailer (self, &c);
    self->seen_trailer = TRUE;
    /* whatever follows is a new stream (a concatenation) */
    gst_bytelm_dec_md5_restart (self);
  } else {
    GST_AUDIO_DECODER_ERROR (self, 1, STREAM, DECODE,
        ("Not a bytelm packet (damaged stream?)"),
        ("%" G_GSIZE_FORMAT " bytes: %s", map.size, bytelm_strerror (ret)),
        flow);
  }
  /* finish_frame releases the input buffer: unmap first */
  gst_buffer_unmap (buffer, &map);
  if (flow == GST_FLOW_OK)
    flow = gst_audio_decoder_finish_frame (dec, outbuf, 1);
  else if (outbuf)
    gst_buffer_unref (outbuf);
  return flow;
}

/* A stream decoded from its first frame in order that ends without its trailer
 * was cut short: say so rather than end quietly, as the command-line tool does.
 * Not after a seek or in a segment with a stop, which end before the trailer. It
 * also catches damage that upstream reported while decodebin was still plugging
 * it in, when decodebin drops the element's error message. */
static gboolean
gst_bytelm_dec_sink_event (GstAudioDecoder * dec, GstEvent * event)
{
  GstBytelmDec *self = GST_BYTELM_DEC (dec);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->dec && self->md5_valid
      && self->next_unit > 0 && !self->seen_trailer
      && !GST_CLOCK_TIME_IS_VALID (dec->input_segment.stop)) {
    GST_ELEMENT_ERROR (self, STREAM, DECODE,
        ("Truncated bytelm stream: it ends after %" G_GUINT64_FORMAT
            " samples, without its trailer", self->next_unit), (NULL));
  }
  return GST_AUDIO_DECODER_CLASS (gst_bytelm_dec_parent_class)->sink_event
      (dec, event);
}

static void
gst_bytelm_dec_flush (GstAudioDecoder * dec, gboolean hard)
{
  GstBytelmDec *self = GST_BYTELM_DEC (dec);

  /* frames are independent: nothing to forget but the trailer flag; the
   * MD5 is checked again only if decoding restarts at the first frame */
  self->seen_trailer = FALSE;
  gst_bytelm_dec_md5_restart (self);
}

static gboolean
gst_bytelm_dec_start (GstAudioDecoder * dec)
{
  GstBytelmDec *self = GST_BYTELM_DEC (dec);

  gst_bytelm_dec_reset (self);
  return TRUE;
}

static gboolean
gst_bytelm_dec_stop (GstAudioDecoder * dec)
{
  gst_bytelm_dec_reset (GST_BYTELM_DEC (dec));
  return TRUE;
}

static void
gst_bytelm_dec_finalize (GObject * object)
{
  GstBytelmDec *self = GST_BYTELM_DEC (object);

  bytelm_decoder_close (&self->dec);
  if (self->md5)
    g_checksum_free (self->md5);
  gst_bytelm_props_clear (&self->props);
  G_OBJECT_CLASS (gst_bytelm_dec_parent_class)->finalize (object);
}

static void
gst_bytelm_dec_init (GstBytelmDec * self)
{
  gst_bytelm_props_init (&self->props);
  gst_bytelm_log_init (&self->log, self);
  /* lossless: a damaged frame is an error unless max-errors says otherwise */
  gst_audio_decoder_set_max_errors (GST_AUDIO_DECODER (self), 0);
  gst_audio_decoder_set_needs_format (GST_AUDIO_DECODER (self), TRUE);
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_AUDIO_DECODER_SINK_PAD (self));
}

static void
gst_bytelm_dec_class_init (GstBytelmDecClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAudioDecoderClass *dec_class = GST_AUDIO_DECODER_CLASS (klass);

  gobject_class->finalize = gst_bytelm_dec_finalize;

  gst_bytelm_props_install (gobject_class,
      G_STRUCT_OFFSET (GstBytelmDec, props), GST_BYTELM_DECODER_PROPS,
      TRUE, NULL, 0);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm audio decoder", "Codec/Decoder/Audio",
      "Decodes bytelm (.blm) lossless audio to 16-bit PCM",
      "bytelm developers");

  dec_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_dec_start);
  dec_class->stop = GST_DEBUG_FUNCPTR (gst_bytelm_dec_stop);
  dec_class->set_format = GST_DEBUG_FUNCPTR (gst_bytelm_dec_set_format);
  dec_class->handle_frame = GST_DEBUG_FUNCPTR (gst_bytelm_dec_handle_frame);
  dec_class->flush = GST_DEBUG_FUNCPTR (gst_bytelm_dec_flush);
  dec_class->sink_event = GST_DEBUG_FUNCPTR (gst_bytelm_dec_sink_event);
}
