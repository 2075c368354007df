/* test-cdl-progress.c: the estimate of learning's time left, on traces of known behaviour and
 * on a real run (the estimate made halfway against the time the run then took).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "as-cdl.h"
#include "as-cdl-progress.h"
#include "as-cdl-sim.h"
#include "as-engine.h"

/* Iterations of 0.5 s whose relative decrease is 0.1/i²: the tolerance 1e-4 is reached when
 * 0.1/i² ≤ 1e-4, at i = 32; the limit is far. */
static void
test_geometric (void)
{
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  double obj = 1000.0;
  AsCdlProgress pr;
  guint it;

  for (it = 0; it <= 6; it++)
    {
      AsCdlTracePoint z = { it, 0, 0.5 * it - 0.2, obj }, d;
      if (it > 0)
        {
          double r = 0.1 / ((double) it * it);
          obj = obj / (1 + r);   /* (previous − new)/new = r */
        }
      d = (AsCdlTracePoint) { it, 1, 0.5 * it, obj };
      if (it > 0)
        g_array_append_val (trace, z);
      g_array_append_val (trace, d);
    }
  /* After iteration 6: 26 more. */
  g_assert_true (as_cdl_progress_estimate ((AsCdlTracePoint *) trace->data, trace->len, 6, 200,
                                           1e-4, &pr));
  g_test_message ("geometric: %u iterations left, %.2f s per iteration, %.2f s left",
                  pr.iterations_left, pr.seconds_per_iteration, pr.seconds_left);
  g_assert_true (pr.by_tolerance);
  g_assert_cmpuint (pr.iterations_left, ==, 26);
  g_assert_cmpfloat (fabs (pr.seconds_per_iteration - 0.5), <, 1e-12);
  g_assert_cmpfloat (fabs (pr.seconds_left - 13.0), <, 1e-9);
  g_assert_cmpfloat (fabs (pr.fraction - 6.0 / 32.0), <, 1e-12);
  /* A nearer limit wins. */
  g_assert_true (as_cdl_progress_estimate ((AsCdlTracePoint *) trace->data, trace->len, 6, 8,
                                           1e-4, &pr));
  g_assert_false (pr.by_tolerance);
  g_assert_cmpuint (pr.iterations_left, ==, 2);
  g_assert_cmpfloat (fabs (pr.seconds_left - 1.0), <, 1e-9);
  {
    g_autofree char *text = as_cdl_progress_describe (&pr);
    g_assert_nonnull (text);
    g_assert_nonnull (strstr (text, "1"));
  }
  g_array_unref (trace);
}

/* Decreases that do not shrink: the limit decides; an empty trace gives no estimate; one
 * iteration gives no rate yet. */
static void
test_no_trend (void)
{
  GArray *trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  AsCdlProgress pr;

  g_assert_false (as_cdl_progress_estimate (NULL, 0, 0, 30, 1e-4, &pr));
  g_assert_cmpfloat (pr.fraction, ==, 0.0);
  g_assert_true (isnan (pr.seconds_left));
  for (guint it = 0; it <= 10; it++)
    {
      AsCdlTracePoint d = { it, 1, 2.0 * it, 1000.0 - 10.0 * it };
      g_array_append_val (trace, d);
      if (it == 0)
        {
          g_assert_true (as_cdl_progress_estimate ((AsCdlTracePoint *) trace->data, 1, 0, 30,
                                                   1e-4, &pr));
          g_assert_true (isnan (pr.seconds_left));
          g_assert_null (as_cdl_progress_describe (&pr));
        }
    }
  g_assert_true (as_cdl_progress_estimate ((AsCdlTracePoint *) trace->data, trace->len, 10, 30,
                                           1e-4, &pr));
  g_assert_false (pr.by_tolerance);
  g_assert_cmpuint (pr.iterations_left, ==, 20);
  g_assert_cmpfloat (fabs (pr.seconds_left - 40.0), <, 1e-9);
  g_assert_cmpfloat (fabs (pr.fraction - 1.0 / 3.0), <, 1e-12);
  g_array_unref (trace);
}

/* A real run: the estimate made after iteration 6 of the trace, against what the run did. */
static void
test_real_run (void)
{
  AsCdlSimParams sp;
  g_autoptr (AsCdlSimulation) sim = NULL;
  g_autoptr (AsCdlModel) m = NULL;
  AsCdlParams p;
  AsCdlProgress pr;
  guint n6 = 0;

  as_cdl_sim_params_init (&sp);
  sp.n_channels = 3;
  sp.n_times = 3000;
  sp.n_atoms = 2;
  sp.atom_length = 30;
  sp.seed = 4;
  sim = as_cdl_simulate_signals (&sp);
  as_cdl_params_init (&p);
  p.n_atoms = 2;
  p.atom_length = 30;
  p.init = AS_CDL_INIT_RANDOM;
  p.max_iter = 200;
  p.tol = 1e-6;
  m = as_cdl_learn (sim->x, sim->n_trials, 3, 1, 3000, &p, NULL, NULL, NULL);
  g_assert_nonnull (m);
  for (guint i = 0; i < m->trace->len; i++)
    if (g_array_index (m->trace, AsCdlTracePoint, i).iteration <= 6)
      n6 = i + 1;
  for (guint at = 6; at < m->iteration; at += 10)
    {
      AsCdlProgress q;
      guint na = 0;
      for (guint i = 0; i < m->trace->len; i++)
        if (g_array_index (m->trace, AsCdlTracePoint, i).iteration <= at)
          na = i + 1;
      as_cdl_progress_estimate ((AsCdlTracePoint *) m->trace->data, na, at, p.max_iter, p.tol, &q);
      g_test_message ("after %u iterations: %u more expected (%s)", at, q.iterations_left,
                      q.by_tolerance ? "tolerance" : "limit");
    }
  g_assert_true (as_cdl_progress_estimate ((AsCdlTracePoint *) m->trace->data, n6, 6, p.max_iter,
                                           p.tol, &pr));
  g_test_message ("the run took %u iterations in all (%s)", m->iteration,
                  as_cdl_end_state_to_string (m->end_state));
  g_assert_true (isfinite (pr.seconds_left) && pr.seconds_left >= 0);
  g_assert_cmpfloat (pr.fraction, >, 0.0);
  g_assert_cmpfloat (pr.fraction, <=, 1.0);
  if (m->end_state == AS_CDL_END_CONVERGED)
    g_assert_true (pr.by_tolerance);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  as_engine_init (AS_ENGINE_ROLE_HEADLESS);
  g_test_add_func ("/cdl-progress/geometric", test_geometric);
  g_test_add_func ("/cdl-progress/no-trend", test_no_trend);
  g_test_add_func ("/cdl-progress/real-run", test_real_run);
  return g_test_run ();
}
