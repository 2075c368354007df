/* as-unrolled-train.c: training unrolled solvers on the equiregularization set
 * (Ablin et al. 2019: samples x with ‖Dᵀx‖_∞ = 1, loss averaged over batches).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-lasso.h"
#include "as-rng.h"
#include "as-solver.h"
#include "as-unrolled-kernels.h"
#include "as-unrolled-train.h"

/* Largest number of samples pushed through the network at once: bounds the
 * memory of the tape ((T + 1) · chunk · m doubles) for big batches. */
#define CHUNK 512

#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPS   1e-8

struct _AsUnrolledTrainer
{
  gatomicrefcount       ref_count;
  AsUnrolledTrainConfig cfg;
  double                lambda;
  double               *D;
  AsUnrolled           *net;
  AsRng                 rng;
  AsUnrolledTape       *tape;   /* CHUNK samples */

  double *Xtr, *Ztr;            /* train signals, targets (NULL for the unsupervised loss) */
  double *Xte, *Zte, *Fte, *F0; /* test signals, Lasso solutions, F(z*), F(0) */
  AsLasso *lasso_te;            /* the test set's Lasso: objectives, L_S, baselines */
  double *Xb, *Zb;              /* gathered minibatch */
  guint  *order;

  double *grad, *m1, *m2;
  /* Training work, per thread: a tape in the configured precision, ∂ℓ/∂z^T
   * (CHUNK × m) and the gradient of a share; no allocation per step. */
  AsUnrolledTape *work[2];
  double *Gwork[2], *grad_work[2];
  /* Every-layer loss: weight of each layer (index t = 1 … T). */
  double *layer_w;
  guint   layer_w_depth;
  double *saved_params, *saved_m1, *saved_m2;
  guint64 adam_t, saved_adam_t;
  double  lr;
  double  prev_loss;
  guint   prev_depth;
  guint   epoch;
  GArray *train_loss;           /* double */
  GArray *eval_epoch;           /* guint */
  GArray *eval_gap;             /* double */

  /* Latest evaluation. */
  double *gap_mean, *gap_median, *support;
  guint   n_diverged;
  /* Baselines. */
  double *ista_mean, *ista_median, *fista_mean, *fista_median;
};

static const char *const optimizer_names[] = { "adam", "sgd" };

const char *
as_unrolled_optimizer_to_string (AsUnrolledOptimizer optimizer)
{
  g_return_val_if_fail (optimizer <= AS_UNROLLED_OPTIMIZER_SGD, NULL);
  return optimizer_names[optimizer];
}

gboolean
as_unrolled_optimizer_from_string (const char *name, AsUnrolledOptimizer *optimizer)
{
  for (guint i = 0; i < G_N_ELEMENTS (optimizer_names); i++)
    if (name != NULL && g_ascii_strcasecmp (name, optimizer_names[i]) == 0)
      {
        *optimizer = (AsUnrolledOptimizer) i;
        return TRUE;
      }
  return FALSE;
}

void
as_unrolled_train_config_init (AsUnrolledTrainConfig *config)
{
  memset (config, 0, sizeof *config);
  config->kind = AS_UNROLLED_SLISTA;
  config->n_layers = 10;
  config->n = 16;
  config->m = 64;
  config->lambda_fraction = 0.1;
  config->loss = AS_UNROLLED_LOSS_UNSUPERVISED;
  config->optimizer = AS_UNROLLED_OPTIMIZER_ADAM;
  config->learning_rate = 0.01;
  config->schedule = AS_UNROLLED_SCHEDULE_BACKTRACK;
  config->step_epochs = 50;
  config->step_factor = 0.5;
  config->batch_size = 0;
  config->train_size = 1000;
  config->test_size = 500;
  config->eval_every = 1;
  config->n_baseline = 20;
  config->precision = AS_UNROLLED_FLOAT64;
  config->n_threads = 1;
}

/* ------------------------------------------------------------------ data */

/* Draws N signals on the equiregularization set.  With ρ > 0, x = Dz + noise
 * for a Bernoulli(ρ)-Gaussian z, and z is scaled with x (it is the ground
 * truth of the supervised loss); otherwise x ~ N(0, I) as in Ablin et al. 2019. */
static void
draw_signals (AsRng *rng, guint n, guint m, const double *D, guint N,
              double rho, double noise, double *X, double *Ztrue)
{
  g_autofree double *c = g_new (double, m);

  for (guint b = 0; b < N; b++)
    {
      double *x = X + (gsize) b * n;
      double *z = Ztrue ? Ztrue + (gsize) b * m : NULL;
      double mx = 0.0;

      do
        {
          if (rho > 0 && z != NULL)
            {
              for (guint j = 0; j < m; j++)
                z[j] = as_rng_uniform (rng) < rho ? as_rng_normal (rng) : 0.0;
              cblas_dgemv (CblasRowMajor, CblasNoTrans, n, m, 1.0, D, m, z, 1, 0.0, x, 1);
              for (guint i = 0; i < n; i++)
                x[i] += noise * as_rng_normal (rng);
            }
          else
            as_rng_normal_fill (rng, x, n);
          cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, D, m, x, 1, 0.0, c, 1);
          mx = 0.0;
          for (guint j = 0; j < m; j++)
            mx = MAX (mx, fabs (c[j]));
        }
      while (!(mx > 1e-12));
      /* λ_max(x) = ‖Dᵀx‖_∞ = 1 after scaling (Ablin et al. 2019, "equiregularization set"). */
      for (guint i = 0; i < n; i++)
        x[i] /= mx;
      if (z != NULL)
        for (guint j = 0; j < m; j++)
          z[j] /= mx;
    }
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  /* NaN sorts last. */
  if (isnan (x))
    return isnan (y) ? 0 : 1;
  if (isnan (y))
    return -1;
  return (x > y) - (x < y);
}

