/* as-defaults.h: what goes into learning, by kind of recording.
 *
 * One table of learning and preprocessing defaults per kind of recording (EEG, MEG, eye
 * movements, ECG, sound, images, anything else).  The command line, the parameters panel and
 * Preferences all start from it, so the same file gives the same run everywhere.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"
#include "as-preprocess.h"
#include "as-recording.h"

G_BEGIN_DECLS

typedef enum
{
  AS_SIGNAL_KIND_GENERIC,
  AS_SIGNAL_KIND_EEG,
  AS_SIGNAL_KIND_MEG,
  AS_SIGNAL_KIND_EYE,
  AS_SIGNAL_KIND_ECG,
  AS_SIGNAL_KIND_SOUND,
  AS_SIGNAL_KIND_IMAGE,
  AS_SIGNAL_KIND_N,
} AsSignalKind;

typedef struct
{
  AsSignalKind kind;
  const char  *name;          /* "eeg", "meg", ... (command line, run.json) */
  const char  *title;         /* translatable (N_), for the window */
  guint        n_atoms;
  double       atom_duration; /* seconds (images: pixels per side) */
  double       lambda;        /* fraction of λ_max (docs/lambda.md) */
  gboolean     rank1;
  AsCdlInit    init;
  guint        max_iter;
  AsDetrend    detrend;       /* offsets (and lines) go before any filter */
  double       highpass;      /* Hz, 0: none; slow drifts */
  double       lowpass;       /* Hz, 0: none */
  double       notch;         /* Hz, 0: none */
  AsReref      reference;
  guint        learn_types;   /* mask of 1 << AsChannelType learned from (0: every signal) */
  AsScaleMode  scale;
} AsDefaults;

/* The row for @kind (never NULL). */
const AsDefaults *as_defaults_get          (AsSignalKind kind);
/* The kind of a recording: from its channel types (ECG and MEG channels count as such even
 * when the reader filed the recording as generic or EEG). */
AsSignalKind      as_signal_kind_for_recording (const AsRecording *rec);
const char       *as_signal_kind_to_string (AsSignalKind kind);
gboolean          as_signal_kind_from_string (const char *name, AsSignalKind *kind);

/* Fills @params and @opts (either may be NULL) from the row of @kind for a recording at @sfreq Hz
 * (0: unknown; atom durations then fall back to 64 samples, and filters are left out). */
void              as_defaults_fill         (AsSignalKind kind, double sfreq,
                                            AsCdlParams *params, AsPreprocessOptions *opts);
/* as_defaults_fill() for @rec at @sfreq (its own rate, or the rate it will be resampled to):
 * the kind's channel type only when the file has such channels (all signals otherwise, e.g. a
 * sound file holding ECG leads), an average reference only over two EEG channels or more, and
 * the high-pass only on recordings of at least ten periods of its cut-off (the linear detrend
 * takes the drift of shorter ones). */
void              as_defaults_fill_for_recording (AsSignalKind kind, const AsRecording *rec,
                                                  double sfreq, AsCdlParams *params,
                                                  AsPreprocessOptions *opts);
/* An image's preparation for atoms of @params' size: each colour plane's mean and its local
 * background (a Gaussian blur of σ = the atoms' larger side) removed, or the mean alone when
 * @background is 0; @background < 0 takes the atoms' side.  The window, learn and encode
 * prepare images through this and as_preprocess_image(). */
void              as_defaults_image_options (const AsCdlParams *params, double background,
                                             AsPreprocessOptions *opts);
/* Atom length in samples for a duration in seconds at @sfreq (≥ 2). */
guint             as_defaults_atom_samples (double seconds, double sfreq);

G_END_DECLS
