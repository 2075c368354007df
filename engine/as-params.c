/* as-params.c: learning parameters, their checks, and what learning sees of a recording.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-params"

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-cdl-export.h"
#include "as-csc.h"
#include "as-engine.h"
#include "as-params.h"
#include "as-defaults.h"
#include "as-image.h"
#include "as-npy.h"
#include "as-reader.h"

/* ---- one option at a time --------------------------------------------------------- */

void
as_learn_request_init (AsLearnRequest *req)
{
  memset (req, 0, sizeof *req);
  req->n_atoms = req->atom_samples = req->atom_size = -1;
  req->iterations = req->batch = req->threads = req->seed = -1;
  req->atom_seconds = req->lambda = req->lambda_abs = req->tol = req->tukey = NAN;
  req->rate = req->highpass = req->lowpass = req->notch = NAN;
  req->start = req->end = req->resample = req->background = NAN;
}

void
as_learn_request_clear (AsLearnRequest *req)
{
  g_clear_pointer (&req->kind, g_free);
  g_clear_pointer (&req->init, g_free);
  g_clear_pointer (&req->reference, g_free);
  g_clear_pointer (&req->channels, g_free);
}

typedef enum { OPT_INT, OPT_DOUBLE, OPT_STRING, OPT_SWITCH } OptKind;

typedef struct
{
  const char *name;
  char        short_name;
  OptKind     kind;
  gsize       offset;
  double      min, max;        /* accepted range (numbers) */
  gboolean    min_open;        /* > min rather than ≥ min */
  gboolean    max_open;        /* < max rather than ≤ max */
  const char *range;           /* the range as the message states it (translatable) */
} OptSpec;

#define F(field) G_STRUCT_OFFSET (AsLearnRequest, field)

static const OptSpec options[] = {
  { "kind", 0, OPT_STRING, F (kind), 0, 0, FALSE, FALSE, NULL },
  { "atoms", 'k', OPT_INT, F (n_atoms), 1, 100000, FALSE, FALSE, N_("an integer from 1 to 100000") },
  { "atom-length", 'l', OPT_DOUBLE, F (atom_seconds), 0, 3600, TRUE, FALSE, N_("a duration in seconds, > 0 and ≤ 3600") },
  { "atom-samples", 0, OPT_INT, F (atom_samples), 2, 1e9, FALSE, FALSE, N_("an integer ≥ 2") },
  { "atom-size", 0, OPT_INT, F (atom_size), 2, 4096, FALSE, FALSE, N_("an integer from 2 to 4096 (pixels)") },
  { "background", 0, OPT_DOUBLE, F (background), 0, 4096, FALSE, FALSE, N_("a width in pixels from 0 to 4096 (0: the mean only)") },
  { "lambda", 0, OPT_DOUBLE, F (lambda), 0, 1, FALSE, TRUE, N_("a fraction of λ_max in [0, 1)") },
  { "lambda-absolute", 0, OPT_DOUBLE, F (lambda_abs), 0, HUGE_VAL, FALSE, TRUE, N_("a finite number ≥ 0 in the data's units") },
  { "rank1", 0, OPT_SWITCH, F (rank1), 0, 0, FALSE, FALSE, NULL },
  { "full", 0, OPT_SWITCH, F (full), 0, 0, FALSE, FALSE, NULL },
  { "signed", 0, OPT_SWITCH, F (is_signed), 0, 0, FALSE, FALSE, NULL },
  { "online", 0, OPT_SWITCH, F (online), 0, 0, FALSE, FALSE, NULL },
  { "init", 0, OPT_STRING, F (init), 0, 0, FALSE, FALSE, NULL },
  { "iterations", 'n', OPT_INT, F (iterations), 1, 1000000, FALSE, FALSE, N_("an integer from 1 to 1000000") },
  { "tol", 0, OPT_DOUBLE, F (tol), 0, 1, FALSE, TRUE, N_("a fraction in [0, 1)") },
  { "batch", 0, OPT_INT, F (batch), 1, 1000000, FALSE, FALSE, N_("an integer from 1 to 1000000") },
  { "tukey", 0, OPT_DOUBLE, F (tukey), 0, 1, FALSE, FALSE, N_("a shape in [0, 1]") },
  { "rate", 'r', OPT_DOUBLE, F (rate), 0, 1e9, TRUE, FALSE, N_("a rate in Hz, > 0") },
  { "highpass", 0, OPT_DOUBLE, F (highpass), 0, 1e9, FALSE, FALSE, N_("a frequency in Hz ≥ 0 (0: off)") },
  { "lowpass", 0, OPT_DOUBLE, F (lowpass), 0, 1e9, FALSE, FALSE, N_("a frequency in Hz ≥ 0 (0: off)") },
  { "notch", 0, OPT_DOUBLE, F (notch), 0, 1e9, FALSE, FALSE, N_("a frequency in Hz ≥ 0 (0: off; usually 50 or 60)") },
  { "reference", 0, OPT_STRING, F (reference), 0, 0, FALSE, FALSE, NULL },
  { "channels", 0, OPT_STRING, F (channels), 0, 0, FALSE, FALSE, NULL },
  { "start", 0, OPT_DOUBLE, F (start), 0, 1e12, FALSE, FALSE, N_("a time in seconds ≥ 0") },
  { "end", 0, OPT_DOUBLE, F (end), 0, 1e12, TRUE, FALSE, N_("a time in seconds > 0") },
  { "resample", 0, OPT_DOUBLE, F (resample), 0, 1e9, TRUE, FALSE, N_("a rate in Hz, > 0") },
  { "threads", 0, OPT_INT, F (threads), 1, 4096, FALSE, FALSE, N_("an integer from 1 to 4096") },
  { "seed", 's', OPT_INT, F (seed), 0, 9.2e18, FALSE, FALSE, N_("an integer ≥ 0") },
};

static const OptSpec *
find_option (const char *option)
{
  while (*option == '-')
    option++;
  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    if (strcmp (option, options[i].name) == 0
        || (options[i].short_name != 0 && option[0] == options[i].short_name && option[1] == '\0'))
      return &options[i];
  return NULL;
}

static gboolean
out_of_range (const OptSpec *o, double v)
{
  return !isfinite (v) || (o->min_open ? v <= o->min : v < o->min)
         || (o->max_open ? v >= o->max : v > o->max);
}

