/* atomscope-export-dialog.c: the export request, its writer, and the dialog.
 *
 * The model goes through the engine's one model writer (as-cdl-export), occurrences
 * through as-export; figures through
 * the same as_figure_draw_* functions as the views, onto PNG/SVG/PDF surfaces.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-export-dialog"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "as-cdl-export.h"
#include "as-export.h"
#include "atomscope-export-dialog.h"

/* ---- the request ----------------------------------------------------------------- */

AtomscopeExportRequest *
atomscope_export_request_new (AsRecording *recording, AsFigureAtoms *atoms)
{
  AtomscopeExportRequest *req = g_new0 (AtomscopeExportRequest, 1);

  req->recording = recording != NULL ? as_recording_ref (recording) : NULL;
  req->atoms = atoms != NULL ? as_figure_atoms_ref (atoms) : NULL;
  req->data = req->events = req->figures = TRUE;
  req->format = AS_FIGURE_FORMAT_PNG;
  req->dpi = 150;
  req->page_length = 10;
  req->selected_atom = -1;
  req->signal_options.selected_atom = -1;
  req->basename = g_strdup ("atoms");
  return req;
}

void
atomscope_export_request_free (AtomscopeExportRequest *req)
{
  if (req == NULL)
    return;
  g_free (req->folder);
  g_free (req->basename);
  g_clear_pointer (&req->recording, as_recording_unref);
  g_clear_pointer (&req->atoms, as_figure_atoms_unref);
  g_free (req->reconstruction);
  g_clear_pointer (&req->preprocessing, json_object_unref);
  g_free (req->source);
  g_clear_pointer (&req->learned_on, as_recording_unref);
  g_free (req);
}

static char *
target (const AtomscopeExportRequest *req, const char *suffix)
{
  g_autofree char *name = g_strconcat (req->basename, suffix, NULL);

  return g_build_filename (req->folder, name, NULL);
}

char *
atomscope_export_request_model_path (const AtomscopeExportRequest *req)
{
  return target (req, "-model");
}

static const char *const figure_names[] = { "signals", "atoms", "raster", "convergence" };

/* Signals and raster need a recording; atoms and convergence a model. */
static gboolean
figure_wanted (const AtomscopeExportRequest *req, guint i)
{
  if (i == 0)
    return req->recording != NULL;
  if (i == 2)
    return req->recording != NULL && req->atoms != NULL;
  return req->atoms != NULL;
}

GPtrArray *
atomscope_export_request_paths (const AtomscopeExportRequest *req)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  const AsCdlModel *model = req->atoms != NULL ? req->atoms->model : NULL;

  if (model != NULL && req->data)
    g_ptr_array_add (paths, atomscope_export_request_model_path (req));
  if (model != NULL && req->events)
    g_ptr_array_add (paths, target (req, "_events.tsv"));
  if (req->figures)
    for (guint i = 0; i < G_N_ELEMENTS (figure_names); i++)
      {
        g_autofree char *suffix = NULL;

        if (!figure_wanted (req, i))
          continue;
        suffix = g_strdup_printf ("-%s.%s", figure_names[i], as_figure_format_extension (req->format));
        g_ptr_array_add (paths, target (req, suffix));
      }
  return paths;
}

static void
draw_signals_figure (cairo_t *cr, double width, double height, gpointer data)
{
  const AtomscopeExportRequest *req = data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_signals_full (cr, width, height, &style, req->recording, req->page_start,
                               req->page_length, &req->signal_options);
}

static void
draw_atoms_figure (cairo_t *cr, double width, double height, gpointer data)
{
  const AtomscopeExportRequest *req = data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_atoms (cr, width, height, &style, req->atoms, req->selected_atom);
}

static void
draw_raster_figure (cairo_t *cr, double width, double height, gpointer data)
{
  const AtomscopeExportRequest *req = data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_raster (cr, width, height, &style, req->atoms, req->page_start, req->page_length,
                         req->selected_atom);
}

static void
draw_convergence_figure (cairo_t *cr, double width, double height, gpointer data)
{
  const AtomscopeExportRequest *req = data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_convergence (cr, width, height, &style, req->atoms->model,
                              AS_CONVERGENCE_X_ITERATION, FALSE, TRUE, FALSE);
}

/* The model folder, through the engine's one writer (the command line's too). */
static gboolean
write_data (const AtomscopeExportRequest *req, GPtrArray *written, GError **error)
{
  g_autofree char *dir = atomscope_export_request_model_path (req);
  AsCdlExportInfo info;

  as_cdl_export_info_init (&info);
  info.source = req->source;
  info.recording = req->learned_on;
  info.preprocessing = req->preprocessing;
  if (!as_cdl_export_full (req->atoms->model, req->has_params ? &req->params : NULL, &info, dir,
                           req->overwrite, error))
    return FALSE;
  g_ptr_array_add (written, g_steal_pointer (&dir));
  return TRUE;
}

static gboolean
write_events (const AtomscopeExportRequest *req, GPtrArray *written, GError **error)
{
  const AsFigureAtoms *atoms = req->atoms;
  g_autofree char *path = target (req, "_events.tsv");
  g_autoptr (GArray) occ = g_array_new (FALSE, FALSE, sizeof (AsOccurrence));
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  double dur = as_figure_atoms_atom_duration (atoms);

  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      char *label = g_strdup_printf ("atom %u", k + 1);

      g_ptr_array_add (labels, label);
      for (guint i = 0; i < atoms->occurrences[k]->len; i++)
        {
          const AsCdlOccurrence *o = &g_array_index (atoms->occurrences[k], AsCdlOccurrence, i);
          AsOccurrence e = {
            .onset = as_figure_atoms_occurrence_time (atoms, o),
            .duration = dur,
            .trial_type = label,
            .value = o->amplitude,
          };

          if (o->trial == 0)
            g_array_append_val (occ, e);
        }
    }
  if (!as_export_events_tsv (path, (const AsOccurrence *) occ->data, occ->len, req->overwrite, error))
    return FALSE;
  g_ptr_array_add (written, g_strdup (path));
  return TRUE;
}

