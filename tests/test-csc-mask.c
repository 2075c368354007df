/* test-csc-mask.c: learning with samples left out (gaps, missing values).
 *
 * The masked objective's gradients against finite differences (in z, in full-rank atoms, in
 * u and v), the masked statistics against the objective computed directly, the KKT
 * conditions at the masked LGCD solution, and learning on a recording with a gap whose
 * edges hold a step: the planted atoms are found and no activation lies inside the gap.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-cdl.h"
#include "as-cdl-dstep.h"
#include "as-cdl-sim.h"
#include "as-csc.h"
#include "as-csc-mask.h"
#include "as-engine.h"
#include "as-params.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "as-rng.h"

typedef struct
{
  AsCscShape s;
  double    *atoms, *u, *v, *x, *z;
  guint8    *mask;
} Masked;

/* Rank-1 unit atoms, sparse activations, noise, and two gaps (one at the start). */
static Masked *
masked_new (guint K, guint P, guint W, guint L, guint64 seed)
{
  Masked *m = g_new0 (Masked, 1);
  AsRng rng;
  gsize nv, asz;
  double *rec;

  m->s = (AsCscShape) { K, P, 1, W, 1, L };
  nv = as_csc_n_valid (&m->s);
  asz = as_csc_atom_size (&m->s);
  as_rng_init (&rng, seed);
  m->u = g_new (double, (gsize) K * P);
  m->v = g_new (double, (gsize) K * L);
  m->atoms = g_new (double, K * asz);
  as_rng_normal_fill (&rng, m->u, (gsize) K * P);
  as_rng_normal_fill (&rng, m->v, (gsize) K * L);
  for (guint k = 0; k < K; k++)
    {
      double nu = 0, nw = 0;
      for (guint p = 0; p < P; p++)
        nu += m->u[k * P + p] * m->u[k * P + p];
      for (guint t = 0; t < L; t++)
        nw += m->v[k * L + t] * m->v[k * L + t];
      for (guint p = 0; p < P; p++)
        m->u[k * P + p] /= sqrt (nu);
      for (guint t = 0; t < L; t++)
        m->v[k * L + t] /= sqrt (nw);
    }
  as_cdl_rank1_to_atoms (&m->s, m->u, m->v, m->atoms);
  m->z = g_new0 (double, K * nv);
  for (gsize i = 0; i < K * nv; i++)
    if (as_rng_uniform (&rng) < 0.03)
      m->z[i] = 0.5 + as_rng_uniform (&rng);
  rec = g_new (double, as_csc_signal_size (&m->s));
  m->x = g_new (double, as_csc_signal_size (&m->s));
  as_csc_reconstruct (&m->s, m->atoms, m->z, rec);
  for (gsize i = 0; i < as_csc_signal_size (&m->s); i++)
    m->x[i] = rec[i] + 0.05 * as_rng_normal (&rng);
  g_free (rec);
  m->mask = g_new0 (guint8, W);
  for (guint t = 0; t < L / 2; t++)
    m->mask[t] = 1;                      /* a gap at the start */
  for (guint t = W / 3; t < W / 3 + 3 * L / 2; t++)
    m->mask[t] = 1;                      /* a gap longer than an atom */
  m->mask[2 * W / 3] = 1;                /* one missing sample */
  /* What is at masked samples must not matter. */
  for (guint p = 0; p < P; p++)
    for (guint t = 0; t < W; t++)
      if (m->mask[t])
        m->x[(gsize) p * W + t] = 1e3 * (t % 2 ? 1 : -1);
  return m;
}

static void
masked_free (Masked *m)
{
  g_free (m->atoms);
  g_free (m->u);
  g_free (m->v);
  g_free (m->x);
  g_free (m->z);
  g_free (m->mask);
  g_free (m);
}

