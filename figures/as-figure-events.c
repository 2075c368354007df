/* as-figure-events.c: peri-event raster, histogram and fitted intensity.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>
#include <pango/pangocairo.h>

#include "as-figure-axis.h"
#include "as-figure-events.h"

typedef struct
{
  double x, y, w, h;      /* plot area in user units */
  double t0, t1;          /* time axis (s from the event) */
  double y0, y1;          /* value axis, bottom to top */
} Panel;

static double
px (const Panel *p, double t)
{
  return p->x + (t - p->t0) / (p->t1 - p->t0) * p->w;
}

static double
py (const Panel *p, double v)
{
  return p->y + p->h - (v - p->y0) / (p->y1 - p->y0) * p->h;
}

/* Text with its anchor at (@x, @y): @ax, @ay = 0 left/top, 0.5 centre, 1 right/bottom. */
static void
text_at (cairo_t *cr, const AsFigureStyle *style, double x, double y, double ax, double ay,
         double scale, gboolean bold, const char *text)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_from_string ("Sans");
  int w, h;

  pango_font_description_set_absolute_size (font, style->font_size * scale * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  as_figure_set_color (cr, &style->foreground);
  cairo_move_to (cr, x - ax * w, y - ay * h);
  pango_cairo_show_layout (cr, layout);
  pango_font_description_free (font);
  g_object_unref (layout);
}

static void
format_tick (char *buf, gsize len, double v, double step)
{
  if (fabs (v) < 1e-9 * step)
    v = 0;
  g_snprintf (buf, len, "%g", v);
}

/* Frame, grid lines and tick labels of a panel; time ticks only when @time_labels. */
static void
draw_axes (cairo_t *cr, const AsFigureStyle *style, const Panel *p, gboolean time_labels,
           gboolean value_ticks)
{
  double step = as_figure_nice_step (p->t1 - p->t0, 6);
  char buf[32];

  cairo_set_line_width (cr, 1.0);
  as_figure_set_color (cr, &style->grid);
  for (double t = ceil (p->t0 / step) * step; t <= p->t1 + 1e-9 * step; t += step)
    {
      cairo_move_to (cr, floor (px (p, t)) + 0.5, p->y);
      cairo_line_to (cr, floor (px (p, t)) + 0.5, p->y + p->h);
      cairo_stroke (cr);
      if (time_labels)
        {
          format_tick (buf, sizeof buf, t, step);
          text_at (cr, style, px (p, t), p->y + p->h + 3, 0.5, 0.0, 0.9, FALSE, buf);
          as_figure_set_color (cr, &style->grid);
        }
    }
  if (value_ticks)
    {
      double vstep = as_figure_nice_step (p->y1 - p->y0, 4);
      for (double v = ceil (p->y0 / vstep) * vstep; v <= p->y1 + 1e-9 * vstep; v += vstep)
        {
          as_figure_set_color (cr, &style->grid);
          cairo_move_to (cr, p->x, floor (py (p, v)) + 0.5);
          cairo_line_to (cr, p->x + p->w, floor (py (p, v)) + 0.5);
          cairo_stroke (cr);
          format_tick (buf, sizeof buf, v, vstep);
          text_at (cr, style, p->x - 4, py (p, v), 1.0, 0.5, 0.9, FALSE, buf);
        }
    }
  as_figure_set_color (cr, &style->foreground);
  cairo_rectangle (cr, floor (p->x) + 0.5, floor (p->y) + 0.5, floor (p->w), floor (p->h));
  cairo_stroke (cr);
}

/* The kernel's support, shaded, and the event at 0. */
static void
draw_event_marks (cairo_t *cr, const AsFigureStyle *style, const Panel *p, double a, double b)
{
  AsColor shade = style->event;
  double xa = px (p, MAX (a, p->t0)), xb = px (p, MIN (b, p->t1));

  shade.a = 0.10;
  if (xb > xa)
    {
      as_figure_set_color (cr, &shade);
      cairo_rectangle (cr, xa, p->y, xb - xa, p->h);
      cairo_fill (cr);
    }
  if (p->t0 <= 0 && p->t1 >= 0)
    {
      as_figure_set_color (cr, &style->event);
      cairo_set_line_width (cr, 1.5);
      cairo_move_to (cr, px (p, 0), p->y);
      cairo_line_to (cr, px (p, 0), p->y + p->h);
      cairo_stroke (cr);
    }
}

