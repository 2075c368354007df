/* as-nystagmus.c: beats, slow-phase velocity, waveform and foveation of an eye channel.
 *
 * The formulas and their sources are in docs/nystagmus.md; the comments name the
 * section they implement.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-nystagmus"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "as-nystagmus.h"

/* ---- names ---------------------------------------------------------------------- */

const char *
as_nystagmus_direction_to_string (AsNystagmusDirection d)
{
  static const char *const names[] = { "none", "right", "left", "up", "down" };
  return d <= AS_NYSTAGMUS_DIRECTION_DOWN ? names[d] : "none";
}

const char *
as_slow_phase_shape_to_string (AsSlowPhaseShape s)
{
  static const char *const names[] = { "none", "linear", "increasing", "decreasing" };
  return s <= AS_SLOW_PHASE_DECREASING ? names[s] : "none";
}

const char *
as_nystagmus_waveform_to_string (AsNystagmusWaveform w)
{
  static const char *const names[] = { "none", "jerk", "pendular", "mixed" };
  return w <= AS_NYSTAGMUS_WAVEFORM_MIXED ? names[w] : "none";
}

const char *
as_nystagmus_direction_to_label (AsNystagmusDirection d)
{
  static const char *const names[] = { N_("none"), N_("right-beating"), N_("left-beating"),
                                       N_("up-beating"), N_("down-beating") };
  return _(names[d <= AS_NYSTAGMUS_DIRECTION_DOWN ? d : 0]);
}

const char *
as_slow_phase_shape_to_label (AsSlowPhaseShape s)
{
  static const char *const names[] = { N_("none"), N_("linear"), N_("increasing velocity"),
                                       N_("decreasing velocity") };
  return _(names[s <= AS_SLOW_PHASE_DECREASING ? s : 0]);
}

const char *
as_nystagmus_waveform_to_label (AsNystagmusWaveform w)
{
  static const char *const names[] = { N_("none"), N_("jerk"), N_("pendular"), N_("mixed") };
  return _(names[w <= AS_NYSTAGMUS_WAVEFORM_MIXED ? w : 0]);
}

void
as_nystagmus_params_init (AsNystagmusParams *p)
{
  *p = (AsNystagmusParams) {
    .foveation_velocity = 4.0,
    .foveation_window = 0.5,
    .foveation_min_duration = 0.040,
    .foveation_position = NAN,
    .velocity_window = 0.035,
    .foveation_velocity_window = NAN,
    .fast_threshold = NAN,
    .shape_threshold = 0.35,
  };
}

static double median_of (double *v, gsize n);

/* ---- eye channels in degrees ---------------------------------------------------- */

void
as_eye_channel_options_init (AsEyeChannelOptions *opts)
{
  *opts = (AsEyeChannelOptions) { .gain = NAN, .pixels_per_deg = NAN, .channel = NULL };
}

AsEyeChannel *
as_eye_channel_new (const char *label, AsEyeAxis axis, double sfreq, const double *position,
                    gsize n)
{
  AsEyeChannel *ch = g_new0 (AsEyeChannel, 1);

  g_atomic_ref_count_init (&ch->ref_count);
  ch->label = g_strdup (label ? label : "");
  ch->axis = axis;
  ch->sfreq = sfreq;
  ch->n = n;
  ch->position = g_memdup2 (position, sizeof (double) * MAX (n, 1));
  ch->deg_per_unit = 1.0;
  return ch;
}

AsEyeChannel *
as_eye_channel_ref (AsEyeChannel *ch)
{
  g_atomic_ref_count_inc (&ch->ref_count);
  return ch;
}

void
as_eye_channel_unref (AsEyeChannel *ch)
{
  if (ch == NULL || !g_atomic_ref_count_dec (&ch->ref_count))
    return;
  g_free (ch->label);
  g_free (ch->position);
  g_free (ch);
}

AsEyeAxis
as_eye_axis_guess (const char *label)
{
  g_autofree char *l = g_ascii_strdown (label ? label : "", -1);

  if (strstr (l, "vert") || strstr (l, "_y") || g_str_has_prefix (l, "y_") || strcmp (l, "y") == 0
      || strstr (l, "veog") || strstr (l, " y ") || g_str_has_suffix (l, " y")
      || g_str_has_suffix (l, "_v") || g_str_has_suffix (l, " v"))
    return AS_EYE_AXIS_VERTICAL;
  return AS_EYE_AXIS_HORIZONTAL;
}

static gboolean
is_eye_channel (const AsChannel *c)
{
  g_autofree char *l = g_ascii_strdown (c->label ? c->label : "", -1);

  if (c->type == AS_CHANNEL_PUPIL || strstr (l, "pupil"))
    return FALSE;
  return c->type == AS_CHANNEL_GAZE || c->type == AS_CHANNEL_EOG || strstr (l, "eye")
         || strstr (l, "gaze") || strstr (l, "eog") || strstr (l, "nystag");
}

gboolean
as_recording_has_eye_channel (const AsRecording *rec)
{
  for (guint i = 0; rec != NULL && i < rec->n_channels; i++)
    if (is_eye_channel (&rec->channels[i]))
      return TRUE;
  return FALSE;
}

/* Degrees per file unit, or NAN when it takes a gain or a pixels-per-degree. */
static double
unit_to_degrees (const char *unit, const char *label, double ppd)
{
  g_autofree char *u = g_ascii_strdown (unit ? unit : "", -1);
  g_autofree char *l = g_ascii_strdown (label ? label : "", -1);

  if (strcmp (u, "deg") == 0 || strcmp (u, "degrees") == 0 || strcmp (u, "degree") == 0
      || strcmp (u, "°") == 0)
    return 1.0;
  if (strcmp (u, "rad") == 0)
    return 180.0 / G_PI;
  if (strcmp (u, "px") == 0 || strcmp (u, "pix") == 0 || strcmp (u, "pixels") == 0)
    return ppd > 0 ? 1.0 / ppd : NAN;
  if (*u == '\0' && strstr (l, "deg"))
    return 1.0;
  return NAN;
}

/* Marks as missing the samples a reader bridged: runs of at least five samples on one
 * exact straight line that is not flat (measured eye positions are never exactly
 * collinear), and flat runs held at either end of the recording. */
static void
mark_filled_runs (double *x, gsize n)
{
  gsize i = 1;

  while (i + 1 < n)
    {
      gsize j = i;
      double d = x[i] - x[i - 1];
      while (j + 1 < n && isfinite (x[j + 1])
             && fabs ((x[j + 1] - x[j]) - d) <= 1e-9 * (fabs (x[j]) + 1.0))
        j++;
      /* x[i-1] … x[j] are collinear. */
      if (j - (i - 1) + 1 >= 5
          && (fabs (d) > 1e-12 * (fabs (x[i]) + 1.0) || i == 1 || j == n - 1))
        {
          gsize a = i == 1 && fabs (d) <= 1e-12 * (fabs (x[i]) + 1.0) ? 0 : i;
          gsize b = j == n - 1 && fabs (d) <= 1e-12 * (fabs (x[i]) + 1.0) ? j + 1 : j;
          for (gsize k = a; k < b; k++)
            x[k] = NAN;
        }
      i = j + 1;
    }
}

