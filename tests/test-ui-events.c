/* test-ui-events.c: the Events page of the real window under Xvfb.  Atoms learned on the
 * motor-imagery EEG are fitted against its T0/T1/T2 annotations on a worker thread; the
 * table holds every (atom, event type) with the numbers the engine gives for the same model
 * and recording, sorts by p, and the peri-event view draws the selected row.  Events added
 * afterwards from an annotation file reach the page and give the fits of the events they copy;
 * the export writes those numbers.  A stimulus channel left out of learning, with a crop, gives
 * the events at the right latency.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-dripp-analysis.h"
#include "atomscope-application.h"
#include "atomscope-events-panel.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"


/* The index of the event type called @label in @a, G_MAXUINT when there is none. */
static guint
event_type_index (const AsDrippAnalysis *a, const char *label)
{
  for (guint t = 0; t < a->event_types->len; t++)
    if (g_strcmp0 (((AsDrippEventType *) a->event_types->pdata[t])->label, label) == 0)
      return t;
  return G_MAXUINT;
}

static AtomscopeApplication *app;

static void
test_events_page (void)
{
  AtomscopeWindow *window;
  AtomscopeEventsPanel *panel;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (AsDrippAnalysis) reference = NULL;
  g_autoptr (GError) error = NULL;
  AsDrippAnalysis *shown;
  AsDrippParams params;
  AsDrippSource source = { NULL, NULL, AS_CDL_OCCURRENCE_THRESHOLD };   /* what the page uses */
  GListModel *rows;
  GtkColumnView *table;
  GtkColumnViewColumn *p_column;
  UiTestImageStats stats;
  g_autofree char *png = NULL;
  double prev_p = -1;
  guint before;

  window = ui_test_open_path (app, path);

  atomscope_params_panel_set_n_atoms (atomscope_window_get_params_panel (window), 3);
  atomscope_params_panel_set_max_iter (atomscope_window_get_params_panel (window), 3);
  before = atomscope_window_get_learn_count (window);
  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window, before + 1, 60));
  g_assert_nonnull (window->model);

  adw_view_stack_set_visible_child_name (window->view_stack, "events");
  panel = window->events_panel;
  atomscope_events_panel_fit (panel);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_events_panel_get_fit_count, panel, 1, 30));
  shown = atomscope_events_panel_get_analysis (panel);
  g_assert_nonnull (shown);

  /* the same numbers as the engine on the same model and recording */
  as_dripp_params_init (&params);
  reference = as_dripp_analyse (window->model, window->learned_on, &params, &source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reference->event_types->len, ==, 3);   /* T0, T1, T2 */
  g_assert_cmpuint (shown->rows->len, ==, 3 * reference->event_types->len);
  g_assert_cmpuint (shown->rows->len, ==, reference->rows->len);
  for (guint r = 0; r < shown->rows->len; r++)
    {
      const AsDrippFit *a = &g_array_index (shown->rows, AsDrippRow, r).fit;
      const AsDrippFit *b = &g_array_index (reference->rows, AsDrippRow, r).fit;
      g_assert_cmpfloat (a->mu, ==, b->mu);
      g_assert_cmpfloat (a->alpha, ==, b->alpha);
      g_assert_cmpfloat (a->p_value, ==, b->p_value);
      g_assert_true (isfinite (a->m) && isfinite (a->sigma));
    }

  /* the table lists every row and sorts by p */
  table = atomscope_events_panel_get_table (panel);
  rows = G_LIST_MODEL (gtk_column_view_get_model (table));
  g_assert_cmpuint (g_list_model_get_n_items (rows), ==, shown->rows->len);
  p_column = g_list_model_get_item (gtk_column_view_get_columns (table), 6);
  gtk_column_view_sort_by_column (table, p_column, GTK_SORT_ASCENDING);
  g_object_unref (p_column);
  ui_test_iterate (20);
  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (rows, i);
      guint sel;
      double p;
      gtk_selection_model_select_item (GTK_SELECTION_MODEL (rows), i, TRUE);
      sel = (guint) atomscope_events_panel_get_selected_row (panel);
      p = g_array_index (shown->rows, AsDrippRow, sel).fit.p_value;
      g_assert_cmpfloat (p, >=, prev_p);
      prev_p = p;
    }

  /* the peri-event view of the selected row (the last, the largest p) is drawn: raster and
   * histogram in the trace colour */
  ui_test_wait_for_draw (atomscope_events_panel_get_view (panel));
  png = ui_test_artifact_path ("events-page.png");
  g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %u colours, blue %.4f", png, stats.n_colors, stats.trace_fraction);
  g_assert_cmpfloat (stats.trace_fraction, >, 0.001);

  /* events added from an annotation file after learning: the T1 cues again, labelled "cue",
   * in a BIDS events.tsv.  The page takes them (from the recording shown) and fits them as
   * it fits T1. */
  {
    g_autoptr (GString) tsv = g_string_new ("onset\tduration\ttrial_type\n");
    g_autofree char *dir = g_dir_make_tmp ("events-XXXXXX", &error);
    g_autofree char *tsv_path = NULL;
    g_autoptr (GFile) tsv_file = NULL;
    AsDrippAnalysis *again;
    guint files_before = window->events_file_count, t1, cue;

    g_assert_no_error (error);
    tsv_path = g_build_filename (dir, "cues_events.tsv", NULL);
    for (guint i = 0; i < window->recording->events->len; i++)
      {
        const AsEvent *e = &g_array_index (window->recording->events, AsEvent, i);
        char on[G_ASCII_DTOSTR_BUF_SIZE];
        if (g_strcmp0 (e->label, "T1") == 0)
          g_string_append_printf (tsv, "%s\t0\tcue\n", g_ascii_dtostr (on, sizeof on, e->onset));
      }
    g_assert_true (g_file_set_contents (tsv_path, tsv->str, -1, &error));
    tsv_file = g_file_new_for_path (tsv_path);
    atomscope_window_add_events_from_file (window, tsv_file);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_events_file_count,
                                       window, files_before + 1, 20));
    atomscope_events_panel_set_window (panel, 0.5, 1.5);
    atomscope_events_panel_fit (panel);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_events_panel_get_fit_count, panel, 2, 30));
    again = atomscope_events_panel_get_analysis (panel);
    g_assert_cmpuint (again->event_types->len, ==, 4);   /* T0, T1, T2 and cue */
    t1 = event_type_index (again, "T1");
    cue = event_type_index (again, "cue");
    g_assert_cmpuint (t1, !=, G_MAXUINT);
    g_assert_cmpuint (cue, !=, G_MAXUINT);
    for (guint r = 0; r < again->rows->len; r++)
      {
        const AsDrippRow *x = &g_array_index (again->rows, AsDrippRow, r);
        if (x->event_type != cue)
          continue;
        for (guint q = 0; q < again->rows->len; q++)
          {
            const AsDrippRow *y = &g_array_index (again->rows, AsDrippRow, q);
            if (y->atom == x->atom && y->event_type == t1)
              {
                g_assert_cmpfloat (x->fit.mu, ==, y->fit.mu);
                g_assert_cmpfloat (x->fit.alpha, ==, y->fit.alpha);
                g_assert_cmpfloat (x->fit.p_value, ==, y->fit.p_value);
                g_assert_cmpuint (x->fit.n_events, ==, y->fit.n_events);
              }
          }
      }
    gtk_selection_model_select_item (GTK_SELECTION_MODEL (rows), 0, TRUE);
    ui_test_wait_for_draw (atomscope_events_panel_get_view (panel));
    g_free (png);
    png = ui_test_artifact_path ("events-page-cues.png");
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
    /* Export… writes the fits shown through the engine's writers: dripp.csv has a row per
     * (atom, event type) with the numbers of the table; a second export into the same folder
     * refuses to overwrite */
    {
      g_autofree char *csv_path = g_build_filename (dir, "dripp.csv", NULL);
      g_autofree char *json_path = g_build_filename (dir, "dripp.json", NULL);
      g_autofree char *csv = NULL;
      g_auto (GStrv) lines = NULL;

      atomscope_events_panel_export_to (panel, dir);
      g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_events_panel_get_export_count, panel, 1, 20));
      g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
      g_assert_true (g_file_test (json_path, G_FILE_TEST_IS_REGULAR));
      lines = g_strsplit (g_strchomp (csv), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, again->rows->len + 1);
      for (guint r = 0; r < again->rows->len; r++)
        {
          const AsDrippRow *x = &g_array_index (again->rows, AsDrippRow, r);
          g_auto (GStrv) f = g_strsplit (lines[r + 1], ",", -1);
          g_assert_cmpuint (g_strv_length (f), ==, 13);
          g_assert_cmpuint (atoi (f[0]), ==, x->atom + 1);
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[4], NULL), x->fit.mu, 1e-8 * (1 + x->fit.mu));
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[5], NULL), x->fit.alpha, 1e-8 * (1 + x->fit.alpha));
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[11], NULL), x->fit.p_value, 1e-8);
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (f[12], NULL), x->q_value, 1e-8);
        }
      /* and one peri-event figure per row, 720 × 540, as atomscope-cli events writes them */
      {
        g_autoptr (GPtrArray) figures = g_ptr_array_new_with_free_func (g_free);

        for (guint r = 0; r < again->rows->len; r++)
          {
            const AsDrippRow *x = &g_array_index (again->rows, AsDrippRow, r);
            const char *label = ((AsDrippEventType *) again->event_types->pdata[x->event_type])->label;
            g_autofree char *name = g_strdup_printf ("events-atom%02u-%s.png", x->atom + 1, label);
            char *fig = g_build_filename (dir, name, NULL);
            cairo_surface_t *img = cairo_image_surface_create_from_png (fig);

            g_ptr_array_add (figures, fig);
            g_assert_cmpint (cairo_surface_status (img), ==, CAIRO_STATUS_SUCCESS);
            g_assert_cmpint (cairo_image_surface_get_width (img), ==, 720);
            g_assert_cmpint (cairo_image_surface_get_height (img), ==, 540);
            cairo_surface_destroy (img);
          }
        atomscope_events_panel_export_to (panel, dir);
        g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_events_panel_get_export_count, panel, 2, 20));
        g_unlink (csv_path);
        g_unlink (json_path);
        for (guint i = 0; i < figures->len; i++)
          g_unlink (g_ptr_array_index (figures, i));
      }
    }
    g_unlink (tsv_path);
    g_rmdir (dir);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* A stimulus channel, which learning leaves out, and a crop: the page offers the channel,
 * takes its steps from the recording shown, shifts them by the crop and finds the atom driven
 * by the pulses of 1 (a burst follows each by 0.3 s), not by those of 2. */
