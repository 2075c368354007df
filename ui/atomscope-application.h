/* atomscope-application.h
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_APPLICATION (atomscope_application_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeApplication, atomscope_application, ATOMSCOPE, APPLICATION,
                      AdwApplication)

AtomscopeApplication *atomscope_application_new            (void);
GSettings            *atomscope_application_get_settings   (AtomscopeApplication *self);
GMenu                *atomscope_application_get_recent_menu (AtomscopeApplication *self);
void                  atomscope_application_add_recent     (AtomscopeApplication *self,
                                                            GFile                *file);
char                 *atomscope_application_get_sample_path (void);
void                  atomscope_ui_init                    (void);

G_END_DECLS
