/* as-unrolled.h: unrolled Lasso solvers (LISTA, LISTA-CP, ALISTA, SLISTA) with
 * a batched forward pass and hand-written back-propagation.
 *
 * A network of T layers over a dictionary D (n × m, unit-norm columns) maps a
 * batch of signals X (B × n, one per row) to codes Z (B × m).  Layer t
 * (1-based, z⁰ = 0, r = Dz^{t−1} − x) is, with ST the soft threshold
 * (non-negative variant: max(u − τ, 0)):
 *
 *   SLISTA    z^t = ST(z^{t−1} − α_t Dᵀr, λα_t)                  params α_t
 *   ALISTA    z^t = ST(z^{t−1} − γ_t W̃ᵀr, λθ_t)                 params γ_t, θ_t
 *   LISTA-CP  z^t = ST(z^{t−1} − W_tᵀr, λθ_t)                     params W_t (n×m), θ_t (m)
 *   LISTA     z^t = ST(S_t z^{t−1} + W_{e,t} x, λθ_t)             params S_t (m×m, t ≥ 2),
 *                                                                  W_{e,t} (m×n), θ_t (m)
 *
 * (docs/maths.md, "Unrolled layers"; Ablin, Moreau, Massias, Gramfort,
 * "Learning step sizes for unfolded sparse coding", NeurIPS 2019; LISTA:
 * Gregor & LeCun 2010; LISTA-CP: Chen et al. 2018; ALISTA: Liu et al. 2019.)
 * Thresholds are λ times a learned quantity, so λ stays an input of the
 * forward pass.  New networks start from ISTA's weights (step 1/L): an
 * untrained SLISTA, LISTA-CP or LISTA is exactly T iterations of ISTA.
 *
 * All parameters live in one flat vector (as_unrolled_get_params), layer after
 * layer; within a layer, in the order listed above (LISTA: S_t (t ≥ 2), then
 * W_{e,t}, then θ_t; matrices row-major).  Optimisers and finite differences
 * work on that vector directly.
 *
 * Back-propagation (docs/maths.md, "Back-propagation through T layers"): the
 * soft threshold is differentiated with the convention s_t = 1{z^t ≠ 0}: at an
 * exact kink |u| = τ the output is 0 and the derivative taken is 0 (the right
 * or left derivative, whichever belongs to the zero branch), and the ℓ1 term
 * of the unsupervised loss uses sign(0) = 0.  These are the derivatives of the
 * piecewise-smooth function on the open pieces; the finite-difference tests
 * draw problems whose pre-activations stay away from the kinks.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AS_UNROLLED_LISTA,
  AS_UNROLLED_LISTA_CP,
  AS_UNROLLED_ALISTA,
  AS_UNROLLED_SLISTA,
} AsUnrolledKind;

typedef enum
{
  AS_UNROLLED_LOSS_SUPERVISED,      /* ½‖z^T − z_true‖², z_true the generating codes */
  AS_UNROLLED_LOSS_SEMI_SUPERVISED, /* ½‖z^T − z*(x)‖², z* the Lasso solution */
  AS_UNROLLED_LOSS_UNSUPERVISED,    /* ½‖x − Dz^T‖² + λ‖z^T‖₁, the Lasso cost */
} AsUnrolledLoss;

const char *as_unrolled_kind_to_string   (AsUnrolledKind kind);  /* "lista", "lista-cp", "alista", "slista" */
gboolean    as_unrolled_kind_from_string (const char *name, AsUnrolledKind *kind);
const char *as_unrolled_loss_to_string   (AsUnrolledLoss loss);  /* "supervised", "semi-supervised", "unsupervised" */
gboolean    as_unrolled_loss_from_string (const char *name, AsUnrolledLoss *loss);

typedef struct _AsUnrolled AsUnrolled;

/* Copies D.  Fails when D has a zero column or, for ALISTA, when DDᵀ is singular. */
AsUnrolled   *as_unrolled_new            (AsUnrolledKind kind,
                                          guint          n_layers,
                                          guint          n,
                                          guint          m,
                                          const double  *D,
                                          gboolean       positive,
                                          GError       **error);
