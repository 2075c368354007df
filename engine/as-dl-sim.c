/* as-dl-sim.c: controlled dictionary-learning problems for the recovery lab.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-dl"
#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <glib/gi18n-lib.h>

#include "as-dl-sim.h"
#include "as-engine.h"
#include "as-metrics.h"
#include "as-simulate.h"

static const char *const dictionary_names[AS_DL_N_DICTIONARIES] = { "gaussian", "coherence" };
static const char *const amplitude_names[AS_DL_N_AMPLITUDES] = { "gaussian", "sign", "bounded" };
static const char *const support_names[AS_DL_N_SUPPORTS] = { "fixed", "bernoulli" };

gboolean
as_dl_name_lookup (const char *const *names, guint count, const char *name, guint *out)
{
  for (guint k = 0; k < count; k++)
    if (name != NULL && strcmp (name, names[k]) == 0)
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}

const char *
as_dl_dictionary_kind_to_string (AsDlDictionaryKind kind)
{
  g_return_val_if_fail (kind < AS_DL_N_DICTIONARIES, NULL);
  return dictionary_names[kind];
}

gboolean
as_dl_dictionary_kind_from_string (const char *name, AsDlDictionaryKind *kind)
{
  guint k;

  if (!as_dl_name_lookup (dictionary_names, AS_DL_N_DICTIONARIES, name, &k))
    return FALSE;
  *kind = k;
  return TRUE;
}

const char *
as_dl_amplitude_to_string (AsDlAmplitude amplitude)
{
  g_return_val_if_fail (amplitude < AS_DL_N_AMPLITUDES, NULL);
  return amplitude_names[amplitude];
}

gboolean
as_dl_amplitude_from_string (const char *name, AsDlAmplitude *amplitude)
{
  guint k;

  if (!as_dl_name_lookup (amplitude_names, AS_DL_N_AMPLITUDES, name, &k))
    return FALSE;
  *amplitude = k;
  return TRUE;
}

const char *
as_dl_support_to_string (AsDlSupport support)
{
  g_return_val_if_fail (support < AS_DL_N_SUPPORTS, NULL);
  return support_names[support];
}

gboolean
as_dl_support_from_string (const char *name, AsDlSupport *support)
{
  guint k;

  if (!as_dl_name_lookup (support_names, AS_DL_N_SUPPORTS, name, &k))
    return FALSE;
  *support = k;
  return TRUE;
}

void
as_dl_sim_params_init (AsDlSimParams *p)
{
  memset (p, 0, sizeof *p);
  p->n = 64;
  p->m = 128;
  p->n_signals = 2000;
  p->dictionary = AS_DL_DICTIONARY_GAUSSIAN;
  p->coherence = 0.3;
  p->sparsity = 0.05;
  p->amplitude = AS_DL_AMPLITUDE_BOUNDED;
  p->support = AS_DL_SUPPORT_FIXED;
  p->snr_db = 30.0;
  p->seed = 0;
}

double
as_dl_lower_coherence (guint n, guint m, double target, guint max_iter, double *D)
{
  g_autofree double *G = g_new (double, (gsize) m * m);
  g_autofree double *w = g_new (double, m);
  g_autofree double *V = g_new (double, (gsize) m * n);
  g_autofree lapack_int *isuppz = g_new (lapack_int, 2 * m);
  g_autofree double *best = g_memdup2 (D, sizeof (double) * n * m);
  double best_mu = as_metrics_mutual_coherence (n, m, D);

  double clip = 0.97 * target;

  if (n >= m)
    return best_mu;
  for (guint it = 0; it < max_iter && best_mu > target; it++)
    {
      lapack_int found = 0;
      double mu;

      /* Structural projection: unit diagonal, |G_ij| ≤ target elsewhere (aiming
       * a little below the target: the iterates approach the clipped set from
       * outside and would otherwise cross the target only after many rounds). */
      cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, n, 1.0, D, m, D, m, 0.0, G, m);
      for (guint i = 0; i < m; i++)
        for (guint j = 0; j < m; j++)
          {
            double *g = G + (gsize) i * m + j;

            if (i == j)
              *g = 1.0;
            else
              *g = CLAMP (*g, -clip, clip);
          }
      /* Spectral projection: the n largest eigenpairs, G ≈ V Λ Vᵀ, D = Λ^{1/2} Vᵀ. */
      if (LAPACKE_dsyevr (LAPACK_ROW_MAJOR, 'V', 'I', 'U', m, G, m, 0.0, 0.0, m - n + 1, m,
                          0.0, &found, w, V, n, isuppz) != 0 || found != (lapack_int) n)
        break;
      for (guint r = 0; r < n; r++)
        {
          double s = sqrt (MAX (w[r], 0.0));

          for (guint j = 0; j < m; j++)
            D[(gsize) r * m + j] = s * V[(gsize) j * n + r];
        }
      as_simulate_normalize_columns (n, m, D);
      mu = as_metrics_mutual_coherence (n, m, D);
      if (mu < best_mu)
        {
          best_mu = mu;
          memcpy (best, D, sizeof (double) * n * m);
        }
    }
  memcpy (D, best, sizeof (double) * n * m);
  return best_mu;
}

