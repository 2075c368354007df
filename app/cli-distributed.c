/* cli-distributed.c: "mpirun -np W atomscope-cli learn FILE --distributed …": learning
 * split between MPI processes (engine/as-distributed.h, docs/distributed.md).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-image.h"
#include "as-model.h"
#include "cli-commands.h"

#ifdef AS_HAVE_MPI
#include <mpi.h>
#include "as-distributed.h"
#include "as-bench-distributed.h"

static AsDistributed *open_data (const char *path, guint K, guint h, guint w, int rank,
                                 GError **error);

static void
on_progress (guint iteration, double objective, gpointer timer)
{
  fprintf (stderr, _("iteration %u: objective %.8g (%.1f s)\n"), iteration, objective,
           g_timer_elapsed (timer, NULL));
}

/* The first error of any process ends the run on every process, named by its rank. */
static int
fail_all (const char *command, int rank, GError *error)
{
  if (rank == 0 && error != NULL)
    fprintf (stderr, _("atomscope-cli %s: %s\n"), command, error->message);
  g_clear_error (&error);
  MPI_Finalize ();
  return 1;
}

int
as_cli_learn_distributed (int argc, char **argv)
{
  char *out_dir = NULL, *init = NULL;
  g_auto (GStrv) files = NULL;
  gboolean distributed = FALSE, force = FALSE, quiet = FALSE, full = FALSE, rank1 = FALSE;
  gboolean is_signed = FALSE;
  int n_atoms = 5, atom_samples = 0, atom_size = 0, iterations = 20, seed = 0;
  double lambda = 0.1, lambda_abs = -1.0, tol = 1e-4;
  GOptionEntry entries[] = {
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Split the work between the processes started by mpirun"), NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for atoms.npy, activations.npy, run.json (required)"), N_("DIR") },
    { "atoms", 'k', 0, G_OPTION_ARG_INT, &n_atoms, N_("Number of atoms (default 5)"), N_("K") },
    { "atom-samples", 0, 0, G_OPTION_ARG_INT, &atom_samples, N_("Atom length in samples (signals; required)"), N_("N") },
    { "atom-size", 0, 0, G_OPTION_ARG_INT, &atom_size, N_("Images: atom side in pixels (default 10)"), N_("PIXELS") },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &lambda, N_("Sparsity as a fraction of λ_max (default 0.1)"), N_("FRACTION") },
    { "lambda-absolute", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_abs, N_("Sparsity λ in data units (instead of --lambda)"), N_("LAMBDA") },
    { "rank1", 0, 0, G_OPTION_ARG_NONE, &rank1, N_("Rank-1 atoms: topography × waveform (default for signals)"), NULL },
    { "full", 0, 0, G_OPTION_ARG_NONE, &full, N_("Full-rank atoms (default for images)"), NULL },
    { "signed", 0, 0, G_OPTION_ARG_NONE, &is_signed, N_("Allow negative activations"), NULL },
    { "init", 0, 0, G_OPTION_ARG_STRING, &init, N_("Initial atoms: chunk (default: windows of the data) or random"), N_("KIND") },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, N_("Maximum outer iterations (default 20)"), N_("N") },
    { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &tol, N_("Stop when an iteration decreases the objective by less than this fraction (default 1e-4)"), N_("TOL") },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, N_("Random seed (default 0)"), N_("SEED") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE --out DIR --distributed — learn atoms with the processes started by mpirun"));
  AsDistributed *d = NULL;
  AsCdlParams p;
  AsCdlModel *model;
  AsDistributedStats stats;
  g_autoptr (GTimer) timer = g_timer_new ();
  GError *error = NULL;
  gboolean image, ok, atom_size_given;
  int rank, size;

  g_option_context_set_summary (ctx,
    _("Each process reads its region of the data (an NPY array of channels × samples, or channels × rows × columns; an image file is decoded whole by each process and cut), learns on it with its neighbours, and process 0 writes the model. Start it with mpirun -np W."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, "learn --distributed"))
    return 2;
  if (files == NULL || files[0] == NULL || files[1] != NULL || out_dir == NULL)
    {
      fprintf (stderr, _("atomscope-cli learn --distributed: give one FILE and --out DIR\n"));
      return 2;
    }
  if (init != NULL && strcmp (init, "random") != 0 && strcmp (init, "chunk") != 0)
    {
      fprintf (stderr, _("atomscope-cli learn --distributed: --init is chunk or random (the greedy start needs the whole data)\n"));
      return 2;
    }
  image = as_file_is_image (files[0]);
  atom_size_given = atom_size != 0;
  if (!atom_size_given)
    atom_size = 10;
  if (!image && atom_samples <= 0)
    {
      fprintf (stderr, _("atomscope-cli learn --distributed: give the atom length with --atom-samples N\n"));
      return 2;
    }
  if (n_atoms <= 0 || iterations <= 0 || atom_size <= 0)
    {
      fprintf (stderr, _("atomscope-cli learn --distributed: --atoms, --iterations and --atom-size must be positive\n"));
      return 2;
    }

  MPI_Init (&argc, &argv);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  /* One process per core: each runs its BLAS on one thread. */
  as_engine_set_blas_threads (1);

  /* Nothing is learned when the model folder could not be written. */
  ok = rank != 0 || as_cdl_export_check (out_dir, rank1 || !full, force, &error);
  MPI_Bcast (&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!ok)
    return fail_all ("learn --distributed", rank, error);

  as_cdl_params_init (&p);
  p.n_atoms = (guint) n_atoms;
  p.rank1 = image ? rank1 : !full;
  p.positive = !is_signed;
  p.init = init != NULL && strcmp (init, "random") == 0 ? AS_CDL_INIT_RANDOM : AS_CDL_INIT_CHUNK;
  p.max_iter = (guint) iterations;
  p.tol = tol;
  p.seed = (guint64) seed;
  p.tukey = 0.0;
  p.lambda = lambda_abs >= 0.0 ? lambda_abs : lambda;
  p.lambda_absolute = lambda_abs >= 0.0;
  p.atom_length = image ? (guint) atom_size : (guint) atom_samples;
  p.atom_height = image ? (guint) atom_size : 1;

  /* Images and arrays of channels × rows × columns get atoms of --atom-size rows. */
  d = open_data (files[0], p.n_atoms, image || atom_size_given ? (guint) atom_size : 1,
                 p.atom_length, rank, &error);
  if (d == NULL)
    return fail_all ("learn --distributed", rank, error);
  /* An array of channels × rows × columns is an image: atoms of --atom-size rows. */
  p.atom_height = as_distributed_shape (d)->atom_height;

  if (rank == 0 && !quiet)
    {
      const AsCscShape *s = as_distributed_shape (d);
      fprintf (stderr, _("Learning %u atoms from %u × %u × %u samples with %d processes…\n"),
               p.n_atoms, s->n_channels, s->height, s->width, size);
    }
  model = as_distributed_learn (d, &p, NULL, rank == 0 && !quiet ? on_progress : NULL, timer,
                                &stats, &error);
  ok = error == NULL;
  {
    int all_ok;
    MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok)
      {
        as_distributed_free (d);
        return fail_all ("learn --distributed", rank, error);
      }
  }
  as_distributed_free (d);
  if (rank == 0)
    {
      AsCdlExportInfo info;
      as_cdl_export_info_init (&info);
      info.source = files[0];
      ok = as_cdl_export_full (model, &p, &info, out_dir, force, &error);
      if (ok && !quiet)
        printf (_("%s after %u iterations: objective %.6g; process 0 sent %.0f bytes; model in %s\n"),
                as_cdl_end_state_describe (model->end_state), model->iteration,
                as_cdl_model_last_objective (model), (double) stats.bytes_sent, out_dir);
      as_cdl_model_unref (model);
    }
  MPI_Bcast (&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!ok)
    return fail_all ("learn --distributed", rank, error);
  MPI_Finalize ();
  return 0;
}

