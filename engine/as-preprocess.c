/* as-preprocess.c: selection, crop, detrend, filters, reference, rate, scale.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-preprocess"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-filter.h"
#include "as-preprocess.h"
#include "as-reader.h"

void
as_preprocess_options_init (AsPreprocessOptions *opts)
{
  memset (opts, 0, sizeof *opts);
}

void
as_scaling_free (AsScaling *s)
{
  if (s == NULL)
    return;
  g_free (s->offset);
  g_free (s->scale);
  g_free (s);
}

void
as_scaling_restore_signal (const AsScaling *s, double *data, guint n_channels, gsize n_samples)
{
  for (guint c = 0; c < n_channels && c < s->n_channels; c++)
    for (gsize t = 0; t < n_samples; t++)
      data[(gsize) c * n_samples + t] = data[(gsize) c * n_samples + t] * s->scale[c] + s->offset[c];
}

void
as_scaling_restore_atom (const AsScaling *s, double *data, guint n_channels, gsize n_samples)
{
  for (guint c = 0; c < n_channels && c < s->n_channels; c++)
    for (gsize t = 0; t < n_samples; t++)
      data[(gsize) c * n_samples + t] *= s->scale[c];
}

void
as_detrend (double *x, gsize n, AsDetrend mode)
{
  double mt = (n - 1) / 2.0, mx = 0, sxy = 0, sxx = 0, slope = 0;

  if (mode == AS_DETREND_NONE || n == 0)
    return;
  for (gsize t = 0; t < n; t++)
    mx += x[t];
  mx /= n;
  if (mode == AS_DETREND_LINEAR && n > 1)
    {
      /* least-squares line through (t, x_t) */
      for (gsize t = 0; t < n; t++)
        {
          sxy += (t - mt) * (x[t] - mx);
          sxx += (t - mt) * (t - mt);
        }
      slope = sxy / sxx;
    }
  for (gsize t = 0; t < n; t++)
    x[t] -= mx + slope * (t - mt);
}

static double
catmull_rom (const double *x, gsize n, double pos)
{
  gssize i = (gssize) floor (pos);
  double u = pos - i, p[4];

  for (int k = 0; k < 4; k++)
    {
      gssize j = CLAMP (i - 1 + k, 0, (gssize) n - 1);
      p[k] = x[j];
    }
  return p[1] + 0.5 * u * (p[2] - p[0] + u * (2 * p[0] - 5 * p[1] + 4 * p[2] - p[3]
                                                + u * (3 * (p[1] - p[2]) + p[3] - p[0])));
}

double *
as_resample (const double *data, guint n_channels, gsize n, double sfreq, double target,
             gsize *n_out, GError **error)
{
  g_autofree double *work = NULL;
  double ratio = sfreq / target, qr = round (ratio);
  gboolean integer = fabs (ratio - qr) < 1e-9 && qr >= 1;
  gsize m;
  double *out;

  if (!(target > 0) || !isfinite (target) || !(sfreq > 0) || n < 2)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("cannot resample %zu samples from %g Hz to %g Hz"), n, sfreq,
                   target);
      return NULL;
    }
  m = integer ? (n + (gsize) qr - 1) / (gsize) qr : (gsize) floor ((n - 1) / ratio) + 1;
  if (m < 2 || m > (gsize) 1 << 31)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("resampling from %g Hz to %g Hz would leave %zu samples"),
                   sfreq, target, m);
      return NULL;
    }
  work = g_memdup2 (data, (gsize) n_channels * n * sizeof (double));
  if (target < sfreq)
    {
      g_autoptr (AsSos) aa = as_butterworth_design (AS_FILTER_LOWPASS, 8, 0.45 * target, 0, sfreq,
                                                    error);
      if (aa == NULL)
        return NULL;
      for (guint c = 0; c < n_channels; c++)
        as_sos_filtfilt (aa, work + (gsize) c * n, n, (gsize) (6 * ratio * 8));
    }
  out = g_new (double, (gsize) n_channels * m);
  for (guint c = 0; c < n_channels; c++)
    {
      const double *x = work + (gsize) c * n;
      for (gsize k = 0; k < m; k++)
        out[(gsize) c * m + k] = integer ? x[k * (gsize) qr] : catmull_rom (x, n, k * ratio);
    }
  *n_out = m;
  return out;
}

