/* as-figure-nystagmus.c: nystagmus trace, SPV plots and the one-page report.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure-nystagmus"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gi18n.h>

#include "as-figure-atoms.h"
#include "as-figure-axis.h"
#include "as-figure-export.h"
#include "as-figure-nystagmus.h"
#include "as-figure-teaching.h"
#include "as-figure-text.h"

static const AsColor slow_shade = { 0.11, 0.44, 0.85, 0.10 };
static const AsColor fovea_color = { 0.18, 0.63, 0.30, 0.9 };   /* libadwaita green 4 */

/* Text at (x, y) aligned by (ax, ay) ∈ [0, 1]², @size in user units; returns its width. */
static double
text_at (cairo_t *cr, const AsFigureStyle *style, const char *text, double x, double y, double ax,
         double ay, double size, gboolean bold)
{
  as_figure_set_color (cr, &style->foreground);
  return as_figure_text (cr, style, size / style->font_size,
                         bold ? AS_FIGURE_TEXT_BOLD : AS_FIGURE_TEXT_NORMAL, text, x, y, ax, ay);
}

typedef struct
{
  double left, top, width, height, x0, x1, y0, y1;
} Box;

static double
bx (const Box *b, double x)
{
  return b->left + (x - b->x0) / (b->x1 - b->x0) * b->width;
}

static double
by (const Box *b, double y)
{
  return b->top + b->height - (y - b->y0) / (b->y1 - b->y0) * b->height;
}

/* Grid, ticks with labels, frame and axis titles (the shared axis code); @counts: a y axis
 * of whole numbers. */
static void
draw_axes_full (cairo_t *cr, const AsFigureStyle *style, const Box *b, const char *x_label,
                const char *y_label, gboolean counts)
{
  AsFigureRect plot = { b->left, b->top, b->width, b->height };
  AsFigureAxis x = { b->x0, b->x1, FALSE, x_label }, y = { b->y0, b->y1, FALSE, y_label };

  as_figure_draw_axis (cr, style, &x, AS_FIGURE_AXIS_BOTTOM, &plot, 0.9, AS_FIGURE_AXIS_GRID);
  if (!counts)
    as_figure_draw_axis (cr, style, &y, AS_FIGURE_AXIS_LEFT, &plot, 0.9, AS_FIGURE_AXIS_GRID);
  else
    {
      double step = MAX (1.0, as_figure_nice_step (b->y1 - b->y0, 5));
      for (double v = 0; v <= b->y1; v += step)
        {
          char buf[16];
          double yy = by (b, v);
          g_snprintf (buf, sizeof buf, "%.0f", v);
          as_figure_set_color (cr, &style->grid);
          cairo_set_line_width (cr, 1.0);
          cairo_move_to (cr, b->left, floor (yy) + 0.5);
          cairo_line_to (cr, b->left + b->width, floor (yy) + 0.5);
          cairo_stroke (cr);
          text_at (cr, style, buf, b->left - 4, yy, 1.0, 0.5, style->font_size * 0.9, FALSE);
        }
      as_figure_set_color (cr, &style->foreground);
      as_figure_text_upwards (cr, style, 0.9, AS_FIGURE_TEXT_NORMAL, y_label,
                              b->left - 2.6 * style->font_size, b->top + b->height / 2, 0.5, 0.5);
    }
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, floor (b->left) + 0.5, floor (b->top) + 0.5, floor (b->width), floor (b->height));
  cairo_stroke (cr);
}

static void
draw_axes (cairo_t *cr, const AsFigureStyle *style, const Box *b, const char *x_label,
           const char *y_label)
{
  draw_axes_full (cr, style, b, x_label, y_label, FALSE);
}

