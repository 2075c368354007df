/* cli-lasso.c: `atomscope-cli simulate`, `solvers` and `bench lasso` (option parsing only).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "as-bench-lasso.h"
#include "as-engine.h"
#include "as-lasso.h"
#include "as-npy.h"
#include "as-output.h"
#include "as-simulate.h"
#include "as-solver.h"
#include "cli-commands.h"

/* Options shared by `simulate` and `solvers` to describe a simulated problem. */
typedef struct
{
  gint n, m, n_signals;
  double rho, sigma, noise, coherence;
  char *dictionary;
  gboolean positive;
  gint64 seed;
} SimOptions;

static void
sim_options_init (SimOptions *o)
{
  AsSimulateParams p;

  as_simulate_params_init (&p);
  o->n = p.n;
  o->m = p.m;
  o->n_signals = p.n_signals;
  o->rho = p.rho;
  o->sigma = p.sigma;
  o->noise = p.noise;
  o->coherence = p.coherence;
  o->dictionary = NULL;
  o->positive = FALSE;
  o->seed = 0;
}

static void
sim_options_add (GOptionContext *context, SimOptions *o)
{
  const GOptionEntry entries[] = {
    { "n", 0, 0, G_OPTION_ARG_INT, &o->n, N_("Signal length (rows of D), default 64"), "N" },
    { "m", 0, 0, G_OPTION_ARG_INT, &o->m, N_("Number of atoms (columns of D), default 256"), "M" },
    { "n-signals", 0, 0, G_OPTION_ARG_INT, &o->n_signals, N_("Number of signals, default 100"), "COUNT" },
    { "rho", 0, 0, G_OPTION_ARG_DOUBLE, &o->rho,
      N_("Probability that a code entry is active (Bernoulli–Gaussian), default 0.05; 0 gives dense Gaussian signals"), "RHO" },
    { "sigma", 0, 0, G_OPTION_ARG_DOUBLE, &o->sigma, N_("Standard deviation of the active code entries, default 1"), "SIGMA" },
    { "noise", 0, 0, G_OPTION_ARG_DOUBLE, &o->noise, N_("Standard deviation of the additive noise, default 0.1"), "SIGMA" },
    { "dictionary", 0, 0, G_OPTION_ARG_STRING, &o->dictionary,
      N_("Simulated dictionary: sphere (default), fourier or coherence"), "KIND" },
    { "coherence", 0, 0, G_OPTION_ARG_DOUBLE, &o->coherence,
      N_("Mutual coherence for --dictionary=coherence, default 0.8"), "MU" },
    { "positive", 0, 0, G_OPTION_ARG_NONE, &o->positive, N_("Non-negative codes (z ≥ 0)"), NULL },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &o->seed, N_("Seed of the random generator, default 0"), "SEED" },
    { NULL }
  };
  GOptionGroup *group = g_option_group_new ("problem", _("Simulated problem:"),
                                            _("Show the options of the simulated problem"), NULL, NULL);

  g_option_group_add_entries (group, entries);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  g_option_context_add_group (context, group);
}

/* Checks the options a user can get wrong; FALSE is a usage error. */
static gboolean
sim_options_to_params (const char *command, const SimOptions *o, AsSimulateParams *p)
{
  as_simulate_params_init (p);
  if (o->n <= 0 || o->m <= 0 || o->n_signals <= 0)
    {
      as_cli_error (command, _("--n, --m and --n-signals must be positive (got %d, %d, %d)"),
                    o->n, o->m, o->n_signals);
      return FALSE;
    }
  if (!(o->rho >= 0.0 && o->rho <= 1.0) || !(o->sigma > 0.0) || !(o->noise >= 0.0))
    {
      as_cli_error (command, _("--rho must be in [0, 1], --sigma positive and --noise non-negative "
                               "(got %g, %g, %g)"), o->rho, o->sigma, o->noise);
      return FALSE;
    }
  if (o->dictionary != NULL && !as_simulate_dictionary_kind_from_string (o->dictionary, &p->dictionary))
    {
      as_cli_error (command, _("unknown dictionary “%s” (use sphere, fourier or coherence)"),
                    o->dictionary);
      return FALSE;
    }
  if (o->seed < 0)
    {
      as_cli_error (command, _("--seed must be non-negative (got %" PRId64 ")"), o->seed);
      return FALSE;
    }
  p->n = o->n;
  p->m = o->m;
  p->n_signals = o->n_signals;
  p->rho = o->rho;
  p->sigma = o->sigma;
  p->noise = o->noise;
  p->coherence = o->coherence;
  p->positive = o->positive;
  p->seed = (guint64) o->seed;
  return TRUE;
}

