/* as-unrolled-io.c: the saved-network directory (format in as-unrolled-io.h).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "as-engine.h"
#include "as-npy.h"
#include "as-output.h"
#include "as-unrolled-io.h"

#define FORMAT_NAME "atomscope-unrolled"
#define FORMAT_VERSION 1

void
as_unrolled_info_clear (AsUnrolledInfo *info)
{
  g_free (info->optimizer);
  g_free (info->train_loss);
  g_free (info->eval_epoch);
  g_free (info->eval_gap_mean);
  g_free (info->gap_mean);
  g_free (info->gap_median);
  memset (info, 0, sizeof *info);
}

void
as_unrolled_info_from_snapshot (AsUnrolledInfo *info, const AsUnrolledSnapshot *s,
                                const AsUnrolledTrainConfig *config)
{
  memset (info, 0, sizeof *info);
  info->lambda = s->lambda;
  info->lambda_fraction = config->lambda_fraction;
  info->loss = config->loss;
  info->optimizer = g_strdup (as_unrolled_optimizer_to_string (config->optimizer));
  info->learning_rate = s->learning_rate;
  info->epochs = s->epoch;
  info->n_train_loss = s->n_epochs;
  info->train_loss = g_memdup2 (s->train_loss, sizeof (double) * MAX (s->n_epochs, 1));
  info->n_evals = s->n_evals;
  info->eval_epoch = g_memdup2 (s->eval_epoch, sizeof (guint) * MAX (s->n_evals, 1));
  info->eval_gap_mean = g_memdup2 (s->eval_gap_mean, sizeof (double) * MAX (s->n_evals, 1));
  info->n_gap = s->n_layers + 1;
  info->gap_mean = g_memdup2 (s->gap_mean, sizeof (double) * info->n_gap);
  info->gap_median = g_memdup2 (s->gap_median, sizeof (double) * info->n_gap);
}

static void
add_double (JsonBuilder *b, double v)
{
  /* JSON has no NaN/∞: write null. */
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
add_double_array (JsonBuilder *b, const char *name, const double *v, guint count)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < count; i++)
    add_double (b, v[i]);
  json_builder_end_array (b);
}

static gboolean
write_npy (const char *dir, const char *name, const double *data, guint ndim,
           const gsize *shape, gboolean overwrite, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return as_npy_write (path, data, ndim, shape, overwrite, error);
}

gboolean
as_unrolled_export_csv (const AsUnrolled *net, const char *path, gboolean overwrite, GError **error)
{
  guint T = as_unrolled_get_n_layers (net);
  g_autofree double *steps = g_new (double, T);
  g_autofree double *thr = g_new (double, T);
  g_autofree double *coup = g_new (double, T);
  g_autoptr (GString) text = g_string_new ("layer,effective_step,threshold_over_lambda,weight_coupling\n");

  as_unrolled_effective_steps (net, steps);
  as_unrolled_thresholds (net, thr);
  as_unrolled_weight_coupling (net, coup);
  for (guint t = 0; t < T; t++)
    {
      char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (text, "%u,%s,%s,%s\n", t + 1,
                              g_ascii_dtostr (a, sizeof a, steps[t]),
                              g_ascii_dtostr (b, sizeof b, thr[t]),
                              isnan (coup[t]) ? "" : g_ascii_dtostr (c, sizeof c, coup[t]));
    }
  return as_output_write_contents (path, text->str, text->len, overwrite, error);
}

