/*
 * GstHarness tests of the bytelm video elements (gst-plugin/, docs/GSTREAMER.md):
 * bytelmvideoenc, bytelmvideodec, bytelmvideoparse and the typefinder. Caps
 * negotiation and refusal; bit-identical round trips of GRAY8 and RGB frames from
 * 1x1 up to a few hundred pixels (odd widths, padded strides, several frames per
 * image stream), and of RGBA, GRAY16_LE and RGBA64_LE frames, also from
 * videotestsrc; images of kinds GStreamer has no format for refused with a
 * message; timestamps and durations; the stats message; interchange with the
 * command-line tool both ways; filesrc ! decodebin on a multi-frame file;
 * damaged, truncated and wrong-MD5 streams.
 *
 * Runs with an isolated registry (tests/meson.build sets GST_REGISTRY,
 * GST_PLUGIN_PATH and GST_PLUGIN_SYSTEM_PATH_1_0). Large images use the tiny
 * test model so that the test stays fast.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <string.h>

#include "scratch.h"

#ifndef BYTELM_CLI
#error BYTELM_CLI must name the command-line tool
#endif
#ifndef MODELS_DIR
#error MODELS_DIR must name the models directory
#endif

#define TINY_MODEL MODELS_DIR "/test-tiny.blmm"
#define FPS_N 25
#define FPS_D 1

/* Deterministic test image: smooth gradients, an edge and some noise, so that
 * the model codes something. Rows are packed (w * bpp bytes each). */
static guint8 *
make_image (guint w, guint h, guint bpp, guint32 seed)
{
  guint8 *p = g_malloc ((gsize) w * h * bpp);
  guint32 x = seed * 2654435761u + 7;

  for (guint y = 0; y < h; y++)
    for (guint i = 0; i < w; i++)
      for (guint c = 0; c < bpp; c++) {
        x = x * 1664525u + 1013904223u;
        guint v = (i * (3 + c) + y * 2 + seed * 17) + ((x >> 24) & 7);
        if (i > w / 2 && y > h / 3)
          v += 90;
        p[((gsize) y * w + i) * bpp + c] = (guint8) v;
      }
  return p;
}

/* The raw formats, told apart by their bytes per pixel (bpp). */
static const gchar *
fmt_name (guint bpp)
{
  switch (bpp) {
    case 1:
      return "GRAY8";
    case 2:
      return "GRAY16_LE";
    case 3:
      return "RGB";
    case 4:
      return "RGBA";
    default:
      return "RGBA64_LE";
  }
}

