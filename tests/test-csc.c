/* test-csc.c: convolutional sparse coding: LGCD against the FISTA reference,
 * KKT conditions at the LGCD solution, warm starts, λ_max.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-csc.h"
#include "as-engine.h"
#include "as-rng.h"

typedef struct
{
  AsCscShape s;
  guint      n_trials;
  double    *atoms;
  double    *x;
} Problem;

/* Unit-norm random atoms, sparse non-negative activations, small noise. */
static Problem *
problem_new (guint K, guint P, guint H, guint W, guint h, guint w, guint n_trials,
             gboolean signed_codes, guint64 seed)
{
  Problem *pb = g_new0 (Problem, 1);
  AsRng rng;
  gsize asz, nv, ssz;
  double *z, *rec;

  pb->s = (AsCscShape) { K, P, H, W, h, w };
  pb->n_trials = n_trials;
  asz = as_csc_atom_size (&pb->s);
  nv = as_csc_n_valid (&pb->s);
  ssz = as_csc_signal_size (&pb->s);
  as_rng_init (&rng, seed);
  pb->atoms = g_new (double, K * asz);
  as_rng_normal_fill (&rng, pb->atoms, K * asz);
  for (guint k = 0; k < K; k++)
    {
      double n2 = 0;
      for (gsize i = 0; i < asz; i++)
        n2 += pb->atoms[k * asz + i] * pb->atoms[k * asz + i];
      for (gsize i = 0; i < asz; i++)
        pb->atoms[k * asz + i] /= sqrt (n2);
    }
  pb->x = g_new (double, n_trials * ssz);
  z = g_new0 (double, K * nv);
  rec = g_new (double, ssz);
  for (guint n = 0; n < n_trials; n++)
    {
      for (gsize i = 0; i < K * nv; i++)
        z[i] = as_rng_uniform (&rng) < 0.05 ? (signed_codes ? 2.0 : 1.0) * as_rng_uniform (&rng) - (signed_codes ? 1.0 : 0.0) : 0.0;
      as_csc_reconstruct (&pb->s, pb->atoms, z, rec);
      for (gsize i = 0; i < ssz; i++)
        pb->x[n * ssz + i] = rec[i] + 0.01 * as_rng_normal (&rng);
    }
  g_free (z);
  g_free (rec);
  return pb;
}

static void
problem_free (Problem *pb)
{
  g_free (pb->atoms);
  g_free (pb->x);
  g_free (pb);
}

/* The reconstruction is a valid convolution: check one entry by its definition. */
static void
test_reconstruct_definition (void)
{
  AsCscShape s = { 2, 3, 1, 20, 1, 5 };
  double atoms[2 * 3 * 5], z[2 * 16] = { 0 }, out[3 * 20];

  for (guint i = 0; i < G_N_ELEMENTS (atoms); i++)
    atoms[i] = sin (1.0 + i);
  z[3] = 2.0;          /* atom 0 at t = 3 */
  z[16 + 10] = -1.0;   /* atom 1 at t = 10 */
  as_csc_reconstruct (&s, atoms, z, out);
  /* channel 1, sample 12: atom 1 offset 2 only (atom 0 ends at 7) */
  g_assert_cmpfloat (fabs (out[20 + 12] - (-1.0 * atoms[15 + 5 + 2])), <, 1e-15);
  /* channel 2, sample 5: atom 0 offset 2 */
  g_assert_cmpfloat (fabs (out[40 + 5] - 2.0 * atoms[10 + 2]), <, 1e-15);
  g_assert_cmpfloat (fabs (out[0]), <, 1e-15);
}

/* as_csc_correlate (direct, rank-1 path and FFT gradient at z = 0) agree. */
static void
test_correlate_paths (void)
{
  AsCscShape s = { 3, 4, 1, 60, 1, 7 };
  gsize nv = as_csc_n_valid (&s);
  double u[3 * 4], v[3 * 7], atoms[3 * 4 * 7], x[4 * 60];
  double *c1 = g_new (double, 3 * nv), *c2 = g_new (double, 3 * nv), *c3 = g_new (double, 3 * nv);
  double *zero = g_new0 (double, 3 * nv);
  AsRng rng;

  as_rng_init (&rng, 7);
  as_rng_normal_fill (&rng, u, 12);
  as_rng_normal_fill (&rng, v, 21);
  as_rng_normal_fill (&rng, x, 240);
  for (guint k = 0; k < 3; k++)
    for (guint p = 0; p < 4; p++)
      for (guint t = 0; t < 7; t++)
        atoms[(k * 4 + p) * 7 + t] = u[k * 4 + p] * v[k * 7 + t];
  as_csc_correlate (&s, atoms, NULL, NULL, x, c1);
  as_csc_correlate (&s, NULL, u, v, x, c2);
  as_csc_gradient (&s, atoms, x, zero, c3);
  for (gsize i = 0; i < 3 * nv; i++)
    {
      g_assert_cmpfloat (fabs (c1[i] - c2[i]), <, 1e-12);
      g_assert_cmpfloat (fabs (c1[i] + c3[i]), <, 1e-10);
    }
  g_free (c1); g_free (c2); g_free (c3); g_free (zero);
}

