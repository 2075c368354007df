/* as-dl.c: dictionary learners (alternating minimisation, online, unrolled)
 * and the gradient estimates of unrolled dictionary learning.
 *
 * Formulas: docs/dictionary-learning.md.  Papers: Mairal, Bach, Ponce &
 * Sapiro 2009 (online learning, block-coordinate D-step); Tolooshams et al.
 * 2018 and Malézieux, Moreau & Kowalski 2022 (unrolled learning and its
 * gradient estimates).  The back-propagation through the layers is written
 * by hand as the LISTA one in as-unrolled.c (docs/maths.md, "Back-propagation
 * through T layers"), with the dictionary as the parameter.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-dl"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <glib/gi18n-lib.h>

#include "as-dl.h"
#include "as-engine.h"
#include "as-lasso.h"
#include "as-rng.h"

static const char *const learner_names[AS_DL_N_LEARNERS] = { "am", "online", "unrolled" };
static const char *const gradient_names[AS_DL_N_GRADIENTS] = { "analytic", "automatic", "implicit" };
static const char *const layer_names[AS_DL_N_LAYER_KINDS] = { "ista", "fista" };

const char *
as_dl_learner_to_string (AsDlLearner learner)
{
  g_return_val_if_fail (learner < AS_DL_N_LEARNERS, NULL);
  return learner_names[learner];
}

gboolean
as_dl_learner_from_string (const char *name, AsDlLearner *learner)
{
  guint k;

  if (!as_dl_name_lookup (learner_names, AS_DL_N_LEARNERS, name, &k))
    return FALSE;
  *learner = k;
  return TRUE;
}

const char *
as_dl_gradient_to_string (AsDlGradient gradient)
{
  g_return_val_if_fail (gradient < AS_DL_N_GRADIENTS, NULL);
  return gradient_names[gradient];
}

gboolean
as_dl_gradient_from_string (const char *name, AsDlGradient *gradient)
{
  guint k;

  if (!as_dl_name_lookup (gradient_names, AS_DL_N_GRADIENTS, name, &k))
    return FALSE;
  *gradient = k;
  return TRUE;
}

const char *
as_dl_layers_to_string (AsDlLayers layers)
{
  g_return_val_if_fail (layers < AS_DL_N_LAYER_KINDS, NULL);
  return layer_names[layers];
}

gboolean
as_dl_layers_from_string (const char *name, AsDlLayers *layers)
{
  guint k;

  if (!as_dl_name_lookup (layer_names, AS_DL_N_LAYER_KINDS, name, &k))
    return FALSE;
  *layers = k;
  return TRUE;
}

void
as_dl_params_init (AsDlParams *p)
{
  memset (p, 0, sizeof *p);
  p->learner = AS_DL_LEARNER_AM;
  p->m = 128;
  p->lambda = 0.1;
  p->n_iter = 30;
  p->tol = 1e-6;
  p->batch = 256;
  p->n_layers = 20;
  p->layers = AS_DL_LAYERS_FISTA;
  p->gradient = AS_DL_GRADIENT_AUTOMATIC;
  p->seed = 0;
}

/* ------------------------------------------------------------ small pieces */

static inline double
soft_threshold (double u, double tau)
{
  double c = u < tau ? u : tau;

  c = c > -tau ? c : -tau;
  return u - c;
}

static inline double
sign0 (double v)
{
  return (v > 0.0) - (v < 0.0);
}

/* d_j ← d_j / max(1, ‖d_j‖). */
static void
project_unit_ball (guint n, guint m, double *D)
{
  for (guint j = 0; j < m; j++)
    {
      double nrm = cblas_dnrm2 (n, D + j, m);

      if (nrm > 1.0)
        cblas_dscal (n, 1.0 / nrm, D + j, m);
    }
}

/* Column j of D ← x / ‖x‖ (a Gaussian direction if x = 0). */
static void
set_atom_from_signal (AsRng *rng, guint n, guint m, double *D, guint j, const double *x)
{
  double nrm = cblas_dnrm2 (n, x, 1);

  for (guint r = 0; r < n; r++)
    D[(gsize) r * m + j] = nrm > 0.0 ? x[r] / nrm : as_rng_normal (rng);
  if (nrm == 0.0)
    cblas_dscal (n, 1.0 / cblas_dnrm2 (n, D + j, m), D + j, m);
}

