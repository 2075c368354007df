/* as-csc.h: convolutional sparse coding (the z-step of CDL), 1-D multichannel and 2-D.
 *
 * Model (Dupré la Tour et al. 2018, eq. 1): one trial X (P channels × H × W samples;
 * a 1-D signal is H = 1, W = T) is approximated by Σ_k z_k * D_k, where atom D_k is
 * P × h × w and activation z_k lives on the (H − h + 1) × (W − w + 1) "valid"
 * positions.  Objective ½‖X − Σ_k z_k * D_k‖² + λ Σ_k ‖z_k‖₁ (z ≥ 0 by default).
 *
 * Solvers: locally greedy coordinate descent (LGCD, Moreau et al. 2018) and FISTA
 * with FFTW convolutions as the reference.  All arrays are row-major doubles.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint n_atoms;      /* K */
  guint n_channels;   /* P */
  guint height;       /* signal rows: 1 for a 1-D signal */
  guint width;        /* signal columns: T for a 1-D signal */
  guint atom_height;  /* h: 1 for 1-D atoms */
  guint atom_width;   /* w: L for 1-D atoms */
} AsCscShape;

/* Derived sizes. */
guint  as_csc_valid_height (const AsCscShape *s);      /* H − h + 1 */
guint  as_csc_valid_width  (const AsCscShape *s);      /* W − w + 1 */
gsize  as_csc_n_valid      (const AsCscShape *s);      /* positions per atom */
gsize  as_csc_atom_size    (const AsCscShape *s);      /* P · h · w */
gsize  as_csc_signal_size  (const AsCscShape *s);      /* P · H · W */
gsize  as_csc_lag_size     (const AsCscShape *s);      /* (2h − 1)(2w − 1) */
gboolean as_csc_shape_check (const AsCscShape *s, GError **error);

/* dtd[k][l][j] = Σ_{p,τ} D_k[p][τ] D_l[p][τ + j − (L − 1)] (per axis), K × K × lags. */
void   as_csc_atom_correlations (const AsCscShape *s, const double *atoms, double *dtd);

/* Valid cross-correlation of every atom with one trial: out[k][t] = Σ_{p,τ} D_k[p][τ] X[p][t + τ].
 * With @u (K × P) and @v (K × h·w) non-NULL the atoms are rank-1 u_k v_kᵀ and @atoms is ignored. */
void   as_csc_correlate   (const AsCscShape *s, const double *atoms, const double *u,
                           const double *v, const double *x, double *out);

/* λ_max = max_{k,n,t} (D_k ⋆ X_n)[t] (|·| when @positive is FALSE): the smallest λ with z = 0 optimal. */
double as_csc_lambda_max  (const AsCscShape *s, const double *atoms, const double *u,
                           const double *v, const double *x, guint n_trials, gboolean positive);

/* out (P × H × W) = Σ_k z_k * D_k; skips zero activations, so cheap for sparse z. */
void   as_csc_reconstruct (const AsCscShape *s, const double *atoms, const double *z, double *out);

/* ½‖X − Σ z * D‖² + λ‖z‖₁ summed over trials (x: n × P·H·W, z: n × K·valid). */
double as_csc_objective   (const AsCscShape *s, const double *atoms, const double *x,
                           const double *z, guint n_trials, double lambda);

typedef struct
{
  guint64 n_updates;   /* coordinate updates applied */
  guint64 n_sweeps;    /* passes over the segments */
  gboolean converged;  /* every segment idle */
  gboolean stopped;    /* ended early because *stop became non-zero */
} AsCscLgcdStats;

/* LGCD on one trial (Moreau, Oudre & Vayatis 2018; alphacsc's _coordinate_descent_idx):
 * segments of (2h − 1) × (2w − 1) positions; in each active segment the coordinate with
 * the largest change is updated and β refreshed on the ±L window only.  A segment goes
 * idle when its best change |Δz| is below @tol and wakes when a neighbour's update
 * spills into it.  @z holds the warm start on entry (zeros for a cold start).
 * @dtd from as_csc_atom_correlations(), @dtx from as_csc_correlate(). */
AsCscLgcdStats as_csc_lgcd (const AsCscShape *s, const double *dtd, const double *dtx,
                            double lambda, gboolean positive, double tol,
                            guint64 max_updates, double *z);

/* as_csc_lgcd() that also ends, with a consistent @z, soon after *@stop (read
 * atomically; may be NULL) becomes non-zero: the z-step of a job that is asked to stop. */
