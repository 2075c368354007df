/* test-nystagmus.c: nystagmus measures against simulated eye movements whose truth is
 * known: for each waveform family the median slow-phase velocity within 5 %, the count
 * of intact beats within 2 %, every beat's direction, the waveform class and the
 * foveation fraction within 5 points; the beat atom recovering weak fast phases; and
 * clear errors for a recording without an eye channel or without beats.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-engine.h"
#include "as-eye-sim.h"
#include "as-nystagmus.h"

typedef struct
{
  const char          *name;
  AsNystagmusWaveform  waveform;
  AsSlowPhaseShape     shape;
  AsNystagmusDirection direction;
  double               spv, frequency, amplitude, ratio;
} Family;

static const Family families[] = {
  { "linear-right", AS_NYSTAGMUS_WAVEFORM_JERK, AS_SLOW_PHASE_LINEAR, AS_NYSTAGMUS_DIRECTION_RIGHT, 8, 2.5, 0, 4 },
  { "increasing-left", AS_NYSTAGMUS_WAVEFORM_JERK, AS_SLOW_PHASE_INCREASING, AS_NYSTAGMUS_DIRECTION_LEFT, 12, 3.5, 0, 20 },
  { "decreasing-up", AS_NYSTAGMUS_WAVEFORM_JERK, AS_SLOW_PHASE_DECREASING, AS_NYSTAGMUS_DIRECTION_UP, 6, 2.0, 0, 4 },
  { "linear-down", AS_NYSTAGMUS_WAVEFORM_JERK, AS_SLOW_PHASE_LINEAR, AS_NYSTAGMUS_DIRECTION_DOWN, 20, 3.0, 0, 4 },
  { "pendular-horizontal", AS_NYSTAGMUS_WAVEFORM_PENDULAR, AS_SLOW_PHASE_NONE, AS_NYSTAGMUS_DIRECTION_RIGHT, 0, 4.0, 3.0, 4 },
};

static AsEyeSim *
simulate (const Family *f, guint64 run, double noise)
{
  AsEyeSimParams p;
  g_autoptr (GError) error = NULL;
  AsEyeSim *sim;

  as_eye_sim_params_init (&p);
  p.waveform = f->waveform;
  p.shape = f->shape;
  p.direction = f->direction;
  p.spv = f->spv;
  p.frequency = f->frequency;
  p.amplitude = f->amplitude;
  p.shape_ratio = f->ratio;
  p.duration = 60.0;
  p.noise = noise;
  p.blink_rate = 0.08;
  p.saccade_rate = 0.05;
  p.saccade_amplitude = 6.0;
  p.seed = run;
  sim = as_eye_sim_new (&p, &error);
  g_assert_no_error (error);
  return sim;
}

/* The measures through the file path a user takes: a recording, its eye channel. */
static AsNystagmusAnalysis *
analyse (const AsEyeSim *sim, const AsBeatAtom *atom)
{
  g_autoptr (AsRecording) rec = as_eye_sim_to_recording (sim);
  g_autoptr (AsEyeChannel) ch = NULL;
  g_autoptr (GError) error = NULL;
  AsNystagmusAnalysis *an;

  ch = as_eye_channel_from_recording (rec, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch->axis, ==, as_eye_sim_axis (sim));
  an = as_nystagmus_analyse (ch, NULL, atom, &error);
  g_assert_no_error (error);
  return an;
}