static void
mean_median (const double *v, guint count, double *mean, double *median)
{
  g_autofree double *s = g_memdup2 (v, sizeof (double) * count);
  double sum = 0.0;

  for (guint i = 0; i < count; i++)
    sum += v[i];
  qsort (s, count, sizeof (double), compare_double);
  *mean = count ? sum / count : NAN;
  *median = count == 0 ? NAN : (count % 2 ? s[count / 2] : 0.5 * (s[count / 2 - 1] + s[count / 2]));
}

/* Gap curves F(z_k) − F(z*), k = 0 … n_baseline, of ISTA or FISTA (no
 * restart) from z⁰ = 0 on the test set: the sparse-coding area's solvers. */
static void
baseline_curves (AsUnrolledTrainer *tr, AsSolverKind kind, double *mean, double *median)
{
  guint N = tr->cfg.test_size, K = tr->cfg.n_baseline;
  g_autoptr (AsSolver) solver = as_solver_new (tr->lasso_te, kind, FALSE);
  g_autofree double *F = g_new (double, N);

  for (guint k = 0; k <= K; k++)
    {
      if (k > 0)
        as_solver_step (solver);
      as_solver_evaluate (solver, F, NULL, NULL);
      for (guint b = 0; b < N; b++)
        F[b] -= tr->Fte[b];
      mean_median (F, N, mean + k, median + k);
    }
}

/* Two configurations draw the same test set (given the same dictionary). */
static gboolean
same_test_set (const AsUnrolledTrainConfig *a, const AsUnrolledTrainConfig *b)
{
  return a->n == b->n && a->m == b->m && a->lambda_fraction == b->lambda_fraction
         && a->test_size == b->test_size && a->rho == b->rho && a->noise == b->noise
         && a->seed == b->seed && a->positive == b->positive;
}

AsUnrolledTrainer *
as_unrolled_trainer_new (const AsUnrolledTrainConfig *config, const double *D, GError **error)
{
  return as_unrolled_trainer_new_sharing (config, D, NULL, error);
}

