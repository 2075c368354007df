/* as-csc.c: convolutional sparse coding: LGCD, FISTA (FFTW) and their checks.
 *
 * Conventions follow alphacsc (Dupré la Tour et al. 2018): valid convolution,
 * β = ∇_z ½‖X − Σ D_k * z_k‖² with the diagonal term removed, so the optimal value of
 * one coordinate is max(−β − λ, 0)/‖D_k‖² (ST(−β, λ)/‖D_k‖² when signed)
 * (MATHS.md, "Convolutional sparse coding").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-csc"

#include "config.h"

/* The inner loops (correlations, β updates) are long unit-stride axpys: let GCC vectorize
 * them even in -O2 builds, whose cost model only vectorizes loops without an epilogue. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize ("tree-vectorize")
#endif

#include <math.h>
#include <string.h>
/* complex.h first: fftw_complex is then the native double complex. */
#include <complex.h>
#include <fftw3.h>
#include <cblas.h>
#include <lapacke.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-csc.h"

guint
as_csc_valid_height (const AsCscShape *s)
{
  return s->height - s->atom_height + 1;
}

guint
as_csc_valid_width (const AsCscShape *s)
{
  return s->width - s->atom_width + 1;
}

gsize
as_csc_n_valid (const AsCscShape *s)
{
  return (gsize) as_csc_valid_height (s) * as_csc_valid_width (s);
}

gsize
as_csc_atom_size (const AsCscShape *s)
{
  return (gsize) s->n_channels * s->atom_height * s->atom_width;
}

gsize
as_csc_signal_size (const AsCscShape *s)
{
  return (gsize) s->n_channels * s->height * s->width;
}

gsize
as_csc_lag_size (const AsCscShape *s)
{
  return (gsize) (2 * s->atom_height - 1) * (2 * s->atom_width - 1);
}

gboolean
as_csc_shape_check (const AsCscShape *s, GError **error)
{
  if (s->n_atoms == 0 || s->n_channels == 0 || s->atom_height == 0 || s->atom_width == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Convolutional sparse coding needs at least one atom, one channel and atoms of at least one sample"));
      return FALSE;
    }
  if (s->atom_height > s->height || s->atom_width > s->width)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Atoms of %u × %u samples do not fit in a signal of %u × %u samples: choose shorter atoms"),
                   s->atom_height, s->atom_width, s->height, s->width);
      return FALSE;
    }
  return TRUE;
}

void
as_csc_atom_correlations (const AsCscShape *s, const double *atoms, double *dtd)
{
  const guint K = s->n_atoms, P = s->n_channels, h = s->atom_height, w = s->atom_width;
  const guint LH = 2 * h - 1, LW = 2 * w - 1;
  const gsize asz = as_csc_atom_size (s), lsz = as_csc_lag_size (s);

  for (guint k = 0; k < K; k++)
    for (guint l = 0; l < K; l++)
      {
        double *out = dtd + ((gsize) k * K + l) * lsz;
        const double *dk = atoms + k * asz, *dl = atoms + l * asz;

        /* out[jy][jx] = Σ_{p,a,b} D_k[p][a][b] D_l[p][a + jy − (h−1)][b + jx − (w−1)] */
        for (guint jy = 0; jy < LH; jy++)
          for (guint jx = 0; jx < LW; jx++)
            {
              int oy = (int) jy - (int) (h - 1), ox = (int) jx - (int) (w - 1);
              int a0 = MAX (0, -oy), a1 = MIN ((int) h, (int) h - oy);
              int b0 = MAX (0, -ox), b1 = MIN ((int) w, (int) w - ox);
              double acc = 0.0;

              for (guint p = 0; p < P; p++)
                for (int a = a0; a < a1; a++)
                  {
                    const double *rk = dk + ((gsize) p * h + a) * w;
                    const double *rl = dl + ((gsize) p * h + a + oy) * w + ox;
                    for (int b = b0; b < b1; b++)
                      acc += rk[b] * rl[b];
                  }
              out[(gsize) jy * LW + jx] = acc;
            }
      }
}

