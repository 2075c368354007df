/* as-nystagmus-export.c: beats and measures as CSV, events.tsv, EDF+ and JSON.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-nystagmus-export"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "as-nystagmus-export.h"
#include "as-output.h"

gboolean
as_nystagmus_write_beats_csv (const char *path, const AsNystagmusAnalysis *an, gboolean overwrite,
                              GError **error)
{
  AsOutput *out = as_output_open (path, overwrite, error);
  FILE *f;

  if (out == NULL)
    return FALSE;
  f = as_output_get_stream (out);
  fprintf (f, "start_s,fast_phase_s,end_s,duration_s,direction,slow_phase,"
              "spv_mean_deg_per_s,spv_peak_deg_per_s,amplitude_deg,atom\n");
  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      char buf[9][G_ASCII_DTOSTR_BUF_SIZE];
      double v[] = { b->start, b->fast_start, b->end, b->end - b->start, b->spv_mean,
                     b->spv_peak, b->amplitude };
      for (guint k = 0; k < G_N_ELEMENTS (v); k++)
        g_ascii_formatd (buf[k], sizeof buf[k], k < 4 ? "%.4f" : "%.3f", v[k]);
      fprintf (f, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%d\n", buf[0], buf[1], buf[2], buf[3],
               as_nystagmus_direction_to_string (b->direction),
               as_slow_phase_shape_to_string (b->shape), buf[4], buf[5], buf[6], b->atom ? 1 : 0);
    }
  return as_output_commit (out, error);
}

static const char *
occurrence_label (AsNystagmusDirection d)
{
  switch (d)
    {
    case AS_NYSTAGMUS_DIRECTION_RIGHT:
      return "beat right";
    case AS_NYSTAGMUS_DIRECTION_LEFT:
      return "beat left";
    case AS_NYSTAGMUS_DIRECTION_UP:
      return "beat up";
    case AS_NYSTAGMUS_DIRECTION_DOWN:
      return "beat down";
    default:
      return "cycle pendular";
    }
}

AsOccurrence *
as_nystagmus_occurrences (const AsNystagmusAnalysis *an, gsize *n)
{
  AsOccurrence *occ = g_new0 (AsOccurrence, MAX (an->beats->len, 1));

  for (guint i = 0; i < an->beats->len; i++)
    {
      const AsNystagmusBeat *b = &g_array_index (an->beats, AsNystagmusBeat, i);
      occ[i] = (AsOccurrence) { b->start, b->end - b->start, occurrence_label (b->direction),
                                b->spv_mean };
    }
  *n = an->beats->len;
  return occ;
}

gboolean
as_nystagmus_write_events_tsv (const char *path, const AsNystagmusAnalysis *an, gboolean overwrite,
                               GError **error)
{
  gsize n;
  g_autofree AsOccurrence *occ = as_nystagmus_occurrences (an, &n);

  return as_export_events_tsv (path, occ, n, overwrite, error);
}

gboolean
as_nystagmus_write_edf (const char *path, const AsNystagmusAnalysis *an, gboolean overwrite,
                        GError **error)
{
  const AsEyeChannel *ch = an->channel;
  g_autofree double *x = g_new (double, MAX (ch->n, 1));
  g_autofree AsOccurrence *occ = NULL;
  const char *names[] = { ch->label, NULL }, *units[] = { "deg", NULL };
  double last = 0;
  gsize n;

  /* EDF has no "missing": hold the last valid position (the first valid one at the start). */
  for (gsize i = 0; i < ch->n; i++)
    if (isfinite (ch->position[i]))
      {
        last = ch->position[i];
        break;
      }
  for (gsize i = 0; i < ch->n; i++)
    {
      if (isfinite (ch->position[i]))
        last = ch->position[i];
      x[i] = last;
    }
  occ = as_nystagmus_occurrences (an, &n);
  return as_export_edf (path, x, 1, ch->n, ch->sfreq, names, units, occ, n, overwrite, error);
}

