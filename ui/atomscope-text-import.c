/* atomscope-text-import.c: the text import assistant.  Every control starts
 * at the engine's guess; what the user changes is given to the engine, the
 * rest is guessed again.  The preview is the engine's own reader on the
 * file's first lines (as_text_preview), run on a worker; the main loop only
 * shows its result.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "atomscope-text-import"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "atomscope-text-import.h"

#define PREVIEW_ROWS 20     /* samples shown */
#define PREVIEW_SIGNALS 12  /* columns shown */
#define SIGNAL_ROWS 32      /* signals whose name and unit can be typed here */
#define FILE_LINES 60       /* lines of the file shown as they are */
#define LINE_CHARS 160
#define HEAD_BYTES (1 << 20) /* read to decide whether to ask */

static const char separators[] = { ',', ';', '\t', ' ' };
static const char decimals[] = { '.', ',' };

struct _AtomscopeTextImport
{
  AdwWindow            parent_instance;

  AdwWindowTitle      *window_title;
  GtkButton           *open_button;
  AdwComboRow         *separator_row;
  AdwComboRow         *decimal_row;
  GtkSpinButton       *skip_spin;
  AdwComboRow         *orientation_row;
  AdwComboRow         *time_row;
  AdwActionRow        *rate_row;
  GtkSpinButton       *rate_spin;
  AdwPreferencesGroup *signals_group;
  GtkLabel            *summary_label;
  GtkLabel            *notes_label;
  GtkLabel            *error_label;
  GtkTextView         *lines_view;
  GtkGrid             *preview_grid;

  GFile               *file;
  char                *name;
  GBytes              *contents;     /* NULL until read */
  GCancellable        *cancellable;
  gboolean             guard;        /* controls set from a preview, not by the user */
  gboolean             running, pending;
  guint                preview_count;

  /* What the user set; zero: the engine's guess. */
  char                 separator;
  char                 decimal;
  gboolean             skip_given;
  guint                skip;
  AsTextOrientation    orientation;
  char                *time_column;  /* NULL, "none" or a column number from 1 */
  double               rate;

  AsRecording         *preview;
  AsTextLayout         layout;
  char               **time_choices; /* the columns the time row offers */
  GPtrArray           *signal_rows;  /* AdwActionRow */
  GPtrArray           *name_entries; /* GtkEntry, "edited" set once typed in */
  GPtrArray           *unit_entries;
};

G_DEFINE_FINAL_TYPE (AtomscopeTextImport, atomscope_text_import, ADW_TYPE_WINDOW)

enum { IMPORT, N_SIGNALS };
static guint signals[N_SIGNALS];

#define EDITED_KEY "atomscope-edited"

/* ---- deciding whether to ask -------------------------------------------------- */

gboolean
atomscope_text_import_is_needed (const char *path)
{
  g_autofree char *head = g_malloc (HEAD_BYTES);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  AsTextLayout layout;
  gboolean plain;
  FILE *f = g_fopen (path, "rb");
  gsize len;

  if (f == NULL)
    return FALSE;  /* the reader says why */
  len = fread (head, 1, HEAD_BYTES, f);
  if (len == HEAD_BYTES)
    {
      /* the whole lines only */
      gsize end = len;
      while (end > 0 && head[end - 1] != '\n')
        end--;
      len = end > 0 ? end : len;
    }
  fclose (f);
  if (len == 0 || memchr (head, '\0', len) != NULL || !g_utf8_validate (head, len, NULL))
    return FALSE;  /* not text: the reader says so */
  rec = as_text_preview (path, head, len, NULL, 50, &layout, &error);
  /* A table found but a bad line in it: the reader names the line. */
  plain = layout.columns != NULL && layout.orientation == AS_TEXT_ORIENTATION_COLUMNS
          && layout.skip == layout.first_line && layout.decimal == '.'
          && (layout.time_column >= 0 || layout.preamble_rate > 0);
  as_text_layout_clear (&layout);
  return !plain;
}

/* ---- the preview, on a worker ------------------------------------------------- */

typedef struct
{
  GBytes        *contents;
  char          *name;
  AsReadOptions  opts;
} PreviewJob;

typedef struct
{
  AsRecording  *rec;
  AsTextLayout  layout;
  GError       *error;
} PreviewResult;

static void
preview_job_free (PreviewJob *job)
{
  g_bytes_unref (job->contents);
  g_free (job->name);
  as_text_options_clear (&job->opts.text);
  g_free (job);
}

