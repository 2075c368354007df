/* as-cdl.c: the CDL outer loop (batch and online), initialisations, the model, jobs.
 *
 * Batch: alternate z-step (LGCD, warm started) and D-step (sufficient statistics),
 * recording the objective after each half-step (alphacsc's learn_d_z_multi).  Online:
 * minibatches of windows, statistics forgotten by a factor α (Mairal et al. 2010;
 * alphacsc's "online" algorithm).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-cdl"

#include "config.h"

#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-cdl.h"
#include "as-cdl-dstep.h"
#include "as-csc-mask.h"
#include "as-engine.h"
#include "as-rng.h"

/* Iterations spent on each dictionary size during a greedy start. */
#define GREEDY_PERIOD 6

void
as_cdl_params_init (AsCdlParams *p)
{
  memset (p, 0, sizeof *p);
  p->n_atoms = 5;
  p->atom_length = 64;
  p->atom_height = 1;
  p->lambda = 0.1;
  p->lambda_absolute = FALSE;
  p->rank1 = TRUE;
  p->positive = TRUE;
  p->init = AS_CDL_INIT_GREEDY;
  p->max_iter = 50;
  p->tol = 1e-4;
  p->z_tol = 1e-3;
  p->dstep_max_iter = 50;
  p->online = FALSE;
  p->online_batch = 16;
  p->online_window = 0;
  p->online_forget = 0.9;
  p->seed = 0;
  p->tukey = 0.0;
  p->resample_unused = TRUE;
  p->min_occurrences = 5;
  p->sort_atoms = TRUE;
}

static const char *const end_state_words[] = {
  N_("running"),
  N_("converged (tolerance reached)"),
  N_("stopped at the iteration limit"),
  N_("stopped by you"),
};

const char *
as_cdl_end_state_to_string (AsCdlEndState state)
{
  return end_state_words[(guint) state < G_N_ELEMENTS (end_state_words) ? state : 0];
}

const char *
as_cdl_end_state_describe (AsCdlEndState state)
{
  return _(as_cdl_end_state_to_string (state));
}

/* Occurrences in one activation row: the local maxima of |z| at least spacing + 1 positions
 * apart (as as_cdl_model_occurrences_merged()); *inside counts those at least @edge positions
 * from both ends. */
static guint
count_row_occurrences (const double *z, gsize nv, gsize spacing, gsize edge, guint *inside)
{
  guint count = 0;

  for (gsize t = 0; t < nv; t++)
    {
      gboolean peak = z[t] != 0.0;
      gsize lo = t > spacing ? t - spacing : 0, hi = MIN (nv - 1, t + spacing);

      for (gsize j = lo; j <= hi && peak; j++)
        if (j != t && (fabs (z[j]) > fabs (z[t]) || (j < t && fabs (z[j]) == fabs (z[t]))))
          peak = FALSE;
      if (!peak)
        continue;
      count++;
      if (t >= edge && t + edge < nv)
        (*inside)++;
    }
  return count;
}

/* The occurrences count_row_occurrences() finds inside whose atom (L samples from its
 * position) covers no masked sample. */
static guint
count_unmasked_occurrences (const double *z, gsize nv, gsize spacing, gsize edge, guint L,
                            const guint8 *mask)
{
  guint inside = 0;

  for (gsize t = edge; t + edge < nv; t++)
    {
      gboolean peak = z[t] != 0.0, clear = TRUE;
      gsize lo = t > spacing ? t - spacing : 0, hi = MIN (nv - 1, t + spacing);

      for (gsize j = lo; j <= hi && peak; j++)
        if (j != t && (fabs (z[j]) > fabs (z[t]) || (j < t && fabs (z[j]) == fabs (z[t]))))
          peak = FALSE;
      for (guint b = 0; b < L && peak && clear; b++)
        clear = !mask[t + b];
      if (peak && clear)
        inside++;
    }
  return inside;
}

/* ---- the model -------------------------------------------------------------- */

AsCdlModel *
as_cdl_model_new (const AsCscShape *s, guint n_trials, gboolean rank1, gboolean positive)
{
  AsCdlModel *m = g_new0 (AsCdlModel, 1);
  const gsize hw = (gsize) s->atom_height * s->atom_width;

  g_atomic_ref_count_init (&m->ref_count);
  m->shape = *s;
  m->n_trials = n_trials;
  m->rank1 = rank1;
  m->positive = positive;
  m->atoms = g_new0 (double, s->n_atoms * as_csc_atom_size (s));
  if (rank1)
    {
      m->u = g_new0 (double, (gsize) s->n_atoms * s->n_channels);
      m->v = g_new0 (double, s->n_atoms * hw);
    }
  m->activations = g_new0 (double, (gsize) n_trials * s->n_atoms * as_csc_n_valid (s));
  m->weak = g_new0 (guint8, MAX (1, s->n_atoms));
  m->trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  return m;
}

AsCdlModel *
as_cdl_model_ref (AsCdlModel *model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_ref_count_inc (&model->ref_count);
  return model;
}

void
as_cdl_model_unref (AsCdlModel *model)
{
  if (model == NULL || !g_atomic_ref_count_dec (&model->ref_count))
    return;
  g_free (model->atoms);
  g_free (model->u);
  g_free (model->v);
  g_free (model->activations);
  g_free (model->weak);
  g_array_unref (model->trace);
  g_free (model);
}

AsCdlModel *
as_cdl_model_copy (const AsCdlModel *model)
{
  const AsCscShape *s = &model->shape;
  AsCdlModel *m = as_cdl_model_new (s, model->n_trials, model->rank1, model->positive);
  const gsize hw = (gsize) s->atom_height * s->atom_width;

  memcpy (m->atoms, model->atoms, sizeof (double) * s->n_atoms * as_csc_atom_size (s));
  if (model->rank1)
    {
      memcpy (m->u, model->u, sizeof (double) * s->n_atoms * s->n_channels);
      memcpy (m->v, model->v, sizeof (double) * s->n_atoms * hw);
    }
  if (model->n_trials > 0)
    memcpy (m->activations, model->activations,
            sizeof (double) * model->n_trials * s->n_atoms * as_csc_n_valid (s));
  g_array_append_vals (m->trace, model->trace->data, model->trace->len);
  m->lambda = model->lambda;
  m->lambda_max = model->lambda_max;
  m->iteration = model->iteration;
  m->converged = model->converged;
  m->end_state = model->end_state;
  if (model->weak != NULL)
    memcpy (m->weak, model->weak, s->n_atoms);
  m->sfreq = model->sfreq;
  m->stopped = model->stopped;
  m->encoded = model->encoded;
  return m;
}

const double *
as_cdl_model_get_atom (const AsCdlModel *model, guint k)
{
  g_return_val_if_fail (k < model->shape.n_atoms, NULL);
  return model->atoms + k * as_csc_atom_size (&model->shape);
}

const double *
as_cdl_model_get_activation (const AsCdlModel *model, guint trial, guint k)
{
  const gsize nv = as_csc_n_valid (&model->shape);

  g_return_val_if_fail (k < model->shape.n_atoms && trial < model->n_trials, NULL);
  return model->activations + ((gsize) trial * model->shape.n_atoms + k) * nv;
}

GArray *
as_cdl_model_occurrences (const AsCdlModel *model, guint k, double threshold)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (AsCdlOccurrence));
  const gsize nv = as_csc_n_valid (&model->shape);

  g_return_val_if_fail (k < model->shape.n_atoms, out);
  for (guint n = 0; n < model->n_trials; n++)
    {
      const double *z = as_cdl_model_get_activation (model, n, k);
      for (gsize t = 0; t < nv; t++)
        if (z[t] != 0.0 && fabs (z[t]) >= threshold)
          {
            AsCdlOccurrence o = { n, t, z[t] };
            g_array_append_val (out, o);
          }
    }
  return out;
}

/* Occurrences come out of as_cdl_model_occurrences() already by trial then position; the
 * merge below relies on that order.  An occurrence survives when no neighbour within
 * ±spacing (same trial) is larger, nor equal and earlier: the local maxima of |z|, one per
 * plateau, at least spacing + 1 positions apart (close to the `distance` criterion of
 * scipy.signal.find_peaks).  Moved from the atoms figure so that views and exported
 * events list the same occurrences. */
