/* as-figure-atoms.c: GTK-free drawing of learned atoms, activations and convergence.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure-atoms"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-figure-atoms.h"
#include "as-figure-axis.h"
#include "as-figure-text.h"
#include "as-spectrum.h"

/* ---- the bundle of what is drawn ------------------------------------------------ */

AsFigureTopographies *
as_figure_topographies_new (guint n_atoms, AsTopographyGrid **grids, const double *xy, guint n,
                            double head_radius)
{
  AsFigureTopographies *self = g_new0 (AsFigureTopographies, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->n_atoms = n_atoms;
  self->grids = grids;
  self->sensor_xy = g_memdup2 (xy, sizeof (double) * 2 * n);
  self->n_sensors = n;
  self->head_radius = head_radius;
  return self;
}

AsFigureTopographies *
as_figure_topographies_ref (AsFigureTopographies *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
as_figure_topographies_unref (AsFigureTopographies *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint k = 0; k < self->n_atoms; k++)
    g_clear_pointer (&self->grids[k], as_topography_grid_free);
  g_free (self->grids);
  g_free (self->sensor_xy);
  g_free (self);
}

/* The waveform shown for atom k (defined with the drawing code below). */
static const double *atom_waveform (const AsCdlModel *model, guint k, guint *channel);

static GMutex build_hook_lock;
static void (*build_hook) (gpointer data);
static gpointer build_hook_data;

void
as_figure_atoms_set_build_hook (void (*hook) (gpointer data), gpointer data)
{
  g_mutex_lock (&build_hook_lock);
  build_hook = hook;
  build_hook_data = data;
  g_mutex_unlock (&build_hook_lock);
}

AsFigureAtoms *
as_figure_atoms_new (AsCdlModel *model, double sfreq, double relative_threshold)
{
  AsFigureAtoms *self;
  gsize spacing;

  g_return_val_if_fail (model != NULL, NULL);
  g_mutex_lock (&build_hook_lock);
  if (build_hook != NULL)
    build_hook (build_hook_data);
  g_mutex_unlock (&build_hook_lock);

  self = g_new0 (AsFigureAtoms, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->model = as_cdl_model_ref (model);
  self->n_atoms = model->shape.n_atoms;
  self->sfreq = sfreq > 0 ? sfreq : model->sfreq;
  self->duration = self->sfreq > 0 ? model->shape.width / self->sfreq : 0;
  self->occurrences = g_new0 (GArray *, MAX (self->n_atoms, 1));
  self->max_amplitude = g_new0 (double, MAX (self->n_atoms, 1));
  spacing = as_cdl_model_merge_spacing (model);
  for (guint k = 0; k < self->n_atoms; k++)
    {
      double m = as_cdl_model_max_activation (model, k);

      self->max_amplitude[k] = m;
      self->occurrences[k] = as_cdl_model_occurrences_merged (model, k, m > 0 ? relative_threshold * m : 1.0,
                                                              spacing);
    }
  self->weak = g_new0 (char *, MAX (self->n_atoms, 1));
  for (guint k = 0; k < self->n_atoms; k++)
    self->weak[k] = as_cdl_model_weak_reason (model, k);
  /* The spectra are computed here, off the main loop; drawing only maps them to pixels. */
  if (model->shape.atom_height == 1)
    {
      self->spectra = g_new (double, (gsize) MAX (self->n_atoms, 1) * AS_FIGURE_SPECTRUM_BINS);
      for (guint k = 0; k < self->n_atoms; k++)
        as_spectrum_magnitude (atom_waveform (model, k, NULL), model->shape.atom_width,
                               AS_FIGURE_SPECTRUM_FFT, self->sfreq,
                               self->spectra + (gsize) k * AS_FIGURE_SPECTRUM_BINS, NULL);
    }
  return self;
}

AsFigureAtoms *
as_figure_atoms_ref (AsFigureAtoms *self)
{
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
as_figure_atoms_unref (AsFigureAtoms *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint k = 0; k < self->n_atoms; k++)
    g_clear_pointer (&self->occurrences[k], g_array_unref);
  g_free (self->occurrences);
  for (guint k = 0; self->weak != NULL && k < self->n_atoms; k++)
    g_free (self->weak[k]);
  g_free (self->weak);
  g_free (self->max_amplitude);
  g_free (self->spectra);
  g_clear_pointer (&self->topographies, as_figure_topographies_unref);
  as_cdl_model_unref (self->model);
  g_free (self);
}

AsFigureAtoms *
as_figure_atoms_copy_with_topographies (const AsFigureAtoms *atoms, AsFigureTopographies *topo)
{
  AsFigureAtoms *self = g_new0 (AsFigureAtoms, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->model = as_cdl_model_ref (atoms->model);
  self->n_atoms = atoms->n_atoms;
  self->sfreq = atoms->sfreq;
  self->duration = atoms->duration;
  self->occurrences = g_new0 (GArray *, MAX (self->n_atoms, 1));
  for (guint k = 0; k < self->n_atoms; k++)
    self->occurrences[k] = g_array_ref (atoms->occurrences[k]);
  self->max_amplitude = g_memdup2 (atoms->max_amplitude, sizeof (double) * MAX (self->n_atoms, 1));
  self->weak = g_new0 (char *, MAX (self->n_atoms, 1));
  for (guint k = 0; atoms->weak != NULL && k < self->n_atoms; k++)
    self->weak[k] = g_strdup (atoms->weak[k]);
  if (atoms->spectra != NULL)
    self->spectra = g_memdup2 (atoms->spectra,
                               sizeof (double) * MAX (self->n_atoms, 1) * AS_FIGURE_SPECTRUM_BINS);
  as_figure_atoms_set_topographies (self, topo);
  return self;
}

void
as_figure_atoms_set_topographies (AsFigureAtoms *self, AsFigureTopographies *topo)
{
  g_return_if_fail (topo == NULL || topo->n_atoms == self->n_atoms);
  if (topo != NULL)
    as_figure_topographies_ref (topo);
  g_clear_pointer (&self->topographies, as_figure_topographies_unref);
  self->topographies = topo;
}

double
as_figure_atoms_occurrence_time (const AsFigureAtoms *self, const AsCdlOccurrence *occ)
{
  return self->sfreq > 0 ? occ->position / self->sfreq : occ->position;
}

double
as_figure_atoms_atom_duration (const AsFigureAtoms *self)
{
  double w = self->model->shape.atom_width;
  return self->sfreq > 0 ? w / self->sfreq : w;
}

/* ---- colours ---------------------------------------------------------------------- */

void
as_figure_weak_color (gboolean dark, AsColor *color)
{
  color->r = dark ? 1.0 : 0.80;
  color->g = dark ? 0.62 : 0.36;
  color->b = dark ? 0.25 : 0.0;
  color->a = 1.0;
}

void
as_figure_atom_color (guint k, gboolean dark, AsColor *color)
{
  /* libadwaita palette, blue and red last: they draw the trace and the reconstruction.
   * Green 5, purple 3, orange 4, teal, pink, yellow 5, brown 3, grey, blue 4, red 3. */
  static const double palette[10][3] = {
    { 0.15, 0.64, 0.41 }, { 0.57, 0.25, 0.67 }, { 0.90, 0.38, 0.00 }, { 0.13, 0.60, 0.63 },
    { 0.87, 0.33, 0.62 }, { 0.80, 0.58, 0.00 }, { 0.60, 0.45, 0.32 }, { 0.47, 0.47, 0.50 },
    { 0.11, 0.44, 0.85 }, { 0.88, 0.11, 0.14 },
  };
  const double *p = palette[k % 10];
  double lift = dark ? 0.15 : 0.0;

  color->r = MIN (1.0, p[0] + lift);
  color->g = MIN (1.0, p[1] + lift);
  color->b = MIN (1.0, p[2] + lift);
  color->a = 1.0;
}

void
as_figure_diverging_color (double t, double *r, double *g, double *b)
{
  /* Blue (−1) – white (0) – red (+1), as ColorBrewer's RdBu reversed. */
  static const double neg[3] = { 0.13, 0.40, 0.67 }, pos[3] = { 0.70, 0.09, 0.17 };
  const double *end;
  double a;

  t = CLAMP (t, -1.0, 1.0);
  end = t < 0 ? neg : pos;
  a = fabs (t);
  *r = 1.0 + a * (end[0] - 1.0);
  *g = 1.0 + a * (end[1] - 1.0);
  *b = 1.0 + a * (end[2] - 1.0);
}

/* The waveform shown for atom k: v_k for rank-1 models, else the channel with
 * the most energy.  Returns a pointer into the model (atom_width values). */
static const double *
atom_waveform (const AsCdlModel *model, guint k, guint *channel)
{
  gsize hw = (gsize) model->shape.atom_height * model->shape.atom_width;
  const double *atom = as_cdl_model_get_atom (model, k);
  double best = -1;
  guint best_p = 0;

  if (model->v != NULL)
    {
      if (channel)
        *channel = G_MAXUINT;
      return model->v + k * hw;
    }
  for (guint p = 0; p < model->shape.n_channels; p++)
    {
      double e = 0;
      for (gsize i = 0; i < hw; i++)
        e += atom[p * hw + i] * atom[p * hw + i];
      if (e > best)
        {
          best = e;
          best_p = p;
        }
    }
  if (channel)
    *channel = best_p;
  return atom + best_p * hw;
}

/* ---- atoms panel ------------------------------------------------------------------ */

static gboolean
is_image_model (const AsFigureAtoms *atoms)
{
  return atoms->model->shape.atom_height > 1;
}

double
as_figure_atoms_row_height (const AsFigureAtoms *atoms, double width)
{
  if (atoms == NULL)
    return 0;
  if (is_image_model (atoms))
    return width / ceil (sqrt (MAX (atoms->n_atoms, 1)));
  return CLAMP (width * 0.22, 84.0, 130.0);
}

int
as_figure_atoms_hit (const AsFigureAtoms *atoms, double width, double x, double y)
{
  double row_h = as_figure_atoms_row_height (atoms, width);
  int k;

  if (atoms == NULL || row_h <= 0 || y < 0)
    return -1;
  if (is_image_model (atoms))
    {
      int n_cols = (int) ceil (sqrt (MAX (atoms->n_atoms, 1)));
      k = (int) (y / row_h) * n_cols + (int) (x / row_h);
    }
  else
    k = (int) (y / row_h);
  return k < (int) atoms->n_atoms ? k : -1;
}

static void
draw_frame (cairo_t *cr, const AsFigureStyle *style, double x, double y, double w, double h)
{
  as_figure_set_color (cr, &style->grid);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, floor (x) + 0.5, floor (y) + 0.5, floor (w), floor (h));
  cairo_stroke (cr);
}

/* The plot area left inside @area once the axes' labels have their room: compact
 * panels (the window's rows) label the x axis only and put the unit in the corner;
 * full panels (figures written to files) title both axes. */
static AsFigureRect
panel_plot_area (cairo_t *cr, const AsFigureStyle *style, const AsFigureRect *area,
                 const AsFigureAxis *y_axis, double scale, gboolean full)
{
  AsFigureRect plot = *area;
  double label_h;

  as_figure_text_size (cr, style, scale, 0, "0", NULL, &label_h);
  plot.height -= 5 + label_h + (full ? label_h + 4 : 0);
  if (full)
    {
      double room = as_figure_axis_left_room (cr, style, y_axis, plot.height, scale);

      plot.x += room;
      plot.width -= room + 0.5 * label_h;
    }
  return plot;
}

static void
draw_waveform (cairo_t *cr, const AsFigureStyle *style, const AsFigureAtoms *atoms, guint k,
               const AsFigureRect *area, const AsColor *color, gboolean full)
{
  const AsCdlModel *model = atoms->model;
  guint L = model->shape.atom_width;
  const double *v = atom_waveform (model, k, NULL);
  double amax = 0, dur = as_figure_atoms_atom_duration (atoms), scale = full ? 1.0 : 0.8;
  AsFigureAxis x_axis = { 0, dur, FALSE, NULL }, y_axis = { 0, 0, FALSE, NULL };
  AsFigureRect plot;

  for (guint i = 0; i < L; i++)
    amax = MAX (amax, fabs (v[i]));
  if (!(amax > 0))
    amax = 1;
  y_axis.lo = -1.1 * amax;
  y_axis.hi = 1.1 * amax;
  if (full)
    {
      x_axis.title = atoms->sfreq > 0 ? _("time (s)") : _("position (px)");
      y_axis.title = _("amplitude (unit norm)");
    }
  plot = panel_plot_area (cr, style, area, &y_axis, scale, full);
  if (plot.width < 10 || plot.height < 10)
    return;
  draw_frame (cr, style, plot.x, plot.y, plot.width, plot.height);
  as_figure_draw_axis (cr, style, &x_axis, AS_FIGURE_AXIS_BOTTOM, &plot, scale, AS_FIGURE_AXIS_GRID);
  if (full)
    as_figure_draw_axis (cr, style, &y_axis, AS_FIGURE_AXIS_LEFT, &plot, scale, AS_FIGURE_AXIS_GRID);

  /* Zero line, then the waveform. */
  as_figure_set_color (cr, &style->grid);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, plot.x, floor (plot.y + plot.height / 2) + 0.5);
  cairo_line_to (cr, plot.x + plot.width, floor (plot.y + plot.height / 2) + 0.5);
  cairo_stroke (cr);
  as_figure_set_color (cr, color);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < L; i++)
    {
      /* Sample i lies at i / sfreq: the axis runs over the atom's duration L / sfreq. */
      double px = plot.x + as_figure_axis_fraction (&x_axis, dur * i / MAX (L, 1)) * plot.width;
      double py = plot.y + plot.height - as_figure_axis_fraction (&y_axis, v[i]) * plot.height;
      if (i == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
  cairo_stroke (cr);
  if (!full)
    {
      as_figure_set_color (cr, &style->foreground);
      as_figure_text (cr, style, scale, 0, atoms->sfreq > 0 ? _("s") : _("px"),
                      plot.x + plot.width - 3, plot.y + 1, 1.0, 0.0);
    }
}

/* The atom's magnitude spectrum (computed with the bundle, as_spectrum_magnitude of the
 * waveform zero-padded to AS_FIGURE_SPECTRUM_FFT points) against frequency from 0 to
 * sfreq/2: where the atom's energy lies. */
static void
draw_spectrum (cairo_t *cr, const AsFigureStyle *style, const AsFigureAtoms *atoms, guint k,
               const AsFigureRect *area, const AsColor *color, gboolean full)
{
  enum { N_BINS = AS_FIGURE_SPECTRUM_BINS };
  const double *mag;
  double mmax = 0, nyq = atoms->sfreq / 2, scale = full ? 1.0 : 0.8;
  AsFigureAxis x_axis = { 0, nyq, FALSE, NULL }, y_axis = { 0, 1.05, FALSE, NULL };
  AsFigureRect plot;

  if (atoms->spectra == NULL || !(nyq > 0))
    return;
  mag = atoms->spectra + (gsize) k * N_BINS;
  for (guint f = 0; f < N_BINS; f++)
    mmax = MAX (mmax, mag[f]);
  if (!(mmax > 0))
    mmax = 1;
  if (full)
    {
      x_axis.title = _("frequency (Hz)");
      y_axis.title = _("magnitude (relative)");
    }
  plot = panel_plot_area (cr, style, area, &y_axis, scale, full);
  if (plot.width < 10 || plot.height < 10)
    return;
  draw_frame (cr, style, plot.x, plot.y, plot.width, plot.height);
  as_figure_draw_axis (cr, style, &x_axis, AS_FIGURE_AXIS_BOTTOM, &plot, scale, AS_FIGURE_AXIS_GRID);
  if (full)
    as_figure_draw_axis (cr, style, &y_axis, AS_FIGURE_AXIS_LEFT, &plot, scale, AS_FIGURE_AXIS_GRID);
  as_figure_set_color (cr, color);
  cairo_set_line_width (cr, 1.2);
  for (guint f = 0; f < N_BINS; f++)
    {
      double px = plot.x + (double) f / (N_BINS - 1) * plot.width;
      double py = plot.y + plot.height - as_figure_axis_fraction (&y_axis, mag[f] / mmax) * plot.height;
      if (f == 0)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
    }
  cairo_line_to (cr, plot.x + plot.width, plot.y + plot.height);
  cairo_line_to (cr, plot.x, plot.y + plot.height);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, color->r, color->g, color->b, 0.25);
  cairo_fill_preserve (cr);
  as_figure_set_color (cr, color);
  cairo_stroke (cr);
  if (!full)
    {
      as_figure_set_color (cr, &style->foreground);
      as_figure_text (cr, style, scale, 0, _("Hz"), plot.x + plot.width - 3, plot.y + 1, 1.0, 0.0);
    }
}

void
as_figure_draw_atom_waveform (cairo_t *cr, const AsFigureStyle *style, const AsFigureAtoms *atoms,
                              guint k, const AsFigureRect *area, gboolean full)
{
  AsColor color;

  g_return_if_fail (atoms != NULL && k < atoms->n_atoms);
  as_figure_atom_color (k, style->background.r < 0.5, &color);
  draw_waveform (cr, style, atoms, k, area, &color, full);
}

void
as_figure_draw_atom_spectrum (cairo_t *cr, const AsFigureStyle *style, const AsFigureAtoms *atoms,
                              guint k, const AsFigureRect *area, gboolean full)
{
  AsColor color;

  g_return_if_fail (atoms != NULL && k < atoms->n_atoms);
  as_figure_atom_color (k, style->background.r < 0.5, &color);
  draw_spectrum (cr, style, atoms, k, area, &color, full);
}

static double
contour_cross (double a, double b, double level)
{
  return (level - a) / (b - a);
}

void
as_figure_draw_topography (cairo_t *cr, double cx, double cy, double radius_px,
                           const AsFigureStyle *style, const AsTopographyGrid *grid,
                           const double *sensor_xy, guint n_sensors, double head_radius)
{
  double scale, vabs;
  guint n;

  if (grid == NULL || !(head_radius > 0) || grid->size < 2)
    return;
  n = grid->size;
  scale = radius_px / head_radius;   /* pixels per projected unit */
  vabs = MAX (fabs (grid->vmin), fabs (grid->vmax));
  if (!(vabs > 0))
    vabs = 1;

  /* The map, painted cell by cell into an image at grid resolution, then scaled. */
  {
    cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, n, n);
    guint8 *px = cairo_image_surface_get_data (img);
    int stride = cairo_image_surface_get_stride (img);
    double cell = 2 * grid->radius / n * scale;

    cairo_surface_flush (img);
    for (guint i = 0; i < n; i++)
      for (guint j = 0; j < n; j++)
        {
          guint32 *p = (guint32 *) (px + (gsize) i * stride) + j;
          double v = grid->values[(gsize) i * n + j], r, g, b;

          if (!grid->mask[(gsize) i * n + j] || !isfinite (v))
            {
              *p = 0;
              continue;
            }
          as_figure_diverging_color (v / vabs, &r, &g, &b);
          *p = 0xff000000u | ((guint32) (r * 255) << 16) | ((guint32) (g * 255) << 8) | (guint32) (b * 255);
        }
    cairo_surface_mark_dirty (img);
    cairo_save (cr);
    cairo_arc (cr, cx, cy, radius_px, 0, 2 * G_PI);
    cairo_clip (cr);
    cairo_translate (cr, cx - grid->radius * scale, cy - grid->radius * scale);
    cairo_scale (cr, cell, cell);
    cairo_set_source_surface (cr, img, 0, 0);
    cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_BILINEAR);
    cairo_paint (cr);
    cairo_restore (cr);
    cairo_surface_destroy (img);

    /* Contours by marching squares at ±1/6 … ±5/6 of the largest |value|. */
    cairo_save (cr);
    cairo_arc (cr, cx, cy, radius_px, 0, 2 * G_PI);
    cairo_clip (cr);
    cairo_set_source_rgba (cr, 0, 0, 0, 0.45);
    cairo_set_line_width (cr, 0.7);
    for (int l = -5; l <= 5; l++)
      {
        double level = l * vabs / 6;

        if (l == 0)
          continue;
        for (guint i = 0; i + 1 < n; i++)
          for (guint j = 0; j + 1 < n; j++)
            {
              double v00 = grid->values[i * n + j], v01 = grid->values[i * n + j + 1];
              double v10 = grid->values[(i + 1) * n + j], v11 = grid->values[(i + 1) * n + j + 1];
              double pts[4][2];
              int np = 0;
              double x0 = cx - grid->radius * scale + (j + 0.5) * cell;
              double y0 = cy - grid->radius * scale + (i + 0.5) * cell;

              if (!isfinite (v00) || !isfinite (v01) || !isfinite (v10) || !isfinite (v11))
                continue;
              if ((v00 < level) != (v01 < level))
                {
                  pts[np][0] = x0 + contour_cross (v00, v01, level) * cell;
                  pts[np++][1] = y0;
                }
              if ((v01 < level) != (v11 < level))
                {
                  pts[np][0] = x0 + cell;
                  pts[np++][1] = y0 + contour_cross (v01, v11, level) * cell;
                }
              if ((v10 < level) != (v11 < level))
                {
                  pts[np][0] = x0 + contour_cross (v10, v11, level) * cell;
                  pts[np++][1] = y0 + cell;
                }
              if ((v00 < level) != (v10 < level))
                {
                  pts[np][0] = x0;
                  pts[np++][1] = y0 + contour_cross (v00, v10, level) * cell;
                }
              for (int s = 0; s + 1 < np; s += 2)
                {
                  cairo_move_to (cr, pts[s][0], pts[s][1]);
                  cairo_line_to (cr, pts[s + 1][0], pts[s + 1][1]);
                }
            }
        cairo_stroke (cr);
      }
    cairo_restore (cr);
  }

  /* Head outline, nose (up is front) and ears. */
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.2);
  cairo_new_path (cr);
  cairo_arc (cr, cx, cy, radius_px, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_move_to (cr, cx - 0.12 * radius_px, cy - 0.99 * radius_px);
  cairo_line_to (cr, cx, cy - 1.15 * radius_px);
  cairo_line_to (cr, cx + 0.12 * radius_px, cy - 0.99 * radius_px);
  cairo_stroke (cr);
  for (int side = -1; side <= 1; side += 2)
    {
      cairo_save (cr);
      cairo_translate (cr, cx + side * 1.04 * radius_px, cy);
      cairo_scale (cr, 0.07 * radius_px, 0.2 * radius_px);
      cairo_new_path (cr);
      cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
      cairo_restore (cr);
      cairo_stroke (cr);
    }

  /* Sensors. */
  for (guint s = 0; s < n_sensors; s++)
    {
      cairo_new_path (cr);
      cairo_arc (cr, cx + sensor_xy[2 * s] * scale, cy - sensor_xy[2 * s + 1] * scale,
                 MAX (0.8, radius_px / 40), 0, 2 * G_PI);
      cairo_fill (cr);
    }
}

