/* as-unrolled.c: unrolled Lasso solvers, batched forward pass and hand-written
 * back-propagation (formulas: MATHS.md, "Unrolled layers" and
 * "Back-propagation through T layers"; seed 004).
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
  double *Z;   /* (T + 1) blocks of max_batch × m */
  double *R;   /* T blocks of max_batch × n: r^{t−1} = Dz^{t−1} − x, input of layer t */
  double *G;   /* max_batch × m */
  double *G2;  /* max_batch × m */
  double *P;   /* max_batch × max(n, m) */
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
   * gives w_i ∝ (DDᵀ)⁻¹d_i (Liu et al., ALISTA, ICLR 2019; MATHS.md). */
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

static inline double
soft_threshold (double u, double tau, gboolean positive)
{
  if (u > tau)
    return u - tau;
  if (!positive && u < -tau)
    return u + tau;
  return 0.0;
}

static inline double
sign0 (double v)
{
  return v > 0 ? 1.0 : (v < 0 ? -1.0 : 0.0);
}

/* R = Z Dᵀ − X (B × n). */
static void
residual (guint n, guint m, const double *D, guint B, const double *X, const double *Z, double *R)
{
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, Z, m, D, m, 0.0, R, n);
  for (gsize i = 0; i < (gsize) B * n; i++)
    R[i] -= X[i];
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

  /* ISTA's weights (MATHS.md table, last column; seed 004: W_e = Dᵀ/L,
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
as_unrolled_tape_new (const AsUnrolled *net, guint max_batch)
{
  AsUnrolledTape *tape = g_new0 (AsUnrolledTape, 1);
  gsize bm = (gsize) max_batch * net->m;

  tape->T = net->T;
  tape->n = net->n;
  tape->m = net->m;
  tape->max_batch = max_batch;
  tape->Z = g_new0 (double, bm * (net->T + 1));
  tape->R = g_new0 (double, (gsize) max_batch * net->n * net->T);
  tape->G = g_new0 (double, bm);
  tape->G2 = g_new0 (double, bm);
  tape->P = g_new0 (double, (gsize) max_batch * MAX (net->n, net->m));
  return tape;
}

void
as_unrolled_tape_free (AsUnrolledTape *tape)
{
  if (tape == NULL)
    return;
  g_free (tape->Z);
  g_free (tape->R);
  g_free (tape->G);
  g_free (tape->G2);
  g_free (tape->P);
  g_free (tape);
}

static inline double *
tape_z (const AsUnrolledTape *tape, guint t)
{
  return tape->Z + (gsize) t * tape->max_batch * tape->m;
}

static inline double *
tape_r (const AsUnrolledTape *tape, guint t)
{
  return tape->R + (gsize) t * tape->max_batch * tape->n;
}

const double *
as_unrolled_tape_get_codes (const AsUnrolledTape *tape, guint t)
{
  g_return_val_if_fail (t <= tape->T, NULL);
  return tape_z (tape, t);
}

/* ---------------------------------------------------------------- forward */

void
as_unrolled_forward (const AsUnrolled *net, guint n_layers, guint B,
                     const double *X, double lambda, AsUnrolledTape *tape)
{
  guint n = net->n, m = net->m;
  gsize bm = (gsize) B * m;

  g_return_if_fail (n_layers <= net->T && B <= tape->max_batch);
  memset (tape_z (tape, 0), 0, sizeof (double) * bm);
  for (guint t = 1; t <= n_layers; t++)
    {
      const double *p = net->params + net->offset[t];
      const double *Zp = tape_z (tape, t - 1);
      double *Z = tape_z (tape, t);

      if (net->kind == AS_UNROLLED_LISTA)
        {
          /* u = S_t z^{t−1} + W_{e,t} x, i.e. U = X W_eᵀ + Z S_tᵀ for the batch. */
          const double *S = t >= 2 ? p : NULL;
          const double *We = p + (t >= 2 ? (gsize) m * m : 0);
          const double *theta = We + (gsize) m * n;

          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, m, n, 1.0, X, n, We, n, 0.0, Z, m);
          if (S != NULL)
            cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, m, m, 1.0, Zp, m, S, m, 1.0, Z, m);
          for (guint b = 0; b < B; b++)
            for (guint j = 0; j < m; j++)
              Z[(gsize) b * m + j] = soft_threshold (Z[(gsize) b * m + j], lambda * theta[j], net->positive);
          continue;
        }

      {
        double *R = tape_r (tape, t - 1);
        const double *W;
        double step = 1.0;

        /* r^{t−1} = Dz^{t−1} − x (z⁰ = 0 gives −x without a product). */
        if (t == 1)
          for (gsize i = 0; i < (gsize) B * n; i++)
            R[i] = -X[i];
        else
          residual (n, m, net->D, B, X, Zp, R);

        switch (net->kind)
          {
          case AS_UNROLLED_SLISTA:
            W = net->D;
            step = p[0];
            break;
          case AS_UNROLLED_ALISTA:
            W = net->W_alista;
            step = p[0];
            break;
          case AS_UNROLLED_LISTA_CP:
          default:
            W = p;
            break;
          }
        /* Wᵀr for each row: (R W) is B × m. */
        cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, 1.0, R, n, W, m, 0.0, Z, m);
        if (net->kind == AS_UNROLLED_LISTA_CP)
          {
            const double *theta = p + (gsize) n * m;

            for (guint b = 0; b < B; b++)
              for (guint j = 0; j < m; j++)
                {
                  gsize i = (gsize) b * m + j;
                  Z[i] = soft_threshold (Zp[i] - Z[i], lambda * theta[j], net->positive);
                }
          }
        else
          {
            double tau = lambda * (net->kind == AS_UNROLLED_SLISTA ? p[0] : p[1]);

            for (gsize i = 0; i < bm; i++)
              Z[i] = soft_threshold (Zp[i] - step * Z[i], tau, net->positive);
          }
      }
    }
}

