/* atomscope-window-annotations.c: annotations the user adds, edits and
 * deletes on the recording shown (a double click or Ctrl+M on the trace,
 * Shift-drag for a span, the events list), undo, saving them as EDF+ or BIDS
 * events.tsv on a worker, and asking before closing with unsaved ones.
 *
 * The window's list (self->annotations) is the authority; the view and the
 * workers get copies that never change.  The engine does every operation
 * (as-annotations.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-annotations.h"
#include "atomscope-window-private.h"

#define DIALOG_ONSET_KEY "atomscope-annotation-onset"
#define DIALOG_DURATION_KEY "atomscope-annotation-duration"
#define DIALOG_TEXT_KEY "atomscope-annotation-text"
#define DIALOG_INDEX_KEY "atomscope-annotation-index"
/* Undo remembers this many earlier lists. */
#define UNDO_DEPTH 100

static double
recording_duration (AtomscopeWindow *self)
{
  return self->recording != NULL ? as_recording_duration (self->recording) : 0;
}

void
atomscope_window_annotations_show (AtomscopeWindow *self)
{
  AsRecording *shown = atomscope_signal_view_get_recording (self->signal_view);
  g_autoptr (GArray) copy = NULL;

  if (self->annotations == NULL || shown == NULL || self->recording == NULL)
    return;
  /* After learning the view shows the learned recording: on the file's time
   * line unless learning cropped it, then it keeps its own events. */
  if (shown != self->recording
      && fabs (as_recording_duration (shown) - as_recording_duration (self->recording)) > 1.0 / shown->sfreq)
    return;
  copy = as_annotations_copy (self->annotations);
  atomscope_signal_view_set_annotations (self->signal_view, copy);
}

/* The list changed: the view, the events list and the overview show it. */
static void
publish (AtomscopeWindow *self)
{
  atomscope_window_annotations_show (self);
  atomscope_window_browser_update_events (self, self->recording);
  atomscope_window_update_actions (self);
}

void
atomscope_window_annotations_reset (AtomscopeWindow *self, AsRecording *rec, gboolean keep_modified)
{
  g_clear_pointer (&self->annotations, g_array_unref);
  self->annotations = as_annotations_copy (rec != NULL ? rec->events : NULL);
  if (!keep_modified)
    {
      self->annotations_modified = FALSE;
      if (self->annotations_undo != NULL)
        g_ptr_array_set_size (self->annotations_undo, 0);
    }
  atomscope_window_annotations_show (self);
}

/* Keeps @before (taken) as the list Ctrl+Z goes back to. */
static void
push_undo (AtomscopeWindow *self, GArray *before)
{
  if (self->annotations_undo == NULL)
    self->annotations_undo = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  if (self->annotations_undo->len >= UNDO_DEPTH)
    g_ptr_array_remove_index (self->annotations_undo, 0);
  g_ptr_array_add (self->annotations_undo, before);
}

gint
atomscope_window_add_annotation (AtomscopeWindow *self, double onset, double duration,
                                 const char *text, GError **error)
{
  g_autoptr (GArray) before = NULL;
  gint i;

  g_return_val_if_fail (self->annotations != NULL, -1);
  before = as_annotations_copy (self->annotations);
  i = as_annotations_add (self->annotations, onset, duration, text, recording_duration (self), error);
  if (i < 0)
    return -1;
  push_undo (self, g_steal_pointer (&before));
  self->annotations_modified = TRUE;
  publish (self);
  return i;
}

gint
atomscope_window_edit_annotation (AtomscopeWindow *self, guint index, double onset, double duration,
                                  const char *text, GError **error)
{
  g_autoptr (GArray) before = NULL;
  gint i;

  g_return_val_if_fail (self->annotations != NULL, -1);
  before = as_annotations_copy (self->annotations);
  i = as_annotations_edit (self->annotations, index, onset, duration, text, recording_duration (self),
                           error);
  if (i < 0)
    return -1;
  if (!as_annotations_equal (before, self->annotations))
    {
      push_undo (self, g_steal_pointer (&before));
      self->annotations_modified = TRUE;
    }
  publish (self);
  return i;
}

gboolean
atomscope_window_delete_annotation (AtomscopeWindow *self, guint index)
{
  if (self->annotations == NULL || index >= self->annotations->len)
    return FALSE;
  push_undo (self, as_annotations_copy (self->annotations));
  as_annotations_remove (self->annotations, index);
  self->annotations_modified = TRUE;
  publish (self);
  return TRUE;
}

