/* as-figure-axis.c: nice ticks (linear and logarithmic) and the one axis painter.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure"

#include "config.h"

#include <math.h>
#include <string.h>

#include "as-figure-axis.h"
#include "as-figure-text.h"

#define TICK_LEN 4.0

double
as_figure_nice_step (double span, int n)
{
  double raw = fabs (span) / MAX (n, 1);
  double mag, f;

  if (!(raw > 0) || !isfinite (raw))
    return 1.0;
  mag = pow (10.0, floor (log10 (raw)));
  f = raw / mag;
  if (f < 1.5)
    return mag;
  if (f < 3.5)
    return 2 * mag;
  if (f < 7.5)
    return 5 * mag;
  return 10 * mag;
}

double
as_figure_axis_fraction (const AsFigureAxis *axis, double value)
{
  if (axis->log)
    {
      if (!(value > 0) || !(axis->lo > 0) || !(axis->hi > axis->lo))
        return NAN;
      return (log10 (value) - log10 (axis->lo)) / (log10 (axis->hi) - log10 (axis->lo));
    }
  if (!(axis->hi != axis->lo))
    return 0.5;
  return (value - axis->lo) / (axis->hi - axis->lo);
}

/* "−" (U+2212) for every ASCII minus of @buf, in place when it fits. */
static void
true_minus (char *buf, gsize len)
{
  g_autoptr (GString) s = g_string_new (NULL);

  for (const char *p = buf; *p; p++)
    if (*p == '-')
      g_string_append (s, "\u2212");
    else
      g_string_append_c (s, *p);
  g_strlcpy (buf, s->str, len);
}

static const char *const superscript[] = {
  "\u2070", "\u00b9", "\u00b2", "\u00b3", "\u2074", "\u2075", "\u2076", "\u2077", "\u2078", "\u2079",
};

/* "10ⁿ" with superscript digits and minus. */
static void
format_power (int e, char *buf, gsize len)
{
  g_autoptr (GString) s = g_string_new ("10");
  char digits[16];

  g_snprintf (digits, sizeof digits, "%d", ABS (e));
  if (e < 0)
    g_string_append (s, "\u207b");
  for (const char *p = digits; *p; p++)
    g_string_append (s, superscript[*p - '0']);
  g_strlcpy (buf, s->str, len);
}

void
as_figure_format_value (double value, double step, char *buf, gsize len)
{
  double a = fabs (value);
  int step_e = (int) floor (log10 (fabs (step)) + 1e-9);

  if (!(step > 0) || !isfinite (step))
    step_e = 0;
  if (a < 1e-9 * fabs (step) || a == 0)
    {
      g_strlcpy (buf, "0", len);
      return;
    }
  if (a >= 1e5 || (step_e < -4 && a < 1e-3))
    {
      /* m × 10ⁿ with as many digits as the step resolves. */
      int e = (int) floor (log10 (a) + 1e-12);
      int decimals = CLAMP (e - step_e, 0, 6);
      char mant[24], power[24];

      g_snprintf (mant, sizeof mant, "%.*f", decimals, value / pow (10, e));
      format_power (e, power, sizeof power);
      if (strcmp (mant, "1") == 0)
        g_strlcpy (buf, power, len);
      else if (strcmp (mant, "-1") == 0)
        g_snprintf (buf, len, "-%s", power);
      else
        g_snprintf (buf, len, "%s\u00d7%s", mant, power);
    }
  else
    g_snprintf (buf, len, "%.*f", CLAMP (-step_e, 0, 9), value);
  true_minus (buf, len);
}

static guint
push (AsFigureTick *ticks, guint n, guint max, double value, gboolean major)
{
  if (n >= max)
    return n;
  ticks[n].value = value;
  ticks[n].major = major;
  ticks[n].label[0] = '\0';
  return n + 1;
}

static guint
linear_ticks (double lo, double hi, int n_major, AsFigureTick *ticks, guint max, gboolean minor)
{
  double step = as_figure_nice_step (hi - lo, n_major), eps = 1e-9 * step;
  double mant = step / pow (10, floor (log10 (step) + 1e-9));
  double sub = step / (fabs (mant - 2) < 0.01 ? 4 : 5);
  guint n = 0;

  if (minor)
    for (double k = ceil ((lo - eps) / sub); k * sub <= hi + eps && n < max; k++)
      {
        double v = k * sub;
        gboolean is_major = fabs (v / step - round (v / step)) < 1e-6;

        n = push (ticks, n, max, v, is_major);
      }
  else
    for (double k = ceil ((lo - eps) / step); k * step <= hi + eps && n < max; k++)
      n = push (ticks, n, max, k * step, TRUE);
  for (guint i = 0; i < n; i++)
    if (ticks[i].major)
      as_figure_format_value (ticks[i].value, step, ticks[i].label, sizeof ticks[i].label);
  return n;
}