/* The bytelm kind (header byte 5) of each. */
static guint
fmt_kind (guint bpp)
{
  switch (bpp) {
    case 1:
      return 2;                 /* gray8 */
    case 2:
      return 6;                 /* gray16le */
    case 3:
      return 3;                 /* rgb24 */
    case 4:
      return 5;                 /* rgba32 */
    default:
      return 9;                 /* rgba64le */
  }
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

/* Flips a bit of the MD5 in the trailer that ends at data + len and makes the
 * trailer's CRC match again. */
static void
forge_md5 (guint8 * data, gsize len)
{
  guint32 tsize = GST_READ_UINT32_LE (data + len - 8);
  guint8 *t = data + len - tsize;

  fail_unless (memcmp (data + len - 4, "BLME", 4) == 0);
  fail_unless (memcmp (t, "BLMT", 4) == 0);
  data[len - 28] ^= 1;
  GST_WRITE_UINT32_LE (data + len - 12, crc32_le (t, tsize - 12));
}

/* A raw frame buffer with GStreamer's strides; padding is filled with junk
 * that must not reach the stream. */
static GstBuffer *
raw_frame (const GstVideoInfo * info, const guint8 * pixels, guint bpp)
{
  guint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gint stride = GST_VIDEO_INFO_PLANE_STRIDE (info, 0);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo map;

  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  memset (map.data, 0xa5, map.size);
  for (guint y = 0; y < h; y++)
    memcpy (map.data + (gsize) y * stride, pixels + (gsize) y * w * bpp,
        (gsize) w * bpp);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static GstClockTime
frame_pts (guint i)
{
  return gst_util_uint64_scale (i, GST_SECOND * FPS_D, FPS_N);
}

typedef struct {
  GstCaps *caps;                /* the encoder's src caps */
  GList *buffers;               /* one per frame, in order */
} EncResult;

static void
enc_result_clear (EncResult * r)
{
  gst_caps_replace (&r->caps, NULL);
  g_list_free_full (r->buffers, (GDestroyNotify) gst_buffer_unref);
  r->buffers = NULL;
}

/* Encodes n_frames images of w x h with bytelmvideoenc and checks caps,
 * timestamps, key frames, stream framing and the stats message. */
static void
encode (guint8 ** images, guint n_frames, guint w, guint h, guint bpp,
    guint frame_size, const gchar * model, EncResult * r)
{
  GstHarness *h_ = gst_harness_new ("bytelmvideoenc");
  GstBus *bus = gst_bus_new ();
  gchar *caps = g_strdup_printf ("video/x-raw, format=%s, width=%u, "
      "height=%u, framerate=%d/%d", fmt_name (bpp), w, h, FPS_N, FPS_D);
  GstVideoInfo info;
  GstStructure *stats = NULL;
  GstBuffer *buf;
  guint64 out_bytes = 0;

  memset (r, 0, sizeof (*r));
  gst_element_set_bus (h_->element, bus);
  g_object_set (h_->element, "threads", 1, "frame-size", frame_size, NULL);
  if (model)
    g_object_set (h_->element, "model", model, NULL);
  gst_harness_set_src_caps_str (h_, caps);
  {
    GstCaps *c = gst_caps_from_string (caps);
    fail_unless (gst_video_info_from_caps (&info, c));
    gst_caps_unref (c);
  }
  g_free (caps);

  for (guint i = 0; i < n_frames; i++) {
    buf = raw_frame (&info, images[i], bpp);
    GST_BUFFER_PTS (buf) = frame_pts (i);
    GST_BUFFER_DURATION (buf) = frame_pts (i + 1) - frame_pts (i);
    fail_unless_equals_int (gst_harness_push (h_, buf), GST_FLOW_OK);
  }
  fail_unless (gst_harness_push_event (h_, gst_event_new_eos ()));

  r->caps = gst_pad_get_current_caps (h_->sinkpad);
  fail_unless (r->caps != NULL);
  while ((buf = gst_harness_try_pull (h_)))
    r->buffers = g_list_append (r->buffers, buf);

  GstMessage *msg;
  while ((msg = gst_bus_pop (bus))) {
    const GstStructure *st = gst_message_get_structure (msg);
    if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ELEMENT
        && gst_structure_has_name (st, "bytelmvideoenc-stats"))
      stats = gst_structure_copy (st);
    fail_if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR);
    gst_message_unref (msg);
  }
  gst_element_set_bus (h_->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h_);

  /* caps: format, size and frame rate of the input */
  GstStructure *st = gst_caps_get_structure (r->caps, 0);
  gint v, n, d;
  gboolean parsed = FALSE;
  fail_unless (gst_structure_has_name (st, "video/x-bytelm"));
  fail_unless (gst_structure_get_boolean (st, "parsed", &parsed) && parsed);
  fail_unless_equals_string (gst_structure_get_string (st, "format"),
      fmt_name (bpp));
  fail_unless (gst_structure_get_int (st, "width", &v) && v == (gint) w);
  fail_unless (gst_structure_get_int (st, "height", &v) && v == (gint) h);
  fail_unless (gst_structure_get_fraction (st, "framerate", &n, &d));
  fail_unless (n == FPS_N && d == FPS_D);

  /* one complete stream per frame, a key frame with the frame's timing */
  fail_unless_equals_int (g_list_length (r->buffers), n_frames);
  guint i = 0;
  for (GList * l = r->buffers; l; l = l->next, i++) {
    GstBuffer *b = l->data;
    gsize size = gst_buffer_get_size (b);
    guint8 hdr[40];
    fail_unless (size >= 76 + 44);
    fail_unless_equals_int (gst_buffer_extract (b, 0, hdr, 40), 40);
    fail_unless (memcmp (hdr, "BYLM", 4) == 0);
    fail_unless_equals_int (hdr[5], fmt_kind (bpp));
    /* source hint: PGM/PPM for 8-bit gray and RGB, else PNG */
    fail_unless_equals_int (hdr[6], bpp == 1 || bpp == 3 ? 3 : 2);
    fail_unless_equals_int (GST_READ_UINT32_LE (hdr + 32), w);
    fail_unless_equals_int (GST_READ_UINT32_LE (hdr + 36), h);
    fail_unless (gst_buffer_memcmp (b, size - 4, "BLME", 4) == 0);
    fail_if (GST_BUFFER_FLAG_IS_SET (b, GST_BUFFER_FLAG_DELTA_UNIT));
    fail_unless_equals_uint64 (GST_BUFFER_PTS (b), frame_pts (i));
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (b),
        frame_pts (i + 1) - frame_pts (i));
    out_bytes += size;
  }

  /* the stats message */
  guint64 frames = 0, in = 0, out = 0;
  gdouble ratio = 0;
  fail_unless (stats != NULL);
  fail_unless (gst_structure_get_uint64 (stats, "frames", &frames));
  fail_unless (gst_structure_get_uint64 (stats, "bytes-in", &in));
  fail_unless (gst_structure_get_uint64 (stats, "bytes-out", &out));
  fail_unless (gst_structure_get_double (stats, "ratio", &ratio));
  fail_unless_equals_uint64 (frames, n_frames);
  fail_unless_equals_uint64 (in, (guint64) n_frames * w * h * bpp);
  fail_unless_equals_uint64 (out, out_bytes);
  fail_unless (ratio > 0.0 && fabs (ratio - (double) out / in) < 1e-9);
  gst_structure_free (stats);
}

/* Compares a decoded frame (with its caps' strides) with packed pixels. */
static void
check_frame (GstBuffer * buf, const GstVideoInfo * info,
    const guint8 * pixels, guint bpp)
{
  GstVideoFrame vf;
  guint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);

  fail_unless (gst_video_frame_map (&vf, (GstVideoInfo *) info, buf,
          GST_MAP_READ));
  for (guint y = 0; y < h; y++)
    fail_unless (memcmp ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&vf, 0)
            + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0),
            pixels + (gsize) y * w * bpp, (gsize) w * bpp) == 0,
        "row %u of a %u x %u %s frame differs", y, w, h, fmt_name (bpp));
  gst_video_frame_unmap (&vf);
}

