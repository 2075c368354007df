/* test-ui-teaching.c: the teaching view under Xvfb: every preset runs, every
 * solver gets its curve, every preset shows its paper's pattern, the recorded
 * steps are real soft-thresholding steps, the page stays responsive while the
 * networks train, exports are written whole and never
 * overwrite silently.  Screenshots go to the artifacts directory.
 *
 * Reduced sizes for speed: every run is capped at 8 epochs (15 for the
 * learned-step-size preset and 25 for the adversarial one, whose patterns
 * need 13 and 23) on 200 training and 100 test signals (the presets themselves ask
 * for 300 epochs on 500 / 200); the problem sizes (n, m, T, λ, ρ, dictionary)
 * are the presets' own.  The learned curves are read from the page's snapshot
 * and compared with ISTA by the engine's test of each paper's pattern
 * (as_teaching_pattern_met).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "as-figure-teaching.h"
#include "atomscope-application.h"
#include "atomscope-teaching-page.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

#define TEST_EPOCHS 8
#define TEST_TRAIN 200
#define TEST_TEST 100

static GtkWidget *window;
static GtkWidget *find_descendant (GtkWidget *widget, GType type);
static AtomscopeTeachingPage *page;

static void
ensure_window (void)
{
  if (window != NULL)
    return;
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1500, 900);
  page = ATOMSCOPE_TEACHING_PAGE (atomscope_teaching_page_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (page));
  atomscope_teaching_page_set_budget (page, TEST_EPOCHS, TEST_TRAIN, TEST_TEST);
  gtk_window_present (GTK_WINDOW (window));
  ui_test_wait_for_draw (window);
}

/* 2 when the current run is complete (classical and every selected network
 * trained TEST_EPOCHS epochs), 1 when the classical curves exist, else 0. */
static guint
run_progress (gpointer data)
{
  g_autoptr (AsTeachingSnapshot) s = atomscope_teaching_page_dup_snapshot (page);
  guint expected = GPOINTER_TO_UINT (data);

  /* Snapshots of an earlier run (still shown until the new one publishes) do not count. */
  if (s == NULL || atomscope_teaching_page_get_snapshot_run (page) != expected
      || s->n_classical_done < AS_TEACHING_N_CLASSICAL)
    return 0;
  return s->learning_done ? 2 : 1;
}

static guint
snapshot_matches_run (AsTeachingSnapshot *s, guint n, guint m)
{
  return s != NULL && s->config.n == n && s->config.m == m;
}

static void
check_classical (AsTeachingSnapshot *s)
{
  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    {
      const AsTeachingPath *p = s->classical[k];

      g_assert_nonnull (p);
      g_assert_cmpuint (p->n_points, ==, s->config.n_iterations + 1);
      g_assert_cmpfloat (p->gap_mean[0], >, 0);
      for (guint t = 0; t < p->n_points; t++)
        {
          g_assert_true (isfinite (p->gap_mean[t]));
          /* z* is a minimiser: no iterate can go below it (up to the
           * reference's own precision). */
          g_assert_cmpfloat (p->gap_mean[t], >, -1e-9);
        }
      g_assert_cmpfloat (p->gap_mean[p->n_points - 1], <, p->gap_mean[0]);
    }
  /* Monotone descent of ISTA (majorisation–minimisation, Ablin et al. 2019). */
  for (guint t = 1; t < s->classical[AS_TEACHING_ISTA]->n_points; t++)
    g_assert_cmpfloat (s->classical[AS_TEACHING_ISTA]->gap_mean[t], <=,
                       s->classical[AS_TEACHING_ISTA]->gap_mean[t - 1] + 1e-12);
}

/* Every recorded ISTA-like step is z^t = ST(u^t, τ_t) with the recorded u and τ. */
static void
check_path_is_soft_thresholding (const AsTeachingPath *p)
{
  g_assert_nonnull (p);
  g_assert_nonnull (p->inputs);
  for (guint t = 1; t <= p->n_steps; t++)
    for (guint j = 0; j < p->m; j++)
      {
        double u = p->inputs[(gsize) (t - 1) * p->m + j], tau = p->thresholds[t - 1];
        double st = copysign (MAX (fabs (u) - tau, 0.0), u);
        double z = p->codes[(gsize) t * p->m + j];
        g_assert_cmpfloat_with_epsilon (z, st, 1e-9 * (1 + fabs (u)));
      }
}

