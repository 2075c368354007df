/* atomscope-window-learning.c: learning in the window: preprocessing then a CDL job on
 * a worker (Learn / Pause / Stop), its snapshots followed on the frame clock,
 * topographies computed off the main loop, where atoms occur.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "as-annotations.h"
#include "as-paged.h"
#include "as-cdl.h"
#include "as-cdl-encode.h"
#include "as-figure-model.h"
#include "as-image.h"
#include "as-montage.h"
#include "as-params.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "atomscope-atoms-panel.h"
#include "atomscope-convergence-view.h"
#include "atomscope-export-dialog.h"
#include "atomscope-params-panel.h"
#include "atomscope-raster-view.h"
#include "atomscope-signal-view.h"
#include "atomscope-teaching-page.h"
#include "as-cdl-progress.h"
#include "atomscope-window-private.h"

/* ---- the atoms figure, built off the main loop -------------------------------------- */

/* What a build reads: its own references, so the window may go meanwhile. */
typedef struct
{
  AsCdlModel  *model;
  AsRecording *recording;   /* learned on; NULL for images */
  double       sfreq;
  guint        learn_serial;
  gboolean     topographies_due;          /* else reuse @topographies */
  AsFigureTopographies *topographies;     /* the last ones shown, or NULL */
} FigureInput;

/* Scalp maps change slowly from one snapshot to the next and cost more than the
 * rest of the bundle: while the engine publishes fast, they are recomputed at most
 * this often (µs) and the last ones stay meanwhile, so the views keep up. */
#define TOPOGRAPHY_INTERVAL 400000

static void
figure_input_free (FigureInput *in)
{
  g_clear_pointer (&in->topographies, as_figure_topographies_unref);
  g_clear_pointer (&in->model, as_cdl_model_unref);
  g_clear_pointer (&in->recording, as_recording_unref);
  g_free (in);
}

/* Occurrences, maxima, spectra and the topographies (the engine's one routine,
 * as_topography_for_recording, through as_figure_topographies_for_model). */
static void
figure_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FigureInput *in = task_data;
  AsFigureAtoms *atoms;
  g_autoptr (AsFigureTopographies) topo = NULL;

  atoms = as_figure_atoms_new (in->model, in->sfreq, AS_CDL_OCCURRENCE_THRESHOLD);
  if (!in->topographies_due && in->topographies != NULL
      && in->topographies->n_atoms == atoms->n_atoms)
    topo = as_figure_topographies_ref (in->topographies);
  else if (!g_cancellable_is_cancelled (cancellable))
    topo = as_figure_topographies_for_model (in->model, in->recording, TOPOGRAPHY_SIZE);
  if (topo != NULL)
    as_figure_atoms_set_topographies (atoms, topo);
  g_task_return_pointer (task, atoms, (GDestroyNotify) as_figure_atoms_unref);
}

static void start_figure (AtomscopeWindow *self);

/* Back on the main loop: swap the refcounted bundle in and let the views draw it. */
static void
figure_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  FigureInput *in = g_task_get_task_data (G_TASK (result));
  g_autoptr (AsFigureAtoms) atoms = g_task_propagate_pointer (G_TASK (result), NULL);

  self->figure_running = FALSE;
  if (atoms == NULL || self->model == NULL || in->learn_serial != self->learn_serial)
    return;   /* cancelled, or a newer run or another file */
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  self->figure_atoms = g_steal_pointer (&atoms);
  self->model_serial++;
  atomscope_atoms_panel_set_atoms (self->atoms_panel, self->figure_atoms, self->model_serial);
  atomscope_raster_view_set_atoms (self->raster_view, self->figure_atoms, self->model_serial);
  atomscope_signal_view_set_atoms (self->signal_view, self->figure_atoms, self->model_serial);
  atomscope_convergence_view_set_model (self->convergence_view, self->model, self->model_serial);
  if (self->figure_pending)
    start_figure (self);
  else if (self->finish_pending && self->figure_atoms->model == self->model)
    {
      /* The run is over once its last model is shown (and can be exported). */
      self->finish_pending = FALSE;
      self->learn_count++;
      atomscope_window_update_actions (self);
    }
}

