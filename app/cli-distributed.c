/* cli-distributed.c: "mpirun -np W atomscope-cli learn FILE --distributed …": learning
 * split between MPI processes (engine/as-distributed.h, docs/distributed.md).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-image.h"
#include "as-learn-span.h"
#include "as-model.h"
#include "as-paged.h"
#include "as-params.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-job.h"
#include "cli-read.h"

#ifdef AS_HAVE_MPI
#include <mpi.h>
#include "as-distributed.h"
#include "as-bench-distributed.h"

static AsDistributed *open_data (const char *path, guint K, guint h, guint w,
                                 const AsPreprocessOptions *image_opts, int rank,
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

/* A string of process @root on every process (a newly allocated copy). */
static char *
bcast_string (const char *text, int rank)
{
  int len = rank == 0 && text != NULL ? (int) strlen (text) + 1 : 0;
  char *copy;

  MPI_Bcast (&len, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (len == 0)
    return NULL;
  copy = g_malloc (len);
  if (rank == 0)
    memcpy (copy, text, len);
  MPI_Bcast (copy, len, MPI_CHAR, 0, MPI_COMM_WORLD);
  return copy;
}

/* The status of process 0 on every process (0: go on). */
static int
bcast_status (int status)
{
  MPI_Bcast (&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return status;
}

/* A file read as a recording (EDF, BDF, FIF, text...), not an NPY array or an image, whose
 * regions the processes read themselves. */
static gboolean
is_recording (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  return !as_file_is_image (path) && !g_str_has_suffix (lower, ".npy");
}

/* Learning parameters for an NPY array or an image from what was asked (the kind of
 * recording is not known: the defaults of the distributed command). */
static gboolean
params_for_array (const AsLearnRequest *req, gboolean image, AsCdlParams *p,
                  gboolean *atom_size_given)
{
  as_cdl_params_init (p);
  p->n_atoms = req->n_atoms > 0 ? (guint) req->n_atoms : 5;
  p->rank1 = image ? req->rank1 : !req->full;
  p->positive = !req->is_signed;
  p->init = AS_CDL_INIT_GREEDY;
  if (req->init != NULL)
    as_cdl_init_from_string (req->init, &p->init);
  p->max_iter = req->iterations > 0 ? (guint) req->iterations : 20;
  p->tol = !isnan (req->tol) ? req->tol : 1e-4;
  p->seed = req->seed >= 0 ? (guint64) req->seed : 0;
  p->tukey = !isnan (req->tukey) ? req->tukey : 0.0;
  p->online = req->online;
  p->lambda_absolute = !isnan (req->lambda_abs);
  p->lambda = p->lambda_absolute ? req->lambda_abs : !isnan (req->lambda) ? req->lambda : 0.1;
  *atom_size_given = req->atom_size > 0;
  /* Images, and arrays of channels × rows × columns given --atom-size, have atoms of that
   * many rows. */
  p->atom_height = image || req->atom_size > 0
                   ? (guint) (req->atom_size > 0 ? req->atom_size : 10) : 1;
  p->atom_length = image ? p->atom_height : (guint) MAX (0, req->atom_samples);
  if (!image && p->atom_length == 0)
    {
      as_cli_error ("learn --distributed", "%s", _("give the atom length with --atom-samples N"));
      return FALSE;
    }
  return TRUE;
}

/* Process 0's recording, read and prepared as "learn" does (the same reader options, the
 * same as_learn_input_new()), or a checkpoint's recording prepared as "learn --resume"
 * does; the others get NULL.  The status is the exit status of every process. */
typedef struct
{
  AsLearnInput *input;       /* a new run */
  AsRecording  *recording;   /* what is learned from (region by region: this process's span) */
  JsonObject   *preprocessing;
  AsLearnReport *report;     /* region by region */
} Prepared;

static void
prepared_clear (Prepared *pr)
{
  g_clear_pointer (&pr->input, as_learn_input_free);
  g_clear_pointer (&pr->recording, as_recording_unref);
  g_clear_pointer (&pr->preprocessing, json_object_unref);
  g_clear_pointer (&pr->report, as_learn_report_free);
}

/* The file's header read page by page and the request resolved on it (every process does
 * the same); NULL when the file is not read so or the request does not apply. */
static AsRecording *
region_header (const char *path, const AsLearnRequest *req, AsCdlParams *p,
               AsPreprocessOptions *opts, char ***labels, GError **error)
{
  g_autoptr (AsRecording) header = NULL;
  AsSignalKind kind;

  if (!as_paged_is_edf (path))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s is not read page by page (only EDF and BDF files are)"), path);
      return NULL;
    }
  header = as_recording_open_paged (path, FALSE, error);
  if (header == NULL)
    return NULL;
  if (!as_learn_request_resolve (req, header, &kind, p, opts, labels, error))
    return NULL;
  return g_steal_pointer (&header);
}

/* Process 0: can every process read and prepare its own region of @path?  FALSE with the
 * reason when process 0 must prepare the whole recording. */
static gboolean
region_wise_possible (AsCliRead *read, const AsLearnRequest *req, const char *path,
                      AsCdlParams *p, GError **error)
{
  g_autoptr (AsRecording) header = NULL;
  g_auto (GStrv) labels = NULL;
  AsPreprocessOptions opts;

  if (read->event_files != NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED, _("events are added from files"));
      return FALSE;
    }
  header = region_header (path, req, p, &opts, &labels, error);
  if (header == NULL || !as_learn_span_supported (header, &opts, error))
    return FALSE;
  /* As prepare_recording(): the greedy start, no taper. */
  if (req->init == NULL)
    p->init = AS_CDL_INIT_GREEDY;
  if (isnan (req->tukey))
    p->tukey = 0.0;
  return TRUE;
}