static void
test_family (gconstpointer data)
{
  const Family *f = data;

  for (guint64 run = 1; run <= 2; run++)
    {
      g_autoptr (AsEyeSim) sim = simulate (f, run, 0.03);
      g_autoptr (AsNystagmusAnalysis) an = analyse (sim, NULL);
      const AsNystagmusSummary *s = &an->summary;
      AsNystagmusDirection expect = f->waveform == AS_NYSTAGMUS_WAVEFORM_JERK
                                        ? f->direction : AS_NYSTAGMUS_DIRECTION_NONE;

      g_test_message ("%s run %u: %u beats (truth %u), SPV %.3f (truth %.3f), "
                      "foveation %.3f (truth %.3f), class %s, shape %s",
                      f->name, (guint) run, s->n_beats, sim->n_intact, s->spv_median,
                      sim->spv_median, s->foveation_fraction, sim->foveation_fraction,
                      as_nystagmus_waveform_to_string (s->waveform),
                      as_slow_phase_shape_to_string (s->shape));
      g_assert_cmpfloat (fabs (s->spv_median - sim->spv_median), <=, 0.05 * sim->spv_median);
      g_assert_cmpfloat (fabs ((double) s->n_beats - sim->n_intact), <=, 0.02 * sim->n_intact);
      g_assert_cmpint (s->waveform, ==, f->waveform);
      for (guint i = 0; i < an->beats->len; i++)
        g_assert_cmpint (g_array_index (an->beats, AsNystagmusBeat, i).direction, ==, expect);
      g_assert_cmpint (s->direction, ==, expect);
      if (f->waveform == AS_NYSTAGMUS_WAVEFORM_JERK)
        g_assert_cmpint (s->shape, ==, f->shape);
      g_assert_cmpfloat (fabs (s->foveation_fraction - sim->foveation_fraction), <=, 0.05);
      g_assert_cmpfloat (fabs (s->frequency - f->frequency), <=, 0.05 * f->frequency);
    }
}

/* The sweep: every slow-phase shape in every beating direction, and pendular nystagmus on
 * both axes, over a spread of velocities, frequencies, amplitudes and noise levels, with
 * blinks and square-wave jerks, three simulations each.  Every case must meet the bounds
 * (median SPV within 5 %, intact beats within 2 %, every beat's direction, the waveform
 * class and slow-phase shape, the foveation fraction within 5 points); the worst errors
 * over the sweep are printed. */
typedef struct
{
  double spv, count, fovea, frequency;   /* in the domain where the bounds are asserted */
  double count_out, fovea_out;           /* outside it: measured, not asserted */
  guint  cases, count_cases, fovea_cases, failures;
} Worst;

static void
check_case (const Family *f, guint64 run, double noise, Worst *w)
{
  g_autoptr (AsEyeSim) sim = simulate (f, run, noise);
  g_autoptr (AsNystagmusAnalysis) an = analyse (sim, NULL);
  const AsNystagmusSummary *s = &an->summary;
  AsNystagmusDirection expect = f->waveform == AS_NYSTAGMUS_WAVEFORM_JERK
                                    ? f->direction : AS_NYSTAGMUS_DIRECTION_NONE;
  double e_spv = fabs (s->spv_median - sim->spv_median) / sim->spv_median;
  double e_count = fabs ((double) s->n_beats - sim->n_intact) / sim->n_intact;
  double e_fovea = fabs (s->foveation_fraction - sim->foveation_fraction);
  double e_freq = fabs (s->frequency - f->frequency) / f->frequency;
  guint wrong = 0;

  for (guint i = 0; i < an->beats->len; i++)
    wrong += g_array_index (an->beats, AsNystagmusBeat, i).direction != expect;
  double fmean = 0;
  for (guint i = 0; i < sim->foveations->len; i++)
    fmean += g_array_index (sim->foveations, AsInterval, i).end - g_array_index (sim->foveations, AsInterval, i).start;
  fmean = sim->foveations->len ? fmean / sim->foveations->len : 0;
  g_test_message ("%-10s %-5s %-10s SPV %5.1f f %3.1f A %3.1f noise %.2f #%u: beats %3u/%3u, "
                  "SPV %6.3f/%6.3f (%.2f %%), foveation %.3f/%.3f (%.0f ms), %s %s, %u wrong directions",
                  as_nystagmus_waveform_to_string (f->waveform),
                  as_nystagmus_direction_to_string (f->direction),
                  as_slow_phase_shape_to_string (f->shape), f->spv, f->frequency, f->amplitude,
                  noise, (guint) run, s->n_beats, sim->n_intact, s->spv_median, sim->spv_median,
                  100 * e_spv, s->foveation_fraction, sim->foveation_fraction, 1000 * fmean,
                  as_nystagmus_waveform_to_string (s->waveform),
                  as_slow_phase_shape_to_string (s->shape), wrong);
  /* The beat count is held to 2 % where the beats are at least 25 times the noise (rms):
   * smaller fast phases drown in it; the foveation fraction to 5 points with noise up to
   * 0.05° rms (at 0.1° a speed of 4 °/s is hard to tell from noise in periods of 50 ms).
   * Outside, the errors are printed. */
  double beat_size = f->waveform == AS_NYSTAGMUS_WAVEFORM_JERK ? f->spv / f->frequency : f->amplitude;
  gboolean count_domain = beat_size >= 25 * noise;
  gboolean fovea_domain = noise <= 0.05;
  w->spv = MAX (w->spv, e_spv);
  w->frequency = MAX (w->frequency, e_freq);
  if (count_domain)
    w->count = MAX (w->count, e_count), w->count_cases++;
  else
    w->count_out = MAX (w->count_out, e_count);
  if (fovea_domain)
    w->fovea = MAX (w->fovea, e_fovea), w->fovea_cases++;
  else
    w->fovea_out = MAX (w->fovea_out, e_fovea);
  w->cases++;
  /* Every failed bound is named, then the sweep fails: one run shows them all. */
  if (e_spv > 0.05 || (count_domain && e_count > 0.02) || wrong > 0 || s->direction != expect
      || s->waveform != f->waveform
      || (f->waveform == AS_NYSTAGMUS_WAVEFORM_JERK && s->shape != f->shape)
      || (fovea_domain && e_fovea > 0.05))
    {
      g_test_message ("  ^ out of bounds");
      w->failures++;
    }
}

