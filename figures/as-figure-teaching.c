/* as-figure-teaching.c: GTK-free drawing of the teaching view's figures.
 *
 * Only mapping of values to pixels happens here: every number drawn comes
 * from an engine snapshot (as-teaching.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "as-figure-teaching.h"
#include "as-figure-axis.h"
#include "as-figure-text.h"

/* libadwaita palette (blue 3, orange 3, green 4, purple 3, red 3, brown 3,
 * yellow 5, teal-ish), lifted in dark mode. */
AsColor
as_figure_teaching_color (guint index, gboolean dark)
{
  static const AsColor light[] = {
    { 0.11, 0.44, 0.85, 1 }, { 0.90, 0.38, 0.00, 1 }, { 0.18, 0.63, 0.26, 1 },
    { 0.57, 0.25, 0.67, 1 }, { 0.88, 0.11, 0.14, 1 }, { 0.53, 0.35, 0.20, 1 },
    { 0.70, 0.55, 0.00, 1 }, { 0.10, 0.60, 0.62, 1 },
  };
  static const AsColor darkc[] = {
    { 0.38, 0.63, 0.98, 1 }, { 1.00, 0.60, 0.25, 1 }, { 0.34, 0.89, 0.54, 1 },
    { 0.79, 0.55, 0.90, 1 }, { 1.00, 0.42, 0.42, 1 }, { 0.80, 0.62, 0.45, 1 },
    { 0.98, 0.85, 0.30, 1 }, { 0.35, 0.85, 0.85, 1 },
  };

  index %= G_N_ELEMENTS (light);
  return dark ? darkc[index] : light[index];
}

typedef struct
{
  double left, top, width, height;   /* plot area in user units */
  double x0, x1, y0, y1;             /* data range (log10 for log axes) */
  gboolean log_x, log_y;
} Frame;

static double
frame_x (const Frame *f, double x)
{
  double v = f->log_x ? log10 (x) : x;
  return f->left + (v - f->x0) / (f->x1 - f->x0) * f->width;
}

static double
frame_y (const Frame *f, double y)
{
  double v = f->log_y ? log10 (y) : y;
  return f->top + f->height - (v - f->y0) / (f->y1 - f->y0) * f->height;
}

static void
show_text_at (cairo_t *cr, const AsFigureStyle *style, const char *text, double x, double y,
              double align_x, double align_y)
{
  as_figure_text (cr, style, 1.0, 0, text, x, y, align_x, align_y);
}

static void
frame_axes (const Frame *f, const char *x_label, const char *y_label, AsFigureAxis *xa,
            AsFigureAxis *ya)
{
  *xa = (AsFigureAxis) { f->log_x ? pow (10, f->x0) : f->x0, f->log_x ? pow (10, f->x1) : f->x1,
                         f->log_x, x_label };
  *ya = (AsFigureAxis) { f->log_y ? pow (10, f->y0) : f->y0, f->log_y ? pow (10, f->y1) : f->y1,
                         f->log_y, y_label };
}

/* Grid, ticks, labels and titles of a frame: the shared axis routine on both sides. */
static void
draw_frame (cairo_t *cr, const AsFigureStyle *style, const Frame *f, const char *x_label,
            const char *y_label)
{
  AsFigureAxis xa, ya;
  AsFigureRect plot = { f->left, f->top, f->width, f->height };

  frame_axes (f, x_label, y_label, &xa, &ya);
  as_figure_draw_axis (cr, style, &ya, AS_FIGURE_AXIS_LEFT, &plot, 1.0, AS_FIGURE_AXIS_GRID);
  as_figure_draw_axis (cr, style, &xa, AS_FIGURE_AXIS_BOTTOM, &plot, 1.0, AS_FIGURE_AXIS_GRID);
  /* box */
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, floor (f->left) + 0.5, floor (f->top) + 0.5, floor (f->width), floor (f->height));
  cairo_stroke (cr);
}

static void
draw_title (cairo_t *cr, const AsFigureStyle *style, const char *title, double width)
{
  if (title == NULL)
    return;
  as_figure_set_color (cr, &style->foreground);
  as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, title, width / 2, 4, 0.5, 0.0);
}

