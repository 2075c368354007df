/* as-bench-unrolled.c: `atomscope-cli bench unrolled`: training throughput
 * of LISTA and SLISTA, and Ablin et al. 2019's checks on the full setting
 * (m = 256, n = 64, D uniform on the sphere, x on the equiregularization set).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <cblas.h>
#include <glib/gi18n-lib.h>

#include <glib/gstdio.h>

#include "as-bench-lasso.h"
#include "as-bench-peer.h"
#include "as-npy.h"
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
  p->seconds = 2.0;
  p->peer_dir = NULL;
  p->train_size = 1000;
  p->test_size = 1000;
  p->epochs = 150;
  p->cp_train_size = 2000;
  p->cp_batch = 100;
  p->cp_epochs = 40;
  p->skip_checks = FALSE;
  p->seed = 0;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Median time of one call of @fn over 4 blocks, each lasting about @seconds / 4
 * (the same protocol as the peer script). */
typedef void (*TimedFn) (gpointer data);

static double
timed (TimedFn fn, gpointer data, double seconds)
{
  double samples[4];
  guint reps = 0;
  gint64 t0;

  fn (data);
  t0 = g_get_monotonic_time ();
  do
    {
      fn (data);
      reps++;
    }
  while ((g_get_monotonic_time () - t0) * 1e-6 < seconds / 4);
  for (guint k = 0; k < 4; k++)
    {
      t0 = g_get_monotonic_time ();
      for (guint r = 0; r < reps; r++)
        fn (data);
      samples[k] = (g_get_monotonic_time () - t0) * 1e-6 / reps;
    }
  qsort (samples, 4, sizeof (double), cmp_double);
  return 0.5 * (samples[1] + samples[2]);
}

typedef struct
{
  AsUnrolledTrainer *tr;
  guint              B;
  const double      *X;
} StepData;

static void
run_forward (gpointer data)
{
  StepData *d = data;

  as_unrolled_trainer_forward (d->tr, d->B, d->X);
}

static void
run_step (gpointer data)
{
  StepData *d = data;

  as_unrolled_trainer_step (d->tr, d->B, d->X, NULL);
}

static const AsUnrolledKind bench_kinds[] = {
  AS_UNROLLED_LISTA, AS_UNROLLED_LISTA_CP, AS_UNROLLED_ALISTA, AS_UNROLLED_SLISTA,
};

/* One trainer per kind on the same dictionary and minibatch (same seed). */
static AsUnrolledTrainer *
throughput_trainer (const AsBenchUnrolledParams *p, AsUnrolledKind kind,
                    AsUnrolledPrecision precision, guint n_threads, GError **error)
{
  AsUnrolledTrainConfig c;

  as_unrolled_train_config_init (&c);
  c.kind = kind;
  c.n = p->n;
  c.m = p->m;
  c.n_layers = p->n_layers;
  c.lambda_fraction = 0.1;
  c.train_size = p->batch_size;
  c.test_size = 16;
  c.batch_size = p->batch_size;
  /* A tiny rate: the steps timed keep the network (and its sparsity) where it
   * started, on both sides. */
  c.learning_rate = 1e-6;
  c.schedule = AS_UNROLLED_SCHEDULE_CONSTANT;
  c.eval_every = 1000000;
  c.seed = p->seed;
  c.precision = precision;
  c.n_threads = n_threads;
  return as_unrolled_trainer_new (&c, NULL, error);
}

/* Writes D and the minibatch where the peer script reads them. */
static gboolean
write_problem (AsUnrolledTrainer *tr, const AsBenchUnrolledParams *p, const char *dir, GError **error)
{
  AsUnrolled *net = as_unrolled_trainer_get_network (tr);
  g_autofree char *dpath = g_build_filename (dir, "D.npy", NULL);
  g_autofree char *xpath = g_build_filename (dir, "X.npy", NULL);
  gsize dshape[2] = { p->n, p->m }, xshape[2] = { p->batch_size, p->n };

  return as_npy_write (dpath, as_unrolled_get_dictionary (net), 2, dshape, TRUE, error)
         && as_npy_write (xpath, as_unrolled_trainer_get_train_signals (tr), 2, xshape, TRUE, error);
}

