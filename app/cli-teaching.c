/* cli-teaching.c: `atomscope-cli bench teaching`, time to the papers'
 * patterns on the teaching view's presets.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "as-bench-teaching.h"
#include "as-teaching.h"
#include "cli-commands.h"

int
as_cli_bench_teaching (int argc, char **argv)
{
  const char *command = "bench teaching";
  AsBenchTeachingParams p;
  gboolean check = FALSE, quick = FALSE, met = FALSE;
  g_auto (GStrv) presets = NULL;
  double goal;
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— how soon each teaching preset shows its paper's pattern from a cold start"));
  g_autoptr (GError) error = NULL;

  as_bench_teaching_params_init (&p);
  goal = p.goal_seconds;
  {
    GOptionEntry entries[] = {
      { "preset", 0, 0, G_OPTION_ARG_STRING_ARRAY, &presets, N_("Run this preset only (learned-steps, sparse, dense, adversarial; repeatable)"), N_("NAME") },
      { "goal", 0, 0, G_OPTION_ARG_DOUBLE, &goal, N_("Seconds within which the pattern must show (default 30)"), N_("S") },
      { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, N_("Stop each preset at its pattern and estimate the time of its whole budget"), NULL },
      { "check", 0, 0, G_OPTION_ARG_NONE, &check, N_("Exit with status 1 when a goal is missed"), NULL },
      { NULL }
    };
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  }
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    return 2;
  if (!(goal > 0))
    {
      as_cli_error (command, "%s", _("--goal must be positive"));
      return 2;
    }
  for (guint i = 0; presets != NULL && presets[i] != NULL; i++)
    {
      AsTeachingPreset preset;

      if (!as_teaching_preset_from_string (presets[i], &preset))
        {
          as_cli_error (command, _("unknown preset “%s” (learned-steps, sparse, dense, adversarial)"),
                        presets[i]);
          return 2;
        }
      p.preset_mask |= 1u << preset;
    }
  p.goal_seconds = goal;
  p.quick = quick;
  if (!as_bench_teaching_run (&p, stdout, &met, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  return check && !met ? 1 : 0;
}
