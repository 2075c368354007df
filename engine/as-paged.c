/* as-paged.c: EDF/BDF recordings read page by page, with a min/max pyramid.
 *
 * Sample d of a signal is (d − dmin)·(pmax − pmin)/(dmax − dmin) + pmin in
 * physical units (Kemp et al. 1992).  Data record r starts at byte
 * header_bytes + r·record_bytes; each signal's samples sit at a fixed offset
 * in it, little-endian, 2 bytes (EDF) or 3 bytes (BDF) each.
 *
 * The pyramid keeps, per channel, the minimum and the maximum of cells of
 * 2^k samples for k from a finest level k0 (chosen so the whole pyramid
 * stays within a fixed share of memory) up to one cell.  A page of N samples
 * drawn in B buckets reads level ⌊log2 (N/B)⌋: each bucket spans at most a
 * few cells, so a 30-minute page costs the same as a 10-second one.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-paged"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-events.h"
#include "as-paged.h"
#include "as-reader.h"

/* The pyramid's share of memory: at most this many bytes (or a quarter of
 * the budget when that is smaller). */
#define PYRAMID_MAX_BYTES ((guint64) 256 << 20)
/* Bytes read from the file at once. */
#define READ_CHUNK_BYTES ((gsize) 8 << 20)

struct _AsPaged
{
  gatomicrefcount ref_count;
  char        *path;
  int          fd;
  AsEdfHeader *hdr;
  guint        n_channels;
  guint       *signal;       /* the header's signal of each channel */
  double      *gain, *dmin, *pmin;
  gsize        spr;          /* samples per record of every channel */
  gsize        n_samples;
  gsize        samples_read; /* atomic: time samples decoded by as_paged_read*() */

  /* The pyramid: level L holds cells of 2^(k0 + L) samples. */
  guint        k0, n_levels;
  gsize       *level_len;    /* cells per channel */
  float      **lo, **hi;     /* per level: n_channels × level_len */
  guint64      pyramid_bytes;
  double       build_seconds;
  double       build_cpu_seconds;
  GThread     *builder;
  GMutex       lock;
  GCond        cond;
  gboolean     done;         /* under lock */
  gboolean     ok;
  GError      *build_error;
  gint         ready;        /* atomic: the pyramid may be read */
  gint         cancel;       /* atomic */
};

guint64
as_memory_budget (void)
{
  const char *env = g_getenv ("ATOMSCOPE_MEMORY_BUDGET");
  long pages = sysconf (_SC_PHYS_PAGES), size = sysconf (_SC_PAGESIZE);

  if (env != NULL && *env != '\0')
    {
      char *end;
      double mib = g_ascii_strtod (env, &end);
      if (*end == '\0' && mib >= 0)
        return (guint64) (mib * 1048576.0);
    }
  if (pages <= 0 || size <= 0)
    return (guint64) 2 << 30;
  return (guint64) pages * (guint64) size / 4;
}

static gboolean
read_at (AsPaged *p, guint8 *buf, gsize n, guint64 offset, GError **error)
{
  gsize done = 0;

  while (done < n)
    {
      ssize_t k = pread (p->fd, buf + done, n - done, (off_t) (offset + done));
      if (k < 0 && errno == EINTR)
        continue;
      if (k <= 0)
        {
          int e = errno;
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: byte %llu: %s"), p->path, (unsigned long long) (offset + done),
                       k < 0 ? g_strerror (e) : _("the file ends early"));
          return FALSE;
        }
      done += (gsize) k;
    }
  return TRUE;
}

/* Samples [start, start + count) of every channel, decoded from the file's records into
 * @out_f (float) or @out_d (double), whichever is not NULL: one decoder for both. */
