/* as-output.h: files written whole or not at all.
 *
 * Every export goes to a temporary file in the target folder and is renamed
 * over the target only once complete; an existing target is kept unless the
 * caller asked to overwrite it.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdio.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _AsOutput AsOutput;

AsOutput   *as_output_open        (const char *path, gboolean overwrite, GError **error);
FILE       *as_output_get_stream  (AsOutput *out);
const char *as_output_get_temp_path (AsOutput *out);
gboolean    as_output_commit      (AsOutput *out, GError **error);
void        as_output_abort       (AsOutput *out);
gboolean    as_output_write_contents (const char *path, const void *data, gsize len,
                                      gboolean overwrite, GError **error);

G_END_DECLS