static void
check_lgcd_vs_fista (Problem *pb, double frac, gboolean positive)
{
  const AsCscShape *s = &pb->s;
  gsize zsz = s->n_atoms * as_csc_n_valid (s), ssz = as_csc_signal_size (s);
  double lmax = as_csc_lambda_max (s, pb->atoms, NULL, NULL, pb->x, pb->n_trials, positive);
  double lambda = frac * lmax;
  double *z1 = g_new0 (double, pb->n_trials * zsz), *z2 = g_new0 (double, pb->n_trials * zsz);
  double f1, f2;
  gsize nnz = 0;

  as_csc_solve_lgcd (s, pb->atoms, NULL, NULL, pb->x, pb->n_trials, lambda, positive, 1e-12,
                     G_MAXUINT64, z1);
  for (guint n = 0; n < pb->n_trials; n++)
    {
      as_csc_fista (s, pb->atoms, pb->x + n * ssz, lambda, positive, 20000, 1e-14, z2 + n * zsz);
      g_assert_cmpfloat (as_csc_kkt_violation (s, pb->atoms, pb->x + n * ssz, z1 + n * zsz,
                                               lambda, positive), <, 1e-6);
    }
  for (gsize i = 0; i < pb->n_trials * zsz; i++)
    {
      nnz += z1[i] != 0.0;
      if (positive)
        g_assert_cmpfloat (z1[i], >=, 0.0);
    }
  f1 = as_csc_objective (s, pb->atoms, pb->x, z1, pb->n_trials, lambda);
  f2 = as_csc_objective (s, pb->atoms, pb->x, z2, pb->n_trials, lambda);
  g_test_message ("λ = %.3g λmax, nnz %zu, LGCD %.12g, FISTA %.12g", frac, nnz, f1, f2);
  g_assert_cmpuint (nnz, >, 0);
  g_assert_cmpfloat (fabs (f1 - f2), <=, 1e-6 * fabs (f2));
  /* Signed codes must actually use negative values on this problem. */
  if (!positive)
    {
      gboolean has_negative = FALSE;
      for (gsize i = 0; i < pb->n_trials * zsz; i++)
        has_negative |= z1[i] < 0.0;
      g_assert_true (has_negative);
    }
  g_free (z1);
  g_free (z2);
}

static void
test_lgcd_fista_1d (void)
{
  Problem *pb = problem_new (3, 4, 1, 300, 1, 16, 2, FALSE, 11);
  check_lgcd_vs_fista (pb, 0.1, TRUE);
  check_lgcd_vs_fista (pb, 0.3, TRUE);
  problem_free (pb);
  pb = problem_new (3, 4, 1, 300, 1, 16, 2, TRUE, 21);
  check_lgcd_vs_fista (pb, 0.1, FALSE);
  problem_free (pb);
}

static void
test_lgcd_fista_2d (void)
{
  Problem *pb = problem_new (2, 3, 40, 36, 6, 5, 1, FALSE, 12);
  check_lgcd_vs_fista (pb, 0.1, TRUE);
  problem_free (pb);
  pb = problem_new (2, 3, 40, 36, 6, 5, 1, TRUE, 22);
  check_lgcd_vs_fista (pb, 0.2, FALSE);
  problem_free (pb);
}

