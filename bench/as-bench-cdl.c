/* as-bench-cdl.c: the CDL benchmark (z-step, univariate CDL, rank-1 CDL, scale).
 *
 * With a peer folder the z-step problems are also solved by alphacsc's LGCD
 * (Dupré la Tour et al. 2018), run by Python in the same benchmark on the same
 * signals, atoms and λ, stopped by the same rule (largest coordinate change below
 * the same absolute tolerance); both final objectives are printed against the
 * optimum so the accuracy can be compared.  Ratio = peer time / our time (> 1: we
 * are faster).  No peer time is ever typed in here.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-bench"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "as-bench-cdl.h"
#include "as-cdl.h"
#include "as-cdl-sim.h"
#include "as-csc.h"
#include "as-npy.h"

void
as_bench_cdl_options_init (AsBenchCdlOptions *o)
{
  memset (o, 0, sizeof *o);
  o->scale_hours = 1.0;
  o->scale_iterations = 3;
}

static double
peak_rss_mib (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;   /* kilobytes on Linux */
}

/* ---- the peer: alphacsc's LGCD on the same problem ------------------------------ */

/* Loads X (P × T), u (K × P) and v (K × L) written by us, solves the z-step with
 * alphacsc's update_z_multi (solver "lgcd"; its tol is relative to std(X), so the
 * absolute tolerance is divided by it), keeps the best of @reps timed runs after
 * one untimed run that compiles its numba kernels, writes z and prints the time. */
static const char peer_script[] =
  "import sys, time, numpy as np\n"
  "from alphacsc.update_z_multi import update_z_multi\n"
  "d, lam, tol, reps = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])\n"
  "X = np.load(d + '/x.npy'); u = np.load(d + '/u.npy'); v = np.load(d + '/v.npy')\n"
  "D = np.c_[u, v]\n"
  "kw = dict(tol=tol / np.std(X), max_iter=1e15)\n"
  "update_z_multi(X[None], D, lam, solver='lgcd', solver_kwargs=kw, n_jobs=1)\n"
  "best = float('inf')\n"
  "for _ in range(reps):\n"
  "    t = time.perf_counter()\n"
  "    z = update_z_multi(X[None], D, lam, solver='lgcd', solver_kwargs=kw, n_jobs=1)[0]\n"
  "    best = min(best, time.perf_counter() - t)\n"
  "np.save(d + '/z.npy', np.ascontiguousarray(z[0], dtype=np.float64))\n"
  "print(repr(best))\n";

typedef struct
{
  const char *dir;      /* alphacsc's parent folder */
  const char *python;
  char       *work;     /* scratch folder for the arrays */
} Peer;

/* One peer run; returns its time in seconds (NAN on failure, reason in @error) and
 * its activations in @z (K × valid positions). */
