/*
 * Shared helpers of the bytelm GStreamer elements.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstbytelmcommon.h"

#include <string.h>
#include <stdio.h>

GST_DEBUG_CATEGORY (gst_bytelm_debug);

GType
gst_bytelm_preset_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {BYTELM_PRESET_FAST, "Fast", "fast"},
    {BYTELM_PRESET_DEFAULT, "Default", "default"},
    {BYTELM_PRESET_MAX, "Maximum compression", "max"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstBytelmPreset", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* The image kinds, with the raw video format of the same memory layout where
 * GStreamer has one. The others keep a name for the coded caps, so that parsers
 * and containers carry them and the decoder can say what it cannot output. */
static const struct {
  BytelmKind kind;
  GstVideoFormat format;
  const gchar *name;
} image_kinds[] = {
  {BYTELM_KIND_GRAY8, GST_VIDEO_FORMAT_GRAY8, "GRAY8"},
  {BYTELM_KIND_RGB24, GST_VIDEO_FORMAT_RGB, "RGB"},
  {BYTELM_KIND_GRAYA8, GST_VIDEO_FORMAT_UNKNOWN, "GRAYA8"},
  {BYTELM_KIND_RGBA32, GST_VIDEO_FORMAT_RGBA, "RGBA"},
  {BYTELM_KIND_GRAY16LE, GST_VIDEO_FORMAT_GRAY16_LE, "GRAY16_LE"},
  {BYTELM_KIND_GRAYA16LE, GST_VIDEO_FORMAT_UNKNOWN, "GRAYA16_LE"},
  {BYTELM_KIND_RGB48LE, GST_VIDEO_FORMAT_UNKNOWN, "RGB48_LE"},
  {BYTELM_KIND_RGBA64LE, GST_VIDEO_FORMAT_RGBA64_LE, "RGBA64_LE"},
};

GstVideoFormat
gst_bytelm_kind_to_video_format (BytelmKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_kinds); i++)
    if (image_kinds[i].kind == kind)
      return image_kinds[i].format;
  return GST_VIDEO_FORMAT_UNKNOWN;
}

BytelmKind
gst_bytelm_video_format_to_kind (GstVideoFormat format)
{
  for (guint i = 0; format != GST_VIDEO_FORMAT_UNKNOWN
      && i < G_N_ELEMENTS (image_kinds); i++)
    if (image_kinds[i].format == format)
      return image_kinds[i].kind;
  return BYTELM_KIND_BYTES;
}

const gchar *
gst_bytelm_kind_caps_format (BytelmKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (image_kinds); i++)
    if (image_kinds[i].kind == kind)
      return image_kinds[i].name;
  return NULL;
}

void
gst_bytelm_log_init (GstBytelmLog * log, gpointer element)
{
  log->obj = GST_OBJECT (element);
  log->last_error[0] = '\0';
}

void
gst_bytelm_log_callback (void *opaque, int level, const char *msg)
{
  GstBytelmLog *log = opaque;

  switch (level) {
    case BYTELM_LOG_ERROR:
      g_strlcpy (log->last_error, msg, sizeof (log->last_error));
      GST_CAT_ERROR_OBJECT (gst_bytelm_debug, log->obj, "%s", msg);
      break;
    case BYTELM_LOG_WARNING:
      GST_CAT_WARNING_OBJECT (gst_bytelm_debug, log->obj, "%s", msg);
      break;
    case BYTELM_LOG_INFO:
      GST_CAT_INFO_OBJECT (gst_bytelm_debug, log->obj, "%s", msg);
      break;
    default:
      GST_CAT_DEBUG_OBJECT (gst_bytelm_debug, log->obj, "%s", msg);
      break;
  }
}

const gchar *
gst_bytelm_log_error (const GstBytelmLog * log, int ret)
{
  return log->last_error[0] ? log->last_error : bytelm_strerror (ret);
}

void
gst_bytelm_props_init (GstBytelmProps * props)
{
  props->preset = BYTELM_PRESET_DEFAULT;
  props->model = NULL;
  props->model_dir = NULL;
  props->threads = 0;
  props->frame_size = 0;
}

void
gst_bytelm_props_clear (GstBytelmProps * props)
{
  g_clear_pointer (&props->model, g_free);
  g_clear_pointer (&props->model_dir, g_free);
}

/* Where the instances of the class that installed pspec keep their properties. */
static GQuark
props_offset_quark (void)
{
  return g_quark_from_static_string ("gst-bytelm-props-offset");
}

