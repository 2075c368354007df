/* as-defaults.c: the table of defaults per kind of recording.
 *
 * Choices, row by row:
 * - EEG: alphacsc's M/EEG examples (Dupré la Tour et al. 2018): 5 rank-1, non-negative atoms of
 *   0.5 s at λ = 0.1 λ_max, after a 1 Hz high-pass; average reference for rank-1 learning, as
 *   MNE-Python does before source-related analysis (a common reference mixes into every
 *   topography and makes them one sign); EEG channels only; one standard deviation for all
 *   channels so that their relative amplitudes (the topographies) survive.
 * - MEG: as EEG without a reference; magnetometers and gradiometers have different units, so
 *   each channel is brought to unit variance.
 * - Eye movements: one atom of about one nystagmus beat (0.27 s at ~3.7 Hz), on gaze/EOG
 *   channels; a 0.1 Hz high-pass takes the slow drift of the position, not the beat.
 * - ECG: the heartbeat's QRS complex and its neighbours (0.3 s) on the ECG leads, after a
 *   0.5 Hz high-pass against the baseline wander (the usual diagnostic ECG band starts there).
 * - Sound: short atoms (20 ms) after a 20 Hz high-pass (below hearing, DC and rumble).
 * - Images: 2-D full-rank atoms of 10 × 10 pixels, on each colour plane without its mean and its
 *   local background (a Gaussian blur as wide as an atom), as image dictionary learning does
 *   (Heide, Heidrich & Wetzstein 2015; Wohlberg 2016 high-pass the image first): otherwise
 *   non-negative codes on brightness learn flat patches, the brightness of regions.
 * Signals start from random atoms: on real recordings it reaches lower objectives than the
 * greedy start (one atom at a time from the worst-explained window), whose first atoms lock
 * onto the largest events and shifted copies of them (docs/lambda.md has the measurements).
 * Every signal kind has its offset and its slow drift removed before learning: a constant
 * or a ramp is not physiology, and a convolutional atom would waste itself fitting it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-defaults"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-defaults.h"

#define TYPE(t) (1u << (t))

static const AsDefaults table[AS_SIGNAL_KIND_N] = {
  [AS_SIGNAL_KIND_GENERIC] = {
    AS_SIGNAL_KIND_GENERIC, "generic", N_("Other signals"),
    5, 0.0, 0.1, TRUE, AS_CDL_INIT_RANDOM, 50,
    AS_DETREND_LINEAR, 0.0, 0.0, 0.0, AS_REREF_NONE, 0, AS_SCALE_GLOBAL_STD },
  [AS_SIGNAL_KIND_EEG] = {
    AS_SIGNAL_KIND_EEG, "eeg", N_("EEG"),
    5, 0.5, 0.1, TRUE, AS_CDL_INIT_RANDOM, 30,
    AS_DETREND_LINEAR, 1.0, 0.0, 0.0, AS_REREF_AVERAGE, TYPE (AS_CHANNEL_EEG), AS_SCALE_GLOBAL_STD },
  [AS_SIGNAL_KIND_MEG] = {
    AS_SIGNAL_KIND_MEG, "meg", N_("MEG"),
    5, 0.5, 0.1, TRUE, AS_CDL_INIT_RANDOM, 30,
    AS_DETREND_LINEAR, 1.0, 0.0, 0.0, AS_REREF_NONE, TYPE (AS_CHANNEL_MEG), AS_SCALE_ZSCORE },
  [AS_SIGNAL_KIND_EYE] = {
    AS_SIGNAL_KIND_EYE, "eye", N_("Eye movements"),
    1, 0.27, 0.1, TRUE, AS_CDL_INIT_RANDOM, 50,
    AS_DETREND_LINEAR, 0.1, 0.0, 0.0, AS_REREF_NONE,
    TYPE (AS_CHANNEL_GAZE) | TYPE (AS_CHANNEL_EOG), AS_SCALE_GLOBAL_STD },
  [AS_SIGNAL_KIND_ECG] = {
    AS_SIGNAL_KIND_ECG, "ecg", N_("ECG"),
    3, 0.3, 0.1, TRUE, AS_CDL_INIT_RANDOM, 50,
    AS_DETREND_LINEAR, 0.5, 0.0, 0.0, AS_REREF_NONE, TYPE (AS_CHANNEL_ECG), AS_SCALE_GLOBAL_STD },
  [AS_SIGNAL_KIND_SOUND] = {
    AS_SIGNAL_KIND_SOUND, "sound", N_("Sound"),
    8, 0.02, 0.1, TRUE, AS_CDL_INIT_RANDOM, 50,
    AS_DETREND_LINEAR, 20.0, 0.0, 0.0, AS_REREF_NONE, 0, AS_SCALE_GLOBAL_STD },
  [AS_SIGNAL_KIND_IMAGE] = {
    AS_SIGNAL_KIND_IMAGE, "image", N_("Images"),
    9, 10.0, 0.1, FALSE, AS_CDL_INIT_GREEDY, 20,
    AS_DETREND_NONE, 0.0, 0.0, 0.0, AS_REREF_NONE, 0, AS_SCALE_NONE },
};

const AsDefaults *
as_defaults_get (AsSignalKind kind)
{
  return &table[(guint) kind < AS_SIGNAL_KIND_N ? kind : AS_SIGNAL_KIND_GENERIC];
}

const char *
as_signal_kind_to_string (AsSignalKind kind)
{
  return as_defaults_get (kind)->name;
}

gboolean
as_signal_kind_from_string (const char *name, AsSignalKind *kind)
{
  for (guint i = 0; i < AS_SIGNAL_KIND_N; i++)
    if (name != NULL && g_ascii_strcasecmp (name, table[i].name) == 0)
      {
        *kind = (AsSignalKind) i;
        return TRUE;
      }
  return FALSE;
}

AsSignalKind
as_signal_kind_for_recording (const AsRecording *rec)
{
  guint count[AS_CHANNEL_STIM + 1] = { 0 };

  for (guint c = 0; c < rec->n_channels; c++)
    if ((guint) rec->channels[c].type <= AS_CHANNEL_STIM)
      count[rec->channels[c].type]++;
  if (count[AS_CHANNEL_MEG] > 0 && count[AS_CHANNEL_MEG] >= count[AS_CHANNEL_EEG])
    return AS_SIGNAL_KIND_MEG;
  if (count[AS_CHANNEL_EEG] >= 2)
    return AS_SIGNAL_KIND_EEG;
  if (count[AS_CHANNEL_GAZE] + count[AS_CHANNEL_EOG] > 0)
    return AS_SIGNAL_KIND_EYE;
  if (count[AS_CHANNEL_ECG] > 0)
    return AS_SIGNAL_KIND_ECG;
  if (count[AS_CHANNEL_AUDIO] > 0 || rec->kind == AS_RECORDING_AUDIO)
    {
      /* Sound files also carry slow biosignals (MIT-BIH records are often shared as WAV):
       * below 2 kHz it is not sound; the file name may say what it is. */
      g_autofree char *base = rec->path ? g_path_get_basename (rec->path) : g_strdup ("");
      g_autofree char *lower = g_ascii_strdown (base, -1);
      if (rec->sfreq >= 2000)
        return AS_SIGNAL_KIND_SOUND;
      if (strstr (lower, "ecg") || strstr (lower, "ekg"))
        return AS_SIGNAL_KIND_ECG;
      if (strstr (lower, "eeg"))
        return AS_SIGNAL_KIND_EEG;
      return AS_SIGNAL_KIND_GENERIC;
    }
  if (count[AS_CHANNEL_EEG] > 0)
    return AS_SIGNAL_KIND_EEG;
  return AS_SIGNAL_KIND_GENERIC;
}

