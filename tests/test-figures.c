/* test-figures.c: the shared axis and tick model, and Pango text, without a display.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-figure.h"
#include "as-figure-axis.h"
#include "as-figure-text.h"
#include "as-figure-atoms.h"
#include "as-figure-model.h"

static guint
majors (const AsFigureTick *t, guint n, double *values, char labels[][40])
{
  guint m = 0;

  for (guint i = 0; i < n; i++)
    if (t[i].major)
      {
        values[m] = t[i].value;
        strcpy (labels[m++], t[i].label);
      }
  return m;
}

static void
test_linear_ticks (void)
{
  AsFigureTick t[AS_FIGURE_MAX_TICKS];
  AsFigureAxis axis = { 0, 0.3, FALSE, NULL };
  double v[AS_FIGURE_MAX_TICKS];
  char l[AS_FIGURE_MAX_TICKS][40];
  guint n = as_figure_axis_ticks (&axis, 6, t, AS_FIGURE_MAX_TICKS), m = majors (t, n, v, l);

  /* 0, 0.05, …, 0.30: a 1-2-5 step, both ends included, two decimals everywhere. */
  g_assert_cmpuint (m, ==, 7);
  for (guint i = 0; i < m; i++)
    g_assert_cmpfloat (fabs (v[i] - 0.05 * i), <, 1e-12);
  g_assert_cmpstr (l[0], ==, "0");
  g_assert_cmpstr (l[1], ==, "0.05");
  g_assert_cmpstr (l[2], ==, "0.10");
  g_assert_cmpstr (l[6], ==, "0.30");

  /* Negative values carry a true minus sign; steps of 2. */
  axis = (AsFigureAxis) { -7, 7, FALSE, NULL };
  n = as_figure_axis_ticks (&axis, 7, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (m, ==, 7);
  g_assert_cmpstr (l[0], ==, "\u22126");
  g_assert_cmpstr (l[3], ==, "0");
  g_assert_cmpstr (l[6], ==, "6");

  /* Large values: m × 10ⁿ. */
  axis = (AsFigureAxis) { 0, 3e6, FALSE, NULL };
  n = as_figure_axis_ticks (&axis, 3, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (m, ==, 4);
  g_assert_cmpstr (l[1], ==, "10\u2076");
  g_assert_cmpstr (l[2], ==, "2\u00d710\u2076");
}

static void
test_log_ticks (void)
{
  AsFigureTick t[AS_FIGURE_MAX_TICKS];
  AsFigureAxis axis = { 1e-12, 1, TRUE, NULL };
  double v[AS_FIGURE_MAX_TICKS];
  char l[AS_FIGURE_MAX_TICKS][40];
  guint n, m;

  /* Twelve decades in about six labels: every other power of ten. */
  n = as_figure_axis_ticks (&axis, 6, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (m, ==, 7);
  g_assert_cmpfloat (fabs (log10 (v[0]) + 12), <, 1e-9);
  g_assert_cmpstr (l[0], ==, "10\u207b\u00b9\u00b2");
  g_assert_cmpstr (l[6], ==, "10\u2070");
  for (guint i = 1; i < m; i++)
    g_assert_cmpfloat (fabs (log10 (v[i] / v[i - 1]) - 2), <, 1e-9);

  /* Fifteen decades with their minor ticks: the largest powers are labelled too. */
  axis = (AsFigureAxis) { 1e-14, 1, TRUE, NULL };
  n = as_figure_axis_ticks (&axis, 22, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (m, ==, 15);
  g_assert_cmpstr (l[14], ==, "10\u2070");
  g_assert_cmpstr (l[13], ==, "10\u207b\u00b9");

  /* Two decades: 1, 2, 5 × 10ⁿ labelled, in plain numbers, minor ticks between. */
  axis = (AsFigureAxis) { 1, 100, TRUE, NULL };
  n = as_figure_axis_ticks (&axis, 8, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (n, ==, 19);
  g_assert_cmpuint (m, ==, 7);
  g_assert_cmpstr (l[0], ==, "1");
  g_assert_cmpstr (l[1], ==, "2");
  g_assert_cmpstr (l[2], ==, "5");
  g_assert_cmpstr (l[3], ==, "10");
  g_assert_cmpstr (l[6], ==, "100");

  /* Under a decade: linear steps placed on the log scale. */
  axis = (AsFigureAxis) { 2, 6, TRUE, NULL };
  n = as_figure_axis_ticks (&axis, 4, t, AS_FIGURE_MAX_TICKS);
  m = majors (t, n, v, l);
  g_assert_cmpuint (m, ==, 5);
  g_assert_cmpfloat (fabs (as_figure_axis_fraction (&axis, 4) - log10 (2) / log10 (3)), <, 1e-12);
}

/* Dark pixels in a rectangle of an ARGB32 surface painted black on white. */
static guint
ink (cairo_surface_t *s, int x0, int y0, int x1, int y1)
{
  const guint8 *px = cairo_image_surface_get_data (s);
  int stride = cairo_image_surface_get_stride (s);
  guint n = 0;

  cairo_surface_flush (s);
  for (int y = MAX (y0, 0); y < MIN (y1, cairo_image_surface_get_height (s)); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, cairo_image_surface_get_width (s)); x++)
      if ((((const guint32 *) (px + (gsize) y * stride))[x] & 0xff) < 128)
        n++;
  return n;
}

static void
test_axis_drawn (void)
{
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 400, 300);
  cairo_t *cr = cairo_create (s);
  AsFigureStyle style;
  AsFigureAxis x = { 0, 10, FALSE, "time (s)" }, y = { 1e-6, 1, TRUE, "gap" };
  AsFigureRect plot = { 80, 20, 300, 220 };
  double room_x, room_y, w, h, w2;

  as_figure_style_init_light (&style);
  as_figure_set_color (cr, &style.background);
  cairo_paint (cr);
  room_x = as_figure_draw_axis (cr, &style, &x, AS_FIGURE_AXIS_BOTTOM, &plot, 1.0, AS_FIGURE_AXIS_GRID);
  room_y = as_figure_draw_axis (cr, &style, &y, AS_FIGURE_AXIS_LEFT, &plot, 1.0, AS_FIGURE_AXIS_GRID);

  /* Labels and titles take room under and left of the plot, and are drawn there. */
  g_assert_cmpfloat (room_x, >, 1.5 * style.font_size);
  g_assert_cmpfloat (room_x, <, 4 * style.font_size);
  g_assert_cmpfloat (room_y, >, 2 * style.font_size);
  g_assert_cmpuint (ink (s, 80, 245, 380, 300), >, 100);       /* x tick labels and title */
  g_assert_cmpuint (ink (s, 0, 20, 76, 240), >, 100);          /* y tick labels and title */
  g_assert_cmpuint (ink (s, 0, 0, 400, 16), ==, 0);            /* nothing above the plot */

  /* Pango metrics: text grows with its scale; a Unicode label has a width. */
  as_figure_text_size (cr, &style, 1.0, 0, "10 µV", &w, &h);
  as_figure_text_size (cr, &style, 2.0, 0, "10 µV", &w2, NULL);
  g_assert_cmpfloat (w, >, 2 * style.font_size);
  g_assert_cmpfloat (fabs (w2 / w - 2), <, 0.15);
  g_assert_cmpfloat (h, >, style.font_size);
  g_assert_cmpfloat (h, <, 2 * style.font_size);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

/* The atoms figure of a 2-D model shows each atom as a picture: atom k of a grey model has
 * one lit pixel at (k, k), which must come out in the colour of the largest value at that
 * place of its tile, and in the colour of zero elsewhere. */
static void
test_image_atoms_figure (void)
{
  const AsCscShape shape = { 4, 1, 20, 20, 5, 5 };
  AsCdlModel *model = as_cdl_model_new (&shape, 1, FALSE, TRUE);
  AsFigureAtoms *atoms;
  AsFigureStyle style;
  const double width = 400, fs_room = 3.2;
  double height, hot[3], zero[3];
  cairo_surface_t *s;
  cairo_t *cr;

  for (guint k = 0; k < 4; k++)
    model->atoms[k * 25 + k * 5 + k] = 1.0;
  atoms = as_figure_atoms_new (model, 0, 0.1);
  as_figure_style_init_light (&style);
  height = as_figure_atoms_figure_height (atoms, width);
  /* Two rows of two square tiles under the title. */
  g_assert_cmpfloat (height, >=, 2 * width / 2);
  g_assert_cmpfloat (height, <, 2 * width / 2 + 6 * style.font_size);
  s = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) ceil (height));
  cr = cairo_create (s);
  as_figure_draw_atoms_figure (cr, width, height, &style, atoms, "image atoms");
  cairo_surface_flush (s);
  as_figure_diverging_color (1.0, &hot[0], &hot[1], &hot[2]);
  as_figure_diverging_color (0.0, &zero[0], &zero[1], &zero[2]);
  for (guint k = 0; k < 4; k++)
    for (guint i = 0; i < 5; i++)
      {
        const double cell = (width / 2 - 8) / 5;
        const int x = (int) ((k % 2) * width / 2 + 4 + (i + 0.5) * cell);
        const int y = (int) (fs_room * style.font_size + (k / 2) * width / 2 + 4 + (i + 0.5) * cell);
        const guint32 px = ((const guint32 *) (cairo_image_surface_get_data (s)
                                               + (gsize) y * cairo_image_surface_get_stride (s)))[x];
        const double *want = i == k ? hot : zero;
        g_assert_cmpfloat (fabs (((px >> 16) & 0xff) / 255.0 - want[0]), <, 0.02);
        g_assert_cmpfloat (fabs (((px >> 8) & 0xff) / 255.0 - want[1]), <, 0.02);
        g_assert_cmpfloat (fabs ((px & 0xff) / 255.0 - want[2]), <, 0.02);
      }
  g_assert_true (fabs (hot[0] - zero[0]) + fabs (hot[1] - zero[1]) + fabs (hot[2] - zero[2]) > 0.2);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
  as_figure_atoms_unref (atoms);
  as_cdl_model_unref (model);
}

/* A dense page of many channels: the trace columns written straight into an image
 * surface's pixels are the pixels cairo draws for the same figure replayed from a
 * recording surface (its own path), a bad channel's translucent trace included, and
 * both show each channel's extremes in every pixel column. */
static void
test_dense_signals_direct (void)
{
  const int width = 900, height = 700;
  g_autoptr (AsRecording) rec = as_recording_new (24, 5000, 250);
  const char *const bad[] = { "C5", NULL };
  AsFigureSignalOptions options = { .selected_atom = -1, .bad = bad };
  AsFigureStyle style;
  cairo_surface_t *direct, *recording, *replayed;
  cairo_t *cr;
  guint differ = 0, lit = 0;

  for (guint c = 0; c < rec->n_channels; c++)
    {
      g_autofree char *label = g_strdup_printf ("C%u", c);
      double *x = as_recording_channel (rec, c);

      as_recording_set_channel (rec, c, label, "uV", AS_CHANNEL_EEG);
      for (gsize t = 0; t < rec->n_samples; t++)
        x[t] = 30 * sin (2 * G_PI * (3 + c) * t / 250.0) + 10 * sin (0.37 * t * t / 5000.0);
    }
  as_figure_style_init_light (&style);
  direct = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (direct);
  as_figure_draw_signals_full (cr, width, height, &style, rec, 0, 20, &options);
  cairo_destroy (cr);
  cairo_surface_flush (direct);

  recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
  cr = cairo_create (recording);
  as_figure_draw_signals_full (cr, width, height, &style, rec, 0, 20, &options);
  cairo_destroy (cr);
  replayed = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (replayed);
  cairo_set_source_surface (cr, recording, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (replayed);

  for (int y = 0; y < height; y++)
    for (int x = AS_FIGURE_PLOT_LEFT; x < width - AS_FIGURE_PLOT_RIGHT; x++)
      {
        guint32 a = ((guint32 *) (cairo_image_surface_get_data (direct)
                                  + (gsize) y * cairo_image_surface_get_stride (direct)))[x];
        guint32 b = ((guint32 *) (cairo_image_surface_get_data (replayed)
                                  + (gsize) y * cairo_image_surface_get_stride (replayed)))[x];
        for (int shift = 0; shift < 32; shift += 8)
          if (abs ((int) ((a >> shift) & 0xff) - (int) ((b >> shift) & 0xff)) > 1)
            {
              differ++;
              break;
            }
        lit += ((a >> 16) & 0xff) < 0x80 && (a & 0xff) > 0x80;   /* the light style's blue trace */
      }
  g_test_message ("%u pixels differ, %u trace pixels", differ, lit);
  g_assert_cmpuint (lit, >, 24 * (width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT));
  g_assert_cmpuint (differ, ==, 0);
  cairo_surface_destroy (direct);
  cairo_surface_destroy (recording);
  cairo_surface_destroy (replayed);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/figures/ticks/linear", test_linear_ticks);
  g_test_add_func ("/figures/ticks/log", test_log_ticks);
  g_test_add_func ("/figures/axis/drawn", test_axis_drawn);
  g_test_add_func ("/figures/atoms/image", test_image_atoms_figure);
  g_test_add_func ("/figures/signals/dense-direct", test_dense_signals_direct);
  return g_test_run ();
}
