/* atomscope-atoms-panel.c: paints as_figure_draw_atoms(); a click picks an
 * atom, hovering tells its figures.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-atoms-panel"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "atomscope-atoms-panel.h"
#include "atomscope-figure-style.h"
#include "atomscope-figure-worker.h"

struct _AtomscopeAtomsPanel
{
  GtkWidget      parent_instance;
  AsFigureAtoms *atoms;
  guint64        generation;
  guint64        drawn_generation;
  int            selected;
  AtomscopeFigureWorker *worker;
  gboolean       dirty;
};

enum
{
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtomscopeAtomsPanel, atomscope_atoms_panel, GTK_TYPE_WIDGET)

typedef struct
{
  AsFigureAtoms *atoms;
  int            selected;
  gboolean       dark;
} AtomsRender;

static void
atoms_render_free (AtomsRender *r)
{
  g_clear_pointer (&r->atoms, as_figure_atoms_unref);
  g_free (r);
}

static void
draw_atoms_render (cairo_t *cr, double width, double height, gpointer data)
{
  AtomsRender *r = data;
  AsFigureStyle style;

  if (r->dark)
    as_figure_style_init_dark (&style);
  else
    as_figure_style_init_light (&style);
  as_figure_draw_atoms (cr, width, height, &style, r->atoms, r->selected);
}

static void
invalidate (AtomscopeAtomsPanel *self)
{
  self->dirty = TRUE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Painted on the figure worker: spectra and topographies take a while. */
static void
atomscope_atoms_panel_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (widget);
  guint64 generation;

  if (self->dirty || atomscope_figure_worker_stale (self->worker))
    {
      AtomsRender *r = g_new0 (AtomsRender, 1);

      r->atoms = self->atoms != NULL ? as_figure_atoms_ref (self->atoms) : NULL;
      r->selected = self->selected;
      r->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
      atomscope_figure_worker_request (self->worker, draw_atoms_render, r,
                                       (GDestroyNotify) atoms_render_free, self->generation);
      self->dirty = FALSE;
    }
  if (atomscope_figure_worker_append (self->worker, snapshot, &generation))
    self->drawn_generation = generation;
}

static GtkSizeRequestMode
atomscope_atoms_panel_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
atomscope_atoms_panel_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                               int *minimum, int *natural, int *minimum_baseline,
                               int *natural_baseline)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 280;
      *natural = 420;
    }
  else
    {
      double width = for_size > 0 ? for_size : 420;
      double row = as_figure_atoms_row_height (self->atoms, width);
      int n_rows = 0;

      if (self->atoms != NULL)
        {
          n_rows = self->atoms->n_atoms;
          if (self->atoms->model->shape.atom_height > 1)
            n_rows = (int) ceil ((double) n_rows / ceil (sqrt (MAX (n_rows, 1))));
        }
      *minimum = *natural = MAX (80, (int) ceil (n_rows * row));
    }
}

void
atomscope_atoms_panel_set_atoms (AtomscopeAtomsPanel *self, AsFigureAtoms *atoms, guint64 generation)
{
  gboolean resize;

  g_return_if_fail (ATOMSCOPE_IS_ATOMS_PANEL (self));
  resize = self->atoms == NULL || atoms == NULL || self->atoms->n_atoms != atoms->n_atoms
           || self->atoms->topographies != atoms->topographies;
  if (atoms != NULL)
    as_figure_atoms_ref (atoms);
  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  self->atoms = atoms;
  self->generation = generation;
  if (resize)
    gtk_widget_queue_resize (GTK_WIDGET (self));
  invalidate (self);
}

AsFigureAtoms *
atomscope_atoms_panel_get_atoms (AtomscopeAtomsPanel *self)
{
  return self->atoms;
}

void
atomscope_atoms_panel_set_selected (AtomscopeAtomsPanel *self, int atom)
{
  g_return_if_fail (ATOMSCOPE_IS_ATOMS_PANEL (self));
  atom = MAX (atom, -1);
  if (atom == self->selected)
    return;
  self->selected = atom;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
  invalidate (self);
}

