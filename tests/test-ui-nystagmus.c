/* test-ui-nystagmus.c: the real window under Xvfb on the bundled infantile-nystagmus
 * recording: the nystagmus panel shows the engine's measures for the page the browser
 * shows (and follows it when the page moves), one table row per beat, and the browser
 * draws each fast phase over the trace where the engine found it; an EEG-like recording
 * without an eye channel says so.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-reader.h"
#include "atomscope-application.h"
#include "atomscope-nystagmus-panel.h"
#include "atomscope-signal-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

static guint
analysis_serial (gpointer panel)
{
  guint v;
  g_object_get (panel, "analysis-serial", &v, NULL);
  return v;
}

static guint
names_eeg_csv (gpointer panel)
{
  const char *m = atomscope_nystagmus_panel_get_message (panel);
  return m != NULL && strstr (m, "eeg.csv") != NULL;
}

static guint
has_analysis (gpointer panel)
{
  return atomscope_nystagmus_panel_get_analysis (panel) != NULL
         && atomscope_nystagmus_panel_get_shown_serial (panel) > 0;
}

static guint
not_rendering (gpointer view)
{
  return !atomscope_signal_view_is_rendering (view);
}

/* The panel's SPV figure (its drawing area). */
static GtkWidget *
panel_plots (AtomscopeNystagmusPanel *panel)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (panel)); c != NULL;
       c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_DRAWING_AREA (c))
      return c;
  return NULL;
}

/* Per mille of the pixels in the left and right halves of the SPV figure that are strongly
 * coloured (the points, the bars): both plots drew data, not just their titles. */
static guint
plots_coloured (gpointer plots)
{
  int w, h;
  g_autofree guint8 *px = ui_test_render_pixels (plots, &w, &h);
  guint n[2] = { 0, 0 };

  if (px == NULL || w < 20 || h < 20)
    return 0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        const guint8 *p = px + 4 * ((gsize) y * w + x);
        int r = p[2], g = p[1], b = p[0];
        if (MAX (r, MAX (g, b)) - MIN (r, MIN (g, b)) > 90)
          n[x >= w / 2]++;
      }
  return (guint) (1000.0 * MIN (n[0], n[1]) / (0.5 * w * h));
}

/* The engine's own analysis of the file the window opened. */
static AsNystagmusAnalysis *
engine_analysis (const char *path)
{
  g_autoptr (AsRecording) rec = as_recording_load (path, NULL);
  g_autoptr (AsEyeChannel) ch = NULL;

  g_assert_nonnull (rec);
  ch = as_eye_channel_from_recording (rec, NULL, NULL);
  g_assert_nonnull (ch);
  return as_nystagmus_analyse (ch, NULL, NULL, NULL);
}

static void
check_shown (AtomscopeNystagmusPanel *panel, const AsNystagmusAnalysis *an, double t0, double t1)
{
  AsNystagmusSummary shown, expect;
  double s0, s1;
  guint rows = 0;

  g_assert_true (atomscope_nystagmus_panel_get_shown (panel, &shown, &s0, &s1));
  g_assert_cmpfloat_with_epsilon (s0, t0, 1e-9);
  g_assert_cmpfloat_with_epsilon (s1, t1, 1e-9);
  as_nystagmus_summarise (an, t0, t1, &expect);
  g_test_message ("page %.1f–%.1f s: %u beats, SPV %.3f °/s, %.3f Hz", t0, t1, shown.n_beats,
                  shown.spv_median, shown.frequency);
  g_assert_cmpuint (shown.n_beats, ==, expect.n_beats);
  g_assert_cmpuint (shown.n_beats, >, 10);
  g_assert_cmpfloat_with_epsilon (shown.spv_median, expect.spv_median, 1e-9);
  g_assert_cmpfloat_with_epsilon (shown.spv_q1, expect.spv_q1, 1e-9);
  g_assert_cmpfloat_with_epsilon (shown.frequency, expect.frequency, 1e-9);
  g_assert_cmpfloat_with_epsilon (shown.foveation_fraction, expect.foveation_fraction, 1e-9);
  g_assert_cmpint (shown.direction, ==, AS_NYSTAGMUS_DIRECTION_RIGHT);
  g_assert_cmpint (shown.waveform, ==, AS_NYSTAGMUS_WAVEFORM_JERK);
  /* One row per beat of the page, the first one starting where the engine's does. */
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      if (b->start >= t0 && b->start < t1)
        {
          if (rows == 0)
            g_assert_cmpfloat_with_epsilon (g_ascii_strtod (atomscope_nystagmus_panel_get_row (panel, 0), NULL),
                                            b->start, 1e-3);
          rows++;
        }
    }
  g_assert_cmpuint (atomscope_nystagmus_panel_get_n_rows (panel), ==, rows);
}

