/* as-dripp-analysis.c: DriPP fits for every (atom, event type), and their files.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-dripp"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "as-dripp-analysis.h"
#include "as-engine.h"
#include "as-output.h"
#include "as-paged.h"

void
as_dripp_event_type_free (AsDrippEventType *type)
{
  if (type == NULL)
    return;
  g_free (type->label);
  g_array_unref (type->onsets);
  g_free (type);
}

static AsDrippEventType *
event_type_lookup (GPtrArray *types, const char *label, gboolean create)
{
  AsDrippEventType *t;

  for (guint i = 0; i < types->len; i++)
    if (g_strcmp0 (((AsDrippEventType *) types->pdata[i])->label, label) == 0)
      return types->pdata[i];
  if (!create)
    return NULL;
  t = g_new0 (AsDrippEventType, 1);
  t->label = g_strdup (label);
  t->onsets = g_array_new (FALSE, FALSE, sizeof (double));
  g_ptr_array_add (types, t);
  return t;
}

static int
cmp_double (gconstpointer pa, gconstpointer pb)
{
  double x = *(const double *) pa, y = *(const double *) pb;
  return (x > y) - (x < y);
}

static int
cmp_type_label (gconstpointer a, gconstpointer b)
{
  const AsDrippEventType *x = *(AsDrippEventType *const *) a, *y = *(AsDrippEventType *const *) b;
  return g_utf8_collate (x->label, y->label);
}

GPtrArray *
as_dripp_events_from_recording (const AsRecording *rec, const char *stim_channel,
                                const char *const *types, GError **error)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) as_dripp_event_type_free);
  GPtrArray *out;

  if (stim_channel != NULL)
    {
      /* a recording read page by page is read a block of samples at a time */
      const gsize block = rec->data != NULL ? rec->n_samples : 1 << 16;
      g_autofree float *page = NULL;
      const double *x = NULL;
      double prev = 0;
      int channel = -1;

      for (guint c = 0; c < rec->n_channels; c++)
        if (g_strcmp0 (rec->channels[c].label, stim_channel) == 0)
          channel = (int) c;
      if (channel < 0 || (rec->data == NULL && rec->paged == NULL))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: no channel named “%s” for the stimulus events"), rec->path,
                       stim_channel);
          return NULL;
        }
      if (rec->data != NULL)
        x = rec->data + (gsize) channel * rec->n_samples;
      else
        page = g_new (float, (gsize) rec->n_channels * block);
      /* an event where the channel steps to a new non-zero value */
      for (gsize start = 0; start < rec->n_samples && all->len <= AS_DRIPP_MAX_STIM_CODES;
           start += block)
        {
          const gsize count = MIN (block, rec->n_samples - start);
          const float *xf = NULL;

          if (x == NULL)
            {
              if (!as_paged_read (rec->paged, start, count, page, error))
                return NULL;
              xf = page + (gsize) channel * count;
            }
          for (gsize i = 0; i < count; i++)
            {
              double v = x != NULL ? x[start + i] : (double) xf[i];
              /* codes are whole numbers; a file that scales them into 16 bits gives them
               * back a few 10⁻⁶ off (0 as 9·10⁻⁶): within 10⁻³ of a whole number, that one */
              if (fabs (v - round (v)) < 1e-3)
                v = round (v);
              if (v != prev && v != 0.0 && isfinite (v))
                {
                  char label[G_ASCII_DTOSTR_BUF_SIZE];
                  double onset = (double) (start + i) / rec->sfreq;
                  g_ascii_formatd (label, sizeof label, "%g", v);
                  g_array_append_val (event_type_lookup (all, label, TRUE)->onsets, onset);
                  if (all->len > AS_DRIPP_MAX_STIM_CODES)
                    break;
                }
              prev = v;
            }
        }
      if (all->len > AS_DRIPP_MAX_STIM_CODES)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: channel “%s” takes more than %u different values: not a stimulus channel"),
                       rec->path, stim_channel, AS_DRIPP_MAX_STIM_CODES);
          return NULL;
        }
    }
  else if (rec->events != NULL)
    for (guint i = 0; i < rec->events->len; i++)
      {
        const AsEvent *e = &g_array_index (rec->events, AsEvent, i);
        if (e->label != NULL && *e->label != '\0')
          g_array_append_val (event_type_lookup (all, e->label, TRUE)->onsets, e->onset);
      }
  g_ptr_array_sort (all, cmp_type_label);

  if (types == NULL)
    out = g_steal_pointer (&all);
  else
    {
      out = g_ptr_array_new_with_free_func ((GDestroyNotify) as_dripp_event_type_free);
      for (guint i = 0; types[i] != NULL; i++)
        {
          AsDrippEventType *t = event_type_lookup (all, types[i], FALSE);
          guint idx;
          if (t == NULL)
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                           _("%s: no event of type “%s” (found %u types)"), rec->path, types[i],
                           all->len);
              g_ptr_array_unref (out);
              return NULL;
            }
          g_ptr_array_find (all, t, &idx);
          g_ptr_array_add (out, g_ptr_array_steal_index (all, idx));
        }
    }
  if (out->len == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   stim_channel != NULL ? _("%s: the stimulus channel never leaves 0: no events")
                                        : _("%s: the recording has no annotated events"),
                   rec->path);
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < out->len; i++)
    {
      AsDrippEventType *t = out->pdata[i];
      g_array_sort (t->onsets, cmp_double);
    }
  return out;
}

