/* test-distributed.c: the distributed z-step and learning against one process.
 *
 * Run under mpirun with W processes: every process builds the same simulated problem,
 * the distributed solver runs on all of them, and rank 0 solves it alone with the
 * single-process LGCD / learner and compares (objective to 1e-9 relative and activations
 * to 1e-6 for the z-step; objective to 1e-6 relative for learning).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <mpi.h>

#include "as-cdl.h"
#include "as-cdl-dstep.h"
#include "as-cdl-encode.h"
#include "as-csc.h"
#include "as-distributed.h"
#include "as-engine.h"
#include "as-rng.h"

static int rank, n_failed;

static void
check (gboolean ok, const char *what, double value, double limit)
{
  if (rank != 0)
    return;
  printf ("%s %s: %.3g (limit %.3g)\n", ok ? "ok" : "FAILED", what, value, limit);
  if (!ok)
    n_failed++;
}

/* X = Σ_k z_k * D_k + noise with sparse positive z and unit-norm atoms. */
static double *
simulate (const AsCscShape *s, guint64 seed, double *atoms)
{
  AsRng rng;
  const gsize nv = as_csc_n_valid (s), asz = as_csc_atom_size (s);
  double *z = g_new0 (double, s->n_atoms * nv), *x = g_new (double, as_csc_signal_size (s));

  as_rng_init (&rng, seed);
  for (guint k = 0; k < s->n_atoms; k++)
    as_cdl_random_atom (&rng, s, FALSE, NULL, NULL, atoms + k * asz);
  for (gsize i = 0; i < s->n_atoms * nv; i++)
    if (as_rng_below (&rng, 1000) < 15)
      z[i] = 1.0 + as_rng_below (&rng, 1000) / 1000.0;
  as_csc_reconstruct (s, atoms, z, x);
  for (gsize i = 0; i < as_csc_signal_size (s); i++)
    x[i] += 0.05 * as_rng_normal (&rng);
  g_free (z);
  return x;
}

static void
zstep_case (const char *name, const AsCscShape *s)
{
  double *atoms = g_new (double, s->n_atoms * as_csc_atom_size (s));
  double *x = simulate (s, 7, atoms);
  const gsize zsz = s->n_atoms * as_csc_n_valid (s);
  const double tol = 1e-12;
  double lambda, obj_d, *z_d;
  AsDistributedStats st;
  GError *error = NULL;
  AsDistributed *d;
  char what[200];

  lambda = 0.2 * as_csc_lambda_max (s, atoms, NULL, NULL, x, 1, TRUE);
  d = as_distributed_new_from_data (MPI_COMM_WORLD, x, s->n_channels, s->height, s->width,
                                    s->n_atoms, s->atom_height, s->atom_width, &error);
  g_assert_no_error (error);
  as_distributed_zstep (d, atoms, NULL, NULL, lambda, TRUE, tol, &st);
  obj_d = as_distributed_objective (d, atoms, lambda);
  z_d = as_distributed_gather_z (d);
  if (rank == 0)
    {
      double *z_s = g_new0 (double, zsz), obj_s, dz = 0.0, zmax = 0.0;
      as_csc_solve_lgcd (s, atoms, NULL, NULL, x, 1, lambda, TRUE, tol, G_MAXUINT64, z_s);
      obj_s = as_csc_objective (s, atoms, x, z_s, 1, lambda);
      for (gsize i = 0; i < zsz; i++)
        {
          dz = MAX (dz, fabs (z_d[i] - z_s[i]));
          zmax = MAX (zmax, fabs (z_s[i]));
        }
      printf ("# %s: %" G_GUINT64_FORMAT " rounds, %" G_GUINT64_FORMAT " updates and %"
              G_GUINT64_FORMAT " soft locks on rank 0, %" G_GUINT64_FORMAT " bytes sent\n",
              name, st.rounds, st.updates, st.locked, st.bytes_sent);
      g_snprintf (what, sizeof what, "%s: objective, relative difference", name);
      check (fabs (obj_d - obj_s) <= 1e-9 * fabs (obj_s), what, fabs (obj_d - obj_s) / fabs (obj_s), 1e-9);
      g_snprintf (what, sizeof what, "%s: activations, largest difference (largest activation %.3g)", name, zmax);
      check (dz <= 1e-6 && zmax > 0.5, what, dz, 1e-6);
      /* Optimality of the distributed solution itself. */
      g_snprintf (what, sizeof what, "%s: KKT violation / λ", name);
      {
        double kkt = as_csc_kkt_violation (s, atoms, x, z_d, lambda, TRUE);
        check (kkt <= 1e-6, what, kkt, 1e-6);
      }
      g_free (z_s);
    }
  g_free (z_d);
  as_distributed_free (d);
  g_free (atoms);
  g_free (x);
}

