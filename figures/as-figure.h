/* as-figure.h: figures drawn on any cairo surface (widget, PNG, SVG, PDF).
 *
 * Nothing here knows GTK: the widgets and the exporters call the same
 * functions with their own cairo_t, so a figure looks the same everywhere.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  double r, g, b, a;
} AsColor;

typedef struct
{
  AsColor foreground;
  AsColor background;
  AsColor grid;
  AsColor trace;
  AsColor event;
  AsColor reconstruction;
  double  font_size;   /* in user units (pixels or points) */
} AsFigureStyle;

typedef struct
{
  double x, y, width, height;
} AsFigureRect;

typedef struct _AsFigureAtoms AsFigureAtoms;

typedef struct
{
  double               sensitivity;    /* channel unit per mm (or per row without pixels_per_mm); 0: autoscale */
  double               pixels_per_mm;  /* the display's real size; 0: unknown */
  gboolean             common_scale;   /* autoscale all channels together over the page */
  const AsFigureAtoms *atoms;          /* occurrences to highlight, or NULL */
  int                  selected_atom;  /* its occurrences drawn strongest; −1: all alike */
  const double        *reconstruction; /* n_channels × recon_len from sample recon_start */
  gsize                recon_start;
  gsize                recon_len;
  guint                recon_channels; /* channels the reconstruction covers (the first ones); 0: all */
  const char *const   *bad;            /* labels of channels marked bad (dimmed, named so), or NULL */
  guint                scaled_channels; /* the first ones hold scaled values (learning's units,
                                           not the sensitivity's): drawn at their own range */
  double               time_origin;    /* s: time of @rec's first sample (a page of a longer recording) */
  const struct _AsNystagmusAnalysis *nystagmus; /* beats marked on the channel it measured, or NULL */
} AsFigureSignalOptions;

void as_figure_style_init_light (AsFigureStyle *style);
void as_figure_style_init_dark  (AsFigureStyle *style);
void as_figure_set_color        (cairo_t *cr, const AsColor *color);

/* Stacked channels of @rec between @t0 and @t0 + @duration seconds, each
 * channel scaled to its own range in the window, with names, a time axis and
 * event markers.  Samples are reduced to min/max per pixel column. */
void as_figure_draw_signals     (cairo_t             *cr,
                                 double               width,
                                 double               height,
                                 const AsFigureStyle *style,
                                 const AsRecording   *rec,
                                 double               t0,
                                 double               duration);

/* The same with a sensitivity, learned-atom overlays and a reconstruction. */
void as_figure_draw_signals_full (cairo_t                     *cr,
                                  double                       width,
                                  double                       height,
                                  const AsFigureStyle         *style,
                                  const AsRecording           *rec,
                                  double                       t0,
                                  double                       duration,
                                  const AsFigureSignalOptions *options);
/* How many times the sensitivity channel @c of @rec is read at: 1 for the
 * first channel's type, MNE-Python's ratio for EOG (7.5), ECG (25), EMG (50)
 * beside EEG, 0 (its own range) for a channel in another unit. */
double as_figure_sensitivity_factor (const AsRecording *rec, guint c);

/* The step of @steps (sorted) nearest to @value, or the next one up or down. */
double as_figure_step_in (const double *steps, guint n, double value, int direction);
/* Clinical sensitivities: 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70 × 10^k per mm. */
double as_figure_sensitivity_step (double per_mm, int direction);

/* The page lengths offered: 1, 2, 5 × 10^k s below a second, then 1, 2, 5,
 * 10, 15, 20, 30 s, minutes and hours; the nearest one to @seconds, or the
 * next one up (@direction > 0) or down (@direction < 0). */
double as_figure_page_length_step (double seconds, int direction);

G_END_DECLS