gboolean
atomscope_window_undo_annotation (AtomscopeWindow *self)
{
  if (self->annotations_undo == NULL || self->annotations_undo->len == 0)
    return FALSE;
  g_clear_pointer (&self->annotations, g_array_unref);
  self->annotations = g_ptr_array_steal_index (self->annotations_undo, self->annotations_undo->len - 1);
  self->annotations_modified = TRUE;
  publish (self);
  return TRUE;
}

/* ---- the annotation dialog ------------------------------------------------------ */

/* A dialog answers once: closing it after a response emits its close response too. */
static gboolean
first_answer (AdwMessageDialog *dialog)
{
  if (g_object_get_data (G_OBJECT (dialog), "atomscope-answered") != NULL)
    return FALSE;
  g_object_set_data (G_OBJECT (dialog), "atomscope-answered", GINT_TO_POINTER (1));
  return TRUE;
}

static GtkWidget *
labelled (GtkGrid *grid, int row, const char *text, GtkWidget *field)
{
  GtkWidget *label = gtk_label_new_with_mnemonic (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_mnemonic_widget (GTK_LABEL (label), field);
  gtk_widget_set_hexpand (field, TRUE);
  gtk_grid_attach (grid, label, 0, row, 1, 1);
  gtk_grid_attach (grid, field, 1, row, 1, 1);
  return field;
}

static void
on_annotation_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);
  gint index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), DIALOG_INDEX_KEY)) - 1;
  GtkSpinButton *onset = g_object_get_data (G_OBJECT (dialog), DIALOG_ONSET_KEY);
  GtkSpinButton *duration = g_object_get_data (G_OBJECT (dialog), DIALOG_DURATION_KEY);
  GtkEditable *text = g_object_get_data (G_OBJECT (dialog), DIALOG_TEXT_KEY);
  g_autoptr (GError) error = NULL;
  gint done = 0;

  if (!first_answer (dialog))
    return;

  if (self->annotation_dialog == dialog)
    self->annotation_dialog = NULL;
  if (g_strcmp0 (response, "save") == 0)
    {
      gtk_spin_button_update (onset);
      gtk_spin_button_update (duration);
      if (index < 0)
        done = atomscope_window_add_annotation (self, gtk_spin_button_get_value (onset),
                                                gtk_spin_button_get_value (duration),
                                                gtk_editable_get_text (text), &error);
      else
        done = atomscope_window_edit_annotation (self, index, gtk_spin_button_get_value (onset),
                                                 gtk_spin_button_get_value (duration),
                                                 gtk_editable_get_text (text), &error);
    }
  else if (g_strcmp0 (response, "delete") == 0 && index >= 0)
    atomscope_window_delete_annotation (self, index);
  if (done < 0)
    atomscope_window_show_toast (self, error->message);
  gtk_widget_grab_focus (GTK_WIDGET (self->signal_view));
}

/* Adds (@index < 0) or edits annotation @index, in a dialog. */
void
atomscope_window_annotation_dialog (AtomscopeWindow *self, gint index, double onset, double duration)
{
  AdwMessageDialog *dialog;
  GtkGrid *grid;
  GtkWidget *onset_spin, *duration_spin, *entry;
  double end = recording_duration (self);
  const AsEvent *ev = NULL;

  if (self->recording == NULL || self->annotations == NULL)
    return;
  if (index >= 0 && (guint) index < self->annotations->len)
    {
      ev = &g_array_index (self->annotations, AsEvent, index);
      onset = ev->onset;
      duration = ev->duration;
    }
  else
    index = -1;
  if (self->annotation_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->annotation_dialog));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                      index < 0 ? _("Add Annotation") : _("Edit Annotation"),
                                                      NULL));
  grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_row_spacing (grid, 6);
  gtk_grid_set_column_spacing (grid, 12);
  onset_spin = labelled (grid, 0, _("_Onset (s)"), gtk_spin_button_new_with_range (0, MAX (end, 0.001), 0.001));
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (onset_spin), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (onset_spin), onset);
  duration_spin = labelled (grid, 1, _("_Duration (s)"), gtk_spin_button_new_with_range (0, MAX (end, 0.001), 0.001));
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (duration_spin), 3);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (duration_spin), duration);
  entry = labelled (grid, 2, _("_Text"), gtk_entry_new ());
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), ev != NULL ? ev->label : "");
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("e.g. spike, eyes closed, artefact"));
  adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (grid));
  g_object_set_data (G_OBJECT (dialog), DIALOG_ONSET_KEY, onset_spin);
  g_object_set_data (G_OBJECT (dialog), DIALOG_DURATION_KEY, duration_spin);
  g_object_set_data (G_OBJECT (dialog), DIALOG_TEXT_KEY, entry);
  g_object_set_data (G_OBJECT (dialog), DIALOG_INDEX_KEY, GINT_TO_POINTER (index + 1));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  if (index >= 0)
    {
      adw_message_dialog_add_response (dialog, "delete", _("_Delete"));
      adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
    }
  adw_message_dialog_add_response (dialog, "save", index < 0 ? _("_Add") : _("_Save"));
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_annotation_response), self, 0);
  self->annotation_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* A double click or a Shift-drag on the trace: edit the annotation under the
 * pointer (within 4 pixels), or add one there. */
