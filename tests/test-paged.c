/* test-paged.c: EDF/BDF read page by page equal the whole-file reader's
 * values, across data records; the min/max pyramid equals brute force.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <edflib.h>

#include "as-display.h"
#include "as-engine.h"
#include "as-filter.h"
#include "as-paged.h"
#include "as-reader.h"
#include "as-recording.h"

static char *tmpdir;

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

/* A float32 of a physical value: within a few units of its last place, and
 * of the file's own step (gain) for libbiosig's rounding. */
static void
assert_close (double paged, double whole, double step)
{
  double tol = 4e-7 * fabs (whole) + 1e-6 * step + 1e-12;
  if (!(fabs (paged - whole) <= tol))
    g_error ("paged %.9g, whole %.9g (tolerance %.3g)", paged, whole, tol);
}

/* Every sample of @paged equals the whole-file read, also through spans that
 * start and end inside data records. */
static void
compare_whole (const char *path, double step)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) whole = as_recording_load (path, &error);
  g_autoptr (AsRecording) paged = NULL;
  g_autofree float *all = NULL;
  GRand *rand = g_rand_new_with_seed (7);

  g_assert_no_error (error);
  paged = as_recording_open_paged (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_null (paged->data);
  g_assert_nonnull (paged->paged);
  g_assert_cmpuint (paged->n_channels, ==, whole->n_channels);
  g_assert_cmpuint (paged->n_samples, ==, whole->n_samples);
  g_assert_cmpfloat (paged->sfreq, ==, whole->sfreq);
  g_assert_cmpstr (paged->format, ==, whole->format);
  g_assert_cmpint (paged->kind, ==, whole->kind);
  for (guint c = 0; c < whole->n_channels; c++)
    {
      g_assert_cmpstr (paged->channels[c].label, ==, whole->channels[c].label);
      g_assert_cmpstr (paged->channels[c].unit, ==, whole->channels[c].unit);
      g_assert_cmpint (paged->channels[c].type, ==, whole->channels[c].type);
    }
  g_assert_cmpuint (paged->events->len, ==, whole->events->len);
  for (guint e = 0; e < whole->events->len; e++)
    {
      const AsEvent *a = &g_array_index (paged->events, AsEvent, e);
      const AsEvent *b = &g_array_index (whole->events, AsEvent, e);
      g_assert_cmpfloat_with_epsilon (a->onset, b->onset, 1e-6);
      g_assert_cmpfloat_with_epsilon (a->duration, b->duration, 1e-6);
      g_assert_cmpstr (a->label, ==, b->label);
    }
  if (whole->start_time != NULL)
    g_assert_true (paged->start_time != NULL
                   && g_date_time_compare (paged->start_time, whole->start_time) == 0);

  all = g_new (float, (gsize) whole->n_channels * whole->n_samples);
  g_assert_true (as_paged_read (paged->paged, 0, whole->n_samples, all, &error));
  g_assert_no_error (error);
  for (gsize i = 0; i < (gsize) whole->n_channels * whole->n_samples; i++)
    assert_close (all[i], whole->data[i], step);

  /* Spans starting and ending anywhere: one sample, a record's last and the
   * next one's first, many records. */
  for (int k = 0; k < 200; k++)
    {
      gsize count = k < 40 ? (gsize) g_rand_int_range (rand, 1, 3)
                           : (gsize) g_rand_int_range (rand, 1, (gint32) MIN (whole->n_samples, 5000));
      gsize start = (gsize) g_rand_int_range (rand, 0, (gint32) (whole->n_samples - count + 1));
      g_autofree float *span = g_new (float, (gsize) whole->n_channels * count);

      g_assert_true (as_paged_read (paged->paged, start, count, span, &error));
      for (guint c = 0; c < whole->n_channels; c++)
        for (gsize t = 0; t < count; t++)
          g_assert_cmpfloat (span[(gsize) c * count + t], ==, all[(gsize) c * whole->n_samples + start + t]);
    }
  g_rand_free (rand);
}

static void
test_edf_real (void)
{
  g_autofree char *path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  /* the channels' physical range over 16 bits */
  compare_whole (path, 16000.0 / 65535);
}

/* A file cut short (a recording still being written, a copy interrupted): read page by
 * page it has the whole records the file holds and says what is missing, in the words
 * of the whole-file reader. */