static void
draw_message (cairo_t *cr, const AsFigureStyle *style, const char *msg, double width, double height)
{
  if (msg == NULL)
    return;
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.6);
  show_text_at (cr, style, msg, width / 2, height / 2, 0.5, 0.5);
  cairo_restore (cr);
}

static gboolean
usable (const AsFigureCurvePlot *plot, double x, double y)
{
  if (!isfinite (x) || !isfinite (y))
    return FALSE;
  if (plot->log_x && !(x > 0))
    return FALSE;
  if (plot->log_y && !(y > 0))
    return FALSE;
  return TRUE;
}

static double
curve_x (const AsFigureCurve *c, guint i)
{
  return c->x != NULL ? c->x[i] : (double) i;
}

static void
set_dash (cairo_t *cr, gboolean dashed)
{
  static const double dash[] = { 6.0, 4.0 };

  cairo_set_dash (cr, dashed ? dash : NULL, dashed ? 2 : 0, 0);
}

/* The legend in the plot's top-right corner; entries stack vertically. */
static void
draw_legend (cairo_t *cr, const AsFigureStyle *style, const Frame *f, const AsFigureCurve *curves,
             guint n, gboolean bottom_left, AsFigureRect *legend)
{
  double fs = style->font_size, row = fs * 1.5, wmax = 0, x, y;

  if (n == 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      double w;

      as_figure_text_size (cr, style, 1.0, 0, curves[i].label, &w, NULL);
      wmax = MAX (wmax, w);
    }
  x = f->left + f->width - wmax - 3.2 * fs - 6;
  y = f->top + 6;
  if (bottom_left)
    {
      x = f->left + 10;
      y = f->top + f->height - n * row - 8;
    }
  cairo_save (cr);
  cairo_set_source_rgba (cr, style->background.r, style->background.g, style->background.b, 0.85);
  cairo_rectangle (cr, x - 4, y - 2, wmax + 3.2 * fs + 8, n * row + 4);
  cairo_fill (cr);
  for (guint i = 0; i < n; i++)
    {
      const AsFigureCurve *c = &curves[i];
      double yc = y + (i + 0.5) * row;
      double alpha = c->visible ? 1.0 : 0.3;

      cairo_set_source_rgba (cr, c->color.r, c->color.g, c->color.b, alpha);
      cairo_set_line_width (cr, 2.0);
      set_dash (cr, c->dashed);
      cairo_move_to (cr, x, yc);
      cairo_line_to (cr, x + 2.2 * fs, yc);
      cairo_stroke (cr);
      set_dash (cr, FALSE);
      if (c->markers)
        {
          cairo_arc (cr, x + 1.1 * fs, yc, 3.0, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b,
                             c->visible ? 1.0 : 0.4);
      show_text_at (cr, style, c->label, x + 2.8 * fs, yc, 0.0, 0.5);
      if (legend != NULL)
        legend[i] = (AsFigureRect) { x - 4, yc - row / 2, wmax + 3.2 * fs + 8, row };
    }
  cairo_restore (cr);
}

/* Data range of the visible curves; FALSE when nothing can be drawn. */
static gboolean
curves_range (const AsFigureCurvePlot *plot, const AsFigureCurve *curves, guint n,
              double *xmin, double *xmax, double *ymin, double *ymax)
{
  gboolean any = FALSE;

  *xmin = *ymin = INFINITY;
  *xmax = *ymax = -INFINITY;
  for (guint k = 0; k < n; k++)
    {
      if (!curves[k].visible)
        continue;
      for (guint i = 0; i < curves[k].n; i++)
        {
          double x = curve_x (&curves[k], i), y = curves[k].y[i];

          if (plot->log_y && y > 0 && y < plot->y_floor)
            y = plot->y_floor;
          if (!usable (plot, x, y))
            continue;
          if (plot->x_hi > plot->x_lo && (x < plot->x_lo || x > plot->x_hi))
            continue;
          any = TRUE;
          *xmin = MIN (*xmin, x);
          *xmax = MAX (*xmax, x);
          *ymin = MIN (*ymin, y);
          *ymax = MAX (*ymax, y);
        }
    }
  return any;
}

static void
plot_curves (cairo_t *cr, const AsFigureCurvePlot *plot, const Frame *f,
             const AsFigureCurve *curves, guint n)
{
  cairo_save (cr);
  cairo_rectangle (cr, f->left, f->top, f->width, f->height);
  cairo_clip (cr);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint k = 0; k < n; k++)
    {
      const AsFigureCurve *c = &curves[k];
      gboolean pen = FALSE;

      if (!c->visible)
        continue;
      as_figure_set_color (cr, &c->color);
      cairo_set_line_width (cr, 2.0);
      set_dash (cr, c->dashed);
      for (guint i = 0; i < c->n; i++)
        {
          double x = curve_x (c, i), y = c->y[i];

          if (plot->log_y && y > 0 && y < plot->y_floor)
            y = plot->y_floor;
          if (!usable (plot, x, y))
            {
              /* A gap at or below 0 means converged to precision: end the line. */
              pen = FALSE;
              continue;
            }
          if (pen)
            cairo_line_to (cr, frame_x (f, x), frame_y (f, y));
          else
            cairo_move_to (cr, frame_x (f, x), frame_y (f, y));
          pen = TRUE;
        }
      cairo_stroke (cr);
      set_dash (cr, FALSE);
      if (c->markers)
        for (guint i = 0; i < c->n; i++)
          {
            double x = curve_x (c, i), y = c->y[i];
            if (plot->log_y && y > 0 && y < plot->y_floor)
              y = plot->y_floor;
            if (!usable (plot, x, y))
              continue;
            cairo_arc (cr, frame_x (f, x), frame_y (f, y), 3.0, 0, 2 * G_PI);
            cairo_fill (cr);
          }
    }
  cairo_restore (cr);
}

