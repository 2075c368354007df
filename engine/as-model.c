/* as-model.c: a model folder read back, checked file by file.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-model"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <gio/gio.h>

#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-json-out.h"
#include "as-model.h"
#include "as-npy.h"

AsModel *
as_model_ref (AsModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_ref_count_inc (&model->ref_count);
  return model;
}

void
as_model_unref (AsModel *model)
{
  if (model == NULL || !g_atomic_ref_count_dec (&model->ref_count))
    return;
  g_free (model->dir);
  g_clear_pointer (&model->model, as_cdl_model_unref);
  g_free (model->source);
  g_free (model->source_name);
  g_free (model->dictionary);
  g_free (model->command);
  g_free (model->created);
  g_free (model->end_state);
  g_clear_pointer (&model->preprocessing, json_object_unref);
  for (guint c = 0; model->channels != NULL && c < model->n_channels; c++)
    {
      g_free (model->channels[c].name);
      g_free (model->channels[c].unit);
      g_free (model->channels[c].type);
    }
  g_free (model->channels);
  g_clear_pointer (&model->run, json_object_unref);
  g_strfreev (model->pre_channels);
  g_free (model);
}

static gboolean
format_error (GError **error, const char *path, const char *reason)
{
  g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT, "%s: %s", path, reason);
  return FALSE;
}

/* An unsigned integer member, required. */
static gboolean
get_uint (JsonObject *o, const char *name, const char *path, guint *out, GError **error)
{
  JsonNode *n = json_object_get_member (o, name);
  gint64 v;

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64
      || (v = json_node_get_int (n)) < 0 || v > G_MAXUINT)
    {
      g_autofree char *why = g_strdup_printf (_("“%s” is missing or not a whole number ≥ 0"), name);
      return format_error (error, path, why);
    }
  *out = (guint) v;
  return TRUE;
}

/* A number member: absent or null gives @fallback (NaN for a null with a reason). */
static double
get_double (JsonObject *o, const char *name, double fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL)
    return fallback;
  if (JSON_NODE_HOLDS_NULL (n))
    return NAN;
  if (JSON_NODE_HOLDS_VALUE (n))
    {
      GType t = json_node_get_value_type (n);
      if (t == G_TYPE_DOUBLE || t == G_TYPE_INT64)
        return json_node_get_double (n);
    }
  return fallback;
}

static gboolean
get_bool (JsonObject *o, const char *name, gboolean fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (n);
  return fallback;
}

static gint64
get_int (JsonObject *o, const char *name, gint64 fallback)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_int (n);
  return fallback;
}

static const char *
get_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING)
    return json_node_get_string (n);
  return NULL;
}

/* A path member, with its escaped bytes restored. */
static char *
get_path (JsonObject *o, const char *name)
{
  g_autofree char *flag = g_strconcat (name, "_escaped", NULL);
  const char *text = get_string (o, name);

  if (text == NULL)
    return NULL;
  return get_bool (o, flag, FALSE) ? as_json_out_unescape_bytes (text) : g_strdup (text);
}

/* Reads @name into @out, checking it has exactly the shape @shape (@ndim axes). */
static gboolean
read_array (const char *dir, const char *name, guint ndim, const gsize *shape, double **out,
            GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  AsNpyArray arr = { 0 };
  gboolean same;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return format_error (error, path, _("missing: the model folder is incomplete"));
  if (!as_npy_read (path, &arr, error))
    return FALSE;
  same = arr.ndim == ndim;
  for (guint i = 0; same && i < ndim; i++)
    same = arr.shape[i] == shape[i];
  if (!same)
    {
      g_autoptr (GString) want = g_string_new (NULL), have = g_string_new (NULL);
      g_autofree char *why = NULL;

      for (guint i = 0; i < ndim; i++)
        g_string_append_printf (want, "%s%zu", i ? " × " : "", shape[i]);
      for (guint i = 0; i < arr.ndim; i++)
        g_string_append_printf (have, "%s%zu", i ? " × " : "", arr.shape[i]);
      why = g_strdup_printf (_("has the shape %s, but run.json announces %s"), have->str, want->str);
      as_npy_array_clear (&arr);
      return format_error (error, path, why);
    }
  for (gsize i = 0; i < as_npy_array_size (&arr); i++)
    if (!isfinite (arr.data[i]))
      {
        g_autofree char *why = g_strdup_printf (_("value %zu is not a finite number"), i);
        as_npy_array_clear (&arr);
        return format_error (error, path, why);
      }
  *out = arr.data;
  return TRUE;
}