/* L = ‖DᵀD‖₂ = ‖DDᵀ‖₂, from the smaller n × n matrix. */
static double
lipschitz (guint n, guint m, const double *D)
{
  g_autofree double *S = g_new (double, (gsize) n * n);

  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, m, 1.0, D, m, D, m, 0.0, S, n);
  return as_lasso_top_eigenvalue (S, n);
}

static gboolean
all_finite (const double *v, gsize count)
{
  for (gsize i = 0; i < count; i++)
    if (!isfinite (v[i]))
      return FALSE;
  return TRUE;
}

/* --------------------------------------------------------- sparse coding */

/* Up to this many coordinate-descent epochs per signal; a learner that stops
 * short of the tolerance (near-duplicate atoms slow CD down) keeps the codes
 * reached, which still lower the objective. */
#define SPARSE_CODE_MAX_EPOCHS 2000

double
as_dl_sparse_code (guint n, guint m, const double *D, guint N, const double *X, double lambda,
                   double tol, double *Z, GError **error)
{
  g_autoptr (AsLasso) lasso = NULL;
  double total = 0.0;

  if (!all_finite (D, (gsize) n * m))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("The dictionary has entries that are not finite numbers"));
      return NAN;
    }
  /* Coordinate descent with an exact solve on the support once it is found:
   * far fewer epochs than plain CD while the atoms are still coherent. */
  lasso = as_lasso_new (n, m, D, N, X, lambda, FALSE);
  if (!as_lasso_solve_reference (lasso, Z, tol, SPARSE_CODE_MAX_EPOCHS, error))
    return NAN;
  for (guint i = 0; i < N; i++)
    total += as_lasso_objective (lasso, i, Z + (gsize) i * m);
  return total / N;
}

/* The same, where not reaching the tolerance is not an error (see above). */
static double
sparse_code_lenient (guint n, guint m, const double *D, guint N, const double *X,
                     double lambda, double tol, double *Z, GError **error)
{
  g_autoptr (GError) local = NULL;
  double F = as_dl_sparse_code (n, m, D, N, X, lambda, tol, Z, &local);

  if (local != NULL && local->code != AS_ENGINE_ERROR_NUMERIC)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NAN;
    }
  if (isnan (F))
    {
      g_autoptr (AsLasso) lasso = NULL;

      if (!all_finite (Z, (gsize) N * m) || !all_finite (D, (gsize) n * m))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("Dictionary learning diverged: the codes or atoms are not finite"));
          return NAN;
        }
      lasso = as_lasso_new (n, m, D, N, X, lambda, FALSE);
      F = 0.0;
      for (guint i = 0; i < N; i++)
        F += as_lasso_objective (lasso, i, Z + (gsize) i * m);
      F /= N;
    }
  return F;
}

/* ---------------------------------------------------------------- D-step */

void
as_dl_dstep_bcd (guint n, guint m, const double *A, const double *B, double *D, guint n_pass)
{
  g_autofree double *u = g_new (double, n);

  for (guint pass = 0; pass < n_pass; pass++)
    for (guint j = 0; j < m; j++)
      {
        double ajj = A[(gsize) j * m + j], nrm;

        if (!(ajj > 0.0))
          continue;
        /* u = d_j + (b_j − D a_j) / A_jj. */
        for (guint r = 0; r < n; r++)
          u[r] = B[(gsize) r * m + j];
        cblas_dgemv (CblasRowMajor, CblasNoTrans, n, m, -1.0, D, m, A + (gsize) j * m, 1, 1.0, u, 1);
        for (guint r = 0; r < n; r++)
          u[r] = D[(gsize) r * m + j] + u[r] / ajj;
        nrm = cblas_dnrm2 (n, u, 1);
        for (guint r = 0; r < n; r++)
          D[(gsize) r * m + j] = nrm > 1.0 ? u[r] / nrm : u[r];
      }
}

/* A = ZᵀZ (m × m), B = XᵀZ (n × m), scaled by @scale and added to @beta × the
 * previous values. */
static void
accumulate_statistics (guint n, guint m, guint N, const double *X, const double *Z,
                       double beta, double scale, double *A, double *B)
{
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, N, scale, Z, m, Z, m, beta, A, m);
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, N, scale, X, n, Z, m, beta, B, m);
}