GArray *
as_cdl_model_occurrences_merged (const AsCdlModel *model, guint k, double threshold,
                                 gsize min_spacing)
{
  g_autoptr (GArray) all = as_cdl_model_occurrences (model, k, threshold);
  GArray *out;

  if (min_spacing == 0)
    return g_steal_pointer (&all);
  out = g_array_new (FALSE, FALSE, sizeof (AsCdlOccurrence));
  for (guint i = 0; i < all->len; i++)
    {
      const AsCdlOccurrence *o = &g_array_index (all, AsCdlOccurrence, i);
      gboolean keep = TRUE;

      for (guint j = i; j-- > 0 && keep;)
        {
          const AsCdlOccurrence *q = &g_array_index (all, AsCdlOccurrence, j);
          if (q->trial != o->trial || q->position + min_spacing < o->position)
            break;
          if (fabs (q->amplitude) >= fabs (o->amplitude))
            keep = FALSE;
        }
      for (guint j = i + 1; j < all->len && keep; j++)
        {
          const AsCdlOccurrence *q = &g_array_index (all, AsCdlOccurrence, j);
          if (q->trial != o->trial || q->position > o->position + min_spacing)
            break;
          if (fabs (q->amplitude) > fabs (o->amplitude))
            keep = FALSE;
        }
      if (keep)
        g_array_append_val (out, *o);
    }
  return out;
}

gsize
as_cdl_model_merge_spacing (const AsCdlModel *model)
{
  return model->shape.atom_height > 1 ? 0 : model->shape.atom_width / 2;
}

double
as_cdl_model_max_activation (const AsCdlModel *model, guint k)
{
  const gsize nv = as_csc_n_valid (&model->shape);
  double m = 0;

  g_return_val_if_fail (k < model->shape.n_atoms, 0);
  for (guint n = 0; n < model->n_trials; n++)
    {
      const double *z = as_cdl_model_get_activation (model, n, k);
      for (gsize t = 0; t < nv; t++)
        m = MAX (m, fabs (z[t]));
    }
  return m;
}

gboolean
as_cdl_model_reconstruct (const AsCdlModel *model, guint trial, int atom, gsize start,
                          gsize n_times, double *out, GError **error)
{
  const AsCscShape *s = &model->shape;
  const guint P = s->n_channels, L = s->atom_width;
  const gsize nv = as_csc_n_valid (s), asz = as_csc_atom_size (s);

  if (s->height != 1 || trial >= model->n_trials || start + n_times > s->width
      || atom >= (int) s->n_atoms)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Cannot reconstruct samples %zu–%zu of trial %u: the model has %u trials of %u samples (signals only)"),
                   start, start + n_times, trial, model->n_trials, s->width);
      return FALSE;
    }
  memset (out, 0, sizeof (double) * P * n_times);
  for (guint k = 0; k < s->n_atoms; k++)
    {
      const double *z = as_cdl_model_get_activation (model, trial, k);
      const double *d = model->atoms + k * asz;
      /* activations at t cover samples t … t + L − 1 */
      gsize t0 = start >= L - 1 ? start - (L - 1) : 0;
      gsize t1 = MIN (nv, start + n_times);

      if (atom >= 0 && (guint) atom != k)
        continue;
      for (gsize t = t0; t < t1; t++)
        {
          if (z[t] == 0.0)
            continue;
          for (guint p = 0; p < P; p++)
            for (guint tau = 0; tau < L; tau++)
              {
                gsize i = t + tau;
                if (i >= start && i < start + n_times)
                  out[(gsize) p * n_times + (i - start)] += z[t] * d[(gsize) p * L + tau];
              }
        }
    }
  return TRUE;
}

guint
as_cdl_model_count_occurrences (const AsCdlModel *model, guint k, guint *inside)
{
  const gsize nv = as_csc_n_valid (&model->shape);
  const gsize spacing = as_cdl_model_merge_spacing (model);
  const gsize edge = model->shape.atom_height > 1 ? 0 : model->shape.atom_width;
  guint count = 0, in = 0;

  g_return_val_if_fail (k < model->shape.n_atoms, 0);
  for (guint n = 0; n < model->n_trials; n++)
    count += count_row_occurrences (as_cdl_model_get_activation (model, n, k), nv, spacing,
                                    edge, &in);
  if (inside != NULL)
    *inside = in;
  return count;
}

char *
as_cdl_model_weak_reason (const AsCdlModel *model, guint k)
{
  guint inside = 0, count;

  if (model->weak == NULL || k >= model->shape.n_atoms || !model->weak[k])
    return NULL;
  count = as_cdl_model_count_occurrences (model, k, &inside);
  if (count == 0)
    return g_strdup (_("weak: never used"));
  if (inside == 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "weak: %u occurrence, only at an edge",
                                         "weak: %u occurrences, only at the edges", count),
                            count);
  if (count < 5)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "weak: %u occurrence",
                                         "weak: %u occurrences", count), count);
  return g_strdup (_("weak: its occurrences touch gaps or missing samples"));
}

double
as_cdl_model_last_objective (const AsCdlModel *model)
{
  if (model->trace->len == 0)
    return NAN;
  return g_array_index (model->trace, AsCdlTracePoint, model->trace->len - 1).objective;
}

/* ---- learning state ----------------------------------------------------------- */

typedef struct
{
  const AsCdlParams *p;
  AsCscShape full;        /* K atoms, the whole signal */
  AsCscShape s;           /* the active atoms (fewer during a greedy start) */
  guint      n;
  const double *x;         /* with a mask: a copy zeroed at the masked samples */
  const guint8 *mask;      /* n × W flags, 1 = left out of the data term, or NULL */
  double    *x_masked;     /* the zeroed copy c->x points to */
  AsCscMaskPatches *patches; /* the D-step's correction for the masked samples */
  gsize      nv, ssz, asz, hw, zstride;
  double    *param;       /* full rank: K × asz */
  double    *u, *v;       /* rank-1: K × P, K × hw */
  double    *veff;        /* window ⊙ v */
  double    *window;      /* hw taper or NULL */
  double    *atoms;       /* effective atoms K × asz */
  double    *z;           /* n × zstride */
  double    *z_saved;     /* the activations before the z-step under way (jobs) */
  double    *ztz, *ztx;   /* K × K × lags, K × asz (active part used) */
  double     x2, l1;
  double     lambda, lambda_max;
  double     z_tol;       /* absolute LGCD tolerance: params.z_tol × RMS of the data */
  guint8    *weak;        /* K flags, see atom_is_weak() */
  guint     *resampled;   /* K: how often each atom was resampled */
  AsCdlEndState end_state;
  GTimer    *timer;
  GArray    *trace;
  AsRng      rng;
  AsJob     *job;
  guint      iteration;
  gboolean   converged;
  gboolean   stopped;     /* the job asked to stop before the end */
  double     sfreq;
  guint      first_iteration; /* 1, or the one after a checkpoint */
  double     prev_objective;  /* after the D-step before first_iteration */
} Cdl;

static void
update_effective (Cdl *c)
{
  const guint K = c->s.n_atoms;

  if (c->p->rank1)
    {
      for (gsize i = 0; i < K * c->hw; i++)
        c->veff[i] = c->window ? c->v[i] * c->window[i % c->hw] : c->v[i];
      as_cdl_rank1_to_atoms (&c->s, c->u, c->veff, c->atoms);
    }
  else
    for (gsize i = 0; i < K * c->asz; i++)
      c->atoms[i] = c->window ? c->param[i] * c->window[i % c->hw] : c->param[i];
}

static void
normalize_block (double *x, gsize n)
{
  double n2 = 0.0;

  for (gsize i = 0; i < n; i++)
    n2 += x[i] * x[i];
  if (n2 > 0.0)
    for (gsize i = 0; i < n; i++)
      x[i] /= sqrt (n2);
}

void
as_cdl_atom_from_window (AsRng *rng, const AsCscShape *s, gboolean rank1, const double *src,
                         guint H, guint W, double *u, double *v, double *atom)
{
  const guint P = s->n_channels, h = s->atom_height, w = s->atom_width;
  const gsize asz = as_csc_atom_size (s), hw = (gsize) h * w;
  double *m = g_new (double, asz);
  double n2 = 0.0;

  for (guint p = 0; p < P; p++)
    for (guint a = 0; a < h; a++)
      for (guint b = 0; b < w; b++)
        {
          double val = src[((gsize) p * H + a) * W + b];
          m[((gsize) p * h + a) * w + b] = val;
          n2 += val * val;
        }
  if (n2 == 0.0)
    for (gsize i = 0; i < asz; i++)
      m[i] = as_rng_normal (rng);

  if (!rank1)
    {
      normalize_block (m, asz);
      memcpy (atom, m, sizeof (double) * asz);
    }
  else
    {
      /* Start from the channel of largest energy. */
      guint best = 0;
      double bn = -1.0;
      for (guint p = 0; p < P; p++)
        {
          double e = 0.0;
          for (gsize t = 0; t < hw; t++)
            e += m[p * hw + t] * m[p * hw + t];
          if (e > bn)
            {
              bn = e;
              best = p;
            }
        }
      memcpy (v, m + best * hw, sizeof (double) * hw);
      normalize_block (v, hw);
      for (int it = 0; it < 50; it++)
        {
          for (guint p = 0; p < P; p++)
            {
              double acc = 0.0;
              for (gsize t = 0; t < hw; t++)
                acc += m[p * hw + t] * v[t];
              u[p] = acc;
            }
          normalize_block (u, P);
          for (gsize t = 0; t < hw; t++)
            {
              double acc = 0.0;
              for (guint p = 0; p < P; p++)
                acc += m[p * hw + t] * u[p];
              v[t] = acc;
            }
          normalize_block (v, hw);
        }
    }
  g_free (m);
}

