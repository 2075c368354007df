/* test-defaults.c: what goes into learning — the table of defaults, parameter checks, channel
 * roles, degenerate input, and learning with the defaults on synthetic and real recordings.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-cdl-sim.h"
#include "as-defaults.h"
#include "as-engine.h"
#include "as-montage.h"
#include "as-npy.h"
#include "as-params.h"
#include "as-reader.h"
#include "as-rng.h"

static char *
data_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static AsCdlModel *
learn (const AsRecording *rec, const AsCdlParams *p)
{
  g_autoptr (GError) error = NULL;
  AsCdlModel *m = as_cdl_learn (rec->data, 1, rec->n_channels, 1, (guint) rec->n_samples, p,
                                NULL, NULL, &error);
  g_assert_no_error (error);
  return m;
}

/* Prepares @rec as the command line does, from a request. */
static AsRecording *
prepare (const AsRecording *rec, const AsLearnRequest *req, AsCdlParams *params,
         AsLearnReport **report)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) labels = NULL;
  AsPreprocessOptions opts;
  AsSignalKind kind;
  AsRecording *out;

  g_assert_true (as_learn_request_resolve (req, rec, &kind, params, &opts, &labels, &error));
  g_assert_no_error (error);
  out = as_learn_prepare (rec, &opts, report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out);
  g_assert_true (as_cdl_params_check_fit (params, 1, out->n_channels, 1, (guint) out->n_samples,
                                          &error));
  return out;
}

/* Merged occurrences of atom k as sample positions (atom starts). */
static GArray *
occurrences (const AsCdlModel *m, guint k)
{
  g_autoptr (GArray) occ = as_cdl_model_occurrences_merged (m, k, 0.0, as_cdl_model_merge_spacing (m));
  GArray *pos = g_array_new (FALSE, FALSE, sizeof (gsize));

  for (guint i = 0; i < occ->len; i++)
    g_array_append_val (pos, g_array_index (occ, AsCdlOccurrence, i).position);
  return pos;
}

/* ---- the table ------------------------------------------------------------------------ */

static void
test_table (void)
{
  g_autofree char *edf = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autofree char *csv = data_path ("nystagmus_infantile_avramidis_200Hz.csv");
  g_autofree char *wav = data_path ("mitdb100_ecg_5min_360Hz.wav");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) eeg = as_recording_load (edf, &error);
  g_autoptr (AsRecording) eye = as_recording_load (csv, &error);
  g_autoptr (AsRecording) ecg = as_recording_load (wav, &error);
  AsCdlParams p;
  AsPreprocessOptions o;
  AsSignalKind k;

  g_assert_no_error (error);
  g_assert_cmpint (as_signal_kind_for_recording (eeg), ==, AS_SIGNAL_KIND_EEG);
  g_assert_cmpint (as_signal_kind_for_recording (eye), ==, AS_SIGNAL_KIND_EYE);
  g_assert_cmpint (as_signal_kind_for_recording (ecg), ==, AS_SIGNAL_KIND_ECG);
  /* One row for the command line and the window: EEG at 160 Hz. */
  as_defaults_fill_for_recording (AS_SIGNAL_KIND_EEG, eeg, eeg->sfreq, &p, &o);
  g_assert_cmpuint (p.n_atoms, ==, 5);
  g_assert_cmpuint (p.atom_length, ==, 80);
  g_assert_true (p.rank1);
  g_assert_cmpfloat (o.highpass, ==, 1.0);
  g_assert_cmpint (o.reref, ==, AS_REREF_AVERAGE);
  g_assert_cmpuint (o.types, ==, 1u << AS_CHANNEL_EEG);
  /* Offsets and slow drifts go for every signal kind. */
  for (guint i = 0; i < AS_SIGNAL_KIND_N; i++)
    if (i != AS_SIGNAL_KIND_IMAGE)
      g_assert_cmpint (as_defaults_get (i)->detrend, ==, AS_DETREND_LINEAR);
  /* A sound file holding ECG leads learns from them (no ECG-typed channel: all channels). */
  as_defaults_fill_for_recording (AS_SIGNAL_KIND_ECG, ecg, ecg->sfreq, &p, &o);
  g_assert_cmpuint (o.types, ==, 0);
  g_assert_cmpfloat (o.highpass, ==, 0.5);
  g_assert_true (as_signal_kind_from_string ("meg", &k));
  g_assert_cmpint (k, ==, AS_SIGNAL_KIND_MEG);
  g_assert_false (as_signal_kind_from_string ("brain", &k));
}

