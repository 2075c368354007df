/* cli-cdl.c: "atomscope-cli learn" (convolutional dictionary learning on a recording or
 * an image) and "atomscope-cli bench cdl".
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-bench-cdl.h"
#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-image.h"
#include "as-params.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-job.h"
#include "cli-read.h"

int
as_cli_learn (int argc, char **argv)
{
  const char *command = "learn";
  char *out_dir = NULL, *save_data = NULL;
  g_auto (GStrv) files = NULL;
  gboolean force = FALSE, quiet = FALSE, figures = FALSE, distributed = FALSE;
  double checkpoint_every = 300.0;
  char *resume_dir = NULL;
  AsLearnRequest req;
  g_auto (AsCliRead) read = { 0 };
  GOptionEntry head[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for atoms.npy, activations.npy, run.json (required)"), N_("DIR") },
    { NULL }
  };
  GOptionEntry entries[] = {
    { "save-data", 0, 0, G_OPTION_ARG_FILENAME, &save_data, N_("Also write the data learned from, after preprocessing, as an NPY array of trials × channels × samples"), N_("FILE") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { "figures", 0, 0, G_OPTION_ARG_NONE, &figures, N_("Also draw the atoms, the raster and the convergence curve as PNG figures into DIR"), NULL },
    { "checkpoint", 0, 0, G_OPTION_ARG_DOUBLE, &checkpoint_every, N_("Write the model so far into DIR every this many seconds (default 300, 0: never)"), N_("SECONDS") },
    /* Only for --help: --distributed hands the command to cli-distributed.c before parsing. */
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Split the work between the processes started by mpirun -np W (its own options: --distributed --help)"), NULL },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume_dir, N_("Continue learning from a model folder written earlier (a checkpoint or a stopped run), with its parameters"), N_("DIR") },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = NULL;
  GOptionGroup *group;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--distributed") == 0)
      return as_cli_learn_distributed (argc, argv);
  ctx = g_option_context_new (_("FILE --out DIR — learn recurring waveforms (atoms) from a recording or an image"));
  group = g_option_group_new (NULL, NULL, NULL, &req, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (AsCdlModel) model = NULL;
  g_autoptr (AsLearnInput) input = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (JsonObject) extra = NULL;
  AsCscShape out_shape;
  AsCdlExportInfo info;
  gboolean usage = FALSE;
  int status = 2, signal_number = 0;

  as_learn_request_init (&req);
  g_option_context_set_summary (ctx,
      _("Convolutional dictionary learning (alternating LGCD and projected-gradient "
        "dictionary updates), after the preprocessing of the kind of recording (see "
        "--kind).  Writes atoms.npy, activations.npy (and u.npy, v.npy for rank-1 atoms) "
        "and run.json into DIR; existing files are kept unless --force.  FILE may also be "
        "an NPY array of trials × channels × samples."));
  g_option_group_add_entries (group, head);
  as_cli_add_learn_options (group, FALSE);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (ctx, group);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  /* --rate is read by the reading options; -∞ tells "not given" from any value a person types,
   * so that 0 or nan are refused with the others' checks rather than taken as "not given". */
  read.sfreq = -HUGE_VAL;
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (read.sfreq != -HUGE_VAL)
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_dtostr (text, sizeof text, read.sfreq);
      if (!as_learn_request_set (&req, "rate", text, &error))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
    }
  read.sfreq = 0;
  if (!(checkpoint_every >= 0.0) || !isfinite (checkpoint_every))
    {
      as_cli_error (command, "%s", _("--checkpoint takes a number of seconds ≥ 0"));
      goto out;
    }
  if (resume_dir != NULL)
    {
      if (files != NULL && files[0] != NULL && files[1] != NULL)
        {
          as_cli_error (command, "%s", _("--resume takes at most one input file and a positive --iterations"));
          goto out;
        }
      status = as_cli_learn_resume (resume_dir, files != NULL ? files[0] : NULL, out_dir,
                                    req.iterations > 0 ? (guint) req.iterations : 0,
                                    checkpoint_every, quiet, force);
      goto out;
    }
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
  if (!as_learn_request_check (&req, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (!as_cdl_export_check (out_dir, TRUE, force, &error)
      || (figures && !as_cli_check_figures (out_dir, AS_FIGURE_FORMAT_PNG, force, &error)))
    {
      as_cli_error (command, "%s", error->message);
      status = 1;
      goto out;
    }

  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  if (req.threads > 0)
    as_engine_set_blas_threads ((int) req.threads);
  as_cli_job_begin_signals ();
  if (!as_file_is_image (files[0]) && !as_learn_file_is_trials (files[0]))
    {
      if (!isnan (req.rate))
        read.sfreq = req.rate;
      rec = as_cli_read_load (&read, files[0], command);
      if (rec == NULL)
        {
          status = 1;
          goto out;
        }
    }
  input = as_learn_input_new (files[0], rec, &req, &usage, &error);
  if (input == NULL)
    {
      as_cli_error (command, "%s", error->message);
      status = usage ? 2 : 1;
      goto out;
    }
  status = 1;
  /* What the reader warned of (a cut file...) is said even when quiet, and kept in run.json. */
  if (input->report != NULL)
    {
      g_autofree char *shown = g_filename_display_name (files[0]);
      for (guint i = 0; i < input->report->warnings->len; i++)
        fprintf (stderr, _("warning: %s: %s\n"), shown,
                 (const char *) g_ptr_array_index (input->report->warnings, i));
    }
  if (input->report != NULL && !quiet)
    {
      for (guint i = 0; i < input->report->excluded->len; i++)
        fprintf (stderr, _("left out of learning: %s\n"),
                 (const char *) g_ptr_array_index (input->report->excluded, i));
      if (input->report->stimulus->len > 0)
        {
          g_ptr_array_add (input->report->stimulus, NULL);
          {
            g_autofree char *names = g_strjoinv (", ", (char **) input->report->stimulus->pdata);
            fprintf (stderr, _("read as events, not learned from: %s (%u events)\n"), names,
                     input->report->n_events_added);
          }
          g_ptr_array_remove_index (input->report->stimulus, input->report->stimulus->len - 1);
        }
    }

  if (save_data != NULL && !as_learn_input_save_data (input, save_data, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  /* The folder can be written and has room, before any time is spent learning. */
  out_shape = (AsCscShape) { input->params.n_atoms, input->n_channels, input->height,
                             input->width, input->params.atom_height, input->params.atom_length };
  if (!as_cdl_export_prepare (out_dir, as_cdl_export_estimate_size (&out_shape, input->n_trials,
                                                                    input->params.rank1,
                                                                    input->params.max_iter),
                              force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  job = as_learn_input_job (input);
  as_cdl_export_info_init (&info);
  info.source = files[0];
  info.recording = input->recording;
  /* Checkpoints record the preprocessing too (the end state comes with the final model). */
  extra = as_learn_report_to_json (input->report, NULL);
  info.preprocessing = json_object_has_member (extra, "preprocessing")
                       ? json_object_get_object_member (extra, "preprocessing") : NULL;
  {
    AsCliCheckpoint cp = { out_dir, &input->params, &info, FALSE };
    model = as_cli_run_cdl_job_full (job, quiet, &input->params, checkpoint_every, as_cli_write_checkpoint, &cp,
                                     &signal_number, &error);
    force |= cp.written;   /* the folder now holds this run's own checkpoint */
  }
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      if (signal_number != 0)
        status = as_cli_signal_status (signal_number);
      goto out;
    }
  if (model->sfreq <= 0 && input->sfreq > 0)
    model->sfreq = input->sfreq;
  g_clear_pointer (&extra, json_object_unref);
  extra = as_learn_report_to_json (input->report, model);
  info.preprocessing = json_object_has_member (extra, "preprocessing")
                       ? json_object_get_object_member (extra, "preprocessing") : NULL;
  if (!as_cdl_export_full (model, &input->params, &info, out_dir, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (figures && !as_cli_write_figures (model, input->recording, files[0], out_dir,
                                       AS_FIGURE_FORMAT_PNG, 150, force, quiet, &error))
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
  if (model->shape.atom_height > 1)
    printf (_("Learned %u atoms of %u × %u pixels (%u colour planes) in %u iterations, %s (objective %.8g, λ = %.4g = %.3g λ_max); wrote %s\n"),
            model->shape.n_atoms, model->shape.atom_height, model->shape.atom_width,
            model->shape.n_channels, model->iteration,
            as_cdl_end_state_describe (model->end_state), as_cdl_model_last_objective (model),
            model->lambda, model->lambda_max > 0 ? model->lambda / model->lambda_max : 0.0,
            out_dir);
  else
    printf (_("Learned %u atoms of %u × %u samples in %u iterations, %s (objective %.8g, λ = %.4g = %.3g λ_max); wrote %s\n"),
            model->shape.n_atoms, model->shape.n_channels, model->shape.atom_width,
            model->iteration, as_cdl_end_state_describe (model->end_state),
            as_cdl_model_last_objective (model), model->lambda,
            model->lambda_max > 0 ? model->lambda / model->lambda_max : 0.0, out_dir);
  for (guint k = 0; k < model->shape.n_atoms; k++)
    if (model->weak[k])
      printf (_("Atom %u explains almost nothing (fewer than %u occurrences, or only at an edge)\n"),
              k + 1, input->params.min_occurrences);
  if (input->report != NULL)
    for (guint i = 0; i < input->report->excluded->len; i++)
      printf (_("Left out of learning: %s\n"),
              (const char *) g_ptr_array_index (input->report->excluded, i));
  if (!quiet)
    as_cli_print_occurrences (model);
  status = 0;

out:
  as_cli_job_end_signals ();
  g_free (out_dir);
  g_free (save_data);
  g_free (resume_dir);
  as_learn_request_clear (&req);
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
