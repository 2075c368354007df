/* as-job.c: worker thread, pause/stop flags and snapshot publication.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-job"

#include "config.h"

#include "as-engine.h"
#include "as-job.h"

struct _AsJob
{
  gatomicrefcount ref_count;
  char           *name;
  AsJobFunc       func;
  gpointer        user_data;
  GDestroyNotify  user_data_free;
  AsJobRefFunc    snapshot_ref;
  GDestroyNotify  snapshot_unref;

  GThread        *thread;
  GMutex          lock;      /* guards everything below */
  GCond           cond;
  AsJobState      state;
  gboolean        stop_requested;
  gboolean        pause_requested;
  gpointer        snapshot;
  guint64         generation;
  double          progress;
  char           *message;
  GError         *error;
  GTimer         *timer;
  gint            stop_flag; /* atomic copy of stop_requested, for inner loops */
};

AsJob *
as_job_new (const char     *name,
            AsJobFunc       func,
            gpointer        user_data,
            GDestroyNotify  user_data_free,
            AsJobRefFunc    snapshot_ref,
            GDestroyNotify  snapshot_unref)
{
  AsJob *job;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (snapshot_ref != NULL && snapshot_unref != NULL, NULL);

  job = g_new0 (AsJob, 1);
  g_atomic_ref_count_init (&job->ref_count);
  job->name = g_strdup (name ? name : "job");
  job->func = func;
  job->user_data = user_data;
  job->user_data_free = user_data_free;
  job->snapshot_ref = snapshot_ref;
  job->snapshot_unref = snapshot_unref;
  job->state = AS_JOB_IDLE;
  job->timer = g_timer_new ();
  g_timer_stop (job->timer);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  return job;
}

AsJob *
as_job_ref (AsJob *job)
{
  g_return_val_if_fail (job != NULL, NULL);
  g_atomic_ref_count_inc (&job->ref_count);
  return job;
}

void
as_job_unref (AsJob *job)
{
  if (job == NULL || !g_atomic_ref_count_dec (&job->ref_count))
    return;
  /* The worker holds a reference while it runs, so no thread is left here. */
  if (job->thread != NULL)
    g_thread_unref (job->thread);
  if (job->snapshot != NULL)
    job->snapshot_unref (job->snapshot);
  if (job->user_data_free != NULL)
    job->user_data_free (job->user_data);
  g_clear_error (&job->error);
  g_free (job->message);
  g_free (job->name);
  g_timer_destroy (job->timer);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

static void
job_run (AsJob *job)
{
  GError *error = NULL;
  gboolean ok = job->func (job, job->user_data, &error);

  g_mutex_lock (&job->lock);
  g_timer_stop (job->timer);
  if (!ok)
    {
      if (error == NULL)
        g_set_error (&error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC, "%s failed", job->name);
      job->error = error;
      job->state = AS_JOB_FAILED;
    }
  else
    job->state = job->stop_requested ? AS_JOB_STOPPED : AS_JOB_FINISHED;
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

static gpointer
job_thread (gpointer data)
{
  AsJob *job = data;

  as_engine_lower_thread_priority ();
  job_run (job);
  as_job_unref (job);
  return NULL;
}

static gboolean
job_begin (AsJob *job)
{
  gboolean ok;

  g_mutex_lock (&job->lock);
  ok = job->state == AS_JOB_IDLE;
  if (ok)
    {
      job->state = AS_JOB_RUNNING;
      g_timer_start (job->timer);
    }
  g_mutex_unlock (&job->lock);
  return ok;
}

void
as_job_start (AsJob *job)
{
  g_return_if_fail (job != NULL);
  if (!job_begin (job))
    {
      g_critical ("Job %s was already started", job->name);
      return;
    }
  job->thread = g_thread_new (job->name, job_thread, as_job_ref (job));
}

gboolean
as_job_run_sync (AsJob *job, GError **error)
{
  g_return_val_if_fail (job != NULL, FALSE);
  if (!job_begin (job))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   "Job %s was already started", job->name);
      return FALSE;
    }
  job_run (job);
  return as_job_wait (job, error);
}

void
as_job_pause (AsJob *job)
{
  g_mutex_lock (&job->lock);
  job->pause_requested = TRUE;
  if (job->state == AS_JOB_RUNNING)
    {
      job->state = AS_JOB_PAUSED;
      g_timer_stop (job->timer);
    }
  g_mutex_unlock (&job->lock);
}

