/* as-simulate.c: seeded simulators of sparse-coding problems.
 *
 * Settings from the seeds: columns uniform on the sphere and Bernoulli–Gaussian
 * codes (seed 003, "Generating model"), signals on the equiregularization set
 * x = x̃ / ‖Dᵀx̃‖_∞ (seed 004), the Fourier "adversarial dictionary" (seed 003).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-simulate"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-metrics.h"
#include "as-simulate.h"

void
as_simulate_normalize_columns (guint n, guint m, double *D)
{
  for (guint j = 0; j < m; j++)
    {
      double nrm = cblas_dnrm2 (n, D + j, m);

      if (nrm > 0.0)
        cblas_dscal (n, 1.0 / nrm, D + j, m);
    }
}

/* A normalised Gaussian vector is uniform on the sphere. */
void
as_simulate_dictionary_sphere (AsRng *rng, guint n, guint m, double *D)
{
  as_rng_normal_fill (rng, D, (gsize) n * m);
  as_simulate_normalize_columns (n, m, D);
}

/* z_k = b_k a_k, b_k ~ B(ρ), a_k ~ N(0, σ²) (σ is the standard deviation). */
void
as_simulate_codes_bernoulli_gaussian (AsRng *rng, guint n_signals, guint m, double rho,
                                      double sigma, double *Z)
{
  for (gsize k = 0; k < (gsize) n_signals * m; k++)
    {
      gboolean on = as_rng_uniform (rng) < rho;
      double a = as_rng_normal (rng);   /* always drawn: the stream does not depend on ρ's outcome */

      Z[k] = on ? sigma * a : 0.0;
    }
}

/* Shared by the contract function and as_simulate_problem, which also needs
 * the scale of each row to keep its codes consistent with the signals. */
static void
signals_equireg (AsRng *rng, guint n, guint m, const double *D, guint n_signals,
                 const double *Z, double noise, double *X, double *scales)
{
  g_autofree double *c = g_new (double, m);

  if (Z != NULL)
    cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, n_signals, n, m,
                 1.0, Z, m, D, m, 0.0, X, n);
  else
    {
      memset (X, 0, sizeof (double) * n_signals * n);
      noise = 1.0;
    }
  for (guint i = 0; i < n_signals; i++)
    {
      double *x = X + (gsize) i * n;
      double scale;

      if (noise > 0.0)
        for (guint r = 0; r < n; r++)
          x[r] += noise * as_rng_normal (rng);
      cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, D, m, x, 1, 0.0, c, 1);
      scale = fabs (c[cblas_idamax (m, c, 1)]);
      /* A zero code without noise gives x = 0, which no scaling puts on the
       * equiregularization set: such a row is replaced by Gaussian noise. */
      while (scale == 0.0)
        {
          for (guint r = 0; r < n; r++)
            x[r] = as_rng_normal (rng);
          cblas_dgemv (CblasRowMajor, CblasTrans, n, m, 1.0, D, m, x, 1, 0.0, c, 1);
          scale = fabs (c[cblas_idamax (m, c, 1)]);
        }
      cblas_dscal (n, 1.0 / scale, x, 1);
      if (scales != NULL)
        scales[i] = scale;
    }
}

void
as_simulate_signals_equireg (AsRng *rng, guint n, guint m, const double *D, guint n_signals,
                             const double *Z, double noise, double *X)
{
  signals_equireg (rng, n, m, D, n_signals, Z, noise, X, NULL);
}

static const char *const dictionary_names[AS_SIMULATE_N_DICTIONARIES] = {
  "sphere", "fourier", "coherence",
};

const char *
as_simulate_dictionary_kind_to_string (AsSimulateDictionary kind)
{
  g_return_val_if_fail (kind < AS_SIMULATE_N_DICTIONARIES, NULL);
  return dictionary_names[kind];
}