/* Atoms no code uses, and atoms that duplicate an earlier one (|cos| > 0.99:
 * two atoms sharing one true atom split its codes and both stay in use), get
 * a random signal, so that they have a chance to find a place (as K-SVD and
 * SPAMS do with unused atoms). */
static guint
replace_unused_atoms (AsRng *rng, guint n, guint m, guint N, const double *X, const double *A,
                      double *D, gboolean *replaced)
{
  guint count = 0;

  g_autofree double *G = g_new (double, (gsize) m * m);

  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, n, 1.0, D, m, D, m, 0.0, G, m);
  for (guint j = 0; j < m; j++)
    {
      gboolean replace = !(A[(gsize) j * m + j] > 0.0);

      for (guint i = 0; i < j && !replace; i++)
        {
          double d = G[(gsize) i * m + i] * G[(gsize) j * m + j];

          replace = d > 0.0 && fabs (G[(gsize) i * m + j]) > 0.99 * sqrt (d);
        }
      if (replace)
        {
          set_atom_from_signal (rng, n, m, D, j, X + (gsize) as_rng_below (rng, N) * n);
          count++;
        }
      if (replaced != NULL)
        replaced[j] = replace;
    }
  return count;
}

/* The online statistics of a replaced atom describe the atom it replaced:
 * kept, they would pull it straight back (Mairal et al. 2009 restart such
 * atoms); its row and column of A and its column of B start afresh. */
static void
forget_atoms (guint n, guint m, const gboolean *replaced, double *A, double *B)
{
  for (guint j = 0; j < m; j++)
    if (replaced[j])
      {
        for (guint k = 0; k < m; k++)
          A[(gsize) j * m + k] = A[(gsize) k * m + j] = 0.0;
        for (guint r = 0; r < n; r++)
          B[(gsize) r * m + j] = 0.0;
      }
}

/* ------------------------------------------------------ unrolled gradient */

/* Buffers of the unrolled loss and its gradient, kept from one call to the
 * next by the unrolled learner: allocated afresh at every step, the tape of
 * a few megabytes cost as much time in page faults as the arithmetic. */
typedef struct
{
  guint   n, m, B, T;
  gboolean tape;
  double *beta, *Zs, *Ys, *Rs, *R, *V, *Gz, *P, *Gy, *Rf, *Yf;
} Workspace;

static void
workspace_clear (Workspace *w)
{
  double **bufs[] = { &w->beta, &w->Zs, &w->Ys, &w->Rs, &w->R, &w->V, &w->Gz, &w->P, &w->Gy,
                      &w->Rf, &w->Yf };

  for (guint i = 0; i < G_N_ELEMENTS (bufs); i++)
    g_clear_pointer (bufs[i], g_free);
  memset (w, 0, sizeof *w);
}

/* Sizes the buffers for B signals, T layers, with or without the tape. */
static void
workspace_ensure (Workspace *w, guint n, guint m, guint B, guint T, gboolean tape)
{
  gsize bm = (gsize) B * m, bn = (gsize) B * n;

  if (w->beta != NULL && w->n == n && w->m == m && w->B == B && w->T == T
      && (w->tape || !tape))
    return;
  workspace_clear (w);
  w->n = n;
  w->m = m;
  w->B = B;
  w->T = T;
  w->tape = tape;
  w->beta = g_new (double, T + 1);
  w->Zs = g_new (double, bm * (tape ? T + 1 : 2));
  w->R = g_new (double, bn);
  w->V = g_new (double, bm);
  w->Rf = g_new (double, bn);
  w->Yf = g_new (double, bm);
  if (tape)
    {
      w->Ys = g_new (double, bm * MAX (T, 1));
      w->Rs = g_new (double, bn * MAX (T, 1));
      w->Gz = g_new (double, bm * (T + 1));
      w->P = g_new (double, bn);
      w->Gy = g_new (double, bm);
    }
}

typedef struct
{
  guint n, m, B, T;
  const double *D, *X;
  double a, tau;     /* step 1/L and threshold λ/L */
  double *beta;      /* T + 1 momentum weights: y^t = z^t + β_t (z^t − z^{t−1}) */
  double *Zs;        /* (T + 1) × B × m: z⁰ … z^T (only the last two without a tape) */
  double *Ys;        /* T × B × m: y⁰ … y^{T−1} (tape only) */
  double *Rs;        /* T × B × n: r^{t−1} = D y^{t−1} − x (tape only) */
  gboolean tape;
  double *Rf, *Yf;   /* B × n and B × m scratch of the forward pass without a tape */
} Unrolled;