/* Process 0 says how many samples each process read (its region and its margins). */
static void
report_samples_read (MPI_Comm comm, AsRecording *header, gsize total, int rank, int size,
                     gboolean quiet)
{
  guint64 mine = as_paged_samples_read (header->paged);
  g_autofree guint64 *all = rank == 0 ? g_new (guint64, size) : NULL;

  MPI_Gather (&mine, 1, MPI_UINT64_T, all, 1, MPI_UINT64_T, 0, comm);
  if (rank == 0 && !quiet)
    for (int r = 0; r < size; r++)
      fprintf (stderr, _("Process %d read %llu of the %zu samples learned from (%zu in the file), its region and its margins\n"),
               r, (unsigned long long) all[r], total, header->n_samples);
}

/* The samples learned from, which one problem must be able to index. */
static gboolean
span_total (const AsRecording *header, const AsPreprocessOptions *opts, const char *path,
            gsize *total, GError **error)
{
  *total = as_learn_span_total (header, opts, NULL);
  if (*total > G_MAXUINT)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: %zu samples are too many for one problem"), path, *total);
      return FALSE;
    }
  return TRUE;
}

/* Whether every process of @comm read the header (@ok); otherwise FALSE on every process,
 * with this one's reason (@local_error, taken) or the word that another failed. */
static gboolean
every_header (MPI_Comm comm, int ok, GError *local_error, const char *path, GError **error)
{
  int all_ok;

  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm);
  if (all_ok)
    return TRUE;
  if (local_error == NULL)
    g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                 _("%s: another process could not read its header"), path);
  g_propagate_error (error, local_error);
  return FALSE;
}

/* Every process: its span of the recording, read and prepared region by region (the
 * statistics of the whole combined with MPI_Allreduce), and the problem built on it. */
static AsDistributed *
prepare_region (const char *path, const AsLearnRequest *req, const AsCdlParams *p, int rank,
                gboolean quiet, Prepared *pr, GError **error)
{
  MPI_Comm comm = MPI_COMM_WORLD;
  g_autoptr (AsRecording) header = NULL;
  g_autoptr (AsRecording) span = NULL;
  g_auto (GStrv) labels = NULL;
  AsCdlParams rp;
  AsPreprocessOptions opts;
  gsize total, d0 = 0, d1 = 0, o0 = 0, o1 = 0, n_read = 0;
  GError *local_error = NULL;
  int size;
  AsDistributed *d;

  MPI_Comm_size (comm, &size);
  header = region_header (path, req, &rp, &opts, &labels, &local_error);
  if (!every_header (comm, header != NULL, local_error, path, error))
    return NULL;
  if (!span_total (header, &opts, path, &total, error))
    return NULL;
  if (!as_distributed_signal_span (comm, (guint) total, p->n_atoms, p->atom_length, &d0, &d1,
                                   &o0, &o1, error))
    return NULL;
  span = as_learn_prepare_span (header, &opts, o0, o1, d0, d1, as_distributed_reduce, &comm,
                                &pr->report, &n_read, error);
  if (span == NULL)
    return NULL;
  /* How much of the recording each process read (process 0 reports them all). */
  g_assert (as_paged_samples_read (header->paged) == n_read);
  report_samples_read (comm, header, total, rank, size, quiet);
  /* The span's samples become the problem's; process 0 keeps the channels for the model. */
  d = as_distributed_new_from_span (comm, g_steal_pointer (&span->data), span->n_channels,
                                    (guint) total, p->n_atoms, p->atom_length, error);
  if (d == NULL)
    return NULL;
  if (rank == 0)
    {
      g_autofree char *shown = g_filename_display_name (path);
      g_autoptr (JsonObject) extra = as_learn_report_to_json (pr->report, NULL);
      for (guint i = 0; i < pr->report->warnings->len; i++)
        fprintf (stderr, _("warning: %s: %s\n"), shown,
                 (const char *) g_ptr_array_index (pr->report->warnings, i));
      if (!quiet)
        for (guint i = 0; i < pr->report->excluded->len; i++)
          fprintf (stderr, _("left out of learning: %s\n"),
                   (const char *) g_ptr_array_index (pr->report->excluded, i));
      if (json_object_has_member (extra, "preprocessing"))
        pr->preprocessing = json_object_ref (json_object_get_object_member (extra, "preprocessing"));
      pr->recording = g_steal_pointer (&span);
    }
  return d;
}

