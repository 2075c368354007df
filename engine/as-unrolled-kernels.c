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
