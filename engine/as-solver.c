/* as-solver.c: ISTA, FISTA, oracle ISTA and (greedy) coordinate descent for the Lasso.
 *
 * Update rules: docs/maths.md ("Lasso solvers").  FISTA: Beck &
 * Teboulle (2009), with the gradient restart of O'Donoghue & Candès (2015,
 * §3.2).  Oracle ISTA: Ablin, Moreau, Massias & Gramfort 2019, §3.
 * Greedy CD: Gauss–Southwell rule on the size of the coordinate move
 * (Nutini et al. 2015, "GS-r").
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-solver"
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "as-engine.h"
#include "as-solver.h"

static const char *const kind_names[AS_SOLVER_N_KINDS] = {
  "ista", "fista", "oracle-ista", "cd", "greedy-cd",
};

const char *
as_solver_kind_to_string (AsSolverKind kind)
{
  g_return_val_if_fail (kind < AS_SOLVER_N_KINDS, NULL);
  return kind_names[kind];
}

gboolean
as_solver_kind_from_string (const char *name, AsSolverKind *kind)
{
  for (guint k = 0; k < AS_SOLVER_N_KINDS; k++)
    if (name != NULL && strcmp (name, kind_names[k]) == 0)
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

struct _AsSolver
{
  AsLasso *lasso;
  AsSolverKind kind;
  gboolean restart;
  guint n, m, N;
  const double *D, *X;
  double L;

  double *Z;          /* N × m, current codes */
  double *R;          /* N × n, Dz − x at the point the cache is for */
  double *Gr;         /* N × m, Dᵀ(Dz − x) */
  gboolean cache_for_z;    /* R and Gr hold the values at Z */
  gint64 cache_cost_us;    /* time it took to fill them, charged to the step that uses them */
  double *steps;      /* N */
  double *Rb, *Gb;    /* BLOCK_ROWS × n and × m scratch for the blocked steps */
  double *Pb;         /* BLOCK_ROWS × m: the points of the active signals, gathered */
  guint *rows;        /* BLOCK_ROWS: which signals a gathered block holds */

  /* FISTA */
  double *Y;          /* N × m, extrapolated point */
  double *t;          /* N, momentum sequence (per signal: restarts differ) */
  double *row;        /* m, scratch */

  /* oracle ISTA: support for which LS[i] is valid */
  guint8 *ls_support; /* N × m */
  double *LS;         /* N, < 0 when not computed */
  guint *idx;         /* m, scratch */
  double *sub;        /* m × m scratch for G_SS */

  /* coordinate descent */
  const double *G;    /* m × m Gram matrix, owned by the lasso */
  double *C;          /* N × m, DᵀX */
  double *beta;       /* N × m, Dᵀx − Gz */
  double *inv_diag;   /* m, 1/G_jj (0 for a zero atom) */
  double *moves;      /* m, greedy scores */
  guint polish_every; /* > 0: support polish every that many epochs */
  guint *stable;      /* N, epochs in a row without a change of support or signs */
  double *rhs;        /* m, scratch of the polish */

  /* Retired signals (converged, gap ≤ the run's tolerance) are not stepped. */
  guint8 *retired;    /* N */
  guint n_retired;

  guint iteration;
  gint64 elapsed_us;
  AsJob *job;
};

/* The batched steps go through the batch in blocks of this many signals, with
 * the block's gradient in a small scratch buffer: it is still in cache when
 * the thresholding pass reads it, and the full N × m gradient is never
 * written to memory.  Large enough for efficient DGEMMs. */
#define BLOCK_ROWS 256

/* Rows [first, first + count) of R = P Dᵀ − X and Gr = R D, for a batch of
 * points P (N × m), into R (count × n) and Gr (count × m): the two DGEMMs that
 * make the batched methods BLAS-3. */
static void
gradient_rows (AsSolver *s, const double *P, guint first, guint count, double *R, double *Gr)
{
  memcpy (R, s->X + (gsize) first * s->n, sizeof (double) * count * s->n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, count, s->n, s->m,
               1.0, P + (gsize) first * s->m, s->m, s->D, s->m, -1.0, R, s->n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, count, s->m, s->n,
               1.0, R, s->n, s->D, s->m, 0.0, Gr, s->m);
}

/* The same for the signals rows[0 … count), gathered into contiguous blocks
 * (the batch once some signals are retired). */
static void
gradient_gather (AsSolver *s, const double *P, const guint *rows, guint count, double *R,
                 double *Gr)
{
  for (guint r = 0; r < count; r++)
    {
      memcpy (R + (gsize) r * s->n, s->X + (gsize) rows[r] * s->n, sizeof (double) * s->n);
      memcpy (s->Pb + (gsize) r * s->m, P + (gsize) rows[r] * s->m, sizeof (double) * s->m);
    }
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasTrans, count, s->n, s->m,
               1.0, s->Pb, s->m, s->D, s->m, -1.0, R, s->n);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, count, s->m, s->n,
               1.0, R, s->n, s->D, s->m, 0.0, Gr, s->m);
}

/* The next block of at most BLOCK_ROWS signals that are not retired, from
 * *next on; returns its size (0 at the end of the batch). */
static guint
next_active_block (AsSolver *s, guint *next)
{
  guint count = 0;

  while (*next < s->N && count < BLOCK_ROWS)
    {
      if (!s->retired[*next])
        s->rows[count++] = *next;
      (*next)++;
    }
  return count;
}

