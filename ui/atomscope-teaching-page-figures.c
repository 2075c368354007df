/* atomscope-teaching-page-figures.c: the teaching page's figures built from its
 * newest snapshot, for the widgets and for the PNG/SVG/PDF/CSV export.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-teaching"

#include "config.h"

#include <math.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "as-output.h"
#include "atomscope-teaching-page-private.h"

void
teaching_style (AsFigureStyle *style, gboolean dark)
{
  if (dark)
    as_figure_style_init_dark (style);
  else
    as_figure_style_init_light (style);
  /* Read from the back of a classroom. */
  style->font_size = 13.0;
}

static gboolean
style_is_dark (const AsFigureStyle *style)
{
  return style->background.r < 0.5;
}

const char *
teaching_solver_name (guint index)
{
  switch (index)
    {
    case AS_TEACHING_ISTA: return _("ISTA");
    case AS_TEACHING_FISTA: return _("FISTA");
    case AS_TEACHING_ORACLE_ISTA: return _("Oracle ISTA");
    case AS_TEACHING_CD: return _("Coordinate descent");
    case AS_TEACHING_N_CLASSICAL + AS_UNROLLED_LISTA: return _("LISTA");
    case AS_TEACHING_N_CLASSICAL + AS_UNROLLED_LISTA_CP: return _("LISTA-CP");
    case AS_TEACHING_N_CLASSICAL + AS_UNROLLED_ALISTA: return _("ALISTA");
    case AS_TEACHING_N_CLASSICAL + AS_UNROLLED_SLISTA: return _("SLISTA");
    default: return "?";
    }
}

/* Epoch numbers 1 … n for the training-loss x axis. */
static const double *
epoch_axis (AtomscopeTeachingPage *self, guint n)
{
  if (n > self->n_epoch_x)
    {
      self->epoch_x = g_renew (double, self->epoch_x, n);
      for (guint i = self->n_epoch_x; i < n; i++)
        self->epoch_x[i] = i + 1;
      self->n_epoch_x = n;
    }
  return self->epoch_x;
}

void
teaching_draw_convergence (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                           const AsFigureStyle *style)
{
  AsTeachingSnapshot *s = self->snapshot;
  gboolean by_time = gtk_toggle_button_get_active (self->time_button);
  gboolean logx = gtk_toggle_button_get_active (self->logx_button);
  AsFigureCurve curves[TEACHING_N_CURVES];
  AsFigureRect boxes[TEACHING_N_CURVES];
  guint n = 0;
  AsFigureCurvePlot plot = {
    .title = _("Convergence: F(zᵗ) − F(z*), mean over the test signals"),
    .x_label = by_time ? _("Time (s)") : _("Iterations / layers t"),
    .y_label = _("F(zᵗ) − F(z*)"),
    .log_x = logx,
    .log_y = TRUE,
    .y_floor = 1e-14,
    .reference_slopes = !by_time,
    .slope_1_label = _("1/t"),
    .slope_2_label = _("1/t²"),
    .hline = NAN,
    .empty_message = _("Solving the problem…"),
    /* Convergence curves fall from top left to bottom right. */
    .legend_bottom_left = TRUE,
  };

  for (guint k = 0; s != NULL && k < AS_TEACHING_N_CLASSICAL; k++)
    {
      const AsTeachingPath *p = s->classical[k];
      if (p == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (k),
        .color = as_figure_teaching_color (k, style_is_dark (style)),
        .dashed = FALSE,
        .visible = self->visible[k],
        .n = p->n_points,
        .x = by_time ? p->time : NULL,
        .y = p->gap_mean,
      };
      self->legend_index[n++] = k;
    }
  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint index = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (index),
        .color = as_figure_teaching_color (index, style_is_dark (style)),
        .dashed = TRUE,
        .markers = TRUE,
        /* Layers have no wall-clock time of their own: shown against t only. */
        .visible = self->visible[index] && !by_time,
        .n = u->n_layers + 1,
        .y = u->gap_mean,
      };
      self->legend_index[n++] = index;
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, boxes);
  memcpy (self->legend, boxes, sizeof (AsFigureRect) * n);
  self->n_legend = n;
}

void
teaching_draw_loss (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                    const AsFigureStyle *style)
{
  AsTeachingSnapshot *s = self->snapshot;
  AsFigureCurve curves[AS_TEACHING_N_LEARNED];
  guint n = 0;
  AsFigureCurvePlot plot = {
    .title = _("Training loss"),
    .x_label = _("Epoch"),
    .log_y = TRUE,
    .y_floor = 1e-14,
    .hline = NAN,
    .empty_message = _("No network trained yet"),
  };

  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint index = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL || u->n_epochs == 0)
        continue;
      curves[n++] = (AsFigureCurve) {
        .label = teaching_solver_name (index),
        .color = as_figure_teaching_color (index, style_is_dark (style)),
        .visible = self->visible[index],
        .n = u->n_epochs,
        .x = epoch_axis (self, u->n_epochs),
        .y = u->train_loss,
      };
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, NULL);
}

