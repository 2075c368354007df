/* test-ui-annotations.c: annotations added, edited and deleted through the
 * window's actions and dialog on the 64-channel EEG; the markers it draws
 * are where their onsets say; saved as EDF+ and events.tsv and read back by
 * the engine's readers; closing with unsaved annotations asks.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-annotations.h"
#include "as-export.h"
#include "as-reader.h"
#include "atomscope-application.h"
#include "atomscope-signal-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

/* The page the browser drew once it shows the current state. */
static AsRecording *
drawn_page (AtomscopeWindow *window, double *origin)
{
  /* On screen (an unmapped view is never behind), then dirty until a frame
   * hands the worker a render, and current once its result is in. */
  while (!gtk_widget_get_mapped (GTK_WIDGET (window->signal_view)))
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (ui_test_wait_until (ui_test_views_current, window, 1, 20));
  return atomscope_signal_view_dup_page (window->signal_view, origin);
}

/* The event colour (orange) of the light style, on white, in a pixel. */
static gboolean
is_event_pixel (const guint8 *bgra)
{
  int b = bgra[0], g = bgra[1], r = bgra[2];

  return r > 150 && g < 170 && b < 100 && r - b > 100;
}

/* Fraction of the plot's rows whose pixel in column @x is the event colour. */
static double
event_fraction (const guint8 *pixels, int w, int h, int x)
{
  int top = 8, bottom = h - 28, n = 0;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (x, <, w);
  for (int y = top; y < bottom; y++)
    n += is_event_pixel (pixels + ((gsize) y * w + x) * 4);
  return n / (double) MAX (1, bottom - top);
}

/* The onset line of an annotation at @t is drawn in its pixel column
 * (floor of the abscissa, as the figure strokes it), and not beside it. */
static void
assert_marker (AtomscopeWindow *window, double t, gboolean present)
{
  g_autoptr (AsRecording) page = drawn_page (window, NULL);
  g_autofree guint8 *pixels = NULL;
  int w, h, x = (int) floor (atomscope_signal_view_x_at (window->signal_view, t));
  double on, left;

  pixels = ui_test_render_pixels (GTK_WIDGET (window->signal_view), &w, &h);
  for (int attempt = 0; pixels == NULL && attempt < 100; attempt++)
    {
      ui_test_iterate (5);
      g_usleep (10000);
      pixels = ui_test_render_pixels (GTK_WIDGET (window->signal_view), &w, &h);
    }
  g_assert_nonnull (pixels);
  on = event_fraction (pixels, w, h, x);
  left = event_fraction (pixels, w, h, x - 3);
  if (present)
    {
      if (!(on > 0.5 && left < 0.02))
        {
          g_autofree char *png = ui_test_artifact_path ("annotations-failed.png");
          UiTestImageStats st;
          ui_test_render_png (GTK_WIDGET (window->signal_view), png, &st, NULL);
          for (int dx = -6; dx <= 6; dx++)
            g_printerr ("column %d: %.3f\n", x + dx, event_fraction (pixels, w, h, x + dx));
        }
      if (!(on > 0.5 && left < 0.02))
        g_error ("no annotation line at %.3f s (column %d): %.2f of its rows orange, %.2f 3 px left", t, x,
                 on, left);
    }
  else if (on > 0.02)
    g_error ("an annotation line is still drawn at %.3f s (column %d): %.2f of its rows orange", t, x, on);
}

static guint
learned_on_ready (gpointer window)
{
  return ATOMSCOPE_WINDOW (window)->learned_on != NULL;
}

static gint
index_of (GArray *events, const char *label, double onset)
{
  for (guint i = 0; i < events->len; i++)
    {
      const AsEvent *ev = &g_array_index (events, AsEvent, i);
      if (g_strcmp0 (ev->label, label) == 0 && fabs (ev->onset - onset) < 1e-6)
        return i;
    }
  return -1;
}

