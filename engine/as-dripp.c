/* as-dripp.c: driven point processes, EM fit, likelihood-ratio test and simulator.
 *
 * Formulas and their sources: docs/dripp.md (Allain, Gramfort & Moreau 2021).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-dripp"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-dripp.h"
#include "as-engine.h"

#define SQRT_2PI 2.5066282746310002
#define LOG_FLOOR 1e-300

void
as_dripp_params_init (AsDrippParams *params)
{
  memset (params, 0, sizeof *params);
  params->a = 0.0;
  params->b = 1.0;
  params->max_iter = 300;
  params->tol = 1e-9;
}

static void
sigma_bounds (const AsDrippParams *p, double *lo, double *hi)
{
  *lo = p->sigma_min > 0 ? p->sigma_min : (p->b - p->a) / 20.0;
  *hi = p->sigma_max > 0 ? p->sigma_max : 5.0 * (p->b - p->a);
}

static double
std_normal_pdf (double x)
{
  return exp (-0.5 * x * x) / SQRT_2PI;
}

/* Φ(β) − Φ(α) for α ≤ β, accurate in either tail. */
static double
normal_mass (double alpha, double beta)
{
  if (alpha > 0)
    return 0.5 * (erfc (alpha / G_SQRT2) - erfc (beta / G_SQRT2));
  if (beta < 0)
    return 0.5 * (erfc (-beta / G_SQRT2) - erfc (-alpha / G_SQRT2));
  return 1.0 - 0.5 * erfc (beta / G_SQRT2) - 0.5 * erfc (-alpha / G_SQRT2);
}

double
as_dripp_kernel (double u, double m, double sigma, double a, double b)
{
  double z;

  if (u < a || u > b || !(sigma > 0))
    return 0.0;
  z = normal_mass ((a - m) / sigma, (b - m) / sigma);
  if (!(z > 0))
    return 0.0;
  return std_normal_pdf ((u - m) / sigma) / (sigma * z);
}

/* ---- occurrence–event pairs ------------------------------------------------------------ */

/* The occurrences that fall in the support of at least one event ("groups"), each with the
 * delays to those events: only they see more than the baseline, so an EM iteration costs
 * O(pairs), not O(occurrences). */
typedef struct
{
  gsize   n_occurrences;
  gsize   n_free;         /* occurrences outside every support */
  gsize   n_events;       /* events with their support inside [0, T] */
  double  duration;
  GArray *offsets;        /* guint: group g owns delays[offsets[g] … offsets[g + 1]) */
  GArray *delays;         /* double */
} Pairs;

static void
pairs_clear (Pairs *p)
{
  g_clear_pointer (&p->offsets, g_array_unref);
  g_clear_pointer (&p->delays, g_array_unref);
}

static void
pairs_build (Pairs *p, const double *t, gsize n, const double *events, gsize n_events,
             double duration, double a, double b)
{
  g_autofree double *ev = g_new (double, MAX (n_events, 1));
  gsize m = 0, lo = 0;
  guint zero = 0;

  for (gsize j = 0; j < n_events; j++)
    if (events[j] + a >= 0 && events[j] + b <= duration)
      ev[m++] = events[j];
  p->n_occurrences = n;
  p->n_events = m;
  p->n_free = 0;
  p->duration = duration;
  p->offsets = g_array_new (FALSE, FALSE, sizeof (guint));
  p->delays = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (p->offsets, zero);
  for (gsize i = 0; i < n; i++)
    {
      guint before = p->delays->len;

      while (lo < m && ev[lo] < t[i] - b)
        lo++;
      for (gsize j = lo; j < m && ev[j] <= t[i] - a; j++)
        {
          double d = t[i] - ev[j];
          g_array_append_val (p->delays, d);
        }
      if (p->delays->len > before)
        g_array_append_val (p->offsets, p->delays->len);
      else
        p->n_free++;
    }
}

/* ℓ(θ) = Σ_i log λ(t_i) − μT − αM, with the kernel values of every pair in @kern. */
static double
pairs_loglik (const Pairs *p, const double *kern, double mu, double alpha)
{
  const guint *off = (const guint *) p->offsets->data;
  double ll = -mu * p->duration - alpha * (double) p->n_events;

  if (p->n_free > 0)
    ll += (double) p->n_free * log (MAX (mu, LOG_FLOOR));
  for (guint g = 0; g + 1 < p->offsets->len; g++)
    {
      double k = 0;
      for (guint q = off[g]; q < off[g + 1]; q++)
        k += kern[q];
      ll += log (MAX (mu + alpha * k, LOG_FLOOR));
    }
  return ll;
}

