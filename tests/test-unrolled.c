/* test-unrolled.c: unrolled solvers: forward pass against an independent loop
 * implementation, back-propagation against finite differences, ISTA
 * equivalence at initialisation, ALISTA weights, the Lasso quantities the
 * trainer takes from as-lasso/as-solver against a plain-loop coordinate
 * descent, training, jobs, files.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-engine.h"
#include "as-job.h"
#include "as-lasso.h"
#include "as-rng.h"
#include "as-solver.h"
#include "as-unrolled.h"
#include "as-unrolled-io.h"
#include "as-unrolled-train.h"

/* ------------------------------------------------------------ fixtures */

static void
random_dictionary (AsRng *rng, guint n, guint m, double *D)
{
  as_rng_normal_fill (rng, D, (gsize) n * m);
  for (guint j = 0; j < m; j++)
    {
      double s = 0;
      for (guint i = 0; i < n; i++)
        s += D[i * m + j] * D[i * m + j];
      s = sqrt (s);
      for (guint i = 0; i < n; i++)
        D[i * m + j] /= s;
    }
}

/* Gaussian signals scaled onto the equiregularization set ‖Dᵀx‖_∞ = 1. */
static void
random_signals (AsRng *rng, guint n, guint m, const double *D, guint B, double *X)
{
  as_rng_normal_fill (rng, X, (gsize) B * n);
  for (guint b = 0; b < B; b++)
    {
      double mx = 0;
      for (guint j = 0; j < m; j++)
        {
          double c = 0;
          for (guint i = 0; i < n; i++)
            c += D[i * m + j] * X[b * n + i];
          mx = MAX (mx, fabs (c));
        }
      for (guint i = 0; i < n; i++)
        X[b * n + i] /= mx;
    }
}

static double
st (double u, double tau, gboolean positive)
{
  if (u > tau)
    return u - tau;
  if (!positive && u < -tau)
    return u + tau;
  return 0;
}

/* Independent forward pass: plain loops, one sample at a time, straight from
 * the table of docs/maths.md.  Returns z^T in Zout (B × m) and the smallest
 * distance ||u| − τ| of any pre-activation to a kink of the soft threshold. */
static double
reference_forward (AsUnrolled *net, guint B, const double *X, double lambda, double *Zout)
{
  guint n = as_unrolled_get_n (net), m = as_unrolled_get_m (net), T = as_unrolled_get_n_layers (net);
  const double *D = as_unrolled_get_dictionary (net);
  const double *Wa = as_unrolled_get_alista_weights (net);
  const double *P = as_unrolled_peek_params (net);
  gboolean pos = as_unrolled_get_positive (net);
  AsUnrolledKind kind = as_unrolled_get_kind (net);
  double margin = INFINITY;
  g_autofree double *z = g_new (double, m);
  g_autofree double *u = g_new (double, m);
  g_autofree double *tau = g_new (double, m);
  g_autofree double *r = g_new (double, n);

  for (guint b = 0; b < B; b++)
    {
      const double *x = X + b * n;

      memset (z, 0, sizeof (double) * m);
      for (guint t = 1; t <= T; t++)
        {
          const double *p = P + as_unrolled_layer_offset (net, t);

          for (guint i = 0; i < n; i++)
            {
              r[i] = -x[i];
              for (guint j = 0; j < m; j++)
                r[i] += D[i * m + j] * z[j];
            }
          for (guint j = 0; j < m; j++)
            {
              double s = 0;
              switch (kind)
                {
                case AS_UNROLLED_SLISTA:
                  for (guint i = 0; i < n; i++)
                    s += D[i * m + j] * r[i];
                  u[j] = z[j] - p[0] * s;
                  tau[j] = lambda * p[0];
                  break;
                case AS_UNROLLED_ALISTA:
                  for (guint i = 0; i < n; i++)
                    s += Wa[i * m + j] * r[i];
                  u[j] = z[j] - p[0] * s;
                  tau[j] = lambda * p[1];
                  break;
                case AS_UNROLLED_LISTA_CP:
                  for (guint i = 0; i < n; i++)
                    s += p[i * m + j] * r[i];
                  u[j] = z[j] - s;
                  tau[j] = lambda * p[n * m + j];
                  break;
                case AS_UNROLLED_LISTA:
                  {
                    const double *S = t >= 2 ? p : NULL;
                    const double *We = p + (t >= 2 ? m * m : 0);
                    for (guint i = 0; i < n; i++)
                      s += We[j * n + i] * x[i];
                    if (S)
                      for (guint k = 0; k < m; k++)
                        s += S[j * m + k] * z[k];
                    u[j] = s;
                    tau[j] = lambda * We[m * n + j];
                  }
                  break;
                }
            }
          for (guint j = 0; j < m; j++)
            {
              margin = MIN (margin, fabs ((pos ? u[j] : fabs (u[j])) - tau[j]));
              z[j] = st (u[j], tau[j], pos);
            }
        }
      memcpy (Zout + b * m, z, sizeof (double) * m);
    }
  return margin;
}

static double
reference_loss (AsUnrolled *net, AsUnrolledLoss loss, guint B, const double *X,
                const double *Zt, double lambda, double *margin)
{
  guint n = as_unrolled_get_n (net), m = as_unrolled_get_m (net);
  const double *D = as_unrolled_get_dictionary (net);
  g_autofree double *Z = g_new (double, B * m);
  double total = 0;

  *margin = reference_forward (net, B, X, lambda, Z);
  for (guint b = 0; b < B; b++)
    {
      if (loss == AS_UNROLLED_LOSS_UNSUPERVISED)
        {
          for (guint i = 0; i < n; i++)
            {
              double ri = -X[b * n + i];
              for (guint j = 0; j < m; j++)
                ri += D[i * m + j] * Z[b * m + j];
              total += 0.5 * ri * ri;
            }
          for (guint j = 0; j < m; j++)
            total += lambda * fabs (Z[b * m + j]);
        }
      else
        for (guint j = 0; j < m; j++)
          total += 0.5 * (Z[b * m + j] - Zt[b * m + j]) * (Z[b * m + j] - Zt[b * m + j]);
    }
  return total / B;
}

/* Moves the parameters away from ISTA's so every term of the gradient matters. */
static void
perturb_params (AsRng *rng, AsUnrolled *net, double scale)
{
  double *p = as_unrolled_get_params (net);
  gsize np = as_unrolled_get_n_params (net);

  for (gsize i = 0; i < np; i++)
    p[i] += scale * (fabs (p[i]) + 0.02) * as_rng_normal (rng);
}

/* ------------------------------------------------------------- gradients */