/* out[ty][tx] += Σ_{a,b} f[a][b] img[ty + a][tx + b] over the valid positions. */
static void
correlate_plane (const double *img, guint H, guint W, const double *f, guint h, guint w,
                 double *out)
{
  const guint Hv = H - h + 1, Wv = W - w + 1;

  for (guint a = 0; a < h; a++)
    for (guint b = 0; b < w; b++)
      {
        double c = f[(gsize) a * w + b];
        if (c == 0.0)
          continue;
        for (guint ty = 0; ty < Hv; ty++)
          {
            const double *src = img + (gsize) (ty + a) * W + b;
            double *dst = out + (gsize) ty * Wv;
            for (guint tx = 0; tx < Wv; tx++)
              dst[tx] += c * src[tx];
          }
      }
}

void
as_csc_correlate (const AsCscShape *s, const double *atoms, const double *u,
                  const double *v, const double *x, double *out)
{
  const guint K = s->n_atoms, P = s->n_channels, H = s->height, W = s->width;
  const guint h = s->atom_height, w = s->atom_width;
  const gsize nv = as_csc_n_valid (s), plane = (gsize) H * W, asz = as_csc_atom_size (s);

  memset (out, 0, sizeof (double) * K * nv);
  if (u != NULL && v != NULL)
    {
      /* Rank-1: project on the topographies first (one GEMM), then correlate the
       * K virtual channels with the waveforms: K·P·H·W + K·h·w·valid flops. */
      double *ux = g_new (double, (gsize) K * plane);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) K, (int) plane, (int) P,
                   1.0, u, (int) P, x, (int) plane, 0.0, ux, (int) plane);
      for (guint k = 0; k < K; k++)
        correlate_plane (ux + k * plane, H, W, v + (gsize) k * h * w, h, w, out + k * nv);
      g_free (ux);
      return;
    }
  for (guint k = 0; k < K; k++)
    for (guint p = 0; p < P; p++)
      correlate_plane (x + p * plane, H, W, atoms + k * asz + (gsize) p * h * w, h, w,
                       out + k * nv);
}

double
as_csc_lambda_max (const AsCscShape *s, const double *atoms, const double *u,
                   const double *v, const double *x, guint n_trials, gboolean positive)
{
  const gsize nv = as_csc_n_valid (s), len = s->n_atoms * nv;
  double *c = g_new (double, len);
  double best = positive ? -G_MAXDOUBLE : 0.0;

  for (guint n = 0; n < n_trials; n++)
    {
      as_csc_correlate (s, atoms, u, v, x + n * as_csc_signal_size (s), c);
      for (gsize i = 0; i < len; i++)
        best = MAX (best, positive ? c[i] : fabs (c[i]));
    }
  g_free (c);
  return MAX (best, 0.0);
}

void
as_csc_reconstruct (const AsCscShape *s, const double *atoms, const double *z, double *out)
{
  const guint K = s->n_atoms, P = s->n_channels, H = s->height, W = s->width;
  const guint h = s->atom_height, w = s->atom_width;
  const guint Hv = as_csc_valid_height (s), Wv = as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), asz = as_csc_atom_size (s);

  memset (out, 0, sizeof (double) * as_csc_signal_size (s));
  for (guint k = 0; k < K; k++)
    for (guint ty = 0; ty < Hv; ty++)
      for (guint tx = 0; tx < Wv; tx++)
        {
          double a = z[k * nv + (gsize) ty * Wv + tx];
          if (a == 0.0)
            continue;
          for (guint p = 0; p < P; p++)
            for (guint r = 0; r < h; r++)
              {
                const double *src = atoms + k * asz + ((gsize) p * h + r) * w;
                double *dst = out + ((gsize) p * H + ty + r) * W + tx;
                for (guint b = 0; b < w; b++)
                  dst[b] += a * src[b];
              }
        }
}

