/* as-cdl.h: convolutional dictionary learning (CDL) for signals and images.
 *
 * Learns K atoms and their activations by alternating a z-step (LGCD, as-csc.h) and a
 * D-step (projected gradient from sufficient statistics, as-cdl-dstep.h), as in
 * alphacsc's learn_d_z_multi (Dupré la Tour et al. 2018).  Signals are trials × P
 * channels × T samples; images are n × P colour channels × H × W with 2-D atoms.
 * Runs as an AsJob: the snapshots it publishes are AsCdlModel copies.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-csc.h"
#include "as-job.h"
#include "as-recording.h"
#include "as-rng.h"

G_BEGIN_DECLS

typedef enum
{
  AS_CDL_INIT_GREEDY,  /* (default) start with one atom; add one every few iterations from the
                        * worst-explained window (online: on a random subset of windows) */
  AS_CDL_INIT_CHUNK,   /* random signal windows (rank-1: leading singular vectors) */
  AS_CDL_INIT_RANDOM,  /* Gaussian atoms */
} AsCdlInit;

/* How a run ended: the same words in the command line, the window and run.json. */
typedef enum
{
  AS_CDL_END_RUNNING,          /* not ended yet */
  AS_CDL_END_CONVERGED,        /* "converged (tolerance reached)" */
  AS_CDL_END_ITERATION_LIMIT,  /* "stopped at the iteration limit" */
  AS_CDL_END_STOPPED,          /* "stopped by you" */
} AsCdlEndState;

/* The untranslated words (run.json) and the translated ones (what a person reads). */
const char *as_cdl_end_state_to_string (AsCdlEndState state);
const char *as_cdl_end_state_describe  (AsCdlEndState state);

typedef struct
{
  guint     n_atoms;          /* K */
  guint     atom_length;      /* L in samples (atom width for images) */
  guint     atom_height;      /* 1 for signals; atom height for images */
  double    lambda;           /* fraction of λ_max (default 0.1), or absolute if lambda_absolute */
  gboolean  lambda_absolute;
  gboolean  rank1;            /* atoms u_k v_kᵀ (default TRUE for signals) */
  gboolean  positive;         /* z ≥ 0 (default TRUE); FALSE for signed activations */
  AsCdlInit init;
  guint     max_iter;         /* outer iterations (online: minibatches) */
  double    tol;              /* stop when the relative decrease of an iteration is below */
  double    z_tol;            /* LGCD tolerance on |Δz|, relative to the data's RMS (default 1e-3;
                               * docs/lambda.md) */
  guint     dstep_max_iter;   /* projected-gradient iterations per D-step */
  gboolean  online;           /* stochastic variant on minibatches of windows */
  guint     online_batch;     /* windows per minibatch */
  guint     online_window;    /* samples per window (0: 8 atom lengths) */
  double    online_forget;    /* α: statistics ← α·statistics + minibatch */
  guint64   seed;
  double    tukey;            /* Tukey taper on atoms (shape parameter in (0, 1]); 0 = none */
  gboolean  resample_unused;  /* replace an atom that explains almost nothing: fewer than
                               * min_occurrences occurrences, or occurrences only in the
                               * first/last atom length (an edge) */
  guint     min_occurrences;  /* default 5 */
  gboolean  sort_atoms;       /* sort by explained variance at the end */
} AsCdlParams;

void as_cdl_params_init (AsCdlParams *params);

typedef struct
{
  guint  iteration;
  guint  half;        /* 0: after the z-step, 1: after the D-step */
  double time;        /* seconds since the start of learning */
  double objective;   /* ½‖X − Σ z * D‖² + λ‖z‖₁ (online: on the minibatch) */
} AsCdlTracePoint;