static void
batch_gradient (AsSolver *s, const double *P)
{
  gradient_rows (s, P, 0, s->N, s->R, s->Gr);
}

/* The element-wise passes are memory-bound loops that GCC -O2 only vectorises
 * with a dynamic cost model. */
#if defined(__GNUC__) && !defined(__clang__)
#define AS_VECTORIZE __attribute__ ((optimize ("tree-vectorize", "vect-cost-model=dynamic")))
#else
#define AS_VECTORIZE
#endif

/* out = ST(y − g/L, τ) with τ = λ/L (out may be y); u − clamp(u, −τ, τ) is ST
 * without branches and gives exact zeros. */
AS_VECTORIZE static void
prox_gradient_row (guint m, const double *y, const double *g, double inv_L,
                   double tau, gboolean positive, double *out)
{
  if (positive)
    for (guint j = 0; j < m; j++)
      {
        double u = y[j] - inv_L * g[j] - tau;

        out[j] = u > 0.0 ? u : 0.0;
      }
  else
    for (guint j = 0; j < m; j++)
      {
        double u = y[j] - inv_L * g[j];
        double c = u < tau ? u : tau;

        c = c > -tau ? c : -tau;
        out[j] = u - c;
      }
}

/* FISTA without restart in one pass: z_k = ST(y − g/L), y ← z_k + β(z_k − z), z ← z_k. */
AS_VECTORIZE static void
fista_row (guint m, double *restrict y, const double *restrict g, double *restrict z,
           double inv_L, double tau, gboolean positive, double beta)
{
  if (positive)
    for (guint j = 0; j < m; j++)
      {
        double u = y[j] - inv_L * g[j] - tau;
        double zk = u > 0.0 ? u : 0.0;

        y[j] = zk + beta * (zk - z[j]);
        z[j] = zk;
      }
  else
    for (guint j = 0; j < m; j++)
      {
        double u = y[j] - inv_L * g[j];
        double c = u < tau ? u : tau, zk;

        c = c > -tau ? c : -tau;
        zk = u - c;
        y[j] = zk + beta * (zk - z[j]);
        z[j] = zk;
      }
}

static void
ensure_cache_for_z (AsSolver *s)
{
  gint64 t0;

  if (s->cache_for_z)
    return;
  t0 = g_get_monotonic_time ();
  batch_gradient (s, s->Z);
  s->cache_for_z = TRUE;
  s->cache_cost_us = g_get_monotonic_time () - t0;
}

/* Charges the cache to the step about to use it (it was filled by an
 * evaluation, whose cost is not the algorithm's). */
static void
use_cache_for_z (AsSolver *s)
{
  if (s->cache_for_z)
    s->elapsed_us += s->cache_cost_us;
  else
    ensure_cache_for_z (s);
  s->cache_cost_us = 0;
}

static void
refresh_beta (AsSolver *s)
{
  /* β = DᵀX − Z G (rows), one DGEMM for the batch. */
  memcpy (s->beta, s->C, sizeof (double) * s->N * s->m);
  cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->N, s->m, s->m,
               -1.0, s->Z, s->m, s->G, s->m, 1.0, s->beta, s->m);
}

AsSolver *
as_solver_new (AsLasso *lasso, AsSolverKind kind, gboolean restart)
{
  AsSolver *s;
  gsize Nm;

  g_return_val_if_fail (lasso != NULL && kind < AS_SOLVER_N_KINDS, NULL);

  s = g_new0 (AsSolver, 1);
  s->lasso = lasso;
  s->kind = kind;
  s->restart = restart;
  s->n = as_lasso_get_n (lasso);
  s->m = as_lasso_get_m (lasso);
  s->N = as_lasso_get_n_signals (lasso);
  s->D = as_lasso_get_dictionary (lasso);
  s->X = as_lasso_get_signals (lasso);
  s->L = as_lasso_lipschitz (lasso);
  Nm = (gsize) s->N * s->m;

  s->Z = g_new0 (double, Nm);
  s->retired = g_new0 (guint8, s->N);
  s->R = g_new (double, (gsize) s->N * s->n);
  s->Gr = g_new (double, Nm);
  s->steps = g_new0 (double, s->N);
  s->row = g_new (double, s->m);
  s->Rb = g_new (double, (gsize) MIN (BLOCK_ROWS, s->N) * s->n + 1);
  s->Gb = g_new (double, (gsize) MIN (BLOCK_ROWS, s->N) * s->m + 1);
  s->Pb = g_new (double, (gsize) MIN (BLOCK_ROWS, s->N) * s->m + 1);
  s->rows = g_new (guint, BLOCK_ROWS);
  switch (kind)
    {
    case AS_SOLVER_FISTA:
      s->Y = g_new0 (double, Nm);
      s->t = g_new (double, s->N);
      break;
    case AS_SOLVER_ORACLE_ISTA:
      s->ls_support = g_new0 (guint8, Nm);
      s->LS = g_new (double, s->N);
      s->idx = g_new (guint, s->m);
      s->sub = g_new (double, (gsize) s->m * s->m);
      s->G = as_lasso_get_gram (lasso);
      break;
    case AS_SOLVER_CD:
    case AS_SOLVER_GREEDY_CD:
      s->G = as_lasso_get_gram (lasso);
      s->C = g_new (double, Nm);
      s->beta = g_new (double, Nm);
      s->inv_diag = g_new (double, s->m);
      s->moves = g_new (double, s->m);
      s->idx = g_new (guint, s->m);
      s->sub = g_new (double, (gsize) s->m * s->m);
      s->rhs = g_new (double, s->m);
      s->stable = g_new0 (guint, s->N);
      for (guint j = 0; j < s->m; j++)
        {
          double gjj = s->G[(gsize) j * s->m + j];

          s->inv_diag[j] = gjj > 0.0 ? 1.0 / gjj : 0.0;
        }
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->N, s->m, s->n,
                   1.0, s->X, s->n, s->D, s->m, 0.0, s->C, s->m);
      break;
    case AS_SOLVER_ISTA:
    case AS_SOLVER_N_KINDS:
    default:
      break;
    }
  as_solver_reset (s, NULL);
  return s;
}

