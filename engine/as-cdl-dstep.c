/* as-cdl-dstep.c: sufficient statistics and the projected-gradient dictionary update.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

/* The inner loops (correlations, β updates) are long unit-stride axpys: let GCC vectorize
 * them even in -O2 builds, whose cost model only vectorizes loops without an epilogue. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("tree-vectorize")
#endif

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "as-cdl-dstep.h"
#include "as-csc-mask.h"

void
as_cdl_stats_add (const AsCscShape *s, const double *x, const double *z, double *ztz,
                  double *ztx)
{
  as_cdl_stats_add_region (s, x, z, 0, as_csc_valid_height (s), 0, as_csc_valid_width (s),
                           ztz, ztx);
}

void
as_cdl_stats_add_region (const AsCscShape *s, const double *x, const double *z, guint ry0,
                         guint ry1, guint rx0, guint rx1, double *ztz, double *ztx)
{
  const guint K = s->n_atoms, P = s->n_channels, H = s->height, W = s->width;
  const guint h = s->atom_height, w = s->atom_width, LW = 2 * w - 1;
  const int Hv = (int) as_csc_valid_height (s), Wv = (int) as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), lsz = as_csc_lag_size (s), asz = as_csc_atom_size (s);

  for (guint k = 0; k < K; k++)
    for (int sy = (int) ry0; sy < (int) ry1; sy++)
      for (int sx = (int) rx0; sx < (int) rx1; sx++)
        {
          const double a = z[k * nv + (gsize) sy * Wv + sx];
          const int y0 = MAX (0, sy - (int) (h - 1)), y1 = MIN (Hv, sy + (int) h);
          const int x0 = MAX (0, sx - (int) (w - 1)), x1 = MIN (Wv, sx + (int) w);

          if (a == 0.0)
            continue;
          /* ztz[k][l][ty − sy + (h−1)][tx − sx + (w−1)] += z_k[s] z_l[t] */
          for (guint l = 0; l < K; l++)
            {
              double *c = ztz + ((gsize) k * K + l) * lsz;
              for (int ty = y0; ty < y1; ty++)
                {
                  const double *zr = z + l * nv + (gsize) ty * Wv;
                  double *cr = c + (gsize) (ty - sy + (int) (h - 1)) * LW - sx + (int) (w - 1);
                  for (int tx = x0; tx < x1; tx++)
                    cr[tx] += a * zr[tx];
                }
            }
          for (guint p = 0; p < P; p++)
            for (guint r = 0; r < h; r++)
              {
                const double *xr = x + ((gsize) p * H + sy + r) * W + sx;
                double *o = ztx + k * asz + ((gsize) p * h + r) * w;
                for (guint b = 0; b < w; b++)
                  o[b] += a * xr[b];
              }
        }
}

/* out[a][b] += Σ_{a',b'} c[a − a' + (h−1)][b − b' + (w−1)] f[a'][b'] for one plane. */
static void
lag_apply_plane (const double *c, const double *f, guint h, guint w, double *out)
{
  const guint LW = 2 * w - 1;

  for (guint a2 = 0; a2 < h; a2++)
    for (guint b2 = 0; b2 < w; b2++)
      {
        const double d = f[(gsize) a2 * w + b2];
        if (d == 0.0)
          continue;
        for (guint a = 0; a < h; a++)
          {
            const double *cr = c + (gsize) (a - a2 + h - 1) * LW + (w - 1) - b2;
            double *o = out + (gsize) a * w;
            for (guint b = 0; b < w; b++)
              o[b] += cr[b] * d;
          }
      }
}

void
as_cdl_ztz_apply (const AsCscShape *s, const double *ztz, const double *atoms, double *out)
{
  const guint K = s->n_atoms, P = s->n_channels, h = s->atom_height, w = s->atom_width;
  const gsize lsz = as_csc_lag_size (s), asz = as_csc_atom_size (s), hw = (gsize) h * w;

  memset (out, 0, sizeof (double) * K * asz);
  for (guint k = 0; k < K; k++)
    for (guint l = 0; l < K; l++)
      {
        const double *c = ztz + ((gsize) k * K + l) * lsz;
        for (guint p = 0; p < P; p++)
          lag_apply_plane (c, atoms + l * asz + p * hw, h, w, out + k * asz + p * hw);
      }
}