/* Readable per-kind copies of the parameters. */
static gboolean
write_kind_arrays (const AsUnrolled *net, const char *dir, gboolean overwrite, GError **error)
{
  guint T = as_unrolled_get_n_layers (net), n = as_unrolled_get_n (net), m = as_unrolled_get_m (net);
  const double *p = as_unrolled_peek_params (net);
  gsize shape[3];

  switch (as_unrolled_get_kind (net))
    {
    case AS_UNROLLED_SLISTA:
      shape[0] = T;
      return write_npy (dir, "steps.npy", p, 1, shape, overwrite, error);
    case AS_UNROLLED_ALISTA:
      {
        g_autofree double *g = g_new (double, T);
        g_autofree double *th = g_new (double, T);

        for (guint t = 0; t < T; t++)
          {
            g[t] = p[2 * t];
            th[t] = p[2 * t + 1];
          }
        shape[0] = T;
        shape[1] = n;
        shape[2] = m;
        return write_npy (dir, "gamma.npy", g, 1, shape, overwrite, error)
               && write_npy (dir, "theta.npy", th, 1, shape, overwrite, error);
      }
    case AS_UNROLLED_LISTA_CP:
      {
        g_autofree double *W = g_new (double, (gsize) T * n * m);
        g_autofree double *th = g_new (double, (gsize) T * m);

        for (guint t = 1; t <= T; t++)
          {
            const double *q = p + as_unrolled_layer_offset (net, t);
            memcpy (W + (gsize) (t - 1) * n * m, q, sizeof (double) * n * m);
            memcpy (th + (gsize) (t - 1) * m, q + (gsize) n * m, sizeof (double) * m);
          }
        shape[0] = T;
        shape[1] = n;
        shape[2] = m;
        if (!write_npy (dir, "W.npy", W, 3, shape, overwrite, error))
          return FALSE;
        shape[1] = m;
        return write_npy (dir, "theta.npy", th, 2, shape, overwrite, error);
      }
    case AS_UNROLLED_LISTA:
    default:
      {
        g_autofree double *S = g_new (double, (gsize) MAX (T - 1, 1) * m * m);
        g_autofree double *We = g_new (double, (gsize) T * m * n);
        g_autofree double *th = g_new (double, (gsize) T * m);

        for (guint t = 1; t <= T; t++)
          {
            const double *q = p + as_unrolled_layer_offset (net, t);
            if (t >= 2)
              {
                memcpy (S + (gsize) (t - 2) * m * m, q, sizeof (double) * m * m);
                q += (gsize) m * m;
              }
            memcpy (We + (gsize) (t - 1) * m * n, q, sizeof (double) * m * n);
            memcpy (th + (gsize) (t - 1) * m, q + (gsize) m * n, sizeof (double) * m);
          }
        if (T >= 2)
          {
            shape[0] = T - 1;
            shape[1] = m;
            shape[2] = m;
            if (!write_npy (dir, "S.npy", S, 3, shape, overwrite, error))
              return FALSE;
          }
        shape[0] = T;
        shape[1] = m;
        shape[2] = n;
        if (!write_npy (dir, "We.npy", We, 3, shape, overwrite, error))
          return FALSE;
        shape[1] = m;
        return write_npy (dir, "theta.npy", th, 2, shape, overwrite, error);
      }
    }
}

