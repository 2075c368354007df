/* as-teaching.c: the teaching view's job (simulate, solve, run the classical
 * solvers, train the unrolled networks) and its snapshots.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-teaching"

#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-lasso.h"
#include "as-metrics.h"
#include "as-output.h"
#include "as-rng.h"
#include "as-simulate.h"
#include "as-solver.h"
#include "as-teaching.h"

void
as_teaching_config_init (AsTeachingConfig *config)
{
  *config = (AsTeachingConfig) {
    .n = 64,
    .m = 256,
    .lambda_fraction = 0.1,
    .rho = 0.0,
    .noise = 0.0,
    .dictionary = AS_TEACHING_DICTIONARY_GAUSSIAN,
    .coherence = 0.5,
    .seed = 0,
    .n_signals = 50,
    .n_iterations = 300,
    .n_recorded = 100,
    .learned_mask = (1u << AS_UNROLLED_SLISTA) | (1u << AS_UNROLLED_LISTA),
    .n_layers = 20,
    .loss = AS_UNROLLED_LOSS_UNSUPERVISED,
    .n_epochs = 200,
    .train_size = 500,
    .test_size = 200,
    .batch_size = 128,
    .learning_rate = 2e-4,
    .step_learning_rate = 0.1,
  };
}

const char *
as_teaching_classical_to_string (AsTeachingClassical kind)
{
  static const char *names[] = { "ista", "fista", "oracle-ista", "cd" };

  g_return_val_if_fail (kind < AS_TEACHING_N_CLASSICAL, NULL);
  return names[kind];
}

/* ------------------------------------------------------------ presets */

static const char *const preset_names[AS_TEACHING_N_PRESETS] = {
  "learned-steps", "sparse", "dense", "adversarial",
};

const char *
as_teaching_preset_to_string (AsTeachingPreset preset)
{
  g_return_val_if_fail (preset < AS_TEACHING_N_PRESETS, NULL);
  return preset_names[preset];
}

gboolean
as_teaching_preset_from_string (const char *name, AsTeachingPreset *preset)
{
  for (guint k = 0; k < AS_TEACHING_N_PRESETS; k++)
    if (g_strcmp0 (name, preset_names[k]) == 0)
      {
        *preset = (AsTeachingPreset) k;
        return TRUE;
      }
  return FALSE;
}

#define BIT(k) (1u << (k))

/* Ablin et al. 2019 ("Performances"): m = 256, n = 64, x ~ N(0, I) on the
 * equiregularization set, λ = 0.1 λ_max.  Moreau & Bruna (2017,
 * "Generating model"): K = 100 atoms in P = 64 dimensions, Bernoulli(ρ)–Gaussian
 * codes; x is rescaled to λ_max = 1, so σ only sets a scale and λ = 0.01 is read
 * as 0.01 λ_max. */
void
as_teaching_preset_config (AsTeachingPreset preset, AsTeachingConfig *cfg)
{
  g_return_if_fail (preset < AS_TEACHING_N_PRESETS && cfg != NULL);
  as_teaching_config_init (cfg);
  cfg->seed = 0;
  cfg->n_layers = 20;
  cfg->loss = AS_UNROLLED_LOSS_UNSUPERVISED;
  cfg->noise = 0.0;
  cfg->n_epochs = 300;
  cfg->n = 64;
  switch (preset)
    {
    case AS_TEACHING_PRESET_LEARNED_STEPS:
      cfg->m = 256;
      cfg->lambda_fraction = 0.1;
      cfg->rho = 0.0;
      cfg->dictionary = AS_TEACHING_DICTIONARY_GAUSSIAN;
      cfg->learned_mask = BIT (AS_UNROLLED_LISTA) | BIT (AS_UNROLLED_LISTA_CP)
                          | BIT (AS_UNROLLED_ALISTA) | BIT (AS_UNROLLED_SLISTA);
      cfg->halving_epochs = 25;
      break;
    case AS_TEACHING_PRESET_SPARSE:
    case AS_TEACHING_PRESET_DENSE:
    case AS_TEACHING_PRESET_ADVERSARIAL:
      cfg->m = 100;
      cfg->lambda_fraction = 0.01;
      cfg->rho = preset == AS_TEACHING_PRESET_DENSE ? 0.25 : 0.05;
      cfg->dictionary = preset == AS_TEACHING_PRESET_ADVERSARIAL ? AS_TEACHING_DICTIONARY_FOURIER
                                                                 : AS_TEACHING_DICTIONARY_GAUSSIAN;
      cfg->learned_mask = BIT (AS_UNROLLED_LISTA) | BIT (AS_UNROLLED_LISTA_CP) | BIT (AS_UNROLLED_SLISTA);
      break;
    default:
      g_assert_not_reached ();
    }
  cfg->n_iterations = MAX (cfg->n_iterations, 5 * cfg->n_layers);
}

