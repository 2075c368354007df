/* atomscope-application.c: the GTK application: actions, accelerators,
 * files from the command line, recent files and the bundled sample.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-application"

#include "config.h"

#include <glib/gi18n.h>

#include "as-engine.h"
#include "atomscope-application.h"
#include "atomscope-preferences-window.h"
#include "atomscope-window.h"

#define N_RECENT 10
#define SAMPLE_NAME "nystagmus_infantile_avramidis_200Hz.csv"

struct _AtomscopeApplication
{
  AdwApplication parent_instance;
  GSettings     *settings;
  GMenu         *recent_menu;
  char          *model_dir;   /* --model DIR: shown in the first window */
};

G_DEFINE_FINAL_TYPE (AtomscopeApplication, atomscope_application, ADW_TYPE_APPLICATION)

/* Defined by the generated resource file (compiled with --manual-register). */
extern void atomscope_register_resource (void);

/* Everything a process showing Atomscope windows needs once: resources,
 * translations and the engine's thread budget.  Called by main() and the UI tests. */
void
atomscope_ui_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
      atomscope_register_resource ();
      as_engine_init (AS_ENGINE_ROLE_INTERACTIVE);
      g_once_init_leave (&done, 1);
    }
}

/* The installed copy first, then the source tree (running from a build). */
char *
atomscope_application_get_sample_path (void)
{
  const char *env = g_getenv ("ATOMSCOPE_DATADIR");
  g_autofree char *installed = g_build_filename (PKGDATADIR, SAMPLE_NAME, NULL);
  g_autofree char *source = g_build_filename (SOURCE_DATADIR, SAMPLE_NAME, NULL);

  if (env != NULL)
    {
      char *path = g_build_filename (env, SAMPLE_NAME, NULL);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);
  return g_steal_pointer (&source);
}

static AtomscopeWindow *
get_window (AtomscopeApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    {
      window = GTK_WINDOW (atomscope_window_new (self));
    }
  return ATOMSCOPE_WINDOW (window);
}

static void
atomscope_application_activate (GApplication *app)
{
  AtomscopeApplication *self = ATOMSCOPE_APPLICATION (app);
  gboolean is_new = gtk_application_get_active_window (GTK_APPLICATION (app)) == NULL;
  AtomscopeWindow *window = get_window (self);

  if (is_new && self->model_dir != NULL)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (self->model_dir);
      /* The recording the model names is opened with it. */
      atomscope_window_open_model (window, folder, NULL);
      g_clear_pointer (&self->model_dir, g_free);
    }
  else if (is_new)
    {
      g_autofree char *sample = atomscope_application_get_sample_path ();
      g_autoptr (GFile) file = g_file_new_for_path (sample);
      atomscope_window_open_file (window, file);
    }
  gtk_window_present (GTK_WINDOW (window));
}

static void
atomscope_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  AtomscopeApplication *self = ATOMSCOPE_APPLICATION (app);
  AtomscopeWindow *window = get_window (self);

  /* One recording per window: the last file given wins. */
  if (n_files > 0 && self->model_dir != NULL)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (self->model_dir);
      atomscope_window_open_model (window, folder, files[n_files - 1]);
      g_clear_pointer (&self->model_dir, g_free);
    }
  else if (n_files > 0)
    atomscope_window_open_file (window, files[n_files - 1]);
  gtk_window_present (GTK_WINDOW (window));
}

/* --model DIR [FILE]: the folder is remembered for activate or open. */
static int
atomscope_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  AtomscopeApplication *self = ATOMSCOPE_APPLICATION (app);
  g_autofree char *dir = NULL;

  if (g_variant_dict_lookup (options, "model", "^ay", &dir))
    {
      g_free (self->model_dir);
      self->model_dir = g_canonicalize_filename (dir, NULL);
    }
  return -1;
}

static void
rebuild_recent_menu (AtomscopeApplication *self)
{
  g_auto (GStrv) recent = g_settings_get_strv (self->settings, "recent-files");

  g_menu_remove_all (self->recent_menu);
  for (guint i = 0; recent[i] != NULL; i++)
    {
      g_autoptr (GFile) file = g_file_new_for_path (recent[i]);
      g_autofree char *label = g_file_get_basename (file);
      g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);

      g_menu_item_set_action_and_target (item, "app.open-recent", "s", recent[i]);
      g_menu_append_item (self->recent_menu, item);
    }
}

void
atomscope_application_add_recent (AtomscopeApplication *self, GFile *file)
{
  g_autofree char *path = g_file_get_path (file);
  g_autofree char *uri = g_file_get_uri (file);
  g_auto (GStrv) recent = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint kept = 1;

  if (path == NULL)
    return;
  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  recent = g_settings_get_strv (self->settings, "recent-files");
  g_strv_builder_add (builder, path);
  for (guint i = 0; recent[i] != NULL && kept < N_RECENT; i++)
    if (g_strcmp0 (recent[i], path) != 0)
      {
        g_strv_builder_add (builder, recent[i]);
        kept++;
      }
  {
    g_auto (GStrv) updated = g_strv_builder_end (builder);
    g_settings_set_strv (self->settings, "recent-files", (const char *const *) updated);
  }
}