guint
as_figure_axis_ticks (const AsFigureAxis *axis, int n_major, AsFigureTick *ticks, guint max)
{
  double lo = MIN (axis->lo, axis->hi), hi = MAX (axis->lo, axis->hi);
  double l0, l1, decades;
  int d0, d1, every;
  gboolean plain, label_25;
  guint n = 0;

  n_major = MAX (n_major, 2);
  if (!isfinite (lo) || !isfinite (hi) || !(hi > lo))
    return 0;
  if (!axis->log)
    return linear_ticks (lo, hi, n_major, ticks, max, FALSE);
  if (!(lo > 0))
    return 0;
  l0 = log10 (lo);
  l1 = log10 (hi);
  decades = l1 - l0;
  if (decades < 1.0)
    return linear_ticks (lo, hi, n_major, ticks, max, FALSE);

  d0 = (int) floor (l0 + 1e-9);
  d1 = (int) ceil (l1 - 1e-9);
  every = MAX (1, (int) ceil (decades / n_major - 1e-9));
  /* Plain numbers while they stay short (0.01 … 10000), 10ⁿ beyond. */
  plain = d0 >= -2 && d1 <= 4;
  label_25 = every == 1 && decades * 3 <= n_major;
  for (int d = d0; d <= d1; d++)
    for (int m = 1; m <= 9; m++)
      {
        double v = m * pow (10, d);
        gboolean major;

        if (v < lo * (1 - 1e-9) || v > hi * (1 + 1e-9))
          continue;
        if (m == 1)
          major = ((d % every) + every) % every == 0;
        else if (every > 1)
          continue;   /* crowded: decades only */
        else
          major = label_25 && (m == 2 || m == 5);
        n = push (ticks, n, max, v, major);
        if (!major || n == 0 || ticks[n - 1].value != v)
          continue;
        if (plain)
          {
            g_snprintf (ticks[n - 1].label, sizeof ticks[n - 1].label, "%.*f", MAX (0, -d), v);
          }
        else if (m == 1)
          format_power (d, ticks[n - 1].label, sizeof ticks[n - 1].label);
        else
          {
            char power[24];
            format_power (d, power, sizeof power);
            g_snprintf (ticks[n - 1].label, sizeof ticks[n - 1].label, "%d\u00d7%s", m, power);
          }
      }
  return n;
}

/* Ticks whose labels do not overlap along an axis of @length: fewer while they would. */
static guint
fitting_ticks (cairo_t *cr, const AsFigureStyle *style, const AsFigureAxis *axis,
               gboolean vertical, double length, double font_scale, AsFigureTick *ticks,
               double *widest)
{
  double fs = style->font_size * font_scale;
  int n_major = (int) floor (length / (vertical ? 2.6 * fs : 5.5 * fs));
  guint n = 0;

  for (int attempt = 0; attempt < 6; attempt++)
    {
      double need = 0, w, h;
      guint n_labels = 0;

      n = as_figure_axis_ticks (axis, MAX (n_major, 2), ticks, AS_FIGURE_MAX_TICKS);
      *widest = 0;
      for (guint i = 0; i < n; i++)
        if (ticks[i].major)
          {
            as_figure_text_size (cr, style, font_scale, 0, ticks[i].label, &w, &h);
            *widest = MAX (*widest, w);
            need = MAX (need, vertical ? h : w);
            n_labels++;
          }
      /* Labels at least a third of a label apart. */
      if (n_major <= 2 || n_labels < 2 || (need * 1.35) * (n_labels - 1) <= length * 1.0)
        break;
      n_major = MAX (2, (int) floor (length / (need * 1.35)));
    }
  return n;
}

double
as_figure_axis_left_room (cairo_t *cr, const AsFigureStyle *style, const AsFigureAxis *axis,
                          double length, double font_scale)
{
  AsFigureTick ticks[AS_FIGURE_MAX_TICKS];
  double widest = 0, h = 0;

  fitting_ticks (cr, style, axis, TRUE, length, font_scale, ticks, &widest);
  if (axis->title != NULL)
    as_figure_text_size (cr, style, font_scale, 0, axis->title, NULL, &h);
  return TICK_LEN + 3 + widest + (h > 0 ? h + 4 : 0);
}

