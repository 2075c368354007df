/* atomscope-window.c: the main window: header bar, primary menu, views,
 * loading files off the main loop, drag and drop.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-window"

#include "config.h"

#include <glib/gi18n.h>

#include "as-reader.h"
#include "atomscope-signal-view.h"
#include "atomscope-window.h"

struct _AtomscopeWindow
{
  AdwApplicationWindow parent_instance;

  /* template children */
  AdwToastOverlay     *toast_overlay;
  AdwViewStack        *view_stack;
  GtkStack            *recording_stack;
  AdwStatusPage       *status_page;
  AtomscopeSignalView *signal_view;
  GtkMenuButton       *primary_menu_button;
  GMenu               *recent_submenu;

  AsRecording         *recording;
  GCancellable        *load_cancellable;
  guint                load_count;   /* recordings shown so far (tests wait on it) */
  guint                load_failures; /* files that could not be opened */
};

G_DEFINE_FINAL_TYPE (AtomscopeWindow, atomscope_window, ADW_TYPE_APPLICATION_WINDOW)

void
atomscope_window_show_toast (AtomscopeWindow *self, const char *message)
{
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

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
  rec = as_recording_load (path, &error);
  if (rec == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, rec, (GDestroyNotify) as_recording_unref);
}

static void
set_recording (AtomscopeWindow *self, AsRecording *rec, GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));

  g_clear_pointer (&self->recording, as_recording_unref);
  self->recording = as_recording_ref (rec);
  atomscope_signal_view_set_recording (self->signal_view, rec);
  gtk_stack_set_visible_child_name (self->recording_stack, "recording");
  gtk_window_set_title (GTK_WINDOW (self), name);
  if (app != NULL)
    atomscope_application_add_recent (ATOMSCOPE_APPLICATION (app), file);
  for (guint i = 0; i < rec->warnings->len; i++)
    atomscope_window_show_toast (self, g_ptr_array_index (rec->warnings, i));
  self->load_count++;
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (source);
  GFile *file = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = g_task_propagate_pointer (G_TASK (result), &error);

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
  set_recording (self, rec, file);
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

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  /* Enabled only once a model exists (see update_actions). */
}

static void
update_actions (AtomscopeWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", FALSE);
}

static void
atomscope_window_dispose (GObject *object)
{
  AtomscopeWindow *self = ATOMSCOPE_WINDOW (object);

  g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->recording, as_recording_unref);
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
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recording_stack);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, signal_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, primary_menu_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeWindow, recent_submenu);

  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
}

static void
atomscope_window_init (AtomscopeWindow *self)
{
  GtkDropTarget *drop;

  gtk_widget_init_template (GTK_WIDGET (self));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
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
