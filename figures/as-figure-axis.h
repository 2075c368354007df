/* as-figure-axis.h: the one axis and tick model of every figure.
 *
 * An axis maps data values on [lo, hi] (linear or logarithmic) to a fraction
 * 0 … 1 of its length.  Its ticks are "nice": 1, 2 or 5 × 10^k steps on a linear
 * axis; on a logarithmic one, powers of ten (every n-th when crowded) with 2 and
 * 5 (or 2 … 9) between them, or linear steps when the span is under a decade.
 * Labels are formatted from the step so they carry no spurious digits, with a
 * true minus sign and 10ⁿ for powers of ten.  The convergence plot, the teaching
 * plots, the atoms' waveforms and spectra, the raster and the signal browser all
 * draw their axes with as_figure_draw_axis().
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
  double      lo, hi;   /* data values at the two ends (> 0 on a log axis) */
  gboolean    log;
  const char *title;    /* quantity and unit, e.g. "time (s)"; may be NULL */
} AsFigureAxis;

typedef struct
{
  double   value;
  gboolean major;       /* labelled, full-strength grid line */
  char     label[40];
} AsFigureTick;

#define AS_FIGURE_MAX_TICKS 320

typedef enum
{
  AS_FIGURE_AXIS_BOTTOM,
  AS_FIGURE_AXIS_LEFT,
  AS_FIGURE_AXIS_RIGHT,   /* labels right of the plot (a colour bar's scale) */
} AsFigureAxisSide;

typedef enum
{
  AS_FIGURE_AXIS_GRID       = 1 << 0,  /* grid lines across the plot */
  AS_FIGURE_AXIS_NO_LABELS  = 1 << 1,  /* ticks and grid only */
  AS_FIGURE_AXIS_NO_MINOR   = 1 << 2,  /* majors only */
} AsFigureAxisFlags;

/* A "nice" step (1, 2 or 5 × 10^k) for @span divided in about @n parts. */
double as_figure_nice_step      (double span, int n);

/* Fraction of the axis at @value (0 at lo, 1 at hi; outside for values beyond). */
double as_figure_axis_fraction  (const AsFigureAxis *axis, double value);

/* Ticks for about @n_major labelled ticks; returns how many were written (≤ @max). */
guint  as_figure_axis_ticks     (const AsFigureAxis *axis,
                                 int                 n_major,
                                 AsFigureTick       *ticks,
                                 guint               max);

/* Formats @value for a linear axis whose ticks are @step apart. */
void   as_figure_format_value   (double value, double step, char *buf, gsize len);

/* Draws the axis along one side of @plot: grid lines (with AS_FIGURE_AXIS_GRID),
 * tick marks, tick labels at style->font_size × @font_scale that never overlap
 * (fewer ticks when they would), and the title (upright under a bottom axis,
 * reading upwards left of a left axis).  Returns the room the labels and title
 * took outside the plot, in user units. */
double as_figure_draw_axis      (cairo_t             *cr,
                                 const AsFigureStyle *style,
                                 const AsFigureAxis  *axis,
                                 AsFigureAxisSide     side,
                                 const AsFigureRect  *plot,
                                 double               font_scale,
                                 AsFigureAxisFlags    flags);

/* Room a left axis needs for its labels and title, to lay the plot out first. */
double as_figure_axis_left_room (cairo_t             *cr,
                                 const AsFigureStyle *style,
                                 const AsFigureAxis  *axis,
                                 double               length,
                                 double               font_scale);

G_END_DECLS
