/* atomscope-nystagmus-panel.c: the nystagmus measures panel.
 *
 * Two kinds of work leave the main loop: the analysis of a recording (a GTask per
 * recording, cancelled when another replaces it) and the measures of the page shown (a
 * GTask per page, the newest wins), plus the SPV figure on a figure worker.  The main
 * loop only sets labels and rows and paints the finished image.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-nystagmus-panel"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "as-figure-nystagmus.h"
#include "atomscope-figure-style.h"
#include "atomscope-figure-worker.h"
#include "atomscope-nystagmus-panel.h"

struct _AtomscopeNystagmusPanel
{
  GtkBox                 parent_instance;
  GtkLabel              *title;
  GtkLabel              *summary;
  GtkDrawingArea        *plots;
  GtkLabel              *table_header;
  GtkScrolledWindow     *table_scroller;
  GtkStringList         *rows;
  AtomscopeFigureWorker *worker;

  AsRecording           *recording;
  AsNystagmusAnalysis   *analysis;
  char                  *message;
  GCancellable          *cancellable;     /* of the running analysis */
  guint                  analysis_serial;
  guint                  page_request;    /* newest measures asked for */
  guint                  shown_serial;
  gboolean               has_shown;
  AsNystagmusSummary     shown;
  double                 shown_t0, shown_t1;
  double                 page_start, page_length;
  gboolean               plots_dirty;
  guint64                plots_generation;
  gboolean               disposed;        /* results arriving later touch nothing */
};

enum
{
  PROP_0,
  PROP_PAGE_START,
  PROP_PAGE_LENGTH,
  PROP_ANALYSIS_SERIAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtomscopeNystagmusPanel, atomscope_nystagmus_panel, GTK_TYPE_BOX)

/* ---- the analysis, on a worker thread ---------------------------------------------- */

static void
analyse_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  AsRecording *rec = data;
  g_autoptr (AsEyeChannel) ch = NULL;
  AsNystagmusAnalysis *an;
  GError *error = NULL;

  as_engine_lower_thread_priority ();
  ch = as_eye_channel_from_recording (rec, NULL, &error);
  if (ch == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  an = as_nystagmus_analyse (ch, NULL, NULL, &error);
  if (an == NULL)
    {
      /* The engine names the channel; the panel names the file as well. */
      g_autofree char *base = g_path_get_basename (rec->path ? rec->path : "");
      if (rec->path != NULL)
        g_prefix_error (&error, "%s: ", base);
      g_task_return_error (task, error);
    }
  else
    g_task_return_pointer (task, an, (GDestroyNotify) as_nystagmus_analysis_unref);
}

static void request_page (AtomscopeNystagmusPanel *self);

static void
set_message (AtomscopeNystagmusPanel *self, const char *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (self->summary, message ? message : "");
}

static void
show_parts (AtomscopeNystagmusPanel *self, gboolean measures)
{
  gtk_widget_set_visible (GTK_WIDGET (self->plots), measures);
  gtk_widget_set_visible (GTK_WIDGET (self->table_header), measures);
  gtk_widget_set_visible (GTK_WIDGET (self->table_scroller), measures);
}

static void
analyse_done (GObject *source, GAsyncResult *result, gpointer data)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (source);
  g_autoptr (GError) error = NULL;
  AsNystagmusAnalysis *an = g_task_propagate_pointer (G_TASK (result), &error);

  if (self->disposed || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      g_clear_pointer (&an, as_nystagmus_analysis_unref);
      return;
    }
  g_clear_pointer (&self->analysis, as_nystagmus_analysis_unref);
  self->analysis = an;
  self->has_shown = FALSE;
  if (an == NULL)
    {
      /* The reason, as the engine words it (it names the file or the channel). */
      set_message (self, error != NULL ? error->message : _("No nystagmus beat found"));
      gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
      show_parts (self, FALSE);
    }
  else
    {
      set_message (self, _("Measuring…"));
      show_parts (self, TRUE);
      request_page (self);
    }
  self->analysis_serial++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS_SERIAL]);
}

