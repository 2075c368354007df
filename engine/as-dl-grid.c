/* as-dl-grid.c: grids of dictionary recovery experiments and their results.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-dl"
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "as-dl-grid.h"
#include "as-cdl-sim.h"
#include "as-cdl.h"
#include "as-engine.h"
#include "as-metrics.h"
#include "as-output.h"
#include "as-rng.h"

void
as_dl_grid_free (AsDlGrid *grid)
{
  if (grid == NULL)
    return;
  g_free (grid->sparsity);
  g_free (grid->coherence);
  g_free (grid->samples);
  g_free (grid);
}

static gboolean
parse_double (const char *text, double *out)
{
  char *end = NULL;

  if (text == NULL || *text == '\0')
    return FALSE;
  errno = 0;
  *out = g_ascii_strtod (text, &end);
  return errno == 0 && end != NULL && *end == '\0' && isfinite (*out);
}

static gboolean
parse_uint (const char *text, guint *out)
{
  guint64 v;

  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT32, &v, NULL))
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* "a", "a:b:count" or a list of such items → values. */
static gboolean
parse_values (const char *key, GPtrArray *items, GArray *values, GError **error)
{
  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      g_auto (GStrv) parts = g_strsplit (item, ":", -1);
      guint np = g_strv_length (parts);
      double a, b;
      guint count;

      if (np == 1 && parse_double (parts[0], &a))
        g_array_append_val (values, a);
      else if (np == 3 && parse_double (parts[0], &a) && parse_double (parts[1], &b)
               && parse_uint (parts[2], &count) && count <= 1000)
        for (guint k = 0; k < count; k++)
          {
            double v = count == 1 ? a : a + (b - a) * k / (count - 1);

            g_array_append_val (values, v);
          }
      else
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("Grid item “%s=%s”: expected a number or FIRST:LAST:COUNT"), key, item);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
single_item (const char *key, GPtrArray *items, GError **error)
{
  if (items->len == 1)
    return TRUE;
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
               _("Grid item “%s” takes one value, not %u"), key, items->len);
  return FALSE;
}