static void
test_sweep (void)
{
  static const AsSlowPhaseShape shapes[] = { AS_SLOW_PHASE_LINEAR, AS_SLOW_PHASE_INCREASING,
                                             AS_SLOW_PHASE_DECREASING };
  static const AsNystagmusDirection directions[] = { AS_NYSTAGMUS_DIRECTION_RIGHT,
                                                     AS_NYSTAGMUS_DIRECTION_LEFT,
                                                     AS_NYSTAGMUS_DIRECTION_UP,
                                                     AS_NYSTAGMUS_DIRECTION_DOWN };
  static const double spvs[] = { 5, 10, 18, 30 }, freqs[] = { 1.5, 2.5, 3.5, 4.5 };
  static const double noises[] = { 0.02, 0.05, 0.1 }, ratios[] = { 4, 8, 20 };
  static const double amps[] = { 1, 3, 6 }, pfreqs[] = { 2, 4, 6 };
  Worst w = { 0 };
  guint k = 0;

  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    for (guint d = 0; d < G_N_ELEMENTS (directions); d++)
      for (guint64 run = 11; run <= 13; run++, k++)
        {
          Family f = { "", AS_NYSTAGMUS_WAVEFORM_JERK, shapes[i], directions[d],
                       spvs[(k + i) % G_N_ELEMENTS (spvs)], freqs[(k / 2 + d) % G_N_ELEMENTS (freqs)],
                       0, ratios[k % G_N_ELEMENTS (ratios)] };
          check_case (&f, run, noises[(k + d) % G_N_ELEMENTS (noises)], &w);
        }
  for (guint d = 0; d < 3; d += 2)
    for (guint64 run = 11; run <= 13; run++, k++)
      {
        Family f = { "", AS_NYSTAGMUS_WAVEFORM_PENDULAR, AS_SLOW_PHASE_NONE, directions[d], 0,
                     pfreqs[(k + d) % 3], amps[k % 3], 4 };
        check_case (&f, run, noises[k % 3], &w);
      }
  g_test_message ("worst over %u simulations: SPV %.2f %%, frequency %.2f %%, beat count %.2f %% "
                  "(%u in its domain; %.2f %% outside), foveation %.1f points (%u in its domain; "
                  "%.1f points outside); %u cases out of bounds", w.cases, 100 * w.spv,
                  100 * w.frequency, 100 * w.count, w.count_cases, 100 * w.count_out,
                  100 * w.fovea, w.fovea_cases, 100 * w.fovea_out, w.failures);
  g_assert_cmpuint (w.failures, ==, 0);
}

