/*
 * GstHarness tests of the bytelm GStreamer plugin (gst-plugin/, docs/GSTREAMER.md):
 * caps refusal, bit-identical round trips for several rates and layouts, input
 * buffers from 1 sample up, timestamps and durations, drain at EOS, the stats
 * message, interchange with the command-line tool both ways, decodebin with
 * duration and seeking, and damaged, truncated or wrong-MD5 streams. The video
 * elements are tested in check_bytelm_video.c.
 *
 * Runs with an isolated registry (tests/meson.build sets GST_REGISTRY,
 * GST_PLUGIN_PATH and GST_PLUGIN_SYSTEM_PATH_1_0).
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/audio/audio.h>

#include <string.h>

#include "scratch.h"

#ifndef BYTELM_CLI
#error BYTELM_CLI must name the command-line tool
#endif

/* Deterministic test signal: a sine per channel plus noise, some clipping. */
static guint8 *
make_pcm (guint rate, guint channels, guint n, guint32 seed)
{
  gint16 *s = g_new (gint16, (gsize) n * channels);
  guint32 x = seed * 2654435761u + 1;

  for (guint i = 0; i < n; i++)
    for (guint c = 0; c < channels; c++) {
      x = x * 1664525u + 1013904223u;
      double v = 12000.0 * sin (2.0 * G_PI * (220.0 + 110.0 * c) * i / rate)
          + (double) ((gint32) (x >> 16) % 2000);
      if (i % 5000 < 50)
        v *= 4.0;
      s[(gsize) i * channels + c] = (gint16) CLAMP (v, -32768.0, 32767.0);
    }
  return (guint8 *) s;
}

typedef struct {
  GstCaps *caps;                /* the encoder's src caps */
  GList *buffers;               /* encoder output, in order */
  GstStructure *stats;          /* the bytelmenc-stats message */
} EncResult;

static void
enc_result_clear (EncResult * r)
{
  gst_caps_replace (&r->caps, NULL);
  g_list_free_full (r->buffers, (GDestroyNotify) gst_buffer_unref);
  r->buffers = NULL;
  if (r->stats)
    gst_structure_free (r->stats);
  r->stats = NULL;
}

static gchar *
raw_caps_str (guint rate, guint channels, guint64 mask)
{
  if (channels > 2 || mask)
    return g_strdup_printf ("audio/x-raw, format=S16LE, layout=interleaved, "
        "rate=%u, channels=%u, channel-mask=(bitmask)0x%" G_GINT64_MODIFIER "x",
        rate, channels, mask);
  return g_strdup_printf ("audio/x-raw, format=S16LE, layout=interleaved, "
      "rate=%u, channels=%u", rate, channels);
}

/* Encodes pcm with bytelmenc, in input buffers of growing sizes (1, 2, 3, ...
 * samples, wrapping at max_chunk). Checks header, timestamps and trailer. */