static void
check_gradient (AsUnrolledKind kind, AsUnrolledLoss loss, gboolean positive,
                AsUnrolledPrecision precision)
{
  /* float32 kernels against float64 finite differences: their own rounding
   * (ε ≈ 6e-8, sums of a few hundred terms) bounds the agreement. */
  const double tol_z = precision == AS_UNROLLED_FLOAT32 ? 1e-5 : 1e-12;
  const double tol_g = precision == AS_UNROLLED_FLOAT32 ? 1e-4 : 1e-6;
  const guint n = 5, m = 8, T = 3, B = 4;
  const double lambda = 0.25, h = 1e-6;
  guint redraws = 0;

  for (guint64 seed = 1;; seed++)
    {
      AsRng rng;
      double D[5 * 8], X[4 * 5], Zt[4 * 8], Z[4 * 8];
      g_autoptr (AsUnrolled) net = NULL;
      g_autoptr (AsUnrolledTape) tape = NULL;
      g_autofree double *grad = NULL;
      g_autofree double *fd = NULL;
      double margin, value, ref_value, err = 0, scale = 0, zerr = 0;
      gsize np;

      as_rng_init (&rng, seed * 7919 + kind * 31 + loss * 5 + positive);
      random_dictionary (&rng, n, m, D);
      random_signals (&rng, n, m, D, B, X);
      as_rng_normal_fill (&rng, Zt, B * m);
      if (loss == AS_UNROLLED_LOSS_SEMI_SUPERVISED)
        {
          /* The target of the semi-supervised loss: the Lasso solution, from
           * the solver the trainer uses (checked in test_lasso_helpers). */
          g_autoptr (AsLasso) lasso = as_lasso_new (n, m, D, B, X, lambda, positive);

          memset (Zt, 0, sizeof Zt);
          g_assert_true (as_lasso_solve_reference (lasso, Zt, 1e-13, 100000, NULL));
        }
      net = as_unrolled_new (kind, T, n, m, D, positive, NULL);
      g_assert_nonnull (net);
      perturb_params (&rng, net, 0.3);
      np = as_unrolled_get_n_params (net);

      /* Kinks: a finite difference across |u| = τ measures a different
       * piece.  Redraw problems whose pre-activations come within 1e-4 of a
       * kink (the step h is 1e-6); count redraws so this cannot hide a bug. */
      ref_value = reference_loss (net, loss, B, X, Zt, lambda, &margin);
      if (margin < 1e-4)
        {
          redraws++;
          g_assert_cmpuint (redraws, <, 20);
          continue;
        }

      tape = as_unrolled_tape_new_full (net, B, precision);
      grad = g_new (double, np);
      value = as_unrolled_loss_and_gradient (net, loss, B, X, Zt, lambda, tape, grad);
      /* Forward pass and loss agree with the loop implementation. */
      reference_forward (net, B, X, lambda, Z);
      for (guint i = 0; i < B * m; i++)
        zerr = MAX (zerr, fabs (Z[i] - as_unrolled_tape_get_codes (tape, T)[i]));
      g_assert_cmpfloat (zerr, <=, tol_z);
      g_assert_cmpfloat (fabs (value - ref_value), <=, tol_z * MAX (1, fabs (value)));

      fd = g_new (double, np);
      for (gsize k = 0; k < np; k++)
        {
          double *p = as_unrolled_get_params (net), keep = p[k], fp, fm, mg;

          p[k] = keep + h;
          fp = reference_loss (net, loss, B, X, Zt, lambda, &mg);
          p[k] = keep - h;
          fm = reference_loss (net, loss, B, X, Zt, lambda, &mg);
          p[k] = keep;
          fd[k] = (fp - fm) / (2 * h);
          err = MAX (err, fabs (fd[k] - grad[k]));
          scale = MAX (scale, fabs (fd[k]));
        }
      g_test_message ("%s/%s%s/%s: %" G_GSIZE_FORMAT " parameters, max |g| %.3g, max error %.3g (relative %.3g), %u redraws",
                      as_unrolled_kind_to_string (kind), as_unrolled_loss_to_string (loss),
                      positive ? "/positive" : "", precision == AS_UNROLLED_FLOAT32 ? "float32" : "float64",
                      np, scale, err, err / scale, redraws);
      g_assert_cmpfloat (scale, >, 1e-3);
      g_assert_cmpfloat (err / scale, <=, tol_g);
      break;
    }
}

static void
test_gradients (void)
{
  for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
    for (int loss = AS_UNROLLED_LOSS_SUPERVISED; loss <= AS_UNROLLED_LOSS_UNSUPERVISED; loss++)
      for (int positive = 0; positive <= 1; positive++)
        check_gradient (kind, loss, positive, AS_UNROLLED_FLOAT64);
}

static void
test_gradients_float32 (void)
{
  for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
    for (int loss = AS_UNROLLED_LOSS_SUPERVISED; loss <= AS_UNROLLED_LOSS_UNSUPERVISED; loss++)
      for (int positive = 0; positive <= 1; positive++)
        check_gradient (kind, loss, positive, AS_UNROLLED_FLOAT32);
}

/* Two trainers of the same network (4 layers, n = 10, @m atoms) on the same @train_size
 * samples, on one thread and on two. */
static void
two_trainers (AsUnrolledKind kind, guint m, guint train_size, AsUnrolledOptimizer optimizer,
              double rate, AsUnrolledTrainConfig *c, AsUnrolledTrainer **one,
              AsUnrolledTrainer **two)
{
  as_unrolled_train_config_init (c);
  c->kind = kind;
  c->n_layers = 4;
  c->n = 10;
  c->m = m;
  c->train_size = train_size;
  c->test_size = 10;
  c->learning_rate = rate;
  c->optimizer = optimizer;
  *one = as_unrolled_trainer_new (c, NULL, NULL);
  c->n_threads = 2;
  *two = as_unrolled_trainer_new (c, NULL, NULL);
  g_assert_nonnull (*one);
  g_assert_nonnull (*two);
}

/* A minibatch split between two threads takes the same optimiser step as
 * one thread (float64: the shares' gradients are weighted means). */
static void
test_two_threads (void)
{
  for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
    {
      AsUnrolledTrainConfig c;
      g_autoptr (AsUnrolledTrainer) one = NULL;
      g_autoptr (AsUnrolledTrainer) two = NULL;
      const double *p1, *p2;
      double l1, l2, diff = 0, move = 0;
      gsize np;

      /* 101 samples: unequal shares. */
      two_trainers (kind, 24, 101, AS_UNROLLED_OPTIMIZER_SGD, 1e-2, &c, &one, &two);
      l1 = as_unrolled_trainer_step (one, c.train_size, as_unrolled_trainer_get_train_signals (one), NULL);
      l2 = as_unrolled_trainer_step (two, c.train_size, as_unrolled_trainer_get_train_signals (two), NULL);
      g_assert_cmpfloat (fabs (l1 - l2), <=, 1e-12 * fabs (l1));
      np = as_unrolled_get_n_params (as_unrolled_trainer_get_network (one));
      p1 = as_unrolled_peek_params (as_unrolled_trainer_get_network (one));
      p2 = as_unrolled_peek_params (as_unrolled_trainer_get_network (two));
      {
        g_autoptr (AsUnrolled) fresh = as_unrolled_copy (as_unrolled_trainer_get_network (one));
        const double *p0;

        as_unrolled_reset (fresh);
        p0 = as_unrolled_peek_params (fresh);
        for (gsize i = 0; i < np; i++)
          {
            diff = MAX (diff, fabs (p1[i] - p2[i]));
            move = MAX (move, fabs (p1[i] - p0[i]));
          }
      }
      g_assert_cmpfloat (move, >, 1e-8);       /* the step did something */
      g_assert_cmpfloat (diff, <=, 1e-12 * MAX (1.0, move) + 1e-14);
    }
}

/* Adam on a network large enough for its step to be split between the two
 * threads: the same parameters as one thread, after three steps, and every
 * parameter moved by the step size (Adam's first steps move each weight by
 * about the learning rate). */
