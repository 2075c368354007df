/* cli-job.h: running an engine job from the command line, with Ctrl-C and SIGTERM
 * ending it at its next safe point instead of losing the work.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-job.h"

/* Starts @job and waits for it, reporting each new model on stderr unless @quiet.  While
 * it runs, SIGINT or SIGTERM asks the job to stop (a second one ends the process at
 * once); the model reached so far is returned and *@signal_number tells which signal
 * arrived (0 when none).  The handlers stay until as_cli_job_end_signals(), so that
 * writing the result is not cut short by the first signal. */
/* Catches SIGINT and SIGTERM from now on (call it before reading the input): a signal
 * that arrives before the job starts ends the command without writing anything. */
void        as_cli_job_begin_signals (void);
AsCdlModel *as_cli_run_cdl_job     (AsJob *job, gboolean quiet, int *signal_number,
                                    GError **error);
/* Also hands the newest model to @checkpoint every @interval seconds (0: never); with
 * @params (may be NULL) each progress line ends with the estimate of the time left. */
typedef void (*AsCliCheckpointFunc) (AsCdlModel *model, gpointer user_data);
AsCdlModel *as_cli_run_cdl_job_full (AsJob *job, gboolean quiet, const AsCdlParams *params,
                                     double interval,
                                     AsCliCheckpointFunc checkpoint, gpointer user_data,
                                     int *signal_number, GError **error);
void        as_cli_job_end_signals (void);
/* The exit status after a signal: 128 + its number, as shells report it. */
int         as_cli_signal_status   (int signal_number);

/* Prints one line per atom on stdout: its occurrences as the window counts them (merged
 * activations above a tenth of the atom's largest) and their rate. */
void        as_cli_print_occurrences (const AsCdlModel *model);

/* The options that fill in a learning request (kind, atoms, sparsity, initialisation,
 * preprocessing ...), one table for "learn" and "learn --distributed": add them to a
 * group whose user data is the AsLearnRequest.  @distributed leaves out what that mode
 * does not do (online learning, a taper, BLAS threads). */
void as_cli_add_learn_options (GOptionGroup *group, gboolean distributed);

/* Checkpoints of a learning run and "learn --resume" (cli-resume.c). */
typedef struct
{
  const char            *dir;
  const AsCdlParams     *params;
  const AsCdlExportInfo *info;
  gboolean               written;   /* at least one checkpoint is in dir */
} AsCliCheckpoint;

/* An AsCliCheckpointFunc: writes @model into the folder as a checkpoint. */
void as_cli_write_checkpoint (AsCdlModel *model, gpointer user_data);
int  as_cli_learn_resume     (const char *dir, const char *file, const char *out_dir,
                              guint iterations, double checkpoint_every, gboolean quiet,
                              gboolean force);