void
as_job_resume (AsJob *job)
{
  g_mutex_lock (&job->lock);
  job->pause_requested = FALSE;
  if (job->state == AS_JOB_PAUSED)
    {
      job->state = AS_JOB_RUNNING;
      g_timer_continue (job->timer);
    }
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

void
as_job_stop (AsJob *job)
{
  g_mutex_lock (&job->lock);
  job->stop_requested = TRUE;
  g_atomic_int_set (&job->stop_flag, 1);
  job->pause_requested = FALSE;
  if (job->state == AS_JOB_PAUSED)
    job->state = AS_JOB_RUNNING;
  g_cond_broadcast (&job->cond);
  g_mutex_unlock (&job->lock);
}

gboolean
as_job_wait (AsJob *job, GError **error)
{
  gboolean ok;

  g_mutex_lock (&job->lock);
  while (job->state == AS_JOB_RUNNING || job->state == AS_JOB_PAUSED)
    g_cond_wait (&job->cond, &job->lock);
  ok = job->state != AS_JOB_FAILED;
  if (!ok && job->error != NULL && error != NULL)
    *error = g_error_copy (job->error);
  g_mutex_unlock (&job->lock);
  return ok;
}

AsJobState
as_job_get_state (AsJob *job)
{
  AsJobState state;

  g_mutex_lock (&job->lock);
  state = job->state;
  g_mutex_unlock (&job->lock);
  return state;
}

gboolean
as_job_is_done (AsJob *job)
{
  AsJobState state = as_job_get_state (job);

  return state == AS_JOB_FINISHED || state == AS_JOB_STOPPED || state == AS_JOB_FAILED;
}

const GError *
as_job_get_error (AsJob *job)
{
  const GError *error;

  g_mutex_lock (&job->lock);
  error = job->error;
  g_mutex_unlock (&job->lock);
  return error;
}

guint64
as_job_get_generation (AsJob *job)
{
  guint64 generation;

  g_mutex_lock (&job->lock);
  generation = job->generation;
  g_mutex_unlock (&job->lock);
  return generation;
}

gpointer
as_job_dup_snapshot (AsJob *job, guint64 *generation)
{
  gpointer snapshot = NULL;

  g_mutex_lock (&job->lock);
  if (job->snapshot != NULL)
    snapshot = job->snapshot_ref (job->snapshot);
  if (generation != NULL)
    *generation = job->generation;
  g_mutex_unlock (&job->lock);
  return snapshot;
}

void
as_job_release_snapshot (AsJob *job, gpointer snapshot)
{
  if (snapshot != NULL)
    job->snapshot_unref (snapshot);
}

double
as_job_get_progress (AsJob *job, char **message)
{
  double progress;

  g_mutex_lock (&job->lock);
  progress = job->progress;
  if (message != NULL)
    *message = g_strdup (job->message);
  g_mutex_unlock (&job->lock);
  return progress;
}

double
as_job_get_elapsed (AsJob *job)
{
  double elapsed;

  g_mutex_lock (&job->lock);
  elapsed = g_timer_elapsed (job->timer, NULL);
  g_mutex_unlock (&job->lock);
  return elapsed;
}

/* Worker side: returns FALSE when the work must stop; blocks while paused. */
gboolean
as_job_check (AsJob *job)
{
  gboolean go_on;

  g_mutex_lock (&job->lock);
  while (job->pause_requested && !job->stop_requested)
    g_cond_wait (&job->cond, &job->lock);
  go_on = !job->stop_requested;
  g_mutex_unlock (&job->lock);
  return go_on;
}

const gint *
as_job_get_stop_flag (AsJob *job)
{
  return &job->stop_flag;
}

gboolean
as_job_stop_requested (AsJob *job)
{
  gboolean stop;

  g_mutex_lock (&job->lock);
  stop = job->stop_requested;
  g_mutex_unlock (&job->lock);
  return stop;
}

/* Takes ownership of one reference to @snapshot. */
void
as_job_publish (AsJob *job, gpointer snapshot)
{
  gpointer old;

  g_mutex_lock (&job->lock);
  old = job->snapshot;
  job->snapshot = snapshot;
  job->generation++;
  g_mutex_unlock (&job->lock);
  if (old != NULL)
    job->snapshot_unref (old);
}

void
as_job_set_progress (AsJob *job, double fraction, const char *message)
{
  g_mutex_lock (&job->lock);
  job->progress = CLAMP (fraction, 0.0, 1.0);
  if (message != NULL)
    {
      g_free (job->message);
      job->message = g_strdup (message);
    }
  g_mutex_unlock (&job->lock);
}
