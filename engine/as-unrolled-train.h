/* as-unrolled-train.h: training unrolled solvers (Adam or SGD, minibatches,
 * learning-rate schedules, layer-wise option) as an engine job.
 *
 * A trainer owns a dictionary, λ, a training set and a held-out test set
 * drawn on the equiregularization set ‖Dᵀx‖_∞ = 1 (Ablin et al. 2019), so that
 * λ = λ_fraction · λ_max for every sample; the test set comes with its Lasso
 * solutions z* and F(z*) so that every evaluation reports the optimisation
 * gap F(z^t) − F(z*) for every layer t, next to ISTA and FISTA run for the
 * same number of iterations.
 *
 * Training runs epoch by epoch.  Resuming is training again: a new job (or a
 * new call to as_unrolled_trainer_train) continues from the current
 * parameters, optimiser state, learning rate and history.  A stop request
 * that arrives in the middle of an epoch rolls the parameters back to the
 * start of that epoch, so the published snapshot is always consistent.
 *
 * A trainer is used by one thread at a time: while its job runs, read the
 * job's snapshots, not the trainer.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

#include "as-job.h"
#include "as-unrolled.h"

G_BEGIN_DECLS

typedef enum
{
  AS_UNROLLED_OPTIMIZER_ADAM,
  AS_UNROLLED_OPTIMIZER_SGD,
} AsUnrolledOptimizer;

typedef enum
{
  AS_UNROLLED_SCHEDULE_CONSTANT,
  AS_UNROLLED_SCHEDULE_STEP,       /* lr · step_factor^⌊epoch / step_epochs⌋ */
  AS_UNROLLED_SCHEDULE_BACKTRACK,  /* an epoch that increases the training loss is undone and lr halved */
  AS_UNROLLED_SCHEDULE_ADAPTIVE,   /* the same, and an epoch that lowers it doubles lr */
} AsUnrolledSchedule;

const char *as_unrolled_optimizer_to_string   (AsUnrolledOptimizer optimizer); /* "adam", "sgd" */
gboolean    as_unrolled_optimizer_from_string (const char *name, AsUnrolledOptimizer *optimizer);

typedef struct
{
  AsUnrolledKind      kind;
  guint               n_layers;
  guint               n, m;             /* signal dimension, atoms */
  double              lambda_fraction;  /* λ / λ_max, λ_max = 1 on the equiregularization set */
  AsUnrolledLoss      loss;
  gboolean            positive;         /* non-negative codes */
  AsUnrolledOptimizer optimizer;
  double              learning_rate;
  AsUnrolledSchedule  schedule;
  guint               step_epochs;      /* STEP schedule period */
  double              step_factor;      /* STEP schedule factor */
  guint               batch_size;       /* 0 or ≥ train_size: full batch */
  guint               train_size;
  guint               test_size;
  guint               layerwise_epochs; /* > 0: layer t alone for that many epochs, layers < t fixed, then all */
  double              rho;              /* > 0: x = Dz + noise, z Bernoulli(ρ)-Gaussian; 0: x ~ N(0, I) (Ablin et al. 2019) */
  double              noise;
  guint64             seed;
  guint               eval_every;       /* evaluate the test set every that many epochs */
  guint               n_baseline;       /* ISTA/FISTA iterations of the baselines (≥ n_layers) */
  AsUnrolledPrecision precision;        /* of the training work; evaluation is float64 */
  guint               n_threads;        /* 2: every minibatch split between two threads */
  gboolean            every_layer;      /* train on the mean over layers t of ℓ(z^t), not ℓ(z^T) alone */
} AsUnrolledTrainConfig;

/* Defaults: SLISTA, T = 10, n = 16, m = 64, λ = 0.1 λ_max, unsupervised,
 * Adam with lr 0.01 and backtracking, full batch, 1000 / 500 samples, seed 0,
 * dense signals (supervised training switches to ρ = 0.1 when ρ = 0),
 * float64 on one thread. */
void as_unrolled_train_config_init (AsUnrolledTrainConfig *config);

typedef struct _AsUnrolledTrainer AsUnrolledTrainer;

/* D (n × m) may be NULL: then atoms are drawn uniformly on the sphere from
 * the seed.  Solves the Lasso of the test set (and of the training set for
 * the semi-supervised loss), so this may take a moment. */
AsUnrolledTrainer *as_unrolled_trainer_new   (const AsUnrolledTrainConfig *config,
                                              const double                *D,
                                              GError                     **error);
/* The same, taking the test set and its Lasso solutions from @test_donor
 * when it would draw the same ones (same dictionary, sizes, λ, law and seed;
 * the test set does not depend on the training set): networks compared side
 * by side are then evaluated on the same signals, solved once. */
AsUnrolledTrainer *as_unrolled_trainer_new_sharing (const AsUnrolledTrainConfig *config,
                                                    const double                *D,
                                                    AsUnrolledTrainer           *test_donor,
                                                    GError                     **error);
AsUnrolledTrainer *as_unrolled_trainer_ref   (AsUnrolledTrainer *trainer);
void               as_unrolled_trainer_unref (AsUnrolledTrainer *trainer);

