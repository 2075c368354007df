/* as-read-eyelink.c: EyeLink ASC files (SR Research edf2asc output).
 *
 * What edf2asc writes: a "**" preamble; messages (MSG time text); a
 * calibration and validation report before the first recording, whose
 * coefficient lines are indented numbers (not samples); then one or more
 * recording blocks, each opened by START and closed by END.  Inside a block a
 * SAMPLES line says which eyes are recorded, the rate, and which optional
 * columns follow the positions (VEL: velocities, RES: the resolution in
 * pixels per degree, INPUT: the digital input port); sample lines are the
 * time then, per eye, x, y and pupil ("." for a missing value), then those
 * columns, then flag characters.  The tracker's own events are lines
 * SFIX/EFIX, SSACC/ESACC, SBLINK/EBLINK (eye, start, end, ...).
 *
 * Read: every block on one time grid at the SAMPLES rate; the time between
 * blocks and samples with a "." are missing data (NaN, flagged); the
 * resolution columns become two channels (px/deg); messages, fixations,
 * saccades and blinks become events.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-reader.h"

#define MAX_VALUES 16

typedef struct
{
  double time;           /* ms, tracker clock */
  double v[MAX_VALUES];  /* per eye x, y, pupil; then xres, yres */
} AscSample;

typedef struct
{
  double onset, duration;
  char  *label;
} PendingEvent;

static gboolean
parse_field (const char *s, double *v)
{
  char *end;

  if (strcmp (s, ".") == 0)
    {
      *v = NAN;
      return TRUE;
    }
  *v = g_ascii_strtod (s, &end);
  return end != s && *end == '\0' && isfinite (*v) && !(fabs (*v) > AS_MAX_MAGNITUDE);
}

static double
asc_field_time (char **f, guint i, guint n, gboolean *ok)
{
  double v = 0;

  if (i >= n || !parse_field (f[i], &v) || isnan (v))
    *ok = FALSE;
  return v;
}

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Whitespace-separated fields, empty ones dropped. */
static char **
fields_of (const char *l, guint *n)
{
  char **f = g_strsplit_set (l, " \t", -1);
  guint w = 0;

  for (guint r = 0; f[r]; r++)
    if (f[r][0] != '\0')
      f[w++] = f[r];
    else
      g_free (f[r]);
  f[w] = NULL;
  *n = w;
  return f;
}