void
as_solver_free (AsSolver *s)
{
  if (s == NULL)
    return;
  g_free (s->Z);
  g_free (s->R);
  g_free (s->Gr);
  g_free (s->steps);
  g_free (s->row);
  g_free (s->Rb);
  g_free (s->Gb);
  g_free (s->Pb);
  g_free (s->rows);
  g_free (s->Y);
  g_free (s->t);
  g_free (s->ls_support);
  g_free (s->LS);
  g_free (s->idx);
  g_free (s->sub);
  g_free (s->C);
  g_free (s->beta);
  if (s->job != NULL)
    as_job_unref (s->job);
  g_free (s->inv_diag);
  g_free (s->moves);
  g_free (s->rhs);
  g_free (s->stable);
  g_free (s->retired);
  g_free (s);
}

AsSolverKind as_solver_get_kind (const AsSolver *s) { return s->kind; }
AsLasso *as_solver_get_lasso (const AsSolver *s) { return s->lasso; }
guint as_solver_get_iteration (const AsSolver *s) { return s->iteration; }
const double *as_solver_get_codes (const AsSolver *s) { return s->Z; }
double as_solver_get_elapsed (const AsSolver *s) { return s->elapsed_us * 1e-6; }

double
as_solver_get_last_step (const AsSolver *s, guint i)
{
  g_return_val_if_fail (i < s->N, NAN);
  return s->steps[i];
}

void
as_solver_reset (AsSolver *s, const double *Z0)
{
  gsize Nm = (gsize) s->N * s->m;

  if (Z0 != NULL)
    memcpy (s->Z, Z0, sizeof (double) * Nm);
  else
    memset (s->Z, 0, sizeof (double) * Nm);
  if (as_lasso_get_positive (s->lasso))
    for (gsize k = 0; k < Nm; k++)
      s->Z[k] = MAX (s->Z[k], 0.0);
  memset (s->steps, 0, sizeof (double) * s->N);
  memset (s->retired, 0, s->N);
  s->n_retired = 0;
  s->cache_for_z = FALSE;
  s->cache_cost_us = 0;
  s->iteration = 0;
  s->elapsed_us = 0;
  if (s->Y != NULL)
    {
      memcpy (s->Y, s->Z, sizeof (double) * Nm);
      for (guint i = 0; i < s->N; i++)
        s->t[i] = 1.0;
    }
  if (s->LS != NULL)
    {
      memset (s->ls_support, 0, Nm);
      for (guint i = 0; i < s->N; i++)
        s->LS[i] = -1.0;
    }
  if (s->beta != NULL)
    refresh_beta (s);
  if (s->stable != NULL)
    memset (s->stable, 0, sizeof (guint) * s->N);
}

static void
step_ista (AsSolver *s, double lam, gboolean positive)
{
  double inv_L = 1.0 / s->L;
  guint m = s->m;
  gboolean cached = s->cache_for_z;

  /* With a gradient left by an evaluation, use it; else go block by block. */
  if (cached)
    use_cache_for_z (s);
  for (guint b = 0; b < s->N; b += BLOCK_ROWS)
    {
      guint count = MIN (BLOCK_ROWS, s->N - b);
      const double *Gb = cached ? s->Gr + (gsize) b * m : s->Gb;

      if (!cached)
        gradient_rows (s, s->Z, b, count, s->Rb, s->Gb);
      for (guint r = 0; r < count; r++)
        {
          double *z = s->Z + (gsize) (b + r) * m;

          prox_gradient_row (m, z, Gb + (gsize) r * m, inv_L, lam * inv_L, positive, z);
          s->steps[b + r] = inv_L;
        }
    }
  s->cache_for_z = FALSE;
}

typedef enum { POLISH_FAILED, POLISH_EXACT, POLISH_PARTIAL } PolishResult;
static PolishResult polish_solve (AsSolver *s, guint i, double lam, gboolean positive, guint *size);

/* After a FISTA step of signal i: count the iterations its support and signs
 * held and, on the support-polish schedule (as_solver_set_support_polish),
 * jump to the exact solution on that face (or as far towards it as the signs
 * allow) and restart the momentum there. */