/* Sets atom k from a P × h × w window (row stride W of the source signal): the window
 * normalised (full rank) or its leading singular vectors (rank-1, power iteration). */
static void
atom_from_window (Cdl *c, guint k, const double *src, guint H, guint W)
{
  as_cdl_atom_from_window (&c->rng, &c->s, c->p->rank1, src, H, W,
                           c->u != NULL ? c->u + (gsize) k * c->s.n_channels : NULL,
                           c->v != NULL ? c->v + k * c->hw : NULL,
                           c->param != NULL ? c->param + k * c->asz : NULL);
}

void
as_cdl_random_atom (AsRng *rng, const AsCscShape *s, gboolean rank1, double *u, double *v,
                    double *atom)
{
  const gsize hw = (gsize) s->atom_height * s->atom_width;

  if (rank1)
    {
      as_rng_normal_fill (rng, u, s->n_channels);
      as_rng_normal_fill (rng, v, hw);
      normalize_block (u, s->n_channels);
      normalize_block (v, hw);
    }
  else
    {
      as_rng_normal_fill (rng, atom, as_csc_atom_size (s));
      normalize_block (atom, as_csc_atom_size (s));
    }
}

static void
atom_random (Cdl *c, guint k)
{
  if (c->p->rank1)
    as_cdl_random_atom (&c->rng, &c->s, TRUE, c->u + (gsize) k * c->s.n_channels,
                        c->v + k * c->hw, NULL);
  else
    as_cdl_random_atom (&c->rng, &c->s, FALSE, NULL, NULL, c->param + k * c->asz);
}

void
as_cdl_window_energy_max (const AsCscShape *s, const double *r, guint n, const guint *excl,
                          guint n_excl, const guint *mcount, guint y0, guint y1, guint x0, guint x1,
                          double *best, guint *best_n, guint *best_y, guint *best_x)
{
  const guint H = s->height, W = s->width, h = s->atom_height, w = s->atom_width;
  double *ii = g_new0 (double, (gsize) (H + 1) * (W + 1));

  for (guint y = 0; y < H; y++)
    for (guint x = 0; x < W; x++)
      {
        double e = 0.0;
        for (guint p = 0; p < s->n_channels; p++)
          {
            double v = r[((gsize) p * H + y) * W + x];
            e += v * v;
          }
        ii[(gsize) (y + 1) * (W + 1) + x + 1] = e + ii[(gsize) y * (W + 1) + x + 1]
                                                + ii[(gsize) (y + 1) * (W + 1) + x]
                                                - ii[(gsize) y * (W + 1) + x];
      }
  for (guint y = y0; y < y1; y++)
    for (guint x = x0; x < x1; x++)
      {
        double e = ii[(gsize) (y + h) * (W + 1) + x + w] - ii[(gsize) y * (W + 1) + x + w]
                   - ii[(gsize) (y + h) * (W + 1) + x] + ii[(gsize) y * (W + 1) + x];
        /* A new atom never starts from a window with masked samples (a cut waveform). */
        gboolean excluded = mcount != NULL && mcount[x + w] != mcount[x];
        for (guint j = 0; j < n_excl && !excluded; j++)
          excluded = excl[3 * j] == n && (guint) ABS ((int) y - (int) excl[3 * j + 1]) < h
                     && (guint) ABS ((int) x - (int) excl[3 * j + 2]) < w;
        if (e > *best && !excluded)
          {
            *best = e;
            *best_n = n;
            *best_y = y;
            *best_x = x;
          }
      }
  g_free (ii);
}

/* The window (trial, row, column) of largest residual energy ‖X − Σ z * D‖² over h × w
 * positions, by integral images, away from the @n_excl windows of @excl (triples n, y, x);
 * *residual receives the residual of that window's trial. */
static void
worst_window (Cdl *c, const guint *excl, guint n_excl, guint *best_n, guint *best_y,
              guint *best_x, double **residual)
{
  const guint W = c->s.width;
  const guint Hv = as_csc_valid_height (&c->s), Wv = as_csc_valid_width (&c->s);
  double *rec = g_new (double, c->ssz);
  double best = -1.0;
  guint *mcount = c->mask != NULL ? g_new0 (guint, W + 1) : NULL;

  *best_n = *best_y = *best_x = 0;
  for (guint n = 0; n < c->n; n++)
    {
      const double *xn = c->x + (gsize) n * c->ssz;
      /* Masked samples before each column (1-D: H = 1). */
      for (guint x = 0; mcount != NULL && x < W; x++)
        mcount[x + 1] = mcount[x] + (c->mask[(gsize) n * W + x] ? 1 : 0);
      as_csc_reconstruct (&c->s, c->atoms, c->z + n * c->zstride, rec);
      /* A masked sample is no part of the residual. */
      for (gsize i = 0; i < c->ssz; i++)
        rec[i] = c->mask != NULL && c->mask[(gsize) n * W + i % W] ? 0.0 : xn[i] - rec[i];
      as_cdl_window_energy_max (&c->s, rec, n, excl, n_excl, mcount, 0, Hv, 0, Wv, &best, best_n,
                                best_y, best_x);
    }
  as_csc_reconstruct (&c->s, c->atoms, c->z + *best_n * c->zstride, rec);
  for (gsize i = 0; i < c->ssz; i++)
    rec[i] = c->mask != NULL && c->mask[(gsize) *best_n * W + i % W]
             ? 0.0 : c->x[*best_n * c->ssz + i] - rec[i];
  *residual = rec;
  g_free (mcount);
}

static void
replace_with_worst_window (Cdl *c, guint k)
{
  guint n, y, x;
  double *res;

  worst_window (c, NULL, 0, &n, &y, &x, &res);
  atom_from_window (c, k, res + (gsize) y * c->s.width + x, c->s.height, c->s.width);
  g_free (res);
}

/* Greedy growth: @count new atoms (unused so far, so the objective is unchanged) from the
 * worst-explained windows, distinct windows when several are added at once. */
static void
add_greedy_atoms (Cdl *c, guint count)
{
  guint *excl = g_new (guint, 3 * count);

  for (guint i = 0; i < count && c->s.n_atoms < c->full.n_atoms; i++)
    {
      guint k = c->s.n_atoms;
      double *res;

      for (guint n = 0; n < c->n; n++)
        memset (c->z + n * c->zstride + k * c->nv, 0, sizeof (double) * c->nv);
      worst_window (c, excl, i, &excl[3 * i], &excl[3 * i + 1], &excl[3 * i + 2], &res);
      c->s.n_atoms++;
      atom_from_window (c, k, res + (gsize) excl[3 * i + 1] * c->s.width + excl[3 * i + 2],
                        c->s.height, c->s.width);
      update_effective (c);
      g_free (res);
    }
  g_free (excl);
}

