/* atomscope-events-panel.c: DriPP fits table, peri-event view and export.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "atomscope-events-panel.h"
#include "atomscope-figure-style.h"
#include "as-engine.h"
#include "as-figure-events.h"

/* ---- one row of the table ------------------------------------------------------------ */

#define ATOMSCOPE_TYPE_EVENTS_ITEM (atomscope_events_item_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeEventsItem, atomscope_events_item, ATOMSCOPE, EVENTS_ITEM, GObject)

struct _AtomscopeEventsItem
{
  GObject          parent_instance;
  AsDrippAnalysis *analysis;
  guint            row;
};

G_DEFINE_FINAL_TYPE (AtomscopeEventsItem, atomscope_events_item, G_TYPE_OBJECT)

static void
atomscope_events_item_finalize (GObject *object)
{
  g_clear_pointer (&ATOMSCOPE_EVENTS_ITEM (object)->analysis, as_dripp_analysis_unref);
  G_OBJECT_CLASS (atomscope_events_item_parent_class)->finalize (object);
}

static void
atomscope_events_item_class_init (AtomscopeEventsItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = atomscope_events_item_finalize;
}

static void
atomscope_events_item_init (AtomscopeEventsItem *self)
{
}

static const AsDrippRow *
item_row (AtomscopeEventsItem *item)
{
  return &g_array_index (item->analysis->rows, AsDrippRow, item->row);
}

/* ---- the panel ----------------------------------------------------------------------- */

typedef enum
{
  COL_ATOM,
  COL_EVENT,
  COL_MU,
  COL_ALPHA,
  COL_M,
  COL_SIGMA,
  COL_P,
  COL_Q,
  N_COLUMNS
} Column;

struct _AtomscopeEventsPanel
{
  GtkBox                parent_instance;

  GtkSpinButton        *support_a;
  GtkSpinButton        *support_b;
  GtkSpinButton        *view_pre;
  GtkSpinButton        *view_post;
  GtkDropDown          *source_dropdown;  /* "Annotations", then the stimulus channels */
  GtkStringList        *sources;
  GtkButton            *fit_button;
  GtkButton            *export_button;
  GtkLabel             *status;
  GtkColumnView        *table;
  GListStore           *store;
  GtkSingleSelection   *selection;
  GtkDrawingArea       *view;
  GtkFileChooserNative *chooser;

  AsCdlModel           *model;
  AsRecording          *recording;
  AsRecording          *events_from;  /* NULL: the events of recording */
  double                events_offset;
  AsDrippAnalysis      *analysis;
  GCancellable         *cancellable;
  guint                 serial;      /* bumped by every new model and every fit started */
  guint                 fit_count;
  guint                 export_count;  /* exports finished, written or failed */
  int                   selected_row;
};

G_DEFINE_FINAL_TYPE (AtomscopeEventsPanel, atomscope_events_panel, GTK_TYPE_BOX)

static void
update_sensitivity (AtomscopeEventsPanel *self, gboolean running)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->fit_button), self->model != NULL && !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), self->analysis != NULL && !running);
}

/* ---- fitting on a worker thread ---- */

typedef struct
{
  AsCdlModel   *model;
  AsRecording  *recording;
  AsDrippParams params;
  char         *stim_channel;   /* NULL: the annotations */
  AsRecording  *events_from;
  double        events_offset;
  gint          cancel;
  guint         serial;
} FitData;

static void
fit_data_free (FitData *d)
{
  as_cdl_model_unref (d->model);
  as_recording_unref (d->recording);
  g_free (d->stim_channel);
  g_clear_pointer (&d->events_from, as_recording_unref);
  g_free (d);
}

static void
set_cancel_flag (GCancellable *cancellable, gpointer data)
{
  g_atomic_int_set (&((FitData *) data)->cancel, 1);
}