gboolean
as_learn_request_set (AsLearnRequest *req, const char *option, const char *value, GError **error)
{
  const OptSpec *o = find_option (option);
  char *field;

  if (o == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("unknown option “%s”"), option);
      return FALSE;
    }
  field = (char *) req + o->offset;
  if (o->kind == OPT_SWITCH)
    {
      *(gboolean *) field = TRUE;
      return TRUE;
    }
  if (value == NULL)
    value = "";
  if (o->kind == OPT_STRING)
    {
      char **s = (char **) field;
      if (*value == '\0')
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--%s needs a value"), o->name);
          return FALSE;
        }
      g_free (*s);
      *s = g_strdup (value);
      return TRUE;
    }
  {
    char *end = NULL;
    double v;

    errno = 0;
    v = g_ascii_strtod (value, &end);
    while (end != NULL && g_ascii_isspace (*end))
      end++;
    if (end == value || end == NULL || *end != '\0')
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("--%s: “%s” is not a number; it takes %s"), o->name, value, _(o->range));
        return FALSE;
      }
    if (out_of_range (o, v) || (o->kind == OPT_INT && v != floor (v)))
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("--%s %s is out of range: it takes %s"), o->name, value, _(o->range));
        return FALSE;
      }
    if (o->kind == OPT_INT)
      *(gint64 *) field = (gint64) v;
    else
      *(double *) field = v;
  }
  return TRUE;
}

#define SET(v) (!isnan (v))

gboolean
as_learn_request_check (const AsLearnRequest *req, GError **error)
{
  AsSignalKind kind;
  AsCdlInit init;

  if (req->rank1 && req->full)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--rank1 and --full exclude each other"));
      return FALSE;
    }
  if (SET (req->lambda) && SET (req->lambda_abs))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--lambda and --lambda-absolute exclude each other"));
      return FALSE;
    }
  if (SET (req->atom_seconds) && req->atom_samples > 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--atom-length and --atom-samples exclude each other"));
      return FALSE;
    }
  if (SET (req->start) && SET (req->end) && !(req->end > req->start))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--end (%g s) must come after --start (%g s)"), req->end, req->start);
      return FALSE;
    }
  if (SET (req->highpass) && SET (req->lowpass) && req->highpass > 0 && req->lowpass > 0
      && !(req->lowpass > req->highpass))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--lowpass (%g Hz) must be above --highpass (%g Hz)"), req->lowpass,
                   req->highpass);
      return FALSE;
    }
  if (req->kind != NULL && !as_signal_kind_from_string (req->kind, &kind))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("unknown --kind “%s” (use eeg, meg, eye, ecg, sound, image or generic)"),
                   req->kind);
      return FALSE;
    }
  if (req->init != NULL && !as_cdl_init_from_string (req->init, &init))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("unknown --init “%s” (use greedy, chunk or random)"), req->init);
      return FALSE;
    }
  if (req->batch > 0 && !req->online)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--batch applies to online learning only: add --online"));
      return FALSE;
    }
  return TRUE;
}

/* Options common to signals and images. */
static void
apply_learning (const AsLearnRequest *req, AsCdlParams *p)
{
  if (req->n_atoms > 0)
    p->n_atoms = (guint) req->n_atoms;
  if (SET (req->lambda))
    p->lambda = req->lambda;
  if (SET (req->lambda_abs))
    {
      p->lambda = req->lambda_abs;
      p->lambda_absolute = TRUE;
    }
  if (req->rank1)
    p->rank1 = TRUE;
  if (req->full)
    p->rank1 = FALSE;
  if (req->is_signed)
    p->positive = FALSE;
  if (req->init != NULL)
    as_cdl_init_from_string (req->init, &p->init);
  if (req->iterations > 0)
    p->max_iter = (guint) req->iterations;
  if (SET (req->tol))
    p->tol = req->tol;
  p->online = req->online;
  if (req->batch > 0)
    p->online_batch = (guint) req->batch;
  if (SET (req->tukey))
    p->tukey = req->tukey;
  if (req->seed >= 0)
    p->seed = (guint64) req->seed;
}

gboolean
as_learn_request_resolve_image (const AsLearnRequest *req, AsCdlParams *params, GError **error)
{
  static const char *const signal_only[] = { "highpass", "lowpass", "notch", "reference",
                                             "channels", "start", "end", "resample", "rate",
                                             "atom-length", "atom-samples", NULL };
  const gboolean given[] = { SET (req->highpass), SET (req->lowpass), SET (req->notch),
                             req->reference != NULL, req->channels != NULL, SET (req->start),
                             SET (req->end), SET (req->resample), SET (req->rate),
                             SET (req->atom_seconds), req->atom_samples > 0 };

  for (guint i = 0; signal_only[i]; i++)
    if (given[i])
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("--%s does not apply to an image (use --atom-size for the atoms' side)"),
                     signal_only[i]);
        return FALSE;
      }
  if (req->rank1)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--rank1 does not apply to an image: its atoms are full rank"));
      return FALSE;
    }
  as_defaults_fill (AS_SIGNAL_KIND_IMAGE, 0, params, NULL);
  apply_learning (req, params);
  params->rank1 = FALSE;
  if (req->atom_size > 0)
    params->atom_length = params->atom_height = (guint) req->atom_size;
  return as_cdl_params_validate (params, error);
}

static const struct { const char *name; AsChannelType type; } type_names[] = {
  { "eeg", AS_CHANNEL_EEG }, { "meg", AS_CHANNEL_MEG }, { "eog", AS_CHANNEL_EOG },
  { "ecg", AS_CHANNEL_ECG }, { "emg", AS_CHANNEL_EMG }, { "gaze", AS_CHANNEL_GAZE },
  { "eye", AS_CHANNEL_GAZE }, { "pupil", AS_CHANNEL_PUPIL }, { "audio", AS_CHANNEL_AUDIO },
  { "other", AS_CHANNEL_OTHER },
};

/* "eeg", "eeg,eog", "all" → a type mask; anything else is a list of labels. */
static gboolean
parse_channels (const char *text, guint *types, char ***labels)
{
  g_auto (GStrv) parts = g_strsplit (text, ",", -1);
  guint mask = 0, n = 0;

  for (guint i = 0; parts[i]; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      n++;
      if (g_ascii_strcasecmp (parts[i], "all") == 0)
        {
          mask |= G_MAXUINT & ~(1u << AS_CHANNEL_STIM);
          continue;
        }
      for (guint t = 0; t < G_N_ELEMENTS (type_names); t++)
        if (g_ascii_strcasecmp (parts[i], type_names[t].name) == 0)
          mask |= 1u << type_names[t].type;
    }
  if (mask != 0)
    {
      *types = mask;
      *labels = NULL;
      return TRUE;
    }
  if (n == 0)
    return FALSE;
  {
    GPtrArray *a = g_ptr_array_new ();
    for (guint i = 0; parts[i]; i++)
      if (*parts[i] != '\0')
        g_ptr_array_add (a, g_strdup (parts[i]));
    g_ptr_array_add (a, NULL);
    *labels = (char **) g_ptr_array_free (a, FALSE);
    *types = 0;
  }
  return TRUE;
}