static void
read_params (JsonObject *o, AsCdlParams *p)
{
  const char *init = get_string (o, "init");

  as_cdl_params_init (p);
  p->n_atoms = (guint) get_int (o, "n_atoms", p->n_atoms);
  p->atom_length = (guint) get_int (o, "atom_length", p->atom_length);
  p->atom_height = (guint) get_int (o, "atom_height", p->atom_height);
  p->lambda = get_double (o, "lambda", p->lambda);
  p->lambda_absolute = get_bool (o, "lambda_absolute", p->lambda_absolute);
  p->rank1 = get_bool (o, "rank1", p->rank1);
  p->positive = get_bool (o, "positive", p->positive);
  if (init != NULL)
    as_cdl_init_from_string (init, &p->init);
  p->max_iter = (guint) get_int (o, "max_iter", p->max_iter);
  p->tol = get_double (o, "tol", p->tol);
  p->z_tol = get_double (o, "z_tol", p->z_tol);
  p->dstep_max_iter = (guint) get_int (o, "dstep_max_iter", p->dstep_max_iter);
  p->online = get_bool (o, "online", p->online);
  p->online_batch = (guint) get_int (o, "online_batch", p->online_batch);
  p->online_window = (guint) get_int (o, "online_window", p->online_window);
  p->online_forget = get_double (o, "online_forget", p->online_forget);
  p->seed = (guint64) get_int (o, "seed", (gint64) p->seed);
  p->tukey = get_double (o, "tukey", p->tukey);
  p->resample_unused = get_bool (o, "resample_unused", p->resample_unused);
  p->sort_atoms = get_bool (o, "sort_atoms", p->sort_atoms);
}

static gboolean
read_trace (JsonObject *run, const char *path, AsCdlModel *m, GError **error)
{
  JsonNode *n = json_object_get_member (run, "trace");
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return format_error (error, path, _("“trace” is missing or not a list"));
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      JsonObject *o;
      AsCdlTracePoint pt;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        return format_error (error, path, _("an entry of “trace” is not an object"));
      o = json_node_get_object (e);
      pt.iteration = (guint) MAX (0, get_int (o, "iteration", 0));
      pt.half = g_strcmp0 (get_string (o, "step"), "z") == 0 ? 0 : 1;
      pt.time = get_double (o, "time", 0.0);
      pt.objective = get_double (o, "objective", NAN);
      g_array_append_val (m->trace, pt);
    }
  return TRUE;
}

static void
read_channels (JsonObject *run, AsModel *mod)
{
  JsonNode *n = json_object_get_member (run, "channels");
  JsonArray *a;

  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return;
  a = json_node_get_array (n);
  if (json_array_get_length (a) != mod->model->shape.n_channels)
    return;
  mod->n_channels = json_array_get_length (a);
  mod->channels = g_new0 (AsModelChannel, mod->n_channels);
  for (guint c = 0; c < mod->n_channels; c++)
    {
      JsonNode *e = json_array_get_element (a, c);
      AsModelChannel *ch = &mod->channels[c];
      JsonNode *pos;
      JsonObject *o;

      if (!JSON_NODE_HOLDS_OBJECT (e))
        continue;
      o = json_node_get_object (e);
      ch->name = g_strdup (get_string (o, "name"));
      ch->unit = g_strdup (get_string (o, "unit"));
      ch->type = g_strdup (get_string (o, "type"));
      pos = json_object_get_member (o, "position_m");
      if (pos != NULL && JSON_NODE_HOLDS_ARRAY (pos) && json_array_get_length (json_node_get_array (pos)) == 3)
        {
          ch->has_position = TRUE;
          for (guint d = 0; d < 3; d++)
            {
              JsonNode *v = json_array_get_element (json_node_get_array (pos), d);
              ch->position[d] = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_double (v) : NAN;
              ch->has_position &= isfinite (ch->position[d]);
            }
        }
    }
}

