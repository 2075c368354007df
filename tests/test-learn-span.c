/* test-learn-span.c: a recording prepared region by region (as_preprocess_span,
 * as_learn_prepare_span) against the whole-recording preprocessing, with "processes" as
 * threads whose reductions meet at a barrier (the MPI runs are in
 * test-cli-distributed-recording.sh).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <edflib.h>
#include <glib/gstdio.h>

#include "as-engine.h"
#include "as-learn-span.h"
#include "as-paged.h"
#include "as-params.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "as-rng.h"

/* ---- W threads that reduce together (what MPI_Allreduce does for processes) -------- */

typedef struct
{
  GMutex  lock;
  GCond   cond;
  guint   size, arrived, generation;
  double *acc[2];   /* by the generation's parity: a fast thread may start the next one */
} Reducer;

static void
thread_reduce (double *values, guint n, AsReduceOp op, gpointer data)
{
  Reducer *r = data;
  guint gen;
  double *acc;

  g_mutex_lock (&r->lock);
  gen = r->generation;
  acc = r->acc[gen % 2];
  for (guint i = 0; i < n; i++)
    acc[i] = r->arrived == 0 ? values[i]
             : op == AS_REDUCE_SUM ? acc[i] + values[i]
             : op == AS_REDUCE_MIN ? MIN (acc[i], values[i]) : MAX (acc[i], values[i]);
  if (++r->arrived == r->size)
    {
      r->arrived = 0;
      r->generation++;
      g_cond_broadcast (&r->cond);
    }
  else
    while (r->generation == gen)
      g_cond_wait (&r->cond, &r->lock);
  memcpy (values, acc, n * sizeof (double));
  g_mutex_unlock (&r->lock);
}

static void
reducer_init (Reducer *r, guint size)
{
  memset (r, 0, sizeof *r);
  g_mutex_init (&r->lock);
  g_cond_init (&r->cond);
  r->size = size;
  r->acc[0] = g_new (double, 4096);
  r->acc[1] = g_new (double, 4096);
}

static void
reducer_clear (Reducer *r)
{
  g_free (r->acc[0]);
  g_free (r->acc[1]);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->cond);
}

/* ---- as_preprocess_span: spans of a synthetic EEG recording --------------------------- */

static AsRecording *
synthetic (guint P, gsize T, double fs)
{
  AsRng rng;
  AsRecording *rec = as_recording_new (P, T, fs);

  as_rng_init (&rng, 7);
  for (guint c = 0; c < P; c++)
    {
      double *x = as_recording_channel (rec, c);
      g_autofree char *label = g_strdup_printf ("E%u", c + 1);
      for (gsize t = 0; t < T; t++)
        x[t] = 30 * sin (2 * G_PI * 10 * t / fs + c) + 8 * sin (2 * G_PI * 50 * t / fs)
               + 0.02 * t + 200 * c + 5 * as_rng_normal (&rng);
      as_recording_set_channel (rec, c, label, "uV", AS_CHANNEL_EEG);
    }
  return rec;
}

static void
options (AsPreprocessOptions *o, AsScaleMode scale)
{
  as_preprocess_options_init (o);
  o->detrend = AS_DETREND_LINEAR;
  o->notch = 50;
  o->notch_harmonics = TRUE;
  o->highpass = 1;
  o->lowpass = 40;
  o->reref = AS_REREF_AVERAGE;
  o->scale = scale;
}

typedef struct
{
  const AsRecording   *whole;
  const AsPreprocessOptions *opts;
  Reducer             *reducer;
  gsize                start, count, margin;
  double              *out;       /* P × T: the own samples written in place */
  AsScaling           *scaling;
  gboolean             ok;
} SpanJob;

static gpointer
span_thread (gpointer data)
{
  SpanJob *j = data;
  const gsize T = j->whole->n_samples;
  const gsize a = j->start > j->margin ? j->start - j->margin : 0;
  const gsize b = MIN (T, j->start + j->count + j->margin);
  g_autoptr (AsRecording) span = as_recording_new (j->whole->n_channels, b - a, j->whole->sfreq);
  g_autoptr (GError) error = NULL;

  for (guint c = 0; c < j->whole->n_channels; c++)
    {
      const AsChannel *ch = &j->whole->channels[c];
      memcpy (as_recording_channel (span, c), j->whole->data + (gsize) c * T + a,
              (b - a) * sizeof (double));
      as_recording_set_channel (span, c, ch->label, ch->unit, ch->type);
    }
  j->ok = as_preprocess_span (span, j->start - a, j->count, b - j->start - j->count, j->start, T,
                              j->opts, thread_reduce, j->reducer, &j->scaling, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < span->n_channels; c++)
    memcpy (j->out + (gsize) c * T + j->start, as_recording_channel (span, c) + (j->start - a),
            j->count * sizeof (double));
  return NULL;
}

