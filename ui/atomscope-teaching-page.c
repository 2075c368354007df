/* atomscope-teaching-page.c: the teaching view's controller: problem controls,
 * presets, the background job (debounced restart, cancel-and-replace), the
 * frame-clock tick that pulls the newest snapshot, step-by-step mode, export.
 *
 * The main loop never waits on the engine: a control change only schedules a
 * restart; the restart asks the running job to stop (without waiting for it)
 * and starts a new one; the tick callback takes whatever snapshot is newest.
 * Nor does it wait on cairo: each figure is painted on a worker thread from a
 * reference to the (immutable) snapshot, and the widget shows the newest
 * finished image; old snapshots are freed off the main loop too.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-teaching"

#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "atomscope-recovery-page.h"
#include "atomscope-teaching-page-private.h"

#define DEBOUNCE_MS 150
#define PLAY_MS 300
/* New snapshots can come every few milliseconds while the networks train;
 * each redrawn figure is a render on the worker and a large damaged area in
 * the next frame (which, with the cairo renderer, the main thread copies to
 * the window).  Ten refreshes a second are plenty to watch training. */
#define FIGURE_REFRESH_US (100 * 1000)

G_DEFINE_FINAL_TYPE (AtomscopeTeachingPage, atomscope_teaching_page, ADW_TYPE_BIN)

static void on_step_changed (AtomscopeTeachingPage *self);

/* Asks the worker for a new image of @figure as it should look now; the
 * worker redraws the area when the image is ready. */
static void
request_figure (AtomscopeTeachingPage *self, guint figure)
{
  AsFigureStyle style;
  TeachingFigure *f;

  teaching_style (&style, adw_style_manager_get_dark (adw_style_manager_get_default ()));
  f = teaching_figure_new (self, figure, &style, self->legends[figure] != NULL);
  self->dirty[figure] = FALSE;
  self->figure_generation[figure]++;
  if (f->legend != NULL)
    {
      f->legend->generation = self->figure_generation[figure];
      /* Renders replaced before they ran never show: keep the list short. */
      if (self->legends[figure]->len >= 8)
        g_ptr_array_remove_index (self->legends[figure], 0);
      g_ptr_array_add (self->legends[figure], teaching_legend_ref (f->legend));
    }
  atomscope_figure_worker_request (self->workers[figure], teaching_figure_render, f,
                                   (GDestroyNotify) teaching_figure_free,
                                   self->figure_generation[figure]);
}

/* Marks a figure out of date.  A shown one is sent to the worker right away,
 * without a redraw: repainting the old image would only damage the window
 * for nothing.  A hidden one asks when it is next drawn. */
static void
queue_figure (AtomscopeTeachingPage *self, guint figure)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self->areas[figure]))
      && !atomscope_figure_worker_stale (self->workers[figure]))
    request_figure (self, figure);
  else
    {
      self->dirty[figure] = TRUE;
      gtk_widget_queue_draw (GTK_WIDGET (self->areas[figure]));
    }
}

static void
queue_draw_all (AtomscopeTeachingPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->areas); i++)
    queue_figure (self, i);
}

/* ---------------------------------------------------------- configuration */

static void
read_config (AtomscopeTeachingPage *self, AsTeachingConfig *cfg)
{
  /* What the controls do not show (training sets, schedules) is the last
   * preset's: a control changed after a preset keeps its schedule. */
  *cfg = self->base;
  cfg->n = (guint) gtk_spin_button_get_value_as_int (self->n_spin);
  cfg->m = (guint) gtk_spin_button_get_value_as_int (self->m_spin);
  cfg->lambda_fraction = gtk_range_get_value (GTK_RANGE (self->lambda_scale));
  cfg->rho = gtk_range_get_value (GTK_RANGE (self->rho_scale));
  cfg->noise = gtk_range_get_value (GTK_RANGE (self->noise_scale));
  cfg->dictionary = (AsTeachingDictionary) adw_combo_row_get_selected (self->dictionary_row);
  cfg->coherence = gtk_range_get_value (GTK_RANGE (self->coherence_scale));
  cfg->seed = (guint64) gtk_spin_button_get_value_as_int (self->seed_spin);
  cfg->n_layers = (guint) gtk_spin_button_get_value_as_int (self->layers_spin);
  cfg->loss = (AsUnrolledLoss) adw_combo_row_get_selected (self->loss_row);
  cfg->learned_mask = 0;
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    if (gtk_switch_get_active (self->learned_switch[k]))
      cfg->learned_mask |= 1u << k;
  cfg->n_epochs = (guint) gtk_spin_button_get_value_as_int (self->epochs_spin);
  if (self->budget_epochs > 0)
    cfg->n_epochs = MIN (cfg->n_epochs, self->budget_epochs);
  if (self->budget_train > 0)
    cfg->train_size = MIN (cfg->train_size, self->budget_train);
  if (self->budget_test > 0)
    {
      cfg->test_size = MIN (cfg->test_size, self->budget_test);
      cfg->n_signals = MIN (cfg->n_signals, self->budget_test);
    }
  cfg->n_iterations = MAX (cfg->n_iterations, 5 * cfg->n_layers);
}

