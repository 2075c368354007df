/* as-unrolled.c: unrolled Lasso solvers, batched forward pass and hand-written
 * back-propagation (formulas: docs/maths.md, "Unrolled layers" and
 * "Back-propagation through T layers"; Ablin et al. 2019).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-unrolled"

#include "config.h"

#include <math.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-lasso.h"
#include "as-unrolled.h"
#include "as-unrolled-kernels.h"

struct _AsUnrolled
{
  AsUnrolledKind kind;
  guint          T;
  guint          n;
  guint          m;
  gboolean       positive;
  double        *D;        /* n × m */
  double         L;        /* ‖DᵀD‖₂ */
  double        *W_alista; /* n × m, ALISTA only */
  gsize         *offset;   /* offset[t], t = 1 … T + 1 */
  gsize          n_params;
  double        *params;
};

struct _AsUnrolledTape
{
  guint   T, n, m, max_batch;
  AsUnrolledPrecision precision;
  AsUnrolledKernelTape k;   /* z⁰ … z^T, r^0 … r^{T−1}, work space, in the tape's precision */
  /* float32 only: the network, its inputs and gradients converted. */
  float  *Df, *Wf;          /* n × m */
  float  *pf, *gradf;       /* n_params */
  float  *Xf;               /* max_batch × n */
  float  *Gf;               /* max_batch × m */
  float  *Ztf;              /* max_batch × m: targets of the (semi-)supervised losses */
  double *Zd;               /* max_batch × m: codes handed out in float64 */
  gsize   n_params;
};

static const char *const kind_names[] = { "lista", "lista-cp", "alista", "slista" };
static const char *const loss_names[] = { "supervised", "semi-supervised", "unsupervised" };

const char *
as_unrolled_kind_to_string (AsUnrolledKind kind)
{
  g_return_val_if_fail (kind <= AS_UNROLLED_SLISTA, NULL);
  return kind_names[kind];
}

gboolean
as_unrolled_kind_from_string (const char *name, AsUnrolledKind *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (name != NULL && g_ascii_strcasecmp (name, kind_names[i]) == 0)
      {
        *kind = (AsUnrolledKind) i;
        return TRUE;
      }
  return FALSE;
}

const char *
as_unrolled_loss_to_string (AsUnrolledLoss loss)
{
  g_return_val_if_fail (loss <= AS_UNROLLED_LOSS_UNSUPERVISED, NULL);
  return loss_names[loss];
}

gboolean
as_unrolled_loss_from_string (const char *name, AsUnrolledLoss *loss)
{
  for (guint i = 0; i < G_N_ELEMENTS (loss_names); i++)
    if (name != NULL && g_ascii_strcasecmp (name, loss_names[i]) == 0)
      {
        *loss = (AsUnrolledLoss) i;
        return TRUE;
      }
  return FALSE;
}

/* ---------------------------------------------------------------- helpers */

gboolean
as_unrolled_alista_weights (guint n, guint m, const double *D, double *W, GError **error)
{
  g_autofree double *M = g_new0 (double, (gsize) n * n);
  lapack_int info;

  /* min Σ_{i≠j}(w_iᵀd_j)² s.t. w_iᵀd_i = 1 decouples per column into
   * min w_iᵀ(DDᵀ − d_id_iᵀ)w_i s.t. w_iᵀd_i = 1, whose Lagrange condition
   * gives w_i ∝ (DDᵀ)⁻¹d_i (Liu et al., ALISTA, ICLR 2019; docs/maths.md). */
  cblas_dsyrk (CblasRowMajor, CblasUpper, CblasNoTrans, n, m, 1.0, D, m, 0.0, M, n);
  info = LAPACKE_dpotrf (LAPACK_ROW_MAJOR, 'U', n, M, n);
  if (info != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("ALISTA needs a dictionary whose atoms span the signal space "
                     "(DDᵀ is singular, Cholesky pivot %d); use more atoms (m ≥ n) "
                     "or a dictionary of full rank"), (int) info);
      return FALSE;
    }
  memcpy (W, D, sizeof (double) * n * m);
  info = LAPACKE_dpotrs (LAPACK_ROW_MAJOR, 'U', n, m, M, n, W, m);
  if (info != 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("ALISTA weights: triangular solve failed (%d)"), (int) info);
      return FALSE;
    }
  for (guint j = 0; j < m; j++)
    {
      double c = 0.0;

      for (guint i = 0; i < n; i++)
        c += D[(gsize) i * m + j] * W[(gsize) i * m + j];
      for (guint i = 0; i < n; i++)
        W[(gsize) i * m + j] /= c;
    }
  return TRUE;
}

