/* test-lasso.c: Lasso solvers, simulators and recovery metrics (issue 3).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <glib.h>

#include "as-hungarian.h"
#include "as-lasso.h"
#include "as-metrics.h"
#include "as-simulate.h"
#include "as-solver.h"

/* A simulated problem: D uniform on the sphere, Bernoulli–Gaussian codes,
 * signals with noise on the equiregularization set, λ = fraction (λ_max = 1). */
static AsLasso *
make_problem (guint64 seed, guint n, guint m, guint N, double rho, double fraction,
              gboolean positive)
{
  AsRng rng;
  g_autofree double *D = g_new (double, (gsize) n * m);
  g_autofree double *Z = g_new (double, (gsize) N * m);
  g_autofree double *X = g_new (double, (gsize) N * n);

  as_rng_init (&rng, seed);
  as_simulate_dictionary_sphere (&rng, n, m, D);
  as_simulate_codes_bernoulli_gaussian (&rng, N, m, rho, 1.0, Z);
  if (positive)
    for (gsize k = 0; k < (gsize) N * m; k++)
      Z[k] = fabs (Z[k]);
  as_simulate_signals_equireg (&rng, n, m, D, N, rho > 0.0 ? Z : NULL, 0.1, X);
  return as_lasso_new (n, m, D, N, X, fraction, positive);
}

static double *
reference (AsLasso *lasso)
{
  g_autoptr (GError) error = NULL;
  guint N = as_lasso_get_n_signals (lasso), m = as_lasso_get_m (lasso);
  double *Z = g_new0 (double, (gsize) N * m);

  g_assert_true (as_lasso_solve_reference (lasso, Z, 1e-12, 100000, &error));
  g_assert_no_error (error);
  return Z;
}

/* --- problem measures --- */

static void
test_problem_measures (void)
{
  g_autoptr (AsLasso) lasso = make_problem (1, 15, 40, 4, 0.1, 0.3, FALSE);
  guint n = 15, m = 40;
  const double *D = as_lasso_get_dictionary (lasso);
  g_autofree double *G = g_new (double, m * m);
  g_autofree double *z = g_new (double, m);
  AsRng rng;
  double L;

  /* L by power iteration against a dense eigensolver on DᵀD. */
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, n, 1.0, D, m, D, m, 0.0, G, m);
  L = as_lasso_lipschitz (lasso);
  g_assert_cmpfloat_with_epsilon (L, as_lasso_top_eigenvalue (G, m), 1e-10 * L);

  /* Equiregularization: λ_max = 1 for every signal. */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (as_lasso_lambda_max (lasso, i), 1.0, 1e-12);

  /* The gap is a bound: non-negative anywhere, and F(z) − F(z*) ≤ gap(z). */
  as_rng_init (&rng, 7);
  {
    g_autofree double *Zs = reference (lasso);

    for (int trial = 0; trial < 20; trial++)
      {
        guint i = trial % 4;
        double Fstar = as_lasso_objective (lasso, i, Zs + i * m);

        for (guint j = 0; j < m; j++)
          z[j] = as_rng_uniform (&rng) < 0.2 ? 0.3 * as_rng_normal (&rng) : 0.0;
        g_assert_cmpfloat (as_lasso_duality_gap (lasso, i, z), >=, 0.0);
        g_assert_cmpfloat (as_lasso_objective (lasso, i, z) - Fstar, <=,
                           as_lasso_duality_gap (lasso, i, z) + 1e-12);
        g_assert_cmpfloat (as_lasso_kkt_violation (lasso, i, z), >, 1e-6);
        /* L_S ≤ L for any support. */
        g_assert_cmpfloat (as_lasso_support_lipschitz (lasso, z), <=, L * (1 + 1e-12));
      }
  }

  /* L_S against a direct construction. */
  {
    guint S[3] = { 3, 17, 29 };
    double sub[9];

    for (int p = 0; p < 3; p++)
      for (int q = 0; q < 3; q++)
        sub[p * 3 + q] = G[S[p] * m + S[q]];
    memset (z, 0, sizeof (double) * m);
    z[3] = 1; z[17] = -2; z[29] = 0.5;
    g_assert_cmpfloat_with_epsilon (as_lasso_support_lipschitz (lasso, z),
                                    as_lasso_top_eigenvalue (sub, 3), 1e-12);
    memset (z, 0, sizeof (double) * m);
    g_assert_cmpfloat_with_epsilon (as_lasso_support_lipschitz (lasso, z), L, 1e-12);
  }
}

/* --- every solver, one optimum --- */