/* Network k against ISTA on its test signals at layers first … last: strictly
 * below at every one (strict) or nowhere above.  The first failure goes to @why. */
static gboolean
learned_below_ista (const AsTeachingSnapshot *s, AsUnrolledKind k, guint first, guint last,
                    gboolean strict, GString *why)
{
  const AsUnrolledSnapshot *u = s->learned[k];
  const char *name = as_unrolled_kind_to_string (k);

  if (!(s->config.learned_mask & BIT (k)))
    {
      if (why != NULL)
        g_string_append_printf (why, _("%s is not trained in this run"), name);
      return FALSE;
    }
  if (u == NULL || s->learned_error[k] != NULL)
    {
      if (why != NULL && s->learned_error[k] != NULL)
        g_string_append_printf (why, _("%s stopped: %s"), name, s->learned_error[k]);
      else if (why != NULL)
        g_string_append_printf (why, _("%s has no evaluation yet"), name);
      return FALSE;
    }
  last = MIN (last, MIN (u->n_layers, u->n_baseline));
  for (guint t = first; t <= last; t++)
    {
      double g = u->gap_mean[t], ista = u->ista_gap_mean[t];

      if (strict ? !(g < ista) : !(g <= ista))
        {
          if (why != NULL && strict)
            g_string_append_printf (why, _("%s is not below ISTA at layer %u (%.4g, ISTA %.4g)"),
                                    name, t, g, ista);
          else if (why != NULL)
            g_string_append_printf (why, _("%s is above ISTA at layer %u (%.4g, ISTA %.4g)"),
                                    name, t, g, ista);
          return FALSE;
        }
    }
  return TRUE;
}

/* Ablin et al. 2019: the learned steps grow with depth, from about 1/L
 * towards 1/L_S. */
static gboolean
slista_steps_grow (const AsTeachingSnapshot *s, GString *why)
{
  const AsUnrolledSnapshot *u = s->learned[AS_UNROLLED_SLISTA];
  guint T = u->n_layers;

  for (guint t = 1; t < T; t++)
    if (!(u->steps[t] >= 0.99 * u->steps[t - 1]))
      {
        if (why != NULL)
          g_string_append_printf (why, _("SLISTA's step %u (%.4g) is smaller than step %u (%.4g)"),
                                  t + 1, u->steps[t], t, u->steps[t - 1]);
        return FALSE;
      }
  if (!(u->steps[T - 1] > 1.02 * u->steps[0]) || !(u->steps[T - 1] > 1.0 / s->lipschitz))
    {
      if (why != NULL)
        g_string_append_printf (why, _("SLISTA's last step (%.4g) is not above 1.02 × its first "
                                       "(%.4g) and 1/L (%.4g)"),
                                u->steps[T - 1], u->steps[0], 1.0 / s->lipschitz);
      return FALSE;
    }
  return TRUE;
}

/* Moreau & Bruna 2017 on the adversarial dictionary: LISTA's gap at layer 1
 * stays within 10 % of ISTA's (on the Gaussian presets it falls below half of
 * it within a few epochs), while at layer T the trained network gains at
 * least 5 % (so that a network still at ISTA's weights does not count). */
#define ADVERSARIAL_FIRST_LAYER 0.9
#define ADVERSARIAL_LAST_LAYER  0.95