/* ---------------------------------------------------------------- network */

static gsize
layer_size (AsUnrolledKind kind, guint n, guint m, guint t)
{
  switch (kind)
    {
    case AS_UNROLLED_SLISTA:
      return 1;
    case AS_UNROLLED_ALISTA:
      return 2;
    case AS_UNROLLED_LISTA_CP:
      return (gsize) n * m + m;
    case AS_UNROLLED_LISTA:
    default:
      return (t >= 2 ? (gsize) m * m : 0) + (gsize) m * n + m;
    }
}

AsUnrolled *
as_unrolled_new (AsUnrolledKind kind, guint n_layers, guint n, guint m,
                 const double *D, gboolean positive, GError **error)
{
  g_autoptr (AsUnrolled) net = NULL;

  g_return_val_if_fail (kind <= AS_UNROLLED_SLISTA, NULL);
  g_return_val_if_fail (D != NULL, NULL);
  if (n_layers == 0 || n == 0 || m == 0)
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                   _("An unrolled network needs at least one layer, one signal dimension "
                     "and one atom (got T = %u, n = %u, m = %u)"), n_layers, n, m);
      return NULL;
    }
  for (guint j = 0; j < m; j++)
    {
      double nrm = 0.0;

      for (guint i = 0; i < n; i++)
        nrm += D[(gsize) i * m + j] * D[(gsize) i * m + j];
      if (!(nrm > 0.0) || !isfinite (nrm))
        {
          g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_INVALID,
                       _("Dictionary column %u is zero or not finite"), j);
          return NULL;
        }
    }

  net = g_new0 (AsUnrolled, 1);
  net->kind = kind;
  net->T = n_layers;
  net->n = n;
  net->m = m;
  net->positive = positive;
  net->D = g_memdup2 (D, sizeof (double) * n * m);
  {
    /* The sparse-coding area's L (no signals needed), so that an untrained
     * network and AsSolver's ISTA on the same dictionary take the same step. */
    g_autoptr (AsLasso) lasso = as_lasso_new (n, m, D, 0, NULL, 0.0, positive);

    net->L = as_lasso_lipschitz (lasso);
  }
  if (!(net->L > 0.0))
    {
      g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                   _("Could not compute the Lipschitz constant of the dictionary"));
      return NULL;
    }
  if (kind == AS_UNROLLED_ALISTA)
    {
      net->W_alista = g_new (double, (gsize) n * m);
      if (!as_unrolled_alista_weights (n, m, D, net->W_alista, error))
        return NULL;
    }
  net->offset = g_new0 (gsize, n_layers + 2);
  net->offset[1] = 0;
  for (guint t = 1; t <= n_layers; t++)
    net->offset[t + 1] = net->offset[t] + layer_size (kind, n, m, t);
  net->n_params = net->offset[n_layers + 1];
  net->params = g_new0 (double, net->n_params);
  as_unrolled_reset (net);
  return g_steal_pointer (&net);
}

AsUnrolled *
as_unrolled_copy (const AsUnrolled *net)
{
  AsUnrolled *copy = g_new0 (AsUnrolled, 1);

  *copy = *net;
  copy->D = g_memdup2 (net->D, sizeof (double) * net->n * net->m);
  copy->W_alista = net->W_alista ? g_memdup2 (net->W_alista, sizeof (double) * net->n * net->m) : NULL;
  copy->offset = g_memdup2 (net->offset, sizeof (gsize) * (net->T + 2));
  copy->params = g_memdup2 (net->params, sizeof (double) * net->n_params);
  return copy;
}

void
as_unrolled_free (AsUnrolled *net)
{
  if (net == NULL)
    return;
  g_free (net->D);
  g_free (net->W_alista);
  g_free (net->offset);
  g_free (net->params);
  g_free (net);
}