static const char *
name_of (const AsRecording *rec)
{
  return rec->path != NULL ? rec->path : _("the recording");
}

gboolean
as_learn_request_resolve (const AsLearnRequest *req, const AsRecording *rec,
                          AsSignalKind *kind_out, AsCdlParams *params, AsPreprocessOptions *opts,
                          char ***labels_out, GError **error)
{
  AsSignalKind kind = as_signal_kind_for_recording (rec);
  const double duration = as_recording_duration (rec);
  double fs = rec->sfreq;

  *labels_out = NULL;
  if (!as_learn_request_check (req, error))
    return FALSE;
  if (req->kind != NULL)
    as_signal_kind_from_string (req->kind, &kind);
  if (kind == AS_SIGNAL_KIND_IMAGE)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--kind image applies to image files only"));
      return FALSE;
    }
  if (req->atom_size > 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--atom-size applies to images only (use --atom-length or --atom-samples)"));
      return FALSE;
    }
  if (SET (req->background))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--background applies to images only (signals take --highpass)"));
      return FALSE;
    }
  /* --rate only fills in a rate the file does not store. */
  if (SET (req->rate) && fabs (rec->sfreq - req->rate) > 1e-9 * req->rate)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--rate does not apply to %s: the file gives its own sampling rate (%g Hz); leave --rate out, or use --resample to change the rate"),
                   name_of (rec), rec->sfreq);
      return FALSE;
    }
  if (SET (req->resample))
    fs = req->resample;
  as_defaults_fill_for_recording (kind, rec, fs, params, opts);
  apply_learning (req, params);
  if (req->atom_samples > 0)
    params->atom_length = (guint) req->atom_samples;
  else if (SET (req->atom_seconds))
    {
      double n = round (req->atom_seconds * fs);
      if (n < 2)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--atom-length %g s is shorter than two samples at %g Hz: it takes at least %g s"),
                       req->atom_seconds, fs, 2 / fs);
          return FALSE;
        }
      if (n > G_MAXINT)
        n = G_MAXINT;
      params->atom_length = (guint) n;
    }

  if (SET (req->highpass))
    opts->highpass = req->highpass;
  if (SET (req->lowpass))
    opts->lowpass = req->lowpass;
  if (SET (req->notch))
    {
      opts->notch = req->notch;
      opts->notch_harmonics = req->notch > 0;
    }
  {
    const struct { const char *name; double v; } freqs[] = {
      { "highpass", opts->highpass }, { "lowpass", opts->lowpass }, { "notch", opts->notch } };
    for (guint i = 0; i < G_N_ELEMENTS (freqs); i++)
      if (freqs[i].v > 0 && freqs[i].v >= rec->sfreq / 2)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--%s %g Hz is at or above the Nyquist frequency of the file (%g Hz): it takes a frequency below %g Hz"),
                       freqs[i].name, freqs[i].v, rec->sfreq / 2, rec->sfreq / 2);
          return FALSE;
        }
  }
  if (opts->highpass > 0 && opts->lowpass > 0 && !(opts->lowpass > opts->highpass))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--lowpass (%g Hz) must be above the high-pass (%g Hz)"), opts->lowpass,
                   opts->highpass);
      return FALSE;
    }
  if (SET (req->resample) && req->resample > rec->sfreq * 16)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--resample %g Hz is more than 16 times the file's rate (%g Hz)"),
                   req->resample, rec->sfreq);
      return FALSE;
    }
  if (SET (req->resample))
    opts->resample = req->resample;

  if (req->reference != NULL)
    {
      if (g_ascii_strcasecmp (req->reference, "average") == 0)
        opts->reref = AS_REREF_AVERAGE;
      else if (g_ascii_strcasecmp (req->reference, "none") == 0
               || g_ascii_strcasecmp (req->reference, "as-recorded") == 0)
        opts->reref = AS_REREF_NONE;
      else
        {
          gboolean found = FALSE;
          for (guint c = 0; c < rec->n_channels && !found; c++)
            found = g_ascii_strcasecmp (rec->channels[c].label, req->reference) == 0;
          if (!found)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("--reference takes average, none or a channel of the file; no channel is called “%s”"),
                           req->reference);
              return FALSE;
            }
          opts->reref = AS_REREF_CHANNEL;
          opts->reref_channel = req->reference;
        }
    }
  if (req->channels != NULL)
    {
      if (!parse_channels (req->channels, &opts->types, labels_out))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--channels takes a channel type (eeg, meg, eog, ecg, emg, gaze, pupil, audio, other, all) or channel names separated by commas"));
          return FALSE;
        }
      opts->channels = (const char *const *) *labels_out;
      for (guint i = 0; *labels_out && (*labels_out)[i]; i++)
        {
          gboolean found = FALSE;
          for (guint c = 0; c < rec->n_channels && !found; c++)
            found = g_ascii_strcasecmp (rec->channels[c].label, (*labels_out)[i]) == 0;
          if (!found)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("--channels: no channel of %s is called “%s”"),
                           name_of (rec), (*labels_out)[i]);
              return FALSE;
            }
        }
    }

  if (SET (req->start) || SET (req->end))
    {
      opts->crop_start = SET (req->start) ? req->start : 0;
      opts->crop_stop = SET (req->end) ? req->end : 0;
      if (opts->crop_start >= duration)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--start %g s is at or after the end of the recording (%.3f s)"),
                       opts->crop_start, duration);
          return FALSE;
        }
      if (opts->crop_stop > duration * (1 + 1e-9) + 1 / rec->sfreq)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--end %g s is after the end of the recording (%.3f s)"),
                       opts->crop_stop, duration);
          return FALSE;
        }
    }
  if (kind_out != NULL)
    *kind_out = kind;
  return as_cdl_params_validate (params, error);
}

/* ---- resolved parameters ------------------------------------------------------------ */

gboolean
as_cdl_params_validate (const AsCdlParams *p, GError **error)
{
  if (p->n_atoms < 1 || p->atom_length < 1 || p->atom_height < 1 || p->max_iter < 1)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("learning needs at least one atom of at least one sample and one iteration (asked: %u atoms of %u × %u samples, %u iterations)"),
                   p->n_atoms, p->atom_height, p->atom_length, p->max_iter);
      return FALSE;
    }
  if (!isfinite (p->lambda) || p->lambda < 0 || (!p->lambda_absolute && p->lambda >= 1))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   p->lambda_absolute ? _("λ = %g: it takes a finite number ≥ 0")
                                      : _("λ = %g λ_max: it takes a fraction in [0, 1) (at λ_max every activation is zero)"),
                   p->lambda);
      return FALSE;
    }
  if (!isfinite (p->tol) || p->tol < 0 || p->tol >= 1 || !isfinite (p->z_tol) || p->z_tol < 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("the tolerance %g takes a fraction in [0, 1)"), p->tol);
      return FALSE;
    }
  if (!(p->tukey >= 0 && p->tukey <= 1))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("the Tukey taper %g takes a shape in [0, 1]"), p->tukey);
      return FALSE;
    }
  if (p->online && p->online_batch < 1)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("online learning needs at least one window per minibatch"));
      return FALSE;
    }
  return TRUE;
}