static void
check_solvers_agree (AsLasso *lasso)
{
  const guint m = as_lasso_get_m (lasso), N = as_lasso_get_n_signals (lasso);
  gboolean positive = as_lasso_get_positive (lasso);
  g_autofree double *Zs = reference (lasso);

  g_assert_cmpuint (m, <=, 50);

  for (guint i = 0; i < N; i++)
    {
      const double *zs = Zs + i * m;
      double F = as_lasso_objective (lasso, i, zs);
      AsRng rng;

      g_assert_cmpfloat (as_lasso_duality_gap (lasso, i, zs), <=, 1e-12 * F);
      g_assert_cmpfloat (as_lasso_kkt_violation (lasso, i, zs), <=, 1e-8);
      g_assert_cmpuint (as_lasso_support_size (m, zs), >, 0);
      /* Independent of the gap: no small move lowers F. */
      as_rng_init (&rng, i);
      for (int trial = 0; trial < 50; trial++)
        {
          double zp[50];

          for (guint j = 0; j < m; j++)
            zp[j] = zs[j] + 1e-4 * as_rng_normal (&rng);
          if (positive)
            for (guint j = 0; j < m; j++)
              zp[j] = MAX (zp[j], 0.0);
          g_assert_cmpfloat (as_lasso_objective (lasso, i, zp), >=, F - 1e-14);
        }
    }

  for (guint k = 0; k < AS_SOLVER_N_KINDS; k++)
    for (int restart = 0; restart <= (k == AS_SOLVER_FISTA); restart++)
      {
        g_autoptr (AsSolver) solver = as_solver_new (lasso, k, restart);
        g_autoptr (GError) error = NULL;
        const double *Z;
        gboolean ok = as_solver_run (solver, 1e-11, 50000, 1, NULL, &error);

        g_test_message ("%s%s: %u iterations", as_solver_kind_to_string (k),
                        restart ? " (restart)" : "", as_solver_get_iteration (solver));
        g_assert_no_error (error);
        g_assert_true (ok);
        Z = as_solver_get_codes (solver);
        for (guint i = 0; i < N; i++)
          {
            const double *z = Z + i * m, *zs = Zs + i * m;
            double F = as_lasso_objective (lasso, i, z), Fs = as_lasso_objective (lasso, i, zs);
            double dist = 0.0;

            g_assert_cmpfloat (as_lasso_duality_gap (lasso, i, z), <=, 1e-11);
            g_assert_cmpfloat (as_lasso_kkt_violation (lasso, i, z), <=, 1e-4);
            g_assert_cmpfloat (fabs (F - Fs), <=, 1e-10);
            for (guint j = 0; j < m; j++)
              {
                dist = MAX (dist, fabs (z[j] - zs[j]));
                if (positive)
                  g_assert_cmpfloat (z[j], >=, 0.0);
              }
            g_assert_cmpfloat (dist, <=, 1e-3);
          }
      }
}

static void
test_solvers_agree_signed (void)
{
  g_autoptr (AsLasso) lasso = make_problem (10, 20, 50, 6, 0.1, 0.2, FALSE);

  check_solvers_agree (lasso);
}

static void
test_solvers_agree_positive (void)
{
  g_autoptr (AsLasso) lasso = make_problem (11, 20, 50, 6, 0.1, 0.2, TRUE);

  check_solvers_agree (lasso);
}

/* The adversarial Fourier dictionary of Moreau & Bruna 2017. */
static void
test_solvers_agree_fourier (void)
{
  AsSimulateParams p;
  g_autofree double *D = NULL, *X = NULL, *Z = NULL;
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (GError) error = NULL;

  as_simulate_params_init (&p);
  p.n = 16;
  p.m = 40;
  p.n_signals = 5;
  p.rho = 0.1;
  p.dictionary = AS_SIMULATE_DICTIONARY_FOURIER;
  p.seed = 14;
  g_assert_true (as_simulate_problem (&p, &D, &X, &Z, &error));
  g_assert_no_error (error);
  lasso = as_lasso_new (p.n, p.m, D, p.n_signals, X, 0.15, FALSE);
  g_assert_cmpfloat_with_epsilon (as_lasso_lipschitz (lasso), (double) p.m / p.n, 1e-10);
  check_solvers_agree (lasso);
}

static void
test_lambda_max (void)
{
  const guint m = 40, N = 3;
  g_autoptr (AsLasso) lasso = make_problem (3, 12, m, N, 0.2, 1.0, FALSE);
  g_autofree double *Zs = NULL;

  /* λ = λ_max = 1 (equiregularization): z = 0 is optimal, gap exactly 0. */
  as_lasso_set_lambda (lasso, 1.0 + 1e-12);
  Zs = reference (lasso);
  for (guint i = 0; i < N * m; i++)
    g_assert_cmpfloat (Zs[i], ==, 0.0);
  for (guint k = 0; k < AS_SOLVER_N_KINDS; k++)
    {
      g_autoptr (AsSolver) solver = as_solver_new (lasso, k, FALSE);

      for (int t = 0; t < 5; t++)
        as_solver_step (solver);
      for (guint i = 0; i < N * m; i++)
        g_assert_cmpfloat (as_solver_get_codes (solver)[i], ==, 0.0);
    }
  {
    double zero[40] = { 0 };

    g_assert_cmpfloat (as_lasso_duality_gap (lasso, 0, zero), <=, 1e-15);
    g_assert_cmpfloat (as_lasso_kkt_violation (lasso, 0, zero), ==, 0.0);
    /* Just below λ_max, 0 is no longer optimal. */
    as_lasso_set_lambda (lasso, 0.99);
    g_assert_cmpfloat (as_lasso_kkt_violation (lasso, 0, zero), >, 0.009);
    g_assert_cmpfloat (as_lasso_duality_gap (lasso, 0, zero), >, 0.0);
  }
}

