/* as-dl-sim.h: controlled dictionary-learning problems for the recovery lab.
 *
 * A problem is X = Z Dᵀ + noise with D (n × m, unit-norm atoms) drawn either
 * at random (Gaussian columns: incoherent and RIP with high probability) or
 * with a chosen mutual coherence μ(D) = max_{i≠j} |d_iᵀd_j|, codes Z (N × m)
 * with a chosen number of active atoms per signal, amplitude law and support
 * model, and Gaussian noise at a chosen SNR.  Row-major doubles, one signal
 * per row of X, everything drawn from the seed (docs/dictionary-learning.md,
 * "Problems").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl-sim.h"
#include "as-rng.h"

G_BEGIN_DECLS

typedef enum
{
  AS_DL_DICTIONARY_GAUSSIAN,    /* columns uniform on the sphere */
  AS_DL_DICTIONARY_COHERENCE,   /* chosen mutual coherence */
  AS_DL_N_DICTIONARIES
} AsDlDictionaryKind;

typedef enum
{
  AS_DL_AMPLITUDE_GAUSSIAN,     /* N(0, 1) */
  AS_DL_AMPLITUDE_SIGN,         /* ±1 */
  AS_DL_AMPLITUDE_BOUNDED,      /* ±U(0.5, 1.5): bounded away from 0 */
  AS_DL_N_AMPLITUDES
} AsDlAmplitude;

typedef enum
{
  AS_DL_SUPPORT_FIXED,          /* exactly k atoms per signal, uniformly without replacement */
  AS_DL_SUPPORT_BERNOULLI,      /* each atom active with probability k/m */
  AS_DL_N_SUPPORTS
} AsDlSupport;

typedef struct
{
  guint              n, m, n_signals;
  AsDlDictionaryKind dictionary;
  double             coherence;   /* target μ(D) for AS_DL_DICTIONARY_COHERENCE */
  double             sparsity;    /* k/n: active atoms per signal over the signal dimension */
  AsDlAmplitude      amplitude;
  AsDlSupport        support;
  double             snr_db;      /* 10 log10(‖ZDᵀ‖² / ‖noise‖²); INFINITY: no noise */
  guint64            seed;
} AsDlSimParams;

typedef struct
{
  guint   n, m, n_signals;
  double *D;           /* n × m, the true dictionary */
  double *Z;           /* N × m, the true codes */
  double *X;           /* N × n, the signals */
  double  coherence;   /* μ(D) actually reached */
  double  noise_std;
} AsDlProblem;

const char *as_dl_dictionary_kind_to_string   (AsDlDictionaryKind kind);  /* "gaussian", "coherence" */
/* The index of @name in @names (@count of them), for the *_from_string() of the lab. */
gboolean    as_dl_name_lookup                 (const char *const *names, guint count,
                                               const char *name, guint *out);
gboolean    as_dl_dictionary_kind_from_string (const char *name, AsDlDictionaryKind *kind);
const char *as_dl_amplitude_to_string         (AsDlAmplitude amplitude); /* "gaussian", "sign", "bounded" */
gboolean    as_dl_amplitude_from_string       (const char *name, AsDlAmplitude *amplitude);
const char *as_dl_support_to_string           (AsDlSupport support);     /* "fixed", "bernoulli" */
gboolean    as_dl_support_from_string         (const char *name, AsDlSupport *support);

/* n = 64, m = 128, 2000 signals, Gaussian dictionary, coherence 0.3, sparsity
 * 0.05, bounded amplitudes, fixed supports, 30 dB, seed 0. */
void         as_dl_sim_params_init (AsDlSimParams *p);

/* Lowers the coherence of D (n × m, unit-norm columns, changed in place) by
 * alternating projections (Tropp, Dhillon, Heath & Strohmer 2005): the Gram
 * matrix is clipped to |G_ij| ≤ target off the diagonal with a unit diagonal,
 * then projected on the positive semi-definite matrices of rank n, whose
 * factor gives the new atoms.  Stops when μ(D) ≤ target or after max_iter
 * rounds; keeps the least coherent iterate and returns its coherence, which
 * may stay above an unreachable target (at least the Welch bound
 * √((m − n)/(n(m − 1)))). */
double       as_dl_lower_coherence (guint n, guint m, double target, guint max_iter, double *D);

/* D (n × m) as asked by @p (only its dictionary fields and seed are read).
 * Below the coherence of a random draw, as_dl_lower_coherence first; then
 * up to the target exactly by mixing in a shared direction
 * (as_simulate_dictionary_raise_coherence).  @coherence receives μ(D), which
 * is the target unless the target is out of reach. */
gboolean     as_dl_sim_dictionary  (const AsDlSimParams *p, double *D, double *coherence,
                                    GError **error);

/* The whole problem.  @D (n × m) may be a dictionary already drawn by
 * as_dl_sim_dictionary for the same parameters (it is copied; saves the
 * alternating projections when only the codes change), or NULL. */
AsDlProblem *as_dl_sim_problem     (const AsDlSimParams *p, const double *D, GError **error);
void         as_dl_problem_free    (AsDlProblem *problem);

/* The convolutional variant (as_cdl_simulate_signals, one channel):
 * @n_atoms atoms of length @atom_length in trials of @n_times samples, each
 * position active with probability @sparsity/@n_atoms per atom, so that on
 * average @sparsity·@atom_length occurrences overlap a sample (the analogue
 * of k = sparsity·n), noise at @snr_db. */
AsCdlSimulation *as_dl_sim_convolutional (guint n_trials, guint n_times, guint n_atoms,
                                          guint atom_length, double sparsity, double snr_db,
                                          guint64 seed);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsDlProblem, as_dl_problem_free)

G_END_DECLS
