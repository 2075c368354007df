/* as-figure-model.c: a learned model's figures, laid out for files.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-figure"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-figure-axis.h"
#include "as-figure-model.h"
#include "as-figure-text.h"
#include "as-topography.h"

const char *const as_figure_model_names[] = {
  "figure-atoms", "figure-raster", "figure-convergence", NULL,
};

AsFigureTopographies *
as_figure_topographies_for_model (const AsCdlModel *model, const AsRecording *rec, guint size)
{
  g_autofree double *values = NULL;
  AsTopographyGrid **grids;
  const AsTopographyGrid *first = NULL;
  guint K, n_positioned = 0;

  if (model == NULL || rec == NULL || model->u == NULL || model->shape.height != 1
      || model->shape.n_channels != rec->n_channels)
    return NULL;
  for (guint c = 0; c < rec->n_channels; c++)
    n_positioned += rec->channels[c].has_position;
  if (n_positioned < 3)
    return NULL;
  K = model->shape.n_atoms;
  grids = g_new0 (AsTopographyGrid *, MAX (K, 1));
  values = g_new (double, rec->n_channels);
  for (guint k = 0; k < K; k++)
    {
      g_autoptr (GError) error = NULL;

      memcpy (values, model->u + (gsize) k * rec->n_channels, sizeof (double) * rec->n_channels);
      grids[k] = as_topography_for_recording (rec, values, AS_HEAD_CIRCLE_EEGLAB, size, &error);
      if (grids[k] == NULL)
        {
          g_debug ("topography of atom %u: %s", k + 1, error->message);
          /* Too few positions is the same for every atom. */
          if (k == 0)
            break;
          continue;
        }
      if (first == NULL)
        first = grids[k];
    }
  if (first == NULL)
    {
      for (guint k = 0; k < K; k++)
        g_clear_pointer (&grids[k], as_topography_grid_free);
      g_free (grids);
      return NULL;
    }
  return as_figure_topographies_new (K, grids, first->sensor_xy, first->n_sensors, first->head_radius);
}

void
as_figure_draw_topography_with_bar (cairo_t *cr, const AsFigureStyle *style,
                                    const AsFigureTopographies *topo, guint k, double x, double y,
                                    double side)
{
  const AsTopographyGrid *grid;
  double vabs, label_w, bar_w, bar_h, bar_x, bar_y, radius;
  AsFigureAxis axis = { 0, 0, FALSE, NULL };
  cairo_pattern_t *ramp;

  if (topo == NULL || k >= topo->n_atoms || topo->grids[k] == NULL)
    return;
  grid = topo->grids[k];
  vabs = MAX (fabs (grid->vmin), fabs (grid->vmax));
  if (!(vabs > 0))
    vabs = 1;
  /* Room for the bar and its labels right of the head. */
  as_figure_text_size (cr, style, 0.85, 0, "\u22120.00", &label_w, NULL);
  bar_w = MAX (8.0, side * 0.05);
  radius = (side - bar_w - label_w - 18) / 2 / 1.18;
  if (!(radius > 8))
    return;
  as_figure_draw_topography (cr, x + radius * 1.1, y + side / 2, radius, style, grid,
                             topo->sensor_xy, topo->n_sensors, topo->head_radius);

  /* The colour bar: the same diverging map, symmetric around 0. */
  bar_x = x + 2.3 * radius + 8;
  bar_h = side * 0.7;
  bar_y = y + (side - bar_h) / 2;
  ramp = cairo_pattern_create_linear (0, bar_y + bar_h, 0, bar_y);
  for (int i = 0; i <= 20; i++)
    {
      double t = -1 + i / 10.0, r, g, b;

      as_figure_diverging_color (t, &r, &g, &b);
      cairo_pattern_add_color_stop_rgb (ramp, i / 20.0, r, g, b);
    }
  cairo_rectangle (cr, bar_x, bar_y, bar_w, bar_h);
  cairo_set_source (cr, ramp);
  cairo_fill (cr);
  cairo_pattern_destroy (ramp);
  axis.lo = -vabs;
  axis.hi = vabs;
  as_figure_draw_axis (cr, style, &axis, AS_FIGURE_AXIS_RIGHT,
                       &(AsFigureRect) { bar_x, bar_y, bar_w, bar_h }, 0.85, 0);
  as_figure_set_color (cr, &style->foreground);
  cairo_set_line_width (cr, 1.0);
  cairo_rectangle (cr, floor (bar_x) + 0.5, floor (bar_y) + 0.5, floor (bar_w), floor (bar_h));
  cairo_stroke (cr);
}

