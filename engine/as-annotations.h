/* as-annotations.h: annotations a user adds, edits and deletes on a
 * recording, and how they are saved (EDF+ annotations, BIDS events.tsv).
 *
 * A list of annotations is a GArray of AsEvent kept sorted by onset (equal
 * onsets keep the order they were added in), each label owned by the array.
 * The window keeps one list as the authority and hands copies to its workers;
 * nothing here is shared between threads.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

/* An empty list, or a deep copy of @events (NULL: empty). */
GArray   *as_annotations_new    (void);
GArray   *as_annotations_copy   (const GArray *events);
gboolean  as_annotations_equal  (const GArray *a, const GArray *b);

/* Checks an annotation against a recording lasting @duration s (≤ 0: any):
 * a finite onset in [0, duration], a finite duration ≥ 0 ending by the end,
 * and a text that is valid UTF-8, not blank and without the bytes EDF+ uses
 * to delimit its annotations.  FALSE with an error saying which. */
gboolean  as_annotation_check   (double onset, double duration, const char *text,
                                 double rec_duration, GError **error);

/* Adds an annotation (checked as above); returns its index in the sorted
 * list, or −1 with an error. */
gint      as_annotations_add    (GArray *events, double onset, double duration, const char *text,
                                 double rec_duration, GError **error);
/* Replaces annotation @index; returns its new index, or −1 with an error
 * (the list unchanged). */
gint      as_annotations_edit   (GArray *events, guint index, double onset, double duration,
                                 const char *text, double rec_duration, GError **error);
/* Removes annotation @index; FALSE when there is none. */
gboolean  as_annotations_remove (GArray *events, guint index);
/* Sorts by onset, stable. */
void      as_annotations_sort   (GArray *events);
/* The annotation whose onset is nearest to time @t, within @tolerance s;
 * −1 when none.  (Spans are not searched: long annotations often tile a
 * whole recording, and a click inside one is meant for a new one.) */
gint      as_annotations_find   (const GArray *events, double t, double tolerance);

/* The recording's samples with @events as its EDF+ annotations (the EDF+
 * writer of as-export.h).  A recording read page by page from its file has
 * no samples in memory: an error says so. */
gboolean  as_annotations_write_edf (const char *path, const AsRecording *rec, const GArray *events,
                                    gboolean overwrite, GError **error);
/* @events as a BIDS events.tsv (the writer of as-export.h), the text in
 * trial_type. */
gboolean  as_annotations_write_tsv (const char *path, const GArray *events, gboolean overwrite,
                                    GError **error);

G_END_DECLS
