/* as-figure.c: GTK-free drawing of the recording figures.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-display.h"
#include "as-figure.h"
#include "as-figure-atoms.h"
#include "as-figure-nystagmus.h"
#include "as-figure-axis.h"
#include "as-figure-text.h"

void
as_figure_style_init_light (AsFigureStyle *style)
{
  *style = (AsFigureStyle) {
    .foreground = { 0.14, 0.14, 0.16, 1.0 },
    .background = { 1.0, 1.0, 1.0, 1.0 },
    .grid = { 0.0, 0.0, 0.0, 0.10 },
    .trace = { 0.11, 0.44, 0.85, 1.0 },   /* libadwaita blue 3 */
    .event = { 0.90, 0.38, 0.0, 0.9 },    /* orange 4 */
    .reconstruction = { 0.75, 0.11, 0.16, 0.9 }, /* red 4 */
    .font_size = 11.0,
  };
}

void
as_figure_style_init_dark (AsFigureStyle *style)
{
  *style = (AsFigureStyle) {
    .foreground = { 0.93, 0.93, 0.93, 1.0 },
    .background = { 0.12, 0.12, 0.12, 1.0 },
    .grid = { 1.0, 1.0, 1.0, 0.10 },
    .trace = { 0.47, 0.68, 0.95, 1.0 },
    .event = { 1.0, 0.64, 0.28, 0.9 },
    .reconstruction = { 1.0, 0.48, 0.48, 0.9 },
    .font_size = 11.0,
  };
}

void
as_figure_set_color (cairo_t *cr, const AsColor *c)
{
  cairo_set_source_rgba (cr, c->r, c->g, c->b, c->a);
}

double
as_figure_page_length_step (double seconds, int direction)
{
  /* Below a second, 1-2-5 steps; then the page lengths of clinical viewers
   * (10, 15, 20, 30 s), then minutes and hours. */
  static const double long_pages[] = { 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1200,
                                        1800, 3600, 7200, 14400, 28800, 43200, 86400 };
  double candidates[64];
  guint n = 0;

  for (int e = -3; e < 0; e++)
    for (int m = 0; m < 3; m++)
      candidates[n++] = (double[]) { 1, 2, 5 }[m] * pow (10, e);
  for (guint i = 0; i < G_N_ELEMENTS (long_pages); i++)
    candidates[n++] = long_pages[i];
  return as_figure_step_in (candidates, n, seconds, direction);
}

double
as_figure_step_in (const double *steps, guint n, double value, int direction)
{
  double best = steps[0], best_err = INFINITY;

  if (!(value > 0))
    return steps[0];
  for (guint i = 0; i < n; i++)
    {
      double v = steps[i], err;

      if (direction > 0 && v <= value * (1 + 1e-9))
        continue;
      if (direction < 0 && v >= value * (1 - 1e-9))
        continue;
      err = fabs (log (v / value));
      if (err < best_err)
        {
          best_err = err;
          best = v;
        }
    }
  if (!isfinite (best_err))
    return direction > 0 ? steps[n - 1] : steps[0];
  return best;
}

/* A channel marked bad, or a derivation ("Fp1-F7", "C3-avg") that uses one. */
/* One-pixel columns of a dense trace.  On an image surface drawn without scaling
 * they are written straight into its pixels (the same pixels cairo's aligned boxes
 * would give, source over destination, about twenty times sooner: cairo sorts and
 * merges every box of a fill); on any other target (SVG, PDF, a scaled or
 * clipped-to-a-shape context) they are cairo rectangles filled at the end. */
typedef struct
{
  cairo_t         *cr;
  cairo_surface_t *target;
  guint8          *pixels;
  int              stride;
  double           dx, dy;              /* user to device: a whole-pixel translation */
  int              cx0, cy0, cx1, cy1;  /* the clip, in device pixels */
  guint32          argb;                /* premultiplied source */
  guint            alpha;
  int              dirty_x0, dirty_y0, dirty_x1, dirty_y1;
} ColumnPainter;

