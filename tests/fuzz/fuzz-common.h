/* fuzz-common.h: invariants every reader's result must hold.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "as-recording.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A reader either fails with a message naming the input, or returns a
 * complete recording: at least one channel and sample, a positive rate,
 * finite values (or NaN flagged missing), finite events. */
static inline void
fuzz_check_result (const AsRecording *rec, const GError *error, const char *name)
{
  if ((rec == NULL) == (error == NULL))
    abort ();
  if (error != NULL)
    {
      if (error->message == NULL || strstr (error->message, name) == NULL)
        abort ();
      return;
    }
  if (rec->n_channels == 0 || rec->n_samples == 0 || !(rec->sfreq > 0) || !isfinite (rec->sfreq))
    abort ();
  /* values are finite, or NaN where the mask says nothing was recorded */
  for (gsize i = 0; i < (gsize) rec->n_channels * rec->n_samples; i++)
    if (!isfinite (rec->data[i]) && !(rec->missing != NULL && rec->missing[i] && isnan (rec->data[i])))
      abort ();
  for (guint c = 0; c < rec->n_channels; c++)
    if (rec->channels[c].label == NULL || rec->channels[c].unit == NULL
        || !g_utf8_validate (rec->channels[c].label, -1, NULL))
      abort ();
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      if (!isfinite (e->onset) || !isfinite (e->duration) || e->label == NULL)
        abort ();
    }
}