/* C/t and C/t² through the first visible curve's value at x = 1 (the classical
 * worst-case rates of ISTA and FISTA, Beck & Teboulle 2009). */
static void
plot_reference_slopes (cairo_t *cr, const AsFigureStyle *style, const AsFigureCurvePlot *plot,
                       const Frame *f, const AsFigureCurve *curves, guint n)
{
  double anchor = NAN, xmax = plot->log_x ? pow (10, f->x1) : f->x1;

  for (guint k = 0; k < n && !isfinite (anchor); k++)
    if (curves[k].visible)
      for (guint i = 0; i < curves[k].n; i++)
        if (curve_x (&curves[k], i) == 1.0 && curves[k].y[i] > 0)
          {
            anchor = curves[k].y[i];
            break;
          }
  if (!isfinite (anchor))
    return;

  cairo_save (cr);
  cairo_rectangle (cr, f->left, f->top, f->width, f->height);
  cairo_clip (cr);
  cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.45);
  cairo_set_line_width (cr, 1.2);
  {
    static const double dot[] = { 2.0, 3.0 };
    cairo_set_dash (cr, dot, 2, 0);
  }
  for (int p = 1; p <= 2; p++)
    {
      const char *label = p == 1 ? plot->slope_1_label : plot->slope_2_label;
      double lx = 1, ly = anchor;
      gboolean pen = FALSE;

      for (int s = 0; s <= 200; s++)
        {
          double x = plot->log_x ? pow (xmax, s / 200.0) : 1.0 + (xmax - 1.0) * s / 200.0;
          double y = anchor * pow (1.0 / x, p);

          if (!usable (plot, x, y) || (plot->log_y && y < pow (10, f->y0)))
            break;
          if (pen)
            cairo_line_to (cr, frame_x (f, x), frame_y (f, y));
          else
            cairo_move_to (cr, frame_x (f, x), frame_y (f, y));
          pen = TRUE;
          lx = x;
          ly = y;
        }
      cairo_stroke (cr);
      if (label != NULL && pen)
        {
          double px = MIN (frame_x (f, lx), f->left + f->width - 4);
          show_text_at (cr, style, label, px, frame_y (f, ly) - 4, 1.0, 1.0);
        }
    }
  cairo_restore (cr);
}