static void
fit_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FitData *d = task_data;
  AsDrippSource src = { d->stim_channel, NULL, AS_CDL_OCCURRENCE_THRESHOLD, d->events_from, d->events_offset };
  GError *error = NULL;
  AsDrippAnalysis *a;
  gulong handler = g_cancellable_connect (cancellable, G_CALLBACK (set_cancel_flag), d, NULL);

  as_engine_lower_thread_priority ();
  a = as_dripp_analyse (d->model, d->recording, &d->params, &src, &d->cancel, &error);
  g_cancellable_disconnect (cancellable, handler);
  if (a == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, a, (GDestroyNotify) as_dripp_analysis_unref);
}

static void
show_analysis (AtomscopeEventsPanel *self, AsDrippAnalysis *analysis)
{
  g_clear_pointer (&self->analysis, as_dripp_analysis_unref);
  g_list_store_remove_all (self->store);
  self->selected_row = -1;
  if (analysis != NULL)
    {
      self->analysis = as_dripp_analysis_ref (analysis);
      for (guint r = 0; r < analysis->rows->len; r++)
        {
          AtomscopeEventsItem *item = g_object_new (ATOMSCOPE_TYPE_EVENTS_ITEM, NULL);
          item->analysis = as_dripp_analysis_ref (analysis);
          item->row = r;
          g_list_store_append (self->store, item);
          g_object_unref (item);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

static void
fit_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeEventsPanel *self = ATOMSCOPE_EVENTS_PANEL (source);
  FitData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDrippAnalysis) a = g_task_propagate_pointer (G_TASK (result), &error);

  if (d->serial != self->serial)
    return;   /* a newer model or fit replaced this one */
  if (a == NULL)
    {
      if (!g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED))
        gtk_label_set_text (self->status, error->message);
      update_sensitivity (self, FALSE);
      return;
    }
  self->fit_count++;
  show_analysis (self, a);
  {
    g_autofree char *text = NULL;
    guint driven = 0, kept = 0;
    for (guint r = 0; r < a->rows->len; r++)
      {
        const AsDrippRow *row = &g_array_index (a->rows, AsDrippRow, r);
        driven += row->fit.p_value < 0.05;
        kept += row->q_value < 0.05;
      }
    text = g_strdup_printf (_("%u atoms × %u event types; p < 0.05: %u pairs, q < 0.05: %u"),
                            a->n_atoms, a->event_types->len, driven, kept);
    gtk_label_set_text (self->status, text);
  }
  update_sensitivity (self, FALSE);
  if (a->rows->len > 0)
    gtk_single_selection_set_selected (self->selection, 0);
}

void
atomscope_events_panel_fit (AtomscopeEventsPanel *self)
{
  g_autoptr (GTask) task = NULL;
  FitData *d;

  g_return_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self));
  if (self->model == NULL || self->recording == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  d = g_new0 (FitData, 1);
  d->model = as_cdl_model_ref (self->model);
  d->recording = as_recording_ref (self->recording);
  if (self->events_from != NULL)
    {
      d->events_from = as_recording_ref (self->events_from);
      d->events_offset = self->events_offset;
    }
  as_dripp_params_init (&d->params);
  d->params.a = gtk_spin_button_get_value (self->support_a);
  d->params.b = gtk_spin_button_get_value (self->support_b);
  {
    guint pos = gtk_drop_down_get_selected (self->source_dropdown);
    if (pos != GTK_INVALID_LIST_POSITION && pos > 0)
      d->stim_channel = g_strdup (gtk_string_list_get_string (self->sources, pos));
  }
  d->serial = ++self->serial;
  gtk_label_set_text (self->status, _("Fitting…"));
  update_sensitivity (self, TRUE);
  task = g_task_new (self, self->cancellable, fit_done, NULL);
  g_task_set_task_data (task, d, (GDestroyNotify) fit_data_free);
  g_task_run_in_thread (task, fit_thread);
}