void
as_figure_draw_nystagmus_trace (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                                const AsNystagmusAnalysis *an, double t0, double duration)
{
  const AsEyeChannel *ch = an->channel;
  double fs = style->font_size, lo = INFINITY, hi = -INFINITY, pad;
  gsize s0, s1;
  gboolean pen = FALSE;
  Box b;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (!(duration > 0) || ch->n == 0)
    return;
  s0 = (gsize) CLAMP (floor (t0 * ch->sfreq), 0, (double) ch->n - 1);
  s1 = (gsize) CLAMP (ceil ((t0 + duration) * ch->sfreq), (double) s0 + 1, (double) ch->n);
  for (gsize s = s0; s < s1; s++)
    if (isfinite (ch->position[s]))
      {
        lo = MIN (lo, ch->position[s]);
        hi = MAX (hi, ch->position[s]);
      }
  if (!isfinite (lo))
    lo = -1, hi = 1;
  pad = MAX (0.08 * (hi - lo), 0.25);
  b = (Box) { 4.2 * fs, fs * 0.8, width - 4.2 * fs - 8, height - fs * 0.8 - 3.4 * fs,
              t0, t0 + duration, lo - pad, hi + pad };
  if (b.width < 20 || b.height < 20)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, b.left, b.top, b.width, b.height);
  cairo_clip (cr);
  /* Slow phases shaded; left-out beats hatched. */
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *bt = &g_array_index (an->beats, AsNystagmusBeat, i);
      double xa = bx (&b, bt->start), xb = bx (&b, bt->fast_start);
      if (xb < b.left || xa > b.left + b.width || bt->direction == AS_NYSTAGMUS_DIRECTION_NONE)
        continue;
      as_figure_set_color (cr, &slow_shade);
      cairo_rectangle (cr, xa, b.top, xb - xa, b.height);
      cairo_fill (cr);
    }
  /* The foveation window: a faint band of ± the window around the foveation position. */
  if (isfinite (an->foveation_position))
    {
      double ya = by (&b, an->foveation_position + an->params.foveation_window);
      double yb = by (&b, an->foveation_position - an->params.foveation_window);
      cairo_set_source_rgba (cr, fovea_color.r, fovea_color.g, fovea_color.b, 0.12);
      cairo_rectangle (cr, b.left, ya, b.width, yb - ya);
      cairo_fill (cr);
    }
  for (guint i = 0; i < an->excluded->len; i++)
    {
      const AsInterval *iv = &g_array_index (an->excluded, AsInterval, i);
      double xa = bx (&b, iv->start), xb = bx (&b, iv->end);
      if (xb < b.left || xa > b.left + b.width)
        continue;
      cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.12);
      cairo_set_line_width (cr, 1.0);
      for (double x = xa - b.height; x < xb; x += 6)
        {
          cairo_move_to (cr, MAX (x, xa), b.top + b.height - (MAX (x, xa) - x));
          cairo_line_to (cr, MIN (x + b.height, xb), b.top + b.height - (MIN (x + b.height, xb) - x));
        }
      cairo_stroke (cr);
    }
  /* The trace: samples (or min/max per column when denser than the pixels). */
  as_figure_set_color (cr, &style->trace);
  cairo_set_line_width (cr, 1.2);
  for (gsize s = s0; s < s1; s++)
    {
      double x = bx (&b, s / ch->sfreq), y;
      if (!isfinite (ch->position[s]))
        {
          pen = FALSE;
          continue;
        }
      y = by (&b, ch->position[s]);
      if (pen)
        cairo_line_to (cr, x, y);
      else
        cairo_move_to (cr, x, y);
      pen = TRUE;
    }
  cairo_stroke (cr);
  /* Foveation periods: the trace drawn over in green, thicker. */
  as_figure_set_color (cr, &fovea_color);
  cairo_set_line_width (cr, 3.0);
  for (guint i = 0; i < an->foveations->len; i++)
    {
      const AsInterval *iv = &g_array_index (an->foveations, AsInterval, i);
      gsize a = (gsize) MAX (0.0, floor (iv->start * ch->sfreq));
      gsize e = (gsize) MIN ((double) ch->n - 1, ceil (iv->end * ch->sfreq) - 1);
      gboolean on = FALSE;
      if (e < s0 || a >= s1)
        continue;
      for (gsize s = MAX (a, s0); s <= e && s < s1; s++)
        {
          if (!isfinite (ch->position[s]))
            {
              on = FALSE;
              continue;
            }
          if (on)
            cairo_line_to (cr, bx (&b, s / ch->sfreq), by (&b, ch->position[s]));
          else
            cairo_move_to (cr, bx (&b, s / ch->sfreq), by (&b, ch->position[s]));
          on = TRUE;
        }
      cairo_stroke (cr);
    }
  /* Fast phases over the trace, with an arrowhead in the beating direction. */
  as_figure_set_color (cr, &style->event);
  cairo_set_line_width (cr, 2.2);
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *bt = &g_array_index (an->beats, AsNystagmusBeat, i);
      gsize a = (gsize) round (bt->fast_start * ch->sfreq), e = (gsize) round (bt->end * ch->sfreq);
      double xm, up;
      if (bt->direction == AS_NYSTAGMUS_DIRECTION_NONE || e < s0 || a >= s1 || e >= ch->n)
        continue;
      cairo_move_to (cr, bx (&b, a / ch->sfreq), by (&b, ch->position[a]));
      for (gsize s = a + 1; s <= e; s++)
        cairo_line_to (cr, bx (&b, s / ch->sfreq), by (&b, ch->position[s]));
      cairo_stroke (cr);
      xm = bx (&b, 0.5 * (bt->fast_start + bt->end));
      up = ch->position[e] > ch->position[a] ? 1 : -1;
      cairo_move_to (cr, xm, b.top + 3 + (up > 0 ? 0 : 7));
      cairo_line_to (cr, xm - 4, b.top + 3 + (up > 0 ? 7 : 0));
      cairo_line_to (cr, xm + 4, b.top + 3 + (up > 0 ? 7 : 0));
      cairo_close_path (cr);
      cairo_fill (cr);
    }
  cairo_restore (cr);
  {
    g_autofree char *ylabel = g_strdup_printf (ch->axis == AS_EYE_AXIS_VERTICAL
                                                   ? _("Vertical position (°, up +)")
                                                   : _("Horizontal position (°, right +)"));
    draw_axes (cr, style, &b, _("Time (s)"), ylabel);
  }
}