/* Mixed nystagmus: 2-s epochs of jerk and of pendular nystagmus in turn, horizontal and
 * vertical.  The class is mixed, every beat found beats the simulated way, and the jerk
 * beats' SPV is within 5 % (the pendular cycles are not beats). */
static void
test_mixed (void)
{
  static const Family mixed[] = {
    { "mixed-left", AS_NYSTAGMUS_WAVEFORM_MIXED, AS_SLOW_PHASE_LINEAR, AS_NYSTAGMUS_DIRECTION_LEFT, 10, 3.0, 3.0, 4 },
    { "mixed-up", AS_NYSTAGMUS_WAVEFORM_MIXED, AS_SLOW_PHASE_INCREASING, AS_NYSTAGMUS_DIRECTION_UP, 12, 3.5, 2.0, 8 },
    { "mixed-right", AS_NYSTAGMUS_WAVEFORM_MIXED, AS_SLOW_PHASE_DECREASING, AS_NYSTAGMUS_DIRECTION_RIGHT, 8, 2.5, 4.0, 4 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (mixed); i++)
    for (guint64 run = 31; run <= 32; run++)
      {
        const Family *f = &mixed[i];
        g_autoptr (AsEyeSim) sim = simulate (f, run, 0.03);
        g_autoptr (AsNystagmusAnalysis) an = analyse (sim, NULL);
        const AsNystagmusSummary *s = &an->summary;
        guint jerk = 0;

        for (guint k = 0; k < sim->beats->len; k++)
          {
            const AsEyeSimBeat *b = &g_array_index (sim->beats, AsEyeSimBeat, k);
            jerk += b->intact && b->fast_start < b->end;
          }
        g_test_message ("%s run %u: class %s, %u beats (%u intact jerk beats), SPV %.3f (truth %.3f), "
                        "direction %s (%.0f %%)", f->name, (guint) run,
                        as_nystagmus_waveform_to_string (s->waveform), s->n_beats, jerk,
                        s->spv_median, sim->spv_median, as_nystagmus_direction_to_string (s->direction),
                        100 * s->direction_share);
        g_assert_cmpint (s->waveform, ==, AS_NYSTAGMUS_WAVEFORM_MIXED);
        g_assert_cmpint (s->direction, ==, f->direction);
        for (guint k = 0; k < an->beats->len; k++)
          g_assert_cmpint (g_array_index (an->beats, AsNystagmusBeat, k).direction, ==, f->direction);
        g_assert_cmpuint (s->n_beats, <=, jerk);
        g_assert_cmpuint (s->n_beats, >=, jerk / 2);
        g_assert_cmpfloat (fabs (s->spv_median - sim->spv_median), <=, 0.05 * sim->spv_median);
      }
}

/* With heavy noise a fixed high threshold misses weak fast phases; the beat atom's
 * occurrences (here: the true beat onsets, as a learned atom would give them) bring them
 * back. */
static void
test_atom_refinement (void)
{
  const Family *f = &families[0];
  g_autoptr (AsEyeSim) sim = simulate (f, 7, 0.03);
  g_autoptr (AsRecording) rec = as_eye_sim_to_recording (sim);
  g_autoptr (AsEyeChannel) ch = as_eye_channel_from_recording (rec, NULL, NULL);
  g_autoptr (AsNystagmusAnalysis) plain = NULL, refined = NULL;
  g_autoptr (GArray) onsets = g_array_new (FALSE, FALSE, sizeof (double));
  AsNystagmusParams params;
  double atom[80];
  AsBeatAtom beat_atom = { atom, G_N_ELEMENTS (atom), NULL, 0 };
  double fast_peak = 0;
  guint atom_beats = 0;

  /* The atom: one simulated beat (slow drift left, fast phase right) ending at 0.4 s. */
  for (guint i = 0; i < G_N_ELEMENTS (atom); i++)
    {
      double t = i / 200.0;
      atom[i] = t < 0.38 ? -8.0 * t : -8.0 * 0.38 * (1.0 - (t - 0.38) / 0.02);
    }
  for (guint i = 0; i < sim->beats->len; i++)
    {
      const AsEyeSimBeat *b = &g_array_index (sim->beats, AsEyeSimBeat, i);
      double onset = 0.5 * (b->fast_start + b->end) - 0.385;
      g_array_append_val (onsets, onset);
    }
  beat_atom.onsets = (const double *) onsets->data;
  beat_atom.n_onsets = onsets->len;

  /* A threshold above every fast phase's peak velocity: all are missed. */
  plain = as_nystagmus_analyse (ch, NULL, NULL, NULL);
  g_assert_nonnull (plain);
  for (guint i = 0; i < sim->beats->len; i++)
    {
      const AsEyeSimBeat *b = &g_array_index (sim->beats, AsEyeSimBeat, i);
      for (gsize s = (gsize) MAX (0, (b->fast_start - 0.02) * 200); s < ch->n && s < (b->end + 0.02) * 200; s++)
        if (b->intact && isfinite (plain->velocity[s]))
          fast_peak = MAX (fast_peak, fabs (plain->velocity[s]));
    }
  as_nystagmus_params_init (&params);
  params.fast_threshold = 1.3 * fast_peak;
  g_clear_pointer (&plain, as_nystagmus_analysis_unref);
  plain = as_nystagmus_analyse (ch, &params, NULL, NULL);
  refined = as_nystagmus_analyse (ch, &params, &beat_atom, NULL);
  g_assert_nonnull (refined);
  g_test_message ("threshold %.1f °/s: %s without the atom, %u jerk beats with it, truth %u",
                  params.fast_threshold,
                  plain ? as_nystagmus_waveform_to_string (plain->summary.waveform) : "nothing",
                  refined->summary.n_beats, sim->n_intact);
  /* Without the atom no fast phase passes: the movement looks pendular, or like nothing. */
  g_assert_true (plain == NULL || plain->summary.waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR);
  g_assert_cmpint (refined->summary.waveform, ==, AS_NYSTAGMUS_WAVEFORM_JERK);
  g_assert_cmpint (refined->summary.direction, ==, AS_NYSTAGMUS_DIRECTION_RIGHT);
  g_assert_cmpfloat (fabs ((double) refined->summary.n_beats - sim->n_intact), <=, 0.02 * sim->n_intact);
  for (guint i = 0; i < refined->beats->len; i++)
    atom_beats += g_array_index (refined->beats, AsNystagmusBeat, i).atom;
  g_assert_cmpuint (atom_beats, ==, refined->beats->len);
}

/* A channel in degrees with a gain; pixels need a pixels-per-degree; interpolated gaps
 * and blink events are missing data. */
static void
test_channel_units (void)
{
  g_autoptr (AsRecording) rec = as_recording_new (2, 400, 100.0);
  g_autoptr (AsEyeChannel) ch = NULL;
  g_autoptr (GError) error = NULL;
  AsEyeChannelOptions opts;
  gsize missing = 0;

  for (gsize s = 0; s < 400; s++)
    {
      rec->data[s] = 100 * sin (s * 0.1) + (s % 7) * 0.01;
      rec->data[400 + s] = 2 * cos (s * 0.05) + (s % 5) * 0.003;
    }
  /* A gap bridged as readers do, samples 100–109. */
  for (gsize s = 100; s < 110; s++)
    rec->data[400 + s] = rec->data[400 + 99] + (rec->data[400 + 110] - rec->data[400 + 99]) * (s - 99) / 11.0;
  as_recording_set_channel (rec, 0, "gaze_x_left", "px", AS_CHANNEL_GAZE);
  as_recording_set_channel (rec, 1, "eye_v", "uV", AS_CHANNEL_EOG);
  as_recording_add_event (rec, 3.0, 0.2, "blink");

  as_eye_channel_options_init (&opts);
  ch = as_eye_channel_from_recording (rec, &opts, &error);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "gaze_x_left"));
  g_clear_error (&error);
  opts.pixels_per_deg = 40.0;
  ch = as_eye_channel_from_recording (rec, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat_with_epsilon (ch->position[5], rec->data[5] / 40.0, 1e-12);
  g_assert_cmpint (ch->axis, ==, AS_EYE_AXIS_HORIZONTAL);
  g_clear_pointer (&ch, as_eye_channel_unref);

  /* The file's own resolution channel (EyeLink RES), when there is one. */
  {
    g_autoptr (AsRecording) res = as_recording_new (2, 400, 100.0);
    g_autoptr (AsEyeChannel) rch = NULL;
    for (gsize s = 0; s < 400; s++)
      {
        res->data[s] = rec->data[s];
        res->data[400 + s] = s % 2 ? 36.0 : 34.0 + (s % 3);   /* median 36 */
      }
    as_recording_set_channel (res, 0, "gaze_x_left", "px", AS_CHANNEL_GAZE);
    as_recording_set_channel (res, 1, "resolution_x", "px/deg", AS_CHANNEL_OTHER);
    rch = as_eye_channel_from_recording (res, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat_with_epsilon (rch->deg_per_unit, 1.0 / 36.0, 1e-12);
    g_assert_cmpfloat_with_epsilon (rch->position[7], res->data[7] / 36.0, 1e-12);
  }

  opts.channel = "eye_v";
  opts.gain = 0.05;
  ch = as_eye_channel_from_recording (rec, &opts, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ch->axis, ==, AS_EYE_AXIS_VERTICAL);
  g_assert_cmpfloat_with_epsilon (ch->position[50], rec->data[450] * 0.05, 1e-12);
  for (gsize s = 0; s < ch->n; s++)
    missing += isnan (ch->position[s]);
  for (gsize s = 100; s < 110; s++)
    g_assert_true (isnan (ch->position[s]));
  for (gsize s = 300; s <= 320; s++)
    g_assert_true (isnan (ch->position[s]));
  g_assert_cmpuint (missing, ==, 10 + 21);
}

/* EOG in µV calibrated from ±10° saccades (raised-cosine profiles, noise, a slow drift):
 * the gain found is the one the signal was made with. */
static void
test_saccade_calibration (void)
{
  const double sfreq = 250, gain = 0.05;   /* ° per µV */
  const gsize n = 12 * 250;
  g_autoptr (AsRecording) rec = as_recording_new (1, n, sfreq);
  g_autoptr (GError) error = NULL;
  const double targets[] = { 0, 10, 0, -10 };
  double g;

  for (gsize s = 0; s < n; s++)
    {
      double t = s / sfreq, tau = fmod (t, 1.0), deg;
      int seg = (int) floor (t);
      double from = targets[(seg + 3) % 4], to = targets[seg % 4];
      double u = CLAMP (tau / 0.045, 0, 1);
      deg = seg == 0 ? 0 : from + (to - from) * (u - sin (2 * G_PI * u) / (2 * G_PI));
      rec->data[s] = deg / gain + 5.0 * t + 2.0 * sin (s * 1.7) * cos (s * 0.31);
    }
  rec->path = g_strdup ("calibration.edf");
  as_recording_set_channel (rec, 0, "EOG horizontal", "uV", AS_CHANNEL_EOG);
  g = as_eye_gain_from_saccades (rec, NULL, 10.0, &error);
  g_assert_no_error (error);
  g_test_message ("gain %.5f °/µV (made with %.5f)", g, gain);
  g_assert_cmpfloat (fabs (g - gain), <=, 0.03 * gain);

  /* A flat channel has no saccade: a clear error naming the file. */
  for (gsize s = 0; s < n; s++)
    rec->data[s] = 2.0 * sin (s * 1.7) * cos (s * 0.31);
  g = as_eye_gain_from_saccades (rec, NULL, 10.0, &error);
  g_assert_true (isnan (g));
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "calibration.edf"));
}

