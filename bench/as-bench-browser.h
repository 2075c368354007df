/* as-bench-browser.h: paging through a day-long EEG (`atomscope-cli bench browser`).
 *
 * Writes an EDF+ of many hours (64 channels at 256 Hz by default) in a
 * temporary folder, opens it as the window does (as_recording_open: read page
 * by page when it exceeds the memory budget), then draws pages of 10 s and
 * of 30 min through the browser's display code (as_display_page_for_width,
 * as_figure_draw_signals_full) into an offscreen image, and reports the open
 * time, the time per page and the process's peak memory against the goals.
 * The file is deleted at the end.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  double hours;          /* length of the recording (default 24) */
  guint  n_channels;     /* default 64 */
  guint  sfreq;          /* Hz (default 256) */
  guint  short_pages;    /* pages of 10 s drawn (default 100) */
  guint  long_pages;     /* pages of 30 min drawn (default 20) */
  guint  width, height;  /* pixels of the image drawn (default 1600 × 900) */
  char  *dir;            /* where the file is written (NULL: the temporary folder) */
} AsBenchBrowserParams;

void     as_bench_browser_params_init (AsBenchBrowserParams *params);
/* Prints the measures and the goals (open < 2 s, a 10 s page < 16 ms and a
 * 30 min page < 50 ms as medians, peak memory < 1 GiB); *@met tells whether
 * all were met.  FALSE with @error when the file cannot be written or read
 * (a disk too small for it is said before writing). */
gboolean as_bench_browser_run         (const AsBenchBrowserParams *params, FILE *out,
                                       gboolean *met, GError **error);

G_END_DECLS
