/* as-export.c: writers for atoms, activations, reconstructions, events.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-export"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <edflib.h>
#include <glib/gi18n-lib.h>
#include <sndfile.h>

#include "as-engine.h"
#include "as-export.h"
#include "as-npy.h"
#include "as-output.h"

void
as_export_meta_init (AsExportMeta *meta)
{
  memset (meta, 0, sizeof *meta);
  meta->lambda = NAN;
  meta->lambda_max = NAN;
  meta->sfreq = NAN;
}

AsExportChannels *
as_export_channels_new (const AsRecording *rec)
{
  AsExportChannels *ch = g_new0 (AsExportChannels, 1);

  ch->n_channels = rec->n_channels;
  ch->names = g_new0 (char *, rec->n_channels + 1);
  ch->units = g_new0 (char *, rec->n_channels + 1);
  ch->positions = g_new0 (double, 3 * MAX (rec->n_channels, 1));
  ch->has_position = g_new0 (gboolean, MAX (rec->n_channels, 1));
  for (guint c = 0; c < rec->n_channels; c++)
    {
      ch->names[c] = g_strdup (rec->channels[c].label);
      ch->units[c] = g_strdup (rec->channels[c].unit);
      ch->has_position[c] = rec->channels[c].has_position;
      memcpy (ch->positions + 3 * c, rec->channels[c].position, 3 * sizeof (double));
    }
  return ch;
}

void
as_export_channels_free (AsExportChannels *channels)
{
  if (channels == NULL)
    return;
  g_strfreev (channels->names);
  g_strfreev (channels->units);
  g_free (channels->positions);
  g_free (channels->has_position);
  g_free (channels);
}

void
as_export_meta_set_channels (AsExportMeta *meta, const AsExportChannels *channels,
                             const AsRecording *rec)
{
  meta->n_channels = channels->n_channels;
  meta->channel_names = (const char *const *) channels->names;
  meta->channel_units = (const char *const *) channels->units;
  meta->positions = channels->positions;
  meta->has_position = channels->has_position;
  if (rec != NULL)
    {
      meta->sfreq = rec->sfreq;
      meta->source = rec->path;
    }
}

static gboolean
check_block (const char *path, const double *data, guint n_series, gsize n_samples, GError **error)
{
  if (n_series == 0 || n_samples == 0 || data == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: nothing to write (%u series of %zu samples)"), path,
                   n_series, n_samples);
      return FALSE;
    }
  for (gsize i = 0; i < (gsize) n_series * n_samples; i++)
    if (!isfinite (data[i]))
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                     _("%s: series %zu, sample %zu is not a finite number"),
                     path, i / n_samples + 1, i % n_samples + 1);
        return FALSE;
      }
  return TRUE;
}

static gboolean
stream_failed (AsOutput *out, const char *path, GError **error)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("%s: writing failed: %s"), path,
               g_strerror (saved));
  as_output_abort (out);
  return FALSE;
}

gboolean
as_export_npy (const char *path, const double *data, guint n_series, gsize n_samples,
               gboolean overwrite, GError **error)
{
  gsize shape[2] = { n_series, n_samples };

  if (!check_block (path, data, n_series, n_samples, error))
    return FALSE;
  return as_npy_write (path, data, 2, shape, overwrite, error);
}

/* Names go in a comma-separated header: commas and quotes would break it. */
static char *
header_safe (const char *s)
{
  char *c = g_strdup (s);
  g_strdelimit (c, ",\"\n\r\t;", '_');
  return c;
}

gboolean
as_export_csv (const char *path, const double *data, guint n_series, gsize n_samples,
               const char *const *names, const char *const *units, double sfreq,
               gboolean overwrite, GError **error)
{
  AsOutput *out;
  FILE *f;
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!check_block (path, data, n_series, n_samples, error))
    return FALSE;
  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  f = as_output_get_stream (out);
  if (sfreq > 0)
    fputs ("time [s]", f);
  for (guint s = 0; s < n_series; s++)
    {
      g_autofree char *name = names && names[s] ? header_safe (names[s]) : g_strdup_printf ("%u", s + 1);
      g_autofree char *unit = units && units[s] ? header_safe (units[s]) : g_strdup ("");
      if (sfreq > 0 || s > 0)
        fputc (',', f);
      if (*unit)
        fprintf (f, "%s [%s]", name, unit);
      else
        fputs (name, f);
    }
  fputc ('\n', f);
  for (gsize t = 0; t < n_samples; t++)
    {
      if (sfreq > 0)
        fputs (g_ascii_dtostr (buf, sizeof buf, t / sfreq), f);
      for (guint s = 0; s < n_series; s++)
        {
          if (sfreq > 0 || s > 0)
            fputc (',', f);
          fputs (g_ascii_dtostr (buf, sizeof buf, data[(gsize) s * n_samples + t]), f);
        }
      if (fputc ('\n', f) == EOF)
        return stream_failed (out, path, error);
    }
  if (ferror (f))
    return stream_failed (out, path, error);
  return as_output_commit (out, error);
}