static void
test_two_threads_adam (void)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) one = NULL;
  g_autoptr (AsUnrolledTrainer) two = NULL;
  g_autoptr (AsUnrolled) fresh = NULL;
  const double *p0, *p1, *p2;
  double diff = 0;
  gsize np, moved = 0;

  two_trainers (AS_UNROLLED_LISTA, 160, 64, AS_UNROLLED_OPTIMIZER_ADAM, 1e-3, &c, &one, &two);
  np = as_unrolled_get_n_params (as_unrolled_trainer_get_network (one));
  g_assert_cmpuint (np, >=, 65536);
  for (int step = 0; step < 3; step++)
    {
      as_unrolled_trainer_step (one, c.train_size, as_unrolled_trainer_get_train_signals (one), NULL);
      as_unrolled_trainer_step (two, c.train_size, as_unrolled_trainer_get_train_signals (two), NULL);
    }
  fresh = as_unrolled_copy (as_unrolled_trainer_get_network (one));
  as_unrolled_reset (fresh);
  p0 = as_unrolled_peek_params (fresh);
  p1 = as_unrolled_peek_params (as_unrolled_trainer_get_network (one));
  p2 = as_unrolled_peek_params (as_unrolled_trainer_get_network (two));
  for (gsize i = 0; i < np; i++)
    {
      diff = MAX (diff, fabs (p1[i] - p2[i]));
      moved += fabs (p1[i] - p0[i]) > 1e-4;
    }
  g_test_message ("%zu of %zu parameters moved; largest difference %.3g", moved, np, diff);
  g_assert_cmpfloat (diff, <=, 1e-12);
  g_assert_cmpuint (moved, >, np / 2);
}


/* A loss on every layer: w·Σ_t ℓ(z^t), t = 1 … T, against finite differences
 * of the same sum computed layer by layer from the forward pass. */
static double
layers_loss (AsUnrolled *net, AsUnrolledLoss loss, guint B, const double *X, const double *Zt,
             double lambda, AsUnrolledTape *tape, double w)
{
  guint T = as_unrolled_get_n_layers (net);
  double total = 0;

  as_unrolled_forward (net, T, B, X, lambda, tape);
  for (guint t = 1; t <= T; t++)
    total += (t == 2 ? 2 * w : w) * as_unrolled_loss (net, loss, t, B, X, Zt, lambda, tape, NULL);
  return total;
}

static void
test_gradient_every_layer (void)
{
  const guint n = 5, m = 8, T = 3, B = 4;
  const double lambda = 0.25, h = 1e-6, w = 1.0 / 3;

  for (int precision = AS_UNROLLED_FLOAT64; precision <= AS_UNROLLED_FLOAT32; precision++)
    for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
      for (int loss = AS_UNROLLED_LOSS_SUPERVISED; loss <= AS_UNROLLED_LOSS_UNSUPERVISED; loss += 2)
        {
          AsRng rng;
          double D[5 * 8], X[4 * 5], Zt[4 * 8];
          g_autoptr (AsUnrolled) net = NULL;
          g_autoptr (AsUnrolledTape) tape = NULL;
          g_autoptr (AsUnrolledTape) ref = NULL;
          g_autofree double *grad = NULL;
          g_autofree double *G = g_new (double, B * m);
          double err = 0, scale = 0, tol = precision == AS_UNROLLED_FLOAT32 ? 1e-4 : 1e-6;
          gsize np;

          as_rng_init (&rng, 4242 + kind);
          random_dictionary (&rng, n, m, D);
          random_signals (&rng, n, m, D, B, X);
          as_rng_normal_fill (&rng, Zt, B * m);
          net = as_unrolled_new (kind, T, n, m, D, FALSE, NULL);
          perturb_params (&rng, net, 0.3);
          np = as_unrolled_get_n_params (net);
          tape = as_unrolled_tape_new_full (net, B, precision);
          ref = as_unrolled_tape_new (net, B);
          grad = g_new (double, np);
          as_unrolled_forward (net, T, B, X, lambda, tape);
          as_unrolled_loss (net, loss, T, B, X, Zt, lambda, tape, G);
          for (guint i = 0; i < B * m; i++)
            G[i] *= w;
          {
            /* Unequal weights per layer, index t = 1 … T. */
            double weights[4] = { 0, w, 2 * w, w };

            for (guint i = 0; i < B * m; i++)
              G[i] *= weights[T] / w;
            as_unrolled_backward_layers (net, T, 1, B, X, Zt, lambda, loss, weights, tape, G, grad);
          }
          for (gsize k = 0; k < np; k++)
            {
              double *p = as_unrolled_get_params (net), keep = p[k], fp, fm, fd;

              p[k] = keep + h;
              fp = layers_loss (net, loss, B, X, Zt, lambda, ref, w);
              p[k] = keep - h;
              fm = layers_loss (net, loss, B, X, Zt, lambda, ref, w);
              p[k] = keep;
              fd = (fp - fm) / (2 * h);
              err = MAX (err, fabs (fd - grad[k]));
              scale = MAX (scale, fabs (fd));
            }
          g_test_message ("every layer, %s/%s/%s: max |g| %.3g, relative error %.3g",
                          as_unrolled_kind_to_string (kind), as_unrolled_loss_to_string (loss),
                          precision == AS_UNROLLED_FLOAT32 ? "float32" : "float64", scale, err / scale);
          g_assert_cmpfloat (scale, >, 1e-3);
          g_assert_cmpfloat (err / scale, <=, tol);
        }
}

/* Layer-wise back-propagation: gradients of the truncated network w.r.t.
 * layer t only, the earlier layers held fixed. */
static void
test_gradient_layerwise (void)
{
  const guint n = 5, m = 8, T = 4, B = 3;
  AsRng rng;
  double D[5 * 8], X[3 * 5];
  g_autoptr (AsUnrolled) net = NULL;
  g_autoptr (AsUnrolledTape) tape = NULL;
  g_autofree double *grad = NULL;
  g_autofree double *G = g_new (double, B * m);
  const double lambda = 0.2, h = 1e-6;

  as_rng_init (&rng, 99);
  random_dictionary (&rng, n, m, D);
  random_signals (&rng, n, m, D, B, X);
  net = as_unrolled_new (AS_UNROLLED_LISTA_CP, T, n, m, D, FALSE, NULL);
  perturb_params (&rng, net, 0.2);
  tape = as_unrolled_tape_new (net, B);
  grad = g_new (double, as_unrolled_get_n_params (net));
  for (guint t = 1; t <= T; t++)
    {
      gsize lo = as_unrolled_layer_offset (net, t), hi = as_unrolled_layer_offset (net, t + 1);
      double err = 0, scale = 0;

      as_unrolled_forward (net, t, B, X, lambda, tape);
      as_unrolled_loss (net, AS_UNROLLED_LOSS_UNSUPERVISED, t, B, X, NULL, lambda, tape, G);
      as_unrolled_backward (net, t, t, B, X, lambda, tape, G, grad);
      for (gsize k = 0; k < as_unrolled_get_n_params (net); k++)
        {
          double *p = as_unrolled_get_params (net), keep = p[k], fp, fm;

          if (k >= lo && k < hi)
            {
              p[k] = keep + h;
              as_unrolled_forward (net, t, B, X, lambda, tape);
              fp = as_unrolled_loss (net, AS_UNROLLED_LOSS_UNSUPERVISED, t, B, X, NULL, lambda, tape, NULL);
              p[k] = keep - h;
              as_unrolled_forward (net, t, B, X, lambda, tape);
              fm = as_unrolled_loss (net, AS_UNROLLED_LOSS_UNSUPERVISED, t, B, X, NULL, lambda, tape, NULL);
              p[k] = keep;
              err = MAX (err, fabs ((fp - fm) / (2 * h) - grad[k]));
              scale = MAX (scale, fabs (grad[k]));
            }
          else
            g_assert_cmpfloat (grad[k], ==, 0.0);
        }
      g_assert_cmpfloat (scale, >, 1e-4);
      g_assert_cmpfloat (err / scale, <=, 1e-6);
    }
}

