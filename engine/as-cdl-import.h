/* as-cdl-import.h: read back a learned 1-D CDL model from the folder as-cdl-export wrote
 * (atoms.npy, activations.npy, run.json), so that its occurrences can be used again.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-cdl.h"

G_BEGIN_DECLS

/* Signals only (images are refused).  Fails naming the file and the reason. */
AsCdlModel *as_cdl_model_load (const char *dir, GError **error);

G_END_DECLS
