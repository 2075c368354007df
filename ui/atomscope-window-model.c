/* atomscope-window-model.c: model folders in the window: File ▸ Open Model shows a
 * model as if it had just been learned, beside the recording it explains; Use Atoms
 * From a Model looks for a model's atoms in the recording that is open (sparse coding
 * with the dictionary held fixed).  Folders are read and recordings preprocessed on
 * workers; the main loop only swaps the results in.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "as-paged.h"
#include "as-model.h"
#include "as-preprocess.h"
#include "atomscope-window-private.h"

/* ---- reading the folder (worker) ------------------------------------------------------ */

typedef struct
{
  char    *dir;
  char    *recording;   /* asked for, or NULL: the one the model names */
  AsModel *model;       /* result */
  char    *found;       /* result: the recording to show it with, or NULL */
} LoadData;

static void
load_data_free (LoadData *d)
{
  g_free (d->dir);
  g_free (d->recording);
  g_clear_pointer (&d->model, as_model_unref);
  g_free (d->found);
  g_free (d);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadData *d = task_data;
  GError *error = NULL;

  d->model = as_model_load (d->dir, &error);
  if (d->model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  d->found = d->recording != NULL ? g_strdup (d->recording) : as_model_find_source (d->model);
  g_task_return_boolean (task, TRUE);
}

/* ---- the model's preprocessing on the open recording (worker) ------------------------ */

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsModel *model = task_data;
  AsRecording *rec = g_object_get_data (G_OBJECT (task), "recording");
  AsPreprocessOptions opts;
  GError *error = NULL;
  AsRecording *out;

  g_autoptr (AsRecording) range = NULL;

  as_model_get_preprocess_options (model, &opts);
  /* A recording read page by page: the model's time range is read into memory. */
  if (rec->paged != NULL)
    {
      range = as_paged_crop (rec, opts.crop_start, opts.crop_stop, &error);
      if (range == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      opts.crop_start = 0;
      opts.crop_stop = 0;
      rec = range;
    }
  out = as_preprocess (rec, &opts, NULL, &error);
  if (out != NULL && !as_model_apply_scaling (model, out, &error))
    g_clear_pointer (&out, as_recording_unref);
  if (out == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, out, (GDestroyNotify) as_recording_unref);
}

static void
finish (AtomscopeWindow *self, const char *failure)
{
  if (failure != NULL)
    {
      self->model_open_failures++;
      atomscope_window_show_toast (self, failure);
    }
  self->model_open_count++;
}

static void
prepare_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  AsModel *model = g_task_get_task_data (G_TASK (result));
  gboolean encode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "encode"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = g_task_propagate_pointer (G_TASK (result), &error);
  const AsCdlModel *m = model->model;
  AsPreprocessOptions opts;

  if (rec == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (self, error->message);
      return;
    }
  if (g_object_get_data (G_OBJECT (result), "recording") != self->recording)
    return;   /* another file was opened meanwhile */
  if (rec->n_channels != m->shape.n_channels
      || (!encode && (m->n_trials != 1 || rec->n_samples != m->shape.width)))
    {
      g_autofree char *why = NULL;
      if (encode)
        why = g_strdup_printf (_("The model’s atoms span %u channels, but the recording has %u after the model’s preprocessing"),
                               m->shape.n_channels, rec->n_channels);
      else
        why = g_strdup_printf (_("The model explains %u channels × %u samples, but the recording gives %u × %zu after the model’s preprocessing: open the recording it was learned on"),
                               m->shape.n_channels, m->shape.width, rec->n_channels, rec->n_samples);
      finish (self, why);
      return;
    }
  as_model_get_preprocess_options (model, &opts);
  if (encode)
    {
      AsCdlParams params = model->params;

      /* The model's λ in data units: the same threshold for what counts as an occurrence. */
      params.lambda = m->lambda;
      params.lambda_absolute = TRUE;
      atomscope_window_start_encoding (self, rec, m, &params, as_preprocess_options_to_json (&opts, NULL),
                                       model->dir);
    }
  else
    {
      g_autoptr (AsCdlModel) copy = as_cdl_model_copy (m);
      atomscope_window_show_model_from (self, rec, copy, &model->params,
                                        model->preprocessing != NULL ? json_object_ref (model->preprocessing) : NULL,
                                        self->recording->path, model->dir);
    }
  finish (self, NULL);
}

