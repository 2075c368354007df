/* atomscope-events-panel.h: which atoms are driven by the recording's events.  A sortable
 * table of the DriPP fits (atom, event type, μ, α, m, σ, p), the peri-event view of the
 * selected row, and CSV/JSON export through the engine's writers.  The fits run on a worker
 * thread.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-cdl.h"
#include "as-dripp-analysis.h"
#include "as-recording.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_EVENTS_PANEL (atomscope_events_panel_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeEventsPanel, atomscope_events_panel, ATOMSCOPE, EVENTS_PANEL, GtkBox)

GtkWidget       *atomscope_events_panel_new       (void);
/* The model and the recording it was learned on (after preprocessing); NULL clears.  The
 * previous fits are dropped; a new fit starts with the Fit button or atomscope_events_panel_fit(). */
void             atomscope_events_panel_set_model (AtomscopeEventsPanel *self, AsCdlModel *model,
                                                   AsRecording *learned_on);
/* Where the events come from: @recording, the one the atoms' recording was prepared from (its
 * annotations, those added from annotation files included, and its stimulus channels, which
 * learning leaves out), its onsets less @offset seconds (the crop).  NULL: the events of the
 * recording the atoms were learned on. */
void             atomscope_events_panel_set_events_source (AtomscopeEventsPanel *self,
                                                           AsRecording *recording, double offset);
void             atomscope_events_panel_fit       (AtomscopeEventsPanel *self);
/* Writes dripp.csv and dripp.json of the fits shown into @dir on a worker (never over existing
 * files: the status line says why); the Export… button's folder goes here. */
void             atomscope_events_panel_export_to (AtomscopeEventsPanel *self, const char *dir);
guint            atomscope_events_panel_get_export_count (AtomscopeEventsPanel *self);
/* Events from the stimulus channel @stim_channel (NULL: the annotations), as picked in the
 * "Events from" list; FALSE when the list does not offer that channel. */
gboolean         atomscope_events_panel_set_source (AtomscopeEventsPanel *self,
                                                    const char *stim_channel);
/* The peri-event view's window, @pre seconds before each event to @post after. */
void             atomscope_events_panel_set_window (AtomscopeEventsPanel *self, double pre,
                                                    double post);
/* The fits shown (NULL before the first one ends); fits finished so far (tests wait on it). */
AsDrippAnalysis *atomscope_events_panel_get_analysis  (AtomscopeEventsPanel *self);
guint            atomscope_events_panel_get_fit_count (AtomscopeEventsPanel *self);
/* Row of the analysis shown in the peri-event view (−1: none). */
int              atomscope_events_panel_get_selected_row (AtomscopeEventsPanel *self);
/* For the UI tests: the table and the peri-event view. */
GtkColumnView   *atomscope_events_panel_get_table (AtomscopeEventsPanel *self);
GtkWidget       *atomscope_events_panel_get_view  (AtomscopeEventsPanel *self);

G_END_DECLS
