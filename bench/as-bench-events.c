/* as-bench-events.c: timing of the DriPP fits of a whole model.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <glib/gi18n-lib.h>

#include "as-bench-events.h"
#include "as-dripp-analysis.h"
#include "as-rng.h"

void
as_bench_events_params_init (AsBenchEventsParams *p)
{
  p->n_atoms = 20;
  p->n_event_types = 3;
  p->n_occurrences = 100000;
  p->n_events = 1000;
  p->duration = 3600;
  p->goal = 1.0;
  p->repeats = 3;
  p->seed = 0;
}

gboolean
as_bench_events_run (const AsBenchEventsParams *p, FILE *out, gboolean *met, GError **error)
{
  g_autoptr (GPtrArray) occ = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) amp = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) types = g_ptr_array_new_with_free_func ((GDestroyNotify) as_dripp_event_type_free);
  AsDrippParams params;
  AsRng rng;
  double best = G_MAXDOUBLE;
  gsize total_occ = 0, total_ev = 0;

  as_rng_init (&rng, p->seed);
  as_dripp_params_init (&params);   /* support [0, 1] s */
  for (guint e = 0; e < p->n_event_types; e++)
    {
      AsDrippEventType *t = g_new0 (AsDrippEventType, 1);
      double rate = (double) p->n_events / p->n_event_types / p->duration;
      t->label = g_strdup_printf ("E%u", e + 1);
      /* gaps of at least the support, mean duration / events */
      t->onsets = as_dripp_simulate_events (1.0 / MAX (1.0 / rate - params.b, 1e-3), params.b,
                                            p->duration, &rng);
      total_ev += t->onsets->len;
      g_ptr_array_add (types, t);
    }
  /* atom k is driven by event type k mod (E + 1) (none for the last), with α = 0.8 extra
   * occurrences per event at latency 0.3 s, jitter 0.1 s; its baseline makes up the rest */
  for (guint k = 0; k < p->n_atoms; k++)
    {
      guint e = k % (p->n_event_types + 1);
      const double per_atom = (double) p->n_occurrences / p->n_atoms;
      const double alpha = e < p->n_event_types ? 0.8 : 0.0;
      const AsDrippEventType *t = e < p->n_event_types ? types->pdata[e] : types->pdata[0];
      double mu = MAX ((per_atom - alpha * t->onsets->len) / p->duration, 1e-3);
      GArray *x = as_dripp_simulate ((double *) t->onsets->data, t->onsets->len, p->duration, mu,
                                     alpha, 0.3, 0.1, params.a, params.b, &rng);
      GArray *z = g_array_sized_new (FALSE, FALSE, sizeof (double), x->len);
      for (guint i = 0; i < x->len; i++)
        {
          double v = 0.5 + 0.5 * as_rng_uniform (&rng);
          g_array_append_val (z, v);
        }
      total_occ += x->len;
      g_ptr_array_add (occ, x);
      g_ptr_array_add (amp, z);
    }

  fprintf (out, _("DriPP fits: %u atoms × %u event types, %zu occurrences, %zu events, %g s of recording, support [%g, %g] s\n"),
           p->n_atoms, p->n_event_types, total_occ, total_ev, p->duration, params.a, params.b);
  for (guint r = 0; r < MAX (p->repeats, 1); r++)
    {
      gint64 t0 = g_get_monotonic_time ();
      g_autoptr (AsDrippAnalysis) a = as_dripp_analyse_times (occ, amp, types, p->duration, 0,
                                                              &params, NULL, error);
      double dt = (g_get_monotonic_time () - t0) / 1e6;
      if (a == NULL)
        return FALSE;
      best = MIN (best, dt);
      if (r == 0)
        {
          guint driven = 0;
          for (guint i = 0; i < a->rows->len; i++)
            if (g_array_index (a->rows, AsDrippRow, i).fit.p_value < 0.05)
              driven++;
          fprintf (out, _("  %u of %u (atom, event type) pairs with p < 0.05 (%u simulated as driven)\n"),
                   driven, a->rows->len,
                   (p->n_atoms / (p->n_event_types + 1)) * p->n_event_types
                       + MIN (p->n_atoms % (p->n_event_types + 1), p->n_event_types));
        }
    }
  *met = best < p->goal;
  fprintf (out, _("  fit time %.3f s (best of %u); goal < %g s: %s\n"), best, MAX (p->repeats, 1),
           p->goal, *met ? _("met") : _("missed"));
  return TRUE;
}
