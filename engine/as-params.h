/* as-params.h: learning parameters, checked in one place for the command line and the window.
 *
 * An AsLearnRequest holds what a person asked for (unset fields take the defaults of the kind
 * of recording, as-defaults.h).  Checks name the option and the accepted range; options that
 * do not apply to a file say so; a run whose memory would exceed what the machine has is
 * refused with the estimate before anything large is allocated.  as_learn_prepare() turns a
 * recording into what learning sees: channel roles, unusable channels left out, then the
 * preprocessing, with a report of what was applied (recorded in the model's run.json).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"
#include "as-defaults.h"
#include "as-preprocess.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* Unset: NAN for doubles, -1 for integers, NULL for strings (owned). */
typedef struct
{
  char       *kind;          /* --kind: eeg, meg, eye, ecg, sound, image, generic */
  gint64      n_atoms;       /* --atoms */
  double      atom_seconds;  /* --atom-length */
  gint64      atom_samples;  /* --atom-samples */
  gint64      atom_size;     /* --atom-size (images) */
  double      background;    /* --background (images): σ in pixels, 0: the mean only */
  double      lambda;        /* --lambda (fraction of λ_max) */
  double      lambda_abs;    /* --lambda-absolute */
  gboolean    rank1, full, is_signed, online;
  char       *init;
  gint64      iterations;
  double      tol;
  gint64      batch;
  double      tukey;
  double      rate;          /* --rate: for files that store no rate */
  double      highpass, lowpass, notch;   /* Hz; 0: off */
  char       *reference;     /* average, none, or a channel label */
  char       *channels;      /* a type (eeg, meg, eog, ecg, gaze, …, all) or labels "Fp1,Fp2" */
  double      start, end;    /* s */
  double      resample;      /* Hz */
  gint64      threads;
  gint64      seed;
} AsLearnRequest;

void      as_learn_request_init   (AsLearnRequest *req);
void      as_learn_request_clear  (AsLearnRequest *req);
/* Sets one option from its command-line text: @option is its long name ("atom-length") or
 * short one ("l"), with or without dashes; @value NULL for switches.  The value is parsed and
 * checked here (finite, in range), and the message names the option and the accepted range. */
gboolean  as_learn_request_set    (AsLearnRequest *req, const char *option, const char *value,
                                   GError **error);
/* Checks between options (AS_ENGINE_ERROR_INVALID, naming the options). */
gboolean  as_learn_request_check  (const AsLearnRequest *req, GError **error);
/* Parameters and preprocessing for @rec: the defaults of its kind, then what was asked.
 * @opts keeps pointers into @req (the reference channel) and into *@labels_out (free with
 * g_strfreev). */
gboolean  as_learn_request_resolve (const AsLearnRequest *req, const AsRecording *rec,
                                    AsSignalKind *kind_out, AsCdlParams *params,
                                    AsPreprocessOptions *opts, char ***labels_out,
                                    GError **error);
/* The same for an image (only the learning parameters). */
gboolean  as_learn_request_resolve_image (const AsLearnRequest *req, AsCdlParams *params,
                                          GError **error);

/* Checks of resolved parameters, shared by the window: counts ≥ 1, λ finite and ≥ 0, ... */
gboolean  as_cdl_params_validate  (const AsCdlParams *params, GError **error);
/* Checks that a run fits the data (atoms shorter than the signal, no more atoms than
 * non-overlapping windows) and the machine (memory estimate below what is available). */
gboolean  as_cdl_params_check_fit (const AsCdlParams *params, guint n_trials, guint n_channels,
                                   guint height, guint width, GError **error);
/* Bytes a run allocates at its peak (data copy, activations, statistics, batches). */
guint64   as_cdl_memory_estimate  (const AsCdlParams *params, guint n_trials, guint n_channels,
                                   guint height, guint width);
/* MemAvailable of the machine in bytes (0 when unknown). */
guint64   as_memory_available     (void);