AsUnrolledTrainer *
as_unrolled_trainer_new_sharing (const AsUnrolledTrainConfig *config, const double *D,
                                 AsUnrolledTrainer *test_donor, GError **error)
{
  g_autoptr (AsUnrolledTrainer) tr = NULL;
  AsUnrolledTrainConfig *cfg;
  guint n, m, T;

  g_return_val_if_fail (config != NULL, NULL);
  if (config->n_layers == 0 || config->n == 0 || config->m == 0
      || config->train_size == 0 || config->test_size == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Training needs at least one layer, one dimension, one atom, one training "
                     "and one test sample"));
      return NULL;
    }
  if (!(config->lambda_fraction > 0.0 && config->lambda_fraction < 1.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("λ must be a fraction of λ_max strictly between 0 and 1 (got %g)"),
                   config->lambda_fraction);
      return NULL;
    }
  if (!(config->learning_rate > 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The learning rate must be positive (got %g)"), config->learning_rate);
      return NULL;
    }

  tr = g_new0 (AsUnrolledTrainer, 1);
  g_atomic_ref_count_init (&tr->ref_count);
  tr->cfg = *config;
  cfg = &tr->cfg;
  if (cfg->eval_every == 0)
    cfg->eval_every = 1;
  cfg->n_baseline = MAX (cfg->n_baseline, cfg->n_layers);
  if (cfg->loss == AS_UNROLLED_LOSS_SUPERVISED && cfg->rho <= 0.0)
    cfg->rho = 0.1;
  n = cfg->n;
  m = cfg->m;
  T = cfg->n_layers;
  tr->lambda = cfg->lambda_fraction;  /* λ_max = 1 for every sample */
  tr->lr = cfg->learning_rate;
  tr->prev_loss = INFINITY;
  as_rng_init (&tr->rng, cfg->seed);

  tr->D = g_new (double, (gsize) n * m);
  if (D != NULL)
    memcpy (tr->D, D, sizeof (double) * n * m);
  else
    /* Atoms uniform on the sphere (Ablin et al. 2019: D_k ~ U(S^{n−1})). */
    as_rng_normal_fill (&tr->rng, tr->D, (gsize) n * m);
  /* Unit-norm atoms (docs/maths.md's notation); zero columns are refused below. */
  {
      for (guint j = 0; j < m; j++)
        {
          double s = 0.0;
          for (guint i = 0; i < n; i++)
            s += tr->D[(gsize) i * m + j] * tr->D[(gsize) i * m + j];
          s = sqrt (s);
          if (s > 0)
            for (guint i = 0; i < n; i++)
              tr->D[(gsize) i * m + j] /= s;
        }
  }
  tr->net = as_unrolled_new (cfg->kind, T, n, m, tr->D, cfg->positive, error);
  if (tr->net == NULL)
    return NULL;

  tr->Xtr = g_new (double, (gsize) cfg->train_size * n);
  if (cfg->loss != AS_UNROLLED_LOSS_UNSUPERVISED)
    tr->Ztr = g_new0 (double, (gsize) cfg->train_size * m);
  draw_signals (&tr->rng, n, m, tr->D, cfg->train_size, cfg->rho, cfg->noise, tr->Xtr,
                cfg->loss == AS_UNROLLED_LOSS_SUPERVISED ? tr->Ztr : NULL);
  if (cfg->loss == AS_UNROLLED_LOSS_SEMI_SUPERVISED)
    {
      /* Targets z*(x): the sparse-coding area's reference solver. */
      g_autoptr (AsLasso) lasso = as_lasso_new (n, m, tr->D, cfg->train_size, tr->Xtr,
                                                tr->lambda, cfg->positive);

      if (!as_lasso_solve_reference (lasso, tr->Ztr, 1e-12, 100000, error))
        return NULL;
    }

  tr->Xte = g_new (double, (gsize) cfg->test_size * n);
  tr->Zte = g_new0 (double, (gsize) cfg->test_size * m);
  tr->Fte = g_new (double, cfg->test_size);
  tr->F0 = g_new (double, cfg->test_size);
  if (test_donor != NULL && same_test_set (&test_donor->cfg, cfg)
      && memcmp (test_donor->D, tr->D, sizeof (double) * n * m) == 0)
    {
      /* The same test set as another network's: its solutions too. */
      memcpy (tr->Xte, test_donor->Xte, sizeof (double) * cfg->test_size * n);
      memcpy (tr->Zte, test_donor->Zte, sizeof (double) * cfg->test_size * m);
      tr->lasso_te = as_lasso_new (n, m, tr->D, cfg->test_size, tr->Xte, tr->lambda, cfg->positive);
    }
  else
    {
      g_autofree double *Ztrue = g_new (double, (gsize) cfg->test_size * m);
      AsRng test_rng;

      /* Its own stream: the test set does not depend on the training set's size. */
      as_rng_init (&test_rng, cfg->seed ^ G_GUINT64_CONSTANT (0x7465737473657421));
      draw_signals (&test_rng, n, m, tr->D, cfg->test_size, cfg->rho, cfg->noise, tr->Xte, Ztrue);
      /* Reference solutions: the gaps reported go down to ~1e-10, so solve to a
       * relative duality gap of 1e-12 (F(z*) is O(0.1) on this set). */
      tr->lasso_te = as_lasso_new (n, m, tr->D, cfg->test_size, tr->Xte, tr->lambda, cfg->positive);
      if (!as_lasso_solve_reference (tr->lasso_te, tr->Zte, 1e-12, 200000, error))
        return NULL;
    }
  {
    g_autofree double *zero = g_new0 (double, m);

    for (guint b = 0; b < cfg->test_size; b++)
      {
        tr->Fte[b] = as_lasso_objective (tr->lasso_te, b, tr->Zte + (gsize) b * m);
        tr->F0[b] = as_lasso_objective (tr->lasso_te, b, zero);
      }
  }

  tr->tape = as_unrolled_tape_new (tr->net, CHUNK);
  tr->layer_w = g_new0 (double, T + 1);
  for (guint i = 0; i < MAX (1, MIN (cfg->n_threads, 2)); i++)
    {
      tr->work[i] = as_unrolled_tape_new_full (tr->net, CHUNK, cfg->precision);
      tr->Gwork[i] = g_new (double, (gsize) CHUNK * m);
      tr->grad_work[i] = g_new0 (double, as_unrolled_get_n_params (tr->net));
    }
  tr->Xb = g_new (double, (gsize) MIN (MAX (cfg->batch_size, 1), cfg->train_size) * n);
  tr->Zb = g_new (double, (gsize) MIN (MAX (cfg->batch_size, 1), cfg->train_size) * m);
  tr->order = g_new (guint, cfg->train_size);
  for (guint i = 0; i < cfg->train_size; i++)
    tr->order[i] = i;
  {
    gsize np = as_unrolled_get_n_params (tr->net);

    tr->grad = g_new0 (double, np);
    tr->m1 = g_new0 (double, np);
    tr->m2 = g_new0 (double, np);
    tr->saved_params = g_new0 (double, np);
    tr->saved_m1 = g_new0 (double, np);
    tr->saved_m2 = g_new0 (double, np);
  }
  tr->train_loss = g_array_new (FALSE, FALSE, sizeof (double));
  tr->eval_epoch = g_array_new (FALSE, FALSE, sizeof (guint));
  tr->eval_gap = g_array_new (FALSE, FALSE, sizeof (double));
  tr->gap_mean = g_new (double, T + 1);
  tr->gap_median = g_new (double, T + 1);
  tr->support = g_new (double, T + 1);
  tr->ista_mean = g_new (double, cfg->n_baseline + 1);
  tr->ista_median = g_new (double, cfg->n_baseline + 1);
  tr->fista_mean = g_new (double, cfg->n_baseline + 1);
  tr->fista_median = g_new (double, cfg->n_baseline + 1);
  baseline_curves (tr, AS_SOLVER_ISTA, tr->ista_mean, tr->ista_median);
  baseline_curves (tr, AS_SOLVER_FISTA, tr->fista_mean, tr->fista_median);
  as_unrolled_trainer_evaluate (tr);
  return g_steal_pointer (&tr);
}

AsUnrolledTrainer *
as_unrolled_trainer_ref (AsUnrolledTrainer *trainer)
{
  g_atomic_ref_count_inc (&trainer->ref_count);
  return trainer;
}

void
as_unrolled_trainer_unref (AsUnrolledTrainer *tr)
{
  if (tr == NULL || !g_atomic_ref_count_dec (&tr->ref_count))
    return;
  g_free (tr->D);
  as_unrolled_free (tr->net);
  as_unrolled_tape_free (tr->tape);
  g_free (tr->layer_w);
  for (guint i = 0; i < 2; i++)
    {
      as_unrolled_tape_free (tr->work[i]);
      g_free (tr->Gwork[i]);
      g_free (tr->grad_work[i]);
    }
  g_free (tr->Xtr);
  g_free (tr->Ztr);
  g_free (tr->Xte);
  g_free (tr->Zte);
  g_free (tr->Fte);
  g_free (tr->F0);
  as_lasso_free (tr->lasso_te);
  g_free (tr->Xb);
  g_free (tr->Zb);
  g_free (tr->order);
  g_free (tr->grad);
  g_free (tr->m1);
  g_free (tr->m2);
  g_free (tr->saved_params);
  g_free (tr->saved_m1);
  g_free (tr->saved_m2);
  if (tr->train_loss)
    g_array_unref (tr->train_loss);
  if (tr->eval_epoch)
    g_array_unref (tr->eval_epoch);
  if (tr->eval_gap)
    g_array_unref (tr->eval_gap);
  g_free (tr->gap_mean);
  g_free (tr->gap_median);
  g_free (tr->support);
  g_free (tr->ista_mean);
  g_free (tr->ista_median);
  g_free (tr->fista_mean);
  g_free (tr->fista_median);
  g_free (tr);
}

