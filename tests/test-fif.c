/* test-fif.c: the Neuromag/MEGIN FIF raw reader and MEG sensor maps.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-engine.h"
#include "as-reader.h"
#include "as-recording.h"
#include "as-topography.h"

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

/* ------------------------------------------------------------ real file */

/* Numbers decoded by hand from the tag stream of 141027_cropped_90Hz_raw.fif
 * by tests/data/fif-decode-by-hand.py (python3 and struct only, walking the
 * 16-byte tag headers):
 *   nchan 306 sfreq 90.0 first_samp 2250 buffers 10 (float)
 *   0 MEG0113 kind 1 coil 3012 unit 201 (T/m) range 1 cal 3.25000005e-09
 *     stored 0.0162899476 0.0023477471 0.00418582978 0.00322560384 0.00245056232
 *     SI (T/m) 5.29423303e-11 7.63017817e-12 1.3603947e-11 1.04832126e-11 7.96432764e-12
 *   2 MEG0111 kind 1 coil 3022 unit 112 (T) range 1 cal 4.14000015e-11
 *     SI (T) -4.11078856e-11 3.85622033e-12 -2.29962116e-12 1.62720985e-12 -2.35402829e-12
 *   305 MEG2641 kind 1 coil 3022 unit 112 range 1 cal 4.14000015e-11
 *     SI (T) 4.69864646e-11 -5.28663094e-12 2.0527e-12 -2.521519e-12 1.83325283e-12
 * The reader gives gradiometers in fT/cm (× 1e13) and magnetometers in fT
 * (× 1e15). */
static const double grad0113_si[5] = { 5.29423303e-11, 7.63017817e-12, 1.3603947e-11,
                                       1.04832126e-11, 7.96432764e-12 };
static const double mag0111_si[5] = { -4.11078856e-11, 3.85622033e-12, -2.29962116e-12,
                                      1.62720985e-12, -2.35402829e-12 };
static const double mag2641_si[5] = { 4.69864646e-11, -5.28663094e-12, 2.0527e-12,
                                      -2.521519e-12, 1.83325283e-12 };

static AsRecording *
load_real (void)
{
  g_autofree char *path = data_path ("141027_cropped_90Hz_raw.fif");
  g_autoptr (GError) error = NULL;
  AsRecording *rec = as_recording_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rec);
  return rec;
}

static void
test_real (void)
{
  g_autoptr (AsRecording) rec = load_real ();
  guint n_mag = 0, n_grad = 0;

  g_assert_cmpstr (rec->format, ==, "FIF");
  g_assert_cmpuint (rec->n_channels, ==, 306);
  g_assert_cmpfloat (rec->sfreq, ==, 90.0);
  g_assert_cmpuint (rec->n_samples, ==, 900);  /* 10 buffers of 110160 bytes / (306 × 4) */
  g_assert_cmpint (rec->kind, ==, AS_RECORDING_EEG);
  g_assert_cmpstr (rec->channels[0].label, ==, "MEG0113");
  g_assert_cmpstr (rec->channels[0].unit, ==, "fT/cm");
  g_assert_cmpint (rec->channels[0].coil_type, ==, 3012);
  g_assert_cmpstr (rec->channels[2].label, ==, "MEG0111");
  g_assert_cmpstr (rec->channels[2].unit, ==, "fT");
  g_assert_cmpint (rec->channels[2].coil_type, ==, 3022);
  g_assert_cmpstr (rec->channels[305].label, ==, "MEG2641");
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 0)[i], grad0113_si[i] * 1e13,
                                      1e-6 * fabs (grad0113_si[i] * 1e13));
      g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 2)[i], mag0111_si[i] * 1e15,
                                      1e-6 * fabs (mag0111_si[i] * 1e15));
      g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 305)[i], mag2641_si[i] * 1e15,
                                      1e-6 * fabs (mag2641_si[i] * 1e15));
    }
  for (guint c = 0; c < rec->n_channels; c++)
    {
      g_assert_cmpint (rec->channels[c].type, ==, AS_CHANNEL_MEG);
      n_mag += rec->channels[c].sensor == AS_SENSOR_MAGNETOMETER;
      n_grad += rec->channels[c].sensor == AS_SENSOR_GRADIOMETER;
    }
  g_assert_cmpuint (n_mag, ==, 102);
  g_assert_cmpuint (n_grad, ==, 204);
  /* meas date 2014-10-27 14:12:58 UTC + first_samp / sfreq = 25 s */
  g_assert_nonnull (rec->start_time);
  g_assert_cmpint (g_date_time_get_hour (rec->start_time), ==, 14);
  g_assert_cmpint (g_date_time_get_minute (rec->start_time), ==, 13);
  g_assert_cmpint (g_date_time_get_second (rec->start_time), ==, 23);
  g_assert_null (rec->missing);
  g_assert_cmpuint (rec->warnings->len, ==, 0);
}