/* Fills the dialog shown as a user would and presses one of its responses. */
static void
answer_dialog (AtomscopeWindow *window, double onset, double duration, const char *text,
               const char *response)
{
  AdwMessageDialog *dialog = atomscope_window_get_annotation_dialog (window);
  GtkSpinButton *onset_spin, *duration_spin;
  GtkEditable *entry;

  g_assert_nonnull (dialog);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  onset_spin = g_object_get_data (G_OBJECT (dialog), "atomscope-annotation-onset");
  duration_spin = g_object_get_data (G_OBJECT (dialog), "atomscope-annotation-duration");
  entry = g_object_get_data (G_OBJECT (dialog), "atomscope-annotation-text");
  if (!isnan (onset))
    gtk_spin_button_set_value (onset_spin, onset);
  if (!isnan (duration))
    gtk_spin_button_set_value (duration_spin, duration);
  if (text != NULL)
    gtk_editable_set_text (entry, text);
  g_object_ref (dialog);
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  g_object_unref (dialog);
  ui_test_iterate (20);
  g_assert_null (atomscope_window_get_annotation_dialog (window));
}

static void
assert_same_events (GArray *got, GArray *want, double tol)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < want->len; i++)
    {
      const AsEvent *a = &g_array_index (got, AsEvent, i), *b = &g_array_index (want, AsEvent, i);
      g_assert_cmpfloat_with_epsilon (a->onset, b->onset, tol);
      g_assert_cmpfloat_with_epsilon (a->duration, b->duration, tol);
      g_assert_cmpstr (a->label, ==, b->label);
    }
}