/* At most one build runs; the newest model waits for it and goes next. */
static void
start_figure (AtomscopeWindow *self)
{
  g_autoptr (GTask) task = NULL;
  FigureInput *in;

  self->figure_pending = FALSE;
  if (self->model == NULL)
    return;
  if (self->figure_running)
    {
      self->figure_pending = TRUE;
      return;
    }
  in = g_new0 (FigureInput, 1);
  in->model = as_cdl_model_ref (self->model);
  in->recording = self->learned_on != NULL && self->image == NULL
                  ? as_recording_ref (self->learned_on) : NULL;
  in->sfreq = in->recording != NULL ? in->recording->sfreq : self->model->sfreq;
  in->learn_serial = self->learn_serial;
  if (self->figure_atoms != NULL && self->figure_atoms->topographies != NULL)
    in->topographies = as_figure_topographies_ref (self->figure_atoms->topographies);
  /* The last model of a run always gets its own maps. */
  in->topographies_due = in->topographies == NULL || self->job == NULL || as_job_is_done (self->job)
                         || g_get_monotonic_time () - self->topographies_at >= TOPOGRAPHY_INTERVAL;
  if (in->topographies_due)
    self->topographies_at = g_get_monotonic_time ();
  if (self->figure_cancellable == NULL)
    self->figure_cancellable = g_cancellable_new ();
  self->figure_running = TRUE;
  task = g_task_new (self, self->figure_cancellable, figure_done, NULL);
  g_task_set_task_data (task, in, (GDestroyNotify) figure_input_free);
  g_task_run_in_thread (task, figure_thread);
}

/* ---- following the engine ------------------------------------------------------- */

/* A new snapshot: the tick only swaps references; the figure data is built on a worker. */
static void
show_model (AtomscopeWindow *self, AsCdlModel *model)
{
  if (model != self->model)
    {
      g_clear_pointer (&self->model, as_cdl_model_unref);
      self->model = as_cdl_model_ref (model);
    }
  atomscope_convergence_view_set_model (self->convergence_view, model, self->model_serial);
  start_figure (self);
  atomscope_events_panel_set_model (self->events_panel, model, self->learned_on);
  atomscope_window_update_events_source (self);
}

/* The Events page takes its events from the recording shown (its annotations, those added from
 * files, its stimulus channels), shifted by the crop the atoms' recording was prepared with. */
void
atomscope_window_update_events_source (AtomscopeWindow *self)
{
  AsRecording *from = NULL;
  double offset = 0;

  if (self->recording != NULL && self->learned_on != NULL && self->learned_on != self->recording
      && self->recording->sfreq > 0 && g_strcmp0 (self->recording->path, self->learned_on->path) == 0)
    {
      double crop = self->model_preprocessing != NULL
                    ? json_object_get_double_member_with_default (self->model_preprocessing,
                                                                  "crop_start_s", 0.0)
                    : 0.0;
      from = self->recording;
      offset = crop > 0 ? (double) llround (crop * from->sfreq) / from->sfreq : 0.0;
    }
  atomscope_events_panel_set_events_source (self->events_panel, from, offset);
}

static void
update_progress (AtomscopeWindow *self)
{
  g_autofree char *text = NULL, *end = NULL;
  const char *state = "";
  double elapsed = self->job != NULL ? as_job_get_elapsed (self->job) : 0;

  if (self->model == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      gtk_label_set_text (self->progress_label, self->job != NULL ? _("Starting…") : "");
      return;
    }
  if (self->job != NULL)
    switch (as_job_get_state (self->job))
      {
      case AS_JOB_PAUSED:
        state = _(" (paused)");
        break;
      case AS_JOB_STOPPED:
      case AS_JOB_FINISHED:
        /* The words of the command line and of run.json. */
        if (self->model->end_state != AS_CDL_END_RUNNING)
          state = end = g_strdup_printf (" · %s", as_cdl_end_state_describe (self->model->end_state));
        else
          state = _(" (stopped)");
        break;
      default:
        break;
      }
  /* While learning runs: a bar and the time left, both from the engine's estimate. */
  {
    gboolean running = self->job != NULL && !as_job_is_done (self->job) && !self->model->encoded;
    AsCdlProgress pr;
    g_autofree char *left = NULL;

    if (running && as_cdl_model_progress (self->model, &self->learn_params, &pr))
      {
        left = as_cdl_progress_describe (&pr);
        gtk_progress_bar_set_fraction (self->progress_bar, pr.fraction);
        gtk_widget_set_tooltip_text (GTK_WIDGET (self->progress_bar), left);
      }
    gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
    if (left != NULL)
      text = g_strdup_printf (_("Iteration %u · objective %.5g · %.1f s · %s%s"),
                              self->model->iteration, as_cdl_model_last_objective (self->model),
                              elapsed, left, state);
    else
      text = g_strdup_printf (_("Iteration %u · objective %.5g · %.1f s%s"), self->model->iteration,
                              as_cdl_model_last_objective (self->model), elapsed, state);
  }
  gtk_label_set_text (self->progress_label, text);
}

