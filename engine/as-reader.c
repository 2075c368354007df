/* as-reader.c: picks the reader for a file and holds what the readers share.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-montage.h"
#include "as-npy.h"
#include "as-reader.h"

/* Files larger than this are refused before anything is allocated: a
 * recording of this size would not fit in the memory of a desktop anyway. */
#define MAX_FILE_SIZE ((goffset) 4 << 30)

void
as_read_options_init (AsReadOptions *opts)
{
  memset (opts, 0, sizeof *opts);
}

static gboolean
has_suffix_ci (const char *name, const char *suffix)
{
  gsize n = strlen (name), s = strlen (suffix);

  return n >= s && g_ascii_strcasecmp (name + n - s, suffix) == 0;
}

AsFileFormat
as_file_format_guess (const char *name, const guint8 *head, gsize len)
{
  static const char *const sound_ext[] = { ".wav", ".flac", ".ogg", ".oga", ".opus", ".aif",
                                           ".aiff", ".au", ".snd", ".caf", ".w64", NULL };
  static const char *const biosig_ext[] = { ".edf", ".bdf", ".gdf", ".vhdr", ".rec", ".cnt",
                                            ".eeg", ".hea", ".set", ".xdf", NULL };

  if (len >= 6 && memcmp (head, "\x93NUMPY", 6) == 0)
    return AS_FILE_FORMAT_NPY;
  /* FIF: the first tag is the file id (kind 100, type 31, 20 bytes) */
  if (len >= 12 && memcmp (head, "\0\0\0\x64\0\0\0\x1f\0\0\0\x14", 12) == 0)
    return AS_FILE_FORMAT_FIF;
  if (len >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    return AS_FILE_FORMAT_IMAGE;
  if (len >= 3 && memcmp (head, "\xff\xd8\xff", 3) == 0)
    return AS_FILE_FORMAT_IMAGE;
  if (len >= 8 && (memcmp (head, "0       ", 8) == 0 || memcmp (head, "\xff" "BIOSEMI", 8) == 0))
    return AS_FILE_FORMAT_BIOSIG;
  if (len >= 4 && memcmp (head, "GDF ", 4) == 0)
    return AS_FILE_FORMAT_BIOSIG;
  if (len >= 12 && memcmp (head, "Brain Vision", 12) == 0)
    return AS_FILE_FORMAT_BIOSIG;
  if (len >= 12 && memcmp (head, "RIFF", 4) == 0 && memcmp (head + 8, "WAVE", 4) == 0)
    return AS_FILE_FORMAT_SOUND;
  if (len >= 4 && (memcmp (head, "fLaC", 4) == 0 || memcmp (head, "OggS", 4) == 0
                   || memcmp (head, "FORM", 4) == 0 || memcmp (head, ".snd", 4) == 0
                   || memcmp (head, "RF64", 4) == 0 || memcmp (head, "caff", 4) == 0))
    return AS_FILE_FORMAT_SOUND;
  if (len >= 3 && memcmp (head, "** ", 3) == 0)
    return AS_FILE_FORMAT_EYELINK;
  if (name != NULL)
    {
      if (has_suffix_ci (name, ".asc"))
        return AS_FILE_FORMAT_EYELINK;
      if (has_suffix_ci (name, ".npy"))
        return AS_FILE_FORMAT_NPY;
      if (has_suffix_ci (name, ".fif"))
        return AS_FILE_FORMAT_FIF;
      if (has_suffix_ci (name, ".csv") || has_suffix_ci (name, ".tsv")
          || has_suffix_ci (name, ".txt"))
        return AS_FILE_FORMAT_TEXT;
      if (has_suffix_ci (name, ".png") || has_suffix_ci (name, ".jpg")
          || has_suffix_ci (name, ".jpeg"))
        return AS_FILE_FORMAT_IMAGE;
      for (guint i = 0; sound_ext[i]; i++)
        if (has_suffix_ci (name, sound_ext[i]))
          return AS_FILE_FORMAT_SOUND;
      for (guint i = 0; biosig_ext[i]; i++)
        if (has_suffix_ci (name, biosig_ext[i]))
          return AS_FILE_FORMAT_BIOSIG;
    }
  /* Text if the head holds no NUL byte and is valid UTF-8 up to a cut
   * character at the very end. */
  if (len > 0 && memchr (head, '\0', len) == NULL)
    {
      const char *end;

      if (g_utf8_validate ((const char *) head, len, &end) || (gsize) (end - (const char *) head) + 4 > len)
        return AS_FILE_FORMAT_TEXT;
    }
  return AS_FILE_FORMAT_UNKNOWN;
}

/* A 10-20/10-10/10-05 electrode name after normalisation ("Fc5.", "EEG
 * Fp1-Ref", "T3" → Fc5, Fp1, T7): a prefix of the system's letters, then
 * digits or z, maybe an "h" (10-05 half positions). */
static gboolean
looks_like_electrode (const char *label)
{
  static const char *const prefixes[] = { "AFF", "AF", "FFC", "FFT", "FCC", "FTT", "FC", "FT",
                                          "FP", "CCP", "CPP", "CP", "CTT", "TTP", "TPP", "TP",
                                          "PPO", "POO", "PO", "OI", "F", "C", "T", "P", "O", "I",
                                          "A", "M", "NZ", NULL };
  g_autofree char *n = as_electrode_label_normalize (label);
  g_autofree char *u = g_ascii_strup (n, -1);

  for (guint i = 0; prefixes[i]; i++)
    if (g_str_has_prefix (u, prefixes[i]))
      {
        const char *r = u + strlen (prefixes[i]);
        if (strcmp (prefixes[i], "NZ") == 0)
          return *r == '\0';
        if (*r == 'Z')
          r++;
        else if (g_ascii_isdigit (*r))
          while (g_ascii_isdigit (*r))
            r++;
        else
          continue;
        if (*r == 'H')
          r++;
        if (*r == '\0')
          return TRUE;
      }
  return FALSE;
}

AsChannelType
as_channel_guess_type (const char *label, const char *unit)
{
  g_autofree char *l = g_ascii_strdown (label ? label : "", -1);

  if (strstr (l, "pupil"))
    return AS_CHANNEL_PUPIL;
  if (strstr (l, "gaze") || strstr (l, "eye") || g_str_has_prefix (l, "pos")
      || (unit && (strcmp (unit, "deg") == 0 || strcmp (unit, "px") == 0)))
    return AS_CHANNEL_GAZE;
  if (strstr (l, "eog"))
    return AS_CHANNEL_EOG;
  if (strstr (l, "ecg") || strstr (l, "ekg") || strcmp (l, "mlii") == 0
      || (l[0] == 'v' && l[1] >= '1' && l[1] <= '6' && l[2] == '\0'))
    return AS_CHANNEL_ECG;
  if (strstr (l, "emg"))
    return AS_CHANNEL_EMG;
  if (strstr (l, "stim") || strstr (l, "trig") || strstr (l, "status")
      || strstr (l, "annotation"))
    return AS_CHANNEL_STIM;
  if (strstr (l, "meg"))
    return AS_CHANNEL_MEG;
  if (strstr (l, "audio") || strstr (l, "left") || strstr (l, "right"))
    return AS_CHANNEL_AUDIO;
  if (strstr (l, "eeg"))
    return AS_CHANNEL_EEG;
  /* Labels that are electrode names (Fp1, Cz, T7, O2, Fc5., ...), in volts
   * or without a unit: an EEG electrode. */
  if ((unit == NULL || *unit == '\0' || g_str_has_suffix (unit, "V")) && looks_like_electrode (label))
    return AS_CHANNEL_EEG;
  return AS_CHANNEL_OTHER;
}

/* Missing samples (NaN) are bridged by linear interpolation between their
 * valid neighbours and held flat at the ends; a channel with no valid
 * sample becomes zero.  Returns how many samples were filled. */
gsize
as_recording_fill_gaps (AsRecording *rec)
{
  gsize filled = 0;

  for (guint c = 0; c < rec->n_channels; c++)
    {
      double *x = as_recording_channel (rec, c);
      gssize last = -1;
      gsize n = rec->n_samples;

      for (gsize i = 0; i <= n; i++)
        {
          if (i < n && isnan (x[i]))
            continue;
          /* x[last+1 .. i-1] are missing */
          if ((gssize) i > last + 1)
            {
              for (gsize j = last + 1; j < i; j++)
                {
                  if (last < 0 && i == n)
                    x[j] = 0;
                  else if (last < 0)
                    x[j] = x[i];
                  else if (i == n)
                    x[j] = x[last];
                  else
                    x[j] = x[last] + (x[i] - x[last]) * (double) (j - last) / (double) (i - last);
                  filled++;
                }
            }
          last = i;
        }
    }
  return filled;
}

AsRecording *
as_read_npy (const char *name, const guint8 *data, gsize len, const AsReadOptions *opts,
             GError **error)
{
  AsNpyArray arr = { 0 };
  AsRecording *rec;
  gsize n_ch, n_s;

  if (!as_npy_decode (data, len, name, &arr, error))
    return NULL;
  if (arr.ndim == 1)
    n_ch = 1, n_s = arr.shape[0];
  else if (arr.ndim == 2)
    n_ch = arr.shape[0], n_s = arr.shape[1];
  else
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: a recording needs a 1-D or 2-D array (channels × samples), this one has %u dimensions"),
                   name, arr.ndim);
      as_npy_array_clear (&arr);
      return NULL;
    }
  if (n_ch == 0 || n_s == 0 || n_ch > 65535)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: the array has shape %zu × %zu, not channels × samples"),
                   name, n_ch, n_s);
      as_npy_array_clear (&arr);
      return NULL;
    }
  for (gsize i = 0; i < n_ch * n_s; i++)
    if (fabs (arr.data[i]) > AS_MAX_MAGNITUDE)
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                     _("%s: element %zu (channel %zu, sample %zu) is infinite or out of range (beyond ±1e100)"),
                     name, i, i / n_s + 1, i % n_s + 1);
        as_npy_array_clear (&arr);
        return NULL;
      }
  rec = as_recording_new (n_ch, n_s, opts && opts->sfreq > 0 ? opts->sfreq : 1.0);
  memcpy (rec->data, arr.data, n_ch * n_s * sizeof (double));
  as_npy_array_clear (&arr);
  if (!(opts && opts->sfreq > 0))
    as_recording_add_warning (rec, _("a .npy array does not store a sampling rate: 1 Hz assumed"));
  if (n_ch > n_s)
    as_recording_add_warning (rec, _("%zu channels of %zu samples: is the array transposed? (expected channels × samples)"),
                              n_ch, n_s);
  {
    gsize filled = as_recording_fill_gaps (rec);
    if (filled > 0)
      as_recording_add_warning (rec, _("%zu missing (NaN) values were interpolated"),
                                filled);
  }
  g_free (rec->format);
  rec->format = g_strdup ("NPY");
  rec->kind = as_recording_guess_kind (rec);
  return rec;
}