/* The solver chosen in the step-by-step drop-down: classical first, then learned. */
const AsTeachingPath *
teaching_step_path (AtomscopeTeachingPage *self, const char **name)
{
  guint index = gtk_drop_down_get_selected (self->step_solver_dropdown);
  AsTeachingSnapshot *s = self->snapshot;

  if (name != NULL)
    *name = teaching_solver_name (index);
  if (s == NULL)
    return NULL;
  if (index < AS_TEACHING_N_CLASSICAL)
    return s->classical[index];
  if (index < TEACHING_N_CURVES)
    return s->learned_path[index - AS_TEACHING_N_CLASSICAL];
  return NULL;
}

void
teaching_draw_stems (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                     const AsFigureStyle *style)
{
  const char *name;
  const AsTeachingPath *p = teaching_step_path (self, &name);
  guint index = gtk_drop_down_get_selected (self->step_solver_dropdown);
  guint t = (guint) gtk_spin_button_get_value_as_int (self->step_spin);
  g_autofree char *title = NULL;

  if (p == NULL)
    {
      AsFigureCurvePlot plot = { .hline = NAN, .empty_message = _("This solver has not run yet") };
      as_figure_draw_curves (cr, w, h, style, &plot, NULL, 0, NULL);
      return;
    }
  t = MIN (t, p->n_steps);
  if (index >= AS_TEACHING_N_CLASSICAL)
    title = g_strdup_printf (_("%s, layer %u of %u: the code zᵗ of the first test signal"), name, t,
                             p->n_steps);
  else
    title = g_strdup_printf (_("%s, iteration %u: the code zᵗ of the first test signal"), name, t);
  as_figure_draw_stems (cr, w, h, style, title, _("zᵗ"),
                        _("before the threshold: zᵗ⁻¹ − step · ∇f(zᵗ⁻¹)"), _("solution z*"),
                        _("threshold band ±λ · step"),
                        as_figure_teaching_color (index, style_is_dark (style)), p->m,
                        p->codes + (gsize) t * p->m,
                        t >= 1 && p->inputs != NULL ? p->inputs + (gsize) (t - 1) * p->m : NULL,
                        self->snapshot->solution, t >= 1 ? p->thresholds[t - 1] : NAN);
}

void
teaching_draw_steps (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                     const AsFigureStyle *style)
{
  AsTeachingSnapshot *s = self->snapshot;
  AsFigureCurve curves[AS_TEACHING_N_LEARNED];
  AsFigureRect boxes[AS_TEACHING_N_LEARNED];
  guint n = 0;
  AsFigureCurvePlot plot = {
    .title = _("Learned step per layer"),
    .x_label = _("Layer t"),
    .y_label = _("Step size"),
    .hline = s != NULL && s->lipschitz > 0 ? 1.0 / s->lipschitz : NAN,
    .hline_label = _("1/L (ISTA)"),
    .empty_message = _("No network trained yet"),
  };

  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint index = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (index),
        .color = as_figure_teaching_color (index, style_is_dark (style)),
        .markers = TRUE,
        .visible = self->visible[index],
        .n = u->n_layers,
        .x = epoch_axis (self, u->n_layers),   /* 1 … T */
        .y = u->steps,
      };
      self->steps_legend_index[n++] = index;
    }
  as_figure_draw_steps (cr, w, h, style, &plot, curves, n, boxes, _("1/L_S"),
                        _("supports met by oracle ISTA"), s ? s->inv_ls_met : NULL,
                        s ? s->n_inv_ls_met : 0, _("supports of z*"),
                        s ? s->inv_ls_solution : NULL, s ? s->n_inv_ls_solution : 0);
  memcpy (self->steps_legend, boxes, sizeof (AsFigureRect) * n);
  self->n_steps_legend = n;
}