/* Pixels per degree from the screen geometry: against the small-angle value (pixels per cm
 * × distance × π/180) and a pixel's angle computed from the screen's edges. */
static void
test_screen_geometry (void)
{
  double ppd = as_eye_pixels_per_degree_from_screen (1920, 53, 60);
  double small = 1920 / 53.0 * 60 * G_PI / 180;
  /* The angle of the 100 central pixels, from atan of their edges. */
  double edge = 50 * 53.0 / 1920, angle = 2 * atan (edge / 60) * 180 / G_PI;

  g_test_message ("1920 px on 53 cm at 60 cm: %.4f px/°, small-angle %.4f, 100 central px span %.5f°",
                  ppd, small, angle);
  g_assert_cmpfloat (fabs (ppd - small), <=, 1e-4 * small);
  g_assert_cmpfloat (fabs (100 / angle - ppd), <=, 1e-3 * ppd);
  g_assert_cmpfloat (fabs (ppd - 37.94), <=, 0.01);
  g_assert_true (isnan (as_eye_pixels_per_degree_from_screen (1920, 0, 60)));
  g_assert_true (isnan (as_eye_pixels_per_degree_from_screen (-1, 53, 60)));
}

/* EOG calibration on the simulator: a calibration run of ±10° square-wave saccades over a
 * small pendular wobble and noise, written in µV at 16 µV/°: the gain found is 1/16 °/µV. */