/* Parses "<kind> <forward s> <step s>" lines of the peer script. */
static void
parse_peer (const char *text, double *forward, double *step)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint k = 0; k < G_N_ELEMENTS (bench_kinds); k++)
    forward[k] = step[k] = NAN;
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) w = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      AsUnrolledKind kind;

      if (g_strv_length (w) != 3 || !as_unrolled_kind_from_string (w[0], &kind))
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (bench_kinds); k++)
        if (bench_kinds[k] == kind)
          {
            forward[k] = g_ascii_strtod (w[1], NULL);
            step[k] = g_ascii_strtod (w[2], NULL);
          }
    }
}

/* Flops of the dense matrix products of one forward pass and of one training
 * step (forward, unsupervised loss and its gradient, back-propagation) as
 * as-unrolled-kernels-body.h and adopty do them, with u = 2·B·n·m the cost of
 * one B × n by n × m product and v = 2·B·m² that of LISTA's B × m by m × m.
 * Both sides do these products; the rest (thresholds, masks, Adam) is O(B·m)
 * per layer.  At the machine's GEMM rate they set a floor on the time of any
 * implementation that does not skip work. */
static void
dense_flops (AsUnrolledKind kind, guint T, guint B, guint n, guint m, double *forward, double *step)
{
  double u = 2.0 * B * n * m, v = 2.0 * B * m * (double) m, f, b;

  switch (kind)
    {
    case AS_UNROLLED_LISTA:
      f = T * u + (T - 1) * v;                    /* X W_eᵀ every layer, Z S_tᵀ from layer 2 */
      b = T * u + (T - 1) * 2 * v;                /* ∂W_e; ∂S_t and Δ S_t from layer 2 */
      break;
    case AS_UNROLLED_LISTA_CP:
      f = (2.0 * T - 1) * u;                      /* residual from layer 2, R W every layer */
      b = T * u + (T - 1) * 2 * u;                /* ∂W_t; W_t δ and Dᵀ(·) from layer 2 */
      break;
    case AS_UNROLLED_ALISTA:
    case AS_UNROLLED_SLISTA:
    default:
      f = (2.0 * T - 1) * u;
      b = T * u + (T - 1) * u;                    /* Δ Wᵀ every layer, Dᵀ(·) from layer 2 */
      break;
    }
  *forward = f;
  *step = f + 2 * u + b;                          /* + the loss: residual and Dᵀ r */
}

/* The same products restricted to the non-zero codes: a product with z^t, or
 * with δ_t = g^t ⊙ 1{z^t ≠ 0}, as an operand costs its dense flops times the
 * fraction ρ_t of z^t that is non-zero (∂S_t = Δ_tᵀ Z^{t−1} times ρ_t ρ_{t−1});
 * the products whose operands are all dense (x, r, Dᵀ(·)) keep their cost.
 * ρ_t are measured on the benchmark's minibatch.  The time these take at the
 * GEMM rate is a floor for an implementation that skips every zero, as fast
 * per flop as a dense product (which sparse gathers are not). */
static void
active_flops (AsUnrolledKind kind, guint T, guint B, guint n, guint m, const double *rho,
              double *forward, double *step)
{
  double u = 2.0 * B * n * m, v = 2.0 * B * m * (double) m, f = 0.0, b = 0.0;

  for (guint t = 1; t <= T; t++)
    switch (kind)
      {
      case AS_UNROLLED_LISTA:
        f += u + (t >= 2 ? v * rho[t - 1] : 0.0);
        b += u * rho[t] + (t >= 2 ? v * rho[t] * rho[t - 1] + v * rho[t] : 0.0);
        break;
      case AS_UNROLLED_LISTA_CP:
        f += (t >= 2 ? u * rho[t - 1] : 0.0) + u;
        b += u * rho[t] + (t >= 2 ? u * rho[t] + u : 0.0);
        break;
      case AS_UNROLLED_ALISTA:
      case AS_UNROLLED_SLISTA:
      default:
        f += (t >= 2 ? u * rho[t - 1] : 0.0) + u;
        b += u * rho[t] + (t >= 2 ? u : 0.0);
        break;
      }
  *forward = f;
  *step = f + u * rho[T] + u + b;
}

