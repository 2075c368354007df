/* cli-job.c: a job in the terminal, interruptible without losing the work.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-cdl-progress.h"
#include "as-engine.h"
#include "as-params.h"
#include "cli-job.h"

static volatile sig_atomic_t received = 0;
static struct sigaction old_int, old_term;
static gboolean installed = FALSE;

/* Async-signal-safe: the first signal is remembered for the polling loop; a second
 * one restores the default action and raises it again, ending the process. */
static void
on_signal (int signo)
{
  if (received != 0)
    {
      signal (signo, SIG_DFL);
      raise (signo);
      return;
    }
  received = signo;
}

void
as_cli_job_begin_signals (void)
{
  struct sigaction sa;

  if (installed)
    return;
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGINT, &sa, &old_int);
  sigaction (SIGTERM, &sa, &old_term);
  received = 0;
  installed = TRUE;
}

void
as_cli_job_end_signals (void)
{
  if (!installed)
    return;
  sigaction (SIGINT, &old_int, NULL);
  sigaction (SIGTERM, &old_term, NULL);
  installed = FALSE;
}

int
as_cli_signal_status (int signal_number)
{
  return 128 + signal_number;
}

AsCdlModel *
as_cli_run_cdl_job (AsJob *job, gboolean quiet, int *signal_number, GError **error)
{
  return as_cli_run_cdl_job_full (job, quiet, NULL, 0.0, NULL, NULL, signal_number, error);
}

AsCdlModel *
as_cli_run_cdl_job_full (AsJob *job, gboolean quiet, const AsCdlParams *params, double interval,
                         AsCliCheckpointFunc checkpoint, gpointer user_data,
                         int *signal_number, GError **error)
{
  guint64 seen = 0, saved = 0;
  gboolean asked = FALSE;
  gint64 last_saved = g_get_monotonic_time ();
  g_autoptr (AsCdlModel) before_stop = NULL;

  as_cli_job_begin_signals ();
  if (received != 0)
    {
      if (signal_number != NULL)
        *signal_number = received;
      g_set_error_literal (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED,
                           _("interrupted before learning started: nothing was written"));
      return NULL;
    }
  as_job_start (job);
  while (!as_job_is_done (job))
    {
      guint64 gen = as_job_get_generation (job);

      if (received != 0 && !asked)
        {
          /* The newest model ends an iteration: the safe point to keep (the iteration
           * under way is left unfinished), and one that resumes exactly. */
          before_stop = as_job_dup_snapshot (job, NULL);
          as_job_stop (job);
          asked = TRUE;
          if (!quiet)
            fprintf (stderr, "%s\n", _("Stopping at the next safe point; the model so far will be written (interrupt again to quit at once)"));
        }
      if (gen != seen && !quiet)
        {
          g_autoptr (AsCdlModel) m = as_job_dup_snapshot (job, NULL);
          AsCdlProgress pr;
          g_autofree char *left = NULL;
          /* The estimate the window shows too (as-cdl-progress.h). */
          if (m != NULL && params != NULL && as_cdl_model_progress (m, params, &pr))
            left = as_cdl_progress_describe (&pr);
          if (m != NULL && m->trace->len > 0 && left != NULL)
            fprintf (stderr, _("iteration %u: objective %.8g (%.1f s, %s)\n"), m->iteration,
                     as_cdl_model_last_objective (m),
                     g_array_index (m->trace, AsCdlTracePoint, m->trace->len - 1).time, left);
          else if (m != NULL && m->trace->len > 0)
            fprintf (stderr, _("iteration %u: objective %.8g (%.1f s)\n"), m->iteration,
                     as_cdl_model_last_objective (m),
                     g_array_index (m->trace, AsCdlTracePoint, m->trace->len - 1).time);
          seen = gen;
        }
      if (checkpoint != NULL && interval > 0 && gen != saved && !asked
          && g_get_monotonic_time () - last_saved >= interval * G_USEC_PER_SEC)
        {
          g_autoptr (AsCdlModel) m = as_job_dup_snapshot (job, NULL);
          if (m != NULL)
            checkpoint (m, user_data);
          saved = gen;
          last_saved = g_get_monotonic_time ();
        }
      g_usleep (20000);
    }
  if (signal_number != NULL)
    *signal_number = received;
  if (!as_job_wait (job, error))
    return NULL;
  if (before_stop != NULL && as_job_get_state (job) == AS_JOB_STOPPED)
    {
      AsCdlModel *m = as_cdl_model_copy (before_stop);
      m->stopped = TRUE;
      m->converged = FALSE;
      return m;
    }
  return as_job_dup_snapshot (job, NULL);
}

