/* as-read-biosig.c: EDF, EDF+, BDF, BDF+, GDF, BrainVision, ... via libbiosig.
 *
 * libbiosig prints on stdout/stderr and may call exit() or crash on broken
 * files, and it keeps global state.  So EDF/BDF headers are checked here
 * first (with the byte of the first fault), every file is then opened once
 * in a forked child (whose crash or exit we observe), and only then read in
 * this process, under a lock.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <biosig.h>

#include "as-engine.h"
#include "as-events.h"
#include "as-reader.h"

static GMutex biosig_lock;

/* ------------------------------------------------------- EDF header check */

static gboolean
edf_field (const guint8 *h, gsize off, gsize width, char *buf)
{
  memcpy (buf, h + off, width);
  buf[width] = '\0';
  g_strstrip (buf);
  return buf[0] != '\0';
}

static gboolean
edf_number (const guint8 *h, gsize off, gsize width, double *v)
{
  char buf[96];
  char *end;

  if (!edf_field (h, off, width, buf))
    return FALSE;
  *v = g_ascii_strtod (buf, &end);
  return *end == '\0' && isfinite (*v);
}

static gboolean
edf_fail (GError **error, const char *name, gsize byte, const char *what, const char *why)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
               _("%s: byte %zu (%s): %s"), name, byte, what, why);
  return FALSE;
}

/* EDF (Kemp et al. 1992) and EDF+ (Kemp & Olivan 2003) header, also BDF:
 * 256 bytes, then 256 bytes per signal in field-major order.  data holds at
 * least the first len bytes of a file of file_size bytes. */
/* One signal's fault: recorded in skipped, or the error. */
static gboolean
signal_fault (GPtrArray *skipped, GError **error, const char *name, gsize byte, gsize s,
              const char *label, const char *what, const char *why)
{
  if (skipped == NULL)
    return edf_fail (error, name, byte, what, why);
  g_ptr_array_add (skipped, g_strdup_printf ("%zu\t%s (%s, byte %zu): %s",
                                             s, label, what, byte, why));
  return TRUE;
}

gboolean
as_edf_check_header (const char *name, const guint8 *h, gsize len, gsize file_size,
                     GPtrArray *skipped, GError **error)
{
  double hb, nrec, dur, ns_d;
  gboolean bdf;
  gsize ns, rec_bytes = 0, bps;
  double dmin_lim, dmax_lim;

  if (len < 256)
    return edf_fail (error, name, len, _("header"), _("the file ends inside the 256-byte header"));
  bdf = h[0] == 0xff;
  if (!bdf && memcmp (h, "0       ", 8) != 0)
    return edf_fail (error, name, 0, _("version"), _("not an EDF or BDF file"));
  if (bdf && memcmp (h + 1, "BIOSEMI", 7) != 0)
    return edf_fail (error, name, 1, _("version"), _("not a BDF file (expected “BIOSEMI”)"));
  bps = bdf ? 3 : 2;
  dmin_lim = bdf ? -8388608 : -32768;
  dmax_lim = bdf ? 8388607 : 32767;
  if (!edf_number (h, 252, 4, &ns_d) || ns_d < 1 || ns_d > 4096 || ns_d != floor (ns_d))
    return edf_fail (error, name, 252, _("number of signals"), _("not a whole number from 1 to 4096"));
  ns = (gsize) ns_d;
  if (!edf_number (h, 184, 8, &hb) || hb != 256.0 * (ns + 1))
    return edf_fail (error, name, 184, _("header size"),
                     _("does not match the number of signals (256 × (signals + 1) bytes)"));
  if (!edf_number (h, 236, 8, &nrec) || nrec != floor (nrec) || nrec < -1 || nrec > 1e9)
    return edf_fail (error, name, 236, _("number of data records"), _("not a whole number"));
  if (!edf_number (h, 244, 8, &dur) || dur < 0)
    return edf_fail (error, name, 244, _("duration of a data record"), _("not a number ≥ 0"));
  if (len < (gsize) hb)
    return edf_fail (error, name, len, _("signal headers"),
                     _("the file ends inside the signal headers"));
  for (gsize s = 0; s < ns; s++)
    {
      gsize base = 256;
      double pmin, pmax, dmin, dmax, spr;
      gsize o_pmin = base + ns * 104 + s * 8, o_pmax = base + ns * 112 + s * 8;
      gsize o_dmin = base + ns * 120 + s * 8, o_dmax = base + ns * 128 + s * 8;
      gsize o_spr = base + ns * 216 + s * 8;
      char label[17];

      edf_field (h, base + s * 16, 16, label);
      /* the number of samples shapes every record: a structural fault */
      if (!edf_number (h, o_spr, 8, &spr) || spr < 0 || spr > 1e7 || spr != floor (spr))
        return edf_fail (error, name, o_spr, _("samples per data record"), _("not a whole number ≥ 0"));
      rec_bytes += (gsize) spr * bps;
      if (spr == 0)
        {
          if (!signal_fault (skipped, error, name, o_spr, s, label, _("samples per data record"),
                             _("no samples")))
            return FALSE;
          continue;
        }
      if (!edf_number (h, o_pmin, 8, &pmin))
        {
          if (!signal_fault (skipped, error, name, o_pmin, s, label, _("physical minimum"), _("not a number")))
            return FALSE;
          continue;
        }
      if (!edf_number (h, o_pmax, 8, &pmax))
        {
          if (!signal_fault (skipped, error, name, o_pmax, s, label, _("physical maximum"), _("not a number")))
            return FALSE;
          continue;
        }
      if (!edf_number (h, o_dmin, 8, &dmin) || dmin < dmin_lim || dmin > dmax_lim)
        {
          if (!signal_fault (skipped, error, name, o_dmin, s, label, _("digital minimum"),
                             _("not a number in the sample range")))
            return FALSE;
          continue;
        }
      if (!edf_number (h, o_dmax, 8, &dmax) || dmax < dmin_lim || dmax > dmax_lim)
        {
          if (!signal_fault (skipped, error, name, o_dmax, s, label, _("digital maximum"),
                             _("not a number in the sample range")))
            return FALSE;
          continue;
        }
      if (dmax <= dmin)
        {
          if (!signal_fault (skipped, error, name, o_dmax, s, label, _("digital maximum"),
                             _("not above the digital minimum")))
            return FALSE;
          continue;
        }
      if (pmax == pmin)
        {
          if (!signal_fault (skipped, error, name, o_pmax, s, label, _("physical maximum"),
                             _("equal to the physical minimum")))
            return FALSE;
          continue;
        }
    }
  if (rec_bytes == 0)
    return edf_fail (error, name, 256 + ns * 216, _("samples per data record"),
                     _("no signal has samples"));
  if (nrec >= 0)
    {
      double need = hb + nrec * (double) rec_bytes;
      if ((double) file_size < need && (file_size - (gsize) hb) / rec_bytes == 0)
        {
          gsize complete = 0;
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: byte %zu (data record %zu): the file is truncated: the header announces %.0f records, the file holds %zu complete ones"),
                       name, file_size, complete + 1, nrec, complete);
          return FALSE;
        }
      if (nrec == 0)
        return edf_fail (error, name, 236, _("number of data records"), _("the file holds no data"));
    }
  else if (file_size < (gsize) hb + rec_bytes)
    return edf_fail (error, name, file_size, _("data"), _("the file holds no complete data record"));
  return TRUE;
}

