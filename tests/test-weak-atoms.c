/* test-weak-atoms.c: atoms that explain almost nothing, from learning to the model's record
 * and the atoms panel.
 *
 * Learning flags an atom with too few occurrences (after trying to resample it), the model
 * folder keeps the flag through its writer and its reader, the reason reads as a person would
 * count ("weak: 2 occurrences"), and the atoms panel draws the "weak" mark in that atom's row
 * only.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>

#include "as-cdl.h"
#include "as-cdl-export.h"
#include "as-engine.h"
#include "as-figure-atoms.h"
#include "as-model.h"

/* One channel of 4000 samples: atom 1 (a sine burst) 20 times, atom 2 (a step-like edge)
 * twice. */
static AsCdlModel *
model_two_atoms (void)
{
  const AsCscShape s = { 2, 1, 1, 4000, 1, 40 };
  AsCdlModel *m = as_cdl_model_new (&s, 1, TRUE, TRUE);
  const gsize nv = as_csc_n_valid (&s);

  for (guint k = 0; k < 2; k++)
    {
      m->u[k] = 1.0;
      for (guint t = 0; t < 40; t++)
        m->v[k * 40 + t] = k == 0 ? sin (2 * G_PI * t / 20.0) / sqrt (20.0) : (t < 20 ? -1 : 1) / sqrt (40.0);
      memcpy (m->atoms + k * 40, m->v + k * 40, sizeof (double) * 40);
    }
  for (guint i = 0; i < 20; i++)
    m->activations[100 + i * 180] = 1.0 + 0.1 * i;
  m->activations[nv + 1500] = 0.8;
  m->activations[nv + 2500] = 0.9;
  m->sfreq = 200.0;
  m->lambda = 0.1;
  m->lambda_max = 1.0;
  m->end_state = AS_CDL_END_CONVERGED;
  m->converged = TRUE;
  return m;
}

/* Learning on a signal with one recurring waveform and room for two atoms: the second finds
 * too little to explain, is resampled, and if it stays weak it is flagged. */
static void
test_learning_flags (void)
{
  const guint T = 4000, L = 40;
  g_autofree double *x = g_new0 (double, T);
  g_autoptr (AsCdlModel) m = NULL;
  g_autoptr (GError) error = NULL;
  AsCdlParams p;

  for (guint i = 0; i < 20; i++)
    for (guint t = 0; t < L; t++)
      x[100 + i * 180 + t] += sin (2 * G_PI * t / 20.0);
  /* A single isolated bump that no recurring atom explains. */
  for (guint t = 0; t < L; t++)
    x[3700 + t] += 0.6 * exp (-0.5 * pow ((t - 20.0) / 4.0, 2));
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = L;
  p.max_iter = 40;
  p.lambda = 0.3;
  m = as_cdl_learn (x, 1, 1, 1, T, &p, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 2; k++)
    {
      guint inside = 0, n = as_cdl_model_count_occurrences (m, k, &inside);
      g_autofree char *why = as_cdl_model_weak_reason (m, k);
      g_test_message ("atom %u: %u occurrences (%u inside), %s", k + 1, n, inside,
                      why != NULL ? why : "not weak");
      /* The flag is exactly the rule: fewer than 5 occurrences, or none inside. */
      g_assert_cmpint (m->weak[k] != 0, ==, n < p.min_occurrences || inside == 0);
      g_assert_cmpint (why != NULL, ==, m->weak[k] != 0);
    }
  g_assert_true (m->weak[0] || m->weak[1]);
  g_assert_false (m->weak[0] && m->weak[1]);
}