/* ∂/∂z of the masked data term against central differences. */
static void
test_gradient_z (void)
{
  Masked *m = masked_new (2, 3, 200, 15, 3);
  const gsize n = 2 * as_csc_n_valid (&m->s);
  double *g = g_new (double, n), *z = g_memdup2 (m->z, sizeof (double) * n);
  AsRng rng;
  double worst = 0.0;

  as_rng_init (&rng, 5);
  for (gsize i = 0; i < n; i++)
    z[i] = 0.3 * as_rng_normal (&rng);
  as_csc_masked_gradient (&m->s, m->atoms, m->x, m->mask, z, g);
  for (gsize i = 0; i < n; i += 7)
    {
      const double h = 1e-5, z0 = z[i];
      double fp, fm;
      z[i] = z0 + h;
      fp = as_csc_masked_objective (&m->s, m->atoms, m->x, m->mask, z, 1, 0.0);
      z[i] = z0 - h;
      fm = as_csc_masked_objective (&m->s, m->atoms, m->x, m->mask, z, 1, 0.0);
      z[i] = z0;
      worst = MAX (worst, fabs ((fp - fm) / (2 * h) - g[i]) / MAX (1.0, fabs (g[i])));
    }
  g_test_message ("z gradient: largest relative error %.2e", worst);
  g_assert_cmpfloat (worst, <, 1e-6);
  g_free (g);
  g_free (z);
  masked_free (m);
}

/* Statistics of the zeroed data + the patches' correction = the masked data term, and its
 * gradients in D (full rank), u and v against central differences. */
static void
test_dstep_gradients (void)
{
  Masked *m = masked_new (2, 3, 200, 15, 7);
  const AsCscShape *s = &m->s;
  const guint K = 2, P = 3, L = 15, W = 200;
  const gsize asz = as_csc_atom_size (s), ssz = as_csc_signal_size (s);
  double *ztz = g_new0 (double, K * K * as_csc_lag_size (s)), *ztx = g_new0 (double, K * asz);
  double *xz = g_new (double, ssz), x2 = 0.0, direct, cost, worst = 0.0;
  double *gd = g_new (double, K * asz), *gu = g_new (double, K * P), *gv = g_new (double, K * L);
  double *atoms = g_memdup2 (m->atoms, sizeof (double) * K * asz);
  g_autoptr (AsCscMaskPatches) patches = as_csc_mask_patches_new (s);

  for (gsize i = 0; i < ssz; i++)
    {
      xz[i] = m->mask[i % W] ? 0.0 : m->x[i];
      x2 += xz[i] * xz[i];
    }
  as_cdl_stats_add (s, xz, m->z, ztz, ztx);
  as_csc_mask_patches_add (patches, m->mask, m->z);
  g_assert_cmpuint (as_csc_mask_patches_count (patches), >, 0);

  /* Full rank: the cost equals the directly computed masked data term. */
  direct = as_csc_masked_objective (s, atoms, m->x, m->mask, m->z, 1, 0.0);
  cost = as_cdl_dstep_cost (s, ztz, ztx, x2, atoms, gd)
         + as_csc_mask_patches_cost (patches, atoms, gd);
  g_test_message ("masked data term %.10g, from the statistics %.10g", direct, cost);
  g_assert_cmpfloat (fabs (cost - direct), <, 1e-9 * MAX (1.0, direct));
  for (gsize i = 0; i < K * asz; i += 5)
    {
      const double h = 1e-6, a0 = atoms[i];
      double fp, fm;
      atoms[i] = a0 + h;
      fp = as_csc_masked_objective (s, atoms, m->x, m->mask, m->z, 1, 0.0);
      atoms[i] = a0 - h;
      fm = as_csc_masked_objective (s, atoms, m->x, m->mask, m->z, 1, 0.0);
      atoms[i] = a0;
      worst = MAX (worst, fabs ((fp - fm) / (2 * h) - gd[i]) / MAX (1.0, fabs (gd[i])));
    }
  g_test_message ("D gradient: largest relative error %.2e", worst);
  g_assert_cmpfloat (worst, <, 1e-5);

  /* Rank-1: the same cost, and gradients in u and v. */
  memset (gu, 0, sizeof (double) * K * P);
  memset (gv, 0, sizeof (double) * K * L);
  cost = as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, m->u, m->v, gu, gv)
         + as_csc_mask_patches_cost_rank1 (patches, m->u, m->v, gu, gv);
  g_assert_cmpfloat (fabs (cost - direct), <, 1e-9 * MAX (1.0, direct));
  worst = 0.0;
  for (int which = 0; which < 2; which++)
    {
      double *par = which == 0 ? m->u : m->v, *g = which == 0 ? gu : gv;
      const gsize np = which == 0 ? K * P : K * L;
      for (gsize i = 0; i < np; i++)
        {
          const double h = 1e-6, a0 = par[i];
          double fp, fm;
          par[i] = a0 + h;
          as_cdl_rank1_to_atoms (s, m->u, m->v, atoms);
          fp = as_csc_masked_objective (s, atoms, m->x, m->mask, m->z, 1, 0.0);
          par[i] = a0 - h;
          as_cdl_rank1_to_atoms (s, m->u, m->v, atoms);
          fm = as_csc_masked_objective (s, atoms, m->x, m->mask, m->z, 1, 0.0);
          par[i] = a0;
          worst = MAX (worst, fabs ((fp - fm) / (2 * h) - g[i]) / MAX (1.0, fabs (g[i])));
        }
    }
  g_test_message ("u, v gradients: largest relative error %.2e", worst);
  g_assert_cmpfloat (worst, <, 1e-5);

  g_free (ztz);
  g_free (ztx);
  g_free (xz);
  g_free (gd);
  g_free (gu);
  g_free (gv);
  g_free (atoms);
  masked_free (m);
}

