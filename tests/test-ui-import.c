/* test-ui-import.c: the real window under Xvfb opens a vendor's text export
 * (a preamble, one row per signal, ';' and decimal commas) through the text
 * import assistant: the guessed layout, a preview whose cells are the file's
 * numbers, changes of the layout seen in the preview, the recording read with
 * the choices; then events added from an annotation file.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-figure-atoms.h"
#include "atomscope-application.h"
#include "atomscope-text-import.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

/* The export's rows as the file prints them, read here independently of the
 * engine: rows[0] the times, rows[1..3] the signals. */
typedef struct
{
  char   *labels[4];
  GArray *rows[4];
} Export;

static void
export_read (Export *e, const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), >=, 10);
  for (guint r = 0; r < 4; r++)
    {
      g_auto (GStrv) f = g_strsplit (lines[6 + r], ";", -1);
      e->labels[r] = g_strdup (f[0]);
      e->rows[r] = g_array_new (FALSE, FALSE, sizeof (double));
      for (guint i = 1; f[i]; i++)
        {
          double v;
          g_strdelimit (f[i], ",", '.');
          v = g_ascii_strtod (f[i], NULL);
          g_array_append_val (e->rows[r], v);
        }
    }
}

static void
export_clear (Export *e)
{
  for (guint r = 0; r < 4; r++)
    {
      g_free (e->labels[r]);
      g_array_unref (e->rows[r]);
    }
}

#define VALUE(e, r, i) g_array_index ((e)->rows[r], double, (i))

static AtomscopeWindow *
activate_window (void)
{
  AtomscopeWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 768);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  return window;
}

static guint
has_text_import (gpointer window)
{
  return atomscope_window_get_text_import (window) != NULL;
}

static guint
preview_count (gpointer dialog)
{
  return atomscope_text_import_get_preview_count (dialog);
}

static double
cell_value (AtomscopeTextImport *dlg, guint row, guint column)
{
  const char *text = atomscope_text_import_get_cell (dlg, row, column);
  char *end;
  double v;

  g_assert_nonnull (text);
  v = g_ascii_strtod (text, &end);
  g_assert_true (end != text && *end == '\0');
  return v;
}

/* Changes a control as the user would and waits for the preview after it. */
static void
wait_preview (AtomscopeTextImport *dlg, guint before)
{
  g_assert_true (ui_test_wait_until (preview_count, dlg, before + 1, 20));
  ui_test_iterate (5);
}

static guint
combo (AtomscopeTextImport *dlg, const char *name)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (atomscope_text_import_get_control (dlg, name)));
}

