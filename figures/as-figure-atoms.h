/* as-figure-atoms.h: GTK-free drawing of a learned dictionary: the atoms panel
 * (waveform, topography, spectrum, counts), the activation raster, the
 * convergence plot and the mosaic of 2-D atoms.
 *
 * What is drawn is an AsFigureAtoms: a learned model plus what the views need
 * from it (occurrences above a threshold, topography grids, sensor positions).
 * Widgets and exporters call the same functions with their own cairo_t.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-cdl.h"
#include "as-figure.h"
#include "as-topography.h"

G_BEGIN_DECLS

/* Scalp maps of the atoms' spatial patterns, computed off the main loop. */
typedef struct
{
  gatomicrefcount    ref_count;
  guint              n_atoms;
  AsTopographyGrid **grids;          /* n_atoms entries, each may be NULL */
  double            *sensor_xy;      /* n_sensors × 2, projected */
  guint              n_sensors;
  double             head_radius;    /* in the projected plane */
} AsFigureTopographies;

/* Takes ownership of @grids (n_atoms entries); copies @xy (n × 2). */
AsFigureTopographies *as_figure_topographies_new   (guint n_atoms, AsTopographyGrid **grids,
                                                    const double *xy, guint n, double head_radius);
AsFigureTopographies *as_figure_topographies_ref   (AsFigureTopographies *topo);
void                  as_figure_topographies_unref (AsFigureTopographies *topo);

/* Length of the zero-padded transform behind the atoms' spectra, and its bins (0 … sfreq/2). */
#define AS_FIGURE_SPECTRUM_FFT  256
#define AS_FIGURE_SPECTRUM_BINS (AS_FIGURE_SPECTRUM_FFT / 2 + 1)

struct _AsFigureAtoms
{
  gatomicrefcount    ref_count;
  AsCdlModel        *model;          /* a reference */
  guint              n_atoms;
  GArray           **occurrences;    /* per atom: AsCdlOccurrence above the threshold */
  double            *max_amplitude;  /* per atom: largest |z| */
  double            *spectra;        /* 1-D models: n_atoms × AS_FIGURE_SPECTRUM_BINS magnitudes
                                      * of the waveforms (as_spectrum_magnitude); else NULL */
  double             sfreq;          /* Hz (0 for images) */
  double             duration;       /* s, of the learned signal */
  /* Topographies (rank-1 models of recordings with electrode positions), or NULL. */
  AsFigureTopographies *topographies;
  /* Per atom: why it explains almost nothing (as_cdl_model_weak_reason()), or NULL; the
   * panel marks such an atom "weak" under its rate. */
  char             **weak;
};

/* Occurrences are the activations with |z| ≥ @relative_threshold × max |z_k| that are
 * the largest within half an atom length either side (one per waveform, not one per
 * active sample): as_cdl_model_occurrences_merged() with as_cdl_model_merge_spacing().
 * Also computes the atoms' spectra; call it off the main loop.  @sfreq (Hz) overrides
 * the model's when positive. */
AsFigureAtoms *as_figure_atoms_new   (AsCdlModel *model, double sfreq, double relative_threshold);
AsFigureAtoms *as_figure_atoms_ref   (AsFigureAtoms *atoms);
/* For tests: @hook (@data) is called by every as_figure_atoms_new(), on the thread
 * that builds the bundle, so a test can check the window never builds one on
 * its main thread.  NULL removes it. */
void           as_figure_atoms_set_build_hook (void (*hook) (gpointer data), gpointer data);
void           as_figure_atoms_unref (AsFigureAtoms *atoms);
/* A new bundle sharing @atoms' model and occurrences, with these topographies:
 * bundles are immutable once shown (renders read them on worker threads). */
AsFigureAtoms *as_figure_atoms_copy_with_topographies (const AsFigureAtoms *atoms,
                                                       AsFigureTopographies *topo);
/* Topographies of the same number of atoms (a new reference is taken); only on
 * a bundle not yet shared. */
