/*
 * bytelmenc: a GstAudioEncoder that codes interleaved S16LE audio (1..8 channels,
 * any rate) into a .blm stream (docs/FORMAT.md). The stream header goes out first
 * (and in the caps' streamheader), then one buffer per frame with its timestamp
 * and duration, then the trailer at EOS. The header does not announce the length,
 * so a live source and a sink that cannot seek are fine: the trailer carries it.
 *
 * Stream tags (upstream tag events, and tags an application sets through the
 * GstTagSetter interface) that are known when the first samples arrive go into the
 * stream as its tags chunk (docs/FORMAT.md §1.1), Vorbis comment fields as
 * flacenc writes them; the header and that chunk are the stream's headers. The tag
 * events also go downstream as usual, so matroskamux writes them as Matroska tags.
 *
 * At the end of each stream the element posts an element message "bytelmenc-stats"
 * with bytes-in, bytes-out (guint64) and ratio (gdouble, bytes-out / bytes-in).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstbytelmenc.h"

#include <string.h>

#include <gst/tag/tag.h>

#define GST_CAT_DEFAULT gst_bytelm_debug

struct _GstBytelmEnc {
  GstAudioEncoder parent;

  GstBytelmProps props;

  /* streaming state */
  BytelmEncoder *enc;
  gboolean finished;            /* the current stream's trailer is out */
  GstAudioInfo info;
  guint32 channel_mask;
  gboolean reorder;
  GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS];
  GstBytelmLog log;
  GstTagList *tags;             /* upstream's stream tags so far */
};

G_DEFINE_TYPE_WITH_CODE (GstBytelmEnc, gst_bytelm_enc, GST_TYPE_AUDIO_ENCODER,
    G_IMPLEMENT_INTERFACE (GST_TYPE_TAG_SETTER, NULL));
GST_ELEMENT_REGISTER_DEFINE (bytelmenc, "bytelmenc", GST_RANK_PRIMARY,
    GST_TYPE_BYTELM_ENC);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) S16LE, "
        "layout = (string) interleaved, rate = (int) [ 1, 768000 ], "
        "channels = (int) [ 1, 8 ]"));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_BYTELM_AUDIO_CAPS ", framed = (boolean) true, "
        "rate = (int) [ 1, 768000 ], channels = (int) [ 1, 8 ]"));

static void
gst_bytelm_enc_close_stream (GstBytelmEnc * self)
{
  bytelm_encoder_close (&self->enc);
  self->finished = FALSE;
}

/* Hands the stream's tags to the library as Vorbis comment fields. */
static gboolean
gst_bytelm_enc_add_tags (GstBytelmEnc * self)
{
  GstTagSetter *setter = GST_TAG_SETTER (self);
  GstTagList *tags = gst_tag_list_merge (gst_tag_setter_get_tag_list (setter),
      self->tags, gst_tag_setter_get_tag_merge_mode (setter));
  gboolean ok = TRUE;

  if (!tags)
    return TRUE;
  for (gint i = 0; ok && i < gst_tag_list_n_tags (tags); i++) {
    GList *fields = gst_tag_to_vorbis_comments (tags,
        gst_tag_list_nth_tag_name (tags, i));

    for (GList * l = fields; ok && l; l = l->next) {
      gchar **kv = g_strsplit (l->data, "=", 2);
      int ret = kv[0] && kv[1] ? bytelm_encoder_add_tag (self->enc, kv[0], kv[1])
          : BYTELM_EINVAL;

      if (ret == BYTELM_EINVAL) {
        GST_WARNING_OBJECT (self, "tag field %s not kept", (gchar *) l->data);
      } else if (ret < 0) {
        GST_ELEMENT_ERROR (self, LIBRARY, ENCODE, (NULL),
            ("bytelm_encoder_add_tag: %s", bytelm_strerror (ret)));
        ok = FALSE;
      }
      g_strfreev (kv);
    }
    g_list_free_full (fields, g_free);
  }
  gst_tag_list_unref (tags);
  return ok;
}

