/* as-filter.c: Butterworth and notch design, zero-phase filtering.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-filter"

#include "config.h"

#include <complex.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-filter.h"

void
as_sos_free (AsSos *sos)
{
  if (sos == NULL)
    return;
  g_free (sos->sections);
  g_free (sos);
}

static AsSos *
sos_new (guint n)
{
  AsSos *s = g_new0 (AsSos, 1);

  s->n_sections = n;
  s->sections = g_new0 (AsBiquad, MAX (n, 1));
  return s;
}

AsSos *
as_sos_cascade (const AsSos *a, const AsSos *b)
{
  AsSos *s = sos_new (a->n_sections + b->n_sections);

  memcpy (s->sections, a->sections, a->n_sections * sizeof (AsBiquad));
  memcpy (s->sections + a->n_sections, b->sections, b->n_sections * sizeof (AsBiquad));
  return s;
}

/* Analog Butterworth prototype poles p_k = exp(iπ(2k + N + 1)/(2N)), k = 0..N−1,
 * scaled to the pre-warped cut-off Ω = 2fs·tan(πfc/fs), for a low-pass; for a
 * high-pass Ω/p_k.  Each is mapped by the bilinear transform
 * z = (2fs + s)/(2fs − s).  Conjugate pairs make biquads; an odd order leaves
 * one real pole for a first-order section.  Zeros sit at z = −1 (low-pass)
 * or z = +1 (high-pass); each section is normalised to unit gain at DC or
 * at Nyquist. */
static AsSos *
butter_one (gboolean high, guint order, double fc, double fs)
{
  AsSos *sos = sos_new ((order + 1) / 2);
  double omega = 2 * fs * tan (G_PI * fc / fs);
  guint s = 0;

  for (guint k = 0; k < order / 2; k++)
    {
      double complex p = cexp (I * G_PI * (2.0 * k + order + 1) / (2.0 * order));
      double complex sp = high ? omega / p : omega * p;
      double complex z = (2 * fs + sp) / (2 * fs - sp);
      AsBiquad *bq = &sos->sections[s++];
      double a1 = -2 * creal (z), a2 = creal (z) * creal (z) + cimag (z) * cimag (z), g;

      bq->a[0] = 1, bq->a[1] = a1, bq->a[2] = a2;
      if (high)
        {
          g = (1 - a1 + a2) / 4;
          bq->b[0] = g, bq->b[1] = -2 * g, bq->b[2] = g;
        }
      else
        {
          g = (1 + a1 + a2) / 4;
          bq->b[0] = g, bq->b[1] = 2 * g, bq->b[2] = g;
        }
    }
  if (order % 2 == 1)
    {
      /* the real pole p = −1 */
      double sp = high ? -omega : -omega;
      double zr = (2 * fs + sp) / (2 * fs - sp), g;
      AsBiquad *bq = &sos->sections[s++];

      bq->a[0] = 1, bq->a[1] = -zr, bq->a[2] = 0;
      if (high)
        {
          g = (1 + zr) / 2;
          bq->b[0] = g, bq->b[1] = -g, bq->b[2] = 0;
        }
      else
        {
          g = (1 - zr) / 2;
          bq->b[0] = g, bq->b[1] = g, bq->b[2] = 0;
        }
    }
  return sos;
}

AsSos *
as_butterworth_design (AsFilterType type, guint order, double f1, double f2, double sfreq,
                       GError **error)
{
  double nyq = sfreq / 2;

  if (!(sfreq > 0) || !isfinite (sfreq) || order < 1 || order > 16)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("a Butterworth filter needs an order from 1 to 16 and a positive sampling rate (order %u, %g Hz)"),
                   order, sfreq);
      return NULL;
    }
  if (!(f1 > 0 && f1 < nyq) || (type == AS_FILTER_BANDPASS && !(f2 > f1 && f2 < nyq)))
    {
      if (type == AS_FILTER_BANDPASS)
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("the band %g–%g Hz must lie strictly between 0 Hz and the Nyquist frequency %g Hz"),
                     f1, f2, nyq);
      else
        g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                     _("the cut-off %g Hz must lie strictly between 0 Hz and the Nyquist frequency %g Hz"),
                     f1, nyq);
      return NULL;
    }
  switch (type)
    {
    case AS_FILTER_LOWPASS:
      return butter_one (FALSE, order, f1, sfreq);
    case AS_FILTER_HIGHPASS:
      return butter_one (TRUE, order, f1, sfreq);
    case AS_FILTER_BANDPASS:
      {
        g_autoptr (AsSos) hp = butter_one (TRUE, order, f1, sfreq);
        g_autoptr (AsSos) lp = butter_one (FALSE, order, f2, sfreq);
        return as_sos_cascade (hp, lp);
      }
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

AsSos *
as_notch_design (double f0, double q, double sfreq, GError **error)
{
  AsSos *sos;
  double w0, alpha, a0;

  if (!(sfreq > 0) || !(f0 > 0 && f0 < sfreq / 2) || !(q > 0) || !isfinite (q))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("a notch at %g Hz (quality %g) needs 0 < frequency < %g Hz and a positive quality"),
                   f0, q, sfreq / 2);
      return NULL;
    }
  sos = sos_new (1);
  w0 = 2 * G_PI * f0 / sfreq;
  alpha = sin (w0) / (2 * q);
  a0 = 1 + alpha;
  sos->sections[0].b[0] = 1 / a0;
  sos->sections[0].b[1] = -2 * cos (w0) / a0;
  sos->sections[0].b[2] = 1 / a0;
  sos->sections[0].a[0] = 1;
  sos->sections[0].a[1] = -2 * cos (w0) / a0;
  sos->sections[0].a[2] = (1 - alpha) / a0;
  return sos;
}

