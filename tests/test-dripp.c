/* test-dripp.c: driven point processes.  The kernel is a density; the log-likelihood agrees
 * with a direct sum over every occurrence and event; EM never decreases it and stops at a
 * stationary point (finite differences); simulated processes with known μ, α, m, σ are
 * recovered within 10% at one hour, with errors shrinking as the recording grows; an
 * undriven process gives α ≈ 0 and p > 0.05 in at least 95% of simulations, at four event
 * rates and durations; a model with
 * activations planted at known times gives, through the merged occurrences and the
 * recording's annotations or stimulus channel, the fit of those times.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-dripp.h"
#include "as-dripp-analysis.h"
#include "as-engine.h"
#include "as-export.h"
#include "as-paged.h"
#include "as-rng.h"

typedef struct
{
  double mu, alpha, m, sigma;   /* truth */
  double a, b;                  /* support */
  double rate, min_gap;         /* events: gaps min_gap + Exp(rate) */
} Case;

static const Case cases[] = {
  { 0.5, 0.8, 0.40, 0.10, 0.0, 1.0, 0.5, 1.0 },   /* an event every 3 s */
  { 2.0, 1.5, 0.25, 0.05, 0.0, 0.5, 1.0, 0.5 },   /* every 1.5 s, short latency */
  { 0.2, 3.0, 0.60, 0.20, 0.1, 1.5, 0.2, 2.0 },   /* every 7 s, wide jitter near a */
  { 1.0, 1.0, 0.50, 0.15, 0.0, 1.0, 2.0, 0.2 },   /* every 0.7 s: supports overlap */
};

static void
simulate (const Case *c, double duration, guint64 seed, GArray **occ, GArray **ev)
{
  AsRng rng;

  as_rng_init (&rng, seed);
  *ev = as_dripp_simulate_events (c->rate, c->min_gap, duration, &rng);
  *occ = as_dripp_simulate ((double *) (*ev)->data, (*ev)->len, duration, c->mu, c->alpha,
                            c->m, c->sigma, c->a, c->b, &rng);
}

static void
fit_case (const Case *c, GArray *occ, GArray *ev, double duration, AsDrippFit *fit,
          GArray *trace)
{
  AsDrippParams p;
  g_autoptr (GError) error = NULL;

  as_dripp_params_init (&p);
  p.a = c->a;
  p.b = c->b;
  g_assert_true (as_dripp_fit ((double *) occ->data, occ->len, (double *) ev->data, ev->len,
                               duration, &p, fit, trace, &error));
  g_assert_no_error (error);
}

/* Largest relative error over the four parameters. */
static double
max_rel_error (const Case *c, const AsDrippFit *f)
{
  double e = fabs (f->mu - c->mu) / c->mu;
  e = MAX (e, fabs (f->alpha - c->alpha) / c->alpha);
  e = MAX (e, fabs (f->m - c->m) / c->m);
  return MAX (e, fabs (f->sigma - c->sigma) / c->sigma);
}

static void
test_kernel_density (void)
{
  const double a = 0.1, b = 1.5;
  const double ms[] = { 0.1, 0.6, 1.5 }, ss[] = { 0.02, 0.2, 3.0 };

  for (guint i = 0; i < G_N_ELEMENTS (ms); i++)
    for (guint j = 0; j < G_N_ELEMENTS (ss); j++)
      {
        const int n = 200000;
        double sum = 0, h = (b - a) / n;
        for (int k = 0; k < n; k++)
          sum += as_dripp_kernel (a + (k + 0.5) * h, ms[i], ss[j], a, b) * h;
        g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
      }
  g_assert_cmpfloat (as_dripp_kernel (a - 1e-9, 0.6, 0.2, a, b), ==, 0.0);
  g_assert_cmpfloat (as_dripp_kernel (b + 1e-9, 0.6, 0.2, a, b), ==, 0.0);
}