/* The fast-phase colour (libadwaita orange, light style), not the blue trace or shading. */
static gboolean
orange_in_column (const guint8 *px, int w, int h, int x)
{
  for (int y = 0; y < h; y++)
    {
      const guint8 *p = px + ((gsize) y * w + x) * 4;   /* BGRA */
      if (p[2] > 170 && p[1] > 50 && p[1] < 150 && p[0] < 90)
        return TRUE;
    }
  return FALSE;
}

static void
test_bundled (void)
{
  AtomscopeWindow *window;
  AtomscopeNystagmusPanel *panel;
  AtomscopeSignalView *view;
  g_autofree char *path = g_build_filename (g_getenv ("ATOMSCOPE_DATADIR"),
                                            "nystagmus_infantile_avramidis_200Hz.csv", NULL);
  g_autoptr (AsNystagmusAnalysis) an = engine_analysis (path);
  g_autofree guint8 *px = NULL;
  double t0, len, left = 90, right = 12;
  guint serial, hits = 0, fast = 0, clean = 0, slow = 0;
  int w, h;

  window = ui_test_open_path (app, path);
  panel = window->nystagmus_panel;
  view = window->signal_view;
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (panel)));
  g_assert_true (ui_test_wait_until (has_analysis, panel, 1, 30));
  ui_test_iterate (20);
  t0 = atomscope_signal_view_get_page_start (view);
  len = atomscope_signal_view_get_page_length (view);
  check_shown (panel, an, t0, MIN (t0 + len, an->channel->n / an->channel->sfreq));

  /* The panel follows the page. */
  serial = atomscope_nystagmus_panel_get_shown_serial (panel);
  atomscope_signal_view_set_page_length (view, 5.0);
  atomscope_signal_view_set_page_start (view, 4.0);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_nystagmus_panel_get_shown_serial, panel,
                                     serial + 1, 30));
  ui_test_iterate (50);
  check_shown (panel, an, 4.0, 9.0);
  /* Both SPV plots show data (points and bars), side by side. */
  {
    GtkWidget *plots = panel_plots (panel);
    g_assert_nonnull (plots);
    g_assert_true (ui_test_wait_until (plots_coloured, plots, 10, 30));
    g_test_message ("SPV plots: %u ‰ coloured pixels in the emptier half", plots_coloured (plots));
  }

  /* The browser marks each fast phase of the page where the engine put it, and no
   * orange in the middle of slow phases. */
  for (int attempt = 0; px == NULL && attempt < 50; attempt++)
    {
      ui_test_wait_for_draw (GTK_WIDGET (view));
      g_assert_true (ui_test_wait_until (not_rendering, view, 1, 30));
      ui_test_iterate (20);
      px = ui_test_render_pixels (GTK_WIDGET (view), &w, &h);
    }
  g_assert_nonnull (px);
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      double xf = left + (0.5 * (b->fast_start + b->end) - 4.0) / 5.0 * (w - left - right);
      double xs = left + (0.5 * (b->start + b->fast_start) - 4.0) / 5.0 * (w - left - right);
      if (b->fast_start > 4.05 && b->end < 8.95)
        {
          fast++;
          hits += orange_in_column (px, w, h, (int) round (xf));
        }
      if (b->start > 4.05 && b->fast_start < 8.95)
        {
          slow++;
          clean += !orange_in_column (px, w, h, (int) round (xs));
        }
    }
  g_test_message ("fast phases marked: %u of %u; slow-phase middles unmarked: %u of %u", hits, fast,
                  clean, slow);
  g_assert_cmpuint (fast, >, 10);
  g_assert_cmpuint (hits, ==, fast);
  g_assert_cmpuint (clean, ==, slow);
  {
    g_autofree char *png = ui_test_artifact_path ("nystagmus-window.png");
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, NULL));
    g_test_message ("window: %s", png);
  }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* A recording with no eye channel: the panel says so, naming the file. */
