/* test-cdl.c: convolutional dictionary learning: D-step gradients by finite differences,
 * statistics against a direct objective, monotone objective, recovery of simulated atoms
 * (rank-1 multichannel, univariate, 2-D image), jobs that stop consistently, the model API,
 * merged occurrences and the largest activation.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-cdl.h"
#include "as-cdl-dstep.h"
#include "as-cdl-sim.h"
#include "as-csc.h"
#include "as-engine.h"
#include "as-rng.h"

/* A small problem with its true activations, to build statistics from. */
static AsCdlSimulation *
small_sim (guint P, guint64 seed)
{
  AsCdlSimParams sp;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 3;
  sp.n_channels = P;
  sp.n_times = 200;
  sp.n_atoms = 3;
  sp.atom_length = 12;
  sp.rate = 0.05;
  sp.seed = seed;
  return as_cdl_simulate_signals (&sp);
}

static void
stats_of (const AsCdlSimulation *sim, double *ztz, double *ztx, double *x2)
{
  const AsCscShape *s = &sim->shape;
  const gsize ssz = as_csc_signal_size (s), zsz = s->n_atoms * as_csc_n_valid (s);

  memset (ztz, 0, sizeof (double) * s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  memset (ztx, 0, sizeof (double) * s->n_atoms * as_csc_atom_size (s));
  *x2 = 0;
  for (guint n = 0; n < sim->n_trials; n++)
    {
      as_cdl_stats_add (s, sim->x + n * ssz, sim->z + n * zsz, ztz, ztx);
      for (gsize i = 0; i < ssz; i++)
        *x2 += sim->x[n * ssz + i] * sim->x[n * ssz + i];
    }
}

/* The statistics give the same data term as a direct reconstruction, for any D. */
static void
test_stats_match_objective (void)
{
  g_autoptr (AsCdlSimulation) sim = small_sim (4, 1);
  const AsCscShape *s = &sim->shape;
  gsize asz = as_csc_atom_size (s);
  double *ztz = g_new (double, 9 * as_csc_lag_size (s)), *ztx = g_new (double, 3 * asz);
  double *d = g_new (double, 3 * asz), x2, c1, c2;
  AsRng rng;

  as_rng_init (&rng, 5);
  as_rng_normal_fill (&rng, d, 3 * asz);
  stats_of (sim, ztz, ztx, &x2);
  c1 = as_cdl_dstep_cost (s, ztz, ztx, x2, d, NULL);
  c2 = as_csc_objective (s, d, sim->x, sim->z, sim->n_trials, 0.0);
  g_assert_cmpfloat (fabs (c1 - c2), <, 1e-9 * fabs (c2));
  g_free (ztz); g_free (ztx); g_free (d);
}

static void
test_dstep_gradient_fd (void)
{
  g_autoptr (AsCdlSimulation) sim = small_sim (3, 2);
  const AsCscShape *s = &sim->shape;
  const guint K = s->n_atoms, P = s->n_channels, L = s->atom_width;
  gsize asz = as_csc_atom_size (s);
  double *ztz = g_new (double, K * K * as_csc_lag_size (s)), *ztx = g_new (double, K * asz);
  double *d = g_new (double, K * asz), *g = g_new (double, K * asz), x2;
  double *u = g_new (double, K * P), *v = g_new (double, K * L);
  double *gu = g_new (double, K * P), *gv = g_new (double, K * L);
  const double eps = 1e-6;
  AsRng rng;

  as_rng_init (&rng, 6);
  as_rng_normal_fill (&rng, d, K * asz);
  as_rng_normal_fill (&rng, u, K * P);
  as_rng_normal_fill (&rng, v, K * L);
  stats_of (sim, ztz, ztx, &x2);

  as_cdl_dstep_cost (s, ztz, ztx, x2, d, g);
  for (gsize i = 0; i < K * asz; i += 7)
    {
      double keep = d[i], fp, fm;
      d[i] = keep + eps;
      fp = as_cdl_dstep_cost (s, ztz, ztx, x2, d, NULL);
      d[i] = keep - eps;
      fm = as_cdl_dstep_cost (s, ztz, ztx, x2, d, NULL);
      d[i] = keep;
      g_assert_cmpfloat (fabs ((fp - fm) / (2 * eps) - g[i]), <, 1e-5 * (1 + fabs (g[i])));
    }

  as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, gu, gv);
  for (gsize i = 0; i < K * P; i++)
    {
      double keep = u[i], fp, fm;
      u[i] = keep + eps;
      fp = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL);
      u[i] = keep - eps;
      fm = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL);
      u[i] = keep;
      g_assert_cmpfloat (fabs ((fp - fm) / (2 * eps) - gu[i]), <, 1e-5 * (1 + fabs (gu[i])));
    }
  for (gsize i = 0; i < K * L; i += 3)
    {
      double keep = v[i], fp, fm;
      v[i] = keep + eps;
      fp = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL);
      v[i] = keep - eps;
      fm = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL);
      v[i] = keep;
      g_assert_cmpfloat (fabs ((fp - fm) / (2 * eps) - gv[i]), <, 1e-5 * (1 + fabs (gv[i])));
    }
  /* The rank-1 cost is the full cost at D = u vᵀ. */
  as_cdl_rank1_to_atoms (s, u, v, d);
  g_assert_cmpfloat (fabs (as_cdl_dstep_cost (s, ztz, ztx, x2, d, NULL)
                           - as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, u, v, NULL, NULL)),
                     <, 1e-9 * (1 + x2));

  g_free (ztz); g_free (ztx); g_free (d); g_free (g);
  g_free (u); g_free (v); g_free (gu); g_free (gv);
}

