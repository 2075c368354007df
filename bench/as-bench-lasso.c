/* as-bench-lasso.c: throughput and time-to-tolerance of the Lasso solvers.
 *
 * Baseline: the GFLOP/s of one large square DGEMM on this machine, measured in
 * the same run with the same BLAS threads.  Batched FISTA costs two DGEMMs
 * per iteration, 4·N·n·m flops (N × m by m × n, then N × n by n × m); the rest
 * (thresholding, momentum) is O(N·m) and is what keeps it below the baseline.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-bench-lasso"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "as-bench-lasso.h"
#include "as-bench-peer.h"
#include "as-npy.h"
#include "as-engine.h"
#include "as-lasso.h"
#include "as-simulate.h"
#include "as-solver.h"

void
as_bench_lasso_params_init (AsBenchLassoParams *p)
{
  memset (p, 0, sizeof *p);
  p->n = 64;
  p->m = 256;
  p->n_signals = 10000;
  p->subset = 500;
  p->lambda_fraction = 0.1;
  p->tol = 1e-8;
  p->dgemm_size = 2000;
  p->throughput_iterations = 50;
  p->max_iter = 5000;
  p->seed = 0;
}

double
as_bench_dgemm_rate (guint s)
{
  g_autofree double *A = g_new (double, (gsize) s * s);
  g_autofree double *B = g_new (double, (gsize) s * s);
  g_autofree double *C = g_new0 (double, (gsize) s * s);
  double best = G_MAXDOUBLE;
  AsRng rng;

  as_rng_init (&rng, 1);
  as_rng_normal_fill (&rng, A, (gsize) s * s);
  as_rng_normal_fill (&rng, B, (gsize) s * s);
  /* One warm-up call (thread pool start, page faults), then best of 3. */
  for (int rep = 0; rep < 4; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();

      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s, s, s, 1.0, A, s, B, s, 0.0, C, s);
      if (rep > 0)
        best = MIN (best, (g_get_monotonic_time () - t0) * 1e-6);
    }
  return 2.0 * s * (double) s * s / best * 1e-9;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Steps until every signal has gap ≤ tol (or max_iter), checking every
 * `every` iterations.  A signal's time is the solver's time for the batch
 * when the signal first met the tolerance, divided by the batch size: the
 * amortised cost of running that many iterations on one signal.  Coordinate
 * descent and FISTA can retire the signals that converged (they are no longer
 * stepped) and polish supports (as_solver_set_support_polish).  Returns the solver
 * time per signal until the last one converged (∞ if one never did). */
