/* test-corpus.c: a corpus of bad inputs run through "atomscope-cli info" and "learn".
 *
 * Writes into a temporary folder, from the small real files of tests/data/ and from
 * recordings written here: empty files, random bytes, valid files cut at many offsets
 * (EDF, BDF, GDF, CSV, EyeLink ASC, NPY, WAV, PNG, JPEG, FIF, BrainVision), header
 * fields edited to 0, negative or huge values, NaN and infinite cells, wrong
 * extensions, huge image dimensions, names with spaces and bytes that are not UTF-8,
 * and signals that are all zero, constant or all NaN.  Each input says what it
 * deserves of each command:
 *   ANY   a result or a clean error;
 *   WARN  a result only with a warning that says what is missing (a cut file), or a
 *         clean error;
 *   FAIL  degenerate by construction: a clean error only;
 *   SKIP  not run (learning from it would take long).
 * Each run is classified: clean error (exit 1 and a message naming the file; exit 2 for
 * learning settings the data cannot take), success (exit 0; for learn, a run.json that
 * parses and finite atoms), crash (a signal, another exit status, a sanitizer or GLib
 * report), hang (past the time limit), silent success (exit 0 on a FAIL input, or on a
 * WARN input without a warning), unnamed error (exit 1 without the file's name) and bad
 * output.  The tally is printed; any crash, hang, silent success, unnamed error or bad
 * output fails the test.
 *
 * Usage: test-corpus ATOMSCOPE_CLI   (G_TEST_SRCDIR = tests/; ATOMSCOPE_CORPUS_TIMEOUT
 * seconds per run, default 30; ATOMSCOPE_CORPUS_CUTS: cuts spread over each file's data
 * besides those around its header and first record, default 1 (0 in the sanitizer build); ATOMSCOPE_CORPUS_KEEP=1
 * keeps the folder)
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

typedef enum { EXPECT_ANY, EXPECT_WARN, EXPECT_FAIL, EXPECT_SKIP } Expect;

typedef struct
{
  char   *path;
  char   *category;
  Expect  info, learn;
} Input;

typedef enum
{
  R_CLEAN, R_SUCCESS, R_WARNED, R_CRASH, R_HANG, R_SILENT, R_UNNAMED, R_BAD_OUTPUT, R_N
} Result;

static const char *const result_names[R_N] = {
  "clean errors", "successes", "successes with a warning", "crashes", "hangs",
  "silent successes", "errors not naming the file", "bad outputs"
};

static GPtrArray *inputs;
static char *root;
static guint32 rng_state = 12345;

static guint32
rng_next (void)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 17;
  rng_state ^= rng_state << 5;
  return rng_state;
}

/* ------------------------------------------------------------------ writing inputs */

static char *
write_input (const char *folder, const char *name, const void *data, gsize len,
             const char *category, Expect info, Expect learn)
{
  g_autofree char *dir = folder ? g_build_filename (root, folder, NULL) : g_strdup (root);
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  Input *in;

  g_mkdir_with_parents (dir, 0700);
  if (!g_file_set_contents (path, data != NULL ? data : "", (gssize) len, &error))
    g_error ("writing %s: %s", path, error->message);
  if (category == NULL)   /* a companion file, not an input */
    return path;
  in = g_new0 (Input, 1);
  in->path = g_strdup (path);
  in->category = g_strdup (category);
  in->info = info;
  in->learn = learn;
  g_ptr_array_add (inputs, in);
  return path;
}

static GBytes *
source_bytes (const char *relative)
{
  const char *srcdir = g_getenv ("G_TEST_SRCDIR");
  g_autofree char *path = g_build_filename (srcdir ? srcdir : ".", relative, NULL);
  g_autoptr (GError) error = NULL;
  char *data;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("reading %s: %s", path, error->message);
  return g_bytes_new_take (data, len);
}

static void
put_field (guint8 *h, gsize off, gsize width, const char *text)
{
  gsize n = MIN (strlen (text), width);
  memset (h + off, ' ', width);
  memcpy (h + off, text, n);
}

static void
put_le (guint8 *p, guint64 v, guint bytes)
{
  for (guint i = 0; i < bytes; i++)
    p[i] = (guint8) (v >> (8 * i));
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24); p[1] = (guint8) (v >> 16); p[2] = (guint8) (v >> 8); p[3] = (guint8) v;
}

/* A signal with something to learn: a 7 Hz rhythm, a spike every 0.37 s, a little noise. */
static double
test_signal (guint channel, double t)
{
  double phase = fmod (t, 0.37) - 0.05;
  double noise = ((double) (rng_next () % 2001) - 1000.0) / 1000.0;
  return (30.0 + 5 * channel) * sin (2 * G_PI * 7 * t + channel)
         + 150.0 * exp (-phase * phase / 0.0004) + 5.0 * noise;
}

typedef enum { SIG_GOOD, SIG_ZERO, SIG_CONSTANT } SignalShape;

/* EDF (or BDF) with @ns EEG channels of @spr samples per 1-s record; physical ±500 µV. */
static GByteArray *
make_edf (gboolean bdf, guint ns, guint n_rec, guint spr, SignalShape shape)
{
  static const char *const labels[] = { "Fp1", "Cz", "Pz", "Oz" };
  const guint bps = bdf ? 3 : 2;
  const double dmax = bdf ? 8388607.0 : 32767.0, dmin = bdf ? -8388608.0 : -32768.0;
  const gsize hdr = 256 + 256 * (gsize) ns;
  GByteArray *a = g_byte_array_sized_new ((guint) (hdr + (gsize) n_rec * ns * spr * bps));
  guint8 *h;
  char text[32];

  g_byte_array_set_size (a, (guint) hdr);
  h = a->data;
  memset (h, ' ', hdr);
  if (bdf)
    memcpy (h, "\xff" "BIOSEMI", 8);
  else
    put_field (h, 0, 8, "0");
  put_field (h, 8, 80, "X X X X");
  put_field (h, 88, 80, "Startdate 01-JAN-2020 X X X");
  put_field (h, 168, 8, "01.01.20");
  put_field (h, 176, 8, "10.00.00");
  g_snprintf (text, sizeof text, "%zu", hdr);
  put_field (h, 184, 8, text);
  put_field (h, 192, 44, bdf ? "24BIT" : "");
  g_snprintf (text, sizeof text, "%u", n_rec);
  put_field (h, 236, 8, text);
  put_field (h, 244, 8, "1");
  g_snprintf (text, sizeof text, "%u", ns);
  put_field (h, 252, 4, text);
  for (guint s = 0; s < ns; s++)
    {
      guint8 *v = h + 256;
      put_field (v, s * 16, 16, labels[s % 4]);
      put_field (v, ns * 16 + s * 80, 80, "AgAgCl electrode");
      put_field (v, ns * 96 + s * 8, 8, "uV");
      put_field (v, ns * 104 + s * 8, 8, "-500");
      put_field (v, ns * 112 + s * 8, 8, "500");
      g_snprintf (text, sizeof text, "%.0f", dmin);
      put_field (v, ns * 120 + s * 8, 8, text);
      g_snprintf (text, sizeof text, "%.0f", dmax);
      put_field (v, ns * 128 + s * 8, 8, text);
      put_field (v, ns * 136 + s * 80, 80, "HP:0.1Hz LP:100Hz");
      g_snprintf (text, sizeof text, "%u", spr);
      put_field (v, ns * 216 + s * 8, 8, text);
    }
  for (guint r = 0; r < n_rec; r++)
    for (guint s = 0; s < ns; s++)
      for (guint i = 0; i < spr; i++)
        {
          double uv = test_signal (s, r + (double) i / spr);
          double d = shape == SIG_ZERO ? 0 : shape == SIG_CONSTANT ? 1234
                     : round ((uv + 500.0) / 1000.0 * (dmax - dmin) + dmin);
          guint8 b[3];
          put_le (b, (guint64) (gint64) CLAMP (d, dmin, dmax), bps);
          g_byte_array_append (a, b, bps);
        }
  return a;
}