/* The D-step decreases the cost, keeps atoms in the unit ball, and reaches a point where
 * the projected gradient vanishes (first-order optimality on the constraint set). */
static void
test_dstep_decreases (void)
{
  g_autoptr (AsCdlSimulation) sim = small_sim (3, 3);
  const AsCscShape *s = &sim->shape;
  const guint K = s->n_atoms;
  gsize asz = as_csc_atom_size (s);
  double *ztz = g_new (double, K * K * as_csc_lag_size (s)), *ztx = g_new (double, K * asz);
  double *d = g_new (double, K * asz), *g = g_new (double, K * asz), x2, c0, c1;
  AsRng rng;

  as_rng_init (&rng, 8);
  as_rng_normal_fill (&rng, d, K * asz);
  for (guint k = 0; k < K; k++)
    {
      double n2 = 0;
      for (gsize i = 0; i < asz; i++)
        n2 += d[k * asz + i] * d[k * asz + i];
      for (gsize i = 0; i < asz; i++)
        d[k * asz + i] /= sqrt (n2);
    }
  stats_of (sim, ztz, ztx, &x2);
  c0 = as_cdl_dstep_cost (s, ztz, ztx, x2, d, NULL);
  c1 = as_cdl_dstep (s, ztz, ztx, x2, NULL, d, 2000, 1e-14);
  g_assert_cmpfloat (c1, <, c0);
  as_cdl_dstep_cost (s, ztz, ztx, x2, d, g);
  for (guint k = 0; k < K; k++)
    {
      double n2 = 0, gd = 0, g2 = 0;
      for (gsize i = 0; i < asz; i++)
        {
          n2 += d[k * asz + i] * d[k * asz + i];
          gd += g[k * asz + i] * d[k * asz + i];
          g2 += g[k * asz + i] * g[k * asz + i];
        }
      g_assert_cmpfloat (n2, <=, 1.0 + 1e-12);
      /* On the sphere the gradient is −μ·D (μ ≥ 0); inside, it is zero. */
      if (n2 > 1.0 - 1e-6)
        g_assert_cmpfloat (g2 - gd * gd, <, 1e-6 * (1 + g2));
      else
        g_assert_cmpfloat (g2, <, 1e-6);
    }
  g_free (ztz); g_free (ztx); g_free (d); g_free (g);
}