guint64
as_memory_available (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/meminfo", &text, NULL, NULL))
    return 0;
  line = strstr (text, "MemAvailable:");
  if (line == NULL)
    return 0;
  return g_ascii_strtoull (line + strlen ("MemAvailable:"), NULL, 10) * 1024;
}

/* Online windows: as in as-cdl.c, 8 atom lengths, advancing by Tw − L + 1. */
static guint64
online_windows (const AsCdlParams *p, guint n_trials, guint width, guint *tw_out)
{
  const guint L = p->atom_length;
  const guint Tw = MIN (width, p->online_window > 0 ? p->online_window : 8 * L);

  *tw_out = Tw;
  if (Tw < L)
    return 0;
  return (guint64) n_trials * ((width - Tw) / (Tw - L + 1) + 2);
}

guint64
as_cdl_memory_estimate (const AsCdlParams *p, guint n_trials, guint n_channels, guint height,
                        guint width)
{
  const guint h = MAX (1, p->atom_height), w = p->atom_length, K = p->n_atoms;
  const double nv = (double) (height >= h ? height - h + 1 : 0) * (width >= w ? width - w + 1 : 0);
  const double ssz = (double) n_channels * height * width;
  const double asz = (double) n_channels * h * w, lag = (2.0 * h - 1) * (2.0 * w - 1);
  /* The data (and its copy in a job), activations (the state, one snapshot being published,
   * the result), the z-step's correlations and gradient, the statistics and atom products,
   * the residual images of a resampling. */
  double doubles = 2 * n_trials * ssz + (3.0 * n_trials + 2) * K * nv + 3.0 * K * K * lag
                   + 6.0 * K * asz + 2 * ssz + (height + 1.0) * (width + 1.0);

  if (p->online && height == 1)
    {
      guint Tw;
      double n_win = (double) online_windows (p, n_trials, width, &Tw);
      double nvw = Tw >= w ? Tw - w + 1 : 0;
      doubles += n_win * K * nvw + p->online_batch * (n_channels * (double) Tw + K * nvw)
                 + 2.0 * K * K * lag;
    }
  return (guint64) MIN (doubles * sizeof (double), 1.8e19);
}

gboolean
as_cdl_params_check_fit (const AsCdlParams *p, guint n_trials, guint n_channels, guint height,
                         guint width, GError **error)
{
  const guint h = MAX (1, p->atom_height), w = p->atom_length;
  guint64 windows, need, avail;

  if (!as_cdl_params_validate (p, error))
    return FALSE;
  if (width < 2 * w || height < (h > 1 ? 2 * h : 1))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   h > 1 ? _("the image (%u × %u pixels) is smaller than two atoms across (atoms of %u × %u): use a smaller --atom-size")
                         : _("the signal (%u × %u samples) is shorter than two atoms (%u × %u samples): use shorter atoms or a longer recording"),
                   height, width, h, w);
      return FALSE;
    }
  /* More atoms than non-overlapping atom-sized windows cannot all explain something. */
  windows = (guint64) n_trials * (height / h) * (width / w);
  if (p->n_atoms > windows)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--atoms %u is more than the data holds: it has room for %" PRIu64 " non-overlapping atoms of %u samples, so it takes at most %" PRIu64 " atoms"),
                   p->n_atoms, (uint64_t) windows, w * h, (uint64_t) windows);
      return FALSE;
    }
  if (p->online)
    {
      guint Tw;
      guint64 n_win = online_windows (p, n_trials, width, &Tw);
      if (p->online_batch > MAX (n_win, 1))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--batch %u is more than the %" PRIu64 " windows of %u samples in the data: it takes at most %" PRIu64),
                       p->online_batch, (uint64_t) n_win, Tw, (uint64_t) MAX (n_win, 1));
          return FALSE;
        }
    }
  need = as_cdl_memory_estimate (p, n_trials, n_channels, height, width);
  avail = as_memory_available ();
  if (avail > 0 && need > avail)
    {
      g_autofree char *n = g_format_size_full (need, G_FORMAT_SIZE_IEC_UNITS);
      g_autofree char *a = g_format_size_full (avail, G_FORMAT_SIZE_IEC_UNITS);
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("this run would need about %s of memory and the machine has %s available: use fewer atoms, shorter atoms, a shorter recording (--start/--end) or a smaller --batch"),
                   n, a);
      return FALSE;
    }
  return TRUE;
}

/* ---- what learning sees ------------------------------------------------------------- */

void
as_learn_report_free (AsLearnReport *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref (r->excluded);
  g_ptr_array_unref (r->stimulus);
  g_clear_pointer (&r->warnings, g_ptr_array_unref);
  if (r->preprocessing)
    json_object_unref (r->preprocessing);
  g_free (r);
}

/* Channels that carry events rather than a signal: by type or label (stimulus, trigger,
 * status, annotations, saccade/blink/fixation flags, markers), or, for channels of no known
 * type, by their values: a few integer levels, one of them (the baseline) most of the time. */
static gboolean
is_event_channel (const AsChannel *ch, const double *x, gsize n)
{
  static const char *const words[] = { "stim", "trig", "status", "annotation", "sacc", "blink",
                                       "fixation", "flag", "marker", "event", "button",
                                       "response", "sti0", "sti1", NULL };
  g_autofree char *l = g_ascii_strdown (ch->label ? ch->label : "", -1);
  double levels[17];
  guint n_levels = 0, counts[17] = { 0 }, best = 0;
  gsize n_finite = 0;

  if (ch->type == AS_CHANNEL_STIM)
    return TRUE;
  for (guint i = 0; words[i]; i++)
    if (strstr (l, words[i]) != NULL)
      return TRUE;
  if (ch->type != AS_CHANNEL_OTHER || n < 10)
    return FALSE;
  for (gsize t = 0; t < n; t++)
    {
      guint j;
      if (!isfinite (x[t]))
        continue;
      if (x[t] != floor (x[t]))
        return FALSE;
      n_finite++;
      for (j = 0; j < n_levels && levels[j] != x[t]; j++)
        ;
      if (j == n_levels)
        {
          if (n_levels == 16)
            return FALSE;
          levels[n_levels++] = x[t];
        }
      counts[j]++;
    }
  for (guint j = 0; j < n_levels; j++)
    best = MAX (best, counts[j]);
  return n_levels >= 2 && best >= 0.8 * n_finite;
}