static void
pairs_kernel (const Pairs *p, double m, double sigma, double a, double b, double *kern)
{
  const double *d = (const double *) p->delays->data;
  const double z = normal_mass ((a - m) / sigma, (b - m) / sigma);
  const double c = z > 0 ? 1.0 / (SQRT_2PI * sigma * z) : 0.0;
  const double s2 = 2.0 * sigma * sigma;

  for (guint q = 0; q < p->delays->len; q++)
    kern[q] = c * exp (-(d[q] - m) * (d[q] - m) / s2);
}

/* ---- M-step for the kernel: truncated-Gaussian maximum likelihood ----------------------- */

/* Q(m, σ) = Σ w log κ(d) (up to a constant) from W = Σ w, S1 = Σ w d, S2 = Σ w d², on the
 * support [−1, 1] (the caller rescales). */
static double
tn_q (double W, double S1, double S2, double m, double s)
{
  double z = normal_mass ((-1 - m) / s, (1 - m) / s);
  if (!(z > 0))
    return -G_MAXDOUBLE;
  return -(S2 - 2 * m * S1 + m * m * W) / (2 * s * s) - W * log (s) - W * log (z);
}

/* Raw moments E[X^k], k = 1…4, of N(m, s²) truncated to [−1, 1] (recurrence on the standard
 * truncated normal: M_k = (k − 1) M_{k−2} + (α^{k−1}φ(α) − β^{k−1}φ(β)) / Z). */
static gboolean
tn_moments (double m, double s, double e[5])
{
  const double al = (-1 - m) / s, be = (1 - m) / s;
  const double z = normal_mass (al, be), pa = std_normal_pdf (al), pb = std_normal_pdf (be);
  double M[5];

  if (!(z > 0))
    return FALSE;
  M[0] = 1;
  M[1] = (pa - pb) / z;
  M[2] = 1 + (al * pa - be * pb) / z;
  M[3] = 2 * M[1] + (al * al * pa - be * be * pb) / z;
  M[4] = 3 * M[2] + (al * al * al * pa - be * be * be * pb) / z;
  e[0] = 1;
  e[1] = m + s * M[1];
  e[2] = m * m + 2 * m * s * M[1] + s * s * M[2];
  e[3] = m * m * m + 3 * m * m * s * M[1] + 3 * m * s * s * M[2] + s * s * s * M[3];
  e[4] = m * m * m * m + 4 * m * m * m * s * M[1] + 6 * m * m * s * s * M[2]
         + 4 * m * s * s * s * M[3] + s * s * s * s * M[4];
  return TRUE;
}

/* Maximises Q over m ∈ [−1, 1], σ ∈ [slo, shi] from the current (m, σ).  The truncated
 * Gaussian on a fixed support is an exponential family in η = (m/σ², −1/(2σ²)), so Q is
 * concave in η and its gradient is the moment gap (S1/W − E[X], S2/W − E[X²]); Newton steps
 * in η with the covariance of (X, X²) as Hessian, backtracked until Q increases inside the
 * bounds.  Each accepted step increases Q, so the EM iteration stays monotone. */
static void
tn_mstep (double W, double S1, double S2, double slo, double shi, double *m, double *s)
{
  double q = tn_q (W, S1, S2, *m, *s);

  for (int it = 0; it < 40; it++)
    {
      double e[5], c11, c12, c22, g1, g2, det, d1, d2, eta1, eta2, step = 1.0;
      gboolean moved = FALSE;

      if (!tn_moments (*m, *s, e))
        return;
      g1 = S1 / W - e[1];
      g2 = S2 / W - e[2];
      c11 = e[2] - e[1] * e[1];
      c12 = e[3] - e[1] * e[2];
      c22 = e[4] - e[2] * e[2];
      det = c11 * c22 - c12 * c12;
      if (det > 1e-14 * (c11 * c22 + 1e-300))
        {
          d1 = (c22 * g1 - c12 * g2) / det;
          d2 = (c11 * g2 - c12 * g1) / det;
        }
      else
        {
          d1 = g1;
          d2 = g2;
        }
      eta1 = *m / (*s * *s);
      eta2 = -1.0 / (2 * *s * *s);
      for (int k = 0; k < 40; k++, step *= 0.5)
        {
          double n2 = eta2 + step * d2, n1 = eta1 + step * d1, s2, nm, ns, nq;
          if (!(n2 < 0))
            continue;
          s2 = -1.0 / (2 * n2);
          ns = sqrt (s2);
          nm = n1 * s2;
          if (k == 0)
            {
              /* the full Newton point projected on the bounds, when it leaves them */
              nm = CLAMP (nm, -1.0, 1.0);
              ns = CLAMP (ns, slo, shi);
            }
          else if (nm < -1 || nm > 1 || ns < slo || ns > shi)
            continue;
          nq = tn_q (W, S1, S2, nm, ns);
          if (nq > q)
            {
              /* keep going only while Q still gains more than rounding */
              moved = nq - q > 1e-13 * (fabs (q) + W);
              *m = nm;
              *s = ns;
              q = nq;
              break;
            }
          if (step * (fabs (d1) + fabs (d2)) < 1e-12 * (fabs (eta1) + fabs (eta2)))
            break;
        }
      if (!moved)
        return;
    }
}