static void
momentum_weights (AsDlLayers layers, guint T, double *beta)
{
  double t = 1.0;   /* t_1 */

  /* β_k = (t_k − 1)/t_{k+1}, t_{k+1} = (1 + √(1 + 4t_k²))/2 (Beck & Teboulle 2009). */
  beta[0] = 0.0;
  for (guint k = 1; k <= T; k++)
    {
      double t_next = 0.5 * (1.0 + sqrt (1.0 + 4.0 * t * t));

      beta[k] = layers == AS_DL_LAYERS_FISTA ? (t - 1.0) / t_next : 0.0;
      t = t_next;
    }
}

static inline double *
slot (double *base, gsize size, guint index)
{
  return base + size * index;
}

/* z^t for t = 1 … T; returns a pointer to z^T (B × m). */
static double *
unrolled_forward (Unrolled *u)
{
  guint n = u->n, m = u->m, B = u->B;
  gsize bm = (gsize) B * m, bn = (gsize) B * n;
  double *R_own = u->Rf, *Y_own = u->Yf;
  double *z_prev = u->Zs, *z = NULL;

  memset (u->Zs, 0, sizeof (double) * bm);
  if (!u->tape)
    memset (Y_own, 0, sizeof (double) * bm);
  if (u->tape)
    memset (u->Ys, 0, sizeof (double) * bm);
  for (guint t = 1; t <= u->T; t++)
    {
      double *Y = u->tape ? slot (u->Ys, bm, t - 1) : Y_own;
      double *R = u->tape ? slot (u->Rs, bn, t - 1) : R_own;

      z = u->tape ? slot (u->Zs, bm, t) : slot (u->Zs, bm, t % 2);
      if (!u->tape)
        z_prev = slot (u->Zs, bm, (t - 1) % 2);
      /* r = D y − x, then z = ST(y − a Dᵀr, τ). */
      memcpy (R, u->X, sizeof (double) * bn);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, Y, m, u->D, m, -1.0, R, n);
      memcpy (z, Y, sizeof (double) * bm);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -u->a, R, n, u->D, m, 1.0, z, m);
      for (gsize i = 0; i < bm; i++)
        z[i] = soft_threshold (z[i], u->tau);
      if (t < u->T)
        {
          double *Yn = u->tape ? slot (u->Ys, bm, t) : Y_own;
          double b = u->beta[t];

          for (gsize i = 0; i < bm; i++)
            Yn[i] = z[i] + b * (z[i] - z_prev[i]);
        }
      z_prev = z;
    }
  return u->T == 0 ? u->Zs : z;
}

gboolean
as_dl_support_vjp (guint n, guint m, const double *D, const double *x, const double *z,
                   const double *v, double *grad)
{
  g_autofree guint *S = g_new (guint, m);
  g_autofree double *M = NULL, *w = NULL, *r = NULL, *Dw = NULL;
  guint k = 0;

  for (guint j = 0; j < m; j++)
    if (z[j] != 0.0)
      S[k++] = j;
  if (k == 0)
    return TRUE;
  M = g_new (double, (gsize) k * k);
  w = g_new (double, k);
  r = g_new (double, n);
  Dw = g_new0 (double, n);
  /* M = D_SᵀD_S, w = M⁻¹ v_S, r = D_S z_S − x, D_S w. */
  for (guint a = 0; a < k; a++)
    {
      for (guint b = a; b < k; b++)
        {
          double s = 0.0;

          for (guint i = 0; i < n; i++)
            s += D[(gsize) i * m + S[a]] * D[(gsize) i * m + S[b]];
          M[(gsize) a * k + b] = M[(gsize) b * k + a] = s;
        }
      w[a] = v[S[a]];
    }
  {
    /* The support system is only trusted when well conditioned: early
     * iterates have supports as large as n, where D_SᵀD_S is singular. */
    double anorm = 0.0, rcond = 0.0;

    for (guint a = 0; a < k; a++)
      {
        double col = 0.0;

        for (guint b = 0; b < k; b++)
          col += fabs (M[(gsize) b * k + a]);
        anorm = MAX (anorm, col);
      }
    if (k >= n || LAPACKE_dpotrf (LAPACK_ROW_MAJOR, 'U', k, M, k) != 0
        || LAPACKE_dpocon (LAPACK_ROW_MAJOR, 'U', k, M, k, anorm, &rcond) != 0 || rcond < 1e-10
        || LAPACKE_dpotrs (LAPACK_ROW_MAJOR, 'U', k, 1, M, k, w, 1) != 0)
      return FALSE;
  }
  for (guint i = 0; i < n; i++)
    {
      double s = -x[i];

      for (guint a = 0; a < k; a++)
        {
          s += D[(gsize) i * m + S[a]] * z[S[a]];
          Dw[i] += D[(gsize) i * m + S[a]] * w[a];
        }
      r[i] = s;
    }
  /* ∂⟨v, z_S⟩/∂d_j = −(r w_j + (D_S w) z_j) for j ∈ S. */
  for (guint a = 0; a < k; a++)
    for (guint i = 0; i < n; i++)
      grad[(gsize) i * m + S[a]] -= r[i] * w[a] + Dw[i] * z[S[a]];
  return TRUE;
}

