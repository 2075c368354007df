/* as-display.c: pages of the signal browser, through a montage and display
 * filters.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "as-display.h"
#include "as-engine.h"
#include "as-paged.h"

#define ELECTROPHYSIOLOGY ((1u << AS_CHANNEL_EEG) | (1u << AS_CHANNEL_MEG) | (1u << AS_CHANNEL_EOG) \
                           | (1u << AS_CHANNEL_ECG) | (1u << AS_CHANNEL_EMG) | (1u << AS_CHANNEL_OTHER))

void
as_display_filters_init (AsDisplayFilters *f)
{
  memset (f, 0, sizeof *f);
  f->types = ELECTROPHYSIOLOGY;
}

void
as_display_filters_default (AsDisplayFilters *f, AsRecordingKind kind)
{
  as_display_filters_init (f);
  if (kind == AS_RECORDING_EEG)
    {
      f->filter.highpass = 0.5;
      f->filter.lowpass = 70;
      f->filter.notch_harmonics = TRUE;
    }
}

gsize
as_display_padding (const AsDisplayFilters *filters, double sfreq)
{
  g_autoptr (AsFilterChain) chain = NULL;
  AsFilterSpec spec;

  if (filters == NULL)
    return 0;
  spec = filters->filter;
  if (spec.lowpass >= sfreq / 2)
    spec.lowpass = 0;
  if (spec.notch >= sfreq / 2)
    spec.notch = 0;
  chain = as_filter_chain_new (&spec, sfreq, NULL);
  return chain != NULL ? as_filter_chain_settle (chain) : 0;
}

/* An empty page of @n_channels × @n_samples at @sfreq, with @rec's path, format,
 * kind and the clock time @offset seconds after its start. */
static AsRecording *
page_new (const AsRecording *rec, guint n_channels, gsize n_samples, double sfreq, double offset)
{
  AsRecording *page = as_recording_new (n_channels, n_samples, sfreq);

  page->path = g_strdup (rec->path);
  g_free (page->format);
  page->format = g_strdup (rec->format);
  page->kind = rec->kind;
  if (rec->start_time)
    page->start_time = g_date_time_add_seconds (rec->start_time, offset);
  return page;
}

AsRecording *
as_display_page (const AsRecording *rec, const AsDerivationSet *derivations,
                 const AsDisplayFilters *filters, double t0, double duration, double *page_start,
                 GError **error)
{
  g_autoptr (AsDerivationSet) as_recorded = NULL;
  g_autoptr (AsFilterChain) chain = NULL;
  g_autoptr (AsRecording) span = NULL;
  AsRecording *page;
  gsize s0, s1, a, b, pad = 0;
  double fs = rec->sfreq;
  AsFilterSpec spec = { 0 };

  g_return_val_if_fail (rec != NULL && duration > 0, NULL);
  if (filters != NULL)
    {
      spec = filters->filter;
      /* A low-pass at or above Nyquist has nothing to remove. */
      if (spec.lowpass >= fs / 2)
        spec.lowpass = 0;
      if (spec.notch >= fs / 2)
        spec.notch = 0;
    }
  chain = as_filter_chain_new (&spec, fs, error);
  if (chain == NULL)
    return NULL;
  if (derivations == NULL)
    derivations = as_recorded = as_derivation_set_new (rec, AS_DERIVATION_AS_RECORDED, NULL);

  s0 = (gsize) CLAMP (floor (t0 * fs), 0.0, (double) rec->n_samples);
  s1 = (gsize) MIN ((double) rec->n_samples, (double) s0 + ceil (duration * fs));
  if (!as_filter_chain_is_empty (chain))
    pad = as_filter_chain_settle (chain);
  a = s0 > pad ? s0 - pad : 0;
  b = MIN (rec->n_samples, s1 + pad);

  if (rec->paged != NULL)
    {
      /* Read page by page: the span from the file, then as any other. */
      g_autoptr (AsRecording) raw = as_paged_read_span (rec, a, b - a, error);
      if (raw == NULL)
        return NULL;
      span = as_derivation_set_apply (derivations, raw, 0, b - a);
    }
  else
    span = as_derivation_set_apply (derivations, rec, a, b - a);
  if (!as_filter_chain_is_empty (chain))
    {
      g_autofree double **rows = g_new (double *, MAX (span->n_channels, 1u));
      guint n_rows = 0;

      for (guint c = 0; c < span->n_channels; c++)
        if (filters->types & (1u << span->channels[c].type))
          rows[n_rows++] = as_recording_channel (span, c);
      /* The span's own samples stand for the signal beyond the page, except
       * where the recording ends. */
      as_filter_chain_apply_span (chain, rows, n_rows, span->n_samples, a == 0, b == rec->n_samples);
    }

  page = page_new (rec, span->n_channels, s1 - s0, fs, s0 / fs);
  for (guint c = 0; c < span->n_channels; c++)
    {
      const AsChannel *ch = &span->channels[c];
      as_recording_set_channel (page, c, ch->label, ch->unit, ch->type);
      page->channels[c].has_position = ch->has_position;
      memcpy (page->channels[c].position, ch->position, sizeof ch->position);
      memcpy (as_recording_channel (page, c), as_recording_channel (span, c) + (s0 - a),
              (s1 - s0) * sizeof (double));
    }
  for (guint e = 0; e < span->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (span->events, AsEvent, e);
      double onset = ev->onset - (s0 - a) / fs;
      if (onset + ev->duration >= 0 && onset < (s1 - s0) / fs)
        as_recording_add_event (page, onset, ev->duration, ev->label);
    }
  if (page_start)
    *page_start = s0 / fs;
  return page;
}

