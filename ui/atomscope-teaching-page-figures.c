/* atomscope-teaching-page-figures.c: the teaching page's figures built from its
 * newest snapshot, for the widgets and for the PNG/SVG/PDF/CSV export.
 * A figure reads only a TeachingFigure (a copy of the controls and a snapshot
 * reference), so the widgets' figures can be drawn on a worker thread.
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

/* Epoch (or layer) numbers 1 … n for an x axis; free with g_free. */
static double *
axis_new (guint n)
{
  double *x = g_new (double, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    x[i] = i + 1;
  return x;
}

static void
draw_convergence (const TeachingFigure *f, cairo_t *cr, double w, double h,
                  AsFigureRect *legend, guint *legend_index, guint *n_legend, AsFigureXMap *x_map)
{
  const AsTeachingSnapshot *s = f->snapshot;
  const AsFigureStyle *style = &f->style;
  gboolean by_time = f->by_time;
  AsFigureCurve curves[TEACHING_N_CURVES];
  AsFigureRect boxes[TEACHING_N_CURVES];
  guint index[TEACHING_N_CURVES];
  guint n = 0;
  AsFigureCurvePlot plot = {
    .title = _("Convergence: F(zᵗ) − F(z*), mean over the test signals"),
    .x_label = by_time ? _("Time (s)") : _("Iterations / layers t"),
    .y_label = _("F(zᵗ) − F(z*)"),
    .log_x = f->logx,
    .log_y = TRUE,
    .y_floor = 1e-14,
    .reference_slopes = !by_time,
    .slope_1_label = _("1/t"),
    .slope_2_label = _("1/t²"),
    .hline = NAN,
    .empty_message = _("Solving the problem…"),
    /* Convergence curves fall from top left to bottom right. */
    .legend_bottom_left = TRUE,
    .x_lo = f->layer_lo,
    .x_hi = f->layer_hi,
    .x_map = x_map,
  };

  if (f->layer_hi > f->layer_lo)
    plot.x_label = by_time ? _("Time (s), zoomed: double-click shows all")
                           : _("Iterations / layers t, zoomed: double-click shows all");
  for (guint k = 0; s != NULL && k < AS_TEACHING_N_CLASSICAL; k++)
    {
      const AsTeachingPath *p = s->classical[k];
      if (p == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (k),
        .color = as_figure_teaching_color (k, style_is_dark (style)),
        .dashed = FALSE,
        .visible = f->visible[k],
        .n = p->n_points,
        .x = by_time ? p->time : NULL,
        .y = p->gap_mean,
      };
      index[n++] = k;
    }
  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint i = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (i),
        .color = as_figure_teaching_color (i, style_is_dark (style)),
        .dashed = TRUE,
        .markers = TRUE,
        /* Layers have no wall-clock time of their own: shown against t only. */
        .visible = f->visible[i] && !by_time,
        .n = u->n_layers + 1,
        .y = u->gap_mean,
      };
      index[n++] = i;
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, boxes);
  if (legend != NULL)
    {
      memcpy (legend, boxes, sizeof (AsFigureRect) * n);
      memcpy (legend_index, index, sizeof (guint) * n);
      *n_legend = n;
    }
}

static void
draw_loss (const TeachingFigure *f, cairo_t *cr, double w, double h)
{
  const AsTeachingSnapshot *s = f->snapshot;
  const AsFigureStyle *style = &f->style;
  AsFigureCurve curves[AS_TEACHING_N_LEARNED];
  g_autofree double *x = NULL;
  guint n = 0, n_x = 0;
  AsFigureCurvePlot plot = {
    .title = _("Training loss"),
    .x_label = _("Epoch"),
    .log_y = TRUE,
    .y_floor = 1e-14,
    .hline = NAN,
    .empty_message = _("No network trained yet"),
  };

  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    if (s->learned[k] != NULL)
      n_x = MAX (n_x, s->learned[k]->n_epochs);
  x = axis_new (n_x);
  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint i = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL || u->n_epochs == 0)
        continue;
      curves[n++] = (AsFigureCurve) {
        .label = teaching_solver_name (i),
        .color = as_figure_teaching_color (i, style_is_dark (style)),
        .visible = f->visible[i],
        .n = u->n_epochs,
        .x = x,
        .y = u->train_loss,
      };
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, NULL);
}

static const AsTeachingPath *
step_path (const AsTeachingSnapshot *s, guint index)
{
  if (s == NULL)
    return NULL;
  if (index < AS_TEACHING_N_CLASSICAL)
    return s->classical[index];
  if (index < TEACHING_N_CURVES)
    return s->learned_path[index - AS_TEACHING_N_CLASSICAL];
  return NULL;
}

/* The solver chosen in the step-by-step drop-down: classical first, then learned. */
const AsTeachingPath *
teaching_step_path (AtomscopeTeachingPage *self, const char **name)
{
  guint index = gtk_drop_down_get_selected (self->step_solver_dropdown);

  if (name != NULL)
    *name = teaching_solver_name (index);
  return step_path (self->snapshot, index);
}