/* ℓ = Σ_i log(μ + α Σ_j κ(t_i − τ_j)) − μT − αM, summed over every pair directly. */
static void
test_loglik_direct (void)
{
  const Case *c = &cases[3];
  const double T = 300;
  g_autoptr (GArray) occ = NULL;
  g_autoptr (GArray) ev = NULL;
  AsDrippParams p;
  double direct = 0, ll;
  gsize m_in = 0;

  simulate (c, T, 11, &occ, &ev);
  as_dripp_params_init (&p);
  p.a = c->a;
  p.b = c->b;
  for (guint j = 0; j < ev->len; j++)
    {
      double tau = g_array_index (ev, double, j);
      if (tau + c->a >= 0 && tau + c->b <= T)
        m_in++;
    }
  for (guint i = 0; i < occ->len; i++)
    {
      double k = 0;
      for (guint j = 0; j < ev->len; j++)
        {
          double tau = g_array_index (ev, double, j);
          if (tau + c->a >= 0 && tau + c->b <= T)
            k += as_dripp_kernel (g_array_index (occ, double, i) - tau, 0.45, 0.2, c->a, c->b);
        }
      direct += log (0.9 + 1.2 * k);
    }
  direct -= 0.9 * T + 1.2 * (double) m_in;
  ll = as_dripp_loglik ((double *) occ->data, occ->len, (double *) ev->data, ev->len, T, &p,
                        0.9, 1.2, 0.45, 0.2);
  g_assert_cmpfloat_with_epsilon (ll, direct, 1e-9 * fabs (direct));
}

/* Every EM iteration keeps or raises ℓ, and the estimate is a stationary point: central
 * finite differences of ℓ in μ, α, m and σ vanish (relative to ℓ's scale). */
static void
test_em_monotone_stationary (void)
{
  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const Case *c = &cases[ci];
      const double T = 1800;
      g_autoptr (GArray) occ = NULL;
      g_autoptr (GArray) ev = NULL;
      g_autoptr (GArray) trace = g_array_new (FALSE, FALSE, sizeof (double));
      AsDrippFit f;
      AsDrippParams p;
      double x[4], *occd, *evd;

      simulate (c, T, 100 + ci, &occ, &ev);
      fit_case (c, occ, ev, T, &f, trace);
      g_assert_true (f.converged);
      g_assert_cmpuint (trace->len, >, 2);
      for (guint i = 1; i < trace->len; i++)
        g_assert_cmpfloat (g_array_index (trace, double, i), >=,
                           g_array_index (trace, double, i - 1) - 1e-9 * fabs (f.loglik));
      g_assert_cmpfloat_with_epsilon (g_array_index (trace, double, trace->len - 1), f.loglik,
                                      1e-9 * fabs (f.loglik));

      as_dripp_params_init (&p);
      p.a = c->a;
      p.b = c->b;
      occd = (double *) occ->data;
      evd = (double *) ev->data;
      x[0] = f.mu, x[1] = f.alpha, x[2] = f.m, x[3] = f.sigma;
      for (int k = 0; k < 4; k++)
        {
          double h = 1e-5 * x[k], xp[4], xm[4], lp, lm, scale;
          memcpy (xp, x, sizeof x);
          memcpy (xm, x, sizeof x);
          xp[k] += h;
          xm[k] -= h;
          lp = as_dripp_loglik (occd, occ->len, evd, ev->len, T, &p, xp[0], xp[1], xp[2], xp[3]);
          lm = as_dripp_loglik (occd, occ->len, evd, ev->len, T, &p, xm[0], xm[1], xm[2], xm[3]);
          /* ∂ℓ/∂log x_k, compared with the number of occurrences (the scale of ℓ's terms) */
          scale = (double) occ->len;
          g_assert_cmpfloat (fabs ((lp - lm) / (2 * h) * x[k]) / scale, <, 1e-4);
        }
    }
}

/* Within 10% at one hour, in every simulation and for every parameter; the mean error shrinks
 * from a quarter of an hour to one hour to four hours, and by at least half over the sixteen-fold
 * lengthening (the statistical error of a maximum-likelihood estimate falls as 1/√T, a
 * quarter).  The worst errors at one hour are printed for each parameter. */
