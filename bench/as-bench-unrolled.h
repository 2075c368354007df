/* as-bench-unrolled.h: training throughput of unrolled solvers and the
 * seed-004 checks (learned steps beat ISTA on the Lasso).
 *
 * Not a test: `atomscope-cli bench unrolled` prints figures relative to
 * baselines measured in the same run: PyTorch (adopty) run beside us on the
 * same dictionary and minibatch when given its folder, ISTA and FISTA with as
 * many iterations as the network has layers.  Only training steps are timed
 * (no evaluation in the timed region).
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
  guint   n, m, n_layers;      /* Ablin et al. 2019: 64, 256; T = 20 */
  guint   batch_size;          /* throughput minibatch (256) */
  double  seconds;             /* timing budget of one measurement */
  const char *peer_dir;        /* folder holding adopty (PyTorch), or NULL */
  guint   train_size, test_size, epochs;  /* the full-batch SLISTA seed-004 runs */
  guint   cp_train_size, cp_batch, cp_epochs; /* the LISTA-CP run (minibatch Adam: it has
                                                 T(nm + m) parameters and overfits small sets) */
  gboolean skip_checks;        /* throughput only */
  guint64 seed;
} AsBenchUnrolledParams;

void     as_bench_unrolled_params_init (AsBenchUnrolledParams *params);
/* @goals_met (may be NULL): FALSE when a peer ran and a ratio missed its goal. */
gboolean as_bench_unrolled_run         (const AsBenchUnrolledParams *params, FILE *out,
                                        gboolean *goals_met, GError **error);

G_END_DECLS