static void
test_saccade_calibration_sim (void)
{
  AsEyeSimParams p;
  g_autoptr (AsEyeSim) sim = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (GError) error = NULL;
  double g;

  as_eye_sim_params_init (&p);
  p.waveform = AS_NYSTAGMUS_WAVEFORM_PENDULAR;
  p.amplitude = 0.2;
  p.frequency = 2.0;
  p.duration = 30;
  p.noise = 0.05;
  p.saccade_rate = 0.6;
  p.saccade_amplitude = 10.0;
  p.seed = 21;
  sim = as_eye_sim_new (&p, &error);
  g_assert_no_error (error);
  rec = as_eye_sim_to_recording (sim);
  for (gsize s = 0; s < rec->n_samples; s++)
    rec->data[s] *= 16.0;
  as_recording_set_channel (rec, 0, "EOG horizontal", "uV", AS_CHANNEL_EOG);
  g = as_eye_gain_from_saccades (rec, NULL, 10.0, &error);
  g_assert_no_error (error);
  g_test_message ("%u calibration saccades: gain %.5f °/µV (made with %.5f)", sim->saccades->len,
                  g, 1 / 16.0);
  g_assert_cmpuint (sim->saccades->len, >=, 10);
  g_assert_cmpfloat (fabs (g - 1 / 16.0), <=, 0.03 / 16.0);
}

