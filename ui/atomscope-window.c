/* atomscope-window.c: the main window: open a recording or an image (from the
 * command line, the file chooser, drag and drop) and show it; the widget itself.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "as-cdl.h"
#include "as-image.h"
#include "as-montage.h"
#include "as-preprocess.h"
#include "as-nystagmus.h"
#include "as-paged.h"
#include "as-reader.h"
#include "as-topography.h"
#include "atomscope-atoms-panel.h"
#include "atomscope-convergence-view.h"
#include "atomscope-export-dialog.h"
#include "atomscope-params-panel.h"
#include "atomscope-raster-view.h"
#include "atomscope-signal-view.h"
#include "atomscope-teaching-page.h"
#include "atomscope-text-import.h"
#include "atomscope-window-private.h"

G_DEFINE_FINAL_TYPE (AtomscopeWindow, atomscope_window, ADW_TYPE_APPLICATION_WINDOW)


void
atomscope_window_show_toast (AtomscopeWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* ---- loading ------------------------------------------------------------------------ */

/* What to open and how. */
typedef struct
{
  GFile         *file;
  gboolean       has_options;  /* read with these options, no question asked */
  AsReadOptions  options;
} LoadRequest;

static void
load_request_free (LoadRequest *req)
{
  g_object_unref (req->file);
  as_text_options_clear (&req->options.text);
  g_free (req);
}

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoadRequest *req = task_data;
  GFile *file = req->file;
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
  /* A text file that is not plain columns: the import assistant asks first. */
  if (!req->has_options)
    {
      guint8 head[4096];
      FILE *f = g_fopen (path, "rb");
      gsize len = f != NULL ? fread (head, 1, sizeof head, f) : 0;

      if (f != NULL)
        fclose (f);
      if (len > 0 && as_file_format_guess (path, head, len) == AS_FILE_FORMAT_TEXT
          && atomscope_text_import_is_needed (path))
        {
          g_object_set_data (G_OBJECT (task), "ask-text", GINT_TO_POINTER (TRUE));
          g_task_return_pointer (task, NULL, NULL);
          return;
        }
    }
  /* Options from the import assistant: read whole with them; otherwise a day-long
   * EDF/BDF is read page by page when drawn. */
  rec = req->has_options ? as_recording_load_with_options (path, &req->options, &error)
                         : as_recording_open (path, &error);
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

void
atomscope_window_clear_model (AtomscopeWindow *self)
{
  atomscope_window_stop_learning (self);
  self->learn_serial++;
  g_clear_pointer (&self->job, as_job_unref);
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  self->has_model_params = FALSE;
  g_clear_pointer (&self->model_preprocessing, json_object_unref);
  g_clear_pointer (&self->model_source, g_free);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->model_dictionary, g_free);
  atomscope_atoms_panel_set_atoms (self->atoms_panel, NULL, 0);
  atomscope_raster_view_set_atoms (self->raster_view, NULL, 0);
  atomscope_convergence_view_set_model (self->convergence_view, NULL, 0);
  atomscope_events_panel_set_model (self->events_panel, NULL, NULL);
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
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  atomscope_window_clear_model (self);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->image, as_image_unref);
  gtk_stack_set_visible_child_name (self->browser_stack, "signals");
  self->recording = as_recording_ref (rec);
  self->montage = montage != NULL ? as_montage_ref (montage) : NULL;
  atomscope_signal_view_set_recording (self->signal_view, rec);
  atomscope_signal_view_set_nystagmus (self->signal_view, NULL);
  atomscope_nystagmus_panel_set_recording (self->nystagmus_panel, rec);
  /* Nystagmus measures are offered where an eye moves, not beside an EEG. */
  gtk_widget_set_visible (GTK_WIDGET (self->nystagmus_panel), as_recording_has_eye_channel (rec));
  atomscope_window_browser_set_recording (self, rec);
  atomscope_signal_view_set_page_length (self->signal_view, MIN (10.0, MAX (as_recording_duration (rec), 0.01)));
  atomscope_params_panel_set_recording (self->params_panel, rec);
  gtk_stack_set_visible_child_name (self->recording_stack, "recording");
  if (name != NULL)
    gtk_window_set_title (GTK_WINDOW (self), name);
  if (app != NULL && file != NULL)
    atomscope_application_add_recent (ATOMSCOPE_APPLICATION (app), file);
  for (guint i = 0; i < rec->warnings->len; i++)
    atomscope_window_show_toast (self, g_ptr_array_index (rec->warnings, i));
  update_page_label (self);
  atomscope_window_update_actions (self);
  self->load_count++;
  atomscope_window_model_file_loaded (self);
}

