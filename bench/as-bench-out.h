/* as-bench-out.h: a benchmark's report lines.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Writes one formatted report line (a translated format) to @out.  Formatting
 * goes through GLib, so a translation that lacks a line break or holds other
 * text can never make the stream's own printf read past its arguments. */
void as_bench_print (FILE *out, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_END_DECLS