AsDrippAnalysis *
as_dripp_analysis_ref (AsDrippAnalysis *analysis)
{
  g_atomic_ref_count_inc (&analysis->ref_count);
  return analysis;
}

void
as_dripp_analysis_unref (AsDrippAnalysis *a)
{
  if (a == NULL || !g_atomic_ref_count_dec (&a->ref_count))
    return;
  g_ptr_array_unref (a->occurrences);
  g_ptr_array_unref (a->amplitudes);
  g_ptr_array_unref (a->event_types);
  g_array_unref (a->rows);
  g_free (a);
}

AsDrippAnalysis *
as_dripp_analyse_times (GPtrArray *occurrences, GPtrArray *amplitudes, GPtrArray *event_types,
                        double duration, double sfreq, const AsDrippParams *params,
                        const gint *cancel, GError **error)
{
  g_autoptr (AsDrippAnalysis) a = g_new0 (AsDrippAnalysis, 1);

  g_atomic_ref_count_init (&a->ref_count);
  a->params = *params;
  a->duration = duration;
  a->sfreq = sfreq;
  a->n_atoms = occurrences->len;
  a->occurrences = g_ptr_array_ref (occurrences);
  a->amplitudes = g_ptr_array_ref (amplitudes);
  a->event_types = g_ptr_array_ref (event_types);
  a->rows = g_array_new (FALSE, FALSE, sizeof (AsDrippRow));
  for (guint k = 0; k < a->n_atoms; k++)
    for (guint e = 0; e < event_types->len; e++)
      {
        const GArray *occ = occurrences->pdata[k];
        const AsDrippEventType *t = event_types->pdata[e];
        AsDrippRow row = { k, e, { 0 } };
        g_autoptr (GError) local = NULL;

        if (cancel != NULL && g_atomic_int_get (cancel))
          {
            g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_CANCELLED,
                         _("The event analysis was stopped"));
            return NULL;
          }
        if (!as_dripp_fit ((const double *) occ->data, occ->len,
                           (const double *) t->onsets->data, t->onsets->len, duration, params,
                           &row.fit, NULL, &local))
          {
            g_set_error (error, local->domain, local->code, _("Atom %u, events “%s”: %s"),
                         k + 1, t->label, local->message);
            return NULL;
          }
        g_array_append_val (a->rows, row);
      }
  /* The pairs are tested together: their p-values adjusted as one family. */
  {
    g_autofree double *p = g_new (double, MAX (a->rows->len, 1));
    g_autofree double *q = g_new (double, MAX (a->rows->len, 1));

    for (guint r = 0; r < a->rows->len; r++)
      p[r] = g_array_index (a->rows, AsDrippRow, r).fit.p_value;
    as_dripp_fdr_adjust (p, a->rows->len, q);
    for (guint r = 0; r < a->rows->len; r++)
      g_array_index (a->rows, AsDrippRow, r).q_value = q[r];
  }
  return g_steal_pointer (&a);
}

gboolean
as_dripp_stim_to_events (AsRecording *rec, const char *stim_channel, GError **error)
{
  g_autoptr (GPtrArray) types = as_dripp_events_from_recording (rec, stim_channel, NULL, error);

  if (types == NULL)
    return FALSE;
  if (rec->events->len > 0)
    g_array_remove_range (rec->events, 0, rec->events->len);
  for (guint t = 0; t < types->len; t++)
    {
      const AsDrippEventType *type = types->pdata[t];
      for (guint j = 0; j < type->onsets->len; j++)
        as_recording_add_event (rec, g_array_index (type->onsets, double, j), 0.0, type->label);
    }
  as_recording_sort_events (rec);
  return TRUE;
}