gboolean
as_unrolled_save (const AsUnrolled *net, const AsUnrolledInfo *info, const char *dir,
                  gboolean overwrite, GError **error)
{
  g_autofree char *json_path = g_build_filename (dir, "network.json", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "parameters.csv", NULL);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  AsUnrolledKind kind = as_unrolled_get_kind (net);
  guint n = as_unrolled_get_n (net), m = as_unrolled_get_m (net);
  gsize shape[2];
  gsize text_len = 0;

  if (!overwrite && g_file_test (json_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   _("“%s” already holds a saved network; choose another folder or allow "
                     "overwriting"), dir);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (saved));
      return FALSE;
    }

  /* Arrays first, header last: a folder with a header is complete. */
  shape[0] = as_unrolled_get_n_params (net);
  if (!write_npy (dir, "params.npy", as_unrolled_peek_params (net), 1, shape, overwrite, error))
    return FALSE;
  shape[0] = n;
  shape[1] = m;
  if (!write_npy (dir, "dictionary.npy", as_unrolled_get_dictionary (net), 2, shape, overwrite, error))
    return FALSE;
  if (kind == AS_UNROLLED_ALISTA
      && !write_npy (dir, "alista_weights.npy", as_unrolled_get_alista_weights (net), 2, shape,
                     overwrite, error))
    return FALSE;
  if (!write_kind_arrays (net, dir, overwrite, error))
    return FALSE;
  if (!as_unrolled_export_csv (net, csv_path, overwrite, error))
    return FALSE;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, FORMAT_NAME);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FORMAT_VERSION);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, as_unrolled_kind_to_string (kind));
  json_builder_set_member_name (b, "layers");
  json_builder_add_int_value (b, as_unrolled_get_n_layers (net));
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "m");
  json_builder_add_int_value (b, m);
  json_builder_set_member_name (b, "positive");
  json_builder_add_boolean_value (b, as_unrolled_get_positive (net));
  json_builder_set_member_name (b, "n_params");
  json_builder_add_int_value (b, as_unrolled_get_n_params (net));
  json_builder_set_member_name (b, "lipschitz");
  add_double (b, as_unrolled_get_lipschitz (net));
  if (info != NULL)
    {
      json_builder_set_member_name (b, "lambda");
      add_double (b, info->lambda);
      json_builder_set_member_name (b, "lambda_fraction");
      add_double (b, info->lambda_fraction);
      json_builder_set_member_name (b, "loss");
      json_builder_add_string_value (b, as_unrolled_loss_to_string (info->loss));
      json_builder_set_member_name (b, "optimizer");
      json_builder_add_string_value (b, info->optimizer ? info->optimizer : "");
      json_builder_set_member_name (b, "learning_rate");
      add_double (b, info->learning_rate);
      json_builder_set_member_name (b, "epochs");
      json_builder_add_int_value (b, info->epochs);
      json_builder_set_member_name (b, "history");
      json_builder_begin_object (b);
      add_double_array (b, "train_loss", info->train_loss, info->n_train_loss);
      json_builder_set_member_name (b, "eval_epoch");
      json_builder_begin_array (b);
      for (guint i = 0; i < info->n_evals; i++)
        json_builder_add_int_value (b, info->eval_epoch[i]);
      json_builder_end_array (b);
      add_double_array (b, "test_gap_mean", info->eval_gap_mean, info->n_evals);
      json_builder_end_object (b);
      if (info->n_gap > 0)
        {
          json_builder_set_member_name (b, "test_gap");
          json_builder_begin_object (b);
          add_double_array (b, "mean", info->gap_mean, info->n_gap);
          add_double_array (b, "median", info->gap_median, info->n_gap);
          json_builder_end_object (b);
        }
    }
  json_builder_set_member_name (b, "files");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "params");
  json_builder_add_string_value (b, "params.npy");
  json_builder_set_member_name (b, "dictionary");
  json_builder_add_string_value (b, "dictionary.npy");
  if (kind == AS_UNROLLED_ALISTA)
    {
      json_builder_set_member_name (b, "alista_weights");
      json_builder_add_string_value (b, "alista_weights.npy");
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &text_len);
  return as_output_write_contents (json_path, text, text_len, overwrite, error);
}

static gboolean
read_npy_shape (const char *dir, const char *name, guint ndim, const gsize *shape,
                AsNpyArray *out, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  if (!as_npy_read (path, out, error))
    return FALSE;
  if (out->ndim != ndim || memcmp (out->shape, shape, sizeof (gsize) * ndim) != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("“%s” does not have the shape announced in network.json"), path);
      as_npy_array_clear (out);
      return FALSE;
    }
  return TRUE;
}

static double *
read_double_array (JsonObject *o, const char *name, guint *count)
{
  JsonArray *a;
  double *v;

  *count = 0;
  if (o == NULL || !json_object_has_member (o, name))
    return NULL;
  a = json_object_get_array_member (o, name);
  if (a == NULL)
    return NULL;
  *count = json_array_get_length (a);
  v = g_new (double, MAX (*count, 1));
  for (guint i = 0; i < *count; i++)
    {
      JsonNode *node = json_array_get_element (a, i);
      v[i] = JSON_NODE_HOLDS_NULL (node) ? NAN : json_node_get_double (node);
    }
  return v;
}