static void
column_painter_begin (ColumnPainter *cp, cairo_t *cr, double r, double g, double b, double a)
{
  cairo_surface_t *target = cairo_get_group_target (cr);
  cairo_rectangle_list_t *clip = NULL;
  cairo_matrix_t m;
  double sx = 1, sy = 1, ox = 0, oy = 0;
  cairo_format_t format;

  memset (cp, 0, sizeof *cp);
  cp->cr = cr;
  cairo_set_source_rgba (cr, r, g, b, a);
  cairo_get_matrix (cr, &m);
  if (cairo_surface_get_type (target) != CAIRO_SURFACE_TYPE_IMAGE
      || cairo_get_operator (cr) != CAIRO_OPERATOR_OVER)
    return;
  format = cairo_image_surface_get_format (target);
  cairo_surface_get_device_scale (target, &sx, &sy);
  cairo_surface_get_device_offset (target, &ox, &oy);
  if ((format != CAIRO_FORMAT_ARGB32 && format != CAIRO_FORMAT_RGB24) || sx != 1 || sy != 1
      || m.xx != 1 || m.yy != 1 || m.xy != 0 || m.yx != 0 || m.x0 + ox != floor (m.x0 + ox)
      || m.y0 + oy != floor (m.y0 + oy))
    return;
  clip = cairo_copy_clip_rectangle_list (cr);
  if (clip->status != CAIRO_STATUS_SUCCESS || clip->num_rectangles != 1)
    {
      cairo_rectangle_list_destroy (clip);
      return;
    }
  cp->dx = m.x0 + ox;
  cp->dy = m.y0 + oy;
  /* the clip rectangle, in user space, to device pixels inside the surface */
  cp->cx0 = MAX (0, (int) ceil (clip->rectangles[0].x + cp->dx));
  cp->cy0 = MAX (0, (int) ceil (clip->rectangles[0].y + cp->dy));
  cp->cx1 = MIN (cairo_image_surface_get_width (target),
                 (int) floor (clip->rectangles[0].x + clip->rectangles[0].width + cp->dx));
  cp->cy1 = MIN (cairo_image_surface_get_height (target),
                 (int) floor (clip->rectangles[0].y + clip->rectangles[0].height + cp->dy));
  cairo_rectangle_list_destroy (clip);
  cairo_surface_flush (target);
  cp->pixels = cairo_image_surface_get_data (target);
  if (cp->pixels == NULL)
    return;
  cp->target = target;
  cp->stride = cairo_image_surface_get_stride (target);
  cp->alpha = (guint) lround (CLAMP (a, 0, 1) * 255);
  cp->argb = ((guint32) cp->alpha << 24) | ((guint32) lround (CLAMP (r, 0, 1) * cp->alpha) << 16)
             | ((guint32) lround (CLAMP (g, 0, 1) * cp->alpha) << 8)
             | (guint32) lround (CLAMP (b, 0, 1) * cp->alpha);
  cp->dirty_x0 = cp->dirty_y0 = G_MAXINT;
  cp->dirty_x1 = cp->dirty_y1 = G_MININT;
}

/* The column of pixels x (user space, whole) from row y0 to y1 (excluded). */
static void
column_painter_add (ColumnPainter *cp, double x, double y0, double y1)
{
  int px, a, b;

  if (cp->target == NULL)
    {
      cairo_rectangle (cp->cr, x, y0, 1, y1 - y0);
      return;
    }
  px = (int) (x + cp->dx);
  a = MAX ((int) (y0 + cp->dy), cp->cy0);
  b = MIN ((int) (y1 + cp->dy), cp->cy1);
  if (px < cp->cx0 || px >= cp->cx1 || a >= b)
    return;
  cp->dirty_x0 = MIN (cp->dirty_x0, px);
  cp->dirty_x1 = MAX (cp->dirty_x1, px + 1);
  cp->dirty_y0 = MIN (cp->dirty_y0, a);
  cp->dirty_y1 = MAX (cp->dirty_y1, b);
  for (int y = a; y < b; y++)
    {
      guint32 *d = (guint32 *) (cp->pixels + (gsize) y * cp->stride) + px;

      if (cp->alpha == 255)
        *d = cp->argb;
      else
        {
          /* source over destination, premultiplied, channel by channel */
          guint32 out = 0, inv = 255 - cp->alpha;
          for (int shift = 0; shift < 32; shift += 8)
            {
              guint v = ((cp->argb >> shift) & 0xff) + (((*d >> shift) & 0xff) * inv + 127) / 255;
              out |= (guint32) MIN (v, 255u) << shift;
            }
          *d = out;
        }
    }
}

