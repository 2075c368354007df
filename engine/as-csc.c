/* as-csc.c: convolutional sparse coding: LGCD, FISTA (FFTW) and their checks.
 *
 * Conventions follow alphacsc (Dupré la Tour et al. 2018): valid convolution,
 * β = ∇_z ½‖X − Σ D_k * z_k‖² with the diagonal term removed, so the optimal value of
 * one coordinate is max(−β − λ, 0)/‖D_k‖² (ST(−β, λ)/‖D_k‖² when signed)
 * (docs/maths.md, "Convolutional sparse coding").
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
  const guint LW = 2 * w - 1;
  const gsize asz = as_csc_atom_size (s), lsz = as_csc_lag_size (s);

  /* out[jy][jx] = Σ_{p,a,b} D_k[p][a][b] D_l[p][a + jy − (h−1)][b + jx − (w−1)], summed as
   * axpys over whole rows of D_l (unit stride, vectorised) rather than as dot products per
   * lag, whose serial sums cost K²·P·h²·(2w − 1)·w dependent additions. */
  memset (dtd, 0, sizeof (double) * K * K * lsz);
  for (guint k = 0; k < K; k++)
    for (guint l = 0; l < K; l++)
      {
        double *out = dtd + ((gsize) k * K + l) * lsz;
        const double *dk = atoms + k * asz, *dl = atoms + l * asz;

        for (guint p = 0; p < P; p++)
          for (guint a = 0; a < h; a++)
            for (guint a2 = 0; a2 < h; a2++)
              {
                const double *restrict rk = dk + ((gsize) p * h + a) * w;
                const double *restrict rl = dl + ((gsize) p * h + a2) * w;
                double *orow = out + (gsize) (a2 + (h - 1) - a) * LW;
                for (guint b = 0; b < w; b++)
                  {
                    const double c = rk[b];
                    double *restrict o = orow + (w - 1 - b);
                    for (guint i = 0; i < w; i++)
                      o[i] += c * rl[i];
                  }
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

/* Each segment row is cut into blocks of B positions whose largest |z* − z| is kept up to
 * date: a β update refreshes only the blocks its ±L window touches, so the greedy search
 * of a segment reads K · rows · ⌈(2w − 1)/B⌉ block maxima and one block instead of every
 * coordinate, and an idle check costs as little.  The choices (first largest change in
 * atom, row, column order) are those of a full scan.  B = 32 with AVX-512, 16 with SSE2
 * (the fastest on problem 1 of "bench cdl"). */
#define LGCD_BLOCK_SSE2 16
#define LGCD_BLOCK_AVX512 32

/* Largest |z* − z| over n coordinates, without its position, vectorised (SSE2). */
static inline double
segment_max (const double *restrict beta, const double *restrict z, guint n, double lambda,
             double inv_norm, gboolean positive)
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

/* Largest |z* − z| over n coordinates with its (first) position and signed change;
 * multiplications by 1/‖D_k‖² only (a division per coordinate would dominate). */
static inline double
segment_best (const double *restrict beta, const double *restrict z, guint n, double lambda,
              double inv_norm, gboolean positive, guint *arg, double *dz_out)
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

/* β[i] += c[i]·δ over one block, then its largest |z* − z| (segment_max on the new β):
 * one pass over the block instead of an update and a search. */
static inline double
block_update_max (double *restrict beta, const double *restrict c, double delta,
                  const double *restrict z, guint n, double lambda, double inv_norm,
                  gboolean positive)
{
  guint i = 0;

#ifdef __SSE2__
  {
    const __m128d vd = _mm_set1_pd (delta);
    for (; i + 2 <= n; i += 2)
      _mm_storeu_pd (beta + i, _mm_add_pd (_mm_loadu_pd (beta + i),
                                           _mm_mul_pd (_mm_loadu_pd (c + i), vd)));
  }
#endif
  for (; i < n; i++)
    beta[i] += c[i] * delta;
  return segment_max (beta, z, n, lambda, inv_norm, positive);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define LGCD_HAVE_AVX512 1
#include <immintrin.h>
/* GCC 12's unmasked AVX-512 intrinsics start from _mm512_undefined_pd(): false alarms. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

/* block_update_max() in AVX-512 (8 lanes, masked tails): the same operations in the same
 * order, so the same results; chosen at run time (the build targets plain x86-64).
 * No contraction into FMAs: β must round as in beta_update(). */
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static inline double
block_update_max_avx512 (double *restrict beta, const double *restrict c, double delta,
                         const double *restrict z, guint n, double lambda, double inv_norm,
                         gboolean positive)
{
  const __m512d vd = _mm512_set1_pd (delta), vl = _mm512_set1_pd (lambda);
  const __m512d vml = _mm512_set1_pd (-lambda), vinv = _mm512_set1_pd (inv_norm);
  const __m512d zero = _mm512_setzero_pd ();
  __m512d m = zero;

  for (guint i = 0; i < n; i += 8)
    {
      const __mmask8 k = n - i >= 8 ? 0xff : (__mmask8) ((1u << (n - i)) - 1);
      __m512d b = _mm512_maskz_loadu_pd (k, beta + i), d;

      b = _mm512_add_pd (b, _mm512_mul_pd (_mm512_maskz_loadu_pd (k, c + i), vd));
      _mm512_mask_storeu_pd (beta + i, k, b);
      if (positive)
        {
          __m512d zo = _mm512_mul_pd (_mm512_sub_pd (_mm512_sub_pd (zero, b), vl), vinv);
          d = _mm512_sub_pd (_mm512_max_pd (zo, zero), _mm512_maskz_loadu_pd (k, z + i));
        }
      else
        {
          __m512d x = _mm512_sub_pd (zero, b);
          __m512d clip = _mm512_max_pd (_mm512_min_pd (x, vl), vml);
          d = _mm512_sub_pd (_mm512_mul_pd (_mm512_sub_pd (x, clip), vinv),
                             _mm512_maskz_loadu_pd (k, z + i));
        }
      m = _mm512_mask_max_pd (m, k, m, _mm512_abs_pd (d));
    }
  return _mm512_reduce_max_pd (m);
}

/* |z* − z| of coordinates i … min(i + 8, n) − 1 in one register (other lanes 0). */
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static inline __m512d
block_change_avx512 (const double *restrict beta, const double *restrict z, guint i, guint n,
                     double lambda, double inv_norm, gboolean positive)
{
  const __mmask8 k = n - i >= 8 ? 0xff : (__mmask8) ((1u << (n - i)) - 1);
  const __m512d vl = _mm512_set1_pd (lambda), vml = _mm512_set1_pd (-lambda);
  const __m512d vinv = _mm512_set1_pd (inv_norm), zero = _mm512_setzero_pd ();
  __m512d b = _mm512_maskz_loadu_pd (k, beta + i), d;

  if (positive)
    {
      __m512d zo = _mm512_mul_pd (_mm512_sub_pd (_mm512_sub_pd (zero, b), vl), vinv);
      d = _mm512_sub_pd (_mm512_max_pd (zo, zero), _mm512_maskz_loadu_pd (k, z + i));
    }
  else
    {
      __m512d x = _mm512_sub_pd (zero, b);
      __m512d clip = _mm512_max_pd (_mm512_min_pd (x, vl), vml);
      d = _mm512_sub_pd (_mm512_mul_pd (_mm512_sub_pd (x, clip), vinv),
                         _mm512_maskz_loadu_pd (k, z + i));
    }
  return _mm512_maskz_mov_pd (k, _mm512_abs_pd (d));
}

__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static double
segment_max_avx512 (const double *restrict beta, const double *restrict z, guint n,
                    double lambda, double inv_norm, gboolean positive)
{
  __m512d m = _mm512_setzero_pd ();

  for (guint i = 0; i < n; i += 8)
    m = _mm512_max_pd (m, block_change_avx512 (beta, z, i, n, lambda, inv_norm, positive));
  return _mm512_reduce_max_pd (m);
}

/* The first of n coordinates whose |z* − z| equals @target (a block maximum
 * computed with the same operations); n if none. */
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static guint
block_find_avx512 (const double *restrict beta, const double *restrict z, guint n,
                   double lambda, double inv_norm, gboolean positive, double target)
{
  const __m512d t = _mm512_set1_pd (target);

  for (guint i = 0; i < n; i += 8)
    {
      __mmask8 hit = _mm512_cmp_pd_mask (block_change_avx512 (beta, z, i, n, lambda, inv_norm,
                                                              positive), t, _CMP_EQ_OQ);
      if (hit != 0)
        return MIN (n, i + (guint) __builtin_ctz (hit));
    }
  return n;
}
#endif

typedef struct
{
  guint Wv, seg_w, nsx, nbx;
  gsize nv, bstride;       /* positions and blocks per atom */
  double lambda;
  gboolean positive;
  const double *inv_norm, *norm;
  double *beta, *z, *bmax;
  const double *cpad;      /* 1-D: dtd rows with @block zeros on each side */
  guint K, w, block;
} Lgcd;

/* Recompute the maxima of the blocks of atom k, row ty, that meet columns [xa, xb). */
static inline void
lgcd_refresh (Lgcd *c, guint k, guint ty, guint xa, guint xb)
{
  const guint seg_w = c->seg_w, Wv = c->Wv;
  const gsize row = k * c->nv + (gsize) ty * Wv;
  double *bm = c->bmax + k * c->bstride + (gsize) ty * c->nsx * c->nbx;
  const double inv = c->inv_norm[k];
  const gboolean live = c->norm[k] > 0.0;

  for (guint gx = xa / seg_w; gx * seg_w < xb; gx++)
    {
      const guint base = gx * seg_w, end = MIN (Wv, base + seg_w);
      const guint lo = MAX (xa, base), hi = MIN (xb, end);
      for (guint b = (lo - base) / c->block; base + b * c->block < hi; b++)
        {
          const guint s0 = base + b * c->block, s1 = MIN (end, s0 + c->block);
          bm[(gsize) gx * c->nbx + b] = live ? segment_max (c->beta + row + s0, c->z + row + s0,
                                                            s1 - s0, c->lambda, inv,
                                                            c->positive)
                                             : 0.0;
        }
    }
}

typedef double (*BlockKernel) (double *restrict, const double *restrict, double,
                               const double *restrict, guint, double, double, gboolean);

typedef double (*MaxKernel) (const double *restrict, const double *restrict, guint, double,
                             double, gboolean);

/* 1-D update of coordinate (l, sx) by δ: β on the ±L window through the zero-padded
 * correlations, so the blocks the window meets are updated and re-searched in one pass
 * (the padding adds exact zeros outside the window); then the diagonal term is removed
 * as in beta_update() and its block searched again.  Instantiated per instruction set. */

static inline __attribute__ ((always_inline)) void
lgcd_update_1d_body (Lgcd *c, guint l, guint sx, double delta, BlockKernel kernel,
                     MaxKernel max_kernel)
{
  const guint K = c->K, w = c->w, seg_w = c->seg_w, Wv = c->Wv;
  const guint xa = sx >= w - 1 ? sx - (w - 1) : 0, xb = MIN (Wv, sx + w);
  const guint B = c->block;
  const gsize plen = 2 * w - 1 + 2 * B;

  for (guint k = 0; k < K; k++)
    {
      /* coefficient of position i: cpad[k][l][B + i − sx + (w − 1)] */
      const double *cp = c->cpad + ((gsize) k * K + l) * plen;
      const gssize off = (gssize) B + (gssize) (w - 1) - (gssize) sx;
      double *bk = c->beta + k * c->nv, *zk = c->z + k * c->nv;
      double *bm = c->bmax + k * c->bstride;
      const double inv = c->inv_norm[k];
      const gboolean live = c->norm[k] > 0.0;

      for (guint gx = xa / seg_w; gx * seg_w < xb; gx++)
        {
          const guint base = gx * seg_w, end = MIN (Wv, base + seg_w);
          const guint lo = MAX (xa, base), hi = MIN (xb, end);
          for (guint b = (lo - base) / B; base + b * B < hi; b++)
            {
              const guint s0 = base + b * B, s1 = MIN (end, s0 + B);
              double m = kernel (bk + s0, cp + (off + (gssize) s0), delta, zk + s0, s1 - s0,
                                 c->lambda, inv, c->positive);
              bm[(gsize) gx * c->nbx + b] = live ? m : 0.0;
            }
        }
    }
  c->beta[l * c->nv + sx] -= c->norm[l] * delta;
  if (c->norm[l] > 0.0)
    {
      const guint gx = sx / seg_w, base = gx * seg_w, b = (sx - base) / B;
      const guint s0 = base + b * B, s1 = MIN (MIN (Wv, base + seg_w), s0 + B);
      c->bmax[l * c->bstride + (gsize) gx * c->nbx + b] =
        max_kernel (c->beta + l * c->nv + s0, c->z + l * c->nv + s0, s1 - s0, c->lambda,
                    c->inv_norm[l], c->positive);
    }
}

static void
lgcd_update_1d (Lgcd *c, guint l, guint sx, double delta)
{
  lgcd_update_1d_body (c, l, sx, delta, block_update_max, segment_max);
}

#ifdef LGCD_HAVE_AVX512
__attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))
static void
lgcd_update_1d_avx512 (Lgcd *c, guint l, guint sx, double delta)
{
  lgcd_update_1d_body (c, l, sx, delta, block_update_max_avx512, segment_max_avx512);
}
#pragma GCC diagnostic pop
#endif

/* β_k[s − (h−1) + jy][…] += dtd[k][l][jy][jx]·δ for every k: the ±L window of a change;
 * with @c the changed coordinate's diagonal term is removed and the touched blocks
 * refreshed. */
static void
beta_update (const AsCscShape *s, const double *dtd, double *beta, guint l, guint sy,
             guint sx, double delta, Lgcd *c)
{
  const guint K = s->n_atoms, h = s->atom_height, w = s->atom_width;
  const guint LW = 2 * w - 1;
  const int Hv = (int) as_csc_valid_height (s), Wv = (int) as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), lsz = as_csc_lag_size (s);
  const int y0 = MAX (0, (int) sy - (int) (h - 1)), y1 = MIN (Hv, (int) sy + (int) h);
  const int x0 = MAX (0, (int) sx - (int) (w - 1)), x1 = MIN (Wv, (int) sx + (int) w);
  const int n = x1 - x0;

  for (guint k = 0; k < K; k++)
    {
      const double *ck = dtd + ((gsize) k * K + l) * lsz;
      double *bk = beta + k * nv;
      for (int ty = y0; ty < y1; ty++)
        {
          const double *restrict crow = ck + (gsize) (ty - (int) sy + (int) (h - 1)) * LW
                                        + (x0 - (int) sx + (int) (w - 1));
          double *restrict brow = bk + (gsize) ty * Wv + x0;
          for (int i = 0; i < n; i++)
            brow[i] += crow[i] * delta;
          if (c != NULL)
            {
              if (k == l && ty == (int) sy)
                bk[(gsize) sy * Wv + sx] -= c->norm[l] * delta;
              lgcd_refresh (c, k, (guint) ty, (guint) x0, (guint) x1);
            }
        }
    }
}

