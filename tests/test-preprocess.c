/* test-preprocess.c: filter design and response, detrend, resampling,
 * re-referencing, scaling and the preprocessing chain.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <complex.h>
#include <math.h>
#include <string.h>

#include "as-engine.h"
#include "as-filter.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "as-rng.h"

/* |H|² of an analog-prototype Butterworth after the bilinear transform. */
static double
butter_gain2 (gboolean high, guint order, double f, double fc, double fs)
{
  double r = tan (G_PI * f / fs) / tan (G_PI * fc / fs);

  if (high)
    r = 1 / r;
  return 1 / (1 + pow (r, 2.0 * order));
}

static void
test_design_matches_formula (void)
{
  const double fs = 500;

  for (guint order = 1; order <= 8; order++)
    for (int high = 0; high <= 1; high++)
      for (double fc = 5; fc < 240; fc *= 3)
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (AsSos) sos = as_butterworth_design (high ? AS_FILTER_HIGHPASS : AS_FILTER_LOWPASS,
                                                         order, fc, 0, fs, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (sos->n_sections, ==, (order + 1) / 2);
          for (double f = 0.5; f < fs / 2; f += 3.7)
            {
              double g2 = cabs (as_sos_response (sos, f, fs));
              g2 *= g2;
              g_assert_cmpfloat_with_epsilon (g2, butter_gain2 (high, order, f, fc, fs), 1e-9);
            }
          /* −3 dB at the cut-off */
          g_assert_cmpfloat_with_epsilon (cabs (as_sos_response (sos, fc, fs)), M_SQRT1_2, 1e-9);
          /* stable: every pole inside the unit circle (|a2| < 1, |a1| < 1 + a2) */
          for (guint s = 0; s < sos->n_sections; s++)
            {
              const AsBiquad *q = &sos->sections[s];
              g_assert_cmpfloat (fabs (q->a[2]), <, 1);
              g_assert_cmpfloat (fabs (q->a[1]), <, 1 + q->a[2]);
            }
        }
}

/* Amplitude and phase of x at frequency f over [a, b) by projection. */
static void
measure (const double *x, gsize a, gsize b, double f, double fs, double *amp, double *phase)
{
  double s = 0, c = 0;

  for (gsize t = a; t < b; t++)
    {
      s += x[t] * sin (2 * G_PI * f * t / fs);
      c += x[t] * cos (2 * G_PI * f * t / fs);
    }
  s *= 2.0 / (b - a);
  c *= 2.0 / (b - a);
  *amp = hypot (s, c);
  *phase = atan2 (c, s);
}

/* Filters a unit sine with filtfilt; returns the gain and phase shift
 * measured over the middle half (whole periods). */
static void
sine_through (const AsSos *sos, double f, double fs, gsize n, gsize pad, double *gain, double *shift)
{
  g_autofree double *x = g_new (double, n);
  double a0, p0, a1, p1;
  gsize a = n / 4, b;

  for (gsize t = 0; t < n; t++)
    x[t] = sin (2 * G_PI * f * t / fs + 0.3);
  b = a + (gsize) (floor ((n / 2) * f / fs) * fs / f);
  measure (x, a, b, f, fs, &a0, &p0);
  as_sos_filtfilt (sos, x, n, pad);
  measure (x, a, b, f, fs, &a1, &p1);
  *gain = a1 / a0;
  *shift = remainder (p1 - p0, 2 * G_PI);
}

