/* as-topography.c: biharmonic spline interpolation of a scalp map.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-topography"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <lapacke.h>

#include "as-engine.h"
#include "as-montage.h"
#include "as-topography.h"

/* Green function of the biharmonic operator in 2-D (Sandwell 1987, eq. 4
 * up to constants), g(0) = 0. */
static double
green (double d)
{
  return d > 0 ? d * d * (log (d) - 1.0) : 0.0;
}

void
as_topography_grid_free (AsTopographyGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->values);
  g_free (grid->mask);
  g_free (grid->sensor_xy);
  g_free (grid->sensor_channel);
  g_free (grid);
}

/* Weights w of the interpolant, or NULL. */
static double *
solve_weights (const double *xy, const double *values, guint n, double radius, GError **error)
{
  g_autofree double *g = NULL;
  g_autofree lapack_int *ipiv = NULL;
  double *w;
  lapack_int info;

  if (n < 1 || !(radius > 0) || !isfinite (radius))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("a topography needs at least one sensor and a positive radius"));
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (!isfinite (values[i]) || !isfinite (xy[2 * i]) || !isfinite (xy[2 * i + 1]))
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                     _("sensor %u has a non-finite value or position"), i + 1);
        return NULL;
      }
  /* Distances are divided by the radius so the logarithm is unit-free. */
  g = g_new (double, (gsize) n * n);
  w = g_new (double, n);
  ipiv = g_new (lapack_int, n);
  for (guint i = 0; i < n; i++)
    {
      w[i] = values[i];
      for (guint j = 0; j < n; j++)
        g[(gsize) i * n + j] = green (hypot (xy[2 * i] - xy[2 * j], xy[2 * i + 1] - xy[2 * j + 1]) / radius);
    }
  info = n == 1 ? 0 : LAPACKE_dgesv (LAPACK_ROW_MAJOR, n, 1, g, n, ipiv, w, 1);
  if (info != 0)
    {
      g_free (w);
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("the topography cannot be interpolated: two sensors share a position"));
      return NULL;
    }
  return w;
}

static double
evaluate (const double *xy, const double *w, guint n, double radius, double x, double y,
          const double *values)
{
  double v = 0;

  if (n == 1)  /* g(0) = 0 makes a single sensor degenerate: a flat map */
    return values[0];
  for (guint j = 0; j < n; j++)
    v += w[j] * green (hypot (x - xy[2 * j], y - xy[2 * j + 1]) / radius);
  return v;
}

gboolean
as_topography_interpolate (const double *xy, const double *values, guint n, double radius,
                           const double *query, guint n_query, double *out, GError **error)
{
  g_autofree double *w = solve_weights (xy, values, n, radius, error);

  if (w == NULL)
    return FALSE;
  for (guint q = 0; q < n_query; q++)
    out[q] = evaluate (xy, w, n, radius, query[2 * q], query[2 * q + 1], values);
  return TRUE;
}

AsTopographyGrid *
as_topography_grid (const double *xy, const double *values, guint n, double radius, guint size,
                    GError **error)
{
  g_autofree double *w = NULL;
  AsTopographyGrid *grid;

  if (size < 2 || size > 4096)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("a topography grid needs 2 to 4096 cells a side (asked for %u)"), size);
      return NULL;
    }
  w = solve_weights (xy, values, n, radius, error);
  if (w == NULL)
    return NULL;
  grid = g_new0 (AsTopographyGrid, 1);
  grid->size = size;
  grid->radius = radius;
  grid->values = g_new (double, (gsize) size * size);
  grid->mask = g_new0 (guint8, (gsize) size * size);
  grid->vmin = INFINITY;
  grid->vmax = -INFINITY;
  for (guint r = 0; r < size; r++)
    for (guint c = 0; c < size; c++)
      {
        /* cell centres */
        double x = -radius + (2.0 * c + 1.0) * radius / size;
        double y = radius - (2.0 * r + 1.0) * radius / size;
        gsize k = (gsize) r * size + c;
        double v;

        if (x * x + y * y > radius * radius)
          {
            grid->values[k] = NAN;
            continue;
          }
        v = evaluate (xy, w, n, radius, x, y, values);
        grid->values[k] = v;
        grid->mask[k] = 1;
        grid->vmin = MIN (grid->vmin, v);
        grid->vmax = MAX (grid->vmax, v);
      }
  return grid;
}

/* MEG sensors of one kind with their values; planar gradiometers that
 * share a location (a pair) become one sensor showing the root mean square
 * of the two, √((a² + b²)/2), as MNE-Python draws them. */
