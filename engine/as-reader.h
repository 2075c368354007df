/* as-reader.h: open any supported recording file into an AsRecording.
 *
 * Formats: EDF/EDF+/BDF/BDF+/GDF/BrainVision and the rest of libbiosig,
 * WAV/FLAC/OGG/... (libsndfile), CSV/TSV/whitespace text, EyeLink ASC and
 * NumPy .npy arrays, Neuromag/MEGIN FIF raw files.  Images have their own type (as-image.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "as-recording.h"

G_BEGIN_DECLS

typedef enum
{
  AS_FILE_FORMAT_UNKNOWN,
  AS_FILE_FORMAT_BIOSIG,   /* EDF, BDF, GDF, BrainVision, ... */
  AS_FILE_FORMAT_SOUND,    /* WAV, FLAC, OGG, AIFF, ... */
  AS_FILE_FORMAT_TEXT,     /* CSV, TSV, whitespace separated */
  AS_FILE_FORMAT_EYELINK,  /* EyeLink ASC */
  AS_FILE_FORMAT_NPY,
  AS_FILE_FORMAT_IMAGE,    /* PNG, JPEG: see as-image.h */
  AS_FILE_FORMAT_FIF,      /* Neuromag/MEGIN FIF raw (MNE-Python) */
  AS_FILE_FORMAT_BRAINVISION, /* .vhdr header, .vmrk markers, binary data */
} AsFileFormat;

/* How a delimited text file is laid out.  Every field left at zero is
 * guessed (as_read_text: the separator and the table that give the most
 * numbers, a metadata preamble before it, signals in rows when each row is a
 * label then many numbers, decimal commas in numbers). */
typedef enum
{
  AS_TEXT_ORIENTATION_GUESS,
  AS_TEXT_ORIENTATION_COLUMNS,  /* one column per signal, one line per sample */
  AS_TEXT_ORIENTATION_ROWS,     /* one line per signal: a label then its samples */
} AsTextOrientation;

typedef struct
{
  char              separator;   /* ',', ';', '\t' or ' ' (whitespace); 0: guess */
  char              decimal;     /* '.' or ','; 0: guess */
  gboolean          skip_given;  /* skip lines before the table (else guessed) */
  guint             skip;
  AsTextOrientation orientation;
  char             *time_column; /* NULL: guess by name; "none": no time column;
                                    else a column (row) label or its number from 1 */
  char            **names;       /* NULL, or the signals' names in order ("" or a
                                    missing entry: the name read) */
  char            **units;       /* likewise for their units */
} AsTextOptions;

/* Fills opts from the words a user typed (NULL or -1: leave the guess):
 * separator "," ";" "tab" "space" (or the character), decimal "." or ",",
 * skip ≥ 0, rows (TRUE: signals in rows), time column.  FALSE with an error
 * naming the option on a bad value. */
gboolean      as_text_options_set  (AsTextOptions *opts, const char *separator,
                                    const char *decimal, int skip, gboolean rows,
                                    const char *time_column, GError **error);
void          as_text_options_clear (AsTextOptions *opts);
void          as_text_options_copy  (AsTextOptions *dest, const AsTextOptions *src);

/* The layout a delimited text file was read with (what was given, the rest
 * as guessed). */
typedef struct
{
  char              separator;     /* ',', ';', '\t' or ' ' */
  char              decimal;       /* '.' or ',' */
  guint             skip;          /* lines before the table */
  guint             first_line;    /* the first line that is neither blank nor a comment */
  AsTextOrientation orientation;   /* COLUMNS or ROWS */
  gboolean          header;        /* the table's first column (row) holds names */
  char            **columns;       /* the table's column (or row) labels, the time
                                      and sample-number ones included */
  gint              time_column;   /* index in columns, or −1 */
  gint              index_column;  /* a column of sample numbers, or −1 */
  double            preamble_rate; /* Hz a line before the table states, else 0 */
} AsTextLayout;

void          as_text_layout_clear (AsTextLayout *layout);

typedef struct
{
  double        sfreq;          /* Hz, for files that do not say (NPY, text without a
                                   time column); 0: 1 Hz with a warning */
  gboolean      strict_rates;   /* refuse irregular time columns (text) and channels
                                   at different rates (EDF, GDF, ...) instead of
                                   resampling them with a note */
  AsTextOptions text;           /* delimited text: the layout, else guessed */
} AsReadOptions;

void          as_read_options_init (AsReadOptions *opts);

