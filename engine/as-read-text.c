/* as-read-text.c: delimited text (CSV, TSV, whitespace).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-reader"

#include "config.h"

#include <inttypes.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-reader.h"

#define MAX_COLUMNS 4096
#define GUESS_LINES 2000  /* lines looked at to guess a text file's layout */

/* ---------------------------------------------------------------- shared */

/* Checks the text is text (UTF-8, no NUL byte) and splits it into lines
 * without their CR/LF ends.  Returns a NULL-terminated vector. */
char **
as_text_split_lines (const char *name, const char *data, gsize len, GError **error)
{
  const char *bad;
  g_autofree char *copy = NULL;
  const char *nul = memchr (data, '\0', len);
  char **lines;

  if (len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, _("%s: the file is empty"), name);
      return NULL;
    }
  if (nul != NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: byte %zu: binary data (a NUL byte) in a text file"), name,
                   (gsize) (nul - data));
      return NULL;
    }
  if (!g_utf8_validate (data, len, &bad))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: byte %zu: not valid UTF-8 text"), name, (gsize) (bad - data));
      return NULL;
    }
  if (len >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    data += 3, len -= 3;
  copy = g_strndup (data, len);
  lines = g_strsplit (copy, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      gsize l = strlen (lines[i]);
      while (l > 0 && (lines[i][l - 1] == '\r'))
        lines[i][--l] = '\0';
    }
  return lines;
}

static gboolean
is_missing (const char *s)
{
  return *s == '\0' || strcmp (s, ".") == 0 || g_ascii_strcasecmp (s, "nan") == 0
         || g_ascii_strcasecmp (s, "na") == 0 || g_ascii_strcasecmp (s, "n/a") == 0
         || g_ascii_strcasecmp (s, "null") == 0 || strcmp (s, "-") == 0;
}

/* Parses a whole field as a number: 0 ok, 1 missing (NaN), -1 not a number. */
static int
parse_number (const char *s, gboolean decimal_comma, double *v)
{
  char buf[64];
  char *end;

  if (is_missing (s))
    {
      *v = NAN;
      return 1;
    }
  if (decimal_comma && strchr (s, ','))
    {
      gsize l = strlen (s);
      if (l >= sizeof buf)
        return -1;
      for (gsize i = 0; i <= l; i++)
        buf[i] = s[i] == ',' ? '.' : s[i];
      s = buf;
    }
  *v = g_ascii_strtod (s, &end);
  if (end == s || *end != '\0')
    return -1;
  if (isnan (*v))
    return 1;
  if (fabs (*v) > AS_MAX_MAGNITUDE)
    *v = INFINITY;  /* reported as out of range by the caller */
  return 0;
}

/* ------------------------------------------------------------------- CSV */

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

typedef enum { SEP_COMMA = ',', SEP_SEMICOLON = ';', SEP_TAB = '\t', SEP_SPACE = ' ' } Sep;

static char **
split_fields (char *line, Sep sep)
{
  char **f;

  if (sep == SEP_SPACE)
    {
      g_auto (GStrv) raw = g_strsplit_set (line, " \t", -1);
      GPtrArray *out = g_ptr_array_new ();
      for (guint i = 0; raw[i]; i++)
        if (raw[i][0] != '\0')
          {
            /* "Fp1 [uV]": a bracketed unit belongs to the name before it */
            if ((raw[i][0] == '[' || raw[i][0] == '(') && out->len > 0)
              {
                char *prev = g_ptr_array_index (out, out->len - 1);
                out->pdata[out->len - 1] = g_strconcat (prev, " ", raw[i], NULL);
                g_free (prev);
              }
            else
              g_ptr_array_add (out, g_strdup (raw[i]));
          }
      g_ptr_array_add (out, NULL);
      return (char **) g_ptr_array_free (out, FALSE);
    }
  {
    char s[2] = { (char) sep, 0 };
    f = g_strsplit (line, s, MAX_COLUMNS + 2);
  }
  for (guint i = 0; f[i]; i++)
    {
      gsize l;
      g_strstrip (f[i]);
      l = strlen (f[i]);
      if (l >= 2 && ((f[i][0] == '"' && f[i][l - 1] == '"') || (f[i][0] == '\'' && f[i][l - 1] == '\'')))
        {
          memmove (f[i], f[i] + 1, l - 2);
          f[i][l - 2] = '\0';
        }
    }
  return f;
}