static double
time_to_tolerance (FILE *out, AsLasso *lasso, AsSolverKind kind, gboolean restart, double tol,
                   guint max_iter, guint every, gboolean retire, guint polish)
{
  g_autoptr (AsSolver) solver = as_solver_new (lasso, kind, restart);
  guint N = as_lasso_get_n_signals (lasso);
  g_autofree double *gap = g_new (double, N);
  g_autofree double *iters = g_new (double, N);
  g_autofree double *times = g_new (double, N);
  guint n_done = 0;
  gint64 check_us = 0;
  g_autofree char *name = g_strdup_printf ("%s%s%s%s", as_solver_kind_to_string (kind),
                                           restart ? "+restart" : "",
                                           polish ? "+polish" : "", retire ? "+retire" : "");

  as_solver_set_support_polish (solver, polish);
  for (guint i = 0; i < N; i++)
    iters[i] = times[i] = INFINITY;
  while (n_done < N && as_solver_get_iteration (solver) < max_iter)
    {
      for (guint k = 0; k < every; k++)
        as_solver_step (solver);
      if (retire)
        {
          /* Retirement checks the solver's own O(m) gap, timed with the
           * solver (as a user's run would be); the iteration counts below
           * are those at retirement. */
          gint64 t0 = g_get_monotonic_time ();
          guint before = N - n_done;
          guint active = as_solver_retire_by_own_gap (solver, tol);

          check_us += g_get_monotonic_time () - t0;
          if (active < before)
            {
              for (guint i = 0, k = 0; i < N && k < before - active; i++)
                if (iters[i] == INFINITY && as_solver_is_retired (solver, i))
                  {
                    iters[i] = as_solver_get_iteration (solver);
                    times[i] = (as_solver_get_elapsed (solver) + check_us * 1e-6) / N;
                    n_done++;
                    k++;
                  }
            }
          continue;
        }
      as_solver_evaluate (solver, NULL, gap, NULL);
      for (guint i = 0; i < N; i++)
        if (iters[i] == INFINITY && gap[i] <= tol)
          {
            iters[i] = as_solver_get_iteration (solver);
            times[i] = as_solver_get_elapsed (solver) / N;
            n_done++;
          }
    }
  if (retire)
    {
      /* The retired signals, checked with the independent gap. */
      guint ok = 0;

      as_solver_evaluate (solver, NULL, gap, NULL);
      for (guint i = 0; i < N; i++)
        ok += gap[i] <= tol;
      if (ok < n_done)
        fprintf (out, _("  (%u of the %u retired signals are above gap %g by the independent check)\n"),
                 n_done - ok, n_done, tol);
      n_done = MIN (n_done, ok);
    }
  qsort (iters, N, sizeof (double), compare_double);
  qsort (times, N, sizeof (double), compare_double);
  /* Medians and 90th percentiles are over all signals: a signal that never
   * got there counts as infinitely slow. */
  fprintf (out, _("  %-22s %5u/%-5u %8.0f %8.0f %10.1f %10.1f %10.3f\n"),
           name, n_done, N, iters[N / 2], iters[(guint) (0.9 * (N - 1))],
           times[N / 2] * 1e6, times[(guint) (0.9 * (N - 1))] * 1e6,
           as_solver_get_elapsed (solver) + check_us * 1e-6);
  fflush (out);
  return n_done == N ? (as_solver_get_elapsed (solver) + check_us * 1e-6) / N : INFINITY;
}

/* scikit-learn's Lasso on the same signals, one at a time; fills the time
 * per signal (mean over those that reached tol, and the count of them). */
static gboolean
run_sklearn (const AsBenchLassoParams *p, const double *D, const double *X, guint N,
             double *mean_time, double *median_time, guint *n_reached, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp ("atomscope-bench-XXXXXX", error);
  g_autofree char *dpath = NULL, *xpath = NULL, *text = NULL;
  g_autofree char *lam = g_strdup_printf ("%.17g", p->lambda_fraction);
  g_autofree char *tol = g_strdup_printf ("%.17g", p->tol);
  gsize dshape[2] = { p->n, p->m }, xshape[2] = { N, p->n };
  const char *args[] = { NULL, lam, tol, NULL };
  g_autofree double *t = g_new (double, N);
  guint count = 0;
  double sum = 0.0;

  if (dir == NULL)
    return FALSE;
  dpath = g_build_filename (dir, "D.npy", NULL);
  xpath = g_build_filename (dir, "X.npy", NULL);
  args[0] = dir;
  /* λ is λ_fraction·λ_max with λ_max = ‖Dᵀx‖_∞ = 1 on the equiregularization set. */
  if (as_npy_write (dpath, D, 2, dshape, TRUE, error) && as_npy_write (xpath, X, 2, xshape, TRUE, error))
    text = as_bench_peer_run ("lasso-peer.py", p->peer_dir, 1, args, error);
  g_remove (dpath);
  g_remove (xpath);
  g_rmdir (dir);
  if (text == NULL)
    return FALSE;
  {
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_auto (GStrv) w = g_strsplit (g_strstrip (lines[i]), " ", -1);

        if (g_strv_length (w) != 4)
          continue;
        if (g_ascii_strtod (w[2], NULL) <= p->tol)
          {
            t[count++] = g_ascii_strtod (w[1], NULL);
            sum += g_ascii_strtod (w[1], NULL);
          }
      }
  }
  *n_reached = count;
  *mean_time = count ? sum / count : NAN;
  qsort (t, count, sizeof (double), compare_double);
  *median_time = count ? t[count / 2] : NAN;
  return TRUE;
}