static gboolean
paged_decode (AsPaged *p, gsize start, gsize count, float *out_f, double *out_d, GError **error)
{
  const AsEdfHeader *h = p->hdr;
  gsize bps = h->bdf ? 3 : 2, spr = p->spr, r0, r1, per_read;
  g_autofree guint8 *buf = NULL;

  g_return_val_if_fail (start <= p->n_samples && count <= p->n_samples - start, FALSE);
  if (count == 0)
    return TRUE;
  r0 = start / spr;
  r1 = (start + count - 1) / spr + 1;
  per_read = MAX ((gsize) 1, READ_CHUNK_BYTES / h->record_bytes);
  buf = g_malloc (MIN (per_read, r1 - r0) * h->record_bytes);
  for (gsize r = r0; r < r1; r += per_read)
    {
      gsize nr = MIN (per_read, r1 - r);

      if (!read_at (p, buf, nr * h->record_bytes,
                    h->header_bytes + (guint64) r * h->record_bytes, error))
        return FALSE;
      for (gsize q = r; q < r + nr; q++)
        {
          gsize rs = q * spr, a = MAX (start, rs), b = MIN (start + count, rs + spr);
          const guint8 *rec = buf + (q - r) * h->record_bytes;

          for (guint c = 0; c < p->n_channels; c++)
            {
              const guint8 *src = rec + h->signals[p->signal[c]].offset + (a - rs) * bps;
              const gsize at = (gsize) c * count + (a - start);
              double g = p->gain[c], d0 = p->dmin[c], p0 = p->pmin[c];
              gsize n = b - a;

              /* One loop per sample size and output type: the page reads of the browser
               * stay a plain loop. */
#define DECODE(OUT, D)                                                              \
              for (gsize i = 0; i < n; i++)                                         \
                OUT[at + i] = (D - d0) * g + p0;
#define D16 ((gint16) (src[2 * i] | src[2 * i + 1] << 8))
#define D24 ((gint32) ((guint32) src[3 * i] << 8 | (guint32) src[3 * i + 1] << 16      \
                       | (guint32) src[3 * i + 2] << 24) >> 8)
              if (out_d != NULL && bps == 2)
                DECODE (out_d, D16)
              else if (out_d != NULL)
                DECODE (out_d, D24)
              else if (bps == 2)
                DECODE (out_f, D16)
              else
                DECODE (out_f, D24)
#undef DECODE
#undef D16
#undef D24
            }
        }
    }
  g_atomic_pointer_add (&p->samples_read, (gssize) count);
  return TRUE;
}

gboolean
as_paged_read (AsPaged *p, gsize start, gsize count, float *out, GError **error)
{
  return paged_decode (p, start, count, out, NULL, error);
}

gboolean
as_paged_read_double (AsPaged *p, gsize start, gsize count, double *out, GError **error)
{
  return paged_decode (p, start, count, NULL, out, error);
}

guint64
as_paged_samples_read (AsPaged *p)
{
  return (guint64) (gsize) g_atomic_pointer_get (&p->samples_read);
}

AsRecording *
as_paged_read_span (const AsRecording *rec, gsize start, gsize count, GError **error)
{
  g_autofree float *buf = NULL;
  AsRecording *span;
  double t0 = start / rec->sfreq, t1;

  g_return_val_if_fail (rec->paged != NULL, NULL);
  start = MIN (start, rec->n_samples);
  count = MIN (count, rec->n_samples - start);
  t1 = (start + count) / rec->sfreq;
  buf = g_new (float, MAX ((gsize) rec->n_channels * count, 1));
  if (!as_paged_read (rec->paged, start, count, buf, error))
    return NULL;
  span = as_recording_new (rec->n_channels, count, rec->sfreq);
  span->path = g_strdup (rec->path);
  g_free (span->format);
  span->format = g_strdup (rec->format);
  span->kind = rec->kind;
  if (rec->start_time)
    span->start_time = g_date_time_add_seconds (rec->start_time, t0);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      double *y = as_recording_channel (span, c);
      const float *x = buf + (gsize) c * count;

      as_recording_set_channel (span, c, ch->label, ch->unit, ch->type);
      span->channels[c].has_position = ch->has_position;
      memcpy (span->channels[c].position, ch->position, sizeof ch->position);
      for (gsize t = 0; t < count; t++)
        y[t] = x[t];
    }
  for (guint e = 0; e < rec->events->len; e++)
    {
      const AsEvent *ev = &g_array_index (rec->events, AsEvent, e);
      if (ev->onset + ev->duration >= t0 && ev->onset < t1)
        as_recording_add_event (span, ev->onset - t0, ev->duration, ev->label);
    }
  return span;
}

