/* test-dl.c: the dictionary recovery lab: problems with a chosen coherence,
 * sparsity and SNR; the gradients of unrolled dictionary learning against
 * finite differences; the analytic gradient against the gradient of the
 * Lasso value function; the known shape of the results (recovery at low
 * sparsity and coherence, failure as both grow; the automatic gradient's
 * error with depth).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gstdio.h>
#include <string.h>

#include "as-dl.h"
#include "as-dl-grid.h"
#include "as-dl-sim.h"
#include "as-engine.h"
#include "as-lasso.h"
#include "as-metrics.h"
#include "as-rng.h"

/* ------------------------------------------------------------ fixtures */

static AsDlProblem *
small_problem (guint n, guint m, guint N, double sparsity, double snr_db, guint64 seed)
{
  AsDlSimParams p;
  g_autoptr (GError) error = NULL;
  AsDlProblem *pb;

  as_dl_sim_params_init (&p);
  p.n = n;
  p.m = m;
  p.n_signals = N;
  p.sparsity = sparsity;
  p.snr_db = snr_db;
  p.seed = seed;
  pb = as_dl_sim_problem (&p, NULL, &error);
  g_assert_no_error (error);
  return pb;
}

/* D + noise·N(0,1), columns renormalised: a point near the truth, as during learning. */
static double *
perturbed (const AsDlProblem *pb, double noise, guint64 seed)
{
  double *D = g_memdup2 (pb->D, sizeof (double) * pb->n * pb->m);
  AsRng rng;

  as_rng_init (&rng, seed);
  for (gsize i = 0; i < (gsize) pb->n * pb->m; i++)
    D[i] += noise * as_rng_normal (&rng);
  for (guint j = 0; j < pb->m; j++)
    {
      double s = 0.0;

      for (guint i = 0; i < pb->n; i++)
        s += D[i * pb->m + j] * D[i * pb->m + j];
      for (guint i = 0; i < pb->n; i++)
        D[i * pb->m + j] /= sqrt (s);
    }
  return D;
}

static double
frobenius_dot (gsize count, const double *a, const double *b)
{
  double s = 0.0;

  for (gsize i = 0; i < count; i++)
    s += a[i] * b[i];
  return s;
}

/* ------------------------------------------------------------ problems */