gboolean
as_export_sound (const char *path, const double *data, guint n_series, gsize n_samples,
                 double sfreq, const char *unit, AsSoundFormat format, gboolean overwrite,
                 GError **error)
{
  SF_INFO info = { 0 };
  SNDFILE *sf;
  AsOutput *out;
  double scale = 1.0, peak = 0;
  g_autofree double *frames = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *safe_unit = g_strdup (unit && *unit ? unit : "1");
  char sbuf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!check_block (path, data, n_series, n_samples, error))
    return FALSE;
  if (!(sfreq >= 1) || sfreq > 1e6 || n_series > 1024)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: a sound file needs 1 to 1024 channels and a rate from 1 Hz to 1 MHz (%u channels, %g Hz)"),
                   path, n_series, sfreq);
      return FALSE;
    }
  g_strdelimit (safe_unit, " ;\n", '_');
  for (gsize i = 0; i < (gsize) n_series * n_samples; i++)
    peak = MAX (peak, fabs (data[i]));
  if (format == AS_SOUND_FLAC)
    scale = peak > 0 ? peak / 0.999 : 1.0;
  info.samplerate = (int) lround (sfreq);
  info.channels = n_series;
  info.format = format == AS_SOUND_FLAC ? (SF_FORMAT_FLAC | SF_FORMAT_PCM_24)
                                        : (SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  if (!sf_format_check (&info))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: libsndfile cannot write this format with %u channels at %d Hz"), path,
                   n_series, info.samplerate);
      return FALSE;
    }
  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  fflush (as_output_get_stream (out));
  sf = sf_open_fd (fileno (as_output_get_stream (out)), SFM_WRITE, &info, FALSE);
  if (sf == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: %s"), path, sf_strerror (NULL));
      as_output_abort (out);
      return FALSE;
    }
  comment = g_strdup_printf ("atomscope: scale=%s unit=%s", g_ascii_dtostr (sbuf, sizeof sbuf, scale),
                             safe_unit);
  sf_set_string (sf, SF_STR_COMMENT, comment);
  sf_set_string (sf, SF_STR_SOFTWARE, "Atomscope");
  frames = g_new (double, (gsize) n_series * n_samples);
  for (gsize t = 0; t < n_samples; t++)
    for (guint s = 0; s < n_series; s++)
      frames[t * n_series + s] = data[(gsize) s * n_samples + t] / scale;
  if (sf_writef_double (sf, frames, n_samples) != (sf_count_t) n_samples)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: writing failed: %s"), path,
                   sf_strerror (sf));
      sf_close (sf);
      as_output_abort (out);
      return FALSE;
    }
  if (sf_close (sf) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: writing failed"), path);
      as_output_abort (out);
      return FALSE;
    }
  return as_output_commit (out, error);
}

gboolean
as_export_events_tsv (const char *path, const AsOccurrence *occ, gsize n, gboolean overwrite,
                      GError **error)
{
  AsOutput *out = as_output_open (path, overwrite, error);
  FILE *f;
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];

  if (out == NULL)
    return FALSE;
  f = as_output_get_stream (out);
  fputs ("onset\tduration\ttrial_type\tvalue\n", f);
  for (gsize i = 0; i < n; i++)
    {
      g_autofree char *type = g_strdup (occ[i].trial_type ? occ[i].trial_type : "n/a");
      if (!isfinite (occ[i].onset) || !(occ[i].duration >= 0))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: event %zu: the onset must be finite and the duration ≥ 0"),
                       path, i + 1);
          as_output_abort (out);
          return FALSE;
        }
      g_strdelimit (type, "\t\n\r", ' ');
      fprintf (f, "%s\t%s\t%s\t%s\n", g_ascii_formatd (a, sizeof a, "%.6f", occ[i].onset),
               g_ascii_formatd (b, sizeof b, "%.6f", occ[i].duration), type,
               isfinite (occ[i].value) ? g_ascii_dtostr (c, sizeof c, occ[i].value) : "n/a");
    }
  if (ferror (f))
    return stream_failed (out, path, error);
  return as_output_commit (out, error);
}