static void
plot_hline (cairo_t *cr, const AsFigureStyle *style, const AsFigureCurvePlot *plot, const Frame *f)
{
  double y;

  if (!isfinite (plot->hline) || !usable (plot, plot->log_x ? 1 : 0, plot->hline))
    return;
  y = frame_y (f, plot->hline);
  if (y < f->top || y > f->top + f->height)
    return;
  cairo_save (cr);
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.5);
  set_dash (cr, TRUE);
  cairo_move_to (cr, f->left, y);
  cairo_line_to (cr, f->left + f->width, y);
  cairo_stroke (cr);
  if (plot->hline_label != NULL)
    show_text_at (cr, style, plot->hline_label, f->left + f->width - 6, y + 4, 1.0, 0.0);
  cairo_restore (cr);
}

static gboolean
make_frame (cairo_t *cr, Frame *f, const AsFigureStyle *style, const AsFigureCurvePlot *plot, double width,
            double height, double xmin, double xmax, double ymin, double ymax, gboolean has_hist)
{
  double fs = style->font_size;

  f->left = fs * (plot->y_label ? 5.6 : 4.2);
  f->top = plot->title ? fs * 2.4 : fs;
  f->width = width - f->left - fs * 1.2 - (has_hist ? width * 0.28 : 0);
  f->height = height - f->top - fs * (plot->x_label ? 3.6 : 2.2);
  f->log_x = plot->log_x;
  f->log_y = plot->log_y;
  if (f->width < 20 || f->height < 20)
    return FALSE;
  if (plot->log_x)
    {
      f->x0 = log10 (xmin);
      f->x1 = log10 (xmax);
    }
  else
    {
      f->x0 = xmin;
      f->x1 = xmax;
    }
  if (!(f->x1 > f->x0))
    f->x1 = f->x0 + 1;
  if (plot->log_y)
    {
      double l0 = log10 (ymin), l1 = log10 (ymax);

      if (l1 - l0 >= 1.5)
        {
          f->y0 = floor (l0);
          f->y1 = ceil (l1);
        }
      else
        {
          /* Less than two decades: zoom in instead of wasting the plot. */
          double pad = 0.08 * MAX (l1 - l0, 0.05);
          f->y0 = l0 - pad;
          f->y1 = l1 + pad;
        }
    }
  else
    {
      double pad = 0.06 * (ymax - ymin);
      if (!(pad > 0))
        pad = fabs (ymax) > 0 ? 0.1 * fabs (ymax) : 1;
      f->y0 = ymin - pad;
      f->y1 = ymax + pad;
      if (ymin >= 0 && f->y0 < 0)
        f->y0 = 0;
    }
  /* The left margin fits the widest y label and the y title. */
  {
    AsFigureAxis xa, ya;
    double left;

    frame_axes (f, plot->x_label, plot->y_label, &xa, &ya);
    left = as_figure_axis_left_room (cr, style, &ya, f->height, 1.0) + fs * 0.6;
    f->width -= left - f->left;
    f->left = left;
    if (f->width < 20)
      return FALSE;
  }
  return TRUE;
}

