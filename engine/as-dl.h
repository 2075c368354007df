/* as-dl.h: dictionary learners on one interface, and the gradient estimates
 * of unrolled dictionary learning.
 *
 * All learners minimise (1/N) Σ_i ½‖x_i − D z_i‖² + λ‖z_i‖₁ over D (n × m,
 * atoms in the unit ball) and the codes, from the same initial dictionary:
 *
 *   am        alternating minimisation: every code solved to a small
 *             duality gap (as_dl_sparse_code), then the D-step by
 *             block-coordinate descent on the sufficient statistics
 *             A = ZᵀZ, B = XᵀZ (Mairal, Bach, Ponce & Sapiro 2009, Alg. 2);
 *   online    online dictionary learning (Mairal et al. 2009, Alg. 1): mini-
 *             batches coded to tolerance, A and B accumulated with forgetting,
 *             one block-coordinate pass per mini-batch;
 *   unrolled  D updated by projected gradient steps on the loss of T layers
 *             of ISTA or FISTA (step 1/L, L held fixed during a step), with the
 *             analytic, automatic or implicit gradient estimate
 *             (Tolooshams et al. 2018; Malézieux, Moreau & Kowalski 2022).
 *
 * Formulas: docs/dictionary-learning.md.  Row-major doubles, one signal per
 * row of X (N × n), one code per row of Z (N × m).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-dl-sim.h"

G_BEGIN_DECLS

typedef enum
{
  AS_DL_LEARNER_AM,
  AS_DL_LEARNER_ONLINE,
  AS_DL_LEARNER_UNROLLED,
  AS_DL_N_LEARNERS
} AsDlLearner;

typedef enum
{
  AS_DL_GRADIENT_ANALYTIC,   /* (Dz^T − x)(z^T)ᵀ: the code taken as fixed */
  AS_DL_GRADIENT_AUTOMATIC,  /* back-propagated through the T layers */
  AS_DL_GRADIENT_IMPLICIT,   /* analytic + the support Jacobian of the Lasso fixed point */
  AS_DL_N_GRADIENTS
} AsDlGradient;

typedef enum
{
  AS_DL_LAYERS_ISTA,
  AS_DL_LAYERS_FISTA,
  AS_DL_N_LAYER_KINDS
} AsDlLayers;

const char *as_dl_learner_to_string    (AsDlLearner learner);   /* "am", "online", "unrolled" */
gboolean    as_dl_learner_from_string  (const char *name, AsDlLearner *learner);
const char *as_dl_gradient_to_string   (AsDlGradient gradient); /* "analytic", "automatic", "implicit" */
gboolean    as_dl_gradient_from_string (const char *name, AsDlGradient *gradient);
const char *as_dl_layers_to_string     (AsDlLayers layers);     /* "ista", "fista" */
gboolean    as_dl_layers_from_string   (const char *name, AsDlLayers *layers);

typedef struct
{
  AsDlLearner  learner;
  guint        m;               /* atoms to learn */
  double       lambda;          /* λ as a fraction of mean_i ‖D₀ᵀx_i‖_∞ (D₀ the initial dictionary) */
  guint        n_iter;          /* am: outer iterations; online: mini-batches; unrolled: steps */
  double       tol;             /* relative duality gap of the exact sparse coding */
  guint        batch;           /* online and unrolled mini-batch size (0: all signals) */
  guint        n_layers;        /* unrolled: T */
  AsDlLayers   layers;
  AsDlGradient gradient;
  guint64      seed;            /* initial atoms (m signals drawn from X) and mini-batches */
} AsDlParams;

typedef struct
{
  double lambda;       /* the absolute λ used */
  double objective;    /* (1/N) Σ F(x_i, D, z_i) at the returned D and codes */
  double seconds;      /* wall-clock time of the learning */
  guint  iterations;
} AsDlStats;

/* am, λ = 0.1, 30 iterations, tolerance 1e-6, batch 256, T = 20 FISTA layers,
 * automatic gradient. */
void     as_dl_params_init   (AsDlParams *p);

/* Learns D (n × p->m, written) from X (N × n).  @D_init (n × m) replaces the
 * initial atoms drawn from X when not NULL.  When @Z (N × m) is not NULL it
 * receives the codes of every signal for the returned D, solved to the
 * tolerance (as are the codes behind stats->objective).  FALSE with @error on
 * invalid parameters or a non-finite iterate. */
gboolean as_dl_learn         (const AsDlParams *p, guint n, guint N, const double *X,
                              const double *D_init, double *D, double *Z, AsDlStats *stats,
                              GError **error);

/* Codes of X (N × n) for D (n × m), each solved to relative duality gap @tol
 * (as_lasso_solve_reference); Z (N × m) is a warm start on entry.  Returns the
 * mean objective, NAN with @error on failure (AS_ENGINE_ERROR_NUMERIC when
 * the tolerance was not met; Z then holds the codes reached). */
double   as_dl_sparse_code   (guint n, guint m, const double *D, guint N, const double *X,
                              double lambda, double tol, double *Z, GError **error);

/* The block-coordinate D-step of Mairal et al. 2009 (Alg. 2), @n_pass passes:
 * d_j ← Π(d_j + (b_j − D a_j)/A_jj), Π the projection on the unit ball, with
 * A = ZᵀZ (m × m) and B = XᵀZ (n × m).  Atoms with A_jj = 0 are left alone. */
void     as_dl_dstep_bcd     (guint n, guint m, const double *A, const double *B, double *D,
                              guint n_pass);

/* The unrolled loss ℓ_T(D) = (1/B) Σ_b ½‖x_b − D z_b^T‖² + λ‖z_b^T‖₁, z^T after
 * T layers of ISTA or FISTA from z⁰ = 0 with step 1/@L (L is a parameter, not a
 * function of D), and in @grad (n × m, may be NULL) the chosen estimate of its
 * gradient with respect to D.  @Z (B × m, may be NULL) receives z^T. */
double   as_dl_unrolled_gradient (guint n, guint m, const double *D, guint B, const double *X,
                                  double lambda, double L, AsDlLayers layers, guint T,
                                  AsDlGradient gradient, double *grad, double *Z);

/* grad += Jᵀv for one signal, with J = ∂z_S/∂D the Jacobian of the Lasso
 * solution on the support S = supp(z) with the signs of z held fixed,
 * z_S = (D_SᵀD_S)⁻¹(D_Sᵀx − λ sign z_S), evaluated at the given z
 * (docs/dictionary-learning.md, "Implicit gradient").  v has length m (only
 * its entries on S are read).  FALSE, and @grad unchanged, when D_SᵀD_S is
 * singular or badly conditioned (reciprocal condition below 1e-10, or |S| ≥ n). */
gboolean as_dl_support_vjp   (guint n, guint m, const double *D, const double *x,
                              const double *z, const double *v, double *grad);

/* Error of the three estimates against the true gradient g* = ∇V(D) of the
 * value function V(D) = (1/B) Σ_b min_z F(x_b, D, z) (the analytic gradient
 * at codes solved to relative gap 1e-12), for T = 1 … @max_layers:
 * errors[g·max_layers + (T − 1)] = ‖ĝ_T − g*‖_F / ‖g*‖_F for each estimate g.
 * L = ‖DᵀD‖₂. */
gboolean as_dl_gradient_errors (guint n, guint m, const double *D, guint B, const double *X,
                                double lambda, AsDlLayers layers, guint max_layers,
                                double *errors, GError **error);

G_END_DECLS