static void
fista_polish (AsSolver *s, guint i, gboolean changed, double lam, gboolean positive)
{
  guint every = s->polish_every, k;
  double *z = s->Z + (gsize) i * s->m, *y = s->Y + (gsize) i * s->m;
  PolishResult res;

  s->stable[i] = changed ? 0 : s->stable[i] + 1;
  if (!(s->stable[i] == every || (s->stable[i] > every && s->stable[i] % (4 * every) == 0)))
    return;
  /* A partial move drops one atom; the face of the smaller support is solved
   * again at once, a few times (an active-set loop), before FISTA resumes. */
  for (guint tries = 0; tries < 16; tries++)
    {
      res = polish_solve (s, i, lam, positive, &k);
      if (res == POLISH_FAILED)
        break;
      for (guint a = 0; a < k; a++)
        z[s->idx[a]] = s->rhs[a];
      memcpy (y, z, sizeof (double) * s->m);
      s->t[i] = 1.0;
      s->stable[i] = res == POLISH_PARTIAL ? 0 : s->stable[i];
      if (res == POLISH_EXACT)
        break;
    }
}

static void
step_fista (AsSolver *s, double lam, gboolean positive)
{
  double inv_L = 1.0 / s->L, tau = lam * inv_L;
  guint m = s->m, next = 0, count;
  gboolean first = s->iteration == 0 && s->cache_for_z && s->n_retired == 0;
  gboolean track = s->polish_every > 0 && s->C != NULL;

  /* At the first step y = z, so an evaluation's gradient at z can be used. */
  if (first)
    use_cache_for_z (s);
  /* Block by block over the signals not retired (gathered once some are). */
  while ((count = s->n_retired == 0 ? MIN (BLOCK_ROWS, s->N - next) : next_active_block (s, &next)) > 0)
    {
      const double *Gb;

      if (s->n_retired == 0)
        {
          for (guint r = 0; r < count; r++)
            s->rows[r] = next + r;
          Gb = first ? s->Gr + (gsize) next * m : s->Gb;
          if (!first)
            gradient_rows (s, s->Y, next, count, s->Rb, s->Gb);
          next += count;
        }
      else
        {
          gradient_gather (s, s->Y, s->rows, count, s->Rb, s->Gb);
          Gb = s->Gb;
        }
      for (guint r = 0; r < count; r++)
        {
          guint i = s->rows[r];
          double *z = s->Z + (gsize) i * m, *y = s->Y + (gsize) i * m;
          const double *g = Gb + (gsize) r * m;
          double t_new = 0.5 * (1.0 + sqrt (1.0 + 4.0 * s->t[i] * s->t[i]));
          double restart_test = 0.0;
          guint flips = 0;

          s->steps[i] = inv_L;
          if (!s->restart && !track)
            {
              fista_row (m, y, g, z, inv_L, tau, positive, (s->t[i] - 1.0) / t_new);
              s->t[i] = t_new;
              continue;
            }
          prox_gradient_row (m, y, g, inv_L, tau, positive, s->row);   /* row = z_k */
          for (guint j = 0; j < m; j++)
            {
              double a = s->row[j], b = z[j];

              restart_test += (y[j] - a) * (a - b);
              flips += ((a > 0.0) - (a < 0.0)) != ((b > 0.0) - (b < 0.0));
            }
          if (s->restart && restart_test > 0.0)
            {
              /* The momentum points uphill: drop it (O'Donoghue & Candès 2015). */
              s->t[i] = 1.0;
              memcpy (y, s->row, sizeof (double) * m);
            }
          else
            {
              double beta = (s->t[i] - 1.0) / t_new;

              for (guint j = 0; j < m; j++)
                y[j] = s->row[j] + beta * (s->row[j] - z[j]);
              s->t[i] = t_new;
            }
          memcpy (z, s->row, sizeof (double) * m);
          if (track)
            fista_polish (s, i, flips > 0, lam, positive);
        }
    }
  s->cache_for_z = FALSE;
}

/* L_S of the support of z (signal i), recomputed only when the support changed. */
static double
oracle_support_lipschitz (AsSolver *s, guint i, const double *z)
{
  guint m = s->m, k = 0;
  guint8 *flags = s->ls_support + (gsize) i * m;
  gboolean changed = s->LS[i] < 0.0;

  for (guint j = 0; j < m; j++)
    {
      guint8 on = z[j] != 0.0;

      if (on != flags[j])
        {
          changed = TRUE;
          flags[j] = on;
        }
      if (on)
        s->idx[k++] = j;
    }
  if (!changed)
    return s->LS[i];
  if (k == 0)
    s->LS[i] = s->L;
  else if (k <= s->n)
    {
      /* G_SS from the cached Gram matrix: k² copies, then one k × k eigenproblem. */
      for (guint p = 0; p < k; p++)
        for (guint q = 0; q < k; q++)
          s->sub[(gsize) p * k + q] = s->G[(gsize) s->idx[p] * m + s->idx[q]];
      s->LS[i] = as_lasso_top_eigenvalue (s->sub, k);
    }
  else
    s->LS[i] = as_lasso_support_lipschitz_indices (s->lasso, s->idx, k);
  /* Never longer than the 1/L step is safe for, whatever the rounding. */
  if (!(s->LS[i] > 0.0) || s->LS[i] > s->L)
    s->LS[i] = s->L;
  return s->LS[i];
}

static void
step_oracle_ista (AsSolver *s, double lam, gboolean positive)
{
  guint m = s->m;

  use_cache_for_z (s);
  for (guint i = 0; i < s->N; i++)
    {
      double *z = s->Z + (gsize) i * m;
      const double *g = s->Gr + (gsize) i * m;
      double LS = oracle_support_lipschitz (s, i, z), step = 1.0 / LS;
      gboolean grows = FALSE;

      prox_gradient_row (m, z, g, step, lam * step, positive, s->row);
      for (guint j = 0; j < m && !grows; j++)
        grows = s->row[j] != 0.0 && z[j] == 0.0;
      if (grows)
        {
          /* supp(y) ⊄ S: the 1/L_S majorisation does not hold there, redo with 1/L. */
          step = 1.0 / s->L;
          prox_gradient_row (m, z, g, step, lam * step, positive, s->row);
        }
      memcpy (z, s->row, sizeof (double) * m);
      s->steps[i] = step;
    }
  s->cache_for_z = FALSE;
}

