/* test-ui-paged.c: a recording larger than the memory budget is browsed page
 * by page from its file, and the page drawn is the whole-file reader's.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <adwaita.h>

#include "as-display.h"
#include "as-figure-atoms.h"
#include "as-engine.h"
#include "as-paged.h"
#include "as-reader.h"
#include "atomscope-application.h"
#include "atomscope-params-panel.h"
#include "atomscope-signal-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

static guint
learning_started (gpointer window)
{
  return ((AtomscopeWindow *) window)->job != NULL;
}

static AsRecording *
drawn_page (AtomscopeWindow *window, double *origin)
{
  ui_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (ui_test_wait_until (ui_test_views_current, window, 1, 20));
  ui_test_wait_for_draw (GTK_WIDGET (window));
  return atomscope_signal_view_dup_page (window->signal_view, origin);
}

/* Pages of the 64-channel EEG (9.8 MiB as doubles) under a 4 MiB budget: as
 * recorded with the EEG display filters, then in the longitudinal bipolar
 * montage, each equal to the same page computed from the whole file. */
static void
test_paged_pages (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) whole = as_recording_load (path, &error);
  AtomscopeWindow *window;
  AsRecording *rec;
  guint before;

  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  before = atomscope_window_get_load_count (window);
  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window,
                                     before + 1, 30));
  g_assert_cmpuint (atomscope_window_get_load_failures (window), ==, 0);
  rec = atomscope_window_get_recording (window);
  g_assert_nonnull (rec->paged);
  g_assert_null (rec->data);
  g_assert_cmpuint (rec->n_samples, ==, whole->n_samples);

  for (int pass = 0; pass < 2; pass++)
    {
      g_autoptr (AsRecording) page = NULL, expected = NULL;
      g_autoptr (AsDerivationSet) set = NULL;
      AsDisplayFilters filters;
      double origin = -1, expected_origin = -2;

      if (pass == 1)
        gtk_drop_down_set_selected (window->montage_dropdown, AS_DERIVATION_BIPOLAR_LONGITUDINAL);
      atomscope_signal_view_set_page_start (window->signal_view, pass == 0 ? 40.3 : 70.1);
      page = drawn_page (window, &origin);
      g_assert_nonnull (page);
      atomscope_signal_view_get_filters (window->signal_view, &filters);
      /* the EEG's display filters are on */
      g_assert_cmpfloat (filters.filter.highpass, ==, 0.5);
      g_assert_cmpfloat (filters.filter.lowpass, ==, 70);
      if (pass == 1)
        {
          set = as_derivation_set_new (whole, AS_DERIVATION_BIPOLAR_LONGITUDINAL, &error);
          g_assert_no_error (error);
        }
      expected = as_display_page (whole, set, &filters,
                                  atomscope_signal_view_get_page_start (window->signal_view),
                                  atomscope_signal_view_get_page_length (window->signal_view),
                                  &expected_origin, &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (origin, ==, expected_origin);
      g_assert_cmpuint (page->n_channels, ==, pass == 0 ? 64 : 18);
      g_assert_cmpuint (page->n_channels, ==, expected->n_channels);
      g_assert_cmpuint (page->n_samples, ==, expected->n_samples);
      g_assert_cmpuint (page->n_samples, ==, 10 * 160);
      for (guint c = 0; c < page->n_channels; c++)
        {
          g_assert_cmpstr (page->channels[c].label, ==, expected->channels[c].label);
          /* float32 samples: within a millionth of the EEG's range */
          for (gsize t = 0; t < page->n_samples; t++)
            g_assert_cmpfloat_with_epsilon (as_recording_channel (page, c)[t],
                                            as_recording_channel (expected, c)[t], 2e-3);
        }
    }
  /* A 120 s page of 19 200 samples a channel on a few hundred pixels is drawn
   * from the envelope: each bucket's bounds enclose the recorded samples
   * there, and are no wider than one bucket more on each side. */
  {
    g_autoptr (AsRecording) page = NULL;
    g_autofree char *png = ui_test_artifact_path ("browser-paged-120s.png");
    UiTestImageStats stats;
    double origin = -1;
    gsize n, nb;

    gtk_drop_down_set_selected (window->montage_dropdown, AS_DERIVATION_AS_RECORDED);
    gtk_spin_button_set_value (window->highpass_spin, 0);
    gtk_spin_button_set_value (window->lowpass_spin, 0);
    /* a narrow window: under 600 pixel columns for the traces */
    gtk_window_set_default_size (GTK_WINDOW (window), 600, 700);
    ui_test_wait_for_draw (GTK_WIDGET (window));
    ui_test_iterate (20);
    g_test_message ("signal view %d px wide", gtk_widget_get_width (GTK_WIDGET (window->signal_view)));
    g_assert_cmpfloat (gtk_widget_get_width (GTK_WIDGET (window->signal_view)) - AS_FIGURE_PLOT_LEFT
                       - AS_FIGURE_PLOT_RIGHT, <, 120 * 160 / AS_DISPLAY_ENVELOPE_RATIO);
    atomscope_signal_view_set_page_length (window->signal_view, 120);
    g_assert_cmpfloat (atomscope_signal_view_get_page_length (window->signal_view), ==, 120);
    page = drawn_page (window, &origin);
    n = 120 * 160;
    g_assert_cmpuint (page->n_channels, ==, 64);
    g_assert_cmpuint (page->n_samples % 2, ==, 0);
    /* four samples a pixel column: two buckets of a lower and an upper bound */
    g_assert_cmpuint (page->n_samples, <=, 4 * (n / AS_DISPLAY_ENVELOPE_RATIO) + 8);
    nb = page->n_samples / 2;
    for (guint c = 0; c < 64; c += 5)
      for (gsize b = 0; b < nb; b++)
        {
          gsize s0 = (gsize) llround (origin * 160);
          gsize a = s0 + (gsize) ((double) b * n / nb), e = s0 + (gsize) ((double) (b + 1) * n / nb);
          gsize w = e - a;
          double x = INFINITY, y = -INFINITY, xw = INFINITY, yw = -INFINITY;
          const double *v = whole->data + (gsize) c * whole->n_samples;

          for (gsize t = a; t < e; t++)
            {
              x = MIN (x, v[t]);
              y = MAX (y, v[t]);
            }
          for (gsize t = a > w ? a - w : 0; t < MIN (whole->n_samples, e + w); t++)
            {
              xw = MIN (xw, v[t]);
              yw = MAX (yw, v[t]);
            }
          g_assert_cmpfloat (as_recording_channel (page, c)[2 * b], <=, x + 1e-3);
          g_assert_cmpfloat (as_recording_channel (page, c)[2 * b + 1], >=, y - 1e-3);
          g_assert_cmpfloat (as_recording_channel (page, c)[2 * b], >=, xw - 1e-3);
          g_assert_cmpfloat (as_recording_channel (page, c)[2 * b + 1], <=, yw + 1e-3);
        }
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (stats.trace_fraction, >, 0.002);
  }
  /* Learning reads a time range through the pager; the whole file is refused. */
  {
    g_autoptr (AsRecording) range = as_paged_crop (rec, 10, 20, &error);
    g_autoptr (AsRecording) refused = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (range->n_samples, ==, 1600);
    refused = as_paged_crop (rec, 0, 0, &error);
    g_assert_null (refused);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
  }
  /* In the window: Learn on the whole day is refused with a message; with a
   * time range it reads that range and learns on it. */
  {
    guint learned = atomscope_window_get_learn_count (window);

    atomscope_window_learn (window);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                       learned + 1, 30));
    g_assert_null (window->job);
    g_assert_null (window->learned_on);
    atomscope_params_panel_set_crop (window->params_panel, 10, 20);
    atomscope_window_learn (window);
    g_assert_true (ui_test_wait_until (learning_started, window, 1, 30));
    g_assert_nonnull (window->learned_on);
    g_assert_cmpfloat_with_epsilon (as_recording_duration (window->learned_on), 10, 0.05);
    learned = atomscope_window_get_learn_count (window);
    atomscope_window_stop (window);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                       learned + 1, 60));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

int
main (int argc, char **argv)
{
  /* A budget smaller than the test file: it is read page by page. */
  g_setenv ("ATOMSCOPE_MEMORY_BUDGET", "4", TRUE);
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/paged/pages", test_paged_pages);
  return g_test_run ();
}