/* Median of the recording's resolution channel for @axis ("resolution_x"/"_y" in
 * px/deg), or NAN. */
static double
file_pixels_per_degree (const AsRecording *rec, AsEyeAxis axis)
{
  const char *want = axis == AS_EYE_AXIS_VERTICAL ? "resolution_y" : "resolution_x";

  for (guint i = 0; i < rec->n_channels; i++)
    {
      const AsChannel *c = &rec->channels[i];
      g_autofree double *v = NULL;
      gsize m = 0;
      if (g_strcmp0 (c->unit, "px/deg") != 0 || g_ascii_strcasecmp (c->label, want) != 0)
        continue;
      v = g_new (double, MAX (rec->n_samples, 1));
      for (gsize s = 0; s < rec->n_samples; s++)
        {
          double x = rec->data[(gsize) i * rec->n_samples + s];
          if (isfinite (x) && x > 0)
            v[m++] = x;
        }
      return m > 0 ? median_of (v, m) : NAN;
    }
  return NAN;
}

AsEyeChannel *
as_eye_channel_from_recording (const AsRecording *rec, const AsEyeChannelOptions *opts,
                               GError **error)
{
  AsEyeChannelOptions defaults;
  const AsChannel *c = NULL;
  g_autofree double *x = NULL;
  guint index = 0;
  double scale;

  g_return_val_if_fail (rec != NULL, NULL);
  if (opts == NULL)
    {
      as_eye_channel_options_init (&defaults);
      opts = &defaults;
    }
  for (guint i = 0; i < rec->n_channels; i++)
    {
      const AsChannel *ci = &rec->channels[i];
      if (opts->channel != NULL ? g_ascii_strcasecmp (ci->label, opts->channel) == 0
                                : is_eye_channel (ci))
        {
          c = ci;
          index = i;
          break;
        }
    }
  if (c == NULL)
    {
      if (opts->channel != NULL)
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("%s: no channel named “%s”"), rec->path ? rec->path : "", opts->channel);
      else
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                     _("%s: no eye-movement channel (gaze, eye position or EOG) in this recording"),
                     rec->path ? rec->path : "");
      return NULL;
    }
  if (!(rec->sfreq > 0) || rec->n_samples < 8)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: channel “%s” is too short or has no sampling rate"),
                   rec->path ? rec->path : "", c->label);
      return NULL;
    }
  scale = opts->gain;
  if (!isfinite (scale))
    {
      double ppd = opts->pixels_per_deg;
      /* Gaze in pixels: the file's own resolution (EyeLink RES columns, px/deg), its
       * median over the recording, for the channel's axis. */
      if (!(ppd > 0) && c->unit != NULL && strcmp (c->unit, "px") == 0)
        ppd = file_pixels_per_degree (rec, as_eye_axis_guess (c->label));
      scale = unit_to_degrees (c->unit, c->label, ppd);
    }
  if (!isfinite (scale) || scale == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: channel “%s” is in “%s”, not in degrees: give the degrees per unit "
                     "(a gain), or the pixels per degree for gaze in pixels"),
                   rec->path ? rec->path : "", c->label, c->unit && *c->unit ? c->unit : "?");
      return NULL;
    }

  x = g_new (double, rec->n_samples);
  for (gsize s = 0; s < rec->n_samples; s++)
    x[s] = rec->data[(gsize) index * rec->n_samples + s] * scale;
  mark_filled_runs (x, rec->n_samples);
  for (guint e = 0; e < rec->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, e);
      g_autofree char *l = g_ascii_strdown (ev->label ? ev->label : "", -1);
      if (strstr (l, "blink") == NULL)
        continue;
      for (gsize s = (gsize) MAX (0.0, floor (ev->onset * rec->sfreq));
           s < rec->n_samples && s <= (gsize) ceil ((ev->onset + ev->duration) * rec->sfreq); s++)
        x[s] = NAN;
    }
  {
    AsEyeChannel *ch = as_eye_channel_new (c->label, as_eye_axis_guess (c->label), rec->sfreq, x,
                                           rec->n_samples);
    ch->deg_per_unit = scale;
    return ch;
  }
}

double
as_eye_pixels_per_degree_from_screen (double width_px, double width_cm, double distance_cm)
{
  double pixel_cm;

  if (!(width_px > 0 && width_cm > 0 && distance_cm > 0))
    return NAN;
  pixel_cm = width_cm / width_px;
  return 1.0 / (2.0 * atan (pixel_cm / (2.0 * distance_cm)) * 180.0 / G_PI);
}

/* ---- calibration from saccades of known size ---------------------------------------- */

static void sg_derivative (const double *x, gsize n, guint h, double sfreq, double *out);

double
as_eye_gain_from_saccades (const AsRecording *rec, const char *channel, double saccade_deg,
                           GError **error)
{
  const char *name = rec->path ? rec->path : "";
  const AsChannel *c = NULL;
  g_autofree double *v = NULL, *d2 = NULL, *amps = NULL;
  const double *x;
  guint h, k, n_amp = 0;
  gsize n = rec->n_samples, m = 0, i = 0;
  double sigma, thr, norm = 0, med;

  g_return_val_if_fail (rec != NULL && saccade_deg > 0, NAN);
  for (guint ci = 0; ci < rec->n_channels && c == NULL; ci++)
    if (channel != NULL ? g_ascii_strcasecmp (rec->channels[ci].label, channel) == 0
                        : is_eye_channel (&rec->channels[ci]))
      c = &rec->channels[ci];
  if (c == NULL || !(rec->sfreq > 0) || n < 64)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: no eye-movement channel to calibrate"), name);
      return NAN;
    }
  x = rec->data + (gsize) (c - rec->channels) * n;
  /* Velocity (35 ms Savitzky–Golay) and its noise, from second differences. */
  h = (guint) MAX (1.0, round (0.0175 * rec->sfreq));
  k = (guint) MAX (2.0, round (0.020 * rec->sfreq));
  v = g_new (double, n);
  d2 = g_new (double, n);
  sg_derivative (x, n, h, rec->sfreq, v);
  for (gsize s = 1; s + 1 < n; s++)
    {
      double d = x[s + 1] - 2 * x[s] + x[s - 1];
      if (isfinite (d))
        d2[m++] = fabs (d);
    }
  sigma = m > 0 ? median_of (d2, m) / 0.6745 / sqrt (6.0) : 0.0;
  for (int j = 1; j <= (int) h; j++)
    norm += 2.0 * j * j;
  thr = 8.0 * sigma * rec->sfreq / sqrt (norm);
  /* Saccades: runs above the threshold; their size from the median position over
   * 20 ms before and after. */
  amps = g_new (double, n / 2 + 1);
  while (i < n)
    {
      gsize a = i, b;
      double before[64], after[64];
      guint nb = 0, na = 0;
      if (!isfinite (v[i]) || fabs (v[i]) <= thr || thr <= 0)
        {
          i++;
          continue;
        }
      b = a;
      while (b + 1 < n && isfinite (v[b + 1]) && fabs (v[b + 1]) > thr)
        b++;
      i = b + 1;
      for (gsize s = a > k + h ? a - k - h : 0; s + h < a && nb < 64; s++)
        if (isfinite (x[s]))
          before[nb++] = x[s];
      for (gsize s = b + h + 1; s < n && s <= b + h + k && na < 64; s++)
        if (isfinite (x[s]))
          after[na++] = x[s];
      if (nb >= 2 && na >= 2)
        amps[n_amp++] = fabs (median_of (after, na) - median_of (before, nb));
    }
  if (n_amp < 3)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: channel “%s”: %u saccades found, at least 3 are needed to calibrate"),
                   name, c->label, n_amp);
      return NAN;
    }
  med = median_of (amps, n_amp);
  return med > 0 ? saccade_deg / med : NAN;
}

