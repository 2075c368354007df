/* atomscope-window.h
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "as-cdl.h"
#include "as-figure-atoms.h"
#include "as-image.h"
#include "as-job.h"
#include "as-recording.h"
#include "atomscope-export-dialog.h"
#include "atomscope-params-panel.h"
#include "atomscope-application.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_WINDOW (atomscope_window_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeWindow, atomscope_window, ATOMSCOPE, WINDOW, AdwApplicationWindow)

AtomscopeWindow *atomscope_window_new           (AtomscopeApplication *app);
void             atomscope_window_open_file     (AtomscopeWindow *self, GFile *file);
AsRecording     *atomscope_window_get_recording (AtomscopeWindow *self);
AsImage         *atomscope_window_get_image     (AtomscopeWindow *self);
void             atomscope_window_show_toast    (AtomscopeWindow *self, const char *message);

/* Learning: preprocessing then a CDL job; its snapshots are pulled on the frame clock. */
void             atomscope_window_learn         (AtomscopeWindow *self);
void             atomscope_window_toggle_pause  (AtomscopeWindow *self);
void             atomscope_window_stop          (AtomscopeWindow *self);
AsCdlModel      *atomscope_window_get_model     (AtomscopeWindow *self);
void             atomscope_window_select_atom   (AtomscopeWindow *self, int atom);

/* Model folders: shown with the recording they explain (@recording NULL: the one the
 * model names, opened if it exists), or their atoms looked for in the open recording. */
void             atomscope_window_open_model    (AtomscopeWindow *self, GFile *folder, GFile *recording);
void             atomscope_window_use_model_atoms (AtomscopeWindow *self, GFile *folder);

/* Export of what is shown; asks before replacing files. */
AtomscopeExportRequest *atomscope_window_new_export_request (AtomscopeWindow *self);
void             atomscope_window_export        (AtomscopeWindow *self, AtomscopeExportRequest *req);


G_END_DECLS
