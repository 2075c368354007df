/* test-display.c: clinical montages (derivations) and the browser's display
 * filters, on the real 64-channel EEG and on synthetic recordings.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "as-derivation.h"
#include "as-display.h"
#include "as-engine.h"
#include "as-filter.h"
#include "as-reader.h"
#include "as-rng.h"

static AsRecording *
load_eeg64 (void)
{
  g_autofree char *p = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (GError) error = NULL;
  AsRecording *rec = as_recording_load (p, &error);

  g_assert_no_error (error);
  return rec;
}

static int
channel_of (const AsRecording *rec, const char *label)
{
  for (guint c = 0; c < rec->n_channels; c++)
    if (g_strcmp0 (rec->channels[c].label, label) == 0)
      return c;
  return -1;
}

/* Fp1−F7 of the double banana is the difference of the two raw channels. */
static void
test_bipolar_eeg64 (void)
{
  g_autoptr (AsRecording) rec = load_eeg64 ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDerivationSet) set = as_derivation_set_new (rec, AS_DERIVATION_BIPOLAR_LONGITUDINAL, &error);
  g_autoptr (AsRecording) out = NULL;
  int fp1 = channel_of (rec, "Fp1."), f7 = channel_of (rec, "F7.."), d;

  g_assert_no_error (error);
  g_assert_cmpint (fp1, >=, 0);
  g_assert_cmpint (f7, >=, 0);
  /* The 18 ACNS derivations all exist on a 64-channel 10-10 cap. */
  g_assert_cmpuint (set->n_derivations, ==, 18);
  g_assert_cmpuint (set->missing->len, ==, 0);
  out = as_derivation_set_apply (set, rec, 1000, 4000);
  d = channel_of (out, "Fp1-F7");
  g_assert_cmpint (d, ==, 0);
  g_assert_cmpuint (out->n_samples, ==, 4000);
  for (gsize t = 0; t < out->n_samples; t++)
    g_assert_cmpfloat (as_recording_channel (out, d)[t], ==,
                       as_recording_channel (rec, fp1)[1000 + t] - as_recording_channel (rec, f7)[1000 + t]);
  /* The transverse chain: Fp1-Fp2 first. */
  {
    g_autoptr (AsDerivationSet) tr = as_derivation_set_new (rec, AS_DERIVATION_BIPOLAR_TRANSVERSE, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (tr->derivations[0].label, ==, "Fp1-Fp2");
    g_assert_cmpuint (tr->n_derivations, ==, 14);
  }
  /* Events inside the span keep their place relative to it. */
  g_assert_cmpuint (out->events->len, >, 0);
  for (guint e = 0; e < out->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (out->events, AsEvent, e);
      g_assert_cmpfloat (ev->onset + ev->duration, >=, 0);
      g_assert_cmpfloat (ev->onset, <, 4000 / rec->sfreq);
    }
}

static void
test_average_eeg64 (void)
{
  g_autoptr (AsRecording) rec = load_eeg64 ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDerivationSet) set = as_derivation_set_new (rec, AS_DERIVATION_AVERAGE, &error);
  g_autoptr (AsRecording) out = NULL;
  double scale = 0;

  g_assert_no_error (error);
  g_assert_cmpuint (set->n_derivations, ==, 64);
  g_assert_cmpstr (set->derivations[0].label, ==, "Fc5-avg");
  out = as_derivation_set_apply (set, rec, 0, 2000);
  for (gsize t = 0; t < out->n_samples; t++)
    {
      double sum = 0;
      for (guint c = 0; c < 64; c++)
        {
          sum += as_recording_channel (out, c)[t];
          scale = MAX (scale, fabs (as_recording_channel (rec, c)[t]));
        }
      g_assert_cmpfloat (fabs (sum), <, 1e-9 * scale * 64);
    }
  /* No ear or mastoid electrode on this cap: linked ears is refused, by name. */
  {
    g_autoptr (AsDerivationSet) ears = as_derivation_set_new (rec, AS_DERIVATION_LINKED_EARS, &error);
    g_assert_null (ears);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "A1/A2"));
  }
}