static void
on_view_annotate (AtomscopeWindow *self, double onset, double duration)
{
  double per_px = atomscope_signal_view_get_page_length (self->signal_view)
                  / MAX (1, gtk_widget_get_width (GTK_WIDGET (self->signal_view)) - AS_FIGURE_PLOT_LEFT
                                - AS_FIGURE_PLOT_RIGHT);
  gint i = duration > 0 ? -1 : as_annotations_find (self->annotations, onset, 4 * per_px);

  atomscope_window_annotation_dialog (self, i, onset, duration);
}

static void
on_view_motion (GtkEventControllerMotion *motion, double x, double y, gpointer user_data)
{
  AtomscopeWindow *self = user_data;

  self->annotation_pointer_x = x;
}

static void
on_view_leave (GtkEventControllerMotion *motion, gpointer user_data)
{
  AtomscopeWindow *self = user_data;

  self->annotation_pointer_x = -1;
}

/* Ctrl+M: at the pointer when it is over the trace, else mid-page. */
static void
add_annotation_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);
  double t;

  if (self->annotation_pointer_x >= AS_FIGURE_PLOT_LEFT)
    t = atomscope_signal_view_time_at (self->signal_view, self->annotation_pointer_x);
  else
    t = atomscope_signal_view_get_page_start (self->signal_view)
        + atomscope_signal_view_get_page_length (self->signal_view) / 2;
  t = CLAMP (t, 0.0, recording_duration (self));
  gtk_popover_popdown (self->events_popover);
  atomscope_window_annotation_dialog (self, -1, t, 0);
}

static void
edit_annotation_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);

  gtk_popover_popdown (self->events_popover);
  atomscope_window_annotation_dialog (self, (gint) g_variant_get_uint32 (param), 0, 0);
}

static void
delete_annotation_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_delete_annotation (ATOMSCOPE_WINDOW (widget), g_variant_get_uint32 (param));
}

static void
undo_annotation_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_undo_annotation (ATOMSCOPE_WINDOW (widget));
}

/* ---- saving ------------------------------------------------------------------- */

typedef struct
{
  char        *path;
  AsRecording *recording;
  GArray      *events;
  gboolean     overwrite;
} SaveRequest;

static void
save_request_free (SaveRequest *req)
{
  g_free (req->path);
  g_clear_pointer (&req->recording, as_recording_unref);
  g_clear_pointer (&req->events, g_array_unref);
  g_free (req);
}

static gboolean
is_tsv (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);

  return g_str_has_suffix (lower, ".tsv");
}

static void
save_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SaveRequest *req = task_data;
  GError *error = NULL;
  gboolean ok = is_tsv (req->path)
                  ? as_annotations_write_tsv (req->path, req->events, req->overwrite, &error)
                  : as_annotations_write_edf (req->path, req->recording, req->events, req->overwrite, &error);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
save_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  SaveRequest *req = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_path_get_basename (req->path);
  g_autofree char *message = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      self->annotations_save_failures++;
      self->annotations_save_count++;
      self->close_after_save = FALSE;
      atomscope_window_show_toast (self, error->message);
      return;
    }
  /* What was written is safe; edits made meanwhile are not. */
  if (as_annotations_equal (req->events, self->annotations))
    self->annotations_modified = FALSE;
  self->annotations_save_count++;
  message = g_strdup_printf (ngettext ("%u annotation saved to %s", "%u annotations saved to %s",
                                       req->events->len),
                             req->events->len, name);
  atomscope_window_show_toast (self, message);
  if (self->close_after_save && !self->annotations_modified)
    gtk_window_close (GTK_WINDOW (self));
  self->close_after_save = FALSE;
}