static gboolean
apply_item (AsDlGrid *g, const char *key, GPtrArray *items, GError **error)
{
  const char *first = g_ptr_array_index (items, 0);

  if (strcmp (key, "sparsity") == 0 || strcmp (key, "coherence") == 0)
    {
      g_autoptr (GArray) v = g_array_new (FALSE, FALSE, sizeof (double));
      gboolean sp = key[0] == 's';

      if (!parse_values (key, items, v, error))
        return FALSE;
      for (guint i = 0; i < v->len; i++)
        {
          double x = g_array_index (v, double, i);

          /* A coherence of 0 asks for a Gaussian dictionary. */
          if (!((sp ? x > 0.0 : x >= 0.0) && x <= 1.0))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           sp ? _("Grid item “%s”: the value %g is not in (0, 1]")
                              : _("Grid item “%s”: the value %g is not in [0, 1]"), key, x);
              return FALSE;
            }
        }
      if (sp)
        {
          g_free (g->sparsity);
          g->n_sparsity = v->len;
          g->sparsity = (double *) g_array_free (g_steal_pointer (&v), FALSE);
        }
      else
        {
          g_free (g->coherence);
          g->n_coherence = v->len;
          g->coherence = (double *) g_array_free (g_steal_pointer (&v), FALSE);
        }
      return TRUE;
    }
  if (strcmp (key, "samples") == 0)
    {
      g_free (g->samples);
      g->samples = g_new (guint, items->len);
      g->n_samples = items->len;
      for (guint i = 0; i < items->len; i++)
        if (!parse_uint (g_ptr_array_index (items, i), &g->samples[i]))
          goto bad_count;
      return TRUE;
    }
  if (strcmp (key, "learners") == 0)
    {
      g->n_learners = 0;
      for (guint i = 0; i < items->len; i++)
        {
          AsDlLearner l;

          if (!as_dl_learner_from_string (g_ptr_array_index (items, i), &l))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("Grid item “learners”: unknown learner “%s” (am, online, unrolled)"),
                           (const char *) g_ptr_array_index (items, i));
              return FALSE;
            }
          for (guint k = 0; k < g->n_learners; k++)
            if (g->learners[k] == l)
              goto next_learner;
          g->learners[g->n_learners++] = l;
        next_learner:;
        }
      return TRUE;
    }
  if (!single_item (key, items, error))
    return FALSE;
  if (strcmp (key, "seeds") == 0 || strcmp (key, "n") == 0 || strcmp (key, "m") == 0
      || strcmp (key, "layers") == 0 || strcmp (key, "length") == 0)
    {
      guint v;

      if (!parse_uint (first, &v))
        goto bad_count;
      if (key[0] == 's')
        g->n_seeds = v;
      else if (key[0] == 'n')
        g->n = v;
      else if (key[0] == 'm')
        g->m = v;
      else if (strcmp (key, "length") == 0)
        g->length = v;
      else
        g->n_layers = v;
      return TRUE;
    }
  if (strcmp (key, "lambda") == 0 || strcmp (key, "snr") == 0)
    {
      double v;

      if (!parse_double (first, &v) || (key[0] == 'l' && !(v > 0.0 && v < 1.0)))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("Grid item “%s=%s”: expected a number (λ in (0, 1))"), key, first);
          return FALSE;
        }
      if (key[0] == 'l')
        g->lambda = v;
      else
        g->snr_db = v;
      return TRUE;
    }
  if (strcmp (key, "gradient") == 0)
    {
      if (as_dl_gradient_from_string (first, &g->gradient))
        return TRUE;
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid item “gradient”: unknown estimate “%s” (analytic, automatic, implicit)"),
                   first);
      return FALSE;
    }
  if (strcmp (key, "amplitude") == 0)
    {
      if (as_dl_amplitude_from_string (first, &g->amplitude))
        return TRUE;
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid item “amplitude”: unknown law “%s” (gaussian, sign, bounded)"), first);
      return FALSE;
    }
  if (strcmp (key, "support") == 0)
    {
      if (as_dl_support_from_string (first, &g->support))
        return TRUE;
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid item “support”: unknown model “%s” (fixed, bernoulli)"), first);
      return FALSE;
    }
  if (strcmp (key, "problem") == 0)
    {
      if (strcmp (first, "dense") == 0 || strcmp (first, "convolutional") == 0)
        {
          g->convolutional = first[0] == 'c';
          return TRUE;
        }
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid item “problem”: unknown problem “%s” (dense, convolutional)"), first);
      return FALSE;
    }
  if (strcmp (key, "unroll") == 0)
    {
      if (as_dl_layers_from_string (first, &g->layers))
        return TRUE;
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid item “unroll”: unknown layers “%s” (ista, fista)"), first);
      return FALSE;
    }
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
               _("Unknown grid item “%s” (sparsity, coherence, samples, seeds, learners, n, m, "
                 "lambda, snr, amplitude, support, layers, gradient, unroll, problem, length)"), key);
  return FALSE;

bad_count:
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
               _("Grid item “%s”: expected positive whole numbers"), key);
  return FALSE;
}

static gboolean
parse_into (AsDlGrid *g, const char *spec, GError **error)
{
  g_auto (GStrv) tokens = g_strsplit (spec, ",", -1);
  g_autoptr (GPtrArray) items = g_ptr_array_new ();
  const char *key = NULL;

  for (guint i = 0; tokens[i] != NULL; i++)
    {
      char *tok = g_strstrip (tokens[i]);
      char *eq = strchr (tok, '=');

      if (*tok == '\0')
        continue;
      if (eq == NULL)
        {
          if (key == NULL)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("Grid specification: “%s” is not of the form KEY=VALUE"), tok);
              return FALSE;
            }
          g_ptr_array_add (items, tok);
          continue;
        }
      if (key != NULL && !apply_item (g, key, items, error))
        return FALSE;
      *eq = '\0';
      key = g_strstrip (tok);
      g_ptr_array_set_size (items, 0);
      g_ptr_array_add (items, g_strstrip (eq + 1));
    }
  if (key != NULL && !apply_item (g, key, items, error))
    return FALSE;
  return TRUE;
}