gboolean
as_simulate_dictionary_kind_from_string (const char *name, AsSimulateDictionary *kind)
{
  for (guint k = 0; k < AS_SIMULATE_N_DICTIONARIES; k++)
    if (name != NULL && strcmp (name, dictionary_names[k]) == 0)
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

void
as_simulate_params_init (AsSimulateParams *p)
{
  memset (p, 0, sizeof *p);
  p->n = 64;
  p->m = 256;
  p->n_signals = 100;
  p->rho = 0.05;
  p->sigma = 1.0;
  p->noise = 0.1;
  p->dictionary = AS_SIMULATE_DICTIONARY_SPHERE;
  p->coherence = 0.8;
  p->positive = FALSE;
  p->seed = 0;
}

gboolean
as_simulate_problem (const AsSimulateParams *p, double **D_out, double **X_out,
                     double **Z_out, GError **error)
{
  g_autofree double *D = NULL, *X = NULL, *Z = NULL, *scales = NULL;
  AsRng rng;

  if (p->n == 0 || p->m == 0 || p->n_signals == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The problem sizes must be positive (n = %u, m = %u, %u signals)"),
                   p->n, p->m, p->n_signals);
      return FALSE;
    }
  if (!(p->rho >= 0.0 && p->rho <= 1.0) || !(p->sigma > 0.0) || !(p->noise >= 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Invalid code model: ρ = %g must be in [0, 1], σ = %g positive and "
                     "the noise level %g non-negative"), p->rho, p->sigma, p->noise);
      return FALSE;
    }
  as_rng_init (&rng, p->seed);
  D = g_new (double, (gsize) p->n * p->m);
  switch (p->dictionary)
    {
    case AS_SIMULATE_DICTIONARY_FOURIER:
      if (!as_simulate_dictionary_fourier (&rng, p->n, p->m, D, error))
        return FALSE;
      break;
    case AS_SIMULATE_DICTIONARY_COHERENCE:
      if (!as_simulate_dictionary_coherence (&rng, p->n, p->m, p->coherence, D, error))
        return FALSE;
      break;
    case AS_SIMULATE_DICTIONARY_SPHERE:
    case AS_SIMULATE_N_DICTIONARIES:
    default:
      as_simulate_dictionary_sphere (&rng, p->n, p->m, D);
      break;
    }
  Z = g_new0 (double, (gsize) p->n_signals * p->m);
  if (p->rho > 0.0)
    {
      as_simulate_codes_bernoulli_gaussian (&rng, p->n_signals, p->m, p->rho, p->sigma, Z);
      if (p->positive)
        for (gsize k = 0; k < (gsize) p->n_signals * p->m; k++)
          Z[k] = fabs (Z[k]);
    }
  X = g_new (double, (gsize) p->n_signals * p->n);
  scales = g_new (double, p->n_signals);
  signals_equireg (&rng, p->n, p->m, D, p->n_signals, p->rho > 0.0 ? Z : NULL, p->noise, X, scales);
  /* Keep X = Z Dᵀ + noise row by row after the scaling (a zero code row that
   * was replaced by noise stays zero). */
  for (guint i = 0; i < p->n_signals; i++)
    cblas_dscal (p->m, 1.0 / scales[i], Z + (gsize) i * p->m, 1);
  *D_out = g_steal_pointer (&D);
  *X_out = g_steal_pointer (&X);
  if (Z_out != NULL)
    *Z_out = g_steal_pointer (&Z);
  return TRUE;
}

gboolean
as_simulate_dictionary_fourier (AsRng *rng, guint n, guint m, double *D, GError **error)
{
  guint n_freq = (m - 1) / 2, half = n / 2;
  g_autofree guint *freq = NULL;

  if (m < 3 || half > n_freq)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("A Fourier dictionary with %u rows needs at least %u atoms, not %u"),
                   n, 2 * half + 1, m);
      return FALSE;
    }
  freq = g_new (guint, n_freq);
  for (guint q = 0; q < n_freq; q++)
    freq[q] = q + 1;
  as_rng_shuffle (rng, freq, n_freq);
  for (guint q = 0; q < half; q++)
    for (guint j = 0; j < m; j++)
      {
        double phase = 2.0 * G_PI * (double) j * freq[q] / m;

        D[(gsize) (2 * q) * m + j] = cos (phase);
        D[(gsize) (2 * q + 1) * m + j] = sin (phase);
      }
  if (n % 2 == 1)
    for (guint j = 0; j < m; j++)
      D[(gsize) (n - 1) * m + j] = 1.0;
  as_simulate_normalize_columns (n, m, D);
  return TRUE;
}

static void
mix_dictionary (guint n, guint m, const double *G, const double *u, double t, double *D)
{
  for (guint r = 0; r < n; r++)
    for (guint j = 0; j < m; j++)
      D[(gsize) r * m + j] = (1.0 - t) * G[(gsize) r * m + j] + t * u[r];
  as_simulate_normalize_columns (n, m, D);
}

gboolean
as_simulate_dictionary_coherence (AsRng *rng, guint n, guint m, double coherence, double *D,
                                  GError **error)
{
  g_autofree double *G = g_new (double, (gsize) n * m);

  if (!(coherence >= 0.0 && coherence <= 1.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The mutual coherence must be in [0, 1], not %g"), coherence);
      return FALSE;
    }
  as_simulate_dictionary_sphere (rng, n, m, G);
  return as_simulate_dictionary_raise_coherence (rng, n, m, G, coherence, D, error);
}

gboolean
as_simulate_dictionary_raise_coherence (AsRng *rng, guint n, guint m, const double *G,
                                        double coherence, double *D, GError **error)
{
  g_autofree double *u = g_new (double, n);
  double lo = 0.0, hi = 1.0, mu0;

  if (!(coherence >= 0.0 && coherence <= 1.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The mutual coherence must be in [0, 1], not %g"), coherence);
      return FALSE;
    }
  as_rng_normal_fill (rng, u, n);
  cblas_dscal (n, 1.0 / cblas_dnrm2 (n, u, 1), u, 1);
  mu0 = as_metrics_mutual_coherence (n, m, G);
  if (coherence < mu0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("A mutual coherence of %g is below that of a random %u × %u dictionary "
                     "(%g): ask for at least that much, or for fewer atoms"),
                   coherence, n, m, mu0);
      return FALSE;
    }
  /* μ(t) is continuous with μ(0) = μ0 and μ(1) = 1: bisection. */
  for (int it = 0; it < 60 && hi - lo > 1e-13; it++)
    {
      double mid = 0.5 * (lo + hi);

      mix_dictionary (n, m, G, u, mid, D);
      if (as_metrics_mutual_coherence (n, m, D) < coherence)
        lo = mid;
      else
        hi = mid;
    }
  mix_dictionary (n, m, G, u, lo, D);
  return TRUE;
}
