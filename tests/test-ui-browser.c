/* test-ui-browser.c: the signal browser as a clinician reads EEG — montages,
 * display filters, DC offsets — checked on the page the view drew.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-display.h"
#include "as-figure-atoms.h"
#include "as-figure-overview.h"
#include "atomscope-application.h"
#include "atomscope-signal-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

/* The page the browser drew once it shows the current settings. */
static AsRecording *
drawn_page (AtomscopeWindow *window, double *origin)
{
  ui_test_wait_for_draw (GTK_WIDGET (window));
  g_assert_true (ui_test_wait_until (ui_test_views_current, window, 1, 20));
  ui_test_wait_for_draw (GTK_WIDGET (window));
  return atomscope_signal_view_dup_page (window->signal_view, origin);
}

static int
channel_of (const AsRecording *rec, const char *label)
{
  for (guint c = 0; c < rec->n_channels; c++)
    if (g_strcmp0 (rec->channels[c].label, label) == 0)
      return c;
  return -1;
}

static void
filters_off (AtomscopeWindow *window)
{
  gtk_spin_button_set_value (window->highpass_spin, 0);
  gtk_spin_button_set_value (window->lowpass_spin, 0);
  gtk_drop_down_set_selected (window->notch_dropdown, 0);
}

/* Longitudinal bipolar on the 64-channel EEG: Fp1−F7 is the difference of
 * the two raw channels, sample for sample, on the page drawn. */