static void
zstep (Cdl *c, const AsCscShape *s, const double *x, gsize xstride, double *z, gsize zstride,
       guint count)
{
  const gsize nv = as_csc_n_valid (s);
  double *dtd = g_new (double, (gsize) s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  double *dtx = g_new (double, s->n_atoms * nv);

  const gboolean masked = c->mask != NULL && x == c->x;

  if (c->p->rank1)
    as_cdl_atom_correlations_rank1 (s, c->u, c->veff, dtd);
  else
    as_csc_atom_correlations (s, c->atoms, dtd);
  for (guint n = 0; n < count; n++)
    {
      if (masked)
        {
          /* Samples left out: the masked coordinate descent (docs/maths.md, "Masked samples"). */
          if (c->job != NULL && g_atomic_int_get (as_job_get_stop_flag (c->job)))
            break;
          as_csc_lgcd_masked (s, dtd, c->atoms, c->p->rank1 ? c->u : NULL,
                              c->p->rank1 ? c->veff : NULL, x + n * xstride,
                              c->mask + (gsize) n * s->width, c->lambda, c->p->positive,
                              c->z_tol, (guint64) 100 * s->n_atoms * nv + 100000,
                              c->job != NULL ? as_job_get_stop_flag (c->job) : NULL,
                              z + n * zstride);
          continue;
        }
      if (c->p->rank1)
        as_csc_correlate (s, NULL, c->u, c->veff, x + n * xstride, dtx);
      else
        as_csc_correlate (s, c->atoms, NULL, NULL, x + n * xstride, dtx);
      /* A generous budget: LGCD converges long before, but a zero tolerance must end.
       * A stop request ends the z-step early (the iteration loop then stops). */
      if (c->job != NULL && g_atomic_int_get (as_job_get_stop_flag (c->job)))
        break;
      as_csc_lgcd_until (s, dtd, dtx, c->lambda, c->p->positive, c->z_tol,
                         (guint64) 100 * s->n_atoms * nv + 100000,
                         c->job != NULL ? as_job_get_stop_flag (c->job) : NULL, z + n * zstride);
    }
  g_free (dtd);
  g_free (dtx);
}

static void
stats (const AsCscShape *s, const double *x, gsize xstride, const double *z, gsize zstride,
       guint count, double *ztz, double *ztx, double *x2, double *l1)
{
  const gsize nv = as_csc_n_valid (s), ssz = as_csc_signal_size (s);

  memset (ztz, 0, sizeof (double) * s->n_atoms * s->n_atoms * as_csc_lag_size (s));
  memset (ztx, 0, sizeof (double) * s->n_atoms * as_csc_atom_size (s));
  *x2 = 0.0;
  *l1 = 0.0;
  for (guint n = 0; n < count; n++)
    {
      const double *xn = x + n * xstride, *zn = z + n * zstride;
      as_cdl_stats_add (s, xn, zn, ztz, ztx);
      for (gsize i = 0; i < ssz; i++)
        *x2 += xn[i] * xn[i];
      for (gsize i = 0; i < s->n_atoms * nv; i++)
        *l1 += fabs (zn[i]);
    }
}

/* The masked samples' correction applies to the whole signal's statistics (s == &c->s). */
static const AsCscMaskPatches *
patches_for (Cdl *c, const AsCscShape *s)
{
  return c->mask != NULL && s == &c->s ? c->patches : NULL;
}

static void
full_stats (Cdl *c)
{
  stats (&c->s, c->x, c->ssz, c->z, c->zstride, c->n, c->ztz, c->ztx, &c->x2, &c->l1);
  if (c->mask != NULL)
    {
      as_csc_mask_patches_clear (c->patches, &c->s);
      for (guint n = 0; n < c->n; n++)
        as_csc_mask_patches_add (c->patches, c->mask + (gsize) n * c->s.width,
                                 c->z + n * c->zstride);
    }
}

static double
data_cost (Cdl *c, const AsCscShape *s, const double *ztz, const double *ztx, double x2)
{
  const AsCscMaskPatches *mp = patches_for (c, s);

  if (c->p->rank1)
    return as_cdl_dstep_cost_rank1 (s, ztz, ztx, x2, c->u, c->veff, NULL, NULL)
           + (mp != NULL ? as_csc_mask_patches_cost_rank1 (mp, c->u, c->veff, NULL, NULL) : 0.0);
  return as_cdl_dstep_cost (s, ztz, ztx, x2, c->atoms, NULL)
         + (mp != NULL ? as_csc_mask_patches_cost (mp, c->atoms, NULL) : 0.0);
}

static double
dstep (Cdl *c, const AsCscShape *s, const double *ztz, const double *ztx, double x2)
{
  const AsCscMaskPatches *mp = patches_for (c, s);

  if (c->p->rank1)
    as_cdl_dstep_rank1_masked (s, ztz, ztx, x2, mp, c->window, c->u, c->v,
                               c->p->dstep_max_iter, 1e-7);
  else
    as_cdl_dstep_masked (s, ztz, ztx, x2, mp, c->window, c->param, c->p->dstep_max_iter, 1e-7);
  update_effective (c);
  return data_cost (c, s, ztz, ztx, x2);
}

static void
record (Cdl *c, guint half, double objective)
{
  AsCdlTracePoint pt = { c->iteration, half, g_timer_elapsed (c->timer, NULL), objective };
  g_array_append_val (c->trace, pt);
}

/* A consistent copy of the state (active atoms only). */
static AsCdlModel *
snapshot (Cdl *c, const double *z, gsize zstride)
{
  AsCdlModel *m = as_cdl_model_new (&c->s, c->n, c->p->rank1, c->p->positive);
  const guint K = c->s.n_atoms;

  memcpy (m->atoms, c->atoms, sizeof (double) * K * c->asz);
  if (c->p->rank1)
    {
      memcpy (m->u, c->u, sizeof (double) * K * c->s.n_channels);
      memcpy (m->v, c->veff, sizeof (double) * K * c->hw);
    }
  for (guint n = 0; n < c->n; n++)
    memcpy (m->activations + (gsize) n * K * c->nv, z + n * zstride,
            sizeof (double) * K * c->nv);
  g_array_append_vals (m->trace, c->trace->data, c->trace->len);
  m->lambda = c->lambda;
  m->lambda_max = c->lambda_max;
  m->iteration = c->iteration;
  m->converged = c->converged;
  m->end_state = c->end_state;
  memcpy (m->weak, c->weak, K);
  m->stopped = c->stopped && !c->converged;
  m->sfreq = c->sfreq;
  return m;
}

static void
publish (Cdl *c)
{
  if (c->job != NULL)
    {
      as_job_publish (c->job, snapshot (c, c->z, c->zstride));
      as_job_set_progress (c->job, (double) c->iteration / MAX (1, c->p->max_iter), NULL);
    }
}

/* Tukey window (tapered cosine) of shape parameter a over n samples. */
static void
tukey (guint n, double a, double *out)
{
  for (guint i = 0; i < n; i++)
    {
      double t = n > 1 ? (double) i / (n - 1) : 0.5;
      double e = MIN (t, 1.0 - t);
      out[i] = (a <= 0.0 || e >= a / 2.0) ? 1.0 : 0.5 * (1.0 - cos (2.0 * G_PI * e / a));
    }
}

/* Sort by explained variance ‖z_k * D_k‖² = ⟨D_k, ztz_kk ⊛ D_k⟩ (statistics of the current z). */
static void
sort_atoms (Cdl *c)
{
  const guint K = c->s.n_atoms, P = c->s.n_channels;
  const gsize lsz = as_csc_lag_size (&c->s);
  AsCscShape one = c->s;
  double *var = g_new (double, K), *zero = g_new0 (double, c->asz);
  guint *order = g_new (guint, K);
  double *tmp;

  one.n_atoms = 1;
  full_stats (c);
  for (guint k = 0; k < K; k++)
    {
      var[k] = 2.0 * as_cdl_dstep_cost (&one, c->ztz + ((gsize) k * K + k) * lsz, zero, 0.0,
                                        c->atoms + k * c->asz, NULL);
      order[k] = k;
    }
  for (guint i = 1; i < K; i++)
    for (guint j = i; j > 0 && var[order[j]] > var[order[j - 1]]; j--)
      {
        guint t = order[j];
        order[j] = order[j - 1];
        order[j - 1] = t;
      }

#define PERMUTE(arr, block)                                                  \
  if ((arr) != NULL)                                                         \
    {                                                                        \
      tmp = g_memdup2 ((arr), sizeof (double) * K * (block));                \
      for (guint k = 0; k < K; k++)                                          \
        memcpy ((arr) + k * (block), tmp + order[k] * (block), sizeof (double) * (block)); \
      g_free (tmp);                                                          \
    }
  PERMUTE (c->param, c->asz);
  PERMUTE (c->u, (gsize) P);
  PERMUTE (c->v, c->hw);
  for (guint n = 0; n < c->n; n++)
    {
      double *zn = c->z + n * c->zstride;
      PERMUTE (zn, c->nv);
    }
#undef PERMUTE
  update_effective (c);
  g_free (var);
  g_free (zero);
  g_free (order);
}

static gboolean
keep_going (Cdl *c)
{
  if (c->job == NULL || as_job_check (c->job))
    return TRUE;
  c->stopped = TRUE;
  c->end_state = AS_CDL_END_STOPPED;
  return FALSE;
}

/* An atom explains almost nothing when it has no activation, fewer than min_occurrences
 * occurrences (counted as a person would, as_cdl_model_count_occurrences()), or occurrences
 * only within an atom length of the ends of a trial, where a filter's start-up transient
 * or a cut would be. */
static gboolean
atom_is_weak (Cdl *c, guint k)
{
  const gboolean one_d = c->s.atom_height == 1 && c->s.height == 1;
  const gsize spacing = one_d ? c->s.atom_width / 2 : 0, edge = one_d ? c->s.atom_width : 0;
  guint count = 0, inside = 0;

  for (guint n = 0; n < c->n; n++)
    {
      const double *zk = c->z + n * c->zstride + k * c->nv;
      guint in = 0;
      count += count_row_occurrences (zk, c->nv, spacing, edge, &in);
      /* With a mask, an occurrence whose atom touches a masked sample is at an edge too. */
      if (c->mask != NULL && one_d && in > 0)
        in = count_unmasked_occurrences (zk, c->nv, spacing, edge, c->s.atom_width,
                                         c->mask + (gsize) n * c->s.width);
      inside += in;
    }
  return count == 0 || count < c->p->min_occurrences || inside == 0;
}

/* Replaces one weak atom (the first found, at most three times each) by the worst-explained
 * window; its activations are cleared and the statistics recomputed, so the D-step that
 * follows leaves it as it is and the next z-step can use it.  TRUE when one was replaced. */
static gboolean
resample_weak_atom (Cdl *c, gboolean unused_only)
{
  for (guint k = 0; k < c->s.n_atoms; k++)
    if (c->resampled[k] < 3 && atom_is_weak (c, k))
      {
        gboolean unused = TRUE;
        for (guint n = 0; n < c->n && unused; n++)
          for (gsize t = 0; t < c->nv && unused; t++)
            unused = c->z[n * c->zstride + k * c->nv + t] == 0.0;
        if (unused_only && !unused)
          continue;
        for (guint n = 0; n < c->n; n++)
          memset (c->z + n * c->zstride + k * c->nv, 0, sizeof (double) * c->nv);
        replace_with_worst_window (c, k);
        update_effective (c);
        c->resampled[k]++;
        full_stats (c);
        return TRUE;
      }
  return FALSE;
}

static void
learn_batch (Cdl *c)
{
  double prev = c->prev_objective;
  /* Iterations per dictionary size during a greedy start, shortened when the budget is
   * small; every atom is in by the last iteration whatever the budget. */
  const guint period = c->full.n_atoms > 1
                       ? CLAMP ((c->p->max_iter - 1) / (c->full.n_atoms - 1), 1, GREEDY_PERIOD)
                       : 1;

  for (c->iteration = c->first_iteration; c->iteration <= c->p->max_iter; c->iteration++)
    {
      double obj_z, obj_d;
      gboolean growing = FALSE;

      gboolean resampled = FALSE;

      if (!keep_going (c))
        break;
      if (c->s.n_atoms < c->full.n_atoms)
        {
          const guint missing = c->full.n_atoms - c->s.n_atoms;
          const guint left = c->p->max_iter - c->iteration;   /* iterations after this one */
          guint add = (c->iteration > 1 && (c->iteration - 1) % period == 0) ? 1 : 0;
          if (missing > left)
            add = MAX (add, missing - left);
          if (add > 0)
            add_greedy_atoms (c, add);
        }
      growing = c->s.n_atoms < c->full.n_atoms;

      /* A stop request ends the z-step early; the activations go back to where the
       * step began, the model last published (whose objective is the trace's last
       * value): the statistics of a partial step would take seconds more on hours of
       * data.  An atom the greedy start just added has no activations yet, so the
       * objective is unchanged. */
      if (c->job != NULL)
        {
          if (c->z_saved == NULL)
            c->z_saved = g_new (double, (gsize) c->n * c->zstride);
          memcpy (c->z_saved, c->z, sizeof (double) * c->n * c->zstride);
        }
      zstep (c, &c->s, c->x, c->ssz, c->z, c->zstride, c->n);
      if (c->job != NULL && as_job_stop_requested (c->job))
        {
          memcpy (c->z, c->z_saved, sizeof (double) * c->n * c->zstride);
          c->stopped = TRUE;
          c->end_state = AS_CDL_END_STOPPED;
          publish (c);
          break;
        }
      full_stats (c);
      obj_z = data_cost (c, &c->s, c->ztz, c->ztx, c->x2) + c->lambda * c->l1;
      record (c, 0, obj_z);

      /* An atom that explains almost nothing is replaced by the worst-explained window so
       * the next z-step can use it; one per iteration (the residual changes after the next
       * z-step).  An atom still in use is not replaced in the last iterations, which must
       * leave its replacement time to settle. */
      if (c->p->resample_unused && !growing)
        resampled = resample_weak_atom (c, c->iteration + 3 > c->p->max_iter);

      if (!keep_going (c))
        {
          publish (c);
          break;
        }
      obj_d = dstep (c, &c->s, c->ztz, c->ztx, c->x2) + c->lambda * c->l1;
      record (c, 1, obj_d);
      publish (c);

      if (!growing && !resampled && prev - obj_d <= c->p->tol * fabs (obj_d))
        {
          c->converged = TRUE;
          c->end_state = AS_CDL_END_CONVERGED;
          break;
        }
      prev = obj_d;
    }
  if (c->end_state == AS_CDL_END_RUNNING)
    c->end_state = AS_CDL_END_ITERATION_LIMIT;
  c->iteration = MIN (c->iteration, MAX (c->p->max_iter, c->first_iteration - 1));
}

static void
learn_online (Cdl *c)
{
  const guint P = c->s.n_channels, L = c->s.atom_width, W = c->s.width;
  const guint Tw = MIN (W, c->p->online_window > 0 ? c->p->online_window : 8 * L);
  AsCscShape sw = c->s;
  GArray *starts = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
  gsize nvw, zw_stride, sw_size;
  double *zw, *xb, *zb, *ztz_b, *ztx_b, *acc_ztz, *acc_ztx, acc_x2 = 0.0;
  const guint B = MAX (1, c->p->online_batch);
  guint *pick = g_new (guint, B);
  const double alpha = c->p->online_forget;

  sw.width = Tw;
  nvw = as_csc_n_valid (&sw);
  sw_size = as_csc_signal_size (&sw);
  zw_stride = c->s.n_atoms * nvw;
  /* Windows advance by Tw − L + 1 so that their valid positions tile the trial's. */
  for (guint n = 0; n < c->n; n++)
    {
      guint st;
      for (st = 0; st + Tw <= W; st += Tw - L + 1)
        {
          guint e[2] = { n, st };
          g_array_append_val (starts, e);
        }
      if (st < W - L + 1)
        {
          guint e[2] = { n, W - Tw };
          g_array_append_val (starts, e);
        }
    }
  /* With a mask, minibatches are drawn from windows clear of it (when there are any): the
   * masked samples' correction belongs to the whole signal's statistics. */
  if (c->mask != NULL)
    {
      GArray *clear = g_array_new (FALSE, FALSE, sizeof (guint) * 2);
      for (guint i = 0; i < starts->len; i++)
        {
          guint *e = &g_array_index (starts, guint, 2 * i);
          gboolean ok = TRUE;
          for (guint t = 0; t < Tw && ok; t++)
            ok = !c->mask[(gsize) e[0] * W + e[1] + t];
          if (ok)
            g_array_append_vals (clear, e, 1);
        }
      if (clear->len > 0)
        {
          g_array_unref (starts);
          starts = clear;
        }
      else
        g_array_unref (clear);
    }
  zw = g_new0 (double, starts->len * zw_stride);
  xb = g_new (double, B * sw_size);
  zb = g_new (double, B * zw_stride);
  ztz_b = g_new (double, (gsize) c->s.n_atoms * c->s.n_atoms * as_csc_lag_size (&sw));
  ztx_b = g_new (double, c->s.n_atoms * c->asz);
  acc_ztz = g_new0 (double, (gsize) c->s.n_atoms * c->s.n_atoms * as_csc_lag_size (&sw));
  acc_ztx = g_new0 (double, c->s.n_atoms * c->asz);

  for (c->iteration = 1; c->iteration <= c->p->max_iter; c->iteration++)
    {
      double x2, l1;

      if (!keep_going (c))
        break;
      for (guint b = 0; b < B; b++)
        {
          guint *e;
          pick[b] = as_rng_below (&c->rng, starts->len);
          e = &g_array_index (starts, guint, 2 * pick[b]);
          for (guint p = 0; p < P; p++)
            memcpy (xb + b * sw_size + (gsize) p * Tw, c->x + e[0] * c->ssz + (gsize) p * W + e[1],
                    sizeof (double) * Tw);
          memcpy (zb + b * zw_stride, zw + pick[b] * zw_stride, sizeof (double) * zw_stride);
        }
      zstep (c, &sw, xb, sw_size, zb, zw_stride, B);
      stats (&sw, xb, sw_size, zb, zw_stride, B, ztz_b, ztx_b, &x2, &l1);
      record (c, 0, data_cost (c, &sw, ztz_b, ztx_b, x2) + c->lambda * l1);
      for (gsize i = 0; i < (gsize) c->s.n_atoms * c->s.n_atoms * as_csc_lag_size (&sw); i++)
        acc_ztz[i] = alpha * acc_ztz[i] + ztz_b[i];
      for (gsize i = 0; i < c->s.n_atoms * c->asz; i++)
        acc_ztx[i] = alpha * acc_ztx[i] + ztx_b[i];
      acc_x2 = alpha * acc_x2 + x2;
      dstep (c, &sw, acc_ztz, acc_ztx, acc_x2);
      record (c, 1, data_cost (c, &sw, ztz_b, ztx_b, x2) + c->lambda * l1);
      for (guint b = 0; b < B; b++)
        memcpy (zw + pick[b] * zw_stride, zb + b * zw_stride, sizeof (double) * zw_stride);
      /* The window sees the atoms evolve; whole-signal activations come at the end. */
      if (c->iteration % 10 == 0)
        publish (c);
    }
  if (c->end_state == AS_CDL_END_RUNNING)
    c->end_state = AS_CDL_END_ITERATION_LIMIT;
  c->iteration = MIN (c->iteration, c->p->max_iter);

  /* Activations of the whole signal: window codes as the warm start of one full z-step. */
  for (guint i = 0; i < starts->len; i++)
    {
      guint *e = &g_array_index (starts, guint, 2 * i);
      for (guint k = 0; k < c->s.n_atoms; k++)
        memcpy (c->z + e[0] * c->zstride + k * c->nv + e[1], zw + i * zw_stride + k * nvw,
                sizeof (double) * nvw);
    }
  if (keep_going (c))
    {
      zstep (c, &c->s, c->x, c->ssz, c->z, c->zstride, c->n);
      full_stats (c);
      record (c, 0, data_cost (c, &c->s, c->ztz, c->ztx, c->x2) + c->lambda * c->l1);
    }

  g_array_unref (starts);
  g_free (zw);
  g_free (xb);
  g_free (zb);
  g_free (ztz_b);
  g_free (ztx_b);
  g_free (acc_ztz);
  g_free (acc_ztx);
  g_free (pick);
}

/* Greedy start for online learning: a short batch CDL with the greedy start on a random
 * subset of windows (a long recording is never processed whole before learning starts). */
static void
greedy_init_on_windows (Cdl *c)
{
  const guint P = c->s.n_channels, L = c->s.atom_width, W = c->s.width;
  const guint Tw = MIN (W, c->p->online_window > 0 ? c->p->online_window : 8 * L);
  const guint n_win = MAX (32, 4 * c->p->online_batch);
  double *xw = g_new (double, (gsize) n_win * P * Tw);
  AsCdlParams sub = *c->p;
  AsCdlModel *m;

  for (guint i = 0; i < n_win; i++)
    {
      guint n = as_rng_below (&c->rng, c->n), st = as_rng_below (&c->rng, W - Tw + 1);
      for (guint p = 0; p < P; p++)
        memcpy (xw + ((gsize) i * P + p) * Tw, c->x + n * c->ssz + (gsize) p * W + st,
                sizeof (double) * Tw);
    }
  sub.online = FALSE;
  sub.init = AS_CDL_INIT_GREEDY;
  sub.max_iter = GREEDY_PERIOD * c->full.n_atoms + 10;
  sub.sort_atoms = FALSE;
  sub.tukey = 0.0;
  sub.seed = as_rng_next (&c->rng);
  m = as_cdl_learn (xw, n_win, P, 1, Tw, &sub, NULL, NULL, NULL);
  if (m != NULL && m->shape.n_atoms == c->full.n_atoms)
    {
      if (c->p->rank1)
        {
          memcpy (c->u, m->u, sizeof (double) * c->full.n_atoms * P);
          memcpy (c->v, m->v, sizeof (double) * c->full.n_atoms * c->hw);
        }
      else
        memcpy (c->param, m->atoms, sizeof (double) * c->full.n_atoms * c->asz);
    }
  else
    for (guint k = 0; k < c->full.n_atoms; k++)
      atom_random (c, k);
  if (m != NULL)
    as_cdl_model_unref (m);
  g_free (xw);
}

/* λ_max of the data, whatever the dictionary (docs/lambda.md): the largest correlation any
 * unit-norm atom can have with the data, reached (up to the power iteration) by the leading
 * singular vectors (rank-1) or the normalised window (full rank) of the window of largest
 * energy; with either sign, so that it does not depend on the starting atoms. */
static double
data_lambda_max (Cdl *c)
{
  const guint K = c->s.n_atoms, P = c->s.n_channels;
  AsCscShape one = c->s;
  double *saved = NULL, *res, lm;
  gsize saved_size;
  guint n, y, x;

  saved_size = c->p->rank1 ? (gsize) K * P + K * c->hw : K * c->asz;
  saved = g_new (double, MAX (1, saved_size));
  if (c->p->rank1)
    {
      memcpy (saved, c->u, sizeof (double) * K * P);
      memcpy (saved + (gsize) K * P, c->v, sizeof (double) * K * c->hw);
    }
  else
    memcpy (saved, c->param, sizeof (double) * K * c->asz);

  c->s.n_atoms = 0;
  worst_window (c, NULL, 0, &n, &y, &x, &res);
  c->s.n_atoms = 1;
  atom_from_window (c, 0, res + (gsize) y * c->s.width + x, c->s.height, c->s.width);
  update_effective (c);
  g_free (res);
  one.n_atoms = 1;
  lm = as_csc_lambda_max (&one, c->atoms, c->p->rank1 ? c->u : NULL,
                          c->p->rank1 ? c->veff : NULL, c->x, c->n, FALSE);

  c->s.n_atoms = K;
  if (c->p->rank1)
    {
      memcpy (c->u, saved, sizeof (double) * K * P);
      memcpy (c->v, saved + (gsize) K * P, sizeof (double) * K * c->hw);
    }
  else
    memcpy (c->param, saved, sizeof (double) * K * c->asz);
  update_effective (c);
  g_free (saved);
  return lm;
}

double
as_cdl_data_lambda_max (const double *x, guint n_trials, guint n_channels, guint height,
                        guint width, guint atom_height, guint atom_width, gboolean rank1)
{
  AsCdlParams p;
  Cdl cdl = { 0 }, *c = &cdl;
  double lm;

  as_cdl_params_init (&p);
  p.rank1 = rank1;
  c->p = &p;
  c->s = (AsCscShape) { 1, n_channels, height, width, MAX (1, atom_height), atom_width };
  c->full = c->s;
  c->n = n_trials;
  c->x = x;
  c->nv = as_csc_n_valid (&c->s);
  c->ssz = as_csc_signal_size (&c->s);
  c->asz = as_csc_atom_size (&c->s);
  c->hw = (gsize) c->s.atom_height * c->s.atom_width;
  c->zstride = c->nv;
  as_rng_init (&c->rng, 0);
  c->u = g_new0 (double, n_channels);
  c->v = g_new0 (double, c->hw);
  c->veff = g_new0 (double, c->hw);
  c->param = g_new0 (double, c->asz);
  c->atoms = g_new0 (double, c->asz);
  c->z = g_new0 (double, (gsize) n_trials * c->nv);
  lm = data_lambda_max (c);
  g_free (c->u);
  g_free (c->v);
  g_free (c->veff);
  g_free (c->param);
  g_free (c->atoms);
  g_free (c->z);
  return lm;
}

static gboolean
check_params (const AsCdlParams *p, const AsCscShape *s, guint n_trials, GError **error)
{
  if (!as_csc_shape_check (s, error))
    return FALSE;
  if (n_trials == 0 || p->max_iter == 0 || !(p->lambda >= 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Dictionary learning needs at least one trial, one iteration and λ ≥ 0"));
      return FALSE;
    }
  if (p->online && (s->height != 1 || !(p->online_forget > 0.0 && p->online_forget <= 1.0)))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("Online learning works on 1-D signals with a forgetting factor in (0, 1]"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
warm_start_fits (const AsCdlModel *w, const Cdl *c)
{
  return w != NULL && w->shape.n_atoms == c->full.n_atoms
         && w->shape.n_channels == c->full.n_channels
         && w->shape.atom_height == c->full.atom_height
         && w->shape.atom_width == c->full.atom_width;
}

/* A checkpoint continues exactly where it was taken: same atoms and activations, the same
 * λ and λ_max (hence the same LGCD tolerance), the trace and the iteration count. */
static gboolean
check_resume (const AsCdlModel *r, const AsCdlParams *p, const AsCscShape *full, guint n_trials,
              GError **error)
{
  if (p->online || p->tukey > 0.0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("Only batch learning without a taper can be resumed"));
      return FALSE;
    }
  if (r->encoded || r->rank1 != p->rank1 || r->positive != p->positive || r->n_trials != n_trials
      || r->shape.n_atoms != full->n_atoms || r->shape.n_channels != full->n_channels
      || r->shape.height != full->height || r->shape.width != full->width
      || r->shape.atom_height != full->atom_height || r->shape.atom_width != full->atom_width)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The model to resume does not match this recording and these parameters (%u atoms of %u × %u on %u × %u samples; atoms still being added cannot be resumed)"),
                   r->shape.n_atoms, r->shape.n_channels, r->shape.atom_width, r->shape.n_channels,
                   r->shape.width);
      return FALSE;
    }
  if (r->trace->len == 0 || !isfinite (r->lambda) || !isfinite (r->lambda_max))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The model to resume records no objective or no λ"));
      return FALSE;
    }
  return TRUE;
}

