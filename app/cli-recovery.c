/* cli-recovery.c: `atomscope-cli recovery` (option parsing and wiring only):
 * a grid of dictionary recovery experiments, resumable, with its figures.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <errno.h>
#include <glib/gstdio.h>

#include "as-dl-grid.h"
#include "as-engine.h"
#include "as-figure-export.h"
#include "as-figure-recovery.h"
#include "as-output.h"
#include "cli-commands.h"

static void
print_cell (const AsDlCellResult *r, guint done, guint total, gpointer user_data)
{
  g_autofree char *key = as_dl_grid_cell_key (&r->cell);

  printf (_("[%u/%u] %s  recovery %.4f  support F1 %.3f  objective %.5g  %.2f s\n"),
          done, total, key, r->recovery, r->support_f1, r->objective, r->seconds);
  fflush (stdout);
}

typedef struct
{
  AsFigureHeatmap map;
} HeatmapData;

static void
draw_heatmap (cairo_t *cr, double width, double height, gpointer user_data)
{
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_heatmap (cr, width, height, &style, user_data);
}

typedef struct
{
  const double *errors;
  guint max_depth;
  const char *title;
} GradientData;

static void
draw_gradients (cairo_t *cr, double width, double height, gpointer user_data)
{
  GradientData *g = user_data;
  AsFigureStyle style;

  as_figure_style_init_light (&style);
  as_figure_draw_gradient_errors (cr, width, height, &style, g->title, g->errors, g->max_depth,
                                  FALSE);
}

static gboolean
export_all (const char *dir, const char *stem, double width, double height,
            AsFigureDrawFunc draw, gpointer data, GError **error)
{
  const AsFigureFormat formats[] = { AS_FIGURE_FORMAT_PNG, AS_FIGURE_FORMAT_SVG, AS_FIGURE_FORMAT_PDF };

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", stem, as_figure_format_extension (formats[f]));
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!as_figure_export (path, formats[f], width, height, 144, draw, data, TRUE, error))
        return FALSE;
    }
  return TRUE;
}

/* DIR/settings.txt holds the settings shared by all cells (as_dl_grid_settings):
 * results computed with other settings are never mixed into this grid. */
static gboolean
check_settings (const char *dir, const AsDlGrid *grid, guint n_results, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "settings.txt", NULL);
  g_autofree char *want = as_dl_grid_settings (grid);
  g_autofree char *have = NULL;
  AsOutput *out;

  if (g_file_get_contents (path, &have, NULL, NULL))
    {
      g_strstrip (have);
      if (strcmp (have, want) == 0)
        return TRUE;
      if (n_results > 0)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: the results there were computed with “%s”, this grid asks for "
                         "“%s”; choose another folder"), path, have, want);
          return FALSE;
        }
    }
  out = as_output_open (path, TRUE, error);
  if (out == NULL)
    return FALSE;
  fprintf (as_output_get_stream (out), "%s\n", want);
  return as_output_commit (out, error);
}

static gboolean
write_gradient_csv (const char *path, const double *errors, guint max_depth, GError **error)
{
  AsOutput *out = as_output_open (path, TRUE, error);
  FILE *fp;

  if (out == NULL)
    return FALSE;
  fp = as_output_get_stream (out);
  fprintf (fp, "layers,analytic,automatic,implicit\n");
  for (guint t = 0; t < max_depth; t++)
    {
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];

      fprintf (fp, "%u,%s,%s,%s\n", t + 1,
               g_ascii_formatd (a, sizeof a, "%.8g", errors[t]),
               g_ascii_formatd (b, sizeof b, "%.8g", errors[max_depth + t]),
               g_ascii_formatd (c, sizeof c, "%.8g", errors[2 * max_depth + t]));
    }
  return as_output_commit (out, error);
}