static void
test_bipolar (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  AtomscopeWindow *window = ui_test_open_path (app, path);
  AsRecording *rec = atomscope_window_get_recording (window);
  g_autoptr (AsRecording) page = NULL;
  int fp1 = channel_of (rec, "Fp1."), f7 = channel_of (rec, "F7.."), d;
  double origin;
  gsize s0;

  g_assert_cmpint (fp1, >=, 0);
  g_assert_cmpint (f7, >=, 0);
  /* The application's own icons (the Recording tab, About, the status page) are found. */
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
    g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID));
    g_assert_true (gtk_icon_theme_has_icon (theme, APPLICATION_ID "-symbolic"));
  }
  /* An EEG opens with a clinical viewer's display filters. */
  g_assert_cmpfloat (gtk_spin_button_get_value (window->highpass_spin), ==, 0.5);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->lowpass_spin), ==, 70);
  filters_off (window);
  gtk_drop_down_set_selected (window->montage_dropdown, AS_DERIVATION_BIPOLAR_LONGITUDINAL);
  g_assert_cmpint (atomscope_signal_view_get_montage (window->signal_view), ==,
                   AS_DERIVATION_BIPOLAR_LONGITUDINAL);
  atomscope_signal_view_set_page_start (window->signal_view, 30);
  page = drawn_page (window, &origin);
  g_assert_nonnull (page);
  g_assert_cmpuint (page->n_channels, ==, 18);
  g_assert_cmpfloat (fabs (origin - 30), <, 1.0 / rec->sfreq);
  d = channel_of (page, "Fp1-F7");
  g_assert_cmpint (d, ==, 0);
  s0 = (gsize) llround (origin * rec->sfreq);
  for (gsize t = 0; t < page->n_samples; t++)
    g_assert_cmpfloat (as_recording_channel (page, d)[t], ==,
                       as_recording_channel (rec, fp1)[s0 + t] - as_recording_channel (rec, f7)[s0 + t]);
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *png = ui_test_artifact_path ("browser-bipolar.png");
    UiTestImageStats stats;

    gtk_spin_button_set_value (window->highpass_spin, 0.5);
    gtk_spin_button_set_value (window->lowpass_spin, 70);
    g_clear_pointer (&page, as_recording_unref);
    page = drawn_page (window, NULL);
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (stats.trace_fraction, >, 0.002);
  }
  /* Clinical units: an EEG opens at 7 µV/mm on the monitor's millimetres,
   * and the steps are the clinical ones. */
  {
    double per_mm, ppmm;
    g_object_get (window->signal_view, "sensitivity", &per_mm, "pixels-per-mm", &ppmm, NULL);
    g_assert_cmpfloat (per_mm, ==, 7);
    g_assert_cmpfloat (ppmm, >, 1);
    g_assert_cmpfloat (as_figure_sensitivity_step (7, 1), ==, 10);
    g_assert_cmpfloat (as_figure_sensitivity_step (7, -1), ==, 5);
    g_assert_cmpfloat (as_figure_sensitivity_step (150, 1), ==, 200);
    g_assert_cmpfloat (as_figure_page_length_step (10, 1), ==, 15);
    g_assert_cmpfloat (as_figure_page_length_step (20, 1), ==, 30);
    g_assert_cmpfloat (as_figure_page_length_step (0.5, 1), ==, 1);
  }
  /* The events list: every annotation, filtered by text, a click goes to it. */
  {
    guint n_t1 = 0;
    GtkWidget *row;
    double t_event = -1, start;

    g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, rec->events->len);
    for (guint i = 0; i < rec->events->len; i++)
      {
        const AsEvent *ev = &g_array_index (rec->events, AsEvent, i);
        if (g_str_equal (ev->label, "T1"))
          {
            n_t1++;
            if (t_event < 0)
              t_event = ev->onset + ev->duration / 2;
          }
      }
    g_assert_cmpuint (n_t1, >, 0);
    gtk_editable_set_text (GTK_EDITABLE (window->events_search), "t1");
    /* The search entry reports after a short delay. */
    for (gint64 until = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
         atomscope_window_count_visible_events (window) != n_t1 && g_get_monotonic_time () < until;)
      ui_test_iterate (1);
    g_assert_cmpuint (atomscope_window_count_visible_events (window), ==, n_t1);
    for (row = gtk_widget_get_first_child (GTK_WIDGET (window->events_list)); row != NULL;
         row = gtk_widget_get_next_sibling (row))
      if (gtk_widget_get_child_visible (row))
        break;
    g_assert_nonnull (row);
    g_signal_emit_by_name (window->events_list, "row-activated", row);
    start = atomscope_signal_view_get_page_start (window->signal_view);
    g_assert_cmpfloat (fabs (start + atomscope_signal_view_get_page_length (window->signal_view) / 2 - t_event), <, 0.01);
    /* Paging keys from the browser: one page forward, then back home. */
    g_assert_true (atomscope_signal_view_handle_key (window->signal_view, GDK_KEY_Page_Down));
    g_assert_cmpfloat (fabs (atomscope_signal_view_get_page_start (window->signal_view) - start
                             - atomscope_signal_view_get_page_length (window->signal_view)), <, 1e-9);
    /* The overview strip maps the whole recording onto its width. */
    {
      int w = gtk_widget_get_width (GTK_WIDGET (window->overview_area));
      g_assert_cmpint (w, >, 200);
      g_assert_cmpfloat (fabs (as_figure_overview_time_at (AS_FIGURE_PLOT_LEFT + 0.5 * (w - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT), w, rec)
                               - as_recording_duration (rec) / 2), <, 1e-9);
    }
    g_assert_true (atomscope_signal_view_handle_key (window->signal_view, GDK_KEY_Home));
    g_assert_cmpfloat (atomscope_signal_view_get_page_start (window->signal_view), ==, 0);
    gtk_editable_set_text (GTK_EDITABLE (window->events_search), "");
  }
  /* No ear electrode on this cap: linked ears is refused, the page stays drawable. */
  gtk_drop_down_set_selected (window->montage_dropdown, AS_DERIVATION_LINKED_EARS);
  g_assert_cmpint (atomscope_signal_view_get_montage (window->signal_view), ==, AS_DERIVATION_AS_RECORDED);
  g_assert_cmpuint (gtk_drop_down_get_selected (window->montage_dropdown), ==, AS_DERIVATION_AS_RECORDED);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* Writes a BDF (24-bit EDF) at 256 Hz of the channels @labels: EEG with 10 Hz
 * alpha of 20 µV, 50 Hz mains of 40 µV and DC offsets of ±8000 µV; an "EOG"
 * channel with a 300 µV blink every 4 s, an "ECG" one with a 1 mV beat every
 * second. */