/* --------------------------------------------------------------- reading */

static const char *
format_name (HDRTYPE *hdr, const guint8 *head, gsize len)
{
  if (len >= 256 && memcmp (head, "0       ", 8) == 0)
    {
      if (memcmp (head + 192, "EDF+C", 5) == 0)
        return "EDF+C";
      if (memcmp (head + 192, "EDF+D", 5) == 0)
        return "EDF+D";
      return "EDF";
    }
  if (len >= 256 && head[0] == 0xff)
    {
      if (memcmp (head + 192, "BDF+C", 5) == 0)
        return "BDF+C";
      if (memcmp (head + 192, "BDF+D", 5) == 0)
        return "BDF+D";
      return "BDF";
    }
  if (len >= 4 && memcmp (head, "GDF ", 4) == 0)
    return "GDF";
  if (len >= 12 && memcmp (head, "Brain Vision", 12) == 0)
    return "BrainVision";
  return GetFileTypeString (hdr->TYPE);
}

static char *
unit_string (uint16_t code)
{
  const char *u = PhysDim3 (code);

  if (u == NULL)
    return g_strdup ("");
  if (strcmp (u, "µV") == 0 || strcmp (u, "\xb5V") == 0)
    return g_strdup ("uV");
  if (!g_utf8_validate (u, -1, NULL))
    return g_utf8_make_valid (u, -1);
  return g_strdup (u);
}

static char *
clean_label (const char *label)
{
  g_autofree char *s = g_utf8_make_valid (label, -1);
  return g_strstrip (g_strdup (s));
}

/* The header's fields, after as_edf_check_header(), for readers of the
 * data records themselves (as-paged.c).  Signals the check found unusable are
 * kept with skip set. */