AsDlGrid *
as_dl_grid_parse (const char *spec, GError **error)
{
  g_autoptr (AsDlGrid) g = g_new0 (AsDlGrid, 1);
  double kmax;

  g->n = 64;
  g->m = 128;
  g->n_seeds = 3;
  g->lambda = 0.1;
  g->snr_db = 30.0;
  g->amplitude = AS_DL_AMPLITUDE_BOUNDED;
  g->support = AS_DL_SUPPORT_FIXED;
  g->n_layers = 20;
  g->layers = AS_DL_LAYERS_FISTA;
  g->gradient = AS_DL_GRADIENT_AUTOMATIC;
  g->length = 1000;
  if (!parse_into (g, AS_DL_GRID_DEFAULT_SPEC, error))
    return NULL;
  if (spec != NULL && !parse_into (g, spec, error))
    return NULL;
  if (g->n < 2 || g->m < 2 || g->n_seeds == 0 || g->n_layers == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid specification: n and m must be at least 2, seeds and layers positive"));
      return NULL;
    }
  if (g->convolutional)
    {
      if (g->length < 2 * g->n || g->n_coherence != 1)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("Grid specification: a convolutional problem needs signals of at least "
                         "two atom lengths (length ≥ 2n) and one coherence value"));
          return NULL;
        }
      for (guint k = 0; k < g->n_learners; k++)
        if (g->learners[k] == AS_DL_LEARNER_UNROLLED)
          {
            g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                         _("Grid specification: the unrolled learner works on dense problems; "
                           "learners=am,online for a convolutional one"));
            return NULL;
          }
      return g_steal_pointer (&g);
    }
  kmax = 0.0;
  for (guint i = 0; i < g->n_sparsity; i++)
    kmax = MAX (kmax, g->sparsity[i] * g->n);
  if (kmax > g->m)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Grid specification: a sparsity of %g × n = %u asks for more active atoms "
                     "than m = %u"), kmax / g->n, g->n, g->m);
      return NULL;
    }
  return g_steal_pointer (&g);
}