const AsUnrolledTrainConfig *as_unrolled_trainer_get_config (AsUnrolledTrainer *tr) { return &tr->cfg; }
double as_unrolled_trainer_get_lambda (AsUnrolledTrainer *tr) { return tr->lambda; }
AsUnrolled *as_unrolled_trainer_get_network (AsUnrolledTrainer *tr) { return tr->net; }
guint as_unrolled_trainer_get_epoch (AsUnrolledTrainer *tr) { return tr->epoch; }
double as_unrolled_trainer_get_learning_rate (AsUnrolledTrainer *tr) { return tr->lr; }
const double *as_unrolled_trainer_get_test_signals (AsUnrolledTrainer *tr) { return tr->Xte; }
const double *as_unrolled_trainer_get_test_solutions (AsUnrolledTrainer *tr) { return tr->Zte; }
const double *as_unrolled_trainer_get_train_signals (AsUnrolledTrainer *tr) { return tr->Xtr; }

const double *
as_unrolled_trainer_get_train_loss (AsUnrolledTrainer *tr, guint *n_epochs)
{
  if (n_epochs != NULL)
    *n_epochs = tr->train_loss->len;
  return (const double *) (void *) tr->train_loss->data;
}

/* ------------------------------------------------------------- training */

/* Weights of the every-layer loss for a network of depth d: the mean over
 * layers, w_t = 1/d.  (Weighting each layer by the inverse of ISTA's gap at
 * that depth, the ratio the figure shows, was tried: it slowed the first
 * layers down without helping the deep ones.) */
static void
update_layer_weights (AsUnrolledTrainer *tr, guint depth)
{
  if (tr->layer_w_depth == depth)
    return;
  for (guint t = 1; t <= depth; t++)
    tr->layer_w[t] = 1.0 / depth;
  tr->layer_w_depth = depth;
}

/* One share of a minibatch on one thread: its own tape and buffers. */
typedef struct
{
  AsUnrolledTrainer *tr;
  AsUnrolledTape    *tape;
  guint              depth, first, B;
  const double      *X, *Z;
  double            *G, *grad;   /* grad NULL: loss only */
  double             loss;
} Share;

static gpointer
share_run (gpointer data)
{
  Share *s = data;
  AsUnrolledTrainer *tr = s->tr;

  as_unrolled_forward (tr->net, s->depth, s->B, s->X, tr->lambda, s->tape);
  s->loss = as_unrolled_loss (tr->net, tr->cfg.loss, s->depth, s->B, s->X, s->Z, tr->lambda,
                              s->tape, s->grad ? s->G : NULL);
  if (tr->cfg.every_layer)
    {
      /* ℓ = Σ_t w_t ℓ(z^t) over the layers t = 1 … depth (layer_weights). */
      const double *w = tr->layer_w;

      s->loss *= w[s->depth];
      for (guint t = 1; t < s->depth; t++)
        s->loss += w[t] * as_unrolled_loss (tr->net, tr->cfg.loss, t, s->B, s->X, s->Z, tr->lambda,
                                             s->tape, NULL);
      if (s->grad != NULL)
        {
          for (gsize i = 0; i < (gsize) s->B * tr->cfg.m; i++)
            s->G[i] *= w[s->depth];
          as_unrolled_backward_layers (tr->net, s->depth, s->first, s->B, s->X, s->Z, tr->lambda,
                                       tr->cfg.loss, w, s->tape, s->G, s->grad);
        }
      return NULL;
    }
  if (s->grad != NULL)
    as_unrolled_backward (tr->net, s->depth, s->first, s->B, s->X, tr->lambda, s->tape, s->G,
                          s->grad);
  return NULL;
}

static gpointer
forward_run (gpointer data)
{
  Share *s = data;

  as_unrolled_forward (s->tr->net, s->depth, s->B, s->X, s->tr->lambda, s->tape);
  return NULL;
}

typedef struct
{
  double       *out;
  const double *a, *b;
  double        wa, wb;
  gsize         lo, hi;
} CombineShare;

static gpointer
combine_run (gpointer data)
{
  CombineShare *c = data;

  for (gsize i = c->lo; i < c->hi; i++)
    c->out[i] = c->wa * c->a[i] + c->wb * c->b[i];
  return NULL;
}

/* Mean loss (and, if grad is not NULL, its gradient) over B samples at depth
 * @depth, back-propagated down to layer @first; chunked so the tapes stay
 * small, each chunk split between the worker threads (the loss of a share is
 * its own mean: shares and chunks are weighted by their sizes). */