static void
test_sines (void)
{
  const double fs = 500;
  const gsize n = 20000;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsSos) lp = as_butterworth_design (AS_FILTER_LOWPASS, 4, 40, 0, fs, &error);
  g_autoptr (AsSos) hp = as_butterworth_design (AS_FILTER_HIGHPASS, 4, 1, 0, fs, &error);
  g_autoptr (AsSos) bp = as_butterworth_design (AS_FILTER_BANDPASS, 4, 5, 30, fs, &error);
  g_autoptr (AsSos) notch = as_notch_design (50, 30, fs, &error);
  double g, ph;

  g_assert_no_error (error);
  /* low-pass: passband gain 1, zero phase; stopband at 3 fc below −60 dB */
  sine_through (lp, 5, fs, n, 500, &g, &ph);
  g_assert_cmpfloat_with_epsilon (g, 1.0, 1e-3);
  g_assert_cmpfloat (fabs (ph), <, 1e-3);
  sine_through (lp, 120, fs, n, 500, &g, &ph);
  g_assert_cmpfloat (g, <, 1e-3);
  /* filtfilt has |H|²: at the cut-off 1/2 */
  sine_through (lp, 40, fs, n, 500, &g, &ph);
  g_assert_cmpfloat_with_epsilon (g, 0.5, 5e-3);
  g_assert_cmpfloat (fabs (ph), <, 1e-3);
  /* high-pass */
  sine_through (hp, 10, fs, n, 2000, &g, &ph);
  g_assert_cmpfloat_with_epsilon (g, 1.0, 1e-3);
  g_assert_cmpfloat (fabs (ph), <, 1e-3);
  sine_through (hp, 0.25, fs, n, 2000, &g, &ph);
  g_assert_cmpfloat (g, <, 1e-4);
  /* band-pass */
  sine_through (bp, 12, fs, n, 2000, &g, &ph);
  g_assert_cmpfloat_with_epsilon (g, 1.0, 5e-3);
  g_assert_cmpfloat (fabs (ph), <, 1e-3);
  sine_through (bp, 1, fs, n, 2000, &g, &ph);
  g_assert_cmpfloat (g, <, 1e-4);
  sine_through (bp, 100, fs, n, 2000, &g, &ph);
  g_assert_cmpfloat (g, <, 1e-4);
  /* notch: 50 Hz gone (< −40 dB), 40 and 60 Hz kept */
  sine_through (notch, 50, fs, n, 1000, &g, &ph);
  g_assert_cmpfloat (g, <, 1e-2);
  sine_through (notch, 40, fs, n, 1000, &g, &ph);
  g_assert_cmpfloat (g, >, 0.98);
  g_assert_cmpfloat (fabs (ph), <, 1e-3);
  sine_through (notch, 60, fs, n, 1000, &g, &ph);
  g_assert_cmpfloat (g, >, 0.98);
  /* bad designs are errors */
  {
    AsSos *bad = as_butterworth_design (AS_FILTER_LOWPASS, 4, 300, 0, fs, &error);
    g_assert_null (bad);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
    g_clear_error (&error);
    bad = as_butterworth_design (AS_FILTER_BANDPASS, 4, 30, 5, fs, &error);
    g_assert_null (bad);
    g_clear_error (&error);
  }
}

static void
test_detrend (void)
{
  double x[100], y[100];

  for (int t = 0; t < 100; t++)
    {
      y[t] = sin (2 * G_PI * 5 * t / 100.0);  /* whole periods: mean 0, no trend */
      x[t] = y[t] + 3.0 - 0.25 * t;
    }
  as_detrend (x, 100, AS_DETREND_LINEAR);
  /* the sine's own least-squares slope is removed too: compare to it */
  {
    double z[100];
    memcpy (z, y, sizeof z);
    as_detrend (z, 100, AS_DETREND_LINEAR);
    for (int t = 0; t < 100; t++)
      g_assert_cmpfloat_with_epsilon (x[t], z[t], 1e-12);
  }
  for (int t = 0; t < 100; t++)
    x[t] = 7.0 + y[t];
  as_detrend (x, 100, AS_DETREND_CONSTANT);
  for (int t = 0; t < 100; t++)
    g_assert_cmpfloat_with_epsilon (x[t], y[t], 1e-12);
}

static void
test_resample (void)
{
  const double fs = 500;
  const gsize n = 5000;
  g_autofree double *x = g_new (double, 2 * n);
  g_autoptr (GError) error = NULL;
  gsize m;

  for (gsize t = 0; t < n; t++)
    {
      x[t] = sin (2 * G_PI * 10 * t / fs);
      x[n + t] = sin (2 * G_PI * 10 * t / fs) + sin (2 * G_PI * 200 * t / fs);  /* 200 Hz must go */
    }
  {
    g_autofree double *y = as_resample (x, 2, n, fs, 250, &m, &error);  /* integer: decimation */
    g_assert_no_error (error);
    g_assert_cmpuint (m, ==, 2500);
    for (gsize k = m / 4; k < 3 * m / 4; k++)
      {
        double want = sin (2 * G_PI * 10 * k / 250.0);
        g_assert_cmpfloat_with_epsilon (y[k], want, 1e-3);
        g_assert_cmpfloat_with_epsilon (y[m + k], want, 1e-3);
      }
  }
  {
    g_autofree double *y = as_resample (x, 2, n, fs, 200, &m, &error);  /* ratio 2.5 */
    g_assert_no_error (error);
    g_assert_cmpuint (m, ==, 2000);
    for (gsize k = m / 4; k < 3 * m / 4; k++)
      {
        double want = sin (2 * G_PI * 10 * k / 200.0);
        g_assert_cmpfloat_with_epsilon (y[k], want, 2e-3);
        g_assert_cmpfloat_with_epsilon (y[m + k], want, 2e-3);
      }
  }
}