void
as_figure_draw_events (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                       const AsDrippAnalysis *analysis, guint row_index, double pre, double post,
                       double bin)
{
  const AsDrippRow *row;
  const AsDrippEventType *type;
  const GArray *amp;
  g_autoptr (GArray) rel = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) trial = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) idx = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *title = NULL, *subtitle = NULL;
  g_autofree double *counts = NULL;
  const double fs = style->font_size;
  const double left = 4.2 * fs, right = 1.5 * fs, top = 3.6 * fs, bottom = 3.4 * fs, gap = 1.2 * fs;
  Panel raster, hist;
  double amp_max = 0, rate_max, a, b;
  guint n_bins, n_events;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (analysis == NULL || row_index >= analysis->rows->len || !(pre + post > 0)
      || width < 10 * fs || height < 12 * fs)
    return;
  row = &g_array_index (analysis->rows, AsDrippRow, row_index);
  type = analysis->event_types->pdata[row->event_type];
  amp = analysis->amplitudes->pdata[row->atom];
  n_events = type->onsets->len;
  a = analysis->params.a;
  b = analysis->params.b;
  if (!(bin > 0))
    bin = (pre + post) / 40.0;
  n_bins = (guint) MAX (1.0, ceil ((pre + post) / bin - 1e-9));

  /* occurrences around each event, with their amplitudes as marks */
  as_dripp_peri_event (analysis, row->atom, row->event_type, pre, post, rel, trial, idx);
  for (guint i = 0; i < amp->len; i++)
    amp_max = MAX (amp_max, fabs (g_array_index (amp, double, i)));

  counts = g_new0 (double, n_bins);
  for (guint i = 0; i < rel->len; i++)
    {
      double d = g_array_index (rel, double, i);
      gint k = (gint) floor ((d + pre) / bin);
      if (k >= 0 && (guint) k < n_bins)
        counts[k] += 1.0;
    }
  rate_max = row->fit.mu + row->fit.alpha * as_dripp_kernel (CLAMP (row->fit.m, a, b), row->fit.m,
                                                             row->fit.sigma, a, b);
  for (guint k = 0; k < n_bins; k++)
    {
      counts[k] /= MAX (n_events, 1) * bin;   /* occurrences/s */
      rate_max = MAX (rate_max, counts[k]);
    }
  rate_max = rate_max > 0 ? 1.1 * rate_max : 1.0;

  /* titles */
  title = g_strdup_printf (_("Atom %u — events “%s” (%u)"), row->atom + 1, type->label, n_events);
  subtitle = g_strdup_printf (_("μ = %.3g /s   α = %.3g   m = %.3g s   σ = %.3g s   p = %.2g"),
                              row->fit.mu, row->fit.alpha, row->fit.m, row->fit.sigma,
                              row->fit.p_value);
  text_at (cr, style, left, 0.4 * fs, 0, 0, 1.1, TRUE, title);
  text_at (cr, style, left, 1.9 * fs, 0, 0, 0.95, FALSE, subtitle);

  raster = (Panel) { left, top, width - left - right, 0.5 * (height - top - bottom - gap),
                     -pre, post, -0.5, n_events - 0.5 };
  hist = raster;
  hist.y = raster.y + raster.h + gap;
  hist.h = height - bottom - hist.y;
  hist.y0 = 0;
  hist.y1 = rate_max;

  /* raster: one row per event, first event on top; a tick per occurrence, darker when
   * its amplitude is larger */
  draw_event_marks (cr, style, &raster, a, b);
  {
    double tick_h = MAX (1.0, MIN (0.7 * raster.h / MAX (n_events, 1), 1.2 * fs));
    cairo_set_line_width (cr, MAX (1.0, 0.15 * fs));
    for (guint i = 0; i < rel->len; i++)
      {
        AsColor c = style->trace;
        double d = g_array_index (rel, double, i);
        guint j = g_array_index (trial, guint, i), o = g_array_index (idx, guint, i);
        double y = raster.y + (j + 0.5) / MAX (n_events, 1) * raster.h;
        c.a = amp_max > 0 ? 0.35 + 0.65 * fabs (g_array_index (amp, double, o)) / amp_max : 1.0;
        as_figure_set_color (cr, &c);
        cairo_move_to (cr, px (&raster, d), y - tick_h / 2);
        cairo_line_to (cr, px (&raster, d), y + tick_h / 2);
        cairo_stroke (cr);
      }
  }
  draw_axes (cr, style, &raster, FALSE, FALSE);
  text_at (cr, style, left - 4, raster.y, 1.0, 0.0, 0.9, FALSE, "1");
  {
    char buf[16];
    g_snprintf (buf, sizeof buf, "%u", n_events);
    text_at (cr, style, left - 4, raster.y + raster.h, 1.0, 1.0, 0.9, FALSE, buf);
  }
  cairo_save (cr);
  cairo_translate (cr, 0.6 * fs, raster.y + raster.h / 2);
  cairo_rotate (cr, -G_PI / 2);
  text_at (cr, style, 0, 0, 0.5, 0.0, 0.9, FALSE, _("event"));
  cairo_restore (cr);

  /* histogram in occurrences/s, the fitted intensity on top, the baseline dashed */
  draw_event_marks (cr, style, &hist, a, b);
  {
    AsColor bar = style->trace;
    bar.a = 0.45;
    as_figure_set_color (cr, &bar);
    for (guint k = 0; k < n_bins; k++)
      {
        double t0 = -pre + k * bin, t1 = MIN (post, t0 + bin);
        if (counts[k] <= 0)
          continue;
        cairo_rectangle (cr, px (&hist, t0), py (&hist, counts[k]), px (&hist, t1) - px (&hist, t0),
                         py (&hist, 0) - py (&hist, counts[k]));
      }
    cairo_fill (cr);
  }
  draw_axes (cr, style, &hist, TRUE, TRUE);
  {
    const int n = 400;
    double dashes[] = { 4.0, 3.0 };

    as_figure_set_color (cr, &style->reconstruction);
    cairo_set_line_width (cr, 2.0);
    for (int i = 0; i <= n; i++)
      {
        double t = -pre + (pre + post) * i / n;
        double lam = as_dripp_row_intensity (analysis, row, t);
        if (i == 0)
          cairo_move_to (cr, px (&hist, t), py (&hist, MIN (lam, hist.y1)));
        else
          cairo_line_to (cr, px (&hist, t), py (&hist, MIN (lam, hist.y1)));
      }
    cairo_stroke (cr);
    cairo_set_dash (cr, dashes, 2, 0);
    cairo_set_line_width (cr, 1.0);
    cairo_move_to (cr, hist.x, py (&hist, row->fit.mu));
    cairo_line_to (cr, hist.x + hist.w, py (&hist, row->fit.mu));
    cairo_stroke (cr);
    cairo_set_dash (cr, NULL, 0, 0);
  }
  cairo_save (cr);
  cairo_translate (cr, 0.6 * fs, hist.y + hist.h / 2);
  cairo_rotate (cr, -G_PI / 2);
  text_at (cr, style, 0, 0, 0.5, 0.0, 0.9, FALSE, _("occurrences/s"));
  cairo_restore (cr);
  text_at (cr, style, hist.x + hist.w / 2, height - 0.2 * fs, 0.5, 1.0, 0.9, FALSE,
           _("time from the event (s)"));
  text_at (cr, style, hist.x + hist.w, hist.y - 2, 1.0, 1.0, 0.85, FALSE,
           _("fitted intensity μ + ακ(t)"));
}
