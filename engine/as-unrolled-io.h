/* as-unrolled-io.h: saving and loading trained unrolled networks.
 *
 * A saved network is a directory:
 *
 *   network.json        header (json-glib), see below
 *   params.npy          the flat parameter vector (as_unrolled_get_params), float64,
 *                       shape (n_params,): the authoritative parameters
 *   dictionary.npy      D, shape (n, m)
 *   alista_weights.npy  W̃, shape (n, m) (ALISTA only; stored, not recomputed,
 *                       so a loaded network gives bit-identical outputs)
 *   Readable copies of the parameters, per kind (exports; not read back):
 *     slista:   steps.npy (T,)                  α_t
 *     alista:   gamma.npy (T,), theta.npy (T,)  γ_t, θ_t
 *     lista-cp: W.npy (T, n, m), theta.npy (T, m)
 *     lista:    S.npy (T − 1, m, m) for layers 2 … T, We.npy (T, m, n), theta.npy (T, m)
 *   parameters.csv      per layer: layer, effective step, threshold/λ, weight coupling
 *
 * network.json:
 *   {
 *     "format": "atomscope-unrolled", "version": 1,
 *     "kind": "slista" | "alista" | "lista-cp" | "lista",
 *     "layers": T, "n": n, "m": m, "positive": false,
 *     "n_params": P, "lipschitz": L,
 *     "lambda": λ, "lambda_fraction": λ/λ_max,
 *     "loss": "supervised" | "semi-supervised" | "unsupervised",
 *     "optimizer": "adam" | "sgd", "learning_rate": lr (current), "epochs": E,
 *     "history": { "train_loss": [E values],
 *                  "eval_epoch": [...], "test_gap_mean": [...] },
 *     "test_gap": { "mean": [T + 1 values, layers 0 … T], "median": [...] },
 *     "files": { "params": "params.npy", "dictionary": "dictionary.npy", … }
 *   }
 * Thresholds are stored divided by λ, so a network can be run at another λ.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-unrolled.h"
#include "as-unrolled-train.h"

G_BEGIN_DECLS

/* What travels with the parameters.  Arrays may be NULL with count 0. */
typedef struct
{
  double          lambda;
  double          lambda_fraction;
  AsUnrolledLoss  loss;
  char           *optimizer;
  double          learning_rate;
  guint           epochs;
  guint           n_train_loss;
  double         *train_loss;
  guint           n_evals;
  guint          *eval_epoch;
  double         *eval_gap_mean;
  guint           n_gap;          /* T + 1 or 0 */
  double         *gap_mean;
  double         *gap_median;
} AsUnrolledInfo;

void        as_unrolled_info_clear         (AsUnrolledInfo *info);
/* Fills @info from a trainer's snapshot and configuration. */
void        as_unrolled_info_from_snapshot (AsUnrolledInfo *info, const AsUnrolledSnapshot *snapshot,
                                            const AsUnrolledTrainConfig *config);

/* Writes the directory @dir (created if needed).  Fails if @dir already holds
 * a network.json and @overwrite is FALSE. */
gboolean    as_unrolled_save        (const AsUnrolled *net, const AsUnrolledInfo *info,
                                     const char *dir, gboolean overwrite, GError **error);
/* Reads a directory written by as_unrolled_save; @info (may be NULL) receives the header. */
AsUnrolled *as_unrolled_load        (const char *dir, AsUnrolledInfo *info, GError **error);
/* Per-layer summary: layer, effective step, threshold/λ, weight coupling. */
gboolean    as_unrolled_export_csv  (const AsUnrolled *net, const char *path,
                                     gboolean overwrite, GError **error);

G_END_DECLS