static void
encode (const guint8 * pcm, guint rate, guint channels, guint64 mask, guint n,
    guint frame_size, guint max_chunk, EncResult * r)
{
  GstHarness *h = gst_harness_new ("bytelmenc");
  GstBus *bus = gst_bus_new ();
  gchar *caps = raw_caps_str (rate, channels, mask);
  guint bpf = 2 * channels, pos = 0, chunk = 1;
  GstBuffer *buf;

  memset (r, 0, sizeof (*r));
  gst_element_set_bus (h->element, bus);
  g_object_set (h->element, "frame-size", frame_size, "threads", 1, NULL);
  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);

  while (pos < n) {
    guint k = MIN (chunk, n - pos);
    buf = gst_buffer_new_memdup (pcm + (gsize) pos * bpf, (gsize) k * bpf);
    GST_BUFFER_PTS (buf) = gst_util_uint64_scale (pos, GST_SECOND, rate);
    GST_BUFFER_DURATION (buf) =
        gst_util_uint64_scale (pos + k, GST_SECOND, rate) - GST_BUFFER_PTS (buf);
    fail_unless_equals_int (gst_harness_push (h, buf), GST_FLOW_OK);
    pos += k;
    chunk = chunk >= max_chunk ? 1 : chunk + 1;
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  r->caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (r->caps != NULL);
  while ((buf = gst_harness_try_pull (h)))
    r->buffers = g_list_append (r->buffers, buf);

  GstMessage *msg;
  while ((msg = gst_bus_pop (bus))) {
    const GstStructure *st = gst_message_get_structure (msg);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (st, "bytelmenc-stats"))
      r->stats = gst_structure_copy (st);
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    gst_message_unref (msg);
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);

  /* header first, in the caps too */
  GstStructure *st = gst_caps_get_structure (r->caps, 0);
  fail_unless (gst_structure_has_name (st, "audio/x-bytelm"));
  const GValue *sh = gst_structure_get_value (st, "streamheader");
  fail_unless (sh != NULL && gst_value_array_get_size (sh) == 1);
  gint v;
  fail_unless (gst_structure_get_int (st, "rate", &v) && v == (gint) rate);
  fail_unless (gst_structure_get_int (st, "channels", &v)
      && v == (gint) channels);

  fail_unless (g_list_length (r->buffers) >= 2);
  GstBuffer *hdrbuf = r->buffers->data;
  fail_unless (GST_BUFFER_FLAG_IS_SET (hdrbuf, GST_BUFFER_FLAG_HEADER));
  fail_unless_equals_int (gst_buffer_get_size (hdrbuf), 76);
  fail_unless (gst_buffer_memcmp (hdrbuf, 0, "BYLM", 4) == 0);

  /* frames: timestamps from their first sample, durations from their length */
  guint64 expect_unit = 0;
  guint frames = 0;
  for (GList * l = r->buffers->next; l && l->next; l = l->next) {
    GstBuffer *b = l->data;
    guint8 hdr[20];
    fail_unless_equals_int (gst_buffer_extract (b, 0, hdr, 20), 20);
    fail_unless (memcmp (hdr, "BLMF", 4) == 0);
    guint64 first_unit = GST_READ_UINT64_LE (hdr + 8);
    guint32 units = GST_READ_UINT32_LE (hdr + 16);
    fail_unless_equals_uint64 (first_unit, expect_unit);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b),
        gst_util_uint64_scale (first_unit, GST_SECOND, rate));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b) + GST_BUFFER_DURATION (b),
        gst_util_uint64_scale (first_unit + units, GST_SECOND, rate));
    expect_unit += units;
    frames++;
  }
  fail_unless_equals_uint64 (expect_unit, n);
  fail_unless_equals_int (frames, (n + frame_size - 1) / frame_size);
  /* drain at EOS: the trailer is last */
  GstBuffer *last = g_list_last (r->buffers)->data;
  fail_unless (gst_buffer_memcmp (last, 0, "BLMT", 4) == 0);
  fail_unless (gst_buffer_memcmp (last, gst_buffer_get_size (last) - 4,
          "BLME", 4) == 0);

  /* the stats message */
  guint64 in = 0, out = 0, total = 0;
  gdouble ratio = 0;
  fail_unless (r->stats != NULL);
  fail_unless (gst_structure_get_uint64 (r->stats, "bytes-in", &in));
  fail_unless (gst_structure_get_uint64 (r->stats, "bytes-out", &out));
  fail_unless (gst_structure_get_double (r->stats, "ratio", &ratio));
  for (GList * l = r->buffers; l; l = l->next)
    total += gst_buffer_get_size (l->data);
  fail_unless_equals_uint64 (in, (guint64) n * bpf);
  fail_unless_equals_uint64 (out, total);
  fail_unless (ratio > 0.0 && fabs (ratio - (double) out / in) < 1e-9);
}

static GstBuffer *
concat (GList * bufs)
{
  GstBuffer *all = gst_buffer_new ();
  for (GList * l = bufs; l; l = l->next)
    all = gst_buffer_append (all, gst_buffer_ref (l->data));
  return all;
}

/* Decodes with `launch` (bytelmdec, or "bytelmparse ! bytelmdec") and checks the
 * output against pcm, with continuous timestamps from 0. */