static gboolean
label_wanted (const char *label, const char *const *list)
{
  for (guint i = 0; list[i]; i++)
    if (g_ascii_strcasecmp (label, list[i]) == 0)
      return TRUE;
  return FALSE;
}

/* Step 6, re-referencing, sample by sample on the channels of @rec (a whole recording or a
 * span of one): the average of its EEG channels, or one channel, subtracted. */
static gboolean
rereference (AsRecording *rec, const AsPreprocessOptions *opts, GError **error)
{
  const guint nk = rec->n_channels;
  const gsize n = rec->n_samples;

  if (opts->reref == AS_REREF_AVERAGE)
    {
      g_autofree double *mean = g_new0 (double, MAX (n, 1));
      guint ne = 0;
      for (guint k = 0; k < nk; k++)
        if (rec->channels[k].type == AS_CHANNEL_EEG)
          {
            const double *x = as_recording_channel (rec, k);
            for (gsize t = 0; t < n; t++)
              mean[t] += x[t];
            ne++;
          }
      if (ne < 2)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("an average reference needs at least two EEG channels (found %u)"), ne);
          return FALSE;
        }
      for (guint k = 0; k < nk; k++)
        if (rec->channels[k].type == AS_CHANNEL_EEG)
          {
            double *x = as_recording_channel (rec, k);
            for (gsize t = 0; t < n; t++)
              x[t] -= mean[t] / ne;
          }
    }
  else if (opts->reref == AS_REREF_CHANNEL)
    {
      gint r = -1;
      g_autofree double *ref = NULL;
      for (guint k = 0; k < nk && r < 0; k++)
        if (opts->reref_channel && g_ascii_strcasecmp (rec->channels[k].label, opts->reref_channel) == 0)
          r = k;
      if (r < 0)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("the reference channel “%s” is not among the selected channels"),
                       opts->reref_channel ? opts->reref_channel : "");
          return FALSE;
        }
      ref = g_memdup2 (as_recording_channel (rec, r), n * sizeof (double));
      for (guint k = 0; k < nk; k++)
        if (rec->channels[k].type == AS_CHANNEL_EEG || (gint) k == r)
          {
            double *x = as_recording_channel (rec, k);
            for (gsize t = 0; t < n; t++)
              x[t] -= ref[t];
          }
    }
  return TRUE;
}

