/* as-read-brainvision.c: BrainVision Core Data Format (Brain Products):
 * a header (.vhdr, an INI file), a marker file (.vmrk, INI) and a binary
 * data file, read here rather than by libbiosig (which crashes on headers
 * that other programs read).
 *
 * Header sections: [Common Infos] (DataFile, MarkerFile, DataFormat=BINARY,
 * DataOrientation MULTIPLEXED (sample after sample) or VECTORIZED (channel
 * after channel), NumberOfChannels, SamplingInterval in µs), [Binary Infos]
 * (BinaryFormat INT_16, UINT_16, INT_32 or IEEE_FLOAT_32, little-endian),
 * [Channel Infos] ("Chn=name,reference,resolution,unit": a value is the
 * stored number × resolution, in unit, µV when empty; "\1" stands for a
 * comma in names).
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
#include "as-reader.h"

typedef struct
{
  char  *name, *unit;
  double resolution;
} BvChannel;

static gboolean
bv_fail (GError **error, const char *path, guint line, const char *why)
{
  if (line > 0)
    g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: line %u: %s"), path, line, why);
  else
    g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: %s"), path, why);
  return FALSE;
}

static char *
sibling (const char *header_path, const char *name)
{
  g_autofree char *dir = g_path_get_dirname (header_path);
  g_autofree char *base = g_path_get_basename (name);  /* never outside the folder */

  return g_build_filename (dir, base, NULL);
}

/* "20200101100000000000": YYYYMMDDhhmmss and microseconds. */
static GDateTime *
segment_date (const char *s)
{
  int y, mo, d, h, mi, sec;

  if (strlen (s) < 14 || sscanf (s, "%4d%2d%2d%2d%2d%2d", &y, &mo, &d, &h, &mi, &sec) != 6 || y < 1900)
    return NULL;
  return g_date_time_new_utc (y, mo, d, h, mi, sec);
}