static GstBytelmProps *
props_of (GObject * object, GParamSpec * pspec)
{
  gsize offset = GPOINTER_TO_SIZE (g_type_get_qdata (pspec->owner_type,
          props_offset_quark ()));

  return (GstBytelmProps *) ((guint8 *) object + offset);
}


static void
props_set (GObject * object, guint prop_id, const GValue * value,
    GParamSpec * pspec)
{
  GstBytelmProps *props = props_of (object, pspec);

  GST_OBJECT_LOCK (object);
  switch (prop_id) {
    case GST_BYTELM_PROP_PRESET:
      props->preset = g_value_get_enum (value);
      break;
    case GST_BYTELM_PROP_MODEL:
      g_free (props->model);
      props->model = g_value_dup_string (value);
      break;
    case GST_BYTELM_PROP_MODEL_DIR:
      g_free (props->model_dir);
      props->model_dir = g_value_dup_string (value);
      break;
    case GST_BYTELM_PROP_THREADS:
      props->threads = g_value_get_int (value);
      break;
    case GST_BYTELM_PROP_FRAME_SIZE:
      props->frame_size = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (object);
}

static void
props_get (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstBytelmProps *props = props_of (object, pspec);

  GST_OBJECT_LOCK (object);
  switch (prop_id) {
    case GST_BYTELM_PROP_PRESET:
      g_value_set_enum (value, props->preset);
      break;
    case GST_BYTELM_PROP_MODEL:
      g_value_set_string (value, props->model);
      break;
    case GST_BYTELM_PROP_MODEL_DIR:
      g_value_set_string (value, props->model_dir);
      break;
    case GST_BYTELM_PROP_THREADS:
      g_value_set_int (value, props->threads);
      break;
    case GST_BYTELM_PROP_FRAME_SIZE:
      g_value_set_uint (value, props->frame_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (object);
}

void
gst_bytelm_props_install (GObjectClass * klass, gsize offset, guint mask,
    gboolean decoder, const gchar * frame_size_blurb, guint frame_size_max)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  g_type_set_qdata (G_OBJECT_CLASS_TYPE (klass), props_offset_quark (),
      GSIZE_TO_POINTER (offset));
  klass->set_property = props_set;
  klass->get_property = props_get;

  if (mask & GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_PRESET))
    g_object_class_install_property (klass, GST_BYTELM_PROP_PRESET,
        g_param_spec_enum ("preset", "Preset",
            "Speed against compression (picks the built-in model)",
            GST_TYPE_BYTELM_PRESET, BYTELM_PRESET_DEFAULT, flags));
  if (mask & GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_MODEL))
    g_object_class_install_property (klass, GST_BYTELM_PROP_MODEL,
        g_param_spec_string ("model", "Model", decoder ?
            "Path of a .blmm model file to use for model-coded frames" :
            "Path of a .blmm model file to use instead of the preset's model",
            NULL, flags));
  if (mask & GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_MODEL_DIR))
    g_object_class_install_property (klass, GST_BYTELM_PROP_MODEL_DIR,
        g_param_spec_string ("model-dir", "Model directory", decoder ?
            "Extra directory searched for the stream's model (by hash)" :
            "Extra directory searched for models", NULL, flags));
  if (mask & GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_THREADS))
    g_object_class_install_property (klass, GST_BYTELM_PROP_THREADS,
        g_param_spec_int ("threads", "Threads",
            "Worker threads (0 = one per CPU); the output does not depend on it",
            0, 64, 0, flags));
  if (mask & GST_BYTELM_PROP_BIT (GST_BYTELM_PROP_FRAME_SIZE))
    g_object_class_install_property (klass, GST_BYTELM_PROP_FRAME_SIZE,
        g_param_spec_uint ("frame-size", "Frame size", frame_size_blurb,
            0, frame_size_max, 0, flags));
}

void
gst_bytelm_settings_init (BytelmSettings * s, const GstBytelmProps * props,
    GstBytelmLog * log)
{
  bytelm_default_settings (s);
  s->log_callback = gst_bytelm_log_callback;
  s->log_opaque = log;
  s->log_level = BYTELM_LOG_DEBUG;
  s->preset = (BytelmPreset) props->preset;
  s->frame_units = props->frame_size;
  s->threads = props->threads;
  s->model_path = props->model;
  s->model_dir = props->model_dir;
  log->last_error[0] = '\0';
}

