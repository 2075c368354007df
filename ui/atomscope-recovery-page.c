/* atomscope-recovery-page.c: the "Dictionary recovery" page of the teaching view.
 *
 * The grid runs on its own thread (as_dl_grid_run, then the gradient errors);
 * after every cell the worker publishes the mean recovery map into a shared,
 * refcounted run under a short lock and schedules at most one idle callback,
 * which copies the newest map into the page and queues a draw.  The main
 * loop only draws, and never waits on the worker: stopping sets the run's
 * cancel flag and drops the page's reference.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-recovery"
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-dl-grid.h"
#include "as-engine.h"
#include "as-figure-recovery.h"
#include "atomscope-figure-style.h"
#include "atomscope-recovery-page.h"

#define GRADIENT_DEPTH 40
#define GRADIENT_SIGNALS 20

typedef struct
{
  gint       ref_count;
  GMutex     lock;
  AsDlGrid  *grid;          /* immutable once the run exists */
  gint       cancel;
  GApplication *application;  /* held while the worker runs */
  GWeakRef   page;
  /* Published under lock. */
  double    *mean;          /* n_sparsity × n_coherence */
  guint      done, total;
  double    *errors;        /* 3 × GRADIENT_DEPTH once computed */
  gboolean   finished;
  char      *message;       /* an error, or NULL */
  guint      idle_id;
} Run;

struct _AtomscopeRecoveryPage
{
  GtkBox     parent_instance;

  GtkWidget *run_button;
  GtkWidget *stop_button;
  GtkWidget *status;
  GtkWidget *heatmap_area;
  GtkWidget *gradient_area;

  Run       *run;
  AsDlGrid  *grid;          /* of the shown values */
  double    *values;        /* what the heat map shows */
  double    *errors;        /* what the gradient figure shows, or NULL */
  gboolean   finished;
  guint      n_draws;
};

G_DEFINE_FINAL_TYPE (AtomscopeRecoveryPage, atomscope_recovery_page, GTK_TYPE_BOX)

static Run *
run_ref (Run *run)
{
  g_atomic_int_inc (&run->ref_count);
  return run;
}

static void
run_unref (Run *run)
{
  if (!g_atomic_int_dec_and_test (&run->ref_count))
    return;
  g_weak_ref_clear (&run->page);
  g_mutex_clear (&run->lock);
  as_dl_grid_free (run->grid);
  g_free (run->mean);
  g_free (run->errors);
  g_free (run->message);
  g_free (run);
}

/* -------------------------------------------------------- main thread */

static void
update_status (AtomscopeRecoveryPage *self, guint done, guint total, const char *message)
{
  g_autofree char *text = NULL;

  if (message != NULL)
    text = g_strdup (message);
  else if (self->finished)
    text = g_strdup_printf (_("%u cells computed: mean recovery score over the true atoms "
                              "(1 = every atom found)"), total);
  else
    text = g_strdup_printf (_("Computing cell %u of %u…"), MIN (done + 1, total), total);
  gtk_label_set_text (GTK_LABEL (self->status), text);
  gtk_widget_set_sensitive (self->stop_button, self->run != NULL && !self->finished);
}

/* Takes the newest published state into the page (main thread). */
static gboolean
take_published (gpointer data)
{
  Run *run = data;
  g_autoptr (AtomscopeRecoveryPage) self = g_weak_ref_get (&run->page);
  guint cells, done, total;
  g_autofree char *message = NULL;

  g_mutex_lock (&run->lock);
  run->idle_id = 0;
  if (self == NULL || self->run != run)
    {
      g_mutex_unlock (&run->lock);
      return G_SOURCE_REMOVE;
    }
  cells = run->grid->n_sparsity * run->grid->n_coherence;
  memcpy (self->values, run->mean, sizeof (double) * cells);
  if (run->errors != NULL && self->errors == NULL)
    self->errors = g_memdup2 (run->errors, sizeof (double) * 3 * GRADIENT_DEPTH);
  self->finished = run->finished;
  done = run->done;
  total = run->total;
  message = g_strdup (run->message);
  g_mutex_unlock (&run->lock);

  update_status (self, done, total, message);
  gtk_widget_queue_draw (self->heatmap_area);
  gtk_widget_queue_draw (self->gradient_area);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------- worker thread */

/* Called with the run's lock held; schedules one idle at a time. */
static void
publish (Run *run)
{
  if (run->idle_id == 0)
    run->idle_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, take_published, run_ref (run),
                                    (GDestroyNotify) run_unref);
}