/* --------------------------------------------------------- ISTA and ALISTA */

static void
test_untrained_is_ista (void)
{
  const guint n = 12, m = 30, T = 15, B = 7;
  AsRng rng;
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *X = g_new (double, B * n);
  g_autofree double *Zi = g_new (double, B * m);
  g_autofree double *r = g_new (double, n);
  const double lambda = 0.3;
  double L, v[30], w[30], nv;

  as_rng_init (&rng, 5);
  random_dictionary (&rng, n, m, D);
  random_signals (&rng, n, m, D, B, X);

  /* L by power iteration on DᵀD, independent of the LAPACK path. */
  for (guint j = 0; j < m; j++)
    v[j] = 1.0 + 0.01 * j;
  for (int it = 0; it < 5000; it++)
    {
      nv = 0;
      for (guint j = 0; j < m; j++)
        {
          w[j] = 0;
          for (guint k = 0; k < m; k++)
            {
              double q = 0;
              for (guint i = 0; i < n; i++)
                q += D[i * m + j] * D[i * m + k];
              w[j] += q * v[k];
            }
          nv += w[j] * w[j];
        }
      nv = sqrt (nv);
      for (guint j = 0; j < m; j++)
        v[j] = w[j] / nv;
    }
  {
    g_autoptr (AsUnrolled) probe = as_unrolled_new (AS_UNROLLED_SLISTA, 1, n, m, D, FALSE, NULL);

    L = as_unrolled_get_lipschitz (probe);
  }
  g_assert_cmpfloat (fabs (L - nv), <=, 1e-10 * L);

  for (int positive = 0; positive <= 1; positive++)
    for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
      {
        g_autoptr (AsUnrolled) net = NULL;
        g_autoptr (AsUnrolledTape) tape = NULL;
        double err = 0;

        if (kind == AS_UNROLLED_ALISTA)
          continue;
        net = as_unrolled_new (kind, T, n, m, D, positive, NULL);
        tape = as_unrolled_tape_new (net, B);
        as_unrolled_forward (net, T, B, X, lambda, tape);
        memset (Zi, 0, sizeof (double) * B * m);
        /* Plain ISTA, z ← ST(z − Dᵀ(Dz − x)/L, λ/L), compared at every layer. */
        for (guint t = 1; t <= T; t++)
          {
            const double *Zn = as_unrolled_tape_get_codes (tape, t);

            for (guint b = 0; b < B; b++)
              {
                double *z = Zi + b * m;
                double u[30];

                for (guint i = 0; i < n; i++)
                  {
                    r[i] = -X[b * n + i];
                    for (guint j = 0; j < m; j++)
                      r[i] += D[i * m + j] * z[j];
                  }
                for (guint j = 0; j < m; j++)
                  {
                    double g = 0;
                    for (guint i = 0; i < n; i++)
                      g += D[i * m + j] * r[i];
                    u[j] = z[j] - g / nv;
                  }
                for (guint j = 0; j < m; j++)
                  z[j] = st (u[j], lambda / nv, positive);
              }
            for (guint i = 0; i < B * m; i++)
              err = MAX (err, fabs (Zn[i] - Zi[i]));
          }
        g_test_message ("untrained %s%s vs ISTA: max difference %.3g", as_unrolled_kind_to_string (kind),
                        positive ? " (positive)" : "", err);
        g_assert_cmpfloat (err, <=, 1e-13);
        /* Not vacuous: codes are non-trivial. */
        {
          double mx = 0;
          for (guint i = 0; i < B * m; i++)
            mx = MAX (mx, fabs (Zi[i]));
          g_assert_cmpfloat (mx, >, 0.05);
        }
      }
}

static double
coherence_objective (guint n, guint m, const double *D, const double *W)
{
  double s = 0;

  for (guint i = 0; i < m; i++)
    for (guint j = 0; j < m; j++)
      if (i != j)
        {
          double c = 0;
          for (guint k = 0; k < n; k++)
            c += W[k * m + i] * D[k * m + j];
          s += c * c;
        }
  return s;
}

static void
test_alista_weights (void)
{
  const guint n = 10, m = 25;
  AsRng rng;
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *W = g_new (double, n * m);
  g_autofree double *V = g_new (double, n * m);
  g_autoptr (AsUnrolled) net = NULL;
  g_autoptr (GError) error = NULL;
  double best;

  as_rng_init (&rng, 11);
  random_dictionary (&rng, n, m, D);
  net = as_unrolled_new (AS_UNROLLED_ALISTA, 3, n, m, D, FALSE, &error);
  g_assert_no_error (error);
  memcpy (W, as_unrolled_get_alista_weights (net), sizeof (double) * n * m);

  /* Constraint w_iᵀd_i = 1. */
  for (guint i = 0; i < m; i++)
    {
      double c = 0;
      for (guint k = 0; k < n; k++)
        c += W[k * m + i] * D[k * m + i];
      g_assert_cmpfloat (fabs (c - 1), <=, 1e-12);
    }
  /* Stationarity: (DDᵀ − d_id_iᵀ)w_i is parallel to d_i (Lagrange). */
  for (guint i = 0; i < m; i++)
    {
      double g[10], gd = 0, nrm = 0;
      for (guint a = 0; a < n; a++)
        {
          g[a] = 0;
          for (guint j = 0; j < m; j++)
            if (j != i)
              {
                double c = 0;
                for (guint k = 0; k < n; k++)
                  c += D[k * m + j] * W[k * m + i];
                g[a] += D[a * m + j] * c;
              }
          gd += g[a] * D[a * m + i];
        }
      for (guint a = 0; a < n; a++)
        {
          double o = g[a] - gd * D[a * m + i];
          nrm += o * o;
        }
      g_assert_cmpfloat (sqrt (nrm), <=, 1e-10 * (1 + fabs (gd)));
    }
  /* Feasible perturbations (keeping w_iᵀd_i = 1) never decrease the objective. */
  best = coherence_objective (n, m, D, W);
  for (int trial = 0; trial < 50; trial++)
    {
      for (guint i = 0; i < m; i++)
        {
          double e[10], ed = 0;
          for (guint k = 0; k < n; k++)
            {
              e[k] = 0.05 * as_rng_normal (&rng);
              ed += e[k] * D[k * m + i];
            }
          for (guint k = 0; k < n; k++)
            V[k * m + i] = W[k * m + i] + e[k] - ed * D[k * m + i];
        }
      g_assert_cmpfloat (coherence_objective (n, m, D, V), >=, best);
    }
  /* And D itself (feasible since ‖d_i‖ = 1) is worse. */
  g_assert_cmpfloat (coherence_objective (n, m, D, D), >, best);
}

/* ----------------------------------------------------- Lasso quantities */

/* F(z) = ½‖x − Dz‖² + λ‖z‖₁ with plain loops. */
static double
loop_objective (guint n, guint m, const double *D, const double *x, const double *z,
                double lambda)
{
  double f = 0, l1 = 0;

  for (guint i = 0; i < n; i++)
    {
      double r = x[i];
      for (guint j = 0; j < m; j++)
        r -= D[i * m + j] * z[j];
      f += r * r;
    }
  for (guint j = 0; j < m; j++)
    l1 += fabs (z[j]);
  return 0.5 * f + lambda * l1;
}

