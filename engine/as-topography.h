/* as-topography.h: a scalp map on a grid, ready to paint.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-montage.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  guint   size;      /* size × size cells, row 0 at the top (y = +radius) */
  double  radius;    /* the grid spans [−radius, radius]² in the projected plane */
  double *values;    /* size², row-major; NaN outside the mask */
  guint8 *mask;      /* size², 1 inside the head circle */
  double  vmin, vmax;/* over the masked cells */
  guint   n_sensors; /* as_topography_for_recording: the sensors drawn, */
  double *sensor_xy; /* n_sensors × 2 in the grid's plane (else NULL), */
  guint  *sensor_channel; /* and the channel each one is */
  double  head_radius; /* as_topography_for_recording: the head circle to draw (≤ radius) */
} AsTopographyGrid;

/* Biharmonic spline interpolation (Sandwell 1987, Geophys. Res. Lett.
 * 14(2):139, the Green function g(d) = d²(ln d − 1) used by EEGLAB's 'v4'):
 * solve Σ_j w_j g(‖x_i − x_j‖) = v_i, then evaluate Σ_j w_j g(‖x − x_j‖) at each
 * cell centre inside the circle of the given radius.  xy is n × 2 (projected
 * sensor positions), values n. */
AsTopographyGrid *as_topography_grid   (const double *xy, const double *values, guint n,
                                        double radius, guint size, GError **error);
/* The same interpolant at n_query arbitrary points (query n_query × 2). */
gboolean          as_topography_interpolate (const double *xy, const double *values, guint n,
                                             double radius, const double *query,
                                             guint n_query, double *out, GError **error);
/* The whole chain for a recording's channels with positions: sphere fit
 * (on the channels when 16 or more have positions, else on the standard
 * 10-05 set), azimuthal equidistant projection about its centre, the head
 * circle (landmarks of the standard 10-05 set; never inside the outermost
 * sensor), then the grid.  values: one per channel of rec (channels without
 * a position are skipped). */
AsTopographyGrid *as_topography_for_recording (const AsRecording *rec, const double *values,
                                               AsHeadCircle circle, guint size,
                                               GError **error);
/* The same for one kind of sensor: AS_SENSOR_NONE for electrodes, else MEG
 * magnetometers or gradiometers (pairs combined, as_meg_sensor_values()).
 * as_topography_for_recording() picks electrodes when it has three, else
 * magnetometers, else gradiometers. */
AsTopographyGrid *as_topography_for_sensors (const AsRecording *rec, const double *values,
                                             AsSensorKind kind, AsHeadCircle circle,
                                             guint size, GError **error);
/* MEG sensors of one kind: positions (n × 3), values and the channel of each
 * (the first of a gradiometer pair, whose two values are combined as
 * √((a² + b²)/2)).  Arrays hold rec->n_channels; returns n. */
guint             as_meg_sensor_values (const AsRecording *rec, const double *values,
                                        AsSensorKind kind, double *pos, double *out,
                                        guint *channel);
void              as_topography_grid_free (AsTopographyGrid *grid);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsTopographyGrid, as_topography_grid_free)

G_END_DECLS