AsUnrolled   *as_unrolled_copy           (const AsUnrolled *net);
void          as_unrolled_free           (AsUnrolled *net);
AsUnrolledKind as_unrolled_get_kind      (const AsUnrolled *net);
guint         as_unrolled_get_n_layers   (const AsUnrolled *net);
guint         as_unrolled_get_n          (const AsUnrolled *net);
guint         as_unrolled_get_m          (const AsUnrolled *net);
gboolean      as_unrolled_get_positive   (const AsUnrolled *net);
const double *as_unrolled_get_dictionary (const AsUnrolled *net);     /* n × m */
double        as_unrolled_get_lipschitz  (const AsUnrolled *net);     /* L = ‖DᵀD‖₂ (as_lasso_lipschitz) */
/* ALISTA's analytic weights W̃ (n × m), NULL for the other kinds. */
const double *as_unrolled_get_alista_weights (const AsUnrolled *net);
/* Replace W̃ (used when loading a saved ALISTA network, so outputs are bit-exact). */
void          as_unrolled_set_alista_weights (AsUnrolled *net, const double *W);
gsize         as_unrolled_get_n_params   (const AsUnrolled *net);
double       *as_unrolled_get_params     (AsUnrolled *net);
const double *as_unrolled_peek_params    (const AsUnrolled *net);
/* First index of layer t's parameters (t = 1 … T); t = T + 1 gives the total. */
gsize         as_unrolled_layer_offset   (const AsUnrolled *net, guint t);
/* Back to ISTA's weights (ALISTA: γ_t = θ_t = 1/L). */
void          as_unrolled_reset          (AsUnrolled *net);

/* Memory for one batch: z⁰ … z^T, the residuals r^0 … r^{T−1} and work space. */
typedef struct _AsUnrolledTape AsUnrolledTape;

typedef enum
{
  AS_UNROLLED_FLOAT64,
  AS_UNROLLED_FLOAT32,  /* training work; evaluation stays in float64 */
} AsUnrolledPrecision;

AsUnrolledTape *as_unrolled_tape_new     (const AsUnrolled *net, guint max_batch);  /* float64 */
/* A float32 tape converts the parameters at every forward pass, X and the
 * gradients at the boundary: the interface stays in float64. */
AsUnrolledTape *as_unrolled_tape_new_full (const AsUnrolled *net, guint max_batch,
                                           AsUnrolledPrecision precision);
AsUnrolledPrecision as_unrolled_tape_get_precision (const AsUnrolledTape *tape);
void            as_unrolled_tape_free    (AsUnrolledTape *tape);
/* z^t for the last forward pass, B × m, t = 0 … n_layers (float32 tapes:
 * converted into one buffer, valid until the next call). */
const double   *as_unrolled_tape_get_codes (const AsUnrolledTape *tape, guint t);

/* Runs the first @n_layers layers (≤ T) on B ≤ max_batch signals. */
void     as_unrolled_forward   (const AsUnrolled *net, guint n_layers, guint batch,
                                const double *X, double lambda, AsUnrolledTape *tape);
/* Loss averaged over the batch at z^{n_layers} of the last forward pass;
 * @Ztarget (B × m) is the target of the (semi-)supervised losses, ignored
 * otherwise.  If @G is not NULL it receives ∂ℓ/∂z^{n_layers} (B × m). */
double   as_unrolled_loss      (const AsUnrolled *net, AsUnrolledLoss loss, guint n_layers,
                                guint batch, const double *X, const double *Ztarget,
                                double lambda, AsUnrolledTape *tape, double *G);
/* Back-propagates @G = ∂ℓ/∂z^{n_layers} (overwritten) through layers n_layers … first_layer
 * and writes ∂ℓ/∂params into @grad (n_params; entries of layers outside the range are 0). */
