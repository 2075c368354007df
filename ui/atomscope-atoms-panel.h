/* atomscope-atoms-panel.h: the learned atoms, one row each (waveform,
 * topography, spectrum, occurrences), or a mosaic of 2-D atoms.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-figure-atoms.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_ATOMS_PANEL (atomscope_atoms_panel_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeAtomsPanel, atomscope_atoms_panel, ATOMSCOPE, ATOMS_PANEL, GtkWidget)

GtkWidget     *atomscope_atoms_panel_new           (void);
void           atomscope_atoms_panel_set_atoms     (AtomscopeAtomsPanel *self, AsFigureAtoms *atoms,
                                                    guint64 generation);
AsFigureAtoms *atomscope_atoms_panel_get_atoms     (AtomscopeAtomsPanel *self);
void           atomscope_atoms_panel_set_selected  (AtomscopeAtomsPanel *self, int atom);
int            atomscope_atoms_panel_get_selected  (AtomscopeAtomsPanel *self);
/* The generation of the model last painted (tests wait on it). */
guint64        atomscope_atoms_panel_get_drawn_generation (AtomscopeAtomsPanel *self);

/* TRUE until what is shown matches the widget's current state. */
gboolean atomscope_atoms_panel_is_rendering (AtomscopeAtomsPanel *self);

G_END_DECLS