/* ---------------------------------------------------------------- pyramid */

static void
pyramid_plan (AsPaged *p)
{
  guint64 cap = MIN (PYRAMID_MAX_BYTES, as_memory_budget () / 4);
  guint k0 = 4;

  for (;; k0++)
    {
      guint64 bytes = 0;
      for (gsize len = (p->n_samples + ((gsize) 1 << k0) - 1) >> k0;; len = (len + 1) / 2)
        {
          bytes += (guint64) p->n_channels * len * 2 * sizeof (float);
          if (len <= 1)
            break;
        }
      if (bytes <= cap || k0 >= 40)
        {
          p->pyramid_bytes = bytes;
          break;
        }
    }
  p->k0 = k0;
  p->n_levels = 0;
  for (gsize len = (p->n_samples + ((gsize) 1 << k0) - 1) >> k0;; len = (len + 1) / 2)
    {
      p->n_levels++;
      if (len <= 1)
        break;
    }
  p->level_len = g_new (gsize, p->n_levels);
  p->lo = g_new0 (float *, p->n_levels);
  p->hi = g_new0 (float *, p->n_levels);
  {
    gsize len = (p->n_samples + ((gsize) 1 << k0) - 1) >> k0;
    for (guint l = 0; l < p->n_levels; l++, len = (len + 1) / 2)
      p->level_len[l] = len;
  }
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Digital sample i of a signal's bytes. */
static inline gint32
digital (const guint8 *src, gsize i, gboolean bdf)
{
  if (bdf)
    return (gint32) ((guint32) src[3 * i] << 8 | (guint32) src[3 * i + 1] << 16
                     | (guint32) src[3 * i + 2] << 24) >> 8;
  return (gint16) (src[2 * i] | src[2 * i + 1] << 8);
}

/* The finest level from the digital samples (the physical value is an
 * increasing or decreasing affine map of them: extremes map to extremes),
 * then each level from the one below. */
static gboolean
pyramid_build (AsPaged *p, GError **error)
{
  const AsEdfHeader *h = p->hdr;
  gsize len0 = p->level_len[0], nc = p->n_channels, spr = p->spr;
  gsize per_read = MAX ((gsize) 1, READ_CHUNK_BYTES / h->record_bytes);
  g_autofree guint8 *buf = g_malloc (MIN (per_read, h->n_records) * h->record_bytes);
  g_autofree gint32 *dlo = g_new (gint32, nc * len0), *dhi = g_new (gint32, nc * len0);
  gint64 t0 = g_get_monotonic_time ();
  double cpu0 = thread_cpu_seconds ();

  for (gsize i = 0; i < nc * len0; i++)
    {
      dlo[i] = G_MAXINT32;
      dhi[i] = G_MININT32;
    }
  for (gsize r = 0; r < h->n_records; r += per_read)
    {
      gsize nr = MIN (per_read, h->n_records - r);

      if (g_atomic_int_get (&p->cancel))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED, _("%s: stopped"), p->path);
          return FALSE;
        }
      if (!read_at (p, buf, nr * h->record_bytes, h->header_bytes + (guint64) r * h->record_bytes, error))
        return FALSE;
      for (gsize q = r; q < r + nr; q++)
        for (gsize c = 0; c < nc; c++)
          {
            const guint8 *src = buf + (q - r) * h->record_bytes + h->signals[p->signal[c]].offset;
            gint32 *lo = dlo + c * len0, *hi = dhi + c * len0;
            gsize rs = q * spr;

            /* runs of samples inside one cell */
            for (gsize i = 0; i < spr;)
              {
                gsize cell = (rs + i) >> p->k0;
                gsize e = MIN (spr, ((cell + 1) << p->k0) - rs);
                gint32 a = lo[cell], b = hi[cell];
                if (h->bdf)
                  for (; i < e; i++)
                    {
                      gint32 d = digital (src, i, TRUE);
                      a = d < a ? d : a;
                      b = d > b ? d : b;
                    }
                else
                  for (; i < e; i++)
                    {
                      gint32 d = (gint16) (src[2 * i] | src[2 * i + 1] << 8);
                      a = d < a ? d : a;
                      b = d > b ? d : b;
                    }
                lo[cell] = a;
                hi[cell] = b;
              }
          }
    }
  for (guint l = 0; l < p->n_levels; l++)
    {
      p->lo[l] = g_new (float, MAX (nc * p->level_len[l], 1));
      p->hi[l] = g_new (float, MAX (nc * p->level_len[l], 1));
    }
  for (gsize c = 0; c < nc; c++)
    {
      double g = p->gain[c], d0 = p->dmin[c], p0 = p->pmin[c];
      for (gsize i = 0; i < len0; i++)
        {
          float a = (float) ((dlo[c * len0 + i] - d0) * g + p0);
          float b = (float) ((dhi[c * len0 + i] - d0) * g + p0);
          p->lo[0][c * len0 + i] = MIN (a, b);
          p->hi[0][c * len0 + i] = MAX (a, b);
        }
    }
  for (guint l = 1; l < p->n_levels; l++)
    {
      gsize n = p->level_len[l], m = p->level_len[l - 1];
      for (gsize c = 0; c < nc; c++)
        {
          const float *lo1 = p->lo[l - 1] + c * m, *hi1 = p->hi[l - 1] + c * m;
          float *lo = p->lo[l] + c * n, *hi = p->hi[l] + c * n;
          for (gsize i = 0; i < n; i++)
            {
              gsize j = 2 * i, k = MIN (2 * i + 1, m - 1);
              lo[i] = MIN (lo1[j], lo1[k]);
              hi[i] = MAX (hi1[j], hi1[k]);
            }
        }
    }
  p->build_seconds = (g_get_monotonic_time () - t0) / 1e6;
  p->build_cpu_seconds = thread_cpu_seconds () - cpu0;
  return TRUE;
}

