/* as-dripp.h: driven temporal point processes (DriPP; Allain, Gramfort & Moreau 2021).
 *
 * The occurrences of one atom on [0, T] form a Poisson process whose intensity is raised
 * after each event of one type:
 *
 *   λ(t) = μ + α Σ_j κ(t − τ_j),
 *
 * κ the density of a Gaussian of mean m and standard deviation σ truncated to the support
 * [a, b] (seconds after the event).  μ is the baseline rate (occurrences/s), α the expected
 * number of extra occurrences per event, m the latency and σ the jitter.  The fit is by
 * expectation–maximisation; the test of α > 0 is a likelihood ratio against the
 * baseline-only process.  The formulas are in docs/dripp.md.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-rng.h"

G_BEGIN_DECLS

typedef struct
{
  double a, b;          /* kernel support in seconds after the event, 0 ≤ a < b */
  double sigma_min;     /* bounds on σ (default (b − a)/20 and 5(b − a)) */
  double sigma_max;
  guint  max_iter;      /* EM iterations per start (default 300) */
  double tol;           /* stop when the log-likelihood gains less than tol·(1 + |ℓ|) */
} AsDrippParams;

typedef struct
{
  double mu, alpha, m, sigma;
  double loglik;            /* ℓ at the estimate */
  double loglik_baseline;   /* ℓ of the baseline-only process, μ = n / T */
  double statistic;         /* 2 (ℓ − ℓ_baseline) ≥ 0 */
  double p_value;           /* of α > 0, statistic against χ²₃ (docs/dripp.md) */
  gsize  n_occurrences;
  gsize  n_events;          /* events whose support lies inside [0, T] */
  guint  n_iter;
  gboolean converged;
} AsDrippFit;

void   as_dripp_params_init (AsDrippParams *params);

/* Whether @fit has an excitation to speak of, so a latency m and a jitter σ: the events
 * explain at least half an occurrence in all (α × events ≥ ½).  Without one, EM leaves α at a
 * rounding-level value and m, σ wherever they started. */
gboolean as_dripp_fit_excited (const AsDrippFit *fit);

/* Truncated-Gaussian kernel density at @u (0 outside [a, b]). */
double as_dripp_kernel      (double u, double m, double sigma, double a, double b);

/* Log-likelihood of occurrences @t (sorted, in [0, T]) under (μ, α, m, σ) with events
 * @events (sorted); only events whose support lies inside [0, @duration] count. */
double as_dripp_loglik      (const double *t, gsize n, const double *events, gsize n_events,
                             double duration, const AsDrippParams *params,
                             double mu, double alpha, double m, double sigma);

/* Fits (μ, α, m, σ).  @t and @events must be sorted.  @trace, when not NULL, receives the
 * log-likelihood (double) after every EM iteration of the retained start.  Fails when
 * no event has its support inside the recording or the parameters are invalid. */
gboolean as_dripp_fit       (const double *t, gsize n, const double *events, gsize n_events,
                             double duration, const AsDrippParams *params, AsDrippFit *fit,
                             GArray *trace, GError **error);

/* p-value of the likelihood-ratio statistic: its χ²₃ tail (docs/dripp.md explains why). */
double as_dripp_p_value     (double statistic);

/* Benjamini & Hochberg (1995) adjusted p-values (the false discovery rate at which each test
 * would be rejected): q_(i) = min_{j ≥ i} min(1, n p_(j) / j) over the p sorted increasingly.
 * NaN p-values are left out of the family and get NaN. */
void   as_dripp_fdr_adjust  (const double *p, gsize n, double *q);

/* Simulation.  Events: a renewal process, gaps = @min_gap + Exp(rate) so the mean rate is
 * 1 / (min_gap + 1/rate).  Occurrences: a baseline Poisson process of rate μ on [0, T]
 * plus, for each event, Poisson(α) occurrences at τ + TN(m, σ; a, b).  Sorted arrays of
 * double (seconds), new. */
GArray *as_dripp_simulate_events (double rate, double min_gap, double duration, AsRng *rng);
GArray *as_dripp_simulate        (const double *events, gsize n_events, double duration,
                                  double mu, double alpha, double m, double sigma,
                                  double a, double b, AsRng *rng);

G_END_DECLS
