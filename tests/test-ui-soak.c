/* test-ui-soak.c: the real window under Xvfb goes through many cycles of opening a file,
 * learning, pausing, resuming and stopping, alternating between small recordings; its
 * memory (resident set) stays within 10% of what it was after a warm-up, and GLib never
 * warns.
 *
 * ATOMSCOPE_SOAK_CYCLES sets the number of cycles (default 200).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-cdl-export.h"
#include "as-image.h"
#include "as-job.h"
#include "atomscope-application.h"
#include "atomscope-params-panel.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;
static gint n_warnings;

/* Counts every warning and critical (whatever its domain) before GLib's own writer. */
static GLogWriterOutput
count_warnings (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  if (level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    g_atomic_int_inc (&n_warnings);
  return g_log_writer_default (level, fields, n_fields, data);
}

/* Resident memory in bytes, from /proc/self/statm. */
static gsize
resident_bytes (void)
{
  g_autofree char *text = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL)
      || sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

static int
compare_size (gconstpointer a, gconstpointer b)
{
  gsize x = *(const gsize *) a, y = *(const gsize *) b;
  return x < y ? -1 : x > y;
}

typedef struct
{
  AtomscopeWindow *window;
  AsJob           *before;   /* the job of the previous cycle (held, so its address is not reused) */
} JobWait;

/* A new job has made at least one step. */
static guint
new_job_running (gpointer data)
{
  JobWait *w = data;
  AsJob *job = atomscope_window_get_job (w->window);

  return job != NULL && job != w->before && as_job_get_generation (job) >= 1;
}

static void
open_and_wait (AtomscopeWindow *window, const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  guint before = atomscope_window_get_load_count (window);

  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window,
                                     before + 1, 30));
  g_assert_cmpuint (atomscope_window_get_load_failures (window), ==, 0);
}

