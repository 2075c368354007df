/* as-figure-recovery.c: GTK-free drawing of the dictionary recovery figures.
 *
 * Only mapping of values to pixels happens here: the numbers come from the
 * engine (as-dl-grid.h, as-dl.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "as-figure-axis.h"
#include "as-figure-recovery.h"
#include "as-figure-teaching.h"
#include "as-figure-text.h"

/* Eight samples of viridis (van der Walt & Smith 2015), interpolated linearly. */
AsColor
as_figure_heatmap_color (double t)
{
  static const double stops[8][3] = {
    { 0.267, 0.005, 0.329 }, { 0.275, 0.194, 0.497 }, { 0.213, 0.359, 0.552 },
    { 0.153, 0.497, 0.558 }, { 0.122, 0.633, 0.530 }, { 0.288, 0.762, 0.428 },
    { 0.626, 0.854, 0.223 }, { 0.993, 0.906, 0.144 },
  };
  double u, f;
  guint i;

  if (!isfinite (t))
    t = 0.0;
  u = CLAMP (t, 0.0, 1.0) * 7.0;
  i = MIN ((guint) u, 6u);
  f = u - i;
  return (AsColor) { stops[i][0] + f * (stops[i + 1][0] - stops[i][0]),
                     stops[i][1] + f * (stops[i + 1][1] - stops[i][1]),
                     stops[i][2] + f * (stops[i + 1][2] - stops[i][2]), 1.0 };
}

static void
format_value (char *buf, gsize len, double v)
{
  g_snprintf (buf, len, "%.3g", v);
}