void     as_unrolled_backward  (const AsUnrolled *net, guint n_layers, guint first_layer,
                                guint batch, const double *X, double lambda,
                                AsUnrolledTape *tape, double *G, double *grad);
/* The same with a loss on every layer below n_layers too (layer_loss ≥ 0, an
 * AsUnrolledLoss; @Ztarget its target when (semi-)supervised): ∂ℓ(z^t)/∂z^t
 * weighted by @layer_weights[t] (t = 1 … n_layers − 1) is added to the
 * gradient reaching layer t.  With G = layer_weights[n_layers]·∂ℓ/∂z^{n_layers}
 * this back-propagates Σ_t w_t ℓ(z^t), the objective that trains every layer
 * as a solver of its own depth. */
void     as_unrolled_backward_layers (const AsUnrolled *net, guint n_layers, guint first_layer,
                                      guint batch, const double *X, const double *Ztarget,
                                      double lambda, int layer_loss, const double *layer_weights,
                                      AsUnrolledTape *tape, double *G, double *grad);
/* Forward, loss and gradient of the whole network in one call; returns the loss. */
double   as_unrolled_loss_and_gradient (const AsUnrolled *net, AsUnrolledLoss loss,
                                        guint batch, const double *X, const double *Ztarget,
                                        double lambda, AsUnrolledTape *tape, double *grad);
/* z^T for B signals (allocates its own tape). */
void     as_unrolled_apply     (const AsUnrolled *net, guint batch, const double *X,
                                double lambda, double *Z);

/* ---- Analyses for the teaching view ---- */

/* Effective step per layer: SLISTA α_t, ALISTA γ_t, LISTA-CP and LISTA the
 * least-squares scale of W_t onto D, ⟨W_t, D⟩/‖D‖²_F (W_t = W_{e,t}ᵀ for LISTA). */
void     as_unrolled_effective_steps (const AsUnrolled *net, double *steps);
/* Threshold per layer divided by λ: SLISTA α_t, ALISTA θ_t, others mean_j θ_{t,j}. */
void     as_unrolled_thresholds      (const AsUnrolled *net, double *thresholds);
/* Weight coupling (Ablin et al. 2019, Lemma 4.3 / Theorem 4.4: (α/β)·W → D).  For
 * LISTA-CP and LISTA, per layer, c_t = ‖W_t·diag(θ_t)⁻¹ − D‖_F / ‖D‖_F, with
 * W_t the n × m matrix applied to the residual (LISTA: W_{e,t}ᵀ) and θ_t the
 * per-atom thresholds over λ (β in the seed; α = 1).  c_t = 0 at ISTA's
 * weights and whenever layer t is an ISTA step with some step size.
 * Returns FALSE (and NaN) for SLISTA and ALISTA, which are coupled by design. */
gboolean as_unrolled_weight_coupling (const AsUnrolled *net, double *coupling);
/* For LISTA only: ‖S_t − (I − W_{e,t}D)‖_F / ‖I − W_{e,t}D‖_F, t ≥ 2 (NaN for t = 1);
 * 0 when S_t is tied to W_{e,t} as in ISTA.  FALSE for the other kinds. */
gboolean as_unrolled_lista_tying     (const AsUnrolled *net, double *tying);

/* ---- Helpers ---- */

/* The Lasso quantities (L, L_S, objective, duality gap, reference solutions,
 * ISTA/FISTA baselines) come from the sparse-coding area: as-lasso.h and
 * as-solver.h. */

/* ALISTA's W̃ (n × m): w_i = (DDᵀ)⁻¹d_i / (d_iᵀ(DDᵀ)⁻¹d_i), minimiser of
 * Σ_{i≠j}(w_iᵀd_j)² subject to w_iᵀd_i = 1 (docs/maths.md).  FALSE if DDᵀ is singular. */
gboolean as_unrolled_alista_weights  (guint n, guint m, const double *D, double *W, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsUnrolled, as_unrolled_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsUnrolledTape, as_unrolled_tape_free)

G_END_DECLS