gboolean
as_teaching_pattern_met (const AsTeachingSnapshot *s, AsTeachingPreset preset, GString *why)
{
  guint T;

  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (preset < AS_TEACHING_N_PRESETS, FALSE);
  T = s->config.n_layers;
  if (T < 1)
    {
      if (why != NULL)
        g_string_append (why, _("The networks have no layer"));
      return FALSE;
    }
  switch (preset)
    {
    case AS_TEACHING_PRESET_LEARNED_STEPS:
      if (!learned_below_ista (s, AS_UNROLLED_SLISTA, 1, T, TRUE, why)
          || !slista_steps_grow (s, why)
          || !learned_below_ista (s, AS_UNROLLED_LISTA, 1, T, FALSE, why)
          || !learned_below_ista (s, AS_UNROLLED_LISTA_CP, 1, T, FALSE, why))
        return FALSE;
      if (why != NULL)
        {
          const AsUnrolledSnapshot *u = s->learned[AS_UNROLLED_SLISTA];
          g_string_append_printf (why, _("SLISTA at layer %u: %.3g, ISTA %.3g; steps %.3g → %.3g (1/L = %.3g)"),
                                  T, u->gap_mean[T], u->ista_gap_mean[T], u->steps[0],
                                  u->steps[T - 1], 1.0 / s->lipschitz);
        }
      return TRUE;
    case AS_TEACHING_PRESET_ADVERSARIAL:
      /* The first layers' acceleration fails (no factorisation of the Gram
       * matrix helps), while the trained networks still gain in depth. */
      for (guint k = 0; k < 2; k++)
        {
          AsUnrolledKind kind = k == 0 ? AS_UNROLLED_LISTA : AS_UNROLLED_LISTA_CP;
          const AsUnrolledSnapshot *u;

          if (!learned_below_ista (s, kind, T, T, TRUE, why))
            return FALSE;
          u = s->learned[kind];
          if (!(u->gap_mean[T] <= ADVERSARIAL_LAST_LAYER * u->ista_gap_mean[T]))
            {
              if (why != NULL)
                g_string_append_printf (why, _("%s gains less than 5 %% over ISTA at layer %u "
                                               "(%.4g, ISTA %.4g)"),
                                        as_unrolled_kind_to_string (kind), T, u->gap_mean[T],
                                        u->ista_gap_mean[T]);
              return FALSE;
            }
          if (!(u->gap_mean[1] >= ADVERSARIAL_FIRST_LAYER * u->ista_gap_mean[1]))
            {
              if (why != NULL)
                g_string_append_printf (why, _("%s gains more than 10 %% over ISTA at layer 1 "
                                               "(%.4g, ISTA %.4g)"),
                                        as_unrolled_kind_to_string (kind), u->gap_mean[1],
                                        u->ista_gap_mean[1]);
              return FALSE;
            }
        }
      if (why != NULL)
        {
          const AsUnrolledSnapshot *u = s->learned[AS_UNROLLED_LISTA];
          g_string_append_printf (why, _("LISTA at layer 1: %.3g, ISTA %.3g; at layer %u: %.3g, ISTA %.3g"),
                                  u->gap_mean[1], u->ista_gap_mean[1], T, u->gap_mean[T],
                                  u->ista_gap_mean[T]);
        }
      return TRUE;
    case AS_TEACHING_PRESET_SPARSE:
    case AS_TEACHING_PRESET_DENSE:
      if (!learned_below_ista (s, AS_UNROLLED_LISTA, 1, MIN (5, T), TRUE, why)
          || !learned_below_ista (s, AS_UNROLLED_LISTA_CP, 1, MIN (5, T), TRUE, why)
          || !learned_below_ista (s, AS_UNROLLED_LISTA, 1, T, FALSE, why)
          || !learned_below_ista (s, AS_UNROLLED_LISTA_CP, 1, T, FALSE, why))
        return FALSE;
      if (why != NULL)
        {
          const AsUnrolledSnapshot *u = s->learned[AS_UNROLLED_LISTA];
          g_string_append_printf (why, _("LISTA at layer %u: %.3g, ISTA %.3g"), MIN (5, T),
                                  u->gap_mean[MIN (5, T)], u->ista_gap_mean[MIN (5, T)]);
        }
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

/* How each network is trained, so that the page shows the papers' results
 * within a lesson:
 * - SLISTA and ALISTA (a step and a threshold per layer): full-batch gradient
 *   descent with a line search that doubles the rate after a good epoch and
 *   halves it (undoing the epoch) after a bad one, as Ablin et al. 2019 train
 *   them (their adopty code).  Adam would move every α_t by about the same
 *   amount at every step (it divides each gradient by its own magnitude, and
 *   the α_t gradients share their sign at ISTA's weights), so the steps would
 *   stay equal across layers instead of growing with depth.
 * - LISTA and LISTA-CP (T·(m² + mn) or T·(mn + m) weights): Adam on
 *   minibatches of 128 from four times as many training signals, with a
 *   constant rate and the loss averaged over every layer, so that each layer
 *   is trained as a solver of its own depth; the figure compares every layer
 *   with ISTA, and from ISTA's weights the first epochs already move them.
 * Training runs in float32 on two threads; the evaluation stays in float64. */
static void
learned_config (const AsTeachingConfig *cfg, AsUnrolledKind kind, guint n, guint m,
                AsUnrolledTrainConfig *tc)
{
  as_unrolled_train_config_init (tc);
  tc->kind = kind;
  tc->n_layers = cfg->n_layers;
  tc->n = n;
  tc->m = m;
  tc->lambda_fraction = cfg->lambda_fraction;
  tc->loss = cfg->loss;
  tc->test_size = cfg->test_size;
  tc->rho = cfg->rho;
  tc->noise = cfg->noise;
  tc->seed = cfg->seed + 1;   /* fresh samples, same law as the classical batch */
  tc->eval_every = 1;
  tc->n_baseline = cfg->n_layers;
  tc->precision = AS_UNROLLED_FLOAT32;
  tc->n_threads = MIN (2, MAX (1, g_get_num_processors ()));
  if (kind == AS_UNROLLED_SLISTA || kind == AS_UNROLLED_ALISTA)
    {
      tc->optimizer = AS_UNROLLED_OPTIMIZER_SGD;
      tc->schedule = AS_UNROLLED_SCHEDULE_ADAPTIVE;
      tc->learning_rate = cfg->step_learning_rate;
      tc->batch_size = 0;
      tc->train_size = cfg->train_size;
    }
  else
    {
      tc->optimizer = AS_UNROLLED_OPTIMIZER_ADAM;
      tc->schedule = cfg->halving_epochs > 0 ? AS_UNROLLED_SCHEDULE_STEP : AS_UNROLLED_SCHEDULE_CONSTANT;
      tc->step_epochs = cfg->halving_epochs;
      tc->step_factor = 0.5;
      tc->learning_rate = cfg->learning_rate;
      tc->batch_size = cfg->batch_size;
      tc->train_size = 4 * cfg->train_size;
      tc->every_layer = TRUE;
    }
}

/* ------------------------------------------------------------ paths */

static void
path_clear (gpointer data)
{
  AsTeachingPath *p = data;

  g_free (p->gap_mean);
  g_free (p->gap_median);
  g_free (p->time);
  g_free (p->codes);
  g_free (p->inputs);
  g_free (p->steps);
  g_free (p->thresholds);
  g_free (p->supports);
}

static AsTeachingPath *
path_new (guint n_points, guint m, guint n_steps, gboolean with_time, gboolean with_inputs)
{
  AsTeachingPath *p = g_atomic_rc_box_new0 (AsTeachingPath);

  p->n_points = n_points;
  p->gap_mean = g_new0 (double, MAX (n_points, 1));
  p->gap_median = g_new0 (double, MAX (n_points, 1));
  p->time = with_time ? g_new0 (double, MAX (n_points, 1)) : NULL;
  p->m = m;
  p->n_steps = n_steps;
  p->codes = g_new0 (double, (gsize) (n_steps + 1) * m);
  p->inputs = with_inputs ? g_new0 (double, (gsize) MAX (n_steps, 1) * m) : NULL;
  p->steps = g_new0 (double, MAX (n_steps, 1));
  p->thresholds = g_new0 (double, MAX (n_steps, 1));
  p->supports = g_new0 (guint, n_steps + 1);
  return p;
}

static void
path_unref (AsTeachingPath *p)
{
  if (p != NULL)
    g_atomic_rc_box_release_full (p, path_clear);
}

/* --------------------------------------------------------- snapshots */

typedef struct
{
  AsTeachingSnapshot pub;
  GBytes *solution, *inv_ls_solution, *inv_ls_met;
} Snapshot;

static void
snapshot_clear (gpointer data)
{
  Snapshot *s = data;

  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    path_unref (s->pub.classical[k]);
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    {
      g_clear_pointer (&s->pub.learned[k], as_unrolled_snapshot_unref);
      path_unref (s->pub.learned_path[k]);
      g_free (s->pub.learned_error[k]);
    }
  g_clear_pointer (&s->solution, g_bytes_unref);
  g_clear_pointer (&s->inv_ls_solution, g_bytes_unref);
  g_clear_pointer (&s->inv_ls_met, g_bytes_unref);
}

AsTeachingSnapshot *
as_teaching_snapshot_ref (AsTeachingSnapshot *snapshot)
{
  return g_atomic_rc_box_acquire (snapshot);
}

void
as_teaching_snapshot_unref (AsTeachingSnapshot *snapshot)
{
  if (snapshot != NULL)
    g_atomic_rc_box_release_full (snapshot, snapshot_clear);
}

static void
set_bytes (GBytes **slot, const double **ptr, guint *count, GBytes *bytes)
{
  gsize size = 0;

  g_clear_pointer (slot, g_bytes_unref);
  *slot = bytes;
  *ptr = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  if (count != NULL)
    *count = (guint) (size / sizeof (double));
}

/* A copy sharing every part (the worker then replaces what changed). */
static Snapshot *
snapshot_copy (const Snapshot *src)
{
  Snapshot *s = g_atomic_rc_box_new0 (Snapshot);

  s->pub = src->pub;
  s->pub.priv = NULL;
  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    if (src->pub.classical[k] != NULL)
      s->pub.classical[k] = g_atomic_rc_box_acquire (src->pub.classical[k]);
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    {
      if (src->pub.learned[k] != NULL)
        s->pub.learned[k] = as_unrolled_snapshot_ref (src->pub.learned[k]);
      if (src->pub.learned_path[k] != NULL)
        s->pub.learned_path[k] = g_atomic_rc_box_acquire (src->pub.learned_path[k]);
      s->pub.learned_error[k] = g_strdup (src->pub.learned_error[k]);
    }
  s->solution = src->solution ? g_bytes_ref (src->solution) : NULL;
  s->inv_ls_solution = src->inv_ls_solution ? g_bytes_ref (src->inv_ls_solution) : NULL;
  s->inv_ls_met = src->inv_ls_met ? g_bytes_ref (src->inv_ls_met) : NULL;
  return s;
}

/* ------------------------------------------------------------- worker */

typedef struct
{
  AsTeachingConfig cfg;
  Snapshot        *current;    /* the worker's newest state (also published) */
} Work;

static void
work_free (gpointer data)
{
  Work *w = data;

  if (w->current != NULL)
    as_teaching_snapshot_unref (&w->current->pub);
  g_free (w);
}

/* Publishes the current state and starts a new one sharing it. */
static void
publish (AsJob *job, Work *w)
{
  Snapshot *next = snapshot_copy (w->current);

  as_job_publish (job, &w->current->pub);   /* the job takes our reference */
  w->current = next;
}

static double
median (double *values, guint count)
{
  g_autofree double *v = g_memdup2 (values, sizeof (double) * count);
  guint h = count / 2;

  if (count == 0)
    return NAN;
  /* Small counts: a sort is plenty. */
  for (guint i = 1; i < count; i++)
    for (guint j = i; j > 0 && v[j - 1] > v[j]; j--)
      {
        double t = v[j];
        v[j] = v[j - 1];
        v[j - 1] = t;
      }
  return count % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

/* u = z − step · Dᵀ(Dz − x): the point a proximal gradient step thresholds
 * (docs/maths.md, ISTA / SLISTA layer). */
static void
gradient_step_point (guint n, guint m, const double *D, const double *x, const double *z,
                     double step, double *r, double *u)
{
  memcpy (r, x, sizeof (double) * n);
  cblas_dgemv (CblasRowMajor, CblasNoTrans, (int) n, (int) m, 1.0, D, (int) m, z, 1, -1.0, r, 1);
  memcpy (u, z, sizeof (double) * m);
  cblas_dgemv (CblasRowMajor, CblasTrans, (int) n, (int) m, -step, D, (int) m, r, 1, 1.0, u, 1);
}

static const AsSolverKind classical_kinds[AS_TEACHING_N_CLASSICAL] = {
  AS_SOLVER_ISTA, AS_SOLVER_FISTA, AS_SOLVER_ORACLE_ISTA, AS_SOLVER_CD,
};

/* Runs one classical solver for n_iterations and fills its path.  Returns
 * FALSE when stopped (the path is then dropped). */
static gboolean
run_classical (AsJob *job, Work *w, AsLasso *lasso, const double *Fstar, AsTeachingClassical k,
               GArray *inv_ls_met, GError **error)
{
  const AsTeachingConfig *cfg = &w->cfg;
  guint n = cfg->n, m = cfg->m, N = cfg->n_signals, T = cfg->n_iterations;
  guint R = MIN (cfg->n_recorded, T);
  gboolean ista_like = k == AS_TEACHING_ISTA || k == AS_TEACHING_ORACLE_ISTA;
  g_autoptr (AsSolver) solver = as_solver_new (lasso, classical_kinds[k], FALSE);
  g_autoptr (AsSolverTrace) trace = as_solver_trace_new (N);
  const double *D = as_lasso_get_dictionary (lasso), *x0 = as_lasso_get_signals (lasso);
  double L = as_lasso_lipschitz (lasso), lambda = as_lasso_get_lambda (lasso);
  AsTeachingPath *p = path_new (T + 1, m, R, TRUE, ista_like);
  g_autofree double *r = g_new (double, n);
  g_autofree double *col = g_new (double, N);

  as_solver_trace_record (trace, solver);
  memcpy (p->codes, as_solver_get_codes (solver), sizeof (double) * m);
  p->supports[0] = 0;
  for (guint t = 1; t <= T; t++)
    {
      if (!as_job_check (job))
        {
          path_unref (p);
          return FALSE;
        }
      if (t <= R && ista_like)
        {
          /* The step oracle ISTA will take is only known after the step:
           * keep z^{t−1} and form u^t once the step size is known. */
          memcpy (p->inputs + (gsize) (t - 1) * m, as_solver_get_codes (solver), sizeof (double) * m);
        }
      as_solver_step (solver);
      as_solver_trace_record (trace, solver);
      if (t <= R)
        {
          const double *z = as_solver_get_codes (solver);
          double step = as_solver_get_last_step (solver, 0);

          memcpy (p->codes + (gsize) t * m, z, sizeof (double) * m);
          p->steps[t - 1] = step;
          p->thresholds[t - 1] = lambda * step;
          p->supports[t] = as_lasso_support_size (m, z);
          if (ista_like)
            {
              g_autofree double *zprev = g_memdup2 (p->inputs + (gsize) (t - 1) * m,
                                                    sizeof (double) * m);
              gradient_step_point (n, m, D, x0, zprev, step, r, p->inputs + (gsize) (t - 1) * m);
            }
        }
      if (!isfinite (as_solver_get_codes (solver)[0]))
        {
          path_unref (p);
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("%s diverged at iteration %u"), as_teaching_classical_to_string (k), t);
          return FALSE;
        }
    }

  {
    const double *obj = as_solver_trace_get_objectives (trace);
    const double *times = as_solver_trace_get_times (trace);
    const double *steps = as_solver_trace_get_steps (trace);

    for (guint t = 0; t <= T; t++)
      {
        double sum = 0;
        for (guint i = 0; i < N; i++)
          {
            col[i] = obj[(gsize) t * N + i] - Fstar[i];
            sum += col[i];
          }
        p->gap_mean[t] = sum / N;
        p->gap_median[t] = median (col, N);
        p->time[t] = times[t];
      }
    /* Accepted oracle steps are 1/L_S of the support met (Ablin et al. 2019, OISTA). */
    if (k == AS_TEACHING_ORACLE_ISTA)
      for (gsize e = (gsize) N; e < (gsize) (T + 1) * N; e++)
        if (steps[e] > (1.0 + 1e-9) / L)
          g_array_append_val (inv_ls_met, steps[e]);
  }
  path_unref (w->current->pub.classical[k]);
  w->current->pub.classical[k] = p;
  w->current->pub.n_classical_done = k + 1;
  return TRUE;
}

/* The network's layers applied to signal 0 of the classical batch. */
static AsTeachingPath *
learned_path (const AsUnrolledSnapshot *snap, const double *x0, double lambda)
{
  const AsUnrolled *net = snap->network;
  guint T = as_unrolled_get_n_layers (net), n = as_unrolled_get_n (net), m = as_unrolled_get_m (net);
  gboolean slista = as_unrolled_get_kind (net) == AS_UNROLLED_SLISTA;
  const double *D = as_unrolled_get_dictionary (net);
  g_autoptr (AsUnrolledTape) tape = as_unrolled_tape_new (net, 1);
  AsTeachingPath *p = path_new (0, m, T, FALSE, slista);
  g_autofree double *r = g_new (double, n);

  as_unrolled_forward (net, T, 1, x0, lambda, tape);
  for (guint t = 0; t <= T; t++)
    {
      memcpy (p->codes + (gsize) t * m, as_unrolled_tape_get_codes (tape, t), sizeof (double) * m);
      p->supports[t] = as_lasso_support_size (m, p->codes + (gsize) t * m);
    }
  for (guint t = 1; t <= T; t++)
    {
      p->steps[t - 1] = snap->steps[t - 1];
      p->thresholds[t - 1] = lambda * snap->thresholds[t - 1];
      if (slista)
        gradient_step_point (n, m, D, x0, p->codes + (gsize) (t - 1) * m, snap->steps[t - 1], r,
                             p->inputs + (gsize) (t - 1) * m);
    }
  return p;
}

static gboolean
make_dictionary (const AsTeachingConfig *cfg, AsRng *rng, double *D, GError **error)
{
  switch (cfg->dictionary)
    {
    case AS_TEACHING_DICTIONARY_GAUSSIAN:
      as_simulate_dictionary_sphere (rng, cfg->n, cfg->m, D);
      return TRUE;
    case AS_TEACHING_DICTIONARY_FOURIER:
      return as_simulate_dictionary_fourier (rng, cfg->n, cfg->m, D, error);
    case AS_TEACHING_DICTIONARY_COHERENCE:
      return as_simulate_dictionary_coherence (rng, cfg->n, cfg->m, cfg->coherence, D, error);
    default:
      g_assert_not_reached ();
    }
}

static gboolean
teaching_work (AsJob *job, gpointer user_data, GError **error)
{
  Work *w = user_data;
  const AsTeachingConfig *cfg = &w->cfg;
  guint n = cfg->n, m = cfg->m, N = cfg->n_signals;
  g_autofree double *D = g_new (double, (gsize) n * m);
  g_autofree double *Z = g_new0 (double, (gsize) N * m);
  g_autofree double *X = g_new (double, (gsize) N * n);
  g_autofree double *Zstar = g_new0 (double, (gsize) N * m);
  g_autofree double *Fstar = g_new (double, N);
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (GArray) inv_ls_met = g_array_new (FALSE, FALSE, sizeof (double));
  AsUnrolledTrainer *trainers[AS_TEACHING_N_LEARNED] = { NULL };
  gboolean ok = TRUE;
  AsRng rng;

  if (n < 1 || m < 2 || N < 1 || cfg->n_iterations < 1
      || !(cfg->lambda_fraction > 0 && cfg->lambda_fraction < 1))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Teaching problem: n, m, the number of signals and iterations must be "
                     "positive and λ strictly between 0 and λ_max (got λ = %g λ_max)"),
                   cfg->lambda_fraction);
      return FALSE;
    }

  /* 1. The problem, on the equiregularization set (Ablin et al. 2019). */
  as_job_set_progress (job, 0.0, _("Drawing the problem"));
  as_rng_init (&rng, cfg->seed);
  if (!make_dictionary (cfg, &rng, D, error))
    return FALSE;
  if (cfg->rho > 0)
    as_simulate_codes_bernoulli_gaussian (&rng, N, m, cfg->rho, 1.0, Z);
  as_simulate_signals_equireg (&rng, n, m, D, N, cfg->rho > 0 ? Z : NULL, cfg->noise, X);
  lasso = as_lasso_new (n, m, D, N, X, cfg->lambda_fraction, FALSE);
  as_lasso_set_lambda_fraction (lasso, cfg->lambda_fraction);
  w->current->pub.lambda = as_lasso_get_lambda (lasso);
  w->current->pub.lipschitz = as_lasso_lipschitz (lasso);
  w->current->pub.coherence = as_metrics_mutual_coherence (n, m, D);

  as_job_set_progress (job, 0.02, _("Solving the reference problem"));
  if (!as_lasso_solve_reference (lasso, Zstar, 1e-13, 100000, error))
    return FALSE;
  {
    g_autofree double *ils = g_new (double, N);
    for (guint i = 0; i < N; i++)
      {
        Fstar[i] = as_lasso_objective (lasso, i, Zstar + (gsize) i * m);
        ils[i] = 1.0 / as_lasso_support_lipschitz (lasso, Zstar + (gsize) i * m);
      }
    set_bytes (&w->current->solution, &w->current->pub.solution, NULL,
               g_bytes_new (Zstar, sizeof (double) * m));
    set_bytes (&w->current->inv_ls_solution, &w->current->pub.inv_ls_solution,
               &w->current->pub.n_inv_ls_solution, g_bytes_new_take (g_steal_pointer (&ils),
                                                                     sizeof (double) * N));
  }
  w->current->pub.solution_support = as_lasso_support_size (m, Zstar);
  w->current->pub.problem_ready = TRUE;
  publish (job, w);

  /* 2. Classical solvers, one after the other, each published when done. */
  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    {
      as_job_set_progress (job, 0.05 + 0.15 * k / AS_TEACHING_N_CLASSICAL,
                           _("Running the classical solvers"));
      if (!run_classical (job, w, lasso, Fstar, k, inv_ls_met, error))
        {
          if (error != NULL && *error != NULL)
            return FALSE;
          publish (job, w);
          return TRUE;
        }
      if (k == AS_TEACHING_ORACLE_ISTA)
        {
          gsize len = inv_ls_met->len * sizeof (double);
          set_bytes (&w->current->inv_ls_met, &w->current->pub.inv_ls_met,
                     &w->current->pub.n_inv_ls_met,
                     g_bytes_new (inv_ls_met->data, len));
        }
      publish (job, w);
    }

  /* 3. Learning: every selected network one epoch at a time, in turn. */
  if (cfg->n_epochs > 0 && cfg->learned_mask != 0)
    {
      for (guint k = 0; k < AS_TEACHING_N_LEARNED && ok; k++)
        {
          AsUnrolledTrainConfig tc;
          g_autoptr (GError) local = NULL;

          if (!(cfg->learned_mask & (1u << k)))
            continue;
          if (!as_job_check (job))
            {
              ok = FALSE;
              break;
            }
          as_job_set_progress (job, 0.2, _("Preparing the training sets"));
          learned_config (cfg, (AsUnrolledKind) k, n, m, &tc);
          {
            AsUnrolledTrainer *donor = NULL;

            for (guint d = 0; d < k && donor == NULL; d++)
              donor = trainers[d];
            trainers[k] = as_unrolled_trainer_new_sharing (&tc, D, donor, &local);
          }
          if (trainers[k] == NULL)
            w->current->pub.learned_error[k] = g_strdup (local->message);
        }

      gint64 learn_start = g_get_monotonic_time ();

      for (guint epoch = 0; epoch < cfg->n_epochs && ok; epoch++)
        {
          for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
            {
              g_autoptr (GError) local = NULL;
              AsUnrolledSnapshot *snap;

              if (trainers[k] == NULL)
                continue;
              if (!as_job_check (job))
                {
                  ok = FALSE;
                  break;
                }
              if (!as_unrolled_trainer_train (trainers[k], 1, NULL, &local))
                {
                  g_free (w->current->pub.learned_error[k]);
                  w->current->pub.learned_error[k] = g_strdup (local->message);
                  g_clear_pointer (&trainers[k], as_unrolled_trainer_unref);
                  continue;
                }
              snap = as_unrolled_trainer_snapshot (trainers[k]);
              g_clear_pointer (&w->current->pub.learned[k], as_unrolled_snapshot_unref);
              w->current->pub.learned[k] = snap;
              path_unref (w->current->pub.learned_path[k]);
              w->current->pub.learned_path[k] = learned_path (snap, X, w->current->pub.lambda);
            }
          as_job_set_progress (job, 0.2 + 0.8 * (epoch + 1) / cfg->n_epochs, _("Training"));
          if (ok)
            {
              w->current->pub.learning_epoch = epoch + 1;
              w->current->pub.learning_seconds = (g_get_monotonic_time () - learn_start) * 1e-6;
            }
          publish (job, w);
        }
      for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
        g_clear_pointer (&trainers[k], as_unrolled_trainer_unref);
    }
  w->current->pub.learning_done = ok;
  publish (job, w);
  return TRUE;
}