/* A helmet: every sensor 5 to 15 cm from the device origin, the sensors
 * around the top of a sphere (their centroid above the lowest ring, the
 * highest sensors near the top), each coil's normal pointing out of it. */
static void
test_helmet (void)
{
  g_autoptr (AsRecording) rec = load_real ();
  double centroid[3] = { 0, 0, 0 }, zmin = 1, zmax = -1;
  guint n = 0, outward = 0;

  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      double r = sqrt (ch->position[0] * ch->position[0] + ch->position[1] * ch->position[1]
                       + ch->position[2] * ch->position[2]);
      g_assert_true (ch->has_position);
      g_assert_cmpfloat (r, >, 0.05);
      g_assert_cmpfloat (r, <, 0.15);
      g_assert_cmpfloat_with_epsilon (hypot (hypot (ch->orientation[0], ch->orientation[1]),
                                             ch->orientation[2]), 1.0, 1e-3);
      for (int k = 0; k < 3; k++)
        centroid[k] += ch->position[k];
      zmin = MIN (zmin, ch->position[2]);
      zmax = MAX (zmax, ch->position[2]);
      n++;
    }
  for (int k = 0; k < 3; k++)
    centroid[k] /= n;
  /* the helmet's top is 8 to 15 cm above its lowest sensors; its centroid is
   * near the middle left-right */
  g_assert_cmpfloat (zmax - zmin, >, 0.08);
  g_assert_cmpfloat (zmax - zmin, <, 0.2);
  g_assert_cmpfloat (fabs (centroid[0]), <, 0.01);
  g_assert_cmpfloat (zmax, >, 0.07);
  /* normals point away from a point below the centroid (the head's centre) */
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      double d = 0;
      for (int k = 0; k < 3; k++)
        d += ch->orientation[k] * (ch->position[k] - (centroid[k] - (k == 2 ? 0.04 : 0)));
      outward += d > 0;
    }
  g_assert_cmpuint (outward, ==, rec->n_channels);
}

/* Topographies of one sensor kind: 102 magnetometers; 204 gradiometers
 * combined into 102 pairs by RMS. */
