/* as-learn-span.h: the span of a recording one process of a distributed run learns from,
 * read from the file and prepared region by region (docs/distributed.md).
 *
 * as_learn_prepare() reads and prepares a whole recording.  Here a process reads only its
 * time span and the margins its filters need (an EDF/BDF file read page by page,
 * as-paged.h), and the statistics of the whole recording (a channel's range, detrend,
 * scale, energy) are combined over the processes by a reduction (as-preprocess.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-params.h"
#include "as-preprocess.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* TRUE when @header (a file opened with as_recording_open_paged()) prepared with @opts
 * can be prepared region by region with the result of as_learn_prepare(); else FALSE and
 * why (resampling, channels turned into events from their values). */
gboolean     as_learn_span_supported (const AsRecording *header, const AsPreprocessOptions *opts,
                                      GError **error);
/* Samples of the signal learned from (the time range of @opts), and the first of them in
 * the file. */
gsize        as_learn_span_total     (const AsRecording *header, const AsPreprocessOptions *opts,
                                      gsize *first);

/* The prepared signal's samples [@data_start, @data_end) (of as_learn_span_total()) on the
 * channels as_learn_prepare() would learn from, this process's own samples being
 * [@own_start, @own_end) (the processes' own samples partition the signal).  Reads from
 * the file only [min start − margin, max end + margin) (as_preprocess_span_margin());
 * *samples_read (may be NULL) receives how many time samples that is.  Every process
 * calls it (the reductions are collective) and fails when one fails.  The report is the
 * same on every process. */
AsRecording *as_learn_prepare_span   (const AsRecording *header, const AsPreprocessOptions *opts,
                                      gsize own_start, gsize own_end, gsize data_start,
                                      gsize data_end, AsReduceFunc reduce, gpointer reduce_data,
                                      AsLearnReport **report, gsize *samples_read,
                                      GError **error);

/* as_preprocess() (selection, crop, steps 3–8) of the same span, read from the file: what
 * "encode" does to a recording with a model's options (its scale, if any, applied after,
 * as_model_apply_scaling()). */
AsRecording *as_preprocess_read_span (const AsRecording *header, const AsPreprocessOptions *opts,
                                      gsize own_start, gsize own_end, gsize data_start,
                                      gsize data_end, AsReduceFunc reduce, gpointer reduce_data,
                                      gsize *samples_read, GError **error);

G_END_DECLS