static void
pyramid_finish (AsPaged *p, gboolean ok, GError *error)
{
  g_mutex_lock (&p->lock);
  p->ok = ok;
  p->build_error = error;
  p->done = TRUE;
  if (ok)
    g_atomic_int_set (&p->ready, 1);
  g_cond_broadcast (&p->cond);
  g_mutex_unlock (&p->lock);
}

static gpointer
pyramid_thread (gpointer data)
{
  AsPaged *p = data;
  GError *error = NULL;
  gboolean ok;

  as_engine_lower_thread_priority ();
  ok = pyramid_build (p, &error);
  pyramid_finish (p, ok, error);
  return NULL;
}

gboolean
as_paged_wait_pyramid (AsPaged *p, GError **error)
{
  gboolean build_here;

  g_mutex_lock (&p->lock);
  build_here = p->builder == NULL && !p->done;
  if (!build_here)
    while (!p->done)
      g_cond_wait (&p->cond, &p->lock);
  g_mutex_unlock (&p->lock);
  if (build_here)
    {
      GError *local = NULL;
      gboolean ok = pyramid_build (p, &local);
      pyramid_finish (p, ok, local);
    }
  if (!p->ok && error != NULL && p->build_error != NULL)
    *error = g_error_copy (p->build_error);
  return p->ok;
}

gboolean
as_paged_pyramid_ready (AsPaged *p)
{
  return g_atomic_int_get (&p->ready) != 0;
}

guint64
as_paged_pyramid_bytes (AsPaged *p, guint *finest_level, double *seconds, double *cpu_seconds)
{
  if (finest_level)
    *finest_level = p->k0;
  if (seconds)
    *seconds = as_paged_pyramid_ready (p) ? p->build_seconds : 0;
  if (cpu_seconds)
    *cpu_seconds = as_paged_pyramid_ready (p) ? p->build_cpu_seconds : 0;
  return p->pyramid_bytes;
}