void
atomscope_nystagmus_panel_set_recording (AtomscopeNystagmusPanel *self, AsRecording *rec)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (ATOMSCOPE_IS_NYSTAGMUS_PANEL (self));
  if (self->disposed)
    return;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->analysis, as_nystagmus_analysis_unref);
  self->has_shown = FALSE;
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)), NULL);
  show_parts (self, FALSE);
  if (rec == NULL)
    {
      set_message (self, _("No recording"));
      return;
    }
  self->recording = as_recording_ref (rec);
  if (rec->data == NULL)
    {
      set_message (self, _("Nystagmus beats are not measured on a recording read page by page"));
      self->analysis_serial++;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ANALYSIS_SERIAL]);
      return;
    }
  set_message (self, _("Looking for nystagmus beats…"));
  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, analyse_done, NULL);
  g_task_set_task_data (task, as_recording_ref (rec), (GDestroyNotify) as_recording_unref);
  g_task_run_in_thread (task, analyse_thread);
}

AsNystagmusAnalysis *
atomscope_nystagmus_panel_get_analysis (AtomscopeNystagmusPanel *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_NYSTAGMUS_PANEL (self), NULL);
  return self->analysis;
}

/* ---- the measures of the page, on a worker thread ----------------------------------- */

typedef struct
{
  AsNystagmusAnalysis *analysis;
  double               t0, t1;
  guint                request;
  AsNystagmusSummary   summary;
  char                *text;
  GPtrArray           *rows;
} PageJob;

static void
page_job_free (PageJob *j)
{
  as_nystagmus_analysis_unref (j->analysis);
  g_free (j->text);
  g_clear_pointer (&j->rows, g_ptr_array_unref);
  g_free (j);
}

static void
page_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  PageJob *j = data;
  const AsNystagmusAnalysis *an = j->analysis;
  AsNystagmusSummary *s = &j->summary;
  GString *t = g_string_new (NULL);

  as_nystagmus_summarise (an, j->t0, j->t1, s);
  g_string_append_printf (t, _("%.1f–%.1f s, channel %s"), j->t0, j->t1, an->channel->label);
  g_string_append_c (t, '\n');
  if (s->n_beats == 0)
    g_string_append (t, _("No nystagmus beat on this page"));
  else
    {
      if (s->waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
        g_string_append_printf (t, _("%u cycles, %.2f Hz"), s->n_beats, s->frequency);
      else
        g_string_append_printf (t, _("%u beats, %.2f Hz; %s"), s->n_beats, s->frequency,
                                as_nystagmus_direction_to_label (s->direction));
      g_string_append_c (t, '\n');
      if (s->waveform == AS_NYSTAGMUS_WAVEFORM_JERK)
        g_string_append_printf (t, _("Jerk, %s slow phase"), as_slow_phase_shape_to_label (s->shape));
      else
        g_string_append_printf (t, _("Waveform: %s"), as_nystagmus_waveform_to_label (s->waveform));
      g_string_append_c (t, '\n');
      g_string_append_printf (t, s->waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR
                                     ? _("Mean eye speed median %.2f °/s (IQR %.2f–%.2f)")
                                     : _("SPV median %.2f °/s (IQR %.2f–%.2f)"),
                              s->spv_median, s->spv_q1, s->spv_q3);
      g_string_append_c (t, '\n');
      g_string_append_printf (t, _("Amplitude %.2f °, intensity %.2f °/s"), s->amplitude_mean,
                              s->intensity);
      g_string_append_c (t, '\n');
      g_string_append_printf (t, _("Foveation %.1f %% of the time, %u periods of %.0f ms"),
                              100 * s->foveation_fraction, s->n_foveations, 1000 * s->foveation_mean);
    }
  j->text = g_string_free (t, FALSE);
  j->rows = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      if (b->start < j->t0 || b->start >= j->t1)
        continue;
      g_ptr_array_add (j->rows, g_strdup_printf ("%8.3f  %-7s %-10s %6.2f %6.2f %5.2f",
                                                 b->start, as_nystagmus_direction_to_string (b->direction),
                                                 as_slow_phase_shape_to_string (b->shape), b->spv_mean,
                                                 b->spv_peak, b->amplitude));
    }
  g_ptr_array_add (j->rows, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
page_done (GObject *source, GAsyncResult *result, gpointer data)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (source);
  PageJob *j = g_task_get_task_data (G_TASK (result));

  /* A newer page or another analysis: this one is stale. */
  if (self->disposed || j->request != self->page_request || j->analysis != self->analysis)
    return;
  set_message (self, j->text);
  gtk_string_list_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                          (const char *const *) j->rows->pdata);
  self->shown = j->summary;
  self->shown_t0 = j->t0;
  self->shown_t1 = j->t1;
  self->has_shown = TRUE;
  self->shown_serial++;
}