/* The frame clock pulls the newest snapshot when the job published one; the
 * main loop never waits on the worker. */
static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);
  guint64 generation;
  gboolean done;

  if (self->job == NULL)
    {
      self->tick_id = 0;
      return G_SOURCE_REMOVE;
    }
  done = as_job_is_done (self->job);
  generation = as_job_get_generation (self->job);
  if (generation != self->job_generation)
    {
      g_autoptr (AsCdlModel) model = as_cdl_job_dup_model (self->job);

      self->job_generation = generation;
      if (model != NULL)
        show_model (self, model);
      update_progress (self);
      self->progress_shown_at = g_get_monotonic_time ();
    }
  else if (g_get_monotonic_time () - self->progress_shown_at > 250000)
    {
      /* The elapsed time moves on: a few label updates a second are enough (each
       * one lays the header bar out again). */
      update_progress (self);
      self->progress_shown_at = g_get_monotonic_time ();
    }
  if (!done)
    return G_SOURCE_CONTINUE;
  update_progress (self);

  if (as_job_get_state (self->job) == AS_JOB_FAILED && as_job_get_error (self->job) != NULL)
    atomscope_window_show_toast (self, as_job_get_error (self->job)->message);
  /* The last figure of a run with its own scalp maps (while it ran they were
   * refreshed at most every TOPOGRAPHY_INTERVAL). */
  if (self->model != NULL)
    start_figure (self);
  if (self->model != NULL && (self->figure_running || self->figure_pending
                              || self->figure_atoms == NULL || self->figure_atoms->model != self->model))
    self->finish_pending = TRUE;   /* counted when the last figure is in */
  else
    self->learn_count++;
  self->tick_id = 0;
  atomscope_window_update_actions (self);
  return G_SOURCE_REMOVE;
}

/* What the model about to be learned is learned with, for its model folder. */
static void
set_model_origin (AtomscopeWindow *self, const AsCdlParams *params, JsonObject *preprocessing,
                  const char *source)
{
  self->model_params = *params;
  self->has_model_params = TRUE;
  g_clear_pointer (&self->model_preprocessing, json_object_unref);
  self->model_preprocessing = preprocessing;
  g_free (self->model_source);
  self->model_source = g_strdup (source);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->model_dictionary, g_free);
}

/* What the model explains (its channels give the topographies); the browser shows it so that
 * overlays line up. */
static void
set_learned_on (AtomscopeWindow *self, AsRecording *rec, gboolean new_model)
{
  g_clear_pointer (&self->learned_on, as_recording_unref);
  self->learned_on = as_recording_ref (rec);
  if (new_model)
    g_clear_pointer (&self->model, as_cdl_model_unref);
  if (atomscope_signal_view_get_recording (self->signal_view) != rec)
    {
      double t0 = atomscope_signal_view_get_page_start (self->signal_view);
      double len = atomscope_signal_view_get_page_length (self->signal_view);

      atomscope_signal_view_set_recording (self->signal_view, rec);
      atomscope_signal_view_set_page_length (self->signal_view, len);
      atomscope_signal_view_set_page_start (self->signal_view, t0);
      atomscope_window_annotations_show (self);
    }
  /* Learning's scaled values are drawn at their own range, not at µV/mm. */
  atomscope_signal_view_set_scaled (self->signal_view, self->recording != NULL && self->recording != rec
                                                       && self->learn_preprocess.scale != AS_SCALE_NONE);
  /* What was not learned (EOG, ECG, EMG, triggers beside EEG) stays in view, below. */
  if (self->recording != NULL && self->recording != rec)
    {
      g_autoptr (AsDerivationSet) others = as_derivation_set_new_others (self->recording, rec);

      atomscope_signal_view_set_others (self->signal_view, self->recording, others);
    }
}

static void
start_job (AtomscopeWindow *self, AsJob *job)
{
  g_clear_pointer (&self->job, as_job_unref);
  self->job = job;
  self->job_generation = 0;
  as_job_start (self->job);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  update_progress (self);
  atomscope_window_update_actions (self);
}