/* ---- checks and their messages ---------------------------------------------------------- */

static void
assert_refused (const char *option, const char *value, const char *expect)
{
  AsLearnRequest req;
  g_autoptr (GError) error = NULL;

  as_learn_request_init (&req);
  g_assert_false (as_learn_request_set (&req, option, value, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_test_message ("%s %s: %s", option, value, error->message);
  g_assert_nonnull (strstr (error->message, expect));
  as_learn_request_clear (&req);
}

static void
test_messages (void)
{
  AsLearnRequest req;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_new (1, 3000, 200);
  g_auto (GStrv) labels = NULL;
  AsCdlParams p;
  AsPreprocessOptions o;

  assert_refused ("l", "0", "--atom-length 0 is out of range: it takes a duration in seconds, > 0");
  assert_refused ("--atom-length", "nan", "--atom-length nan is out of range");
  assert_refused ("atom-samples", "0", "--atom-samples 0 is out of range: it takes an integer ≥ 2");
  assert_refused ("rate", "0", "--rate 0 is out of range: it takes a rate in Hz, > 0");
  assert_refused ("-r", "nan", "--rate nan is out of range");
  assert_refused ("lambda", "nan", "it takes a fraction of λ_max in [0, 1)");
  assert_refused ("lambda", "1", "--lambda 1 is out of range");
  assert_refused ("k", "2147483647", "--atoms 2147483647 is out of range: it takes an integer from 1 to 100000");
  assert_refused ("atoms", "2.5", "--atoms 2.5 is out of range");
  assert_refused ("atoms", "five", "--atoms: “five” is not a number");
  assert_refused ("highpass", "-1", "--highpass -1 is out of range");
  assert_refused ("tukey", "inf", "--tukey inf is out of range");
  assert_refused ("nonsense", "1", "unknown option");

  /* Options between them, and options that do not apply to a file. */
  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "rank1", NULL, &error));
  g_assert_true (as_learn_request_set (&req, "full", NULL, &error));
  g_assert_false (as_learn_request_check (&req, &error));
  g_assert_nonnull (strstr (error->message, "--rank1 and --full"));
  g_clear_error (&error);
  as_learn_request_clear (&req);

  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "rate", "100", &error));
  for (gsize t = 0; t < rec->n_samples; t++)
    rec->data[t] = sin (t * 0.3);
  g_assert_false (as_learn_request_resolve (&req, rec, NULL, &p, &o, &labels, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "--rate does not apply"));
  g_assert_nonnull (strstr (error->message, "200 Hz"));
  g_clear_error (&error);
  as_learn_request_clear (&req);

  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "highpass", "150", &error));
  g_assert_false (as_learn_request_resolve (&req, rec, NULL, &p, &o, &labels, &error));
  g_assert_nonnull (strstr (error->message, "Nyquist"));
  g_clear_error (&error);
  as_learn_request_clear (&req);

  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "start", "20", &error));
  g_assert_false (as_learn_request_resolve (&req, rec, NULL, &p, &o, &labels, &error));
  g_assert_nonnull (strstr (error->message, "--start 20 s is at or after the end of the recording (15.000 s)"));
  g_clear_error (&error);
  as_learn_request_clear (&req);

  /* More atoms than the data holds, and memory. */
  as_cdl_params_init (&p);
  p.n_atoms = 1000;
  p.atom_length = 100;
  g_assert_false (as_cdl_params_check_fit (&p, 1, 1, 1, 2501, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "at most 25 atoms"));
  g_clear_error (&error);
  p.n_atoms = 5;
  p.online = TRUE;
  p.online_batch = 100000;
  p.atom_length = 50;
  g_assert_false (as_cdl_params_check_fit (&p, 1, 1, 1, 2500, &error));
  g_assert_nonnull (strstr (error->message, "--batch 100000 is more than the"));
  g_clear_error (&error);
  p.online = FALSE;
  /* 64 channels of 2·10⁹ samples: refused from the estimate, before any allocation. */
  g_assert_cmpuint (as_cdl_memory_estimate (&p, 1, 64, 1, 2000000000u), >, (guint64) 1e12);
  g_assert_false (as_cdl_params_check_fit (&p, 1, 64, 1, 2000000000u, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "of memory and the machine has"));
  g_clear_error (&error);
  p.lambda = NAN;
  g_assert_false (as_cdl_params_validate (&p, &error));
  g_assert_nonnull (strstr (error->message, "λ = nan"));
}

