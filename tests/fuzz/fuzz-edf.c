/* fuzz-edf.c: EDF/BDF header checks, then libbiosig (guarded) on what passes.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "as-reader.h"
#include "fuzz-common.h"

static char *path;

static void
remove_scratch (void)
{
  if (path != NULL)
    g_unlink (path);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  gboolean header_ok;

  if (path == NULL)
    {
      int fd = g_file_open_tmp ("fuzz-XXXXXX.edf", &path, NULL);
      if (fd < 0)
        abort ();
      close (fd);
      atexit (remove_scratch);
    }
  header_ok = as_edf_check_header ("fuzz.edf", data, size, size, NULL, &error);
  if (!header_ok && (error == NULL || strstr (error->message, "fuzz.edf") == NULL))
    abort ();
  if (header_ok && error != NULL)
    abort ();
  g_clear_error (&error);
  {
    /* plain stdio: no fsync, so many inputs per second */
    FILE *f = fopen (path, "wb");
    if (f == NULL || fwrite (data, 1, size, f) != size || fclose (f) != 0)
      abort ();
  }
  rec = as_read_biosig (path, NULL, &error);
  fuzz_check_result (rec, error, path);
  /* anything the lenient check refuses, the reader refuses too */
  {
    g_autoptr (GError) e2 = NULL;
    g_autoptr (GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
    header_ok = as_edf_check_header ("fuzz.edf", data, size, size, skipped, &e2);
  }
  if (!header_ok && size >= 8 && (memcmp (data, "0       ", 8) == 0 || memcmp (data, "\xff" "BIOSEMI", 8) == 0)
      && rec != NULL)
    abort ();
  return 0;
}
