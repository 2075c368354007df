/* as-eye-sim.c: simulated nystagmus with its truth.
 *
 * Fast phases and square-wave jerks follow the saccadic main sequence, duration
 * ≈ 21 ms + 2.2 ms/° (Carpenter 1988), with a raised-cosine velocity profile.  Slow
 * phases have a constant velocity (linear), or an exponentially increasing or decreasing
 * one (Dell'Osso & Daroff 1975); the mean velocity over the slow phase is the SPV asked
 * for.  The foveation truth applies the definition of docs/nystagmus.md to the noise-free
 * movement sampled 20 times faster, with its exact velocity.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-eye-sim"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "as-eye-sim.h"
#include "as-reader.h"
#include "as-rng.h"

void
as_eye_sim_params_init (AsEyeSimParams *p)
{
  *p = (AsEyeSimParams) {
    .waveform = AS_NYSTAGMUS_WAVEFORM_JERK,
    .shape = AS_SLOW_PHASE_LINEAR,
    .direction = AS_NYSTAGMUS_DIRECTION_RIGHT,
    .spv = 10.0,
    .frequency = 3.0,
    .amplitude = 3.0,
    .shape_ratio = 4.0,
    .mixed_epoch = 2.0,
    .jitter = 0.05,
    .sfreq = 200.0,
    .duration = 30.0,
    .noise = 0.03,
    .blink_rate = 0.0,
    .blink_duration = 0.2,
    .saccade_rate = 0.0,
    .saccade_amplitude = 4.0,
    .foveation_velocity = 4.0,
    .foveation_window = 0.5,
    .foveation_min_duration = 0.040,
    .seed = 0,
  };
}

/* Main-sequence duration of a saccade of @amplitude degrees (s). */
static double
saccade_duration (double amplitude)
{
  return 0.021 + 0.0022 * fabs (amplitude);
}

/* Fraction of a raised-cosine saccade done at u ∈ [0, 1]. */
static double
saccade_profile (double u)
{
  u = CLAMP (u, 0.0, 1.0);
  return u - sin (2 * G_PI * u) / (2 * G_PI);
}

typedef struct
{
  double start, length, amplitude;   /* one saccade of a square-wave jerk */
} Step;

typedef struct
{
  const AsEyeSimParams *p;
  GArray *beats;   /* AsEyeSimBeat */
  GArray *steps;   /* Step */
  double  sign;    /* +1 when the fast phase goes to positive values */
  double  phase;   /* pendular */
} Model;

/* Slow-phase displacement (≥ 0, towards the slow direction) after @t of a slow phase of
 * length @T at mean speed @v. */
static double
slow_displacement (const AsEyeSimParams *p, double v, double T, double t)
{
  double k = log (MAX (p->shape_ratio, 1.0 + 1e-9)), v0;

  switch (p->shape)
    {
    case AS_SLOW_PHASE_INCREASING:
      v0 = v * k / expm1 (k);
      return v0 * T / k * expm1 (k * t / T);
    case AS_SLOW_PHASE_DECREASING:
      v0 = v * k / -expm1 (-k);
      return v0 * T / k * -expm1 (-k * t / T);
    default:
      return v * t;
    }
}

static double
beat_position (const Model *m, const AsEyeSimBeat *b, double t)
{
  double ts = b->fast_start - b->start, tau = t - b->start;

  /* A pendular cycle of a mixed movement: from the beats' resting position and back. */
  if (b->fast_start >= b->end)
    return -m->sign * 0.5 * b->amplitude * (1.0 - cos (2 * G_PI * tau / (b->end - b->start)));

  if (tau < ts)
    return -m->sign * slow_displacement (m->p, b->spv, ts, tau);
  return -m->sign * b->amplitude * (1.0 - saccade_profile ((tau - ts) / (b->end - b->fast_start)));
}