static inline double
coordinate_target (double zj, double gjj, double bj, double lam, gboolean positive)
{
  double u = zj * gjj + bj;

  if (positive)
    return MAX (u - lam, 0.0) / gjj;
  return (u > lam ? u - lam : u < -lam ? u + lam : 0.0) / gjj;
}

/* |ST(z_k G_kk + β_k, λ)/G_kk − z_k| for every k (0 for a zero atom, whose
 * inv_diag is 0): the Gauss–Southwell-r scores, in one vectorisable pass. */
AS_VECTORIZE static void
greedy_moves (guint m, const double *z, const double *beta, const double *inv_diag, double lam,
              gboolean positive, double *moves)
{
  for (guint k = 0; k < m; k++)
    {
      double gkk_inv = inv_diag[k];
      double u = gkk_inv > 0.0 ? z[k] + beta[k] * gkk_inv : 0.0;   /* (z G_kk + β)/G_kk */
      double tau = lam * gkk_inv, c, target;

      if (positive)
        target = u - tau > 0.0 ? u - tau : 0.0;
      else
        {
          c = u < tau ? u : tau;
          c = c > -tau ? c : -tau;
          target = u - c;
        }
      moves[k] = gkk_inv > 0.0 ? fabs (target - z[k]) : 0.0;
    }
}

/* Support polish of signal i: with S = supp(z) and s = sign(z_S), the Lasso
 * restricted to that face is the linear system G_SS w = (Dᵀx)_S − λs (its
 * optimality condition).  When its solution keeps the signs s, it is the
 * minimiser of F on the face containing z, so F(w) ≤ F(z): take it (and it is
 * the Lasso solution as soon as the KKT conditions hold off S).  Cyclic CD
 * converges at a linear rate set by λ_min(G_SS), which is tiny when |S| comes
 * close to n (about 1e-3 with |S| = 60 of n = 64 at λ = 0.1 λ_max): it then
 * needs thousands of epochs to reach a gap of 1e-8, while one polish after the
 * support is found ends it.
 *
 * When some signs flip, F restricted to the face is still a convex quadratic
 * minimised at w, so F decreases along the segment from z_S to w until the
 * first coordinate reaches 0: that point is taken instead, with the
 * coordinate set to 0 (the active-set step of Lawson & Hanson 1974 and of
 * Osborne, Presnell & Turlach 2000's homotopy); the attempt is not wasted and
 * the support shrinks towards the right one.
 *
 * Returns POLISH_FAILED (z unchanged), POLISH_EXACT or POLISH_PARTIAL with the
 * new values in rhs[0 … size) for the atoms idx[0 … size) (z is not changed
 * here). */
static PolishResult
polish_solve (AsSolver *s, guint i, double lam, gboolean positive, guint *size)
{
  guint m = s->m, k = 0, hit = G_MAXUINT;
  const double *z = s->Z + (gsize) i * m;
  const double *c = s->C + (gsize) i * m;
  double t = 1.0;

  for (guint j = 0; j < m; j++)
    if (z[j] != 0.0)
      s->idx[k++] = j;
  if (k == 0 || k > s->n)
    return POLISH_FAILED;
  for (guint a = 0; a < k; a++)
    {
      for (guint b = 0; b <= a; b++)
        s->sub[(gsize) a * k + b] = s->G[(gsize) s->idx[a] * m + s->idx[b]];
      s->rhs[a] = c[s->idx[a]] - lam * (z[s->idx[a]] > 0 ? 1.0 : -1.0);
    }
  /* The lower triangle in row-major order is the upper one in column-major
   * order: the column-major _work entry points take it as it is, without the
   * transposed copies and NaN scans of the row-major wrappers. */
  if (LAPACKE_dpotrf_work (LAPACK_COL_MAJOR, 'U', k, s->sub, k) != 0
      || LAPACKE_dpotrs_work (LAPACK_COL_MAJOR, 'U', k, 1, s->sub, k, s->rhs, k) != 0)
    return POLISH_FAILED;
  for (guint a = 0; a < k; a++)
    {
      double w = s->rhs[a], v = z[s->idx[a]];

      if (!isfinite (w))
        return POLISH_FAILED;
      if (v > 0 ? !(w > 0) : !(w < 0))
        {
          /* v + t(w − v) = 0 at t = v/(v − w) ∈ (0, 1]. */
          double ta = v / (v - w);

          if (ta < t)
            {
              t = ta;
              hit = a;
            }
        }
    }
  *size = k;
  if (hit == G_MAXUINT)
    return POLISH_EXACT;
  for (guint a = 0; a < k; a++)
    {
      double v = z[s->idx[a]], w = v + t * (s->rhs[a] - v);

      /* Rounding must not flip a sign on the way: clamp to the face. */
      s->rhs[a] = a == hit || (v > 0 ? w < 0 : w > 0) ? 0.0 : w;
    }
  return POLISH_PARTIAL;
}

