/* atomscope-params-panel.c: the learning parameters, as rows of a template.
 *
 * Defaults per kind of recording come from the engine's table (as-defaults.c),
 * the same as the command line's.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-params-panel"

#include "config.h"

#include <math.h>
#include <adwaita.h>

#include "as-defaults.h"
#include "atomscope-params-panel.h"

struct _AtomscopeParamsPanel
{
  GtkWidget       parent_instance;

  GtkWidget      *box;
  GtkSpinButton  *n_atoms;
  GtkSpinButton  *atom_length;
  AdwComboRow    *rank;
  AdwComboRow    *sign;
  GtkSpinButton  *lambda;
  AdwComboRow    *init;
  GtkSpinButton  *max_iter;
  double          tol;        /* < 0: the engine's default */
  AdwComboRow    *detrend;
  GtkSpinButton  *highpass;
  GtkSpinButton  *lowpass;
  AdwComboRow    *notch;
  GtkSpinButton  *crop_start;
  GtkSpinButton  *crop_stop;
  AdwComboRow    *scaling;
  AdwActionRow   *eeg_only_row;
  GtkSwitch      *eeg_only;
  AdwComboRow    *reference;

  AsSignalKind    kind;
  AsRecording    *recording;
  guint           learn_types;  /* channel types learned from (0: all) */
  GSettings      *settings;     /* Preferences, NULL when the schema is not installed */
  gboolean        image;
  double          sfreq;
  guint           n_channels;
};

G_DEFINE_FINAL_TYPE (AtomscopeParamsPanel, atomscope_params_panel, GTK_TYPE_WIDGET)

static void
apply_defaults (AtomscopeParamsPanel *self)
{
  AsCdlParams p;
  AsPreprocessOptions o;
  static const guint init_rows[] = { [AS_CDL_INIT_CHUNK] = 0, [AS_CDL_INIT_RANDOM] = 1,
                                     [AS_CDL_INIT_GREEDY] = 2 };
  const gboolean eeg = self->kind == AS_SIGNAL_KIND_EEG;

  /* The engine's table (as-defaults.c), the same as the command line's. */
  if (self->recording != NULL && !self->image)
    as_defaults_fill_for_recording (self->kind, self->recording, self->sfreq, &p, &o);
  else
    as_defaults_fill (self->kind, self->sfreq, &p, &o);
  self->learn_types = o.types;
  /* Preferences override the table when set (0 there: by kind of recording). */
  if (self->settings != NULL && !self->image)
    {
      guint k = g_settings_get_uint (self->settings, "default-n-atoms");
      double lambda = g_settings_get_double (self->settings, "default-lambda-fraction");
      if (k > 0)
        p.n_atoms = k;
      if (lambda > 0)
        p.lambda = lambda;
    }
  gtk_spin_button_set_value (self->n_atoms, p.n_atoms);
  if (self->image)
    gtk_spin_button_set_value (self->atom_length, p.atom_length);
  else
    gtk_spin_button_set_value (self->atom_length, self->sfreq > 0 ? p.atom_length / self->sfreq
                                                                  : p.atom_length);
  gtk_spin_button_set_value (self->lambda, p.lambda);
  gtk_spin_button_set_value (self->max_iter, p.max_iter);
  adw_combo_row_set_selected (self->rank, p.rank1 ? 0 : 1);
  adw_combo_row_set_selected (self->sign, p.positive ? 0 : 1);
  adw_combo_row_set_selected (self->init, init_rows[p.init]);
  adw_combo_row_set_selected (self->detrend, o.detrend);
  gtk_spin_button_set_value (self->highpass, o.highpass);
  gtk_spin_button_set_value (self->lowpass, o.lowpass);
  adw_combo_row_set_selected (self->notch, o.notch == 50 ? 1 : o.notch == 60 ? 2 : 0);
  gtk_spin_button_set_value (self->crop_start, 0);
  gtk_spin_button_set_value (self->crop_stop, 0);
  adw_combo_row_set_selected (self->scaling, o.scale);
  adw_combo_row_set_selected (self->reference, o.reref == AS_REREF_AVERAGE ? 1 : 0);
  gtk_widget_set_visible (GTK_WIDGET (self->reference), eeg && !self->image);
  gtk_switch_set_active (self->eeg_only, eeg && !self->image && o.types == (1u << AS_CHANNEL_EEG));
  gtk_widget_set_visible (GTK_WIDGET (self->eeg_only_row), eeg && !self->image);
}

static void
on_defaults_clicked (AtomscopeParamsPanel *self)
{
  apply_defaults (self);
}

void
atomscope_params_panel_set_recording (AtomscopeParamsPanel *self, AsRecording *rec)
{
  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  g_return_if_fail (rec != NULL);

  self->kind = as_signal_kind_for_recording (rec);
  g_clear_pointer (&self->recording, as_recording_unref);
  self->recording = as_recording_ref (rec);
  self->image = FALSE;
  self->sfreq = rec->sfreq;
  self->n_channels = rec->n_channels;
  gtk_spin_button_set_digits (self->atom_length, 3);
  apply_defaults (self);
}

void
atomscope_params_panel_set_image (AtomscopeParamsPanel *self)
{
  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  self->image = TRUE;
  self->kind = AS_SIGNAL_KIND_IMAGE;
  g_clear_pointer (&self->recording, as_recording_unref);
  self->sfreq = 0;
  gtk_spin_button_set_digits (self->atom_length, 0);
  apply_defaults (self);
}

