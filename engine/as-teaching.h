/* as-teaching.h: the teaching view's job: one simulated Lasso problem, the classical
 * solvers run on it, and the unrolled networks trained on the same dictionary.
 *
 * One worker thread does everything in order, publishing a snapshot after each
 * piece of work so a window can draw the curves as they appear:
 *   1. draw D (Gaussian, adversarial Fourier or chosen coherence) and a test batch
 *      on the equiregularization set ‖Dᵀx‖_∞ = 1 (Ablin et al. 2019), λ = fraction · λ_max;
 *      solve it to a tight duality gap (the reference F(z*));
 *   2. ISTA, FISTA, oracle ISTA and coordinate descent for a fixed number of
 *      iterations: mean F(z^t) − F(z*) per iteration, time, and the iterates of
 *      the first signal for the step-by-step view;
 *   3. the selected unrolled networks (LISTA, LISTA-CP, ALISTA, SLISTA) trained
 *      epoch by epoch in turn (as-unrolled-train.h), each epoch publishing their
 *      per-layer test gaps, training losses and learned steps.
 * Snapshots are immutable and refcounted; parts that did not change are shared
 * between consecutive snapshots.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-job.h"
#include "as-unrolled-train.h"

G_BEGIN_DECLS

typedef enum
{
  AS_TEACHING_DICTIONARY_GAUSSIAN,   /* atoms uniform on the sphere */
  AS_TEACHING_DICTIONARY_FOURIER,    /* Moreau & Bruna 2017's adversarial dictionary */
  AS_TEACHING_DICTIONARY_COHERENCE,  /* chosen mutual coherence */
} AsTeachingDictionary;

/* The classical solvers, in the order of the snapshot's arrays. */
typedef enum
{
  AS_TEACHING_ISTA,
  AS_TEACHING_FISTA,
  AS_TEACHING_ORACLE_ISTA,
  AS_TEACHING_CD,
  AS_TEACHING_N_CLASSICAL
} AsTeachingClassical;

/* The learned solvers, indexed by AsUnrolledKind (LISTA, LISTA-CP, ALISTA, SLISTA). */
#define AS_TEACHING_N_LEARNED 4

typedef struct
{
  guint                n, m;             /* signal dimension, atoms */
  double               lambda_fraction;  /* λ / λ_max */
  double               rho;              /* Bernoulli–Gaussian codes; 0: x ~ N(0, I) */
  double               noise;            /* noise level added to Dz */
  AsTeachingDictionary dictionary;
  double               coherence;        /* for AS_TEACHING_DICTIONARY_COHERENCE */
  guint64              seed;
  guint                n_signals;        /* test batch of the classical solvers */
  guint                n_iterations;     /* classical iterations */
  guint                n_recorded;       /* iterates of signal 0 kept for stepping (≤ n_iterations) */
  /* Learning (the unrolled trainer). */
  guint                learned_mask;     /* bit k set: train AsUnrolledKind k */
  guint                n_layers;         /* T */
  AsUnrolledLoss       loss;
  guint                n_epochs;         /* epochs per network; 0: no learning */
  guint                train_size, test_size;
  guint                batch_size;         /* LISTA and LISTA-CP minibatches (4·train_size signals) */
  double               learning_rate;      /* Adam's, for LISTA and LISTA-CP */
  guint                halving_epochs;     /* > 0: that rate halved every that many epochs */
  double               step_learning_rate; /* first rate of SLISTA's and ALISTA's line search */
} AsTeachingConfig;

/* Defaults: Gaussian D with n = 64, m = 256, λ = 0.1 λ_max, dense signals, seed 0,
 * 50 test signals, 300 iterations (100 recorded), SLISTA and LISTA with
 * T = 20 layers, unsupervised loss, 200 epochs on 500 / 200 samples (LISTA
 * and LISTA-CP: 2000 training samples, minibatches of 128, Adam at 2e-4). */
void        as_teaching_config_init  (AsTeachingConfig *config);
const char *as_teaching_classical_to_string (AsTeachingClassical kind); /* "ista", "fista", "oracle-ista", "cd" */

/* The presets of the teaching view, each reproducing a paper's figure. */
typedef enum
{
  AS_TEACHING_PRESET_LEARNED_STEPS,  /* Ablin et al. 2019: m = 256, n = 64, x ~ N(0, I) */
  AS_TEACHING_PRESET_SPARSE,         /* Moreau & Bruna 2017: K = 100, P = 64, ρ = 1/20 */
  AS_TEACHING_PRESET_DENSE,          /* Moreau & Bruna 2017: ρ = 1/4 */
  AS_TEACHING_PRESET_ADVERSARIAL,    /* Moreau & Bruna 2017: adversarial Fourier dictionary */
  AS_TEACHING_N_PRESETS
} AsTeachingPreset;

const char *as_teaching_preset_to_string   (AsTeachingPreset preset); /* "learned-steps", "sparse", … */
gboolean    as_teaching_preset_from_string (const char *name, AsTeachingPreset *preset);
/* The whole configuration a preset runs (what a user gets on picking it):
 * as_teaching_config_init() then the preset's problem, networks and budget. */
