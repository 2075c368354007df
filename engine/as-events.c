/* as-events.c: annotation files added to a recording; the EDF+ annotation
 * signal read from the file itself.
 *
 * EDF+ (Kemp & Olivan 2003, §2.2): the signal labelled "EDF Annotations"
 * ("BDF Annotations" in BDF+) holds in each data record a list of
 * time-stamped annotation lists (TALs): "+onset[\x15duration]\x14text\x14…\x14\0".
 * The first TAL of a record has an empty first text: the record's start time.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-events.h"
#include "as-export.h"
#include "as-reader.h"

static void
event_clear (gpointer p)
{
  g_free (((AsEvent *) p)->label);
}

static gboolean
fail (GError **error, const char *path, const char *where, const char *why)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: %s: %s"), path, where, why);
  return FALSE;
}

static gboolean
header_number (const guint8 *h, gsize off, gsize width, double *v)
{
  char buf[96];
  char *end;

  memcpy (buf, h + off, width);
  buf[width] = '\0';
  g_strstrip (buf);
  if (buf[0] == '\0')
    return FALSE;
  *v = g_ascii_strtod (buf, &end);
  return *end == '\0' && isfinite (*v);
}

/* One record's annotation bytes: its TALs. */
static gboolean
parse_tals (const char *path, gsize record, const guint8 *p, gsize n, double *record_onset,
            GArray *events, GError **error)
{
  gsize i = 0;
  gboolean first = TRUE;

  *record_onset = NAN;
  while (i < n && p[i] != 0)
    {
      char num[64];
      gsize k = 0;
      double onset, duration = 0;
      char *end;
      g_autofree char *where = g_strdup_printf (_("data record %zu, annotation byte %zu"), record + 1, i);

      if (p[i] != '+' && p[i] != '-')
        return fail (error, path, where, _("an annotation does not start with + or − and its onset"));
      while (i < n && p[i] != 0x14 && p[i] != 0x15 && k + 1 < sizeof num)
        num[k++] = p[i++];
      num[k] = '\0';
      onset = g_ascii_strtod (num, &end);
      if (*end != '\0' || !isfinite (onset) || i >= n)
        return fail (error, path, where, _("the onset of an annotation is not a number"));
      if (p[i] == 0x15)
        {
          k = 0;
          i++;
          while (i < n && p[i] != 0x14 && k + 1 < sizeof num)
            num[k++] = p[i++];
          num[k] = '\0';
          duration = g_ascii_strtod (num, &end);
          if (*end != '\0' || !isfinite (duration) || duration < 0 || i >= n)
            return fail (error, path, where, _("the duration of an annotation is not a number ≥ 0"));
        }
      if (i >= n || p[i] != 0x14)
        return fail (error, path, where, _("an annotation's onset is not followed by byte 20"));
      i++;
      /* texts up to the TAL's closing 0 */
      {
        gboolean first_text = TRUE;
        while (i < n && p[i] != 0)
          {
            gsize s = i;
            while (i < n && p[i] != 0x14 && p[i] != 0)
              i++;
            if (i >= n || p[i] != 0x14)
              return fail (error, path, where, _("an annotation text is not closed by byte 20"));
            if (first && first_text && i == s)
              *record_onset = onset;
            else if (i > s)
              {
                g_autofree char *raw = g_strndup ((const char *) p + s, i - s);
                AsEvent ev = { onset, duration, g_utf8_make_valid (raw, -1) };
                g_strstrip (ev.label);
                g_array_append_val (events, ev);
              }
            first_text = FALSE;
            i++;
          }
      }
      first = FALSE;
      if (i < n)
        i++;  /* the TAL's 0 */
    }
  return TRUE;
}

gboolean
as_edf_parse_record_annotations (const char *path, gsize record, const guint8 *bytes, gsize n,
                                 double *record_onset, GArray *events, GError **error)
{
  return parse_tals (path, record, bytes, n, record_onset, events, error);
}