/* Layout of the atoms figure. */
#define TITLE_ROOM(fs)  (3.2 * (fs))
#define HEADER_ROOM(fs) (2.0 * (fs))

static double
row_height (const AsFigureAtoms *atoms, double width)
{
  return CLAMP (width * 0.2, 170.0, 260.0);
}

double
as_figure_atoms_figure_height (const AsFigureAtoms *atoms, double width)
{
  double fs = 11.0;

  if (atoms == NULL || atoms->n_atoms == 0)
    return 200;
  if (atoms->model->shape.atom_height > 1)
    {
      /* 2-D atoms: the mosaic of the window's atoms panel, one square tile per atom. */
      const double n_cols = ceil (sqrt (atoms->n_atoms));
      return TITLE_ROOM (fs) + ceil (atoms->n_atoms / n_cols) * (width / n_cols) + fs;
    }
  return TITLE_ROOM (fs) + HEADER_ROOM (fs) + atoms->n_atoms * row_height (atoms, width) + fs;
}

void
as_figure_draw_atoms_figure (cairo_t *cr, double width, double height, const AsFigureStyle *style,
                             const AsFigureAtoms *atoms, const char *title)
{
  double fs = style->font_size, row_h, info_w, topo_w, wave_w, spec_w, gap, y0;
  gboolean dark = style->background.r < 0.5, has_topo;

  as_figure_set_color (cr, &style->background);
  cairo_paint (cr);
  if (atoms == NULL || atoms->n_atoms == 0)
    return;
  if (atoms->model->shape.atom_height > 1)
    {
      /* 2-D atoms are pictures: the mosaic below the title. */
      cairo_save (cr);
      cairo_rectangle (cr, 0, TITLE_ROOM (fs), width, height - TITLE_ROOM (fs));
      cairo_clip (cr);
      cairo_translate (cr, 0, TITLE_ROOM (fs));
      as_figure_draw_mosaic (cr, width, height - TITLE_ROOM (fs), style, atoms, -1);
      cairo_restore (cr);
    }
  as_figure_set_color (cr, &style->foreground);
  if (title != NULL)
    as_figure_text (cr, style, 1.25, AS_FIGURE_TEXT_BOLD, title, fs, fs, 0, 0);
  if (atoms->model->shape.atom_height > 1)
    return;

  row_h = row_height (atoms, width);
  has_topo = atoms->topographies != NULL;
  gap = 1.5 * fs;
  info_w = 10 * fs;
  topo_w = has_topo ? row_h * 1.25 : 0;
  spec_w = atoms->spectra != NULL ? (width - info_w - topo_w) * 0.32 : 0;
  wave_w = width - info_w - topo_w - spec_w - gap * (has_topo ? 3 : 2);
  y0 = TITLE_ROOM (fs);

  /* Column headers. */
  {
    double x = info_w;

    as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, _("Waveform"), x + wave_w / 2, y0, 0.5, 0);
    x += wave_w + gap;
    if (has_topo)
      {
        as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, _("Topography"), x + topo_w / 2, y0,
                        0.5, 0);
        x += topo_w + gap;
      }
    if (spec_w > 0)
      as_figure_text (cr, style, 1.0, AS_FIGURE_TEXT_BOLD, _("Spectrum"), x + spec_w / 2, y0, 0.5, 0);
    y0 += HEADER_ROOM (fs);
  }

  for (guint k = 0; k < atoms->n_atoms; k++)
    {
      double y = y0 + k * row_h, x = info_w;
      guint n_occ = atoms->occurrences[k]->len;
      AsColor color;
      char text[96];

      as_figure_atom_color (k, dark, &color);
      as_figure_set_color (cr, &color);
      cairo_rectangle (cr, fs * 0.6, y + 4, 4, row_h - 2 * fs);
      cairo_fill (cr);
      as_figure_set_color (cr, &style->foreground);
      g_snprintf (text, sizeof text, _("Atom %u"), k + 1);
      as_figure_text (cr, style, 1.1, AS_FIGURE_TEXT_BOLD, text, fs * 1.4, y + 4, 0, 0);
      g_snprintf (text, sizeof text,
                  g_dngettext (GETTEXT_PACKAGE, "%u occurrence", "%u occurrences", n_occ), n_occ);
      as_figure_text (cr, style, 0.95, 0, text, fs * 1.4, y + 4 + 1.8 * fs, 0, 0);
      if (atoms->duration > 0)
        {
          g_snprintf (text, sizeof text, _("%.2f per s"), n_occ / atoms->duration);
          as_figure_text (cr, style, 0.95, 0, text, fs * 1.4, y + 4 + 3.2 * fs, 0, 0);
        }
      if (atoms->sfreq > 0)
        {
          g_snprintf (text, sizeof text, _("%.3g s long"), as_figure_atoms_atom_duration (atoms));
          as_figure_text (cr, style, 0.95, 0, text, fs * 1.4, y + 4 + 4.6 * fs, 0, 0);
        }
      /* An atom that explains almost nothing: the panel's mark, with the reason (no tooltip in a file). */
      if (atoms->weak != NULL && atoms->weak[k] != NULL)
        {
          AsColor warn;
          as_figure_weak_color (dark, &warn);
          as_figure_set_color (cr, &warn);
          /* One line per part ("weak", "2 occurrences", …), as narrow as the lines above. */
          g_auto (GStrv) parts = g_regex_split_simple (":\\s+|,\\s+", atoms->weak[k], 0, 0);
          double room, w;
          g_snprintf (text, sizeof text,
                      g_dngettext (GETTEXT_PACKAGE, "%u occurrence", "%u occurrences", n_occ), n_occ);
          as_figure_text_size (cr, style, 0.95, 0, text, &room, NULL);
          room = MAX (room, 6 * fs);
          for (guint i = 0; parts[i] != NULL; i++)
            {
              double scale = 0.9;
              as_figure_text_size (cr, style, scale, AS_FIGURE_TEXT_BOLD, parts[i], &w, NULL);
              if (w > room)
                scale *= room / w;
              as_figure_text (cr, style, scale, AS_FIGURE_TEXT_BOLD, parts[i], fs * 1.4,
                              y + 4 + (6.0 + 1.4 * i) * fs, 0, 0);
            }
        }

      as_figure_draw_atom_waveform (cr, style, atoms, k,
                                    &(AsFigureRect) { x, y + 4, wave_w, row_h - 1.5 * fs }, TRUE);
      x += wave_w + gap;
      if (has_topo)
        {
          as_figure_draw_topography_with_bar (cr, style, atoms->topographies, k, x, y + 2,
                                              MIN (topo_w, row_h - fs));
          x += topo_w + gap;
        }
      if (spec_w > 0)
        as_figure_draw_atom_spectrum (cr, style, atoms, k,
                                      &(AsFigureRect) { x, y + 4, spec_w, row_h - 1.5 * fs }, TRUE);
      as_figure_set_color (cr, &style->grid);
      cairo_set_line_width (cr, 1);
      cairo_move_to (cr, 0, floor (y + row_h - 0.25 * fs) + 0.5);
      cairo_line_to (cr, width, floor (y + row_h - 0.25 * fs) + 0.5);
      cairo_stroke (cr);
    }
}