static double
unrolled_gradient (guint n, guint m, const double *D, guint B, const double *X, double lambda,
                   double L, AsDlLayers layers, guint T, AsDlGradient gradient, double *grad,
                   double *Z_out, Workspace *ws)
{
  gboolean tape = grad != NULL && gradient == AS_DL_GRADIENT_AUTOMATIC;
  gsize bm = (gsize) B * m, bn = (gsize) B * n;
  double *beta, *Zs, *Ys, *Rs, *R, *V;
  Unrolled u;
  const double *Z;
  double loss = 0.0;

  g_return_val_if_fail (L > 0.0 && B > 0, NAN);
  workspace_ensure (ws, n, m, B, T, tape);
  beta = ws->beta;
  Zs = ws->Zs;
  Ys = ws->Ys;
  Rs = ws->Rs;
  R = ws->R;
  V = ws->V;
  u = (Unrolled) { n, m, B, T, D, X, 1.0 / L, lambda / L, beta, Zs, Ys, Rs, tape, ws->Rf, ws->Yf };
  momentum_weights (layers, T, beta);
  Z = unrolled_forward (&u);
  if (Z_out != NULL)
    memcpy (Z_out, Z, sizeof (double) * bm);

  /* ℓ = (1/B) Σ ½‖r^T‖² + λ‖z^T‖₁ with r^T = D z^T − x. */
  memcpy (R, X, sizeof (double) * bn);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, Z, m, D, m, -1.0, R, n);
  for (gsize i = 0; i < bn; i++)
    loss += 0.5 * R[i] * R[i];
  for (gsize i = 0; i < bm; i++)
    loss += lambda * fabs (Z[i]);
  loss /= B;
  if (grad == NULL)
    return loss;

  /* Analytic: (1/B) Σ r^T (z^T)ᵀ = Rᵀ Z / B. */
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, 1.0 / B, R, n, Z, m, 0.0, grad, m);
  if (gradient == AS_DL_GRADIENT_ANALYTIC)
    return loss;

  /* ∂ℓ/∂z^T = (Dᵀ r^T + λ sign z^T) / B, the seed of the back-propagation and
   * the vector the implicit Jacobian is applied to. */
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, 1.0 / B, R, n, D, m, 0.0, V, m);
  for (gsize i = 0; i < bm; i++)
    V[i] += lambda * sign0 (Z[i]) / B;

  if (gradient == AS_DL_GRADIENT_IMPLICIT)
    {
      for (guint b = 0; b < B; b++)
        as_dl_support_vjp (n, m, D, X + (gsize) b * n, Z + (gsize) b * m, V + (gsize) b * m, grad);
      return loss;
    }

  {
    /* Automatic: back-propagation through the T layers.  Gz[t] accumulates
     * ∂ℓ/∂z^t: from layer t + 1 through y^t = z^t + β_t(z^t − z^{t−1}) and from
     * layer t + 2 through y^{t+1}.  Layer t, u^t = y^{t−1} − a Dᵀ(D y^{t−1} − x):
     * δ = ∂ℓ/∂z^t ⊙ 1{z^t ≠ 0}; ∂ℓ/∂D −= a (r^{t−1} δᵀ + D δ (y^{t−1})ᵀ);
     * ∂ℓ/∂y^{t−1} = δ − a Dᵀ D δ. */
    double *Gz = ws->Gz, *P = ws->P, *Gy = ws->Gy;
    double a = u.a;

    memset (Gz, 0, sizeof (double) * bm * (T + 1));
    memcpy (slot (Gz, bm, T), V, sizeof (double) * bm);
    for (guint t = T; t >= 1; t--)
      {
        double *delta = slot (Gz, bm, t);
        const double *zt = slot (Zs, bm, t);
        const double *Yp = slot (Ys, bm, t - 1);
        const double *Rp = slot (Rs, bn, t - 1);

        for (gsize i = 0; i < bm; i++)
          if (zt[i] == 0.0)
            delta[i] = 0.0;
        /* P = Δ Dᵀ (B × n): the D δ of every signal. */
        cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, delta, m, D, m, 0.0, P, n);
        cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, -a, Rp, n, delta, m, 1.0, grad, m);
        cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, -a, P, n, Yp, m, 1.0, grad, m);
        if (t == 1)
          break;
        /* ∂ℓ/∂y^{t−1}, then through y^{t−1} = z^{t−1} + β_{t−1}(z^{t−1} − z^{t−2}). */
        memcpy (Gy, delta, sizeof (double) * bm);
        cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -a, P, n, D, m, 1.0, Gy, m);
        {
          double b = beta[t - 1];
          double *g1 = slot (Gz, bm, t - 1), *g2 = slot (Gz, bm, t - 2);

          for (gsize i = 0; i < bm; i++)
            g1[i] += (1.0 + b) * Gy[i];
          if (t - 2 >= 1 && b != 0.0)
            for (gsize i = 0; i < bm; i++)
              g2[i] -= b * Gy[i];
        }
      }
  }
  return loss;
}