static void
test_recovery (void)
{
  const double durations[] = { 900, 3600, 14400 };
  const char *names[] = { "mu", "alpha", "m", "sigma" };
  const guint n_runs = 6;
  double worst_all = 0;

  for (guint ci = 0; ci < G_N_ELEMENTS (cases); ci++)
    {
      const Case *c = &cases[ci];
      const double truth[4] = { c->mu, c->alpha, c->m, c->sigma };
      double mean_err[G_N_ELEMENTS (durations)], worst[4] = { 0, 0, 0, 0 };

      for (guint di = 0; di < G_N_ELEMENTS (durations); di++)
        {
          mean_err[di] = 0;
          for (guint s = 0; s < n_runs; s++)
            {
              g_autoptr (GArray) occ = NULL;
              g_autoptr (GArray) ev = NULL;
              AsDrippFit f;
              double e;

              simulate (c, durations[di], 1000 * ci + 10 * di + s, &occ, &ev);
              fit_case (c, occ, ev, durations[di], &f, NULL);
              e = max_rel_error (c, &f);
              mean_err[di] += e / n_runs;
              if (durations[di] == 3600)
                {
                  const double est[4] = { f.mu, f.alpha, f.m, f.sigma };
                  for (int k = 0; k < 4; k++)
                    worst[k] = MAX (worst[k], fabs (est[k] - truth[k]) / truth[k]);
                  if (e >= 0.10)
                    g_test_message ("case %u run %u: μ %g α %g m %g σ %g", ci, s, f.mu,
                                    f.alpha, f.m, f.sigma);
                  g_assert_cmpfloat (e, <, 0.10);
                  g_assert_cmpfloat (f.p_value, <, 1e-6);
                }
            }
          g_test_message ("case %u, %g s: mean largest relative error %.4f", ci, durations[di],
                          mean_err[di]);
        }
      g_test_message ("case %u (μ %g α %g m %g σ %g, an event every %.2g s), one hour, worst of "
                      "%u: %s %.4f %s %.4f %s %.4f %s %.4f", ci, c->mu, c->alpha, c->m, c->sigma,
                      c->min_gap + 1 / c->rate, n_runs, names[0], worst[0], names[1], worst[1],
                      names[2], worst[2], names[3], worst[3]);
      for (int k = 0; k < 4; k++)
        worst_all = MAX (worst_all, worst[k]);
      g_assert_cmpfloat (mean_err[1], <, mean_err[0]);
      g_assert_cmpfloat (mean_err[2], <, mean_err[1]);
      g_assert_cmpfloat (mean_err[2], <, 0.5 * mean_err[0]);
    }
  g_test_message ("one hour: worst relative error over every case, run and parameter %.4f",
                  worst_all);
}

/* An undriven process (α = 0), at four event rates and durations (down to one two-minute EEG
 * run with about 15 cues): p > 0.05 in ≥ 95% of the
 * simulations of each, α̂ within three times √(μ(b − a)/M) (the spread of the baseline's count
 * in M supports) in 95% of them, the mean α̂ within 1.2 times it, and μ̂ within five standard
 * deviations of μ in every one. */
static int
cmp_double (const void *pa, const void *pb)
{
  double x = *(const double *) pa, y = *(const double *) pb;
  return (x > y) - (x < y);
}

typedef struct
{
  Case   c;
  double duration;
  guint  n_runs;
} UndrivenCase;