/* ---- writing ------------------------------------------------------------------------ */

typedef struct
{
  const AsFigureAtoms *atoms;
  const char          *title;
} Job;

static void
draw_atoms (cairo_t *cr, double width, double height, gpointer data)
{
  const Job *job = data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_atoms_figure (cr, width, height, &style, job->atoms, job->title);
}

static void
draw_raster (cairo_t *cr, double width, double height, gpointer data)
{
  const Job *job = data;
  const AsFigureAtoms *atoms = job->atoms;
  double length = atoms->sfreq > 0 ? atoms->duration
                                   : (double) as_csc_valid_width (&atoms->model->shape);
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_raster_figure (cr, width, height, &style, atoms, 0, MAX (length, 1e-9), job->title);
}

static void
draw_convergence (cairo_t *cr, double width, double height, gpointer data)
{
  const Job *job = data;
  AsFigureStyle style;
  double fs;

  as_figure_style_init_light (&style);
  fs = style.font_size;
  as_figure_set_color (cr, &style.background);
  cairo_paint (cr);
  if (job->title != NULL)
    {
      as_figure_set_color (cr, &style.foreground);
      as_figure_text (cr, &style, 1.1, AS_FIGURE_TEXT_BOLD, job->title, fs, fs * 0.8, 0, 0);
    }
  /* Relative suboptimality on a log axis: how many digits each iteration gains. */
  cairo_save (cr);
  cairo_translate (cr, 0, 2.6 * fs);
  cairo_rectangle (cr, 0, 0, width, height - 2.6 * fs);
  cairo_clip (cr);
  as_figure_draw_convergence (cr, width, height - 2.6 * fs, &style, job->atoms->model,
                              AS_CONVERGENCE_X_ITERATION, FALSE, TRUE, TRUE);
  cairo_restore (cr);
}