/* A small recording with old 10-20 names and ear electrodes. */
static AsRecording *
old_names_recording (void)
{
  static const char *const labels[] = { "Fp1", "F7", "T3", "T5", "O1", "C3", "A1", "A2", "ECG" };
  AsRecording *rec = as_recording_new (G_N_ELEMENTS (labels), 100, 100);
  AsRng rng[1];

  as_rng_init (rng, 7);

  for (guint c = 0; c < G_N_ELEMENTS (labels); c++)
    {
      double *x = as_recording_channel (rec, c);
      as_recording_set_channel (rec, c, labels[c], "uV", c == 8 ? AS_CHANNEL_ECG : AS_CHANNEL_EEG);
      for (gsize t = 0; t < rec->n_samples; t++)
        x[t] = 100 * c + as_rng_normal (rng);
    }
  return rec;
}

static void
test_old_names_and_ears (void)
{
  g_autoptr (AsRecording) rec = old_names_recording ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDerivationSet) banana = as_derivation_set_new (rec, AS_DERIVATION_BIPOLAR_LONGITUDINAL, &error);
  g_autoptr (AsDerivationSet) ears = NULL;
  g_autoptr (AsRecording) out = NULL;
  int c3, ecg;

  g_assert_no_error (error);
  /* Fp1-F7, F7-T7 (T3), T7-P7 (T3-T5), P7-O1 (T5-O1), then C3 has no partner chain. */
  g_assert_cmpuint (banana->n_derivations, >=, 4);
  g_assert_cmpstr (banana->derivations[1].label, ==, "F7-T7");
  g_assert_cmpstr (banana->derivations[2].label, ==, "T7-P7");
  g_assert_cmpuint (banana->missing->len, >, 0);
  /* The ECG is kept after the derivations, as recorded. */
  g_assert_cmpstr (banana->derivations[banana->n_derivations - 1].label, ==, "ECG");

  ears = as_derivation_set_new (rec, AS_DERIVATION_LINKED_EARS, &error);
  g_assert_no_error (error);
  out = as_derivation_set_apply (ears, rec, 0, rec->n_samples);
  c3 = channel_of (out, "C3-A1A2");
  ecg = channel_of (out, "ECG");
  g_assert_cmpint (c3, >=, 0);
  g_assert_cmpint (ecg, >=, 0);
  for (gsize t = 0; t < rec->n_samples; t++)
    {
      double want = as_recording_channel (rec, 5)[t]
                    - 0.5 * (as_recording_channel (rec, 6)[t] + as_recording_channel (rec, 7)[t]);
      g_assert_cmpfloat (fabs (as_recording_channel (out, c3)[t] - want), <, 1e-12);
      g_assert_cmpfloat (as_recording_channel (out, ecg)[t], ==, as_recording_channel (rec, 8)[t]);
    }
}