static void
test_undriven (void)
{
  static const UndrivenCase undriven[] = {
    { { 1.0, 0.0, 0.40, 0.10, 0.0, 1.0, 0.5, 1.0 }, 1800, 400 },   /* an event every 3 s */
    { { 2.0, 0.0, 0.25, 0.05, 0.0, 0.5, 2.0, 0.2 },  900, 400 },   /* every 0.7 s, overlapping */
    { { 0.2, 0.0, 0.60, 0.20, 0.1, 1.5, 0.2, 2.0 }, 3600, 400 },   /* every 7 s, sparse baseline */
    { { 0.5, 0.0, 0.40, 0.10, 0.0, 1.0, 1 / 3.2, 5.0 }, 125, 400 }, /* one EEG run: 15 cues in 2 min */
  };
  guint total = 0, total_above = 0;

  for (guint ui = 0; ui < G_N_ELEMENTS (undriven); ui++)
    {
      const Case *c = &undriven[ui].c;
      const double T = undriven[ui].duration;
      const guint n_runs = undriven[ui].n_runs;
      const double baseline_per_support = c->mu * (c->b - c->a);
      g_autofree double *alphas = g_new (double, n_runs);
      guint n_above = 0;
      double alpha_sum = 0, mu_err = 0, events_sum = 0, scale;

      for (guint s = 0; s < n_runs; s++)
        {
          g_autoptr (GArray) occ = NULL;
          g_autoptr (GArray) ev = NULL;
          AsDrippFit f;

          simulate (c, T, 5000 + 1000 * ui + s, &occ, &ev);
          fit_case (c, occ, ev, T, &f, NULL);
          if (f.p_value > 0.05)
            n_above++;
          alpha_sum += f.alpha;
          alphas[s] = f.alpha;
          events_sum += (double) f.n_events;
          mu_err = MAX (mu_err, fabs (f.mu - c->mu) / c->mu);
        }
      /* α̂ ≥ 0 sits on its boundary, so it is never centred on 0; it shrinks as the events
       * grow in number, like the spread of the baseline's count in M supports, √(μ(b − a)/M) */
      qsort (alphas, n_runs, sizeof (double), cmp_double);
      scale = sqrt (baseline_per_support / (events_sum / n_runs));
      g_test_message ("undriven %u (μ %g, support [%g, %g] s, an event every %.2g s, %g s): "
                      "p > 0.05 in %u of %u (%.1f%%), mean α̂ %.4f, 95th percentile of α̂ %.4f "
                      "(%.2f √(μ(b − a)/M), M = %.0f events), worst μ̂ error %.4f", ui, c->mu, c->a, c->b,
                      c->min_gap + 1 / c->rate, T, n_above, n_runs, 100.0 * n_above / n_runs,
                      alpha_sum / n_runs, alphas[95 * n_runs / 100],
                      alphas[95 * n_runs / 100] / scale, events_sum / n_runs, mu_err);
      g_assert_cmpuint (n_above, >=, 95 * n_runs / 100);
      g_assert_cmpfloat (alphas[95 * n_runs / 100], <, 3 * scale);
      g_assert_cmpfloat (alpha_sum / n_runs, <, 1.2 * scale);
      /* μ̂ = n/T under H0: its standard deviation is √(μ/T) */
      g_assert_cmpfloat (mu_err * c->mu, <, 5 * sqrt (c->mu / T));
      total += n_runs;
      total_above += n_above;
    }
  g_test_message ("undriven, all: p > 0.05 in %u of %u (%.1f%%)", total_above, total,
                  100.0 * total_above / total);
}