double complex
as_sos_response (const AsSos *sos, double f, double sfreq)
{
  double complex z1 = cexp (-I * 2 * G_PI * f / sfreq), h = 1;

  for (guint s = 0; s < sos->n_sections; s++)
    {
      const AsBiquad *q = &sos->sections[s];
      h *= (q->b[0] + q->b[1] * z1 + q->b[2] * z1 * z1) / (1 + q->a[1] * z1 + q->a[2] * z1 * z1);
    }
  return h;
}

/* Transposed direct form II with the steady state of a constant input x[0]:
 * for a section of DC gain G, z2 = (b2 − a2 G) x0, z1 = (b1 − a1 G) x0 + z2. */
void
as_sos_filter (const AsSos *sos, double *x, gsize n)
{
  double x0;

  if (n == 0)
    return;
  x0 = x[0];
  for (guint s = 0; s < sos->n_sections; s++)
    {
      const AsBiquad *q = &sos->sections[s];
      double den = 1 + q->a[1] + q->a[2];
      double g = fabs (den) > 1e-300 ? (q->b[0] + q->b[1] + q->b[2]) / den : 0;
      double z2 = (q->b[2] - q->a[2] * g) * x0;
      double z1 = (q->b[1] - q->a[1] * g) * x0 + z2;

      for (gsize t = 0; t < n; t++)
        {
          double in = x[t], y = q->b[0] * in + z1;
          z1 = q->b[1] * in - q->a[1] * y + z2;
          z2 = q->b[2] * in - q->a[2] * y;
          x[t] = y;
        }
      x0 *= g;
    }
}

/* as_sos_filtfilt() with @padl samples of odd extension before @x and @padr after. */
static void
sos_filtfilt_ext (const AsSos *sos, double *x, gsize n, gsize padl, gsize padr)
{
  g_autofree double *ext = NULL;
  gsize m;

  if (n < 2)
    return;
  padl = MIN (padl, n - 1);
  padr = MIN (padr, n - 1);
  m = n + padl + padr;
  ext = g_new (double, m);
  /* odd extension: 2 x[0] − x[padl..1] and 2 x[n−1] − x[n−2..n−1−padr] */
  for (gsize i = 0; i < padl; i++)
    ext[i] = 2 * x[0] - x[padl - i];
  memcpy (ext + padl, x, n * sizeof (double));
  for (gsize i = 0; i < padr; i++)
    ext[padl + n + i] = 2 * x[n - 1] - x[n - 2 - i];
  as_sos_filter (sos, ext, m);
  for (gsize i = 0; i < m / 2; i++)
    {
      double t = ext[i];
      ext[i] = ext[m - 1 - i];
      ext[m - 1 - i] = t;
    }
  as_sos_filter (sos, ext, m);
  for (gsize i = 0; i < n; i++)
    x[i] = ext[m - 1 - padl - i];
}

void
as_sos_filtfilt (const AsSos *sos, double *x, gsize n, gsize padlen)
{
  sos_filtfilt_ext (sos, x, n, padlen, padlen);
}

/* ---- a chain of filters applied to one channel ----------------------------------- */

typedef struct
{
  AsSos *sos;
  gsize  padlen;
  double slowest;  /* the largest pole radius of its sections */
} ChainStage;

struct _AsFilterChain
{
  GArray *stages;  /* of ChainStage */
};

/* The largest |pole| of the sections: the roots of z² + a1 z + a2. */
static double
sos_slowest_pole (const AsSos *sos)
{
  double r = 0;

  for (guint i = 0; i < sos->n_sections; i++)
    {
      double a1 = sos->sections[i].a[1], a2 = sos->sections[i].a[2], d = a1 * a1 - 4 * a2;

      if (d < 0)
        r = MAX (r, sqrt (a2));
      else
        r = MAX (r, MAX (fabs (-a1 + sqrt (d)), fabs (-a1 - sqrt (d))) / 2);
    }
  return r;
}