/* The paper's pattern on the page's snapshot, by the engine's own test
 * (as_teaching_pattern_met: the criteria are documented there). */
static void
check_pattern (const AsTeachingSnapshot *s, AsTeachingPreset preset)
{
  g_autoptr (GString) why = g_string_new (NULL);
  gboolean met = as_teaching_pattern_met (s, preset, why);

  g_test_message ("%s after %u epochs (%.1f s): %s", as_teaching_preset_to_string (preset),
                  s->learning_epoch, s->learning_seconds, why->str);
  g_assert_true (met);
}

static guint test_epochs = TEST_EPOCHS;

static void
run_preset (AtomscopeTeachingPreset preset, const char *name)
{
  g_autoptr (AsTeachingSnapshot) s = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *png = NULL;
  g_autofree char *file = g_strdup_printf ("teaching-%s.png", name);
  UiTestImageStats stats;
  guint run;
  gint64 t0 = g_get_monotonic_time ();

  ensure_window ();
  atomscope_teaching_page_set_budget (page, test_epochs, TEST_TRAIN, TEST_TEST);
  atomscope_teaching_page_set_view (page, "convergence");
  atomscope_teaching_page_apply_preset (page, preset);
  run = atomscope_teaching_page_get_n_runs (page);
  g_assert_true (ui_test_wait_until (run_progress, GUINT_TO_POINTER (run), 2, 240));
  g_test_message ("%s: ran in %.1f s", name, (g_get_monotonic_time () - t0) / 1e6);

  s = atomscope_teaching_page_dup_snapshot (page);
  g_assert_nonnull (s);
  check_classical (s);
  g_assert_cmpuint (s->config.n_epochs, ==, test_epochs);
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    {
      const AsUnrolledSnapshot *u = s->learned[k];

      if (!(s->config.learned_mask & (1u << k)))
        {
          g_assert_null (u);
          continue;
        }
      g_assert_null (s->learned_error[k]);
      g_assert_nonnull (u);
      g_assert_cmpuint (u->epoch, ==, test_epochs);
      g_assert_cmpuint (u->n_layers, ==, s->config.n_layers);
      g_assert_cmpuint (u->n_epochs, ==, test_epochs);
      for (guint t = 0; t <= u->n_layers; t++)
        g_assert_true (isfinite (u->gap_mean[t]) && u->gap_mean[t] >= -1e-9);
      g_assert_nonnull (s->learned_path[k]);
      g_assert_cmpuint (s->learned_path[k]->n_steps, ==, u->n_layers);
    }
  check_path_is_soft_thresholding (s->classical[AS_TEACHING_ISTA]);
  check_path_is_soft_thresholding (s->classical[AS_TEACHING_ORACLE_ISTA]);
  if (s->learned_path[AS_UNROLLED_SLISTA] != NULL)
    check_path_is_soft_thresholding (s->learned_path[AS_UNROLLED_SLISTA]);

  ui_test_wait_for_draw (window);
  png = ui_test_artifact_path (file);
  g_assert_true (ui_test_render_png (window, png, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %s (%u colours, luminance std %.1f)", name, png, stats.n_colors,
                  stats.luminance_std);
  g_assert_cmpuint (stats.n_colors, >, 100);
  g_assert_cmpfloat (stats.luminance_std, >, 5.0);
}

static void
test_preset_learned_steps (void)
{
  g_autoptr (AsTeachingSnapshot) s = NULL;
  const AsUnrolledSnapshot *slista;
  guint T;

  /* Ablin et al. 2019's pattern needs 13 epochs of every network here
   * (`atomscope-cli bench teaching` times it on the preset's own budget). */
  test_epochs = 15;
  run_preset (ATOMSCOPE_TEACHING_PRESET_LEARNED_STEPS, "learned-steps");
  test_epochs = TEST_EPOCHS;
  s = atomscope_teaching_page_dup_snapshot (page);
  g_assert_true (snapshot_matches_run (s, 64, 256));
  g_assert_cmpuint (s->config.learned_mask, ==, 0xf);
  slista = s->learned[AS_UNROLLED_SLISTA];
  T = slista->n_layers;
  g_test_message ("layer T = %u: SLISTA %.4g, ISTA %.4g (same test signals), FISTA %.4g; "
                  "%u epochs in %.1f s", T, slista->gap_mean[T], slista->ista_gap_mean[T],
                  slista->fista_gap_mean[T], s->learning_epoch, s->learning_seconds);
  /* Ablin et al. 2019: learned step sizes beat ISTA at every layer, with
   * steps that grow with depth from about 1/L towards 1/L_S; LISTA and
   * LISTA-CP start as ISTA and are no worse at any layer once trained. */
  for (guint t = 1; t < T; t++)
    g_test_message ("SLISTA step %u: %.4g (1/L = %.4g)", t + 1, slista->steps[t], 1.0 / s->lipschitz);
  check_pattern (s, AS_TEACHING_PRESET_LEARNED_STEPS);
  g_assert_cmpuint (s->n_inv_ls_solution, ==, s->config.n_signals);
  for (guint i = 0; i < s->n_inv_ls_solution; i++)
    g_assert_cmpfloat (s->inv_ls_solution[i], >=, 1.0 / s->lipschitz * (1 - 1e-9));
  g_assert_cmpuint (s->n_inv_ls_met, >, 0);

  /* The other views, looked at too: oracle ISTA at iteration 4 and SLISTA at
   * layer 3 step by step, what was learned, and the convergence in dark mode. */
  {
    const char *views[] = { "steps", "steps", "learned", "convergence" };
    const char *names[] = { "steps-oracle", "steps-slista", "learned", "dark" };
    AdwStyleManager *manager = adw_style_manager_get_default ();

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        g_autofree char *name = g_strdup_printf ("teaching-learned-steps-%s.png", names[i]);
        g_autofree char *png = ui_test_artifact_path (name);
        g_autoptr (GError) error = NULL;
        UiTestImageStats stats;

        atomscope_teaching_page_set_view (page, views[i]);
        if (i == 0)
          atomscope_teaching_page_set_step (page, AS_TEACHING_ORACLE_ISTA, 4);
        else if (i == 1)
          atomscope_teaching_page_set_step (page, AS_TEACHING_N_CLASSICAL + AS_UNROLLED_SLISTA, 3);
        adw_style_manager_set_color_scheme (manager, i == 3 ? ADW_COLOR_SCHEME_FORCE_DARK
                                                            : ADW_COLOR_SCHEME_DEFAULT);
        ui_test_wait_for_draw (window);
        g_assert_true (ui_test_render_png (window, png, &stats, &error));
        g_assert_no_error (error);
        g_assert_cmpuint (stats.n_colors, >, 50);
      }
    adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
    atomscope_teaching_page_set_view (page, "convergence");
  }
}