/* The masked LGCD reaches the masked problem's KKT point (full rank and rank-1, warm and cold
 * starts); activations whose atom lies wholly in a gap are zero; without masked samples it
 * gives the objective of the unmasked LGCD. */
static void
test_lgcd_kkt (void)
{
  Masked *m = masked_new (3, 4, 600, 20, 11);
  const AsCscShape *s = &m->s;
  const guint K = 3, L = 20, W = 600;
  const gsize nv = as_csc_n_valid (s);
  double *dtd = g_new (double, (gsize) K * K * as_csc_lag_size (s));
  double *z = g_new0 (double, K * nv), *dtx = g_new (double, K * nv);
  guint8 *none = g_new0 (guint8, W);
  double lambda = 0.0;

  /* λ_max of the masked problem: the largest −gradient at z = 0. */
  as_csc_masked_gradient (s, m->atoms, m->x, m->mask, z, dtx);
  for (gsize i = 0; i < K * nv; i++)
    lambda = MAX (lambda, -dtx[i]);
  lambda *= 0.1;
  as_csc_atom_correlations (s, m->atoms, dtd);
  for (int rank1 = 0; rank1 < 2; rank1++)
    {
      AsCscLgcdStats st;
      double kkt;

      memset (z, 0, sizeof (double) * K * nv);
      /* A warm start with activations inside the gap, which must be cleared. */
      z[W / 3 + 5] = 1.0;
      st = as_csc_lgcd_masked (s, dtd, m->atoms, rank1 ? m->u : NULL, rank1 ? m->v : NULL, m->x,
                               m->mask, lambda, TRUE, 1e-10, 10000000, NULL, z);
      g_assert_true (st.converged);
      g_assert_cmpuint (st.n_updates, >, 20);
      kkt = as_csc_masked_kkt_violation (s, m->atoms, m->x, m->mask, z, lambda, TRUE);
      g_test_message ("masked LGCD (%s): %" G_GUINT64_FORMAT " updates, KKT violation %.2e",
                      rank1 ? "rank-1 correction" : "full-rank correction", st.n_updates, kkt);
      g_assert_cmpfloat (kkt, <, 1e-6);
      for (guint k = 0; k < K; k++)
        for (gsize t = 0; t < nv; t++)
          {
            gboolean inside = TRUE;
            for (guint b = 0; b < L && inside; b++)
              inside = m->mask[t + b];
            if (inside || !as_csc_mask_allows (m->mask, t, L))
              g_assert_cmpfloat (z[k * nv + t], ==, 0.0);
          }
      /* Signed activations too. */
      memset (z, 0, sizeof (double) * K * nv);
      as_csc_lgcd_masked (s, dtd, m->atoms, rank1 ? m->u : NULL, rank1 ? m->v : NULL, m->x,
                          m->mask, lambda, FALSE, 1e-10, 10000000, NULL, z);
      g_assert_cmpfloat (as_csc_masked_kkt_violation (s, m->atoms, m->x, m->mask, z, lambda, FALSE),
                         <, 1e-6);
    }

  /* No sample masked: the unmasked LGCD's objective. */
  {
    double *x = g_memdup2 (m->x, sizeof (double) * as_csc_signal_size (s)), a, b;
    for (gsize i = 0; i < as_csc_signal_size (s); i++)
      if (m->mask[i % W])
        x[i] = 0.0;
    memset (z, 0, sizeof (double) * K * nv);
    as_csc_lgcd_masked (s, dtd, m->atoms, NULL, NULL, x, none, lambda, TRUE, 1e-10, 10000000,
                        NULL, z);
    a = as_csc_objective (s, m->atoms, x, z, 1, lambda);
    memset (z, 0, sizeof (double) * K * nv);
    as_csc_correlate (s, m->atoms, NULL, NULL, x, dtx);
    as_csc_lgcd (s, dtd, dtx, lambda, TRUE, 1e-10, 10000000, z);
    b = as_csc_objective (s, m->atoms, x, z, 1, lambda);
    g_assert_cmpfloat (fabs (a - b), <, 1e-8 * b);
    g_free (x);
  }
  g_free (dtd);
  g_free (dtx);
  g_free (z);
  g_free (none);
  masked_free (m);
}

