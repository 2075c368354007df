/* as-nystagmus-export.h: nystagmus measures as files: the beats as CSV, as BIDS
 * events.tsv and as EDF+ annotations (through as-export.h's writers), and a JSON
 * summary.  Every file goes through as-output.h (temporary file, then rename).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-export.h"
#include "as-nystagmus.h"

G_BEGIN_DECLS

/* One row per beat: start_s, fast_phase_s, end_s, duration_s, direction, slow_phase,
 * spv_mean_deg_per_s, spv_peak_deg_per_s, amplitude_deg, atom. */
gboolean      as_nystagmus_write_beats_csv (const char *path, const AsNystagmusAnalysis *an,
                                            gboolean overwrite, GError **error);
/* The beats as occurrences: onset = slow-phase start, duration = the beat's,
 * trial_type "beat <direction>" ("cycle pendular" for pendular cycles), value = mean SPV. */
AsOccurrence *as_nystagmus_occurrences     (const AsNystagmusAnalysis *an, gsize *n);
gboolean      as_nystagmus_write_events_tsv (const char *path, const AsNystagmusAnalysis *an,
                                             gboolean overwrite, GError **error);
/* The eye channel in degrees (missing samples held at the last value) with the beats as
 * annotations. */
gboolean      as_nystagmus_write_edf       (const char *path, const AsNystagmusAnalysis *an,
                                            gboolean overwrite, GError **error);
/* The summary of [t0, t1) (the whole recording when t1 ≤ t0) with the parameters. */
JsonObject   *as_nystagmus_summary_to_json (const AsNystagmusAnalysis *an, const char *source,
                                            double t0, double t1);
gboolean      as_nystagmus_write_summary_json (const char *path, const AsNystagmusAnalysis *an,
                                               const char *source, double t0, double t1,
                                               gboolean overwrite, GError **error);

G_END_DECLS
