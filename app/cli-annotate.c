/* cli-annotate.c: "atomscope-cli annotate FILE": the window's annotation
 * edits from a terminal — delete, add, then save as EDF+ (with the signals)
 * or BIDS events.tsv, through the same engine routines.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n.h>

#include "as-annotations.h"
#include "as-engine.h"
#include "cli-commands.h"
#include "cli-read.h"

/* "ONSET,DURATION,TEXT" (the text may hold commas). */
static gboolean
parse_add (const char *spec, double *onset, double *duration, const char **text)
{
  char *end;
  const char *p = spec;

  *onset = g_ascii_strtod (p, &end);
  if (end == p || *end != ',')
    return FALSE;
  p = end + 1;
  *duration = g_ascii_strtod (p, &end);
  if (end == p || *end != ',')
    return FALSE;
  *text = end + 1;
  return TRUE;
}

static int
compare_desc (gconstpointer a, gconstpointer b)
{
  gint x = *(const gint *) a, y = *(const gint *) b;

  return (x < y) - (x > y);
}

int
as_cli_annotate (int argc, char **argv)
{
  g_auto (AsCliRead) read = { 0 };
  g_auto (GStrv) files = NULL;
  g_auto (GStrv) adds = NULL;
  g_auto (GStrv) deletes = NULL;
  g_autofree char *output = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "delete", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &deletes, N_("Delete annotation N (as numbered by info --events, from 1); repeatable"), N_("N") },
    { "add", 'a', 0, G_OPTION_ARG_STRING_ARRAY, &adds, N_("Add an annotation: onset and duration in seconds, then its text; repeatable"), N_("ONSET,DURATION,TEXT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Save as EDF+ with the signals (.edf) or as BIDS events (.tsv)"), N_("FILE") },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Replace the output file if it exists"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE — edit a recording's annotations and save them"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (GArray) events = NULL;
  g_autoptr (GArray) gone = g_array_new (FALSE, FALSE, sizeof (gint));
  double duration;
  gboolean ok;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  if (!as_cli_parse_options (ctx, &argc, &argv, "annotate"))
    return 2;
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      as_cli_error ("annotate", "%s", _("give exactly one file"));
      return 2;
    }
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  rec = as_cli_read_load (&read, files[0], "annotate");
  if (rec == NULL)
    return 1;
  events = as_annotations_copy (rec->events);
  duration = as_recording_duration (rec);
  /* Deletions by the numbers the file's list had, highest first. */
  for (guint i = 0; deletes != NULL && deletes[i] != NULL; i++)
    {
      char *end;
      gint64 k = g_ascii_strtoll (deletes[i], &end, 10);
      gint index = (gint) k - 1;

      if (end == deletes[i] || *end != '\0' || k < 1 || k > events->len)
        {
          as_cli_error ("annotate", _("--delete %s: there are annotations 1 to %u"), deletes[i], events->len);
          return 2;
        }
      g_array_append_val (gone, index);
    }
  g_array_sort (gone, compare_desc);
  for (guint i = 0; i < gone->len; i++)
    if (i == 0 || g_array_index (gone, gint, i) != g_array_index (gone, gint, i - 1))
      as_annotations_remove (events, g_array_index (gone, gint, i));
  for (guint i = 0; adds != NULL && adds[i] != NULL; i++)
    {
      double onset, dur;
      const char *text;

      if (!parse_add (adds[i], &onset, &dur, &text))
        {
          as_cli_error ("annotate", _("--add %s: expected ONSET,DURATION,TEXT (seconds, seconds, text)"), adds[i]);
          return 2;
        }
      if (as_annotations_add (events, onset, dur, text, duration, &error) < 0)
        {
          as_cli_error ("annotate", "--add %s: %s", adds[i], error->message);
          return 2;
        }
    }
  if (output == NULL)
    {
      for (guint i = 0; i < events->len; i++)
        {
          const AsEvent *e = &g_array_index (events, AsEvent, i);
          printf ("%4u  %10.3f s  %8.3f s  %s\n", i + 1, e->onset, e->duration, e->label);
        }
      return 0;
    }
  {
    g_autofree char *lower = g_ascii_strdown (output, -1);
    ok = g_str_has_suffix (lower, ".tsv") ? as_annotations_write_tsv (output, events, force, &error)
                                          : as_annotations_write_edf (output, rec, events, force, &error);
  }
  if (!ok)
    {
      as_cli_error ("annotate", "%s", error->message);
      return 1;
    }
  printf (ngettext ("%u annotation saved to %s\n", "%u annotations saved to %s\n", events->len),
          events->len, output);
  return 0;
}