void
as_figure_draw_atoms (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                      const AsFigureAtoms *atoms, int selected)
{
  gboolean dark = style->background.r < 0.5;
  double row_h;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (atoms == NULL || atoms->n_atoms == 0 || width < 40)
    return;
  if (is_image_model (atoms))
    {
      as_figure_draw_mosaic (cr, width, height, style, atoms, selected);
      return;
    }

  row_h = as_figure_atoms_row_height (atoms, width);
  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      double y = k * row_h, info_w = 86, topo_w = 0, spec_w, wave_w, x;
      AsColor color;
      char text[64];
      guint n_occ = atoms->occurrences[k]->len;

      if (y > height)
        break;
      as_figure_atom_color (k, dark, &color);
      if ((int) k == selected)
        {
          cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.15);
          cairo_rectangle (cr, 0, y, width, row_h);
          cairo_fill (cr);
        }
      as_figure_set_color (cr, &color);
      cairo_rectangle (cr, 4, y + 6, 4, row_h - 12);
      cairo_fill (cr);

      /* Name, occurrences and rate. */
      as_figure_set_color (cr, &style->foreground);
      g_snprintf (text, sizeof text, _("Atom %u"), k + 1);
      as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, text, 14, y + 8, 0, 0);
      g_snprintf (text, sizeof text, g_dngettext (GETTEXT_PACKAGE, "%u occurrence", "%u occurrences", n_occ), n_occ);
      as_figure_text (cr, style, 0.85, 0, text, 14, y + 8 + 1.6 * style->font_size, 0, 0);
      if (atoms->duration > 0)
        {
          g_snprintf (text, sizeof text, _("%.2f per s"), n_occ / atoms->duration);
          as_figure_text (cr, style, 0.85, 0, text, 14, y + 8 + 3.0 * style->font_size, 0, 0);
        }
      /* An atom that explains almost nothing is marked; the tooltip and the model say why. */
      if (atoms->weak != NULL && atoms->weak[k] != NULL)
        {
          AsColor warn;
          as_figure_weak_color (dark, &warn);
          as_figure_set_color (cr, &warn);
          as_figure_text (cr, style, 0.85, AS_FIGURE_TEXT_BOLD, _("weak"), 14,
                          y + 8 + 4.4 * style->font_size, 0, 0);
        }

      if (atoms->topographies != NULL && atoms->topographies->grids[k] != NULL)
        topo_w = row_h - 8;
      spec_w = MAX (60, (width - info_w - topo_w) * 0.3);
      wave_w = width - info_w - topo_w - spec_w - 24;
      x = info_w;
      draw_waveform (cr, style, atoms, k, &(AsFigureRect) { x, y + 6, wave_w, row_h - 10 }, &color,
                     FALSE);
      x += wave_w + 8;
      if (topo_w > 0)
        {
          double r = topo_w / 2 * 0.8;
          as_figure_draw_topography (cr, x + topo_w / 2, y + row_h / 2 + 2, r, style,
                                     atoms->topographies->grids[k], atoms->topographies->sensor_xy,
                                     atoms->topographies->n_sensors,
                                     atoms->topographies->head_radius);
          x += topo_w + 8;
        }
      draw_spectrum (cr, style, atoms, k, &(AsFigureRect) { x, y + 6, spec_w, row_h - 10 }, &color,
                     FALSE);

      as_figure_set_color (cr, &style->grid);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, 0, floor (y + row_h) - 0.5);
      cairo_line_to (cr, width, floor (y + row_h) - 0.5);
      cairo_stroke (cr);
    }
}