void
teaching_draw_coupling (AtomscopeTeachingPage *self, cairo_t *cr, double w, double h,
                        const AsFigureStyle *style)
{
  AsTeachingSnapshot *s = self->snapshot;
  AsFigureCurve curves[2];
  guint n = 0;
  AsFigureCurvePlot plot = {
    .title = _("Weight coupling ‖W_t diag(θ_t)⁻¹ − D‖ / ‖D‖ (LISTA, LISTA-CP)"),
    .x_label = _("Layer t"),
    .hline = NAN,
    .empty_message = _("Train LISTA or LISTA-CP to see their weights couple"),
  };
  AsUnrolledKind kinds[] = { AS_UNROLLED_LISTA, AS_UNROLLED_LISTA_CP };

  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (kinds); i++)
    {
      const AsUnrolledSnapshot *u = s->learned[kinds[i]];
      guint index = AS_TEACHING_N_CLASSICAL + kinds[i];
      if (u == NULL || u->coupling == NULL || !isfinite (u->coupling[0]))
        continue;
      curves[n++] = (AsFigureCurve) {
        .label = teaching_solver_name (index),
        .color = as_figure_teaching_color (index, style_is_dark (style)),
        .markers = TRUE,
        .visible = self->visible[index],
        .n = u->n_layers,
        .x = epoch_axis (self, u->n_layers),
        .y = u->coupling,
      };
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, NULL);
}

/* ------------------------------------------------------------ export */

static cairo_status_t
write_stream (void *closure, const unsigned char *data, unsigned int length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

static void
draw_view (AtomscopeTeachingPage *self, const char *view, cairo_t *cr, double w, double h,
           const AsFigureStyle *style)
{
  /* Legend boxes belong to the widget: keep them across an export. */
  AsFigureRect legend[TEACHING_N_CURVES], steps_legend[AS_TEACHING_N_LEARNED];
  guint n_legend = self->n_legend, n_steps_legend = self->n_steps_legend;

  memcpy (legend, self->legend, sizeof legend);
  memcpy (steps_legend, self->steps_legend, sizeof steps_legend);
  if (g_strcmp0 (view, "steps") == 0)
    teaching_draw_stems (self, cr, w, h, style);
  else if (g_strcmp0 (view, "learned") == 0)
    {
      /* Each panel paints its own background: clip it to its rectangle. */
      cairo_save (cr);
      cairo_rectangle (cr, 0, 0, w, h * 0.62);
      cairo_clip (cr);
      teaching_draw_steps (self, cr, w, h * 0.62, style);
      cairo_restore (cr);
      cairo_save (cr);
      cairo_translate (cr, 0, h * 0.62);
      cairo_rectangle (cr, 0, 0, w, h * 0.38);
      cairo_clip (cr);
      teaching_draw_coupling (self, cr, w, h * 0.38, style);
      cairo_restore (cr);
    }
  else
    {
      cairo_save (cr);
      cairo_rectangle (cr, 0, 0, w * 0.64, h);
      cairo_clip (cr);
      teaching_draw_convergence (self, cr, w * 0.64, h, style);
      cairo_restore (cr);
      cairo_save (cr);
      cairo_translate (cr, w * 0.64, 0);
      cairo_rectangle (cr, 0, 0, w * 0.36, h);
      cairo_clip (cr);
      teaching_draw_loss (self, cr, w * 0.36, h, style);
      cairo_restore (cr);
    }
  memcpy (self->legend, legend, sizeof legend);
  memcpy (self->steps_legend, steps_legend, sizeof steps_legend);
  self->n_legend = n_legend;
  self->n_steps_legend = n_steps_legend;
}

gboolean
atomscope_teaching_page_export_figure (AtomscopeTeachingPage *self, const char *view,
                                       const char *path, gboolean overwrite, GError **error)
{
  const double w = 1400, h = 700;   /* pixels for PNG, points for SVG/PDF */
  g_autofree char *lower = g_ascii_strdown (path, -1);
  AsFigureStyle style;
  AsOutput *out;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  gboolean png = FALSE;

  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), FALSE);
  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  if (g_str_has_suffix (lower, ".svg"))
    surface = cairo_svg_surface_create_for_stream (write_stream, as_output_get_stream (out), w, h);
  else if (g_str_has_suffix (lower, ".pdf"))
    surface = cairo_pdf_surface_create_for_stream (write_stream, as_output_get_stream (out), w, h);
  else
    {
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
      png = TRUE;
    }
  /* Figures for print are drawn light, whatever the window's style. */
  teaching_style (&style, FALSE);
  cr = cairo_create (surface);
  draw_view (self, view, cr, w, h, &style);
  cairo_destroy (cr);
  if (png)
    status = cairo_surface_write_to_png_stream (surface, write_stream, as_output_get_stream (out));
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: could not draw the figure (%s)"),
                   path, cairo_status_to_string (status));
      as_output_abort (out);
      return FALSE;
    }
  return as_output_commit (out, error);
}

gboolean
atomscope_teaching_page_export_csv (AtomscopeTeachingPage *self, const char *path,
                                    gboolean overwrite, GError **error)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), FALSE);
  if (self->snapshot == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: there are no curves to export yet; wait for the solvers to run"), path);
      return FALSE;
    }
  return as_teaching_write_csv (self->snapshot, path, overwrite, error);
}