static void
set_status (AtomscopeTeachingPage *self, const char *text)
{
  if (g_strcmp0 (gtk_label_get_label (self->status_label), text) != 0)
    gtk_label_set_label (self->status_label, text);
}

void
atomscope_teaching_page_restart (AtomscopeTeachingPage *self)
{
  AsTeachingConfig cfg;

  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  read_config (self, &cfg);
  /* Cancel and replace: the old worker stops at its next check and frees
   * itself; nobody waits for it here. */
  if (self->job != NULL)
    as_job_stop (self->job);
  g_clear_pointer (&self->job, as_job_unref);
  self->job = as_teaching_job_new (&cfg);
  self->generation = 0;
  self->n_runs++;
  as_job_start (self->job);
  if (gtk_toggle_button_get_active (self->pause_button))
    as_job_pause (self->job);
  set_status (self, _("Starting…"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
}

static gboolean
debounce_done (gpointer data)
{
  AtomscopeTeachingPage *self = data;

  self->debounce_id = 0;
  /* A page never shown runs nothing (map starts the first run). */
  if (self->n_runs > 0 || gtk_widget_get_mapped (GTK_WIDGET (self)))
    atomscope_teaching_page_restart (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_restart (AtomscopeTeachingPage *self)
{
  if (self->applying)
    return;
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  self->debounce_id = g_timeout_add (DEBOUNCE_MS, debounce_done, self);
}

static void
update_sensitivity (AtomscopeTeachingPage *self)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->coherence_row),
                            adw_combo_row_get_selected (self->dictionary_row)
                            == AS_TEACHING_DICTIONARY_COHERENCE);
}

/* Any control: back to "Custom" unless a preset is being applied, then re-run. */
static void
on_control_changed (AtomscopeTeachingPage *self)
{
  update_sensitivity (self);
  if (self->applying)
    return;
  self->applying = TRUE;
  adw_combo_row_set_selected (self->preset_row, ATOMSCOPE_TEACHING_PRESET_CUSTOM);
  self->applying = FALSE;
  schedule_restart (self);
}

void
atomscope_teaching_page_apply_preset (AtomscopeTeachingPage *self, AtomscopeTeachingPreset preset)
{
  AsTeachingConfig p;

  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  g_return_if_fail (preset < ATOMSCOPE_TEACHING_N_PRESETS);
  if (preset == ATOMSCOPE_TEACHING_PRESET_CUSTOM)
    return;
  /* The engine holds the table (the CLI's bench runs the same presets). */
  as_teaching_preset_config ((AsTeachingPreset) (preset - ATOMSCOPE_TEACHING_PRESET_LEARNED_STEPS), &p);
  self->base = p;
  self->applying = TRUE;
  adw_combo_row_set_selected (self->preset_row, preset);
  gtk_spin_button_set_value (self->n_spin, p.n);
  gtk_spin_button_set_value (self->m_spin, p.m);
  gtk_range_set_value (GTK_RANGE (self->lambda_scale), p.lambda_fraction);
  gtk_range_set_value (GTK_RANGE (self->rho_scale), p.rho);
  gtk_range_set_value (GTK_RANGE (self->noise_scale), p.noise);
  adw_combo_row_set_selected (self->dictionary_row, p.dictionary);
  gtk_range_set_value (GTK_RANGE (self->coherence_scale), p.coherence);
  gtk_spin_button_set_value (self->seed_spin, (double) p.seed);
  gtk_spin_button_set_value (self->layers_spin, p.n_layers);
  adw_combo_row_set_selected (self->loss_row, p.loss);
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    gtk_switch_set_active (self->learned_switch[k], (p.learned_mask & (1u << k)) != 0);
  gtk_spin_button_set_value (self->epochs_spin, p.n_epochs);
  self->applying = FALSE;
  update_sensitivity (self);
  atomscope_teaching_page_restart (self);
}

static void
on_preset_selected (AtomscopeTeachingPage *self)
{
  if (self->applying)
    return;
  atomscope_teaching_page_apply_preset (self, adw_combo_row_get_selected (self->preset_row));
}

void
atomscope_teaching_page_set_budget (AtomscopeTeachingPage *self, guint n_epochs, guint train_size,
                                    guint test_size)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  self->budget_epochs = n_epochs;
  self->budget_train = train_size;
  self->budget_test = test_size;
}

