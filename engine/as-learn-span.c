/* as-learn-span.c: a recording's span read and prepared region by region.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-learn-span"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-learn-span.h"
#include "as-paged.h"

static const char *
name_of (const AsRecording *rec)
{
  return rec->path != NULL ? rec->path : _("the recording");
}


gboolean
as_learn_span_supported (const AsRecording *header, const AsPreprocessOptions *opts,
                         GError **error)
{
  gsize margin;

  if (header->paged == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s is not read page by page (only EDF and BDF files are)"), name_of (header));
      return FALSE;
    }
  if (!as_preprocess_span_margin (opts, header->sfreq, &margin, error))
    return FALSE;
  /* as_learn_prepare() turns these into events from their values over the whole file. */
  for (guint c = 0; c < header->n_channels; c++)
    {
      const AsChannel *ch = &header->channels[c];
      const gboolean named = opts->channels != NULL && as_learn_channel_wanted (ch, opts);
      if (!named && (ch->type == AS_CHANNEL_OTHER || as_learn_channel_is_event (ch, NULL, 0)))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                       _("channel %s may carry events, which are read from the whole file"),
                       ch->label);
          return FALSE;
        }
    }
  return TRUE;
}

gsize
as_learn_span_total (const AsRecording *header, const AsPreprocessOptions *opts, gsize *first)
{
  const double fs = header->sfreq;
  gsize t0 = 0, t1 = header->n_samples;

  /* As as_preprocess() crops. */
  if (opts->crop_start != 0 || opts->crop_stop > 0)
    {
      double stop = opts->crop_stop > 0 ? opts->crop_stop : as_recording_duration (header);
      t0 = (gsize) llround (opts->crop_start * fs);
      t1 = MIN ((gsize) llround (stop * fs), header->n_samples);
      t0 = MIN (t0, t1);
    }
  if (first != NULL)
    *first = t0;
  return t1 - t0;
}

static double
reduced (AsReduceFunc reduce, gpointer data, double v, AsReduceOp op)
{
  if (reduce != NULL)
    reduce (&v, 1, op, data);
  return v;
}

/* Samples [from, from + n) of every channel of the file into *raw, unless @local_error
 * (taken) already says why not; one process that could not read fails them all, each
 * with its own reason. */
static gboolean
read_collectively (const AsRecording *header, gsize from, gsize n, GError *local_error,
                   double **raw, AsReduceFunc reduce, gpointer reduce_data, GError **error)
{
  const guint P = header->n_channels;

  if (local_error == NULL)
    {
      *raw = g_try_malloc_n (MAX ((gsize) P * n, 1), sizeof (double));
      if (*raw == NULL)
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                     _("%s: not enough memory for %zu samples of %u channels"), name_of (header),
                     n, P);
      else
        as_paged_read_double (header->paged, from, n, *raw, &local_error);
    }
  if (reduced (reduce, reduce_data, local_error != NULL, AS_REDUCE_MAX) > 0)
    {
      if (local_error == NULL)
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                     _("%s: another process could not read its part"), name_of (header));
      g_propagate_error (error, local_error);
      g_clear_pointer (raw, g_free);
      return FALSE;
    }
  return TRUE;
}

/* What a process reads: samples [*a, *b) of the time range learned from (starting at
 * @first in the file, @total long), its own samples and the data it holds with @margin
 * samples on each side, clipped to the range. */
static gboolean
read_with_margin (const AsRecording *header, gsize first, gsize total, gsize margin,
                  gsize own_start, gsize own_end, gsize data_start, gsize data_end,
                  GError *local_error, double **raw, gsize *a, gsize *b, AsReduceFunc reduce,
                  gpointer reduce_data, GError **error)
{
  *a = MIN (own_start, data_start);
  *a = *a > margin ? *a - margin : 0;
  *b = MIN (total, MAX (own_end, data_end) + margin);
  return read_collectively (header, first + *a, *b - *a, local_error, raw, reduce, reduce_data,
                            error);
}

/* @sel cut to its samples [data_start, data_end), its first sample being @a: in place (a
 * process holds its span once). */
static AsRecording *
cut_span (AsRecording *sel, gsize a, gsize data_start, gsize data_end)
{
  const gsize n = sel->n_samples, m = data_end - data_start;

  /* Channel k moves to k·m from k·n + offset, never ahead of where it was. */
  for (guint k = 0; k < sel->n_channels; k++)
    memmove (sel->data + (gsize) k * m, sel->data + (gsize) k * n + (data_start - a),
             m * sizeof (double));
  sel->data = g_realloc (sel->data, MAX ((gsize) sel->n_channels * m, 1) * sizeof (double));
  sel->n_samples = m;
  return as_recording_ref (sel);
}

/* The channels @keep (@nk of them, in increasing order) of @raw (P × n, taken: its
 * memory becomes the recording's) as a recording. */