/* Decodes with `launch` and checks caps, pixels and timestamps. With timed,
 * frame i must have PTS i / framerate and duration 1 / framerate. */
static void
decode_and_check (const gchar * launch, GstCaps * caps, GList * bufs,
    guint8 ** images, guint n_frames, guint w, guint h, guint bpp,
    gboolean timed)
{
  GstHarness *h_ = gst_harness_new_parse (launch);
  GstVideoInfo info;
  GstBuffer *buf;
  guint i = 0;

  gst_harness_set_src_caps (h_, gst_caps_ref (caps));
  for (GList * l = bufs; l; l = l->next)
    fail_unless_equals_int (gst_harness_push (h_, gst_buffer_ref (l->data)),
        GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h_, gst_event_new_eos ()));

  GstCaps *out_caps = gst_pad_get_current_caps (h_->sinkpad);
  fail_unless (out_caps && gst_video_info_from_caps (&info, out_caps));
  fail_unless_equals_string (gst_video_format_to_string
      (GST_VIDEO_INFO_FORMAT (&info)), fmt_name (bpp));
  fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), w);
  fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), h);
  if (timed) {
    fail_unless_equals_int (GST_VIDEO_INFO_FPS_N (&info), FPS_N);
    fail_unless_equals_int (GST_VIDEO_INFO_FPS_D (&info), FPS_D);
  }
  gst_caps_unref (out_caps);

  while ((buf = gst_harness_try_pull (h_))) {
    fail_unless (i < n_frames);
    fail_unless_equals_uint64 (gst_buffer_get_size (buf),
        GST_VIDEO_INFO_SIZE (&info));
    check_frame (buf, &info, images[i], bpp);
    if (timed) {
      fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), frame_pts (i));
      fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf),
          frame_pts (i + 1) - frame_pts (i));
    }
    gst_buffer_unref (buf);
    i++;
  }
  fail_unless_equals_int (i, n_frames);
  gst_harness_teardown (h_);
}

static GstBuffer *
concat (GList * bufs)
{
  GstBuffer *all = gst_buffer_new ();
  for (GList * l = bufs; l; l = l->next)
    all = gst_buffer_append (all, gst_buffer_ref (l->data));
  return all;
}

/* The byte stream cut at odd places, as a file source would give it. */
static GList *
cut (GstBuffer * all, gsize step)
{
  gsize size = gst_buffer_get_size (all), off = 0;
  GList *pieces = NULL;

  while (off < size) {
    gsize k = MIN (step, size - off);
    pieces = g_list_append (pieces,
        gst_buffer_copy_region (all, GST_BUFFER_COPY_MEMORY, off, k));
    off += k;
    step = step * 3 % 1001 + 1;
  }
  return pieces;
}

static void
roundtrip (guint w, guint h, guint bpp, guint n_frames, guint frame_size,
    const gchar * model)
{
  guint8 **images = g_new0 (guint8 *, n_frames);
  EncResult r;

  for (guint i = 0; i < n_frames; i++)
    images[i] = make_image (w, h, bpp, w * 31 + h + i);
  encode (images, n_frames, w, h, bpp, frame_size, model, &r);

  /* encoder buffers straight into the decoder */
  decode_and_check ("bytelmvideodec model-dir=" MODELS_DIR, r.caps, r.buffers,
      images, n_frames, w, h, bpp, TRUE);
  /* the concatenated streams, cut at odd places, through the parser: with a
   * frame rate in the caps, the parser times the frames */
  {
    GstBuffer *all = concat (r.buffers);
    GList *pieces = cut (all, 5);
    GstCaps *caps = gst_caps_from_string ("video/x-bytelm, framerate=25/1");
    decode_and_check ("bytelmvideoparse ! bytelmvideodec model-dir="
        MODELS_DIR, caps, pieces, images, n_frames, w, h, bpp, TRUE);
    gst_caps_unref (caps);
    g_list_free_full (pieces, (GDestroyNotify) gst_buffer_unref);
    /* without a frame rate (as from a file): the pixels still come back */
    caps = gst_caps_from_string ("video/x-bytelm");
    pieces = cut (all, 997);
    decode_and_check ("bytelmvideoparse ! bytelmvideodec model-dir="
        MODELS_DIR, caps, pieces, images, n_frames, w, h, bpp, FALSE);
    gst_caps_unref (caps);
    g_list_free_full (pieces, (GDestroyNotify) gst_buffer_unref);
    gst_buffer_unref (all);
  }
  enc_result_clear (&r);
  for (guint i = 0; i < n_frames; i++)
    g_free (images[i]);
  g_free (images);
}

