/* as-cdl-export.h: write a learned CDL model to a folder (NPY arrays + a JSON description).
 *
 * Files: atoms.npy (K × P × L, images K × P × h × w), u.npy (K × P) and v.npy (K × L) for
 * rank-1 models, activations.npy (trials × K × valid positions; images add the two axes),
 * run.json (parameters, λ, λ_max, the objective trace with times, shapes).  Nothing is
 * written when one of them exists already, unless @overwrite.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"

G_BEGIN_DECLS

/* Fails (G_IO_ERROR_EXISTS) when an output file exists and @overwrite is FALSE. */
gboolean as_cdl_export_check (const char *dir, gboolean rank1, gboolean overwrite,
                              GError **error);
gboolean as_cdl_export       (const AsCdlModel *model, const AsCdlParams *params,
                              const char *source, const char *dir, gboolean overwrite,
                              GError **error);
/* The same, with the members of @extra (may be NULL) added to run.json: what was applied
 * before learning ("preprocessing"), how the run ended ("end_state"), ... */
gboolean as_cdl_export_with_extra (const AsCdlModel *model, const AsCdlParams *params,
                                   const char *source, const char *dir, gboolean overwrite,
                                   JsonObject *extra, GError **error);
const char *as_cdl_init_to_string (AsCdlInit init);
gboolean    as_cdl_init_from_string (const char *name, AsCdlInit *init);

G_END_DECLS