/* --- Ablin et al. 2019's setting: m = 256, n = 64 --- */

static guint
first_below (const double *curve, guint T, double level)
{
  for (guint t = 0; t < T; t++)
    if (curve[t] <= level)
      return t;
  return G_MAXUINT;
}

static void
test_seed_setting_rates (void)
{
  const guint n = 64, m = 256, N = 10, T = 400;
  g_autoptr (AsLasso) lasso = make_problem (4, n, m, N, 0.0, 0.1, FALSE);
  g_autofree double *Zs = reference (lasso);
  g_autofree double *Fs = g_new (double, N);
  double *sub[4] = { NULL };
  AsSolverKind kinds[4] = { AS_SOLVER_ISTA, AS_SOLVER_FISTA, AS_SOLVER_FISTA, AS_SOLVER_ORACLE_ISTA };
  gboolean restarts[4] = { FALSE, FALSE, TRUE, FALSE };
  AsSolverTrace *traces[4] = { NULL };

  for (guint i = 0; i < N; i++)
    Fs[i] = as_lasso_objective (lasso, i, Zs + i * m);
  for (int s = 0; s < 4; s++)
    {
      g_autoptr (AsSolver) solver = as_solver_new (lasso, kinds[s], restarts[s]);
      const double *F;

      traces[s] = as_solver_trace_new (N);
      as_solver_trace_record (traces[s], solver);
      for (guint t = 0; t < T; t++)
        {
          as_solver_step (solver);
          as_solver_trace_record (traces[s], solver);
        }
      /* Mean relative suboptimality curve. */
      F = as_solver_trace_get_objectives (traces[s]);
      sub[s] = g_new0 (double, T + 1);
      for (guint t = 0; t <= T; t++)
        for (guint i = 0; i < N; i++)
          sub[s][t] += (F[t * N + i] - Fs[i]) / Fs[i] / N;
    }

  /* FISTA (with or without restart) reaches every level in at most twice
   * ISTA's iterations plus a constant (ISTA's count is censored at T when it
   * does not get there: FISTA must then reach the level within T). */
  for (double level = 1e-2; level >= 1e-6; level /= 10)
    {
      guint ti = first_below (sub[0], T + 1, level);

      for (int s = 1; s <= 2; s++)
        {
          guint tf = first_below (sub[s], T + 1, level);

          g_test_message ("level %g: ISTA %u, FISTA%s %u", level, ti, s == 2 ? "+restart" : "", tf);
          g_assert_cmpuint (tf, !=, G_MAXUINT);
          if (ti != G_MAXUINT)
            g_assert_cmpuint (tf, <=, 2 * ti + 5);
        }
    }
  /* Oracle ISTA is never above ISTA, signal by signal. */
  {
    const double *Fi = as_solver_trace_get_objectives (traces[0]);
    const double *Fo = as_solver_trace_get_objectives (traces[3]);

    const double *steps = as_solver_trace_get_steps (traces[3]);
    const guint *supp = as_solver_trace_get_supports (traces[3]);
    double inv_L = 1.0 / as_lasso_lipschitz (lasso);
    guint n_long = 0;

    for (guint t = 0; t <= T; t++)
      for (guint i = 0; i < N; i++)
        {
          g_assert_cmpfloat (Fo[t * N + i], <=, Fi[t * N + i] + 1e-13 * Fs[i]);
          if (t == 0)
            continue;
          /* Majorisation–minimisation: F never goes up; a 1/L_S step is only
           * taken when the support does not grow. */
          g_assert_cmpfloat (Fo[t * N + i], <=, Fo[(t - 1) * N + i] + 1e-13 * Fs[i]);
          if (steps[t * N + i] > inv_L * (1 + 1e-12))
            {
              n_long++;
              g_assert_cmpuint (supp[t * N + i], <=, supp[(t - 1) * N + i]);
            }
        }
    g_assert_cmpuint (n_long, >, T * N / 2);
  }
  for (int s = 0; s < 4; s++)
    {
      g_free (sub[s]);
      as_solver_trace_free (traces[s]);
    }
}

