/* atomscope-export-dialog.h: what is exported (atoms, activations, occurrences,
 * figures), where, and the export itself, run off the main loop.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"
#include "as-figure-atoms.h"
#include "as-figure-export.h"
#include "as-recording.h"

G_BEGIN_DECLS

/* Everything an export needs, immutable once built (safe on a worker thread). */
typedef struct
{
  char           *folder;
  char           *basename;
  gboolean        data;        /* the model folder BASENAME-model (docs/model-format.md) */
  gboolean        events;      /* occurrences as BIDS events.tsv */
  gboolean        figures;     /* signals, atoms, raster, convergence */
  AsFigureFormat  format;
  double          dpi;
  gboolean        overwrite;

  AsRecording    *recording;   /* references */
  AsFigureAtoms  *atoms;
  double          page_start, page_length;
  int             selected_atom;
  AsFigureSignalOptions signal_options;  /* reconstruction owned by the request */
  double         *reconstruction;

  /* For the model folder: what the model was learned with and on. */
  AsCdlParams     params;
  gboolean        has_params;
  JsonObject     *preprocessing; /* reference, or NULL */
  char           *source;        /* the file learned on, or NULL */
  AsRecording    *learned_on;    /* reference: channels of what the model explains, or NULL */
} AtomscopeExportRequest;

AtomscopeExportRequest *atomscope_export_request_new   (AsRecording *recording, AsFigureAtoms *atoms);
void                    atomscope_export_request_free  (AtomscopeExportRequest *req);
/* The model folder a request writes (BASENAME-model in its folder). */
char                   *atomscope_export_request_model_path (const AtomscopeExportRequest *req);
/* The files (and the model folder) the request will write, in order. */
GPtrArray              *atomscope_export_request_paths (const AtomscopeExportRequest *req);
/* Writes them; @written receives the paths written (may be NULL). */
gboolean                atomscope_export_request_run   (const AtomscopeExportRequest *req,
                                                        GPtrArray *written, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AtomscopeExportRequest, atomscope_export_request_free)

#define ATOMSCOPE_TYPE_EXPORT_DIALOG (atomscope_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeExportDialog, atomscope_export_dialog, ATOMSCOPE, EXPORT_DIALOG, AdwWindow)

/* The dialog fills @req's choices when the user presses Export, then emits
 * "export" with it (the handler takes it over). */
AtomscopeExportDialog *atomscope_export_dialog_new (GtkWindow *parent, AtomscopeExportRequest *req);

G_END_DECLS
