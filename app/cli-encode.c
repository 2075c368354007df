/* cli-encode.c: "atomscope-cli encode": the atoms of a model folder applied to another
 * recording (sparse coding only, the dictionary held fixed, the model's preprocessing
 * applied again), written as a model folder of the same format.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "as-cdl-encode.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-image.h"
#include "as-model.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-job.h"

int
as_cli_encode (int argc, char **argv)
{
  const char *command = "encode";
  char *out_dir = NULL, *model_dir = NULL;
  g_auto (GStrv) files = NULL;
  double lambda = NAN, lambda_abs = NAN, sfreq = 0.0;
  gboolean force = FALSE, quiet = FALSE, distributed = FALSE;
  GOptionEntry entries[] = {
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_dir, N_("Model folder whose atoms are used (required)"), N_("DIR") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for the new model: the same atoms, the activations on FILE (required)"), N_("DIR") },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &lambda, N_("Sparsity as a fraction of FILE’s λ_max (default: the model’s λ in data units)"), N_("FRACTION") },
    { "lambda-absolute", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_abs, N_("Sparsity λ in data units"), N_("LAMBDA") },
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &sfreq, N_("Sampling rate (Hz) for files that do not store one"), N_("HZ") },
    /* Only for --help: --distributed hands the command to cli-distributed.c before parsing. */
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Split the work between the processes started by mpirun -np W (its own options: --distributed --help)"), NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace the output folder if it holds a model"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) dict = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsCdlModel) model = NULL;
  g_autoptr (AsRecording) raw = NULL, rec = NULL;
  g_autoptr (JsonObject) preprocessing = NULL;
  AsPreprocessOptions opts;
  AsCdlExportInfo info;
  AsCdlParams params;
  AsCscShape shape;
  int status = 2, signal_number = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--distributed") == 0)
      return as_cli_encode_distributed (argc, argv);
  ctx = g_option_context_new (_("FILE --model DIR --out DIR2 — find the atoms of a model in another recording"));
  g_option_context_set_summary (ctx,
      _("Sparse coding with a fixed dictionary: the atoms learned on one recording are "
        "looked for in FILE, after the preprocessing the model records.  DIR2 is a model "
        "folder of the same format (its activations are those of FILE); it is kept if it "
        "exists, unless --force."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      as_cli_error (command, "%s", _("give exactly one input file (see --help)"));
      goto out;
    }
  if (model_dir == NULL || out_dir == NULL)
    {
      as_cli_error (command, "%s", _("--model DIR and --out DIR2 are required"));
      goto out;
    }
  if ((!isnan (lambda) && !(lambda >= 0.0 && isfinite (lambda)))
      || (!isnan (lambda_abs) && !(lambda_abs >= 0.0 && isfinite (lambda_abs)))
      || (!isnan (lambda) && !isnan (lambda_abs)))
    {
      as_cli_error (command, "%s", _("give at most one of --lambda and --lambda-absolute, each a finite number ≥ 0"));
      goto out;
    }

  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_cli_job_begin_signals ();
  status = 1;
  dict = as_model_load (model_dir, &error);
  if (dict == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (!as_cdl_export_check (out_dir, dict->model->rank1, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }

  /* The same scale of activations as the model: its λ in data units, unless asked. */
  params = dict->params;
  params.lambda = dict->model->lambda;
  params.lambda_absolute = TRUE;
  if (!isnan (lambda))
    {
      params.lambda = lambda;
      params.lambda_absolute = FALSE;
    }
  else if (!isnan (lambda_abs))
    params.lambda = lambda_abs;
  if (!isfinite (params.lambda))
    {
      as_cli_error (command, "%s", _("the model records no finite λ: give --lambda or --lambda-absolute"));
      status = 2;
      goto out;
    }

  as_model_get_preprocess_options (dict, &opts);
  if (as_file_is_image (files[0]))
    {
      g_autoptr (AsImage) img = as_image_load (files[0], &error);

      if (img == NULL)
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      /* Images: the mean of each colour plane and the local background, as the model's
       * learning removed them. */
      as_preprocess_image (img->data, img->n_channels, img->height, img->width, &opts);
      shape = (AsCscShape) { dict->model->shape.n_atoms, img->n_channels, img->height, img->width,
                             dict->model->shape.atom_height, dict->model->shape.atom_width };
      if (!as_cdl_export_prepare (out_dir, as_cdl_export_estimate_size (&shape, 1, dict->model->rank1, 1),
                                  force, &error))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      model = as_cdl_encode (img->data, 1, img->n_channels, img->height, img->width, dict->model,
                             &params, NULL, &error);
      if (dict->preprocessing != NULL)
        preprocessing = json_object_ref (dict->preprocessing);
    }
  else
    {
      AsReadOptions ropts;

      as_read_options_init (&ropts);
      ropts.sfreq = sfreq;
      raw = as_recording_load_with_options (files[0], &ropts, &error);
      if (raw == NULL)
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      rec = as_preprocess (raw, &opts, NULL, &error);
      if (rec != NULL && !as_model_apply_scaling (dict, rec, &error))
        g_clear_pointer (&rec, as_recording_unref);
      if (rec == NULL)
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      if (dict->model->sfreq > 0 && rec->sfreq > 0 && fabs (rec->sfreq - dict->model->sfreq) > 1e-6 * dict->model->sfreq)
        {
          as_cli_error (command, _("the model’s atoms are sampled at %g Hz but %s gives %g Hz after its preprocessing"),
                        dict->model->sfreq, files[0], rec->sfreq);
          goto out;
        }
      shape = (AsCscShape) { dict->model->shape.n_atoms, rec->n_channels, 1, (guint) rec->n_samples,
                             1, dict->model->shape.atom_width };
      if (!as_cdl_export_prepare (out_dir, as_cdl_export_estimate_size (&shape, 1, dict->model->rank1, 1),
                                  force, &error))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      job = as_cdl_encode_job_new_for_recording (rec, dict->model, &params);
      model = as_cli_run_cdl_job (job, quiet, &signal_number, &error);
      preprocessing = as_preprocess_options_to_json (&opts, NULL);
    }
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      status = g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID) ? 2 : 1;
      if (signal_number != 0)
        status = as_cli_signal_status (signal_number);
      goto out;
    }

  as_cdl_export_info_init (&info);
  info.command = "encode";
  info.source = files[0];
  info.recording = rec;
  info.preprocessing = preprocessing;
  info.dictionary = model_dir;
  if (!as_cdl_export_full (model, &params, &info, out_dir, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (model->stopped)
    {
      printf (_("Stopped by you; wrote the activations found so far to %s\n"), out_dir);
      status = signal_number != 0 ? as_cli_signal_status (signal_number) : 1;
      goto out;
    }
  printf (_("Found the %u atoms of %s in %s (objective %.8g, λ = %.4g = %.3g λ_max); wrote %s\n"),
          model->shape.n_atoms, model_dir, files[0], as_cdl_model_last_objective (model), model->lambda,
          model->lambda_max > 0 ? model->lambda / model->lambda_max : 0.0, out_dir);
  if (!quiet)
    as_cli_print_occurrences (model);
  status = 0;

out:
  as_cli_job_end_signals ();
  g_free (out_dir);
  g_free (model_dir);
  return status;
}