/* Coordinate descent's polish: the move, and β = Dᵀx − Gz after it
 * (β −= G[:, S](w − z_S)).  Returns the kind of move made. */
static PolishResult
polish_support (AsSolver *s, guint i, double lam, gboolean positive)
{
  guint m = s->m, k;
  double *z = s->Z + (gsize) i * m, *beta = s->beta + (gsize) i * m;
  PolishResult res = polish_solve (s, i, lam, positive, &k);

  if (res == POLISH_FAILED)
    return res;
  for (guint a = 0; a < k; a++)
    {
      guint j = s->idx[a];
      double delta = s->rhs[a] - z[j];

      z[j] = s->rhs[a];
      if (delta != 0.0)
        cblas_daxpy (m, -delta, s->G + (gsize) j * m, 1, beta, 1);
    }
  return res;
}

static void
step_cd (AsSolver *s, double lam, gboolean positive, gboolean greedy)
{
  guint m = s->m;

  /* Rank-one updates of β accumulate rounding: start afresh now and then. */
  if (s->iteration > 0 && s->iteration % 50 == 0)
    refresh_beta (s);
  for (guint i = 0; i < s->N; i++)
    {
      double *z = s->Z + (gsize) i * m, *beta = s->beta + (gsize) i * m;

      gboolean changed = FALSE;

      if (s->retired[i])
        continue;

      for (guint u = 0; u < m; u++)
        {
          guint j = u;
          double gjj, znew, delta;

          if (greedy)
            {
              greedy_moves (m, z, beta, s->inv_diag, lam, positive, s->moves);
              j = cblas_idamax (m, s->moves, 1);
              if (!(s->moves[j] > 0.0))
                break;   /* every coordinate is optimal: z_i is the solution */
            }
          gjj = s->G[(gsize) j * m + j];
          if (gjj <= 0.0)
            continue;
          znew = coordinate_target (z[j], gjj, beta[j], lam, positive);
          delta = znew - z[j];
          s->steps[i] = 1.0 / gjj;
          if (delta != 0.0)
            {
              /* A coordinate entering, leaving or changing sign. */
              changed |= (z[j] > 0) != (znew > 0) || (z[j] < 0) != (znew < 0);
              z[j] = znew;
              cblas_daxpy (m, -delta, s->G + (gsize) j * m, 1, beta, 1);
            }
        }
      /* Polish once the support and signs held for two epochs, then every
       * polish_every epochs while they hold (a failed attempt costs about
       * |S|³/3 flops, a few epochs). */
      s->stable[i] = changed ? 0 : s->stable[i] + 1;
      if (s->polish_every > 0
          && (s->stable[i] == 2 || (s->stable[i] > 2 && s->stable[i] % s->polish_every == 0)))
        {
          /* A partial move drops one atom: the smaller face is solved again
           * at once, a few times (an active-set loop); CD then resumes. */
          for (guint tries = 0; tries < 16; tries++)
            {
              PolishResult res = polish_support (s, i, lam, positive);

              if (res != POLISH_PARTIAL)
                break;
              s->stable[i] = 0;
            }
        }
    }
  s->cache_for_z = FALSE;
}

void
as_solver_set_support_polish (AsSolver *s, guint every)
{
  g_return_if_fail (s != NULL);
  s->polish_every = every;
  if (every > 0 && s->kind == AS_SOLVER_FISTA && s->C == NULL)
    {
      /* FISTA polishes from the Gram matrix and Dᵀx, as coordinate descent does. */
      s->G = as_lasso_get_gram (s->lasso);
      s->C = g_new (double, (gsize) s->N * s->m);
      s->idx = g_new (guint, s->m);
      s->sub = g_new (double, (gsize) s->m * s->m);
      s->rhs = g_new (double, s->m);
      s->stable = g_new0 (guint, s->N);
      cblas_dgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, s->N, s->m, s->n,
                   1.0, s->X, s->n, s->D, s->m, 0.0, s->C, s->m);
    }
}