/* ---- degenerate input is named ----------------------------------------------------------- */

static void
test_degenerate (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_new (2, 1000, 100);
  AsPreprocessOptions o;
  AsCdlParams p;
  AsCdlModel *m;

  as_preprocess_options_init (&o);
  as_recording_set_channel (rec, 0, "a", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 1, "b", "uV", AS_CHANNEL_EEG);
  for (gsize i = 0; i < 2000; i++)
    rec->data[i] = NAN;
  g_assert_null (as_learn_prepare (rec, &o, NULL, &error));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "no channel has a usable signal"));
  g_assert_nonnull (strstr (error->message, "a: no finite sample"));
  g_clear_error (&error);
  for (gsize i = 0; i < 2000; i++)
    rec->data[i] = i < 1000 ? -12000.0 : 0.0;
  g_assert_null (as_learn_prepare (rec, &o, NULL, &error));
  g_assert_nonnull (strstr (error->message, "a: constant (-12000)"));
  g_clear_error (&error);

  /* The solver itself: zero data, λ ≥ λ_max. */
  as_cdl_params_init (&p);
  p.n_atoms = 1;
  p.atom_length = 10;
  memset (rec->data, 0, sizeof (double) * 2000);
  m = as_cdl_learn (rec->data, 1, 2, 1, 1000, &p, NULL, NULL, &error);
  g_assert_null (m);
  g_assert_nonnull (strstr (error->message, "zero everywhere"));
  g_clear_error (&error);
  for (gsize i = 0; i < 2000; i++)
    rec->data[i] = sin (0.1 * i);
  p.lambda = 1e6;
  p.lambda_absolute = TRUE;
  m = as_cdl_learn (rec->data, 1, 2, 1, 1000, &p, NULL, NULL, &error);
  g_assert_null (m);
  g_assert_nonnull (strstr (error->message, "every activation would be zero"));
  g_clear_error (&error);
  rec->data[5] = NAN;
  p.lambda = 0.1;
  p.lambda_absolute = FALSE;
  m = as_cdl_learn (rec->data, 1, 2, 1, 1000, &p, NULL, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC);
}

/* ---- flat, saturated and event channels ------------------------------------------------ */