static void
test_truncated (void)
{
  g_autofree char *src = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autofree char *path = g_build_filename (tmpdir, "cut.edf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsEdfHeader) hdr = as_edf_header_read (src, &error);
  g_autoptr (AsRecording) whole = NULL, paged = NULL, full = NULL;
  gsize len;
  gboolean said = FALSE;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (src, &contents, &len, &error));
  full = as_recording_open_paged (src, FALSE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < full->warnings->len; i++)
    g_assert_null (strstr (g_ptr_array_index (full->warnings, i), "truncated"));
  /* three and a half data records fewer */
  g_assert_true (g_file_set_contents (path, contents, len - 7 * hdr->record_bytes / 2, &error));
  whole = as_recording_load (path, &error);
  g_assert_no_error (error);
  paged = as_recording_open_paged (path, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (paged->n_samples, ==, whole->n_samples);
  g_assert_cmpuint (paged->n_samples, ==, full->n_samples - 4 * (full->n_samples / hdr->announced));
  for (guint i = 0; i < paged->warnings->len; i++)
    if (strstr (g_ptr_array_index (paged->warnings, i), "truncated") != NULL)
      {
        said = TRUE;
        g_test_message ("%s", (const char *) g_ptr_array_index (paged->warnings, i));
        g_assert_true (g_ptr_array_find_with_equal_func (whole->warnings, g_ptr_array_index (paged->warnings, i),
                                                         g_str_equal, NULL));
      }
  g_assert_true (said);
  g_unlink (path);
}

/* A BDF+ of 24-bit samples over whole and partial records, written with EDFlib. */
static char *
write_bdf (guint n_channels, guint n_records, int spr)
{
  char *p = g_build_filename (tmpdir, "paged.bdf", NULL);
  int h = edfopen_file_writeonly (p, EDFLIB_FILETYPE_BDFPLUS, (int) n_channels);
  GRand *rand = g_rand_new_with_seed (3);
  g_autofree int *b = g_new (int, spr);

  g_assert_cmpint (h, >=, 0);
  for (guint s = 0; s < n_channels; s++)
    {
      g_autofree char *label = g_strdup_printf ("EEG C%u", s + 1);
      edf_set_samplefrequency (h, (int) s, spr);
      edf_set_physical_maximum (h, (int) s, 8000 + 100 * s);
      edf_set_physical_minimum (h, (int) s, -9000);
      edf_set_digital_maximum (h, (int) s, 8388607);
      edf_set_digital_minimum (h, (int) s, -8388608);
      edf_set_label (h, (int) s, label);
      edf_set_physical_dimension (h, (int) s, "uV");
    }
  for (guint r = 0; r < n_records; r++)
    for (guint s = 0; s < n_channels; s++)
      {
        for (int k = 0; k < spr; k++)
          {
            double t = (r * spr + k) / (double) spr;
            /* an offset, a rhythm, noise and, now and then, the extremes */
            b[k] = (int) (2e5 * s + 3e6 * sin (2 * G_PI * (s + 1) * t) + g_rand_double_range (rand, -1e5, 1e5));
            if (g_rand_int_range (rand, 0, 500) == 0)
              b[k] = g_rand_boolean (rand) ? 8388606 : -8388607;
          }
        g_assert_cmpint (edfwrite_digital_samples (h, b), ==, 0);
      }
  edfwrite_annotation_utf8 (h, 25000, 10000, "spike train");
  edfwrite_annotation_utf8 (h, 310000, 0, "eyes closed");
  g_assert_cmpint (edfclose_file (h), ==, 0);
  g_rand_free (rand);
  return p;
}

static void
test_bdf (void)
{
  g_autofree char *path = write_bdf (5, 40, 256);

  compare_whole (path, 17000.0 / 16777215);
  g_unlink (path);
}

/* The pyramid's min/max equal brute force on ranges aligned to its cells, and
 * enclose it (within one cell on each side) on any range; the file's
 * envelope (no pyramid yet) is brute force exactly. */
static void
test_pyramid (void)
{
  g_autofree char *path = write_bdf (3, 120, 256);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_open_paged (path, FALSE, &error);
  AsPaged *p;
  gsize n, nc;
  g_autofree float *all = NULL;
  GRand *rand = g_rand_new_with_seed (11);
  guint k0 = 0;

  g_assert_no_error (error);
  p = rec->paged;
  n = rec->n_samples;
  nc = rec->n_channels;
  all = g_new (float, nc * n);
  g_assert_true (as_paged_read (p, 0, n, all, &error));

  for (int pass = 0; pass < 2; pass++)
    {
      if (pass == 1)
        {
          g_assert_false (as_paged_pyramid_ready (p));
          g_assert_true (as_paged_wait_pyramid (p, &error));
          g_assert_no_error (error);
          g_assert_true (as_paged_pyramid_ready (p));
          g_assert_cmpuint (as_paged_pyramid_bytes (p, &k0, NULL, NULL), >, 0);
          g_assert_cmpuint (k0, >=, 4);
        }
      for (int k = 0; k < 300; k++)
        {
          guint nb = (guint) g_rand_int_range (rand, 1, 40);
          gboolean aligned = pass == 1 && k % 2 == 0;
          gsize cell = pass == 1 ? (gsize) 1 << (k0 + (guint) g_rand_int_range (rand, 0, 4)) : 1;
          gsize count, start;
          g_autofree float *lo = g_new (float, nc * nb), *hi = g_new (float, nc * nb);

          if (aligned)
            {
              /* buckets of one cell of the level read, at a multiple of it */
              gsize per = cell;
              nb = (guint) MIN ((gsize) nb, n / per);
              count = per * nb;
              start = per * (gsize) g_rand_int_range (rand, 0, (gint32) ((n - count) / per + 1));
            }
          else
            {
              count = (gsize) g_rand_int_range (rand, nb, (gint32) n);
              start = (gsize) g_rand_int_range (rand, 0, (gint32) (n - count + 1));
            }
          g_assert_true (as_paged_envelope (p, start, count, nb, lo, hi, &error));
          for (gsize c = 0; c < nc; c++)
            for (guint b = 0; b < nb; b++)
              {
                gsize a = start + (gsize) ((double) b * count / nb);
                gsize e = start + (gsize) ((double) (b + 1) * count / nb);
                float x = INFINITY, y = -INFINITY, xw = INFINITY, yw = -INFINITY;
                gsize big = (gsize) 1 << 20;
                /* the widest cell the pyramid may have used for this bucket */
                gsize w = pass == 0 ? 0 : MIN (big, MAX ((gsize) 1, count / nb));
                for (gsize t = a; t < e; t++)
                  {
                    x = MIN (x, all[c * n + t]);
                    y = MAX (y, all[c * n + t]);
                  }
                for (gsize t = a > w ? a - w : 0; t < MIN (n, e + w); t++)
                  {
                    xw = MIN (xw, all[c * n + t]);
                    yw = MAX (yw, all[c * n + t]);
                  }
                if (pass == 0 || aligned)
                  {
                    g_assert_cmpfloat (lo[c * nb + b], ==, x);
                    g_assert_cmpfloat (hi[c * nb + b], ==, y);
                  }
                else
                  {
                    g_assert_cmpfloat (lo[c * nb + b], <=, x);
                    g_assert_cmpfloat (hi[c * nb + b], >=, y);
                    g_assert_cmpfloat (lo[c * nb + b], >=, xw);
                    g_assert_cmpfloat (hi[c * nb + b], <=, yw);
                  }
              }
        }
    }
  g_rand_free (rand);
  g_clear_pointer (&rec, as_recording_unref);
  g_unlink (path);
}

/* A display page of the paged file (a bipolar montage, filters) equals the
 * same page of the whole file; a long page is the pyramid's envelope. */
static void
test_display (void)
{
  g_autofree char *path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) whole = as_recording_load (path, &error);
  g_autoptr (AsRecording) paged = as_recording_open_paged (path, FALSE, &error);
  g_autoptr (AsDerivationSet) dw = as_derivation_set_new (whole, AS_DERIVATION_BIPOLAR_LONGITUDINAL, &error);
  g_autoptr (AsDerivationSet) dp = as_derivation_set_new (paged, AS_DERIVATION_BIPOLAR_LONGITUDINAL, &error);
  g_autoptr (AsRecording) a = NULL, b = NULL, env = NULL;
  AsDisplayFilters f;
  double oa, ob, oe;

  g_assert_no_error (error);
  as_display_filters_default (&f, AS_RECORDING_EEG);
  f.filter.notch = 60;
  a = as_display_page (whole, dw, &f, 37.3, 10, &oa, &error);
  b = as_display_page_for_width (paged, dp, &f, 37.3, 10, 1500, &ob, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (oa, ==, ob);
  g_assert_cmpuint (a->n_channels, ==, b->n_channels);
  g_assert_cmpuint (a->n_samples, ==, b->n_samples);
  g_assert_cmpuint (a->events->len, ==, b->events->len);
  for (gsize i = 0; i < (gsize) a->n_channels * a->n_samples; i++)
    g_assert_cmpfloat_with_epsilon (a->data[i], b->data[i], 1e-3);

  /* 100 s in 40 pixels: 400 samples a pixel, drawn from the envelope of the
   * recorded samples (as recorded, no filter: exactly their extremes). */
  env = as_display_page_for_width (paged, NULL, NULL, 10, 100, 40, &oe, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (env->n_samples, ==, 160);
  g_assert_cmpfloat_with_epsilon (env->sfreq, 160 / 100.0, 1e-12);
  for (guint c = 0; c < env->n_channels; c += 7)
    for (guint k = 0; k < 80; k++)
      {
        double x = INFINITY, y = -INFINITY;
        gsize s0 = 1600 + k * 200;
        for (gsize t = s0; t < s0 + 200; t++)
          {
            x = MIN (x, whole->data[(gsize) c * whole->n_samples + t]);
            y = MAX (y, whole->data[(gsize) c * whole->n_samples + t]);
          }
        g_assert_cmpfloat_with_epsilon (env->data[(gsize) c * 160 + 2 * k], x, 1e-3);
        g_assert_cmpfloat_with_epsilon (env->data[(gsize) c * 160 + 2 * k + 1], y, 1e-3);
      }
}

/* Filtering channels four at a time gives the results of one at a time,
 * also beside a channel with a gap. */
static void
test_filter_many (void)
{
  AsFilterSpec spec = { .highpass = 0.5, .lowpass = 70, .notch = 50, .notch_harmonics = TRUE };
  g_autoptr (GError) error = NULL;
  g_autoptr (AsFilterChain) chain = as_filter_chain_new (&spec, 256, &error);
  const guint nc = 7;
  const gsize n = 3000;
  g_autofree double *a = g_new (double, nc * n), *b = g_new (double, nc * n);
  double *rows[7];
  GRand *rand = g_rand_new_with_seed (5);

  g_assert_no_error (error);
  for (gsize i = 0; i < nc * n; i++)
    a[i] = b[i] = g_rand_double_range (rand, -50, 50) + 20 * sin (i * 0.3);
  a[2 * n + 1234] = b[2 * n + 1234] = NAN;
  for (guint c = 0; c < nc; c++)
    {
      as_filter_chain_apply (chain, a + c * n, n);
      rows[c] = b + c * n;
    }
  as_filter_chain_apply_many (chain, rows, nc, n);
  for (gsize i = 0; i < nc * n; i++)
    if (!(isnan (a[i]) && isnan (b[i])))
      g_assert_cmpfloat (a[i], ==, b[i]);
  g_rand_free (rand);
}

/* The budget decides: a small one opens the file page by page; learning
 * reads a time range that fits, and refuses one that does not. */
static void
test_budget (void)
{
  g_autofree char *path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) whole = NULL, paged = NULL, range = NULL, refused = NULL;

  g_setenv ("ATOMSCOPE_MEMORY_BUDGET", "1000", TRUE);
  whole = as_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_null (whole->paged);
  g_assert_nonnull (whole->data);
  /* 64 × 20000 doubles are 9.8 MiB */
  g_setenv ("ATOMSCOPE_MEMORY_BUDGET", "4", TRUE);
  paged = as_recording_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (paged->paged);
  range = as_paged_crop (paged, 20, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (range->n_samples, ==, 30 * 160);
  for (guint c = 0; c < 64; c += 9)
    for (gsize t = 0; t < range->n_samples; t += 13)
      assert_close (range->data[(gsize) c * range->n_samples + t],
                    whole->data[(gsize) c * whole->n_samples + 20 * 160 + t], 16000.0 / 65535);
  refused = as_paged_crop (paged, 0, 0, &error);
  g_assert_null (refused);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "time range"));
  g_unsetenv ("ATOMSCOPE_MEMORY_BUDGET");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  tmpdir = g_dir_make_tmp ("atomscope-paged-XXXXXX", &error);
  g_assert_no_error (error);
  g_test_add_func ("/paged/edf-real", test_edf_real);
  g_test_add_func ("/paged/truncated", test_truncated);
  g_test_add_func ("/paged/bdf", test_bdf);
  g_test_add_func ("/paged/pyramid", test_pyramid);
  g_test_add_func ("/paged/display", test_display);
  g_test_add_func ("/paged/budget", test_budget);
  g_test_add_func ("/paged/filter-many", test_filter_many);
  rc = g_test_run ();
  g_rmdir (tmpdir);
  g_free (tmpdir);
  return rc;
}