static void
preview_result_free (PreviewResult *r)
{
  g_clear_pointer (&r->rec, as_recording_unref);
  as_text_layout_clear (&r->layout);
  g_clear_error (&r->error);
  g_free (r);
}

static void
preview_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  PreviewResult *r = g_new0 (PreviewResult, 1);
  gsize len;
  const char *data = g_bytes_get_data (job->contents, &len);

  r->rec = as_text_preview (job->name, data, len, &job->opts, PREVIEW_ROWS, &r->layout, &r->error);
  g_task_return_pointer (task, r, (GDestroyNotify) preview_result_free);
}

static guint
n_signal_rows (AtomscopeTextImport *self)
{
  return self->name_entries->len;
}

/* The options as the controls say: what the user set, the rest left to guess. */
static void
build_options (AtomscopeTextImport *self, AsReadOptions *opts)
{
  gboolean any = FALSE;
  guint n = n_signal_rows (self);

  as_read_options_init (opts);
  opts->text.separator = self->separator;
  opts->text.decimal = self->decimal;
  opts->text.skip_given = self->skip_given;
  opts->text.skip = self->skip;
  opts->text.orientation = self->orientation;
  opts->text.time_column = g_strdup (self->time_column);
  if (self->rate > 0 && (g_strcmp0 (self->time_column, "none") == 0 || self->layout.time_column < 0))
    opts->sfreq = self->rate;
  opts->text.names = g_new0 (char *, n + 1);
  opts->text.units = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      GtkEditable *name = g_ptr_array_index (self->name_entries, i);
      GtkEditable *unit = g_ptr_array_index (self->unit_entries, i);
      gboolean name_edited = g_object_get_data (G_OBJECT (name), EDITED_KEY) != NULL;
      gboolean unit_edited = g_object_get_data (G_OBJECT (unit), EDITED_KEY) != NULL;

      opts->text.names[i] = g_strdup (name_edited ? gtk_editable_get_text (name) : "");
      opts->text.units[i] = g_strdup (unit_edited ? gtk_editable_get_text (unit) : "");
      any |= name_edited || unit_edited;
    }
  if (!any)
    {
      g_clear_pointer (&opts->text.names, g_strfreev);
      g_clear_pointer (&opts->text.units, g_strfreev);
    }
}

static void preview_done (GObject *source, GAsyncResult *result, gpointer user_data);

static void
request_preview (AtomscopeTextImport *self)
{
  g_autoptr (GTask) task = NULL;
  PreviewJob *job;

  if (self->contents == NULL)
    return;
  if (self->running)
    {
      self->pending = TRUE;
      return;
    }
  job = g_new0 (PreviewJob, 1);
  job->contents = g_bytes_ref (self->contents);
  job->name = g_strdup (self->name);
  build_options (self, &job->opts);
  self->running = TRUE;
  self->pending = FALSE;
  task = g_task_new (self, self->cancellable, preview_done, NULL);
  g_task_set_task_data (task, job, (GDestroyNotify) preview_job_free);
  g_task_run_in_thread (task, preview_thread);
}

/* ---- showing a preview -------------------------------------------------------- */

static void
clear_grid (AtomscopeTextImport *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);
}

static void
grid_cell (AtomscopeTextImport *self, guint row, guint column, const char *text, gboolean heading)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), heading ? 0.0f : 1.0f);
  if (heading)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_grid_attach (self->preview_grid, label, column, row, 1, 1);
}

static char *
format_value (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (v))
    return g_strdup ("—");
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.6g", v));
}

static void
fill_grid (AtomscopeTextImport *self, AsRecording *rec)
{
  guint shown = MIN (rec->n_channels, PREVIEW_SIGNALS);

  clear_grid (self);
  grid_cell (self, 0, 0, _("Time (s)"), TRUE);
  for (guint c = 0; c < shown; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      g_autofree char *head = ch->unit != NULL && *ch->unit
                                ? g_strdup_printf ("%s (%s)", ch->label, ch->unit)
                                : g_strdup (ch->label);
      grid_cell (self, 0, c + 1, head, TRUE);
    }
  if (rec->n_channels > shown)
    {
      g_autofree char *more = g_strdup_printf (ngettext ("and %u more signal", "and %u more signals",
                                                         rec->n_channels - shown),
                                               rec->n_channels - shown);
      grid_cell (self, 0, shown + 1, more, TRUE);
    }
  for (gsize i = 0; i < rec->n_samples && i < PREVIEW_ROWS; i++)
    {
      g_autofree char *t = format_value (i / rec->sfreq);
      grid_cell (self, i + 1, 0, t, FALSE);
      for (guint c = 0; c < shown; c++)
        {
          g_autofree char *v = format_value (as_recording_channel (rec, c)[i]);
          grid_cell (self, i + 1, c + 1, v, FALSE);
        }
    }
}