/* The independent Lasso solver of these tests: cyclic coordinate descent
 * with plain loops on an explicit residual r = x − Dz,
 * z_j ← ST(z_j‖d_j‖² + d_jᵀr, λ)/‖d_j‖² (docs/maths.md, "Cyclic CD"), until an
 * epoch moves no coordinate by more than 1e-15.  The engine's reference
 * solver works on the Gram form with BLAS and polishes on the support, so
 * the two share no code. */
static void
loop_cd (guint n, guint m, const double *D, const double *x, double lambda,
         gboolean positive, double *z)
{
  g_autofree double *r = g_new (double, n);

  memset (z, 0, sizeof (double) * m);
  memcpy (r, x, sizeof (double) * n);
  for (guint epoch = 0; epoch < 200000; epoch++)
    {
      double moved = 0;

      for (guint j = 0; j < m; j++)
        {
          double q = 0, c = 0, nz, delta;

          for (guint i = 0; i < n; i++)
            {
              q += D[i * m + j] * D[i * m + j];
              c += D[i * m + j] * r[i];
            }
          nz = st (z[j] * q + c, lambda, positive) / q;
          delta = nz - z[j];
          z[j] = nz;
          for (guint i = 0; i < n; i++)
            r[i] -= delta * D[i * m + j];
          moved = MAX (moved, fabs (delta));
        }
      if (moved <= 1e-15)
        return;
    }
  g_assert_not_reached ();
}

/* ‖D_SᵀD_S‖₂ over the atoms with mask[j] set, by power iteration with plain
 * loops (independent of the engine's power iteration and of LAPACK). */
static double
loop_support_lipschitz (guint n, guint m, const double *D, const gboolean *mask)
{
  g_autofree double *v = g_new (double, m);
  g_autofree double *w = g_new (double, m);
  double nv = 0;

  for (guint j = 0; j < m; j++)
    v[j] = mask[j] ? 1.0 + 0.01 * j : 0.0;
  for (int it = 0; it < 20000; it++)
    {
      nv = 0;
      for (guint j = 0; j < m; j++)
        {
          w[j] = 0;
          if (!mask[j])
            continue;
          for (guint k = 0; k < m; k++)
            {
              double q = 0;
              if (!mask[k])
                continue;
              for (guint i = 0; i < n; i++)
                q += D[i * m + j] * D[i * m + k];
              w[j] += q * v[k];
            }
          nv += w[j] * w[j];
        }
      nv = sqrt (nv);
      for (guint j = 0; j < m; j++)
        v[j] = w[j] / nv;
    }
  return nv;
}

/* The Lasso quantities the trainer takes from the sparse-coding area, checked
 * against the independent loops above: reference solutions (objective,
 * codes, duality gap, KKT), L and L_S, and the ISTA/FISTA baseline curves. */
static void
test_lasso_helpers (void)
{
  const guint n = 10, m = 20, B = 5, K = 500;
  AsRng rng;
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *X = g_new (double, B * n);
  g_autofree double *Zc = g_new (double, B * m);
  g_autofree double *Zr = g_new0 (double, B * m);
  g_autofree double *Fs = g_new (double, B);
  g_autofree double *Fi = g_new (double, (K + 1) * B);
  g_autofree double *Ff = g_new (double, (K + 1) * B);
  g_autoptr (AsLasso) lasso = NULL;
  g_autoptr (AsUnrolled) net = NULL;
  const double lambda = 0.2;
  double worst_z = 0, worst_F = 0, worst_gap = 0;

  as_rng_init (&rng, 3);
  random_dictionary (&rng, n, m, D);
  random_signals (&rng, n, m, D, B, X);
  lasso = as_lasso_new (n, m, D, B, X, lambda, FALSE);
  g_assert_true (as_lasso_solve_reference (lasso, Zr, 1e-13, 100000, NULL));
  for (guint b = 0; b < B; b++)
    {
      const double *x = X + b * n, *zr = Zr + b * m;
      double *zc = Zc + b * m;

      loop_cd (n, m, D, x, lambda, FALSE, zc);
      Fs[b] = loop_objective (n, m, D, x, zc, lambda);
      /* KKT of the independent solution: |d_jᵀ(x − Dz)| ≤ λ, with equality
       * and matching sign on the support. */
      for (guint j = 0; j < m; j++)
        {
          double c = 0;
          for (guint i = 0; i < n; i++)
            {
              double ri = x[i];
              for (guint k = 0; k < m; k++)
                ri -= D[i * m + k] * zc[k];
              c += D[i * m + j] * ri;
            }
          g_assert_cmpfloat (fabs (c), <=, lambda + 1e-9);
          if (zc[j] != 0)
            g_assert_cmpfloat (fabs (c - lambda * (zc[j] > 0 ? 1 : -1)), <=, 1e-9);
        }
      /* The engine's reference solution is the same point with the same
       * objective, and the engine's objective and gap agree with the loops. */
      for (guint j = 0; j < m; j++)
        worst_z = MAX (worst_z, fabs (zr[j] - zc[j]));
      worst_F = MAX (worst_F, fabs (loop_objective (n, m, D, x, zr, lambda) - Fs[b]));
      g_assert_cmpfloat (fabs (as_lasso_objective (lasso, b, zc) - Fs[b]), <=, 1e-14);
      worst_gap = MAX (worst_gap, as_lasso_duality_gap (lasso, b, zr) / Fs[b]);
    }
  g_test_message ("reference vs plain-loop CD: max |Δz| %.3g, max |ΔF| %.3g; relative gap %.3g",
                  worst_z, worst_F, worst_gap);
  g_assert_cmpfloat (worst_z, <=, 1e-9);
  g_assert_cmpfloat (worst_F, <=, 1e-13);
  g_assert_cmpfloat (worst_gap, <=, 1e-13);
  /* A far-from-optimal point has a clearly positive gap (the check can fail). */
  {
    double zero[20] = { 0 };
    g_assert_cmpfloat (as_lasso_duality_gap (lasso, 0, zero), >, 1e-3);
  }

  /* L and L_S: the network's step 1/L is the sparse-coding area's, and both
   * agree with a power iteration; L_S ≤ L, L_S = L for the empty support,
   * and a single unit atom gives 1. */
  net = as_unrolled_new (AS_UNROLLED_SLISTA, 1, n, m, D, FALSE, NULL);
  g_assert_cmpfloat (as_unrolled_get_lipschitz (net), ==, as_lasso_lipschitz (lasso));
  {
    gboolean all[20], mask[20];
    double zero[20] = { 0 }, L;

    for (guint j = 0; j < m; j++)
      all[j] = TRUE;
    L = loop_support_lipschitz (n, m, D, all);
    g_assert_cmpfloat (fabs (as_lasso_lipschitz (lasso) - L), <=, 1e-10 * L);
    for (guint b = 0; b < B; b++)
      {
        double ls = as_lasso_support_lipschitz (lasso, Zr + b * m);

        for (guint j = 0; j < m; j++)
          mask[j] = Zr[b * m + j] != 0;
        g_assert_cmpfloat (fabs (ls - loop_support_lipschitz (n, m, D, mask)), <=, 1e-10 * ls);
        g_assert_cmpfloat (ls, <=, L * (1 + 1e-12));
      }
    g_assert_cmpfloat (as_lasso_support_lipschitz (lasso, zero), ==, as_lasso_lipschitz (lasso));
    zero[0] = 1;
    g_assert_cmpfloat (fabs (as_lasso_support_lipschitz (lasso, zero) - 1), <=, 1e-12);
  }

  /* The trainer's baselines: ISTA decreases F monotonically, neither goes
   * below F*, and FISTA reaches it within K iterations. */
  for (int fista = 0; fista <= 1; fista++)
    {
      g_autoptr (AsSolver) solver = as_solver_new (lasso, fista ? AS_SOLVER_FISTA : AS_SOLVER_ISTA, FALSE);
      double *F = fista ? Ff : Fi;

      for (guint k = 0; k <= K; k++)
        {
          if (k > 0)
            as_solver_step (solver);
          as_solver_evaluate (solver, F + k * B, NULL, NULL);
        }
    }
  for (guint b = 0; b < B; b++)
    {
      for (guint k = 1; k <= K; k++)
        {
          g_assert_cmpfloat (Fi[k * B + b], <=, Fi[(k - 1) * B + b] + 1e-15);
          g_assert_cmpfloat (Fi[k * B + b], >=, Fs[b] - 1e-12);
          g_assert_cmpfloat (Ff[k * B + b], >=, Fs[b] - 1e-12);
        }
      g_assert_cmpfloat (Ff[K * B + b] - Fs[b], <=, 1e-9);
    }
}