void
as_figure_draw_curves (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                       const AsFigureCurvePlot *plot, const AsFigureCurve *curves, guint n_curves,
                       AsFigureRect *legend)
{
  double xmin, xmax, ymin, ymax;
  Frame f;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  for (guint i = 0; legend != NULL && i < n_curves; i++)
    legend[i] = (AsFigureRect) { 0, 0, 0, 0 };
  draw_title (cr, style, plot->title, width);
  if (!curves_range (plot, curves, n_curves, &xmin, &xmax, &ymin, &ymax))
    {
      /* Nothing visible: keep the legend so hidden curves can come back. */
      Frame empty = { style->font_size * 4, style->font_size * 2.4,
                      width - style->font_size * 5, height - style->font_size * 5,
                      0, 1, 0, 1, FALSE, FALSE };
      draw_message (cr, style, plot->empty_message, width, height);
      draw_legend (cr, style, &empty, curves, n_curves, FALSE, legend);
      return;
    }
  if (isfinite (plot->hline) && (!plot->log_y || plot->hline > 0))
    {
      ymin = MIN (ymin, plot->hline);
      ymax = MAX (ymax, plot->hline);
    }
  if (plot->x_hi > plot->x_lo && xmax > xmin)
    {
      /* A zoomed range spans the whole width even where a curve ends inside it. */
      if (!(plot->log_x && plot->x_lo <= 0))
        xmin = plot->x_lo;
      xmax = plot->x_hi;
    }
  if (!make_frame (cr, &f, style, plot, width, height, xmin, xmax, ymin, ymax, FALSE))
    return;
  if (plot->x_map != NULL)
    *plot->x_map = (AsFigureXMap) {
      .valid = TRUE,
      .left = f.left, .top = f.top, .width = f.width, .height = f.height,
      .x_min = f.log_x ? pow (10, f.x0) : f.x0, .x_max = f.log_x ? pow (10, f.x1) : f.x1,
      .y_min = f.log_y ? pow (10, f.y0) : f.y0, .y_max = f.log_y ? pow (10, f.y1) : f.y1,
      .log_x = f.log_x, .log_y = f.log_y,
    };
  draw_frame (cr, style, &f, plot->x_label, plot->y_label);
  if (plot->reference_slopes)
    plot_reference_slopes (cr, style, plot, &f, curves, n_curves);
  plot_hline (cr, style, plot, &f);
  plot_curves (cr, plot, &f, curves, n_curves);
  draw_legend (cr, style, &f, curves, n_curves, plot->legend_bottom_left, legend);
}

double
as_figure_x_map_value (const AsFigureXMap *map, double px)
{
  double u = CLAMP ((px - map->left) / map->width, 0.0, 1.0);

  if (map->log_x)
    return pow (10, log10 (map->x_min) + u * (log10 (map->x_max) - log10 (map->x_min)));
  return map->x_min + u * (map->x_max - map->x_min);
}

int
as_figure_legend_hit (const AsFigureRect *legend, guint n, double x, double y)
{
  for (guint i = 0; i < n; i++)
    if (legend[i].width > 0 && x >= legend[i].x && x <= legend[i].x + legend[i].width
        && y >= legend[i].y && y <= legend[i].y + legend[i].height)
      return (int) i;
  return -1;
}