gssize
as_recording_add_events_tsv (AsRecording *rec, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) head = NULL;
  gint col_on = -1, col_dur = -1, col_type = -1, col_val = -1;
  guint n_cols;
  g_autoptr (GArray) pending = g_array_new (FALSE, TRUE, sizeof (AsEvent));
  gsize len;
  const char *bad;

  if (!g_file_get_contents (path, &text, &len, error))
    return -1;
  if (memchr (text, '\0', len) || !g_utf8_validate (text, len, &bad))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: byte %zu: not a UTF-8 text file"), path,
                   memchr (text, '\0', len) ? (gsize) ((char *) memchr (text, '\0', len) - text)
                                            : (gsize) (bad - text));
      return -1;
    }
  g_strdelimit (text, "\r", '\n');
  lines = g_strsplit (text, "\n", -1);
  if (lines[0] == NULL || lines[0][0] == '\0')
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the file is empty"), path);
      return -1;
    }
  head = g_strsplit (lines[0], "\t", -1);
  n_cols = g_strv_length (head);
  for (guint c = 0; c < n_cols; c++)
    {
      g_strstrip (head[c]);
      if (strcmp (head[c], "onset") == 0)
        col_on = c;
      else if (strcmp (head[c], "duration") == 0)
        col_dur = c;
      else if (strcmp (head[c], "trial_type") == 0)
        col_type = c;
      else if (strcmp (head[c], "value") == 0)
        col_val = c;
    }
  if (col_on < 0 || col_dur < 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: line 1: a BIDS events file needs “onset” and “duration” columns (tab-separated)"),
                   path);
      return -1;
    }
  for (guint i = 1; lines[i]; i++)
    {
      g_auto (GStrv) f = NULL;
      AsEvent e = { 0 };
      char *end;

      if (lines[i][0] == '\0')
        continue;
      f = g_strsplit (lines[i], "\t", -1);
      if (g_strv_length (f) != n_cols)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: line %u: expected %u tab-separated fields, found %u"), path, i + 1,
                       n_cols, g_strv_length (f));
          goto fail;
        }
      e.onset = g_ascii_strtod (g_strstrip (f[col_on]), &end);
      if (end == f[col_on] || *end != '\0' || !isfinite (e.onset))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: line %u, column %d: the onset “%s” is not a number"), path, i + 1,
                       col_on + 1, f[col_on]);
          goto fail;
        }
      g_strstrip (f[col_dur]);
      if (strcmp (f[col_dur], "n/a") == 0)
        e.duration = 0;
      else
        {
          e.duration = g_ascii_strtod (f[col_dur], &end);
          if (end == f[col_dur] || *end != '\0' || !(e.duration >= 0) || !isfinite (e.duration))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u, column %d: the duration “%s” is not a number ≥ 0"), path,
                           i + 1, col_dur + 1, f[col_dur]);
              goto fail;
            }
        }
      if (col_type >= 0 && strcmp (g_strstrip (f[col_type]), "n/a") != 0)
        e.label = g_strdup (f[col_type]);
      else if (col_val >= 0)
        e.label = g_strdup (g_strstrip (f[col_val]));
      else
        e.label = g_strdup ("event");
      g_array_append_val (pending, e);
    }
  for (guint i = 0; i < pending->len; i++)
    {
      AsEvent *e = &g_array_index (pending, AsEvent, i);
      as_recording_add_event (rec, e->onset, e->duration, e->label);
      g_free (e->label);
    }
  as_recording_sort_events (rec);
  return pending->len;

fail:
  for (guint i = 0; i < pending->len; i++)
    g_free (g_array_index (pending, AsEvent, i).label);
  return -1;
}

static gboolean write_edf (const char *path, const double *data, guint n_series, gsize n_samples,
                           double sfreq, const char *const *names, const char *const *units,
                           const AsOccurrence *occ, gsize n_occ, GDateTime *start,
                           gboolean overwrite, GError **error);

gboolean
as_export_edf (const char *path, const double *data, guint n_series, gsize n_samples,
               double sfreq, const char *const *names, const char *const *units,
               const AsOccurrence *occ, gsize n_occ, gboolean overwrite, GError **error)
{
  return write_edf (path, data, n_series, n_samples, sfreq, names, units, occ, n_occ, NULL,
                    overwrite, error);
}