static double
batch_loss_gradient (AsUnrolledTrainer *tr, guint depth, guint first, guint B,
                     const double *X, const double *Zt, double *grad)
{
  guint n = tr->cfg.n, m = tr->cfg.m;
  gsize np = as_unrolled_get_n_params (tr->net);
  double total = 0.0;
  guint n_threads = MAX (1, MIN (tr->cfg.n_threads, 2));
  int blas_threads = as_engine_get_blas_threads ();
  /* One chunk on one thread: back-propagation writes the gradient in place
   * (no zeroing, no accumulation pass over the parameters). */
  gboolean direct = grad != NULL && B <= CHUNK && (n_threads == 1 || B < 16);
  /* One chunk on two threads: the two shares' gradients are combined in one
   * pass on both threads (no zeroing, no accumulation). */
  gboolean pair = grad != NULL && !direct && B <= CHUNK;

  if (grad != NULL && !direct && !pair)
    memset (grad, 0, sizeof (double) * np);
  if (tr->cfg.every_layer)
    update_layer_weights (tr, depth);
  /* Two shares run BLAS at once: one BLAS thread each. */
  if (n_threads > 1)
    as_engine_set_blas_threads (1);
  for (guint start = 0; start < B; start += CHUNK)
    {
      guint c = MIN (CHUNK, B - start);
      guint k = (n_threads > 1 && c >= 16) ? 2 : 1;
      Share sh[2];
      GThread *thread = NULL;

      for (guint i = 0; i < k; i++)
        {
          guint lo = start + (i == 0 ? 0 : c / 2), hi = start + (k == 1 || i == 1 ? c : c / 2);

          sh[i].tr = tr;
          sh[i].tape = tr->work[i];
          sh[i].depth = depth;
          sh[i].first = first;
          sh[i].B = hi - lo;
          sh[i].X = X + (gsize) lo * n;
          sh[i].Z = Zt ? Zt + (gsize) lo * m : NULL;
          sh[i].G = tr->Gwork[i];
          sh[i].grad = grad ? (direct ? grad : tr->grad_work[i]) : NULL;
        }
      if (k == 2)
        thread = g_thread_new ("unrolled-share", share_run, &sh[1]);
      share_run (&sh[0]);
      if (thread != NULL)
        g_thread_join (thread);
      for (guint i = 0; i < k; i++)
        {
          double w = (double) sh[i].B / B;

          total += w * sh[i].loss;
          if (grad != NULL && !direct && !pair)
            cblas_daxpy (np, w, tr->grad_work[i], 1, grad, 1);
        }
    }
  if (pair)
    {
      /* Both shares of the single chunk (k = 2 since B ≥ 16 here). */
      guint h = B / 2;
      CombineShare cs[2] = {
        { grad, tr->grad_work[0], tr->grad_work[1], (double) h / B, (double) (B - h) / B, 0, np / 2 },
        { grad, tr->grad_work[0], tr->grad_work[1], (double) h / B, (double) (B - h) / B, np / 2, np },
      };
      GThread *thread = g_thread_new ("unrolled-combine", combine_run, &cs[1]);

      combine_run (&cs[0]);
      g_thread_join (thread);
    }
  if (n_threads > 1)
    as_engine_set_blas_threads (blas_threads);
  return total;
}

typedef struct
{
  AsUnrolledTrainer *tr;
  double            *p;
  double             lr, c1, c2;
  gsize              lo, hi;
} AdamShare;

static gpointer
adam_run (gpointer data)
{
  AdamShare *s = data;

  as_unrolled_kernel_adam (s->p, s->tr->grad, s->tr->m1, s->tr->m2, s->lo, s->hi, s->lr,
                           ADAM_BETA1, ADAM_BETA2, ADAM_EPS, s->c1, s->c2);
  return NULL;
}

static void
optimizer_step (AsUnrolledTrainer *tr, double lr, gsize lo, gsize hi)
{
  double *p = as_unrolled_get_params (tr->net);

  if (tr->cfg.optimizer == AS_UNROLLED_OPTIMIZER_SGD)
    {
      for (gsize i = lo; i < hi; i++)
        p[i] -= lr * tr->grad[i];
      return;
    }
  /* Adam (Kingma & Ba 2015) with bias correction. */
  tr->adam_t++;
  {
    AdamShare sh[2];
    gsize mid = hi;
    GThread *thread = NULL;
    double c1 = 1.0 - pow (ADAM_BETA1, (double) tr->adam_t);
    double c2 = 1.0 - pow (ADAM_BETA2, (double) tr->adam_t);

    /* Large networks (LISTA's m² weights per layer): the two halves on the
     * trainer's two threads. */
    if (tr->cfg.n_threads > 1 && hi - lo >= 65536)
      mid = lo + (hi - lo) / 2;
    for (guint k = 0; k < 2; k++)
      {
        sh[k].tr = tr;
        sh[k].p = p;
        sh[k].lr = lr;
        sh[k].lo = k == 0 ? lo : mid;
        sh[k].hi = k == 0 ? mid : hi;
        sh[k].c1 = c1;
        sh[k].c2 = c2;
      }
    if (mid < hi)
      thread = g_thread_new ("unrolled-adam", adam_run, &sh[1]);
    adam_run (&sh[0]);
    if (thread != NULL)
      g_thread_join (thread);
  }
}

double
as_unrolled_trainer_step (AsUnrolledTrainer *tr, guint B, const double *X, const double *Z)
{
  guint T = tr->cfg.n_layers;
  double loss;

  g_return_val_if_fail (B > 0, NAN);
  loss = batch_loss_gradient (tr, T, 1, B, X, Z, tr->grad);
  optimizer_step (tr, tr->lr, 0, as_unrolled_layer_offset (tr->net, T + 1));
  return loss;
}

void
as_unrolled_trainer_forward (AsUnrolledTrainer *tr, guint B, const double *X)
{
  guint n_threads = MAX (1, MIN (tr->cfg.n_threads, 2));
  int blas_threads = as_engine_get_blas_threads ();

  if (n_threads > 1)
    as_engine_set_blas_threads (1);
  for (guint start = 0; start < B; start += CHUNK)
    {
      guint c = MIN (CHUNK, B - start), h = n_threads > 1 && c >= 16 ? c / 2 : c;
      Share sh[2] = {
        { tr, tr->work[0], tr->cfg.n_layers, 1, h, X + (gsize) start * tr->cfg.n, NULL, NULL, NULL, 0 },
        { tr, tr->work[1], tr->cfg.n_layers, 1, c - h, X + (gsize) (start + h) * tr->cfg.n, NULL, NULL, NULL, 0 },
      };
      GThread *thread = h < c ? g_thread_new ("unrolled-share", forward_run, &sh[1]) : NULL;

      forward_run (&sh[0]);
      if (thread != NULL)
        g_thread_join (thread);
    }
  if (n_threads > 1)
    as_engine_set_blas_threads (blas_threads);
}