static void
test_oracle_ista_small (void)
{
  const guint n = 10, m = 50;
  AsRng rng;
  double D[10 * 50], x[10];
  guint iters[2];
  double last_step = 0.0, LS_star = 0.0;
  guint64 seed = 5;

  as_rng_init (&rng, seed);
  as_simulate_dictionary_sphere (&rng, n, m, D);
  as_simulate_signals_equireg (&rng, n, m, D, 1, NULL, 1.0, x);
  {
    g_autoptr (AsLasso) lasso = as_lasso_new (n, m, D, 1, x, 0.5, FALSE);

    for (int s = 0; s < 2; s++)
      {
        g_autoptr (AsSolver) solver = as_solver_new (lasso, s == 0 ? AS_SOLVER_ISTA
                                                                   : AS_SOLVER_ORACLE_ISTA, FALSE);
        g_autoptr (GError) error = NULL;

        g_autoptr (AsSolverTrace) trace = as_solver_trace_new (1);

        g_assert_true (as_solver_run (solver, 1e-10, 100000, 1, trace, &error));
        iters[s] = as_solver_get_iteration (solver);
        if (s == 1)
          {
            guint T = as_solver_trace_get_length (trace);
            const double *steps = as_solver_trace_get_steps (trace);

            last_step = as_solver_get_last_step (solver, 0);
            LS_star = as_lasso_support_lipschitz (lasso, as_solver_get_codes (solver));
            /* Settled: the last 20 steps are all 1/L_S of the final support. */
            g_assert_cmpuint (T, >, 21);
            for (guint t = T - 20; t < T; t++)
              g_assert_cmpfloat_with_epsilon (steps[t], 1.0 / LS_star, 1e-12 / LS_star);
          }
      }
    g_test_message ("ISTA %u iterations, oracle ISTA %u; last step %g, 1/L_S %g, 1/L %g",
                    iters[0], iters[1], last_step, 1.0 / LS_star, 1.0 / as_lasso_lipschitz (lasso));
    /* "About a third": well under half of ISTA's iterations. */
    g_assert_cmpfloat ((double) iters[1], <=, 0.5 * iters[0]);
    g_assert_cmpfloat ((double) iters[1], >=, 0.1 * iters[0]);
    g_assert_cmpfloat_with_epsilon (last_step, 1.0 / LS_star, 1e-12 / LS_star);
    g_assert_cmpfloat (LS_star, <, 0.9 * as_lasso_lipschitz (lasso));
  }
}

/* --- stepping and traces --- */