static void
test_events_stim_channel (void)
{
  AtomscopeWindow *window;
  AtomscopeEventsPanel *panel;
  g_autofree char *dir = g_dir_make_tmp ("atomscope-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "stim.csv", NULL);
  g_autoptr (GString) text = g_string_new ("time,C3,C4,trigger\n");
  AsDrippAnalysis *shown;
  GRand *noise = g_rand_new_with_seed (7);
  guint before, fits, one, two;

  /* 120 s at 100 Hz: a pulse of 1 every 3 s from 3 s, of 2 in between from 1.5 s */
  for (int i = 0; i < 12000; i++)
    {
      int ph = i % 300, trig = 0;
      double burst = ph >= 30 && ph < 50 && i >= 100 ? 3 * sin (2 * G_PI * (ph - 30) / 10.0) : 0;
      if (ph < 5 && i >= 100)
        trig = 1;
      if (ph >= 150 && ph < 155)
        trig = 2;
      g_string_append_printf (text, "%.2f,%.4f,%.4f,%d\n", i / 100.0,
                              burst + g_rand_double (noise) - 0.5,
                              0.5 * burst + g_rand_double (noise) - 0.5, trig);
    }
  g_rand_free (noise);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));

  window = ui_test_open_path (app, path);

  atomscope_params_panel_set_n_atoms (atomscope_window_get_params_panel (window), 1);
  atomscope_params_panel_set_atom_length (atomscope_window_get_params_panel (window), 0.2);
  atomscope_params_panel_set_max_iter (atomscope_window_get_params_panel (window), 5);
  atomscope_params_panel_set_crop (atomscope_window_get_params_panel (window), 10.5, 0);
  before = atomscope_window_get_learn_count (window);
  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window, before + 1, 60));
  g_assert_nonnull (window->model);
  g_assert_cmpfloat_with_epsilon (window->learned_on->n_samples / window->learned_on->sfreq, 109.5, 0.02);

  adw_view_stack_set_visible_child_name (window->view_stack, "events");
  panel = window->events_panel;
  g_assert_true (atomscope_events_panel_set_source (panel, "trigger"));
  g_assert_false (atomscope_events_panel_set_source (panel, "C3"));
  fits = atomscope_events_panel_get_fit_count (panel);
  atomscope_events_panel_fit (panel);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_events_panel_get_fit_count, panel, fits + 1, 30));
  shown = atomscope_events_panel_get_analysis (panel);
  g_assert_nonnull (shown);
  g_assert_cmpuint (shown->event_types->len, ==, 2);
  one = event_type_index (shown, "1");
  two = event_type_index (shown, "2");
  g_assert_cmpuint (one, !=, G_MAXUINT);
  g_assert_cmpuint (two, !=, G_MAXUINT);
  for (guint r = 0; r < shown->rows->len; r++)
    {
      const AsDrippRow *x = &g_array_index (shown->rows, AsDrippRow, r);
      g_test_message ("events “%s”: %zu events, μ %.3g α %.3g m %.3g σ %.3g p %.2g",
                      ((AsDrippEventType *) shown->event_types->pdata[x->event_type])->label,
                      x->fit.n_events, x->fit.mu, x->fit.alpha, x->fit.m, x->fit.sigma,
                      x->fit.p_value);
      if (x->event_type == one)
        {
          /* pulses of 1 at 12 … 117 s of the file, 1.5 … 106.5 s after the crop */
          g_assert_cmpuint (x->fit.n_events, ==, 36);
          g_assert_cmpfloat (x->fit.p_value, <, 1e-4);
          g_assert_cmpfloat (fabs (x->fit.m - 0.3), <, 0.05);
        }
      else
        {
          g_assert_cmpuint (x->fit.n_events, ==, 37);
          g_assert_cmpfloat (x->fit.p_value, >, 0.05);
        }
    }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/events/page", test_events_page);
  g_test_add_func ("/ui/events/stim-channel", test_events_stim_channel);
  return g_test_run ();
}