/* The spans of W threads put together against as_preprocess() of the whole. */
static void
check_spans (guint W, AsScaleMode scale, double tolerance)
{
  const guint P = 4;
  const gsize T = 20000;
  g_autoptr (AsRecording) whole = synthetic (P, T, 250);
  g_autoptr (AsRecording) ref = NULL;
  g_autoptr (AsScaling) ref_scaling = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree double *out = g_new0 (double, (gsize) P * T);
  g_autofree SpanJob *jobs = g_new0 (SpanJob, W);
  g_autofree GThread **threads = g_new (GThread *, W);
  AsPreprocessOptions opts;
  Reducer reducer;
  gsize margin;
  double err = 0, peak = 0;

  options (&opts, scale);
  ref = as_preprocess (whole, &opts, &ref_scaling, &error);
  g_assert_no_error (error);
  g_assert_true (as_preprocess_span_margin (&opts, whole->sfreq, &margin, &error));
  g_assert_no_error (error);
  /* The margin is sized from the slowest pole (the 1 Hz high-pass), beyond a page's. */
  g_assert_cmpuint (margin, >, 250);
  g_assert_cmpuint (margin, <, T / 2);
  reducer_init (&reducer, W);
  for (guint w = 0; w < W; w++)
    {
      jobs[w] = (SpanJob) { whole, &opts, &reducer, T * w / W, T * (w + 1) / W - T * w / W,
                            margin, out, NULL, FALSE };
      threads[w] = g_thread_new ("span", span_thread, &jobs[w]);
    }
  for (guint w = 0; w < W; w++)
    g_thread_join (threads[w]);
  reducer_clear (&reducer);
  for (gsize i = 0; i < (gsize) P * T; i++)
    {
      err = MAX (err, fabs (out[i] - ref->data[i]));
      peak = MAX (peak, fabs (ref->data[i]));
    }
  g_test_message ("%u spans: largest difference %.3g of a peak of %.3g", W, err, peak);
  g_assert_cmpfloat (err, <=, tolerance * peak);
  for (guint w = 0; w < W; w++)
    {
      g_assert_true (jobs[w].ok);
      for (guint c = 0; c < P; c++)
        {
          g_assert_cmpfloat (fabs (jobs[w].scaling->scale[c] - ref_scaling->scale[c]), <=,
                             1e-12 * ref_scaling->scale[c]);
          g_assert_cmpfloat (fabs (jobs[w].scaling->offset[c] - ref_scaling->offset[c]), <=,
                             1e-9 * ref_scaling->scale[c]);
        }
      as_scaling_free (jobs[w].scaling);
    }
}

/* One span over the whole signal: the true ends on both sides, the statistics its own. */
static void
test_span_whole (void)
{
  check_spans (1, AS_SCALE_GLOBAL_STD, 1e-12);
}

/* Three spans with real samples as margins: what the filters' start leaves is below
 * 1e-10 of the signal (the margin rule), the statistics combined are the whole's. */
static void
test_spans_global_std (void)
{
  check_spans (3, AS_SCALE_GLOBAL_STD, 1e-9);
}

static void
test_spans_zscore (void)
{
  check_spans (2, AS_SCALE_ZSCORE, 1e-9);
}

static void
test_span_refuses_resampling (void)
{
  g_autoptr (GError) error = NULL;
  AsPreprocessOptions opts;
  gsize margin = 7;

  as_preprocess_options_init (&opts);
  opts.resample = 100;
  g_assert_false (as_preprocess_span_margin (&opts, 250, &margin, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "resampl"));
  /* No filter: no margin. */
  as_preprocess_options_init (&opts);
  g_clear_error (&error);
  g_assert_true (as_preprocess_span_margin (&opts, 250, &margin, &error));
  g_assert_cmpuint (margin, ==, 0);
}

