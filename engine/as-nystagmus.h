/* as-nystagmus.h: nystagmus measures from an eye-position channel.
 *
 * Beats are found from the eye velocity and acceleration (fast phases are the quick
 * movements opposite to the drift), optionally refined with the occurrences of a learned
 * beat atom, and measured as video-nystagmography reports them: per beat the slow-phase
 * velocity, its shape, the amplitude, the direction named by the fast phase; per
 * recording or interval the frequency, median and interquartile slow-phase velocity,
 * intensity, dominant direction, waveform class and foveation periods.  Definitions and
 * their sources: docs/nystagmus.md.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef enum
{
  AS_EYE_AXIS_HORIZONTAL,  /* positive values: rightwards */
  AS_EYE_AXIS_VERTICAL,    /* positive values: upwards */
} AsEyeAxis;

typedef enum
{
  AS_NYSTAGMUS_DIRECTION_NONE,   /* pendular: no fast phase */
  AS_NYSTAGMUS_DIRECTION_RIGHT,  /* right-beating: the fast phase goes right */
  AS_NYSTAGMUS_DIRECTION_LEFT,
  AS_NYSTAGMUS_DIRECTION_UP,
  AS_NYSTAGMUS_DIRECTION_DOWN,
} AsNystagmusDirection;

typedef enum
{
  AS_SLOW_PHASE_NONE,        /* pendular cycles */
  AS_SLOW_PHASE_LINEAR,      /* constant velocity (e.g. peripheral vestibular) */
  AS_SLOW_PHASE_INCREASING,  /* accelerating (e.g. infantile nystagmus) */
  AS_SLOW_PHASE_DECREASING,  /* decelerating (e.g. gaze-evoked nystagmus) */
} AsSlowPhaseShape;

typedef enum
{
  AS_NYSTAGMUS_WAVEFORM_NONE,      /* no beat found */
  AS_NYSTAGMUS_WAVEFORM_JERK,      /* slow phase + fast phase; see the shape */
  AS_NYSTAGMUS_WAVEFORM_PENDULAR,  /* sinusoidal, no fast phase */
  AS_NYSTAGMUS_WAVEFORM_MIXED,     /* both, in comparable shares */
} AsNystagmusWaveform;

const char *as_nystagmus_direction_to_string (AsNystagmusDirection d);  /* "right", ... */
const char *as_slow_phase_shape_to_string    (AsSlowPhaseShape s);      /* "linear", ... */
const char *as_nystagmus_waveform_to_string  (AsNystagmusWaveform w);   /* "jerk", ... */
/* Translated names for people. */
const char *as_nystagmus_direction_to_label  (AsNystagmusDirection d);
const char *as_slow_phase_shape_to_label     (AsSlowPhaseShape s);
const char *as_nystagmus_waveform_to_label   (AsNystagmusWaveform w);

typedef struct
{
  double foveation_velocity;      /* °/s: |velocity| below (default 4) */
  double foveation_window;        /* °: |position − foveation position| below (default 0.5) */
  double foveation_min_duration;  /* s: shortest foveation period (default 0.040) */
  double foveation_position;      /* °: NAN (default) = estimated, see docs/nystagmus.md */
  double velocity_window;         /* s: span of the differentiating filter (default 0.035) */
  double foveation_velocity_window; /* s: its span for the foveation velocity; NAN (default)
                                     * = as short as the noise allows, 30–100 ms */
  double fast_threshold;          /* °/s: NAN (default) = adaptive (Nyström & Holmqvist 2010) */
  double shape_threshold;         /* relative velocity change that makes a slow phase
                                   * increasing or decreasing (default 0.35) */
} AsNystagmusParams;

void as_nystagmus_params_init (AsNystagmusParams *params);

/* An eye-position channel in degrees, with the samples that are missing. */
typedef struct
{
  gatomicrefcount ref_count;
  char      *label;
  AsEyeAxis  axis;
  double     sfreq;      /* Hz */
  gsize      n;
  double    *position;   /* °, n samples; NAN where missing */
  double     deg_per_unit; /* from the file's unit to degrees (1 when built from degrees) */
} AsEyeChannel;

typedef struct
{
  double gain;            /* ° per file unit: NAN (default) = from the unit */
  double pixels_per_deg;  /* gaze in pixels (screen geometry): NAN = the file's resolution
                           * channels (EyeLink RES), when it has them */
  const char *channel;    /* label to use, or NULL: the first eye channel */
} AsEyeChannelOptions;

void          as_eye_channel_options_init (AsEyeChannelOptions *opts);
/* Takes ownership of nothing: copies @position (NAN = missing). */
AsEyeChannel *as_eye_channel_new     (const char *label, AsEyeAxis axis, double sfreq,
                                      const double *position, gsize n);
/* The eye channel of @rec in degrees.  Samples the reader filled by interpolation and
 * the intervals of events named "blink" are marked missing.  Fails, naming the file,
 * when there is no eye channel, the named channel is absent, or its unit cannot be
 * turned into degrees without a gain or a pixels-per-degree. */
AsEyeChannel *as_eye_channel_from_recording (const AsRecording *rec,
                                             const AsEyeChannelOptions *opts,
                                             GError **error);
/* Degrees per unit of channel @channel of @rec (NULL: the first eye channel) from a
 * calibration where the eye makes saccades of @saccade_deg degrees (EOG in µV, ...):
 * @saccade_deg / the median size of its saccades.  Fails naming the file when fewer
 * than three saccades are found. */
double        as_eye_gain_from_saccades (const AsRecording *rec, const char *channel,
                                         double saccade_deg, GError **error);
/* Pixels per degree at the centre of a screen @width_px pixels and @width_cm wide, seen
 * from @distance_cm: one over the angle (°) one pixel subtends there,
 * 2 atan(w / 2D) with w the width of a pixel.  NAN unless all three are positive. */
