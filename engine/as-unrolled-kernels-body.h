/* as-unrolled-kernels-body.h: included twice by as-unrolled-kernels.c with
 * REAL = double and REAL = float (no include guard on purpose).
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* z = ST(u, τ) = sign(u)·max(|u| − τ, 0), or max(u − τ, 0) for non-negative
 * codes, written so that it compiles to max/and/or vector instructions. */
HOT static void
SUF (st_scalar) (REAL *restrict z, gsize count, REAL tau, gboolean positive)
{
  if (positive)
    for (gsize i = 0; i < count; i++)
      {
        REAL a = z[i] - tau;
        z[i] = a > 0 ? a : 0;
      }
  else
    for (gsize i = 0; i < count; i++)
      {
        REAL a = FABS (z[i]) - tau;
        z[i] = COPYSIGN (a > 0 ? a : 0, z[i]);
      }
}

/* Row by row with a threshold per atom, τ_j = λθ_j. */
HOT static void
SUF (st_vector) (REAL *restrict z, guint B, guint m, const REAL *restrict theta, REAL lambda,
                 gboolean positive)
{
  for (guint b = 0; b < B; b++)
    {
      REAL *restrict row = z + (gsize) b * m;

      if (positive)
        for (guint j = 0; j < m; j++)
          {
            REAL a = row[j] - lambda * theta[j];
            row[j] = a > 0 ? a : 0;
          }
      else
        for (guint j = 0; j < m; j++)
          {
            REAL a = FABS (row[j]) - lambda * theta[j];
            row[j] = COPYSIGN (a > 0 ? a : 0, row[j]);
          }
    }
}

/* δ = g ⊙ 1{z ≠ 0} in place; returns Σ δ ⊙ sign z (δ is 0 where z is, so
 * sign z can be taken as ±1). */
HOT static double
SUF (mask_and_sign_sum) (REAL *restrict g, const REAL *restrict z, gsize count)
{
  REAL s = 0;

  for (gsize i = 0; i < count; i++)
    {
      REAL d = z[i] != 0 ? g[i] : 0;
      g[i] = d;
      s += z[i] > 0 ? d : -d;
    }
  return s;
}

/* Per atom: out_j = Σ_b δ_bj sign z_bj (δ already masked). */
HOT static void
SUF (sign_sum_columns) (const REAL *restrict g, const REAL *restrict z, guint B, guint m,
                        REAL *restrict out)
{
  for (guint j = 0; j < m; j++)
    out[j] = 0;
  for (guint b = 0; b < B; b++)
    {
      const REAL *restrict gr = g + (gsize) b * m, *restrict zr = z + (gsize) b * m;

      for (guint j = 0; j < m; j++)
        out[j] += zr[j] > 0 ? gr[j] : -gr[j];
    }
}

/* R = Z Dᵀ − X (B × n), the subtraction fused into the product. */
static void
SUF (residual) (guint n, guint m, const REAL *D, guint B, const REAL *X, const REAL *Z, REAL *R)
{
  memcpy (R, X, sizeof (REAL) * B * n);
  GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, Z, m, D, m, -1.0, R, n);
}

static inline REAL *
SUF (tz) (const AsUnrolledKernelTape *tape, guint m, guint t)
{
  return (REAL *) tape->Z + (gsize) t * tape->max_batch * m;
}

static inline REAL *
SUF (tr) (const AsUnrolledKernelTape *tape, guint n, guint t)
{
  return (REAL *) tape->R + (gsize) t * tape->max_batch * n;
}