double
as_cdl_dstep_cost (const AsCscShape *s, const double *ztz, const double *ztx, double x2,
                   const double *atoms, double *grad)
{
  const gsize n = s->n_atoms * as_csc_atom_size (s);
  double *a = grad != NULL ? grad : g_new (double, n);
  double cost = 0.5 * x2;

  as_cdl_ztz_apply (s, ztz, atoms, a);
  for (gsize i = 0; i < n; i++)
    {
      cost += atoms[i] * (0.5 * a[i] - ztx[i]);
      a[i] -= ztx[i];
    }
  if (grad == NULL)
    g_free (a);
  return cost;
}

double
as_cdl_dstep_cost_rank1 (const AsCscShape *s, const double *ztz, const double *ztx,
                         double x2, const double *u, const double *v, double *grad_u,
                         double *grad_v)
{
  const guint K = s->n_atoms, P = s->n_channels, h = s->atom_height, w = s->atom_width;
  const gsize hw = (gsize) h * w, lsz = as_csc_lag_size (s), asz = as_csc_atom_size (s);
  double *wkl = g_new0 (double, (gsize) K * K * hw);   /* W_kl = ztz_kl ⊛ v_l */
  double *vw = g_new (double, (gsize) K * K);           /* ⟨v_k, W_kl⟩ */
  double *uu = g_new (double, (gsize) K * K);           /* u_kᵀu_l */
  double *xv = g_new (double, (gsize) K * P);           /* ztx_k v_k */
  double *ux = g_new (double, (gsize) K * hw);          /* u_kᵀ ztx_k */
  double cost = 0.5 * x2;

  for (guint k = 0; k < K; k++)
    for (guint l = 0; l < K; l++)
      {
        lag_apply_plane (ztz + ((gsize) k * K + l) * lsz, v + l * hw, h, w,
                         wkl + ((gsize) k * K + l) * hw);
        vw[k * K + l] = cblas_ddot ((int) hw, v + k * hw, 1, wkl + ((gsize) k * K + l) * hw, 1);
        uu[k * K + l] = cblas_ddot ((int) P, u + (gsize) k * P, 1, u + (gsize) l * P, 1);
      }
  for (guint k = 0; k < K; k++)
    {
      cblas_dgemv (CblasRowMajor, CblasNoTrans, (int) P, (int) hw, 1.0, ztx + k * asz, (int) hw,
                   v + k * hw, 1, 0.0, xv + (gsize) k * P, 1);
      cblas_dgemv (CblasRowMajor, CblasTrans, (int) P, (int) hw, 1.0, ztx + k * asz, (int) hw,
                   u + (gsize) k * P, 1, 0.0, ux + k * hw, 1);
      cost -= cblas_ddot ((int) P, u + (gsize) k * P, 1, xv + (gsize) k * P, 1);
      for (guint l = 0; l < K; l++)
        cost += 0.5 * uu[k * K + l] * vw[k * K + l];
    }
  if (grad_u != NULL)
    for (guint k = 0; k < K; k++)
      for (guint p = 0; p < P; p++)
        {
          double g = -xv[(gsize) k * P + p];
          for (guint l = 0; l < K; l++)
            g += u[(gsize) l * P + p] * vw[k * K + l];
          grad_u[(gsize) k * P + p] = g;
        }
  if (grad_v != NULL)
    for (guint k = 0; k < K; k++)
      for (gsize t = 0; t < hw; t++)
        {
          double g = -ux[k * hw + t];
          for (guint l = 0; l < K; l++)
            g += uu[k * K + l] * wkl[((gsize) k * K + l) * hw + t];
          grad_v[k * hw + t] = g;
        }
  g_free (wkl);
  g_free (vw);
  g_free (uu);
  g_free (xv);
  g_free (ux);
  return cost;
}

/* ---- projected gradient with Armijo backtracking ---------------------------- */

typedef double (*CostFunc) (gpointer data, const double *param, double *grad);

static void
project_blocks (double *x, gsize n_blocks, gsize block)
{
  for (gsize b = 0; b < n_blocks; b++)
    {
      double nrm = cblas_dnrm2 ((int) block, x + b * block, 1);
      if (nrm > 1.0)
        cblas_dscal ((int) block, 1.0 / nrm, x + b * block, 1);
    }
}

/* Minimises f over the product of unit balls (blocks of @block entries).  Armijo test for
 * projected gradient (Beck & Teboulle 2009, backtracking): f(x⁺) ≤ f(x) + ⟨g, x⁺ − x⟩ +
 * ‖x⁺ − x‖²/(2·step); the accepted point never has a larger cost. */