/* One event per run of samples away from the channel's baseline (its most common value). */
static guint
add_channel_events (AsRecording *out, const AsChannel *ch, const double *x, gsize n, double fs)
{
  g_autoptr (GHashTable) count = g_hash_table_new_full (g_double_hash, g_double_equal, g_free, NULL);
  double baseline = 0;
  guint best = 0, added = 0;

  for (gsize t = 0; t < n; t++)
    if (isfinite (x[t]))
      {
        guint c = GPOINTER_TO_UINT (g_hash_table_lookup (count, &x[t])) + 1;
        g_hash_table_replace (count, g_memdup2 (&x[t], sizeof (double)), GUINT_TO_POINTER (c));
        if (c > best)
          {
            best = c;
            baseline = x[t];
          }
      }
  for (gsize t = 0; t < n;)
    {
      gsize e = t;
      if (!isfinite (x[t]) || x[t] == baseline)
        {
          t++;
          continue;
        }
      while (e < n && x[e] == x[t])
        e++;
      {
        g_autofree char *label = (x[t] == 1 && baseline == 0)
                                 ? g_strdup (ch->label)
                                 : g_strdup_printf ("%s=%g", ch->label, x[t]);
        as_recording_add_event (out, t / fs, (e - t) / fs, label);
      }
      added++;
      t = e;
    }
  return added;
}

void
as_learn_no_channel_error (const char *name, guint n_channels, guint n_wanted,
                           GPtrArray *excluded, GError **error)
{
  g_autofree char *list = NULL;

  g_ptr_array_add (excluded, NULL);
  list = g_strjoinv ("; ", (char **) excluded->pdata);
  g_ptr_array_remove_index (excluded, excluded->len - 1);
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
               n_wanted == 0 ? _("%s: no channel to learn from (of %u): choose others with --channels")
                             : _("%s: no channel has a usable signal (of %u): %s"),
               name, n_channels, list ? list : "");
}

char *
as_learn_unusable_verdict (gsize finite, double lo, double hi, gsize repeats, gsize at_lo,
                           gsize at_hi)
{
  if (finite == 0)
    return g_strdup (_("no finite sample"));
  if (hi - lo <= 1e-12 * MAX (fabs (hi), fabs (lo)) || hi == lo)
    return g_strdup_printf (_("constant (%g)"), lo);
  if (repeats >= 0.99 * (double) finite)
    return g_strdup_printf (_("flat (%.1f%% of samples repeat the previous one)"),
                            100.0 * repeats / finite);
  if (at_lo >= 0.1 * finite || at_hi >= 0.1 * finite)
    return g_strdup_printf (_("saturated (%.1f%% of samples at its limit %g)"),
                            100.0 * MAX (at_lo, at_hi) / finite, at_lo >= at_hi ? lo : hi);
  return NULL;
}

/* NULL when the channel can be learned from, else why not. */
static char *
unusable_reason (const double *x, gsize n)
{
  double lo = HUGE_VAL, hi = -HUGE_VAL;
  gsize finite = 0, repeats = 0, at_lo = 0, at_hi = 0;

  for (gsize t = 0; t < n; t++)
    if (isfinite (x[t]))
      {
        finite++;
        lo = MIN (lo, x[t]);
        hi = MAX (hi, x[t]);
        if (t > 0 && x[t] == x[t - 1])
          repeats++;
      }
  if (finite > 0)
    for (gsize t = 0; t < n; t++)
      {
        at_lo += x[t] == lo;
        at_hi += x[t] == hi;
      }
  return as_learn_unusable_verdict (finite, lo, hi, repeats, at_lo, at_hi);
}

gboolean
as_learn_channel_is_event (const AsChannel *ch, const double *x, gsize n)
{
  return is_event_channel (ch, x, n);
}

gboolean
as_learn_channel_wanted (const AsChannel *ch, const AsPreprocessOptions *opts)
{
  if (opts->channels != NULL)
    {
      for (guint i = 0; opts->channels[i]; i++)
        if (g_ascii_strcasecmp (ch->label, opts->channels[i]) == 0)
          return TRUE;
      return FALSE;
    }
  return opts->types == 0 || (opts->types & (1u << ch->type)) != 0;
}

static gint
compare_doubles (gconstpointer a, gconstpointer b, gpointer user_data)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Some channel of @rec at sample @t lies beyond 6 robust scales of its median. */
static gboolean
far_from_usual (const AsRecording *rec, gsize t, const double *center, const double *scale)
{
  for (guint c = 0; c < rec->n_channels; c++)
    if (scale[c] > 0 && fabs (rec->data[(gsize) c * rec->n_samples + t] - center[c]) > 6 * scale[c])
      return TRUE;
  return FALSE;
}

gsize
as_learn_mask_margins (AsRecording *rec, const AsPreprocessOptions *opts)
{
  const gsize n = rec->n_samples;
  gsize margin = 0, count = 0;
  g_autofree guint8 *time = NULL;
  g_autofree double *center = NULL, *scale = NULL;

  if (rec->missing == NULL)
    return 0;
  /* A filter's response to a bridged gap lasts about one period of its slowest corner. */
  if (opts->highpass > 0)
    margin = (gsize) ceil (rec->sfreq / opts->highpass);
  else if (opts->lowpass > 0)
    margin = (gsize) ceil (rec->sfreq / opts->lowpass);
  time = g_new0 (guint8, MAX (n, 1));
  for (guint c = 0; c < rec->n_channels; c++)
    for (gsize t = 0; t < n; t++)
      time[t] |= rec->missing[(gsize) c * n + t];
  /* Each channel's median and robust scale (1.4826 × median absolute deviation) over the
   * recorded samples, from at most 20 000 of them. */
  center = g_new0 (double, MAX (rec->n_channels, 1));
  scale = g_new0 (double, MAX (rec->n_channels, 1));
  {
    const gsize step = MAX ((gsize) 1, n / 20000);
    g_autofree double *buf = g_new (double, n / step + 1);
    for (guint c = 0; c < rec->n_channels; c++)
      {
        const double *x = rec->data + (gsize) c * n;
        gsize m = 0;
        for (gsize t = 0; t < n; t += step)
          if (!time[t])
            buf[m++] = x[t];
        if (m == 0)
          continue;
        g_qsort_with_data (buf, (gint) m, sizeof (double), compare_doubles, NULL);
        center[c] = buf[m / 2];
        for (gsize i = 0; i < m; i++)
          buf[i] = fabs (buf[i] - center[c]);
        g_qsort_with_data (buf, (gint) m, sizeof (double), compare_doubles, NULL);
        scale[c] = 1.4826 * buf[m / 2];
      }
  }
  for (gsize t = 0; t < n; t++)
    if (time[t] == 1 && (t == 0 || time[t - 1] != 1 || t + 1 == n || time[t + 1] != 1))
      {
        /* An edge of a run of missing samples: flag the margin on its open side, and further
         * (up to five margins) while some channel is still far out of its usual range
         * (beyond 6 robust scales): the response to a large jump across the gap. */
        gsize lo = t > margin ? t - margin : 0, hi = MIN (n - 1, t + margin);
        for (gsize j = lo; j <= hi; j++)
          if (!time[j])
            time[j] = 2;
        if (t + 1 < n && time[t + 1] != 1)
          for (gsize j = hi + 1; j < n && j <= t + 5 * margin && !time[j]
               && far_from_usual (rec, j, center, scale); j++)
            time[j] = 2;
        if (t > 0 && time[t - 1] != 1)
          for (gsize j = lo; j-- > 0 && j + 5 * margin >= t && !time[j]
               && far_from_usual (rec, j, center, scale);)
            time[j] = 2;
      }
  /* Flags only: the values stay the bridged, filtered ones the views show. */
  for (gsize t = 0; t < n; t++)
    if (time[t])
      {
        for (guint c = 0; c < rec->n_channels; c++)
          rec->missing[(gsize) c * n + t] = 1;
        count++;
      }
  return count;
}

