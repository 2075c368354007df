/* atomscope-params-panel.h: what the dictionary learning is asked for: number
 * and length of atoms, λ, shape, sign, initialisation, iterations,
 * preprocessing; defaults chosen from the kind of recording.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-cdl.h"
#include "as-preprocess.h"
#include "as-recording.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_PARAMS_PANEL (atomscope_params_panel_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeParamsPanel, atomscope_params_panel, ATOMSCOPE, PARAMS_PANEL, GtkWidget)

GtkWidget *atomscope_params_panel_new          (void);
/* Sets the defaults for @rec's kind (sfreq converts seconds to samples). */
void       atomscope_params_panel_set_recording (AtomscopeParamsPanel *self, AsRecording *rec);
/* Defaults for an image (2-D atoms, lengths in pixels). */
void       atomscope_params_panel_set_image    (AtomscopeParamsPanel *self);
void       atomscope_params_panel_get_params   (AtomscopeParamsPanel *self, AsCdlParams *params);
/* Preprocessing options; channel selection is by type (labels stay NULL). */
void       atomscope_params_panel_get_preprocess (AtomscopeParamsPanel *self, AsPreprocessOptions *opts);
void       atomscope_params_panel_set_crop     (AtomscopeParamsPanel *self, double start, double stop);
void       atomscope_params_panel_set_n_atoms  (AtomscopeParamsPanel *self, guint n_atoms);
void       atomscope_params_panel_set_max_iter (AtomscopeParamsPanel *self, guint max_iter);
void       atomscope_params_panel_set_tolerance (AtomscopeParamsPanel *self, double tol);
void       atomscope_params_panel_set_atom_length (AtomscopeParamsPanel *self, double seconds);
void       atomscope_params_panel_set_lambda   (AtomscopeParamsPanel *self, double fraction);
void       atomscope_params_panel_set_detrend  (AtomscopeParamsPanel *self, AsDetrend detrend);

G_END_DECLS
