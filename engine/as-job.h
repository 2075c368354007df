/* as-job.h: one piece of engine work on its own worker thread.
 *
 * The worker owns its state and publishes immutable, refcounted snapshots
 * (swap under a short mutex, bump a generation counter).  Readers take the
 * newest snapshot whenever they like and never wait on the worker.  Stop and
 * pause are flags the worker checks at every iteration with as_job_check().
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _AsJob AsJob;

/* Takes a new reference to a snapshot and returns it. */
typedef gpointer (*AsJobRefFunc) (gpointer snapshot);

typedef enum
{
  AS_JOB_IDLE,
  AS_JOB_RUNNING,
  AS_JOB_PAUSED,
  AS_JOB_FINISHED, /* the work ran to its end */
  AS_JOB_STOPPED,  /* stopped on request: the last snapshot is consistent */
  AS_JOB_FAILED,   /* the work returned an error: see as_job_get_error() */
} AsJobState;

/* The work.  Return FALSE with @error set on failure.  A work that sees
 * as_job_check() return FALSE publishes a consistent snapshot and returns TRUE. */
typedef gboolean (*AsJobFunc) (AsJob *job, gpointer user_data, GError **error);

AsJob      *as_job_new              (const char     *name,
                                     AsJobFunc       func,
                                     gpointer        user_data,
                                     GDestroyNotify  user_data_free,
                                     AsJobRefFunc    snapshot_ref,
                                     GDestroyNotify  snapshot_unref);
AsJob      *as_job_ref              (AsJob *job);
void        as_job_unref            (AsJob *job);

/* Controller side (any thread). */
void        as_job_start            (AsJob *job);
gboolean    as_job_run_sync         (AsJob *job, GError **error);
void        as_job_pause            (AsJob *job);
void        as_job_resume           (AsJob *job);
void        as_job_stop             (AsJob *job);
gboolean    as_job_wait             (AsJob *job, GError **error);
AsJobState  as_job_get_state        (AsJob *job);
gboolean    as_job_is_done          (AsJob *job);
const GError *as_job_get_error      (AsJob *job);
guint64     as_job_get_generation   (AsJob *job);
gpointer    as_job_dup_snapshot     (AsJob *job, guint64 *generation);
void        as_job_release_snapshot (AsJob *job, gpointer snapshot);
double      as_job_get_progress     (AsJob *job, char **message);
double      as_job_get_elapsed      (AsJob *job);

/* Worker side. */
gboolean    as_job_check            (AsJob *job);
gboolean    as_job_stop_requested   (AsJob *job);
/* Non-zero once a stop was asked (read with g_atomic_int_get): for inner loops that
 * cannot take the job's lock at every step, e.g. as_csc_lgcd_until(). */
const gint *as_job_get_stop_flag    (AsJob *job);
void        as_job_publish          (AsJob *job, gpointer snapshot);
void        as_job_set_progress     (AsJob *job, double fraction, const char *message);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsJob, as_job_unref)

G_END_DECLS