static AsCdlModel *learn_internal (const double *x, const guint8 *mask, guint n_trials,
                                   guint n_channels, guint height,
                                   guint width, const AsCdlParams *params,
                                   const AsCdlModel *warm_start, const AsCdlModel *resume,
                                   AsJob *job, GError **error);

AsCdlModel *
as_cdl_learn (const double *x, guint n_trials, guint n_channels, guint height, guint width,
              const AsCdlParams *params, const AsCdlModel *warm_start, AsJob *job,
              GError **error)
{
  return learn_internal (x, NULL, n_trials, n_channels, height, width, params, warm_start, NULL, job, error);
}

AsCdlModel *
as_cdl_learn_masked (const double *x, const guint8 *mask, guint n_trials, guint n_channels,
                     guint width, const AsCdlParams *params, const AsCdlModel *warm_start,
                     AsJob *job, GError **error)
{
  return learn_internal (x, mask, n_trials, n_channels, 1, width, params, warm_start, NULL, job,
                         error);
}

AsCdlModel *
as_cdl_learn_resume (const double *x, guint n_trials, guint n_channels, guint height, guint width,
                     const AsCdlParams *params, const AsCdlModel *from, AsJob *job, GError **error)
{
  g_return_val_if_fail (from != NULL, NULL);
  return learn_internal (x, NULL, n_trials, n_channels, height, width, params, NULL, from, job, error);
}