AsRecording *
as_display_page_append (const AsRecording *page, const AsRecording *rec,
                        const AsDerivationSet *others, const AsDisplayFilters *filters, double t0,
                        double duration, double width, GError **error)
{
  g_autoptr (AsRecording) more = NULL;
  AsRecording *both;
  double start = 0;

  g_return_val_if_fail (page != NULL && rec != NULL && others != NULL, NULL);
  more = width > 0 ? as_display_page_for_width (rec, others, filters, t0, duration, width, &start, error)
                   : as_display_page (rec, others, filters, t0, duration, &start, error);
  if (more == NULL)
    return NULL;
  if (more->n_samples != page->n_samples || fabs (more->sfreq - page->sfreq) > 1e-9 * page->sfreq)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: the other channels are not on the page's time line"),
                   rec->path ? rec->path : "?");
      return NULL;
    }
  both = page_new (page, page->n_channels + more->n_channels, page->n_samples, page->sfreq, 0);
  for (guint c = 0; c < both->n_channels; c++)
    {
      const AsRecording *from = c < page->n_channels ? page : more;
      guint i = c < page->n_channels ? c : c - page->n_channels;
      const AsChannel *ch = &from->channels[i];

      as_recording_set_channel (both, c, ch->label, ch->unit, ch->type);
      both->channels[c].has_position = ch->has_position;
      memcpy (both->channels[c].position, ch->position, sizeof ch->position);
      memcpy (as_recording_channel (both, c), from->data + (gsize) i * from->n_samples,
              page->n_samples * sizeof (double));
    }
  for (guint e = 0; e < page->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (page->events, AsEvent, e);
      as_recording_add_event (both, ev->onset, ev->duration, ev->label);
    }
  return both;
}

AsRecording *
as_display_page_for_width (const AsRecording *rec, const AsDerivationSet *derivations,
                           const AsDisplayFilters *filters, double t0, double duration,
                           double width, double *page_start, GError **error)
{
  g_autoptr (AsDerivationSet) as_recorded = NULL;
  g_autofree float *lo = NULL, *hi = NULL;
  AsRecording *page;
  gsize s0, s1, count;
  guint nb;
  double fs = rec->sfreq;

  g_return_val_if_fail (rec != NULL && duration > 0, NULL);
  s0 = (gsize) CLAMP (floor (t0 * fs), 0.0, (double) rec->n_samples);
  s1 = (gsize) MIN ((double) rec->n_samples, (double) s0 + ceil (duration * fs));
  count = s1 - s0;
  width = MAX (width, 1.0);
  if (rec->paged == NULL || count <= AS_DISPLAY_ENVELOPE_RATIO * width)
    return as_display_page (rec, derivations, filters, t0, duration, page_start, error);

  /* Two buckets a pixel column: every column's extremes within a bucket. */
  nb = (guint) MIN ((double) count / 2, 2 * ceil (width));
  lo = g_new (float, (gsize) rec->n_channels * nb);
  hi = g_new (float, (gsize) rec->n_channels * nb);
  if (!as_paged_envelope (rec->paged, s0, count, nb, lo, hi, error))
    return NULL;
  if (derivations == NULL)
    derivations = as_recorded = as_derivation_set_new (rec, AS_DERIVATION_AS_RECORDED, NULL);

  /* Samples 2b and 2b + 1 are bucket b's lower and upper bounds, at the rate
   * that spreads them over the page. */
  page = page_new (rec, derivations->n_derivations, 2 * (gsize) nb, 2.0 * nb * fs / count, s0 / fs);
  for (guint i = 0; i < derivations->n_derivations; i++)
    {
      const AsDerivation *d = &derivations->derivations[i];
      double *y = as_recording_channel (page, i);
      double mean = 0;
      gsize n_valid = 0;

      as_recording_set_channel (page, i, d->label, d->unit, d->type);
      if (d->n_terms == 1 && d->weight[0] == 1.0)
        {
          page->channels[i].has_position = rec->channels[d->channel[0]].has_position;
          memcpy (page->channels[i].position, rec->channels[d->channel[0]].position,
                  sizeof page->channels[i].position);
        }
      /* Interval sums: the bounds of a derivation enclose it in every bucket. */
      for (guint k = 0; k < d->n_terms; k++)
        {
          const float *l = lo + (gsize) d->channel[k] * nb, *h = hi + (gsize) d->channel[k] * nb;
          double w = d->weight[k];
          for (guint b = 0; b < nb; b++)
            {
              y[2 * b] += w * (w >= 0 ? l[b] : h[b]);
              y[2 * b + 1] += w * (w >= 0 ? h[b] : l[b]);
            }
        }
      /* A high-pass at this scale leaves each trace about its page mean. */
      if (filters != NULL && filters->filter.highpass > 0 && (filters->types & (1u << d->type)))
        {
          for (gsize t = 0; t < page->n_samples; t++)
            if (!isnan (y[t]))
              {
                mean += y[t];
                n_valid++;
              }
          mean = n_valid > 0 ? mean / n_valid : 0;
          for (gsize t = 0; t < page->n_samples; t++)
            y[t] -= mean;
        }
    }
  for (guint e = 0; e < rec->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, e);
      double onset = ev->onset - s0 / fs;
      if (onset + ev->duration >= 0 && onset < count / fs)
        as_recording_add_event (page, onset, ev->duration, ev->label);
    }
  if (page_start)
    *page_start = s0 / fs;
  return page;
}