static void
request_page (AtomscopeNystagmusPanel *self)
{
  g_autoptr (GTask) task = NULL;
  PageJob *j;
  double dur;

  if (self->disposed || self->analysis == NULL)
    return;
  dur = self->analysis->channel->n / self->analysis->channel->sfreq;
  j = g_new0 (PageJob, 1);
  j->analysis = as_nystagmus_analysis_ref (self->analysis);
  j->t0 = MAX (0.0, self->page_start);
  j->t1 = self->page_length > 0 ? MIN (dur, self->page_start + self->page_length) : dur;
  if (!(j->t1 > j->t0))
    j->t0 = 0, j->t1 = dur;
  j->request = ++self->page_request;
  task = g_task_new (self, NULL, page_done, NULL);
  g_task_set_task_data (task, j, (GDestroyNotify) page_job_free);
  g_task_run_in_thread (task, page_thread);
  self->plots_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self->plots));
}

/* ---- the SPV figure ---------------------------------------------------------------- */

typedef struct
{
  AsNystagmusAnalysis *analysis;
  double               t0, t1;
  AsFigureStyle        style;
} PlotRender;

static void
plot_render_free (PlotRender *r)
{
  as_nystagmus_analysis_unref (r->analysis);
  g_free (r);
}

static void
draw_plots_render (cairo_t *cr, double width, double height, gpointer data)
{
  PlotRender *r = data;

  as_figure_draw_spv_panel (cr, width, height, &r->style, r->analysis, r->t0, r->t1);
}

static void
draw_plots (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  AtomscopeNystagmusPanel *self = data;

  if (self->analysis != NULL && (self->plots_dirty || atomscope_figure_worker_stale (self->worker)))
    {
      PlotRender *r = g_new0 (PlotRender, 1);
      double dur = self->analysis->channel->n / self->analysis->channel->sfreq;

      r->analysis = as_nystagmus_analysis_ref (self->analysis);
      r->t0 = MAX (0.0, self->page_start);
      r->t1 = self->page_length > 0 ? MIN (dur, self->page_start + self->page_length) : dur;
      if (!(r->t1 > r->t0))
        r->t0 = 0, r->t1 = dur;
      atomscope_figure_style_init (&r->style);
      r->style.font_size = 10;
      atomscope_figure_worker_request (self->worker, draw_plots_render, r,
                                       (GDestroyNotify) plot_render_free, ++self->plots_generation);
      self->plots_dirty = FALSE;
    }
  atomscope_figure_worker_paint (self->worker, cr, w, h, NULL);
}

static void
restyle (AtomscopeNystagmusPanel *self)
{
  self->plots_dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self->plots));
}

/* ---- the table --------------------------------------------------------------------- */

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_widget_add_css_class (label, "monospace");
  gtk_list_item_set_child (item, label);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkStringObject *s = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (s));
}

/* ---- the widget -------------------------------------------------------------------- */