static void
check_monotone (const AsCdlModel *m)
{
  for (guint i = 1; i < m->trace->len; i++)
    {
      const AsCdlTracePoint *a = &g_array_index (m->trace, AsCdlTracePoint, i - 1);
      const AsCdlTracePoint *b = &g_array_index (m->trace, AsCdlTracePoint, i);
      g_assert_cmpfloat (b->objective, <=, a->objective * (1 + 1e-10) + 1e-12);
      g_assert_cmpfloat (b->time, >=, a->time);
    }
}

static void
test_objective_monotone (void)
{
  g_autoptr (AsCdlSimulation) sim = small_sim (4, 4);
  const AsCscShape *s = &sim->shape;
  AsCdlParams p;
  const AsCdlInit inits[] = { AS_CDL_INIT_CHUNK, AS_CDL_INIT_RANDOM, AS_CDL_INIT_GREEDY };

  for (guint r = 0; r < 2; r++)
    for (guint i = 0; i < G_N_ELEMENTS (inits); i++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (AsCdlModel) m = NULL;
        double direct;

        as_cdl_params_init (&p);
        p.n_atoms = 3;
        p.atom_length = 12;
        p.rank1 = r == 1;
        p.init = inits[i];
        p.max_iter = 15;
        p.tol = 0;
        p.positive = i != 1;
        p.tukey = i == 2 ? 0.3 : 0.0;
        m = as_cdl_learn (sim->x, sim->n_trials, s->n_channels, 1, s->width, &p, NULL, NULL, &error);
        g_assert_no_error (error);
        g_assert_cmpuint (m->trace->len, ==, 31);
        check_monotone (m);
        /* A Tukey taper makes every atom start and end at zero. */
        if (p.tukey > 0.0)
          for (guint k = 0; k < m->shape.n_atoms; k++)
            for (guint c = 0; c < m->shape.n_channels; c++)
              {
                const double *a = as_cdl_model_get_atom (m, k) + c * 12;
                g_assert_cmpfloat (a[0], ==, 0.0);
                g_assert_cmpfloat (a[11], ==, 0.0);
                g_assert_cmpfloat (fabs (a[5]), >, 0.0);
              }
        /* The recorded objective is the objective of the returned model. */
        direct = as_csc_objective (&m->shape, m->atoms, sim->x, m->activations, m->n_trials, m->lambda);
        g_assert_cmpfloat (fabs (direct - as_cdl_model_last_objective (m)), <, 1e-8 * direct);
        g_assert_cmpfloat (as_cdl_model_last_objective (m), <,
                           0.9 * g_array_index (m->trace, AsCdlTracePoint, 0).objective);
      }

  /* A greedy start on a budget smaller than the number of atoms still delivers them all. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AsCdlModel) m = NULL;

    as_cdl_params_init (&p);
    p.n_atoms = 4;
    p.atom_length = 12;
    p.max_iter = 2;
    m = as_cdl_learn (sim->x, sim->n_trials, s->n_channels, 1, s->width, &p, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (m->shape.n_atoms, ==, 4);
    check_monotone (m);
  }
}

static void
test_recovery_rank1 (void)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  double score;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 10;
  sp.n_channels = 5;
  sp.n_times = 703;
  sp.n_atoms = 2;
  sp.atom_length = 64;
  sp.rate = 0.01;
  sp.snr_db = 10.0;
  sp.seed = 4;
  sim = as_cdl_simulate_signals (&sp);

  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 64;
  p.rank1 = TRUE;
  p.lambda = 0.1;
  p.max_iter = 100;
  p.tol = 1e-6;
  p.seed = 1;
  m = as_cdl_learn (sim->x, sp.n_trials, 5, 1, sp.n_times, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  score = as_cdl_recovery_score (5, 1, 64, sim->atoms, 2, m->atoms, 2, FALSE);
  g_test_message ("rank-1 recovery %.4f after %u iterations", score, m->iteration);
  g_assert_cmpfloat (score, >=, 0.95);
  check_monotone (m);
}

static void
test_recovery_univariate (void)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  double score, score_random;
  double *rnd;
  AsRng rng;

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
  p.max_iter = 100;
  p.tol = 1e-7;
  p.seed = 2;
  m = as_cdl_learn (sim->x, sp.n_trials, 1, 1, sp.n_times, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  score = as_cdl_recovery_score (1, 1, 64, sim->atoms, 2, m->atoms, 2, FALSE);
  g_test_message ("univariate recovery %.5f after %u iterations", score, m->iteration);
  g_assert_cmpfloat (score, >=, 0.99);

  /* The score is not trivially high: random atoms score far lower. */
  rnd = g_new (double, 128);
  as_rng_init (&rng, 9);
  as_rng_normal_fill (&rng, rnd, 128);
  score_random = as_cdl_recovery_score (1, 1, 64, sim->atoms, 2, rnd, 2, FALSE);
  g_assert_cmpfloat (score_random, <, 0.8);
  g_free (rnd);
}

