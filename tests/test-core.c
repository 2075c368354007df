/* test-core.c: the engine's shared pieces: random generator, jobs and
 * snapshots, NPY files, whole-or-nothing outputs, recordings.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "as-engine.h"
#include "as-job.h"
#include "as-npy.h"
#include "as-output.h"
#include "as-recording.h"
#include "as-rng.h"

static void
test_rng_reproducible (void)
{
  AsRng a, b;
  double sum = 0, sum2 = 0;
  const int n = 200000;

  as_rng_init (&a, 42);
  as_rng_init (&b, 42);
  for (int i = 0; i < 1000; i++)
    g_assert_cmpuint (as_rng_next (&a), ==, as_rng_next (&b));
  as_rng_init (&b, 43);
  g_assert_cmpuint (as_rng_next (&a), !=, as_rng_next (&b));

  /* Normal deviates: mean 0, variance 1 within 4 standard errors. */
  for (int i = 0; i < n; i++)
    {
      double x = as_rng_normal (&a);
      sum += x;
      sum2 += x * x;
    }
  g_assert_cmpfloat (fabs (sum / n), <, 4.0 / sqrt (n));
  g_assert_cmpfloat (fabs (sum2 / n - 1.0), <, 4.0 * sqrt (2.0 / n));

  for (int i = 0; i < 10000; i++)
    g_assert_cmpuint (as_rng_below (&a, 7), <, 7);
}

typedef struct
{
  gatomicrefcount rc;
  int             iteration;
} Counter;

static gpointer
counter_ref (gpointer p)
{
  Counter *c = p;
  g_atomic_ref_count_inc (&c->rc);
  return c;
}

static void
counter_unref (gpointer p)
{
  Counter *c = p;
  if (g_atomic_ref_count_dec (&c->rc))
    g_free (c);
}

static gboolean
count_forever (AsJob *job, gpointer user_data, GError **error)
{
  int *iterations = user_data;

  for (int i = 1; as_job_check (job); i++)
    {
      Counter *c = g_new0 (Counter, 1);
      g_atomic_ref_count_init (&c->rc);
      c->iteration = i;
      as_job_publish (job, c);
      *iterations = i;
      g_usleep (200);
    }
  return TRUE;
}

static void
test_job_pause_stop (void)
{
  int iterations = 0;
  g_autoptr (AsJob) job = as_job_new ("counter", count_forever, &iterations, NULL,
                                      counter_ref, counter_unref);
  Counter *snap;
  guint64 gen, gen2;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  as_job_start (job);
  while (as_job_get_generation (job) < 5 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpuint (as_job_get_generation (job), >=, 5);

  as_job_pause (job);
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_PAUSED);
  g_usleep (20000); /* let the worker reach its check */
  gen = as_job_get_generation (job);
  g_usleep (20000);
  gen2 = as_job_get_generation (job);
  g_assert_cmpuint (gen, ==, gen2);

  as_job_resume (job);
  while (as_job_get_generation (job) <= gen2 && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  g_assert_cmpuint (as_job_get_generation (job), >, gen2);

  as_job_stop (job);
  g_assert_true (as_job_wait (job, NULL));
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_STOPPED);
  snap = as_job_dup_snapshot (job, &gen);
  g_assert_nonnull (snap);
  g_assert_cmpint (snap->iteration, ==, iterations);
  g_assert_cmpuint (gen, ==, (guint64) iterations);
  as_job_release_snapshot (job, snap);
}

static gboolean
fail_at_once (AsJob *job, gpointer user_data, GError **error)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC, "diverged");
  return FALSE;
}

static void
test_job_failure (void)
{
  g_autoptr (AsJob) job = as_job_new ("fail", fail_at_once, NULL, NULL, counter_ref, counter_unref);
  g_autoptr (GError) error = NULL;

  g_assert_false (as_job_run_sync (job, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC);
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_FAILED);
}