typedef struct
{
  gatomicrefcount ref_count;
  AsCscShape shape;        /* K, P, signal H × W, atom h × w (1-D: H = h = 1) */
  guint      n_trials;
  gboolean   rank1;
  gboolean   positive;
  double    *atoms;        /* K × P·h·w: the atoms as used (rank-1 expanded, taper applied) */
  double    *u;            /* K × P topographies, NULL when full rank */
  double    *v;            /* K × h·w waveforms, NULL when full rank */
  double    *activations;  /* n_trials × K × valid positions */
  double     lambda;
  double     lambda_max;
  guint      iteration;
  gboolean   converged;
  AsCdlEndState end_state;
  guint8    *weak;         /* K flags: the atom explains almost nothing (see resample_unused) */
  GArray    *trace;        /* of AsCdlTracePoint */
  double     sfreq;        /* Hz when learned from a recording, else 0 */
  gboolean   stopped;      /* learning was stopped on request before its end */
  gboolean   encoded;      /* activations of fixed atoms (as_cdl_encode), no learning */
} AsCdlModel;

typedef struct
{
  guint  trial;
  gsize  position;   /* index in the valid positions (images: row · valid width + column) */
  double amplitude;
} AsCdlOccurrence;

/* A model of zeros (rank-1: with u and v) and an empty trace. */
AsCdlModel   *as_cdl_model_new        (const AsCscShape *shape, guint n_trials, gboolean rank1,
                                       gboolean positive);
AsCdlModel   *as_cdl_model_ref        (AsCdlModel *model);
void          as_cdl_model_unref      (AsCdlModel *model);
AsCdlModel   *as_cdl_model_copy       (const AsCdlModel *model);
const double *as_cdl_model_get_atom   (const AsCdlModel *model, guint k);
const double *as_cdl_model_get_activation (const AsCdlModel *model, guint trial, guint k);
/* Occurrences of atom @k with |amplitude| ≥ @threshold, by trial then position. */
GArray       *as_cdl_model_occurrences (const AsCdlModel *model, guint k, double threshold);
/* The occurrences a person counts: those of as_cdl_model_occurrences() that are the largest
 * |amplitude| within ±@min_spacing positions in their trial (the first wins ties), since
 * LGCD may spread one waveform over neighbouring shifts.  @min_spacing 0 keeps them all
 * (images: positions run along rows, so no merging).  By trial then position. */
GArray       *as_cdl_model_occurrences_merged (const AsCdlModel *model, guint k, double threshold,
                                               gsize min_spacing);
/* What counts as an occurrence wherever one is shown, counted or related to events: an
 * activation of at least this fraction of its atom's largest |activation|. */
#define AS_CDL_OCCURRENCE_THRESHOLD 0.1
/* Half an atom's width for signals, 0 for images: the spacing the views and exports use. */
gsize         as_cdl_model_merge_spacing (const AsCdlModel *model);
/* max |z_k| over all trials and positions (0 when atom @k is unused). */
double        as_cdl_model_max_activation (const AsCdlModel *model, guint k);
/* P × @n_times reconstruction of samples [start, start + n_times) of @trial (1-D models),
 * from all atoms (@atom < 0) or from one. */
gboolean      as_cdl_model_reconstruct (const AsCdlModel *model, guint trial, int atom,
                                        gsize start, gsize n_times, double *out,
                                        GError **error);
double        as_cdl_model_last_objective (const AsCdlModel *model);
/* Why atom @k is flagged as explaining almost nothing (AsCdlModel.weak), in a person's words
 * ("weak: 2 occurrences"), or NULL when it is not flagged.  Free with g_free(). */
char         *as_cdl_model_weak_reason (const AsCdlModel *model, guint k);
/* Occurrences of atom @k counted as a person would (merged, as_cdl_model_merge_spacing()),
 * and how many of them lie away from the edges (first and last atom width of a trial). */
guint         as_cdl_model_count_occurrences (const AsCdlModel *model, guint k, guint *inside);

/* λ_max of the data x (n_trials × P × H × W) for atoms of atom_height × atom_width, whatever
 * the dictionary (docs/lambda.md): what learning and encoding take "a fraction of λ_max" of. */
double        as_cdl_data_lambda_max  (const double *x, guint n_trials, guint n_channels,
                                       guint height, guint width, guint atom_height,
                                       guint atom_width, gboolean rank1);

/* Synchronous learning on x (n_trials × P × H × W; signals H = 1, W = T).  With @job the
 * loop checks as_job_check() each half-step and publishes snapshots; a stopped run
 * returns the consistent model reached so far. */
AsCdlModel   *as_cdl_learn            (const double *x, guint n_trials, guint n_channels,
                                       guint height, guint width, const AsCdlParams *params,
                                       const AsCdlModel *warm_start, AsJob *job,
                                       GError **error);