/* Largest normalised correlation of a waveform with a step (−1 before a cut, +1 after, made
 * zero-mean) over every cut: 1 for a pure step. */
static double
step_likeness (const double *v, guint L)
{
  double best = 0, nv = 0, mean = 0;

  for (guint t = 0; t < L; t++)
    {
      nv += v[t] * v[t];
      mean += v[t] / L;
    }
  for (guint cut = 1; cut < L; cut++)
    {
      /* The zero-mean step: −(L − cut)/L before the cut, cut/L after; ⟨v, step⟩ and ‖step‖. */
      double a = -(double) (L - cut) / L, b = (double) cut / L, dot = 0, ns;
      for (guint t = 0; t < L; t++)
        dot += (v[t] - mean) * (t < cut ? a : b);
      ns = cut * a * a + (L - cut) * b * b;
      best = MAX (best, fabs (dot) / sqrt (ns * nv));
    }
  return best;
}

/* A 4-channel recording with two planted rank-1 atoms and a gap of 20 samples (NaN, flagged
 * missing as a reader flags an EDF+D gap) across which every channel's offset jumps by 4000:
 * prepared with a 1 Hz high-pass and learned with three atoms, as the window and the command
 * line do.  Bridged, the gap is a near step the high-pass turns into a transient; masked, no
 * atom is a step and the planted ones are found. */