static void
save_state (AsUnrolledTrainer *tr)
{
  gsize np = as_unrolled_get_n_params (tr->net);

  memcpy (tr->saved_params, as_unrolled_peek_params (tr->net), sizeof (double) * np);
  memcpy (tr->saved_m1, tr->m1, sizeof (double) * np);
  memcpy (tr->saved_m2, tr->m2, sizeof (double) * np);
  tr->saved_adam_t = tr->adam_t;
}

static void
restore_state (AsUnrolledTrainer *tr)
{
  gsize np = as_unrolled_get_n_params (tr->net);

  memcpy (as_unrolled_get_params (tr->net), tr->saved_params, sizeof (double) * np);
  memcpy (tr->m1, tr->saved_m1, sizeof (double) * np);
  memcpy (tr->m2, tr->saved_m2, sizeof (double) * np);
  tr->adam_t = tr->saved_adam_t;
}

/* Depth and first trainable layer of the current epoch. */
static void
epoch_layers (AsUnrolledTrainer *tr, guint *depth, guint *first)
{
  guint T = tr->cfg.n_layers, k = tr->cfg.layerwise_epochs;

  if (k > 0 && tr->epoch / k < T)
    {
      *depth = tr->epoch / k + 1;
      *first = *depth;
    }
  else
    {
      *depth = T;
      *first = 1;
    }
}

/* One epoch.  Returns FALSE if the job asked to stop (state rolled back). */
static gboolean
train_epoch (AsUnrolledTrainer *tr, AsJob *job, GError **error)
{
  guint N = tr->cfg.train_size, n = tr->cfg.n, m = tr->cfg.m;
  guint B = (tr->cfg.batch_size == 0 || tr->cfg.batch_size >= N) ? N : tr->cfg.batch_size;
  guint depth, first;
  gsize lo, hi;
  double lr = tr->lr, loss, batch_sum = 0.0;

  epoch_layers (tr, &depth, &first);
  lo = as_unrolled_layer_offset (tr->net, first);
  hi = as_unrolled_layer_offset (tr->net, depth + 1);
  if (depth != tr->prev_depth || !isfinite (tr->prev_loss))
    {
      /* A new objective (first epoch, or layer-wise training going one layer
       * deeper): the loss to backtrack to is the one before any step. */
      tr->prev_loss = batch_loss_gradient (tr, depth, first, N, tr->Xtr, tr->Ztr, NULL);
    }
  tr->prev_depth = depth;
  if (tr->cfg.schedule == AS_UNROLLED_SCHEDULE_STEP && tr->cfg.step_epochs > 0)
    lr = tr->cfg.learning_rate * pow (tr->cfg.step_factor, (double) (tr->epoch / tr->cfg.step_epochs));
  save_state (tr);

  if (B < N)
    as_rng_shuffle (&tr->rng, tr->order, N);
  for (guint start = 0; start < N; start += B)
    {
      guint c = MIN (B, N - start);
      const double *X = tr->Xtr, *Z = tr->Ztr;

      if (job != NULL && !as_job_check (job))
        {
          restore_state (tr);
          return FALSE;
        }
      if (B < N)
        {
          for (guint k = 0; k < c; k++)
            {
              guint s = tr->order[start + k];
              memcpy (tr->Xb + (gsize) k * n, tr->Xtr + (gsize) s * n, sizeof (double) * n);
              if (tr->Ztr != NULL)
                memcpy (tr->Zb + (gsize) k * m, tr->Ztr + (gsize) s * m, sizeof (double) * m);
            }
          X = tr->Xb;
          Z = tr->Ztr ? tr->Zb : NULL;
        }
      batch_sum += c * batch_loss_gradient (tr, depth, first, c, X, Z, tr->grad);
      optimizer_step (tr, lr, lo, hi);
    }

  /* The backtracking schedule compares the loss after the epoch with the one
   * before it; the other schedules report the mean minibatch loss of the
   * epoch, which costs nothing more. */
  gboolean backtrack = tr->cfg.schedule == AS_UNROLLED_SCHEDULE_BACKTRACK
                       || tr->cfg.schedule == AS_UNROLLED_SCHEDULE_ADAPTIVE;

  if (backtrack || B == N)
    loss = batch_loss_gradient (tr, depth, first, N, tr->Xtr, tr->Ztr, NULL);
  else
    loss = batch_sum / N;
  /* Adaptive: an accepted epoch doubles the rate (adopty's line search for
   * Ablin et al. 2019 multiplies it by 4 and halves it on every rejection). */
  if (tr->cfg.schedule == AS_UNROLLED_SCHEDULE_ADAPTIVE && loss <= tr->prev_loss)
    tr->lr = MIN (2.0 * tr->lr, 1e6 * tr->cfg.learning_rate);
  if (backtrack && !(loss <= tr->prev_loss))
    {
      /* Backtracking: undo the epoch and halve the rate (the seed trains full
       * batch with a step that decreases whenever the loss goes up). */
      if (isfinite (tr->prev_loss))
        {
          restore_state (tr);
          loss = tr->prev_loss;
          tr->lr *= 0.5;
        }
      else if (!isfinite (loss))
        {
          restore_state (tr);
          tr->lr *= 0.5;
        }
    }
  if (!isfinite (loss))
    {
      if (!backtrack)
        {
          restore_state (tr);
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("Training diverged at epoch %u (the loss is not finite); lower the "
                         "learning rate or use the backtracking schedule"), tr->epoch + 1);
          return FALSE;
        }
    }
  else
    tr->prev_loss = loss;
  g_array_append_val (tr->train_loss, loss);
  tr->epoch++;
  return TRUE;
}