double
as_csc_objective (const AsCscShape *s, const double *atoms, const double *x,
                  const double *z, guint n_trials, double lambda)
{
  const gsize ssz = as_csc_signal_size (s), zsz = s->n_atoms * as_csc_n_valid (s);
  double *rec = g_new (double, ssz);
  double obj = 0.0;

  for (guint n = 0; n < n_trials; n++)
    {
      const double *xn = x + n * ssz, *zn = z + n * zsz;
      as_csc_reconstruct (s, atoms, zn, rec);
      for (gsize i = 0; i < ssz; i++)
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

/* ---- LGCD ---------------------------------------------------------------- */

/* β_k[s − (h−1) + jy][…] += dtd[k][l][jy][jx]·δ for every k: the ±L window of a change. */
static void
beta_update (const AsCscShape *s, const double *dtd, double *beta, guint l, guint sy,
             guint sx, double delta)
{
  const guint K = s->n_atoms, h = s->atom_height, w = s->atom_width;
  const guint LW = 2 * w - 1;
  const int Hv = (int) as_csc_valid_height (s), Wv = (int) as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), lsz = as_csc_lag_size (s);
  const int y0 = MAX (0, (int) sy - (int) (h - 1)), y1 = MIN (Hv, (int) sy + (int) h);
  const int x0 = MAX (0, (int) sx - (int) (w - 1)), x1 = MIN (Wv, (int) sx + (int) w);

  for (guint k = 0; k < K; k++)
    {
      const double *c = dtd + ((gsize) k * K + l) * lsz;
      double *bk = beta + k * nv;
      for (int ty = y0; ty < y1; ty++)
        {
          const double *crow = c + (gsize) (ty - (int) sy + (int) (h - 1)) * LW
                               + (x0 - (int) sx + (int) (w - 1));
          double *brow = bk + (gsize) ty * Wv + x0;
          for (int i = 0; i < x1 - x0; i++)
            brow[i] += crow[i] * delta;
        }
    }
}

/* Largest |z* − z| over n coordinates, without its position: the search of LGCD's
 * greedy step, vectorised (SSE2) since it dominates the solver's time. */
static inline double
segment_max (const double *beta, const double *z, guint n, double lambda, double inv_norm,
             gboolean positive)
{
  double best = 0.0;
  guint i = 0;

#ifdef __SSE2__
  {
    const __m128d vl = _mm_set1_pd (lambda), vml = _mm_set1_pd (-lambda);
    const __m128d vinv = _mm_set1_pd (inv_norm), zero = _mm_setzero_pd ();
    const __m128d sign = _mm_set1_pd (-0.0);
    __m128d m = zero;
    double out[2];

    if (positive)
      for (; i + 2 <= n; i += 2)
        {
          __m128d zo = _mm_mul_pd (_mm_sub_pd (_mm_sub_pd (zero, _mm_loadu_pd (beta + i)), vl), vinv);
          __m128d d = _mm_sub_pd (_mm_max_pd (zo, zero), _mm_loadu_pd (z + i));
          m = _mm_max_pd (m, _mm_andnot_pd (sign, d));
        }
    else
      for (; i + 2 <= n; i += 2)
        {
          __m128d x = _mm_sub_pd (zero, _mm_loadu_pd (beta + i));
          __m128d clip = _mm_max_pd (_mm_min_pd (x, vl), vml);   /* ST(x, λ) = x − clip */
          __m128d d = _mm_sub_pd (_mm_mul_pd (_mm_sub_pd (x, clip), vinv), _mm_loadu_pd (z + i));
          m = _mm_max_pd (m, _mm_andnot_pd (sign, d));
        }
    _mm_storeu_pd (out, m);
    best = MAX (out[0], out[1]);
  }
#endif
  for (; i < n; i++)
    {
      double mb = -beta[i], zo;
      if (positive)
        zo = MAX ((mb - lambda) * inv_norm, 0.0);
      else
        zo = (mb - MAX (MIN (mb, lambda), -lambda)) * inv_norm;
      best = MAX (best, fabs (zo - z[i]));
    }
  return best;
}

/* Largest |z* − z| over one atom's rows of a segment; multiplications by 1/‖D_k‖² only
 * (a division per coordinate would dominate the search). */
static inline double
segment_best (const double *beta, const double *z, guint n, double lambda, double inv_norm,
              gboolean positive, guint *arg, double *dz_out)
{
  double best = 0.0, best_dz = 0.0;
  guint bi = 0;

  if (positive)
    for (guint i = 0; i < n; i++)
      {
        double zo = (-beta[i] - lambda) * inv_norm;
        double dz = MAX (zo, 0.0) - z[i];
        double a = fabs (dz);
        if (a > best)
          {
            best = a;
            best_dz = dz;
            bi = i;
          }
      }
  else
    for (guint i = 0; i < n; i++)
      {
        double mb = -beta[i];
        double zo = (mb - MAX (MIN (mb, lambda), -lambda)) * inv_norm;
        double dz = zo - z[i];
        double a = fabs (dz);
        if (a > best)
          {
            best = a;
            best_dz = dz;
            bi = i;
          }
      }
  *arg = bi;
  *dz_out = best_dz;
  return best;
}

AsCscLgcdStats
as_csc_lgcd (const AsCscShape *s, const double *dtd, const double *dtx, double lambda,
             gboolean positive, double tol, guint64 max_updates, double *z)
{
  const guint K = s->n_atoms, h = s->atom_height, w = s->atom_width;
  const guint Hv = as_csc_valid_height (s), Wv = as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), lsz = as_csc_lag_size (s);
  const gsize center = (gsize) (h - 1) * (2 * w - 1) + (w - 1);
  /* Segments of (2h − 1) × (2w − 1): a change in one touches at most its neighbours. */
  const guint seg_h = 2 * h - 1, seg_w = 2 * w - 1;
  const guint nsy = (Hv + seg_h - 1) / seg_h, nsx = (Wv + seg_w - 1) / seg_w;
  const gsize n_seg = (gsize) nsy * nsx;
  AsCscLgcdStats stats = { 0, 0, FALSE };
  double *beta = g_new (double, (gsize) K * nv);
  double *norm = g_new (double, K), *inv_norm = g_new (double, K);
  guint8 *active = g_new (guint8, n_seg);
  gsize n_active = n_seg;

  for (guint k = 0; k < K; k++)
    {
      norm[k] = dtd[((gsize) k * K + k) * lsz + center];
      inv_norm[k] = norm[k] > 0.0 ? 1.0 / norm[k] : 0.0;
    }

  /* β = DᵀD z − DᵀX, then remove the diagonal term z_k[t]‖D_k‖². */
  for (gsize i = 0; i < (gsize) K * nv; i++)
    beta[i] = -dtx[i];
  for (guint l = 0; l < K; l++)
    for (gsize t = 0; t < nv; t++)
      if (z[l * nv + t] != 0.0)
        beta_update (s, dtd, beta, l, (guint) (t / Wv), (guint) (t % Wv), z[l * nv + t]);
  for (guint k = 0; k < K; k++)
    for (gsize t = 0; t < nv; t++)
      beta[k * nv + t] -= norm[k] * z[k * nv + t];

  memset (active, 1, n_seg);
  while (n_active > 0 && stats.n_updates < max_updates)
    {
      stats.n_sweeps++;
      for (guint gy = 0; gy < nsy; gy++)
        for (guint gx = 0; gx < nsx; gx++)
          {
            const gsize g = (gsize) gy * nsx + gx;
            const guint ya = gy * seg_h, yb = MIN (Hv, ya + seg_h);
            const guint xa = gx * seg_w, xb = MIN (Wv, xa + seg_w);
            double best = 0.0, best_dz = 0.0;
            guint bk = 0, by = 0, bx = 0;

            if (!active[g])
              continue;
            /* Pass 1 (vectorised): the largest change per atom; pass 2: its position,
             * in the winning atom only. */
            for (guint k = 0; k < K; k++)
              {
                if (norm[k] <= 0.0)
                  continue;
                for (guint ty = ya; ty < yb; ty++)
                  {
                    const gsize row = k * nv + (gsize) ty * Wv + xa;
                    double a = segment_max (beta + row, z + row, xb - xa, lambda, inv_norm[k],
                                            positive);
                    if (a > best)
                      {
                        best = a;
                        bk = k;
                      }
                  }
              }
            if (best <= tol)
              {
                active[g] = 0;
                n_active--;
                continue;
              }
            best = 0.0;
            for (guint ty = ya; ty < yb; ty++)
              {
                const gsize row = bk * nv + (gsize) ty * Wv + xa;
                guint i;
                double dz, a = segment_best (beta + row, z + row, xb - xa, lambda,
                                             inv_norm[bk], positive, &i, &dz);
                if (a > best)
                  {
                    best = a;
                    best_dz = dz;
                    by = ty;
                    bx = xa + i;
                  }
              }
            if (best_dz == 0.0)
              {
                active[g] = 0;
                n_active--;
                continue;
              }

            z[bk * nv + (gsize) by * Wv + bx] += best_dz;
            beta_update (s, dtd, beta, bk, by, bx, best_dz);
            beta[bk * nv + (gsize) by * Wv + bx] -= norm[bk] * best_dz;
            stats.n_updates++;

            /* Wake the segments the ±L window spilled into. */
            {
              guint wy0 = (by >= h - 1 ? by - (h - 1) : 0) / seg_h;
              guint wy1 = MIN (Hv - 1, by + h - 1) / seg_h;
              guint wx0 = (bx >= w - 1 ? bx - (w - 1) : 0) / seg_w;
              guint wx1 = MIN (Wv - 1, bx + w - 1) / seg_w;
              for (guint qy = wy0; qy <= wy1; qy++)
                for (guint qx = wx0; qx <= wx1; qx++)
                  {
                    gsize q = (gsize) qy * nsx + qx;
                    if (!active[q])
                      {
                        active[q] = 1;
                        n_active++;
                      }
                  }
            }
            if (stats.n_updates >= max_updates)
              break;
          }
    }
  stats.converged = n_active == 0;

  g_free (beta);
  g_free (norm);
  g_free (inv_norm);
  g_free (active);
  return stats;
}

