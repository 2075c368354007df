/* atomscope-preferences-window.h
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_PREFERENCES_WINDOW (atomscope_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopePreferencesWindow, atomscope_preferences_window, ATOMSCOPE,
                      PREFERENCES_WINDOW, AdwPreferencesWindow)

AtomscopePreferencesWindow *atomscope_preferences_window_new (GSettings *settings);

G_END_DECLS