gboolean
as_unrolled_trainer_train (AsUnrolledTrainer *tr, guint n_epochs, AsJob *job, GError **error)
{
  for (guint k = 0; k < n_epochs; k++)
    {
      GError *local = NULL;

      if (job != NULL && !as_job_check (job))
        break;
      if (!train_epoch (tr, job, &local))
        {
          if (local != NULL)
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          break;  /* stopped */
        }
      if (tr->epoch % tr->cfg.eval_every == 0 || k + 1 == n_epochs)
        {
          as_unrolled_trainer_evaluate (tr);
          if (job != NULL)
            {
              g_autofree char *msg = g_strdup_printf (_("Epoch %u, loss %.6g"), tr->epoch,
                                                      g_array_index (tr->train_loss, double, tr->train_loss->len - 1));
              as_job_publish (job, as_unrolled_trainer_snapshot (tr));
              as_job_set_progress (job, (double) (k + 1) / n_epochs, msg);
            }
        }
    }
  if (job != NULL)
    {
      if (tr->epoch % tr->cfg.eval_every != 0)
        as_unrolled_trainer_evaluate (tr);
      as_job_publish (job, as_unrolled_trainer_snapshot (tr));
    }
  return TRUE;
}

/* ------------------------------------------------------------ evaluation */

void
as_unrolled_trainer_evaluate (AsUnrolledTrainer *tr)
{
  guint N = tr->cfg.test_size, T = tr->cfg.n_layers, n = tr->cfg.n, m = tr->cfg.m;
  g_autofree double *gaps = g_new (double, (gsize) (T + 1) * N);
  g_autofree double *supp = g_new0 (double, T + 1);
  guint diverged = 0;

  for (guint start = 0; start < N; start += CHUNK)
    {
      guint c = MIN (CHUNK, N - start);
      const double *X = tr->Xte + (gsize) start * n;

      as_unrolled_forward (tr->net, T, c, X, tr->lambda, tr->tape);
      for (guint t = 0; t <= T; t++)
        {
          const double *Z = as_unrolled_tape_get_codes (tr->tape, t);

          for (guint b = 0; b < c; b++)
            {
              const double *z = Z + (gsize) b * m;
              double F = as_lasso_objective (tr->lasso_te, start + b, z);

              gaps[(gsize) t * N + start + b] = F - tr->Fte[start + b];
              supp[t] += as_lasso_support_size (m, z);
              if (t == T && !(F <= tr->F0[start + b]))
                diverged++;
            }
        }
    }
  for (guint t = 0; t <= T; t++)
    {
      mean_median (gaps + (gsize) t * N, N, tr->gap_mean + t, tr->gap_median + t);
      tr->support[t] = supp[t] / N;
    }
  tr->n_diverged = diverged;
  if (tr->eval_epoch->len == 0
      || g_array_index (tr->eval_epoch, guint, tr->eval_epoch->len - 1) != tr->epoch)
    {
      g_array_append_val (tr->eval_epoch, tr->epoch);
      g_array_append_val (tr->eval_gap, tr->gap_mean[T]);
    }
}

void
as_unrolled_trainer_inverse_support_lipschitz (AsUnrolledTrainer *tr, gboolean network_output,
                                               double *out)
{
  guint N = tr->cfg.test_size, n = tr->cfg.n, m = tr->cfg.m, T = tr->cfg.n_layers;

  for (guint start = 0; start < N; start += CHUNK)
    {
      guint c = MIN (CHUNK, N - start);
      const double *Z = tr->Zte + (gsize) start * m;

      if (network_output)
        {
          as_unrolled_forward (tr->net, T, c, tr->Xte + (gsize) start * n, tr->lambda, tr->tape);
          Z = as_unrolled_tape_get_codes (tr->tape, T);
        }
      for (guint b = 0; b < c; b++)
        out[start + b] = 1.0 / as_lasso_support_lipschitz (tr->lasso_te, Z + (gsize) b * m);
    }
}

/* -------------------------------------------------------------- snapshot */

AsUnrolledSnapshot *
as_unrolled_trainer_snapshot (AsUnrolledTrainer *tr)
{
  AsUnrolledSnapshot *s = g_atomic_rc_box_new0 (AsUnrolledSnapshot);
  guint T = tr->cfg.n_layers, K = tr->cfg.n_baseline;

  s->kind = tr->cfg.kind;
  s->n_layers = T;
  s->epoch = tr->epoch;
  s->learning_rate = tr->lr;
  s->lambda = tr->lambda;
  s->inv_lipschitz = 1.0 / as_unrolled_get_lipschitz (tr->net);
  s->n_epochs = tr->train_loss->len;
  s->train_loss = g_memdup2 (tr->train_loss->data, sizeof (double) * MAX (s->n_epochs, 1));
  s->n_evals = tr->eval_epoch->len;
  s->eval_epoch = g_memdup2 (tr->eval_epoch->data, sizeof (guint) * MAX (s->n_evals, 1));
  s->eval_gap_mean = g_memdup2 (tr->eval_gap->data, sizeof (double) * MAX (s->n_evals, 1));
  s->gap_mean = g_memdup2 (tr->gap_mean, sizeof (double) * (T + 1));
  s->gap_median = g_memdup2 (tr->gap_median, sizeof (double) * (T + 1));
  s->support_size = g_memdup2 (tr->support, sizeof (double) * (T + 1));
  s->n_diverged = tr->n_diverged;
  s->steps = g_new (double, T);
  s->thresholds = g_new (double, T);
  s->coupling = g_new (double, T);
  as_unrolled_effective_steps (tr->net, s->steps);
  as_unrolled_thresholds (tr->net, s->thresholds);
  as_unrolled_weight_coupling (tr->net, s->coupling);
  s->n_baseline = K;
  s->ista_gap_mean = g_memdup2 (tr->ista_mean, sizeof (double) * (K + 1));
  s->ista_gap_median = g_memdup2 (tr->ista_median, sizeof (double) * (K + 1));
  s->fista_gap_mean = g_memdup2 (tr->fista_mean, sizeof (double) * (K + 1));
  s->fista_gap_median = g_memdup2 (tr->fista_median, sizeof (double) * (K + 1));
  s->network = as_unrolled_copy (tr->net);
  return s;
}

