/* as-csc-mask.c: masked convolutional sparse coding (z-step) and the D-step's correction.
 *
 * Formulas: docs/maths.md, "Masked samples".  The z-step keeps β = g − n ⊙ z, g the masked
 * gradient and n_k[t] the masked curvature of coordinate (k, t); an update δ of z_k[t] adds
 * δ·DtD[l, k, t' − t + L − 1] to β_l[t'] (the unmasked Hessian) and subtracts
 * δ·D_l[:, s − t']·D_k[:, s − t] for every masked sample s under the atom (the Hessian's
 * masked part), then δ·n_k[t] at (k, t) itself.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-csc"

#include "config.h"

#include <math.h>
#include <string.h>

#include "as-csc-mask.h"

/* Gradient −Dᵀ(w ⊙ (X − Σ z * D)) from a reconstruction; with @u, @v (rank-1) the correlation
 * projects on the topographies first (as_csc_correlate()). */
static void
masked_gradient (const AsCscShape *s, const double *atoms, const double *u, const double *v,
                 const double *x, const guint8 *mask, const double *z, double *grad)
{
  const gsize ssz = as_csc_signal_size (s), W = s->width, nv = as_csc_n_valid (s);
  double *r = g_new (double, ssz);

  as_csc_reconstruct (s, atoms, z, r);
  for (gsize i = 0; i < ssz; i++)
    r[i] = mask != NULL && mask[i % W] ? 0.0 : x[i] - r[i];
  as_csc_correlate (s, atoms, u, v, r, grad);
  for (gsize i = 0; i < s->n_atoms * nv; i++)
    grad[i] = -grad[i];
  g_free (r);
}

void
as_csc_masked_gradient (const AsCscShape *s, const double *atoms, const double *x,
                        const guint8 *mask, const double *z, double *grad)
{
  masked_gradient (s, atoms, NULL, NULL, x, mask, z, grad);
}

double
as_csc_masked_objective (const AsCscShape *s, const double *atoms, const double *x,
                         const guint8 *mask, const double *z, guint n_trials, double lambda)
{
  const gsize ssz = as_csc_signal_size (s), W = s->width, zsz = s->n_atoms * as_csc_n_valid (s);
  double *rec = g_new (double, ssz);
  double obj = 0.0;

  for (guint n = 0; n < n_trials; n++)
    {
      const double *xn = x + n * ssz, *zn = z + n * zsz;
      const guint8 *mn = mask != NULL ? mask + n * W : NULL;
      as_csc_reconstruct (s, atoms, zn, rec);
      for (gsize i = 0; i < ssz; i++)
        if (mn == NULL || !mn[i % W])
          {
            double r = xn[i] - rec[i];
            obj += 0.5 * r * r;
          }
      for (gsize i = 0; i < zsz; i++)
        obj += lambda * fabs (zn[i]);
    }
  g_free (rec);
  return obj;
}

gboolean
as_csc_mask_allows (const guint8 *mask, gsize t, guint L)
{
  gsize first = L, last = 0, observed = 0;

  if (mask == NULL)
    return TRUE;
  for (guint b = 0; b < L; b++)
    if (!mask[t + b])
      {
        first = MIN (first, b);
        last = b;
        observed++;
      }
  /* Some observed samples, and no masked run between two of them. */
  return observed > 0 && last - first + 1 == observed;
}

double
as_csc_masked_kkt_violation (const AsCscShape *s, const double *atoms, const double *x,
                             const guint8 *mask, const double *z, double lambda,
                             gboolean positive)
{
  const gsize nv = as_csc_n_valid (s), n = s->n_atoms * nv;
  double *g = g_new (double, n);
  double worst = 0.0;

  as_csc_masked_gradient (s, atoms, x, mask, z, g);
  for (gsize i = 0; i < n; i++)
    {
      /* A coordinate the mask rules out must be zero, whatever its gradient. */
      double v = !as_csc_mask_allows (mask, i % nv, s->atom_width)
                 ? (z[i] != 0.0 ? INFINITY : 0.0)
                 : as_csc_kkt_term (z[i], g[i], lambda, positive);
      worst = MAX (worst, v);
    }
  g_free (g);
  return lambda > 0.0 ? worst / lambda : worst;
}