static int
prepare_recording (AsCliRead *read, const AsLearnRequest *req, const char *path,
                   gboolean quiet, AsCdlParams *p, Prepared *pr)
{
  const char *command = "learn --distributed";
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (GError) error = NULL;
  gboolean usage = FALSE;

  rec = as_cli_read_load (read, path, command);
  if (rec == NULL)
    return 1;
  pr->input = as_learn_input_new (path, rec, req, &usage, &error);
  if (pr->input == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return usage ? 2 : 1;
    }
  *p = pr->input->params;
  /* Atoms that explain nothing are not replaced here (one process replaces them from the
   * residual), so random atoms may stay unused: the greedy start unless asked. */
  if (req->init == NULL)
    p->init = AS_CDL_INIT_GREEDY;
  /* No taper unless asked (and then refused: distributed atoms have none). */
  if (isnan (req->tukey))
    p->tukey = 0.0;
  if (pr->input->report->n_masked > 0)
    {
      g_autofree char *shown = g_filename_display_name (path);
      as_cli_error (command, _("%s: %zu samples are missing or near missing ones; distributed learning cannot leave them out (learn without --distributed, or choose --start and --end around them)"),
                    shown, pr->input->report->n_masked);
      return 1;
    }
  {
    g_autofree char *shown = g_filename_display_name (path);
    for (guint i = 0; i < pr->input->report->warnings->len; i++)
      fprintf (stderr, _("warning: %s: %s\n"), shown,
               (const char *) g_ptr_array_index (pr->input->report->warnings, i));
  }
  if (!quiet)
    for (guint i = 0; i < pr->input->report->excluded->len; i++)
      fprintf (stderr, _("left out of learning: %s\n"),
               (const char *) g_ptr_array_index (pr->input->report->excluded, i));
  pr->recording = as_recording_ref (pr->input->recording);
  {
    g_autoptr (JsonObject) extra = as_learn_report_to_json (pr->input->report, NULL);
    if (json_object_has_member (extra, "preprocessing"))
      pr->preprocessing = json_object_ref (json_object_get_object_member (extra, "preprocessing"));
  }
  return 0;
}

/* Every process: its span of the recording prepared with the options and the scale
 * @dict records (as "encode" and "learn --resume" do), region by region, for atoms of
 * @K × @w sampled at @sfreq (0: unknown); NULL with the reason (on every process), and
 * *possible FALSE, when the file is not read so and process 0 must prepare it whole. */
