/* atomscope-window.h
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "as-recording.h"
#include "atomscope-application.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_WINDOW (atomscope_window_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeWindow, atomscope_window, ATOMSCOPE, WINDOW, AdwApplicationWindow)

AtomscopeWindow *atomscope_window_new           (AtomscopeApplication *app);
void             atomscope_window_open_file     (AtomscopeWindow *self, GFile *file);
AsRecording     *atomscope_window_get_recording (AtomscopeWindow *self);
guint            atomscope_window_get_load_count (AtomscopeWindow *self);
guint            atomscope_window_get_load_failures (AtomscopeWindow *self);
void             atomscope_window_show_toast    (AtomscopeWindow *self, const char *message);

G_END_DECLS