/* ------------------------------------------------------------ snapshots */

static void
update_step_range (AtomscopeTeachingPage *self)
{
  const AsTeachingPath *p = teaching_step_path (self, NULL);
  guint upper = p != NULL ? p->n_steps : 0;
  GtkAdjustment *adj = gtk_spin_button_get_adjustment (self->step_spin);

  if ((guint) gtk_adjustment_get_upper (adj) != upper)
    gtk_adjustment_set_upper (adj, upper);
}

static void
update_step_label (AtomscopeTeachingPage *self)
{
  const char *name;
  const AsTeachingPath *p = teaching_step_path (self, &name);
  guint index = gtk_drop_down_get_selected (self->step_solver_dropdown);
  guint t = (guint) gtk_spin_button_get_value_as_int (self->step_spin);
  g_autofree char *text = NULL;
  const char *step_name;
  double inv_l;

  if (p == NULL || self->snapshot == NULL)
    {
      gtk_label_set_label (self->step_label, _("Waiting for this solver to run"));
      return;
    }
  t = MIN (t, p->n_steps);
  inv_l = 1.0 / self->snapshot->lipschitz;
  if (t == 0)
    {
      text = g_strdup_printf (_("Start: z⁰ = 0 · |S*| = %u · 1/L = %.4g"),
                              self->snapshot->solution_support, inv_l);
      gtk_label_set_label (self->step_label, text);
      return;
    }
  switch (index)
    {
    case AS_TEACHING_ORACLE_ISTA:
      step_name = p->steps[t - 1] > inv_l * (1 + 1e-9) ? _("1/L_S") : _("1/L (support grew)");
      break;
    case AS_TEACHING_CD:
      step_name = _("1/‖dⱼ‖²");
      break;
    case AS_TEACHING_ISTA:
    case AS_TEACHING_FISTA:
      step_name = _("1/L");
      break;
    default:
      step_name = _("learned α_t");
      break;
    }
  text = g_strdup_printf (_("Step %s = %.4g (1/L = %.4g) · threshold %.3g · |S| = %u · |S*| = %u"),
                          step_name, p->steps[t - 1], inv_l, p->thresholds[t - 1], p->supports[t],
                          self->snapshot->solution_support);
  gtk_label_set_label (self->step_label, text);
}

static void
update_status (AtomscopeTeachingPage *self)
{
  g_autofree char *message = NULL;
  double progress;
  AsJobState state;

  if (self->job == NULL)
    return;
  progress = as_job_get_progress (self->job, &message);
  state = as_job_get_state (self->job);
  gtk_progress_bar_set_fraction (self->progress_bar, progress);
  if (state == AS_JOB_FAILED)
    {
      const GError *error = as_job_get_error (self->job);
      set_status (self, error != NULL ? error->message : _("The run failed"));
    }
  else if (state == AS_JOB_PAUSED)
    set_status (self, _("Paused"));
  else if (self->snapshot != NULL && self->snapshot->problem_ready)
    {
      const AsTeachingSnapshot *s = self->snapshot;
      g_autofree char *text = NULL;
      guint epoch = 0;

      for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
        if (s->learned[k] != NULL)
          epoch = MAX (epoch, s->learned[k]->epoch);
      if (state == AS_JOB_FINISHED)
        message = (g_free (message), g_strdup (_("Done")));
      text = g_strdup_printf (_("%s · λ = %.3g · L = %.3g · coherence %.2f · epoch %u"),
                              message ? message : "", s->lambda, s->lipschitz, s->coherence, epoch);
      if (s->learning_epoch > 0 && s->learning_seconds > 0)
        {
          /* Every network trains one epoch in turn: a rate of rounds. */
          double rate = s->learning_epoch / s->learning_seconds;
          guint left = s->config.n_epochs > s->learning_epoch ? s->config.n_epochs - s->learning_epoch : 0;
          g_autofree char *more = left > 0 && state != AS_JOB_FINISHED
                                    ? g_strdup_printf (_("%s · %.2f epochs/s · about %.0f s left"),
                                                       text, rate, left / rate)
                                    : g_strdup_printf (_("%s · %.2f epochs/s"), text, rate);

          g_free (text);
          text = g_steal_pointer (&more);
        }
      for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
        if (s->learned_error[k] != NULL)
          {
            g_autofree char *more = g_strdup_printf ("%s\n%s: %s", text,
                                                     teaching_solver_name (AS_TEACHING_N_CLASSICAL + k),
                                                     s->learned_error[k]);
            g_free (text);
            text = g_steal_pointer (&more);
          }
      set_status (self, text);
    }
  else if (message != NULL)
    set_status (self, message);
}

