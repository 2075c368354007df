/* as-cdl-encode.c: sparse coding with a fixed dictionary.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-cdl-dstep.h"
#include "as-cdl-encode.h"
#include "as-csc.h"
#include "as-engine.h"

AsCdlModel *
as_cdl_encode (const double *x, guint n_trials, guint n_channels, guint height, guint width,
               const AsCdlModel *dict, const AsCdlParams *params, AsJob *job, GError **error)
{
  const AsCscShape *ds = &dict->shape;
  AsCscShape s = { ds->n_atoms, n_channels, height, width, ds->atom_height, ds->atom_width };
  g_autoptr (GTimer) timer = g_timer_new ();
  const gint *stop = job != NULL ? as_job_get_stop_flag (job) : NULL;
  AsCdlModel *m;
  gsize nv, ssz, zsz;
  double *dtd, *dtx, x2 = 0.0, z_tol;
  gboolean converged = TRUE, stopped = FALSE;

  g_return_val_if_fail (x != NULL && dict != NULL && params != NULL, NULL);
  if (n_channels != ds->n_channels)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The atoms span %u channels but the recording has %u after preprocessing"),
                   ds->n_channels, n_channels);
      return NULL;
    }
  if (!as_csc_shape_check (&s, error))
    return NULL;
  if (n_trials == 0 || !(params->lambda >= 0.0) || !isfinite (params->lambda))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Sparse coding needs at least one trial and a finite λ ≥ 0"));
      return NULL;
    }
  nv = as_csc_n_valid (&s);
  ssz = as_csc_signal_size (&s);
  zsz = (gsize) s.n_atoms * nv;
  for (gsize i = 0; i < (gsize) n_trials * ssz; i++)
    {
      if (!isfinite (x[i]))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("The recording holds a value that is not a finite number (sample %zu)"), i);
          return NULL;
        }
      x2 += x[i] * x[i];
    }

  m = as_cdl_model_new (&s, n_trials, dict->rank1, dict->positive);
  memcpy (m->atoms, dict->atoms, sizeof (double) * s.n_atoms * as_csc_atom_size (&s));
  if (dict->rank1)
    {
      memcpy (m->u, dict->u, sizeof (double) * s.n_atoms * s.n_channels);
      memcpy (m->v, dict->v, sizeof (double) * s.n_atoms * s.atom_height * s.atom_width);
    }
  m->encoded = TRUE;
  m->sfreq = dict->sfreq;
  /* The same λ_max and z-step tolerance as learning (docs/lambda.md): of the data, not of the
   * atoms, so that a fraction of λ_max means the same λ when learning and encoding. */
  m->lambda_max = as_cdl_data_lambda_max (x, n_trials, n_channels, s.height, s.width,
                                          s.atom_height, s.atom_width, dict->rank1);
  m->lambda = params->lambda_absolute ? params->lambda : params->lambda * m->lambda_max;
  z_tol = params->z_tol * sqrt (x2 / ((double) n_trials * ssz));
  {
    AsCdlTracePoint start = { 0, 1, 0.0, 0.5 * x2 };   /* z = 0 */
    g_array_append_val (m->trace, start);
  }

  dtd = g_new (double, (gsize) s.n_atoms * s.n_atoms * as_csc_lag_size (&s));
  dtx = g_new (double, zsz);
  if (m->rank1)
    as_cdl_atom_correlations_rank1 (&s, m->u, m->v, dtd);
  else
    as_csc_atom_correlations (&s, m->atoms, dtd);
  for (guint n = 0; n < n_trials && !stopped; n++)
    {
      AsCscLgcdStats st;

      if (m->rank1)
        as_csc_correlate (&s, NULL, m->u, m->v, x + n * ssz, dtx);
      else
        as_csc_correlate (&s, m->atoms, NULL, NULL, x + n * ssz, dtx);
      st = as_csc_lgcd_until (&s, dtd, dtx, m->lambda, m->positive, z_tol,
                              (guint64) 100 * s.n_atoms * nv + 100000, stop,
                              m->activations + n * zsz);
      converged &= st.converged;
      stopped |= st.stopped;
      if (job != NULL)
        as_job_set_progress (job, (double) (n + 1) / n_trials, NULL);
    }
  g_free (dtd);
  g_free (dtx);

  {
    AsCdlTracePoint done = { 1, 0, g_timer_elapsed (timer, NULL),
                             as_csc_objective (&s, m->atoms, x, m->activations, n_trials, m->lambda) };
    g_array_append_val (m->trace, done);
  }
  m->iteration = 1;
  m->converged = converged && !stopped;
  m->stopped = stopped;
  return m;
}

typedef struct
{
  AsRecording *recording;
  AsCdlModel  *dictionary;
  AsCdlParams  params;
} EncodeJobData;

static void
encode_job_data_free (gpointer data)
{
  EncodeJobData *d = data;

  as_recording_unref (d->recording);
  as_cdl_model_unref (d->dictionary);
  g_free (d);
}

static gboolean
encode_job_run (AsJob *job, gpointer user_data, GError **error)
{
  EncodeJobData *d = user_data;
  AsCdlModel *m = as_cdl_encode (d->recording->data, 1, d->recording->n_channels, 1,
                                 (guint) d->recording->n_samples, d->dictionary, &d->params,
                                 job, error);

  if (m == NULL)
    return FALSE;
  m->sfreq = d->recording->sfreq;
  as_job_set_progress (job, 1.0, NULL);
  as_job_publish (job, m);
  return TRUE;
}

AsJob *
as_cdl_encode_job_new_for_recording (AsRecording *recording, const AsCdlModel *dictionary,
                                     const AsCdlParams *params)
{
  EncodeJobData *d = g_new0 (EncodeJobData, 1);

  d->recording = as_recording_ref (recording);
  d->dictionary = as_cdl_model_ref ((AsCdlModel *) dictionary);
  d->params = *params;
  return as_job_new ("encode", encode_job_run, d, encode_job_data_free,
                     (AsJobRefFunc) as_cdl_model_ref, (GDestroyNotify) as_cdl_model_unref);
}