static gboolean
check_file (const char *path, GStatBuf *st, GError **error)
{
  if (g_stat (path, st) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), _("%s: %s"), path,
                   g_strerror (e));
      return FALSE;
    }
  if (S_ISDIR (st->st_mode))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: is a folder, not a recording"), path);
      return FALSE;
    }
  if (!S_ISREG (st->st_mode))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: is not a regular file"), path);
      return FALSE;
    }
  if (st->st_size == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the file is empty"), path);
      return FALSE;
    }
  if ((goffset) st->st_size > MAX_FILE_SIZE)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: the file is too large (%" PRId64 " bytes)"), path,
                   (gint64) st->st_size);
      return FALSE;
    }
  if (g_access (path, R_OK) != 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   _("%s: cannot be read: %s"), path, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_head (const char *path, guint8 *buf, gsize size, gsize *len, GError **error)
{
  FILE *f = g_fopen (path, "rb");

  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
                   _("%s: cannot be opened: %s"), path, g_strerror (e));
      return FALSE;
    }
  *len = fread (buf, 1, size, f);
  fclose (f);
  return TRUE;
}

AsRecording *
as_recording_load_with_options (const char *path, const AsReadOptions *opts, GError **error)
{
  AsReadOptions defaults;
  GStatBuf st;
  guint8 head[512];
  gsize head_len = 0;
  g_autofree char *contents = NULL;
  gsize len = 0;
  AsRecording *rec = NULL;
  AsFileFormat format;

  if (opts == NULL)
    {
      as_read_options_init (&defaults);
      opts = &defaults;
    }
  if (!check_file (path, &st, error) || !read_head (path, head, sizeof head, &head_len, error))
    return NULL;
  format = as_file_format_guess (path, head, head_len);
  if (format == AS_FILE_FORMAT_BIOSIG)
    rec = as_read_biosig (path, opts, error);
  else if (format == AS_FILE_FORMAT_IMAGE)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: is an image, not a recording; open it as an image"), path);
      return NULL;
    }
  else if (format == AS_FILE_FORMAT_UNKNOWN)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: unknown file format (not EDF/BDF/GDF, FIF, sound, text, EyeLink ASC or NPY)"),
                   path);
      return NULL;
    }
  else
    {
      if (!g_file_get_contents (path, &contents, &len, error))
        return NULL;
      switch (format)
        {
        case AS_FILE_FORMAT_SOUND:
          rec = as_read_sound (path, (const guint8 *) contents, len, error);
          break;
        case AS_FILE_FORMAT_TEXT:
          rec = as_read_text (path, contents, len, opts, error);
          break;
        case AS_FILE_FORMAT_EYELINK:
          rec = as_read_eyelink (path, contents, len, opts, error);
          break;
        case AS_FILE_FORMAT_FIF:
          rec = as_read_fif (path, (const guint8 *) contents, len, error);
          break;
        case AS_FILE_FORMAT_NPY:
          rec = as_read_npy (path, (const guint8 *) contents, len, opts, error);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (rec != NULL)
    {
      g_free (rec->path);
      rec->path = g_strdup (path);
      as_recording_sort_events (rec);
    }
  return rec;
}

AsRecording *
as_recording_load (const char *path, GError **error)
{
  return as_recording_load_with_options (path, NULL, error);
}