static void
run_save (AtomscopeWindow *self, const char *path, gboolean overwrite)
{
  g_autoptr (GTask) task = NULL;
  SaveRequest *req = g_new0 (SaveRequest, 1);

  req->path = g_strdup (path);
  req->recording = as_recording_ref (self->recording);
  req->events = as_annotations_copy (self->annotations);
  req->overwrite = overwrite;
  if (self->annotations_cancellable == NULL)
    self->annotations_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->annotations_cancellable, save_done, NULL);
  /* A file is written whole, then renamed: it runs to its end. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, req, (GDestroyNotify) save_request_free);
  g_task_run_in_thread (task, save_thread);
}

static void
on_replace_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  const char *path = g_object_get_data (G_OBJECT (dialog), "atomscope-path");

  if (!first_answer (dialog))
    return;

  if (self->overwrite_dialog == dialog)
    self->overwrite_dialog = NULL;
  if (g_strcmp0 (response, "replace") == 0)
    run_save (self, path, TRUE);
  else
    {
      self->annotations_save_failures++;
      self->annotations_save_count++;
      self->close_after_save = FALSE;
    }
}

void
atomscope_window_save_annotations (AtomscopeWindow *self, const char *path, gboolean asked)
{
  AdwMessageDialog *dialog;
  g_autofree char *name = NULL;
  g_autofree char *dir = NULL;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self) && path != NULL);
  if (self->recording == NULL || self->annotations == NULL)
    return;
  if (asked || !g_file_test (path, G_FILE_TEST_EXISTS))
    {
      run_save (self, path, asked);
      return;
    }
  name = g_path_get_basename (path);
  dir = g_path_get_dirname (path);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Replace the File?"), NULL));
  adw_message_dialog_format_body (dialog, _("%s already exists in %s. Replacing it overwrites its contents."),
                                  name, dir);
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "replace", _("_Replace"));
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "atomscope-path", g_strdup (path), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_replace_response), NULL);
  self->overwrite_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_save_chosen (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autofree char *lower = path != NULL ? g_ascii_strdown (path, -1) : NULL;

      if (path != NULL && !g_str_has_suffix (lower, ".edf") && !g_str_has_suffix (lower, ".tsv"))
        {
          /* No known extension: EDF+, and since the name changed, ask again if it exists. */
          g_autofree char *with = g_strconcat (path, ".edf", NULL);
          atomscope_window_save_annotations (self, with, FALSE);
        }
      else if (path != NULL)
        /* The file chooser asked before replacing a file. */
        atomscope_window_save_annotations (self, path, TRUE);
    }
  else
    self->close_after_save = FALSE;
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
save_annotations_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);
  GtkFileChooserNative *chooser;
  GtkFileFilter *edf = gtk_file_filter_new (), *tsv = gtk_file_filter_new ();
  g_autofree char *base = NULL;
  g_autofree char *suggested = NULL;
  char *dot;

  if (self->recording == NULL)
    return;
  gtk_popover_popdown (self->events_popover);
  chooser = gtk_file_chooser_native_new (_("Save Annotations"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_filter_set_name (edf, _("EDF+ with the signals and the annotations (.edf)"));
  gtk_file_filter_add_pattern (edf, "*.edf");
  gtk_file_filter_set_name (tsv, _("BIDS events, the annotations only (.tsv)"));
  gtk_file_filter_add_pattern (tsv, "*.tsv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), edf);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), tsv);
  base = g_path_get_basename (self->recording->path != NULL ? self->recording->path : _("recording"));
  if ((dot = strrchr (base, '.')) != NULL)
    *dot = '\0';
  suggested = g_strdup_printf ("%s-annotated.edf", base);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), suggested);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- never lose work ------------------------------------------------------------ */

static void
on_unsaved_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);

  if (!first_answer (dialog))
    return;

  if (self->unsaved_dialog == dialog)
    self->unsaved_dialog = NULL;
  if (g_strcmp0 (response, "discard") == 0)
    {
      self->annotations_modified = FALSE;
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_strcmp0 (response, "save") == 0)
    {
      self->close_after_save = TRUE;
      save_annotations_action (GTK_WIDGET (self), NULL, NULL);
    }
}

static gboolean
on_close_request (GtkWindow *window, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (window);
  AdwMessageDialog *dialog;

  if (!self->annotations_modified || self->recording == NULL)
    return FALSE;
  if (self->unsaved_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->unsaved_dialog));
      return TRUE;
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save the Annotations?"), NULL));
  adw_message_dialog_set_body (dialog, _("The annotations were changed and not saved. Closing without saving loses the changes."));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "discard", _("_Discard"));
  adw_message_dialog_add_response (dialog, "save", _("_Save…"));
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unsaved_response), self, 0);
  self->unsaved_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

