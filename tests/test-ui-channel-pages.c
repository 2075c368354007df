/* test-ui-channel-pages.c: channels per page with vertical scrolling, as
 * clinical viewers show a 64-channel EEG 20 rows at a time — checked on the
 * page the view drew.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>

#include "atomscope-application.h"
#include "atomscope-signal-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

/* The page the view drew once it shows the current state: a change marks
 * the view dirty until its next frame hands the worker a render, and the
 * worker's result is in once it is no longer busy. */
static AsRecording *
drawn_page (AtomscopeWindow *window)
{
  g_assert_true (ui_test_wait_until (ui_test_views_current, window, 1, 20));
  return atomscope_signal_view_dup_page (window->signal_view, NULL);
}

/* The page drawn holds the rows [first, first + n) of @labels, in order. */
static void
assert_rows (AtomscopeWindow *window, const char *const *labels, guint first, guint n)
{
  g_autoptr (AsRecording) page = drawn_page (window);

  g_assert_nonnull (page);
  g_assert_cmpuint (page->n_channels, ==, n);
  for (guint c = 0; c < n; c++)
    {
      if (g_strcmp0 (page->channels[c].label, labels[first + c]) != 0)
        for (guint k = 0; k < MIN (n, 6u); k++)
          g_test_message ("row %u: %s, expected %s", k, page->channels[k].label, labels[first + k]);
      g_assert_cmpstr (page->channels[c].label, ==, labels[first + c]);
    }
  g_assert_cmpuint (atomscope_signal_view_get_first_channel (window->signal_view), ==, first);
}

/* The button @index (2: ↑, 3: ↓) of the channel list's row of @label. */
static GtkWidget *
channel_button (AtomscopeWindow *window, const char *label, guint index)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (window->channels_list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      GtkWidget *child = gtk_widget_get_first_child (gtk_list_box_row_get_child (GTK_LIST_BOX_ROW (row)));

      if (g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (child)), label) != 0)
        continue;
      for (guint i = 0; i < index && child != NULL; i++)
        child = gtk_widget_get_next_sibling (child);
      return child;
    }
  return NULL;
}

static void
test_channel_pages (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  AtomscopeWindow *window;
  AsRecording *rec;
  g_autofree const char **labels = NULL;
  g_autofree const char **without = NULL;
  double t0;

  window = ui_test_open_path (app, path);
  rec = atomscope_window_get_recording (window);
  g_assert_cmpuint (rec->n_channels, ==, 64);
  labels = g_new0 (const char *, 65);
  for (guint c = 0; c < 64; c++)
    labels[c] = rec->channels[c].label;

  /* All 64 at first; 20 per page from the toolbar shows the first 20. */
  assert_rows (window, labels, 0, 64);
  gtk_drop_down_set_selected (window->channels_per_page_dropdown, 3);
  g_assert_cmpuint (atomscope_signal_view_get_channels_per_page (window->signal_view), ==, 20);
  assert_rows (window, labels, 0, 20);
  g_assert_cmpuint (atomscope_signal_view_get_n_rows (window->signal_view), ==, 64);
  {
    g_autofree char *png = ui_test_artifact_path ("channel-pages-20.png");
    g_autoptr (GError) error = NULL;
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
  }

  /* ↓ one row, Shift+PgDn a page of rows; PgDn alone still pages time. */
  t0 = atomscope_signal_view_get_page_start (window->signal_view);
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Down, 0));
  assert_rows (window, labels, 1, 20);
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Page_Down, GDK_SHIFT_MASK));
  assert_rows (window, labels, 21, 20);
  g_assert_cmpfloat (atomscope_signal_view_get_page_start (window->signal_view), ==, t0);
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Page_Down, 0));
  g_assert_cmpfloat (atomscope_signal_view_get_page_start (window->signal_view), ==,
                     t0 + atomscope_signal_view_get_page_length (window->signal_view));
  assert_rows (window, labels, 21, 20);
  /* The last page ends at the last channel; the first starts at the first. */
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Page_Down, GDK_SHIFT_MASK));
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Page_Down, GDK_SHIFT_MASK));
  assert_rows (window, labels, 44, 20);
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Down, 0));
  assert_rows (window, labels, 44, 20);
  atomscope_signal_view_set_first_channel (window->signal_view, -5);
  assert_rows (window, labels, 0, 20);

  /* A hidden channel is not a row: the page skips it and ends one earlier. */
  atomscope_window_set_channel_shown (window, labels[5], FALSE);
  without = g_new0 (const char *, 64);
  for (guint c = 0, k = 0; c < 64; c++)
    if (c != 5)
      without[k++] = labels[c];
  assert_rows (window, without, 0, 20);
  g_assert_cmpuint (atomscope_signal_view_get_n_rows (window->signal_view), ==, 63);
  atomscope_signal_view_set_first_channel (window->signal_view, 100);
  assert_rows (window, without, 43, 20);
  atomscope_window_set_channel_shown (window, labels[5], TRUE);

  /* Reordered from the channel list: its ↑ button draws C3's row one higher, on
   * every page of rows; moving past the top is refused. */
  {
    g_autofree const char **moved = g_new0 (const char *, 65);
    GtkWidget *up = channel_button (window, labels[2], 2);

    memcpy (moved, labels, 64 * sizeof (const char *));
    moved[1] = labels[2];
    moved[2] = labels[1];
    g_assert_nonnull (up);
    g_signal_emit_by_name (up, "clicked");   /* what a click does (activating waits for an animation) */
    atomscope_signal_view_set_first_channel (window->signal_view, 0);
    assert_rows (window, moved, 0, 20);
    g_assert_false (atomscope_window_move_channel (window, labels[0], -1));
    g_assert_true (atomscope_window_move_channel (window, labels[2], 1));
    assert_rows (window, labels, 0, 20);
  }

  /* A montage's rows page the same way: 8 of the 18 bipolar derivations. */
  gtk_drop_down_set_selected (window->channels_per_page_dropdown, 1);
  gtk_drop_down_set_selected (window->montage_dropdown, AS_DERIVATION_BIPOLAR_LONGITUDINAL);
  atomscope_signal_view_set_first_channel (window->signal_view, 0);
  {
    g_autoptr (AsRecording) page = drawn_page (window);
    g_assert_cmpuint (page->n_channels, ==, 8);
    g_assert_cmpstr (page->channels[0].label, ==, "Fp1-F7");
    g_assert_cmpuint (atomscope_signal_view_get_n_rows (window->signal_view), ==, 18);
  }
  g_assert_true (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Page_Down, GDK_SHIFT_MASK));
  {
    g_autoptr (AsRecording) page = drawn_page (window);
    g_assert_cmpuint (page->n_channels, ==, 8);
    g_assert_cmpuint (atomscope_signal_view_get_first_channel (window->signal_view), ==, 8);
    g_assert_cmpstr (page->channels[0].label, !=, "Fp1-F7");
  }
  /* All channels again: every row, whatever the first was. */
  gtk_drop_down_set_selected (window->channels_per_page_dropdown, 0);
  {
    g_autoptr (AsRecording) page = drawn_page (window);
    g_assert_cmpuint (page->n_channels, ==, 18);
    g_assert_cmpstr (page->channels[0].label, ==, "Fp1-F7");
  }
  g_assert_false (atomscope_signal_view_handle_key_state (window->signal_view, GDK_KEY_Down, 0));
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/browser/channel-pages", test_channel_pages);
  return g_test_run ();
}
