/* cli-events.c: "atomscope-cli events": which atoms of a learned model are driven by the
 * recording's events (DriPP fits, dripp.csv, dripp.json and peri-event figures).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "as-bench-events.h"
#include "as-cdl.h"
#include "as-dripp-analysis.h"
#include "as-engine.h"
#include "as-figure-events.h"
#include "as-figure-export.h"
#include "as-model.h"
#include "as-preprocess.h"
#include "as-reader.h"
#include "cli-commands.h"
#include "cli-read.h"

int
as_cli_events (int argc, char **argv)
{
  const char *command = "events";
  char *out_dir = NULL, *support = NULL, *types = NULL, *stim = NULL, *format_name = NULL;
  g_auto (GStrv) files = NULL;
  g_auto (GStrv) type_list = NULL;
  g_auto (AsCliRead) read = { 0 };
  double pre = 1.0, post = 2.0, threshold = AS_CDL_OCCURRENCE_THRESHOLD;
  gboolean force = FALSE, no_figures = FALSE;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder for dripp.csv, dripp.json and the peri-event figures (required)"), N_("DIR") },
    { "pre", 0, 0, G_OPTION_ARG_DOUBLE, &pre, N_("Figures: seconds shown before each event (default 1)"), N_("S") },
    { "post", 0, 0, G_OPTION_ARG_DOUBLE, &post, N_("Figures: seconds shown after each event (default 2)"), N_("S") },
    { "support", 0, 0, G_OPTION_ARG_STRING, &support, N_("Kernel support a,b in seconds after the event (default 0,1)"), N_("A,B") },
    { "event-types", 0, 0, G_OPTION_ARG_STRING, &types, N_("Event labels to analyse, comma-separated (default: all)"), N_("T1,T2") },
    { "stim-channel", 0, 0, G_OPTION_ARG_STRING, &stim, N_("Take the events from this stimulus channel instead of the annotations"), N_("NAME") },
    { "threshold", 0, 0, G_OPTION_ARG_DOUBLE, &threshold, N_("Keep occurrences with |activation| ≥ this fraction of the atom's largest (default 0.1, as the atoms view counts them; 0: all)"), N_("FRACTION") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format_name, N_("Figure format: png (default), svg or pdf"), N_("FORMAT") },
    { "no-figures", 0, 0, G_OPTION_ARG_NONE, &no_figures, N_("Write the tables only"), NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, N_("Overwrite existing output files"), NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("MODEL_DIR FILE --out DIR — which atoms are driven by the recording's events"));
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) model = NULL;
  g_autoptr (AsRecording) rec = NULL;
  g_autoptr (AsDrippAnalysis) analysis = NULL;
  g_autofree char *csv_path = NULL, *json_path = NULL;
  AsFigureFormat format = AS_FIGURE_FORMAT_PNG;
  AsDrippParams params;
  AsDrippSource source = { 0 };
  AsFigureStyle style;
  gint64 t_start;
  int status = 2;

  g_option_context_set_summary (ctx,
      _("Fits a driven point process (Allain, Gramfort & Moreau 2021) to the occurrences of "
        "every atom around every event type of FILE, the recording the atoms were learned on: "
        "baseline rate μ, excitation α, latency m and jitter σ, with a likelihood-ratio test "
        "of α > 0.  Writes dripp.csv, dripp.json and one peri-event figure per atom and "
        "event type."));
  g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  g_option_context_add_group (ctx, as_cli_read_group (&read));
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    goto out;
  if (files == NULL || g_strv_length (files) != 2)
    {
      as_cli_error (command, "%s", _("give a model folder and the recording (see --help)"));
      goto out;
    }
  if (out_dir == NULL)
    {
      as_cli_error (command, "%s", _("--out DIR is required"));
      goto out;
    }
  as_dripp_params_init (&params);
  if (support != NULL)
    {
      g_auto (GStrv) ab = g_strsplit (support, ",", 0);
      char *end0 = NULL, *end1 = NULL;
      if (g_strv_length (ab) != 2
          || (params.a = g_ascii_strtod (ab[0], &end0), *end0 != '\0' || end0 == ab[0])
          || (params.b = g_ascii_strtod (ab[1], &end1), *end1 != '\0' || end1 == ab[1])
          || !(params.a >= 0) || !(params.b > params.a))
        {
          as_cli_error (command, _("--support takes two numbers a,b with 0 ≤ a < b (got “%s”)"), support);
          goto out;
        }
    }
  if (!(pre >= 0) || !(post > 0) || !(threshold >= 0) || threshold > 1)
    {
      as_cli_error (command, "%s", _("--pre must be ≥ 0, --post > 0 and --threshold in [0, 1]"));
      goto out;
    }
  if (format_name != NULL)
    {
      if (g_strcmp0 (format_name, "png") == 0)
        format = AS_FIGURE_FORMAT_PNG;
      else if (g_strcmp0 (format_name, "svg") == 0)
        format = AS_FIGURE_FORMAT_SVG;
      else if (g_strcmp0 (format_name, "pdf") == 0)
        format = AS_FIGURE_FORMAT_PDF;
      else
        {
          as_cli_error (command, _("unknown --format “%s” (use png, svg or pdf)"), format_name);
          goto out;
        }
    }
  if (types != NULL)
    {
      type_list = g_strsplit (types, ",", 0);
      for (guint i = 0; type_list[i] != NULL; i++)
        g_strstrip (type_list[i]);
      source.event_types = (const char *const *) type_list;
    }
  source.threshold = threshold;

  status = 1;
  csv_path = g_build_filename (out_dir, "dripp.csv", NULL);
  json_path = g_build_filename (out_dir, "dripp.json", NULL);
  if (!force && (g_file_test (csv_path, G_FILE_TEST_EXISTS) || g_file_test (json_path, G_FILE_TEST_EXISTS)))
    {
      as_cli_error (command, _("%s: the file exists already (choose another folder or give --force)"),
                    g_file_test (csv_path, G_FILE_TEST_EXISTS) ? csv_path : json_path);
      goto out;
    }
  model = as_model_load (files[0], &error);
  if (model == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  rec = as_cli_read_load (&read, files[1], command);
  if (rec == NULL)
    goto out;
  /* The stimulus channel's steps become the events before preprocessing: the atoms were
   * learned without that channel, and a crop moves them as it moves annotations. */
  if (stim != NULL && !as_dripp_stim_to_events (rec, stim, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  {
    /* the atoms were learned on the recording as preprocessed then (events move with a crop) */
    AsPreprocessOptions pre_opts;
    if (as_model_get_preprocess_options (model, &pre_opts))
      {
        AsRecording *prepared = as_preprocess (rec, &pre_opts, NULL, &error);
        if (prepared == NULL)
          {
            as_cli_error (command, "%s", error->message);
            goto out;
          }
        as_recording_unref (rec);
        rec = prepared;
      }
  }
  t_start = g_get_monotonic_time ();
  analysis = as_dripp_analyse (model->model, rec, &params, &source, NULL, &error);
  if (analysis == NULL)
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      int saved = errno;
      as_cli_error (command, _("Cannot create the folder %s: %s"), out_dir, g_strerror (saved));
      goto out;
    }
  if (!as_dripp_write_csv (analysis, csv_path, force, &error)
      || !as_dripp_write_json (analysis, json_path, force, &error))
    {
      as_cli_error (command, "%s", error->message);
      goto out;
    }
  printf (_("%u atoms × %u event types fitted in %.3f s (support [%g, %g] s)\n"),
          analysis->n_atoms, analysis->event_types->len,
          (g_get_monotonic_time () - t_start) / 1e6, params.a, params.b);
  /* how many events entered each fit and how many occurrences (all activations above
   * --threshold, merged) the atom has */
  printf ("%-5s %-10s %6s %6s %9s %9s %9s %9s %10s %10s\n", _("atom"), _("events"), "n", _("occ."),
          "μ (/s)", "α", "m (s)", "σ (s)", "p", "q");
  for (guint r = 0; r < analysis->rows->len; r++)
    {
      const AsDrippRow *row = &g_array_index (analysis->rows, AsDrippRow, r);
      const AsDrippEventType *t = analysis->event_types->pdata[row->event_type];
      /* without excitation (α = 0) the kernel has no latency nor jitter to speak of */
      gboolean kernel = as_dripp_fit_excited (&row->fit);
      char m[32] = "–", sigma[32] = "–";

      if (kernel)
        {
          g_snprintf (m, sizeof m, "%.4g", row->fit.m);
          g_snprintf (sigma, sizeof sigma, "%.4g", row->fit.sigma);
        }
      printf ("%-5u %-10s %6zu %6zu %9.4g %9.4g %*s %*s %10.3g %10.3g\n", row->atom + 1, t->label,
              row->fit.n_events, row->fit.n_occurrences, row->fit.mu, row->fit.alpha,
              kernel ? 9 : 11, m, kernel ? 9 : 11, sigma, row->fit.p_value, row->q_value);
    }

  if (!no_figures)
    {
      as_figure_style_init_light (&style);
      if (!as_figure_write_events (analysis, &style, pre, post, out_dir, format, 96, force,
                                   NULL, &error))
        {
          as_cli_error (command, "%s", error->message);
          goto out;
        }
    }
  printf (_("Wrote %s, %s and %u figures\n"), csv_path, json_path,
          no_figures ? 0 : analysis->rows->len);
  status = 0;

out:
  g_free (out_dir);
  g_free (support);
  g_free (types);
  g_free (stim);
  g_free (format_name);
  return status;
}

