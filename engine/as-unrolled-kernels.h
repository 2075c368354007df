/* as-unrolled-kernels.h: the batched forward pass, loss and back-propagation
 * of the unrolled solvers in float64 and float32 (internal to as-unrolled.c).
 *
 * One body (as-unrolled-kernels-body.h) compiled twice.  Elementwise work is
 * written branch-free (soft threshold, masks, signs) and fused with the
 * matrix products' inputs and outputs so the compiler vectorises it; this
 * translation unit is built with -O3 and clones its hot loops for AVX2.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Back-propagation takes an optional loss on every layer below the top one:
 * layer_loss ≥ 0 (an AsUnrolledLoss) adds layer_weights[t]·∂ℓ(z^t)/∂z^t to g^t.
 *
 * A network seen by the kernels: arrays in the kernel's precision. */
typedef struct
{
  int          kind;       /* AsUnrolledKind */
  guint        T, n, m;
  gboolean     positive;
  const void  *D;          /* n × m */
  const void  *W;          /* ALISTA's W̃ (n × m), else NULL */
  const void  *params;     /* flat, as_unrolled_get_params' layout */
  const gsize *offset;     /* offset[t], t = 1 … T + 1 */
} AsUnrolledKernelNet;

typedef struct
{
  guint  max_batch;
  void  *Z;   /* (T + 1) blocks of max_batch × m */
  void  *R;   /* T blocks of max_batch × n */
  void  *G;   /* max_batch × m */
  void  *G2;  /* max_batch × m */
  void  *P;   /* max_batch × max(n, m) */
} AsUnrolledKernelTape;

void   as_unrolled_kernel_forward_f64  (const AsUnrolledKernelNet *net, guint n_layers, guint B,
                                        const double *X, double lambda, AsUnrolledKernelTape *tape);
double as_unrolled_kernel_loss_f64     (const AsUnrolledKernelNet *net, int loss, guint n_layers,
                                        guint B, const double *X, const double *Ztarget,
                                        double lambda, AsUnrolledKernelTape *tape, double *G);
void   as_unrolled_kernel_backward_f64 (const AsUnrolledKernelNet *net, guint n_layers,
                                        guint first_layer, guint B, const double *X, double lambda,
                                        AsUnrolledKernelTape *tape, double *G, double *grad,
                                        gsize n_params, int layer_loss, const double *Ztarget,
                                        const double *layer_weights);

void   as_unrolled_kernel_forward_f32  (const AsUnrolledKernelNet *net, guint n_layers, guint B,
                                        const float *X, double lambda, AsUnrolledKernelTape *tape);
double as_unrolled_kernel_loss_f32     (const AsUnrolledKernelNet *net, int loss, guint n_layers,
                                        guint B, const float *X, const float *Ztarget,
                                        double lambda, AsUnrolledKernelTape *tape, float *G);
void   as_unrolled_kernel_backward_f32 (const AsUnrolledKernelNet *net, guint n_layers,
                                        guint first_layer, guint B, const float *X, double lambda,
                                        AsUnrolledKernelTape *tape, float *G, float *grad,
                                        gsize n_params, int layer_loss, const float *Ztarget,
                                        const double *layer_weights);

/* One Adam step on parameters [lo, hi) (float64 state in either precision). */
void   as_unrolled_kernel_adam (double *p, const double *g, double *m1, double *m2, gsize lo,
                                gsize hi, double lr, double beta1, double beta2, double eps,
                                double c1, double c2);

G_END_DECLS