guint64
as_csc_solve_lgcd (const AsCscShape *s, const double *atoms, const double *u,
                   const double *v, const double *x, guint n_trials, double lambda,
                   gboolean positive, double tol, guint64 max_updates_per_trial, double *z)
{
  const gsize nv = as_csc_n_valid (s), zsz = s->n_atoms * nv, ssz = as_csc_signal_size (s);
  double *dtd = g_new (double, (gsize) s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  double *dtx = g_new (double, zsz);
  guint64 total = 0;

  as_csc_atom_correlations (s, atoms, dtd);
  for (guint n = 0; n < n_trials; n++)
    {
      AsCscLgcdStats st;
      as_csc_correlate (s, atoms, u, v, x + n * ssz, dtx);
      st = as_csc_lgcd (s, dtd, dtx, lambda, positive, tol, max_updates_per_trial, z + n * zsz);
      total += st.n_updates;
    }
  g_free (dtd);
  g_free (dtx);
  return total;
}

/* ---- FFT-based operators (reference) ------------------------------------- */

/* FFTW's planner is not thread-safe; execution is. */
static GMutex fftw_plan_lock;

typedef struct
{
  const AsCscShape *s;
  int nh, nw, nc;         /* padded real size nh × nw, complex size nh × (nw/2 + 1) */
  double *rbuf;
  fftw_complex *cbuf;
  fftw_plan fwd, bwd;
  fftw_complex *dhat;     /* K × P × nc */
  fftw_complex *zhat;     /* K × nc */
  fftw_complex *ghat;     /* K × nc */
  fftw_complex *xhat;     /* P × nc: the signal's transform, computed once per signal */
  const double *x;        /* the signal xhat belongs to */
} CscFft;

static int
good_fft_size (int n)
{
  /* Smallest 2^a 3^b 5^c 7^d ≥ n: FFTW is fastest on these. */
  for (int m = MAX (n, 1);; m++)
    {
      int r = m;
      for (int f = 2; f <= 7; f++)
        while (r % f == 0)
          r /= f;
      if (r == 1)
        return m;
    }
}

static void
fft_forward_plane (CscFft *f, const double *src, guint rows, guint cols, fftw_complex *dst)
{
  memset (f->rbuf, 0, sizeof (double) * f->nh * f->nw);
  for (guint r = 0; r < rows; r++)
    memcpy (f->rbuf + (gsize) r * f->nw, src + (gsize) r * cols, sizeof (double) * cols);
  fftw_execute (f->fwd);
  memcpy (dst, f->cbuf, sizeof (fftw_complex) * f->nc);
}

static void
fft_init (CscFft *f, const AsCscShape *s, const double *atoms)
{
  const guint K = s->n_atoms, P = s->n_channels, h = s->atom_height, w = s->atom_width;
  const gsize asz = as_csc_atom_size (s);

  f->s = s;
  f->nh = s->height == 1 ? 1 : good_fft_size ((int) s->height);
  f->nw = good_fft_size ((int) s->width);
  f->nc = f->nh * (f->nw / 2 + 1);
  f->rbuf = fftw_alloc_real ((gsize) f->nh * f->nw);
  f->cbuf = fftw_alloc_complex (f->nc);
  g_mutex_lock (&fftw_plan_lock);
  f->fwd = fftw_plan_dft_r2c_2d (f->nh, f->nw, f->rbuf, f->cbuf, FFTW_ESTIMATE);
  f->bwd = fftw_plan_dft_c2r_2d (f->nh, f->nw, f->cbuf, f->rbuf, FFTW_ESTIMATE);
  g_mutex_unlock (&fftw_plan_lock);
  f->dhat = fftw_alloc_complex ((gsize) K * P * f->nc);
  f->zhat = fftw_alloc_complex ((gsize) K * f->nc);
  f->ghat = fftw_alloc_complex ((gsize) K * f->nc);
  f->xhat = fftw_alloc_complex ((gsize) P * f->nc);
  f->x = NULL;
  for (guint k = 0; k < K; k++)
    for (guint p = 0; p < P; p++)
      fft_forward_plane (f, atoms + k * asz + (gsize) p * h * w, h, w,
                         f->dhat + ((gsize) k * P + p) * f->nc);
}

static void
fft_clear (CscFft *f)
{
  g_mutex_lock (&fftw_plan_lock);
  fftw_destroy_plan (f->fwd);
  fftw_destroy_plan (f->bwd);
  g_mutex_unlock (&fftw_plan_lock);
  fftw_free (f->rbuf);
  fftw_free (f->cbuf);
  fftw_free (f->dhat);
  fftw_free (f->zhat);
  fftw_free (f->ghat);
  fftw_free (f->xhat);
}

/* grad = Dᵀ(Σ z * D − X) on the valid positions.  The linear convolution fills exactly
 * H × W ≤ padded size, and the valid correlation reads inside it: no wrap-around. */
static void
fft_gradient (CscFft *f, const double *x, const double *z, double *grad)
{
  const AsCscShape *s = f->s;
  const guint K = s->n_atoms, P = s->n_channels;
  const guint Hv = as_csc_valid_height (s), Wv = as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), plane = (gsize) s->height * s->width;
  const double scale = 1.0 / ((double) f->nh * f->nw);
  fftw_complex *rhat = fftw_alloc_complex (f->nc);

  if (f->x != x)
    {
      for (guint p = 0; p < P; p++)
        fft_forward_plane (f, x + p * plane, s->height, s->width, f->xhat + (gsize) p * f->nc);
      f->x = x;
    }
  for (guint k = 0; k < K; k++)
    fft_forward_plane (f, z + k * nv, Hv, Wv, f->zhat + (gsize) k * f->nc);
  memset (f->ghat, 0, sizeof (fftw_complex) * K * f->nc);
  for (guint p = 0; p < P; p++)
    {
      memcpy (rhat, f->xhat + (gsize) p * f->nc, sizeof (fftw_complex) * f->nc);
      for (int i = 0; i < f->nc; i++)
        {
          fftw_complex acc = -rhat[i];
          for (guint k = 0; k < K; k++)
            acc += f->dhat[((gsize) k * P + p) * f->nc + i] * f->zhat[(gsize) k * f->nc + i];
          rhat[i] = acc;
        }
      for (guint k = 0; k < K; k++)
        {
          const fftw_complex *d = f->dhat + ((gsize) k * P + p) * f->nc;
          fftw_complex *g = f->ghat + (gsize) k * f->nc;
          for (int i = 0; i < f->nc; i++)
            g[i] += conj (d[i]) * rhat[i];
        }
    }
  for (guint k = 0; k < K; k++)
    {
      memcpy (f->cbuf, f->ghat + (gsize) k * f->nc, sizeof (fftw_complex) * f->nc);
      fftw_execute (f->bwd);
      for (guint ty = 0; ty < Hv; ty++)
        for (guint tx = 0; tx < Wv; tx++)
          grad[k * nv + (gsize) ty * Wv + tx] = f->rbuf[(gsize) ty * f->nw + tx] * scale;
    }
  fftw_free (rhat);
}