AsUnrolled *
as_unrolled_load (const char *dir, AsUnrolledInfo *info, GError **error)
{
  g_autofree char *json_path = g_build_filename (dir, "network.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AsUnrolled) net = NULL;
  AsNpyArray D = { 0 }, P = { 0 }, W = { 0 };
  JsonObject *o;
  AsUnrolledKind kind;
  gint64 T, n, m;
  gsize shape[2];

  if (!json_parser_load_from_file (parser, json_path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    goto bad;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "format", ""), FORMAT_NAME) != 0)
    goto bad;
  if (json_object_get_int_member_with_default (o, "version", 0) > FORMAT_VERSION)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("“%s” was written by a newer Atomscope (format version %d)"), json_path,
                   (int) json_object_get_int_member_with_default (o, "version", 0));
      return NULL;
    }
  if (!as_unrolled_kind_from_string (json_object_get_string_member_with_default (o, "kind", ""), &kind))
    goto bad;
  T = json_object_get_int_member_with_default (o, "layers", 0);
  n = json_object_get_int_member_with_default (o, "n", 0);
  m = json_object_get_int_member_with_default (o, "m", 0);
  if (T <= 0 || n <= 0 || m <= 0 || T > 100000 || n > 1000000 || m > 1000000)
    goto bad;

  shape[0] = n;
  shape[1] = m;
  if (!read_npy_shape (dir, "dictionary.npy", 2, shape, &D, error))
    return NULL;
  net = as_unrolled_new (kind, T, n, m, D.data,
                         json_object_get_boolean_member_with_default (o, "positive", FALSE), error);
  as_npy_array_clear (&D);
  if (net == NULL)
    return NULL;
  shape[0] = as_unrolled_get_n_params (net);
  if (!read_npy_shape (dir, "params.npy", 1, shape, &P, error))
    return NULL;
  memcpy (as_unrolled_get_params (net), P.data, sizeof (double) * shape[0]);
  as_npy_array_clear (&P);
  if (kind == AS_UNROLLED_ALISTA)
    {
      shape[0] = n;
      shape[1] = m;
      if (!read_npy_shape (dir, "alista_weights.npy", 2, shape, &W, error))
        return NULL;
      as_unrolled_set_alista_weights (net, W.data);
      as_npy_array_clear (&W);
    }

  if (info != NULL)
    {
      JsonObject *h = json_object_has_member (o, "history") ? json_object_get_object_member (o, "history") : NULL;
      JsonObject *g = json_object_has_member (o, "test_gap") ? json_object_get_object_member (o, "test_gap") : NULL;
      guint count;
      g_autofree double *ev = NULL;

      memset (info, 0, sizeof *info);
      info->lambda = json_object_get_double_member_with_default (o, "lambda", NAN);
      info->lambda_fraction = json_object_get_double_member_with_default (o, "lambda_fraction", NAN);
      if (!as_unrolled_loss_from_string (json_object_get_string_member_with_default (o, "loss", ""), &info->loss))
        info->loss = AS_UNROLLED_LOSS_UNSUPERVISED;
      info->optimizer = g_strdup (json_object_get_string_member_with_default (o, "optimizer", ""));
      info->learning_rate = json_object_get_double_member_with_default (o, "learning_rate", NAN);
      info->epochs = json_object_get_int_member_with_default (o, "epochs", 0);
      info->train_loss = read_double_array (h, "train_loss", &info->n_train_loss);
      ev = read_double_array (h, "eval_epoch", &count);
      info->eval_gap_mean = read_double_array (h, "test_gap_mean", &info->n_evals);
      info->n_evals = MIN (info->n_evals, count);
      info->eval_epoch = g_new (guint, MAX (info->n_evals, 1));
      for (guint i = 0; i < info->n_evals; i++)
        info->eval_epoch[i] = (guint) ev[i];
      info->gap_mean = read_double_array (g, "mean", &info->n_gap);
      info->gap_median = read_double_array (g, "median", &count);
      if (count != info->n_gap)
        {
          g_clear_pointer (&info->gap_mean, g_free);
          g_clear_pointer (&info->gap_median, g_free);
          info->n_gap = 0;
        }
    }
  return g_steal_pointer (&net);

bad:
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
               _("“%s” is not an Atomscope network header (format, kind, layers, n and m "
                 "are required)"), json_path);
  return NULL;
}