static guint
interval_spv (const AsNystagmusAnalysis *an, double t0, double t1, double *t, double *v)
{
  guint n = 0;
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      if (b->start < t0 || b->start >= t1)
        continue;
      if (t)
        t[n] = b->start;
      v[n++] = b->spv_mean;
    }
  return n;
}

void
as_figure_draw_spv_time (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                         const AsNystagmusAnalysis *an, double t0, double t1)
{
  g_autofree double *t = g_new (double, MAX (an->beats->len, 1));
  g_autofree double *v = g_new (double, MAX (an->beats->len, 1));
  guint n = interval_spv (an, t0, t1, t, v);
  double fs = style->font_size, lo = INFINITY, hi = -INFINITY, pad, end;
  AsNystagmusSummary s;
  gboolean pendular;
  Box b;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  as_nystagmus_summarise (an, t0, t1, &s);
  pendular = s.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR;
  text_at (cr, style, pendular ? _("Mean eye speed over time") : _("Slow-phase velocity over time"),
           width / 2, 2, 0.5, 0.0, fs, TRUE);
  if (n == 0)
    {
      text_at (cr, style, _("No beat"), width / 2, height / 2, 0.5, 0.5, fs, FALSE);
      return;
    }
  {
    /* The median under the title, clear of the points. */
    g_autofree char *median = g_strdup_printf (_("median %.1f °/s"), s.spv_median);
    text_at (cr, style, median, width / 2, 2 + 1.4 * fs, 0.5, 0.0, fs * 0.85, FALSE);
  }
  for (guint i = 0; i < n; i++)
    lo = MIN (lo, v[i]), hi = MAX (hi, v[i]);
  lo = MIN (lo, s.spv_median);
  hi = MAX (hi, s.spv_median);
  pad = MAX (0.08 * (hi - lo), 0.05 * hi + 0.1);
  end = MIN (t1, an->channel->n / an->channel->sfreq);
  if (!(end > t0))
    end = t0 + 1;
  b = (Box) { 4.2 * fs, 3.2 * fs, width - 4.2 * fs - 1.6 * fs, height - 3.2 * fs - 3.4 * fs, t0, end,
              MAX (0.0, lo - pad), hi + pad };
  if (b.width < 20 || b.height < 20)
    return;
  draw_axes (cr, style, &b, _("Time (s)"), pendular ? _("Eye speed (°/s)") : _("SPV (°/s)"));
  cairo_save (cr);
  cairo_rectangle (cr, b.left, b.top, b.width, b.height);
  cairo_clip (cr);
  /* The median, dashed; the beats, joined where consecutive. */
  as_figure_set_color (cr, &style->event);
  cairo_set_line_width (cr, 1.5);
  cairo_set_dash (cr, (const double[]) { 5, 3 }, 2, 0);
  cairo_move_to (cr, b.left, by (&b, s.spv_median));
  cairo_line_to (cr, b.left + b.width, by (&b, s.spv_median));
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  as_figure_set_color (cr, &style->trace);
  cairo_set_line_width (cr, 1.2);
  {
    /* Joined only where a beat starts as the previous one ends (not across left-out ones). */
    double prev_end = -INFINITY;
    guint k = 0;
    for (guint i = 0; i < an->beats->len; i++)
      {
        const AsNystagmusBeat *bt = &g_array_index (an->beats, AsNystagmusBeat, i);
        if (bt->start < t0 || bt->start >= t1)
          continue;
        if (fabs (bt->start - prev_end) < 0.5 / an->channel->sfreq)
          cairo_line_to (cr, bx (&b, t[k]), by (&b, v[k]));
        else
          cairo_move_to (cr, bx (&b, t[k]), by (&b, v[k]));
        prev_end = bt->end;
        k++;
      }
    cairo_stroke (cr);
  }
  for (guint i = 0; i < n; i++)
    {
      cairo_arc (cr, bx (&b, t[i]), by (&b, v[i]), 2.4, 0, 2 * G_PI);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

void
as_figure_draw_spv_histogram (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                              const AsNystagmusAnalysis *an, double t0, double t1)
{
  g_autofree double *v = g_new (double, MAX (an->beats->len, 1));
  guint n = interval_spv (an, t0, t1, NULL, v), bins, counts[60] = { 0 }, cmax = 0;
  double fs = style->font_size, lo, hi, step;
  AsNystagmusSummary s;
  Box b;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  as_nystagmus_summarise (an, t0, t1, &s);
  text_at (cr, style, s.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR ? _("Mean eye speed distribution")
                                                                  : _("Slow-phase velocity distribution"),
           width / 2, 2, 0.5, 0.0, fs, TRUE);
  if (n == 0)
    return;
  qsort (v, n, sizeof (double), compare_double);
  step = as_figure_nice_step (MAX (v[n - 1] - v[0], 1.0), 12);
  lo = floor (v[0] / step) * step;
  hi = MAX (ceil (v[n - 1] / step) * step, lo + step);
  if (v[n - 1] >= hi)
    hi += step;
  bins = (guint) MIN (60.0, round ((hi - lo) / step));
  for (guint i = 0; i < n; i++)
    {
      guint k = (guint) MIN ((double) bins - 1, floor ((v[i] - lo) / step));
      counts[k]++;
      cmax = MAX (cmax, counts[k]);
    }
  /* Room on the right for half of the last tick label. */
  b = (Box) { 4.2 * fs, 3.2 * fs, width - 4.2 * fs - 1.6 * fs, height - 3.2 * fs - 3.4 * fs, lo, hi, 0,
              cmax * 1.15 };
  if (b.width < 20 || b.height < 20)
    return;
  /* IQR band and median line under the bars. */
  cairo_set_source_rgba (cr, style->event.r, style->event.g, style->event.b, 0.15);
  cairo_rectangle (cr, bx (&b, s.spv_q1), b.top, bx (&b, s.spv_q3) - bx (&b, s.spv_q1), b.height);
  cairo_fill (cr);
  for (guint k = 0; k < bins; k++)
    {
      double xa = bx (&b, lo + k * step), xb = bx (&b, lo + (k + 1) * step);
      as_figure_set_color (cr, &style->trace);
      cairo_rectangle (cr, xa + 0.5, by (&b, counts[k]), xb - xa - 1, by (&b, 0) - by (&b, counts[k]));
      cairo_fill (cr);
    }
  as_figure_set_color (cr, &style->event);
  cairo_set_line_width (cr, 2.0);
  cairo_move_to (cr, bx (&b, s.spv_median), b.top);
  cairo_line_to (cr, bx (&b, s.spv_median), b.top + b.height);
  cairo_stroke (cr);
  if (s.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    draw_axes_full (cr, style, &b, _("Eye speed (°/s)"), _("Cycles"), TRUE);
  else
    draw_axes_full (cr, style, &b, _("SPV (°/s)"), _("Beats"), TRUE);
  {
    g_autofree char *label = g_strdup_printf (_("median %.1f, IQR %.1f–%.1f °/s"), s.spv_median,
                                              s.spv_q1, s.spv_q3);
    text_at (cr, style, label, width / 2, 2 + 1.4 * fs, 0.5, 0.0, fs * 0.85, FALSE);
  }
}

void
as_figure_draw_spv_panel (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                          const AsNystagmusAnalysis *an, double t0, double t1)
{
  /* Side by side when the area is wide (a panel beside the browser), else stacked. */
  gboolean across = width >= 1.5 * height;
  double w1 = across ? floor (width / 2) : width, h1 = across ? height : floor (height / 2);

  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, w1, h1);
  cairo_clip (cr);
  as_figure_draw_spv_time (cr, w1, h1, style, an, t0, t1);
  cairo_restore (cr);
  cairo_save (cr);
  cairo_translate (cr, across ? w1 : 0, across ? 0 : h1);
  cairo_rectangle (cr, 0, 0, across ? width - w1 : width, across ? height : height - h1);
  cairo_clip (cr);
  as_figure_draw_spv_histogram (cr, across ? width - w1 : width, across ? height : height - h1,
                                style, an, t0, t1);
  cairo_restore (cr);
}

void
as_figure_nystagmus_overlay (cairo_t *cr, const AsFigureStyle *style, const AsNystagmusAnalysis *an,
                             const double *y, gsize n, double sfreq, double time_origin, double left,
                             double plot_w, double row_top, double row_h, double yc, double mid,
                             double scale, double t0, double duration)
{
  const AsEyeChannel *ch = an->channel;
  double k = ch->deg_per_unit, lo_deg, hi_deg, step, fs = style->font_size * 0.8;
  AsColor shade = style->trace;

  if (!(duration > 0) || !(scale > 0) || !(k != 0) || n == 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, left, row_top, plot_w, row_h);
  cairo_clip (cr);
  shade.a = 0.10;
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      double xa = left + (b->start - t0) / duration * plot_w;
      double xb = left + (b->fast_start - t0) / duration * plot_w;
      gsize a, e;

      if (b->end < t0 || b->start > t0 + duration || b->direction == AS_NYSTAGMUS_DIRECTION_NONE)
        continue;
      as_figure_set_color (cr, &shade);
      cairo_rectangle (cr, xa, row_top, xb - xa, row_h);
      cairo_fill (cr);
      /* The fast phase over the trace, from the page's own samples. */
      if (b->fast_start < time_origin || (b->fast_start - time_origin) * sfreq >= n)
        continue;
      a = (gsize) llround ((b->fast_start - time_origin) * sfreq);
      e = (gsize) MIN ((double) n - 1, llround ((b->end - time_origin) * sfreq));
      as_figure_set_color (cr, &style->event);
      cairo_set_line_width (cr, 2.0);
      for (gsize s = a; s <= e; s++)
        {
          double x = left + (time_origin + s / sfreq - t0) / duration * plot_w;
          double yy = yc - (y[s] - mid) * scale;
          if (s == a)
            cairo_move_to (cr, x, yy);
          else
            cairo_line_to (cr, x, yy);
        }
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  /* A y axis in degrees: ticks just left of the plot, inside the row. */
  lo_deg = (mid - (row_top + row_h - yc) / scale) * k;
  hi_deg = (mid + (yc - row_top) / scale) * k;
  if (lo_deg > hi_deg)
    {
      double t = lo_deg;
      lo_deg = hi_deg;
      hi_deg = t;
    }
  step = as_figure_nice_step (hi_deg - lo_deg, CLAMP ((int) (row_h / (6 * fs)), 2, 8));
  cairo_set_line_width (cr, 1.0);
  for (double v = ceil (lo_deg / step) * step; v <= hi_deg + 1e-9 * step; v += step)
    {
      double yy = yc - (v / k - mid) * scale;
      char buf[32];
      /* Clear of the row's edges and of the channel name at its middle. */
      if (yy < row_top + fs * 0.6 || yy > row_top + row_h - fs * 0.6 || fabs (yy - yc) < 1.2 * fs)
        continue;
      as_figure_set_color (cr, &style->foreground);
      cairo_move_to (cr, left - 4, floor (yy) + 0.5);
      cairo_line_to (cr, left, floor (yy) + 0.5);
      cairo_stroke (cr);
      g_snprintf (buf, sizeof buf, "%g°", fabs (v) < 1e-9 * step ? 0.0 : v);
      text_at (cr, style, buf, left - 6, yy, 1.0, 0.5, fs, FALSE);
    }
}

/* ---- the report ------------------------------------------------------------------ */

static void
draw_atom (cairo_t *cr, const AsFigureStyle *style, const AsCdlModel *model, guint k,
           guint n_onsets, double rate, double x, double y, double w, double h)
{
  const double *d = as_cdl_model_get_atom (model, k);
  guint L = model->shape.atom_width, P = model->shape.n_channels, channel = 0;
  double lo = INFINITY, hi = -INFINITY, best = -1, fs = style->font_size;
  Box b;

  for (guint p = 0; p < P; p++)
    {
      double e = 0;
      for (guint j = 0; j < L; j++)
        e += d[(gsize) p * L + j] * d[(gsize) p * L + j];
      if (e > best)
        best = e, channel = p;
    }
  d += (gsize) channel * L;
  for (guint j = 0; j < L; j++)
    lo = MIN (lo, d[j]), hi = MAX (hi, d[j]);
  text_at (cr, style, _("Learned beat atom"), x + w / 2, y, 0.5, 0.0, fs, TRUE);
  if (n_onsets > 0 && isfinite (rate))
    {
      g_autofree char *sub = g_strdup_printf (_("%u occurrences, one every %.3f s (%.2f per s)"),
                                              n_onsets, 1.0 / rate, rate);
      text_at (cr, style, sub, x + w / 2, y + 1.4 * fs, 0.5, 0.0, fs * 0.85, FALSE);
    }
  b = (Box) { x + 4.6 * fs, y + 3.0 * fs, w - 4.6 * fs - 4, h - 3.0 * fs - 3.2 * fs, 0,
              L / (model->sfreq > 0 ? model->sfreq : 1.0), lo - 0.05 * (hi - lo + 1e-12),
              hi + 0.05 * (hi - lo + 1e-12) };
  cairo_save (cr);
  as_figure_set_color (cr, &style->trace);
  cairo_set_line_width (cr, 1.8);
  for (guint j = 0; j < L; j++)
    {
      double px = bx (&b, j / (model->sfreq > 0 ? model->sfreq : 1.0)), py = by (&b, d[j]);
      if (j == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
  draw_axes (cr, style, &b, _("Time in the atom (s)"), _("Arbitrary units"));
}

/* The measures as a two-column table; returns its height. */
static double
draw_table (cairo_t *cr, const AsFigureStyle *style, const AsNystagmusAnalysis *an,
            const AsNystagmusSummary *s, double x, double y, double w)
{
  double fs = style->font_size, row = fs * 1.55, yy = y + 1.8 * fs;
  char buf[16][128];
  const char *names[16];
  guint n = 0;

  text_at (cr, style, _("Measures"), x + w / 2, y, 0.5, 0.0, fs, TRUE);
#define ROW(label, ...) (names[n] = (label), g_snprintf (buf[n], sizeof buf[n], __VA_ARGS__), n++)
  if (s->waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    {
      ROW (_("Cycles measured"), _("%u (%u left out)"), s->n_beats, an->excluded->len);
      ROW (_("Cycle frequency"), "%.2f Hz", s->frequency);
      ROW (_("Mean eye speed, median"), "%.2f °/s", s->spv_median);
      ROW (_("Mean eye speed, IQR"), "%.2f – %.2f °/s", s->spv_q1, s->spv_q3);
      ROW (_("Peak eye speed, median"), "%.2f °/s", s->spv_peak_median);
    }
  else
    {
      ROW (_("Beats measured"), _("%u (%u left out)"), s->n_beats, an->excluded->len);
      ROW (_("Beat frequency"), "%.2f Hz", s->frequency);
      ROW (_("Slow-phase velocity, median"), "%.2f °/s", s->spv_median);
      ROW (_("Slow-phase velocity, IQR"), "%.2f – %.2f °/s", s->spv_q1, s->spv_q3);
      ROW (_("Peak slow-phase velocity, median"), "%.2f °/s", s->spv_peak_median);
    }
  ROW (_("Amplitude, mean"), "%.2f °", s->amplitude_mean);
  ROW (_("Intensity (amplitude × frequency)"), "%.2f °/s", s->intensity);
  if (s->direction == AS_NYSTAGMUS_DIRECTION_NONE)
    ROW (_("Direction"), "%s", _("none (no fast phase)"));
  else
    ROW (_("Direction"), _("%s (%.0f %% of beats)"), as_nystagmus_direction_to_label (s->direction),
         100 * s->direction_share);
  if (s->waveform == AS_NYSTAGMUS_WAVEFORM_JERK)
    ROW (_("Waveform"), _("jerk, %s slow phase"), as_slow_phase_shape_to_label (s->shape));
  else
    ROW (_("Waveform"), "%s", as_nystagmus_waveform_to_label (s->waveform));
  ROW (_("Foveation periods"), _("%u, mean %.0f ms"), s->n_foveations, 1000 * s->foveation_mean);
  ROW (_("Time foveating"), "%.1f %%", 100 * s->foveation_fraction);
  ROW (_("Foveation criteria"), _("< %g °/s, ±%g ° of %.2f °, ≥ %g ms"), an->params.foveation_velocity,
       an->params.foveation_window, an->foveation_position, 1000 * an->params.foveation_min_duration);
#undef ROW
  for (guint i = 0; i < n; i++)
    {
      if (i % 2 == 0)
        {
          cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.05);
          cairo_rectangle (cr, x, yy - 0.25 * fs, w, row);
          cairo_fill (cr);
        }
      text_at (cr, style, names[i], x + 6, yy, 0.0, 0.0, fs * 0.92, FALSE);
      text_at (cr, style, buf[i], x + w - 6, yy, 1.0, 0.0, fs * 0.92, TRUE);
      yy += row;
    }
  return yy - y;
}

static void
draw_panel (cairo_t *cr, double x, double y, double w, double h,
            void (*draw) (cairo_t *, double, double, const AsFigureStyle *,
                          const AsNystagmusAnalysis *, double, double),
            const AsFigureStyle *style, const AsNystagmusAnalysis *an, double a, double b)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_clip (cr);
  draw (cr, w, h, style, an, a, b);
  cairo_restore (cr);
}

void
as_figure_draw_nystagmus_report (cairo_t *cr, double width, double height,
                                 const AsFigureNystagmusReport *r)
{
  const AsNystagmusAnalysis *an = r->analysis;
  const AsEyeChannel *ch = an->channel;
  AsFigureStyle style;
  AsNystagmusSummary s;
  const double m = 40, fs = 11;
  double y = m, w = width - 2 * m, excerpt, excerpt_start;
  g_autofree char *base = g_path_get_basename (r->source ? r->source : ch->label);
  g_autofree char *line1 = NULL, *line2 = NULL, *line3 = NULL, *when = NULL;

  as_figure_style_init_light (&style);
  style.font_size = fs;
  as_figure_set_color (cr, &style.background);
  cairo_paint (cr);
  as_nystagmus_summarise (an, r->t0, r->t1, &s);

  text_at (cr, &style, _("Nystagmus report"), m, y, 0.0, 0.0, 20, TRUE);
  y += 30;
  if (r->recording && r->recording->start_time)
    when = g_date_time_format (r->recording->start_time, "%Y-%m-%d %H:%M:%S");
  line1 = g_strdup_printf (_("Recording: %s    Recorded: %s"), base,
                           when ? when : _("date not stored in the file"));
  line2 = g_strdup_printf (_("Channel: %s (%s, degrees), %g Hz    Analysed: %.1f–%.1f s (%.1f s of valid signal)"),
                           ch->label, ch->axis == AS_EYE_AXIS_VERTICAL ? _("vertical") : _("horizontal"),
                           ch->sfreq, r->t0, MIN (r->t1, ch->n / ch->sfreq), s.duration);
  if (s.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    line3 = g_strdup_printf (_("Summary: pendular nystagmus; median eye speed %.1f °/s at %.2f Hz"),
                             s.spv_median, s.frequency);
  else
    line3 = g_strdup_printf (_("Summary: %s nystagmus, %s; median slow-phase velocity %.1f °/s at %.2f Hz"),
                             as_nystagmus_waveform_to_label (s.waveform),
                             as_nystagmus_direction_to_label (s.direction), s.spv_median, s.frequency);
  text_at (cr, &style, line1, m, y, 0.0, 0.0, fs, FALSE);
  y += fs * 1.5;
  text_at (cr, &style, line2, m, y, 0.0, 0.0, fs, FALSE);
  y += fs * 1.5;
  text_at (cr, &style, line3, m, y, 0.0, 0.0, fs, TRUE);
  y += fs * 2.2;

  /* Trace excerpt: a typical 4 s of the interval. */
  excerpt = MIN (4.0, MIN (r->t1, ch->n / ch->sfreq) - r->t0);
  excerpt_start = as_nystagmus_typical_window (an, r->t0, r->t1, excerpt);
  {
    g_autofree char *title = g_strdup_printf (_("Eye position, %.1f–%.1f s"), excerpt_start,
                                              excerpt_start + excerpt);
    text_at (cr, &style, title, m, y, 0.0, 0.0, fs * 0.95, TRUE);
    y += fs * 1.4;
    text_at (cr, &style,
             s.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR
                 ? _("Pendular: no slow or fast phases. Green: foveation window (band) and foveation periods.")
                 : _("Shaded: slow phases. Orange: fast phases (arrow: beating direction). Green: foveation window (band) and foveation periods."),
             m, y, 0.0, 0.0, fs * 0.85, FALSE);
    y += fs * 1.6;
    cairo_save (cr);
    cairo_translate (cr, m, y);
    cairo_rectangle (cr, 0, 0, w, 280);
    cairo_clip (cr);
    as_figure_draw_nystagmus_trace (cr, w, 280, &style, an, excerpt_start, excerpt);
    cairo_restore (cr);
    y += 280 + 14;
  }

  /* Beat atom and measures side by side. */
  {
    double left_w = r->model ? 0.42 * w : 0, gap = r->model ? 20 : 0, th;
    if (r->model)
      draw_atom (cr, &style, r->model, r->atom, an->n_atom_onsets, an->atom_rate, m, y,
                 left_w, 230);
    th = draw_table (cr, &style, an, &s, m + left_w + gap, y, w - left_w - gap);
    y += MAX (r->model ? 230 : 0, th) + 16;
  }

  /* SPV over time and its histogram. */
  {
    double h = MIN (330, height - m - 24 - y), half = (w - 20) / 2;
    if (h > 80)
      {
        draw_panel (cr, m, y, half, h, as_figure_draw_spv_time, &style, an, r->t0, r->t1);
        draw_panel (cr, m + half + 20, y, half, h, as_figure_draw_spv_histogram, &style, an, r->t0, r->t1);
      }
  }
  {
    g_autofree char *foot = g_strdup_printf (_("Atomscope %s · definitions and sources: docs/nystagmus.md"),
                                             PACKAGE_VERSION);
    cairo_set_source_rgba (cr, 0.4, 0.4, 0.4, 1);
    text_at (cr, &style, foot, width / 2, height - m / 2, 0.5, 1.0, fs * 0.8, FALSE);
  }
}

static void
draw_report_cb (cairo_t *cr, double width, double height, gpointer data)
{
  as_figure_draw_nystagmus_report (cr, width, height, data);
}

gboolean
as_figure_nystagmus_report_write (const char *path, const AsFigureNystagmusReport *report,
                                  gboolean overwrite, GError **error)
{
  return as_figure_export (path, AS_FIGURE_FORMAT_PDF, AS_FIGURE_REPORT_WIDTH,
                           AS_FIGURE_REPORT_HEIGHT, 96, draw_report_cb, (gpointer) report,
                           overwrite, error);
}
