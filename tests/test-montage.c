/* test-montage.c: electrode positions, label normalisation, projection and
 * topography interpolation.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-engine.h"
#include "as-montage.h"
#include "as-reader.h"
#include "as-rng.h"
#include "as-topography.h"

static void
test_standard_sets (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AsMontage) m20 = as_montage_load_standard ("standard_1020", &error);
  g_autoptr (AsMontage) m05 = NULL;
  const AsElectrode *cz, *fpz, *t7;

  g_assert_no_error (error);
  m05 = as_montage_load_standard ("standard_1005", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (m20->n_electrodes, ==, 97);
  g_assert_cmpuint (m05->n_electrodes, ==, 346);
  g_assert_cmpstr (m20->electrodes[0].label, ==, "LPA");
  cz = as_montage_find (m05, "Cz");
  fpz = as_montage_find (m05, "FPZ");
  t7 = as_montage_find (m05, "t7");
  g_assert_nonnull (cz);
  g_assert_nonnull (fpz);
  g_assert_nonnull (t7);
  /* x right, y front, z up, metres */
  g_assert_cmpfloat (cz->pos[2], >, 0.08);
  g_assert_cmpfloat (fpz->pos[1], >, 0.08);
  g_assert_cmpfloat (t7->pos[0], <, -0.07);
  g_assert_cmpfloat (fabs (cz->pos[0]), <, 0.005);
}

static void
test_normalize (void)
{
  static const char *const cases[][2] = {
    { "Fc5.", "Fc5" }, { "Cz..", "Cz" }, { "EEG Fp1-Ref", "Fp1" }, { "EEG FP1-REF", "FP1" },
    { "T3", "T7" }, { "t4", "T8" }, { "T5-LE", "P7" }, { "EEG T6", "P8" }, { " O2 ", "O2" },
    { "Fp1-A1A2", "Fp1" }, { "AFz", "AFz" }, { "EEG:Pz", "Pz" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *n = as_electrode_label_normalize (cases[i][0]);
      g_assert_cmpstr (n, ==, cases[i][1]);
    }
}

/* All 64 channels of the PhysioNet recording land on 10-05 positions, each
 * on the electrode of the same name. */
static void
test_eeg_64 (void)
{
  g_autofree char *p = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);
  g_autoptr (AsMontage) m = as_montage_load_standard ("standard_1005", &error);
  guint matched;

  g_assert_no_error (error);
  matched = as_recording_attach_montage (rec, m);
  g_assert_cmpuint (matched, ==, 64);
  for (guint c = 0; c < 64; c++)
    {
      g_autofree char *n = as_electrode_label_normalize (rec->channels[c].label);
      const AsElectrode *e = as_montage_find (m, n);
      g_assert_true (rec->channels[c].has_position);
      g_assert_nonnull (e);
      g_assert_cmpint (g_ascii_strcasecmp (e->label, n), ==, 0);
      g_assert_cmpmem (rec->channels[c].position, sizeof (double) * 3, e->pos, sizeof (double) * 3);
    }
  /* distinct electrodes: no two channels share a position */
  for (guint a = 0; a < 64; a++)
    for (guint b = a + 1; b < 64; b++)
      g_assert_cmpfloat (fabs (rec->channels[a].position[0] - rec->channels[b].position[0])
                         + fabs (rec->channels[a].position[1] - rec->channels[b].position[1])
                         + fabs (rec->channels[a].position[2] - rec->channels[b].position[2]), >, 1e-3);
  g_assert_cmpuint (rec->warnings->len, ==, 0);
}

