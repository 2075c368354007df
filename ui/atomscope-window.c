/* atomscope-window.c: the main window: open a recording, learn atoms on a
 * worker (Learn / Pause / Stop), follow the engine's snapshots on the frame
 * clock, see where atoms occur, export.
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
#include "atomscope-window.h"

/* Occurrences are activations above this fraction of the atom's largest one. */
#define OCCURRENCE_THRESHOLD 0.1
/* Topography grid cells per side. */
#define TOPOGRAPHY_SIZE 48

struct _AtomscopeWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay          *toast_overlay;
  AdwViewStack             *view_stack;
  GtkStack                 *recording_stack;
  AdwStatusPage            *status_page;
  AtomscopeSignalView      *signal_view;
  AtomscopeRasterView      *raster_view;
  AtomscopeAtomsPanel      *atoms_panel;
  AtomscopeConvergenceView *convergence_view;
  AtomscopeParamsPanel     *params_panel;
  GtkMenuButton            *primary_menu_button;
  GMenu                    *recent_submenu;
  GtkButton                *pause_button;
  GtkLabel                 *progress_label;
  GtkLabel                 *page_label;
  GtkDropDown              *scale_dropdown;
  GtkSpinButton            *sensitivity_spin;
  GtkToggleButton          *reconstruction_toggle;
  GtkToggleButton          *conv_time_toggle;
  GtkToggleButton          *conv_logx_toggle;
  GtkToggleButton          *conv_logy_toggle;
  GtkToggleButton          *conv_subopt_toggle;
  GtkStack                 *browser_stack;
  GtkPicture               *image_picture;

  AsRecording              *recording;    /* as read from the file */
  AsImage                  *image;        /* or the image opened */
  AsRecording              *learned_on;   /* after preprocessing: what the model explains */
  AsMontage                *montage;
  GCancellable             *load_cancellable;
  guint                     load_count;   /* recordings shown so far (tests wait on it) */
  guint                     load_failures; /* files that could not be opened */

  /* Learning. */
  GCancellable             *prepare_cancellable;
  AsJob                    *job;
  guint                     tick_id;
  guint64                   job_generation; /* of the last snapshot taken */
  AsCdlModel               *model;          /* newest model, kept after the job ends */
  AsFigureAtoms            *figure_atoms;
  guint64                   model_serial;   /* bumped for every snapshot shown */
  guint                     learn_count;    /* learning runs that ended */
  gboolean                  warm_started;
  gint64                    progress_shown_at; /* µs, monotonic */

  /* Sensor positions projected for topographies. */
  double                   *sensor_xy;      /* n_sensors × 2 */
  guint                    *sensor_channel; /* n_sensors: channel of learned_on */
  guint                     n_sensors;
  double                    head_radius;
  AsFigureTopographies     *topographies;   /* newest, reused until replaced */
  gboolean                  topo_running;
  gboolean                  topo_pending;

  guint                     export_count;
  guint                     export_failures;
  GPtrArray                *last_export;
  AdwMessageDialog         *overwrite_dialog;
};

G_DEFINE_FINAL_TYPE (AtomscopeWindow, atomscope_window, ADW_TYPE_APPLICATION_WINDOW)

static void update_actions (AtomscopeWindow *self);
static void stop_learning (AtomscopeWindow *self);

void
atomscope_window_show_toast (AtomscopeWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* ---- loading ------------------------------------------------------------------------ */

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  GError *error = NULL;
  AsRecording *rec;

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("%s: only local files can be opened"), uri);
      return;
    }
  if (as_file_is_image (path))
    {
      AsImage *img = as_image_load (path, &error);

      if (img == NULL)
        g_task_return_error (task, error);
      else
        {
          g_object_set_data (G_OBJECT (task), "image", GINT_TO_POINTER (TRUE));
          g_task_return_pointer (task, img, (GDestroyNotify) as_image_unref);
        }
      return;
    }
  rec = as_recording_load (path, &error);
  if (rec == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  /* EEG files rarely carry positions: the standard 10-05 ones give topographies. */
  if (rec->kind == AS_RECORDING_EEG)
    {
      g_autoptr (GError) montage_error = NULL;
      g_autoptr (AsMontage) montage = as_montage_load_standard ("standard_1005", &montage_error);

      if (montage != NULL)
        {
          as_recording_attach_montage (rec, montage);
          g_object_set_data_full (G_OBJECT (task), "montage", as_montage_ref (montage),
                                  (GDestroyNotify) as_montage_unref);
        }
      else
        g_debug ("no standard montage: %s", montage_error->message);
    }
  g_task_return_pointer (task, rec, (GDestroyNotify) as_recording_unref);
}