static gboolean
write_npy (const char *dir, const char *name, const double *data, gsize rows, gsize cols,
           gboolean overwrite, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  gsize shape[2] = { rows, cols };

  return as_npy_write (path, data, 2, shape, overwrite, error);
}

/* --- simulate --- */

int
as_cli_simulate (int argc, char **argv)
{
  const char *command = argv[0];
  SimOptions o;
  gboolean overwrite = FALSE;
  g_autoptr (GOptionContext) context = g_option_context_new (_("OUTPUT-DIR"));
  const GOptionEntry entries[] = {
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Replace existing files"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autofree double *D = NULL, *X = NULL, *Z = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonGenerator) gen = NULL;
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL, *json_path = NULL;
  AsSimulateParams p;
  const char *dir;

  sim_options_init (&o);
  g_option_context_set_summary (context,
      _("Simulates a sparse-coding problem and writes D.npy (n × m), X.npy (signals × n, "
        "on the equiregularization set ‖Dᵀx‖_∞ = 1), Z_true.npy (signals × m) and "
        "params.json in OUTPUT-DIR."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  sim_options_add (context, &o);
  if (!as_cli_parse_options (context, &argc, &argv, command))
    return 2;
  if (argc != 2)
    {
      as_cli_error (command, "%s", _("expected exactly one output folder (see --help)"));
      g_free (o.dictionary);
      return 2;
    }
  dir = argv[1];
  if (!sim_options_to_params (command, &o, &p))
    {
      g_free (o.dictionary);
      return 2;
    }
  g_free (o.dictionary);

  if (!as_simulate_problem (&p, &D, &X, &Z, &error))
    {
      as_cli_error (command, "%s", error->message);
      return g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID) ? 2 : 1;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      as_cli_error (command, _("cannot create the folder “%s”: %s"), dir, g_strerror (errno));
      return 1;
    }
  if (!write_npy (dir, "D.npy", D, p.n, p.m, overwrite, &error)
      || !write_npy (dir, "X.npy", X, p.n_signals, p.n, overwrite, &error)
      || !write_npy (dir, "Z_true.npy", Z, p.n_signals, p.m, overwrite, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, p.n);
  json_builder_set_member_name (builder, "m");
  json_builder_add_int_value (builder, p.m);
  json_builder_set_member_name (builder, "n_signals");
  json_builder_add_int_value (builder, p.n_signals);
  json_builder_set_member_name (builder, "rho");
  json_builder_add_double_value (builder, p.rho);
  json_builder_set_member_name (builder, "sigma");
  json_builder_add_double_value (builder, p.sigma);
  json_builder_set_member_name (builder, "noise");
  json_builder_add_double_value (builder, p.noise);
  json_builder_set_member_name (builder, "dictionary");
  json_builder_add_string_value (builder, as_simulate_dictionary_kind_to_string (p.dictionary));
  if (p.dictionary == AS_SIMULATE_DICTIONARY_COHERENCE)
    {
      json_builder_set_member_name (builder, "coherence");
      json_builder_add_double_value (builder, p.coherence);
    }
  json_builder_set_member_name (builder, "positive");
  json_builder_add_boolean_value (builder, p.positive);
  json_builder_set_member_name (builder, "seed");
  json_builder_add_int_value (builder, (gint64) p.seed);
  json_builder_set_member_name (builder, "signals");
  json_builder_add_string_value (builder, "equiregularization");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, as_engine_version ());
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  gen = json_generator_new ();
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json = json_generator_to_data (gen, NULL);
  json_path = g_build_filename (dir, "params.json", NULL);
  if (!as_output_write_contents (json_path, json, strlen (json), overwrite, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  printf (_("Wrote D.npy (%u × %u), X.npy (%u × %u), Z_true.npy and params.json to %s\n"),
          p.n, p.m, p.n_signals, p.n, dir);
  return 0;
}

/* --- solvers --- */

static gboolean
load_problem (const char *command, const char *d_path, const char *x_path,
              double **D, double **X, guint *n, guint *m, guint *N, int *status)
{
  g_autoptr (GError) error = NULL;
  AsNpyArray a = { 0 }, b = { 0 };

  if (!as_npy_read (d_path, &a, &error) || !as_npy_read (x_path, &b, &error))
    {
      as_cli_error (command, "%s", error->message);
      as_npy_array_clear (&a);
      *status = 1;
      return FALSE;
    }
  if (a.ndim != 2 || a.shape[0] == 0 || a.shape[1] == 0)
    {
      as_cli_error (command, _("%s: the dictionary must be a 2-D array n × m"), d_path);
      goto fail;
    }
  if (!((b.ndim == 2 && b.shape[1] == a.shape[0] && b.shape[0] > 0)
        || (b.ndim == 1 && b.shape[0] == a.shape[0])))
    {
      as_cli_error (command, _("%s: the signals must be an array of shape (signals, %zu) to match "
                               "the dictionary %s"), x_path, (size_t) a.shape[0], d_path);
      goto fail;
    }
  for (gsize k = 0; k < as_npy_array_size (&a); k++)
    if (!isfinite (a.data[k]))
      {
        as_cli_error (command, _("%s: the dictionary contains NaN or infinite values"), d_path);
        goto fail;
      }
  for (gsize k = 0; k < as_npy_array_size (&b); k++)
    if (!isfinite (b.data[k]))
      {
        as_cli_error (command, _("%s: the signals contain NaN or infinite values"), x_path);
        goto fail;
      }
  *n = a.shape[0];
  *m = a.shape[1];
  *N = b.ndim == 2 ? b.shape[0] : 1;
  *D = g_steal_pointer (&a.data);
  *X = g_steal_pointer (&b.data);
  as_npy_array_clear (&a);
  as_npy_array_clear (&b);
  return TRUE;

fail:
  as_npy_array_clear (&a);
  as_npy_array_clear (&b);
  *status = 1;
  return FALSE;
}

static double
median_of (const double *v, guint count)
{
  g_autofree double *c = g_memdup2 (v, sizeof (double) * count);

  /* Insertion sort: counts here are the number of signals of one run. */
  for (guint i = 1; i < count; i++)
    for (guint j = i; j > 0 && c[j - 1] > c[j]; j--)
      {
        double t = c[j];

        c[j] = c[j - 1];
        c[j - 1] = t;
      }
  return count == 0 ? NAN : c[count / 2];
}

int
as_cli_solvers (int argc, char **argv)
{
  const char *command = argv[0];
  SimOptions o;
  g_autofree char *problem_dir = NULL, *d_file = NULL, *x_file = NULL, *solvers_opt = NULL;
  g_autofree char *output = NULL, *summary_path = NULL;
  double lambda = -1.0, fraction = -1.0, tol = 1e-10;
  gint max_iter = 1000;
  gboolean restart = FALSE, overwrite = FALSE, no_reference = FALSE;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  const GOptionEntry entries[] = {
    { "problem", 0, 0, G_OPTION_ARG_FILENAME, &problem_dir,
      N_("Folder with D.npy and X.npy (as written by “simulate”)"), "DIR" },
    { "load-dictionary", 0, 0, G_OPTION_ARG_FILENAME, &d_file, N_("Dictionary D (n × m) as NPY"), "FILE" },
    { "load-signals", 0, 0, G_OPTION_ARG_FILENAME, &x_file, N_("Signals X (signals × n) as NPY"), "FILE" },
    { "lambda", 0, 0, G_OPTION_ARG_DOUBLE, &lambda, N_("Regularisation λ (absolute)"), "LAMBDA" },
    { "lambda-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction,
      N_("λ as a fraction of the largest λ_max = ‖Dᵀx‖_∞ over the signals, default 0.1"), "FRACTION" },
    { "solvers", 0, 0, G_OPTION_ARG_STRING, &solvers_opt,
      N_("Comma-separated solvers among ista, fista, oracle-ista, cd, greedy-cd (default: all)"), "LIST" },
    { "restart", 0, 0, G_OPTION_ARG_NONE, &restart, N_("FISTA with gradient restart"), NULL },
    { "max-iter", 0, 0, G_OPTION_ARG_INT, &max_iter, N_("Iterations per solver, default 1000"), "COUNT" },
    { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &tol,
      N_("Stop a solver once every signal has a duality gap below this, default 1e-10"), "GAP" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("CSV file for the convergence curves (required)"), "FILE" },
    { "summary", 0, 0, G_OPTION_ARG_FILENAME, &summary_path, N_("Also write the summary as JSON"), "FILE" },
    { "no-reference", 0, 0, G_OPTION_ARG_NONE, &no_reference,
      N_("Skip the reference solution (no suboptimality column)"), NULL },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &overwrite, N_("Replace existing files"), NULL },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autofree double *D = NULL, *X = NULL, *Zref = NULL, *Fstar = NULL;
  g_autoptr (AsLasso) lasso = NULL;
  AsOutput *csv = NULL;
  g_autoptr (JsonBuilder) builder = NULL;
  g_auto (GStrv) names = NULL;
  AsSolverKind kinds[AS_SOLVER_N_KINDS];
  guint n_kinds = 0, n = 0, m = 0, N = 0;
  int status = 0;

  sim_options_init (&o);
  g_option_context_set_summary (context,
      _("Runs Lasso solvers on a simulated problem (default) or on NPY files, writes the "
        "convergence curves as CSV (solver, signal, iteration, time, objective, gap, "
        "suboptimality, support) and prints a summary."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  sim_options_add (context, &o);
  if (!as_cli_parse_options (context, &argc, &argv, command))
    {
      g_free (o.dictionary);
      return 2;
    }

  /* Usage checks first: nothing is computed before they pass. */
  {
    gboolean bad = FALSE;
    AsSimulateParams p;

    if (argc != 1)
      bad = (as_cli_error (command, _("unexpected argument “%s” (see --help)"), argv[1]), TRUE);
    else if (output == NULL)
      bad = (as_cli_error (command, "%s", _("--output FILE is required")), TRUE);
    else if (lambda >= 0.0 && fraction >= 0.0)
      bad = (as_cli_error (command, "%s", _("give either --lambda or --lambda-fraction, not both")), TRUE);
    else if (problem_dir != NULL && (d_file != NULL || x_file != NULL))
      bad = (as_cli_error (command, "%s", _("give either --problem or --load-dictionary/--load-signals")), TRUE);
    else if ((d_file == NULL) != (x_file == NULL))
      bad = (as_cli_error (command, "%s", _("--load-dictionary and --load-signals go together")), TRUE);
    else if (max_iter <= 0 || !(tol >= 0.0))
      bad = (as_cli_error (command, _("--max-iter must be positive and --tol non-negative (got %d, %g)"),
                           max_iter, tol), TRUE);
    else if (lambda < 0.0 && lambda != -1.0)
      bad = (as_cli_error (command, _("--lambda must be non-negative (got %g)"), lambda), TRUE);
    else if (fraction < 0.0 && fraction != -1.0)
      bad = (as_cli_error (command, _("--lambda-fraction must be non-negative (got %g)"), fraction), TRUE);
    else if (!sim_options_to_params (command, &o, &p))
      bad = TRUE;
    if (!bad)
      {
        names = g_strsplit (solvers_opt != NULL ? solvers_opt : "ista,fista,oracle-ista,cd,greedy-cd", ",", -1);
        for (guint k = 0; names[k] != NULL && !bad; k++)
          {
            AsSolverKind kind;

            if (!as_solver_kind_from_string (g_strstrip (names[k]), &kind))
              bad = (as_cli_error (command, _("unknown solver “%s” (use ista, fista, oracle-ista, cd or greedy-cd)"),
                                   names[k]), TRUE);
            else if (n_kinds < AS_SOLVER_N_KINDS)
              kinds[n_kinds++] = kind;
          }
        if (!bad && n_kinds == 0)
          bad = (as_cli_error (command, "%s", _("--solvers names no solver")), TRUE);
      }
    if (bad)
      {
        g_free (o.dictionary);
        return 2;
      }

    if (problem_dir != NULL)
      {
        d_file = g_build_filename (problem_dir, "D.npy", NULL);
        x_file = g_build_filename (problem_dir, "X.npy", NULL);
      }
    if (d_file != NULL)
      {
        if (!load_problem (command, d_file, x_file, &D, &X, &n, &m, &N, &status))
          {
            g_free (o.dictionary);
            return status;
          }
      }
    else if (!as_simulate_problem (&p, &D, &X, NULL, &error))
      {
        as_cli_error (command, "%s", error->message);
        g_free (o.dictionary);
        return g_error_matches (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID) ? 2 : 1;
      }
    else
      {
        n = p.n;
        m = p.m;
        N = p.n_signals;
      }
    g_free (o.dictionary);
  }

  lasso = as_lasso_new (n, m, D, N, X, 0.0, o.positive);
  if (lambda >= 0.0)
    as_lasso_set_lambda (lasso, lambda);
  else
    as_lasso_set_lambda_fraction (lasso, fraction >= 0.0 ? fraction : 0.1);
  printf (_("Problem: n = %u, m = %u, %u signals, λ = %g%s, L = %g\n"), n, m, N,
          as_lasso_get_lambda (lasso), o.positive ? _(", z ≥ 0") : "", as_lasso_lipschitz (lasso));

  if (!no_reference)
    {
      Zref = g_new0 (double, (gsize) N * m);
      if (!as_lasso_solve_reference (lasso, Zref, 1e-12, 100000, &error))
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
      Fstar = g_new (double, N);
      for (guint i = 0; i < N; i++)
        Fstar[i] = as_lasso_objective (lasso, i, Zref + (gsize) i * m);
    }

  csv = as_output_open (output, overwrite, &error);
  if (csv == NULL)
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "lambda");
  json_builder_add_double_value (builder, as_lasso_get_lambda (lasso));
  json_builder_set_member_name (builder, "solvers");
  json_builder_begin_array (builder);

  printf ("%-18s %10s %10s %12s %12s %12s %s\n", _("solver"), _("iterations"), _("time (s)"),
          _("max gap"), _("median gap"), _("mean subopt."), _("converged"));
  for (guint k = 0; k < n_kinds; k++)
    {
      gboolean with_restart = restart && kinds[k] == AS_SOLVER_FISTA;
      g_autoptr (AsSolver) solver = as_solver_new (lasso, kinds[k], with_restart);
      g_autoptr (AsSolverTrace) trace = as_solver_trace_new (N);
      g_autofree char *name = g_strdup_printf ("%s%s", as_solver_kind_to_string (kinds[k]),
                                               with_restart ? "+restart" : "");
      g_autofree double *gap = g_new (double, N);
      g_autofree double *F = g_new (double, N);
      double max_gap = 0.0, mean_sub = 0.0;
      gboolean converged = as_solver_run (solver, tol, max_iter, 1, trace, &error);

      if (error != NULL)
        {
          as_cli_error (command, "%s", error->message);
          as_output_abort (csv);
          return 1;
        }
      if (!as_solver_trace_write_csv (trace, as_output_get_stream (csv), name, Fstar, k == 0, &error))
        {
          as_cli_error (command, "%s", error->message);
          as_output_abort (csv);
          return 1;
        }
      as_solver_evaluate (solver, F, gap, NULL);
      for (guint i = 0; i < N; i++)
        {
          max_gap = MAX (max_gap, gap[i]);
          if (Fstar != NULL)
            mean_sub += (F[i] - Fstar[i]) / N;
        }
      printf ("%-18s %10u %10.4f %12.3e %12.3e %12.3e %s\n", name, as_solver_get_iteration (solver),
              as_solver_get_elapsed (solver), max_gap, median_of (gap, N),
              Fstar != NULL ? mean_sub : NAN, converged ? _("yes") : _("no"));

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "solver");
      json_builder_add_string_value (builder, name);
      json_builder_set_member_name (builder, "iterations");
      json_builder_add_int_value (builder, as_solver_get_iteration (solver));
      json_builder_set_member_name (builder, "time");
      json_builder_add_double_value (builder, as_solver_get_elapsed (solver));
      json_builder_set_member_name (builder, "max_gap");
      json_builder_add_double_value (builder, max_gap);
      json_builder_set_member_name (builder, "median_gap");
      json_builder_add_double_value (builder, median_of (gap, N));
      if (Fstar != NULL)
        {
          json_builder_set_member_name (builder, "mean_suboptimality");
          json_builder_add_double_value (builder, mean_sub);
        }
      json_builder_set_member_name (builder, "converged");
      json_builder_add_boolean_value (builder, converged);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  if (!as_output_commit (csv, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  if (summary_path != NULL)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      g_autoptr (JsonNode) root = json_builder_get_root (builder);
      g_autofree char *json = NULL;

      json_generator_set_root (gen, root);
      json_generator_set_pretty (gen, TRUE);
      json = json_generator_to_data (gen, NULL);
      if (!as_output_write_contents (summary_path, json, strlen (json), overwrite, &error))
        {
          as_cli_error (command, "%s", error->message);
          return 1;
        }
    }
  printf (_("Curves written to %s\n"), output);
  return 0;
}

/* --- bench lasso --- */

int
as_cli_bench_lasso (int argc, char **argv)
{
  const char *command = argv[0];
  AsBenchLassoParams p;
  gint n, m, n_signals, subset, dgemm_size, iterations, max_iter;
  gint64 seed = 0;
  double fraction, tol;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *peer = NULL;
  gboolean check = FALSE, quick = FALSE, goals_met = TRUE;

  as_bench_lasso_params_init (&p);
  n = p.n;
  m = p.m;
  n_signals = p.n_signals;
  subset = p.subset;
  dgemm_size = p.dgemm_size;
  iterations = p.throughput_iterations;
  max_iter = p.max_iter;
  fraction = p.lambda_fraction;
  tol = p.tol;
  {
    const GOptionEntry entries[] = {
      { "n", 0, 0, G_OPTION_ARG_INT, &n, N_("Signal length, default 64"), "N" },
      { "m", 0, 0, G_OPTION_ARG_INT, &m, N_("Number of atoms, default 256"), "M" },
      { "n-signals", 0, 0, G_OPTION_ARG_INT, &n_signals, N_("Signals in the throughput batch, default 10000"), "COUNT" },
      { "subset", 0, 0, G_OPTION_ARG_INT, &subset,
        N_("Signals used for the time-to-tolerance runs, default 500"), "COUNT" },
      { "lambda-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction, N_("λ / λ_max, default 0.1"), "FRACTION" },
      { "tol", 0, 0, G_OPTION_ARG_DOUBLE, &tol, N_("Duality gap to reach, default 1e-8"), "GAP" },
      { "dgemm-size", 0, 0, G_OPTION_ARG_INT, &dgemm_size, N_("Size of the baseline DGEMM, default 2000"), "SIZE" },
      { "iterations", 0, 0, G_OPTION_ARG_INT, &iterations,
        N_("Iterations timed for the throughput, default 50"), "COUNT" },
      { "max-iter", 0, 0, G_OPTION_ARG_INT, &max_iter,
        N_("Iteration cap of the time-to-tolerance runs, default 5000"), "COUNT" },
      { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the simulated problem, default 0"), "SEED" },
      { "peer", 0, 0, G_OPTION_ARG_FILENAME, &peer,
        N_("Run scikit-learn's Lasso on the same signals (system Python, DIR added to its module path) and print the ratios"), "DIR" },
      { "check", 0, 0, G_OPTION_ARG_NONE, &check, N_("Exit with status 1 when a goal against the peer is missed"), NULL },
      { "quick", 0, 0, G_OPTION_ARG_NONE, &quick,
        N_("Skip the throughput table and time only the two solvers compared with the peer"), NULL },
      { NULL }
    };

    g_option_context_set_summary (context,
        _("Measures batched FISTA's GFLOP/s against this machine's DGEMM rate, and the "
          "time each solver needs to reach a duality gap, on Ablin et al. 2019's setting "
          "(D uniform on the sphere, signals on the equiregularization set)."));
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
    if (!as_cli_parse_options (context, &argc, &argv, command))
      return 2;
  }
  if (argc != 1)
    {
      as_cli_error (command, _("unexpected argument “%s” (see --help)"), argv[1]);
      return 2;
    }
  if (n <= 0 || m <= 0 || n_signals <= 0 || subset <= 0 || dgemm_size <= 0 || iterations <= 0
      || max_iter <= 0 || !(fraction > 0.0) || !(tol > 0.0) || seed < 0)
    {
      as_cli_error (command, "%s", _("every size, count, the tolerance and the λ fraction must be positive"));
      return 2;
    }
  p.n = n;
  p.m = m;
  p.n_signals = n_signals;
  p.subset = subset;
  p.dgemm_size = dgemm_size;
  p.throughput_iterations = iterations;
  p.max_iter = max_iter;
  p.lambda_fraction = fraction;
  p.tol = tol;
  p.seed = (guint64) seed;
  p.peer_dir = peer;
  p.quick = quick;
  if (!as_bench_lasso_run (&p, stdout, &goals_met, &error))
    {
      as_cli_error (command, "%s", error->message);
      return 1;
    }
  if (check && !goals_met)
    {
      as_cli_error (command, "%s", _("a goal against the peer was missed"));
      return 1;
    }
  return 0;
}