static gboolean
is_comment (const char *line)
{
  while (*line == ' ' || *line == '\t')
    line++;
  return *line == '\0' || *line == '#' || *line == '%' || (line[0] == '/' && line[1] == '/');
}

static const char *const known_units[] = {
  "uV", "µV", "μV", "mV", "nV", "V", "deg", "degrees", "rad", "px", "pix", "pixels", "mm", "cm",
  "m", "s", "ms", "us", "Hz", "Pa", "kPa", "mmHg", "a.u.", "au", "bpm", "%", "degC", "N", "g",
  "T", "fT", "pT", "mA", "A", "ohm", "kohm", NULL
};

static const char *
known_unit (const char *u)
{
  for (guint i = 0; known_units[i]; i++)
    if (strcmp (u, known_units[i]) == 0)
      return known_units[i];
  for (guint i = 0; known_units[i]; i++)
    if (g_ascii_strcasecmp (u, known_units[i]) == 0)
      return known_units[i];
  return NULL;
}

/* "Fp1 [uV]", "Fp1 (uV)", "eye_position_deg": the label and the unit. */
static void
split_label_unit (const char *field, char **label, char **unit)
{
  const char *open = strrchr (field, '[');
  const char *paren = strrchr (field, '(');
  gsize l = strlen (field);

  if (open == NULL || (paren && paren > open))
    open = paren;
  if (open != NULL && l > 0 && (field[l - 1] == ']' || field[l - 1] == ')') && open > field)
    {
      *label = g_strstrip (g_strndup (field, open - field));
      *unit = g_strstrip (g_strndup (open + 1, field + l - 1 - open - 1));
      if (strcmp (*unit, "µV") == 0 || strcmp (*unit, "μV") == 0)
        g_free (*unit), *unit = g_strdup ("uV");
      return;
    }
  {
    const char *us = strrchr (field, '_');
    const char *u;
    if (us != NULL && us > field && (u = known_unit (us + 1)) != NULL)
      {
        *label = g_strndup (field, us - field);
        *unit = g_strdup ((strcmp (u, "µV") == 0 || strcmp (u, "μV") == 0) ? "uV" : u);
        return;
      }
  }
  *label = g_strdup (field);
  *unit = g_strdup ("");
}

static gboolean
is_time_name (const char *label)
{
  static const char *const names[] = { "time", "t", "times", "timestamp", "timestamps", "seconds",
                                       "sec", "secs", "latency", "time_s", "time_ms", NULL };
  for (guint i = 0; names[i]; i++)
    if (g_ascii_strcasecmp (label, names[i]) == 0)
      return TRUE;
  return g_ascii_strncasecmp (label, "time", 4) == 0 && !g_ascii_isalpha (label[4]);
}

/* A first column of sample numbers carries no signal. */
static gboolean
is_index_name (const char *label)
{
  static const char *const names[] = { "sample", "samples", "index", "idx", "sample_index", "n", NULL };
  for (guint i = 0; names[i]; i++)
    if (g_ascii_strcasecmp (label, names[i]) == 0)
      return TRUE;
  return FALSE;
}

static double
time_unit_scale (const char *unit)
{
  if (strcmp (unit, "ms") == 0)
    return 1e-3;
  if (strcmp (unit, "us") == 0)
    return 1e-6;
  return 1.0;
}

/* ------------------------------------------------------------ the layout */