static AsCdlModel *
learn_internal (const double *x, const guint8 *mask, guint n_trials, guint n_channels,
                guint height, guint width,
                const AsCdlParams *params, const AsCdlModel *warm_start, const AsCdlModel *resume,
                AsJob *job, GError **error)
{
  Cdl cdl = { 0 }, *c = &cdl;
  const AsCdlParams *p = params;
  AsCdlModel *model;
  const guint K = p->n_atoms;

  c->p = p;
  c->full = (AsCscShape) { K, n_channels, height, width, MAX (1, p->atom_height), p->atom_length };
  if (!check_params (p, &c->full, n_trials, error))
    return NULL;
  if (resume != NULL && !check_resume (resume, p, &c->full, n_trials, error))
    return NULL;
  c->first_iteration = 1;
  c->prev_objective = G_MAXDOUBLE;
  if (warm_start != NULL && !warm_start_fits (warm_start, c))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("The warm-start model has %u atoms of %u × %u × %u samples, but %u atoms of %u × %u × %u were asked for"),
                   warm_start->shape.n_atoms, warm_start->shape.n_channels,
                   warm_start->shape.atom_height, warm_start->shape.atom_width,
                   K, n_channels, c->full.atom_height, c->full.atom_width);
      return NULL;
    }
  c->s = c->full;
  c->n = n_trials;
  c->x = x;
  if (mask != NULL)
    {
      const gsize ssz = as_csc_signal_size (&c->full);
      gsize n_masked = 0;
      if (height != 1 || c->full.atom_height != 1)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                       _("Samples can be left out of learning on signals only, not on images"));
          return NULL;
        }
      /* The data term reads the data as zero where it is masked (docs/maths.md). */
      c->x_masked = g_new (double, (gsize) n_trials * ssz);
      for (guint n = 0; n < n_trials; n++)
        for (gsize i = 0; i < ssz; i++)
          {
            gboolean m = mask[(gsize) n * width + i % width] != 0;
            c->x_masked[n * ssz + i] = m ? 0.0 : x[n * ssz + i];
            n_masked += m && i < width;
          }
      if (n_masked == (gsize) n_trials * width)
        {
          g_free (c->x_masked);
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("Every sample is left out of learning (missing or masked): nothing to learn from"));
          return NULL;
        }
      if (n_masked > 0)
        {
          c->x = c->x_masked;
          c->mask = mask;
          c->patches = as_csc_mask_patches_new (&c->full);
        }
    }
  c->nv = as_csc_n_valid (&c->s);
  c->ssz = as_csc_signal_size (&c->s);
  c->asz = as_csc_atom_size (&c->s);
  c->hw = (gsize) c->s.atom_height * c->s.atom_width;
  c->zstride = K * c->nv;
  c->job = job;
  c->trace = g_array_new (FALSE, FALSE, sizeof (AsCdlTracePoint));
  c->timer = g_timer_new ();
  c->weak = g_new0 (guint8, K);
  c->resampled = g_new0 (guint, K);
  c->end_state = AS_CDL_END_RUNNING;
  as_rng_init (&c->rng, p->seed);

  if (p->rank1)
    {
      c->u = g_new0 (double, (gsize) K * n_channels);
      c->v = g_new0 (double, K * c->hw);
      c->veff = g_new0 (double, K * c->hw);
    }
  else
    c->param = g_new0 (double, K * c->asz);
  c->atoms = g_new0 (double, K * c->asz);
  c->z = g_try_new0 (double, (gsize) n_trials * c->zstride);
  if (c->z == NULL)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_UNSUPPORTED,
                   _("Not enough memory for the activations (%zu values): use fewer atoms or a shorter recording"),
                   (gsize) n_trials * c->zstride);
      goto out_error;
    }
  c->ztz = g_new0 (double, (gsize) K * K * as_csc_lag_size (&c->s));
  c->ztx = g_new0 (double, K * c->asz);
  if (p->tukey > 0.0)
    {
      double *wy = g_new (double, c->s.atom_height), *wx = g_new (double, c->s.atom_width);
      tukey (c->s.atom_height, c->s.atom_height > 1 ? p->tukey : 0.0, wy);
      tukey (c->s.atom_width, p->tukey, wx);
      c->window = g_new (double, c->hw);
      for (guint a = 0; a < c->s.atom_height; a++)
        for (guint b = 0; b < c->s.atom_width; b++)
          c->window[(gsize) a * c->s.atom_width + b] = wy[a] * wx[b];
      g_free (wy);
      g_free (wx);
    }

  /* Initial dictionary. */
  if (resume != NULL)
    {
      if (p->rank1)
        {
          memcpy (c->u, resume->u, sizeof (double) * K * n_channels);
          memcpy (c->v, resume->v, sizeof (double) * K * c->hw);
        }
      else
        memcpy (c->param, resume->atoms, sizeof (double) * K * c->asz);
      memcpy (c->z, resume->activations, sizeof (double) * n_trials * c->zstride);
    }
  else if (warm_start != NULL)
    {
      if (p->rank1 && warm_start->rank1)
        {
          memcpy (c->u, warm_start->u, sizeof (double) * K * n_channels);
          memcpy (c->v, warm_start->v, sizeof (double) * K * c->hw);
        }
      else if (p->rank1)
        for (guint k = 0; k < K; k++)
          atom_from_window (c, k, warm_start->atoms + k * c->asz, c->s.atom_height, c->s.atom_width);
      else
        memcpy (c->param, warm_start->atoms, sizeof (double) * K * c->asz);
      if (warm_start->n_trials == n_trials && warm_start->shape.height == height
          && warm_start->shape.width == width)
        memcpy (c->z, warm_start->activations, sizeof (double) * n_trials * c->zstride);
    }
  else if (p->init == AS_CDL_INIT_RANDOM)
    for (guint k = 0; k < K; k++)
      atom_random (c, k);
  else if (p->init == AS_CDL_INIT_GREEDY && !p->online)
    {
      c->s.n_atoms = 1;
      replace_with_worst_window (c, 0);
    }
  else if (p->init == AS_CDL_INIT_GREEDY)
    greedy_init_on_windows (c);
  else
    {
      const guint Hv = as_csc_valid_height (&c->s), Wv = as_csc_valid_width (&c->s);
      for (guint k = 0; k < K; k++)
        {
          guint n = as_rng_below (&c->rng, n_trials);
          guint y = as_rng_below (&c->rng, Hv), xx = as_rng_below (&c->rng, Wv);
          atom_from_window (c, k, c->x + n * c->ssz + (gsize) y * width + xx, height, width);
        }
    }
  update_effective (c);

  if (resume != NULL)
    {
      c->lambda_max = resume->lambda_max;
      c->lambda = resume->lambda;
    }
  else
    {
      c->lambda_max = data_lambda_max (c);
      c->lambda = p->lambda_absolute ? p->lambda : p->lambda * c->lambda_max;
    }
  {
    /* The LGCD tolerance is relative to the data (its RMS), not to a dictionary: on data of
     * unit variance it is alphacsc's absolute tolerance (docs/lambda.md). */
    double x2 = 0.0;
    for (gsize i = 0; i < (gsize) n_trials * c->ssz; i++)
      x2 += c->x[i] * c->x[i];
    if (!isfinite (x2))
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                     _("The data has non-finite values (NaN or infinite): nothing can be learned from it"));
        goto out_error;
      }
    if (!(x2 > 0.0) || !(c->lambda_max > 0.0))
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("The data is zero everywhere: nothing can be learned from it"));
        goto out_error;
      }
    if (c->lambda >= c->lambda_max)
      {
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("λ = %g is at or above λ_max = %g of this data: every activation would be zero (use a smaller λ)"),
                     c->lambda, c->lambda_max);
        goto out_error;
      }
    c->z_tol = p->z_tol * sqrt (x2 / ((double) n_trials * c->ssz));
  }

  if (resume != NULL)
    {
      /* The trace so far; learning goes on with the next iteration. */
      g_array_append_vals (c->trace, resume->trace->data, resume->trace->len);
      c->first_iteration = resume->iteration + 1;
      c->iteration = resume->iteration;
      c->prev_objective = g_array_index (resume->trace, AsCdlTracePoint, resume->trace->len - 1).objective;
      c->converged = resume->converged;
      if (resume->converged)
        c->end_state = AS_CDL_END_CONVERGED;
      publish (c);
    }
  else
    {
      /* Objective of the starting point, iteration 0. */
      full_stats (c);
      c->iteration = 0;
      record (c, 1, data_cost (c, &c->s, c->ztz, c->ztx, c->x2) + c->lambda * c->l1);
      publish (c);
    }

  if (p->online)
    learn_online (c);
  else if (resume == NULL || !resume->converged)   /* a converged model has nothing left to do */
    learn_batch (c);

  /* A stopped run keeps its order, so that it resumes exactly where it stopped. */
  if (p->sort_atoms && c->s.n_atoms > 1 && !c->stopped)
    sort_atoms (c);
  for (guint k = 0; k < c->s.n_atoms; k++)
    c->weak[k] = atom_is_weak (c, k);

  model = snapshot (c, c->z, c->zstride);
  goto out;