static void
clear_model (AtomscopeWindow *self)
{
  stop_learning (self);
  g_clear_pointer (&self->job, as_job_unref);
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  g_clear_pointer (&self->topographies, as_figure_topographies_unref);
  atomscope_atoms_panel_set_atoms (self->atoms_panel, NULL, 0);
  atomscope_raster_view_set_atoms (self->raster_view, NULL, 0);
  atomscope_convergence_view_set_model (self->convergence_view, NULL, 0);
  gtk_label_set_text (self->progress_label, "");
}

static void
update_page_label (AtomscopeWindow *self)
{
  g_autofree char *text = NULL;
  double t0 = atomscope_signal_view_get_page_start (self->signal_view);
  double len = atomscope_signal_view_get_page_length (self->signal_view);

  if (self->recording == NULL)
    return;
  text = g_strdup_printf (_("%.2f – %.2f s of %.2f s, %g s per page"), t0,
                          MIN (t0 + len, as_recording_duration (atomscope_signal_view_get_recording (self->signal_view))),
                          as_recording_duration (atomscope_signal_view_get_recording (self->signal_view)), len);
  gtk_label_set_text (self->page_label, text);
}

static void
set_recording (AtomscopeWindow *self, AsRecording *rec, AsMontage *montage, GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  clear_model (self);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->image, as_image_unref);
  gtk_stack_set_visible_child_name (self->browser_stack, "signals");
  self->recording = as_recording_ref (rec);
  self->montage = montage != NULL ? as_montage_ref (montage) : NULL;
  atomscope_signal_view_set_recording (self->signal_view, rec);
  atomscope_signal_view_set_page_length (self->signal_view, MIN (10.0, MAX (as_recording_duration (rec), 0.01)));
  atomscope_params_panel_set_recording (self->params_panel, rec);
  /* A usual paper sensitivity for the unit of the first channel (per division). */
  if (rec->n_channels > 0 && rec->channels[0].unit != NULL)
    {
      const char *unit = rec->channels[0].unit;
      double sensitivity = 1.0;

      if (g_str_equal (unit, "uV") || g_str_equal (unit, "µV"))
        sensitivity = 50.0;
      else if (g_str_equal (unit, "mV"))
        sensitivity = 0.5;
      else if (g_str_has_prefix (unit, "deg") || g_str_equal (unit, "°"))
        sensitivity = 5.0;
      gtk_spin_button_set_value (self->sensitivity_spin, sensitivity);
    }
  gtk_stack_set_visible_child_name (self->recording_stack, "recording");
  gtk_window_set_title (GTK_WINDOW (self), name);
  if (app != NULL)
    atomscope_application_add_recent (ATOMSCOPE_APPLICATION (app), file);
  for (guint i = 0; i < rec->warnings->len; i++)
    atomscope_window_show_toast (self, g_ptr_array_index (rec->warnings, i));
  update_page_label (self);
  update_actions (self);
  self->load_count++;
}