/* ------------------------------------------------------------- training */

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
standin_config (AsUnrolledTrainConfig *c, AsUnrolledKind kind, double fraction)
{
  as_unrolled_train_config_init (c);
  c->kind = kind;
  c->n = 16;
  c->m = 64;
  c->n_layers = 10;
  c->lambda_fraction = fraction;
  c->loss = AS_UNROLLED_LOSS_UNSUPERVISED;
  c->train_size = 300;
  c->test_size = 300;
  c->batch_size = 0;  /* full batch, as in Ablin et al. 2019 */
  c->seed = 1;
  c->n_baseline = 20;
  c->eval_every = 1000;
}

/* A smaller stand-in of Ablin et al. 2019's experiment (m = 64, n = 16 instead of
 * 256 × 64): unsupervised loss, full batch, λ = 0.8 λ_max. */
static void
test_train_slista_sparse (void)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (AsUnrolledSnapshot) s = NULL;
  g_autoptr (GError) error = NULL;
  const double *loss;
  guint n_loss, T;

  standin_config (&c, AS_UNROLLED_SLISTA, 0.8);
  c.optimizer = AS_UNROLLED_OPTIMIZER_ADAM;
  c.learning_rate = 0.05;
  tr = as_unrolled_trainer_new (&c, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (as_unrolled_trainer_train (tr, 150, NULL, &error));
  g_assert_no_error (error);
  s = as_unrolled_trainer_snapshot (tr);
  T = s->n_layers;
  g_test_message ("λ = 0.8: SLISTA-%u mean gap %.3g (median %.3g), ISTA-%u %.3g, ISTA-20 %.3g, FISTA-%u %.3g; %u diverging samples",
                  T, s->gap_mean[T], s->gap_median[T], T, s->ista_gap_mean[T], s->ista_gap_mean[20], T,
                  s->fista_gap_mean[T], s->n_diverged);
  /* Far below ISTA with the same number of iterations, and below ISTA-20. */
  g_assert_cmpfloat (s->gap_mean[T], <, s->ista_gap_mean[T] / 100);
  g_assert_cmpfloat (s->gap_mean[T], <, s->ista_gap_mean[20] / 10);
  g_assert_cmpfloat (s->gap_mean[T], >=, -1e-12);
  g_assert_cmpuint (s->n_diverged, ==, 0);
  /* Backtracking never accepts an epoch that increases the training loss. */
  loss = as_unrolled_trainer_get_train_loss (tr, &n_loss);
  g_assert_cmpuint (n_loss, ==, 150);
  for (guint e = 1; e < n_loss; e++)
    g_assert_cmpfloat (loss[e], <=, loss[e - 1]);
  /* The learned steps are larger than 1/L (Ablin et al. 2019: 1/L is not the best step). */
  g_assert_cmpfloat (s->steps[T - 1], >, 2 * s->inv_lipschitz);
}

/* λ = 0.1 λ_max: learned SLISTA steps grow with depth, from about 1/L to the
 * 1/L_S of the supports reached (Ablin et al. 2019, "the learned step sizes are linked
 * to the distribution of 1/L_S"); LISTA-CP beats ISTA at equal depth. */
static void
test_train_steps_dense (void)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (AsUnrolledTrainer) cp = NULL;
  g_autoptr (AsUnrolledSnapshot) s = NULL;
  g_autoptr (AsUnrolledSnapshot) scp = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree double *inv_ls = NULL;
  double median;
  guint T;

  standin_config (&c, AS_UNROLLED_SLISTA, 0.1);
  c.train_size = 200;
  c.optimizer = AS_UNROLLED_OPTIMIZER_SGD;
  c.learning_rate = 1.0;
  tr = as_unrolled_trainer_new (&c, NULL, &error);
  g_assert_no_error (error);
  /* The test set's reference solutions: relative duality gap ≤ 1e-12, and
   * the objective of the independent plain-loop CD on a few samples. */
  {
    const double *Xte = as_unrolled_trainer_get_test_signals (tr);
    const double *Zte = as_unrolled_trainer_get_test_solutions (tr);
    const double *D = as_unrolled_get_dictionary (as_unrolled_trainer_get_network (tr));
    double lam = as_unrolled_trainer_get_lambda (tr), worst = 0, worst_F = 0;
    g_autoptr (AsLasso) lasso = as_lasso_new (c.n, c.m, D, c.test_size, Xte, lam, c.positive);
    g_autofree double *z = g_new (double, c.m);

    for (guint b = 0; b < c.test_size; b++)
      worst = MAX (worst, as_lasso_duality_gap (lasso, b, Zte + (gsize) b * c.m)
                          / as_lasso_objective (lasso, b, Zte + (gsize) b * c.m));
    for (guint b = 0; b < 5; b++)
      {
        double F;

        loop_cd (c.n, c.m, D, Xte + (gsize) b * c.n, lam, c.positive, z);
        F = loop_objective (c.n, c.m, D, Xte + (gsize) b * c.n, z, lam);
        worst_F = MAX (worst_F, fabs (as_lasso_objective (lasso, b, Zte + (gsize) b * c.m) - F) / F);
      }
    g_test_message ("test set: largest relative gap of z* %.3g; plain-loop CD objective within %.3g",
                    worst, worst_F);
    g_assert_cmpfloat (worst, <=, 1e-12);
    g_assert_cmpfloat (worst_F, <=, 1e-12);
  }
  /* Before training, SLISTA is ISTA with the same 1/L: the network's gaps
   * equal the ISTA baseline's layer by layer. */
  {
    g_autoptr (AsUnrolledSnapshot) s0 = as_unrolled_trainer_snapshot (tr);
    double err = 0;

    for (guint t = 0; t <= s0->n_layers; t++)
      err = MAX (err, fabs (s0->gap_mean[t] - s0->ista_gap_mean[t]));
    g_test_message ("untrained SLISTA vs ISTA baseline: max difference of mean gaps %.3g", err);
    g_assert_cmpfloat (err, <=, 1e-13);
  }
  g_assert_true (as_unrolled_trainer_train (tr, 150, NULL, &error));
  s = as_unrolled_trainer_snapshot (tr);
  T = s->n_layers;
  inv_ls = g_new (double, c.test_size);
  as_unrolled_trainer_inverse_support_lipschitz (tr, FALSE, inv_ls);
  qsort (inv_ls, c.test_size, sizeof (double), cmp_double);
  median = inv_ls[c.test_size / 2];
  g_test_message ("λ = 0.1: 1/L = %.4f, median 1/L_S = %.4f, α_1 = %.4f, α_T = %.4f; gap %.3g vs ISTA-%u %.3g",
                  s->inv_lipschitz, median, s->steps[0], s->steps[T - 1], s->gap_mean[T], T,
                  s->ista_gap_mean[T]);
  g_assert_cmpfloat (median, >, 1.5 * s->inv_lipschitz);  /* the premise of the seed */
  g_assert_cmpfloat (fabs (s->steps[0] / s->inv_lipschitz - 1), <, 0.25);
  /* Grows with depth: up to small wiggles between neighbouring layers. */
  for (guint t = 1; t < T; t++)
    g_assert_cmpfloat (s->steps[t], >=, 0.95 * s->steps[t - 1]);
  g_assert_cmpfloat (s->steps[T - 1], >, 2 * s->steps[0]);
  g_assert_cmpfloat (s->steps[T - 1], >=, median);
  g_assert_cmpfloat (s->steps[T - 1], <=, 2 * median);
  g_assert_cmpfloat (s->gap_mean[T], <, s->ista_gap_mean[T] / 2);
  g_assert_cmpuint (s->n_diverged, ==, 0);

  /* LISTA-CP on the same data (same seed), Adam. */
  c.kind = AS_UNROLLED_LISTA_CP;
  c.optimizer = AS_UNROLLED_OPTIMIZER_ADAM;
  c.learning_rate = 1e-3;
  cp = as_unrolled_trainer_new (&c, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (as_unrolled_trainer_train (cp, 100, NULL, &error));
  scp = as_unrolled_trainer_snapshot (cp);
  g_test_message ("λ = 0.1: LISTA-CP gap %.3g vs ISTA-%u %.3g; coupling layer 1 %.3g, layer T %.3g",
                  scp->gap_mean[T], T, scp->ista_gap_mean[T], scp->coupling[0], scp->coupling[T - 1]);
  g_assert_cmpfloat (scp->gap_mean[T], <, scp->ista_gap_mean[T]);
  g_assert_cmpfloat (scp->coupling[T - 1], >, 0);
  g_assert_cmpuint (scp->n_diverged, ==, 0);
}

