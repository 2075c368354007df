/* as-bench-lasso.h: throughput and time-to-tolerance of the Lasso solvers.
 *
 * Not a test: `atomscope-cli bench lasso` prints figures relative to this
 * machine's own DGEMM rate, measured in the same run, and with a peer folder
 * times scikit-learn's Lasso on the same signals in the same run.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint   n, m, n_signals;     /* the throughput problem (Ablin et al. 2019: 64, 256, 10 000) */
  guint   subset;              /* signals used for the time-to-tolerance runs */
  double  lambda_fraction;     /* λ / λ_max (signals on the equiregularization set) */
  double  tol;                 /* duality gap to reach */
  guint   dgemm_size;          /* square DGEMM used as the machine's baseline */
  guint   throughput_iterations;
  guint   max_iter;            /* cap for the time-to-tolerance runs */
  guint64 seed;
  const char *peer_dir;        /* folder for scikit-learn's side (PYTHONPATH), or NULL */
  gboolean quick;              /* only the solvers compared with the peer, no throughput table */
} AsBenchLassoParams;

void     as_bench_lasso_params_init (AsBenchLassoParams *params);
/* Runs the benchmark and prints a report on out. */
/* @goals_met (may be NULL): FALSE when the peer ran and a ratio missed its goal. */
gboolean as_bench_lasso_run         (const AsBenchLassoParams *params, FILE *out,
                                     gboolean *goals_met, GError **error);
/* Best-of-3 rate of an s × s × s DGEMM, in GFLOP/s. */
double   as_bench_dgemm_rate        (guint size);

G_END_DECLS
