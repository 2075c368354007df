/* as-json-out.h: a small JSON writer that always produces valid JSON.
 *
 * Numbers are written in the shortest form that reads back to the same double
 * (so a file is the same bytes whenever the values are); a non-finite number is
 * never written as a number: it becomes null and, for a member, a sibling
 * "<name>_reason" says why ("not a number", "infinite").  Strings are escaped as
 * JSON wants; bytes that are not UTF-8 are written as "\\xNN" (see
 * as_json_out_escape_bytes) so the text stays UTF-8.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _AsJsonOut AsJsonOut;

AsJsonOut *as_json_out_new          (void);
void       as_json_out_free         (AsJsonOut *out);
/* The text so far; valid JSON once every object and array is closed. */
const char *as_json_out_get_text    (AsJsonOut *out, gsize *length);

void as_json_out_begin_object (AsJsonOut *out);
void as_json_out_end_object   (AsJsonOut *out);
void as_json_out_begin_array  (AsJsonOut *out);
void as_json_out_end_array    (AsJsonOut *out);
/* The next value is the member @name of the current object. */
void as_json_out_member       (AsJsonOut *out, const char *name);

void as_json_out_string       (AsJsonOut *out, const char *value);   /* NULL: null */
void as_json_out_int          (AsJsonOut *out, gint64 value);
void as_json_out_bool         (AsJsonOut *out, gboolean value);
void as_json_out_null         (AsJsonOut *out);
/* In an array, a non-finite value is a bare null. */
void as_json_out_double       (AsJsonOut *out, double value);
/* Any json-glib tree (numbers go through as_json_out_double). */
void as_json_out_node         (AsJsonOut *out, JsonNode *node);

/* Members: name and value at once.  A non-finite double is written as null and
 * followed by the member "<name>_reason". */
void as_json_out_set_string   (AsJsonOut *out, const char *name, const char *value);
void as_json_out_set_int      (AsJsonOut *out, const char *name, gint64 value);
void as_json_out_set_bool     (AsJsonOut *out, const char *name, gboolean value);
void as_json_out_set_double   (AsJsonOut *out, const char *name, double value);

/* The reason written for a non-finite number, or NULL for a finite one. */
const char *as_json_out_nonfinite_reason (double value);

/* Shortest decimal text that reads back (g_ascii_strtod) as @value; finite only. */
void as_json_out_format_double (char buf[G_ASCII_DTOSTR_BUF_SIZE], double value);

/* Bytes (a file name in the file system's encoding) as UTF-8 text: valid UTF-8 is
 * kept as is, except that a backslash becomes "\\\\" when any byte needs escaping;
 * every byte of an invalid sequence becomes "\\xNN".  *escaped tells whether anything
 * was escaped (so as_json_out_unescape_bytes must be used to get the bytes back). */
char *as_json_out_escape_bytes   (const char *bytes, gboolean *escaped);
char *as_json_out_unescape_bytes (const char *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsJsonOut, as_json_out_free)

G_END_DECLS