static void
draw_stems (const TeachingFigure *f, cairo_t *cr, double w, double h)
{
  const AsFigureStyle *style = &f->style;
  guint index = f->step_index;
  const char *name = teaching_solver_name (index);
  const AsTeachingPath *p = step_path (f->snapshot, index);
  guint t = f->step_t;
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
                        f->snapshot->solution, t >= 1 ? p->thresholds[t - 1] : NAN);
}

static void
draw_steps (const TeachingFigure *f, cairo_t *cr, double w, double h,
            AsFigureRect *legend, guint *legend_index, guint *n_legend)
{
  const AsTeachingSnapshot *s = f->snapshot;
  const AsFigureStyle *style = &f->style;
  AsFigureCurve curves[AS_TEACHING_N_LEARNED];
  AsFigureRect boxes[AS_TEACHING_N_LEARNED];
  guint index[AS_TEACHING_N_LEARNED];
  g_autofree double *x = NULL;
  guint n = 0, n_x = 0;
  AsFigureCurvePlot plot = {
    .title = _("Learned step per layer"),
    .x_label = _("Layer t"),
    .y_label = _("Step size"),
    .hline = s != NULL && s->lipschitz > 0 ? 1.0 / s->lipschitz : NAN,
    .hline_label = _("1/L (ISTA)"),
    .empty_message = _("No network trained yet"),
  };

  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    if (s->learned[k] != NULL)
      n_x = MAX (n_x, s->learned[k]->n_layers);
  x = axis_new (n_x);   /* 1 … T */
  for (guint k = 0; s != NULL && k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];
      guint i = AS_TEACHING_N_CLASSICAL + k;
      if (u == NULL)
        continue;
      curves[n] = (AsFigureCurve) {
        .label = teaching_solver_name (i),
        .color = as_figure_teaching_color (i, style_is_dark (style)),
        .markers = TRUE,
        .visible = f->visible[i],
        .n = u->n_layers,
        .x = x,
        .y = u->steps,
      };
      index[n++] = i;
    }
  as_figure_draw_steps (cr, w, h, style, &plot, curves, n, boxes, _("1/L_S"),
                        _("supports met by oracle ISTA"), s ? s->inv_ls_met : NULL,
                        s ? s->n_inv_ls_met : 0, _("supports of z*"),
                        s ? s->inv_ls_solution : NULL, s ? s->n_inv_ls_solution : 0);
  if (legend != NULL)
    {
      memcpy (legend, boxes, sizeof (AsFigureRect) * n);
      memcpy (legend_index, index, sizeof (guint) * n);
      *n_legend = n;
    }
}

static void
draw_coupling (const TeachingFigure *f, cairo_t *cr, double w, double h)
{
  const AsTeachingSnapshot *s = f->snapshot;
  const AsFigureStyle *style = &f->style;
  AsFigureCurve curves[2];
  g_autofree double *x = NULL;
  guint n = 0, n_x = 0;
  AsFigureCurvePlot plot = {
    .title = _("Weight coupling ‖W_t diag(θ_t)⁻¹ − D‖ / ‖D‖ (LISTA, LISTA-CP)"),
    .x_label = _("Layer t"),
    .hline = NAN,
    .empty_message = _("Train LISTA or LISTA-CP to see their weights couple"),
  };
  AsUnrolledKind kinds[] = { AS_UNROLLED_LISTA, AS_UNROLLED_LISTA_CP };

  for (guint i = 0; s != NULL && i < G_N_ELEMENTS (kinds); i++)
    if (s->learned[kinds[i]] != NULL)
      n_x = MAX (n_x, s->learned[kinds[i]]->n_layers);
  x = axis_new (n_x);
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
        .visible = f->visible[index],
        .n = u->n_layers,
        .x = x,
        .y = u->coupling,
      };
    }
  as_figure_draw_curves (cr, w, h, style, &plot, curves, n, NULL);
}

/* ------------------------------------------------------- worker renders */

TeachingFigure *
teaching_figure_new (AtomscopeTeachingPage *self, guint figure, const AsFigureStyle *style,
                     gboolean legend)
{
  TeachingFigure *f = g_new0 (TeachingFigure, 1);

  /* A reference, not a copy: snapshots are immutable once published. */
  f->snapshot = self->snapshot != NULL ? as_teaching_snapshot_ref (self->snapshot) : NULL;
  f->style = *style;
  f->by_time = gtk_toggle_button_get_active (self->time_button);
  f->logx = gtk_toggle_button_get_active (self->logx_button);
  memcpy (f->visible, self->visible, sizeof f->visible);
  f->step_index = gtk_drop_down_get_selected (self->step_solver_dropdown);
  f->step_t = (guint) MAX (gtk_spin_button_get_value_as_int (self->step_spin), 0);
  f->figure = figure;
  f->scale = self->scale > 0 ? self->scale : 1.0;
  f->layer_lo = self->layer_lo;
  f->layer_hi = self->layer_hi;
  if (legend)
    f->legend = g_atomic_rc_box_new0 (TeachingLegend);
  return f;
}