static void
test_user_file (void)
{
  g_autoptr (AsRecording) rec = old_names_recording ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDerivationSet) set = NULL;
  g_autoptr (AsRecording) out = NULL;
  g_autofree char *dir = g_dir_make_tmp ("atomscope-montage-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "my montage.txt", NULL);
  const char *text = "# a teaching montage\nFp1-F7\nT7-P7   # new names for T3, T5\n"
                     "C3-avg\nO1-(A1+A2)/2\nECG\n";

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  set = as_derivation_set_load (rec, path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (set->n_derivations, ==, 5);
  g_assert_cmpstr (set->name, ==, "my montage.txt");
  out = as_derivation_set_apply (set, rec, 0, rec->n_samples);
  for (gsize t = 0; t < rec->n_samples; t++)
    {
      double mean = 0, want;
      for (guint c = 0; c < 8; c++)
        mean += as_recording_channel (rec, c)[t] / 8;
      g_assert_cmpfloat (fabs (as_recording_channel (out, 1)[t]
                               - (as_recording_channel (rec, 2)[t] - as_recording_channel (rec, 3)[t])), <, 1e-12);
      g_assert_cmpfloat (fabs (as_recording_channel (out, 2)[t] - (as_recording_channel (rec, 5)[t] - mean)), <, 1e-9);
      want = as_recording_channel (rec, 4)[t]
             - (as_recording_channel (rec, 6)[t] + as_recording_channel (rec, 7)[t]) / 2;
      g_assert_cmpfloat (fabs (as_recording_channel (out, 3)[t] - want), <, 1e-12);
    }

  /* A bad line names the file, the line and the text. */
  g_clear_pointer (&set, as_derivation_set_unref);
  g_assert_true (g_file_set_contents (path, "Fp1-F7\n\nFp1-Xx9\n", -1, NULL));
  set = as_derivation_set_load (rec, path, &error);
  g_assert_null (set);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_nonnull (strstr (error->message, "my montage.txt:3"));
  g_assert_nonnull (strstr (error->message, "Fp1-Xx9"));
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "# nothing\n", -1, NULL));
  g_assert_null (as_derivation_set_load (rec, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "Fp1-(A1+A2)/0\n", -1, NULL));
  g_assert_null (as_derivation_set_load (rec, path, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_unlink (path);
  g_rmdir (dir);
}

/* Power of x at frequency f (least-squares fit of a sine and a cosine). */
static double
power_at (const double *x, gsize n, double f, double fs)
{
  double c = 0, s = 0;

  for (gsize t = 0; t < n; t++)
    {
      c += x[t] * cos (2 * G_PI * f * t / fs);
      s += x[t] * sin (2 * G_PI * f * t / fs);
    }
  return (c * c + s * s) / ((double) n * n);
}

static AsRecording *
synthetic_eeg (double fs, double seconds, double offset_uv)
{
  AsRecording *rec = as_recording_new (4, (gsize) (fs * seconds), fs);
  AsRng rng[1];

  as_rng_init (rng, 3);

  rec->kind = AS_RECORDING_EEG;
  for (guint c = 0; c < rec->n_channels; c++)
    {
      double *x = as_recording_channel (rec, c);
      const char *labels[] = { "Fp1", "Fp2", "C3", "C4" };
      as_recording_set_channel (rec, c, labels[c], "uV", AS_CHANNEL_EEG);
      for (gsize t = 0; t < rec->n_samples; t++)
        x[t] = (c % 2 ? -offset_uv : offset_uv) + 20 * sin (2 * G_PI * 10 * t / fs)
               + 40 * sin (2 * G_PI * 50 * t / fs + c) + 2 * as_rng_normal (rng);
    }
  return rec;
}

/* A 50 Hz notch lowers the 50 Hz power on the page by more than 30 dB and
 * leaves 10 Hz alone. */
static void
test_notch_page (void)
{
  g_autoptr (AsRecording) rec = synthetic_eeg (256, 60, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) raw = NULL, page = NULL;
  AsDisplayFilters f;
  double start;

  as_display_filters_init (&f);
  raw = as_display_page (rec, NULL, &f, 20, 10, &start, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (start, ==, 20);
  f.filter.notch = 50;
  f.filter.notch_harmonics = TRUE;
  page = as_display_page (rec, NULL, &f, 20, 10, &start, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->n_samples, ==, 2560);
  for (guint c = 0; c < page->n_channels; c++)
    {
      const double *x = as_recording_channel (raw, c), *y = as_recording_channel (page, c);
      double before = power_at (x, raw->n_samples, 50, 256), after = power_at (y, page->n_samples, 50, 256);
      double alpha_before = power_at (x, raw->n_samples, 10, 256), alpha_after = power_at (y, page->n_samples, 10, 256);
      g_assert_cmpfloat (10 * log10 (before / after), >, 30);
      g_assert_cmpfloat (fabs (10 * log10 (alpha_after / alpha_before)), <, 0.1);
    }
}

/* ±8000 µV offsets: with the EEG display default the traces are centred, the
 * page edges show no transient, and two overlapping pages agree. */
static void
test_offsets_and_edges (void)
{
  g_autoptr (AsRecording) rec = synthetic_eeg (256, 120, 8000);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) a = NULL, b = NULL, first = NULL;
  AsDisplayFilters f;
  double sa, sb;

  as_display_filters_default (&f, AS_RECORDING_EEG);
  g_assert_cmpfloat (f.filter.highpass, >, 0);
  a = as_display_page (rec, NULL, &f, 40, 10, &sa, &error);
  g_assert_no_error (error);
  b = as_display_page (rec, NULL, &f, 45, 10, &sb, &error);
  g_assert_no_error (error);
  first = as_display_page (rec, NULL, &f, 0, 10, NULL, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < a->n_channels; c++)
    {
      const double *x = as_recording_channel (a, c);
      double mean = 0, peak = 0;
      for (gsize t = 0; t < a->n_samples; t++)
        {
          mean += x[t] / a->n_samples;
          peak = MAX (peak, fabs (x[t]));
        }
      /* Centred (10 Hz of 20 µV and 50 Hz of 40 µV, low-passed at 70 Hz). */
      g_assert_cmpfloat (fabs (mean), <, 2);
      g_assert_cmpfloat (peak, <, 80);
      /* The same samples on two pages: [45, 50) s. */
      for (gsize t = 0; t < (gsize) (5 * 256); t++)
        g_assert_cmpfloat (fabs (x[(gsize) (5 * 256) + t] - as_recording_channel (b, c)[t]), <, 0.05);
      /* The recording's first page: its own edge, not a filter start-up. */
      for (gsize t = 0; t < first->n_samples; t++)
        g_assert_cmpfloat (fabs (as_recording_channel (first, c)[t]), <, 100);
    }
}

/* A gap (NaN) stays a gap and leaks nothing into its neighbours. */
static void
test_gap (void)
{
  g_autoptr (AsRecording) rec = synthetic_eeg (256, 30, 500);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) page = NULL;
  AsDisplayFilters f;

  for (gsize t = 10 * 256; t < 12 * 256; t++)
    as_recording_channel (rec, 0)[t] = NAN;
  as_display_filters_default (&f, AS_RECORDING_EEG);
  page = as_display_page (rec, NULL, &f, 5, 10, NULL, &error);
  g_assert_no_error (error);
  for (gsize t = 0; t < page->n_samples; t++)
    {
      double v = as_recording_channel (page, 0)[t];
      gboolean in_gap = t >= 5 * 256 && t < 7 * 256;
      g_assert_true (in_gap ? isnan (v) : isfinite (v) && fabs (v) < 100);
    }
}