gboolean
as_text_options_set (AsTextOptions *opts, const char *separator, const char *decimal, int skip,
                     gboolean rows, const char *time_column, GError **error)
{
  if (separator != NULL)
    {
      if (strcmp (separator, ",") == 0 || g_ascii_strcasecmp (separator, "comma") == 0)
        opts->separator = ',';
      else if (strcmp (separator, ";") == 0 || g_ascii_strcasecmp (separator, "semicolon") == 0)
        opts->separator = ';';
      else if (strcmp (separator, "\t") == 0 || strcmp (separator, "\\t") == 0
               || g_ascii_strcasecmp (separator, "tab") == 0)
        opts->separator = '\t';
      else if (strcmp (separator, " ") == 0 || g_ascii_strcasecmp (separator, "space") == 0
               || g_ascii_strcasecmp (separator, "whitespace") == 0)
        opts->separator = ' ';
      else
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--separator: “%s” is not one of , ; tab space"), separator);
          return FALSE;
        }
    }
  if (decimal != NULL)
    {
      if (strcmp (decimal, ".") == 0 || strcmp (decimal, ",") == 0)
        opts->decimal = decimal[0];
      else
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--decimal: “%s” is not . or ,"), decimal);
          return FALSE;
        }
    }
  if (skip < -1 || skip > 1000000)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("--skip: %d is not a number of lines from 0 to 1000000"), skip);
      return FALSE;
    }
  if (skip >= 0)
    {
      opts->skip_given = TRUE;
      opts->skip = skip;
    }
  if (rows)
    opts->orientation = AS_TEXT_ORIENTATION_ROWS;
  if (time_column != NULL)
    {
      if (*time_column == '\0')
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("--time-column: give a column name, its number from 1, or none"));
          return FALSE;
        }
      g_free (opts->time_column);
      opts->time_column = g_strdup (time_column);
    }
  return TRUE;
}

void
as_text_options_clear (AsTextOptions *opts)
{
  g_clear_pointer (&opts->time_column, g_free);
  g_clear_pointer (&opts->names, g_strfreev);
  g_clear_pointer (&opts->units, g_strfreev);
}

void
as_text_options_copy (AsTextOptions *dest, const AsTextOptions *src)
{
  *dest = *src;
  dest->time_column = g_strdup (src->time_column);
  dest->names = g_strdupv (src->names);
  dest->units = g_strdupv (src->units);
}

void
as_text_layout_clear (AsTextLayout *layout)
{
  g_clear_pointer (&layout->columns, g_strfreev);
}

static gboolean
is_number_cell (const char *s, gboolean decimal_comma)
{
  double v;

  return !is_missing (s) && parse_number (s, decimal_comma, &v) == 0;
}

/* What the guess found: the table starts at line skip. */
typedef struct
{
  Sep      sep;
  gboolean decimal_comma;
  guint    skip;
  gboolean rows;
  guint    n_fields;
  double   preamble_rate;  /* a rate the preamble states, else 0 */
} Layout;

/* For one separator: the field count whose lines hold the most numbers, how
 * many they hold, and where the table starts: the first line of that count
 * with more numbers than not, or the header line just before it.  With
 * fixed_start the table starts at the first line from `from`. */
static gsize
table_score (char **lines, guint n_lines, Sep sep, gboolean decimal_comma, guint from,
             gboolean fixed_start, guint *start, guint *n_fields)
{
  g_autofree guint *count = g_new0 (guint, n_lines + 1);
  g_autofree gsize *nums = g_new0 (gsize, MAX_COLUMNS + 2);
  g_autofree guint8 *numeric = g_new0 (guint8, n_lines + 1);
  guint best = 0;
  gint first = -1;

  /* the layout shows in the first lines: a long file is not read 8 times */
  n_lines = MIN (n_lines, from + GUESS_LINES);
  for (guint i = from; i < n_lines; i++)
    {
      g_auto (GStrv) f = NULL;
      guint nf, k = 0;
      if (is_comment (lines[i]))
        continue;
      if (first < 0)
        first = i;
      f = split_fields (lines[i], sep);
      nf = g_strv_length (f);
      if (nf >= 2 && f[nf - 1][0] == '\0')
        nf--;  /* a trailing separator */
      nf = MIN (nf, MAX_COLUMNS + 1);
      for (guint c = 0; c < nf; c++)
        k += is_number_cell (f[c], decimal_comma);
      count[i] = nf;
      numeric[i] = 2 * k > nf;
      nums[nf] += k;
    }
  if (first < 0)
    return 0;
  if (fixed_start)
    best = count[first];
  else
    for (guint n = 1; n <= MAX_COLUMNS + 1; n++)
      if (nums[n] > nums[best])
        best = n;
  if (best == 0 || nums[best] == 0)
    return 0;
  *n_fields = best;
  if (fixed_start)
    {
      *start = first;
      return nums[best];
    }
  *start = first;
  for (guint i = first; i < n_lines; i++)
    if (count[i] == best && numeric[i])
      {
        gint prev = (gint) i - 1;
        while (prev >= first && is_comment (lines[prev]))
          prev--;
        *start = prev >= first && count[prev] == best && !numeric[prev] ? (guint) prev : i;
        break;
      }
  return nums[best];
}

