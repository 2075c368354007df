/* as-cdl-sim.c: simulated convolutional problems and the recovery score.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <math.h>
#include <string.h>

#include "as-cdl-sim.h"
#include "as-hungarian.h"
#include "as-rng.h"

void
as_cdl_sim_params_init (AsCdlSimParams *p)
{
  memset (p, 0, sizeof *p);
  p->n_trials = 10;
  p->n_channels = 5;
  p->n_times = 703;
  p->n_atoms = 2;
  p->atom_length = 64;
  p->rank1 = TRUE;
  p->activations = AS_CDL_ACTIVATIONS_BERNOULLI;
  p->rate = 0.05;
  p->noise_std = 0.01;
  p->snr_db = NAN;
  p->seed = 0;
}

static void
normalize (double *x, gsize n, gboolean center)
{
  double mean = 0.0, n2 = 0.0;

  if (center)
    {
      for (gsize i = 0; i < n; i++)
        mean += x[i];
      mean /= n;
    }
  for (gsize i = 0; i < n; i++)
    {
      x[i] -= mean;
      n2 += x[i] * x[i];
    }
  if (n2 > 0.0)
    for (gsize i = 0; i < n; i++)
      x[i] /= sqrt (n2);
}

void
as_cdl_waveform (AsCdlWaveform kind, guint n, double *out)
{
  for (guint i = 0; i < n; i++)
    {
      double t = (i + 0.5) / n;   /* (0, 1) */
      switch (kind)
        {
        case AS_CDL_WAVE_TRIANGLE:
          out[i] = 1.0 - fabs (2.0 * t - 1.0);
          break;
        case AS_CDL_WAVE_SQUARE:
          out[i] = t < 0.5 ? 1.0 : -1.0;
          break;
        case AS_CDL_WAVE_SINE_BURST:
        default:
          /* Two periods under a Hann window. */
          out[i] = sin (4.0 * G_PI * t) * 0.5 * (1.0 - cos (2.0 * G_PI * t));
          break;
        }
    }
  normalize (out, n, TRUE);
}

AsCdlSimulation *
as_cdl_simulate_signals (const AsCdlSimParams *p)
{
  AsCdlSimulation *sim = g_new0 (AsCdlSimulation, 1);
  const guint K = p->n_atoms, P = p->n_channels, L = p->atom_length;
  gsize nv, ssz, asz;
  double *rec, sig2 = 0.0;
  AsRng rng;

  sim->shape = (AsCscShape) { K, P, 1, p->n_times, 1, L };
  sim->n_trials = p->n_trials;
  nv = as_csc_n_valid (&sim->shape);
  ssz = as_csc_signal_size (&sim->shape);
  asz = as_csc_atom_size (&sim->shape);
  as_rng_init (&rng, p->seed);

  sim->u = g_new (double, (gsize) K * P);
  sim->v = g_new (double, (gsize) K * L);
  sim->atoms = g_new (double, K * asz);
  for (guint k = 0; k < K; k++)
    {
      as_cdl_waveform ((AsCdlWaveform) (k % 3), L, sim->v + (gsize) k * L);
      for (guint c = 0; c < P; c++)
        {
          /* sin and cos over the channels, then shifted phases for more atoms */
          double phase = 2.0 * G_PI * c / P + k * G_PI / 2.0 + (k / 2) * 0.7;
          sim->u[(gsize) k * P + c] = P == 1 ? 1.0 : (p->rank1 ? sin (phase) : 1.0);
        }
      normalize (sim->u + (gsize) k * P, P, FALSE);
      for (guint c = 0; c < P; c++)
        for (guint t = 0; t < L; t++)
          sim->atoms[k * asz + (gsize) c * L + t] = sim->u[(gsize) k * P + c] * sim->v[(gsize) k * L + t];
    }

  sim->z = g_new0 (double, (gsize) p->n_trials * K * nv);
  for (guint n = 0; n < p->n_trials; n++)
    for (guint k = 0; k < K; k++)
      {
        double *zk = sim->z + ((gsize) n * K + k) * nv;
        if (p->activations == AS_CDL_ACTIVATIONS_ONE_PER_TRIAL)
          zk[as_rng_below (&rng, (guint32) nv)] = as_rng_uniform (&rng);
        else
          for (gsize t = 0; t < nv; t++)
            if (as_rng_uniform (&rng) < p->rate)
              zk[t] = as_rng_uniform (&rng);
      }

  sim->x = g_new (double, (gsize) p->n_trials * ssz);
  rec = g_new (double, ssz);
  for (guint n = 0; n < p->n_trials; n++)
    {
      as_csc_reconstruct (&sim->shape, sim->atoms, sim->z + (gsize) n * K * nv, rec);
      memcpy (sim->x + (gsize) n * ssz, rec, sizeof (double) * ssz);
      for (gsize i = 0; i < ssz; i++)
        sig2 += rec[i] * rec[i];
    }
  sim->noise_std = p->noise_std;
  if (!isnan (p->snr_db))
    sim->noise_std = sqrt (sig2 / ((double) p->n_trials * ssz) / pow (10.0, p->snr_db / 10.0));
  for (gsize i = 0; i < (gsize) p->n_trials * ssz; i++)
    sim->x[i] += sim->noise_std * as_rng_normal (&rng);
  g_free (rec);
  return sim;
}