void
as_figure_draw_heatmap (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                        const AsFigureHeatmap *map)
{
  double fs = style->font_size;
  double left = fs * 5.0, top = map->title != NULL ? fs * 2.6 : fs;
  double bar_w = fs * 1.2, bar_gap = fs * 1.2, bar_text;
  double plot_h = height - top - fs * 3.8, plot_w;
  double span = map->vmax > map->vmin ? map->vmax - map->vmin : 1.0;
  AsFigureAxis bar_axis = { map->vmin, map->vmin + span, FALSE, map->colorbar_label };
  double cw, ch;
  char buf[32];

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (map->title != NULL)
    {
      as_figure_set_color (cr, &style->foreground);
      as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, map->title, width / 2, fs * 0.4, 0.5, 0.0);
    }
  if (plot_h < 20)
    return;
  /* The colour bar's scale is an axis of the shared tick model, its title
   * reading upwards on the right: its room is known before the cells'. */
  bar_text = as_figure_axis_left_room (cr, style, &bar_axis, plot_h, 0.85) + fs * 0.4;
  plot_w = width - left - bar_gap - bar_w - bar_text;
  if (plot_w < 20 || map->n_rows == 0 || map->n_cols == 0)
    return;
  cw = plot_w / map->n_cols;
  ch = plot_h / map->n_rows;

  /* Cells: row 0 at the bottom.  A missing value is left empty with a thin
   * outline, so a grid being filled shows what is still to come. */
  for (guint r = 0; r < map->n_rows; r++)
    for (guint c = 0; c < map->n_cols; c++)
      {
        double v = map->values[(gsize) r * map->n_cols + c];
        double x = left + c * cw, y = top + plot_h - (r + 1) * ch;

        if (isfinite (v))
          {
            AsColor col = as_figure_heatmap_color ((v - map->vmin) / span);

            as_figure_set_color (cr, &col);
            cairo_rectangle (cr, x, y, cw + 0.5, ch + 0.5);
            cairo_fill (cr);
            if (map->show_values && cw > fs * 3.0 && ch > fs * 1.4)
              {
                double lum = 0.299 * col.r + 0.587 * col.g + 0.114 * col.b;

                cairo_set_source_rgb (cr, lum > 0.5 ? 0.0 : 1.0, lum > 0.5 ? 0.0 : 1.0,
                                      lum > 0.5 ? 0.0 : 1.0);
                /* Three decimals always: "1" among "0.981" reads as a rounding. */
                g_snprintf (buf, sizeof buf, "%.3f", v);
                as_figure_text (cr, style, 0.9, 0, buf, x + cw / 2, y + ch / 2, 0.5, 0.5);
              }
          }
        else
          {
            as_figure_set_color (cr, &style->grid);
            cairo_set_line_width (cr, 1.0);
            cairo_rectangle (cr, x + 0.5, y + 0.5, cw - 1.0, ch - 1.0);
            cairo_stroke (cr);
          }
      }

  /* Frame, ticks at the cell centres, labels. */
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, left, top, plot_w, plot_h);
  cairo_stroke (cr);
  for (guint c = 0; c < map->n_cols; c++)
    {
      double x = left + (c + 0.5) * cw;

      cairo_move_to (cr, x, top + plot_h);
      cairo_line_to (cr, x, top + plot_h + fs * 0.3);
      cairo_stroke (cr);
      if (map->col_labels != NULL && map->col_labels[c] != NULL)
        as_figure_text (cr, style, 1.0, 0, map->col_labels[c], x, top + plot_h + fs * 0.4, 0.5, 0.0);
      else if (map->col_values != NULL)
        {
          format_value (buf, sizeof buf, map->col_values[c]);
          as_figure_text (cr, style, 1.0, 0, buf, x, top + plot_h + fs * 0.4, 0.5, 0.0);
        }
    }
  for (guint r = 0; r < map->n_rows; r++)
    {
      double y = top + plot_h - (r + 0.5) * ch;

      cairo_move_to (cr, left, y);
      cairo_line_to (cr, left - fs * 0.3, y);
      cairo_stroke (cr);
      if (map->row_values != NULL)
        {
          format_value (buf, sizeof buf, map->row_values[r]);
          as_figure_text (cr, style, 1.0, 0, buf, left - fs * 0.5, y, 1.0, 0.5);
        }
    }
  if (map->x_label != NULL)
    as_figure_text (cr, style, 1.0, 0, map->x_label, left + plot_w / 2, height - fs * 0.3, 0.5, 1.0);
  if (map->y_label != NULL)
    as_figure_text_upwards (cr, style, 1.0, 0, map->y_label, fs * 0.3, top + plot_h / 2, 0.5, 0.0);

  /* Colour bar: the map from vmin (bottom) to vmax (top) with 5 ticks. */
  {
    double bx = left + plot_w + bar_gap;
    cairo_pattern_t *grad = cairo_pattern_create_linear (0, top + plot_h, 0, top);

    for (guint k = 0; k <= 16; k++)
      {
        AsColor col = as_figure_heatmap_color (k / 16.0);

        cairo_pattern_add_color_stop_rgb (grad, k / 16.0, col.r, col.g, col.b);
      }
    cairo_set_source (cr, grad);
    cairo_rectangle (cr, bx, top, bar_w, plot_h);
    cairo_fill (cr);
    cairo_pattern_destroy (grad);
    as_figure_draw_axis (cr, style, &bar_axis, AS_FIGURE_AXIS_RIGHT,
                         &(AsFigureRect) { bx, top, bar_w, plot_h }, 0.85, 0);
    as_figure_set_color (cr, &style->foreground);
    cairo_set_line_width (cr, 1.0);
    cairo_rectangle (cr, bx, top, bar_w, plot_h);
    cairo_stroke (cr);
  }
}

void
as_figure_draw_gradient_errors (cairo_t *cr, double width, double height,
                                const AsFigureStyle *style, const char *title,
                                const double *errors, guint max_depth, gboolean dark)
{
  g_autofree double *depth = g_new (double, MAX (max_depth, 1));
  const char *labels[3] = { _("analytic"), _("automatic"), _("implicit") };
  AsFigureCurve curves[3];
  AsFigureCurvePlot plot = {
    .title = title,
    .x_label = _("unrolled layers T"),
    .y_label = _("relative gradient error"),
    .log_y = TRUE,
    .y_floor = 1e-12,
    .hline = NAN,
    .empty_message = _("No gradient errors yet"),
  };

  for (guint t = 0; t < max_depth; t++)
    depth[t] = t + 1;
  for (guint e = 0; e < 3; e++)
    curves[e] = (AsFigureCurve) {
      .label = labels[e],
      .color = as_figure_teaching_color (e, dark),
      .dashed = e == 2,
      .visible = TRUE,
      .n = errors != NULL ? max_depth : 0,
      .x = depth,
      .y = errors != NULL ? errors + (gsize) e * max_depth : NULL,
    };
  as_figure_draw_curves (cr, width, height, style, &plot, curves, 3, NULL);
}