gboolean
as_paged_envelope (AsPaged *p, gsize start, gsize count, guint n_buckets, float *lo, float *hi,
                   GError **error)
{
  gsize nc = p->n_channels;
  int level = -1;

  g_return_val_if_fail (n_buckets > 0 && start <= p->n_samples && count <= p->n_samples - start, FALSE);
  if (as_paged_pyramid_ready (p))
    for (guint l = 0; l < p->n_levels; l++)
      if (((gsize) 1 << (p->k0 + l)) <= count / n_buckets)
        level = (int) l;
  for (gsize i = 0; i < nc * n_buckets; i++)
    {
      lo[i] = INFINITY;
      hi[i] = -INFINITY;
    }
  if (level >= 0)
    {
      guint shift = p->k0 + (guint) level;
      gsize len = p->level_len[level];
      for (guint b = 0; b < n_buckets; b++)
        {
          gsize a = start + (gsize) ((double) b * count / n_buckets);
          gsize e = start + (gsize) ((double) (b + 1) * count / n_buckets);
          gsize i0 = a >> shift, i1 = MIN (len - 1, (MAX (e, a + 1) - 1) >> shift);
          for (gsize c = 0; c < nc; c++)
            {
              const float *cl = p->lo[level] + c * len, *ch = p->hi[level] + c * len;
              float x = INFINITY, y = -INFINITY;
              for (gsize i = i0; i <= i1; i++)
                {
                  x = MIN (x, cl[i]);
                  y = MAX (y, ch[i]);
                }
              lo[c * n_buckets + b] = x;
              hi[c * n_buckets + b] = y;
            }
        }
    }
  else
    {
      /* From the file, a chunk at a time: bucket b ends before sample
       * ⌊(b + 1)·count/n_buckets⌋, as in the pyramid's lookup. */
      gsize chunk = MAX ((gsize) 1, READ_CHUNK_BYTES / (nc * sizeof (float)));
      g_autofree float *buf = g_new (float, MIN (chunk, MAX (count, 1)) * nc);
      g_autofree gsize *end = g_new (gsize, n_buckets);
      guint b0 = 0;

      for (guint b = 0; b < n_buckets; b++)
        end[b] = (gsize) ((double) (b + 1) * count / n_buckets);
      end[n_buckets - 1] = count;
      for (gsize s = 0; s < count; s += chunk)
        {
          gsize n = MIN (chunk, count - s);
          if (!as_paged_read (p, start + s, n, buf, error))
            return FALSE;
          while (end[b0] <= s)
            b0++;
          for (gsize c = 0; c < nc; c++)
            {
              const float *x = buf + c * n;
              float *cl = lo + c * n_buckets, *ch = hi + c * n_buckets;
              guint b = b0;
              for (gsize t = 0; t < n; t++)
                {
                  while (end[b] <= s + t)
                    b++;
                  cl[b] = x[t] < cl[b] ? x[t] : cl[b];
                  ch[b] = x[t] > ch[b] ? x[t] : ch[b];
                }
            }
        }
    }
  for (gsize i = 0; i < nc * n_buckets; i++)
    if (lo[i] > hi[i])
      lo[i] = hi[i] = NAN;
  return TRUE;
}

/* ------------------------------------------------------------------ open */

AsPaged *
as_paged_ref (AsPaged *p)
{
  g_atomic_ref_count_inc (&p->ref_count);
  return p;
}

void
as_paged_unref (AsPaged *p)
{
  if (p == NULL || !g_atomic_ref_count_dec (&p->ref_count))
    return;
  /* A build in flight stops at its next chunk. */
  g_atomic_int_set (&p->cancel, 1);
  if (p->builder != NULL)
    g_thread_join (p->builder);
  for (guint l = 0; l < p->n_levels; l++)
    {
      g_free (p->lo[l]);
      g_free (p->hi[l]);
    }
  g_free (p->lo);
  g_free (p->hi);
  g_free (p->level_len);
  g_clear_error (&p->build_error);
  g_mutex_clear (&p->lock);
  g_cond_clear (&p->cond);
  if (p->fd >= 0)
    close (p->fd);
  g_free (p->signal);
  g_free (p->gain);
  g_free (p->dmin);
  g_free (p->pmin);
  as_edf_header_free (p->hdr);
  g_free (p->path);
  g_free (p);
}

static void
event_clear (gpointer data)
{
  g_free (((AsEvent *) data)->label);
}