TeachingLegend *
teaching_legend_ref (TeachingLegend *legend)
{
  return g_atomic_rc_box_acquire (legend);
}

void
teaching_legend_unref (TeachingLegend *legend)
{
  g_atomic_rc_box_release (legend);
}

static void
unref_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  as_teaching_snapshot_unref (task_data);
  g_task_return_boolean (task, TRUE);
}

void
teaching_snapshot_unref_later (AsTeachingSnapshot *snapshot)
{
  GTask *task;

  if (snapshot == NULL)
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, snapshot, NULL);
  g_task_run_in_thread (task, unref_thread);
  g_object_unref (task);
}

void
teaching_figure_free (TeachingFigure *f)
{
  if (f == NULL)
    return;
  /* Still held when the render never ran (a newer request replaced it). */
  teaching_snapshot_unref_later (g_steal_pointer (&f->snapshot));
  g_clear_pointer (&f->legend, teaching_legend_unref);
  g_free (f);
}

static void
draw_figure (TeachingFigure *f, cairo_t *cr, double w, double h)
{
  TeachingLegend *l = f->legend;

  switch (f->figure)
    {
    case TEACHING_FIGURE_CONVERGENCE:
      draw_convergence (f, cr, w, h, l ? l->boxes : NULL, l ? l->index : NULL, l ? &l->n : NULL,
                        l ? &l->x_map : NULL);
      break;
    case TEACHING_FIGURE_LOSS:
      draw_loss (f, cr, w, h);
      break;
    case TEACHING_FIGURE_STEMS:
      draw_stems (f, cr, w, h);
      break;
    case TEACHING_FIGURE_STEPS:
      draw_steps (f, cr, w, h, l ? l->boxes : NULL, l ? l->index : NULL, l ? &l->n : NULL);
      break;
    default:
      draw_coupling (f, cr, w, h);
      break;
    }
}

void
teaching_figure_render (cairo_t *cr, double w, double h, gpointer data)
{
  TeachingFigure *f = data;
  double s = f->scale > 0 ? f->scale : 1.0;

  /* The presentation scale: the figure is drawn on a canvas s times smaller
   * and magnified, so text, lines and markers grow together for a projector;
   * legend boxes go back to widget pixels. */
  cairo_save (cr);
  cairo_scale (cr, s, s);
  draw_figure (f, cr, w / s, h / s);
  cairo_restore (cr);
  if (f->legend != NULL)
    {
      for (guint i = 0; i < f->legend->n; i++)
        {
          f->legend->boxes[i].x *= s;
          f->legend->boxes[i].y *= s;
          f->legend->boxes[i].width *= s;
          f->legend->boxes[i].height *= s;
        }
      f->legend->x_map.left *= s;
      f->legend->x_map.top *= s;
      f->legend->x_map.width *= s;
      f->legend->x_map.height *= s;
      g_atomic_int_set (&f->legend->done, TRUE);
    }
  /* This thread may hold the last reference of an old snapshot: free it here,
   * not on the main loop. */
  g_clear_pointer (&f->snapshot, as_teaching_snapshot_unref);
}

/* ------------------------------------------------------------ export */

static cairo_status_t
write_stream (void *closure, const unsigned char *data, unsigned int length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS
                                                      : CAIRO_STATUS_WRITE_ERROR;
}

typedef struct
{
  guint  figure;
  double x, y, w, h;
} Panel;

static void
draw_view (AtomscopeTeachingPage *self, const char *view, cairo_t *cr, double w, double h,
           const AsFigureStyle *style)
{
  /* Drawn here, synchronously: an export is a one-off and must be whole. */
  Panel panels[2];
  guint n_panels;

  if (g_strcmp0 (view, "steps") == 0)
    {
      panels[0] = (Panel) { TEACHING_FIGURE_STEMS, 0, 0, w, h };
      n_panels = 1;
    }
  else if (g_strcmp0 (view, "learned") == 0)
    {
      panels[0] = (Panel) { TEACHING_FIGURE_STEPS, 0, 0, w, h * 0.62 };
      panels[1] = (Panel) { TEACHING_FIGURE_COUPLING, 0, h * 0.62, w, h * 0.38 };
      n_panels = 2;
    }
  else
    {
      panels[0] = (Panel) { TEACHING_FIGURE_CONVERGENCE, 0, 0, w * 0.64, h };
      panels[1] = (Panel) { TEACHING_FIGURE_LOSS, w * 0.64, 0, w * 0.36, h };
      n_panels = 2;
    }
  for (guint i = 0; i < n_panels; i++)
    {
      TeachingFigure *f = teaching_figure_new (self, panels[i].figure, style, FALSE);

      /* Each panel paints its own background: clip it to its rectangle. */
      cairo_save (cr);
      cairo_translate (cr, panels[i].x, panels[i].y);
      cairo_rectangle (cr, 0, 0, panels[i].w, panels[i].h);
      cairo_clip (cr);
      draw_figure (f, cr, panels[i].w, panels[i].h);
      cairo_restore (cr);
      teaching_figure_free (f);
    }
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
