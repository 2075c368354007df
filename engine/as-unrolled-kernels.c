/* as-unrolled-kernels.c: the unrolled solvers' kernels in float64 and float32
 * (formulas: docs/maths.md, "Unrolled layers" and "Back-propagation through T
 * layers"; Ablin et al. 2019).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>

#include "as-unrolled.h"
#include "as-unrolled-kernels.h"

/* Hot elementwise loops get an AVX2 clone chosen at load time. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HOT __attribute__ ((target_clones ("avx2", "default")))
#else
#define HOT
#endif

#define REAL double
#define SUF(name) name##_f64
#define GEMM cblas_dgemm
#define FABS fabs
#define COPYSIGN copysign
#include "as-unrolled-kernels-body.h"
#undef REAL
#undef SUF
#undef GEMM
#undef FABS
#undef COPYSIGN

#define REAL float
#define SUF(name) name##_f32
#define GEMM cblas_sgemm
#define FABS fabsf
#define COPYSIGN copysignf
#include "as-unrolled-kernels-body.h"

/* Adam (Kingma & Ba 2015) on p[lo, hi) with bias corrections c1 = 1 − β₁ᵗ,
 * c2 = 1 − β₂ᵗ: one pass, vectorised (square root and division included). */
HOT void
as_unrolled_kernel_adam (double *restrict p, const double *restrict g, double *restrict m1,
                         double *restrict m2, gsize lo, gsize hi, double lr, double beta1,
                         double beta2, double eps, double c1, double c2)
{
  double a = lr / c1, ic2 = 1.0 / c2, b1 = 1.0 - beta1, b2 = 1.0 - beta2;

  for (gsize i = lo; i < hi; i++)
    {
      double gi = g[i];
      double u = beta1 * m1[i] + b1 * gi;
      double v = beta2 * m2[i] + b2 * gi * gi;

      m1[i] = u;
      m2[i] = v;
      p[i] -= a * u / (sqrt (v * ic2) + eps);
    }
}