static void
test_roles (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_new (5, 2000, 100);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  AsPreprocessOptions o;
  AsRng rng;

  as_rng_init (&rng, 3);
  as_recording_set_channel (rec, 0, "C3", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 1, "C4", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 2, "ECG", "uV", AS_CHANNEL_ECG);      /* saturated */
  as_recording_set_channel (rec, 3, "Status", "", AS_CHANNEL_OTHER);   /* trigger codes */
  as_recording_set_channel (rec, 4, "Ref", "uV", AS_CHANNEL_EEG);     /* flat */
  for (gsize t = 0; t < 2000; t++)
    {
      as_recording_channel (rec, 0)[t] = 20 * as_rng_normal (&rng);
      as_recording_channel (rec, 1)[t] = 20 * as_rng_normal (&rng);
      as_recording_channel (rec, 2)[t] = t % 3 == 0 ? -187500 : 10 * as_rng_normal (&rng);
      as_recording_channel (rec, 3)[t] = (t % 500) < 3 ? 4 : 0;
      as_recording_channel (rec, 4)[t] = -12000;
    }
  as_preprocess_options_init (&o);
  out = as_learn_prepare (rec, &o, &report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (out->n_channels, ==, 2);
  g_assert_cmpstr (out->channels[0].label, ==, "C3");
  g_assert_cmpuint (report->excluded->len, ==, 2);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->excluded, 0), "ECG: saturated"));
  g_assert_true (g_str_has_prefix (g_ptr_array_index (report->excluded, 1), "Ref: constant"));
  g_assert_cmpuint (report->stimulus->len, ==, 1);
  g_assert_cmpuint (report->n_events_added, ==, 4);
  g_assert_cmpuint (out->events->len, ==, 4);
  g_assert_cmpstr (g_array_index (out->events, AsEvent, 1).label, ==, "Status=4");
  g_assert_cmpfloat_with_epsilon (g_array_index (out->events, AsEvent, 1).onset, 5.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (g_array_index (out->events, AsEvent, 1).duration, 0.03, 1e-9);

  /* A channel the user marked bad is left out too, and said so; the recording keeps it. */
  {
    const char *const bad[] = { "C3", NULL };
    g_autoptr (AsRecording) out2 = NULL;
    g_autoptr (AsLearnReport) report2 = NULL;

    o.bad = bad;
    out2 = as_learn_prepare (rec, &o, &report2, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (out2->n_channels, ==, 1);
    g_assert_cmpstr (out2->channels[0].label, ==, "C4");
    g_assert_cmpuint (report2->excluded->len, ==, 3);
    g_assert_cmpstr (g_ptr_array_index (report2->excluded, 0), ==, "C3: marked bad");
    g_assert_cmpuint (rec->n_channels, ==, 5);
    o.bad = NULL;
  }
}

/* ---- ±8000 µV offsets per channel: the planted atoms, no filter transient ---------------- */

static void
test_dc_offsets (void)
{
  const guint P = 4, L = 50, T = 6000;
  const double fs = 250;
  g_autoptr (AsRecording) rec = as_recording_new (P, T, fs);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  double v[2][50], u[2][4] = { { 0.7, 0.5, -0.3, -0.4 }, { -0.2, 0.6, 0.6, -0.5 } };
  double truth[2 * 4 * 50];
  AsLearnRequest req;
  AsCdlParams p;
  AsRng rng;

  as_rng_init (&rng, 11);
  as_cdl_waveform (AS_CDL_WAVE_SINE_BURST, L, v[0]);
  as_cdl_waveform (AS_CDL_WAVE_TRIANGLE, L, v[1]);
  for (guint k = 0; k < 2; k++)
    {
      double n = 0;
      for (guint c = 0; c < P; c++)
        n += u[k][c] * u[k][c];
      for (guint c = 0; c < P; c++)
        for (guint t = 0; t < L; t++)
          truth[(k * P + c) * L + t] = u[k][c] / sqrt (n) * v[k][t];
    }
  for (guint c = 0; c < P; c++)
    {
      g_autofree char *label = g_strdup_printf ("ch%u", c + 1);
      double offset = (c % 2 ? -8000.0 : 8000.0) + 37.0 * c;
      as_recording_set_channel (rec, c, label, "uV", AS_CHANNEL_OTHER);
      for (guint t = 0; t < T; t++)
        as_recording_channel (rec, c)[t] = offset + 2.0 * as_rng_normal (&rng);
    }
  for (guint k = 0; k < 2; k++)
    for (guint t = 10 + 40 * k; t + L < T; t += 120 + as_rng_below (&rng, 120))
      {
        double a = 300 + 200 * as_rng_uniform (&rng);
        for (guint c = 0; c < P; c++)
          for (guint s = 0; s < L; s++)
            as_recording_channel (rec, c)[t + s] += a * truth[(k * P + c) * L + s];
      }

  /* As a user of a high-passed recording would: the 1 Hz high-pass runs on the offsets. */
  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "atoms", "2", NULL));
  g_assert_true (as_learn_request_set (&req, "atom-samples", "50", NULL));
  g_assert_true (as_learn_request_set (&req, "highpass", "1", NULL));
  out = prepare (rec, &req, &p, &report);
  as_learn_request_clear (&req);
  /* The edges carry no start-up transient: the first and last second look like the middle. */
  for (guint c = 0; c < P; c++)
    {
      const double *x = as_recording_channel (out, c);
      double edge = 0, mid = 0;
      for (guint t = 0; t < 250; t++)
        {
          edge = MAX (edge, MAX (fabs (x[t]), fabs (x[T - 1 - t])));
          mid = MAX (mid, fabs (x[T / 2 + t]));
        }
      g_assert_cmpfloat (edge, <, 2 * mid);
    }
  m = learn (out, &p);
  {
    double score = as_cdl_recovery_score (P, 1, L, truth, 2, m->atoms, 2, FALSE);
    g_test_message ("recovery %.4f after %u iterations (%s)", score, m->iteration,
                    as_cdl_end_state_to_string (m->end_state));
    g_assert_cmpfloat (score, >=, 0.95);
  }
  for (guint k = 0; k < 2; k++)
    {
      guint inside = 0, n = as_cdl_model_count_occurrences (m, k, &inside);
      g_assert_false (m->weak[k]);
      g_assert_cmpuint (n, >=, 5);
      g_assert_cmpuint (inside, >=, n - 2);
    }
}

