/* as-recording.c
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-recording"

#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "as-paged.h"
#include "as-recording.h"

static void
event_clear (gpointer data)
{
  AsEvent *ev = data;

  g_free (ev->label);
}

AsRecording *
as_recording_new (guint n_channels, gsize n_samples, double sfreq)
{
  AsRecording *rec = g_new0 (AsRecording, 1);

  g_atomic_ref_count_init (&rec->ref_count);
  rec->n_channels = n_channels;
  rec->n_samples = n_samples;
  rec->sfreq = sfreq;
  rec->data = g_new0 (double, MAX ((gsize) n_channels * n_samples, 1));
  rec->channels = g_new0 (AsChannel, MAX (n_channels, 1));
  for (guint c = 0; c < n_channels; c++)
    {
      rec->channels[c].label = g_strdup_printf ("%u", c + 1);
      rec->channels[c].unit = g_strdup ("");
    }
  rec->events = g_array_new (FALSE, TRUE, sizeof (AsEvent));
  g_array_set_clear_func (rec->events, event_clear);
  rec->warnings = g_ptr_array_new_with_free_func (g_free);
  rec->format = g_strdup ("");
  return rec;
}

AsRecording *
as_recording_ref (AsRecording *rec)
{
  g_return_val_if_fail (rec != NULL, NULL);
  g_atomic_ref_count_inc (&rec->ref_count);
  return rec;
}

void
as_recording_unref (AsRecording *rec)
{
  if (rec == NULL || !g_atomic_ref_count_dec (&rec->ref_count))
    return;
  for (guint c = 0; c < rec->n_channels; c++)
    {
      g_free (rec->channels[c].label);
      g_free (rec->channels[c].unit);
    }
  g_free (rec->channels);
  g_free (rec->data);
  g_clear_pointer (&rec->paged, as_paged_unref);
  g_free (rec->missing);
  g_array_unref (rec->events);
  g_ptr_array_unref (rec->warnings);
  g_clear_pointer (&rec->start_time, g_date_time_unref);
  g_free (rec->path);
  g_free (rec->format);
  g_free (rec);
}

AsRecording *
as_recording_copy (const AsRecording *rec)
{
  AsRecording *copy = g_new0 (AsRecording, 1);
  gsize n = (gsize) rec->n_channels * rec->n_samples;

  *copy = *rec;
  g_atomic_ref_count_init (&copy->ref_count);
  copy->path = g_strdup (rec->path);
  copy->format = g_strdup (rec->format);
  copy->data = rec->data != NULL ? g_memdup2 (rec->data, MAX (n, 1) * sizeof (double)) : NULL;
  /* A recording read page by page shares its pager. */
  copy->paged = rec->paged != NULL ? as_paged_ref (rec->paged) : NULL;
  copy->missing = rec->missing != NULL ? g_memdup2 (rec->missing, MAX (n, 1)) : NULL;
  copy->channels = g_memdup2 (rec->channels, MAX (rec->n_channels, 1) * sizeof (AsChannel));
  for (guint c = 0; c < rec->n_channels; c++)
    {
      copy->channels[c].label = g_strdup (rec->channels[c].label);
      copy->channels[c].unit = g_strdup (rec->channels[c].unit);
    }
  copy->events = g_array_new (FALSE, TRUE, sizeof (AsEvent));
  g_array_set_clear_func (copy->events, event_clear);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, i);
      as_recording_add_event (copy, ev->onset, ev->duration, ev->label);
    }
  copy->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rec->warnings->len; i++)
    g_ptr_array_add (copy->warnings, g_strdup (g_ptr_array_index (rec->warnings, i)));
  copy->start_time = rec->start_time != NULL ? g_date_time_ref (rec->start_time) : NULL;
  return copy;
}

double *
as_recording_channel (AsRecording *rec, guint channel)
{
  g_return_val_if_fail (channel < rec->n_channels, NULL);
  return rec->data + (gsize) channel * rec->n_samples;
}

double
as_recording_duration (const AsRecording *rec)
{
  return rec->sfreq > 0 ? (double) rec->n_samples / rec->sfreq : 0.0;
}

