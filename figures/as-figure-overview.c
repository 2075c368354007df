/* as-figure-overview.c: the whole recording in one strip.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "as-figure-atoms.h"
#include "as-figure-overview.h"

double
as_figure_overview_time_at (double x, double width, const AsRecording *rec)
{
  double plot_w = width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT;

  if (rec == NULL || plot_w <= 0)
    return 0;
  return CLAMP ((x - AS_FIGURE_PLOT_LEFT) / plot_w, 0.0, 1.0) * as_recording_duration (rec);
}

void
as_figure_draw_overview (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                         const AsRecording *rec, double page_start, double page_length)
{
  as_figure_draw_overview_events (cr, width, height, style, rec, rec != NULL ? rec->events : NULL,
                                  page_start, page_length);
}

void
as_figure_draw_overview_events (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                                const AsRecording *rec, const GArray *events, double page_start,
                                double page_length)
{
  const double left = AS_FIGURE_PLOT_LEFT, plot_w = width - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT;
  double duration, x0, x1;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (rec == NULL || plot_w < 10 || !((duration = as_recording_duration (rec)) > 0))
    return;

  /* The recording's span. */
  cairo_set_source_rgba (cr, style->grid.r, style->grid.g, style->grid.b, 0.35);
  cairo_rectangle (cr, left, 2, plot_w, height - 4);
  cairo_fill (cr);

  /* Events: a tick each (a pixel column holds many in a long file). */
  as_figure_set_color (cr, &style->event);
  cairo_set_line_width (cr, 1.0);
  {
    int last = -1;
    for (guint i = 0; events != NULL && i < events->len; i++)
      {
        const AsEvent *ev = &g_array_index (events, AsEvent, i);
        int px = (int) floor (left + ev->onset / duration * plot_w);
        if (px == last)
          continue;
        last = px;
        cairo_move_to (cr, px + 0.5, 2);
        cairo_line_to (cr, px + 0.5, height - 2);
      }
    cairo_stroke (cr);
  }

  /* The page, at least three pixels wide so it can be seen on a day. */
  x0 = left + page_start / duration * plot_w;
  x1 = left + MIN (duration, page_start + page_length) / duration * plot_w;
  if (x1 - x0 < 3)
    {
      double mid = 0.5 * (x0 + x1);
      x0 = mid - 1.5;
      x1 = mid + 1.5;
    }
  cairo_set_source_rgba (cr, style->trace.r, style->trace.g, style->trace.b, 0.25);
  cairo_rectangle (cr, x0, 1, x1 - x0, height - 2);
  cairo_fill_preserve (cr);
  as_figure_set_color (cr, &style->trace);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
}