static void
on_open_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeApplication *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      atomscope_window_open_file (get_window (self), file);
    }
  g_object_unref (dialog);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *const *patterns)
{
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  for (guint i = 0; patterns[i] != NULL; i++)
    gtk_file_filter_add_pattern (filter, patterns[i]);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
open_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AtomscopeApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkFileChooserNative *dialog;
  static const char *const all[] = { "*.edf", "*.EDF", "*.bdf", "*.BDF", "*.gdf", "*.vhdr",
                                     "*.csv", "*.tsv", "*.txt", "*.asc", "*.wav", "*.flac",
                                     "*.ogg", "*.npy", "*.png", "*.jpg", "*.jpeg", NULL };
  static const char *const biosig[] = { "*.edf", "*.EDF", "*.bdf", "*.BDF", "*.gdf", "*.vhdr", NULL };
  static const char *const eye[] = { "*.csv", "*.tsv", "*.txt", "*.asc", NULL };
  static const char *const sound[] = { "*.wav", "*.flac", "*.ogg", NULL };
  static const char *const images[] = { "*.png", "*.jpg", "*.jpeg", NULL };
  static const char *const any[] = { "*", NULL };

  dialog = gtk_file_chooser_native_new (_("Open a Recording"), parent,
                                        GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (dialog), _("All supported files"), all);
  add_filter (GTK_FILE_CHOOSER (dialog), _("Biosignals (EDF, BDF, GDF, BrainVision)"), biosig);
  add_filter (GTK_FILE_CHOOSER (dialog), _("Tables and eye trackers (CSV, TSV, EyeLink ASC)"), eye);
  add_filter (GTK_FILE_CHOOSER (dialog), _("Sound (WAV, FLAC, OGG)"), sound);
  add_filter (GTK_FILE_CHOOSER (dialog), _("Images (PNG, JPEG)"), images);
  add_filter (GTK_FILE_CHOOSER (dialog), _("All files"), any);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
open_recent_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AtomscopeApplication *self = user_data;
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));

  atomscope_window_open_file (get_window (self), file);
  gtk_window_present (gtk_application_get_active_window (GTK_APPLICATION (self)));
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AtomscopeApplication *self = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (self));

  /* Close windows first so that running jobs are stopped cleanly.  A window
   * with unsaved annotations asks first and stays: then nothing quits. */
  for (GList *l = windows; l != NULL;)
    {
      GList *next = l->next;
      gtk_window_close (GTK_WINDOW (l->data));
      l = next;
    }
  if (gtk_application_get_windows (GTK_APPLICATION (self)) == NULL)
    g_application_quit (G_APPLICATION (self));
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AtomscopeApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Atomscope developers", NULL };

  adw_show_about_window (parent,
                         "application-name", "Atomscope",
                         "application-icon", APPLICATION_ID,
                         "developer-name", _("The Atomscope developers"),
                         "version", PACKAGE_VERSION,
                         "comments", _("Find the recurring waveforms hidden in signals and images"),
                         "developers", developers,
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  AtomscopeApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  AtomscopePreferencesWindow *prefs = atomscope_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (prefs), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

static const GActionEntry app_actions[] = {
  { "open", open_action },
  { "open-recent", open_recent_action, "s" },
  { "quit", quit_action },
  { "about", about_action },
  { "preferences", preferences_action },
};

static void
apply_color_scheme (AtomscopeApplication *self)
{
  static const AdwColorScheme schemes[] = { ADW_COLOR_SCHEME_DEFAULT, ADW_COLOR_SCHEME_FORCE_LIGHT,
                                            ADW_COLOR_SCHEME_FORCE_DARK };
  guint i = (guint) g_settings_get_enum (self->settings, "color-scheme");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      schemes[MIN (i, G_N_ELEMENTS (schemes) - 1)]);
}

static void
atomscope_application_startup (GApplication *app)
{
  AtomscopeApplication *self = ATOMSCOPE_APPLICATION (app);
  static const char *open_accels[] = { "<Control>o", NULL };
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *prefs_accels[] = { "<Control>comma", NULL };
  static const char *export_accels[] = { "<Control>e", NULL };
  static const char *help_accels[] = { "<Control>question", NULL };

  G_APPLICATION_CLASS (atomscope_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.open", open_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences", prefs_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", help_accels);

  self->settings = g_settings_new (APPLICATION_ID);
  g_signal_connect_object (self->settings, "changed::color-scheme", G_CALLBACK (apply_color_scheme),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::recent-files", G_CALLBACK (rebuild_recent_menu),
                           self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);
  rebuild_recent_menu (self);
}

static void
atomscope_application_dispose (GObject *object)
{
  AtomscopeApplication *self = ATOMSCOPE_APPLICATION (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->recent_menu);
  g_clear_pointer (&self->model_dir, g_free);
  G_OBJECT_CLASS (atomscope_application_parent_class)->dispose (object);
}

static void
atomscope_application_class_init (AtomscopeApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = atomscope_application_dispose;
  app_class->activate = atomscope_application_activate;
  app_class->open = atomscope_application_open;
  app_class->startup = atomscope_application_startup;
  app_class->handle_local_options = atomscope_application_handle_local_options;
}

static void
atomscope_application_init (AtomscopeApplication *self)
{
  static const GOptionEntry options[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open a model folder with the recording it was learned on (or FILE)"), N_("DIR") },
    { NULL }
  };

  self->recent_menu = g_menu_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

GMenu *
atomscope_application_get_recent_menu (AtomscopeApplication *self)
{
  return self->recent_menu;
}

GSettings *
atomscope_application_get_settings (AtomscopeApplication *self)
{
  return self->settings;
}

AtomscopeApplication *
atomscope_application_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", RESOURCE_PATH,
                       NULL);
}