static void
test_learn_gap (void)
{
  const guint P = 4, L = 50, T = 6000, g0 = 2500, g1 = 2520;
  const double fs = 250;
  const double u[2][4] = { { 1, 0.8, -0.3, 0.1 }, { -0.2, 0.5, 1, 0.7 } };
  double v[2][50], truth[2 * 4 * 50];
  g_autoptr (AsRecording) rec = as_recording_new (P, T, fs);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *mask = NULL;
  AsPreprocessOptions opts;
  AsCdlParams p;
  AsRng rng;
  gsize n_masked = 0;

  as_rng_init (&rng, 23);
  as_cdl_waveform (AS_CDL_WAVE_SINE_BURST, L, v[0]);
  as_cdl_waveform (AS_CDL_WAVE_TRIANGLE, L, v[1]);
  for (guint k = 0; k < 2; k++)
    {
      double n = 0;
      for (guint c = 0; c < P; c++)
        n += u[k][c] * u[k][c];
      for (guint c = 0; c < P; c++)
        for (guint t = 0; t < L; t++)
          truth[(k * P + c) * L + t] = u[k][c] / sqrt (n) * v[k][t];
    }
  for (guint c = 0; c < P; c++)
    {
      g_autofree char *label = g_strdup_printf ("ch%u", c + 1);
      as_recording_set_channel (rec, c, label, "uV", AS_CHANNEL_OTHER);
      for (guint t = 0; t < T; t++)
        as_recording_channel (rec, c)[t] = (t >= g1 ? 4000.0 : 0.0) + 2.0 * as_rng_normal (&rng);
    }
  for (guint k = 0; k < 2; k++)
    for (guint t = 10 + 40 * k; t + L < T; t += 120 + as_rng_below (&rng, 120))
      {
        double a = 300 + 200 * as_rng_uniform (&rng);
        for (guint c = 0; c < P; c++)
          for (guint s = 0; s < L; s++)
            as_recording_channel (rec, c)[t + s] += a * truth[(k * P + c) * L + s];
      }
  as_recording_mark_missing (rec, G_MAXUINT, g0, g1 - g0);
  as_recording_fill_gaps (rec);

  as_preprocess_options_init (&opts);
  opts.highpass = 1.0;
  out = as_learn_prepare (rec, &opts, &report, &error);
  g_assert_no_error (error);
  g_assert_nonnull (out->missing);
  mask = as_cdl_recording_mask (out);
  g_assert_nonnull (mask);
  for (gsize t = 0; t < T; t++)
    n_masked += mask[t];
  /* The gap, one second (one period of the 1 Hz corner) on each side, and more while the
   * filter's response to the jump is still out of the usual range (at most five periods). */
  g_test_message ("left out: %zu samples around a gap of %u", n_masked, g1 - g0);
  g_assert_cmpuint (n_masked, >=, (g1 - g0) + 2 * 250);
  g_assert_cmpuint (n_masked, <=, (g1 - g0) + 2 * 5 * 250);
  g_assert_cmpuint (report->n_masked, ==, n_masked);

  as_cdl_params_init (&p);
  p.n_atoms = 3;
  p.atom_length = L;
  p.max_iter = 60;
  p.seed = 1;

  /* For the record: the same learning on the bridged data, without the mask. */
  {
    g_autoptr (AsCdlModel) plain = as_cdl_learn (out->data, 1, P, 1, T, &p, NULL, NULL, NULL);
    double worst = 0;
    for (guint k = 0; plain != NULL && k < 3; k++)
      worst = MAX (worst, step_likeness (plain->v + (gsize) k * L, L));
    if (plain != NULL)
      g_test_message ("without the mask (gap bridged): recovery %.4f, most step-like atom %.3f",
                      as_cdl_recovery_score (P, 1, L, truth, 2, plain->atoms, 3, FALSE), worst);
  }

  m = as_cdl_learn_masked (out->data, mask, 1, P, T, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  {
    double score = as_cdl_recovery_score (P, 1, L, truth, 2, m->atoms, 3, FALSE), worst = 0;
    for (guint k = 0; k < 3; k++)
      worst = MAX (worst, step_likeness (m->v + (gsize) k * L, L));
    g_test_message ("with the gap masked: recovery %.4f, most step-like atom %.3f (%u iterations, %s)",
                    score, worst, m->iteration, as_cdl_end_state_to_string (m->end_state));
    g_assert_cmpfloat (score, >=, 0.95);
    /* No atom is the gap's edge step. */
    g_assert_cmpfloat (worst, <, 0.9);
  }
  /* No activation whose atom lies in the masked stretch. */
  for (guint k = 0; k < 3; k++)
    {
      const double *z = as_cdl_model_get_activation (m, 0, k);
      for (gsize t = 0; t + L <= T; t++)
        {
          gboolean inside = TRUE;
          for (guint b = 0; b < L && inside; b++)
            inside = mask[t + b];
          if (inside || !as_csc_mask_allows (mask, t, L))
            g_assert_cmpfloat (z[t], ==, 0.0);
        }
    }
}

/* An eye-position channel with jerk beats (slow ramp, quick return) and ten blinks, each a
 * run of missing samples (as an eye tracker's reader flags them) after which the gaze has
 * moved by several degrees: bridged, every blink is a ramp between two levels; masked, the
 * one learned atom is the beat. */
static void
test_learn_blinks (void)
{
  const guint L = 60, T = 12000;
  const double fs = 200;
  double beat[60], truth[60];
  g_autoptr (AsRecording) rec = as_recording_new (1, T, fs);
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsLearnReport) report = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsCdlModel) plain = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *mask = NULL;
  double *x = as_recording_channel (rec, 0);
  AsPreprocessOptions opts;
  AsCdlParams p;
  AsRng rng;
  double score_mask, score_plain;

  as_rng_init (&rng, 41);
  for (guint t = 0; t < L; t++)
    beat[t] = t < 48 ? t / 47.0 : 1.0 - (t - 47) / 12.0;
  {
    double mean = 0, nrm = 0;
    for (guint t = 0; t < L; t++)
      mean += beat[t] / L;
    for (guint t = 0; t < L; t++)
      nrm += (beat[t] - mean) * (beat[t] - mean);
    for (guint t = 0; t < L; t++)
      truth[t] = (beat[t] - mean) / sqrt (nrm);
  }
  as_recording_set_channel (rec, 0, "horizontal eye position", "deg", AS_CHANNEL_GAZE);
  for (guint t = 0; t < T; t++)
    x[t] = 0.03 * as_rng_normal (&rng);
  for (guint t = 20; t + L < T; t += 90 + as_rng_below (&rng, 60))
    {
      double a = 2.0 + as_rng_uniform (&rng);
      for (guint s = 0; s < L; s++)
        x[t + s] += a * truth[s];
    }
  /* Ten blinks of 50 samples; the gaze settles elsewhere after each. */
  for (guint b = 0; b < 10; b++)
    {
      guint at = 600 + b * 1100 + as_rng_below (&rng, 300);
      double jump = (b % 2 ? -1 : 1) * (6.0 + 4.0 * as_rng_uniform (&rng));
      for (guint t = at + 50; t < T; t++)
        x[t] += jump;
      as_recording_mark_missing (rec, G_MAXUINT, at, 50);
    }
  as_recording_fill_gaps (rec);

  as_preprocess_options_init (&opts);
  out = as_learn_prepare (rec, &opts, &report, &error);
  g_assert_no_error (error);
  mask = as_cdl_recording_mask (out);
  g_assert_nonnull (mask);

  as_cdl_params_init (&p);
  p.n_atoms = 1;
  p.atom_length = L;
  p.max_iter = 60;
  p.seed = 2;
  plain = as_cdl_learn (out->data, 1, 1, 1, T, &p, NULL, NULL, NULL);
  m = as_cdl_learn_masked (out->data, mask, 1, 1, T, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  score_plain = as_cdl_recovery_score (1, 1, L, truth, 1, plain->atoms, 1, FALSE);
  score_mask = as_cdl_recovery_score (1, 1, L, truth, 1, m->atoms, 1, FALSE);
  g_test_message ("blinks: recovery bridged %.4f, masked %.4f; %zu samples left out",
                  score_plain, score_mask, report->n_masked);
  g_assert_cmpfloat (score_mask, >=, 0.95);
}