AsUnrolledKind as_unrolled_get_kind (const AsUnrolled *net) { return net->kind; }
guint as_unrolled_get_n_layers (const AsUnrolled *net) { return net->T; }
guint as_unrolled_get_n (const AsUnrolled *net) { return net->n; }
guint as_unrolled_get_m (const AsUnrolled *net) { return net->m; }
gboolean as_unrolled_get_positive (const AsUnrolled *net) { return net->positive; }
const double *as_unrolled_get_dictionary (const AsUnrolled *net) { return net->D; }
double as_unrolled_get_lipschitz (const AsUnrolled *net) { return net->L; }
const double *as_unrolled_get_alista_weights (const AsUnrolled *net) { return net->W_alista; }
gsize as_unrolled_get_n_params (const AsUnrolled *net) { return net->n_params; }
double *as_unrolled_get_params (AsUnrolled *net) { return net->params; }
const double *as_unrolled_peek_params (const AsUnrolled *net) { return net->params; }

void
as_unrolled_set_alista_weights (AsUnrolled *net, const double *W)
{
  g_return_if_fail (net->kind == AS_UNROLLED_ALISTA);
  memcpy (net->W_alista, W, sizeof (double) * net->n * net->m);
}

gsize
as_unrolled_layer_offset (const AsUnrolled *net, guint t)
{
  g_return_val_if_fail (t >= 1 && t <= net->T + 1, 0);
  return net->offset[t];
}

void
as_unrolled_reset (AsUnrolled *net)
{
  guint n = net->n, m = net->m;
  double invL = 1.0 / net->L;

  /* ISTA's weights (docs/maths.md table, last column; Ablin et al. 2019: W_e = Dᵀ/L,
   * W_g = I − DᵀD/L). */
  for (guint t = 1; t <= net->T; t++)
    {
      double *p = net->params + net->offset[t];

      switch (net->kind)
        {
        case AS_UNROLLED_SLISTA:
          p[0] = invL;
          break;
        case AS_UNROLLED_ALISTA:
          p[0] = invL;
          p[1] = invL;
          break;
        case AS_UNROLLED_LISTA_CP:
          for (gsize i = 0; i < (gsize) n * m; i++)
            p[i] = net->D[i] * invL;
          for (guint j = 0; j < m; j++)
            p[(gsize) n * m + j] = invL;
          break;
        case AS_UNROLLED_LISTA:
          if (t >= 2)
            {
              cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, n, -invL,
                           net->D, m, net->D, m, 0.0, p, m);
              for (guint j = 0; j < m; j++)
                p[(gsize) j * m + j] += 1.0;
              p += (gsize) m * m;
            }
          for (guint j = 0; j < m; j++)
            for (guint i = 0; i < n; i++)
              p[(gsize) j * n + i] = net->D[(gsize) i * m + j] * invL;
          for (guint j = 0; j < m; j++)
            p[(gsize) m * n + j] = invL;
          break;
        }
    }
}

/* ------------------------------------------------------------------ tape */

AsUnrolledTape *
as_unrolled_tape_new_full (const AsUnrolled *net, guint max_batch, AsUnrolledPrecision precision)
{
  AsUnrolledTape *tape = g_new0 (AsUnrolledTape, 1);
  gsize bm = (gsize) max_batch * net->m, nm = (gsize) net->n * net->m;
  gsize size = precision == AS_UNROLLED_FLOAT32 ? sizeof (float) : sizeof (double);

  tape->T = net->T;
  tape->n = net->n;
  tape->m = net->m;
  tape->max_batch = max_batch;
  tape->precision = precision;
  tape->n_params = net->n_params;
  tape->k.max_batch = max_batch;
  tape->k.Z = g_malloc0 (size * bm * (net->T + 1));
  tape->k.R = g_malloc0 (size * max_batch * net->n * net->T);
  tape->k.G = g_malloc0 (size * bm);
  tape->k.G2 = g_malloc0 (size * bm);
  tape->k.P = g_malloc0 (size * max_batch * MAX (net->n, net->m));
  if (precision == AS_UNROLLED_FLOAT32)
    {
      tape->Df = g_new (float, nm);
      for (gsize i = 0; i < nm; i++)
        tape->Df[i] = (float) net->D[i];
      if (net->W_alista != NULL)
        {
          tape->Wf = g_new (float, nm);
          for (gsize i = 0; i < nm; i++)
            tape->Wf[i] = (float) net->W_alista[i];
        }
      tape->pf = g_new (float, net->n_params);
      tape->gradf = g_new (float, net->n_params);
      tape->Xf = g_new (float, (gsize) max_batch * net->n);
      tape->Gf = g_new (float, bm);
      tape->Ztf = g_new (float, bm);
      tape->Zd = g_new (double, bm);
    }
  return tape;
}

