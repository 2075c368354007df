/* cli-cdl.c: "atomscope-cli learn" (convolutional dictionary learning on a recording or
 * an image) and "atomscope-cli bench cdl".
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "as-bench-cdl.h"
#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-image.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-read.h"
#include "cli-job.h"

int
as_cli_learn (int argc, char **argv)
{
  const char *command = "learn";
  char *out_dir = NULL, *init_name = NULL;
  g_auto (GStrv) files = NULL;
  int n_atoms = 5, iterations = 50, atom_samples = 0, atom_size = 8, online_batch = 16;
  double atom_seconds = 0.5, lambda = 0.1, lambda_abs = NAN, tukey = 0.0, tol = 1e-4;
  g_auto (AsCliRead) read = { 0 };
  gboolean full = FALSE, rank1 = FALSE, is_signed = FALSE, force = FALSE, quiet = FALSE;
  gboolean online = FALSE, figures = FALSE;
  gint64 seed = 0;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for atoms.npy, activations.npy, run.json (required)"), N_("DIR") },
    { "atoms", 'k', 0, G_OPTION_ARG_INT, &n_atoms, N_("Number of atoms (default 5)"), N_("K") },
    { "atom-length", 'l', 0, G_OPTION_ARG_DOUBLE, &atom_seconds, N_("Atom duration in seconds (default 0.5)"), N_("SECONDS") },
    { "atom-samples", 0, 0, G_OPTION_ARG_INT, &atom_samples, N_("Atom length in samples (overrides --atom-length)"), N_("N") },
    { "atom-size", 0, 0, G_OPTION_ARG_INT, &atom_size, N_("Images: atom side in pixels (default 8)"), N_("PIXELS") },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &lambda, N_("Sparsity as a fraction of λ_max (default 0.1)"), N_("FRACTION") },
    { "lambda-absolute", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_abs, N_("Sparsity λ in data units (instead of --lambda)"), N_("LAMBDA") },
    { "rank1", 0, 0, G_OPTION_ARG_NONE, &rank1, N_("Rank-1 atoms: topography × waveform (default for signals)"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, N_("Full-rank atoms (channels × samples)"), NULL },
    { "signed", 0, 0, G_OPTION_ARG_NONE, &is_signed, N_("Allow negative activations"), NULL },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init_name, N_("Initial atoms: greedy (default), chunk or random"), N_("KIND") },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, N_("Maximum outer iterations (default 50)"), N_("N") },
    { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &tol, N_("Stop when an iteration decreases the objective by less than this fraction (default 1e-4)"), N_("TOL") },
    { "online", 0, 0, G_OPTION_ARG_NONE, &online, N_("Online learning on minibatches of windows (long recordings)"), NULL },
    { "batch", 0, 0, G_OPTION_ARG_INT, &online_batch, N_("Online: windows per minibatch (default 16)"), N_("N") },
    { "tukey", 0, 0, G_OPTION_ARG_DOUBLE, &tukey, N_("Taper atoms with a Tukey window of this shape (0–1, default none)"), N_("ALPHA") },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, N_("Random seed (default 0)"), N_("SEED") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { "figures", 0, 0, G_OPTION_ARG_NONE, &figures, N_("Also draw the atoms, the raster and the convergence curve as PNG figures into DIR"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE --out DIR — learn recurring waveforms (atoms) from a recording or an image"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsCdlModel) model = NULL;
  g_autoptr (AsRecording) rec = NULL;
  AsCdlParams params;
  AsCscShape out_shape = { 0 };
  AsCdlExportInfo info;
  AsPreprocessOptions applied;
  g_autoptr (JsonObject) preprocessing = NULL;
  int status = 2, signal_number = 0;

  g_option_context_set_summary (ctx,
      _("Convolutional dictionary learning (alternating LGCD and projected-gradient "
        "dictionary updates).  Writes atoms.npy, activations.npy (and u.npy, v.npy for "
        "rank-1 atoms) and run.json into DIR; existing files are kept unless --force."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      as_cli_error (command, "%s", _("give exactly one input file (see --help)"));
      goto out;
    }
  if (out_dir == NULL)
    {
      as_cli_error (command, "%s", _("--out DIR is required"));
      goto out;
    }
  if (rank1 && full)
    {
      as_cli_error (command, "%s", _("--rank1 and --full exclude each other"));
      goto out;
    }
  if (n_atoms < 1 || iterations < 1 || online_batch < 1 || !(lambda >= 0.0) || tukey < 0.0 || tukey > 1.0)
    {
      as_cli_error (command, "%s", _("--atoms, --iterations and --batch must be positive, --lambda ≥ 0 and --tukey in [0, 1]"));
      goto out;
    }

  as_cdl_params_init (&params);
  params.n_atoms = (guint) n_atoms;
  params.max_iter = (guint) iterations;
  params.tol = tol;
  params.positive = !is_signed;
  params.rank1 = !full;
  params.seed = (guint64) seed;
  params.tukey = tukey;
  params.online = online;
  params.online_batch = (guint) online_batch;
  if (!isnan (lambda_abs))
    {
      params.lambda = lambda_abs;
      params.lambda_absolute = TRUE;
    }
  else
    params.lambda = lambda;
  if (init_name != NULL && !as_cdl_init_from_string (init_name, &params.init))
    {
      as_cli_error (command, _("unknown --init “%s” (use greedy, chunk or random)"), init_name);
      goto out;
    }
  if (!as_cdl_export_check (out_dir, params.rank1, force, &error)
      || (figures && !as_cli_check_figures (out_dir, AS_FIGURE_FORMAT_PNG, force, &error)))
    {
      as_cli_error (command, "%s", error->message);
      status = 1;
      goto out;
    }

  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_cli_job_begin_signals ();
  status = 1;
  if (as_file_is_image (files[0]))
    {
      g_autoptr (AsImage) img = as_image_load (files[0], &error);
      if (img == NULL)
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      if (atom_size < 1)
        {
          as_cli_error (command, "%s", _("--atom-size must be positive"));
          status = 2;
          goto out;
        }
      params.rank1 = FALSE;
      params.atom_height = params.atom_length = (guint) atom_size;
      out_shape = (AsCscShape) { params.n_atoms, img->n_channels, img->height, img->width,
                                 params.atom_height, params.atom_length };
      job = as_cdl_job_new_image (img->data, 1, img->n_channels, img->height, img->width,
                                  &params, NULL);
    }
  else
    {
      rec = as_cli_read_load (&read, files[0], command);
      if (rec == NULL)
        goto out;
      if (atom_samples > 0)
        params.atom_length = (guint) atom_samples;
      else if (rec->sfreq > 0)
        params.atom_length = (guint) MAX (1.0, round (atom_seconds * rec->sfreq));
      else
        {
          as_cli_error (command, "%s", _("the file has no sampling rate: give --rate HZ or --atom-samples N"));
          status = 2;
          goto out;
        }
      out_shape = (AsCscShape) { params.n_atoms, rec->n_channels, 1, (guint) rec->n_samples,
                                 1, params.atom_length };
      job = as_cdl_job_new_for_recording (rec, &params, NULL);
    }

  /* The folder can be written and has room, before any time is spent learning. */
  if (!as_cdl_export_prepare (out_dir, as_cdl_export_estimate_size (&out_shape, 1, params.rank1,
                                                                    params.max_iter),
                              force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }

  model = as_cli_run_cdl_job (job, quiet, &signal_number, &error);
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      status = g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID) ? 2 : 1;
      if (signal_number != 0)
        status = as_cli_signal_status (signal_number);
      goto out;
    }
  /* What was done to the file before learning (nothing yet for recordings read as they
   * are; images have no preprocessing here). */
  as_preprocess_options_init (&applied);
  if (rec != NULL)
    preprocessing = as_preprocess_options_to_json (&applied, NULL);
  as_cdl_export_info_init (&info);
  info.source = files[0];
  info.recording = rec;
  info.preprocessing = preprocessing;
  if (!as_cdl_export_full (model, &params, &info, out_dir, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (figures && !as_cli_write_figures (model, rec, files[0], out_dir, AS_FIGURE_FORMAT_PNG,
                                       150, force, quiet, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (model->stopped)
    {
      printf (_("Stopped by you after %u iterations (objective %.8g); wrote the model so far to %s\n"),
              model->iteration, as_cdl_model_last_objective (model), out_dir);
      status = signal_number != 0 ? as_cli_signal_status (signal_number) : 1;
      goto out;
    }
  printf (_("Learned %u atoms of %u × %u samples in %u iterations (objective %.8g, λ = %.4g = %.3g λ_max); wrote %s\n"),
          model->shape.n_atoms, model->shape.n_channels, model->shape.atom_width,
          model->iteration, as_cdl_model_last_objective (model), model->lambda,
          model->lambda_max > 0 ? model->lambda / model->lambda_max : 0.0, out_dir);
  if (!quiet)
    as_cli_print_occurrences (model);
  status = 0;

out:
  as_cli_job_end_signals ();
  g_free (out_dir);
  g_free (init_name);
  return status;
}

int
as_cli_bench_cdl (int argc, char **argv)
{
  gboolean skip_scale = FALSE;
  int only = 0, iterations = 3;
  double hours = 1.0;
  GOptionEntry entries[] = {
    { "skip-scale", 0, 0, G_OPTION_ARG_NONE, &skip_scale, N_("Skip problem 4 (one hour of 64 channels, about 2 GiB)"), NULL },
    { "only", 0, 0, G_OPTION_ARG_INT, &only, N_("Run only problem N (1–4)"), N_("N") },
    { "hours", 0, 0, G_OPTION_ARG_DOUBLE, &hours, N_("Problem 4: recording length in hours (default 1)"), N_("H") },
    { "scale-iterations", 0, 0, G_OPTION_ARG_INT, &iterations, N_("Problem 4: outer iterations to time (default 3)"), N_("N") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— time the reference CDL problems against alphacsc's figures"));
  g_autoptr (GError) error = NULL;
  AsBenchCdlOptions o;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, "bench cdl"))
    return 2;
  if (only < 0 || only > 4 || iterations < 1 || !(hours > 0.0))
    {
      as_cli_error ("bench cdl", "%s", _("--only takes 1–4; --scale-iterations and --hours must be positive"));
      return 2;
    }
  as_bench_cdl_options_init (&o);
  o.skip_scale = skip_scale;
  o.only = (guint) only;
  o.scale_hours = hours;
  o.scale_iterations = (guint) iterations;
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  if (!as_bench_cdl_run (&o, stdout, &error))
    {
      as_cli_error ("bench cdl", "%s", error->message);
      return 1;
    }
  return 0;
}
