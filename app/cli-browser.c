/* cli-browser.c: `atomscope-cli bench browser`, paging through a day-long EEG.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "as-bench-browser.h"
#include "cli-commands.h"

int
as_cli_bench_browser (int argc, char **argv)
{
  const char *command = "bench browser";
  AsBenchBrowserParams p;
  gboolean check = FALSE, met = FALSE;
  int n_channels, sfreq, short_pages, long_pages;
  double hours;
  g_autofree char *dir = NULL;
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— write a day-long EEG, open it and page through it as the browser does"));
  g_autoptr (GError) error = NULL;

  as_bench_browser_params_init (&p);
  hours = p.hours;
  n_channels = (int) p.n_channels;
  sfreq = (int) p.sfreq;
  short_pages = (int) p.short_pages;
  long_pages = (int) p.long_pages;
  {
    GOptionEntry entries[] = {
      { "hours", 0, 0, G_OPTION_ARG_DOUBLE, &hours, N_("Length of the recording in hours (default 24; fewer when the disk is short)"), N_("H") },
      { "channels", 0, 0, G_OPTION_ARG_INT, &n_channels, N_("Channels (default 64)"), N_("N") },
      { "rate", 0, 0, G_OPTION_ARG_INT, &sfreq, N_("Sampling rate in Hz (default 256)"), N_("HZ") },
      { "short-pages", 0, 0, G_OPTION_ARG_INT, &short_pages, N_("Pages of 10 s drawn (default 100)"), N_("N") },
      { "long-pages", 0, 0, G_OPTION_ARG_INT, &long_pages, N_("Pages of 30 min drawn (default 20)"), N_("N") },
      { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir, N_("Folder for the temporary EDF file (default: the temporary folder)"), N_("DIR") },
      { "check", 0, 0, G_OPTION_ARG_NONE, &check, N_("Exit with status 1 when a goal is missed"), NULL },
      { NULL }
    };
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  }
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    return 2;
  if (!(hours >= 0.6) || hours > 1000 || n_channels < 1 || n_channels > 512 || sfreq < 1
      || sfreq > 65536 || short_pages < 1 || long_pages < 1)
    {
      as_cli_error (command, "%s", _("--hours must be from 0.6 to 1000, --channels from 1 to 512, --rate from 1 to 65536 and the page counts positive"));
      return 2;
    }
  p.hours = hours;
  p.n_channels = (guint) n_channels;
  p.sfreq = (guint) sfreq;
  p.short_pages = (guint) short_pages;
  p.long_pages = (guint) long_pages;
  p.dir = dir;
  if (!as_bench_browser_run (&p, stdout, &met, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  return check && !met ? 1 : 0;
}