static void
render (AtomscopeTextImport *dlg, const char *name)
{
  g_autofree char *png = ui_test_artifact_path (name);
  g_autoptr (GError) error = NULL;
  UiTestImageStats stats;

  ui_test_wait_for_draw (GTK_WIDGET (dlg));
  g_assert_true (ui_test_render_png (GTK_WIDGET (dlg), png, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %d × %d, %u colours", png, stats.width, stats.height, stats.n_colors);
  g_assert_cmpint (stats.width, <=, 1024);
  g_assert_cmpint (stats.height, <=, 768);
  g_assert_cmpuint (stats.n_colors, >, 10);
}

/* The overview strip as drawn, as a pixbuf. */
static GdkPixbuf *
render_overview (AtomscopeWindow *window, const char *name)
{
  g_autofree char *png = ui_test_artifact_path (name);
  g_autoptr (GError) error = NULL;
  GdkPixbuf *pixbuf;
  UiTestImageStats stats;

  ui_test_wait_for_draw (GTK_WIDGET (window->overview_area));
  g_assert_true (ui_test_render_png (GTK_WIDGET (window->overview_area), png, &stats, &error));
  g_assert_no_error (error);
  pixbuf = gdk_pixbuf_new_from_file (png, &error);
  g_assert_no_error (error);
  return pixbuf;
}

static gboolean
same_pixel (GdkPixbuf *a, GdkPixbuf *b, int x, int y)
{
  const guint8 *pa = gdk_pixbuf_read_pixels (a) + y * gdk_pixbuf_get_rowstride (a) + x * gdk_pixbuf_get_n_channels (a);
  const guint8 *pb = gdk_pixbuf_read_pixels (b) + y * gdk_pixbuf_get_rowstride (b) + x * gdk_pixbuf_get_n_channels (b);

  return pa[0] == pb[0] && pa[1] == pb[1] && pa[2] == pb[2];
}

static void
test_text_assistant (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "vestibular_export_rows.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  AtomscopeWindow *window = activate_window ();
  AtomscopeTextImport *dlg;
  AsRecording *rec;
  guint before = atomscope_window_get_load_count (window), n;
  Export e;

  export_read (&e, path);
  /* Opened as any file is: a preamble and rows, so the assistant asks first. */
  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until (has_text_import, window, 1, 20));
  dlg = ATOMSCOPE_TEXT_IMPORT (atomscope_window_get_text_import (window));
  g_assert_true (ui_test_wait_until (preview_count, dlg, 1, 20));
  ui_test_iterate (5);
  g_assert_cmpuint (atomscope_window_get_load_count (window), ==, before);

  /* The guesses: ';', decimal comma, 6 lines of preamble, rows, the time row. */
  g_assert_cmpuint (combo (dlg, "separator"), ==, 1);
  g_assert_cmpuint (combo (dlg, "decimal"), ==, 1);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (atomscope_text_import_get_control (dlg, "skip"))), ==, 6);
  g_assert_cmpuint (combo (dlg, "orientation"), ==, 1);
  g_assert_cmpuint (combo (dlg, "time"), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (atomscope_text_import_get_control (dlg, "open")));
  g_assert_false (gtk_widget_get_visible (atomscope_text_import_get_control (dlg, "error")));
  /* The preview: headings from the labels, cells equal to the file's numbers. */
  g_assert_cmpstr (atomscope_text_import_get_cell (dlg, 0, 1), ==, "Eye horizontal (deg)");
  g_assert_cmpstr (atomscope_text_import_get_cell (dlg, 0, 3), ==, "Head velocity (deg/s)");
  g_assert_null (atomscope_text_import_get_cell (dlg, 0, 4));
  for (guint i = 0; i < 20; i++)
    {
      g_assert_cmpfloat_with_epsilon (cell_value (dlg, i + 1, 0), VALUE (&e, 0, i), 1e-9);
      for (guint c = 1; c <= 3; c++)
        g_assert_cmpfloat_with_epsilon (cell_value (dlg, i + 1, c), VALUE (&e, c, i), 1e-9);
    }
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (atomscope_text_import_get_control (dlg, "summary"))),
                            "250"));
  render (dlg, "text-import-guessed.png");

  /* One more line to skip: the time row is gone, the rate is unknown (1 Hz)
   * until given. */
  n = preview_count (dlg);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (atomscope_text_import_get_control (dlg, "skip")), 7);
  wait_preview (dlg, n);
  g_assert_cmpuint (combo (dlg, "time"), ==, 0);
  g_assert_cmpstr (atomscope_text_import_get_cell (dlg, 0, 1), ==, "Eye horizontal (deg)");
  g_assert_cmpfloat (cell_value (dlg, 2, 0), ==, 1.0);
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 2, 1), VALUE (&e, 1, 1), 1e-9);
  g_assert_true (gtk_widget_get_sensitive (gtk_widget_get_ancestor (atomscope_text_import_get_control (dlg, "rate"),
                                                                    ADW_TYPE_ACTION_ROW)));
  n = preview_count (dlg);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (atomscope_text_import_get_control (dlg, "rate")), 250);
  wait_preview (dlg, n);
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 2, 0), 0.004, 1e-12);

  /* A separator that makes no table: the reason, and no Open. */
  n = preview_count (dlg);
  adw_combo_row_set_selected (ADW_COMBO_ROW (atomscope_text_import_get_control (dlg, "separator")), 2);
  wait_preview (dlg, n);
  g_assert_null (atomscope_text_import_get_preview (dlg));
  g_assert_true (gtk_widget_get_visible (atomscope_text_import_get_control (dlg, "error")));
  g_test_message ("%s", gtk_label_get_text (GTK_LABEL (atomscope_text_import_get_control (dlg, "error"))));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (atomscope_text_import_get_control (dlg, "error"))),
                            "vestibular_export_rows.csv"));
  g_assert_false (gtk_widget_get_sensitive (atomscope_text_import_get_control (dlg, "open")));
  g_assert_null (atomscope_text_import_get_cell (dlg, 1, 1));
  render (dlg, "text-import-error.png");

  /* Back to ';' and 6 lines: the time row again; a name typed in. */
  n = preview_count (dlg);
  adw_combo_row_set_selected (ADW_COMBO_ROW (atomscope_text_import_get_control (dlg, "separator")), 1);
  wait_preview (dlg, n);
  n = preview_count (dlg);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (atomscope_text_import_get_control (dlg, "skip")), 6);
  wait_preview (dlg, n);
  g_assert_cmpuint (combo (dlg, "time"), ==, 1);
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 2, 0), VALUE (&e, 0, 1), 1e-12);
  /* No time column: the time row is read as a signal, at the rate given. */
  n = preview_count (dlg);
  adw_combo_row_set_selected (ADW_COMBO_ROW (atomscope_text_import_get_control (dlg, "time")), 0);
  wait_preview (dlg, n);
  g_assert_cmpuint (atomscope_text_import_get_preview (dlg)->n_channels, ==, 4);
  g_assert_cmpstr (atomscope_text_import_get_cell (dlg, 0, 1), ==, "Time (s)");
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 3, 1), VALUE (&e, 0, 2), 1e-12);
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 3, 0), 2 / 250.0, 1e-12);
  n = preview_count (dlg);
  adw_combo_row_set_selected (ADW_COMBO_ROW (atomscope_text_import_get_control (dlg, "time")), 1);
  wait_preview (dlg, n);
  g_assert_cmpuint (atomscope_text_import_get_preview (dlg)->n_channels, ==, 3);
  n = preview_count (dlg);
  gtk_editable_set_text (GTK_EDITABLE (atomscope_text_import_get_control (dlg, "name 1")), "Horizontal");
  wait_preview (dlg, n);
  g_assert_cmpstr (atomscope_text_import_get_cell (dlg, 0, 1), ==, "Horizontal (deg)");
  render (dlg, "text-import-edited.png");

  /* Open: read with these choices through the window's load path. */
  g_signal_emit_by_name (atomscope_text_import_get_control (dlg, "open"), "clicked");
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, before + 1, 30));
  ui_test_iterate (20);
  g_assert_null (atomscope_window_get_text_import (window));
  rec = atomscope_window_get_recording (window);
  g_assert_cmpuint (rec->n_channels, ==, 3);
  g_assert_cmpuint (rec->n_samples, ==, e.rows[1]->len);
  g_assert_cmpfloat_with_epsilon (rec->sfreq, 250.0, 1e-9);
  g_assert_cmpstr (rec->channels[0].label, ==, "Horizontal");
  g_assert_cmpstr (rec->channels[1].label, ==, "Eye vertical");
  g_assert_cmpstr (rec->channels[1].unit, ==, "deg");
  g_assert_cmpstr (rec->channels[2].unit, ==, "deg/s");
  for (guint c = 0; c < 3; c++)
    for (guint i = 0; i < rec->n_samples; i++)
      g_assert_cmpfloat (as_recording_channel (rec, c)[i], ==, VALUE (&e, c + 1, i));

  export_clear (&e);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* A plain CSV (a header, a time column) opens at once; the menu's "Import
 * Text With Options…" shows the assistant for it all the same. */
