/* atomscope-cli.c: the headless entry point; dispatches to subcommands.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "as-engine.h"
#include "cli-commands.h"

typedef struct
{
  const char *name;
  const char *bench;   /* second word for "bench" subcommands, else NULL */
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "info", NULL, as_cli_info, N_("Print what was read from a recording (channels, rate, events, warnings)") },
  { "annotate", NULL, as_cli_annotate, N_("Delete and add a recording's annotations, save them as EDF+ or BIDS events.tsv") },
  { "simulate", NULL, as_cli_simulate, N_("Write a simulated sparse-coding problem to NPY files") },
  { "solvers", NULL, as_cli_solvers, N_("Run sparse-coding solvers and write their convergence curves") },
  { "train", NULL, as_cli_train, N_("Train an unrolled solver (LISTA, LISTA-CP, ALISTA, SLISTA)") },
  { "learn", NULL, as_cli_learn, N_("Learn atoms from a recording (convolutional dictionary learning)") },
  { "nystagmus", NULL, as_cli_nystagmus, N_("Measure nystagmus in an eye-movement recording (beats, slow-phase velocity, foveation)") },
  { "events", NULL, as_cli_events, N_("Which atoms are driven by the recording's events (driven point processes)") },
  { "recovery", NULL, as_cli_recovery, N_("Grids of dictionary recovery experiments (classical and unrolled learning)") },
  { "plot", NULL, as_cli_plot, N_("Draw the figures of a learned model (atoms, raster, convergence) as PNG, SVG or PDF") },
  { "encode", NULL, as_cli_encode, N_("Find the atoms of a model folder in another recording") },
  { "bench", "lasso", as_cli_bench_lasso, N_("Benchmark the sparse-coding solvers") },
  { "bench", "unrolled", as_cli_bench_unrolled, N_("Benchmark training of unrolled solvers") },
  { "bench", "cdl", as_cli_bench_cdl, N_("Benchmark convolutional dictionary learning") },
  { "bench", "events", as_cli_bench_events, N_("Benchmark the driven point-process fits of a whole model") },
  { "bench", "browser", as_cli_bench_browser, N_("Benchmark opening and paging through a day-long EEG") },
  { "bench", "teaching", as_cli_bench_teaching, N_("Benchmark how soon the teaching presets show their papers' patterns") },
  { "bench", "distributed", as_cli_bench_distributed, N_("Benchmark learning split between MPI processes") },
};

void
as_cli_error (const char *command, const char *format, ...)
{
  va_list args;
  g_autofree char *msg = NULL;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "atomscope-cli %s: %s\n", command, msg);
}

gboolean
as_cli_parse_options (GOptionContext *context, int *argc, char ***argv, const char *command)
{
  g_autoptr (GError) error = NULL;

  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      as_cli_error (command, "%s", error->message);
      return FALSE;
    }
  return TRUE;
}

static void
print_help (FILE *out)
{
  fprintf (out, "%s\n\n", _("Usage: atomscope-cli [--version] [--help] COMMAND [OPTIONS…]"));
  fprintf (out, "%s\n\n", _("Atomscope finds recurring waveforms (atoms) in signals and images."));
  fprintf (out, "%s\n", _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *name = commands[i].bench
                                  ? g_strdup_printf ("%s %s", commands[i].name, commands[i].bench)
                                  : g_strdup (commands[i].name);
      fprintf (out, "  %-16s %s\n", name, _(commands[i].summary));
    }
  fprintf (out, "\n%s\n", _("Run “atomscope-cli COMMAND --help” for the options of a command."));
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2)
    {
      print_help (stderr);
      return 2;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      print_help (stdout);
      return 0;
    }
  if (strcmp (argv[1], "--version") == 0)
    {
      printf ("atomscope-cli %s\n", as_engine_version ());
      return 0;
    }

  as_engine_init (AS_ENGINE_ROLE_HEADLESS);

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strcmp (argv[1], commands[i].name) != 0)
        continue;
      if (commands[i].bench == NULL)
        return commands[i].run (argc - 1, argv + 1);
      if (argc >= 3 && strcmp (argv[2], commands[i].bench) == 0)
        return commands[i].run (argc - 2, argv + 2);
    }

  if (strcmp (argv[1], "bench") == 0)
    fprintf (stderr, _("atomscope-cli: “bench” needs one of: lasso, unrolled, cdl, events, browser, teaching, distributed\n"));
  else
    fprintf (stderr, _("atomscope-cli: unknown command “%s” (see “atomscope-cli --help”)\n"), argv[1]);
  return 2;
}
