/* as-cdl-export.h: the one writer of a model folder (format: docs/model-format.md).
 *
 * A model folder holds atoms.npy (K × P × L, images K × P × h × w), u.npy (K × P) and
 * v.npy (K × L, images K × h × w) for rank-1 models, activations.npy (trials × K ×
 * valid positions; images trials × K × valid rows × valid columns) and run.json
 * (format_version, source, parameters, λ, λ_max, preprocessing, end state, objective
 * trace, channels).  The window and the command line both write through here.
 *
 * The folder is written whole or not at all: everything goes into a hidden temporary
 * folder beside the target, which is then renamed over it.  An existing folder is kept
 * unless @overwrite, and is then replaced as a whole (never merged).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"
#include "as-recording.h"

G_BEGIN_DECLS

#define AS_MODEL_FORMAT_VERSION 1

/* What a model folder says about where the model came from. */
typedef struct
{
  const char        *source;        /* recording or image path (file-system bytes), or NULL */
  const AsRecording *recording;     /* what the model explains: channels, units, positions */
  JsonObject        *preprocessing; /* what was done to the file before learning (borrowed) */
  const char        *dictionary;    /* encoding: the model folder the atoms came from */
  const char        *command;       /* "learn" (default) or "encode" */
  gboolean           checkpoint;    /* written while learning goes on: end state "checkpoint" */
} AsCdlExportInfo;

void     as_cdl_export_info_init (AsCdlExportInfo *info);

/* Bytes the folder will take (arrays, headers and a generous JSON allowance). */
guint64  as_cdl_export_estimate_size (const AsCscShape *shape, guint n_trials, gboolean rank1,
                                      guint max_iter);
/* Before learning: fails when @dir exists (and is not an empty folder) unless
 * @overwrite, when @overwrite would replace a folder that is not a model folder, when
 * the parent cannot be created or written, or when its file system has less than
 * @estimated_bytes free.  Creates the parent folders. */
gboolean as_cdl_export_prepare (const char *dir, guint64 estimated_bytes, gboolean overwrite,
                                GError **error);
/* Only the existence checks of as_cdl_export_prepare (no folder is created). */
gboolean as_cdl_export_check   (const char *dir, gboolean rank1, gboolean overwrite,
                                GError **error);
gboolean as_cdl_export_full    (const AsCdlModel *model, const AsCdlParams *params,
                                const AsCdlExportInfo *info, const char *dir,
                                gboolean overwrite, GError **error);
/* as_cdl_export_full with only a source path. */
gboolean as_cdl_export         (const AsCdlModel *model, const AsCdlParams *params,
                                const char *source, const char *dir, gboolean overwrite,
                                GError **error);

/* How learning ended: "converged", "iteration limit", "stopped by you" or "encoded". */
const char *as_cdl_model_end_state (const AsCdlModel *model);

const char *as_cdl_init_to_string (AsCdlInit init);
gboolean    as_cdl_init_from_string (const char *name, AsCdlInit *init);

G_END_DECLS