typedef struct
{
  void          (*then) (AtomscopeWindow *self, gpointer data);
  gpointer        data;
  GDestroyNotify  destroy;
} Pending;

/* Freed with its dialog: the data too unless it was used. */
static void
pending_free (Pending *p)
{
  if (p->data != NULL && p->destroy != NULL)
    p->destroy (p->data);
  g_free (p);
}

static void
on_discard_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  Pending *p = user_data;

  if (!first_answer (dialog))
    return;
  if (self->unsaved_dialog == dialog)
    self->unsaved_dialog = NULL;
  if (g_strcmp0 (response, "discard") == 0)
    {
      self->annotations_modified = FALSE;
      p->then (self, g_steal_pointer (&p->data));
    }
}

void
atomscope_window_annotations_confirm_discard (AtomscopeWindow *self,
                                              void (*then) (AtomscopeWindow *self, gpointer data),
                                              gpointer data, GDestroyNotify destroy)
{
  AdwMessageDialog *dialog;
  Pending *p;

  if (!atomscope_window_has_unsaved_annotations (self))
    {
      then (self, data);
      return;
    }
  if (self->unsaved_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->unsaved_dialog)));
  p = g_new0 (Pending, 1);
  p->then = then;
  p->data = data;
  p->destroy = destroy;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Discard the Annotations?"), NULL));
  adw_message_dialog_set_body (dialog, _("The annotations were changed and not saved. Opening another file loses the changes; cancel and save them first (Ctrl+S) to keep them."));
  adw_message_dialog_add_response (dialog, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (dialog, "discard", _("_Discard"));
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "atomscope-pending", p, (GDestroyNotify) pending_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_discard_response), p);
  self->unsaved_dialog = dialog;
  gtk_window_present (GTK_WINDOW (dialog));
}

gboolean
atomscope_window_has_unsaved_annotations (AtomscopeWindow *self)
{
  return self->annotations_modified && self->recording != NULL;
}

/* ---- wiring ------------------------------------------------------------------- */

void
atomscope_window_annotations_update_actions (AtomscopeWindow *self)
{
  gboolean any = self->recording != NULL && self->annotations != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.add-annotation", any);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.edit-annotation", any && self->annotations->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-annotation", any && self->annotations->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-annotation",
                                 any && self->annotations_undo != NULL && self->annotations_undo->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-annotations", any);
}

void
atomscope_window_annotations_install (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.add-annotation", NULL, add_annotation_action);
  gtk_widget_class_install_action (widget_class, "win.edit-annotation", "u", edit_annotation_action);
  gtk_widget_class_install_action (widget_class, "win.delete-annotation", "u", delete_annotation_action);
  gtk_widget_class_install_action (widget_class, "win.undo-annotation", NULL, undo_annotation_action);
  gtk_widget_class_install_action (widget_class, "win.save-annotations", NULL, save_annotations_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "win.add-annotation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo-annotation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-annotations", NULL);
}

void
atomscope_window_annotations_init (AtomscopeWindow *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->annotation_pointer_x = -1;
  g_signal_connect_object (self->signal_view, "annotate", G_CALLBACK (on_view_annotate), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect (motion, "motion", G_CALLBACK (on_view_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_view_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self->signal_view), motion);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
}

void
atomscope_window_annotations_dispose (AtomscopeWindow *self)
{
  g_cancellable_cancel (self->annotations_cancellable);
  g_clear_object (&self->annotations_cancellable);
  g_clear_pointer (&self->annotations, g_array_unref);
  g_clear_pointer (&self->annotations_undo, g_ptr_array_unref);
  if (self->annotation_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->annotation_dialog)));
  if (self->unsaved_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&self->unsaved_dialog)));
}

/* ---- for the UI tests ----------------------------------------------------------- */

GArray *
atomscope_window_get_annotations (AtomscopeWindow *self)
{
  return self->annotations;
}

AdwMessageDialog *
atomscope_window_get_annotation_dialog (AtomscopeWindow *self)
{
  return self->annotation_dialog;
}

AdwMessageDialog *
atomscope_window_get_unsaved_dialog (AtomscopeWindow *self)
{
  return self->unsaved_dialog;
}

guint
atomscope_window_get_annotations_save_count (AtomscopeWindow *self)
{
  return self->annotations_save_count;
}

guint
atomscope_window_get_annotations_save_failures (AtomscopeWindow *self)
{
  return self->annotations_save_failures;
}