/* Gregor & LeCun 2010's comparison (in Moreau & Bruna 2017's setting): LISTA
 * and LISTA-CP beat ISTA in the first layers, and are no worse at any layer. */
static void
check_gregor_lecun (AsTeachingPreset preset)
{
  g_autoptr (AsTeachingSnapshot) s = atomscope_teaching_page_dup_snapshot (page);

  check_pattern (s, preset);
}

static void
test_preset_sparse (void)
{
  g_autoptr (AsTeachingSnapshot) s = NULL;

  run_preset (ATOMSCOPE_TEACHING_PRESET_SPARSE, "sparse");
  check_gregor_lecun (AS_TEACHING_PRESET_SPARSE);
  /* The patterns tell the dictionaries apart: on a Gaussian dictionary the
   * first layer is accelerated, which the adversarial pattern rules out. */
  s = atomscope_teaching_page_dup_snapshot (page);
  g_assert_false (as_teaching_pattern_met (s, AS_TEACHING_PRESET_ADVERSARIAL, NULL));
}

static void
test_preset_dense (void)
{
  run_preset (ATOMSCOPE_TEACHING_PRESET_DENSE, "dense");
  check_gregor_lecun (AS_TEACHING_PRESET_DENSE);
}

static void
test_preset_adversarial (void)
{
  g_autoptr (AsTeachingSnapshot) s = NULL;

  /* The gain in depth takes about 150 minibatch steps of Adam (23 epochs of
   * the reduced training set). */
  test_epochs = 25;
  run_preset (ATOMSCOPE_TEACHING_PRESET_ADVERSARIAL, "adversarial");
  test_epochs = TEST_EPOCHS;
  s = atomscope_teaching_page_dup_snapshot (page);
  g_assert_cmpint (s->config.dictionary, ==, AS_TEACHING_DICTIONARY_FOURIER);
  /* Rows orthogonal: DDᵀ = (m/n) I, so L = m/n (as-simulate.h). */
  g_assert_cmpfloat_with_epsilon (s->lipschitz, (double) s->config.m / s->config.n, 1e-6);
  check_pattern (s, AS_TEACHING_PRESET_ADVERSARIAL);
}