/* ‖D‖² ≤ max_ω λ_max(D̂(ω)ᴴ D̂(ω)): the valid operator is a restriction of the circular one. */
static double
fft_lipschitz (CscFft *f)
{
  const guint K = f->s->n_atoms, P = f->s->n_channels;
  lapack_complex_double *g = g_new (lapack_complex_double, (gsize) K * K);
  double *ev = g_new (double, K);
  double best = 0.0;

  for (int i = 0; i < f->nc; i++)
    {
      for (guint k = 0; k < K; k++)
        for (guint l = 0; l < K; l++)
          {
            fftw_complex acc = 0.0;
            for (guint p = 0; p < P; p++)
              acc += conj (f->dhat[((gsize) k * P + p) * f->nc + i])
                     * f->dhat[((gsize) l * P + p) * f->nc + i];
            g[(gsize) k * K + l] = lapack_make_complex_double (creal (acc), cimag (acc));
          }
      if (K == 1)
        ev[0] = creal (g[0]);
      else if (LAPACKE_zheev (LAPACK_ROW_MAJOR, 'N', 'U', (int) K, g, (int) K, ev) != 0)
        continue;
      best = MAX (best, ev[K - 1]);
    }
  g_free (g);
  g_free (ev);
  return best;
}

void
as_csc_gradient (const AsCscShape *s, const double *atoms, const double *x,
                 const double *z, double *grad)
{
  CscFft f;

  fft_init (&f, s, atoms);
  fft_gradient (&f, x, z, grad);
  fft_clear (&f);
}