void
as_figure_draw_mosaic (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                       const AsFigureAtoms *atoms, int selected)
{
  const AsCdlModel *model;
  guint h, w, P, n_cols;
  double tile;
  gboolean dark = style->background.r < 0.5;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (atoms == NULL || atoms->n_atoms == 0)
    return;
  model = atoms->model;
  h = model->shape.atom_height;
  w = model->shape.atom_width;
  P = model->shape.n_channels;
  n_cols = (guint) ceil (sqrt (atoms->n_atoms));
  tile = MIN (width / n_cols, as_figure_atoms_row_height (atoms, width));

  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      const double *atom = as_cdl_model_get_atom (model, k);
      double x = (k % n_cols) * tile, y = (k / n_cols) * tile, amax = 0, cell;
      cairo_surface_t *img = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
      guint8 *px = cairo_image_surface_get_data (img);
      int stride = cairo_image_surface_get_stride (img);
      gsize hw = (gsize) h * w;
      AsColor color;

      for (gsize i = 0; i < P * hw; i++)
        amax = MAX (amax, fabs (atom[i]));
      if (!(amax > 0))
        amax = 1;
      cairo_surface_flush (img);
      for (guint i = 0; i < h; i++)
        for (guint j = 0; j < w; j++)
          {
            guint32 *p = (guint32 *) (px + (gsize) i * stride) + j;
            double r, g, b;

            if (P >= 3)
              {
                r = 0.5 + 0.5 * atom[0 * hw + i * w + j] / amax;
                g = 0.5 + 0.5 * atom[1 * hw + i * w + j] / amax;
                b = 0.5 + 0.5 * atom[2 * hw + i * w + j] / amax;
              }
            else
              as_figure_diverging_color (atom[i * w + j] / amax, &r, &g, &b);
            *p = ((guint32) (CLAMP (r, 0, 1) * 255) << 16) | ((guint32) (CLAMP (g, 0, 1) * 255) << 8)
                 | (guint32) (CLAMP (b, 0, 1) * 255);
          }
      cairo_surface_mark_dirty (img);
      cell = (tile - 8) / MAX (h, w);
      cairo_save (cr);
      cairo_translate (cr, x + 4, y + 4);
      cairo_scale (cr, cell, cell);
      cairo_set_source_surface (cr, img, 0, 0);
      cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
      cairo_paint (cr);
      cairo_restore (cr);
      cairo_surface_destroy (img);

      as_figure_atom_color (k, dark, &color);
      as_figure_set_color (cr, &color);
      cairo_set_line_width (cr, (int) k == selected ? 3 : 1);
      cairo_rectangle (cr, x + 3, y + 3, w * cell + 2, h * cell + 2);
      cairo_stroke (cr);
    }
}