guint
as_solver_retire_by_own_gap (AsSolver *s, double tol)
{
  double lam = as_lasso_get_lambda (s->lasso);
  gboolean positive = as_lasso_get_positive (s->lasso);
  guint m = s->m;

  if (s->beta == NULL)
    {
      /* The gradient methods: the gap from the residual and gradient at z,
       * for the signals still stepped only (gathered blocks, two DGEMMs). */
      guint next = 0, count;
      gboolean all = s->n_retired == 0;

      while ((count = all ? MIN (BLOCK_ROWS, s->N - next) : next_active_block (s, &next)) > 0)
        {
          if (all)
            {
              for (guint r = 0; r < count; r++)
                s->rows[r] = next + r;
              gradient_rows (s, s->Z, next, count, s->Rb, s->Gb);
              next += count;
            }
          else
            gradient_gather (s, s->Z, s->rows, count, s->Rb, s->Gb);
          for (guint r = 0; r < count; r++)
            {
              guint i = s->rows[r];

              if (as_lasso_gap_from_residual (s->lasso, i, s->Z + (gsize) i * m,
                                              s->Rb + (gsize) r * s->n,
                                              s->Gb + (gsize) r * m, NULL) <= tol)
                s->retired[i] = 1;
            }
        }
      /* Counted after the pass: the blocks above read retired[]. */
      s->n_retired = 0;
      for (guint i = 0; i < s->N; i++)
        s->n_retired += s->retired[i];
      return s->N - s->n_retired;
    }
  for (guint i = 0; i < s->N; i++)
    {
      const double *z = s->Z + (gsize) i * m, *beta = s->beta + (gsize) i * m;
      const double *c = s->C + (gsize) i * m, *x = s->X + (gsize) i * s->n;
      double xx, cz = 0.0, bz = 0.0, l1 = 0.0, dual_norm = 0.0, rr, xr, sc = 1.0, gap;

      if (s->retired[i])
        continue;
      /* With ρ = x − Dz: Dᵀρ = β, ‖ρ‖² = ‖x‖² − cᵀz − βᵀz (zᵀGz = zᵀ(c − β)),
       * xᵀ(Dz − x) = cᵀz − ‖x‖²: the gap of as_lasso_gap_from_residual in O(m). */
      xx = cblas_ddot (s->n, x, 1, x, 1);
      for (guint j = 0; j < m; j++)
        {
          cz += c[j] * z[j];
          bz += beta[j] * z[j];
          l1 += fabs (z[j]);
          dual_norm = MAX (dual_norm, positive ? beta[j] : fabs (beta[j]));
        }
      rr = MAX (xx - cz - bz, 0.0);
      xr = cz - xx;
      if (dual_norm > lam)
        sc = lam / dual_norm;
      gap = 0.5 * (1.0 + sc * sc) * rr + sc * xr + lam * l1;
      if (gap <= tol)
        {
          s->retired[i] = 1;
          s->n_retired++;
        }
    }
  return s->N - s->n_retired;
}

gboolean
as_solver_is_retired (const AsSolver *s, guint i)
{
  g_return_val_if_fail (i < s->N, FALSE);
  return s->retired[i] != 0;
}

guint
as_solver_retire_converged (AsSolver *s, const double *gap, double tol)
{
  for (guint i = 0; i < s->N; i++)
    if (!s->retired[i] && gap[i] <= tol)
      {
        s->retired[i] = 1;
        s->n_retired++;
      }
  return s->N - s->n_retired;
}

void
as_solver_step (AsSolver *s)
{
  double lam = as_lasso_get_lambda (s->lasso);
  gboolean positive = as_lasso_get_positive (s->lasso);
  gint64 t0 = g_get_monotonic_time ();

  switch (s->kind)
    {
    case AS_SOLVER_ISTA:
      step_ista (s, lam, positive);
      break;
    case AS_SOLVER_FISTA:
      step_fista (s, lam, positive);
      break;
    case AS_SOLVER_ORACLE_ISTA:
      step_oracle_ista (s, lam, positive);
      break;
    case AS_SOLVER_CD:
      step_cd (s, lam, positive, FALSE);
      break;
    case AS_SOLVER_GREEDY_CD:
      step_cd (s, lam, positive, TRUE);
      break;
    case AS_SOLVER_N_KINDS:
    default:
      g_return_if_reached ();
    }
  s->iteration++;
  s->elapsed_us += g_get_monotonic_time () - t0;
}

void
as_solver_evaluate (AsSolver *s, double *objective, double *gap, guint *support)
{
  if (objective != NULL || gap != NULL)
    ensure_cache_for_z (s);
  for (guint i = 0; i < s->N; i++)
    {
      const double *z = s->Z + (gsize) i * s->m;

      if (objective != NULL || gap != NULL)
        {
          double F;
          double gp = as_lasso_gap_from_residual (s->lasso, i, z, s->R + (gsize) i * s->n,
                                                  s->Gr + (gsize) i * s->m, &F);

          if (objective != NULL)
            objective[i] = F;
          if (gap != NULL)
            gap[i] = gp;
        }
      if (support != NULL)
        support[i] = as_lasso_support_size (s->m, z);
    }
}

/* --- traces --- */

struct _AsSolverTrace
{
  guint n_signals;
  GArray *iterations, *times, *objectives, *gaps, *supports, *steps;
};

AsSolverTrace *
as_solver_trace_new (guint n_signals)
{
  AsSolverTrace *tr = g_new0 (AsSolverTrace, 1);

  tr->n_signals = n_signals;
  tr->iterations = g_array_new (FALSE, FALSE, sizeof (guint));
  tr->times = g_array_new (FALSE, FALSE, sizeof (double));
  tr->objectives = g_array_new (FALSE, FALSE, sizeof (double));
  tr->gaps = g_array_new (FALSE, FALSE, sizeof (double));
  tr->supports = g_array_new (FALSE, FALSE, sizeof (guint));
  tr->steps = g_array_new (FALSE, FALSE, sizeof (double));
  return tr;
}

void
as_solver_trace_free (AsSolverTrace *tr)
{
  if (tr == NULL)
    return;
  g_array_unref (tr->iterations);
  g_array_unref (tr->times);
  g_array_unref (tr->objectives);
  g_array_unref (tr->gaps);
  g_array_unref (tr->supports);
  g_array_unref (tr->steps);
  g_free (tr);
}

void
as_solver_trace_clear (AsSolverTrace *tr)
{
  g_array_set_size (tr->iterations, 0);
  g_array_set_size (tr->times, 0);
  g_array_set_size (tr->objectives, 0);
  g_array_set_size (tr->gaps, 0);
  g_array_set_size (tr->supports, 0);
  g_array_set_size (tr->steps, 0);
}

