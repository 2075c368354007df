/* as-read-fif.c: Neuromag / Elekta / MEGIN FIF raw files (the MNE-Python raw
 * format), read from memory.
 *
 * A FIF file is a chain of tags, each a 16-byte big-endian header (kind,
 * type, size, next) followed by size bytes of data; next is 0 when the next
 * tag follows, −1 at the end, else the byte of the next tag.  Blocks are
 * bracketed by BLOCK_START / BLOCK_END tags holding the block's kind, which
 * makes a tree.  The second tag may point at a directory (a list of every
 * tag's kind, type, size and position); when it is sound it is used, else
 * the chain is walked.
 *
 * Read here: the measurement info (number of channels, rate, one channel
 * info per channel: kind, range, calibration, coil type, location and
 * orientation, unit, name), the measurement date, the raw data block
 * (FIRST_SAMPLE, DATA_SKIP, DATA_SKIP_SAMP and DATA_BUFFER of short, int,
 * float, double or 16-bit packed samples, time-major).  A value in physical
 * units is the stored number × range × cal (× 10^unit_mul); MEG is given in
 * fT (magnetometers) and fT/cm (planar gradiometers), electrodes in µV.
 * Skipped buffers are kept as missing data (a skip before the first buffer
 * moves the first sample instead).  Stimulus channels are turned into events
 * at each change to a non-zero value; MNE-Python's annotations are events.  Files processed by
 * Maxwell filtering (SSS) hold the same blocks and are read alike.
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

#include "as-engine.h"
#include "as-reader.h"

/* Tag kinds */
enum
{
  TAG_FILE_ID = 100,
  TAG_DIR_POINTER = 101,
  TAG_DIR = 102,
  TAG_BLOCK_START = 104,
  TAG_BLOCK_END = 105,
  TAG_NCHAN = 200,
  TAG_SFREQ = 201,
  TAG_CH_INFO = 203,
  TAG_MEAS_DATE = 204,
  TAG_FIRST_SAMPLE = 208,
  TAG_DATA_BUFFER = 300,
  TAG_DATA_SKIP = 301,
  TAG_DATA_SKIP_SAMP = 303,
  TAG_REF_ROLE = 115,
  TAG_MNE_CH_NAME_LIST = 3507,
  TAG_COMMENT = 206,
  TAG_MNE_BASELINE_MIN = 304,   /* annotations: onsets */
  TAG_MNE_BASELINE_MAX = 305,   /* annotations: ends */
};

/* Block kinds */
enum
{
  BLOCK_MEAS_INFO = 101,
  BLOCK_RAW_DATA = 102,
  BLOCK_CONTINUOUS_DATA = 112,
  BLOCK_SMSH_RAW_DATA = 119,
  BLOCK_SSS_INFO = 502,
  BLOCK_PROCESSING_HISTORY = 900,
  BLOCK_MNE_BAD_CHANNELS = 359,
  BLOCK_MNE_ANNOTATIONS = 3810,
};

/* Data types */
enum
{
  TYPE_SHORT = 2,
  TYPE_INT = 3,
  TYPE_FLOAT = 4,
  TYPE_DOUBLE = 5,
  TYPE_STRING = 10,
  TYPE_DAU_PACK16 = 16,
  TYPE_CH_INFO_STRUCT = 30,
  TYPE_DIR_ENTRY_STRUCT = 32,
};

/* Channel kinds */
enum
{
  KIND_MEG = 1,
  KIND_EEG = 2,
  KIND_STIM = 3,
  KIND_EOG = 202,
  KIND_EMG = 302,
  KIND_REF_MEG = 301,
  KIND_ECG = 402,
  KIND_MISC = 502,
  KIND_RESP = 602,
};

/* Units */
enum
{
  UNIT_V = 107,
  UNIT_T = 112,
  UNIT_T_M = 201,
};

#define CH_INFO_SIZE 96
#define MAX_CHANNELS 4096