void
atomscope_window_show_recording (AtomscopeWindow *self, AsRecording *rec)
{
  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self) && rec != NULL);
  set_recording (self, rec, NULL, NULL);
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

  atomscope_window_clear_model (self);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->image, as_image_unref);
  self->image = as_image_ref (img);
  atomscope_signal_view_set_recording (self->signal_view, NULL);
  atomscope_nystagmus_panel_set_recording (self->nystagmus_panel, NULL);
  gtk_picture_set_paintable (self->image_picture, GDK_PAINTABLE (texture));
  gtk_stack_set_visible_child_name (self->browser_stack, "image");
  atomscope_params_panel_set_image (self->params_panel);
  gtk_stack_set_visible_child_name (self->recording_stack, "recording");
  if (name != NULL)
    gtk_window_set_title (GTK_WINDOW (self), name);
  if (app != NULL && file != NULL)
    atomscope_application_add_recent (ATOMSCOPE_APPLICATION (app), file);
  atomscope_window_update_actions (self);
  self->load_count++;
  atomscope_window_model_file_loaded (self);
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
  GFile *file = ((LoadRequest *) g_task_get_task_data (G_TASK (result)))->file;
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
  if (rec == NULL && g_object_get_data (G_OBJECT (result), "ask-text") != NULL)
    {
      atomscope_window_import_text (self, file);
      return;
    }
  if (rec == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_autofree char *message = g_strstrip (g_strdelimit (g_strdup (error->message), "\r\n\t", ' '));
      g_autofree char *markup = g_markup_escape_text (message, -1);

      self->load_failures++;
      /* Said once: on the status page when nothing is shown, else in a toast. */
      if (self->recording == NULL && self->image == NULL)
        {
          adw_status_page_set_title (self->status_page, _("Could Not Open the File"));
          adw_status_page_set_description (self->status_page, markup);
        }
      else
        atomscope_window_show_toast (self, message);
      return;
    }
  set_recording (self, rec, montage, file);
}

static void
open_request_now (AtomscopeWindow *self, gpointer data)
{
  LoadRequest *req = data;
  g_autoptr (GTask) task = NULL;

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, load_done, NULL);
  g_task_set_task_data (task, req, (GDestroyNotify) load_request_free);
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, load_thread);
}

/* Another file replaces the recording: unsaved annotations are asked about first. */
static void
open_request (AtomscopeWindow *self, LoadRequest *req)
{
  atomscope_window_annotations_confirm_discard (self, open_request_now, req,
                                                (GDestroyNotify) load_request_free);
}

/* Reads the file on a worker thread: the main loop never waits on the disk.
 * A text file that is not plain columns goes through the import assistant. */
void
atomscope_window_open_file (AtomscopeWindow *self, GFile *file)
{
  LoadRequest *req;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  req = g_new0 (LoadRequest, 1);
  req->file = g_object_ref (file);
  as_read_options_init (&req->options);
  open_request (self, req);
}

void
atomscope_window_open_file_with_options (AtomscopeWindow *self, GFile *file,
                                         const AsReadOptions *options)
{
  LoadRequest *req;

  g_return_if_fail (ATOMSCOPE_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file) && options != NULL);
  req = g_new0 (LoadRequest, 1);
  req->file = g_object_ref (file);
  req->has_options = TRUE;
  req->options = *options;
  as_text_options_copy (&req->options.text, &options->text);
  open_request (self, req);
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



static gint last_dispose_us;