static void
chain_stage_clear (ChainStage *stage)
{
  as_sos_free (stage->sos);
}

AsFilterChain *
as_filter_chain_new (const AsFilterSpec *spec, double sfreq, GError **error)
{
  g_autoptr (AsFilterChain) chain = g_new0 (AsFilterChain, 1);
  guint order = spec->order ? spec->order : 4;

  chain->stages = g_array_new (FALSE, TRUE, sizeof (ChainStage));
  g_array_set_clear_func (chain->stages, (GDestroyNotify) chain_stage_clear);
  if (spec->notch > 0)
    {
      double q = spec->notch_q > 0 ? spec->notch_q : 30;

      if (spec->notch >= sfreq / 2)
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("the notch at %g Hz is above the Nyquist frequency %g Hz"), spec->notch,
                       sfreq / 2);
          return NULL;
        }
      for (double f = spec->notch; f < sfreq / 2; f += spec->notch)
        {
          /* A notch of quality q rings for about q/(π f) seconds. */
          ChainStage stage = { as_notch_design (f, q, sfreq, error), (gsize) (3 * q * sfreq / f), 0 };
          if (stage.sos == NULL)
            return NULL;
          stage.slowest = sos_slowest_pole (stage.sos);
          g_array_append_val (chain->stages, stage);
          if (!spec->notch_harmonics)
            break;
        }
    }
  if (spec->highpass > 0 || spec->lowpass > 0)
    {
      ChainStage stage = { NULL, 0, 0 };
      double slowest = spec->highpass > 0 ? spec->highpass : spec->lowpass;

      if (spec->highpass > 0 && spec->lowpass > 0)
        stage.sos = as_butterworth_design (AS_FILTER_BANDPASS, order, spec->highpass, spec->lowpass,
                                           sfreq, error);
      else if (spec->highpass > 0)
        stage.sos = as_butterworth_design (AS_FILTER_HIGHPASS, order, spec->highpass, 0, sfreq, error);
      else
        stage.sos = as_butterworth_design (AS_FILTER_LOWPASS, order, spec->lowpass, 0, sfreq, error);
      if (stage.sos == NULL)
        return NULL;
      stage.padlen = (gsize) (3 * order * sfreq / slowest);
      stage.slowest = sos_slowest_pole (stage.sos);
      g_array_append_val (chain->stages, stage);
    }
  return g_steal_pointer (&chain);
}

void
as_filter_chain_free (AsFilterChain *chain)
{
  if (chain == NULL)
    return;
  g_array_unref (chain->stages);
  g_free (chain);
}

gboolean
as_filter_chain_is_empty (const AsFilterChain *chain)
{
  return chain->stages->len == 0;
}

gsize
as_filter_chain_settle (const AsFilterChain *chain)
{
  const double tolerance = 1e-4;
  gsize settle = 0;

  /* A stage started from the steady state of its first sample is off by at most
   * the signal's size times its slowest pole's radius to the n; each stage gets
   * an equal share of the tolerance. */
  for (guint i = 0; i < chain->stages->len; i++)
    {
      double r = g_array_index (chain->stages, ChainStage, i).slowest;
      if (r >= 1)
        return G_MAXSIZE / 4;
      if (r > 0)
        settle = MAX (settle, (gsize) ceil (log (tolerance / chain->stages->len) / log (r)));
    }
  return settle;
}

static void
chain_apply_run (const AsFilterChain *chain, double *x, gsize n, gboolean extend_start,
                 gboolean extend_end)
{
  for (guint i = 0; i < chain->stages->len; i++)
    {
      const ChainStage *stage = &g_array_index (chain->stages, ChainStage, i);
      sos_filtfilt_ext (stage->sos, x, n, extend_start ? stage->padlen : 0,
                        extend_end ? stage->padlen : 0);
    }
}

void
as_filter_chain_apply (const AsFilterChain *chain, double *x, gsize n)
{
  gsize t = 0;

  if (as_filter_chain_is_empty (chain))
    return;
  while (t < n)
    {
      gsize end;

      while (t < n && !isfinite (x[t]))
        t++;
      for (end = t; end < n && isfinite (x[end]); end++)
        ;
      if (end > t)
        chain_apply_run (chain, x + t, end - t, TRUE, TRUE);
      t = end;
    }
}

/* Four channels at once: each runs the same arithmetic as as_sos_filter(),
 * in the same order (its results are identical), but the four recursions are
 * independent, so the processor overlaps them instead of waiting on one. */