AsJob *
as_teaching_job_new (const AsTeachingConfig *config)
{
  Work *w = g_new0 (Work, 1);

  g_return_val_if_fail (config != NULL, NULL);
  w->cfg = *config;
  w->cfg.n_recorded = MIN (w->cfg.n_recorded, w->cfg.n_iterations);
  w->current = g_atomic_rc_box_new0 (Snapshot);
  w->current->pub.config = w->cfg;
  return as_job_new ("teaching", teaching_work, w, work_free,
                     (AsJobRefFunc) as_teaching_snapshot_ref,
                     (GDestroyNotify) as_teaching_snapshot_unref);
}

/* ---------------------------------------------------------------- CSV */

static void
put_cell (FILE *f, gboolean have, double v)
{
  if (have && isfinite (v))
    fprintf (f, ",%.10g", v);
  else
    fputs (",", f);
}

gboolean
as_teaching_write_csv (const AsTeachingSnapshot *s, const char *path, gboolean overwrite,
                       GError **error)
{
  AsOutput *out;
  FILE *f;
  guint rows = 0;
  /* The networks share one test set (same seed): its ISTA/FISTA baselines once. */
  const AsUnrolledSnapshot *base = NULL;

  g_return_val_if_fail (s != NULL && path != NULL, FALSE);
  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  f = as_output_get_stream (out);

  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    if (s->classical[k] != NULL)
      rows = MAX (rows, s->classical[k]->n_points);
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    if (s->learned[k] != NULL)
      {
        rows = MAX (rows, MAX (s->learned[k]->n_layers + 1, s->learned[k]->n_epochs + 1));
        if (base == NULL)
          base = s->learned[k];
      }
  rows = MAX (rows, s->n_inv_ls_solution);

  /* Column names are identifiers, not prose: they stay untranslated. */
  fputs ("t", f);
  for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
    fprintf (f, ",%s_gap_mean,%s_gap_median,%s_time_s", as_teaching_classical_to_string (k),
             as_teaching_classical_to_string (k), as_teaching_classical_to_string (k));
  for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
    {
      const char *name = as_unrolled_kind_to_string ((AsUnrolledKind) k);
      fprintf (f, ",%s_layer_gap_mean,%s_layer_gap_median,%s_step,%s_threshold_over_lambda,"
               "%s_coupling,%s_train_loss_epoch", name, name, name, name, name, name);
    }
  fputs (",learned_test_ista_gap_mean,learned_test_fista_gap_mean,inv_lipschitz_support_solution\n", f);

  for (guint t = 0; t < rows; t++)
    {
      fprintf (f, "%u", t);
      for (guint k = 0; k < AS_TEACHING_N_CLASSICAL; k++)
        {
          const AsTeachingPath *p = s->classical[k];
          gboolean have = p != NULL && t < p->n_points;
          put_cell (f, have, have ? p->gap_mean[t] : 0);
          put_cell (f, have, have ? p->gap_median[t] : 0);
          put_cell (f, have, have ? p->time[t] : 0);
        }
      for (guint k = 0; k < AS_TEACHING_N_LEARNED; k++)
        {
          const AsUnrolledSnapshot *u = s->learned[k];
          gboolean layer = u != NULL && t <= u->n_layers;
          gboolean param = u != NULL && t >= 1 && t <= u->n_layers;
          /* Row t of the loss column is epoch t (1-based), row 0 empty. */
          gboolean epoch = u != NULL && t >= 1 && t <= u->n_epochs;
          put_cell (f, layer, layer ? u->gap_mean[t] : 0);
          put_cell (f, layer, layer ? u->gap_median[t] : 0);
          put_cell (f, param, param ? u->steps[t - 1] : 0);
          put_cell (f, param, param ? u->thresholds[t - 1] : 0);
          put_cell (f, param && u->coupling != NULL, param && u->coupling ? u->coupling[t - 1] : 0);
          put_cell (f, epoch, epoch ? u->train_loss[t - 1] : 0);
        }
      {
        gboolean have = base != NULL && t <= base->n_baseline;
        put_cell (f, have, have ? base->ista_gap_mean[t] : 0);
        put_cell (f, have, have ? base->fista_gap_mean[t] : 0);
        /* 1/L_S over supp z* of test signal t (docs/maths.md, oracle ISTA). */
        put_cell (f, t < s->n_inv_ls_solution, t < s->n_inv_ls_solution ? s->inv_ls_solution[t] : 0);
      }
      fputs ("\n", f);
    }
  if (ferror (f))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_IO, _("%s: could not write the curves"), path);
      as_output_abort (out);
      return FALSE;
    }
  return as_output_commit (out, error);
}