AsDrippAnalysis *
as_dripp_analyse (const AsCdlModel *model, const AsRecording *rec, const AsDrippParams *params,
                  const AsDrippSource *source, const gint *cancel, GError **error)
{
  g_autoptr (GPtrArray) occ = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) amp = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr (GPtrArray) types = NULL;
  const AsCscShape *s = &model->shape;
  const gsize spacing = as_cdl_model_merge_spacing (model);
  AsDrippAnalysis *a;

  if (model->n_trials != 1 || s->height != 1 || s->atom_height != 1)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("Event analysis needs atoms learned on one continuous signal (this model has %u trials of %u × %u)"),
                   model->n_trials, s->height, s->width);
      return NULL;
    }
  if (!(rec->sfreq > 0) || fabs (model->sfreq - rec->sfreq) > 1e-6 * rec->sfreq
      || (gsize) s->width != rec->n_samples)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("%s: %zu samples at %g Hz, but the atoms were learned on %u samples at %g Hz (another recording, or a preprocessed one)"),
                   rec->path, rec->n_samples, rec->sfreq, s->width, model->sfreq);
      return NULL;
    }
  types = as_dripp_events_from_recording (source->events_from != NULL ? source->events_from : rec,
                                          source->stim_channel, source->event_types, error);
  if (types == NULL)
    return NULL;
  if (source->events_from != NULL)
    {
      const double duration = (double) rec->n_samples / rec->sfreq;
      for (guint t = types->len; t-- > 0;)
        {
          AsDrippEventType *type = types->pdata[t];
          guint kept = 0;
          for (guint j = 0; j < type->onsets->len; j++)
            {
              double on = g_array_index (type->onsets, double, j) - source->events_offset;
              if (on >= 0 && on < duration)
                g_array_index (type->onsets, double, kept++) = on;
            }
          g_array_set_size (type->onsets, kept);
          if (kept == 0)
            g_ptr_array_remove_index (types, t);
        }
      if (types->len == 0)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("%s: no event inside the part of the recording the atoms were learned on"),
                       source->events_from->path);
          return NULL;
        }
    }
  for (guint k = 0; k < s->n_atoms; k++)
    {
      const double thr = source->threshold * as_cdl_model_max_activation (model, k);
      g_autoptr (GArray) merged = as_cdl_model_occurrences_merged (model, k, thr, spacing);
      GArray *t = g_array_sized_new (FALSE, FALSE, sizeof (double), merged->len);
      GArray *z = g_array_sized_new (FALSE, FALSE, sizeof (double), merged->len);

      for (guint i = 0; i < merged->len; i++)
        {
          const AsCdlOccurrence *o = &g_array_index (merged, AsCdlOccurrence, i);
          double time = (double) o->position / rec->sfreq;
          g_array_append_val (t, time);
          g_array_append_val (z, o->amplitude);
        }
      g_ptr_array_add (occ, t);
      g_ptr_array_add (amp, z);
    }
  a = as_dripp_analyse_times (occ, amp, types, (double) rec->n_samples / rec->sfreq, rec->sfreq,
                              params, cancel, error);
  if (a != NULL)
    a->threshold = source->threshold;
  return a;
}

void
as_dripp_peri_event (const AsDrippAnalysis *a, guint atom, guint event_type, double pre,
                     double post, GArray *rel, GArray *trial, GArray *index)
{
  const GArray *occ = a->occurrences->pdata[atom];
  const AsDrippEventType *t = a->event_types->pdata[event_type];
  const double *x = (const double *) occ->data;
  guint lo = 0;

  for (guint j = 0; j < t->onsets->len; j++)
    {
      double tau = g_array_index (t->onsets, double, j);
      while (lo < occ->len && x[lo] < tau - pre)
        lo++;
      for (guint i = lo; i < occ->len && x[i] <= tau + post; i++)
        {
          double d = x[i] - tau;
          g_array_append_val (rel, d);
          g_array_append_val (trial, j);
          if (index != NULL)
            g_array_append_val (index, i);
        }
    }
}

double
as_dripp_row_intensity (const AsDrippAnalysis *a, const AsDrippRow *row, double t)
{
  return row->fit.mu + row->fit.alpha * as_dripp_kernel (t, row->fit.m, row->fit.sigma,
                                                         a->params.a, a->params.b);
}