/* ---- the beat atom ------------------------------------------------------------- */

AsBeatAtom *
as_beat_atom_new_from_model (const AsCdlModel *model, guint k, double relative_threshold)
{
  AsBeatAtom *atom;
  const double *d;
  g_autoptr (GArray) occ = NULL;
  double *onsets, best = -1, m;
  guint P, L, channel = 0;

  g_return_val_if_fail (model != NULL && k < model->shape.n_atoms, NULL);
  g_return_val_if_fail (model->shape.atom_height == 1, NULL);
  P = model->shape.n_channels;
  L = model->shape.atom_width;
  d = as_cdl_model_get_atom (model, k);
  for (guint p = 0; p < P; p++)
    {
      double e = 0;
      for (guint j = 0; j < L; j++)
        e += d[(gsize) p * L + j] * d[(gsize) p * L + j];
      if (e > best)
        best = e, channel = p;
    }
  m = as_cdl_model_max_activation (model, k);
  occ = as_cdl_model_occurrences_merged (model, k, m > 0 ? relative_threshold * m : 1.0,
                                         as_cdl_model_merge_spacing (model));
  onsets = g_new (double, MAX (occ->len, 1));
  for (guint i = 0; i < occ->len; i++)
    onsets[i] = g_array_index (occ, AsCdlOccurrence, i).position / model->sfreq;
  atom = g_new0 (AsBeatAtom, 1);
  atom->waveform = g_memdup2 (d + (gsize) channel * L, sizeof (double) * L);
  atom->length = L;
  atom->onsets = onsets;
  atom->n_onsets = occ->len;
  return atom;
}

void
as_beat_atom_free (AsBeatAtom *atom)
{
  if (atom == NULL)
    return;
  g_free ((double *) atom->waveform);
  g_free ((double *) atom->onsets);
  g_free (atom);
}

guint
as_beat_atom_pick (const AsCdlModel *model, const AsNystagmusAnalysis *an, double relative_threshold)
{
  double target = an->fast_times->len, best = INFINITY;
  guint pick = 0;

  for (guint k = 0; k < model->shape.n_atoms; k++)
    {
      double m = as_cdl_model_max_activation (model, k);
      g_autoptr (GArray) occ = NULL;
      if (!(m > 0))
        continue;
      occ = as_cdl_model_occurrences_merged (model, k, relative_threshold * m,
                                             as_cdl_model_merge_spacing (model));
      if (fabs (occ->len - target) < best)
        {
          best = fabs (occ->len - target);
          pick = k;
        }
    }
  return pick;
}

/* ---- filters -------------------------------------------------------------------- */

/* Savitzky–Golay first derivative (quadratic fit, 2h + 1 points): Σ k x[i+k] / Σ k²,
 * NAN when the window touches a missing sample or an end. */
static void
sg_derivative (const double *x, gsize n, guint h, double sfreq, double *out)
{
  double norm = 0.0;

  for (int k = 1; k <= (int) h; k++)
    norm += 2.0 * k * k;
  for (gsize i = 0; i < n; i++)
    {
      double s = 0.0;
      if (i < h || i + h >= n)
        {
          out[i] = NAN;
          continue;
        }
      for (int k = -(int) h; k <= (int) h; k++)
        s += k * x[i + k];
      out[i] = s / norm * sfreq;   /* NAN propagates */
    }
}

/* Savitzky–Golay smoothing (quadratic, 2h + 1 points), NAN near missing samples. */
static void
sg_smooth (const double *x, gsize n, guint h, double *out)
{
  double m = h, den = (2 * m + 1) * (4 * m * m + 4 * m - 3);

  for (gsize i = 0; i < n; i++)
    {
      double s = 0.0;
      if (i < h || i + h >= n)
        {
          out[i] = x[i];
          continue;
        }
      for (int k = -(int) h; k <= (int) h; k++)
        s += (3 * (3 * m * m + 3 * m - 1) - 15.0 * k * k) * x[i + k];
      out[i] = s / den;
    }
}

/* Edge-preserving local line fits: the centred window of 2h + 1 samples, unless its
 * residual exceeds that of the left or right window by more than the noise explains
 * (@noise, ° rms): then that one, so that a window never straddles a fast phase when
 * another does not.  Gives the velocity (°/s) and the fitted position at each sample;
 * NAN when no window is valid. */
