/* as-cdl-progress.c: the estimate of learning's time left (docs/maths.md, "Time left").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "as-cdl-progress.h"

/* Iterations the rate and the decreases are taken over. */
#define RECENT 8

gboolean
as_cdl_progress_estimate (const AsCdlTracePoint *trace, guint n_points, guint iteration,
                          guint max_iter, double tol, AsCdlProgress *out)
{
  double it_time[RECENT + 1], it_obj[RECENT + 1];
  guint it_num[RECENT + 1], n = 0, left;

  out->fraction = 0.0;
  out->seconds_left = NAN;
  out->seconds_per_iteration = NAN;
  out->iterations_left = max_iter > iteration ? max_iter - iteration : 0;
  out->by_tolerance = FALSE;
  if (trace == NULL || n_points == 0)
    return FALSE;

  /* The end of each of the last iterations (newest first): the last point of each
   * iteration number, with its time and objective. */
  for (guint i = n_points; i-- > 0 && n < RECENT + 1;)
    if (n == 0 || trace[i].iteration != it_num[n - 1])
      {
        it_num[n] = trace[i].iteration;
        it_time[n] = trace[i].time;
        it_obj[n] = trace[i].objective;
        n++;
      }
  left = out->iterations_left;

  if (n >= 2 && it_num[0] > it_num[n - 1])
    out->seconds_per_iteration = (it_time[0] - it_time[n - 1]) / (it_num[0] - it_num[n - 1]);

  /* The relative decreases r_j of the last iterations, and their trend: alternating
   * minimisation slows down as a power of the iteration, r(i) ≈ r_0 (i / i_0)^a with a < 0
   * fitted by least squares on log r against log i, so r reaches tol at i_0 (tol / r_0)^(1/a). */
  if (tol > 0 && n >= 4)
    {
      double sx = 0, sy = 0, sxx = 0, sxy = 0, r0 = NAN;
      guint m = 0;
      gboolean ok = TRUE;
      for (guint j = 0; j + 1 < n && ok; j++)
        {
          double r = (it_obj[j + 1] - it_obj[j]) / MAX (fabs (it_obj[j]), 1e-300);
          double xj = log ((double) MAX (1u, it_num[j]));
          if (it_num[j + 1] + 1 != it_num[j])
            {
              ok = FALSE;
              break;
            }
          if (j == 0)
            r0 = r;
          if (!(r > 0))    /* no decrease (an atom resampled, a greedy start): no trend point */
            continue;
          sx += xj;
          sy += log (r);
          sxx += xj * xj;
          sxy += xj * log (r);
          m++;
        }
      if (ok && m >= 3 && r0 > 0)
        {
          double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
          if (r0 <= tol)
            {
              left = MIN (left, 1);
              out->by_tolerance = left < out->iterations_left || left == 0;
            }
          else if (slope < 0)
            {
              double need = ceil (it_num[0] * exp (log (tol / r0) / slope)) - it_num[0];
              if (need < left)
                {
                  left = (guint) MAX (1.0, need);
                  out->by_tolerance = TRUE;
                }
            }
        }
    }
  out->iterations_left = left;
  if (isfinite (out->seconds_per_iteration))
    out->seconds_left = left * out->seconds_per_iteration;
  out->fraction = iteration + left > 0 ? (double) iteration / (iteration + left) : 1.0;
  out->fraction = CLAMP (out->fraction, 0.0, 1.0);
  return TRUE;
}

gboolean
as_cdl_model_progress (const AsCdlModel *model, const AsCdlParams *params, AsCdlProgress *out)
{
  return as_cdl_progress_estimate ((const AsCdlTracePoint *) model->trace->data, model->trace->len,
                                   model->iteration, params->max_iter,
                                   params->online ? 0.0 : params->tol, out);
}

char *
as_cdl_progress_describe (const AsCdlProgress *progress)
{
  double s = progress->seconds_left;

  if (!isfinite (s))
    return NULL;
  if (s < 60)
    return g_strdup_printf (_("about %.0f s left"), MAX (1.0, ceil (s)));
  if (s < 3600)
    return g_strdup_printf (_("about %.0f min left"), ceil (s / 60));
  return g_strdup_printf (_("about %.1f h left"), s / 3600);
}
