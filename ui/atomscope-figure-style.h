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

static inline void
atomscope_figure_style_track (GtkWidget *widget)
{
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), widget, G_CONNECT_SWAPPED);
}

G_END_DECLS