/* Opens the library's encoder for self->info and announces caps and headers:
 * the stream header, and the tags chunk when there are tags. */
static gboolean
gst_bytelm_enc_open_stream (GstBytelmEnc * self)
{
  BytelmSettings s;
  BytelmPacket pkt;
  BytelmStreamInfo sinfo;
  size_t hlen;
  int ret;

  GST_OBJECT_LOCK (self);
  gst_bytelm_settings_init (&s, &self->props, &self->log);
  s.kind = BYTELM_KIND_PCM_S16LE;
  s.source = BYTELM_SOURCE_RAW;
  s.sample_rate = GST_AUDIO_INFO_RATE (&self->info);
  s.channels = GST_AUDIO_INFO_CHANNELS (&self->info);
  s.channel_mask = self->channel_mask;
  s.total_units = BYTELM_UNKNOWN_LENGTH;
  ret = bytelm_encoder_open (&self->enc, &s);
  GST_OBJECT_UNLOCK (self);

  if (ret < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
        ("Could not start the bytelm encoder: %s",
            gst_bytelm_log_error (&self->log, ret)),
        ("bytelm_encoder_open: %s (%d)", bytelm_strerror (ret), ret));
    return FALSE;
  }
  self->finished = FALSE;
  if (!gst_bytelm_enc_add_tags (self)) {
    gst_bytelm_enc_close_stream (self);
    return FALSE;
  }

  ret = bytelm_encoder_pull_packet (self->enc, &pkt);
  if (ret < 0 || pkt.type != BYTELM_PACKET_HEADER
      || bytelm_probe_header (pkt.data, pkt.size, &sinfo, &hlen) < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, FAILED, (NULL),
        ("the encoder gave no stream header (%d)", ret));
    gst_bytelm_enc_close_stream (self);
    return FALSE;
  }

  GstBuffer *header = gst_buffer_new_memdup (pkt.data, pkt.size);
  GST_BUFFER_FLAG_SET (header, GST_BUFFER_FLAG_HEADER);
  GList *headers = g_list_append (NULL, header);

  /* the tags chunk, if any, is the next packet (no frame comes before a push) */
  if (bytelm_encoder_pull_packet (self->enc, &pkt) == 0
      && pkt.type == BYTELM_PACKET_TAGS) {
    GstBuffer *tags = gst_buffer_new_memdup (pkt.data, pkt.size);

    GST_BUFFER_FLAG_SET (tags, GST_BUFFER_FLAG_HEADER);
    headers = g_list_append (headers, tags);
  }

  GstCaps *caps = gst_caps_new_simple (GST_BYTELM_AUDIO_CAPS,
      "framed", G_TYPE_BOOLEAN, TRUE,
      "rate", G_TYPE_INT, GST_AUDIO_INFO_RATE (&self->info),
      "channels", G_TYPE_INT, GST_AUDIO_INFO_CHANNELS (&self->info), NULL);
  if (self->channel_mask) {
    guint64 gst_mask = 0;

    /* the caps carry GStreamer's mask of the input layout, not WAVE's */
    if (gst_audio_channel_positions_to_mask (self->info.position,
            GST_AUDIO_INFO_CHANNELS (&self->info), FALSE, &gst_mask))
      gst_caps_set_simple (caps, "channel-mask", GST_TYPE_BITMASK, gst_mask,
          NULL);
  }
  {
    GValue array = G_VALUE_INIT, value = G_VALUE_INIT;
    GstStructure *st = gst_caps_get_structure (caps, 0);

    g_value_init (&array, GST_TYPE_ARRAY);
    for (GList * l = headers; l; l = l->next) {
      g_value_init (&value, GST_TYPE_BUFFER);
      gst_value_set_buffer (&value, l->data);
      gst_value_array_append_and_take_value (&array, &value);
    }
    gst_structure_take_value (st, "streamheader", &array);
  }

  GST_DEBUG_OBJECT (self, "output caps %" GST_PTR_FORMAT, caps);
  gboolean ok = gst_audio_encoder_set_output_format (GST_AUDIO_ENCODER (self),
      caps);
  gst_caps_unref (caps);
  gst_audio_encoder_set_headers (GST_AUDIO_ENCODER (self), headers);

  /* The samples the library holds before a frame comes out. */
  GstClockTime latency = gst_util_uint64_scale (bytelm_encoder_delay (self->enc),
      GST_SECOND, GST_AUDIO_INFO_RATE (&self->info));
  gst_audio_encoder_set_latency (GST_AUDIO_ENCODER (self), latency, latency);

  if (!ok) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("downstream refused %s", GST_BYTELM_AUDIO_CAPS));
    gst_bytelm_enc_close_stream (self);
  }
  return ok;
}