static char *
write_bdf (const char *dir, const char *name, const char *const *labels, int ns)
{
  const int fs = 256, n_records = 30;
  char *path = g_build_filename (dir, name, NULL);
  GString *h = g_string_new (NULL);
  FILE *f;

#define FIELD(width, ...) do { char b[128]; g_snprintf (b, sizeof b, __VA_ARGS__); \
    g_string_append_printf (h, "%-" #width "." #width "s", b); } while (0)
  g_string_append_c (h, (char) 0xff);
  g_string_append (h, "BIOSEMI");
  FIELD (80, "X X X X");
  FIELD (80, "Startdate 01-JAN-2020 X X X");
  FIELD (8, "01.01.20");
  FIELD (8, "10.00.00");
  FIELD (8, "%d", 256 * (ns + 1));
  FIELD (44, "24BIT");
  FIELD (8, "%d", n_records);
  FIELD (8, "1");
  FIELD (4, "%d", ns);
  for (int c = 0; c < ns; c++) FIELD (16, "%s", labels[c]);
  for (int c = 0; c < ns; c++) FIELD (80, "AgAgCl electrode");
  for (int c = 0; c < ns; c++) FIELD (8, "uV");
  for (int c = 0; c < ns; c++) FIELD (8, "-262144");
  for (int c = 0; c < ns; c++) FIELD (8, "262143");
  for (int c = 0; c < ns; c++) FIELD (8, "-8388608");
  for (int c = 0; c < ns; c++) FIELD (8, "8388607");
  for (int c = 0; c < ns; c++) FIELD (80, "HP:DC");
  for (int c = 0; c < ns; c++) FIELD (8, "%d", fs);
  for (int c = 0; c < ns; c++) FIELD (32, " ");
#undef FIELD
  g_assert_cmpuint (h->len, ==, 256 * (ns + 1));
  f = fopen (path, "wb");
  g_assert_nonnull (f);
  fwrite (h->str, 1, h->len, f);
  for (int r = 0; r < n_records; r++)
    for (int c = 0; c < ns; c++)
      for (int i = 0; i < fs; i++)
        {
          double t = r + (double) i / fs;
          double uv = (c % 2 ? -8000.0 : 8000.0) + 20 * sin (2 * G_PI * 10 * t)
                      + 40 * sin (2 * G_PI * 50 * t + c);
          if (g_str_equal (labels[c], "EOG"))
            uv = 300 * exp (-0.5 * pow ((fmod (t, 4.0) - 2.0) / 0.08, 2));
          else if (g_str_equal (labels[c], "ECG"))
            uv = 1000 * exp (-0.5 * pow ((fmod (t, 1.0) - 0.5) / 0.01, 2));
          /* physical = (digital + 0.5) * (262143 + 262144) / (8388607 + 8388608) − 0.5 … */
          double gain = (262143.0 + 262144.0) / (8388607.0 + 8388608.0);
          gint32 d = (gint32) lround ((uv + 262144.0) / gain - 8388608.0);
          guint8 b[3] = { d & 0xff, (d >> 8) & 0xff, (d >> 16) & 0xff };
          fwrite (b, 1, 3, f);
        }
  fclose (f);
  g_string_free (h, TRUE);
  return path;
}

static double
power_at (const double *x, gsize n, double f, double fs)
{
  double c = 0, s = 0;

  for (gsize t = 0; t < n; t++)
    {
      c += x[t] * cos (2 * G_PI * f * t / fs);
      s += x[t] * sin (2 * G_PI * f * t / fs);
    }
  return (c * c + s * s) / ((double) n * n);
}

/* ±8000 µV offsets: with the default display filters the traces are centred
 * and readable; a 50 Hz notch lowers 50 Hz on the page by more than 30 dB. */
static void
test_offsets_and_notch (void)
{
  g_autofree char *dir = g_dir_make_tmp ("atomscope-browser-XXXXXX", NULL);
  static const char *const labels[] = { "Fp1", "Fp2", "C3", "C4" };
  g_autofree char *path = write_bdf (dir, "offsets.bdf", labels, G_N_ELEMENTS (labels));
  AtomscopeWindow *window = ui_test_open_path (app, path);
  AsRecording *rec = atomscope_window_get_recording (window);
  g_autoptr (AsRecording) raw = NULL, page = NULL;
  double before[4];

  g_assert_cmpuint (rec->n_channels, >=, 4);
  g_assert_cmpfloat (fabs (as_recording_channel (rec, 1)[100] + 8000), <, 100);
  atomscope_signal_view_set_page_start (window->signal_view, 10);
  page = drawn_page (window, NULL);
  g_assert_nonnull (page);
  for (guint c = 0; c < 4; c++)
    {
      const double *x = as_recording_channel (page, c);
      double mean = 0, peak = 0;
      for (gsize t = 0; t < page->n_samples; t++)
        {
          mean += x[t] / page->n_samples;
          peak = MAX (peak, fabs (x[t]));
        }
      g_test_message ("channel %u: page mean %.3f µV, peak %.1f µV", c, mean, peak);
      g_assert_cmpfloat (fabs (mean), <, 2);
      g_assert_cmpfloat (peak, <, 80);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *png = ui_test_artifact_path ("browser-offsets.png");
    UiTestImageStats stats;

    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpfloat (stats.trace_fraction, >, 0.002);
  }

  filters_off (window);
  raw = drawn_page (window, NULL);
  for (guint c = 0; c < 4; c++)
    before[c] = power_at (as_recording_channel (raw, c), raw->n_samples, 50, raw->sfreq);
  gtk_drop_down_set_selected (window->notch_dropdown, 1);
  g_clear_pointer (&page, as_recording_unref);
  page = drawn_page (window, NULL);
  for (guint c = 0; c < 4; c++)
    {
      double after = power_at (as_recording_channel (page, c), page->n_samples, 50, page->sfreq);
      g_test_message ("channel %u: 50 Hz lowered by %.1f dB", c, 10 * log10 (before[c] / after));
      g_assert_cmpfloat (10 * log10 (before[c] / after), >, 30);
    }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

/* After learning on the EEG channels, the EOG and ECG channels are still in
 * view, below the learned ones, with the values of the recording through the
 * same display filters. */
static void
test_others_after_learning (void)
{
  static const char *const labels[] = { "Fp1", "Fp2", "C3", "C4", "EOG", "ECG" };
  g_autofree char *dir = g_dir_make_tmp ("atomscope-browser-XXXXXX", NULL);
  g_autofree char *path = write_bdf (dir, "with-eog-ecg.bdf", labels, G_N_ELEMENTS (labels));
  AtomscopeWindow *window = ui_test_open_path (app, path);
  AsRecording *rec = atomscope_window_get_recording (window);
  g_autoptr (AsRecording) page = NULL, expect = NULL;
  AsDisplayFilters filters;
  double origin = 0;
  guint before = atomscope_window_get_learn_count (window);

  g_assert_cmpuint (rec->n_channels, ==, 6);
  g_assert_cmpint (rec->channels[4].type, ==, AS_CHANNEL_EOG);
  g_assert_cmpint (rec->channels[5].type, ==, AS_CHANNEL_ECG);
  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                     before + 1, 120));
  /* Learning used the EEG only… */
  g_assert_true (atomscope_signal_view_get_recording (window->signal_view) != rec);
  g_assert_cmpuint (atomscope_signal_view_get_recording (window->signal_view)->n_channels, ==, 4);
  g_assert_cmpuint (atomscope_signal_view_get_n_others (window->signal_view), ==, 2);
  atomscope_signal_view_set_page_start (window->signal_view, 10);
  page = drawn_page (window, &origin);
  g_assert_nonnull (page);
  /* …and the page shows the 4 learned channels, then EOG and ECG as recorded,
   * through the display filters. */
  g_assert_cmpuint (page->n_channels, ==, 6);
  g_assert_cmpstr (page->channels[4].label, ==, "EOG");
  g_assert_cmpstr (page->channels[5].label, ==, "ECG");
  atomscope_signal_view_get_filters (window->signal_view, &filters);
  expect = as_display_page (rec, NULL, &filters, atomscope_signal_view_get_page_start (window->signal_view),
                            atomscope_signal_view_get_page_length (window->signal_view), NULL, NULL);
  g_assert_nonnull (expect);
  g_assert_cmpuint (expect->n_samples, ==, page->n_samples);
  for (guint c = 4; c < 6; c++)
    {
      const double *x = as_recording_channel (page, c), *y = as_recording_channel (expect, c);
      double peak = 0, err = 0;

      for (gsize t = 0; t < page->n_samples; t++)
        {
          peak = MAX (peak, fabs (y[t]));
          err = MAX (err, fabs (x[t] - y[t]));
        }
      g_test_message ("%s on the page: peak %.1f µV, largest difference from the recording %.3g µV",
                      labels[c], peak, err);
      g_assert_cmpfloat (peak, >, 200);
      g_assert_cmpfloat (err, <, 1e-9 * peak);
    }
  {
    g_autofree char *png = ui_test_artifact_path ("browser-others-after-learning.png");
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, NULL));
  }
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