/* What as_learn_prepare() did. */
typedef struct
{
  GPtrArray *excluded;      /* of char*: "LABEL: reason" (flat, saturated, no finite sample) */
  GPtrArray *stimulus;      /* of char*: labels of channels turned into events */
  guint      n_events_added;
  guint      n_filled;      /* non-finite samples interpolated */
  gsize      n_masked;      /* samples left out of learning: missing ones and the filters'
                             * response around them (as_learn_mask_margins()) */
  GPtrArray *warnings;      /* of char*: what the reader warned of (a cut file...) */
  JsonObject *preprocessing;/* the options applied, for run.json */
} AsLearnReport;

void      as_learn_report_free    (AsLearnReport *report);
/* Why a channel cannot be learned from (NULL: it can), from its finite samples' count,
 * range, repeats of the previous sample and samples at either end of the range (the one
 * rule of as_learn_prepare(), also applied region by region). */
char     *as_learn_unusable_verdict (gsize finite, double lo, double hi, gsize repeats,
                                     gsize at_lo, gsize at_hi);
/* Whether the selection of @opts (labels, else channel types) takes @ch. */
gboolean  as_learn_channel_wanted (const AsChannel *ch, const AsPreprocessOptions *opts);
/* The error when no channel is left to learn from: none wanted (@n_wanted 0), or every wanted
 * one @excluded (its "LABEL: reason" lines listed). */
void      as_learn_no_channel_error (const char *name, guint n_channels, guint n_wanted,
                                     GPtrArray *excluded, GError **error);
/* A stimulus, trigger or flag channel, turned into events rather than learned (@x may be
 * NULL with @n 0: by its type and label only). */
gboolean  as_learn_channel_is_event (const AsChannel *ch, const double *x, gsize n);
/* The recording learning sees: stimulus/trigger/status/flag channels become events; channels
 * with no finite sample, flat or saturated are left out (listed in the report); then
 * as_preprocess(); errors on degenerate data (no usable channel, no finite sample, non-finite
 * values after scaling). */
/* Flags as missing in @rec (prepared with @opts) the samples around each run of missing ones
 * over which its filters respond to the bridge (one period of the high-pass corner), so that
 * learning leaves them out too; returns how many time samples are left out in all. */
gsize        as_learn_mask_margins (AsRecording *rec, const AsPreprocessOptions *opts);
AsRecording *as_learn_prepare     (const AsRecording *rec, const AsPreprocessOptions *opts,
                                   AsLearnReport **report, GError **error);
/* Top-level members for run.json: "preprocessing" (with the channels left out and turned
 * into events), "end_state" and "atoms_explaining_little" of @model. */
JsonObject *as_learn_report_to_json (const AsLearnReport *report, const AsCdlModel *model);

/* Everything a run needs, from a file and a request: the command line's whole path from
 * options to a job.  A recording (or an NPY array of trials × channels × samples, alphacsc's
 * layout) is prepared by as_learn_prepare(); an image by as_preprocess_image() with
 * as_defaults_image_options(). */
typedef struct
{
  AsSignalKind         kind;
  AsCdlParams          params;
  AsPreprocessOptions  opts;
  char               **labels;       /* owned storage behind opts.channels */
  AsRecording         *recording;    /* prepared (single recordings), or NULL */
  double              *x;            /* trials and images: n_trials × P × H × W (owned) */
  guint                n_trials, n_channels, height, width;
  double               sfreq;
  AsLearnReport       *report;       /* images: only the preprocessing */
} AsLearnInput;

/* @recording: the file already read (with the reader's options), or NULL to read @path here.
 * *usage_error is set TRUE when the failure is in the request (a usage error) rather than in
 * the file or its data. */
AsLearnInput *as_learn_input_new  (const char *path, AsRecording *recording,
                                   const AsLearnRequest *req, gboolean *usage_error,
                                   GError **error);
/* An NPY file of three dimensions (trials × channels × samples). */
gboolean      as_learn_file_is_trials (const char *path);
void          as_learn_input_free (AsLearnInput *input);
AsJob        *as_learn_input_job  (AsLearnInput *input);
/* Writes the data learning sees as NPY (trials × channels × H × W, H left out for signals). */
gboolean      as_learn_input_save_data (AsLearnInput *input, const char *path,
                                        gboolean overwrite, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsLearnReport, as_learn_report_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsLearnInput, as_learn_input_free)

G_END_DECLS