void
as_figure_draw_stems (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                      const char *title, const char *legend_code, const char *legend_input,
                      const char *legend_solution, const char *legend_band, AsColor color,
                      guint m, const double *z, const double *u, const double *zstar,
                      double threshold)
{
  double amax = 0, fs = style->font_size;
  AsFigureCurvePlot plot = { .title = title, .hline = NAN };
  Frame f;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  draw_title (cr, style, title, width);
  if (z == NULL || m == 0)
    return;
  for (guint j = 0; j < m; j++)
    {
      amax = MAX (amax, fabs (z[j]));
      if (u != NULL && isfinite (u[j]))
        amax = MAX (amax, fabs (u[j]));
      if (zstar != NULL)
        amax = MAX (amax, fabs (zstar[j]));
    }
  if (isfinite (threshold))
    amax = MAX (amax, threshold * 1.2);
  if (!(amax > 0))
    amax = 1;
  if (!make_frame (cr, &f, style, &plot, width, height, -0.5, m - 0.5, -amax, amax, FALSE))
    return;
  draw_frame (cr, style, &f, NULL, NULL);

  cairo_save (cr);
  cairo_rectangle (cr, f.left, f.top, f.width, f.height);
  cairo_clip (cr);
  /* The band that the soft threshold sends to zero. */
  if (isfinite (threshold) && threshold > 0)
    {
      double ya = frame_y (&f, threshold), yb = frame_y (&f, -threshold);
      cairo_set_source_rgba (cr, style->event.r, style->event.g, style->event.b, 0.18);
      cairo_rectangle (cr, f.left, ya, f.width, yb - ya);
      cairo_fill (cr);
    }
  /* zero line */
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, f.left, floor (frame_y (&f, 0)) + 0.5);
  cairo_line_to (cr, f.left + f.width, floor (frame_y (&f, 0)) + 0.5);
  cairo_stroke (cr);
  if (u != NULL)
    {
      cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.35);
      cairo_set_line_width (cr, MAX (1.0, MIN (3.0, 0.4 * f.width / m)));
      for (guint j = 0; j < m; j++)
        if (isfinite (u[j]) && u[j] != 0)
          {
            double x = frame_x (&f, j);
            cairo_move_to (cr, x, frame_y (&f, 0));
            cairo_line_to (cr, x, frame_y (&f, u[j]));
          }
      cairo_stroke (cr);
    }
  as_figure_set_color (cr, &color);
  cairo_set_line_width (cr, 1.6);
  for (guint j = 0; j < m; j++)
    if (z[j] != 0)
      {
        double x = frame_x (&f, j);
        cairo_move_to (cr, x, frame_y (&f, 0));
        cairo_line_to (cr, x, frame_y (&f, z[j]));
        cairo_stroke (cr);
        cairo_arc (cr, x, frame_y (&f, z[j]), 3.2, 0, 2 * G_PI);
        cairo_fill (cr);
      }
  if (zstar != NULL)
    {
      as_figure_set_color (cr, &style->foreground);
      cairo_set_line_width (cr, 1.3);
      for (guint j = 0; j < m; j++)
        if (zstar[j] != 0)
          {
            cairo_new_sub_path (cr);
            cairo_arc (cr, frame_x (&f, j), frame_y (&f, zstar[j]), 5.0, 0, 2 * G_PI);
          }
      cairo_stroke (cr);
    }
  cairo_restore (cr);

  /* Legend: a row under the title. */
  {
    double x = f.left + 8, y = f.top + fs;
    const char *labels[] = { legend_code, legend_input, legend_solution, legend_band };
    for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
      {
        double label_w;

        if (labels[i] == NULL || (i == 1 && u == NULL) || (i == 2 && zstar == NULL))
          continue;
        switch (i)
          {
          case 0:
            as_figure_set_color (cr, &color);
            cairo_new_path (cr);
            cairo_arc (cr, x + 5, y, 3.2, 0, 2 * G_PI);
            cairo_fill (cr);
            break;
          case 1:
            cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.35);
            cairo_rectangle (cr, x + 3, y - 6, 3, 12);
            cairo_fill (cr);
            break;
          case 2:
            as_figure_set_color (cr, &style->foreground);
            cairo_new_path (cr);
            cairo_arc (cr, x + 5, y, 5, 0, 2 * G_PI);
            cairo_stroke (cr);
            break;
          default:
            cairo_set_source_rgba (cr, style->event.r, style->event.g, style->event.b, 0.35);
            cairo_rectangle (cr, x, y - 6, 10, 12);
            cairo_fill (cr);
            break;
          }
        as_figure_set_color (cr, &style->foreground);
        show_text_at (cr, style, labels[i], x + 14, y, 0.0, 0.5);
        as_figure_text_size (cr, style, 1.0, 0, labels[i], &label_w, NULL);
        x += label_w + 30;
      }
  }
}

