/* cli-nystagmus.c: "atomscope-cli nystagmus": beats and nystagmus measures of an
 * eye-movement recording, printed and written as files and a one-page report.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "as-model.h"
#include "as-figure-nystagmus.h"
#include "as-nystagmus-export.h"
#include "as-reader.h"
#include "cli-commands.h"

/* Occurrences the views count: activations above this fraction of the largest. */

static void
print_summary (const char *file, const AsNystagmusAnalysis *an, const AsNystagmusSummary *s,
               double t0, double t1, int atom)
{
  printf (_("Recording: %s, channel %s (%s), %.2f s of valid signal in %.2f–%.2f s\n"), file,
          an->channel->label,
          an->channel->axis == AS_EYE_AXIS_VERTICAL ? _("vertical") : _("horizontal"),
          s->duration, t0, t1);
  if (s->waveform == AS_NYSTAGMUS_WAVEFORM_PENDULAR)
    {
      printf (_("Cycles: %u (%u left out: missing data, saccades)\n"), s->n_beats, an->excluded->len);
      printf (_("Cycle frequency: %.2f Hz\n"), s->frequency);
      printf (_("Mean eye speed: median %.2f °/s (IQR %.2f–%.2f), peak median %.2f °/s\n"),
              s->spv_median, s->spv_q1, s->spv_q3, s->spv_peak_median);
    }
  else
    {
      printf (_("Beats: %u (%u left out: missing data, saccades)\n"), s->n_beats, an->excluded->len);
      printf (_("Beat frequency: %.2f Hz\n"), s->frequency);
      printf (_("Slow-phase velocity: median %.2f °/s (IQR %.2f–%.2f), peak median %.2f °/s\n"),
              s->spv_median, s->spv_q1, s->spv_q3, s->spv_peak_median);
    }
  printf (_("Amplitude: %.2f °; intensity: %.2f °/s\n"), s->amplitude_mean, s->intensity);
  if (s->direction == AS_NYSTAGMUS_DIRECTION_NONE)
    printf ("%s\n", _("Direction: none (no fast phase)"));
  else
    printf (_("Direction: %s (%.0f %% of beats)\n"), as_nystagmus_direction_to_label (s->direction),
            100 * s->direction_share);
  if (s->waveform == AS_NYSTAGMUS_WAVEFORM_JERK)
    printf (_("Waveform: jerk, %s slow phases\n"), as_slow_phase_shape_to_label (s->shape));
  else
    printf (_("Waveform: %s\n"), as_nystagmus_waveform_to_label (s->waveform));
  printf (_("Foveation: %u periods, mean %.0f ms, %.1f %% of the time (at %.2f °)\n"),
          s->n_foveations, 1000 * s->foveation_mean, 100 * s->foveation_fraction,
          an->foveation_position);
  if (an->n_atom_onsets > 0)
    printf (_("Beat atom %d: %u occurrences (%.2f per s)\n"), atom, an->n_atom_onsets,
            an->n_atom_onsets / (an->channel->n / an->channel->sfreq));
  if (isfinite (an->atom_rate))
    printf (_("Beat atom rate between its first and last occurrences: %.2f per s (one every %.3f s)\n"),
            an->atom_rate, 1.0 / an->atom_rate);
}

