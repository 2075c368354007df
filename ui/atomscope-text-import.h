/* atomscope-text-import.h: the text import assistant: how a delimited text
 * file is laid out (separator, decimal mark, lines before the table, signals
 * in columns or rows, the time column or the rate, names and units), from the
 * engine's guesses, with a live preview of what will be read.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "as-reader.h"

G_BEGIN_DECLS

#define ATOMSCOPE_TYPE_TEXT_IMPORT (atomscope_text_import_get_type ())
G_DECLARE_FINAL_TYPE (AtomscopeTextImport, atomscope_text_import, ATOMSCOPE, TEXT_IMPORT, AdwWindow)

/* Reads @file (off the main loop) and shows its guessed layout.  When the
 * user presses Open, "import" is emitted with the file and the AsReadOptions
 * chosen (valid during the emission), then the window closes. */
AtomscopeTextImport *atomscope_text_import_new (GtkWindow *parent, GFile *file);

/* Worker threads only (reads the file's first lines): TRUE when a text file
 * is not plain columns (a preamble, signals in rows, a decimal comma, no time
 * column nor stated rate) or its layout cannot be guessed, so the assistant
 * should be shown before reading it. */
gboolean             atomscope_text_import_is_needed (const char *path);

/* For the UI tests. */
/* Previews shown so far (a parse or an error). */
guint                atomscope_text_import_get_preview_count (AtomscopeTextImport *self);
/* The last preview: the first samples as they will be read (NULL after an
 * error) and the layout used. */
AsRecording         *atomscope_text_import_get_preview  (AtomscopeTextImport *self);
const AsTextLayout  *atomscope_text_import_get_layout   (AtomscopeTextImport *self);
/* The text of the preview table's cell (row 0: the headings; column 0: the
 * time), NULL outside the table. */
const char          *atomscope_text_import_get_cell     (AtomscopeTextImport *self, guint row,
                                                         guint column);
/* "separator", "decimal", "skip", "orientation", "time", "rate", "open", "error",
 * "summary", or "name N" / "unit N" (N from 1): the widget a user changes or reads. */
GtkWidget           *atomscope_text_import_get_control  (AtomscopeTextImport *self,
                                                         const char *name);

G_END_DECLS