/* Noise-free position at @t (°). */
static double
model_position (const Model *m, double t)
{
  double x = 0.0;

  if (m->p->waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    x = 0.5 * m->p->amplitude * cos (2 * G_PI * m->p->frequency * t + m->phase);
  else
    {
      /* Binary search for the beat holding t. */
      guint lo = 0, hi = m->beats->len;
      while (hi - lo > 1)
        {
          guint mid = (lo + hi) / 2;
          if (g_array_index (m->beats, AsEyeSimBeat, mid).start <= t)
            lo = mid;
          else
            hi = mid;
        }
      x = beat_position (m, &g_array_index (m->beats, AsEyeSimBeat, lo), t);
    }
  for (guint i = 0; i < m->steps->len; i++)
    {
      const Step *s = &g_array_index (m->steps, Step, i);
      if (t > s->start)
        x += s->amplitude * saccade_profile ((t - s->start) / s->length);
    }
  return x;
}

static gboolean
overlaps (GArray *intervals, double a, double b)
{
  for (guint i = 0; i < intervals->len; i++)
    {
      const AsInterval *iv = &g_array_index (intervals, AsInterval, i);
      if (iv->start < b && iv->end > a)
        return TRUE;
    }
  return FALSE;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* The time in the middle part of the slow phase of the beat holding @t, so that a
 * square-wave jerk's saccade never merges with a fast phase. */
static double
snap_to_slow_phase (const Model *m, double t, double length)
{
  for (guint i = 0; i < m->beats->len; i++)
    {
      const AsEyeSimBeat *b = &g_array_index (m->beats, AsEyeSimBeat, i);
      if (t >= b->start && t < b->end)
        {
          double lo = b->start + 0.3 * (b->fast_start - b->start);
          double hi = b->fast_start - 0.3 * (b->fast_start - b->start) - length;
          return hi > lo ? CLAMP (t, lo, hi) : lo;
        }
    }
  return t;
}

/* Foveation truth on the noise-free movement (see docs/nystagmus.md). */
static void
foveation_truth (AsEyeSim *sim, const Model *m)
{
  const AsEyeSimParams *p = &sim->params;
  const double rate = 20.0 * p->sfreq, dt = 1.0 / rate;
  gsize n = (gsize) floor (p->duration * rate);
  g_autofree double *x = g_new (double, n);
  g_autofree gboolean *slow = g_new0 (gboolean, n);
  g_autofree double *sorted = g_new (double, n);
  gsize n_slow = 0, best = 0, valid = 0, run = 0;
  double centre = 0.0, total = 0.0;

  for (gsize i = 0; i < n; i++)
    x[i] = model_position (m, i * dt);
  for (gsize i = 0; i < n; i++)
    {
      double t = i * dt, v;
      if (overlaps (sim->blinks, t, t))
        continue;
      valid++;
      v = (model_position (m, t + 0.5 * dt) - model_position (m, t - 0.5 * dt)) / dt;
      if (fabs (v) < p->foveation_velocity)
        {
          slow[i] = TRUE;
          sorted[n_slow++] = x[i];
        }
    }
  /* The position band of width 2w holding the most slow samples. */
  qsort (sorted, n_slow, sizeof (double), compare_double);
  for (gsize i = 0, j = 0; i < n_slow; i++)
    {
      while (j < n_slow && sorted[j] <= sorted[i] + 2 * p->foveation_window)
        j++;
      if (j - i > best)
        {
          best = j - i;
          centre = sorted[i] + p->foveation_window;
        }
    }
  sim->foveation_position = centre;
  for (gsize i = 0; i <= n; i++)
    {
      gboolean in = i < n && slow[i] && fabs (x[i] - centre) < p->foveation_window;
      if (in)
        {
          run++;
          continue;
        }
      if (run > 0 && run * dt >= p->foveation_min_duration)
        {
          AsInterval iv = { (i - run) * dt, i * dt };
          g_array_append_val (sim->foveations, iv);
          total += run * dt;
        }
      run = 0;
    }
  sim->foveation_fraction = valid > 0 ? total / (valid * dt) : 0.0;
}

AsEyeSim *
as_eye_sim_new (const AsEyeSimParams *params, GError **error)
{
  const AsEyeSimParams *p = params;
  g_autoptr (AsEyeSim) sim = NULL;
  Model m = { p };
  AsRng rng;
  g_autofree double *spvs = NULL;
  guint n_spv = 0;

  g_return_val_if_fail (params != NULL, NULL);

  if (!(p->sfreq > 0 && p->duration > 0 && p->frequency > 0 && p->noise >= 0
        && p->jitter >= 0 && p->jitter < 0.3 && p->blink_rate >= 0 && p->saccade_rate >= 0
        && p->blink_duration > 0 && p->shape_ratio >= 1 && p->duration * p->sfreq < 1e8)
      || (p->waveform != AS_NYSTAGMUS_WAVEFORM_PENDULAR
          && !(p->spv > 0 && 1.0 / p->frequency > 3 * saccade_duration (p->spv / p->frequency)))
      || (p->waveform != AS_NYSTAGMUS_WAVEFORM_JERK && !(p->amplitude > 0))
      || (p->waveform == AS_NYSTAGMUS_WAVEFORM_MIXED && !(p->mixed_epoch * p->frequency >= 1))
      || (p->waveform != AS_NYSTAGMUS_WAVEFORM_JERK && p->waveform != AS_NYSTAGMUS_WAVEFORM_PENDULAR
          && p->waveform != AS_NYSTAGMUS_WAVEFORM_MIXED)
      || p->direction == AS_NYSTAGMUS_DIRECTION_NONE)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Eye-movement simulation: parameters out of range (rate, duration, "
                     "frequency, velocity or amplitude must be positive; a beat must last "
                     "longer than three fast phases)"));
      return NULL;
    }

  sim = g_new0 (AsEyeSim, 1);
  sim->params = *p;
  sim->n = (gsize) floor (p->duration * p->sfreq);
  sim->position = g_new (double, sim->n);
  sim->beats = g_array_new (FALSE, FALSE, sizeof (AsEyeSimBeat));
  sim->blinks = g_array_new (FALSE, FALSE, sizeof (AsInterval));
  sim->saccades = g_array_new (FALSE, FALSE, sizeof (AsInterval));
  sim->foveations = g_array_new (FALSE, FALSE, sizeof (AsInterval));
  as_rng_init (&rng, p->seed);
  m.beats = sim->beats;
  m.steps = g_array_new (FALSE, FALSE, sizeof (Step));
  m.sign = (p->direction == AS_NYSTAGMUS_DIRECTION_RIGHT || p->direction == AS_NYSTAGMUS_DIRECTION_UP)
               ? 1.0 : -1.0;

  /* Beats (cycles), from a random phase before the first sample. */
  if (p->waveform != AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    {
      double t = -as_rng_uniform (&rng) / p->frequency, epoch_end = p->mixed_epoch;
      gboolean jerk = TRUE;
      while (t < p->duration)
        {
          if (p->waveform == AS_NYSTAGMUS_WAVEFORM_MIXED && t >= epoch_end)
            {
              jerk = !jerk;
              epoch_end = t + p->mixed_epoch;
            }
          if (!jerk)
            {
              /* A pendular epoch: whole cycles from the resting position and back. */
              double T = 1.0 / p->frequency;
              AsEyeSimBeat b = { t, t + T, t + T, 2 * p->amplitude * p->frequency, p->amplitude, TRUE };
              g_array_append_val (sim->beats, b);
              t += T;
              continue;
            }
          {
          double T = CLAMP (1.0 + p->jitter * as_rng_normal (&rng), 0.7, 1.3) / p->frequency;
          double v = p->spv * CLAMP (1.0 + p->jitter * as_rng_normal (&rng), 0.7, 1.3);
          /* A = v · (T − d(A)) with d(A) = 0.021 + 0.0022 A. */
          double a = v * (T - 0.021) / (1.0 + 0.0022 * v);
          AsEyeSimBeat b = { t, t + T - saccade_duration (a), t + T, v, a, TRUE };
          g_array_append_val (sim->beats, b);
          t += T;
          }
        }
    }
  else
    {
      double period = 1.0 / p->frequency;
      m.phase = 2 * G_PI * as_rng_uniform (&rng);
      /* Positive peaks at 2π f t + φ = 2π k. */
      for (double k = ceil (m.phase / (2 * G_PI)) - 1;; k++)
        {
          double t = (2 * G_PI * k - m.phase) / (2 * G_PI * p->frequency);
          AsEyeSimBeat b = { t, t + period, t + period, 2 * p->amplitude * p->frequency,
                             p->amplitude, TRUE };
          if (t >= p->duration)
            break;
          g_array_append_val (sim->beats, b);
        }
    }

  /* Square-wave jerks: a saccade away, a pause, a saccade back. */
  if (p->saccade_rate > 0)
    {
      double t = -log (1.0 - as_rng_uniform (&rng)) / p->saccade_rate;
      double len = saccade_duration (p->saccade_amplitude);
      while (t < p->duration - 1.0)
        {
          double sign = as_rng_uniform (&rng) < 0.5 ? -1.0 : 1.0;
          double away, back;
          away = m.p->waveform != AS_NYSTAGMUS_WAVEFORM_PENDULAR ? snap_to_slow_phase (&m, t, len) : t;
          back = away + 0.2 + 0.2 * as_rng_uniform (&rng);
          if (m.p->waveform != AS_NYSTAGMUS_WAVEFORM_PENDULAR)
            back = snap_to_slow_phase (&m, back, len);
          if (back > away + 2 * len && back + len < p->duration)
            {
              Step s1 = { away, len, sign * p->saccade_amplitude };
              Step s2 = { back, len, -sign * p->saccade_amplitude };
              AsInterval i1 = { away, away + len }, i2 = { back, back + len };
              g_array_append_val (m.steps, s1);
              g_array_append_val (m.steps, s2);
              g_array_append_val (sim->saccades, i1);
              g_array_append_val (sim->saccades, i2);
            }
          t = back + 0.5 - log (1.0 - as_rng_uniform (&rng)) / p->saccade_rate;
        }
    }

  /* Blinks: no data. */
  if (p->blink_rate > 0)
    {
      double t = -log (1.0 - as_rng_uniform (&rng)) / p->blink_rate;
      while (t < p->duration)
        {
          double len = p->blink_duration * (0.75 + 0.5 * as_rng_uniform (&rng));
          AsInterval iv = { t, MIN (t + len, p->duration) };
          g_array_append_val (sim->blinks, iv);
          t += len + 0.3 - log (1.0 - as_rng_uniform (&rng)) / p->blink_rate;
        }
    }

  for (gsize i = 0; i < sim->n; i++)
    {
      double t = i / p->sfreq;
      sim->position[i] = overlaps (sim->blinks, t, t + 1e-12) ? NAN
                             : model_position (&m, t) + p->noise * as_rng_normal (&rng);
    }

  spvs = g_new (double, MAX (sim->beats->len, 1));
  for (guint i = 0; i < sim->beats->len; i++)
    {
      AsEyeSimBeat *b = &g_array_index (sim->beats, AsEyeSimBeat, i);
      b->intact = b->start >= 0 && b->end <= (sim->n - 1) / p->sfreq
                  && !overlaps (sim->blinks, b->start, b->end)
                  && !overlaps (sim->saccades, b->start, b->end);
      if (b->intact)
        {
          sim->n_intact++;
          if (p->waveform != AS_NYSTAGMUS_WAVEFORM_MIXED || b->fast_start < b->end)
            spvs[n_spv++] = b->spv;
        }
    }
  qsort (spvs, n_spv, sizeof (double), compare_double);
  sim->spv_median = n_spv == 0 ? NAN
                    : n_spv % 2 ? spvs[n_spv / 2] : 0.5 * (spvs[n_spv / 2 - 1] + spvs[n_spv / 2]);

  foveation_truth (sim, &m);
  g_array_unref (m.steps);
  return g_steal_pointer (&sim);
}

void
as_eye_sim_free (AsEyeSim *sim)
{
  if (sim == NULL)
    return;
  g_free (sim->position);
  g_clear_pointer (&sim->beats, g_array_unref);
  g_clear_pointer (&sim->blinks, g_array_unref);
  g_clear_pointer (&sim->saccades, g_array_unref);
  g_clear_pointer (&sim->foveations, g_array_unref);
  g_free (sim);
}

AsEyeAxis
as_eye_sim_axis (const AsEyeSim *sim)
{
  return sim->params.direction == AS_NYSTAGMUS_DIRECTION_UP
                 || sim->params.direction == AS_NYSTAGMUS_DIRECTION_DOWN
             ? AS_EYE_AXIS_VERTICAL : AS_EYE_AXIS_HORIZONTAL;
}

AsRecording *
as_eye_sim_to_recording (const AsEyeSim *sim)
{
  AsRecording *rec = as_recording_new (1, sim->n, sim->params.sfreq);

  /* As a file reader gives it: blinks as events, their samples bridged. */
  memcpy (rec->data, sim->position, sizeof (double) * sim->n);
  as_recording_fill_gaps (rec);
  as_recording_set_channel (rec, 0,
                            as_eye_sim_axis (sim) == AS_EYE_AXIS_VERTICAL ? "vertical eye position"
                                                                          : "horizontal eye position",
                            "deg", AS_CHANNEL_GAZE);
  for (guint i = 0; i < sim->blinks->len; i++)
    {
      const AsInterval *iv = &g_array_index (sim->blinks, AsInterval, i);
      as_recording_add_event (rec, iv->start, iv->end - iv->start, "blink");
    }
  g_free (rec->format);
  rec->format = g_strdup ("simulation");
  rec->kind = AS_RECORDING_EYE;
  return rec;
}