/* ---- EM ---------------------------------------------------------------------------------- */

typedef struct
{
  double mu, alpha, m, sigma, loglik;
  guint  n_iter;
  gboolean converged;
} EmState;

/* Runs EM from @st for at most @max_iter more iterations (or until it converges). */
static void
em_run (const Pairs *p, const AsDrippParams *params, EmState *st, double *kern, double *resp,
        GArray *trace, guint max_iter)
{
  const guint *off = (const guint *) p->offsets->data;
  const double *d = (const double *) p->delays->data;
  const double a = params->a, b = params->b, c = 0.5 * (a + b), h = 0.5 * (b - a);
  double slo, shi, prev = -G_MAXDOUBLE;

  sigma_bounds (params, &slo, &shi);
  st->converged = FALSE;
  for (guint it = 0; it < max_iter; it++, st->n_iter++)
    {
      double base = (double) p->n_free, W = 0, S1 = 0, S2 = 0, ll, ms, ss;

      pairs_kernel (p, st->m, st->sigma, a, b, kern);
      ll = pairs_loglik (p, kern, st->mu, st->alpha);
      if (trace != NULL)
        g_array_append_val (trace, ll);
      if (it > 0 && ll - prev <= params->tol * (1.0 + fabs (ll)))
        {
          st->converged = TRUE;
          st->loglik = ll;
          return;
        }
      prev = ll;
      /* E-step: responsibilities of the baseline and of each event (docs/dripp.md, eq. E) */
      for (guint g = 0; g + 1 < p->offsets->len; g++)
        {
          double k = 0, lam;
          for (guint q = off[g]; q < off[g + 1]; q++)
            k += kern[q];
          lam = MAX (st->mu + st->alpha * k, LOG_FLOOR);
          base += st->mu / lam;
          for (guint q = off[g]; q < off[g + 1]; q++)
            {
              resp[q] = st->alpha * kern[q] / lam;
              W += resp[q];
              S1 += resp[q] * d[q];
              S2 += resp[q] * d[q] * d[q];
            }
        }
      /* M-step: closed form for μ and α, truncated-Gaussian ML for (m, σ) */
      st->mu = base / p->duration;
      st->alpha = W / (double) p->n_events;
      if (W > 1e-12)
        {
          /* rescale the support to [−1, 1]: d' = (d − c)/h */
          double s1 = (S1 - c * W) / h, s2 = (S2 - 2 * c * S1 + c * c * W) / (h * h);
          ms = (st->m - c) / h;
          ss = st->sigma / h;
          tn_mstep (W, s1, s2, slo / h, shi / h, &ms, &ss);
          /* a latency on a bound stays exactly on it (no rounding off the support) */
          st->m = ms <= -1.0 + 1e-9 ? a : ms >= 1.0 - 1e-9 ? b : c + h * ms;
          st->sigma = h * ss;
        }
    }
  pairs_kernel (p, st->m, st->sigma, a, b, kern);
  st->loglik = pairs_loglik (p, kern, st->mu, st->alpha);
  if (trace != NULL)
    g_array_append_val (trace, st->loglik);
}

static gboolean
check_params (const AsDrippParams *params, double duration, GError **error)
{
  double slo, shi;

  sigma_bounds (params, &slo, &shi);
  if (!(params->a >= 0) || !(params->b > params->a) || !(duration > params->b)
      || !(slo > 0) || !(shi > slo) || params->max_iter == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Invalid driven point-process settings: the support [%g, %g] s must satisfy 0 ≤ a < b < %g s (the recording) and 0 < σ_min < σ_max"),
                   params->a, params->b, duration);
      return FALSE;
    }
  return TRUE;
}