static AsRecording *
make_recording (void)
{
  AsRecording *rec = as_recording_new (3, 1000, 100);
  AsRng rng;

  as_rng_init (&rng, 3);
  for (gsize i = 0; i < 3000; i++)
    rec->data[i] = 10 * as_rng_normal (&rng) + 5 * (i / 1000);
  as_recording_set_channel (rec, 0, "Fz", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 1, "Cz", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 2, "ECG", "mV", AS_CHANNEL_ECG);
  as_recording_add_event (rec, 1.0, 0.5, "a");
  as_recording_add_event (rec, 5.0, 0.5, "b");
  return rec;
}

static void
test_chain (void)
{
  g_autoptr (AsRecording) rec = make_recording ();
  g_autoptr (GError) error = NULL;
  AsPreprocessOptions o;

  /* selection by type, crop, events follow */
  {
    g_autoptr (AsRecording) r = NULL;
    as_preprocess_options_init (&o);
    o.types = 1u << AS_CHANNEL_EEG;
    o.crop_start = 2.0;
    o.crop_stop = 8.0;
    r = as_preprocess (rec, &o, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r->n_channels, ==, 2);
    g_assert_cmpuint (r->n_samples, ==, 600);
    g_assert_cmpfloat (r->data[0], ==, rec->data[200]);
    g_assert_cmpuint (r->events->len, ==, 1);
    g_assert_cmpfloat_with_epsilon (g_array_index (r->events, AsEvent, 0).onset, 3.0, 1e-12);
  }
  /* average reference: EEG channels sum to zero, the ECG is untouched */
  {
    g_autoptr (AsRecording) r = NULL;
    as_preprocess_options_init (&o);
    o.reref = AS_REREF_AVERAGE;
    r = as_preprocess (rec, &o, NULL, &error);
    g_assert_no_error (error);
    for (gsize t = 0; t < 1000; t++)
      g_assert_cmpfloat_with_epsilon (r->data[t] + r->data[1000 + t], 0, 1e-12);
    g_assert_cmpmem (r->data + 2000, 1000 * sizeof (double), rec->data + 2000, 1000 * sizeof (double));
  }
  /* channel reference */
  {
    g_autoptr (AsRecording) r = NULL;
    as_preprocess_options_init (&o);
    o.reref = AS_REREF_CHANNEL;
    o.reref_channel = "Cz";
    r = as_preprocess (rec, &o, NULL, &error);
    g_assert_no_error (error);
    for (gsize t = 0; t < 1000; t++)
      {
        g_assert_cmpfloat (r->data[1000 + t], ==, 0);
        g_assert_cmpfloat_with_epsilon (r->data[t], rec->data[t] - rec->data[1000 + t], 1e-12);
      }
    o.reref_channel = "Pz";
    g_assert_null (as_preprocess (rec, &o, NULL, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
    g_clear_error (&error);
  }
  /* z-score and global std: remembered, and undone exactly */
  for (int mode = AS_SCALE_ZSCORE; mode <= AS_SCALE_GLOBAL_STD; mode++)
    {
      g_autoptr (AsRecording) r = NULL;
      g_autoptr (AsScaling) s = NULL;
      as_preprocess_options_init (&o);
      o.scale = mode;
      r = as_preprocess (rec, &o, &s, &error);
      g_assert_no_error (error);
      if (mode == AS_SCALE_ZSCORE)
        for (guint c = 0; c < 3; c++)
          {
            double m = 0, v = 0;
            for (gsize t = 0; t < 1000; t++)
              m += r->data[c * 1000 + t];
            m /= 1000;
            for (gsize t = 0; t < 1000; t++)
              v += pow (r->data[c * 1000 + t] - m, 2);
            g_assert_cmpfloat_with_epsilon (m, 0, 1e-12);
            g_assert_cmpfloat_with_epsilon (v / 1000, 1, 1e-12);
          }
      else
        {
          g_assert_cmpfloat (s->scale[0], ==, s->scale[2]);
          g_assert_cmpfloat (s->offset[1], ==, 0);
        }
      as_scaling_restore_signal (s, r->data, 3, 1000);
      for (gsize i = 0; i < 3000; i++)
        g_assert_cmpfloat_with_epsilon (r->data[i], rec->data[i], 1e-10);
    }
  /* a channel that does not exist */
  {
    const char *names[] = { "Fz", "Oz", NULL };
    as_preprocess_options_init (&o);
    o.channels = names;
    g_assert_null (as_preprocess (rec, &o, NULL, &error));
    g_assert_nonnull (strstr (error->message, "Oz"));
    g_clear_error (&error);
  }
}

/* The real EEG: band-pass 1–40 Hz, 60 Hz notch (US mains), down to 80 Hz,
 * average reference: fast, finite, events kept, options recorded. */
static void
test_real_eeg (void)
{
  g_autofree char *p = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);
  g_autoptr (AsRecording) r = NULL;
  g_autoptr (AsScaling) s = NULL;
  g_autoptr (JsonObject) j = NULL;
  AsPreprocessOptions o;

  g_assert_no_error (error);
  as_preprocess_options_init (&o);
  o.highpass = 1;
  o.lowpass = 40;
  o.notch = 60;
  o.resample = 80;
  o.reref = AS_REREF_AVERAGE;
  o.detrend = AS_DETREND_LINEAR;
  o.scale = AS_SCALE_GLOBAL_STD;
  r = as_preprocess (rec, &o, &s, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r->n_channels, ==, 64);
  g_assert_cmpfloat (r->sfreq, ==, 80);
  g_assert_cmpuint (r->n_samples, ==, 10000);
  g_assert_cmpuint (r->events->len, ==, 30);
  for (gsize i = 0; i < 64 * r->n_samples; i++)
    g_assert_true (isfinite (r->data[i]));
  j = as_preprocess_options_to_json (&o, s);
  g_assert_cmpfloat (json_object_get_double_member (j, "lowpass_hz"), ==, 40);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (j, "scaling_scale")), ==, 64);
}