static void
edge_preserving_fit (const double *x, gsize n, guint h, double sfreq, double noise, double *vel,
                     double *pos)
{
  const double w = 2.0 * h + 1, tol = w * (3 * noise * noise + 1e-4);
  double sk2 = 0;

  for (int k = -(int) h; k <= (int) h; k++)
    sk2 += (double) k * k;
  for (gsize i = 0; i < n; i++)
    {
      double rss[3], slope[3], mean[3];
      int pick = -1;

      vel[i] = pos[i] = NAN;
      for (int side = -1; side <= 1; side++)
        {
          gssize c = (gssize) i + side * (gssize) h;
          double sx = 0, skx = 0, r2 = 0;
          gboolean ok = c - (gssize) h >= 0 && c + (gssize) h < (gssize) n;
          rss[side + 1] = INFINITY;
          for (int k = -(int) h; k <= (int) h && ok; k++)
            {
              double v = x[c + k];
              ok = isfinite (v);
              sx += v;
              skx += k * v;
            }
          if (!ok)
            continue;
          mean[side + 1] = sx / w;
          slope[side + 1] = skx / sk2;
          for (int k = -(int) h; k <= (int) h; k++)
            {
              double r = x[c + k] - mean[side + 1] - slope[side + 1] * k;
              r2 += r * r;
            }
          rss[side + 1] = r2;
        }
      if (isfinite (rss[1]) && rss[1] <= MIN (rss[0], rss[2]) + tol)
        pick = 1;
      else if (isfinite (rss[0]) || isfinite (rss[2]))
        pick = rss[0] <= rss[2] ? 0 : 2;
      if (pick < 0)
        continue;
      vel[i] = slope[pick] * sfreq;
      pos[i] = mean[pick] + slope[pick] * (1 - pick) * (double) h;
    }
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Quantile q of sorted values (linear interpolation between order statistics). */
static double
quantile_sorted (const double *v, gsize n, double q)
{
  double pos, f;
  gsize i;

  if (n == 0)
    return NAN;
  pos = q * (n - 1);
  i = (gsize) floor (pos);
  f = pos - i;
  return i + 1 < n ? v[i] * (1 - f) + v[i + 1] * f : v[n - 1];
}

static double
median_of (double *v, gsize n)
{
  qsort (v, n, sizeof (double), compare_double);
  return quantile_sorted (v, n, 0.5);
}

/* ---- the analysis --------------------------------------------------------------- */

typedef struct
{
  gsize    start, peak, end;   /* samples: [start, end] */
  int      sign;               /* +1 towards positive values */
  double   peak_velocity;      /* |v| at the peak */
  double   amplitude;          /* ° (signed with sign) */
  gboolean saccade;            /* not a fast phase: an intrusion */
  gboolean atom;
} Quick;

typedef struct
{
  const AsEyeChannel *ch;
  const AsNystagmusParams *p;
  gsize    n;
  double   sfreq;
  guint    h;          /* filter half width, samples */
  double  *pos;        /* smoothed position */
  double  *v;          /* velocity */
  double   noise_pos;  /* ° */
  double   noise_v;    /* °/s */
  int      slow_sign;  /* sign of the median velocity (0: none) */
  double   slow_p95;   /* 95th percentile of the speed in that direction, °/s */
} Ctx;

/* The fast-phase threshold: 1.5 times the 95th percentile of the speed in the slow-phase
 * direction (the sign of the median velocity: slow phases fill most of the time), above six
 * times the velocity noise and 10 °/s (docs/nystagmus.md, "Fast phases"). */
static double
adaptive_threshold (Ctx *c)
{
  g_autofree double *a = g_new (double, MAX (c->n, 1));
  gsize m = 0;
  double med;
  int slow;

  for (gsize i = 0; i < c->n; i++)
    if (isfinite (c->v[i]))
      a[m++] = c->v[i];
  med = median_of (a, m);
  slow = med > 0 ? 1 : med < 0 ? -1 : 0;
  {
    gsize k = 0;
    for (gsize i = 0; i < m; i++)
      if (slow == 0 || a[i] * slow > 0)
        a[k++] = fabs (a[i]);
    m = k;
  }
  qsort (a, m, sizeof (double), compare_double);
  c->slow_sign = slow;
  c->slow_p95 = m > 0 ? quantile_sorted (a, m, 0.95) : 0.0;
  return MAX (MAX (10.0, 6.0 * c->noise_v), 1.5 * c->slow_p95);
}

/* Fast-phase time of each atom occurrence: the atom's steepest sample. */
static GArray *
atom_predictions (const AsBeatAtom *atom, double sfreq, int *sign)
{
  GArray *t = g_array_new (FALSE, FALSE, sizeof (double));
  double best = 0;
  gsize at = 0;

  *sign = 0;
  if (atom == NULL || atom->waveform == NULL || atom->length < 3)
    return t;
  for (gsize i = 0; i + 1 < atom->length; i++)
    if (fabs (atom->waveform[i + 1] - atom->waveform[i]) > best)
      {
        best = fabs (atom->waveform[i + 1] - atom->waveform[i]);
        at = i;
        *sign = atom->waveform[i + 1] > atom->waveform[i] ? 1 : -1;
      }
  for (gsize k = 0; k < atom->n_onsets; k++)
    {
      double tk = atom->onsets[k] + (at + 0.5) / sfreq;
      g_array_append_val (t, tk);
    }
  return t;
}

static gboolean
predicted_near (GArray *pred, double t, double tol)
{
  for (guint k = 0; k < pred->len; k++)
    if (fabs (g_array_index (pred, double, k) - t) <= tol)
      return TRUE;
  return FALSE;
}

/* Quick movements: runs of |v| above half the threshold, kept when the peak passes the
 * threshold, or half of it where the beat atom predicts a fast phase; bounded where the
 * velocity falls below a tenth of the peak (docs/nystagmus.md, "Fast phases"). */
static GArray *
find_quick (const Ctx *c, double thr, GArray *pred, int pred_sign, double tol)
{
  GArray *q = g_array_new (FALSE, FALSE, sizeof (Quick));
  gsize i = 0;

  while (i < c->n)
    {
      gsize a, b, pk;
      int sign;
      double peak = 0;
      Quick quick = { 0 };

      double level, edge;

      /* Weak candidates (for the atom to confirm) only against the slow phases: in the
       * slow direction a run at half the threshold would follow the slow phase itself. */
      sign = isfinite (c->v[i]) && c->v[i] > 0 ? 1 : -1;
      level = sign == c->slow_sign ? thr : 0.5 * thr;
      if (!isfinite (c->v[i]) || fabs (c->v[i]) < level)
        {
          i++;
          continue;
        }
      a = b = pk = i;
      while (b + 1 < c->n && isfinite (c->v[b + 1]) && c->v[b + 1] * sign >= level)
        b++;
      for (gsize k = a; k <= b; k++)
        if (fabs (c->v[k]) > peak)
          peak = fabs (c->v[k]), pk = k;
      i = b + 1;
      quick.atom = pred->len > 0 && pred_sign == sign && predicted_near (pred, pk / c->sfreq, tol);
      if (peak < thr && !quick.atom)
        continue;
      edge = sign == c->slow_sign ? MAX (0.1 * peak, 1.2 * c->slow_p95) : 0.1 * peak;
      while (a > 0 && isfinite (c->v[a - 1]) && c->v[a - 1] * sign > edge)
        a--;
      while (b + 1 < c->n && isfinite (c->v[b + 1]) && c->v[b + 1] * sign > edge)
        b++;
      /* Two peaks of one movement (a dip above a tenth): one quick phase. */
      if (q->len > 0)
        {
          Quick *last = &g_array_index (q, Quick, q->len - 1);
          if (last->sign == sign && last->end >= a)
            {
              last->end = MAX (last->end, b);
              if (peak > last->peak_velocity)
                last->peak = pk, last->peak_velocity = peak;
              last->atom |= quick.atom;
              i = MAX (i, b + 1);
              continue;
            }
        }
      quick.start = a;
      quick.end = b;
      quick.peak = pk;
      quick.sign = sign;
      quick.peak_velocity = peak;
      g_array_append_val (q, quick);
      i = MAX (i, b + 1);
    }
  for (guint k = 0; k < q->len; k++)
    {
      Quick *qk = &g_array_index (q, Quick, k);
      qk->amplitude = c->pos[qk->end] - c->pos[qk->start];
    }
  return q;
}

static gboolean
range_valid (const Ctx *c, gsize a, gsize b)
{
  for (gsize i = a; i <= b && i < c->n; i++)
    if (!isfinite (c->ch->position[i]))
      return FALSE;
  return TRUE;
}

/* Least-squares cubic through (t, x) on [a, b] (t centred on the interval, in s):
 * coefficients c0 … c3. */
static gboolean
fit_cubic (const double *x, gsize a, gsize b, double sfreq, double tc, double coef[4])
{
  double A[4][5] = { { 0 } };

  for (gsize i = a; i <= b; i++)
    {
      double t = i / sfreq - tc, pw[7] = { 1 };
      for (int k = 1; k < 7; k++)
        pw[k] = pw[k - 1] * t;
      for (int r = 0; r < 4; r++)
        {
          for (int s = 0; s < 4; s++)
            A[r][s] += pw[r + s];
          A[r][4] += pw[r] * x[i];
        }
    }
  /* Gaussian elimination with partial pivoting. */
  for (int col = 0; col < 4; col++)
    {
      int piv = col;
      for (int r = col + 1; r < 4; r++)
        if (fabs (A[r][col]) > fabs (A[piv][col]))
          piv = r;
      if (!(fabs (A[piv][col]) > 1e-300))
        return FALSE;
      for (int s = 0; s < 5; s++)
        {
          double tmp = A[col][s];
          A[col][s] = A[piv][s];
          A[piv][s] = tmp;
        }
      for (int r = 0; r < 4; r++)
        if (r != col)
          {
            double f = A[r][col] / A[col][col];
            for (int s = col; s < 5; s++)
              A[r][s] -= f * A[col][s];
          }
    }
  for (int r = 0; r < 4; r++)
    coef[r] = A[r][4] / A[r][r];
  return TRUE;
}

static double
cubic_at (const double c[4], double t)
{
  return ((c[3] * t + c[2]) * t + c[1]) * t + c[0];
}

static double
cubic_slope (const double c[4], double t)
{
  return (3 * c[3] * t + 2 * c[2]) * t + c[1];
}

static AsNystagmusDirection
direction_of (AsEyeAxis axis, int sign)
{
  if (axis == AS_EYE_AXIS_VERTICAL)
    return sign > 0 ? AS_NYSTAGMUS_DIRECTION_UP : AS_NYSTAGMUS_DIRECTION_DOWN;
  return sign > 0 ? AS_NYSTAGMUS_DIRECTION_RIGHT : AS_NYSTAGMUS_DIRECTION_LEFT;
}

/* Measures the slow phase [a, b] (samples) followed by the fast phase q: fills the beat
 * and returns FALSE when the slow phase cannot be measured or drifts the wrong way
 * (docs/nystagmus.md, "Slow phase"). */
static gboolean
measure_jerk_beat (const Ctx *c, gsize a, const Quick *q, AsNystagmusBeat *beat)
{
  gsize b = q->start;
  double ts = a / c->sfreq, te = b / c->sfreq, tc = 0.5 * (ts + te), coef[4], mean, v20, v80;
  double peak = 0, lo = INFINITY, hi = -INFINITY;
  int slow = -q->sign;

  if (b <= a || b - a < 2 * c->h + 6)
    return FALSE;
  if (!fit_cubic (c->ch->position, a, b, c->sfreq, tc, coef))
    return FALSE;
  mean = (cubic_at (coef, te - tc) - cubic_at (coef, ts - tc)) / (te - ts) * slow;
  if (!(mean > 0))
    return FALSE;
  v20 = cubic_slope (coef, ts + 0.2 * (te - ts) - tc) * slow;
  v80 = cubic_slope (coef, ts + 0.8 * (te - ts) - tc) * slow;
  for (gsize i = a + c->h; i + c->h <= b; i++)
    peak = MAX (peak, c->v[i] * slow);
  for (gsize i = a; i <= q->end; i++)
    {
      lo = MIN (lo, c->pos[i]);
      hi = MAX (hi, c->pos[i]);
    }
  beat->start = ts;
  beat->fast_start = te;
  beat->end = q->end / c->sfreq;
  beat->direction = direction_of (c->ch->axis, q->sign);
  beat->spv_mean = mean;
  beat->spv_peak = MAX (peak, mean);
  beat->amplitude = hi - lo;
  beat->atom = q->atom;
  if ((v80 - v20) / mean > c->p->shape_threshold)
    beat->shape = AS_SLOW_PHASE_INCREASING;
  else if ((v80 - v20) / mean < -c->p->shape_threshold)
    beat->shape = AS_SLOW_PHASE_DECREASING;
  else
    beat->shape = AS_SLOW_PHASE_LINEAR;
  return TRUE;
}

/* Oscillation cycles: positive peaks of the smoothed position with a hysteresis of
 * @hyst degrees, over valid samples only.  Returns the peaks' sample indices. */
static GArray *
find_peaks (const Ctx *c, double hyst)
{
  GArray *peaks = g_array_new (FALSE, FALSE, sizeof (gsize));
  int state = 0;   /* +1 looking for a maximum, −1 for a minimum */
  double ext = NAN;
  gsize at = 0;

  for (gsize i = 0; i < c->n; i++)
    {
      double x = c->pos[i];
      if (!isfinite (x) || !isfinite (c->v[i]))
        {
          state = 0;
          ext = NAN;
          continue;
        }
      if (state == 0)
        {
          state = 1;
          ext = x;
          at = i;
          continue;
        }
      if (state > 0)
        {
          if (x > ext)
            ext = x, at = i;
          else if (x < ext - hyst)
            {
              g_array_append_val (peaks, at);
              state = -1;
              ext = x;
              at = i;
            }
        }
      else
        {
          if (x < ext)
            ext = x, at = i;
          else if (x > ext + hyst)
            {
              state = 1;
              ext = x;
              at = i;
            }
        }
    }
  return peaks;
}

static void
add_excluded (AsNystagmusAnalysis *an, double a, double b)
{
  AsInterval iv = { a, b };
  g_array_append_val (an->excluded, iv);
}

static gboolean
quick_between_is_saccade (GArray *quick, guint from, guint to)
{
  for (guint k = from + 1; k < to; k++)
    if (g_array_index (quick, Quick, k).saccade)
      return TRUE;
  return FALSE;
}

/* Whether the quick movement @k in the fast-phase direction is one saccade of a square-wave
 * jerk rather than a fast phase (docs/nystagmus.md, "Saccades"): it has a neighbour the
 * other way of about its size less than 0.5 s away, and the next fast phase's size matches
 * the drift since the last fast phase @last (intrusions, @k among them, taken out) better
 * than the drift since @k: a fast phase brings the eye back as far as it drifted since the
 * one before. */
static gboolean
has_return_saccade (const Ctx *c, GArray *quick, guint k, int fast_sign)
{
  const Quick *q = &g_array_index (quick, Quick, k);
  gboolean pair = FALSE;

  for (int side = -1; side <= 1; side += 2)
    {
      const Quick *o;
      double gap, r;
      if ((side < 0 && k == 0) || (side > 0 && k + 1 >= quick->len))
        continue;
      o = &g_array_index (quick, Quick, k + side);
      gap = (double) (side < 0 ? q->start - o->end : o->start - q->end) / c->sfreq;
      r = fabs (o->amplitude) / MAX (fabs (q->amplitude), 1e-9);
      pair |= o->sign != fast_sign && gap < 0.5 && r > 0.6 && r < 1.0 / 0.6;
    }
  return pair;
}

static gboolean
is_square_wave_jerk (const Ctx *c, GArray *quick, guint k, gssize last, double jumps, int fast_sign)
{
  const Quick *q = &g_array_index (quick, Quick, k), *l = &g_array_index (quick, Quick, last);
  const Quick *q3 = NULL;
  double between = 0, a3, d_fast, d_jerk;

  if (!has_return_saccade (c, quick, k, fast_sign))
    return FALSE;
  for (guint j = k + 1; j < quick->len && q3 == NULL; j++)
    {
      const Quick *o = &g_array_index (quick, Quick, j);
      if (o->sign == fast_sign)
        q3 = o;
      else
        between += o->amplitude;
    }
  if (q3 == NULL || !range_valid (c, l->end, q3->start))
    return FALSE;
  a3 = fabs (q3->amplitude);
  d_fast = (c->pos[q3->start] - c->pos[q->end] - between) * -fast_sign;
  d_jerk = (c->pos[q3->start] - c->pos[l->end] - jumps - q->amplitude - between) * -fast_sign;
  return fabs (a3 - d_jerk) < fabs (a3 - d_fast);
}

/* Foveation (docs/nystagmus.md, "Foveation"). */
static void
find_foveations (AsNystagmusAnalysis *an, const Ctx *c)
{
  const AsNystagmusParams *p = c->p;
  g_autofree double *slow = g_new (double, MAX (c->n, 1));
  g_autofree double *fv = g_new (double, MAX (c->n, 1));
  g_autofree double *fp = g_new (double, MAX (c->n, 1));
  gsize n_slow = 0, best = 0, run = 0;
  double centre = p->foveation_position;
  guint hf;

  if (isfinite (p->foveation_velocity_window) && p->foveation_velocity_window > 0)
    hf = (guint) MAX (1.0, round (0.5 * p->foveation_velocity_window * c->sfreq));
  else
    {
      /* As short as the noise allows: the line fit's slope over 2h + 1 samples has a noise
       * of σ_x f_s / √(Σk²), Σk² ≈ 2h³/3; h so that it is a quarter of the speed
       * threshold, within 30–100 ms (docs/nystagmus.md, "Foveation"). */
      double target = 0.25 * p->foveation_velocity;
      double r = c->noise_pos * c->sfreq / MAX (target, 1e-9);
      double h = cbrt (1.5 * r * r);
      h = CLAMP (h, 0.5 * 0.030 * c->sfreq, 0.5 * 0.100 * c->sfreq);
      hf = (guint) MAX (1.0, round (h));
    }
  an->params.foveation_velocity_window = 2.0 * hf / c->sfreq;

  /* Foveation periods border fast phases: an edge-preserving velocity, smoother than the
   * one that finds fast phases, so that neither blur nor noise cuts them short. */
  edge_preserving_fit (c->ch->position, c->n, hf, c->sfreq, c->noise_pos, fv, fp);

  for (gsize i = 0; i < c->n; i++)
    if (isfinite (fv[i]) && isfinite (c->ch->position[i]) && fabs (fv[i]) < p->foveation_velocity)
      slow[n_slow++] = fp[i];
  if (!isfinite (centre))
    {
      centre = NAN;
      qsort (slow, n_slow, sizeof (double), compare_double);
      for (gsize i = 0, j = 0; i < n_slow; i++)
        {
          while (j < n_slow && slow[j] <= slow[i] + 2 * p->foveation_window)
            j++;
          if (j - i > best)
            {
              best = j - i;
              centre = slow[i] + p->foveation_window;
            }
        }
    }
  an->foveation_position = centre;
  if (!isfinite (centre))
    return;
  {
    /* Samples that meet the criteria; gaps of at most 10 ms between two such runs (noise
     * crossing a threshold for an instant) are bridged. */
    g_autofree gboolean *ok = g_new0 (gboolean, MAX (c->n, 1));
    gsize gap = (gsize) round (0.010 * c->sfreq), last_in = G_MAXSIZE;
    for (gsize i = 0; i < c->n; i++)
      {
        ok[i] = isfinite (fv[i]) && isfinite (c->ch->position[i])
                && fabs (fv[i]) < p->foveation_velocity && fabs (fp[i] - centre) < p->foveation_window;
        if (!ok[i])
          continue;
        if (last_in != G_MAXSIZE && i - last_in > 1 && i - last_in - 1 <= gap)
          for (gsize j = last_in + 1; j < i; j++)
            ok[j] = isfinite (c->ch->position[j]);
        last_in = i;
      }
    for (gsize i = 0; i <= c->n; i++)
    {
      gboolean in = i < c->n && ok[i];
      if (in)
        {
          run++;
          continue;
        }
      if (run > 0 && run / c->sfreq >= p->foveation_min_duration - 1e-9)
        {
          AsInterval iv = { (i - run) / c->sfreq, i / c->sfreq };
          g_array_append_val (an->foveations, iv);
        }
      run = 0;
    }
  }
}

AsNystagmusAnalysis *
as_nystagmus_analyse (AsEyeChannel *ch, const AsNystagmusParams *params, const AsBeatAtom *atom,
                      GError **error)
{
  AsNystagmusParams defaults;
  g_autoptr (AsNystagmusAnalysis) an = NULL;
  g_autoptr (GArray) quick = NULL;
  g_autoptr (GArray) pred = NULL;
  g_autoptr (GArray) peaks = NULL;
  g_autofree double *d2 = NULL;
  Ctx c = { 0 };
  double thr, tol, hyst;
  int pred_sign = 0, fast_sign = 0, n_pos = 0, n_neg = 0;
  gsize m = 0;
  guint n_fast = 0;

  g_return_val_if_fail (ch != NULL, NULL);
  if (params == NULL)
    {
      as_nystagmus_params_init (&defaults);
      params = &defaults;
    }
  c.ch = ch;
  c.p = params;
  c.n = ch->n;
  c.sfreq = ch->sfreq;
  c.h = (guint) MAX (1.0, round (0.5 * params->velocity_window * ch->sfreq));
  if (!(ch->sfreq > 0) || ch->n < 4 * c.h + 8)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Channel “%s”: too short to find nystagmus beats"), ch->label);
      return NULL;
    }

  an = g_new0 (AsNystagmusAnalysis, 1);
  g_atomic_ref_count_init (&an->ref_count);
  an->channel = as_eye_channel_ref (ch);
  an->params = *params;
  an->beats = g_array_new (FALSE, FALSE, sizeof (AsNystagmusBeat));
  an->excluded = g_array_new (FALSE, FALSE, sizeof (AsInterval));
  an->foveations = g_array_new (FALSE, FALSE, sizeof (AsInterval));
  an->velocity = g_new (double, c.n);
  c.v = an->velocity;
  c.pos = g_new (double, c.n);
  sg_derivative (ch->position, c.n, c.h, c.sfreq, c.v);
  sg_smooth (ch->position, c.n, c.h, c.pos);

  /* Noise: the MAD of second differences (σ√6 for white noise). */
  d2 = g_new (double, c.n);
  for (gsize i = 1; i + 1 < c.n; i++)
    {
      double d = ch->position[i + 1] - 2 * ch->position[i] + ch->position[i - 1];
      if (isfinite (d))
        d2[m++] = fabs (d);
    }
  c.noise_pos = m > 0 ? median_of (d2, m) / 0.6745 / sqrt (6.0) : 0.0;
  {
    double norm = 0;
    for (int k = 1; k <= (int) c.h; k++)
      norm += 2.0 * k * k;
    c.noise_v = c.noise_pos * c.sfreq / sqrt (norm);
  }

  thr = adaptive_threshold (&c);
  if (isfinite (params->fast_threshold) && params->fast_threshold > 0)
    thr = params->fast_threshold;
  an->fast_threshold = thr;
  pred = atom_predictions (atom, c.sfreq, &pred_sign);
  an->n_atom_onsets = atom ? (guint) atom->n_onsets : 0;
  an->atom_rate = NAN;
  if (atom != NULL && atom->n_onsets >= 2)
    {
      double first = INFINITY, last = -INFINITY;
      for (gsize i = 0; i < atom->n_onsets; i++)
        {
          first = MIN (first, atom->onsets[i]);
          last = MAX (last, atom->onsets[i]);
        }
      if (last > first)
        an->atom_rate = (atom->n_onsets - 1) / (last - first);
    }
  tol = atom && atom->length > 0 ? MAX (0.05, 0.25 * atom->length / c.sfreq) : 0.05;
  quick = find_quick (&c, thr, pred, pred_sign, tol);

  /* The fast-phase direction: the sign most quick movements take. */
  for (guint k = 0; k < quick->len; k++)
    {
      if (g_array_index (quick, Quick, k).sign > 0)
        n_pos++;
      else
        n_neg++;
    }
  fast_sign = n_pos >= n_neg ? 1 : -1;

  /* Intrusions (docs/nystagmus.md, "Saccades"): quick movements the other way, and
   * those larger than the slow drift since the last fast phase (saccades in between
   * taken out) by a margin: a fast phase brings the eye back about as far as it drifted. */
  {
    gssize last = -1;
    double jumps = 0;   /* displacement of the intrusions since the last fast phase */
    for (guint k = 0; k < quick->len; k++)
      {
        Quick *q = &g_array_index (quick, Quick, k);
        if (q->sign != fast_sign)
          {
            q->saccade = TRUE;
            jumps += q->amplitude;
            continue;
          }
        if (last >= 0 && range_valid (&c, g_array_index (quick, Quick, last).end, q->start))
          {
            double drift = (c.pos[q->start] - c.pos[g_array_index (quick, Quick, last).end] - jumps)
                           * -fast_sign;
            /* Without a saccade back nearby, a fast phase may overshoot the drift more
             * (the eye's resting position moves in infantile nystagmus). */
            gboolean paired = has_return_saccade (&c, quick, k, fast_sign);
            drift = MAX (drift, 0.0);
            if (fabs (q->amplitude) > drift + (paired ? MAX (0.5, 0.3 * drift) : MAX (1.0, 0.45 * drift)))
              {
                q->saccade = TRUE;
                jumps += q->amplitude;
                continue;
              }
          }
        if (last >= 0 && is_square_wave_jerk (&c, quick, k, last, jumps, fast_sign))
          {
            q->saccade = TRUE;
            jumps += q->amplitude;
            continue;
          }
        last = k;
        jumps = 0;
        n_fast++;
      }
  }

  /* Cycles, for the waveform class. */
  hyst = MAX (5 * c.noise_pos, 0.25);
  peaks = find_peaks (&c, hyst);
  an->n_cycles = peaks->len > 0 ? peaks->len : 0;

  if (an->n_cycles > 0 && n_fast <= 0.3 * an->n_cycles)
    {
      /* Pendular: one beat per cycle, peak to peak. */
      g_autofree double *dur = g_new (double, MAX (peaks->len, 1));
      double med_dur;
      guint nd = 0;

      for (guint k = 0; k + 1 < peaks->len; k++)
        dur[nd++] = (g_array_index (peaks, gsize, k + 1) - g_array_index (peaks, gsize, k)) / c.sfreq;
      med_dur = nd > 0 ? median_of (dur, nd) : 0;
      for (guint k = 0; k + 1 < peaks->len; k++)
        {
          gsize a = g_array_index (peaks, gsize, k), b = g_array_index (peaks, gsize, k + 1);
          double lo = INFINITY, hi = -INFINITY, path = 0, vmax = 0;
          gboolean bad = !range_valid (&c, a, b) || (b - a) / c.sfreq > 1.6 * med_dur;
          AsNystagmusBeat beat = { 0 };

          for (guint j = 0; j < quick->len && !bad; j++)
            {
              const Quick *q = &g_array_index (quick, Quick, j);
              if (q->end >= a && q->start <= b)
                bad = TRUE;
            }
          if (bad)
            {
              add_excluded (an, a / c.sfreq, b / c.sfreq);
              continue;
            }
          for (gsize i = a; i <= b; i++)
            {
              lo = MIN (lo, c.pos[i]);
              hi = MAX (hi, c.pos[i]);
              if (isfinite (c.v[i]))
                vmax = MAX (vmax, fabs (c.v[i]));
            }
          path = (c.pos[a] - lo) + (c.pos[b] - lo);
          beat.start = a / c.sfreq;
          beat.fast_start = beat.end = b / c.sfreq;
          beat.direction = AS_NYSTAGMUS_DIRECTION_NONE;
          beat.shape = AS_SLOW_PHASE_NONE;
          beat.spv_mean = path / (beat.end - beat.start);
          beat.spv_peak = vmax;
          beat.amplitude = hi - lo;
          beat.atom = predicted_near (pred, 0.5 * (beat.start + beat.end), 0.5 * (beat.end - beat.start));
          g_array_append_val (an->beats, beat);
        }
    }
  else
    {
      /* Jerk: a beat is the slow phase between two fast phases and the second one. */
      g_autofree double *dur = g_new (double, MAX (quick->len, 1));
      double med_dur;
      guint nd = 0;
      gssize prev = -1;

      for (guint k = 0; k < quick->len; k++)
        {
          const Quick *q = &g_array_index (quick, Quick, k);
          if (q->saccade)
            continue;
          if (prev >= 0)
            dur[nd++] = (q->end - g_array_index (quick, Quick, prev).end) / c.sfreq;
          prev = k;
        }
      med_dur = nd > 0 ? median_of (dur, nd) : 0;
      prev = -1;
      for (guint k = 0; k < quick->len; k++)
        {
          const Quick *q = &g_array_index (quick, Quick, k);
          const Quick *p;
          AsNystagmusBeat beat = { 0 };

          if (q->saccade)
            continue;
          if (prev < 0)
            {
              prev = k;
              continue;
            }
          p = &g_array_index (quick, Quick, prev);
          if (!range_valid (&c, p->end, q->end) || quick_between_is_saccade (quick, prev, k)
              || (q->end - p->end) / c.sfreq > 1.6 * med_dur
              || !measure_jerk_beat (&c, p->end, q, &beat))
            add_excluded (an, p->end / c.sfreq, q->end / c.sfreq);
          else
            g_array_append_val (an->beats, beat);
          prev = k;
        }
    }

  find_foveations (an, &c);
  g_free (c.pos);

  if (an->beats->len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Channel “%s”: no nystagmus beat found (%u quick movements, %u oscillation cycles)"),
                   ch->label, quick->len, an->n_cycles);
      return NULL;
    }
  /* Keep what the class needs for intervals: the fast phases and the cycles. */
  an->fast_times = g_array_new (FALSE, FALSE, sizeof (double));
  an->cycle_times = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint k = 0; k < quick->len; k++)
    if (!g_array_index (quick, Quick, k).saccade)
      {
        double t = g_array_index (quick, Quick, k).peak / c.sfreq;
        g_array_append_val (an->fast_times, t);
      }
  for (guint k = 0; k < peaks->len; k++)
    {
      double t = g_array_index (peaks, gsize, k) / c.sfreq;
      g_array_append_val (an->cycle_times, t);
    }
  as_nystagmus_summarise (an, 0.0, c.n / c.sfreq + 1.0, &an->summary);
  return g_steal_pointer (&an);
}