/* Warm start from the solution: nothing left to do; λ ≥ λ_max gives z = 0. */
static void
test_warm_start_and_lambda_max (void)
{
  Problem *pb = problem_new (2, 2, 1, 200, 1, 12, 1, FALSE, 13);
  const AsCscShape *s = &pb->s;
  gsize zsz = s->n_atoms * as_csc_n_valid (s);
  double lmax = as_csc_lambda_max (s, pb->atoms, NULL, NULL, pb->x, 1, TRUE);
  double *z = g_new0 (double, zsz);
  guint64 n1, n2;

  n1 = as_csc_solve_lgcd (s, pb->atoms, NULL, NULL, pb->x, 1, 0.2 * lmax, TRUE, 1e-10, G_MAXUINT64, z);
  n2 = as_csc_solve_lgcd (s, pb->atoms, NULL, NULL, pb->x, 1, 0.2 * lmax, TRUE, 1e-10, G_MAXUINT64, z);
  g_assert_cmpuint (n1, >, 10);
  g_assert_cmpuint (n2, <, n1 / 10 + 1);

  memset (z, 0, sizeof (double) * zsz);
  as_csc_solve_lgcd (s, pb->atoms, NULL, NULL, pb->x, 1, lmax * 1.0000001, TRUE, 1e-12, G_MAXUINT64, z);
  for (gsize i = 0; i < zsz; i++)
    g_assert_cmpfloat (z[i], ==, 0.0);
  as_csc_solve_lgcd (s, pb->atoms, NULL, NULL, pb->x, 1, lmax * 0.999, TRUE, 1e-12, G_MAXUINT64, z);
  {
    gsize nnz = 0;
    for (gsize i = 0; i < zsz; i++)
      nnz += z[i] != 0.0;
    g_assert_cmpuint (nnz, >=, 1);
  }
  g_free (z);
  problem_free (pb);
}

/* A stop flag ends LGCD inside its sweep with a valid activation; a flag that stays
 * down changes nothing. */
static void
test_lgcd_stop (void)
{
  Problem *pb = problem_new (3, 4, 1, 6000, 1, 16, 1, FALSE, 31);
  const AsCscShape *s = &pb->s;
  gsize zsz = s->n_atoms * as_csc_n_valid (s);
  double lmax = as_csc_lambda_max (s, pb->atoms, NULL, NULL, pb->x, 1, TRUE), lambda = 0.1 * lmax;
  double *dtd = g_new (double, (gsize) s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  double *dtx = g_new (double, zsz);
  double *z_full = g_new0 (double, zsz), *z_stop = g_new0 (double, zsz), *z_down = g_new0 (double, zsz);
  gint down = 0, up = 1;
  AsCscLgcdStats full, stopped, kept;

  as_csc_atom_correlations (s, pb->atoms, dtd);
  as_csc_correlate (s, pb->atoms, NULL, NULL, pb->x, dtx);
  full = as_csc_lgcd (s, dtd, dtx, lambda, TRUE, 1e-10, G_MAXUINT64, z_full);
  kept = as_csc_lgcd_until (s, dtd, dtx, lambda, TRUE, 1e-10, G_MAXUINT64, &down, z_down);
  stopped = as_csc_lgcd_until (s, dtd, dtx, lambda, TRUE, 1e-10, G_MAXUINT64, &up, z_stop);

  g_assert_true (full.converged && !full.stopped);
  g_assert_true (kept.converged && !kept.stopped);
  g_assert_cmpuint (kept.n_updates, ==, full.n_updates);
  g_assert_cmpmem (z_down, zsz * sizeof (double), z_full, zsz * sizeof (double));
  g_assert_true (stopped.stopped && !stopped.converged);
  g_assert_cmpuint (stopped.n_updates, <, full.n_updates / 2);
  for (gsize i = 0; i < zsz; i++)
    g_assert_cmpfloat (z_stop[i], >=, 0.0);
  g_assert_cmpfloat (as_csc_objective (s, pb->atoms, pb->x, z_stop, 1, lambda), >=,
                     as_csc_objective (s, pb->atoms, pb->x, z_full, 1, lambda));
  g_free (dtd);
  g_free (dtx);
  g_free (z_full);
  g_free (z_stop);
  g_free (z_down);
  problem_free (pb);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/csc/lgcd-stop", test_lgcd_stop);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/csc/reconstruct-definition", test_reconstruct_definition);
  g_test_add_func ("/csc/correlate-paths", test_correlate_paths);
  g_test_add_func ("/csc/lgcd-fista-1d", test_lgcd_fista_1d);
  g_test_add_func ("/csc/lgcd-fista-2d", test_lgcd_fista_2d);
  g_test_add_func ("/csc/warm-start-lambda-max", test_warm_start_and_lambda_max);
  return g_test_run ();
}