static gboolean
strv_equal (char **a, char **b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return g_strv_equal ((const char *const *) a, (const char *const *) b);
}

static void on_entry_changed (GtkEditable *entry, AtomscopeTextImport *self);

static GtkWidget *
signal_entry (AtomscopeTextImport *self, const char *text, int width, const char *tooltip)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), width);
  gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), width);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (entry, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  g_signal_connect (entry, "changed", G_CALLBACK (on_entry_changed), self);
  return entry;
}

/* One row per signal (up to SIGNAL_ROWS): its name and unit, as read until typed in. */
static void
fill_signal_rows (AtomscopeTextImport *self, AsRecording *rec)
{
  guint n = MIN (rec->n_channels, SIGNAL_ROWS);

  if (n != n_signal_rows (self))
    {
      for (guint i = 0; i < self->signal_rows->len; i++)
        adw_preferences_group_remove (self->signals_group, g_ptr_array_index (self->signal_rows, i));
      g_ptr_array_set_size (self->signal_rows, 0);
      g_ptr_array_set_size (self->name_entries, 0);
      g_ptr_array_set_size (self->unit_entries, 0);
      for (guint i = 0; i < n; i++)
        {
          GtkWidget *row = adw_action_row_new ();
          g_autofree char *title = g_strdup_printf (_("Signal %u"), i + 1);
          GtkWidget *name = signal_entry (self, rec->channels[i].label, 13, _("Name"));
          GtkWidget *unit = signal_entry (self, rec->channels[i].unit, 4, _("Unit"));

          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), name);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), unit);
          adw_preferences_group_add (self->signals_group, row);
          g_ptr_array_add (self->signal_rows, row);
          g_ptr_array_add (self->name_entries, name);
          g_ptr_array_add (self->unit_entries, unit);
        }
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      GtkEditable *name = g_ptr_array_index (self->name_entries, i);
      GtkEditable *unit = g_ptr_array_index (self->unit_entries, i);

      if (g_object_get_data (G_OBJECT (name), EDITED_KEY) == NULL)
        gtk_editable_set_text (name, rec->channels[i].label);
      if (g_object_get_data (G_OBJECT (unit), EDITED_KEY) == NULL)
        gtk_editable_set_text (unit, rec->channels[i].unit);
    }
}

/* TRUE when the table's columns changed and a time column the user chose by
 * number was dropped (it named a column of the table before). */
static gboolean
update_time_choices (AtomscopeTextImport *self, const AsTextLayout *layout)
{
  gboolean dropped = FALSE;

  if (!strv_equal (self->time_choices, layout->columns))
    {
      if (self->time_choices != NULL && self->time_column != NULL
          && g_strcmp0 (self->time_column, "none") != 0)
        {
          g_clear_pointer (&self->time_column, g_free);
          dropped = TRUE;
        }
      GtkStringList *list = gtk_string_list_new (NULL);

      gtk_string_list_append (list, _("None (give the rate)"));
      for (guint i = 0; layout->columns[i]; i++)
        gtk_string_list_append (list, layout->columns[i]);
      adw_combo_row_set_model (self->time_row, G_LIST_MODEL (list));
      g_object_unref (list);
      g_strfreev (self->time_choices);
      self->time_choices = g_strdupv (layout->columns);
    }
  adw_combo_row_set_selected (self->time_row, layout->time_column >= 0 ? (guint) layout->time_column + 1 : 0);
  return dropped;
}

/* The file's first lines as they are, the preamble dimmed and the table's
 * first line in bold. */
