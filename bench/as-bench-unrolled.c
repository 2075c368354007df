/* as-bench-unrolled.c: `atomscope-cli bench unrolled`: training throughput
 * of LISTA and SLISTA, and seed 004's checks on the full setting
 * (m = 256, n = 64, D uniform on the sphere, x on the equiregularization set).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gi18n-lib.h>

#include "as-bench-lasso.h"
#include "as-bench-unrolled.h"
#include "as-engine.h"
#include "as-unrolled-train.h"

void
as_bench_unrolled_params_init (AsBenchUnrolledParams *p)
{
  p->n = 64;
  p->m = 256;
  p->n_layers = 20;
  p->batch_size = 256;
  p->throughput_train = 4096;
  p->throughput_epochs = 3;
  p->train_size = 1000;
  p->test_size = 1000;
  p->epochs = 150;
  p->cp_train_size = 2000;
  p->cp_batch = 100;
  p->cp_epochs = 40;
  p->skip_checks = FALSE;
  p->seed = 0;
}

/* Flops of one forward + backward pass per sample and layer (the GEMMs). */
static double
flops_per_sample_layer (AsUnrolledKind kind, guint n, guint m)
{
  switch (kind)
    {
    case AS_UNROLLED_LISTA:
      /* forward XW_eᵀ, ZSᵀ; backward ΔᵀZ, ΔᵀX, ΔS. */
      return 2.0 * (2.0 * m * n + 3.0 * m * m);
    default:
      /* forward ZDᵀ, RW; backward ΔWᵀ, PD (SLISTA/ALISTA) or RᵀΔ (LISTA-CP, +1). */
      return 2.0 * (kind == AS_UNROLLED_LISTA_CP ? 5.0 : 4.0) * n * m;
    }
}

static gboolean
throughput (const AsBenchUnrolledParams *p, AsUnrolledKind kind, double dgemm_rate,
            FILE *out, GError **error)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (AsUnrolledTape) tape = NULL;
  g_autofree double *grad = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  AsUnrolled *net;
  double t_epoch, t_pass, rate;
  guint reps = 0;

  as_unrolled_train_config_init (&c);
  c.kind = kind;
  c.n = p->n;
  c.m = p->m;
  c.n_layers = p->n_layers;
  c.lambda_fraction = 0.1;
  c.train_size = p->throughput_train;
  c.test_size = 64;
  c.batch_size = p->batch_size;
  c.learning_rate = 1e-4;
  c.schedule = AS_UNROLLED_SCHEDULE_CONSTANT;
  c.eval_every = 1000000;
  c.seed = p->seed;
  tr = as_unrolled_trainer_new (&c, NULL, error);
  if (tr == NULL)
    return FALSE;

  g_timer_start (timer);
  if (!as_unrolled_trainer_train (tr, p->throughput_epochs, NULL, error))
    return FALSE;
  t_epoch = g_timer_elapsed (timer, NULL) / p->throughput_epochs;

  /* The gradient pass alone on one minibatch, for a flop rate. */
  net = as_unrolled_trainer_get_network (tr);
  tape = as_unrolled_tape_new (net, p->batch_size);
  grad = g_new (double, as_unrolled_get_n_params (net));
  g_timer_start (timer);
  do
    {
      as_unrolled_loss_and_gradient (net, AS_UNROLLED_LOSS_UNSUPERVISED, p->batch_size,
                                     as_unrolled_trainer_get_train_signals (tr), NULL, 0.1, tape, grad);
      reps++;
    }
  while (g_timer_elapsed (timer, NULL) < 1.0);
  t_pass = g_timer_elapsed (timer, NULL) / reps;
  rate = flops_per_sample_layer (kind, p->n, p->m) * p->batch_size * p->n_layers / t_pass / 1e9;

  fprintf (out, _("%-8s  epoch of %u samples (batch %u, Adam, + full training loss): %.3f s; "
                  "%.3g sample·layers/s\n"),
           as_unrolled_kind_to_string (kind), p->throughput_train, p->batch_size, t_epoch,
           (double) p->throughput_train * p->n_layers / t_epoch);
  fprintf (out, _("%-8s  forward + backward of one batch: %.2f ms, %.3g sample·layers/s, "
                  "%.2f GFLOP/s = %.0f%% of DGEMM\n"),
           "", t_pass * 1e3, (double) p->batch_size * p->n_layers / t_pass, rate,
           100.0 * rate / dgemm_rate);
  return TRUE;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static AsUnrolledSnapshot *