void           as_figure_atoms_set_topographies (AsFigureAtoms *atoms, AsFigureTopographies *topo);
double         as_figure_atoms_occurrence_time  (const AsFigureAtoms *atoms,
                                                 const AsCdlOccurrence *occ);
double         as_figure_atoms_atom_duration    (const AsFigureAtoms *atoms);

/* The colour of the "weak" mark of an atom that explains almost nothing. */
void as_figure_weak_color (gboolean dark, AsColor *color);

/* A distinct colour per atom (cycles after 10). */
void as_figure_atom_color (guint k, gboolean dark, AsColor *color);

/* Diverging blue–white–red colour for t in [−1, 1]. */
void as_figure_diverging_color (double t, double *r, double *g, double *b);

/* Margins shared by the signal browser and the raster so their time axes align. */
#define AS_FIGURE_PLOT_LEFT  90.0
#define AS_FIGURE_PLOT_RIGHT 12.0

/* The atoms panel: one row per atom, @selected highlighted (−1 for none). */
void   as_figure_draw_atoms       (cairo_t *cr, double width, double height,
                                   const AsFigureStyle *style, const AsFigureAtoms *atoms,
                                   int selected);
/* Height of one row of the atoms panel for a given width. */
double as_figure_atoms_row_height (const AsFigureAtoms *atoms, double width);
/* The atom under (x, y) of the atoms panel, or −1. */
int    as_figure_atoms_hit        (const AsFigureAtoms *atoms, double width, double x, double y);

/* One atom's waveform against time, or its spectrum against frequency, in @area:
 * compact (the window's rows: x axis only, unit in the corner) or @full (both
 * axes titled with their quantity and unit, as figures written to files). */
void   as_figure_draw_atom_waveform (cairo_t *cr, const AsFigureStyle *style,
                                     const AsFigureAtoms *atoms, guint k,
                                     const AsFigureRect *area, gboolean full);
void   as_figure_draw_atom_spectrum (cairo_t *cr, const AsFigureStyle *style,
                                     const AsFigureAtoms *atoms, guint k,
                                     const AsFigureRect *area, gboolean full);

/* A scalp map: head outline, nose, ears, interpolated values in a diverging
 * colour map symmetric around 0, contours, sensor dots. */
void   as_figure_draw_topography  (cairo_t *cr, double cx, double cy, double radius_px,
                                   const AsFigureStyle *style, const AsTopographyGrid *grid,
                                   const double *sensor_xy, guint n_sensors, double head_radius);

/* Activations, one row per atom, time aligned with as_figure_draw_signals. */
void   as_figure_draw_raster      (cairo_t *cr, double width, double height,
                                   const AsFigureStyle *style, const AsFigureAtoms *atoms,
                                   double t0, double duration, int selected);

/* The raster as a figure of its own: atoms' names, a labelled time axis, a title. */
void   as_figure_draw_raster_figure (cairo_t *cr, double width, double height,
                                     const AsFigureStyle *style, const AsFigureAtoms *atoms,
                                     double t0, double duration, const char *title);

typedef enum
{
  AS_CONVERGENCE_X_ITERATION,
  AS_CONVERGENCE_X_TIME,
} AsConvergenceAxis;

/* Objective (or relative suboptimality (f − f_min)/f_min when @suboptimality) against
 * iteration or time; @log_x / @log_y pick logarithmic axes. */
void   as_figure_draw_convergence (cairo_t *cr, double width, double height,
                                   const AsFigureStyle *style, const AsCdlModel *model,
                                   AsConvergenceAxis x_axis, gboolean log_x, gboolean log_y,
                                   gboolean suboptimality);

/* 2-D atoms of an image model, tiled. */
void   as_figure_draw_mosaic      (cairo_t *cr, double width, double height,
                                   const AsFigureStyle *style, const AsFigureAtoms *atoms,
                                   int selected);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsFigureAtoms, as_figure_atoms_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsFigureTopographies, as_figure_topographies_unref)

G_END_DECLS