void
gst_bytelm_post_missing_model (GstElement * element, const guint8 hash[32],
    int ret)
{
  gchar hex[65];

  for (int i = 0; i < 32; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", hash[i]);
  GST_ELEMENT_ERROR (element, LIBRARY, INIT,
      ("The bytelm model this stream needs (hash %s) was not found; set the "
          "decoder's model or model-dir property, or BYTELM_MODEL_PATH", hex),
      ("bytelm decoder: %s", bytelm_strerror (ret)));
}

/* WAVE_FORMAT_EXTENSIBLE speaker bits, in bit order. */
static const GstAudioChannelPosition wave_positions[] = {
  GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT,
  GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT,
  GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER,
  GST_AUDIO_CHANNEL_POSITION_LFE1,
  GST_AUDIO_CHANNEL_POSITION_REAR_LEFT,
  GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT,
  GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT_OF_CENTER,
  GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT_OF_CENTER,
  GST_AUDIO_CHANNEL_POSITION_REAR_CENTER,
  GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT,
  GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT,
  GST_AUDIO_CHANNEL_POSITION_TOP_CENTER,
  GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_LEFT,
  GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_CENTER,
  GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_RIGHT,
  GST_AUDIO_CHANNEL_POSITION_TOP_REAR_LEFT,
  GST_AUDIO_CHANNEL_POSITION_TOP_REAR_CENTER,
  GST_AUDIO_CHANNEL_POSITION_TOP_REAR_RIGHT,
};

#define N_WAVE_POSITIONS G_N_ELEMENTS (wave_positions)

static gint
wave_bit (GstAudioChannelPosition pos)
{
  for (guint i = 0; i < N_WAVE_POSITIONS; i++)
    if (wave_positions[i] == pos)
      return (gint) i;
  return -1;
}

guint32
gst_bytelm_info_to_mask (const GstAudioInfo * info,
    GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS])
{
  gint channels = GST_AUDIO_INFO_CHANNELS (info);
  guint32 mask = 0;

  g_return_val_if_fail (channels >= 1 && channels <= BYTELM_MAX_CHANNELS, 0);
  memcpy (wav_order, info->position, channels * sizeof (wav_order[0]));
  if (GST_AUDIO_INFO_IS_UNPOSITIONED (info) || channels == 1)
    return 0;
  for (gint c = 0; c < channels; c++) {
    gint bit = wave_bit (info->position[c]);
    if (bit < 0 || (mask & (1u << bit)))
      return 0;
    mask |= 1u << bit;
  }
  gint n = 0;
  for (guint bit = 0; bit < N_WAVE_POSITIONS; bit++)
    if (mask & (1u << bit))
      wav_order[n++] = wave_positions[bit];
  return mask;
}

gboolean
gst_bytelm_mask_to_positions (guint32 mask, guint channels,
    GstAudioChannelPosition wav_order[BYTELM_MAX_CHANNELS],
    GstAudioChannelPosition gst_order[BYTELM_MAX_CHANNELS])
{
  guint n = 0;

  g_return_val_if_fail (channels >= 1 && channels <= BYTELM_MAX_CHANNELS, FALSE);
  if (mask && (mask >> N_WAVE_POSITIONS) == 0) {
    for (guint bit = 0; bit < N_WAVE_POSITIONS && n < channels; bit++)
      if (mask & (1u << bit))
        wav_order[n++] = wave_positions[bit];
    /* every set bit must have been used, one per channel */
    if (n == channels && (guint) __builtin_popcount (mask) == channels) {
      memcpy (gst_order, wav_order, channels * sizeof (gst_order[0]));
      gst_audio_channel_positions_to_valid_order (gst_order, channels);
      return TRUE;
    }
  }
  for (guint c = 0; c < channels; c++)
    wav_order[c] = GST_AUDIO_CHANNEL_POSITION_NONE;
  if (channels == 1)
    wav_order[0] = GST_AUDIO_CHANNEL_POSITION_MONO;
  else if (channels == 2) {
    wav_order[0] = GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT;
    wav_order[1] = GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT;
  }
  memcpy (gst_order, wav_order, channels * sizeof (gst_order[0]));
  return FALSE;
}

gboolean
gst_bytelm_caps_are_matroska (const GstCaps * caps)
{
  const gchar *id;

  if (!caps || gst_caps_get_size (caps) == 0)
    return FALSE;
  id = gst_structure_get_string (gst_caps_get_structure (caps, 0), "codec-id");
  return !g_strcmp0 (id, "A_BYTELM") || !g_strcmp0 (id, "V_BYTELM");
}

gint
gst_bytelm_buffer_chunk_type (GstBuffer * buf)
{
  guint8 head[4];
  BytelmChunk chunk;
  gsize n = gst_buffer_extract (buf, 0, head, sizeof (head));

  /* Four bytes name a chunk but cannot show it sound: the parser answers
   * BYTELM_EAGAIN (or BYTELM_EINVAL for a frame, having no header to check it
   * against), with the type set. Only "no chunk starts here" leaves its size 0. */
  if (n < sizeof (head)
      || (bytelm_chunk_parse (head, n, NULL, &chunk) == BYTELM_EFORMAT
          && !chunk.size))
    return -1;
  return chunk.type;
}