seed_run (const AsBenchUnrolledParams *p, AsUnrolledKind kind, double fraction,
          AsUnrolledOptimizer optimizer, double lr, guint train_size, guint batch,
          guint epochs, double *median_inv_ls, FILE *out, GError **error)
{
  AsUnrolledTrainConfig c;
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  g_autoptr (GTimer) timer = g_timer_new ();
  AsUnrolledSnapshot *s;

  as_unrolled_train_config_init (&c);
  c.kind = kind;
  c.n = p->n;
  c.m = p->m;
  c.n_layers = p->n_layers;
  c.lambda_fraction = fraction;
  c.loss = AS_UNROLLED_LOSS_UNSUPERVISED;
  c.optimizer = optimizer;
  c.learning_rate = lr;
  c.schedule = AS_UNROLLED_SCHEDULE_BACKTRACK;
  c.batch_size = batch;
  c.train_size = train_size;
  c.test_size = p->test_size;
  c.eval_every = epochs;
  c.n_baseline = MAX (20, p->n_layers);
  c.seed = p->seed;
  tr = as_unrolled_trainer_new (&c, NULL, error);
  if (tr == NULL)
    return NULL;
  if (!as_unrolled_trainer_train (tr, epochs, NULL, error))
    return NULL;
  s = as_unrolled_trainer_snapshot (tr);
  fprintf (out, _("\n== %s, λ = %g λ_max, unsupervised, %u training samples, batch %u, %s lr %g, "
                  "%u epochs: %.1f s (final lr %g, train loss %.6g → %.6g)\n"),
           as_unrolled_kind_to_string (kind), fraction, train_size, batch ? batch : train_size,
           as_unrolled_optimizer_to_string (optimizer), lr, epochs, g_timer_elapsed (timer, NULL),
           s->learning_rate, s->train_loss[0], s->train_loss[s->n_epochs - 1]);
  as_unrolled_snapshot_print_table (s, out);
  if (median_inv_ls != NULL)
    {
      g_autofree double *v = g_new (double, p->test_size);

      as_unrolled_trainer_inverse_support_lipschitz (tr, FALSE, v);
      qsort (v, p->test_size, sizeof (double), cmp_double);
      *median_inv_ls = v[p->test_size / 2];
      fprintf (out, _("1/L_S over the supports of z* on the test set: 10%% %.4g, median %.4g, 90%% %.4g "
                      "(1/L = %.4g)\n"),
               v[p->test_size / 10], v[p->test_size / 2], v[(9 * p->test_size) / 10], s->inv_lipschitz);
    }
  return s;
}

static void
check (FILE *out, gboolean ok, const char *what)
{
  fprintf (out, "  [%s] %s\n", ok ? _("PASS") : _("FAIL"), what);
}