typedef struct
{
  Run    *run;
  GArray *results;
} Progress;

static void
on_cell (const AsDlCellResult *result, guint done, guint total, gpointer user_data)
{
  Progress *p = user_data;
  Run *run = p->run;
  g_autofree double *mean = g_new (double, run->grid->n_sparsity * run->grid->n_coherence);

  /* @result is already in p->results: the map is computed here, off the main loop. */
  as_dl_grid_mean_recovery (run->grid, p->results, run->grid->learners[0], mean);
  g_mutex_lock (&run->lock);
  memcpy (run->mean, mean, sizeof (double) * run->grid->n_sparsity * run->grid->n_coherence);
  run->done = done;
  run->total = total;
  publish (run);
  g_mutex_unlock (&run->lock);
}

/* Grid workers still computing.  The application is held while one runs, so that it
 * does not exit (and take the BLAS library down) under a cell being computed: a
 * cancelled run ends after its current cell. */
static gint running_workers;

static gboolean
release_application (gpointer data)
{
  GApplication *app = data;

  if (app != NULL)
    {
      g_application_release (app);
      g_object_unref (app);
    }
  return G_SOURCE_REMOVE;
}

guint
atomscope_recovery_page_count_running (void)
{
  return (guint) g_atomic_int_get (&running_workers);
}

static gpointer
run_thread (gpointer data)
{
  Run *run = data;
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  g_autoptr (GError) error = NULL;
  g_autofree double *errors = g_new (double, 3 * GRADIENT_DEPTH);
  Progress progress = { run, results };
  gboolean ok;

  as_engine_lower_thread_priority ();
  ok = as_dl_grid_run (run->grid, results, NULL, 1, on_cell, &progress, &run->cancel, &error)
       && as_dl_grid_gradient_errors (run->grid, GRADIENT_SIGNALS, GRADIENT_DEPTH,
                                      AS_DL_LAYERS_FISTA, errors, &error);
  g_mutex_lock (&run->lock);
  if (ok)
    {
      run->errors = g_steal_pointer (&errors);
      run->finished = TRUE;
    }
  else if (!g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED))
    run->message = g_strdup (error->message);
  publish (run);
  g_mutex_unlock (&run->lock);
  g_idle_add_full (G_PRIORITY_DEFAULT, release_application, run->application, NULL);
  run->application = NULL;
  run_unref (run);
  g_atomic_int_dec_and_test (&running_workers);
  return NULL;
}

/* ------------------------------------------------------------ drawing */

static void
draw_heatmap (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  AtomscopeRecoveryPage *self = data;
  AsFigureStyle style;
  g_autofree char *title = g_strdup_printf (_("Mean recovery, alternating minimisation "
                                              "(n = %u, m = %u)"), self->grid->n, self->grid->m);
  AsFigureHeatmap map = {
    .title = title,
    .x_label = _("mutual coherence μ(D)"),
    .y_label = _("sparsity k/n"),
    .colorbar_label = _("recovery score"),
    .n_rows = self->grid->n_sparsity,
    .n_cols = self->grid->n_coherence,
    .row_values = self->grid->sparsity,
    .col_values = self->grid->coherence,
    .values = self->values,
    .vmin = 0.0,
    .vmax = 1.0,
    .show_values = TRUE,
  };

  atomscope_figure_style_init (&style);
  as_figure_draw_heatmap (cr, width, height, &style, &map);
  self->n_draws++;
}