/* The main loop keeps turning while the networks train and while a control
 * is dragged (restarts cancel the running job without waiting for it). */
static guint
probe_ticks (gpointer data)
{
  return ((UiTestStallProbe *) data)->n;
}

static void
test_responsive (void)
{
  UiTestStallProbe probe;
  guint runs_before;

  ensure_window ();
  atomscope_teaching_page_set_budget (page, 1000, TEST_TRAIN, TEST_TEST);
  atomscope_teaching_page_apply_preset (page, ATOMSCOPE_TEACHING_PRESET_LEARNED_STEPS);
  /* Let the trainers start, then measure. */
  g_assert_true (ui_test_wait_until (run_progress,
                                     GUINT_TO_POINTER (atomscope_teaching_page_get_n_runs (page)),
                                     1, 30));
  runs_before = atomscope_teaching_page_get_n_runs (page);
  ui_test_stall_probe_start (&probe);
  ui_test_wait_until (probe_ticks, &probe, 150, 10);   /* ≈ 1.5 s of training */
  g_test_message ("while training: %u probe ticks, longest gap %.1f ms (CPU %.1f ms)",
                  probe.n, probe.max_gap / 1000.0, probe.max_gap_cpu / 1000.0);
  /* Five restarts in a row, as a dragged slider would cause. */
  for (guint i = 0; i < 5; i++)
    {
      atomscope_teaching_page_restart (page);
      ui_test_wait_until (probe_ticks, &probe, probe.n + 5, 5);
    }
  ui_test_wait_until (probe_ticks, &probe, probe.n + 100, 10);
  ui_test_stall_probe_stop (&probe);
  g_assert_cmpuint (atomscope_teaching_page_get_n_runs (page), ==, runs_before + 5);
  /* The main loop itself never stalls 50 ms; time the main thread spent
   * waiting for a CPU held by another process is the machine's, left out. */
  g_assert_cmpint (probe.max_gap_cpu, <, 50000);
  g_assert_cmpint (probe.max_stuck, <, 50000);
  atomscope_teaching_page_set_budget (page, TEST_EPOCHS, TEST_TRAIN, TEST_TEST);
}