static void
test_plain_csv (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "nystagmus_infantile_avramidis_200Hz.csv", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  AtomscopeWindow *window = activate_window ();
  AtomscopeTextImport *dlg;
  guint before = atomscope_window_get_load_count (window);

  atomscope_window_open_file (window, file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, before + 1, 30));
  g_assert_null (atomscope_window_get_text_import (window));

  atomscope_window_import_text (window, file);
  dlg = ATOMSCOPE_TEXT_IMPORT (atomscope_window_get_text_import (window));
  g_assert_nonnull (dlg);
  g_assert_true (ui_test_wait_until (preview_count, dlg, 1, 20));
  ui_test_iterate (5);
  g_assert_cmpuint (combo (dlg, "separator"), ==, 0);
  g_assert_cmpuint (combo (dlg, "decimal"), ==, 0);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (atomscope_text_import_get_control (dlg, "skip"))), ==, 0);
  g_assert_cmpuint (combo (dlg, "orientation"), ==, 0);
  g_assert_cmpuint (combo (dlg, "time"), ==, 1);
  g_assert_false (gtk_widget_get_sensitive (gtk_widget_get_ancestor (atomscope_text_import_get_control (dlg, "rate"),
                                                                     ADW_TYPE_ACTION_ROW)));
  /* 0.005,-8.1720 on the file's third line */
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 2, 0), 0.005, 1e-12);
  g_assert_cmpfloat_with_epsilon (cell_value (dlg, 2, 1), -8.172, 1e-12);
  render (dlg, "text-import-plain.png");
  /* Cancel: nothing else is read. */
  gtk_window_close (GTK_WINDOW (dlg));
  ui_test_iterate (20);
  g_assert_null (atomscope_window_get_text_import (window));
  g_assert_cmpuint (atomscope_window_get_load_count (window), ==, before + 1);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* Events from a BIDS events.tsv join the recording shown: the browser's list
 * and the recording hold them; a bad file is named with the place and reason. */
