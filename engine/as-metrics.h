/* as-metrics.h: dictionary and code quality measures for sparse coding.
 *
 * Copyright 2026 The Atomscope developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* max_{i≠j} |d_iᵀd_j| / (‖d_i‖‖d_j‖) over the columns of D (n × m). */
double as_metrics_mutual_coherence (guint n, guint m, const double *D);

/* Marchenko–Pastur limit of L_S / L for Gaussian D (n × m) and |S| = k
 * (Ablin et al. 2019, eq. 1): ((1 + √(ζγ)) / (1 + √γ))² with γ = m/n, ζ = k/m. */
double as_metrics_marchenko_pastur_ratio (guint n, guint m, guint k);

/* Dictionary recovery up to permutation and sign: the mean over the atoms of
 * D_true (n × m_true) of |cos(d_true, d_est)| under the one-to-one matching
 * that maximises the sum (Hungarian algorithm).  1 for a permuted,
 * sign-flipped copy.  `assignment` (length m_true, may be NULL) receives the
 * matched column of D_est, G_MAXUINT for an unmatched atom. */
double as_metrics_dictionary_recovery (guint n, guint m_true, const double *D_true,
                                       guint m_est, const double *D_est, guint *assignment);

typedef struct
{
  double precision;   /* |supp(est) ∩ supp(true)| / |supp(est)| (1 if est is empty) */
  double recall;      /* |supp(est) ∩ supp(true)| / |supp(true)| (1 if true is empty) */
  double f1;
  guint  true_positives, n_estimated, n_true;
} AsSupportRecovery;

/* Support recovery over count entries (e.g. N × m codes); |z| ≤ threshold is zero. */
AsSupportRecovery as_metrics_support_recovery (gsize count, const double *Z_true,
                                               const double *Z_est, double threshold);

G_END_DECLS
