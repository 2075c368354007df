/* as-bench-events.h: time of the DriPP fits of a whole model (`atomscope-cli bench events`).
 *
 * Simulated occurrences of K atoms (each driven by one of E event types, or by none) and E
 * event types; the fit of every (atom, event type) is timed through as_dripp_analyse_times(),
 * the routine the window and `atomscope-cli events` call.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint   n_atoms;          /* K (default 20) */
  guint   n_event_types;    /* E (default 3) */
  guint   n_occurrences;    /* over all atoms (default 10⁵) */
  guint   n_events;         /* over all event types (default 10³) */
  double  duration;         /* seconds (default 3600) */
  double  goal;             /* seconds for the whole fit (default 1) */
  guint   repeats;          /* best of (default 3) */
  guint64 seed;
} AsBenchEventsParams;

void     as_bench_events_params_init (AsBenchEventsParams *params);
/* Prints the problem, the time (best of the repeats) and the goal; *@met tells whether the
 * time is below the goal. */
gboolean as_bench_events_run         (const AsBenchEventsParams *params, FILE *out,
                                      gboolean *met, GError **error);

G_END_DECLS