/* The display filters chosen for EEG come back with the next EEG file, and an
 * eye recording keeps its own. */
static void
test_filters_remembered (void)
{
  g_autofree char *eeg = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autofree char *eye = g_test_build_filename (G_TEST_DIST, "data", "nystagmus_infantile_avramidis_200Hz.csv", NULL);
  AtomscopeWindow *window = ui_test_open_path (app, eeg);
  GSettings *settings = atomscope_application_get_settings (app);
  AsDisplayFilters eye_default;
  AsFilterSpec shown;

  g_settings_reset (settings, "display-filters");
  gtk_spin_button_set_value (window->highpass_spin, 0.3);
  gtk_spin_button_set_value (window->lowpass_spin, 45);
  gtk_drop_down_set_selected (window->notch_dropdown, 2);

  window = ui_test_open_path (app, eye);
  as_display_filters_default (&eye_default, AS_RECORDING_EYE);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->highpass_spin), ==, eye_default.filter.highpass);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->lowpass_spin), ==, eye_default.filter.lowpass);

  window = ui_test_open_path (app, eeg);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->highpass_spin), ==, 0.3);
  g_assert_cmpfloat (gtk_spin_button_get_value (window->lowpass_spin), ==, 45);
  g_assert_cmpuint (gtk_drop_down_get_selected (window->notch_dropdown), ==, 2);
  /* …and the view draws with them. */
  {
    AsDisplayFilters f;
    atomscope_signal_view_get_filters (window->signal_view, &f);
    shown = f.filter;
  }
  g_assert_cmpfloat (shown.highpass, ==, 0.3);
  g_assert_cmpfloat (shown.lowpass, ==, 45);
  g_assert_cmpfloat (shown.notch, ==, 60);
  g_settings_reset (settings, "display-filters");
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
}