AsRecording *
as_preprocess (const AsRecording *rec, const AsPreprocessOptions *opts, AsScaling **scaling,
               GError **error)
{
  AsPreprocessOptions defaults;
  g_autofree guint *keep = g_new (guint, MAX (rec->n_channels, 1));
  guint nk = 0;
  gsize t0 = 0, t1 = rec->n_samples, n;
  g_autoptr (AsRecording) out = NULL;
  guint order;
  double fs = rec->sfreq;

  if (opts == NULL)
    {
      as_preprocess_options_init (&defaults);
      opts = &defaults;
    }
  order = opts->filter_order ? opts->filter_order : 4;

  /* 1. selection */
  for (guint c = 0; c < rec->n_channels; c++)
    {
      if (opts->channels && !label_wanted (rec->channels[c].label, opts->channels))
        continue;
      if (opts->types && !(opts->types & (1u << rec->channels[c].type)))
        continue;
      keep[nk++] = c;
    }
  if (nk == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("no channel left after selection (of %u)"), rec->n_channels);
      return NULL;
    }
  if (opts->channels)
    for (guint i = 0; opts->channels[i]; i++)
      {
        gboolean found = FALSE;
        for (guint c = 0; c < rec->n_channels && !found; c++)
          found = g_ascii_strcasecmp (rec->channels[c].label, opts->channels[i]) == 0;
        if (!found)
          {
            g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                         _("no channel is called “%s”"), opts->channels[i]);
            return NULL;
          }
      }

  /* 2. crop */
  if (opts->crop_start != 0 || opts->crop_stop > 0)
    {
      double stop = opts->crop_stop > 0 ? opts->crop_stop : as_recording_duration (rec);
      if (!(opts->crop_start >= 0) || !(stop > opts->crop_start))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("crop from %g s to %g s is empty or negative"), opts->crop_start, stop);
          return NULL;
        }
      t0 = (gsize) llround (opts->crop_start * fs);
      t1 = MIN ((gsize) llround (stop * fs), rec->n_samples);
      if (t0 + 2 > t1)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("crop from %g s to %g s leaves fewer than two samples of %.3f s"),
                       opts->crop_start, stop, as_recording_duration (rec));
          return NULL;
        }
    }
  n = t1 - t0;
  out = as_recording_new (nk, n, fs);
  for (guint k = 0; k < nk; k++)
    {
      const AsChannel *src = &rec->channels[keep[k]];
      memcpy (as_recording_channel (out, k), rec->data + (gsize) keep[k] * rec->n_samples + t0,
              n * sizeof (double));
      as_recording_set_channel (out, k, src->label, src->unit, src->type);
      out->channels[k].has_position = src->has_position;
      memcpy (out->channels[k].position, src->position, sizeof src->position);
      out->channels[k].sensor = src->sensor;
      memcpy (out->channels[k].orientation, src->orientation, sizeof src->orientation);
      out->channels[k].coil_type = src->coil_type;
      /* missing samples stay flagged */
      for (gsize i = 0; rec->missing != NULL && i < n; i++)
        if (rec->missing[(gsize) keep[k] * rec->n_samples + t0 + i])
          as_recording_mark_missing (out, k, i, 1);
    }
  /* Flagging set the missing samples to NaN: bridge them again before any filter. */
  if (out->missing != NULL)
    as_recording_fill_gaps (out);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      double on = e->onset - t0 / fs;
      if (on >= 0 && on < n / fs)
        as_recording_add_event (out, on, e->duration, e->label);
    }
  for (guint i = 0; i < rec->warnings->len; i++)
    as_recording_add_warning (out, "%s", (const char *) g_ptr_array_index (rec->warnings, i));
  g_free (out->format);
  out->format = g_strdup (rec->format);
  out->path = g_strdup (rec->path);
  out->kind = rec->kind;
  if (rec->start_time)
    out->start_time = g_date_time_add_seconds (rec->start_time, t0 / fs);

  /* 3. detrend */
  for (guint k = 0; k < nk; k++)
    as_detrend (as_recording_channel (out, k), n, opts->detrend);

  /* 4–5. notch, then high/low/band-pass; the odd-extension pad covers a few
   * time constants of the slowest filter. */
  if (opts->notch > 0)
    {
      double q = opts->notch_q > 0 ? opts->notch_q : 30;
      for (double f = opts->notch; f < fs / 2; f += opts->notch)
        {
          g_autoptr (AsSos) notch = as_notch_design (f, q, fs, error);
          if (notch == NULL)
            return NULL;
          for (guint k = 0; k < nk; k++)
            as_sos_filtfilt (notch, as_recording_channel (out, k), n, (gsize) (3 * q * fs / f));
          if (!opts->notch_harmonics)
            break;
        }
      if (opts->notch >= fs / 2)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("the notch at %g Hz is above the Nyquist frequency %g Hz"), opts->notch, fs / 2);
          return NULL;
        }
    }
  if (opts->highpass > 0 || opts->lowpass > 0)
    {
      g_autoptr (AsSos) sos = NULL;
      double slowest;
      if (opts->highpass > 0 && opts->lowpass > 0)
        sos = as_butterworth_design (AS_FILTER_BANDPASS, order, opts->highpass, opts->lowpass, fs, error);
      else if (opts->highpass > 0)
        sos = as_butterworth_design (AS_FILTER_HIGHPASS, order, opts->highpass, 0, fs, error);
      else
        sos = as_butterworth_design (AS_FILTER_LOWPASS, order, opts->lowpass, 0, fs, error);
      if (sos == NULL)
        return NULL;
      slowest = opts->highpass > 0 ? opts->highpass : opts->lowpass;
      for (guint k = 0; k < nk; k++)
        as_sos_filtfilt (sos, as_recording_channel (out, k), n, (gsize) (3 * order * fs / slowest));
    }

  /* 6. re-reference */
  if (!rereference (out, opts, error))
    return NULL;

  /* 7. resample */
  if (opts->resample > 0 && fabs (opts->resample - fs) > 1e-9 * fs)
    {
      gsize m;
      double *y = as_resample (out->data, nk, n, fs, opts->resample, &m, error);
      if (y == NULL)
        return NULL;
      g_free (out->data);
      out->data = y;
      if (out->missing != NULL)
        {
          /* A new sample is missing when the old sample nearest to it was. */
          guint8 *mm = g_new0 (guint8, MAX ((gsize) nk * m, 1));
          for (guint k = 0; k < nk; k++)
            for (gsize i = 0; i < m; i++)
              {
                gsize j = MIN (n - 1, (gsize) llround ((double) i * fs / opts->resample));
                mm[(gsize) k * m + i] = out->missing[(gsize) k * n + j];
              }
          g_free (out->missing);
          out->missing = mm;
        }
      out->n_samples = m;
      out->sfreq = opts->resample;
      n = m;
    }

  /* 8. scale */
  if (scaling != NULL)
    {
      AsScaling *s = g_new0 (AsScaling, 1);
      s->mode = opts->scale;
      s->n_channels = nk;
      s->offset = g_new0 (double, nk);
      s->scale = g_new (double, nk);
      for (guint k = 0; k < nk; k++)
        s->scale[k] = 1;
      *scaling = s;
    }
  if (opts->scale != AS_SCALE_NONE)
    {
      g_autofree double *off = g_new0 (double, nk), *sc = g_new (double, nk);
      double total = 0;
      for (guint k = 0; k < nk; k++)
        {
          const double *x = as_recording_channel (out, k);
          double m = 0, v = 0;
          for (gsize t = 0; t < n; t++)
            m += x[t];
          m /= n;
          for (gsize t = 0; t < n; t++)
            v += (x[t] - m) * (x[t] - m);
          total += v;
          off[k] = opts->scale == AS_SCALE_ZSCORE ? m : 0;
          sc[k] = sqrt (v / n);
        }
      for (guint k = 0; k < nk; k++)
        {
          double *x = as_recording_channel (out, k);
          if (opts->scale == AS_SCALE_GLOBAL_STD)
            sc[k] = sqrt (total / ((double) n * nk));
          if (!(sc[k] > 0))
            sc[k] = 1;
          for (gsize t = 0; t < n; t++)
            x[t] = (x[t] - off[k]) / sc[k];
        }
      if (scaling != NULL)
        {
          memcpy ((*scaling)->offset, off, nk * sizeof (double));
          memcpy ((*scaling)->scale, sc, nk * sizeof (double));
        }
    }
  return g_steal_pointer (&out);
}

