/* as-lasso.c: the Lasso problem, its optimality measures and a reference solver.
 *
 * Formulas: docs/maths.md ("Lasso solvers"); the duality gap uses the
 * rescaled residual as dual point (Massias, Gramfort & Salmon 2018, §2), which
 * is 0 exactly at the optimum.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-lasso"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-lasso.h"

struct _AsLasso
{
  guint n, m, n_signals;
  double *D;        /* n × m */
  double *X;        /* n_signals × n */
  double lambda;
  gboolean positive;
  double L;         /* < 0 until computed */
  double *gram;     /* m × m, NULL until asked for */
  GMutex cache_lock;  /* the caches are filled on first use, possibly from several threads */
};

AsLasso *
as_lasso_new (guint n, guint m, const double *D, guint n_signals, const double *X,
              double lambda, gboolean positive)
{
  AsLasso *lasso;

  g_return_val_if_fail (n > 0 && m > 0 && D != NULL, NULL);
  g_return_val_if_fail (n_signals == 0 || X != NULL, NULL);

  lasso = g_new0 (AsLasso, 1);
  lasso->n = n;
  lasso->m = m;
  lasso->n_signals = n_signals;
  lasso->D = g_memdup2 (D, sizeof (double) * n * m);
  lasso->X = n_signals > 0 ? g_memdup2 (X, sizeof (double) * n_signals * n) : NULL;
  lasso->lambda = lambda;
  lasso->positive = positive;
  lasso->L = -1.0;
  g_mutex_init (&lasso->cache_lock);
  return lasso;
}

void
as_lasso_free (AsLasso *lasso)
{
  if (lasso == NULL)
    return;
  g_free (lasso->D);
  g_free (lasso->X);
  g_free (lasso->gram);
  g_mutex_clear (&lasso->cache_lock);
  g_free (lasso);
}

guint as_lasso_get_n (const AsLasso *lasso) { return lasso->n; }
guint as_lasso_get_m (const AsLasso *lasso) { return lasso->m; }
guint as_lasso_get_n_signals (const AsLasso *lasso) { return lasso->n_signals; }
const double *as_lasso_get_dictionary (const AsLasso *lasso) { return lasso->D; }
const double *as_lasso_get_signals (const AsLasso *lasso) { return lasso->X; }
double as_lasso_get_lambda (const AsLasso *lasso) { return lasso->lambda; }
gboolean as_lasso_get_positive (const AsLasso *lasso) { return lasso->positive; }

void
as_lasso_set_lambda (AsLasso *lasso, double lambda)
{
  g_return_if_fail (lambda >= 0.0);
  lasso->lambda = lambda;
}

void
as_lasso_set_lambda_fraction (AsLasso *lasso, double fraction)
{
  double lmax = 0.0;

  for (guint i = 0; i < lasso->n_signals; i++)
    lmax = MAX (lmax, as_lasso_lambda_max (lasso, i));
  as_lasso_set_lambda (lasso, fraction * lmax);
}

const double *
as_lasso_get_gram (AsLasso *lasso)
{
  const double *gram;

  g_mutex_lock (&lasso->cache_lock);
  if (lasso->gram == NULL)
    {
      guint m = lasso->m;
      double *g = g_new (double, (gsize) m * m);

      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, lasso->n,
                   1.0, lasso->D, m, lasso->D, m, 0.0, g, m);
      lasso->gram = g;
    }
  gram = lasso->gram;
  g_mutex_unlock (&lasso->cache_lock);
  return gram;
}

double
as_lasso_top_eigenvalue (const double *sym, guint dim)
{
  g_autofree double *a = g_memdup2 (sym, sizeof (double) * dim * dim);
  g_autofree lapack_int *isuppz = g_new (lapack_int, 2 * (gsize) dim);
  double w[1] = { 0.0 }, zdummy[1];
  lapack_int found = 0, info;

  if (dim == 0)
    return 0.0;
  /* Symmetric, so column-major reads the same matrix and LAPACKE skips its
   * row-major transposition copies. */
  info = LAPACKE_dsyevr (LAPACK_COL_MAJOR, 'N', 'I', 'U', dim, a, dim, 0.0, 0.0,
                         dim, dim, 0.0, &found, w, zdummy, 1, isuppz);
  if (info != 0 || found != 1)
    return NAN;
  return w[0];
}

/* L = ‖DᵀD‖₂ by power iteration on the smaller of DDᵀ and DᵀD.  The Rayleigh
 * quotient error is quadratic in the eigenvector error, so stopping at a
 * 1e-15 relative change leaves L exact to rounding for the problem sizes of the teaching view. */