AsEdfHeader *
as_edf_header_read (const char *path, GError **error)
{
  g_autofree guint8 *h = g_malloc (256 * 4097);
  g_autoptr (GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (AsEdfHeader) hdr = NULL;
  GStatBuf st;
  gsize len, ns, bps, off = 0;
  double v;
  char buf[96];
  FILE *f;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || (f = g_fopen (path, "rb")) == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, _("%s: not a readable file"), path);
      return NULL;
    }
  len = fread (h, 1, 256 * 4097, f);
  fclose (f);
  if (!as_edf_check_header (path, h, len, (gsize) st.st_size, skipped, error))
    return NULL;
  hdr = g_new0 (AsEdfHeader, 1);
  hdr->bdf = h[0] == 0xff;
  bps = hdr->bdf ? 3 : 2;
  hdr->format = g_strdup (format_name (NULL, h, len));
  edf_number (h, 252, 4, &v);
  ns = hdr->n_signals = (guint) v;
  hdr->header_bytes = 256 * (ns + 1);
  edf_number (h, 244, 8, &hdr->record_duration);
  hdr->signals = g_new0 (AsEdfSignal, ns);
  for (gsize s = 0; s < ns; s++)
    {
      AsEdfSignal *sig = &hdr->signals[s];

      edf_field (h, 256 + s * 16, 16, buf);
      sig->label = clean_label (buf);
      edf_field (h, 256 + ns * 96 + s * 8, 8, buf);
      sig->unit = strcmp (buf, "µV") == 0 || strcmp (buf, "\xb5V") == 0 ? g_strdup ("uV")
                                                                         : g_utf8_make_valid (buf, -1);
      edf_number (h, 256 + ns * 216 + s * 8, 8, &v);
      sig->spr = (gsize) v;
      sig->offset = off;
      off += sig->spr * bps;
      sig->annotations = strcmp (sig->label, "EDF Annotations") == 0
                         || strcmp (sig->label, "BDF Annotations") == 0;
      if (!edf_number (h, 256 + ns * 104 + s * 8, 8, &sig->pmin)
          || !edf_number (h, 256 + ns * 112 + s * 8, 8, &sig->pmax)
          || !edf_number (h, 256 + ns * 120 + s * 8, 8, &sig->dmin)
          || !edf_number (h, 256 + ns * 128 + s * 8, 8, &sig->dmax))
        sig->skip = TRUE;
    }
  for (guint i = 0; i < skipped->len; i++)
    {
      guint64 k = g_ascii_strtoull (g_ptr_array_index (skipped, i), NULL, 10);
      if (k < ns)
        hdr->signals[k].skip = TRUE;
    }
  hdr->record_bytes = off;
  hdr->n_records = ((gsize) st.st_size - hdr->header_bytes) / off;
  hdr->announced = hdr->n_records;
  if (edf_number (h, 236, 8, &v) && v >= 0)
    {
      hdr->announced = (gsize) v;
      hdr->n_records = MIN (hdr->n_records, hdr->announced);
    }
  /* dd.mm.yy hh.mm.ss; years 85-99 are 19yy (Kemp & Olivan 2003, §2.1.3.3). */
  {
    int dd, mo, yy, hh, mi, ss;
    char d[9], t[9];

    memcpy (d, h + 168, 8);
    d[8] = '\0';
    memcpy (t, h + 176, 8);
    t[8] = '\0';
    if (sscanf (d, "%2d.%2d.%2d", &dd, &mo, &yy) == 3 && sscanf (t, "%2d.%2d.%2d", &hh, &mi, &ss) == 3
        && mo >= 1 && mo <= 12 && dd >= 1 && dd <= 31 && hh < 24 && mi < 60 && ss < 60)
      hdr->start_time = g_date_time_new_utc (yy >= 85 ? 1900 + yy : 2000 + yy, mo, dd, hh, mi, ss);
  }
  return g_steal_pointer (&hdr);
}

void
as_edf_header_free (AsEdfHeader *hdr)
{
  if (hdr == NULL)
    return;
  for (guint s = 0; s < hdr->n_signals; s++)
    {
      g_free (hdr->signals[s].label);
      g_free (hdr->signals[s].unit);
    }
  g_free (hdr->signals);
  g_free (hdr->format);
  g_clear_pointer (&hdr->start_time, g_date_time_unref);
  g_free (hdr);
}

