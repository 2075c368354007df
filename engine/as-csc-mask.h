/* as-csc-mask.h: convolutional sparse coding and dictionary learning with samples left out.
 *
 * A mask (one flag per sample of a 1-D trial, shared by every channel; 1 = left out: a gap,
 * a missing value, a blink, a filter's response to a gap) removes samples from the data
 * term: with w[s] = 1 − mask[s] the objective is
 *   ½ Σ_s w[s] ‖X[:, s] − (Σ_k z_k * D_k)[:, s]‖² + λ‖z‖₁
 * (docs/maths.md, "Masked samples").  With X read as zero where mask = 1, this is the usual
 * data term of the zeroed data minus ½ Σ_{s masked} ‖(Σ z * D)[:, s]‖², so the z-step is a
 * coordinate descent whose β gets a correction near masked samples only, and the D-step keeps
 * its sufficient statistics plus a sparse correction ("patches": the activations whose atom
 * covers a masked sample).  Without a mask the unmasked routines of as-csc.h run unchanged.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-csc.h"

G_BEGIN_DECLS

/* Masked LGCD on one 1-D trial x (P × W; values at masked samples are ignored) with
 * @atoms (K × P × L, the atoms as used) and @dtd from as_csc_atom_correlations() (or the
 * rank-1 one); with @u, @v non-NULL (rank-1) the correction near masked samples uses them.
 * The coordinate of atom k at t has the curvature n_k[t] = Σ_τ w[t + τ]‖D_k[:, τ]‖²; an
 * activation as_csc_mask_allows() rules out stays zero.  @stop as in
 * as_csc_lgcd_until().  @z holds the warm start. */
AsCscLgcdStats as_csc_lgcd_masked (const AsCscShape *s, const double *dtd, const double *atoms,
                                   const double *u, const double *v, const double *x,
                                   const guint8 *mask, double lambda, gboolean positive,
                                   double tol, guint64 max_updates, const gint *stop,
                                   double *z);

/* Whether an activation at @t (atom of @L samples) is allowed by @mask (NULL: always): its
 * atom covers some recorded samples and does not straddle a masked run (samples on either
 * side of a gap are not contiguous in time: an EDF+D gap, a blink).  A ruled-out activation
 * stays zero. */
gboolean as_csc_mask_allows (const guint8 *mask, gsize t, guint L);

/* The masked objective summed over trials (x: n × P·W, mask: n × W, z: n × K·valid). */
double as_csc_masked_objective (const AsCscShape *s, const double *atoms, const double *x,
                                const guint8 *mask, const double *z, guint n_trials,
                                double lambda);

/* Gradient of the masked data term in z for one trial, −Dᵀ(w ⊙ (X − Σ z * D)), computed
 * from a reconstruction (independent of LGCD's β). */
void   as_csc_masked_gradient  (const AsCscShape *s, const double *atoms, const double *x,
                                const guint8 *mask, const double *z, double *grad);

/* Largest KKT violation of the masked problem on one trial, divided by λ (as
 * as_csc_kkt_violation()). */
double as_csc_masked_kkt_violation (const AsCscShape *s, const double *atoms, const double *x,
                                    const guint8 *mask, const double *z, double lambda,
                                    gboolean positive);

/* The D-step's correction: for every masked sample s covered by a non-zero activation, the
 * activations a_k(s)[τ] = z_k[s − τ] that put atom sample τ there. */
typedef struct _AsCscMaskPatches AsCscMaskPatches;

AsCscMaskPatches *as_csc_mask_patches_new   (const AsCscShape *s);
void              as_csc_mask_patches_free  (AsCscMaskPatches *p);
/* Empties @p for trials and atoms of shape @s (1-D). */
void              as_csc_mask_patches_clear (AsCscMaskPatches *p, const AsCscShape *s);
/* Adds one trial (mask: W flags, z: K × valid of the shape last given). */
void              as_csc_mask_patches_add   (AsCscMaskPatches *p, const guint8 *mask,
                                             const double *z);
gsize             as_csc_mask_patches_count (const AsCscMaskPatches *p);
/* −½ Σ_s ‖r(s)‖², r(s) = Σ_{k,τ} a_k(s)[τ] D_k[:, τ]: what the masked data term adds to
 * the statistics' cost; @grad (K × P·L, may be NULL) receives += −Σ_s a_k(s)[τ] r(s). */
double            as_csc_mask_patches_cost  (const AsCscMaskPatches *p, const double *atoms,
                                             double *grad);
/* The same for rank-1 atoms u_k v_kᵀ; @grad_u (K × P), @grad_v (K × L) receive += (may be
 * NULL). */
double            as_csc_mask_patches_cost_rank1 (const AsCscMaskPatches *p, const double *u,
                                                  const double *v, double *grad_u,
                                                  double *grad_v);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsCscMaskPatches, as_csc_mask_patches_free)

G_END_DECLS