/* The data of FILE on every process: an NPY array read region by region, or an image
 * decoded whole and cut.  Fails on every process when one fails. */
static AsDistributed *
open_data (const char *path, guint K, guint h, guint w, int rank, GError **error)
{
  AsDistributed *d = NULL;
  int ok, all_ok;

  if (!as_file_is_image (path))
    return as_distributed_open_npy (MPI_COMM_WORLD, path, K, h, w, error);
  {
    AsImage *img = as_image_load (path, error);
    if (img != NULL)
      {
        d = as_distributed_new_from_data (MPI_COMM_WORLD, img->data, img->n_channels,
                                          img->height, img->width, K, h, w, error);
        as_image_unref (img);
      }
  }
  ok = d != NULL;
  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all_ok)
    {
      if (error != NULL && *error != NULL)
        fprintf (stderr, _("atomscope-cli: process %d: %s\n"), rank, (*error)->message);
      as_distributed_free (d);
      return NULL;
    }
  return d;
}

int
as_cli_encode_distributed (int argc, char **argv)
{
  char *out_dir = NULL, *model_dir = NULL;
  g_auto (GStrv) files = NULL;
  gboolean distributed = FALSE, force = FALSE, quiet = FALSE;
  double lambda = -1.0, lambda_abs = -1.0;
  GOptionEntry entries[] = {
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Split the work between the processes started by mpirun"), NULL },
    { "model", 'm', 0, G_OPTION_ARG_FILENAME, &model_dir, N_("Model folder whose atoms are used (required)"), N_("DIR") },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for the new model: the same atoms, the activations on FILE (required)"), N_("DIR") },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &lambda, N_("Sparsity as a fraction of FILE’s λ_max (default: the model’s λ in data units)"), N_("FRACTION") },
    { "lambda-absolute", 0, 0, G_OPTION_ARG_DOUBLE, &lambda_abs, N_("Sparsity λ in data units"), N_("LAMBDA") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace the output folder if it holds a model"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE --model DIR --out DIR2 --distributed — find the atoms of a model with the processes started by mpirun"));
  AsModel *dict = NULL;
  AsDistributed *d = NULL;
  AsDistributedStats stats;
  AsCdlParams p;
  AsCdlModel *model;
  GError *error = NULL;
  int rank, ok, all_ok;

  g_option_context_set_summary (ctx,
    _("Each process reads its region of FILE (as learn --distributed) and the atoms of DIR are looked for in it as they are: no preprocessing is applied, so give data prepared like the model's (learn --save-data writes it)."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, "encode --distributed"))
    return 2;
  if (files == NULL || files[0] == NULL || files[1] != NULL || out_dir == NULL || model_dir == NULL)
    {
      fprintf (stderr, _("atomscope-cli encode --distributed: give one FILE, --model DIR and --out DIR2\n"));
      return 2;
    }
  MPI_Init (&argc, &argv);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  as_engine_set_blas_threads (1);

  /* Every process reads the (small) model folder; rank 0 checks the output folder. */
  dict = as_model_load (model_dir, &error);
  ok = dict != NULL && (rank != 0 || as_cdl_export_check (out_dir, dict->model->rank1, force, &error));
  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all_ok)
    {
      g_clear_pointer (&dict, as_model_unref);
      return fail_all ("encode --distributed", rank, error);
    }
  as_cdl_params_init (&p);
  p.lambda = lambda_abs >= 0.0 ? lambda_abs : lambda >= 0.0 ? lambda : dict->model->lambda;
  p.lambda_absolute = !(lambda >= 0.0 && lambda_abs < 0.0);
  p.z_tol = dict->params.z_tol;
  d = open_data (files[0], dict->model->shape.n_atoms, dict->model->shape.atom_height,
                 dict->model->shape.atom_width, rank, &error);
  if (d == NULL)
    {
      as_model_unref (dict);
      return fail_all ("encode --distributed", rank, error);
    }
  model = as_distributed_encode (d, dict->model, &p, &stats, &error);
  ok = error == NULL;
  as_distributed_free (d);
  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all_ok)
    {
      as_model_unref (dict);
      return fail_all ("encode --distributed", rank, error);
    }
  if (rank == 0)
    {
      AsCdlExportInfo info;
      as_cdl_export_info_init (&info);
      info.command = "encode";
      info.source = files[0];
      info.dictionary = model_dir;
      ok = as_cdl_export_full (model, &p, &info, out_dir, force, &error);
      if (ok && !quiet)
        printf (_("%s after %u iterations: objective %.6g; process 0 sent %.0f bytes; model in %s\n"),
                as_cdl_model_end_state (model), model->iteration,
                as_cdl_model_last_objective (model), (double) stats.bytes_sent, out_dir);
      as_cdl_model_unref (model);
    }
  as_model_unref (dict);
  MPI_Bcast (&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (!ok)
    return fail_all ("encode --distributed", rank, error);
  MPI_Finalize ();
  return 0;
}

