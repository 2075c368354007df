/* fuzz-montage.c: electrode position files (.elc, .sfp, .txt, .csv).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "as-montage.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsMontage) m = as_montage_parse ("fuzz.elc", (const char *) data, size, &error);

  if ((m == NULL) == (error == NULL))
    abort ();
  if (m == NULL)
    {
      if (strstr (error->message, "fuzz.elc") == NULL)
        abort ();
      return 0;
    }
  for (guint i = 0; i < m->n_electrodes; i++)
    {
      double xy[2];
      for (int k = 0; k < 3; k++)
        if (!isfinite (m->electrodes[i].pos[k]))
          abort ();
      as_project_azimuthal (m->electrodes[i].pos, 1, (double[3]) { 0, 0, 0 }, xy);
      if (!isfinite (xy[0]) || !isfinite (xy[1]))
        abort ();
      if (m->electrodes[i].label)
        {
          g_autofree char *n = as_electrode_label_normalize (m->electrodes[i].label);
          (void) as_montage_find (m, n);
        }
    }
  return 0;
}