/* Patch shapes: a cross, a square ring, a diagonal bar, a disc, a checker. */
static void
patch_shape (guint kind, guint n, double *out)
{
  for (guint a = 0; a < n; a++)
    for (guint b = 0; b < n; b++)
      {
        double y = (a + 0.5) / n - 0.5, x = (b + 0.5) / n - 0.5, v;
        switch (kind % 5)
          {
          case 0: v = (fabs (x) < 0.15 || fabs (y) < 0.15) ? 1.0 : 0.0; break;
          case 1: v = (MAX (fabs (x), fabs (y)) > 0.3) ? 1.0 : 0.0; break;
          case 2: v = fabs (x - y) < 0.2 ? 1.0 : 0.0; break;
          case 3: v = x * x + y * y < 0.16 ? 1.0 : 0.0; break;
          default: v = ((a * 2 / n) + (b * 2 / n)) % 2 ? 1.0 : -1.0; break;
          }
        out[(gsize) a * n + b] = v;
      }
  normalize (out, (gsize) n * n, FALSE);
}

AsCdlSimulation *
as_cdl_simulate_image (guint height, guint width, guint n_channels, guint n_patches,
                       guint patch_size, guint n_occurrences, double noise_std, guint64 seed)
{
  AsCdlSimulation *sim = g_new0 (AsCdlSimulation, 1);
  const guint K = n_patches, P = n_channels, h = patch_size;
  const gsize hw = (gsize) h * h;
  gsize nv, ssz, asz;
  guint Hv, Wv;
  AsRng rng;

  sim->shape = (AsCscShape) { K, P, height, width, h, h };
  sim->n_trials = 1;
  nv = as_csc_n_valid (&sim->shape);
  ssz = as_csc_signal_size (&sim->shape);
  asz = as_csc_atom_size (&sim->shape);
  Hv = as_csc_valid_height (&sim->shape);
  Wv = as_csc_valid_width (&sim->shape);
  as_rng_init (&rng, seed);

  /* Colour channels: the patch shape with a per-channel gain. */
  sim->atoms = g_new (double, K * asz);
  for (guint k = 0; k < K; k++)
    {
      for (guint c = 0; c < P; c++)
        {
          patch_shape (k, h, sim->atoms + k * asz + c * hw);
          for (gsize i = 0; i < hw; i++)
            sim->atoms[k * asz + c * hw + i] *= 1.0 + 0.5 * ((k + c) % 3);
        }
      normalize (sim->atoms + k * asz, asz, FALSE);
    }
  sim->z = g_new0 (double, K * nv);
  for (guint k = 0; k < K; k++)
    for (guint o = 0; o < n_occurrences; o++)
      {
        guint y = as_rng_below (&rng, Hv), x = as_rng_below (&rng, Wv);
        sim->z[k * nv + (gsize) y * Wv + x] = 0.5 + 0.5 * as_rng_uniform (&rng);
      }
  sim->x = g_new (double, ssz);
  as_csc_reconstruct (&sim->shape, sim->atoms, sim->z, sim->x);
  sim->noise_std = noise_std;
  for (gsize i = 0; i < ssz; i++)
    sim->x[i] += noise_std * as_rng_normal (&rng);
  return sim;
}

void
as_cdl_simulation_free (AsCdlSimulation *sim)
{
  if (sim == NULL)
    return;
  g_free (sim->x);
  g_free (sim->atoms);
  g_free (sim->u);
  g_free (sim->v);
  g_free (sim->z);
  g_free (sim);
}

/* max over shifts of ⟨A, shift(B)⟩ / (‖A‖‖B‖), atoms P × h × w. */
static double
max_shift_correlation (const double *A, const double *B, guint P, guint h, guint w,
                       gboolean allow_sign)
{
  const gsize hw = (gsize) h * w;
  double na = 0.0, nb = 0.0, best = -G_MAXDOUBLE;

  for (gsize i = 0; i < P * hw; i++)
    {
      na += A[i] * A[i];
      nb += B[i] * B[i];
    }
  if (na == 0.0 || nb == 0.0)
    return 0.0;
  for (int oy = -(int) h + 1; oy < (int) h; oy++)
    for (int ox = -(int) w + 1; ox < (int) w; ox++)
      {
        int a0 = MAX (0, -oy), a1 = MIN ((int) h, (int) h - oy);
        int b0 = MAX (0, -ox), b1 = MIN ((int) w, (int) w - ox);
        double acc = 0.0;
        for (guint p = 0; p < P; p++)
          for (int a = a0; a < a1; a++)
            {
              const double *ra = A + p * hw + (gsize) a * w;
              const double *rb = B + p * hw + (gsize) (a + oy) * w + ox;
              for (int b = b0; b < b1; b++)
                acc += ra[b] * rb[b];
            }
        best = MAX (best, allow_sign ? fabs (acc) : acc);
      }
  return best / sqrt (na * nb);
}

double
as_cdl_recovery_score (guint n_channels, guint atom_height, guint atom_width,
                       const double *true_atoms, guint n_true, const double *learned,
                       guint n_learned, gboolean allow_sign)
{
  const gsize asz = (gsize) n_channels * atom_height * atom_width;
  double *score = g_new (double, (gsize) n_true * n_learned);
  guint *assignment = g_new (guint, n_true);
  double total;

  if (n_true == 0)
    return 0.0;
  for (guint i = 0; i < n_true; i++)
    for (guint j = 0; j < n_learned; j++)
      score[(gsize) i * n_learned + j] =
        max_shift_correlation (true_atoms + i * asz, learned + j * asz, n_channels,
                               atom_height, atom_width, allow_sign);
  total = as_hungarian_maximize (score, n_true, n_learned, assignment);
  g_free (score);
  g_free (assignment);
  return total / n_true;
}
