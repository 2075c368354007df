/* cli-read.c: how to read a recording, as options of the command line.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "as-events.h"
#include "cli-commands.h"
#include "cli-read.h"

GOptionGroup *
as_cli_read_group (AsCliRead *r)
{
  GOptionEntry entries[] = {
    { "rate", 'r', 0, G_OPTION_ARG_DOUBLE, &r->sfreq, N_("Sampling rate (Hz) for files that do not store one (NPY, text without time)"), N_("HZ") },
    { "strict-rates", 0, 0, G_OPTION_ARG_NONE, &r->strict_rates, N_("Refuse irregular time columns and channels at different rates instead of resampling them"), NULL },
    { "resample", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &r->resample, N_("Resample irregular time columns and mixed channel rates (the default)"), NULL },
    { "separator", 0, 0, G_OPTION_ARG_STRING, &r->separator, N_("Text: the column separator (, ; tab space); default: guessed"), N_("SEP") },
    { "decimal", 0, 0, G_OPTION_ARG_STRING, &r->decimal, N_("Text: the decimal mark (. or ,); default: guessed"), N_("MARK") },
    { "skip", 0, 0, G_OPTION_ARG_INT, &r->skip, N_("Text: lines before the table (a preamble); default: guessed"), N_("N") },
    { "rows", 0, 0, G_OPTION_ARG_NONE, &r->rows, N_("Text: one row per signal (a label then its samples)"), NULL },
    { "time-column", 0, 0, G_OPTION_ARG_STRING, &r->time_column, N_("Text: the time column (a name, its number from 1, or none); default: by name"), N_("COLUMN") },
    { "names", 0, 0, G_OPTION_ARG_STRING, &r->names, N_("Text: the signals' names in order, separated by commas (an empty entry keeps the name read)"), N_("A,B,…") },
    { "units", 0, 0, G_OPTION_ARG_STRING, &r->units, N_("Text: the signals' units in order, separated by commas (an empty entry keeps the unit read)"), N_("U,V,…") },
    { "add-events", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &r->event_files, N_("Add the events of an annotation file (EDF+ annotations, BIDS events.tsv, BrainVision .vmrk); repeatable"), N_("FILE") },
    { NULL }
  };
  GOptionGroup *g = g_option_group_new ("reading", _("Reading a recording:"),
                                        _("Show the options for reading recordings"), NULL, NULL);

  r->skip = -1;
  g_option_group_add_entries (g, entries);
  g_option_group_set_translation_domain (g, GETTEXT_PACKAGE);
  return g;
}

gboolean
as_cli_read_options (AsCliRead *r, AsReadOptions *opts, const char *command)
{
  g_autoptr (GError) error = NULL;

  as_read_options_init (opts);
  if (r->sfreq != 0 && !(r->sfreq > 0 && r->sfreq <= 1e7))
    {
      as_cli_error (command, _("--rate: %g is not a rate from 0 to 10⁷ Hz"), r->sfreq);
      return FALSE;
    }
  opts->sfreq = r->sfreq;
  opts->strict_rates = r->strict_rates;
  if (!as_text_options_set (&opts->text, r->separator, r->decimal, r->skip, r->rows,
                            r->time_column, &error))
    {
      as_cli_error (command, "%s", error->message);
      return FALSE;
    }
  if (r->names != NULL)
    opts->text.names = g_strsplit (r->names, ",", -1);
  if (r->units != NULL)
    opts->text.units = g_strsplit (r->units, ",", -1);
  return TRUE;
}

AsRecording *
as_cli_read_load (AsCliRead *r, const char *path, const char *command)
{
  AsReadOptions opts;
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;

  if (!as_cli_read_options (r, &opts, command))
    return NULL;
  rec = as_recording_load_with_options (path, &opts, &error);
  as_text_options_clear (&opts.text);
  if (rec == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return NULL;
    }
  for (guint i = 0; r->event_files && r->event_files[i]; i++)
    if (as_recording_add_events_from_file (rec, r->event_files[i], &error) < 0)
      {
        as_cli_error (command, "%s", error->message);
        return NULL;
      }
  return g_steal_pointer (&rec);
}

void
as_cli_read_clear (AsCliRead *r)
{
  g_clear_pointer (&r->separator, g_free);
  g_clear_pointer (&r->decimal, g_free);
  g_clear_pointer (&r->time_column, g_free);
  g_clear_pointer (&r->names, g_free);
  g_clear_pointer (&r->units, g_free);
  g_clear_pointer (&r->event_files, g_strfreev);
}