gboolean
as_edf_read_annotations (const char *path, GArray **record_onsets, GArray **events,
                         double *record_duration, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  const guint8 *h;
  double ns_d, nrec_d, dur;
  gsize ns, hb, bps, rec_bytes = 0, annot_off = 0, annot_len = 0, nrec;
  gboolean found = FALSE;
  g_autoptr (GArray) more_annots = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autoptr (GArray) onsets = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) evs = g_array_new (FALSE, TRUE, sizeof (AsEvent));

  g_array_set_clear_func (evs, event_clear);
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  h = (const guint8 *) contents;
  if (len < 256 || !(memcmp (h, "0       ", 8) == 0 || memcmp (h, "\xff" "BIOSEMI", 8) == 0))
    return fail (error, path, _("byte 0"), _("not an EDF+ or BDF+ file"));
  bps = h[0] == 0xff ? 3 : 2;
  if (!header_number (h, 252, 4, &ns_d) || ns_d < 1 || ns_d > 4096 || ns_d != floor (ns_d))
    return fail (error, path, _("byte 252"), _("the number of signals is not a whole number from 1 to 4096"));
  ns = (gsize) ns_d;
  hb = 256 * (ns + 1);
  if (len < hb)
    return fail (error, path, _("signal headers"), _("the file ends inside the signal headers"));
  if (!header_number (h, 244, 8, &dur) || dur < 0)
    return fail (error, path, _("byte 244"), _("the duration of a data record is not a number ≥ 0"));
  for (gsize s = 0; s < ns; s++)
    {
      char label[17];
      double spr;
      memcpy (label, h + 256 + s * 16, 16);
      label[16] = '\0';
      g_strstrip (label);
      if (!header_number (h, 256 + ns * 216 + s * 8, 8, &spr) || spr < 0 || spr > 1e7)
        return fail (error, path, _("samples per data record"), _("not a whole number ≥ 0"));
      if (strcmp (label, "EDF Annotations") == 0 || strcmp (label, "BDF Annotations") == 0)
        {
          /* The first holds the records' time-keeping; writers such as EDFlib add more
           * annotation signals when a record holds many annotations. */
          gsize span[2] = { rec_bytes, (gsize) spr * bps };
          if (!found)
            {
              annot_off = span[0];
              annot_len = span[1];
            }
          else
            g_array_append_vals (more_annots, span, 2);
          found = TRUE;
        }
      rec_bytes += (gsize) spr * bps;
    }
  if (!found || annot_len == 0)
    return fail (error, path, _("signal headers"), _("no “EDF Annotations” signal: not an EDF+ file with annotations"));
  nrec = (len - hb) / rec_bytes;
  if (header_number (h, 236, 8, &nrec_d) && nrec_d >= 0 && nrec_d < nrec)
    nrec = (gsize) nrec_d;
  for (gsize r = 0; r < nrec; r++)
    {
      double onset;
      if (!parse_tals (path, r, h + hb + r * rec_bytes + annot_off, annot_len, &onset, evs, error))
        return FALSE;
      for (guint a = 0; a + 1 < more_annots->len; a += 2)
        {
          double unused;
          if (!parse_tals (path, r, h + hb + r * rec_bytes + g_array_index (more_annots, gsize, a),
                           g_array_index (more_annots, gsize, a + 1), &unused, evs, error))
            return FALSE;
        }
      g_array_append_val (onsets, onset);
    }
  if (record_onsets)
    *record_onsets = g_steal_pointer (&onsets);
  if (events)
    *events = g_steal_pointer (&evs);
  if (record_duration)
    *record_duration = dur;
  return TRUE;
}

static GDateTime *
edf_start (const char *path)
{
  char buf[17];
  FILE *f = g_fopen (path, "rb");
  int d, mo, y, hh, mm, ss;

  if (f == NULL)
    return NULL;
  if (fseek (f, 168, SEEK_SET) != 0 || fread (buf, 1, 16, f) != 16)
    {
      fclose (f);
      return NULL;
    }
  fclose (f);
  buf[16] = '\0';
  if (sscanf (buf, "%2d.%2d.%2d%2d.%2d.%2d", &d, &mo, &y, &hh, &mm, &ss) != 6)
    return NULL;
  return g_date_time_new_utc (y >= 85 ? 1900 + y : 2000 + y, mo, d, hh, mm, ss);
}

