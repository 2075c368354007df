/* as-figure-overview.h: the whole recording in one strip — where the page
 * is, and where the events are — as clinical viewers show under the traces.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>

#include "as-figure.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* Draws the strip in @width × @height, its time axis aligned with the signal
 * figure's plot (the same left and right margins). */
void   as_figure_draw_overview   (cairo_t *cr, double width, double height,
                                  const AsFigureStyle *style, const AsRecording *rec,
                                  double page_start, double page_length);
/* The same with @events (of AsEvent, e.g. annotations being edited) marked
 * instead of the recording's. */
void   as_figure_draw_overview_events (cairo_t *cr, double width, double height,
                                       const AsFigureStyle *style, const AsRecording *rec,
                                       const GArray *events, double page_start,
                                       double page_length);
/* The time (s) under @x in a strip of @width, for @rec. */
double as_figure_overview_time_at (double x, double width, const AsRecording *rec);

G_END_DECLS