/* @start: the recording's start (UTC as the file said it), or NULL: now. */
static gboolean
write_edf (const char *path, const double *data, guint n_series, gsize n_samples,
           double sfreq, const char *const *names, const char *const *units,
           const AsOccurrence *occ, gsize n_occ, GDateTime *start, gboolean overwrite,
           GError **error)
{
  AsOutput *out;
  int hdl, spr, dur_units;
  gsize n_rec;
  g_autofree double *buf = NULL;
  gboolean ok = TRUE;

  if (!check_block (path, data, n_series, n_samples, error))
    return FALSE;
  if (!(sfreq > 0) || sfreq > 1e6 || n_series > 512)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: EDF+ needs 1 to 512 signals and a positive rate (%u signals, %g Hz)"), path,
                   n_series, sfreq);
      return FALSE;
    }
  /* A data record holds spr samples lasting spr/sfreq s, in units of 10 µs;
   * integer rates use 1-s records. */
  spr = (int) MAX (1, lround (sfreq));
  dur_units = (int) lround (spr / sfreq * 1e5);
  while (dur_units > 6000000 && spr > 1)
    spr /= 2, dur_units = (int) lround (spr / sfreq * 1e5);
  if (dur_units < 100)
    {
      spr = (int) ceil (sfreq * 1e-3);
      dur_units = (int) lround (spr / sfreq * 1e5);
    }
  n_rec = (n_samples + spr - 1) / spr;
  out = as_output_open (path, overwrite, error);
  if (out == NULL)
    return FALSE;
  hdl = edfopen_file_writeonly (as_output_get_temp_path (out), EDFLIB_FILETYPE_EDFPLUS, n_series);
  if (hdl < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("%s: EDFlib could not create the file (code %d)"),
                   path, hdl);
      as_output_abort (out);
      return FALSE;
    }
  if (dur_units != 100000)
    ok &= edf_set_datarecord_duration (hdl, dur_units) == 0;
  if (n_occ > n_rec)
    ok &= edf_set_number_of_annotation_signals (hdl, (int) MIN (64, n_occ / MAX (n_rec, 1) + 2)) == 0;
  for (guint s = 0; s < n_series; s++)
    {
      const double *x = data + (gsize) s * n_samples;
      double lo = x[0], hi = x[0];
      g_autofree char *label = names && names[s] ? g_strndup (names[s], 16) : g_strdup_printf ("%u", s + 1);
      g_autofree char *unit = units && units[s] ? g_strndup (units[s], 8) : g_strdup ("");
      for (gsize t = 1; t < n_samples; t++)
        lo = MIN (lo, x[t]), hi = MAX (hi, x[t]);
      if (hi - lo < 1e-12 * MAX (1.0, fabs (hi)))
        lo -= 1, hi += 1;
      /* The 8-character header fields round the range: widen it slightly. */
      lo -= 1e-3 * (hi - lo);
      hi += 1e-3 * (hi - lo);
      ok &= edf_set_samplefrequency (hdl, s, spr) == 0;
      ok &= edf_set_physical_maximum (hdl, s, hi) == 0;
      ok &= edf_set_physical_minimum (hdl, s, lo) == 0;
      ok &= edf_set_digital_maximum (hdl, s, 32767) == 0;
      ok &= edf_set_digital_minimum (hdl, s, -32768) == 0;
      ok &= edf_set_label (hdl, s, label) == 0;
      ok &= edf_set_physical_dimension (hdl, s, unit) == 0;
    }
  ok &= edf_set_equipment (hdl, "Atomscope") == 0;
  /* EDF keeps the start to the second from 1985 to 2084, and its fraction apart. */
  if (start != NULL && g_date_time_get_year (start) >= 1985 && g_date_time_get_year (start) <= 2084)
    {
      ok &= edf_set_startdatetime (hdl, g_date_time_get_year (start), g_date_time_get_month (start),
                                   g_date_time_get_day_of_month (start), g_date_time_get_hour (start),
                                   g_date_time_get_minute (start), g_date_time_get_second (start)) == 0;
      if (g_date_time_get_microsecond (start) > 0)
        ok &= edf_set_subsecond_starttime (hdl, g_date_time_get_microsecond (start) * 10) == 0;
    }
  buf = g_new (double, spr);
  for (gsize r = 0; r < n_rec && ok; r++)
    for (guint s = 0; s < n_series && ok; s++)
      {
        const double *x = data + (gsize) s * n_samples;
        for (int k = 0; k < spr; k++)
          {
            gsize t = r * spr + k;
            /* the last record is padded with the last value */
            buf[k] = x[MIN (t, n_samples - 1)];
          }
        ok &= edfwrite_physical_samples (hdl, buf) == 0;
      }
  for (gsize i = 0; i < n_occ && ok; i++)
    {
      g_autofree char *text = g_strdup (occ[i].trial_type ? occ[i].trial_type : "event");
      if (!isfinite (occ[i].onset) || occ[i].onset < 0)
        continue;
      ok &= edfwrite_annotation_utf8 (hdl, llround (occ[i].onset * 10000),
                                      occ[i].duration > 0 ? llround (occ[i].duration * 10000) : -1,
                                      text) == 0;
    }
  if (edfclose_file (hdl) != 0)
    ok = FALSE;
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("%s: EDFlib refused a header field or a write (label, unit, range or annotation)"),
                   path);
      as_output_abort (out);
      return FALSE;
    }
  return as_output_commit (out, error);
}

