/* atomscope-window-import.c: the window's text import assistant and the
 * events added from an annotation file (EDF+ annotations, BIDS events.tsv,
 * BrainVision .vmrk).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "as-annotations.h"
#include "as-events.h"
#include "atomscope-text-import.h"
#include "atomscope-window-private.h"

/* ---- the text import assistant ------------------------------------------------ */

static void
on_text_import (AtomscopeWindow *self, GFile *file, gpointer options)
{
  atomscope_window_open_file_with_options (self, file, options);
}

void
atomscope_window_import_text (AtomscopeWindow *self, GFile *file)
{
  AtomscopeTextImport *dialog;

  if (self->text_import != NULL)
    {
      GtkWindow *old = self->text_import;

      g_object_remove_weak_pointer (G_OBJECT (old), (gpointer *) &self->text_import);
      self->text_import = NULL;
      gtk_window_destroy (old);
    }
  dialog = atomscope_text_import_new (GTK_WINDOW (self), file);
  g_signal_connect_object (dialog, "import", G_CALLBACK (on_text_import), self, G_CONNECT_SWAPPED);
  self->text_import = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->text_import);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
  GtkFileFilter *filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i]; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

typedef void (*FileChosen) (AtomscopeWindow *self, GFile *file);

static void
on_file_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);
  FileChosen then = g_object_get_data (G_OBJECT (dialog), "atomscope-then");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        then (self, file);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_file (AtomscopeWindow *self, const char *title, const char *filter_name,
             const char *const *patterns, FileChosen then)
{
  static const char *const all[] = { "*", NULL };
  GtkFileChooserNative *chooser =
    gtk_file_chooser_native_new (title, GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"),
                                 _("_Cancel"));

  add_filter (GTK_FILE_CHOOSER (chooser), filter_name, patterns);
  add_filter (GTK_FILE_CHOOSER (chooser), _("All files"), all);
  g_object_set_data (G_OBJECT (chooser), "atomscope-then", then);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
atomscope_window_import_text_action (GtkWidget *widget, const char *name, GVariant *param)
{
  static const char *const text[] = { "*.csv", "*.tsv", "*.txt", "*.CSV", "*.TSV", "*.TXT", NULL };

  choose_file (ATOMSCOPE_WINDOW (widget), _("Import a Text File"),
               _("Text tables (CSV, TSV, TXT)"), text, atomscope_window_import_text);
}

/* ---- events from a file ------------------------------------------------------- */

/* Worker: a copy of the recording with the file's events; the recording
 * shown is never changed, workers may be reading it. */
static void
events_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsRecording *rec = task_data;
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  GArray *annotations = g_object_get_data (G_OBJECT (task), "annotations");
  g_autoptr (AsRecording) copy = as_recording_copy (rec);
  GError *error = NULL;
  gint n;

  /* The file's events join the annotations as the user left them. */
  if (annotations != NULL)
    {
      g_array_set_size (copy->events, 0);
      for (guint i = 0; i < annotations->len; i++)
        {
          const AsEvent *ev = &g_array_index (annotations, AsEvent, i);
          as_recording_add_event (copy, ev->onset, ev->duration, ev->label);
        }
    }
  n = as_recording_add_events_from_file (copy, path, &error);

  if (n < 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_object_set_data (G_OBJECT (task), "added", GINT_TO_POINTER (n));
  g_task_return_pointer (task, g_steal_pointer (&copy), (GDestroyNotify) as_recording_unref);
}

static void
events_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  AsRecording *was = g_task_get_task_data (G_TASK (result));
  const char *path = g_object_get_data (G_OBJECT (result), "path");
  gint added = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "added"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *name = g_path_get_basename (path);
  g_autofree char *message = NULL;
  double start, length;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (rec == NULL)
    {
      self->events_file_failures++;
      g_free (self->events_file_error);
      self->events_file_error = g_strdup (error->message);
      atomscope_window_show_toast (self, error->message);
      return;
    }
  if (self->recording != was)
    return;  /* another file was opened meanwhile */
  /* The copy takes the place of the recording shown; the view keeps its page,
   * its atoms and its nystagmus marks. */
  start = atomscope_signal_view_get_page_start (self->signal_view);
  length = atomscope_signal_view_get_page_length (self->signal_view);
  g_clear_pointer (&self->recording, as_recording_unref);
  self->recording = as_recording_ref (rec);
  atomscope_signal_view_set_recording (self->signal_view, rec);
  atomscope_signal_view_set_page_length (self->signal_view, length);
  atomscope_signal_view_set_page_start (self->signal_view, start);
  if (self->figure_atoms != NULL)
    atomscope_signal_view_set_atoms (self->signal_view, self->figure_atoms, self->model_serial);
  atomscope_signal_view_set_nystagmus (self->signal_view,
                                       atomscope_nystagmus_panel_get_analysis (self->nystagmus_panel));
  atomscope_window_annotations_reset (self, rec, TRUE);
  atomscope_window_browser_update_events (self, rec);
  atomscope_window_update_events_source (self);
  self->events_file_count++;
  message = g_strdup_printf (ngettext ("%d event added from %s", "%d events added from %s", added),
                             added, name);
  atomscope_window_show_toast (self, message);
}

void
atomscope_window_add_events_from_file (AtomscopeWindow *self, GFile *file)
{
  g_autoptr (GTask) task = NULL;
  char *path = g_file_get_path (file);

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  if (self->recording == NULL || path == NULL)
    {
      g_free (path);
      return;
    }
  if (self->events_cancellable == NULL)
    self->events_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->events_cancellable, events_done, NULL);
  g_task_set_task_data (task, as_recording_ref (self->recording), (GDestroyNotify) as_recording_unref);
  g_object_set_data_full (G_OBJECT (task), "path", path, g_free);
  if (self->annotations != NULL)
    g_object_set_data_full (G_OBJECT (task), "annotations", as_annotations_copy (self->annotations),
                            (GDestroyNotify) g_array_unref);
  g_task_run_in_thread (task, events_thread);
}

void
atomscope_window_add_events_action (GtkWidget *widget, const char *name, GVariant *param)
{
  static const char *const events[] = { "*.edf", "*.EDF", "*.bdf", "*.BDF", "*.tsv", "*.TSV",
                                        "*.vmrk", "*.VMRK", NULL };

  choose_file (ATOMSCOPE_WINDOW (widget), _("Add Events From a File"),
               _("Annotation files (EDF+, BIDS events.tsv, BrainVision .vmrk)"), events,
               atomscope_window_add_events_from_file);
}

void
atomscope_window_import_dispose (AtomscopeWindow *self)
{
  g_cancellable_cancel (self->events_cancellable);
  g_clear_object (&self->events_cancellable);
  g_clear_pointer (&self->events_file_error, g_free);
  if (self->text_import != NULL)
    {
      GtkWindow *dialog = self->text_import;

      g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->text_import);
      self->text_import = NULL;
      gtk_window_destroy (dialog);
    }
}

/* ---- for the UI tests --------------------------------------------------------- */

GtkWindow *
atomscope_window_get_text_import (AtomscopeWindow *self)
{
  return self->text_import;
}

guint
atomscope_window_get_events_file_count (AtomscopeWindow *self)
{
  return self->events_file_count;
}

guint
atomscope_window_get_events_file_failures (AtomscopeWindow *self)
{
  return self->events_file_failures;
}

const char *
atomscope_window_get_events_file_error (AtomscopeWindow *self)
{
  return self->events_file_error;
}