static void
set_number (JsonObject *o, const char *name, double v)
{
  if (isfinite (v))
    json_object_set_double_member (o, name, v);
  else
    json_object_set_null_member (o, name);
}

JsonObject *
as_nystagmus_summary_to_json (const AsNystagmusAnalysis *an, const char *source, double t0, double t1)
{
  JsonObject *o = json_object_new (), *p = json_object_new (), *m = json_object_new ();
  AsNystagmusSummary s;

  if (!(t1 > t0))
    {
      t0 = 0;
      t1 = an->channel->n / an->channel->sfreq + 1;
    }
  as_nystagmus_summarise (an, t0, t1, &s);
  json_object_set_string_member (o, "program", "atomscope");
  json_object_set_string_member (o, "version", as_engine_version ());
  if (source != NULL)
    json_object_set_string_member (o, "source", source);
  json_object_set_string_member (o, "channel", an->channel->label);
  json_object_set_string_member (o, "axis", an->channel->axis == AS_EYE_AXIS_VERTICAL ? "vertical" : "horizontal");
  json_object_set_double_member (o, "sfreq", an->channel->sfreq);
  json_object_set_double_member (o, "start_s", t0);
  json_object_set_double_member (o, "end_s", MIN (t1, an->channel->n / an->channel->sfreq));

  json_object_set_int_member (m, "beats", s.n_beats);
  json_object_set_int_member (m, "beats_excluded", an->excluded->len);
  set_number (m, "valid_duration_s", s.duration);
  set_number (m, "frequency_hz", s.frequency);
  set_number (m, "spv_median_deg_per_s", s.spv_median);
  set_number (m, "spv_q1_deg_per_s", s.spv_q1);
  set_number (m, "spv_q3_deg_per_s", s.spv_q3);
  set_number (m, "spv_peak_median_deg_per_s", s.spv_peak_median);
  set_number (m, "amplitude_mean_deg", s.amplitude_mean);
  set_number (m, "intensity_deg_per_s", s.intensity);
  json_object_set_string_member (m, "direction", as_nystagmus_direction_to_string (s.direction));
  set_number (m, "direction_share", s.direction_share);
  json_object_set_string_member (m, "waveform", as_nystagmus_waveform_to_string (s.waveform));
  json_object_set_string_member (m, "slow_phase", as_slow_phase_shape_to_string (s.shape));
  json_object_set_int_member (m, "foveation_periods", s.n_foveations);
  set_number (m, "foveation_mean_s", s.foveation_mean);
  set_number (m, "foveation_fraction", s.foveation_fraction);
  set_number (m, "foveation_position_deg", an->foveation_position);
  json_object_set_int_member (m, "atom_occurrences", an->n_atom_onsets);
  if (isfinite (an->atom_rate))
    set_number (m, "atom_rate_per_s", an->atom_rate);
  json_object_set_object_member (o, "measures", m);

  set_number (p, "fast_phase_threshold_deg_per_s", an->fast_threshold);
  set_number (p, "velocity_window_s", an->params.velocity_window);
  set_number (p, "foveation_velocity_deg_per_s", an->params.foveation_velocity);
  set_number (p, "foveation_window_deg", an->params.foveation_window);
  set_number (p, "foveation_min_duration_s", an->params.foveation_min_duration);
  set_number (p, "foveation_velocity_window_s", an->params.foveation_velocity_window);
  set_number (p, "shape_threshold", an->params.shape_threshold);
  json_object_set_object_member (o, "parameters", p);
  return o;
}

gboolean
as_nystagmus_write_summary_json (const char *path, const AsNystagmusAnalysis *an, const char *source,
                                 double t0, double t1, gboolean overwrite, GError **error)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  gsize len;

  json_node_take_object (root, as_nystagmus_summary_to_json (an, source, t0, t1));
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  return as_output_write_contents (path, text, len, overwrite, error);
}