static void
show_lines (AtomscopeTextImport *self, gint table_line)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->lines_view);
  GtkTextTagTable *tags = gtk_text_buffer_get_tag_table (buffer);
  g_autoptr (GString) text = g_string_new (NULL);
  gsize len, pos = 0;
  const char *data = g_bytes_get_data (self->contents, &len);
  GtkTextIter a, b;

  if (gtk_text_tag_table_lookup (tags, "preamble") == NULL)
    {
      gtk_text_buffer_create_tag (buffer, "preamble", "foreground", "#8a8a8a", NULL);
      gtk_text_buffer_create_tag (buffer, "table", "weight", PANGO_WEIGHT_BOLD, NULL);
      gtk_text_buffer_create_tag (buffer, "number", "foreground", "#8a8a8a", NULL);
    }
  if (gtk_text_buffer_get_char_count (buffer) == 0)
    {
      for (guint i = 0; i < FILE_LINES && pos < len; i++)
        {
          const char *nl = memchr (data + pos, '\n', len - pos);
          gsize end = nl != NULL ? (gsize) (nl - data) : len, l = end - pos;
          g_autofree char *line = g_utf8_make_valid (data + pos, MIN (l, (gsize) LINE_CHARS * 4));
          glong chars = g_utf8_strlen (line, -1);

          if (chars > LINE_CHARS)
            *g_utf8_offset_to_pointer (line, LINE_CHARS) = '\0';
          g_strchomp (line);
          g_string_append_printf (text, "%4u  %s%s\n", i + 1, line, chars > LINE_CHARS ? "…" : "");
          pos = end + 1;
        }
      gtk_text_buffer_set_text (buffer, text->str, -1);
    }
  gtk_text_buffer_get_bounds (buffer, &a, &b);
  gtk_text_buffer_remove_all_tags (buffer, &a, &b);
  for (gint i = 0; i < gtk_text_buffer_get_line_count (buffer); i++)
    {
      GtkTextIter s, e, n;

      gtk_text_buffer_get_iter_at_line (buffer, &s, i);
      e = s;
      gtk_text_iter_forward_to_line_end (&e);
      n = s;
      gtk_text_iter_forward_chars (&n, 6);
      gtk_text_buffer_apply_tag_by_name (buffer, "number", &s, &n);
      if (table_line >= 0 && i < table_line)
        gtk_text_buffer_apply_tag_by_name (buffer, "preamble", &s, &e);
      else if (i == table_line)
        gtk_text_buffer_apply_tag_by_name (buffer, "table", &s, &e);
    }
}

static void
show_result (AtomscopeTextImport *self, PreviewResult *r)
{
  gboolean again = FALSE;

  self->guard = TRUE;
  g_clear_pointer (&self->preview, as_recording_unref);
  as_text_layout_clear (&self->layout);
  self->layout = r->layout;
  memset (&r->layout, 0, sizeof r->layout);
  self->preview = r->rec != NULL ? as_recording_ref (r->rec) : NULL;

  if (self->layout.columns != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (separators); i++)
        if (separators[i] == self->layout.separator)
          adw_combo_row_set_selected (self->separator_row, i);
      adw_combo_row_set_selected (self->decimal_row, self->layout.decimal == ',' ? 1 : 0);
      gtk_spin_button_set_value (self->skip_spin, self->layout.skip);
      adw_combo_row_set_selected (self->orientation_row,
                                  self->layout.orientation == AS_TEXT_ORIENTATION_ROWS ? 1 : 0);
      again = update_time_choices (self, &self->layout);
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->rate_row), self->layout.time_column < 0);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), r->rec == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->open_button), r->rec != NULL);
  show_lines (self, self->layout.columns != NULL ? (gint) self->layout.skip : -1);
  if (r->rec == NULL)
    {
      gtk_label_set_text (self->summary_label, _("The file cannot be read with these settings"));
      gtk_label_set_text (self->error_label, r->error != NULL ? r->error->message : "");
      gtk_label_set_text (self->notes_label, "");
      gtk_widget_set_visible (GTK_WIDGET (self->notes_label), FALSE);
      clear_grid (self);
    }
  else
    {
      AsRecording *rec = r->rec;
      g_autofree char *summary = NULL;
      g_autoptr (GString) notes = g_string_new (NULL);
      const char *rate_from;

      if (self->layout.time_column >= 0)
        rate_from = _("from the time column");
      else if (self->rate > 0)
        rate_from = _("as given");
      else if (self->layout.preamble_rate > 0)
        rate_from = _("as stated before the table");
      else
        rate_from = _("unknown: give the rate");
      summary = g_strdup_printf (ngettext ("%u signal at %g Hz (%s), from line %u",
                                           "%u signals at %g Hz (%s), from line %u", rec->n_channels),
                                 rec->n_channels, rec->sfreq, rate_from, self->layout.skip + 1);
      gtk_label_set_text (self->summary_label, summary);
      for (guint i = 0; i < rec->warnings->len; i++)
        g_string_append_printf (notes, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (rec->warnings, i));
      gtk_label_set_text (self->notes_label, notes->str);
      gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes->len > 0);
      if (self->rate <= 0)
        gtk_spin_button_set_value (self->rate_spin, rec->sfreq);
      fill_signal_rows (self, rec);
      fill_grid (self, rec);
    }
  self->preview_count++;
  self->guard = FALSE;
  if (again)
    request_preview (self);
}

