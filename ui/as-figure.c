/* as-figure.c: GTK-free drawing of the recording figures.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "as-figure.h"

void
as_figure_style_init_light (AsFigureStyle *style)
{
  *style = (AsFigureStyle) {
    .foreground = { 0.14, 0.14, 0.16, 1.0 },
    .background = { 1.0, 1.0, 1.0, 1.0 },
    .grid = { 0.0, 0.0, 0.0, 0.10 },
    .trace = { 0.11, 0.44, 0.85, 1.0 },   /* libadwaita blue 3 */
    .event = { 0.90, 0.38, 0.0, 0.9 },    /* orange 4 */
    .font_size = 11.0,
  };
}

void
as_figure_style_init_dark (AsFigureStyle *style)
{
  *style = (AsFigureStyle) {
    .foreground = { 0.93, 0.93, 0.93, 1.0 },
    .background = { 0.12, 0.12, 0.12, 1.0 },
    .grid = { 1.0, 1.0, 1.0, 0.10 },
    .trace = { 0.47, 0.68, 0.95, 1.0 },
    .event = { 1.0, 0.64, 0.28, 0.9 },
    .font_size = 11.0,
  };
}

void
as_figure_set_color (cairo_t *cr, const AsColor *c)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a);
}

double
as_figure_nice_step (double span, int n)
{
  double raw = span / MAX (n, 1);
  double mag, f;

  if (!(raw > 0))
    return 1.0;
  mag = pow (10.0, floor (log10 (raw)));
  f = raw / mag;
  if (f < 1.5)
    return mag;
  if (f < 3.5)
    return 2 * mag;
  if (f < 7.5)
    return 5 * mag;
  return 10 * mag;
}

void
as_figure_draw_signals (cairo_t             *cr,
                        double               width,
                        double               height,
                        const AsFigureStyle *style,
                        const AsRecording   *rec,
                        double               t0,
                        double               duration)
{
  const double left = 90, right = 12, top = 8, bottom = 28;
  double plot_w = width - left - right, plot_h = height - top - bottom;
  double row_h;
  gsize s0, s1;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (rec == NULL || rec->n_channels == 0 || rec->n_samples == 0 || plot_w < 10 || plot_h < 10)
    return;

  cairo_select_font_face (cr, "Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, style->font_size);
  row_h = plot_h / rec->n_channels;

  s0 = (gsize) CLAMP (floor (t0 * rec->sfreq), 0, (double) rec->n_samples - 1);
  s1 = (gsize) CLAMP (ceil ((t0 + duration) * rec->sfreq), (double) s0 + 1, (double) rec->n_samples);

  /* Time grid and axis. */
  {
    double step = as_figure_nice_step (duration, 10);
    cairo_set_line_width (cr, 1.0);
    for (double t = ceil (t0 / step) * step; t <= t0 + duration + 1e-9; t += step)
      {
        double x = left + (t - t0) / duration * plot_w;
        char label[32];
        cairo_text_extents_t ext;

        as_figure_set_color (cr, &style->grid);
        cairo_move_to (cr, floor (x) + 0.5, top);
        cairo_line_to (cr, floor (x) + 0.5, top + plot_h);
        cairo_stroke (cr);
        g_snprintf (label, sizeof label, "%g", fabs (t) < 1e-12 ? 0.0 : t);
        cairo_text_extents (cr, label, &ext);
        as_figure_set_color (cr, &style->foreground);
        cairo_move_to (cr, x - ext.width / 2, height - bottom + 16);
        cairo_show_text (cr, label);
      }
    cairo_move_to (cr, width - right - 14, height - 4);
    cairo_show_text (cr, "s");
  }

  /* Events: a shaded band for durations, a line at each onset. */
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, i);
      double x0 = left + (ev->onset - t0) / duration * plot_w;
      double x1 = left + (ev->onset + ev->duration - t0) / duration * plot_w;

      if (x1 < left || x0 > left + plot_w)
        continue;
      cairo_save (cr);
      cairo_rectangle (cr, left, top, plot_w, plot_h);
      cairo_clip (cr);
      cairo_set_source_rgba (cr, style->event.r, style->event.g, style->event.b, 0.08);
      cairo_rectangle (cr, x0, top, MAX (x1 - x0, 1.0), plot_h);
      cairo_fill (cr);
      as_figure_set_color (cr, &style->event);
      cairo_move_to (cr, floor (x0) + 0.5, top);
      cairo_line_to (cr, floor (x0) + 0.5, top + plot_h);
      cairo_stroke (cr);
      cairo_move_to (cr, x0 + 3, top + style->font_size);
      cairo_show_text (cr, ev->label);
      cairo_restore (cr);
    }

  for (guint c = 0; c < rec->n_channels; c++)
    {
      const double *y = rec->data + (gsize) c * rec->n_samples;
      double lo = INFINITY, hi = -INFINITY, mid, half;
      double yc = top + (c + 0.5) * row_h;
      int n_px = (int) ceil (plot_w);

      for (gsize s = s0; s < s1; s++)
        {
          lo = MIN (lo, y[s]);
          hi = MAX (hi, y[s]);
        }
      mid = 0.5 * (lo + hi);
      half = 0.5 * (hi - lo);
      if (!(half > 0))
        half = 1.0;

      as_figure_set_color (cr, &style->foreground);
      cairo_move_to (cr, 6, yc + style->font_size / 3);
      cairo_show_text (cr, rec->channels[c].label);

      /* min/max per pixel column keeps long pages smooth and faithful. */
      as_figure_set_color (cr, &style->trace);
      cairo_set_line_width (cr, 1.0);
      for (int px = 0; px < n_px; px++)
        {
          double ta = t0 + duration * px / plot_w, tb = t0 + duration * (px + 1) / plot_w;
          gsize a = (gsize) CLAMP (floor (ta * rec->sfreq), (double) s0, (double) s1 - 1);
          gsize b = (gsize) CLAMP (ceil (tb * rec->sfreq), (double) a + 1, (double) s1);
          double vmin = INFINITY, vmax = -INFINITY;
          double scale = 0.45 * row_h / half;

          for (gsize s = a; s < b; s++)
            {
              vmin = MIN (vmin, y[s]);
              vmax = MAX (vmax, y[s]);
            }
          if (px == 0)
            cairo_move_to (cr, left, yc - (y[a] - mid) * scale);
          cairo_line_to (cr, left + px + 0.5, yc - (vmax - mid) * scale);
          cairo_line_to (cr, left + px + 0.5, yc - (vmin - mid) * scale);
        }
      cairo_stroke (cr);
    }
}