/* "Sampling rate: 200 Hz", "Abtastrate;200", "Fs = 1000", "Sample interval
 * (ms);5": a rate stated in the preamble. */
static double
preamble_rate (char **lines, guint skip)
{
  for (guint i = 0; i < skip && lines[i]; i++)
    {
      g_autofree char *low = g_ascii_strdown (lines[i], -1);
      gboolean rate = strstr (low, "rate") || strstr (low, "frequen") || strstr (low, "fs")
                      || strstr (low, "hz");
      gboolean interval = strstr (low, "interval") || strstr (low, "period");
      const char *p = low;

      if (!rate && !interval)
        continue;
      while (*p && !g_ascii_isdigit (*p))
        p++;
      if (*p)
        {
          char buf[64];
          char *end;
          gsize k = 0;
          double v;
          while (k + 1 < sizeof buf && (g_ascii_isdigit (p[k]) || p[k] == '.' || p[k] == ','))
            buf[k] = p[k] == ',' ? '.' : p[k], k++;
          buf[k] = '\0';
          v = g_ascii_strtod (buf, &end);
          if (!(v > 0) || !isfinite (v) || v > 1e7)
            continue;
          if (interval)
            return strstr (low, "ms") ? 1000.0 / v : strstr (low, "us") || strstr (low, "µs") ? 1e6 / v : 1.0 / v;
          return v;
        }
    }
  return 0;
}

static gboolean
guess_layout (const char *name, char **lines, const AsTextOptions *o, Layout *lay, GError **error)
{
  static const Sep seps[] = { SEP_TAB, SEP_SEMICOLON, SEP_COMMA, SEP_SPACE };
  guint n_lines = g_strv_length (lines), from = o && o->skip_given ? o->skip : 0;
  gsize best = 0;
  gboolean found = FALSE;

  if (from >= n_lines)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: %u lines to skip but the file has %u lines"), name, from, n_lines);
      return FALSE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (seps); k++)
    for (int dc = 0; dc < 2; dc++)
      {
        guint start = 0, nf = 0;
        gsize score;
        if (o && o->separator && (char) seps[k] != o->separator)
          continue;
        if (dc && (seps[k] == SEP_COMMA || (o && o->decimal == '.')))
          continue;
        if (!dc && o && o->decimal == ',')
          continue;
        score = table_score (lines, n_lines, seps[k], dc, from, o && o->skip_given, &start, &nf);
        /* a separator must make columns, unless nothing else does */
        if (nf < 2 && seps[k] != SEP_SPACE && !(o && o->separator))
          score = score > 0 ? 1 : 0;
        if (score > best || !found)
          {
            best = score;
            found = TRUE;
            lay->sep = seps[k];
            lay->decimal_comma = dc;
            lay->skip = start;
            lay->n_fields = nf;
          }
      }
  if (!found || best == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: no table of numbers found (a column or a row per signal)"), name);
      return FALSE;
    }
  /* Rows: every line of the table is a label then numbers, and there are
   * more numbers per line than lines. */
  lay->rows = FALSE;
  if (o && o->orientation != AS_TEXT_ORIENTATION_GUESS)
    lay->rows = o->orientation == AS_TEXT_ORIENTATION_ROWS;
  else if (lay->n_fields >= 3)
    {
      guint n_rows = 0;
      gboolean all = TRUE;
      for (guint i = lay->skip; lines[i] && all; i++)
        {
          g_auto (GStrv) f = NULL;
          guint nums = 0, nf;
          if (is_comment (lines[i]))
            continue;
          f = split_fields (lines[i], lay->sep);
          nf = g_strv_length (f);
          for (guint c = 1; c < nf; c++)
            nums += is_number_cell (f[c], lay->decimal_comma) || is_missing (f[c]);
          all = nf >= 2 && !is_number_cell (f[0], lay->decimal_comma) && nums + 1 >= nf;
          n_rows++;
        }
      lay->rows = all && n_rows >= 1 && lay->n_fields - 1 > n_rows;
    }
  lay->preamble_rate = preamble_rate (lines, lay->skip);
  return TRUE;
}