int
as_cli_nystagmus (int argc, char **argv)
{
  const char *command = "nystagmus";
  char *report = NULL, *beats = NULL, *events = NULL, *edf = NULL, *json = NULL, *channel = NULL,
       *model_dir = NULL, *calibration = NULL, *screen = NULL;
  double gain = NAN, ppd = NAN, saccade_deg = 10.0, t0 = NAN, t1 = NAN, fov_v = 4.0, fov_w = 0.5, fov_ms = 40.0;
  int atom_index = -1;
  gboolean force = FALSE;
  g_auto (GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "report", 0, 0, G_OPTION_ARG_FILENAME, &report, N_("Write a one-page PDF report"), N_("FILE.pdf") },
    { "beats", 0, 0, G_OPTION_ARG_FILENAME, &beats, N_("Write the beats as CSV"), N_("FILE.csv") },
    { "events", 0, 0, G_OPTION_ARG_FILENAME, &events, N_("Write the beats as BIDS events.tsv"), N_("FILE.tsv") },
    { "edf", 0, 0, G_OPTION_ARG_FILENAME, &edf, N_("Write the eye channel with the beats as EDF+ annotations"), N_("FILE.edf") },
    { "json", 0, 0, G_OPTION_ARG_FILENAME, &json, N_("Write the measures as JSON"), N_("FILE.json") },
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("Eye channel to measure (default: the first)"), N_("NAME") },
    { "gain", 0, 0, G_OPTION_ARG_DOUBLE, &gain, N_("Degrees per unit of the channel (EOG, uncalibrated files)"), N_("DEG_PER_UNIT") },
    { "calibration", 0, 0, G_OPTION_ARG_FILENAME, &calibration, N_("EOG: a recording of saccades of known size on the same channel, to find the gain"), N_("FILE") },
    { "calibration-saccade", 0, 0, G_OPTION_ARG_DOUBLE, &saccade_deg, N_("Size of the calibration saccades (°, default 10)"), N_("DEG") },
    { "pixels-per-degree", 0, 0, G_OPTION_ARG_DOUBLE, &ppd, N_("Gaze in pixels: pixels per degree"), N_("PX") },
    { "screen", 0, 0, G_OPTION_ARG_STRING, &screen, N_("Gaze in pixels: the screen's width in pixels and in cm and the eye's distance from it in cm, for the pixels per degree at its centre"), N_("PX,CM,CM") },
    { "start", 0, 0, G_OPTION_ARG_DOUBLE, &t0, N_("Measure from this time (s)"), N_("S") },
    { "end", 0, 0, G_OPTION_ARG_DOUBLE, &t1, N_("Measure up to this time (s)"), N_("S") },
    { "model", 0, 0, G_OPTION_ARG_FILENAME, &model_dir, N_("Folder of a model learned from this recording: its beat atom refines the beats"), N_("DIR") },
    { "atom", 0, 0, G_OPTION_ARG_INT, &atom_index, N_("Which atom of the model is the beat (default: the one whose occurrences match the fast phases best)"), N_("K") },
    { "foveation-velocity", 0, 0, G_OPTION_ARG_DOUBLE, &fov_v, N_("Foveation: eye speed below (°/s, default 4)"), N_("DEG_PER_S") },
    { "foveation-window", 0, 0, G_OPTION_ARG_DOUBLE, &fov_w, N_("Foveation: position within ± (°, default 0.5)"), N_("DEG") },
    { "foveation-duration", 0, 0, G_OPTION_ARG_DOUBLE, &fov_ms, N_("Foveation: at least (ms, default 40)"), N_("MS") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE — nystagmus beats, slow-phase velocity, waveform and foveation"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (AsEyeChannel) ch = NULL;
  g_autoptr (AsNystagmusAnalysis) an = NULL;
  g_autoptr (AsModel) folder = NULL;
  AsCdlModel *model = NULL;
  g_autoptr (AsBeatAtom) atom = NULL;
  AsEyeChannelOptions copts;
  AsNystagmusParams params;
  AsNystagmusSummary summary;
  double duration;
  int status = 2;

  g_option_context_set_summary (ctx,
      _("Finds the beats of an eye-position channel (slow and fast phases), and measures "
        "slow-phase velocity, amplitude, frequency, intensity, direction, waveform and "
        "foveation periods.  Exits with status 1 when the recording has no eye channel or "
        "no beat."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      as_cli_error (command, "%s", _("give exactly one input file (see --help)"));
      goto out;
    }
  if ((!isnan (gain) && !(gain != 0)) || (!isnan (ppd) && !(ppd > 0)) || !(fov_v > 0)
      || !(fov_w > 0) || !(fov_ms >= 0) || atom_index < -1
      || (!isnan (t0) && !isnan (t1) && !(t1 > t0)) || !(saccade_deg > 0)
      || (calibration != NULL && !isnan (gain)))
    {
      as_cli_error (command, "%s", _("--gain must not be 0 nor come with --calibration; --pixels-per-degree, "
                                     "--calibration-saccade and the foveation thresholds must be "
                                     "positive; --end must come after --start"));
      goto out;
    }

  if (screen != NULL)
    {
      double g[3] = { NAN, NAN, NAN };
      g_auto (GStrv) parts = g_strsplit (screen, ",", -1);
      for (guint i = 0; i < 3 && parts[0] != NULL && g_strv_length (parts) == 3; i++)
        {
          char *end = NULL;
          g[i] = g_ascii_strtod (parts[i], &end);
          if (end == parts[i] || *end != '\0')
            g[i] = NAN;
        }
      ppd = isnan (ppd) ? as_eye_pixels_per_degree_from_screen (g[0], g[1], g[2]) : NAN;
      if (!(ppd > 0))
        {
          as_cli_error (command, "%s", _("--screen takes three positive numbers, WIDTH_PX,WIDTH_CM,DISTANCE_CM "
                                         "(e.g. 1920,53,60), and does not come with --pixels-per-degree"));
          goto out;
        }
    }

  status = 1;
  rec = as_recording_load (files[0], &error);
  if (rec == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (calibration != NULL)
    {
      g_autoptr (AsRecording) cal = as_recording_load (calibration, &error);
      if (cal == NULL || !isfinite (gain = as_eye_gain_from_saccades (cal, channel, saccade_deg, &error)))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      printf (_("Calibration: %.5g ° per unit, from saccades of %g ° in %s\n"), gain, saccade_deg,
              calibration);
    }
  as_eye_channel_options_init (&copts);
  copts.gain = gain;
  copts.pixels_per_deg = ppd;
  copts.channel = channel;
  ch = as_eye_channel_from_recording (rec, &copts, &error);
  if (ch == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (model_dir != NULL)
    {
      folder = as_model_load (model_dir, &error);
      if (folder == NULL)
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
      model = folder->model;
      if (model->shape.atom_height != 1)
        {
          as_cli_error (command, _("%s: a model of images has no beat atom"), model_dir);
          goto out;
        }
      if ((atom_index >= 0 && (guint) atom_index >= model->shape.n_atoms)
          || fabs (model->sfreq - ch->sfreq) > 1e-6 * ch->sfreq)
        {
          as_cli_error (command, _("%s: the model has %u atoms at %g Hz; the recording is at %g Hz"),
                        model_dir, model->shape.n_atoms, model->sfreq, ch->sfreq);
          goto out;
        }
    }
  as_nystagmus_params_init (&params);
  params.foveation_velocity = fov_v;
  params.foveation_window = fov_w;
  params.foveation_min_duration = fov_ms / 1000.0;
  if (model != NULL)
    {
      if (atom_index < 0)
        {
          /* The beat atom: the one whose occurrences match the fast phases found alone. */
          g_autoptr (AsNystagmusAnalysis) first = as_nystagmus_analyse (ch, &params, NULL, NULL);
          atom_index = first ? (int) as_beat_atom_pick (model, first, AS_CDL_OCCURRENCE_THRESHOLD) : 0;
        }
      atom = as_beat_atom_new_from_model (model, (guint) atom_index, AS_CDL_OCCURRENCE_THRESHOLD);
    }
  an = as_nystagmus_analyse (ch, &params, atom, &error);
  if (an == NULL)
    {
      as_cli_error (command, "%s: %s", files[0], error->message);
      goto out;
    }
  duration = ch->n / ch->sfreq;
  if (isnan (t0))
    t0 = 0;
  if (isnan (t1))
    t1 = duration;
  as_nystagmus_summarise (an, t0, t1, &summary);
  if (summary.n_beats == 0)
    {
      as_cli_error (command, _("%s: no nystagmus beat between %g and %g s"), files[0], t0, t1);
      goto out;
    }
  print_summary (files[0], an, &summary, t0, t1, atom_index);

  if ((beats && !as_nystagmus_write_beats_csv (beats, an, force, &error))
      || (events && !as_nystagmus_write_events_tsv (events, an, force, &error))
      || (edf && !as_nystagmus_write_edf (edf, an, force, &error))
      || (json && !as_nystagmus_write_summary_json (json, an, files[0], t0, t1, force, &error)))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (report != NULL)
    {
      AsFigureNystagmusReport r = { rec, an, model, atom_index, t0, t1, files[0] };
      if (!as_figure_nystagmus_report_write (report, &r, force, &error))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
    }
  status = 0;

out:
  g_free (report);
  g_free (beats);
  g_free (events);
  g_free (edf);
  g_free (json);
  g_free (channel);
  g_free (model_dir);
  g_free (calibration);
  g_free (screen);
  return status;
}