/* ---- activation raster --------------------------------------------------------------- */

/* The rows of the raster in @plot; labels of the atoms left of it. */
static void
raster_rows (cairo_t *cr, const AsFigureStyle *style, const AsFigureAtoms *atoms, double t0,
             double duration, int selected, const AsFigureRect *plot, double width)
{
  double row_h = plot->height / atoms->n_atoms;
  gboolean dark = style->background.r < 0.5;
  double label_scale = MIN (0.85, MAX (0.55, row_h * 0.8 / style->font_size));

  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      /* A tick at each onset: atoms can be as long as the gaps between them. */
      double y = plot->y + k * row_h;
      double tick_w = CLAMP (as_figure_atoms_atom_duration (atoms) / duration * plot->width, 1.0, 3.0);
      GArray *occ = atoms->occurrences[k];
      AsColor color;
      char label[32];

      as_figure_atom_color (k, dark, &color);
      if ((int) k == selected)
        {
          cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.12);
          cairo_rectangle (cr, 0, y, width, row_h);
          cairo_fill (cr);
        }
      as_figure_set_color (cr, &color);
      g_snprintf (label, sizeof label, _("Atom %u"), k + 1);
      if (row_h >= 7)
        as_figure_text (cr, style, label_scale, 0, label, 6, y + row_h / 2, 0.0, 0.5);

      cairo_save (cr);
      cairo_rectangle (cr, plot->x, plot->y, plot->width, plot->height);
      cairo_clip (cr);
      for (guint i = 0; i < occ->len; i++)
        {
          const AsCdlOccurrence *o = &g_array_index (occ, AsCdlOccurrence, i);
          double t = as_figure_atoms_occurrence_time (atoms, o);
          double x = plot->x + (t - t0) / duration * plot->width;
          double a = atoms->max_amplitude[k] > 0 ? fabs (o->amplitude) / atoms->max_amplitude[k] : 1;

          if (o->trial != 0 || x + tick_w < plot->x || x > plot->x + plot->width)
            continue;
          cairo_set_source_rgba (cr, color.r, color.g, color.b, 0.25 + 0.75 * a);
          cairo_rectangle (cr, x, y + 1, tick_w, MAX (1, row_h - 2));
          cairo_fill (cr);
        }
      cairo_restore (cr);
    }
}