gboolean
as_export_recording_edf (const char *path, const AsRecording *rec, gboolean overwrite,
                         GError **error)
{
  return as_export_recording_edf_with_events (path, rec, rec->events, overwrite, error);
}

gboolean
as_export_recording_edf_with_events (const char *path, const AsRecording *rec, const GArray *events,
                                     gboolean overwrite, GError **error)
{
  guint n_events = events != NULL ? events->len : 0;
  g_autofree const char **names = g_new0 (const char *, rec->n_channels + 1);
  g_autofree const char **units = g_new0 (const char *, rec->n_channels + 1);
  g_autofree AsOccurrence *occ = g_new0 (AsOccurrence, MAX (n_events, 1));

  for (guint c = 0; c < rec->n_channels; c++)
    names[c] = rec->channels[c].label, units[c] = rec->channels[c].unit;
  for (guint i = 0; i < n_events; i++)
    {
      const AsEvent *e = &g_array_index (events, AsEvent, i);
      occ[i].onset = e->onset;
      occ[i].duration = e->duration;
      occ[i].trial_type = e->label;
      occ[i].value = NAN;
    }
  return write_edf (path, rec->data, rec->n_channels, rec->n_samples, rec->sfreq, names, units,
                    occ, n_events, rec->start_time, overwrite, error);
}

static void
add_number (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

gboolean
as_export_json_sidecar (const char *path, const AsExportMeta *meta, gboolean overwrite,
                        GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format_iso8601 (now);
  g_autofree char *text = NULL;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, "Atomscope");
  json_builder_set_member_name (b, "version");
  json_builder_add_string_value (b, as_engine_version ());
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, when);
  if (meta->source)
    {
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, meta->source);
    }
  if (meta->method)
    {
      json_builder_set_member_name (b, "method");
      json_builder_add_string_value (b, meta->method);
    }
  add_number (b, "sampling_rate_hz", meta->sfreq);
  add_number (b, "lambda", meta->lambda);
  add_number (b, "lambda_max", meta->lambda_max);
  add_number (b, "lambda_ratio", meta->lambda / meta->lambda_max);
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint c = 0; c < meta->n_channels; c++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      if (meta->channel_names && meta->channel_names[c])
        json_builder_add_string_value (b, meta->channel_names[c]);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, meta->channel_units && meta->channel_units[c]
                                            ? meta->channel_units[c] : "");
      json_builder_set_member_name (b, "position_m");
      if (meta->positions && (!meta->has_position || meta->has_position[c]))
        {
          json_builder_begin_array (b);
          for (int k = 0; k < 3; k++)
            json_builder_add_double_value (b, meta->positions[3 * c + k]);
          json_builder_end_array (b);
        }
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "objective_history");
  json_builder_begin_array (b);
  for (guint i = 0; i < meta->n_objective; i++)
    if (isfinite (meta->objective[i]))
      json_builder_add_double_value (b, meta->objective[i]);
    else
      json_builder_add_null_value (b);
  json_builder_end_array (b);
  if (meta->parameters)
    {
      json_builder_set_member_name (b, "parameters");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), meta->parameters));
    }
  if (meta->preprocessing)
    {
      json_builder_set_member_name (b, "preprocessing");
      json_builder_add_value (b, json_node_init_object (json_node_alloc (), meta->preprocessing));
    }
  if (meta->files)
    {
      json_builder_set_member_name (b, "files");
      json_builder_begin_array (b);
      for (guint i = 0; meta->files[i]; i++)
        json_builder_add_string_value (b, meta->files[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &len);
  return as_output_write_contents (path, text, len, overwrite, error);
}