static void
decode_and_check (const gchar * launch, GstCaps * caps, GList * bufs,
    const guint8 * pcm, guint rate, guint channels, guint64 mask, guint n)
{
  GstHarness *h = gst_harness_new_parse (launch);
  GstBuffer *buf;
  guint64 samples = 0;
  GstMapInfo map;

  gst_harness_set_src_caps (h, gst_caps_ref (caps));
  for (GList * l = bufs; l; l = l->next)
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_ref (l->data)),
        GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));

  GstCaps *out_caps = gst_pad_get_current_caps (h->sinkpad);
  GstAudioInfo info;
  fail_unless (out_caps && gst_audio_info_from_caps (&info, out_caps));
  fail_unless_equals_int (GST_AUDIO_INFO_RATE (&info), rate);
  fail_unless_equals_int (GST_AUDIO_INFO_CHANNELS (&info), channels);
  fail_unless_equals_int (GST_AUDIO_INFO_FORMAT (&info), GST_AUDIO_FORMAT_S16LE);
  if (mask) {
    guint64 got = 0;
    fail_unless (gst_structure_get (gst_caps_get_structure (out_caps, 0),
            "channel-mask", GST_TYPE_BITMASK, &got, NULL));
    fail_unless_equals_uint64 (got, mask);
  }
  gst_caps_unref (out_caps);

  GstBuffer *all = gst_buffer_new ();
  while ((buf = gst_harness_try_pull (h))) {
    /* the base class rounds to the nearest nanosecond */
    GstClockTimeDiff d = GST_CLOCK_DIFF (GST_BUFFER_PTS (buf),
        gst_util_uint64_scale (samples, GST_SECOND, rate));
    fail_unless (d >= -1 && d <= 1, "timestamp off by %" G_GINT64_FORMAT, d);
    samples += gst_buffer_get_size (buf) / (2 * channels);
    fail_unless (GST_BUFFER_DURATION_IS_VALID (buf));
    all = gst_buffer_append (all, buf);
  }
  fail_unless_equals_uint64 (samples, n);
  fail_unless (gst_buffer_map (all, &map, GST_MAP_READ));
  fail_unless_equals_uint64 (map.size, (guint64) n * 2 * channels);
  fail_unless (memcmp (map.data, pcm, map.size) == 0,
      "decoded samples differ from the input");
  gst_buffer_unmap (all, &map);
  gst_buffer_unref (all);
  gst_harness_teardown (h);
}

static void
roundtrip (guint rate, guint channels, guint64 mask, guint n, guint frame_size,
    guint max_chunk)
{
  guint8 *pcm = make_pcm (rate, channels, n, rate + channels);
  EncResult r;

  encode (pcm, rate, channels, mask, n, frame_size, max_chunk, &r);
  /* encoder buffers straight into the decoder */
  decode_and_check ("bytelmdec", r.caps, r.buffers, pcm, rate, channels, mask,
      n);
  /* and the byte stream, cut at odd places, through the parser */
  {
    GstBuffer *all = concat (r.buffers);
    gsize size = gst_buffer_get_size (all), off = 0, step = 7;
    GList *pieces = NULL;
    GstCaps *caps = gst_caps_from_string ("audio/x-bytelm");
    while (off < size) {
      gsize k = MIN (step, size - off);
      pieces = g_list_append (pieces,
          gst_buffer_copy_region (all, GST_BUFFER_COPY_MEMORY, off, k));
      off += k;
      step = step * 3 % 1001 + 1;
    }
    decode_and_check ("bytelmparse ! bytelmdec", caps, pieces, pcm, rate,
        channels, mask, n);
    g_list_free_full (pieces, (GDestroyNotify) gst_buffer_unref);
    gst_caps_unref (caps);
    gst_buffer_unref (all);
  }
  enc_result_clear (&r);
  g_free (pcm);
}

GST_START_TEST (test_caps_refusal)
{
  GstHarness *h = gst_harness_new ("bytelmenc");
  const gchar *bad[] = {
    "audio/x-raw, format=S24LE, layout=interleaved, rate=44100, channels=2",
    "audio/x-raw, format=F32LE, layout=interleaved, rate=44100, channels=2",
    "audio/x-raw, format=S16BE, layout=interleaved, rate=44100, channels=2",
    "audio/x-raw, format=S16LE, layout=non-interleaved, rate=44100, channels=2",
    "audio/x-raw, format=S16LE, layout=interleaved, rate=44100, channels=9",
    "audio/x-raw, format=S16LE, layout=interleaved, rate=800000, channels=1",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    GstCaps *caps = gst_caps_from_string (bad[i]);
    fail_if (gst_pad_peer_query_accept_caps (h->srcpad, caps), "accepted %s",
        bad[i]);
    gst_caps_unref (caps);
  }
  GstCaps *good = gst_caps_from_string ("audio/x-raw, format=S16LE, "
      "layout=interleaved, rate=44100, channels=2");
  fail_unless (gst_pad_peer_query_accept_caps (h->srcpad, good));
  gst_caps_unref (good);
  gst_harness_teardown (h);

  /* a buffer pushed with refused caps is not negotiated, not a crash */
  h = gst_harness_new ("bytelmenc");
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=F32LE, "
      "layout=interleaved, rate=44100, channels=2");
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_allocate (NULL,
              64, NULL)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);

  /* the decoder takes framed bytelm only */
  h = gst_harness_new ("bytelmdec");
  GstCaps *raw = gst_caps_from_string ("audio/x-raw, format=S16LE, "
      "layout=interleaved, rate=44100, channels=2");
  fail_if (gst_pad_peer_query_accept_caps (h->srcpad, raw));
  gst_caps_unref (raw);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_roundtrip_mono_8k)
{
  roundtrip (8000, 1, 0, 20000, 4096, 600);
}
GST_END_TEST;