AsUnrolledTape *
as_unrolled_tape_new (const AsUnrolled *net, guint max_batch)
{
  return as_unrolled_tape_new_full (net, max_batch, AS_UNROLLED_FLOAT64);
}

void
as_unrolled_tape_free (AsUnrolledTape *tape)
{
  if (tape == NULL)
    return;
  g_free (tape->k.Z);
  g_free (tape->k.R);
  g_free (tape->k.G);
  g_free (tape->k.G2);
  g_free (tape->k.P);
  g_free (tape->Df);
  g_free (tape->Wf);
  g_free (tape->pf);
  g_free (tape->gradf);
  g_free (tape->Xf);
  g_free (tape->Gf);
  g_free (tape->Ztf);
  g_free (tape->Zd);
  g_free (tape);
}

AsUnrolledPrecision
as_unrolled_tape_get_precision (const AsUnrolledTape *tape)
{
  return tape->precision;
}

const double *
as_unrolled_tape_get_codes (const AsUnrolledTape *tape, guint t)
{
  gsize bm = (gsize) tape->max_batch * tape->m;

  g_return_val_if_fail (t <= tape->T, NULL);
  if (tape->precision == AS_UNROLLED_FLOAT64)
    return (const double *) tape->k.Z + (gsize) t * bm;
  {
    const float *Z = (const float *) tape->k.Z + (gsize) t * bm;

    for (gsize i = 0; i < bm; i++)
      tape->Zd[i] = Z[i];
    return tape->Zd;
  }
}

/* The network as the kernels see it, in the tape's precision. */
static void
kernel_net (const AsUnrolled *net, AsUnrolledTape *tape, gboolean convert_params,
            AsUnrolledKernelNet *k)
{
  k->kind = net->kind;
  k->T = net->T;
  k->n = net->n;
  k->m = net->m;
  k->positive = net->positive;
  k->offset = net->offset;
  if (tape->precision == AS_UNROLLED_FLOAT64)
    {
      k->D = net->D;
      k->W = net->W_alista;
      k->params = net->params;
      return;
    }
  g_return_if_fail (tape->n_params == net->n_params);
  if (convert_params)
    for (gsize i = 0; i < net->n_params; i++)
      tape->pf[i] = (float) net->params[i];
  k->D = tape->Df;
  k->W = tape->Wf;
  k->params = tape->pf;
}

/* ---------------------------------------------------------------- forward */

void
as_unrolled_forward (const AsUnrolled *net, guint n_layers, guint B,
                     const double *X, double lambda, AsUnrolledTape *tape)
{
  AsUnrolledKernelNet k;

  g_return_if_fail (n_layers <= net->T && B <= tape->max_batch);
  kernel_net (net, tape, TRUE, &k);
  if (tape->precision == AS_UNROLLED_FLOAT64)
    {
      as_unrolled_kernel_forward_f64 (&k, n_layers, B, X, lambda, &tape->k);
      return;
    }
  for (gsize i = 0; i < (gsize) B * net->n; i++)
    tape->Xf[i] = (float) X[i];
  as_unrolled_kernel_forward_f32 (&k, n_layers, B, tape->Xf, lambda, &tape->k);
}

double
as_unrolled_loss (const AsUnrolled *net, AsUnrolledLoss loss, guint n_layers,
                  guint B, const double *X, const double *Ztarget, double lambda,
                  AsUnrolledTape *tape, double *G)
{
  AsUnrolledKernelNet k;
  gsize bm = (gsize) B * net->m;
  double value;

  g_return_val_if_fail (loss == AS_UNROLLED_LOSS_UNSUPERVISED || Ztarget != NULL, NAN);
  kernel_net (net, tape, FALSE, &k);
  if (tape->precision == AS_UNROLLED_FLOAT64)
    return as_unrolled_kernel_loss_f64 (&k, loss, n_layers, B, X, Ztarget, lambda, &tape->k, G);
  {
    /* X was converted by the forward pass; the target is converted here. */
    float *Zt = NULL;

    if (loss != AS_UNROLLED_LOSS_UNSUPERVISED)
      {
        Zt = tape->Ztf;
        for (gsize i = 0; i < bm; i++)
          Zt[i] = (float) Ztarget[i];
      }
    value = as_unrolled_kernel_loss_f32 (&k, loss, n_layers, B, tape->Xf, Zt, lambda, &tape->k,
                                         G != NULL ? tape->Gf : NULL);
    if (G != NULL)
      for (gsize i = 0; i < bm; i++)
        G[i] = tape->Gf[i];
  }
  return value;
}