int
as_cli_bench_events (int argc, char **argv)
{
  const char *command = "bench events";
  AsBenchEventsParams p;
  gboolean check = FALSE, met = FALSE;
  int n_atoms, n_types, n_occ, n_events, repeats;
  gint64 seed = 0;
  double duration;
  g_autoptr (GOptionContext) ctx = g_option_context_new (_("— time the driven point-process fits of a whole model"));
  g_autoptr (GError) error = NULL;

  as_bench_events_params_init (&p);
  n_atoms = p.n_atoms;
  n_types = p.n_event_types;
  n_occ = p.n_occurrences;
  n_events = p.n_events;
  repeats = p.repeats;
  duration = p.duration;
  {
    GOptionEntry entries[] = {
      { "atoms", 0, 0, G_OPTION_ARG_INT, &n_atoms, N_("Atoms (default 20)"), N_("K") },
      { "event-types", 0, 0, G_OPTION_ARG_INT, &n_types, N_("Event types (default 3)"), N_("E") },
      { "occurrences", 0, 0, G_OPTION_ARG_INT, &n_occ, N_("Occurrences over all atoms (default 100000)"), N_("N") },
      { "events", 0, 0, G_OPTION_ARG_INT, &n_events, N_("Events over all types (default 1000)"), N_("N") },
      { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration, N_("Recording length in seconds (default 3600)"), N_("S") },
      { "repeats", 0, 0, G_OPTION_ARG_INT, &repeats, N_("Best of this many runs (default 3)"), N_("N") },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the simulation (default 0)"), N_("SEED") },
      { "check", 0, 0, G_OPTION_ARG_NONE, &check, N_("Exit with status 1 when the goal (< 1 s) is missed"), NULL },
      { NULL }
    };
    g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
  }
  if (!as_cli_parse_options (ctx, &argc, &argv, command))
    return 2;
  if (n_atoms < 1 || n_types < 1 || n_occ < 1 || n_events < n_types || repeats < 1
      || !(duration > 10))
    {
      as_cli_error (command, "%s", _("--atoms, --event-types, --occurrences, --repeats must be positive, --events ≥ --event-types and --duration > 10"));
      return 2;
    }
  p.n_atoms = (guint) n_atoms;
  p.n_event_types = (guint) n_types;
  p.n_occurrences = (guint) n_occ;
  p.n_events = (guint) n_events;
  p.repeats = (guint) repeats;
  p.duration = duration;
  p.seed = (guint64) seed;
  if (!as_bench_events_run (&p, stdout, &met, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  return check && !met ? 1 : 0;
}