double
as_figure_draw_axis (cairo_t *cr, const AsFigureStyle *style, const AsFigureAxis *axis,
                     AsFigureAxisSide side, const AsFigureRect *plot, double font_scale,
                     AsFigureAxisFlags flags)
{
  AsFigureTick ticks[AS_FIGURE_MAX_TICKS];
  gboolean vertical = side != AS_FIGURE_AXIS_BOTTOM, right = side == AS_FIGURE_AXIS_RIGHT;
  double edge = right ? plot->x + plot->width : plot->x;
  double length = vertical ? plot->height : plot->width, widest = 0, label_h = 0, room;
  guint n;

  if (!(length > 4))
    return 0;
  n = fitting_ticks (cr, style, axis, vertical, length, font_scale, ticks, &widest);
  as_figure_text_size (cr, style, font_scale, 0, "0", NULL, &label_h);

  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_dash (cr, NULL, 0, 0);
  for (guint i = 0; i < n; i++)
    {
      double f = as_figure_axis_fraction (axis, ticks[i].value), pos;

      if (!isfinite (f) || f < -1e-6 || f > 1 + 1e-6)
        continue;
      pos = vertical ? floor (plot->y + plot->height - f * plot->height) + 0.5
                     : floor (plot->x + f * plot->width) + 0.5;
      if ((flags & AS_FIGURE_AXIS_NO_MINOR) && !ticks[i].major)
        continue;
      if (flags & AS_FIGURE_AXIS_GRID)
        {
          cairo_set_source_rgba (cr, style->grid.r, style->grid.g, style->grid.b,
                                 style->grid.a * (ticks[i].major ? 1.0 : 0.45));
          if (vertical)
            {
              cairo_move_to (cr, plot->x, pos);
              cairo_line_to (cr, plot->x + plot->width, pos);
            }
          else
            {
              cairo_move_to (cr, pos, plot->y);
              cairo_line_to (cr, pos, plot->y + plot->height);
            }
          cairo_stroke (cr);
        }
      as_figure_set_color (cr, &style->foreground);
      {
        double len = ticks[i].major ? TICK_LEN : TICK_LEN * 0.5;

        if (vertical)
          {
            cairo_move_to (cr, edge, pos);
            cairo_line_to (cr, edge + (right ? len : -len), pos);
          }
        else
          {
            cairo_move_to (cr, pos, plot->y + plot->height);
            cairo_line_to (cr, pos, plot->y + plot->height + len);
          }
        cairo_stroke (cr);
      }
      if (!ticks[i].major || (flags & AS_FIGURE_AXIS_NO_LABELS))
        continue;
      if (vertical)
        as_figure_text (cr, style, font_scale, 0, ticks[i].label,
                        right ? edge + TICK_LEN + 3 : edge - TICK_LEN - 3,
                        CLAMP (pos, plot->y + label_h * 0.3, plot->y + plot->height), right ? 0.0 : 1.0,
                        0.5);
      else
        as_figure_text (cr, style, font_scale, 0, ticks[i].label, pos,
                        plot->y + plot->height + TICK_LEN + 1, 0.5, 0.0);
    }

  /* The axis line itself. */
  as_figure_set_color (cr, &style->foreground);
  if (vertical)
    {
      cairo_move_to (cr, floor (edge) + 0.5, plot->y);
      cairo_line_to (cr, floor (edge) + 0.5, plot->y + plot->height);
    }
  else
    {
      cairo_move_to (cr, plot->x, floor (plot->y + plot->height) + 0.5);
      cairo_line_to (cr, plot->x + plot->width, floor (plot->y + plot->height) + 0.5);
    }
  cairo_stroke (cr);

  if (flags & AS_FIGURE_AXIS_NO_LABELS)
    {
      cairo_restore (cr);
      return TICK_LEN;
    }
  if (vertical)
    {
      room = TICK_LEN + 3 + widest;
      if (axis->title != NULL)
        {
          double th;

          as_figure_text_size (cr, style, font_scale, 0, axis->title, NULL, &th);
          as_figure_text_upwards (cr, style, font_scale, 0, axis->title,
                                  right ? edge + room + 4 : edge - room - 4,
                                  plot->y + plot->height / 2, 0.5, right ? 0.0 : 1.0);
          room += th + 4;
        }
    }
  else
    {
      room = TICK_LEN + 1 + label_h;
      if (axis->title != NULL)
        {
          double th;

          as_figure_text_size (cr, style, font_scale, 0, axis->title, NULL, &th);
          as_figure_text (cr, style, font_scale, 0, axis->title, plot->x + plot->width / 2,
                          plot->y + plot->height + room + 2, 0.5, 0.0);
          room += th + 2;
        }
    }
  cairo_restore (cr);
  return room;
}