GST_START_TEST (test_video_caps)
{
  GstHarness *h = gst_harness_new ("bytelmvideoenc");
  const gchar *bad[] = {
    "video/x-raw, format=BGRA, width=16, height=16, framerate=25/1",
    "video/x-raw, format=I420, width=16, height=16, framerate=25/1",
    "video/x-raw, format=BGR, width=16, height=16, framerate=25/1",
    "video/x-raw, format=RGBx, width=16, height=16, framerate=25/1",
    "video/x-raw, format=GRAY16_BE, width=16, height=16, framerate=25/1",
    "video/x-raw, format=RGBA64_BE, width=16, height=16, framerate=25/1",
    "video/x-raw, format=ARGB64, width=16, height=16, framerate=25/1",
    "video/x-raw, format=GRAY8, width=70000, height=16, framerate=25/1",
    "audio/x-raw, format=S16LE, layout=interleaved, rate=44100, channels=1",
  };
  const gchar *good[] = {
    "video/x-raw, format=GRAY8, width=1, height=1, framerate=0/1",
    "video/x-raw, format=RGB, width=65535, height=3, framerate=30000/1001",
    "video/x-raw, format=RGBA, width=16, height=16, framerate=25/1",
    "video/x-raw, format=GRAY16_LE, width=16, height=16, framerate=25/1",
    "video/x-raw, format=RGBA64_LE, width=16, height=16, framerate=25/1",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    GstCaps *caps = gst_caps_from_string (bad[i]);
    fail_if (gst_pad_peer_query_accept_caps (h->srcpad, caps), "accepted %s",
        bad[i]);
    gst_caps_unref (caps);
  }
  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    GstCaps *caps = gst_caps_from_string (good[i]);
    fail_unless (gst_pad_peer_query_accept_caps (h->srcpad, caps),
        "refused %s", good[i]);
    gst_caps_unref (caps);
  }
  gst_harness_teardown (h);

  /* a buffer pushed with refused caps is not negotiated, not a crash */
  h = gst_harness_new ("bytelmvideoenc");
  gst_harness_set_src_caps_str (h, "video/x-raw, format=I420, width=16, "
      "height=16, framerate=25/1");
  fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_allocate (NULL,
              384, NULL)), GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);

  /* within the template, over the library's 2^28 pixels: refused with an
   * error message */
  h = gst_harness_new ("bytelmvideoenc");
  {
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;
    GstCaps *caps = gst_caps_from_string ("video/x-raw, format=GRAY8, "
        "width=20000, height=20000, framerate=25/1");
    gst_element_set_bus (h->element, bus);
    gst_harness_play (h);
    gst_pad_push_event (h->srcpad, gst_event_new_stream_start ("big"));
    /* the base class applies caps when the first buffer comes */
    GstSegment seg;
    gst_pad_push_event (h->srcpad, gst_event_new_caps (caps));
    gst_segment_init (&seg, GST_FORMAT_TIME);
    gst_pad_push_event (h->srcpad, gst_event_new_segment (&seg));
    fail_unless_equals_int (gst_harness_push (h, gst_buffer_new_allocate (NULL,
                16, NULL)), GST_FLOW_NOT_NEGOTIATED);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    {
      GError *err = NULL;
      gst_message_parse_error (msg, &err, NULL);
      fail_unless (strstr (err->message, "2^28") != NULL, "%s", err->message);
      g_error_free (err);
    }
    gst_message_unref (msg);
    gst_element_set_bus (h->element, NULL);
    gst_object_unref (bus);
    gst_caps_unref (caps);
  }
  gst_harness_teardown (h);

  /* the decoder and the parser take bytelm image streams only */
  h = gst_harness_new ("bytelmvideodec");
  {
    const gchar *not_dec[] = {
      "video/x-raw, format=GRAY8, width=16, height=16, framerate=25/1",
      "audio/x-bytelm, framed=true",
      "video/x-bytelm",         /* unparsed: needs bytelmvideoparse */
    };
    for (guint i = 0; i < G_N_ELEMENTS (not_dec); i++) {
      GstCaps *caps = gst_caps_from_string (not_dec[i]);
      fail_if (gst_pad_peer_query_accept_caps (h->srcpad, caps), "accepted %s",
          not_dec[i]);
      gst_caps_unref (caps);
    }
    GstCaps *caps = gst_caps_from_string ("video/x-bytelm, parsed=true");
    fail_unless (gst_pad_peer_query_accept_caps (h->srcpad, caps));
    gst_caps_unref (caps);
  }
  gst_harness_teardown (h);
  h = gst_harness_new ("bytelmvideoparse");
  {
    GstCaps *caps = gst_caps_from_string ("audio/x-bytelm");
    fail_if (gst_pad_peer_query_accept_caps (h->srcpad, caps));
    gst_caps_unref (caps);
  }
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_video_roundtrip_tiny)
{
  /* 1x1, odd widths (padded strides), several bytelm frames per image */
  roundtrip (1, 1, 1, 2, 0, NULL);
  roundtrip (1, 1, 3, 2, 0, NULL);
  roundtrip (7, 5, 1, 3, 0, NULL);
  roundtrip (13, 11, 3, 2, 0, NULL);
  roundtrip (33, 17, 3, 2, 4, NULL);    /* 5 frames of rows, the last short */
  roundtrip (1, 40, 1, 1, 1, NULL);     /* a frame per row */
}
GST_END_TEST;

GST_START_TEST (test_video_roundtrip_large)
{
  /* a few hundred pixels, with the tiny model to stay fast */
  roundtrip (301, 203, 1, 2, 0, TINY_MODEL);
  roundtrip (250, 121, 3, 2, 0, TINY_MODEL);
  roundtrip (320, 240, 3, 1, 50, TINY_MODEL);
}
GST_END_TEST;

GST_START_TEST (test_video_roundtrip_deep)
{
  /* RGBA (4), GRAY16_LE (2), RGBA64_LE (8): odd widths (GRAY16_LE rows
   * padded to 4 bytes), several bytelm frames per image */
  roundtrip (1, 1, 4, 2, 0, NULL);
  roundtrip (13, 11, 4, 2, 0, NULL);
  roundtrip (33, 17, 4, 1, 4, NULL);
  roundtrip (1, 1, 2, 2, 0, NULL);
  roundtrip (7, 5, 2, 3, 0, NULL);
  roundtrip (33, 17, 2, 2, 4, NULL);
  roundtrip (9, 6, 8, 2, 0, NULL);
  roundtrip (21, 13, 8, 1, 5, NULL);
}
GST_END_TEST;