static void
test_no_eye_channel (void)
{
  g_autoptr (AsRecording) rec = as_recording_new (2, 1000, 250.0);
  g_autoptr (AsEyeChannel) ch = NULL;
  g_autoptr (GError) error = NULL;

  rec->path = g_strdup ("sleep-night.edf");
  as_recording_set_channel (rec, 0, "Fp1", "uV", AS_CHANNEL_EEG);
  as_recording_set_channel (rec, 1, "ECG", "mV", AS_CHANNEL_ECG);
  ch = as_eye_channel_from_recording (rec, NULL, &error);
  g_assert_null (ch);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "sleep-night.edf"));
  g_assert_nonnull (strstr (error->message, "no eye-movement channel"));
}

/* Steady fixation with noise and two refixations: no beat, a clear error. */
static void
test_no_beats (void)
{
  const gsize n = 2000;
  g_autofree double *x = g_new (double, n);
  g_autoptr (AsEyeChannel) ch = NULL;
  g_autoptr (AsNystagmusAnalysis) an = NULL;
  g_autoptr (GError) error = NULL;

  for (gsize i = 0; i < n; i++)
    x[i] = (i > 700 ? 5.0 : 0.0) + (i > 1400 ? -5.0 : 0.0) + 0.03 * sin (i * 1.7) * cos (i * 0.37);
  ch = as_eye_channel_new ("eye_x", AS_EYE_AXIS_HORIZONTAL, 200.0, x, n);
  an = as_nystagmus_analyse (ch, NULL, NULL, &error);
  g_assert_null (an);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "no nystagmus beat"));
  g_assert_nonnull (strstr (error->message, "eye_x"));
}

