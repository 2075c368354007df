/* as-bench-distributed.c: "atomscope-cli bench distributed": learning split between MPI
 * processes on an hour of 64 channels (the scale problem of "bench cdl"), timed with 1 and
 * 2 processes in the same run, the bytes each process sends, and the communication model
 * of docs/distributed.md extrapolated to 16–256 processes.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <mpi.h>
#include <glib/gi18n.h>

#include "as-bench-out.h"
#include "as-bench-distributed.h"
#include "as-cdl-sim.h"
#include "as-distributed.h"
#include "as-engine.h"

#define BENCH_RATE 256
#define BENCH_CHANNELS 64
#define BENCH_ATOMS 10
#define BENCH_LENGTH 128

/* One run under mpirun: every process simulates the same hour (same seed), keeps its
 * region and its borders, and learns; rank 0 prints one line for the driver. */
int
as_bench_distributed_worker (double hours, guint iterations)
{
  AsCdlSimParams sp;
  AsCdlSimulation *sim;
  AsCdlParams p;
  AsDistributed *d;
  AsDistributedStats st;
  AsCdlModel *m;
  GError *error = NULL;
  int rank, size;
  guint64 bytes[2], bytes_max[2];

  MPI_Init (NULL, NULL);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_engine_set_blas_threads (1);
  as_cdl_sim_params_init (&sp);
  sp.n_trials = 1;
  sp.n_channels = BENCH_CHANNELS;
  sp.n_times = (guint) (hours * 3600 * BENCH_RATE);
  sp.n_atoms = BENCH_ATOMS;
  sp.atom_length = BENCH_LENGTH;
  sp.rate = 0.5 / BENCH_RATE;
  sp.noise_std = 0.01;
  sp.seed = 5;
  sim = as_cdl_simulate_signals (&sp);
  d = as_distributed_new_from_data (MPI_COMM_WORLD, sim->x, BENCH_CHANNELS, 1, sp.n_times,
                                    BENCH_ATOMS, 1, BENCH_LENGTH, &error);
  as_cdl_simulation_free (sim);
  if (d == NULL)
    {
      if (rank == 0)
        fprintf (stderr, "%s\n", error->message);
      g_clear_error (&error);
      MPI_Finalize ();
      return 1;
    }
  as_cdl_params_init (&p);
  p.n_atoms = BENCH_ATOMS;
  p.atom_length = BENCH_LENGTH;
  p.rank1 = TRUE;
  p.init = AS_CDL_INIT_CHUNK;   /* all atoms from the start, as in "bench cdl" */
  p.max_iter = iterations;
  p.tol = 0;
  p.seed = 1;
  m = as_distributed_learn (d, &p, NULL, NULL, NULL, &st, &error);
  bytes[0] = st.bytes_sent;
  bytes[1] = st.zstep_bytes;
  MPI_Reduce (bytes, bytes_max, 2, MPI_UINT64_T, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0 && m != NULL)
    {
      const AsCdlTracePoint *first = &g_array_index (m->trace, AsCdlTracePoint, 0);
      const AsCdlTracePoint *last = &g_array_index (m->trace, AsCdlTracePoint, m->trace->len - 1);
      double zt = 0.0, prev = first->time;
      for (guint i = 1; i < m->trace->len; i++)
        {
          const AsCdlTracePoint *tp = &g_array_index (m->trace, AsCdlTracePoint, i);
          if (tp->half == 0)
            zt += tp->time - prev;
          prev = tp->time;
        }
      /* W, time per iteration, z-step share, bytes per iteration and z-step bytes per
       * iteration (the busiest process), rounds, objective */
      printf ("RESULT %d %.6f %.6f %.1f %.1f %.3f %.10g\n", size,
              (last->time - first->time) / MAX (1u, m->iteration), zt / MAX (1u, m->iteration),
              (double) bytes_max[0] / MAX (1u, m->iteration),
              (double) bytes_max[1] / MAX (1u, m->iteration),
              (double) st.rounds / MAX (1u, m->iteration), last->objective);
      fflush (stdout);
    }
  if (m != NULL)
    as_cdl_model_unref (m);
  as_distributed_free (d);
  MPI_Finalize ();
  return 0;
}

typedef struct
{
  int    size;
  double t_iter, t_z, bytes, zbytes, rounds, objective;
} Result;