out_error:
  model = NULL;
out:
  g_free (c->param);
  g_free (c->u);
  g_free (c->v);
  g_free (c->veff);
  g_free (c->window);
  g_free (c->atoms);
  g_free (c->z);
  g_free (c->z_saved);
  g_free (c->ztz);
  g_free (c->ztx);
  g_free (c->x_masked);
  as_csc_mask_patches_free (c->patches);
  g_free (c->weak);
  g_free (c->resampled);
  g_array_unref (c->trace);
  g_timer_destroy (c->timer);
  return model;
}

/* ---- jobs --------------------------------------------------------------------- */

typedef struct
{
  double      *x_owned;
  AsRecording *recording;
  const double *x;
  guint        n_trials, n_channels, height, width;
  AsCdlParams  params;
  AsCdlModel  *warm;
  gboolean     resume;    /* warm is a checkpoint to continue */
  guint8      *mask;      /* n_trials × width, 1 = left out; NULL when nothing is */
} CdlJobData;

static void
cdl_job_data_free (gpointer data)
{
  CdlJobData *d = data;

  g_free (d->x_owned);
  g_free (d->mask);
  if (d->recording != NULL)
    as_recording_unref (d->recording);
  if (d->warm != NULL)
    as_cdl_model_unref (d->warm);
  g_free (d);
}