/* Supervised, semi-supervised and layer-wise training all lower their loss. */
static void
test_train_other_losses (void)
{
  for (int loss = AS_UNROLLED_LOSS_SUPERVISED; loss <= AS_UNROLLED_LOSS_SEMI_SUPERVISED; loss++)
    for (int layerwise = 0; layerwise <= 1; layerwise++)
      {
        AsUnrolledTrainConfig c;
        g_autoptr (AsUnrolledTrainer) tr = NULL;
        g_autoptr (GError) error = NULL;
        const double *l;
        guint nl;

        standin_config (&c, loss == AS_UNROLLED_LOSS_SUPERVISED ? AS_UNROLLED_ALISTA : AS_UNROLLED_LISTA, 0.3);
        c.n_layers = 4;
        c.loss = loss;
        c.train_size = 128;
        c.test_size = 50;
        c.batch_size = 32;
        c.learning_rate = 1e-3;
        c.layerwise_epochs = layerwise ? 5 : 0;
        tr = as_unrolled_trainer_new (&c, NULL, &error);
        g_assert_no_error (error);
        g_assert_true (as_unrolled_trainer_train (tr, layerwise ? 25 : 20, NULL, &error));
        l = as_unrolled_trainer_get_train_loss (tr, &nl);
        g_test_message ("%s %s%s: loss %.4g → %.4g", as_unrolled_kind_to_string (c.kind),
                        as_unrolled_loss_to_string (c.loss), layerwise ? " layer-wise" : "", l[0], l[nl - 1]);
        g_assert_cmpfloat (l[nl - 1], <, l[layerwise ? 20 : 0]);
      }
}

/* Jobs: pause blocks the worker, stop leaves a consistent state, resume
 * continues from the current parameters. */
static void
test_job_pause_stop_resume (void)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsJob) job2 = NULL;
  g_autoptr (GError) error = NULL;
  AsUnrolledSnapshot *s;
  guint64 gen0, gen, gen2;
  guint epochs_stopped, n_loss;
  g_autofree double *params = NULL;
  AsUnrolled *net;

  standin_config (&c, AS_UNROLLED_SLISTA, 0.5);
  c.train_size = 200;
  c.batch_size = 20;
  c.eval_every = 1;
  tr = as_unrolled_trainer_new (&c, NULL, &error);
  g_assert_no_error (error);
  job = as_unrolled_trainer_new_job (tr, 1000000);
  as_job_start (job);
  while (as_job_get_generation (job) < 3)
    g_usleep (1000);
  as_job_pause (job);
  gen0 = as_job_get_generation (job);
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_PAUSED);
  /* The worker finishes at most the minibatch and evaluation it was in,
   * then blocks in as_job_check(): at most one more snapshot, then none. */
  g_usleep (200000);
  gen = as_job_get_generation (job);
  g_usleep (200000);
  gen2 = as_job_get_generation (job);
  g_assert_cmpuint (gen, <=, gen0 + 1);
  g_assert_cmpuint (gen, ==, gen2);
  as_job_resume (job);
  while (as_job_get_generation (job) < gen + 3)
    g_usleep (1000);
  as_job_stop (job);
  g_assert_true (as_job_wait (job, &error));
  g_assert_cmpint (as_job_get_state (job), ==, AS_JOB_STOPPED);

  /* The last snapshot matches the trainer's state. */
  s = as_job_dup_snapshot (job, NULL);
  epochs_stopped = as_unrolled_trainer_get_epoch (tr);
  g_assert_cmpuint (s->epoch, ==, epochs_stopped);
  g_assert_cmpuint (epochs_stopped, >=, 5);
  g_assert_cmpuint (epochs_stopped, <, 1000000);
  net = as_unrolled_trainer_get_network (tr);
  g_assert_cmpmem (as_unrolled_peek_params (s->network), sizeof (double) * as_unrolled_get_n_params (net),
                   as_unrolled_peek_params (net), sizeof (double) * as_unrolled_get_n_params (net));
  as_job_release_snapshot (job, s);
  params = g_memdup2 (as_unrolled_peek_params (net), sizeof (double) * as_unrolled_get_n_params (net));

  /* Resume: a new job continues from there. */
  job2 = as_unrolled_trainer_new_job (tr, 3);
  g_assert_true (as_job_run_sync (job2, &error));
  g_assert_no_error (error);
  g_assert_cmpint (as_job_get_state (job2), ==, AS_JOB_FINISHED);
  g_assert_cmpuint (as_unrolled_trainer_get_epoch (tr), ==, epochs_stopped + 3);
  as_unrolled_trainer_get_train_loss (tr, &n_loss);
  g_assert_cmpuint (n_loss, ==, epochs_stopped + 3);
  s = as_job_dup_snapshot (job2, NULL);
  g_assert_cmpuint (s->epoch, ==, epochs_stopped + 3);
  as_job_release_snapshot (job2, s);
  /* It moved on from the stopped parameters rather than restarting at ISTA's. */
  g_assert_true (memcmp (params, as_unrolled_peek_params (net), sizeof (double) * as_unrolled_get_n_params (net)) != 0);
  g_assert_cmpfloat (params[0], !=, 1.0 / as_unrolled_get_lipschitz (net));
}

/* ---------------------------------------------------------------- files */