/* The image shown as it is (grey or colour), for 2-D atoms. */
static GdkTexture *
image_texture (const AsImage *img)
{
  gsize n = (gsize) img->width * img->height;
  guint8 *rgb = g_malloc (n * 3);
  g_autoptr (GBytes) bytes = NULL;

  for (gsize i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      {
        double v = img->data[(img->n_channels >= 3 ? (gsize) c : 0) * n + i];
        rgb[3 * i + c] = (guint8) (CLAMP (v, 0.0, 1.0) * 255 + 0.5);
      }
  bytes = g_bytes_new_take (rgb, n * 3);
  return gdk_memory_texture_new (img->width, img->height, GDK_MEMORY_R8G8B8, bytes, (gsize) img->width * 3);
}

static void
set_image (AtomscopeWindow *self, AsImage *img, GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autoptr (GdkTexture) texture = image_texture (img);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  clear_model (self);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->image, as_image_unref);
  self->image = as_image_ref (img);
  atomscope_signal_view_set_recording (self->signal_view, NULL);
  gtk_picture_set_paintable (self->image_picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->browser_stack, "image");
  atomscope_params_panel_set_image (self->params_panel);
  gtk_stack_set_visible_child_name (self->recording_stack, "recording");
  gtk_window_set_title (GTK_WINDOW (self), name);
  if (app != NULL)
    atomscope_application_add_recent (ATOMSCOPE_APPLICATION (app), file);
  update_actions (self);
  self->load_count++;
}

AsImage *
atomscope_window_get_image (AtomscopeWindow *self)
{
  return self->image;
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  GFile *file = g_task_get_task_data (G_TASK (result));
  AsMontage *montage = g_object_get_data (G_OBJECT (result), "montage");
  gboolean is_image = g_object_get_data (G_OBJECT (result), "image") != NULL;
  g_autoptr (GError) error = NULL;
  gpointer loaded = g_task_propagate_pointer (G_TASK (result), &error);
  g_autoptr (AsRecording) rec = NULL;

  if (loaded != NULL && is_image)
    {
      g_autoptr (AsImage) img = loaded;
      set_image (self, img, file);
      return;
    }
  rec = loaded;
  if (rec == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->load_failures++;
      atomscope_window_show_toast (self, error->message);
      if (self->recording == NULL)
        {
          adw_status_page_set_title (self->status_page, _("Could Not Open the File"));
          adw_status_page_set_description (self->status_page, error->message);
        }
      return;
    }
  set_recording (self, rec, montage, file);
}

/* Reads the file on a worker thread: the main loop never waits on the disk. */
void
atomscope_window_open_file (AtomscopeWindow *self, GFile *file)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, load_done, NULL);
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

AsRecording *
atomscope_window_get_recording (AtomscopeWindow *self)
{
  return self->recording;
}

guint
atomscope_window_get_load_count (AtomscopeWindow *self)
{
  return self->load_count;
}

guint
atomscope_window_get_load_failures (AtomscopeWindow *self)
{
  return self->load_failures;
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  AtomscopeWindow *self = user_data;
  GSList *files;

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  files = gdk_file_list_get_files (g_value_get_boxed (value));
  if (files == NULL)
    return FALSE;
  atomscope_window_open_file (self, G_FILE (files->data));
  g_slist_free (files);
  return TRUE;
}

/* ---- topographies (worker thread) ----------------------------------------------- */

typedef struct
{
  guint   n_atoms, n_channels, n_sensors, size;
  double *u;              /* K × P copy */
  double *xy;             /* n_sensors × 2 */
  guint  *sensor_channel; /* n_sensors */
  double  head_radius;
} TopoInput;

static void
topo_input_free (TopoInput *in)
{
  g_free (in->u);
  g_free (in->xy);
  g_free (in->sensor_channel);
  g_free (in);
}

static void
topo_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  TopoInput *in = task_data;
  AsTopographyGrid **grids = g_new0 (AsTopographyGrid *, in->n_atoms);
  g_autofree double *values = g_new (double, in->n_sensors);
  double radius = in->head_radius;

  /* The grid also covers sensors below the head circle's equator. */
  for (guint s = 0; s < in->n_sensors; s++)
    radius = MAX (radius, hypot (in->xy[2 * s], in->xy[2 * s + 1]) * 1.02);
  for (guint k = 0; k < in->n_atoms; k++)
    {
      g_autoptr (GError) error = NULL;

      for (guint s = 0; s < in->n_sensors; s++)
        values[s] = in->u[(gsize) k * in->n_channels + in->sensor_channel[s]];
      grids[k] = as_topography_grid (in->xy, values, in->n_sensors, radius, in->size, &error);
      if (grids[k] == NULL)
        g_debug ("topography of atom %u: %s", k + 1, error->message);
    }
  g_task_return_pointer (task,
                         as_figure_topographies_new (in->n_atoms, grids, in->xy, in->n_sensors,
                                                     in->head_radius),
                         (GDestroyNotify) as_figure_topographies_unref);
}