/* Frame-clock tick: take the newest snapshot if there is one, never wait. */
static gboolean
on_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);
  guint64 generation;

  if (self->job == NULL)
    return G_SOURCE_CONTINUE;
  generation = as_job_get_generation (self->job);
  if (generation != self->generation)
    {
      AsTeachingSnapshot *snap = as_job_dup_snapshot (self->job, &self->generation);

      if (snap != NULL)
        {
          /* The old snapshot may be big and this the last reference: free it
           * off the main loop. */
          teaching_snapshot_unref_later (g_steal_pointer (&self->snapshot));
          self->snapshot = snap;
          self->snapshot_run = self->n_runs;
          update_step_range (self);
          update_step_label (self);
          self->figures_pending = TRUE;
        }
    }
  if (self->figures_pending
      && gdk_frame_clock_get_frame_time (clock) - self->figures_refreshed >= FIGURE_REFRESH_US)
    {
      self->figures_pending = FALSE;
      self->figures_refreshed = gdk_frame_clock_get_frame_time (clock);
      self->figures_to_queue = (1u << TEACHING_N_FIGURES) - 1;
    }
  /* One shown figure a frame: their renders finish apart, so no single frame
   * copies the damage of every figure at once. */
  for (guint i = 0; self->figures_to_queue != 0 && i < TEACHING_N_FIGURES; i++)
    if (self->figures_to_queue & (1u << i))
      {
        self->figures_to_queue &= ~(1u << i);
        queue_figure (self, i);
        if (gtk_widget_get_mapped (GTK_WIDGET (self->areas[i])))
          break;
      }
  update_status (self);
  return G_SOURCE_CONTINUE;
}

AsTeachingSnapshot *
atomscope_teaching_page_dup_snapshot (AtomscopeTeachingPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), NULL);
  return self->snapshot != NULL ? as_teaching_snapshot_ref (self->snapshot) : NULL;
}

guint
atomscope_teaching_page_get_n_runs (AtomscopeTeachingPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), 0);
  return self->n_runs;
}

guint
atomscope_teaching_page_get_snapshot_run (AtomscopeTeachingPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), 0);
  return self->snapshot_run;
}

void
atomscope_teaching_page_set_view (AtomscopeTeachingPage *self, const char *name)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  gtk_stack_set_visible_child_name (self->stack, name);
}

void
atomscope_teaching_page_set_step (AtomscopeTeachingPage *self, guint index, guint t)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  g_return_if_fail (index < TEACHING_N_CURVES);
  gtk_drop_down_set_selected (self->step_solver_dropdown, index);
  update_step_range (self);
  gtk_spin_button_set_value (self->step_spin, t);
  on_step_changed (self);
}

void
atomscope_teaching_page_set_curve_visible (AtomscopeTeachingPage *self, guint index,
                                           gboolean visible)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  g_return_if_fail (index < TEACHING_N_CURVES);
  if (self->visible[index] == !!visible)
    return;
  self->visible[index] = !!visible;
  queue_draw_all (self);
}

gboolean
atomscope_teaching_page_get_curve_visible (AtomscopeTeachingPage *self, guint index)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), FALSE);
  g_return_val_if_fail (index < TEACHING_N_CURVES, FALSE);
  return self->visible[index];
}

/* ---------------------------------------------------------------- drawing */

/* Copies the legend boxes found by the render of the image now shown, and
 * forgets the renders that image supersedes. */
static void
take_legend (AtomscopeTeachingPage *self, guint figure, guint64 generation)
{
  GPtrArray *legends = self->legends[figure];

  for (guint i = 0; i < legends->len; i++)
    {
      TeachingLegend *l = g_ptr_array_index (legends, i);

      if (l->generation != generation || !g_atomic_int_get (&l->done))
        continue;
      if (figure == TEACHING_FIGURE_CONVERGENCE)
        {
          self->n_legend = MIN (l->n, TEACHING_N_CURVES);
          memcpy (self->legend, l->boxes, sizeof (AsFigureRect) * self->n_legend);
          memcpy (self->legend_index, l->index, sizeof (guint) * self->n_legend);
          self->x_map = l->x_map;
        }
      else
        {
          self->n_steps_legend = MIN (l->n, AS_TEACHING_N_LEARNED);
          memcpy (self->steps_legend, l->boxes, sizeof (AsFigureRect) * self->n_steps_legend);
          memcpy (self->steps_legend_index, l->index, sizeof (guint) * self->n_steps_legend);
        }
    }
  for (guint i = legends->len; i-- > 0;)
    if (((TeachingLegend *) g_ptr_array_index (legends, i))->generation <= generation)
      g_ptr_array_remove_index (legends, i);
}

/* The figures are painted on worker threads (atomscope-figure-worker.h): the
 * draw function only asks for a new image when something changed and paints
 * the newest finished one, so a frame never waits on cairo. */