typedef struct
{
  gint32 kind, type, size;
  gsize  pos;   /* of the header; the data follows at pos + 16 */
} Tag;

typedef struct
{
  char   name[17];
  gint32 kind, coil_type, unit, unit_mul;
  double range, cal;
  double loc[12];
} ChInfo;

typedef struct
{
  gsize  tag;        /* index in the tag list */
  gsize  n_samples;
  gsize  skip_before;/* missing samples before this buffer */
} Buffer;

static gint32
be32 (const guint8 *p)
{
  return (gint32) ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]);
}

static gint16
be16 (const guint8 *p)
{
  return (gint16) ((guint16) p[0] << 8 | p[1]);
}

static float
bef32 (const guint8 *p)
{
  guint32 u = (guint32) be32 (p);
  float f;

  memcpy (&f, &u, 4);
  return f;
}

static double
bef64 (const guint8 *p)
{
  guint64 u = (guint64) (guint32) be32 (p) << 32 | (guint32) be32 (p + 4);
  double d;

  memcpy (&d, &u, 8);
  return d;
}

static gboolean
fif_fail (GError **error, const char *name, gsize byte, const char *why)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: byte %zu: %s"), name,
               byte, why);
  return FALSE;
}

/* The directory, if the file has a sound one: every entry inside the file,
 * in increasing positions, starting with the file id. */
static GArray *
read_directory (const guint8 *data, gsize len)
{
  gint32 dirpos;
  gsize n;
  GArray *tags;
  const guint8 *d;

  /* the file id tag takes bytes 0–35; the directory pointer's header 36–51 */
  if (len < 56 || be32 (data + 36) != TAG_DIR_POINTER || be32 (data + 44) != 4)
    return NULL;
  dirpos = be32 (data + 52);
  if (dirpos <= 0 || (gsize) dirpos + 16 > len || be32 (data + dirpos) != TAG_DIR
      || be32 (data + dirpos + 4) != TYPE_DIR_ENTRY_STRUCT)
    return NULL;
  {
    gint32 size = be32 (data + dirpos + 8);
    if (size <= 0 || size % 16 != 0 || (gsize) size > len - dirpos - 16)
      return NULL;
    n = size / 16;
  }
  d = data + dirpos + 16;
  tags = g_array_sized_new (FALSE, FALSE, sizeof (Tag), n);
  for (gsize i = 0; i < n; i++)
    {
      Tag t = { be32 (d + 16 * i), be32 (d + 16 * i + 4), be32 (d + 16 * i + 8),
                (gsize) (guint32) be32 (d + 16 * i + 12) };
      if (t.size < 0 || t.pos + 16 > len || (gsize) t.size > len - t.pos - 16
          || be32 (data + t.pos) != t.kind || be32 (data + t.pos + 8) != t.size
          || (i > 0 && t.pos <= g_array_index (tags, Tag, i - 1).pos))
        {
          g_array_unref (tags);
          return NULL;
        }
      if (t.kind == TAG_DIR)
        continue;
      g_array_append_val (tags, t);
    }
  return tags;
}

/* The chain of tags.  A tag cut by the end of the file ends the walk: its
 * byte is put in *cut (else *cut = 0). */
static GArray *
walk_tags (const char *name, const guint8 *data, gsize len, gsize *cut, GError **error)
{
  GArray *tags = g_array_new (FALSE, FALSE, sizeof (Tag));
  gsize pos = 0;

  *cut = 0;
  while (pos < len)
    {
      Tag t;
      gint32 next;

      if (len - pos < 16)
        {
          *cut = pos;
          break;
        }
      t.kind = be32 (data + pos);
      t.type = be32 (data + pos + 4);
      t.size = be32 (data + pos + 8);
      t.pos = pos;
      next = be32 (data + pos + 12);
      if (t.size < 0)
        {
          fif_fail (error, name, pos + 8, _("a tag has a negative size"));
          g_array_unref (tags);
          return NULL;
        }
      if ((gsize) t.size > len - pos - 16)
        {
          *cut = pos;
          break;
        }
      g_array_append_val (tags, t);
      if (next == -1)
        break;
      if (next == 0)
        pos += 16 + (gsize) t.size;
      else if (next > 0 && (gsize) next > pos)
        pos = (gsize) next;
      else
        {
          fif_fail (error, name, pos + 12, _("a tag points back to an earlier byte (the chain of tags loops)"));
          g_array_unref (tags);
          return NULL;
        }
    }
  return tags;
}