char *
as_dl_grid_settings (const AsDlGrid *g)
{
  char lam[G_ASCII_DTOSTR_BUF_SIZE], snr[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (lam, sizeof lam, "%.6g", g->lambda);
  g_ascii_formatd (snr, sizeof snr, "%.6g", g->snr_db);
  if (g->convolutional)
    return g_strdup_printf ("problem=convolutional,n=%u,m=%u,length=%u,lambda=%s,snr=%s", g->n,
                            g->m, g->length, lam, snr);
  return g_strdup_printf ("n=%u,m=%u,lambda=%s,snr=%s,amplitude=%s,support=%s,layers=%u,"
                          "unroll=%s,gradient=%s", g->n, g->m, lam, snr,
                          as_dl_amplitude_to_string (g->amplitude),
                          as_dl_support_to_string (g->support), g->n_layers,
                          as_dl_layers_to_string (g->layers),
                          as_dl_gradient_to_string (g->gradient));
}

guint
as_dl_grid_n_cells (const AsDlGrid *g)
{
  return g->n_sparsity * g->n_coherence * g->n_samples * g->n_learners * g->n_seeds;
}

void
as_dl_grid_cell (const AsDlGrid *g, guint index, AsDlCell *cell)
{
  guint r = index;

  cell->seed = r % g->n_seeds;
  r /= g->n_seeds;
  cell->learner = g->learners[r % g->n_learners];
  r /= g->n_learners;
  cell->n_samples = g->samples[r % g->n_samples];
  r /= g->n_samples;
  cell->coherence = g->coherence[r % g->n_coherence];
  r /= g->n_coherence;
  cell->sparsity = g->sparsity[r % g->n_sparsity];
}

void
as_dl_grid_learner_params (const AsDlGrid *g, const AsDlCell *cell, AsDlParams *p)
{
  as_dl_params_init (p);
  p->learner = cell->learner;
  p->m = g->m;
  p->lambda = g->lambda;
  p->tol = 1e-6;
  p->n_layers = g->n_layers;
  p->layers = g->layers;
  p->gradient = g->gradient;
  p->seed = 1000 + cell->seed;
  switch (cell->learner)
    {
    case AS_DL_LEARNER_ONLINE:
      /* Twenty passes over the signals in mini-batches of 64: the coding
       * budget of am's twenty iterations (three passes left a tenth of the
       * atoms unfound on the easiest problems). */
      p->batch = 64;
      p->n_iter = MAX (10u, 20 * cell->n_samples / p->batch);
      break;
    case AS_DL_LEARNER_UNROLLED:
      /* Mini-batches well above m: on fewer signals than atoms the unrolled
       * loss of a batch is lowered by moving atoms onto its signals. */
      p->batch = MAX (256u, 2 * g->m);
      p->n_iter = 30;
      break;
    case AS_DL_LEARNER_AM:
    case AS_DL_N_LEARNERS:
    default:
      p->n_iter = 20;
      break;
    }
}

static void
sim_params (const AsDlGrid *g, const AsDlCell *cell, AsDlSimParams *sp)
{
  as_dl_sim_params_init (sp);
  sp->n = g->n;
  sp->m = g->m;
  sp->n_signals = cell->n_samples;
  sp->dictionary = cell->coherence > 0.0 ? AS_DL_DICTIONARY_COHERENCE : AS_DL_DICTIONARY_GAUSSIAN;
  sp->coherence = cell->coherence;
  sp->sparsity = cell->sparsity;
  sp->amplitude = g->amplitude;
  sp->support = g->support;
  sp->snr_db = g->snr_db;
  sp->seed = cell->seed;
}

gboolean
as_dl_grid_dictionary (const AsDlGrid *g, const AsDlCell *cell, double *D, GError **error)
{
  AsDlSimParams sp;

  sim_params (g, cell, &sp);
  return as_dl_sim_dictionary (&sp, D, NULL, error);
}

void
as_dl_evaluate (const AsDlProblem *pb, const double *D, const double *Z, AsDlCellResult *res)
{
  guint m = pb->m, N = pb->n_signals;
  g_autofree guint *assign = g_new (guint, m);
  g_autofree double *Zm = g_new0 (double, (gsize) N * m);
  AsSupportRecovery sr;

  res->coherence_reached = pb->coherence;
  res->recovery = as_metrics_dictionary_recovery (pb->n, m, pb->D, m, D, assign);
  /* Codes of the learned atoms, moved to the column of the true atom each
   * was matched to (an unmatched true atom gets a zero column). */
  for (guint t = 0; t < m; t++)
    if (assign[t] != G_MAXUINT)
      for (guint i = 0; i < N; i++)
        Zm[(gsize) i * m + t] = Z[(gsize) i * m + assign[t]];
  sr = as_metrics_support_recovery ((gsize) N * m, pb->Z, Zm, 0.0);
  res->support_precision = sr.precision;
  res->support_recall = sr.recall;
  res->support_f1 = sr.f1;
}

/* A convolutional cell: cell.n_samples signals of g->length samples, learned by
 * convolutional dictionary learning from random atoms, each true atom matched to a
 * learned one at its best shift (as_cdl_recovery_score). */
static gboolean
run_convolutional_cell (const AsDlGrid *g, const AsDlCell *cell, AsDlCellResult *res,
                        GError **error)
{
  g_autoptr (AsCdlSimulation) sim = as_dl_sim_convolutional (cell->n_samples, g->length, g->m, g->n,
                                                              cell->sparsity, g->snr_db,
                                                              cell->seed + 1);
  g_autoptr (AsCdlModel) model = NULL;
  AsCdlParams p;

  as_cdl_params_init (&p);
  p.n_atoms = g->m;
  p.atom_length = g->n;
  p.rank1 = FALSE;
  p.positive = FALSE;
  p.lambda = g->lambda;
  p.init = AS_CDL_INIT_RANDOM;
  p.seed = cell->seed;
  p.max_iter = 50;
  p.sort_atoms = FALSE;
  p.online = cell->learner == AS_DL_LEARNER_ONLINE;
  model = as_cdl_learn (sim->x, sim->n_trials, 1, 1, g->length, &p, NULL, NULL, error);
  if (model == NULL)
    return FALSE;
  memset (res, 0, sizeof *res);
  res->cell = *cell;
  res->coherence_reached = NAN;
  res->recovery = as_cdl_recovery_score (1, 1, g->n, sim->atoms, g->m, model->atoms,
                                         model->shape.n_atoms, TRUE);
  /* Supports are compared code to code in the dense model only. */
  res->support_precision = res->support_recall = res->support_f1 = NAN;
  res->objective = as_cdl_model_last_objective (model);
  res->seconds = model->trace->len > 0
                 ? g_array_index (model->trace, AsCdlTracePoint, model->trace->len - 1).time : 0.0;
  return TRUE;
}

gboolean
as_dl_grid_run_cell (const AsDlGrid *g, const AsDlCell *cell, const double *D_true,
                     AsDlCellResult *res, GError **error)
{
  AsDlSimParams sp;
  AsDlParams p;
  AsDlStats stats;
  g_autoptr (AsDlProblem) pb = NULL;
  g_autofree double *D = g_new (double, (gsize) g->n * g->m);
  g_autofree double *Z = NULL;

  if (g->convolutional)
    return run_convolutional_cell (g, cell, res, error);
  sim_params (g, cell, &sp);
  pb = as_dl_sim_problem (&sp, D_true, error);
  if (pb == NULL)
    return FALSE;
  as_dl_grid_learner_params (g, cell, &p);
  Z = g_new (double, (gsize) pb->n_signals * g->m);
  if (!as_dl_learn (&p, g->n, pb->n_signals, pb->X, NULL, D, Z, &stats, error))
    return FALSE;
  memset (res, 0, sizeof *res);
  res->cell = *cell;
  as_dl_evaluate (pb, D, Z, res);
  res->objective = stats.objective;
  res->seconds = stats.seconds;
  return TRUE;
}

/* ------------------------------------------------------------------ CSV */

const char *
as_dl_grid_csv_header (void)
{
  return "learner,sparsity,coherence,samples,seed,coherence_reached,recovery,"
         "support_precision,support_recall,support_f1,objective,seconds";
}

char *
as_dl_grid_cell_key (const AsDlCell *c)
{
  char sp[G_ASCII_DTOSTR_BUF_SIZE], co[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (sp, sizeof sp, "%.6g", c->sparsity);
  g_ascii_formatd (co, sizeof co, "%.6g", c->coherence);
  return g_strdup_printf ("%s,%s,%s,%u,%u", as_dl_learner_to_string (c->learner), sp, co,
                          c->n_samples, c->seed);
}

char *
as_dl_grid_csv_row (const AsDlCellResult *r)
{
  g_autofree char *key = as_dl_grid_cell_key (&r->cell);
  GString *row = g_string_new (key);
  const double values[] = { r->coherence_reached, r->recovery, r->support_precision,
                            r->support_recall, r->support_f1, r->objective, r->seconds };

  for (guint k = 0; k < G_N_ELEMENTS (values); k++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_c (row, ',');
      g_string_append (row, g_ascii_formatd (buf, sizeof buf, "%.8g", values[k]));
    }
  return g_string_free (row, FALSE);
}

gboolean
as_dl_grid_read_csv (const char *path, GArray *results, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) lines = NULL;

  if (!g_file_get_contents (path, &text, NULL, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) f = NULL;
      AsDlCellResult r = { 0 };
      double *values[] = { &r.cell.sparsity, &r.cell.coherence, NULL, NULL,
                           &r.coherence_reached, &r.recovery, &r.support_precision,
                           &r.support_recall, &r.support_f1, &r.objective, &r.seconds };
      gboolean ok;

      g_strchomp (lines[i]);
      if (lines[i][0] == '\0' || (i == 0 && g_str_has_prefix (lines[i], "learner,")))
        continue;
      f = g_strsplit (lines[i], ",", -1);
      ok = g_strv_length (f) == 12 && as_dl_learner_from_string (f[0], &r.cell.learner)
           && parse_uint (f[3], &r.cell.n_samples);
      if (ok)
        {
          guint64 seed;

          ok = g_ascii_string_to_unsigned (f[4], 10, 0, G_MAXUINT32, &seed, NULL);
          r.cell.seed = (guint) seed;
        }
      for (guint k = 0; ok && k < G_N_ELEMENTS (values); k++)
        if (values[k] != NULL && k >= 4 && g_ascii_strcasecmp (f[k + 1], "nan") == 0)
          *values[k] = NAN;   /* a measure that does not apply (supports of a convolutional problem) */
        else if (values[k] != NULL)
          ok = parse_double (f[k + 1], values[k]);
      if (!ok)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                       _("%s, line %u: not a row of recovery results (expected the 12 columns "
                         "of “%s”)"), path, i + 1, as_dl_grid_csv_header ());
          return FALSE;
        }
      g_array_append_val (results, r);
    }
  return TRUE;
}