void        as_teaching_preset_config      (AsTeachingPreset preset, AsTeachingConfig *config);

/* One solver's path: its convergence curve over the batch and the iterates of
 * signal 0 (codes z^t, and for the ISTA-like steps the point before the soft
 * threshold u^t so that the threshold band can be shown). */
typedef struct
{
  guint   n_points;      /* curve entries t = 0 … n_points − 1 */
  double *gap_mean;      /* mean over signals of F(z^t) − F(z*) (may reach ≤ 0 at convergence) */
  double *gap_median;
  double *time;          /* seconds of solver work at t (NULL for learned paths) */
  guint   m;
  guint   n_steps;       /* recorded steps of signal 0: codes t = 0 … n_steps */
  double *codes;         /* (n_steps + 1) × m */
  double *inputs;        /* n_steps × m, row t − 1 = u^t; NULL when not an ISTA-like step */
  double *steps;         /* n_steps: step of step t (1/L, 1/L_S, α_t, 1/‖d_j‖²) */
  double *thresholds;    /* n_steps: soft threshold of step t (λ · step for ISTA) */
  guint  *supports;      /* n_steps + 1: |supp z^t| */
} AsTeachingPath;

typedef struct
{
  AsTeachingConfig config;
  double           lambda;
  double           lipschitz;         /* L */
  double           coherence;         /* measured mutual coherence of D */
  gboolean         problem_ready;     /* the reference solution exists */
  guint            n_classical_done;
  const double    *solution;          /* z* of signal 0 (m), NULL before problem_ready */
  guint            solution_support;
  /* 1/L_S over the supports of z* (one per signal) and over the supports met by
   * oracle ISTA on its accepted steps (Ablin et al. 2019: learned steps track their law). */
  guint            n_inv_ls_solution;
  const double    *inv_ls_solution;
  guint            n_inv_ls_met;
  const double    *inv_ls_met;
  AsTeachingPath  *classical[AS_TEACHING_N_CLASSICAL];   /* NULL until run */
  AsUnrolledSnapshot *learned[AS_TEACHING_N_LEARNED];    /* NULL until the first epoch */
  AsTeachingPath  *learned_path[AS_TEACHING_N_LEARNED];  /* layers on signal 0 */
  char            *learned_error[AS_TEACHING_N_LEARNED]; /* why a network stopped, or NULL */
  gboolean         learning_done;
  guint            learning_epoch;     /* epochs every network has done */
  double           learning_seconds;   /* wall time of those epochs (not the setup) */
  /* private */
  gpointer         priv;
} AsTeachingSnapshot;

AsTeachingSnapshot *as_teaching_snapshot_ref   (AsTeachingSnapshot *snapshot);
void                as_teaching_snapshot_unref (AsTeachingSnapshot *snapshot);

/* A job running the whole sequence for @config (copied); its snapshots are
 * AsTeachingSnapshot (take them with as_job_dup_snapshot, release with
 * as_job_release_snapshot).  A stop request ends the job within one solver
 * iteration or one training epoch. */
AsJob              *as_teaching_job_new (const AsTeachingConfig *config);

/* Whether @snapshot shows the pattern of @preset's paper, on the learned
 * networks' latest evaluation (their test set, against ISTA run for as many
 * iterations as the network has layers on the same signals):
 * - learned step sizes (Ablin et al. 2019): SLISTA strictly below ISTA at
 *   every layer 1 … T, its steps never smaller than the layer before (up to
 *   1 %), the last one above 1.02 × the first and above 1/L; LISTA and LISTA-CP
 *   no worse than ISTA at any layer;
 * - sparse and dense (Gregor & LeCun 2010 in Moreau & Bruna 2017's
 *   setting): LISTA and LISTA-CP strictly below ISTA at layers 1 … min(5, T)
 *   and no worse at any layer;
 * - adversarial (Moreau & Bruna 2017: where the Gram matrix has no helpful
 *   factorisation, the acceleration of the first layers fails): LISTA and
 *   LISTA-CP within 10 % of ISTA at layer 1 (gap ≥ 0.9 × ISTA's) and at least
 *   5 % below it at layer T (gap ≤ 0.95 × ISTA's: trained, they still gain in
 *   depth).
 * A network the pattern needs but that has no evaluation yet (or stopped with
 * an error) fails it.  When @why is not NULL, the first failing condition is
 * appended to it (translated), or the margins when the pattern holds. */
gboolean            as_teaching_pattern_met (const AsTeachingSnapshot *snapshot,
                                             AsTeachingPreset preset, GString *why);

/* Writes every curve of @snapshot as CSV (one row per iteration/layer/epoch,
 * one column per solver and quantity, plus the learned networks' ISTA/FISTA
 * baselines on their test set and 1/L_S at each test solution; empty cells
 * where a column has no value) through
 * as-output.h: temp file then rename, an existing file kept unless @overwrite. */
gboolean            as_teaching_write_csv (const AsTeachingSnapshot *snapshot, const char *path,
                                           gboolean overwrite, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsTeachingSnapshot, as_teaching_snapshot_unref)

G_END_DECLS