static double
peer_zstep (Peer *peer, const AsCdlSimulation *sim, double lambda, double tol, guint reps,
            double *z, GError **error)
{
  const AsCscShape *s = &sim->shape;
  gsize shape_x[2] = { s->n_channels, s->width }, shape_u[2] = { s->n_atoms, s->n_channels };
  gsize shape_v[2] = { s->n_atoms, s->atom_width };
  g_autofree char *px = g_build_filename (peer->work, "x.npy", NULL);
  g_autofree char *pu = g_build_filename (peer->work, "u.npy", NULL);
  g_autofree char *pv = g_build_filename (peer->work, "v.npy", NULL);
  g_autofree char *pz = g_build_filename (peer->work, "z.npy", NULL);
  g_autofree char *cache = g_build_filename (peer->work, "numba-cache", NULL);
  char lam_s[G_ASCII_DTOSTR_BUF_SIZE], tol_s[G_ASCII_DTOSTR_BUF_SIZE], reps_s[16];
  const char *argv[] = { peer->python, "-c", peer_script, peer->work, lam_s, tol_s, reps_s, NULL };
  g_auto (GStrv) envp = g_get_environ ();
  g_autofree char *out = NULL, *err = NULL;
  AsNpyArray zr = { 0 };
  int status = 0;
  double t;

  g_ascii_dtostr (lam_s, sizeof lam_s, lambda);
  g_ascii_dtostr (tol_s, sizeof tol_s, tol);
  g_snprintf (reps_s, sizeof reps_s, "%u", reps);
  if (!as_npy_write (px, sim->x, 2, shape_x, TRUE, error)
      || !as_npy_write (pu, sim->u, 2, shape_u, TRUE, error)
      || !as_npy_write (pv, sim->v, 2, shape_v, TRUE, error))
    return NAN;
  /* One thread on both sides; numba caches its kernels in the scratch folder. */
  envp = g_environ_setenv (envp, "PYTHONPATH", peer->dir, TRUE);
  envp = g_environ_setenv (envp, "PYTHONDONTWRITEBYTECODE", "1", TRUE);
  envp = g_environ_setenv (envp, "NUMBA_CACHE_DIR", cache, TRUE);
  envp = g_environ_setenv (envp, "OPENBLAS_NUM_THREADS", "1", TRUE);
  envp = g_environ_setenv (envp, "OMP_NUM_THREADS", "1", TRUE);
  envp = g_environ_setenv (envp, "MKL_NUM_THREADS", "1", TRUE);
  envp = g_environ_setenv (envp, "NUMBA_NUM_THREADS", "1", TRUE);
  if (!g_spawn_sync (NULL, (char **) argv, envp, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, error))
    return NAN;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   _("the peer (alphacsc in %s, run by %s) failed: %s"), peer->dir, peer->python,
                   err != NULL ? g_strstrip (err) : "");
      return NAN;
    }
  t = g_ascii_strtod (out, NULL);
  if (!as_npy_read (pz, &zr, error))
    return NAN;
  if (zr.ndim != 2 || zr.shape[0] != s->n_atoms || zr.shape[1] != as_csc_n_valid (s))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   _("the peer returned activations of an unexpected shape"));
      as_npy_array_clear (&zr);
      return NAN;
    }
  memcpy (z, zr.data, sizeof (double) * s->n_atoms * as_csc_n_valid (s));
  as_npy_array_clear (&zr);
  return t > 0 ? t : NAN;
}

