/* atomscope-convergence-view.c: paints as_figure_draw_convergence() with the
 * axes the user chose.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-convergence-view"

#include "config.h"

#include <glib/gi18n.h>

#include "as-figure-atoms.h"
#include "atomscope-convergence-view.h"
#include "atomscope-figure-style.h"

struct _AtomscopeConvergenceView
{
  GtkWidget   parent_instance;
  AsCdlModel *model;
  guint64     generation;
  guint64     drawn_generation;
  gboolean    x_time;
  gboolean    log_x;
  gboolean    log_y;
  gboolean    suboptimality;
};

enum
{
  PROP_0,
  PROP_X_TIME,
  PROP_LOG_X,
  PROP_LOG_Y,
  PROP_SUBOPTIMALITY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtomscopeConvergenceView, atomscope_convergence_view, GTK_TYPE_WIDGET)

static void
draw_figure (cairo_t *cr, double width, double height, gpointer data)
{
  AtomscopeConvergenceView *self = data;
  AsFigureStyle style;

  atomscope_figure_style_init (&style);
  as_figure_draw_convergence (cr, width, height, &style, self->model,
                              self->x_time ? AS_CONVERGENCE_X_TIME : AS_CONVERGENCE_X_ITERATION,
                              self->log_x, self->log_y, self->suboptimality);
}

static void
atomscope_convergence_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AtomscopeConvergenceView *self = ATOMSCOPE_CONVERGENCE_VIEW (widget);

  atomscope_figure_append (widget, snapshot, draw_figure, self);
  self->drawn_generation = self->generation;
}

static void
atomscope_convergence_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                                    int *minimum, int *natural, int *minimum_baseline,
                                    int *natural_baseline)
{
  *minimum = 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 360 : 180;
}

void
atomscope_convergence_view_set_model (AtomscopeConvergenceView *self, AsCdlModel *model,
                                      guint64 generation)
{
  g_return_if_fail (ATOMSCOPE_IS_CONVERGENCE_VIEW (self));
  if (model != NULL)
    as_cdl_model_ref (model);
  g_clear_pointer (&self->model, as_cdl_model_unref);
  self->model = model;
  self->generation = generation;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint64
atomscope_convergence_view_get_drawn_generation (AtomscopeConvergenceView *self)
{
  return self->drawn_generation;
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  gpointer user_data)
{
  AtomscopeConvergenceView *self = ATOMSCOPE_CONVERGENCE_VIEW (widget);
  const AsCdlTracePoint *p;
  g_autofree char *text = NULL;

  if (self->model == NULL || self->model->trace == NULL || self->model->trace->len == 0)
    return FALSE;
  p = &g_array_index (self->model->trace, AsCdlTracePoint, self->model->trace->len - 1);
  text = g_strdup_printf (_("Iteration %u after %.2f s: objective %.6g (λ = %.3g, %.3g λ_max)"),
                          p->iteration, p->time, p->objective, self->model->lambda,
                          self->model->lambda_max > 0 ? self->model->lambda / self->model->lambda_max : 0.0);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static gboolean *
flag_for (AtomscopeConvergenceView *self, guint prop_id)
{
  switch (prop_id)
    {
    case PROP_X_TIME:
      return &self->x_time;
    case PROP_LOG_X:
      return &self->log_x;
    case PROP_LOG_Y:
      return &self->log_y;
    case PROP_SUBOPTIMALITY:
      return &self->suboptimality;
    default:
      return NULL;
    }
}

static void
atomscope_convergence_view_get_property (GObject *object, guint prop_id, GValue *value,
                                         GParamSpec *pspec)
{
  gboolean *flag = flag_for (ATOMSCOPE_CONVERGENCE_VIEW (object), prop_id);

  if (flag == NULL)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  else
    g_value_set_boolean (value, *flag);
}

static void
atomscope_convergence_view_set_property (GObject *object, guint prop_id, const GValue *value,
                                         GParamSpec *pspec)
{
  gboolean *flag = flag_for (ATOMSCOPE_CONVERGENCE_VIEW (object), prop_id);

  if (flag == NULL)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  if (*flag == g_value_get_boolean (value))
    return;
  *flag = g_value_get_boolean (value);
  g_object_notify_by_pspec (object, pspec);
  gtk_widget_queue_draw (GTK_WIDGET (object));
}

static void
atomscope_convergence_view_finalize (GObject *object)
{
  AtomscopeConvergenceView *self = ATOMSCOPE_CONVERGENCE_VIEW (object);

  g_clear_pointer (&self->model, as_cdl_model_unref);
  G_OBJECT_CLASS (atomscope_convergence_view_parent_class)->finalize (object);
}

static void
atomscope_convergence_view_class_init (AtomscopeConvergenceViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = atomscope_convergence_view_finalize;
  object_class->get_property = atomscope_convergence_view_get_property;
  object_class->set_property = atomscope_convergence_view_set_property;
  widget_class->snapshot = atomscope_convergence_view_snapshot;
  widget_class->measure = atomscope_convergence_view_measure;

  properties[PROP_X_TIME] = g_param_spec_boolean ("x-time", NULL, NULL, FALSE, flags);
  properties[PROP_LOG_X] = g_param_spec_boolean ("log-x", NULL, NULL, FALSE, flags);
  properties[PROP_LOG_Y] = g_param_spec_boolean ("log-y", NULL, NULL, TRUE, flags);
  properties[PROP_SUBOPTIMALITY] = g_param_spec_boolean ("suboptimality", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "convergenceview");
}

static void
atomscope_convergence_view_init (AtomscopeConvergenceView *self)
{
  self->log_y = TRUE;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  atomscope_figure_style_track (GTK_WIDGET (self), NULL);
}

GtkWidget *
atomscope_convergence_view_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_CONVERGENCE_VIEW, NULL);
}