/* ---- region by region ---------------------------------------------------------------- */

static void
reduce_values (AsReduceFunc reduce, gpointer data, double *values, guint n, AsReduceOp op)
{
  if (reduce != NULL && n > 0)
    reduce (values, n, op, data);
}

static AsFilterChain *
span_filter_chain (const AsPreprocessOptions *opts, double sfreq, GError **error)
{
  AsFilterSpec spec = { opts->highpass, opts->lowpass, opts->filter_order, opts->notch,
                        opts->notch_q, opts->notch_harmonics };
  return as_filter_chain_new (&spec, sfreq, error);
}

gboolean
as_preprocess_span_margin (const AsPreprocessOptions *opts, double sfreq, gsize *margin,
                           GError **error)
{
  g_autoptr (AsFilterChain) chain = NULL;
  const guint order = opts->filter_order ? opts->filter_order : 4;
  gsize pad = 0;

  *margin = 0;
  if (opts->resample > 0 && fabs (opts->resample - sfreq) > 1e-9 * sfreq)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("resampling is not done region by region (its interpolation and anti-aliasing filter would need the whole recording)"));
      return FALSE;
    }
  chain = span_filter_chain (opts, sfreq, error);
  if (chain == NULL)
    return FALSE;
  if (as_filter_chain_is_empty (chain))
    return TRUE;
  /* as_filter_chain_settle() leaves 1e-4 of a start's transient, enough for a page on
   * screen; r^n ≤ 1e-10 takes 2.5 times as many samples (10 = 2.5 × 4 decades). */
  *margin = (gsize) ceil (2.5 * (double) as_filter_chain_settle (chain));
  /* The odd extension at a true end reads as many samples as as_preprocess() pads. */
  if (opts->notch > 0)
    pad = (gsize) (3 * (opts->notch_q > 0 ? opts->notch_q : 30) * sfreq / opts->notch);
  if (opts->highpass > 0 || opts->lowpass > 0)
    pad = MAX (pad, (gsize) (3 * order * sfreq / (opts->highpass > 0 ? opts->highpass
                                                                       : opts->lowpass)));
  *margin = MAX (*margin, pad + 1);
  return TRUE;
}