AsUnrolledSnapshot *
as_unrolled_snapshot_ref (AsUnrolledSnapshot *snapshot)
{
  return g_atomic_rc_box_acquire (snapshot);
}

static void
snapshot_clear (gpointer data)
{
  AsUnrolledSnapshot *s = data;

  g_free (s->train_loss);
  g_free (s->eval_epoch);
  g_free (s->eval_gap_mean);
  g_free (s->gap_mean);
  g_free (s->gap_median);
  g_free (s->support_size);
  g_free (s->steps);
  g_free (s->thresholds);
  g_free (s->coupling);
  g_free (s->ista_gap_mean);
  g_free (s->ista_gap_median);
  g_free (s->fista_gap_mean);
  g_free (s->fista_gap_median);
  as_unrolled_free (s->network);
}

void
as_unrolled_snapshot_unref (AsUnrolledSnapshot *snapshot)
{
  if (snapshot != NULL)
    g_atomic_rc_box_release_full (snapshot, snapshot_clear);
}

/* ------------------------------------------------------------------- job */

typedef struct
{
  AsUnrolledTrainer *trainer;
  guint              n_epochs;
} TrainJob;

static void
train_job_free (gpointer data)
{
  TrainJob *tj = data;

  as_unrolled_trainer_unref (tj->trainer);
  g_free (tj);
}

static gboolean
train_job_run (AsJob *job, gpointer user_data, GError **error)
{
  TrainJob *tj = user_data;

  return as_unrolled_trainer_train (tj->trainer, tj->n_epochs, job, error);
}

AsJob *
as_unrolled_trainer_new_job (AsUnrolledTrainer *trainer, guint n_epochs)
{
  TrainJob *tj = g_new0 (TrainJob, 1);

  tj->trainer = as_unrolled_trainer_ref (trainer);
  tj->n_epochs = n_epochs;
  return as_job_new ("unrolled-train", train_job_run, tj, train_job_free,
                     (AsJobRefFunc) as_unrolled_snapshot_ref,
                     (GDestroyNotify) as_unrolled_snapshot_unref);
}

void
as_unrolled_snapshot_print_table (const AsUnrolledSnapshot *s, FILE *out)
{
  fprintf (out, _("Test gap F(z^t) − F(z*) per layer (λ = %g, 1/L = %.4g, epoch %u, %u diverging test samples)\n"),
           s->lambda, s->inv_lipschitz, s->epoch, s->n_diverged);
  fprintf (out, "%5s  %11s %11s  %11s %11s  %11s %11s  %9s %9s %9s %7s\n",
           _("layer"), _("net mean"), _("net median"), _("ISTA mean"), _("ISTA median"),
           _("FISTA mean"), _("FISTA med."), _("step"), _("thresh/λ"), _("coupling"), _("|supp|"));
  for (guint t = 0; t <= s->n_layers; t++)
    {
      fprintf (out, "%5u  %11.4e %11.4e  %11.4e %11.4e  %11.4e %11.4e", t,
               s->gap_mean[t], s->gap_median[t], s->ista_gap_mean[t], s->ista_gap_median[t],
               s->fista_gap_mean[t], s->fista_gap_median[t]);
      if (t == 0)
        fprintf (out, "  %9s %9s %9s %7.2f\n", "", "", "", s->support_size[t]);
      else
        fprintf (out, "  %9.4g %9.4g %9.3g %7.2f\n", s->steps[t - 1], s->thresholds[t - 1],
                 s->coupling[t - 1], s->support_size[t]);
    }
  if (s->n_baseline > s->n_layers)
    fprintf (out, _("ISTA-%u: mean %.4e, median %.4e; FISTA-%u: mean %.4e, median %.4e\n"),
             s->n_baseline, s->ista_gap_mean[s->n_baseline], s->ista_gap_median[s->n_baseline],
             s->n_baseline, s->fista_gap_mean[s->n_baseline], s->fista_gap_median[s->n_baseline]);
}

void
as_unrolled_trainer_print_step_analysis (AsUnrolledTrainer *tr, FILE *out)
{
  guint N = tr->cfg.test_size, T = tr->cfg.n_layers;
  g_autofree double *v = g_new (double, N);
  g_autofree double *steps = g_new (double, T);
  double invL = 1.0 / as_unrolled_get_lipschitz (tr->net);

  as_unrolled_effective_steps (tr->net, steps);
  for (int which = 0; which <= 1; which++)
    {
      as_unrolled_trainer_inverse_support_lipschitz (tr, which, v);
      qsort (v, N, sizeof (double), compare_double);
      fprintf (out, which == 0
                      ? _("1/L_S over the supports of z* (test set): 10%% %.4g, median %.4g, 90%% %.4g\n")
                      : _("1/L_S over the supports of the network output z^T: 10%% %.4g, median %.4g, 90%% %.4g\n"),
               v[N / 10], v[N / 2], v[(9 * N) / 10]);
    }
  fprintf (out, _("Learned steps / (1/L = %.4g):"), invL);
  for (guint t = 0; t < T; t++)
    fprintf (out, " %.3g", steps[t] / invL);
  fprintf (out, "\n");
}