void
as_unrolled_backward_layers (const AsUnrolled *net, guint n_layers, guint first_layer,
                             guint B, const double *X, const double *Ztarget, double lambda,
                             int layer_loss, const double *layer_weights,
                             AsUnrolledTape *tape, double *G, double *grad)
{
  AsUnrolledKernelNet k;
  gsize bm = (gsize) B * net->m;

  g_return_if_fail (first_layer >= 1 && n_layers <= net->T);
  g_return_if_fail (layer_loss < 0 || layer_loss == AS_UNROLLED_LOSS_UNSUPERVISED || Ztarget != NULL);
  g_return_if_fail (layer_loss < 0 || layer_weights != NULL);
  kernel_net (net, tape, FALSE, &k);
  if (tape->precision == AS_UNROLLED_FLOAT64)
    {
      /* The kernels back-propagate in the tape's two gradient buffers; a
       * caller's G outside them is copied in first. */
      double *g = G;

      if (G != tape->k.G && G != tape->k.G2)
        {
          g = tape->k.G;
          memcpy (g, G, sizeof (double) * bm);
        }
      as_unrolled_kernel_backward_f64 (&k, n_layers, first_layer, B, X, lambda, &tape->k, g,
                                       grad, net->n_params, layer_loss, Ztarget, layer_weights);
      return;
    }
  {
    float *g = tape->k.G;

    for (gsize i = 0; i < bm; i++)
      g[i] = (float) G[i];
    if (layer_loss >= 0 && layer_loss != AS_UNROLLED_LOSS_UNSUPERVISED)
      for (gsize i = 0; i < bm; i++)
        tape->Ztf[i] = (float) Ztarget[i];
    as_unrolled_kernel_backward_f32 (&k, n_layers, first_layer, B, tape->Xf, lambda, &tape->k, g,
                                     tape->gradf, net->n_params, layer_loss, tape->Ztf, layer_weights);
    for (gsize i = 0; i < net->n_params; i++)
      grad[i] = tape->gradf[i];
  }
}

void
as_unrolled_backward (const AsUnrolled *net, guint n_layers, guint first_layer,
                      guint B, const double *X, double lambda,
                      AsUnrolledTape *tape, double *G, double *grad)
{
  as_unrolled_backward_layers (net, n_layers, first_layer, B, X, NULL, lambda, -1, NULL,
                               tape, G, grad);
}

double
as_unrolled_loss_and_gradient (const AsUnrolled *net, AsUnrolledLoss loss,
                               guint B, const double *X, const double *Ztarget,
                               double lambda, AsUnrolledTape *tape, double *grad)
{
  double value;
  double *G = tape->precision == AS_UNROLLED_FLOAT64 ? tape->k.G : g_new (double, (gsize) B * net->m);

  as_unrolled_forward (net, net->T, B, X, lambda, tape);
  value = as_unrolled_loss (net, loss, net->T, B, X, Ztarget, lambda, tape, G);
  as_unrolled_backward (net, net->T, 1, B, X, lambda, tape, G, grad);
  if (G != tape->k.G)
    g_free (G);
  return value;
}

void
as_unrolled_apply (const AsUnrolled *net, guint B, const double *X, double lambda, double *Z)
{
  g_autoptr (AsUnrolledTape) tape = as_unrolled_tape_new (net, MAX (B, 1));

  as_unrolled_forward (net, net->T, B, X, lambda, tape);
  memcpy (Z, as_unrolled_tape_get_codes (tape, net->T), sizeof (double) * B * net->m);
}

/* --------------------------------------------------------------- analyses */

/* The n × m matrix applied to the residual by layer t, copied into W. */
static void
layer_residual_weights (const AsUnrolled *net, guint t, double *W)
{
  const double *p = net->params + net->offset[t];
  guint n = net->n, m = net->m;

  if (net->kind == AS_UNROLLED_LISTA_CP)
    memcpy (W, p, sizeof (double) * n * m);
  else
    {
      const double *We = p + (t >= 2 ? (gsize) m * m : 0);

      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < m; j++)
          W[(gsize) i * m + j] = We[(gsize) j * n + i];
    }
}

