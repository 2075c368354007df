/* atomscope-raster-view.h: activations of each atom over time, aligned with
 * the signal browser's page.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-figure-atoms.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_RASTER_VIEW (atomscope_raster_view_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeRasterView, atomscope_raster_view, ATOMSCOPE, RASTER_VIEW, GtkWidget)

GtkWidget *atomscope_raster_view_new          (void);
void       atomscope_raster_view_set_atoms    (AtomscopeRasterView *self, AsFigureAtoms *atoms,
                                               guint64 generation);
void       atomscope_raster_view_set_selected (AtomscopeRasterView *self, int atom);
guint64    atomscope_raster_view_get_drawn_generation (AtomscopeRasterView *self);

G_END_DECLS