double
as_unrolled_loss (const AsUnrolled *net, AsUnrolledLoss loss, guint n_layers,
                  guint B, const double *X, const double *Ztarget, double lambda,
                  AsUnrolledTape *tape, double *G)
{
  guint n = net->n, m = net->m;
  const double *Z = tape_z (tape, n_layers);
  gsize bm = (gsize) B * m;
  double total = 0.0;

  if (B == 0)
    return 0.0;
  if (loss == AS_UNROLLED_LOSS_UNSUPERVISED)
    {
      /* ℓ = mean ½‖x − Dz‖² + λ‖z‖₁; ∂ℓ/∂z = (Dᵀ(Dz − x) + λ sign z)/B. */
      double *R = tape->P;  /* B × n fits in B × max(n, m) */

      residual (n, m, net->D, B, X, Z, R);
      for (gsize i = 0; i < (gsize) B * n; i++)
        total += 0.5 * R[i] * R[i];
      for (gsize i = 0; i < bm; i++)
        total += lambda * fabs (Z[i]);
      if (G != NULL)
        {
          cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, 1.0 / B, R, n, net->D, m, 0.0, G, m);
          for (gsize i = 0; i < bm; i++)
            G[i] += lambda * sign0 (Z[i]) / B;
        }
    }
  else
    {
      /* ℓ = mean ½‖z − z_target‖²; ∂ℓ/∂z = (z − z_target)/B. */
      g_return_val_if_fail (Ztarget != NULL, NAN);
      for (gsize i = 0; i < bm; i++)
        {
          double d = Z[i] - Ztarget[i];
          total += 0.5 * d * d;
          if (G != NULL)
            G[i] = d / B;
        }
    }
  return total / B;
}

/* Sum over the batch of δ ⊙ sign(z), per atom (vector thresholds) or in total. */
static double
delta_sign_sum (const double *Delta, const double *Z, gsize count)
{
  double s = 0.0;

  for (gsize i = 0; i < count; i++)
    s += Delta[i] * sign0 (Z[i]);
  return s;
}