static void
test_sim_problem (void)
{
  AsDlSimParams p;
  g_autoptr (GError) error = NULL;
  const double targets[] = { 0.2, 0.35, 0.7 };

  as_dl_sim_params_init (&p);
  p.n = 24;
  p.m = 48;
  p.n_signals = 400;
  p.dictionary = AS_DL_DICTIONARY_COHERENCE;
  for (guint k = 0; k < G_N_ELEMENTS (targets); k++)
    {
      g_autoptr (AsDlProblem) pb = NULL;

      p.coherence = targets[k];
      pb = as_dl_sim_problem (&p, NULL, &error);
      g_assert_no_error (error);
      /* Reached exactly (below a random draw's coherence by alternating
       * projections, above it by mixing), measured independently. */
      g_assert_cmpfloat (fabs (as_metrics_mutual_coherence (p.n, p.m, pb->D) - targets[k]), <, 1e-6);
      g_assert_cmpfloat (fabs (pb->coherence - targets[k]), <, 1e-6);
      for (guint j = 0; j < p.m; j++)
        {
          double s = 0.0;

          for (guint i = 0; i < p.n; i++)
            s += pb->D[i * p.m + j] * pb->D[i * p.m + j];
          g_assert_cmpfloat (fabs (s - 1.0), <, 1e-12);
        }
    }

  /* Fixed supports: exactly k = sparsity·n atoms per signal, amplitudes
   * within ±[0.5, 1.5]; the noise gives the asked SNR. */
  p.dictionary = AS_DL_DICTIONARY_GAUSSIAN;
  p.sparsity = 0.25;   /* k = 6 */
  p.snr_db = 10.0;
  {
    g_autoptr (AsDlProblem) pb = as_dl_sim_problem (&p, NULL, &error);
    g_autofree double *clean = g_new (double, (gsize) p.n_signals * p.n);
    double s2 = 0.0, e2 = 0.0, snr;

    g_assert_no_error (error);
    for (guint i = 0; i < p.n_signals; i++)
      {
        guint k = 0;

        for (guint j = 0; j < p.m; j++)
          {
            double z = pb->Z[i * p.m + j];

            if (z != 0.0)
              {
                k++;
                g_assert_cmpfloat (fabs (z), >=, 0.5);
                g_assert_cmpfloat (fabs (z), <=, 1.5);
              }
          }
        g_assert_cmpuint (k, ==, 6);
        for (guint r = 0; r < p.n; r++)
          {
            double c = 0.0;

            for (guint j = 0; j < p.m; j++)
              c += pb->D[r * p.m + j] * pb->Z[i * p.m + j];
            clean[i * p.n + r] = c;
            s2 += c * c;
            e2 += (pb->X[i * p.n + r] - c) * (pb->X[i * p.n + r] - c);
          }
      }
    snr = 10.0 * log10 (s2 / e2);
    g_assert_cmpfloat (fabs (snr - 10.0), <, 0.3);
  }

  /* Bad input: a clear error, no crash. */
  p.sparsity = 3.0;
  g_assert_null (as_dl_sim_problem (&p, NULL, &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
}

static void
test_sim_convolutional (void)
{
  g_autoptr (AsCdlSimulation) sim = as_dl_sim_convolutional (2, 500, 3, 32, 0.5, 20.0, 4);
  gsize nv = 500 - 32 + 1, active = 0;

  g_assert_cmpuint (sim->shape.n_atoms, ==, 3);
  for (gsize i = 0; i < 2 * 3 * nv; i++)
    active += sim->z[i] != 0.0;
  /* Rate 0.5/3 per position and atom: about 0.5/3 × 3 × 469 × 2 ≈ 469. */
  g_assert_cmpuint (active, >, 350);
  g_assert_cmpuint (active, <, 600);
  g_assert_cmpfloat (sim->noise_std, >, 0.0);
}

/* ------------------------------------------------------------ gradients */

/* Central differences of the unrolled loss along random directions E against
 * ⟨ĝ, E⟩ for the automatic estimate, which is the exact gradient of ℓ_T. */
static double
check_automatic (AsDlLayers layers, guint T)
{
  g_autoptr (AsDlProblem) pb = small_problem (8, 12, 6, 0.3, 20.0, 11);
  guint n = pb->n, m = pb->m, B = pb->n_signals;
  g_autofree double *D = perturbed (pb, 0.1, 3);
  g_autofree double *G = g_new (double, n * m);
  g_autofree double *E = g_new (double, n * m);
  g_autofree double *Dp = g_new (double, n * m);
  g_autofree double *Dm = g_new (double, n * m);
  double lambda = 0.05, L = 1.3 * 4.0, eps = 1e-6, worst = 0.0;
  AsRng rng;

  as_rng_init (&rng, 99);
  as_dl_unrolled_gradient (n, m, D, B, pb->X, lambda, L, layers, T, AS_DL_GRADIENT_AUTOMATIC, G, NULL);
  for (guint trial = 0; trial < 8; trial++)
    {
      double fd, an;

      as_rng_normal_fill (&rng, E, n * m);
      for (gsize i = 0; i < (gsize) n * m; i++)
        {
          Dp[i] = D[i] + eps * E[i];
          Dm[i] = D[i] - eps * E[i];
        }
      fd = (as_dl_unrolled_gradient (n, m, Dp, B, pb->X, lambda, L, layers, T, 0, NULL, NULL)
            - as_dl_unrolled_gradient (n, m, Dm, B, pb->X, lambda, L, layers, T, 0, NULL, NULL))
           / (2.0 * eps);
      an = frobenius_dot (n * m, G, E);
      worst = MAX (worst, fabs (fd - an) / MAX (1e-3, fabs (an)));
      /* Central differences are good to about eps² + 1e-16/eps ≈ 1e-10 here. */
      g_assert_cmpfloat (fabs (fd - an), <=, 1e-7 * MAX (1e-3, fabs (an)));
    }
  return worst;
}

static void
test_automatic_gradient (void)
{
  const guint depths[] = { 1, 2, 7, 25, 60 };

  for (guint l = 0; l < AS_DL_N_LAYER_KINDS; l++)
    for (guint k = 0; k < G_N_ELEMENTS (depths); k++)
      {
        double worst = check_automatic (l, depths[k]);

        g_test_message ("automatic gradient, %s T = %u: largest relative error against "
                        "finite differences %.2g", as_dl_layers_to_string (l), depths[k], worst);
      }
}

/* The implicit estimate's Jacobian: on a support S with signs s held fixed,
 * z_S(D) = (D_SᵀD_S)⁻¹(D_Sᵀx − λs); Jᵀv from as_dl_support_vjp against central
 * differences of D ↦ ⟨v, z_S(D)⟩ computed here by plain normal equations. */
static double
support_solution_dot (guint n, guint m, const double *D, const double *x, const guint *S,
                      const double *s, guint k, double lambda, const double *v, double *z)
{
  double M[16 * 16], b[16], dot = 0.0;

  g_assert_cmpuint (k, <=, 16);
  for (guint a = 0; a < k; a++)
    {
      b[a] = -lambda * s[a];
      for (guint i = 0; i < n; i++)
        b[a] += D[i * m + S[a]] * x[i];
      for (guint c = 0; c < k; c++)
        {
          double g = 0.0;

          for (guint i = 0; i < n; i++)
            g += D[i * m + S[a]] * D[i * m + S[c]];
          M[a * k + c] = g;
        }
    }
  /* Gaussian elimination without pivoting (M is positive definite). */
  for (guint p = 0; p < k; p++)
    for (guint r = p + 1; r < k; r++)
      {
        double f = M[r * k + p] / M[p * k + p];

        for (guint c = p; c < k; c++)
          M[r * k + c] -= f * M[p * k + c];
        b[r] -= f * b[p];
      }
  for (guint p = k; p-- > 0;)
    {
      for (guint c = p + 1; c < k; c++)
        b[p] -= M[p * k + c] * b[c];
      b[p] /= M[p * k + p];
    }
  if (z != NULL)
    memset (z, 0, sizeof (double) * m);
  for (guint a = 0; a < k; a++)
    {
      dot += v[S[a]] * b[a];
      if (z != NULL)
        z[S[a]] = b[a];
    }
  return dot;
}

static void
test_implicit_jacobian (void)
{
  guint n = 10, m = 16, k = 4;
  const guint S[] = { 1, 5, 9, 14 };
  const double s[] = { 1.0, -1.0, -1.0, 1.0 };
  g_autofree double *D = g_new (double, n * m);
  g_autofree double *x = g_new (double, n);
  g_autofree double *v = g_new (double, m);
  g_autofree double *z = g_new (double, m);
  g_autofree double *G = g_new0 (double, n * m);
  g_autofree double *E = g_new (double, n * m);
  g_autofree double *Dp = g_new (double, n * m);
  g_autofree double *Dm = g_new (double, n * m);
  double lambda = 0.1, eps = 1e-6;
  AsRng rng;

  as_rng_init (&rng, 5);
  as_rng_normal_fill (&rng, D, n * m);
  as_rng_normal_fill (&rng, x, n);
  as_rng_normal_fill (&rng, v, m);
  support_solution_dot (n, m, D, x, S, s, k, lambda, v, z);
  g_assert_true (as_dl_support_vjp (n, m, D, x, z, v, G));
  /* Only the columns of S move. */
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat (G[i * m + 0], ==, 0.0);
  for (guint trial = 0; trial < 5; trial++)
    {
      double fd, an;

      as_rng_normal_fill (&rng, E, n * m);
      for (gsize i = 0; i < (gsize) n * m; i++)
        {
          Dp[i] = D[i] + eps * E[i];
          Dm[i] = D[i] - eps * E[i];
        }
      fd = (support_solution_dot (n, m, Dp, x, S, s, k, lambda, v, NULL)
            - support_solution_dot (n, m, Dm, x, S, s, k, lambda, v, NULL)) / (2.0 * eps);
      an = frobenius_dot (n * m, G, E);
      g_assert_cmpfloat (fabs (fd - an), <=, 1e-7 * MAX (1.0, fabs (an)));
    }

  /* The implicit estimate is the analytic one plus Jᵀ∇_zF on each support:
   * with one layer, checked term by term against the two public pieces. */
  {
    g_autoptr (AsDlProblem) pb = small_problem (8, 12, 4, 0.25, 30.0, 2);
    guint nn = pb->n, mm = pb->m, B = pb->n_signals;
    g_autofree double *Ga = g_new (double, nn * mm);
    g_autofree double *Gi = g_new (double, nn * mm);
    g_autofree double *Z = g_new (double, B * mm);
    g_autofree double *V = g_new (double, mm);
    g_autofree double *r = g_new (double, nn);
    double L = 6.0, lam = 0.05;

    as_dl_unrolled_gradient (nn, mm, pb->D, B, pb->X, lam, L, AS_DL_LAYERS_FISTA, 30,
                             AS_DL_GRADIENT_ANALYTIC, Ga, Z);
    as_dl_unrolled_gradient (nn, mm, pb->D, B, pb->X, lam, L, AS_DL_LAYERS_FISTA, 30,
                             AS_DL_GRADIENT_IMPLICIT, Gi, NULL);
    for (guint b = 0; b < B; b++)
      {
        const double *zb = Z + b * mm, *xb = pb->X + b * nn;

        for (guint i = 0; i < nn; i++)
          {
            r[i] = -xb[i];
            for (guint j = 0; j < mm; j++)
              r[i] += pb->D[i * mm + j] * zb[j];
          }
        for (guint j = 0; j < mm; j++)
          {
            V[j] = lam * ((zb[j] > 0) - (zb[j] < 0));
            for (guint i = 0; i < nn; i++)
              V[j] += pb->D[i * mm + j] * r[i];
            V[j] /= B;
          }
        as_dl_support_vjp (nn, mm, pb->D, xb, zb, V, Ga);
      }
    for (guint i = 0; i < nn * mm; i++)
      g_assert_cmpfloat (fabs (Ga[i] - Gi[i]), <=, 1e-12);
  }
}

/* V(D) = (1/B) Σ min_z F(x_b, D, z), every code solved to relative gap 1e-12. */
static double
value_function (guint n, guint m, const double *D, guint B, const double *X, double lambda,
                double *Z)
{
  g_autoptr (GError) error = NULL;
  double v;

  memset (Z, 0, sizeof (double) * B * m);
  v = as_dl_sparse_code (n, m, D, B, X, lambda, 1e-12, Z, &error);
  g_assert_no_error (error);
  return v;
}

/* The analytic gradient (Dz* − x)z*ᵀ at a code solved to gap 1e-12 matches the
 * gradient of the value function (Danskin) to 1e-8; and the three estimates'
 * errors from as_dl_gradient_errors vanish as T grows. */
static void
test_analytic_gradient (void)
{
  g_autoptr (AsDlProblem) pb = small_problem (10, 15, 8, 0.2, 30.0, 21);
  guint n = pb->n, m = pb->m, B = pb->n_signals;
  g_autofree double *D = perturbed (pb, 0.05, 8);
  g_autofree double *Z = g_new (double, B * m);
  g_autofree double *R = g_new (double, B * n);
  g_autofree double *G = g_new0 (double, n * m);
  g_autofree double *E = g_new (double, n * m);
  g_autofree double *Dp = g_new (double, n * m);
  g_autofree double *Dm = g_new (double, n * m);
  double lambda = 0.1, eps = 1e-5, gap_max = 0.0, gnorm, worst = 0.0;
  AsRng rng;

  value_function (n, m, D, B, pb->X, lambda, Z);
  {
    g_autoptr (AsLasso) lasso = as_lasso_new (n, m, D, B, pb->X, lambda, FALSE);

    for (guint b = 0; b < B; b++)
      gap_max = MAX (gap_max, as_lasso_duality_gap (lasso, b, Z + b * m));
    g_assert_cmpfloat (gap_max, <=, 1e-12);
  }
  for (guint b = 0; b < B; b++)
    for (guint i = 0; i < n; i++)
      {
        double r = -pb->X[b * n + i];

        for (guint j = 0; j < m; j++)
          r += D[i * m + j] * Z[b * m + j];
        R[b * n + i] = r;
      }
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < m; j++)
      for (guint b = 0; b < B; b++)
        G[i * m + j] += R[b * n + i] * Z[b * m + j] / B;

  gnorm = sqrt (frobenius_dot (n * m, G, G));
  g_assert_cmpfloat (gnorm, >, 1e-3);
  as_rng_init (&rng, 17);
  for (guint trial = 0; trial < 6; trial++)
    {
      double fd, an, en;

      as_rng_normal_fill (&rng, E, n * m);
      en = sqrt (frobenius_dot (n * m, E, E));
      for (gsize i = 0; i < (gsize) n * m; i++)
        {
          E[i] /= en;
          Dp[i] = D[i] + eps * E[i];
          Dm[i] = D[i] - eps * E[i];
        }
      fd = (value_function (n, m, Dp, B, pb->X, lambda, Z)
            - value_function (n, m, Dm, B, pb->X, lambda, Z)) / (2.0 * eps);
      an = frobenius_dot (n * m, G, E);
      g_test_message ("directional derivative %.12g, finite differences %.12g", an, fd);
      /* E has unit norm: |⟨g − g*, E⟩| ≤ 1e-8 ‖g*‖ asks the gradient to match
       * to 1e-8 relative along six random directions. */
      g_assert_cmpfloat (fabs (fd - an), <=, 1e-8 * gnorm);
      worst = MAX (worst, fabs (fd - an) / gnorm);
    }
  g_test_message ("largest duality gap %.2g; ‖g‖ %.4g; largest relative mismatch %.2g",
                  gap_max, gnorm, worst);

  /* With many FISTA layers every estimate reaches g* (the support is found). */
  {
    guint T = 300;
    g_autofree double *errors = g_new (double, 3 * T);
    g_autoptr (GError) error = NULL;

    g_assert_true (as_dl_gradient_errors (n, m, D, B, pb->X, lambda, AS_DL_LAYERS_FISTA, T,
                                          errors, &error));
    g_assert_no_error (error);
    for (guint e = 0; e < 3; e++)
      g_assert_cmpfloat (errors[e * T + T - 1], <, 1e-6);
  }
}

/* Malézieux, Moreau & Kowalski 2022: back-propagating through the layers
 * first beats the analytic estimate, but on a non-smooth problem its error is
 * not monotone in T: it rises above its running minimum before the support
 * is identified, while the analytic estimate keeps improving.  Returns the
 * largest rise; writes the depth of the first minimum. */
static double
depth_curve (AsDlLayers layers, guint T, guint *first_min)
{
  g_autoptr (AsDlProblem) pb = small_problem (30, 50, 50, 0.2, 20.0, 0);
  g_autofree double *D = perturbed (pb, 0.1, 5);
  g_autofree double *errors = g_new (double, 3 * T);
  g_autoptr (GError) error = NULL;
  const double *analytic = errors, *automatic = errors + T;
  double running_min = G_MAXDOUBLE, worst_rise = 0.0;
  guint rise_at = 0;

  g_assert_true (as_dl_gradient_errors (pb->n, pb->m, D, pb->n_signals, pb->X, 0.1,
                                        layers, T, errors, &error));
  g_assert_no_error (error);
  *first_min = 0;
  for (guint t = 0; t < T; t++)
    {
      if (automatic[t] < running_min)
        running_min = automatic[t];
      if (automatic[t] / running_min > worst_rise)
        {
          worst_rise = automatic[t] / running_min;
          rise_at = t + 1;
        }
      if (*first_min == 0 && t + 1 < T && automatic[t + 1] >= automatic[t])
        *first_min = t + 1;
    }
  if (*first_min == 0)
    *first_min = T;
  {
    g_autoptr (GString) line = g_string_new (NULL);

    for (guint t = 0; t < T; t += (t < 10 ? 1 : 10))
      g_string_append_printf (line, " T=%u %.3g/%.3g", t + 1, automatic[t], analytic[t]);
    g_test_message ("%s, automatic/analytic error:%s", as_dl_layers_to_string (layers), line->str);
  }
  g_test_message ("%s: automatic error falls until T = %u, largest rise over its best so far "
                  "%.2f (at T = %u); T = %u: automatic %.3g, analytic %.3g",
                  as_dl_layers_to_string (layers), *first_min, worst_rise, rise_at, T,
                  automatic[T - 1], analytic[T - 1]);
  /* Below the analytic estimate once a few layers are in. */
  for (guint t = 5; t < *first_min; t++)
    g_assert_cmpfloat (automatic[t], <, analytic[t]);
  return worst_rise;
}

static void
test_gradient_error_depth (void)
{
  guint first_min;
  double rise;

  /* FISTA: falls steadily over the first tens of layers, then rises at least
   * 20 % above its best before the support settles. */
  rise = depth_curve (AS_DL_LAYERS_FISTA, 100, &first_min);
  g_assert_cmpuint (first_min, >=, 20);
  g_assert_cmpfloat (rise, >, 1.2);
  /* ISTA on the same problem: slower; over 200 layers its error keeps
   * falling (the support is not settled yet), below the analytic one. */
  rise = depth_curve (AS_DL_LAYERS_ISTA, 200, &first_min);
  g_assert_cmpuint (first_min, >=, 100);
  g_assert_cmpfloat (rise, <, 1.2);
}

/* ------------------------------------------------------------ learners */

static double
learn_score (AsDlLearner learner, guint n, guint m, guint N, double sparsity, double coherence,
             guint n_iter, double *objective)
{
  AsDlSimParams sp;
  AsDlParams p;
  AsDlStats stats;
  g_autoptr (AsDlProblem) pb = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree double *D = g_new (double, n * m);

  as_dl_sim_params_init (&sp);
  sp.n = n;
  sp.m = m;
  sp.n_signals = N;
  sp.sparsity = sparsity;
  sp.snr_db = 30.0;
  sp.dictionary = coherence > 0.0 ? AS_DL_DICTIONARY_COHERENCE : AS_DL_DICTIONARY_GAUSSIAN;
  sp.coherence = coherence;
  sp.seed = 1;
  pb = as_dl_sim_problem (&sp, NULL, &error);
  g_assert_no_error (error);
  as_dl_params_init (&p);
  p.learner = learner;
  p.m = m;
  p.n_iter = n_iter;
  p.batch = 64;
  p.n_layers = 10;
  g_assert_true (as_dl_learn (&p, n, N, pb->X, NULL, D, NULL, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (stats.lambda, >, 0.0);
  if (objective != NULL)
    *objective = stats.objective;
  return as_metrics_dictionary_recovery (n, m, pb->D, m, D, NULL);
}

/* Mean over the seeds of a cell's recovery score or support F1. */
static double
cell_mean (const GArray *results, AsDlLearner learner, double sparsity, double coherence,
           gboolean f1)
{
  double sum = 0.0;
  guint count = 0;

  for (guint i = 0; i < results->len; i++)
    {
      const AsDlCellResult *r = &g_array_index (results, AsDlCellResult, i);

      if (r->cell.learner == learner && r->cell.sparsity == sparsity
          && r->cell.coherence == coherence)
        {
          sum += f1 ? r->support_f1 : r->recovery;
          count++;
        }
    }
  g_assert_cmpuint (count, >, 0);
  return sum / count;
}

/* The phase diagram's known shape, on a 3 × 2 grid × 3 seeds run by the grid
 * runner: an incoherent (Gaussian) dictionary is recovered at low sparsity,
 * and recovery degrades as the number of active atoms and the coherence
 * grow.  (The |cos| score of a very coherent dictionary has a high chance
 * level, about √μ for atoms sharing one direction: the coherence shows
 * more clearly in the support F1.) */
static void
test_recovery_shape (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDlGrid) grid = as_dl_grid_parse ("n=16,m=24,samples=600,seeds=3,learners=am,online,"
                                                "sparsity=0.0625,0.1875,0.375,coherence=0,0.9",
                                                &error);
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  double am[6], on[6], f1[6];

  g_assert_no_error (error);
  g_assert_true (as_dl_grid_run (grid, results, NULL, 2, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 36);
  for (guint r = 0; r < 3; r++)
    for (guint c = 0; c < 2; c++)
      {
        am[2 * r + c] = cell_mean (results, AS_DL_LEARNER_AM, grid->sparsity[r], grid->coherence[c], FALSE);
        on[2 * r + c] = cell_mean (results, AS_DL_LEARNER_ONLINE, grid->sparsity[r], grid->coherence[c], FALSE);
        f1[2 * r + c] = cell_mean (results, AS_DL_LEARNER_AM, grid->sparsity[r], grid->coherence[c], TRUE);
      }
  for (guint r = 0; r < 3; r++)
    g_test_message ("k/n = %.4f, Gaussian | μ = 0.9: am %.4f | %.4f (support F1 %.3f | %.3f), "
                    "online %.4f | %.4f", grid->sparsity[r], am[2 * r], am[2 * r + 1],
                    f1[2 * r], f1[2 * r + 1], on[2 * r], on[2 * r + 1]);
  /* Recovered: incoherent atoms, one active per signal. */
  g_assert_cmpfloat (am[0], >, 0.99);
  g_assert_cmpfloat (on[0], >, 0.9);
  /* Fails as the sparsity grows, at either coherence, for both learners. */
  for (guint c = 0; c < 2; c++)
    {
      g_assert_cmpfloat (am[4 + c], <, am[c] - 0.15);
      g_assert_cmpfloat (on[4 + c], <, on[c] - 0.15);
      g_assert_cmpfloat (am[2 + c], <, am[c]);
    }
  /* ... and as the coherence grows: lower score and support F1 at every
   * sparsity but the densest, where all is lost already. */
  for (guint r = 0; r < 2; r++)
    {
      g_assert_cmpfloat (am[2 * r + 1], <, am[2 * r]);
      g_assert_cmpfloat (f1[2 * r + 1], <, f1[2 * r] - 0.03);
    }
  g_assert_cmpfloat (am[3], <, am[2] - 0.02);
}

/* The grid specification reaches every setting of the problem generator. */
static void
test_grid_spec (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDlGrid) g = as_dl_grid_parse ("coherence=0,0.4,amplitude=sign,support=bernoulli,"
                                             "m=96,snr=12,unroll=ista,gradient=implicit,layers=7",
                                             &error);
  g_autofree char *settings = NULL;
  g_autofree double *D = NULL;
  AsDlCell cell;
  double mu;

  g_assert_no_error (error);
  g_assert_cmpuint (g->n_coherence, ==, 2);
  g_assert_cmpfloat (g->coherence[0], ==, 0.0);
  g_assert_cmpint (g->amplitude, ==, AS_DL_AMPLITUDE_SIGN);
  g_assert_cmpint (g->support, ==, AS_DL_SUPPORT_BERNOULLI);
  settings = as_dl_grid_settings (g);
  g_assert_cmpstr (settings, ==, "n=64,m=96,lambda=0.1,snr=12,amplitude=sign,support=bernoulli,"
                                 "layers=7,unroll=ista,gradient=implicit");
  /* Coherence 0 is a Gaussian draw, whose coherence is what chance gives
   * (well above the 0.4 asked of the other column, well below 1). */
  D = g_new (double, (gsize) g->n * g->m);
  cell = (AsDlCell) { AS_DL_LEARNER_AM, 0.05, 0.0, 100, 0 };
  g_assert_true (as_dl_grid_dictionary (g, &cell, D, &error));
  mu = as_metrics_mutual_coherence (g->n, g->m, D);
  g_assert_cmpfloat (mu, >, 0.4);
  g_assert_cmpfloat (mu, <, 0.8);
  cell.coherence = 0.4;
  g_assert_true (as_dl_grid_dictionary (g, &cell, D, &error));
  g_assert_cmpfloat (fabs (as_metrics_mutual_coherence (g->n, g->m, D) - 0.4), <, 1e-6);

  g_assert_null (as_dl_grid_parse ("support=poisson", &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (as_dl_grid_parse ("coherence=-0.1", &error));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
}

/* Every learner lowers the objective from the initial dictionary's. */
static void
test_learners_descend (void)
{
  for (guint l = 0; l < AS_DL_N_LEARNERS; l++)
    {
      double F0, F1;

      learn_score (l, 16, 24, 300, 0.125, 0.0, 0, &F0);
      learn_score (l, 16, 24, 300, 0.125, 0.0, 30, &F1);
      g_test_message ("%s: objective %.5f -> %.5f", as_dl_learner_to_string (l), F0, F1);
      g_assert_cmpfloat (F1, <, 0.9 * F0);
    }
}

/* A convolutional grid: atoms of n samples in long signals, learned by convolutional
 * dictionary learning and matched at their best shift; with enough occurrences the
 * atoms are found; the results file, whose support columns are "nan", resumes whole; the
 * unrolled learner and several coherence values are refused. */
static void
test_grid_convolutional (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsDlGrid) grid = as_dl_grid_parse ("problem=convolutional,n=32,m=3,length=1000,samples=4,"
                                                "sparsity=0.01,0.06,coherence=0,seeds=2,learners=am",
                                                &error);
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  g_autoptr (GArray) again = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  g_autofree char *dir = g_dir_make_tmp ("atomscope-dl-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "results.csv", NULL);
  double dense_mean = 0;
  AsDlGrid *bad;

  g_assert_no_error (error);
  g_assert_true (grid->convolutional);
  g_assert_cmpuint (as_dl_grid_n_cells (grid), ==, 4);
  g_assert_true (as_dl_grid_run (grid, results, csv, 2, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (results->len, ==, 4);
  for (guint i = 0; i < results->len; i++)
    {
      const AsDlCellResult *r = &g_array_index (results, AsDlCellResult, i);

      g_test_message ("sparsity %g seed %u: recovery %.4f", r->cell.sparsity, r->cell.seed, r->recovery);
      g_assert_true (isnan (r->support_f1));
      g_assert_true (isfinite (r->objective) && r->objective > 0);
      if (r->cell.sparsity > 0.05)
        dense_mean += r->recovery / 2;
    }
  g_assert_cmpfloat (dense_mean, >, 0.98);
  g_assert_true (as_dl_grid_read_csv (csv, again, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, ==, 4);
  g_assert_true (as_dl_grid_run (grid, again, csv, 2, NULL, NULL, NULL, &error));
  g_assert_cmpuint (again->len, ==, 4);

  bad = as_dl_grid_parse ("problem=convolutional,learners=unrolled,coherence=0", &error);
  g_assert_null (bad);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  bad = as_dl_grid_parse ("problem=convolutional,learners=am", &error);   /* five coherences */
  g_assert_null (bad);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_clear_error (&error);
  g_unlink (csv);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);

  g_test_add_func ("/dl/sim-problem", test_sim_problem);
  g_test_add_func ("/dl/sim-convolutional", test_sim_convolutional);
  g_test_add_func ("/dl/automatic-gradient", test_automatic_gradient);
  g_test_add_func ("/dl/implicit-jacobian", test_implicit_jacobian);
  g_test_add_func ("/dl/analytic-gradient", test_analytic_gradient);
  g_test_add_func ("/dl/gradient-error-depth", test_gradient_error_depth);
  g_test_add_func ("/dl/grid-spec", test_grid_spec);
  g_test_add_func ("/dl/grid-convolutional", test_grid_convolutional);
  g_test_add_func ("/dl/recovery-shape", test_recovery_shape);
  g_test_add_func ("/dl/learners-descend", test_learners_descend);
  return g_test_run ();
}