/* How much of a Matroska file is searched for a track's CodecPrivate: the Tracks
 * element comes before the first Cluster (in FFmpeg's files within 4 KiB). */
#define MKV_SCAN_SIZE (1 << 20)

/* NULL when data is a valid stream header of the wanted kind, else why not. */
static const gchar *
check_header (const guint8 * data, gsize size, gboolean audio)
{
  BytelmStreamInfo info;
  size_t hlen;

  if (bytelm_probe_header (data, size, &info, &hlen) < 0
      || hlen != GST_BYTELM_HEADER_SIZE)
    return "not a valid bytelm stream header";
  /* images GStreamer has no format for are found too: the decoder says why
   * it cannot output them */
  if (audio ? info.kind != BYTELM_KIND_PCM_S16LE :
      !gst_bytelm_kind_caps_format (info.kind))
    return audio ? "a bytelm header, not of audio" :
        "a bytelm header, not of images";
  return NULL;
}

/* The one valid header of the wanted kind in data, or NULL and *why. */
static GstBuffer *
find_header (const guint8 * data, gsize size, gboolean audio,
    const gchar ** why)
{
  GstBuffer *found = NULL;

  for (gsize i = 0; i + GST_BYTELM_HEADER_SIZE <= size; i++) {
    if (data[i] != 'B' || check_header (data + i, size - i, audio))
      continue;
    if (!found)
      found = gst_buffer_new_memdup (data + i, GST_BYTELM_HEADER_SIZE);
    else if (gst_buffer_memcmp (found, 0, data + i, GST_BYTELM_HEADER_SIZE)) {
      gst_buffer_unref (found);
      *why = "it has more than one bytelm track of this kind";
      return NULL;
    }
  }
  if (!found)
    *why = "no bytelm stream header at its start";
  return found;
}

/* The local file upstream of sinkpad (filesrc, playbin with a file), or NULL. */
static gchar *
upstream_filename (GstPad * sinkpad)
{
  GstQuery *query = gst_query_new_uri ();
  gchar *uri = NULL, *filename = NULL;

  if (gst_pad_peer_query (sinkpad, query))
    gst_query_parse_uri (query, &uri);
  gst_query_unref (query);
  if (uri)
    filename = g_filename_from_uri (uri, NULL, NULL);
  g_free (uri);
  return filename;
}

GstBuffer *
gst_bytelm_matroska_header (GstElement * element, GstPad * sinkpad,
    const GstCaps * caps, gboolean audio)
{
  const GValue *v = gst_structure_get_value (gst_caps_get_structure (caps, 0),
      "codec_data");
  const gchar *why = "the file upstream could not be read (not a local file?)";
  GstBuffer *header = NULL;
  gchar *filename = NULL;
  FILE *f;

  if (v && G_VALUE_HOLDS (v, GST_TYPE_BUFFER)) {
    GstMapInfo map;

    header = gst_value_get_buffer (v);
    if (!gst_buffer_map (header, &map, GST_MAP_READ))
      return NULL;
    why = check_header (map.data, map.size, audio);
    gst_buffer_unmap (header, &map);
    if (!why)
      return gst_buffer_ref (header);
    GST_ELEMENT_ERROR (element, STREAM, DECODE,
        ("Cannot decode this Matroska file's bytelm track: its CodecPrivate "
            "is %s", why), ("caps %" GST_PTR_FORMAT, caps));
    return NULL;
  }

  /* matroskademux 1.22 drops the CodecPrivate of CodecIDs it does not know:
   * read it from the file */
  filename = upstream_filename (sinkpad);
  if (filename && (f = fopen (filename, "rb"))) {
    guint8 *data = g_malloc (MKV_SCAN_SIZE);
    gsize n = fread (data, 1, MKV_SCAN_SIZE, f);

    fclose (f);
    header = find_header (data, n, audio, &why);
    g_free (data);
  }
  if (header)
    GST_INFO_OBJECT (element, "stream header read from %s", filename);
  else
    GST_ELEMENT_ERROR (element, STREAM, DECODE,
        ("Cannot decode this Matroska file's bytelm track: GStreamer's "
            "matroskademux does not pass on its stream header (CodecPrivate), "
            "and reading it from the file failed: %s", why),
        ("caps %" GST_PTR_FORMAT ", file %s", caps, GST_STR_NULL (filename)));
  g_free (filename);
  return header;
}