AsModel *
as_model_load (const char *dir, GError **error)
{
  g_autofree char *json_path = NULL, *display = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AsModel) mod = NULL;
  g_autoptr (GError) local = NULL;
  JsonNode *root, *pre;
  JsonObject *run;
  AsCscShape s = { 0 };
  guint n_trials;
  gboolean rank1, image;
  AsCdlModel *m;
  gsize shape[4];

  g_return_val_if_fail (dir != NULL, NULL);
  display = g_filename_display_name (dir);
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _("%s: not a folder (a model is a folder with run.json, atoms.npy and activations.npy)"),
                   display);
      return NULL;
    }
  json_path = g_build_filename (dir, "run.json", NULL);
  if (!g_file_test (json_path, G_FILE_TEST_EXISTS))
    {
      format_error (error, json_path, _("missing: this folder holds no model, or an incomplete one"));
      return NULL;
    }
  if (!json_parser_load_from_file (parser, json_path, &local))
    {
      format_error (error, json_path, local->message);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      format_error (error, json_path, _("not a JSON object"));
      return NULL;
    }
  run = json_node_get_object (root);

  mod = g_new0 (AsModel, 1);
  g_atomic_ref_count_init (&mod->ref_count);
  mod->dir = g_strdup (dir);
  mod->run = json_object_ref (run);
  /* Folders written before the format had a version are version 1. */
  mod->format_version = get_int (run, "format_version", 1);
  if (mod->format_version < 1 || mod->format_version > AS_MODEL_FORMAT_VERSION)
    {
      g_autofree char *why = g_strdup_printf (_("format version %lld is not one this version of Atomscope reads (1 to %d): update Atomscope"),
                                              (long long) mod->format_version, AS_MODEL_FORMAT_VERSION);
      format_error (error, json_path, why);
      return NULL;
    }
  if (get_string (run, "format") != NULL && g_strcmp0 (get_string (run, "format"), "atomscope-model") != 0)
    {
      format_error (error, json_path, _("not an Atomscope model description"));
      return NULL;
    }

  if (!get_uint (run, "n_atoms", json_path, &s.n_atoms, error)
      || !get_uint (run, "n_channels", json_path, &s.n_channels, error)
      || !get_uint (run, "n_trials", json_path, &n_trials, error)
      || !get_uint (run, "signal_height", json_path, &s.height, error)
      || !get_uint (run, "signal_width", json_path, &s.width, error)
      || !get_uint (run, "atom_height", json_path, &s.atom_height, error)
      || !get_uint (run, "atom_width", json_path, &s.atom_width, error))
    return NULL;
  if (!as_csc_shape_check (&s, &local))
    {
      format_error (error, json_path, local->message);
      return NULL;
    }
  if (n_trials == 0)
    {
      format_error (error, json_path, _("“n_trials” must be at least 1"));
      return NULL;
    }
  rank1 = get_bool (run, "rank1", FALSE);
  image = s.atom_height > 1 || s.height > 1;

  mod->model = m = as_cdl_model_new (&s, n_trials, FALSE, get_bool (run, "positive", TRUE));
  m->rank1 = rank1;
  g_clear_pointer (&m->atoms, g_free);
  g_clear_pointer (&m->activations, g_free);
  shape[0] = s.n_atoms;
  shape[1] = s.n_channels;
  shape[2] = image ? s.atom_height : s.atom_width;
  shape[3] = s.atom_width;
  if (!read_array (dir, "atoms.npy", image ? 4 : 3, shape, &m->atoms, error))
    return NULL;
  if (rank1)
    {
      gsize su[2] = { s.n_atoms, s.n_channels };
      gsize sv[3] = { s.n_atoms, image ? s.atom_height : s.atom_width, s.atom_width };

      if (!read_array (dir, "u.npy", 2, su, &m->u, error)
          || !read_array (dir, "v.npy", image ? 3 : 2, sv, &m->v, error))
        return NULL;
    }
  shape[0] = n_trials;
  shape[1] = s.n_atoms;
  shape[2] = image ? as_csc_valid_height (&s) : as_csc_valid_width (&s);
  shape[3] = as_csc_valid_width (&s);
  if (!read_array (dir, "activations.npy", image ? 4 : 3, shape, &m->activations, error))
    return NULL;
  if (!read_trace (run, json_path, m, error))
    return NULL;

  m->lambda = get_double (run, "lambda", NAN);
  m->lambda_max = get_double (run, "lambda_max", NAN);
  m->iteration = (guint) MAX (0, get_int (run, "iterations", 0));
  m->converged = get_bool (run, "converged", FALSE);
  m->sfreq = get_double (run, "sfreq", 0.0);
  if (!isfinite (m->sfreq) || m->sfreq < 0)
    m->sfreq = 0.0;
  mod->end_state = g_strdup (get_string (run, "end_state"));
  m->stopped = g_strcmp0 (mod->end_state, "stopped by you") == 0;
  m->encoded = g_strcmp0 (mod->end_state, "encoded") == 0;
  for (AsCdlEndState e = AS_CDL_END_CONVERGED; e <= AS_CDL_END_STOPPED; e++)
    if (g_strcmp0 (mod->end_state, as_cdl_end_state_to_string (e)) == 0)
      m->end_state = e;
  /* The atoms that explain almost nothing (indices from 0), as the writer lists them. */
  if (json_object_has_member (run, "atoms_explaining_little")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (run, "atoms_explaining_little")))
    {
      JsonArray *weak = json_object_get_array_member (run, "atoms_explaining_little");
      for (guint i = 0; i < json_array_get_length (weak); i++)
        {
          JsonNode *node = json_array_get_element (weak, i);
          gint64 k = JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64
                     ? json_node_get_int (node) : -1;
          if (k < 0 || k >= (gint64) s.n_atoms)
            {
              format_error (error, json_path,
                            _("“atoms_explaining_little” lists an atom that is not in the model"));
              return NULL;
            }
          m->weak[k] = 1;
        }
    }

  if (json_object_has_member (run, "params") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (run, "params")))
    read_params (json_object_get_object_member (run, "params"), &mod->params);
  else
    {
      /* Without a record of the parameters, those the arrays imply. */
      as_cdl_params_init (&mod->params);
      mod->params.n_atoms = s.n_atoms;
      mod->params.atom_length = s.atom_width;
      mod->params.atom_height = s.atom_height;
      mod->params.rank1 = rank1;
      mod->params.positive = m->positive;
    }

  mod->source = get_path (run, "source");
  mod->source_name = get_path (run, "source_name");
  mod->dictionary = get_path (run, "dictionary");
  mod->command = g_strdup (get_string (run, "command") != NULL ? get_string (run, "command") : "learn");
  mod->created = g_strdup (get_string (run, "created"));
  pre = json_object_get_member (run, "preprocessing");
  if (pre != NULL && JSON_NODE_HOLDS_OBJECT (pre))
    mod->preprocessing = json_object_ref (json_node_get_object (pre));
  read_channels (run, mod);
  return g_steal_pointer (&mod);
}