static AsDistributed *
model_region (const char *path, const AsModel *dict, guint K, guint w, double sfreq, int rank,
              gboolean quiet, Prepared *pr, gboolean *possible, GError **error)
{
  MPI_Comm comm = MPI_COMM_WORLD;
  g_autoptr (AsRecording) header = NULL;
  g_autoptr (AsRecording) span = NULL;
  AsPreprocessOptions opts;
  gsize total, d0 = 0, d1 = 0, o0 = 0, o1 = 0, n_read = 0, margin;
  GError *local_error = NULL;
  int ok, all_ok, size;
  AsDistributed *d;

  MPI_Comm_size (comm, &size);
  as_model_get_preprocess_options (dict, &opts);
  *possible = FALSE;
  if (!as_paged_is_edf (path))
    g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                 _("%s is not read page by page (only EDF and BDF files are)"), path);
  else if ((header = as_recording_open_paged (path, FALSE, &local_error)) != NULL
           && !as_preprocess_span_margin (&opts, header->sfreq, &margin, &local_error))
    g_clear_pointer (&header, as_recording_unref);
  if (!every_header (comm, header != NULL, local_error, path, error))
    return NULL;
  *possible = TRUE;
  if (sfreq > 0 && fabs (header->sfreq - sfreq) > 1e-6 * sfreq)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("the model’s atoms are sampled at %g Hz but %s gives %g Hz after its preprocessing"),
                   sfreq, path, header->sfreq);
      return NULL;
    }
  if (!span_total (header, &opts, path, &total, error))
    return NULL;
  if (!as_distributed_signal_span (comm, (guint) total, K, w, &d0, &d1, &o0, &o1, error))
    return NULL;
  span = as_preprocess_read_span (header, &opts, o0, o1, d0, d1, as_distributed_reduce, &comm,
                                  &n_read, error);
  /* The scale the model was learned at, sample by sample. */
  ok = span != NULL && as_model_apply_scaling (dict, span, error);
  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, comm);
  if (!all_ok)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                     _("%s: another process could not prepare its part"), path);
      return NULL;
    }
  report_samples_read (comm, header, total, rank, size, quiet);
  d = as_distributed_new_from_span (comm, g_steal_pointer (&span->data), span->n_channels,
                                    (guint) total, K, w, error);
  if (d != NULL && rank == 0)
    {
      pr->preprocessing = as_preprocess_options_to_json (&opts, NULL);
      pr->recording = g_steal_pointer (&span);
    }
  return d;
}

/* A checkpoint's recording, prepared with the options and the scale the model records
 * (as "learn --resume"). */
static int
prepare_resumed_recording (const AsModel *from, const char *path, Prepared *pr)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) raw = NULL;
  AsPreprocessOptions opts;

  raw = as_recording_load (path, &error);
  if (raw != NULL)
    {
      as_model_get_preprocess_options (from, &opts);
      pr->recording = as_preprocess (raw, &opts, NULL, &error);
      if (pr->recording != NULL && !as_model_apply_scaling (from, pr->recording, &error))
        g_clear_pointer (&pr->recording, as_recording_unref);
      if (pr->recording != NULL)
        pr->preprocessing = from->preprocessing != NULL
                            ? json_object_ref (from->preprocessing)
                            : as_preprocess_options_to_json (&opts, NULL);
    }
  if (pr->recording == NULL)
    {
      as_cli_error ("learn --distributed", "%s", error->message);
      return 1;
    }
  return 0;
}

/* Every process: a checkpoint's recording (@from on process 0, NULL elsewhere) prepared
 * with the options and the scale the model records (as "learn --resume"): region by region
 * when the file can be read so, else by process 0 and sent.  *status: the exit status when
 * process 0 could not prepare it (0 otherwise). */
static AsDistributed *
resumed_region (const char *path, const AsModel *from, const AsCdlParams *p, int rank,
                gboolean quiet, Prepared *pr, int *status, GError **error)
{
  g_autoptr (AsModel) shell = NULL;
  g_autofree char *text = NULL, *shared = NULL;
  double sfreq = rank == 0 ? from->model->sfreq : 0;
  gboolean possible = FALSE;
  AsDistributed *d;

  *status = 0;
  /* The model's preprocessing (options and scale) on every process. */
  if (rank == 0 && from->preprocessing != NULL)
    {
      g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), from->preprocessing);
      text = json_to_string (node, FALSE);
    }
  shared = bcast_string (text, rank);
  MPI_Bcast (&sfreq, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (rank != 0)
    {
      shell = g_new0 (AsModel, 1);
      g_atomic_ref_count_init (&shell->ref_count);
      if (shared != NULL)
        {
          g_autoptr (JsonNode) node = json_from_string (shared, NULL);
          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
            shell->preprocessing = json_node_dup_object (node);
        }
    }
  d = model_region (path, rank == 0 ? from : shell, p->n_atoms, p->atom_length, sfreq, rank,
                    quiet, pr, &possible, error);
  if (possible)
    {
      if (d != NULL && rank == 0 && from->preprocessing != NULL)
        {
          g_clear_pointer (&pr->preprocessing, json_object_unref);
          pr->preprocessing = json_object_ref (from->preprocessing);
        }
      return d;
    }
  if (rank == 0 && !quiet)
    fprintf (stderr, _("Process 0 reads and prepares the whole recording: %s\n"),
             (*error)->message);
  g_clear_error (error);
  if (rank == 0)
    *status = prepare_resumed_recording (from, path, pr);
  if ((*status = bcast_status (*status)) != 0)
    return NULL;
  return as_distributed_new_scattered (MPI_COMM_WORLD, 0,
                                       rank == 0 ? pr->recording->data : NULL,
                                       rank == 0 ? pr->recording->n_channels : 0, 1,
                                       rank == 0 ? (guint) pr->recording->n_samples : 0,
                                       p->n_atoms, 1, p->atom_length, error);
}

