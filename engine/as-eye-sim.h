/* as-eye-sim.h: simulated eye movements with their truth, to test the nystagmus measures.
 *
 * Jerk nystagmus (a slow phase with linear, increasing or decreasing velocity, then a
 * fast phase shaped like a saccade of the main sequence), pendular nystagmus (a
 * sinusoid) or both in turn (mixed), at a chosen slow-phase velocity, frequency,
 * amplitude and direction, with
 * white measurement noise, blinks (missing samples) and square-wave jerks (a saccade away
 * and one back).  The truth lists every beat with its phases and whether it is intact
 * (no blink or saccade in it), and the foveation periods of the noise-free movement.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-nystagmus.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef struct
{
  AsNystagmusWaveform  waveform;        /* JERK, PENDULAR or MIXED (epochs of each in turn) */
  AsSlowPhaseShape     shape;           /* jerk: LINEAR, INCREASING or DECREASING */
  AsNystagmusDirection direction;       /* jerk: the fast phase's; pendular: the axis
                                         * (RIGHT/LEFT horizontal, UP/DOWN vertical) */
  double               spv;             /* jerk: mean slow-phase speed, °/s (default 10) */
  double               frequency;       /* beats (cycles) per second (default 3) */
  double               amplitude;       /* pendular: peak to peak, ° (default 3); jerk: set
                                         * by spv × slow-phase duration */
  double               shape_ratio;     /* end/start slow-phase velocity for increasing
                                         * (start/end for decreasing) profiles (default 4) */
  double               mixed_epoch;     /* mixed: length of each jerk or pendular epoch, s
                                         * (default 2; whole cycles) */
  double               jitter;          /* relative beat-to-beat spread of period and
                                         * velocity (default 0.05) */
  double               sfreq;           /* Hz (default 200) */
  double               duration;        /* s (default 30) */
  double               noise;           /* ° rms, white (default 0.03) */
  double               blink_rate;      /* per s (default 0) */
  double               blink_duration;  /* s (default 0.2) */
  double               saccade_rate;    /* square-wave jerks per s (default 0) */
  double               saccade_amplitude; /* ° (default 4) */
  double               foveation_velocity;     /* truth's thresholds (defaults as the */
  double               foveation_window;       /* measures': 4 °/s, 0.5 °, 0.040 s)  */
  double               foveation_min_duration;
  guint64              seed;
} AsEyeSimParams;

void as_eye_sim_params_init (AsEyeSimParams *params);

typedef struct
{
  double   start;       /* s: slow phase start (pendular: a positive peak; mixed: a cycle's
                         * start, the eye at the position the beats return to) */
  double   fast_start;  /* s: fast phase start (pendular: = end) */
  double   end;         /* s */
  double   spv;         /* °/s: mean slow-phase speed (pendular: mean speed) */
  double   amplitude;   /* ° */
  gboolean intact;      /* inside the recording, no blink, no saccade */
} AsEyeSimBeat;

typedef struct
{
  AsEyeSimParams params;
  gsize          n;
  double        *position;           /* °, n samples, NAN during blinks */
  GArray        *beats;              /* of AsEyeSimBeat */
  GArray        *blinks;             /* of AsInterval */
  GArray        *saccades;           /* of AsInterval */
  GArray        *foveations;         /* of AsInterval (noise-free movement) */
  guint          n_intact;
  double         spv_median;         /* over intact beats (mixed: intact jerk beats), °/s */
  double         foveation_position; /* ° */
  double         foveation_fraction; /* of the time not in blinks */
} AsEyeSim;

/* Fails (AS_ENGINE_ERROR_INVALID) on parameters out of range. */
AsEyeSim    *as_eye_sim_new          (const AsEyeSimParams *params, GError **error);
void         as_eye_sim_free         (AsEyeSim *sim);
/* A one-channel recording in degrees ("horizontal eye position" or "vertical ..."). */
AsRecording *as_eye_sim_to_recording (const AsEyeSim *sim);
AsEyeAxis    as_eye_sim_axis         (const AsEyeSim *sim);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsEyeSim, as_eye_sim_free)

G_END_DECLS