AsNystagmusAnalysis *
as_nystagmus_analysis_ref (AsNystagmusAnalysis *a)
{
  g_atomic_ref_count_inc (&a->ref_count);
  return a;
}

void
as_nystagmus_analysis_unref (AsNystagmusAnalysis *a)
{
  if (a == NULL || !g_atomic_ref_count_dec (&a->ref_count))
    return;
  as_eye_channel_unref (a->channel);
  g_free (a->velocity);
  g_clear_pointer (&a->beats, g_array_unref);
  g_clear_pointer (&a->excluded, g_array_unref);
  g_clear_pointer (&a->foveations, g_array_unref);
  g_clear_pointer (&a->fast_times, g_array_unref);
  g_clear_pointer (&a->cycle_times, g_array_unref);
  g_free (a);
}

static guint
count_in (GArray *times, double t0, double t1)
{
  guint n = 0;
  for (guint i = 0; times != NULL && i < times->len; i++)
    {
      double t = g_array_index (times, double, i);
      n += t >= t0 && t < t1;
    }
  return n;
}

void
as_nystagmus_summarise (const AsNystagmusAnalysis *a, double t0, double t1,
                        AsNystagmusSummary *out)
{
  const AsEyeChannel *ch = a->channel;
  g_autofree double *spv = g_new (double, MAX (a->beats->len, 1));
  g_autofree double *peak = g_new (double, MAX (a->beats->len, 1));
  guint n = 0, dir_count[5] = { 0 }, shape_count[4] = { 0 }, n_fast, n_cycles;
  double total = 0, amp = 0, fov = 0;
  gsize valid = 0;

  memset (out, 0, sizeof *out);
  for (guint i = 0; i < a->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (a->beats, AsNystagmusBeat, i);
      if (b->start < t0 || b->start >= t1)
        continue;
      spv[n] = b->spv_mean;
      peak[n] = b->spv_peak;
      n++;
      total += b->end - b->start;
      amp += b->amplitude;
      dir_count[b->direction]++;
      shape_count[b->shape]++;
    }
  for (gsize s = (gsize) MAX (0.0, ceil (t0 * ch->sfreq)); s < ch->n && s < t1 * ch->sfreq; s++)
    valid += isfinite (ch->position[s]) && isfinite (a->velocity[s]);
  out->n_beats = n;
  out->duration = valid / ch->sfreq;
  out->frequency = total > 0 ? n / total : NAN;
  qsort (spv, n, sizeof (double), compare_double);
  qsort (peak, n, sizeof (double), compare_double);
  out->spv_median = quantile_sorted (spv, n, 0.5);
  out->spv_q1 = quantile_sorted (spv, n, 0.25);
  out->spv_q3 = quantile_sorted (spv, n, 0.75);
  out->spv_peak_median = quantile_sorted (peak, n, 0.5);
  out->amplitude_mean = n > 0 ? amp / n : NAN;
  out->intensity = out->amplitude_mean * out->frequency;
  out->direction = AS_NYSTAGMUS_DIRECTION_NONE;
  for (int d = 1; d < 5; d++)
    if (dir_count[d] > dir_count[out->direction])
      out->direction = d;
  out->direction_share = n > 0 ? (double) dir_count[out->direction] / n : NAN;
  out->shape = AS_SLOW_PHASE_NONE;
  for (int s = 1; s < 4; s++)
    if (shape_count[s] > shape_count[out->shape])
      out->shape = s;

  /* Waveform class (docs/nystagmus.md, "Waveform"): fast phases per oscillation cycle. */
  n_fast = count_in (a->fast_times, t0, t1);
  n_cycles = count_in (a->cycle_times, t0, t1);
  if (n == 0)
    out->waveform = AS_NYSTAGMUS_WAVEFORM_NONE;
  else if (n_cycles == 0 || n_fast >= 0.7 * n_cycles)
    out->waveform = AS_NYSTAGMUS_WAVEFORM_JERK;
  else if (n_fast <= 0.3 * n_cycles)
    out->waveform = AS_NYSTAGMUS_WAVEFORM_PENDULAR;
  else
    out->waveform = AS_NYSTAGMUS_WAVEFORM_MIXED;

  for (guint i = 0; i < a->foveations->len; i++)
    {
      const AsInterval *iv = &g_array_index (a->foveations, AsInterval, i);
      double s = MAX (iv->start, t0), e = MIN (iv->end, t1);
      if (e <= s)
        continue;
      out->n_foveations++;
      fov += e - s;
    }
  out->foveation_mean = out->n_foveations > 0 ? fov / out->n_foveations : 0.0;
  out->foveation_fraction = out->duration > 0 ? fov / out->duration : 0.0;
}