/* Reads with libbiosig in this process (the child, normally). */
static AsRecording *
read_here (const char *path, const guint8 *hbuf, gsize len, const AsReadOptions *opts,
           GPtrArray *skipped, GError **error)
{
  HDRTYPE *hdr;
  AsRecording *rec = NULL;
  g_autofree guint *on = NULL;
  guint n_on = 0;
  gsize n_samples;
  double fs;
  const char *fmt;

  g_mutex_lock (&biosig_lock);
  hdr = sopen (path, "r", NULL);
  if (hdr == NULL || hdr->AS.B4C_ERRNUM != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: %s"), path,
                   hdr && hdr->AS.B4C_ERRMSG ? hdr->AS.B4C_ERRMSG : _("libbiosig could not open it"));
      goto out;
    }
  fmt = format_name (hdr, hbuf, len);
  /* signals the header check found unusable are left out */
  for (guint i = 0; skipped && i < skipped->len; i++)
    {
      guint64 k = g_ascii_strtoull (g_ptr_array_index (skipped, i), NULL, 10);
      if (k < hdr->NS)
        hdr->CHANNEL[k].OnOff = 0;
    }
  on = g_new0 (guint, MAX (hdr->NS, 1));
  for (guint k = 0; k < hdr->NS; k++)
    if (hdr->CHANNEL[k].OnOff == 1)
      on[n_on++] = k;
  if (n_on == 0 || hdr->NRec <= 0 || hdr->SPR == 0 || !(hdr->SampleRate > 0)
      || !isfinite (hdr->SampleRate))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: no signal to read (%u signals, %" PRId64 " records, %g Hz)"),
                   path, n_on, (gint64) hdr->NRec, hdr->SampleRate);
      goto out;
    }
  if ((double) hdr->NRec * hdr->SPR * n_on > 1.5e9)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: too large to load (%u channels × %.0f samples)"), path, n_on,
                   (double) hdr->NRec * hdr->SPR);
      goto out;
    }
  fs = hdr->SampleRate;
  /* Per-signal rates: libbiosig brings every channel to the fastest rate by
   * repeating samples; we either refuse, or keep each channel's own samples
   * and interpolate them linearly. */
  {
    GString *slow = g_string_new (NULL);
    for (guint i = 0; i < n_on; i++)
      {
        CHANNEL_TYPE *ch = &hdr->CHANNEL[on[i]];
        if (ch->SPR != hdr->SPR)
          g_string_append_printf (slow, "%s%s (%g Hz)", slow->len ? ", " : "", ch->Label,
                                  fs * ch->SPR / hdr->SPR);
      }
    if (slow->len > 0 && opts && opts->strict_rates)
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                     _("%s: channels are sampled at different rates (%s, others %g Hz); without strict rates they are resampled to the fastest"),
                     path, slow->str, fs);
        g_string_free (slow, TRUE);
        goto out;
      }
    g_string_free (slow, TRUE);
  }
  if (sread (NULL, 0, hdr->NRec, hdr) == 0 || hdr->AS.B4C_ERRNUM != 0 || hdr->data.block == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: %s"), path,
                   hdr->AS.B4C_ERRMSG ? hdr->AS.B4C_ERRMSG : _("the data could not be read"));
      goto out;
    }
  n_samples = hdr->data.size[0];
  if (hdr->data.size[1] != n_on || n_samples == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: libbiosig returned %zu × %zu values for %u signals"),
                   path, hdr->data.size[0], hdr->data.size[1], n_on);
      goto out;
    }
  rec = as_recording_new (n_on, n_samples, fs);
  {
    gsize n_nan = 0;
    for (guint i = 0; i < n_on; i++)
      {
        CHANNEL_TYPE *ch = &hdr->CHANNEL[on[i]];
        const double *src = hdr->data.block + (gsize) i * n_samples;
        double *dst = as_recording_channel (rec, i);
        g_autofree char *label = clean_label (ch->Label);
        g_autofree char *unit = unit_string (ch->PhysDimCode);

        if (ch->SPR == hdr->SPR)
          memcpy (dst, src, n_samples * sizeof (double));
        else
          {
            /* the channel's own samples sit every step-th value */
            gsize step = hdr->SPR / MAX (ch->SPR, 1);
            for (gsize t = 0; t < n_samples; t++)
              {
                gsize a = (t / step) * step, b = a + step;
                double w = (double) (t - a) / step;
                dst[t] = b < n_samples ? (1 - w) * src[a] + w * src[b] : src[a];
              }
            as_recording_add_warning (rec, _("channel %s sampled at %g Hz was interpolated to %g Hz"),
                                      label, fs * ch->SPR / hdr->SPR, fs);
          }
        for (gsize t = 0; t < n_samples; t++)
          if (!isfinite (dst[t]))
            {
              dst[t] = NAN;
              n_nan++;
            }
        as_recording_set_channel (rec, i, label, unit, as_channel_guess_type (label, unit));
        if (*unit == '\0')
          as_recording_add_warning (rec, _("channel %s has no physical unit"), label);
      }
    if (n_nan > 0)
      {
        as_recording_fill_gaps (rec);
        as_recording_add_warning (rec, _("%zu invalid samples (NaN, overflow) were interpolated"),
                                  n_nan);
      }
  }
  /* Events (annotations): positions are in samples at EVENT.SampleRate. */
  {
    double efs = hdr->EVENT.SampleRate > 0 ? hdr->EVENT.SampleRate : fs;
    guint outside = 0;
    for (uint32_t e = 0; e < hdr->EVENT.N; e++)
      {
        const char *desc = GetEventDescription (hdr, e);
        g_autofree char *label = NULL;
        double onset = hdr->EVENT.POS[e] / efs;
        double duration = hdr->EVENT.DUR ? hdr->EVENT.DUR[e] / efs : 0;

        if (desc != NULL && *desc != '\0')
          label = g_utf8_make_valid (desc, -1);
        else
          label = g_strdup_printf ("0x%04x", hdr->EVENT.TYP[e]);
        if (hdr->EVENT.TYP[e] == 0x7ffe)
          continue;  /* record boundaries of EDF+D: handled below from the file itself */
        if (!isfinite (onset) || onset < 0 || onset > as_recording_duration (rec) + 1)
          {
            outside++;
            continue;
          }
        as_recording_add_event (rec, onset, duration, g_strstrip (label));
      }
    if (outside > 0)
      as_recording_add_warning (rec, _("%u events outside the recording were ignored"), outside);
  }
  /* gdf_time: days since 0000-01-00 in 32.32 fixed point; 719529 days to 1970. */
  if (hdr->T0 != 0)
    {
      double unix_s = (ldexp ((double) hdr->T0, -32) - 719529.0) * 86400.0;
      if (unix_s > 0 && unix_s < 4e9)
        rec->start_time = g_date_time_new_from_unix_utc (llround (unix_s));
    }
  for (guint i = 0; skipped && i < skipped->len; i++)
    {
      const char *why = strchr (g_ptr_array_index (skipped, i), '\t');
      as_recording_add_warning (rec, _("signal %s left out"), why ? why + 1 : "?");
    }
  g_free (rec->format);
  rec->format = g_strdup (fmt);
  rec->kind = as_recording_guess_kind (rec);