static void
test_export (void)
{
  g_autofree char *dir = g_dir_make_tmp ("atomscope-teaching-XXXXXX", NULL);
  const char *names[] = { "curves.csv", "figure.png", "figure.svg", "figure.pdf" };
  const char *magic[] = { "t,ista_gap_mean", "\x89PNG", "<?xml", "%PDF" };
  g_autoptr (GError) error = NULL;

  ensure_window ();
  atomscope_teaching_page_apply_preset (page, ATOMSCOPE_TEACHING_PRESET_SPARSE);
  g_assert_true (ui_test_wait_until (run_progress,
                                     GUINT_TO_POINTER (atomscope_teaching_page_get_n_runs (page)),
                                     2, 60));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize len;
      gboolean ok;

      if (i == 0)
        ok = atomscope_teaching_page_export_csv (page, path, FALSE, &error);
      else
        ok = atomscope_teaching_page_export_figure (page, "convergence", path, FALSE, &error);
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
      g_assert_cmpuint (len, >, 100);
      g_assert_true (memcmp (contents, magic[i], strlen (magic[i])) == 0);
      if (i == 0)
        {
          /* One header and one row per iteration 0 … n_iterations. */
          g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
          g_autoptr (AsTeachingSnapshot) s = atomscope_teaching_page_dup_snapshot (page);
          g_assert_cmpuint (g_strv_length (lines), ==, s->config.n_iterations + 1 + 2);
          g_assert_nonnull (strstr (lines[0], "slista_layer_gap_mean"));
        }
      /* No silent overwrite: the second export fails and the file stays. */
      ok = i == 0 ? atomscope_teaching_page_export_csv (page, path, FALSE, &error)
                  : atomscope_teaching_page_export_figure (page, "steps", path, FALSE, &error);
      g_assert_false (ok);
      g_assert_nonnull (error);
      g_clear_error (&error);
      {
        g_autofree char *again = NULL;
        gsize len2;
        g_assert_true (g_file_get_contents (path, &again, &len2, NULL));
        g_assert_cmpuint (len2, ==, len);
      }
      g_unlink (path);
    }
  g_rmdir (dir);

  /* A copy to look at: the exported figures are drawn light, at 1400 × 700. */
  {
    const char *views[] = { "convergence", "steps", "learned" };
    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        g_autofree char *name = g_strdup_printf ("teaching-export-%s.png", views[i]);
        g_autofree char *png = ui_test_artifact_path (name);
        g_assert_true (atomscope_teaching_page_export_figure (page, views[i], png, TRUE, &error));
        g_assert_no_error (error);
      }
  }
}

static void
test_legend_toggle (void)
{
  ensure_window ();
  g_assert_true (atomscope_teaching_page_get_curve_visible (page, AS_TEACHING_FISTA));
  atomscope_teaching_page_set_curve_visible (page, AS_TEACHING_FISTA, FALSE);
  g_assert_false (atomscope_teaching_page_get_curve_visible (page, AS_TEACHING_FISTA));
  ui_test_wait_for_draw (window);
  atomscope_teaching_page_set_curve_visible (page, AS_TEACHING_FISTA, TRUE);
  g_assert_true (atomscope_teaching_page_get_curve_visible (page, AS_TEACHING_FISTA));
}

/* The legend's hit boxes (GTK-free figure code, used by the page's clicks). */
static void
test_legend_hit (void)
{
  const double y[] = { 1, 0.5, 0.25, 0.125 };
  AsFigureCurve curves[2] = {
    { .label = "first", .color = { 0, 0, 1, 1 }, .visible = TRUE, .n = 4, .y = y },
    { .label = "second", .color = { 1, 0, 0, 1 }, .visible = FALSE, .n = 4, .y = y },
  };
  AsFigureCurvePlot plot = { .title = "t", .log_y = TRUE, .y_floor = 1e-14, .hline = NAN };
  AsFigureRect boxes[2];
  AsFigureStyle style;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 600, 400);
  cairo_t *cr = cairo_create (surface);

  as_figure_style_init_light (&style);
  as_figure_draw_curves (cr, 600, 400, &style, &plot, curves, 2, boxes);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  for (int i = 0; i < 2; i++)
    {
      g_assert_cmpfloat (boxes[i].width, >, 0);
      g_assert_cmpint (as_figure_legend_hit (boxes, 2, boxes[i].x + boxes[i].width / 2,
                                             boxes[i].y + boxes[i].height / 2), ==, i);
    }
  /* Hidden curves keep their entry, so a click can bring them back. */
  g_assert_cmpfloat (boxes[1].y, >, boxes[0].y);
  g_assert_cmpint (as_figure_legend_hit (boxes, 2, 1, 1), ==, -1);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
}

