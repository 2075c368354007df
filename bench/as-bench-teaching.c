/* as-bench-teaching.c: time to the papers' patterns on the teaching presets.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-bench-teaching"

#include "config.h"

#include <math.h>
#include <string.h>
#include <time.h>
#include <glib/gi18n-lib.h>

#include "as-bench-out.h"
#include "as-bench-teaching.h"
#include "as-engine.h"
#include "as-teaching.h"

#define POLL_US 5000

void
as_bench_teaching_params_init (AsBenchTeachingParams *p)
{
  memset (p, 0, sizeof *p);
  p->goal_seconds = 30.0;
}

static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return g_ascii_strtod (text, NULL);
  return NAN;
}

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct
{
  gboolean met;              /* the pattern showed */
  double   met_s;            /* wall time from the start to that snapshot */
  guint    met_epoch;
  double   rate;             /* epochs per second of training (at the pattern, else at the end) */
  double   setup_s;          /* wall time before the first epoch */
  double   total_s;          /* the whole budget: measured, or estimated (estimated TRUE) */
  gboolean estimated;
  gboolean met_at_end;       /* the last snapshot of a full run still shows it */
  double   cpu_s;            /* processor time of the process over the run */
  char    *why;              /* the margins at the pattern, or why it never showed */
} Result;

static gboolean
run_preset (AsTeachingPreset preset, const AsBenchTeachingParams *p, Result *r, GError **error)
{
  AsTeachingConfig cfg;
  g_autoptr (AsJob) job = NULL;
  g_autoptr (GString) why = g_string_new (NULL);
  guint64 seen = 0;
  gint64 t0;
  double c0 = cpu_seconds ();
  AsTeachingSnapshot *last = NULL;

  memset (r, 0, sizeof *r);
  as_teaching_preset_config (preset, &cfg);
  job = as_teaching_job_new (&cfg);
  t0 = g_get_monotonic_time ();
  as_job_start (job);
  for (;;)
    {
      gboolean done = as_job_is_done (job);   /* before the look: the last snapshot is seen */
      guint64 generation = as_job_get_generation (job);

      if (generation != seen)
        {
          AsTeachingSnapshot *s = as_job_dup_snapshot (job, &seen);
          double now = (g_get_monotonic_time () - t0) * 1e-6;

          if (s != NULL)
            {
              if (s->learning_epoch > 0 && r->setup_s == 0)
                r->setup_s = now - s->learning_seconds;
              if (s->learning_epoch > 0 && r->met)
                {
                  g_autoptr (GString) now_why = g_string_new (NULL);
                  gboolean holds = as_teaching_pattern_met (s, preset, now_why);

                  g_debug ("%s, epoch %u at %.1f s: %s: %s", as_teaching_preset_to_string (preset),
                           s->learning_epoch, now, holds ? "holds" : "lost", now_why->str);
                }
              if (!r->met && s->learning_epoch > 0)
                {
                  g_string_truncate (why, 0);
                  if (as_teaching_pattern_met (s, preset, why))
                    {
                      r->met = TRUE;
                      r->met_s = now;
                      r->met_epoch = s->learning_epoch;
                      r->rate = s->learning_epoch / s->learning_seconds;
                      r->why = g_strdup (why->str);
                    }
                  else
                    g_debug ("%s, epoch %u at %.1f s: %s", as_teaching_preset_to_string (preset),
                             s->learning_epoch, now, why->str);
                }
              if (last != NULL)
                as_job_release_snapshot (job, last);
              last = s;
            }
          if (r->met && p->quick)
            {
              as_job_stop (job);
              break;
            }
        }
      if (done && generation == seen)
        break;
      g_usleep (POLL_US);
    }
  as_job_wait (job, NULL);
  r->cpu_s = cpu_seconds () - c0;
  if (as_job_get_state (job) == AS_JOB_FAILED)
    {
      if (last != NULL)
        as_job_release_snapshot (job, last);
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID, "%s: %s",
                   as_teaching_preset_to_string (preset), as_job_get_error (job)->message);
      return FALSE;
    }
  if (last != NULL && last->learning_epoch > 0)
    {
      double rate = last->learning_epoch / last->learning_seconds;

      if (!r->met)
        {
          r->rate = rate;
          r->why = g_strdup (why->str);
        }
      if (last->learning_done && last->learning_epoch == cfg.n_epochs)
        {
          r->total_s = (g_get_monotonic_time () - t0) * 1e-6;
          g_string_truncate (why, 0);
          r->met_at_end = as_teaching_pattern_met (last, preset, why);
          if (r->met && !r->met_at_end)
            {
              g_free (r->why);
              r->why = g_strdup (why->str);
            }
        }
      else
        {
          r->total_s = r->setup_s + cfg.n_epochs / rate;
          r->estimated = TRUE;
        }
    }
  if (last != NULL)
    as_job_release_snapshot (job, last);
  return TRUE;
}

gboolean
as_bench_teaching_run (const AsBenchTeachingParams *p, FILE *out, gboolean *met, GError **error)
{
  gboolean all = TRUE;

  as_bench_print (out, _("Machine: %u processors, load average %.2f at the start (times on the clock grow with it)\n"),
                  g_get_num_processors (), load_average ());
  as_bench_print (out, _("Each preset from a cold start with its own budget; goal: its paper's pattern within %.0f s%s\n"),
                  p->goal_seconds, p->quick ? _(" (quick: stopped at the pattern, the whole budget estimated)") : "");
  fflush (out);
  /* Column names are identifiers, not prose: they stay untranslated. */
  as_bench_print (out, "%-14s %10s %8s %9s %9s %12s %8s %s\n", "preset", "pattern_s", "epochs",
                  "epochs/s", "setup_s", "budget_s", "cpu_s", "pattern");
  for (guint k = 0; k < AS_TEACHING_N_PRESETS; k++)
    {
      AsTeachingConfig cfg;
      Result r;
      g_autofree char *pattern_s = NULL, *budget_s = NULL;
      const char *state;

      if (p->preset_mask != 0 && !(p->preset_mask & (1u << k)))
        continue;
      as_teaching_preset_config ((AsTeachingPreset) k, &cfg);
      if (!run_preset ((AsTeachingPreset) k, p, &r, error))
        return FALSE;
      pattern_s = r.met ? g_strdup_printf ("%.1f", r.met_s) : g_strdup (_("never"));
      budget_s = g_strdup_printf ("%s%.1f (%u)", r.estimated ? "≈" : "", r.total_s, cfg.n_epochs);
      if (!r.met)
        state = _("not shown");
      else if (r.met_s > p->goal_seconds)
        state = _("too late");
      else if (!r.estimated && !r.met_at_end)
        state = _("lost by the end");
      else
        state = _("ok");
      as_bench_print (out, "%-14s %10s %8u %9.2f %9.1f %12s %8.1f %s: %s\n",
                      as_teaching_preset_to_string ((AsTeachingPreset) k), pattern_s, r.met_epoch,
                      r.rate, r.setup_s, budget_s, r.cpu_s, state, r.why ? r.why : "");
      fflush (out);   /* a line per preset as it finishes: the whole run takes minutes */
      if (!r.met || r.met_s > p->goal_seconds)
        all = FALSE;
      g_free (r.why);
    }
  as_bench_print (out, _("Load average %.2f at the end\n"), load_average ());
  if (met != NULL)
    *met = all;
  return TRUE;
}