gboolean
as_preprocess_span (AsRecording *span, gsize before, gsize count, gsize after, gsize start,
                    gsize total, const AsPreprocessOptions *opts, AsReduceFunc reduce,
                    gpointer reduce_data, AsScaling **scaling, GError **error)
{
  const guint nk = span->n_channels;
  const gsize n = span->n_samples;
  const double fs = span->sfreq;
  g_autofree double *sums = g_new0 (double, 2 * (gsize) MAX (nk, 1u));
  gsize margin;

  g_return_val_if_fail (before + count + after == n && before <= start
                        && start + count + after <= total, FALSE);
  if (!as_preprocess_span_margin (opts, fs, &margin, error))
    return FALSE;

  /* 3. detrend: the whole signal's mean and least-squares line (as as_detrend()), from the
   * sums Σx and Σ(t − t̄)x over the own samples, t the sample's place in the whole signal. */
  if (opts->detrend != AS_DETREND_NONE)
    {
      const double mt = (total - 1) / 2.0, N = (double) total;
      const double sxx = N * (N * N - 1) / 12.0;   /* Σ (t − t̄)² over 0..N−1 */
      for (guint k = 0; k < nk; k++)
        {
          const double *x = as_recording_channel (span, k) + before;
          for (gsize i = 0; i < count; i++)
            {
              sums[2 * k] += x[i];
              sums[2 * k + 1] += ((double) (start + i) - mt) * x[i];
            }
        }
      reduce_values (reduce, reduce_data, sums, 2 * nk, AS_REDUCE_SUM);
      for (guint k = 0; k < nk; k++)
        {
          double *x = as_recording_channel (span, k);
          const double mx = sums[2 * k] / N;
          const double slope = opts->detrend == AS_DETREND_LINEAR && total > 1
                               ? sums[2 * k + 1] / sxx : 0.0;
          for (gsize i = 0; i < n; i++)
            x[i] -= mx + slope * ((double) (start - before + i) - mt);
        }
    }

  /* 4–5. notch, then high/low/band-pass: the chain the display applies to a page, with the
   * odd extension only where the whole signal ends. */
  if (margin > 0)
    {
      g_autoptr (AsFilterChain) chain = span_filter_chain (opts, fs, error);
      g_autofree double **rows = g_new (double *, MAX (nk, 1u));
      if (chain == NULL)
        return FALSE;
      for (guint k = 0; k < nk; k++)
        rows[k] = as_recording_channel (span, k);
      as_filter_chain_apply_span (chain, rows, nk, n, start == before,
                                  start + count + after == total);
    }

  /* 6. re-reference: sample by sample, local. */
  if (!rereference (span, opts, error))
    return FALSE;

  /* 8. scale: the whole signal's mean, then its variance about it (two passes, as
   * as_preprocess() does), each summed over the own samples. */
  if (scaling != NULL)
    {
      AsScaling *s = g_new0 (AsScaling, 1);
      s->mode = opts->scale;
      s->n_channels = nk;
      s->offset = g_new0 (double, MAX (nk, 1u));
      s->scale = g_new (double, MAX (nk, 1u));
      for (guint k = 0; k < nk; k++)
        s->scale[k] = 1;
      *scaling = s;
    }
  if (opts->scale != AS_SCALE_NONE)
    {
      g_autofree double *mean = g_new0 (double, MAX (nk, 1u)), *var = g_new0 (double, MAX (nk, 1u));
      g_autofree double *sc = g_new (double, MAX (nk, 1u));
      double all = 0;
      for (guint k = 0; k < nk; k++)
        {
          const double *x = as_recording_channel (span, k) + before;
          for (gsize i = 0; i < count; i++)
            mean[k] += x[i];
        }
      reduce_values (reduce, reduce_data, mean, nk, AS_REDUCE_SUM);
      for (guint k = 0; k < nk; k++)
        {
          const double *x = as_recording_channel (span, k) + before;
          mean[k] /= (double) total;
          for (gsize i = 0; i < count; i++)
            var[k] += (x[i] - mean[k]) * (x[i] - mean[k]);
        }
      reduce_values (reduce, reduce_data, var, nk, AS_REDUCE_SUM);
      for (guint k = 0; k < nk; k++)
        all += var[k];
      for (guint k = 0; k < nk; k++)
        {
          double *x = as_recording_channel (span, k);
          const double off = opts->scale == AS_SCALE_ZSCORE ? mean[k] : 0;
          sc[k] = opts->scale == AS_SCALE_GLOBAL_STD ? sqrt (all / ((double) total * nk))
                                                     : sqrt (var[k] / (double) total);
          if (!(sc[k] > 0))
            sc[k] = 1;
          for (gsize t = 0; t < n; t++)
            x[t] = (x[t] - off) / sc[k];
          if (scaling != NULL)
            {
              (*scaling)->offset[k] = off;
              (*scaling)->scale[k] = sc[k];
            }
        }
    }
  return TRUE;
}

