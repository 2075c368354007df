/* cli-resume.c: checkpoints while "atomscope-cli learn" runs, and "learn --resume DIR",
 * which continues a checkpoint (or a run stopped by Ctrl-C) to the result the
 * uninterrupted run would have given.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-model.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-job.h"

/* The folder is written whole (as_cdl_export_full), so a kill while it is written
 * leaves the previous checkpoint.  Models taken while atoms are still being added
 * are skipped: they cannot be resumed. */
void
as_cli_write_checkpoint (AsCdlModel *model, gpointer user_data)
{
  AsCliCheckpoint *cp = user_data;
  AsCdlExportInfo info = *cp->info;
  g_autoptr (GError) error = NULL;

  if (model->shape.n_atoms != cp->params->n_atoms || model->iteration == 0)
    return;
  info.checkpoint = TRUE;
  if (as_cdl_export_full (model, cp->params, &info, cp->dir, TRUE, &error))
    cp->written = TRUE;
  else
    as_cli_error ("learn", _("checkpoint not written: %s"), error->message);
}

int
as_cli_learn_resume (const char *dir, const char *file, const char *out_dir, guint iterations,
                     double checkpoint_every, gboolean quiet, gboolean force)
{
  const char *command = "learn";
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) from = NULL;
  g_autoptr (AsRecording) raw = NULL, rec = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsCdlModel) model = NULL;
  g_autoptr (JsonObject) preprocessing = NULL;
  g_autofree char *source = NULL;
  AsPreprocessOptions opts;
  AsCdlExportInfo info;
  AsCdlParams params;
  int signal_number = 0;

  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_cli_job_begin_signals ();
  from = as_model_load (dir, &error);
  if (from == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  source = file != NULL ? g_strdup (file) : as_model_find_source (from);
  if (source == NULL)
    {
      as_cli_error (command, _("%s: the recording it was learned on is not found: give it as FILE"), dir);
      return 2;
    }
  if (out_dir == NULL)
    out_dir = dir;
  /* Continuing a model in its own folder replaces it; elsewhere, as usual. */
  force |= g_strcmp0 (out_dir, dir) == 0;
  if (!as_cdl_export_check (out_dir, from->model->rank1, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }

  raw = as_recording_load (source, &error);
  if (raw == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  as_model_get_preprocess_options (from, &opts);
  rec = as_preprocess (raw, &opts, NULL, &error);
  if (rec != NULL && !as_model_apply_scaling (from, rec, &error))
    g_clear_pointer (&rec, as_recording_unref);
  if (rec == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  params = from->params;
  if (iterations > 0)
    params.max_iter = iterations;
  /* What the model records, as it was (its scale included). */
  preprocessing = from->preprocessing != NULL ? json_object_ref (from->preprocessing)
                                              : as_preprocess_options_to_json (&opts, NULL);
  as_cdl_export_info_init (&info);
  info.source = source;
  info.recording = rec;
  info.preprocessing = preprocessing;

  job = as_cdl_job_new_resume_for_recording (rec, &params, from->model);
  {
    AsCliCheckpoint cp = { out_dir, &params, &info, FALSE };
    model = as_cli_run_cdl_job_full (job, quiet, &params, checkpoint_every, as_cli_write_checkpoint, &cp,
                                     &signal_number, &error);
  }
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      if (signal_number != 0)
        return as_cli_signal_status (signal_number);
      return g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID) ? 2 : 1;
    }
  if (!as_cdl_export_full (model, &params, &info, out_dir, TRUE, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  if (model->stopped)
    {
      printf (_("Stopped by you after %u iterations (objective %.8g); wrote the model so far to %s\n"),
              model->iteration, as_cdl_model_last_objective (model), out_dir);
      return signal_number != 0 ? as_cli_signal_status (signal_number) : 1;
    }
  printf (_("Resumed from iteration %u to iteration %u (objective %.17g); wrote %s\n"),
          from->model->iteration, model->iteration, as_cdl_model_last_objective (model), out_dir);
  if (!quiet)
    as_cli_print_occurrences (model);
  return 0;
}