GST_START_TEST (test_roundtrip_stereo_44k)
{
  roundtrip (44100, 2, 0x3, 30000, 8192, 2048);
}
GST_END_TEST;

GST_START_TEST (test_roundtrip_51_48k)
{
  /* FL FR FC LFE RL RR: GStreamer's and WAVE's orders agree */
  roundtrip (48000, 6, 0x3f, 9000, 2000, 1500);
}
GST_END_TEST;

GST_START_TEST (test_roundtrip_8ch_96k)
{
  /* 7.1 with side channels; and 3 unpositioned channels */
  guint64 mask = (1 << GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER) |
      (1 << GST_AUDIO_CHANNEL_POSITION_LFE1) |
      (1 << GST_AUDIO_CHANNEL_POSITION_REAR_LEFT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT);
  roundtrip (96000, 8, mask, 5000, 1024, 999);
  roundtrip (22050, 3, 0, 5000, 1000, 333);
}
GST_END_TEST;

GST_START_TEST (test_roundtrip_reorder)
{
  /* top channels: GStreamer's order differs from WAVE's, so the encoder
   * reorders into the stream and the decoder back */
  guint64 mask = (1 << GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_RIGHT) |
      (1 << GST_AUDIO_CHANNEL_POSITION_TOP_FRONT_CENTER);
  roundtrip (32000, 4, mask, 3000, 700, 100);
}
GST_END_TEST;

GST_START_TEST (test_tiny_streams)
{
  /* 1 sample; a frame of 1 sample; exactly one frame; empty */
  roundtrip (44100, 2, 0x3, 1, 4096, 1);
  roundtrip (44100, 1, 0, 5, 1, 1);
  roundtrip (16000, 1, 0, 512, 512, 64);

  GstHarness *h = gst_harness_new ("bytelmenc");
  GstBuffer *buf;
  guint n = 0;
  gst_harness_set_src_caps_str (h, "audio/x-raw, format=S16LE, "
      "layout=interleaved, rate=44100, channels=1");
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  while ((buf = gst_harness_try_pull (h))) {
    fail_unless (gst_buffer_memcmp (buf, 0, n ? "BLMT" : "BYLM", 4) == 0);
    gst_buffer_unref (buf);
    n++;
  }
  fail_unless_equals_int (n, 2);        /* a valid empty stream */
  gst_harness_teardown (h);
}
GST_END_TEST;

static gchar *
tmp_path (const gchar * name)
{
  return scratch_path ("bytelm-gst-XXXXXX", name);
}

static const gchar *
find_magic (const gchar * from, const gchar * end, const gchar * magic)
{
  for (const gchar * p = from; p + 4 <= end; p++)
    if (!memcmp (p, magic, 4))
      return p;
  return NULL;
}

static void
run_cli (const gchar * const *args)
{
  gchar *out = NULL, *err = NULL;
  gint status = 0;
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) BYTELM_CLI);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  fail_unless (g_spawn_sync (NULL, (gchar **) argv->pdata, NULL, 0, NULL, NULL,
          &out, &err, &status, NULL));
  fail_unless (g_spawn_check_wait_status (status, NULL), "bytelm failed: %s",
      err);
  g_ptr_array_free (argv, TRUE);
  g_free (out);
  g_free (err);
}

