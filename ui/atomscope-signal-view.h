/* atomscope-signal-view.h: stacked channels of a recording, one page at a time.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-recording.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_SIGNAL_VIEW (atomscope_signal_view_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeSignalView, atomscope_signal_view, ATOMSCOPE, SIGNAL_VIEW, GtkWidget)

GtkWidget   *atomscope_signal_view_new            (void);
void         atomscope_signal_view_set_recording  (AtomscopeSignalView *self, AsRecording *rec);
AsRecording *atomscope_signal_view_get_recording  (AtomscopeSignalView *self);
void         atomscope_signal_view_set_page_start (AtomscopeSignalView *self, double t0);
double       atomscope_signal_view_get_page_start (AtomscopeSignalView *self);
void         atomscope_signal_view_set_page_length (AtomscopeSignalView *self, double seconds);
double       atomscope_signal_view_get_page_length (AtomscopeSignalView *self);

G_END_DECLS