static gint
add_edf (AsRecording *rec, const char *path, GError **error)
{
  g_autoptr (GArray) evs = NULL;
  double shift = 0;

  if (!as_edf_read_annotations (path, NULL, &evs, NULL, error))
    return -1;
  if (rec->start_time != NULL)
    {
      g_autoptr (GDateTime) s = edf_start (path);
      if (s != NULL)
        shift = g_date_time_difference (s, rec->start_time) / (double) G_TIME_SPAN_SECOND;
    }
  for (guint i = 0; i < evs->len; i++)
    {
      const AsEvent *e = &g_array_index (evs, AsEvent, i);
      as_recording_add_event (rec, e->onset + shift, e->duration, e->label);
    }
  return evs->len;
}

/* BrainVision markers: "Mk<n>=<type>,<description>,<position>,<points>,<channel>[,<date>]"
 * in the [Marker Infos] section; positions count data points from 1. */
gint
as_vmrk_add_events (AsRecording *rec, const char *path, const char *data, gsize len,
                    double sfreq, GError **error)
{
  g_auto (GStrv) lines = as_text_split_lines (path, data, len, error);
  gboolean in_markers = FALSE;
  guint n = 0;

  if (lines == NULL)
    return -1;
  if (!g_str_has_prefix (lines[0], "Brain Vision Data Exchange Marker File"))
    {
      fail (error, path, _("line 1"), _("not a BrainVision marker file"));
      return -1;
    }
  for (guint i = 1; lines[i]; i++)
    {
      const char *l = lines[i];
      g_autofree char *where = g_strdup_printf (_("line %u"), i + 1);

      if (l[0] == '[')
        {
          in_markers = g_str_has_prefix (l, "[Marker Infos]");
          continue;
        }
      if (!in_markers || l[0] == ';' || !g_str_has_prefix (l, "Mk"))
        continue;
      {
        const char *eq = strchr (l, '=');
        g_auto (GStrv) f = NULL;
        double pos, points;
        char *end;
        if (eq == NULL)
          {
            fail (error, path, where, _("a marker line has no “=”"));
            return -1;
          }
        f = g_strsplit (eq + 1, ",", -1);
        if (g_strv_length (f) < 4)
          {
            fail (error, path, where, _("a marker needs a type, a description, a position and a length"));
            return -1;
          }
        pos = g_ascii_strtod (f[2], &end);
        if (*end != '\0' || !(pos >= 1) || !isfinite (pos))
          {
            fail (error, path, where, _("the marker position is not a data point number ≥ 1"));
            return -1;
          }
        points = g_ascii_strtod (f[3], &end);
        if (*end != '\0' || !(points >= 0) || !isfinite (points))
          points = 0;
        if (strcmp (f[0], "New Segment") == 0)
          continue;
        {
          g_autofree char *label = g_strdup (*f[1] ? f[1] : f[0]);
          g_autofree char *valid = g_utf8_make_valid (label, -1);
          /* "\1" stands for a comma in descriptions */
          g_strdelimit (valid, "\1", ',');
          as_recording_add_event (rec, (pos - 1) / sfreq, points > 1 ? points / sfreq : 0, valid);
        }
        n++;
      }
    }
  return n;
}

gint
as_recording_add_events_from_file (AsRecording *rec, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  gint n;

  if (!g_file_get_contents (path, &data, &len, error))
    return -1;
  if (len >= 8 && (memcmp (data, "0       ", 8) == 0 || memcmp (data, "\xff" "BIOSEMI", 8) == 0))
    n = add_edf (rec, path, error);
  else if (len >= 38 && memcmp (data, "Brain Vision Data Exchange Marker File", 38) == 0)
    n = as_vmrk_add_events (rec, path, data, len, rec->sfreq, error);
  else if (g_str_has_suffix (path, ".tsv") || g_str_has_prefix (data, "onset\t"))
    n = (gint) as_recording_add_events_tsv (rec, path, error);
  else
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: not an annotation file Atomscope reads (EDF+ annotations, BIDS events.tsv, BrainVision .vmrk)"),
                   path);
      return -1;
    }
  if (n >= 0)
    as_recording_sort_events (rec);
  return n;
}