/* 1. z-step only on the true dictionary. */
static gboolean
bench_zstep (Peer *peer, FILE *out, GError **error)
{
  static const struct { guint P, T; } cases[] = { { 5, 6463 }, { 5, 64063 }, { 50, 6463 } };
  static const double fracs[3] = { 0.1, 0.3, 0.6 }, tols[2] = { 1e-3, 1e-6 };

  fprintf (out, "%s\n", _("1. z-step only (LGCD), true dictionary: 2 rank-1 atoms L=64, Bernoulli(5%) × U(0,1), σ=0.01"));
  fprintf (out, "%s\n", _("   both stop when the largest coordinate change is below tol × λmax (alphacsc: its tol × std(X));"));
  fprintf (out, "%s\n", _("   gap = (F − F*)/F*, F* from LGCD to 1e-10 λmax; time = best of 3 runs, correlations included"));
  fprintf (out, "   %-12s %-6s %-5s %9s %9s %9s %9s %8s %12s %6s\n", _("P × T"), _("λ/λmax"), _("tol"),
           _("ours (s)"), _("gap"), _("peer (s)"), _("peer gap"), _("ratio"), _("F*"), _("nnz"));
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      AsCdlSimParams sp;
      g_autoptr (AsCdlSimulation) sim = NULL;
      const AsCscShape *s;
      gsize zsz;

      as_cdl_sim_params_init (&sp);
      sp.n_trials = 1;
      sp.n_channels = cases[c].P;
      sp.n_times = cases[c].T;
      sp.n_atoms = 2;
      sp.atom_length = 64;
      sp.rate = 0.05;
      sp.noise_std = 0.01;
      sp.seed = 1;
      sim = as_cdl_simulate_signals (&sp);
      s = &sim->shape;
      zsz = s->n_atoms * as_csc_n_valid (s);
      for (guint f = 0; f < 3; f++)
        {
          double lmax = as_csc_lambda_max (s, NULL, sim->u, sim->v, sim->x, 1, TRUE);
          double lambda = fracs[f] * lmax, ref;
          g_autofree double *z = g_new0 (double, zsz), *zr = g_new0 (double, zsz);
          g_autofree double *zp = g_new0 (double, zsz);
          g_autoptr (GTimer) timer = g_timer_new ();

          /* Reference optimum: LGCD run to 1e-10 λ_max. */
          as_csc_solve_lgcd (s, sim->atoms, sim->u, sim->v, sim->x, 1, lambda, TRUE,
                             1e-10 * lmax, G_MAXUINT64, zr);
          ref = as_csc_objective (s, sim->atoms, sim->x, zr, 1, lambda);
          for (guint j = 0; j < 2; j++)
            {
              double t = G_MAXDOUBLE, obj, tp = NAN, objp = NAN;
              gsize nnz = 0;

              /* Timed: everything from the signal and the atoms (correlations included);
               * best of 3 runs, the machine is shared. */
              for (guint rep = 0; rep < 3; rep++)
                {
                  memset (z, 0, sizeof (double) * zsz);
                  g_timer_start (timer);
                  as_csc_solve_lgcd (s, sim->atoms, sim->u, sim->v, sim->x, 1, lambda, TRUE,
                                     tols[j] * lmax, G_MAXUINT64, z);
                  t = MIN (t, g_timer_elapsed (timer, NULL));
                }
              obj = as_csc_objective (s, sim->atoms, sim->x, z, 1, lambda);
              for (gsize i = 0; i < zsz; i++)
                nnz += z[i] != 0.0;
              if (peer != NULL)
                {
                  tp = peer_zstep (peer, sim, lambda, tols[j] * lmax, 3, zp, error);
                  if (isnan (tp))
                    return FALSE;
                  objp = as_csc_objective (s, sim->atoms, sim->x, zp, 1, lambda);
                }
              if (peer != NULL)
                fprintf (out, "   %3u × %-6u %-6.1f %-5.0e %9.4f %9.1e %9.4f %9.1e %7.1f× %12.8g %6zu\n",
                         cases[c].P, cases[c].T, fracs[f], tols[j], t, (obj - ref) / ref, tp,
                         (objp - ref) / ref, tp / t, ref, nnz);
              else
                fprintf (out, "   %3u × %-6u %-6.1f %-5.0e %9.4f %9.1e %9s %9s %8s %12.8g %6zu\n",
                         cases[c].P, cases[c].T, fracs[f], tols[j], t, (obj - ref) / ref, "–", "–",
                         "–", ref, nnz);
              fflush (out);
            }
        }
      /* Independent check of the reference on the smallest case: FISTA (FFTW). */
      if (c == 0)
        {
          double lmax = as_csc_lambda_max (s, NULL, sim->u, sim->v, sim->x, 1, TRUE);
          g_autofree double *z1 = g_new0 (double, zsz), *z2 = g_new0 (double, zsz);
          g_autoptr (GTimer) timer = g_timer_new ();
          double t1, t2, o1, o2;

          g_timer_start (timer);
          as_csc_solve_lgcd (s, sim->atoms, sim->u, sim->v, sim->x, 1, 0.1 * lmax, TRUE,
                             1e-9 * lmax, G_MAXUINT64, z1);
          t1 = g_timer_elapsed (timer, NULL);
          g_timer_start (timer);
          as_csc_fista (s, sim->atoms, sim->x, 0.1 * lmax, TRUE, 20000, 1e-13, z2);
          t2 = g_timer_elapsed (timer, NULL);
          o1 = as_csc_objective (s, sim->atoms, sim->x, z1, 1, 0.1 * lmax);
          o2 = as_csc_objective (s, sim->atoms, sim->x, z2, 1, 0.1 * lmax);
          fprintf (out, _("   check (P=5, T=6463, λ=0.1 λmax): LGCD to 1e-9 %.4f s → %.10g; FISTA %.4f s → %.10g (rel. diff %.1e)\n"),
                   t1, o1, t2, o2, (o2 - o1) / o1);
        }
    }
  return TRUE;
}

typedef struct
{
  guint    iterations;
  double   time;
  double   score;
} Reach;

/* Runs with budgets of 1, 2, … outer iterations (seeded, so reproducible) give the
 * recovery reached in a given learning time; the first to pass each threshold is reported. */