void
as_solver_trace_record (AsSolverTrace *tr, AsSolver *s)
{
  guint N = tr->n_signals, len = tr->iterations->len;
  double t = as_solver_get_elapsed (s);

  g_return_if_fail (N == s->N);
  g_array_append_val (tr->iterations, s->iteration);
  g_array_append_val (tr->times, t);
  g_array_set_size (tr->objectives, (len + 1) * N);
  g_array_set_size (tr->gaps, (len + 1) * N);
  g_array_set_size (tr->supports, (len + 1) * N);
  g_array_append_vals (tr->steps, s->steps, N);
  as_solver_evaluate (s, &g_array_index (tr->objectives, double, (gsize) len * N),
                      &g_array_index (tr->gaps, double, (gsize) len * N),
                      &g_array_index (tr->supports, guint, (gsize) len * N));
}

guint as_solver_trace_get_length (const AsSolverTrace *tr) { return tr->iterations->len; }
guint as_solver_trace_get_n_signals (const AsSolverTrace *tr) { return tr->n_signals; }
const guint *as_solver_trace_get_iterations (const AsSolverTrace *tr) { return (const guint *) tr->iterations->data; }
const double *as_solver_trace_get_times (const AsSolverTrace *tr) { return (const double *) tr->times->data; }
const double *as_solver_trace_get_objectives (const AsSolverTrace *tr) { return (const double *) tr->objectives->data; }
const double *as_solver_trace_get_gaps (const AsSolverTrace *tr) { return (const double *) tr->gaps->data; }
const guint *as_solver_trace_get_supports (const AsSolverTrace *tr) { return (const guint *) tr->supports->data; }
const double *as_solver_trace_get_steps (const AsSolverTrace *tr) { return (const double *) tr->steps->data; }

void
as_solver_set_job (AsSolver *s, AsJob *job)
{
  if (job != NULL)
    as_job_ref (job);
  if (s->job != NULL)
    as_job_unref (s->job);
  s->job = job;
}

gboolean
as_solver_run (AsSolver *s, double tol, guint max_iter, guint check_every,
               AsSolverTrace *trace, GError **error)
{
  g_autofree double *gap = g_new (double, MAX (s->N, 1));

  if (check_every == 0)
    check_every = 1;
  if (trace != NULL && as_solver_trace_get_length (trace) == 0)
    as_solver_trace_record (trace, s);

  for (guint it = 1; it <= max_iter; it++)
    {
      gboolean check = trace != NULL || it % check_every == 0 || it == max_iter;
      double worst = 0.0;

      if (s->job != NULL)
        {
          if (!as_job_check (s->job))
            return FALSE;
          as_job_set_progress (s->job, (double) (it - 1) / max_iter, NULL);
        }
      as_solver_step (s);
      if (!check)
        continue;
      if (trace != NULL)
        {
          guint len = as_solver_trace_get_length (trace);

          as_solver_trace_record (trace, s);
          memcpy (gap, as_solver_trace_get_gaps (trace) + (gsize) len * s->N,
                  sizeof (double) * s->N);
        }
      else
        as_solver_evaluate (s, NULL, gap, NULL);
      for (guint i = 0; i < s->N; i++)
        {
          if (!isfinite (gap[i]))
            {
              g_set_error (error, AS_ENGINE_ERROR, AS_ENGINE_ERROR_NUMERIC,
                           _("The %s solver produced non-finite codes at iteration %u "
                             "(signal %u): check the signals and λ for NaN or infinity"),
                           as_solver_kind_to_string (s->kind), s->iteration, i);
              return FALSE;
            }
          worst = MAX (worst, gap[i]);
        }
      if (worst <= tol)
        return TRUE;
    }
  return FALSE;
}

gboolean
as_solver_trace_write_csv (const AsSolverTrace *tr, FILE *out, const char *solver_name,
                           const double *F_star, gboolean header, GError **error)
{
  guint N = tr->n_signals, T = tr->iterations->len;
  const double *F = as_solver_trace_get_objectives (tr), *gap = as_solver_trace_get_gaps (tr);
  const double *time = as_solver_trace_get_times (tr);
  const guint *supp = as_solver_trace_get_supports (tr), *iter = as_solver_trace_get_iterations (tr);

  if (header)
    fputs ("solver,signal,iteration,time,objective,gap,suboptimality,support\n", out);
  for (guint i = 0; i < N; i++)
    for (guint t = 0; t < T; t++)
      {
        char b_time[G_ASCII_DTOSTR_BUF_SIZE], b_F[G_ASCII_DTOSTR_BUF_SIZE];
        char b_gap[G_ASCII_DTOSTR_BUF_SIZE], b_sub[G_ASCII_DTOSTR_BUF_SIZE] = "";
        gsize k = (gsize) t * N + i;

        g_ascii_formatd (b_time, sizeof b_time, "%.6g", time[t]);
        g_ascii_formatd (b_F, sizeof b_F, "%.17g", F[k]);
        g_ascii_formatd (b_gap, sizeof b_gap, "%.6e", gap[k]);
        if (F_star != NULL)
          g_ascii_formatd (b_sub, sizeof b_sub, "%.6e", F[k] - F_star[i]);
        fprintf (out, "%s,%u,%u,%s,%s,%s,%s,%u\n", solver_name, i, iter[t], b_time, b_F, b_gap,
                 b_sub, supp[k]);
      }
  if (ferror (out))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write the convergence curves of %s (disk full?)"), solver_name);
      return FALSE;
    }
  return TRUE;
}