int
as_cli_recovery (int argc, char **argv)
{
  const char *command = argv[0];
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *spec = NULL, *out_dir = NULL, *csv = NULL, *description = NULL;
  g_autoptr (AsDlGrid) grid = NULL;
  g_autoptr (GArray) results = g_array_new (FALSE, FALSE, sizeof (AsDlCellResult));
  gint jobs = (gint) g_get_num_processors (), depth = 60, gradient_signals = 20;
  gint64 t0 = g_get_monotonic_time ();
  guint before, total;
  const GOptionEntry entries[] = {
    { "grid", 0, 0, G_OPTION_ARG_STRING, &spec, N_("Grid specification (see below; default: the 5 × 5 grid)"), "SPEC" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, N_("Folder of the results (created; a run there resumes)"), "DIR" },
    { "jobs", 0, 0, G_OPTION_ARG_INT, &jobs, N_("Cells computed at once, default the number of cores"), "COUNT" },
    { "depth", 0, 0, G_OPTION_ARG_INT, &depth, N_("Largest depth T of the gradient-error curve, default 60; 0: none"), "T" },
    { NULL }
  };

  description = g_strdup_printf (
      _("SPEC is a comma-separated list of KEY=VALUE items.  A value is a number, a range "
        "FIRST:LAST:COUNT of evenly spaced values, or a list (items without “=” extend the "
        "previous key).  Keys: sparsity (active atoms per signal over n), coherence (mutual "
        "coherence of the true dictionary; 0 for a random Gaussian dictionary), samples "
        "(number of signals), seeds (problems per cell), learners (am, online, unrolled), n, "
        "m (m/n is the overcompleteness), lambda (fraction of the mean λ_max), snr (dB), "
        "amplitude (gaussian, sign or bounded), support (fixed or bernoulli), layers, unroll "
        "(ista or fista) and gradient (analytic, automatic or implicit) for the unrolled "
        "learner.\n\nDefault: %s,n=64,m=128,lambda=0.1,snr=30,amplitude=bounded,support=fixed,"
        "layers=20,unroll=fista,gradient=automatic\n\n"
        "Example: --grid \"sparsity=0.05,0.1,coherence=0,0.3,0.6,samples=500,2000,"
        "learners=am,unrolled,unroll=ista,gradient=implicit\"\n\n"
        "Writes into DIR: results.csv (one row per cell, rewritten after every cell, so an "
        "interrupted run resumes where it stopped), settings.txt (the settings shared by "
        "the cells: a run with other settings refuses the folder), recovery-LEARNER.png/.svg/"
        ".pdf (mean recovery over sparsity × coherence), gradient-errors.csv and "
        "gradient-errors.png/.svg/.pdf (error of the three gradient estimates of unrolled "
        "learning versus depth)."),
      AS_DL_GRID_DEFAULT_SPEC);
  g_option_context_set_summary (context,
      _("Dictionary recovery: draws problems with a chosen sparsity and coherence, learns the "
        "dictionary with alternating minimisation, online learning or unrolled learning, and "
        "measures how well the true atoms are recovered."));
  {
    /* Convolutional problems, a paragraph of their own. */
    char *with = g_strdup_printf ("%s\n\n%s", description,
        _("problem=convolutional draws signals of length=N samples (default 1000), each a sum of "
          "the m atoms of n samples placed at random, sparsity being the activations per sample "
          "over all atoms; learners am (batch) and online learn them by convolutional dictionary "
          "learning and each true atom is matched at its best shift.  Give one coherence value "
          "(it is not used); support columns are nan.  Example: --grid \"problem=convolutional,"
          "n=32,m=3,length=1000,samples=4,sparsity=0.01:0.06:3,coherence=0,learners=am,online\""));
    g_free (description);
    description = with;
  }
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!as_cli_parse_options (context, &argc, &argv, command))
    return 2;
  if (argc != 1)
    {
      as_cli_error (command, _("unexpected argument “%s” (see --help)"), argv[1]);
      return 2;
    }
  if (out_dir == NULL)
    {
      as_cli_error (command, _("--out DIR is required"));
      return 2;
    }
  if (jobs < 1 || depth < 0)
    {
      as_cli_error (command, _("--jobs must be positive and --depth not negative"));
      return 2;
    }
  grid = as_dl_grid_parse (spec, &error);
  if (grid == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 2;
    }
  if (g_mkdir_with_parents (out_dir, 0755) != 0)
    {
      as_cli_error (command, _("cannot create the folder “%s”: %s"), out_dir, g_strerror (errno));
      return 1;
    }
  csv = g_build_filename (out_dir, "results.csv", NULL);
  if (!as_dl_grid_read_csv (csv, results, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  before = results->len;
  if (!check_settings (out_dir, grid, before, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  total = as_dl_grid_n_cells (grid);
  printf (_("%u cells (%u sparsity × %u coherence × %u sample sizes × %u learners × %u seeds), "
            "n = %u, m = %u; %u results already in %s\n"),
          total, grid->n_sparsity, grid->n_coherence, grid->n_samples, grid->n_learners,
          grid->n_seeds, grid->n, grid->m, before, csv);
  fflush (stdout);
  /* Cells run side by side: one BLAS thread each is faster on these sizes. */
  if (jobs > 1)
    as_engine_set_blas_threads (1);
  if (!as_dl_grid_run (grid, results, csv, (guint) jobs, print_cell, NULL, NULL, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }

  /* One heat map per learner. */
  for (guint l = 0; l < grid->n_learners; l++)
    {
      AsDlLearner learner = grid->learners[l];
      g_autofree double *mean = g_new (double, grid->n_sparsity * grid->n_coherence);
      g_autofree char *unroll = g_ascii_strup (as_dl_layers_to_string (grid->layers), -1);
      g_autofree char *title =
          grid->convolutional
            ? g_strdup_printf (learner == AS_DL_LEARNER_ONLINE
                                 ? _("Mean recovery, online convolutional learning (%u atoms of %u samples)")
                                 : _("Mean recovery, convolutional learning (%u atoms of %u samples)"),
                               grid->m, grid->n)
          : learner == AS_DL_LEARNER_AM
            ? g_strdup_printf (_("Mean recovery, alternating minimisation (n = %u, m = %u)"),
                               grid->n, grid->m)
          : learner == AS_DL_LEARNER_ONLINE
            ? g_strdup_printf (_("Mean recovery, online learning (n = %u, m = %u)"),
                               grid->n, grid->m)
            : g_strdup_printf (_("Mean recovery, unrolled %s, T = %u, %s gradient "
                                 "(n = %u, m = %u)"), unroll, grid->n_layers,
                               as_dl_gradient_to_string (grid->gradient), grid->n, grid->m);
      g_autofree char *stem = g_strdup_printf ("recovery-%s", as_dl_learner_to_string (learner));
      g_autofree const char **labels = g_new0 (const char *, grid->n_coherence);
      AsFigureHeatmap map = {
        .title = title,
        .x_label = grid->convolutional ? _("atoms of random shapes") : _("mutual coherence μ(D)"),
        .y_label = grid->convolutional ? _("activations per sample") : _("sparsity k/n"),
        .colorbar_label = _("recovery score"),
        .n_rows = grid->n_sparsity,
        .n_cols = grid->n_coherence,
        .row_values = grid->sparsity,
        .col_values = grid->coherence,
        .col_labels = labels,
        .values = mean,
        .vmin = 0.0,
        .vmax = 1.0,
        .show_values = TRUE,
      };

      for (guint c = 0; c < grid->n_coherence; c++)
        if (grid->convolutional)
          labels[c] = "";
        else if (grid->coherence[c] == 0.0)
          labels[c] = _("Gaussian");
      as_dl_grid_mean_recovery (grid, results, learner, mean);
      if (!export_all (out_dir, stem, 640, 480, draw_heatmap, &map, &error))
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
    }

  /* The gradient of unrolled learning is a question of the dense model. */
  if (depth > 0 && !grid->convolutional)
    {
      g_autofree double *errors = g_new (double, 3 * (gsize) depth);
      g_autofree char *path = g_build_filename (out_dir, "gradient-errors.csv", NULL);
      g_autofree char *title = g_strdup_printf (_("Gradient of unrolled FISTA versus depth "
                                                  "(n = %u, m = %u)"), grid->n, grid->m);
      GradientData data = { errors, (guint) depth, title };

      if (!as_dl_grid_gradient_errors (grid, (guint) gradient_signals, (guint) depth,
                                       AS_DL_LAYERS_FISTA, errors, &error)
          || !write_gradient_csv (path, errors, (guint) depth, &error)
          || !export_all (out_dir, "gradient-errors", 640, 420, draw_gradients, &data, &error))
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
    }
  printf (_("%u cells computed, %u taken from %s; total time %.1f s\n"),
          results->len - before, before, csv, (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