/* The masked z-step's time against the unmasked LGCD on the same data, in the same run
 * (reported, with both solutions checked): 8 channels, 20 000 samples, 5 atoms of 64. */
static void
test_timing (void)
{
  Masked *m = masked_new (5, 8, 20000, 64, 31);
  const AsCscShape *s = &m->s;
  const guint K = 5, W = 20000;
  const gsize nv = as_csc_n_valid (s), ssz = as_csc_signal_size (s);
  double *dtd = g_new (double, (gsize) K * K * as_csc_lag_size (s));
  double *dtx = g_new (double, K * nv), *z = g_new0 (double, K * nv);
  double *x = g_memdup2 (m->x, sizeof (double) * ssz), lambda = 0.0, t_plain, t_mask, t_none;
  guint8 *none = g_new0 (guint8, W);
  GTimer *timer = g_timer_new ();
  gsize n_masked = 0;

  for (gsize i = 0; i < ssz; i++)
    if (m->mask[i % W])
      x[i] = 0.0;
  for (guint t = 0; t < W; t++)
    n_masked += m->mask[t];
  as_csc_atom_correlations (s, m->atoms, dtd);
  as_csc_correlate (s, m->atoms, NULL, NULL, x, dtx);
  for (gsize i = 0; i < K * nv; i++)
    lambda = MAX (lambda, dtx[i]);
  lambda *= 0.1;

  g_timer_start (timer);
  as_csc_lgcd (s, dtd, dtx, lambda, TRUE, 1e-6, 100000000, z);
  t_plain = g_timer_elapsed (timer, NULL);
  g_assert_cmpfloat (as_csc_kkt_violation (s, m->atoms, x, z, lambda, TRUE), <, 1e-3);

  memset (z, 0, sizeof (double) * K * nv);
  g_timer_start (timer);
  as_csc_lgcd_masked (s, dtd, m->atoms, m->u, m->v, x, none, lambda, TRUE, 1e-6, 100000000, NULL, z);
  t_none = g_timer_elapsed (timer, NULL);

  memset (z, 0, sizeof (double) * K * nv);
  g_timer_start (timer);
  as_csc_lgcd_masked (s, dtd, m->atoms, m->u, m->v, m->x, m->mask, lambda, TRUE, 1e-6, 100000000,
                      NULL, z);
  t_mask = g_timer_elapsed (timer, NULL);
  g_assert_cmpfloat (as_csc_masked_kkt_violation (s, m->atoms, m->x, m->mask, z, lambda, TRUE), <, 1e-3);
  g_test_message ("z-step on 8 × 20000 samples, 5 atoms of 64: unmasked LGCD %.3f s; masked LGCD "
                  "with no sample masked %.3f s (%.2f×), with %zu samples masked %.3f s (%.2f×)",
                  t_plain, t_none, t_none / t_plain, n_masked, t_mask, t_mask / t_plain);
  g_timer_destroy (timer);
  g_free (dtd);
  g_free (dtx);
  g_free (z);
  g_free (x);
  g_free (none);
  masked_free (m);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/csc-mask/gradient-z", test_gradient_z);
  g_test_add_func ("/csc-mask/dstep-gradients", test_dstep_gradients);
  g_test_add_func ("/csc-mask/lgcd-kkt", test_lgcd_kkt);
  g_test_add_func ("/csc-mask/learn-gap", test_learn_gap);
  g_test_add_func ("/csc-mask/learn-blinks", test_learn_blinks);
  g_test_add_func ("/csc-mask/timing", test_timing);
  return g_test_run ();
}
