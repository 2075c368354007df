/* fuzz-brainvision.c: the BrainVision header and marker readers.  The input
 * is written as the header and as the marker file of a scratch folder whose
 * data file (fuzz.eeg, 1200 bytes) stays the same.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-reader.h"
#include "fuzz-common.h"

static char *dir, *vhdr, *vmrk, *eeg;

static void
remove_scratch (void)
{
  g_unlink (vhdr);
  g_unlink (vmrk);
  g_unlink (eeg);
  g_rmdir (dir);
}

static void
put (const char *p, const void *data, size_t size)
{
  FILE *f = fopen (p, "wb");
  if (f == NULL || (size > 0 && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;

  if (dir == NULL)
    {
      guint8 samples[1200];
      dir = g_dir_make_tmp ("fuzz-bv-XXXXXX", NULL);
      if (dir == NULL)
        abort ();
      vhdr = g_build_filename (dir, "fuzz.vhdr", NULL);
      vmrk = g_build_filename (dir, "fuzz.vmrk", NULL);
      eeg = g_build_filename (dir, "fuzz.eeg", NULL);
      for (guint i = 0; i < sizeof samples; i++)
        samples[i] = (guint8) (i * 37);
      put (eeg, samples, sizeof samples);
      atexit (remove_scratch);
    }
  put (vhdr, data, size);
  put (vmrk, data, size);
  rec = as_read_brainvision (vhdr, &error);
  /* the error names the header, or the data or marker file it points to:
   * all in the scratch folder */
  fuzz_check_result (rec, error, dir);
  return 0;
}