static GtkWidget *
find_descendant (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_descendant (c, type);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
n_runs (gpointer data)
{
  return atomscope_teaching_page_get_n_runs (data);
}

/* Two control changes in quick succession give one restart, ~150 ms later,
 * with the last value (the first spin button of the sidebar is n). */
static void
test_debounce (void)
{
  GtkWidget *n_spin;
  guint before;
  gint64 t0;
  g_autoptr (AsTeachingSnapshot) s = NULL;

  ensure_window ();
  n_spin = find_descendant (GTK_WIDGET (page), GTK_TYPE_SPIN_BUTTON);
  g_assert_nonnull (n_spin);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (n_spin)), >=, 2);
  before = atomscope_teaching_page_get_n_runs (page);
  t0 = g_get_monotonic_time ();
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (n_spin), 48);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (n_spin), 40);
  g_assert_cmpuint (atomscope_teaching_page_get_n_runs (page), ==, before);
  g_assert_true (ui_test_wait_until (n_runs, page, before + 1, 5));
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 140000);
  ui_test_iterate (100);
  g_assert_cmpuint (atomscope_teaching_page_get_n_runs (page), ==, before + 1);
  g_assert_true (ui_test_wait_until (run_progress, GUINT_TO_POINTER (before + 1), 1, 30));
  s = atomscope_teaching_page_dup_snapshot (page);
  g_assert_cmpuint (s->config.n, ==, 40);
}

