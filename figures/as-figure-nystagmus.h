/* as-figure-nystagmus.h: GTK-free drawing of nystagmus measures: the eye trace in degrees
 * with slow phases shaded and fast phases marked, slow-phase velocity over time and its
 * histogram, and the one-page report that gathers them with the beat atom and the
 * measures table.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-cdl.h"
#include "as-figure.h"
#include "as-nystagmus.h"

G_BEGIN_DECLS

/* The eye position (°, y axis with ticks) over [t0, t0 + duration) s; slow phases shaded,
 * fast phases drawn over in the event colour with an arrowhead in the beating direction,
 * foveation periods as a bar under the trace, left-out beats hatched. */
void as_figure_draw_nystagmus_trace (cairo_t *cr, double width, double height,
                                     const AsFigureStyle *style, const AsNystagmusAnalysis *an,
                                     double t0, double duration);
/* Each beat's mean slow-phase velocity at its start time, with the median. */
void as_figure_draw_spv_time        (cairo_t *cr, double width, double height,
                                     const AsFigureStyle *style, const AsNystagmusAnalysis *an,
                                     double t0, double t1);
/* Histogram of the beats' mean slow-phase velocity, with the median and the IQR. */
void as_figure_draw_spv_histogram   (cairo_t *cr, double width, double height,
                                     const AsFigureStyle *style, const AsNystagmusAnalysis *an,
                                     double t0, double t1);

/* Over one channel row of the signal browser (as_figure_draw_signals_full): slow phases
 * shaded, fast phases drawn over the trace, and a y axis in degrees in the left margin.
 * @y holds the page's @n samples of the channel (file units, @sfreq, first sample at
 * @time_origin s); a value v is drawn at yc − (v − mid) · scale.  The plot spans
 * @left … @left + @plot_w over [t0, t0 + duration), the row @row_top … + @row_h. */
void as_figure_nystagmus_overlay (cairo_t *cr, const AsFigureStyle *style,
                                  const AsNystagmusAnalysis *an, const double *y, gsize n,
                                  double sfreq, double time_origin, double left, double plot_w,
                                  double row_top, double row_h, double yc, double mid,
                                  double scale, double t0, double duration);

/* Both SPV plots stacked (over time above, the histogram below), for a narrow panel. */
void as_figure_draw_spv_panel (cairo_t *cr, double width, double height,
                               const AsFigureStyle *style, const AsNystagmusAnalysis *an,
                               double t0, double t1);

typedef struct
{
  const AsRecording         *recording;
  const AsNystagmusAnalysis *analysis;
  const AsCdlModel          *model;     /* or NULL */
  guint                      atom;      /* the beat atom in the model */
  double                     t0, t1;    /* the interval measured, s */
  const char                *source;    /* the file's name as the user gave it */
} AsFigureNystagmusReport;

/* An A4 page (794 × 1123 units of 1/96 inch). */
#define AS_FIGURE_REPORT_WIDTH  794.0
#define AS_FIGURE_REPORT_HEIGHT 1123.0

void     as_figure_draw_nystagmus_report  (cairo_t *cr, double width, double height,
                                           const AsFigureNystagmusReport *report);
/* The report as a one-page PDF (through as-output: temporary file, then rename). */
gboolean as_figure_nystagmus_report_write (const char *path, const AsFigureNystagmusReport *report,
                                           gboolean overwrite, GError **error);

G_END_DECLS