double
as_lasso_lipschitz (AsLasso *lasso)
{
  guint n = lasso->n, m = lasso->m, dim = MIN (n, m);
  g_autofree double *a = NULL, *v = NULL, *w = NULL;
  double rq = 0.0, prev = -1.0;

  g_mutex_lock (&lasso->cache_lock);
  if (lasso->L >= 0.0)
    {
      rq = lasso->L;
      g_mutex_unlock (&lasso->cache_lock);
      return rq;
    }

  a = g_new (double, (gsize) dim * dim);
  if (n <= m)
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, m,
                 1.0, lasso->D, m, lasso->D, m, 0.0, a, n);
  else
    cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, n,
                 1.0, lasso->D, m, lasso->D, m, 0.0, a, m);

  v = g_new (double, dim);
  w = g_new (double, dim);
  /* A deterministic start with no special symmetry. */
  for (guint k = 0; k < dim; k++)
    v[k] = 1.0 + 0.5 * sin (1.0 + 3.7 * k);
  cblas_dscal (dim, 1.0 / cblas_dnrm2 (dim, v, 1), v, 1);

  for (guint it = 0; it < 20000; it++)
    {
      double nw;

      cblas_dsymv (CblasRowMajor, CblasUpper, dim, 1.0, a, dim, v, 1, 0.0, w, 1);
      rq = cblas_ddot (dim, v, 1, w, 1);
      nw = cblas_dnrm2 (dim, w, 1);
      if (nw == 0.0)
        break;
      for (guint k = 0; k < dim; k++)
        v[k] = w[k] / nw;
      if (fabs (rq - prev) <= 1e-15 * fabs (rq))
        break;
      prev = rq;
    }
  lasso->L = rq;
  g_mutex_unlock (&lasso->cache_lock);
  return rq;
}

double
as_lasso_lambda_max (const AsLasso *lasso, guint i)
{
  g_autofree double *c = g_new (double, lasso->m);
  double best = lasso->positive ? -G_MAXDOUBLE : 0.0;

  g_return_val_if_fail (i < lasso->n_signals, NAN);
  cblas_dgemv (CblasRowMajor, CblasTrans, lasso->n, lasso->m, 1.0, lasso->D, lasso->m,
               lasso->X + (gsize) i * lasso->n, 1, 0.0, c, 1);
  for (guint j = 0; j < lasso->m; j++)
    best = MAX (best, lasso->positive ? c[j] : fabs (c[j]));
  return MAX (best, 0.0);
}

guint
as_lasso_support_size (guint m, const double *z)
{
  guint k = 0;

  for (guint j = 0; j < m; j++)
    k += z[j] != 0.0;
  return k;
}

static double
l1_norm (guint m, const double *z)
{
  double s = 0.0;

  for (guint j = 0; j < m; j++)
    s += fabs (z[j]);
  return s;
}

/* r = Dz − x_i (n) and, if g != NULL, g = Dᵀr (m). */
static void
residual_and_gradient (const AsLasso *lasso, guint i, const double *z, double *r, double *g)
{
  guint n = lasso->n, m = lasso->m;

  memcpy (r, lasso->X + (gsize) i * n, sizeof (double) * n);
  cblas_dgemv (CblasRowMajor, CblasNoTrans, n, m, 1.0, lasso->D, m, z, 1, -1.0, r, 1);
  if (g != NULL)
    cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, lasso->D, m, r, 1, 0.0, g, 1);
}

double
as_lasso_objective (const AsLasso *lasso, guint i, const double *z)
{
  g_autofree double *r = g_new (double, lasso->n);
  double rr;

  g_return_val_if_fail (i < lasso->n_signals, NAN);
  residual_and_gradient (lasso, i, z, r, NULL);
  rr = cblas_ddot (lasso->n, r, 1, r, 1);
  return 0.5 * rr + lasso->lambda * l1_norm (lasso->m, z);
}

