/* atomscope-preferences-window.c: GSettings bound to rows.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-preferences"

#include "config.h"

#include "atomscope-preferences-window.h"

struct _AtomscopePreferencesWindow
{
  AdwPreferencesWindow parent_instance;
  GSettings           *settings;
  AdwComboRow         *color_scheme_row;
  GtkSpinButton       *page_length_spin;
  GtkSpinButton       *n_atoms_spin;
  GtkSpinButton       *lambda_spin;
};

G_DEFINE_FINAL_TYPE (AtomscopePreferencesWindow, atomscope_preferences_window,
                     ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
enum_to_selected (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);
  guint i = g_str_equal (nick, "light") ? 1 : g_str_equal (nick, "dark") ? 2 : 0;

  g_value_set_uint (value, i);
  return TRUE;
}

static GVariant *
selected_to_enum (const GValue *value, const GVariantType *type, gpointer user_data)
{
  static const char *nicks[] = { "default", "light", "dark" };
  guint i = g_value_get_uint (value);

  return g_variant_new_string (nicks[MIN (i, 2)]);
}

static void
atomscope_preferences_window_dispose (GObject *object)
{
  AtomscopePreferencesWindow *self = ATOMSCOPE_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_PREFERENCES_WINDOW);
  G_OBJECT_CLASS (atomscope_preferences_window_parent_class)->dispose (object);
}

static void
atomscope_preferences_window_class_init (AtomscopePreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_preferences_window_dispose;
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/atomscope-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopePreferencesWindow, color_scheme_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopePreferencesWindow, page_length_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopePreferencesWindow, n_atoms_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopePreferencesWindow, lambda_spin);
}

static void
atomscope_preferences_window_init (AtomscopePreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

AtomscopePreferencesWindow *
atomscope_preferences_window_new (GSettings *settings)
{
  AtomscopePreferencesWindow *self = g_object_new (ATOMSCOPE_TYPE_PREFERENCES_WINDOW, NULL);

  self->settings = g_object_ref (settings);
  g_settings_bind_with_mapping (settings, "color-scheme", self->color_scheme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, enum_to_selected, selected_to_enum,
                                NULL, NULL);
  g_settings_bind (settings, "page-length", self->page_length_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "default-n-atoms", self->n_atoms_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (settings, "default-lambda-fraction", self->lambda_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  return self;
}