AsRecording *
as_read_brainvision (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  g_auto (GStrv) lines = NULL;
  g_autofree char *data_file = NULL, *marker_file = NULL, *format = NULL, *orientation = NULL;
  g_autofree char *binfmt = NULL;
  g_autoptr (GArray) chans = g_array_new (FALSE, TRUE, sizeof (BvChannel));
  double interval = 0;
  gint64 n_ch = -1;
  guint line_nch = 0, line_interval = 0;
  char section[64] = "";
  AsRecording *rec = NULL;
  gsize es, n_samples, extra;
  g_autofree char *data_path = NULL;
  g_autofree guint8 *raw = NULL;
  gsize raw_len;

  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  lines = as_text_split_lines (path, text, len, error);
  if (lines == NULL)
    return NULL;
  if (!g_str_has_prefix (lines[0], "Brain Vision Data Exchange Header File")
      && !g_str_has_prefix (lines[0], "BrainVision Data Exchange Header File"))
    {
      bv_fail (error, path, 1, _("not a BrainVision header (“Brain Vision Data Exchange Header File …”)"));
      goto out;
    }
  for (guint i = 1; lines[i]; i++)
    {
      char *l = g_strstrip (lines[i]);
      char *eq;

      if (l[0] == '\0' || l[0] == ';')
        continue;
      if (l[0] == '[')
        {
          char *close = strchr (l, ']');
          if (close == NULL)
            {
              bv_fail (error, path, i + 1, _("a section name is not closed by “]”"));
              goto out;
            }
          *close = '\0';
          g_strlcpy (section, l + 1, sizeof section);
          continue;
        }
      eq = strchr (l, '=');
      if (eq == NULL)
        continue;  /* free text (comments sections) */
      *eq = '\0';
      {
        const char *key = g_strstrip (l), *value = g_strstrip (eq + 1);
        if (strcmp (section, "Common Infos") == 0)
          {
            if (strcmp (key, "DataFile") == 0)
              g_free (data_file), data_file = g_strdup (value);
            else if (strcmp (key, "MarkerFile") == 0)
              g_free (marker_file), marker_file = g_strdup (value);
            else if (strcmp (key, "DataFormat") == 0)
              g_free (format), format = g_strdup (value);
            else if (strcmp (key, "DataOrientation") == 0)
              g_free (orientation), orientation = g_strdup (value);
            else if (strcmp (key, "NumberOfChannels") == 0)
              {
                char *end;
                n_ch = g_ascii_strtoll (value, &end, 10);
                line_nch = i + 1;
                if (*end != '\0' || n_ch < 1 || n_ch > 4096)
                  {
                    bv_fail (error, path, i + 1, _("NumberOfChannels is not a whole number from 1 to 4096"));
                    goto out;
                  }
              }
            else if (strcmp (key, "SamplingInterval") == 0)
              {
                char *end;
                interval = g_ascii_strtod (value, &end);
                line_interval = i + 1;
                if (*end != '\0' || !(interval > 0) || !isfinite (interval) || interval > 1e9)
                  {
                    bv_fail (error, path, i + 1, _("SamplingInterval is not a positive number of microseconds"));
                    goto out;
                  }
              }
          }
        else if (strcmp (section, "Binary Infos") == 0 && strcmp (key, "BinaryFormat") == 0)
          g_free (binfmt), binfmt = g_strdup (value);
        else if (strcmp (section, "Channel Infos") == 0 && g_str_has_prefix (key, "Ch"))
          {
            char *end;
            gint64 k = g_ascii_strtoll (key + 2, &end, 10);
            g_auto (GStrv) f = g_strsplit (value, ",", -1);
            guint nf = g_strv_length (f);
            BvChannel ch = { 0 };
            if (*end != '\0' || k != (gint64) chans->len + 1)
              {
                g_autofree char *why = g_strdup_printf (_("channels must be numbered Ch1, Ch2, … in order (found %s)"), key);
                bv_fail (error, path, i + 1, why);
                goto out;
              }
            if (k > 4096)
              {
                bv_fail (error, path, i + 1, _("more than 4096 channels"));
                goto out;
              }
            ch.name = g_strdup (nf > 0 && *f[0] ? f[0] : key);
            g_strdelimit (ch.name, "\1", ',');
            ch.resolution = 1.0;
            if (nf > 2 && *f[2])
              {
                ch.resolution = g_ascii_strtod (f[2], &end);
                if (*end != '\0' || !isfinite (ch.resolution) || ch.resolution == 0)
                  {
                    g_free (ch.name);
                    bv_fail (error, path, i + 1, _("the channel's resolution is not a non-zero number"));
                    goto out;
                  }
              }
            ch.unit = g_strdup (nf > 3 && *f[3] ? f[3] : "uV");
            if (strcmp (ch.unit, "µV") == 0 || strcmp (ch.unit, "μV") == 0)
              g_free (ch.unit), ch.unit = g_strdup ("uV");
            g_array_append_val (chans, ch);
          }
      }
    }
  if (n_ch < 1)
    {
      bv_fail (error, path, 0, _("[Common Infos] has no NumberOfChannels"));
      goto out;
    }
  if (!(interval > 0))
    {
      bv_fail (error, path, 0, _("[Common Infos] has no SamplingInterval"));
      goto out;
    }
  if (data_file == NULL || *data_file == '\0')
    {
      bv_fail (error, path, 0, _("[Common Infos] has no DataFile"));
      goto out;
    }
  if (format != NULL && g_ascii_strcasecmp (format, "BINARY") != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: DataFormat %s is not read (only BINARY)"), path, format);
      goto out;
    }
  if (chans->len != (guint) n_ch)
    {
      g_autofree char *why = g_strdup_printf (_("NumberOfChannels is %u but [Channel Infos] lists %u"),
                                              (guint) n_ch, chans->len);
      bv_fail (error, path, line_nch, why);
      goto out;
    }
  if (binfmt == NULL || strcmp (binfmt, "INT_16") == 0 || strcmp (binfmt, "UINT_16") == 0)
    es = 2;
  else if (strcmp (binfmt, "IEEE_FLOAT_32") == 0 || strcmp (binfmt, "INT_32") == 0)
    es = 4;
  else
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: BinaryFormat %s is not read (INT_16, UINT_16, INT_32 or IEEE_FLOAT_32)"), path, binfmt);
      goto out;
    }
  data_path = sibling (path, data_file);
  if (!g_file_get_contents (data_path, (char **) &raw, &raw_len, error))
    goto out;
  n_samples = raw_len / (es * n_ch);
  extra = raw_len - n_samples * es * n_ch;
  if (n_samples == 0)
    {
      bv_fail (error, data_path, 0, _("the data file holds no whole sample"));
      goto out;
    }
  if ((double) n_samples * n_ch > 1.5e9)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED, _("%s: too large to load"), data_path);
      goto out;
    }
  rec = as_recording_new (n_ch, n_samples, 1e6 / interval);
  {
    gboolean vectorized = orientation != NULL && g_ascii_strcasecmp (orientation, "VECTORIZED") == 0;
    gsize bad = 0;
    for (gint64 c = 0; c < n_ch; c++)
      {
        const BvChannel *ch = &g_array_index (chans, BvChannel, c);
        double *x = as_recording_channel (rec, c);
        for (gsize t = 0; t < n_samples; t++)
          {
            const guint8 *p = raw + es * (vectorized ? (gsize) c * n_samples + t : t * n_ch + c);
            double v;
            if (es == 2)
              {
                guint16 u = (guint16) (p[0] | p[1] << 8);
                v = binfmt && strcmp (binfmt, "UINT_16") == 0 ? (double) u : (double) (gint16) u;
              }
            else
              {
                guint32 u = (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
                if (strcmp (binfmt, "INT_32") == 0)
                  v = (gint32) u;
                else
                  {
                    float f;
                    memcpy (&f, &u, 4);
                    v = f;
                  }
              }
            v *= ch->resolution;
            if (!isfinite (v) || fabs (v) > AS_MAX_MAGNITUDE)
              {
                v = NAN;
                bad++;
              }
            x[t] = v;
          }
        as_recording_set_channel (rec, c, ch->name, ch->unit, as_channel_guess_type (ch->name, ch->unit));
      }
    if (bad > 0)
      {
        as_recording_fill_gaps (rec);
        as_recording_add_warning (rec, _("%zu invalid samples (NaN, overflow) were interpolated"), bad);
      }
  }
  if (extra > 0)
    as_recording_add_warning (rec, _("the data file is truncated: it ends inside a sample (%zu bytes left out)"),
                              extra);
  (void) line_interval;
  if (marker_file != NULL && *marker_file != '\0')
    {
      g_autofree char *mpath = sibling (path, marker_file);
      g_autofree char *mtext = NULL;
      gsize mlen;
      g_autoptr (GError) merr = NULL;
      if (!g_file_get_contents (mpath, &mtext, &mlen, &merr))
        as_recording_add_warning (rec, _("the marker file cannot be read: %s"), merr->message);
      else
        {
          /* the first New Segment's date is the start time */
          const char *seg = strstr (mtext, "New Segment,");
          if (seg != NULL)
            {
              const char *eol = strpbrk (seg, "\r\n");
              g_autofree char *line = g_strndup (seg, eol ? (gsize) (eol - seg) : strlen (seg));
              g_auto (GStrv) f = g_strsplit (line, ",", -1);
              if (g_strv_length (f) >= 6)
                rec->start_time = segment_date (f[5]);
            }
          if (as_vmrk_add_events (rec, mpath, mtext, mlen, rec->sfreq, &merr) < 0)
            {
              as_recording_unref (rec);
              rec = NULL;
              g_propagate_error (error, g_steal_pointer (&merr));
              goto out;
            }
        }
    }
  g_free (rec->format);
  rec->format = g_strdup ("BrainVision");
  rec->kind = as_recording_guess_kind (rec);

out:
  for (guint i = 0; i < chans->len; i++)
    {
      g_free (g_array_index (chans, BvChannel, i).name);
      g_free (g_array_index (chans, BvChannel, i).unit);
    }
  return rec;
}
