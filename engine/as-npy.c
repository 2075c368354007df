/* as-npy.c: the .npy format, as specified in numpy's NEP 1
 * ("A simple file format for NumPy arrays").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-npy"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-npy.h"
#include "as-output.h"

static const guint8 npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

GBytes *
as_npy_encode (const double *data, guint ndim, const gsize *shape)
{
  GString *header = g_string_new ("{'descr': '<f8', 'fortran_order': False, 'shape': (");
  GByteArray *buf;
  gsize count = 1;
  gsize total;
  guint16 hlen;

  g_return_val_if_fail (ndim <= AS_NPY_MAX_DIMS, NULL);
  for (guint i = 0; i < ndim; i++)
    {
      g_string_append_printf (header, "%zu,", shape[i]);
      if (i + 1 < ndim)
        g_string_append_c (header, ' ');
      count *= shape[i];
    }
  if (ndim > 1)
    g_string_truncate (header, header->len - 1); /* "(3, 4)" but "(3,)" */
  g_string_append (header, "), }");
  /* Pad with spaces so that data starts on a multiple of 64 bytes. */
  total = 10 + header->len + 1;
  while (total % 64 != 0)
    {
      g_string_append_c (header, ' ');
      total++;
    }
  g_string_append_c (header, '\n');
  hlen = (guint16) header->len;

  buf = g_byte_array_sized_new ((guint) (total + count * 8));
  g_byte_array_append (buf, npy_magic, 6);
  g_byte_array_append (buf, (const guint8 *) "\x01\x00", 2);
  {
    guint8 le[2] = { hlen & 0xff, hlen >> 8 };
    g_byte_array_append (buf, le, 2);
  }
  g_byte_array_append (buf, (const guint8 *) header->str, header->len);
  for (gsize i = 0; i < count; i++)
    {
      guint64 bits;
      memcpy (&bits, &data[i], 8);
      bits = GUINT64_TO_LE (bits);
      g_byte_array_append (buf, (const guint8 *) &bits, 8);
    }
  g_string_free (header, TRUE);
  return g_byte_array_free_to_bytes (buf);
}

gboolean
as_npy_write (const char   *path,
              const double *data,
              guint         ndim,
              const gsize  *shape,
              gboolean      overwrite,
              GError      **error)
{
  g_autoptr (GBytes) bytes = NULL;
  gsize len;
  const void *raw;

  if (ndim > AS_NPY_MAX_DIMS)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: arrays of more than %d dimensions are not supported"), path,
                   AS_NPY_MAX_DIMS);
      return FALSE;
    }
  bytes = as_npy_encode (data, ndim, shape);
  raw = g_bytes_get_data (bytes, &len);
  return as_output_write_contents (path, raw, len, overwrite, error);
}

/* --- reading --- */

static gboolean
fail (GError **error, const char *name, gsize offset, const char *reason)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
               _("%s: byte %zu: %s"), name, offset, reason);
  return FALSE;
}

/* Finds the value text after 'key': in the header dict. */
static const char *
header_value (const char *header, const char *key)
{
  g_autofree char *k1 = g_strdup_printf ("'%s'", key);
  g_autofree char *k2 = g_strdup_printf ("\"%s\"", key);
  const char *p = strstr (header, k1);

  if (p == NULL)
    p = strstr (header, k2);
  if (p == NULL)
    return NULL;
  p = strchr (p + strlen (k1), ':');
  if (p == NULL)
    return NULL;
  p++;
  while (*p == ' ')
    p++;
  return p;
}

typedef struct
{
  char  kind;   /* 'f', 'i', 'u' */
  guint size;   /* bytes */
  gboolean big_endian;
} NpyType;

static gboolean
parse_descr (const char *value, NpyType *type)
{
  char quote, order, kind;
  guint size;

  if (value == NULL || (value[0] != '\'' && value[0] != '"'))
    return FALSE;
  /* A truncated header may end anywhere: never read past its terminator. */
  if (value[1] == '\0' || value[2] == '\0' || value[3] == '\0')
    return FALSE;
  quote = value[0];
  order = value[1];
  kind = value[2];
  if (!g_ascii_isdigit (value[3]))
    return FALSE;
  size = (guint) g_ascii_strtoull (value + 3, NULL, 10);
  if (strchr (value + 3, quote) == NULL)
    return FALSE;
  if (order != '<' && order != '>' && order != '|' && order != '=')
    return FALSE;
  if (kind == 'f' && (size == 4 || size == 8))
    ;
  else if ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8))
    ;
  else
    return FALSE;
  type->kind = kind;
  type->size = size;
  type->big_endian = order == '>';
  return TRUE;
}