static void
draw_gradients (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  AtomscopeRecoveryPage *self = data;
  AsFigureStyle style;

  atomscope_figure_style_init (&style);
  as_figure_draw_gradient_errors (cr, width, height, &style,
                                  _("Gradient of unrolled FISTA versus depth"),
                                  self->errors, GRADIENT_DEPTH,
                                  adw_style_manager_get_dark (adw_style_manager_get_default ()));
}

/* ------------------------------------------------------------ control */

void
atomscope_recovery_page_stop (AtomscopeRecoveryPage *self)
{
  g_return_if_fail (ATOMSCOPE_IS_RECOVERY_PAGE (self));
  if (self->run == NULL)
    return;
  g_atomic_int_set (&self->run->cancel, 1);
  g_clear_pointer (&self->run, run_unref);
  if (!self->finished)
    gtk_label_set_text (GTK_LABEL (self->status), _("Stopped"));
  gtk_widget_set_sensitive (self->stop_button, FALSE);
}

void
atomscope_recovery_page_run (AtomscopeRecoveryPage *self)
{
  g_autoptr (GError) error = NULL;
  Run *run;
  guint cells;

  g_return_if_fail (ATOMSCOPE_IS_RECOVERY_PAGE (self));
  atomscope_recovery_page_stop (self);
  run = g_new0 (Run, 1);
  run->ref_count = 1;
  g_mutex_init (&run->lock);
  g_weak_ref_init (&run->page, self);
  run->grid = as_dl_grid_parse (ATOMSCOPE_RECOVERY_PAGE_SPEC, &error);
  g_assert_no_error (error);
  cells = run->grid->n_sparsity * run->grid->n_coherence;
  run->mean = g_new (double, cells);
  for (guint c = 0; c < cells; c++)
    run->mean[c] = NAN;
  run->total = as_dl_grid_n_cells (run->grid);
  for (guint c = 0; c < cells; c++)
    self->values[c] = NAN;
  g_clear_pointer (&self->errors, g_free);
  self->finished = FALSE;
  self->run = run;
  run->application = g_application_get_default ();
  if (run->application != NULL)
    {
      g_object_ref (run->application);
      g_application_hold (run->application);
    }
  g_atomic_int_inc (&running_workers);
  g_thread_unref (g_thread_new ("recovery-grid", run_thread, run_ref (run)));
  update_status (self, 0, run->total, NULL);
  gtk_widget_queue_draw (self->heatmap_area);
  gtk_widget_queue_draw (self->gradient_area);
}

gboolean
atomscope_recovery_page_is_finished (AtomscopeRecoveryPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_RECOVERY_PAGE (self), FALSE);
  return self->finished && self->errors != NULL;
}

const double *
atomscope_recovery_page_get_values (AtomscopeRecoveryPage *self, guint *n_rows, guint *n_cols)
{
  g_return_val_if_fail (ATOMSCOPE_IS_RECOVERY_PAGE (self), NULL);
  if (n_rows != NULL)
    *n_rows = self->grid->n_sparsity;
  if (n_cols != NULL)
    *n_cols = self->grid->n_coherence;
  return self->values;
}

guint
atomscope_recovery_page_get_n_draws (AtomscopeRecoveryPage *self)
{
  g_return_val_if_fail (ATOMSCOPE_IS_RECOVERY_PAGE (self), 0);
  return self->n_draws;
}

/* ----------------------------------------------------------- GObject */

static void
atomscope_recovery_page_dispose (GObject *object)
{
  AtomscopeRecoveryPage *self = ATOMSCOPE_RECOVERY_PAGE (object);

  if (self->run != NULL)
    {
      g_atomic_int_set (&self->run->cancel, 1);
      g_clear_pointer (&self->run, run_unref);
    }
  G_OBJECT_CLASS (atomscope_recovery_page_parent_class)->dispose (object);
}

