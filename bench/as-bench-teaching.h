/* as-bench-teaching.h: how soon the teaching view's presets show their
 * paper's pattern (`atomscope-cli bench teaching`).
 *
 * For each preset, a cold start as a user gets it on picking the preset: a
 * new teaching job with the preset's own configuration and budget
 * (as_teaching_preset_config: problem drawn, reference solved, classical
 * solvers run, networks set up and trained).  The bench polls the job's
 * snapshots every few milliseconds and tests each new one with
 * as_teaching_pattern_met; it reports the wall time from the job's start to
 * the first snapshot that shows the pattern, the epochs done then, the
 * training rate (rounds of every network per second), and the time of the
 * preset's whole budget (measured, or with --quick estimated from the rate).
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
  gboolean quick;         /* stop a preset once its pattern holds; estimate the whole budget */
  double   goal_seconds;  /* the pattern within this wall time from a cold start (30) */
  guint    preset_mask;   /* bit k: run AsTeachingPreset k (0: all) */
} AsBenchTeachingParams;

void     as_bench_teaching_params_init (AsBenchTeachingParams *params);
/* Prints one line per preset and the machine's load; *@met (may be NULL) is
 * FALSE when a preset did not show its pattern within the goal. */
gboolean as_bench_teaching_run         (const AsBenchTeachingParams *params, FILE *out,
                                        gboolean *met, GError **error);

G_END_DECLS