void
atomscope_params_panel_get_params (AtomscopeParamsPanel *self, AsCdlParams *params)
{
  double length = gtk_spin_button_get_value (self->atom_length);

  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  as_cdl_params_init (params);
  params->n_atoms = (guint) gtk_spin_button_get_value_as_int (self->n_atoms);
  if (self->image)
    {
      params->atom_length = (guint) MAX (2, round (length));
      params->atom_height = params->atom_length;
    }
  else
    params->atom_length = (guint) MAX (2, round (length * (self->sfreq > 0 ? self->sfreq : 1)));
  params->lambda = gtk_spin_button_get_value (self->lambda);
  params->lambda_absolute = FALSE;
  params->rank1 = adw_combo_row_get_selected (self->rank) == 0;
  params->positive = adw_combo_row_get_selected (self->sign) == 0;
  switch (adw_combo_row_get_selected (self->init))
    {
    case 1:
      params->init = AS_CDL_INIT_RANDOM;
      break;
    case 2:
      params->init = AS_CDL_INIT_GREEDY;
      break;
    default:
      params->init = AS_CDL_INIT_CHUNK;
    }
  params->max_iter = (guint) gtk_spin_button_get_value_as_int (self->max_iter);
  if (self->tol >= 0)
    params->tol = self->tol;
}

void
atomscope_params_panel_get_preprocess (AtomscopeParamsPanel *self, AsPreprocessOptions *opts)
{
  static const AsDetrend detrends[] = { AS_DETREND_NONE, AS_DETREND_CONSTANT, AS_DETREND_LINEAR };
  static const AsScaleMode scalings[] = { AS_SCALE_NONE, AS_SCALE_ZSCORE, AS_SCALE_GLOBAL_STD };
  static const double notches[] = { 0, 50, 60 };

  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  as_preprocess_options_init (opts);
  opts->detrend = detrends[MIN (adw_combo_row_get_selected (self->detrend), 2)];
  opts->highpass = gtk_spin_button_get_value (self->highpass);
  opts->lowpass = gtk_spin_button_get_value (self->lowpass);
  opts->notch = notches[MIN (adw_combo_row_get_selected (self->notch), 2)];
  opts->notch_harmonics = opts->notch > 0;
  opts->crop_start = gtk_spin_button_get_value (self->crop_start);
  opts->crop_stop = gtk_spin_button_get_value (self->crop_stop);
  opts->scale = scalings[MIN (adw_combo_row_get_selected (self->scaling), 2)];
  if (gtk_widget_get_visible (GTK_WIDGET (self->eeg_only_row)))
    opts->types = gtk_switch_get_active (self->eeg_only) ? 1u << AS_CHANNEL_EEG : 0;
  else
    opts->types = self->learn_types;
  if (gtk_widget_get_visible (GTK_WIDGET (self->reference)))
    opts->reref = adw_combo_row_get_selected (self->reference) == 1 ? AS_REREF_AVERAGE : AS_REREF_NONE;
}

void
atomscope_params_panel_set_crop (AtomscopeParamsPanel *self, double start, double stop)
{
  gtk_spin_button_set_value (self->crop_start, start);
  gtk_spin_button_set_value (self->crop_stop, stop);
}

void
atomscope_params_panel_set_n_atoms (AtomscopeParamsPanel *self, guint n_atoms)
{
  gtk_spin_button_set_value (self->n_atoms, n_atoms);
}

/* Relative decrease below which learning stops; 0 runs the whole iteration
 * budget, a negative value restores the engine's default. */
void
atomscope_params_panel_set_tolerance (AtomscopeParamsPanel *self, double tol)
{
  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  self->tol = tol;
}

void
atomscope_params_panel_set_max_iter (AtomscopeParamsPanel *self, guint max_iter)
{
  gtk_spin_button_set_value (self->max_iter, max_iter);
}

void
atomscope_params_panel_set_atom_length (AtomscopeParamsPanel *self, double seconds)
{
  gtk_spin_button_set_value (self->atom_length, seconds);
}

void
atomscope_params_panel_set_lambda (AtomscopeParamsPanel *self, double fraction)
{
  gtk_spin_button_set_value (self->lambda, fraction);
}

static void
atomscope_params_panel_dispose (GObject *object)
{
  g_clear_pointer (&ATOMSCOPE_PARAMS_PANEL (object)->recording, as_recording_unref);
  g_clear_object (&ATOMSCOPE_PARAMS_PANEL (object)->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), ATOMSCOPE_TYPE_PARAMS_PANEL);
  G_OBJECT_CLASS (atomscope_params_panel_parent_class)->dispose (object);
}

static void
atomscope_params_panel_class_init (AtomscopeParamsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_params_panel_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-params-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, box);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, n_atoms);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, atom_length);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, rank);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, sign);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, lambda);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, init);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, max_iter);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, detrend);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, highpass);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, lowpass);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, notch);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, crop_start);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, crop_stop);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, scaling);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, eeg_only_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, eeg_only);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeParamsPanel, reference);
  gtk_widget_class_bind_template_callback (widget_class, on_defaults_clicked);
}

static void
atomscope_params_panel_init (AtomscopeParamsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->kind = AS_SIGNAL_KIND_GENERIC;
  self->tol = -1;
  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr (GSettingsSchema) schema = source != NULL
                                         ? g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE)
                                         : NULL;
    if (schema != NULL && g_settings_schema_has_key (schema, "default-n-atoms"))
      self->settings = g_settings_new (APPLICATION_ID);
  }
  self->sfreq = 1;
}

GtkWidget *
atomscope_params_panel_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_PARAMS_PANEL, NULL);
}

void
atomscope_params_panel_set_detrend (AtomscopeParamsPanel *self, AsDetrend detrend)
{
  g_return_if_fail (ATOMSCOPE_IS_PARAMS_PANEL (self));
  /* The rows list none, mean, linear trend, as AsDetrend. */
  adw_combo_row_set_selected (self->detrend, (guint) detrend);
}