static double
load_value (const guint8 *p, const NpyType *t)
{
  guint8 b[8];

  memcpy (b, p, t->size);
  if (t->big_endian != (G_BYTE_ORDER == G_BIG_ENDIAN))
    for (guint i = 0; i < t->size / 2; i++)
      {
        guint8 tmp = b[i];
        b[i] = b[t->size - 1 - i];
        b[t->size - 1 - i] = tmp;
      }
  switch (t->kind)
    {
    case 'f':
      if (t->size == 4)
        {
          float f;
          memcpy (&f, b, 4);
          return f;
        }
      else
        {
          double d;
          memcpy (&d, b, 8);
          return d;
        }
    case 'i':
      switch (t->size)
        {
        case 1: return (gint8) b[0];
        case 2: { gint16 v; memcpy (&v, b, 2); return v; }
        case 4: { gint32 v; memcpy (&v, b, 4); return v; }
        default: { gint64 v; memcpy (&v, b, 8); return (double) v; }
        }
    default:
      switch (t->size)
        {
        case 1: return b[0];
        case 2: { guint16 v; memcpy (&v, b, 2); return v; }
        case 4: { guint32 v; memcpy (&v, b, 4); return v; }
        default: { guint64 v; memcpy (&v, b, 8); return (double) v; }
        }
    }
}

/* The header of an .npy file: element type, order, shape (@arr->data stays NULL) and where
 * the values start; the values themselves are not checked. */
static gboolean
decode_header (const guint8 *bytes, gsize len, const char *name, NpyType *type_out,
               gboolean *fortran_out, AsNpyArray *arr_out, gsize *data_offset, gsize *count_out,
               GError **error)
{
  guint major;
  gsize hlen, hstart, count = 1;
  g_autofree char *header = NULL;
  const char *v;
  NpyType type;
  gboolean fortran;
  AsNpyArray arr = { 0 };

  if (len < 10 || memcmp (bytes, npy_magic, 6) != 0)
    return fail (error, name, 0, _("not a NumPy .npy file (bad magic string)"));
  major = bytes[6];
  if (major == 1)
    {
      hlen = bytes[8] | ((gsize) bytes[9] << 8);
      hstart = 10;
    }
  else if (major == 2 || major == 3)
    {
      if (len < 12)
        return fail (error, name, 8, _("the header is truncated"));
      hlen = bytes[8] | ((gsize) bytes[9] << 8) | ((gsize) bytes[10] << 16) | ((gsize) bytes[11] << 24);
      hstart = 12;
    }
  else
    return fail (error, name, 6, _("unknown format version"));
  if (hlen > len - hstart)
    return fail (error, name, 8, _("the header is longer than the file"));
  header = g_strndup ((const char *) bytes + hstart, hlen);

  if (!parse_descr (header_value (header, "descr"), &type))
    return fail (error, name, hstart, _("unsupported data type (expected float or integer numbers)"));
  v = header_value (header, "fortran_order");
  if (v == NULL || (!g_str_has_prefix (v, "True") && !g_str_has_prefix (v, "False")))
    return fail (error, name, hstart, _("missing or invalid 'fortran_order'"));
  fortran = g_str_has_prefix (v, "True");
  v = header_value (header, "shape");
  if (v == NULL || *v != '(')
    return fail (error, name, hstart, _("missing or invalid 'shape'"));
  v++;
  while (*v != ')')
    {
      char *end;
      guint64 dim;

      while (*v == ' ' || *v == ',')
        v++;
      if (*v == ')')
        break;
      if (!g_ascii_isdigit (*v))
        return fail (error, name, hstart, _("invalid 'shape'"));
      dim = g_ascii_strtoull (v, &end, 10);
      if (arr.ndim >= AS_NPY_MAX_DIMS)
        return fail (error, name, hstart, _("too many dimensions"));
      if (dim != 0 && count > G_MAXSIZE / 16 / dim)
        return fail (error, name, hstart, _("absurd dimensions"));
      arr.shape[arr.ndim++] = (gsize) dim;
      count *= (gsize) dim;
      v = end;
    }
  *type_out = type;
  *fortran_out = fortran;
  *arr_out = arr;
  *data_offset = hstart + hlen;
  *count_out = count;
  return TRUE;
}