/* Signals in rows become signals in columns: the labels make a header. */
static char **
transpose_rows (char **lines, const Layout *lay, guint limit, guint *n_out, GError **error,
                const char *name)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  GPtrArray *out;
  guint n = 0;
  char sep[2] = { lay->sep == SEP_SPACE ? '\t' : (char) lay->sep, 0 };

  for (guint i = lay->skip; lines[i]; i++)
    {
      char **f;
      guint nf;
      if (is_comment (lines[i]))
        continue;
      f = split_fields (lines[i], lay->sep);
      nf = g_strv_length (f);
      if (nf == lay->n_fields + 1 && f[nf - 1][0] == '\0')
        nf--;
      if (nf != lay->n_fields)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: line %u: expected %u fields, found %u"), name, i + 1, lay->n_fields, nf);
          g_strfreev (f);
          return NULL;
        }
      g_ptr_array_add (rows, f);
    }
  n = rows->len;
  if (n == 0 || n > MAX_COLUMNS)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: %u rows of signals (expected 1 to %u)"), name, n, MAX_COLUMNS);
      return NULL;
    }
  out = g_ptr_array_new ();
  for (guint c = 0; c < lay->n_fields && c < limit; c++)
    {
      GString *l = g_string_new (NULL);
      for (guint r = 0; r < n; r++)
        {
          const char *cell = ((char **) g_ptr_array_index (rows, r))[c];
          if (r > 0)
            g_string_append (l, sep);
          /* a label that looks like a number must not look like one */
          g_string_append (l, c == 0 && *cell == '\0' ? "?" : cell);
        }
      g_ptr_array_add (out, g_string_free (l, FALSE));
    }
  g_ptr_array_add (out, NULL);
  *n_out = n;
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Reads the table of lines (at most max_rows samples); layout, when not
 * NULL, receives the layout used. */
