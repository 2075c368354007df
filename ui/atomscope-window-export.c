/* atomscope-window-export.c: exports of what the window shows, on a worker; asks
 * before replacing files.
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

/* ---- export ------------------------------------------------------------------------ */

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AtomscopeExportRequest *req = task_data;
  GPtrArray *written = g_ptr_array_new_with_free_func (g_free);
  GError *error = NULL;

  if (atomscope_export_request_run (req, written, &error))
    g_task_return_pointer (task, written, (GDestroyNotify) g_ptr_array_unref);
  else
    {
      g_ptr_array_unref (written);
      g_task_return_error (task, error);
    }
}

static void
export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) written = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autofree char *message = NULL;

  /* The window went meanwhile: the files are written, there is no one to tell. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  if (written == NULL)
    {
      self->export_failures++;
      atomscope_window_show_toast (self, error->message);
      self->export_count++;
      return;
    }
  for (guint i = 0; i < written->len; i++)
    {
      g_autofree char *base = g_path_get_basename (g_ptr_array_index (written, i));
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names, base);
    }
  if (written->len == 1)
    message = g_strdup_printf (_("Exported %s"), names->str);
  else
    message = g_strdup_printf (_("Exported %u files: %s"), written->len, names->str);
  atomscope_window_show_toast (self, message);
  g_clear_pointer (&self->last_export, g_ptr_array_unref);
  self->last_export = g_steal_pointer (&written);
  self->export_count++;
}

static void
run_export (AtomscopeWindow *self, AtomscopeExportRequest *req)
{
  g_autoptr (GTask) task = NULL;

  if (self->export_cancellable == NULL)
    self->export_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->export_cancellable, export_done, NULL);
  /* An export runs to its end (each file is written whole, then renamed) and
   * reports back unless the window was closed meanwhile. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, req, (GDestroyNotify) atomscope_export_request_free);
  g_task_run_in_thread (task, export_thread);
}

static void
on_overwrite_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  AtomscopeExportRequest *req = user_data;

  self->overwrite_dialog = NULL;
  if (g_strcmp0 (response, "replace") == 0)
    {
      req->overwrite = TRUE;
      run_export (self, req);
    }
  else
    {
      atomscope_export_request_free (req);
      self->export_failures++;
      self->export_count++;
    }
}

/* Exports, asking first (AdwMessageDialog) when a file would be replaced. */
static void
start_export (AtomscopeWindow *self, AtomscopeExportRequest *req)
{
  g_autoptr (GPtrArray) paths = atomscope_export_request_paths (req);
  g_autoptr (GString) existing = g_string_new (NULL);
  guint n_existing = 0;
  AdwMessageDialog *dialog;

  for (guint i = 0; i < paths->len; i++)
    if (g_file_test (g_ptr_array_index (paths, i), G_FILE_TEST_EXISTS))
      {
        g_autofree char *base = g_path_get_basename (g_ptr_array_index (paths, i));
        if (n_existing++ > 0)
          g_string_append (existing, ", ");
        g_string_append (existing, base);
      }
  if (n_existing == 0 || req->overwrite)
    {
      run_export (self, req);
      return;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       g_dngettext (GETTEXT_PACKAGE, "Replace the Existing File?",
                                                                    "Replace the Existing Files?", n_existing),
                                                       NULL));
  adw_message_dialog_format_body (dialog, _("%s already exist in %s. Replacing them overwrites their contents."),
                                  existing->str, req->folder);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "replace", _("_Replace"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect (dialog, "response", G_CALLBACK (on_overwrite_response), req);
  self->overwrite_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

/* What is on screen now, as an export request (the caller sets the folder). */
AtomscopeExportRequest *
atomscope_window_new_export_request (AtomscopeWindow *self)
{
  AsRecording *shown = atomscope_signal_view_get_recording (self->signal_view);
  AtomscopeExportRequest *req = atomscope_export_request_new (shown, self->figure_atoms);
  AsFigureSignalOptions options;

  req->page_start = atomscope_signal_view_get_page_start (self->signal_view);
  req->page_length = atomscope_signal_view_get_page_length (self->signal_view);
  req->selected_atom = atomscope_atoms_panel_get_selected (self->atoms_panel);
  atomscope_signal_view_get_figure_options (self->signal_view, &options);
  if (options.reconstruction != NULL && shown != NULL)
    {
      req->reconstruction = g_memdup2 (options.reconstruction,
                                       sizeof (double) * shown->n_channels * options.recon_len);
      options.reconstruction = req->reconstruction;
    }
  req->signal_options = options;
  req->params = self->model_params;
  req->has_params = self->has_model_params;
  req->preprocessing = self->model_preprocessing != NULL ? json_object_ref (self->model_preprocessing) : NULL;
  req->source = g_strdup (self->model_source);
  req->learned_on = self->learned_on != NULL ? as_recording_ref (self->learned_on) : NULL;
  if (self->image != NULL)
    req->events = FALSE;   /* positions on an image are not events in time */
  if ((self->recording != NULL && self->recording->path != NULL) || (self->image != NULL && self->image->path != NULL))
    {
      g_autofree char *base = g_path_get_basename (self->recording != NULL ? self->recording->path : self->image->path);
      char *dot = strrchr (base, '.');

      if (dot != NULL)
        *dot = '\0';
      g_free (req->basename);
      req->basename = g_strdup (base);
    }
  return req;
}

void
atomscope_window_export (AtomscopeWindow *self, AtomscopeExportRequest *req)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  start_export (self, req);
}

guint
atomscope_window_get_export_count (AtomscopeWindow *self)
{
  return self->export_count;
}

guint
atomscope_window_get_export_failures (AtomscopeWindow *self)
{
  return self->export_failures;
}

GPtrArray *
atomscope_window_get_last_export (AtomscopeWindow *self)
{
  return self->last_export;
}

AdwMessageDialog *
atomscope_window_get_overwrite_dialog (AtomscopeWindow *self)
{
  return self->overwrite_dialog;
}

static void
on_export_chosen (AtomscopeExportDialog *dialog, gpointer req, gpointer user_data)
{
  start_export (ATOMSCOPE_WINDOW (user_data), req);
}

void
atomscope_window_export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);
  AtomscopeExportDialog *dialog;

  if (self->model == NULL)
    return;
  dialog = atomscope_export_dialog_new (GTK_WINDOW (self), atomscope_window_new_export_request (self));
  g_signal_connect_object (dialog, "export", G_CALLBACK (on_export_chosen), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