static void
test_meg_topography (void)
{
  g_autoptr (AsRecording) rec = load_real ();
  g_autofree double *values = g_new (double, rec->n_channels);
  g_autofree double *pos = g_new (double, 3 * rec->n_channels);
  g_autofree double *out = g_new (double, rec->n_channels);
  g_autofree guint *which = g_new (guint, rec->n_channels);
  g_autoptr (GError) error = NULL;
  guint n;

  for (guint c = 0; c < rec->n_channels; c++)
    values[c] = c + 1;
  n = as_meg_sensor_values (rec, values, AS_SENSOR_GRADIOMETER, pos, out, which);
  g_assert_cmpuint (n, ==, 102);
  /* MEG0113 and MEG0112 (channels 1 and 2) are a pair at one location */
  g_assert_cmpuint (which[0], ==, 0);
  g_assert_cmpfloat_with_epsilon (out[0], sqrt ((1.0 * 1 + 2.0 * 2) / 2), 1e-12);
  n = as_meg_sensor_values (rec, values, AS_SENSOR_MAGNETOMETER, pos, out, which);
  g_assert_cmpuint (n, ==, 102);
  g_assert_cmpuint (which[0], ==, 2);
  g_assert_cmpfloat (out[0], ==, 3.0);

  /* the map of a left-right gradient is negative on the left, positive on the right */
  for (guint c = 0; c < rec->n_channels; c++)
    values[c] = rec->channels[c].position[0];
  {
    g_autoptr (AsTopographyGrid) grid = as_topography_for_recording (rec, values, AS_HEAD_CIRCLE_EEGLAB,
                                                                     33, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (grid->n_sensors, ==, 102);
    for (guint i = 0; i < grid->n_sensors; i++)
      g_assert_cmpint (rec->channels[grid->sensor_channel[i]].sensor, ==, AS_SENSOR_MAGNETOMETER);
    g_assert_cmpfloat (grid->values[16 * 33 + 4], <, 0);
    g_assert_cmpfloat (grid->values[16 * 33 + 28], >, 0);
  }
  {
    g_autoptr (AsTopographyGrid) grid = as_topography_for_sensors (rec, values, AS_SENSOR_GRADIOMETER,
                                                                   AS_HEAD_CIRCLE_EEGLAB, 33, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (grid->n_sensors, ==, 102);
  }
}

/* The real file cut inside its last data buffer: nine whole buffers and a
 * warning with the amount missing; cut inside the measurement info: refused
 * with the byte. */
static void
test_truncated (void)
{
  g_autofree char *path = data_path ("141027_cropped_90Hz_raw.fif");
  g_autofree char *contents = NULL;
  gsize len;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  {
    g_autoptr (AsRecording) rec = as_read_fif ("cut.fif", (const guint8 *) contents, len - 5000, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rec->n_samples, ==, 810);
    g_assert_cmpuint (rec->warnings->len, ==, 1);
    g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "truncated"));
    g_assert_nonnull (strstr (g_ptr_array_index (rec->warnings, 0), "90 samples"));
    g_assert_cmpfloat_with_epsilon (as_recording_channel (rec, 2)[0], mag0111_si[0] * 1e15, 1e-4);
  }
  {
    g_autoptr (AsRecording) rec = as_read_fif ("cut.fif", (const guint8 *) contents, 80000, &error);
    g_assert_null (rec);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "cut.fif: byte "));
    g_assert_nonnull (strstr (error->message, "ends before"));
  }
}

/* ------------------------------------------------- a file written here */

/* A FIF writer just big enough for the reader's cases: big-endian tags. */
static void
put32 (GByteArray *b, gint32 v)
{
  guint8 p[4] = { (guint32) v >> 24, (guint32) v >> 16, (guint32) v >> 8, (guint32) v };
  g_byte_array_append (b, p, 4);
}

static void
putf (GByteArray *b, float f)
{
  gint32 v;
  memcpy (&v, &f, 4);
  put32 (b, v);
}

static void
putd (GByteArray *b, double d)
{
  guint64 u;
  memcpy (&u, &d, 8);
  put32 (b, (gint32) (u >> 32));
  put32 (b, (gint32) u);
}

static void
tag_head (GByteArray *b, GArray *dir, gint32 kind, gint32 type, gint32 size)
{
  gint32 e[4] = { kind, type, size, (gint32) b->len };
  if (dir)
    g_array_append_vals (dir, e, 4);
  put32 (b, kind);
  put32 (b, type);
  put32 (b, size);
  put32 (b, 0);
}

static void
tag_int (GByteArray *b, GArray *dir, gint32 kind, gint32 v)
{
  tag_head (b, dir, kind, 3, 4);
  put32 (b, v);
}

