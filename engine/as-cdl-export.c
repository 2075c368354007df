/* as-cdl-export.c: a learned model as NPY arrays and a JSON description.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-npy.h"
#include "as-output.h"

static const char *const init_names[] = { "greedy", "chunk", "random" };

const char *
as_cdl_init_to_string (AsCdlInit init)
{
  return (guint) init < G_N_ELEMENTS (init_names) ? init_names[init] : "unknown";
}

gboolean
as_cdl_init_from_string (const char *name, AsCdlInit *init)
{
  for (guint i = 0; i < G_N_ELEMENTS (init_names); i++)
    if (g_strcmp0 (name, init_names[i]) == 0)
      {
        *init = (AsCdlInit) i;
        return TRUE;
      }
  return FALSE;
}

static const char *const all_files[] = { "atoms.npy", "activations.npy", "run.json", "u.npy", "v.npy" };

gboolean
as_cdl_export_check (const char *dir, gboolean rank1, gboolean overwrite, GError **error)
{
  if (overwrite)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (all_files); i++)
    {
      g_autofree char *path = g_build_filename (dir, all_files[i], NULL);
      if (!rank1 && i >= 3)
        break;
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("%s: the file exists already (choose another folder or allow overwriting)"),
                       path);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
write_array (const char *dir, const char *name, const double *data, guint ndim,
             const gsize *shape, gboolean overwrite, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return as_npy_write (path, data, ndim, shape, overwrite, error);
}

static void
add_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

static void
add_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
add_bool (JsonBuilder *b, const char *name, gboolean v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_boolean_value (b, v);
}

static void
add_string (JsonBuilder *b, const char *name, const char *v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, v);
}

gboolean
as_cdl_export (const AsCdlModel *m, const AsCdlParams *p, const char *source,
               const char *dir, gboolean overwrite, GError **error)
{
  return as_cdl_export_with_extra (m, p, source, dir, overwrite, NULL, error);
}

static void
add_member (JsonObject *o, const char *name, JsonNode *node, gpointer b)
{
  json_builder_set_member_name (b, name);
  json_builder_add_value (b, json_node_copy (node));
}

gboolean
as_cdl_export_with_extra (const AsCdlModel *m, const AsCdlParams *p, const char *source,
                          const char *dir, gboolean overwrite, JsonObject *extra, GError **error)
{
  const AsCscShape *s = &m->shape;
  const gboolean image = s->atom_height > 1 || s->height > 1;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *json = NULL, *json_path = NULL;
  gsize shape[5];

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Cannot create the folder %s: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  if (!as_cdl_export_check (dir, m->rank1, overwrite, error))
    return FALSE;

  shape[0] = s->n_atoms;
  shape[1] = s->n_channels;
  if (image)
    {
      shape[2] = s->atom_height;
      shape[3] = s->atom_width;
    }
  else
    shape[2] = s->atom_width;
  if (!write_array (dir, "atoms.npy", m->atoms, image ? 4 : 3, shape, overwrite, error))
    return FALSE;
  if (m->rank1)
    {
      gsize su[2] = { s->n_atoms, s->n_channels };
      gsize sv[3] = { s->n_atoms, s->atom_height, s->atom_width };
      if (!write_array (dir, "u.npy", m->u, 2, su, overwrite, error)
          || !write_array (dir, "v.npy", m->v, image ? 3 : 2,
                           image ? sv : (gsize[]) { s->n_atoms, s->atom_width }, overwrite, error))
        return FALSE;
    }
  shape[0] = m->n_trials;
  shape[1] = s->n_atoms;
  if (image)
    {
      shape[2] = as_csc_valid_height (s);
      shape[3] = as_csc_valid_width (s);
    }
  else
    shape[2] = as_csc_valid_width (s);
  if (!write_array (dir, "activations.npy", m->activations, image ? 4 : 3, shape, overwrite, error))
    return FALSE;

  json_builder_begin_object (b);
  add_string (b, "program", "atomscope");
  add_string (b, "version", as_engine_version ());
  if (source != NULL)
    add_string (b, "source", source);
  add_string (b, "model", image ? "2-D convolutional dictionary" : "convolutional dictionary");
  add_int (b, "n_atoms", s->n_atoms);
  add_int (b, "n_channels", s->n_channels);
  add_int (b, "n_trials", m->n_trials);
  add_int (b, "signal_height", s->height);
  add_int (b, "signal_width", s->width);
  add_int (b, "atom_height", s->atom_height);
  add_int (b, "atom_width", s->atom_width);
  if (m->sfreq > 0)
    {
      add_double (b, "sfreq", m->sfreq);
      add_double (b, "atom_duration", s->atom_width / m->sfreq);
    }
  add_bool (b, "rank1", m->rank1);
  add_bool (b, "positive", m->positive);
  add_double (b, "lambda", m->lambda);
  add_double (b, "lambda_max", m->lambda_max);
  add_int (b, "iterations", m->iteration);
  add_bool (b, "converged", m->converged);
  if (extra != NULL)
    json_object_foreach_member (extra, add_member, b);
  if (p != NULL)
    {
      json_builder_set_member_name (b, "params");
      json_builder_begin_object (b);
      add_double (b, "lambda", p->lambda);
      add_bool (b, "lambda_absolute", p->lambda_absolute);
      add_string (b, "init", as_cdl_init_to_string (p->init));
      add_int (b, "max_iter", p->max_iter);
      add_double (b, "tol", p->tol);
      add_double (b, "z_tol", p->z_tol);
      add_bool (b, "online", p->online);
      if (p->online)
        {
          add_int (b, "online_batch", p->online_batch);
          add_int (b, "online_window", p->online_window);
          add_double (b, "online_forget", p->online_forget);
        }
      add_double (b, "tukey", p->tukey);
      add_int (b, "seed", (gint64) p->seed);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "trace");
  json_builder_begin_array (b);
  for (guint i = 0; i < m->trace->len; i++)
    {
      const AsCdlTracePoint *t = &g_array_index (m->trace, AsCdlTracePoint, i);
      json_builder_begin_object (b);
      add_int (b, "iteration", t->iteration);
      add_string (b, "step", t->half == 0 ? "z" : "d");
      add_double (b, "time", t->time);
      add_double (b, "objective", t->objective);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_object (b);
  add_string (b, "atoms", "atoms.npy");
  add_string (b, "activations", "activations.npy");
  if (m->rank1)
    {
      add_string (b, "topographies", "u.npy");
      add_string (b, "waveforms", "v.npy");
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json = json_generator_to_data (gen, NULL);
  json_path = g_build_filename (dir, "run.json", NULL);
  return as_output_write_contents (json_path, json, strlen (json), overwrite, error);
}