double
as_dl_unrolled_gradient (guint n, guint m, const double *D, guint B, const double *X,
                         double lambda, double L, AsDlLayers layers, guint T,
                         AsDlGradient gradient, double *grad, double *Z_out)
{
  Workspace ws = { 0 };
  double loss = unrolled_gradient (n, m, D, B, X, lambda, L, layers, T, gradient, grad, Z_out,
                                   &ws);

  workspace_clear (&ws);
  return loss;
}

/* -------------------------------------------------------------- learners */

static void
initial_dictionary (AsRng *rng, guint n, guint m, guint N, const double *X, double *D)
{
  g_autofree guint *order = g_new (guint, N);

  for (guint i = 0; i < N; i++)
    order[i] = i;
  as_rng_shuffle (rng, order, N);
  for (guint j = 0; j < m; j++)
    set_atom_from_signal (rng, n, m, D, j, X + (gsize) order[j % N] * n);
}

/* Draws @B distinct signals of X into Xb (B × n). */
static void
draw_batch (AsRng *rng, guint n, guint N, const double *X, guint B, guint *order, double *Xb)
{
  for (guint i = 0; i < N; i++)
    order[i] = i;
  for (guint b = 0; b < B; b++)
    {
      guint r = b + as_rng_below (rng, N - b), t = order[b];

      order[b] = order[r];
      order[r] = t;
      memcpy (Xb + (gsize) b * n, X + (gsize) order[b] * n, sizeof (double) * n);
    }
}

static gboolean
learn_am (const AsDlParams *p, guint n, guint N, const double *X, double lambda, AsRng *rng,
          double *D, double *Z, guint *iterations, GError **error)
{
  guint m = p->m;
  g_autofree double *A = g_new (double, (gsize) m * m);
  g_autofree double *Bs = g_new (double, (gsize) n * m);
  g_autofree double *D_prev = g_new (double, (gsize) n * m);

  for (guint it = 0; it < p->n_iter; it++)
    {
      double change = 0.0;

      if (isnan (sparse_code_lenient (n, m, D, N, X, lambda, p->tol, Z, error)))
        return FALSE;
      accumulate_statistics (n, m, N, X, Z, 0.0, 1.0 / N, A, Bs);
      memcpy (D_prev, D, sizeof (double) * n * m);
      as_dl_dstep_bcd (n, m, A, Bs, D, 10);
      replace_unused_atoms (rng, n, m, N, X, A, D, NULL);
      *iterations = it + 1;
      for (gsize i = 0; i < (gsize) n * m; i++)
        change += (D[i] - D_prev[i]) * (D[i] - D_prev[i]);
      if (!all_finite (D, (gsize) n * m))
        break;
      if (change < 1e-20 * m)
        break;
    }
  return TRUE;
}