static void
draw_area (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  AtomscopeTeachingPage *self = data;
  AtomscopeFigureWorker *worker;
  guint64 generation;
  guint i = 0;

  while (i < TEACHING_N_FIGURES - 1 && self->areas[i] != area)
    i++;
  worker = self->workers[i];
  if (self->dirty[i] || atomscope_figure_worker_stale (worker))
    request_figure (self, i);
  if (atomscope_figure_worker_paint (worker, cr, w, h, &generation))
    {
      if (self->legends[i] != NULL)
        take_legend (self, i, generation);
    }
  else
    {
      /* The first time a figure is shown (a view switched to) there is no
       * image yet: draw this one here, once, rather than show a blank area. */
      AsFigureStyle style;
      TeachingFigure *f;

      teaching_style (&style, adw_style_manager_get_dark (adw_style_manager_get_default ()));
      f = teaching_figure_new (self, i, &style, self->legends[i] != NULL);
      if (f->legend != NULL)
        {
          f->legend->generation = self->figure_generation[i];
          g_ptr_array_add (self->legends[i], teaching_legend_ref (f->legend));
        }
      teaching_figure_render (cr, w, h, f);
      if (f->legend != NULL)
        take_legend (self, i, f->legend->generation);
      teaching_figure_free (f);
    }
}

static void
on_legend_click (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  AtomscopeTeachingPage *self = data;
  GtkWidget *area = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  int hit;
  guint index;

  if (area == GTK_WIDGET (self->convergence_area))
    {
      hit = as_figure_legend_hit (self->legend, self->n_legend, x, y);
      if (hit < 0)
        return;
      index = self->legend_index[hit];
    }
  else
    {
      hit = as_figure_legend_hit (self->steps_legend, self->n_steps_legend, x, y);
      if (hit < 0)
        return;
      index = self->steps_legend_index[hit];
    }
  atomscope_teaching_page_set_curve_visible (self, index, !self->visible[index]);
}

/* A drag across the convergence plot shows that range of iterations/layers;
 * a double click shows them all again. */
static void
on_range_drag_begin (GtkGestureDrag *gesture, double x, double y, gpointer data)
{
  AtomscopeTeachingPage *self = data;

  self->drag_x = x;
}

static void
on_range_drag_end (GtkGestureDrag *gesture, double dx, double dy, gpointer data)
{
  AtomscopeTeachingPage *self = data;
  double a, b;

  if (!self->x_map.valid || fabs (dx) < 8)
    return;
  a = as_figure_x_map_value (&self->x_map, self->drag_x);
  b = as_figure_x_map_value (&self->x_map, self->drag_x + dx);
  atomscope_teaching_page_set_layer_range (self, MIN (a, b), MAX (a, b));
}

static void
on_range_reset (GtkGestureClick *gesture, int n_press, double x, double y, gpointer data)
{
  if (n_press == 2)
    atomscope_teaching_page_set_layer_range (data, 0, 0);
}

void
atomscope_teaching_page_set_layer_range (AtomscopeTeachingPage *self, double lo, double hi)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  if (!(hi > lo))
    lo = hi = 0;
  if (lo == self->layer_lo && hi == self->layer_hi)
    return;
  self->layer_lo = lo;
  self->layer_hi = hi;
  queue_figure (self, TEACHING_FIGURE_CONVERGENCE);
}

gboolean
atomscope_teaching_page_get_shown_range (AtomscopeTeachingPage *self, AsFigureXMap *map)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), FALSE);
  *map = self->x_map;
  return self->x_map.valid;
}

/* ----------------------------------------------------------- step by step */

static void
on_step_changed (AtomscopeTeachingPage *self)
{
  update_step_label (self);
  queue_figure (self, TEACHING_FIGURE_STEMS);
}

static void
on_step_solver_changed (AtomscopeTeachingPage *self)
{
  update_step_range (self);
  on_step_changed (self);
}

static void
step_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);
  int t = gtk_spin_button_get_value_as_int (self->step_spin);

  if (g_str_equal (name, "teaching.step-first"))
    t = 0;
  else if (g_str_equal (name, "teaching.step-next"))
    t++;
  else
    t--;
  gtk_spin_button_set_value (self->step_spin, MAX (t, 0));
}

static gboolean
play_next (gpointer data)
{
  AtomscopeTeachingPage *self = data;
  GtkAdjustment *adj = gtk_spin_button_get_adjustment (self->step_spin);

  if (gtk_adjustment_get_value (adj) >= gtk_adjustment_get_upper (adj))
    {
      self->play_id = 0;
      gtk_toggle_button_set_active (self->play_button, FALSE);
      return G_SOURCE_REMOVE;
    }
  gtk_adjustment_set_value (adj, gtk_adjustment_get_value (adj) + 1);
  return G_SOURCE_CONTINUE;
}