static AsRecording *
select_channels (const AsRecording *header, double *raw, gsize n, const guint *keep, guint nk)
{
  AsRecording *sel = as_recording_new (nk, 0, header->sfreq);

  for (guint k = 0; k < nk; k++)
    {
      const AsChannel *src = &header->channels[keep[k]];
      if (keep[k] != k)
        memmove (raw + (gsize) k * n, raw + (gsize) keep[k] * n, n * sizeof (double));
      as_recording_set_channel (sel, k, src->label, src->unit, src->type);
      sel->channels[k].has_position = src->has_position;
      memcpy (sel->channels[k].position, src->position, sizeof src->position);
    }
  g_free (sel->data);
  sel->data = g_realloc (raw, MAX ((gsize) nk * n, 1) * sizeof (double));
  sel->n_samples = n;
  g_free (sel->format);
  sel->format = g_strdup (header->format);
  sel->path = g_strdup (header->path);
  sel->kind = header->kind;
  return sel;
}

AsRecording *
as_learn_prepare_span (const AsRecording *header, const AsPreprocessOptions *opts,
                       gsize own_start, gsize own_end, gsize data_start, gsize data_end,
                       AsReduceFunc reduce, gpointer reduce_data, AsLearnReport **report_out,
                       gsize *samples_read, GError **error)
{
  const guint P = header->n_channels;
  g_autoptr (AsLearnReport) r = g_new0 (AsLearnReport, 1);
  g_autoptr (AsRecording) sel = NULL;
  g_autoptr (AsScaling) scaling = NULL;
  g_autofree double *raw = NULL, *cnt = NULL, *lo = NULL, *hi = NULL, *ends = NULL;
  g_autofree guint *keep = g_new (guint, MAX (P, 1u));
  GError *local_error = NULL;
  gsize first, total, margin = 0, a, b, n, own_n = own_end - own_start;
  guint nk = 0, n_wanted = 0;
  AsPreprocessOptions o = *opts;
  double bad = 0, energy = 0;

  g_return_val_if_fail (header->paged != NULL, NULL);
  total = as_learn_span_total (header, opts, &first);
  g_return_val_if_fail (own_start <= own_end && own_end <= total && data_start <= data_end
                        && data_end <= total, NULL);
  r->excluded = g_ptr_array_new_with_free_func (g_free);
  r->stimulus = g_ptr_array_new_with_free_func (g_free);
  r->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < header->warnings->len; i++)
    g_ptr_array_add (r->warnings, g_strdup (g_ptr_array_index (header->warnings, i)));

  /* What this process reads: its data and own samples, the filters' margin on each side
   * (one sample at least: a repeat of the previous sample is counted across a boundary). */
  if (as_learn_span_supported (header, opts, &local_error))
    as_preprocess_span_margin (opts, header->sfreq, &margin, NULL);
  if (!read_with_margin (header, first, total, MAX (margin, 1), own_start, own_end, data_start,
                         data_end, local_error, &raw, &a, &b, reduce, reduce_data, error))
    return NULL;
  n = b - a;
  if (samples_read != NULL)
    *samples_read = n;

  /* Channels: those wanted, less those marked bad and those with no usable signal over the
   * time range learned from (range, repeats and ends summed over the processes). */
  cnt = g_new0 (double, 2 * (gsize) MAX (P, 1u));   /* finite samples, repeats */
  ends = g_new0 (double, 2 * (gsize) MAX (P, 1u));  /* samples at the minimum, the maximum */
  lo = g_new (double, MAX (P, 1u));
  hi = g_new (double, MAX (P, 1u));
  for (guint c = 0; c < P; c++)
    {
      const double *x = raw + (gsize) c * n + (own_start - a);
      lo[c] = HUGE_VAL;
      hi[c] = -HUGE_VAL;
      for (gsize t = 0; t < own_n; t++)
        if (isfinite (x[t]))
          {
            cnt[2 * c]++;
            lo[c] = MIN (lo[c], x[t]);
            hi[c] = MAX (hi[c], x[t]);
            if (own_start + t > 0 && x[t] == x[(gssize) t - 1])
              cnt[2 * c + 1]++;
          }
    }
  if (reduce != NULL)
    {
      reduce (cnt, 2 * P, AS_REDUCE_SUM, reduce_data);
      reduce (lo, P, AS_REDUCE_MIN, reduce_data);
      reduce (hi, P, AS_REDUCE_MAX, reduce_data);
    }
  for (guint c = 0; c < P; c++)
    {
      const double *x = raw + (gsize) c * n + (own_start - a);
      for (gsize t = 0; t < own_n; t++)
        {
          ends[2 * c] += x[t] == lo[c];
          ends[2 * c + 1] += x[t] == hi[c];
        }
    }
  if (reduce != NULL)
    reduce (ends, 2 * P, AS_REDUCE_SUM, reduce_data);
  for (guint c = 0; c < P; c++)
    {
      const AsChannel *ch = &header->channels[c];
      if (!as_learn_channel_wanted (ch, opts))
        continue;
      n_wanted++;
      if (opts->bad != NULL && g_strv_contains (opts->bad, ch->label))
        {
          g_ptr_array_add (r->excluded, g_strdup_printf (_("%s: marked bad"), ch->label));
          continue;
        }
      {
        g_autofree char *why = as_learn_unusable_verdict ((gsize) cnt[2 * c], lo[c], hi[c],
                                                          (gsize) cnt[2 * c + 1],
                                                          (gsize) ends[2 * c],
                                                          (gsize) ends[2 * c + 1]);
        if (why != NULL)
          {
            g_ptr_array_add (r->excluded, g_strdup_printf ("%s: %s", ch->label, why));
            continue;
          }
      }
      keep[nk++] = c;
    }
  if (nk == 0)
    {
      as_learn_no_channel_error (name_of (header), P, n_wanted, r->excluded, error);
      return NULL;
    }

  /* The kept channels' span, prepared as as_preprocess() prepares the whole. */
  sel = select_channels (header, g_steal_pointer (&raw), n, keep, nk);
  o.channels = NULL;
  o.types = 0;
  if (!as_preprocess_span (sel, own_start - a, own_n, b - own_end, own_start, total, &o,
                           reduce, reduce_data, &scaling, error))
    return NULL;
  for (guint k = 0; k < nk; k++)
    {
      const double *x = as_recording_channel (sel, k) + (own_start - a);
      for (gsize t = 0; t < own_n; t++)
        {
          if (!isfinite (x[t]))
            bad = 1;
          energy += x[t] * x[t];
        }
    }
  bad = reduced (reduce, reduce_data, bad, AS_REDUCE_MAX);
  energy = reduced (reduce, reduce_data, energy, AS_REDUCE_SUM);
  if (bad > 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("%s: a channel has non-finite values after preprocessing and scaling (are its values out of range?)"),
                   name_of (header));
      return NULL;
    }
  if (!(energy > 0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: the signal is zero everywhere after preprocessing: nothing to learn from"),
                   name_of (header));
      return NULL;
    }

  r->preprocessing = as_preprocess_options_to_json (opts, scaling);
  {
    JsonArray *names = json_array_new ();
    for (guint c = 0; c < nk; c++)
      json_array_add_string_element (names, sel->channels[c].label);
    json_object_set_array_member (r->preprocessing, "channels_learned", names);
  }
  if (report_out != NULL)
    *report_out = g_steal_pointer (&r);
  return cut_span (sel, a, data_start, data_end);
}