static AsRecording *
read_text_lines (const char *name, char **lines, const AsReadOptions *opts, guint max_rows,
                 AsTextLayout *layout, GError **error)
{
  g_auto (GStrv) first = NULL;
  g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) line_of_row = g_array_new (FALSE, FALSE, sizeof (guint));
  g_auto (GStrv) transposed = NULL;
  Sep sep;
  gboolean decimal_comma = FALSE, header = FALSE;
  guint first_line, n_cols, n_rows = 0;
  gint time_col = -1, index_col = -1;
  guint n_sig;
  double sfreq, t0 = 0;
  AsRecording *rec;
  gboolean irregular = FALSE;
  gsize missing = 0;
  Layout lay = { 0 };
  const char *want_time = opts ? opts->text.time_column : NULL;

  for (first_line = 0; lines[first_line] && is_comment (lines[first_line]); first_line++)
    ;
  if (layout != NULL)
    {
      memset (layout, 0, sizeof *layout);
      layout->first_line = first_line;
      layout->time_column = layout->index_column = -1;
    }
  if (lines[first_line] == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: the file holds no data (only blank or comment lines)"), name);
      return NULL;
    }
  if (!guess_layout (name, lines, opts ? &opts->text : NULL, &lay, error))
    return NULL;
  sep = lay.sep;
  decimal_comma = lay.decimal_comma;
  first_line = lay.skip;
  if (layout != NULL)
    {
      layout->separator = (char) sep;
      layout->decimal = decimal_comma ? ',' : '.';
      layout->skip = lay.skip;
      layout->orientation = lay.rows ? AS_TEXT_ORIENTATION_ROWS : AS_TEXT_ORIENTATION_COLUMNS;
      layout->preamble_rate = lay.preamble_rate;
    }
  if (lay.rows)
    {
      guint n_signals = 0;
      char **t = transpose_rows (lines, &lay, max_rows == G_MAXUINT ? G_MAXUINT : max_rows + 1,
                                 &n_signals, error, name);
      if (t == NULL)
        return NULL;
      lines = transposed = t;
      first_line = 0;
      if (sep == SEP_SPACE)
        sep = SEP_TAB;
    }

  first = split_fields (lines[first_line], sep);
  n_cols = g_strv_length (first);
  if (n_cols == 0 || n_cols > MAX_COLUMNS)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: line %u: %u columns (expected 1 to %u)"), name, first_line + 1, n_cols,
                   MAX_COLUMNS);
      return NULL;
    }
  for (guint c = 0; c < n_cols; c++)
    {
      double v;
      if (!is_missing (first[c]) && parse_number (first[c], decimal_comma, &v) < 0)
        header = TRUE;
    }
  for (guint c = 0; c < n_cols; c++)
    {
      char *label, *unit;
      if (header)
        split_label_unit (first[c], &label, &unit);
      else
        label = g_strdup_printf ("%u", c + 1), unit = g_strdup ("");
      if (*label == '\0')
        g_free (label), label = g_strdup_printf ("%u", c + 1);
      g_ptr_array_add (labels, label);
      g_ptr_array_add (units, unit);
      if (header && time_col < 0 && is_time_name (label))
        time_col = c;
      if (header && time_col < 0 && is_time_name (first[c]))
        time_col = c;
    }
  if (layout != NULL)
    {
      layout->header = header;
      layout->columns = g_new0 (char *, n_cols + 1);
      for (guint c = 0; c < n_cols; c++)
        layout->columns[c] = header ? g_strdup (first[c]) : g_strdup (g_ptr_array_index (labels, c));
      layout->time_column = time_col;
    }
  if (want_time != NULL)
    {
      char *end;
      guint64 k = g_ascii_strtoull (want_time, &end, 10);
      time_col = -1;
      if (g_ascii_strcasecmp (want_time, "none") == 0)
        ;
      else if (*end == '\0' && end != want_time && k >= 1 && k <= n_cols)
        time_col = (gint) k - 1;
      else
        {
          for (guint c = 0; c < n_cols && time_col < 0; c++)
            if (header && (strcmp (want_time, g_ptr_array_index (labels, c)) == 0
                           || strcmp (want_time, first[c]) == 0))
              time_col = c;
          if (time_col < 0)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("%s: no column “%s” for the time (the columns are 1 to %u%s)"),
                           name, want_time, n_cols, header ? _(", or their names") : "");
              return NULL;
            }
        }
    }
  if (header && n_cols >= 2 && is_index_name (g_ptr_array_index (labels, 0)) && time_col != 0)
    index_col = 0;
  if (layout != NULL)
    {
      layout->time_column = time_col;
      layout->index_column = index_col;
    }
  if (time_col >= 0 && n_cols < 2)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: line %u: a time column but no signal column"), name, first_line + 1);
      return NULL;
    }

  for (guint i = header ? first_line + 1 : first_line; lines[i] && n_rows < max_rows; i++)
    {
      g_auto (GStrv) f = NULL;
      guint nf;

      if (is_comment (lines[i]))
        continue;
      f = split_fields (lines[i], sep);
      nf = g_strv_length (f);
      /* A trailing separator leaves one empty last field: tolerated. */
      if (nf == n_cols + 1 && f[n_cols][0] == '\0')
        nf = n_cols;
      if (nf != n_cols)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: line %u: expected %u fields, found %u"), name, i + 1, n_cols, nf);
          return NULL;
        }
      for (guint c = 0; c < n_cols; c++)
        {
          double v;
          int r = parse_number (f[c], decimal_comma, &v);
          if (r < 0)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u, column %u: not a number: “%s”"), name, i + 1, c + 1,
                           f[c]);
              return NULL;
            }
          if (isinf (v))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                           _("%s: line %u, column %u: infinite or out-of-range value (beyond ±1e100)"), name, i + 1, c + 1);
              return NULL;
            }
          if (r == 1 && (gint) c == time_col)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                           _("%s: line %u, column %u: the time is missing"), name, i + 1, c + 1);
              return NULL;
            }
          if (r == 1)
            missing++;
          g_array_append_val (values, v);
        }
      g_array_append_val (line_of_row, i);
      n_rows++;
    }
  if (n_rows < 2)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: fewer than two samples"), name);
      return NULL;
    }

