/* fuzz-fif.c: the Neuromag/MEGIN FIF raw reader.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "as-reader.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_read_fif ("fuzz.fif", data, size, &error);

  fuzz_check_result (rec, error, "fuzz.fif");
  return 0;
}
