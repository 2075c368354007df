/* as-figure-model.h: the figures of a learned model as files: the atoms
 * (waveform, topography with its colour bar, spectrum), the activation raster
 * and the convergence curve, with axes, units and titles.  Used by
 * `atomscope-cli plot`, `atomscope-cli learn --figures` and the window.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-figure-atoms.h"
#include "as-figure-export.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* Scalp maps of a rank-1 model's spatial patterns u_k on @rec's positioned
 * channels, each through the engine's one topography routine
 * (as_topography_for_recording, EEGLAB head circle) on a @size × @size grid.
 * NULL when the model has no u, its channels are not @rec's, or fewer than
 * three channels have positions.  Takes a while: call it off the main loop. */
AsFigureTopographies *as_figure_topographies_for_model (const AsCdlModel  *model,
                                                       const AsRecording *rec,
                                                       guint              size);

/* A scalp map in the square (@x, @y, @side) with its colour bar to the right,
 * labelled in the units of u (unit-norm spatial weights). */
void   as_figure_draw_topography_with_bar (cairo_t             *cr,
                                           const AsFigureStyle *style,
                                           const AsFigureTopographies *topo,
                                           guint                k,
                                           double               x,
                                           double               y,
                                           double               side);

/* Height of the atoms figure at @width. */
double as_figure_atoms_figure_height (const AsFigureAtoms *atoms, double width);

/* The atoms as a figure of their own: a title, then per atom its name, count
 * and rate, the waveform against time, the topography with a colour bar (when
 * there are topographies) and the spectrum against frequency, each with
 * labelled axes. */
void   as_figure_draw_atoms_figure (cairo_t             *cr,
                                    double               width,
                                    double               height,
                                    const AsFigureStyle *style,
                                    const AsFigureAtoms *atoms,
                                    const char          *title);

/* Writes figure-atoms, figure-raster and figure-convergence (.png, .svg or .pdf)
 * into @dir, each through as_figure_export (temporary file, then rename; an
 * existing file is kept unless @overwrite).  @source names what was learned
 * from, for the titles (may be NULL).  Appends the paths written to @written
 * (may be NULL). */
gboolean as_figure_write_model (const AsFigureAtoms *atoms,
                                const char          *source,
                                const char          *dir,
                                AsFigureFormat       format,
                                double               dpi,
                                gboolean             overwrite,
                                GPtrArray           *written,
                                GError             **error);

/* The names as_figure_write_model() writes, for checking before learning. */
extern const char *const as_figure_model_names[];

G_END_DECLS