/* The state of one LGCD run: β kept up to date, block maxima, active segments.  Only the
 * segments marked owned are ever searched or woken (all of them for a whole signal; a
 * region of it when the signal is split between processes, as-distributed.c). */
struct _AsCscLgcd
{
  AsCscShape s;
  const double *dtd;
  guint Hv, seg_h, seg_w, nsy, nsx, B;
  gboolean use_avx512;
  gsize n_seg, n_active;
  double *beta, *norm, *inv_norm, *bmax, *cpad;
  guint8 *active, *owned;
  Lgcd c;
  void (*update_1d) (Lgcd *, guint, guint, double);
};

AsCscLgcd *
as_csc_lgcd_new (const AsCscShape *s, const double *dtd, const double *dtx, double lambda,
                 gboolean positive, double *z)
{
  AsCscLgcd *st = g_new0 (AsCscLgcd, 1);
  const guint K = s->n_atoms, h = s->atom_height, w = s->atom_width;
  const guint Hv = as_csc_valid_height (s), Wv = as_csc_valid_width (s);
  const gsize nv = as_csc_n_valid (s), lsz = as_csc_lag_size (s);
  const gsize center = (gsize) (h - 1) * (2 * w - 1) + (w - 1);
  guint nbx;
  gsize bstride, plen;

  st->s = *s;
  st->dtd = dtd;
  st->Hv = Hv;
  /* Segments of (2h − 1) × (2w − 1): a change in one touches at most its neighbours. */
  st->seg_h = 2 * h - 1;
  st->seg_w = 2 * w - 1;
  st->nsy = (Hv + st->seg_h - 1) / st->seg_h;
  st->nsx = (Wv + st->seg_w - 1) / st->seg_w;
#ifdef LGCD_HAVE_AVX512
  st->use_avx512 = __builtin_cpu_supports ("avx512f");
#endif
  st->B = st->use_avx512 ? LGCD_BLOCK_AVX512 : LGCD_BLOCK_SSE2;
  nbx = (st->seg_w + st->B - 1) / st->B;
  st->n_seg = (gsize) st->nsy * st->nsx;
  bstride = (gsize) Hv * st->nsx * nbx;
  st->beta = g_new (double, (gsize) K * nv);
  st->norm = g_new (double, K);
  st->inv_norm = g_new (double, K);
  st->bmax = g_new0 (double, K * bstride);
  st->active = g_new (guint8, st->n_seg);
  st->owned = g_new (guint8, st->n_seg);
  plen = 2 * w - 1 + 2 * st->B;
  st->cpad = h == 1 ? g_new0 (double, (gsize) K * K * plen) : NULL;
  st->c = (Lgcd) { Wv, st->seg_w, st->nsx, nbx, nv, bstride, lambda, positive, st->inv_norm,
                   st->norm, st->beta, z, st->bmax, st->cpad, K, w, st->B };
  st->update_1d = lgcd_update_1d;
#ifdef LGCD_HAVE_AVX512
  if (st->use_avx512)
    st->update_1d = lgcd_update_1d_avx512;
#endif
  if (st->cpad != NULL)
    for (gsize kl = 0; kl < (gsize) K * K; kl++)
      memcpy (st->cpad + kl * plen + st->B, dtd + kl * lsz, sizeof (double) * (2 * w - 1));

  for (guint k = 0; k < K; k++)
    {
      st->norm[k] = dtd[((gsize) k * K + k) * lsz + center];
      st->inv_norm[k] = st->norm[k] > 0.0 ? 1.0 / st->norm[k] : 0.0;
    }

  /* β = DᵀD z − DᵀX, then remove the diagonal term z_k[t]‖D_k‖². */
  for (gsize i = 0; i < (gsize) K * nv; i++)
    st->beta[i] = -dtx[i];
  for (guint l = 0; l < K; l++)
    for (gsize t = 0; t < nv; t++)
      if (z[l * nv + t] != 0.0)
        beta_update (s, dtd, st->beta, l, (guint) (t / Wv), (guint) (t % Wv), z[l * nv + t],
                     NULL);
  for (guint k = 0; k < K; k++)
    for (gsize t = 0; t < nv; t++)
      st->beta[k * nv + t] -= st->norm[k] * z[k * nv + t];
  for (guint k = 0; k < K; k++)
    for (guint ty = 0; ty < Hv; ty++)
      lgcd_refresh (&st->c, k, ty, 0, Wv);

  memset (st->owned, 1, st->n_seg);
  memset (st->active, 1, st->n_seg);
  st->n_active = st->n_seg;
  return st;
}

