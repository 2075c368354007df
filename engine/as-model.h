/* as-model.h: reading a model folder (docs/model-format.md) back.
 *
 * as_model_load() checks that every file is there, that the arrays have the shapes
 * run.json announces, that the values are finite and that the format version is one
 * this program reads; each failure is a GError naming the file and the reason.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"
#include "as-preprocess.h"

G_BEGIN_DECLS

typedef struct
{
  char    *name;
  char    *unit;
  char    *type;          /* "EEG", "gaze", ... as as_channel_type_to_string() */
  gboolean has_position;
  double   position[3];   /* metres */
} AsModelChannel;

typedef struct
{
  gatomicrefcount ref_count;
  char           *dir;
  gint64          format_version;
  AsCdlModel     *model;          /* atoms, u, v, activations, λ, trace, ... */
  AsCdlParams     params;         /* as asked for (a model stopped while atoms were being
                                   * added has fewer atoms than params.n_atoms) */
  char           *source;         /* the recording's path (file-system bytes), or NULL */
  char           *source_name;    /* its base name, or NULL */
  char           *dictionary;     /* encoded models: the folder the atoms came from */
  char           *command;        /* "learn" or "encode" */
  char           *created;        /* ISO 8601, or NULL */
  char           *end_state;      /* "converged", "iteration limit", "stopped by you", "encoded" */
  JsonObject     *preprocessing;  /* NULL when none was recorded */
  AsModelChannel *channels;       /* n_channels entries, or NULL */
  guint           n_channels;
  JsonObject     *run;            /* all of run.json */
  char          **pre_channels;   /* storage for as_model_get_preprocess_options() */
} AsModel;

AsModel    *as_model_load  (const char *dir, GError **error);
AsModel    *as_model_ref   (AsModel *model);
void        as_model_unref (AsModel *model);

/* The preprocessing the model records, as options for as_preprocess(); strings point
 * into @model.  FALSE (options left at their defaults) when none was recorded. */
gboolean    as_model_get_preprocess_options (const AsModel *model, AsPreprocessOptions *opts);
/* The recording the model was learned on, if it can be found: the recorded path, else
 * a file of the same name beside the model folder or inside it.  NULL otherwise. */
char       *as_model_find_source (const AsModel *model);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsModel, as_model_unref)

G_END_DECLS