AsCscLgcdStats as_csc_lgcd_until (const AsCscShape *s, const double *dtd, const double *dtx,
                                  double lambda, gboolean positive, double tol,
                                  guint64 max_updates, const gint *stop, double *z);
/* The same LGCD as a state that can be driven from outside: what the distributed z-step
 * (as-distributed.c) runs on its region of the signal.  @dtd must outlive the state and
 * @z is updated in place.  as_csc_lgcd_until() is new + run + free. */
typedef struct _AsCscLgcd AsCscLgcd;
/* Before a coordinate update: FALSE leaves it undone (a soft lock; the segment stays active). */
typedef gboolean (*AsCscLgcdFilter) (gpointer data, guint k, guint y, guint x, double dz);
/* After a coordinate update. */
typedef void     (*AsCscLgcdNotify) (gpointer data, guint k, guint y, guint x, double dz);

AsCscLgcd     *as_csc_lgcd_new  (const AsCscShape *s, const double *dtd, const double *dtx,
                                 double lambda, gboolean positive, double *z);
void           as_csc_lgcd_free (AsCscLgcd *lgcd);
/* Only segments [gy0, gy1) × [gx0, gx1) (of (2h − 1) × (2w − 1) positions) are searched,
 * updated and woken; the others are kept up to date by as_csc_lgcd_apply() only. */
void           as_csc_lgcd_set_owned (AsCscLgcd *lgcd, guint gy0, guint gy1, guint gx0, guint gx1);
/* Sweeps until every owned segment is idle (converged), only locked segments are left,
 * @max_updates updates were made, or *@stop becomes non-zero. */
AsCscLgcdStats as_csc_lgcd_run  (AsCscLgcd *lgcd, double tol, guint64 max_updates,
                                 const gint *stop, AsCscLgcdFilter filter,
                                 AsCscLgcdNotify notify, gpointer data);
/* An update made elsewhere: z_k[y][x] += dz, β refreshed, the owned segments it touches woken. */
void           as_csc_lgcd_apply (AsCscLgcd *lgcd, guint k, guint y, guint x, double dz);
/* Largest |z* − z| over every atom and positions [y0, y1) × [x0, x1). */
double         as_csc_lgcd_max_change (const AsCscLgcd *lgcd, guint y0, guint y1, guint x0,
                                       guint x1);
/* Largest |z* − z| over the owned segments. */
double         as_csc_lgcd_owned_max_change (const AsCscLgcd *lgcd);

/* Convenience: LGCD on n_trials trials with atoms computed once (u, v may be NULL). */
guint64 as_csc_solve_lgcd (const AsCscShape *s, const double *atoms, const double *u,
                           const double *v, const double *x, guint n_trials, double lambda,
                           gboolean positive, double tol, guint64 max_updates_per_trial,
                           double *z);

/* FISTA with FFT convolutions (Beck & Teboulle 2009; gradient restart of
 * O'Donoghue & Candès 2015), step 1/L with L = ‖D‖² bounded per frequency.  One trial;
 * stops when the relative objective change stays below @tol.  Returns iterations run. */
guint  as_csc_fista       (const AsCscShape *s, const double *atoms, const double *x,
                           double lambda, gboolean positive, guint max_iter, double tol,
                           double *z);

/* Full gradient g = Dᵀ(Σ z * D − X) on the valid positions, by FFT (independent of LGCD's β). */
void   as_csc_gradient    (const AsCscShape *s, const double *atoms, const double *x,
                           const double *z, double *grad);

/* One coordinate's distance to the Lasso's optimality conditions, from its value
 * @z and its gradient @g: |g ± λ| on the support, (|g| − λ)₊ (or (−g − λ)₊ when
 * positive) off it. */
static inline double
as_csc_kkt_term (double z, double g, double lambda, gboolean positive)
{
  if (z > 0.0)
    return fabs (g + lambda);
  if (z < 0.0)
    return fabs (g - lambda);
  return positive ? MAX (0.0, -g - lambda) : MAX (0.0, fabs (g) - lambda);
}

/* Largest violation of the KKT conditions of the convolutional Lasso, divided by λ:
 * z > 0: g = −λ; z = 0: g ≥ −λ (positive) or |g| ≤ λ (signed); z < 0: g = λ. */
double as_csc_kkt_violation (const AsCscShape *s, const double *atoms, const double *x,
                             const double *z, double lambda, gboolean positive);

G_END_DECLS