static void
learn_case (const char *name, const AsCscShape *s, gboolean rank1, AsCdlInit init,
            gboolean lambda_absolute)
{
  double *atoms = g_new (double, s->n_atoms * as_csc_atom_size (s));
  double *x = simulate (s, 11, atoms);
  AsCdlParams p;
  GError *error = NULL;
  AsDistributed *d;
  AsCdlModel *md;
  char what[200];

  as_cdl_params_init (&p);
  p.n_atoms = s->n_atoms;
  p.atom_length = s->atom_width;
  p.atom_height = s->atom_height;
  p.rank1 = rank1;
  p.init = init;
  p.seed = 5;
  p.lambda = lambda_absolute ? 0.3 : 0.1;
  p.lambda_absolute = lambda_absolute;
  p.max_iter = 6;
  p.tol = 1e-12;
  p.z_tol = 1e-9;
  p.resample_unused = FALSE;
  p.sort_atoms = FALSE;
  p.tukey = 0.0;
  d = as_distributed_new_from_data (MPI_COMM_WORLD, x, s->n_channels, s->height, s->width,
                                    s->n_atoms, s->atom_height, s->atom_width, &error);
  g_assert_no_error (error);
  md = as_distributed_learn (d, &p, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (rank == 0)
    {
      AsCdlModel *ms = as_cdl_learn (x, 1, s->n_channels, s->height, s->width, &p, NULL, NULL,
                                     &error);
      double os, od;
      g_assert_no_error (error);
      os = as_cdl_model_last_objective (ms);
      od = as_cdl_model_last_objective (md);
      printf ("# %s: objective %.12g (one process) and %.12g (distributed) after %u iterations\n",
              name, os, od, md->iteration);
      g_snprintf (what, sizeof what, "%s: λ_max of the data, relative difference", name);
      check (fabs (ms->lambda_max - md->lambda_max) <= 1e-12 * ms->lambda_max, what,
             fabs (ms->lambda_max - md->lambda_max) / ms->lambda_max, 1e-12);
      g_snprintf (what, sizeof what, "%s: learned objective, relative difference", name);
      check (fabs (os - od) <= 1e-6 * fabs (os) && md->iteration == ms->iteration
             && md->trace->len == ms->trace->len, what, fabs (os - od) / fabs (os), 1e-6);
      as_cdl_model_unref (ms);
      as_cdl_model_unref (md);
    }
  as_distributed_free (d);
  g_free (atoms);
  g_free (x);
}

/* Encoding: the model's atoms held fixed, λ a fraction of the data's λ_max, against
 * as_cdl_encode() on one process. */
static void
encode_case (const char *name, const AsCscShape *s)
{
  AsCdlModel *dict = as_cdl_model_new (s, 1, FALSE, TRUE);
  double *x = simulate (s, 13, dict->atoms);
  AsCdlParams p;
  GError *error = NULL;
  AsDistributed *d;
  AsCdlModel *md;
  char what[200];

  as_cdl_params_init (&p);
  p.lambda = 0.2;
  p.lambda_absolute = FALSE;
  p.z_tol = 1e-10;
  d = as_distributed_new_from_data (MPI_COMM_WORLD, x, s->n_channels, s->height, s->width,
                                    s->n_atoms, s->atom_height, s->atom_width, &error);
  g_assert_no_error (error);
  md = as_distributed_encode (d, dict, &p, NULL, &error);
  g_assert_no_error (error);
  if (rank == 0)
    {
      AsCdlModel *ms = as_cdl_encode (x, 1, s->n_channels, s->height, s->width, dict, &p, NULL,
                                      &error);
      const gsize zsz = s->n_atoms * as_csc_n_valid (s);
      double os, od, dz = 0.0;
      g_assert_no_error (error);
      os = as_cdl_model_last_objective (ms);
      od = as_cdl_model_last_objective (md);
      for (gsize i = 0; i < zsz; i++)
        dz = MAX (dz, fabs (ms->activations[i] - md->activations[i]));
      g_snprintf (what, sizeof what, "%s: λ_max and objective, relative difference", name);
      check (fabs (ms->lambda_max - md->lambda_max) <= 1e-12 * ms->lambda_max
             && fabs (os - od) <= 1e-9 * fabs (os), what, fabs (os - od) / fabs (os), 1e-9);
      g_snprintf (what, sizeof what, "%s: activations, largest difference", name);
      check (dz <= 1e-6 && md->encoded, what, dz, 1e-6);
      as_cdl_model_unref (ms);
      as_cdl_model_unref (md);
    }
  as_distributed_free (d);
  as_cdl_model_unref (dict);
  g_free (x);
}

int
main (int argc, char **argv)
{
  int size;
  const AsCscShape signal = { 3, 4, 1, 700, 1, 16 };
  const AsCscShape image = { 2, 1, 40, 44, 5, 5 };
  const AsCscShape learn = { 3, 3, 1, 600, 1, 12 };

  MPI_Init (&argc, &argv);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_engine_set_blas_threads (1);
  if (rank == 0)
    printf ("# %d processes\n", size);
  zstep_case ("z-step, 1-D signal of 4 channels", &signal);
  zstep_case ("z-step, 2-D image", &image);
  encode_case ("encoding, 1-D signal", &signal);
  encode_case ("encoding, 2-D image", &image);
  learn_case ("learning, rank-1 atoms from windows, λ = 0.1 λ_max", &learn, TRUE,
              AS_CDL_INIT_CHUNK, FALSE);
  learn_case ("learning, full-rank random atoms, absolute λ", &learn, FALSE,
              AS_CDL_INIT_RANDOM, TRUE);
  learn_case ("learning, full-rank atoms of an image from windows", &image, FALSE,
              AS_CDL_INIT_CHUNK, FALSE);
  /* The greedy start: one atom, then one more every few iterations from the window worst
   * explained, found by the processes together (as_cdl_learn finds it in the whole data). */
  learn_case ("learning, rank-1 atoms, greedy start", &learn, TRUE, AS_CDL_INIT_GREEDY, FALSE);
  learn_case ("learning, full-rank atoms of an image, greedy start", &image, FALSE,
              AS_CDL_INIT_GREEDY, FALSE);
  MPI_Bcast (&n_failed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize ();
  return n_failed == 0 ? 0 : 1;
}