double
as_dripp_loglik (const double *t, gsize n, const double *events, gsize n_events,
                 double duration, const AsDrippParams *params, double mu, double alpha,
                 double m, double sigma)
{
  Pairs p = { 0 };
  g_autofree double *kern = NULL;
  double ll;

  pairs_build (&p, t, n, events, n_events, duration, params->a, params->b);
  kern = g_new (double, MAX (p.delays->len, 1));
  pairs_kernel (&p, m, sigma, params->a, params->b, kern);
  ll = pairs_loglik (&p, kern, mu, alpha);
  pairs_clear (&p);
  return ll;
}

double
as_dripp_p_value (double statistic)
{
  /* χ²₃ tail: P(χ²₃ ≥ D) = erfc(√(D/2)) + √(2D/π) e^{−D/2} (why χ²₃ and not
   * ½χ²₀ + ½χ²₁: docs/dripp.md, "The test") */
  if (!(statistic > 0))
    return 1.0;
  return MIN (1.0, erfc (sqrt (0.5 * statistic))
                       + sqrt (2.0 * statistic / G_PI) * exp (-0.5 * statistic));
}

gboolean
as_dripp_fit (const double *t, gsize n, const double *events, gsize n_events,
              double duration, const AsDrippParams *params, AsDrippFit *fit,
              GArray *trace, GError **error)
{
  Pairs p = { 0 };
  g_autofree double *kern = NULL, *resp = NULL;
  double slo, shi, mean = 0, var = 0, mu0, alpha0;
  EmState best = { 0 };

  memset (fit, 0, sizeof *fit);
  if (!check_params (params, duration, error))
    return FALSE;
  sigma_bounds (params, &slo, &shi);
  pairs_build (&p, t, n, events, n_events, duration, params->a, params->b);
  if (p.n_events == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("No event has its support [%g, %g] s inside the recording (%g s)"),
                   params->a, params->b, duration);
      pairs_clear (&p);
      return FALSE;
    }
  fit->n_occurrences = n;
  fit->n_events = p.n_events;
  fit->loglik_baseline = n > 0 ? (double) n * log ((double) n / duration) - (double) n : 0.0;
  kern = g_new (double, MAX (p.delays->len, 1));
  resp = g_new (double, MAX (p.delays->len, 1));

  /* Two starts, the better one kept: the delays' own mean and spread, and a broad kernel in
   * the middle of the support.  The baseline starts at n/T and α at the excess of
   * occurrences inside the supports (never 0: EM cannot leave α = 0). */
  for (guint q = 0; q < p.delays->len; q++)
    mean += g_array_index (p.delays, double, q);
  mean = p.delays->len > 0 ? mean / p.delays->len : 0.5 * (params->a + params->b);
  for (guint q = 0; q < p.delays->len; q++)
    var += pow (g_array_index (p.delays, double, q) - mean, 2);
  var = p.delays->len > 1 ? var / p.delays->len : pow (0.25 * (params->b - params->a), 2);
  mu0 = MAX ((double) n / duration, 1e-6 / duration);
  alpha0 = MAX ((double) p.delays->len / p.n_events - mu0 * (params->b - params->a), 0.0)
           + 0.1 * MAX (mu0 * (params->b - params->a), 1.0 / p.n_events);
  /* both starts run a few iterations; the better one goes on to convergence */
  {
    EmState st[2];
    GArray *tr[2] = { NULL, NULL };
    const guint short_run = MIN (params->max_iter, 30);
    int pick;

    for (int s = 0; s < 2; s++)
      {
        st[s] = (EmState) { mu0, alpha0, 0, 0, 0, 0, FALSE };
        st[s].m = CLAMP (s == 0 ? mean : 0.5 * (params->a + params->b), params->a, params->b);
        st[s].sigma = CLAMP (s == 0 ? sqrt (var) : 0.25 * (params->b - params->a), slo, shi);
        if (trace != NULL)
          tr[s] = g_array_new (FALSE, FALSE, sizeof (double));
        em_run (&p, params, &st[s], kern, resp, tr[s], short_run);
        if (tr[s] != NULL && !st[s].converged)
          g_array_set_size (tr[s], tr[s]->len - 1);   /* the closing value is recomputed */
      }
    pick = st[1].loglik > st[0].loglik ? 1 : 0;
    best = st[pick];
    if (!best.converged)
      em_run (&p, params, &best, kern, resp, tr[pick], params->max_iter - short_run);
    if (trace != NULL)
      {
        g_array_set_size (trace, 0);
        g_array_append_vals (trace, tr[pick]->data, tr[pick]->len);
        g_array_unref (tr[0]);
        g_array_unref (tr[1]);
      }
  }
  pairs_clear (&p);

  fit->mu = best.mu;
  fit->alpha = best.alpha;
  fit->m = best.m;
  fit->sigma = best.sigma;
  fit->loglik = best.loglik;
  fit->n_iter = best.n_iter;
  fit->converged = best.converged;
  fit->statistic = MAX (0.0, 2.0 * (fit->loglik - fit->loglik_baseline));
  fit->p_value = as_dripp_p_value (fit->statistic);
  if (!isfinite (fit->loglik) || !isfinite (fit->mu) || !isfinite (fit->alpha))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("The driven point-process fit did not give finite values"));
      return FALSE;
    }
  return TRUE;
}

