/* as-metrics.c: dictionary and code quality measures for sparse coding.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-metrics"
#include "config.h"

#include <math.h>
#include <cblas.h>

#include "as-hungarian.h"
#include "as-metrics.h"

/* Column norms of a row-major n × m matrix. */
static void
column_norms (guint n, guint m, const double *D, double *norms)
{
  for (guint j = 0; j < m; j++)
    norms[j] = cblas_dnrm2 (n, D + j, m);
}

double
as_metrics_mutual_coherence (guint n, guint m, const double *D)
{
  g_autofree double *G = g_new (double, (gsize) m * m);
  g_autofree double *nrm = g_new (double, m);
  double mu = 0.0;

  if (m < 2)
    return 0.0;
  column_norms (n, m, D, nrm);
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasTrans, m, n, 1.0, D, m, 0.0, G, m);
  for (guint i = 0; i < m; i++)
    for (guint j = i + 1; j < m; j++)
      if (nrm[i] > 0.0 && nrm[j] > 0.0)
        mu = MAX (mu, fabs (G[(gsize) i * m + j]) / (nrm[i] * nrm[j]));
  return mu;
}

double
as_metrics_marchenko_pastur_ratio (guint n, guint m, guint k)
{
  double gamma = (double) m / n, zeta = (double) k / m;
  double r = (1.0 + sqrt (zeta * gamma)) / (1.0 + sqrt (gamma));

  return r * r;
}

double
as_metrics_dictionary_recovery (guint n, guint m_true, const double *D_true, guint m_est,
                                const double *D_est, guint *assignment)
{
  g_autofree double *C = g_new (double, (gsize) m_true * m_est);
  g_autofree double *nt = g_new (double, m_true);
  g_autofree double *ne = g_new (double, m_est);
  g_autofree guint *assign = g_new (guint, m_true);
  double total;

  if (m_true == 0)
    return 1.0;
  column_norms (n, m_true, D_true, nt);
  column_norms (n, m_est, D_est, ne);
  /* C = |D_trueᵀ D_est| with normalised columns. */
  cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m_true, m_est, n,
               1.0, D_true, m_true, D_est, m_est, 0.0, C, m_est);
  for (guint i = 0; i < m_true; i++)
    for (guint j = 0; j < m_est; j++)
      {
        double d = nt[i] * ne[j];
        double *c = C + (gsize) i * m_est + j;

        *c = d > 0.0 ? fabs (*c) / d : 0.0;
      }
  total = as_hungarian_maximize (C, m_true, m_est, assign);
  if (assignment != NULL)
    for (guint i = 0; i < m_true; i++)
      assignment[i] = assign[i];
  return total / m_true;
}

AsSupportRecovery
as_metrics_support_recovery (gsize count, const double *Z_true, const double *Z_est,
                             double threshold)
{
  AsSupportRecovery r = { 0 };

  for (gsize k = 0; k < count; k++)
    {
      gboolean t = fabs (Z_true[k]) > threshold, e = fabs (Z_est[k]) > threshold;

      r.n_true += t;
      r.n_estimated += e;
      r.true_positives += t && e;
    }
  r.precision = r.n_estimated > 0 ? (double) r.true_positives / r.n_estimated : 1.0;
  r.recall = r.n_true > 0 ? (double) r.true_positives / r.n_true : 1.0;
  r.f1 = r.precision + r.recall > 0.0
           ? 2.0 * r.precision * r.recall / (r.precision + r.recall) : 0.0;
  return r;
}