/* GDF 2.20 (Schlögl 2006): 256-byte fixed header, 256 bytes per signal, int16 samples. */
static GByteArray *
make_gdf (guint ns, guint n_rec, guint spr)
{
  static const char *const labels[] = { "Fp1", "Cz", "Pz", "Oz" };
  const gsize hdr = 256 + 256 * (gsize) ns;
  GByteArray *a = g_byte_array_new ();
  guint8 *h, *v;

  g_byte_array_set_size (a, (guint) hdr);
  h = a->data;
  memset (h, 0, hdr);
  memcpy (h, "GDF 2.20", 8);
  put_field (h, 8, 66, "X X X X");
  put_field (h, 88, 64, "X");
  put_le (h + 168, (guint64) 737791 << 32, 8);   /* 2020-01-01 as days since year 0 */
  put_le (h + 184, 1 + ns, 2);                    /* header length in 256-byte blocks */
  put_le (h + 236, n_rec, 8);
  put_le (h + 244, 1, 4);                         /* record duration 1/1 s */
  put_le (h + 248, 1, 4);
  put_le (h + 252, ns, 2);
  v = h + 256;
  for (guint s = 0; s < ns; s++)
    {
      double pmin = -500, pmax = 500, dmin = -32768, dmax = 32767;
      float nanf_ = NAN;
      put_field (v, s * 16, 16, labels[s % 4]);
      memset (v + s * 16 + strlen (labels[s % 4]), 0, 16 - strlen (labels[s % 4]));
      memcpy (v + ns * 96 + s * 6, "uV", 2);
      put_le (v + ns * 102 + s * 2, 4275, 2);    /* µV */
      memcpy (v + ns * 104 + s * 8, &pmin, 8);
      memcpy (v + ns * 112 + s * 8, &pmax, 8);
      memcpy (v + ns * 120 + s * 8, &dmin, 8);
      memcpy (v + ns * 128 + s * 8, &dmax, 8);
      memcpy (v + ns * 136 + s * 4, &nanf_, 4);
      memcpy (v + ns * 140 + s * 4, &nanf_, 4);
      memcpy (v + ns * 144 + s * 4, &nanf_, 4);
      put_le (v + ns * 216 + s * 4, spr, 4);
      put_le (v + ns * 220 + s * 4, 3, 4);       /* int16 */
    }
  for (guint r = 0; r < n_rec; r++)
    for (guint s = 0; s < ns; s++)
      for (guint i = 0; i < spr; i++)
        {
          double d = round ((test_signal (s, r + (double) i / spr) + 500.0) / 1000.0 * 65535.0 - 32768.0);
          guint8 b[2];
          put_le (b, (guint64) (gint64) CLAMP (d, -32768, 32767), 2);
          g_byte_array_append (a, b, 2);
        }
  return a;
}

/* NPY version 1.0 of float64 values (little-endian) with a given header text. */
static GByteArray *
make_npy_raw (const char *descr, const char *fortran, const char *shape, const double *x,
              gsize n)
{
  g_autofree char *dict = g_strdup_printf ("{'descr': '%s', 'fortran_order': %s, 'shape': %s, }",
                                           descr, fortran, shape);
  GByteArray *a = g_byte_array_new ();
  gsize hlen = strlen (dict) + 1, total = 10 + hlen;
  gsize pad = (64 - total % 64) % 64;
  guint8 pre[10] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0 };

  put_le (pre + 8, hlen + pad, 2);
  g_byte_array_append (a, pre, 10);
  g_byte_array_append (a, (const guint8 *) dict, (guint) strlen (dict));
  for (gsize i = 0; i < pad; i++)
    g_byte_array_append (a, (const guint8 *) " ", 1);
  g_byte_array_append (a, (const guint8 *) "\n", 1);
  g_byte_array_append (a, (const guint8 *) x, (guint) (n * sizeof (double)));
  return a;
}

static GByteArray *
make_npy (guint n_trials, guint p, guint t, SignalShape shape, gboolean nan_all)
{
  g_autofree double *x = g_new (double, (gsize) MAX (1, n_trials) * p * t);
  g_autofree char *dims = n_trials > 0 ? g_strdup_printf ("(%u, %u, %u)", n_trials, p, t)
                                       : g_strdup_printf ("(%u, %u)", p, t);
  const gsize n = (gsize) MAX (1, n_trials) * p * t;

  for (gsize i = 0; i < n; i++)
    x[i] = nan_all ? NAN : shape == SIG_ZERO ? 0 : shape == SIG_CONSTANT ? 3.5
           : test_signal ((guint) ((i / t) % p), (double) (i % t) / 100.0);
  return make_npy_raw ("<f8", "False", dims, x, n);
}

static guint32 crc_table[256];

