/* fuzz-eyelink.c: the EyeLink ASC reader.
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
  g_autoptr (AsRecording) rec = as_read_eyelink ("fuzz.asc", (const char *) data, size, NULL, &error);

  fuzz_check_result (rec, error, "fuzz.asc");
  return 0;
}
