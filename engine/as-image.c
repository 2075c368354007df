/* as-image.c: images through GdkPixbuf (no GTK).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-image"

#include "config.h"

#include <sys/stat.h>

#include <inttypes.h>

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-image.h"
#include "as-output.h"
#include "as-reader.h"

/* 2^28 pixels: larger images are refused before decoding. */
#define MAX_PIXELS ((guint64) 1 << 28)

AsImage *
as_image_new (guint width, guint height, guint n_channels)
{
  AsImage *img = g_new0 (AsImage, 1);

  g_atomic_ref_count_init (&img->ref_count);
  img->width = width;
  img->height = height;
  img->n_channels = n_channels;
  img->data = g_new0 (double, MAX ((gsize) width * height * n_channels, 1));
  img->format = g_strdup ("");
  return img;
}

AsImage *
as_image_ref (AsImage *img)
{
  g_atomic_ref_count_inc (&img->ref_count);
  return img;
}

void
as_image_unref (AsImage *img)
{
  if (img == NULL || !g_atomic_ref_count_dec (&img->ref_count))
    return;
  g_free (img->data);
  g_free (img->path);
  g_free (img->format);
  g_free (img);
}

double *
as_image_plane (AsImage *img, guint channel)
{
  g_return_val_if_fail (channel < img->n_channels, NULL);
  return img->data + (gsize) channel * img->width * img->height;
}

static void
size_prepared (GdkPixbufLoader *loader, int width, int height, gpointer user)
{
  gboolean *too_big = user;

  if (width <= 0 || height <= 0 || (guint64) width * height > MAX_PIXELS)
    {
      *too_big = TRUE;
      gdk_pixbuf_loader_set_size (loader, 1, 1);
    }
}

static AsImage *
from_pixbuf (GdkPixbuf *pb)
{
  guint w = gdk_pixbuf_get_width (pb), h = gdk_pixbuf_get_height (pb);
  guint nc = gdk_pixbuf_get_n_channels (pb), stride = gdk_pixbuf_get_rowstride (pb);
  const guint8 *px = gdk_pixbuf_read_pixels (pb);
  gboolean grey = TRUE;
  AsImage *img;

  for (guint y = 0; y < h && grey && nc >= 3; y++)
    for (guint x = 0; x < w; x++)
      {
        const guint8 *p = px + (gsize) y * stride + (gsize) x * nc;
        if (p[0] != p[1] || p[1] != p[2])
          {
            grey = FALSE;
            break;
          }
      }
  img = as_image_new (w, h, grey ? 1 : 3);
  for (guint c = 0; c < img->n_channels; c++)
    {
      double *plane = as_image_plane (img, c);
      for (guint y = 0; y < h; y++)
        for (guint x = 0; x < w; x++)
          plane[(gsize) y * w + x] = px[(gsize) y * stride + (gsize) x * nc + MIN (c, nc - 1)] / 255.0;
    }
  return img;
}