double
as_nystagmus_typical_window (const AsNystagmusAnalysis *a, double t0, double t1, double length)
{
  const AsNystagmusBeat *b = (const AsNystagmusBeat *) a->beats->data;
  const guint nb = a->beats->len;
  double end = MIN (t1, a->channel->n / a->channel->sfreq);
  double best_start = t0, best_score = -G_MAXDOUBLE, median_all;
  AsNystagmusSummary all;
  g_autofree double *spv = NULL;
  guint lo = 0;

  if (end - t0 <= length || nb == 0)
    return t0;
  as_nystagmus_summarise (a, t0, end, &all);
  if (all.n_beats == 0 || !(all.spv_median > 0))
    return t0;
  median_all = all.spv_median;
  spv = g_new (double, nb);
  /* Candidates: the interval's start and a tenth of a second before each beat. */
  for (guint c = 0; c <= nb; c++)
    {
      double s = c == 0 ? t0 : b[c - 1].start - 0.1, e, score, med;
      guint n = 0, cut = 0;

      if (c > 0 && (b[c - 1].start < t0 || s + length > end))
        continue;
      s = MAX (s, t0);
      e = s + length;
      while (lo < nb && b[lo].start < s)
        lo++;
      for (guint i = lo; i < nb && b[i].start < e; i++)
        if (b[i].end <= e)
          spv[n++] = b[i].spv_mean;
      for (guint i = 0; i < a->excluded->len; i++)
        {
          const AsInterval *x = &g_array_index (a->excluded, AsInterval, i);
          cut += x->start < e && x->end > s;
        }
      if (n == 0)
        continue;
      med = median_of (spv, n);
      /* Whole beats, weighed by how typical their velocity is; a beat left out costs two. */
      score = n * (1.0 - MIN (1.0, fabs (med - median_all) / median_all)) - 2.0 * cut;
      if (score > best_score)
        {
          best_score = score;
          best_start = s;
        }
    }
  return best_start;
}
