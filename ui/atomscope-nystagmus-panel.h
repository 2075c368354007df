/* atomscope-nystagmus-panel.h: nystagmus measures of an eye-movement recording, for the
 * page the signal browser shows: a summary, slow-phase velocity over time and its
 * histogram, and one row per beat.  The analysis and the measures run on worker threads.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-nystagmus.h"
#include "as-recording.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_NYSTAGMUS_PANEL (atomscope_nystagmus_panel_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeNystagmusPanel, atomscope_nystagmus_panel, ATOMSCOPE, NYSTAGMUS_PANEL, GtkBox)

GtkWidget           *atomscope_nystagmus_panel_new           (void);
/* Analyses the recording's eye channel (off the main loop); NULL clears. */
void                 atomscope_nystagmus_panel_set_recording (AtomscopeNystagmusPanel *self,
                                                              AsRecording             *rec);
/* The analysis of the current recording, or NULL (none yet, or it failed). */
AsNystagmusAnalysis *atomscope_nystagmus_panel_get_analysis  (AtomscopeNystagmusPanel *self);

/* For the UI tests: the measures and rows shown, the message shown, and counters that
 * grow when an analysis ends ("analysis-serial") and when the measures shown change. */
gboolean    atomscope_nystagmus_panel_get_shown       (AtomscopeNystagmusPanel *self,
                                                       AsNystagmusSummary *summary,
                                                       double *t0, double *t1);
const char *atomscope_nystagmus_panel_get_message     (AtomscopeNystagmusPanel *self);
guint       atomscope_nystagmus_panel_get_n_rows      (AtomscopeNystagmusPanel *self);
const char *atomscope_nystagmus_panel_get_row         (AtomscopeNystagmusPanel *self, guint i);
guint       atomscope_nystagmus_panel_get_shown_serial (AtomscopeNystagmusPanel *self);

G_END_DECLS