/* Mirror index of i in [0, n): …, x1, x0, x1, … at both ends. */
static gssize
mirror (gssize i, gssize n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

/* An image's background: against the 2-D Gaussian blur written out pixel by pixel (the
 * mean removed first), and a linear ramp (which a symmetric blur leaves as it is) gone
 * wherever the blur does not reach a border. */
static void
test_image_background (void)
{
  const guint h = 13, w = 17, planes = 2;
  const double sigma = 1.7;
  const gssize radius = (gssize) ceil (3 * sigma);
  double x[2 * 13 * 17], y[2 * 13 * 17];
  AsPreprocessOptions opts;
  AsRng rng;

  as_rng_init (&rng, 3);
  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = y[i] = as_rng_uniform (&rng);
  as_preprocess_options_init (&opts);
  opts.detrend = AS_DETREND_CONSTANT;
  opts.image_background = sigma;
  as_preprocess_image (y, planes, h, w, &opts);
  for (guint c = 0; c < planes; c++)
    {
      double *p = x + c * h * w, mean = 0, norm = 0;

      for (guint i = 0; i < h * w; i++)
        mean += p[i] / (h * w);
      for (gssize k = -radius; k <= radius; k++)
        norm += exp (-0.5 * k * k / (sigma * sigma));
      for (gssize yy = 0; yy < h; yy++)
        for (gssize xx = 0; xx < w; xx++)
          {
            double blur = 0;

            for (gssize dy = -radius; dy <= radius; dy++)
              for (gssize dx = -radius; dx <= radius; dx++)
                blur += exp (-0.5 * (dy * dy + dx * dx) / (sigma * sigma)) / (norm * norm)
                        * (p[mirror (yy + dy, h) * w + mirror (xx + dx, w)] - mean);
            g_assert_cmpfloat_with_epsilon (y[c * h * w + yy * w + xx],
                                            p[yy * w + xx] - mean - blur, 1e-12);
          }
    }

  /* A ramp: nothing left inside. */
  {
    const guint H = 40, W = 50;
    g_autofree double *r = g_new (double, H * W);

    for (guint yy = 0; yy < H; yy++)
      for (guint xx = 0; xx < W; xx++)
        r[yy * W + xx] = 0.3 + 0.02 * xx - 0.05 * yy;
    opts.image_background = 3.0;
    as_preprocess_image (r, 1, H, W, &opts);
    for (guint yy = 10; yy < H - 10; yy++)
      for (guint xx = 10; xx < W - 10; xx++)
        g_assert_cmpfloat (fabs (r[yy * W + xx]), <, 1e-12);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/preprocess/design", test_design_matches_formula);
  g_test_add_func ("/preprocess/image-background", test_image_background);
  g_test_add_func ("/preprocess/sines", test_sines);
  g_test_add_func ("/preprocess/detrend", test_detrend);
  g_test_add_func ("/preprocess/resample", test_resample);
  g_test_add_func ("/preprocess/chain", test_chain);
  g_test_add_func ("/preprocess/real-eeg", test_real_eeg);
  return g_test_run ();
}