out:
  if (hdr != NULL)
    {
      sclose (hdr);
      destructHDR (hdr);
    }
  g_mutex_unlock (&biosig_lock);
  return rec;
}

/* ------------------------------------------------- the child and the pipe */

/* The child sends: a status byte (0 read, 1 refused), then for a refusal a
 * message; for a recording its header, channels, events, warnings and
 * samples.  Strings are a 32-bit length then bytes. */

static void
write_all (int fd, const void *p, gsize n)
{
  const char *s = p;

  while (n > 0)
    {
      ssize_t w = write (fd, s, MIN (n, (gsize) 1 << 20));
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        _exit (4);
      s += w, n -= w;
    }
}

static void
put_u64 (int fd, guint64 v)
{
  write_all (fd, &v, sizeof v);
}

static void
put_f64 (int fd, double v)
{
  write_all (fd, &v, sizeof v);
}

static void
put_str (int fd, const char *s)
{
  guint64 n = strlen (s);
  put_u64 (fd, n);
  write_all (fd, s, n);
}

static void
send_recording (int fd, const AsRecording *rec)
{
  guint8 ok = 0;

  write_all (fd, &ok, 1);
  put_u64 (fd, rec->n_channels);
  put_u64 (fd, rec->n_samples);
  put_f64 (fd, rec->sfreq);
  put_str (fd, rec->format);
  put_u64 (fd, rec->kind);
  put_u64 (fd, rec->start_time ? (guint64) g_date_time_to_unix (rec->start_time) + 1 : 0);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      put_str (fd, rec->channels[c].label);
      put_str (fd, rec->channels[c].unit);
      put_u64 (fd, rec->channels[c].type);
    }
  put_u64 (fd, rec->events->len);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      put_f64 (fd, e->onset);
      put_f64 (fd, e->duration);
      put_str (fd, e->label);
    }
  put_u64 (fd, rec->warnings->len);
  for (guint i = 0; i < rec->warnings->len; i++)
    put_str (fd, g_ptr_array_index (rec->warnings, i));
  write_all (fd, rec->data, (gsize) rec->n_channels * rec->n_samples * sizeof (double));
}

typedef struct
{
  const guint8 *p, *end;
} Reader;

static gboolean
get_bytes (Reader *r, void *out, gsize n)
{
  if ((gsize) (r->end - r->p) < n)
    return FALSE;
  memcpy (out, r->p, n);
  r->p += n;
  return TRUE;
}

static gboolean
get_u64 (Reader *r, guint64 *v)
{
  return get_bytes (r, v, sizeof *v);
}

static gboolean
get_f64 (Reader *r, double *v)
{
  return get_bytes (r, v, sizeof *v);
}

static char *
get_str (Reader *r)
{
  guint64 n;
  char *s;

  if (!get_u64 (r, &n) || n > (guint64) (r->end - r->p))
    return NULL;
  s = g_strndup ((const char *) r->p, n);
  r->p += n;
  return s;
}

static AsRecording *
receive_recording (Reader *r)
{
  guint64 nc, ns, kind, start, ne, nw;
  double fs;
  g_autofree char *fmt = NULL;
  g_autoptr (AsRecording) rec = NULL;

  if (!get_u64 (r, &nc) || !get_u64 (r, &ns) || !get_f64 (r, &fs) || (fmt = get_str (r)) == NULL
      || !get_u64 (r, &kind) || !get_u64 (r, &start))
    return NULL;
  if (nc == 0 || nc > 65535 || ns == 0 || nc * ns > (guint64) (r->end - r->p) / sizeof (double))
    return NULL;
  rec = as_recording_new (nc, ns, fs);
  g_free (rec->format);
  rec->format = g_steal_pointer (&fmt);
  rec->kind = kind;
  if (start > 0)
    rec->start_time = g_date_time_new_from_unix_utc ((gint64) start - 1);
  for (guint c = 0; c < nc; c++)
    {
      g_autofree char *label = get_str (r), *unit = get_str (r);
      guint64 type;
      if (label == NULL || unit == NULL || !get_u64 (r, &type))
        return NULL;
      as_recording_set_channel (rec, c, label, unit, (AsChannelType) type);
    }
  if (!get_u64 (r, &ne))
    return NULL;
  for (guint64 i = 0; i < ne; i++)
    {
      double on, dur;
      g_autofree char *label = NULL;
      if (!get_f64 (r, &on) || !get_f64 (r, &dur) || (label = get_str (r)) == NULL)
        return NULL;
      as_recording_add_event (rec, on, dur, label);
    }
  if (!get_u64 (r, &nw))
    return NULL;
  for (guint64 i = 0; i < nw; i++)
    {
      g_autofree char *w = get_str (r);
      if (w == NULL)
        return NULL;
      as_recording_add_warning (rec, "%s", w);
    }
  if (!get_bytes (r, rec->data, nc * ns * sizeof (double)))
    return NULL;
  return g_steal_pointer (&rec);
}