static void
test_custom_files (void)
{
  g_autoptr (GError) error = NULL;
  const char *sfp = "Fp1\t-2.7\t8.6\t3.6\nCz 0 0 10.0\nOz 0 -10 0\nT8 9.5 0 0\n";
  const char *csv = "label,x,y,z\nFp1,-0.027,0.086,0.036\nCz,0,0,0.1\n";
  const char *elc = "# ASA\nNumberPositions=\t2\nUnitPosition\tcm\nPositions\nA: 1 2 3\nB: 4 5 6\nLabels\nA\nB\n";
  const char *bad = "label,x,y,z\nFp1,-0.027,0.086,0.036\nCz,0,zero,0.1\n";
  g_autoptr (AsMontage) a = as_montage_parse ("a.sfp", sfp, strlen (sfp), &error);
  g_autoptr (AsMontage) b = NULL, c = NULL, d = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (a->n_electrodes, ==, 4);
  g_assert_cmpfloat_with_epsilon (as_montage_find (a, "Cz")->pos[2], 0.1, 1e-12);  /* cm guessed */
  b = as_montage_parse ("b.csv", csv, strlen (csv), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (b->n_electrodes, ==, 2);
  g_assert_cmpfloat_with_epsilon (as_montage_find (b, "Fp1")->pos[1], 0.086, 1e-12);  /* m */
  c = as_montage_parse ("c.elc", elc, strlen (elc), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (c->n_electrodes, ==, 2);
  g_assert_cmpstr (c->electrodes[1].label, ==, "B");
  g_assert_cmpfloat_with_epsilon (c->electrodes[1].pos[2], 0.06, 1e-12);
  d = as_montage_parse ("bad.csv", bad, strlen (bad), &error);
  g_assert_null (d);
  g_assert_nonnull (strstr (error->message, "bad.csv: line 3"));
}

static void
test_sphere_and_projection (void)
{
  AsRng rng;
  double pts[3 * 200], c[3] = { 0.003, -0.01, 0.02 }, fc[3], fr;

  as_rng_init (&rng, 5);
  for (guint i = 0; i < 200; i++)
    {
      /* upper hemisphere of radius 0.09 about c */
      double th = acos (as_rng_uniform (&rng)), ph = 2 * G_PI * as_rng_uniform (&rng);
      pts[3 * i] = c[0] + 0.09 * sin (th) * cos (ph);
      pts[3 * i + 1] = c[1] + 0.09 * sin (th) * sin (ph);
      pts[3 * i + 2] = c[2] + 0.09 * cos (th);
    }
  g_assert_true (as_fit_sphere (pts, 200, fc, &fr));
  for (int k = 0; k < 3; k++)
    g_assert_cmpfloat_with_epsilon (fc[k], c[k], 1e-10);
  g_assert_cmpfloat_with_epsilon (fr, 0.09, 1e-10);

  /* Azimuthal equidistant: the projected distance from the vertex is the
   * great-circle distance (r·θ) rescaled by 2/π, i.e. distances along
   * meridians are preserved up to that factor, and the azimuth is kept. */
  {
    double xy[2 * 200];
    as_project_azimuthal (pts, 200, c, xy);
    for (guint i = 0; i < 200; i++)
      {
        const double *p = pts + 3 * i;
        double cosang = (p[2] - c[2]) / 0.09;
        double arc = 0.09 * acos (CLAMP (cosang, -1.0, 1.0));
        g_assert_cmpfloat_with_epsilon (hypot (xy[2 * i], xy[2 * i + 1]), arc * 2 / G_PI, 1e-12);
        if (hypot (p[0] - c[0], p[1] - c[1]) > 1e-6)
          g_assert_cmpfloat_with_epsilon (atan2 (xy[2 * i + 1], xy[2 * i]), atan2 (p[1] - c[1], p[0] - c[0]), 1e-9);
      }
  }

  /* The standard set: Cz near the centre, the EEGLAB circle through
   * Fpz/T7/Oz/T8 near radius r of the fitted sphere. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AsMontage) m = as_montage_load_standard ("standard_1005", &error);
    g_autofree double *all = g_new (double, 3 * m->n_electrodes);
    guint n = 0;
    double xy[2], r_eeglab, r_mne;
    for (guint i = 0; i < m->n_electrodes; i++)
      if (!as_electrode_is_fiducial (m->electrodes[i].label) && m->electrodes[i].pos[2] > 0)
        memcpy (all + 3 * n++, m->electrodes[i].pos, sizeof (double) * 3);
    g_assert_true (as_fit_sphere (all, n, fc, &fr));
    as_project_azimuthal (as_montage_find (m, "Cz")->pos, 1, fc, xy);
    g_assert_cmpfloat (hypot (xy[0], xy[1]), <, 0.15 * fr);
    r_eeglab = as_montage_head_radius (m, fc, AS_HEAD_CIRCLE_EEGLAB);
    r_mne = as_montage_head_radius (m, fc, AS_HEAD_CIRCLE_MNE);
    g_assert_cmpfloat (fabs (r_eeglab / fr - 1), <, 0.25);
    g_assert_cmpfloat (r_mne, >, r_eeglab);  /* the ears and nasion sit below the T7–T8 circle */
  }
}

static void
test_topography (void)
{
  AsRng rng;
  const guint n = 40;
  double xy[2 * 40], v[40], at[40];
  g_autoptr (GError) error = NULL;
  g_autoptr (AsTopographyGrid) grid = NULL;
  guint inside = 0;

  as_rng_init (&rng, 11);
  for (guint i = 0; i < n; i++)
    {
      double r = 0.9 * sqrt (as_rng_uniform (&rng)), a = 2 * G_PI * as_rng_uniform (&rng);
      xy[2 * i] = r * cos (a);
      xy[2 * i + 1] = r * sin (a);
      v[i] = cos (2 * xy[2 * i]) + xy[2 * i + 1];  /* a smooth field */
    }
  /* interpolates: exact at the sensors */
  g_assert_true (as_topography_interpolate (xy, v, n, 1.0, xy, n, at, &error));
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (at[i], v[i], 1e-8);
  /* and close to the smooth field between them */
  {
    double q[2] = { 0.1, -0.2 }, out;
    g_assert_true (as_topography_interpolate (xy, v, n, 1.0, q, 1, &out, &error));
    g_assert_cmpfloat_with_epsilon (out, cos (0.2) - 0.2, 0.05);
  }
  grid = as_topography_grid (xy, v, n, 1.0, 64, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 64 * 64; k++)
    {
      inside += grid->mask[k];
      g_assert_true (grid->mask[k] ? isfinite (grid->values[k]) : isnan (grid->values[k]));
    }
  g_assert_cmpfloat (fabs (inside / (64.0 * 64.0) - G_PI / 4), <, 0.02);
  g_assert_cmpuint (grid->mask[0], ==, 0);                    /* corner */
  g_assert_cmpuint (grid->mask[32 * 64 + 32], ==, 1);         /* centre */
  /* row 0 is the top (y = +radius): the cell above the centre sees larger y */
  {
    double top = grid->values[(32 - 20) * 64 + 32], bottom = grid->values[(32 + 20) * 64 + 32];
    g_assert_cmpfloat (top, >, bottom);
  }
  g_assert_cmpfloat (grid->vmin, <=, grid->vmax);
  /* two sensors in one place with different values: an error, not garbage */
  {
    double dup[4] = { 0.1, 0.1, 0.1, 0.1 }, dv[2] = { 1, 2 };
    g_autoptr (AsTopographyGrid) g2 = as_topography_grid (dup, dv, 2, 1.0, 8, &error);
    g_assert_null (g2);
    g_assert_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC);
  }
}