void
as_csc_lgcd_free (AsCscLgcd *st)
{
  if (st == NULL)
    return;
  g_free (st->beta);
  g_free (st->norm);
  g_free (st->inv_norm);
  g_free (st->bmax);
  g_free (st->cpad);
  g_free (st->active);
  g_free (st->owned);
  g_free (st);
}

void
as_csc_lgcd_set_owned (AsCscLgcd *st, guint gy0, guint gy1, guint gx0, guint gx1)
{
  st->n_active = 0;
  for (guint gy = 0; gy < st->nsy; gy++)
    for (guint gx = 0; gx < st->nsx; gx++)
      {
        const gsize g = (gsize) gy * st->nsx + gx;
        st->owned[g] = gy >= gy0 && gy < gy1 && gx >= gx0 && gx < gx1;
        st->active[g] = st->owned[g];
        st->n_active += st->owned[g];
      }
}

/* z_l[y][x] += δ, β on its window, and the owned segments the window spills into woken. */
static void
lgcd_apply (AsCscLgcd *st, guint l, guint y, guint x, double delta)
{
  const guint h = st->s.atom_height, w = st->s.atom_width, Wv = st->c.Wv;

  st->c.z[l * st->c.nv + (gsize) y * Wv + x] += delta;
  if (st->cpad != NULL)
    st->update_1d (&st->c, l, x, delta);
  else
    beta_update (&st->s, st->dtd, st->beta, l, y, x, delta, &st->c);
  {
    guint wy0 = (y >= h - 1 ? y - (h - 1) : 0) / st->seg_h;
    guint wy1 = MIN (st->Hv - 1, y + h - 1) / st->seg_h;
    guint wx0 = (x >= w - 1 ? x - (w - 1) : 0) / st->seg_w;
    guint wx1 = MIN (Wv - 1, x + w - 1) / st->seg_w;
    for (guint qy = wy0; qy <= wy1; qy++)
      for (guint qx = wx0; qx <= wx1; qx++)
        {
          gsize q = (gsize) qy * st->nsx + qx;
          if (!st->active[q] && st->owned[q])
            {
              st->active[q] = 1;
              st->n_active++;
            }
        }
  }
}

