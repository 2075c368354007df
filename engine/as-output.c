/* as-output.c: temporary file + rename, no overwrite unless asked.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-output"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "as-output.h"

struct _AsOutput
{
  char    *path;
  char    *temp_path;
  FILE    *stream;
  gboolean overwrite;
};

/* umask can only be read by setting it: do it once, before any worker writes. */
static mode_t
process_umask (void)
{
  static gsize cached = 0;

  if (g_once_init_enter (&cached))
    {
      mode_t mask = umask (0);
      umask (mask);
      g_once_init_leave (&cached, (gsize) mask + 1);
    }
  return (mode_t) (cached - 1);
}

AsOutput *
as_output_open (const char *path, gboolean overwrite, GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmpl = NULL;
  AsOutput *out;
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  if (!overwrite && g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s: the file exists already (choose another name or allow overwriting)"),
                   path);
      return NULL;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                   _("%s: is a folder, not a file"), path);
      return NULL;
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmpl = g_strdup_printf ("%s%c.%s.XXXXXX.part", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp (tmpl);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s: cannot write in folder %s: %s"), path, dir, g_strerror (saved));
      return NULL;
    }

  /* mkstemp creates the file private (0600); an export gets the usual
   * permissions, as if created with open (…, 0666) under the umask. */
  fchmod (fd, 0666 & ~process_umask ());

  out = g_new0 (AsOutput, 1);
  out->path = g_strdup (path);
  out->temp_path = g_steal_pointer (&tmpl);
  out->overwrite = overwrite;
  out->stream = fdopen (fd, "wb");
  if (out->stream == NULL)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s: cannot write: %s"), path, g_strerror (saved));
      as_output_abort (out);
      return NULL;
    }
  return out;
}

FILE *
as_output_get_stream (AsOutput *out)
{
  return out->stream;
}

/* For libraries that open files by name (libsndfile, EDFlib): close our
 * stream and let them write the temporary path, then commit. */
const char *
as_output_get_temp_path (AsOutput *out)
{
  if (out->stream != NULL)
    {
      fclose (out->stream);
      out->stream = NULL;
    }
  return out->temp_path;
}

static void
output_free (AsOutput *out)
{
  g_free (out->path);
  g_free (out->temp_path);
  g_free (out);
}

gboolean
as_output_commit (AsOutput *out, GError **error)
{
  gboolean ok = TRUE;
  int saved = 0;

  if (out->stream != NULL)
    {
      if (fflush (out->stream) != 0 || ferror (out->stream) || fsync (fileno (out->stream)) != 0)
        {
          saved = errno;
          ok = FALSE;
        }
      if (fclose (out->stream) != 0 && ok)
        {
          saved = errno;
          ok = FALSE;
        }
      out->stream = NULL;
    }
  if (ok && !out->overwrite && g_file_test (out->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s: the file appeared while it was being written; it was kept"), out->path);
      g_unlink (out->temp_path);
      output_free (out);
      return FALSE;
    }
  if (ok && g_rename (out->temp_path, out->path) != 0)
    {
      saved = errno;
      ok = FALSE;
    }
  if (!ok)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s: writing failed: %s"), out->path, g_strerror (saved));
      g_unlink (out->temp_path);
    }
  output_free (out);
  return ok;
}

void
as_output_abort (AsOutput *out)
{
  if (out == NULL)
    return;
  if (out->stream != NULL)
    fclose (out->stream);
  g_unlink (out->temp_path);
  output_free (out);
}

gboolean
as_output_write_contents (const char *path, const void *data, gsize len,
                          gboolean overwrite, GError **error)
{
  AsOutput *out = as_output_open (path, overwrite, error);

  if (out == NULL)
    return FALSE;
  if (len > 0 && fwrite (data, 1, len, out->stream) != len)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("%s: writing failed: %s"), path, g_strerror (saved));
      as_output_abort (out);
      return FALSE;
    }
  return as_output_commit (out, error);
}