/* Event sources: the annotations, then every stimulus channel (kept when it is still there). */
static void
update_sources (AtomscopeEventsPanel *self)
{
  const AsRecording *rec = self->events_from != NULL ? self->events_from : self->recording;
  guint pos = gtk_drop_down_get_selected (self->source_dropdown);
  g_autofree char *was = pos != GTK_INVALID_LIST_POSITION && pos > 0
                         ? g_strdup (gtk_string_list_get_string (self->sources, pos)) : NULL;

  gtk_string_list_splice (self->sources, 1,
                          g_list_model_get_n_items (G_LIST_MODEL (self->sources)) - 1, NULL);
  gtk_drop_down_set_selected (self->source_dropdown, 0);
  if (rec != NULL)
    for (guint c = 0; c < rec->n_channels; c++)
      if (rec->channels[c].type == AS_CHANNEL_STIM)
        {
          gtk_string_list_append (self->sources, rec->channels[c].label);
          if (g_strcmp0 (was, rec->channels[c].label) == 0)
            gtk_drop_down_set_selected (self->source_dropdown,
                                        g_list_model_get_n_items (G_LIST_MODEL (self->sources)) - 1);
        }
}

void
atomscope_events_panel_set_events_source (AtomscopeEventsPanel *self, AsRecording *recording,
                                          double offset)
{
  g_return_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self));
  if (recording == self->events_from && (recording == NULL || offset == self->events_offset))
    return;
  if (recording != self->events_from)
    {
      g_clear_pointer (&self->events_from, as_recording_unref);
      if (recording != NULL)
        self->events_from = as_recording_ref (recording);
    }
  self->events_offset = recording != NULL ? offset : 0.0;
  update_sources (self);
}

gboolean
atomscope_events_panel_set_source (AtomscopeEventsPanel *self, const char *stim_channel)
{
  g_return_val_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self), FALSE);
  if (stim_channel == NULL)
    {
      gtk_drop_down_set_selected (self->source_dropdown, 0);
      return TRUE;
    }
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (self->sources)); i++)
    if (g_strcmp0 (gtk_string_list_get_string (self->sources, i), stim_channel) == 0)
      {
        gtk_drop_down_set_selected (self->source_dropdown, i);
        return TRUE;
      }
  return FALSE;
}

void
atomscope_events_panel_set_window (AtomscopeEventsPanel *self, double pre, double post)
{
  g_return_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self));
  gtk_spin_button_set_value (self->view_pre, pre);
  gtk_spin_button_set_value (self->view_post, post);
}

void
atomscope_events_panel_set_model (AtomscopeEventsPanel *self, AsCdlModel *model,
                                  AsRecording *learned_on)
{
  g_return_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self));
  if (model == self->model && learned_on == self->recording)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->recording, as_recording_unref);
  if (model != NULL && learned_on != NULL)
    {
      self->model = as_cdl_model_ref (model);
      self->recording = as_recording_ref (learned_on);
    }
  else
    g_clear_pointer (&self->events_from, as_recording_unref);   /* no atoms: no events either */
  self->serial++;
  update_sources (self);
  if (self->analysis != NULL)
    {
      show_analysis (self, NULL);
      gtk_label_set_text (self->status, _("The atoms changed: fit again"));
    }
  else
    gtk_label_set_text (self->status, self->model != NULL ? "" : _("Learn atoms on a recording with events first"));
  update_sensitivity (self, FALSE);
}

AsDrippAnalysis *
atomscope_events_panel_get_analysis (AtomscopeEventsPanel *self)
{
  return self->analysis;
}

guint
atomscope_events_panel_get_fit_count (AtomscopeEventsPanel *self)
{
  return self->fit_count;
}

int
atomscope_events_panel_get_selected_row (AtomscopeEventsPanel *self)
{
  return self->selected_row;
}

GtkColumnView *
atomscope_events_panel_get_table (AtomscopeEventsPanel *self)
{
  return self->table;
}

GtkWidget *
atomscope_events_panel_get_view (AtomscopeEventsPanel *self)
{
  return GTK_WIDGET (self->view);
}

/* ---- export ---- */

typedef struct
{
  AsDrippAnalysis *analysis;
  char            *dir;
  double           pre, post;   /* the peri-event window shown */
} ExportData;

static void
export_data_free (ExportData *d)
{
  as_dripp_analysis_unref (d->analysis);
  g_free (d->dir);
  g_free (d);
}