static gboolean
shapes_match (const AsCdlModel *m, const AsCdlParams *p, const AsRecording *rec)
{
  return m != NULL && m->shape.n_atoms == p->n_atoms && m->shape.atom_width == p->atom_length
         && m->shape.atom_height == p->atom_height && m->shape.n_channels == rec->n_channels
         && m->rank1 == p->rank1 && m->positive == p->positive;
}

/* Images: prepared as atomscope-cli learn prepares them (each colour plane without its mean
 * and its local background, as_defaults_image_options). */
typedef struct
{
  AsImage            *image;
  AsPreprocessOptions opts;
} ImagePrep;

static void
image_prep_free (ImagePrep *p)
{
  as_image_unref (p->image);
  g_free (p);
}

static void
prepare_image_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ImagePrep *prep = task_data;
  AsImage *img = prep->image;
  gsize n = (gsize) img->width * img->height;
  g_autofree char *name = img->path ? g_filename_display_basename (img->path) : g_strdup ("");
  GError *error = NULL;
  double *x;

  /* The engine's check, as the command line's: a constant image has nothing to learn. */
  if (!as_image_check_learnable (img, name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  x = g_memdup2 (img->data, sizeof (double) * n * img->n_channels);
  as_preprocess_image (x, img->n_channels, img->height, img->width, &prep->opts);
  g_task_return_pointer (task, x, g_free);
}

static void
prepare_image_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  g_autoptr (GError) error = NULL;
  g_autofree double *x = g_task_propagate_pointer (G_TASK (result), &error);
  ImagePrep *prep = g_task_get_task_data (G_TASK (result));
  AsImage *img = prep->image;
  AsCdlModel *warm = NULL;
  AsCdlParams params;

  if (img != self->image)
    return;
  if (x == NULL)
    {
      if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          atomscope_window_show_toast (self, error->message);
          self->learn_count++;
        }
      atomscope_window_update_actions (self);
      return;
    }
  params = self->learn_params;
  if (self->model != NULL && self->model->shape.n_atoms == params.n_atoms
      && self->model->shape.atom_width == params.atom_length
      && self->model->shape.atom_height == params.atom_height
      && self->model->shape.n_channels == img->n_channels && self->model->rank1 == params.rank1
      && self->model->positive == params.positive)
    warm = self->model;
  self->warm_started = warm != NULL;
  if (img->width < 2 * params.atom_length || img->height < 2 * params.atom_height)
    {
      atomscope_window_show_toast (self, _("The image is too small for atoms this large"));
      self->learn_count++;
      atomscope_window_update_actions (self);
      return;
    }
  if (warm == NULL)
    g_clear_pointer (&self->model, as_cdl_model_unref);
  set_model_origin (self, &params, as_preprocess_options_to_json (&prep->opts, NULL), img->path);
  g_clear_pointer (&self->job, as_job_unref);
  self->job = as_cdl_job_new_image (x, 1, img->n_channels, img->height, img->width, &params, warm);
  self->job_generation = 0;
  as_job_start (self->job);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  update_progress (self);
  atomscope_window_update_actions (self);
}

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsRecording *rec = g_object_get_data (G_OBJECT (task), "recording");
  AsPreprocessOptions *opts = task_data;
  GError *error = NULL;
  /* Channel roles, unusable channels left out, then the preprocessing: the command line's
   * path (as-params.h). */
  g_autoptr (AsLearnReport) report = NULL;
  g_autoptr (AsRecording) range = NULL;
  AsPreprocessOptions range_opts;
  AsRecording *out;
  AsRecording annotated;
  GArray *annotations = g_object_get_data (G_OBJECT (task), "annotations");

  /* The annotations as the user left them take the place of the file's
   * events: a view of the recording that only reads it. */
  if (annotations != NULL)
    {
      annotated = *rec;
      annotated.events = annotations;
      rec = &annotated;
    }

  /* A recording read page by page: its time range is read into memory. */
  if (rec->paged != NULL)
    {
      range = as_paged_crop (rec, opts->crop_start, opts->crop_stop, &error);
      if (range == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      range_opts = *opts;
      range_opts.crop_start = 0;
      range_opts.crop_stop = 0;
      rec = range;
      opts = &range_opts;
    }
  out = as_learn_prepare (rec, opts, &report, &error);

  if (out == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* What was applied, in the model's words: the same object the command line writes. */
  {
    g_autoptr (JsonObject) o = as_learn_report_to_json (report, NULL);
    JsonObject *pre = json_object_get_object_member (o, "preprocessing");
    if (pre != NULL)
      g_object_set_data_full (G_OBJECT (task), "preprocessing", json_object_ref (pre),
                              (GDestroyNotify) json_object_unref);
  }
  g_task_return_pointer (task, out, (GDestroyNotify) as_recording_unref);
}

static void
prepare_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = g_task_propagate_pointer (G_TASK (result), &error);
  AsCdlModel *warm = NULL;
  AsCdlParams params;

  /* Another file was opened meanwhile: this preparation is stale. */
  if (g_object_get_data (G_OBJECT (result), "recording") != self->recording)
    return;
  if (rec == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          atomscope_window_show_toast (self, error->message);
          self->learn_count++;
        }
      atomscope_window_update_actions (self);
      return;
    }
  params = self->learn_params;

  /* Warm start from the previous atoms when they fit the new problem. */
  if (shapes_match (self->model, &params, rec)
      && self->learned_on != NULL && self->learned_on->n_samples == rec->n_samples)
    warm = self->model;
  self->warm_started = warm != NULL;

  if (!as_cdl_params_check_fit (&params, 1, rec->n_channels, 1, (guint) rec->n_samples, &error))
    {
      atomscope_window_show_toast (self, error->message);
      self->learn_count++;
      atomscope_window_update_actions (self);
      return;
    }

  set_learned_on (self, rec, warm == NULL);
  {
    JsonObject *pre = g_object_get_data (G_OBJECT (result), "preprocessing");
    set_model_origin (self, &params,
                      pre != NULL ? json_object_ref (pre)
                                  : as_preprocess_options_to_json (&self->learn_preprocess, NULL),
                      self->recording->path);
  }
  start_job (self, as_cdl_job_new_for_recording (rec, &params, warm));
}

