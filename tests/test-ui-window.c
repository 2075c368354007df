/* test-ui-window.c: the real application under Xvfb opens the bundled sample,
 * draws it, and its window renders to a PNG that is not blank.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>

#include "atomscope-application.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

/* One application per process, as in real life: GApplication registers once. */
static AtomscopeApplication *app;

static AtomscopeWindow *
activate_window (void)
{
  g_application_activate (G_APPLICATION (app));
  return ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
}

static void
test_window_opens_sample (void)
{
  g_autoptr (GError) error = NULL;
  AtomscopeWindow *window;
  AsRecording *rec;
  g_autofree char *png = NULL;
  UiTestImageStats stats;

  window = activate_window ();
  g_assert_nonnull (window);

  /* Wait on the load itself, not on a sleep. */
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  rec = atomscope_window_get_recording (window);
  g_assert_nonnull (rec);
  g_assert_cmpuint (rec->n_channels, ==, 1);
  g_assert_cmpfloat_with_epsilon (rec->sfreq, 200.0, 1e-6);
  g_assert_cmpuint (rec->n_samples, ==, 2501);

  ui_test_wait_for_draw (GTK_WIDGET (window));
  png = ui_test_artifact_path ("window-sample.png");
  g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("window rendered to %s (%d × %d, %u colours, luminance std %.1f)", png,
                  stats.width, stats.height, stats.n_colors, stats.luminance_std);
  g_assert_cmpint (stats.width, ==, gtk_widget_get_width (GTK_WIDGET (window)));
  g_assert_cmpint (stats.height, ==, gtk_widget_get_height (GTK_WIDGET (window)));
  g_assert_cmpint (stats.width, >=, 800);
  g_assert_cmpint (stats.height, >=, 500);
  /* Not blank: many colours (antialiased traces and text) and real contrast. */
  g_assert_cmpuint (stats.n_colors, >, 50);
  g_assert_cmpfloat (stats.luminance_std, >, 5.0);

  /* The trace occupies the plot: dark-on-light pixels in the signal area. */
  g_assert_cmpfloat (stats.trace_fraction, >, 0.002);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

static void
test_window_bad_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("atomscope-ui-XXXXXX", NULL);
  g_autofree char *bad = g_build_filename (dir, "broken.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (bad);
  AtomscopeWindow *window;
  guint before;

  g_assert_true (g_file_set_contents (bad, "time_s,x\n0,1\nnot,a number\n", -1, NULL));
  window = activate_window ();
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  before = atomscope_window_get_load_count (window);

  /* A broken file leaves the open recording in place. */
  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_failures, window, 1, 20));
  g_assert_cmpuint (atomscope_window_get_load_count (window), ==, before);
  g_assert_nonnull (atomscope_window_get_recording (window));
  g_assert_cmpuint (atomscope_window_get_recording (window)->n_channels, ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (bad);
  g_rmdir (dir);
}

static void
test_actions_and_accels (void)
{
  GtkApplication *gapp;
  g_auto (GStrv) accels = NULL;
  const char *actions[] = { "open", "quit", "about", "preferences" };

  gapp = GTK_APPLICATION (app);
  for (gsize i = 0; i < G_N_ELEMENTS (actions); i++)
    g_assert_nonnull (g_action_map_lookup_action (G_ACTION_MAP (app), actions[i]));
  accels = gtk_application_get_accels_for_action (gapp, "app.open");
  g_assert_cmpstr (accels[0], ==, "<Control>o");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (gapp, "app.quit");
  g_assert_cmpstr (accels[0], ==, "<Control>q");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (gapp, "app.preferences");
  g_assert_cmpstr (accels[0], ==, "<Control>comma");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (gapp, "win.show-help-overlay");
  g_assert_cmpstr (accels[0], ==, "<Control>question");
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/window/opens-sample", test_window_opens_sample);
  g_test_add_func ("/ui/window/bad-file", test_window_bad_file);
  g_test_add_func ("/ui/window/actions", test_actions_and_accels);
  return g_test_run ();
}