void
SUF (as_unrolled_kernel_forward) (const AsUnrolledKernelNet *net, guint n_layers, guint B,
                                  const REAL *X, double lambda, AsUnrolledKernelTape *tape)
{
  guint n = net->n, m = net->m;
  gsize bm = (gsize) B * m;
  const REAL *params = net->params, *D = net->D;

  memset (SUF (tz) (tape, m, 0), 0, sizeof (REAL) * bm);
  for (guint t = 1; t <= n_layers; t++)
    {
      const REAL *p = params + net->offset[t];
      const REAL *Zp = SUF (tz) (tape, m, t - 1);
      REAL *Z = SUF (tz) (tape, m, t);

      if (net->kind == AS_UNROLLED_LISTA)
        {
          /* u = S_t z^{t−1} + W_{e,t} x, i.e. U = X W_eᵀ + Z S_tᵀ for the batch. */
          const REAL *S = t >= 2 ? p : NULL;
          const REAL *We = p + (t >= 2 ? (gsize) m * m : 0);
          const REAL *theta = We + (gsize) m * n;

          GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, B, m, n, 1.0, X, n, We, n, 0.0, Z, m);
          if (S != NULL)
            GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, B, m, m, 1.0, Zp, m, S, m, 1.0, Z, m);
          SUF (st_vector) (Z, B, m, theta, lambda, net->positive);
          continue;
        }

      {
        REAL *R = SUF (tr) (tape, n, t - 1);
        const REAL *W;
        REAL step = 1;

        /* r^{t−1} = Dz^{t−1} − x (z⁰ = 0 gives −x without a product). */
        if (t == 1)
          for (gsize i = 0; i < (gsize) B * n; i++)
            R[i] = -X[i];
        else
          SUF (residual) (n, m, D, B, X, Zp, R);

        switch (net->kind)
          {
          case AS_UNROLLED_SLISTA:
            W = D;
            step = p[0];
            break;
          case AS_UNROLLED_ALISTA:
            W = net->W;
            step = p[0];
            break;
          case AS_UNROLLED_LISTA_CP:
          default:
            W = p;
            break;
          }
        /* U = Z^{t−1} − step·R W (B × m), then the threshold in place. */
        memcpy (Z, Zp, sizeof (REAL) * bm);
        GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -step, R, n, W, m, 1.0, Z, m);
        if (net->kind == AS_UNROLLED_LISTA_CP)
          SUF (st_vector) (Z, B, m, p + (gsize) n * m, lambda, net->positive);
        else
          SUF (st_scalar) (Z, bm, lambda * (net->kind == AS_UNROLLED_SLISTA ? p[0] : p[1]),
                           net->positive);
      }
    }
}

double
SUF (as_unrolled_kernel_loss) (const AsUnrolledKernelNet *net, int loss, guint n_layers,
                               guint B, const REAL *X, const REAL *Ztarget, double lambda,
                               AsUnrolledKernelTape *tape, REAL *G)
{
  guint n = net->n, m = net->m;
  const REAL *Z = SUF (tz) (tape, m, n_layers);
  gsize bm = (gsize) B * m;
  double total = 0.0, l1 = 0.0;

  if (B == 0)
    return 0.0;
  if (loss == AS_UNROLLED_LOSS_UNSUPERVISED)
    {
      /* ℓ = mean ½‖x − Dz‖² + λ‖z‖₁; ∂ℓ/∂z = (Dᵀ(Dz − x) + λ sign z)/B. */
      REAL *R = tape->P;  /* B × n fits in B × max(n, m) */

      SUF (residual) (n, m, net->D, B, X, Z, R);
      for (gsize i = 0; i < (gsize) B * n; i++)
        total += 0.5 * (double) R[i] * R[i];
      for (gsize i = 0; i < bm; i++)
        l1 += FABS (Z[i]);
      total += lambda * l1;
      if (G != NULL)
        {
          REAL lb = lambda / B;

          GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, 1.0 / B, R, n, net->D, m, 0.0, G, m);
          for (gsize i = 0; i < bm; i++)
            G[i] += Z[i] > 0 ? lb : (Z[i] < 0 ? -lb : 0);
        }
    }
  else
    {
      /* ℓ = mean ½‖z − z_target‖²; ∂ℓ/∂z = (z − z_target)/B. */
      for (gsize i = 0; i < bm; i++)
        {
          REAL d = Z[i] - Ztarget[i];
          total += 0.5 * (double) d * d;
          if (G != NULL)
            G[i] = d / B;
        }
    }
  return total / B;
}