static guint32
crc32_of (const guint8 *p, gsize n)
{
  guint32 c = 0xffffffffu;
  if (crc_table[1] == 0)
    for (guint32 i = 0; i < 256; i++)
      {
        guint32 v = i;
        for (int k = 0; k < 8; k++)
          v = (v & 1) ? 0xedb88320u ^ (v >> 1) : v >> 1;
        crc_table[i] = v;
      }
  for (gsize i = 0; i < n; i++)
    c = crc_table[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

static void
png_chunk (GByteArray *a, const char *type, const guint8 *data, guint32 len)
{
  guint8 b[4];
  gsize start;

  put_be32 (b, len);
  g_byte_array_append (a, b, 4);
  start = a->len;
  g_byte_array_append (a, (const guint8 *) type, 4);
  if (len > 0)
    g_byte_array_append (a, data, len);
  put_be32 (b, crc32_of (a->data + start, len + 4));
  g_byte_array_append (a, b, 4);
}

/* An 8-bit grey PNG whose image data is one stored (uncompressed) zlib block. */
static GByteArray *
make_png (guint w, guint h, gboolean constant)
{
  GByteArray *a = g_byte_array_new ();
  GByteArray *z = g_byte_array_new ();
  g_autofree guint8 *raw = g_new (guint8, (gsize) h * (w + 1));
  const gsize n = (gsize) h * (w + 1);
  guint8 ihdr[13] = { 0 }, b[4];
  guint32 s1 = 1, s2 = 0;

  g_assert (n < 65535);
  for (guint y = 0; y < h; y++)
    {
      raw[(gsize) y * (w + 1)] = 0;
      for (guint x = 0; x < w; x++)
        raw[(gsize) y * (w + 1) + 1 + x] =
          constant ? 128 : (guint8) (128 + 60 * sin (x * 0.7) * cos (y * 0.4) + (rng_next () % 40));
    }
  for (gsize i = 0; i < n; i++)
    {
      s1 = (s1 + raw[i]) % 65521;
      s2 = (s2 + s1) % 65521;
    }
  g_byte_array_append (z, (const guint8 *) "\x78\x01\x01", 3);
  put_le (b, n, 2);
  put_le (b + 2, ~n & 0xffff, 2);
  g_byte_array_append (z, b, 4);
  g_byte_array_append (z, raw, (guint) n);
  put_be32 (b, (s2 << 16) | s1);
  g_byte_array_append (z, b, 4);

  g_byte_array_append (a, (const guint8 *) "\x89PNG\r\n\x1a\n", 8);
  put_be32 (ihdr, w);
  put_be32 (ihdr + 4, h);
  ihdr[8] = 8;   /* bit depth; colour type 0 (grey) */
  png_chunk (a, "IHDR", ihdr, 13);
  png_chunk (a, "IDAT", z->data, z->len);
  png_chunk (a, "IEND", NULL, 0);
  g_byte_array_unref (z);
  return a;
}

/* The PNG @src with its IHDR width and height replaced (CRC recomputed). */
static GByteArray *
png_with_size (GBytes *src, guint32 w, guint32 h)
{
  gsize n;
  const guint8 *d = g_bytes_get_data (src, &n);
  GByteArray *a = g_byte_array_new ();

  g_byte_array_append (a, d, (guint) n);
  put_be32 (a->data + 16, w);
  put_be32 (a->data + 20, h);
  put_be32 (a->data + 29, crc32_of (a->data + 12, 17));
  return a;
}

/* --------------------------------------------------------------- layouts of sources */

/* Bytes that must all be present for anything to be read (the header), and the bytes of
 * one record after it: a cut inside the header, or before one whole record, leaves
 * nothing trustworthy. */
typedef struct
{
  gsize header, record;
  gboolean counted;   /* the file says how much data follows: a cut can be noticed */
} Layout;

static Layout
edf_layout (const guint8 *d, gsize n)
{
  Layout l = { 256, 0, TRUE };
  char buf[16];
  guint ns;

  g_assert (n >= 256);
  memcpy (buf, d + 252, 4); buf[4] = '\0';
  ns = (guint) atoi (buf);
  l.header = 256 + 256 * (gsize) ns;
  for (guint s = 0; s < ns; s++)
    {
      memcpy (buf, d + 256 + 216 * ns + 8 * s, 8); buf[8] = '\0';
      l.record += (gsize) atoi (buf) * (d[0] == 0xff ? 3 : 2);
    }
  return l;
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* FIF: tags of 16 bytes (kind, type, size, next) then data, big-endian; the first raw data
 * buffer (kind 300) ends what must be present. */
static Layout
fif_layout (const guint8 *d, gsize n)
{
  Layout l = { 0, 0, TRUE };
  gsize pos = 0;

  while (pos + 16 <= n)
    {
      guint32 kind = be32 (d + pos), size = be32 (d + pos + 8);
      gint32 next = (gint32) be32 (d + pos + 12);
      if (kind == 300)
        {
          l.header = pos;
          l.record = 16 + size;
          return l;
        }
      if (next > 0)
        pos = (gsize) next;
      else if (next == 0)
        pos += 16 + size;
      else
        break;
    }
  g_error ("no data buffer in the FIF source");
  return l;
}

static Layout
text_layout (const guint8 *d, gsize n, gboolean asc)
{
  Layout l = { 0, 1, FALSE };
  gsize line = 0;

  /* The first line that starts with a digit (or a sign) holds the first sample. */
  for (gsize i = 0; i < n; i++)
    if (i == 0 || d[i - 1] == '\n')
      {
        line = i;
        if (g_ascii_isdigit (d[i]) || (!asc && d[i] == '-'))
          break;
      }
  l.header = line;
  return l;
}

/* Offsets to cut @n bytes at: around the header and the first record, then spread. */
static GArray *
cut_offsets (gsize n, Layout l, guint n_spread)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (gsize));
  gsize fixed[] = { l.header / 2, l.header - 1, l.header, l.header + l.record - 1,
                    l.header + l.record, n - 1 };

  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    if (fixed[i] > 0 && fixed[i] < n && fixed[i] <= n)
      g_array_append_val (a, fixed[i]);
  for (guint i = 1; i <= n_spread; i++)
    {
      gsize o = l.header + l.record + (n - l.header - l.record) * i / (n_spread + 1);
      if (o > 0 && o < n)
        g_array_append_val (a, o);
    }
  /* sorted, without repeats */
  for (guint i = 1; i < a->len; i++)
    for (guint j = i; j > 0 && g_array_index (a, gsize, j - 1) > g_array_index (a, gsize, j); j--)
      {
        gsize t = g_array_index (a, gsize, j);
        g_array_index (a, gsize, j) = g_array_index (a, gsize, j - 1);
        g_array_index (a, gsize, j - 1) = t;
      }
  for (guint i = 1; i < a->len;)
    if (g_array_index (a, gsize, i) == g_array_index (a, gsize, i - 1))
      g_array_remove_index (a, i);
    else
      i++;
  return a;
}

/* Every cut of @d: a cut before a whole record is degenerate; after it, a cut of a file
 * that counts its data deserves a warning. */
static void
add_cuts (const char *stem, const char *ext, const guint8 *d, gsize n, Layout l,
          guint n_spread)
{
  g_autoptr (GArray) offs = cut_offsets (n, l, n_spread);

  for (guint i = 0; i < offs->len; i++)
    {
      gsize o = g_array_index (offs, gsize, i);
      g_autofree char *name = g_strdup_printf ("%s-cut%zu%s", stem, o, ext);
      Expect e = o < l.header + l.record ? EXPECT_FAIL : l.counted ? EXPECT_WARN : EXPECT_ANY;
      g_free (write_input ("cut", name, d, o, "truncated", e, e));
    }
}

static void
add_bytes (const char *folder, const char *name, GByteArray *a, const char *category,
           Expect info, Expect learn)
{
  g_free (write_input (folder, name, a->data, a->len, category, info, learn));
  g_byte_array_unref (a);
}

/* An EDF/BDF header with one field (all signals' for a signal field) set to @value. */
static void
add_edf_edit (const char *stem, gboolean bdf, gsize field, gsize width, gboolean per_signal,
              const char *value, Expect info, Expect learn)
{
  GByteArray *a = make_edf (bdf, 4, 4, 64, SIG_GOOD);
  g_autofree char *name = NULL;
  g_autofree char *safe = g_strdup (value);

  g_strdelimit (safe, "-+.", '_');
  name = g_strdup_printf ("%s-f%zu-%s%s", stem, field, safe, bdf ? ".bdf" : ".edf");
  if (per_signal)
    for (guint s = 0; s < 4; s++)
      put_field (a->data, 256 + field * 4 + s * width, width, value);
  else
    put_field (a->data, field, width, value);
  add_bytes ("edit", name, a, "header field", info, learn);
}

/* ------------------------------------------------------------------------ generators */

/* one name per reader (BDF, text and JPEG names go to the EDF, CSV and PNG readers) */
static const char *const all_ext[] = { ".edf", ".gdf", ".csv", ".asc", ".npy", ".wav", ".png",
                                       ".fif", ".vhdr" };

static void
gen_empty_and_random (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (all_ext); i++)
    {
      g_autofree char *e = g_strdup_printf ("empty%s", all_ext[i]);
      g_free (write_input ("empty", e, "", 0, "empty", EXPECT_FAIL, EXPECT_FAIL));
      for (guint k = 0; k < (i % 3 == 0 ? 2 : 1); k++)
        {
          const gsize n = k == 0 ? 1000 : 65536;
          g_autofree guint8 *r = g_new (guint8, n);
          g_autofree char *name = g_strdup_printf ("random%zu%s", n, all_ext[i]);
          for (gsize j = 0; j < n; j++)
            r[j] = (guint8) rng_next ();
          g_free (write_input ("random", name, r, n, "random bytes", EXPECT_FAIL, EXPECT_FAIL));
        }
    }
  /* Random bytes behind a valid header: values of any kind, no structure to trust. */
  {
    GByteArray *a = make_edf (FALSE, 4, 4, 64, SIG_GOOD);
    for (guint i = 256 * 5; i < a->len; i++)
      a->data[i] = (guint8) rng_next ();
    add_bytes ("random", "header-then-random.edf", a, "random bytes", EXPECT_ANY, EXPECT_ANY);
  }
}