static const double *
layer_theta (const AsUnrolled *net, guint t)
{
  const double *p = net->params + net->offset[t];
  guint n = net->n, m = net->m;

  if (net->kind == AS_UNROLLED_LISTA_CP)
    return p + (gsize) n * m;
  return p + (t >= 2 ? (gsize) m * m : 0) + (gsize) m * n;
}

void
as_unrolled_effective_steps (const AsUnrolled *net, double *steps)
{
  gsize nm = (gsize) net->n * net->m;
  g_autofree double *W = NULL;
  double dd = cblas_ddot (nm, net->D, 1, net->D, 1);

  for (guint t = 1; t <= net->T; t++)
    {
      const double *p = net->params + net->offset[t];

      if (net->kind == AS_UNROLLED_SLISTA || net->kind == AS_UNROLLED_ALISTA)
        steps[t - 1] = p[0];
      else
        {
          if (W == NULL)
            W = g_new (double, nm);
          layer_residual_weights (net, t, W);
          steps[t - 1] = cblas_ddot (nm, W, 1, net->D, 1) / dd;
        }
    }
}

void
as_unrolled_thresholds (const AsUnrolled *net, double *thresholds)
{
  for (guint t = 1; t <= net->T; t++)
    {
      const double *p = net->params + net->offset[t];

      if (net->kind == AS_UNROLLED_SLISTA)
        thresholds[t - 1] = p[0];
      else if (net->kind == AS_UNROLLED_ALISTA)
        thresholds[t - 1] = p[1];
      else
        {
          const double *theta = layer_theta (net, t);
          double s = 0.0;

          for (guint j = 0; j < net->m; j++)
            s += theta[j];
          thresholds[t - 1] = s / net->m;
        }
    }
}

gboolean
as_unrolled_weight_coupling (const AsUnrolled *net, double *coupling)
{
  guint n = net->n, m = net->m;
  gsize nm = (gsize) n * m;
  g_autofree double *W = NULL;
  double dd;

  if (net->kind == AS_UNROLLED_SLISTA || net->kind == AS_UNROLLED_ALISTA)
    {
      for (guint t = 0; t < net->T; t++)
        coupling[t] = NAN;
      return FALSE;
    }
  W = g_new (double, nm);
  dd = cblas_ddot (nm, net->D, 1, net->D, 1);
  for (guint t = 1; t <= net->T; t++)
    {
      const double *theta = layer_theta (net, t);
      double s = 0.0;

      /* (α/β)·W with α = 1 and β_j = θ_{t,j}: column j of W_t over θ_{t,j}. */
      layer_residual_weights (net, t, W);
      for (guint i = 0; i < n; i++)
        for (guint j = 0; j < m; j++)
          {
            double d = W[(gsize) i * m + j] / theta[j] - net->D[(gsize) i * m + j];
            s += d * d;
          }
      coupling[t - 1] = sqrt (s / dd);
    }
  return TRUE;
}

gboolean
as_unrolled_lista_tying (const AsUnrolled *net, double *tying)
{
  guint n = net->n, m = net->m;
  g_autofree double *M = NULL;

  if (net->kind != AS_UNROLLED_LISTA)
    {
      for (guint t = 0; t < net->T; t++)
        tying[t] = NAN;
      return FALSE;
    }
  M = g_new (double, (gsize) m * m);
  tying[0] = NAN;
  for (guint t = 2; t <= net->T; t++)
    {
      const double *S = net->params + net->offset[t];
      const double *We = S + (gsize) m * m;
      double num = 0.0, den = 0.0;

      /* I − W_e D, the S_t that ISTA's structure ties to W_{e,t}. */
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, m, m, n, -1.0, We, n, net->D, m, 0.0, M, m);
      for (guint j = 0; j < m; j++)
        M[(gsize) j * m + j] += 1.0;
      for (gsize i = 0; i < (gsize) m * m; i++)
        {
          double d = S[i] - M[i];
          num += d * d;
          den += M[i] * M[i];
        }
      tying[t - 1] = den > 0 ? sqrt (num / den) : NAN;
    }
  return TRUE;
}
