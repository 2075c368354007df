/* test-model.c: the model folder: written by the one writer, read back identical; valid
 * JSON for non-finite numbers and non-UTF-8 file names; clear errors for missing,
 * inconsistent and too-new folders; a replaced folder keeps nothing of the old one;
 * encoding with fixed atoms.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-cdl-sim.h"
#include "as-engine.h"
#include "as-json-out.h"
#include "as-model.h"
#include "as-npy.h"

static AsCdlSimulation *
sim_signals (guint P, guint64 seed)
{
  AsCdlSimParams sp;

  as_cdl_sim_params_init (&sp);
  sp.n_trials = 2;
  sp.n_channels = P;
  sp.n_times = 300;
  sp.n_atoms = 2;
  sp.atom_length = 16;
  sp.rate = 0.03;
  sp.seed = seed;
  return as_cdl_simulate_signals (&sp);
}

static AsCdlModel *
learn (const AsCdlSimulation *sim, gboolean rank1, AsCdlParams *p)
{
  g_autoptr (GError) error = NULL;
  AsCdlModel *m;

  as_cdl_params_init (p);
  p->n_atoms = 2;
  p->atom_length = 16;
  p->rank1 = rank1;
  p->max_iter = 8;
  m = as_cdl_learn (sim->x, sim->n_trials, sim->shape.n_channels, 1, sim->shape.width, p,
                    NULL, NULL, &error);
  g_assert_no_error (error);
  return m;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static gsize
count_entries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  gsize n = 0;

  while (d != NULL && g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
assert_same_model (const AsCdlModel *a, const AsCdlModel *b)
{
  const AsCscShape *s = &a->shape;

  g_assert_cmpmem (&a->shape, sizeof a->shape, &b->shape, sizeof b->shape);
  g_assert_cmpuint (a->n_trials, ==, b->n_trials);
  g_assert_cmpint (a->rank1, ==, b->rank1);
  g_assert_cmpint (a->positive, ==, b->positive);
  g_assert_cmpmem (a->atoms, sizeof (double) * s->n_atoms * as_csc_atom_size (s),
                   b->atoms, sizeof (double) * s->n_atoms * as_csc_atom_size (s));
  g_assert_cmpmem (a->activations, sizeof (double) * a->n_trials * s->n_atoms * as_csc_n_valid (s),
                   b->activations, sizeof (double) * a->n_trials * s->n_atoms * as_csc_n_valid (s));
  if (a->rank1)
    {
      g_assert_cmpmem (a->u, sizeof (double) * s->n_atoms * s->n_channels,
                       b->u, sizeof (double) * s->n_atoms * s->n_channels);
      g_assert_cmpmem (a->v, sizeof (double) * s->n_atoms * s->atom_width,
                       b->v, sizeof (double) * s->n_atoms * s->atom_width);
    }
  g_assert_cmpfloat (a->lambda, ==, b->lambda);
  g_assert_cmpfloat (a->lambda_max, ==, b->lambda_max);
  g_assert_cmpuint (a->iteration, ==, b->iteration);
  g_assert_cmpint (a->converged, ==, b->converged);
  g_assert_cmpuint (a->trace->len, ==, b->trace->len);
  for (guint i = 0; i < a->trace->len; i++)
    {
      const AsCdlTracePoint *p = &g_array_index (a->trace, AsCdlTracePoint, i);
      const AsCdlTracePoint *q = &g_array_index (b->trace, AsCdlTracePoint, i);
      g_assert_cmpuint (p->iteration, ==, q->iteration);
      g_assert_cmpuint (p->half, ==, q->half);
      g_assert_cmpfloat (p->objective, ==, q->objective);
      g_assert_cmpfloat (p->time, ==, q->time);
    }
}

/* Written, read back: the same numbers to the last bit, the parameters, the metadata. */
static void
test_roundtrip (void)
{
  g_autoptr (AsCdlSimulation) sim = sim_signals (3, 1);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "sub", "model", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) loaded = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (JsonObject) pre = json_object_new ();
  AsPreprocessOptions opts;
  AsCdlExportInfo info;
  AsCdlParams p;

  m = learn (sim, TRUE, &p);
  m->sfreq = 250.0;
  json_object_set_double_member (pre, "highpass_hz", 0.5);
  json_object_set_string_member (pre, "detrend", "linear");
  json_object_set_string_member (pre, "scaling", "z-score");
  as_cdl_export_info_init (&info);
  info.source = "recording.edf";
  info.preprocessing = pre;
  g_assert_true (as_cdl_export_prepare (dir, as_cdl_export_estimate_size (&m->shape, m->n_trials, TRUE, 8),
                                        FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (as_cdl_export_full (m, &p, &info, dir, FALSE, &error));
  g_assert_no_error (error);

  loaded = as_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (loaded);
  assert_same_model (m, loaded->model);
  g_assert_cmpint (loaded->format_version, ==, AS_MODEL_FORMAT_VERSION);
  g_assert_cmpfloat (loaded->model->sfreq, ==, 250.0);
  g_assert_cmpuint (loaded->params.max_iter, ==, 8);
  g_assert_cmpfloat (loaded->params.lambda, ==, p.lambda);
  g_assert_cmpfloat (loaded->params.z_tol, ==, p.z_tol);
  g_assert_cmpuint (loaded->params.seed, ==, p.seed);
  g_assert_cmpstr (loaded->source_name, ==, "recording.edf");
  g_assert_true (g_path_is_absolute (loaded->source));
  g_assert_cmpstr (loaded->end_state, ==, m->converged ? "converged (tolerance reached)"
                                                        : "stopped at the iteration limit");
  g_assert_true (as_model_get_preprocess_options (loaded, &opts));
  g_assert_cmpfloat (opts.highpass, ==, 0.5);
  g_assert_cmpint (opts.detrend, ==, AS_DETREND_LINEAR);
  g_assert_cmpint (opts.scale, ==, AS_SCALE_ZSCORE);
  /* Nothing but the model's files: the temporary folder is gone. */
  g_assert_cmpuint (count_entries (dir), ==, 5);
  {
    g_autofree char *parent = g_path_get_dirname (dir);
    g_assert_cmpuint (count_entries (parent), ==, 1);
  }

  /* Not replaced unless asked. */
  g_assert_false (as_cdl_export_full (m, &p, &info, dir, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (as_cdl_export_prepare (dir, 1000, FALSE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* Replaced as a whole: a full-rank model leaves no u.npy or v.npy of the rank-1 one. */
  {
    g_autoptr (AsCdlModel) full = NULL;
    g_autoptr (AsModel) again = NULL;
    g_autofree char *u = g_build_filename (dir, "u.npy", NULL);
    AsCdlParams pf;

    full = learn (sim, FALSE, &pf);
    g_assert_true (as_cdl_export_full (full, &pf, NULL, dir, TRUE, &error));
    g_assert_no_error (error);
    g_assert_false (g_file_test (u, G_FILE_TEST_EXISTS));
    g_assert_cmpuint (count_entries (dir), ==, 3);
    again = as_model_load (dir, &error);
    g_assert_no_error (error);
    assert_same_model (full, again->model);
    g_assert_null (again->preprocessing);
  }
  remove_tree (tmp);
}

/* Replacing a folder that is not a model is refused, even when asked. */
static void
test_refuse_foreign_folder (void)
{
  g_autoptr (AsCdlSimulation) sim = sim_signals (1, 2);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *keep = g_build_filename (tmp, "thesis.txt", NULL);
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  AsCdlParams p;

  m = learn (sim, TRUE, &p);
  g_assert_true (g_file_set_contents (keep, "precious", -1, NULL));
  g_assert_false (as_cdl_export_prepare (tmp, 1000, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_false (as_cdl_export (m, &p, NULL, tmp, TRUE, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_true (g_file_test (keep, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  /* An empty folder is fine. */
  {
    g_autofree char *empty = g_build_filename (tmp, "empty", NULL);
    g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
    g_assert_true (as_cdl_export (m, &p, NULL, empty, FALSE, &error));
    g_assert_no_error (error);
  }
  /* Not enough room: refused before anything is written. */
  {
    g_autofree char *big = g_build_filename (tmp, "big", NULL);
    g_assert_false (as_cdl_export_prepare (big, G_MAXUINT64 / 2, FALSE, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_assert_false (g_file_test (big, G_FILE_TEST_EXISTS));
  }
  remove_tree (tmp);
}

/* A parser that is strict about numbers: json-glib accepts "1e+30.0", Python does not,
 * so check the text itself: no "inf", "nan", or a ".0" after an exponent. */
static void
assert_strict_json (const char *text)
{
  g_autoptr (GRegex) strings = g_regex_new ("\"(?:[^\"\\\\]|\\\\.)*\"", 0, 0, NULL);
  g_autoptr (GRegex) bad = g_regex_new ("inf|nan|[eE][+-]?[0-9]+\\.[0-9]", G_REGEX_CASELESS, 0, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *bare = NULL;

  g_assert_true (g_utf8_validate (text, -1, NULL));
  /* Outside strings, only numbers, null, true, false and punctuation remain. */
  bare = g_regex_replace_literal (strings, text, -1, 0, "\"\"", 0, NULL);
  g_assert_nonnull (bare);
  g_assert_false (g_regex_match (bad, bare, 0, NULL));
  g_assert_true (json_parser_load_from_data (parser, text, -1, NULL));
}

/* inf and NaN become null with a reason; a file name with non-UTF-8 bytes is escaped and
 * comes back byte for byte; large numbers stay valid JSON. */
static void
test_valid_json (void)
{
  g_autoptr (AsCdlSimulation) sim = sim_signals (2, 3);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "m", NULL);
  g_autofree char *json_path = g_build_filename (dir, "run.json", NULL);
  g_autofree char *text = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsModel) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = g_build_filename (tmp, "rec\xff\xfe" "d\\x41 \xc3\xa9.csv", NULL);
  AsCdlTracePoint pt = { 9, 1, 1e30, INFINITY };
  AsCdlParams p;

  m = learn (sim, TRUE, &p);
  m->lambda_max = NAN;
  m->sfreq = 1e30;
  g_array_append_val (m->trace, pt);
  pt.objective = NAN;
  pt.time = -INFINITY;
  g_array_append_val (m->trace, pt);
  p.tol = INFINITY;
  g_assert_true (as_cdl_export (m, &p, name, dir, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
  assert_strict_json (text);
  g_assert_nonnull (strstr (text, "\"lambda_max\": null"));
  g_assert_nonnull (strstr (text, "\"lambda_max_reason\": \"not a number\""));
  g_assert_nonnull (strstr (text, "\"objective_reason\": \"infinite (+inf)\""));
  g_assert_nonnull (strstr (text, "\"tol_reason\""));
  g_assert_nonnull (strstr (text, "\"source_escaped\": true"));
  g_assert_nonnull (strstr (text, "\"sfreq\": 1e+30"));

  loaded = as_model_load (dir, &error);
  g_assert_no_error (error);
  {
    g_autofree char *canon = g_canonicalize_filename (name, NULL);
    g_assert_cmpstr (loaded->source, ==, canon);
  }
  g_assert_true (isnan (loaded->model->lambda_max));
  g_assert_true (isnan (g_array_index (loaded->model->trace, AsCdlTracePoint, loaded->model->trace->len - 1).objective));
  remove_tree (tmp);
}

static void
test_escape_roundtrip (void)
{
  const char *cases[] = { "plain", "back\\slash", "\xff", "a\\x41\xfe\\", "\xc3\xa9t\xc3\xa9", "\xc3" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean escaped;
      g_autofree char *e = as_json_out_escape_bytes (cases[i], &escaped);
      g_autofree char *back = escaped ? as_json_out_unescape_bytes (e) : g_strdup (e);

      g_assert_true (g_utf8_validate (e, -1, NULL));
      g_assert_cmpstr (back, ==, cases[i]);
    }
  /* Shortest text that reads back. */
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    double values[] = { 0.1, 1.0 / 3.0, 1e30, 5e-324, -0.0, 123456789012345678.0, 2.5 };
    for (guint i = 0; i < G_N_ELEMENTS (values); i++)
      {
        as_json_out_format_double (buf, values[i]);
        g_assert_cmpfloat (g_ascii_strtod (buf, NULL), ==, values[i]);
      }
    as_json_out_format_double (buf, 0.1);
    g_assert_cmpstr (buf, ==, "0.1");
  }
}

/* Each broken folder gives an error that names the file and the reason. */
static void
test_errors (void)
{
  g_autoptr (AsCdlSimulation) sim = sim_signals (2, 4);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "m", NULL);
  g_autofree char *json_path = g_build_filename (dir, "run.json", NULL);
  g_autofree char *u_path = g_build_filename (dir, "u.npy", NULL);
  g_autofree char *text = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  AsCdlParams p;
  AsModel *loaded;

  m = learn (sim, TRUE, &p);
  g_assert_true (as_cdl_export (m, &p, NULL, dir, FALSE, &error));
  g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));

  /* Not a folder. */
  loaded = as_model_load (json_path, &error);
  g_assert_null (loaded);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* A missing array. */
  {
    g_autofree char *keep = NULL;
    gsize len;
    g_assert_true (g_file_get_contents (u_path, &keep, &len, NULL));
    g_unlink (u_path);
    loaded = as_model_load (dir, &error);
    g_assert_null (loaded);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "u.npy"));
    g_assert_nonnull (strstr (error->message, "missing"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (u_path, keep, len, NULL));
  }

  /* An array whose shape disagrees with run.json. */
  {
    g_autofree char *edited = NULL;
    g_autoptr (GRegex) re = g_regex_new ("\"n_channels\": 2", 0, 0, NULL);
    edited = g_regex_replace_literal (re, text, -1, 0, "\"n_channels\": 3", 0, NULL);
    g_assert_true (g_file_set_contents (json_path, edited, -1, NULL));
    loaded = as_model_load (dir, &error);
    g_assert_null (loaded);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "atoms.npy"));
    g_assert_nonnull (strstr (error->message, "2 × 3 × 16"));
    g_clear_error (&error);
  }

  /* A newer format. */
  {
    g_autofree char *edited = NULL;
    g_autoptr (GRegex) re = g_regex_new ("\"format_version\": 1", 0, 0, NULL);
    edited = g_regex_replace_literal (re, text, -1, 0, "\"format_version\": 99", 0, NULL);
    g_assert_true (g_file_set_contents (json_path, edited, -1, NULL));
    loaded = as_model_load (dir, &error);
    g_assert_null (loaded);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "99"));
    g_assert_nonnull (strstr (error->message, "run.json"));
    g_clear_error (&error);
  }

  /* Not JSON. */
  g_assert_true (g_file_set_contents (json_path, "{\"n_atoms\": ", -1, NULL));
  loaded = as_model_load (dir, &error);
  g_assert_null (loaded);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "run.json"));
  g_clear_error (&error);

  /* No run.json at all. */
  g_unlink (json_path);
  loaded = as_model_load (dir, &error);
  g_assert_null (loaded);
  g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
  g_clear_error (&error);
  remove_tree (tmp);
}

/* Images: 4-D atoms and activations come back with their axes. */
static void
test_image_roundtrip (void)
{
  g_autoptr (AsCdlSimulation) sim = as_cdl_simulate_image (40, 48, 1, 2, 5, 6, 0.01, 5);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "m", NULL);
  g_autofree char *act = g_build_filename (dir, "activations.npy", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (AsModel) loaded = NULL;
  AsNpyArray arr = { 0 };
  AsCdlParams p;

  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = p.atom_height = 5;
  p.rank1 = FALSE;
  p.max_iter = 3;
  m = as_cdl_learn (sim->x, 1, 1, 40, 48, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (as_cdl_export (m, &p, NULL, dir, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (as_npy_read (act, &arr, &error));
  g_assert_cmpuint (arr.ndim, ==, 4);
  g_assert_cmpuint (arr.shape[2], ==, 36);
  g_assert_cmpuint (arr.shape[3], ==, 44);
  as_npy_array_clear (&arr);
  loaded = as_model_load (dir, &error);
  g_assert_no_error (error);
  assert_same_model (m, loaded->model);
  remove_tree (tmp);
}

/* Learning resumed from a model written mid-run ends where the uninterrupted run ends,
 * through a model folder (the arrays and numbers read back exactly). */
static void
test_resume_exact (void)
{
  g_autoptr (AsCdlSimulation) sim = sim_signals (3, 6);
  g_autofree char *tmp = g_dir_make_tmp ("as-model-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (tmp, "checkpoint", NULL);
  g_autoptr (AsCdlModel) whole = NULL, part = NULL, resumed = NULL;
  g_autoptr (AsModel) loaded = NULL;
  g_autoptr (GError) error = NULL;
  AsCdlParams p, q;
  double a, b;

  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 16;
  p.init = AS_CDL_INIT_CHUNK;
  p.max_iter = 20;
  p.tol = 0.0;
  whole = as_cdl_learn (sim->x, sim->n_trials, 3, 1, sim->shape.width, &p, NULL, NULL, &error);
  g_assert_no_error (error);

  /* The state after 7 iterations (as a checkpoint sees it: not yet sorted). */
  q = p;
  q.max_iter = 7;
  q.sort_atoms = FALSE;
  part = as_cdl_learn (sim->x, sim->n_trials, 3, 1, sim->shape.width, &q, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (as_cdl_export (part, &p, NULL, dir, FALSE, &error));
  g_assert_no_error (error);
  loaded = as_model_load (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->params.max_iter, ==, 20);

  resumed = as_cdl_learn_resume (sim->x, sim->n_trials, 3, 1, sim->shape.width, &loaded->params,
                                 loaded->model, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (resumed->iteration, ==, whole->iteration);
  g_assert_cmpuint (resumed->trace->len, ==, whole->trace->len);
  a = as_cdl_model_last_objective (whole);
  b = as_cdl_model_last_objective (resumed);
  g_test_message ("objective uninterrupted %.17g, resumed %.17g", a, b);
  g_assert_cmpfloat (fabs (a - b), <=, 1e-9 * fabs (a));
  for (gsize i = 0; i < 2 * as_csc_atom_size (&whole->shape); i++)
    g_assert_cmpfloat (fabs (whole->atoms[i] - resumed->atoms[i]), <=, 1e-9);

  /* A model of other data or shape is refused with a reason. */
  {
    g_autoptr (AsCdlModel) bad = NULL;
    q = p;
    q.n_atoms = 3;
    bad = as_cdl_learn_resume (sim->x, sim->n_trials, 3, 1, sim->shape.width, &q, loaded->model, NULL, &error);
    g_assert_null (bad);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID);
  }
  remove_tree (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/model/roundtrip", test_roundtrip);
  g_test_add_func ("/model/refuse-foreign-folder", test_refuse_foreign_folder);
  g_test_add_func ("/model/valid-json", test_valid_json);
  g_test_add_func ("/model/escape-roundtrip", test_escape_roundtrip);
  g_test_add_func ("/model/errors", test_errors);
  g_test_add_func ("/model/image-roundtrip", test_image_roundtrip);
  g_test_add_func ("/model/resume-exact", test_resume_exact);
  return g_test_run ();
}
