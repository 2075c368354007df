/* as-recording.h: a multichannel recording, whatever file it came from.
 *
 * Samples are stored channel after channel (row-major n_channels × n_samples),
 * in physical units, at one sampling rate.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  AS_CHANNEL_OTHER,
  AS_CHANNEL_EEG,
  AS_CHANNEL_MEG,
  AS_CHANNEL_EOG,
  AS_CHANNEL_ECG,
  AS_CHANNEL_EMG,
  AS_CHANNEL_GAZE,
  AS_CHANNEL_PUPIL,
  AS_CHANNEL_AUDIO,
  AS_CHANNEL_STIM,
} AsChannelType;

typedef enum
{
  AS_RECORDING_GENERIC,
  AS_RECORDING_EEG,
  AS_RECORDING_EYE,
  AS_RECORDING_AUDIO,
} AsRecordingKind;

/* What an MEG channel measures: the field (magnetometers, axial
 * gradiometers) or its planar gradient (planar gradiometers, which come in
 * pairs at one location).  Topographies show one kind at a time. */
typedef enum
{
  AS_SENSOR_NONE,
  AS_SENSOR_MAGNETOMETER,
  AS_SENSOR_GRADIOMETER,
} AsSensorKind;

typedef struct
{
  char         *label;        /* as found in the file */
  char         *unit;         /* "uV", "deg", "mV", ... ("" when unknown) */
  AsChannelType type;
  gboolean      has_position;
  double        position[3];  /* metres, x right, y front, z up */
  AsSensorKind  sensor;       /* MEG: magnetometer or gradiometer */
  double        orientation[3]; /* MEG: the coil's normal (unit vector), else 0 */
  int           coil_type;    /* MEG: the coil type code of the file, else 0 */
} AsChannel;

typedef struct
{
  double onset;     /* seconds from the first sample */
  double duration;  /* seconds, 0 for an instant */
  char  *label;
} AsEvent;

typedef struct _AsPaged AsPaged;

typedef struct
{
  gatomicrefcount ref_count;
  char           *path;
  char           *format;        /* "EDF+", "CSV", "EyeLink ASC", ... */
  AsRecordingKind kind;
  guint           n_channels;
  gsize           n_samples;
  double          sfreq;         /* Hz */
  double         *data;          /* n_channels × n_samples */
  AsChannel      *channels;      /* n_channels */
  GArray         *events;        /* of AsEvent, sorted by onset */
  GPtrArray      *warnings;      /* of char*: what was read with doubt */
  GDateTime      *start_time;    /* NULL when the file does not say */
  guint8         *missing;       /* NULL when every sample was recorded; else
                                    n_channels × n_samples flags, 1 where nothing
                                    was recorded (a gap, a skip): the value
                                    there is NaN, or bridged once a reader or
                                    the preprocessing filled it; a recording
                                    prepared for learning also flags the
                                    filters' response around each gap, and
                                    learning leaves flagged samples out */
  AsPaged        *paged;         /* NULL when data holds every sample; else data
                                    is NULL and pages are read from the file
                                    (as-paged.h) */
} AsRecording;

AsRecording *as_recording_new          (guint n_channels, gsize n_samples, double sfreq);
AsRecording *as_recording_ref          (AsRecording *rec);
/* A deep copy (samples, channels, events, warnings), with a reference count of 1. */
AsRecording *as_recording_copy         (const AsRecording *rec);
void         as_recording_unref        (AsRecording *rec);
double      *as_recording_channel      (AsRecording *rec, guint channel);
double       as_recording_duration     (const AsRecording *rec);
void         as_recording_set_channel  (AsRecording *rec, guint channel, const char *label,
                                        const char *unit, AsChannelType type);
void         as_recording_add_event    (AsRecording *rec, double onset, double duration,
                                        const char *label);
void         as_recording_sort_events  (AsRecording *rec);
void         as_recording_add_warning  (AsRecording *rec, const char *format, ...) G_GNUC_PRINTF (2, 3);
void         as_recording_mark_missing (AsRecording *rec, guint channel, gsize start,
                                        gsize count);
gsize        as_recording_count_missing (const AsRecording *rec);
gboolean     as_recording_is_missing   (const AsRecording *rec, guint channel, gsize sample);
AsRecordingKind as_recording_guess_kind (const AsRecording *rec);
const char  *as_channel_type_to_string (AsChannelType type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsRecording, as_recording_unref)

G_END_DECLS