static void
test_soak (void)
{
  const char *names[] = { "nystagmus_infantile_avramidis_200Hz.csv", "mitdb100_ecg_10s_360Hz.wav" };
  const char *cycles_env = g_getenv ("ATOMSCOPE_SOAK_CYCLES");
  const guint n_cycles = cycles_env ? (guint) atoi (cycles_env) : 200;
  /* Resident memory climbs for the first few dozen cycles while fonts, glyph and
   * figure caches and malloc's arenas fill (153 MiB at cycle 20, 164 MiB by cycle 40
   * in one run), then stays flat: the warm-up covers that. */
  const guint warm_up = MIN (50, n_cycles / 2);
  const guint n_samples = MAX (1, MIN (10, (n_cycles - warm_up) / 2));
  g_autofree char *paths[2] = { NULL, NULL };
  AtomscopeWindow *window;
  gsize rss_warm = 0, rss_end = 0, rss_max = 0;
  gint64 t0 = g_get_monotonic_time ();
  guint n_paused = 0, n_stopped = 0;
  g_autoptr (AsJob) previous = NULL;
  g_autoptr (GArray) warm = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr (GArray) end = g_array_new (FALSE, FALSE, sizeof (gsize));


  for (guint i = 0; i < 2; i++)
    paths[i] = g_test_build_filename (G_TEST_DIST, "data", names[i], NULL);
  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));

  for (guint cycle = 1; cycle <= n_cycles; cycle++)
    {
      AtomscopeParamsPanel *params = atomscope_window_get_params_panel (window);
      JobWait w = { window, previous };
      guint learned = atomscope_window_get_learn_count (window);
      AsJob *job;
      AsCdlModel *model;

      open_and_wait (window, paths[cycle % 2]);
      /* A small run that would go on until stopped: two short atoms, no tolerance. */
      atomscope_params_panel_set_n_atoms (params, 3);
      atomscope_params_panel_set_atom_length (params, 0.2);
      atomscope_params_panel_set_max_iter (params, 100000);
      atomscope_params_panel_set_tolerance (params, 0);
      learned = atomscope_window_get_learn_count (window);
      atomscope_window_learn (window);
      g_assert_true (ui_test_wait_until (new_job_running, &w, 1, 30));
      job = atomscope_window_get_job (window);
      g_clear_pointer (&previous, as_job_unref);
      previous = as_job_ref (job);

      atomscope_window_toggle_pause (window);
      if (as_job_get_state (job) == AS_JOB_PAUSED)
        n_paused++;
      ui_test_iterate (5);
      atomscope_window_toggle_pause (window);
      g_assert_cmpint (as_job_get_state (job), !=, AS_JOB_PAUSED);
      atomscope_window_stop (window);
      g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count,
                                         window, learned + 1, 30));
      model = atomscope_window_get_model (window);
      g_assert_nonnull (model);
      if (model->stopped)
        n_stopped++;
      else
        g_test_message ("cycle %u ended: %s after %u iterations", cycle,
                        as_cdl_model_end_state (model), model->iteration);
      g_assert_cmpuint (model->shape.n_atoms, ==, 3);

      /* Ten cycles after the warm-up and the last ten: the median of each (one sample
       * swings with what the display and the allocator hold at that moment). */
      if ((cycle > warm_up && cycle <= warm_up + n_samples) || cycle + n_samples > n_cycles)
        {
          gsize rss;
          /* what the allocator keeps for later is not a leak */
          ui_test_iterate (20);
          malloc_trim (0);
          rss = resident_bytes ();
          if (cycle + n_samples > n_cycles)
            g_array_append_val (end, rss);
          else
            g_array_append_val (warm, rss);
        }
      rss_max = MAX (rss_max, resident_bytes ());
      if (cycle % 10 == 0)
        {
          struct mallinfo2 mi = mallinfo2 ();
          g_test_message ("cycle %u: %.1f MiB resident, %.2f MiB allocated by malloc, %.1f s",
                          cycle, resident_bytes () / 1048576.0,
                          (mi.uordblks + mi.hblkhd) / 1048576.0,
                          (g_get_monotonic_time () - t0) / 1e6);
        }
    }

  g_array_sort (warm, compare_size);
  g_array_sort (end, compare_size);
  rss_warm = g_array_index (warm, gsize, warm->len / 2);
  rss_end = g_array_index (end, gsize, end->len / 2);
  g_test_message ("%u cycles in %.1f s (%u paused, %u stopped by the user); resident after "
                  "cycle %u: %.1f MiB, at the end: %.1f MiB (medians of ten) (%+.1f%%), largest %.1f MiB; "
                  "%d GLib warnings",
                  n_cycles, (g_get_monotonic_time () - t0) / 1e6, n_paused, n_stopped, warm_up,
                  rss_warm / 1048576.0, rss_end / 1048576.0,
                  100.0 * ((double) rss_end - (double) rss_warm) / (double) rss_warm,
                  rss_max / 1048576.0, g_atomic_int_get (&n_warnings));
  g_assert_cmpuint (rss_warm, >, 0);
  g_assert_cmpfloat ((double) rss_end, <=, 1.10 * (double) rss_warm);
  g_assert_cmpint (g_atomic_int_get (&n_warnings), ==, 0);
  /* The cycles really paused and stopped (a run that ended by itself would not). */
  g_assert_cmpuint (n_paused, ==, n_cycles);
  g_assert_cmpuint (n_stopped, >=, n_cycles * 9 / 10);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* A constant image in the window: refused with the engine's reason, as on the command line,
 * instead of learning atoms from nothing. */
static void
test_constant_image (void)
{
  g_autoptr (AsImage) img = as_image_new (40, 30, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("atomscope-soak-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr (GFile) file = NULL;
  AtomscopeWindow *window;
  guint learned;

  g_assert_no_error (error);
  for (gsize i = 0; i < 40 * 30; i++)
    img->data[i] = 0.5;
  path = g_build_filename (dir, "flat.png", NULL);
  g_assert_true (as_image_write_png (img, path, FALSE, &error));
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  open_and_wait (window, path);
  g_assert_nonnull (atomscope_window_get_image (window));
  learned = atomscope_window_get_learn_count (window);
  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                     learned + 1, 30));
  g_assert_null (atomscope_window_get_job (window));
  g_assert_null (atomscope_window_get_model (window));
  g_assert_cmpint (g_atomic_int_get (&n_warnings), ==, 0);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  atomscope_ui_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_log_set_writer_func (count_warnings, NULL, NULL);
  app = atomscope_application_new ();
  {
    g_autoptr (GError) error = NULL;
    g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
    g_assert_no_error (error);
  }
  g_test_add_func ("/ui/soak/constant-image", test_constant_image);
  g_test_add_func ("/ui/soak/learn-pause-resume-stop-open", test_soak);
  return g_test_run ();
}