/* ---- an eye recording with saccade flags and stimulus codes ------------------------------ */

static void
test_eye_flags (void)
{
  const double fs = 200;
  const guint L = 54, n_beats = 60;
  g_autoptr (GString) csv = g_string_new ("time_s,eye_x_deg,SACC,STIM\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  double beat[54], centred[54], mean = 0;
  AsLearnRequest req;
  AsCdlParams p;
  AsRng rng;
  gsize t = 0;

  /* A jerk nystagmus beat: a slow drift of 2° over 44 samples, a fast return over 10. */
  for (guint i = 0; i < L; i++)
    beat[i] = i < 44 ? 2.0 * i / 44 : 2.0 * (L - 1 - i) / 10;
  /* A zero-mean beat on a 5° offset drifting by 0.02°/s: offsets and drifts go before
   * learning, the beat stays. */
  for (guint i = 0; i < L; i++)
    mean += beat[i] / L;
  for (guint i = 0; i < L; i++)
    centred[i] = beat[i] - mean;
  as_rng_init (&rng, 5);
  for (guint b = 0; b < n_beats; b++)
    {
      guint fovea = 8 + as_rng_below (&rng, 20);
      for (guint i = 0; i < L + fovea; i++, t++)
        {
          double x = 5.0 + 0.02 * t / fs + (i < L ? centred[i] : 0.0) + 0.02 * as_rng_normal (&rng);
          int sacc = i >= 44 && i < L;
          int stim = (t % 600) < 2 ? 3 : 0;
          char num[G_ASCII_DTOSTR_BUF_SIZE];
          g_string_append_printf (csv, "%.3f,%s,%d,%d\n", t / fs,
                                  g_ascii_formatd (num, sizeof num, "%.5f", x), sacc, stim);
        }
    }
  rec = as_read_text ("eye.csv", csv->str, csv->len, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (as_signal_kind_for_recording (rec), ==, AS_SIGNAL_KIND_EYE);
  as_learn_request_init (&req);
  out = prepare (rec, &req, &p, &report);
  as_learn_request_clear (&req);
  g_assert_cmpuint (out->n_channels, ==, 1);
  g_assert_cmpstr (out->channels[0].label, ==, "eye_x");
  g_assert_cmpuint (report->stimulus->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (report->stimulus, 0), ==, "SACC");
  g_assert_cmpstr (g_ptr_array_index (report->stimulus, 1), ==, "STIM");
  /* One SACC event per beat, one STIM event every 3 s. */
  g_assert_cmpuint (report->n_events_added, ==, n_beats + (t + 599) / 600);
  g_assert_cmpuint (p.n_atoms, ==, 1);
  g_assert_cmpuint (p.atom_length, ==, L);
  m = learn (out, &p);
  {
    double score = as_cdl_recovery_score (1, 1, L, centred, 1, m->v, 1, TRUE);
    guint n = as_cdl_model_count_occurrences (m, 0, NULL);
    g_test_message ("beat recovery %.4f, %u occurrences of %u beats", score, n, n_beats);
    g_assert_cmpfloat (score, >=, 0.9);
    g_assert_cmpuint (n, >=, n_beats * 9 / 10);
    g_assert_cmpuint (n, <=, n_beats * 11 / 10);
  }
}

/* ---- trials × channels × samples (alphacsc's layout) ----------------------------------- */

static void
test_trials_npy (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("trials-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "x.npy", NULL);
  const gsize shape[3] = { 3, 2, 400 };
  double x[3 * 2 * 400];
  g_autoptr (AsLearnInput) in = NULL;
  AsLearnRequest req;
  AsRng rng;
  gboolean usage;

  as_rng_init (&rng, 1);
  for (gsize i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = as_rng_normal (&rng) + (i % 400 == 100 ? 20 : 0) + 5.0;
  g_assert_true (as_npy_write (path, x, 3, shape, FALSE, &error));
  as_learn_request_init (&req);
  g_assert_true (as_learn_request_set (&req, "atom-samples", "20", NULL));
  g_assert_true (as_learn_request_set (&req, "rate", "100", NULL));
  in = as_learn_input_new (path, NULL, &req, &usage, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (in->n_trials, ==, 3);
  g_assert_cmpuint (in->n_channels, ==, 2);
  g_assert_cmpuint (in->width, ==, 400);
  g_assert_cmpfloat (in->sfreq, ==, 100);
  {
    /* One scale over all trials: unit variance overall, zero mean per trial after detrending. */
    double s2 = 0;
    for (gsize i = 0; i < G_N_ELEMENTS (x); i++)
      s2 += in->x[i] * in->x[i];
    g_assert_cmpfloat_with_epsilon (s2 / G_N_ELEMENTS (x), 1.0, 1e-9);
  }
  as_learn_request_clear (&req);
  g_unlink (path);
  g_rmdir (dir);
}

/* ---- end states -------------------------------------------------------------------------- */

static void
test_end_states (void)
{
  AsCdlSimParams sp;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (GError) error = NULL;
  AsCdlParams p;
  AsCdlModel *m;
  g_autoptr (AsJob) job = NULL;

  as_cdl_sim_params_init (&sp);
  sp.n_channels = 3;
  sp.n_times = 2000;
  sp.n_atoms = 2;
  sp.atom_length = 20;
  sp.rank1 = TRUE;
  sp.seed = 4;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 20;
  p.max_iter = 3;
  p.tol = 0;
  m = as_cdl_learn (sim->x, sp.n_trials, 3, 1, 2000, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (m->end_state, ==, AS_CDL_END_ITERATION_LIMIT);
  g_assert_cmpstr (as_cdl_end_state_to_string (m->end_state), ==, "stopped at the iteration limit");
  g_assert_false (m->converged);
  as_cdl_model_unref (m);
  p.max_iter = 200;
  p.tol = 0.01;
  m = as_cdl_learn (sim->x, sp.n_trials, 3, 1, 2000, &p, NULL, NULL, &error);
  g_assert_cmpint (m->end_state, ==, AS_CDL_END_CONVERGED);
  g_assert_cmpstr (as_cdl_end_state_to_string (m->end_state), ==, "converged (tolerance reached)");
  g_assert_cmpuint (m->iteration, <, 200);
  as_cdl_model_unref (m);
  p.tol = 0;
  job = as_cdl_job_new (sim->x, sp.n_trials, 3, 2000, &p, NULL);
  as_job_start (job);
  as_job_stop (job);
  g_assert_true (as_job_wait (job, &error));
  m = as_cdl_job_get_result (job);
  g_assert_cmpint (m->end_state, ==, AS_CDL_END_STOPPED);
  g_assert_cmpstr (as_cdl_end_state_to_string (m->end_state), ==, "stopped by you");
  as_cdl_model_unref (m);
}

/* ---- the real 64-channel EEG with the defaults ------------------------------------------- */

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static gboolean
is_frontal (const char *label)
{
  g_autofree char *n = as_electrode_label_normalize (label);
  g_autofree char *u = g_ascii_strup (n, -1);
  return g_str_has_prefix (u, "FP") || g_str_has_prefix (u, "AF");
}

static void
test_eeg_real (void)
{
  g_autofree char *path = data_path ("eegmmi_S001R04_motor_imagery.edf");
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  g_autoptr (GArray) blinks = g_array_new (FALSE, FALSE, sizeof (gsize));
  AsLearnRequest req;
  AsCdlParams p;
  int frontal = -1;
  double best_fraction = 0, mad = 0;
  g_autofree double *frontal_sum = NULL;

  g_assert_no_error (error);
  as_learn_request_init (&req);
  out = prepare (rec, &req, &p, &report);
  m = learn (out, &p);
  g_test_message ("%u iterations, %s, λ = %g = %g λ_max", m->iteration,
                  as_cdl_end_state_to_string (m->end_state), m->lambda, m->lambda / m->lambda_max);

  /* Blinks, found independently: peaks of the mean of Fp1 and Fp2 (as learned from) above
   * six robust standard deviations, at least 0.3 s apart. */
  {
    const gsize T = out->n_samples;
    double *f = frontal_sum = g_new0 (double, T);
    g_autofree double *a = g_new (double, T);
    guint nf = 0;
    double last = -1e9;
    for (guint c = 0; c < out->n_channels; c++)
      {
        g_autofree char *n = as_electrode_label_normalize (out->channels[c].label);
        if (g_ascii_strcasecmp (n, "Fp1") == 0 || g_ascii_strcasecmp (n, "Fp2") == 0)
          {
            for (gsize t = 0; t < T; t++)
              f[t] += as_recording_channel (out, c)[t];
            nf++;
          }
      }
    g_assert_cmpuint (nf, ==, 2);
    for (gsize t = 0; t < T; t++)
      a[t] = fabs (f[t]);
    {
      g_autofree double *sorted = g_memdup2 (a, sizeof (double) * T);
      qsort (sorted, T, sizeof (double), compare_doubles);
      mad = sorted[T / 2] / 0.6745;   /* robust standard deviation of a zero-median signal */
    }
    for (gsize t = 1; t + 1 < T; t++)
      if (a[t] > 6 * mad && a[t] >= a[t - 1] && a[t] >= a[t + 1] && t - last > 0.3 * out->sfreq)
        {
          g_array_append_val (blinks, t);
          last = t;
        }
    g_test_message ("%u blink peaks on Fp1/Fp2", blinks->len);
    g_assert_cmpuint (blinks->len, >=, 10);
  }

  for (guint k = 0; k < m->shape.n_atoms; k++)
    {
      const double *u = m->u + (gsize) k * m->shape.n_channels;
      guint top = 0, pos = 0, neg = 0, inside = 0, hits = 0, found = 0;
      guint n = as_cdl_model_count_occurrences (m, k, &inside);
      g_autoptr (GArray) occ = occurrences (m, k);

      for (guint c = 0; c < m->shape.n_channels; c++)
        {
          if (fabs (u[c]) > fabs (u[top]))
            top = c;
          pos += u[c] > 0;
          neg += u[c] < 0;
        }
      /* Occurrences on eye activity: Fp1/Fp2 beyond three robust standard deviations within
       * the atom's span; blinks found: the peaks above six within 0.3 s of an occurrence. */
      for (guint i = 0; i < occ->len; i++)
        {
          gsize t0 = g_array_index (occ, gsize, i);
          gboolean on = FALSE;
          for (gsize t = t0; t < t0 + m->shape.atom_width && t < out->n_samples && !on; t++)
            on = fabs (frontal_sum[t]) > 3 * mad;
          hits += on;
        }
      for (guint b = 0; b < blinks->len; b++)
        for (guint i = 0; i < occ->len; i++)
          {
            double centre = g_array_index (occ, gsize, i) + m->shape.atom_width / 2.0;
            if (fabs ((double) g_array_index (blinks, gsize, b) - centre) <= 0.3 * out->sfreq)
              {
                found++;
                break;
              }
          }
      g_test_message ("atom %u: %u occurrences, largest |u| on %s, %u+/%u− channels, %u of %u on eye activity, %u of %u blinks",
                      k, n, out->channels[top].label, pos, neg, hits, occ->len, found, blinks->len);
      g_assert_cmpuint (n, >=, 5);
      g_assert_false (m->weak[k]);
      g_assert_cmpuint (pos, >, 0);
      g_assert_cmpuint (neg, >, 0);
      if (is_frontal (out->channels[top].label) && occ->len > 0
          && found >= 0.8 * blinks->len && (double) hits / occ->len > best_fraction)
        {
          best_fraction = (double) hits / occ->len;
          frontal = (int) k;
        }
    }
  g_assert_cmpint (frontal, >=, 0);
  g_assert_cmpfloat (best_fraction, >=, 0.5);
  as_learn_request_clear (&req);
}

/* ---- the real ECG with the defaults -------------------------------------------------------- */

static void
test_ecg_real (void)
{
  g_autofree char *path = data_path ("mitdb100_ecg_5min_360Hz.wav");
  g_autofree char *ann_path = data_path ("mitdb100_annotations_5min.csv");
  g_autofree char *ann = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (path, &error);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GArray) beats = g_array_new (FALSE, FALSE, sizeof (double));
  AsLearnRequest req;
  AsCdlParams p;
  gboolean found = FALSE;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (ann_path, &ann, NULL, &error));
  lines = g_strsplit (ann, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);
      if (g_strv_length (f) >= 3 && strcmp (f[2], "+") != 0)
        {
          double s = g_ascii_strtod (f[1], NULL);
          g_array_append_val (beats, s);
        }
    }
  g_assert_cmpuint (beats->len, ==, 371);
  as_learn_request_init (&req);
  out = prepare (rec, &req, &p, NULL);
  m = learn (out, &p);
  for (guint k = 0; k < m->shape.n_atoms; k++)
    {
      g_autoptr (GArray) occ = occurrences (m, k);
      g_autofree double *lag = NULL;
      double median, t_occ;
      guint hits = 0;

      if (occ->len < beats->len / 2)
        continue;
      /* The atom starts a fixed time before the annotated R peak: the median offset. */
      lag = g_new (double, beats->len);
      for (guint b = 0; b < beats->len; b++)
        {
          double best = G_MAXDOUBLE, bt = g_array_index (beats, double, b);
          for (guint i = 0; i < occ->len; i++)
            {
              t_occ = g_array_index (occ, gsize, i) / out->sfreq;
              if (fabs (t_occ - bt) < fabs (best))
                best = t_occ - bt;
            }
          lag[b] = best;
        }
      for (guint i = 1; i < beats->len; i++)
        for (guint j = i; j > 0 && lag[j] < lag[j - 1]; j--)
          {
            double tmp = lag[j];
            lag[j] = lag[j - 1];
            lag[j - 1] = tmp;
          }
      median = lag[beats->len / 2];
      for (guint b = 0; b < beats->len; b++)
        {
          double bt = g_array_index (beats, double, b);
          for (guint i = 0; i < occ->len; i++)
            if (fabs (g_array_index (occ, gsize, i) / out->sfreq - median - bt) <= 0.05)
              {
                hits++;
                break;
              }
        }
      g_test_message ("atom %u: %u occurrences, %u of %u beats within 50 ms, %d extra", k,
                      occ->len, hits, beats->len, (int) occ->len - (int) hits);
      if (hits >= 0.95 * beats->len && occ->len - hits <= 0.1 * beats->len)
        found = TRUE;
    }
  g_assert_true (found);
  as_learn_request_clear (&req);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/defaults/table", test_table);
  g_test_add_func ("/defaults/messages", test_messages);
  g_test_add_func ("/defaults/degenerate", test_degenerate);
  g_test_add_func ("/defaults/roles", test_roles);
  g_test_add_func ("/defaults/dc-offsets", test_dc_offsets);
  g_test_add_func ("/defaults/eye-flags", test_eye_flags);
  g_test_add_func ("/defaults/trials-npy", test_trials_npy);
  g_test_add_func ("/defaults/end-states", test_end_states);
  g_test_add_func ("/defaults/eeg-real", test_eeg_real);
  g_test_add_func ("/defaults/ecg-real", test_ecg_real);
  return g_test_run ();
}