/* ---- as_learn_prepare_span: the bundled EEG file, two "processes" -------------------- */

typedef struct
{
  const AsRecording        *header;
  const AsPreprocessOptions *opts;
  Reducer                  *reducer;
  gsize                     own0, own1, data0, data1, read;
  AsRecording              *span;
  AsLearnReport            *report;
} LearnJob;

static gpointer
learn_thread (gpointer data)
{
  LearnJob *j = data;
  g_autoptr (GError) error = NULL;

  j->span = as_learn_prepare_span (j->header, j->opts, j->own0, j->own1, j->data0, j->data1,
                                   thread_reduce, j->reducer, &j->report, &j->read, &error);
  g_assert_no_error (error);
  return NULL;
}

/* @W "processes" prepare their parts of @path (EEG defaults, [start, stop) s) against
 * as_learn_prepare() of the whole file. */
static void
check_file (const char *path, guint W, double start, double stop, guint n_left_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) whole = as_recording_load (path, &error);
  g_autoptr (AsRecording) header = as_recording_open_paged (path, FALSE, &error);
  g_autoptr (AsRecording) ref = NULL;
  g_autoptr (AsLearnReport) ref_report = NULL;
  g_autofree LearnJob *jobs = g_new0 (LearnJob, W);
  g_autofree GThread **threads = g_new (GThread *, W);
  AsPreprocessOptions opts;
  AsCdlParams params;
  Reducer reducer;
  gsize total, first;
  double err = 0, peak = 0;

  g_assert_no_error (error);
  /* The EEG defaults (linear detrend, 1 Hz high-pass, average reference, one standard
   * deviation) on [start, stop). */
  as_defaults_fill_for_recording (AS_SIGNAL_KIND_EEG, whole, whole->sfreq, &params, &opts);
  opts.crop_start = start;
  opts.crop_stop = stop;
  ref = as_learn_prepare (whole, &opts, &ref_report, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ref_report->excluded->len, ==, n_left_out);
  g_assert_true (as_learn_span_supported (header, &opts, &error));
  total = as_learn_span_total (header, &opts, &first);
  g_assert_cmpuint (total, ==, ref->n_samples);
  g_assert_cmpuint (first, ==, (gsize) llround (start * whole->sfreq));

  reducer_init (&reducer, W);
  /* Own parts; data spans that overlap by a few samples, as distributed regions do. */
  for (guint w = 0; w < W; w++)
    {
      gsize o0 = total * w / W, o1 = total * (w + 1) / W;
      jobs[w] = (LearnJob) { header, &opts, &reducer, o0, o1, o0 > 100 ? o0 - 100 : 0,
                             MIN (total, o1 + 100), 0, NULL, NULL };
      threads[w] = g_thread_new ("learn-span", learn_thread, &jobs[w]);
    }
  for (guint w = 0; w < W; w++)
    g_thread_join (threads[w]);
  reducer_clear (&reducer);

  for (guint w = 0; w < W; w++)
    {
      const LearnJob *j = &jobs[w];
      g_autoptr (JsonObject) ref_json = as_learn_report_to_json (ref_report, NULL);
      g_autoptr (JsonObject) json = as_learn_report_to_json (j->report, NULL);
      JsonObject *a = json_object_get_object_member (ref_json, "preprocessing");
      JsonObject *b = json_object_get_object_member (json, "preprocessing");
      JsonArray *sa = json_object_get_array_member (a, "scaling_scale");
      JsonArray *sb = json_object_get_array_member (b, "scaling_scale");

      g_assert_cmpuint (j->span->n_channels, ==, ref->n_channels);
      g_assert_cmpuint (j->span->n_samples, ==, j->data1 - j->data0);
      g_assert_cmpuint (j->report->excluded->len, ==, n_left_out);
      /* Each read its part and a margin, not the recording. */
      if (W > 1)
        g_assert_cmpuint (j->read, <, total);
      for (guint c = 0; c < ref->n_channels; c++)
        {
          const double *x = as_recording_channel (j->span, c);
          const double *y = as_recording_channel (ref, c) + j->data0;
          g_assert_cmpstr (j->span->channels[c].label, ==, ref->channels[c].label);
          for (gsize t = 0; t < j->span->n_samples; t++)
            {
              err = MAX (err, fabs (x[t] - y[t]));
              peak = MAX (peak, fabs (y[t]));
            }
        }
      /* The same record of the preprocessing, the scale to rounding. */
      g_assert_cmpuint (json_array_get_length (sa), ==, json_array_get_length (sb));
      for (guint c = 0; c < json_array_get_length (sa); c++)
        g_assert_cmpfloat (fabs (json_array_get_double_element (sa, c)
                                 - json_array_get_double_element (sb, c)), <=,
                           1e-12 * json_array_get_double_element (sa, c));
      g_assert_cmpuint (json_object_get_size (a), ==, json_object_get_size (b));
      {
        g_autoptr (GList) names = json_object_get_members (a);
        for (GList *l = names; l != NULL; l = l->next)
          if (strcmp (l->data, "scaling_scale") != 0)
            {
              g_assert_true (json_object_has_member (b, l->data));
              if (!json_node_equal (json_object_get_member (a, l->data),
                                    json_object_get_member (b, l->data)))
                g_error ("preprocessing member %s differs", (const char *) l->data);
            }
      }
      as_recording_unref (j->span);
      as_learn_report_free (j->report);
    }
  g_test_message ("%s, %u parts: largest difference %.3g of a peak of %.3g", path, W, err, peak);
  g_assert_cmpfloat (err, <=, 1e-9 * peak);
  g_assert_cmpuint (as_paged_samples_read (header->paged), <, 2 * total);
}