static double
pgd_blocks (CostFunc f, gpointer data, double *x, gsize n_blocks, gsize block,
            guint max_iter, double tol, double *step)
{
  const gsize n = n_blocks * block;
  double *g = g_new (double, n), *xn = g_new (double, n);
  double fx = f (data, x, g);

  for (guint it = 0; it < max_iter; it++)
    {
      double fn = fx;
      gboolean accepted = FALSE;

      *step *= 2.0;
      for (int tries = 0; tries < 60; tries++)
        {
          double lin = 0.0, quad = 0.0;
          for (gsize i = 0; i < n; i++)
            xn[i] = x[i] - *step * g[i];
          project_blocks (xn, n_blocks, block);
          for (gsize i = 0; i < n; i++)
            {
              double d = xn[i] - x[i];
              lin += g[i] * d;
              quad += d * d;
            }
          if (quad == 0.0)
            break;
          fn = f (data, xn, NULL);
          if (fn <= fx + lin + quad / (2.0 * *step) && fn <= fx)
            {
              accepted = TRUE;
              break;
            }
          *step *= 0.5;
        }
      if (!accepted)
        break;
      memcpy (x, xn, sizeof (double) * n);
      {
        double prev = fx;
        fx = f (data, x, g);
        if (prev - fx <= tol * fabs (fx))
          break;
      }
    }
  g_free (g);
  g_free (xn);
  return fx;
}

typedef struct
{
  const AsCscShape *s;
  const double *ztz, *ztx;
  double x2;
  double *u, *v;        /* rank-1: the block not being optimised is read from here */
  const double *window; /* h·w taper or NULL: the atom is window ⊙ parameter */
  double *scratch;      /* windowed copy of the parameter */
  const AsCscMaskPatches *patches;  /* masked samples' correction, or NULL */
} DstepData;

/* With a taper w the effective atom is w ⊙ θ: cost(w ⊙ θ), gradient w ⊙ ∇ (chain rule). */
static const double *
windowed (DstepData *d, const double *param, gsize n)
{
  const gsize hw = (gsize) d->s->atom_height * d->s->atom_width;

  if (d->window == NULL)
    return param;
  for (gsize i = 0; i < n; i++)
    d->scratch[i] = param[i] * d->window[i % hw];
  return d->scratch;
}

static void
window_gradient (DstepData *d, double *grad, gsize n)
{
  const gsize hw = (gsize) d->s->atom_height * d->s->atom_width;

  if (d->window != NULL && grad != NULL)
    for (gsize i = 0; i < n; i++)
      grad[i] *= d->window[i % hw];
}

static double
full_cost (gpointer data, const double *param, double *grad)
{
  DstepData *d = data;
  const gsize n = d->s->n_atoms * as_csc_atom_size (d->s);
  const double *atoms = windowed (d, param, n);
  double c = as_cdl_dstep_cost (d->s, d->ztz, d->ztx, d->x2, atoms, grad);

  if (d->patches != NULL)
    c += as_csc_mask_patches_cost (d->patches, atoms, grad);
  window_gradient (d, grad, n);
  return c;
}

static double
u_cost (gpointer data, const double *param, double *grad)
{
  DstepData *d = data;
  const gsize n = d->s->n_atoms * (gsize) d->s->atom_height * d->s->atom_width;
  const double *v = windowed (d, d->v, n);
  double c = as_cdl_dstep_cost_rank1 (d->s, d->ztz, d->ztx, d->x2, param, v, grad, NULL);

  if (d->patches != NULL)
    c += as_csc_mask_patches_cost_rank1 (d->patches, param, v, grad, NULL);
  return c;
}

static double
v_cost (gpointer data, const double *param, double *grad)
{
  DstepData *d = data;
  const gsize n = d->s->n_atoms * (gsize) d->s->atom_height * d->s->atom_width;
  const double *v = windowed (d, param, n);
  double c = as_cdl_dstep_cost_rank1 (d->s, d->ztz, d->ztx, d->x2, d->u, v, NULL, grad);

  if (d->patches != NULL)
    c += as_csc_mask_patches_cost_rank1 (d->patches, d->u, v, NULL, grad);
  window_gradient (d, grad, n);
  return c;
}