static void
export_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportData *d = task_data;
  g_autofree char *csv = g_build_filename (d->dir, "dripp.csv", NULL);
  g_autofree char *json = g_build_filename (d->dir, "dripp.json", NULL);
  GError *error = NULL;
  AsFigureStyle style;

  /* never over an existing file: the user picks another folder; the figures as
   * atomscope-cli events draws them, with the window shown around each event */
  as_figure_style_init_light (&style);
  if (as_dripp_write_csv (d->analysis, csv, FALSE, &error)
      && as_dripp_write_json (d->analysis, json, FALSE, &error)
      && as_figure_write_events (d->analysis, &style, d->pre, d->post, d->dir,
                                 AS_FIGURE_FORMAT_PNG, 96, FALSE, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
export_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeEventsPanel *self = ATOMSCOPE_EVENTS_PANEL (source);
  ExportData *d = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->status == NULL)
    return;   /* the panel is gone */
  self->export_count++;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    gtk_label_set_text (self->status, error->message);
  else
    {
      text = g_strdup_printf (_("Wrote dripp.csv, dripp.json and %u figures in %s"),
                              d->analysis->rows->len, d->dir);
      gtk_label_set_text (self->status, text);
    }
}

static void
on_chooser_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  AtomscopeEventsPanel *self = user_data;
  g_autoptr (GFile) folder = NULL;

  if (response == GTK_RESPONSE_ACCEPT
      && (folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    {
      g_autofree char *dir = g_file_get_path (folder);
      atomscope_events_panel_export_to (self, dir);
    }
  g_clear_object (&self->chooser);
}

void
atomscope_events_panel_export_to (AtomscopeEventsPanel *self, const char *dir)
{
  g_autoptr (GTask) task = NULL;
  ExportData *d;

  g_return_if_fail (ATOMSCOPE_IS_EVENTS_PANEL (self));
  if (self->analysis == NULL || dir == NULL)
    return;
  task = g_task_new (self, NULL, export_done, NULL);
  d = g_new0 (ExportData, 1);
  d->analysis = as_dripp_analysis_ref (self->analysis);
  d->dir = g_strdup (dir);
  d->pre = gtk_spin_button_get_value (self->view_pre);
  d->post = gtk_spin_button_get_value (self->view_post);
  g_task_set_task_data (task, d, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

guint
atomscope_events_panel_get_export_count (AtomscopeEventsPanel *self)
{
  return self->export_count;
}

static void
on_export_clicked (AtomscopeEventsPanel *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->analysis == NULL || self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Export the event fits (dripp.csv, dripp.json)"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Export"), _("_Cancel"));
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

/* ---- table ---- */

static double
column_value (AtomscopeEventsItem *item, Column c)
{
  const AsDrippFit *f = &item_row (item)->fit;
  switch (c)
    {
    case COL_ATOM: return item_row (item)->atom;
    case COL_MU: return f->mu;
    case COL_ALPHA: return f->alpha;
    case COL_M: return f->m;
    case COL_SIGMA: return f->sigma;
    case COL_P: return f->p_value;
    case COL_Q: return item_row (item)->q_value;
    default: return 0;
    }
}

static const char *
event_label (AtomscopeEventsItem *item)
{
  return ((AsDrippEventType *) item->analysis->event_types->pdata[item_row (item)->event_type])->label;
}

static int
compare_items (gconstpointer a, gconstpointer b, gpointer user_data)
{
  AtomscopeEventsItem *x = (AtomscopeEventsItem *) a, *y = (AtomscopeEventsItem *) b;
  Column c = GPOINTER_TO_INT (user_data);
  double u, v;

  if (c == COL_EVENT)
    {
      int r = g_utf8_collate (event_label (x), event_label (y));
      return r < 0 ? GTK_ORDERING_SMALLER : r > 0 ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
  u = column_value (x, c);
  v = column_value (y, c);
  return u < v ? GTK_ORDERING_SMALLER : u > v ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  GtkWidget *label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), GPOINTER_TO_INT (user_data) == COL_EVENT ? 0.0 : 1.0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *list_item, gpointer user_data)
{
  AtomscopeEventsItem *item = gtk_list_item_get_item (list_item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  Column c = GPOINTER_TO_INT (user_data);
  char buf[64];

  if (c == COL_EVENT)
    gtk_label_set_text (label, event_label (item));
  else if (c == COL_ATOM)
    {
      g_snprintf (buf, sizeof buf, "%u", item_row (item)->atom + 1);
      gtk_label_set_text (label, buf);
    }
  else if ((c == COL_M || c == COL_SIGMA)
           && !as_dripp_fit_excited (&item_row (item)->fit))
    gtk_label_set_text (label, "–");   /* no occurrence or no excitation: no latency, no jitter */
  else
    {
      g_snprintf (buf, sizeof buf, c == COL_P || c == COL_Q ? "%.3g" : "%.4g", column_value (item, c));
      gtk_label_set_text (label, buf);
    }
}

static void
on_selection_changed (AtomscopeEventsPanel *self)
{
  AtomscopeEventsItem *item;

  if (self->selection == NULL)
    return;
  item = gtk_single_selection_get_selected_item (self->selection);
  self->selected_row = item != NULL ? (int) item->row : -1;
  gtk_widget_queue_draw (GTK_WIDGET (self->view));
}

static void
draw_view (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  AtomscopeEventsPanel *self = user_data;
  AsFigureStyle style;

  atomscope_figure_style_init (&style);
  if (self->analysis == NULL || self->selected_row < 0)
    {
      as_figure_set_color (cr, &style.background);
      cairo_paint (cr);
      return;
    }
  as_figure_draw_events (cr, width, height, &style, self->analysis, (guint) self->selected_row,
                         gtk_spin_button_get_value (self->view_pre),
                         gtk_spin_button_get_value (self->view_post), 0);
}

static GtkWidget *
labelled_spin (const char *text, double lo, double hi, double value, GtkSpinButton **spin)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  *spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (lo, hi, 0.05));
  gtk_spin_button_set_digits (*spin, 2);
  gtk_spin_button_set_value (*spin, value);
  gtk_box_append (GTK_BOX (box), gtk_label_new (text));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*spin));
  return box;
}