JsonObject *
as_preprocess_options_to_json (const AsPreprocessOptions *opts, const AsScaling *scaling)
{
  static const char *const detrend[] = { "none", "constant", "linear" };
  static const char *const reref[] = { "none", "average", "channel" };
  static const char *const scale[] = { "none", "z-score", "global-std" };
  JsonObject *o = json_object_new ();

  if (opts->channels)
    {
      JsonArray *a = json_array_new ();
      for (guint i = 0; opts->channels[i]; i++)
        json_array_add_string_element (a, opts->channels[i]);
      json_object_set_array_member (o, "channels", a);
    }
  if (opts->types)
    json_object_set_int_member (o, "channel_type_mask", opts->types);
  json_object_set_double_member (o, "crop_start_s", opts->crop_start);
  json_object_set_double_member (o, "crop_stop_s", opts->crop_stop);
  json_object_set_string_member (o, "detrend", detrend[opts->detrend]);
  json_object_set_double_member (o, "highpass_hz", opts->highpass);
  json_object_set_double_member (o, "lowpass_hz", opts->lowpass);
  json_object_set_int_member (o, "filter_order", opts->filter_order ? opts->filter_order : 4);
  json_object_set_string_member (o, "filter", "Butterworth, second-order sections, forward-backward (zero phase)");
  json_object_set_double_member (o, "notch_hz", opts->notch);
  json_object_set_double_member (o, "notch_q", opts->notch_q > 0 ? opts->notch_q : 30);
  json_object_set_boolean_member (o, "notch_harmonics", opts->notch_harmonics);
  json_object_set_double_member (o, "resample_hz", opts->resample);
  json_object_set_string_member (o, "reference", reref[opts->reref]);
  if (opts->reref == AS_REREF_CHANNEL && opts->reref_channel)
    json_object_set_string_member (o, "reference_channel", opts->reref_channel);
  json_object_set_string_member (o, "scaling", scale[opts->scale]);
  if (opts->image_background > 0)
    json_object_set_double_member (o, "image_background_px", opts->image_background);
  if (scaling)
    {
      JsonArray *off = json_array_new (), *sc = json_array_new ();
      for (guint c = 0; c < scaling->n_channels; c++)
        {
          json_array_add_double_element (off, scaling->offset[c]);
          json_array_add_double_element (sc, scaling->scale[c]);
        }
      json_object_set_array_member (o, "scaling_offset", off);
      json_object_set_array_member (o, "scaling_scale", sc);
    }
  return o;
}

