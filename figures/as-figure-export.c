/* as-figure-export.c: figures to PNG, SVG and PDF files.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure-export"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "as-figure-export.h"
#include "as-output.h"

const char *
as_figure_format_extension (AsFigureFormat format)
{
  switch (format)
    {
    case AS_FIGURE_FORMAT_SVG:
      return "svg";
    case AS_FIGURE_FORMAT_PDF:
      return "pdf";
    case AS_FIGURE_FORMAT_PNG:
    default:
      return "png";
    }
}

static cairo_status_t
write_stream (void *closure, const unsigned char *data, unsigned int length)
{
  FILE *stream = closure;

  return fwrite (data, 1, length, stream) == length ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

gboolean
as_figure_export (const char *path, AsFigureFormat format, double width, double height, double dpi,
                  AsFigureDrawFunc draw, gpointer user_data, gboolean overwrite, GError **error)
{
  AsOutput *out;
  FILE *stream;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  double scale;

  g_return_val_if_fail (path != NULL && draw != NULL, FALSE);

  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  stream = as_output_get_stream (out);

  if (format == AS_FIGURE_FORMAT_PNG)
    {
      scale = CLAMP (dpi, 24, 1200) / 96.0;
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width * scale),
                                            (int) ceil (height * scale));
    }
  else
    {
      scale = 72.0 / 96.0;  /* points per pixel at 96 dpi */
      if (format == AS_FIGURE_FORMAT_SVG)
        surface = cairo_svg_surface_create_for_stream (write_stream, stream, width * scale, height * scale);
      else
        surface = cairo_pdf_surface_create_for_stream (write_stream, stream, width * scale, height * scale);
    }

  cr = cairo_create (surface);
  cairo_scale (cr, scale, scale);
  draw (cr, width, height, user_data);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == AS_FIGURE_FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_stream, stream);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      as_output_abort (out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: could not draw the figure: %s"),
                   path, cairo_status_to_string (status));
      return FALSE;
    }
  return as_output_commit (out, error);
}
