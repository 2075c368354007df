/* as-hungarian.h: optimal assignment (Hungarian algorithm, maximisation form).
 *
 * score is n_rows × n_cols, row-major.  On return assignment[i] is the column
 * given to row i, or G_MAXUINT when n_rows > n_cols and row i is left out.
 * Every column is used at most once; the sum of the chosen scores is maximal
 * and is returned.  O(k²·K) time with k = min, K = max of the two sizes.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

double as_hungarian_maximize (const double *score, guint n_rows, guint n_cols, guint *assignment);

G_END_DECLS
