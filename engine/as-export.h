/* as-export.h: writing what was learned: atoms, activations,
 * reconstructions, occurrences, and a JSON sidecar describing them.
 *
 * Generic writers over plain arrays: a signal block is row-major
 * n_series × n_samples (like AsRecording), in physical units.  Every file
 * goes through as-output.h: written whole to a temporary file, renamed at
 * the end, nothing overwritten unless asked.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

/* What a JSON sidecar says about an export.  Unset numbers are NaN. */
typedef struct
{
  const char        *source;         /* the recording's path, or NULL */
  const char        *method;         /* e.g. "CDL rank-1", or NULL */
  double             sfreq;          /* Hz */
  guint              n_channels;
  const char *const *channel_names;  /* n_channels, or NULL */
  const char *const *channel_units;  /* n_channels, or NULL */
  const double      *positions;      /* n_channels × 3 metres, or NULL */
  const gboolean    *has_position;   /* n_channels, or NULL: all set when positions given */
  double             lambda;
  double             lambda_max;
  const double      *objective;      /* objective after each iteration */
  guint              n_objective;
  JsonObject        *parameters;     /* every other parameter (borrowed), or NULL */
  JsonObject        *preprocessing;  /* what was done to the data (borrowed), or NULL */
  const char *const *files;          /* names of the files this sidecar describes, or NULL */
} AsExportMeta;

void     as_export_meta_init   (AsExportMeta *meta);

/* Channel names, units and positions of a recording, laid out as
 * AsExportMeta wants them; keep it alive while the meta is used. */
typedef struct
{
  guint      n_channels;
  char     **names;         /* NULL-terminated */
  char     **units;         /* NULL-terminated */
  double    *positions;     /* n_channels × 3 */
  gboolean  *has_position;
} AsExportChannels;

AsExportChannels *as_export_channels_new  (const AsRecording *rec);
void              as_export_channels_free (AsExportChannels *channels);
/* Points meta's channel fields (and sfreq, source) at channels/rec. */
void              as_export_meta_set_channels (AsExportMeta *meta, const AsExportChannels *channels,
                                               const AsRecording *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsExportChannels, as_export_channels_free)
gboolean as_export_json_sidecar (const char *path, const AsExportMeta *meta, gboolean overwrite,
                                 GError **error);

/* NPY: an n_series × n_samples block (see also as_npy_write for any shape). */
gboolean as_export_npy         (const char *path, const double *data, guint n_series,
                                gsize n_samples, gboolean overwrite, GError **error);

/* CSV, one column per series, a header "name [unit]"; with sfreq > 0 a first
 * column "time [s]".  names/units may be NULL ("1", "2", ...; no unit). */
gboolean as_export_csv         (const char *path, const double *data, guint n_series,
                                gsize n_samples, const char *const *names,
                                const char *const *units, double sfreq, gboolean overwrite,
                                GError **error);

typedef enum
{
  AS_SOUND_WAV_FLOAT,  /* 32-bit float WAV: physical values as they are */
  AS_SOUND_FLAC,       /* 24-bit FLAC: values / scale, scale stored in the comment */
} AsSoundFormat;

/* Sound at the recording's rate (rounded to a whole number of Hz);
 * "atomscope: scale=S unit=U" in the comment brings values back. */
gboolean as_export_sound       (const char *path, const double *data, guint n_series,
                                gsize n_samples, double sfreq, const char *unit,
                                AsSoundFormat format, gboolean overwrite, GError **error);

/* One occurrence of an atom, as an event. */
typedef struct
{
  double      onset;      /* s from the first sample */
  double      duration;   /* s */
  const char *trial_type; /* e.g. "atom 3" */
  double      value;      /* e.g. the activation's amplitude (NaN: "n/a") */
} AsOccurrence;

/* BIDS events.tsv: onset, duration, trial_type, value. */
gboolean as_export_events_tsv  (const char *path, const AsOccurrence *occ, gsize n,
                                gboolean overwrite, GError **error);

/* Reads a BIDS events.tsv (onset and duration columns required; trial_type
 * and value optional, "n/a" allowed) into the recording's events; returns
 * how many were added.  Nothing is added on error. */
gssize   as_recording_add_events_tsv (AsRecording *rec, const char *path, GError **error);

/* EDF+ (EDFlib) with the signals and the occurrences as annotations, so
 * that clinical viewers show them.  Values are stored on 16 bits between
 * each channel's minimum and maximum; data records last 1 s for whole-number
 * rates (else round(sfreq) samples), and the last one is padded with the
 * last value since EDF holds whole records only. */
gboolean as_export_edf         (const char *path, const double *data, guint n_series,
                                gsize n_samples, double sfreq, const char *const *names,
                                const char *const *units, const AsOccurrence *occ, gsize n_occ,
                                gboolean overwrite, GError **error);

/* The whole recording (channels, units, events) as EDF+. */
gboolean as_export_recording_edf (const char *path, const AsRecording *rec, gboolean overwrite,
                                  GError **error);
/* The same with @events (of AsEvent) as its annotations instead of rec's. */
gboolean as_export_recording_edf_with_events (const char *path, const AsRecording *rec,
                                              const GArray *events, gboolean overwrite,
                                              GError **error);

G_END_DECLS