/* EDF+/BDF+: the annotations of every record, read alone from the file. */
static gboolean
read_annotations (AsPaged *p, AsRecording *rec, GError **error)
{
  const AsEdfHeader *h = p->hdr;
  g_autoptr (GArray) events = g_array_new (FALSE, TRUE, sizeof (AsEvent));
  gsize first = G_MAXSIZE, last = 0, bps = h->bdf ? 3 : 2;
  g_autofree guint8 *buf = NULL;
  double t0 = 0;
  guint outside = 0;

  for (guint s = 0; s < h->n_signals; s++)
    if (h->signals[s].annotations)
      {
        first = MIN (first, h->signals[s].offset);
        last = MAX (last, h->signals[s].offset + h->signals[s].spr * bps);
      }
  if (first == G_MAXSIZE)
    return TRUE;
  g_array_set_clear_func (events, event_clear);
  buf = g_malloc (last - first);
  for (gsize r = 0; r < h->n_records; r++)
    {
      double onset = 0;
      if (!read_at (p, buf, last - first, h->header_bytes + (guint64) r * h->record_bytes + first, error))
        return FALSE;
      for (guint s = 0; s < h->n_signals; s++)
        if (h->signals[s].annotations)
          {
            double o = 0;
            if (!as_edf_parse_record_annotations (p->path, r, buf + h->signals[s].offset - first,
                                                  h->signals[s].spr * bps, &o, events, error))
              return FALSE;
            if (h->signals[s].offset == first)
              onset = o;
          }
      if (r == 0)
        t0 = isfinite (onset) ? onset : 0;
    }
  for (guint i = 0; i < events->len; i++)
    {
      const AsEvent *e = &g_array_index (events, AsEvent, i);
      double on = e->onset - t0;
      if (!(on >= 0) || on > as_recording_duration (rec) + 1)
        outside++;
      else
        as_recording_add_event (rec, on, e->duration, e->label);
    }
  if (outside > 0)
    as_recording_add_warning (rec, _("%u events outside the recording were ignored"), outside);
  return TRUE;
}

AsRecording *
as_recording_open_paged (const char *path, gboolean build_pyramid, GError **error)
{
  g_autoptr (AsEdfHeader) hdr = as_edf_header_read (path, error);
  AsPaged *p;
  AsRecording *rec;
  double sfreq;

  if (hdr == NULL)
    return NULL;
  if (g_str_has_suffix (hdr->format, "+D"))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: a discontinuous %s file cannot be read page by page"), path, hdr->format);
      return NULL;
    }
  p = g_new0 (AsPaged, 1);
  g_atomic_ref_count_init (&p->ref_count);
  g_mutex_init (&p->lock);
  g_cond_init (&p->cond);
  p->path = g_strdup (path);
  p->fd = -1;
  p->signal = g_new0 (guint, hdr->n_signals);
  p->gain = g_new0 (double, hdr->n_signals);
  p->dmin = g_new0 (double, hdr->n_signals);
  p->pmin = g_new0 (double, hdr->n_signals);
  for (guint s = 0; s < hdr->n_signals; s++)
    {
      const AsEdfSignal *sig = &hdr->signals[s];
      if (sig->annotations || sig->skip || sig->spr == 0)
        continue;
      if (p->n_channels > 0 && sig->spr != p->spr)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                       _("%s: signal %s has %zu samples per data record, others %zu: channels at different rates cannot be read page by page"),
                       path, sig->label, sig->spr, p->spr);
          p->hdr = g_steal_pointer (&hdr);
          as_paged_unref (p);
          return NULL;
        }
      p->spr = sig->spr;
      p->signal[p->n_channels] = s;
      p->gain[p->n_channels] = (sig->pmax - sig->pmin) / (sig->dmax - sig->dmin);
      p->dmin[p->n_channels] = sig->dmin;
      p->pmin[p->n_channels] = sig->pmin;
      p->n_channels++;
    }
  p->hdr = g_steal_pointer (&hdr);
  if (p->n_channels == 0 || !(p->hdr->record_duration > 0) || p->hdr->n_records == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: no signal to read (%u signals, %zu records, %g s per record)"), path,
                   p->n_channels, p->hdr->n_records, p->hdr->record_duration);
      as_paged_unref (p);
      return NULL;
    }
  p->n_samples = p->hdr->n_records * p->spr;
  sfreq = p->spr / p->hdr->record_duration;
  p->fd = g_open (path, O_RDONLY, 0);
  if (p->fd < 0)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), _("%s: cannot be opened: %s"),
                   path, g_strerror (e));
      as_paged_unref (p);
      return NULL;
    }
  pyramid_plan (p);

  rec = as_recording_new (p->n_channels, 0, sfreq);
  g_clear_pointer (&rec->data, g_free);
  rec->n_samples = p->n_samples;
  rec->path = g_strdup (path);
  g_free (rec->format);
  rec->format = g_strdup (p->hdr->format);
  if (p->hdr->start_time)
    rec->start_time = g_date_time_ref (p->hdr->start_time);
  for (guint c = 0; c < p->n_channels; c++)
    {
      const AsEdfSignal *sig = &p->hdr->signals[p->signal[c]];
      as_recording_set_channel (rec, c, sig->label, sig->unit, as_channel_guess_type (sig->label, sig->unit));
    }
  for (guint s = 0; s < p->hdr->n_signals; s++)
    if (p->hdr->signals[s].skip && !p->hdr->signals[s].annotations)
      as_recording_add_warning (rec, _("signal %s left out"), p->hdr->signals[s].label);
  /* What the whole-file reader says of a file cut short, said here too. */
  if (p->hdr->announced > p->hdr->n_records)
    as_recording_add_warning (rec, _("the file is truncated: the header announces %zu data records, the file holds %zu whole ones; the last %.3f s (%zu records) are missing"),
                              p->hdr->announced, p->hdr->n_records,
                              (p->hdr->announced - p->hdr->n_records) * p->hdr->record_duration,
                              p->hdr->announced - p->hdr->n_records);
  rec->kind = as_recording_guess_kind (rec);
  rec->paged = p;
  if (!read_annotations (p, rec, error))
    {
      as_recording_unref (rec);
      return NULL;
    }
  if (build_pyramid)
    p->builder = g_thread_new ("as-paged-pyramid", pyramid_thread, p);
  return rec;
}