/* The channel list: a hidden channel leaves the page, a channel marked bad
 * stays drawn but is left out of learning, and what was not learned stays below. */
static void
test_channel_list (void)
{
  static const char *const labels[] = { "Fp1", "Fp2", "C3", "C4", "EOG", "ECG" };
  g_autofree char *dir = g_dir_make_tmp ("atomscope-browser-XXXXXX", NULL);
  g_autofree char *path = write_bdf (dir, "channels.bdf", labels, G_N_ELEMENTS (labels));
  AtomscopeWindow *window = ui_test_open_path (app, path);
  g_autoptr (AsRecording) page = NULL;
  AsRecording *learned;
  guint before = atomscope_window_get_learn_count (window);

  atomscope_window_set_channel_shown (window, "EOG", FALSE);
  atomscope_window_set_channel_bad (window, "C3", TRUE);
  page = drawn_page (window, NULL);
  g_assert_cmpuint (page->n_channels, ==, 5);
  g_assert_cmpint (channel_of (page, "EOG"), ==, -1);
  g_assert_cmpint (channel_of (page, "C3"), ==, 2);
  g_assert_cmpint (channel_of (page, "ECG"), ==, 4);

  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window,
                                     before + 1, 120));
  learned = atomscope_signal_view_get_recording (window->signal_view);
  g_assert_cmpuint (learned->n_channels, ==, 3);
  g_assert_cmpint (channel_of (learned, "C3"), ==, -1);
  g_clear_pointer (&page, as_recording_unref);
  page = drawn_page (window, NULL);
  /* Fp1, Fp2, C4 learned, then ECG; EOG still hidden. */
  g_assert_cmpuint (page->n_channels, ==, 4);
  g_assert_cmpint (channel_of (page, "ECG"), ==, 3);
  g_assert_cmpint (channel_of (page, "EOG"), ==, -1);
  {
    g_autofree char *png = ui_test_artifact_path ("browser-channels.png");
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, NULL));
  }
  /* Shown again. */
  atomscope_window_set_channel_shown (window, "EOG", TRUE);
  g_clear_pointer (&page, as_recording_unref);
  page = drawn_page (window, NULL);
  g_assert_cmpuint (page->n_channels, ==, 5);
  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/browser/bipolar", test_bipolar);
  g_test_add_func ("/ui/browser/offsets-and-notch", test_offsets_and_notch);
  g_test_add_func ("/ui/browser/others-after-learning", test_others_after_learning);
  g_test_add_func ("/ui/browser/filters-remembered", test_filters_remembered);
  g_test_add_func ("/ui/browser/channel-list", test_channel_list);
  return g_test_run ();
}
