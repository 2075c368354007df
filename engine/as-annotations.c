/* as-annotations.c: the list of a recording's annotations, edited by a user.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-annotations"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-annotations.h"
#include "as-engine.h"
#include "as-export.h"

static void
event_clear (gpointer data)
{
  AsEvent *ev = data;

  g_clear_pointer (&ev->label, g_free);
}

GArray *
as_annotations_new (void)
{
  GArray *events = g_array_new (FALSE, TRUE, sizeof (AsEvent));

  g_array_set_clear_func (events, event_clear);
  return events;
}

GArray *
as_annotations_copy (const GArray *events)
{
  GArray *copy = as_annotations_new ();

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      AsEvent ev = g_array_index (events, AsEvent, i);
      ev.label = g_strdup (ev.label);
      g_array_append_val (copy, ev);
    }
  return copy;
}

gboolean
as_annotations_equal (const GArray *a, const GArray *b)
{
  guint na = a != NULL ? a->len : 0, nb = b != NULL ? b->len : 0;

  if (na != nb)
    return FALSE;
  for (guint i = 0; i < na; i++)
    {
      const AsEvent *x = &g_array_index (a, AsEvent, i), *y = &g_array_index (b, AsEvent, i);
      if (x->onset != y->onset || x->duration != y->duration || g_strcmp0 (x->label, y->label) != 0)
        return FALSE;
    }
  return TRUE;
}

gboolean
as_annotation_check (double onset, double duration, const char *text, double rec_duration,
                     GError **error)
{
  g_autofree char *stripped = NULL;

  if (!isfinite (onset) || onset < 0 || (rec_duration > 0 && onset > rec_duration))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("An annotation’s onset must lie in the recording (0 to %g s), not at %g s"),
                   MAX (rec_duration, 0.0), onset);
      return FALSE;
    }
  if (!isfinite (duration) || duration < 0
      || (rec_duration > 0 && onset + duration > rec_duration * (1 + 1e-12)))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("An annotation’s duration must be ≥ 0 s and end by the end of the recording (%g s), not %g s from %g s"),
                   MAX (rec_duration, 0.0), duration, onset);
      return FALSE;
    }
  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("An annotation’s text must be UTF-8"));
      return FALSE;
    }
  stripped = g_strstrip (g_strdup (text));
  if (stripped[0] == '\0')
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("An annotation needs a text"));
      return FALSE;
    }
  /* EDF+ separates annotations with bytes 20 and 21 (and ends them with 0);
   * tabs and line ends would break a row of events.tsv. */
  for (const char *p = text; *p; p++)
    if (*p == 0x14 || *p == 0x15 || *p == '\t' || *p == '\n' || *p == '\r')
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("An annotation’s text cannot hold tabs, line breaks or control bytes 20 and 21 (“%s”)"),
                     stripped);
        return FALSE;
      }
  return TRUE;
}

/* Where an annotation at @onset goes: after every one starting at or before it. */
static guint
insertion_point (const GArray *events, double onset)
{
  guint lo = 0, hi = events->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (events, AsEvent, mid).onset <= onset)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gint
as_annotations_add (GArray *events, double onset, double duration, const char *text,
                    double rec_duration, GError **error)
{
  AsEvent ev;
  guint at;

  g_return_val_if_fail (events != NULL, -1);
  if (!as_annotation_check (onset, duration, text, rec_duration, error))
    return -1;
  ev.onset = onset;
  ev.duration = duration;
  ev.label = g_strstrip (g_strdup (text));
  at = insertion_point (events, onset);
  g_array_insert_val (events, at, ev);
  return (gint) at;
}

gint
as_annotations_edit (GArray *events, guint index, double onset, double duration,
                     const char *text, double rec_duration, GError **error)
{
  g_return_val_if_fail (events != NULL, -1);
  if (index >= events->len)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("There is no annotation %u (the recording has %u)"), index + 1, events->len);
      return -1;
    }
  if (!as_annotation_check (onset, duration, text, rec_duration, error))
    return -1;
  g_array_remove_index (events, index);
  return as_annotations_add (events, onset, duration, text, rec_duration, NULL);
}

gboolean
as_annotations_remove (GArray *events, guint index)
{
  g_return_val_if_fail (events != NULL, FALSE);
  if (index >= events->len)
    return FALSE;
  g_array_remove_index (events, index);
  return TRUE;
}

/* Merge sort on indices would do as well; insertion keeps it stable and the
 * lists are short and nearly sorted. */
void
as_annotations_sort (GArray *events)
{
  for (guint i = 1; i < events->len; i++)
    {
      AsEvent ev = g_array_index (events, AsEvent, i);
      guint j = i;

      while (j > 0 && g_array_index (events, AsEvent, j - 1).onset > ev.onset)
        {
          g_array_index (events, AsEvent, j) = g_array_index (events, AsEvent, j - 1);
          j--;
        }
      g_array_index (events, AsEvent, j) = ev;
    }
}

gint
as_annotations_find (const GArray *events, double t, double tolerance)
{
  gint best = -1;
  double best_d = INFINITY;

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const AsEvent *ev = &g_array_index (events, AsEvent, i);
      double d = fabs (t - ev->onset);

      if (d <= tolerance && d < best_d)
        best = i, best_d = d;
    }
  return best;
}

gboolean
as_annotations_write_edf (const char *path, const AsRecording *rec, const GArray *events,
                          gboolean overwrite, GError **error)
{
  g_return_val_if_fail (path != NULL && rec != NULL, FALSE);
  if (rec->data == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("%s: the recording is read page by page from its file and cannot be written whole; save the annotations as BIDS events.tsv"),
                   path);
      return FALSE;
    }
  return as_export_recording_edf_with_events (path, rec, events, overwrite, error);
}

gboolean
as_annotations_write_tsv (const char *path, const GArray *events, gboolean overwrite,
                          GError **error)
{
  guint n = events != NULL ? events->len : 0;
  g_autofree AsOccurrence *occ = g_new0 (AsOccurrence, MAX (n, 1));

  for (guint i = 0; i < n; i++)
    {
      const AsEvent *ev = &g_array_index (events, AsEvent, i);
      occ[i].onset = ev->onset;
      occ[i].duration = ev->duration;
      occ[i].trial_type = ev->label;
      occ[i].value = NAN;
    }
  return as_export_events_tsv (path, occ, n, overwrite, error);
}