static gboolean
learn_online (const AsDlParams *p, guint n, guint N, const double *X, double lambda, AsRng *rng,
              double *D, guint *iterations, GError **error)
{
  guint m = p->m, eta = p->batch == 0 ? N : MIN (p->batch, N);
  g_autofree double *A = g_new0 (double, (gsize) m * m);
  g_autofree double *Bs = g_new0 (double, (gsize) n * m);
  g_autofree double *Xb = g_new (double, (gsize) eta * n);
  g_autofree double *Zb = g_new (double, (gsize) eta * m);
  g_autofree guint *order = g_new (guint, N);
  g_autofree gboolean *replaced = g_new (gboolean, m);

  for (guint t = 1; t <= p->n_iter; t++)
    {
      /* Forgetting of Mairal, Bach, Ponce & Sapiro 2010 (§3.4.2) for mini-
       * batches: θ = tη if t < η, else η² + t − η; β = (θ + 1 − η)/(θ + 1). */
      double theta = t < eta ? (double) t * eta : (double) eta * eta + t - eta;
      double beta = (theta + 1.0 - eta) / (theta + 1.0);

      draw_batch (rng, n, N, X, eta, order, Xb);
      memset (Zb, 0, sizeof (double) * eta * m);
      if (isnan (sparse_code_lenient (n, m, D, eta, Xb, lambda, p->tol, Zb, error)))
        return FALSE;
      accumulate_statistics (n, m, eta, Xb, Zb, t == 1 ? 0.0 : beta, 1.0 / eta, A, Bs);
      as_dl_dstep_bcd (n, m, A, Bs, D, 1);
      if (replace_unused_atoms (rng, n, m, eta, Xb, A, D, replaced) > 0)
        forget_atoms (n, m, replaced, A, Bs);
      *iterations = t;
      if (!all_finite (D, (gsize) n * m))
        break;
    }
  return TRUE;
}

static gboolean
learn_unrolled (const AsDlParams *p, guint n, guint N, const double *X, double lambda,
                AsRng *rng, double *D, guint *iterations, GError **error)
{
  guint m = p->m, B = p->batch == 0 ? N : MIN (p->batch, N);
  g_autofree double *Xb = g_new (double, (gsize) B * n);
  g_autofree double *G = g_new (double, (gsize) n * m);
  g_autofree double *Dt = g_new (double, (gsize) n * m);
  g_autofree guint *order = g_new (guint, N);
  Workspace ws = { 0 };
  double step = 1.0;

  if (B == N)
    memcpy (Xb, X, sizeof (double) * N * n);
  for (guint it = 0; it < p->n_iter; it++)
    {
      double L = lipschitz (n, m, D), loss;

      if (B < N)
        draw_batch (rng, n, N, X, B, order, Xb);
      loss = unrolled_gradient (n, m, D, B, Xb, lambda, L, p->layers, p->n_layers, p->gradient,
                                G, NULL, &ws);
      if (!isfinite (loss) || !all_finite (G, (gsize) n * m))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("Unrolled dictionary learning diverged at step %u"), it + 1);
          workspace_clear (&ws);
          return FALSE;
        }
      /* Projected gradient step with backtracking on the unrolled loss of
       * this step (same L, same mini-batch).  A step that finds no decrease
       * leaves D and the step size as they were. */
      {
        double trial_step = 2.0 * step;

        for (guint k = 0; k < 30; k++, trial_step *= 0.5)
          {
            double trial;

            for (gsize i = 0; i < (gsize) n * m; i++)
              Dt[i] = D[i] - trial_step * G[i];
            project_unit_ball (n, m, Dt);
            trial = unrolled_gradient (n, m, Dt, B, Xb, lambda, L, p->layers, p->n_layers,
                                       p->gradient, NULL, NULL, &ws);
            if (trial <= loss)
              {
                memcpy (D, Dt, sizeof (double) * n * m);
                step = trial_step;
                break;
              }
          }
      }
      *iterations = it + 1;
    }
  workspace_clear (&ws);
  return TRUE;
}