GST_START_TEST (test_cli_interop)
{
  const guint rate = 44100, channels = 2, n = 40000;
  guint8 *pcm = make_pcm (rate, channels, n, 7);
  gsize bytes = (gsize) n * 2 * channels;
  gchar *blm = tmp_path ("plugin.blm"), *raw = tmp_path ("plugin.raw");
  gchar *cli_blm = tmp_path ("cli.blm"), *pcm_path = tmp_path ("input.raw");
  gchar *data = NULL;
  gsize len = 0;
  EncResult r;

  /* plugin -> file -> bytelm -d (raw PCM out) */
  encode (pcm, rate, channels, 0x3, n, 10000, 4000, &r);
  GstBuffer *all = concat (r.buffers);
  GstMapInfo map;
  gst_buffer_map (all, &map, GST_MAP_READ);
  fail_unless (g_file_set_contents (blm, (const gchar *) map.data, map.size,
          NULL));
  gst_buffer_unmap (all, &map);
  gst_buffer_unref (all);
  enc_result_clear (&r);
  {
    const gchar *args[] = { "-q", "-t", blm, NULL };
    run_cli (args);
  }
  {
    const gchar *args[] = { "-q", "-f", "-d", "-o", raw, blm, NULL };
    run_cli (args);
  }
  fail_unless (g_file_get_contents (raw, &data, &len, NULL));
  fail_unless_equals_uint64 (len, bytes);
  fail_unless (memcmp (data, pcm, bytes) == 0);
  g_free (data);

  /* bytelm (raw PCM in) -> file -> bytelmparse ! bytelmdec */
  fail_unless (g_file_set_contents (pcm_path, (const gchar *) pcm, bytes,
          NULL));
  {
    const gchar *args[] = { "-q", "-f", "--raw=pcm", "--rate=44100",
      "--channels=2", "--frame=3000", "-o", cli_blm, pcm_path, NULL
    };
    run_cli (args);
  }
  fail_unless (g_file_get_contents (cli_blm, &data, &len, NULL));
  {
    GList *pieces = NULL;
    GstCaps *caps = gst_caps_from_string ("audio/x-bytelm");
    for (gsize off = 0; off < len; off += 4096)
      pieces = g_list_append (pieces, gst_buffer_new_memdup (data + off,
              MIN (4096, len - off)));
    decode_and_check ("bytelmparse ! bytelmdec", caps, pieces, pcm, rate,
        channels, 0, n);
    g_list_free_full (pieces, (GDestroyNotify) gst_buffer_unref);
    gst_caps_unref (caps);
  }
  g_free (data);
  g_free (pcm);
  g_free (blm);
  g_free (raw);
  g_free (cli_blm);
  g_free (pcm_path);
}
GST_END_TEST;

/* Writes an encoded test stream to a file; returns its path. */
static gchar *
write_stream (const guint8 * pcm, guint rate, guint channels, guint n,
    guint frame_size, const gchar * name)
{
  EncResult r;
  GstMapInfo map;
  gchar *path = tmp_path (name);

  encode (pcm, rate, channels, channels == 2 ? 0x3 : 0, n, frame_size, 5000,
      &r);
  GstBuffer *all = concat (r.buffers);
  gst_buffer_map (all, &map, GST_MAP_READ);
  fail_unless (g_file_set_contents (path, (const gchar *) map.data, map.size,
          NULL));
  gst_buffer_unmap (all, &map);
  gst_buffer_unref (all);
  enc_result_clear (&r);
  return path;
}

static GstMessage *
wait_for (GstElement * pipeline, GstMessageType types)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      types | GST_MESSAGE_ERROR);
  gst_object_unref (bus);
  fail_unless (msg != NULL, "timed out");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR
      && !(types & GST_MESSAGE_ERROR)) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    fail ("error: %s", err->message);
  }
  return msg;
}

