/* as-figure-text.c: Pango text for the figures.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure"

#include "config.h"

#include <pango/pangocairo.h>

#include "as-figure-text.h"

/* One Pango context per thread: figures are painted on the main loop and on
 * workers, and PangoCairo's default font map is itself per thread. */
static GPrivate thread_context = G_PRIVATE_INIT (g_object_unref);

static PangoLayout *
make_layout (cairo_t *cr, const AsFigureStyle *style, double scale, AsFigureTextFlags flags,
             const char *text)
{
  PangoContext *context = g_private_get (&thread_context);
  PangoFontDescription *font;
  PangoLayout *layout;

  if (context == NULL)
    {
      cairo_font_options_t *options = cairo_font_options_create ();

      context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
      /* Unhinted metrics: a label is as wide in a PNG at 300 dpi as on screen. */
      cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
      pango_cairo_context_set_font_options (context, options);
      cairo_font_options_destroy (options);
      g_private_set (&thread_context, context);
    }
  pango_cairo_update_context (cr, context);
  layout = pango_layout_new (context);
  font = pango_font_description_from_string ("Sans");
  pango_font_description_set_absolute_size (font, MAX (style->font_size * scale, 1.0) * PANGO_SCALE);
  if (flags & AS_FIGURE_TEXT_BOLD)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  if (flags & AS_FIGURE_TEXT_ITALIC)
    pango_font_description_set_style (font, PANGO_STYLE_ITALIC);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

double
as_figure_text (cairo_t *cr, const AsFigureStyle *style, double scale, AsFigureTextFlags flags,
                const char *text, double x, double y, double align_x, double align_y)
{
  PangoLayout *layout;
  PangoRectangle logical;
  double w, h;

  if (text == NULL || *text == '\0')
    return 0;
  layout = make_layout (cr, style, scale, flags, text);
  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_move_to (cr, x - align_x * w - (double) logical.x / PANGO_SCALE,
                 y - align_y * h - (double) logical.y / PANGO_SCALE);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  g_object_unref (layout);
  return w;
}

void
as_figure_text_upwards (cairo_t *cr, const AsFigureStyle *style, double scale,
                        AsFigureTextFlags flags, const char *text, double x, double y,
                        double align_x, double align_y)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2);
  as_figure_text (cr, style, scale, flags, text, 0, 0, align_x, align_y);
  cairo_restore (cr);
}

void
as_figure_text_size (cairo_t *cr, const AsFigureStyle *style, double scale,
                     AsFigureTextFlags flags, const char *text, double *width, double *height)
{
  PangoLayout *layout;
  PangoRectangle logical;

  if (text == NULL || *text == '\0')
    {
      if (width)
        *width = 0;
      if (height)
        *height = 0;
      return;
    }
  layout = make_layout (cr, style, scale, flags, text);
  pango_layout_get_extents (layout, NULL, &logical);
  if (width)
    *width = (double) logical.width / PANGO_SCALE;
  if (height)
    *height = (double) logical.height / PANGO_SCALE;
  g_object_unref (layout);
}