/* The frames that a pipeline ending in "appsink name=sink" gives. */
static GList *
pull_samples (const gchar * desc)
{
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink;
  GList *samples = NULL;

  fail_unless (pipeline != NULL, "%s", desc);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;;) {
    GstSample *sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    samples = g_list_append (samples, sample);
  }
  {
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg == NULL, "an error in %s", desc);
    gst_object_unref (bus);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return samples;
}

/* videotestsrc's frames, straight and through bytelmvideoenc !
 * bytelmvideodec: the same pixels, row by row (each side with its strides). */
GST_START_TEST (test_video_testsrc)
{
  const guint bpps[] = { 4, 2, 8 };

  for (guint f = 0; f < G_N_ELEMENTS (bpps); f++) {
    const guint bpp = bpps[f], w = 37, h = 21;
    /* a moving zone plate for gray; for RGBA a moving ball, whose
     * colours and smoothed edge give several alpha values */
    gchar *src = g_strdup_printf ("videotestsrc num-buffers=3 %s ! "
        "video/x-raw,format=%s,width=%u,height=%u,framerate=25/1",
        bpp == 2 ? "pattern=zone-plate kx2=20 ky2=20 kt=1" :
        "pattern=ball background-color=0x40204060 foreground-color=0xc0f0a010",
        fmt_name (bpp), w, h);
    gchar *plain = g_strdup_printf ("%s ! appsink name=sink sync=false", src);
    gchar *coded = g_strdup_printf ("%s ! bytelmvideoenc threads=1 ! "
        "bytelmvideodec ! appsink name=sink sync=false", src);
    GList *want = pull_samples (plain), *got = pull_samples (coded);

    fail_unless_equals_int (g_list_length (want), 3);
    fail_unless_equals_int (g_list_length (got), 3);
    for (GList * a = want, *b = got; a && b; a = a->next, b = b->next) {
      GstVideoInfo ia, ib;
      GstVideoFrame fa, fb;
      fail_unless (gst_video_info_from_caps (&ia,
              gst_sample_get_caps (a->data)));
      fail_unless (gst_video_info_from_caps (&ib,
              gst_sample_get_caps (b->data)));
      fail_unless_equals_string (gst_video_format_to_string
          (GST_VIDEO_INFO_FORMAT (&ib)), fmt_name (bpp));
      fail_unless (gst_video_frame_map (&fa, &ia,
              gst_sample_get_buffer (a->data), GST_MAP_READ));
      fail_unless (gst_video_frame_map (&fb, &ib,
              gst_sample_get_buffer (b->data), GST_MAP_READ));
      for (guint y = 0; y < h; y++)
        fail_unless (memcmp ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fa, 0)
                + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&fa, 0),
                (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&fb, 0)
                + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&fb, 0),
                (gsize) w * bpp) == 0, "%s: row %u differs", fmt_name (bpp),
            y);
      gst_video_frame_unmap (&fa);
      gst_video_frame_unmap (&fb);
    }
    g_list_free_full (want, (GDestroyNotify) gst_sample_unref);
    g_list_free_full (got, (GDestroyNotify) gst_sample_unref);
    g_free (src);
    g_free (plain);
    g_free (coded);
  }
}
GST_END_TEST;

static gchar *
tmp_path (const gchar * name)
{
  return scratch_path ("bytelm-gst-video-XXXXXX", name);
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

static void
write_buffer (const gchar * path, GstBuffer * buf)
{
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_READ);
  fail_unless (g_file_set_contents (path, (const gchar *) map.data, map.size,
          NULL));
  gst_buffer_unmap (buf, &map);
}

/* Encodes images with the plugin (default model) into a file. */
static gchar *
write_stream (guint8 ** images, guint n, guint w, guint h, guint bpp,
    const gchar * name)
{
  EncResult r;
  gchar *path = tmp_path (name);

  encode (images, n, w, h, bpp, 0, NULL, &r);
  GstBuffer *all = concat (r.buffers);
  write_buffer (path, all);
  gst_buffer_unref (all);
  enc_result_clear (&r);
  return path;
}

/* The pixels of a binary PGM/PPM written by the tool. */
static void
check_pnm (const gchar * path, guint w, guint h, guint bpp,
    const guint8 * pixels)
{
  gchar *data = NULL, *expect;
  gsize len = 0;

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  expect = g_strdup_printf ("P%c\n%u %u\n255\n", bpp == 3 ? '6' : '5', w, h);
  fail_unless (len > strlen (expect)
      && memcmp (data, expect, strlen (expect)) == 0, "PNM header of %s",
      path);
  fail_unless_equals_uint64 (len - strlen (expect), (guint64) w * h * bpp);
  fail_unless (memcmp (data + strlen (expect), pixels, (gsize) w * h * bpp)
      == 0, "pixels of %s differ", path);
  g_free (expect);
  g_free (data);
}