static void start_topographies (AtomscopeWindow *self);

static void
topo_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  g_autoptr (AsFigureTopographies) topo = g_task_propagate_pointer (G_TASK (result), NULL);

  self->topo_running = FALSE;
  if (topo == NULL || self->figure_atoms == NULL || topo->n_atoms != self->figure_atoms->n_atoms)
    {
      if (self->topo_pending)
        start_topographies (self);
      return;
    }
  g_clear_pointer (&self->topographies, as_figure_topographies_unref);
  self->topographies = as_figure_topographies_ref (topo);
  {
    AsFigureAtoms *with_maps = as_figure_atoms_copy_with_topographies (self->figure_atoms, topo);

    g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
    self->figure_atoms = with_maps;
    atomscope_atoms_panel_set_atoms (self->atoms_panel, with_maps, self->model_serial);
  }
  if (self->topo_pending)
    start_topographies (self);
}

/* At most one computation runs; a newer model waits for it and goes next. */
static void
start_topographies (AtomscopeWindow *self)
{
  g_autoptr (GTask) task = NULL;
  const AsCdlModel *m = self->model;
  TopoInput *in;

  self->topo_pending = FALSE;
  if (m == NULL || m->u == NULL || self->n_sensors < 4 || m->shape.height != 1)
    return;
  if (self->topo_running)
    {
      self->topo_pending = TRUE;
      return;
    }
  in = g_new0 (TopoInput, 1);
  in->n_atoms = m->shape.n_atoms;
  in->n_channels = m->shape.n_channels;
  in->n_sensors = self->n_sensors;
  in->size = TOPOGRAPHY_SIZE;
  in->u = g_memdup2 (m->u, sizeof (double) * in->n_atoms * in->n_channels);
  in->xy = g_memdup2 (self->sensor_xy, sizeof (double) * 2 * self->n_sensors);
  in->sensor_channel = g_memdup2 (self->sensor_channel, sizeof (guint) * self->n_sensors);
  in->head_radius = self->head_radius;
  self->topo_running = TRUE;
  task = g_task_new (self, NULL, topo_done, NULL);
  g_task_set_task_data (task, in, (GDestroyNotify) topo_input_free);
  g_task_run_in_thread (task, topo_thread);
}

/* Projects the positioned channels of what is learned on (MATHS.md "Topographies"). */
static void
update_sensors (AtomscopeWindow *self)
{
  AsRecording *rec = self->learned_on;
  g_autofree double *points = NULL;
  double center[3];
  double radius;
  guint n = 0;

  g_clear_pointer (&self->sensor_xy, g_free);
  g_clear_pointer (&self->sensor_channel, g_free);
  self->n_sensors = 0;
  if (rec == NULL)
    return;
  points = g_new (double, 3 * rec->n_channels);
  self->sensor_channel = g_new (guint, rec->n_channels);
  for (guint c = 0; c < rec->n_channels; c++)
    if (rec->channels[c].has_position)
      {
        memcpy (points + 3 * n, rec->channels[c].position, sizeof (double) * 3);
        self->sensor_channel[n++] = c;
      }
  if (n < 4 || !as_fit_sphere (points, n, center, &radius))
    return;
  self->sensor_xy = g_new (double, 2 * n);
  as_project_azimuthal (points, n, center, self->sensor_xy);
  self->n_sensors = n;
  self->head_radius = self->montage != NULL
                      ? as_montage_head_radius (self->montage, center, AS_HEAD_CIRCLE_EEGLAB)
                      : 0;
  if (!(self->head_radius > 0))
    {
      /* Without a montage, the circle through the outermost sensors. */
      for (guint s = 0; s < n; s++)
        self->head_radius = MAX (self->head_radius, hypot (self->sensor_xy[2 * s], self->sensor_xy[2 * s + 1]));
    }
}

/* ---- following the engine ------------------------------------------------------- */