#define V(r, c) g_array_index (values, double, (gsize) (r) * n_cols + (c))
#define LINE(r) (g_array_index (line_of_row, guint, (r)) + 1)
  n_sig = n_cols - (time_col >= 0) - (index_col >= 0);
  if (n_sig == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: line %u: no signal column besides the time or sample number"), name,
                   first_line + 1);
      return NULL;
    }
  if (time_col >= 0)
    {
      double scale = time_unit_scale (g_ptr_array_index (units, time_col));
      double tl, dt;
      if (g_str_has_suffix (g_ptr_array_index (labels, time_col), "ms")
          && *(char *) g_ptr_array_index (units, time_col) == '\0')
        scale = 1e-3;
      for (guint r = 0; r < n_rows; r++)
        V (r, time_col) *= scale;
      for (guint r = 1; r < n_rows; r++)
        if (!(V (r, time_col) > V (r - 1, time_col)))
          {
            g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                         _("%s: line %u: the time (%g s) does not increase (previous %g s)"), name,
                         LINE (r), V (r, time_col), V (r - 1, time_col));
            return NULL;
          }
      t0 = V (0, time_col);
      tl = V (n_rows - 1, time_col);
      dt = (tl - t0) / (n_rows - 1);
      /* Regular sampling: every time within half a period of the uniform
       * grid through the first and last sample (tolerates printed rounding). */
      {
        /* Regular sampling: every step within half the median step of it, and
         * every time within half a period of the uniform grid through the
         * first and last samples (tolerates printed rounding, not a missing
         * sample). */
        g_autofree double *steps = g_new (double, n_rows - 1);
        double med;
        gint bad = -1;
        for (guint i = 0; i + 1 < n_rows; i++)
          steps[i] = V (i + 1, time_col) - V (i, time_col);
        qsort (steps, n_rows - 1, sizeof (double), compare_double);
        med = steps[(n_rows - 1) / 2];
        for (guint i = 1; i < n_rows && bad < 0; i++)
          if (fabs (V (i, time_col) - V (i - 1, time_col) - med) > 0.5 * med)
            bad = i;
        for (guint i = 0; i < n_rows && bad < 0; i++)
          if (fabs (V (i, time_col) - (t0 + i * dt)) > 0.5 * dt)
            bad = MAX (i, 1);
        if (bad >= 0)
          {
            if (opts && opts->strict_rates)
              {
                g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                             _("%s: line %u: irregular sampling (a step of %g s after %g s where most steps are %g s); do not ask for strict rates to have it resampled"),
                             name, LINE (bad), V (bad, time_col) - V (bad - 1, time_col),
                             V (bad - 1, time_col), med);
                return NULL;
              }
            irregular = TRUE;
          }
      }
      if (!isfinite (1.0 / dt) || dt <= 0)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s: the time column gives no usable sampling rate"), name);
          return NULL;
        }
      sfreq = 1.0 / dt;
    }
  else
    sfreq = opts && opts->sfreq > 0 ? opts->sfreq : lay.preamble_rate > 0 ? lay.preamble_rate : 1.0;

  if (irregular)
    {
      /* Linear interpolation onto a uniform grid at the median step. */
      g_autofree double *steps = g_new (double, n_rows - 1);
      double med, tl = V (n_rows - 1, time_col);
      gsize n_new;
      guint r = 0;

      for (guint i = 0; i + 1 < n_rows; i++)
        steps[i] = V (i + 1, time_col) - V (i, time_col);
      qsort (steps, n_rows - 1, sizeof (double), compare_double);
      med = steps[(n_rows - 1) / 2];
      n_new = (gsize) floor ((tl - t0) / med + 1e-9) + 1;
      if (n_new < 2 || n_new > (gsize) 100 * n_rows)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                       _("%s: the time column is too irregular to resample"), name);
          return NULL;
        }
      sfreq = 1.0 / med;
      rec = as_recording_new (n_sig, n_new, sfreq);
      for (gsize k = 0; k < n_new; k++)
        {
          double t = t0 + k * med, w;
          while (r + 2 < n_rows && V (r + 1, time_col) <= t)
            r++;
          w = (t - V (r, time_col)) / (V (r + 1, time_col) - V (r, time_col));
          w = CLAMP (w, 0.0, 1.0);
          for (guint c = 0, s = 0; c < n_cols; c++)
            {
              if ((gint) c == time_col || (gint) c == index_col)
                continue;
              rec->data[(gsize) s * n_new + k] = (1 - w) * V (r, c) + w * V (r + 1, c);
              s++;
            }
        }
      as_recording_add_warning (rec, _("irregular sampling: resampled to %g Hz by linear interpolation"),
                                sfreq);
    }
  else
    {
      rec = as_recording_new (n_sig, n_rows, sfreq);
      for (guint c = 0, s = 0; c < n_cols; c++)
        {
          double *ch;
          if ((gint) c == time_col || (gint) c == index_col)
            continue;
          ch = as_recording_channel (rec, s);
          for (guint r = 0; r < n_rows; r++)
            ch[r] = V (r, c);
          s++;
        }
    }
  for (guint c = 0, s = 0; c < n_cols; c++)
    {
      const char *label = g_ptr_array_index (labels, c), *unit = g_ptr_array_index (units, c);
      if ((gint) c == time_col || (gint) c == index_col)
        continue;
      if (opts && opts->text.names && s < g_strv_length (opts->text.names)
          && *opts->text.names[s] != '\0')
        label = opts->text.names[s];
      if (opts && opts->text.units && s < g_strv_length (opts->text.units)
          && *opts->text.units[s] != '\0')
        unit = opts->text.units[s];
      as_recording_set_channel (rec, s, label, unit, as_channel_guess_type (label, unit));
      s++;
    }