static void
ch_info (GByteArray *b, GArray *dir, gint32 scan, gint32 kind, float cal, gint32 coil,
         const float *loc, gint32 unit, const char *name)
{
  char n[16] = { 0 };

  tag_head (b, dir, 203, 30, 96);
  put32 (b, scan);
  put32 (b, scan);
  put32 (b, kind);
  putf (b, 1.0f);   /* range */
  putf (b, cal);
  put32 (b, coil);
  for (int k = 0; k < 12; k++)
    putf (b, loc ? loc[k] : 0.0f);
  put32 (b, unit);
  put32 (b, 0);
  strncpy (n, name, 15);
  g_byte_array_append (b, (const guint8 *) n, 16);
}

/* 4 channels (EEG Fz in V with cal 1e-6, EOG, STI 014, MISC) at 100 Hz;
 * raw data: FIRST_SAMPLE 100, a short buffer of 3 samples, DATA_SKIP of 1
 * buffer, an int buffer of 3 samples, a double buffer of 2 samples, a
 * float buffer of 2.  with_dir: a tag directory at the end. */
static GByteArray *
make_fif (gboolean with_dir)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr (GArray) dir = with_dir ? g_array_new (FALSE, FALSE, sizeof (gint32)) : NULL;
  gsize dir_ptr;
  const float fz[12] = { 0.0f, 0.06f, 0.07f };

  tag_head (b, dir, 100, 31, 20);
  for (int i = 0; i < 5; i++)
    put32 (b, i);
  dir_ptr = b->len + 16;
  tag_int (b, dir, 101, -1);
  tag_int (b, dir, 104, 100);       /* MEAS */
  tag_int (b, dir, 104, 101);       /* MEAS_INFO */
  tag_int (b, dir, 200, 4);
  tag_head (b, dir, 201, 4, 4);
  putf (b, 100.0f);
  tag_head (b, dir, 204, 3, 8);
  put32 (b, 1000000000);            /* 2001-09-09 01:46:40 UTC */
  put32 (b, 0);
  ch_info (b, dir, 1, 2, 1e-6f, 1, fz, 107, "Fz");
  ch_info (b, dir, 2, 202, 1e-6f, 0, NULL, 107, "EOG061");
  ch_info (b, dir, 3, 3, 1.0f, 0, NULL, -1, "STI 014");
  ch_info (b, dir, 4, 502, 0.5f, 0, NULL, -1, "MISC001");
  tag_int (b, dir, 104, 359);       /* bad channels */
  tag_head (b, dir, 3507, 10, 6);
  g_byte_array_append (b, (const guint8 *) "EOG061", 6);
  tag_int (b, dir, 105, 359);
  tag_int (b, dir, 105, 101);
  tag_int (b, dir, 104, 102);       /* RAW */
  tag_int (b, dir, 208, 100);
  /* short: samples (Fz, EOG, STI, MISC) */
  tag_head (b, dir, 300, 2, 3 * 4 * 2);
  for (int s = 0; s < 3; s++)
    {
      gint16 v[4] = { (gint16) (10 * (s + 1)), (gint16) -s, (gint16) (s == 1 ? 5 : 0), (gint16) s };
      for (int c = 0; c < 4; c++)
        {
          guint8 p[2] = { (guint16) v[c] >> 8, (guint16) v[c] };
          g_byte_array_append (b, p, 2);
        }
    }
  tag_int (b, dir, 301, 1);
  tag_head (b, dir, 300, 3, 3 * 4 * 4);
  for (int s = 0; s < 3; s++)
    {
      put32 (b, -100000 * (s + 1));
      put32 (b, 7);
      put32 (b, s == 2 ? 3 : 0);
      put32 (b, 2);
    }
  tag_head (b, dir, 300, 5, 2 * 4 * 8);
  for (int s = 0; s < 2; s++)
    {
      putd (b, 0.25);
      putd (b, -0.5);
      putd (b, 3);
      putd (b, 4);
    }
  tag_head (b, dir, 300, 4, 2 * 4 * 4);
  for (int s = 0; s < 2; s++)
    {
      putf (b, 1.5f);
      putf (b, 2.5f);
      putf (b, 0);
      putf (b, -8);
    }
  tag_int (b, dir, 105, 102);
  tag_int (b, dir, 105, 100);
  if (with_dir)
    {
      gsize pos = b->len;
      guint8 p[4] = { pos >> 24, pos >> 16, pos >> 8, pos };
      memcpy (b->data + dir_ptr, p, 4);
      tag_head (b, NULL, 102, 32, dir->len * 4 + 16);
      for (guint i = 0; i < dir->len; i++)
        put32 (b, g_array_index (dir, gint32, i));
      put32 (b, 102), put32 (b, 32), put32 (b, dir->len * 4 + 16), put32 (b, pos);
    }
  /* the end (NOP with next = −1) */
  put32 (b, 108), put32 (b, 0), put32 (b, 0), put32 (b, -1);
  return b;
}

