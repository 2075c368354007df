/* as-dripp-analysis.h: which atoms are driven by which events — a DriPP fit (as-dripp.h) for
 * every (atom, event type) of a learned model and its recording, and the CSV/JSON writers
 * the window and atomscope-cli share.
 *
 * Occurrence times are the merged occurrences of each atom (as_cdl_model_occurrences_merged,
 * spacing as_cdl_model_merge_spacing): an activation at valid position t is an occurrence at
 * t / sfreq seconds, the start of the atom's waveform.  Their amplitudes are kept as marks.
 * Events come from the recording's annotations or from a stimulus channel.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"
#include "as-dripp.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  char   *label;
  GArray *onsets;   /* double, seconds, sorted */
} AsDrippEventType;

typedef struct
{
  guint      atom;
  guint      event_type;   /* index in AsDrippAnalysis.event_types */
  AsDrippFit fit;
  double     q_value;      /* p adjusted over every row of the analysis (Benjamini–Hochberg) */
} AsDrippRow;

typedef struct
{
  gatomicrefcount ref_count;
  AsDrippParams params;
  double        duration;       /* seconds of recording the activations cover */
  double        sfreq;
  double        threshold;      /* occurrences kept with |z| ≥ threshold · max |z_k| */
  guint         n_atoms;
  GPtrArray    *occurrences;    /* per atom: GArray of double (seconds, sorted) */
  GPtrArray    *amplitudes;     /* per atom: GArray of double, the marks */
  GPtrArray    *event_types;    /* of AsDrippEventType */
  GArray       *rows;           /* of AsDrippRow, atom-major */
} AsDrippAnalysis;

typedef struct
{
  const char        *stim_channel;  /* events from this channel's rising values; NULL: annotations */
  const char *const *event_types;   /* labels to keep (NULL: every label found) */
  double             threshold;     /* fraction of each atom's largest |activation| (0: all) */
  /* The events (annotations or stimulus channel) of another recording, the one the atoms'
   * recording was prepared from (NULL: the analysed recording's own), their onsets less
   * @events_offset seconds (the crop), those outside the analysed recording left out and
   * the types left empty by it dropped. */
  const AsRecording *events_from;
  double             events_offset;
} AsDrippSource;

/* A stimulus channel with more distinct non-zero values than this is refused (a signal
 * channel named by mistake would give one event type per sample value). */
#define AS_DRIPP_MAX_STIM_CODES 256

/* Events of @rec grouped by label: annotations, or the onsets where @stim_channel steps to a
 * new non-zero value (labelled by that value).  Fails naming the file when the channel or a
 * requested type is missing or no event is found. */
GPtrArray       *as_dripp_events_from_recording (const AsRecording *rec, const char *stim_channel,
                                                 const char *const *types, GError **error);

/* Replaces the events of @rec by the steps of its channel @stim_channel (labelled by value, as
 * as_dripp_events_from_recording() finds them), so that they follow the recording through
 * preprocessing (a crop moves them, a channel selection that leaves the stimulus channel out
 * keeps them): the atoms are learned without the stimulus channel.  Fails as
 * as_dripp_events_from_recording() does. */
gboolean         as_dripp_stim_to_events (AsRecording *rec, const char *stim_channel,
                                          GError **error);

/* Fits every (atom, event type).  @model must be one continuous trial learned from @rec
 * (same rate, same number of samples).  With @cancel set by another thread the loop stops
 * and returns NULL with AS_ENGINE_ERROR_CANCELLED. */
AsDrippAnalysis *as_dripp_analyse (const AsCdlModel *model, const AsRecording *rec,
                                   const AsDrippParams *params, const AsDrippSource *source,
                                   const gint *cancel, GError **error);

/* The same from occurrence times and events already extracted (the benchmark's entry). The
 * arrays are referenced. */
AsDrippAnalysis *as_dripp_analyse_times (GPtrArray *occurrences, GPtrArray *amplitudes,
                                         GPtrArray *event_types, double duration, double sfreq,
                                         const AsDrippParams *params, const gint *cancel,
                                         GError **error);

AsDrippAnalysis *as_dripp_analysis_ref   (AsDrippAnalysis *analysis);
void             as_dripp_analysis_unref (AsDrippAnalysis *analysis);

/* Occurrences of @atom within [−@pre, @post] s of each event of @event_type, appended: times
 * relative to the event (@rel, double), the event's index (@trial, guint) and, when not NULL,
 * the occurrence's index in the atom's arrays (@index, guint; for its amplitude). */
void             as_dripp_peri_event (const AsDrippAnalysis *analysis, guint atom,
                                      guint event_type, double pre, double post,
                                      GArray *rel, GArray *trial, GArray *index);

/* λ around one event, μ + α κ(t) (occurrences/s), for a row. */
double           as_dripp_row_intensity (const AsDrippAnalysis *analysis, const AsDrippRow *row,
                                         double t);

/* dripp.csv and dripp.json: one row per (atom, event type) with μ, α, m, σ, the
 * log-likelihoods, the statistic and p.  Temporary file then rename (as-output.h). */
gboolean         as_dripp_write_csv  (const AsDrippAnalysis *analysis, const char *path,
                                      gboolean overwrite, GError **error);
gboolean         as_dripp_write_json (const AsDrippAnalysis *analysis, const char *path,
                                      gboolean overwrite, GError **error);

void             as_dripp_event_type_free (AsDrippEventType *type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsDrippAnalysis, as_dripp_analysis_unref)

G_END_DECLS