static void
column_painter_end (ColumnPainter *cp)
{
  if (cp->target == NULL)
    {
      cairo_fill (cp->cr);
      return;
    }
  if (cp->dirty_x1 > cp->dirty_x0)
    cairo_surface_mark_dirty_rectangle (cp->target, cp->dirty_x0, cp->dirty_y0,
                                        cp->dirty_x1 - cp->dirty_x0, cp->dirty_y1 - cp->dirty_y0);
}

static gboolean
label_is_bad (const char *const *bad, const char *label)
{
  g_auto (GStrv) parts = NULL;

  if (bad == NULL || label == NULL)
    return FALSE;
  if (g_strv_contains (bad, label))
    return TRUE;
  parts = g_strsplit (label, "-", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (g_strv_contains (bad, parts[i]))
      return TRUE;
  return FALSE;
}

/* MNE-Python's default scalings per channel type (raw.plot), in µV: a trace
 * of another type is read at the sensitivity times the ratio of its scaling
 * to the first channel's. */
static double
type_scaling (AsChannelType type)
{
  switch (type)
    {
    case AS_CHANNEL_EEG: return 20;
    case AS_CHANNEL_EOG: return 150;
    case AS_CHANNEL_ECG: return 500;
    case AS_CHANNEL_EMG: return 1000;
    default: return 0;
    }
}

double
as_figure_sensitivity_factor (const AsRecording *rec, guint c)
{
  const AsChannel *ref = &rec->channels[0], *ch = &rec->channels[c];
  double a, b;

  if (g_strcmp0 (ref->unit ? ref->unit : "", ch->unit ? ch->unit : "") != 0)
    return 0;
  if (ch->type == ref->type)
    return 1;
  a = type_scaling (ref->type);
  b = type_scaling (ch->type);
  return a > 0 && b > 0 ? b / a : 1;
}

double
as_figure_sensitivity_step (double per_mm, int direction)
{
  /* The sensitivities of clinical EEG (µV/mm), times powers of ten for other units. */
  static const double clinical[] = { 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70 };
  double steps[11 * 9];
  guint n = 0;

  for (int e = -4; e <= 4; e++)
    for (guint i = 0; i < G_N_ELEMENTS (clinical); i++)
      steps[n++] = clinical[i] * pow (10, e);
  return as_figure_step_in (steps, n, per_mm, direction);
}

void
as_figure_draw_signals (cairo_t             *cr,
                        double               width,
                        double               height,
                        const AsFigureStyle *style,
                        const AsRecording   *rec,
                        double               t0,
                        double               duration)
{
  AsFigureSignalOptions options = { .selected_atom = -1 };

  as_figure_draw_signals_full (cr, width, height, style, rec, t0, duration, &options);
}

/* Occurrences of the learned atoms: a band over the atom's extent for the
 * selected atom, small ticks along the top for the others. */
static void
draw_occurrences (cairo_t *cr, const AsFigureStyle *style, const AsFigureSignalOptions *options,
                  double left, double top, double plot_w, double plot_h, double t0, double duration)
{
  const AsFigureAtoms *atoms = options->atoms;
  gboolean dark = style->background.r < 0.5;
  double dur = as_figure_atoms_atom_duration (atoms);

  cairo_save (cr);
  cairo_rectangle (cr, left, top, plot_w, plot_h);
  cairo_clip (cr);
  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      GArray *occ = atoms->occurrences[k];
      gboolean strong = options->selected_atom == (int) k;
      AsColor color;

      if (options->selected_atom >= 0 && !strong)
        continue;
      as_figure_atom_color (k, dark, &color);
      for (guint i = 0; i < occ->len; i++)
        {
          const AsCdlOccurrence *o = &g_array_index (occ, AsCdlOccurrence, i);
          double t = as_figure_atoms_occurrence_time (atoms, o);
          double x0 = left + (t - t0) / duration * plot_w, x1 = x0 + dur / duration * plot_w;

          if (o->trial != 0 || x1 < left || x0 > left + plot_w)
            continue;
          if (strong)
            {
              /* Onset line across the channels, a bar over the atom's extent on top. */
              cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.35);
              cairo_rectangle (cr, floor (x0), top, 1, plot_h);
              cairo_fill (cr);
              cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.10);
              cairo_rectangle (cr, x0 + 1, top, MAX (x1 - x0 - 2, 1), plot_h);
              cairo_fill (cr);
              as_figure_set_color (cr, &color);
              cairo_rectangle (cr, x0 + 1, top, MAX (x1 - x0 - 2, 2), 5);
              cairo_fill (cr);
            }
          else
            {
              cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.9);
              cairo_rectangle (cr, x0 + 1, top + 4.0 * (k % 3), MAX (x1 - x0 - 2, 2), 3);
              cairo_fill (cr);
            }
        }
    }
  cairo_restore (cr);
}