/* as_cdl_learn() on 1-D signals (x: n_trials × P × width) with samples left out of the data
 * term: @mask (n_trials × width, 1 = left out, shared by every channel; may be NULL) marks
 * gaps, missing values and the filter responses around them (docs/maths.md, "Masked samples").
 * The values of x at masked samples are ignored. */
AsCdlModel   *as_cdl_learn_masked     (const double *x, const guint8 *mask, guint n_trials,
                                       guint n_channels, guint width, const AsCdlParams *params,
                                       const AsCdlModel *warm_start, AsJob *job, GError **error);

/* Continues learning from @from, a model written during or at the end of an earlier run
 * with the same data and parameters (its atoms, activations, λ, λ_max, trace and
 * iteration count), up to @params->max_iter: the result is the one the uninterrupted run
 * would have given.  Batch learning without a taper only. */
AsCdlModel   *as_cdl_learn_resume     (const double *x, guint n_trials, guint n_channels,
                                       guint height, guint width, const AsCdlParams *params,
                                       const AsCdlModel *from, AsJob *job, GError **error);

/* One Gaussian atom of unit norm drawn from @rng (rank-1: u (P) and v (h·w) each of unit
 * norm; full rank: @atom, P·h·w): the "random" start, shared by every learner. */
void          as_cdl_random_atom      (AsRng *rng, const AsCscShape *s, gboolean rank1,
                                       double *u, double *v, double *atom);

/* An atom from a P × h × w window of a signal of H × W (row stride W): the window normalised
 * (full rank) or its leading singular vectors (rank-1: @u, @v); a window of zeros gives a
 * Gaussian atom from @rng.  The "chunk" start and the greedy start use it. */
void          as_cdl_atom_from_window (AsRng *rng, const AsCscShape *s, gboolean rank1,
                                       const double *src, guint H, guint W, double *u,
                                       double *v, double *atom);
/* The h × w window of largest energy Σ_p r² among those starting at rows [y0, y1) ×
 * columns [x0, x1) of one trial @r (P × H × W, trial number @n), away from the @n_excl
 * windows of @excl (triples n, y, x) and, when @mcount (W + 1 running counts of masked
 * samples before each column; NULL: none) is given, from windows holding masked samples:
 * *best, *best_n, *best_y, *best_x are replaced when a window beats *best. */
void          as_cdl_window_energy_max (const AsCscShape *s, const double *r, guint n,
                                        const guint *excl, guint n_excl, const guint *mcount,
                                        guint y0, guint y1, guint x0, guint x1, double *best,
                                        guint *best_n, guint *best_y, guint *best_x);

/* Jobs: the snapshot type is AsCdlModel (as_job_dup_snapshot returns a new reference). */
AsJob        *as_cdl_job_new          (const double *x, guint n_trials, guint n_channels,
                                       gsize n_times, const AsCdlParams *params,
                                       AsCdlModel *warm_start);
AsJob        *as_cdl_job_new_image    (const double *x, guint n_images, guint n_channels,
                                       guint height, guint width, const AsCdlParams *params,
                                       AsCdlModel *warm_start);
/* The time mask learning uses for a recording: 1 where any channel's sample is flagged
 * missing (AsRecording.missing), NULL when none is.  Free with g_free(). */
guint8       *as_cdl_recording_mask   (const AsRecording *recording);
/* The recording is one trial of n_channels × n_samples; it is referenced, not copied; its
 * missing samples (as_cdl_recording_mask()) are left out of learning. */
AsJob        *as_cdl_job_new_for_recording (AsRecording *recording, const AsCdlParams *params,
                                            AsCdlModel *warm_start);
AsJob        *as_cdl_job_new_resume_for_recording (AsRecording *recording, const AsCdlParams *params,
                                                   AsCdlModel *from);
/* The newest model of a CDL job (a new reference, NULL before the first snapshot). */
AsCdlModel   *as_cdl_job_dup_model    (AsJob *job);
/* The final model of a finished or stopped job (a new reference). */
AsCdlModel   *as_cdl_job_get_result   (AsJob *job);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsCdlModel, as_cdl_model_unref)

G_END_DECLS