void
as_figure_draw_steps (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                      const AsFigureCurvePlot *plot, const AsFigureCurve *curves, guint n_curves,
                      AsFigureRect *legend, const char *histogram_title, const char *met_label,
                      const double *met, guint n_met, const char *solution_label,
                      const double *at_solution, guint n_at_solution)
{
  double xmin, xmax, ymin = INFINITY, ymax = -INFINITY, fs = style->font_size;
  gboolean any;
  Frame f;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  for (guint i = 0; legend != NULL && i < n_curves; i++)
    legend[i] = (AsFigureRect) { 0, 0, 0, 0 };
  draw_title (cr, style, plot->title, width * 0.72);
  any = curves_range (plot, curves, n_curves, &xmin, &xmax, &ymin, &ymax);
  if (!any)
    {
      xmin = 1;
      xmax = 2;
    }
  for (guint i = 0; i < n_met; i++)
    if (isfinite (met[i]))
      {
        ymin = MIN (ymin, met[i]);
        ymax = MAX (ymax, met[i]);
      }
  for (guint i = 0; i < n_at_solution; i++)
    if (isfinite (at_solution[i]))
      {
        ymin = MIN (ymin, at_solution[i]);
        ymax = MAX (ymax, at_solution[i]);
      }
  if (isfinite (plot->hline))
    {
      ymin = MIN (ymin, plot->hline);
      ymax = MAX (ymax, plot->hline);
    }
  if (!isfinite (ymin) || !isfinite (ymax))
    {
      draw_message (cr, style, plot->empty_message, width, height);
      return;
    }
  if (!make_frame (cr, &f, style, plot, width, height, xmin, xmax, ymin, ymax, TRUE))
    return;
  draw_frame (cr, style, &f, plot->x_label, plot->y_label);
  plot_hline (cr, style, plot, &f);
  plot_curves (cr, plot, &f, curves, n_curves);
  if (!any)
    draw_message (cr, style, plot->empty_message, f.left + f.width / 2 + f.left / 2, height);

  /* Histograms of 1/L_S, horizontal bars on the same y scale. */
  {
    enum { N_BINS = 30 };
    double hx = f.left + f.width + fs * 1.5, hw = width - hx - fs * 0.8;
    guint bins_met[N_BINS] = { 0 }, bins_sol[N_BINS] = { 0 }, peak = 1;
    double bh = f.height / N_BINS;

    if (hw < 20)
      return;
    for (guint i = 0; i < n_met; i++)
      {
        int b = (int) floor ((met[i] - f.y0) / (f.y1 - f.y0) * N_BINS);
        if (isfinite (met[i]) && b >= 0 && b < N_BINS)
          peak = MAX (peak, ++bins_met[b]);
      }
    for (guint i = 0; i < n_at_solution; i++)
      {
        int b = (int) floor ((at_solution[i] - f.y0) / (f.y1 - f.y0) * N_BINS);
        if (isfinite (at_solution[i]) && b >= 0 && b < N_BINS)
          bins_sol[b]++;
      }
    /* The two histograms are normalised separately (they count different things). */
    {
      guint peak_sol = 1;
      for (int b = 0; b < N_BINS; b++)
        peak_sol = MAX (peak_sol, bins_sol[b]);
      as_figure_set_color (cr, &style->foreground);
      if (histogram_title != NULL)
        as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, histogram_title, hx + hw / 2, 4, 0.5, 0.0);
      cairo_set_line_width (cr, 1.0);
      cairo_move_to (cr, floor (hx) + 0.5, f.top);
      cairo_line_to (cr, floor (hx) + 0.5, f.top + f.height);
      cairo_stroke (cr);
      for (int b = 0; b < N_BINS; b++)
        {
          double y = f.top + f.height - (b + 1) * bh;
          if (bins_met[b] > 0)
            {
              cairo_set_source_rgba (cr, style->trace.r, style->trace.g, style->trace.b, 0.55);
              cairo_rectangle (cr, hx, y + 0.5, hw * bins_met[b] / peak, bh - 1);
              cairo_fill (cr);
            }
          if (bins_sol[b] > 0)
            {
              as_figure_set_color (cr, &style->event);
              cairo_set_line_width (cr, 1.5);
              cairo_rectangle (cr, hx + 0.75, y + 1, hw * bins_sol[b] / peak_sol - 1.5, bh - 2);
              cairo_stroke (cr);
            }
        }
      /* key */
      {
        double ky = f.top + f.height + fs * 1.2;
        cairo_set_source_rgba (cr, style->trace.r, style->trace.g, style->trace.b, 0.55);
        cairo_rectangle (cr, hx, ky - 5, 10, 10);
        cairo_fill (cr);
        as_figure_set_color (cr, &style->foreground);
        if (met_label != NULL)
          show_text_at (cr, style, met_label, hx + 14, ky, 0.0, 0.5);
        ky += fs * 1.4;
        as_figure_set_color (cr, &style->event);
        cairo_rectangle (cr, hx + 0.75, ky - 5, 10, 10);
        cairo_stroke (cr);
        as_figure_set_color (cr, &style->foreground);
        if (solution_label != NULL)
          show_text_at (cr, style, solution_label, hx + 14, ky, 0.0, 0.5);
      }
    }
  }
  draw_legend (cr, style, &f, curves, n_curves, plot->legend_bottom_left, legend);
}