void
as_figure_draw_signals_full (cairo_t                     *cr,
                             double                       width,
                             double                       height,
                             const AsFigureStyle         *style,
                             const AsRecording           *rec,
                             double                       t0,
                             double                       duration,
                             const AsFigureSignalOptions *options)
{
  const double left = AS_FIGURE_PLOT_LEFT, right = AS_FIGURE_PLOT_RIGHT, top = 8, bottom = 28;
  double plot_w = width - left - right, plot_h = height - top - bottom;
  const double lt0 = t0 - options->time_origin;
  double row_h, common_half = 0, font;
  gsize s0, s1;
  int n_px;
  g_autofree double *mids = NULL, *halves = NULL;
  g_autofree gsize *col_a = NULL, *col_b = NULL;

  /* A recording read page by page: its page from the file, as recorded. */
  if (rec != NULL && rec->data == NULL && rec->paged != NULL && duration > 0)
    {
      AsFigureSignalOptions page_options = *options;
      g_autoptr (AsRecording) page = as_display_page_for_width (rec, NULL, NULL, t0 - options->time_origin,
                                                                duration, plot_w,
                                                                &page_options.time_origin, NULL);
      page_options.time_origin += options->time_origin;
      as_figure_draw_signals_full (cr, width, height, style, page, t0, duration, &page_options);
      return;
    }
  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (rec == NULL || rec->data == NULL || rec->n_channels == 0 || rec->n_samples == 0 || plot_w < 10 || plot_h < 10
      || !(duration > 0))
    return;

  row_h = plot_h / rec->n_channels;
  font = MIN (style->font_size, MAX (6.0, row_h * 0.9));
  n_px = (int) ceil (plot_w);

  /* Samples and events are placed at their time in @rec (lt0 from its first
   * sample); the axis and the occurrences speak of the whole recording. */
  s0 = (gsize) CLAMP (floor (lt0 * rec->sfreq), 0, (double) rec->n_samples - 1);
  s1 = (gsize) CLAMP (ceil ((lt0 + duration) * rec->sfreq), (double) s0 + 1, (double) rec->n_samples);

  /* Time grid and axis: the one axis routine, the unit in the bottom corner. */
  {
    AsFigureAxis axis = { .lo = t0, .hi = t0 + duration };
    AsFigureRect frame = { left, top, plot_w, plot_h };

    as_figure_draw_axis (cr, style, &axis, AS_FIGURE_AXIS_BOTTOM, &frame, 1.0, AS_FIGURE_AXIS_GRID);
    as_figure_set_color (cr, &style->foreground);
    as_figure_text (cr, style, 0.85, 0, _("time (s)"), width - right, height, 1.0, 1.0);

    /* Clock time of the page's first sample, when the file says when it began,
     * under the channel names as clinical viewers show it. */
    if (rec->start_time != NULL)
      {
        g_autoptr (GDateTime) at = g_date_time_add (rec->start_time,
                                                    (GTimeSpan) llround (lt0 * G_TIME_SPAN_SECOND));
        g_autofree char *clock = at != NULL ? g_date_time_format (at, "%H:%M:%S") : NULL;

        if (clock != NULL)
          {
            as_figure_set_color (cr, &style->foreground);
            as_figure_text (cr, style, 1.0, 0, clock, 6, height - bottom + 5, 0.0, 0.0);
          }
      }
  }
  if (options->sensitivity > 0)
    {
      char label[64];
      const char *unit = rec->channels[0].unit ? rec->channels[0].unit : "";

      if (g_str_equal (unit, "uV"))
        unit = "µV";
      g_snprintf (label, sizeof label, "%g %s/%s", options->sensitivity, unit,
                  options->pixels_per_mm > 0 ? "mm" : "div");
      as_figure_set_color (cr, &style->foreground);
      as_figure_text (cr, style, 0.85, 0, label, 6, height, 0.0, 1.0);
      /* A scale bar in the name column: a round value about 10 mm tall. */
      if (options->pixels_per_mm > 0)
        {
          double value = as_figure_sensitivity_step (10 * options->sensitivity, 0);
          double bar = value / options->sensitivity * options->pixels_per_mm;
          double x = left - 12, y1 = top + plot_h - 4;
          char bar_label[64];

          if (bar < plot_h * 0.8)
            {
              cairo_set_line_width (cr, 2.0);
              cairo_move_to (cr, x, y1);
              cairo_line_to (cr, x, y1 - bar);
              cairo_stroke (cr);
              g_snprintf (bar_label, sizeof bar_label, "%g %s", value, unit);
              as_figure_text (cr, style, 0.8, 0, bar_label, x - 4, y1 - bar / 2, 1.0, 0.5);
            }
        }
    }

  /* Events: a shaded band for durations, a line at each onset, the label. */
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, i);
      double x0 = left + (ev->onset - lt0) / duration * plot_w;
      double x1 = left + (ev->onset + ev->duration - lt0) / duration * plot_w;

      if (x1 < left || x0 > left + plot_w)
        continue;
      cairo_save (cr);
      cairo_rectangle (cr, left, top, plot_w, plot_h);
      cairo_clip (cr);
      cairo_set_source_rgba (cr, style->event.r, style->event.g, style->event.b, 0.08);
      cairo_rectangle (cr, x0, top, MAX (x1 - x0, 1.0), plot_h);
      cairo_fill (cr);
      as_figure_set_color (cr, &style->event);
      cairo_move_to (cr, floor (x0) + 0.5, top);
      cairo_line_to (cr, floor (x0) + 0.5, top + plot_h);
      cairo_stroke (cr);
      as_figure_text (cr, style, 0.9, 0, ev->label, x0 + 3, top + 2, 0.0, 0.0);
      cairo_restore (cr);
    }

  if (options->atoms != NULL)
    draw_occurrences (cr, style, options, left, top, plot_w, plot_h, t0, duration);

  /* Scales: each channel's range on the page, or the largest of them for all. */
  mids = g_new (double, rec->n_channels);
  halves = g_new (double, rec->n_channels);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const double *y = rec->data + (gsize) c * rec->n_samples;
      double lo = INFINITY, hi = -INFINITY;

      for (gsize s = s0; s < s1; s++)
        if (!isnan (y[s]))
          {
            lo = MIN (lo, y[s]);
            hi = MAX (hi, y[s]);
          }
      mids[c] = isfinite (lo) ? 0.5 * (lo + hi) : 0;
      halves[c] = isfinite (lo) && hi > lo ? 0.5 * (hi - lo) : 1.0;
      common_half = MAX (common_half, halves[c]);
    }

  /* The samples of each pixel column, the same for every channel. */
  col_a = g_new (gsize, MAX (n_px, 1));
  col_b = g_new (gsize, MAX (n_px, 1));
  for (int px = 0; px < n_px; px++)
    {
      double ta = lt0 + duration * px / plot_w, tb = lt0 + duration * (px + 1) / plot_w;
      col_a[px] = (gsize) CLAMP (floor (ta * rec->sfreq), (double) s0, (double) s1 - 1);
      col_b[px] = (gsize) CLAMP (ceil (tb * rec->sfreq), (double) col_a[px] + 1, (double) s1);
    }

  for (guint c = 0; c < rec->n_channels; c++)
    {
      const double *y = rec->data + (gsize) c * rec->n_samples;
      double yc = top + (c + 0.5) * row_h, mid = mids[c], scale;
      double factor = options->sensitivity > 0 && c >= options->scaled_channels
                      ? as_figure_sensitivity_factor (rec, c) : 0;
      gboolean is_bad = label_is_bad (options->bad, rec->channels[c].label);

      if (factor > 0 && options->pixels_per_mm > 0)
        scale = options->pixels_per_mm / (options->sensitivity * factor);
      else if (factor > 0)
        scale = row_h / (options->sensitivity * factor);
      else
        scale = 0.45 * row_h / (options->common_scale || options->sensitivity > 0 ? common_half : halves[c]);
      if (options->sensitivity > 0 && factor == 0)
        /* Another unit (a trigger, gaze): scaled to its own range on the page. */
        scale = 0.45 * row_h / halves[c];

      as_figure_set_color (cr, &style->foreground);
      if (is_bad)
        {
          g_autofree char *name = g_strdup_printf (_("%s (bad)"), rec->channels[c].label);
          cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.5);
          as_figure_text (cr, style, font / style->font_size, 0, name, 6, yc, 0.0, 0.5);
        }
      else
        as_figure_text (cr, style, font / style->font_size, 0, rec->channels[c].label, 6, yc, 0.0, 0.5);
      if (options->sensitivity > 0 && factor != 1 && row_h > 2.6 * font)
        {
          /* A channel read at another sensitivity says which, under its name. */
          char note[64];
          const char *unit = rec->channels[c].unit ? rec->channels[c].unit : "";

          if (g_str_equal (unit, "uV"))
            unit = "µV";
          if (factor > 0)
            g_snprintf (note, sizeof note, "%g %s/%s", options->sensitivity * factor, unit,
                        options->pixels_per_mm > 0 ? "mm" : "div");
          else
            g_snprintf (note, sizeof note, "%s", _("autoscaled"));
          cairo_set_source_rgba (cr, style->foreground.r, style->foreground.g, style->foreground.b, 0.6);
          as_figure_text (cr, style, 0.75 * font / style->font_size, 0, note, 6, yc + 0.9 * font, 0.0, 0.5);
        }

      cairo_save (cr);
      cairo_rectangle (cr, left, top, plot_w, plot_h);
      cairo_clip (cr);
      /* min/max per pixel column keeps long pages smooth and faithful: O(samples)
       * per channel, and no sample's extreme is ever dropped.  Dense pages are
       * filled as one-pixel columns (cairo's fast path for aligned boxes), each
       * joined to the previous column's last sample; sparse ones are stroked. */
      if (is_bad)
        cairo_set_source_rgba (cr, style->trace.r, style->trace.g, style->trace.b, 0.3);
      else
        as_figure_set_color (cr, &style->trace);
      cairo_set_line_width (cr, 1.0);
      {
        gboolean boxes = (double) (s1 - s0) > 1.5 * plot_w && rec->n_channels * plot_w > 4000;
        double prev = NAN;
        gboolean gap = FALSE;
        int cols = n_px;
        ColumnPainter cp;

        if (boxes)
          {
            cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
            column_painter_begin (&cp, cr, style->trace.r, style->trace.g, style->trace.b,
                                  is_bad ? 0.3 : style->trace.a);
          }
        /* Fewer samples than pixels: a line through the samples themselves. */
        if ((double) (s1 - s0) < plot_w)
          {
            /* missing samples (NaN) are gaps: the line stops and starts again */
            gboolean pen = FALSE;
            for (gsize s = s0; s < s1; s++)
              {
                double x = left + (s / rec->sfreq - lt0) / duration * plot_w;
                if (isnan (y[s]))
                  pen = FALSE;
                else if (!pen)
                  {
                    cairo_move_to (cr, x, yc - (y[s] - mid) * scale);
                    pen = TRUE;
                  }
                else
                  cairo_line_to (cr, x, yc - (y[s] - mid) * scale);
              }
            cols = 0;   /* no columns */
          }
        for (int px = 0; px < cols; px++)
          {
            const gsize a = col_a[px], b = col_b[px];
            double vmin = INFINITY, vmax = -INFINITY;

            /* comparisons with a missing sample (NaN) are false: it is passed over */
            for (gsize s = a; s < b; s++)
              {
                if (y[s] < vmin)
                  vmin = y[s];
                if (y[s] > vmax)
                  vmax = y[s];
              }
            if (!(vmin <= vmax))
              {
                /* a column of missing samples: a gap */
                prev = NAN;
                gap = TRUE;
                continue;
              }
            if (boxes)
              {
                double ya, yb;

                if (isfinite (prev))
                  {
                    vmin = MIN (vmin, prev);
                    vmax = MAX (vmax, prev);
                  }
                prev = y[b - 1];
                ya = floor (yc - (vmax - mid) * scale);
                yb = floor (yc - (vmin - mid) * scale) + 1;
                column_painter_add (&cp, left + px, ya, ya + MAX (yb - ya, 1));
                continue;
              }
            if (px == 0 || gap)
              cairo_move_to (cr, left + px + 0.5, yc - (vmax - mid) * scale);
            gap = FALSE;
            cairo_line_to (cr, left + px + 0.5, yc - (vmax - mid) * scale);
            cairo_line_to (cr, left + px + 0.5, yc - (vmin - mid) * scale);
          }
        if (boxes)
          {
            column_painter_end (&cp);
            cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);
          }
        else
          cairo_stroke (cr);
      }

      /* The reconstruction from the learned atoms, sample by sample (it is only
       * computed for the page), offset by the page's mean residual so that a
       * model of centred data lies on the trace. */
      if (options->reconstruction != NULL && options->recon_len > 0
          && (options->recon_channels == 0 || c < options->recon_channels))
        {
          const double *r = options->reconstruction + (gsize) c * options->recon_len;
          gsize ra = MAX (s0, options->recon_start);
          gsize rb = MIN (s1, options->recon_start + options->recon_len);
          double offset = 0;

          for (gsize s = ra; s < rb; s++)
            offset += y[s] - r[s - options->recon_start];
          offset = rb > ra ? offset / (rb - ra) : 0;
          as_figure_set_color (cr, &style->reconstruction);
          cairo_set_line_width (cr, 1.2);
          /* min/max per pixel column, like the trace (boxes when the page is dense). */
          gboolean boxes = rec->n_channels * plot_w > 4000;
          double prev = NAN;
          ColumnPainter cp;

          if (boxes)
            {
              cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
              column_painter_begin (&cp, cr, style->reconstruction.r, style->reconstruction.g,
                                    style->reconstruction.b, style->reconstruction.a);
            }
          if ((double) (rb - ra) < plot_w)
            for (gsize s = ra; s < rb; s++)
              {
                double x = left + (s / rec->sfreq - lt0) / duration * plot_w;
                double v = yc - (r[s - options->recon_start] + offset - mid) * scale;
                if (s == ra)
                  cairo_move_to (cr, x, v);
                else
                  cairo_line_to (cr, x, v);
              }
          for (int px = 0; px < n_px && (double) (rb - ra) >= plot_w; px++)
            {
              double ta = lt0 + duration * px / plot_w, tb = lt0 + duration * (px + 1) / plot_w;
              double fa = floor (ta * rec->sfreq), fb = ceil (tb * rec->sfreq);
              gsize a, b;
              double vmin = INFINITY, vmax = -INFINITY;

              if (fb <= (double) ra || fa >= (double) rb)
                continue;
              a = (gsize) MAX (fa, (double) ra);
              b = (gsize) MIN (MAX (fb, (double) a + 1), (double) rb);
              for (gsize s = a; s < b; s++)
                {
                  double v = r[s - options->recon_start] + offset;
                  vmin = MIN (vmin, v);
                  vmax = MAX (vmax, v);
                }
              if (boxes)
                {
                  double ya, yb;

                  if (isfinite (prev))
                    {
                      vmin = MIN (vmin, prev);
                      vmax = MAX (vmax, prev);
                    }
                  prev = r[b - 1 - options->recon_start] + offset;
                  ya = floor (yc - (vmax - mid) * scale);
                  yb = floor (yc - (vmin - mid) * scale) + 1;
                  column_painter_add (&cp, left + px, ya, ya + MAX (yb - ya, 1));
                  continue;
                }
              if (px == 0 || a == ra)
                cairo_move_to (cr, left + px + 0.5, yc - (vmax - mid) * scale);
              else
                cairo_line_to (cr, left + px + 0.5, yc - (vmax - mid) * scale);
              cairo_line_to (cr, left + px + 0.5, yc - (vmin - mid) * scale);
            }
          if (boxes)
            {
              column_painter_end (&cp);
              cairo_set_antialias (cr, CAIRO_ANTIALIAS_DEFAULT);
            }
          else
            cairo_stroke (cr);
        }
      cairo_restore (cr);
      if (options->nystagmus != NULL
          && g_strcmp0 (rec->channels[c].label, options->nystagmus->channel->label) == 0)
        as_figure_nystagmus_overlay (cr, style, options->nystagmus, y, rec->n_samples, rec->sfreq,
                                     options->time_origin, left, plot_w, top + c * row_h, row_h,
                                     yc, mid, scale, t0, duration);
    }
}