/* A page filtered from the span around it is the page of the whole recording
 * filtered at once: drifting channels (a random walk of several hundred µV under
 * 8000 µV offsets), pages in the middle and at both ends, the EEG display default. */
static void
test_page_as_whole (void)
{
  g_autoptr (AsRecording) rec = synthetic_eeg (256, 180, 8000);
  g_autoptr (AsFilterChain) chain = NULL;
  g_autoptr (GError) error = NULL;
  AsDisplayFilters f;
  AsFilterSpec spec;
  AsRng rng[1];
  const double starts[] = { 0, 37.3, 90, 170 };
  double worst = 0;

  as_rng_init (rng, 11);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      double *x = as_recording_channel (rec, c), walk = 0;
      for (gsize t = 0; t < rec->n_samples; t++)
        {
          walk += 3 * as_rng_normal (rng);
          x[t] += walk;
        }
    }
  as_display_filters_default (&f, AS_RECORDING_EEG);
  spec = f.filter;   /* 70 Hz and the notches at 50 and 100 Hz: all below 128 Hz */
  chain = as_filter_chain_new (&spec, rec->sfreq, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (as_filter_chain_settle (chain), <, as_recording_duration (rec) * rec->sfreq / 4);
  for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
    {
      g_autoptr (AsRecording) page = as_display_page (rec, NULL, &f, starts[i], 10, NULL, &error);
      gsize s0 = (gsize) floor (starts[i] * rec->sfreq);

      g_assert_no_error (error);
      for (guint c = 0; c < rec->n_channels; c++)
        {
          g_autofree double *whole = g_memdup2 (as_recording_channel (rec, c), rec->n_samples * sizeof (double));
          const double *y = as_recording_channel (page, c);

          as_filter_chain_apply (chain, whole, rec->n_samples);
          for (gsize t = 0; t < page->n_samples; t++)
            worst = MAX (worst, fabs (y[t] - whole[s0 + t]));
        }
    }
  g_test_message ("margin %.2f s; largest difference from the whole recording filtered: %.2g µV",
                  as_filter_chain_settle (chain) / rec->sfreq, worst);
  /* Traces of 20–40 µV drawn at 7 µV/mm: a hundredth of a µV is nothing on screen. */
  g_assert_cmpfloat (worst, <, 0.01);
}

/* Reordering: the labels listed come first in the list's order, the others keep theirs,
 * each derivation with its terms; the page drawn follows the same order. */