/* Writer and reader agree on the flags; the reason counts the occurrences. */
static void
test_model_roundtrip (void)
{
  g_autoptr (AsCdlModel) m = model_two_atoms ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AsModel) back = NULL;
  g_autofree char *dir = g_dir_make_tmp ("weak-XXXXXX", &error);
  g_autofree char *out = NULL, *why = NULL;
  AsCdlParams p;

  g_assert_no_error (error);
  m->weak[1] = 1;
  why = as_cdl_model_weak_reason (m, 1);
  g_assert_cmpstr (why, ==, "weak: 2 occurrences");
  g_assert_null (as_cdl_model_weak_reason (m, 0));
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 40;
  out = g_build_filename (dir, "model", NULL);
  g_assert_true (as_cdl_export (m, &p, "synthetic", out, FALSE, &error));
  g_assert_no_error (error);
  back = as_model_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->model->weak[0], ==, 0);
  g_assert_cmpuint (back->model->weak[1], ==, 1);
  {
    g_autofree char *again = as_cdl_model_weak_reason (back->model, 1);
    g_assert_cmpstr (again, ==, why);
  }
  /* A listed atom that does not exist is refused with the file's name. */
  {
    g_autofree char *json = g_build_filename (out, "run.json", NULL);
    g_autofree char *text = NULL;
    g_autoptr (GString) bad = NULL;
    g_autoptr (AsModel) none = NULL;
    char *at;
    g_assert_true (g_file_get_contents (json, &text, NULL, NULL));
    bad = g_string_new (text);
    at = strstr (bad->str, "\"atoms_explaining_little\"");
    g_assert_nonnull (at);
    at = strchr (at, '[');
    g_string_insert (bad, at - bad->str + 1, "7, ");
    g_assert_true (g_file_set_contents (json, bad->str, -1, NULL));
    none = as_model_load (out, &error);
    g_assert_null (none);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "run.json"));
    g_clear_error (&error);
  }
  {
    g_autoptr (GDir) d = g_dir_open (out, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *f = g_build_filename (out, name, NULL);
        g_remove (f);
      }
    g_rmdir (out);
    g_rmdir (dir);
  }
}

/* Pixels of the mark's colour in a rectangle. */
static guint
count_color (cairo_surface_t *s, int x0, int y0, int x1, int y1, const AsColor *c)
{
  const guchar *px = cairo_image_surface_get_data (s);
  const int stride = cairo_image_surface_get_stride (s);
  guint n = 0;

  cairo_surface_flush (s);
  for (int y = MAX (0, y0); y < MIN (y1, cairo_image_surface_get_height (s)); y++)
    for (int x = MAX (0, x0); x < MIN (x1, cairo_image_surface_get_width (s)); x++)
      {
        guint32 v = ((const guint32 *) (px + (gsize) y * stride))[x];
        int r = (v >> 16) & 0xff, g = (v >> 8) & 0xff, b = v & 0xff;
        if (abs (r - (int) (255 * c->r)) < 40 && abs (g - (int) (255 * c->g)) < 40
            && abs (b - (int) (255 * c->b)) < 40)
          n++;
      }
  return n;
}

/* The atoms panel marks the weak atom's row, and only it. */
static void
test_panel_mark (void)
{
  g_autoptr (AsCdlModel) m = model_two_atoms ();
  const double width = 520, height = 400;
  cairo_surface_t *s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) width, (int) height);
  cairo_t *cr = cairo_create (s);
  AsFigureStyle style;
  AsFigureAtoms *atoms;
  AsColor warn;
  double row;
  guint in0, in1;

  m->weak[1] = 1;
  as_figure_style_init_light (&style);
  as_figure_weak_color (FALSE, &warn);
  atoms = as_figure_atoms_new (m, 0, 0.1);
  g_assert_null (atoms->weak[0]);
  g_assert_cmpstr (atoms->weak[1], ==, "weak: 2 occurrences");
  as_figure_draw_atoms (cr, width, height, &style, atoms, -1);
  if (g_getenv ("AS_TEST_ARTIFACTS") != NULL)
    {
      g_autofree char *png = g_build_filename (g_getenv ("AS_TEST_ARTIFACTS"), "weak-atom-panel.png", NULL);
      cairo_surface_write_to_png (s, png);
    }
  row = as_figure_atoms_row_height (atoms, width);
  in0 = count_color (s, 10, 0, 86, (int) row, &warn);
  in1 = count_color (s, 10, (int) row, 86, (int) (2 * row), &warn);
  g_test_message ("mark pixels: row 1 %u, row 2 %u (row height %.0f px)", in0, in1, row);
  g_assert_cmpuint (in0, ==, 0);
  g_assert_cmpuint (in1, >, 20);
  /* Without the flag the row is clean. */
  {
    g_autoptr (AsCdlModel) strong = model_two_atoms ();
    AsFigureAtoms *a2 = as_figure_atoms_new (strong, 0, 0.1);
    as_figure_draw_atoms (cr, width, height, &style, a2, -1);
    g_assert_cmpuint (count_color (s, 10, (int) row, 86, (int) (2 * row), &warn), ==, 0);
    as_figure_atoms_unref (a2);
  }
  as_figure_atoms_unref (atoms);
  cairo_destroy (cr);
  cairo_surface_destroy (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/weak-atoms/learning-flags", test_learning_flags);
  g_test_add_func ("/weak-atoms/model-roundtrip", test_model_roundtrip);
  g_test_add_func ("/weak-atoms/panel-mark", test_panel_mark);
  return g_test_run ();
}