int
as_cli_bench_distributed (int argc, char **argv)
{
  gboolean worker = FALSE;
  double hours = 1.0;
  int iterations = 2;
  GOptionEntry entries[] = {
    { "hours", 0, 0, G_OPTION_ARG_DOUBLE, &hours, N_("Recording length in hours (default 1)"), N_("H") },
    { "iterations", 'n', 0, G_OPTION_ARG_INT, &iterations, N_("Outer iterations to time (default 2)"), N_("N") },
    { "worker", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &worker, NULL, NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— time learning with 1 and 2 MPI processes and model its communication"));
  g_autofree char *self = NULL;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, "bench distributed"))
    return 2;
  if (!(hours > 0.0) || iterations <= 0)
    {
      fprintf (stderr, _("atomscope-cli bench distributed: --hours and --iterations must be positive\n"));
      return 2;
    }
  if (worker)
    return as_bench_distributed_worker (hours, (guint) iterations);
  self = g_file_read_link ("/proc/self/exe", NULL);
  return as_bench_distributed (self != NULL ? self : "atomscope-cli", hours, (guint) iterations,
                               stdout);
}

#else

int
as_cli_learn_distributed (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  fprintf (stderr, _("atomscope-cli learn --distributed: this build has no MPI (configure with -Dmpi=enabled and Open MPI installed)\n"));
  return 1;
}

int
as_cli_bench_distributed (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  fprintf (stderr, _("atomscope-cli bench distributed: this build has no MPI (configure with -Dmpi=enabled and Open MPI installed)\n"));
  return 1;
}

int
as_cli_encode_distributed (int argc, char **argv)
{
  (void) argc;
  (void) argv;
  fprintf (stderr, _("atomscope-cli learn --distributed: this build has no MPI (configure with -Dmpi=enabled and Open MPI installed)\n"));
  return 1;
}

#endif