void
as_cli_print_occurrences (const AsCdlModel *model)
{
  const double duration = model->sfreq > 0 && model->shape.height == 1
                          ? model->n_trials * (double) model->shape.width / model->sfreq : 0.0;

  for (guint k = 0; k < model->shape.n_atoms; k++)
    {
      const double top = as_cdl_model_max_activation (model, k);
      g_autoptr (GArray) occ = as_cdl_model_occurrences_merged (model, k, AS_CDL_OCCURRENCE_THRESHOLD * top,
                                                                as_cdl_model_merge_spacing (model));
      const guint n = top > 0 ? occ->len : 0;

      if (duration > 0)
        printf (_("atom %u: %u occurrences, %.4g per second\n"), k + 1, n, n / duration);
      else
        printf (_("atom %u: %u occurrences\n"), k + 1, n);
    }
}

static gboolean
on_learn_option (const char *name, const char *value, gpointer request, GError **error)
{
  return as_learn_request_set (request, name, value, error);
}

/* Options only "learn" in one process takes. */
static const char *const single_process_only[] = { "online", "batch", "tukey", "threads" };

void
as_cli_add_learn_options (GOptionGroup *group, gboolean distributed)
{
  const GOptionArgFunc cb = (GOptionArgFunc) on_learn_option;
  const GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Kind of recording whose defaults to use: eeg, meg, eye, ecg, sound, image, generic (default: from the channels)"), N_("KIND") },
    { "atoms", 'k', 0, G_OPTION_ARG_CALLBACK, cb, N_("Number of atoms (default: by kind of recording, e.g. 5 for EEG)"), N_("K") },
    { "atom-length", 'l', 0, G_OPTION_ARG_CALLBACK, cb, N_("Atom duration in seconds (default: by kind, e.g. 0.5 for EEG)"), N_("SECONDS") },
    { "atom-samples", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Atom length in samples (instead of --atom-length)"), N_("N") },
    { "atom-size", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Images: atom side in pixels (default 10)"), N_("PIXELS") },
    { "background", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Images: width σ of the local background removed, in pixels (default: the atom side; 0: only each colour plane's mean)"), N_("PIXELS") },
    { "lambda", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Sparsity as a fraction of λ_max (default 0.1)"), N_("FRACTION") },
    { "lambda-absolute", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Sparsity λ in data units (instead of --lambda)"), N_("LAMBDA") },
    { "rank1", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, cb, N_("Rank-1 atoms: topography × waveform (default for signals)"), NULL },
    { "full", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, cb, N_("Full-rank atoms (default for images)"), NULL },
    { "signed", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, cb, N_("Allow negative activations"), NULL },
    { "init", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Initial atoms: greedy (default), chunk or random"), N_("KIND") },
    { "iterations", 'n', 0, G_OPTION_ARG_CALLBACK, cb, N_("Maximum outer iterations (default: by kind of recording)"), N_("N") },
    { "tol", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Stop when an iteration decreases the objective by less than this fraction (default 1e-4)"), N_("TOL") },
    { "online", 0, G_OPTION_FLAG_NO_ARG, G_OPTION_ARG_CALLBACK, cb, N_("Online learning on minibatches of windows (long recordings)"), NULL },
    { "batch", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Online: windows per minibatch (default 16)"), N_("N") },
    { "tukey", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Taper atoms with a Tukey window of this shape (0–1, default none)"), N_("ALPHA") },
    { "highpass", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("High-pass cut-off in Hz, 0 for none (default: by kind, e.g. 1 Hz for EEG)"), N_("HZ") },
    { "lowpass", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Low-pass cut-off in Hz, 0 for none (default none)"), N_("HZ") },
    { "notch", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Notch at the mains frequency and its harmonics, in Hz (50 or 60; default none)"), N_("HZ") },
    { "reference", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("EEG reference: average (default for EEG), none (as recorded) or a channel name"), N_("REF") },
    { "channels", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Channels to learn from: a type (eeg, meg, eog, ecg, emg, gaze, pupil, audio, other, all) or names separated by commas"), N_("WHICH") },
    { "start", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Learn from this time on, in seconds"), N_("SECONDS") },
    { "end", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Learn up to this time, in seconds"), N_("SECONDS") },
    { "resample", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Resample to this rate (Hz) before learning"), N_("HZ") },
    { "threads", 0, 0, G_OPTION_ARG_CALLBACK, cb, N_("Number of BLAS threads (default: OPENBLAS_NUM_THREADS, else every core)"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_CALLBACK, cb, N_("Random seed (default 0)"), N_("SEED") },
  };
  g_autoptr (GArray) kept = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));

  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      gboolean leave = FALSE;
      for (gsize j = 0; distributed && j < G_N_ELEMENTS (single_process_only); j++)
        leave = leave || strcmp (entries[i].long_name, single_process_only[j]) == 0;
      if (!leave)
        g_array_append_val (kept, entries[i]);
      if (distributed && strcmp (entries[i].long_name, "iterations") == 0)
        g_array_index (kept, GOptionEntry, kept->len - 1).description
          = N_("Maximum outer iterations (default: by kind of recording; 20 for arrays)");
    }
  g_option_group_add_entries (group, (const GOptionEntry *) (void *) kept->data);
}