static G_NORETURN void
child_main (int fd, const char *path, const guint8 *hbuf, gsize len, const AsReadOptions *opts,
            GPtrArray *skipped)
{
  int devnull = open ("/dev/null", O_WRONLY);
  GError *error = NULL;
  AsRecording *rec;

  /* libbiosig talks on stdout/stderr: not into the user's terminal */
  if (devnull >= 0)
    {
      dup2 (devnull, 1);
      dup2 (devnull, 2);
    }
  alarm (600);
  rec = read_here (path, hbuf, len, opts, skipped, &error);
  if (rec == NULL)
    {
      guint8 bad = 1;
      write_all (fd, &bad, 1);
      put_str (fd, error && error->message ? error->message : "libbiosig refused the file");
    }
  else
    send_recording (fd, rec);
  _exit (0);
}

/* EDF+ and BDF+: the annotations are read from the file (libbiosig loses
 * those of discontinuous files); EDF+D/BDF+D records are put back at their
 * start times (the first annotation of each record, Kemp & Olivan 2003,
 * §2.2.4) with the time between them kept as missing data, where libbiosig
 * joins them end to end. */
static gboolean
edfplus_timeline (AsRecording *rec, const char *path, GError **error)
{
  g_autoptr (GArray) onsets = NULL;
  g_autoptr (GArray) events = NULL;
  double dur = 0, t0, total_gap = 0;
  gboolean discontinuous = g_str_has_suffix (rec->format, "+D");
  guint n_gaps = 0, outside = 0;

  if (!as_edf_read_annotations (path, &onsets, &events, &dur, error))
    return FALSE;
  t0 = onsets->len > 0 && isfinite (g_array_index (onsets, double, 0)) ? g_array_index (onsets, double, 0) : 0;
  if (discontinuous && onsets->len > 0 && dur > 0)
    {
      gsize n_rec = onsets->len, spr = rec->n_samples / n_rec, new_n;
      g_autofree gsize *offset = g_new (gsize, n_rec);
      gboolean ok = rec->n_samples % n_rec == 0 && spr > 0;

      for (gsize r = 0; r < n_rec && ok; r++)
        {
          double on = g_array_index (onsets, double, r);
          double o = round ((on - t0) * rec->sfreq);
          ok = isfinite (on) && o >= 0 && o < 1e10 && (r == 0 || (gsize) o >= offset[r - 1] + spr);
          if (ok)
            offset[r] = (gsize) o;
        }
      if (!ok)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: the data records of this discontinuous file do not start at increasing times (their first annotation)"),
                       path);
          return FALSE;
        }
      new_n = offset[n_rec - 1] + spr;
      if ((double) new_n * rec->n_channels > 1.5e9)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                       _("%s: the gaps of this discontinuous file make it too long to load (%.0f s)"),
                       path, new_n / rec->sfreq);
          return FALSE;
        }
      if (new_n > rec->n_samples)
        {
          double *data = g_new (double, MAX ((gsize) rec->n_channels * new_n, 1));
          for (guint c = 0; c < rec->n_channels; c++)
            for (gsize r = 0; r < n_rec; r++)
              memcpy (data + (gsize) c * new_n + offset[r], rec->data + (gsize) c * rec->n_samples + r * spr,
                      spr * sizeof (double));
          g_free (rec->data);
          rec->data = data;
          rec->n_samples = new_n;
          for (gsize r = 1; r < n_rec; r++)
            if (offset[r] > offset[r - 1] + spr)
              {
                gsize gap = offset[r] - offset[r - 1] - spr;
                as_recording_mark_missing (rec, G_MAXUINT, offset[r - 1] + spr, gap);
                n_gaps++;
                total_gap += gap / rec->sfreq;
              }
        }
    }
  /* the file's own annotations replace libbiosig's */
  g_array_set_size (rec->events, 0);
  for (guint i = 0; i < events->len; i++)
    {
      const AsEvent *e = &g_array_index (events, AsEvent, i);
      double on = e->onset - t0;
      if (!(on >= 0) || on > as_recording_duration (rec) + 1)
        {
          outside++;
          continue;
        }
      as_recording_add_event (rec, on, e->duration, e->label);
    }
  for (guint i = 0; i < rec->warnings->len; i++)
    if (strstr (g_ptr_array_index (rec->warnings, i), "events outside") != NULL)
      g_ptr_array_remove_index (rec->warnings, i--);
  if (outside > 0)
    as_recording_add_warning (rec, _("%u events outside the recording were ignored"), outside);
  if (n_gaps > 0)
    as_recording_add_warning (rec, _("discontinuous recording (%s): %u gaps (%.3f s in all) kept as missing data"),
                              rec->format, n_gaps, total_gap);
  return TRUE;
}