static void
show_model (AtomscopeWindow *self, AsCdlModel *model)
{
  AsFigureAtoms *atoms;
  double sfreq = self->learned_on != NULL ? self->learned_on->sfreq : 0;

  if (model != self->model)
    {
      g_clear_pointer (&self->model, as_cdl_model_unref);
      self->model = as_cdl_model_ref (model);
    }
  atoms = as_figure_atoms_new (model, sfreq, OCCURRENCE_THRESHOLD);
  if (self->topographies != NULL && self->topographies->n_atoms == atoms->n_atoms)
    as_figure_atoms_set_topographies (atoms, self->topographies);
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  self->figure_atoms = atoms;
  self->model_serial++;

  atomscope_atoms_panel_set_atoms (self->atoms_panel, atoms, self->model_serial);
  atomscope_raster_view_set_atoms (self->raster_view, atoms, self->model_serial);
  atomscope_signal_view_set_atoms (self->signal_view, atoms, self->model_serial);
  atomscope_convergence_view_set_model (self->convergence_view, model, self->model_serial);
  start_topographies (self);
}

static void
update_progress (AtomscopeWindow *self)
{
  g_autofree char *text = NULL;
  const char *state = "";
  double elapsed = self->job != NULL ? as_job_get_elapsed (self->job) : 0;

  if (self->model == NULL)
    {
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
        state = _(" (stopped)");
        break;
      case AS_JOB_FINISHED:
        state = self->model->converged ? _(" (converged)") : _(" (done)");
        break;
      default:
        break;
      }
  text = g_strdup_printf (_("Iteration %u · objective %.5g · %.1f s%s"), self->model->iteration,
                          as_cdl_model_last_objective (self->model), elapsed, state);
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
  self->learn_count++;
  self->tick_id = 0;
  update_actions (self);
  return G_SOURCE_REMOVE;
}

static gboolean
shapes_match (const AsCdlModel *m, const AsCdlParams *p, const AsRecording *rec)
{
  return m != NULL && m->shape.n_atoms == p->n_atoms && m->shape.atom_width == p->atom_length
         && m->shape.atom_height == p->atom_height && m->shape.n_channels == rec->n_channels
         && m->rank1 == p->rank1 && m->positive == p->positive;
}

/* Images: each colour plane without its mean (the atoms are zero-mean patterns). */
static void
prepare_image_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsImage *img = task_data;
  gsize n = (gsize) img->width * img->height;
  double *x = g_memdup2 (img->data, sizeof (double) * n * img->n_channels);

  for (guint c = 0; c < img->n_channels; c++)
    as_detrend (x + c * n, n, AS_DETREND_CONSTANT);
  g_task_return_pointer (task, x, g_free);
}

