/* as-events.h: annotation files added to a recording, and the EDF+
 * annotation signal.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

/* Adds the events of an annotation-only file to rec: an EDF+/BDF+ file
 * (its annotation signal), a BIDS events.tsv (onset, duration, trial_type or
 * value), or a BrainVision marker file (.vmrk; positions in samples of rec).
 * Onsets are seconds from rec's first sample (EDF+: shifted by the
 * difference of start times when both files have one).  Returns how many
 * events were added, or −1 with an error naming the file, the place and the
 * reason. */
gint      as_recording_add_events_from_file (AsRecording *rec, const char *path,
                                             GError **error);

/* An EDF+/BDF+ file's annotation signal: the start time of each data record
 * (seconds, from its time-keeping annotation; n_records values) and the
 * other annotations as AsEvent (onset in seconds of the file's own clock).
 * FALSE with an error when the file has no annotation signal or a TAL is
 * malformed. */
gboolean  as_edf_read_annotations (const char *path, GArray **record_onsets, GArray **events,
                                   double *record_duration, GError **error);

/* One data record's annotation bytes (record: its index, for messages): the
 * record's start time and its other annotations appended to events (an
 * array of AsEvent that clears them), onsets in seconds of the file's clock. */
gboolean  as_edf_parse_record_annotations (const char *path, gsize record, const guint8 *bytes,
                                           gsize n, double *record_onset, GArray *events,
                                           GError **error);

/* BrainVision marker file contents (positions in samples at sfreq). */
gint      as_vmrk_add_events (AsRecording *rec, const char *path, const char *data, gsize len,
                              double sfreq, GError **error);

G_END_DECLS