gboolean
as_figure_write_model (const AsFigureAtoms *atoms, const char *source, const char *dir,
                       AsFigureFormat format, double dpi, gboolean overwrite, GPtrArray *written,
                       GError **error)
{
  g_autofree char *title = NULL;
  const AsCdlModel *m;
  const char *ext = as_figure_format_extension (format);
  struct
  {
    AsFigureDrawFunc draw;
    double           width, height;
  } figures[3];
  Job job;

  g_return_val_if_fail (atoms != NULL && dir != NULL, FALSE);
  m = atoms->model;
  if (atoms->sfreq > 0)
    title = g_strdup_printf (_("%s: %u atoms of %.3g s, λ = %.3g λ_max"),
                             source != NULL ? source : _("model"), m->shape.n_atoms,
                             as_figure_atoms_atom_duration (atoms),
                             m->lambda_max > 0 ? m->lambda / m->lambda_max : 0.0);
  else
    title = g_strdup_printf (_("%s: %u atoms of %u × %u, λ = %.3g λ_max"),
                             source != NULL ? source : _("model"), m->shape.n_atoms,
                             m->shape.atom_height, m->shape.atom_width,
                             m->lambda_max > 0 ? m->lambda / m->lambda_max : 0.0);
  job.atoms = atoms;
  job.title = title;

  figures[0].draw = draw_atoms;
  figures[0].width = 1100;
  figures[0].height = as_figure_atoms_figure_height (atoms, 1100);
  figures[1].draw = draw_raster;
  figures[1].width = 1100;
  figures[1].height = CLAMP (90 + 26.0 * atoms->n_atoms, 180, 700);
  figures[2].draw = draw_convergence;
  figures[2].width = 700;
  figures[2].height = 440;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s: could not create the folder: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", as_figure_model_names[i], ext);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      /* The raster of a 2-D model has no time axis to speak of. */
      if (i == 1 && atoms->model->shape.atom_height > 1)
        continue;
      if (!as_figure_export (path, format, figures[i].width, figures[i].height, dpi,
                             figures[i].draw, &job, overwrite, error))
        return FALSE;
      if (written != NULL)
        g_ptr_array_add (written, g_steal_pointer (&path));
    }
  return TRUE;
}