AsImage *
as_image_load_bytes (const char *name, const guint8 *data, gsize len, GError **error)
{
  g_autoptr (GdkPixbufLoader) loader = NULL;
  g_autoptr (GError) local = NULL;
  gboolean too_big = FALSE;
  GdkPixbuf *pb;
  GdkPixbufFormat *fmt;
  AsImage *img;

  if (len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the file is empty"), name);
      return NULL;
    }
  /* A cut PNG or JPEG still decodes, to grey or to half an image: what is
   * missing cannot be trusted, so it is refused.  A PNG ends with its IEND
   * chunk, a JPEG with the end-of-image marker (trailing bytes tolerated). */
  if (len >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
    {
      gboolean end = FALSE;
      for (gsize i = len >= 64 ? len - 64 : 8; i + 8 <= len && !end; i++)
        end = memcmp (data + i, "IEND\xae\x42\x60\x82", 8) == 0;
      if (!end)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: byte %zu: the PNG file is truncated (it ends before its IEND chunk)"),
                       name, len);
          return NULL;
        }
      /* The size in the header is checked before decoding: the PNG decoder allocates and
       * fills a huge image row by row before the loader could scale it down. */
      if (len >= 24 && memcmp (data + 12, "IHDR", 4) == 0)
        {
          guint64 w = ((guint64) data[16] << 24) | ((guint64) data[17] << 16) | ((guint64) data[18] << 8) | data[19];
          guint64 h = ((guint64) data[20] << 24) | ((guint64) data[21] << 16) | ((guint64) data[22] << 8) | data[23];
          if (w == 0 || h == 0)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: byte 16: the PNG header gives an image of %" PRIu64 " × %" PRIu64 " pixels"),
                           name, w, h);
              return NULL;
            }
          if (w * h > MAX_PIXELS)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                           _("%s: the image (%" PRIu64 " × %" PRIu64 " pixels) is larger than %" PRIu64 " pixels"),
                           name, w, h, MAX_PIXELS);
              return NULL;
            }
        }
    }
  else if (len >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0)
    {
      gboolean end = FALSE;
      for (gsize i = len >= 64 ? len - 64 : 2; i + 2 <= len && !end; i++)
        end = data[i] == 0xff && data[i + 1] == 0xd9;
      if (!end)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: byte %zu: the JPEG file is truncated (it ends before its end-of-image marker)"),
                       name, len);
          return NULL;
        }
    }
  loader = gdk_pixbuf_loader_new ();
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared), &too_big);
  if (!gdk_pixbuf_loader_write (loader, data, len, &local)
      || !gdk_pixbuf_loader_close (loader, &local))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: not a readable image: %s"),
                   name, local ? local->message : _("unknown reason"));
      return NULL;
    }
  if (too_big)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: the image is larger than %" PRIu64 " pixels"), name, MAX_PIXELS);
      return NULL;
    }
  pb = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pb == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the image holds no pixels"),
                   name);
      return NULL;
    }
  img = from_pixbuf (pb);
  fmt = gdk_pixbuf_loader_get_format (loader);
  if (fmt != NULL)
    {
      g_autofree char *n = gdk_pixbuf_format_get_name (fmt);
      g_free (img->format);
      img->format = g_ascii_strup (n, -1);
    }
  return img;
}

AsImage *
as_image_load (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize len;
  AsImage *img;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: is a folder, not an image"), path);
      return NULL;
    }
  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  img = as_image_load_bytes (path, (const guint8 *) contents, len, error);
  if (img != NULL)
    img->path = g_strdup (path);
  return img;
}

gboolean
as_file_is_image (const char *path)
{
  guint8 head[16];
  gsize n = 0;
  GStatBuf st;
  FILE *f;

  /* Never open a pipe or a device to look at it: the reader says what it is. */
  if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  f = g_fopen (path, "rb");
  if (f != NULL)
    {
      n = fread (head, 1, sizeof head, f);
      fclose (f);
    }
  return as_file_format_guess (path, head, n) == AS_FILE_FORMAT_IMAGE;
}

gboolean
as_image_check_learnable (const AsImage *img, const char *name, GError **error)
{
  const gsize n = (gsize) img->n_channels * img->height * img->width;
  gsize i = 1;

  while (i < n && img->data[i] == img->data[0])
    i++;
  if (i < n)
    return TRUE;
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
               _("%s: every pixel of the image has the same value (%g): nothing to learn from"),
               name, n > 0 ? img->data[0] : 0.0);
  return FALSE;
}

gboolean
as_image_write_png (const AsImage *img, const char *path, gboolean overwrite, GError **error)
{
  g_autoptr (GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, img->width, img->height);
  guint8 *px = gdk_pixbuf_get_pixels (pb);
  guint stride = gdk_pixbuf_get_rowstride (pb);
  g_autofree char *buf = NULL;
  gsize len;

  for (guint y = 0; y < img->height; y++)
    for (guint x = 0; x < img->width; x++)
      for (guint c = 0; c < 3; c++)
        {
          guint src = MIN (c, img->n_channels - 1);
          double v = img->data[(gsize) src * img->width * img->height + (gsize) y * img->width + x];
          v = isnan (v) ? 0 : CLAMP (v, 0.0, 1.0);
          px[(gsize) y * stride + x * 3 + c] = (guint8) (v * 255.0 + 0.5);
        }
  if (!gdk_pixbuf_save_to_buffer (pb, &buf, &len, "png", error, NULL))
    return FALSE;
  return as_output_write_contents (path, buf, len, overwrite, error);
}