/* The bundled EDF+ (16-bit), 40 s from 10 s, in two halves. */
static void
test_learn_span_edf (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data",
                                                 "eegmmi_S001R04_motor_imagery.edf", NULL);
  check_file (path, 2, 10, 50, 0);
}

/* A BDF (24-bit samples) with a flat channel, which both paths leave out, in three parts. */
static void
test_learn_span_bdf (void)
{
  static const char *const labels[] = { "Fp1", "Fp2", "F3", "F4", "C3", "C4", "P3", "P4" };
  g_autofree char *dir = g_dir_make_tmp ("learn-span-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "eeg.bdf", NULL);
  const int spr = 256, n_records = 60;
  int h = edfopen_file_writeonly (path, EDFLIB_FILETYPE_BDFPLUS, G_N_ELEMENTS (labels));
  g_autofree int *b = g_new (int, spr);
  AsRng rng;

  g_assert_cmpint (h, >=, 0);
  as_rng_init (&rng, 11);
  for (guint s = 0; s < G_N_ELEMENTS (labels); s++)
    {
      edf_set_samplefrequency (h, (int) s, spr);
      edf_set_physical_maximum (h, (int) s, 8388.607);
      edf_set_physical_minimum (h, (int) s, -8388.608);
      edf_set_digital_maximum (h, (int) s, 8388607);
      edf_set_digital_minimum (h, (int) s, -8388608);
      edf_set_label (h, (int) s, labels[s]);
      edf_set_physical_dimension (h, (int) s, "uV");
    }
  for (int r = 0; r < n_records; r++)
    for (guint s = 0; s < G_N_ELEMENTS (labels); s++)
      {
        for (int k = 0; k < spr; k++)
          {
            double t = (r * spr + k) / (double) spr;
            /* µV × 1000: a drift, an alpha rhythm, a slow wave, noise; channel 6 flat */
            b[k] = s == 5 ? 1234
                   : (int) (1000 * (0.5 * t + 20 * sin (2 * G_PI * 10 * t + s)
                                    + 40 * sin (2 * G_PI * 0.3 * t) + 5 * as_rng_normal (&rng)));
          }
        g_assert_cmpint (edfwrite_digital_samples (h, b), ==, 0);
      }
  g_assert_cmpint (edfclose_file (h), ==, 0);
  check_file (path, 3, 5, 55, 1);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/learn-span/whole", test_span_whole);
  g_test_add_func ("/learn-span/spans-global-std", test_spans_global_std);
  g_test_add_func ("/learn-span/spans-zscore", test_spans_zscore);
  g_test_add_func ("/learn-span/refuses-resampling", test_span_refuses_resampling);
  g_test_add_func ("/learn-span/edf-two-spans", test_learn_span_edf);
  g_test_add_func ("/learn-span/bdf-three-spans", test_learn_span_bdf);
  return g_test_run ();
}