void
atomscope_window_start_encoding (AtomscopeWindow *self, AsRecording *rec, const AsCdlModel *atoms,
                                 const AsCdlParams *params, JsonObject *preprocessing,
                                 const char *dictionary)
{
  atomscope_window_stop_learning (self);
  self->warm_started = FALSE;
  set_learned_on (self, rec, TRUE);
  set_model_origin (self, params, preprocessing, self->recording != NULL ? self->recording->path : NULL);
  self->model_dictionary = g_strdup (dictionary);
  start_job (self, as_cdl_encode_job_new_for_recording (rec, atoms, params));
}

void
atomscope_window_show_model_from (AtomscopeWindow *self, AsRecording *rec, AsCdlModel *model,
                                  const AsCdlParams *params, JsonObject *preprocessing,
                                  const char *source, const char *dir)
{
  atomscope_window_stop_learning (self);
  g_clear_pointer (&self->job, as_job_unref);
  self->warm_started = FALSE;
  if (rec != NULL)
    set_learned_on (self, rec, TRUE);
  else
    g_clear_pointer (&self->model, as_cdl_model_unref);
  set_model_origin (self, params, preprocessing, source);
  self->model_dir = g_strdup (dir);
  show_model (self, model);
  update_progress (self);
  atomscope_window_update_actions (self);
}