void
as_recording_set_channel (AsRecording *rec, guint channel, const char *label,
                          const char *unit, AsChannelType type)
{
  g_return_if_fail (channel < rec->n_channels);
  if (label != NULL)
    {
      g_free (rec->channels[channel].label);
      rec->channels[channel].label = g_strdup (label);
    }
  if (unit != NULL)
    {
      g_free (rec->channels[channel].unit);
      rec->channels[channel].unit = g_strdup (unit);
    }
  rec->channels[channel].type = type;
}

void
as_recording_add_event (AsRecording *rec, double onset, double duration, const char *label)
{
  AsEvent ev = { onset, duration, g_strdup (label ? label : "") };

  g_array_append_val (rec->events, ev);
}

static int
event_compare (const void *a, const void *b)
{
  const AsEvent *ea = a, *eb = b;

  return (ea->onset > eb->onset) - (ea->onset < eb->onset);
}

void
as_recording_sort_events (AsRecording *rec)
{
  g_array_sort (rec->events, event_compare);
}

void
as_recording_add_warning (AsRecording *rec, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (rec->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* Samples start .. start + count − 1 of a channel (G_MAXUINT: of every
 * channel) were not recorded: NaN, flagged in the mask. */
void
as_recording_mark_missing (AsRecording *rec, guint channel, gsize start, gsize count)
{
  guint c0 = channel == G_MAXUINT ? 0 : channel;
  guint c1 = channel == G_MAXUINT ? rec->n_channels : channel + 1;

  g_return_if_fail (c1 <= rec->n_channels);
  if (start >= rec->n_samples || count == 0)
    return;
  count = MIN (count, rec->n_samples - start);
  if (rec->missing == NULL)
    rec->missing = g_new0 (guint8, MAX ((gsize) rec->n_channels * rec->n_samples, 1));
  for (guint c = c0; c < c1; c++)
    {
      double *x = as_recording_channel (rec, c);
      guint8 *m = rec->missing + (gsize) c * rec->n_samples;
      for (gsize i = start; i < start + count; i++)
        {
          x[i] = NAN;
          m[i] = 1;
        }
    }
}

gsize
as_recording_count_missing (const AsRecording *rec)
{
  gsize n = 0;

  if (rec->missing == NULL)
    return 0;
  for (gsize i = 0; i < (gsize) rec->n_channels * rec->n_samples; i++)
    n += rec->missing[i] != 0;
  return n;
}

gboolean
as_recording_is_missing (const AsRecording *rec, guint channel, gsize sample)
{
  return rec->missing != NULL && channel < rec->n_channels && sample < rec->n_samples
         && rec->missing[(gsize) channel * rec->n_samples + sample] != 0;
}

/* The kind decides default learning parameters (atom length, filters). */
AsRecordingKind
as_recording_guess_kind (const AsRecording *rec)
{
  guint eeg = 0, gaze = 0, audio = 0;

  for (guint c = 0; c < rec->n_channels; c++)
    switch (rec->channels[c].type)
      {
      case AS_CHANNEL_EEG:
      case AS_CHANNEL_MEG:
        eeg++;
        break;
      case AS_CHANNEL_GAZE:
      case AS_CHANNEL_EOG:
        gaze++;
        break;
      case AS_CHANNEL_AUDIO:
        audio++;
        break;
      default:
        break;
      }
  if (eeg > 0 && eeg >= gaze)
    return AS_RECORDING_EEG;
  if (gaze > 0)
    return AS_RECORDING_EYE;
  if (audio > 0)
    return AS_RECORDING_AUDIO;
  return AS_RECORDING_GENERIC;
}

const char *
as_channel_type_to_string (AsChannelType type)
{
  switch (type)
    {
    case AS_CHANNEL_EEG: return "EEG";
    case AS_CHANNEL_MEG: return "MEG";
    case AS_CHANNEL_EOG: return "EOG";
    case AS_CHANNEL_ECG: return "ECG";
    case AS_CHANNEL_EMG: return "EMG";
    case AS_CHANNEL_GAZE: return "gaze";
    case AS_CHANNEL_PUPIL: return "pupil";
    case AS_CHANNEL_AUDIO: return "audio";
    case AS_CHANNEL_STIM: return "stim";
    case AS_CHANNEL_OTHER:
    default: return "other";
    }
}