AsRecording *
as_preprocess_read_span (const AsRecording *header, const AsPreprocessOptions *opts,
                         gsize own_start, gsize own_end, gsize data_start, gsize data_end,
                         AsReduceFunc reduce, gpointer reduce_data, gsize *samples_read,
                         GError **error)
{
  const guint P = header->n_channels;
  g_autofree guint *keep = g_new (guint, MAX (P, 1u));
  g_autofree double *raw = NULL;
  g_autoptr (AsRecording) sel = NULL;
  GError *local_error = NULL;
  AsPreprocessOptions o = *opts;
  gsize first, total, margin = 0, a, b, n;
  guint nk = 0;

  g_return_val_if_fail (header->paged != NULL, NULL);
  total = as_learn_span_total (header, opts, &first);
  g_return_val_if_fail (own_start <= own_end && own_end <= total && data_start <= data_end
                        && data_end <= total, NULL);
  /* 1. selection, as as_preprocess() selects */
  for (guint c = 0; c < P; c++)
    {
      if (opts->channels && !as_learn_channel_wanted (&header->channels[c], &(AsPreprocessOptions) { .channels = opts->channels }))
        continue;
      if (opts->types && !(opts->types & (1u << header->channels[c].type)))
        continue;
      keep[nk++] = c;
    }
  if (nk == 0)
    g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                 _("no channel left after selection (of %u)"), P);
  for (guint i = 0; local_error == NULL && opts->channels && opts->channels[i]; i++)
    {
      gboolean found = FALSE;
      for (guint c = 0; c < P && !found; c++)
        found = g_ascii_strcasecmp (header->channels[c].label, opts->channels[i]) == 0;
      if (!found)
        g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("no channel is called “%s”"), opts->channels[i]);
    }
  if (local_error == NULL && total < 2)
    g_set_error (&local_error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                 _("crop from %g s to %g s leaves fewer than two samples of %.3f s"),
                 opts->crop_start, opts->crop_stop, as_recording_duration (header));
  if (local_error == NULL)
    as_preprocess_span_margin (opts, header->sfreq, &margin, &local_error);
  if (!read_with_margin (header, first, total, MAX (margin, 1), own_start, own_end, data_start,
                         data_end, local_error, &raw, &a, &b, reduce, reduce_data, error))
    return NULL;
  n = b - a;
  if (samples_read != NULL)
    *samples_read = n;
  sel = select_channels (header, g_steal_pointer (&raw), n, keep, nk);
  o.channels = NULL;
  o.types = 0;
  if (!as_preprocess_span (sel, own_start - a, own_end - own_start, b - own_end, own_start,
                           total, &o, reduce, reduce_data, NULL, error))
    return NULL;
  return cut_span (sel, a, data_start, data_end);
}
