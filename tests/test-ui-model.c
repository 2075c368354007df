/* test-ui-model.c: one model format for the window and the command line.
 *
 * The window learns on the bundled recording with explicit parameters and exports its
 * model; "atomscope-cli learn" learns with the same parameters on the same file; the two
 * folders hold the same files, byte-identical arrays and the same run.json but for the
 * time of writing and the wall-clock times of the trace.  The window then opens the
 * command line's folder (File ▸ Open Model) and shows the same atoms; opened while
 * another file is shown, the model brings its recording back; and the window's "Use
 * Atoms From a Model" finds the same activations as "atomscope-cli encode".
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "as-model.h"
#include "atomscope-application.h"
#include "atomscope-atoms-panel.h"
#include "atomscope-convergence-view.h"
#include "atomscope-window-private.h"
#include "ui-test-utils.h"

static AtomscopeApplication *app;

#define N_ATOMS 2
#define ATOM_SECONDS "0.27"
#define ITERATIONS 12

static AtomscopeWindow *
activate_window (void)
{
  AtomscopeWindow *window;

  g_application_activate (G_APPLICATION (app));
  window = ATOMSCOPE_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, 1, 20));
  return window;
}

static void
remove_path (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_path (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
run_cli (const char *const *args)
{
  const char *cli = g_getenv ("ATOMSCOPE_CLI");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = -1;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (gpointer) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("atomscope-cli %s failed: %s%s", args[0], out, err);
  g_test_message ("atomscope-cli %s: %s", args[0], out);
}

static GBytes *
read_bytes (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&contents), len);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_names (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* Same JSON, except members that record when (created, the trace's wall-clock times). */
static void
assert_same_json (JsonNode *a, JsonNode *b, const char *where)
{
  g_assert_cmpint (json_node_get_node_type (a), ==, json_node_get_node_type (b));
  switch (json_node_get_node_type (a))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a), *ob = json_node_get_object (b);
        g_autoptr (GList) ma = json_object_get_members (oa);
        g_autoptr (GList) mb = json_object_get_members (ob);

        if (g_list_length (ma) != g_list_length (mb))
          g_error ("%s: %u members against %u", where, g_list_length (ma), g_list_length (mb));
        for (GList *l = ma; l != NULL; l = l->next)
          {
            g_autofree char *sub = g_strdup_printf ("%s.%s", where, (char *) l->data);

            if (!json_object_has_member (ob, l->data))
              g_error ("%s is missing from the command line's run.json", sub);
            if (g_str_equal (l->data, "created") || g_str_equal (l->data, "time"))
              continue;
            assert_same_json (json_object_get_member (oa, l->data), json_object_get_member (ob, l->data), sub);
          }
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a), *ab = json_node_get_array (b);

        g_assert_cmpuint (json_array_get_length (aa), ==, json_array_get_length (ab));
        for (guint i = 0; i < json_array_get_length (aa); i++)
          {
            g_autofree char *sub = g_strdup_printf ("%s[%u]", where, i);
            assert_same_json (json_array_get_element (aa, i), json_array_get_element (ab, i), sub);
          }
        break;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (a) != json_node_get_value_type (b) || !json_node_equal (a, b))
        {
          g_autofree char *ta = json_to_string (a, FALSE), *tb = json_to_string (b, FALSE);
          g_error ("%s: %s in the window's run.json, %s in the command line's", where, ta, tb);
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
}