static void
on_support_changed (AtomscopeEventsPanel *self)
{
  /* keep a < b */
  if (gtk_spin_button_get_value (self->support_b) <= gtk_spin_button_get_value (self->support_a))
    gtk_spin_button_set_value (self->support_b, gtk_spin_button_get_value (self->support_a) + 0.05);
}

static void
atomscope_events_panel_dispose (GObject *object)
{
  AtomscopeEventsPanel *self = ATOMSCOPE_EVENTS_PANEL (object);

  /* a fit or an export still running finds the panel gone and drops its result */
  self->serial++;
  self->status = NULL;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  g_clear_object (&self->selection);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->model, as_cdl_model_unref);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->events_from, as_recording_unref);
  g_clear_pointer (&self->analysis, as_dripp_analysis_unref);
  G_OBJECT_CLASS (atomscope_events_panel_parent_class)->dispose (object);
}

static void
atomscope_events_panel_class_init (AtomscopeEventsPanelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = atomscope_events_panel_dispose;
}

static void
atomscope_events_panel_init (AtomscopeEventsPanel *self)
{
  static const char *const titles[N_COLUMNS] = {
    N_("Atom"), N_("Events"), N_("μ (/s)"), N_("α"), N_("m (s)"), N_("σ (s)"), N_("p"), N_("q (FDR)"),
  };
  GtkWidget *bar, *paned, *scroller, *view_box;
  GtkSortListModel *sorted;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->selected_row = -1;
  self->cancellable = g_cancellable_new ();

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (bar, 12);
  gtk_widget_set_margin_end (bar, 12);
  gtk_widget_set_margin_top (bar, 6);
  gtk_box_append (GTK_BOX (bar), labelled_spin (_("Support from (s)"), 0, 10, 0, &self->support_a));
  gtk_box_append (GTK_BOX (bar), labelled_spin (_("to (s)"), 0.05, 30, 1, &self->support_b));
  g_signal_connect_swapped (self->support_a, "value-changed", G_CALLBACK (on_support_changed), self);
  g_signal_connect_swapped (self->support_b, "value-changed", G_CALLBACK (on_support_changed), self);
  {
    const char *const first[] = { _("Annotations"), NULL };
    GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
    self->sources = gtk_string_list_new (first);
    self->source_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (self->sources), NULL));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->source_dropdown),
                                 _("Events from the recording's annotations or from a stimulus channel"));
    gtk_box_append (GTK_BOX (box), gtk_label_new (_("Events from")));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->source_dropdown));
    gtk_box_append (GTK_BOX (bar), box);
  }
  self->fit_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Fit")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->fit_button),
                               _("Fit a driven point process to every atom and event type"));
  gtk_widget_add_css_class (GTK_WIDGET (self->fit_button), "suggested-action");
  g_signal_connect_swapped (self->fit_button, "clicked", G_CALLBACK (atomscope_events_panel_fit), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->fit_button));
  self->export_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Export…")));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->export_button),
                               _("Write the table as dripp.csv and dripp.json, and one peri-event figure per row"));
  g_signal_connect_swapped (self->export_button, "clicked", G_CALLBACK (on_export_clicked), self);
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->export_button));
  self->status = GTK_LABEL (gtk_label_new (_("Learn atoms on a recording with events first")));
  gtk_label_set_ellipsize (self->status, PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->status), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  gtk_box_append (GTK_BOX (bar), GTK_WIDGET (self->status));
  gtk_box_append (GTK_BOX (self), bar);

  self->store = g_list_store_new (ATOMSCOPE_TYPE_EVENTS_ITEM);
  self->table = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  for (int c = 0; c < N_COLUMNS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (c));
      column = gtk_column_view_column_new (_(titles[c]), factory);
      gtk_column_view_column_set_sorter (column, GTK_SORTER (gtk_custom_sorter_new (compare_items, GINT_TO_POINTER (c), NULL)));
      gtk_column_view_column_set_expand (column, c == COL_EVENT);
      gtk_column_view_append_column (self->table, column);
      g_object_unref (column);
    }
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->store)),
                                    g_object_ref (gtk_column_view_get_sorter (self->table)));
  self->selection = gtk_single_selection_new (G_LIST_MODEL (sorted));
  g_signal_connect_swapped (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  g_signal_connect_swapped (self->selection, "items-changed", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_set_show_column_separators (self->table, TRUE);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), GTK_WIDGET (self->table));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_size_request (scroller, 380, 200);

  self->view = GTK_DRAWING_AREA (gtk_drawing_area_new ());
  gtk_drawing_area_set_draw_func (self->view, draw_view, self, NULL);
  gtk_widget_set_size_request (GTK_WIDGET (self->view), 360, 280);
  gtk_widget_set_hexpand (GTK_WIDGET (self->view), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self->view), TRUE);

  /* the peri-event view, with its window above it */
  view_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  {
    GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
    gtk_widget_set_margin_start (row, 6);
    gtk_box_append (GTK_BOX (row), labelled_spin (_("Shown before each event (s)"), 0, 30, 1, &self->view_pre));
    gtk_box_append (GTK_BOX (row), labelled_spin (_("after (s)"), 0.05, 60, 2, &self->view_post));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->view_pre),
                                 _("Peri-event view: seconds shown before each event"));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->view_post),
                                 _("Peri-event view: seconds shown after each event"));
    g_signal_connect_swapped (self->view_pre, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self->view);
    g_signal_connect_swapped (self->view_post, "value-changed", G_CALLBACK (gtk_widget_queue_draw), self->view);
    gtk_box_append (GTK_BOX (view_box), row);
    gtk_box_append (GTK_BOX (view_box), GTK_WIDGET (self->view));
  }

  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (paned), scroller);
  gtk_paned_set_end_child (GTK_PANED (paned), view_box);
  gtk_paned_set_resize_start_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (self), paned);

  g_object_unref (self->store);   /* the sort model holds it */
  update_sensitivity (self, FALSE);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self->view, G_CONNECT_SWAPPED);
}

GtkWidget *
atomscope_events_panel_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_EVENTS_PANEL, NULL);
}