guint
as_defaults_atom_samples (double seconds, double sfreq)
{
  if (!(sfreq > 0) || !(seconds > 0))
    return 64;
  return (guint) MAX (2.0, round (seconds * sfreq));
}

void
as_defaults_fill (AsSignalKind kind, double sfreq, AsCdlParams *params,
                  AsPreprocessOptions *opts)
{
  const AsDefaults *d = as_defaults_get (kind);

  if (params != NULL)
    {
      as_cdl_params_init (params);
      params->n_atoms = d->n_atoms;
      params->lambda = d->lambda;
      params->lambda_absolute = FALSE;
      params->rank1 = d->rank1;
      params->init = d->init;
      params->max_iter = d->max_iter;
      if (kind == AS_SIGNAL_KIND_IMAGE)
        params->atom_length = params->atom_height = (guint) d->atom_duration;
      else
        params->atom_length = as_defaults_atom_samples (d->atom_duration, sfreq);
    }
  if (opts != NULL)
    {
      as_preprocess_options_init (opts);
      opts->detrend = d->detrend;
      /* A filter needs a rate well above its cut-off; without one, detrending does the work. */
      if (sfreq > 4 * d->highpass)
        opts->highpass = d->highpass;
      if (sfreq > 2.5 * d->lowpass)
        opts->lowpass = d->lowpass;
      if (sfreq > 2.5 * d->notch)
        {
          opts->notch = d->notch;
          opts->notch_harmonics = d->notch > 0;
        }
      opts->reref = d->reference;
      opts->types = d->learn_types;
      opts->scale = d->scale;
    }
}

void
as_defaults_fill_for_recording (AsSignalKind kind, const AsRecording *rec, double sfreq,
                                AsCdlParams *params, AsPreprocessOptions *opts)
{
  AsPreprocessOptions local;
  gboolean any = FALSE;
  guint n_eeg = 0;

  if (opts == NULL)
    opts = &local;
  as_defaults_fill (kind, sfreq, params, opts);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      any |= (opts->types & (1u << rec->channels[c].type)) != 0;
      n_eeg += rec->channels[c].type == AS_CHANNEL_EEG;
    }
  if (!any)
    opts->types = 0;
  /* A high-pass needs a recording of many periods of its cut-off: on a shorter one its slow
   * response spans the whole record and shapes the signal, so the linear detrend alone takes
   * the drift (a nystagmus recording of a few seconds keeps its beats). */
  if (opts->highpass > 0 && as_recording_duration (rec) < 10.0 / opts->highpass)
    opts->highpass = 0;
  if (opts->reref == AS_REREF_AVERAGE && n_eeg < 2)
    opts->reref = AS_REREF_NONE;
}

void
as_defaults_image_options (const AsCdlParams *params, double background, AsPreprocessOptions *opts)
{
  as_preprocess_options_init (opts);
  opts->detrend = AS_DETREND_CONSTANT;
  opts->image_background = background < 0 ? MAX (params->atom_height, params->atom_length)
                                           : background;
}