static void
on_play_toggled (AtomscopeTeachingPage *self)
{
  g_clear_handle_id (&self->play_id, g_source_remove);
  if (gtk_toggle_button_get_active (self->play_button))
    self->play_id = g_timeout_add (PLAY_MS, play_next, self);
}

static void
on_pause_toggled (AtomscopeTeachingPage *self)
{
  if (self->job == NULL)
    return;
  if (gtk_toggle_button_get_active (self->pause_button))
    as_job_pause (self->job);
  else
    as_job_resume (self->job);
}

/* ----------------------------------------------------------------- actions */

static void
restart_action (GtkWidget *widget, const char *name, GVariant *param)
{
  atomscope_teaching_page_restart (ATOMSCOPE_TEACHING_PAGE (widget));
}

static void
report_error (AtomscopeTeachingPage *self, const GError *error)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (error->message));
  else
    set_status (self, error->message);
}

typedef struct
{
  AtomscopeTeachingPage *self;
  gboolean               csv;
  char                  *view;
} ExportRequest;

static void
on_export_response (GtkNativeDialog *dialog, int response, gpointer data)
{
  ExportRequest *req = data;
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL
      && (path = g_file_get_path (file)) != NULL)
    {
      /* The file chooser has already asked before replacing an existing
       * file, so an accepted name may be overwritten. */
      if (req->csv)
        ok = atomscope_teaching_page_export_csv (req->self, path, TRUE, &error);
      else
        ok = atomscope_teaching_page_export_figure (req->self, req->view, path, TRUE, &error);
      if (!ok)
        report_error (req->self, error);
    }
  g_object_unref (req->self);
  g_free (req->view);
  g_free (req);
  g_object_unref (dialog);
}

static void
export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);
  gboolean csv = g_str_equal (name, "teaching.export-csv");
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *chooser;
  ExportRequest *req = g_new0 (ExportRequest, 1);
  const char *view = gtk_stack_get_visible_child_name (self->stack);
  g_autofree char *suggested = g_strdup_printf ("%s.%s", view ? view : "convergence",
                                                csv ? "csv" : "png");

  chooser = gtk_file_chooser_native_new (csv ? _("Export Curves") : _("Export Figure"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), csv ? "curves.csv" : suggested);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  req->self = g_object_ref (self);
  req->csv = csv;
  req->view = g_strdup (view);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), req);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ------------------------------------------------------------- lifecycle */

static void
atomscope_teaching_page_map (GtkWidget *widget)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);

  GTK_WIDGET_CLASS (atomscope_teaching_page_parent_class)->map (widget);
  /* Nothing runs until the page is first shown: the recording view keeps the cores. */
  if (self->n_runs == 0 && self->debounce_id == 0)
    atomscope_teaching_page_restart (self);
  else if (self->job != NULL && !gtk_toggle_button_get_active (self->pause_button))
    as_job_resume (self->job);
}

/* Hidden (another view shown): training waits, so the recording view gets the
 * cores; it goes on where it stopped when the page comes back. */
static void
atomscope_teaching_page_unmap (GtkWidget *widget)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);

  if (self->job != NULL)
    as_job_pause (self->job);
  GTK_WIDGET_CLASS (atomscope_teaching_page_parent_class)->unmap (widget);
}

static void
atomscope_teaching_page_dispose (GObject *object)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (object);

  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->play_id, g_source_remove);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  if (self->job != NULL)
    as_job_stop (self->job);
  g_clear_pointer (&self->job, as_job_unref);
  g_clear_pointer (&self->snapshot, as_teaching_snapshot_unref);
  /* Before the areas go: the workers point at them. */
  for (guint i = 0; i < TEACHING_N_FIGURES; i++)
    {
      g_clear_pointer (&self->workers[i], atomscope_figure_worker_free);
      g_clear_pointer (&self->legends[i], g_ptr_array_unref);
    }
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_TEACHING_PAGE);
  G_OBJECT_CLASS (atomscope_teaching_page_parent_class)->dispose (object);
}

static void
atomscope_teaching_page_finalize (GObject *object)
{
  G_OBJECT_CLASS (atomscope_teaching_page_parent_class)->finalize (object);
}

/* ----------------------------------------------------------- projector */

#define SCALE_MIN 0.75
#define SCALE_MAX 3.0

void
atomscope_teaching_page_set_scale (AtomscopeTeachingPage *self, double scale)
{
  g_return_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self));
  scale = CLAMP (scale, SCALE_MIN, SCALE_MAX);
  if (scale == self->scale)
    return;
  self->scale = scale;
  if (self->settings != NULL && g_settings_get_double (self->settings, "teaching-scale") != scale)
    g_settings_set_double (self->settings, "teaching-scale", scale);
  queue_draw_all (self);
}

