/* test-ui-recovery.c: the "Dictionary recovery" page under Xvfb: it is a page of
 * the teaching view; run, it fills the heat map cell by cell from a worker
 * thread while the main loop stays responsive, and what it shows equals the
 * grid computed here directly through the engine; stopping mid-run leaves the
 * cells not computed empty.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <adwaita.h>

#include "as-dl-grid.h"
#include "as-engine.h"
#include "atomscope-application.h"
#include "atomscope-recovery-page.h"
#include "atomscope-teaching-page.h"
#include "ui-test-utils.h"

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = find_descendant (c, type)) != NULL)
        return found;
    }
  return NULL;
}

static guint
finished (gpointer page)
{
  return atomscope_recovery_page_is_finished (page);
}

static guint
computed_cells (gpointer page)
{
  guint rows, cols, count = 0;
  const double *v = atomscope_recovery_page_get_values (page, &rows, &cols);

  for (guint c = 0; c < rows * cols; c++)
    count += isfinite (v[c]);
  return count;
}

static void
test_page_in_teaching_view (void)
{
  GtkWidget *teaching = g_object_ref_sink (atomscope_teaching_page_new ());

  /* Built from the teaching view's template, without running anything. */
  g_assert_nonnull (find_descendant (teaching, ATOMSCOPE_TYPE_RECOVERY_PAGE));
  g_object_unref (teaching);
}

static void
test_run_fills_heatmap (void)
{
  GtkWidget *window = gtk_window_new ();
  AtomscopeRecoveryPage *page = ATOMSCOPE_RECOVERY_PAGE (atomscope_recovery_page_new ());
  g_autoptr (AsDlGrid) grid = NULL;
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  g_autoptr (GError) error = NULL;
  g_autofree double *expected = NULL;
  UiTestStallProbe probe = { 0 };
  const double *shown;
  guint rows, cols, draws_before, partial;
  gboolean saw_partial = FALSE;

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 500);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait_for_draw (window);

  ui_test_stall_probe_start (&probe);
  draws_before = atomscope_recovery_page_get_n_draws (page);
  atomscope_recovery_page_run (page);
  /* Cells arrive one by one: some moment shows a partly filled map. */
  for (guint k = 0; k < 6000 && !atomscope_recovery_page_is_finished (page); k++)
    {
      partial = computed_cells (page);
      saw_partial |= partial > 0 && partial < 16;
      ui_test_iterate (1);
      g_usleep (5000);
    }
  g_assert_true (ui_test_wait_until (finished, page, 1, 120.0));
  ui_test_stall_probe_stop (&probe);
  g_test_message ("main loop stuck at most %.1f ms while the grid ran", probe.max_stuck / 1e3);
  g_assert_true (saw_partial);
  g_assert_cmpint (probe.max_stuck, <, 500000);
  ui_test_wait_for_draw (window);
  g_assert_cmpuint (atomscope_recovery_page_get_n_draws (page), >, draws_before + 1);

  /* The same grid through the engine, in this thread: the page shows exactly it. */
  grid = as_dl_grid_parse (ATOMSCOPE_RECOVERY_PAGE_SPEC, &error);
  g_assert_no_error (error);
  g_assert_true (as_dl_grid_run (grid, results, NULL, 1, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  expected = g_new (double, grid->n_sparsity * grid->n_coherence);
  as_dl_grid_mean_recovery (grid, results, AS_DL_LEARNER_AM, expected);
  shown = atomscope_recovery_page_get_values (page, &rows, &cols);
  g_assert_cmpuint (rows, ==, grid->n_sparsity);
  g_assert_cmpuint (cols, ==, grid->n_coherence);
  for (guint c = 0; c < rows * cols; c++)
    g_assert_cmpfloat (fabs (shown[c] - expected[c]), <=, 1e-12);
  /* Sparse codes are recovered far better than dense ones (row 0 is the sparsest). */
  {
    double sparse = 0.0, dense = 0.0;

    for (guint c = 0; c < cols; c++)
      {
        sparse += shown[c] / cols;
        dense += shown[(rows - 1) * cols + c] / cols;
      }
    g_test_message ("mean recovery: sparsest row %.3f, densest row %.3f", sparse, dense);
    g_assert_cmpfloat (sparse, >, 0.85);
    g_assert_cmpfloat (dense, <, sparse - 0.1);
  }

  /* Stopped right after a restart: what is not computed stays empty. */
  atomscope_recovery_page_run (page);
  ui_test_iterate (5);
  atomscope_recovery_page_stop (page);
  ui_test_iterate (50);
  g_assert_false (atomscope_recovery_page_is_finished (page));
  g_assert_cmpuint (computed_cells (page), <, 16);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (20);
  /* The stopped worker ends after its cell; the program must not exit under it. */
  for (gint64 until = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
       atomscope_recovery_page_count_running () > 0 && g_get_monotonic_time () < until;)
    g_usleep (10000);
  g_assert_cmpuint (atomscope_recovery_page_count_running (), ==, 0);
}

int
main (int argc, char **argv)
{
  atomscope_ui_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/ui/recovery/page-in-teaching-view", test_page_in_teaching_view);
  g_test_add_func ("/ui/recovery/run-fills-heatmap", test_run_fills_heatmap);
  return g_test_run ();
}