/* An interval's measures count only the beats starting in it. */
static void
test_interval (void)
{
  g_autoptr (AsEyeSim) sim = simulate (&families[0], 3, 0.03);
  g_autoptr (AsNystagmusAnalysis) an = analyse (sim, NULL);
  AsNystagmusSummary first, second;
  guint expect = 0;

  as_nystagmus_summarise (an, 0, 30, &first);
  as_nystagmus_summarise (an, 30, 60, &second);
  for (guint i = 0; i < an->beats->len; i++)
    expect += g_array_index (an->beats, AsNystagmusBeat, i).start < 30;
  g_assert_cmpuint (first.n_beats, ==, expect);
  g_assert_cmpuint (first.n_beats + second.n_beats, ==, an->summary.n_beats);
  g_assert_cmpfloat (fabs (first.duration + second.duration - an->summary.duration), <, 0.02);
  g_assert_cmpint (first.direction, ==, AS_NYSTAGMUS_DIRECTION_RIGHT);
}

/* The report's trace excerpt: a recording whose first 6 s were lost (tracking not yet
 * acquired) and whose next 6 s beat at half the velocity; the typical 4 s window lies after
 * both, holds whole beats at the recording's rate and the median velocity, and no beat left
 * out.  An interval shorter than the window starts where it starts. */
static void
test_typical_window (void)
{
  AsEyeSimParams p;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsEyeSim) sim = NULL;
  g_autoptr (AsNystagmusAnalysis) an = NULL;
  AsNystagmusSummary all, shown;
  double start;
  guint inside = 0, cut = 0;

  as_eye_sim_params_init (&p);
  p.duration = 40.0;
  p.spv = 15.0;
  p.frequency = 3.0;
  p.blink_rate = 0.1;
  p.seed = 11;
  sim = as_eye_sim_new (&p, &error);
  g_assert_no_error (error);
  for (gsize i = 0; i < sim->n; i++)
    {
      double t = i / p.sfreq;

      if (t < 6.0)
        sim->position[i] = NAN;
      else if (t < 12.0)
        sim->position[i] = 0.5 * sim->position[i];
    }
  an = analyse (sim, NULL);
  start = as_nystagmus_typical_window (an, 0, 40, 4);
  g_test_message ("typical 4 s window from %.2f s", start);
  g_assert_cmpfloat (start, >=, 12.0);
  g_assert_cmpfloat (start, <=, 36.0);
  as_nystagmus_summarise (an, 0, 40, &all);
  as_nystagmus_summarise (an, start, start + 4, &shown);
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      inside += b->start >= start && b->end <= start + 4;
    }
  for (guint i = 0; i < an->excluded->len; i++)
    {
      const AsInterval *x = &g_array_index (an->excluded, AsInterval, i);
      cut += x->start < start + 4 && x->end > start;
    }
  g_test_message ("%u whole beats, median SPV %.2f °/s (recording %.2f), %u left out",
                  inside, shown.spv_median, all.spv_median, cut);
  g_assert_cmpuint (inside, >=, 10);
  g_assert_cmpfloat (fabs (shown.spv_median - all.spv_median), <, 0.1 * all.spv_median);
  g_assert_cmpuint (cut, ==, 0);
  /* Shorter than the window, or no beat in it: its own start. */
  g_assert_cmpfloat (as_nystagmus_typical_window (an, 20, 23, 4), ==, 20);
  g_assert_cmpfloat (as_nystagmus_typical_window (an, 0, 5.5, 4), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      g_autofree char *path = g_strdup_printf ("/nystagmus/family/%s", families[i].name);
      g_test_add_data_func (path, &families[i], test_family);
    }
  g_test_add_func ("/nystagmus/sweep", test_sweep);
  g_test_add_func ("/nystagmus/mixed", test_mixed);
  g_test_add_func ("/nystagmus/atom-refinement", test_atom_refinement);
  g_test_add_func ("/nystagmus/channel-units", test_channel_units);
  g_test_add_func ("/nystagmus/saccade-calibration", test_saccade_calibration);
  g_test_add_func ("/nystagmus/screen-geometry", test_screen_geometry);
  g_test_add_func ("/nystagmus/saccade-calibration-sim", test_saccade_calibration_sim);
  g_test_add_func ("/nystagmus/no-eye-channel", test_no_eye_channel);
  g_test_add_func ("/nystagmus/no-beats", test_no_beats);
  g_test_add_func ("/nystagmus/interval", test_interval);
  g_test_add_func ("/nystagmus/typical-window", test_typical_window);
  return g_test_run ();
}