GST_START_TEST (test_video_cli_interop)
{
  guint8 *gray = make_image (37, 23, 1, 5), *rgb = make_image (20, 9, 3, 6);
  gchar *blm = NULL, *pnm = tmp_path ("back.pgm"), *ppm = tmp_path ("back.ppm");
  gchar *in = tmp_path ("in.raw"), *cli_blm = tmp_path ("cli.blm");
  gchar *data = NULL;
  gsize len = 0;

  /* plugin -> one-frame file -> bytelm -t, bytelm -d (a PGM / PPM) */
  blm = write_stream (&gray, 1, 37, 23, 1, "gray.blm");
  {
    const gchar *args[] = { "-q", "-t", blm, NULL };
    run_cli (args);
  }
  {
    const gchar *args[] = { "-q", "-f", "-d", "-o", pnm, blm, NULL };
    run_cli (args);
  }
  check_pnm (pnm, 37, 23, 1, gray);
  g_free (blm);
  blm = write_stream (&rgb, 1, 20, 9, 3, "rgb.blm");
  {
    const gchar *args[] = { "-q", "-f", "-d", "-o", ppm, blm, NULL };
    run_cli (args);
  }
  check_pnm (ppm, 20, 9, 3, rgb);

  /* bytelm (raw RGB in) -> file -> bytelmvideoparse ! bytelmvideodec */
  fail_unless (g_file_set_contents (in, (const gchar *) rgb, 20 * 9 * 3,
          NULL));
  {
    const gchar *args[] = { "-q", "-f", "--raw=rgb", "--width=20",
      "--height=9", "--frame=2", "-o", cli_blm, in, NULL
    };
    run_cli (args);
  }
  fail_unless (g_file_get_contents (cli_blm, &data, &len, NULL));
  {
    GstBuffer *all = gst_buffer_new_memdup (data, len);
    GList *pieces = cut (all, 3);
    GstCaps *caps = gst_caps_from_string ("video/x-bytelm");
    decode_and_check ("bytelmvideoparse ! bytelmvideodec", caps, pieces, &rgb,
        1, 20, 9, 3, FALSE);
    g_list_free_full (pieces, (GDestroyNotify) gst_buffer_unref);
    gst_caps_unref (caps);
    gst_buffer_unref (all);
  }
  g_free (data);

  /* the tool's PGM -> .blm -> the plugin */
  {
    gchar *pgm = tmp_path ("in.pgm");
    GString *s = g_string_new ("P5\n37 23\n255\n");
    g_string_append_len (s, (const gchar *) gray, 37 * 23);
    fail_unless (g_file_set_contents (pgm, s->str, s->len, NULL));
    g_string_free (s, TRUE);
    const gchar *args[] = { "-q", "-f", "-o", cli_blm, pgm, NULL };
    run_cli (args);
    fail_unless (g_file_get_contents (cli_blm, &data, &len, NULL));
    GList *one = g_list_append (NULL, gst_buffer_new_memdup (data, len));
    GstCaps *caps = gst_caps_from_string ("video/x-bytelm");
    decode_and_check ("bytelmvideoparse ! bytelmvideodec", caps, one, &gray,
        1, 37, 23, 1, FALSE);
    g_list_free_full (one, (GDestroyNotify) gst_buffer_unref);
    gst_caps_unref (caps);
    g_free (data);
    g_free (pgm);
  }
  g_free (gray);
  g_free (rgb);
  g_free (blm);
  g_free (pnm);
  g_free (ppm);
  g_free (in);
  g_free (cli_blm);
}
GST_END_TEST;

static GstMessage *
wait_for (GstElement * pipeline, GstMessageType types)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
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

GST_START_TEST (test_video_decodebin)
{
  const guint w = 40, h = 30, n = 3;
  guint8 *images[3];
  for (guint i = 0; i < n; i++)
    images[i] = make_image (w, h, 3, 40 + i);
  gchar *path = write_stream (images, n, w, h, 3, "three.blm");
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "appsink name=sink sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint got = 0;

  fail_unless (pipeline != NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while (TRUE) {
    GstSample *sample = NULL;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    GstVideoInfo info;
    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless_equals_int (GST_VIDEO_INFO_FORMAT (&info), GST_VIDEO_FORMAT_RGB);
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), w);
    fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), h);
    fail_unless (got < n);
    check_frame (gst_sample_get_buffer (sample), &info, images[got], 3);
    gst_sample_unref (sample);
    got++;
  }
  fail_unless_equals_int (got, n);
  /* it ended with EOS, not an error */
  {
    GstBus *bus = gst_element_get_bus (pipeline);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg == NULL);
    gst_object_unref (bus);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);

  /* the file has no frame rate; the parser's property gives one, and with
   * it timestamps and durations */
  desc = g_strdup_printf ("filesrc location=\"%s\" ! bytelmvideoparse "
      "framerate=5/1 ! bytelmvideodec ! appsink name=sink sync=false", path);
  pipeline = gst_parse_launch (desc, NULL);
  fail_unless (pipeline != NULL);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (got = 0;; got++) {
    GstSample *sample = NULL;
    GstVideoInfo info;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    GstBuffer *buf = gst_sample_get_buffer (sample);
    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless (GST_VIDEO_INFO_FPS_N (&info) == 5
        && GST_VIDEO_INFO_FPS_D (&info) == 1);
    fail_unless (got < n);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (buf), got * 200 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (buf), 200 * GST_MSECOND);
    check_frame (buf, &info, images[got], 3);
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (got, n);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (path);
  for (guint i = 0; i < n; i++)
    g_free (images[i]);
}
GST_END_TEST;

