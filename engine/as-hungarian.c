/* as-hungarian.c: optimal assignment by shortest augmenting paths with potentials.
 *
 * The O(k²K) Hungarian algorithm of Kuhn (1955) and Munkres (1957) in the
 * augmenting-path form of Jonker & Volgenant (1987): rows are added one at a
 * time, each by a Dijkstra-like search over columns with reduced costs.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "as-hungarian"
#include "config.h"

#include <math.h>

#include "as-hungarian.h"

/* Minimum-cost assignment of each of `rows` rows to a distinct column
 * (rows ≤ cols), with cost(i, j) = −score, read from the transpose when
 * `transposed`; row_of_col[j] receives the row of column j or G_MAXUINT. */
static void
solve_min (const double *score, guint n_rows, guint n_cols, gboolean transposed,
           guint rows, guint cols, guint *row_of_col)
{
  /* 1-based arrays, index 0 is the virtual start column. */
  g_autofree double *u = g_new0 (double, rows + 1);
  g_autofree double *v = g_new0 (double, cols + 1);
  g_autofree double *minv = g_new (double, cols + 1);
  g_autofree guint *p = g_new0 (guint, cols + 1);     /* p[j]: row matched to column j (0 none) */
  g_autofree guint *way = g_new0 (guint, cols + 1);
  g_autofree gboolean *used = g_new (gboolean, cols + 1);

  for (guint i = 1; i <= rows; i++)
    {
      guint j0 = 0;

      p[0] = i;
      for (guint j = 0; j <= cols; j++)
        {
          minv[j] = INFINITY;
          used[j] = FALSE;
        }
      do
        {
          guint i0 = p[j0], j1 = 0;
          double delta = INFINITY;

          used[j0] = TRUE;
          for (guint j = 1; j <= cols; j++)
            {
              double cost, cur;

              if (used[j])
                continue;
              /* Maximise the score = minimise its negative. */
              cost = transposed ? -score[(gsize) (j - 1) * n_cols + (i0 - 1)]
                                : -score[(gsize) (i0 - 1) * n_cols + (j - 1)];
              cur = cost - u[i0] - v[j];
              if (cur < minv[j])
                {
                  minv[j] = cur;
                  way[j] = j0;
                }
              if (minv[j] < delta)
                {
                  delta = minv[j];
                  j1 = j;
                }
            }
          if (j1 == 0)   /* only NaN or infinite costs left: take any free column */
            for (guint j = 1; j <= cols && j1 == 0; j++)
              if (!used[j])
                {
                  j1 = j;
                  way[j] = j0;
                  delta = 0.0;
                }
          for (guint j = 0; j <= cols; j++)
            if (used[j])
              {
                u[p[j]] += delta;
                v[j] -= delta;
              }
            else
              minv[j] -= delta;
          j0 = j1;
        }
      while (p[j0] != 0);
      do
        {
          guint j1 = way[j0];

          p[j0] = p[j1];
          j0 = j1;
        }
      while (j0 != 0);
    }
  for (guint j = 1; j <= cols; j++)
    row_of_col[j - 1] = p[j] == 0 ? G_MAXUINT : p[j] - 1;
}

double
as_hungarian_maximize (const double *score, guint n_rows, guint n_cols, guint *assignment)
{
  double total = 0.0;

  g_return_val_if_fail (score != NULL || n_rows == 0 || n_cols == 0, 0.0);

  for (guint i = 0; i < n_rows; i++)
    assignment[i] = G_MAXUINT;
  if (n_rows == 0 || n_cols == 0)
    return 0.0;

  if (n_rows <= n_cols)
    {
      g_autofree guint *row_of_col = g_new (guint, n_cols);

      solve_min (score, n_rows, n_cols, FALSE, n_rows, n_cols, row_of_col);
      for (guint j = 0; j < n_cols; j++)
        if (row_of_col[j] != G_MAXUINT)
          assignment[row_of_col[j]] = j;
    }
  else
    {
      /* More rows than columns: assign each column a row on the transpose. */
      g_autofree guint *col_of_row = g_new (guint, n_rows);

      solve_min (score, n_rows, n_cols, TRUE, n_cols, n_rows, col_of_row);
      for (guint i = 0; i < n_rows; i++)
        assignment[i] = col_of_row[i];
    }
  for (guint i = 0; i < n_rows; i++)
    if (assignment[i] != G_MAXUINT)
      total += score[(gsize) i * n_cols + assignment[i]];
  return total;
}
