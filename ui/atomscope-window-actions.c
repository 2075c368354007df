/* atomscope-window-actions.c: the window's actions, their shortcuts and the one
 * place where their enabled state is decided.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "as-cdl.h"
#include "as-image.h"
#include "as-montage.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "as-topography.h"
#include "atomscope-atoms-panel.h"
#include "atomscope-convergence-view.h"
#include "atomscope-export-dialog.h"
#include "atomscope-params-panel.h"
#include "atomscope-raster-view.h"
#include "atomscope-signal-view.h"
#include "atomscope-teaching-page.h"
#include "atomscope-window-private.h"

/* ---- actions ---------------------------------------------------------------------- */

static void
learn_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_learn (ATOMSCOPE_WINDOW (widget));
}

static void
pause_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_toggle_pause (ATOMSCOPE_WINDOW (widget));
}

static void
stop_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_stop (ATOMSCOPE_WINDOW (widget));
}

/* The one place where the actions' enabled state is decided. */
void
atomscope_window_update_actions (AtomscopeWindow *self)
{
  gboolean running = self->job != NULL && !as_job_is_done (self->job);
  gboolean paused = running && as_job_get_state (self->job) == AS_JOB_PAUSED;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", self->model != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.learn", self->recording != NULL || self->image != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.use-model-atoms", self->recording != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-events", self->recording != NULL);
  atomscope_window_annotations_update_actions (self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_button_set_icon_name (self->pause_button, paused ? "media-playback-start-symbolic"
                                                       : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume learning (Ctrl+P)") : _("Pause learning (Ctrl+P)"));
}
static void
select_atom_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_select_atom (ATOMSCOPE_WINDOW (widget), g_variant_get_int32 (param) - 1);
}


void
atomscope_window_install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.export", NULL, atomscope_window_export_action);
  gtk_widget_class_install_action (widget_class, "win.learn", NULL, learn_action);
  gtk_widget_class_install_action (widget_class, "win.open-model", NULL, atomscope_window_open_model_action);
  gtk_widget_class_install_action (widget_class, "win.use-model-atoms", NULL, atomscope_window_use_atoms_action);
  gtk_widget_class_install_action (widget_class, "win.import-text", NULL, atomscope_window_import_text_action);
  gtk_widget_class_install_action (widget_class, "win.add-events", NULL, atomscope_window_add_events_action);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.select-atom", "i", select_atom_action);
  atomscope_window_annotations_install (widget_class);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.learn", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.add-events", NULL);
  for (int k = 1; k <= 9; k++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + k - 1, GDK_CONTROL_MASK,
                                         "win.select-atom", "i", k);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "win.select-atom", "i", 0);
}