/* The real recording: a left-to-right field (value = x) gives a map that
 * grows from left to right; every sensor is inside the circle; Cz is near
 * the centre. */
static void
test_topography_recording (void)
{
  g_autofree char *p = g_test_build_filename (G_TEST_DIST, "data", "eegmmi_S001R04_motor_imagery.edf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AsRecording) rec = as_recording_load (p, &error);
  g_autoptr (AsMontage) m = as_montage_load_standard ("standard_1005", &error);
  g_autoptr (AsTopographyGrid) grid = NULL;
  double values[64];
  guint size = 48, mid = 24;

  g_assert_no_error (error);
  as_recording_attach_montage (rec, m);
  for (guint c = 0; c < 64; c++)
    values[c] = rec->channels[c].position[0];
  grid = as_topography_for_recording (rec, values, AS_HEAD_CIRCLE_EEGLAB, size, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (grid->n_sensors, ==, 64);
  for (guint i = 0; i < 64; i++)
    {
      g_assert_cmpfloat (hypot (grid->sensor_xy[2 * i], grid->sensor_xy[2 * i + 1]), <, grid->radius);
      /* left electrodes (x < 0) project to the left */
      if (fabs (values[grid->sensor_channel[i]]) > 0.01)
        g_assert_cmpint (values[grid->sensor_channel[i]] > 0, ==, grid->sensor_xy[2 * i] > 0);
    }
  g_assert_cmpfloat (grid->values[mid * size + 8], <, grid->values[mid * size + mid]);
  g_assert_cmpfloat (grid->values[mid * size + mid], <, grid->values[mid * size + size - 9]);
  {
    guint cz = 10;
    g_assert_cmpstr (rec->channels[cz].label, ==, "Cz..");
    for (guint i = 0; i < 64; i++)
      if (grid->sensor_channel[i] == cz)
        g_assert_cmpfloat (hypot (grid->sensor_xy[2 * i], grid->sensor_xy[2 * i + 1]), <, 0.15 * grid->radius);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/montage/standard", test_standard_sets);
  g_test_add_func ("/montage/normalize", test_normalize);
  g_test_add_func ("/montage/eeg-64", test_eeg_64);
  g_test_add_func ("/montage/custom-files", test_custom_files);
  g_test_add_func ("/montage/projection", test_sphere_and_projection);
  g_test_add_func ("/montage/topography", test_topography);
  g_test_add_func ("/montage/topography-recording", test_topography_recording);
  return g_test_run ();
}
