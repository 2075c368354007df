/* as-cdl-encode.h: the activations of fixed atoms on new data (sparse coding only).
 *
 * The atoms of a learned model are applied to another recording: one convolutional
 * sparse-coding step (LGCD, as-csc.h) with the dictionary held fixed, so that a waveform
 * learned on one session is found in the next.  The result is an AsCdlModel with the
 * same atoms and the new activations, written like any model (as-cdl-export.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"
#include "as-job.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* @x: n_trials × P × H × W (signals H = 1).  λ is @params->lambda, a fraction of the
 * new data's λ_max for these atoms, or absolute with @params->lambda_absolute;
 * @params->z_tol is the LGCD tolerance relative to that λ_max.  The atoms' shape and
 * sign constraint come from @dictionary.  With @job, a stop request ends early with
 * the activations reached so far (marked stopped). */
AsCdlModel *as_cdl_encode (const double *x, guint n_trials, guint n_channels, guint height,
                           guint width, const AsCdlModel *dictionary, const AsCdlParams *params,
                           AsJob *job, GError **error);
/* A job over a recording (one trial; referenced, not copied); snapshots are AsCdlModel. */
AsJob      *as_cdl_encode_job_new_for_recording (AsRecording *recording,
                                                 const AsCdlModel *dictionary,
                                                 const AsCdlParams *params);

G_END_DECLS
