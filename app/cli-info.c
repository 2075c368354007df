/* cli-info.c: "atomscope-cli info FILE": what was read from a recording.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "as-image.h"
#include "as-montage.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-read.h"

static void
print_events (const AsRecording *rec, gboolean all)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GList) keys = NULL;

  printf (_("Events: %u\n"), rec->events->len);
  for (guint i = 0; i < rec->events->len; i++)
    {
      const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (counts, e->label));
      g_hash_table_insert (counts, e->label, GUINT_TO_POINTER (n + 1));
      if (all)
        printf ("  %10.3f s  %8.3f s  %s\n", e->onset, e->duration, e->label);
    }
  keys = g_list_sort (g_hash_table_get_keys (counts), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l != NULL && !all; l = l->next)
    printf (_("  %-24s ×%u\n"), (const char *) l->data,
            GPOINTER_TO_UINT (g_hash_table_lookup (counts, l->data)));
}

static int
info_image (const char *path, GError **error)
{
  g_autoptr (AsImage) img = as_image_load (path, error);

  if (img == NULL)
    return 1;
  printf (_("File: %s\n"), path);
  printf (_("Format: image (%s)\n"), img->format);
  printf (_("Size: %u × %u pixels, %u colour channel(s)\n"), img->width, img->height, img->n_channels);
  return 0;
}

int
as_cli_info (int argc, char **argv)
{
  g_auto (AsCliRead) read = { 0 };
  gboolean all_events = FALSE;
  char *montage_path = NULL;
  g_auto (GStrv) files = NULL;
  GOptionEntry entries[] = {
    { "montage", 'm', 0, G_OPTION_ARG_FILENAME, &montage_path, N_("Electrode positions (.elc, .sfp, .txt, .csv); default: standard 10-05"), N_("FILE") },
    { "events", 'e', 0, G_OPTION_ARG_NONE, &all_events, N_("List every event"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, N_("FILE") },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("FILE — describe a recording or an image"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (AsMontage) montage = NULL;
  guint n_pos = 0;

  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  if (!as_cli_parse_options (ctx, &argc, &argv, "info"))
    {
      g_free (montage_path);
      return 2;
    }
  if (files == NULL || files[0] == NULL || files[1] != NULL)
    {
      as_cli_error ("info", "%s", _("give exactly one file"));
      g_free (montage_path);
      return 2;
    }
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  if (as_file_is_image (files[0]))
    {
      int rc = info_image (files[0], &error);
      if (rc != 0)
        as_cli_error ("info", "%s", error->message);
      g_free (montage_path);
      return rc;
    }
  rec = as_cli_read_load (&read, files[0], "info");
  if (rec == NULL)
    {
      g_free (montage_path);
      return 1;
    }
  {
    gboolean want = montage_path != NULL;
    for (guint c = 0; c < rec->n_channels && !want; c++)
      want = rec->channels[c].type == AS_CHANNEL_EEG;
    if (want)
      {
        g_autoptr (GError) merr = NULL;
        montage = montage_path ? as_montage_load (montage_path, &merr)
                               : as_montage_load_standard ("standard_1005", &merr);
        if (montage == NULL)
          {
            as_cli_error ("info", "%s", merr->message);
            if (montage_path)
              {
                g_free (montage_path);
                return 1;
              }
          }
        else
          n_pos = as_recording_attach_montage (rec, montage);
      }
  }
  g_free (montage_path);

  printf (_("File: %s\n"), files[0]);
  printf (_("Format: %s\n"), rec->format);
  printf (_("Channels: %u\n"), rec->n_channels);
  printf (_("Sampling rate: %g Hz\n"), rec->sfreq);
  printf (_("Samples: %zu\n"), rec->n_samples);
  printf (_("Duration: %.3f s\n"), as_recording_duration (rec));
  if (rec->start_time)
    {
      g_autofree char *t = g_date_time_format_iso8601 (rec->start_time);
      printf (_("Start: %s\n"), t);
    }
  if (montage)
    printf (_("Positions: %u of %u channels (%s)\n"), n_pos, rec->n_channels, montage->name);
  for (guint c = 0; c < rec->n_channels; c++)
    {
      const AsChannel *ch = &rec->channels[c];
      printf ("  %3u  %-16s %-6s %-10s", c + 1, ch->label, as_channel_type_to_string (ch->type),
              *ch->unit ? ch->unit : "-");
      if (ch->has_position)
        printf ("  (%+.3f, %+.3f, %+.3f) m", ch->position[0], ch->position[1], ch->position[2]);
      printf ("\n");
    }
  print_events (rec, all_events);
  printf (_("Warnings: %u\n"), rec->warnings->len);
  for (guint i = 0; i < rec->warnings->len; i++)
    printf ("  %s\n", (const char *) g_ptr_array_index (rec->warnings, i));
  return 0;
}