gboolean
as_dl_learn (const AsDlParams *p, guint n, guint N, const double *X, const double *D_init,
             double *D, double *Z, AsDlStats *stats, GError **error)
{
  guint m = p->m;
  g_autofree double *Zall = NULL;
  g_autofree double *c = NULL;
  gint64 t0 = g_get_monotonic_time ();
  double lambda = 0.0;
  guint iterations = 0;
  gboolean ok;
  AsRng rng;

  if (n == 0 || m == 0 || N == 0 || p->learner >= AS_DL_N_LEARNERS || !(p->lambda > 0.0)
      || !(p->tol > 0.0) || (p->learner == AS_DL_LEARNER_UNROLLED && p->n_layers == 0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Invalid dictionary learning parameters: sizes, λ, the tolerance and "
                     "the number of layers must be positive"));
      return FALSE;
    }
  as_rng_init (&rng, p->seed);
  if (D_init != NULL)
    memcpy (D, D_init, sizeof (double) * n * m);
  else
    initial_dictionary (&rng, n, m, N, X, D);

  /* λ = fraction × mean_i ‖D₀ᵀx_i‖_∞. */
  c = g_new (double, m);
  for (guint i = 0; i < N; i++)
    {
      cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, D, m, X + (gsize) i * n, 1, 0.0, c, 1);
      lambda += fabs (c[cblas_idamax (m, c, 1)]);
    }
  lambda = p->lambda * lambda / N;
  if (!(lambda > 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The signals are all zero: there is nothing to learn"));
      return FALSE;
    }

  Zall = g_new0 (double, (gsize) N * m);
  switch (p->learner)
    {
    case AS_DL_LEARNER_ONLINE:
      ok = learn_online (p, n, N, X, lambda, &rng, D, &iterations, error);
      break;
    case AS_DL_LEARNER_UNROLLED:
      ok = learn_unrolled (p, n, N, X, lambda, &rng, D, &iterations, error);
      break;
    case AS_DL_LEARNER_AM:
    case AS_DL_N_LEARNERS:
    default:
      ok = learn_am (p, n, N, X, lambda, &rng, D, Zall, &iterations, error);
      break;
    }
  if (!ok)
    return FALSE;
  if (!all_finite (D, (gsize) n * m))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("Dictionary learning diverged: the atoms are not finite"));
      return FALSE;
    }
  if (stats != NULL)
    {
      stats->lambda = lambda;
      stats->iterations = iterations;
      stats->objective = sparse_code_lenient (n, m, D, N, X, lambda, p->tol, Zall, error);
      stats->seconds = (g_get_monotonic_time () - t0) / 1e6;
      if (isnan (stats->objective))
        return FALSE;
    }
  else if (Z != NULL && isnan (sparse_code_lenient (n, m, D, N, X, lambda, p->tol, Zall, error)))
    return FALSE;
  if (Z != NULL)
    memcpy (Z, Zall, sizeof (double) * N * m);
  return TRUE;
}

/* ------------------------------------------------------- gradient errors */

gboolean
as_dl_gradient_errors (guint n, guint m, const double *D, guint B, const double *X,
                       double lambda, AsDlLayers layers, guint max_layers, double *errors,
                       GError **error)
{
  g_autofree double *Zstar = g_new0 (double, (gsize) B * m);
  g_autofree double *R = g_new (double, (gsize) B * n);
  g_autofree double *gstar = g_new (double, (gsize) n * m);
  g_autofree double *g = g_new (double, (gsize) n * m);
  double L = lipschitz (n, m, D), nstar;

  if (isnan (as_dl_sparse_code (n, m, D, B, X, lambda, 1e-12, Zstar, error)))
    return FALSE;
  /* g* = (1/B) Σ (D z* − x)(z*)ᵀ: the gradient of the value function
   * (Danskin's theorem; docs/dictionary-learning.md). */
  memcpy (R, X, sizeof (double) * B * n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, Zstar, m, D, m, -1.0, R, n);
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, 1.0 / B, R, n, Zstar, m, 0.0, gstar, m);
  nstar = cblas_dnrm2 (n * m, gstar, 1);
  if (!(nstar > 0.0))
    nstar = 1.0;
  for (guint e = 0; e < AS_DL_N_GRADIENTS; e++)
    for (guint T = 1; T <= max_layers; T++)
      {
        as_dl_unrolled_gradient (n, m, D, B, X, lambda, L, layers, T, e, g, NULL);
        cblas_daxpy (n * m, -1.0, gstar, 1, g, 1);
        errors[(gsize) e * max_layers + T - 1] = cblas_dnrm2 (n * m, g, 1) / nstar;
      }
  return TRUE;
}