double
atomscope_teaching_page_get_scale (AtomscopeTeachingPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_TEACHING_PAGE (self), 1.0);
  return self->scale;
}

static void
zoom_action (GtkWidget *widget, const char *name, GVariant *param)
{
  AtomscopeTeachingPage *self = ATOMSCOPE_TEACHING_PAGE (widget);

  if (g_str_equal (name, "teaching.zoom-in"))
    atomscope_teaching_page_set_scale (self, self->scale * 1.25);
  else if (g_str_equal (name, "teaching.zoom-out"))
    atomscope_teaching_page_set_scale (self, self->scale / 1.25);
  else
    atomscope_teaching_page_set_scale (self, 1.0);
}

static void
on_scale_setting (AtomscopeTeachingPage *self)
{
  atomscope_teaching_page_set_scale (self, g_settings_get_double (self->settings, "teaching-scale"));
}

/* F11: the window the page is in, full screen and back. */
static void
fullscreen_action (GtkWidget *widget, const char *name, GVariant *param)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  if (!GTK_IS_WINDOW (root))
    return;
  if (gtk_window_is_fullscreen (GTK_WINDOW (root)))
    gtk_window_unfullscreen (GTK_WINDOW (root));
  else
    gtk_window_fullscreen (GTK_WINDOW (root));
}