/* A first step of 1/Σ_k ztz_kk[0]: below 1/Lipschitz; the doubling in pgd_blocks adapts it. */
static double
initial_step (const AsCscShape *s, const double *ztz)
{
  const guint K = s->n_atoms;
  const gsize lsz = as_csc_lag_size (s);
  const gsize center = (gsize) (s->atom_height - 1) * (2 * s->atom_width - 1) + s->atom_width - 1;
  double tr = 0.0;

  for (guint k = 0; k < K; k++)
    tr += ztz[((gsize) k * K + k) * lsz + center];
  return tr > 0.0 ? 0.5 / tr : 1.0;
}

double
as_cdl_dstep (const AsCscShape *s, const double *ztz, const double *ztx, double x2,
              const double *window, double *atoms, guint max_iter, double tol)
{
  return as_cdl_dstep_masked (s, ztz, ztx, x2, NULL, window, atoms, max_iter, tol);
}

double
as_cdl_dstep_rank1 (const AsCscShape *s, const double *ztz, const double *ztx, double x2,
                    const double *window, double *u, double *v, guint max_iter, double tol)
{
  return as_cdl_dstep_rank1_masked (s, ztz, ztx, x2, NULL, window, u, v, max_iter, tol);
}

double
as_cdl_dstep_masked (const AsCscShape *s, const double *ztz, const double *ztx, double x2,
                     const AsCscMaskPatches *patches, const double *window, double *atoms,
                     guint max_iter, double tol)
{
  DstepData d = { s, ztz, ztx, x2, NULL, NULL, window, NULL, patches };
  double step = initial_step (s, ztz), cost;

  d.scratch = g_new (double, s->n_atoms * as_csc_atom_size (s));
  cost = pgd_blocks (full_cost, &d, atoms, s->n_atoms, as_csc_atom_size (s), max_iter, tol,
                     &step);
  g_free (d.scratch);
  return cost;
}

double
as_cdl_dstep_rank1_masked (const AsCscShape *s, const double *ztz, const double *ztx, double x2,
                           const AsCscMaskPatches *patches, const double *window, double *u,
                           double *v, guint max_iter, double tol)
{
  DstepData d = { s, ztz, ztx, x2, u, v, window, NULL, patches };
  const gsize hw = (gsize) s->atom_height * s->atom_width;
  double step_u = initial_step (s, ztz), step_v = step_u;
  double cost;

  d.scratch = g_new (double, s->n_atoms * hw);
  cost = v_cost (&d, v, NULL);

  /* Alternate: u with v fixed, then v with u fixed (alphacsc's update_uv, "alternate"). */
  for (guint it = 0; it < max_iter; it++)
    {
      double prev = cost;
      pgd_blocks (u_cost, &d, u, s->n_atoms, s->n_channels, 20, tol, &step_u);
      cost = pgd_blocks (v_cost, &d, v, s->n_atoms, hw, 20, tol, &step_v);
      if (prev - cost <= tol * fabs (cost))
        break;
    }
  g_free (d.scratch);
  return cost;
}

void
as_cdl_atom_correlations_rank1 (const AsCscShape *s, const double *u, const double *v,
                                double *dtd)
{
  const guint K = s->n_atoms, P = s->n_channels;
  AsCscShape one = *s;
  const gsize lsz = as_csc_lag_size (s);
  double *vc = g_new (double, (gsize) K * K * lsz);

  /* Waveform correlations as a one-channel problem, then scale by u_kᵀu_l. */
  one.n_channels = 1;
  as_csc_atom_correlations (&one, v, vc);
  for (guint k = 0; k < K; k++)
    for (guint l = 0; l < K; l++)
      {
        double c = cblas_ddot ((int) P, u + (gsize) k * P, 1, u + (gsize) l * P, 1);
        for (gsize j = 0; j < lsz; j++)
          dtd[((gsize) k * K + l) * lsz + j] = c * vc[((gsize) k * K + l) * lsz + j];
      }
  g_free (vc);
}

void
as_cdl_rank1_to_atoms (const AsCscShape *s, const double *u, const double *v, double *atoms)
{
  const guint K = s->n_atoms, P = s->n_channels;
  const gsize hw = (gsize) s->atom_height * s->atom_width;

  for (guint k = 0; k < K; k++)
    for (guint p = 0; p < P; p++)
      for (gsize t = 0; t < hw; t++)
        atoms[((gsize) k * P + p) * hw + t] = u[(gsize) k * P + p] * v[k * hw + t];
}