static void
test_save_load (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("atomscope-unrolled-XXXXXX", NULL);

  for (int kind = AS_UNROLLED_LISTA; kind <= AS_UNROLLED_SLISTA; kind++)
    {
      AsUnrolledTrainConfig c;
      g_autoptr (AsUnrolledTrainer) tr = NULL;
      g_autoptr (AsUnrolledSnapshot) s = NULL;
      g_autoptr (AsUnrolled) loaded = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *dir = g_build_filename (tmp, as_unrolled_kind_to_string (kind), NULL);
      g_autofree double *Z1 = NULL;
      g_autofree double *Z2 = NULL;
      AsUnrolledInfo info, back;
      AsUnrolled *net;
      guint B;

      standin_config (&c, kind, 0.3);
      c.n = 6;
      c.m = 12;
      c.n_layers = 3;
      c.train_size = 40;
      c.test_size = 20;
      c.learning_rate = 1e-2;
      tr = as_unrolled_trainer_new (&c, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (as_unrolled_trainer_train (tr, 5, NULL, &error));
      s = as_unrolled_trainer_snapshot (tr);
      as_unrolled_info_from_snapshot (&info, s, &c);
      net = as_unrolled_trainer_get_network (tr);
      g_assert_true (as_unrolled_save (net, &info, dir, FALSE, &error));
      g_assert_no_error (error);
      /* No silent overwrite. */
      g_assert_false (as_unrolled_save (net, &info, dir, FALSE, &error));
      g_assert_nonnull (error);
      g_clear_error (&error);
      g_assert_true (as_unrolled_save (net, &info, dir, TRUE, &error));

      loaded = as_unrolled_load (dir, &back, &error);
      g_assert_no_error (error);
      g_assert_cmpint (as_unrolled_get_kind (loaded), ==, kind);
      g_assert_cmpuint (as_unrolled_get_n_layers (loaded), ==, 3);
      g_assert_cmpfloat (back.lambda, ==, info.lambda);
      g_assert_cmpuint (back.epochs, ==, 5);
      g_assert_cmpuint (back.n_train_loss, ==, 5);
      for (guint e = 0; e < 5; e++)
        g_assert_cmpfloat (back.train_loss[e], ==, info.train_loss[e]);
      g_assert_cmpuint (back.n_gap, ==, 4);
      /* Same outputs, bit for bit. */
      B = c.test_size;
      Z1 = g_new (double, B * c.m);
      Z2 = g_new (double, B * c.m);
      as_unrolled_apply (net, B, as_unrolled_trainer_get_test_signals (tr), back.lambda, Z1);
      as_unrolled_apply (loaded, B, as_unrolled_trainer_get_test_signals (tr), back.lambda, Z2);
      g_assert_cmpmem (Z1, sizeof (double) * B * c.m, Z2, sizeof (double) * B * c.m);
      as_unrolled_info_clear (&info);
      as_unrolled_info_clear (&back);
    }
  /* A broken header is refused with a message naming the file. */
  {
    g_autofree char *bad = g_build_filename (tmp, "bad", NULL);
    g_autofree char *hdr = g_build_filename (bad, "network.json", NULL);
    g_autoptr (GError) error = NULL;

    g_mkdir_with_parents (bad, 0755);
    g_file_set_contents (hdr, "{\"format\": \"something-else\"}", -1, NULL);
    g_assert_null (as_unrolled_load (bad, NULL, &error));
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "network.json"));
  }
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmp);
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

/* Weight coupling (Ablin et al. 2019, Lemma 4.3): zero exactly when W_t/θ_t = D, i.e.
 * when the layer is an ISTA step with some step size; effective steps. */
static void
test_analyses (void)
{
  const guint n = 6, m = 10, T = 3;
  AsRng rng;
  double D[6 * 10], c[3], steps[3], tying[3];
  g_autoptr (AsUnrolled) cp = NULL;
  g_autoptr (AsUnrolled) li = NULL;
  g_autoptr (AsUnrolled) sl = NULL;
  double invL, *p;

  as_rng_init (&rng, 21);
  random_dictionary (&rng, n, m, D);
  cp = as_unrolled_new (AS_UNROLLED_LISTA_CP, T, n, m, D, FALSE, NULL);
  li = as_unrolled_new (AS_UNROLLED_LISTA, T, n, m, D, FALSE, NULL);
  sl = as_unrolled_new (AS_UNROLLED_SLISTA, T, n, m, D, FALSE, NULL);
  invL = 1.0 / as_unrolled_get_lipschitz (cp);

  g_assert_true (as_unrolled_weight_coupling (cp, c));
  as_unrolled_effective_steps (cp, steps);
  for (guint t = 0; t < T; t++)
    {
      g_assert_cmpfloat (c[t], <=, 1e-14);
      g_assert_cmpfloat (fabs (steps[t] - invL), <=, 1e-14);
    }
  g_assert_true (as_unrolled_weight_coupling (li, c));
  g_assert_true (as_unrolled_lista_tying (li, tying));
  for (guint t = 0; t < T; t++)
    g_assert_cmpfloat (c[t], <=, 1e-14);
  for (guint t = 1; t < T; t++)
    g_assert_cmpfloat (tying[t], <=, 1e-14);
  g_assert_false (as_unrolled_weight_coupling (sl, c));
  g_assert_true (isnan (c[0]));

  /* Layer 2 of LISTA-CP becomes an ISTA step with step 3/L: still coupled. */
  p = as_unrolled_get_params (cp) + as_unrolled_layer_offset (cp, 2);
  for (guint i = 0; i < n * m; i++)
    p[i] = 3 * invL * D[i];
  for (guint j = 0; j < m; j++)
    p[n * m + j] = 3 * invL;
  as_unrolled_weight_coupling (cp, c);
  as_unrolled_effective_steps (cp, steps);
  g_assert_cmpfloat (c[1], <=, 1e-14);
  g_assert_cmpfloat (fabs (steps[1] - 3 * invL), <=, 1e-14);
  /* A threshold that no longer matches the step breaks the coupling: with
   * θ = 2·(3/L) on every atom, W/θ = D/2 and c = ‖D/2 − D‖/‖D‖ = 1/2. */
  for (guint j = 0; j < m; j++)
    p[n * m + j] = 6 * invL;
  as_unrolled_weight_coupling (cp, c);
  g_assert_cmpfloat (fabs (c[1] - 0.5), <=, 1e-12);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);

  g_test_add_func ("/unrolled/gradients", test_gradients);
  g_test_add_func ("/unrolled/gradients-float32", test_gradients_float32);
  g_test_add_func ("/unrolled/two-threads", test_two_threads);
  g_test_add_func ("/unrolled/two-threads-adam", test_two_threads_adam);
  g_test_add_func ("/unrolled/gradient-every-layer", test_gradient_every_layer);
  g_test_add_func ("/unrolled/gradient-layerwise", test_gradient_layerwise);
  g_test_add_func ("/unrolled/untrained-is-ista", test_untrained_is_ista);
  g_test_add_func ("/unrolled/alista-weights", test_alista_weights);
  g_test_add_func ("/unrolled/lasso-helpers", test_lasso_helpers);
  g_test_add_func ("/unrolled/analyses", test_analyses);
  g_test_add_func ("/unrolled/train-slista-sparse", test_train_slista_sparse);
  g_test_add_func ("/unrolled/train-steps-dense", test_train_steps_dense);
  g_test_add_func ("/unrolled/train-other-losses", test_train_other_losses);
  g_test_add_func ("/unrolled/job-pause-stop-resume", test_job_pause_stop_resume);
  g_test_add_func ("/unrolled/save-load", test_save_load);
  return g_test_run ();
}