static void
gen_truncations (guint n_spread)
{
  struct { const char *rel, *stem, *ext; } files[] = {
    { "data/edfplus_discontinuous.edf", "edfplusd", ".edf" },
    { "data/nystagmus_infantile_avramidis_200Hz.csv", "nystagmus", ".csv" },
    { "data/vestibular_export_rows.csv", "rows", ".csv" },
    { "data/eyelink_binocular_500Hz.asc", "eyelink", ".asc" },
    { "data/mitdb100_ecg_10s_360Hz.wav", "ecg", ".wav" },
    { "data/grass.png", "grass", ".png" },
    { "fuzz/corpus/image/tiny.jpg", "tiny", ".jpg" },
    { "data/141027_cropped_90Hz_raw.fif", "meg", ".fif" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr (GBytes) b = source_bytes (files[i].rel);
      gsize n;
      const guint8 *d = g_bytes_get_data (b, &n);
      Layout l;

      if (g_str_equal (files[i].ext, ".edf"))
        l = edf_layout (d, n);
      else if (g_str_equal (files[i].stem, "rows"))   /* one row per signal: any cut reads */
        l = (Layout) { 0, 0, FALSE };
      else if (g_str_equal (files[i].ext, ".csv"))
        l = text_layout (d, n, FALSE);
      else if (g_str_equal (files[i].ext, ".asc"))
        l = text_layout (d, n, TRUE);
      else if (g_str_equal (files[i].ext, ".wav"))
        l = (Layout) { 44, 4, TRUE };   /* the canonical header, then frames of 4 bytes */
      else if (g_str_equal (files[i].ext, ".fif"))
        l = fif_layout (d, n);
      else   /* images: every byte up to the end chunk is needed */
        l = (Layout) { n, 0, TRUE };
      g_autofree char *whole = g_strconcat (files[i].stem, files[i].ext, NULL);
      /* learning from the 512 × 512 image takes seconds: a small image stands for it */
      g_free (write_input ("whole", whole, d, n, "whole file", EXPECT_ANY,
                           n > 100000 && g_str_equal (files[i].ext, ".png") ? EXPECT_SKIP : EXPECT_ANY));
      add_cuts (files[i].stem, files[i].ext, d, n, l, n_spread);
    }

  /* Recordings written here: EDF, BDF, GDF, NPY (a recording and trials), BrainVision. */
  {
    GByteArray *edf = make_edf (FALSE, 4, 8, 64, SIG_GOOD);
    GByteArray *bdf = make_edf (TRUE, 4, 8, 64, SIG_GOOD);
    GByteArray *gdf = make_gdf (4, 8, 64);
    GByteArray *npy2 = make_npy (0, 3, 400, SIG_GOOD, FALSE);
    GByteArray *npy3 = make_npy (3, 2, 200, SIG_GOOD, FALSE);
    struct { GByteArray *a; const char *stem, *ext; Layout l; } made[] = {
      { edf, "eeg", ".edf", edf_layout (edf->data, edf->len) },
      { bdf, "eeg24", ".bdf", edf_layout (bdf->data, bdf->len) },
      { gdf, "eeg2", ".gdf", { 256 * 5, 4 * 64 * 2, TRUE } },
      { npy2, "array", ".npy", { 128, 8, TRUE } },
      { npy3, "trials", ".npy", { 128, 8, TRUE } },
    };
    for (guint i = 0; i < G_N_ELEMENTS (made); i++)
      {
        g_autofree char *name = g_strconcat (made[i].stem, made[i].ext, NULL);
        g_free (write_input ("whole", name, made[i].a->data, made[i].a->len, "whole file",
                             EXPECT_ANY, EXPECT_ANY));
        add_cuts (made[i].stem, made[i].ext, made[i].a->data, made[i].a->len, made[i].l,
                  n_spread);
        g_byte_array_unref (made[i].a);
      }
  }
}

static char *
vhdr_text (const char *stem, const char *channels, const char *interval, const char *format)
{
  return g_strdup_printf ("Brain Vision Data Exchange Header File Version 1.0\r\n\r\n"
                          "[Common Infos]\r\nCodepage=UTF-8\r\nDataFile=%s.eeg\r\n"
                          "MarkerFile=%s.vmrk\r\nDataFormat=BINARY\r\n"
                          "DataOrientation=MULTIPLEXED\r\nNumberOfChannels=%s\r\n"
                          "SamplingInterval=%s\r\n\r\n[Binary Infos]\r\nBinaryFormat=%s\r\n\r\n"
                          "[Channel Infos]\r\nCh1=Fp1,,1,µV\r\nCh2=Cz,,1,µV\r\nCh3=Pz,,1,µV\r\n",
                          stem, stem, channels, interval, format);
}

/* A BrainVision set (.vhdr, .vmrk, .eeg of 3 float channels at 100 Hz) in its own folder. */
static void
add_brainvision (const char *stem, const char *channels, const char *interval,
                 const char *format, gsize eeg_bytes, gboolean with_eeg, const char *category,
                 Expect e)
{
  g_autofree char *folder = g_strdup_printf ("bv-%s", stem);
  g_autofree char *vhdr = vhdr_text (stem, channels, interval, format);
  g_autofree char *vmrk = g_strdup_printf ("Brain Vision Data Exchange Marker File, Version 1.0\r\n\r\n"
                                           "[Common Infos]\r\nCodepage=UTF-8\r\nDataFile=%s.eeg\r\n\r\n"
                                           "[Marker Infos]\r\nMk1=New Segment,,1,1,0\r\n"
                                           "Mk2=Stimulus,S  1,100,1,0\r\n", stem);
  g_autofree float *x = g_new (float, 3 * 300);
  g_autofree char *n_vhdr = g_strconcat (stem, ".vhdr", NULL);
  g_autofree char *n_vmrk = g_strconcat (stem, ".vmrk", NULL);
  g_autofree char *n_eeg = g_strconcat (stem, ".eeg", NULL);

  for (guint i = 0; i < 300; i++)
    for (guint c = 0; c < 3; c++)
      x[i * 3 + c] = (float) test_signal (c, i / 100.0);
  g_free (write_input (folder, n_vmrk, vmrk, strlen (vmrk), NULL, 0, 0));
  if (with_eeg)
    g_free (write_input (folder, n_eeg, x, MIN (eeg_bytes, sizeof (float) * 3 * 300), NULL, 0, 0));
  g_free (write_input (folder, n_vhdr, vhdr, strlen (vhdr), category, e, e));
}

static void
gen_brainvision (void)
{
  const gsize whole = sizeof (float) * 3 * 300;
  gsize cuts[] = { 0, 5, 12, 100, 1001, whole / 2, whole - 1 };

  add_brainvision ("bvgood", "3", "10000", "IEEE_FLOAT_32", whole, TRUE, "whole file", EXPECT_ANY);
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autofree char *stem = g_strdup_printf ("bvcut%zu", cuts[i]);
      add_brainvision (stem, "3", "10000", "IEEE_FLOAT_32", cuts[i], TRUE, "truncated",
                       cuts[i] < 12 ? EXPECT_FAIL : EXPECT_ANY);
    }
  add_brainvision ("bvrate0", "3", "0", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvrateneg", "3", "-10000", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvrateinf", "3", "1e999", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvch0", "0", "10000", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvchneg", "-3", "10000", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvchhuge", "2147483647", "10000", "IEEE_FLOAT_32", whole, TRUE, "header field", EXPECT_FAIL);
  add_brainvision ("bvfmt", "3", "10000", "INT_64", whole, TRUE, "header field", EXPECT_ANY);
  add_brainvision ("bvnodata", "3", "10000", "IEEE_FLOAT_32", whole, FALSE, "missing data file", EXPECT_FAIL);
  /* the header itself cut */
  {
    g_autofree char *vhdr = vhdr_text ("bvgood", "3", "10000", "IEEE_FLOAT_32");
    gsize n = strlen (vhdr);
    gsize hc[] = { 10, 60, 150, n / 2, n - 20 };
    for (guint i = 0; i < G_N_ELEMENTS (hc); i++)
      {
        g_autofree char *name = g_strdup_printf ("bvhead%zu.vhdr", hc[i]);
        g_free (write_input ("bv-bvgood", name, vhdr, hc[i], "truncated", EXPECT_ANY, EXPECT_ANY));
      }
  }
}

static void
gen_header_edits (void)
{
  /* Main header: records, record duration, number of signals, header size, version. */
  struct { gsize off, width; const char *value; Expect info, learn; } main_fields[] = {
    { 236, 8, "0", EXPECT_FAIL, EXPECT_FAIL },
    { 236, 8, "-1", EXPECT_ANY, EXPECT_ANY },
    { 236, 8, "-5", EXPECT_FAIL, EXPECT_FAIL },
    { 236, 8, "99999999", EXPECT_WARN, EXPECT_WARN },
    { 244, 8, "0", EXPECT_FAIL, EXPECT_FAIL },
    { 244, 8, "-1", EXPECT_FAIL, EXPECT_FAIL },
    { 244, 8, "1e300", EXPECT_ANY, EXPECT_ANY },
    { 244, 8, "nan", EXPECT_FAIL, EXPECT_FAIL },
    { 252, 4, "0", EXPECT_FAIL, EXPECT_FAIL },
    { 252, 4, "-1", EXPECT_FAIL, EXPECT_FAIL },
    { 252, 4, "9999", EXPECT_FAIL, EXPECT_FAIL },
    { 184, 8, "0", EXPECT_ANY, EXPECT_ANY },
    { 184, 8, "99999999", EXPECT_ANY, EXPECT_ANY },
    { 0, 8, "9", EXPECT_ANY, EXPECT_ANY },
  };
  /* Per-signal fields (offset of the field block per signal, width), all signals at once. */
  struct { gsize field, width; const char *value; Expect info, learn; } sig_fields[] = {
    { 216, 8, "0", EXPECT_FAIL, EXPECT_FAIL },
    { 216, 8, "-64", EXPECT_FAIL, EXPECT_FAIL },
    { 216, 8, "99999999", EXPECT_WARN, EXPECT_WARN },
    { 104, 8, "500", EXPECT_ANY, EXPECT_FAIL },        /* physical min = max: constant */
    { 104, 8, "-9e307", EXPECT_ANY, EXPECT_ANY },
    { 112, 8, "9e307", EXPECT_ANY, EXPECT_ANY },
    { 120, 8, "32767", EXPECT_ANY, EXPECT_FAIL },      /* digital min = max */
    { 128, 8, "-99999", EXPECT_ANY, EXPECT_ANY },
    { 104, 8, "nan", EXPECT_ANY, EXPECT_FAIL },
    { 112, 8, "inf", EXPECT_ANY, EXPECT_FAIL },
  };

  for (guint b = 0; b < 2; b++)
    {
      for (guint i = 0; i < G_N_ELEMENTS (main_fields); i++)
        if (!b || main_fields[i].off == 236)   /* BDF shares EDF's header code but records */
        add_edf_edit (b ? "bdfmain" : "edfmain", b, main_fields[i].off, main_fields[i].width,
                      FALSE, main_fields[i].value, main_fields[i].info, main_fields[i].learn);
      /* BDF: the fields whose meaning depends on the 24-bit samples */
      for (guint i = 0; i < G_N_ELEMENTS (sig_fields); i++)
        if (!b || sig_fields[i].field == 216 || sig_fields[i].field == 120)
        {
          const char *v = sig_fields[i].value;
          /* the BDF digital range is wider */
          if (b && g_str_equal (v, "32767"))
            v = "8388607";
          add_edf_edit (b ? "bdfsig" : "edfsig", b, sig_fields[i].field, sig_fields[i].width,
                        TRUE, v, sig_fields[i].info, sig_fields[i].learn);
        }
    }
  /* A physical range so wide that its span overflows: every value is infinite. */
  {
    GByteArray *a = make_edf (FALSE, 4, 4, 64, SIG_GOOD);
    for (guint s = 0; s < 4; s++)
      {
        put_field (a->data, 256 + 104 * 4 + s * 8, 8, "-9e307");
        put_field (a->data, 256 + 112 * 4 + s * 8, 8, "9e307");
      }
    add_bytes ("edit", "edf-overflow-range.edf", a, "header field", EXPECT_ANY, EXPECT_FAIL);
  }

  /* GDF: records, duration, channels, samples per record, sample type. */
  {
    struct { gsize off, bytes; guint64 value; Expect e; } g[] = {
      { 236, 8, 0, EXPECT_FAIL },
      { 236, 8, G_MAXINT64, EXPECT_WARN },
      { 244, 4, 0, EXPECT_FAIL },
      { 248, 4, 0, EXPECT_FAIL },
      { 252, 2, 0, EXPECT_FAIL },
      { 252, 2, 65535, EXPECT_FAIL },
      { 184, 2, 0, EXPECT_FAIL },
      { 256 + 216 * 4, 4, 0, EXPECT_FAIL },
      { 256 + 216 * 4, 4, 0xffffffffu, EXPECT_FAIL },
      { 256 + 220 * 4, 4, 0, EXPECT_ANY },
      { 256 + 220 * 4, 4, 999, EXPECT_ANY },
    };
    for (guint i = 0; i < G_N_ELEMENTS (g); i++)
      {
        GByteArray *a = make_gdf (4, 8, 64);
        g_autofree char *name = g_strdup_printf ("gdf-f%zu-%" G_GUINT64_FORMAT ".gdf", g[i].off, g[i].value);
        /* signal fields: all four signals */
        guint reps = g[i].off >= 256 ? 4 : 1;
        for (guint s = 0; s < reps; s++)
          put_le (a->data + g[i].off + s * g[i].bytes, g[i].value, (guint) g[i].bytes);
        add_bytes ("edit", name, a, "header field", g[i].e, g[i].e);
      }
  }

  /* WAV (the canonical 44-byte header of the ECG): channels, rate, bits, sizes, format. */
  {
    g_autoptr (GBytes) wav = source_bytes ("data/mitdb100_ecg_10s_360Hz.wav");
    struct { gsize off, bytes; guint32 value; Expect e; } w[] = {
      { 22, 2, 0, EXPECT_FAIL }, { 22, 2, 65535, EXPECT_FAIL }, { 24, 4, 0, EXPECT_FAIL },
      { 24, 4, 0xffffffffu, EXPECT_ANY }, { 34, 2, 0, EXPECT_FAIL }, { 34, 2, 7, EXPECT_ANY },
      { 40, 4, 0, EXPECT_FAIL }, { 40, 4, 0xffffffffu, EXPECT_ANY }, { 4, 4, 0, EXPECT_ANY },
      { 32, 2, 0, EXPECT_ANY }, { 20, 2, 0x99, EXPECT_FAIL },
    };
    for (guint i = 0; i < G_N_ELEMENTS (w); i++)
      {
        gsize n;
        const guint8 *d = g_bytes_get_data (wav, &n);
        GByteArray *a = g_byte_array_new ();
        g_autofree char *name = g_strdup_printf ("wav-f%zu-%u.wav", w[i].off, w[i].value);
        g_byte_array_append (a, d, (guint) n);
        put_le (a->data + w[i].off, w[i].value, (guint) w[i].bytes);
        add_bytes ("edit", name, a, "header field", w[i].e, w[i].e);
      }
  }

  /* NPY: shapes of nothing, negative and huge; other types and orders. */
  {
    double x[600];
    struct { const char *descr, *fortran, *shape; Expect e; } h[] = {
      { "<f8", "False", "(0, 600)", EXPECT_FAIL },
      { "<f8", "False", "(3, 0)", EXPECT_FAIL },
      { "<f8", "False", "(-3, 200)", EXPECT_FAIL },
      { "<f8", "False", "(3, 99999999999999)", EXPECT_FAIL },
      { "<f8", "False", "(99999999999, 99999999999)", EXPECT_FAIL },
      { "<f8", "False", "(2, 2, 2, 2, 2, 2, 2, 2, 2, 2)", EXPECT_ANY },
      { "<f8", "True", "(3, 200)", EXPECT_ANY },
      { ">f8", "False", "(3, 200)", EXPECT_ANY },
      { "<c16", "False", "(3, 100)", EXPECT_ANY },
      { "|O", "False", "(3, 200)", EXPECT_FAIL },
      { "<f8", "False", "(600,)", EXPECT_ANY },
      { "<f8", "False", "()", EXPECT_ANY },
      { "<f8", "False", "(1, 1, 600)", EXPECT_ANY },
      { "<f8", "False", "(600, 1, 1)", EXPECT_ANY },
    };
    for (guint i = 0; i < G_N_ELEMENTS (x); i++)
      x[i] = test_signal (i / 200, (i % 200) / 100.0);
    for (guint i = 0; i < G_N_ELEMENTS (h); i++)
      {
        g_autofree char *name = g_strdup_printf ("npy-hdr%u.npy", i);
        add_bytes ("edit", name, make_npy_raw (h[i].descr, h[i].fortran, h[i].shape, x, 600),
                   "header field", h[i].e, h[i].e);
      }
  }

  /* PNG: huge and empty dimensions in a real file's header (CRC kept valid). */
  {
    g_autoptr (GBytes) png = source_bytes ("data/grass.png");
    guint32 dims[][2] = { { 100000, 100000 }, { 65536, 65536 }, { 0x7fffffff, 1 },
                          { 1, 0x7fffffff }, { 0, 512 }, { 512, 0 }, { 0xffffffffu, 0xffffffffu } };
    for (guint i = 0; i < G_N_ELEMENTS (dims); i++)
      {
        g_autofree char *name = g_strdup_printf ("png-%ux%u.png", dims[i][0], dims[i][1]);
        add_bytes ("edit", name, png_with_size (png, dims[i][0], dims[i][1]), "image size",
                   EXPECT_FAIL, EXPECT_FAIL);
      }
  }
}

static void
gen_values (void)
{
  GString *s;

  /* NaN and infinite cells in a CSV: learning leaves them out or bridges them. */
  s = g_string_new ("time,a,b\n");
  for (guint i = 0; i < 400; i++)
    {
      const char *cells[] = { "nan", "NaN", "inf", "-inf", "1e999", "-1e999", "Infinity" };
      double t = i / 100.0;
      if (i % 37 == 5)
        g_string_append_printf (s, "%.2f,%s,%.4f\n", t, cells[(i / 37) % G_N_ELEMENTS (cells)],
                                test_signal (1, t));
      else
        g_string_append_printf (s, "%.2f,%.4f,%.4f\n", t, test_signal (0, t), test_signal (1, t));
    }
  g_free (write_input ("values", "nan-cells.csv", s->str, s->len, "NaN/inf cells", EXPECT_ANY, EXPECT_ANY));
  g_string_free (s, TRUE);

  /* a channel all NaN beside a good one; every channel NaN; every channel infinite */
  {
    const char *bad[] = { "nan", "inf", "nan" };
    const char *names[] = { "one-nan-column.csv", "all-inf.csv", "all-nan.csv" };
    for (guint k = 0; k < 3; k++)
      {
        s = g_string_new ("time,a,b\n");
        for (guint i = 0; i < 400; i++)
          {
            double t = i / 100.0;
            if (k == 0)
              g_string_append_printf (s, "%.2f,nan,%.4f\n", t, test_signal (1, t));
            else
              g_string_append_printf (s, "%.2f,%s,%s\n", t, bad[k], bad[k]);
          }
        g_free (write_input ("values", names[k], s->str, s->len, "NaN/inf cells", EXPECT_ANY,
                             k == 0 ? EXPECT_ANY : EXPECT_FAIL));
        g_string_free (s, TRUE);
      }
  }

  /* all zero, constant, too short, a single row; in CSV, WAV, EDF, NPY, PNG */
  {
    struct { const char *name; double value; guint rows; Expect learn; } c[] = {
      { "zero.csv", 0, 400, EXPECT_FAIL }, { "constant.csv", 7.25, 400, EXPECT_FAIL },
      { "one-row.csv", 1, 1, EXPECT_FAIL }, { "three-rows.csv", -1, 3, EXPECT_FAIL },
      { "huge-values.csv", 1e300, 400, EXPECT_FAIL },
    };
    for (guint k = 0; k < G_N_ELEMENTS (c); k++)
      {
        s = g_string_new ("time,a,b\n");
        for (guint i = 0; i < c[k].rows; i++)
          if (c[k].value < 0)
            g_string_append_printf (s, "%u,%u,%u\n", i, i * 3 % 7, i * 5 % 3);
          else
            g_string_append_printf (s, "%.2f,%.17g,%.17g\n", i / 100.0, c[k].value, c[k].value);
        g_free (write_input ("values", c[k].name, s->str, s->len, "degenerate signal",
                             EXPECT_ANY, c[k].learn));
        g_string_free (s, TRUE);
      }
  }
  /* values that overflow only when squared: finite on reading, learning must still hold */
  s = g_string_new ("time,a\n");
  for (guint i = 0; i < 400; i++)
    g_string_append_printf (s, "%.2f,%.6g\n", i / 100.0, 1e200 * test_signal (0, i / 100.0));
  g_free (write_input ("values", "squares-overflow.csv", s->str, s->len, "degenerate signal",
                       EXPECT_ANY, EXPECT_ANY));
  g_string_free (s, TRUE);
  {
    gsize n;
    g_autoptr (GBytes) wav = source_bytes ("data/mitdb100_ecg_10s_360Hz.wav");
    const guint8 *d = g_bytes_get_data (wav, &n);
    GByteArray *a = g_byte_array_new ();
    g_byte_array_append (a, d, 44);
    g_byte_array_set_size (a, (guint) n);
    memset (a->data + 44, 0, n - 44);
    add_bytes ("values", "silence.wav", a, "degenerate signal", EXPECT_ANY, EXPECT_FAIL);
  }
  add_bytes ("values", "zero.edf", make_edf (FALSE, 4, 4, 64, SIG_ZERO), "degenerate signal",
             EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "constant.bdf", make_edf (TRUE, 4, 4, 64, SIG_CONSTANT),
             "degenerate signal", EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "zero.npy", make_npy (0, 3, 400, SIG_ZERO, FALSE), "degenerate signal",
             EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "constant-trials.npy", make_npy (2, 2, 200, SIG_CONSTANT, FALSE),
             "degenerate signal", EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "nan.npy", make_npy (0, 3, 400, SIG_GOOD, TRUE), "degenerate signal",
             EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "nan-trials.npy", make_npy (2, 2, 200, SIG_GOOD, TRUE),
             "degenerate signal", EXPECT_ANY, EXPECT_FAIL);
  add_bytes ("values", "flat.png", make_png (40, 30, TRUE), "degenerate signal", EXPECT_ANY,
             EXPECT_FAIL);
  add_bytes ("values", "texture.png", make_png (40, 30, FALSE), "whole file", EXPECT_ANY,
             EXPECT_ANY);
  add_bytes ("values", "dot.png", make_png (2, 2, FALSE), "degenerate signal", EXPECT_ANY,
             EXPECT_FAIL);
}

static void
gen_names_and_extensions (void)
{
  struct { const char *rel, *as; } swaps[] = {
    { "data/edfplus_discontinuous.edf", "edf-as.csv" },
    { "data/edfplus_discontinuous.edf", "edf-as.wav" },
    { "data/nystagmus_infantile_avramidis_200Hz.csv", "csv-as.edf" },
    { "data/nystagmus_infantile_avramidis_200Hz.csv", "csv-as.npy" },
    { "data/nystagmus_infantile_avramidis_200Hz.csv", "csv-as.png" },
    { "data/mitdb100_ecg_10s_360Hz.wav", "wav-as.fif" },
    { "data/mitdb100_ecg_10s_360Hz.wav", "wav-as.png" },
    { "data/eyelink_binocular_500Hz.asc", "asc-as.edf" },
    { "data/eyelink_binocular_500Hz.asc", "asc-as.txt" },
    { "data/vestibular_export_rows.csv", "rows-as.vhdr" },
    { "data/edfplus_discontinuous.edf", "upper-case.EDF" },
    { "data/nystagmus_infantile_avramidis_200Hz.csv", "no-extension" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (swaps); i++)
    {
      g_autoptr (GBytes) b = source_bytes (swaps[i].rel);
      gsize n;
      const guint8 *d = g_bytes_get_data (b, &n);
      g_free (write_input ("ext", swaps[i].as, d, n, "wrong extension", EXPECT_ANY, EXPECT_ANY));
    }
  /* FIF named .npy: the first 4 KiB only (a cut file under a wrong name) */
  {
    g_autoptr (GBytes) b = source_bytes ("data/141027_cropped_90Hz_raw.fif");
    g_free (write_input ("ext", "fif-as.npy", g_bytes_get_data (b, NULL), 4096,
                         "wrong extension", EXPECT_FAIL, EXPECT_FAIL));
  }
  {
    GByteArray *a = make_npy (0, 3, 400, SIG_GOOD, FALSE);
    add_bytes ("ext", "npy-as.edf", a, "wrong extension", EXPECT_ANY, EXPECT_ANY);
  }

  /* names with spaces and bytes that are not UTF-8, good and degenerate content */
  {
    g_autoptr (GBytes) csv = source_bytes ("data/nystagmus_infantile_avramidis_200Hz.csv");
    gsize n;
    const guint8 *d = g_bytes_get_data (csv, &n);
    const char *zero = "time,a\n0,0\n0.01,0\n0.02,0\n0.03,0\n0.04,0\n0.05,0\n";
    GByteArray *edf = make_edf (FALSE, 4, 4, 64, SIG_GOOD);

    g_free (write_input ("names", "eye with spaces.csv", d, n, "file name", EXPECT_ANY, EXPECT_ANY));
    g_free (write_input ("names", "latin1 caf\xe9 \xff\xfe.csv", d, n, "file name", EXPECT_ANY, EXPECT_ANY));
    g_free (write_input ("names", "zeros caf\xe9\x80.csv", zero, strlen (zero), "file name",
                         EXPECT_ANY, EXPECT_FAIL));
    g_free (write_input ("names", "empty \xc3\x28 name.edf", "", 0, "file name", EXPECT_FAIL, EXPECT_FAIL));
    g_free (write_input ("names", "eeg \xe9t\xe9.edf", edf->data, edf->len, "file name",
                         EXPECT_ANY, EXPECT_ANY));
    g_free (write_input ("names", "\xe9l\xe8ve \"quoted\" \\ back.csv", d, n, "file name",
                         EXPECT_ANY, EXPECT_ANY));
    g_byte_array_unref (edf);
  }
}

/* ------------------------------------------------------------------------- running */

typedef struct
{
  double seconds, cpu;
  int status;        /* exit status, or -signal */
  gboolean hung;
  char *out;         /* stdout then stderr */
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

static void
run_cli (char **argv, double timeout, const char *log_stem, Run *r)
{
  g_autofree char *out_path = g_strconcat (log_stem, ".out", NULL);
  g_autofree char *err_path = g_strconcat (log_stem, ".err", NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout * G_USEC_PER_SEC);
  int wstatus = 0;
  pid_t pid;

  memset (r, 0, sizeof *r);
  fflush (stdout);
  pid = fork ();
  g_assert (pid >= 0);
  if (pid == 0)
    {
      FILE *o, *e;
      setpgid (0, 0);
      o = freopen (out_path, "w", stdout);
      e = freopen (err_path, "w", stderr);
      if (o == NULL || e == NULL || freopen ("/dev/null", "r", stdin) == NULL)
        _exit (126);
      execv (argv[0], argv);
      _exit (127);
    }
  for (;;)
    {
      struct rusage ru;
      pid_t w = wait4 (pid, &wstatus, WNOHANG, &ru);
      if (w == pid)
        {
          /* the child's processor time (and that of the children it waited for) */
          r->cpu = (double) ru.ru_utime.tv_sec + (double) ru.ru_stime.tv_sec
                   + ((double) ru.ru_utime.tv_usec + (double) ru.ru_stime.tv_usec) / 1e6;
          break;
        }
      if (g_get_monotonic_time () > deadline)
        {
          kill (-pid, SIGKILL);
          kill (pid, SIGKILL);
          waitpid (pid, &wstatus, 0);
          r->hung = TRUE;
          break;
        }
      g_usleep (3000);
    }
  r->seconds = (g_get_monotonic_time () - (deadline - (gint64) (timeout * G_USEC_PER_SEC))) / 1e6;
  r->status = WIFEXITED (wstatus) ? WEXITSTATUS (wstatus) : -WTERMSIG (wstatus);
  if (!g_file_get_contents (out_path, &r->out, NULL, NULL))
    r->out = g_strdup ("");
  if (!g_file_get_contents (err_path, &r->err, NULL, NULL))
    r->err = g_strdup ("");
}

static gboolean
contains_ci (const char *text, const char *word)
{
  g_autofree char *a = g_ascii_strdown (text, -1);
  return strstr (a, word) != NULL;
}

static gboolean
has_report (const Run *r)
{
  return strstr (r->err, "Sanitizer") != NULL || strstr (r->err, "runtime error:") != NULL
         || strstr (r->err, "-CRITICAL") != NULL || strstr (r->err, "-WARNING") != NULL
         || strstr (r->out, "-CRITICAL") != NULL || strstr (r->err, "Gdk-") != NULL
         || strstr (r->err, "GdkPixbuf-") != NULL;
}

/* The message names the file: its name without extension (or, when that is not UTF-8,
 * its longest ASCII start of 4 bytes or more), as bytes or for display. */
static gboolean
names_file (const char *text, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *display = g_filename_display_basename (path);
  char *dot = strrchr (base, '.');
  gsize ascii = 0;

  if (dot != NULL && dot != base)
    *dot = '\0';
  dot = strrchr (display, '.');
  if (dot != NULL && dot != display)
    *dot = '\0';
  if (strstr (text, base) != NULL || strstr (text, display) != NULL)
    return TRUE;
  while (base[ascii] != '\0' && (guchar) base[ascii] < 0x80)
    ascii++;
  if (ascii >= 4)
    {
      base[ascii] = '\0';
      return strstr (text, base) != NULL;
    }
  return FALSE;
}

static gboolean
warned (const Run *r, gboolean info)
{
  g_autofree char *all = g_strconcat (r->out, r->err, NULL);
  if (info && strstr (r->out, "Warnings: 0") != NULL)
    return FALSE;
  return contains_ci (all, "truncat") || contains_ci (all, "missing")
         || contains_ci (all, "incomplete") || contains_ci (all, "announces");
}

static gboolean
finite_npy (const char *path, char **why)
{
  g_autofree char *data = NULL;
  gsize n, hlen;

  if (!g_file_get_contents (path, &data, &n, NULL) || n < 10 || memcmp (data, "\x93NUMPY", 6) != 0)
    {
      *why = g_strdup_printf ("%s is missing or not NPY", path);
      return FALSE;
    }
  hlen = 10 + (guchar) data[8] + 256 * (gsize) (guchar) data[9];
  if (strstr (data + 10, "'<f8'") == NULL || hlen > n || (n - hlen) % 8 != 0)
    {
      *why = g_strdup_printf ("%s: unexpected header", path);
      return FALSE;
    }
  for (gsize i = hlen; i + 8 <= n; i += 8)
    {
      double v;
      memcpy (&v, data + i, 8);
      if (!isfinite (v))
        {
          *why = g_strdup_printf ("%s holds a non-finite value", path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
model_folder_ok (const char *dir, char **why)
{
  g_autofree char *json = g_build_filename (dir, "run.json", NULL);
  g_autofree char *atoms = g_build_filename (dir, "atoms.npy", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gsize n;

  if (!g_file_get_contents (json, &text, &n, &error))
    {
      *why = g_strdup_printf ("no run.json: %s", error->message);
      return FALSE;
    }
  if (!g_utf8_validate (text, (gssize) n, NULL))
    {
      *why = g_strdup ("run.json is not UTF-8");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) n, &error))
    {
      *why = g_strdup_printf ("run.json is not JSON: %s", error->message);
      return FALSE;
    }
  return finite_npy (atoms, why);
}

static gboolean
sniff_image (const char *path)
{
  guint8 head[8] = { 0 };
  FILE *f = g_fopen (path, "rb");
  gsize n = 0;
  g_autofree char *lower = g_ascii_strdown (path, -1);

  if (f != NULL)
    {
      n = fread (head, 1, sizeof head, f);
      fclose (f);
    }
  if (n >= 8 && memcmp (head, "\x89PNG\r\n\x1a\n", 8) == 0)
    return TRUE;
  if (n >= 3 && memcmp (head, "\xff\xd8\xff", 3) == 0)
    return TRUE;
  /* a known signature wins over the name */
  if (n >= 4 && (memcmp (head, "\x93NUM", 4) == 0 || memcmp (head, "0   ", 4) == 0
                 || memcmp (head, "\xff" "BIO", 4) == 0 || memcmp (head, "GDF ", 4) == 0
                 || memcmp (head, "RIFF", 4) == 0 || memcmp (head, "Brai", 4) == 0
                 || memcmp (head, "\0\0\0\x64", 4) == 0 || memcmp (head, "** ", 3) == 0))
    return FALSE;
  return !g_str_has_suffix (lower, ".asc") && !g_str_has_suffix (lower, ".npy")
         && !g_str_has_suffix (lower, ".vhdr") && !g_str_has_suffix (lower, ".fif")
         && !g_str_has_suffix (lower, ".csv") && !g_str_has_suffix (lower, ".txt")
         && (g_str_has_suffix (lower, ".png") || g_str_has_suffix (lower, ".jpg"));
}

static Result
classify (const Input *in, gboolean learn, const Run *r, const char *out_dir, char **why)
{
  const Expect e = learn ? in->learn : in->info;
  g_autofree char *all = g_strconcat (r->out, r->err, NULL);

  if (r->hung)
    return R_HANG;
  if (r->status < 0 || r->status > 2 || has_report (r))
    return R_CRASH;
  if (r->status == 2)
    {
      /* learning settings the data cannot take (too short for two atoms...): a usage error
       * that says so; never from info, never without a message */
      if (learn && g_str_has_prefix (r->err, "atomscope-cli learn: "))
        return R_CLEAN;
      *why = g_strdup ("exit 2 on a file");
      return R_CRASH;
    }
  if (r->status == 1)
    return names_file (r->err, in->path) ? R_CLEAN : R_UNNAMED;
  if (e == EXPECT_FAIL)
    return R_SILENT;
  if (e == EXPECT_WARN && !warned (r, !learn))
    return R_SILENT;
  if (learn && !model_folder_ok (out_dir, why))
    return R_BAD_OUTPUT;
  return warned (r, !learn) || (!learn && strstr (r->out, "Warnings: 0") == NULL
                                && strstr (r->out, "Warnings:") != NULL)
           ? R_WARNED : R_SUCCESS;
}

static const char *
expect_name (Expect e)
{
  return e == EXPECT_FAIL ? "degenerate" : e == EXPECT_WARN ? "cut" : "valid enough";
}

int
main (int argc, char **argv)
{
  const char *cli = argc > 1 ? argv[1] : g_getenv ("ATOMSCOPE_CLI");
  const char *t_env = g_getenv ("ATOMSCOPE_CORPUS_TIMEOUT");
  const double timeout = t_env ? g_ascii_strtod (t_env, NULL) : 30.0;
  const char *c_env = g_getenv ("ATOMSCOPE_CORPUS_CUTS");
#if defined(__SANITIZE_ADDRESS__)
  const gboolean sanitized = TRUE;
#else
  const gboolean sanitized = FALSE;
#endif
  /* the sanitizer build: the cuts around each header and first record only */
  const guint n_spread = c_env ? (guint) atoi (c_env) : sanitized ? 0 : 1;
  guint tally[2][R_N] = { { 0 } };
  guint n_runs = 0, failures = 0;
  double slowest[2] = { 0, 0 }, cpu[2] = { 0, 0 };
  g_autoptr (GHashTable) cat_cpu = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  char *slowest_name[2] = { NULL, NULL };
  gint64 t0 = g_get_monotonic_time ();
  g_autoptr (GError) error = NULL;

  if (cli == NULL)
    {
      fprintf (stderr, "usage: test-corpus ATOMSCOPE_CLI\n");
      return 2;
    }
  root = g_dir_make_tmp ("atomscope-corpus-XXXXXX", &error);
  g_assert_no_error (error);
  inputs = g_ptr_array_new ();

  gen_empty_and_random ();
  gen_truncations (n_spread);
  gen_brainvision ();
  gen_header_edits ();
  gen_values ();
  gen_names_and_extensions ();
  /* a small image under names of other formats */
  {
    GByteArray *a = make_png (40, 30, FALSE);
    g_free (write_input ("ext", "png-as.wav", a->data, a->len, "wrong extension", EXPECT_ANY, EXPECT_ANY));
    g_free (write_input ("ext", "png-as.csv", a->data, a->len, "wrong extension", EXPECT_ANY, EXPECT_ANY));
    g_byte_array_unref (a);
  }

  printf ("# %u inputs in %s, %.1f s per run at most\n", inputs->len, root, timeout);
  for (guint i = 0; i < inputs->len; i++)
    {
      const Input *in = g_ptr_array_index (inputs, i);
      g_autofree char *logs = g_strdup_printf ("%s/run%u", root, i);
      g_autofree char *out_dir = g_strdup_printf ("%s/model%u", root, i);
      gboolean image = sniff_image (in->path);
      gboolean info_ok = FALSE;

      for (int learn = 0; learn < 2; learn++)
        {
          g_autofree char *why = NULL;
          g_autofree char *stem = g_strdup_printf ("%s-%s", logs, learn ? "learn" : "info");
          char *info_argv[] = { (char *) cli, "info", in->path, NULL };
          char *learn_argv[] = { (char *) cli, "learn", "-q", "--checkpoint", "0",
                                 "--threads", "1", "-k", "2", "-n", "3",
                                 image ? "--atom-size" : "--atom-samples", image ? "3" : "8",
                                 "--out", out_dir, in->path, NULL };
          Run r;
          Result res;

          /* A file info refuses goes through the same reader in learn: one in four is
           * enough to check they agree (the sanitizer build takes a quarter of a second
           * a run). */
          if (learn && ((!info_ok && i % 4 != 0) || in->learn == EXPECT_SKIP))
            continue;
          /* Under the sanitizers, learning from a file read as valid enough: one in two. */
          if (learn && sanitized && in->learn == EXPECT_ANY && i % 2 != 0)
            continue;
          run_cli (learn ? learn_argv : info_argv, timeout, stem, &r);
          n_runs++;
          cpu[learn] += r.cpu;
          {
            double *c = g_hash_table_lookup (cat_cpu, in->category);
            if (c == NULL)
              g_hash_table_insert (cat_cpu, in->category, c = g_new0 (double, 2));
            c[0] += r.cpu;
            c[1] += 1;
          }
          if (r.seconds > slowest[learn])
            {
              slowest[learn] = r.seconds;
              g_free (slowest_name[learn]);
              slowest_name[learn] = g_filename_display_basename (in->path);
            }
          res = classify (in, learn, &r, out_dir, &why);
          if (!learn)
            info_ok = r.status == 0 && !r.hung;
          tally[learn][res]++;
          if (res >= R_CRASH)
            {
              g_autofree char *show = g_filename_display_name (in->path);
              failures++;
              printf ("not ok - %s %s (%s, %s): %s, exit %d%s%s\n", learn ? "learn" : "info",
                      show, in->category, expect_name (learn ? in->learn : in->info),
                      result_names[res], r.status, why ? ": " : "", why ? why : "");
              printf ("#   stdout: %.600s\n#   stderr: %.1500s\n", r.out, r.err);
            }
          run_clear (&r);
        }
    }

  printf ("# corpus: %u inputs, %u runs in %.1f s\n", inputs->len, n_runs,
          (g_get_monotonic_time () - t0) / 1e6);
  printf ("# processor time of the runs: info %.1f s, learn %.1f s\n", cpu[0], cpu[1]);
  {
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, cat_cpu);
    while (g_hash_table_iter_next (&it, &k, &v))
      printf ("#   %-20s %4.0f runs, %5.1f s\n", (const char *) k, ((double *) v)[1], ((double *) v)[0]);
  }
  for (int k = 0; k < 2; k++)
    printf ("# slowest %s: %.2f s (%s)\n", k ? "learn" : "info", slowest[k],
            slowest_name[k] ? slowest_name[k] : "");
  g_free (slowest_name[0]);
  g_free (slowest_name[1]);
  printf ("# %-28s %6s %6s %6s\n", "", "info", "learn", "total");
  for (int k = 0; k < R_N; k++)
    printf ("# %-28s %6u %6u %6u\n", result_names[k], tally[0][k], tally[1][k],
            tally[0][k] + tally[1][k]);
  printf ("%s - %u failures (crashes, hangs, silent successes, unnamed errors, bad outputs)\n",
          failures ? "not ok" : "ok", failures);
  if (failures == 0 && g_getenv ("ATOMSCOPE_CORPUS_KEEP") == NULL)
    {
      char *rm[] = { "rm", "-rf", root, NULL };
      g_spawn_sync (NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    }
  else
    printf ("# inputs and logs kept in %s\n", root);
  return failures ? 1 : 0;
}