static void
test_recovery_image (void)
{
  g_autoptr (AsCdlSimulation) sim = as_cdl_simulate_image (64, 64, 1, 3, 8, 12, 0.01, 5);
  AsCdlParams p;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  double score;

  as_cdl_params_init (&p);
  p.n_atoms = 3;
  p.atom_length = 8;
  p.atom_height = 8;
  p.rank1 = FALSE;
  p.lambda = 0.1;
  p.max_iter = 60;
  p.tol = 1e-7;
  p.seed = 3;
  m = as_cdl_learn (sim->x, 1, 1, 64, 64, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  score = as_cdl_recovery_score (1, 8, 8, sim->atoms, 3, m->atoms, 3, FALSE);
  g_test_message ("image recovery %.4f after %u iterations", score, m->iteration);
  g_assert_cmpfloat (score, >=, 0.95);
  check_monotone (m);
}

static void
test_job_stop_consistent (void)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  const gsize hw = 32;
  double direct;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 20;
  sp.n_channels = 4;
  sp.n_times = 1000;
  sp.atom_length = 32;
  sp.seed = 6;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 3;
  p.atom_length = 32;
  p.max_iter = 100000;
  p.tol = 0;
  job = as_cdl_job_new (sim->x, sp.n_trials, 4, sp.n_times, &p, NULL);
  as_job_start (job);
  /* Past the greedy start (all atoms in the published model), then stop mid-run. */
  {
    guint full_at = 0;
    for (;;)
      {
        g_autoptr (AsCdlModel) snap = as_cdl_job_dup_model (job);
        if (snap != NULL && snap->shape.n_atoms == 3 && full_at == 0)
          full_at = snap->iteration;
        if (full_at > 0 && snap->iteration >= full_at + 2)
          break;
        g_usleep (1000);
      }
  }
  as_job_stop (job);
  g_assert_true (as_job_wait (job, &error));
  g_assert_no_error (error);
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_STOPPED);
  m = as_cdl_job_get_result (job);
  g_assert_nonnull (m);
  g_assert_cmpuint (m->iteration, <, 100000);
  g_assert_cmpuint (m->trace->len, >=, 3);
  direct = as_csc_objective (&m->shape, m->atoms, sim->x, m->activations, m->n_trials, m->lambda);
  g_assert_cmpfloat (fabs (direct - as_cdl_model_last_objective (m)), <, 1e-8 * direct);
  g_assert_cmpuint (m->shape.n_atoms, ==, 3);
  for (guint k = 0; k < m->shape.n_atoms; k++)
    {
      double nu = 0, nv = 0;
      for (guint c = 0; c < 4; c++)
        nu += m->u[k * 4 + c] * m->u[k * 4 + c];
      for (gsize t = 0; t < hw; t++)
        nv += m->v[k * hw + t] * m->v[k * hw + t];
      g_assert_cmpfloat (nu, <=, 1 + 1e-12);
      g_assert_cmpfloat (nv, <=, 1 + 1e-12);
    }
}