/* ρ_t = fraction of non-zero codes of layer t on the minibatch, t = 0 … T. */
static void
code_density (AsUnrolledTrainer *tr, guint B, const double *X, double *rho)
{
  AsUnrolled *net = as_unrolled_trainer_get_network (tr);
  guint T = as_unrolled_get_n_layers (net), m = as_unrolled_get_m (net);
  g_autoptr (AsUnrolledTape) tape = as_unrolled_tape_new (net, B);

  as_unrolled_forward (net, T, B, X, as_unrolled_trainer_get_lambda (tr), tape);
  for (guint t = 0; t <= T; t++)
    {
      const double *Z = as_unrolled_tape_get_codes (tape, t);
      gsize nnz = 0;

      for (gsize i = 0; i < (gsize) B * m; i++)
        nnz += Z[i] != 0.0;
      rho[t] = (double) nnz / ((double) B * m);
    }
}

/* Best-of-3 GFLOP/s of a square GEMM of @size in the given precision on the
 * BLAS threads currently set. */
static double
gemm_rate (guint size, AsUnrolledPrecision precision)
{
  gsize nn = (gsize) size * size;
  double best = G_MAXDOUBLE;

  if (precision == AS_UNROLLED_FLOAT64)
    return as_bench_dgemm_rate (size);
  {
    g_autofree float *A = g_new (float, nn), *Bm = g_new (float, nn), *C = g_new0 (float, nn);

    for (gsize i = 0; i < nn; i++)
      {
        A[i] = (float) sin (0.37 * i);
        Bm[i] = (float) cos (0.11 * i);
      }
    for (int rep = 0; rep < 4; rep++)
      {
        gint64 t0 = g_get_monotonic_time ();

        cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, size, size, size, 1.0f, A, size,
                     Bm, size, 0.0f, C, size);
        if (rep > 0)
          best = MIN (best, (g_get_monotonic_time () - t0) * 1e-6);
      }
  }
  return 2.0 * size * (double) size * size / best * 1e-9;
}