/* ---- masked LGCD ------------------------------------------------------------- */

typedef struct
{
  guint K, P, L;
  gsize W, nv, lsz;
  const double *dtd, *atoms, *u, *v;
  double *uu;          /* rank-1: K × K, u_lᵀu_k */
  double *beta;        /* K × nv */
  double *curv;        /* K × nv: n_k[t] */
  const guint *masked; /* sorted masked samples */
  gsize n_masked;
} Mlgcd;

static inline double
coordinate_target (double beta, double lambda, double curv, gboolean positive)
{
  double mb = -beta;

  if (!(curv > 0.0))
    return 0.0;
  if (positive)
    return MAX (mb - lambda, 0.0) / curv;
  return (mb - MAX (MIN (mb, lambda), -lambda)) / curv;
}

/* First index of m[0 … n) that is ≥ t. */
static gsize
lower_bound (const guint *m, gsize n, gsize t)
{
  gsize lo = 0, hi = n;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      if (m[mid] < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static void
mlgcd_update (Mlgcd *c, guint k, gsize t, double delta)
{
  const guint K = c->K, L = c->L, P = c->P;
  const gsize nv = c->nv, lsz = c->lsz, asz = (gsize) P * L;
  const gsize t0 = t >= L - 1 ? t - (L - 1) : 0, t1 = MIN (nv - 1, t + L - 1);

  /* The unmasked Hessian: DtD[l][k][t' − t + L − 1]. */
  for (guint l = 0; l < K; l++)
    {
      const double *restrict cl = c->dtd + ((gsize) l * K + k) * lsz + (L - 1) - t;
      double *restrict bl = c->beta + l * nv;
      for (gsize tp = t0; tp <= t1; tp++)
        bl[tp] += cl[tp] * delta;
    }
  /* Its masked part: every masked sample s under the atom, t ≤ s < t + L. */
  for (gsize i = lower_bound (c->masked, c->n_masked, t); i < c->n_masked && c->masked[i] < t + L; i++)
    {
      const gsize sm = c->masked[i], b = sm - t;
      const gsize a0 = sm >= nv ? sm - (nv - 1) : 0;   /* a = s − t' with 0 ≤ t' < nv */
      const gsize a1 = MIN ((gsize) L - 1, sm);
      for (guint l = 0; l < K; l++)
        {
          double *bl = c->beta + l * nv;
          if (c->u != NULL)
            {
              const double f = delta * c->uu[(gsize) l * K + k] * c->v[(gsize) k * L + b];
              const double *vl = c->v + (gsize) l * L;
              for (gsize a = a0; a <= a1; a++)
                bl[sm - a] -= f * vl[a];
            }
          else
            {
              const double *dk = c->atoms + k * asz + b, *dl = c->atoms + l * asz;
              for (gsize a = a0; a <= a1; a++)
                {
                  double dot = 0.0;
                  for (guint p = 0; p < P; p++)
                    dot += dl[(gsize) p * L + a] * dk[(gsize) p * L];
                  bl[sm - a] -= delta * dot;
                }
            }
        }
    }
  /* β leaves out the coordinate's own term. */
  c->beta[k * nv + t] -= delta * c->curv[k * nv + t];
}

AsCscLgcdStats
as_csc_lgcd_masked (const AsCscShape *s, const double *dtd, const double *atoms,
                    const double *u, const double *v, const double *x, const guint8 *mask,
                    double lambda, gboolean positive, double tol, guint64 max_updates,
                    const gint *stop, double *z)
{
  AsCscLgcdStats stats = { 0 };
  Mlgcd c = { 0 };
  const guint K = s->n_atoms, P = s->n_channels, L = s->atom_width;
  const gsize W = s->width, nv = as_csc_n_valid (s), asz = as_csc_atom_size (s);
  const gsize seg = 2 * (gsize) L - 1, n_seg = (nv + seg - 1) / seg;
  guint *masked, *count;
  guint8 *active;
  gsize n_active = n_seg, n_masked = 0;
  double *colnorm;

  g_return_val_if_fail (s->height == 1 && s->atom_height == 1, stats);

  c.K = K;
  c.P = P;
  c.L = L;
  c.W = W;
  c.nv = nv;
  c.lsz = as_csc_lag_size (s);
  c.dtd = dtd;
  c.atoms = atoms;
  c.u = u != NULL && v != NULL ? u : NULL;
  c.v = c.u != NULL ? v : NULL;

  masked = g_new (guint, MAX (W, 1));
  count = g_new0 (guint, W + 1);        /* masked samples before each sample */
  for (gsize i = 0; i < W; i++)
    {
      count[i + 1] = count[i];
      if (mask != NULL && mask[i])
        {
          masked[n_masked++] = (guint) i;
          count[i + 1]++;
        }
    }
  c.masked = masked;
  c.n_masked = n_masked;

  /* Curvatures: ‖D_k‖² minus the squared columns that fall on masked samples. */
  colnorm = g_new0 (double, (gsize) K * L);
  for (guint k = 0; k < K; k++)
    for (guint p = 0; p < P; p++)
      for (guint b = 0; b < L; b++)
        {
          double d = atoms[k * asz + (gsize) p * L + b];
          colnorm[(gsize) k * L + b] += d * d;
        }
  c.curv = g_new (double, (gsize) K * nv);
  for (guint k = 0; k < K; k++)
    {
      double full = 0.0;
      for (guint b = 0; b < L; b++)
        full += colnorm[(gsize) k * L + b];
      for (gsize t = 0; t < nv; t++)
        {
          guint nm = count[t + L] - count[t];
          double n = full;
          if (nm == L || (nm > 0 && !as_csc_mask_allows (mask, t, L)))
            n = 0.0;   /* wholly masked, or straddling a masked run: ruled out */
          else if (nm > 0)
            for (guint b = 0; b < L; b++)
              if (mask[t + b])
                n -= colnorm[(gsize) k * L + b];
          c.curv[k * nv + t] = MAX (n, 0.0);
        }
    }
  if (c.u != NULL)
    {
      c.uu = g_new (double, (gsize) K * K);
      for (guint l = 0; l < K; l++)
        for (guint k = 0; k < K; k++)
          {
            double acc = 0.0;
            for (guint p = 0; p < P; p++)
              acc += u[(gsize) l * P + p] * u[(gsize) k * P + p];
            c.uu[(gsize) l * K + k] = acc;
          }
    }

  /* β = g − n ⊙ z from the masked residual of the warm start; an activation whose atom lies
   * wholly in masked samples has no data term and is cleared. */
  c.beta = g_new (double, (gsize) K * nv);
  for (guint k = 0; k < K; k++)
    for (gsize t = 0; t < nv; t++)
      if (!(c.curv[k * nv + t] > 0.0))
        z[k * nv + t] = 0.0;
  masked_gradient (s, atoms, c.u, c.v, x, mask, z, c.beta);
  for (gsize i = 0; i < (gsize) K * nv; i++)
    c.beta[i] -= c.curv[i] * z[i];

  active = g_new (guint8, MAX (n_seg, 1));
  memset (active, 1, n_seg);
  while (n_active > 0 && stats.n_updates < max_updates)
    {
      stats.n_sweeps++;
      for (gsize g = 0; g < n_seg; g++)
        {
          const gsize xa = g * seg, xb = MIN (nv, xa + seg);
          double best = 0.0, best_dz = 0.0;
          guint bk = 0;
          gsize bt = xa;

          if (!active[g])
            continue;
          if (stop != NULL && (g & 255) == 0 && g_atomic_int_get (stop))
            {
              stats.stopped = TRUE;
              goto done;
            }
          for (guint k = 0; k < K; k++)
            {
              const double *bk_ = c.beta + k * nv, *zk = z + k * nv, *ck = c.curv + k * nv;
              for (gsize t = xa; t < xb; t++)
                {
                  double dz = coordinate_target (bk_[t], lambda, ck[t], positive) - zk[t];
                  if (fabs (dz) > best)
                    {
                      best = fabs (dz);
                      best_dz = dz;
                      bk = k;
                      bt = t;
                    }
                }
            }
          if (best <= tol || best_dz == 0.0)
            {
              active[g] = 0;
              n_active--;
              continue;
            }
          z[bk * nv + bt] += best_dz;
          mlgcd_update (&c, bk, bt, best_dz);
          stats.n_updates++;
          {
            gsize w0 = (bt >= L - 1 ? bt - (L - 1) : 0) / seg, w1 = MIN (nv - 1, bt + L - 1) / seg;
            for (gsize q = w0; q <= w1; q++)
              if (!active[q])
                {
                  active[q] = 1;
                  n_active++;
                }
          }
          if (stats.n_updates >= max_updates)
            break;
        }
    }
done:
  stats.converged = n_active == 0;
  g_free (masked);
  g_free (count);
  g_free (colnorm);
  g_free (c.curv);
  g_free (c.uu);
  g_free (c.beta);
  g_free (active);
  return stats;
}

/* ---- the D-step's correction ---------------------------------------------------- */

typedef struct
{
  guint  k, tau;
  double z;
} PatchEntry;

struct _AsCscMaskPatches
{
  guint   K, P, L;
  gsize   W;
  GArray *start;   /* guint: first entry of each patch, then the end */
  GArray *entry;   /* PatchEntry */
};

AsCscMaskPatches *
as_csc_mask_patches_new (const AsCscShape *s)
{
  AsCscMaskPatches *p = g_new0 (AsCscMaskPatches, 1);

  p->start = g_array_new (FALSE, FALSE, sizeof (guint));
  p->entry = g_array_new (FALSE, FALSE, sizeof (PatchEntry));
  as_csc_mask_patches_clear (p, s);
  return p;
}

void
as_csc_mask_patches_free (AsCscMaskPatches *p)
{
  if (p == NULL)
    return;
  g_array_unref (p->start);
  g_array_unref (p->entry);
  g_free (p);
}

void
as_csc_mask_patches_clear (AsCscMaskPatches *p, const AsCscShape *s)
{
  guint zero = 0;

  p->K = s->n_atoms;
  p->P = s->n_channels;
  p->L = s->atom_width;
  p->W = s->width;
  g_array_set_size (p->start, 0);
  g_array_set_size (p->entry, 0);
  g_array_append_val (p->start, zero);
}

gsize
as_csc_mask_patches_count (const AsCscMaskPatches *p)
{
  return p->start->len - 1;
}

void
as_csc_mask_patches_add (AsCscMaskPatches *p, const guint8 *mask, const double *z)
{
  const guint K = p->K, L = p->L;
  const gsize W = p->W, nv = W - L + 1;
  guint *nz = g_new0 (guint, nv + 1);   /* positions with a non-zero activation before t */

  for (gsize t = 0; t < nv; t++)
    {
      gboolean any = FALSE;
      for (guint k = 0; k < K && !any; k++)
        any = z[k * nv + t] != 0.0;
      nz[t + 1] = nz[t] + (any ? 1 : 0);
    }
  for (gsize sm = 0; sm < W; sm++)
    {
      const gsize lo = sm >= L - 1 ? sm - (L - 1) : 0, hi = MIN (nv - 1, sm);
      guint end;

      if (mask == NULL || !mask[sm] || lo > hi || nz[hi + 1] == nz[lo])
        continue;
      for (gsize t = lo; t <= hi; t++)
        for (guint k = 0; k < K; k++)
          if (z[k * nv + t] != 0.0)
            {
              PatchEntry e = { k, (guint) (sm - t), z[k * nv + t] };
              g_array_append_val (p->entry, e);
            }
      end = p->entry->len;
      g_array_append_val (p->start, end);
    }
  g_free (nz);
}

/* r(s) = Σ a_k(s)[τ] D_k[:, τ] of one patch into @r (P values). */
static void
patch_residual (const AsCscMaskPatches *p, guint j, const double *atoms, double *r)
{
  const guint P = p->P, L = p->L;
  const guint e0 = g_array_index (p->start, guint, j), e1 = g_array_index (p->start, guint, j + 1);

  memset (r, 0, sizeof (double) * P);
  for (guint e = e0; e < e1; e++)
    {
      const PatchEntry *pe = &g_array_index (p->entry, PatchEntry, e);
      const double *d = atoms + (gsize) pe->k * P * L + pe->tau;
      for (guint q = 0; q < P; q++)
        r[q] += pe->z * d[(gsize) q * L];
    }
}

double
as_csc_mask_patches_cost (const AsCscMaskPatches *p, const double *atoms, double *grad)
{
  const guint P = p->P, L = p->L;
  double *r = g_new (double, P), cost = 0.0;

  for (guint j = 0; j + 1 < p->start->len; j++)
    {
      const guint e0 = g_array_index (p->start, guint, j), e1 = g_array_index (p->start, guint, j + 1);
      patch_residual (p, j, atoms, r);
      for (guint q = 0; q < P; q++)
        cost -= 0.5 * r[q] * r[q];
      if (grad != NULL)
        for (guint e = e0; e < e1; e++)
          {
            const PatchEntry *pe = &g_array_index (p->entry, PatchEntry, e);
            double *g = grad + (gsize) pe->k * P * L + pe->tau;
            for (guint q = 0; q < P; q++)
              g[(gsize) q * L] -= pe->z * r[q];
          }
    }
  g_free (r);
  return cost;
}

double
as_csc_mask_patches_cost_rank1 (const AsCscMaskPatches *p, const double *u, const double *v,
                                double *grad_u, double *grad_v)
{
  const guint K = p->K, P = p->P, L = p->L;
  double *ck = g_new (double, K), *r = g_new (double, P), cost = 0.0;

  for (guint j = 0; j + 1 < p->start->len; j++)
    {
      const guint e0 = g_array_index (p->start, guint, j), e1 = g_array_index (p->start, guint, j + 1);

      /* c_k = Σ_τ a_k(s)[τ] v_k[τ], r = Σ_k c_k u_k. */
      memset (ck, 0, sizeof (double) * K);
      for (guint e = e0; e < e1; e++)
        {
          const PatchEntry *pe = &g_array_index (p->entry, PatchEntry, e);
          ck[pe->k] += pe->z * v[(gsize) pe->k * L + pe->tau];
        }
      memset (r, 0, sizeof (double) * P);
      for (guint k = 0; k < K; k++)
        if (ck[k] != 0.0)
          for (guint q = 0; q < P; q++)
            r[q] += ck[k] * u[(gsize) k * P + q];
      for (guint q = 0; q < P; q++)
        cost -= 0.5 * r[q] * r[q];
      if (grad_u != NULL)
        for (guint k = 0; k < K; k++)
          if (ck[k] != 0.0)
            for (guint q = 0; q < P; q++)
              grad_u[(gsize) k * P + q] -= ck[k] * r[q];
      if (grad_v != NULL)
        for (guint e = e0; e < e1; e++)
          {
            const PatchEntry *pe = &g_array_index (p->entry, PatchEntry, e);
            double ur = 0.0;
            for (guint q = 0; q < P; q++)
              ur += u[(gsize) pe->k * P + q] * r[q];
            grad_v[(gsize) pe->k * L + pe->tau] -= pe->z * ur;
          }
    }
  g_free (ck);
  g_free (r);
  return cost;
}