static void
test_trace_consistency (void)
{
  const guint m = 30, N = 3;
  g_autoptr (AsLasso) lasso = make_problem (6, 12, m, N, 0.1, 0.2, FALSE);
  g_autoptr (AsSolver) solver = as_solver_new (lasso, AS_SOLVER_FISTA, TRUE);
  g_autoptr (AsSolverTrace) trace = as_solver_trace_new (N);
  g_autoptr (GError) error = NULL;
  AsSolverKind kind;

  as_solver_run (solver, 0.0, 20, 1, trace, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (as_solver_trace_get_length (trace), ==, 21);
  g_assert_cmpuint (as_solver_trace_get_iterations (trace)[20], ==, 20);
  for (guint i = 0; i < N; i++)
    {
      const double *z = as_solver_get_codes (solver) + i * m;

      g_assert_cmpfloat_with_epsilon (as_solver_trace_get_objectives (trace)[20 * N + i],
                                      as_lasso_objective (lasso, i, z), 1e-12);
      g_assert_cmpfloat_with_epsilon (as_solver_trace_get_gaps (trace)[20 * N + i],
                                      as_lasso_duality_gap (lasso, i, z), 1e-12);
      g_assert_cmpuint (as_solver_trace_get_supports (trace)[20 * N + i], ==,
                        as_lasso_support_size (m, z));
      g_assert_cmpfloat (as_solver_trace_get_steps (trace)[20 * N + i], ==,
                         1.0 / as_lasso_lipschitz (lasso));
    }
  for (guint t = 1; t < 21; t++)
    g_assert_cmpfloat (as_solver_trace_get_times (trace)[t], >=, as_solver_trace_get_times (trace)[t - 1]);

  for (guint k = 0; k < AS_SOLVER_N_KINDS; k++)
    {
      g_assert_true (as_solver_kind_from_string (as_solver_kind_to_string (k), &kind));
      g_assert_cmpint (kind, ==, k);
    }
  g_assert_false (as_solver_kind_from_string ("lista", &kind));
}

/* A stopped job stops as_solver_run before its first step. */
static gboolean
stopped_work (AsJob *job, gpointer user_data, GError **error)
{
  AsSolver *solver = user_data;

  as_solver_set_job (solver, job);
  as_job_stop (job);
  g_assert_false (as_solver_run (solver, 0.0, 1000, 1, NULL, error));
  g_assert_cmpuint (as_solver_get_iteration (solver), ==, 0);
  as_solver_set_job (solver, NULL);
  return TRUE;
}

static void
test_job_stop (void)
{
  g_autoptr (AsLasso) lasso = make_problem (13, 10, 20, 2, 0.1, 0.2, FALSE);
  g_autoptr (AsSolver) solver = as_solver_new (lasso, AS_SOLVER_CD, FALSE);
  g_autoptr (AsJob) job = as_job_new ("lasso", stopped_work, solver, NULL,
                                      (AsJobRefFunc) g_bytes_ref, (GDestroyNotify) g_bytes_unref);
  g_autoptr (GError) error = NULL;

  as_job_run_sync (job, &error);
  g_assert_no_error (error);
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_STOPPED);
  /* Without a job, the same call runs. */
  g_assert_false (as_solver_run (solver, 0.0, 7, 1, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (as_solver_get_iteration (solver), ==, 7);
}

/* --- simulators --- */

static void
test_simulators (void)
{
  AsRng rng;
  const guint n = 16, m = 48, N = 2000;
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *Z = g_new (double, N * m);
  g_autofree double *X = g_new (double, N * n);
  g_autoptr (GError) error = NULL;
  double mean_on = 0.0, var = 0.0;
  gsize on = 0;

  as_rng_init (&rng, 8);
  as_simulate_dictionary_sphere (&rng, n, m, D);
  for (guint j = 0; j < m; j++)
    g_assert_cmpfloat_with_epsilon (cblas_dnrm2 (n, D + j, m), 1.0, 1e-14);
  as_simulate_codes_bernoulli_gaussian (&rng, N, m, 0.1, 3.0, Z);
  for (gsize k = 0; k < (gsize) N * m; k++)
    if (Z[k] != 0.0)
      {
        on++;
        mean_on += Z[k];
        var += Z[k] * Z[k];
      }
  /* ρ = 0.1 over 96 000 draws: ± 5σ is ± 0.005; σ² = 9 within 5%. */
  g_assert_cmpfloat (fabs ((double) on / (N * m) - 0.1), <, 0.005);
  g_assert_cmpfloat (fabs (var / on - 9.0), <, 0.45);
  g_assert_cmpfloat (fabs (mean_on / on), <, 0.15);

  as_simulate_signals_equireg (&rng, n, m, D, N, Z, 0.01, X);
  {
    g_autoptr (AsLasso) lasso = as_lasso_new (n, m, D, N, X, 0.1, FALSE);

    for (guint i = 0; i < N; i += 97)
      g_assert_cmpfloat_with_epsilon (as_lasso_lambda_max (lasso, i), 1.0, 1e-12);
  }

  /* Fourier: orthogonal rows, DDᵀ = (m/n) I, so L = m/n. */
  g_assert_true (as_simulate_dictionary_fourier (&rng, n, m, D, &error));
  g_assert_no_error (error);
  {
    double G[16 * 16];

    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, m, 1.0, D, m, D, m, 0.0, G, n);
    for (guint a = 0; a < n; a++)
      for (guint b = 0; b < n; b++)
        g_assert_cmpfloat_with_epsilon (G[a * n + b], a == b ? (double) m / n : 0.0, 1e-10);
  }
  g_assert_false (as_simulate_dictionary_fourier (&rng, 20, 20, D, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* Chosen coherence. */
  g_assert_true (as_simulate_dictionary_coherence (&rng, n, m, 0.9, D, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (as_metrics_mutual_coherence (n, m, D), 0.9, 1e-8);
  for (guint j = 0; j < m; j++)
    g_assert_cmpfloat_with_epsilon (cblas_dnrm2 (n, D + j, m), 1.0, 1e-14);
  g_assert_false (as_simulate_dictionary_coherence (&rng, n, m, 0.01, D, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* A whole problem without noise: the codes are scaled with their signals,
   * so X = Z Dᵀ exactly, and every signal is on the equiregularization set. */
  {
    AsSimulateParams p;
    g_autofree double *D2 = NULL, *X2 = NULL, *Z2 = NULL;
    double XZ[5 * 16];

    as_simulate_params_init (&p);
    p.n = 16;
    p.m = 48;
    p.n_signals = 5;
    p.rho = 0.2;
    p.noise = 0.0;
    p.seed = 15;
    g_assert_true (as_simulate_problem (&p, &D2, &X2, &Z2, &error));
    g_assert_no_error (error);
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, 5, 16, 48, 1.0, Z2, 48, D2, 48, 0.0, XZ, 16);
    for (guint k = 0; k < 5 * 16; k++)
      g_assert_cmpfloat_with_epsilon (XZ[k], X2[k], 1e-12);
    {
      g_autoptr (AsLasso) lasso = as_lasso_new (16, 48, D2, 5, X2, 0.1, FALSE);

      for (guint i = 0; i < 5; i++)
        g_assert_cmpfloat_with_epsilon (as_lasso_lambda_max (lasso, i), 1.0, 1e-12);
    }
  }
}

/* --- metrics --- */

static double
brute_force (const double *score, guint r, guint c, guint i, guint8 *used)
{
  double best = -INFINITY;

  if (i == r)
    return 0.0;
  /* When rows outnumber columns, a row may stay unmatched. */
  if (r > c)
    {
      guint free_cols = 0;

      for (guint j = 0; j < c; j++)
        free_cols += !used[j];
      if (free_cols < r - i)
        best = brute_force (score, r, c, i + 1, used);
    }
  for (guint j = 0; j < c; j++)
    if (!used[j])
      {
        double v;

        used[j] = 1;
        v = score[i * c + j] + brute_force (score, r, c, i + 1, used);
        used[j] = 0;
        best = MAX (best, v);
      }
  return best;
}

static void
test_hungarian (void)
{
  AsRng rng;
  const guint sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 3 }, { 5, 5 }, { 7, 7 }, { 3, 6 }, { 6, 3 }, { 4, 7 }, { 7, 2 } };

  as_rng_init (&rng, 9);
  for (gsize s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (int trial = 0; trial < 20; trial++)
      {
        guint r = sizes[s][0], c = sizes[s][1];
        double score[49], total, check = 0.0;
        guint assign[7], n_assigned = 0;
        guint8 used[7] = { 0 };

        for (guint k = 0; k < r * c; k++)
          score[k] = trial % 2 ? as_rng_normal (&rng) : (double) as_rng_below (&rng, 4);
        total = as_hungarian_maximize (score, r, c, assign);
        for (guint i = 0; i < r; i++)
          if (assign[i] != G_MAXUINT)
            {
              g_assert_cmpuint (assign[i], <, c);
              g_assert_false (used[assign[i]]);
              used[assign[i]] = 1;
              check += score[i * c + assign[i]];
              n_assigned++;
            }
        g_assert_cmpuint (n_assigned, ==, MIN (r, c));
        g_assert_cmpfloat_with_epsilon (total, check, 1e-12);
        memset (used, 0, sizeof used);
        g_assert_cmpfloat_with_epsilon (total, brute_force (score, r, c, 0, used), 1e-12);
      }
}

static void
test_recovery_score (void)
{
  const guint n = 20, m = 30;
  AsRng rng;
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *E = g_new (double, n * m);
  guint perm[30], assign[30];
  double previous = 1.0;

  as_rng_init (&rng, 10);
  as_simulate_dictionary_sphere (&rng, n, m, D);
  for (guint j = 0; j < m; j++)
    perm[j] = j;
  as_rng_shuffle (&rng, perm, m);
  for (guint r = 0; r < n; r++)
    for (guint j = 0; j < m; j++)
      E[r * m + perm[j]] = (j % 3 == 0 ? -1.0 : 1.0) * D[r * m + j];
  g_assert_cmpfloat_with_epsilon (as_metrics_dictionary_recovery (n, m, D, m, E, assign), 1.0, 1e-12);
  for (guint j = 0; j < m; j++)
    g_assert_cmpuint (assign[j], ==, perm[j]);

  for (double noise = 0.05; noise < 1.0; noise *= 2)
    {
      g_autofree double *F = g_memdup2 (E, sizeof (double) * n * m);
      double score;

      for (guint k = 0; k < n * m; k++)
        F[k] += noise * as_rng_normal (&rng);
      score = as_metrics_dictionary_recovery (n, m, D, m, F, NULL);
      g_test_message ("noise %g: score %g", noise, score);
      g_assert_cmpfloat (score, <, previous);
      previous = score;
    }

  /* Support recovery: counts by hand. */
  {
    double zt[6] = { 1, 0, 2, 0, 0, 3 }, ze[6] = { 0.5, 0, 0, 1e-12, 4, 1 };
    AsSupportRecovery sr = as_metrics_support_recovery (6, zt, ze, 1e-9);

    g_assert_cmpuint (sr.true_positives, ==, 2);
    g_assert_cmpfloat_with_epsilon (sr.precision, 2.0 / 3.0, 1e-15);
    g_assert_cmpfloat_with_epsilon (sr.recall, 2.0 / 3.0, 1e-15);
  }
  /* Mutual coherence of a hand-made dictionary. */
  {
    double d[2 * 3] = { 1, 0, 0.6, 0, 1, 0.8 };
    g_assert_cmpfloat_with_epsilon (as_metrics_mutual_coherence (2, 3, d), 0.8, 1e-15);
  }
}

static void
test_marchenko_pastur (void)
{
  /* Gaussian D as in Ablin et al. 2019 (L_S/L does not depend on the scale); the
   * average over 3 dictionaries × 10 supports keeps the Tracy–Widom spread of
   * the top eigenvalues (a few % at these sizes, biased low) inside 5%. */
  const guint n = 250, m = 1000, k = 50, n_dict = 3, n_supp = 10;
  g_autofree double *D = g_new (double, (gsize) n * m);
  double ratio = 0.0, predicted = as_metrics_marchenko_pastur_ratio (n, m, k);
  guint idx[1000];

  for (guint d = 0; d < n_dict; d++)
    {
      g_autoptr (AsLasso) lasso = NULL;
      AsRng rng;
      double L;

      as_rng_init (&rng, 100 + d);
      as_rng_normal_fill (&rng, D, (gsize) n * m);
      lasso = as_lasso_new (n, m, D, 0, NULL, 0.1, FALSE);
      L = as_lasso_lipschitz (lasso);
      for (guint r = 0; r < n_supp; r++)
        {
          for (guint j = 0; j < m; j++)
            idx[j] = j;
          as_rng_shuffle (&rng, idx, m);
          ratio += as_lasso_support_lipschitz_indices (lasso, idx, k) / L / (n_dict * n_supp);
        }
    }
  g_test_message ("L_S/L = %g, Marchenko-Pastur %g", ratio, predicted);
  g_assert_cmpfloat (fabs (ratio / predicted - 1.0), <, 0.05);
}

/* Coordinate descent with support polish and retirement (Ablin et al. 2019's setting,
 * where supports nearly fill the signal dimension and plain cyclic CD crawls):
 * every signal reaches a duality gap of 1e-10 (checked independently of the
 * solver's own bookkeeping by the gap at its codes), well before plain CD
 * does, and a retired signal's codes no longer move. */
static void
test_cd_polish_retire (void)
{
  AsSimulateParams sim;
  g_autofree double *D = NULL, *X = NULL;
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (AsSolver) plain = NULL;
  g_autoptr (AsSolver) fast = NULL;
  const guint N = 40, m = 128;
  g_autofree double *gap = g_new (double, N);
  g_autofree double *frozen = g_new (double, N * m);
  guint it = 0, active = N, plain_done = 0;
  const double tol = 1e-10;

  as_simulate_params_init (&sim);
  sim.n = 32;
  sim.m = m;
  sim.n_signals = N;
  sim.rho = 0.0;
  sim.seed = 3;
  g_assert_true (as_simulate_problem (&sim, &D, &X, NULL, NULL));
  lasso = as_lasso_new (32, m, D, N, X, 0.1, FALSE);
  fast = as_solver_new (lasso, AS_SOLVER_CD, FALSE);
  plain = as_solver_new (lasso, AS_SOLVER_CD, FALSE);
  as_solver_set_support_polish (fast, 5);
  while (active > 0 && it < 2000)
    {
      for (guint k = 0; k < 5; k++, it++)
        as_solver_step (fast);
      /* Alternately the independent gap and the solver's own O(m) one. */
      if (it % 10 == 0)
        {
          as_solver_evaluate (fast, NULL, gap, NULL);
          active = as_solver_retire_converged (fast, gap, tol);
        }
      else
        active = as_solver_retire_by_own_gap (fast, tol);
    }
  g_assert_cmpuint (active, ==, 0);
  g_test_message ("CD + polish: every signal at gap ≤ %g after %u epochs", tol, it);
  memcpy (frozen, as_solver_get_codes (fast), sizeof (double) * N * m);
  as_solver_step (fast);
  g_assert_cmpmem (frozen, sizeof (double) * N * m, as_solver_get_codes (fast), sizeof (double) * N * m);
  as_solver_evaluate (fast, NULL, gap, NULL);
  for (guint i = 0; i < N; i++)
    g_assert_cmpfloat (gap[i], <=, tol);
  /* Plain CD for as many epochs leaves signals behind. */
  for (guint k = 0; k < it; k++)
    as_solver_step (plain);
  as_solver_evaluate (plain, NULL, gap, NULL);
  for (guint i = 0; i < N; i++)
    plain_done += gap[i] <= tol;
  g_test_message ("plain CD after %u epochs: %u of %u signals at gap ≤ %g", it, plain_done, N, tol);
  g_assert_cmpuint (plain_done, <, N);
}

/* FISTA with restart, support polish and retirement on the same setting:
 * every signal reaches a duality gap of 1e-10 by the independent check at its
 * codes, the KKT conditions hold, a retired signal's codes no longer move
 * while the others are still stepped (gathered blocks), and plain FISTA with
 * restart is still short of it after as many iterations. */
static void
test_fista_polish_retire (void)
{
  AsSimulateParams sim;
  g_autofree double *D = NULL, *X = NULL;
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (AsSolver) plain = NULL;
  g_autoptr (AsSolver) fast = NULL;
  const guint N = 300, n = 32, m = 128;
  g_autofree double *gap = g_new (double, N);
  g_autofree double *frozen = g_new (double, N * m);
  guint it = 0, active = N, plain_done = 0, frozen_id = G_MAXUINT;
  const double tol = 1e-10;

  as_simulate_params_init (&sim);
  sim.n = n;
  sim.m = m;
  sim.n_signals = N;
  sim.rho = 0.0;
  sim.seed = 5;
  g_assert_true (as_simulate_problem (&sim, &D, &X, NULL, NULL));
  lasso = as_lasso_new (n, m, D, N, X, 0.1, FALSE);
  fast = as_solver_new (lasso, AS_SOLVER_FISTA, TRUE);
  plain = as_solver_new (lasso, AS_SOLVER_FISTA, TRUE);
  as_solver_set_support_polish (fast, 10);
  while (active > 0 && it < 5000)
    {
      for (guint k = 0; k < 10; k++, it++)
        as_solver_step (fast);
      active = as_solver_retire_by_own_gap (fast, tol);
      if (frozen_id == G_MAXUINT && active > 0 && active < N)
        {
          /* The first signal retired while others are still stepped. */
          for (guint i = 0; i < N && frozen_id == G_MAXUINT; i++)
            if (as_solver_is_retired (fast, i))
              frozen_id = i;
          memcpy (frozen, as_solver_get_codes (fast) + (gsize) frozen_id * m, sizeof (double) * m);
        }
    }
  g_assert_cmpuint (active, ==, 0);
  g_assert_cmpuint (frozen_id, !=, G_MAXUINT);
  g_assert_cmpmem (frozen, sizeof (double) * m, as_solver_get_codes (fast) + (gsize) frozen_id * m,
                   sizeof (double) * m);
  g_test_message ("FISTA + restart + polish: every signal at gap ≤ %g after %u iterations", tol, it);
  as_solver_evaluate (fast, NULL, gap, NULL);
  for (guint i = 0; i < N; i++)
    {
      g_assert_cmpfloat (gap[i], <=, tol);
      g_assert_cmpfloat (as_lasso_kkt_violation (lasso, i, as_solver_get_codes (fast) + (gsize) i * m),
                         <, 1e-4);
    }
  for (guint k = 0; k < it; k++)
    as_solver_step (plain);
  as_solver_evaluate (plain, NULL, gap, NULL);
  for (guint i = 0; i < N; i++)
    plain_done += gap[i] <= tol;
  g_test_message ("plain FISTA + restart after %u iterations: %u of %u signals at gap ≤ %g",
                  it, plain_done, N, tol);
  g_assert_cmpuint (plain_done, <, N);
}

/* Coordinate descent is a descent method, and so is its polish, whether it
 * lands on the face's minimiser or stops where a sign would flip (the
 * active-set step): F never goes up from one epoch to the next. */
static void
test_cd_polish_descent (void)
{
  AsSimulateParams sim;
  g_autofree double *D = NULL, *X = NULL;
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (AsSolver) cd = NULL;
  const guint N = 60, m = 128;
  g_autofree double *F = g_new (double, N);
  g_autofree double *prev = g_new (double, N);

  as_simulate_params_init (&sim);
  sim.n = 32;
  sim.m = m;
  sim.n_signals = N;
  sim.rho = 0.0;
  sim.seed = 11;
  g_assert_true (as_simulate_problem (&sim, &D, &X, NULL, NULL));
  lasso = as_lasso_new (32, m, D, N, X, 0.1, FALSE);
  cd = as_solver_new (lasso, AS_SOLVER_CD, FALSE);
  as_solver_set_support_polish (cd, 1);
  as_solver_evaluate (cd, prev, NULL, NULL);
  for (guint it = 0; it < 80; it++)
    {
      as_solver_step (cd);
      as_solver_evaluate (cd, F, NULL, NULL);
      for (guint i = 0; i < N; i++)
        {
          g_assert_cmpfloat (F[i], <=, prev[i] + 1e-12 * fabs (prev[i]));
          prev[i] = F[i];
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lasso/problem-measures", test_problem_measures);
  g_test_add_func ("/lasso/solvers-agree/signed", test_solvers_agree_signed);
  g_test_add_func ("/lasso/solvers-agree/positive", test_solvers_agree_positive);
  g_test_add_func ("/lasso/solvers-agree/fourier", test_solvers_agree_fourier);
  g_test_add_func ("/lasso/lambda-max", test_lambda_max);
  g_test_add_func ("/lasso/seed-setting-rates", test_seed_setting_rates);
  g_test_add_func ("/lasso/oracle-ista-small", test_oracle_ista_small);
  g_test_add_func ("/lasso/cd-polish-retire", test_cd_polish_retire);
  g_test_add_func ("/lasso/fista-polish-retire", test_fista_polish_retire);
  g_test_add_func ("/lasso/cd-polish-descent", test_cd_polish_descent);
  g_test_add_func ("/lasso/trace", test_trace_consistency);
  g_test_add_func ("/lasso/job-stop", test_job_stop);
  g_test_add_func ("/lasso/simulators", test_simulators);
  g_test_add_func ("/lasso/hungarian", test_hungarian);
  g_test_add_func ("/lasso/recovery-score", test_recovery_score);
  g_test_add_func ("/lasso/marchenko-pastur", test_marchenko_pastur);
  return g_test_run ();
}
