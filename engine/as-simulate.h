/* as-simulate.h: seeded simulators of sparse-coding problems (dictionaries, codes, signals).
 *
 * Row-major doubles: D is n × m (unit-norm columns), Z is N × m, X is N × n.
 * Everything is drawn from an AsRng, so the same seed gives the same problem.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-rng.h"

G_BEGIN_DECLS

void as_simulate_dictionary_sphere (AsRng *rng, guint n, guint m, double *D); /* columns uniform on the sphere */
void as_simulate_codes_bernoulli_gaussian (AsRng *rng, guint n_signals, guint m,
                                           double rho, double sigma, double *Z); /* N × m */
/* X = Z Dᵀ + noise·N(0,1) (Z may be NULL: then X is N(0,1) noise only, "dense"),
 * then each row scaled so that ‖Dᵀx‖_∞ = 1 (the equiregularization set, seed 004). */
void as_simulate_signals_equireg   (AsRng *rng, guint n, guint m, const double *D,
                                    guint n_signals, const double *Z, double noise, double *X);

/* --- beyond the contract --- */

/* The "adversarial" dictionary of seed 003 (Moreau & Bruna), made real: the
 * rows are cos(2πjζ_q/m) and sin(2πjζ_q/m) (j = 0 … m − 1 the column) for n/2
 * distinct random frequencies ζ_q in 1 … ⌊(m − 1)/2⌋ (plus the constant row if
 * n is odd), columns then normalised.  Its rows are orthogonal, so DDᵀ = (m/n)·I:
 * the eigenvectors of DᵀD are far from the canonical basis.  Needs n ≤ m − 1. */
gboolean as_simulate_dictionary_fourier (AsRng *rng, guint n, guint m, double *D,
                                         GError **error);
/* A dictionary with mutual coherence `coherence` (up to 1e-9): atoms are
 * d_j ∝ (1 − t)·g_j + t·u with g_j uniform on the sphere and u one shared
 * direction; t is found by bisection.  Fails if the target is below the
 * coherence of the t = 0 draw (a random dictionary cannot be made more
 * incoherent this way). */
gboolean as_simulate_dictionary_coherence (AsRng *rng, guint n, guint m, double coherence,
                                           double *D, GError **error);
/* The same mixing from a given base dictionary G (n × m, unit-norm columns)
 * whose coherence is at most `coherence`; draws only the shared direction u. */
gboolean as_simulate_dictionary_raise_coherence (AsRng *rng, guint n, guint m, const double *G,
                                                 double coherence, double *D, GError **error);
/* Normalises each column of D (n × m) to unit norm (zero columns are left). */
void     as_simulate_normalize_columns (guint n, guint m, double *D);

/* A whole problem from one seed, as `atomscope-cli simulate` writes it. */
typedef enum
{
  AS_SIMULATE_DICTIONARY_SPHERE,     /* columns uniform on the sphere */
  AS_SIMULATE_DICTIONARY_FOURIER,    /* adversarial, seed 003 */
  AS_SIMULATE_DICTIONARY_COHERENCE,  /* chosen mutual coherence */
  AS_SIMULATE_N_DICTIONARIES
} AsSimulateDictionary;

const char *as_simulate_dictionary_kind_to_string   (AsSimulateDictionary kind);  /* "sphere", … */
gboolean    as_simulate_dictionary_kind_from_string (const char *name, AsSimulateDictionary *kind);

typedef struct
{
  guint   n, m, n_signals;
  double  rho, sigma;         /* Bernoulli–Gaussian codes; rho = 0: dense signals, no codes */
  double  noise;              /* standard deviation of the additive noise before scaling */
  AsSimulateDictionary dictionary;
  double  coherence;          /* for AS_SIMULATE_DICTIONARY_COHERENCE */
  gboolean positive;          /* |codes| */
  guint64 seed;
} AsSimulateParams;

/* Defaults: the seeds' setting n = 64, m = 256, 100 signals, ρ = 0.05, σ = 1,
 * noise 0.1, sphere dictionary, seed 0. */
void     as_simulate_params_init (AsSimulateParams *params);
/* Draws D (n × m), X (N × n, on the equiregularization set) and Z (N × m, the
 * codes scaled with their signals so that X = Z Dᵀ + noise; zero when ρ = 0).
 * Z_out may be NULL.  Free the arrays with g_free. */
gboolean as_simulate_problem     (const AsSimulateParams *params, double **D_out,
                                  double **X_out, double **Z_out, GError **error);

G_END_DECLS