GST_START_TEST (test_decodebin_seek)
{
  const guint rate = 32000, channels = 2, n = 64000;      /* 2 s */
  guint8 *pcm = make_pcm (rate, channels, n, 3);
  gchar *path = write_stream (pcm, rate, channels, n, 4000, "seek.blm");
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "appsink name=sink sync=false caps=audio/x-raw,format=S16LE", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  GstSample *sample = NULL;
  gint64 dur = 0;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  gst_message_unref (wait_for (pipeline, GST_MESSAGE_ASYNC_DONE));

  /* the header does not know the length (the encoder never does): the
   * parser reads it from the trailer */
  fail_unless (gst_element_query_duration (pipeline, GST_FORMAT_TIME, &dur));
  fail_unless_equals_uint64 (dur, 2 * GST_SECOND);

  /* seek to 1.25 s, which is inside frame 10 (32000..36000 -> 40000) */
  fail_unless (gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, 1250 * GST_MSECOND));
  gst_message_unref (wait_for (pipeline, GST_MESSAGE_ASYNC_DONE));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  g_signal_emit_by_name (sink, "pull-preroll", &sample);
  fail_unless (sample != NULL);
  GstBuffer *buf = gst_sample_get_buffer (sample);
  GstSegment *seg = gst_sample_get_segment (sample);
  fail_unless_equals_uint64 (seg->start, 1250 * GST_MSECOND);
  guint64 first_sample = gst_util_uint64_scale_round (GST_BUFFER_PTS (buf), rate,
      GST_SECOND);
  fail_unless (first_sample <= 40000
      && first_sample + gst_buffer_get_size (buf) / 4 > 40000,
      "first sample after seek %" G_GUINT64_FORMAT, first_sample);
  fail_unless (gst_buffer_memcmp (buf, 0, pcm + first_sample * 4,
          gst_buffer_get_size (buf)) == 0);
  gst_sample_unref (sample);

  /* the rest plays to the end, every buffer where it belongs */
  guint64 end = 0;
  while (TRUE) {
    sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    buf = gst_sample_get_buffer (sample);
    guint64 at = gst_util_uint64_scale_round (GST_BUFFER_PTS (buf), rate,
        GST_SECOND);
    gsize size = gst_buffer_get_size (buf);
    fail_unless (at * 4 + size <= (guint64) n * 4);
    fail_unless (gst_buffer_memcmp (buf, 0, pcm + at * 4, size) == 0);
    end = at + size / 4;
    gst_sample_unref (sample);
  }
  fail_unless_equals_uint64 (end, n);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (path);
  g_free (pcm);
}
GST_END_TEST;

/* Runs filesrc ! decodebin ! fakesink on a file and returns the error text
 * (NULL if it played to EOS). */
static gchar *
play_file (const gchar * path)
{
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "fakesink sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  gchar *text = NULL;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  GstMessage *msg = wait_for (pipeline, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  g_free (desc);
  return text;
}

/* CRC-32 (zlib's), to forge a trailer with a wrong MD5 but a valid CRC. */
static guint32
crc32_le (const guint8 * p, gsize n)
{
  guint32 c = 0xffffffffu;
  for (gsize i = 0; i < n; i++) {
    c ^= p[i];
    for (int k = 0; k < 8; k++)
      c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
  }
  return c ^ 0xffffffffu;
}

GST_START_TEST (test_damaged_streams)
{
  const guint rate = 16000, n = 20000;
  guint8 *pcm = make_pcm (rate, 1, n, 9);
  gchar *path = write_stream (pcm, rate, 1, n, 4000, "good.blm");
  gchar *data, *err;
  gsize len;

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  err = play_file (path);
  fail_unless (err == NULL, "good stream failed: %s", err);

  /* a flipped payload byte in the second frame */
  gchar *bad = tmp_path ("flipped.blm");
  gchar *copy = g_memdup2 (data, len);
  /* frame 0 starts at 76, frame 1 at f1 */
  const gchar *f1 = find_magic (data + 80, data + len, "BLMF");
  fail_unless (f1 != NULL);
  copy[(f1 - data) + 40] ^= 0x10;
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL);
  GST_INFO ("flipped: %s", err);
  g_free (err);

  /* cut inside a frame */
  fail_unless (g_file_set_contents (bad, data, len / 2, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "runcated") != NULL, "%s", err);
  g_free (err);

  /* cut exactly after a frame: every packet the parser sees is whole, so only
   * the decoder, at EOS without the trailer, can tell */
  fail_unless (g_file_set_contents (bad, data, f1 - data, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "without its trailer") != NULL, "%s", err);
  GST_INFO ("cut after frame 0: %s", err);
  g_free (err);

  /* a damaged header */
  memcpy (copy, data, len);
  copy[30] ^= 1;
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL);
  g_free (err);

  /* a wrong MD5 in the trailer, with the trailer's CRC made to match: every
   * CRC passes (the parser's too), the decoder's MD5 check catches it */
  memcpy (copy, data, len);
  {
    guint32 tsize = GST_READ_UINT32_LE (data + len - 8);
    guint8 *t = (guint8 *) copy + len - tsize;
    fail_unless (memcmp (t, "BLMT", 4) == 0);
    copy[len - 28] ^= 1;
    GST_WRITE_UINT32_LE (copy + len - 12, crc32_le (t, tsize - 12));
  }
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "MD5") != NULL, "%s", err);
  g_free (err);

  /* straight into the decoder: a frame with a flipped byte posts an error
   * and returns an error flow, no crash */
  {
    GstHarness *h = gst_harness_new ("bytelmdec");
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;
    gst_element_set_bus (h->element, bus);
    gst_harness_set_src_caps_str (h, "audio/x-bytelm, framed=true");
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_memdup (data,
                76)), GST_FLOW_OK);
    gsize flen = f1 - (data + 76);
    gchar *frame = g_memdup2 (data + 76, flen);
    frame[flen / 2] ^= 0x40;
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_wrapped (frame,
                flen)), GST_FLOW_ERROR);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    gst_message_unref (msg);
    gst_element_set_bus (h->element, NULL);
    gst_object_unref (bus);
    gst_harness_teardown (h);
  }

  g_free (copy);
  g_free (bad);
  g_free (data);
  g_free (path);
  g_free (pcm);
}
GST_END_TEST;

