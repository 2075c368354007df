/* fuzz-text.c: the CSV/TSV/whitespace reader and its preview (the text
 * import assistant's).
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
    opts.strict_rates = TRUE;
  if (size > 0 && (data[0] & 2))
    opts.sfreq = 250;
  /* and the layout the user can give instead of the guess */
  if (size > 0 && (data[0] & 4))
    opts.text.separator = ';';
  if (size > 0 && (data[0] & 8))
    opts.text.decimal = ',';
  if (size > 0 && (data[0] & 16))
    opts.text.orientation = AS_TEXT_ORIENTATION_ROWS;
  if (size > 0 && (data[0] & 32))
    {
      opts.text.skip_given = TRUE;
      opts.text.skip = data[0] >> 6;
    }
  rec = as_read_text ("fuzz.csv", (const char *) data, size, &opts, &error);
  fuzz_check_result (rec, error, "fuzz.csv");
  {
    g_autoptr (GError) preview_error = NULL;
    g_autoptr (AsRecording) head = NULL;
    AsTextLayout layout;

    opts.text.names = g_strsplit ("A,,C", ",", -1);
    head = as_text_preview ("fuzz.csv", (const char *) data, size, &opts, 5, &layout,
                            &preview_error);
    fuzz_check_result (head, preview_error, "fuzz.csv");
    if (head != NULL)
      g_assert_nonnull (layout.columns);
    as_text_layout_clear (&layout);
    as_text_options_clear (&opts.text);
  }
  return 0;
}
