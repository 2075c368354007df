/* atomscope-convergence-view.h: the objective of the learning against
 * iteration or time, updated as the engine works.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "as-cdl.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_CONVERGENCE_VIEW (atomscope_convergence_view_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeConvergenceView, atomscope_convergence_view, ATOMSCOPE, CONVERGENCE_VIEW, GtkWidget)

GtkWidget *atomscope_convergence_view_new       (void);
void       atomscope_convergence_view_set_model (AtomscopeConvergenceView *self, AsCdlModel *model,
                                                 guint64 generation);
guint64    atomscope_convergence_view_get_drawn_generation (AtomscopeConvergenceView *self);

G_END_DECLS