int
as_cli_learn_distributed (int argc, char **argv)
{
  const char *command = "learn --distributed";
  char *out_dir = NULL, *resume_dir = NULL;
  g_auto (GStrv) files = NULL;
  gboolean distributed = FALSE, force = FALSE, quiet = FALSE;
  int checkpoint_every = 0;
  AsLearnRequest req;
  g_auto (AsCliRead) read = { 0 };
  GOptionEntry head[] = {
    { "distributed", 0, 0, G_OPTION_ARG_NONE, &distributed, N_("Split the work between the processes started by mpirun"), NULL },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for atoms.npy, activations.npy, run.json (required)"), N_("DIR") },
    { NULL }
  };
  GOptionEntry entries[] = {
    { "checkpoint-every", 0, 0, G_OPTION_ARG_INT, &checkpoint_every, N_("Write the model so far into DIR every N iterations, to be continued with --resume DIR (default 0: never)"), N_("N") },
    { "resume", 0, 0, G_OPTION_ARG_FILENAME, &resume_dir, N_("Continue learning from a model folder written earlier (a checkpoint or a stopped run), with its parameters"), N_("DIR") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, N_("Do not report progress"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE --out DIR --distributed — learn atoms with the processes started by mpirun"));
  GOptionGroup *group;
  g_autoptr (AsModel) from = NULL;
  g_autoptr (AsCdlModel) start = NULL;
  g_autofree char *source = NULL;
  Prepared pr = { NULL, NULL, NULL, NULL };
  AsDistributed *d = NULL;
  AsCdlParams p;
  AsCdlModel *model = NULL;
  AsDistributedStats stats;
  AsCdlExportInfo info;
  AsCliCheckpoint cp = { NULL, NULL, NULL, FALSE };
  g_autoptr (GTimer) timer = g_timer_new ();
  GError *error = NULL;
  gboolean image = FALSE, recording = FALSE, region = FALSE, resumed = FALSE, ok;
  gboolean atom_size_given = FALSE;
  int rank, size, status = 0;

  as_learn_request_init (&req);
  group = g_option_group_new (NULL, NULL, NULL, &req, NULL);
  g_option_context_set_summary (ctx,
    _("A recording (EDF, BDF, FIF and the other formats \"learn\" reads) is prepared with the preprocessing of \"learn\" (--kind and its defaults, filters, reference, channels, resampling).  An EDF or BDF file is read region by region: each process reads its time range and the margins its filters need, and the statistics of the whole recording are combined; other formats, --resample and channels read as events are read and prepared by process 0, then cut into regions sent to the processes.  An NPY array of channels × samples (or channels × rows × columns) is read region by region by each process as it is; an image file is decoded whole by each process, prepared as \"learn\" prepares it and cut.  The processes learn with their neighbours and process 0 writes the model.  Start it with mpirun -np W."));
  g_option_group_add_entries (group, head);
  as_cli_add_learn_options (group, TRUE);
  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_set_main_group (ctx, group);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  read.sfreq = -HUGE_VAL;
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    {
      as_learn_request_clear (&req);
      return 2;
    }
  /* --rate is one of the reading options and fills in the request, as for "learn". */
  if (read.sfreq != -HUGE_VAL)
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];
      g_ascii_dtostr (text, sizeof text, read.sfreq);
      if (!as_learn_request_set (&req, "rate", text, &error))
        {
          as_cli_error (command, "%s", error->message);
          g_clear_error (&error);
          as_learn_request_clear (&req);
          return 2;
        }
    }
  read.sfreq = !isnan (req.rate) ? req.rate : 0;
  if ((resume_dir == NULL && (files == NULL || files[0] == NULL || out_dir == NULL))
      || (files != NULL && files[0] != NULL && files[1] != NULL))
    {
      fprintf (stderr, _("atomscope-cli learn --distributed: give one FILE and --out DIR\n"));
      as_learn_request_clear (&req);
      return 2;
    }
  if (checkpoint_every < 0)
    {
      as_cli_error (command, "%s", _("--checkpoint-every takes a number of iterations ≥ 0"));
      as_learn_request_clear (&req);
      return 2;
    }
  if (!as_learn_request_check (&req, &error))
    {
      as_cli_error (command, "%s", error->message);
      g_clear_error (&error);
      as_learn_request_clear (&req);
      return 2;
    }
  if (req.online || (!isnan (req.tukey) && req.tukey > 0.0))
    {
      as_cli_error (command, "%s", _("Distributed learning is batch learning without a taper"));
      as_learn_request_clear (&req);
      return 2;
    }

  MPI_Init (&argc, &argv);
  MPI_Comm_rank (MPI_COMM_WORLD, &rank);
  MPI_Comm_size (MPI_COMM_WORLD, &size);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  /* One process per core: each runs its BLAS on one thread. */
  as_engine_set_blas_threads (1);

  /* Process 0 decides what is learned from: the file, the parameters, the output folder
   * (nothing is learned when it could not be written). */
  if (rank == 0)
    {
      if (resume_dir != NULL)
        {
          from = as_model_load (resume_dir, &error);
          if (from == NULL)
            status = 1;
          else
            {
              source = files != NULL && files[0] != NULL ? g_strdup (files[0])
                                                         : as_model_find_source (from);
              if (source == NULL)
                {
                  as_cli_error (command, _("%s: the recording it was learned on is not found: give it as FILE"), resume_dir);
                  status = 2;
                }
              p = from->params;
              if (req.iterations > 0)
                p.max_iter = (guint) req.iterations;
              if (out_dir == NULL)
                out_dir = g_strdup (resume_dir);
              /* Continuing a model in its own folder replaces it; elsewhere, as usual. */
              force |= g_strcmp0 (out_dir, resume_dir) == 0;
            }
        }
      else
        source = g_strdup (files[0]);
      if (status == 0 && error == NULL
          && !as_cdl_export_check (out_dir, TRUE, force, &error))
        status = 1;
      if (error != NULL)
        as_cli_error (command, "%s", error->message);
      g_clear_error (&error);
      if (status == 0)
        {
          image = as_file_is_image (source);
          recording = is_recording (source);
          if (recording && from != NULL)
            resumed = TRUE;   /* prepared below, region by region when it can be */
          else if (recording)
            {
              g_autoptr (GError) why = NULL;
              region = region_wise_possible (&read, &req, source, &p, &why);
              if (!region && !quiet)
                fprintf (stderr, _("Process 0 reads and prepares the whole recording: %s\n"),
                         why->message);
              if (!region)
                status = prepare_recording (&read, &req, source, quiet, &p, &pr);
            }
          else if (from == NULL && !params_for_array (&req, image, &p, &atom_size_given))
            status = 2;
        }
    }
  if ((status = bcast_status (status)) != 0)
    goto out;
  /* Every process learns with the same parameters. */
  {
    char *shared = bcast_string (source, rank);
    g_free (source);
    source = shared;
  }
  /* What run.json records is what was done: no atom is replaced or sorted here. */
  p.resample_unused = FALSE;
  p.sort_atoms = FALSE;
  MPI_Bcast (&p, sizeof p, MPI_BYTE, 0, MPI_COMM_WORLD);
  MPI_Bcast (&recording, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast (&region, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast (&resumed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast (&image, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Bcast (&atom_size_given, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (recording && region)
    d = prepare_region (source, &req, &p, rank, quiet, &pr, &error);
  else if (recording && resumed)
    {
      d = resumed_region (source, from, &p, rank, quiet, &pr, &status, &error);
      if (status != 0)
        goto out;
    }
  else if (recording)
    d = as_distributed_new_scattered (MPI_COMM_WORLD, 0,
                                      rank == 0 ? pr.recording->data : NULL,
                                      rank == 0 ? pr.recording->n_channels : 0, 1,
                                      rank == 0 ? (guint) pr.recording->n_samples : 0,
                                      p.n_atoms, 1, p.atom_length, &error);
  else
    {
      /* Images: each plane's mean and local background removed, as "learn" does (a resumed
       * run as its model records). */
      AsPreprocessOptions image_opts;
      double background = isnan (req.background) ? -1 : req.background;
      int detrend = AS_DETREND_CONSTANT;

      if (rank == 0 && from != NULL)
        {
          AsPreprocessOptions o;

          as_model_get_preprocess_options (from, &o);
          background = o.image_background;
          detrend = o.detrend;
        }
      MPI_Bcast (&background, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      MPI_Bcast (&detrend, 1, MPI_INT, 0, MPI_COMM_WORLD);
      as_defaults_image_options (&p, background, &image_opts);
      image_opts.detrend = (AsDetrend) detrend;
      if (image && rank == 0 && pr.preprocessing == NULL)
        pr.preprocessing = as_preprocess_options_to_json (&image_opts, NULL);
      /* Images and arrays of channels × rows × columns get atoms of --atom-size rows. */
      d = open_data (source, p.n_atoms, image || atom_size_given || p.atom_height > 1
                                        ? p.atom_height : 1,
                     p.atom_length, image ? &image_opts : NULL, rank, &error);
    }
  if (d == NULL)
    {
      status = 1;
      goto fail;
    }
  /* An array of channels × rows × columns is an image: atoms of --atom-size rows. */
  p.atom_height = as_distributed_shape (d)->atom_height;
  if (from != NULL || resume_dir != NULL)
    {
      start = as_distributed_share_start (d, 0, rank == 0 ? from->model : NULL, &error);
      if (start == NULL)
        {
          status = 1;
          goto fail;
        }
    }

  if (rank == 0 && !quiet)
    {
      const AsCscShape *s = as_distributed_shape (d);
      if (start != NULL)
        fprintf (stderr, _("Continuing from iteration %u with %d processes…\n"),
                 start->iteration, size);
      else
        fprintf (stderr, _("Learning %u atoms from %u × %u × %u samples with %d processes…\n"),
                 p.n_atoms, s->n_channels, s->height, s->width, size);
    }
  as_cdl_export_info_init (&info);
  info.source = source;
  info.recording = pr.recording;
  info.preprocessing = pr.preprocessing;
  cp.dir = out_dir;
  cp.params = &p;
  cp.info = &info;
  model = as_distributed_learn_full (d, &p, start, rank == 0 && !quiet ? on_progress : NULL,
                                     timer, (guint) checkpoint_every,
                                     rank == 0 ? as_cli_write_checkpoint : NULL, &cp, &stats,
                                     &error);
  ok = error == NULL;
  {
    int all_ok;
    MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!all_ok)
      {
        status = 1;
        goto fail;
      }
  }
  if (rank == 0)
    {
      g_autoptr (JsonObject) extra = NULL;
      if (pr.recording != NULL)
        model->sfreq = pr.recording->sfreq;
      else if (from != NULL)
        model->sfreq = from->model->sfreq;
      /* The preprocessing with the end state, as "learn" records it. */
      if (pr.input != NULL || pr.report != NULL)
        {
          extra = as_learn_report_to_json (pr.input != NULL ? pr.input->report : pr.report,
                                           model);
          if (json_object_has_member (extra, "preprocessing"))
            info.preprocessing = json_object_get_object_member (extra, "preprocessing");
        }
      ok = as_cdl_export_full (model, &p, &info, out_dir, force || cp.written, &error);
      if (ok && !quiet)
        {
          const guint its = model->iteration - (start != NULL ? start->iteration : 0);
          printf (_("%s after %u iterations: objective %.6g; process 0 sent %.0f bytes; model in %s\n"),
                  as_cdl_end_state_describe (model->end_state), model->iteration,
                  as_cdl_model_last_objective (model), (double) stats.bytes_sent, out_dir);
          fprintf (stderr, _("Process 0: %.1f exchange rounds per z-step, %.0f coordinate updates, %.0f held back by soft locks\n"),
                   its > 0 ? (double) stats.rounds / its : 0.0, (double) stats.updates,
                   (double) stats.locked);
        }
      as_cdl_model_unref (model);
      if (!ok)
        status = 1;
    }
  if ((status = bcast_status (status)) != 0)
    goto fail;
  goto out;

fail:
  if (rank == 0 && error != NULL)
    fprintf (stderr, _("atomscope-cli %s: %s\n"), command, error->message);
out:
  g_clear_error (&error);
  as_distributed_free (d);
  prepared_clear (&pr);
  g_free (out_dir);
  g_free (resume_dir);
  as_learn_request_clear (&req);
  MPI_Finalize ();
  return status;
}

/* The data of FILE on every process: an NPY array read region by region, or an image
 * decoded whole and cut.  Fails on every process when one fails. */
static AsDistributed *
open_data (const char *path, guint K, guint h, guint w, const AsPreprocessOptions *image_opts,
           int rank, GError **error)
{
  AsDistributed *d = NULL;
  int ok, all_ok;

  if (!as_file_is_image (path))
    return as_distributed_open_npy (MPI_COMM_WORLD, path, K, h, w, error);
  {
    AsImage *img = as_image_load (path, error);
    if (img != NULL)
      {
        /* Prepared as "learn" prepares an image (each process has it whole). */
        if (image_opts != NULL)
          as_preprocess_image (img->data, img->n_channels, img->height, img->width, image_opts);
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
  Prepared pr = { NULL, NULL, NULL, NULL };
  GError *error = NULL;
  int rank, ok, all_ok;

  g_option_context_set_summary (ctx,
    _("A recording is prepared with the preprocessing and the scale the model records (as \"encode\" does): an EDF or BDF file region by region by each process, other formats by process 0, then cut into regions sent to the processes; an NPY array is read region by region by each process and used as it is (learn --save-data writes the data a model learned from).  The atoms of DIR are looked for in it."));
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
  if (is_recording (files[0]))
    {
      gboolean possible = FALSE;
      d = model_region (files[0], dict, dict->model->shape.n_atoms,
                        dict->model->shape.atom_width, dict->model->sfreq, rank, quiet, &pr,
                        &possible, &error);
      if (!possible)
        {
          if (rank == 0 && !quiet)
            fprintf (stderr, _("Process 0 reads and prepares the whole recording: %s\n"),
                     error->message);
          g_clear_error (&error);
        }
      if (!possible)
        {
          /* A recording not read page by page: process 0 prepares it with the preprocessing
           * and the scale the model records (as "encode" does), then sends each process its
           * region. */
          int status = 0;
          if (rank == 0)
            {
              status = prepare_resumed_recording (dict, files[0], &pr);
              if (status == 0 && dict->model->sfreq > 0 && pr.recording->sfreq > 0
                  && fabs (pr.recording->sfreq - dict->model->sfreq) > 1e-6 * dict->model->sfreq)
                {
                  as_cli_error ("encode --distributed", _("the model’s atoms are sampled at %g Hz but %s gives %g Hz after its preprocessing"),
                                dict->model->sfreq, files[0], pr.recording->sfreq);
                  status = 1;
                }
              if (status == 0)
                {
                  AsPreprocessOptions opts;
                  as_model_get_preprocess_options (dict, &opts);
                  g_clear_pointer (&pr.preprocessing, json_object_unref);
                  pr.preprocessing = as_preprocess_options_to_json (&opts, NULL);
                }
            }
          if (bcast_status (status) != 0)
            {
              prepared_clear (&pr);
              as_model_unref (dict);
              MPI_Finalize ();
              return 1;
            }
          d = as_distributed_new_scattered (MPI_COMM_WORLD, 0,
                                            rank == 0 ? pr.recording->data : NULL,
                                            rank == 0 ? pr.recording->n_channels : 0, 1,
                                            rank == 0 ? (guint) pr.recording->n_samples : 0,
                                            dict->model->shape.n_atoms, 1,
                                            dict->model->shape.atom_width, &error);
        }
    }
  else
    {
      /* An image as the model records its preparation. */
      AsPreprocessOptions image_opts;

      as_model_get_preprocess_options (dict, &image_opts);
      d = open_data (files[0], dict->model->shape.n_atoms, dict->model->shape.atom_height,
                     dict->model->shape.atom_width, &image_opts, rank, &error);
    }
  if (d == NULL)
    {
      prepared_clear (&pr);
      as_model_unref (dict);
      return fail_all ("encode --distributed", rank, error);
    }
  model = as_distributed_encode (d, dict->model, &p, &stats, &error);
  ok = error == NULL;
  as_distributed_free (d);
  MPI_Allreduce (&ok, &all_ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (!all_ok)
    {
      prepared_clear (&pr);
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
      info.recording = pr.recording;
      if (pr.preprocessing != NULL)
        info.preprocessing = pr.preprocessing;
      if (pr.recording != NULL)
        model->sfreq = pr.recording->sfreq;
      ok = as_cdl_export_full (model, &p, &info, out_dir, force, &error);
      if (ok && !quiet)
        printf (_("%s after %u iterations: objective %.6g; process 0 sent %.0f bytes; model in %s\n"),
                as_cdl_model_end_state (model), model->iteration,
                as_cdl_model_last_objective (model), (double) stats.bytes_sent, out_dir);
      as_cdl_model_unref (model);
    }
  prepared_clear (&pr);
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