static void
atomscope_nystagmus_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      g_value_set_double (value, self->page_start);
      break;
    case PROP_PAGE_LENGTH:
      g_value_set_double (value, self->page_length);
      break;
    case PROP_ANALYSIS_SERIAL:
      g_value_set_uint (value, self->analysis_serial);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_nystagmus_panel_set_property (GObject *object, guint prop_id, const GValue *value,
                                        GParamSpec *pspec)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (object);
  double v;

  switch (prop_id)
    {
    case PROP_PAGE_START:
    case PROP_PAGE_LENGTH:
      v = g_value_get_double (value);
      if (prop_id == PROP_PAGE_START ? self->page_start == v : self->page_length == v)
        return;
      if (prop_id == PROP_PAGE_START)
        self->page_start = v;
      else
        self->page_length = v;
      g_object_notify_by_pspec (object, pspec);
      request_page (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_nystagmus_panel_dispose (GObject *object)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (object);

  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (atomscope_nystagmus_panel_parent_class)->dispose (object);
}

static void
atomscope_nystagmus_panel_finalize (GObject *object)
{
  AtomscopeNystagmusPanel *self = ATOMSCOPE_NYSTAGMUS_PANEL (object);

  g_clear_pointer (&self->worker, atomscope_figure_worker_free);
  g_clear_pointer (&self->recording, as_recording_unref);
  g_clear_pointer (&self->analysis, as_nystagmus_analysis_unref);
  g_free (self->message);
  G_OBJECT_CLASS (atomscope_nystagmus_panel_parent_class)->finalize (object);
}

static void
atomscope_nystagmus_panel_class_init (AtomscopeNystagmusPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = atomscope_nystagmus_panel_get_property;
  object_class->set_property = atomscope_nystagmus_panel_set_property;
  object_class->dispose = atomscope_nystagmus_panel_dispose;
  object_class->finalize = atomscope_nystagmus_panel_finalize;
  properties[PROP_PAGE_START] =
    g_param_spec_double ("page-start", NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_LENGTH] =
    g_param_spec_double ("page-length", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ANALYSIS_SERIAL] =
    g_param_spec_uint ("analysis-serial", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
atomscope_nystagmus_panel_init (AtomscopeNystagmusPanel *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkWidget *list;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 4);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 8);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);

  self->title = GTK_LABEL (gtk_label_new (_("Nystagmus")));
  gtk_label_set_xalign (self->title, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->title), "heading");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->title));

  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->summary, 0.0);
  gtk_label_set_wrap (self->summary, TRUE);
  gtk_label_set_selectable (self->summary, TRUE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->summary));

  self->plots = GTK_DRAWING_AREA (gtk_drawing_area_new ());
  gtk_drawing_area_set_content_height (self->plots, 200);
  gtk_drawing_area_set_draw_func (self->plots, draw_plots, self, NULL);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->plots));
  self->worker = atomscope_figure_worker_new (GTK_WIDGET (self->plots));
  atomscope_figure_style_track (GTK_WIDGET (self), G_CALLBACK (restyle));

  self->table_header = GTK_LABEL (gtk_label_new (_("   start  beat    slow phase  SPV °/s  peak  amp °")));
  gtk_label_set_xalign (self->table_header, 0.0);
  gtk_widget_add_css_class (GTK_WIDGET (self->table_header), "monospace");
  gtk_widget_add_css_class (GTK_WIDGET (self->table_header), "dim-label");
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->table_header));

  self->rows = gtk_string_list_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  list = gtk_list_view_new (GTK_SELECTION_MODEL (gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rows)))),
                            factory);
  self->table_scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_scrolled_window_set_child (self->table_scroller, list);
  gtk_scrolled_window_set_min_content_height (self->table_scroller, 110);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->table_scroller));
  show_parts (self, FALSE);
  set_message (self, _("No recording"));
}

GtkWidget *
atomscope_nystagmus_panel_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_NYSTAGMUS_PANEL, NULL);
}

gboolean
atomscope_nystagmus_panel_get_shown (AtomscopeNystagmusPanel *self, AsNystagmusSummary *summary,
                                     double *t0, double *t1)
{
  if (!self->has_shown)
    return FALSE;
  *summary = self->shown;
  *t0 = self->shown_t0;
  *t1 = self->shown_t1;
  return TRUE;
}

const char *
atomscope_nystagmus_panel_get_message (AtomscopeNystagmusPanel *self)
{
  return self->message;
}

guint
atomscope_nystagmus_panel_get_n_rows (AtomscopeNystagmusPanel *self)
{
  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

const char *
atomscope_nystagmus_panel_get_row (AtomscopeNystagmusPanel *self, guint i)
{
  return gtk_string_list_get_string (self->rows, i);
}

guint
atomscope_nystagmus_panel_get_shown_serial (AtomscopeNystagmusPanel *self)
{
  return self->shown_serial;
}
