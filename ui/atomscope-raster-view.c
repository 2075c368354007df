/* atomscope-raster-view.c: paints as_figure_draw_raster() over the signal
 * browser's page; a click on an occurrence asks to centre the browser on it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-raster-view"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "atomscope-figure-style.h"
#include "atomscope-raster-view.h"

struct _AtomscopeRasterView
{
  GtkWidget      parent_instance;
  AsFigureAtoms *atoms;
  guint64        generation;
  guint64        drawn_generation;
  int            selected;
  double         page_start;
  double         page_length;
};

enum
{
  PROP_0,
  PROP_PAGE_START,
  PROP_PAGE_LENGTH,
  PROP_SELECTED,
  N_PROPS
};

enum
{
  OCCURRENCE_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AtomscopeRasterView, atomscope_raster_view, GTK_TYPE_WIDGET)

static void
draw_figure (cairo_t *cr, double width, double height, gpointer data)
{
  AtomscopeRasterView *self = data;
  AsFigureStyle style;

  atomscope_figure_style_init (&style);
  as_figure_draw_raster (cr, width, height, &style, self->atoms, self->page_start, self->page_length,
                         self->selected);
}

static void
atomscope_raster_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (widget);

  atomscope_figure_append (widget, snapshot, draw_figure, self);
  self->drawn_generation = self->generation;
}

static void
atomscope_raster_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                               int *minimum, int *natural, int *minimum_baseline,
                               int *natural_baseline)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (widget);
  guint n = self->atoms != NULL ? self->atoms->n_atoms : 0;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = 200;
  else
    {
      *minimum = MAX (24, 8 * n + 4);
      *natural = CLAMP (16 * n + 4, 24, 200);
    }
}

void
atomscope_raster_view_set_atoms (AtomscopeRasterView *self, AsFigureAtoms *atoms, guint64 generation)
{
  guint before;

  g_return_if_fail (ATOMSCOPE_IS_RASTER_VIEW (self));
  before = self->atoms != NULL ? self->atoms->n_atoms : 0;
  if (atoms != NULL)
    as_figure_atoms_ref (atoms);
  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  self->atoms = atoms;
  self->generation = generation;
  if (before != (atoms != NULL ? atoms->n_atoms : 0))
    gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
atomscope_raster_view_set_selected (AtomscopeRasterView *self, int atom)
{
  g_return_if_fail (ATOMSCOPE_IS_RASTER_VIEW (self));
  atom = MAX (atom, -1);
  if (atom == self->selected)
    return;
  self->selected = atom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint64
atomscope_raster_view_get_drawn_generation (AtomscopeRasterView *self)
{
  return self->drawn_generation;
}

/* The occurrence nearest to (x, y) within 6 pixels, in the atom row under y. */
static const AsCdlOccurrence *
occurrence_at (AtomscopeRasterView *self, double x, double y, int *atom, double *time)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  double plot_w = w - AS_FIGURE_PLOT_LEFT - AS_FIGURE_PLOT_RIGHT, best = 6;
  const AsCdlOccurrence *found = NULL;
  GArray *occ;
  int k;

  if (self->atoms == NULL || self->atoms->n_atoms == 0 || plot_w <= 0 || h <= 4)
    return NULL;
  k = (int) ((y - 2) / ((h - 4) / self->atoms->n_atoms));
  if (k < 0 || k >= (int) self->atoms->n_atoms)
    return NULL;
  occ = self->atoms->occurrences[k];
  for (guint i = 0; i < occ->len; i++)
    {
      const AsCdlOccurrence *o = &g_array_index (occ, AsCdlOccurrence, i);
      double t = as_figure_atoms_occurrence_time (self->atoms, o);
      double px = AS_FIGURE_PLOT_LEFT + (t - self->page_start) / self->page_length * plot_w;

      if (o->trial == 0 && fabs (px - x) < best)
        {
          best = fabs (px - x);
          found = o;
          *time = t;
        }
    }
  *atom = k;
  return found;
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  AtomscopeRasterView *self = user_data;
  double t = 0;
  int k = -1;

  if (occurrence_at (self, x, y, &k, &t) != NULL)
    g_signal_emit (self, signals[OCCURRENCE_ACTIVATED], 0, k, t);
  else if (k >= 0)
    atomscope_raster_view_set_selected (self, k == self->selected ? -1 : k);
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  gpointer user_data)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (widget);
  const AsCdlOccurrence *o;
  g_autofree char *text = NULL;
  double t = 0;
  int k = -1;

  o = occurrence_at (self, x, y, &k, &t);
  if (o == NULL)
    return FALSE;
  text = g_strdup_printf (_("Atom %d at %.3f s, activation %.3g"), k + 1, t, o->amplitude);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
atomscope_raster_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      g_value_set_double (value, self->page_start);
      break;
    case PROP_PAGE_LENGTH:
      g_value_set_double (value, self->page_length);
      break;
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_raster_view_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (object);
  double d;

  switch (prop_id)
    {
    case PROP_PAGE_START:
      d = g_value_get_double (value);
      if (d != self->page_start)
        {
          self->page_start = d;
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_PAGE_LENGTH:
      d = g_value_get_double (value);
      if (d != self->page_length)
        {
          self->page_length = d;
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_SELECTED:
      atomscope_raster_view_set_selected (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_raster_view_finalize (GObject *object)
{
  AtomscopeRasterView *self = ATOMSCOPE_RASTER_VIEW (object);

  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  G_OBJECT_CLASS (atomscope_raster_view_parent_class)->finalize (object);
}

static void
atomscope_raster_view_class_init (AtomscopeRasterViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = atomscope_raster_view_finalize;
  object_class->get_property = atomscope_raster_view_get_property;
  object_class->set_property = atomscope_raster_view_set_property;
  widget_class->snapshot = atomscope_raster_view_snapshot;
  widget_class->measure = atomscope_raster_view_measure;

  properties[PROP_PAGE_START] =
    g_param_spec_double ("page-start", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_LENGTH] =
    g_param_spec_double ("page-length", NULL, NULL, 0.001, G_MAXDOUBLE, 10,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (atom, time in s) of the occurrence clicked. */
  signals[OCCURRENCE_ACTIVATED] =
    g_signal_new ("occurrence-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_DOUBLE);
  gtk_widget_class_set_css_name (widget_class, "rasterview");
}

static void
atomscope_raster_view_init (AtomscopeRasterView *self)
{
  GtkGesture *click;

  self->selected = -1;
  self->page_length = 10;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  atomscope_figure_style_track (GTK_WIDGET (self), NULL);
}

GtkWidget *
atomscope_raster_view_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_RASTER_VIEW, NULL);
}