static void
time_to_recovery (const AsCdlSimulation *sim, const AsCdlParams *base, guint max_iter,
                  const double *thresholds, Reach *reach, guint n_thr, gboolean rank1,
                  double *best_score, double *full_time)
{
  const AsCscShape *s = &sim->shape;
  g_autoptr (AsCdlModel) full = NULL;
  AsCdlParams p = *base;

  for (guint i = 0; i < n_thr; i++)
    reach[i] = (Reach) { 0, NAN, NAN };
  p.max_iter = max_iter;
  p.tol = 0;
  full = as_cdl_learn (sim->x, sim->n_trials, s->n_channels, 1, s->width, &p, NULL, NULL, NULL);
  *full_time = g_array_index (full->trace, AsCdlTracePoint, full->trace->len - 1).time;
  *best_score = 0;
  for (guint m = 1; m <= max_iter; m++)
    {
      g_autoptr (AsCdlModel) part = NULL;
      double score, t;

      p.max_iter = m;
      part = as_cdl_learn (sim->x, sim->n_trials, s->n_channels, 1, s->width, &p, NULL, NULL, NULL);
      score = as_cdl_recovery_score (s->n_channels, 1, s->atom_width, sim->atoms, s->n_atoms,
                                     part->atoms, part->shape.n_atoms, !p.positive);
      /* The run's own learning time (its greedy schedule depends on its budget). */
      t = g_array_index (part->trace, AsCdlTracePoint, part->trace->len - 1).time;
      *best_score = MAX (*best_score, score);
      for (guint i = 0; i < n_thr; i++)
        if (reach[i].iterations == 0 && score >= thresholds[i])
          reach[i] = (Reach) { m, t, score };
    }
  (void) rank1;
}

/* 2. Univariate CDL. */
static void
bench_univariate (FILE *out)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  const double thr[2] = { 0.992, 0.9999 };
  Reach reach[2];
  double best, full_time;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 100;
  sp.n_channels = 1;
  sp.n_times = 512;
  sp.n_atoms = 2;
  sp.atom_length = 64;
  sp.activations = AS_CDL_ACTIVATIONS_ONE_PER_TRIAL;
  sp.noise_std = 0.01;
  sp.seed = 4;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 64;
  p.rank1 = FALSE;
  p.lambda = 0.1;
  p.lambda_absolute = TRUE;
  p.seed = 2;
  time_to_recovery (sim, &p, 40, thr, reach, 2, FALSE, &best, &full_time);
  fprintf (out, "\n%s\n", _("2. Univariate CDL: 100 trials × 512, K=2, L=64 (triangle, square), one occurrence per trial, σ=0.01, λ=0.1"));
  for (guint i = 0; i < 2; i++)
    {
      if (reach[i].iterations > 0)
        fprintf (out, _("   recovery ≥ %.4f: %.4f after %u iterations in %.3f s\n"),
                 thr[i], reach[i].score, reach[i].iterations, reach[i].time);
      else
        fprintf (out, _("   recovery ≥ %.4f: not reached in 40 iterations (best %.5f)\n"),
                 thr[i], best);
    }
  fprintf (out, _("   40 iterations: %.3f s, best recovery %.5f\n"), full_time, best);
}

/* 3. Rank-1 CDL. */
static void
bench_rank1 (FILE *out)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  const double thr[1] = { 0.986 };
  Reach reach[1];
  double best, full_time;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 10;
  sp.n_channels = 5;
  sp.n_times = 703;
  sp.n_atoms = 2;
  sp.atom_length = 64;
  sp.rate = 0.05;
  sp.noise_std = 0.01;
  sp.seed = 3;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 64;
  p.rank1 = TRUE;
  p.lambda = 0.1;
  p.seed = 1;
  time_to_recovery (sim, &p, 40, thr, reach, 1, TRUE, &best, &full_time);
  fprintf (out, "\n%s\n", _("3. Rank-1 CDL: 10 trials, P=5, 640 valid samples, K=2, L=64, λ=0.1 λmax (Bernoulli 5%, σ=0.01)"));
  if (reach[0].iterations > 0)
    fprintf (out, _("   recovery ≥ %.3f: %.4f after %u iterations in %.3f s\n"),
             thr[0], reach[0].score, reach[0].iterations, reach[0].time);
  else
    fprintf (out, _("   recovery ≥ %.3f: not reached in 40 iterations (best %.4f)\n"),
             thr[0], best);
  fprintf (out, _("   40 iterations: %.3f s, best recovery %.4f\n"), full_time, best);
}