static char *
make_tmpdir (void)
{
  g_autoptr (GError) error = NULL;
  char *dir = g_dir_make_tmp ("atomscope-test-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
test_npy_round_trip (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "a.npy", NULL);
  double data[12];
  gsize shape[2] = { 3, 4 };
  AsNpyArray arr;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  for (int i = 0; i < 12; i++)
    data[i] = i * 0.5 - 2.0;
  g_assert_true (as_npy_write (path, data, 2, shape, FALSE, &error));
  g_assert_no_error (error);

  /* The header length makes the data start on a multiple of 64 bytes. */
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 128 + 12 * 8);
  g_assert_nonnull (g_strstr_len (contents + 10, (gssize) len - 10, "'shape': (3, 4)"));

  g_assert_true (as_npy_read (path, &arr, &error));
  g_assert_cmpuint (arr.ndim, ==, 2);
  g_assert_cmpuint (arr.shape[0], ==, 3);
  g_assert_cmpuint (arr.shape[1], ==, 4);
  for (int i = 0; i < 12; i++)
    g_assert_cmpfloat (arr.data[i], ==, data[i]);
  as_npy_array_clear (&arr);

  /* No overwrite without asking, and the old file is kept. */
  data[0] = 99;
  g_assert_false (as_npy_write (path, data, 2, shape, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_true (as_npy_read (path, &arr, &error));
  g_assert_cmpfloat (arr.data[0], ==, -2.0);
  as_npy_array_clear (&arr);
  g_assert_true (as_npy_write (path, data, 2, shape, TRUE, &error));
  g_assert_true (as_npy_read (path, &arr, &error));
  g_assert_cmpfloat (arr.data[0], ==, 99.0);
  as_npy_array_clear (&arr);

  g_unlink (path);
  g_rmdir (dir);
}

static void
test_npy_fortran_float32 (void)
{
  /* A 2 × 3 float32 array in Fortran order, as numpy writes np.asfortranarray. */
  const char *header = "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }";
  GByteArray *buf = g_byte_array_new ();
  guint16 hlen;
  float col_major[6] = { 0, 3, 1, 4, 2, 5 }; /* C-order values would be 0..5 */
  g_autofree char *padded = NULL;
  AsNpyArray arr;
  g_autoptr (GError) error = NULL;

  padded = g_strdup_printf ("%-117s\n", header);
  hlen = (guint16) strlen (padded);
  g_byte_array_append (buf, (const guint8 *) "\x93NUMPY\x01\x00", 8);
  g_byte_array_append (buf, (const guint8 *) &hlen, 2);
  g_byte_array_append (buf, (const guint8 *) padded, hlen);
  g_byte_array_append (buf, (const guint8 *) col_major, sizeof col_major);
  g_assert_true (as_npy_decode (buf->data, buf->len, "test.npy", &arr, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (arr.data[i], ==, (double) i);
  as_npy_array_clear (&arr);

  /* Truncated: one value missing. */
  g_assert_false (as_npy_decode (buf->data, buf->len - 4, "test.npy", &arr, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "truncated"));
  g_clear_error (&error);
  g_byte_array_unref (buf);

  /* A header cut right after the byte-order mark (found by fuzzing). */
  {
    static const char cut[] = "\x93NUMPY\x01\x00\x0c\x00{'descr': '<";
    g_assert_false (as_npy_decode ((const guint8 *) cut, sizeof cut - 1, "cut.npy", &arr, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_clear_error (&error);
  }
}

static void
test_output_abort_leaves_nothing (void)
{
  g_autofree char *dir = make_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "x.csv", NULL);
  g_autoptr (GError) error = NULL;
  AsOutput *out = as_output_open (path, FALSE, &error);
  GDir *d;

  g_assert_no_error (error);
  fputs ("half", as_output_get_stream (out));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  as_output_abort (out);

  /* A committed export has the usual permissions, not mkstemp's 0600. */
  {
    g_autofree char *ok_path = g_build_filename (dir, "ok.csv", NULL);
    GStatBuf st;
    mode_t mask = umask (022);

    g_assert_true (as_output_write_contents (ok_path, "1\n", 2, FALSE, &error));
    g_assert_cmpint (g_stat (ok_path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0644);
    umask (mask);
    g_unlink (ok_path);
  }
  d = g_dir_open (dir, 0, NULL);
  g_assert_null (g_dir_read_name (d)); /* no temporary file left behind */
  g_dir_close (d);

  g_assert_false (as_output_write_contents (dir, "x", 1, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_rmdir (dir);
}

static void
test_recording_basics (void)
{
  g_autoptr (AsRecording) rec = as_recording_new (2, 100, 50.0);

  as_recording_set_channel (rec, 0, "Fp1", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 1, "Fp2", "uV", AS_CHANNEL_EEG);
  as_recording_add_event (rec, 1.5, 0.0, "b");
  as_recording_add_event (rec, 0.5, 1.0, "a");
  as_recording_sort_events (rec);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "a");
  g_assert_cmpfloat (as_recording_duration (rec), ==, 2.0);
  g_assert_cmpint (as_recording_guess_kind (rec), ==, AS_RECORDING_EEG);
  as_recording_channel (rec, 1)[99] = 3.0;
  g_assert_cmpfloat (rec->data[199], ==, 3.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/core/rng/reproducible", test_rng_reproducible);
  g_test_add_func ("/core/job/pause-stop", test_job_pause_stop);
  g_test_add_func ("/core/job/failure", test_job_failure);
  g_test_add_func ("/core/npy/round-trip", test_npy_round_trip);
  g_test_add_func ("/core/npy/fortran-float32", test_npy_fortran_float32);
  g_test_add_func ("/core/output/abort", test_output_abort_leaves_nothing);
  g_test_add_func ("/core/recording/basics", test_recording_basics);
  return g_test_run ();
}
