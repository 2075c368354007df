/* as-cdl-dstep.h: the dictionary update of CDL from sufficient statistics.
 *
 * With ztz[k][l][j] = Σ_s z_k[s] z_l[s + j − (L − 1)] (K × K × (2h−1)(2w−1)) and
 * ztx[k][p][τ] = Σ_s z_k[s] X[p][s + τ] (K × P·h·w), summed over trials, the data term
 * is ½⟨D, ztz ⊛ D⟩ − ⟨D, ztx⟩ + ½‖X‖² and its gradient ztz ⊛ D − ztx (docs/maths.md,
 * "D-step from sufficient statistics"; alphacsc's _d_solver / compute_ztz).  The cost of
 * a D-step then does not grow with the signal length.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-csc.h"

G_BEGIN_DECLS

/* Adds one trial's contribution (x: P·H·W, z: K·valid) to @ztz and @ztx. */
void   as_cdl_stats_add        (const AsCscShape *s, const double *x, const double *z,
                                double *ztz, double *ztx);

/* The same with z_k[s] restricted to positions s in rows [y0, y1) × columns [x0, x1) (its
 * partners z_l[t] anywhere): one process's share when the positions are split between
 * processes (as-distributed.c); the shares of a partition sum to the whole. */
void   as_cdl_stats_add_region (const AsCscShape *s, const double *x, const double *z,
                                guint y0, guint y1, guint x0, guint x1, double *ztz,
                                double *ztx);

/* out[k] = Σ_l ztz_kl ⊛ D_l (K × P·h·w). */
void   as_cdl_ztz_apply        (const AsCscShape *s, const double *ztz, const double *atoms,
                                double *out);

/* ½⟨D, ztz ⊛ D⟩ − ⟨D, ztx⟩ + ½‖X‖²; @grad (may be NULL) receives ztz ⊛ D − ztx. */
double as_cdl_dstep_cost       (const AsCscShape *s, const double *ztz, const double *ztx,
                                double x2, const double *atoms, double *grad);

/* Rank-1 atoms D_k = u_k v_kᵀ: cost and gradients ∇_u = Σ_τ ∇_D · v, ∇_v = Σ_p ∇_D · u
 * (each may be NULL), computed in O(K²·(h·w)² + K·P·h·w) without forming D. */
double as_cdl_dstep_cost_rank1 (const AsCscShape *s, const double *ztz, const double *ztx,
                                double x2, const double *u, const double *v,
                                double *grad_u, double *grad_v);

/* Projected gradient with Armijo backtracking on ‖D_k‖ ≤ 1; the cost never increases.
 * With @window (h·w values, e.g. a Tukey taper, or NULL) the atoms used in the model are
 * window ⊙ @atoms and @atoms is the parameter.  Returns the final cost. */
double as_cdl_dstep            (const AsCscShape *s, const double *ztz, const double *ztx,
                                double x2, const double *window, double *atoms,
                                guint max_iter, double tol);

/* Alternating projected gradient on u (‖u_k‖ ≤ 1) then v (‖v_k‖ ≤ 1); the waveform used
 * is window ⊙ v when @window is not NULL. */
double as_cdl_dstep_rank1      (const AsCscShape *s, const double *ztz, const double *ztx,
                                double x2, const double *window, double *u, double *v,
                                guint max_iter, double tol);

/* The same two updates for masked data (as-csc-mask.h): the statistics of the data zeroed at
 * masked samples plus the masked samples' correction @patches (NULL: the calls above). */
typedef struct _AsCscMaskPatches AsCscMaskPatches;
double as_cdl_dstep_masked     (const AsCscShape *s, const double *ztz, const double *ztx,
                                double x2, const AsCscMaskPatches *patches,
                                const double *window, double *atoms, guint max_iter,
                                double tol);
double as_cdl_dstep_rank1_masked (const AsCscShape *s, const double *ztz, const double *ztx,
                                  double x2, const AsCscMaskPatches *patches,
                                  const double *window, double *u, double *v,
                                  guint max_iter, double tol);

/* Rank-1 atom correlations for LGCD: dtd[k][l] = (v_k ⋆ v_l)·u_kᵀu_l. */
void   as_cdl_atom_correlations_rank1 (const AsCscShape *s, const double *u, const double *v,
                                       double *dtd);

/* atoms[k][p][τ] = u[k][p]·v[k][τ]. */
void   as_cdl_rank1_to_atoms   (const AsCscShape *s, const double *u, const double *v,
                                double *atoms);

G_END_DECLS
