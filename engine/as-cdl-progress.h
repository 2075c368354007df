/* as-cdl-progress.h: how far learning has come and how long it has left.
 *
 * From a run's objective trace (the time and objective after each half-step), its iteration
 * limit and its tolerance: the seconds per iteration are the mean of the last few iterations,
 * and the iterations left are those to the limit, or fewer when the relative decreases,
 * shrinking as a power of the iteration, reach the tolerance before it (docs/maths.md, "Time left").  The
 * window and the command line show the same estimate.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"

G_BEGIN_DECLS

typedef struct
{
  double   fraction;         /* done so far, in [0, 1] */
  double   seconds_left;     /* NAN before an iteration has been timed */
  double   seconds_per_iteration; /* NAN likewise */
  guint    iterations_left;  /* expected */
  gboolean by_tolerance;     /* the tolerance is expected before the iteration limit */
} AsCdlProgress;

/* The estimate after @iteration of at most @max_iter iterations with tolerance @tol, from
 * @n_points trace points (in order; iteration 0 is the start).  FALSE (and a zero fraction,
 * unknown times) when the trace holds no point. */
gboolean as_cdl_progress_estimate (const AsCdlTracePoint *trace, guint n_points, guint iteration,
                                   guint max_iter, double tol, AsCdlProgress *out);

/* The same for a model being learned with @params (online learning: the limit only). */
gboolean as_cdl_model_progress    (const AsCdlModel *model, const AsCdlParams *params,
                                   AsCdlProgress *out);

/* "about 12 s left" / "about 3 min left" (translated), or NULL when unknown.  Free with g_free(). */
char    *as_cdl_progress_describe (const AsCdlProgress *progress);

G_END_DECLS