gboolean
as_bench_unrolled_run (const AsBenchUnrolledParams *p, FILE *out, GError **error)
{
  double dgemm = as_bench_dgemm_rate (1000);
  guint T = p->n_layers, K;
  double med08, med01;
  g_autoptr (AsUnrolledSnapshot) s08 = NULL;
  g_autoptr (AsUnrolledSnapshot) s01 = NULL;
  g_autoptr (AsUnrolledSnapshot) cp01 = NULL;

  fprintf (out, _("Unrolled solvers: m = %u atoms, n = %u, T = %u layers, %d BLAS thread(s); "
                  "DGEMM 1000³: %.2f GFLOP/s\n"),
           p->m, p->n, T, as_engine_get_blas_threads (), dgemm);
  if (!throughput (p, AS_UNROLLED_LISTA, dgemm, out, error)
      || !throughput (p, AS_UNROLLED_SLISTA, dgemm, out, error))
    return FALSE;
  fflush (out);
  if (p->skip_checks)
    return TRUE;

  s08 = seed_run (p, AS_UNROLLED_SLISTA, 0.8, AS_UNROLLED_OPTIMIZER_ADAM, 0.05, p->train_size, 0,
                 p->epochs, &med08, out, error);
  if (s08 == NULL)
    return FALSE;
  fflush (out);
  s01 = seed_run (p, AS_UNROLLED_SLISTA, 0.1, AS_UNROLLED_OPTIMIZER_SGD, 1.0, p->train_size, 0,
                 p->epochs, &med01, out, error);
  if (s01 == NULL)
    return FALSE;
  fflush (out);
  cp01 = seed_run (p, AS_UNROLLED_LISTA_CP, 0.1, AS_UNROLLED_OPTIMIZER_ADAM, 1e-3, p->cp_train_size,
                  p->cp_batch, p->cp_epochs, NULL, out, error);
  if (cp01 == NULL)
    return FALSE;

  K = s08->n_baseline;  /* ≥ 20 */
  fprintf (out, _("\nSeed 004 checks (T = %u; ISTA-20 = ISTA with 20 iterations):\n"), T);
  {
    g_autofree char *a = g_strdup_printf (_("λ = 0.8: SLISTA mean gap %.3g < 1e-6"), s08->gap_mean[T]);
    g_autofree char *b = g_strdup_printf (_("λ = 0.8: SLISTA mean gap %.3g < ISTA-20 mean gap / 100 = %.3g"),
                                          s08->gap_mean[T], s08->ista_gap_mean[20] / 100);
    g_autofree char *c = g_strdup_printf (_("λ = 0.1: LISTA-CP mean gap %.3g < ISTA-20 mean gap / 2 = %.3g"),
                                          cp01->gap_mean[T], cp01->ista_gap_mean[20] / 2);
    g_autofree char *d = g_strdup_printf (_("λ = 0.1: SLISTA median gap %.3g < ISTA-20 median gap / 2 = %.3g"),
                                          s01->gap_median[T], s01->ista_gap_median[20] / 2);
    g_autofree char *e = g_strdup_printf (_("λ = 0.1: SLISTA α_1 = %.4g ≈ 1/L = %.4g (within 25%%)"),
                                          s01->steps[0], s01->inv_lipschitz);
    g_autofree char *f = g_strdup_printf (_("λ = 0.1: SLISTA α_T = %.4g in [median 1/L_S, 2·median] = [%.4g, %.4g]"),
                                          s01->steps[T - 1], med01, 2 * med01);
    g_autofree char *g = g_strdup_printf (_("diverging test samples: SLISTA λ = 0.8: %u, SLISTA λ = 0.1: %u, LISTA-CP λ = 0.1: %u"),
                                          s08->n_diverged, s01->n_diverged, cp01->n_diverged);

    check (out, s08->gap_mean[T] < 1e-6, a);
    check (out, s08->gap_mean[T] < s08->ista_gap_mean[20] / 100, b);
    check (out, cp01->gap_mean[T] < cp01->ista_gap_mean[20] / 2, c);
    check (out, s01->gap_median[T] < s01->ista_gap_median[20] / 2, d);
    check (out, fabs (s01->steps[0] / s01->inv_lipschitz - 1) < 0.25, e);
    check (out, s01->steps[T - 1] >= med01 && s01->steps[T - 1] <= 2 * med01, f);
    check (out, s08->n_diverged + s01->n_diverged + cp01->n_diverged == 0, g);
  }
  (void) K;
  (void) med08;
  return TRUE;
}