static void
test_ordered (void)
{
  g_autoptr (AsRecording) rec = synthetic_eeg (256, 20, 0);
  g_autoptr (AsDerivationSet) avg = NULL, moved = NULL, same = NULL;
  g_autoptr (AsRecording) page = NULL, base = NULL;
  g_autoptr (GError) error = NULL;
  const char *const order[] = { "C4-avg", "Fp1-avg", "nowhere", NULL };
  const char *const want[] = { "C4-avg", "Fp1-avg", "Fp2-avg", "C3-avg" };

  avg = as_derivation_set_new (rec, AS_DERIVATION_AVERAGE, NULL);
  g_assert_nonnull (avg);
  moved = as_derivation_set_ordered (avg, order);
  g_assert_cmpuint (moved->n_derivations, ==, 4);
  g_assert_cmpint (moved->kind, ==, avg->kind);
  for (guint i = 0; i < 4; i++)
    {
      const AsDerivation *d = &moved->derivations[i], *from = NULL;

      g_assert_cmpstr (d->label, ==, want[i]);
      for (guint j = 0; j < avg->n_derivations; j++)
        if (g_str_equal (avg->derivations[j].label, d->label))
          from = &avg->derivations[j];
      g_assert_nonnull (from);
      g_assert_cmpuint (d->n_terms, ==, from->n_terms);
      for (guint t = 0; t < d->n_terms; t++)
        {
          g_assert_cmpuint (d->channel[t], ==, from->channel[t]);
          g_assert_cmpfloat (d->weight[t], ==, from->weight[t]);
        }
    }
  same = as_derivation_set_ordered (avg, NULL);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (same->derivations[i].label, ==, avg->derivations[i].label);

  base = as_display_page (rec, avg, NULL, 3, 5, NULL, &error);
  g_assert_no_error (error);
  page = as_display_page (rec, moved, NULL, 3, 5, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 4; i++)
    {
      guint j = 0;
      while (!g_str_equal (base->channels[j].label, want[i]))
        j++;
      g_assert_cmpstr (page->channels[i].label, ==, want[i]);
      g_assert_cmpmem (as_recording_channel (page, i), page->n_samples * sizeof (double),
                       as_recording_channel (base, j), base->n_samples * sizeof (double));
    }
}

/* Hiding channels: the other derivations are kept, term for term. */
static void
test_without (void)
{
  g_autoptr (AsRecording) rec = as_recording_new (4, 10, 100);
  g_autoptr (AsDerivationSet) avg = NULL, less = NULL;
  const char *const hidden[] = { "C3-avg", "ECG", NULL };
  static const char *const labels[] = { "C3", "C4", "Cz", "ECG" };

  for (guint c = 0; c < 4; c++)
    as_recording_set_channel (rec, c, labels[c], "uV", c == 3 ? AS_CHANNEL_ECG : AS_CHANNEL_EEG);
  avg = as_derivation_set_new (rec, AS_DERIVATION_AVERAGE, NULL);
  g_assert_nonnull (avg);
  g_assert_cmpuint (avg->n_derivations, ==, 4);
  less = as_derivation_set_without (avg, hidden);
  g_assert_cmpuint (less->n_derivations, ==, 2);
  g_assert_cmpint (less->kind, ==, AS_DERIVATION_AVERAGE);
  for (guint i = 0; i < 2; i++)
    {
      const AsDerivation *a = &avg->derivations[i + 1], *b = &less->derivations[i];
      g_assert_cmpstr (a->label, ==, b->label);
      g_assert_cmpuint (a->n_terms, ==, b->n_terms);
      for (guint t = 0; t < a->n_terms; t++)
        {
          g_assert_cmpuint (a->channel[t], ==, b->channel[t]);
          g_assert_cmpfloat (a->weight[t], ==, b->weight[t]);
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/display/without", test_without);
  g_test_add_func ("/display/ordered", test_ordered);
  g_test_add_func ("/display/bipolar-eeg64", test_bipolar_eeg64);
  g_test_add_func ("/display/average-eeg64", test_average_eeg64);
  g_test_add_func ("/display/old-names-and-ears", test_old_names_and_ears);
  g_test_add_func ("/display/user-file", test_user_file);
  g_test_add_func ("/display/notch", test_notch_page);
  g_test_add_func ("/display/offsets-and-edges", test_offsets_and_edges);
  g_test_add_func ("/display/gap", test_gap);
  g_test_add_func ("/display/page-as-whole", test_page_as_whole);
  return g_test_run ();
}
