/* as-figure-events.h: the peri-event view of one (atom, event type) of a DriPP analysis:
 * a raster of the atom's occurrences aligned on each event (−pre … +post seconds), their
 * histogram in occurrences/s and the fitted intensity μ + α κ(t) on top of it.
 *
 * GTK-free: the window, the export dialog and atomscope-cli draw through it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-dripp-analysis.h"
#include "as-figure.h"
#include "as-figure-export.h"

G_BEGIN_DECLS

/* Draws row @row of @analysis on @width × @height user units; @bin (s) is the histogram's bin
 * width, 0 for about 40 bins over the window. */
void as_figure_draw_events (cairo_t               *cr,
                            double                 width,
                            double                 height,
                            const AsFigureStyle   *style,
                            const AsDrippAnalysis *analysis,
                            guint                  row,
                            double                 pre,
                            double                 post,
                            double                 bin);

/* Writes the view of every row into @dir as events-atomKK-LABEL.<format> (the label made
 * file-name safe), 720 × 540 at @dpi, each through as_figure_export (temporary file, then
 * rename; an existing file is kept, with an error, unless @overwrite).  Appends the paths
 * written to @written (may be NULL). */
gboolean as_figure_write_events (const AsDrippAnalysis *analysis,
                                 const AsFigureStyle   *style,
                                 double                 pre,
                                 double                 post,
                                 const char            *dir,
                                 AsFigureFormat         format,
                                 double                 dpi,
                                 gboolean               overwrite,
                                 GPtrArray             *written,
                                 GError               **error);

G_END_DECLS