#undef V
#undef LINE
  if (time_col < 0)
    {
      if (opts && opts->sfreq > 0)
        ;
      else if (lay.preamble_rate > 0)
        as_recording_add_warning (rec, _("sampling rate %g Hz read from the lines before the table"),
                                  lay.preamble_rate);
      else
        as_recording_add_warning (rec, _("no time column: the sampling rate is assumed to be 1 Hz"));
    }
  else if (opts && opts->sfreq > 0 && fabs (opts->sfreq - sfreq) > 1e-6 * sfreq)
    as_recording_add_warning (rec, _("the rate given (%g Hz) was not used: the time column gives %g Hz"),
                              opts->sfreq, sfreq);
  else if (t0 != 0)
    as_recording_add_warning (rec, _("the time column starts at %g s; times are counted from the first sample"), t0);
  if (index_col >= 0)
    as_recording_add_warning (rec, _("the first column (“%s”) holds sample numbers: not read as a signal"),
                              (const char *) g_ptr_array_index (labels, index_col));
  if (missing > 0)
    {
      as_recording_fill_gaps (rec);
      as_recording_add_warning (rec, _("%zu missing values were filled by linear interpolation"),
                                missing);
    }
  if (decimal_comma)
    as_recording_add_warning (rec, _("numbers were read with a decimal comma"));
  if (lay.skip > 0 && !lay.rows)
    as_recording_add_warning (rec, _("the table starts at line %u: the lines before it were read as a preamble"),
                              lay.skip + 1);
  if (lay.rows)
    as_recording_add_warning (rec, _("one row per signal (from line %u): read as columns"), lay.skip + 1);
  g_free (rec->format);
  rec->format = g_strdup (sep == SEP_COMMA ? "CSV" : sep == SEP_SEMICOLON ? "CSV (semicolon)"
                          : sep == SEP_TAB ? "TSV" : "text (whitespace)");
  rec->kind = as_recording_guess_kind (rec);
  return rec;
}

AsRecording *
as_read_text (const char *name, const char *data, gsize len, const AsReadOptions *opts,
              GError **error)
{
  g_auto (GStrv) lines = as_text_split_lines (name, data, len, error);

  if (lines == NULL)
    return NULL;
  return read_text_lines (name, lines, opts, G_MAXUINT, NULL, error);
}

AsRecording *
as_text_preview (const char *name, const char *data, gsize len, const AsReadOptions *opts,
                 guint max_samples, AsTextLayout *layout, GError **error)
{
  g_auto (GStrv) lines = NULL;
  guint64 keep = (guint64) GUESS_LINES + max_samples + 2;
  gsize cut = 0;

  if (layout != NULL)
    {
      memset (layout, 0, sizeof *layout);
      layout->time_column = layout->index_column = -1;
    }
  if (opts && opts->text.skip_given)
    keep += opts->text.skip;
  /* the guess looks at the first GUESS_LINES lines of the table: the
   * preview reads those and max_samples more */
  for (guint64 n = 0; cut < len && n < keep; n++)
    {
      const char *nl = memchr (data + cut, '\n', len - cut);
      cut = nl != NULL ? (gsize) (nl - data) + 1 : len;
    }
  lines = as_text_split_lines (name, data, cut, error);
  if (lines == NULL)
    return NULL;
  return read_text_lines (name, lines, opts, MAX (max_samples, 2), layout, error);
}