AsRecording *
as_learn_prepare (const AsRecording *rec, const AsPreprocessOptions *opts,
                  AsLearnReport **report_out, GError **error)
{
  g_autoptr (AsLearnReport) r = g_new0 (AsLearnReport, 1);
  g_autofree guint *keep = g_new (guint, MAX (1, rec->n_channels));
  g_autofree gboolean *is_event = g_new0 (gboolean, MAX (1, rec->n_channels));
  g_autoptr (AsRecording) sel = NULL;
  g_autoptr (AsRecording) out = NULL;
  g_autoptr (AsScaling) scaling = NULL;
  AsPreprocessOptions o = *opts;
  guint nk = 0, n_wanted = 0;
  double total = 0;

  r->excluded = g_ptr_array_new_with_free_func (g_free);
  r->stimulus = g_ptr_array_new_with_free_func (g_free);
  r->warnings = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rec->warnings->len; i++)
    g_ptr_array_add (r->warnings, g_strdup (g_ptr_array_index (rec->warnings, i)));
  if (rec->n_samples < 2 || !(rec->sfreq > 0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: %zu samples at %g Hz: nothing to learn from"),
                   name_of (rec), rec->n_samples, rec->sfreq);
      return NULL;
    }

  /* Roles first: event channels never reach learning, whatever the selection. */
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const double *x = rec->data + (gsize) c * rec->n_samples;
      const gboolean named = opts->channels != NULL && as_learn_channel_wanted (&rec->channels[c], opts);
      if (!named && is_event_channel (&rec->channels[c], x, rec->n_samples))
        {
          is_event[c] = TRUE;
          g_ptr_array_add (r->stimulus, g_strdup (rec->channels[c].label));
          continue;
        }
      if (!as_learn_channel_wanted (&rec->channels[c], opts))
        continue;
      n_wanted++;
      if (opts->bad != NULL && g_strv_contains (opts->bad, rec->channels[c].label))
        {
          g_ptr_array_add (r->excluded, g_strdup_printf (_("%s: marked bad"), rec->channels[c].label));
          continue;
        }
      {
        g_autofree char *why = unusable_reason (x, rec->n_samples);
        if (why != NULL)
          {
            g_ptr_array_add (r->excluded, g_strdup_printf ("%s: %s", rec->channels[c].label, why));
            continue;
          }
      }
      keep[nk++] = c;
    }
  if (nk == 0)
    {
      as_learn_no_channel_error (name_of (rec), rec->n_channels, n_wanted, r->excluded, error);
      return NULL;
    }

  /* The selection as a recording of its own (events kept, event channels added as events). */
  sel = as_recording_new (nk, rec->n_samples, rec->sfreq);
  for (guint k = 0; k < nk; k++)
    {
      const AsChannel *src = &rec->channels[keep[k]];
      double *x = as_recording_channel (sel, k);
      memcpy (x, rec->data + (gsize) keep[k] * rec->n_samples, rec->n_samples * sizeof (double));
      as_recording_set_channel (sel, k, src->label, src->unit, src->type);
      sel->channels[k].has_position = src->has_position;
      memcpy (sel->channels[k].position, src->position, sizeof src->position);
    }
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      as_recording_add_event (sel, e->onset, e->duration, e->label);
    }
  for (guint c = 0; c < rec->n_channels; c++)
    if (is_event[c])
      r->n_events_added += add_channel_events (sel, &rec->channels[c],
                                               rec->data + (gsize) c * rec->n_samples,
                                               rec->n_samples, rec->sfreq);
  as_recording_sort_events (sel);
  for (guint i = 0; i < rec->warnings->len; i++)
    as_recording_add_warning (sel, "%s", (const char *) g_ptr_array_index (rec->warnings, i));
  g_free (sel->format);
  sel->format = g_strdup (rec->format);
  sel->path = g_strdup (rec->path);
  sel->kind = rec->kind;
  if (rec->start_time)
    sel->start_time = g_date_time_ref (rec->start_time);
  /* Missing samples in a usable channel: bridged so no NaN reaches a filter, and flagged so
   * that learning leaves them out (the bridge is no waveform of the body). */
  for (guint k = 0; k < nk; k++)
    for (gsize t = 0; t < sel->n_samples; t++)
      if (!isfinite (sel->data[(gsize) k * sel->n_samples + t])
          || (rec->missing != NULL && rec->missing[(gsize) keep[k] * rec->n_samples + t]))
        {
          if (!isfinite (sel->data[(gsize) k * sel->n_samples + t]))
            sel->data[(gsize) k * sel->n_samples + t] = NAN;
          as_recording_mark_missing (sel, k, t, 1);
        }
  r->n_filled = as_recording_fill_gaps (sel);
  /* Each stretch between gaps loses its own mean, then the gaps are bridged again: a level
   * that changed across a gap (the gaze moved during a blink, an amplifier's offset across
   * an EDF+D gap) leaves no step for a filter or an atom. */
  if (sel->missing != NULL && r->n_filled > 0)
    for (guint k = 0; k < nk; k++)
      {
        double *x = as_recording_channel (sel, k);
        const guint8 *miss = sel->missing + (gsize) k * sel->n_samples;
        gsize t = 0;
        while (t < sel->n_samples)
          {
            gsize e = t;
            double mean = 0;
            if (miss[t])
              {
                t++;
                continue;
              }
            while (e < sel->n_samples && !miss[e])
              mean += x[e++];
            mean /= (double) (e - t);
            for (gsize i = t; i < e; i++)
              x[i] -= mean;
            t = e;
          }
        for (gsize i = 0; i < sel->n_samples; i++)
          if (miss[i])
            x[i] = NAN;
      }
  if (sel->missing != NULL && r->n_filled > 0)
    as_recording_fill_gaps (sel);

  o.channels = NULL;
  o.types = 0;
  out = as_preprocess (sel, &o, &scaling, error);
  if (out == NULL)
    return NULL;
  r->n_masked = as_learn_mask_margins (out, opts);
  for (gsize i = 0; i < (gsize) out->n_channels * out->n_samples; i++)
    {
      if (!isfinite (out->data[i]))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                       _("%s: channel %s has non-finite values after preprocessing and scaling (are its values out of range?)"),
                       name_of (rec), out->channels[i / out->n_samples].label);
          return NULL;
        }
      total += out->data[i] * out->data[i];
    }
  if (!(total > 0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: the signal is zero everywhere after preprocessing: nothing to learn from"),
                   name_of (rec));
      return NULL;
    }

  r->preprocessing = as_preprocess_options_to_json (opts, scaling);
  {
    JsonArray *names = json_array_new ();
    for (guint c = 0; c < out->n_channels; c++)
      json_array_add_string_element (names, out->channels[c].label);
    json_object_set_array_member (r->preprocessing, "channels_learned", names);
  }
  if (report_out != NULL)
    *report_out = g_steal_pointer (&r);
  return g_steal_pointer (&out);
}