/* ---- simulation -------------------------------------------------------------------------- */

static int
cmp_double (gconstpointer pa, gconstpointer pb)
{
  double x = *(const double *) pa, y = *(const double *) pb;
  return (x > y) - (x < y);
}

static double
exp_sample (AsRng *rng, double rate)
{
  return -log1p (-as_rng_uniform (rng)) / rate;
}

static guint
poisson_sample (AsRng *rng, double mean)
{
  if (!(mean > 0))
    return 0;
  if (mean < 30)
    {
      double l = exp (-mean), prod = as_rng_uniform (rng);
      guint k = 0;
      while (prod > l)
        {
          prod *= as_rng_uniform (rng);
          k++;
        }
      return k;
    }
  return (guint) MAX (0.0, round (mean + sqrt (mean) * as_rng_normal (rng)));
}

GArray *
as_dripp_simulate_events (double rate, double min_gap, double duration, AsRng *rng)
{
  GArray *ev = g_array_new (FALSE, FALSE, sizeof (double));
  double t = 0;

  g_return_val_if_fail (rate > 0 && min_gap >= 0, ev);
  for (;;)
    {
      t += min_gap + exp_sample (rng, rate);
      if (t >= duration)
        break;
      g_array_append_val (ev, t);
    }
  return ev;
}

GArray *
as_dripp_simulate (const double *events, gsize n_events, double duration, double mu,
                   double alpha, double m, double sigma, double a, double b, AsRng *rng)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (double));
  double t = 0;

  if (mu > 0)
    for (;;)
      {
        t += exp_sample (rng, mu);
        if (t >= duration)
          break;
        g_array_append_val (out, t);
      }
  for (gsize j = 0; j < n_events; j++)
    {
      guint k = poisson_sample (rng, alpha);
      for (guint i = 0; i < k; i++)
        {
          double u;
          guint tries = 0;
          do
            u = m + sigma * as_rng_normal (rng);
          while ((u < a || u > b) && ++tries < 100000);
          u = CLAMP (u, a, b);
          if (events[j] + u < duration && events[j] + u >= 0)
            {
              double x = events[j] + u;
              g_array_append_val (out, x);
            }
        }
    }
  g_array_sort (out, cmp_double);
  return out;
}

typedef struct
{
  double p;
  gsize  index;
} RankedP;

static int
ranked_cmp (const void *a, const void *b)
{
  double x = ((const RankedP *) a)->p, y = ((const RankedP *) b)->p;
  return (x > y) - (x < y);
}

void
as_dripp_fdr_adjust (const double *p, gsize n, double *q)
{
  g_autofree RankedP *r = g_new (RankedP, MAX (n, 1));
  gsize family = 0;
  double running = 1.0;

  for (gsize i = 0; i < n; i++)
    {
      q[i] = NAN;
      if (!isnan (p[i]))
        {
          r[family].p = p[i];
          r[family].index = i;
          family++;
        }
    }
  qsort (r, family, sizeof (RankedP), ranked_cmp);
  for (gsize j = family; j-- > 0;)
    {
      running = MIN (running, r[j].p * (double) family / (double) (j + 1));
      q[r[j].index] = MIN (running, 1.0);
    }
}

gboolean
as_dripp_fit_excited (const AsDrippFit *fit)
{
  return fit->n_occurrences > 0 && fit->alpha * (double) fit->n_events >= 0.5;
}
