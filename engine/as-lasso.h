/* as-lasso.h: the Lasso problem F(z) = ½‖x − Dz‖² + λ‖z‖₁ over a batch of signals.
 *
 * Matrices are row-major doubles: D is n × m (atoms are the columns, unit
 * norm), a batch X is n_signals × n (one signal per row) and codes Z are
 * n_signals × m (one code per row).  With `positive`, codes are constrained
 * to z ≥ 0.  The unrolled networks build on this interface (as-unrolled.h).
 * Every query may be called from several threads at once (the cached L and
 * DᵀD are filled under a lock); as_lasso_set_lambda must not race with them.
 * as_lasso_solve_reference counts max_iter in epochs of coordinate descent.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AsLasso AsLasso;   /* opaque: D, X, lambda (absolute), positive flag, caches */

AsLasso      *as_lasso_new              (guint n, guint m, const double *D,
                                         guint n_signals, const double *X,
                                         double lambda, gboolean positive);   /* copies D and X */
void          as_lasso_free             (AsLasso *lasso);
guint         as_lasso_get_n            (const AsLasso *lasso);
guint         as_lasso_get_m            (const AsLasso *lasso);
guint         as_lasso_get_n_signals    (const AsLasso *lasso);
const double *as_lasso_get_dictionary   (const AsLasso *lasso);   /* n × m */
const double *as_lasso_get_signals      (const AsLasso *lasso);   /* n_signals × n */
double        as_lasso_get_lambda       (const AsLasso *lasso);
void          as_lasso_set_lambda       (AsLasso *lasso, double lambda);
double        as_lasso_lipschitz        (AsLasso *lasso);          /* L = ‖DᵀD‖₂, cached */
double        as_lasso_lambda_max       (const AsLasso *lasso, guint i); /* ‖Dᵀx_i‖_∞ (max_j (Dᵀx_i)_j if positive) */
double        as_lasso_objective        (const AsLasso *lasso, guint i, const double *z);
double        as_lasso_duality_gap      (const AsLasso *lasso, guint i, const double *z);
double        as_lasso_kkt_violation    (const AsLasso *lasso, guint i, const double *z);
double        as_lasso_support_lipschitz (const AsLasso *lasso, const double *z); /* L_S, S = supp(z); L if S empty */
/* Solves every signal to relative duality gap ≤ rel_gap (gap / max(F, tiny)); Z is a warm
 * start on entry (n_signals × m, zeros allowed) and the solution on exit. */
gboolean      as_lasso_solve_reference  (AsLasso *lasso, double *Z, double rel_gap,
                                         guint max_iter, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsLasso, as_lasso_free)

/* --- beyond the contract --- */

gboolean      as_lasso_get_positive     (const AsLasso *lasso);
/* λ = fraction × max_i λ_max(x_i) (for signals on the equiregularization set
 * every λ_max is 1, so this is Ablin et al. 2019's "λ as a fraction of λ_max"). */
void          as_lasso_set_lambda_fraction (AsLasso *lasso, double fraction);
/* G = DᵀD (m × m), computed on first use and cached. */
const double *as_lasso_get_gram         (AsLasso *lasso);
/* L_S for an explicit support (indices in [0, m), any order); L if size 0. */
double        as_lasso_support_lipschitz_indices (const AsLasso *lasso, const guint *support,
                                                  guint size);
/* Largest eigenvalue of a symmetric dim × dim matrix (LAPACK dsyevr). */
double        as_lasso_top_eigenvalue   (const double *sym, guint dim);
/* Duality gap of z for signal i when the gradient term Dᵀ(Dz − x_i) (`grad`,
 * length m) and the residual Dz − x_i (`resid`, length n) are already known:
 * used by the batched solvers, which get both from two DGEMMs. */
double        as_lasso_gap_from_residual (const AsLasso *lasso, guint i, const double *z,
                                          const double *resid, const double *grad,
                                          double *objective);
/* Number of j with z_j ≠ 0. */
guint         as_lasso_support_size     (guint m, const double *z);

G_END_DECLS
