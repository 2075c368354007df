/* as-bench-unrolled.h: training throughput of unrolled solvers and the
 * seed-004 checks (learned steps beat ISTA on the Lasso).
 *
 * Not a test: `atomscope-cli bench unrolled` prints figures relative to
 * baselines measured in the same run (this machine's DGEMM rate; ISTA and
 * FISTA with as many iterations as the network has layers).
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
  guint   n, m, n_layers;      /* seed 004: 64, 256; T = 20 */
  guint   batch_size;          /* throughput minibatch (256) */
  guint   throughput_train;    /* training samples of the throughput epochs */
  guint   throughput_epochs;
  guint   train_size, test_size, epochs;  /* the full-batch SLISTA seed-004 runs */
  guint   cp_train_size, cp_batch, cp_epochs; /* the LISTA-CP run (minibatch Adam: it has
                                                 T(nm + m) parameters and overfits small sets) */
  gboolean skip_checks;        /* throughput only */
  guint64 seed;
} AsBenchUnrolledParams;

void     as_bench_unrolled_params_init (AsBenchUnrolledParams *params);
gboolean as_bench_unrolled_run         (const AsBenchUnrolledParams *params, FILE *out, GError **error);

G_END_DECLS