double
as_lasso_gap_from_residual (const AsLasso *lasso, guint i, const double *z,
                            const double *resid, const double *grad, double *objective)
{
  guint n = lasso->n, m = lasso->m;
  const double *x = lasso->X + (gsize) i * n;
  double rr = cblas_ddot (n, resid, 1, resid, 1);
  double xr = cblas_ddot (n, x, 1, resid, 1);
  double l1 = l1_norm (m, z);
  double dual_norm = 0.0, s = 1.0;

  /* ρ = x − Dz = −resid, Dᵀρ = −grad; θ = s·ρ with s = min(1, λ/‖Dᵀρ‖_∞)
   * (max_j (Dᵀρ)_j for z ≥ 0). */
  for (guint j = 0; j < m; j++)
    dual_norm = MAX (dual_norm, lasso->positive ? -grad[j] : fabs (grad[j]));
  if (dual_norm > lasso->lambda)
    s = lasso->lambda / dual_norm;
  if (objective != NULL)
    *objective = 0.5 * rr + lasso->lambda * l1;
  /* F(z) − (½‖x‖² − ½‖x − sρ‖²), expanded so that no ‖x‖² terms cancel. */
  return 0.5 * (1.0 + s * s) * rr + s * xr + lasso->lambda * l1;
}

double
as_lasso_duality_gap (const AsLasso *lasso, guint i, const double *z)
{
  g_autofree double *r = g_new (double, lasso->n);
  g_autofree double *g = g_new (double, lasso->m);

  g_return_val_if_fail (i < lasso->n_signals, NAN);
  residual_and_gradient (lasso, i, z, r, g);
  return as_lasso_gap_from_residual (lasso, i, z, r, g, NULL);
}

/* max_j of the distance from −∇f(z)_j to λ·∂|z_j| (and infinity if a
 * non-negative problem is given a negative entry). */
double
as_lasso_kkt_violation (const AsLasso *lasso, guint i, const double *z)
{
  g_autofree double *r = g_new (double, lasso->n);
  g_autofree double *g = g_new (double, lasso->m);
  double lam = lasso->lambda, worst = 0.0;

  g_return_val_if_fail (i < lasso->n_signals, NAN);
  residual_and_gradient (lasso, i, z, r, g);
  for (guint j = 0; j < lasso->m; j++)
    {
      double c = -g[j], v;   /* c = d_jᵀ(x − Dz) */

      if (lasso->positive && z[j] < 0.0)
        return INFINITY;
      if (z[j] > 0.0)
        v = fabs (c - lam);
      else if (z[j] < 0.0)
        v = fabs (c + lam);
      else
        v = lasso->positive ? MAX (c - lam, 0.0) : MAX (fabs (c) - lam, 0.0);
      worst = MAX (worst, v);
    }
  return worst;
}

double
as_lasso_support_lipschitz_indices (const AsLasso *lasso, const guint *support, guint size)
{
  guint n = lasso->n, m = lasso->m;
  g_autofree double *ds = NULL, *a = NULL;

  if (size == 0)
    return as_lasso_lipschitz ((AsLasso *) lasso);

  ds = g_new (double, (gsize) n * size);   /* D_S, n × size */
  for (guint r = 0; r < n; r++)
    for (guint k = 0; k < size; k++)
      ds[(gsize) r * size + k] = lasso->D[(gsize) r * m + support[k]];
  if (size <= n)
    {
      a = g_new (double, (gsize) size * size);
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, size, size, n,
                   1.0, ds, size, ds, size, 0.0, a, size);
      return as_lasso_top_eigenvalue (a, size);
    }
  a = g_new (double, (gsize) n * n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n, n, size,
               1.0, ds, size, ds, size, 0.0, a, n);
  return as_lasso_top_eigenvalue (a, n);
}

double
as_lasso_support_lipschitz (const AsLasso *lasso, const double *z)
{
  g_autofree guint *s = g_new (guint, lasso->m);
  guint k = 0;

  for (guint j = 0; j < lasso->m; j++)
    if (z[j] != 0.0)
      s[k++] = j;
  return as_lasso_support_lipschitz_indices (lasso, s, k);
}

/* --- reference solver --- */

/* One epoch of cyclic coordinate descent on the Gram form: β = Dᵀx − Gz is
 * kept up to date, and z_j ← ST(z_j G_jj + β_j, λ) / G_jj (docs/maths.md, cyclic CD). */
static void
cd_epoch (guint m, const double *G, double lam, gboolean positive, double *z, double *beta)
{
  for (guint j = 0; j < m; j++)
    {
      double gjj = G[(gsize) j * m + j], u, znew, delta;

      if (gjj <= 0.0)
        continue;
      u = z[j] * gjj + beta[j];
      if (positive)
        znew = MAX (u - lam, 0.0) / gjj;
      else
        znew = (u > lam ? u - lam : u < -lam ? u + lam : 0.0) / gjj;
      delta = znew - z[j];
      if (delta != 0.0)
        {
          z[j] = znew;
          cblas_daxpy (m, -delta, G + (gsize) j * m, 1, beta, 1);
        }
    }
}