/* Learn: preprocessing on a worker, then the CDL job. */
void
atomscope_window_learn (AtomscopeWindow *self)
{
  g_autoptr (GTask) task = NULL;
  AsPreprocessOptions *opts;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  if (self->recording == NULL && self->image == NULL)
    return;
  /* A run in progress is asked to stop; its worker keeps what it reads alive
   * and ends at its next check, without the main loop waiting for it. */
  atomscope_window_stop_learning (self);
  self->learn_serial++;
  self->finish_pending = FALSE;
  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->prepare_cancellable);
  self->prepare_cancellable = g_cancellable_new ();
  /* The parameters are those on screen when Learn is pressed. */
  atomscope_params_panel_get_params (self->params_panel, &self->learn_params);
  if (self->image != NULL)
    {
      ImagePrep *prep = g_new0 (ImagePrep, 1);

      prep->image = as_image_ref (self->image);
      as_defaults_image_options (&self->learn_params, -1, &prep->opts);
      task = g_task_new (self, self->prepare_cancellable, prepare_image_done, NULL);
      g_task_set_task_data (task, prep, (GDestroyNotify) image_prep_free);
      g_task_set_return_on_cancel (task, TRUE);
      g_task_run_in_thread (task, prepare_image_thread);
      gtk_label_set_text (self->progress_label, _("Preparing the data…"));
      return;
    }

  opts = g_new (AsPreprocessOptions, 1);
  atomscope_params_panel_get_preprocess (self->params_panel, opts);
  self->learn_preprocess = *opts;
  task = g_task_new (self, self->prepare_cancellable, prepare_done, NULL);
  g_task_set_task_data (task, opts, g_free);
  if (self->bad_channels != NULL && self->bad_channels->len > 0)
    {
      /* Channels marked bad in the browser are left out; the task owns the labels. */
      GStrvBuilder *b = g_strv_builder_new ();
      GStrv bad;

      for (guint i = 0; i < self->bad_channels->len; i++)
        g_strv_builder_add (b, g_ptr_array_index (self->bad_channels, i));
      bad = g_strv_builder_end (b);
      g_strv_builder_unref (b);
      opts->bad = (const char *const *) bad;
      g_object_set_data_full (G_OBJECT (task), "bad", bad, (GDestroyNotify) g_strfreev);
    }
  g_object_set_data_full (G_OBJECT (task), "recording", as_recording_ref (self->recording),
                          (GDestroyNotify) as_recording_unref);
  if (self->annotations != NULL)
    g_object_set_data_full (G_OBJECT (task), "annotations", as_annotations_copy (self->annotations),
                            (GDestroyNotify) g_array_unref);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, prepare_thread);
  gtk_label_set_text (self->progress_label, _("Preparing the data…"));
}

void
atomscope_window_stop_learning (AtomscopeWindow *self)
{
  if (self->job != NULL && !as_job_is_done (self->job))
    as_job_stop (self->job);
}

void
atomscope_window_stop (AtomscopeWindow *self)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  atomscope_window_stop_learning (self);
}

void
atomscope_window_toggle_pause (AtomscopeWindow *self)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  if (self->job == NULL || as_job_is_done (self->job))
    return;
  if (as_job_get_state (self->job) == AS_JOB_PAUSED)
    as_job_resume (self->job);
  else
    as_job_pause (self->job);
  update_progress (self);
  atomscope_window_update_actions (self);
}

AsJob *
atomscope_window_get_job (AtomscopeWindow *self)
{
  return self->job;
}

AsCdlModel *
atomscope_window_get_model (AtomscopeWindow *self)
{
  return self->model;
}

AsFigureAtoms *
atomscope_window_get_figure_atoms (AtomscopeWindow *self)
{
  return self->figure_atoms;
}

guint
atomscope_window_get_learn_count (AtomscopeWindow *self)
{
  return self->learn_count;
}

guint64
atomscope_window_get_model_serial (AtomscopeWindow *self)
{
  return self->model_serial;
}

gboolean
atomscope_window_get_warm_started (AtomscopeWindow *self)
{
  return self->warm_started;
}

AtomscopeParamsPanel *
atomscope_window_get_params_panel (AtomscopeWindow *self)
{
  return self->params_panel;
}

GtkWidget *
atomscope_window_get_view (AtomscopeWindow *self, const char *name)
{
  if (g_strcmp0 (name, "signals") == 0)
    return GTK_WIDGET (self->signal_view);
  if (g_strcmp0 (name, "atoms") == 0)
    return GTK_WIDGET (self->atoms_panel);
  if (g_strcmp0 (name, "raster") == 0)
    return GTK_WIDGET (self->raster_view);
  if (g_strcmp0 (name, "convergence") == 0)
    return GTK_WIDGET (self->convergence_view);
  return NULL;
}

/* ---- interaction ------------------------------------------------------------------- */

void
atomscope_window_select_atom (AtomscopeWindow *self, int atom)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  if (self->figure_atoms == NULL || atom >= (int) self->figure_atoms->n_atoms)
    atom = -1;
  atomscope_atoms_panel_set_selected (self->atoms_panel, atom);
}

void
atomscope_window_on_occurrence_activated (AtomscopeWindow *self, int atom, double time)
{
  atomscope_atoms_panel_set_selected (self->atoms_panel, atom);
  if (self->figure_atoms != NULL)
    time += as_figure_atoms_atom_duration (self->figure_atoms) / 2;
  atomscope_signal_view_centre_on (self->signal_view, time);
}