gboolean
as_dl_grid_write_csv (const char *path, const GArray *results, GError **error)
{
  AsOutput *out = as_output_open (path, TRUE, error);
  FILE *fp;

  if (out == NULL)
    return FALSE;
  fp = as_output_get_stream (out);
  fprintf (fp, "%s\n", as_dl_grid_csv_header ());
  for (guint i = 0; i < results->len; i++)
    {
      g_autofree char *row = as_dl_grid_csv_row (&g_array_index (results, AsDlCellResult, i));

      fprintf (fp, "%s\n", row);
    }
  return as_output_commit (out, error);
}

void
as_dl_grid_mean_recovery (const AsDlGrid *g, const GArray *results, AsDlLearner learner,
                          double *mean)
{
  guint cells = g->n_sparsity * g->n_coherence;
  g_autofree guint *count = g_new0 (guint, cells);

  for (guint c = 0; c < cells; c++)
    mean[c] = 0.0;
  for (guint i = 0; i < results->len; i++)
    {
      const AsDlCellResult *r = &g_array_index (results, AsDlCellResult, i);
      int si = -1, ci = -1;

      if (r->cell.learner != learner)
        continue;
      for (guint k = 0; k < g->n_sparsity; k++)
        if (fabs (g->sparsity[k] - r->cell.sparsity) <= 1e-6)
          si = k;
      for (guint k = 0; k < g->n_coherence; k++)
        if (fabs (g->coherence[k] - r->cell.coherence) <= 1e-6)
          ci = k;
      if (si < 0 || ci < 0)
        continue;
      mean[si * g->n_coherence + ci] += r->recovery;
      count[si * g->n_coherence + ci]++;
    }
  for (guint c = 0; c < cells; c++)
    mean[c] = count[c] > 0 ? mean[c] / count[c] : NAN;
}