static gboolean
run_one (const char *self, int np, double hours, guint iterations, Result *r, GError **error)
{
  g_autofree char *np_s = g_strdup_printf ("%d", np);
  g_autofree char *h_s = g_strdup_printf ("%g", hours);
  g_autofree char *it_s = g_strdup_printf ("%u", iterations);
  g_autofree char *out = NULL;
  const char *argv[] = { "mpirun", "--oversubscribe", "--allow-run-as-root", "-np", np_s, self,
                         "bench", "distributed", "--worker", "--hours", h_s,
                         "--iterations", it_s, NULL };
  int status;
  const char *line;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                     &status, error))
    return FALSE;
  line = out != NULL ? strstr (out, "RESULT ") : NULL;
  if (!g_spawn_check_wait_status (status, error) || line == NULL
      || sscanf (line, "RESULT %d %lf %lf %lf %lf %lf %lf", &r->size, &r->t_iter, &r->t_z,
                 &r->bytes, &r->zbytes, &r->rounds, &r->objective) != 7)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                     _("the run with %d processes printed no result"), np);
      return FALSE;
    }
  return TRUE;
}

int
as_bench_distributed (const char *self, double hours, guint iterations, FILE *out)
{
  Result r1, r2;
  GError *error = NULL;
  const double P = BENCH_CHANNELS, K = BENCH_ATOMS, L = BENCH_LENGTH;
  const double n_stats = K * K * (2 * L - 1) + K * P * L + 2;
  const guint ranks[] = { 16, 32, 64, 128, 256 };
  /* Assumed network (not measured here): latency α and bandwidth β of a cluster link. */
  const double alpha = 5e-6, beta = 1e9;
  double border, t_comp;

  as_bench_print (out, _("Distributed CDL: %.2f h of %d channels at %d Hz (%.0f samples), K=%d rank-1 atoms of %d samples, %u outer iterations\n"),
           hours, BENCH_CHANNELS, BENCH_RATE, hours * 3600 * BENCH_RATE, BENCH_ATOMS,
           BENCH_LENGTH, iterations);
  fflush (out);
  if (!run_one (self, 1, hours, iterations, &r1, &error)
      || !run_one (self, 2, hours, iterations, &r2, &error))
    {
      as_bench_print (out, _("   cannot run mpirun: %s\n"), error->message);
      g_clear_error (&error);
      return 1;
    }
  as_bench_print (out, _("   1 process:   %.2f s per outer iteration (z-step %.2f s), %.0f bytes sent per iteration, objective %.8g\n"),
           r1.t_iter, r1.t_z, r1.bytes, r1.objective);
  as_bench_print (out, _("   2 processes: %.2f s per outer iteration (z-step %.2f s), %.0f bytes sent per iteration by the busiest process, %.1f exchange rounds per z-step, objective %.8g\n"),
           r2.t_iter, r2.t_z, r2.bytes, r2.rounds, r2.objective);
  as_bench_print (out, _("   of which in the z-step (border updates, stopping tests): %.0f bytes per iteration\n"),
           r2.zbytes);
  as_bench_print (out, _("   speed-up 1 → 2 processes: %.2f× per outer iteration (goal ≥ 1.7× on 2 free cores), %.2f× on the z-step\n"),
           r1.t_iter / r2.t_iter, r1.t_z / r2.t_z);

  /* The model (docs/distributed.md): per process and iteration, the statistics' ring
   * all-reduce 2(W − 1)/W · 8·n_stats bytes, the border messages of two neighbours (twice
   * the one border measured with 2 processes, which does not grow with W), and 16 bytes per
   * exchange round for the stopping test on each of log₂ W levels of the reduction tree. */
  border = MAX (0.0, r2.zbytes - 16.0 * r2.rounds);
  t_comp = r1.t_iter;
  as_bench_print (out, _("   model (α = %.0f µs latency and β = %.0f GB/s assumed, not measured; computation divided evenly):\n"),
           alpha * 1e6, beta / 1e9);
  fprintf (out, "   %6s %16s %14s %14s %10s\n", _("W"), _("bytes/iteration"), _("compute (s)"),
           _("messages (s)"), _("speed-up"));
  for (guint i = 0; i < G_N_ELEMENTS (ranks); i++)
    {
      const double W = ranks[i], lg = log2 (W);
      const double bytes = 2.0 * (W - 1) / W * 8.0 * n_stats + 2.0 * border + 16.0 * r2.rounds * lg;
      const double msgs = r2.rounds * (2.0 + lg) * alpha + 2.0 * lg * alpha + bytes / beta;
      const double comp = t_comp / W;
      fprintf (out, "   %6.0f %16.0f %14.4f %14.6f %9.1f×\n", W, bytes, comp, msgs,
               t_comp / (comp + msgs));
    }
  return 0;
}
