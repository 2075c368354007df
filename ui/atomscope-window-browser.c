/* atomscope-window-browser.c: the signal browser's toolbar — the montage a
 * page shows and its display filters.  They change what the browser draws,
 * never the data learned from or exported; the view computes each page on
 * its worker.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "atomscope-window-private.h"

/* Rows of the montage drop-down, in the order of AsDerivationKind. */
#define MONTAGE_FROM_FILE AS_DERIVATION_USER

static void
set_montage_row (AtomscopeWindow *self, guint row)
{
  self->montage_guard = TRUE;
  gtk_drop_down_set_selected (self->montage_dropdown, row);
  self->montage_guard = FALSE;
}

static void
apply_montage (AtomscopeWindow *self, AsDerivationKind kind, const char *path)
{
  g_autoptr (GError) error = NULL;

  if (!atomscope_signal_view_set_montage (self->signal_view, kind, path, &error))
    {
      atomscope_window_show_toast (self, error->message);
      set_montage_row (self, AS_DERIVATION_AS_RECORDED);
      return;
    }
  set_montage_row (self, kind);
}

static void
on_montage_file (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        apply_montage (self, AS_DERIVATION_USER, path);
    }
  else
    set_montage_row (self, atomscope_signal_view_get_montage (self->signal_view));
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
on_montage_changed (AtomscopeWindow *self)
{
  guint row = gtk_drop_down_get_selected (self->montage_dropdown);

  if (self->montage_guard)
    return;
  if (row == MONTAGE_FROM_FILE)
    {
      GtkFileChooserNative *chooser =
        gtk_file_chooser_native_new (_("Open a Montage File"), GTK_WINDOW (self),
                                     GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
      GtkFileFilter *filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Montage files (one derivation per line)"));
      gtk_file_filter_add_pattern (filter, "*.txt");
      gtk_file_filter_add_pattern (filter, "*.mon");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
      g_signal_connect (chooser, "response", G_CALLBACK (on_montage_file), g_object_ref (self));
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
      return;
    }
  apply_montage (self, row, NULL);
}

static void
on_filters_changed (AtomscopeWindow *self)
{
  AsDisplayFilters f;
  static const double notch[] = { 0, 50, 60 };
  guint n = gtk_drop_down_get_selected (self->notch_dropdown);

  if (self->montage_guard)
    return;
  atomscope_signal_view_get_filters (self->signal_view, &f);
  f.filter.highpass = gtk_spin_button_get_value (self->highpass_spin);
  f.filter.lowpass = gtk_spin_button_get_value (self->lowpass_spin);
  f.filter.notch = n < G_N_ELEMENTS (notch) ? notch[n] : 0;
  f.filter.notch_harmonics = TRUE;
  atomscope_signal_view_set_filters (self->signal_view, &f);
  gtk_menu_button_set_label (self->filters_button,
                             f.filter.highpass > 0 || f.filter.lowpass > 0 || f.filter.notch > 0
                               ? _("Display · filtered") : _("Display"));
}

/* A new recording: the display filters a clinical viewer starts with for its
 * kind, and the montage chosen so far if it can be formed on it. */
void
atomscope_window_browser_set_recording (AtomscopeWindow *self, AsRecording *rec)
{
  AsDisplayFilters f;
  AsDerivationKind kind = atomscope_signal_view_get_montage (self->signal_view);

  as_display_filters_default (&f, rec != NULL ? rec->kind : AS_RECORDING_GENERIC);
  self->montage_guard = TRUE;
  gtk_spin_button_set_value (self->highpass_spin, f.filter.highpass);
  gtk_spin_button_set_value (self->lowpass_spin, f.filter.lowpass);
  gtk_drop_down_set_selected (self->notch_dropdown,
                              f.filter.notch == 50 ? 1 : f.filter.notch == 60 ? 2 : 0);
  self->montage_guard = FALSE;
  on_filters_changed (self);
  if (kind != AS_DERIVATION_AS_RECORDED && kind != AS_DERIVATION_USER)
    apply_montage (self, kind, NULL);
  else
    set_montage_row (self, AS_DERIVATION_AS_RECORDED);
}

static void
on_scale_changed (AtomscopeWindow *self)
{
  guint mode = gtk_drop_down_get_selected (self->scale_dropdown);

  gtk_widget_set_sensitive (GTK_WIDGET (self->sensitivity_spin), mode == 2);
  g_object_set (self->signal_view,
                "common-scale", mode == 1,
                "sensitivity", mode == 2 ? gtk_spin_button_get_value (self->sensitivity_spin) : 0.0,
                NULL);
}

/* Scrolling over a spin button in a popover pages the trace, not the value. */
static gboolean
swallow_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer user_data)
{
  return TRUE;
}

static void
protect_from_scroll (GtkWidget *widget)
{
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);

  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (swallow_scroll), NULL);
  gtk_widget_add_controller (widget, scroll);
}

void
atomscope_window_browser_init (AtomscopeWindow *self)
{
  g_signal_connect_object (self->montage_dropdown, "notify::selected",
                           G_CALLBACK (on_montage_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->highpass_spin, "value-changed", G_CALLBACK (on_filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->lowpass_spin, "value-changed", G_CALLBACK (on_filters_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->notch_dropdown, "notify::selected",
                           G_CALLBACK (on_filters_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scale_dropdown, "notify::selected",
                           G_CALLBACK (on_scale_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sensitivity_spin, "value-changed",
                           G_CALLBACK (on_scale_changed), self, G_CONNECT_SWAPPED);
  protect_from_scroll (GTK_WIDGET (self->highpass_spin));
  protect_from_scroll (GTK_WIDGET (self->lowpass_spin));
  protect_from_scroll (GTK_WIDGET (self->sensitivity_spin));
}