const AsUnrolledTrainConfig *as_unrolled_trainer_get_config (AsUnrolledTrainer *trainer);
double             as_unrolled_trainer_get_lambda    (AsUnrolledTrainer *trainer);
AsUnrolled        *as_unrolled_trainer_get_network   (AsUnrolledTrainer *trainer);
guint              as_unrolled_trainer_get_epoch     (AsUnrolledTrainer *trainer);
double             as_unrolled_trainer_get_learning_rate (AsUnrolledTrainer *trainer);
/* Training loss after each epoch so far. */
const double      *as_unrolled_trainer_get_train_loss (AsUnrolledTrainer *trainer, guint *n_epochs);
/* Test set: signals (test_size × n), Lasso solutions (test_size × m), F(z*). */
const double      *as_unrolled_trainer_get_test_signals   (AsUnrolledTrainer *trainer);
const double      *as_unrolled_trainer_get_test_solutions (AsUnrolledTrainer *trainer);
const double      *as_unrolled_trainer_get_train_signals  (AsUnrolledTrainer *trainer);

/* Runs @n_epochs more epochs (job may be NULL; with a job, as_job_check()
 * is called before every minibatch and a snapshot published after every
 * evaluation).  Returns FALSE with an error when the loss becomes NaN/∞
 * (the parameters are then those of the last good epoch). */
gboolean           as_unrolled_trainer_train (AsUnrolledTrainer *trainer, guint n_epochs,
                                              AsJob *job, GError **error);
/* One optimiser step of the whole network on a minibatch of @B signals X
 * (B × n; Z the targets of the (semi-)supervised losses, else NULL): forward,
 * loss, back-propagation and the Adam or SGD update at the current learning
 * rate, outside any schedule.  Returns the minibatch loss before the update. */
double             as_unrolled_trainer_step    (AsUnrolledTrainer *trainer, guint B,
                                                const double *X, const double *Z);
/* The forward pass alone on @B signals (the work of inference). */
void               as_unrolled_trainer_forward (AsUnrolledTrainer *trainer, guint B,
                                                const double *X);
/* A job that trains @n_epochs more epochs on its worker thread and publishes
 * AsUnrolledSnapshot's (snapshot_ref/unref: as_unrolled_snapshot_ref/unref). */
AsJob             *as_unrolled_trainer_new_job (AsUnrolledTrainer *trainer, guint n_epochs);

typedef struct
{
  AsUnrolledKind kind;
  guint    n_layers;
  guint    epoch;            /* epochs done */
  double   learning_rate;
  double   lambda;
  double   inv_lipschitz;    /* 1/L */
  guint    n_epochs;         /* length of train_loss */
  double  *train_loss;       /* per epoch */
  guint    n_evals;
  guint   *eval_epoch;       /* epoch of each evaluation */
  double  *eval_gap_mean;    /* mean test gap at layer T, per evaluation */
  /* Latest evaluation, layers t = 0 … T (index t). */
  double  *gap_mean;         /* mean over test samples of F(z^t) − F(z*) */
  double  *gap_median;
  double  *support_size;     /* mean |supp z^t| */
  guint    n_diverged;       /* test samples with F(z^T) > F(0) or not finite */
  /* Per layer t = 1 … T (index t − 1). */
  double  *steps;            /* as_unrolled_effective_steps */
  double  *thresholds;       /* as_unrolled_thresholds */
  double  *coupling;         /* as_unrolled_weight_coupling (NaN for SLISTA/ALISTA) */
  /* Baselines at k = 0 … n_baseline iterations. */
  guint    n_baseline;
  double  *ista_gap_mean, *ista_gap_median;
  double  *fista_gap_mean, *fista_gap_median;
  AsUnrolled *network;       /* a copy of the parameters at that point */
} AsUnrolledSnapshot;

AsUnrolledSnapshot *as_unrolled_trainer_snapshot (AsUnrolledTrainer *trainer);
AsUnrolledSnapshot *as_unrolled_snapshot_ref     (AsUnrolledSnapshot *snapshot);
void                as_unrolled_snapshot_unref   (AsUnrolledSnapshot *snapshot);

/* Prints the per-layer table of test gaps (mean and median of F(z^t) − F(z*))
 * next to ISTA and FISTA with t iterations, the learned steps, thresholds,
 * weight coupling and support sizes. */
void                as_unrolled_snapshot_print_table (const AsUnrolledSnapshot *snapshot, FILE *out);

/* Evaluates the test set now (done by training every eval_every epochs). */
void               as_unrolled_trainer_evaluate (AsUnrolledTrainer *trainer);

/* 1/L_S for each test sample, S = supp(z*) (network_output FALSE) or
 * S = supp(z^T) of the current network (TRUE); out has test_size entries.
 * Ablin et al. 2019: learned steps relate to the distribution of 1/L_S. */
void               as_unrolled_trainer_inverse_support_lipschitz (AsUnrolledTrainer *trainer,
                                                                  gboolean network_output,
                                                                  double *out);

/* Prints the learned steps against 1/L and the quantiles (10 %, median, 90 %)
 * of 1/L_S over the supports of z* and of the network's output on the test set. */
void               as_unrolled_trainer_print_step_analysis (AsUnrolledTrainer *trainer, FILE *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsUnrolledTrainer, as_unrolled_trainer_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsUnrolledSnapshot, as_unrolled_snapshot_unref)

G_END_DECLS