/* Exact solve on the support with fixed signs: G_SS w = Dᵀx_S − λ s.  Returns
 * FALSE when the system is singular or a sign flips (the support was wrong). */
static gboolean
polish (guint m, const double *G, const double *c, double lam, const double *z, double *out)
{
  g_autofree guint *S = g_new (guint, m);
  g_autofree double *a = NULL, *b = NULL;
  guint k = 0;
  lapack_int info;

  for (guint j = 0; j < m; j++)
    if (z[j] != 0.0)
      S[k++] = j;
  if (k == 0)
    return FALSE;
  a = g_new (double, (gsize) k * k);
  b = g_new (double, k);
  for (guint p = 0; p < k; p++)
    {
      for (guint q = 0; q < k; q++)
        a[(gsize) p * k + q] = G[(gsize) S[p] * m + S[q]];
      b[p] = c[S[p]] - lam * (z[S[p]] > 0.0 ? 1.0 : -1.0);
    }
  info = LAPACKE_dposv (LAPACK_ROW_MAJOR, 'U', k, 1, a, k, b, 1);
  if (info != 0)
    return FALSE;
  for (guint p = 0; p < k; p++)
    if (!isfinite (b[p]) || b[p] * z[S[p]] <= 0.0)
      return FALSE;
  memset (out, 0, sizeof (double) * m);
  for (guint p = 0; p < k; p++)
    out[S[p]] = b[p];
  return TRUE;
}

static double
relative_gap (const AsLasso *lasso, guint i, const double *z)
{
  double F = as_lasso_objective (lasso, i, z);
  double gap = as_lasso_duality_gap (lasso, i, z);

  return gap / MAX (F, 1e-300);
}

gboolean
as_lasso_solve_reference (AsLasso *lasso, double *Z, double rel_gap, guint max_iter,
                          GError **error)
{
  guint n = lasso->n, m = lasso->m;
  const double *G = as_lasso_get_gram (lasso);
  g_autofree double *c = g_new (double, m);
  g_autofree double *beta = g_new (double, m);
  g_autofree double *trial = g_new (double, m);

  g_return_val_if_fail (rel_gap > 0.0, FALSE);

  for (guint i = 0; i < lasso->n_signals; i++)
    {
      double *z = Z + (gsize) i * m;
      gboolean done = FALSE;

      if (lasso->positive)
        for (guint j = 0; j < m; j++)
          z[j] = MAX (z[j], 0.0);
      for (guint j = 0; j < m; j++)
        if (!isfinite (z[j]))
          z[j] = 0.0;
      cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, lasso->D, m,
                   lasso->X + (gsize) i * n, 1, 0.0, c, 1);

      for (guint it = 0; it <= max_iter && !done; it++)
        {
          /* β is recomputed from scratch now and then so that rounding from
           * the rank-one updates does not build up. */
          if (it % 50 == 0)
            {
              memcpy (beta, c, sizeof (double) * m);
              cblas_dgemv (CblasRowMajor, CblasNoTrans, m, m, -1.0, G, m, z, 1, 1.0, beta, 1);
            }
          if (it % 5 == 0)
            {
              if (relative_gap (lasso, i, z) <= rel_gap)
                {
                  done = TRUE;
                  break;
                }
              /* CD identifies the support in finitely many epochs; once it
               * has, the exact solve lands on z* up to rounding. */
              if (polish (m, G, c, lasso->lambda, z, trial))
                {
                  if (relative_gap (lasso, i, trial) <= rel_gap)
                    {
                      memcpy (z, trial, sizeof (double) * m);
                      done = TRUE;
                      break;
                    }
                  if (as_lasso_objective (lasso, i, trial) < as_lasso_objective (lasso, i, z))
                    {
                      memcpy (z, trial, sizeof (double) * m);
                      memcpy (beta, c, sizeof (double) * m);
                      cblas_dgemv (CblasRowMajor, CblasNoTrans, m, m, -1.0, G, m, z, 1, 1.0, beta, 1);
                    }
                }
            }
          cd_epoch (m, G, lasso->lambda, lasso->positive, z, beta);
        }
      if (!done)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("The reference Lasso solver did not reach a relative duality gap of %g "
                         "for signal %u within %u epochs (gap %g): increase the iteration limit "
                         "or check the dictionary for duplicate atoms"),
                       rel_gap, i, max_iter, relative_gap (lasso, i, z));
          return FALSE;
        }
    }
  return TRUE;
}