/* Best GFLOP/s of batched FISTA or ISTA over blocks of 10 iterations. */
static double
solver_rate (AsLasso *lasso, AsSolverKind kind, guint iterations)
{
  g_autoptr (AsSolver) solver = as_solver_new (lasso, kind, FALSE);
  double flops = 4.0 * as_lasso_get_n_signals (lasso) * (double) as_lasso_get_n (lasso)
                 * as_lasso_get_m (lasso) * 10;
  double best = 0.0;

  as_solver_step (solver);   /* the first step is special (y = z) and warms up */
  for (guint b = 0; b < MAX (iterations / 10, 1); b++)
    {
      double t0 = as_solver_get_elapsed (solver);

      for (int k = 0; k < 10; k++)
        as_solver_step (solver);
      best = MAX (best, flops / (as_solver_get_elapsed (solver) - t0) * 1e-9);
    }
  return best;
}

gboolean
as_bench_lasso_run (const AsBenchLassoParams *p, FILE *out, gboolean *goals_met_out, GError **error)
{
  gboolean goals_met = TRUE;

  if (p->peer_dir != NULL && !g_file_test (p->peer_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("The peer folder “%s” does not exist"), p->peer_dir);
      return FALSE;
    }
  AsSimulateParams sim;
  g_autofree double *D = NULL, *X = NULL;
  double dgemm_rate;
  guint subset = MIN (p->subset, p->n_signals);

  if (p->n == 0 || p->m == 0 || p->n_signals == 0 || subset == 0 || p->dgemm_size == 0
      || !(p->tol > 0.0) || !(p->lambda_fraction > 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, "%s",
                   _("The benchmark sizes, tolerance and λ fraction must be positive"));
      return FALSE;
    }

  fprintf (out, _("Lasso benchmark: n = %u, m = %u, %u signals, λ = %g·λ_max, %d BLAS thread(s)\n"),
           p->n, p->m, p->n_signals, p->lambda_fraction, as_engine_get_blas_threads ());
  {
    /* Other work on the machine skews every figure: say how busy it was. */
    g_autofree char *load = NULL;

    if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
      fprintf (out, _("Load average (1, 5, 15 min) at start: %.14s on %u processor(s)\n"),
               g_strstrip (load), g_get_num_processors ());
  }
  dgemm_rate = 0.0;

  /* Ablin et al. 2019's setting: D uniform on the sphere, x = x̃/‖Dᵀx̃‖_∞, x̃ ~ N(0, I). */
  as_simulate_params_init (&sim);
  sim.n = p->n;
  sim.m = p->m;
  sim.n_signals = p->n_signals;
  sim.rho = 0.0;
  sim.seed = p->seed;
  if (!as_simulate_problem (&sim, &D, &X, NULL, error))
    return FALSE;

  /* The machine is shared: alternate baseline and solver measurements and
   * keep the best of each, so that a burst of load hits both alike.  Measured
   * with one BLAS thread and with all of them: on a busy machine the
   * multi-threaded figures are the less reliable. */
  {
    g_autoptr (AsLasso) lasso = as_lasso_new (p->n, p->m, D, p->n_signals, X,
                                              p->lambda_fraction, FALSE);
    int all_threads = as_engine_get_blas_threads ();
    int counts[2] = { 1, all_threads };

    fprintf (out, "%s\n", _("Throughput of the solver steps (4·N·n·m flops per iteration, best block "
                             "of 10 iterations) against the DGEMM baseline (best of 12):"));
    for (int c = 0; c < (p->quick ? 0 : all_threads > 1 ? 2 : 1); c++)
      {
        int threads = counts[c];
        double fista = 0.0, ista = 0.0;

        as_engine_set_blas_threads (threads);
        dgemm_rate = 0.0;
        for (int round = 0; round < 3; round++)
          {
            dgemm_rate = MAX (dgemm_rate, as_bench_dgemm_rate (p->dgemm_size));
            fista = MAX (fista, solver_rate (lasso, AS_SOLVER_FISTA, p->throughput_iterations));
            ista = MAX (ista, solver_rate (lasso, AS_SOLVER_ISTA, p->throughput_iterations));
          }
        fprintf (out, _("  %d BLAS thread(s): DGEMM %u × %u × %u at %.2f GFLOP/s\n"),
                 threads, p->dgemm_size, p->dgemm_size, p->dgemm_size, dgemm_rate);
        fprintf (out, _("    batched FISTA  %7.2f GFLOP/s = %5.1f%% of DGEMM (%.2f ms per iteration)\n"),
                 fista, 100.0 * fista / dgemm_rate, 4.0 * p->n_signals * p->n * p->m / fista * 1e-6);
        fprintf (out, _("    batched ISTA   %7.2f GFLOP/s = %5.1f%% of DGEMM (%.2f ms per iteration)\n"),
                 ista, 100.0 * ista / dgemm_rate, 4.0 * p->n_signals * p->n * p->m / ista * 1e-6);
        fflush (out);
      }
    as_engine_set_blas_threads (all_threads);
  }

  fprintf (out, _("Time to duality gap %g on %u signals, 1 BLAS thread (solver time only; gap "
                  "checked every 10 iterations for the gradient methods, every 5 epochs for CD; "
                  "per-signal time = batch time at that point / %u):\n"), p->tol, subset, subset);
  fprintf (out, "  %-22s %11s %8s %8s %10s %10s %10s\n", _("solver"), _("reached"), _("it. med"),
           _("it. p90"), _("µs med"), _("µs p90"), _("batch s"));
  {
    g_autoptr (AsLasso) lasso = as_lasso_new (p->n, p->m, D, subset, X, p->lambda_fraction, FALSE);
    int all_threads = as_engine_get_blas_threads ();
    double t_cd, t_fista, sk_mean = NAN, sk_median = NAN;
    guint sk_reached = 0;

    as_engine_set_blas_threads (1);
    if (!p->quick)
      {
        time_to_tolerance (out, lasso, AS_SOLVER_ISTA, FALSE, p->tol, p->max_iter, 10, FALSE, 0);
        time_to_tolerance (out, lasso, AS_SOLVER_FISTA, FALSE, p->tol, p->max_iter, 10, FALSE, 0);
        time_to_tolerance (out, lasso, AS_SOLVER_FISTA, TRUE, p->tol, p->max_iter, 10, FALSE, 0);
      }
    t_fista = time_to_tolerance (out, lasso, AS_SOLVER_FISTA, TRUE, p->tol, p->max_iter, 10, TRUE, 5);
    if (!p->quick)
      {
        time_to_tolerance (out, lasso, AS_SOLVER_ORACLE_ISTA, FALSE, p->tol, p->max_iter, 10, FALSE, 0);
        time_to_tolerance (out, lasso, AS_SOLVER_CD, FALSE, p->tol, p->max_iter, 5, FALSE, 0);
      }
    t_cd = time_to_tolerance (out, lasso, AS_SOLVER_CD, FALSE, p->tol, p->max_iter, 5, TRUE, 5);
    if (!p->quick)
      time_to_tolerance (out, lasso, AS_SOLVER_GREEDY_CD, FALSE, p->tol, p->max_iter, 5, TRUE, 5);
    as_engine_set_blas_threads (all_threads);

    if (p->peer_dir != NULL)
      {
        const double goal = 5.0;

        if (!run_sklearn (p, D, X, subset, &sk_mean, &sk_median, &sk_reached, error))
          return FALSE;
        fprintf (out, _("scikit-learn Lasso (cyclic CD, one signal per fit, 1 thread): %u/%u signals "
                        "reached gap %g; mean %.1f µs, median %.1f µs per signal\n"),
                 sk_reached, subset, p->tol, sk_mean * 1e6, sk_median * 1e6);
        {
          g_autofree char *head = g_strdup_printf (_("Per signal, all signals to gap %g (batch time / %u) "
                                                     "against scikit-learn's mean (goal ≥ %g×):\n"),
                                                   p->tol, subset, goal);
          g_autofree char *cd = g_strdup_printf (_("  cd+polish+retire   %8.1f µs  %6.2f×\n"),
                                                 t_cd * 1e6, sk_mean / t_cd);
          g_autofree char *fista = g_strdup_printf (_("  fista+restart+polish+retire %8.1f µs  %6.2f×\n"),
                                                    t_fista * 1e6, sk_mean / t_fista);
          fputs (head, out);
          fputs (cd, out);
          fputs (fista, out);
        }
        if (!(sk_mean / t_cd >= goal && sk_mean / t_fista >= goal && sk_reached == subset))
          goals_met = FALSE;
      }
  }
  if (goals_met_out != NULL)
    *goals_met_out = goals_met;
  return TRUE;
}