/* Occurrences and reconstruction of a range agree with the activations and a direct
 * reconstruction; the online variant learns something sensible. */
static void
test_model_api_and_online (void)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsCdlModel) mo = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) occ = NULL;
  double *full, *part;
  gsize ssz, nnz = 0;
  double score;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 2;
  sp.n_channels = 3;
  sp.n_times = 4000;
  sp.atom_length = 32;
  sp.rate = 0.005;
  sp.seed = 7;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 32;
  p.max_iter = 30;
  m = as_cdl_learn (sim->x, 2, 3, 1, 4000, &p, NULL, NULL, &error);
  g_assert_no_error (error);

  occ = as_cdl_model_occurrences (m, 1, 0.0);
  for (gsize t = 0; t < 2 * as_csc_n_valid (&m->shape); t++)
    nnz += as_cdl_model_get_activation (m, t / as_csc_n_valid (&m->shape), 1)[t % as_csc_n_valid (&m->shape)] != 0.0;
  g_assert_cmpuint (occ->len, ==, nnz);
  g_assert_cmpuint (occ->len, >, 0);

  ssz = as_csc_signal_size (&m->shape);
  full = g_new (double, ssz);
  part = g_new (double, 3 * 500);
  as_csc_reconstruct (&m->shape, m->atoms, m->activations + 2 * as_csc_n_valid (&m->shape), full);
  g_assert_true (as_cdl_model_reconstruct (m, 1, -1, 1234, 500, part, &error));
  for (guint c = 0; c < 3; c++)
    for (guint t = 0; t < 500; t++)
      g_assert_cmpfloat (fabs (part[c * 500 + t] - full[c * 4000 + 1234 + t]), <, 1e-12);
  g_assert_false (as_cdl_model_reconstruct (m, 2, -1, 0, 10, part, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);

  p.online = TRUE;
  p.max_iter = 150;
  p.online_batch = 8;
  p.online_window = 256;
  mo = as_cdl_learn (sim->x, 2, 3, 1, 4000, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  score = as_cdl_recovery_score (3, 1, 32, sim->atoms, 2, mo->atoms, 2, FALSE);
  g_test_message ("online recovery %.4f", score);
  g_assert_cmpfloat (score, >=, 0.9);
  g_free (full);
  g_free (part);
}

/* An atom no activation uses is replaced by the worst-explained window (and then used);
 * a warm start keeps the other atoms. */
static void
test_resample_unused_atom (void)
{
  AsCdlSimParams sp;
  AsCdlParams p;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) warm = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  AsCscShape s;
  const guint L = 32;
  gsize nv;
  double used = 0.0;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 4;
  sp.n_channels = 1;
  sp.n_times = 600;
  sp.atom_length = L;
  sp.rate = 0.01;
  sp.seed = 8;
  sim = as_cdl_simulate_signals (&sp);

  /* Warm start: the two true atoms, plus one no window resembles (alternating ±1). */
  as_cdl_params_init (&p);
  p.n_atoms = 3;
  p.atom_length = L;
  p.rank1 = FALSE;
  p.max_iter = 1;
  p.sort_atoms = FALSE;
  s = sim->shape;
  s.n_atoms = 3;
  {
    AsCdlModel tmp = { 0 };
    double atoms[3 * 32];
    memcpy (atoms, sim->atoms, sizeof (double) * 2 * L);
    for (guint t = 0; t < L; t++)
      atoms[2 * L + t] = (t % 2 ? 1.0 : -1.0) / sqrt (L);
    tmp.shape = s;
    tmp.atoms = atoms;
    tmp.activations = NULL;
    tmp.n_trials = 0;
    tmp.trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
    warm = as_cdl_model_copy (&tmp);
    g_array_unref (tmp.trace);
  }
  /* After one iteration the third atom was unused in the z-step and has been replaced… */
  m = as_cdl_learn (sim->x, sp.n_trials, 1, 1, sp.n_times, &p, warm, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (as_cdl_recovery_score (1, 1, L, warm->atoms + 2 * L, 1, m->atoms + 2 * L, 1, FALSE),
                     <, 0.9);
  /* …while the true atoms stayed (nearly) where they were. */
  g_assert_cmpfloat (as_cdl_recovery_score (1, 1, L, sim->atoms, 2, m->atoms, 2, FALSE), >, 0.99);
  g_clear_pointer (&warm, as_cdl_model_unref);
  warm = as_cdl_model_ref (m);
  g_clear_pointer (&m, as_cdl_model_unref);
  /* …and the next z-step uses it. */
  p.max_iter = 1;
  m = as_cdl_learn (sim->x, sp.n_trials, 1, 1, sp.n_times, &p, warm, NULL, &error);
  g_assert_no_error (error);
  nv = as_csc_n_valid (&m->shape);
  for (guint n = 0; n < sp.n_trials; n++)
    for (gsize t = 0; t < nv; t++)
      used += as_cdl_model_get_activation (m, n, 2)[t];
  g_assert_cmpfloat (used, >, 0.0);
}

/* A model of 2 trials × 2 atoms, 1 channel, 110 samples, atoms of 11 (100 valid positions),
 * with activations set by hand. */
static AsCdlModel *
hand_model (void)
{
  AsCdlModel *m = g_new0 (AsCdlModel, 1);
  AsCscShape s = { 2, 1, 1, 110, 1, 11 };

  g_atomic_ref_count_init (&m->ref_count);
  m->shape = s;
  m->n_trials = 2;
  m->atoms = g_new0 (double, s.n_atoms * as_csc_atom_size (&s));
  m->activations = g_new0 (double, (gsize) m->n_trials * s.n_atoms * as_csc_n_valid (&s));
  m->trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  return m;
}

static void
set_z (AsCdlModel *m, guint trial, guint k, gsize t, double v)
{
  ((double *) as_cdl_model_get_activation (m, trial, k))[t] = v;
}

static const AsCdlOccurrence *
occ_at (GArray *occ, guint i)
{
  return &g_array_index (occ, AsCdlOccurrence, i);
}

/* Merging: close peaks give one occurrence at the larger |z| (signed activations
 * compare by magnitude), far peaks stay two, ties keep the first, trials never merge,
 * spacing 0 keeps everything; the threshold applies before merging. */
static void
test_occurrences_merged (void)
{
  g_autoptr (AsCdlModel) m = hand_model ();
  g_autoptr (GArray) all = NULL;
  g_autoptr (GArray) merged = NULL;
  g_autoptr (GArray) tied = NULL;
  g_autoptr (GArray) high = NULL;

  g_assert_cmpuint (as_cdl_model_merge_spacing (m), ==, 5);
  /* Trial 0, atom 1: a spread peak 10 (0.5), 12 (−2.0), 14 (1.0); a far peak at 40;
   * two equal peaks 3 apart at 70 and 73; trial 1: 95 and, in the next trial, 2. */
  set_z (m, 0, 1, 10, 0.5);
  set_z (m, 0, 1, 12, -2.0);
  set_z (m, 0, 1, 14, 1.0);
  set_z (m, 0, 1, 40, 0.8);
  set_z (m, 0, 1, 70, 1.5);
  set_z (m, 0, 1, 73, 1.5);
  set_z (m, 0, 1, 95, 0.7);
  set_z (m, 1, 1, 2, 3.0);
  set_z (m, 0, 0, 50, 9.0);   /* another atom: ignored */

  g_assert_cmpfloat (as_cdl_model_max_activation (m, 1), ==, 3.0);
  g_assert_cmpfloat (as_cdl_model_max_activation (m, 0), ==, 9.0);

  all = as_cdl_model_occurrences_merged (m, 1, 0.0, 0);
  g_assert_cmpuint (all->len, ==, 8);

  merged = as_cdl_model_occurrences_merged (m, 1, 0.0, 5);
  g_assert_cmpuint (merged->len, ==, 5);
  g_assert_cmpuint (occ_at (merged, 0)->trial, ==, 0);
  g_assert_cmpuint (occ_at (merged, 0)->position, ==, 12);
  g_assert_cmpfloat (occ_at (merged, 0)->amplitude, ==, -2.0);
  g_assert_cmpuint (occ_at (merged, 1)->position, ==, 40);
  g_assert_cmpuint (occ_at (merged, 2)->position, ==, 70);     /* the tie: first wins */
  g_assert_cmpuint (occ_at (merged, 3)->position, ==, 95);     /* not merged across trials */
  g_assert_cmpuint (occ_at (merged, 4)->trial, ==, 1);
  g_assert_cmpuint (occ_at (merged, 4)->position, ==, 2);

  /* Exactly at the spacing merges; one beyond does not. */
  tied = as_cdl_model_occurrences_merged (m, 1, 0.0, 2);
  g_assert_cmpuint (tied->len, ==, 6);   /* 10 and 14 are 2 from 12; 70 and 73 are 3 apart */
  g_assert_cmpuint (occ_at (tied, 0)->position, ==, 12);
  g_assert_cmpuint (occ_at (tied, 2)->position, ==, 70);
  g_assert_cmpuint (occ_at (tied, 3)->position, ==, 73);

  /* A larger neighbour displaces a peak; the threshold applies before merging, so values
   * below it neither appear nor suppress. */
  set_z (m, 0, 1, 41, 0.9);
  g_clear_pointer (&merged, g_array_unref);
  merged = as_cdl_model_occurrences_merged (m, 1, 0.0, 5);
  g_assert_cmpuint (merged->len, ==, 5);
  g_assert_cmpuint (occ_at (merged, 1)->position, ==, 41);
  high = as_cdl_model_occurrences_merged (m, 1, 1.0, 5);
  g_assert_cmpuint (high->len, ==, 3);
  g_assert_cmpuint (occ_at (high, 0)->position, ==, 12);
  g_assert_cmpuint (occ_at (high, 1)->position, ==, 70);
  g_assert_cmpuint (occ_at (high, 2)->trial, ==, 1);
  set_z (m, 0, 1, 13, 1.9);   /* under the threshold below: not listed */
  g_clear_pointer (&high, g_array_unref);
  high = as_cdl_model_occurrences_merged (m, 1, 1.95, 5);
  g_assert_cmpuint (high->len, ==, 2);
  g_assert_cmpuint (occ_at (high, 0)->position, ==, 12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/cdl/stats-match-objective", test_stats_match_objective);
  g_test_add_func ("/cdl/dstep-gradient-fd", test_dstep_gradient_fd);
  g_test_add_func ("/cdl/dstep-decreases", test_dstep_decreases);
  g_test_add_func ("/cdl/objective-monotone", test_objective_monotone);
  g_test_add_func ("/cdl/recovery-rank1", test_recovery_rank1);
  g_test_add_func ("/cdl/recovery-univariate", test_recovery_univariate);
  g_test_add_func ("/cdl/recovery-image", test_recovery_image);
  g_test_add_func ("/cdl/job-stop-consistent", test_job_stop_consistent);
  g_test_add_func ("/cdl/model-api-online", test_model_api_and_online);
  g_test_add_func ("/cdl/resample-unused-atom", test_resample_unused_atom);
  g_test_add_func ("/cdl/occurrences-merged", test_occurrences_merged);
  return g_test_run ();
}