void
as_figure_draw_raster (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                       const AsFigureAtoms *atoms, double t0, double duration, int selected)
{
  const double left = AS_FIGURE_PLOT_LEFT, right = AS_FIGURE_PLOT_RIGHT, top = 2, bottom = 2;
  AsFigureRect plot = { left, top, width - left - right, height - top - bottom };

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (atoms == NULL || atoms->n_atoms == 0 || plot.width < 10 || duration <= 0)
    return;

  /* The same time grid as the signal browser, whose labels it sits under. */
  {
    AsFigureAxis axis = { t0, t0 + duration, FALSE, NULL };

    cairo_save (cr);
    cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
    cairo_clip (cr);
    as_figure_draw_axis (cr, style, &axis, AS_FIGURE_AXIS_BOTTOM, &plot, 1.0,
                         AS_FIGURE_AXIS_GRID | AS_FIGURE_AXIS_NO_LABELS);
    cairo_restore (cr);
  }
  raster_rows (cr, style, atoms, t0, duration, selected, &plot, width);
}

void
as_figure_draw_raster_figure (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                              const AsFigureAtoms *atoms, double t0, double duration,
                              const char *title)
{
  double fs = style->font_size, label_h;
  AsFigureAxis axis = { t0, t0 + duration, FALSE, NULL };
  AsFigureRect plot;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (atoms == NULL || atoms->n_atoms == 0 || duration <= 0)
    return;
  axis.title = atoms->sfreq > 0 ? _("time (s)") : _("position (px)");
  as_figure_text_size (cr, style, 1.0, 0, "0", NULL, &label_h);
  plot.x = 7.5 * fs;
  plot.y = title != NULL ? 2.6 * fs : fs;
  plot.width = width - plot.x - 1.5 * fs;
  plot.height = height - plot.y - (5 + 2 * label_h + 4) - fs * 0.5;
  if (plot.width < 20 || plot.height < 10)
    return;
  as_figure_set_color (cr, &style->foreground);
  if (title != NULL)
    as_figure_text (cr, style, 1.1, AS_FIGURE_TEXT_BOLD, title, plot.x, 0.8 * fs, 0.0, 0.0);
  as_figure_draw_axis (cr, style, &axis, AS_FIGURE_AXIS_BOTTOM, &plot, 1.0, AS_FIGURE_AXIS_GRID);
  raster_rows (cr, style, atoms, t0, duration, -1, &plot, width);
  draw_frame (cr, style, plot.x, plot.y, plot.width, plot.height);
}

