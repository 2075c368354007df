/* as-figure-events.c: peri-event raster, histogram and fitted intensity.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "as-figure-axis.h"
#include "as-figure-events.h"
#include "as-figure-text.h"

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

/* Text with its anchor at (@x, @y) through the shared Pango text routine. */
static void
text_at (cairo_t *cr, const AsFigureStyle *style, double x, double y, double ax, double ay,
         double scale, gboolean bold, const char *text)
{
  as_figure_set_color (cr, &style->foreground);
  as_figure_text (cr, style, scale, bold ? AS_FIGURE_TEXT_BOLD : AS_FIGURE_TEXT_NORMAL, text, x,
                  y, ax, ay);
}

/* The shared axes: time along the bottom (labelled only under the histogram), the value
 * on the left when @y_title is set; frame around the plot. */
static void
draw_axes (cairo_t *cr, const AsFigureStyle *style, const Panel *p, gboolean time_labels,
           const char *y_title)
{
  const AsFigureRect plot = { p->x, p->y, p->w, p->h };
  const AsFigureAxis x_axis = { p->t0, p->t1, FALSE, time_labels ? _("time from the event (s)") : NULL };
  const AsFigureAxis y_axis = { p->y0, p->y1, FALSE, y_title };

  as_figure_draw_axis (cr, style, &x_axis, AS_FIGURE_AXIS_BOTTOM, &plot, 0.9,
                       AS_FIGURE_AXIS_GRID | (time_labels ? 0 : AS_FIGURE_AXIS_NO_LABELS));
  if (y_title != NULL)
    as_figure_draw_axis (cr, style, &y_axis, AS_FIGURE_AXIS_LEFT, &plot, 0.9, AS_FIGURE_AXIS_GRID);
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
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

static double
legend_height (double fs)
{
  return 4 * 1.35 * 0.85 * fs + 0.6 * fs;
}

/* The legend, in the histogram's top right corner on a veil: fitted intensity, baseline,
 * histogram bins and the kernel's support. */
static void
draw_legend (cairo_t *cr, const AsFigureStyle *style, const Panel *p, double a, double b,
             double bin)
{
  const double fs = style->font_size, scale = 0.85, line = 1.35 * scale * fs, key = 1.8 * fs;
  g_autofree char *bins = g_strdup_printf (_("occurrences per event and second, bins of %.3g s"), bin);
  g_autofree char *support = g_strdup_printf (_("kernel support [%g, %g] s after the event"), a, b);
  const char *labels[4] = { _("fitted intensity λ(t) = μ + ακ(t)"), _("baseline μ"), bins, support };
  double w = 0, h = legend_height (fs), x, y;
  AsColor veil = style->background, bar = style->trace, shade = style->event;
  double dashes[] = { 4.0, 3.0 };

  for (int i = 0; i < 4; i++)
    {
      double tw, th;
      as_figure_text_size (cr, style, scale, AS_FIGURE_TEXT_NORMAL, labels[i], &tw, &th);
      w = MAX (w, tw);
    }
  w += key + 1.2 * fs;
  x = p->x + p->w - w - 0.4 * fs;
  y = p->y + 0.4 * fs;
  if (x < p->x)
    x = p->x;
  veil.a = 0.85;
  as_figure_set_color (cr, &veil);
  cairo_rectangle (cr, x, y, w, h);
  cairo_fill (cr);
  x += 0.4 * fs;
  y += 0.3 * fs;
  for (int i = 0; i < 4; i++)
    {
      double cy = y + (i + 0.5) * line;
      switch (i)
        {
        case 0:
        case 1:
          as_figure_set_color (cr, &style->reconstruction);
          cairo_set_line_width (cr, i == 0 ? 2.0 : 1.0);
          if (i == 1)
            cairo_set_dash (cr, dashes, 2, 0);
          cairo_move_to (cr, x, cy);
          cairo_line_to (cr, x + key, cy);
          cairo_stroke (cr);
          cairo_set_dash (cr, NULL, 0, 0);
          break;
        case 2:
          bar.a = 0.45;
          as_figure_set_color (cr, &bar);
          cairo_rectangle (cr, x + 0.2 * key, cy - 0.35 * line, 0.6 * key, 0.7 * line);
          cairo_fill (cr);
          break;
        default:
          shade.a = 0.25;
          as_figure_set_color (cr, &shade);
          cairo_rectangle (cr, x, cy - 0.35 * line, key, 0.7 * line);
          cairo_fill (cr);
          break;
        }
      text_at (cr, style, x + key + 0.5 * fs, cy, 0.0, 0.5, scale, FALSE, labels[i]);
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
  title = g_strdup_printf (_("Atom %u — events “%s”: %u events, %u occurrences of the atom"),
                           row->atom + 1, type->label, n_events,
                           (guint) row->fit.n_occurrences);
  {
    /* a jitter on its lower bound is at most that bound (docs/dripp.md) */
    const double sigma_min = analysis->params.sigma_min > 0 ? analysis->params.sigma_min
                                                            : (b - a) / 20.0;
    const gboolean at_bound = row->fit.sigma <= sigma_min * (1 + 1e-6);
    /* without excitation the kernel has no latency nor jitter to speak of */
    if (!as_dripp_fit_excited (&row->fit))
      subtitle = g_strdup_printf (_("μ = %.3g /s   α = %.2g (no excitation: no latency or jitter)   p = %.2g   q = %.2g"),
                                  row->fit.mu, row->fit.alpha, row->fit.p_value, row->q_value);
    else
      subtitle = g_strdup_printf (at_bound
                                  ? _("μ = %.3g /s   α = %.3g   m = %.3g s   σ ≤ %.3g s   p = %.2g   q = %.2g")
                                  : _("μ = %.3g /s   α = %.3g   m = %.3g s   σ = %.3g s   p = %.2g   q = %.2g"),
                                  row->fit.mu, row->fit.alpha, row->fit.m, row->fit.sigma,
                                  row->fit.p_value, row->q_value);
  }
  text_at (cr, style, left, 0.4 * fs, 0, 0, 1.1, TRUE, title);
  /* without occurrences, m and σ are no estimate: the plot says why instead */
  if (row->fit.n_occurrences > 0)
    text_at (cr, style, left, 1.9 * fs, 0, 0, 0.95, FALSE, subtitle);

  raster = (Panel) { left, top, width - left - right, 0.5 * (height - top - bottom - gap),
                     -pre, post, -0.5, n_events - 0.5 };
  hist = raster;
  hist.y = raster.y + raster.h + gap;
  hist.h = height - bottom - hist.y;
  hist.y0 = 0;
  /* headroom above the tallest bar for the legend */
  hist.y1 = rate_max / MAX (0.4, 1.0 - (legend_height (fs) + 0.8 * fs) / MAX (hist.h, 1.0));

  /* raster: one row per event, first event on top; a tick per occurrence, darker when
   * its amplitude is larger */
  draw_event_marks (cr, style, &raster, a, b);
  {
    double tick_h = MAX (1.0, MIN (0.7 * raster.h / MAX (n_events, 1), 1.2 * fs));
    cairo_set_line_width (cr, MAX (1.5, 0.2 * fs));
    for (guint i = 0; i < rel->len; i++)
      {
        AsColor c = style->trace;
        double d = g_array_index (rel, double, i);
        guint j = g_array_index (trial, guint, i), o = g_array_index (idx, guint, i);
        double y = raster.y + (j + 0.5) / MAX (n_events, 1) * raster.h;
        c.a = amp_max > 0 ? 0.5 + 0.5 * fabs (g_array_index (amp, double, o)) / amp_max : 1.0;
        as_figure_set_color (cr, &c);
        cairo_move_to (cr, px (&raster, d), y - tick_h / 2);
        cairo_line_to (cr, px (&raster, d), y + tick_h / 2);
        cairo_stroke (cr);
      }
  }
  draw_axes (cr, style, &raster, FALSE, NULL);
  text_at (cr, style, left - 4, raster.y, 1.0, 0.0, 0.9, FALSE, "1");
  {
    char buf[16];
    g_snprintf (buf, sizeof buf, "%u", n_events);
    text_at (cr, style, left - 4, raster.y + raster.h, 1.0, 1.0, 0.9, FALSE, buf);
  }
  as_figure_set_color (cr, &style->foreground);
  as_figure_text_upwards (cr, style, 0.9, AS_FIGURE_TEXT_NORMAL, _("event"), 0.4 * fs,
                          raster.y + raster.h / 2, 0.5, 0.0);

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
  draw_axes (cr, style, &hist, TRUE, _("occurrences/s"));
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
  draw_legend (cr, style, &hist, a, b, bin);
  if (row->fit.n_occurrences == 0)
    text_at (cr, style, raster.x + raster.w / 2, raster.y + raster.h / 2, 0.5, 0.5, 1.0, FALSE,
             _("This atom has no occurrence: nothing to fit"));
}

typedef struct
{
  const AsFigureStyle   *style;
  const AsDrippAnalysis *analysis;
  guint                  row;
  double                 pre, post;
} EventsFigure;

static void
draw_events_figure (cairo_t *cr, double width, double height, gpointer user_data)
{
  EventsFigure *f = user_data;

  as_figure_draw_events (cr, width, height, f->style, f->analysis, f->row, f->pre, f->post, 0);
}

/* A file-name-safe copy of an event label. */
static char *
safe_label (const char *label)
{
  GString *s = g_string_new (NULL);

  for (const char *p = label; *p; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '-' || *p == '.' ? *p : '_');
  return g_string_free (s, FALSE);
}

gboolean
as_figure_write_events (const AsDrippAnalysis *analysis, const AsFigureStyle *style, double pre,
                        double post, const char *dir, AsFigureFormat format, double dpi,
                        gboolean overwrite, GPtrArray *written, GError **error)
{
  for (guint r = 0; r < analysis->rows->len; r++)
    {
      const AsDrippRow *row = &g_array_index (analysis->rows, AsDrippRow, r);
      const AsDrippEventType *t = analysis->event_types->pdata[row->event_type];
      g_autofree char *label = safe_label (t->label);
      g_autofree char *name = g_strdup_printf ("events-atom%02u-%s.%s", row->atom + 1, label,
                                               as_figure_format_extension (format));
      g_autofree char *path = g_build_filename (dir, name, NULL);
      EventsFigure job = { style, analysis, r, pre, post };

      if (!as_figure_export (path, format, 720, 540, dpi, draw_events_figure, &job, overwrite,
                             error))
        return FALSE;
      if (written != NULL)
        g_ptr_array_add (written, g_steal_pointer (&path));
    }
  return TRUE;
}