/* Applies @model to what is open: shown (a model of this file) or encoded. */
static void
apply_to_open_file (AtomscopeWindow *self, AsModel *model, gboolean encode)
{
  g_autoptr (GTask) task = NULL;
  const AsCdlModel *m = model->model;

  if (self->image != NULL)
    {
      g_autoptr (AsCdlModel) copy = NULL;

      if (encode || m->shape.n_channels != self->image->n_channels || m->shape.height != self->image->height
          || m->shape.width != self->image->width)
        {
          finish (self, _("This model does not fit the image that is open"));
          return;
        }
      copy = as_cdl_model_copy (m);
      atomscope_window_show_model_from (self, NULL, copy, &model->params,
                                        model->preprocessing != NULL ? json_object_ref (model->preprocessing) : NULL,
                                        self->image->path, model->dir);
      finish (self, NULL);
      return;
    }
  if (self->recording == NULL)
    {
      finish (self, _("Open a recording first"));
      return;
    }
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->model_cancellable, prepare_done, NULL);
  g_task_set_task_data (task, as_model_ref (model), (GDestroyNotify) as_model_unref);
  g_object_set_data_full (G_OBJECT (task), "recording", as_recording_ref (self->recording),
                          (GDestroyNotify) as_recording_unref);
  g_object_set_data (G_OBJECT (task), "encode", GINT_TO_POINTER (encode));
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, prepare_thread);
}

static gboolean
same_file (const char *a, const char *b)
{
  g_autofree char *ca = NULL, *cb = NULL;

  if (a == NULL || b == NULL)
    return FALSE;
  ca = g_canonicalize_filename (a, NULL);
  cb = g_canonicalize_filename (b, NULL);
  return g_strcmp0 (ca, cb) == 0;
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  LoadData *d = g_task_get_task_data (G_TASK (result));
  gboolean encode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (result), "encode"));
  g_autoptr (GError) error = NULL;
  const char *open_path = self->recording != NULL ? self->recording->path
                          : self->image != NULL ? self->image->path : NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (self, error->message);
      return;
    }
  g_clear_pointer (&self->pending_model, as_model_unref);
  if (encode || (d->found != NULL && same_file (d->found, open_path)))
    {
      apply_to_open_file (self, d->model, encode);
      return;
    }
  if (d->found != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_path (d->found);

      /* Shown once the recording is open (atomscope_window_model_file_loaded). */
      self->pending_model = as_model_ref (d->model);
      atomscope_window_open_file (self, file);
      return;
    }
  {
    g_autofree char *name = g_filename_display_name (d->model->source_name != NULL ? d->model->source_name : "?");
    g_autofree char *why = g_strdup_printf (_("The recording this model was learned on (%s) was not found: open it, then open the model again"),
                                            name);
    finish (self, why);
  }
}

static void
start_load (AtomscopeWindow *self, const char *dir, const char *recording, gboolean encode)
{
  g_autoptr (GTask) task = NULL;
  LoadData *d = g_new0 (LoadData, 1);

  d->dir = g_strdup (dir);
  d->recording = g_strdup (recording);
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  self->model_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->model_cancellable, load_done, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) load_data_free);
  g_object_set_data (G_OBJECT (task), "encode", GINT_TO_POINTER (encode));
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

void
atomscope_window_open_model (AtomscopeWindow *self, GFile *folder, GFile *recording)
{
  g_autofree char *dir = NULL, *rec = NULL;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));
  dir = g_file_get_path (folder);
  rec = recording != NULL ? g_file_get_path (recording) : NULL;
  if (dir == NULL)
    {
      finish (self, _("Only folders on this computer can be opened as models"));
      return;
    }
  start_load (self, dir, rec, FALSE);
}

void
atomscope_window_use_model_atoms (AtomscopeWindow *self, GFile *folder)
{
  g_autofree char *dir = NULL;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (folder));
  dir = g_file_get_path (folder);
  if (dir == NULL)
    {
      finish (self, _("Only folders on this computer can be opened as models"));
      return;
    }
  start_load (self, dir, NULL, TRUE);
}

void
atomscope_window_model_file_loaded (AtomscopeWindow *self)
{
  g_autoptr (AsModel) model = g_steal_pointer (&self->pending_model);

  if (model != NULL)
    apply_to_open_file (self, model, FALSE);
}

/* ---- the actions -------------------------------------------------------------------- */

static void
on_folder_chosen (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (user_data);
  gboolean encode = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "encode"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (folder != NULL && encode)
        atomscope_window_use_model_atoms (self, folder);
      else if (folder != NULL)
        atomscope_window_open_model (self, folder, NULL);
    }
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
choose_folder (AtomscopeWindow *self, const char *title, gboolean encode)
{
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (title, GTK_WINDOW (self),
                                                              GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                              _("_Open"), _("_Cancel"));

  g_object_set_data (G_OBJECT (dialog), "encode", GINT_TO_POINTER (encode));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_folder_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
atomscope_window_open_model_action (GtkWidget *widget, const char *name, GVariant *param)
{
  choose_folder (ATOMSCOPE_WINDOW (widget), _("Open a Model Folder"), FALSE);
}

void
atomscope_window_use_atoms_action (GtkWidget *widget, const char *name, GVariant *param)
{
  choose_folder (ATOMSCOPE_WINDOW (widget), _("Use the Atoms of a Model"), TRUE);
}

guint
atomscope_window_get_model_open_count (AtomscopeWindow *self)
{
  return self->model_open_count;
}

guint
atomscope_window_get_model_open_failures (AtomscopeWindow *self)
{
  return self->model_open_failures;
}

const char *
atomscope_window_get_model_dir (AtomscopeWindow *self)
{
  return self->model_dir;
}