static void
atomscope_recovery_page_finalize (GObject *object)
{
  AtomscopeRecoveryPage *self = ATOMSCOPE_RECOVERY_PAGE (object);

  as_dl_grid_free (self->grid);
  g_free (self->values);
  g_free (self->errors);
  G_OBJECT_CLASS (atomscope_recovery_page_parent_class)->finalize (object);
}

static void
atomscope_recovery_page_class_init (AtomscopeRecoveryPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = atomscope_recovery_page_dispose;
  object_class->finalize = atomscope_recovery_page_finalize;
}

static void
atomscope_recovery_page_init (AtomscopeRecoveryPage *self)
{
  g_autoptr (GError) error = NULL;
  GtkWidget *bar, *figures;
  guint cells;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  self->grid = as_dl_grid_parse (ATOMSCOPE_RECOVERY_PAGE_SPEC, &error);
  g_assert_no_error (error);
  cells = self->grid->n_sparsity * self->grid->n_coherence;
  self->values = g_new (double, cells);
  for (guint c = 0; c < cells; c++)
    self->values[c] = NAN;

  bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_margin_start (bar, 6);
  gtk_widget_set_margin_end (bar, 6);
  gtk_widget_set_margin_bottom (bar, 6);
  self->run_button = gtk_button_new_with_mnemonic (_("_Run the Grid"));
  gtk_widget_set_tooltip_text (self->run_button,
                               _("Draw 16 problems of growing sparsity and coherence, learn each "
                                 "dictionary by alternating minimisation and colour its cell by "
                                 "how well the true atoms were found"));
  gtk_widget_add_css_class (self->run_button, "suggested-action");
  g_signal_connect_object (self->run_button, "clicked", G_CALLBACK (atomscope_recovery_page_run),
                           self, G_CONNECT_SWAPPED);
  self->stop_button = gtk_button_new_with_mnemonic (_("_Stop"));
  gtk_widget_set_sensitive (self->stop_button, FALSE);
  g_signal_connect_object (self->stop_button, "clicked", G_CALLBACK (atomscope_recovery_page_stop),
                           self, G_CONNECT_SWAPPED);
  self->status = gtk_label_new (_("Dictionary learning recovers the true atoms only when the "
                                  "codes are sparse and the atoms incoherent enough"));
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0.0);
  gtk_widget_set_hexpand (self->status, TRUE);
  gtk_box_append (GTK_BOX (bar), self->run_button);
  gtk_box_append (GTK_BOX (bar), self->stop_button);
  gtk_box_append (GTK_BOX (bar), self->status);
  gtk_box_append (GTK_BOX (self), bar);

  figures = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_vexpand (figures, TRUE);
  self->heatmap_area = gtk_drawing_area_new ();
  gtk_widget_set_hexpand (self->heatmap_area, TRUE);
  gtk_widget_set_size_request (self->heatmap_area, 240, 200);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->heatmap_area), draw_heatmap, self, NULL);
  self->gradient_area = gtk_drawing_area_new ();
  gtk_widget_set_hexpand (self->gradient_area, TRUE);
  gtk_widget_set_size_request (self->gradient_area, 240, 200);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->gradient_area), draw_gradients, self, NULL);
  gtk_box_append (GTK_BOX (figures), self->heatmap_area);
  gtk_box_append (GTK_BOX (figures), self->gradient_area);
  gtk_box_append (GTK_BOX (self), figures);
  atomscope_figure_style_track (self->heatmap_area, NULL);
  atomscope_figure_style_track (self->gradient_area, NULL);
}

GtkWidget *
atomscope_recovery_page_new (void)
{
  return g_object_new (ATOMSCOPE_TYPE_RECOVERY_PAGE, NULL);
}