static void
test_add_events (void)
{
  g_autofree char *dir = g_dir_make_tmp ("atomscope-ui-XXXXXX", NULL);
  g_autofree char *tsv = g_build_filename (dir, "run_events.tsv", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad_events.tsv", NULL);
  g_autofree char *data = g_test_build_filename (G_TEST_DIST, "data", "nystagmus_infantile_avramidis_200Hz.csv", NULL);
  g_autoptr (GFile) data_file = g_file_new_for_path (data);
  g_autoptr (GFile) tsv_file = g_file_new_for_path (tsv);
  g_autoptr (GFile) bad_file = g_file_new_for_path (bad);
  AtomscopeWindow *window = activate_window ();
  guint before = atomscope_window_get_load_count (window), n_events;
  AsRecording *was, *rec;
  GtkListBoxRow *row;
  double start;
  g_autoptr (GdkPixbuf) overview_before = NULL;
  g_autoptr (GdkPixbuf) overview_after = NULL;
  const char *text;

  g_assert_true (g_file_set_contents (tsv, "onset\tduration\ttrial_type\n"
                                           "2.5\t0\tlights off\n"
                                           "1.25\t0.5\tcaloric\n"
                                           "4\tn/a\tlights on\n", -1, NULL));
  g_assert_true (g_file_set_contents (bad, "onset\tduration\ttrial_type\n1\t0\tok\nsoon\t0\tbad\n", -1, NULL));
  atomscope_window_open_file (window, data_file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, before + 1, 30));
  was = atomscope_window_get_recording (window);
  n_events = was->events->len;
  g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, n_events);
  atomscope_signal_view_set_page_start (window->signal_view, 1.0);
  start = atomscope_signal_view_get_page_start (window->signal_view);
  g_assert_cmpfloat (start, >, 0);
  ui_test_iterate (10);
  overview_before = render_overview (window, "overview-before-events.png");

  atomscope_window_add_events_from_file (window, tsv_file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_events_file_count, window, 1, 20));
  ui_test_iterate (10);
  rec = atomscope_window_get_recording (window);
  g_assert_cmpuint (rec->events->len, ==, n_events + 3);
  g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, n_events + 3);
  g_assert_true (atomscope_signal_view_get_recording (window->signal_view) == rec);
  g_assert_cmpfloat (atomscope_signal_view_get_page_start (window->signal_view), ==, start);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (window->events_button)));
  /* sorted by onset: the first is the caloric at 1.25 s, for 0.5 s */
  g_assert_cmpfloat (g_array_index (rec->events, AsEvent, 0).onset, ==, 1.25);
  g_assert_cmpstr (g_array_index (rec->events, AsEvent, 0).label, ==, "caloric");
  row = gtk_list_box_get_row_at_index (window->events_list, 0);
  /* The row: the text, then its edit and delete buttons. */
  text = gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (gtk_list_box_row_get_child (row))));
  g_test_message ("first event row: %s", text);
  g_assert_true (g_str_has_prefix (text, "1.25 s"));
  g_assert_nonnull (strstr (text, "caloric"));
  /* the samples are the same */
  g_assert_cmpuint (rec->n_samples, ==, was->n_samples);
  /* the overview strip: a tick at each new event's time, nothing else changed */
  overview_after = render_overview (window, "overview-after-events.png");
  {
    int w = gdk_pixbuf_get_width (overview_after), h = gdk_pixbuf_get_height (overview_after);
    double plot_w = w - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT, duration = as_recording_duration (rec);
    const double onsets[] = { 1.25, 2.5, 4.0 };
    guint changed = 0;

    g_assert_cmpint (w, ==, gdk_pixbuf_get_width (overview_before));
    for (guint k = 0; k < G_N_ELEMENTS (onsets); k++)
      {
        int px = (int) floor (AS_FIGURE_PLOT_LEFT + onsets[k] / duration * plot_w);
        g_assert_false (same_pixel (overview_before, overview_after, px, h / 2));
      }
    for (int x = 0; x < w; x++)
      changed += !same_pixel (overview_before, overview_after, x, h / 2);
    g_assert_cmpuint (changed, <=, 3 * 2);
  }

  /* A bad file: named, with the line and the reason; the events stay. */
  atomscope_window_add_events_from_file (window, bad_file);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_events_file_failures, window, 1, 20));
  g_test_message ("%s", atomscope_window_get_events_file_error (window));
  g_assert_nonnull (strstr (atomscope_window_get_events_file_error (window), "bad_events.tsv"));
  g_assert_nonnull (strstr (atomscope_window_get_events_file_error (window), "line 3"));
  g_assert_nonnull (strstr (atomscope_window_get_events_file_error (window), "soon"));
  g_assert_true (atomscope_window_get_recording (window) == rec);
  g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, n_events + 3);

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (tsv);
  g_unlink (bad);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/import/text-assistant", test_text_assistant);
  g_test_add_func ("/ui/import/plain-csv", test_plain_csv);
  g_test_add_func ("/ui/import/add-events", test_add_events);
  return g_test_run ();
}