AsRecording *
as_read_eyelink (const char *name, const char *data, gsize len, const AsReadOptions *opts,
                 GError **error)
{
  g_auto (GStrv) lines = NULL;
  g_autoptr (GArray) samples = g_array_new (FALSE, TRUE, sizeof (AscSample));
  g_autoptr (GArray) events = g_array_new (FALSE, TRUE, sizeof (PendingEvent));
  double rate = 0, end_res[2] = { NAN, NAN };
  guint n_eyes = 0, n_blocks = 0, n_values = 0, skipped_before = 0;
  gboolean left = FALSE, right = FALSE, href = FALSE, diameter = FALSE;
  gboolean vel = FALSE, res = FALSE, input = FALSE;
  gboolean any_start, in_block = FALSE;
  AsRecording *rec = NULL;
  gsize n_total;
  double t_first, t_last;

  lines = as_text_split_lines (name, data, len, error);
  if (lines == NULL)
    return NULL;
  /* Files cut out of a recording may lack START lines: then every sample
   * line counts. */
  any_start = FALSE;
  for (guint i = 0; lines[i] && !any_start; i++)
    any_start = g_str_has_prefix (lines[i], "START") && (lines[i][5] == ' ' || lines[i][5] == '\t');
  in_block = !any_start;

  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) f = NULL;
      guint nf;
      char *l = lines[i];

      if (l[0] == '\0' || l[0] == '*' || l[0] == '>')
        continue;
      /* indented lines are the continuation of a message (calibration
       * coefficients, eye check boxes), never samples */
      if (l[0] == ' ' || l[0] == '\t')
        continue;
      f = fields_of (l, &nf);
      if (nf == 0)
        continue;
      if (g_ascii_isdigit (f[0][0]))
        {
          AscSample s = { 0 };
          guint need;
          if (!in_block)
            {
              skipped_before++;
              continue;
            }
          if (n_eyes == 0)
            {
              /* Samples before any SAMPLES line: guess monocular or binocular. */
              n_eyes = nf >= 7 && (g_ascii_isdigit (f[4][0]) || strcmp (f[4], ".") == 0) ? 2 : 1;
              left = TRUE;
              right = n_eyes == 2;
              n_values = 3 * n_eyes;
            }
          need = 1 + 3 * n_eyes + (vel ? 2 * n_eyes : 0) + (res ? 2 : 0);
          if (nf < need || !parse_field (f[0], &s.time) || isnan (s.time))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: a sample line needs a time and %u values"), name, i + 1,
                           need - 1);
              goto fail;
            }
          for (guint k = 0; k < 3 * n_eyes; k++)
            if (!parse_field (f[k + 1], &s.v[k]))
              {
                g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                             _("%s: line %u, field %u: not a number: “%s”"), name, i + 1, k + 2,
                             f[k + 1]);
                goto fail;
              }
          if (res)
            {
              guint at = 1 + 3 * n_eyes + (vel ? 2 * n_eyes : 0);
              for (guint k = 0; k < 2; k++)
                if (!parse_field (f[at + k], &s.v[3 * n_eyes + k]))
                  {
                    g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                                 _("%s: line %u, field %u: not a number: “%s”"), name, i + 1,
                                 at + k + 1, f[at + k]);
                    goto fail;
                  }
            }
          /* an eye without a position has no pupil either (EyeLink writes 0) */
          for (guint e = 0; e < n_eyes; e++)
            if (isnan (s.v[3 * e]) || isnan (s.v[3 * e + 1]))
              s.v[3 * e] = s.v[3 * e + 1] = s.v[3 * e + 2] = NAN;
          if (samples->len > 0 && s.time <= g_array_index (samples, AscSample, samples->len - 1).time)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: the sample time %g ms does not increase"), name, i + 1,
                           s.time);
              goto fail;
            }
          g_array_append_val (samples, s);
        }
      else if (strcmp (f[0], "START") == 0)
        {
          in_block = TRUE;
          n_blocks++;
        }
      else if (strcmp (f[0], "END") == 0)
        {
          in_block = !any_start;
          /* END time SAMPLES EVENTS RES xres yres: the block's mean resolution */
          for (guint k = 1; k + 2 < nf; k++)
            if (strcmp (f[k], "RES") == 0)
              {
                double a, b;
                if (parse_field (f[k + 1], &a) && parse_field (f[k + 2], &b) && a > 0 && b > 0)
                  end_res[0] = a, end_res[1] = b;
              }
        }
      else if (strcmp (f[0], "SAMPLES") == 0)
        {
          gboolean l2 = FALSE, r2 = FALSE, vel2 = FALSE, res2 = FALSE, in2 = FALSE;
          for (guint k = 1; k < nf; k++)
            {
              if (strcmp (f[k], "LEFT") == 0)
                l2 = TRUE;
              else if (strcmp (f[k], "RIGHT") == 0)
                r2 = TRUE;
              else if (strcmp (f[k], "HREF") == 0)
                href = TRUE;
              else if (strcmp (f[k], "VEL") == 0)
                vel2 = TRUE;
              else if (strcmp (f[k], "RES") == 0)
                res2 = TRUE;
              else if (strcmp (f[k], "INPUT") == 0)
                in2 = TRUE;
              else if (strcmp (f[k], "RATE") == 0 && k + 1 < nf)
                {
                  double r;
                  if (!parse_field (f[k + 1], &r) || !(r > 0) || r > 1e6)
                    {
                      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                                   _("%s: line %u: the sampling rate “%s” is not a positive number"),
                                   name, i + 1, f[k + 1]);
                      goto fail;
                    }
                  if (rate > 0 && r != rate)
                    {
                      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                                   _("%s: line %u: the sampling rate changes from %g Hz to %g Hz"),
                                   name, i + 1, rate, r);
                      goto fail;
                    }
                  rate = r;
                }
            }
          if (l2 || r2)
            {
              guint ne = (l2 ? 1 : 0) + (r2 ? 1 : 0);
              if (samples->len > 0 && (ne != n_eyes || l2 != left || res2 != res))
                {
                  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                               _("%s: line %u: the eyes or the columns recorded change from one block to the next"),
                               name, i + 1);
                  goto fail;
                }
              n_eyes = ne, left = l2, right = r2;
              vel = vel2, res = res2, input = in2;
              n_values = 3 * n_eyes + (res ? 2 : 0);
            }
        }
      else if (strcmp (f[0], "PUPIL") == 0 && nf > 1)
        diameter = strcmp (f[1], "DIAMETER") == 0;
      else if (strcmp (f[0], "MSG") == 0 && nf >= 2)
        {
          gboolean ok = TRUE;
          PendingEvent e = { asc_field_time (f, 1, nf, &ok), 0, NULL };
          const char *text;
          if (!ok)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: a message needs a time"), name, i + 1);
              goto fail;
            }
          /* The text is everything after the time field. */
          text = strstr (l, f[1]) + strlen (f[1]);
          while (*text == ' ' || *text == '\t')
            text++;
          e.label = g_strdup (text);
          g_strchomp (e.label);
          g_array_append_val (events, e);
        }
      else if (strcmp (f[0], "EFIX") == 0 || strcmp (f[0], "ESACC") == 0
               || strcmp (f[0], "EBLINK") == 0)
        {
          gboolean ok = TRUE;
          double st = asc_field_time (f, 2, nf, &ok), et = asc_field_time (f, 3, nf, &ok);
          PendingEvent e;
          const char *kind = f[0][1] == 'F' ? "fixation" : f[0][1] == 'S' ? "saccade" : "blink";
          if (!ok || et < st)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u: %s needs an eye, a start and an end time"), name, i + 1,
                           f[0]);
              goto fail;
            }
          e.onset = st;
          e.duration = et - st;
          e.label = g_strdup_printf ("%s %s", kind, nf > 1 ? f[1] : "");
          g_array_append_val (events, e);
        }
    }
  if (samples->len < 2)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: fewer than two sample lines: not an EyeLink ASC recording with samples"), name);
      goto fail;
    }
  t_first = g_array_index (samples, AscSample, 0).time;
  t_last = g_array_index (samples, AscSample, samples->len - 1).time;
  if (rate <= 0)
    {
      g_autofree double *d = g_new (double, samples->len - 1);
      for (guint i = 0; i + 1 < samples->len; i++)
        d[i] = g_array_index (samples, AscSample, i + 1).time - g_array_index (samples, AscSample, i).time;
      qsort (d, samples->len - 1, sizeof (double), compare_double);
      rate = 1000.0 / d[(samples->len - 1) / 2];
    }
  {
    double span = t_last - t_first;
    double n_f = floor (span * rate / 1000.0 + 0.5) + 1;
    if (!(n_f <= 20.0 * samples->len + 1e6) || n_f * n_values > 1.5e9)
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                     _("%s: the samples span %g s but there are only %u of them: gaps too long"),
                     name, span / 1000.0, samples->len);
        goto fail;
      }
    n_total = (gsize) n_f;
  }
  rec = as_recording_new (n_values, n_total, rate);
  /* every cell starts missing; the samples fill theirs */
  as_recording_mark_missing (rec, G_MAXUINT, 0, n_total);
  for (guint i = 0; i < samples->len; i++)
    {
      AscSample *s = &g_array_index (samples, AscSample, i);
      gsize idx = (gsize) floor ((s->time - t_first) * rate / 1000.0 + 0.5);
      if (idx >= n_total)
        idx = n_total - 1;
      for (guint c = 0; c < n_values; c++)
        if (!isnan (s->v[c]))
          {
            rec->data[c * n_total + idx] = s->v[c];
            rec->missing[c * n_total + idx] = 0;
          }
    }
  for (guint e = 0; e < n_eyes; e++)
    {
      const char *eye = n_eyes == 2 ? (e == 0 ? "left" : "right") : (right && !left ? "right" : "left");
      const char *gu = href ? "href" : "px";
      g_autofree char *x = g_strdup_printf ("gaze_x_%s", eye);
      g_autofree char *y = g_strdup_printf ("gaze_y_%s", eye);
      g_autofree char *p = g_strdup_printf ("pupil_%s", eye);
      as_recording_set_channel (rec, 3 * e, x, gu, AS_CHANNEL_GAZE);
      as_recording_set_channel (rec, 3 * e + 1, y, gu, AS_CHANNEL_GAZE);
      as_recording_set_channel (rec, 3 * e + 2, p, diameter ? "a.u. (diameter)" : "a.u. (area)",
                                AS_CHANNEL_PUPIL);
    }
  if (res)
    {
      as_recording_set_channel (rec, 3 * n_eyes, "resolution_x", "px/deg", AS_CHANNEL_OTHER);
      as_recording_set_channel (rec, 3 * n_eyes + 1, "resolution_y", "px/deg", AS_CHANNEL_OTHER);
    }
  else if (!isnan (end_res[0]))
    as_recording_add_warning (rec, _("resolution (mean of the last block): %.2f × %.2f pixels per degree"),
                              end_res[0], end_res[1]);
  {
    guint before = 0, after = 0;
    for (guint i = 0; i < events->len; i++)
      {
        PendingEvent *e = &g_array_index (events, PendingEvent, i);
        /* messages of the calibration and of the set-up before the first
         * sample are not part of the recording */
        if (e->onset < t_first)
          before++;
        else if (e->onset > t_last + 1000.0 / rate)
          after++;
        else
          as_recording_add_event (rec, (e->onset - t_first) / 1000.0, e->duration / 1000.0, e->label);
      }
    if (after > 0)
      as_recording_add_warning (rec, _("%u messages or events after the last sample were left out"), after);
    (void) before;
  }
  {
    gsize missing = as_recording_count_missing (rec);
    if (missing > 0)
      as_recording_add_warning (rec, _("%zu values are missing (blinks, lost tracking, time between recording blocks): kept as gaps"),
                                missing);
    else
      g_clear_pointer (&rec->missing, g_free);
  }
  if (n_blocks > 1)
    as_recording_add_warning (rec, _("%u recording blocks (START … END) on one time line"), n_blocks);
  if (input)
    as_recording_add_warning (rec, _("the digital input column is not read"));
  (void) skipped_before;
  g_free (rec->format);
  rec->format = g_strdup ("EyeLink ASC");
  rec->kind = AS_RECORDING_EYE;
  (void) opts;

fail:
  for (guint i = 0; i < events->len; i++)
    g_free (g_array_index (events, PendingEvent, i).label);
  return rec;
}
