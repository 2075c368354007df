/* atomscope-figure-style.h: the figure colours for a widget, light or dark
 * as libadwaita's style manager says, and a redraw when that changes.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "as-figure.h"

G_BEGIN_DECLS

static inline void
atomscope_figure_style_init (AsFigureStyle *style)
{
  if (adw_style_manager_get_dark (adw_style_manager_get_default ()))
    as_figure_style_init_dark (style);
  else
    as_figure_style_init_light (style);
}

/* Draws a cheap figure into an image surface in this process and paints it
 * through a cairo node.  With the cairo renderer on X11, paths drawn straight
 * into the node would be rasterised by the X server at every frame; GTK keeps
 * the node until the widget queues a redraw.  Costly figures use
 * atomscope-figure-worker.h instead. */
static inline void
atomscope_figure_append (GtkWidget *widget, GtkSnapshot *snapshot,
                         void (*draw) (cairo_t *cr, double width, double height, gpointer data),
                         gpointer data)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  int scale = gtk_widget_get_scale_factor (widget);
  cairo_surface_t *surface;
  cairo_t *cr;

  if (w <= 0 || h <= 0)
    return;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * scale, h * scale);
  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  draw (cr, w, h, data);
  cairo_destroy (cr);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  cairo_scale (cr, 1.0 / scale, 1.0 / scale);
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

/* Calls @invalidate (widget) when the style switches between light and dark. */
static inline void
atomscope_figure_style_track (GtkWidget *widget, GCallback invalidate)
{
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           invalidate != NULL ? invalidate : G_CALLBACK (gtk_widget_queue_draw),
                           widget, G_CONNECT_SWAPPED);
}

G_END_DECLS