static void
preview_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeTextImport *self = ATOMSCOPE_TEXT_IMPORT (source);
  PreviewResult *r = g_task_propagate_pointer (G_TASK (result), NULL);

  if (r == NULL)
    return;  /* cancelled: the window is gone */
  self->running = FALSE;
  if (self->pending)
    request_preview (self);  /* the controls changed meanwhile: this one is stale */
  else
    show_result (self, r);
  preview_result_free (r);
}

/* ---- the controls ------------------------------------------------------------- */

static void
on_separator_changed (AtomscopeTextImport *self)
{
  guint i = adw_combo_row_get_selected (self->separator_row);

  if (self->guard || i >= G_N_ELEMENTS (separators))
    return;
  self->separator = separators[i];
  request_preview (self);
}

static void
on_decimal_changed (AtomscopeTextImport *self)
{
  guint i = adw_combo_row_get_selected (self->decimal_row);

  if (self->guard || i >= G_N_ELEMENTS (decimals))
    return;
  self->decimal = decimals[i];
  request_preview (self);
}

static void
on_skip_changed (AtomscopeTextImport *self)
{
  if (self->guard)
    return;
  self->skip_given = TRUE;
  self->skip = (guint) gtk_spin_button_get_value_as_int (self->skip_spin);
  request_preview (self);
}

static void
on_orientation_changed (AtomscopeTextImport *self)
{
  if (self->guard)
    return;
  self->orientation = adw_combo_row_get_selected (self->orientation_row) == 1
                        ? AS_TEXT_ORIENTATION_ROWS : AS_TEXT_ORIENTATION_COLUMNS;
  request_preview (self);
}

static void
on_time_changed (AtomscopeTextImport *self)
{
  guint i = adw_combo_row_get_selected (self->time_row);

  if (self->guard || i == GTK_INVALID_LIST_POSITION)
    return;
  g_free (self->time_column);
  self->time_column = i == 0 ? g_strdup ("none") : g_strdup_printf ("%u", i);
  request_preview (self);
}

static void
on_rate_changed (AtomscopeTextImport *self)
{
  if (self->guard)
    return;
  self->rate = gtk_spin_button_get_value (self->rate_spin);
  request_preview (self);
}

static void
on_entry_changed (GtkEditable *entry, AtomscopeTextImport *self)
{
  if (self->guard)
    return;
  g_object_set_data (G_OBJECT (entry), EDITED_KEY, GINT_TO_POINTER (TRUE));
  request_preview (self);
}

static void
on_open_clicked (AtomscopeTextImport *self)
{
  AsReadOptions opts;

  if (self->preview == NULL)
    return;
  build_options (self, &opts);
  g_signal_emit (self, signals[IMPORT], 0, self->file, &opts);
  as_text_options_clear (&opts.text);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* ---- reading the file --------------------------------------------------------- */

static void
contents_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AtomscopeTextImport *self = user_data;
  g_autoptr (GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  if (!g_file_load_contents_finish (G_FILE (source), result, &data, &len, NULL, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          gtk_label_set_text (self->summary_label, _("The file cannot be read"));
          gtk_label_set_text (self->error_label, error->message);
          gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
        }
      g_object_unref (self);
      return;
    }
  self->contents = g_bytes_new_take (data, len);
  request_preview (self);
  g_object_unref (self);
}

/* ---- the widget --------------------------------------------------------------- */

static void
atomscope_text_import_dispose (GObject *object)
{
  AtomscopeTextImport *self = ATOMSCOPE_TEXT_IMPORT (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), ATOMSCOPE_TYPE_TEXT_IMPORT);
  G_OBJECT_CLASS (atomscope_text_import_parent_class)->dispose (object);
}

static void
atomscope_text_import_finalize (GObject *object)
{
  AtomscopeTextImport *self = ATOMSCOPE_TEXT_IMPORT (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->file);
  g_free (self->name);
  g_clear_pointer (&self->contents, g_bytes_unref);
  g_free (self->time_column);
  g_clear_pointer (&self->preview, as_recording_unref);
  as_text_layout_clear (&self->layout);
  g_strfreev (self->time_choices);
  g_ptr_array_unref (self->signal_rows);
  g_ptr_array_unref (self->name_entries);
  g_ptr_array_unref (self->unit_entries);
  G_OBJECT_CLASS (atomscope_text_import_parent_class)->finalize (object);
}