static gboolean
gst_bytelm_enc_set_format (GstAudioEncoder * enc, GstAudioInfo * info)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);
  gint channels = GST_AUDIO_INFO_CHANNELS (info);

  /* the base class drained the previous stream already */
  gst_bytelm_enc_close_stream (self);
  if (GST_AUDIO_INFO_FORMAT (info) != GST_AUDIO_FORMAT_S16LE
      || GST_AUDIO_INFO_LAYOUT (info) != GST_AUDIO_LAYOUT_INTERLEAVED
      || channels < 1 || channels > BYTELM_MAX_CHANNELS)
    return FALSE;
  self->info = *info;
  self->channel_mask = gst_bytelm_info_to_mask (info, self->wav_order);
  self->reorder = self->channel_mask
      && memcmp (self->wav_order, info->position,
      channels * sizeof (self->wav_order[0])) != 0;
  GST_DEBUG_OBJECT (self, "%d Hz, %d channels, WAVE mask 0x%x%s",
      GST_AUDIO_INFO_RATE (info), channels, self->channel_mask,
      self->reorder ? ", reordering" : "");
  return gst_bytelm_enc_open_stream (self);
}

static void
gst_bytelm_enc_post_stats (GstBytelmEnc * self)
{
  uint64_t in = 0, out = 0;

  bytelm_encoder_stats (self->enc, &in, &out);
  GstStructure *st = gst_structure_new ("bytelmenc-stats",
      "bytes-in", G_TYPE_UINT64, (guint64) in,
      "bytes-out", G_TYPE_UINT64, (guint64) out,
      "ratio", G_TYPE_DOUBLE, in ? (gdouble) out / (gdouble) in : 0.0, NULL);
  GST_INFO_OBJECT (self, "stream done: %" GST_PTR_FORMAT, st);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* Pushes every packet the library has ready. */
static GstFlowReturn
gst_bytelm_enc_push_packets (GstBytelmEnc * self)
{
  GstFlowReturn flow = GST_FLOW_OK;
  BytelmPacket pkt;
  int ret;

  while ((ret = bytelm_encoder_pull_packet (self->enc, &pkt)) == 0) {
    GstBuffer *buf;

    if (pkt.type == BYTELM_PACKET_HEADER || pkt.type == BYTELM_PACKET_TAGS
        || pkt.size == 0)
      continue;
    buf = gst_buffer_new_memdup (pkt.data, pkt.size);
    if (pkt.type == BYTELM_PACKET_FRAME) {
      flow = gst_audio_encoder_finish_frame (GST_AUDIO_ENCODER (self), buf,
          (gint) pkt.n_units);
    } else {
      /* the trailer stands for no samples; pre_push zeroes its duration */
      flow = gst_audio_encoder_finish_frame (GST_AUDIO_ENCODER (self), buf, 0);
    }
    if (flow != GST_FLOW_OK)
      break;
  }
  if (ret < 0 && ret != BYTELM_EAGAIN) {
    GST_ELEMENT_ERROR (self, LIBRARY, ENCODE, (NULL),
        ("bytelm_encoder_pull_packet: %s", bytelm_strerror (ret)));
    return GST_FLOW_ERROR;
  }
  return flow;
}

static GstFlowReturn
gst_bytelm_enc_handle_frame (GstAudioEncoder * enc, GstBuffer * buffer)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);
  GstMapInfo map;
  int ret;

  if (!buffer) {
    /* drain: EOS or a format change; the base class calls again until we
     * hand nothing back */
    if (!self->enc || self->finished)
      return GST_FLOW_OK;
    self->finished = TRUE;
    if ((ret = bytelm_encoder_finish (self->enc)) < 0) {
      GST_ELEMENT_ERROR (self, LIBRARY, ENCODE,
          ("Could not finish the bytelm stream: %s", self->log.last_error[0] ?
              self->log.last_error : bytelm_strerror (ret)),
          ("bytelm_encoder_finish: %s", bytelm_strerror (ret)));
      return GST_FLOW_ERROR;
    }
    gst_bytelm_enc_post_stats (self);
    return gst_bytelm_enc_push_packets (self);
  }

  if (!self->enc || self->finished) {
    /* new data after a flush or a drain: a new stream, with its own header */
    gst_bytelm_enc_close_stream (self);
    if (!GST_AUDIO_INFO_IS_VALID (&self->info)
        || !gst_bytelm_enc_open_stream (self))
      return GST_FLOW_NOT_NEGOTIATED;
  }

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  if (self->reorder) {
    gpointer tmp = g_memdup2 (map.data, map.size);
    gst_audio_reorder_channels (tmp, map.size, GST_AUDIO_FORMAT_S16LE,
        GST_AUDIO_INFO_CHANNELS (&self->info), self->info.position,
        self->wav_order);
    ret = bytelm_encoder_push (self->enc, tmp, map.size);
    g_free (tmp);
  } else {
    ret = bytelm_encoder_push (self->enc, map.data, map.size);
  }
  gst_buffer_unmap (buffer, &map);
  if (ret < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, ENCODE,
        ("bytelm encoding failed: %s", self->log.last_error[0] ?
            self->log.last_error : bytelm_strerror (ret)),
        ("bytelm_encoder_push: %s", bytelm_strerror (ret)));
    return GST_FLOW_ERROR;
  }
  return gst_bytelm_enc_push_packets (self);
}