/* EDF+/BDF+ after libbiosig: the timeline and annotations from the file.  A
 * continuous file whose annotations cannot be read keeps libbiosig's, with
 * a warning; a discontinuous one is refused (its timeline is unknown). */
static AsRecording *
edfplus_finish (AsRecording *rec, const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;

  if (!g_str_has_prefix (rec->format, "EDF+") && !g_str_has_prefix (rec->format, "BDF+"))
    return rec;
  if (edfplus_timeline (rec, path, &local))
    return rec;
  if (g_str_has_suffix (rec->format, "+D"))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      as_recording_unref (rec);
      return NULL;
    }
  as_recording_add_warning (rec, _("the annotations were read by libbiosig: %s"), local->message);
  return rec;
}

static AsRecording *
read_biosig_file (const char *path, const AsReadOptions *opts, GError **error)
{
  GStatBuf st;
  g_autofree guint8 *hbuf = NULL;
  gsize len;
  FILE *f;
  int fds[2];
  pid_t pid;
  g_autoptr (GByteArray) msg = NULL;
  int status = 0;
  Reader r;
  guint8 tag;
  g_autoptr (GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, _("%s: not a readable file"), path);
      return NULL;
    }
  hbuf = g_malloc (256 * 4097);
  f = g_fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), _("%s: cannot be opened: %s"),
                   path, g_strerror (e));
      return NULL;
    }
  len = fread (hbuf, 1, 256 * 4097, f);
  fclose (f);
  if (len >= 8 && (memcmp (hbuf, "0       ", 8) == 0 || memcmp (hbuf, "\xff" "BIOSEMI", 8) == 0)
      && !as_edf_check_header (path, hbuf, len, (gsize) st.st_size, skipped, error))
    return NULL;

  /* libbiosig runs in a child: its crash, exit() or hang is observed here,
   * its output silenced, its leaks and global state discarded. */
  (void) AS_ENGINE_ERROR;  /* the quark exists before fork */
  if (pipe (fds) != 0 || (pid = fork ()) < 0)
    {
      AsRecording *rec;
      g_mutex_lock (&biosig_lock);
      rec = read_here (path, hbuf, len, opts, skipped, error);
      g_mutex_unlock (&biosig_lock);
      return rec ? edfplus_finish (rec, path, error) : NULL;
    }
  if (pid == 0)
    {
      close (fds[0]);
      child_main (fds[1], path, hbuf, len, opts, skipped);
    }
  close (fds[1]);
  msg = g_byte_array_new ();
  {
    g_autofree guint8 *buf = g_malloc (1 << 16);
    for (;;)
      {
        ssize_t n = read (fds[0], buf, 1 << 16);
        if (n < 0 && errno == EINTR)
          continue;
        if (n <= 0)
          break;
        g_byte_array_append (msg, buf, n);
      }
  }
  close (fds[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (WIFSIGNALED (status))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   WTERMSIG (status) == SIGALRM
                     ? _("%s: libbiosig did not finish reading this file (timeout)")
                     : _("%s: libbiosig crashed reading this file: it is damaged or not in a supported format"),
                   path);
      return NULL;
    }
  r.p = msg->data;
  r.end = msg->len > 0 ? msg->data + msg->len : msg->data;  /* no arithmetic on NULL */
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || !get_bytes (&r, &tag, 1))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: libbiosig gave up on this file (exit status %d)"), path,
                   WIFEXITED (status) ? WEXITSTATUS (status) : -1);
      return NULL;
    }
  if (tag != 0)
    {
      g_autofree char *m = get_str (&r);
      g_set_error_literal (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           m ? m : _("libbiosig refused the file"));
      return NULL;
    }
  {
    AsRecording *rec = receive_recording (&r);
    if (rec == NULL)
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: the reading process sent an incomplete recording"), path);
    else
      rec = edfplus_finish (rec, path, error);
    return rec;
  }
}

/* --------------------------------------------------------------- truncation */

/* An EDF/BDF file cut inside its data: the records announced and the whole
 * ones present (FALSE when whole, or when the header is not readable enough
 * to say: the header check then speaks). */
static gboolean
edf_truncated (const guint8 *h, gsize len, gsize file_size, gsize *hb, gsize *rec_bytes,
               gsize *announced, gsize *complete, double *dur)
{
  double ns_d, nrec, hb_d;
  gsize ns, bps = h[0] == 0xff ? 3 : 2;

  if (len < 256 || !edf_number (h, 252, 4, &ns_d) || ns_d < 1 || ns_d > 4096
      || !edf_number (h, 184, 8, &hb_d) || !edf_number (h, 236, 8, &nrec) || nrec < 1
      || nrec > 1e9 || !edf_number (h, 244, 8, dur))
    return FALSE;
  ns = (gsize) ns_d;
  if (hb_d != 256.0 * (ns + 1) || len < 256 * (ns + 1))
    return FALSE;
  *hb = (gsize) hb_d;
  *rec_bytes = 0;
  for (gsize s = 0; s < ns; s++)
    {
      double spr;
      if (!edf_number (h, 256 + ns * 216 + s * 8, 8, &spr) || spr < 0 || spr > 1e7)
        return FALSE;
      *rec_bytes += (gsize) spr * bps;
    }
  if (*rec_bytes == 0 || file_size < *hb)
    return FALSE;
  *announced = (gsize) nrec;
  *complete = (file_size - *hb) / *rec_bytes;
  return *complete < *announced;
}