int
atomscope_atoms_panel_get_selected (AtomscopeAtomsPanel *self)
{
  return self->selected;
}

guint64
atomscope_atoms_panel_get_drawn_generation (AtomscopeAtomsPanel *self)
{
  return self->drawn_generation;
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, gpointer user_data)
{
  AtomscopeAtomsPanel *self = user_data;
  int k = as_figure_atoms_hit (self->atoms, gtk_widget_get_width (GTK_WIDGET (self)), x, y);

  /* A second click on the selected atom clears the selection. */
  atomscope_atoms_panel_set_selected (self, k == self->selected ? -1 : k);
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip,
                  gpointer user_data)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (widget);
  int k = as_figure_atoms_hit (self->atoms, gtk_widget_get_width (widget), x, y);
  g_autofree char *text = NULL;
  guint n;

  if (k < 0)
    return FALSE;
  n = self->atoms->occurrences[k]->len;
  if (self->atoms->duration > 0)
    text = g_strdup_printf (_("Atom %d: %u occurrences (%.2f per second), length %.3g s, largest activation %.3g"),
                            k + 1, n, n / self->atoms->duration,
                            as_figure_atoms_atom_duration (self->atoms), self->atoms->max_amplitude[k]);
  else
    text = g_strdup_printf (_("Atom %d: %u occurrences, largest activation %.3g"),
                            k + 1, n, self->atoms->max_amplitude[k]);
  if (self->atoms->weak != NULL && self->atoms->weak[k] != NULL)
    {
      /* Why the atom is marked "weak" (the words of the model's record). */
      char *both = g_strdup_printf ("%s\n%s", text, self->atoms->weak[k]);
      g_free (text);
      text = both;
    }
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
atomscope_atoms_panel_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_int (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_atoms_panel_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      atomscope_atoms_panel_set_selected (self, g_value_get_int (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The view stops its worker when it goes: a render in flight ends on its own
 * and its result is dropped. */
static void
atomscope_atoms_panel_dispose (GObject *object)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (object);

  g_clear_pointer (&self->worker, atomscope_figure_worker_free);
  G_OBJECT_CLASS (atomscope_atoms_panel_parent_class)->dispose (object);
}

static void
atomscope_atoms_panel_finalize (GObject *object)
{
  AtomscopeAtomsPanel *self = ATOMSCOPE_ATOMS_PANEL (object);

  g_clear_pointer (&self->atoms, as_figure_atoms_unref);
  G_OBJECT_CLASS (atomscope_atoms_panel_parent_class)->finalize (object);
}

static void
atomscope_atoms_panel_class_init (AtomscopeAtomsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_atoms_panel_dispose;
  object_class->finalize = atomscope_atoms_panel_finalize;
  object_class->get_property = atomscope_atoms_panel_get_property;
  object_class->set_property = atomscope_atoms_panel_set_property;
  widget_class->snapshot = atomscope_atoms_panel_snapshot;
  widget_class->measure = atomscope_atoms_panel_measure;
  widget_class->get_request_mode = atomscope_atoms_panel_get_request_mode;

  properties[PROP_SELECTED] =
    g_param_spec_int ("selected", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "atomspanel");
}

static void
atomscope_atoms_panel_init (AtomscopeAtomsPanel *self)
{
  GtkGesture *click;

  self->selected = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
  click = gtk_gesture_click_new ();
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  atomscope_figure_style_track (GTK_WIDGET (self), G_CALLBACK (invalidate));
  self->worker = atomscope_figure_worker_new (GTK_WIDGET (self));
  self->dirty = TRUE;
}

GtkWidget *
atomscope_atoms_panel_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_ATOMS_PANEL, NULL);
}

gboolean
atomscope_atoms_panel_is_rendering (AtomscopeAtomsPanel *self)
{
  /* A widget that is not on screen draws nothing, so it is never behind. */
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)) || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return FALSE;
  return self->dirty || atomscope_figure_worker_busy (self->worker)
         || atomscope_figure_worker_stale (self->worker);
}