static void
prepare_image_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  g_autofree double *x = g_task_propagate_pointer (G_TASK (result), NULL);
  AsImage *img = g_task_get_task_data (G_TASK (result));
  AsCdlModel *warm = NULL;
  AsCdlParams params;

  if (x == NULL || img != self->image)
    return;
  atomscope_params_panel_get_params (self->params_panel, &params);
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
      update_actions (self);
      return;
    }
  if (warm == NULL)
    g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->job, as_job_unref);
  self->job = as_cdl_job_new_image (x, 1, img->n_channels, img->height, img->width, &params, warm);
  self->job_generation = 0;
  as_job_start (self->job);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  update_progress (self);
  update_actions (self);
}

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  AsRecording *rec = g_object_get_data (G_OBJECT (task), "recording");
  AsPreprocessOptions *opts = task_data;
  GError *error = NULL;
  AsRecording *out = as_preprocess (rec, opts, NULL, &error);

  if (out == NULL)
    g_task_return_error (task, error);
  else
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
      update_actions (self);
      return;
    }
  atomscope_params_panel_get_params (self->params_panel, &params);

  /* Warm start from the previous atoms when they fit the new problem. */
  if (shapes_match (self->model, &params, rec)
      && self->learned_on != NULL && self->learned_on->n_samples == rec->n_samples)
    warm = self->model;
  self->warm_started = warm != NULL;

  if (rec->n_samples < 2 * params.atom_length)
    {
      atomscope_window_show_toast (self, _("The recording is too short for atoms this long: shorten the atoms or the crop"));
      self->learn_count++;
      update_actions (self);
      return;
    }

  g_clear_pointer (&self->learned_on, as_recording_unref);
  self->learned_on = as_recording_ref (rec);
  update_sensors (self);
  if (warm == NULL)
    {
      g_clear_pointer (&self->topographies, as_figure_topographies_unref);
      g_clear_pointer (&self->model, as_cdl_model_unref);
    }
  /* The browser shows what the atoms explain, so overlays line up. */
  if (atomscope_signal_view_get_recording (self->signal_view) != rec)
    {
      double t0 = atomscope_signal_view_get_page_start (self->signal_view);
      double len = atomscope_signal_view_get_page_length (self->signal_view);

      atomscope_signal_view_set_recording (self->signal_view, rec);
      atomscope_signal_view_set_page_length (self->signal_view, len);
      atomscope_signal_view_set_page_start (self->signal_view, t0);
    }

  g_clear_pointer (&self->job, as_job_unref);
  self->job = as_cdl_job_new_for_recording (rec, &params, warm);
  self->job_generation = 0;
  as_job_start (self->job);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
  update_progress (self);
  update_actions (self);
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
  stop_learning (self);
  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->prepare_cancellable);
  self->prepare_cancellable = g_cancellable_new ();
  if (self->image != NULL)
    {
      task = g_task_new (self, self->prepare_cancellable, prepare_image_done, NULL);
      g_task_set_task_data (task, as_image_ref (self->image), (GDestroyNotify) as_image_unref);
      g_task_set_return_on_cancel (task, TRUE);
      g_task_run_in_thread (task, prepare_image_thread);
      gtk_label_set_text (self->progress_label, _("Preparing the data…"));
      return;
    }

  opts = g_new (AsPreprocessOptions, 1);
  atomscope_params_panel_get_preprocess (self->params_panel, opts);
  task = g_task_new (self, self->prepare_cancellable, prepare_done, NULL);
  g_task_set_task_data (task, opts, g_free);
  g_object_set_data_full (G_OBJECT (task), "recording", as_recording_ref (self->recording),
                          (GDestroyNotify) as_recording_unref);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, prepare_thread);
  gtk_label_set_text (self->progress_label, _("Preparing the data…"));
}

static void
stop_learning (AtomscopeWindow *self)
{
  if (self->job != NULL && !as_job_is_done (self->job))
    as_job_stop (self->job);
}

void
atomscope_window_stop (AtomscopeWindow *self)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  stop_learning (self);
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
  update_actions (self);
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

static void
on_occurrence_activated (AtomscopeWindow *self, int atom, double time)
{
  atomscope_atoms_panel_set_selected (self->atoms_panel, atom);
  if (self->figure_atoms != NULL)
    time += as_figure_atoms_atom_duration (self->figure_atoms) / 2;
  atomscope_signal_view_centre_on (self->signal_view, time);
}

static void
select_atom_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_window_select_atom (ATOMSCOPE_WINDOW (widget), g_variant_get_int32 (param) - 1);
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
  g_autoptr (GTask) task = g_task_new (self, NULL, export_done, NULL);

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

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (widget);
  AtomscopeExportDialog *dialog;

  if (self->model == NULL)
    return;
  dialog = atomscope_export_dialog_new (GTK_WINDOW (self), atomscope_window_new_export_request (self));
  g_signal_connect_object (dialog, "export", G_CALLBACK (on_export_chosen), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

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
static void
update_actions (AtomscopeWindow *self)
{
  gboolean running = self->job != NULL && !as_job_is_done (self->job);
  gboolean paused = running && as_job_get_state (self->job) == AS_JOB_PAUSED;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", self->model != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.learn", self->recording != NULL || self->image != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.pause", running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.stop", running);
  gtk_button_set_icon_name (self->pause_button, paused ? "media-playback-start-symbolic"
                                                       : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _("Resume learning (Ctrl+P)") : _("Pause learning (Ctrl+P)"));
}