void
SUF (as_unrolled_kernel_backward) (const AsUnrolledKernelNet *net, guint n_layers,
                                   guint first_layer, guint B, const REAL *X, double lambda,
                                   AsUnrolledKernelTape *tape, REAL *G, REAL *grad, gsize n_params,
                                   int layer_loss, const REAL *Ztarget, const double *layer_weights)
{
  guint n = net->n, m = net->m;
  gsize bm = (gsize) B * m;
  REAL *g = G, *g_spare = (G == (REAL *) tape->G2) ? (REAL *) tape->G : (REAL *) tape->G2;
  REAL *P = tape->P;
  const REAL *params = net->params, *D = net->D;

  /* Every parameter of layers first_layer … n_layers is written below (the
   * products with β = 0, the thresholds' sums from 0): only the others are
   * zeroed, which spares LISTA a pass over its m² weights per layer. */
  if (first_layer > n_layers || first_layer < 1)
    memset (grad, 0, sizeof (REAL) * n_params);
  else
    {
      memset (grad, 0, sizeof (REAL) * net->offset[first_layer]);
      memset (grad + net->offset[n_layers + 1], 0,
              sizeof (REAL) * (n_params - net->offset[n_layers + 1]));
    }
  for (guint t = n_layers; t >= first_layer && t >= 1; t--)
    {
      const REAL *p = params + net->offset[t];
      REAL *gp = grad + net->offset[t];
      const REAL *Z = SUF (tz) (tape, m, t);
      const REAL *Zp = SUF (tz) (tape, m, t - 1);
      const REAL *R = SUF (tr) (tape, n, t - 1);
      gboolean need_prev = t > first_layer && t > 1;

      /* A loss on every layer: ℓ(z^t) adds its own seed to g^t (g_spare is
       * free here; the loss uses P, not yet in use for this layer). */
      if (layer_loss >= 0 && t < n_layers)
        {
          SUF (as_unrolled_kernel_loss) (net, layer_loss, t, B, X, Ztarget, lambda, tape, g_spare);
          REAL w = layer_weights[t];

          for (gsize i = 0; i < bm; i++)
            g[i] += w * g_spare[i];
        }

      switch (net->kind)
        {
        case AS_UNROLLED_SLISTA:
        case AS_UNROLLED_ALISTA:
          {
            const REAL *W = net->kind == AS_UNROLLED_SLISTA ? D : (const REAL *) net->W;
            REAL step = p[0];
            double dot = 0.0, sd;

            /* δ_t = g^t ⊙ 1{z^t ≠ 0} = ∂ℓ/∂u^t; ∂ℓ/∂τ = −δ ⊙ sign z^t. */
            sd = SUF (mask_and_sign_sum) (g, Z, bm);
            /* P = Δ Wᵀ (B × n); ⟨δ, Wᵀr⟩ summed over the batch = ⟨P, R⟩. */
            GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, g, m, W, m, 0.0, P, n);
            {
              REAL acc = 0;

              for (gsize i = 0; i < (gsize) B * n; i++)
                acc += P[i] * R[i];
              dot = acc;
            }
            if (net->kind == AS_UNROLLED_SLISTA)
              gp[0] = -dot - lambda * sd;  /* ∂ℓ/∂α_t */
            else
              {
                gp[0] = -dot;              /* ∂ℓ/∂γ_t */
                gp[1] = -lambda * sd;      /* ∂ℓ/∂θ_t */
              }
            /* g^{t−1} = δ − step·Dᵀ(W δ). */
            if (need_prev)
              GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -step, P, n, D, m, 1.0, g, m);
          }
          break;

        case AS_UNROLLED_LISTA_CP:
          {
            const REAL *W = p;
            REAL *gtheta = gp + (gsize) n * m;

            SUF (mask_and_sign_sum) (g, Z, bm);
            /* ∂ℓ/∂W_t = −Σ_b r_b δ_bᵀ = −Rᵀ Δ (n × m). */
            GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, n, m, B, -1.0, R, n, g, m, 0.0, gp, m);
            SUF (sign_sum_columns) (g, Z, B, m, gtheta);
            for (guint j = 0; j < m; j++)
              gtheta[j] *= -lambda;
            if (need_prev)
              {
                /* g^{t−1} = δ − Dᵀ(W_t δ). */
                GEMM (CblasRowMajor, CblasNoTrans, CblasTrans, B, n, m, 1.0, g, m, W, m, 0.0, P, n);
                GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, n, -1.0, P, n, D, m, 1.0, g, m);
              }
          }
          break;

        case AS_UNROLLED_LISTA:
        default:
          {
            const REAL *S = t >= 2 ? p : NULL;
            REAL *gS = t >= 2 ? gp : NULL;
            gsize off = t >= 2 ? (gsize) m * m : 0;
            REAL *gWe = gp + off;
            REAL *gtheta = gWe + (gsize) m * n;

            SUF (mask_and_sign_sum) (g, Z, bm);
            /* ∂ℓ/∂S_t = Δᵀ Z^{t−1}, ∂ℓ/∂W_{e,t} = Δᵀ X, ∂ℓ/∂θ_t = −λ Σ_b δ ⊙ sign z. */
            if (S != NULL)
              GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, m, m, B, 1.0, g, m, Zp, m, 0.0, gS, m);
            GEMM (CblasRowMajor, CblasTrans, CblasNoTrans, m, n, B, 1.0, g, m, X, n, 0.0, gWe, n);
            SUF (sign_sum_columns) (g, Z, B, m, gtheta);
            for (guint j = 0; j < m; j++)
              gtheta[j] *= -lambda;
            if (need_prev)
              {
                REAL *tmp;

                /* g^{t−1} = S_tᵀ δ, i.e. Δ S_t for the batch. */
                GEMM (CblasRowMajor, CblasNoTrans, CblasNoTrans, B, m, m, 1.0, g, m, S, m, 0.0, g_spare, m);
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
