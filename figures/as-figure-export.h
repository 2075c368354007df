/* as-figure-export.h: a figure drawn onto a PNG (at a chosen DPI), SVG or PDF
 * surface and written through as-output (temporary file, then rename).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AS_FIGURE_FORMAT_PNG,
  AS_FIGURE_FORMAT_SVG,
  AS_FIGURE_FORMAT_PDF,
} AsFigureFormat;

/* Draws a figure of @width × @height user units on @cr. */
typedef void (*AsFigureDrawFunc) (cairo_t *cr, double width, double height, gpointer user_data);

const char *as_figure_format_extension (AsFigureFormat format);

/* The figure is laid out at @width × @height pixels of 1/96 inch (as on screen);
 * PNGs are rendered at @dpi, SVG and PDF are vector at the same physical size. */
gboolean as_figure_export (const char      *path,
                           AsFigureFormat   format,
                           double           width,
                           double           height,
                           double           dpi,
                           AsFigureDrawFunc draw,
                           gpointer         user_data,
                           gboolean         overwrite,
                           GError         **error);

G_END_DECLS