/* One table: ours and PyTorch's in the same precision and number of threads. */
static gboolean
throughput_table (const AsBenchUnrolledParams *p, AsUnrolledPrecision precision, guint n_threads,
                  double goal, FILE *out, gboolean *goals_met, GError **error)
{
  const char *dtype = precision == AS_UNROLLED_FLOAT32 ? "float32" : "float64";
  g_autofree char *threads = g_strdup_printf ("%u", n_threads);
  const guint nk = G_N_ELEMENTS (bench_kinds);
  double ours_f[G_N_ELEMENTS (bench_kinds)], ours_s[G_N_ELEMENTS (bench_kinds)];
  double peer_f[G_N_ELEMENTS (bench_kinds)], peer_s[G_N_ELEMENTS (bench_kinds)];
  g_autofree double *rho = g_new (double, G_N_ELEMENTS (bench_kinds) * (p->n_layers + 1));
  g_autofree char *dir = NULL;
  int saved_threads = as_engine_get_blas_threads ();
  gboolean ok = TRUE;

  double rate;

  /* The GEMM rate on as many threads as the table uses. */
  as_engine_set_blas_threads (n_threads);
  rate = gemm_rate (1000, precision);
  /* One thread on both sides. */
  as_engine_set_blas_threads (1);
  for (guint k = 0; k < nk && ok; k++)
    {
      g_autoptr (AsUnrolledTrainer) tr = throughput_trainer (p, bench_kinds[k], precision,
                                                             n_threads, error);
      StepData d;

      if (tr == NULL)
        {
          ok = FALSE;
          break;
        }
      d.tr = tr;
      d.B = p->batch_size;
      d.X = as_unrolled_trainer_get_train_signals (tr);
      if (k == 0 && p->peer_dir != NULL)
        {
          dir = g_dir_make_tmp ("atomscope-bench-XXXXXX", error);
          if (dir == NULL || !write_problem (tr, p, dir, error))
            {
              ok = FALSE;
              break;
            }
        }
      code_density (tr, d.B, d.X, rho + (gsize) k * (p->n_layers + 1));
      ours_f[k] = timed (run_forward, &d, p->seconds);
      ours_s[k] = timed (run_step, &d, p->seconds);
    }
  as_engine_set_blas_threads (saved_threads);
  if (!ok)
    return FALSE;

  if (p->peer_dir != NULL)
    {
      g_autofree char *layers = g_strdup_printf ("%u", p->n_layers);
      g_autofree char *secs = g_strdup_printf ("%g", p->seconds);
      const char *args[16] = { dir, layers, "0.1", dtype, threads, secs };
      g_autofree char *text = NULL;
      guint na = 6;

      for (guint k = 0; k < nk; k++)
        args[na++] = as_unrolled_kind_to_string (bench_kinds[k]);
      args[na] = NULL;
      text = as_bench_peer_run ("unrolled-peer.py", p->peer_dir, n_threads, args, error);
      if (text != NULL && n_threads > 1)
        {
          /* PyTorch on more threads can be much slower than on one on a busy
           * machine (its OpenMP workers spin): compare with the faster of
           * one thread and n_threads, so the ratio is not flattered. */
          g_autofree char *one = NULL;
          double f1[G_N_ELEMENTS (bench_kinds)], s1[G_N_ELEMENTS (bench_kinds)];

          args[4] = "1";
          one = as_bench_peer_run ("unrolled-peer.py", p->peer_dir, 1, args, error);
          if (one == NULL)
            g_clear_pointer (&text, g_free);
          else
            {
              parse_peer (text, peer_f, peer_s);
              parse_peer (one, f1, s1);
              for (guint k = 0; k < nk; k++)
                {
                  peer_f[k] = fmin (peer_f[k], f1[k]);
                  peer_s[k] = fmin (peer_s[k], s1[k]);
                }
            }
        }
      else if (text != NULL)
        parse_peer (text, peer_f, peer_s);
      {
        g_autofree char *dp = g_build_filename (dir, "D.npy", NULL);
        g_autofree char *xp = g_build_filename (dir, "X.npy", NULL);

        g_remove (dp);
        g_remove (xp);
        g_rmdir (dir);
      }
      if (text == NULL)
        return FALSE;
    }
  else
    for (guint k = 0; k < nk; k++)
      peer_f[k] = peer_s[k] = NAN;

  fprintf (out, _("\nTraining throughput, batch %u, %s, %u thread(s) on both sides; times per "
                  "minibatch (median of 4 blocks); ratio = PyTorch time / ours (goal ≥ %g×)\n"),
           p->batch_size, dtype, n_threads, goal);
  if (n_threads > 1 && p->peer_dir != NULL)
    fprintf (out, "%s\n", _("(PyTorch: the faster of one thread and this many)"));
  fprintf (out, "%-9s %12s %12s %8s   %14s %14s %8s\n", _("network"), _("forward"), _("PyTorch"),
           _("ratio"), _("fwd+bwd+Adam"), _("PyTorch"), _("ratio"));
  for (guint k = 0; k < nk; k++)
    {
      double rf = peer_f[k] / ours_f[k], rs = peer_s[k] / ours_s[k];

      fprintf (out, "%-9s %10.3f ms %10.3f ms %7.2f×   %12.3f ms %12.3f ms %7.2f×\n",
               as_unrolled_kind_to_string (bench_kinds[k]), ours_f[k] * 1e3, peer_f[k] * 1e3, rf,
               ours_s[k] * 1e3, peer_s[k] * 1e3, rs);
      if (p->peer_dir != NULL && !(rf >= goal && rs >= goal))
        *goals_met = FALSE;
    }
  fprintf (out, _("Dense products alone at this run's %s GEMM rate (%.2f GFLOP/s, %u thread(s)): "
                  "the floor for an implementation that does them all, and PyTorch's time over "
                  "that floor (the largest ratio such an implementation could show)\n"),
           dtype, rate, n_threads);
  fprintf (out, "%-9s %12s %8s %8s   %14s %8s %8s\n", _("network"), _("forward"), _("ours"),
           _("PyTorch"), _("fwd+bwd"), _("ours"), _("PyTorch"));
  for (guint k = 0; k < nk; k++)
    {
      double ff, fs, tf, ts;

      dense_flops (bench_kinds[k], p->n_layers, p->batch_size, p->n, p->m, &ff, &fs);
      tf = ff / (rate * 1e9);
      ts = fs / (rate * 1e9);
      fprintf (out, "%-9s %10.3f ms %7.2f× %7.2f×   %12.3f ms %7.2f× %7.2f×\n",
               as_unrolled_kind_to_string (bench_kinds[k]), tf * 1e3, ours_f[k] / tf,
               peer_f[k] / tf, ts * 1e3, ours_s[k] / ts, peer_s[k] / ts);
    }
  fprintf (out, _("The same products restricted to the non-zero codes (their density measured on "
                  "this minibatch): the floor for an implementation that skips every zero as fast "
                  "per flop as a dense product, and PyTorch's time over it (the largest ratio any "
                  "implementation could show on this problem)\n"));
  fprintf (out, "%-9s %9s %12s %8s %8s   %14s %8s %8s\n", _("network"), _("density"), _("forward"),
           _("ours"), _("PyTorch"), _("fwd+bwd"), _("ours"), _("PyTorch"));
  for (guint k = 0; k < nk; k++)
    {
      const double *r = rho + (gsize) k * (p->n_layers + 1);
      double ff, fs, tf, ts, mean = 0.0;
      g_autofree char *density = NULL;

      for (guint t = 1; t <= p->n_layers; t++)
        mean += r[t] / p->n_layers;
      density = g_strdup_printf ("%.0f%%", 100 * mean);
      active_flops (bench_kinds[k], p->n_layers, p->batch_size, p->n, p->m, r, &ff, &fs);
      tf = ff / (rate * 1e9);
      ts = fs / (rate * 1e9);
      fprintf (out, "%-9s %9s %10.3f ms %7.2f× %7.2f×   %12.3f ms %7.2f× %7.2f×\n",
               as_unrolled_kind_to_string (bench_kinds[k]), density, tf * 1e3, ours_f[k] / tf,
               peer_f[k] / tf, ts * 1e3, ours_s[k] / ts, peer_s[k] / ts);
    }
  return TRUE;
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
as_bench_unrolled_run (const AsBenchUnrolledParams *p, FILE *out, gboolean *goals_met_out,
                       GError **error)
{
  gboolean goals_met = TRUE;

  if (p->peer_dir != NULL && !g_file_test (p->peer_dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   _("The peer folder “%s” does not exist"), p->peer_dir);
      return FALSE;
    }
  double dgemm = as_bench_dgemm_rate (1000);
  guint T = p->n_layers, K;
  double med08, med01;
  g_autoptr (AsUnrolledSnapshot) s08 = NULL;
  g_autoptr (AsUnrolledSnapshot) s01 = NULL;
  g_autoptr (AsUnrolledSnapshot) cp01 = NULL;

  fprintf (out, _("Unrolled solvers: m = %u atoms, n = %u, T = %u layers, %d BLAS thread(s); "
                  "DGEMM 1000³: %.2f GFLOP/s\n"),
           p->m, p->n, T, as_engine_get_blas_threads (), dgemm);
  {
    /* Other work on the machine skews every figure: say how busy it was. */
    g_autofree char *load = NULL;

    if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
      fprintf (out, _("Load average (1, 5, 15 min) at start: %.14s on %u processor(s)\n"),
               g_strstrip (load), g_get_num_processors ());
  }
  if (!throughput_table (p, AS_UNROLLED_FLOAT64, 1, 3.0, out, &goals_met, error)
      || !throughput_table (p, AS_UNROLLED_FLOAT32, 2, 5.0, out, &goals_met, error))
    return FALSE;
  fflush (out);
  if (goals_met_out != NULL)
    *goals_met_out = goals_met;
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
  fprintf (out, _("\nAblin et al. 2019 checks (T = %u; ISTA-20 = ISTA with 20 iterations):\n"), T);
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