static gboolean
gst_bytelm_enc_sink_event (GstAudioEncoder * enc, GstEvent * event)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);

  if (GST_EVENT_TYPE (event) == GST_EVENT_TAG) {
    GstTagList *tags;

    gst_event_parse_tag (event, &tags);
    if (gst_tag_list_get_scope (tags) == GST_TAG_SCOPE_STREAM) {
      GstTagList *merged = gst_tag_list_merge (self->tags, tags,
          GST_TAG_MERGE_REPLACE);

      if (self->tags)
        gst_tag_list_unref (self->tags);
      self->tags = merged;
      if (self->enc)
        GST_DEBUG_OBJECT (self, "tags after the stream began go downstream only");
    }
  } else if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START && self->tags) {
    gst_tag_list_unref (self->tags);
    self->tags = NULL;
  }
  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    /* The base class drains only when it holds data: finish here so that a
     * stream without samples still gets its trailer (header + trailer is a
     * valid empty stream). Every sample was handed to handle_frame already. */
    GST_AUDIO_ENCODER_STREAM_LOCK (enc);
    if (!self->enc && !GST_AUDIO_INFO_IS_VALID (&self->info)) {
      /* no buffer came, so the base class never applied the caps */
      GstCaps *caps = gst_pad_get_current_caps (GST_AUDIO_ENCODER_SINK_PAD (enc));
      GstAudioInfo info;
      if (caps && gst_audio_info_from_caps (&info, caps))
        gst_bytelm_enc_set_format (enc, &info);
      if (caps)
        gst_caps_unref (caps);
    }
    if (self->enc && !self->finished)
      gst_bytelm_enc_handle_frame (enc, NULL);
    GST_AUDIO_ENCODER_STREAM_UNLOCK (enc);
  }
  return GST_AUDIO_ENCODER_CLASS (gst_bytelm_enc_parent_class)->sink_event
      (enc, event);
}