static void
test_no_eye_channel (void)
{
  AtomscopeWindow *window;
  g_autofree char *dir = g_dir_make_tmp ("atomscope-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "eeg.csv", NULL);
  g_autoptr (GString) text = g_string_new ("time_s,Fp1 [uV],Cz [uV]\n");
  g_autoptr (GFile) file = NULL;
  guint before;

  for (int i = 0; i < 600; i++)
    g_string_append_printf (text, "%.3f,%.3f,%.3f\n", i / 200.0, 10 * sin (i / 7.0), 5 * cos (i / 9.0));
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  file = g_file_new_for_path (path);
  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  before = analysis_serial (window->nystagmus_panel);
  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 2, 30));
  g_assert_true (ui_test_wait_until (analysis_serial, window->nystagmus_panel, before + 1, 30));
  /* The bundled sample's own analysis may finish after the count above was read:
   * wait for the one of this file. */
  g_assert_true (ui_test_wait_until (names_eeg_csv, window->nystagmus_panel, 1, 30));
  ui_test_iterate (20);
  g_assert_null (atomscope_nystagmus_panel_get_analysis (window->nystagmus_panel));
  g_test_message ("%s", atomscope_nystagmus_panel_get_message (window->nystagmus_panel));
  g_assert_nonnull (strstr (atomscope_nystagmus_panel_get_message (window->nystagmus_panel), "eeg.csv"));
  g_assert_nonnull (strstr (atomscope_nystagmus_panel_get_message (window->nystagmus_panel),
                            "no eye-movement channel"));
  g_assert_cmpuint (atomscope_nystagmus_panel_get_n_rows (window->nystagmus_panel), ==, 0);
  /* …and the window does not offer nystagmus measures beside such a recording. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->nystagmus_panel)));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

static guint
names_fixation_csv (gpointer panel)
{
  const char *m = atomscope_nystagmus_panel_get_message (panel);
  return m != NULL && strstr (m, "fixation.csv") != NULL;
}

/* An eye channel with steady fixation (noise, one refixation): the panel is shown and says
 * that there is no beat in this file, with no measures and no rows. */
static void
test_no_beats (void)
{
  AtomscopeWindow *window;
  g_autofree char *dir = g_dir_make_tmp ("atomscope-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "fixation.csv", NULL);
  g_autoptr (GString) text = g_string_new ("time_s,eye_position_deg\n");
  const char *message;

  for (int i = 0; i < 2000; i++)
    g_string_append_printf (text, "%.3f,%.4f\n", i / 200.0,
                            (i > 900 ? 4.0 : 0.0) + 0.04 * sin (i * 1.7) * cos (i * 0.37));
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
  window = ui_test_open_path (app, path);
  g_assert_true (ui_test_wait_until (names_fixation_csv, window->nystagmus_panel, 1, 30));
  ui_test_iterate (20);
  message = atomscope_nystagmus_panel_get_message (window->nystagmus_panel);
  g_test_message ("%s", message);
  g_assert_nonnull (strstr (message, "no nystagmus beat"));
  g_assert_null (atomscope_nystagmus_panel_get_analysis (window->nystagmus_panel));
  g_assert_cmpuint (atomscope_nystagmus_panel_get_n_rows (window->nystagmus_panel), ==, 0);
  /* An eye recording: the panel is there to say so. */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->nystagmus_panel)));
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/nystagmus/bundled", test_bundled);
  g_test_add_func ("/ui/nystagmus/no-eye-channel", test_no_eye_channel);
  g_test_add_func ("/ui/nystagmus/no-beats", test_no_beats);
  return g_test_run ();
}