gboolean
as_model_get_preprocess_options (const AsModel *model, AsPreprocessOptions *opts)
{
  static const char *const detrend[] = { "none", "constant", "linear" };
  static const char *const reref[] = { "none", "average", "channel" };
  static const char *const scale[] = { "none", "z-score", "global-std" };
  JsonObject *o = model->preprocessing;
  JsonNode *ch;
  const char *v;

  as_preprocess_options_init (opts);
  if (o == NULL)
    return FALSE;
  ch = json_object_get_member (o, "channels");
  if (ch != NULL && JSON_NODE_HOLDS_ARRAY (ch))
    {
      JsonArray *a = json_node_get_array (ch);
      GPtrArray *names = g_ptr_array_new ();
      AsModel *mutable = (AsModel *) model;

      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *e = json_array_get_element (a, i);
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            g_ptr_array_add (names, g_strdup (json_node_get_string (e)));
        }
      g_ptr_array_add (names, NULL);
      g_strfreev (mutable->pre_channels);
      mutable->pre_channels = (char **) g_ptr_array_free (names, FALSE);
      opts->channels = (const char *const *) mutable->pre_channels;
    }
  opts->types = (guint) get_int (o, "channel_type_mask", 0);
  opts->crop_start = get_double (o, "crop_start_s", 0.0);
  opts->crop_stop = get_double (o, "crop_stop_s", 0.0);
  if ((v = get_string (o, "detrend")) != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (detrend); i++)
      if (g_strcmp0 (v, detrend[i]) == 0)
        opts->detrend = (AsDetrend) i;
  opts->highpass = get_double (o, "highpass_hz", 0.0);
  opts->lowpass = get_double (o, "lowpass_hz", 0.0);
  opts->image_background = get_double (o, "image_background_px", 0.0);
  opts->filter_order = (guint) get_int (o, "filter_order", 0);
  opts->notch = get_double (o, "notch_hz", 0.0);
  opts->notch_q = get_double (o, "notch_q", 0.0);
  opts->notch_harmonics = get_bool (o, "notch_harmonics", FALSE);
  opts->resample = get_double (o, "resample_hz", 0.0);
  if ((v = get_string (o, "reference")) != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (reref); i++)
      if (g_strcmp0 (v, reref[i]) == 0)
        opts->reref = (AsReref) i;
  opts->reref_channel = get_string (o, "reference_channel");
  if ((v = get_string (o, "scaling")) != NULL)
    for (guint i = 0; i < G_N_ELEMENTS (scale); i++)
      if (g_strcmp0 (v, scale[i]) == 0)
        opts->scale = (AsScaleMode) i;
  /* The scale the model was learned at is applied as it was (as_model_apply_scaling),
   * not estimated again from other data. */
  if (json_object_has_member (o, "scaling_scale"))
    opts->scale = AS_SCALE_NONE;
  /* Absent or null numbers mean "off". */
  if (!isfinite (opts->crop_start)) opts->crop_start = 0;
  if (!isfinite (opts->crop_stop)) opts->crop_stop = 0;
  if (!isfinite (opts->highpass)) opts->highpass = 0;
  if (!isfinite (opts->lowpass)) opts->lowpass = 0;
  if (!isfinite (opts->notch)) opts->notch = 0;
  if (!isfinite (opts->notch_q)) opts->notch_q = 0;
  if (!isfinite (opts->resample)) opts->resample = 0;
  return TRUE;
}