static void
check_written (AsRecording *rec)
{
  const double fz[13] = { 10, 20, 30, NAN, NAN, NAN, -100000, -200000, -300000, 0.25, 0.25, 1.5, 1.5 };
  const double misc[13] = { 0, 0.5, 1, NAN, NAN, NAN, 1, 1, 1, 2, 2, -4, -4 };

  g_assert_cmpuint (rec->n_channels, ==, 4);
  g_assert_cmpuint (rec->n_samples, ==, 13);
  g_assert_cmpfloat (rec->sfreq, ==, 100);
  g_assert_cmpstr (rec->channels[0].unit, ==, "uV");
  g_assert_cmpint (rec->channels[0].type, ==, AS_CHANNEL_EEG);
  g_assert_true (rec->channels[0].has_position);
  g_assert_cmpfloat_with_epsilon (rec->channels[0].position[2], 0.07, 1e-7);
  g_assert_cmpint (rec->channels[1].type, ==, AS_CHANNEL_EOG);
  g_assert_false (rec->channels[1].has_position);
  g_assert_cmpint (rec->channels[2].type, ==, AS_CHANNEL_STIM);
  g_assert_cmpint (rec->channels[3].type, ==, AS_CHANNEL_OTHER);
  for (guint i = 0; i < 13; i++)
    {
      /* Fz: stored × 1e-6 V = stored µV */
      double x = as_recording_channel (rec, 0)[i], m = as_recording_channel (rec, 3)[i];
      if (isnan (fz[i]))
        {
          g_assert_true (isnan (x) && isnan (m));
          g_assert_true (as_recording_is_missing (rec, 0, i));
          g_assert_true (as_recording_is_missing (rec, 3, i));
        }
      else
        {
          g_assert_cmpfloat_with_epsilon (x, fz[i], 1e-6 * MAX (1, fabs (fz[i])));
          g_assert_cmpfloat_with_epsilon (m, misc[i], 1e-7);
          g_assert_false (as_recording_is_missing (rec, 0, i));
        }
    }
  g_assert_cmpuint (as_recording_count_missing (rec), ==, 3 * 4);
  /* STI 014: 5 at sample 1 (one sample), 3 at 8 to 10 (two samples) */
  g_assert_cmpuint (rec->events->len, ==, 2);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).onset, 0.01, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 0).duration, 0.01, 1e-12);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "STI 014 5");
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).onset, 0.08, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_array_index (rec->events, AsEvent, 1).duration, 0.03, 1e-12);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 1).label, ==, "STI 014 3");
  /* 1000000000 s + first_samp 100 / 100 Hz */
  g_assert_cmpint (g_date_time_to_unix (rec->start_time), ==, 1000000001);
}