static GtkWidget *
find_by_action (GtkWidget *root, const char *action)
{
  if (GTK_IS_ACTIONABLE (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_by_action (c, action);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static guint
classical_done (gpointer data)
{
  g_autoptr (AsTeachingSnapshot) s = atomscope_teaching_page_dup_snapshot (data);

  return s != NULL && s->n_classical_done == AS_TEACHING_N_CLASSICAL;
}

/* The page is a page of the main window, and a page never shown runs nothing. */
static void
test_in_main_window (void)
{
  g_autoptr (AtomscopeApplication) app = atomscope_application_new ();
  g_autoptr (GError) error = NULL;
  GtkWidget *win, *teaching, *stack, *learn;

  /* Registering runs startup, after which windows may be added. */
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  win = g_object_new (ATOMSCOPE_TYPE_WINDOW, "application", app, NULL);
  teaching = find_descendant (win, ATOMSCOPE_TYPE_TEACHING_PAGE);
  stack = find_descendant (win, ADW_TYPE_VIEW_STACK);

  g_assert_nonnull (teaching);
  g_assert_nonnull (stack);
  g_assert_true (adw_view_stack_get_child_by_name (ADW_VIEW_STACK (stack), "teaching") == teaching);
  g_assert_cmpuint (atomscope_teaching_page_get_n_runs (ATOMSCOPE_TEACHING_PAGE (teaching)), ==, 0);

  /* Shown, it starts its first run by itself and draws inside the window. */
  atomscope_teaching_page_set_budget (ATOMSCOPE_TEACHING_PAGE (teaching), 2, TEST_TRAIN, TEST_TEST);
  gtk_window_set_default_size (GTK_WINDOW (win), 1500, 900);
  gtk_window_present (GTK_WINDOW (win));
  ui_test_wait_for_draw (win);
  learn = find_by_action (win, "win.learn");
  g_assert_nonnull (learn);
  g_assert_true (gtk_widget_get_mapped (learn));
  adw_view_stack_set_visible_child_name (ADW_VIEW_STACK (stack), "teaching");
  ui_test_wait_for_draw (win);
  g_assert_cmpuint (atomscope_teaching_page_get_n_runs (ATOMSCOPE_TEACHING_PAGE (teaching)), ==, 1);
  /* The recording's Learn, Pause, Stop and parameters are not offered here. */
  g_assert_false (gtk_widget_get_mapped (learn));
  g_assert_false (gtk_widget_get_mapped (find_by_action (win, "win.stop")));
  g_assert_true (ui_test_wait_until ((UiTestCondition) classical_done, teaching, 1, 30));
  ui_test_wait_for_draw (win);
  {
    g_autofree char *png = ui_test_artifact_path ("teaching-in-window.png");
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (win, png, &stats, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (stats.n_colors, >, 100);
  }
  gtk_window_destroy (GTK_WINDOW (win));
  ui_test_iterate (50);
}

/* Presentation scale: Ctrl+plus and Ctrl+minus change it by 1.25×, Ctrl+0
 * resets it, GSettings keeps it; the figures redraw larger (screenshot), and
 * the legend still toggles the curve under the pointer. */
static void
test_presentation_scale (void)
{
  g_autoptr (GSettings) settings = g_settings_new (APPLICATION_ID);
  g_autoptr (GError) error = NULL;
  g_autofree char *png = NULL;
  UiTestImageStats stats;

  ensure_window ();
  atomscope_teaching_page_set_view (page, "convergence");
  atomscope_teaching_page_set_scale (page, 1.0);
  {
    /* Curves to look at: the classical solvers of the current run. */
    guint run = atomscope_teaching_page_get_n_runs (page);

    g_assert_true (ui_test_wait_until (run_progress, GUINT_TO_POINTER (run), 1, 120));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teaching.zoom-in", NULL));
  g_assert_cmpfloat_with_epsilon (atomscope_teaching_page_get_scale (page), 1.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (g_settings_get_double (settings, "teaching-scale"), 1.25, 1e-12);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teaching.zoom-out", NULL));
  g_assert_cmpfloat_with_epsilon (atomscope_teaching_page_get_scale (page), 1.0, 1e-12);
  /* Another window (or the next session) reads it back. */
  g_settings_set_double (settings, "teaching-scale", 1.6);
  g_assert_cmpfloat_with_epsilon (atomscope_teaching_page_get_scale (page), 1.6, 1e-12);
  /* The figures are painted on workers: give them a few frames. */
  for (guint i = 0; i < 5; i++)
    {
      g_usleep (100000);
      ui_test_iterate (1000);
      ui_test_wait_for_draw (window);
    }
  png = ui_test_artifact_path ("teaching-scale-1.6.png");
  g_assert_true (ui_test_render_png (window, png, &stats, &error));
  g_assert_no_error (error);
  g_test_message ("scale 1.6: %s", png);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "teaching.zoom-reset", NULL));
  g_assert_cmpfloat_with_epsilon (atomscope_teaching_page_get_scale (page), 1.0, 1e-12);
  /* Out of range: clamped. */
  atomscope_teaching_page_set_scale (page, 10);
  g_assert_cmpfloat_with_epsilon (atomscope_teaching_page_get_scale (page), 3.0, 1e-12);
  atomscope_teaching_page_set_scale (page, 1.0);
}

static GtkWidget *
find_area_with_tooltip (GtkWidget *root, const char *tooltip)
{
  if (GTK_IS_DRAWING_AREA (root) && g_strcmp0 (gtk_widget_get_tooltip_text (root), tooltip) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_area_with_tooltip (c, tooltip);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Is the solver's colour within a few pixels of (x, y)? */
static gboolean
colour_near (const guint8 *px, int w, int h, double x, double y, AsColor c)
{
  for (int dy = -3; dy <= 3; dy++)
    for (int dx = -3; dx <= 3; dx++)
      {
        int xi = (int) round (x) + dx, yi = (int) round (y) + dy;
        const guint8 *p;

        if (xi < 0 || yi < 0 || xi >= w || yi >= h)
          continue;
        p = px + ((gsize) yi * w + xi) * 4;   /* BGRA */
        if (fabs (p[2] - 255 * c.r) < 40 && fabs (p[1] - 255 * c.g) < 40 && fabs (p[0] - 255 * c.b) < 40)
          return TRUE;
      }
  return FALSE;
}

/* A drag across the convergence plot shows a range of iterations, with the y
 * range of what is in it; a double click shows all again. */
static void
test_layer_range (void)
{
  g_autoptr (AsTeachingSnapshot) s = NULL;
  const AsTeachingPath *ista;
  GtkWidget *area;
  AsFigureXMap map = { 0 };
  g_autofree guint8 *px = NULL;
  int w = 0, h = 0;
  guint run;

  ensure_window ();
  atomscope_teaching_page_set_view (page, "convergence");
  atomscope_teaching_page_set_scale (page, 1.0);
  run = atomscope_teaching_page_get_n_runs (page);
  g_assert_true (ui_test_wait_until (run_progress, GUINT_TO_POINTER (run), 1, 120));
  g_assert_true (ui_test_wait_until ((UiTestCondition) classical_done, page, 1, 60));
  s = atomscope_teaching_page_dup_snapshot (page);
  ista = s->classical[AS_TEACHING_ISTA];
  g_assert_cmpuint (ista->n_points, >, 200);
  area = find_area_with_tooltip (GTK_WIDGET (page),
                                 "Drag across the plot to show a range of iterations; double-click to show all");
  g_assert_nonnull (area);

  atomscope_teaching_page_set_layer_range (page, 20, 200);
  for (guint i = 0; i < 100; i++)
    {
      ui_test_wait_for_draw (window);
      ui_test_iterate (20);
      if (atomscope_teaching_page_get_shown_range (page, &map) && fabs (map.x_min - 20) < 1e-9
          && fabs (map.x_max - 200) < 1e-9)
        break;
      g_usleep (20000);
    }
  g_test_message ("shown: t %.3g … %.3g, gap %.3g … %.3g", map.x_min, map.x_max, map.y_min, map.y_max);
  g_assert_cmpfloat (fabs (map.x_min - 20), <, 1e-9);
  g_assert_cmpfloat (fabs (map.x_max - 200), <, 1e-9);
  /* The y axis follows the range: its top is the decade above ISTA's gap at
   * t = 20 (the largest there), below ISTA's gap at t = 1 that the full plot shows. */
  g_assert_true (map.log_y);
  g_assert_cmpfloat (map.y_max, >=, ista->gap_mean[20]);
  g_assert_cmpfloat (map.y_max, <=, pow (10, ceil (log10 (ista->gap_mean[20]))) * (1 + 1e-9));
  g_assert_cmpfloat (map.y_max, <, ista->gap_mean[1]);
  /* ISTA's curve passes where the axes put its gap at t = 20, 50 and 200. */
  for (guint i = 0; i < 50 && px == NULL; i++)
    {
      ui_test_iterate (20);
      px = ui_test_render_pixels (area, &w, &h);
    }
  g_assert_nonnull (px);
  {
    const guint ts[] = { 20, 50, 200 };
    AsColor c = as_figure_teaching_color (AS_TEACHING_ISTA, FALSE);

    for (guint i = 0; i < G_N_ELEMENTS (ts); i++)
      {
        double g = ista->gap_mean[ts[i]];
        double x = map.left + (log10 (ts[i]) - log10 (map.x_min)) / (log10 (map.x_max) - log10 (map.x_min)) * map.width;
        double y = map.top + (log10 (map.y_max) - log10 (g)) / (log10 (map.y_max) - log10 (map.y_min)) * map.height;

        g_test_message ("ISTA at t = %u: gap %.3g at (%.0f, %.0f)", ts[i], g, x, y);
        g_assert_true (colour_near (px, w, h, x, y, c));
      }
  }
  {
    g_autofree char *png = ui_test_artifact_path ("teaching-layer-range.png");
    UiTestImageStats stats;
    g_assert_true (ui_test_render_png (area, png, &stats, NULL));
  }

  atomscope_teaching_page_set_layer_range (page, 0, 0);
  for (guint i = 0; i < 100; i++)
    {
      ui_test_wait_for_draw (window);
      ui_test_iterate (20);
      if (atomscope_teaching_page_get_shown_range (page, &map) && map.x_min < 1.5)
        break;
      g_usleep (20000);
    }
  g_assert_cmpfloat (map.x_min, <, 1.5);
  g_assert_cmpfloat (map.y_max, >=, ista->gap_mean[1]);
}

int
main (int argc, char **argv)
{
  atomscope_ui_init ();
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  g_test_add_func ("/ui/teaching/in-main-window", test_in_main_window);
  g_test_add_func ("/ui/teaching/preset/learned-steps", test_preset_learned_steps);
  g_test_add_func ("/ui/teaching/preset/sparse", test_preset_sparse);
  g_test_add_func ("/ui/teaching/preset/dense", test_preset_dense);
  g_test_add_func ("/ui/teaching/preset/adversarial", test_preset_adversarial);
  g_test_add_func ("/ui/teaching/presentation-scale", test_presentation_scale);
  g_test_add_func ("/ui/teaching/legend-toggle", test_legend_toggle);
  g_test_add_func ("/ui/teaching/legend-hit", test_legend_hit);
  g_test_add_func ("/ui/teaching/layer-range", test_layer_range);
  g_test_add_func ("/ui/teaching/debounce", test_debounce);
  g_test_add_func ("/ui/teaching/export", test_export);
  g_test_add_func ("/ui/teaching/responsive", test_responsive);
  return g_test_run ();
}