static void
atomscope_window_dispose (GObject *object)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->prepare_cancellable);
  if (self->job != NULL)
    {
      /* The worker must not outlive what it reads. */
      as_job_stop (self->job);
      as_job_wait (self->job, NULL);
      g_clear_pointer (&self->job, as_job_unref);
    }
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  g_clear_pointer (&self->topographies, as_figure_topographies_unref);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->image, as_image_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->sensor_xy, g_free);
  g_clear_pointer (&self->sensor_channel, g_free);
  g_clear_pointer (&self->last_export, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_WINDOW);
  G_OBJECT_CLASS (atomscope_window_parent_class)->dispose (object);
}

static void
atomscope_window_class_init (AtomscopeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_window_dispose;

  g_type_ensure (ATOMSCOPE_TYPE_SIGNAL_VIEW);
  g_type_ensure (ATOMSCOPE_TYPE_RASTER_VIEW);
  g_type_ensure (ATOMSCOPE_TYPE_ATOMS_PANEL);
  g_type_ensure (ATOMSCOPE_TYPE_CONVERGENCE_VIEW);
  g_type_ensure (ATOMSCOPE_TYPE_TEACHING_PAGE);
  g_type_ensure (ATOMSCOPE_TYPE_PARAMS_PANEL);
  g_type_ensure (ATOMSCOPE_TYPE_TEACHING_PAGE);   /* the teaching page (issue 8) */
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recording_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, signal_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, raster_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, atoms_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, convergence_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, params_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recent_submenu);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, page_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, scale_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, sensitivity_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, reconstruction_toggle);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, conv_time_toggle);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, conv_logx_toggle);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, conv_logy_toggle);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, conv_subopt_toggle);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, browser_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, image_picture);

  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.learn", NULL, learn_action);
  gtk_widget_class_install_action (widget_class, "win.pause", NULL, pause_action);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, stop_action);
  gtk_widget_class_install_action (widget_class, "win.select-atom", "i", select_atom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.learn", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "win.pause", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.stop", NULL);
  for (int k = 1; k <= 9; k++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + k - 1, GDK_CONTROL_MASK,
                                         "win.select-atom", "i", k);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK,
                                       "win.select-atom", "i", 0);
}

static void
atomscope_window_init (AtomscopeWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  /* One selection, shown by the atoms panel, the raster and the browser. */
  g_object_bind_property (self->atoms_panel, "selected", self->raster_view, "selected",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->atoms_panel, "selected", self->signal_view, "selected-atom",
                          G_BINDING_SYNC_CREATE);
  /* The raster scrolls with the browser. */
  g_object_bind_property (self->signal_view, "page-start", self->raster_view, "page-start",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->signal_view, "page-length", self->raster_view, "page-length",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->signal_view, "notify::page-start", G_CALLBACK (update_page_label),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->signal_view, "notify::page-length", G_CALLBACK (update_page_label),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->raster_view, "occurrence-activated",
                           G_CALLBACK (on_occurrence_activated), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->reconstruction_toggle, "active", self->signal_view,
                          "show-reconstruction", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->scale_dropdown, "notify::selected", G_CALLBACK (on_scale_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sensitivity_spin, "value-changed", G_CALLBACK (on_scale_changed),
                           self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->conv_time_toggle, "active", self->convergence_view, "x-time",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_logx_toggle, "active", self->convergence_view, "log-x",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_logy_toggle, "active", self->convergence_view, "log-y",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_subopt_toggle, "active", self->convergence_view,
                          "suboptimality", G_BINDING_SYNC_CREATE);
  update_actions (self);
}

AtomscopeWindow *
atomscope_window_new (AtomscopeApplication *app)
{
  AtomscopeWindow *self = g_object_new (ATOMSCOPE_TYPE_WINDOW, "application", app, NULL);

  /* The "Open Recent" items are the application's, shared by its windows. */
  g_menu_append_section (self->recent_submenu, NULL,
                         G_MENU_MODEL (atomscope_application_get_recent_menu (app)));
  return self;
}

/* TRUE while a view drawn off the main loop still shows an older image. */
gboolean
atomscope_window_is_rendering (AtomscopeWindow *self)
{
  return atomscope_signal_view_is_rendering (self->signal_view)
         || atomscope_atoms_panel_is_rendering (self->atoms_panel);
}