/* 4. Scale: an hour of 64 channels at 256 Hz, K=10 rank-1 atoms of 0.5 s. */
static void
bench_scale (const AsBenchCdlOptions *o, FILE *out)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  double rss_sim, prev = 0.0;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 1;
  sp.n_channels = 64;
  sp.n_times = (guint) (o->scale_hours * 3600 * 256);
  sp.n_atoms = 10;
  sp.atom_length = 128;
  sp.rate = 0.5 / 256;     /* about one occurrence per atom every 2 s */
  sp.noise_std = 0.01;
  sp.seed = 5;
  fprintf (out, "\n");
  fprintf (out, _("4. Scale: %.2f h of 64 channels at 256 Hz (%u samples), K=10 rank-1 atoms of 0.5 s (128 samples)\n"),
           o->scale_hours, sp.n_times);
  fflush (out);
  sim = as_cdl_simulate_signals (&sp);
  rss_sim = peak_rss_mib ();
  as_cdl_params_init (&p);
  p.n_atoms = 10;
  p.atom_length = 128;
  p.rank1 = TRUE;
  p.init = AS_CDL_INIT_CHUNK;   /* all atoms from the start: every iteration is full size */
  p.max_iter = o->scale_iterations;
  p.tol = 0;
  p.sort_atoms = FALSE;
  p.seed = 1;
  m = as_cdl_learn (sim->x, 1, 64, 1, sp.n_times, &p, NULL, NULL, &error);
  if (m == NULL)
    {
      fprintf (out, "   %s\n", error->message);
      return;
    }
  for (guint i = 0; i < m->trace->len; i++)
    {
      const AsCdlTracePoint *tp = &g_array_index (m->trace, AsCdlTracePoint, i);
      if (tp->iteration == 0)
        {
          fprintf (out, _("   initialisation (λmax, statistics): %.2f s\n"), tp->time);
          prev = tp->time;
          continue;
        }
      fprintf (out, _("   iteration %u, %s-step: %.2f s (objective %.6g)\n"), tp->iteration,
               tp->half == 0 ? "z" : "D", tp->time - prev, tp->objective);
      prev = tp->time;
    }
  fprintf (out, _("   mean time per outer iteration: %.2f s (goal < 30 s)\n"),
           (prev - g_array_index (m->trace, AsCdlTracePoint, 0).time) / MAX (1u, m->iteration));
  fprintf (out, _("   peak memory: %.0f MiB in all, %.0f MiB after simulating the data (goal < 2048 MiB)\n"),
           peak_rss_mib (), rss_sim);
  fprintf (out, _("   recovery after %u iterations: %.3f\n"), m->iteration,
           as_cdl_recovery_score (64, 1, 128, sim->atoms, 10, m->atoms, m->shape.n_atoms, FALSE));
}

/* The peer's scratch folder: our arrays, its activations and numba's cache. */
static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }
  g_remove (path);
}

gboolean
as_bench_cdl_run (const AsBenchCdlOptions *o, FILE *out, GError **error)
{
  Peer peer = { o->peer_dir, o->python != NULL ? o->python : "python3", NULL };
  gboolean ok = TRUE;

  if (o->peer_dir != NULL)
    {
      g_autofree char *init = g_build_filename (o->peer_dir, "alphacsc", "__init__.py", NULL);

      if (!g_file_test (init, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       _("%s: no alphacsc package in this folder (give the folder that holds alphacsc/)"),
                       o->peer_dir);
          return FALSE;
        }
      peer.work = g_dir_make_tmp ("atomscope-peer-XXXXXX", error);
      if (peer.work == NULL)
        return FALSE;
      fprintf (out, _("Atomscope CDL benchmark beside alphacsc (%s, run by %s); ratio = peer time / our time\n\n"),
               o->peer_dir, peer.python);
    }
  else
    fprintf (out, _("Atomscope CDL benchmark (no peer: give --peer DIR to run alphacsc beside it)\n\n"));
  if (o->only == 0 || o->only == 1)
    ok = bench_zstep (o->peer_dir != NULL ? &peer : NULL, out, error);
  fflush (out);
  if (ok && (o->only == 0 || o->only == 2))
    bench_univariate (out);
  fflush (out);
  if (ok && (o->only == 0 || o->only == 3))
    bench_rank1 (out);
  fflush (out);
  if (ok && ((o->only == 0 && !o->skip_scale) || o->only == 4))
    bench_scale (o, out);
  if (peer.work != NULL)
    {
      remove_tree (peer.work);
      g_free (peer.work);
    }
  return ok;
}