gboolean
atomscope_export_request_run (const AtomscopeExportRequest *req, GPtrArray *written_out,
                              GError **error)
{
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  const char *ext = as_figure_format_extension (req->format);

  g_return_val_if_fail (req->folder != NULL && req->basename != NULL, FALSE);

  if (req->atoms != NULL && req->data && !write_data (req, written, error))
    return FALSE;
  if (req->atoms != NULL && req->events && !write_events (req, written, error))
    return FALSE;
  if (req->figures)
    {
      struct
      {
        AsFigureDrawFunc draw;
        double width, height;
      } figs[4] = {
        { draw_signals_figure, 1200, 640 },
        { draw_atoms_figure, 640, 0 },
        { draw_raster_figure, 1200, 0 },
        { draw_convergence_figure, 640, 360 },
      };

      if (req->atoms != NULL)
        {
          figs[1].height = MAX (120, ceil (as_figure_atoms_row_height (req->atoms, 640)
                                           * (req->atoms->model->shape.atom_height > 1
                                              ? ceil (req->atoms->n_atoms / ceil (sqrt (req->atoms->n_atoms)))
                                              : req->atoms->n_atoms)));
          figs[2].height = 20.0 * req->atoms->n_atoms + 8;
        }
      for (guint i = 0; i < G_N_ELEMENTS (figs); i++)
        {
          g_autofree char *suffix = g_strdup_printf ("-%s.%s", figure_names[i], ext);
          g_autofree char *path = target (req, suffix);

          if (!figure_wanted (req, i))
            continue;
          if (!as_figure_export (path, req->format, figs[i].width, figs[i].height, req->dpi,
                                 figs[i].draw, (gpointer) req, req->overwrite, error))
            return FALSE;
          g_ptr_array_add (written, g_steal_pointer (&path));
        }
    }
  if (written_out != NULL)
    for (guint i = 0; i < written->len; i++)
      g_ptr_array_add (written_out, g_strdup (g_ptr_array_index (written, i)));
  return TRUE;
}

/* ---- the dialog -------------------------------------------------------------------- */

struct _AtomscopeExportDialog
{
  AdwWindow               parent_instance;

  AdwActionRow           *folder_row;
  AdwEntryRow            *name_row;
  GtkCheckButton         *data_check;
  GtkCheckButton         *events_check;
  GtkCheckButton         *figures_check;
  AdwComboRow            *format_row;
  GtkSpinButton          *dpi_spin;

  AtomscopeExportRequest *req;
  GtkFileChooserNative   *chooser;
};

enum
{
  EXPORT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AtomscopeExportDialog, atomscope_export_dialog, ADW_TYPE_WINDOW)

static void
on_chooser_response (GtkNativeDialog *native, int response, gpointer user_data)
{
  AtomscopeExportDialog *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        {
          g_free (self->req->folder);
          self->req->folder = g_strdup (path);
          adw_action_row_set_subtitle (self->folder_row, path);
        }
    }
  g_clear_object (&self->chooser);
}

static void
on_folder_clicked (AtomscopeExportDialog *self)
{
  self->chooser = gtk_file_chooser_native_new (_("Export To"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_export_clicked (AtomscopeExportDialog *self)
{
  AtomscopeExportRequest *req = g_steal_pointer (&self->req);
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));

  if (name != NULL && *name != '\0')
    {
      g_free (req->basename);
      req->basename = g_strdup (name);
    }
  req->data = gtk_check_button_get_active (self->data_check);
  req->events = gtk_check_button_get_active (self->events_check);
  req->figures = gtk_check_button_get_active (self->figures_check);
  req->format = (AsFigureFormat) adw_combo_row_get_selected (self->format_row);
  req->dpi = gtk_spin_button_get_value (self->dpi_spin);
  g_signal_emit (self, signals[EXPORT], 0, req);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
atomscope_export_dialog_dispose (GObject *object)
{
  AtomscopeExportDialog *self = ATOMSCOPE_EXPORT_DIALOG (object);

  g_clear_pointer (&self->req, atomscope_export_request_free);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_EXPORT_DIALOG);
  G_OBJECT_CLASS (atomscope_export_dialog_parent_class)->dispose (object);
}

static void
atomscope_export_dialog_class_init (AtomscopeExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_export_dialog_dispose;
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, data_check);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, events_check);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, figures_check);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeExportDialog, dpi_spin);
  gtk_widget_class_bind_template_callback (widget_class, on_folder_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_export_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  /* The handler takes the request (an AtomscopeExportRequest *) over. */
  signals[EXPORT] = g_signal_new ("export", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
atomscope_export_dialog_init (AtomscopeExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

AtomscopeExportDialog *
atomscope_export_dialog_new (GtkWindow *parent, AtomscopeExportRequest *req)
{
  AtomscopeExportDialog *self = g_object_new (ATOMSCOPE_TYPE_EXPORT_DIALOG,
                                              "transient-for", parent, NULL);

  self->req = req;
  if (req->folder == NULL)
    req->folder = g_strdup (g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS) != NULL
                            ? g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS)
                            : g_get_home_dir ());
  adw_action_row_set_subtitle (self->folder_row, req->folder);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), req->basename);
  return self;
}