/* Images of different sizes and formats in one file: the parser's caps and
 * the decoder's output follow each image. */
GST_START_TEST (test_video_format_change)
{
  const guint ws[3] = { 7, 13, 2 }, hs[3] = { 5, 11, 3 }, bpps[3] = { 1, 3, 1 };
  guint8 *images[3];
  GstBuffer *file = gst_buffer_new ();
  gchar *path = tmp_path ("mixed.blm");

  for (guint i = 0; i < 3; i++) {
    EncResult r;
    images[i] = make_image (ws[i], hs[i], bpps[i], 70 + i);
    encode (&images[i], 1, ws[i], hs[i], bpps[i], 0, NULL, &r);
    file = gst_buffer_append (file, concat (r.buffers));
    enc_result_clear (&r);
  }
  write_buffer (path, file);
  gst_buffer_unref (file);

  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "appsink name=sink sync=false", path);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint got = 0;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  for (;; got++) {
    GstSample *sample = NULL;
    GstVideoInfo info;
    g_signal_emit_by_name (sink, "pull-sample", &sample);
    if (!sample)
      break;
    fail_unless (got < 3);
    fail_unless (gst_video_info_from_caps (&info,
            gst_sample_get_caps (sample)));
    fail_unless_equals_string (gst_video_format_to_string
        (GST_VIDEO_INFO_FORMAT (&info)), fmt_name (bpps[got]));
    fail_unless_equals_int (GST_VIDEO_INFO_WIDTH (&info), ws[got]);
    fail_unless_equals_int (GST_VIDEO_INFO_HEIGHT (&info), hs[got]);
    check_frame (gst_sample_get_buffer (sample), &info, images[got], bpps[got]);
    gst_sample_unref (sample);
  }
  fail_unless_equals_int (got, 3);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (path);
  for (guint i = 0; i < 3; i++)
    g_free (images[i]);
}
GST_END_TEST;

static gchar *play_file (const gchar * path);

/* A stream coded with a model the decoder cannot find: a clear error; with
 * model-dir it decodes. */
GST_START_TEST (test_video_missing_model)
{
  const guint w = 40, h = 30;
  guint8 *img = g_malloc (w * h);
  gchar *path = tmp_path ("golden.blm"), *err;
  EncResult r;

  for (guint y = 0; y < h; y++)
    for (guint x = 0; x < w; x++)
      img[y * w + x] = (guint8) (x * 5 + y * 3);
  /* the model's frame mode (0): images otherwise go to the pixel predictor, which
   * needs no model (docs/CLI.md, ENVIRONMENT) */
  g_setenv ("BYTELM_FRAME_MODE", "0", TRUE);
  encode (&img, 1, w, h, 1, 0, MODELS_DIR "/test-golden.blmm", &r);
  g_unsetenv ("BYTELM_FRAME_MODE");
  GstBuffer *all = concat (r.buffers);
  /* model-coded (smaller than the pixels), so the model is needed */
  fail_unless (gst_buffer_get_size (all) < w * h);
  write_buffer (path, all);

  g_unsetenv ("BYTELM_MODEL_PATH");
  err = play_file (path);
  fail_unless (err != NULL && strstr (err, "model") != NULL
      && strstr (err, "was not found") != NULL, "%s", err);
  g_free (err);

  GList *one = g_list_append (NULL, gst_buffer_ref (all));
  decode_and_check ("bytelmvideodec model-dir=" MODELS_DIR, r.caps, one, &img,
      1, w, h, 1, TRUE);
  g_list_free_full (one, (GDestroyNotify) gst_buffer_unref);
  g_setenv ("BYTELM_MODEL_PATH", MODELS_DIR, TRUE);
  gst_buffer_unref (all);
  enc_result_clear (&r);
  g_free (path);
  g_free (img);
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

GST_START_TEST (test_video_damaged)
{
  const guint w = 24, h = 16;
  guint8 *images[2] = { make_image (w, h, 1, 1), make_image (w, h, 1, 2) };
  gchar *path = write_stream (images, 2, w, h, 1, "two.blm");
  gchar *bad = tmp_path ("bad.blm"), *data, *err;
  gsize len;

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  err = play_file (path);
  fail_unless (err == NULL, "good stream failed: %s", err);
  gsize first_len = 0;
  /* the second stream starts after the first's end magic */
  for (gsize i = 76; i + 4 <= len; i++)
    if (!memcmp (data + i, "BLMEBYLM", 8)) {
      first_len = i + 4;
      break;
    }
  fail_unless (first_len > 0);
  gchar *copy = g_memdup2 (data, len);

  /* a flipped payload byte in the second image: its frame CRC */
  copy[first_len + 76 + 40] ^= 0x10;
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "CRC") != NULL, "%s", err);
  g_free (err);

  /* cut inside the second image */
  fail_unless (g_file_set_contents (bad, data, first_len + 100, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "runcated") != NULL, "%s", err);
  g_free (err);

  /* a damaged header */
  memcpy (copy, data, len);
  copy[33] ^= 1;
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL);
  g_free (err);

  /* a wrong MD5 in the first image's trailer, with its CRC made to match:
   * every CRC passes, the decoder's MD5 check catches it */
  memcpy (copy, data, len);
  forge_md5 ((guint8 *) copy, first_len);
  fail_unless (g_file_set_contents (bad, copy, len, NULL));
  err = play_file (bad);
  fail_unless (err != NULL && strstr (err, "MD5") != NULL, "%s", err);
  g_free (err);

  /* straight into the decoder: a damaged stream posts an error and returns an
   * error flow, no crash */
  {
    GstHarness *h_ = gst_harness_new ("bytelmvideodec");
    GstBus *bus = gst_bus_new ();
    GstMessage *msg;
    gst_element_set_bus (h_->element, bus);
    gst_harness_set_src_caps_str (h_, "video/x-bytelm, parsed=true, "
        "format=GRAY8, width=24, height=16, framerate=0/1");
    gchar *one = g_memdup2 (data, first_len);
    one[first_len / 2] ^= 0x40;
    fail_unless_equals_int (gst_harness_push (h_, gst_buffer_new_wrapped (one,
                first_len)), GST_FLOW_ERROR);
    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    fail_unless (msg != NULL);
    gst_message_unref (msg);
    gst_element_set_bus (h_->element, NULL);
    gst_object_unref (bus);
    gst_harness_teardown (h_);
  }

  g_free (copy);
  g_free (bad);
  g_free (data);
  g_free (path);
  g_free (images[0]);
  g_free (images[1]);
}
GST_END_TEST;