static void
atomscope_text_import_class_init (AtomscopeTextImportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = atomscope_text_import_dispose;
  object_class->finalize = atomscope_text_import_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PATH "/atomscope-text-import.ui");
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, window_title);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, open_button);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, separator_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, decimal_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, skip_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, orientation_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, time_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, rate_row);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, rate_spin);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, signals_group);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, summary_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, notes_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, error_label);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, lines_view);
  gtk_widget_class_bind_template_child (widget_class, AtomscopeTextImport, preview_grid);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  /* (GFile *file, AsReadOptions *options) */
  signals[IMPORT] = g_signal_new ("import", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_POINTER);
}

static void
atomscope_text_import_init (AtomscopeTextImport *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->signal_rows = g_ptr_array_new ();
  self->name_entries = g_ptr_array_new ();
  self->unit_entries = g_ptr_array_new ();
  self->layout.time_column = self->layout.index_column = -1;
  g_signal_connect_swapped (self->separator_row, "notify::selected", G_CALLBACK (on_separator_changed), self);
  g_signal_connect_swapped (self->decimal_row, "notify::selected", G_CALLBACK (on_decimal_changed), self);
  g_signal_connect_swapped (self->skip_spin, "value-changed", G_CALLBACK (on_skip_changed), self);
  g_signal_connect_swapped (self->orientation_row, "notify::selected", G_CALLBACK (on_orientation_changed), self);
  g_signal_connect_swapped (self->time_row, "notify::selected", G_CALLBACK (on_time_changed), self);
  g_signal_connect_swapped (self->rate_spin, "value-changed", G_CALLBACK (on_rate_changed), self);
}

AtomscopeTextImport *
atomscope_text_import_new (GtkWindow *parent, GFile *file)
{
  AtomscopeTextImport *self = g_object_new (ATOMSCOPE_TYPE_TEXT_IMPORT, "transient-for", parent, NULL);

  self->file = g_object_ref (file);
  self->name = g_file_get_basename (file);
  adw_window_title_set_subtitle (self->window_title, self->name);
  g_file_load_contents_async (file, self->cancellable, contents_loaded, g_object_ref (self));
  return self;
}

/* ---- for the UI tests --------------------------------------------------------- */

guint
atomscope_text_import_get_preview_count (AtomscopeTextImport *self)
{
  return self->preview_count;
}

AsRecording *
atomscope_text_import_get_preview (AtomscopeTextImport *self)
{
  return self->preview;
}

const AsTextLayout *
atomscope_text_import_get_layout (AtomscopeTextImport *self)
{
  return &self->layout;
}

const char *
atomscope_text_import_get_cell (AtomscopeTextImport *self, guint row, guint column)
{
  GtkWidget *label = gtk_grid_get_child_at (self->preview_grid, column, row);

  return GTK_IS_LABEL (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

GtkWidget *
atomscope_text_import_get_control (AtomscopeTextImport *self, const char *name)
{
  guint k;

  if (g_str_equal (name, "separator"))
    return GTK_WIDGET (self->separator_row);
  if (g_str_equal (name, "decimal"))
    return GTK_WIDGET (self->decimal_row);
  if (g_str_equal (name, "skip"))
    return GTK_WIDGET (self->skip_spin);
  if (g_str_equal (name, "orientation"))
    return GTK_WIDGET (self->orientation_row);
  if (g_str_equal (name, "time"))
    return GTK_WIDGET (self->time_row);
  if (g_str_equal (name, "rate"))
    return GTK_WIDGET (self->rate_spin);
  if (g_str_equal (name, "open"))
    return GTK_WIDGET (self->open_button);
  if (g_str_equal (name, "error"))
    return GTK_WIDGET (self->error_label);
  if (g_str_equal (name, "summary"))
    return GTK_WIDGET (self->summary_label);
  if (sscanf (name, "name %u", &k) == 1 && k >= 1 && k <= self->name_entries->len)
    return g_ptr_array_index (self->name_entries, k - 1);
  if (sscanf (name, "unit %u", &k) == 1 && k >= 1 && k <= self->unit_entries->len)
    return g_ptr_array_index (self->unit_entries, k - 1);
  return NULL;
}