static GstFlowReturn
gst_bytelm_enc_pre_push (GstAudioEncoder * enc, GstBuffer ** buffer)
{
  GstBuffer *buf = *buffer;

  /* the trailer stands for no samples */
  if (gst_bytelm_buffer_chunk_type (buf) == BYTELM_CHUNK_TRAILER)
    GST_BUFFER_DURATION (buf) = 0;
  return GST_FLOW_OK;
}

static void
gst_bytelm_enc_flush (GstAudioEncoder * enc)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);

  /* whatever follows a flush is a new stream */
  gst_bytelm_enc_close_stream (self);
}

static gboolean
gst_bytelm_enc_start (GstAudioEncoder * enc)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);

  gst_audio_info_init (&self->info);
  return TRUE;
}

static gboolean
gst_bytelm_enc_stop (GstAudioEncoder * enc)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (enc);

  gst_bytelm_enc_close_stream (self);
  gst_audio_info_init (&self->info);
  if (self->tags)
    gst_tag_list_unref (self->tags);
  self->tags = NULL;
  gst_tag_setter_reset_tags (GST_TAG_SETTER (self));
  return TRUE;
}

static void
gst_bytelm_enc_finalize (GObject * object)
{
  GstBytelmEnc *self = GST_BYTELM_ENC (object);

  bytelm_encoder_close (&self->enc);
  gst_bytelm_props_clear (&self->props);
  G_OBJECT_CLASS (gst_bytelm_enc_parent_class)->finalize (object);
}

static void
gst_bytelm_enc_init (GstBytelmEnc * self)
{
  gst_bytelm_props_init (&self->props);
  gst_bytelm_log_init (&self->log, self);
  gst_audio_info_init (&self->info);
  GST_PAD_SET_ACCEPT_TEMPLATE (GST_AUDIO_ENCODER_SINK_PAD (self));
}

static void
gst_bytelm_enc_class_init (GstBytelmEncClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstAudioEncoderClass *enc_class = GST_AUDIO_ENCODER_CLASS (klass);

  gobject_class->finalize = gst_bytelm_enc_finalize;

  gst_bytelm_props_install (gobject_class,
      G_STRUCT_OFFSET (GstBytelmEnc, props), GST_BYTELM_ENCODER_PROPS,
      FALSE, "Samples per channel in a frame (0 = the library's default); "
      "frames are the unit of seeking and of latency",
      BYTELM_MAX_FRAME_BYTES / 2);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class,
      "bytelm audio encoder", "Codec/Encoder/Audio",
      "Lossless 16-bit PCM coding with a byte-level transformer (bytelm)",
      "bytelm developers");

  enc_class->start = GST_DEBUG_FUNCPTR (gst_bytelm_enc_start);
  enc_class->stop = GST_DEBUG_FUNCPTR (gst_bytelm_enc_stop);
  enc_class->set_format = GST_DEBUG_FUNCPTR (gst_bytelm_enc_set_format);
  enc_class->handle_frame = GST_DEBUG_FUNCPTR (gst_bytelm_enc_handle_frame);
  enc_class->pre_push = GST_DEBUG_FUNCPTR (gst_bytelm_enc_pre_push);
  enc_class->flush = GST_DEBUG_FUNCPTR (gst_bytelm_enc_flush);
  enc_class->sink_event = GST_DEBUG_FUNCPTR (gst_bytelm_enc_sink_event);

  gst_type_mark_as_plugin_api (GST_TYPE_BYTELM_PRESET, 0);
}