static void
atomscope_teaching_page_class_init (AtomscopeTeachingPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  static const char *switch_ids[AS_TEACHING_N_LEARNED] = {
    [AS_UNROLLED_LISTA] = "lista_switch",
    [AS_UNROLLED_LISTA_CP] = "lista_cp_switch",
    [AS_UNROLLED_ALISTA] = "alista_switch",
    [AS_UNROLLED_SLISTA] = "slista_switch",
  };

  object_class->dispose = atomscope_teaching_page_dispose;
  object_class->finalize = atomscope_teaching_page_finalize;
  widget_class->map = atomscope_teaching_page_map;
  widget_class->unmap = atomscope_teaching_page_unmap;

  g_type_ensure (ATOMSCOPE_TYPE_RECOVERY_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PATH "/atomscope-teaching-page.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, AtomscopeTeachingPage, name)
  BIND (preset_row);
  BIND (n_spin);
  BIND (m_spin);
  BIND (lambda_scale);
  BIND (rho_scale);
  BIND (noise_scale);
  BIND (dictionary_row);
  BIND (coherence_row);
  BIND (coherence_scale);
  BIND (seed_spin);
  BIND (layers_spin);
  BIND (loss_row);
  BIND (epochs_spin);
  BIND (status_label);
  BIND (progress_bar);
  BIND (pause_button);
  BIND (time_button);
  BIND (logx_button);
  BIND (stack);
  BIND (convergence_area);
  BIND (loss_area);
  BIND (step_solver_dropdown);
  BIND (step_spin);
  BIND (step_label);
  BIND (play_button);
  BIND (stems_area);
  BIND (steps_area);
  BIND (coupling_area);
#undef BIND
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    gtk_widget_class_bind_template_child_full (widget_class, switch_ids[k], FALSE,
                                               G_STRUCT_OFFSET (AtomscopeTeachingPage, learned_switch)
                                               + k * sizeof (GtkSwitch *));

  gtk_widget_class_install_action (widget_class, "teaching.restart", NULL, restart_action);
  gtk_widget_class_install_action (widget_class, "teaching.export-csv", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "teaching.export-figure", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "teaching.step-first", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "teaching.step-previous", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "teaching.step-next", NULL, step_action);
  gtk_widget_class_install_action (widget_class, "teaching.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "teaching.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "teaching.zoom-reset", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "teaching.fullscreen", NULL, fullscreen_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "teaching.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "teaching.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "teaching.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "teaching.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "teaching.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "teaching.zoom-reset", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "teaching.fullscreen", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "teaching.restart", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK,
                                       "teaching.step-next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK,
                                       "teaching.step-previous", NULL);
}

static void
connect_control (AtomscopeTeachingPage *self, gpointer object, const char *signal)
{
  g_signal_connect_object (object, signal, G_CALLBACK (on_control_changed), self, G_CONNECT_SWAPPED);
}

static void
atomscope_teaching_page_init (AtomscopeTeachingPage *self)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->scale = 1.0;
  as_teaching_config_init (&self->base);
  {
    /* The presentation scale is remembered when the schema is installed. */
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr (GSettingsSchema) schema = source != NULL
        ? g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE) : NULL;

    if (schema != NULL && g_settings_schema_has_key (schema, "teaching-scale"))
      {
        self->settings = g_settings_new (APPLICATION_ID);
        self->scale = CLAMP (g_settings_get_double (self->settings, "teaching-scale"), SCALE_MIN, SCALE_MAX);
        g_signal_connect_object (self->settings, "changed::teaching-scale",
                                 G_CALLBACK (on_scale_setting), self, G_CONNECT_SWAPPED);
      }
  }
  /* The status changes every frame: a wrapping label asks for the width of
   * its whole text, which would resize the sidebar and with it every figure
   * (a relayout, a new image per figure and a full-window frame, each time).
   * Asked for the width of a word only, it wraps inside the sidebar. */
  gtk_label_set_max_width_chars (self->status_label, 1);
  self->applying = TRUE;   /* the defaults below are not user changes */
  for (guint i = 0; i < TEACHING_N_CURVES; i++)
    self->visible[i] = TRUE;
  adw_combo_row_set_selected (self->loss_row, AS_UNROLLED_LOSS_UNSUPERVISED);

  self->areas[0] = self->convergence_area;
  self->areas[1] = self->loss_area;
  self->areas[2] = self->stems_area;
  self->areas[3] = self->steps_area;
  self->areas[4] = self->coupling_area;
  for (guint i = 0; i < G_N_ELEMENTS (self->areas); i++)
    {
      gtk_drawing_area_set_draw_func (self->areas[i], draw_area, self, NULL);
      self->workers[i] = atomscope_figure_worker_new (GTK_WIDGET (self->areas[i]));
      self->dirty[i] = TRUE;
    }
  self->legends[TEACHING_FIGURE_CONVERGENCE] =
    g_ptr_array_new_with_free_func ((GDestroyNotify) teaching_legend_unref);
  self->legends[TEACHING_FIGURE_STEPS] =
    g_ptr_array_new_with_free_func ((GDestroyNotify) teaching_legend_unref);
  {
    GtkWidget *legend_areas[] = { GTK_WIDGET (self->convergence_area), GTK_WIDGET (self->steps_area) };
    for (guint i = 0; i < G_N_ELEMENTS (legend_areas); i++)
      {
        GtkGesture *click = gtk_gesture_click_new ();
        g_signal_connect (click, "pressed", G_CALLBACK (on_legend_click), self);
        gtk_widget_add_controller (legend_areas[i], GTK_EVENT_CONTROLLER (click));
      }
  }
  {
    GtkGesture *drag = gtk_gesture_drag_new ();
    GtkGesture *click = gtk_gesture_click_new ();

    g_signal_connect (drag, "drag-begin", G_CALLBACK (on_range_drag_begin), self);
    g_signal_connect (drag, "drag-end", G_CALLBACK (on_range_drag_end), self);
    gtk_widget_add_controller (GTK_WIDGET (self->convergence_area), GTK_EVENT_CONTROLLER (drag));
    g_signal_connect (click, "pressed", G_CALLBACK (on_range_reset), self);
    gtk_widget_add_controller (GTK_WIDGET (self->convergence_area), GTK_EVENT_CONTROLLER (click));
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->convergence_area),
                                 _("Drag across the plot to show a range of iterations; double-click to show all"));
  }

  connect_control (self, self->n_spin, "value-changed");
  connect_control (self, self->m_spin, "value-changed");
  connect_control (self, self->lambda_scale, "value-changed");
  connect_control (self, self->rho_scale, "value-changed");
  connect_control (self, self->noise_scale, "value-changed");
  connect_control (self, self->dictionary_row, "notify::selected");
  connect_control (self, self->coherence_scale, "value-changed");
  connect_control (self, self->seed_spin, "value-changed");
  connect_control (self, self->layers_spin, "value-changed");
  connect_control (self, self->loss_row, "notify::selected");
  connect_control (self, self->epochs_spin, "value-changed");
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    connect_control (self, self->learned_switch[k], "notify::active");
  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (on_preset_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->step_spin, "value-changed", G_CALLBACK (on_step_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->step_solver_dropdown, "notify::selected",
                           G_CALLBACK (on_step_solver_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->play_button, "toggled", G_CALLBACK (on_play_toggled), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pause_button, "toggled", G_CALLBACK (on_pause_toggled), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->time_button, "toggled", G_CALLBACK (queue_draw_all), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->logx_button, "toggled", G_CALLBACK (queue_draw_all), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (style, "notify::dark", G_CALLBACK (queue_draw_all), self,
                           G_CONNECT_SWAPPED);
  self->applying = FALSE;
  update_sensitivity (self);
  update_step_label (self);
  self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), on_tick, NULL, NULL);
}

GtkWidget *
atomscope_teaching_page_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_TEACHING_PAGE, NULL);
}