void
as_unrolled_backward (const AsUnrolled *net, guint n_layers, guint first_layer,
                      guint B, const double *X, double lambda,
                      AsUnrolledTape *tape, double *G, double *grad)
{
  guint n = net->n, m = net->m;
  gsize bm = (gsize) B * m;
  double *g = G, *g_spare = (G == tape->G2) ? tape->G : tape->G2;
  double *P = tape->P;

  g_return_if_fail (first_layer >= 1 && n_layers <= net->T);
  memset (grad, 0, sizeof (double) * net->n_params);
  for (guint t = n_layers; t >= first_layer && t >= 1; t--)
    {
      const double *p = net->params + net->offset[t];
      double *gp = grad + net->offset[t];
      const double *Z = tape_z (tape, t);
      const double *Zp = tape_z (tape, t - 1);
      const double *R = tape_r (tape, t - 1);
      gboolean need_prev = t > first_layer && t > 1;

      /* δ_t = g^t ⊙ 1{z^t ≠ 0} = ∂ℓ/∂u^t; ∂ℓ/∂τ = −δ ⊙ sign z^t. */
      for (gsize i = 0; i < bm; i++)
        if (Z[i] == 0.0)
          g[i] = 0.0;

      switch (net->kind)
        {
        case AS_UNROLLED_SLISTA:
        case AS_UNROLLED_ALISTA:
          {
            const double *W = net->kind == AS_UNROLLED_SLISTA ? net->D : net->W_alista;
            double step = p[0], dot = 0.0, sd = delta_sign_sum (g, Z, bm);

            /* P = Δ Wᵀ (B × n); ⟨δ, Wᵀr⟩ summed over the batch = ⟨P, R⟩. */
            cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, g, m, W, m, 0.0, P, n);
            for (gsize i = 0; i < (gsize) B * n; i++)
              dot += P[i] * R[i];
            if (net->kind == AS_UNROLLED_SLISTA)
              gp[0] = -dot - lambda * sd;  /* ∂ℓ/∂α_t */
            else
              {
                gp[0] = -dot;              /* ∂ℓ/∂γ_t */
                gp[1] = -lambda * sd;      /* ∂ℓ/∂θ_t */
              }
            /* g^{t−1} = δ − step·Dᵀ(W δ)  (= (I − step·DᵀW) applied to δ). */
            if (need_prev)
              cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -step, P, n, net->D, m, 1.0, g, m);
          }
          break;

        case AS_UNROLLED_LISTA_CP:
          {
            const double *W = p;
            double *gtheta = gp + (gsize) n * m;

            /* ∂ℓ/∂W_t = −Σ_b r_b δ_bᵀ = −Rᵀ Δ (n × m). */
            cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, -1.0, R, n, g, m, 0.0, gp, m);
            for (guint j = 0; j < m; j++)
              gtheta[j] = 0.0;
            for (guint b = 0; b < B; b++)
              for (guint j = 0; j < m; j++)
                gtheta[j] -= lambda * g[(gsize) b * m + j] * sign0 (Z[(gsize) b * m + j]);
            if (need_prev)
              {
                /* g^{t−1} = δ − Dᵀ(W_t δ). */
                cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, g, m, W, m, 0.0, P, n);
                cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -1.0, P, n, net->D, m, 1.0, g, m);
              }
          }
          break;

        case AS_UNROLLED_LISTA:
        default:
          {
            const double *S = t >= 2 ? p : NULL;
            double *gS = t >= 2 ? gp : NULL;
            gsize off = t >= 2 ? (gsize) m * m : 0;
            double *gWe = gp + off;
            double *gtheta = gWe + (gsize) m * n;

            /* ∂ℓ/∂S_t = Δᵀ Z^{t−1}, ∂ℓ/∂W_{e,t} = Δᵀ X, ∂ℓ/∂θ_t = −λ Σ_b δ ⊙ sign z. */
            if (S != NULL)
              cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, B, 1.0, g, m, Zp, m, 0.0, gS, m);
            cblas_dgemm (CblasRowMajor, CblasTrans, CblasNoTrans, m, n, B, 1.0, g, m, X, n, 0.0, gWe, n);
            for (guint j = 0; j < m; j++)
              gtheta[j] = 0.0;
            for (guint b = 0; b < B; b++)
              for (guint j = 0; j < m; j++)
                gtheta[j] -= lambda * g[(gsize) b * m + j] * sign0 (Z[(gsize) b * m + j]);
            if (need_prev)
              {
                double *tmp;

                /* g^{t−1} = S_tᵀ δ, i.e. Δ S_t for the batch. */
                cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, m, 1.0, g, m, S, m, 0.0, g_spare, m);
                tmp = g;
                g = g_spare;
                g_spare = tmp;
              }
          }
          break;
        }
      if (t == 1)
        break;
    }
}

double
as_unrolled_loss_and_gradient (const AsUnrolled *net, AsUnrolledLoss loss,
                               guint B, const double *X, const double *Ztarget,
                               double lambda, AsUnrolledTape *tape, double *grad)
{
  double value;

  as_unrolled_forward (net, net->T, B, X, lambda, tape);
  value = as_unrolled_loss (net, loss, net->T, B, X, Ztarget, lambda, tape, tape->G);
  as_unrolled_backward (net, net->T, 1, B, X, lambda, tape, tape->G, grad);
  return value;
}

void
as_unrolled_apply (const AsUnrolled *net, guint B, const double *X, double lambda, double *Z)
{
  g_autoptr (AsUnrolledTape) tape = as_unrolled_tape_new (net, MAX (B, 1));

  as_unrolled_forward (net, net->T, B, X, lambda, tape);
  memcpy (Z, tape_z (tape, net->T), sizeof (double) * B * net->m);
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
