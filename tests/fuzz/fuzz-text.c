/* fuzz-text.c: the CSV/TSV/whitespace reader.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "as-reader.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  AsReadOptions opts;

  as_read_options_init (&opts);
  /* the first byte chooses the options, so both paths are explored */
  if (size > 0 && (data[0] & 1))
    opts.resample_irregular = TRUE;
  if (size > 0 && (data[0] & 2))
    opts.sfreq = 250;
  rec = as_read_text ("fuzz.csv", (const char *) data, size, &opts, &error);
  fuzz_check_result (rec, error, "fuzz.csv");
  return 0;
}