/* ---- convergence ------------------------------------------------------------------- */

static gboolean
trace_value (const AsCdlTracePoint *p, AsConvergenceAxis x_axis, gboolean log_x, gboolean log_y,
             gboolean suboptimality, double fmin, double *xv, double *yv)
{
  *xv = x_axis == AS_CONVERGENCE_X_TIME ? p->time : p->iteration + 0.5 * p->half;
  *yv = suboptimality ? (p->objective - fmin) / MAX (fabs (fmin), 1e-300) : p->objective;
  /* Iteration 0 and time 0 have a place on a log axis one unit (1 ms) before 1. */
  if (log_x)
    *xv += x_axis == AS_CONVERGENCE_X_TIME ? 1e-3 : 1;
  if (log_x && !(*xv > 0))
    return FALSE;
  if (log_y && !(*yv > 0))
    return FALSE;
  return isfinite (*xv) && isfinite (*yv);
}

void
as_figure_draw_convergence (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                            const AsCdlModel *model, AsConvergenceAxis x_axis, gboolean log_x,
                            gboolean log_y, gboolean suboptimality)
{
  double fs = style->font_size, xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  double fmin = INFINITY, label_h, title_h, left;
  AsFigureAxis xa, ya;
  AsFigureRect plot;
  GArray *trace;
  gboolean started = FALSE;
  const char *title;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  title = suboptimality ? _("Relative suboptimality") : _("Objective");
  as_figure_text_size (cr, style, 0.9, 0, "0", NULL, &label_h);
  as_figure_text_size (cr, style, 0.95, AS_FIGURE_TEXT_BOLD, title, NULL, &title_h);
  xa = (AsFigureAxis) { 0, 1, log_x, x_axis == AS_CONVERGENCE_X_TIME ? _("time (s)") : _("iteration") };
  as_figure_set_color (cr, &style->foreground);
  if (model == NULL || model->trace == NULL || model->trace->len == 0)
    {
      as_figure_text (cr, style, 0.95, AS_FIGURE_TEXT_BOLD, title, fs, 4, 0, 0);
      return;
    }
  trace = model->trace;

  for (guint i = 0; i < trace->len; i++)
    fmin = MIN (fmin, g_array_index (trace, AsCdlTracePoint, i).objective);
  /* Suboptimality against the best value seen. */
  for (guint i = 0; i < trace->len; i++)
    {
      double xv, yv;

      if (!trace_value (&g_array_index (trace, AsCdlTracePoint, i), x_axis, log_x, log_y,
                        suboptimality, fmin, &xv, &yv))
        continue;
      xlo = MIN (xlo, xv);
      xhi = MAX (xhi, xv);
      ylo = MIN (ylo, yv);
      yhi = MAX (yhi, yv);
    }
  if (!isfinite (xlo) || !isfinite (ylo))
    {
      as_figure_text (cr, style, 0.95, AS_FIGURE_TEXT_BOLD, title, fs, 4, 0, 0);
      return;
    }
  if (xhi <= xlo)
    xhi = log_x ? xlo * 10 : xlo + 1;
  if (yhi <= ylo)
    {
      if (log_y)
        {
          yhi = ylo * 10;
          ylo /= 10;
        }
      else
        {
          double pad = MAX (fabs (ylo) * 0.05, 1e-12);
          ylo -= pad;
          yhi += pad;
        }
    }
  else if (!log_y)
    {
      double pad = 0.04 * (yhi - ylo);
      ylo -= pad;
      yhi += pad;
    }
  else
    {
      /* A few percent of the span on either side, so the ends are not on the frame. */
      double pad = pow (yhi / ylo, 0.03);
      ylo /= pad;
      yhi *= pad;
    }
  xa.lo = xlo;
  xa.hi = xhi;
  ya = (AsFigureAxis) { ylo, yhi, log_y, NULL };

  plot.y = title_h + 8;
  plot.height = height - plot.y - (5 + label_h + 2 + label_h) - 4;
  left = as_figure_axis_left_room (cr, style, &ya, MAX (plot.height, 1), 0.9) + 6;
  plot.x = left;
  plot.width = width - left - fs;
  if (plot.width < 20 || plot.height < 20)
    return;
  as_figure_set_color (cr, &style->foreground);
  as_figure_text (cr, style, 0.95, AS_FIGURE_TEXT_BOLD, title, plot.x, 4, 0, 0);
  draw_frame (cr, style, plot.x, plot.y, plot.width, plot.height);
  as_figure_draw_axis (cr, style, &ya, AS_FIGURE_AXIS_LEFT, &plot, 0.9, AS_FIGURE_AXIS_GRID);
  as_figure_draw_axis (cr, style, &xa, AS_FIGURE_AXIS_BOTTOM, &plot, 0.9, AS_FIGURE_AXIS_GRID);

  cairo_save (cr);
  cairo_rectangle (cr, plot.x, plot.y, plot.width, plot.height);
  cairo_clip (cr);
  as_figure_set_color (cr, &style->trace);
  cairo_set_line_width (cr, 1.5);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < trace->len; i++)
    {
      double xv, yv, px, py;

      if (!trace_value (&g_array_index (trace, AsCdlTracePoint, i), x_axis, log_x, log_y,
                        suboptimality, fmin, &xv, &yv))
        continue;
      px = plot.x + as_figure_axis_fraction (&xa, xv) * plot.width;
      py = plot.y + plot.height - as_figure_axis_fraction (&ya, yv) * plot.height;
      if (!started)
        cairo_move_to (cr, px, py);
      else
        cairo_line_to (cr, px, py);
      started = TRUE;
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}
