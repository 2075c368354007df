/* as-figure-teaching.h: the teaching view's figures (convergence curves on a log
 * axis with a legend, the code vector as a stem plot with its threshold band,
 * learned step sizes beside the histogram of 1/L_S), drawn on any cairo_t.
 *
 * GTK-free: the page's widgets and its PNG/SVG/PDF export call the same code.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-figure.h"

G_BEGIN_DECLS

typedef struct
{
  const char   *label;
  AsColor       color;
  gboolean      dashed;
  gboolean      markers;
  gboolean      visible;     /* hidden curves keep a (faded) legend entry */
  guint         n;
  const double *x;           /* NULL: x = 0, 1, 2, … */
  const double *y;
} AsFigureCurve;

/* Where a drawn plot put its data: its area in user units and the data range
 * it shows (the x range in data units, log or not), for turning a pointer
 * position back into data. */
typedef struct
{
  gboolean valid;
  double   left, top, width, height;
  double   x_min, x_max, y_min, y_max;
  gboolean log_x, log_y;
} AsFigureXMap;

typedef struct
{
  const char *title;
  const char *x_label;
  const char *y_label;
  gboolean    log_x, log_y;
  double      y_floor;          /* log_y: smallest value shown (values ≤ 0 end a curve) */
  gboolean    reference_slopes; /* C/t and C/t² guides through the first visible curve at x = 1 */
  const char *slope_1_label;    /* "1/t" */
  const char *slope_2_label;    /* "1/t²" */
  double      hline;            /* a horizontal reference (e.g. 1/L), NAN for none */
  const char *hline_label;
  const char *empty_message;    /* shown when there is nothing to draw */
  gboolean    legend_bottom_left; /* default: top right */
  double      x_lo, x_hi;       /* x_hi > x_lo: show only this x range (the y range follows) */
  AsFigureXMap *x_map;          /* filled by the draw when not NULL */
} AsFigureCurvePlot;

/* Curves with axes, grid, legend.  @legend (n_curves entries, may be NULL)
 * receives each legend entry's box, for hit-testing clicks that toggle curves. */
void as_figure_draw_curves (cairo_t                 *cr,
                            double                   width,
                            double                   height,
                            const AsFigureStyle     *style,
                            const AsFigureCurvePlot *plot,
                            const AsFigureCurve     *curves,
                            guint                    n_curves,
                            AsFigureRect            *legend);

/* The data x under the user-space abscissa @px of a drawn plot (clamped to its range). */
double as_figure_x_map_value (const AsFigureXMap *map, double px);

/* Index of the legend entry under (x, y), or -1. */
int  as_figure_legend_hit  (const AsFigureRect *legend, guint n, double x, double y);

/* The code vector z (m entries) as stems over the atom index, the point u
 * before the soft threshold as faint stems (may be NULL), the solution z* as
 * hollow circles (may be NULL) and the band |u| ≤ threshold that the soft
 * threshold sends to zero. */
void as_figure_draw_stems  (cairo_t             *cr,
                            double               width,
                            double               height,
                            const AsFigureStyle *style,
                            const char          *title,
                            const char          *legend_code,
                            const char          *legend_input,
                            const char          *legend_solution,
                            const char          *legend_band,
                            AsColor              color,
                            guint                m,
                            const double        *z,
                            const double        *u,
                            const double        *zstar,
                            double               threshold);

/* Step sizes per layer (curves, with 1/L as the plot's hline) on the left and,
 * on the right sharing the y axis, histograms of 1/L_S: @met filled,
 * @at_solution outlined. */
void as_figure_draw_steps  (cairo_t                 *cr,
                            double                   width,
                            double                   height,
                            const AsFigureStyle     *style,
                            const AsFigureCurvePlot *plot,
                            const AsFigureCurve     *curves,
                            guint                    n_curves,
                            AsFigureRect            *legend,
                            const char              *histogram_title,
                            const char              *met_label,
                            const double            *met,
                            guint                    n_met,
                            const char              *solution_label,
                            const double            *at_solution,
                            guint                    n_at_solution);

/* The palette of the teaching figures: one colour per solver, light or dark. */
AsColor as_figure_teaching_color (guint index, gboolean dark);

G_END_DECLS