double        as_eye_pixels_per_degree_from_screen (double width_px, double width_cm,
                                                    double distance_cm);
AsEyeChannel *as_eye_channel_ref     (AsEyeChannel *ch);
void          as_eye_channel_unref   (AsEyeChannel *ch);
/* Horizontal unless the label names a vertical channel ("vert", "gaze_y", "eye_v"...). */
AsEyeAxis     as_eye_axis_guess      (const char *label);

typedef struct _AsNystagmusAnalysis AsNystagmusAnalysis;

/* A learned beat atom: where it occurs and where its fast phase lies in it. */
typedef struct
{
  const double *waveform;   /* the atom (position-like), length samples */
  gsize         length;
  const double *onsets;     /* s: where each occurrence starts */
  gsize         n_onsets;
} AsBeatAtom;

/* The beat atom @k of a 1-D model: the waveform of its strongest channel and the onsets
 * of its occurrences (those the views count: as_cdl_model_occurrences_merged() above
 * @relative_threshold × its largest activation).  Free with as_beat_atom_free(). */
AsBeatAtom *as_beat_atom_new_from_model (const AsCdlModel *model, guint k,
                                         double relative_threshold);
void        as_beat_atom_free           (AsBeatAtom *atom);
/* The atom of @model that is most likely one beat: the one whose occurrences (counted as
 * above) are closest in number to the fast phases @an found without an atom. */
guint       as_beat_atom_pick           (const AsCdlModel *model, const AsNystagmusAnalysis *an,
                                         double relative_threshold);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsBeatAtom, as_beat_atom_free)

typedef struct
{
  double               start;          /* s: slow phase start */
  double               fast_start;     /* s: slow phase end = fast phase start */
  double               end;            /* s: fast phase end */
  AsNystagmusDirection direction;
  AsSlowPhaseShape     shape;
  double               spv_mean;       /* °/s, > 0 (speed of the slow phase) */
  double               spv_peak;       /* °/s, > 0 */
  double               amplitude;      /* °: peak to peak of the beat */
  gboolean             atom;           /* confirmed by an occurrence of the beat atom */
} AsNystagmusBeat;

typedef struct
{
  double start, end;  /* s */
} AsInterval;

typedef struct
{
  guint                n_beats;
  double               duration;            /* s of valid signal in the interval */
  double               frequency;           /* beats/s: n / Σ beat durations */
  double               spv_median, spv_q1, spv_q3;  /* °/s */
  double               spv_peak_median;     /* °/s */
  double               amplitude_mean;      /* ° */
  double               intensity;           /* °/s: amplitude_mean × frequency */
  AsNystagmusDirection direction;           /* dominant */
  double               direction_share;     /* fraction of beats with it */
  AsNystagmusWaveform  waveform;
  AsSlowPhaseShape     shape;               /* dominant slow-phase shape (jerk) */
  guint                n_foveations;
  double               foveation_mean;      /* s */
  double               foveation_fraction;  /* of the valid time */
} AsNystagmusSummary;

struct _AsNystagmusAnalysis
{
  gatomicrefcount     ref_count;
  AsEyeChannel       *channel;        /* a reference */
  AsNystagmusParams   params;
  double             *velocity;       /* °/s, n samples (NAN near missing data) */
  GArray             *beats;          /* of AsNystagmusBeat, by start */
  GArray             *excluded;       /* of AsInterval: beats left out (missing data, saccades) */
  GArray             *foveations;     /* of AsInterval */
  double              foveation_position;  /* °, as used */
  double              fast_threshold;      /* °/s, as used */
  guint               n_cycles;       /* oscillation cycles (position extrema pairs) */
  guint               n_atom_onsets;  /* occurrences of the beat atom given */
  double              atom_rate;      /* per s: one over the mean interval between its
                                       * consecutive occurrences (NAN with fewer than two),
                                       * comparable with the beat frequency */
  GArray             *fast_times;     /* of double, s: peaks of the fast phases */
  GArray             *cycle_times;    /* of double, s: positive peaks of the position */
  AsNystagmusSummary  summary;        /* over the whole recording */
};

/* Analyses @ch; @atom may be NULL.  Fails (AS_ENGINE_ERROR_INVALID, naming the
 * channel) when no beat is found. */
AsNystagmusAnalysis *as_nystagmus_analyse (AsEyeChannel *ch, const AsNystagmusParams *params,
                                           const AsBeatAtom *atom, GError **error);
AsNystagmusAnalysis *as_nystagmus_analysis_ref   (AsNystagmusAnalysis *a);
void                 as_nystagmus_analysis_unref (AsNystagmusAnalysis *a);
/* Measures over the beats starting in [t0, t1) and the samples in it. */
void                 as_nystagmus_summarise (const AsNystagmusAnalysis *a, double t0, double t1,
                                             AsNystagmusSummary *out);

/* The start (s) of a typical @length-second stretch of [t0, t1) to show: the one whose beats,
 * counted whole, are the most and whose median slow-phase velocity is closest to the
 * interval's, with no beat left out (missing data, saccades) in it when possible; t0 when
 * the interval is shorter than @length or has no beat (docs/nystagmus.md). */
double               as_nystagmus_typical_window (const AsNystagmusAnalysis *a, double t0,
                                                  double t1, double length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsEyeChannel, as_eye_channel_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsNystagmusAnalysis, as_nystagmus_analysis_unref)

/* Whether @rec has a channel the nystagmus measures can be taken on (gaze, eye
 * position or EOG): the window shows its nystagmus panel only then. */
gboolean    as_recording_has_eye_channel (const AsRecording *rec);

G_END_DECLS