gboolean
as_npy_decode (const guint8 *bytes, gsize len, const char *name, AsNpyArray *out, GError **error)
{
  NpyType type;
  gboolean fortran;
  AsNpyArray arr = { 0 };
  gsize hstart_hlen, count;

  memset (out, 0, sizeof *out);
  if (!decode_header (bytes, len, name, &type, &fortran, &arr, &hstart_hlen, &count, error))
    return FALSE;
  if (count > (len - hstart_hlen) / type.size)
    return fail (error, name, hstart_hlen,
                 _("the file is truncated: fewer values than its shape announces"));

  arr.data = g_try_new (double, MAX (count, 1));
  if (arr.data == NULL)
    return fail (error, name, hstart_hlen, _("not enough memory for this array"));
  {
    const guint8 *p = bytes + hstart_hlen;

    if (!fortran || arr.ndim < 2)
      for (gsize i = 0; i < count; i++)
        arr.data[i] = load_value (p + i * type.size, &type);
    else
      {
        /* Fortran order: the first index varies fastest.  Walk the C-order
         * multi-index and compute the Fortran offset. */
        gsize idx[AS_NPY_MAX_DIMS] = { 0 };
        for (gsize i = 0; i < count; i++)
          {
            gsize off = 0, stride = 1;
            for (guint d = 0; d < arr.ndim; d++)
              {
                off += idx[d] * stride;
                stride *= arr.shape[d];
              }
            arr.data[i] = load_value (p + off * type.size, &type);
            for (int d = (int) arr.ndim - 1; d >= 0; d--)
              {
                if (++idx[d] < arr.shape[d])
                  break;
                idx[d] = 0;
              }
          }
      }
  }
  *out = arr;
  return TRUE;
}

gboolean
as_npy_read (const char *path, AsNpyArray *out, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;

  memset (out, 0, sizeof *out);
  if (!g_file_get_contents (path, &contents, &len, error))
    return FALSE;
  return as_npy_decode ((const guint8 *) contents, len, path, out, error);
}

gsize
as_npy_array_size (const AsNpyArray *array)
{
  gsize n = 1;

  for (guint i = 0; i < array->ndim; i++)
    n *= array->shape[i];
  return n;
}

void
as_npy_array_clear (AsNpyArray *array)
{
  g_clear_pointer (&array->data, g_free);
  array->ndim = 0;
}

gboolean
as_npy_read_header (const char *path, AsNpyArray *out, GError **error)
{
  return as_npy_read_region (path, 0, NULL, NULL, out, error);
}

gboolean
as_npy_read_region (const char *path, guint ndim, const gsize *start, const gsize *size,
                    AsNpyArray *out, GError **error)
{
  NpyType type;
  gboolean fortran;
  AsNpyArray arr = { 0 };
  gsize offset, count, hread, n_out = 1, run, n_runs;
  guint8 head[65536 + 16];
  g_autofree guint8 *buf = NULL;
  FILE *f;

  memset (out, 0, sizeof *out);
  f = fopen (path, "rb");
  if (f == NULL)
    {
      int e = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e), _("%s: %s"), path,
                   g_strerror (e));
      return FALSE;
    }
  /* Headers are a few hundred bytes; 64 KiB is the format's limit for version 1. */
  hread = fread (head, 1, sizeof head, f);
  if (!decode_header (head, hread, path, &type, &fortran, &arr, &offset, &count, error))
    {
      fclose (f);
      return FALSE;
    }
  if (ndim == 0)
    {
      fclose (f);
      *out = arr;
      return TRUE;
    }
  if (ndim != arr.ndim || (fortran && arr.ndim > 1))
    {
      fclose (f);
      return fail (error, path, 0, fortran ? _("a region can only be read from an array in C order")
                                           : _("the array does not have the dimensions expected"));
    }
  for (guint d = 0; d < ndim; d++)
    {
      if (start[d] > arr.shape[d] || size[d] > arr.shape[d] - start[d])
        {
          fclose (f);
          return fail (error, path, offset, _("the region asked for lies outside the array"));
        }
      n_out *= size[d];
    }
  run = size[ndim - 1];
  n_runs = run > 0 ? n_out / run : 0;
  arr.data = g_try_new (double, MAX (n_out, 1));
  buf = g_try_malloc (MAX (run, 1) * type.size);
  if (arr.data == NULL || buf == NULL)
    {
      fclose (f);
      g_free (arr.data);
      return fail (error, path, offset, _("not enough memory for this array"));
    }
  for (gsize r = 0; r < n_runs; r++)
    {
      /* The multi-index of this run's first element, then its byte offset in the file. */
      gsize rem = r, lin = 0, stride = 1;
      gsize idx[AS_NPY_MAX_DIMS];
      for (int d = (int) ndim - 2; d >= 0; d--)
        {
          idx[d] = start[d] + rem % size[d];
          rem /= size[d];
        }
      idx[ndim - 1] = start[ndim - 1];
      for (int d = (int) ndim - 1; d >= 0; d--)
        {
          lin += idx[d] * stride;
          stride *= arr.shape[d];
        }
      if (fseeko (f, (off_t) (offset + lin * type.size), SEEK_SET) != 0
          || fread (buf, type.size, run, f) != run)
        {
          fclose (f);
          g_free (arr.data);
          return fail (error, path, offset + lin * type.size,
                       _("the file is truncated: fewer values than its shape announces"));
        }
      for (gsize i = 0; i < run; i++)
        arr.data[r * run + i] = load_value (buf + i * type.size, &type);
    }
  fclose (f);
  for (guint d = 0; d < ndim; d++)
    arr.shape[d] = size[d];
  *out = arr;
  return TRUE;
}