static gboolean
cdl_job_run (AsJob *job, gpointer user_data, GError **error)
{
  CdlJobData *d = user_data;
  AsCdlModel *m = learn_internal (d->x, d->mask, d->n_trials, d->n_channels, d->height,
                                  d->width, &d->params, d->resume ? NULL : d->warm,
                                  d->resume ? d->warm : NULL, job, error);

  if (m == NULL)
    return FALSE;
  if (d->recording != NULL)
    m->sfreq = d->recording->sfreq;
  as_job_set_progress (job, 1.0, NULL);
  as_job_publish (job, m);
  return TRUE;
}

static AsJob *
cdl_job_new (CdlJobData *d, const AsCdlParams *params, AsCdlModel *warm)
{
  d->params = *params;
  d->warm = warm != NULL ? as_cdl_model_ref (warm) : NULL;
  return as_job_new ("cdl", cdl_job_run, d, cdl_job_data_free,
                     (AsJobRefFunc) as_cdl_model_ref, (GDestroyNotify) as_cdl_model_unref);
}

AsJob *
as_cdl_job_new (const double *x, guint n_trials, guint n_channels, gsize n_times,
                const AsCdlParams *params, AsCdlModel *warm_start)
{
  CdlJobData *d = g_new0 (CdlJobData, 1);

  d->x_owned = g_memdup2 (x, sizeof (double) * n_trials * n_channels * n_times);
  d->x = d->x_owned;
  d->n_trials = n_trials;
  d->n_channels = n_channels;
  d->height = 1;
  d->width = (guint) n_times;
  return cdl_job_new (d, params, warm_start);
}

AsJob *
as_cdl_job_new_image (const double *x, guint n_images, guint n_channels, guint height,
                      guint width, const AsCdlParams *params, AsCdlModel *warm_start)
{
  CdlJobData *d = g_new0 (CdlJobData, 1);

  d->x_owned = g_memdup2 (x, sizeof (double) * n_images * n_channels * height * width);
  d->x = d->x_owned;
  d->n_trials = n_images;
  d->n_channels = n_channels;
  d->height = height;
  d->width = width;
  return cdl_job_new (d, params, warm_start);
}

guint8 *
as_cdl_recording_mask (const AsRecording *recording)
{
  const gsize n = recording->n_samples;
  guint8 *mask;
  gboolean any = FALSE;

  if (recording->missing == NULL)
    return NULL;
  mask = g_new0 (guint8, MAX (n, 1));
  for (guint ch = 0; ch < recording->n_channels; ch++)
    for (gsize t = 0; t < n; t++)
      if (recording->missing[(gsize) ch * n + t])
        mask[t] = 1, any = TRUE;
  if (!any)
    g_clear_pointer (&mask, g_free);
  return mask;
}

AsJob *
as_cdl_job_new_for_recording (AsRecording *recording, const AsCdlParams *params,
                              AsCdlModel *warm_start)
{
  CdlJobData *d = g_new0 (CdlJobData, 1);

  d->recording = as_recording_ref (recording);
  d->x = recording->data;
  d->n_trials = 1;
  d->n_channels = recording->n_channels;
  d->height = 1;
  d->width = (guint) recording->n_samples;
  d->mask = as_cdl_recording_mask (recording);
  return cdl_job_new (d, params, warm_start);
}

AsJob *
as_cdl_job_new_resume_for_recording (AsRecording *recording, const AsCdlParams *params,
                                     AsCdlModel *from)
{
  CdlJobData *d = g_new0 (CdlJobData, 1);

  d->recording = as_recording_ref (recording);
  d->x = recording->data;
  d->n_trials = 1;
  d->n_channels = recording->n_channels;
  d->height = 1;
  d->width = (guint) recording->n_samples;
  d->mask = as_cdl_recording_mask (recording);
  d->resume = TRUE;
  return cdl_job_new (d, params, from);
}

AsCdlModel *
as_cdl_job_dup_model (AsJob *job)
{
  return as_job_dup_snapshot (job, NULL);
}

AsCdlModel *
as_cdl_job_get_result (AsJob *job)
{
  g_return_val_if_fail (as_job_is_done (job), NULL);
  return as_job_dup_snapshot (job, NULL);
}