static JsonNode *
parse_run (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "run.json", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_true (json_parser_load_from_file (parser, path, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_same_arrays (const AsCdlModel *a, const AsCdlModel *b)
{
  const AsCscShape *s = &a->shape;
  const gsize n_atoms = s->n_atoms * as_csc_atom_size (s);
  const gsize n_act = (gsize) a->n_trials * s->n_atoms * as_csc_n_valid (s);

  g_assert_cmpmem (&a->shape, sizeof a->shape, &b->shape, sizeof b->shape);
  g_assert_cmpmem (a->atoms, sizeof (double) * n_atoms, b->atoms, sizeof (double) * n_atoms);
  g_assert_cmpmem (a->activations, sizeof (double) * n_act, b->activations, sizeof (double) * n_act);
  g_assert_cmpuint (a->trace->len, ==, b->trace->len);
  for (guint i = 0; i < a->trace->len; i++)
    g_assert_cmpfloat (g_array_index (a->trace, AsCdlTracePoint, i).objective, ==,
                       g_array_index (b->trace, AsCdlTracePoint, i).objective);
}

static guint
atoms_drawn (gpointer window)
{
  GtkWidget *view = atomscope_window_get_view (window, "atoms");
  return atomscope_atoms_panel_get_drawn_generation (ATOMSCOPE_ATOMS_PANEL (view))
         >= atomscope_window_get_model_serial (window);
}

static guint
curve_drawn (gpointer window)
{
  GtkWidget *view = atomscope_window_get_view (window, "convergence");
  return atomscope_convergence_view_get_drawn_generation (ATOMSCOPE_CONVERGENCE_VIEW (view))
         >= atomscope_window_get_model_serial (window);
}

static guint
opened (gpointer window)
{
  return atomscope_window_get_model_open_count (window);
}

static void
wait_open (AtomscopeWindow *window, guint before)
{
  guint failures = atomscope_window_get_model_open_failures (window);

  g_assert_true (ui_test_wait_until (opened, window, before + 1, 60));
  g_assert_cmpuint (atomscope_window_get_model_open_failures (window), ==, failures);
}

static void
test_identity (void)
{
  AtomscopeWindow *window = activate_window ();
  AtomscopeParamsPanel *params = atomscope_window_get_params_panel (window);
  g_autofree char *tmp = g_dir_make_tmp ("atomscope-model-XXXXXX", NULL);
  g_autofree char *cli_dir = g_build_filename (tmp, "cli", NULL);
  g_autofree char *win_dir = g_build_filename (tmp, "nystagmus_infantile_avramidis_200Hz-model", NULL);
  g_autofree char *sample = g_strdup (atomscope_window_get_recording (window)->path);
  g_autoptr (GPtrArray) win_names = NULL, cli_names = NULL;
  g_autoptr (JsonNode) win_run = NULL, cli_run = NULL;
  g_autoptr (AsModel) cli_model = NULL;
  g_autoptr (GError) error = NULL;
  AtomscopeExportRequest *req;
  guint before, learned;

  g_assert_true (g_str_has_suffix (sample, "nystagmus_infantile_avramidis_200Hz.csv"));
  atomscope_params_panel_set_n_atoms (params, N_ATOMS);
  atomscope_params_panel_set_atom_length (params, g_ascii_strtod (ATOM_SECONDS, NULL));
  atomscope_params_panel_set_max_iter (params, ITERATIONS);
  atomscope_params_panel_set_lambda (params, 0.1);
  atomscope_params_panel_set_tolerance (params, 0.0);
  /* Both start from the defaults of the kind of recording (one table), preprocessing included. */
  learned = atomscope_window_get_learn_count (window);
  atomscope_window_learn (window);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window, learned + 1, 60));
  g_assert_cmpuint (atomscope_window_get_model (window)->iteration, ==, ITERATIONS);

  /* The window's model folder. */
  req = atomscope_window_new_export_request (window);
  req->folder = g_strdup (tmp);
  req->events = req->figures = FALSE;
  before = atomscope_window_get_export_count (window);
  atomscope_window_export (window, req);
  g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_export_count, window, before + 1, 30));
  g_assert_cmpuint (atomscope_window_get_export_failures (window), ==, 0);

  /* The command line's, with the same parameters (the rest from the same table of defaults). */
  {
    const char *args[] = { "learn", sample, "--atoms", G_STRINGIFY (N_ATOMS), "--atom-length", ATOM_SECONDS,
                           "--iterations", G_STRINGIFY (ITERATIONS), "--tol", "0", "--lambda", "0.1",
                           "--seed", "0", "--quiet", "--out", cli_dir, NULL };
    run_cli (args);
  }

  /* Same files; arrays byte for byte; run.json the same but for the times. */
  win_names = sorted_names (win_dir);
  cli_names = sorted_names (cli_dir);
  g_assert_cmpuint (win_names->len, ==, 5);
  g_assert_cmpuint (win_names->len, ==, cli_names->len);
  for (guint i = 0; i < win_names->len; i++)
    {
      const char *name = g_ptr_array_index (win_names, i);

      g_assert_cmpstr (name, ==, g_ptr_array_index (cli_names, i));
      if (g_str_has_suffix (name, ".npy"))
        {
          g_autoptr (GBytes) a = read_bytes (win_dir, name);
          g_autoptr (GBytes) b = read_bytes (cli_dir, name);
          if (!g_bytes_equal (a, b))
            g_error ("%s differs between the window's and the command line's folders", name);
        }
    }
  win_run = parse_run (win_dir);
  cli_run = parse_run (cli_dir);
  assert_same_json (win_run, cli_run, "run.json");

  /* The window opens the command line's folder and shows its atoms. */
  cli_model = as_model_load (cli_dir, &error);
  g_assert_no_error (error);
  {
    g_autoptr (GFile) folder = g_file_new_for_path (cli_dir);
    AsCdlModel *shown;

    before = atomscope_window_get_model_open_count (window);
    atomscope_window_open_model (window, folder, NULL);
    wait_open (window, before);
    shown = atomscope_window_get_model (window);
    g_assert_nonnull (shown);
    assert_same_arrays (shown, cli_model->model);
    g_assert_cmpstr (atomscope_window_get_model_dir (window), ==, cli_dir);
    g_assert_nonnull (atomscope_window_get_figure_atoms (window));
    g_assert_cmpuint (atomscope_window_get_figure_atoms (window)->n_atoms, ==, N_ATOMS);
    /* The atoms panel and the convergence curve draw the opened model. */
    g_assert_true (ui_test_wait_until (atoms_drawn, window, 1, 10));
    g_assert_true (ui_test_wait_until (curve_drawn, window, 1, 10));
    {
      g_autofree char *png = ui_test_artifact_path ("model-opened.png");
      UiTestImageStats stats;
      ui_test_wait_for_draw (GTK_WIDGET (window));
      g_assert_true (ui_test_render_png (GTK_WIDGET (window), png, &stats, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (stats.n_colors, >, 100);
    }
  }

  /* Opened while another file is shown, the model brings its recording back. */
  {
    g_autofree char *other = g_test_build_filename (G_TEST_DIST, "data", "mitdb100_ecg_10s_360Hz.wav", NULL);
    g_autoptr (GFile) file = g_file_new_for_path (other);
    g_autoptr (GFile) folder = g_file_new_for_path (cli_dir);
    guint loads = atomscope_window_get_load_count (window);

    atomscope_window_open_file (window, file);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_load_count, window, loads + 1, 30));
    g_assert_null (atomscope_window_get_model (window));
    before = atomscope_window_get_model_open_count (window);
    atomscope_window_open_model (window, folder, NULL);
    wait_open (window, before);
    g_assert_cmpstr (atomscope_window_get_recording (window)->path, ==, sample);
    assert_same_arrays (atomscope_window_get_model (window), cli_model->model);
  }

  /* A folder that is not a model: a message, nothing shown changes. */
  {
    g_autoptr (GFile) folder = g_file_new_for_path (tmp);
    guint failures = atomscope_window_get_model_open_failures (window);

    before = atomscope_window_get_model_open_count (window);
    atomscope_window_open_model (window, folder, NULL);
    g_assert_true (ui_test_wait_until (opened, window, before + 1, 30));
    g_assert_cmpuint (atomscope_window_get_model_open_failures (window), ==, failures + 1);
    assert_same_arrays (atomscope_window_get_model (window), cli_model->model);
  }

  /* Use Atoms From a Model: the same activations as "atomscope-cli encode". */
  {
    g_autofree char *enc_dir = g_build_filename (tmp, "encoded", NULL);
    g_autoptr (GFile) folder = g_file_new_for_path (cli_dir);
    g_autoptr (AsModel) encoded = NULL;
    const char *args[] = { "encode", sample, "--model", cli_dir, "--quiet", "--out", enc_dir, NULL };
    AsCdlModel *shown;

    run_cli (args);
    encoded = as_model_load (enc_dir, &error);
    g_assert_no_error (error);
    learned = atomscope_window_get_learn_count (window);
    before = atomscope_window_get_model_open_count (window);
    atomscope_window_use_model_atoms (window, folder);
    wait_open (window, before);
    g_assert_true (ui_test_wait_until ((UiTestCondition) atomscope_window_get_learn_count, window, learned + 1, 60));
    shown = atomscope_window_get_model (window);
    g_assert_true (shown->encoded);
    g_assert_cmpfloat (shown->lambda, ==, encoded->model->lambda);
    assert_same_arrays (shown, encoded->model);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  ui_test_iterate (50);
  remove_path (tmp);
}

int
main (int argc, char **argv)
{
  app = ui_test_application_new (&argc, &argv);
  g_test_add_func ("/ui/model/identity", test_identity);
  return g_test_run ();
}