gboolean
as_dl_grid_gradient_errors (const AsDlGrid *g, guint n_signals, guint max_depth,
                            AsDlLayers layers, double *errors, GError **error)
{
  AsDlSimParams sp;
  g_autoptr (AsDlProblem) pb = NULL;
  g_autofree double *D = NULL;
  double lambda = 0.0;
  AsRng rng;

  as_dl_sim_params_init (&sp);
  sp.n = g->n;
  sp.m = g->m;
  sp.n_signals = n_signals;
  sp.dictionary = AS_DL_DICTIONARY_GAUSSIAN;
  sp.sparsity = g->sparsity[g->n_sparsity / 2];
  sp.amplitude = g->amplitude;
  sp.support = g->support;
  sp.snr_db = g->snr_db;
  pb = as_dl_sim_problem (&sp, NULL, error);
  if (pb == NULL)
    return FALSE;
  /* A dictionary near the truth, as in the course of learning: every entry
   * moved by N(0, 0.1²/n), so each atom by about 0.1, then renormalised. */
  D = g_memdup2 (pb->D, sizeof (double) * g->n * g->m);
  as_rng_init (&rng, 7);
  for (gsize i = 0; i < (gsize) g->n * g->m; i++)
    D[i] += 0.1 / sqrt (g->n) * as_rng_normal (&rng);
  for (guint j = 0; j < g->m; j++)
    {
      double s = 0.0;

      for (guint i = 0; i < g->n; i++)
        s += D[(gsize) i * g->m + j] * D[(gsize) i * g->m + j];
      for (guint i = 0; i < g->n; i++)
        D[(gsize) i * g->m + j] /= sqrt (s);
    }
  /* λ = fraction × mean_i ‖Dᵀx_i‖_∞, as the learners set it. */
  for (guint i = 0; i < n_signals; i++)
    {
      double mx = 0.0;

      for (guint j = 0; j < g->m; j++)
        {
          double v = 0.0;

          for (guint r = 0; r < g->n; r++)
            v += D[(gsize) r * g->m + j] * pb->X[(gsize) i * g->n + r];
          mx = MAX (mx, fabs (v));
        }
      lambda += mx;
    }
  lambda = g->lambda * lambda / n_signals;
  return as_dl_gradient_errors (g->n, g->m, D, n_signals, pb->X, lambda, layers, max_depth,
                                errors, error);
}

/* --------------------------------------------------------------- runner */

typedef struct
{
  const AsDlGrid  *grid;
  GArray          *results;
  const char      *csv_path;
  AsDlGridProgress progress;
  gpointer         user_data;
  volatile gint   *cancel;
  GMutex           lock;
  GHashTable      *dictionaries;   /* "coherence,seed" → n × m true dictionary */
  GError          *error;          /* the first failure; the other cells are skipped */
  guint            done, total;
} Runner;