/* Random damage through typefind, bytelmparse and bytelmdec: bit flips
 * anywhere (every byte of a stream is under a CRC), truncation, a repeated or
 * missing span. Each case must end in an error message, never a crash, a hang
 * or a silent EOS. */
GST_START_TEST (test_random_damage)
{
  const guint rate = 8000, n = 6000;
  guint8 *pcm = make_pcm (rate, 2, n, 4);
  gchar *path = write_stream (pcm, rate, 2, n, 1000, "random.blm");
  gchar *bad = tmp_path ("random-bad.blm");
  gchar *data;
  gsize len;
  GRand *rng = g_rand_new_with_seed (2026);

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  for (int i = 0; i < 40; i++) {
    GByteArray *b = g_byte_array_new ();
    gsize at = g_rand_int_range (rng, 0, (gint32) len);
    switch (i % 4) {
      case 0:
      case 1:                  /* 1..3 bit flips */
        g_byte_array_append (b, (const guint8 *) data, len);
        for (int k = 0, m = 1 + i % 3; k < m; k++)
          b->data[g_rand_int_range (rng, 0, (gint32) len)] ^=
              1u << g_rand_int_range (rng, 0, 8);
        break;
      case 2:                  /* truncated */
        g_byte_array_append (b, (const guint8 *) data, at);
        break;
      default:{                /* a span repeated, or cut out */
        gsize span = MIN ((gsize) g_rand_int_range (rng, 1, 300), len - at);
        if (i % 8 == 3) {       /* data[at, at + span) twice */
          g_byte_array_append (b, (const guint8 *) data, at + span);
          g_byte_array_append (b, (const guint8 *) data + at, len - at);
        } else {
          g_byte_array_append (b, (const guint8 *) data, at);
          g_byte_array_append (b, (const guint8 *) data + at + span,
              len - at - span);
        }
      }
    }
    fail_unless (g_file_set_contents (bad, (const gchar *) b->data, b->len,
            NULL));
    gchar *err = play_file (bad);
    fail_unless (err != NULL, "case %d (kind %d at %" G_GSIZE_FORMAT
        "): no error", i, i % 4, at);
    GST_INFO ("case %d: %s", i, err);
    g_free (err);
    g_byte_array_unref (b);
  }
  g_rand_free (rng);
  g_free (data);
  g_free (bad);
  g_free (path);
  g_free (pcm);
}
GST_END_TEST;

static Suite *
bytelm_suite (void)
{
  Suite *s = suite_create ("bytelm");
  TCase *tc = tcase_create ("general");

  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_caps_refusal);
  tcase_add_test (tc, test_roundtrip_mono_8k);
  tcase_add_test (tc, test_roundtrip_stereo_44k);
  tcase_add_test (tc, test_roundtrip_51_48k);
  tcase_add_test (tc, test_roundtrip_8ch_96k);
  tcase_add_test (tc, test_roundtrip_reorder);
  tcase_add_test (tc, test_tiny_streams);
  tcase_add_test (tc, test_cli_interop);
  tcase_add_test (tc, test_decodebin_seek);
  tcase_add_test (tc, test_damaged_streams);
  tcase_add_test (tc, test_random_damage);
  return s;
}

GST_CHECK_MAIN (bytelm);