/* One line of the separable blur: out = in ∗ g, mirrored at both ends (…, x1, x0, x1, …). */
static void
blur_line (const double *in, gsize stride, gsize n, const double *g, guint radius,
           double *out)
{
  for (gsize i = 0; i < n; i++)
    {
      double acc = g[0] * in[i * stride];

      for (guint k = 1; k <= radius; k++)
        {
          gssize a = (gssize) i - k, b = (gssize) i + k;

          while (a < 0 || a >= (gssize) n)
            a = a < 0 ? -a : 2 * ((gssize) n - 1) - a;
          while (b < 0 || b >= (gssize) n)
            b = b < 0 ? -b : 2 * ((gssize) n - 1) - b;
          acc += g[k] * (in[a * stride] + in[b * stride]);
        }
      out[i] = acc;
    }
}

void
as_preprocess_image (double *x, guint n_planes, guint height, guint width,
                     const AsPreprocessOptions *opts)
{
  gsize n = (gsize) height * width;

  for (guint c = 0; c < n_planes; c++)
    {
      double *p = x + (gsize) c * n;

      if (opts->detrend != AS_DETREND_NONE)
        as_detrend (p, n, AS_DETREND_CONSTANT);
      if (opts->image_background > 0 && height > 1 && width > 1)
        {
          double sigma = opts->image_background, sum = 0.0;
          guint radius = (guint) ceil (3.0 * sigma);
          g_autofree double *g = g_new (double, radius + 1);
          g_autofree double *rows = g_new (double, n);
          g_autofree double *line = g_new (double, MAX (height, width));

          for (guint k = 0; k <= radius; k++)
            {
              g[k] = exp (-0.5 * k * (double) k / (sigma * sigma));
              sum += k == 0 ? g[k] : 2 * g[k];
            }
          for (guint k = 0; k <= radius; k++)
            g[k] /= sum;
          /* Along the rows, then down the columns; the background subtracted. */
          for (guint y = 0; y < height; y++)
            blur_line (p + (gsize) y * width, 1, width, g, radius, rows + (gsize) y * width);
          for (guint xx = 0; xx < width; xx++)
            {
              blur_line (rows + xx, width, height, g, radius, line);
              for (guint y = 0; y < height; y++)
                p[(gsize) y * width + xx] -= line[y];
            }
        }
    }
}