static const double *
cached_dictionary (Runner *run, const AsDlCell *cell, GError **error)
{
  g_autofree char *key = g_strdup_printf ("%.9g,%u", cell->coherence, cell->seed);
  const double *D;
  double *fresh;

  g_mutex_lock (&run->lock);
  D = g_hash_table_lookup (run->dictionaries, key);
  g_mutex_unlock (&run->lock);
  if (D != NULL)
    return D;
  /* Drawn outside the lock (alternating projections take a moment); two
   * threads may draw the same one, the second copy is dropped. */
  fresh = g_new (double, (gsize) run->grid->n * run->grid->m);
  if (!as_dl_grid_dictionary (run->grid, cell, fresh, error))
    {
      g_free (fresh);
      return NULL;
    }
  g_mutex_lock (&run->lock);
  D = g_hash_table_lookup (run->dictionaries, key);
  if (D == NULL)
    {
      g_hash_table_insert (run->dictionaries, g_steal_pointer (&key), fresh);
      D = fresh;
    }
  else
    g_free (fresh);
  g_mutex_unlock (&run->lock);
  return D;
}

static void
run_one (gpointer data, gpointer user_data)
{
  Runner *run = user_data;
  guint index = GPOINTER_TO_UINT (data) - 1;
  AsDlCell cell;
  AsDlCellResult result;
  g_autoptr (GError) error = NULL;
  const double *D;
  gboolean stop;

  g_mutex_lock (&run->lock);
  stop = run->error != NULL || (run->cancel != NULL && g_atomic_int_get (run->cancel));
  g_mutex_unlock (&run->lock);
  if (stop)
    return;
  as_dl_grid_cell (run->grid, index, &cell);
  D = run->grid->convolutional ? NULL : cached_dictionary (run, &cell, &error);
  if (D != NULL || run->grid->convolutional)
    as_dl_grid_run_cell (run->grid, &cell, D, &result, &error);
  g_mutex_lock (&run->lock);
  if (error != NULL)
    {
      if (run->error == NULL)
        {
          g_autofree char *key = as_dl_grid_cell_key (&cell);

          g_propagate_prefixed_error (&run->error, g_steal_pointer (&error),
                                      _("Grid cell %s: "), key);
        }
    }
  else
    {
      g_array_append_val (run->results, result);
      run->done++;
      if (run->csv_path != NULL && run->error == NULL)
        as_dl_grid_write_csv (run->csv_path, run->results, &run->error);
      if (run->progress != NULL)
        run->progress (&result, run->done, run->total, run->user_data);
    }
  g_mutex_unlock (&run->lock);
}

gboolean
as_dl_grid_run (const AsDlGrid *grid, GArray *results, const char *csv_path, guint n_jobs,
                AsDlGridProgress progress, gpointer user_data, volatile gint *cancel,
                GError **error)
{
  g_autoptr (GHashTable) known = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GArray) pending = g_array_new (FALSE, FALSE, sizeof (guint));
  Runner run = { grid, results, csv_path, progress, user_data, cancel };
  guint total = as_dl_grid_n_cells (grid);

  for (guint i = 0; i < results->len; i++)
    g_hash_table_add (known, as_dl_grid_cell_key (&g_array_index (results, AsDlCellResult, i).cell));
  for (guint i = 0; i < total; i++)
    {
      AsDlCell cell;
      g_autofree char *key = NULL;

      as_dl_grid_cell (grid, i, &cell);
      key = as_dl_grid_cell_key (&cell);
      if (!g_hash_table_contains (known, key))
        g_array_append_val (pending, i);
    }
  run.total = pending->len;
  if (pending->len == 0)
    return TRUE;
  g_mutex_init (&run.lock);
  run.dictionaries = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (n_jobs <= 1)
    for (guint k = 0; k < pending->len; k++)
      run_one (GUINT_TO_POINTER (g_array_index (pending, guint, k) + 1), &run);
  else
    {
      GThreadPool *pool = g_thread_pool_new (run_one, &run, n_jobs, TRUE, NULL);

      for (guint k = 0; k < pending->len; k++)
        g_thread_pool_push (pool, GUINT_TO_POINTER (g_array_index (pending, guint, k) + 1), NULL);
      g_thread_pool_free (pool, FALSE, TRUE);
    }
  g_hash_table_unref (run.dictionaries);
  g_mutex_clear (&run.lock);
  if (run.error != NULL)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  if (cancel != NULL && g_atomic_int_get (cancel))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED,
                   _("The grid was stopped after %u of %u cells"), run.done, run.total);
      return FALSE;
    }
  return TRUE;
}