static guint64
le (const guint8 *p, int n)
{
  guint64 v = 0;
  for (int i = n - 1; i >= 0; i--)
    v = v << 8 | p[i];
  return v;
}

/* A GDF file cut inside its data: records announced, whole ones present and
 * the duration of a record (GDF 1 and 2 headers, Schlögl 2006). */
static gboolean
gdf_truncated (const guint8 *h, gsize len, gsize file_size, gsize *announced, gsize *complete,
               guint64 *spr_max)
{
  static const gsize type_bytes[] = { 0, 1, 1, 2, 2, 4, 4, 8, 8, 0, 0, 0, 0, 0, 0, 0, 4, 8 };
  gboolean v2 = len > 4 && h[4] >= '2';
  guint64 hb, nrec, ns, rec_bytes = 0;

  if (len < 256)
    return FALSE;
  ns = v2 ? le (h + 252, 2) : le (h + 252, 4);
  hb = v2 ? le (h + 184, 2) * 256 : le (h + 184, 8);
  nrec = le (h + 236, 8);
  if (ns < 1 || ns > 4096 || len < 256 * (ns + 1) || hb < 256 * (ns + 1) || nrec < 1 || nrec > (guint64) 1e12)
    return FALSE;
  for (guint64 k = 0; k < ns; k++)
    {
      guint64 spr = le (h + 256 + 216 * ns + 4 * k, 4), typ = le (h + 256 + 220 * ns + 4 * k, 4);
      if (typ >= G_N_ELEMENTS (type_bytes) || type_bytes[typ] == 0 || spr > (guint64) 1e7)
        return FALSE;
      rec_bytes += spr * type_bytes[typ];
      *spr_max = MAX (*spr_max, spr);
    }
  if (rec_bytes == 0 || file_size < hb)
    return FALSE;
  *announced = nrec;
  *complete = (file_size - hb) / rec_bytes;
  return *complete < *announced;
}

AsRecording *
as_read_biosig (const char *path, const AsReadOptions *opts, GError **error)
{
  GStatBuf st;
  g_autofree guint8 *h = g_malloc (256 * 4097);
  gsize len = 0, hb, rec_bytes, announced, complete;
  double dur = 0;
  FILE *f;
  AsRecording *rec;

  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) || (f = g_fopen (path, "rb")) == NULL)
    return read_biosig_file (path, opts, error);
  len = fread (h, 1, 256 * 4097, f);
  fclose (f);

  /* EDF/BDF missing its tail: the whole records are read (from a copy whose
   * header announces them), with a warning of what is missing, as EDFbrowser
   * does. */
  if (len >= 8 && (memcmp (h, "0       ", 8) == 0 || memcmp (h, "\xff" "BIOSEMI", 8) == 0)
      && edf_truncated (h, len, st.st_size, &hb, &rec_bytes, &announced, &complete, &dur)
      && complete >= 1)
    {
      g_autofree char *tmp = NULL;
      g_autofree char *contents = NULL;
      gsize clen;
      int fd = g_file_open_tmp ("atomscope-XXXXXX.edf", &tmp, error);
      char field[9];

      if (fd < 0)
        return NULL;
      close (fd);
      if (!g_file_get_contents (path, &contents, &clen, error))
        {
          g_unlink (tmp);
          return NULL;
        }
      g_snprintf (field, sizeof field, "%-8zu", complete);
      memcpy (contents + 236, field, 8);
      if (!g_file_set_contents (tmp, contents, hb + complete * rec_bytes, error))
        {
          g_unlink (tmp);
          return NULL;
        }
      {
        g_autoptr (GError) local = NULL;
        rec = read_biosig_file (tmp, opts, &local);
        g_unlink (tmp);
        if (rec == NULL)
          {
            GString *m = g_string_new (local->message);
            g_string_replace (m, tmp, path, 0);
            g_set_error_literal (error, local->domain, local->code, m->str);
            g_string_free (m, TRUE);
            return NULL;
          }
      }
      as_recording_add_warning (rec, _("the file is truncated: the header announces %zu data records, the file holds %zu whole ones; the last %.3f s (%zu records) are missing"),
                                announced, complete, (announced - complete) * dur, announced - complete);
      return rec;
    }
  rec = read_biosig_file (path, opts, error);
  {
    guint64 spr_max = 0;
    /* the fastest channel's samples per record at the recording's rate */
    if (rec != NULL && len >= 4 && memcmp (h, "GDF ", 4) == 0
        && gdf_truncated (h, len, st.st_size, &announced, &complete, &spr_max))
      as_recording_add_warning (rec, _("the file is truncated: the header announces %zu data records, the file holds %zu whole ones; the last %.3f s (%zu records) and the event table are missing"),
                                announced, complete, (announced - complete) * (spr_max / rec->sfreq),
                                announced - complete);
  }
  return rec;
}