#define MANY 4

static void
sos_filter_many (const AsSos *sos, double *const *x, gsize n)
{
  double x0[MANY];

  if (n == 0)
    return;
  for (int k = 0; k < MANY; k++)
    x0[k] = x[k][0];
  for (guint s = 0; s < sos->n_sections; s++)
    {
      const AsBiquad *q = &sos->sections[s];
      double den = 1 + q->a[1] + q->a[2];
      double g = fabs (den) > 1e-300 ? (q->b[0] + q->b[1] + q->b[2]) / den : 0;
      double z1[MANY], z2[MANY];
      double *x_0 = x[0], *x_1 = x[1], *x_2 = x[2], *x_3 = x[3];

      for (int k = 0; k < MANY; k++)
        {
          z2[k] = (q->b[2] - q->a[2] * g) * x0[k];
          z1[k] = (q->b[1] - q->a[1] * g) * x0[k] + z2[k];
        }
      for (gsize t = 0; t < n; t++)
        {
          double in[MANY] = { x_0[t], x_1[t], x_2[t], x_3[t] }, y[MANY];
          for (int k = 0; k < MANY; k++)
            {
              y[k] = q->b[0] * in[k] + z1[k];
              z1[k] = q->b[1] * in[k] - q->a[1] * y[k] + z2[k];
              z2[k] = q->b[2] * in[k] - q->a[2] * y[k];
            }
          x_0[t] = y[0];
          x_1[t] = y[1];
          x_2[t] = y[2];
          x_3[t] = y[3];
        }
      for (int k = 0; k < MANY; k++)
        x0[k] *= g;
    }
}

/* sos_filtfilt_ext() of four channels of n samples at once. */
static void
sos_filtfilt_many (const AsSos *sos, double *const *x, gsize n, gsize padl, gsize padr,
                   double *work)
{
  gsize m;
  double *ext[MANY];

  if (n < 2)
    return;
  padl = MIN (padl, n - 1);
  padr = MIN (padr, n - 1);
  m = n + padl + padr;
  for (int k = 0; k < MANY; k++)
    {
      double *e = ext[k] = work + (gsize) k * m;
      const double *v = x[k];
      for (gsize i = 0; i < padl; i++)
        e[i] = 2 * v[0] - v[padl - i];
      memcpy (e + padl, v, n * sizeof (double));
      for (gsize i = 0; i < padr; i++)
        e[padl + n + i] = 2 * v[n - 1] - v[n - 2 - i];
    }
  sos_filter_many (sos, ext, m);
  for (int k = 0; k < MANY; k++)
    for (gsize i = 0; i < m / 2; i++)
      {
        double t = ext[k][i];
        ext[k][i] = ext[k][m - 1 - i];
        ext[k][m - 1 - i] = t;
      }
  sos_filter_many (sos, ext, m);
  for (int k = 0; k < MANY; k++)
    for (gsize i = 0; i < n; i++)
      x[k][i] = ext[k][m - 1 - padl - i];
}

void
as_filter_chain_apply_many (const AsFilterChain *chain, double *const *x, guint count, gsize n)
{
  as_filter_chain_apply_span (chain, x, count, n, TRUE, TRUE);
}

void
as_filter_chain_apply_span (const AsFilterChain *chain, double *const *x, guint count, gsize n,
                            gboolean extend_start, gboolean extend_end)
{
  g_autofree double **whole = g_new (double *, MAX (count, 1u));
  g_autofree double *work = NULL;
  guint n_whole = 0;
  gsize pad = 0;

  if (as_filter_chain_is_empty (chain))
    return;
  /* Channels with a gap are filtered run by run, one at a time. */
  for (guint c = 0; c < count; c++)
    {
      gboolean finite = TRUE;
      for (gsize t = 0; t < n && finite; t++)
        finite = isfinite (x[c][t]);
      if (finite)
        whole[n_whole++] = x[c];
      else
        as_filter_chain_apply (chain, x[c], n);
    }
  for (guint i = 0; i < chain->stages->len; i++)
    pad = MAX (pad, g_array_index (chain->stages, ChainStage, i).padlen);
  work = g_new (double, MANY * (n + 2 * pad + 2));
  for (guint c = 0; c + MANY <= n_whole; c += MANY)
    for (guint i = 0; i < chain->stages->len; i++)
      {
        const ChainStage *stage = &g_array_index (chain->stages, ChainStage, i);
        sos_filtfilt_many (stage->sos, whole + c, n, extend_start ? stage->padlen : 0,
                           extend_end ? stage->padlen : 0, work);
      }
  for (guint c = n_whole - n_whole % MANY; c < n_whole; c++)
    chain_apply_run (chain, whole[c], n, extend_start, extend_end);
}