AsRecording  *as_recording_load    (const char *path, GError **error);
AsRecording  *as_recording_load_with_options (const char *path, const AsReadOptions *opts,
                                              GError **error);
AsFileFormat  as_file_format_guess (const char *name, const guint8 *head, gsize len);

/* Readers from memory (also the fuzz targets' entry points); name is used in
 * messages only.  All return NULL and set error on bad input. */
AsRecording  *as_read_text         (const char *name, const char *data, gsize len,
                                    const AsReadOptions *opts, GError **error);
/* What as_read_text would read, cheaply: the same guess and parse, but of the
 * first lines only: the recording holds at most max_samples samples of each
 * signal.  layout (may be NULL) receives the layout used.  NULL and error
 * when the text cannot be read so; layout is then filled as far as it was
 * found (columns NULL when no table was found). */
AsRecording  *as_text_preview      (const char *name, const char *data, gsize len,
                                    const AsReadOptions *opts, guint max_samples,
                                    AsTextLayout *layout, GError **error);
AsRecording  *as_read_eyelink      (const char *name, const char *data, gsize len,
                                    const AsReadOptions *opts, GError **error);
AsRecording  *as_read_sound        (const char *name, const guint8 *data, gsize len,
                                    GError **error);
AsRecording  *as_read_npy          (const char *name, const guint8 *data, gsize len,
                                    const AsReadOptions *opts, GError **error);
AsRecording  *as_read_fif          (const char *name, const guint8 *data, gsize len,
                                    GError **error);
/* BrainVision: the header's path; the data and marker files beside it. */
AsRecording  *as_read_brainvision  (const char *path, GError **error);
/* libbiosig needs a file; EDF/BDF headers are checked before it sees them. */
AsRecording  *as_read_biosig       (const char *path, const AsReadOptions *opts,
                                    GError **error);
/* Checks an EDF/BDF header (data: the first len bytes of a file of
 * file_size bytes).  Faults of the file's structure are errors; a file cut
 * after at least one whole data record is not (as_read_biosig reads the
 * whole records with a warning).  Faults of
 * one signal (a flat or inverted range, no samples) are errors too when
 * skipped is NULL; otherwise that signal's index (0-based) and the reason
 * are appended to skipped (a GPtrArray of "INDEX\tREASON" strings) so the
 * others can still be read. */
gboolean      as_edf_check_header  (const char *name, const guint8 *data, gsize len,
                                    gsize file_size, GPtrArray *skipped, GError **error);

/* An EDF/BDF header as read from the file (fields of Kemp et al. 1992), for
 * the readers of its data records. */
typedef struct
{
  char    *label;
  char    *unit;         /* µV spelled "uV" */
  double   pmin, pmax, dmin, dmax;
  gsize    spr;          /* samples per data record */
  gsize    offset;       /* bytes from the start of a data record */
  gboolean annotations;  /* an EDF+/BDF+ annotation signal */
  gboolean skip;         /* unusable (see as_edf_check_header) */
} AsEdfSignal;

typedef struct
{
  char        *format;          /* "EDF", "EDF+C", "EDF+D", "BDF", "BDF+C", ... */
  gboolean     bdf;             /* 24-bit samples, else 16-bit */
  gsize        header_bytes;
  gsize        record_bytes;
  gsize        n_records;       /* whole records in the file, at most those announced */
  gsize        announced;       /* records the header announces (-1 there: n_records) */
  double       record_duration; /* s */
  GDateTime   *start_time;      /* NULL when the header's date is unreadable */
  guint        n_signals;
  AsEdfSignal *signals;
} AsEdfHeader;

/* Reads and checks (as_edf_check_header) the header of an EDF/BDF file. */
AsEdfHeader  *as_edf_header_read   (const char *path, GError **error);
void          as_edf_header_free   (AsEdfHeader *hdr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AsEdfHeader, as_edf_header_free)

/* Sample values beyond this are refused as out of range: sums, squares and
 * interpolations of them must not overflow. */
#define AS_MAX_MAGNITUDE 1e100

/* Helpers shared by the readers. */
AsChannelType as_channel_guess_type (const char *label, const char *unit);
/* Checks text is text (UTF-8, no NUL byte; a BOM is skipped) and splits it
 * into lines without their CR/LF ends; NULL and error otherwise. */
char        **as_text_split_lines   (const char *name, const char *data, gsize len,
                                     GError **error);
gsize         as_recording_fill_gaps (AsRecording *rec);

G_END_DECLS