gboolean
as_model_apply_scaling (const AsModel *model, AsRecording *rec, GError **error)
{
  JsonObject *o = model->preprocessing;
  JsonNode *off, *sc;
  JsonArray *offsets = NULL, *scales;
  guint n;

  if (o == NULL || (sc = json_object_get_member (o, "scaling_scale")) == NULL || !JSON_NODE_HOLDS_ARRAY (sc))
    return TRUE;
  scales = json_node_get_array (sc);
  off = json_object_get_member (o, "scaling_offset");
  if (off != NULL && JSON_NODE_HOLDS_ARRAY (off))
    offsets = json_node_get_array (off);
  n = json_array_get_length (scales);
  if (n != 1 && n != rec->n_channels)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The model was scaled channel by channel for %u channels, but the recording has %u"),
                   n, rec->n_channels);
      return FALSE;
    }
  for (guint c = 0; c < rec->n_channels; c++)
    {
      guint i = n == 1 ? 0 : c;
      double scale = json_array_get_double_element (scales, i);
      double offset = offsets != NULL && json_array_get_length (offsets) == n
                        ? json_array_get_double_element (offsets, i) : 0.0;
      double *x = as_recording_channel (rec, c);

      if (!(scale > 0) || !isfinite (scale) || !isfinite (offset))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("The model records an unusable scale for channel %u"), c + 1);
          return FALSE;
        }
      for (gsize t = 0; t < rec->n_samples; t++)
        x[t] = (x[t] - offset) / scale;
    }
  return TRUE;
}

char *
as_model_find_source (const AsModel *model)
{
  g_autofree char *parent = NULL;
  char *p;

  if (model->source != NULL && g_file_test (model->source, G_FILE_TEST_IS_REGULAR))
    return g_strdup (model->source);
  if (model->source_name == NULL)
    return NULL;
  parent = g_path_get_dirname (model->dir);
  p = g_build_filename (parent, model->source_name, NULL);
  if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
    return p;
  g_free (p);
  p = g_build_filename (model->dir, model->source_name, NULL);
  if (g_file_test (p, G_FILE_TEST_IS_REGULAR))
    return p;
  g_free (p);
  return NULL;
}