guint
as_csc_fista (const AsCscShape *s, const double *atoms, const double *x, double lambda,
              gboolean positive, guint max_iter, double tol, double *z)
{
  const gsize n = s->n_atoms * as_csc_n_valid (s), ssz = as_csc_signal_size (s);
  double *y = g_new (double, n), *zold = g_new (double, n), *g = g_new (double, n);
  double *zero = g_new0 (double, n), *b = g_new (double, n);
  double lip, step, t = 1.0, x2 = 0.0, prev_obj = G_MAXDOUBLE;
  guint it;
  CscFft f;

  fft_init (&f, s, atoms);
  lip = fft_lipschitz (&f);
  if (lip <= 0.0)
    {
      memset (z, 0, sizeof (double) * n);
      fft_clear (&f);
      g_free (y); g_free (zold); g_free (g); g_free (zero); g_free (b);
      return 0;
    }
  step = 1.0 / lip;
  /* b = −DᵀX, used to evaluate f(z) = ½‖X‖² + ½⟨z, ∇f(z) + b⟩ without a reconstruction. */
  fft_gradient (&f, x, zero, b);
  for (gsize i = 0; i < ssz; i++)
    x2 += x[i] * x[i];

  memcpy (y, z, sizeof (double) * n);
  for (it = 0; it < max_iter; it++)
    {
      double t_next, restart = 0.0;

      memcpy (zold, z, sizeof (double) * n);
      fft_gradient (&f, x, y, g);
      for (gsize i = 0; i < n; i++)
        {
          double u = y[i] - step * g[i];
          if (positive)
            z[i] = MAX (u - step * lambda, 0.0);
          else
            z[i] = u > step * lambda ? u - step * lambda : (u < -step * lambda ? u + step * lambda : 0.0);
          restart += (y[i] - z[i]) * (z[i] - zold[i]);
        }
      /* Gradient restart: momentum that points uphill is dropped. */
      if (restart > 0.0)
        t = 1.0;
      t_next = 0.5 * (1.0 + sqrt (1.0 + 4.0 * t * t));
      for (gsize i = 0; i < n; i++)
        y[i] = z[i] + (t - 1.0) / t_next * (z[i] - zold[i]);
      t = t_next;

      if (tol > 0.0 && it % 20 == 19)
        {
          double obj = 0.5 * x2, l1 = 0.0;
          fft_gradient (&f, x, z, g);
          for (gsize i = 0; i < n; i++)
            {
              obj += 0.5 * z[i] * (g[i] + b[i]);
              l1 += fabs (z[i]);
            }
          obj += lambda * l1;
          if (fabs (prev_obj - obj) <= tol * fabs (obj))
            {
              it++;
              break;
            }
          prev_obj = obj;
        }
    }
  fft_clear (&f);
  g_free (y); g_free (zold); g_free (g); g_free (zero); g_free (b);
  return it;
}

double
as_csc_kkt_violation (const AsCscShape *s, const double *atoms, const double *x,
                      const double *z, double lambda, gboolean positive)
{
  const gsize n = s->n_atoms * as_csc_n_valid (s);
  double *g = g_new (double, n);
  double worst = 0.0;

  as_csc_gradient (s, atoms, x, z, g);
  for (gsize i = 0; i < n; i++)
    {
      double v;
      if (z[i] > 0.0)
        v = fabs (g[i] + lambda);
      else if (z[i] < 0.0)
        v = fabs (g[i] - lambda);
      else if (positive)
        v = MAX (0.0, -g[i] - lambda);
      else
        v = MAX (0.0, fabs (g[i]) - lambda);
      worst = MAX (worst, v);
    }
  g_free (g);
  return lambda > 0.0 ? worst / lambda : worst;
}