gboolean
as_dl_sim_dictionary (const AsDlSimParams *p, double *D, double *coherence, GError **error)
{
  AsRng rng;
  double mu0;

  if (p->n == 0 || p->m == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The problem sizes must be positive (n = %u, m = %u)"), p->n, p->m);
      return FALSE;
    }
  as_rng_init (&rng, p->seed);
  as_simulate_dictionary_sphere (&rng, p->n, p->m, D);
  mu0 = as_metrics_mutual_coherence (p->n, p->m, D);
  if (p->dictionary == AS_DL_DICTIONARY_COHERENCE)
    {
      if (!(p->coherence >= 0.0 && p->coherence <= 1.0))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("The mutual coherence must be in [0, 1], not %g"), p->coherence);
          return FALSE;
        }
      /* Below the random draw's coherence: alternating projections, which land
       * a little under the target; then up to the target exactly by mixing. */
      if (p->coherence < mu0)
        mu0 = as_dl_lower_coherence (p->n, p->m, p->coherence, 300, D);
      if (p->coherence > mu0)
        {
          g_autofree double *G = g_memdup2 (D, sizeof (double) * p->n * p->m);

          if (!as_simulate_dictionary_raise_coherence (&rng, p->n, p->m, G, p->coherence, D, error))
            return FALSE;
          mu0 = as_metrics_mutual_coherence (p->n, p->m, D);
        }
    }
  if (coherence != NULL)
    *coherence = mu0;
  return TRUE;
}

static double
draw_amplitude (AsRng *rng, AsDlAmplitude law)
{
  double sign = as_rng_uniform (rng) < 0.5 ? -1.0 : 1.0;

  switch (law)
    {
    case AS_DL_AMPLITUDE_SIGN:
      return sign;
    case AS_DL_AMPLITUDE_BOUNDED:
      return sign * (0.5 + as_rng_uniform (rng));
    case AS_DL_AMPLITUDE_GAUSSIAN:
    case AS_DL_N_AMPLITUDES:
    default:
      return as_rng_normal (rng);
    }
}

AsDlProblem *
as_dl_sim_problem (const AsDlSimParams *p, const double *D, GError **error)
{
  g_autoptr (AsDlProblem) pb = NULL;
  g_autofree guint *perm = NULL;
  guint n = p->n, m = p->m, N = p->n_signals;
  double k = p->sparsity * n, signal2 = 0.0;
  AsRng rng;

  if (n == 0 || m == 0 || N == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The problem sizes must be positive (n = %u, m = %u, %u signals)"), n, m, N);
      return NULL;
    }
  if (!(p->sparsity > 0.0) || k > m || isnan (p->snr_db))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Invalid code model: the sparsity %g times n = %u must be in (0, m = %u] "
                     "and the signal-to-noise ratio a number of decibels"), p->sparsity, n, m);
      return NULL;
    }
  pb = g_new0 (AsDlProblem, 1);
  pb->n = n;
  pb->m = m;
  pb->n_signals = N;
  pb->D = g_new (double, (gsize) n * m);
  if (D != NULL)
    {
      memcpy (pb->D, D, sizeof (double) * n * m);
      pb->coherence = as_metrics_mutual_coherence (n, m, D);
    }
  else if (!as_dl_sim_dictionary (p, pb->D, &pb->coherence, error))
    return NULL;

  /* The codes have their own stream, so that a shared dictionary and a
   * freshly drawn one give the same codes. */
  as_rng_init (&rng, p->seed ^ G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));
  pb->Z = g_new0 (double, (gsize) N * m);
  perm = g_new (guint, m);
  for (guint i = 0; i < N; i++)
    {
      double *z = pb->Z + (gsize) i * m;

      if (p->support == AS_DL_SUPPORT_FIXED)
        {
          guint kk = (guint) MAX (1.0, round (k));

          for (guint j = 0; j < m; j++)
            perm[j] = j;
          /* A partial Fisher–Yates shuffle picks kk atoms without replacement. */
          for (guint j = 0; j < kk; j++)
            {
              guint r = j + as_rng_below (&rng, m - j), t = perm[j];

              perm[j] = perm[r];
              perm[r] = t;
              z[perm[j]] = draw_amplitude (&rng, p->amplitude);
            }
        }
      else
        for (guint j = 0; j < m; j++)
          if (as_rng_uniform (&rng) < k / m)
            z[j] = draw_amplitude (&rng, p->amplitude);
    }
  pb->X = g_new (double, (gsize) N * n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, N, n, m, 1.0, pb->Z, m, pb->D, m,
               0.0, pb->X, n);
  for (gsize i = 0; i < (gsize) N * n; i++)
    signal2 += pb->X[i] * pb->X[i];
  pb->noise_std = isinf (p->snr_db) ? 0.0
                    : sqrt (signal2 / ((double) N * n) / pow (10.0, p->snr_db / 10.0));
  if (pb->noise_std > 0.0)
    for (gsize i = 0; i < (gsize) N * n; i++)
      pb->X[i] += pb->noise_std * as_rng_normal (&rng);
  return g_steal_pointer (&pb);
}

void
as_dl_problem_free (AsDlProblem *pb)
{
  if (pb == NULL)
    return;
  g_free (pb->D);
  g_free (pb->Z);
  g_free (pb->X);
  g_free (pb);
}

AsCdlSimulation *
as_dl_sim_convolutional (guint n_trials, guint n_times, guint n_atoms, guint atom_length,
                         double sparsity, double snr_db, guint64 seed)
{
  AsCdlSimParams cp;

  as_cdl_sim_params_init (&cp);
  cp.n_trials = n_trials;
  cp.n_channels = 1;
  cp.n_times = n_times;
  cp.n_atoms = n_atoms;
  cp.atom_length = atom_length;
  cp.rank1 = FALSE;
  cp.activations = AS_CDL_ACTIVATIONS_BERNOULLI;
  cp.rate = n_atoms > 0 ? sparsity / n_atoms : 0.0;
  cp.snr_db = snr_db;
  cp.seed = seed;
  return as_cdl_simulate_signals (&cp);
}