/* ---- files ------------------------------------------------------------------------------- */

static const char *
fmt (char *buf, double v)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.10g", v);
}

/* Labels are written between double quotes with quotes doubled (RFC 4180). */
static void
csv_label (FILE *f, const char *s)
{
  fputc ('"', f);
  for (; *s; s++)
    {
      if (*s == '"')
        fputc ('"', f);
      fputc (*s, f);
    }
  fputc ('"', f);
}

gboolean
as_dripp_write_csv (const AsDrippAnalysis *a, const char *path, gboolean overwrite,
                    GError **error)
{
  AsOutput *out = as_output_open (path, overwrite, error);
  FILE *f;

  if (out == NULL)
    return FALSE;
  f = as_output_get_stream (out);
  fputs ("atom,event_type,n_occurrences,n_events,mu,alpha,m,sigma,loglik,loglik_baseline,"
         "statistic,p_value,q_value\n", f);
  for (guint r = 0; r < a->rows->len; r++)
    {
      const AsDrippRow *row = &g_array_index (a->rows, AsDrippRow, r);
      const AsDrippFit *x = &row->fit;
      char b[9][G_ASCII_DTOSTR_BUF_SIZE];

      fprintf (f, "%u,", row->atom + 1);
      csv_label (f, ((AsDrippEventType *) a->event_types->pdata[row->event_type])->label);
      fprintf (f, ",%zu,%zu,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", x->n_occurrences, x->n_events,
               fmt (b[0], x->mu), fmt (b[1], x->alpha), fmt (b[2], x->m), fmt (b[3], x->sigma),
               fmt (b[4], x->loglik), fmt (b[5], x->loglik_baseline), fmt (b[6], x->statistic),
               fmt (b[7], x->p_value), fmt (b[8], row->q_value));
    }
  return as_output_commit (out, error);
}

static void
member_double (JsonBuilder *b, const char *name, double v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_double_value (b, v);
}

static void
member_int (JsonBuilder *b, const char *name, gint64 v)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, v);
}

gboolean
as_dripp_write_json (const AsDrippAnalysis *a, const char *path, gboolean overwrite,
                     GError **error)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, "driven point process (Allain, Gramfort & Moreau 2021)");
  json_builder_set_member_name (b, "kernel");
  json_builder_add_string_value (b, "truncated Gaussian");
  member_double (b, "support_start", a->params.a);
  member_double (b, "support_end", a->params.b);
  member_double (b, "duration", a->duration);
  member_double (b, "sfreq", a->sfreq);
  member_double (b, "threshold", a->threshold);
  json_builder_set_member_name (b, "test");
  json_builder_add_string_value (b, "likelihood ratio against the baseline-only process, chi-squared with 3 degrees of freedom");
  json_builder_set_member_name (b, "correction");
  json_builder_add_string_value (b, "q_value: Benjamini-Hochberg false discovery rate over every fit of the file");
  json_builder_set_member_name (b, "event_types");
  json_builder_begin_array (b);
  for (guint e = 0; e < a->event_types->len; e++)
    {
      const AsDrippEventType *t = a->event_types->pdata[e];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "label");
      json_builder_add_string_value (b, t->label);
      member_int (b, "n_events", t->onsets->len);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "fits");
  json_builder_begin_array (b);
  for (guint r = 0; r < a->rows->len; r++)
    {
      const AsDrippRow *row = &g_array_index (a->rows, AsDrippRow, r);
      const AsDrippFit *x = &row->fit;
      json_builder_begin_object (b);
      member_int (b, "atom", row->atom + 1);
      json_builder_set_member_name (b, "event_type");
      json_builder_add_string_value (b, ((AsDrippEventType *) a->event_types->pdata[row->event_type])->label);
      member_int (b, "n_occurrences", x->n_occurrences);
      member_int (b, "n_events", x->n_events);
      member_double (b, "mu", x->mu);
      member_double (b, "alpha", x->alpha);
      member_double (b, "m", x->m);
      member_double (b, "sigma", x->sigma);
      member_double (b, "loglik", x->loglik);
      member_double (b, "loglik_baseline", x->loglik_baseline);
      member_double (b, "statistic", x->statistic);
      member_double (b, "p_value", x->p_value);
      member_double (b, "q_value", row->q_value);
      member_int (b, "iterations", x->n_iter);
      json_builder_set_member_name (b, "converged");
      json_builder_add_boolean_value (b, x->converged);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  return as_output_write_contents (path, text, strlen (text), overwrite, error);
}