static JsonArray *
strings_to_json (GPtrArray *a)
{
  JsonArray *j = json_array_new ();
  for (guint i = 0; a != NULL && i < a->len; i++)
    json_array_add_string_element (j, g_ptr_array_index (a, i));
  return j;
}

JsonObject *
as_learn_report_to_json (const AsLearnReport *report, const AsCdlModel *model)
{
  JsonObject *o = json_object_new ();

  if (report != NULL)
    {
      JsonObject *pre = json_object_ref (report->preprocessing);
      json_object_set_array_member (pre, "channels_left_out", strings_to_json (report->excluded));
      json_object_set_array_member (pre, "channels_as_events", strings_to_json (report->stimulus));
      json_object_set_int_member (pre, "events_from_channels", report->n_events_added);
      json_object_set_int_member (pre, "samples_interpolated", report->n_filled);
      json_object_set_int_member (pre, "samples_left_out", report->n_masked);
      json_object_set_array_member (pre, "reading_warnings", strings_to_json (report->warnings));
      json_object_set_object_member (o, "preprocessing", pre);
    }
  if (model != NULL)
    {
      JsonArray *weak = json_array_new ();
      json_object_set_string_member (o, "end_state", as_cdl_end_state_to_string (model->end_state));
      for (guint k = 0; k < model->shape.n_atoms; k++)
        if (model->weak != NULL && model->weak[k])
          json_array_add_int_element (weak, k);
      json_object_set_array_member (o, "atoms_explaining_little", weak);
    }
  return o;
}

/* ---- from a file and a request to a job ---------------------------------------------- */

void
as_learn_input_free (AsLearnInput *in)
{
  if (in == NULL)
    return;
  g_strfreev (in->labels);
  if (in->recording)
    as_recording_unref (in->recording);
  g_free (in->x);
  as_learn_report_free (in->report);
  g_free (in);
}

/* alphacsc's layout: trials × channels × samples, each trial prepared as a recording of its
 * own with the same options, then one scale for all (so trials stay comparable). */
static gboolean
load_trials (AsLearnInput *in, const char *path, const AsLearnRequest *req, AsNpyArray *arr,
             gboolean *usage, GError **error)
{
  const guint N = (guint) arr->shape[0], P = (guint) arr->shape[1];
  const gsize T = arr->shape[2];
  const double fs = SET (req->rate) ? req->rate : 1.0;
  AsScaleMode scale;
  double total = 0;
  gsize T_out = 0;

  if (N == 0 || P == 0 || T < 2 || P > 65535 || T > G_MAXUINT)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: an array of %u trials × %u channels × %zu samples cannot be learned from"),
                   path, N, P, T);
      return FALSE;
    }
  for (guint n = 0; n < N; n++)
    {
      g_autoptr (AsRecording) rec = as_recording_new (P, T, fs);
      g_autoptr (AsRecording) out = NULL;
      g_autoptr (AsLearnReport) rep = NULL;

      memcpy (rec->data, arr->data + (gsize) n * P * T, sizeof (double) * P * T);
      for (guint p = 0; p < P; p++)
        {
          g_autofree char *label = g_strdup_printf ("%u", p);
          as_recording_set_channel (rec, p, label, "", AS_CHANNEL_OTHER);
        }
      rec->path = g_strdup (path);
      g_free (rec->format);
      rec->format = g_strdup ("NPY");
      if (n == 0)
        {
          if (!as_learn_request_resolve (req, rec, &in->kind, &in->params, &in->opts,
                                         &in->labels, error))
            {
              *usage = TRUE;
              return FALSE;
            }
          scale = in->opts.scale;
          in->opts.scale = AS_SCALE_NONE;
        }
      out = as_learn_prepare (rec, &in->opts, &rep, error);
      if (out == NULL)
        {
          g_prefix_error (error, _("trial %u: "), n + 1);
          return FALSE;
        }
      if (n == 0)
        {
          in->n_channels = out->n_channels;
          T_out = out->n_samples;
          in->x = g_try_malloc_n ((gsize) N * out->n_channels * T_out, sizeof (double));
          if (in->x == NULL)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                           _("%s: not enough memory for %u trials"), path, N);
              return FALSE;
            }
          in->report = g_steal_pointer (&rep);
          in->sfreq = out->sfreq;
        }
      else if (out->n_channels != in->n_channels || out->n_samples != T_out)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: trial %u keeps %u channels of %zu samples, trial 1 kept %u of %zu (a channel is flat in some trials only)"),
                       path, n + 1, out->n_channels, out->n_samples, in->n_channels, T_out);
          return FALSE;
        }
      memcpy (in->x + (gsize) n * in->n_channels * T_out, out->data,
              sizeof (double) * in->n_channels * T_out);
    }
  in->opts.scale = scale;
  in->n_trials = N;
  in->height = 1;
  in->width = (guint) T_out;
  /* One scale for every trial: per channel (z-score) or one standard deviation. */
  if (scale != AS_SCALE_NONE)
    {
      const gsize NT = (gsize) N * T_out;
      g_autofree double *sd = g_new0 (double, in->n_channels);
      for (guint p = 0; p < in->n_channels; p++)
        {
          double m = 0, v = 0;
          for (guint n = 0; n < N; n++)
            for (gsize t = 0; t < T_out; t++)
              m += in->x[((gsize) n * in->n_channels + p) * T_out + t];
          m /= NT;
          for (guint n = 0; n < N; n++)
            for (gsize t = 0; t < T_out; t++)
              {
                double *v0 = &in->x[((gsize) n * in->n_channels + p) * T_out + t];
                *v0 -= m;
                v += *v0 * *v0;
              }
          total += v;
          sd[p] = sqrt (v / NT);
        }
      for (guint p = 0; p < in->n_channels; p++)
        {
          double s = scale == AS_SCALE_ZSCORE ? sd[p] : sqrt (total / (NT * in->n_channels));
          if (!(s > 0))
            s = 1;
          for (guint n = 0; n < N; n++)
            for (gsize t = 0; t < T_out; t++)
              in->x[((gsize) n * in->n_channels + p) * T_out + t] /= s;
        }
      json_object_set_string_member (in->report->preprocessing, "scaling",
                                     scale == AS_SCALE_ZSCORE ? "z-score over all trials"
                                                              : "global-std over all trials");
    }
  return TRUE;
}

