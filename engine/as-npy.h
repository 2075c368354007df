/* as-npy.h: NumPy .npy arrays (format versions 1.0–3.0).
 *
 * Written as little-endian float64 in C order, readable by numpy.load as is.
 * Read: float32/float64 and integer types, either byte order, C or Fortran
 * order, always returned as float64 in C order.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AS_NPY_MAX_DIMS 8

typedef struct
{
  guint   ndim;
  gsize   shape[AS_NPY_MAX_DIMS];
  double *data;   /* C order, product of shape elements */
} AsNpyArray;

gboolean  as_npy_write        (const char   *path,
                               const double *data,
                               guint         ndim,
                               const gsize  *shape,
                               gboolean      overwrite,
                               GError      **error);
GBytes   *as_npy_encode       (const double *data, guint ndim, const gsize *shape);
gboolean  as_npy_read         (const char *path, AsNpyArray *out, GError **error);
gboolean  as_npy_decode       (const guint8 *bytes, gsize len, const char *name,
                               AsNpyArray *out, GError **error);
/* Only the shape of the array in @path (@out->data is NULL): the header is all that is read. */
gboolean  as_npy_read_header  (const char *path, AsNpyArray *out, GError **error);
/* The block [start, start + size) of an @ndim-dimensional C-order array, reading only its
 * bytes (a process of a distributed run reads its region of a recording this way). */
gboolean  as_npy_read_region  (const char *path, guint ndim, const gsize *start,
                               const gsize *size, AsNpyArray *out, GError **error);
gsize     as_npy_array_size   (const AsNpyArray *array);
void      as_npy_array_clear  (AsNpyArray *array);

G_END_DECLS
