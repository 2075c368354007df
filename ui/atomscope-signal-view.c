/* atomscope-signal-view.c: draws with as_figure_draw_signals(), pans with
 * scroll, drag and the keyboard.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-signal-view"

#include "config.h"

#include <adwaita.h>

#include "as-figure.h"
#include "atomscope-signal-view.h"

struct _AtomscopeSignalView
{
  GtkWidget    parent_instance;
  AsRecording *recording;
  double       page_start;   /* s */
  double       page_length;  /* s */
  double       drag_start;
};

enum
{
  PROP_0,
  PROP_PAGE_START,
  PROP_PAGE_LENGTH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AtomscopeSignalView, atomscope_signal_view, GTK_TYPE_WIDGET)

static void
atomscope_signal_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  AsFigureStyle style;
  cairo_t *cr;

  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    as_figure_style_init_dark (&style);
  else
    as_figure_style_init_light (&style);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  as_figure_draw_signals (cr, w, h, &style, self->recording, self->page_start, self->page_length);
  cairo_destroy (cr);
}

static double
max_start (AtomscopeSignalView *self)
{
  if (self->recording == NULL)
    return 0;
  return MAX (0.0, as_recording_duration (self->recording) - self->page_length);
}

void
atomscope_signal_view_set_page_start (AtomscopeSignalView *self, double t0)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  t0 = CLAMP (t0, 0.0, max_start (self));
  if (t0 == self->page_start)
    return;
  self->page_start = t0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_START]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
atomscope_signal_view_get_page_start (AtomscopeSignalView *self)
{
  return self->page_start;
}

void
atomscope_signal_view_set_page_length (AtomscopeSignalView *self, double seconds)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  seconds = MAX (seconds, 0.01);
  if (seconds == self->page_length)
    return;
  self->page_length = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_LENGTH]);
  atomscope_signal_view_set_page_start (self, self->page_start);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
atomscope_signal_view_get_page_length (AtomscopeSignalView *self)
{
  return self->page_length;
}

void
atomscope_signal_view_set_recording (AtomscopeSignalView *self, AsRecording *rec)
{
  g_return_if_fail (ATOMSCOPE_IS_SIGNAL_VIEW (self));
  if (rec == self->recording)
    return;
  g_clear_pointer (&self->recording, as_recording_unref);
  if (rec != NULL)
    self->recording = as_recording_ref (rec);
  self->page_start = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_START]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

AsRecording *
atomscope_signal_view_get_recording (AtomscopeSignalView *self)
{
  return self->recording;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  GdkModifierType mods = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));

  if (mods & GDK_CONTROL_MASK)
    atomscope_signal_view_set_page_length (self, self->page_length * (dy > 0 ? 1.25 : 0.8));
  else
    atomscope_signal_view_set_page_start (self, self->page_start + 0.1 * self->page_length * (dx + dy));
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;

  self->drag_start = self->page_start;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, gpointer user_data)
{
  AtomscopeSignalView *self = user_data;
  double plot_w = MAX (1, gtk_widget_get_width (GTK_WIDGET (self)) - 102);

  atomscope_signal_view_set_page_start (self, self->drag_start - dx / plot_w * self->page_length);
}

static gboolean
on_key (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
        gpointer user_data)
{
  AtomscopeSignalView *self = user_data;

  switch (keyval)
    {
    case GDK_KEY_Page_Down:
      atomscope_signal_view_set_page_start (self, self->page_start + self->page_length);
      return TRUE;
    case GDK_KEY_Page_Up:
      atomscope_signal_view_set_page_start (self, self->page_start - self->page_length);
      return TRUE;
    case GDK_KEY_Right:
      atomscope_signal_view_set_page_start (self, self->page_start + 0.1 * self->page_length);
      return TRUE;
    case GDK_KEY_Left:
      atomscope_signal_view_set_page_start (self, self->page_start - 0.1 * self->page_length);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
atomscope_signal_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      g_value_set_double (value, self->page_start);
      break;
    case PROP_PAGE_LENGTH:
      g_value_set_double (value, self->page_length);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_signal_view_set_property (GObject *object, guint prop_id, const GValue *value,
                                    GParamSpec *pspec)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  switch (prop_id)
    {
    case PROP_PAGE_START:
      atomscope_signal_view_set_page_start (self, g_value_get_double (value));
      break;
    case PROP_PAGE_LENGTH:
      atomscope_signal_view_set_page_length (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
atomscope_signal_view_finalize (GObject *object)
{
  AtomscopeSignalView *self = ATOMSCOPE_SIGNAL_VIEW (object);

  g_clear_pointer (&self->recording, as_recording_unref);
  G_OBJECT_CLASS (atomscope_signal_view_parent_class)->finalize (object);
}

static void
atomscope_signal_view_class_init (AtomscopeSignalViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = atomscope_signal_view_finalize;
  object_class->get_property = atomscope_signal_view_get_property;
  object_class->set_property = atomscope_signal_view_set_property;
  widget_class->snapshot = atomscope_signal_view_snapshot;

  properties[PROP_PAGE_START] =
    g_param_spec_double ("page-start", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PAGE_LENGTH] =
    g_param_spec_double ("page-length", NULL, NULL, 0.01, G_MAXDOUBLE, 10,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  gtk_widget_class_set_css_name (widget_class, "signalview");
}

static void
atomscope_signal_view_init (AtomscopeSignalView *self)
{
  GtkEventController *scroll, *key;
  GtkGesture *drag;

  self->page_length = 10.0;
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self), "signal-view");

  scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  key = gtk_event_controller_key_new ();
  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
}

GtkWidget *
atomscope_signal_view_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_SIGNAL_VIEW, NULL);
}
