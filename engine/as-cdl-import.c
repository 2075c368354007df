/* as-cdl-import.c: a learned model back from its folder.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl-import"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "as-cdl-import.h"
#include "as-engine.h"
#include "as-npy.h"

AsCdlModel *
as_cdl_model_load (const char *dir, GError **error)
{
  g_autofree char *atoms_path = g_build_filename (dir, "atoms.npy", NULL);
  g_autofree char *act_path = g_build_filename (dir, "activations.npy", NULL);
  g_autofree char *run_path = g_build_filename (dir, "run.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  AsNpyArray atoms = { 0 }, act = { 0 };
  AsCdlModel *m = NULL;
  JsonObject *run;
  gsize K, P, L, T;

  if (!json_parser_load_from_file (parser, run_path, error))
    return NULL;
  run = json_node_get_object (json_parser_get_root (parser));
  if (run == NULL || !json_object_has_member (run, "sfreq"))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: not a description of a learned model (no “sfreq”)"), run_path);
      return NULL;
    }
  if (!as_npy_read (atoms_path, &atoms, error) || !as_npy_read (act_path, &act, error))
    goto out;
  if (atoms.ndim != 3 || act.ndim != 3 || act.shape[1] != atoms.shape[0] || atoms.shape[0] == 0
      || atoms.shape[2] == 0 || act.shape[0] == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT,
                   _("%s: atoms (K × channels × samples) and activations (trials × K × positions) "
                     "do not match"), dir);
      goto out;
    }
  K = atoms.shape[0];
  P = atoms.shape[1];
  L = atoms.shape[2];
  T = act.shape[2] + L - 1;
  m = g_new0 (AsCdlModel, 1);
  g_atomic_ref_count_init (&m->ref_count);
  m->shape = (AsCscShape) { (guint) K, (guint) P, 1, (guint) T, 1, (guint) L };
  m->n_trials = (guint) act.shape[0];
  m->rank1 = FALSE;
  m->positive = json_object_get_boolean_member_with_default (run, "positive", TRUE);
  m->atoms = g_steal_pointer (&atoms.data);
  m->activations = g_steal_pointer (&act.data);
  m->lambda = json_object_get_double_member_with_default (run, "lambda", 0.0);
  m->lambda_max = json_object_get_double_member_with_default (run, "lambda_max", 0.0);
  m->iteration = (guint) json_object_get_int_member_with_default (run, "iterations", 0);
  m->converged = json_object_get_boolean_member_with_default (run, "converged", FALSE);
  m->sfreq = json_object_get_double_member (run, "sfreq");
  m->trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));

out:
  as_npy_array_clear (&atoms);
  as_npy_array_clear (&act);
  return m;
}