/* Images of the kinds GStreamer 1.22 has no raw format for: typefound and
 * parsed, then refused by the decoder with a message that names the format. */
GST_START_TEST (test_video_no_raw_format)
{
  /* forged from a stream whose rows have as many bytes and that codes
   * without a transform, as these kinds do: the kind and width in its header
   * changed, the header's CRC made to match */
  const struct {
    guint kind, bpp, w, forged_w;
    const gchar *name;
  } cases[] = {
    {4, 2, 10, 10, "GRAYA8"},   /* from GRAY16_LE */
    {7, 4, 10, 10, "GRAYA16_LE"},       /* from RGBA */
    {8, 2, 12, 4, "RGB48_LE"},  /* from GRAY16_LE 3 times as wide */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const guint h = 6;
    guint8 *img = make_image (cases[i].w, h, cases[i].bpp, 90 + i);
    gchar *path = tmp_path ("noformat.blm"), *err, *caps;
    GstMapInfo map;
    guint8 *data;
    gsize len;
    EncResult r;

    encode (&img, 1, cases[i].w, h, cases[i].bpp, 0, NULL, &r);
    GstBuffer *all = concat (r.buffers);
    gst_buffer_map (all, &map, GST_MAP_READ);
    len = map.size;
    data = g_memdup2 (map.data, len);
    gst_buffer_unmap (all, &map);
    gst_buffer_unref (all);
    enc_result_clear (&r);
    data[5] = (guint8) cases[i].kind;
    GST_WRITE_UINT32_LE (data + 32, cases[i].forged_w);
    GST_WRITE_UINT32_LE (data + 72, crc32_le (data, 72));

    fail_unless (g_file_set_contents (path, (const gchar *) data, len, NULL));
    err = play_file (path);
    fail_unless (err != NULL && strstr (err, cases[i].name) != NULL
        && strstr (err, "no GStreamer raw video format") != NULL, "%s: %s",
        cases[i].name, err);
    g_free (err);

    /* straight into the decoder: not negotiated and an error message, no
     * crash */
    {
      GstHarness *h_ = gst_harness_new ("bytelmvideodec");
      GstBus *bus = gst_bus_new ();
      GstMessage *msg;
      gst_element_set_bus (h_->element, bus);
      caps = g_strdup_printf ("video/x-bytelm, parsed=true, format=%s, "
          "width=%u, height=%u, framerate=0/1", cases[i].name,
          cases[i].forged_w, h);
      gst_harness_set_src_caps_str (h_, caps);
      fail_unless_equals_int (gst_harness_push (h_,
              gst_buffer_new_wrapped (g_memdup2 (data, len), len)),
          GST_FLOW_NOT_NEGOTIATED);
      msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      fail_unless (msg != NULL);
      gst_message_unref (msg);
      fail_unless (gst_harness_try_pull (h_) == NULL);
      gst_element_set_bus (h_->element, NULL);
      gst_object_unref (bus);
      gst_harness_teardown (h_);
      g_free (caps);
    }
    g_free (data);
    g_free (path);
    g_free (img);
  }
}
GST_END_TEST;

static Suite *
bytelm_video_suite (void)
{
  Suite *s = suite_create ("bytelm-video");
  TCase *tc = tcase_create ("general");

  /* the tests find the tiny model by hash here too */
  g_setenv ("BYTELM_MODEL_PATH", MODELS_DIR, TRUE);
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_video_caps);
  tcase_add_test (tc, test_video_roundtrip_tiny);
  tcase_add_test (tc, test_video_roundtrip_large);
  tcase_add_test (tc, test_video_roundtrip_deep);
  tcase_add_test (tc, test_video_testsrc);
  tcase_add_test (tc, test_video_no_raw_format);
  tcase_add_test (tc, test_video_cli_interop);
  tcase_add_test (tc, test_video_decodebin);
  tcase_add_test (tc, test_video_format_change);
  tcase_add_test (tc, test_video_damaged);
  tcase_add_test (tc, test_video_missing_model);
  return s;
}

GST_CHECK_MAIN (bytelm_video);
