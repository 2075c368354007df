/* as-image.h: an image as doubles, for 2-D atoms.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gatomicrefcount ref_count;
  char   *path;
  char   *format;      /* "PNG", "JPEG", ... */
  guint   width, height;
  guint   n_channels;  /* 1 grey, 3 colour (alpha is dropped) */
  double *data;        /* planar: n_channels × height × width, row 0 at the top, in [0, 1] */
} AsImage;

AsImage  *as_image_new        (guint width, guint height, guint n_channels);
AsImage  *as_image_ref        (AsImage *img);
void      as_image_unref      (AsImage *img);
double   *as_image_plane      (AsImage *img, guint channel);
/* PNG, JPEG and what else GdkPixbuf reads; colour images whose three
 * channels are equal become grey. */
AsImage  *as_image_load       (const char *path, GError **error);
/* Something to learn from: not every pixel the same (named @name in the error). */
gboolean  as_image_check_learnable (const AsImage *img, const char *name, GError **error);
AsImage  *as_image_load_bytes (const char *name, const guint8 *data, gsize len, GError **error);
gboolean  as_file_is_image    (const char *path);
/* Writes a PNG; values are clamped to [0, 1] (nothing overwritten unless asked). */
gboolean  as_image_write_png  (const AsImage *img, const char *path, gboolean overwrite,
                               GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsImage, as_image_unref)

G_END_DECLS
