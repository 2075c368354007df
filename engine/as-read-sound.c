/* as-read-sound.c: WAV, FLAC, OGG, AIFF, ... through libsndfile, from memory.
 *
 * Integer files are read as fractions of full scale.  Files written by
 * Atomscope carry "atomscope: scale=S unit=U" in their comment string, and
 * are brought back to physical units with it (as-export.c).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <sndfile.h>

#include "as-engine.h"
#include "as-reader.h"

typedef struct
{
  const guint8 *data;
  sf_count_t    len, pos;
} MemFile;

static sf_count_t
mem_get_filelen (void *user)
{
  return ((MemFile *) user)->len;
}

static sf_count_t
mem_seek (sf_count_t offset, int whence, void *user)
{
  MemFile *m = user;
  sf_count_t p = whence == SEEK_SET ? offset : whence == SEEK_CUR ? m->pos + offset : m->len + offset;

  if (p < 0 || p > m->len)
    return -1;
  m->pos = p;
  return p;
}

static sf_count_t
mem_read (void *ptr, sf_count_t count, void *user)
{
  MemFile *m = user;
  sf_count_t n = MIN (count, m->len - m->pos);

  if (n <= 0)
    return 0;
  memcpy (ptr, m->data + m->pos, n);
  m->pos += n;
  return n;
}

static sf_count_t
mem_write (const void *ptr, sf_count_t count, void *user)
{
  return 0;
}

static sf_count_t
mem_tell (void *user)
{
  return ((MemFile *) user)->pos;
}

static const char *
major_format_name (int format)
{
  switch (format & SF_FORMAT_TYPEMASK)
    {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAV (extensible)";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG: return "OGG";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_CAF: return "CAF";
    default: return "sound";
    }
}

/* A RIFF WAVE file whose data chunk announces more bytes than the file
 * holds was cut: returns the frames announced (0 when whole or not WAVE). */
static gint64
wav_frames_announced (const guint8 *d, gsize len)
{
  gsize pos = 12;
  guint block_align = 0;

  if (len < 12 || memcmp (d, "RIFF", 4) != 0 || memcmp (d + 8, "WAVE", 4) != 0)
    return 0;
  while (pos + 8 <= len)
    {
      guint32 size = (guint32) d[pos + 4] | (guint32) d[pos + 5] << 8 | (guint32) d[pos + 6] << 16
                     | (guint32) d[pos + 7] << 24;
      if (memcmp (d + pos, "fmt ", 4) == 0 && pos + 8 + 14 <= len)
        block_align = d[pos + 8 + 12] | d[pos + 8 + 13] << 8;
      if (memcmp (d + pos, "data", 4) == 0)
        {
          if (block_align == 0 || size == 0xffffffffu || (guint64) pos + 8 + size <= len)
            return 0;
          return size / block_align;
        }
      pos += 8 + (gsize) size + (size & 1);
    }
  return 0;
}

AsRecording *
as_read_sound (const char *name, const guint8 *data, gsize len, GError **error)
{
  SF_VIRTUAL_IO io = { mem_get_filelen, mem_seek, mem_read, mem_write, mem_tell };
  MemFile m = { data, (sf_count_t) len, 0 };
  SF_INFO info = { 0 };
  SNDFILE *sf;
  AsRecording *rec = NULL;
  g_autofree double *frames = NULL;
  sf_count_t got;
  double scale = 1.0;
  g_autofree char *unit = g_strdup ("");
  const char *comment;

  sf = sf_open_virtual (&io, SFM_READ, &info, &m);
  if (sf == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: %s"), name,
                   sf_strerror (NULL));
      return NULL;
    }
  if (info.channels < 1 || info.channels > 1024 || info.samplerate <= 0 || info.frames <= 0
      || (double) info.frames * info.channels > (double) len * 64 + 1e6)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: header: %d channels, %d Hz, %" PRId64 " frames is not a usable recording"),
                   name, info.channels, info.samplerate, (gint64) info.frames);
      sf_close (sf);
      return NULL;
    }
  frames = g_try_new (double, (gsize) info.frames * info.channels);
  if (frames == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: too large to load (%" PRId64 " frames)"), name, (gint64) info.frames);
      sf_close (sf);
      return NULL;
    }
  got = sf_readf_double (sf, frames, info.frames);
  if (got <= 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: no sample could be read: %s"), name, sf_strerror (sf));
      sf_close (sf);
      return NULL;
    }
  comment = sf_get_string (sf, SF_STR_COMMENT);
  if (comment != NULL)
    {
      const char *p = strstr (comment, "atomscope: scale=");
      if (p != NULL)
        {
          char *end;
          double s = g_ascii_strtod (p + 17, &end);
          if (end != p + 17 && isfinite (s) && s > 0)
            scale = s;
          p = strstr (end, "unit=");
          if (p != NULL)
            {
              gsize l = strcspn (p + 5, " ;\n");
              g_free (unit);
              unit = g_utf8_make_valid (p + 5, l);
            }
        }
    }
  rec = as_recording_new (info.channels, got, info.samplerate);
  {
    gsize bad = 0;
    for (int c = 0; c < info.channels; c++)
      {
        double *ch = as_recording_channel (rec, c);
        g_autofree char *label = info.channels == 1 ? g_strdup ("mono")
                                 : info.channels == 2 ? g_strdup (c == 0 ? "left" : "right")
                                 : g_strdup_printf ("channel %d", c + 1);
        for (sf_count_t t = 0; t < got; t++)
          {
            double v = frames[(gsize) t * info.channels + c] * scale;
            if (!isfinite (v))
              v = NAN, bad++;
            ch[t] = v;
          }
        as_recording_set_channel (rec, c, label, unit, *unit ? as_channel_guess_type (label, unit)
                                                             : AS_CHANNEL_AUDIO);
      }
    if (bad > 0)
      {
        as_recording_fill_gaps (rec);
        as_recording_add_warning (rec, _("%zu non-finite samples were interpolated"), bad);
      }
  }
  if (got < info.frames)
    as_recording_add_warning (rec, _("the file is truncated: %" PRId64 " of %" PRId64 " frames read"),
                              (gint64) got, (gint64) info.frames);
  else
    {
      gint64 announced = wav_frames_announced (data, len);
      if (announced > got)
        as_recording_add_warning (rec, _("the file is truncated: its data chunk announces %" PRId64 " frames, the file holds %" PRId64 " (%.3f s missing)"),
                                  announced, (gint64) got, (double) (announced - got) / info.samplerate);
    }
  if (scale == 1.0 && *unit == '\0')
    as_recording_add_warning (rec, _("sound files have no physical unit: values are fractions of full scale"));
  g_free (rec->format);
  rec->format = g_strdup (major_format_name (info.format));
  rec->kind = *unit ? as_recording_guess_kind (rec) : AS_RECORDING_AUDIO;
  sf_close (sf);
  return rec;
}
