/* as-figure-text.h: text in figures, laid out with Pango on any cairo_t.
 *
 * Sizes are in the figure's user units (pixels of 1/96 inch on screen and in
 * exports), so a label has the same size in a widget, a PNG at any DPI, an SVG
 * and a PDF.  The colour is the cairo source set before the call.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

#include "as-figure.h"

G_BEGIN_DECLS

typedef enum
{
  AS_FIGURE_TEXT_NORMAL = 0,
  AS_FIGURE_TEXT_BOLD   = 1 << 0,
  AS_FIGURE_TEXT_ITALIC = 1 << 1,
} AsFigureTextFlags;

/* Draws @text (UTF-8, may hold several lines) at style->font_size × @scale so that
 * the point at fractions (@align_x, @align_y) of its logical box lands on (@x, @y):
 * (0, 0) top left, (0.5, 0.5) centre, (1, 1) bottom right.  Returns the width. */
double as_figure_text         (cairo_t             *cr,
                               const AsFigureStyle *style,
                               double               scale,
                               AsFigureTextFlags    flags,
                               const char          *text,
                               double               x,
                               double               y,
                               double               align_x,
                               double               align_y);

/* The same turned by −90° (reading upwards), as a y axis title: @align_x runs
 * along the text, @align_y across it. */
void   as_figure_text_upwards (cairo_t             *cr,
                               const AsFigureStyle *style,
                               double               scale,
                               AsFigureTextFlags    flags,
                               const char          *text,
                               double               x,
                               double               y,
                               double               align_x,
                               double               align_y);

/* Logical size of @text as as_figure_text() would draw it. */
void   as_figure_text_size    (cairo_t             *cr,
                               const AsFigureStyle *style,
                               double               scale,
                               AsFigureTextFlags    flags,
                               const char          *text,
                               double              *width,
                               double              *height);

G_END_DECLS