static void
test_edit_save (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ui-annotations-XXXXXX", NULL);
  g_autofree char *edf = g_build_filename (dir, "annotated.edf", NULL);
  g_autofree char *tsv = g_build_filename (dir, "annotated_events.tsv", NULL);
  AtomscopeWindow *window = ui_test_open_path (app, path);
  AsRecording *rec = atomscope_window_get_recording (window);
  GArray *ann;
  gint i, i83;
  guint n0, saves;

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 900);
  gtk_window_present (GTK_WINDOW (window));
  n0 = rec->events->len;
  g_assert_cmpuint (n0, ==, 30);
  ann = atomscope_window_get_annotations (window);
  assert_same_events (ann, rec->events, 1e-12);
  g_assert_false (atomscope_window_has_unsaved_annotations (window));
  /* Eight channels in view, as a reader narrows 64 down: the traces then
   * leave the annotation lines visible between them. */
  for (guint c = 8; c < rec->n_channels; c++)
    atomscope_window_set_channel_shown (window, rec->channels[c].label, FALSE);
  atomscope_signal_view_set_page_length (window->signal_view, 10);
  atomscope_signal_view_set_page_start (window->signal_view, 0);
  /* The file's annotation at 8.3 s is drawn; nothing at 2.5 s yet. */
  assert_marker (window, 8.3, TRUE);
  assert_marker (window, 2.5, FALSE);

  /* Add: Ctrl+M's action opens the dialog mid-page; the user sets the onset,
   * the duration and the text. */
  {
    /* At the pointer when it is over the trace, else mid-page. */
    double want = window->annotation_pointer_x >= AS_FIGURE_PLOT_LEFT
                    ? atomscope_signal_view_time_at (window->signal_view, window->annotation_pointer_x)
                    : 5.0;
    AdwMessageDialog *dialog;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-annotation", NULL));
    dialog = atomscope_window_get_annotation_dialog (window);
    g_assert_nonnull (dialog);
    g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (g_object_get_data (G_OBJECT (dialog),
                                                                                  "atomscope-annotation-onset")),
                                    want, 1e-3);
  }
  answer_dialog (window, 2.5, 1.0, "spike", "save");
  ann = atomscope_window_get_annotations (window);
  g_assert_cmpuint (ann->len, ==, n0 + 1);
  i = index_of (ann, "spike", 2.5);
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpfloat (g_array_index (ann, AsEvent, i).duration, ==, 1.0);
  g_assert_true (atomscope_window_has_unsaved_annotations (window));
  assert_marker (window, 2.5, TRUE);
  {
    /* The page drawn carries it at its time. */
    double origin;
    g_autoptr (AsRecording) page = drawn_page (window, &origin);
    g_assert_cmpint (index_of (page->events, "spike", 2.5 - origin), >=, 0);
  }
  /* A cancelled dialog changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.add-annotation", NULL));
  answer_dialog (window, 3.0, 0, "not added", "cancel");
  g_assert_cmpuint (atomscope_window_get_annotations (window)->len, ==, n0 + 1);

  /* A double click on the trace (the view's request) near the new onset
   * edits it; the user moves it to 6 s and renames it. */
  atomscope_signal_view_request_annotation (window->signal_view, 2.5 + 0.01, 0);
  {
    AdwMessageDialog *dialog = atomscope_window_get_annotation_dialog (window);
    g_assert_nonnull (dialog);
    g_assert_cmpstr (gtk_editable_get_text (g_object_get_data (G_OBJECT (dialog), "atomscope-annotation-text")),
                     ==, "spike");
  }
  answer_dialog (window, 6.0, 1.5, "spike and wave", "save");
  ann = atomscope_window_get_annotations (window);
  g_assert_cmpuint (ann->len, ==, n0 + 1);
  g_assert_cmpint (index_of (ann, "spike", 2.5), ==, -1);
  i = index_of (ann, "spike and wave", 6.0);
  g_assert_cmpint (i, >=, 0);
  g_assert_cmpfloat (g_array_index (ann, AsEvent, i).duration, ==, 1.5);
  assert_marker (window, 6.0, TRUE);
  assert_marker (window, 2.5, FALSE);

  /* A refused edit (beyond the end) keeps the list, and says why. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.edit-annotation", "u", (guint) i));
  answer_dialog (window, 124.0, 5.0, NULL, "save");
  g_assert_cmpint (index_of (atomscope_window_get_annotations (window), "spike and wave", 6.0), ==, i);

  /* Delete the file's annotation at 8.3 s from the list; Ctrl+Z brings it
   * back; delete it again. */
  ann = atomscope_window_get_annotations (window);
  for (i83 = 0; i83 < (gint) ann->len && fabs (g_array_index (ann, AsEvent, i83).onset - 8.3) > 1e-6; i83++)
    ;
  g_assert_cmpint (i83, <, (gint) ann->len);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-annotation", "u", (guint) i83));
  g_assert_cmpuint (atomscope_window_get_annotations (window)->len, ==, n0);
  assert_marker (window, 8.3, FALSE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.undo-annotation", NULL));
  g_assert_cmpuint (atomscope_window_get_annotations (window)->len, ==, n0 + 1);
  assert_marker (window, 8.3, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-annotation", "u", (guint) i83));
  assert_marker (window, 8.3, FALSE);
  /* The events list shows the list as it is now. */
  g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, n0);
  {
    g_autofree char *png = ui_test_artifact_path ("annotations-edited.png");
    g_autoptr (GError) error = NULL;
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
  }

  /* Learning reads the annotations as they are now, not the file's events. */
  {
    guint learned = atomscope_window_get_learn_count (window);
    gint k;

    g_assert_null (window->learned_on);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.learn", NULL));
    g_assert_true (ui_test_wait_until (learned_on_ready, window, 1, 60));
    k = index_of (window->learned_on->events, "spike and wave", 6.0);
    g_assert_cmpint (k, >=, 0);
    for (guint j = 0; j < window->learned_on->events->len; j++)
      g_assert_cmpfloat (fabs (g_array_index (window->learned_on->events, AsEvent, j).onset - 8.3), >, 1e-6);
    atomscope_window_stop_learning (window);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                       learned + 1, 60));
  }

  /* Save as EDF+ and as events.tsv on a worker, read them back. */
  saves = atomscope_window_get_annotations_save_count (window);
  atomscope_window_save_annotations (window, edf, FALSE);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_annotations_save_count, window,
                                     saves + 1, 60));
  g_assert_cmpuint (atomscope_window_get_annotations_save_failures (window), ==, 0);
  g_assert_false (atomscope_window_has_unsaved_annotations (window));
  atomscope_window_save_annotations (window, tsv, FALSE);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_annotations_save_count, window,
                                     saves + 2, 60));
  g_assert_cmpuint (atomscope_window_get_annotations_save_failures (window), ==, 0);
  ann = atomscope_window_get_annotations (window);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AsRecording) back = as_recording_load (edf, &error);
    g_autoptr (AsRecording) holder = as_recording_new (1, 10, 1.0);

    g_assert_no_error (error);
    g_assert_cmpuint (back->n_channels, ==, 64);
    g_assert_cmpuint (back->n_samples, ==, rec->n_samples);
    assert_same_events (back->events, ann, 1e-4);
    g_assert_cmpint (as_recording_add_events_tsv (holder, tsv, &error), ==, (gssize) ann->len);
    g_assert_no_error (error);
    assert_same_events (holder->events, ann, 1e-6);
  }
  /* An existing file is never replaced unasked: cancelling keeps it. */
  {
    GStatBuf before, after;
    AdwMessageDialog *ask;

    g_assert_cmpint (g_stat (tsv, &before), ==, 0);
    g_assert_cmpint (atomscope_window_add_annotation (window, 100, 0, "later", NULL), >=, 0);
    atomscope_window_save_annotations (window, tsv, FALSE);
    ask = atomscope_window_get_overwrite_dialog (window);
    g_assert_nonnull (ask);
    adw_message_dialog_response (ask, "cancel");
    gtk_window_close (GTK_WINDOW (ask));
    g_assert_cmpuint (atomscope_window_get_annotations_save_count (window), ==, saves + 3);
    g_assert_cmpuint (atomscope_window_get_annotations_save_failures (window), ==, 1);
    g_assert_cmpint (g_stat (tsv, &after), ==, 0);
    g_assert_cmpint (after.st_size, ==, before.st_size);
    g_assert_true (atomscope_window_has_unsaved_annotations (window));
  }

  /* Opening another file with unsaved annotations asks; Cancel keeps them. */
  {
    g_autoptr (GFile) other = g_file_new_for_path (edf);
    guint loads = atomscope_window_get_load_count (window);
    AdwMessageDialog *ask;

    atomscope_window_open_file (window, other);
    ask = atomscope_window_get_unsaved_dialog (window);
    g_assert_nonnull (ask);
    adw_message_dialog_response (ask, "cancel");
    gtk_window_close (GTK_WINDOW (ask));
    ui_test_iterate (50);
    g_assert_cmpuint (atomscope_window_get_load_count (window), ==, loads);
    g_assert_true (atomscope_window_get_recording (window) == rec);
    g_assert_true (atomscope_window_has_unsaved_annotations (window));
  }

  /* Closing with unsaved annotations asks; Cancel keeps the window, Discard closes it. */
  {
    g_autoptr (GtkWidget) keep = GTK_WIDGET (g_object_ref (window));
    AdwMessageDialog *ask;

    gtk_window_close (GTK_WINDOW (window));
    ui_test_iterate (20);
    ask = atomscope_window_get_unsaved_dialog (window);
    g_assert_nonnull (ask);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
    adw_message_dialog_response (ask, "cancel");
    gtk_window_close (GTK_WINDOW (ask));
    ui_test_iterate (20);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
    g_assert_true (atomscope_window_has_unsaved_annotations (window));
    /* Quitting asks the same way and quits nothing. */
    g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
    ui_test_iterate (20);
    ask = atomscope_window_get_unsaved_dialog (window);
    g_assert_nonnull (ask);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
    g_assert_nonnull (gtk_application_get_windows (GTK_APPLICATION (app)));
    adw_message_dialog_response (ask, "discard");
    ui_test_iterate (50);
    g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  }
  g_unlink (edf);
  g_unlink (tsv);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/annotations/edit-save-close", test_edit_save);
  return g_test_run ();
}