static void
atomscope_window_dispose (GObject *object)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (object);
  gint64 start = g_get_monotonic_time ();

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_cancellable_cancel (self->prepare_cancellable);
  g_clear_object (&self->prepare_cancellable);
  g_cancellable_cancel (self->figure_cancellable);
  g_clear_object (&self->figure_cancellable);
  g_cancellable_cancel (self->export_cancellable);
  g_clear_object (&self->export_cancellable);
  g_cancellable_cancel (self->model_cancellable);
  g_clear_object (&self->model_cancellable);
  g_clear_pointer (&self->pending_model, as_model_unref);
  atomscope_window_import_dispose (self);
  atomscope_window_annotations_dispose (self);
  if (self->job != NULL)
    {
      /* Never wait on the worker: it holds its own references to what it reads
       * and ends at its next check of the stop flag, even inside a z-step. */
      as_job_stop (self->job);
      g_clear_pointer (&self->job, as_job_unref);
    }
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->figure_atoms, as_figure_atoms_unref);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->image, as_image_unref);
  g_clear_pointer (&self->learned_on, as_recording_unref);
  g_clear_pointer (&self->montage, as_montage_unref);
  g_clear_pointer (&self->last_export, g_ptr_array_unref);
  g_clear_pointer (&self->model_preprocessing, json_object_unref);
  g_clear_pointer (&self->model_source, g_free);
  g_clear_pointer (&self->model_dir, g_free);
  g_clear_pointer (&self->model_dictionary, g_free);
  g_clear_pointer (&self->hidden_channels, g_ptr_array_unref);
  g_clear_pointer (&self->bad_channels, g_ptr_array_unref);
  /* Everything the window itself lets go of, the running job included; GTK's
   * teardown of the widgets follows. */
  g_atomic_int_set (&last_dispose_us, (gint) MIN (g_get_monotonic_time () - start, G_MAXINT));
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_WINDOW);
  G_OBJECT_CLASS (atomscope_window_parent_class)->dispose (object);
}

guint
atomscope_window_get_last_dispose_time (void)
{
  return (guint) g_atomic_int_get (&last_dispose_us);
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
  g_type_ensure (ATOMSCOPE_TYPE_NYSTAGMUS_PANEL);
  g_type_ensure (ATOMSCOPE_TYPE_EVENTS_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recording_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, signal_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, events_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, raster_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, atoms_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, convergence_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, params_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, nystagmus_panel);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recent_submenu);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, pause_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, progress_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, learn_box);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, channels_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, channels_list);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, progress_bar);
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
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, montage_dropdown);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, events_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, overview_area);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, events_popover);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, events_search);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, events_list);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, filters_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, highpass_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, lowpass_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, notch_dropdown);

  atomscope_window_install_actions (widget_class);
}

static void
on_nystagmus_analysed (AtomscopeWindow *self)
{
  atomscope_signal_view_set_nystagmus (self->signal_view,
                                       atomscope_nystagmus_panel_get_analysis (self->nystagmus_panel));
}

static gboolean
not_teaching (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  g_value_set_boolean (to, g_strcmp0 (g_value_get_string (from), "teaching") != 0);
  return TRUE;
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
  /* The nystagmus measures follow the page; their beats are marked on the trace. */
  g_object_bind_property (self->signal_view, "page-start", self->nystagmus_panel, "page-start",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->signal_view, "page-length", self->nystagmus_panel, "page-length",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->nystagmus_panel, "notify::analysis-serial",
                           G_CALLBACK (on_nystagmus_analysed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->raster_view, "occurrence-activated",
                           G_CALLBACK (atomscope_window_on_occurrence_activated), self, G_CONNECT_SWAPPED);
  g_object_bind_property (self->reconstruction_toggle, "active", self->signal_view,
                          "show-reconstruction", G_BINDING_SYNC_CREATE);
  atomscope_window_browser_init (self);
  atomscope_window_annotations_init (self);
  /* Learning a recording has nothing to do on the Teaching page, which has its own controls. */
  g_object_bind_property_full (self->view_stack, "visible-child-name", self->learn_box, "visible",
                               G_BINDING_SYNC_CREATE, not_teaching, NULL, NULL, NULL);
  g_object_bind_property (self->conv_time_toggle, "active", self->convergence_view, "x-time",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_logx_toggle, "active", self->convergence_view, "log-x",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_logy_toggle, "active", self->convergence_view, "log-y",
                          G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->conv_subopt_toggle, "active", self->convergence_view,
                          "suboptimality", G_BINDING_SYNC_CREATE);
  atomscope_window_update_actions (self);
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