guint
as_meg_sensor_values (const AsRecording *rec, const double *values, AsSensorKind kind,
                      double *pos, double *out, guint *channel)
{
  guint n = 0;
  g_autofree gboolean *used = g_new0 (gboolean, MAX (rec->n_channels, 1));

  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      double sum;
      guint count = 1;

      if (used[c] || !ch->has_position || ch->type != AS_CHANNEL_MEG || ch->sensor != kind)
        continue;
      sum = values[c] * values[c];
      if (kind == AS_SENSOR_GRADIOMETER)
        for (guint d = c + 1; d < rec->n_channels; d++)
          {
            const AsChannel *o = &rec->channels[d];
            if (!used[d] && o->has_position && o->type == AS_CHANNEL_MEG && o->sensor == kind
                && fabs (o->position[0] - ch->position[0]) < 1e-4
                && fabs (o->position[1] - ch->position[1]) < 1e-4
                && fabs (o->position[2] - ch->position[2]) < 1e-4)
              {
                used[d] = TRUE;
                sum += values[d] * values[d];
                count++;
                break;
              }
          }
      used[c] = TRUE;
      memcpy (pos + 3 * n, ch->position, 3 * sizeof (double));
      out[n] = kind == AS_SENSOR_GRADIOMETER ? sqrt (sum / count) : values[c];
      channel[n++] = c;
    }
  return n;
}

static AsTopographyGrid *
topography_of_points (double *pos, double *v, guint *which, guint n, AsHeadCircle circle,
                      guint size, GError **error)
{
  g_autofree double *xy = g_new (double, 2 * MAX (n, 1));
  g_autofree guint *owned = which;
  g_autoptr (AsMontage) standard = NULL;
  g_autoptr (GError) local = NULL;
  double center[3] = { 0, 0, 0 }, sphere_r, radius = 0, radius_head = 0, outer = 0;
  gboolean fitted = FALSE;
  AsTopographyGrid *grid;

  if (n < 3)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("a topography needs at least three channels with electrode positions (found %u)"), n);
      return NULL;
    }
  standard = as_montage_load_standard ("standard_1005", &local);
  if (n >= 16)
    fitted = as_fit_sphere (pos, n, center, &sphere_r);
  if (!fitted && standard != NULL)
    {
      g_autofree double *all = g_new (double, 3 * standard->n_electrodes);
      guint m = 0;
      for (guint i = 0; i < standard->n_electrodes; i++)
        if (!as_electrode_is_fiducial (standard->electrodes[i].label))
          memcpy (all + 3 * m++, standard->electrodes[i].pos, 3 * sizeof (double));
      fitted = as_fit_sphere (all, m, center, &sphere_r);
    }
  if (!fitted)
    memset (center, 0, sizeof center);
  as_project_azimuthal (pos, n, center, xy);
  for (guint i = 0; i < n; i++)
    outer = MAX (outer, hypot (xy[2 * i], xy[2 * i + 1]));
  if (standard != NULL)
    radius = as_montage_head_radius (standard, center, circle);
  radius_head = radius;
  /* sensors below the head circle (EEGLAB draws them outside it) stay on
   * the grid: never cut a sensor off */
  radius = MAX (radius, 1.02 * outer);
  grid = as_topography_grid (xy, v, n, radius, size, error);
  if (grid == NULL)
    return NULL;
  grid->n_sensors = n;
  /* Without a standard head, the circle through the outermost sensor. */
  grid->head_radius = standard != NULL && radius_head > 0 ? radius_head : outer;
  grid->sensor_xy = g_steal_pointer (&xy);
  grid->sensor_channel = g_steal_pointer (&owned);
  return grid;
}

AsTopographyGrid *
as_topography_for_sensors (const AsRecording *rec, const double *values, AsSensorKind kind,
                           AsHeadCircle circle, guint size, GError **error)
{
  g_autofree double *pos = g_new (double, 3 * MAX (rec->n_channels, 1));
  g_autofree double *v = g_new (double, MAX (rec->n_channels, 1));
  guint *which = g_new (guint, MAX (rec->n_channels, 1));
  guint n = 0;

  if (kind == AS_SENSOR_NONE)
    {
      /* electrodes, and MEG sensors of no known kind */
      for (guint c = 0; c < rec->n_channels; c++)
        if (rec->channels[c].has_position && rec->channels[c].sensor == AS_SENSOR_NONE)
          {
            memcpy (pos + 3 * n, rec->channels[c].position, 3 * sizeof (double));
            v[n] = values[c];
            which[n++] = c;
          }
    }
  else
    n = as_meg_sensor_values (rec, values, kind, pos, v, which);
  return topography_of_points (pos, v, which, n, circle, size, error);
}

AsTopographyGrid *
as_topography_for_recording (const AsRecording *rec, const double *values, AsHeadCircle circle,
                             guint size, GError **error)
{
  guint n[3] = { 0, 0, 0 };
  AsSensorKind kind = AS_SENSOR_NONE;

  for (guint c = 0; c < rec->n_channels; c++)
    if (rec->channels[c].has_position)
      n[rec->channels[c].sensor]++;
  /* electrodes first; else magnetometers; else gradiometers */
  if (n[AS_SENSOR_NONE] < 3 && n[AS_SENSOR_MAGNETOMETER] >= 3)
    kind = AS_SENSOR_MAGNETOMETER;
  else if (n[AS_SENSOR_NONE] < 3 && n[AS_SENSOR_GRADIOMETER] >= 3)
    kind = AS_SENSOR_GRADIOMETER;
  return as_topography_for_sensors (rec, values, kind, circle, size, error);
}