static gboolean
has_warning (const AsRecording *rec, const char *part)
{
  for (guint i = 0; i < rec->warnings->len; i++)
    if (strstr (g_ptr_array_index (rec->warnings, i), part))
      return TRUE;
  return FALSE;
}

static void
test_written (void)
{
  for (int with_dir = 0; with_dir < 2; with_dir++)
    {
      g_autoptr (GByteArray) b = make_fif (with_dir);
      g_autoptr (GError) error = NULL;
      g_autoptr (AsRecording) rec = as_read_fif ("w.fif", b->data, b->len, &error);

      g_assert_no_error (error);
      check_written (rec);
      g_assert_true (has_warning (rec, "skipped during acquisition"));
      g_assert_true (has_warning (rec, "marked bad in the file: EOG061"));
      g_assert_false (has_warning (rec, "directory"));
    }
  /* a directory pointing nowhere: read by walking, with a word */
  {
    g_autoptr (GByteArray) b = make_fif (TRUE);
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) rec = NULL;
    b->data[52] = 0x7f;
    rec = as_read_fif ("w.fif", b->data, b->len, &error);
    g_assert_no_error (error);
    check_written (rec);
    g_assert_true (has_warning (rec, "directory is damaged"));
  }
}

/* Malformed files: the name, a byte and the reason. */
static void
test_malformed (void)
{
  g_autoptr (GByteArray) good = make_fif (FALSE);
  struct { gsize at; guint8 byte; const char *why; } cases[] = {
    { 0, 1, "not a FIF file" },
    /* file id 0–35, dir pointer 36–55, MEAS 56–75, MEAS_INFO 76–95, NCHAN 96–115 */
    { 115, 0, "number of channels" },       /* nchan = 0 */
    { 115, 9, "announces 9 channels" },     /* nchan = 9 */
    { 132, 0xff, "sampling rate" },         /* sfreq: NaN */
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      g_autoptr (GError) error = NULL;
      g_autoptr (AsRecording) rec = NULL;

      g_byte_array_append (b, good->data, good->len);
      b->data[cases[k].at] = cases[k].byte;
      rec = as_read_fif ("bad.fif", b->data, b->len, &error);
      g_assert_null (rec);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[k].why) == NULL || strstr (error->message, "bad.fif: byte ") == NULL)
        g_error ("case %u: %s", k, error->message);
    }
  /* a tag pointing back: the chain would loop */
  {
    g_autoptr (GByteArray) b = g_byte_array_new ();
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) rec = NULL;
    g_byte_array_append (b, good->data, good->len);
    b->data[36 + 12 + 3] = 4;   /* the dir pointer tag's next → byte 4 */
    rec = as_read_fif ("loop.fif", b->data, b->len, &error);
    g_assert_null (rec);
    g_assert_nonnull (strstr (error->message, "loops"));
  }
  /* a data buffer of a size that is no whole number of samples */
  {
    g_autoptr (GByteArray) b = make_fif (FALSE);
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) rec = NULL;
    static const guint8 head[12] = { 0, 0, 1, 0x2c, 0, 0, 0, 2, 0, 0, 0, 0x18 };
    guint8 *p = NULL;
    for (gsize i = 0; p == NULL && i + 12 <= b->len; i++)
      if (memcmp (b->data + i, head, 12) == 0)
        p = b->data + i;
    g_assert_nonnull (p);
    p[11] = 0x17;
    rec = as_read_fif ("odd.fif", b->data, b->len, &error);
    g_assert_null (rec);
    g_assert_nonnull (strstr (error->message, "whole samples"));
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/fif/real", test_real);
  g_test_add_func ("/fif/helmet", test_helmet);
  g_test_add_func ("/fif/meg-topography", test_meg_topography);
  g_test_add_func ("/fif/truncated", test_truncated);
  g_test_add_func ("/fif/written", test_written);
  g_test_add_func ("/fif/malformed", test_malformed);
  return g_test_run ();
}