gboolean
as_paged_is_edf (const char *path)
{
  guint8 head[8] = { 0 };
  FILE *f = g_fopen (path, "rb");
  gsize len = 0;

  if (f != NULL)
    {
      len = fread (head, 1, sizeof head, f);
      fclose (f);
    }
  return len == 8 && (memcmp (head, "0       ", 8) == 0 || memcmp (head, "\xff" "BIOSEMI", 8) == 0);
}

gboolean
as_paged_wanted (const char *path)
{
  double samples = 0;
  g_autoptr (AsEdfHeader) hdr = NULL;

  if (!as_paged_is_edf (path))
    return FALSE;
  hdr = as_edf_header_read (path, NULL);
  for (guint s = 0; hdr != NULL && s < hdr->n_signals; s++)
    if (!hdr->signals[s].annotations && !hdr->signals[s].skip)
      samples += (double) hdr->signals[s].spr * hdr->n_records;
  return samples * sizeof (double) > (double) as_memory_budget ();
}

AsRecording *
as_recording_open (const char *path, GError **error)
{
  if (as_paged_wanted (path))
    return as_recording_open_paged (path, TRUE, error);
  return as_recording_load (path, error);
}

AsRecording *
as_paged_crop (const AsRecording *rec, double start, double stop, GError **error)
{
  double fs = rec->sfreq, duration = as_recording_duration (rec);
  double fit = (double) as_memory_budget () / (sizeof (double) * MAX (rec->n_channels, 1u) * fs);
  gsize s0, s1;

  g_return_val_if_fail (rec->paged != NULL, NULL);
  if (stop <= 0 || stop > duration)
    stop = duration;
  start = CLAMP (start, 0.0, duration);
  if (stop - start > fit)
    {
      g_autofree char *base = g_path_get_basename (rec->path);
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s is too long to learn from at once (%.1f h, %u channels): learning reads at most %.0f min of it; choose a time range of it (crop start and stop)"),
                   base, duration / 3600, rec->n_channels, floor (fit / 60));
      return NULL;
    }
  if (!(stop > start))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: the time range %.3f – %.3f s is empty"), rec->path, start, stop);
      return NULL;
    }
  s0 = (gsize) floor (start * fs);
  s1 = MIN (rec->n_samples, (gsize) ceil (stop * fs));
  return as_paged_read_span (rec, s0, s1 - s0, error);
}