static void
test_bad_input (void)
{
  AsDrippParams p;
  AsDrippFit f;
  const double t[] = { 1, 2, 3 }, ev[] = { 9.5 };
  g_autoptr (GError) e1 = NULL;
  g_autoptr (GError) e2 = NULL;

  as_dripp_params_init (&p);
  p.a = 0.5;
  p.b = 0.2;
  g_assert_false (as_dripp_fit (t, 3, ev, 1, 10, &p, &f, NULL, &e1));
  g_assert_error (e1, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  p.a = 0;
  p.b = 1;
  /* the only event's support runs past the end of the recording */
  g_assert_false (as_dripp_fit (t, 3, ev, 1, 10, &p, &f, NULL, &e2));
  g_assert_error (e2, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
}


/* A model whose activations were planted at known times, one recording with the same events
 * as annotations and on a stimulus channel.  The occurrence times come out of the merged
 * activations (a smaller neighbour one sample later is merged away), the driven atom is found
 * driven with its latency, the other not, and both sources of events agree. */
static AsCdlModel *
planted_model (guint width, guint atom_width, double sfreq, GArray **times, guint n_atoms)
{
  AsCdlModel *m = g_new0 (AsCdlModel, 1);
  gsize nv;

  g_atomic_ref_count_init (&m->ref_count);
  m->shape = (AsCscShape) { n_atoms, 1, 1, width, 1, atom_width };
  m->n_trials = 1;
  m->positive = TRUE;
  m->sfreq = sfreq;
  nv = as_csc_n_valid (&m->shape);
  m->activations = g_new0 (double, n_atoms * nv);
  m->trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  for (guint k = 0; k < n_atoms; k++)
    for (guint i = 0; i < times[k]->len; i++)
      {
        gsize pos = (gsize) llround (g_array_index (times[k], double, i) * sfreq);
        if (pos + 1 < nv)
          {
            m->activations[k * nv + pos] = MAX (m->activations[k * nv + pos], 1.0);
            m->activations[k * nv + pos + 1] = MAX (m->activations[k * nv + pos + 1], 0.4);
          }
      }
  return m;
}

static void
test_analysis_planted (void)
{
  const double T = 3600, sfreq = 100;
  const guint width = (guint) (T * sfreq), L = 20;
  AsRng rng;
  g_autoptr (GArray) ev1 = NULL;
  g_autoptr (GArray) ev2 = NULL;
  GArray *times[2];
  g_autoptr (AsCdlModel) model = NULL;
  g_autoptr (AsRecording) rec = as_recording_new (2, width, sfreq);
  g_autoptr (AsRecording) other = as_recording_new (1, width - 5, sfreq);
  g_autoptr (AsDrippAnalysis) a = NULL;
  g_autoptr (AsDrippAnalysis) b = NULL;
  g_autoptr (GPtrArray) stim = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) e2 = NULL;
  const char *const only_t1[] = { "T1", NULL };
  const char *const t9[] = { "T9", NULL };
  AsDrippParams params;
  AsDrippSource source = { NULL, NULL, 0.0 };
  const AsDrippFit *driven, *undriven;

  as_rng_init (&rng, 77);
  ev1 = as_dripp_simulate_events (0.5, 1.0, T - 2, &rng);
  ev2 = as_dripp_simulate_events (0.5, 1.0, T - 2, &rng);
  /* onsets on the sample grid, so the stimulus channel can carry them exactly */
  for (guint j = 0; j < ev1->len; j++)
    g_array_index (ev1, double, j) = round (g_array_index (ev1, double, j) * sfreq) / sfreq;
  for (guint j = 0; j < ev2->len; j++)
    g_array_index (ev2, double, j) = round (g_array_index (ev2, double, j) * sfreq) / sfreq;
  times[0] = as_dripp_simulate ((double *) ev1->data, ev1->len, T - 1, 0.3, 0.8, 0.3, 0.05, 0, 1, &rng);
  times[1] = as_dripp_simulate ((double *) ev1->data, ev1->len, T - 1, 0.3, 0.0, 0.3, 0.05, 0, 1, &rng);
  model = planted_model (width, L, sfreq, times, 2);

  for (guint j = 0; j < ev1->len; j++)
    as_recording_add_event (rec, g_array_index (ev1, double, j), 0, "T1");
  for (guint j = 0; j < ev2->len; j++)
    as_recording_add_event (rec, g_array_index (ev2, double, j), 0, "T2");
  as_recording_sort_events (rec);
  as_recording_set_channel (rec, 1, "STI", "", AS_CHANNEL_STIM);
  for (guint j = 0; j < ev1->len; j++)
    {
      gsize i = (gsize) llround (g_array_index (ev1, double, j) * sfreq);
      rec->data[width + i] = 1;   /* one-sample pulses of value 1 */
    }

  as_dripp_params_init (&params);
  a = as_dripp_analyse (model, rec, &params, &source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->event_types->len, ==, 2);
  g_assert_cmpstr (((AsDrippEventType *) a->event_types->pdata[0])->label, ==, "T1");
  g_assert_cmpuint (a->rows->len, ==, 4);
  /* The four pairs' p-values adjusted as one family. */
  {
    double p[4], q[4];

    for (guint r = 0; r < 4; r++)
      p[r] = g_array_index (a->rows, AsDrippRow, r).fit.p_value;
    as_dripp_fdr_adjust (p, 4, q);
    for (guint r = 0; r < 4; r++)
      {
        g_assert_cmpfloat (g_array_index (a->rows, AsDrippRow, r).q_value, ==, q[r]);
        g_assert_cmpfloat (q[r], >=, p[r] * (1 - 1e-15));
      }
  }
  /* Merging keeps a planted time unless another one lies within the half atom before it (all
   * planted amplitudes are equal, ties go to the earlier): the same times, and so the same fit,
   * as fitting those times directly. */
  {
    g_autoptr (GArray) expect = g_array_new (FALSE, FALSE, sizeof (double));
    const gsize spacing = L / 2;
    gsize prev = 0;
    gboolean have = FALSE;
    AsDrippFit direct;
    const GArray *got = a->occurrences->pdata[0];

    for (guint i = 0; i < times[0]->len; i++)
      {
        gsize pos = (gsize) llround (g_array_index (times[0], double, i) * sfreq);
        if (!have || pos > prev + spacing)
          {
            double t = (double) pos / sfreq;
            g_array_append_val (expect, t);
          }
        if (!have || pos != prev)
          prev = pos;
        have = TRUE;
      }
    g_test_message ("planted %u, merged %u, expected %u", times[0]->len, got->len, expect->len);
    g_assert_cmpuint (got->len, ==, expect->len);
    for (guint i = 0; i < got->len; i++)
      g_assert_cmpfloat_with_epsilon (g_array_index (got, double, i), g_array_index (expect, double, i), 1e-9);
    g_assert_true (as_dripp_fit ((double *) expect->data, expect->len, (double *) ev1->data,
                                 ev1->len, T, &params, &direct, NULL, &error));
    g_assert_cmpfloat (direct.alpha, ==, g_array_index (a->rows, AsDrippRow, 0).fit.alpha);
    g_assert_cmpfloat (direct.p_value, ==, g_array_index (a->rows, AsDrippRow, 0).fit.p_value);
  }
  driven = &g_array_index (a->rows, AsDrippRow, 0).fit;     /* atom 1, T1 */
  undriven = &g_array_index (a->rows, AsDrippRow, 2).fit;   /* atom 2, T1 */
  g_test_message ("planted: μ %.3f α %.3f m %.3f σ %.3f p %.2g; undriven α %.3f p %.2f",
                  driven->mu, driven->alpha, driven->m, driven->sigma, driven->p_value,
                  undriven->alpha, undriven->p_value);
  g_assert_cmpfloat (driven->p_value, <, 1e-6);
  /* Occurrences closer than half an atom are one waveform to the model, so merging removes
   * some (16% here, most of them driven ones of the same event): α and μ come out lower than
   * planted, the latency and the jitter do not. */
  g_assert_cmpfloat (driven->alpha, >, 0.5);
  g_assert_cmpfloat (driven->alpha, <, 0.8);
  g_assert_cmpfloat (fabs (driven->m - 0.3), <, 0.02);
  g_assert_cmpfloat (fabs (driven->sigma - 0.05), <, 0.01);
  g_assert_cmpfloat (fabs (driven->mu - 0.3), <, 0.15 * 0.3);
  g_assert_cmpfloat (undriven->p_value, >, 0.05);
  /* A latency and a jitter are shown for the driven pair; not for a rounding-level α. */
  g_assert_true (as_dripp_fit_excited (driven));
  {
    AsDrippFit tiny = *driven;

    tiny.alpha = 2.9e-8;
    g_assert_false (as_dripp_fit_excited (&tiny));
    tiny.alpha = 0.4 / tiny.n_events;
    g_assert_false (as_dripp_fit_excited (&tiny));
    tiny.alpha = driven->alpha;
    tiny.n_occurrences = 0;
    g_assert_false (as_dripp_fit_excited (&tiny));
  }

  /* the stimulus channel gives the same T1 onsets, labelled by the value */
  stim = as_dripp_events_from_recording (rec, "STI", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stim->len, ==, 1);
  g_assert_cmpstr (((AsDrippEventType *) stim->pdata[0])->label, ==, "1");
  g_assert_cmpuint (((AsDrippEventType *) stim->pdata[0])->onsets->len, ==, ev1->len);
  for (guint j = 0; j < ev1->len; j++)
    g_assert_cmpfloat_with_epsilon (g_array_index (((AsDrippEventType *) stim->pdata[0])->onsets, double, j),
                                    g_array_index (ev1, double, j), 1e-9);
  source.event_types = only_t1;
  b = as_dripp_analyse (model, rec, &params, &source, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->rows->len, ==, 2);
  g_assert_cmpfloat (g_array_index (b->rows, AsDrippRow, 0).fit.alpha, ==, driven->alpha);

  /* Events from the recording the atoms' one was cropped from (5 s more at the start, an
   * event inside those 5 s, a stimulus channel that learning left out): shifted by the crop,
   * they give the same fits, from the annotations and from the stimulus channel (also when the
   * file is read page by page); the channel's steps made into events (as_dripp_stim_to_events)
   * too. */
  {
    const double crop = 5.0;
    const gsize shift = (gsize) (crop * sfreq);
    g_autoptr (AsRecording) raw = as_recording_new (2, width + shift, sfreq);
    g_autoptr (AsDrippAnalysis) c = NULL;
    g_autoptr (AsDrippAnalysis) d = NULL;
    g_autoptr (AsDrippAnalysis) e = NULL;
    AsDrippSource from_raw = { NULL, only_t1, 0.0, raw, crop };

    raw->path = g_strdup ("uncropped.edf");
    as_recording_add_event (raw, 2.0, 0, "T1");   /* inside the crop: left out */
    for (guint j = 0; j < ev1->len; j++)
      as_recording_add_event (raw, g_array_index (ev1, double, j) + crop, 0, "T1");
    as_recording_sort_events (raw);
    as_recording_set_channel (raw, 1, "STI", "", AS_CHANNEL_STIM);
    for (guint j = 0; j < ev1->len; j++)
      raw->data[width + shift + shift + (gsize) llround (g_array_index (ev1, double, j) * sfreq)] = 1;
    raw->data[width + shift + 200] = 1;   /* at 2 s */
    /* onsets plus the crop minus the crop cost a few ulps: the fits agree to 10⁻⁶ */
    c = as_dripp_analyse (model, rec, &params, &from_raw, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (c->rows->len, ==, 2);
    g_assert_cmpuint (g_array_index (c->rows, AsDrippRow, 0).fit.n_events, ==, driven->n_events);
    g_assert_cmpfloat_with_epsilon (g_array_index (c->rows, AsDrippRow, 0).fit.alpha, driven->alpha, 1e-6);
    g_assert_cmpfloat_with_epsilon (g_array_index (c->rows, AsDrippRow, 0).fit.m, driven->m, 1e-6);
    from_raw.stim_channel = "STI";
    from_raw.event_types = NULL;
    d = as_dripp_analyse (model, rec, &params, &from_raw, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (d->rows->len, ==, 2);
    g_assert_cmpfloat_with_epsilon (g_array_index (d->rows, AsDrippRow, 0).fit.alpha, driven->alpha, 1e-6);
    g_assert_cmpfloat_with_epsilon (g_array_index (d->rows, AsDrippRow, 0).fit.p_value, driven->p_value, 1e-6);
    /* the same file read page by page (its samples not in memory): the same onsets */
    {
      g_autofree char *dir = g_dir_make_tmp ("dripp-XXXXXX", &error);
      g_autofree char *edf = g_build_filename (dir, "uncropped.edf", NULL);
      g_autoptr (AsRecording) paged = NULL;
      g_autoptr (GPtrArray) mem = NULL;
      g_autoptr (GPtrArray) pag = NULL;

      g_assert_no_error (error);
      g_assert_true (as_export_recording_edf (edf, raw, FALSE, &error));
      g_assert_no_error (error);
      paged = as_recording_open_paged (edf, FALSE, &error);
      g_assert_no_error (error);
      g_assert_null (paged->data);
      mem = as_dripp_events_from_recording (raw, "STI", NULL, &error);
      g_assert_no_error (error);
      pag = as_dripp_events_from_recording (paged, "STI", NULL, &error);
      g_assert_no_error (error);
      /* EDF scales the channel into 16 bits: 0 and 1 come back a few 10⁻⁶ off, still the
       * codes "1" */
      g_assert_cmpuint (pag->len, ==, 1);
      g_assert_cmpstr (((AsDrippEventType *) pag->pdata[0])->label, ==, "1");
      g_assert_cmpuint (((AsDrippEventType *) pag->pdata[0])->onsets->len, ==, ev1->len + 1);
      for (guint j = 0; j <= ev1->len; j++)
        g_assert_cmpfloat_with_epsilon (g_array_index (((AsDrippEventType *) pag->pdata[0])->onsets, double, j),
                                        g_array_index (((AsDrippEventType *) mem->pdata[0])->onsets, double, j), 1e-9);
      g_unlink (edf);
      g_rmdir (dir);
    }
    g_assert_true (as_dripp_stim_to_events (raw, "STI", &error));
    g_assert_no_error (error);
    g_assert_cmpuint (raw->events->len, ==, ev1->len + 1);
    g_assert_cmpstr (g_array_index (raw->events, AsEvent, 0).label, ==, "1");
    from_raw.stim_channel = NULL;
    e = as_dripp_analyse (model, rec, &params, &from_raw, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (g_array_index (e->rows, AsDrippRow, 0).fit.alpha, driven->alpha, 1e-6);
    /* every event inside the crop: a clear error */
    from_raw.events_offset = T + 100;
    g_assert_null (as_dripp_analyse (model, rec, &params, &from_raw, NULL, &e2));
    g_assert_error (e2, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
    g_clear_error (&e2);
  }

  /* bad input: a signal channel given as the stimulus channel, an event type that is not
   * there, a recording of another length */
  for (guint i = 0; i < width; i++)
    rec->data[i] = sin (0.01 * i);
  g_assert_null (as_dripp_events_from_recording (rec, "1", NULL, &e2));
  g_assert_error (e2, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&e2);
  source.event_types = t9;
  g_assert_null (as_dripp_analyse (model, rec, &params, &source, NULL, &e2));
  g_assert_error (e2, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&e2);
  source.event_types = NULL;
  as_recording_add_event (other, 10, 0, "T1");
  g_assert_null (as_dripp_analyse (model, other, &params, &source, NULL, &e2));
  g_assert_error (e2, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);

  g_array_unref (times[0]);
  g_array_unref (times[1]);
}

/* Benjamini–Hochberg: a worked example, and random families against the definition
 * q_i = min over p_j ≥ p_i of min(1, n p_j / rank_j) computed by brute force. */
static void
test_fdr (void)
{
  const double p[6] = { 0.01, 0.04, 0.03, 0.005, NAN, 0.5 };
  const double expect[6] = { 0.025, 0.05, 0.05, 0.025, NAN, 0.5 };
  double q[6];
  AsRng rng;

  as_dripp_fdr_adjust (p, 6, q);
  for (int i = 0; i < 6; i++)
    if (isnan (expect[i]))
      g_assert_true (isnan (q[i]));
    else
      g_assert_cmpfloat_with_epsilon (q[i], expect[i], 1e-15);

  as_rng_init (&rng, 7);
  for (int family = 0; family < 200; family++)
    {
      gsize n = 1 + family % 40;
      double x[40], y[40];

      for (gsize i = 0; i < n; i++)
        {
          /* A mixture of small (driven) and uniform (undriven) p-values. */
          x[i] = as_rng_uniform (&rng);
          if (i % 3 == 0)
            x[i] *= 1e-3;
        }
      as_dripp_fdr_adjust (x, n, y);
      for (gsize i = 0; i < n; i++)
        {
          double best = 1.0;

          for (gsize j = 0; j < n; j++)
            if (x[j] >= x[i])
              {
                gsize rank = 0;

                for (gsize k = 0; k < n; k++)
                  rank += x[k] <= x[j];
                best = MIN (best, n * x[j] / rank);
              }
          g_assert_cmpfloat_with_epsilon (y[i], best, 1e-14);
          g_assert_cmpfloat (y[i], >=, x[i] * (1 - 1e-15));
        }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dripp/kernel-density", test_kernel_density);
  g_test_add_func ("/dripp/loglik-direct", test_loglik_direct);
  g_test_add_func ("/dripp/em-monotone-stationary", test_em_monotone_stationary);
  g_test_add_func ("/dripp/recovery", test_recovery);
  g_test_add_func ("/dripp/undriven", test_undriven);
  g_test_add_func ("/dripp/bad-input", test_bad_input);
  g_test_add_func ("/dripp/fdr", test_fdr);
  g_test_add_func ("/dripp/analysis-planted", test_analysis_planted);
  return g_test_run ();
}