gboolean
as_learn_file_is_trials (const char *path)
{
  g_autofree char *lower = g_ascii_strdown (path, -1);
  AsNpyArray arr = { 0 };
  gboolean trials;

  if (!g_str_has_suffix (lower, ".npy") || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return FALSE;
  if (!as_npy_read (path, &arr, NULL))
    return FALSE;
  trials = arr.ndim == 3;
  as_npy_array_clear (&arr);
  return trials;
}

AsLearnInput *
as_learn_input_new (const char *path, AsRecording *recording, const AsLearnRequest *req,
                    gboolean *usage, GError **error)
{
  g_autoptr (AsLearnInput) in = g_new0 (AsLearnInput, 1);

  *usage = FALSE;
  if (!as_learn_request_check (req, error))
    {
      *usage = TRUE;
      return NULL;
    }
  if (as_file_is_image (path))
    {
      g_autoptr (AsImage) img = NULL;
      if (!as_learn_request_resolve_image (req, &in->params, error))
        {
          *usage = TRUE;
          return NULL;
        }
      img = as_image_load (path, error);
      if (img == NULL)
        return NULL;
      if (!as_image_check_learnable (img, path, error))
        return NULL;
      in->kind = AS_SIGNAL_KIND_IMAGE;
      in->n_trials = 1;
      in->n_channels = img->n_channels;
      in->height = img->height;
      in->width = img->width;
      in->x = g_memdup2 (img->data, sizeof (double) * img->n_channels * img->height * img->width);
      as_defaults_image_options (&in->params, SET (req->background) ? req->background : -1,
                                 &in->opts);
      as_preprocess_image (in->x, in->n_channels, in->height, in->width, &in->opts);
      /* What was done, for run.json (and for encode to do the same). */
      in->report = g_new0 (AsLearnReport, 1);
      in->report->excluded = g_ptr_array_new_with_free_func (g_free);
      in->report->stimulus = g_ptr_array_new_with_free_func (g_free);
      in->report->warnings = g_ptr_array_new_with_free_func (g_free);
      in->report->preprocessing = as_preprocess_options_to_json (&in->opts, NULL);
    }
  else
    {
      AsNpyArray arr = { 0 };
      gboolean trials = FALSE;

      if (recording == NULL && as_learn_file_is_trials (path))
        trials = as_npy_read (path, &arr, error);
      if (trials)
        {
          gboolean ok = load_trials (in, path, req, &arr, usage, error);
          as_npy_array_clear (&arr);
          if (!ok)
            return NULL;
        }
      else
        {
          g_autoptr (AsRecording) rec = NULL;
          AsReadOptions ro;

          as_npy_array_clear (&arr);
          if (recording != NULL)
            rec = as_recording_ref (recording);
          else
            {
              as_read_options_init (&ro);
              ro.sfreq = SET (req->rate) ? req->rate : 0;
              rec = as_recording_load_with_options (path, &ro, error);
            }
          if (rec == NULL)
            return NULL;
          if (!as_learn_request_resolve (req, rec, &in->kind, &in->params, &in->opts,
                                         &in->labels, error))
            {
              *usage = TRUE;
              return NULL;
            }
          in->recording = as_learn_prepare (rec, &in->opts, &in->report, error);
          if (in->recording == NULL)
            return NULL;
          in->n_trials = 1;
          in->n_channels = in->recording->n_channels;
          in->height = 1;
          in->width = (guint) in->recording->n_samples;
          in->sfreq = in->recording->sfreq;
        }
    }
  /* The default minibatch is never more than the data has windows (a short recording). */
  if (in->params.online && req->batch < 0 && in->height == 1)
    {
      guint Tw;
      guint64 n_win = online_windows (&in->params, in->n_trials, in->width, &Tw);
      in->params.online_batch = (guint) CLAMP (n_win, 1, in->params.online_batch);
    }
  if (!as_cdl_params_check_fit (&in->params, in->n_trials, in->n_channels, in->height,
                                in->width, error))
    {
      *usage = g_error_matches (*error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
      return NULL;
    }
  return g_steal_pointer (&in);
}

AsJob *
as_learn_input_job (AsLearnInput *in)
{
  if (in->recording != NULL)
    return as_cdl_job_new_for_recording (in->recording, &in->params, NULL);
  if (in->height > 1 || in->kind == AS_SIGNAL_KIND_IMAGE)
    return as_cdl_job_new_image (in->x, in->n_trials, in->n_channels, in->height, in->width,
                                 &in->params, NULL);
  {
    AsJob *job = as_cdl_job_new (in->x, in->n_trials, in->n_channels, in->width, &in->params,
                                 NULL);
    return job;
  }
}

gboolean
as_learn_input_save_data (AsLearnInput *in, const char *path, gboolean overwrite,
                          GError **error)
{
  const double *x = in->recording != NULL ? in->recording->data : in->x;
  gsize shape[4] = { in->n_trials, in->n_channels, in->height, in->width };

  if (in->height == 1)
    {
      shape[2] = in->width;
      return as_npy_write (path, x, 3, shape, overwrite, error);
    }
  return as_npy_write (path, x, 4, shape, overwrite, error);
}