void
as_csc_lgcd_apply (AsCscLgcd *st, guint k, guint y, guint x, double delta)
{
  lgcd_apply (st, k, y, x, delta);
}

double
as_csc_lgcd_max_change (const AsCscLgcd *st, guint y0, guint y1, guint x0, guint x1)
{
  const Lgcd *c = &st->c;
  double best = 0.0;

  y1 = MIN (y1, st->Hv);
  x1 = MIN (x1, c->Wv);
  if (x0 >= x1)
    return 0.0;
  for (guint k = 0; k < c->K; k++)
    if (c->norm[k] > 0.0)
      for (guint y = y0; y < y1; y++)
        {
          const gsize row = k * c->nv + (gsize) y * c->Wv + x0;
          best = MAX (best, segment_max (c->beta + row, c->z + row, x1 - x0, c->lambda,
                                         c->inv_norm[k], c->positive));
        }
  return best;
}

double
as_csc_lgcd_owned_max_change (const AsCscLgcd *st)
{
  const Lgcd *c = &st->c;
  double best = 0.0;

  for (guint gy = 0; gy < st->nsy; gy++)
    for (guint gx = 0; gx < st->nsx; gx++)
      if (st->owned[(gsize) gy * st->nsx + gx])
        for (guint k = 0; k < c->K; k++)
          for (guint ty = gy * st->seg_h; ty < MIN (st->Hv, (gy + 1) * st->seg_h); ty++)
            {
              const double *bm = c->bmax + k * c->bstride + ((gsize) ty * st->nsx + gx) * c->nbx;
              for (guint b = 0; b < c->nbx; b++)
                best = MAX (best, bm[b]);
            }
  return best;
}