static gboolean
tag_int (const Tag *t, const guint8 *data, gint32 *v)
{
  if (t->type != TYPE_INT || t->size < 4)
    return FALSE;
  *v = be32 (data + t->pos + 16);
  return TRUE;
}

static void
parse_ch_info (const guint8 *p, ChInfo *ch)
{
  /* scanNo, logNo, kind, range, cal, coil_type, loc[12], unit, unit_mul, name[16] */
  ch->kind = be32 (p + 8);
  ch->range = bef32 (p + 12);
  ch->cal = bef32 (p + 16);
  ch->coil_type = be32 (p + 20);
  for (int i = 0; i < 12; i++)
    ch->loc[i] = bef32 (p + 24 + 4 * i);
  ch->unit = be32 (p + 72);
  ch->unit_mul = be32 (p + 76);
  memcpy (ch->name, p + 80, 16);
  ch->name[16] = '\0';
}

static gsize
type_size (gint32 type)
{
  switch (type)
    {
    case TYPE_SHORT:
    case TYPE_DAU_PACK16:
      return 2;
    case TYPE_INT:
    case TYPE_FLOAT:
      return 4;
    case TYPE_DOUBLE:
      return 8;
    default:
      return 0;
    }
}

static double
sample_at (const guint8 *p, gint32 type)
{
  switch (type)
    {
    case TYPE_SHORT:
    case TYPE_DAU_PACK16:
      return be16 (p);
    case TYPE_INT:
      return be32 (p);
    case TYPE_FLOAT:
      return bef32 (p);
    case TYPE_DOUBLE:
      return bef64 (p);
    default:
      return NAN;
    }
}

/* Type, unit shown, and the factor from the file's SI value to it. */
static void
channel_meaning (const ChInfo *ch, AsChannelType *type, AsSensorKind *sensor, const char **unit,
                 double *factor)
{
  *sensor = AS_SENSOR_NONE;
  *factor = 1;
  *unit = "";
  switch (ch->kind)
    {
    case KIND_MEG:
      *type = AS_CHANNEL_MEG;
      if (ch->unit == UNIT_T_M)
        {
          *sensor = AS_SENSOR_GRADIOMETER;
          *unit = "fT/cm";
          *factor = 1e13;
        }
      else
        {
          *sensor = AS_SENSOR_MAGNETOMETER;
          *unit = "fT";
          *factor = 1e15;
        }
      return;
    case KIND_REF_MEG:
      *type = AS_CHANNEL_OTHER;
      *unit = ch->unit == UNIT_T_M ? "fT/cm" : "fT";
      *factor = ch->unit == UNIT_T_M ? 1e13 : 1e15;
      return;
    case KIND_EEG: *type = AS_CHANNEL_EEG; break;
    case KIND_EOG: *type = AS_CHANNEL_EOG; break;
    case KIND_ECG: *type = AS_CHANNEL_ECG; break;
    case KIND_EMG: *type = AS_CHANNEL_EMG; break;
    case KIND_STIM: *type = AS_CHANNEL_STIM; return;
    default: *type = AS_CHANNEL_OTHER; break;
    }
  if (ch->unit == UNIT_V)
    {
      *unit = "uV";
      *factor = 1e6;
    }
  else if (ch->unit == UNIT_T)
    {
      *unit = "fT";
      *factor = 1e15;
    }
}

