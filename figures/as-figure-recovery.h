/* as-figure-recovery.h: the dictionary recovery lab's figures, drawn on any
 * cairo_t: the "phase transition" heat map (mean recovery over sparsity ×
 * coherence, with a colour bar) and the gradient error of the unrolled
 * estimates versus depth (log axis, one curve per estimate).
 *
 * GTK-free: the window's page and atomscope-cli recovery call the same code.
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
  const char   *title;
  const char   *x_label;        /* columns */
  const char   *y_label;        /* rows, drawn bottom to top */
  const char   *colorbar_label;
  guint         n_rows, n_cols;
  const double *row_values;     /* n_rows tick labels */
  const double *col_values;     /* n_cols tick labels */
  const char *const *col_labels; /* NULL, or n_cols texts replacing those of col_values
                                  * where not NULL */
  const double *values;         /* n_rows × n_cols, NAN: not computed yet */
  double        vmin, vmax;     /* colour scale */
  gboolean      show_values;    /* write each value in its cell when it fits */
} AsFigureHeatmap;

/* The colour of @t in [0, 1] on the perceptually ordered map used by the
 * heat map (dark blue → green → yellow, as viridis). */
AsColor as_figure_heatmap_color (double t);

void as_figure_draw_heatmap (cairo_t               *cr,
                             double                 width,
                             double                 height,
                             const AsFigureStyle   *style,
                             const AsFigureHeatmap *map);

/* errors: 3 × max_depth as as_dl_gradient_errors writes them (analytic,
 * automatic, implicit), drawn against T = 1 … max_depth on a log y axis. */
void as_figure_draw_gradient_errors (cairo_t             *cr,
                                     double               width,
                                     double               height,
                                     const AsFigureStyle *style,
                                     const char          *title,
                                     const double        *errors,
                                     guint                max_depth,
                                     gboolean             dark);

G_END_DECLS