AsCscLgcdStats
as_csc_lgcd_run (AsCscLgcd *st, double tol, guint64 max_updates, const gint *stop,
                 AsCscLgcdFilter filter, AsCscLgcdNotify notify, gpointer data)
{
  const guint Hv = st->Hv, Wv = st->c.Wv, K = st->s.n_atoms;
  const guint seg_h = st->seg_h, seg_w = st->seg_w, nsy = st->nsy, nsx = st->nsx;
  const guint B = st->B, nbx = st->c.nbx;
  const gsize nv = st->c.nv, bstride = st->c.bstride;
  const double lambda = st->c.lambda;
  const gboolean positive = st->c.positive;
  const double *inv_norm = st->inv_norm;
  double *beta = st->beta, *z = st->c.z, *bmax = st->bmax;
  guint8 *active = st->active;
  AsCscLgcdStats stats = { 0, 0, FALSE, FALSE };

  while (st->n_active > 0 && stats.n_updates < max_updates)
    {
      const guint64 before = stats.n_updates;

      stats.n_sweeps++;
      for (guint gy = 0; gy < nsy; gy++)
        for (guint gx = 0; gx < nsx; gx++)
          {
            const gsize g = (gsize) gy * nsx + gx;
            const guint ya = gy * seg_h, yb = MIN (Hv, ya + seg_h);
            const guint xa = gx * seg_w, xb = MIN (Wv, xa + seg_w);
            double best = 0.0, best_dz = 0.0;
            guint bk = 0, by = 0, bb = 0, bx, s0, i;
            gsize row;

            if (!active[g])
              continue;
            /* A stop request is seen within a few hundred segments; z stays consistent
             * (β is only a cache), the objective is simply not minimal yet. */
            if (stop != NULL && (g & 255) == 0 && g_atomic_int_get (stop))
              {
                stats.stopped = TRUE;
                goto done;
              }
            /* The first block holding the largest change (atom, row, column order), then
             * its first coordinate with that change. */
            for (guint k = 0; k < K; k++)
              for (guint ty = ya; ty < yb; ty++)
                {
                  const double *bm = bmax + k * bstride + ((gsize) ty * nsx + gx) * nbx;
                  for (guint b = 0; b < nbx; b++)
                    if (bm[b] > best)
                      {
                        best = bm[b];
                        bk = k;
                        by = ty;
                        bb = b;
                      }
                }
            if (best <= tol)
              {
                active[g] = 0;
                st->n_active--;
                continue;
              }
            s0 = xa + bb * B;
            row = bk * nv + (gsize) by * Wv;
            i = MIN (xb, s0 + B) - s0;
#ifdef LGCD_HAVE_AVX512
            if (st->use_avx512)
              i = block_find_avx512 (beta + row + s0, z + row + s0, i, lambda, inv_norm[bk],
                                     positive, best);
#endif
            if (i < MIN (xb, s0 + B) - s0)
              {
                double mb = -beta[row + s0 + i], zo;
                if (positive)
                  zo = MAX ((mb - lambda) * inv_norm[bk], 0.0);
                else
                  zo = (mb - MAX (MIN (mb, lambda), -lambda)) * inv_norm[bk];
                best_dz = zo - z[row + s0 + i];
              }
            else
              segment_best (beta + row + s0, z + row + s0, MIN (xb, s0 + B) - s0, lambda,
                            inv_norm[bk], positive, &i, &best_dz);
            bx = s0 + i;
            if (best_dz == 0.0)
              {
                active[g] = 0;
                st->n_active--;
                continue;
              }
            /* A soft lock (as-distributed.c) leaves the segment active but untouched. */
            if (filter != NULL && !filter (data, bk, by, bx, best_dz))
              continue;

            lgcd_apply (st, bk, by, bx, best_dz);
            stats.n_updates++;
            if (notify != NULL)
              notify (data, bk, by, bx, best_dz);
            if (stats.n_updates >= max_updates)
              break;
          }
      /* Every segment still active is locked: only a neighbour's update can free it. */
      if (stats.n_updates == before && st->n_active > 0)
        break;
    }
done:
  stats.converged = st->n_active == 0;
  return stats;
}

AsCscLgcdStats
as_csc_lgcd (const AsCscShape *s, const double *dtd, const double *dtx, double lambda,
             gboolean positive, double tol, guint64 max_updates, double *z)
{
  return as_csc_lgcd_until (s, dtd, dtx, lambda, positive, tol, max_updates, NULL, z);
}

AsCscLgcdStats
as_csc_lgcd_until (const AsCscShape *s, const double *dtd, const double *dtx, double lambda,
                   gboolean positive, double tol, guint64 max_updates, const gint *stop,
                   double *z)
{
  AsCscLgcd *st = as_csc_lgcd_new (s, dtd, dtx, lambda, positive, z);
  AsCscLgcdStats stats = as_csc_lgcd_run (st, tol, max_updates, stop, NULL, NULL, NULL);

  as_csc_lgcd_free (st);
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
    worst = MAX (worst, as_csc_kkt_term (z[i], g[i], lambda, positive));
  g_free (g);
  return lambda > 0.0 ? worst / lambda : worst;
}