/* Events at every change of a stimulus channel to a non-zero value, lasting
 * while the value holds (as MNE's find_events does by default). */
static guint
stim_events (AsRecording *rec, guint c)
{
  const double *x = as_recording_channel (rec, c);
  double prev = 0;
  gsize start = 0;
  guint n = 0;

  for (gsize i = 0; i <= rec->n_samples; i++)
    {
      double v = i < rec->n_samples ? x[i] : 0;
      if (isnan (v))
        v = 0;
      if (v != prev)
        {
          if (prev != 0)
            {
              g_autofree char *label = g_strdup_printf ("%s %g", rec->channels[c].label, prev);
              as_recording_add_event (rec, start / rec->sfreq, (i - start) / rec->sfreq, label);
              n++;
            }
          start = i;
          prev = v;
        }
    }
  return n;
}

AsRecording *
as_read_fif (const char *name, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GArray) tags = NULL;
  g_autoptr (GArray) chs = g_array_new (FALSE, TRUE, sizeof (ChInfo));
  g_autoptr (GArray) bufs = g_array_new (FALSE, TRUE, sizeof (Buffer));
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (gint32));
  g_autoptr (GString) bads = g_string_new (NULL);
  AsRecording *rec;
  gsize cut = 0, total = 0, pending_skip = 0, n_skipped = 0;
  gint32 nchan = -1, first_samp = 0, meas_secs = 0, meas_usecs = 0;
  double sfreq = 0;
  gboolean have_date = FALSE, in_raw = FALSE, saw_raw = FALSE, sss = FALSE, maxshield = FALSE;
  gboolean next_file = FALSE, used_directory;
  gsize sample_bytes = 0, cut_buffer_bytes = 0;
  const Tag *annot_on = NULL, *annot_end = NULL, *annot_desc = NULL;
  double annot_orig = NAN;
  gboolean any_buffer = FALSE;

  if (len < 16 || be32 (data) != TAG_FILE_ID)
    {
      fif_fail (error, name, 0, _("not a FIF file (the first tag is not a file identifier)"));
      return NULL;
    }
  tags = read_directory (data, len);
  used_directory = tags != NULL;
  if (tags == NULL && (tags = walk_tags (name, data, len, &cut, error)) == NULL)
    return NULL;

  for (guint i = 0; i < tags->len; i++)
    {
      const Tag *t = &g_array_index (tags, Tag, i);
      const guint8 *d = data + t->pos + 16;
      gint32 top = stack->len ? g_array_index (stack, gint32, stack->len - 1) : 0;

      switch (t->kind)
        {
        case TAG_BLOCK_START:
          {
            gint32 k;
            if (!tag_int (t, data, &k))
              {
                fif_fail (error, name, t->pos, _("a block start does not hold the block's kind"));
                return NULL;
              }
            if (stack->len >= 64)
              {
                fif_fail (error, name, t->pos, _("blocks are nested more than 64 deep"));
                return NULL;
              }
            g_array_append_val (stack, k);
            if (k == BLOCK_RAW_DATA || k == BLOCK_CONTINUOUS_DATA || k == BLOCK_SMSH_RAW_DATA)
              {
                if (saw_raw)
                  {
                    fif_fail (error, name, t->pos, _("a second raw data block (only one is read)"));
                    return NULL;
                  }
                in_raw = saw_raw = TRUE;
                maxshield = k == BLOCK_SMSH_RAW_DATA;
              }
            if (k == BLOCK_SSS_INFO)
              sss = TRUE;
          }
          continue;
        case TAG_BLOCK_END:
          if (stack->len == 0)
            {
              fif_fail (error, name, t->pos, _("a block ends that was not started"));
              return NULL;
            }
          if (top == BLOCK_RAW_DATA || top == BLOCK_CONTINUOUS_DATA || top == BLOCK_SMSH_RAW_DATA)
            in_raw = FALSE;
          g_array_set_size (stack, stack->len - 1);
          continue;
        case TAG_REF_ROLE:
          {
            gint32 role;
            if (tag_int (t, data, &role) && role == 2)
              next_file = TRUE;
          }
          continue;
        default:
          break;
        }

      if (top == BLOCK_MEAS_INFO)
        switch (t->kind)
          {
          case TAG_NCHAN:
            if (!tag_int (t, data, &nchan) || nchan < 1 || nchan > MAX_CHANNELS)
              {
                fif_fail (error, name, t->pos, _("the number of channels is not from 1 to 4096"));
                return NULL;
              }
            break;
          case TAG_SFREQ:
            if (t->type != TYPE_FLOAT || t->size < 4)
              {
                fif_fail (error, name, t->pos, _("the sampling rate is not a float"));
                return NULL;
              }
            sfreq = bef32 (d);
            if (!(sfreq > 0) || !isfinite (sfreq) || sfreq > 1e7)
              {
                fif_fail (error, name, t->pos + 16, _("the sampling rate is not a positive number"));
                return NULL;
              }
            break;
          case TAG_CH_INFO:
            {
              ChInfo ch = { 0 };
              if (t->type != TYPE_CH_INFO_STRUCT || t->size < CH_INFO_SIZE)
                {
                  fif_fail (error, name, t->pos, _("a channel info tag is not a channel info structure"));
                  return NULL;
                }
              if (chs->len >= MAX_CHANNELS)
                {
                  fif_fail (error, name, t->pos, _("more than 4096 channel info tags"));
                  return NULL;
                }
              parse_ch_info (d, &ch);
              g_array_append_val (chs, ch);
            }
            break;
          case TAG_MEAS_DATE:
            if (t->type == TYPE_INT && t->size >= 8)
              {
                meas_secs = be32 (d);
                meas_usecs = be32 (d + 4);
                have_date = meas_secs > 0;
              }
            break;
          default:
            break;
          }
      else if (top == BLOCK_MNE_ANNOTATIONS)
        {
          if (t->kind == TAG_MNE_BASELINE_MIN && t->type == TYPE_FLOAT)
            annot_on = t;
          else if (t->kind == TAG_MNE_BASELINE_MAX && t->type == TYPE_FLOAT)
            annot_end = t;
          else if (t->kind == TAG_COMMENT && t->type == TYPE_STRING)
            annot_desc = t;
          else if (t->kind == TAG_MEAS_DATE && t->size >= 4)
            {
              /* seconds, and microseconds when a second value follows */
              if (t->type == TYPE_DOUBLE && t->size >= 8)
                annot_orig = bef64 (d) + (t->size >= 16 ? bef64 (d + 8) * 1e-6 : 0);
              else if (t->type == TYPE_INT)
                annot_orig = be32 (d) + (t->size >= 8 ? be32 (d + 4) * 1e-6 : 0);
              else if (t->type == TYPE_FLOAT)
                annot_orig = bef32 (d);
            }
        }
      else if (top == BLOCK_MNE_BAD_CHANNELS && t->kind == TAG_MNE_CH_NAME_LIST
               && t->type == TYPE_STRING && t->size > 0)
        {
          g_autofree char *s = g_strndup ((const char *) d, t->size);
          g_autofree char *v = g_utf8_make_valid (s, -1);
          g_string_append_printf (bads, "%s%s", bads->len ? ":" : "", v);
        }
      else if (in_raw)
        switch (t->kind)
          {
          case TAG_FIRST_SAMPLE:
            if (!tag_int (t, data, &first_samp) || first_samp < 0)
              {
                fif_fail (error, name, t->pos, _("the first sample is not a whole number ≥ 0"));
                return NULL;
              }
            break;
          case TAG_DATA_SKIP:
            {
              gint32 n;
              if (!tag_int (t, data, &n) || n < 0 || n > 1000000)
                {
                  fif_fail (error, name, t->pos, _("a data skip is not a whole number of buffers from 0 to 10⁶"));
                  return NULL;
                }
              /* in buffers: their length is known at the next buffer */
              pending_skip = (gsize) n << 32;
            }
            break;
          case TAG_DATA_SKIP_SAMP:
            {
              gint32 n;
              if (!tag_int (t, data, &n) || n < 0 || n > 100000000)
                {
                  fif_fail (error, name, t->pos, _("a data skip is not a whole number of samples from 0 to 10⁸"));
                  return NULL;
                }
              pending_skip = (gsize) n;
            }
            break;
          case TAG_DATA_BUFFER:
            {
              gsize es = type_size (t->type);
              Buffer b = { i, 0, 0 };
              if (nchan >= 1 && chs->len != (guint) nchan)
                {
                  g_autofree char *why = g_strdup_printf (_("the measurement info announces %d channels but describes %u"),
                                                          nchan, chs->len);
                  fif_fail (error, name, t->pos, why);
                  return NULL;
                }
              if (nchan < 1 || !(sfreq > 0))
                {
                  fif_fail (error, name, t->pos, _("a data buffer comes before a complete measurement info (number of channels, rate and one channel info per channel)"));
                  return NULL;
                }
              if (es == 0)
                {
                  g_autofree char *why = g_strdup_printf (_("data buffers of type %d are not supported (short, int, float, double or 16-bit packed)"),
                                                          t->type);
                  fif_fail (error, name, t->pos + 4, why);
                  return NULL;
                }
              if (t->size == 0 || t->size % (es * nchan) != 0)
                {
                  g_autofree char *why = g_strdup_printf (_("a data buffer of %d bytes does not hold whole samples of %d channels × %zu bytes"),
                                                          t->size, nchan, es);
                  fif_fail (error, name, t->pos + 8, why);
                  return NULL;
                }
              b.n_samples = t->size / (es * nchan);
              b.skip_before = pending_skip >> 32 ? (pending_skip >> 32) * b.n_samples : pending_skip;
              pending_skip = 0;
              /* a skip before the first buffer moves the first sample (as
               * MNE-Python reads it): nothing was recorded before it */
              if (!any_buffer && b.skip_before > 0)
                {
                  if ((guint64) first_samp + b.skip_before > G_MAXINT32)
                    {
                      fif_fail (error, name, t->pos, _("the first sample is not a whole number ≥ 0"));
                      return NULL;
                    }
                  first_samp += (gint32) b.skip_before;
                  b.skip_before = 0;
                }
              any_buffer = TRUE;
              if (total + b.skip_before + b.n_samples > (gsize) 1.5e9 / nchan)
                {
                  fif_fail (error, name, t->pos, _("the raw data are too large to load"));
                  return NULL;
                }
              total += b.skip_before + b.n_samples;
              n_skipped += b.skip_before;
              sample_bytes = es * nchan;
              g_array_append_val (bufs, b);
            }
            break;
          default:
            break;
          }
    }

  if (cut && (nchan < 1 || chs->len != (guint) nchan || !(sfreq > 0)))
    {
      fif_fail (error, name, cut, _("the file ends before the measurement info is complete"));
      return NULL;
    }
  if (nchan < 1 || chs->len == 0)
    {
      fif_fail (error, name, cut ? cut : len,
                cut ? _("the file ends before the measurement info is complete")
                    : _("no measurement info (number of channels and channel infos)"));
      return NULL;
    }
  if (chs->len != (guint) nchan)
    {
      g_autofree char *why = g_strdup_printf (_("the measurement info announces %d channels but describes %u"),
                                              nchan, chs->len);
      fif_fail (error, name, cut ? cut : len, why);
      return NULL;
    }
  if (!(sfreq > 0))
    {
      fif_fail (error, name, cut ? cut : len, _("the measurement info has no sampling rate"));
      return NULL;
    }
  if (!saw_raw)
    {
      fif_fail (error, name, cut ? cut : len,
                cut ? _("the file ends before its raw data")
                    : _("no raw data block: not a raw file (evoked responses, epochs, forward solutions and other FIF files are not recordings)"));
      return NULL;
    }
  if (bufs->len == 0 || total == 0)
    {
      fif_fail (error, name, cut ? cut : len,
                cut ? _("the file ends before its first whole data buffer")
                    : _("the raw data block holds no data buffer"));
      return NULL;
    }
  if (cut)
    {
      /* what the cut tag would have held: its header says how long it was */
      if (len - cut >= 16 && be32 (data + cut) == TAG_DATA_BUFFER)
        cut_buffer_bytes = (gsize) MAX (be32 (data + cut + 8), 0);
    }

  rec = as_recording_new (nchan, total, sfreq);
  {
    gsize t0 = 0;
    for (guint b = 0; b < bufs->len; b++)
      {
        const Buffer *buf = &g_array_index (bufs, Buffer, b);
        const Tag *t = &g_array_index (tags, Tag, buf->tag);
        const guint8 *p = data + t->pos + 16;
        gsize es = type_size (t->type);

        if (buf->skip_before > 0)
          as_recording_mark_missing (rec, G_MAXUINT, t0, buf->skip_before);
        t0 += buf->skip_before;
        for (gsize s = 0; s < buf->n_samples; s++)
          for (gint32 c = 0; c < nchan; c++)
            rec->data[(gsize) c * total + t0 + s] = sample_at (p + (s * nchan + c) * es, t->type);
        t0 += buf->n_samples;
      }
  }

  {
    gsize bad_values = 0;
    for (gint32 c = 0; c < nchan; c++)
      {
        const ChInfo *ch = &g_array_index (chs, ChInfo, c);
        AsChannel *out = &rec->channels[c];
        AsChannelType type;
        AsSensorKind sensor;
        const char *unit;
        double factor, scale;
        double *x = as_recording_channel (rec, c);
        g_autofree char *label = NULL;

        channel_meaning (ch, &type, &sensor, &unit, &factor);
        scale = ch->range * ch->cal * factor * pow (10.0, CLAMP (ch->unit_mul, -30, 30));
        if (!isfinite (scale))
          scale = 0;
        if (scale == 0)
          as_recording_add_warning (rec, _("channel %d has a calibration of zero"), c + 1);
        for (gsize i = 0; i < total; i++)
          if (!as_recording_is_missing (rec, c, i))
            {
              x[i] *= scale;
              if (!isfinite (x[i]) || fabs (x[i]) > AS_MAX_MAGNITUDE)
                {
                  x[i] = 0;
                  bad_values++;
                }
            }
        {
          g_autofree char *raw = g_utf8_make_valid (ch->name, -1);
          label = g_strstrip (g_strdup (raw));
        }
        if (*label == '\0')
          {
            g_free (label);
            label = g_strdup_printf ("%d", c + 1);
          }
        as_recording_set_channel (rec, c, label, unit, type);
        out->sensor = sensor;
        out->coil_type = ch->coil_type;
        if ((type == AS_CHANNEL_MEG || type == AS_CHANNEL_EEG) && ch->coil_type != 0)
          {
            gboolean finite = TRUE, zero = TRUE;
            for (int k = 0; k < 12; k++)
              {
                finite = finite && isfinite (ch->loc[k]) && fabs (ch->loc[k]) < 10;
                zero = zero && (k >= 3 || ch->loc[k] == 0);
              }
            if (finite && !zero)
              {
                out->has_position = TRUE;
                for (int k = 0; k < 3; k++)
                  out->position[k] = ch->loc[k];
                if (type == AS_CHANNEL_MEG)
                  for (int k = 0; k < 3; k++)
                    out->orientation[k] = ch->loc[9 + k];  /* ez: the coil normal */
              }
          }
      }
    if (bad_values > 0)
      as_recording_add_warning (rec, _("%zu values were infinite or out of range after calibration and were set to 0"),
                                bad_values);
  }

  for (guint c = 0; c < rec->n_channels; c++)
    if (rec->channels[c].type == AS_CHANNEL_STIM)
      stim_events (rec, c);

  /* MNE-Python's annotations: onsets and ends in seconds, from the
   * measurement date when they carry one (else from the first sample),
   * descriptions joined by ':' (';' stands for ':' in them). */
  if (annot_on != NULL && annot_end != NULL && annot_on->size == annot_end->size)
    {
      gsize n = annot_on->size / 4;
      g_auto (GStrv) desc = NULL;
      double shift = 0;
      guint outside = 0;

      if (annot_desc != NULL)
        {
          g_autofree char *all = g_strndup ((const char *) data + annot_desc->pos + 16, annot_desc->size);
          desc = g_strsplit (all, ":", -1);
        }
      if (!isnan (annot_orig))
        shift = (have_date ? annot_orig - (meas_secs + meas_usecs * 1e-6) : 0) - first_samp / sfreq;
      for (gsize k = 0; k < n; k++)
        {
          double on = bef32 (data + annot_on->pos + 16 + 4 * k);
          double end = bef32 (data + annot_end->pos + 16 + 4 * k);
          const char *d = desc != NULL && k < g_strv_length (desc) ? desc[k] : "";
          g_autofree char *label = g_utf8_make_valid (d, -1);
          on += shift;
          end += shift;
          if (!isfinite (on) || !isfinite (end) || end < on || on < -1.0 / sfreq
              || on > as_recording_duration (rec))
            {
              outside++;
              continue;
            }
          g_strdelimit (label, ";", ':');
          as_recording_add_event (rec, MAX (on, 0), end - on, label);
        }
      if (outside > 0)
        as_recording_add_warning (rec, _("%u events outside the recording were ignored"), outside);
    }

  /* Cut at a tag's end: no partial tag, but blocks left open (a whole file closes them). */
  if (!cut && stack->len > 0)
    cut = len;
  if (cut)
    {
      gsize missing = cut_buffer_bytes > 0 && sample_bytes > 0 ? cut_buffer_bytes / sample_bytes : 0;
      if (missing > 0)
        as_recording_add_warning (rec, _("the file is truncated at byte %zu: the last data buffer (%zu samples, %.3f s) is incomplete and was left out; the recording may have continued after it"),
                                  cut, missing, missing / sfreq);
      else
        as_recording_add_warning (rec, _("the file is truncated at byte %zu: what followed is missing"),
                                  cut);
    }
  if (n_skipped > 0)
    as_recording_add_warning (rec, _("%zu samples (%.3f s) were skipped during acquisition: kept as missing data"),
                              n_skipped, n_skipped / sfreq);
  if (bads->len > 0)
    as_recording_add_warning (rec, _("channels marked bad in the file: %s"), bads->str);
  if (maxshield)
    as_recording_add_warning (rec, _("raw data recorded with active shielding (MaxShield) and not Maxwell-filtered: the MEG channels hold large external interference"));
  if (next_file)
    as_recording_add_warning (rec, _("the recording continues in another file (a split FIF file): only this part is read"));
  if (!used_directory && cut == 0 && len >= 56 && be32 (data + 36) == TAG_DIR_POINTER
      && be32 (data + 52) > 0)
    as_recording_add_warning (rec, _("the tag directory is damaged: the tags were read one after the other"));

  if (have_date)
    {
      g_autoptr (GDateTime) d = g_date_time_new_from_unix_utc (meas_secs);
      if (d != NULL)
        rec->start_time = g_date_time_add_seconds (d, first_samp / sfreq);
    }
  g_free (rec->format);
  rec->format = g_strdup (sss ? "FIF (Maxwell-filtered)" : "FIF");
  rec->kind = as_recording_guess_kind (rec);
  return rec;
}
